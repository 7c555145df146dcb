//! Perspective warp of one plane: only the output pixels are computed, each by bilinear
//! sampling of the source at the point the homography maps its centre to. The
//! homography is evaluated per pixel from a per-row base (no accumulated drift), and
//! the output is walked in tiles so that the source area a tile reads stays in cache
//! (an output row of a tilted page crosses hundreds of source rows).

use crate::geom::Homography;
use crate::tj::Plane;

const TILE_W: usize = 128;
const TILE_H: usize = 32;
const SPAN: usize = 16;

/// `h` maps output-plane continuous coordinates to source-plane continuous coordinates.
/// Points outside the source take the nearest edge pixel.
pub fn warp_plane(src: &Plane, h: &Homography, out_w: usize, out_h: usize) -> Plane {
    let mut out = Plane::new(out_w, out_h, 0);
    let (sw, sh) = (src.w, src.h);
    if sw < 2 || sh < 2 || src.data.len() < sw * sh {
        return out;
    }
    let m = h.0;
    let (xmax, ymax) = ((sw - 1) as f32, (sh - 1) as f32);
    let d = &src.data[..sw * sh];
    let (h0, h3, h6) = (m[0] as f32, m[3] as f32, m[6] as f32);
    for ty in (0..out_h).step_by(TILE_H) {
        for tx in (0..out_w).step_by(TILE_W) {
            let tw = TILE_W.min(out_w - tx);
            for v in ty..(ty + TILE_H).min(out_h) {
                let vc = v as f64 + 0.5;
                // Numerators and denominator at this tile's first column centre.
                let u0 = tx as f64 + 0.5;
                let bx = (m[0] * u0 + m[1] * vc + m[2]) as f32;
                let by = (m[3] * u0 + m[4] * vc + m[5]) as f32;
                let bw = (m[6] * u0 + m[7] * vc + m[8]) as f32;
                let row = &mut out.data[v * out_w + tx..][..tw];
                // The exact mapping is evaluated at span ends; inside a span of SPAN
                // pixels x and y are stepped linearly in 16.16 fixed point (the
                // perspective term changes by far less than 1/100 px over a span).
                let at = |k: f32| {
                    let inv = 1.0 / (bw + h6 * k);
                    ((bx + h0 * k) * inv - 0.5, (by + h3 * k) * inv - 0.5)
                };
                let mut k0 = 0usize;
                while k0 < tw {
                    let n = SPAN.min(tw - k0);
                    let (xa, ya) = at(k0 as f32);
                    let (xb, yb) = at((k0 + n) as f32);
                    let (dx, dy) = ((xb - xa) / n as f32, (yb - ya) / n as f32);
                    let (xl, yl) = (xa + dx * (n - 1) as f32, ya + dy * (n - 1) as f32);
                    let inside =
                        |x: f32, y: f32| x >= 0.0 && y >= 0.0 && x < xmax - 0.01 && y < ymax - 0.01;
                    let span = &mut row[k0..k0 + n];
                    if inside(xa, ya) && inside(xl, yl) {
                        let (mut xf, mut yf) = ((xa * 65536.0) as i64, (ya * 65536.0) as i64);
                        let (dxf, dyf) = ((dx * 65536.0) as i64, (dy * 65536.0) as i64);
                        for o in span.iter_mut() {
                            let (x0, y0) = ((xf >> 16) as usize, (yf >> 16) as usize);
                            let fx = ((xf >> 8) & 255) as u32;
                            let fy = ((yf >> 8) & 255) as u32;
                            let i = y0 * sw + x0;
                            // Both span ends are inside [0, sw−1) × [0, sh−1) and x, y are
                            // linear between them, so every x0 ≤ sw−2, y0 ≤ sh−2; checked
                            // indexing stays as the guard.
                            let q = &d[i..i + sw + 2];
                            let (p00, p01, p10, p11) = (
                                u32::from(q[0]),
                                u32::from(q[1]),
                                u32::from(q[sw]),
                                u32::from(q[sw + 1]),
                            );
                            let top = p00 * (256 - fx) + p01 * fx;
                            let bot = p10 * (256 - fx) + p11 * fx;
                            *o = ((top * (256 - fy) + bot * fy + 32768) >> 16) as u8;
                            xf += dxf;
                            yf += dyf;
                        }
                    } else {
                        for (j, o) in span.iter_mut().enumerate() {
                            let (x, y) = at((k0 + j) as f32);
                            *o = sample_clamped(d, sw, sh, x, y);
                        }
                    }
                    k0 += n;
                }
            }
        }
    }
    out
}

/// Bilinear sample at source index coordinates, edge pixels repeated outside.
fn sample_clamped(d: &[u8], sw: usize, sh: usize, x: f32, y: f32) -> u8 {
    let x = x.clamp(0.0, (sw - 1) as f32);
    let y = y.clamp(0.0, (sh - 1) as f32);
    let x0 = (x as usize).min(sw - 2);
    let y0 = (y as usize).min(sh - 2);
    let fx = ((x - x0 as f32) * 256.0) as u32;
    let fy = ((y - y0 as f32) * 256.0) as u32;
    let i = y0 * sw + x0;
    let (p00, p01) = (u32::from(d[i]), u32::from(d[i + 1]));
    let (p10, p11) = (u32::from(d[i + sw]), u32::from(d[i + sw + 1]));
    let top = p00 * (256 - fx) + p01 * fx;
    let bot = p10 * (256 - fx) + p11 * fx;
    ((top * (256 - fy) + bot * fy + 32768) >> 16) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_warp_copies_and_shift_interpolates() {
        let mut src = Plane::new(300, 200, 0);
        for (i, v) in src.data.iter_mut().enumerate() {
            *v = ((i % 300) as u32 * 255 / 299) as u8;
        }
        let id = Homography([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        let out = warp_plane(&src, &id, 300, 200);
        assert_eq!(out.data, src.data);
        // Half a pixel to the right: the mean of neighbours, ±1.
        let shift = Homography([1.0, 0.0, 0.5, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        let out = warp_plane(&src, &shift, 299, 200);
        for x in 0..298 {
            let want = (u32::from(src.data[x]) + u32::from(src.data[x + 1])) / 2;
            assert!(u32::from(out.data[x]).abs_diff(want) <= 1, "{x}");
        }
    }
}
