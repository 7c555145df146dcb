//! Plane geometry: homographies, quads, line fits. Coordinates are continuous pixel
//! coordinates: pixel `(i, j)` covers `[i, i+1) × [j, j+1)`, its centre is `(i+0.5, j+0.5)`.

pub type Pt = [f64; 2];

/// A 3×3 homography, row-major, mapping `(u, v, 1)` to `(x, y, w)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography(pub [f64; 9]);

impl Homography {
    /// The homography taking `src[i]` to `dst[i]`; `None` when the points are degenerate.
    pub fn from_points(src: &[Pt; 4], dst: &[Pt; 4]) -> Option<Homography> {
        let mut a = [[0f64; 9]; 8];
        for i in 0..4 {
            let [u, v] = src[i];
            let [x, y] = dst[i];
            a[2 * i] = [u, v, 1.0, 0.0, 0.0, 0.0, -u * x, -v * x, x];
            a[2 * i + 1] = [0.0, 0.0, 0.0, u, v, 1.0, -u * y, -v * y, y];
        }
        // Gaussian elimination with partial pivoting on the 8×8 system.
        for col in 0..8 {
            let piv = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
            if a[piv][col].abs() < 1e-12 {
                return None;
            }
            a.swap(col, piv);
            for r in 0..8 {
                if r != col {
                    let f = a[r][col] / a[col][col];
                    if f != 0.0 {
                        for c in col..9 {
                            a[r][c] -= f * a[col][c];
                        }
                    }
                }
            }
        }
        let mut h = [0f64; 9];
        for i in 0..8 {
            h[i] = a[i][8] / a[i][i];
        }
        h[8] = 1.0;
        if h.iter().all(|x| x.is_finite()) {
            Some(Homography(h))
        } else {
            None
        }
    }

    /// `self · o`: applies `o` first, then `self`.
    pub fn mul(&self, o: &Homography) -> Homography {
        let (a, b) = (&self.0, &o.0);
        let mut m = [0f64; 9];
        for r in 0..3 {
            for c in 0..3 {
                m[r * 3 + c] = (0..3).map(|k| a[r * 3 + k] * b[k * 3 + c]).sum();
            }
        }
        Homography(m)
    }

    /// The inverse; `None` when singular.
    pub fn inverse(&self) -> Option<Homography> {
        let m = &self.0;
        let c = [
            m[4] * m[8] - m[5] * m[7],
            m[2] * m[7] - m[1] * m[8],
            m[1] * m[5] - m[2] * m[4],
            m[5] * m[6] - m[3] * m[8],
            m[0] * m[8] - m[2] * m[6],
            m[2] * m[3] - m[0] * m[5],
            m[3] * m[7] - m[4] * m[6],
            m[1] * m[6] - m[0] * m[7],
            m[0] * m[4] - m[1] * m[3],
        ];
        let det = m[0] * c[0] + m[1] * c[3] + m[2] * c[6];
        if det.abs() < 1e-15 || !det.is_finite() {
            return None;
        }
        Some(Homography(c.map(|v| v / det)))
    }

    pub fn apply(&self, [u, v]: Pt) -> Pt {
        let h = &self.0;
        let w = h[6] * u + h[7] * v + h[8];
        [
            (h[0] * u + h[1] * v + h[2]) / w,
            (h[3] * u + h[4] * v + h[5]) / w,
        ]
    }
}

pub fn dist(a: Pt, b: Pt) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

fn cross(o: Pt, a: Pt, b: Pt) -> f64 {
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
}

/// Convex hull (Andrew's monotone chain), counter-clockwise in a y-up frame.
pub fn convex_hull(mut pts: Vec<Pt>) -> Vec<Pt> {
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let mut lower: Vec<Pt> = Vec::new();
    for &p in &pts {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], p) <= 0.0 {
            lower.pop();
        }
        lower.push(p);
    }
    let mut upper: Vec<Pt> = Vec::new();
    for &p in pts.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], p) <= 0.0 {
            upper.pop();
        }
        upper.push(p);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// Area of a simple polygon (shoelace), always positive.
pub fn polygon_area(p: &[Pt]) -> f64 {
    let n = p.len();
    let mut s = 0.0;
    for i in 0..n {
        let (a, b) = (p[i], p[(i + 1) % n]);
        s += a[0] * b[1] - b[0] * a[1];
    }
    s.abs() / 2.0
}

/// Orders four points clockwise on screen (y down), starting from the one nearest the
/// top-left (smallest x + y).
pub fn order_clockwise(q: [Pt; 4]) -> [Pt; 4] {
    let c = [
        q.iter().map(|p| p[0]).sum::<f64>() / 4.0,
        q.iter().map(|p| p[1]).sum::<f64>() / 4.0,
    ];
    let mut v = q;
    v.sort_by(|a, b| {
        let ta = (a[1] - c[1]).atan2(a[0] - c[0]);
        let tb = (b[1] - c[1]).atan2(b[0] - c[0]);
        ta.total_cmp(&tb)
    });
    let start = (0..4)
        .min_by(|&i, &j| (v[i][0] + v[i][1]).total_cmp(&(v[j][0] + v[j][1])))
        .unwrap_or(0);
    [
        v[start],
        v[(start + 1) % 4],
        v[(start + 2) % 4],
        v[(start + 3) % 4],
    ]
}

/// True when the quad, in the given order, is strictly convex (all turns one way).
pub fn is_convex(q: &[Pt; 4]) -> bool {
    let mut sign = 0.0;
    for i in 0..4 {
        let c = cross(q[i], q[(i + 1) % 4], q[(i + 2) % 4]);
        if c.abs() < 1e-9 {
            return false;
        }
        if sign == 0.0 {
            sign = c.signum();
        } else if c.signum() != sign {
            return false;
        }
    }
    true
}

/// A line `n·p = d` with unit normal `n`.
#[derive(Debug, Clone, Copy)]
pub struct Line {
    pub n: Pt,
    pub d: f64,
}

impl Line {
    /// Total-least-squares fit; `None` for fewer than two distinct points.
    pub fn fit(pts: &[Pt]) -> Option<Line> {
        if pts.len() < 2 {
            return None;
        }
        let k = pts.len() as f64;
        let mx = pts.iter().map(|p| p[0]).sum::<f64>() / k;
        let my = pts.iter().map(|p| p[1]).sum::<f64>() / k;
        let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
        for p in pts {
            let (dx, dy) = (p[0] - mx, p[1] - my);
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        // Direction of largest spread; the normal is perpendicular to it.
        let theta = 0.5 * (2.0 * sxy).atan2(sxx - syy);
        let dir = [theta.cos(), theta.sin()];
        let n = [-dir[1], dir[0]];
        if !(sxx + syy).is_finite() || sxx + syy == 0.0 {
            return None;
        }
        Some(Line {
            n,
            d: n[0] * mx + n[1] * my,
        })
    }

    pub fn distance(&self, p: Pt) -> f64 {
        self.n[0] * p[0] + self.n[1] * p[1] - self.d
    }

    pub fn intersect(&self, o: &Line) -> Option<Pt> {
        let det = self.n[0] * o.n[1] - self.n[1] * o.n[0];
        if det.abs() < 1e-9 {
            return None;
        }
        Some([
            (self.d * o.n[1] - self.n[1] * o.d) / det,
            (self.n[0] * o.d - self.d * o.n[0]) / det,
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homography_maps_the_four_points() {
        let src = [[0.0, 0.0], [100.0, 0.0], [100.0, 140.0], [0.0, 140.0]];
        let dst = [[12.0, 30.0], [210.0, 18.0], [230.0, 300.0], [5.0, 280.0]];
        let h = Homography::from_points(&src, &dst).unwrap();
        for i in 0..4 {
            let p = h.apply(src[i]);
            assert!(dist(p, dst[i]) < 1e-6, "{p:?}");
        }
    }

    #[test]
    fn degenerate_points_have_no_homography() {
        let src = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        assert!(Homography::from_points(&src, &src).is_none());
    }

    #[test]
    fn orders_a_rotated_square_clockwise_from_top_left() {
        let q = order_clockwise([[90.0, 100.0], [10.0, 12.0], [100.0, 8.0], [5.0, 95.0]]);
        assert_eq!(q, [[10.0, 12.0], [100.0, 8.0], [90.0, 100.0], [5.0, 95.0]]);
        assert!(is_convex(&q));
    }

    #[test]
    fn fitted_lines_meet_at_the_corner() {
        let a = Line::fit(&[[0.0, 1.0], [10.0, 1.0], [20.0, 1.0]]).unwrap();
        let b = Line::fit(&[[3.0, 0.0], [3.0, 5.0], [3.0, 9.0]]).unwrap();
        let p = a.intersect(&b).unwrap();
        assert!(dist(p, [3.0, 1.0]) < 1e-9);
    }
}
