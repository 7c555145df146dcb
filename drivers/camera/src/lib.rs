//! Document camera (高拍仪).
//!
//! The kiosk holds a [`Camera`] handle; one worker thread owns the device and
//! makes the live preview, stills and scans (see `worker`). Behind the same
//! handle: a V4L2 camera ([`v4l2`], UVC capture with hand-written ioctls) or
//! the simulator, which serves the JPEG frames of a folder in name order,
//! round and round. A corrupt frame is an error, never a panic.
//!
//! Also here: [`pipeline`] (find the page, straighten, flatten, encode — pure),
//! [`pdf`] (a material's pages as one PDF), low-resolution previews by DCT
//! scaling, and [`synth`] (test photos of a page on a desk with their true
//! corners).

pub mod geom;
pub mod pdf;
pub mod pipeline;
pub mod synth;
mod tj;
pub mod v4l2;
mod worker;

pub use pdf::pdf_from_pages;
pub use pipeline::{
    id_card_copy, outline_rgb, scan_jpeg, warp_with_corners, PageJpeg, Scan, ScanError,
    ScanOptions, StageTimes, Target,
};
pub use worker::{Camera, LiveEvent, LiveFrame, LiveSink, Shot, REPLY_TIMEOUT};

use std::path::Path;
#[cfg(test)]
use std::path::PathBuf;

#[cfg(test)]
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
    /// The camera's worker thread is gone or did not answer in time.
    #[error("the camera does not answer")]
    Unavailable,
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

pub(crate) fn still_from_raw(raw: &v4l2::RawFrame) -> Result<Still, CameraError> {
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

pub(crate) fn is_jpeg_name(p: &Path) -> bool {
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
    fn corrupt_frame_is_an_error() {
        let d = dir("corrupt");
        let mut j = tiny_jpeg();
        j.truncate(20);
        std::fs::write(d.join("a.jpg"), &j).unwrap();
        let err = Camera::simulated(&d).capture().unwrap_err();
        assert!(matches!(err, CameraError::CorruptFrame { .. }), "{err}");
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
