//! Every malformed frame — truncated at any point, zero bytes, garbage, a header that
//! declares a huge image, a flipped byte anywhere — is an `Err`, never a panic.

mod common;
use kiosk_camera::{scan_jpeg, warp_with_corners, PageJpeg, ScanError, ScanOptions};
use proptest::prelude::*;

fn small_frame() -> Vec<u8> {
    // A small real photo of a page so that every stage has work to do.
    kiosk_camera::synth::desk_photo(320, 240, 7, 80)
        .unwrap()
        .jpeg
}

#[test]
fn every_truncation_is_an_error() {
    let full = small_frame();
    assert!(
        scan_jpeg(&full, &ScanOptions::default()).is_ok(),
        "the untruncated frame scans"
    );
    let step = (full.len() / 300).max(1);
    for n in (0..full.len() - 2).step_by(step) {
        let r = scan_jpeg(&full[..n], &ScanOptions::default());
        assert!(
            r.is_err(),
            "truncated to {n} of {} bytes was accepted",
            full.len()
        );
    }
}

#[test]
fn empty_and_garbage_are_errors() {
    assert!(matches!(
        scan_jpeg(&[], &ScanOptions::default()),
        Err(ScanError::Corrupt(_))
    ));
    let garbage: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    assert!(scan_jpeg(&garbage, &ScanOptions::default()).is_err());
    assert!(warp_with_corners(&garbage, [[0.0, 0.0]; 4], &ScanOptions::default()).is_err());
    assert!(PageJpeg::from_jpeg(garbage, 200).is_err());
}

#[test]
fn a_header_declaring_a_huge_image_is_refused_before_allocating() {
    let mut j = small_frame();
    // SOF0: FF C0, length (2), precision (1), height (2), width (2).
    let sof = j.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    j[sof + 5..sof + 7].copy_from_slice(&60000u16.to_be_bytes());
    j[sof + 7..sof + 9].copy_from_slice(&60000u16.to_be_bytes());
    assert!(matches!(
        scan_jpeg(&j, &ScanOptions::default()),
        Err(ScanError::TooLarge {
            width: 60000,
            height: 60000
        })
    ));
    j[sof + 5..sof + 7].copy_from_slice(&0u16.to_be_bytes());
    assert!(scan_jpeg(&j, &ScanOptions::default()).is_err());
}

#[test]
fn bad_options_are_errors() {
    let j = small_frame();
    for o in [
        ScanOptions {
            dpi: 0,
            ..ScanOptions::default()
        },
        ScanOptions {
            dpi: 100_000,
            ..ScanOptions::default()
        },
        ScanOptions {
            jpeg_quality: 0,
            ..ScanOptions::default()
        },
    ] {
        assert!(matches!(scan_jpeg(&j, &o), Err(ScanError::BadOptions(_))));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]
    #[test]
    fn a_flipped_byte_anywhere_never_panics(pos in 0usize..100_000, val in any::<u8>(), cut in 0usize..100_000) {
        let mut j = small_frame();
        let p = pos % j.len();
        j[p] = val;
        let n = j.len() - cut % (j.len() / 4);
        let _ = scan_jpeg(&j[..n], &ScanOptions::default());
    }
}
