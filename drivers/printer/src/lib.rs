//! Receipt printer (ESC/POS thermal, 58/80 mm).
//!
//! [`escpos`] builds job bytes (pure, tested byte for byte). [`Printer`] is the
//! handle the kiosk prints through; the simulated printer behind it spools each
//! job to a folder as a file, written atomically so a job is either whole or not
//! there. [`status`] reduces `DLE EOT` real-time status; [`net`] prints over TCP
//! 9100 with status between chunks and a reprint queue; [`sim`] is a loopback
//! printer that answers status and runs out of paper on demand. Raster text with
//! the bundled font, QR codes, USB/serial transports and the PNG-rendering
//! simulator are still to come (issue #5).

pub mod escpos;
pub mod net;
pub mod sim;
pub mod status;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use kiosk_device::DeviceStatus;

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("printer spool {path}: {source}")]
    Spool {
        path: String,
        source: std::io::Error,
    },
}

impl PrintError {
    pub fn citizen_message(&self) -> &'static str {
        "打印机暂不可用，请到窗口领取回执"
    }
}

#[derive(Clone)]
pub struct Printer {
    spool: PathBuf,
    seq: Arc<AtomicU64>,
}

impl Printer {
    /// A printer whose paper is files in `spool`.
    pub fn spool(spool: impl Into<PathBuf>) -> Self {
        Printer {
            spool: spool.into(),
            seq: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn status(&self) -> DeviceStatus {
        match std::fs::create_dir_all(&self.spool) {
            Ok(()) => DeviceStatus::Ready,
            Err(e) => DeviceStatus::Offline(format!("{}: {e}", self.spool.display())),
        }
    }

    /// Prints one job; `name` becomes part of the spooled file name. Returns that file.
    pub fn print(&self, name: &str, job: &[u8]) -> Result<PathBuf, PrintError> {
        let err = |p: &Path, source| PrintError::Spool {
            path: p.display().to_string(),
            source,
        };
        std::fs::create_dir_all(&self.spool).map_err(|e| err(&self.spool, e))?;
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        let path = self.spool.join(format!("{stamp}-{n:04}-{safe}.escpos"));
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, job).map_err(|e| err(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| err(&path, e))?;
        tracing::info!(job = %safe, bytes = job.len(), "printed");
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spools_whole_jobs_only() {
        let d = std::env::temp_dir().join(format!("spool-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let p = Printer::spool(&d);
        assert_eq!(p.status(), DeviceStatus::Ready);
        let f = p.print("receipt/HN 1", b"\x1b@hello").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"\x1b@hello");
        assert!(f
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with("receipt_HN_1.escpos"));
        let parts = std::fs::read_dir(&d).unwrap().filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "part")
        });
        assert_eq!(parts.count(), 0);
    }

    #[test]
    fn unwritable_spool_is_offline() {
        let p = Printer::spool("/proc/no-such-printer");
        assert!(matches!(p.status(), DeviceStatus::Offline(_)));
        assert!(p.print("x", b"y").is_err());
    }
}
