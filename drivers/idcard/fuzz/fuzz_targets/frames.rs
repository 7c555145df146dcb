//! The frame decoder and reply parsers over arbitrary bytes, fed in arbitrary
//! pieces: never a panic, and every frame it yields re-encodes to valid bytes.
#![no_main]

use kiosk_idcard::codec::{frame, parse_read, parse_reply, FrameDecoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First byte: how to cut the rest into pieces.
    let (cut, rest) = match data.split_first() {
        Some((c, r)) => (*c as usize % 64 + 1, r),
        None => return,
    };
    let mut d = FrameDecoder::new();
    for piece in rest.chunks(cut) {
        d.push(piece);
        while let Some(f) = d.next_frame() {
            if let Ok(body) = f {
                // A decoded body framed again decodes to itself.
                let mut again = FrameDecoder::new();
                again.push(&frame(&body));
                assert_eq!(again.next_frame(), Some(Ok(body.clone())));
                if let Ok(r) = parse_reply(body) {
                    let _ = parse_read(&r.data, false);
                    let _ = parse_read(&r.data, true);
                }
            }
        }
    }
});
