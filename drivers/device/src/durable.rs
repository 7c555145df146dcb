//! Files that hold a promise to a citizen (a kept receipt, a kept A4 form, the
//! outbox key, the hall catalog cache) are replaced all at once or not at all,
//! and survive a power cut once the call returns.
//!
//! The sequence is the one POSIX gives for this (see `rename(2)` and
//! `fsync(2)`; the same as SQLite's and git's):
//!
//! 1. write the bytes to `NAME.part` in the same folder (same filesystem, so
//!    the rename below is atomic);
//! 2. `fsync` that file — its bytes are on the disk;
//! 3. `rename` it over `NAME` — readers see the old file or the new one, never
//!    a mix;
//! 4. `fsync` the folder — the rename itself is on the disk.
//!
//! A crash between 1 and 3 leaves a `.part` file beside the old one (or beside
//! nothing), which [`sweep_parts`] removes at start-up; a crash after 3 but
//! before 4 may lose the rename on some filesystems, but never tears the file.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The steps of [`write_atomic`], in order, as a test can observe them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `NAME.part` written and closed.
    Written,
    /// `NAME.part` flushed to the disk.
    FileSynced,
    /// `NAME.part` renamed over `NAME`.
    Renamed,
    /// The folder flushed to the disk: done.
    DirSynced,
}

/// Where the bytes go first.
pub fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

/// Replaces `path` with `bytes` durably (see the module docs). `mode` is the
/// permission of a new file (e.g. `0o600` for a key).
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    write_atomic_observed(path, bytes, mode, &mut |_| Ok(()))
}

/// [`write_atomic`] with `after` called once each step is done; an error from
/// `after` stops there, leaving the files as a crash at that point would.
pub fn write_atomic_observed(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    after: &mut dyn FnMut(Step) -> io::Result<()>,
) -> io::Result<()> {
    let dir = parent(path);
    let part = part_path(path);
    write_synced(&part, bytes, mode, after)?;
    std::fs::rename(&part, path)?;
    after(Step::Renamed)?;
    sync_dir(&dir)?;
    after(Step::DirSynced)
}

/// Writes `bytes` to the side file `part` (replacing one a crash left) and
/// flushes it to the disk; `after` is told each step.
fn write_synced(
    part: &Path,
    bytes: &[u8],
    mode: u32,
    after: &mut dyn FnMut(Step) -> io::Result<()>,
) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(part)?;
    f.write_all(bytes)?;
    after(Step::Written)?;
    f.sync_all()?;
    drop(f);
    after(Step::FileSynced)
}

/// Creates `path` with `bytes` only if it does not exist yet (a key must never
/// be replaced), durably: written beside it, flushed, then linked into place
/// with `link(2)`, which fails if the name exists. Returns `Ok(false)` when
/// another file was there first (its content is the one to use).
pub fn create_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<bool> {
    let dir = parent(path);
    let part = part_path(path);
    write_synced(&part, bytes, mode, &mut |_| Ok(()))?;
    let linked = std::fs::hard_link(&part, path);
    let _ = std::fs::remove_file(&part);
    match linked {
        Ok(()) => {
            sync_dir(&dir)?;
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes `*.part` files a crash left in `dir`; returns how many.
pub fn sweep_parts(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "part"))
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count()
}

/// Flushes a folder's entries (new, renamed or removed names) to the disk.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crash_at(stop: Step) -> impl FnMut(Step) -> io::Result<()> {
        move |s| {
            if s == stop {
                Err(io::Error::other("power cut"))
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn the_steps_come_in_the_durable_order() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("job.escpos");
        let mut seen = Vec::new();
        write_atomic_observed(&p, b"new", 0o644, &mut |s| {
            // At each step the file under its real name is old or new, whole.
            seen.push((s, std::fs::read(&p).ok()));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![
                (Step::Written, None),
                (Step::FileSynced, None),
                (Step::Renamed, Some(b"new".to_vec())),
                (Step::DirSynced, Some(b"new".to_vec())),
            ]
        );
        assert!(!part_path(&p).exists());
    }

    #[test]
    fn a_crash_before_the_rename_leaves_the_old_file_whole() {
        for stop in [Step::Written, Step::FileSynced] {
            let d = tempfile::tempdir().unwrap();
            let p = d.path().join("catalog.json");
            write_atomic(&p, b"old version", 0o644).unwrap();
            let r = write_atomic_observed(&p, b"NEW", 0o644, &mut crash_at(stop));
            assert!(r.is_err());
            assert_eq!(std::fs::read(&p).unwrap(), b"old version", "{stop:?}");
            // The half-done write is swept at the next start.
            assert_eq!(sweep_parts(d.path()), 1);
            assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
        }
    }

    #[test]
    fn a_crash_after_the_rename_leaves_the_new_file_whole() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("catalog.json");
        write_atomic(&p, b"old version", 0o644).unwrap();
        let _ = write_atomic_observed(&p, b"NEW", 0o644, &mut crash_at(Step::Renamed));
        assert_eq!(std::fs::read(&p).unwrap(), b"NEW");
        assert_eq!(sweep_parts(d.path()), 0);
    }

    #[test]
    fn a_new_file_gets_the_mode_asked_for() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("outbox.key");
        assert!(create_new(&p, &[7; 32], 0o600).unwrap());
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // A second create keeps the first key.
        assert!(!create_new(&p, &[9; 32], 0o600).unwrap());
        assert_eq!(std::fs::read(&p).unwrap(), vec![7; 32]);
        assert!(!part_path(&p).exists());
    }
}
