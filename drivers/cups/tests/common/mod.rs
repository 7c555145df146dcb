//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use kiosk_cups::FormDoc;

/// An application form long enough for exactly two A4 pages.
pub fn two_page_form() -> FormDoc {
    let mut doc = FormDoc::new("居住证申领申请表")
        .subtitle("申请编号 HN-2026-000123")
        .heading("一、申请人信息")
        .field("姓名", "张三")
        .field("公民身份号码", "110101199001011234")
        .field(
            "居住地址",
            "海南省海口市美兰区海甸岛某某路 88 号 3 栋 1201 室",
        )
        .heading("二、申请材料");
    for i in 1..=30 {
        doc = doc.field(format!("材料 {i}"), "房屋租赁合同及物业缴费凭证（复印件）");
    }
    doc.paragraph("本人承诺：以上所填信息及提交的材料均真实、有效。")
        .footer("政务服务中心 · 自助服务终端")
}

/// Runs a poppler-utils tool; a missing tool fails the test with how to get it.
pub fn poppler(tool: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool}: {e} — install poppler-utils (scripts/setup-debian.sh)")
    });
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `pdfinfo`'s page count and page size line.
pub fn pdfinfo(pdf: &Path) -> (usize, String) {
    let info =
        String::from_utf8_lossy(&poppler("pdfinfo", &[&pdf.display().to_string()])).to_string();
    let field = |k: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("no {k} in pdfinfo output:\n{info}"))
    };
    (field("Pages:").parse().unwrap(), field("Page size:"))
}

/// A grayscale page rendered by poppler (0 = black, 255 = white).
pub struct Gray {
    pub width: usize,
    pub height: usize,
    pub px: Vec<u8>,
}

impl Gray {
    /// Pixels darker than mid-grey in the rectangle.
    pub fn dark_in(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> usize {
        let mut n = 0;
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                if self.px[y * self.width + x] < 128 {
                    n += 1;
                }
            }
        }
        n
    }
}

/// Renders page `page` (1-based) at `dpi` with `pdftoppm -gray` (a PGM).
pub fn render_page(pdf: &Path, page: usize, dpi: u32) -> Gray {
    let p = page.to_string();
    let r = dpi.to_string();
    let pgm = poppler(
        "pdftoppm",
        &[
            "-r",
            &r,
            "-gray",
            "-f",
            &p,
            "-l",
            &p,
            &pdf.display().to_string(),
        ],
    );
    // P5 header: "P5\n<w> <h>\n<max>\n" then bytes.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..at]).to_string());
    }
    assert_eq!(fields[0], "P5");
    let (width, height): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let px = pgm[at + 1..].to_vec();
    assert_eq!(px.len(), width * height);
    Gray { width, height, px }
}
