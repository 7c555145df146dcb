//! The hand-written PDF is valid for a real reader: poppler's `pdfinfo` reads the page
//! count and sizes, `pdftoppm` renders the pages. Needs poppler-utils
//! (scripts/setup-debian.sh installs it).

mod common;
use kiosk_camera::{id_card_copy, pdf_from_pages, scan_jpeg, PageJpeg, ScanOptions, Target};
use std::process::Command;

/// The value of one `Key:  value` line of pdfinfo's output.
fn field<'a>(info: &'a str, key: &str) -> &'a str {
    info.lines()
        .find_map(|l| l.strip_prefix(key))
        .map(|v| v.trim_start_matches(':').trim())
        .unwrap_or("")
}

#[test]
fn a_material_of_three_pages_opens_in_poppler_with_a4_pages() {
    let frames = common::frames_with_truth();
    let pages: Vec<PageJpeg> = frames
        .iter()
        .map(|(p, _)| {
            scan_jpeg(&std::fs::read(p).unwrap(), &ScanOptions::default())
                .unwrap()
                .into_page()
        })
        .collect();
    let pdf = pdf_from_pages(&pages).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("material.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo (poppler-utils) is installed");
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pdfinfo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "pdfinfo complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(field(&info, "Pages"), pages.len().to_string(), "{info}");
    // A4 is 595.28 × 841.89 pt; 1654 px at 200 dpi is 595.44 pt.
    assert!(
        field(&info, "Page size").starts_with("595.44 x 842.04 pts"),
        "{info}"
    );
    let r = Command::new("pdftoppm")
        .args(["-r", "20", "-png"])
        .arg(&path)
        .arg(dir.path().join("p"))
        .output()
        .unwrap();
    assert!(
        r.status.success() && r.stderr.is_empty(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    let pngs = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    assert_eq!(pngs, pages.len());
    // The rendered first page is mostly white paper.
    let first = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .min()
        .unwrap();
    let img = image::open(first).unwrap().to_luma8();
    let mean =
        img.pixels().map(|p| u64::from(p[0])).sum::<u64>() as f64 / img.pixels().len() as f64;
    assert!(mean > 200.0, "rendered page mean {mean}");
}

#[test]
fn id_card_copy_puts_both_sides_on_one_a4_page() {
    let (path, _) = &common::frames_with_truth()[0];
    let opts = ScanOptions {
        target: Target::IdCard,
        ..ScanOptions::default()
    };
    let bytes = std::fs::read(path).unwrap();
    let front = scan_jpeg(&bytes, &opts).unwrap();
    let back = scan_jpeg(&bytes, &opts).unwrap();
    let page = id_card_copy(&front.jpeg, &back.jpeg, &opts).unwrap();
    assert_eq!((page.width(), page.height(), page.dpi()), (1654, 2339, 200));
    let img = common::gray(page.jpeg());
    // White around, card content in the two card boxes.
    assert!(img.get_pixel(20, 20)[0] > 245);
    assert!(
        img.get_pixel(827, 1169)[0] > 245,
        "gap between the sides is white"
    );
    let pdf = pdf_from_pages(&[page]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("id.pdf"), &pdf).unwrap();
    let out = Command::new("pdfinfo")
        .arg(dir.path().join("id.pdf"))
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty());
    assert_eq!(field(&String::from_utf8_lossy(&out.stdout), "Pages"), "1");
}

#[test]
fn page_debug_never_shows_the_content() {
    let (path, _) = &common::frames_with_truth()[0];
    let scan = scan_jpeg(&std::fs::read(path).unwrap(), &ScanOptions::default()).unwrap();
    let s = format!("{scan:?}");
    assert!(s.starts_with("Scan {") && s.len() < 120, "{s}");
    let p = format!("{:?}", scan.into_page());
    assert!(p.starts_with("PageJpeg {") && p.len() < 80, "{p}");
}
