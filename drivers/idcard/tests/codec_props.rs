//! Properties of the frame codec and the text decoder.

use kiosk_idcard::codec::{encode_reply, frame, FrameDecoder, Status};
use kiosk_idcard::text::decode_text;
use proptest::prelude::*;

fn decode(chunks: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut d = FrameDecoder::new();
    let mut out = Vec::new();
    for c in chunks {
        d.push(c);
        while let Some(f) = d.next_frame() {
            if let Ok(b) = f {
                out.push(b);
            }
        }
    }
    out
}

proptest! {
    #[test]
    fn encode_then_decode_gives_the_body_back(body in proptest::collection::vec(any::<u8>(), 2..3000)) {
        let bytes = frame(&body);
        prop_assert_eq!(decode(&[&bytes]), vec![body]);
    }

    #[test]
    fn any_split_of_a_stream_decodes_the_same_frames(
        bodies in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 3..300), 1..6),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..20),
    ) {
        let stream: Vec<u8> = bodies.iter().flat_map(|b| encode_reply(Status::from_sw3(b[2]), &b[3..]).into_iter().map(|x| x).collect::<Vec<_>>()).collect();
        let whole = decode(&[&stream]);
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        points.sort();
        let mut chunks: Vec<&[u8]> = Vec::new();
        let mut at = 0;
        for p in points {
            chunks.push(&stream[at..p]);
            at = p;
        }
        chunks.push(&stream[at..]);
        prop_assert_eq!(decode(&chunks), whole.clone());
        prop_assert_eq!(whole.len(), bodies.len());
    }

    #[test]
    fn garbage_never_panics_and_a_good_frame_after_it_is_found(
        garbage in proptest::collection::vec(any::<u8>(), 0..500),
    ) {
        let good = encode_reply(Status::NoCard, &[]);
        let mut stream = garbage.clone();
        // Enough silence-free bytes that any false header has been resolved:
        // a false length may swallow up to MAX_LEN bytes, so the test feeds the
        // frame repeatedly until it shows up.
        stream.extend(std::iter::repeat(good.clone()).take(8).flatten());
        let frames = decode(&[&stream]);
        prop_assert!(frames.iter().any(|f| f == &vec![0x00, 0x00, 0x80]));
    }

    #[test]
    fn the_text_decoder_never_panics(text in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode_text(&text);
    }
}
