//! Flattening the light: the page's background brightness is estimated at about one
//! sample per millimetre (block means, a max filter that removes text strokes and
//! areas up to ~30 mm across, a box blur twice ≈ Gaussian), and every pixel is divided by it, upsampled bilinearly. The
//! division maps paper to white; chroma is scaled by the same gain, which is what
//! dividing R, G and B by a neutral background does, after the paper's own colour cast
//! is taken out.

use crate::tj::{Plane, Planes};

/// Paper at this fraction of its local background is pushed to pure white.
const WHITE_POINT: f32 = 0.92;
/// Radius of the background's max filter, in blocks (≈ mm).
const MAX_RADIUS_BLOCKS: usize = 16;

fn box_blur(v: &mut [f32], w: usize, h: usize, r: usize) {
    let mut tmp = vec![0f32; v.len()];
    // Horizontal then vertical, clamped at the edges.
    for y in 0..h {
        for x in 0..w {
            let (a, b) = (x.saturating_sub(r), (x + r).min(w - 1));
            tmp[y * w + x] = v[y * w + a..=y * w + b].iter().sum::<f32>() / (b - a + 1) as f32;
        }
    }
    for y in 0..h {
        let (a, b) = (y.saturating_sub(r), (y + r).min(h - 1));
        for x in 0..w {
            let mut s = 0.0;
            for yy in a..=b {
                s += tmp[yy * w + x];
            }
            v[y * w + x] = s / (b - a + 1) as f32;
        }
    }
}

fn max_filter(v: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let mut tmp = vec![0f32; v.len()];
    for y in 0..h {
        for x in 0..w {
            let (a, b) = (x.saturating_sub(r), (x + r).min(w - 1));
            tmp[y * w + x] = v[y * w + a..=y * w + b].iter().copied().fold(0.0, f32::max);
        }
    }
    let mut out = vec![0f32; v.len()];
    for y in 0..h {
        let (a, b) = (y.saturating_sub(r), (y + r).min(h - 1));
        for x in 0..w {
            out[y * w + x] = (a..=b).map(|yy| tmp[yy * w + x]).fold(0.0, f32::max);
        }
    }
    out
}

/// Gain per block (8.8 fixed point) and the block size in luma pixels.
struct Gains {
    bw: usize,
    bh: usize,
    block: usize,
    g: Vec<f32>,
}

impl Gains {
    fn estimate(y: &Plane, block: usize, (pw, ph): (usize, usize)) -> Gains {
        let (pw, ph) = (pw.min(y.w), ph.min(y.h));
        let (bw, bh) = (pw.div_ceil(block), ph.div_ceil(block));
        let mut sum = vec![0u32; bw * bh];
        let mut cnt = vec![0u32; bw * bh];
        for (r, row) in y.data.chunks_exact(y.w).take(ph).enumerate() {
            let base = (r / block) * bw;
            for (bx, chunk) in row[..pw].chunks(block).enumerate() {
                sum[base + bx] += chunk.iter().map(|&v| u32::from(v)).sum::<u32>();
                cnt[base + bx] += chunk.len() as u32;
            }
        }
        let mean: Vec<f32> = sum
            .iter()
            .zip(&cnt)
            .map(|(&s, &c)| s as f32 / c.max(1) as f32)
            .collect();
        // The max filter reaches paper from anywhere inside a dark area up to ~30 mm
        // across (an ID photo, a card's photo box), so such areas are not mistaken for
        // background and washed out; light varies over much longer distances.
        let mut bg = max_filter(&mean, bw, bh, MAX_RADIUS_BLOCKS);
        box_blur(&mut bg, bw, bh, 4);
        box_blur(&mut bg, bw, bh, 4);
        let g = bg
            .iter()
            .map(|&b| (255.0 / (b.max(16.0) * WHITE_POINT)).clamp(1.0, 8.0))
            .collect();
        Gains { bw, bh, block, g }
    }

    /// Gains (8.8 fixed point) along one row of a plane whose pixel `i` sits at luma
    /// position `(i + 0.5)·step`, row centre at luma `ly`: bilinear between block centres,
    /// filled span by span with a constant step (no per-pixel search).
    fn row(&self, out: &mut [u16], ly: f32, step: f32, line: &mut Vec<f32>) {
        let b = self.block as f32;
        let gy = (ly / b - 0.5).clamp(0.0, (self.bh - 1) as f32);
        let y0 = (gy as usize).min(self.bh - 1);
        let y1 = (y0 + 1).min(self.bh - 1);
        let fy = gy - y0 as f32;
        line.clear();
        line.extend((0..self.bw).map(|x| {
            (self.g[y0 * self.bw + x] * (1.0 - fy) + self.g[y1 * self.bw + x] * fy) * 256.0
        }));
        // Block k's centre is at luma (k + 0.5)·b, i.e. plane pixel (k + 0.5)·b/step − 0.5.
        let centre = |k: usize| (k as f32 + 0.5) * b / step - 0.5;
        let n = out.len();
        let mut i = 0usize;
        // Left of the first centre: constant.
        while i < n && (i as f32) < centre(0) {
            out[i] = line[0] as u16;
            i += 1;
        }
        for k in 0..self.bw.saturating_sub(1) {
            let (c0, c1) = (centre(k), centre(k + 1));
            let (g0, g1) = (line[k], line[k + 1]);
            let slope = (g1 - g0) / (c1 - c0);
            while i < n && (i as f32) < c1 {
                out[i] = (g0 + (i as f32 - c0) * slope) as u16;
                i += 1;
            }
        }
        let last = line[self.bw - 1] as u16;
        out[i.min(n)..].iter_mut().for_each(|o| *o = last);
    }
}

/// The chroma value of the paper: the mean over sampled pixels whose flattened luma is
/// white. Subtracting it removes the colour cast of the light (a warm lamp makes paper
/// yellowish) along with its unevenness. 128 (neutral) when too little paper is seen.
fn paper_chroma(y: &Plane, c: &Plane, (pw, ph): (usize, usize)) -> i32 {
    let (sx, sy) = (y.w / c.w.max(1), y.h / c.h.max(1));
    let (mut sum, mut n) = (0i64, 0i64);
    for cy in (0..c.h).step_by(4) {
        for cx in (0..c.w).step_by(4) {
            let (lx, ly) = (cx * sx, cy * sy);
            if lx < pw && ly < ph && y.data[ly * y.w + lx] >= 250 {
                sum += i64::from(c.data[cy * c.w + cx]);
                n += 1;
            }
        }
    }
    if n < 64 {
        128
    } else {
        (sum / n) as i32
    }
}

/// Divides the planes by their estimated background, in place. `block` is the estimate's
/// sample spacing in luma pixels (about 1 mm). The background is estimated on the
/// `page` (width, height) part of the planes only; alignment padding beyond it is
/// corrected with the nearest estimate.
pub fn flatten(p: &mut Planes, block: usize, page: (usize, usize)) {
    if p.y.w == 0 || p.y.h == 0 || page.0 == 0 || page.1 == 0 {
        return;
    }
    let gains = Gains::estimate(&p.y, block.max(2), page);
    let w = p.y.w;
    let mut grow = vec![0u16; w];
    let mut line = Vec::with_capacity(gains.bw);
    for (r, row) in p.y.data.chunks_exact_mut(w).enumerate() {
        gains.row(&mut grow, r as f32 + 0.5, 1.0, &mut line);
        for (v, &g) in row.iter_mut().zip(&grow) {
            *v = ((u32::from(*v) * u32::from(g)) >> 8).min(255) as u8;
        }
    }
    let (yw, yh) = (p.y.w as f32, p.y.h as f32);
    let y = &p.y;
    for c in [p.cb.as_mut(), p.cr.as_mut()].into_iter().flatten() {
        let (sx, sy) = (yw / c.w as f32, yh / c.h as f32);
        let paper = paper_chroma(y, c, page);
        let mut crow = vec![0u16; c.w];
        for (r, row) in c.data.chunks_exact_mut(c.w).enumerate() {
            gains.row(&mut crow, (r as f32 + 0.5) * sy, sx, &mut line);
            for (v, &g) in row.iter_mut().zip(&crow) {
                let d = ((i32::from(*v) - paper) * i32::from(g)) >> 8;
                *v = (d + 128).clamp(0, 255) as u8;
            }
        }
    }
}
