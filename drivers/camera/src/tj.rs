//! The few TurboJPEG calls the camera needs, written against the 2.x API of Debian's
//! `libturbojpeg0-dev` (libjpeg-turbo, the same library OpenCV decodes and encodes with).
//!
//! Frames are decoded straight to Y/Cb/Cr planes and scans encoded from planes, which
//! skips the colour conversion and chroma resampling an RGB round trip would cost.
//! Every call returns `Err` on bad input: libjpeg-turbo reports both fatal errors and
//! warnings (truncated data, corrupt entropy segments) through its return value, and a
//! warning is treated as an error here — a corrupt frame must not be half-used.
//!
//! Invariant: buffers handed to C are sized from the header the same library parsed,
//! with [`MAX_PIXELS`] checked first, so a frame declaring a huge size is refused
//! before anything is allocated.
//!
//! Why bindings of our own rather than the `turbojpeg` crate: its `turbojpeg-sys`
//! binds the TurboJPEG 3 API (`tj3*`), which Debian 12 does not ship (it has
//! 2.1), so by default it builds libjpeg-turbo from bundled sources with cmake
//! and NASM; these dozen declarations link the system library the rest of the
//! machine (and OpenCV, the benchmark's peer) uses. The scan benchmark
//! (`cargo bench -p kiosk-camera --bench scan`) measures them against OpenCV.

use std::os::raw::{c_char, c_int, c_uchar, c_ulong, c_void};

type Handle = *mut c_void;

#[link(name = "turbojpeg")]
extern "C" {
    fn tjInitDecompress() -> Handle;
    fn tjInitCompress() -> Handle;
    fn tjDestroy(handle: Handle) -> c_int;
    fn tjGetErrorStr2(handle: Handle) -> *mut c_char;
    fn tjDecompressHeader3(
        handle: Handle,
        jpeg_buf: *const c_uchar,
        jpeg_size: c_ulong,
        width: *mut c_int,
        height: *mut c_int,
        subsamp: *mut c_int,
        colorspace: *mut c_int,
    ) -> c_int;
    fn tjDecompressToYUVPlanes(
        handle: Handle,
        jpeg_buf: *const c_uchar,
        jpeg_size: c_ulong,
        dst_planes: *mut *mut c_uchar,
        width: c_int,
        strides: *mut c_int,
        height: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjDecompress2(
        handle: Handle,
        jpeg_buf: *const c_uchar,
        jpeg_size: c_ulong,
        dst_buf: *mut c_uchar,
        width: c_int,
        pitch: c_int,
        height: c_int,
        pixel_format: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjCompressFromYUVPlanes(
        handle: Handle,
        src_planes: *mut *const c_uchar,
        width: c_int,
        strides: *const c_int,
        height: c_int,
        subsamp: c_int,
        jpeg_buf: *mut *mut c_uchar,
        jpeg_size: *mut c_ulong,
        jpeg_qual: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjCompress2(
        handle: Handle,
        src_buf: *const c_uchar,
        width: c_int,
        pitch: c_int,
        height: c_int,
        pixel_format: c_int,
        jpeg_buf: *mut *mut c_uchar,
        jpeg_size: *mut c_ulong,
        jpeg_subsamp: c_int,
        jpeg_qual: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjPlaneWidth(component_id: c_int, width: c_int, subsamp: c_int) -> c_int;
    fn tjPlaneHeight(component_id: c_int, height: c_int, subsamp: c_int) -> c_int;
    fn tjFree(buffer: *mut c_uchar);
}

/// Largest frame accepted, in pixels (a 16 MP camera with room to spare). A header that
/// declares more is refused before any allocation.
pub const MAX_PIXELS: u64 = 64_000_000;

// turbojpeg.h: enum TJSAMP, TJPF, TJCS.
pub const SAMP_444: i32 = 0;
pub const SAMP_420: i32 = 2;
pub const SAMP_GRAY: i32 = 3;
const NUM_SAMP: i32 = 6;
const PF_RGB: c_int = 0;
const CS_YCBCR: c_int = 1;
const CS_GRAY: c_int = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TjError {
    /// libjpeg-turbo refused the data (its own message: structural, never pixel content).
    Codec(String),
    TooLarge {
        width: u32,
        height: u32,
    },
    Unsupported(&'static str),
}

struct Tj(Handle);

impl Tj {
    fn decompressor() -> Result<Tj, TjError> {
        // SAFETY: no arguments; a null return is checked.
        let h = unsafe { tjInitDecompress() };
        if h.is_null() {
            return Err(TjError::Codec(
                "cannot create a TurboJPEG decompressor".into(),
            ));
        }
        Ok(Tj(h))
    }
    fn compressor() -> Result<Tj, TjError> {
        // SAFETY: as above.
        let h = unsafe { tjInitCompress() };
        if h.is_null() {
            return Err(TjError::Codec(
                "cannot create a TurboJPEG compressor".into(),
            ));
        }
        Ok(Tj(h))
    }
    fn error(&self) -> TjError {
        // SAFETY: the handle is live; the string is owned by the handle and copied at once.
        let msg = unsafe {
            let p = tjGetErrorStr2(self.0);
            if p.is_null() {
                String::from("unknown TurboJPEG error")
            } else {
                std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        };
        TjError::Codec(msg)
    }
}

impl Drop for Tj {
    fn drop(&mut self) {
        // SAFETY: the handle came from tjInit* and is destroyed once.
        unsafe {
            tjDestroy(self.0);
        }
    }
}

/// What a JPEG header declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub width: u32,
    pub height: u32,
    pub subsamp: i32,
}

impl Header {
    pub fn is_gray(&self) -> bool {
        self.subsamp == SAMP_GRAY
    }
}

fn c_len(bytes: &[u8]) -> Result<c_ulong, TjError> {
    if bytes.is_empty() {
        return Err(TjError::Codec("empty JPEG".into()));
    }
    c_ulong::try_from(bytes.len())
        .map_err(|_| TjError::Unsupported("JPEG larger than the C API takes"))
}

fn header_with(tj: &Tj, jpeg: &[u8]) -> Result<Header, TjError> {
    let len = c_len(jpeg)?;
    let (mut w, mut h, mut s, mut cs) = (0, 0, 0, 0);
    // SAFETY: pointer and length describe `jpeg`; out-pointers are live locals.
    let r =
        unsafe { tjDecompressHeader3(tj.0, jpeg.as_ptr(), len, &mut w, &mut h, &mut s, &mut cs) };
    if r != 0 {
        return Err(tj.error());
    }
    if w <= 0 || h <= 0 {
        return Err(TjError::Codec("JPEG declares an empty image".into()));
    }
    let (width, height) = (w as u32, h as u32);
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(TjError::TooLarge { width, height });
    }
    if !(0..NUM_SAMP).contains(&s) {
        return Err(TjError::Unsupported("unknown chroma subsampling"));
    }
    if cs != CS_YCBCR && cs != CS_GRAY {
        return Err(TjError::Unsupported(
            "only YCbCr and greyscale JPEGs are taken",
        ));
    }
    Ok(Header {
        width,
        height,
        subsamp: s,
    })
}

/// Reads the header only.
pub fn header(jpeg: &[u8]) -> Result<Header, TjError> {
    let tj = Tj::decompressor()?;
    header_with(&tj, jpeg)
}

/// One image as planes: Y, then Cb and Cr (absent for greyscale), each `w × h` with
/// stride `w`. Personal data: wiped on drop, `Debug` shows sizes only.
pub struct Planes {
    pub subsamp: i32,
    pub y: Plane,
    pub cb: Option<Plane>,
    pub cr: Option<Plane>,
}

pub struct Plane {
    pub w: usize,
    pub h: usize,
    pub data: Vec<u8>,
}

impl Plane {
    pub fn new(w: usize, h: usize, fill: u8) -> Plane {
        Plane {
            w,
            h,
            data: vec![fill; w * h],
        }
    }
}

impl Drop for Plane {
    fn drop(&mut self) {
        crate::wipe(&mut self.data);
    }
}

impl std::fmt::Debug for Plane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Plane {{ {}x{} }}", self.w, self.h)
    }
}

impl std::fmt::Debug for Planes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Planes {{ {}x{}, subsamp {} }}",
            self.y.w, self.y.h, self.subsamp
        )
    }
}

fn plane_dims(
    component: c_int,
    width: u32,
    height: u32,
    subsamp: i32,
) -> Result<(usize, usize), TjError> {
    // SAFETY: pure arithmetic functions of the library.
    let (pw, ph) = unsafe {
        (
            tjPlaneWidth(component, width as c_int, subsamp),
            tjPlaneHeight(component, height as c_int, subsamp),
        )
    };
    if pw <= 0 || ph <= 0 {
        return Err(TjError::Unsupported("plane size"));
    }
    Ok((pw as usize, ph as usize))
}

/// Chroma plane size for `subsamp` (as libjpeg-turbo lays it out).
pub fn chroma_dims(width: u32, height: u32, subsamp: i32) -> Result<(usize, usize), TjError> {
    plane_dims(1, width, height, subsamp)
}

/// Decodes to planes at full size, without colour conversion.
pub fn decode_planes(jpeg: &[u8]) -> Result<Planes, TjError> {
    let tj = Tj::decompressor()?;
    let hd = header_with(&tj, jpeg)?;
    let len = c_len(jpeg)?;
    // libjpeg-turbo 2.1 writes past the last row of a plane whose height is not a whole
    // number of MCUs (seen as heap corruption at 1654×2339, 4:2:0), so each plane gets
    // spare rows up to the next MCU boundary, wiped and cut off after decoding.
    let padded = |w: usize, h: usize| Plane {
        w,
        h,
        data: vec![0u8; w * (h.div_ceil(16) * 16 + 16)],
    };
    let mut y = padded(hd.width as usize, hd.height as usize);
    let (mut cb, mut cr) = (None, None);
    if !hd.is_gray() {
        let (cw, ch) = chroma_dims(hd.width, hd.height, hd.subsamp)?;
        cb = Some(padded(cw, ch));
        cr = Some(padded(cw, ch));
    }
    let mut ptrs: [*mut c_uchar; 3] = [
        y.data.as_mut_ptr(),
        std::ptr::null_mut(),
        std::ptr::null_mut(),
    ];
    let mut strides: [c_int; 3] = [y.w as c_int, 0, 0];
    if let (Some(b), Some(r)) = (cb.as_mut(), cr.as_mut()) {
        ptrs[1] = b.data.as_mut_ptr();
        ptrs[2] = r.data.as_mut_ptr();
        strides[1] = b.w as c_int;
        strides[2] = r.w as c_int;
    }
    // SAFETY: each plane buffer is exactly plane width × height with that stride, as
    // tjPlaneWidth/Height specify for this header; the JPEG slice outlives the call.
    let r = unsafe {
        tjDecompressToYUVPlanes(
            tj.0,
            jpeg.as_ptr(),
            len,
            ptrs.as_mut_ptr(),
            hd.width as c_int,
            strides.as_mut_ptr(),
            hd.height as c_int,
            0,
        )
    };
    for p in [Some(&mut y), cb.as_mut(), cr.as_mut()]
        .into_iter()
        .flatten()
    {
        let n = p.w * p.h;
        crate::wipe(&mut p.data[n..]);
        p.data.truncate(n);
    }
    if r != 0 {
        return Err(tj.error());
    }
    Ok(Planes {
        subsamp: hd.subsamp,
        y,
        cb,
        cr,
    })
}

/// Decodes to packed RGB, scaled down by the JPEG decoder itself (DCT scaling) to the
/// largest size that fits in `max_w × max_h` — cheap previews.
pub fn decode_rgb_scaled(
    jpeg: &[u8],
    max_w: u32,
    max_h: u32,
) -> Result<(Vec<u8>, u32, u32), TjError> {
    let tj = Tj::decompressor()?;
    let hd = header_with(&tj, jpeg)?;
    let len = c_len(jpeg)?;
    // libjpeg-turbo scales by n/8; pick the largest n whose result fits.
    let mut n = 8u32;
    let fits = |n: u32| {
        (hd.width * n).div_ceil(8) <= max_w.max(1) && (hd.height * n).div_ceil(8) <= max_h.max(1)
    };
    while n > 1 && !fits(n) {
        n -= 1;
    }
    let (w, h) = ((hd.width * n).div_ceil(8), (hd.height * n).div_ceil(8));
    let mut out = vec![0u8; w as usize * h as usize * 3];
    // SAFETY: `out` holds w × h RGB pixels with pitch w × 3, the size TurboJPEG produces
    // for this scaling factor (it rounds up exactly like div_ceil above).
    let r = unsafe {
        tjDecompress2(
            tj.0,
            jpeg.as_ptr(),
            len,
            out.as_mut_ptr(),
            w as c_int,
            (w * 3) as c_int,
            h as c_int,
            PF_RGB,
            0,
        )
    };
    if r != 0 {
        crate::wipe(&mut out);
        return Err(tj.error());
    }
    Ok((out, w, h))
}

fn take_tj_buffer(buf: *mut c_uchar, size: c_ulong) -> Vec<u8> {
    if buf.is_null() {
        return Vec::new();
    }
    // SAFETY: TurboJPEG allocated `buf` holding `size` valid bytes; copied, then freed once.
    unsafe {
        let v = std::slice::from_raw_parts(buf, size as usize).to_vec();
        std::ptr::write_bytes(buf, 0, size as usize);
        tjFree(buf);
        v
    }
}

/// Encodes planes (their `subsamp` layout) at `quality` 1..=100.
///
/// libjpeg-turbo 2.1's `tjCompressFromYUVPlanes` corrupts the heap when the image is not
/// a whole number of MCUs (seen at 674×425 and 1654×2339, 4:2:0). So the planes are
/// copied into MCU-aligned planes (edge rows and columns replicated, which is what the
/// encoder's own padding does), encoded, and the frame header's size set back to the
/// true size: the number of MCUs and the entropy-coded data are the same either way.
///
/// `size` is the image's true size when the planes are already MCU-aligned and larger
/// (the warp writes aligned planes to spare this copy); `None` means the planes' size.
pub fn encode_planes(
    p: &Planes,
    quality: u8,
    size: Option<(usize, usize)>,
) -> Result<Vec<u8>, TjError> {
    let (w, h) = size.unwrap_or((p.y.w, p.y.h));
    if w > p.y.w || h > p.y.h {
        return Err(TjError::Unsupported("image size larger than its planes"));
    }
    if w == 0 || h == 0 || w > 65_000 || h > 65_000 {
        return Err(TjError::Unsupported("image size"));
    }
    let (mw, mh) = match p.subsamp {
        SAMP_GRAY | SAMP_444 => (8, 8),
        SAMP_420 => (16, 16),
        _ => return Err(TjError::Unsupported("subsampling for encoding")),
    };
    // Aligned to whole MCUs; planes already at least that big are used as they are.
    let (pw, ph) = (w.div_ceil(mw) * mw, h.div_ceil(mh) * mh);
    let (pw, ph) =
        if p.y.w >= pw && p.y.h >= ph && p.y.w.is_multiple_of(mw) && p.y.h.is_multiple_of(mh) {
            (p.y.w, p.y.h)
        } else {
            (pw, ph)
        };
    let pad = |src: &Plane, w: usize, h: usize| -> Option<Plane> {
        if (src.w, src.h) == (w, h) {
            return None;
        }
        let mut out = Plane::new(w, h, 0);
        for r in 0..h {
            let s = &src.data[r.min(src.h - 1) * src.w..][..src.w];
            let d = &mut out.data[r * w..][..w];
            d[..src.w].copy_from_slice(s);
            let last = s[src.w - 1];
            d[src.w..].iter_mut().for_each(|v| *v = last);
        }
        Some(out)
    };
    let y_pad = pad(&p.y, pw, ph);
    let y = y_pad.as_ref().unwrap_or(&p.y);
    let mut ptrs: [*const c_uchar; 3] = [y.data.as_ptr(), std::ptr::null(), std::ptr::null()];
    let mut strides: [c_int; 3] = [pw as c_int, 0, 0];
    let chroma = match (&p.cb, &p.cr) {
        (Some(b), Some(r)) if p.subsamp != SAMP_GRAY => {
            let (cw, ch) = chroma_dims(p.y.w as u32, p.y.h as u32, p.subsamp)?;
            if (b.w, b.h) != (cw, ch) || (r.w, r.h) != (cw, ch) {
                return Err(TjError::Unsupported(
                    "chroma planes do not match the subsampling",
                ));
            }
            let (pcw, pch) = chroma_dims(pw as u32, ph as u32, p.subsamp)?;
            let (pb, pr) = (pad(b, pcw, pch), pad(r, pcw, pch));
            Some((pb, pr))
        }
        (None, None) if p.subsamp == SAMP_GRAY => None,
        _ => return Err(TjError::Unsupported("planes do not match the subsampling")),
    };
    if let (Some((pb, pr)), Some(b0), Some(r0)) = (&chroma, &p.cb, &p.cr) {
        let (b, r) = (pb.as_ref().unwrap_or(b0), pr.as_ref().unwrap_or(r0));
        ptrs[1] = b.data.as_ptr();
        ptrs[2] = r.data.as_ptr();
        strides[1] = b.w as c_int;
        strides[2] = r.w as c_int;
    }
    let tj = Tj::compressor()?;
    let mut buf: *mut c_uchar = std::ptr::null_mut();
    let mut size: c_ulong = 0;
    // SAFETY: plane pointers and strides describe live, MCU-aligned buffers of the sizes
    // tjPlaneWidth/Height give for pw × ph; TurboJPEG allocates the output, which
    // take_tj_buffer frees.
    let r = unsafe {
        tjCompressFromYUVPlanes(
            tj.0,
            ptrs.as_mut_ptr(),
            pw as c_int,
            strides.as_ptr(),
            ph as c_int,
            p.subsamp,
            &mut buf,
            &mut size,
            c_int::from(quality.clamp(1, 100)),
            0,
        )
    };
    let mut out = take_tj_buffer(buf, size);
    if r != 0 {
        return Err(tj.error());
    }
    set_frame_size(&mut out, w as u16, h as u16)?;
    Ok(out)
}

/// Rewrites the height and width of the first SOF0/SOF1/SOF2 segment.
fn set_frame_size(jpeg: &mut [u8], w: u16, h: u16) -> Result<(), TjError> {
    let mut i = 2;
    while i + 9 < jpeg.len() {
        if jpeg[i] != 0xFF {
            return Err(TjError::Codec("encoder output has no frame header".into()));
        }
        let m = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if matches!(m, 0xC0..=0xC2) {
            jpeg[i + 5..i + 7].copy_from_slice(&h.to_be_bytes());
            jpeg[i + 7..i + 9].copy_from_slice(&w.to_be_bytes());
            return Ok(());
        }
        i += 2 + len;
    }
    Err(TjError::Codec("encoder output has no frame header".into()))
}

/// Encodes packed RGB (used by the test-frame generator) with 4:2:0 chroma.
pub fn encode_rgb(rgb: &[u8], width: u32, height: u32, quality: u8) -> Result<Vec<u8>, TjError> {
    if rgb.len() as u64 != u64::from(width) * u64::from(height) * 3 || width == 0 || height == 0 {
        return Err(TjError::Unsupported("RGB buffer does not match its size"));
    }
    let tj = Tj::compressor()?;
    let mut buf: *mut c_uchar = std::ptr::null_mut();
    let mut size: c_ulong = 0;
    // SAFETY: `rgb` holds width × height × 3 bytes (checked); output as in encode_planes.
    let r = unsafe {
        tjCompress2(
            tj.0,
            rgb.as_ptr(),
            width as c_int,
            (width * 3) as c_int,
            height as c_int,
            PF_RGB,
            &mut buf,
            &mut size,
            SAMP_420,
            c_int::from(quality.clamp(1, 100)),
            0,
        )
    };
    let out = take_tj_buffer(buf, size);
    if r != 0 {
        return Err(tj.error());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planes(w: usize, h: usize) -> Planes {
        let (cw, ch) = chroma_dims(w as u32, h as u32, SAMP_420).unwrap();
        Planes {
            subsamp: SAMP_420,
            y: Plane::new(w, h, 200),
            cb: Some(Plane::new(cw, ch, 100)),
            cr: Some(Plane::new(cw, ch, 150)),
        }
    }

    #[test]
    fn planes_round_trip_at_sizes_that_are_not_whole_mcus() {
        for (w, h) in [
            (674, 425),
            (673, 425),
            (64, 64),
            (1654, 2339),
            (333, 77),
            (2480, 3508),
            (1, 1),
            (17, 3),
        ] {
            let j = encode_planes(&planes(w, h), 90, None).unwrap();
            let p = decode_planes(&j).unwrap();
            assert_eq!((p.y.w, p.y.h), (w, h));
            assert!(p.y.data.iter().all(|&v| v.abs_diff(200) <= 2));
        }
    }
}
