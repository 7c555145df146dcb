//! Building a receipt job: layout, text drawn with the bundled fonts, QR,
//! ESC/POS encoding — what happens between "submitted" and the first byte to
//! the printer. Goal ≤ 5 ms. `cargo bench -p kiosk-printer --bench receipt_job`
//!
//! The glyph cache is warm after the first job (a terminal prints many); the
//! first, cold job is reported separately.

use std::time::Instant;

use kiosk_printer::doc::{encode, Doc, Profile, QrMode, TextMode};
use kiosk_printer::raster::Font;

/// A receipt shaped like the kiosk's 受理回执 (the kiosk's own template lives in
/// the app crate; this one has the same blocks and about as many characters).
fn receipt(no: u32) -> Doc {
    Doc::new()
        .title("受理回执")
        .center("汉南区政务服务中心 自助终端 1 号")
        .gap(12)
        .center("申请编号")
        .text(
            format!("ZW2026112200{no:04}"),
            kiosk_printer::doc::Size::Large,
            true,
            kiosk_printer::escpos::Align::Center,
        )
        .rule()
        .row("办理事项", "城乡居民基本养老保险参保登记")
        .row("受理部门", "区人力资源和社会保障局")
        .row("申请人", "欧*燕（4201**********0029）")
        .row("受理时间", "2026-11-20 10:00:00")
        .row("办理时限", "承诺件，3 个工作日，2026年11月25日前办结")
        .row(
            "已收材料",
            "居民身份证（读卡核验）、参保登记表、银行卡复印件",
        )
        .row("容缺材料", "户口簿（请于2026年11月27日前补交）")
        .row("领取方式", "窗口领取")
        .line("办结后请凭本回执和身份证到窗口领取。")
        .rule()
        .qr(format!(
            "https://zwfw.example.gov.cn/progress?no=ZW2026112200{no:04}"
        ))
        .center("扫码或凭申请编号查询办理进度")
}

fn main() {
    let t = Instant::now();
    let font = Font::bundled().expect("bundled fonts in assets/fonts");
    let load = t.elapsed();
    println!(
        "font load (once per process): {:.2} ms",
        load.as_secs_f64() * 1e3
    );
    let profiles = [
        (
            "80 mm, raster text, raster QR",
            Profile::paper_80mm(TextMode::Raster, QrMode::Raster),
        ),
        (
            "80 mm, raster text, native QR",
            Profile::paper_80mm(TextMode::Raster, QrMode::Native),
        ),
        (
            "58 mm, raster text, raster QR",
            Profile::paper_58mm(TextMode::Raster, QrMode::Raster),
        ),
        (
            "80 mm, GB18030 text, native QR",
            Profile::paper_80mm(TextMode::Gb18030, QrMode::Native),
        ),
    ];
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>9}",
        "profile", "cold ms", "median ms", "p95 ms", "bytes"
    );
    for (name, p) in profiles {
        let fresh = Font::bundled().expect("fonts");
        let t = Instant::now();
        let first = encode(&receipt(0), &p, &fresh);
        let cold = t.elapsed().as_secs_f64() * 1e3;
        let mut times = Vec::new();
        let mut bytes = first.len();
        for i in 1..=200 {
            let doc = receipt(i);
            let t = Instant::now();
            let job = encode(&doc, &p, &font);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            bytes = job.len();
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{:<34} {:>10.2} {:>10.3} {:>10.3} {:>9}",
            name,
            cold,
            times[times.len() / 2],
            times[times.len() * 95 / 100],
            bytes
        );
    }
}
