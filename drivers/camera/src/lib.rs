//! Document camera (高拍仪).
//!
//! The kiosk holds a [`Camera`] handle and asks it for full-resolution stills. The
//! simulated camera behind the same handle serves JPEG frames from an image folder,
//! in name order, round and round, and rejects a frame that does not decode — a
//! corrupt frame is an error, never a panic. V4L2 capture, the preview stream and
//! the page-finding pipeline are the subject of their own issue.

pub mod geom;
pub mod pdf;
pub mod pipeline;
pub mod synth;
mod tj;

pub use pdf::pdf_from_pages;
pub use pipeline::{
    id_card_copy, scan_jpeg, warp_with_corners, PageJpeg, Scan, ScanError, ScanOptions, StageTimes,
    Target,
};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

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
}

impl CameraError {
    /// The sentence a citizen sees.
    pub fn citizen_message(&self) -> &'static str {
        match self {
            CameraError::NoFrames(_) | CameraError::Folder { .. } => {
                "高拍仪暂不可用，请联系工作人员"
            }
            CameraError::CorruptFrame { .. } => "拍摄的图像不完整，请重新拍摄",
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

#[derive(Clone)]
pub struct Camera {
    folder: PathBuf,
    next: Arc<AtomicUsize>,
}

impl Camera {
    /// A camera that serves the `.jpg`/`.jpeg` files of `folder`.
    pub fn simulated(folder: impl Into<PathBuf>) -> Self {
        Camera {
            folder: folder.into(),
            next: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn frames(&self) -> Result<Vec<PathBuf>, CameraError> {
        let rd = std::fs::read_dir(&self.folder).map_err(|source| CameraError::Folder {
            path: self.folder.display().to_string(),
            source,
        })?;
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_jpeg_name(p))
            .collect();
        v.sort();
        if v.is_empty() {
            return Err(CameraError::NoFrames(self.folder.display().to_string()));
        }
        Ok(v)
    }

    pub fn status(&self) -> DeviceStatus {
        match self.frames() {
            Ok(_) => DeviceStatus::Ready,
            Err(e) => DeviceStatus::Offline(e.to_string()),
        }
    }

    /// Takes one full-resolution still.
    pub fn capture(&self) -> Result<Still, CameraError> {
        let frames = self.frames()?;
        let i = self.next.fetch_add(1, Ordering::Relaxed) % frames.len();
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
    fn empty_folder_makes_the_camera_offline() {
        let d = dir("empty");
        let cam = Camera::simulated(&d);
        assert!(matches!(cam.status(), DeviceStatus::Offline(_)));
        assert!(matches!(cam.capture(), Err(CameraError::NoFrames(_))));
    }
}
