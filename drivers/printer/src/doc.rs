//! A printed slip as blocks (text, key–value rows, QR, rules), encoded to
//! ESC/POS for one printer profile.
//!
//! Text goes out as raster (`GS v 0`) drawn with the bundled font, so every
//! character prints, 生僻字 included; a profile may instead send text natively
//! in GB18030 (`FS &`), which is smaller and sharper, and then only a line the
//! printer's own font cannot hold (anything outside the two-byte GBK range) is
//! sent as raster. QR codes are native (`GS ( k`) or raster, by profile.

use qrcode::{EcLevel, QrCode};

use crate::escpos::{Align, Job, QR_MAX};
use crate::raster::{Canvas, Font};

/// How a printer takes text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TextMode {
    /// Drawn with the bundled font and sent as raster images.
    Raster,
    /// The printer's own GB18030 font (`FS &`), raster only where it falls short.
    Gb18030,
}

/// How a printer takes QR codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QrMode {
    /// `GS ( k` — the printer draws the symbol.
    Native,
    /// Drawn here, sent as raster.
    Raster,
}

/// What one printer model can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// Printable dots across: 384 on 58 mm paper, 576 on 80 mm (203 dpi heads).
    pub dots: u32,
    pub text: TextMode,
    pub qr: QrMode,
}

impl Profile {
    pub fn paper_58mm(text: TextMode, qr: QrMode) -> Profile {
        Profile {
            dots: 384,
            text,
            qr,
        }
    }
    pub fn paper_80mm(text: TextMode, qr: QrMode) -> Profile {
        Profile {
            dots: 576,
            text,
            qr,
        }
    }
    /// Dots across for a paper width in millimetres (58 or 80).
    pub fn dots_for_paper(mm: u32) -> Option<u32> {
        match mm {
            58 => Some(384),
            80 => Some(576),
            _ => None,
        }
    }
}

/// Text size: the printer's standard 24-dot character, doubled, quadrupled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Normal,
    Large,
    Huge,
}

impl Size {
    pub fn multiplier(self) -> u8 {
        match self {
            Size::Normal => 1,
            Size::Large => 2,
            Size::Huge => 4,
        }
    }
    fn px(self) -> f32 {
        24.0 * self.multiplier() as f32
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Text {
        text: String,
        size: Size,
        bold: bool,
        align: Align,
    },
    /// `key：value`, the value wrapped under itself (hanging indent).
    Row {
        key: String,
        value: String,
    },
    Qr {
        data: String,
    },
    /// A thin line across.
    Rule,
    /// Blank paper, in dots.
    Gap(u32),
}

/// One slip: blocks printed top to bottom, then fed and cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub blocks: Vec<Block>,
    /// What follows a row's key ("：" on a Chinese slip, ": " on an English
    /// one): the slip's language is the caller's.
    pub key_separator: String,
}

impl Default for Doc {
    fn default() -> Self {
        Doc {
            blocks: Vec::new(),
            key_separator: ": ".into(),
        }
    }
}

impl Doc {
    pub fn new() -> Doc {
        Doc::default()
    }
    /// Sets what follows each row's key.
    pub fn key_separator(mut self, sep: impl Into<String>) -> Doc {
        self.key_separator = sep.into();
        self
    }
    pub fn text(mut self, text: impl Into<String>, size: Size, bold: bool, align: Align) -> Doc {
        self.blocks.push(Block::Text {
            text: text.into(),
            size,
            bold,
            align,
        });
        self
    }
    pub fn title(self, text: impl Into<String>) -> Doc {
        self.text(text, Size::Large, true, Align::Center)
    }
    pub fn line(self, text: impl Into<String>) -> Doc {
        self.text(text, Size::Normal, false, Align::Left)
    }
    pub fn center(self, text: impl Into<String>) -> Doc {
        self.text(text, Size::Normal, false, Align::Center)
    }
    pub fn row(mut self, key: impl Into<String>, value: impl Into<String>) -> Doc {
        self.blocks.push(Block::Row {
            key: key.into(),
            value: value.into(),
        });
        self
    }
    pub fn qr(mut self, data: impl Into<String>) -> Doc {
        self.blocks.push(Block::Qr { data: data.into() });
        self
    }
    pub fn rule(mut self) -> Doc {
        self.blocks.push(Block::Rule);
        self
    }
    pub fn gap(mut self, dots: u32) -> Doc {
        self.blocks.push(Block::Gap(dots));
        self
    }
}

/// Side margins of the printable width, in dots.
const MARGIN: u32 = 8;
/// Extra dots between lines of text.
const LEADING: f32 = 6.0;
/// Dots per QR module when drawn as raster.
const QR_DOTS: u32 = 5;

/// Raster drawn so far and not yet sent.
struct Band {
    canvas: Canvas,
    y: u32,
}

impl Band {
    fn new(dots: u32) -> Band {
        Band {
            canvas: Canvas::new(dots, 0),
            y: 0,
        }
    }
    fn room(&mut self, rows: u32) {
        let need = self.y + rows;
        if need > self.canvas.height() {
            self.canvas
                .grow(need.max(self.canvas.height() * 2).max(256));
        }
    }
    fn flush(&mut self, job: Job) -> Job {
        if self.y == 0 {
            return job;
        }
        self.canvas.crop_height(self.y);
        let out = job.align(Align::Left).raster(&self.canvas);
        *self = Band::new(self.canvas.width());
        out
    }
}

/// Lines of `text` that fit `width` dots at `px`.
fn lines(font: &Font, px: f32, text: &str, width: u32) -> Vec<String> {
    font.wrap(px, text, width as f32)
}

/// True when the printer's GB18030 font holds every character (ASCII and the
/// two-byte GBK range; a four-byte GB18030 sequence means a rare character).
fn printer_font_holds(text: &str) -> bool {
    text.chars().all(|c| {
        if c.is_ascii() {
            return !c.is_ascii_control();
        }
        let mut buf = [0u8; 4];
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(c.encode_utf8(&mut buf));
        !unmappable && bytes.len() == 2
    })
}

/// Width of `text` in the printer's font: 12 dots per ASCII character, 24 per
/// other, times the width multiplier.
fn native_width(text: &str, mult: u8) -> u32 {
    text.chars()
        .map(|c| if c.is_ascii() { 12 } else { 24 })
        .sum::<u32>()
        * mult as u32
}

/// Lines of `text` in the printer's own font: Chinese breaks anywhere, a
/// Latin word moves to the next line whole (unless it alone is too long).
fn native_wrap(text: &str, mult: u8, width: u32) -> Vec<String> {
    use crate::raster::latin_word_char;
    let mut out = Vec::new();
    let mut line = String::new();
    let mut word_start: Option<usize> = None;
    for c in text.chars() {
        let mut probe = line.clone();
        probe.push(c);
        if native_width(&probe, mult) > width && !line.is_empty() {
            match word_start {
                Some(at) if at > 0 && latin_word_char(c) => {
                    let rest = line.split_off(at);
                    out.push(std::mem::take(&mut line).trim_end().to_string());
                    line = rest;
                }
                _ => out.push(std::mem::take(&mut line)),
            }
            word_start = None;
        }
        if latin_word_char(c) {
            word_start.get_or_insert(line.len());
        } else {
            word_start = None;
        }
        if !(line.is_empty() && c == ' ' && !out.is_empty()) {
            line.push(c);
        }
    }
    out.push(line);
    out
}

fn draw_line(band: &mut Band, font: &Font, text: &str, px: f32, bold: bool, align: Align) {
    let h = (font.line_height(px) + LEADING) as u32;
    band.room(h);
    let width = font.text_width(px, text);
    let usable = (band.canvas.width() - 2 * MARGIN) as f32;
    let x = MARGIN as f32
        + match align {
            Align::Left => 0.0,
            Align::Center => ((usable - width) / 2.0).max(0.0),
            Align::Right => (usable - width).max(0.0),
        };
    let top = band.y as f32 + LEADING / 2.0;
    band.canvas.draw_text_weight(font, x, top, px, text, bold);
    band.y += h;
}

/// Encodes `doc` for `profile`: initialise, the blocks, feed past the cutter, cut.
pub fn encode(doc: &Doc, profile: &Profile, font: &Font) -> Vec<u8> {
    let usable = profile.dots - 2 * MARGIN;
    let mut job = Job::new();
    let mut band = Band::new(profile.dots);
    for block in &doc.blocks {
        match block {
            Block::Text {
                text,
                size,
                bold,
                align,
            } => {
                let native = profile.text == TextMode::Gb18030 && printer_font_holds(text);
                // A number or title too wide for the paper at its size is set
                // one size smaller rather than broken across lines.
                let mut size = *size;
                while size != Size::Normal
                    && !text.contains('\n')
                    && if native {
                        native_width(text, size.multiplier()) > usable
                    } else {
                        font.text_width(size.px(), text) > usable as f32
                    }
                {
                    size = match size {
                        Size::Huge => Size::Large,
                        _ => Size::Normal,
                    };
                }
                let m = size.multiplier();
                if native {
                    job = band.flush(job).align(*align).size(m, m).bold(*bold);
                    for l in native_wrap(text, m, usable) {
                        job = job.raw_text_line(&l);
                    }
                    job = job.size(1, 1).bold(false);
                } else {
                    for l in lines(font, size.px(), text, usable) {
                        draw_line(&mut band, font, &l, size.px(), *bold, *align);
                    }
                }
            }
            Block::Row { key, value } => {
                let label = format!("{key}{}", doc.key_separator);
                if profile.text == TextMode::Gb18030
                    && printer_font_holds(&label)
                    && printer_font_holds(value)
                {
                    let indent = native_width(&label, 1);
                    let rest = native_wrap(value, 1, usable.saturating_sub(indent).max(48));
                    job = band.flush(job).align(Align::Left);
                    for (i, l) in rest.iter().enumerate() {
                        let pad = if i == 0 {
                            label.clone()
                        } else {
                            " ".repeat((indent / 12) as usize)
                        };
                        job = job.raw_text_line(&format!("{pad}{l}"));
                    }
                } else {
                    let px = Size::Normal.px();
                    let indent = font.text_width(px, &label);
                    let rest = font.wrap(px, value, (usable as f32 - indent).max(px * 2.0));
                    for (i, l) in rest.iter().enumerate() {
                        let h = (font.line_height(px) + LEADING) as u32;
                        band.room(h);
                        let top = band.y as f32 + LEADING / 2.0;
                        if i == 0 {
                            band.canvas.draw_text(font, MARGIN as f32, top, px, &label);
                        }
                        band.canvas
                            .draw_text(font, MARGIN as f32 + indent, top, px, l);
                        band.y += h;
                    }
                }
            }
            Block::Qr { data } => {
                let bytes = &data.as_bytes()[..data.len().min(QR_MAX)];
                match profile.qr {
                    QrMode::Native => {
                        job = band
                            .flush(job)
                            .align(Align::Center)
                            .qr_native(bytes, 6)
                            .raw(b"\n")
                            .align(Align::Left);
                    }
                    QrMode::Raster => {
                        if let Ok(code) = QrCode::with_error_correction_level(bytes, EcLevel::M) {
                            let n = code.width() as u32;
                            let quiet = 2;
                            let side = (n + 2 * quiet) * QR_DOTS;
                            band.room(side);
                            let x0 = (profile.dots.saturating_sub(side)) / 2 + quiet * QR_DOTS;
                            let y0 = band.y + quiet * QR_DOTS;
                            let colors = code.to_colors();
                            for (i, c) in colors.iter().enumerate() {
                                if *c == qrcode::Color::Dark {
                                    let (mx, my) = (i as u32 % n, i as u32 / n);
                                    band.canvas.fill_rect(
                                        (x0 + mx * QR_DOTS) as i64,
                                        (y0 + my * QR_DOTS) as i64,
                                        QR_DOTS,
                                        QR_DOTS,
                                        255,
                                    );
                                }
                            }
                            band.y += side;
                        }
                    }
                }
            }
            Block::Rule => {
                band.room(14);
                band.canvas
                    .fill_rect(MARGIN as i64, band.y as i64 + 6, usable, 2, 255);
                band.y += 14;
            }
            Block::Gap(d) => {
                band.room(*d);
                band.y += d;
            }
        }
    }
    band.flush(job).feed(4).cut().bytes()
}

#[cfg(test)]
mod tests {

    #[test]
    fn native_lines_keep_latin_words_whole_and_break_chinese_anywhere() {
        // 12 dots an ASCII character: 20 characters a line.
        let l = native_wrap(
            "Household register (hand it in by 27 November 2026)",
            1,
            240,
        );
        assert_eq!(
            l,
            ["Household register", "(hand it in by 27", "November 2026)"]
        );
        let l = native_wrap("请于受理后五个工作日内补交", 1, 24 * 5);
        assert_eq!(l, ["请于受理后", "五个工作日", "内补交"]);
    }

    use super::*;
    use crate::escpos::{decode, Cmd};

    fn font() -> Font {
        Font::bundled().expect("bundled font")
    }

    #[test]
    fn raster_profile_sends_text_as_gs_v_0_bands_of_the_paper_width() {
        let doc = Doc::new().title("受理回执").line("申请人：刘䲸");
        let bytes = encode(
            &doc,
            &Profile::paper_58mm(TextMode::Raster, QrMode::Raster),
            &font(),
        );
        let cmds = decode(&bytes).unwrap();
        assert_eq!(cmds[0], Cmd::Init);
        let rasters: Vec<_> = cmds
            .iter()
            .filter_map(|c| match c {
                Cmd::Raster {
                    width_bytes, rows, ..
                } => Some((*width_bytes, *rows)),
                _ => None,
            })
            .collect();
        assert_eq!(rasters.len(), 1, "{rasters:?}");
        assert_eq!(rasters[0].0, 48, "384 dots = 48 bytes a row");
        assert!(rasters[0].1 > 48 + 24, "two lines, one double height");
        assert!(!cmds.iter().any(|c| matches!(c, Cmd::Text(_))));
        assert_eq!(cmds.last(), Some(&Cmd::Cut { partial: true }));
    }

    #[test]
    fn gb18030_profile_sends_common_text_natively_and_rare_lines_as_raster() {
        let doc = Doc::new().line("申请人：欧阳燕").line("申请人：刘䲸");
        let p = Profile::paper_80mm(TextMode::Gb18030, QrMode::Native);
        let bytes = encode(&doc, &p, &font());
        let cmds = decode(&bytes).unwrap();
        let text: Vec<String> = cmds
            .iter()
            .filter_map(|c| match c {
                Cmd::Text(t) => Some(encoding_rs::GB18030.decode(t).0.into_owned()),
                _ => None,
            })
            .collect();
        assert_eq!(text, ["申请人：欧阳燕"]);
        assert!(cmds.iter().any(|c| matches!(
            c,
            Cmd::Raster {
                width_bytes: 72,
                ..
            }
        )));
    }

    #[test]
    fn native_qr_is_the_gs_k_sequence_with_the_data() {
        let doc = Doc::new().qr("https://zw.example.cn/q?no=ZW1");
        let p = Profile::paper_58mm(TextMode::Raster, QrMode::Native);
        let cmds = decode(&encode(&doc, &p, &font())).unwrap();
        let qr: Vec<&Cmd> = cmds
            .iter()
            .filter(|c| {
                matches!(
                    c,
                    Cmd::QrModel(_)
                        | Cmd::QrModule(_)
                        | Cmd::QrLevel(_)
                        | Cmd::QrStore(_)
                        | Cmd::QrPrint
                )
            })
            .collect();
        assert_eq!(
            qr,
            [
                &Cmd::QrModel(0x32),
                &Cmd::QrModule(6),
                &Cmd::QrLevel(0x31),
                &Cmd::QrStore(b"https://zw.example.cn/q?no=ZW1".to_vec()),
                &Cmd::QrPrint
            ]
        );
    }

    #[test]
    fn a_large_number_too_wide_for_58mm_is_set_smaller_not_broken() {
        let doc = Doc::new().text("ZW20261122000001", Size::Large, true, Align::Center);
        for text in [TextMode::Raster, TextMode::Gb18030] {
            let p = Profile::paper_58mm(text, QrMode::Native);
            let cmds = decode(&encode(&doc, &p, &font())).unwrap();
            match text {
                TextMode::Gb18030 => {
                    assert!(cmds.contains(&Cmd::Size { w: 1, h: 1 }));
                    assert!(!cmds.contains(&Cmd::Size { w: 2, h: 2 }));
                    assert_eq!(cmds.iter().filter(|c| matches!(c, Cmd::Text(_))).count(), 1);
                }
                TextMode::Raster => {
                    let rows: u16 = cmds
                        .iter()
                        .filter_map(|c| match c {
                            Cmd::Raster { rows, .. } => Some(*rows),
                            _ => None,
                        })
                        .sum();
                    assert!(rows < 48, "one normal line, not two large ones: {rows}");
                }
            }
        }
    }

    #[test]
    fn gbk_range_check() {
        assert!(printer_font_holds("受理回执 ABC 123：，"));
        assert!(
            !printer_font_holds("刘䲸"),
            "U+4CB8 is four bytes in GB18030"
        );
        assert!(!printer_font_holds("𠀀"));
    }
}
