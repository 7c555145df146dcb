//! Synthetic test frames: "a printed page photographed on a desk". A page with lines of
//! CJK-like pseudo-glyphs, a ruled table and a red stamp is rendered in millimetres,
//! then photographed: rotated, in perspective, on a darker wood-like desk, under a
//! vignette and a light gradient, with sensor noise, and encoded as JPEG. The page's
//! true corners are returned (continuous frame coordinates, clockwise from the page's
//! top-left) so detection can be measured against them.
//!
//! Deterministic: the same seed gives the same frame. No personal data: the "text" is
//! random strokes.

use crate::geom::{Homography, Pt};

const PAGE_MM: (f64, f64) = (210.0, 297.0);
const CARD_MM: (f64, f64) = (85.6, 54.0);

/// What lies on the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    /// An A4 page, portrait: title, text, a ruled table, a red stamp.
    A4Page,
    /// An ID card (身份证) sized card, landscape: a photo box, text lines, a number row.
    /// No real person's data: all "text" is random strokes.
    IdCard,
}

/// A generated frame and its ground truth.
pub struct SynthFrame {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Page corners in the frame, clockwise from the page's top-left.
    pub corners: [[f64; 2]; 4],
}

impl std::fmt::Debug for SynthFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SynthFrame {{ {}x{}, {} bytes }}",
            self.width,
            self.height,
            self.jpeg.len()
        )
    }
}

impl SynthFrame {
    /// The JSON sidecar: `{"corners": [[x,y],[x,y],[x,y],[x,y]]}`.
    pub fn sidecar_json(&self) -> String {
        let c: Vec<String> = self
            .corners
            .iter()
            .map(|p| format!("[{:.2},{:.2}]", p[0], p[1]))
            .collect();
        format!("{{\"corners\": [{}]}}\n", c.join(","))
    }
}

/// splitmix64: small, seedable, good enough for textures.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.f()
    }
}

fn hash2(x: i64, y: i64, seed: u64) -> f64 {
    let mut r = Rng(seed
        ^ (x as u64).wrapping_mul(0x9E37_79B9)
        ^ (y as u64).wrapping_mul(0x85EB_CA6B_C2B2_AE35));
    r.f()
}

/// Smooth value noise in [0, 1].
fn value_noise(x: f64, y: f64, seed: u64) -> f64 {
    let (xi, yi) = (x.floor(), y.floor());
    let (fx, fy) = (x - xi, y - yi);
    let (sx, sy) = (fx * fx * (3.0 - 2.0 * fx), fy * fy * (3.0 - 2.0 * fy));
    let (xi, yi) = (xi as i64, yi as i64);
    let a = hash2(xi, yi, seed);
    let b = hash2(xi + 1, yi, seed);
    let c = hash2(xi, yi + 1, seed);
    let d = hash2(xi + 1, yi + 1, seed);
    (a * (1.0 - sx) + b * sx) * (1.0 - sy) + (c * (1.0 - sx) + d * sx) * sy
}

/// The page as an RGB raster at `ppm` pixels per millimetre.
struct Page {
    mm: (f64, f64),
    w: usize,
    h: usize,
    ppm: f64,
    rgb: Vec<[f32; 3]>,
}

impl Page {
    fn new(mm: (f64, f64), ppm: f64, paper: [f32; 3]) -> Page {
        let (w, h) = ((mm.0 * ppm).ceil() as usize, (mm.1 * ppm).ceil() as usize);
        Page {
            mm,
            w,
            h,
            ppm,
            rgb: vec![paper; w * h],
        }
    }

    /// A stroke from `a` to `b` (mm), `width` mm wide, anti-aliased.
    fn line(&mut self, a: Pt, b: Pt, width: f64, ink: [f32; 3]) {
        let k = self.ppm;
        let (ax, ay, bx, by) = (a[0] * k, a[1] * k, b[0] * k, b[1] * k);
        let r = width * k / 2.0;
        let x0 = (ax.min(bx) - r - 1.0).floor().max(0.0) as usize;
        let x1 = ((ax.max(bx) + r + 1.0).ceil() as usize).min(self.w);
        let y0 = (ay.min(by) - r - 1.0).floor().max(0.0) as usize;
        let y1 = ((ay.max(by) + r + 1.0).ceil() as usize).min(self.h);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = (dx * dx + dy * dy).max(1e-9);
        for y in y0..y1 {
            for x in x0..x1 {
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                let t = (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0);
                let d = ((px - ax - t * dx).powi(2) + (py - ay - t * dy).powi(2)).sqrt();
                let cov = (r - d + 0.5).clamp(0.0, 1.0) as f32;
                if cov > 0.0 {
                    let p = &mut self.rgb[y * self.w + x];
                    for c in 0..3 {
                        p[c] = p[c] * (1.0 - cov) + ink[c] * cov;
                    }
                }
            }
        }
    }

    fn ring(&mut self, c: Pt, radius: f64, width: f64, ink: [f32; 3]) {
        let n = 96;
        for i in 0..n {
            let (t0, t1) = (
                i as f64 / n as f64 * std::f64::consts::TAU,
                (i + 1) as f64 / n as f64 * std::f64::consts::TAU,
            );
            self.line(
                [c[0] + radius * t0.cos(), c[1] + radius * t0.sin()],
                [c[0] + radius * t1.cos(), c[1] + radius * t1.sin()],
                width,
                ink,
            );
        }
    }

    /// A CJK-like pseudo-glyph in the `s`-mm square at `(x, y)`.
    fn glyph(&mut self, rng: &mut Rng, x: f64, y: f64, s: f64, ink: [f32; 3]) {
        let w = s * 0.09;
        let strokes = 3 + (rng.next() % 5) as usize;
        for _ in 0..strokes {
            let kind = rng.next() % 6;
            let (u, v) = (rng.range(0.1, 0.9), rng.range(0.1, 0.9));
            let (a, b) = match kind {
                0 | 1 => ([rng.range(0.05, 0.4), v], [rng.range(0.6, 0.95), v]),
                2 | 3 => ([u, rng.range(0.05, 0.4)], [u, rng.range(0.6, 0.95)]),
                4 => ([u, v], [(u - 0.3).max(0.05), (v + 0.35).min(0.95)]),
                _ => ([u, v], [(u + 0.12).min(0.95), (v + 0.12).min(0.95)]),
            };
            self.line(
                [x + a[0] * s, y + a[1] * s],
                [x + b[0] * s, y + b[1] * s],
                w,
                ink,
            );
        }
    }

    fn render_content(&mut self, rng: &mut Rng) {
        let ink = [0.08, 0.08, 0.1];
        // Title.
        let n = 6 + (rng.next() % 3) as usize;
        let s = 9.0;
        let x0 = (PAGE_MM.0 - n as f64 * s * 1.15) / 2.0;
        for i in 0..n {
            self.glyph(rng, x0 + i as f64 * s * 1.15, 18.0, s, ink);
        }
        // Body text.
        let mut y = 42.0;
        while y < 140.0 {
            let s = 4.5;
            let end = rng.range(110.0, 185.0);
            let mut x = 25.0 + if rng.f() < 0.3 { 2.0 * s } else { 0.0 };
            while x + s < end {
                self.glyph(rng, x, y, s, ink);
                x += s * 1.12;
            }
            y += 9.0;
        }
        // A ruled table.
        let (tx0, tx1, ty0, rows, rh) = (22.0, 188.0, 150.0, 6, 12.0);
        let cols = [tx0, 60.0, 110.0, 150.0, tx1];
        for r in 0..=rows {
            let yy = ty0 + r as f64 * rh;
            self.line([tx0, yy], [tx1, yy], 0.4, ink);
        }
        for &cx in &cols {
            self.line([cx, ty0], [cx, ty0 + rows as f64 * rh], 0.4, ink);
        }
        for r in 0..rows {
            for c in 0..cols.len() - 1 {
                let k = 1 + (rng.next() % 4) as usize;
                for g in 0..k {
                    let gx = cols[c] + 3.0 + g as f64 * 5.0;
                    if gx + 4.0 < cols[c + 1] {
                        self.glyph(rng, gx, ty0 + r as f64 * rh + 3.5, 4.0, ink);
                    }
                }
            }
        }
        // Signature line and a red stamp (公章) over it.
        for i in 0..4 {
            self.glyph(rng, 110.0 + i as f64 * 5.0, 240.0, 4.5, ink);
        }
        let red = [0.78, 0.1, 0.12];
        let c = [150.0, 252.0];
        self.ring(c, 19.0, 1.3, red);
        for k in 0..5 {
            let t = -std::f64::consts::FRAC_PI_2 + k as f64 * std::f64::consts::TAU * 2.0 / 5.0;
            let t2 = t + std::f64::consts::TAU * 2.0 / 5.0;
            self.line(
                [c[0] + 6.0 * t.cos(), c[1] + 6.0 * t.sin()],
                [c[0] + 6.0 * t2.cos(), c[1] + 6.0 * t2.sin()],
                0.9,
                red,
            );
        }
        for i in 0..5 {
            let t = std::f64::consts::PI * (1.15 + 0.175 * i as f64);
            self.glyph(
                rng,
                c[0] + 13.0 * t.cos() - 2.0,
                c[1] + 13.0 * t.sin() - 2.0,
                4.0,
                red,
            );
        }
    }

    fn fill(&mut self, a: Pt, b: Pt, ink: [f32; 3]) {
        let k = self.ppm;
        for y in ((a[1] * k) as usize)..((b[1] * k) as usize).min(self.h) {
            for x in ((a[0] * k) as usize)..((b[0] * k) as usize).min(self.w) {
                self.rgb[y * self.w + x] = ink;
            }
        }
    }

    fn render_card(&mut self, rng: &mut Rng) {
        let ink = [0.12, 0.12, 0.16];
        // Photo box on the right, text on the left, the number row at the bottom.
        self.fill([58.0, 8.0], [80.0, 36.0], [0.62, 0.64, 0.7]);
        for (row, y) in [6.0, 12.0, 18.0, 26.0, 32.0].iter().enumerate() {
            let n = if row == 3 {
                9
            } else {
                4 + (rng.next() % 4) as usize
            };
            for i in 0..n {
                self.glyph(rng, 6.0 + i as f64 * 3.6, *y, 3.2, ink);
            }
        }
        for i in 0..18 {
            let x = 24.0 + i as f64 * 2.9;
            self.line([x, 44.0], [x + 1.4, 48.0], 0.45, ink);
        }
    }

    fn sample(&self, u: f64, v: f64) -> [f32; 3] {
        let x = (u * self.ppm - 0.5).clamp(0.0, (self.w - 1) as f64);
        let y = (v * self.ppm - 0.5).clamp(0.0, (self.h - 1) as f64);
        let (x0, y0) = ((x as usize).min(self.w - 2), (y as usize).min(self.h - 2));
        let (fx, fy) = ((x - x0 as f64) as f32, (y - y0 as f64) as f32);
        let i = y0 * self.w + x0;
        let mut o = [0f32; 3];
        for c in 0..3 {
            let top = self.rgb[i][c] * (1.0 - fx) + self.rgb[i + 1][c] * fx;
            let bot = self.rgb[i + self.w][c] * (1.0 - fx) + self.rgb[i + self.w + 1][c] * fx;
            o[c] = top * (1.0 - fy) + bot * fy;
        }
        o
    }
}

/// Renders a `width × height` photo of an A4 page on a desk, JPEG at `quality`.
pub fn desk_photo(
    width: u32,
    height: u32,
    seed: u64,
    quality: u8,
) -> Result<SynthFrame, crate::ScanError> {
    photo(Doc::A4Page, width, height, seed, quality)
}

/// Renders a `width × height` photo of `doc` on a desk, JPEG at `quality`.
pub fn photo(
    doc: Doc,
    width: u32,
    height: u32,
    seed: u64,
    quality: u8,
) -> Result<SynthFrame, crate::ScanError> {
    let (wf, hf) = (f64::from(width), f64::from(height));
    let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5EED);
    // Where the document lands: a portrait page about 80 % of the frame height (a card
    // about a third of the frame width), rotated, keystoned (camera tilted towards the
    // top) and jittered.
    let mm = match doc {
        Doc::A4Page => PAGE_MM,
        Doc::IdCard => CARD_MM,
    };
    let (pw, ph) = match doc {
        Doc::A4Page => {
            let ph = hf * rng.range(0.74, 0.84);
            (ph * mm.0 / mm.1, ph)
        }
        Doc::IdCard => {
            let pw = wf * rng.range(0.32, 0.4);
            (pw, pw * mm.1 / mm.0)
        }
    };
    let theta = rng.range(4.0, 11.0).to_radians() * if rng.f() < 0.5 { -1.0 } else { 1.0 };
    let centre = [wf * rng.range(0.46, 0.54), hf * rng.range(0.47, 0.53)];
    let keystone = rng.range(0.88, 0.95);
    let local = [
        [-pw / 2.0 * keystone, -ph / 2.0],
        [pw / 2.0 * keystone, -ph / 2.0],
        [pw / 2.0, ph / 2.0],
        [-pw / 2.0, ph / 2.0],
    ];
    let jitter = match doc {
        Doc::A4Page => 0.012,
        Doc::IdCard => 0.004,
    };
    let mut corners = [[0f64; 2]; 4];
    for (o, p) in corners.iter_mut().zip(local) {
        let (jx, jy) = (
            rng.range(-jitter, jitter) * hf,
            rng.range(-jitter, jitter) * hf,
        );
        let (x, y) = (p[0] + jx, p[1] + jy);
        *o = [
            centre[0] + x * theta.cos() - y * theta.sin(),
            centre[1] + x * theta.sin() + y * theta.cos(),
        ];
    }
    let page_rect = [[0.0, 0.0], [mm.0, 0.0], [mm.0, mm.1], [0.0, mm.1]];
    let to_frame = Homography::from_points(&page_rect, &corners)
        .ok_or(crate::ScanError::Unsupported("degenerate synthetic page"))?;
    let to_page = to_frame
        .inverse()
        .ok_or(crate::ScanError::Unsupported("degenerate synthetic page"))?;
    let px_per_mm = ph / mm.1;
    let page = match doc {
        Doc::A4Page => {
            let mut p = Page::new(mm, (px_per_mm * 1.2).max(2.0), [0.95, 0.945, 0.93]);
            p.render_content(&mut rng);
            p
        }
        Doc::IdCard => {
            let mut p = Page::new(mm, (px_per_mm * 1.2).max(4.0), [0.86, 0.88, 0.9]);
            p.render_card(&mut rng);
            p
        }
    };
    let mm_w = page.mm.0;
    let mm_h = page.mm.1;

    let desk = [0.33f32, 0.27, 0.21];
    let light_c = [wf * rng.range(0.3, 0.7), hf * rng.range(0.3, 0.7)];
    let grad = [rng.range(-0.25, 0.25), rng.range(-0.2, 0.2)];
    let wood_angle = rng.range(0.0, std::f64::consts::PI);
    let (wa, wb) = (wood_angle.cos(), wood_angle.sin());
    let noise_seed = rng.next();
    let diag = (wf * wf + hf * hf).sqrt();
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    let m = to_page.0;
    for y in 0..height as usize {
        let yc = y as f64 + 0.5;
        for x in 0..width as usize {
            let xc = x as f64 + 0.5;
            let w = m[6] * xc + m[7] * yc + m[8];
            let u = (m[0] * xc + m[1] * yc + m[2]) / w;
            let v = (m[3] * xc + m[4] * yc + m[5]) / w;
            // Distance inside the page edge, in frame pixels → anti-aliased coverage.
            let inside = u.min(mm_w - u).min(v).min(mm_h - v) * px_per_mm;
            let cov = (inside + 0.5).clamp(0.0, 1.0) as f32;
            let along = (xc * wa + yc * wb) / diag * 60.0;
            let across = (-xc * wb + yc * wa) / diag * 3.0;
            let grain = 1.0
                + 0.10 * (along * 6.0 + 2.5 * value_noise(along, across, noise_seed)).sin()
                + 0.12 * (value_noise(xc / 90.0, yc / 90.0, noise_seed ^ 1) - 0.5);
            let mut c = [
                desk[0] * grain as f32,
                desk[1] * grain as f32,
                desk[2] * grain as f32,
            ];
            if cov > 0.0 {
                let p = page.sample(u, v);
                for k in 0..3 {
                    c[k] = c[k] * (1.0 - cov) + p[k] * cov;
                }
            }
            let r2 = ((xc - light_c[0]).powi(2) + (yc - light_c[1]).powi(2)) / (diag * diag / 4.0);
            let light = ((1.08 - 0.45 * r2)
                * (1.0 + grad[0] * (xc / wf - 0.5) * 2.0 + grad[1] * (yc / hf - 0.5) * 2.0))
                .clamp(0.35, 1.2) as f32;
            let n = (hash2(x as i64, y as i64, noise_seed ^ 2)
                + hash2(x as i64, y as i64, noise_seed ^ 3)
                - 1.0) as f32;
            let o = &mut rgb[(y * width as usize + x) * 3..][..3];
            // A warm light: blue a little lower.
            let tint = [1.0f32, 0.98, 0.93];
            for k in 0..3 {
                o[k] = (c[k] * light * tint[k] * 255.0 + n * 7.0)
                    .round()
                    .clamp(0.0, 255.0) as u8;
            }
        }
    }
    let jpeg = crate::tj::encode_rgb(&rgb, width, height, quality);
    crate::wipe(&mut rgb);
    Ok(SynthFrame {
        jpeg: jpeg.map_err(crate::ScanError::from)?,
        width,
        height,
        corners,
    })
}
