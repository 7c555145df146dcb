//! The printed slips against golden files: the ESC/POS bytes, and the
//! simulator's picture of the paper; the QR on each picture is read back with
//! an independent decoder (rqrr) and compared with what was meant.
//!
//! After a deliberate layout change: `UPDATE_GOLDEN=1 cargo test -p kiosk --test
//! slips_golden`, then look at the PNGs in `kiosk/app/tests/golden/`.

use std::path::PathBuf;

use kiosk::receipt::{self, Slips, DEFAULT_PROGRESS_URL};
use kiosk_printer::doc::{Doc, Profile, QrMode, TextMode};
use kiosk_printer::raster::Font;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn check(name: &str, doc: &Doc, profile: Profile, qr: Option<&str>) {
    let font = Font::shared().unwrap();
    let slips = Slips {
        profile,
        progress_url: DEFAULT_PROGRESS_URL.into(),
    };
    let bytes = slips.encode(doc).unwrap();
    let paper = kiosk_printer::paper::render(&bytes, profile.dots, &font).unwrap();
    let png = kiosk_printer::paper::to_png(&paper);
    let (bin_path, png_path) = (
        golden(&format!("{name}.bin")),
        golden(&format!("{name}.png")),
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&bin_path, &bytes).unwrap();
        std::fs::write(&png_path, &png).unwrap();
    }
    let want = std::fs::read(&bin_path).unwrap();
    assert!(
        bytes == want,
        "{name}: bytes differ from {}",
        bin_path.display()
    );
    // Pixels, not PNG bytes: the encoder may change, the paper must not.
    let want_img = image::open(&png_path).unwrap().to_luma8();
    let got_img = image::load_from_memory(&png).unwrap().to_luma8();
    assert_eq!(want_img.dimensions(), got_img.dimensions(), "{name}");
    assert!(
        want_img == got_img,
        "{name}: picture differs from {}",
        png_path.display()
    );

    let mut prepared = rqrr::PreparedImage::prepare(got_img);
    let read: Vec<String> = prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, s)| s))
        .collect();
    match qr {
        Some(q) => assert_eq!(read, [q], "{name}"),
        None => assert!(read.is_empty(), "{name}: {read:?}"),
    }
}

#[test]
fn receipt_80mm_raster_text_and_qr() {
    let r = receipt::sample_receipt();
    let doc = receipt::receipt_doc(&r, "汉南区政务服务中心 自助终端 1 号", DEFAULT_PROGRESS_URL);
    check(
        "receipt-80-raster",
        &doc,
        Profile::paper_80mm(TextMode::Raster, QrMode::Raster),
        Some("https://zwfw.example.gov.cn/progress?no=ZW20261122000001"),
    );
}

#[test]
fn receipt_58mm_gb18030_text_native_qr() {
    let r = receipt::sample_receipt();
    let doc = receipt::receipt_doc(&r, "汉南区政务服务中心 自助终端 1 号", DEFAULT_PROGRESS_URL);
    check(
        "receipt-58-gb18030",
        &doc,
        Profile::paper_58mm(TextMode::Gb18030, QrMode::Native),
        Some("https://zwfw.example.gov.cn/progress?no=ZW20261122000001"),
    );
}

#[test]
fn one_time_notice_lists_everything_missing() {
    let doc = receipt::notice_doc(
        &receipt::sample_notice(),
        "汉南区政务服务中心 自助终端 1 号",
    );
    check(
        "notice-80-raster",
        &doc,
        Profile::paper_80mm(TextMode::Raster, QrMode::Raster),
        None,
    );
    // Both missing items on the one notice, in GB18030 where the text is native.
    let bytes = Slips {
        profile: Profile::paper_80mm(TextMode::Gb18030, QrMode::Native),
        progress_url: DEFAULT_PROGRESS_URL.into(),
    }
    .encode(&doc)
    .unwrap();
    let text = kiosk_printer::escpos::text_of(&bytes);
    assert!(
        text.contains("户口簿") && text.contains("银行卡复印件"),
        "{text}"
    );
    assert!(text.contains("还需以下 2 项"), "{text}");
}

#[test]
fn queue_ticket_58mm() {
    let doc = receipt::ticket_doc(&receipt::sample_ticket(), DEFAULT_PROGRESS_URL);
    check(
        "ticket-58-raster",
        &doc,
        Profile::paper_58mm(TextMode::Raster, QrMode::Raster),
        Some("https://zwfw.example.gov.cn/progress?no=A023"),
    );
}

#[test]
fn the_slips_print_in_the_sessions_language() {
    use kiosk_core::Lang;
    for (lang, tag) in [(Lang::En, "en"), (Lang::ZhTw, "zh-TW")] {
        let name = "汉南区政务服务中心 自助终端 1 号";
        let profile = Profile::paper_80mm(TextMode::Raster, QrMode::Raster);
        let r = receipt::receipt_doc(
            &receipt::sample_receipt_in(lang),
            name,
            DEFAULT_PROGRESS_URL,
        );
        check(
            &format!("receipt-80-raster-{tag}"),
            &r,
            profile,
            Some("https://zwfw.example.gov.cn/progress?no=ZW20261122000001"),
        );
        let n = receipt::notice_doc(&receipt::sample_notice_in(lang), name);
        check(&format!("notice-80-raster-{tag}"), &n, profile, None);
        let t = receipt::ticket_doc(&receipt::sample_ticket_in(lang), DEFAULT_PROGRESS_URL);
        check(
            &format!("ticket-58-raster-{tag}"),
            &t,
            Profile::paper_58mm(TextMode::Raster, QrMode::Raster),
            Some("https://zwfw.example.gov.cn/progress?no=A023"),
        );
    }
    // English in the printer's own font where it can, and it says English things.
    let bytes = Slips {
        profile: Profile::paper_80mm(TextMode::Gb18030, QrMode::Native),
        progress_url: DEFAULT_PROGRESS_URL.into(),
    }
    .encode(&receipt::receipt_doc(
        &receipt::sample_receipt_in(kiosk_core::Lang::En),
        "Hannan District Service Centre, kiosk 1",
        DEFAULT_PROGRESS_URL,
    ))
    .unwrap();
    let text = kiosk_printer::escpos::text_of(&bytes);
    assert!(
        text.contains("Receipt") && text.contains("Application number"),
        "{text}"
    );
    assert!(
        text.contains("November 2026") && text.contains("working days"),
        "{text}"
    );
    assert!(!text.contains("申请"), "{text}");
}
