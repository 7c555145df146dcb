//! Finding the page: Otsu threshold and the largest bright region on a downscaled grey
//! copy, its convex hull reduced to four corners, then each side re-fitted on the
//! full-resolution luma to sub-pixel precision and the corners taken as the
//! intersections of the fitted sides.

use crate::geom::{convex_hull, dist, is_convex, order_clockwise, polygon_area, Line, Pt};
use crate::tj::Plane;

/// Longest side of the copy the page is searched on.
pub const DETECT_SIDE: usize = 1000;

/// A grey image `w × h`, one byte per pixel. Personal data: wiped on drop.
pub struct Gray {
    pub w: usize,
    pub h: usize,
    pub px: Vec<u8>,
}

impl Drop for Gray {
    fn drop(&mut self) {
        crate::wipe(&mut self.px);
    }
}

/// Box-averages `y` by an integer factor so that the longest side is at most
/// [`DETECT_SIDE`]; returns the copy and the factor.
pub fn downscale(y: &Plane) -> (Gray, usize) {
    let f = y.w.max(y.h).div_ceil(DETECT_SIDE).clamp(1, 64);
    let (sw, sh) = (y.w / f, y.h / f);
    let mut px = vec![0u8; sw * sh];
    // Rows are summed column-wise first (a plain add loop the compiler vectorises),
    // then each run of f columns; f ≤ 64 keeps the u16 sums from overflowing.
    let mut cols = vec![0u16; sw * f];
    let div = (f * f) as u32;
    for sy in 0..sh {
        cols.iter_mut().for_each(|a| *a = 0);
        for r in 0..f {
            let row = &y.data[(sy * f + r) * y.w..][..sw * f];
            for (a, &v) in cols.iter_mut().zip(row) {
                *a += u16::from(v);
            }
        }
        for (o, chunk) in px[sy * sw..][..sw].iter_mut().zip(cols.chunks_exact(f)) {
            let s: u32 = chunk.iter().map(|&v| u32::from(v)).sum();
            *o = ((s + div / 2) / div) as u8;
        }
    }
    (Gray { w: sw, h: sh, px }, f)
}

fn otsu(px: &[u8]) -> u8 {
    let mut hist = [0u64; 256];
    for &v in px {
        hist[v as usize] += 1;
    }
    let total = px.len() as f64;
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut sum0, mut best, mut best_t) = (0.0, 0.0, -1.0, 128u8);
    for t in 0..256 {
        w0 += hist[t] as f64;
        sum0 += t as f64 * hist[t] as f64;
        let w1 = total - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let (m0, m1) = (sum0 / w0, (sum_all - sum0) / w1);
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// Coarse corners in the small image's continuous coordinates, clockwise from top-left;
/// `None` when no bright, quad-shaped region of at least `min_frac` of the image exists.
pub fn coarse_quad(g: &Gray, min_frac: f64) -> Option<[Pt; 4]> {
    let (w, h) = (g.w, g.h);
    if w < 8 || h < 8 {
        return None;
    }
    let t = otsu(&g.px);
    // Largest 4-connected component of pixels brighter than the threshold.
    let mut label = vec![0u32; w * h];
    let mut stack: Vec<usize> = Vec::new();
    let (mut best_label, mut best_area, mut next) = (0u32, 0usize, 0u32);
    for start in 0..w * h {
        if label[start] != 0 || g.px[start] <= t {
            continue;
        }
        next += 1;
        let mut area = 0usize;
        label[start] = next;
        stack.push(start);
        while let Some(i) = stack.pop() {
            area += 1;
            let (x, y) = (i % w, i / w);
            let mut visit = |j: usize| {
                if label[j] == 0 && g.px[j] > t {
                    label[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        if area > best_area {
            best_area = area;
            best_label = next;
        }
    }
    let total = (w * h) as f64;
    if best_label == 0 || (best_area as f64) < min_frac * total || best_area as f64 > 0.97 * total {
        return None;
    }
    // Outer pixel corners of the region's boundary pixels.
    let mut pts: Vec<Pt> = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if label[i] != best_label {
                continue;
            }
            let edge = x == 0
                || y == 0
                || x + 1 == w
                || y + 1 == h
                || label[i - 1] != best_label
                || label[i + 1] != best_label
                || label[i - w] != best_label
                || label[i + w] != best_label;
            if edge {
                let (xf, yf) = (x as f64, y as f64);
                pts.extend([
                    [xf, yf],
                    [xf + 1.0, yf],
                    [xf, yf + 1.0],
                    [xf + 1.0, yf + 1.0],
                ]);
            }
        }
    }
    crate::wipe_u32(&mut label);
    let hull = convex_hull(pts);
    if hull.len() < 4 {
        return None;
    }
    // Diagonal: the farthest pair of hull points; the other two corners: the points
    // farthest from that diagonal on either side.
    let (mut a, mut c, mut dmax) = (0, 0, 0.0);
    for i in 0..hull.len() {
        for j in i + 1..hull.len() {
            let d = dist(hull[i], hull[j]);
            if d > dmax {
                (a, c, dmax) = (i, j, d);
            }
        }
    }
    let (pa, pc) = (hull[a], hull[c]);
    let side = |p: Pt| (pc[0] - pa[0]) * (p[1] - pa[1]) - (pc[1] - pa[1]) * (p[0] - pa[0]);
    let b = hull
        .iter()
        .copied()
        .max_by(|p, q| side(*p).total_cmp(&side(*q)))?;
    let d = hull
        .iter()
        .copied()
        .min_by(|p, q| side(*p).total_cmp(&side(*q)))?;
    if side(b) <= 0.0 || side(d) >= 0.0 {
        return None;
    }
    let quad = order_clockwise([pa, b, pc, d]);
    let qa = polygon_area(&quad);
    if !is_convex(&quad) || qa < 0.85 * polygon_area(&hull) || (best_area as f64) < 0.6 * qa {
        return None;
    }
    Some(quad)
}

fn sample(p: &Plane, x: f64, y: f64) -> f64 {
    let xf = (x - 0.5).clamp(0.0, (p.w - 1) as f64);
    let yf = (y - 0.5).clamp(0.0, (p.h - 1) as f64);
    let (x0, y0) = ((xf as usize).min(p.w - 2), (yf as usize).min(p.h - 2));
    let (fx, fy) = (xf - x0 as f64, yf - y0 as f64);
    let i = y0 * p.w + x0;
    let d = &p.data;
    let top = f64::from(d[i]) * (1.0 - fx) + f64::from(d[i + 1]) * fx;
    let bot = f64::from(d[i + p.w]) * (1.0 - fx) + f64::from(d[i + p.w + 1]) * fx;
    top * (1.0 - fy) + bot * fy
}

/// Re-fits each side of `quad` (full-resolution coordinates, clockwise) on the edge
/// between bright page and darker background, searching `reach` pixels either side.
/// Sides that cannot be fitted keep their coarse position.
pub fn refine(y: &Plane, quad: [Pt; 4], reach: f64) -> [Pt; 4] {
    if y.w < 2 || y.h < 2 {
        return quad;
    }
    let centre = [
        quad.iter().map(|p| p[0]).sum::<f64>() / 4.0,
        quad.iter().map(|p| p[1]).sum::<f64>() / 4.0,
    ];
    let mut lines: Vec<Option<Line>> = Vec::with_capacity(4);
    let steps = reach.ceil() as i64;
    for i in 0..4 {
        let (a, b) = (quad[i], quad[(i + 1) % 4]);
        let len = dist(a, b);
        if len < 4.0 {
            lines.push(None);
            continue;
        }
        let dir = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
        let mut n = [-dir[1], dir[0]];
        let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
        if (mid[0] - centre[0]) * n[0] + (mid[1] - centre[1]) * n[1] < 0.0 {
            n = [-n[0], -n[1]];
        }
        let samples = 48;
        let mut found: Vec<Pt> = Vec::with_capacity(samples);
        let mut prof = vec![0f64; (2 * steps + 3) as usize];
        for k in 0..samples {
            let t = 0.1 + 0.8 * k as f64 / (samples - 1) as f64;
            let p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
            for (j, v) in prof.iter_mut().enumerate() {
                let s = j as f64 - (steps + 1) as f64;
                *v = sample(y, p[0] + s * n[0], p[1] + s * n[1]);
            }
            // Largest drop from inside (bright page) to outside.
            let (mut best, mut best_j) = (f64::MIN, 0usize);
            for j in 1..prof.len() - 1 {
                let g = prof[j - 1] - prof[j + 1];
                if g > best {
                    (best, best_j) = (g, j);
                }
            }
            if best < 12.0 || best_j < 2 || best_j + 2 >= prof.len() {
                continue;
            }
            let g = |j: usize| prof[j - 1] - prof[j + 1];
            let (gl, gc, gr) = (g(best_j - 1), best, g(best_j + 1));
            let den = gl - 2.0 * gc + gr;
            let off = if den.abs() > 1e-9 {
                (0.5 * (gl - gr) / den).clamp(-0.5, 0.5)
            } else {
                0.0
            };
            let s = best_j as f64 + off - (steps + 1) as f64;
            found.push([p[0] + s * n[0], p[1] + s * n[1]]);
        }
        let mut line = Line::fit(&found);
        for tol in [3.0, 1.5] {
            if let Some(l) = line {
                let kept: Vec<Pt> = found
                    .iter()
                    .copied()
                    .filter(|p| l.distance(*p).abs() <= tol)
                    .collect();
                if kept.len() >= samples / 3 {
                    found = kept;
                    line = Line::fit(&found);
                } else {
                    line = None;
                }
            }
        }
        lines.push(line.filter(|_| found.len() >= samples / 3));
    }
    let mut out = quad;
    for i in 0..4 {
        // Corner i lies on side i-1 (ending at it) and side i (starting at it).
        let prev = (i + 3) % 4;
        if let (Some(l1), Some(l2)) = (lines[prev], lines[i]) {
            if let Some(p) = l1.intersect(&l2) {
                if dist(p, quad[i]) <= 2.0 * reach {
                    out[i] = p;
                }
            }
        }
    }
    out
}
