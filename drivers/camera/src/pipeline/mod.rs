//! The scan pipeline, pure (no I/O, no clock reads other than the stage timings it
//! reports): decode → find the page → perspective-correct to the target size →
//! flatten the light → encode JPEG; ID-card sides combined on one A4 page; pages
//! assembled into a PDF ([`crate::pdf`]).
//!
//! Invariants: every malformed input is an `Err` ([`ScanError`]), never a panic; the
//! work runs on the calling thread only; pixels are personal data — every buffer that
//! holds them is wiped on drop and no `Debug` shows them.

mod detect;
mod flatten;
mod warp;

use std::time::Instant;

use serde::Serialize;
use zeroize::Zeroizing;

use crate::geom::{dist, is_convex, order_clockwise, polygon_area, Homography, Pt};
use crate::tj::{self, Plane, Planes, TjError};

/// What the scan is cut to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// A4, 210 × 297 mm; portrait, or landscape when the page lies landscape.
    #[default]
    A4,
    /// One side of an ID card (身份证), 85.6 × 54 mm, landscape. Two sides go on one A4
    /// page with [`id_card_copy`] — the 身份证复印件 (ID-card photocopy).
    IdCard,
}

impl Target {
    /// Width × height in millimetres, portrait for A4.
    pub fn size_mm(self) -> (f64, f64) {
        match self {
            Target::A4 => (210.0, 297.0),
            Target::IdCard => (85.6, 54.0),
        }
    }

    /// Width × height in pixels at `dpi`.
    pub fn size_px(self, dpi: u32) -> (u32, u32) {
        let (w, h) = self.size_mm();
        (mm_to_px(w, dpi), mm_to_px(h, dpi))
    }
}

fn mm_to_px(mm: f64, dpi: u32) -> u32 {
    (mm / 25.4 * f64::from(dpi)).round() as u32
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScanOptions {
    /// Output resolution; 200 by default, 300 for fine print. Accepted: 50..=600.
    pub dpi: u32,
    pub target: Target,
    /// JPEG quality of the result, 1..=100.
    pub jpeg_quality: u8,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            dpi: 200,
            target: Target::A4,
            jpeg_quality: 85,
        }
    }
}

/// Milliseconds per stage. `decode` … `encode` are the stages; `total` is the whole call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StageTimes {
    pub decode: f64,
    pub detect: f64,
    pub warp: f64,
    pub flatten: f64,
    pub encode: f64,
    pub total: f64,
}

/// A scanned page. Personal data: the JPEG is wiped on drop, `Debug` shows sizes only.
pub struct Scan {
    /// The page's corners in the input frame, clockwise from top-left, in input pixels
    /// (continuous coordinates: pixel (i, j) spans [i, i+1) × [j, j+1)).
    pub corners: Option<[[f32; 2]; 4]>,
    pub jpeg: Zeroizing<Vec<u8>>,
    pub width: u32,
    pub height: u32,
    pub dpi: u32,
    pub ms: StageTimes,
}

impl std::fmt::Debug for Scan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Scan {{ {}x{} at {} dpi, {} bytes, corners found: {} }}",
            self.width,
            self.height,
            self.dpi,
            self.jpeg.len(),
            self.corners.is_some()
        )
    }
}

/// What `kiosk device camera scan --json` prints:
/// `{"corners": [[x,y],[x,y],[x,y],[x,y]], "ms": {"decode": …, "total": …}}`.
/// Corners clockwise from top-left in input pixels (`null` if none); no pixel data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanReport {
    pub corners: Option<[[f32; 2]; 4]>,
    pub ms: StageTimes,
}

impl Scan {
    /// The corners and timings, for the CLI's `--json` (serialise with serde_json).
    pub fn report(&self) -> ScanReport {
        ScanReport {
            corners: self.corners,
            ms: self.ms,
        }
    }

    /// The scan as a page for [`crate::pdf::pdf_from_pages`].
    pub fn into_page(self) -> PageJpeg {
        PageJpeg {
            width: self.width,
            height: self.height,
            dpi: self.dpi,
            gray: false,
            jpeg: self.jpeg,
        }
        .with_gray_from_header()
    }
}

/// One page of a material: a JPEG and the resolution it was made at. Personal data:
/// wiped on drop, `Debug` shows sizes only.
pub struct PageJpeg {
    jpeg: Zeroizing<Vec<u8>>,
    width: u32,
    height: u32,
    dpi: u32,
    gray: bool,
}

impl PageJpeg {
    /// Wraps JPEG bytes, reading size and colour from the header (so a page is always
    /// something a PDF can embed). `dpi` must be 1..=2400.
    pub fn from_jpeg(jpeg: Vec<u8>, dpi: u32) -> Result<PageJpeg, ScanError> {
        let jpeg = Zeroizing::new(jpeg);
        if !(1..=2400).contains(&dpi) {
            return Err(ScanError::BadOptions("dpi out of range"));
        }
        let hd = tj::header(&jpeg).map_err(ScanError::from)?;
        Ok(PageJpeg {
            width: hd.width,
            height: hd.height,
            dpi,
            gray: hd.is_gray(),
            jpeg,
        })
    }

    fn with_gray_from_header(mut self) -> PageJpeg {
        if let Ok(hd) = tj::header(&self.jpeg) {
            self.gray = hd.is_gray();
        }
        self
    }

    pub fn jpeg(&self) -> &[u8] {
        &self.jpeg
    }
    pub fn width(&self) -> u32 {
        self.width
    }
    pub fn height(&self) -> u32 {
        self.height
    }
    pub fn dpi(&self) -> u32 {
        self.dpi
    }
    pub fn is_gray(&self) -> bool {
        self.gray
    }
}

impl std::fmt::Debug for PageJpeg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PageJpeg {{ {}x{} at {} dpi, {} bytes }}",
            self.width,
            self.height,
            self.dpi,
            self.jpeg.len()
        )
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScanError {
    #[error("the frame is not a readable JPEG: {0}")]
    Corrupt(String),
    #[error("the frame declares {width}x{height} pixels, more than a camera frame can be")]
    TooLarge { width: u32, height: u32 },
    #[error("the frame is too small to hold a page")]
    TooSmall,
    #[error("unsupported JPEG: {0}")]
    Unsupported(&'static str),
    /// No page outline was found: the UI lets the citizen drag the four corners and
    /// calls [`warp_with_corners`].
    #[error("no page found in the frame")]
    NoPage,
    #[error("the corners do not outline a page: {0}")]
    BadCorners(&'static str),
    #[error("bad scan options: {0}")]
    BadOptions(&'static str),
}

impl From<TjError> for ScanError {
    fn from(e: TjError) -> Self {
        match e {
            TjError::Codec(m) => ScanError::Corrupt(m),
            TjError::TooLarge { width, height } => ScanError::TooLarge { width, height },
            TjError::Unsupported(m) => ScanError::Unsupported(m),
        }
    }
}

fn check_options(o: &ScanOptions) -> Result<(), ScanError> {
    if !(50..=600).contains(&o.dpi) {
        return Err(ScanError::BadOptions("dpi must be 50..=600"));
    }
    if !(1..=100).contains(&o.jpeg_quality) {
        return Err(ScanError::BadOptions("JPEG quality must be 1..=100"));
    }
    Ok(())
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

const MIN_SIDE: u32 = 64;

fn decode(bytes: &[u8]) -> Result<Planes, ScanError> {
    let hd = tj::header(bytes)?;
    if hd.width < MIN_SIDE || hd.height < MIN_SIDE {
        return Err(ScanError::TooSmall);
    }
    Ok(tj::decode_planes(bytes)?)
}

/// Finds the page in `y`: clockwise corners from top-left in full-resolution pixels.
fn find_page(y: &Plane, target: Target) -> Result<[Pt; 4], ScanError> {
    let (small, f) = detect::downscale(y);
    let min_frac = match target {
        Target::A4 => 0.05,
        Target::IdCard => 0.01,
    };
    let coarse = detect::coarse_quad(&small, min_frac).ok_or(ScanError::NoPage)?;
    drop(small);
    let f = f as f64;
    let full = coarse.map(|p| [p[0] * f, p[1] * f]);
    let refined = detect::refine(y, full, 3.0 * f + 6.0);
    let q = order_clockwise(refined);
    if !is_convex(&q) {
        return Err(ScanError::NoPage);
    }
    Ok(q)
}

/// Scans a camera frame: finds the page, straightens it to `opts.target` at `opts.dpi`,
/// flattens the light and encodes JPEG at `opts.jpeg_quality`. `ScanError::NoPage` means
/// "let the citizen drag the corners" ([`warp_with_corners`]).
pub fn scan_jpeg(bytes: &[u8], opts: &ScanOptions) -> Result<Scan, ScanError> {
    check_options(opts)?;
    let t0 = Instant::now();
    let planes = decode(bytes)?;
    let decode_ms = ms_since(t0);
    let t = Instant::now();
    let corners = find_page(&planes.y, opts.target)?;
    let detect_ms = ms_since(t);
    let mut scan = straighten(planes, corners, opts)?;
    scan.ms.decode = decode_ms;
    scan.ms.detect = detect_ms;
    scan.ms.total = ms_since(t0);
    Ok(scan)
}

/// The page outline in a small live frame (packed RGB, as
/// [`Camera::preview`](crate::Camera::preview) gives it), clockwise from top-left
/// in that frame's pixels, for drawing over the preview; `None` when no page is
/// seen. Coarse only (no sub-pixel refinement): a few milliseconds at 640×480.
pub fn outline_rgb(rgb: &[u8], width: u32, height: u32) -> Option<[[f32; 2]; 4]> {
    let (w, h) = (width as usize, height as usize);
    if w == 0 || h == 0 || rgb.len() != w * h * 3 {
        return None;
    }
    // BT.601 luma, the same the JPEG planes carry.
    let px: Vec<u8> = rgb
        .chunks_exact(3)
        .map(|p| {
            ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]) + 128) >> 8) as u8
        })
        .collect();
    let y = Plane { w, h, data: px };
    let (small, f) = detect::downscale(&y);
    let q = detect::coarse_quad(&small, 0.05)?;
    let f = f as f64;
    let q = order_clockwise(q.map(|p| [p[0] * f, p[1] * f]));
    is_convex(&q).then(|| q.map(|p| [p[0] as f32, p[1] as f32]))
}

/// Straightens the page outlined by `corners` (input pixels, any order; the UI's
/// dragged corners) — the manual path when [`scan_jpeg`] found no page.
pub fn warp_with_corners(
    bytes: &[u8],
    corners: [[f32; 2]; 4],
    opts: &ScanOptions,
) -> Result<Scan, ScanError> {
    check_options(opts)?;
    let t0 = Instant::now();
    let planes = decode(bytes)?;
    let decode_ms = ms_since(t0);
    let (w, h) = (planes.y.w as f64, planes.y.h as f64);
    let mut q = [[0f64; 2]; 4];
    for (o, c) in q.iter_mut().zip(corners) {
        let p = [f64::from(c[0]), f64::from(c[1])];
        if !p[0].is_finite() || !p[1].is_finite() {
            return Err(ScanError::BadCorners("a corner is not a number"));
        }
        if p[0] < -1.0 || p[1] < -1.0 || p[0] > w + 1.0 || p[1] > h + 1.0 {
            return Err(ScanError::BadCorners("a corner lies outside the frame"));
        }
        *o = p;
    }
    let q = order_clockwise(q);
    if !is_convex(&q) {
        return Err(ScanError::BadCorners(
            "the corners do not make a convex outline",
        ));
    }
    if polygon_area(&q) < 0.005 * w * h {
        return Err(ScanError::BadCorners("the outline is too small"));
    }
    let mut scan = straighten(planes, q, opts)?;
    scan.ms.decode = decode_ms;
    scan.ms.total = ms_since(t0);
    Ok(scan)
}

fn straighten(planes: Planes, corners: [Pt; 4], opts: &ScanOptions) -> Result<Scan, ScanError> {
    let t = Instant::now();
    let (tw, th) = opts.target.size_px(opts.dpi);
    let horiz = dist(corners[0], corners[1]) + dist(corners[2], corners[3]);
    let vert = dist(corners[1], corners[2]) + dist(corners[3], corners[0]);
    let lies_landscape = horiz > vert;
    let (ow, oh, src) = match opts.target {
        Target::A4 if lies_landscape => (th, tw, corners),
        Target::A4 => (tw, th, corners),
        // A card is always output landscape; one standing upright is turned.
        Target::IdCard if lies_landscape => (tw, th, corners),
        Target::IdCard => (tw, th, [corners[3], corners[0], corners[1], corners[2]]),
    };
    let (owf, ohf) = (f64::from(ow), f64::from(oh));
    let rect = [[0.0, 0.0], [owf, 0.0], [owf, ohf], [0.0, ohf]];
    let hom =
        Homography::from_points(&rect, &src).ok_or(ScanError::BadCorners("degenerate outline"))?;
    let (ow, oh) = (ow as usize, oh as usize);
    // Planes are made whole 16×16 MCUs (the few extra pixels continue the warp past the
    // page edge and are cut off by the JPEG header), so the encoder needs no copy.
    let (aw, ah) = (ow.div_ceil(16) * 16, oh.div_ceil(16) * 16);
    let y = warp::warp_plane(&planes.y, &hom, aw, ah);
    let (cb, cr, subsamp) = match (&planes.cb, &planes.cr) {
        (Some(b), Some(r)) => {
            let (cw, ch) = (aw / 2, ah / 2);
            // Output chroma pixel centres → output luma → source luma → source chroma.
            let s_out = Homography([2.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0]);
            let s_src = Homography([
                b.w as f64 / planes.y.w as f64,
                0.0,
                0.0,
                0.0,
                b.h as f64 / planes.y.h as f64,
                0.0,
                0.0,
                0.0,
                1.0,
            ]);
            let hc = s_src.mul(&hom).mul(&s_out);
            (
                Some(warp::warp_plane(b, &hc, cw, ch)),
                Some(warp::warp_plane(r, &hc, cw, ch)),
                tj::SAMP_420,
            )
        }
        _ => (None, None, tj::SAMP_GRAY),
    };
    drop(planes);
    let mut out = Planes { subsamp, y, cb, cr };
    let warp_ms = ms_since(t);
    let t = Instant::now();
    flatten::flatten(&mut out, (opts.dpi as usize).div_ceil(25), (ow, oh));
    let flatten_ms = ms_since(t);
    let t = Instant::now();
    let jpeg = Zeroizing::new(tj::encode_planes(&out, opts.jpeg_quality, Some((ow, oh)))?);
    drop(out);
    let encode_ms = ms_since(t);
    Ok(Scan {
        corners: Some(corners.map(|p| [p[0] as f32, p[1] as f32])),
        jpeg,
        width: ow as u32,
        height: oh as u32,
        dpi: opts.dpi,
        ms: StageTimes {
            decode: 0.0,
            detect: 0.0,
            warp: warp_ms,
            flatten: flatten_ms,
            encode: encode_ms,
            total: 0.0,
        },
    })
}

/// The 身份证复印件: the front and back of an ID card (each a [`Target::IdCard`] scan
/// at `opts.dpi`) centred one above the other on a white A4 page, front on top.
pub fn id_card_copy(front: &[u8], back: &[u8], opts: &ScanOptions) -> Result<PageJpeg, ScanError> {
    check_options(opts)?;
    let (pw, ph) = Target::A4.size_px(opts.dpi);
    let (pw, ph) = (pw as usize, ph as usize);
    let (cw, ch) = tj::chroma_dims(pw as u32, ph as u32, tj::SAMP_420)?;
    let mut page = Planes {
        subsamp: tj::SAMP_420,
        y: Plane::new(pw, ph, 255),
        cb: Some(Plane::new(cw, ch, 128)),
        cr: Some(Plane::new(cw, ch, 128)),
    };
    for (side, top_frac) in [(front, 0.22), (back, 0.58)] {
        let card = tj::decode_planes(side)?;
        let (w, h) = (card.y.w, card.y.h);
        if w > pw || h > ph / 2 {
            return Err(ScanError::BadOptions(
                "a card side is larger than half the page",
            ));
        }
        // Even offsets keep the 4:2:0 chroma aligned.
        let x0 = ((pw - w) / 2) & !1;
        let y0 = ((ph as f64 * top_frac) as usize).min(ph - h) & !1;
        blit(&card.y, &mut page.y, x0, y0);
        if let (Some(b), Some(r), Some(pb), Some(pr)) =
            (&card.cb, &card.cr, page.cb.as_mut(), page.cr.as_mut())
        {
            let (sx, sy) = (w.div_ceil(b.w).max(1), h.div_ceil(b.h).max(1));
            blit_resampled(b, pb, x0, y0, sx, sy, w, h);
            blit_resampled(r, pr, x0, y0, sx, sy, w, h);
        }
    }
    let jpeg = tj::encode_planes(&page, opts.jpeg_quality, None)?;
    Ok(PageJpeg {
        jpeg: Zeroizing::new(jpeg),
        width: pw as u32,
        height: ph as u32,
        dpi: opts.dpi,
        gray: false,
    })
}

fn blit(src: &Plane, dst: &mut Plane, x0: usize, y0: usize) {
    for r in 0..src.h.min(dst.h.saturating_sub(y0)) {
        let n = src.w.min(dst.w.saturating_sub(x0));
        dst.data[(y0 + r) * dst.w + x0..][..n].copy_from_slice(&src.data[r * src.w..][..n]);
    }
}

/// Copies a card's chroma plane (subsampled by `sx × sy`) into the page's 4:2:0 chroma
/// at luma offset (`x0`, `y0`), nearest sample.
#[allow(clippy::too_many_arguments)]
fn blit_resampled(
    src: &Plane,
    dst: &mut Plane,
    x0: usize,
    y0: usize,
    sx: usize,
    sy: usize,
    w: usize,
    h: usize,
) {
    let (dx0, dy0) = (x0 / 2, y0 / 2);
    for r in 0..h.div_ceil(2) {
        let ly = (r * 2).min(h - 1);
        let srow = (ly / sy).min(src.h - 1);
        if dy0 + r >= dst.h {
            break;
        }
        for c in 0..w.div_ceil(2) {
            let lx = (c * 2).min(w - 1);
            let scol = (lx / sx).min(src.w - 1);
            if dx0 + c >= dst.w {
                break;
            }
            dst.data[(dy0 + r) * dst.w + dx0 + c] = src.data[srow * src.w + scol];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a4_is_1654_by_2339_at_200_dpi_and_2480_by_3508_at_300() {
        assert_eq!(Target::A4.size_px(200), (1654, 2339));
        assert_eq!(Target::A4.size_px(300), (2480, 3508));
        assert_eq!(Target::IdCard.size_px(200), (674, 425));
    }

    #[test]
    fn stage_times_serialise_with_the_cli_keys() {
        let v = serde_json::to_value(StageTimes::default()).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        for k in ["decode", "detect", "warp", "flatten", "encode", "total"] {
            assert!(keys.contains(&k), "{keys:?}");
        }
    }
}
