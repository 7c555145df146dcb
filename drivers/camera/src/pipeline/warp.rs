//! Perspective warp of one plane: only the output pixels are computed, each by bilinear
//! sampling of the source at the point the homography maps its centre to. The
//! homography is evaluated per pixel from a per-row base (no accumulated drift).

use crate::geom::Homography;
use crate::tj::Plane;

/// `h` maps output-plane continuous coordinates to source-plane continuous coordinates.
/// Points outside the source take the nearest edge pixel.
pub fn warp_plane(src: &Plane, h: &Homography, out_w: usize, out_h: usize) -> Plane {
    let mut out = Plane::new(out_w, out_h, 0);
    if src.w < 2 || src.h < 2 {
        return out;
    }
    let m = h.0;
    let (sw, shh) = (src.w, src.h);
    let (xmax, ymax) = ((sw - 1) as f32, (shh - 1) as f32);
    let d = &src.data[..];
    let (h0, h3, h6) = (m[0] as f32, m[3] as f32, m[6] as f32);
    for v in 0..out_h {
        let vc = v as f64 + 0.5;
        // Value at u = 0 (centre 0.5), minus the source half-pixel offset folded in later.
        let bx = (m[0] * 0.5 + m[1] * vc + m[2]) as f32;
        let by = (m[3] * 0.5 + m[4] * vc + m[5]) as f32;
        let bw = (m[6] * 0.5 + m[7] * vc + m[8]) as f32;
        let row = &mut out.data[v * out_w..][..out_w];
        for (u, o) in row.iter_mut().enumerate() {
            let uf = u as f32;
            let w = bw + h6 * uf;
            let inv = 1.0 / w;
            let x = ((bx + h0 * uf) * inv - 0.5).clamp(0.0, xmax);
            let y = ((by + h3 * uf) * inv - 0.5).clamp(0.0, ymax);
            let x0 = (x as usize).min(sw - 2);
            let y0 = (y as usize).min(shh - 2);
            let fx = ((x - x0 as f32) * 256.0) as u32;
            let fy = ((y - y0 as f32) * 256.0) as u32;
            let i = y0 * sw + x0;
            // Bounds: x0 ≤ sw-2 and y0 ≤ sh-2, so i + sw + 1 < sw·sh.
            let (p00, p01) = (u32::from(d[i]), u32::from(d[i + 1]));
            let (p10, p11) = (u32::from(d[i + sw]), u32::from(d[i + sw + 1]));
            let top = p00 * (256 - fx) + p01 * fx;
            let bot = p10 * (256 - fx) + p11 * fx;
            *o = ((top * (256 - fy) + bot * fy + 32768) >> 16) as u8;
        }
    }
    out
}
