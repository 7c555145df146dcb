//! A damaged SQLite file (not SQLite at all, or failing `PRAGMA
//! integrity_check`) must not stop the terminal, and must not be deleted: it
//! may hold applications not yet delivered. [`set_aside_if_damaged`] moves it
//! — with its `-wal` and `-shm` companions, which hold committed transactions
//! of their own — to a dated name beside it, so a fresh file can start, and
//! the damaged one can be read later (`kiosk outbox recover FILE`).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

/// A database file that was moved aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// Where the damaged file is now.
    pub kept_as: PathBuf,
    /// What SQLite said about it.
    pub reason: String,
}

/// The SQLite files of one database: the main file and its WAL companions.
fn companions(db: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut n = db.as_os_str().to_os_string();
        n.push(suffix);
        PathBuf::from(n)
    };
    [db.to_path_buf(), with("-wal"), with("-shm")]
}

/// Whether `db` is a healthy SQLite database: `Ok(())`, or what is wrong.
/// Opens it read-only, so checking never changes it.
pub fn check(db: &Path) -> Result<(), String> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    let mut st = conn
        .prepare("PRAGMA integrity_check")
        .map_err(|e| e.to_string())?;
    let rows: Vec<String> = st
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| e.to_string())?
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(rows.join("; "))
    }
}

/// If `db` exists and is damaged, moves it and its companions to
/// `damaged-YYYYMMDD-HHMMSS-NAME` in the same folder and says so. A missing
/// file is not damage (a first start).
pub fn set_aside_if_damaged(db: &Path) -> std::io::Result<Option<SetAside>> {
    if !db.exists() {
        return Ok(None);
    }
    let reason = match check(db) {
        Ok(()) => return Ok(None),
        Err(r) => r,
    };
    let name = db.file_name().unwrap_or_default().to_string_lossy();
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let dir = db.parent().unwrap_or(Path::new("."));
    let mut kept_as = dir.join(format!("damaged-{stamp}-{name}"));
    let mut n = 1;
    while kept_as.exists() {
        kept_as = dir.join(format!("damaged-{stamp}-{n}-{name}"));
        n += 1;
    }
    for (from, to) in companions(db).iter().zip(companions(&kept_as)) {
        if from.exists() {
            std::fs::rename(from, &to)?;
        }
    }
    kiosk_device::durable::sync_dir(dir)?;
    tracing::error!(kept_as = %kept_as.display(), %reason, "damaged database set aside; a fresh one starts");
    Ok(Some(SetAside { kept_as, reason }))
}

/// Copies a database and its companions into `dir` (so reading it — which may
/// replay its WAL — never changes the kept original). Returns the copy.
pub fn copy_for_reading(db: &Path, dir: &Path) -> std::io::Result<PathBuf> {
    let copy = dir.join(db.file_name().unwrap_or_default());
    for (from, to) in companions(db).iter().zip(companions(&copy)) {
        if from.exists() {
            std::fs::copy(from, &to)?;
        }
    }
    Ok(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_healthy_or_missing_database_stays_where_it_is() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("outbox.db");
        assert_eq!(set_aside_if_damaged(&db).unwrap(), None);
        Connection::open(&db)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        assert_eq!(set_aside_if_damaged(&db).unwrap(), None);
        assert!(db.exists());
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_moved_aside_intact() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("outbox.db");
        std::fs::write(&db, b"this is not a database, but it may be all we have").unwrap();
        let s = set_aside_if_damaged(&db).unwrap().expect("damaged");
        assert!(!db.exists());
        assert!(s
            .kept_as
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("damaged-"));
        assert_eq!(
            std::fs::read(&s.kept_as).unwrap(),
            b"this is not a database, but it may be all we have"
        );
        assert!(s.reason.contains("not a database"), "{}", s.reason);
    }
}
