//! A4 printing through CUPS: forms and certificates rendered to PDF and sent
//! over IPP to a CUPS queue.
//!
//! - [`doc`]: the document model ([`FormDoc`]: title, fields in a ruled table,
//!   paragraphs, a photo, a footer) laid out on A4 pages at 200 dpi with the
//!   bundled fonts (`kiosk_printer::raster`);
//! - those pages written as a PDF, one grayscale image per page (`kiosk-pdf`);
//! - [`ipp`]: the IPP message codec (pure, RFC 8010/8011), [`http`] the little
//!   HTTP/1.1 it rides on;
//! - [`client`]: one CUPS queue ([`CupsPrinter`]): status reduced to the
//!   kiosk's vocabulary, Print-Job of a PDF, job state.
//!
//! ```no_run
//! use kiosk_cups::{render_form_pdf, CupsPrinter, FormDoc};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let doc = FormDoc::new("居住证申领申请表")
//!     .subtitle("申请编号 HN-2026-000123")
//!     .field("姓名", "张三")
//!     .field("联系电话", "138****0000")
//!     .paragraph("本人承诺所填信息真实有效。")
//!     .footer("政务服务中心自助终端");
//! let pdf = render_form_pdf(&doc)?;
//! let printer = CupsPrinter::new("ipp://127.0.0.1:631/printers/kiosk-a4")?;
//! match printer.print_pdf("申请表 HN-2026-000123", &pdf) {
//!     Ok(job_id) => println!("CUPS job {job_id}"),
//!     // The PDF is still ours: keep it and tell the citizen.
//!     Err(e) => eprintln!("{}", e.technician_message()),
//! }
//! # Ok(()) }
//! ```

pub mod client;
pub mod doc;
pub mod http;
pub mod ipp;
pub mod kept;

pub use client::{
    Condition, CupsError, CupsPrinter, JobState, JobStatus, PrinterState, PrinterStatus,
};
pub use doc::{Align, Block, DocLabels, FormDoc, RenderError};
pub use kept::{KeptA4, KeptError};

use kiosk_printer::raster::Font;

/// The bundled fonts, loaded on first use (a few MB) and kept, with their
/// glyph cache, for the life of the process.
fn bundled_font() -> Result<Font, RenderError> {
    static FONT: std::sync::OnceLock<Result<Font, String>> = std::sync::OnceLock::new();
    FONT.get_or_init(|| Font::bundled().map_err(|e| e.to_string()))
        .clone()
        .map_err(RenderError::Font)
}

/// Renders `doc` on A4 pages with the bundled fonts and returns the PDF.
pub fn render_form_pdf(doc: &FormDoc) -> Result<Vec<u8>, RenderError> {
    render_form_pdf_with(doc, &bundled_font()?)
}

/// Like [`render_form_pdf`] with a font of the caller's choosing.
pub fn render_form_pdf_with(doc: &FormDoc, font: &Font) -> Result<Vec<u8>, RenderError> {
    let pages = doc::render_pages(doc, font)?;
    // DeviceGray: 0 is black, 255 white — the inverse of ink.
    let gray: Vec<Vec<u8>> = pages
        .iter()
        .map(|p| p.ink().iter().map(|v| 255 - v).collect())
        .collect();
    let images: Vec<kiosk_pdf::Page<'_>> = pages
        .iter()
        .zip(&gray)
        .map(|(p, g)| kiosk_pdf::Page::gray_a4(p.width(), p.height(), g))
        .collect();
    Ok(kiosk_pdf::write(Some(&doc.title), &images)?)
}
