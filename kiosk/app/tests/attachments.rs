//! What leaves for the hall per material: its scanned pages as one PDF.

use kiosk_core::Page;

fn repo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_materials_scanned_pages_go_as_one_a4_pdf_and_unreadable_pages_still_go() {
    let opts = kiosk_camera::ScanOptions::default();
    let pages: Vec<Page> = ["page-02.jpg", "page-03.jpg"]
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let frame = std::fs::read(repo().join("assets/sim/camera").join(f)).unwrap();
            let scan = kiosk_camera::scan_jpeg(&frame, &opts).unwrap();
            Page::new(i as u64 + 1, scan.jpeg.to_vec())
        })
        .collect();
    let odd = vec![Page::new(9, b"not a jpeg".to_vec())];
    let files = kiosk::runtime::attachments(
        &[("hukou".into(), pages.clone()), ("photo".into(), odd)],
        opts.dpi,
    );
    assert_eq!(files.len(), 2, "one PDF, and the odd page as it is");
    let (m, n, pdf) = &files[0];
    assert_eq!((m.as_str(), *n), ("hukou", 0));
    assert!(pdf.starts_with(b"%PDF-"));
    // The JPEGs go in unchanged.
    for p in &pages {
        assert!(pdf.windows(p.jpeg().len()).any(|w| w == p.jpeg()));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hukou.pdf");
    std::fs::write(&path, pdf.as_slice()).unwrap();
    let info = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("Pages:           2"), "{info}");
    // A4 at the scan's 200 dpi: 1654 × 2339 px → 595.44 × 842.04 pt.
    assert!(info.contains("595.44 x 842.04 pts (A4)"), "{info}");
    let (m, n, bytes) = &files[1];
    assert_eq!(
        (m.as_str(), *n, bytes.as_slice()),
        ("photo", 1, &b"not a jpeg"[..])
    );
}
