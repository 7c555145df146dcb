//! `kiosk device camera scan` on the shipped desk photos: the corners it prints
//! are the recorded true corners (within 6 px), the output is an A4 page, and a
//! corrupt frame is an error with the citizen's sentence, not a panic.

mod common;

use std::path::PathBuf;

use common::{kiosk, repo};

fn frames() -> PathBuf {
    repo().join("assets/sim/camera")
}

#[test]
fn scan_prints_the_true_corners_as_json_and_writes_an_a4_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(frames()).unwrap() {
        let truth = entry.unwrap().path();
        if truth.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let jpg = truth.with_extension("jpg");
        let out = dir.path().join("page.jpg");
        let (code, stdout, err) = kiosk(&[
            "device",
            "camera",
            "scan",
            jpg.to_str().unwrap(),
            out.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(code, 0, "{}: {err}", jpg.display());
        let got: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let want: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&truth).unwrap()).unwrap();
        for i in 0..4 {
            for k in 0..2 {
                let (g, w) = (
                    got["corners"][i][k].as_f64().unwrap(),
                    want["corners"][i][k].as_f64().unwrap(),
                );
                assert!(
                    (g - w).abs() <= 6.0,
                    "{} corner {i}: {g} vs {w}",
                    jpg.display()
                );
            }
        }
        for stage in ["decode", "detect", "warp", "flatten", "encode", "total"] {
            assert!(got["ms"][stage].as_f64().unwrap() >= 0.0, "{stage}");
        }
        let page = image::open(&out).unwrap();
        assert_eq!((page.width(), page.height()), (1654, 2339), "A4 at 200 dpi");
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} frames with recorded corners");
}

#[test]
fn a_corrupt_frame_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(frames().join("page-02.jpg")).unwrap();
    let bad = dir.path().join("bad.jpg");
    std::fs::write(&bad, &bytes[..bytes.len() / 3]).unwrap();
    let out = dir.path().join("out.jpg");
    let (code, stdout, err) = kiosk(&[
        "device",
        "camera",
        "scan",
        bad.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(err.contains("请重新拍摄"), "{err}");
    assert!(!out.exists());
}
