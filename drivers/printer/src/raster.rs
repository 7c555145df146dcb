//! Text and shapes drawn into an ink bitmap with the bundled CJK font, so that
//! any character the font holds prints — rare ones (生僻字) included — on any
//! printer that takes raster images (`GS v 0` on the thermal printer, the A4
//! page rendered to PDF).
//!
//! Ink is 0 (paper) to 255 (full black). Glyphs are rasterised once per
//! (character, size, weight) and kept in a cache shared by clones of a [`Font`],
//! so a receipt of a few hundred characters costs mostly blits.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use swash::scale::{Render, ScaleContext, Source};
use swash::zeno::Format;
use swash::FontRef;

#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    #[error("font {path}: {reason}")]
    Font { path: String, reason: String },
}

/// One rasterised glyph: coverage mask and where it sits relative to the pen.
struct Glyph {
    left: i32,
    /// Rows above the baseline.
    top: i32,
    width: u32,
    height: u32,
    mask: Vec<u8>,
    advance: f32,
}

type GlyphKey = (char, u32, bool);

struct Face {
    data: Vec<u8>,
    offset: u32,
    key: swash::CacheKey,
}

impl Face {
    fn parse(data: Vec<u8>) -> Option<Face> {
        let (offset, key) = {
            let f = FontRef::from_index(&data, 0)?;
            (f.offset, f.key)
        };
        Some(Face { data, offset, key })
    }
    fn font_ref(&self) -> FontRef<'_> {
        FontRef {
            data: &self.data,
            offset: self.offset,
            key: self.key,
        }
    }
}

struct Inner {
    /// Tried in order for each character; the first sets the line metrics.
    faces: Vec<Face>,
    cache: Mutex<(ScaleContext, HashMap<GlyphKey, Arc<Glyph>>)>,
}

/// TrueType/OpenType faces tried in order for each character, with a glyph
/// cache. Cheap to clone.
#[derive(Clone)]
pub struct Font {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Font({} faces)", self.inner.faces.len())
    }
}

/// The bundled fonts, in fallback order: Droid Sans Fallback (CJK, no Latin
/// at all) then DejaVu Sans (Latin, digits). They live in `$KIOSK_ASSETS/fonts/`
/// when that is set (an installed terminal), else in the checkout's `assets/fonts/`.
pub fn bundled_font_paths() -> [PathBuf; 2] {
    let assets = std::env::var_os("KIOSK_ASSETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets"));
    [
        assets.join("fonts/DroidSansFallbackFull.ttf"),
        assets.join("fonts/DejaVuSans.ttf"),
    ]
}

impl Font {
    /// Loads the font files at `paths`, tried in that order for each character.
    pub fn load(paths: &[&Path]) -> Result<Font, RasterError> {
        let mut faces = Vec::new();
        for path in paths {
            let err = |reason: String| RasterError::Font {
                path: path.display().to_string(),
                reason,
            };
            let data = std::fs::read(path).map_err(|e| err(e.to_string()))?;
            faces
                .push(Face::parse(data).ok_or_else(|| err("not a TrueType/OpenType font".into()))?);
        }
        if faces.is_empty() {
            return Err(RasterError::Font {
                path: String::new(),
                reason: "no font files given".into(),
            });
        }
        Ok(Font {
            inner: Arc::new(Inner {
                faces,
                cache: Mutex::new((ScaleContext::new(), HashMap::new())),
            }),
        })
    }

    /// The fonts shipped in `assets/fonts` (see [`bundled_font_paths`]).
    pub fn bundled() -> Result<Font, RasterError> {
        let [cjk, latin] = bundled_font_paths();
        Font::load(&[&cjk, &latin])
    }

    /// The bundled fonts, loaded once per process (a few MB read on first use,
    /// not at start-up) and shared.
    pub fn shared() -> Result<Font, String> {
        static FONT: std::sync::OnceLock<Result<Font, String>> = std::sync::OnceLock::new();
        FONT.get_or_init(|| Font::bundled().map_err(|e| e.to_string()))
            .clone()
    }

    fn font_ref(&self) -> FontRef<'_> {
        self.inner.faces[0].font_ref()
    }

    /// The face that draws `c`, and its glyph id.
    fn face_for(&self, c: char) -> Option<(FontRef<'_>, u16)> {
        self.inner.faces.iter().find_map(|f| {
            let r = f.font_ref();
            let id = r.charmap().map(c);
            (id != 0).then_some((r, id))
        })
    }

    /// Whether one of the faces draws `c` (else a box is drawn in its place).
    pub fn has_glyph(&self, c: char) -> bool {
        self.face_for(c).is_some()
    }

    /// Distance from the top of a line to its baseline at `px`.
    pub fn ascent(&self, px: f32) -> f32 {
        self.font_ref().metrics(&[]).scale(px).ascent
    }

    /// Baseline-to-baseline distance for lines of `px` text.
    pub fn line_height(&self, px: f32) -> f32 {
        let m = self.font_ref().metrics(&[]).scale(px);
        (m.ascent + m.descent + m.leading).max(px).ceil()
    }

    fn glyph(&self, c: char, px: f32, bold: bool) -> Arc<Glyph> {
        let key = (c, px.to_bits(), bold);
        let mut guard = self
            .inner
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(g) = guard.1.get(&key) {
            return g.clone();
        }
        let (font, id) = self.face_for(c).unwrap_or((self.font_ref(), 0));
        let advance = font.glyph_metrics(&[]).scale(px).advance_width(id);
        let (ctx, cache) = &mut *guard;
        let mut scaler = ctx.builder(font).size(px).hint(true).build();
        let mut render = Render::new(&[Source::Outline]);
        render.format(Format::Alpha);
        if bold {
            render.embolden(px / 48.0);
        }
        let g = match render.render(&mut scaler, id) {
            Some(img) => Glyph {
                left: img.placement.left,
                top: img.placement.top,
                width: img.placement.width,
                height: img.placement.height,
                mask: img.data,
                advance,
            },
            None => Glyph {
                left: 0,
                top: 0,
                width: 0,
                height: 0,
                mask: Vec::new(),
                advance,
            },
        };
        let g = Arc::new(g);
        cache.insert(key, g.clone());
        g
    }

    /// Width of `text` set at `px`.
    pub fn text_width(&self, px: f32, text: &str) -> f32 {
        text.chars().map(|c| self.glyph(c, px, false).advance).sum()
    }

    /// Breaks `text` into lines no wider than `max_width` (CJK text breaks
    /// between any two characters; a Latin word is kept whole when it fits a line).
    pub fn wrap(&self, px: f32, text: &str, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut width = 0.0;
            let mut word_start: Option<(usize, f32)> = None;
            for c in para.chars() {
                let w = self.glyph(c, px, false).advance;
                if width + w > max_width && !line.is_empty() {
                    match word_start {
                        // Move the unfinished Latin word to the next line.
                        Some((at, before)) if at > 0 && latin_word_char(c) => {
                            let rest = line.split_off(at);
                            lines.push(std::mem::take(&mut line).trim_end().to_string());
                            width -= before;
                            line = rest;
                        }
                        _ => {
                            lines.push(std::mem::take(&mut line));
                            width = 0.0;
                        }
                    }
                    word_start = None;
                }
                if latin_word_char(c) {
                    word_start.get_or_insert((line.len(), width));
                } else {
                    word_start = None;
                }
                // A line never starts with the space it was broken at.
                if !(line.is_empty() && c == ' ' && !lines.is_empty()) {
                    line.push(c);
                    width += w;
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Part of a Latin word, number or code that must not be cut across lines
/// (letters, digits and the punctuation stuck to them: "(hand", "2026)", "A4").
/// Chinese text breaks between any two characters.
pub fn latin_word_char(c: char) -> bool {
    c.is_ascii() && !c.is_ascii_whitespace()
}

/// An ink bitmap: one byte per dot, 0 = paper, 255 = black.
#[derive(Clone)]
pub struct Canvas {
    width: u32,
    height: u32,
    ink: Vec<u8>,
}

impl std::fmt::Debug for Canvas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Canvas({}x{})", self.width, self.height)
    }
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            ink: vec![0; width as usize * height as usize],
        }
    }
    pub fn width(&self) -> u32 {
        self.width
    }
    pub fn height(&self) -> u32 {
        self.height
    }
    pub fn ink(&self) -> &[u8] {
        &self.ink
    }
    pub fn at(&self, x: u32, y: u32) -> u8 {
        if x < self.width && y < self.height {
            self.ink[(y * self.width + x) as usize]
        } else {
            0
        }
    }

    /// Adds blank rows at the bottom up to `height`.
    pub fn grow(&mut self, height: u32) {
        if height > self.height {
            self.ink.resize(self.width as usize * height as usize, 0);
            self.height = height;
        }
    }

    /// Drops rows below `height`.
    pub fn crop_height(&mut self, height: u32) {
        if height < self.height {
            self.ink.truncate(self.width as usize * height as usize);
            self.height = height;
        }
    }

    /// Sets ink at (x, y) to at least `ink`; outside the canvas is ignored.
    pub fn put(&mut self, x: i64, y: i64, ink: u8) {
        if x >= 0 && y >= 0 && (x as u64) < self.width as u64 && (y as u64) < self.height as u64 {
            let i = y as usize * self.width as usize + x as usize;
            self.ink[i] = self.ink[i].max(ink);
        }
    }

    pub fn fill_rect(&mut self, x: i64, y: i64, w: u32, h: u32, ink: u8) {
        let x0 = x.max(0) as u64;
        let y0 = y.max(0) as u64;
        let x1 = ((x + w as i64).max(0) as u64).min(self.width as u64);
        let y1 = ((y + h as i64).max(0) as u64).min(self.height as u64);
        for yy in y0..y1 {
            let row = yy as usize * self.width as usize;
            for xx in x0..x1 {
                let i = row + xx as usize;
                self.ink[i] = self.ink[i].max(ink);
            }
        }
    }

    /// Draws `text` with its line top at `top` and its left edge at `x`;
    /// returns the advance (width drawn). A character the font lacks is drawn
    /// as an outlined box, so a missing glyph is visible, never silently dropped.
    pub fn draw_text(&mut self, font: &Font, x: f32, top: f32, px: f32, text: &str) -> f32 {
        self.draw_text_weight(font, x, top, px, text, false)
    }

    pub fn draw_text_weight(
        &mut self,
        font: &Font,
        x: f32,
        top: f32,
        px: f32,
        text: &str,
        bold: bool,
    ) -> f32 {
        let baseline = (top + font.ascent(px)).round() as i64;
        let mut pen = x;
        for c in text.chars() {
            if !c.is_whitespace() && !font.has_glyph(c) {
                let s = (px * 0.8) as u32;
                let (bx, by) = (pen.round() as i64 + 1, baseline - s as i64);
                self.fill_rect(bx, by, s, 2, 255);
                self.fill_rect(bx, by + s as i64 - 2, s, 2, 255);
                self.fill_rect(bx, by, 2, s, 255);
                self.fill_rect(bx + s as i64 - 2, by, 2, s, 255);
                pen += px;
                continue;
            }
            let g = font.glyph(c, px, bold);
            let gx = pen.round() as i64 + g.left as i64;
            let gy = baseline - g.top as i64;
            self.blit(&g, gx, gy);
            pen += g.advance;
        }
        pen - x
    }

    fn blit(&mut self, g: &Glyph, gx: i64, gy: i64) {
        let (w, h) = (g.width as i64, g.height as i64);
        for row in 0..h {
            let y = gy + row;
            if y < 0 || y >= self.height as i64 {
                continue;
            }
            let src = &g.mask[(row * w) as usize..((row + 1) * w) as usize];
            let dst_row = y as usize * self.width as usize;
            for (col, &a) in src.iter().enumerate() {
                let x = gx + col as i64;
                if a == 0 || x < 0 || x >= self.width as i64 {
                    continue;
                }
                let i = dst_row + x as usize;
                self.ink[i] = self.ink[i].max(a);
            }
        }
    }

    /// Rows `top..top+rows` packed one bit per dot, MSB first, 1 = print
    /// (ink at or above `threshold`), each row padded to whole bytes — the
    /// layout of ESC/POS raster data.
    pub fn pack_rows(&self, top: u32, rows: u32, threshold: u8) -> Vec<u8> {
        let bytes_per_row = self.width.div_ceil(8) as usize;
        let rows = rows.min(self.height.saturating_sub(top));
        let mut out = vec![0u8; bytes_per_row * rows as usize];
        for r in 0..rows as usize {
            let src = &self.ink[(top as usize + r) * self.width as usize..][..self.width as usize];
            let dst = &mut out[r * bytes_per_row..(r + 1) * bytes_per_row];
            for (x, &v) in src.iter().enumerate() {
                if v >= threshold {
                    dst[x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> Font {
        Font::bundled().expect("bundled font")
    }

    #[test]
    fn draws_common_and_rare_characters() {
        let f = font();
        // 䲸 (U+4CB8, CJK Extension A) stands for a rare character in a name.
        for c in ['欧', '燕', '䲸', 'A', '7'] {
            assert!(f.has_glyph(c), "{c}");
        }
        let mut cv = Canvas::new(200, 40);
        let w = cv.draw_text(&f, 0.0, 0.0, 24.0, "刘䲸");
        assert!((w - 48.0).abs() < 2.0, "advance {w}");
        let inked = cv.ink().iter().filter(|&&v| v > 128).count();
        assert!(inked > 60, "only {inked} dots inked");
        // Nothing to the right of the advance.
        assert!((52..200).all(|x| (0..40).all(|y| cv.at(x, y) == 0)));
    }

    #[test]
    fn a_character_the_font_lacks_is_a_visible_box() {
        let f = font();
        let c = '\u{10FFFD}';
        assert!(!f.has_glyph(c));
        let mut cv = Canvas::new(40, 40);
        cv.draw_text(&f, 0.0, 0.0, 24.0, &c.to_string());
        assert!(cv.ink().iter().filter(|&&v| v == 255).count() > 40);
    }

    #[test]
    fn wraps_cjk_anywhere_and_keeps_latin_words_whole() {
        let f = font();
        let lines = f.wrap(24.0, "一二三四五六七八九十", 24.0 * 4.0);
        assert_eq!(lines, ["一二三四", "五六七八", "九十"]);
        let lines = f.wrap(24.0, "请携带 ABCDEFG 材料", 24.0 * 5.0);
        assert!(lines.iter().any(|l| l.contains("ABCDEFG")), "{lines:?}");
        assert_eq!(f.wrap(24.0, "甲\n乙", 500.0), ["甲", "乙"]);
    }

    #[test]
    fn packs_rows_msb_first_padded_to_bytes() {
        let mut cv = Canvas::new(10, 2);
        cv.put(0, 0, 255);
        cv.put(9, 0, 255);
        cv.put(1, 1, 100);
        assert_eq!(
            cv.pack_rows(0, 2, 128),
            vec![0b1000_0000, 0b0100_0000, 0, 0]
        );
        assert_eq!(
            cv.pack_rows(0, 2, 64),
            vec![0b1000_0000, 0b0100_0000, 0b0100_0000, 0]
        );
        assert_eq!(cv.pack_rows(1, 5, 64), vec![0b0100_0000, 0]);
    }
}
