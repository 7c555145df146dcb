//! A minimal PDF writer: one grayscale image per A4 page.
//!
//! Source: ISO 32000-1 (PDF 1.7); the file claims 1.4, which has everything
//! used here. §7.5 file structure (header, body, cross-reference table,
//! trailer), §7.7.2 catalog, §7.7.3 page tree, §8.9.5 image XObjects,
//! §7.4.4 FlateDecode, §14.3.3 document information. Each page's content
//! stream only paints its image over the whole page
//! (`q 595 0 0 842 0 0 cm /Im0 Do Q`, §8.3.4, §8.8).

use std::io::Write;

/// A4 in PostScript points (210 × 297 mm is 595.3 × 841.9 pt; whole points).
pub const A4_PT: (u32, u32) = (595, 842);

/// One page: a `width` × `height` bitmap of ink (0 = paper, 255 = black).
pub struct PageImage<'a> {
    pub width: u32,
    pub height: u32,
    pub ink: &'a [u8],
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("page {page}: {len} ink bytes for {width}x{height}")]
    BadPage {
        page: usize,
        width: u32,
        height: u32,
        len: usize,
    },
    #[error("no pages")]
    NoPages,
    #[error("compressing page {page}: {source}")]
    Compress { page: usize, source: std::io::Error },
}

/// A PDF text string (§7.9.2.2): UTF-16BE with a byte-order mark, in hex.
fn text_string(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        out.push_str(&format!("{u:04X}"));
    }
    out.push('>');
    out
}

fn deflate(page: usize, gray: &[u8]) -> Result<Vec<u8>, PdfError> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    z.write_all(gray)
        .and_then(|()| z.finish())
        .map_err(|source| PdfError::Compress { page, source })
}

/// Writes `pages` as a PDF of A4 pages, each image scaled to the whole page.
pub fn write_pdf(title: &str, pages: &[PageImage<'_>]) -> Result<Vec<u8>, PdfError> {
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    for (i, p) in pages.iter().enumerate() {
        if p.width == 0 || p.height == 0 || p.ink.len() != p.width as usize * p.height as usize {
            return Err(PdfError::BadPage {
                page: i + 1,
                width: p.width,
                height: p.height,
                len: p.ink.len(),
            });
        }
    }
    // Object numbers: 1 catalog, 2 page tree, 3 info, then per page
    // (page, contents, image) = 4 + 3i, 5 + 3i, 6 + 3i.
    let n_objects = 3 + 3 * pages.len();
    let mut b: Vec<u8> = Vec::new();
    let mut offsets = vec![0usize; n_objects + 1];
    // §7.5.2: header, then a comment of four bytes >= 128 marking the file binary.
    b.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    let mut obj = |b: &mut Vec<u8>, n: usize, body: &[u8]| {
        offsets[n] = b.len();
        b.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        b.extend_from_slice(body);
        b.extend_from_slice(b"\nendobj\n");
    };
    obj(&mut b, 1, b"<< /Type /Catalog /Pages 2 0 R >>");
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 4 + 3 * i))
        .collect();
    obj(
        &mut b,
        2,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .as_bytes(),
    );
    obj(
        &mut b,
        3,
        format!("<< /Title {} /Producer (kiosk-cups) >>", text_string(title)).as_bytes(),
    );
    let (w_pt, h_pt) = A4_PT;
    for (i, p) in pages.iter().enumerate() {
        let (page_n, content_n, image_n) = (4 + 3 * i, 5 + 3 * i, 6 + 3 * i);
        obj(
            &mut b,
            page_n,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w_pt} {h_pt}] \
                 /Resources << /XObject << /Im0 {image_n} 0 R >> >> /Contents {content_n} 0 R >>"
            )
            .as_bytes(),
        );
        let content = format!("q {w_pt} 0 0 {h_pt} 0 0 cm /Im0 Do Q");
        obj(
            &mut b,
            content_n,
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            )
            .as_bytes(),
        );
        // DeviceGray: 0 is black, 255 white — the inverse of ink.
        let gray: Vec<u8> = p.ink.iter().map(|v| 255 - v).collect();
        let z = deflate(i + 1, &gray)?;
        let mut body = format!(
            "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray \
             /BitsPerComponent 8 /Filter /FlateDecode /Length {} >>\nstream\n",
            p.width,
            p.height,
            z.len()
        )
        .into_bytes();
        body.extend_from_slice(&z);
        body.extend_from_slice(b"\nendstream");
        obj(&mut b, image_n, &body);
    }
    // §7.5.4: each entry exactly 20 bytes: 10-digit offset, 5-digit
    // generation, n/f, and a two-byte end of line.
    let xref = b.len();
    b.extend_from_slice(format!("xref\n0 {}\n", n_objects + 1).as_bytes());
    b.extend_from_slice(b"0000000000 65535 f\r\n");
    for off in &offsets[1..] {
        b.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    b.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 3 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            n_objects + 1
        )
        .as_bytes(),
    );
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn cross_reference_offsets_point_at_their_objects() {
        let ink = vec![0u8; 4 * 3];
        let pages = [
            PageImage {
                width: 4,
                height: 3,
                ink: &ink,
            },
            PageImage {
                width: 4,
                height: 3,
                ink: &ink,
            },
        ];
        let pdf = write_pdf("申请表", &pages).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let start = find(&pdf, b"startxref\n").unwrap() + 10;
        let xref: usize = std::str::from_utf8(&pdf[start..])
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[xref..].starts_with(b"xref\n0 10\n"));
        let table = &pdf[xref + b"xref\n0 10\n".len()..];
        for n in 1..10 {
            let entry = &table[n * 20..n * 20 + 20];
            let off: usize = std::str::from_utf8(&entry[..10]).unwrap().parse().unwrap();
            assert!(
                pdf[off..].starts_with(format!("{n} 0 obj\n").as_bytes()),
                "object {n}"
            );
        }
        assert!(find(&pdf, b"/Count 2").is_some());
        // 申请表 in UTF-16BE.
        assert!(find(&pdf, b"/Title <FEFF75338BF78868>").is_some());
    }

    #[test]
    fn inconsistent_pages_are_errors() {
        assert!(matches!(write_pdf("t", &[]), Err(PdfError::NoPages)));
        let ink = vec![0u8; 5];
        assert!(matches!(
            write_pdf(
                "t",
                &[PageImage {
                    width: 4,
                    height: 3,
                    ink: &ink
                }]
            ),
            Err(PdfError::BadPage { page: 1, .. })
        ));
    }
}
