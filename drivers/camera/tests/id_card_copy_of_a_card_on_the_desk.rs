//! 身份证复印件: an ID-card-sized card photographed on the desk is found (corners within
//! 6 px), cut to 85.6 × 54 mm, and front and back land on one A4 page that poppler opens.

mod common;
use kiosk_camera::synth::{photo, Doc};
use kiosk_camera::{id_card_copy, pdf_from_pages, scan_jpeg, ScanOptions, Target};

#[test]
fn a_card_on_the_desk_is_found_and_both_sides_fit_one_a4_page() {
    let opts = ScanOptions {
        target: Target::IdCard,
        ..ScanOptions::default()
    };
    let mut sides = Vec::new();
    for seed in [11, 12] {
        let f = photo(Doc::IdCard, 1600, 1200, seed, 85).unwrap();
        let scan = scan_jpeg(&f.jpeg, &opts).unwrap();
        let err = common::corner_error(&scan.corners.unwrap(), &f.corners);
        assert!(err <= 6.0, "card corner error {err:.2} px");
        assert_eq!((scan.width, scan.height), (674, 425));
        sides.push(scan);
    }
    let page = id_card_copy(&sides[0].jpeg, &sides[1].jpeg, &opts).unwrap();
    assert_eq!((page.width(), page.height()), (1654, 2339));
    let img = common::gray(page.jpeg());
    // The photo box (grey) of the front card shows up inside the front card's area.
    let (x0, y0) = ((1654 - 674) / 2 & !1, (2339.0 * 0.22) as u32 & !1);
    let photo_px = img.get_pixel(
        x0 + (69.0 / 85.6 * 674.0) as u32,
        y0 + (22.0 / 54.0 * 425.0) as u32,
    )[0];
    assert!(photo_px < 235, "photo box at {photo_px}");
    let pdf = pdf_from_pages(&[page]).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4") && pdf.trim_ascii_end().ends_with(b"%%EOF"));
}
