//! A4 jobs that must not be lost: every PDF is written to a folder before it
//! is sent, removed only when CUPS has taken it, and sent again later
//! ([`KeptA4::reprint_pending`]) when CUPS could not be reached or refused it.
//!
//! The one hard case is an answer lost after the whole request went out
//! ([`CupsError::may_have_printed`]): CUPS may hold the job already. The file
//! then gets a `.unsure` marker, and before sending it again the queue's job
//! list is searched for its job name (each kept file's stem, unique), so a
//! form is not printed twice.

use std::path::{Path, PathBuf};

use crate::{CupsError, CupsPrinter};

/// The folder of kept A4 jobs, and the queue they go to.
#[derive(Debug, Clone)]
pub struct KeptA4 {
    dir: PathBuf,
    printer: CupsPrinter,
}

/// Why a kept job could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum KeptError {
    /// The PDF could not even be kept: nothing was sent.
    #[error("cannot keep the A4 job in {path}: {source}")]
    Store {
        path: PathBuf,
        source: std::io::Error,
    },
    /// CUPS did not take it; the PDF is kept at `kept` for a later try.
    #[error("{source} (kept at {kept})")]
    Cups { source: CupsError, kept: PathBuf },
}

const EXT: &str = "pdf";
const UNSURE: &str = "unsure";

impl KeptA4 {
    pub fn new(dir: impl Into<PathBuf>, printer: CupsPrinter) -> Self {
        let dir = dir.into();
        // A PDF half-written when the power went was never sent; not a kept job.
        kiosk_device::durable::sweep_parts(&dir);
        KeptA4 { dir, printer }
    }

    pub fn printer(&self) -> &CupsPrinter {
        &self.printer
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Keeps `pdf`, sends it, and forgets it once CUPS took it. Returns CUPS's
    /// job id. On `Err(KeptError::Cups)` the job stays kept and goes out with
    /// the next [`reprint_pending`](Self::reprint_pending).
    pub fn print(&self, name: &str, pdf: &[u8]) -> Result<i32, KeptError> {
        let path = self.keep(name, pdf)?;
        self.send(&path, pdf)
    }

    /// Kept jobs, oldest first.
    pub fn pending(&self) -> Vec<PathBuf> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == EXT))
            .collect();
        v.sort();
        v
    }

    /// Sends every kept job, oldest first; stops at the first CUPS error (the
    /// rest wait for the next call). A job CUPS may already hold (lost answer)
    /// is looked up in the queue first and not sent again if it is there.
    /// Returns how many jobs left the folder.
    pub fn reprint_pending(&self) -> Result<usize, KeptError> {
        let mut done = 0;
        for path in self.pending() {
            if path.with_extension(UNSURE).exists() {
                let stem = job_name(&path);
                let known = |completed| {
                    self.printer
                        .jobs(completed)
                        .map_err(|source| KeptError::Cups {
                            source,
                            kept: path.clone(),
                        })
                };
                // Not-completed first: a job only moves from there to the
                // completed list, so asking in this order cannot miss it.
                let held = known(false)?
                    .into_iter()
                    .chain(known(true)?)
                    .any(|j| j.name == stem);
                if held {
                    tracing::info!(job = %stem, "kept A4 job was taken by CUPS before; not sent again");
                    self.forget(&path);
                    done += 1;
                    continue;
                }
            }
            let pdf = std::fs::read(&path).map_err(|source| KeptError::Store {
                path: path.clone(),
                source,
            })?;
            self.send(&path, &pdf)?;
            done += 1;
        }
        Ok(done)
    }

    fn send(&self, path: &Path, pdf: &[u8]) -> Result<i32, KeptError> {
        match self.printer.print_pdf(&job_name(path), pdf) {
            Ok(id) => {
                self.forget(path);
                Ok(id)
            }
            Err(source) => {
                if source.may_have_printed() {
                    // Best effort: without the marker a retry may print a duplicate,
                    // which is better than losing the form.
                    let _ = kiosk_device::durable::write_atomic(
                        &path.with_extension(UNSURE),
                        b"",
                        0o600,
                    );
                }
                tracing::warn!(error = %source.technician_message(), kept = %path.display(), "A4 job kept for a later try");
                Err(KeptError::Cups {
                    source,
                    kept: path.to_path_buf(),
                })
            }
        }
    }

    fn forget(&self, path: &Path) {
        let _ = std::fs::remove_file(path.with_extension(UNSURE));
        if let Err(e) = std::fs::remove_file(path) {
            tracing::error!(error = %e, path = %path.display(), "printed A4 job not removed; it may print again");
        }
    }

    /// Writes `<time>-<seq>-<name>.pdf` atomically (the printer crate's job files).
    fn keep(&self, name: &str, pdf: &[u8]) -> Result<PathBuf, KeptError> {
        kiosk_printer::write_job_file(&self.dir, name, EXT, pdf)
            .map_err(|(path, source)| KeptError::Store { path, source })
    }
}

/// The job name CUPS is given: the kept file's stem, unique per job.
fn job_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_queue_keeps_the_pdf_whole_and_named_uniquely() {
        let dir = tempfile::tempdir().unwrap();
        // Nothing listens on port 9 of loopback (discard is not run here).
        let mut p = CupsPrinter::new("ipp://127.0.0.1:9/printers/none").unwrap();
        p.connect_timeout = std::time::Duration::from_millis(500);
        let kept = KeptA4::new(dir.path().join("a4"), p);
        let e = kept.print("申请表 ZW1", b"%PDF-1.4 one").unwrap_err();
        assert!(
            matches!(
                &e,
                KeptError::Cups {
                    source: crate::CupsError::Unreachable { .. },
                    ..
                }
            ),
            "{e:?}"
        );
        let e2 = kept.print("申请表 ZW1", b"%PDF-1.4 two").unwrap_err();
        assert!(matches!(e2, KeptError::Cups { .. }));
        let pending = kept.pending();
        assert_eq!(pending.len(), 2);
        assert_ne!(job_name(&pending[0]), job_name(&pending[1]));
        assert_eq!(std::fs::read(&pending[0]).unwrap(), b"%PDF-1.4 one");
        assert_eq!(std::fs::read(&pending[1]).unwrap(), b"%PDF-1.4 two");
        // Refused, not lost: no marker, since nothing reached CUPS.
        assert!(!pending[0].with_extension(UNSURE).exists());
        assert!(job_name(&pending[0]).ends_with("-____ZW1"));
        // Still down: nothing leaves the folder.
        assert!(kept.reprint_pending().is_err());
        assert_eq!(kept.pending().len(), 2);
    }
}
