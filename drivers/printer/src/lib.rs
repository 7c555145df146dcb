//! Receipt printer (ESC/POS thermal, 58/80 mm).
//!
//! [`escpos`] builds job bytes (pure, tested byte for byte). [`Printer`] is the
//! handle the kiosk prints through; the simulated printer behind it spools each
//! job to a folder as a file, written atomically so a job is either whole or not
//! there. [`status`] reduces `DLE EOT` real-time status; [`link`] prints over TCP
//! 9100, serial, USB or a device file, with status between chunks and a reprint queue; [`sim`] is a loopback
//! printer that answers status and runs out of paper on demand. [`raster`]
//! draws text with the bundled fonts; [`doc`] lays out a slip and encodes it
//! for a printer profile; [`paper`] is the simulator's renderer (ESC/POS stream
//! → PNG).

pub mod doc;
pub mod escpos;
pub mod link;
pub mod paper;
pub mod raster;
pub mod sim;
pub mod status;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use kiosk_device::DeviceStatus;
use raster::Font;

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("printer spool {path}: {source}")]
    Spool {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Link(#[from] link::LinkError),
}

/// Writes `job` into `dir` as one `<time>-<seq>-<name>.<ext>` file, durably
/// and atomically ([`kiosk_device::durable::write_atomic`]: a `.part` file,
/// fsync, rename, fsync of the folder), so a job file is whole or absent, even
/// after a power cut, and the names sort oldest first; `name` is reduced to ASCII letters, digits and '-'.
/// Used for kept receipts (`escpos`) and kept A4 forms (`pdf`). On failure: the
/// path that failed and why.
pub fn write_job_file(
    dir: &Path,
    name: &str,
    ext: &str,
    job: &[u8],
) -> Result<PathBuf, (PathBuf, std::io::Error)> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    std::fs::create_dir_all(dir).map_err(|e| (dir.to_path_buf(), e))?;
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
        .map(|d| d.as_micros())
        .unwrap_or(0);
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("{stamp}-{n:04}-{safe}.{ext}"));
    kiosk_device::durable::write_atomic(&path, job, 0o600).map_err(|e| (path.clone(), e))?;
    Ok(path)
}

#[derive(Clone)]
enum Kind {
    /// `png_dots`: also render each job's paper to a PNG of that width.
    Spool {
        dir: PathBuf,
        png_dots: Option<u32>,
    },
    Link(link::LinkPrinter),
}

/// The receipt printer the kiosk prints through.
#[derive(Clone)]
pub struct Printer {
    kind: Kind,
}

impl Printer {
    /// A printer whose paper is files in `spool` (the demo's simulated printer).
    pub fn spool(spool: impl Into<PathBuf>) -> Self {
        Printer {
            kind: Kind::Spool {
                dir: spool.into(),
                png_dots: None,
            },
        }
    }

    /// A spool printer that also puts a picture of each job's paper (PNG,
    /// `dots` wide, rendered by [`paper::render`]) beside its `.escpos` file,
    /// so people can look at what the citizen got.
    pub fn spool_with_pictures(spool: impl Into<PathBuf>, dots: u32) -> Self {
        Printer {
            kind: Kind::Spool {
                dir: spool.into(),
                png_dots: Some(dots),
            },
        }
    }

    /// An ESC/POS printer on a link (TCP 9100, serial, USB, device file),
    /// with its reprint queue.
    pub fn linked(p: link::LinkPrinter) -> Self {
        Printer {
            kind: Kind::Link(p),
        }
    }

    pub fn status(&self) -> DeviceStatus {
        match &self.kind {
            Kind::Spool { dir, .. } => match std::fs::create_dir_all(dir) {
                Ok(()) => DeviceStatus::Ready,
                Err(e) => DeviceStatus::Offline(format!("{}: {e}", dir.display())),
            },
            Kind::Link(p) => {
                let kept = p.pending().len();
                match p.status() {
                    Ok(Some(s)) if kept > 0 && s.can_print() => DeviceStatus::Warning(format!(
                        "{kept} kept slip(s) waiting to be reprinted"
                    )),
                    Ok(Some(s)) => s.device_status(),
                    Ok(None) if kept > 0 => DeviceStatus::Warning(format!(
                        "{kept} kept slip(s) waiting to be reprinted ({} cannot report its status)",
                        p.link.describe()
                    )),
                    Ok(None) => DeviceStatus::Warning(format!(
                        "status unknown: {} cannot report its status",
                        p.link.describe()
                    )),
                    Err(e) => DeviceStatus::Offline(e.to_string()),
                }
            }
        }
    }

    /// The printer's real-time state; `None` for a spool printer, which has none.
    pub fn state(&self) -> Result<Option<status::State>, PrintError> {
        match &self.kind {
            Kind::Spool { .. } => Ok(None),
            Kind::Link(p) => Ok(p.status()?),
        }
    }

    /// Jobs kept for reprinting after a failure.
    pub fn pending_jobs(&self) -> usize {
        match &self.kind {
            Kind::Spool { .. } => 0,
            Kind::Link(p) => p.pending().len(),
        }
    }

    /// Prints one job. On a network printer the job is kept on disk until the
    /// printer has taken all of it; an error leaves it for [`Printer::reprint_pending`].
    pub fn print(&self, name: &str, job: &[u8]) -> Result<(), PrintError> {
        match &self.kind {
            Kind::Spool { .. } => self.spool_print(name, job).map(|_| ()),
            Kind::Link(p) => Ok(p.print(name, job)?),
        }
    }

    /// Jobs kept after a failure are printed again; returns how many. A spool
    /// printer keeps nothing.
    pub fn reprint_pending(&self) -> Result<usize, PrintError> {
        match &self.kind {
            Kind::Spool { .. } => Ok(0),
            Kind::Link(p) if p.pending().is_empty() => Ok(0),
            Kind::Link(p) => Ok(p.reprint_pending()?),
        }
    }

    /// Spool printer: writes the job as one file, atomically. Returns that file.
    pub fn spool_print(&self, name: &str, job: &[u8]) -> Result<PathBuf, PrintError> {
        let Kind::Spool { dir, png_dots } = &self.kind else {
            return Err(PrintError::Spool {
                path: String::new(),
                source: std::io::Error::other("not a spool printer"),
            });
        };
        let path = write_job_file(dir, name, "escpos", job).map_err(|(path, source)| {
            PrintError::Spool {
                path: path.display().to_string(),
                source,
            }
        })?;
        tracing::info!(job = %path.display(), bytes = job.len(), "printed");
        if let Some(dots) = png_dots {
            // The picture is for people; the job itself is already safe on disk.
            let picture = Font::shared().and_then(|font| {
                let paper = paper::render(job, *dots, &font).map_err(|e| e.to_string())?;
                // Whole or absent, like the job itself.
                kiosk_device::durable::write_atomic(
                    &path.with_extension("png"),
                    &paper::to_png(&paper),
                    0o644,
                )
                .map_err(|e| e.to_string())
            });
            if let Err(e) = picture {
                tracing::warn!(job = %path.display(), error = %e, "no picture of the job");
            }
        }
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
        let f = p.spool_print("receipt/HN 1", b"\x1b@hello").unwrap();
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
