//! UVC document cameras through V4L2, with the few ioctls written by hand against
//! `<linux/videodev2.h>` (the 64-bit Linux layouts — x86-64 and aarch64 — with
//! every struct's size asserted at compile time, and a compile error on any
//! other target), so no bindgen or libclang is needed to build.
//!
//! Why by hand and not the `v4l` crate: that crate generates its bindings with
//! bindgen at build time (its `v4l2-sys-mit` build script), so every build of
//! the kiosk — CI and the terminal image — would need libclang; the kiosk needs
//! only QUERYCAP, ENUM_FMT, ENUM_FRAMESIZES, S_FMT, REQBUFS/QUERYBUF/QBUF/DQBUF
//! and STREAMON/OFF with mmap, each written against the header below, with
//! the layouts pinned by the size assertions.
//!
//! One [`V4l2Device`] owns the open device and its mmap'd buffers; the camera's
//! worker thread (`worker`) owns the device, so it never crosses threads. It
//! streams at the preview size and, for a still, stops, switches to the full size,
//! takes a frame (after a few frames for exposure to settle) and goes back. A device
//! that disappears (ioctl or poll says `ENODEV`/`POLLERR`, or a read times out) is
//! reported as [`CameraError::Lost`]; [`open_again`] reopens the same camera when
//! it is back (found by its USB bus path, else by its node).
//!
//! Pure parts, tested without hardware: choosing a format from what the device offers
//! ([`choose_format`]), YUYV → RGB ([`yuyv_to_rgb`]), and the error for an absent device.

use std::ffi::CStr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::CameraError;

/// The pixel formats taken from the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PixelFormat {
    /// Motion-JPEG: each frame is a JPEG (what document cameras give at full size).
    Mjpeg,
    /// YUYV 4:2:2, uncompressed (usually only at small sizes over USB 2).
    Yuyv,
}

impl PixelFormat {
    fn fourcc(self) -> u32 {
        match self {
            PixelFormat::Mjpeg => fourcc(b"MJPG"),
            PixelFormat::Yuyv => fourcc(b"YUYV"),
        }
    }
    fn from_fourcc(f: u32) -> Option<PixelFormat> {
        if f == fourcc(b"MJPG") || f == fourcc(b"JPEG") {
            Some(PixelFormat::Mjpeg)
        } else if f == fourcc(b"YUYV") {
            Some(PixelFormat::Yuyv)
        } else {
            None
        }
    }
}

const fn fourcc(c: &[u8; 4]) -> u32 {
    (c[0] as u32) | (c[1] as u32) << 8 | (c[2] as u32) << 16 | (c[3] as u32) << 24
}

/// One format a device offers, with its discrete frame sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatInfo {
    pub format: PixelFormat,
    pub sizes: Vec<(u32, u32)>,
}

/// A capture device found under /dev.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub path: PathBuf,
    pub card: String,
    pub driver: String,
    pub bus: String,
    pub formats: Vec<FormatInfo>,
}

/// What the kiosk asks of the camera (from the terminal config).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureConfig {
    /// A /dev/videoN node; `None` takes the first capture device.
    #[serde(default)]
    pub device: Option<PathBuf>,
    pub width: u32,
    pub height: u32,
    pub format: PixelFormat,
    #[serde(default = "default_preview_w")]
    pub preview_width: u32,
    #[serde(default = "default_preview_h")]
    pub preview_height: u32,
}

fn default_preview_w() -> u32 {
    640
}
fn default_preview_h() -> u32 {
    480
}

/// The format and size to ask for: the wanted format at exactly the wanted size if
/// offered; otherwise the wanted format's smallest size at least as large (then its
/// largest); otherwise the other format the same way. `None` if neither is offered.
pub fn choose_format(
    offered: &[FormatInfo],
    want: PixelFormat,
    w: u32,
    h: u32,
) -> Option<(PixelFormat, u32, u32)> {
    let other = match want {
        PixelFormat::Mjpeg => PixelFormat::Yuyv,
        PixelFormat::Yuyv => PixelFormat::Mjpeg,
    };
    for fmt in [want, other] {
        let sizes: Vec<(u32, u32)> = offered
            .iter()
            .filter(|f| f.format == fmt)
            .flat_map(|f| f.sizes.iter().copied())
            .collect();
        if sizes.is_empty() {
            continue;
        }
        if sizes.contains(&(w, h)) {
            return Some((fmt, w, h));
        }
        let area = |s: &(u32, u32)| u64::from(s.0) * u64::from(s.1);
        if let Some(s) = sizes
            .iter()
            .filter(|s| s.0 >= w && s.1 >= h)
            .min_by_key(|s| area(s))
        {
            return Some((fmt, s.0, s.1));
        }
        if let Some(s) = sizes.iter().max_by_key(|s| area(s)) {
            return Some((fmt, s.0, s.1));
        }
    }
    None
}

/// YUYV 4:2:2 (Y0 U Y1 V per two pixels, BT.601 limited range) to packed RGB.
pub fn yuyv_to_rgb(src: &[u8], w: u32, h: u32) -> Result<Vec<u8>, CameraError> {
    let (w, h) = (w as usize, h as usize);
    if w == 0 || h == 0 || w % 2 != 0 || src.len() < w * h * 2 {
        return Err(CameraError::BadFrame("YUYV frame shorter than its size"));
    }
    let mut out = vec![0u8; w * h * 3];
    for (s, d) in src[..w * h * 2]
        .chunks_exact(4)
        .zip(out.chunks_exact_mut(6))
    {
        let (u, v) = (i32::from(s[1]) - 128, i32::from(s[3]) - 128);
        // Fixed-point BT.601: R = 1.164(Y−16) + 1.596V, G = … − 0.392U − 0.813V, B = … + 2.017U.
        let (rv, gu, gv, bu) = (409 * v, -100 * u, -208 * v, 516 * u);
        for (k, &y) in [s[0], s[2]].iter().enumerate() {
            let c = 298 * (i32::from(y) - 16) + 128;
            d[k * 3] = ((c + rv) >> 8).clamp(0, 255) as u8;
            d[k * 3 + 1] = ((c + gu + gv) >> 8).clamp(0, 255) as u8;
            d[k * 3 + 2] = ((c + bu) >> 8).clamp(0, 255) as u8;
        }
    }
    Ok(out)
}

// ---- <linux/videodev2.h> -------------------------------------------------------------

const BUF_TYPE_VIDEO_CAPTURE: u32 = 1;
const MEMORY_MMAP: u32 = 1;
const FIELD_NONE: u32 = 1;
const CAP_VIDEO_CAPTURE: u32 = 0x0000_0001;
const CAP_STREAMING: u32 = 0x0400_0000;
const CAP_DEVICE_CAPS: u32 = 0x8000_0000;
const FRMSIZE_TYPE_DISCRETE: u32 = 1;

#[repr(C)]
struct Capability {
    driver: [u8; 16],
    card: [u8; 32],
    bus_info: [u8; 32],
    version: u32,
    capabilities: u32,
    device_caps: u32,
    reserved: [u32; 3],
}

#[repr(C)]
struct FmtDesc {
    index: u32,
    type_: u32,
    flags: u32,
    description: [u8; 32],
    pixelformat: u32,
    mbus_code: u32,
    reserved: [u32; 3],
}

#[repr(C)]
struct FrmSizeEnum {
    index: u32,
    pixel_format: u32,
    type_: u32,
    /// discrete: width, height; stepwise: min_w, max_w, step_w, min_h, max_h, step_h.
    u: [u32; 6],
    reserved: [u32; 2],
}

#[repr(C)]
#[derive(Clone, Copy)]
struct PixFormat {
    width: u32,
    height: u32,
    pixelformat: u32,
    field: u32,
    bytesperline: u32,
    sizeimage: u32,
    colorspace: u32,
    priv_: u32,
    flags: u32,
    enc: u32,
    quantization: u32,
    xfer_func: u32,
}

#[repr(C)]
struct Format {
    type_: u32,
    // The kernel's union holds pointers (struct v4l2_window), so it is 8-aligned.
    _pad: u32,
    pix: PixFormat,
    _rest: [u8; 200 - 48],
}

#[repr(C)]
struct RequestBuffers {
    count: u32,
    type_: u32,
    memory: u32,
    capabilities: u32,
    flags: u8,
    reserved: [u8; 3],
}

#[repr(C)]
struct Buffer {
    index: u32,
    type_: u32,
    bytesused: u32,
    flags: u32,
    field: u32,
    _pad: u32,
    timestamp: [i64; 2],
    timecode: [u32; 4],
    sequence: u32,
    memory: u32,
    m_offset: u64,
    length: u32,
    reserved2: u32,
    request_fd: u32,
    _pad2: u32,
}

// The structs below are the kernel's layouts on 64-bit Linux (struct
// v4l2_buffer holds a struct timeval of two 64-bit longs and a pointer-sized
// union). A 32-bit board (armv7, e.g. RK3288) lays them out differently and
// would pass wrong sizes to the ioctls: refuse to build there rather than
// corrupt memory at run time.
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
compile_error!(
    "drivers/camera/src/v4l2.rs has the 64-bit Linux V4L2 layouts only; \
     a 32-bit target needs its own struct v4l2_buffer/v4l2_format layouts"
);

const _: () = assert!(std::mem::size_of::<Capability>() == 104);
const _: () = assert!(std::mem::size_of::<FmtDesc>() == 64);
const _: () = assert!(std::mem::size_of::<FrmSizeEnum>() == 44);
const _: () = assert!(std::mem::size_of::<Format>() == 208);
const _: () = assert!(std::mem::size_of::<RequestBuffers>() == 20);
const _: () = assert!(std::mem::size_of::<Buffer>() == 88);

const fn ioc(dir: u64, nr: u64, size: usize) -> u64 {
    (dir << 30) | ((size as u64) << 16) | ((b'V' as u64) << 8) | nr
}
const R: u64 = 2;
const W: u64 = 1;
const RW: u64 = 3;
const VIDIOC_QUERYCAP: u64 = ioc(R, 0, 104);
const VIDIOC_ENUM_FMT: u64 = ioc(RW, 2, 64);
const VIDIOC_S_FMT: u64 = ioc(RW, 5, 208);
const VIDIOC_REQBUFS: u64 = ioc(RW, 8, 20);
const VIDIOC_QUERYBUF: u64 = ioc(RW, 9, 88);
const VIDIOC_QBUF: u64 = ioc(RW, 15, 88);
const VIDIOC_DQBUF: u64 = ioc(RW, 17, 88);
const VIDIOC_STREAMON: u64 = ioc(W, 18, 4);
const VIDIOC_STREAMOFF: u64 = ioc(W, 19, 4);
const VIDIOC_ENUM_FRAMESIZES: u64 = ioc(RW, 74, 44);

fn xioctl<T>(fd: &OwnedFd, req: u64, arg: &mut T) -> std::io::Result<()> {
    loop {
        // SAFETY: `arg` is a #[repr(C)] struct whose size is encoded in `req` (asserted
        // above); the kernel reads and writes only that many bytes.
        let r = unsafe { libc::ioctl(fd.as_raw_fd(), req as _, arg as *mut T) };
        if r == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

fn zeroed<T>() -> T {
    // SAFETY: only used for the plain-integer #[repr(C)] structs above, for which all
    // zero bytes is a valid value.
    unsafe { std::mem::zeroed() }
}

fn c_str(b: &[u8]) -> String {
    CStr::from_bytes_until_nul(b)
        .map(|c| c.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn open_node(path: &Path) -> Result<OwnedFd, CameraError> {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| CameraError::NotFound(path.display().to_string()))?;
    // SAFETY: a NUL-terminated path; the returned fd is owned exactly once below.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_RDWR | libc::O_NONBLOCK | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        let e = std::io::Error::last_os_error();
        return Err(match e.raw_os_error() {
            Some(libc::ENOENT) | Some(libc::ENODEV) | Some(libc::ENXIO) => {
                CameraError::NotFound(path.display().to_string())
            }
            _ => CameraError::Device {
                path: path.display().to_string(),
                source: e,
            },
        });
    }
    // SAFETY: `fd` is a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn query(fd: &OwnedFd, path: &Path) -> Result<DeviceInfo, CameraError> {
    let dev_err = |source| CameraError::Device {
        path: path.display().to_string(),
        source,
    };
    let mut cap: Capability = zeroed();
    xioctl(fd, VIDIOC_QUERYCAP, &mut cap).map_err(dev_err)?;
    let caps = if cap.capabilities & CAP_DEVICE_CAPS != 0 {
        cap.device_caps
    } else {
        cap.capabilities
    };
    if caps & CAP_VIDEO_CAPTURE == 0 || caps & CAP_STREAMING == 0 {
        return Err(CameraError::NotFound(format!(
            "{} is not a streaming capture device",
            path.display()
        )));
    }
    let mut formats = Vec::new();
    for index in 0..64 {
        let mut d: FmtDesc = zeroed();
        d.index = index;
        d.type_ = BUF_TYPE_VIDEO_CAPTURE;
        if xioctl(fd, VIDIOC_ENUM_FMT, &mut d).is_err() {
            break;
        }
        let Some(format) = PixelFormat::from_fourcc(d.pixelformat) else {
            continue;
        };
        let mut sizes = Vec::new();
        for si in 0..256 {
            let mut s: FrmSizeEnum = zeroed();
            s.index = si;
            s.pixel_format = d.pixelformat;
            if xioctl(fd, VIDIOC_ENUM_FRAMESIZES, &mut s).is_err() {
                break;
            }
            if s.type_ == FRMSIZE_TYPE_DISCRETE {
                sizes.push((s.u[0], s.u[1]));
            } else {
                // Stepwise/continuous: offer the largest and a preview size.
                sizes.push((s.u[1], s.u[4]));
                sizes.push((s.u[0].max(640).min(s.u[1]), s.u[3].max(480).min(s.u[4])));
                break;
            }
        }
        formats.push(FormatInfo { format, sizes });
    }
    Ok(DeviceInfo {
        path: path.to_path_buf(),
        card: c_str(&cap.card),
        driver: c_str(&cap.driver),
        bus: c_str(&cap.bus_info),
        formats,
    })
}

/// Capture devices under /dev (video4linux nodes that can stream), in node order.
pub fn list_devices() -> Vec<DeviceInfo> {
    let mut nodes: Vec<PathBuf> = std::fs::read_dir("/dev")
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("video"))
                })
                .collect()
        })
        .unwrap_or_default();
    nodes.sort();
    nodes
        .iter()
        .filter_map(|p| open_node(p).ok().and_then(|fd| query(&fd, p).ok()))
        .collect()
}

struct Mapped {
    ptr: *mut libc::c_void,
    len: usize,
}

impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: ptr/len came from a successful mmap and are unmapped once.
        unsafe {
            libc::munmap(self.ptr, self.len);
        }
    }
}

/// A frame as the camera sent it. Personal data: wiped on drop, `Debug` shows sizes.
pub struct RawFrame {
    pub format: PixelFormat,
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl Drop for RawFrame {
    fn drop(&mut self) {
        crate::wipe(&mut self.data);
    }
}

impl std::fmt::Debug for RawFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RawFrame {{ {:?} {}x{}, {} bytes }}",
            self.format,
            self.width,
            self.height,
            self.data.len()
        )
    }
}

/// An open, streaming V4L2 camera.
pub struct V4l2Device {
    cfg: CaptureConfig,
    info: DeviceInfo,
    fd: OwnedFd,
    buffers: Vec<Mapped>,
    current: (PixelFormat, u32, u32),
    streaming: bool,
}

impl std::fmt::Debug for V4l2Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "V4l2Device {{ {} {:?} }}",
            self.info.path.display(),
            self.current
        )
    }
}

const READ_TIMEOUT: Duration = Duration::from_secs(2);
const SETTLE_FRAMES: usize = 3;

impl V4l2Device {
    /// Opens the configured camera (or the first capture device) and streams previews.
    pub fn open(cfg: &CaptureConfig) -> Result<V4l2Device, CameraError> {
        let path = match &cfg.device {
            Some(p) => p.clone(),
            None => list_devices()
                .into_iter()
                .next()
                .map(|d| d.path)
                .ok_or_else(|| CameraError::NotFound("/dev/video*".into()))?,
        };
        let fd = open_node(&path)?;
        let info = query(&fd, &path)?;
        let mut dev = V4l2Device {
            cfg: cfg.clone(),
            info,
            fd,
            buffers: Vec::new(),
            current: (cfg.format, 0, 0),
            streaming: false,
        };
        dev.start(cfg.preview_width, cfg.preview_height)?;
        Ok(dev)
    }

    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn lost_or(&self, e: std::io::Error) -> CameraError {
        match e.raw_os_error() {
            Some(libc::ENODEV) | Some(libc::ENXIO) | Some(libc::EIO) | Some(libc::EPIPE) => {
                CameraError::Lost(self.info.path.display().to_string())
            }
            _ => CameraError::Device {
                path: self.info.path.display().to_string(),
                source: e,
            },
        }
    }

    fn stop(&mut self) {
        if self.streaming {
            let mut t = BUF_TYPE_VIDEO_CAPTURE as libc::c_int;
            let _ = xioctl(&self.fd, VIDIOC_STREAMOFF, &mut t);
            self.streaming = false;
        }
        self.buffers.clear();
        let mut rb: RequestBuffers = zeroed();
        rb.type_ = BUF_TYPE_VIDEO_CAPTURE;
        rb.memory = MEMORY_MMAP;
        let _ = xioctl(&self.fd, VIDIOC_REQBUFS, &mut rb);
    }

    fn start(&mut self, w: u32, h: u32) -> Result<(), CameraError> {
        self.stop();
        let (format, w, h) = choose_format(&self.info.formats, self.cfg.format, w, h)
            .ok_or(CameraError::NoFormat(self.info.path.display().to_string()))?;
        let mut f: Format = zeroed();
        f.type_ = BUF_TYPE_VIDEO_CAPTURE;
        f.pix.width = w;
        f.pix.height = h;
        f.pix.pixelformat = format.fourcc();
        f.pix.field = FIELD_NONE;
        xioctl(&self.fd, VIDIOC_S_FMT, &mut f).map_err(|e| self.lost_or(e))?;
        let got = PixelFormat::from_fourcc(f.pix.pixelformat)
            .ok_or(CameraError::NoFormat(self.info.path.display().to_string()))?;
        self.current = (got, f.pix.width, f.pix.height);
        let mut rb: RequestBuffers = zeroed();
        rb.count = 4;
        rb.type_ = BUF_TYPE_VIDEO_CAPTURE;
        rb.memory = MEMORY_MMAP;
        xioctl(&self.fd, VIDIOC_REQBUFS, &mut rb).map_err(|e| self.lost_or(e))?;
        for index in 0..rb.count {
            let mut b: Buffer = zeroed();
            b.index = index;
            b.type_ = BUF_TYPE_VIDEO_CAPTURE;
            b.memory = MEMORY_MMAP;
            xioctl(&self.fd, VIDIOC_QUERYBUF, &mut b).map_err(|e| self.lost_or(e))?;
            // SAFETY: offset and length are what the driver gave for this buffer.
            let ptr = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    b.length as usize,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED,
                    self.fd.as_raw_fd(),
                    b.m_offset as libc::off_t,
                )
            };
            if ptr == libc::MAP_FAILED {
                return Err(self.lost_or(std::io::Error::last_os_error()));
            }
            self.buffers.push(Mapped {
                ptr,
                len: b.length as usize,
            });
            xioctl(&self.fd, VIDIOC_QBUF, &mut b).map_err(|e| self.lost_or(e))?;
        }
        let mut t = BUF_TYPE_VIDEO_CAPTURE as libc::c_int;
        xioctl(&self.fd, VIDIOC_STREAMON, &mut t).map_err(|e| self.lost_or(e))?;
        self.streaming = true;
        Ok(())
    }

    /// The next frame at the current size.
    pub fn frame(&mut self) -> Result<RawFrame, CameraError> {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let r = unsafe { libc::poll(&mut pfd, 1, READ_TIMEOUT.as_millis() as libc::c_int) };
        if r == 0 {
            return Err(CameraError::Lost(self.info.path.display().to_string()));
        }
        if r < 0 {
            return Err(self.lost_or(std::io::Error::last_os_error()));
        }
        if pfd.revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0 {
            return Err(CameraError::Lost(self.info.path.display().to_string()));
        }
        let mut b: Buffer = zeroed();
        b.type_ = BUF_TYPE_VIDEO_CAPTURE;
        b.memory = MEMORY_MMAP;
        xioctl(&self.fd, VIDIOC_DQBUF, &mut b).map_err(|e| self.lost_or(e))?;
        let m = self
            .buffers
            .get(b.index as usize)
            .ok_or(CameraError::BadFrame("driver returned an unknown buffer"))?;
        let n = (b.bytesused as usize).min(m.len);
        // SAFETY: the mapping is m.len bytes long and the driver filled bytesused ≤ len.
        let data = unsafe { std::slice::from_raw_parts(m.ptr as *const u8, n) }.to_vec();
        xioctl(&self.fd, VIDIOC_QBUF, &mut b).map_err(|e| self.lost_or(e))?;
        let (format, width, height) = self.current;
        Ok(RawFrame {
            format,
            width,
            height,
            data,
        })
    }

    /// A full-size frame: switches to the configured size, lets exposure settle, takes
    /// one frame and goes back to preview.
    pub fn still(&mut self) -> Result<RawFrame, CameraError> {
        let (w, h) = (self.cfg.width, self.cfg.height);
        self.start(w, h)?;
        let mut last = Err(CameraError::BadFrame("no frame"));
        for _ in 0..SETTLE_FRAMES {
            last = self.frame();
            if matches!(last, Err(CameraError::Lost(_))) {
                break;
            }
        }
        let frame = last?;
        let (pw, ph) = (self.cfg.preview_width, self.cfg.preview_height);
        self.start(pw, ph)?;
        Ok(frame)
    }
}

/// Opens the configured camera, or — after one was lost — the same camera
/// again: by its USB bus path (`last_bus`) if it came back under another
/// node, else the configured node.
pub fn open_again(cfg: &CaptureConfig, last_bus: &str) -> Result<V4l2Device, CameraError> {
    if last_bus.is_empty() {
        return V4l2Device::open(cfg);
    }
    match list_devices().into_iter().find(|d| d.bus == last_bus) {
        Some(d) => V4l2Device::open(&CaptureConfig {
            device: Some(d.path),
            ..cfg.clone()
        }),
        None => V4l2Device::open(cfg),
    }
}

impl Drop for V4l2Device {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered() -> Vec<FormatInfo> {
        vec![
            FormatInfo {
                format: PixelFormat::Yuyv,
                sizes: vec![(640, 480), (1280, 720)],
            },
            FormatInfo {
                format: PixelFormat::Mjpeg,
                sizes: vec![(640, 480), (1920, 1080), (3264, 2448), (4000, 3000)],
            },
        ]
    }

    #[test]
    fn takes_the_exact_size_in_the_wanted_format() {
        assert_eq!(
            choose_format(&offered(), PixelFormat::Mjpeg, 3264, 2448),
            Some((PixelFormat::Mjpeg, 3264, 2448))
        );
        assert_eq!(
            choose_format(&offered(), PixelFormat::Yuyv, 640, 480),
            Some((PixelFormat::Yuyv, 640, 480))
        );
    }

    #[test]
    fn takes_the_smallest_larger_size_then_the_largest() {
        assert_eq!(
            choose_format(&offered(), PixelFormat::Mjpeg, 2592, 1944),
            Some((PixelFormat::Mjpeg, 3264, 2448))
        );
        assert_eq!(
            choose_format(&offered(), PixelFormat::Mjpeg, 8000, 6000),
            Some((PixelFormat::Mjpeg, 4000, 3000))
        );
    }

    #[test]
    fn falls_back_to_the_other_format_and_to_none() {
        let only_yuyv = vec![offered()[0].clone()];
        assert_eq!(
            choose_format(&only_yuyv, PixelFormat::Mjpeg, 1280, 720),
            Some((PixelFormat::Yuyv, 1280, 720))
        );
        assert_eq!(choose_format(&[], PixelFormat::Mjpeg, 1280, 720), None);
    }

    #[test]
    fn yuyv_converts_grey_white_and_red() {
        // Two pixels per 4 bytes: Y0 U Y1 V.
        let src = [16, 128, 235, 128, 81, 90, 81, 240];
        let rgb = yuyv_to_rgb(&src, 4, 1).unwrap();
        assert_eq!(&rgb[0..3], &[0, 0, 0]);
        assert_eq!(&rgb[3..6], &[255, 255, 255]);
        // BT.601 red is Y=81, U=90, V=240.
        assert!(
            rgb[6] >= 250 && rgb[7] <= 5 && rgb[8] <= 5,
            "{:?}",
            &rgb[6..9]
        );
    }

    #[test]
    fn short_or_odd_yuyv_is_an_error() {
        assert!(yuyv_to_rgb(&[0; 7], 2, 2).is_err());
        assert!(yuyv_to_rgb(&[0; 64], 3, 2).is_err());
        assert!(yuyv_to_rgb(&[], 0, 0).is_err());
    }

    #[test]
    fn an_absent_device_is_not_found() {
        let cfg = CaptureConfig {
            device: Some("/dev/video-kiosk-absent".into()),
            width: 3264,
            height: 2448,
            format: PixelFormat::Mjpeg,
            preview_width: 640,
            preview_height: 480,
        };
        let e = V4l2Device::open(&cfg).unwrap_err();
        assert!(matches!(e, CameraError::NotFound(_)), "{e}");
    }

    #[test]
    fn a_file_that_is_not_a_camera_is_refused() {
        let f = tempfile::NamedTempFile::new().unwrap();
        let cfg = CaptureConfig {
            device: Some(f.path().to_path_buf()),
            width: 640,
            height: 480,
            format: PixelFormat::Yuyv,
            preview_width: 640,
            preview_height: 480,
        };
        assert!(V4l2Device::open(&cfg).is_err());
    }

    #[test]
    fn listing_without_cameras_is_empty_not_an_error() {
        // No camera hardware on CI machines; any listed device must at least be named.
        for d in list_devices() {
            assert!(d.path.to_string_lossy().starts_with("/dev/video"));
        }
    }
}
