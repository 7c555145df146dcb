//! The ESC/POS decoder (the simulator's and the renderer's) takes any bytes:
//! arbitrary strings, real jobs cut or corrupted anywhere. Every input is a
//! list of commands or an error naming an offset, never a panic, and what
//! `decode_one` consumes always lies inside its input.

use kiosk_printer::escpos::{decode, decode_one, Align, Cmd, DecodeError, Job};
use proptest::prelude::*;

fn real_job() -> Vec<u8> {
    Job::new()
        .align(Align::Center)
        .size(2, 2)
        .bold(true)
        .raw_text_line("受理回执")
        .qr_native(b"https://hall.example/progress?no=ZW20261122000001", 6)
        .feed(3)
        .cut()
        .bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_byte_string_decodes_or_errs_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        match decode(&bytes) {
            Ok(cmds) => prop_assert!(cmds.len() <= bytes.len()),
            Err(DecodeError::Truncated { at }) | Err(DecodeError::Malformed { at, .. }) => {
                prop_assert!(at <= bytes.len())
            }
        }
    }

    #[test]
    fn decode_one_never_claims_more_than_it_was_given(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(Some((_, n))) = decode_one(&bytes) {
            prop_assert!(n >= 1 && n <= bytes.len());
        }
    }

    #[test]
    fn a_real_job_with_one_byte_changed_never_panics(at in 0usize..4096, to in any::<u8>(), cut in 0usize..4096) {
        let mut job = real_job();
        let i = at % job.len();
        job[i] = to;
        let _ = decode(&job[..cut % (job.len() + 1)]);
    }
}

#[test]
fn the_real_job_decodes_whole() {
    let cmds = decode(&real_job()).unwrap();
    assert_eq!(cmds.first(), Some(&Cmd::Init));
    assert!(cmds.contains(&Cmd::QrPrint));
    assert!(
        matches!(cmds.last(), Some(Cmd::Cut { .. })),
        "{:?}",
        cmds.last()
    );
}
