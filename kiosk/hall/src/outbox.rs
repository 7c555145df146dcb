//! The durable outbox between the citizen pressing "submit" and the hall's answer.
//!
//! `enqueue` writes the application and its pages in one SQLite transaction
//! (`synchronous = FULL`) before the citizen is told anything, so an accepted
//! application survives a crash, a power cut or the hall being down. Each entry
//! carries its idempotency key from the start: however often it is delivered, the
//! hall creates one application. Personal data is sealed (see `crypt`) and wiped as
//! soon as the hall has acknowledged the application and every page.
//!
//! States: `pending` → (`submitted`: hall gave a number, pages still uploading) →
//! `done` (payload wiped). A request the hall refuses (4xx) becomes `rejected` and
//! keeps its sealed payload for staff — never dropped silently.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use zeroize::Zeroizing;

use crate::api::ApplicationRequest;
use crate::client::{HallClient, HallError};
use crate::crypt::Sealer;

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("outbox key: {0}")]
    Key(#[from] std::io::Error),
    #[error("outbox entry {0} cannot be decrypted (wrong key file?)")]
    Sealed(i64),
    #[error("outbox entry {0} not found")]
    NotFound(i64),
    #[error(transparent)]
    Hall(#[from] HallError),
}

/// A freshly stored application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub idempotency_key: String,
    /// The terminal's own reference (`T01-000007`), shown while the hall is unreachable.
    pub local_ref: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliverOutcome {
    /// The hall holds the application and every page.
    Delivered { application_no: String },
    /// Already delivered earlier.
    AlreadyDone { application_no: String },
}

pub struct Outbox {
    conn: Mutex<Connection>,
    sealer: Sealer,
    terminal_id: String,
    /// One delivery at a time, so two callers never race on one entry.
    deliver_lock: tokio::sync::Mutex<()>,
    dir: std::path::PathBuf,
    /// The damaged outbox this start found and moved aside, if any.
    damaged: Option<Damaged>,
}

/// An outbox database found damaged at start-up and moved aside intact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    pub kept_as: std::path::PathBuf,
    pub reason: String,
    /// Undelivered applications still readable in it (`None`: cannot tell).
    pub undelivered: Option<u32>,
}

/// What [`Outbox::recover_from`] found in a damaged outbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Undelivered applications it lists.
    pub found: u32,
    /// Of those, copied into this outbox (they are delivered from here).
    pub recovered: u32,
    /// Of those, already in this outbox (an earlier recovery).
    pub already: u32,
    /// Of those, not readable (their rows or pages are damaged, or sealed
    /// with another key).
    pub unreadable: u32,
    /// Pages copied with the recovered applications.
    pub pages: u32,
}

/// A page waiting to be uploaded.
pub struct PendingPage {
    pub material_id: String,
    pub page: u32,
    pub jpeg: Zeroizing<Vec<u8>>,
}

/// Damaged outboxes kept in `dir` and not yet recovered, oldest first.
pub fn damaged_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("damaged-") && n.ends_with(".db"))
    });
    v.sort();
    v
}

/// How many undelivered applications a (damaged) outbox still lists, if it
/// can be read that far; it is read from a copy, never changed.
fn count_undelivered_in(db: &Path) -> Option<u32> {
    let tmp = tempdir_in(db.parent()?).ok()?;
    let copy = crate::damage::copy_for_reading(db, tmp.path()).ok()?;
    let conn = Connection::open(&copy).ok()?;
    conn.query_row(
        "SELECT COUNT(*) FROM entry WHERE state IN ('pending','submitted')",
        [],
        |r| r.get::<_, i64>(0),
    )
    .ok()
    .map(|n| n as u32)
}

/// A private scratch folder beside the outbox (same disk, removed on drop).
fn tempdir_in(dir: &Path) -> std::io::Result<ScratchDir> {
    let p = dir.join(format!(
        ".scratch-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&p)?;
    Ok(ScratchDir(p))
}

struct ScratchDir(std::path::PathBuf);
impl ScratchDir {
    fn path(&self) -> &Path {
        &self.0
    }
}
impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Outbox {
    /// Opens (or creates) `outbox.db` and `outbox.key` in `dir`. A damaged
    /// `outbox.db` is moved aside intact (see [`Outbox::damaged`]) and a fresh
    /// one started, so the terminal keeps taking applications.
    pub fn open(dir: &Path, terminal_id: &str) -> Result<Self, OutboxError> {
        std::fs::create_dir_all(dir)?;
        let sealer = Sealer::open_or_create(&dir.join("outbox.key"))?;
        let db = dir.join("outbox.db");
        let damaged = crate::damage::set_aside_if_damaged(&db)?.map(|s| Damaged {
            undelivered: count_undelivered_in(&s.kept_as),
            kept_as: s.kept_as,
            reason: s.reason,
        });
        let conn = Connection::open(&db)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             CREATE TABLE IF NOT EXISTS entry (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 idempotency_key TEXT NOT NULL UNIQUE,
                 created_at TEXT NOT NULL,
                 state TEXT NOT NULL DEFAULT 'pending',
                 application_no TEXT,
                 attempts INTEGER NOT NULL DEFAULT 0,
                 last_error TEXT,
                 payload BLOB
             );
             CREATE TABLE IF NOT EXISTS page (
                 entry_id INTEGER NOT NULL REFERENCES entry(id),
                 material_id TEXT NOT NULL,
                 page INTEGER NOT NULL,
                 blob BLOB NOT NULL,
                 PRIMARY KEY (entry_id, material_id, page)
             );",
        )?;
        Ok(Outbox {
            conn: Mutex::new(conn),
            sealer,
            terminal_id: terminal_id.to_string(),
            deliver_lock: tokio::sync::Mutex::new(()),
            dir: dir.to_path_buf(),
            damaged,
        })
    }

    /// The damaged outbox moved aside when this one was opened, if any.
    pub fn damaged(&self) -> Option<&Damaged> {
        self.damaged.as_ref()
    }

    /// Damaged outboxes kept in this outbox's folder and not yet recovered
    /// (`damaged-*-outbox.db`), oldest first.
    pub fn damaged_files(&self) -> Vec<std::path::PathBuf> {
        damaged_files(&self.dir)
    }

    /// Copies every undelivered application still readable in the damaged
    /// outbox `file` (with its pages and its idempotency key, so the hall
    /// never makes a second application of it) into this outbox, from where
    /// it is delivered like any other. `file` itself is not changed; once all
    /// it lists is readable it is renamed `recovered-…` (kept, not deleted).
    pub fn recover_from(&self, file: &Path) -> Result<Recovered, OutboxError> {
        let tmp = tempdir_in(&self.dir)?;
        let copy = crate::damage::copy_for_reading(file, tmp.path())?;
        let old = Connection::open_with_flags(
            &copy,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // The ids to look at: from the table if it can be scanned, else every
        // id up to the highest one handed out.
        let ids: Vec<i64> = match old
            .prepare("SELECT id FROM entry WHERE state IN ('pending','submitted') ORDER BY id")
            .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        {
            Ok(ids) => ids,
            Err(e) => {
                tracing::warn!(error = %e, "damaged outbox: entry table not scannable; trying each id");
                let max: i64 = old
                    .query_row(
                        "SELECT seq FROM sqlite_sequence WHERE name = 'entry'",
                        [],
                        |r| r.get(0),
                    )
                    .or_else(|_| old.query_row("SELECT max(rowid) FROM entry", [], |r| r.get(0)))?;
                (1..=max).collect()
            }
        };
        let mut out = Recovered::default();
        for id in ids {
            type Row = (String, String, String, Option<String>, Option<Vec<u8>>);
            let row: Result<Option<Row>, _> = old
                .query_row(
                    "SELECT idempotency_key, created_at, state, application_no, payload FROM entry WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional();
            let (key, created, state, number, payload) = match row {
                Ok(Some(r)) if r.2 == "pending" || r.2 == "submitted" => r,
                Ok(_) => continue,
                Err(e) => {
                    tracing::warn!(entry = id, error = %e, "damaged outbox: entry unreadable");
                    out.found += 1;
                    out.unreadable += 1;
                    continue;
                }
            };
            out.found += 1;
            let pages: Result<Vec<(String, u32, Vec<u8>)>, _> = old
                .prepare("SELECT material_id, page, blob FROM page WHERE entry_id = ?1")
                .and_then(|mut st| {
                    st.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                        .collect()
                });
            // Everything must open with this terminal's key, or it is not recovered.
            let readable = match (&pages, &payload) {
                (Ok(p), Some(pl)) => {
                    self.sealer.open(pl).is_some()
                        && p.iter().all(|(_, _, b)| self.sealer.open(b).is_some())
                }
                (Ok(p), None) => {
                    number.is_some() && p.iter().all(|(_, _, b)| self.sealer.open(b).is_some())
                }
                (Err(_), _) => false,
            };
            let Ok(pages) = pages.map_err(
                |e| tracing::warn!(entry = id, error = %e, "damaged outbox: pages unreadable"),
            ) else {
                out.unreadable += 1;
                continue;
            };
            if !readable {
                tracing::warn!(
                    entry = id,
                    "damaged outbox: entry does not open with this terminal's key"
                );
                out.unreadable += 1;
                continue;
            }
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            let n = tx.execute(
                "INSERT OR IGNORE INTO entry (idempotency_key, created_at, state, application_no, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key, created, state, number, payload],
            )?;
            if n == 0 {
                out.already += 1;
                continue;
            }
            let new_id = tx.last_insert_rowid();
            for (material, page, blob) in &pages {
                tx.execute(
                    "INSERT INTO page (entry_id, material_id, page, blob) VALUES (?1, ?2, ?3, ?4)",
                    params![new_id, material, page, blob],
                )?;
            }
            tx.commit()?;
            out.recovered += 1;
            out.pages += pages.len() as u32;
        }
        drop(old);
        if out.unreadable == 0 {
            if let Some(name) = file.file_name().and_then(|n| n.to_str()) {
                if let Some(rest) = name.strip_prefix("damaged-") {
                    let to = file.with_file_name(format!("recovered-{rest}"));
                    for (a, b) in ["", "-wal", "-shm"].iter().map(|s| {
                        let f = |p: &Path| {
                            let mut o = p.as_os_str().to_os_string();
                            o.push(s);
                            std::path::PathBuf::from(o)
                        };
                        (f(file), f(&to))
                    }) {
                        if a.exists() {
                            std::fs::rename(&a, &b)?;
                        }
                    }
                }
            }
        }
        tracing::info!(
            found = out.found,
            recovered = out.recovered,
            already = out.already,
            unreadable = out.unreadable,
            "damaged outbox read"
        );
        Ok(out)
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (transactions), so carry on.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn local_ref(&self, id: i64) -> String {
        format!("{}-{id:06}", self.terminal_id)
    }

    /// Stores an application and its pages durably. Only after this returns may
    /// the citizen be told the application was accepted.
    pub fn enqueue(
        &self,
        req: &ApplicationRequest,
        pages: &[(String, u32, &[u8])],
    ) -> Result<OutboxEntry, OutboxError> {
        let key = uuid::Uuid::new_v4().to_string();
        let json = Zeroizing::new(
            serde_json::to_vec(req).map_err(|e| std::io::Error::other(e.to_string()))?,
        );
        let sealed = self.sealer.seal(&json);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO entry (idempotency_key, created_at, payload) VALUES (?1, ?2, ?3)",
            params![key, chrono::Utc::now().to_rfc3339(), sealed],
        )?;
        let id = tx.last_insert_rowid();
        for (material, page, jpeg) in pages {
            tx.execute(
                "INSERT INTO page (entry_id, material_id, page, blob) VALUES (?1, ?2, ?3, ?4)",
                params![id, material, page, self.sealer.seal(jpeg)],
            )?;
        }
        tx.commit()?;
        tracing::info!(
            entry = id,
            pages = pages.len(),
            "application stored in outbox"
        );
        Ok(OutboxEntry {
            id,
            idempotency_key: key,
            local_ref: self.local_ref(id),
        })
    }

    /// Entries still to deliver (pending or half-delivered), oldest first.
    pub fn undelivered(&self) -> Result<Vec<i64>, OutboxError> {
        let conn = self.conn();
        let mut st = conn
            .prepare("SELECT id FROM entry WHERE state IN ('pending','submitted') ORDER BY id")?;
        let ids = st
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(ids)
    }

    pub fn count_undelivered(&self) -> Result<u32, OutboxError> {
        Ok(self.undelivered()?.len() as u32)
    }

    /// `(state, application_no)` of an entry.
    pub fn state(&self, id: i64) -> Result<(String, Option<String>), OutboxError> {
        self.conn()
            .query_row(
                "SELECT state, application_no FROM entry WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(OutboxError::NotFound(id))
    }

    /// Whether personal data of an entry is still stored (payload or pages).
    pub fn holds_personal_data(&self, id: i64) -> Result<bool, OutboxError> {
        let conn = self.conn();
        let payload: bool = conn.query_row(
            "SELECT payload IS NOT NULL FROM entry WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let pages: i64 =
            conn.query_row("SELECT COUNT(*) FROM page WHERE entry_id = ?1", [id], |r| {
                r.get(0)
            })?;
        Ok(payload || pages > 0)
    }

    fn record_failure(&self, id: i64, e: &HallError) {
        let state = if e.retryable() {
            None
        } else {
            Some("rejected")
        };
        let _ = self.conn().execute(
            "UPDATE entry SET attempts = attempts + 1, last_error = ?2, state = COALESCE(?3, state) WHERE id = ?1",
            params![id, e.to_string(), state],
        );
    }

    /// Sends one entry to the hall: the application (by its idempotency key), then
    /// each page not yet acknowledged; wipes the personal data once all are in.
    /// Safe to call again after any failure or crash.
    pub async fn deliver(
        &self,
        client: &HallClient,
        id: i64,
    ) -> Result<DeliverOutcome, OutboxError> {
        let _one_at_a_time = self.deliver_lock.lock().await;
        let (key, state, number, payload): (String, String, Option<String>, Option<Vec<u8>>) = self
            .conn()
            .query_row(
                "SELECT idempotency_key, state, application_no, payload FROM entry WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or(OutboxError::NotFound(id))?;
        if state == "done" {
            return Ok(DeliverOutcome::AlreadyDone {
                application_no: number.unwrap_or_default(),
            });
        }
        let number = match number {
            Some(n) => n,
            None => {
                let sealed = payload.ok_or(OutboxError::Sealed(id))?;
                let plain = self.sealer.open(&sealed).ok_or(OutboxError::Sealed(id))?;
                let req: ApplicationRequest =
                    serde_json::from_slice(&plain).map_err(|_| OutboxError::Sealed(id))?;
                let accepted = match client.submit(&req, &key).await {
                    Ok(a) => a,
                    Err(e) => {
                        self.record_failure(id, &e);
                        return Err(e.into());
                    }
                };
                self.conn().execute(
                    "UPDATE entry SET state = 'submitted', application_no = ?2, attempts = attempts + 1 WHERE id = ?1",
                    params![id, accepted.application_no],
                )?;
                accepted.application_no
            }
        };
        for page in self.pending_pages(id)? {
            if let Err(e) = client
                .upload_page(&number, &page.material_id, page.page, page.jpeg.to_vec())
                .await
            {
                self.record_failure(id, &e);
                return Err(e.into());
            }
            // Acknowledged: this page's bytes are no longer needed here.
            self.conn().execute(
                "DELETE FROM page WHERE entry_id = ?1 AND material_id = ?2 AND page = ?3",
                params![id, page.material_id, page.page],
            )?;
        }
        self.conn().execute(
            "UPDATE entry SET state = 'done', payload = NULL, last_error = NULL WHERE id = ?1",
            [id],
        )?;
        tracing::info!(entry = id, "application delivered; personal data wiped");
        Ok(DeliverOutcome::Delivered {
            application_no: number,
        })
    }

    fn pending_pages(&self, id: i64) -> Result<Vec<PendingPage>, OutboxError> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT material_id, page, blob FROM page WHERE entry_id = ?1 ORDER BY material_id, page")?;
        let rows = st
            .query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(material_id, page, blob)| {
                let jpeg = self.sealer.open(&blob).ok_or(OutboxError::Sealed(id))?;
                Ok(PendingPage {
                    material_id,
                    page,
                    jpeg,
                })
            })
            .collect()
    }

    /// Delivers every undelivered entry; returns how many are still waiting.
    pub async fn flush(&self, client: &HallClient) -> Result<u32, OutboxError> {
        for id in self.undelivered()? {
            match self.deliver(client, id).await {
                Ok(_) => {}
                Err(OutboxError::Hall(e)) if e.retryable() => {
                    tracing::warn!(entry = id, error = %e, "hall unreachable; will retry");
                    break;
                }
                Err(e) => {
                    tracing::error!(entry = id, error = %e, "outbox entry needs staff attention")
                }
            }
        }
        self.count_undelivered()
    }
}
