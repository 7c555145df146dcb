//! A material's pages as one PDF, written by hand: each page is its JPEG embedded
//! unchanged as an image XObject with `/DCTDecode` (no re-encoding), the page sized so
//! the image prints at the resolution it was made at (PDF ISO 32000-1, §7.5 file
//! structure, §8.9.5 image dictionaries, §7.4.8 DCTDecode).

use crate::pipeline::PageJpeg;

fn pts(px: u32, dpi: u32) -> String {
    format!("{:.2}", f64::from(px) * 72.0 / f64::from(dpi.max(1)))
}

/// One PDF with a page per [`PageJpeg`], in order.
pub fn pdf_from_pages(pages: &[PageJpeg]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let mut offsets: Vec<usize> = Vec::new();
    out.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    // Objects: 1 catalog, 2 page tree, then per page i: page 3+3i, image 4+3i, content 5+3i.
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 3 + 3 * i))
        .collect();
    let mut obj = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        let n = offsets.len();
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    obj(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    obj(
        &mut out,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .as_bytes(),
    );
    for (i, p) in pages.iter().enumerate() {
        let (pw, ph) = (pts(p.width(), p.dpi()), pts(p.height(), p.dpi()));
        let (img_n, content_n) = (4 + 3 * i, 5 + 3 * i);
        obj(
            &mut out,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw} {ph}] \
                 /Resources << /XObject << /Im{i} {img_n} 0 R >> >> /Contents {content_n} 0 R >>"
            )
            .as_bytes(),
        );
        let cs = if p.is_gray() {
            "/DeviceGray"
        } else {
            "/DeviceRGB"
        };
        let mut img = format!(
            "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace {cs} \
             /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
            p.width(),
            p.height(),
            p.jpeg().len()
        )
        .into_bytes();
        img.extend_from_slice(p.jpeg());
        img.extend_from_slice(b"\nendstream");
        obj(&mut out, &img);
        crate::wipe(&mut img);
        let content = format!("q {pw} 0 0 {ph} 0 0 cm /Im{i} Do Q");
        obj(
            &mut out,
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            )
            .as_bytes(),
        );
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}
