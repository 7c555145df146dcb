//! The rendered PDF is read by an independent reader (poppler): page count,
//! A4 size, and the ink lands where the layout put it.

mod common;

use common::{pdfinfo, render_page, two_page_form};
use kiosk_cups::{render_form_pdf, Align, FormDoc};

#[test]
fn a_two_page_form_is_two_a4_pages_with_the_title_and_table_inked() {
    let pdf = render_form_pdf(&two_page_form()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("form.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let (pages, size) = pdfinfo(&path);
    assert_eq!(pages, 2);
    assert!(size.starts_with("595 x 842 pts (A4)"), "{size}");

    // At 50 dpi poppler renders an A4 page 414 × 585; the 20 mm margin is 39 px.
    let p1 = render_page(&path, 1, 50);
    assert_eq!((p1.width, p1.height), (414, 585));
    // Title: centred, in the 10 mm below the top margin.
    assert!(p1.dark_in(100, 40, 313, 60) > 100, "title area has ink");
    // Nothing in the margins.
    assert_eq!(p1.dark_in(0, 0, 413, 37), 0);
    assert_eq!(p1.dark_in(0, 0, 37, 585), 0);
    assert_eq!(p1.dark_in(0, 550, 413, 585), 0);
    // The table's rules run down the page at its left edge.
    assert!(p1.dark_in(38, 150, 42, 500) > 300, "left rule of the table");

    let p2 = render_page(&path, 2, 50);
    // The page number sits bottom right on the second page too.
    assert!(p2.dark_in(300, 515, 374, 546) > 20);
}

#[test]
fn a_certificate_with_a_photo_renders_it() {
    let mut jpeg = Vec::new();
    let img = image::GrayImage::from_fn(300, 400, |x, _| image::Luma([(x % 256) as u8 / 4]));
    image::DynamicImage::ImageLuma8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let doc = FormDoc::new("在职证明")
        .jpeg(jpeg, 35.0, Align::Right)
        .paragraph("兹证明张三同志系我单位在职职工。".repeat(3))
        .footer("本证明仅用于居住证办理");
    let pdf = render_form_pdf(&doc).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cert.pdf");
    std::fs::write(&path, &pdf).unwrap();
    assert_eq!(pdfinfo(&path).0, 1);
    let p = render_page(&path, 1, 50);
    // A dark photo 35 mm × 46.7 mm (69 × 92 px at 50 dpi) against the right
    // margin, below the title.
    assert!(p.dark_in(300, 60, 376, 180) > 69 * 85, "photo");
    assert_eq!(p.dark_in(0, 72, 280, 160), 0, "nothing left of the photo");
}
