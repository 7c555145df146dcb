//! A material's pages as one PDF (through `kiosk-pdf`): each page is its JPEG
//! embedded unchanged as an image XObject with `/DCTDecode` (no re-encoding),
//! the page sized so the image prints at the resolution it was made at.

use crate::pipeline::PageJpeg;

pub use kiosk_pdf::PdfError;

/// One PDF with a page per [`PageJpeg`], in order.
pub fn pdf_from_pages(pages: &[PageJpeg]) -> Result<Vec<u8>, PdfError> {
    let pdf_pages: Vec<kiosk_pdf::Page<'_>> = pages
        .iter()
        .map(|p| {
            kiosk_pdf::Page::jpeg_at_dpi(p.jpeg(), p.width(), p.height(), p.is_gray(), p.dpi())
        })
        .collect();
    kiosk_pdf::write(None, &pdf_pages)
}
