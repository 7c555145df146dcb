//! The outline drawn over the live preview: found on the small frame the UI
//! shows, close to the recorded corners scaled down to it.

mod common;

use kiosk_camera::{outline_rgb, Camera};

#[test]
fn the_preview_outline_follows_the_page_on_each_committed_frame() {
    for (path, truth) in common::frames_with_truth() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&path, dir.path().join("f.jpg")).unwrap();
        let cam = Camera::simulated(dir.path());
        let p = cam.preview(640, 480).unwrap();
        assert!(
            p.width <= 640 && p.height <= 480,
            "{}x{}",
            p.width,
            p.height
        );
        let full = image::image_dimensions(&path).unwrap();
        let s = f64::from(p.width) / f64::from(full.0);
        let scaled = truth.map(|c| [c[0] * s, c[1] * s]);
        let found = outline_rgb(&p.rgb, p.width, p.height)
            .unwrap_or_else(|| panic!("no outline in the preview of {}", path.display()));
        let err = common::corner_error(&found, &scaled);
        // A few preview pixels: the outline is a guide for the eye, the scan refines.
        assert!(err <= 4.0, "{}: {err:.2} px off", path.display());
    }
}

#[test]
fn an_empty_desk_or_a_wrong_buffer_has_no_outline() {
    let desk = vec![40u8; 320 * 240 * 3];
    assert_eq!(outline_rgb(&desk, 320, 240), None);
    assert_eq!(outline_rgb(&desk, 321, 240), None, "length does not match");
    assert_eq!(outline_rgb(&[], 0, 0), None);
}
