//! Document camera (高拍仪).
//!
//! The kiosk holds a [`Camera`] handle and asks it for full-resolution stills. The
//! simulated camera behind the same handle serves JPEG frames from an image folder,
//! in name order, round and round, and rejects a frame that does not decode — a
//! corrupt frame is an error, never a panic. V4L2 capture, the preview stream and
//! the page-finding pipeline are the subject of their own issue.
//!
//! Issue #4 adds: [`pipeline`] (find the page, straighten, flatten, encode — pure),
//! [`pdf`] (a material's pages as one PDF), [`v4l2`] (UVC capture, hand-written ioctls)
//! behind the same [`Camera`] handle, low-resolution previews from either source, and
//! [`synth`] (test photos of a page on a desk with their true corners).

pub mod geom;
pub mod pdf;
pub mod pipeline;
pub mod synth;
mod tj;
pub mod v4l2;

pub use pdf::pdf_from_pages;
pub use pipeline::{
    id_card_copy, outline_rgb, scan_jpeg, warp_with_corners, PageJpeg, Scan, ScanError,
    ScanOptions, StageTimes, Target,
};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kiosk_device::DeviceStatus;

#[derive(Debug, thiserror::Error)]
pub enum CameraError {
    #[error("camera folder {0} holds no .jpg frames")]
    NoFrames(String),
    #[error("camera folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("frame {path} is not a readable JPEG: {reason}")]
    CorruptFrame { path: String, reason: String },
    /// No camera at the configured node (unplugged, or never there).
    #[error("no capture device at {0}")]
    NotFound(String),
    /// The camera went away mid-capture; the next call tries to reconnect.
    #[error("camera {0} was lost mid-capture")]
    Lost(String),
    #[error("camera {path}: {source}")]
    Device {
        path: String,
        source: std::io::Error,
    },
    #[error("camera {0} offers neither MJPEG nor YUYV")]
    NoFormat(String),
    #[error("bad frame from the camera: {0}")]
    BadFrame(&'static str),
}

impl CameraError {
    /// The sentence a citizen sees.
    pub fn citizen_message(&self) -> &'static str {
        match self {
            CameraError::NoFrames(_) | CameraError::Folder { .. } => {
                "高拍仪暂不可用，请联系工作人员"
            }
            CameraError::CorruptFrame { .. } | CameraError::BadFrame(_) => {
                "拍摄的图像不完整，请重新拍摄"
            }
            CameraError::NotFound(_) => "未检测到高拍仪，请联系工作人员",
            CameraError::Lost(_) => "高拍仪连接中断，正在重新连接，请稍候再拍",
            CameraError::Device { .. } | CameraError::NoFormat(_) => {
                "高拍仪暂不可用，请联系工作人员"
            }
        }
    }
}

/// A captured still, JPEG-encoded. Personal data: zeroised on drop, `Debug` shows the size only.
pub struct Still {
    pub jpeg: zeroize::Zeroizing<Vec<u8>>,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for Still {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Still {{ {}x{}, {} bytes }}",
            self.width,
            self.height,
            self.jpeg.len()
        )
    }
}

/// A low-resolution live frame for the UI, packed RGB. Personal data: wiped on drop,
/// `Debug` shows the size only.
pub struct PreviewFrame {
    pub rgb: zeroize::Zeroizing<Vec<u8>>,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for PreviewFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PreviewFrame {{ {}x{} }}", self.width, self.height)
    }
}

/// The kiosk's handle on the document camera: a folder simulator or a V4L2 device.
/// Cheap to clone; clones share the device.
#[derive(Clone)]
pub struct Camera {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Folder {
        folder: PathBuf,
        next: Arc<AtomicUsize>,
    },
    V4l2 {
        cfg: v4l2::CaptureConfig,
        dev: Arc<Mutex<Option<v4l2::V4l2Device>>>,
    },
}

// SAFETY: the device's buffers are plain shared memory mappings owned by the device;
// the Mutex gives one thread at a time access to them.
unsafe impl Send for v4l2::V4l2Device {}

impl Camera {
    /// A camera that serves the `.jpg`/`.jpeg` files of `folder`.
    pub fn simulated(folder: impl Into<PathBuf>) -> Self {
        Camera {
            backend: Backend::Folder {
                folder: folder.into(),
                next: Arc::new(AtomicUsize::new(0)),
            },
        }
    }

    /// A UVC camera through V4L2. Opened on first use; after it is lost, every call
    /// tries to reopen it, so it comes back by itself when plugged in again.
    pub fn v4l2(cfg: v4l2::CaptureConfig) -> Self {
        Camera {
            backend: Backend::V4l2 {
                cfg,
                dev: Arc::new(Mutex::new(None)),
            },
        }
    }

    fn frames(folder: &Path) -> Result<Vec<PathBuf>, CameraError> {
        let rd = std::fs::read_dir(folder).map_err(|source| CameraError::Folder {
            path: folder.display().to_string(),
            source,
        })?;
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_jpeg_name(p))
            .collect();
        v.sort();
        if v.is_empty() {
            return Err(CameraError::NoFrames(folder.display().to_string()));
        }
        Ok(v)
    }

    /// Runs `f` on the open device, opening or reopening it first; a lost device is
    /// dropped so that the next call reconnects.
    fn with_device<T>(
        cfg: &v4l2::CaptureConfig,
        dev: &Mutex<Option<v4l2::V4l2Device>>,
        f: impl FnOnce(&mut v4l2::V4l2Device) -> Result<T, CameraError>,
    ) -> Result<T, CameraError> {
        let mut guard = dev.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(v4l2::V4l2Device::open(cfg)?);
            tracing::info!("document camera opened");
        }
        let Some(d) = guard.as_mut() else {
            return Err(CameraError::NotFound("camera".into()));
        };
        let r = f(d);
        if let Err(CameraError::Lost(_) | CameraError::Device { .. }) = &r {
            tracing::warn!("document camera lost; will reconnect on the next call");
            *guard = None;
        }
        r
    }

    pub fn status(&self) -> DeviceStatus {
        let r = match &self.backend {
            Backend::Folder { folder, .. } => Self::frames(folder).map(|_| ()),
            Backend::V4l2 { cfg, dev } => Self::with_device(cfg, dev, |_| Ok(())),
        };
        match r {
            Ok(()) => DeviceStatus::Ready,
            Err(e) => DeviceStatus::Offline(e.to_string()),
        }
    }

    /// Takes one full-resolution still.
    pub fn capture(&self) -> Result<Still, CameraError> {
        match &self.backend {
            Backend::Folder { folder, next } => {
                let frames = Self::frames(folder)?;
                let i = next.fetch_add(1, Ordering::Relaxed) % frames.len();
                let path = &frames[i];
                let bytes = std::fs::read(path).map_err(|source| CameraError::Folder {
                    path: path.display().to_string(),
                    source,
                })?;
                let corrupt = |reason: String| CameraError::CorruptFrame {
                    path: path.display().to_string(),
                    reason,
                };
                let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
                    .map_err(|e| corrupt(e.to_string()))?;
                Ok(Still {
                    width: img.width(),
                    height: img.height(),
                    jpeg: zeroize::Zeroizing::new(bytes),
                })
            }
            Backend::V4l2 { cfg, dev } => {
                let raw = Self::with_device(cfg, dev, |d| d.still())?;
                still_from_raw(&raw)
            }
        }
    }

    /// A live frame at most `max_w × max_h` for the UI. The simulator shows the frame the
    /// next [`capture`](Self::capture) will take, decoded at reduced size by the JPEG
    /// decoder itself (≥ 15 fps is measured in the tests).
    pub fn preview(&self, max_w: u32, max_h: u32) -> Result<PreviewFrame, CameraError> {
        match &self.backend {
            Backend::Folder { folder, next } => {
                let frames = Self::frames(folder)?;
                let path = &frames[next.load(Ordering::Relaxed) % frames.len()];
                let bytes = zeroize::Zeroizing::new(std::fs::read(path).map_err(|source| {
                    CameraError::Folder {
                        path: path.display().to_string(),
                        source,
                    }
                })?);
                preview_from_jpeg(&bytes, max_w, max_h).map_err(|reason| {
                    CameraError::CorruptFrame {
                        path: path.display().to_string(),
                        reason,
                    }
                })
            }
            Backend::V4l2 { cfg, dev } => {
                let raw = Self::with_device(cfg, dev, |d| d.frame())?;
                match raw.format {
                    v4l2::PixelFormat::Mjpeg => preview_from_jpeg(&raw.data, max_w, max_h)
                        .map_err(|_| CameraError::BadFrame("preview frame is not a readable JPEG")),
                    v4l2::PixelFormat::Yuyv => {
                        let rgb = v4l2::yuyv_to_rgb(&raw.data, raw.width, raw.height)?;
                        Ok(PreviewFrame {
                            rgb: zeroize::Zeroizing::new(rgb),
                            width: raw.width,
                            height: raw.height,
                        })
                    }
                }
            }
        }
    }
}

/// A JPEG decoded to packed RGB at the largest n/8 scale that fits in
/// `max_w × max_h` (libjpeg-turbo's DCT scaling: far cheaper than decoding
/// whole and shrinking). For previews, thumbnails and the corner-drag view.
pub fn preview_from_jpeg(jpeg: &[u8], max_w: u32, max_h: u32) -> Result<PreviewFrame, String> {
    let (rgb, width, height) =
        tj::decode_rgb_scaled(jpeg, max_w, max_h).map_err(|e| format!("{e:?}"))?;
    Ok(PreviewFrame {
        rgb: zeroize::Zeroizing::new(rgb),
        width,
        height,
    })
}

fn still_from_raw(raw: &v4l2::RawFrame) -> Result<Still, CameraError> {
    match raw.format {
        v4l2::PixelFormat::Mjpeg => {
            // Decoded once to prove it whole: a torn MJPEG frame is an error, not a scan.
            let p = tj::decode_planes(&raw.data)
                .map_err(|_| CameraError::BadFrame("still is not a readable JPEG"))?;
            Ok(Still {
                width: p.y.w as u32,
                height: p.y.h as u32,
                jpeg: zeroize::Zeroizing::new(raw.data.clone()),
            })
        }
        v4l2::PixelFormat::Yuyv => {
            let mut rgb = v4l2::yuyv_to_rgb(&raw.data, raw.width, raw.height)?;
            let jpeg = tj::encode_rgb(&rgb, raw.width, raw.height, 92);
            wipe(&mut rgb);
            let jpeg = jpeg.map_err(|_| CameraError::BadFrame("still could not be encoded"))?;
            Ok(Still {
                width: raw.width,
                height: raw.height,
                jpeg: zeroize::Zeroizing::new(jpeg),
            })
        }
    }
}

/// Overwrites a buffer that held pixels before it is freed. `black_box` keeps the
/// compiler from dropping the stores as dead (the buffer is about to be freed).
pub(crate) fn wipe(buf: &mut [u8]) {
    buf.fill(0);
    std::hint::black_box(&*buf);
}

pub(crate) fn wipe_u32(buf: &mut [u32]) {
    buf.fill(0);
    std::hint::black_box(&*buf);
}

fn is_jpeg_name(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_pixel(8, 6, image::Rgb([250, 250, 250]));
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .unwrap();
        out.into_inner()
    }

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("cam-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn serves_frames_in_name_order_round_and_round() {
        let d = dir("order");
        let j = tiny_jpeg();
        std::fs::write(d.join("b.jpg"), &j).unwrap();
        std::fs::write(d.join("a.jpg"), &j).unwrap();
        std::fs::write(d.join("notes.txt"), b"x").unwrap();
        let cam = Camera::simulated(&d);
        assert_eq!(cam.status(), DeviceStatus::Ready);
        for _ in 0..3 {
            let s = cam.capture().unwrap();
            assert_eq!((s.width, s.height), (8, 6));
        }
    }

    #[test]
    fn corrupt_frame_is_an_error_with_a_citizen_message() {
        let d = dir("corrupt");
        let mut j = tiny_jpeg();
        j.truncate(20);
        std::fs::write(d.join("a.jpg"), &j).unwrap();
        let err = Camera::simulated(&d).capture().unwrap_err();
        assert!(matches!(err, CameraError::CorruptFrame { .. }), "{err}");
        assert_eq!(err.citizen_message(), "拍摄的图像不完整，请重新拍摄");
    }

    #[test]
    fn simulator_preview_runs_at_15_fps_or_more() {
        let cam = Camera::simulated(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/sim/camera"
        ));
        let t = std::time::Instant::now();
        let n = 30;
        for _ in 0..n {
            let p = cam.preview(640, 480).unwrap();
            assert!(p.width <= 640 && p.height <= 480 && p.width >= 200);
            assert_eq!(p.rgb.len(), (p.width * p.height * 3) as usize);
        }
        let fps = f64::from(n) / t.elapsed().as_secs_f64();
        println!("simulator preview: {fps:.0} fps");
        assert!(fps >= 15.0, "{fps:.1} fps");
    }

    #[test]
    fn preview_debug_shows_no_pixels() {
        let p = PreviewFrame {
            rgb: zeroize::Zeroizing::new(vec![1, 2, 3]),
            width: 1,
            height: 1,
        };
        assert_eq!(format!("{p:?}"), "PreviewFrame { 1x1 }");
    }

    #[test]
    fn an_unplugged_v4l2_camera_is_offline_and_says_so() {
        let cam = Camera::v4l2(v4l2::CaptureConfig {
            device: Some("/dev/video-kiosk-absent".into()),
            width: 3264,
            height: 2448,
            format: v4l2::PixelFormat::Mjpeg,
            preview_width: 640,
            preview_height: 480,
        });
        assert!(matches!(cam.status(), DeviceStatus::Offline(_)));
        let e = cam.capture().unwrap_err();
        assert!(matches!(e, CameraError::NotFound(_)), "{e}");
        assert!(cam.preview(640, 480).is_err());
    }

    #[test]
    fn empty_folder_makes_the_camera_offline() {
        let d = dir("empty");
        let cam = Camera::simulated(&d);
        assert!(matches!(cam.status(), DeviceStatus::Offline(_)));
        assert!(matches!(cam.capture(), Err(CameraError::NoFrames(_))));
    }
}
