//! A small document model for A4 forms and certificates, and its layout onto
//! A4 pages rendered as 200 dpi ink bitmaps with the bundled fonts.
//!
//! 申请表 — an application form: a title, labelled fields in a ruled table,
//! paragraphs, optionally the applicant's photo; 证明 — a certificate: the same
//! parts in another order. Long documents break onto further pages; a table row
//! or paragraph too long for one page continues on the next, so no text is ever
//! cut off. Every page carries the footer and "第 n 页 / 共 N 页".

use kiosk_printer::raster::{Canvas, Font};

/// Raster resolution of a page.
pub const DPI: f32 = 200.0;
/// A4 (210 × 297 mm) at 200 dpi.
pub const PAGE_W: u32 = 1654;
pub const PAGE_H: u32 = 2339;

fn mm(v: f32) -> f32 {
    v * DPI / 25.4
}
fn pt(v: f32) -> f32 {
    v * DPI / 72.0
}

const MARGIN_MM: f32 = 20.0;
const TITLE_PT: f32 = 20.0;
const SUBTITLE_PT: f32 = 12.0;
const HEADING_PT: f32 = 13.0;
const BODY_PT: f32 = 11.0;
const FOOTER_PT: f32 = 9.0;
/// Share of the table width given to the labels.
const LABEL_SHARE: f32 = 0.30;
const RULE: u32 = 2;
/// Light grey behind label cells.
const LABEL_SHADE: u8 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    Left,
    #[default]
    Center,
    Right,
}

/// One part of the document body, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading (bold).
    Heading(String),
    /// Labelled fields in a ruled two-column table: (label, value).
    Fields(Vec<(String, String)>),
    /// Text that wraps to the page width; `\n` starts a new line.
    Paragraph(String),
    /// A JPEG (a photo, a scanned seal) `width_mm` wide, height by its aspect.
    Jpeg {
        data: Vec<u8>,
        width_mm: f32,
        align: Align,
    },
    /// Blank space.
    Space { mm: f32 },
}

/// An A4 document: 申请表 (form) or 证明 (certificate).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FormDoc {
    pub title: String,
    pub subtitle: Option<String>,
    pub blocks: Vec<Block>,
    /// Printed at the bottom of every page, left of the page number.
    pub footer: Option<String>,
    /// The document's own words, in its language.
    pub labels: DocLabels,
}

/// The few words the layout itself writes, given by the caller in the
/// document's language (the app's message catalog); English by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocLabels {
    /// Marks a table row continued from the previous page.
    pub continued: String,
    /// The page number: `{page}` and `{pages}` are filled in.
    pub page_of: String,
}

impl Default for DocLabels {
    fn default() -> Self {
        DocLabels {
            continued: " (continued)".into(),
            page_of: "Page {page} of {pages}".into(),
        }
    }
}

impl FormDoc {
    pub fn new(title: impl Into<String>) -> Self {
        FormDoc {
            title: title.into(),
            ..Default::default()
        }
    }
    pub fn labels(mut self, labels: DocLabels) -> Self {
        self.labels = labels;
        self
    }
    pub fn subtitle(mut self, s: impl Into<String>) -> Self {
        self.subtitle = Some(s.into());
        self
    }
    pub fn footer(mut self, s: impl Into<String>) -> Self {
        self.footer = Some(s.into());
        self
    }
    pub fn heading(mut self, s: impl Into<String>) -> Self {
        self.blocks.push(Block::Heading(s.into()));
        self
    }
    /// Adds a row to the table just above, or starts a table.
    pub fn field(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        let row = (label.into(), value.into());
        match self.blocks.last_mut() {
            Some(Block::Fields(rows)) => rows.push(row),
            _ => self.blocks.push(Block::Fields(vec![row])),
        }
        self
    }
    pub fn paragraph(mut self, s: impl Into<String>) -> Self {
        self.blocks.push(Block::Paragraph(s.into()));
        self
    }
    pub fn jpeg(mut self, data: Vec<u8>, width_mm: f32, align: Align) -> Self {
        self.blocks.push(Block::Jpeg {
            data,
            width_mm,
            align,
        });
        self
    }
    pub fn space(mut self, mm: f32) -> Self {
        self.blocks.push(Block::Space { mm });
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("A4 document font: {0}")]
    Font(String),
    #[error("A4 document image {index}: {reason}")]
    Image { index: usize, reason: String },
    #[error("A4 document PDF: {0}")]
    Pdf(#[from] kiosk_pdf::PdfError),
}

/// Lays the document out and draws each A4 page (ink: 0 = paper, 255 = black).
pub fn render_pages(doc: &FormDoc, font: &Font) -> Result<Vec<Canvas>, RenderError> {
    let mut l = Layout::new(font, &doc.labels.continued);
    l.header(doc);
    for (i, b) in doc.blocks.iter().enumerate() {
        match b {
            Block::Heading(s) => l.heading(s),
            Block::Fields(rows) => l.table(rows),
            Block::Paragraph(s) => l.paragraph(s),
            Block::Jpeg {
                data,
                width_mm,
                align,
            } => l.jpeg(i, data, *width_mm, *align)?,
            Block::Space { mm: v } => l.space(mm(*v)),
        }
    }
    Ok(l.finish(doc.footer.as_deref().unwrap_or(""), &doc.labels.page_of))
}

struct Layout<'f> {
    font: &'f Font,
    /// The "continued" mark of a table row split across pages.
    continued: String,
    pages: Vec<Canvas>,
    /// Pen's y on the current (last) page.
    y: f32,
    left: f32,
    width: f32,
    /// Content ends here (the footer is below).
    bottom: f32,
}

impl<'f> Layout<'f> {
    fn new(font: &'f Font, continued: &str) -> Self {
        let margin = mm(MARGIN_MM);
        let footer_room = font.line_height(pt(FOOTER_PT)) + mm(4.0);
        Layout {
            font,
            continued: continued.to_string(),
            pages: vec![Canvas::new(PAGE_W, PAGE_H)],
            y: margin,
            left: margin,
            width: PAGE_W as f32 - 2.0 * margin,
            bottom: PAGE_H as f32 - margin - footer_room,
        }
    }

    fn top(&self) -> f32 {
        mm(MARGIN_MM)
    }

    fn page(&mut self) -> &mut Canvas {
        let n = self.pages.len();
        &mut self.pages[n - 1]
    }

    fn new_page(&mut self) {
        self.pages.push(Canvas::new(PAGE_W, PAGE_H));
        self.y = self.top();
    }

    /// Starts a new page unless `h` fits below the pen (an empty page always
    /// takes what comes, so a too-tall item cannot loop).
    fn room_for(&mut self, h: f32) {
        if self.y + h > self.bottom && self.y > self.top() {
            self.new_page();
        }
    }

    fn free(&self) -> f32 {
        self.bottom - self.y
    }

    fn centered(&mut self, px: f32, text: &str, bold: bool) {
        let lh = self.font.line_height(px);
        for line in self.font.wrap(px, text, self.width) {
            self.room_for(lh);
            let w = self.font.text_width(px, &line);
            let x = self.left + (self.width - w).max(0.0) / 2.0;
            let (font, y) = (self.font, self.y);
            self.page().draw_text_weight(font, x, y, px, &line, bold);
            self.y += lh;
        }
    }

    fn header(&mut self, doc: &FormDoc) {
        self.centered(pt(TITLE_PT), &doc.title, true);
        if let Some(s) = &doc.subtitle {
            self.y += mm(1.5);
            self.centered(pt(SUBTITLE_PT), s, false);
        }
        self.y += mm(3.0);
        let (x, y, w) = (self.left, self.y, self.width);
        self.page()
            .fill_rect(x as i64, y as i64, w as u32, RULE + 1, 255);
        self.y += mm(6.0);
    }

    fn heading(&mut self, s: &str) {
        let px = pt(HEADING_PT);
        let lh = self.font.line_height(px);
        // Keep a heading with at least two body lines after it.
        self.room_for(lh + 2.0 * self.font.line_height(pt(BODY_PT)));
        for line in self.font.wrap(px, s, self.width) {
            self.room_for(lh);
            let (font, x, y) = (self.font, self.left, self.y);
            self.page().draw_text_weight(font, x, y, px, &line, true);
            self.y += lh;
        }
        self.y += mm(2.0);
    }

    fn paragraph(&mut self, s: &str) {
        let px = pt(BODY_PT);
        let lh = self.font.line_height(px) * 1.25;
        for line in self.font.wrap(px, s, self.width) {
            self.room_for(lh);
            let (font, x, y) = (self.font, self.left, self.y);
            self.page().draw_text(font, x, y, px, &line);
            self.y += lh;
        }
        self.y += mm(3.0);
    }

    fn space(&mut self, h: f32) {
        if self.y + h > self.bottom {
            self.new_page();
        } else {
            self.y += h;
        }
    }

    /// A ruled two-column table. A row that does not fit the rest of the page
    /// moves to the next; a row taller than a page is split by lines, the
    /// continuation's label marked （续）.
    fn table(&mut self, rows: &[(String, String)]) {
        let px = pt(BODY_PT);
        let lh = self.font.line_height(px);
        let pad = mm(2.0);
        let label_w = (self.width * LABEL_SHARE).round();
        let value_w = self.width - label_w;
        let text_w = |w: f32| (w - 2.0 * pad).max(px);
        // The table's top rule is drawn by whichever page it starts on.
        let mut open = false;
        for (label, value) in rows {
            let mut labels = self.font.wrap(px, label, text_w(label_w));
            let mut values = self.font.wrap(px, value, text_w(value_w));
            let mut first = true;
            while !labels.is_empty() || !values.is_empty() {
                let lines = labels.len().max(values.len()).max(1);
                let full = lines as f32 * lh + 2.0 * pad + RULE as f32;
                if full > self.free() && self.y > self.top() {
                    // Move the whole row when it fits a fresh page, else
                    // split it here if at least one line fits.
                    let page_h = self.bottom - self.top();
                    if full <= page_h || self.free() < lh + 2.0 * pad + RULE as f32 {
                        self.new_page();
                        open = false;
                    }
                }
                if !open {
                    let (x, y, w) = (self.left, self.y, self.width);
                    self.page()
                        .fill_rect(x as i64, y as i64, w as u32, RULE, 255);
                    self.y += RULE as f32;
                    open = true;
                }
                let fit = (((self.free() - 2.0 * pad - RULE as f32) / lh).floor() as usize)
                    .clamp(1, lines);
                let take_l: Vec<String> = labels.drain(..fit.min(labels.len())).collect();
                let take_v: Vec<String> = values.drain(..fit.min(values.len())).collect();
                let h = fit as f32 * lh + 2.0 * pad;
                let (x0, y0, width) = (self.left, self.y, self.width);
                let font = self.font;
                let continued = self.continued.clone();
                let page = self.page();
                page.fill_rect(
                    x0 as i64,
                    y0 as i64,
                    label_w as u32,
                    h.ceil() as u32,
                    LABEL_SHADE,
                );
                for (i, t) in take_l.iter().enumerate() {
                    let t = if first || i > 0 {
                        t.clone()
                    } else {
                        format!("{t}{continued}")
                    };
                    page.draw_text(font, x0 + pad, y0 + pad + i as f32 * lh, px, &t);
                }
                if take_l.is_empty() && !first {
                    page.draw_text(font, x0 + pad, y0 + pad, px, &continued);
                }
                for (i, t) in take_v.iter().enumerate() {
                    page.draw_text(font, x0 + label_w + pad, y0 + pad + i as f32 * lh, px, t);
                }
                // Left, middle and right rules, and the rule below the row.
                let hh = h.ceil() as u32 + RULE;
                page.fill_rect(x0 as i64, y0 as i64 - RULE as i64, RULE, hh + RULE, 255);
                page.fill_rect((x0 + label_w) as i64 - 1, y0 as i64, RULE, hh, 255);
                page.fill_rect(
                    (x0 + width) as i64 - RULE as i64,
                    y0 as i64 - RULE as i64,
                    RULE,
                    hh + RULE,
                    255,
                );
                page.fill_rect(x0 as i64, (y0 + h) as i64, width as u32, RULE, 255);
                self.y += h + RULE as f32;
                first = false;
            }
        }
        self.y += mm(5.0);
    }

    fn jpeg(
        &mut self,
        index: usize,
        data: &[u8],
        width_mm: f32,
        align: Align,
    ) -> Result<(), RenderError> {
        let err = |reason: String| RenderError::Image { index, reason };
        let img = image::load_from_memory_with_format(data, image::ImageFormat::Jpeg)
            .map_err(|e| err(e.to_string()))?
            .to_luma8();
        if img.width() == 0 || img.height() == 0 {
            return Err(err("empty image".into()));
        }
        let max_h = self.bottom - self.top();
        let mut w = mm(width_mm).clamp(1.0, self.width);
        let mut h = w * img.height() as f32 / img.width() as f32;
        if h > max_h {
            w *= max_h / h;
            h = max_h;
        }
        let (w, h) = (w.round().max(1.0) as u32, h.round().max(1.0) as u32);
        let scaled = image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle);
        self.room_for(h as f32);
        let x = match align {
            Align::Left => self.left,
            Align::Center => self.left + (self.width - w as f32) / 2.0,
            Align::Right => self.left + self.width - w as f32,
        } as i64;
        let y = self.y as i64;
        let page = self.page();
        for (px, py, p) in scaled.enumerate_pixels() {
            page.put(x + px as i64, y + py as i64, 255 - p.0[0]);
        }
        self.y += h as f32 + mm(4.0);
        Ok(())
    }

    fn finish(mut self, footer: &str, page_of: &str) -> Vec<Canvas> {
        let n = self.pages.len();
        let px = pt(FOOTER_PT);
        let y = PAGE_H as f32 - mm(MARGIN_MM) - self.font.line_height(px);
        let (left, width, font) = (self.left, self.width, self.font);
        for (i, page) in self.pages.iter_mut().enumerate() {
            page.fill_rect(left as i64, (y - mm(2.0)) as i64, width as u32, 1, 160);
            let number = page_of
                .replace("{page}", &(i + 1).to_string())
                .replace("{pages}", &n.to_string());
            let nw = font.text_width(px, &number);
            let room = (width - nw - mm(5.0)).max(0.0);
            // A footer longer than its room is cut at the last character that
            // fits: it is a line of small print, not content.
            let mut shown = String::new();
            for c in footer.chars() {
                shown.push(c);
                if font.text_width(px, &shown) > room {
                    shown.pop();
                    break;
                }
            }
            page.draw_text(font, left, y, px, &shown);
            page.draw_text(font, left + width - nw, y, px, &number);
        }
        self.pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> Font {
        Font::bundled().expect("bundled fonts in assets/fonts")
    }

    fn ink_in(c: &Canvas, x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
        let mut n = 0;
        for y in y0..y1.min(c.height()) {
            for x in x0..x1.min(c.width()) {
                if c.at(x, y) > 128 {
                    n += 1;
                }
            }
        }
        n
    }

    #[test]
    fn a_short_form_is_one_a4_page_with_the_title_on_top() {
        let doc = FormDoc::new("居住证申领申请表")
            .subtitle("申请编号 HN-2026-000123")
            .field("姓名", "张三")
            .field("公民身份号码", "110101199001011234")
            .paragraph("本人承诺以上信息真实有效。")
            .footer("海南省政务服务中心 自助终端");
        let pages = render_pages(&doc, &font()).unwrap();
        assert_eq!(pages.len(), 1);
        let p = &pages[0];
        assert_eq!((p.width(), p.height()), (PAGE_W, PAGE_H));
        let top = mm(MARGIN_MM) as u32;
        // The title is centred in the first 20 mm below the margin.
        assert!(ink_in(p, PAGE_W / 4, top, 3 * PAGE_W / 4, top + mm(12.0) as u32) > 2000);
        assert_eq!(
            ink_in(p, 0, 0, PAGE_W, top - 2),
            0,
            "nothing in the top margin"
        );
        // The footer line is at the bottom.
        assert!(ink_in(p, 0, PAGE_H - top - 80, PAGE_W, PAGE_H - top) > 300);
    }

    #[test]
    fn long_documents_break_onto_more_pages_and_nothing_is_cut() {
        let mut doc = FormDoc::new("证明").footer("页脚");
        for i in 0..60 {
            doc = doc.field(format!("第{i}项"), "内容".repeat(i % 7 + 1));
        }
        doc = doc.paragraph("很长的段落。".repeat(400));
        let pages = render_pages(&doc, &font()).unwrap();
        assert!(pages.len() >= 3, "{}", pages.len());
        let top = mm(MARGIN_MM) as u32;
        for p in &pages {
            // Content never runs into the bottom margin.
            assert_eq!(ink_in(p, 0, PAGE_H - top + 8, PAGE_W, PAGE_H), 0);
            assert_eq!(ink_in(p, 0, 0, top - 2, PAGE_H), 0, "left margin");
        }
    }

    #[test]
    fn a_value_longer_than_a_page_is_split_not_lost() {
        let doc = FormDoc::new("t").field("备注", "长".repeat(4000));
        let pages = render_pages(&doc, &font()).unwrap();
        assert!(pages.len() >= 2, "{}", pages.len());
    }

    #[test]
    fn a_photo_is_drawn_and_a_broken_one_is_an_error() {
        let mut jpeg = Vec::new();
        let img = image::GrayImage::from_fn(60, 80, |_, _| image::Luma([0u8]));
        image::DynamicImage::ImageLuma8(img)
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        let doc = FormDoc::new("t").jpeg(jpeg.clone(), 30.0, Align::Right);
        let p = &render_pages(&doc, &font()).unwrap()[0];
        let right = PAGE_W - mm(MARGIN_MM) as u32;
        // A black 30 mm × 40 mm photo at the right margin.
        assert!(ink_in(p, right - mm(29.0) as u32, 0, right, PAGE_H) > 50_000);
        let bad = FormDoc::new("t").jpeg(jpeg[..40].to_vec(), 30.0, Align::Left);
        assert!(matches!(
            render_pages(&bad, &font()),
            Err(RenderError::Image { index: 0, .. })
        ));
    }
}
