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
}

/// A page waiting to be uploaded.
pub struct PendingPage {
    pub material_id: String,
    pub page: u32,
    pub jpeg: Zeroizing<Vec<u8>>,
}

impl Outbox {
    /// Opens (or creates) `outbox.db` and `outbox.key` in `dir`.
    pub fn open(dir: &Path, terminal_id: &str) -> Result<Self, OutboxError> {
        std::fs::create_dir_all(dir)?;
        let sealer = Sealer::open_or_create(&dir.join("outbox.key"))?;
        let conn = Connection::open(dir.join("outbox.db"))?;
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
        })
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
