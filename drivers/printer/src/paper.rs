//! The simulated printer's paper: an ESC/POS stream interpreted the way a
//! 203-dpi thermal printer would print it, onto an ink bitmap, and saved as PNG
//! so tests and people can look at receipts.
//!
//! Native text is drawn with the bundled font at the printer's 24-dot character
//! size (12 dots for ASCII); `GS v 0` raster is copied bit for bit; a native QR
//! (`GS ( k`) is drawn from its stored data at its module size; a cut is a
//! dashed line. Commands it does not know are skipped, as a printer does.

use qrcode::{EcLevel, QrCode};

use crate::escpos::{decode, Align, Cmd, DecodeError};
use crate::raster::{Canvas, Font};

/// Dots between a cut and the next job.
const CUT_GAP: u32 = 24;
/// Default line spacing (`ESC 2`): about 1/6 inch at 203 dpi.
const LINE: u32 = 30;

struct Pen<'a> {
    font: &'a Font,
    paper: Canvas,
    y: u32,
    align: Align,
    w: u8,
    h: u8,
    bold: bool,
    chinese: bool,
    /// Text of the line being set: (text, width mult, height mult, bold).
    line: Vec<(String, u8, u8, bool)>,
    qr_data: Vec<u8>,
    qr_module: u8,
}

impl Pen<'_> {
    fn room(&mut self, rows: u32) {
        let need = self.y + rows;
        if need > self.paper.height() {
            self.paper.grow(need.max(self.paper.height() * 2));
        }
    }

    fn x_for(&self, width: u32) -> i64 {
        let free = self.paper.width().saturating_sub(width) as i64;
        match self.align {
            Align::Left => 0,
            Align::Center => free / 2,
            Align::Right => free,
        }
    }

    fn glyph_width(c: char, w: u8) -> u32 {
        (if c.is_ascii() { 12 } else { 24 }) * w as u32
    }

    /// Prints the buffered line (LF, or a command that ends it).
    fn flush_line(&mut self, force: bool) {
        if self.line.is_empty() {
            if force {
                self.room(LINE);
                self.y += LINE;
            }
            return;
        }
        let segs = std::mem::take(&mut self.line);
        // A printer wraps a line wider than the paper onto the next one.
        let mut rows: Vec<Vec<(char, u8, u8, bool)>> = vec![Vec::new()];
        let mut width = 0;
        for (text, w, h, bold) in &segs {
            for c in text.chars() {
                let cw = Self::glyph_width(c, *w);
                if width + cw > self.paper.width() && width > 0 {
                    rows.push(Vec::new());
                    width = 0;
                }
                if let Some(r) = rows.last_mut() {
                    r.push((c, *w, *h, *bold));
                }
                width += cw;
            }
        }
        for row in rows {
            let height = row.iter().map(|g| g.2 as u32).max().unwrap_or(1);
            let row_h = (24 * height).max(LINE - 6) + 6;
            self.room(row_h);
            let total: u32 = row.iter().map(|g| Self::glyph_width(g.0, g.1)).sum();
            let mut x = self.x_for(total) as f32;
            for (c, w, h, bold) in row {
                // A printer's ASCII cell is half as wide: a smaller face fits it.
                let px = if c.is_ascii() { 20.0 } else { 24.0 } * h as f32;
                let full = 24.0 * h as f32;
                // Same baseline for both cell widths.
                let top =
                    self.y as f32 + (24 * (height - h as u32)) as f32 + self.font.ascent(full)
                        - self.font.ascent(px);
                let mut s = [0u8; 4];
                self.paper
                    .draw_text_weight(self.font, x, top, px, c.encode_utf8(&mut s), bold);
                x += Self::glyph_width(c, w) as f32;
            }
            self.y += row_h;
        }
    }

    fn text(&mut self, bytes: &[u8]) {
        let s = if self.chinese {
            encoding_rs::GB18030.decode(bytes).0.into_owned()
        } else {
            bytes.iter().map(|&b| b as char).collect()
        };
        self.line.push((s, self.w, self.h, self.bold));
    }

    fn raster(&mut self, width_bytes: u16, rows: u16, data: &[u8]) {
        let w = width_bytes as u32 * 8;
        self.room(rows as u32);
        let x0 = self.x_for(w);
        for r in 0..rows as u32 {
            for bx in 0..width_bytes as u32 {
                let byte = data[(r * width_bytes as u32 + bx) as usize];
                for bit in 0..8 {
                    if byte & (0x80 >> bit) != 0 {
                        self.paper
                            .put(x0 + (bx * 8 + bit) as i64, (self.y + r) as i64, 255);
                    }
                }
            }
        }
        self.y += rows as u32;
    }

    fn qr(&mut self) {
        let Ok(code) = QrCode::with_error_correction_level(&self.qr_data, EcLevel::M) else {
            return; // A printer prints nothing for data it cannot encode.
        };
        let n = code.width() as u32;
        let m = self.qr_module.max(1) as u32;
        let side = n * m;
        self.room(side + 2 * m);
        let x0 = self.x_for(side);
        let y0 = self.y + m;
        for (i, c) in code.to_colors().iter().enumerate() {
            if *c == qrcode::Color::Dark {
                let (mx, my) = (i as u32 % n, i as u32 / n);
                self.paper
                    .fill_rect(x0 + (mx * m) as i64, (y0 + my * m) as i64, m, m, 255);
            }
        }
        self.y += side + 2 * m;
    }

    fn cut(&mut self) {
        self.room(CUT_GAP);
        let y = self.y + CUT_GAP / 2;
        let mut x = 0;
        while x < self.paper.width() {
            self.paper.fill_rect(x as i64, y as i64, 8, 1, 160);
            x += 16;
        }
        self.y += CUT_GAP;
    }

    fn reset(&mut self) {
        self.align = Align::Left;
        self.w = 1;
        self.h = 1;
        self.bold = false;
        self.chinese = false;
    }
}

/// Prints `stream` on paper `dots` wide. Returns the paper, as long as what was
/// printed on it. A stream the decoder cannot take apart is an error.
pub fn render(stream: &[u8], dots: u32, font: &Font) -> Result<Canvas, DecodeError> {
    let cmds = decode(stream)?;
    let mut pen = Pen {
        font,
        paper: Canvas::new(dots, 512),
        y: 0,
        align: Align::Left,
        w: 1,
        h: 1,
        bold: false,
        chinese: false,
        line: Vec::new(),
        qr_data: Vec::new(),
        qr_module: 3,
    };
    for c in cmds {
        match c {
            Cmd::Init => {
                pen.flush_line(false);
                pen.reset();
            }
            Cmd::Align(a) => pen.align = a,
            Cmd::Size { w, h } => {
                pen.w = w;
                pen.h = h;
            }
            Cmd::Bold(b) => pen.bold = b,
            Cmd::Chinese(on) => pen.chinese = on,
            Cmd::Text(t) => pen.text(&t),
            Cmd::Lf => pen.flush_line(true),
            Cmd::Feed(n) => {
                pen.flush_line(false);
                pen.room(n as u32 * LINE);
                pen.y += n as u32 * LINE;
            }
            Cmd::Raster {
                width_bytes,
                rows,
                data,
                ..
            } => {
                pen.flush_line(false);
                pen.raster(width_bytes, rows, &data);
            }
            Cmd::QrModule(n) => pen.qr_module = n.clamp(1, 16),
            Cmd::QrStore(d) => pen.qr_data = d,
            Cmd::QrPrint => {
                pen.flush_line(false);
                pen.qr();
            }
            Cmd::Cut { .. } => {
                pen.flush_line(false);
                pen.cut();
            }
            Cmd::QrModel(_) | Cmd::QrLevel(_) | Cmd::StatusQuery(_) | Cmd::Unknown(_) => {}
        }
    }
    pen.flush_line(false);
    let mut paper = pen.paper;
    paper.crop_height(pen.y.max(1));
    Ok(paper)
}

/// The paper as a PNG (white paper, black print).
pub fn to_png(paper: &Canvas) -> Vec<u8> {
    let img = image::GrayImage::from_fn(paper.width(), paper.height(), |x, y| {
        image::Luma([255 - paper.at(x, y)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding an in-memory gray image cannot fail for want of space.
    if img.write_to(&mut out, image::ImageFormat::Png).is_err() {
        return Vec::new();
    }
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{encode, Doc, Profile, QrMode, TextMode};

    fn font() -> Font {
        Font::bundled().expect("bundled font")
    }

    fn decode_qr(paper: &Canvas) -> Vec<String> {
        let img = image::GrayImage::from_fn(paper.width(), paper.height(), |x, y| {
            image::Luma([255 - paper.at(x, y)])
        });
        let mut prepared = rqrr::PreparedImage::prepare(img);
        prepared
            .detect_grids()
            .into_iter()
            .filter_map(|g| g.decode().ok().map(|(_, s)| s))
            .collect()
    }

    #[test]
    fn qr_printed_natively_or_as_raster_reads_back_with_an_independent_decoder() {
        let data = "https://zwfw.example.gov.cn/progress?no=ZW20261122000001";
        for qr in [QrMode::Native, QrMode::Raster] {
            for text in [TextMode::Raster, TextMode::Gb18030] {
                let doc = Doc::new()
                    .title("受理回执")
                    .qr(data)
                    .center("扫码查询办理进度");
                let p = Profile::paper_58mm(text, qr);
                let paper = render(&encode(&doc, &p, &font()), p.dots, &font()).unwrap();
                assert_eq!(decode_qr(&paper), [data], "{qr:?} {text:?}");
            }
        }
    }

    #[test]
    fn native_and_raster_text_land_at_the_same_place() {
        let f = font();
        let doc = Doc::new().line("受理时间：2026-11-22");
        let a = render(
            &encode(
                &doc,
                &Profile::paper_58mm(TextMode::Raster, QrMode::Native),
                &f,
            ),
            384,
            &f,
        )
        .unwrap();
        let b = render(
            &encode(
                &doc,
                &Profile::paper_58mm(TextMode::Gb18030, QrMode::Native),
                &f,
            ),
            384,
            &f,
        )
        .unwrap();
        let ink = |c: &Canvas| c.ink().iter().filter(|&&v| v > 110).count() as f64;
        let (ia, ib) = (ink(&a), ink(&b));
        assert!(ia > 200.0 && (ia / ib - 1.0).abs() < 0.35, "{ia} vs {ib}");
    }

    #[test]
    fn a_truncated_stream_is_an_error_not_a_panic() {
        let f = font();
        let bytes = encode(
            &Doc::new().title("号票").qr("A001"),
            &Profile::paper_58mm(TextMode::Raster, QrMode::Native),
            &f,
        );
        for cut in 1..bytes.len() {
            let _ = render(&bytes[..cut], 384, &f);
        }
        assert!(matches!(
            render(&bytes[..20], 384, &f),
            Err(DecodeError::Truncated { .. })
        ));
    }
}
