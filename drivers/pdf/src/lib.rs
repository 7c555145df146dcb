//! PDF files of page images, through typst's `pdf-writer`: the camera's
//! material PDFs (each scanned page a JPEG embedded unchanged with
//! `/DCTDecode`, sized to print at the resolution it was scanned at) and the
//! A4 documents (each page a grayscale bitmap, `/FlateDecode`, over the whole
//! page). One writer for both, so the file structure (header, objects,
//! cross-reference table, trailer: ISO 32000-1 §7.5) is written in one place
//! by a library that is used to write millions of PDFs, not by hand twice.
//!
//! The bytes given here may be personal data (scans of a citizen's papers):
//! the writer's buffer is sized up front so it is not reallocated (which
//! would leave copies behind in freed memory), and nothing is logged.

use std::io::Write;

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};

/// A4 in PostScript points (210 × 297 mm is 595.3 × 841.9 pt; whole points).
pub const A4_PT: (f32, f32) = (595.0, 842.0);

/// What one page shows: a single image over the whole page.
pub enum PageImage<'a> {
    /// A baseline or progressive JPEG, embedded byte for byte.
    Jpeg {
        jpeg: &'a [u8],
        width: u32,
        height: u32,
        /// One component (gray) rather than three (YCbCr → RGB).
        gray: bool,
    },
    /// 8-bit gray pixels, row by row, 0 = black, 255 = white.
    Gray {
        width: u32,
        height: u32,
        pixels: &'a [u8],
    },
}

/// One page: its image and its size in points.
pub struct Page<'a> {
    pub image: PageImage<'a>,
    pub size_pt: (f32, f32),
}

impl<'a> Page<'a> {
    /// A JPEG page sized so that it prints at `dpi` (a scan at 200 dpi of an
    /// A4 sheet is an A4 page again).
    pub fn jpeg_at_dpi(jpeg: &'a [u8], width: u32, height: u32, gray: bool, dpi: u32) -> Self {
        let pt = |px: u32| px as f32 * 72.0 / dpi.max(1) as f32;
        Page {
            size_pt: (pt(width), pt(height)),
            image: PageImage::Jpeg {
                jpeg,
                width,
                height,
                gray,
            },
        }
    }

    /// A gray bitmap stretched over an A4 page.
    pub fn gray_a4(width: u32, height: u32, pixels: &'a [u8]) -> Self {
        Page {
            size_pt: A4_PT,
            image: PageImage::Gray {
                width,
                height,
                pixels,
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("no pages")]
    NoPages,
    #[error("page {page}: {len} pixel bytes for {width}x{height}")]
    BadPage {
        page: usize,
        width: u32,
        height: u32,
        len: usize,
    },
    #[error("page {page}: empty image or page size")]
    Empty { page: usize },
    #[error("compressing page {page}: {source}")]
    Compress { page: usize, source: std::io::Error },
}

fn deflate(page: usize, gray: &[u8]) -> Result<Vec<u8>, PdfError> {
    let mut z = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(gray.len() / 4 + 64),
        flate2::Compression::new(6),
    );
    z.write_all(gray)
        .and_then(|()| z.finish())
        .map_err(|source| PdfError::Compress { page, source })
}

fn check(i: usize, p: &Page<'_>) -> Result<(), PdfError> {
    let page = i + 1;
    let (w, h) = match p.image {
        PageImage::Jpeg {
            jpeg,
            width,
            height,
            ..
        } => {
            if jpeg.is_empty() {
                return Err(PdfError::Empty { page });
            }
            (width, height)
        }
        PageImage::Gray {
            width,
            height,
            pixels,
        } => {
            if pixels.len() != width as usize * height as usize {
                return Err(PdfError::BadPage {
                    page,
                    width,
                    height,
                    len: pixels.len(),
                });
            }
            (width, height)
        }
    };
    let (pw, ph) = p.size_pt;
    if w == 0 || h == 0 || !(pw > 0.0 && ph > 0.0) {
        return Err(PdfError::Empty { page });
    }
    Ok(())
}

/// Writes `pages` as one PDF, in order; `title` goes into the document
/// information (what a PDF viewer or CUPS shows).
pub fn write(title: Option<&str>, pages: &[Page<'_>]) -> Result<Vec<u8>, PdfError> {
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    for (i, p) in pages.iter().enumerate() {
        check(i, p)?;
    }
    // Compressed bitmaps first, so the whole size is known before writing.
    let mut streams: Vec<Option<Vec<u8>>> = Vec::with_capacity(pages.len());
    for (i, p) in pages.iter().enumerate() {
        streams.push(match p.image {
            PageImage::Gray { pixels, .. } => Some(deflate(i + 1, pixels)?),
            PageImage::Jpeg { .. } => None,
        });
    }
    let payload: usize = pages
        .iter()
        .zip(&streams)
        .map(|(p, z)| match (&p.image, z) {
            (_, Some(z)) => z.len(),
            (PageImage::Jpeg { jpeg, .. }, None) => jpeg.len(),
            _ => 0,
        })
        .sum();
    let mut pdf = Pdf::with_capacity(payload + 1024 * (pages.len() + 2));
    pdf.set_version(1, 4);

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    // Per page i: the page 4 + 3i, its contents 5 + 3i, its image 6 + 3i.
    let page_ref = |i: usize| Ref::new(4 + 3 * i as i32);
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..pages.len()).map(page_ref))
        .count(pages.len() as i32);
    {
        let mut di = pdf.document_info(info);
        if let Some(t) = title {
            di.title(TextStr(t));
        }
        di.producer(TextStr("kiosk-pdf (pdf-writer)"));
    }
    for (i, (p, z)) in pages.iter().zip(&streams).enumerate() {
        let (id, contents, image) = (page_ref(i), page_ref(i).next(), page_ref(i).next().next());
        let name = Name(b"Im0");
        let (pw, ph) = p.size_pt;
        let mut page = pdf.page(id);
        page.media_box(Rect::new(0.0, 0.0, pw, ph));
        page.parent(tree);
        page.contents(contents);
        page.resources().x_objects().pair(name, image);
        page.finish();

        let mut c = Content::new();
        c.save_state();
        c.transform([pw, 0.0, 0.0, ph, 0.0, 0.0]);
        c.x_object(name);
        c.restore_state();
        pdf.stream(contents, &c.finish());

        match (&p.image, z) {
            (
                PageImage::Jpeg {
                    jpeg,
                    width,
                    height,
                    gray,
                },
                _,
            ) => {
                let mut x = pdf.image_xobject(image, jpeg);
                x.filter(Filter::DctDecode);
                x.width(*width as i32);
                x.height(*height as i32);
                if *gray {
                    x.color_space().device_gray();
                } else {
                    x.color_space().device_rgb();
                }
                x.bits_per_component(8);
            }
            (PageImage::Gray { width, height, .. }, Some(z)) => {
                let mut x = pdf.image_xobject(image, z);
                x.filter(Filter::FlateDecode);
                x.width(*width as i32);
                x.height(*height as i32);
                x.color_space().device_gray();
                x.bits_per_component(8);
            }
            (PageImage::Gray { .. }, None) => unreachable!("every gray page was compressed above"),
        }
    }
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn a_jpeg_is_embedded_unchanged_and_sized_by_its_dpi() {
        // Not a real JPEG: the writer never decodes it, so the bytes must pass through.
        let jpeg = b"\xFF\xD8 pretend scan \xFF\xD9";
        let pdf = write(
            Some("户口簿"),
            &[Page::jpeg_at_dpi(jpeg, 1654, 2339, false, 200)],
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(find(&pdf, jpeg).is_some());
        assert!(find(&pdf, b"/DCTDecode").is_some());
        // 1654 px at 200 dpi = 595.44 pt.
        assert!(
            find(&pdf, b"/MediaBox [0 0 595.44 842.04]").is_some(),
            "{}",
            String::from_utf8_lossy(&pdf[..400])
        );
    }

    #[test]
    fn gray_pages_are_compressed_and_fill_a4() {
        let px = vec![255u8; 40 * 30];
        let pdf = write(
            None,
            &[Page::gray_a4(40, 30, &px), Page::gray_a4(40, 30, &px)],
        )
        .unwrap();
        assert!(find(&pdf, b"/FlateDecode").is_some());
        assert!(find(&pdf, b"/Count 2").is_some());
        assert!(find(&pdf, b"/MediaBox [0 0 595 842]").is_some());
    }

    #[test]
    fn inconsistent_pages_are_errors_not_files() {
        assert!(matches!(write(None, &[]), Err(PdfError::NoPages)));
        let px = vec![0u8; 5];
        assert!(matches!(
            write(None, &[Page::gray_a4(4, 3, &px)]),
            Err(PdfError::BadPage { page: 1, .. })
        ));
        assert!(matches!(
            write(None, &[Page::jpeg_at_dpi(b"", 10, 10, true, 200)]),
            Err(PdfError::Empty { page: 1 })
        ));
        assert!(matches!(
            write(None, &[Page::jpeg_at_dpi(b"x", 0, 10, true, 200)]),
            Err(PdfError::Empty { page: 1 })
        ));
    }
}
