//! The reference hall: the API of `openapi.yaml` over axum, state in SQLite.
//! Run alone by `kiosk hall serve`, in-process by the demo configuration, and by tests.

use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use rusqlite::{params, Connection, OptionalExtension};

use crate::api::*;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("hall database {path}: {source}")]
    Db {
        path: String,
        source: rusqlite::Error,
    },
    #[error("hall listener: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Clone)]
struct Hall {
    db: Arc<Mutex<Connection>>,
    catalog: Arc<serde_json::Value>,
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS application (
    no TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    item_id TEXT NOT NULL,
    body TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'accepted'
);
CREATE TABLE IF NOT EXISTS attachment (
    application_no TEXT NOT NULL REFERENCES application(no),
    material_id TEXT NOT NULL,
    page INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (application_no, material_id, page)
);
CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ticket (seq INTEGER PRIMARY KEY AUTOINCREMENT, category TEXT NOT NULL, priority TEXT NOT NULL, issued_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS appointment (id INTEGER PRIMARY KEY AUTOINCREMENT, id_number TEXT NOT NULL, category TEXT NOT NULL, item_name TEXT NOT NULL, slot TEXT NOT NULL, day TEXT NOT NULL, checked_in INTEGER NOT NULL DEFAULT 0, item_id TEXT);
CREATE TABLE IF NOT EXISTS evaluation (reference TEXT NOT NULL, terminal_id TEXT NOT NULL, score INTEGER NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS heartbeat (terminal_id TEXT PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL);
";

fn open_db(path: &Path) -> Result<Connection, ServerError> {
    let db_err = |source| ServerError::Db {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let conn = Connection::open(path).map_err(db_err)?;
    conn.execute_batch(SCHEMA).map_err(db_err)?;
    // A database from before appointments named their item: add the column.
    let _ = conn.execute("ALTER TABLE appointment ADD COLUMN item_id TEXT", []);
    Ok(conn)
}

/// Counts for `kiosk hall stats`.
pub fn stats(db: &Path) -> Result<HallStats, ServerError> {
    let conn = open_db(db)?;
    let q = |sql: &str| -> Result<u64, ServerError> {
        conn.query_row(sql, [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|source| ServerError::Db {
                path: db.display().to_string(),
                source,
            })
    };
    Ok(HallStats {
        applications: q("SELECT COUNT(*) FROM application")?,
        duplicates: q("SELECT COALESCE((SELECT value FROM counter WHERE name = 'duplicates'), 0)")?,
        attachments: q("SELECT COUNT(*) FROM attachment")?,
    })
}

/// The axum router over a database file; `catalog` is served at `/catalog`.
pub fn router(db: &Path, catalog: serde_json::Value) -> Result<Router, ServerError> {
    let hall = Hall {
        db: Arc::new(Mutex::new(open_db(db)?)),
        catalog: Arc::new(catalog),
    };
    Ok(Router::new()
        .route(&format!("{API_PREFIX}/catalog"), get(get_catalog))
        .route(&format!("{API_PREFIX}/applications"), post(submit))
        .route(&format!("{API_PREFIX}/applications/{{no}}"), get(status))
        .route(
            &format!("{API_PREFIX}/applications/{{no}}/attachments/{{material}}/{{page}}"),
            put(upload),
        )
        .route(&format!("{API_PREFIX}/queue/tickets"), post(ticket))
        .route(&format!("{API_PREFIX}/queue/check-in"), post(check_in))
        .route(&format!("{API_PREFIX}/appointments"), post(appoint))
        .route(&format!("{API_PREFIX}/evaluations"), post(evaluate))
        .route(
            &format!("{API_PREFIX}/terminals/{{id}}/heartbeat"),
            post(heartbeat),
        )
        .layer(DefaultBodyLimit::max(32 * 1024 * 1024))
        .with_state(hall))
}

/// Serves until the future is dropped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: &Path,
    catalog: serde_json::Value,
) -> Result<(), ServerError> {
    let app = router(db, catalog)?;
    axum::serve(listener, app).await?;
    Ok(())
}

struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(ErrorBody { error: self.1 })).into_response()
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "hall database");
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, "database error".into())
    }
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::UNPROCESSABLE_ENTITY, msg.into())
}

fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl Hall {
    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn get_catalog(State(h): State<Hall>) -> Json<serde_json::Value> {
    Json((*h.catalog).clone())
}

async fn submit(
    State(h): State<Hall>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ApplicationAccepted>), ApiError> {
    let key = headers
        .get(IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| {
            ApiError(
                StatusCode::BAD_REQUEST,
                "Idempotency-Key header is required".into(),
            )
        })?
        .to_string();
    let req: ApplicationRequest =
        serde_json::from_slice(&body).map_err(|e| bad(format!("invalid application: {e}")))?;
    if req.item_id.is_empty() || req.applicant.id_number.is_empty() {
        return Err(bad("item_id and applicant.id_number are required"));
    }
    let mut conn = h.conn();
    let tx = conn.transaction()?;
    let seen: Option<(String, String)> = tx
        .query_row(
            "SELECT no, accepted_at FROM application WHERE idempotency_key = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((no, at)) = seen {
        tx.execute(
            "INSERT INTO counter (name, value) VALUES ('duplicates', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
            [],
        )?;
        tx.commit()?;
        return Ok((
            StatusCode::OK,
            Json(ApplicationAccepted {
                application_no: no,
                accepted_at: at,
                duplicate: true,
            }),
        ));
    }
    let today = chrono::Local::now().format("%Y%m%d").to_string();
    tx.execute(
        "INSERT INTO counter (name, value) VALUES (?1, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
        [format!("seq-{today}")],
    )?;
    let seq: i64 = tx.query_row(
        "SELECT value FROM counter WHERE name = ?1",
        [format!("seq-{today}")],
        |r| r.get(0),
    )?;
    let no = format!("ZW{today}{seq:06}");
    let at = now();
    tx.execute(
        "INSERT INTO application (no, idempotency_key, item_id, body, accepted_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![no, key, req.item_id, String::from_utf8_lossy(&body), at],
    )?;
    tx.commit()?;
    tracing::info!(application = %no, item = %req.item_id, "application accepted");
    Ok((
        StatusCode::CREATED,
        Json(ApplicationAccepted {
            application_no: no,
            accepted_at: at,
            duplicate: false,
        }),
    ))
}

async fn status(
    State(h): State<Hall>,
    UrlPath(no): UrlPath<String>,
) -> Result<Json<ApplicationStatus>, ApiError> {
    let conn = h.conn();
    let row: Option<(String, String, String)> = conn
        .query_row(
            "SELECT item_id, status, accepted_at FROM application WHERE no = ?1",
            [&no],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (item_id, status, accepted_at) =
        row.ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("no application {no}")))?;
    let attachments: u32 = conn.query_row(
        "SELECT COUNT(*) FROM attachment WHERE application_no = ?1",
        [&no],
        |r| r.get(0),
    )?;
    Ok(Json(ApplicationStatus {
        application_no: no,
        item_id,
        status,
        attachments,
        accepted_at,
    }))
}

async fn upload(
    State(h): State<Hall>,
    UrlPath((no, material, page)): UrlPath<(String, String, u32)>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    // A material's pages as one PDF (page 0), or one scanned page as JPEG.
    let pdf = body.starts_with(b"%PDF-");
    if !(pdf || body.starts_with(&[0xff, 0xd8])) {
        return Err(bad("attachment must be a PDF document or a JPEG image"));
    }
    let conn = h.conn();
    let exists: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM application WHERE no = ?1",
        [&no],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(ApiError(
            StatusCode::NOT_FOUND,
            format!("no application {no}"),
        ));
    }
    // Idempotent: the same page sent twice is stored once.
    let n = conn.execute(
        "INSERT OR IGNORE INTO attachment (application_no, material_id, page, bytes) VALUES (?1, ?2, ?3, ?4)",
        params![no, material, page, body.as_ref()],
    )?;
    Ok(if n == 1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    })
}

/// The queue category `id` names in the catalog's `[[queue]]` list, or
/// `None` when it is not one of them.
fn category_name(catalog: &serde_json::Value, id: &str) -> Option<String> {
    catalog["queue"].as_array()?.iter().find_map(|c| {
        (c["id"].as_str() == Some(id)).then(|| {
            // The catalog's names are per language; the hall files in zh-CN.
            c["name"]["zh-CN"]
                .as_str()
                .or_else(|| c["name"].as_str())
                .unwrap_or(id)
                .to_string()
        })
    })
}

const PRIORITIES: [&str; 4] = ["normal", "elderly", "disabled", "appointment"];

/// Issues the next ticket of `category` today. Priority tickets are called
/// before normal ones, so a priority ticket has only earlier priority tickets
/// ahead of it; a normal ticket has every earlier ticket of its category.
fn issue_ticket(h: &Hall, category: &str, priority: &str) -> Result<Ticket, ApiError> {
    let name = category_name(&h.catalog, category)
        .ok_or_else(|| bad(format!("unknown queue category {category}")))?;
    let conn = h.conn();
    let at = now();
    let today = "issued_at >= date('now','localtime')";
    let issued: u32 = conn.query_row(
        &format!("SELECT COUNT(*) FROM ticket WHERE category = ?1 AND {today}"),
        params![category],
        |r| r.get(0),
    )?;
    let ahead: u32 = if priority == "normal" {
        issued
    } else {
        conn.query_row(
            &format!("SELECT COUNT(*) FROM ticket WHERE category = ?1 AND priority <> 'normal' AND {today}"),
            params![category],
            |r| r.get(0),
        )?
    };
    conn.execute(
        "INSERT INTO ticket (category, priority, issued_at) VALUES (?1, ?2, ?3)",
        params![category, priority, at],
    )?;
    Ok(Ticket {
        number: format!("{category}{:03}", (issued + 1) % 1000),
        category: name,
        category_id: Some(category.to_string()),
        people_ahead: ahead,
        issued_at: at,
        priority: priority.to_string(),
    })
}

async fn ticket(
    State(h): State<Hall>,
    Json(req): Json<TicketRequest>,
) -> Result<Json<Ticket>, ApiError> {
    if !PRIORITIES.contains(&req.priority.as_str()) {
        return Err(bad(format!("unknown priority {}", req.priority)));
    }
    Ok(Json(issue_ticket(&h, &req.category, &req.priority)?))
}

/// 预约签到: today's appointment of this ID number, not yet checked in, gets a
/// priority ticket in its category.
async fn check_in(
    State(h): State<Hall>,
    Json(req): Json<CheckInRequest>,
) -> Result<Json<CheckIn>, ApiError> {
    type Found = (i64, String, String, String, Option<String>);
    let found: Option<Found> = h
        .conn()
        .query_row(
            "SELECT id, category, item_name, slot, item_id FROM appointment
             WHERE id_number = ?1 AND day = date('now','localtime') AND checked_in = 0
             ORDER BY slot LIMIT 1",
            params![req.id_number],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((id, category, item_name, slot, item_id)) = found else {
        return Err(ApiError(
            StatusCode::NOT_FOUND,
            "no appointment today for this card".into(),
        ));
    };
    let ticket = issue_ticket(&h, &category, "appointment")?;
    h.conn().execute(
        "UPDATE appointment SET checked_in = 1 WHERE id = ?1",
        params![id],
    )?;
    Ok(Json(CheckIn {
        ticket,
        item_name,
        item_id,
        slot,
    }))
}

async fn appoint(
    State(h): State<Hall>,
    Json(req): Json<AppointmentRequest>,
) -> Result<StatusCode, ApiError> {
    if category_name(&h.catalog, &req.category).is_none() {
        return Err(bad(format!("unknown queue category {}", req.category)));
    }
    let conn = h.conn();
    let day = match &req.day {
        Some(d) => d.clone(),
        None => conn.query_row("SELECT date('now','localtime')", [], |r| r.get(0))?,
    };
    conn.execute(
        "INSERT INTO appointment (id_number, category, item_name, slot, day, item_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![req.id_number, req.category, req.item_name, req.slot, day, req.item_id],
    )?;
    Ok(StatusCode::CREATED)
}

async fn evaluate(
    State(h): State<Hall>,
    Json(req): Json<EvaluationRequest>,
) -> Result<StatusCode, ApiError> {
    if !(1..=5).contains(&req.score) {
        return Err(bad("score must be 1..=5"));
    }
    h.conn().execute(
        "INSERT INTO evaluation (reference, terminal_id, score, at) VALUES (?1, ?2, ?3, ?4)",
        params![req.reference, req.terminal_id, req.score, now()],
    )?;
    Ok(StatusCode::NO_CONTENT)
}

async fn heartbeat(
    State(h): State<Hall>,
    UrlPath(id): UrlPath<String>,
    Json(hb): Json<Heartbeat>,
) -> Result<StatusCode, ApiError> {
    let body = serde_json::to_string(&hb).unwrap_or_default();
    h.conn().execute(
        "INSERT INTO heartbeat (terminal_id, body, at) VALUES (?1, ?2, ?3)
         ON CONFLICT(terminal_id) DO UPDATE SET body = excluded.body, at = excluded.at",
        params![id, body, now()],
    )?;
    Ok(StatusCode::NO_CONTENT)
}
