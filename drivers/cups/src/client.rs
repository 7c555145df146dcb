//! A CUPS queue reached over IPP (blocking HTTP/1.1 POST, one connection per
//! request, timeouts on connect, read and write).
//!
//! Nothing is silently lost: [`CupsPrinter::print_pdf`] returns a job id only
//! when CUPS has answered `successful-ok` with one; any other outcome is an
//! error and the caller still holds the PDF. [`CupsError::may_have_printed`]
//! tells the one case where CUPS may have taken the job although no answer came
//! (the request went out whole, the reply did not come back).

use std::io::BufReader;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use kiosk_device::DeviceStatus;

use crate::http::{self, HttpError};
use crate::ipp::{self, group, Request, Response, Value};

/// The attributes [`CupsPrinter::status`] asks for.
const STATE_ATTRS: &[&str] = &[
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
];
const JOB_ATTRS: &[&str] = &[
    "job-id",
    "job-name",
    "job-state",
    "job-state-reasons",
    "job-state-message",
];

#[derive(Debug, thiserror::Error)]
pub enum CupsError {
    #[error("A4 printer URI {uri:?} not usable: {reason}")]
    BadUri { uri: String, reason: String },
    /// Nothing reached CUPS (connect failed, or the request could not be sent
    /// whole): the job was certainly not taken.
    #[error("CUPS at {uri} unreachable: {reason}")]
    Unreachable { uri: String, reason: String },
    /// The request went out but no complete answer came back.
    #[error("CUPS at {uri} did not answer {operation}: {reason}")]
    NoAnswer {
        uri: String,
        operation: &'static str,
        reason: String,
    },
    #[error("CUPS at {uri} answered {operation} with HTTP {code} {reason}")]
    Http {
        uri: String,
        operation: &'static str,
        code: u16,
        reason: String,
    },
    #[error("CUPS at {uri} sent a malformed IPP answer to {operation}: {reason}")]
    Protocol {
        uri: String,
        operation: &'static str,
        reason: String,
    },
    #[error("CUPS at {uri} has no such queue or job ({operation}): {message}")]
    NotFound {
        uri: String,
        operation: &'static str,
        message: String,
    },
    #[error("the CUPS queue {uri} is not accepting jobs: {message}")]
    NotAccepting { uri: String, message: String },
    #[error("CUPS at {uri} refused {operation}: {status_name} (0x{status:04x}) {message}")]
    Refused {
        uri: String,
        operation: &'static str,
        status: u16,
        status_name: &'static str,
        message: String,
    },
    #[error("job {job_id} on {uri} did not finish within {waited:?} (last state {state:?})")]
    JobTimeout {
        uri: String,
        job_id: i32,
        state: JobState,
        waited: Duration,
    },
}

impl CupsError {
    /// The sentence the citizen sees (the kiosk keeps the document).
    /// What a technician reads: the error (it names the URI) and where to look.
    pub fn technician_message(&self) -> String {
        let hint = match self {
            CupsError::BadUri { .. } => {
                "devices.a4 uri must look like ipp://127.0.0.1:631/printers/QUEUE"
            }
            CupsError::Unreachable { .. } | CupsError::NoAnswer { .. } => {
                "is cupsd running and listening there? (lpstat -r; systemctl status cups)"
            }
            CupsError::NotFound { .. } => "check the queue name (lpstat -p)",
            CupsError::NotAccepting { .. } => "cupsaccept QUEUE; cupsenable QUEUE",
            CupsError::Http { .. } | CupsError::Refused { .. } => {
                "see CUPS's error_log (/var/log/cups/error_log)"
            }
            CupsError::Protocol { .. } => "is that port really CUPS/IPP?",
            CupsError::JobTimeout { .. } => "lpstat -o; check the printer's panel",
        };
        format!("{self} — {hint}")
    }

    /// True when CUPS may have taken the job although this call failed (the
    /// request was sent whole; the answer was lost). The caller should check
    /// the queue before printing again, or accept a duplicate.
    pub fn may_have_printed(&self) -> bool {
        matches!(
            self,
            CupsError::NoAnswer { .. } | CupsError::JobTimeout { .. }
        )
    }

    /// The status the health view shows after this error.
    pub fn device_status(&self) -> DeviceStatus {
        match self {
            CupsError::NotAccepting { .. } => {
                DeviceStatus::Offline("the queue does not accept jobs".into())
            }
            CupsError::JobTimeout { .. } => DeviceStatus::NeedsAttention(self.to_string()),
            _ => DeviceStatus::Offline(self.to_string()),
        }
    }
}

/// `printer-state` (RFC 8011 §5.4.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterState {
    Idle,
    Processing,
    Stopped,
    Other(i32),
}

impl PrinterState {
    fn from_enum(n: i32) -> Self {
        match n {
            ipp::printer_state::IDLE => PrinterState::Idle,
            ipp::printer_state::PROCESSING => PrinterState::Processing,
            ipp::printer_state::STOPPED => PrinterState::Stopped,
            n => PrinterState::Other(n),
        }
    }
}

/// The A4 printer's condition in the kiosk's small vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Ready,
    Busy,
    /// `media-empty`, `media-needed`.
    PaperOut,
    /// `door-open`, `cover-open`, `interlock-open`.
    CoverOpen,
    /// `media-jam`.
    Jam,
    /// Stopped, paused, not accepting jobs, unreachable; why, for the technician.
    Offline(String),
    /// Printing still works; the reason keywords (toner low, ...).
    Warning(String),
}

impl Condition {
    pub fn device_status(&self) -> DeviceStatus {
        match self {
            Condition::Ready => DeviceStatus::Ready,
            Condition::Busy => DeviceStatus::Busy,
            Condition::PaperOut => DeviceStatus::NeedsAttention("out of A4 paper".into()),
            Condition::CoverOpen => DeviceStatus::NeedsAttention("a door or cover is open".into()),
            Condition::Jam => DeviceStatus::NeedsAttention("paper jam".into()),
            Condition::Offline(why) => DeviceStatus::Offline(why.clone()),
            Condition::Warning(w) => DeviceStatus::Warning(w.clone()),
        }
    }
}

/// What Get-Printer-Attributes said about the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterStatus {
    pub state: PrinterState,
    pub accepting: bool,
    /// `printer-state-reasons` keywords as sent ("none" dropped).
    pub reasons: Vec<String>,
    pub message: String,
}

/// A reason keyword without its severity suffix (RFC 8011 §5.4.12), and the
/// suffix.
fn split_reason(r: &str) -> (&str, &str) {
    for sfx in ["-report", "-warning", "-error"] {
        if let Some(base) = r.strip_suffix(sfx) {
            return (base, &sfx[1..]);
        }
    }
    (r, "")
}

impl PrinterStatus {
    /// Reduces state and reasons to the kiosk's vocabulary. Worst first: a
    /// person must act (paper, cover, jam), then not printing (stopped,
    /// paused, not accepting), then busy, then warnings.
    pub fn condition(&self) -> Condition {
        let bases: Vec<(&str, &str)> = self
            .reasons
            .iter()
            .map(|r| split_reason(r))
            .filter(|(_, sev)| *sev != "report")
            .collect();
        let has = |names: &[&str]| bases.iter().any(|(b, _)| names.contains(b));
        if has(&["media-empty", "media-needed"]) {
            return Condition::PaperOut;
        }
        if has(&["door-open", "cover-open", "interlock-open"]) {
            return Condition::CoverOpen;
        }
        if has(&["media-jam"]) {
            return Condition::Jam;
        }
        let offline_reasons = ["paused", "offline", "shutdown", "moving-to-paused"];
        if self.state == PrinterState::Stopped || !self.accepting || has(&offline_reasons) {
            let mut why = Vec::new();
            if self.state == PrinterState::Stopped {
                why.push("stopped".to_string());
            }
            if !self.accepting {
                why.push("not accepting jobs".to_string());
            }
            why.extend(self.reasons.iter().cloned());
            if !self.message.is_empty() {
                why.push(self.message.clone());
            }
            return Condition::Offline(why.join(", "));
        }
        if self.state == PrinterState::Processing {
            return Condition::Busy;
        }
        let warnings: Vec<&str> = bases.iter().map(|(b, _)| *b).collect();
        if warnings.is_empty() {
            Condition::Ready
        } else {
            Condition::Warning(warnings.join(", "))
        }
    }

    pub fn device_status(&self) -> DeviceStatus {
        self.condition().device_status()
    }

    fn from_response(uri: &str, r: &Response) -> Result<Self, CupsError> {
        let state = r
            .value(group::PRINTER, "printer-state")
            .and_then(Value::as_int)
            .ok_or_else(|| CupsError::Protocol {
                uri: uri.to_string(),
                operation: "Get-Printer-Attributes",
                reason: "no printer-state in the answer".into(),
            })?;
        let reasons = r
            .attr(group::PRINTER, "printer-state-reasons")
            .map(|a| {
                a.values
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|s| *s != "none")
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(PrinterStatus {
            state: PrinterState::from_enum(state),
            // Absent means the printer does not say; CUPS always sends it.
            accepting: r
                .value(group::PRINTER, "printer-is-accepting-jobs")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            reasons,
            message: r
                .value(group::PRINTER, "printer-state-message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        })
    }
}

/// `job-state` (RFC 8011 §5.3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    PendingHeld,
    Processing,
    ProcessingStopped,
    Canceled,
    Aborted,
    Completed,
    Other(i32),
}

impl JobState {
    fn from_enum(n: i32) -> Self {
        use ipp::job_state as j;
        match n {
            j::PENDING => JobState::Pending,
            j::PENDING_HELD => JobState::PendingHeld,
            j::PROCESSING => JobState::Processing,
            j::PROCESSING_STOPPED => JobState::ProcessingStopped,
            j::CANCELED => JobState::Canceled,
            j::ABORTED => JobState::Aborted,
            j::COMPLETED => JobState::Completed,
            n => JobState::Other(n),
        }
    }

    /// Canceled, aborted or completed: the job will not change any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Canceled | JobState::Aborted | JobState::Completed
        )
    }
}

/// What Get-Job-Attributes said about one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    pub id: i32,
    /// `job-name` as CUPS keeps it.
    pub name: String,
    pub state: JobState,
    pub reasons: Vec<String>,
    pub message: String,
}

fn keywords(g: &ipp::Group, name: &str) -> Vec<String> {
    g.get(name)
        .map(|a| {
            a.values
                .iter()
                .filter_map(Value::as_str)
                .filter(|s| *s != "none")
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn first_str(g: &ipp::Group, name: &str) -> String {
    g.get(name)
        .and_then(|a| a.values.first())
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

impl JobStatus {
    /// From one job attributes group; `None` without a job-state. A missing
    /// job-id is 0.
    fn from_group(g: &ipp::Group) -> Option<Self> {
        let int = |n: &str| {
            g.get(n)
                .and_then(|a| a.values.first())
                .and_then(Value::as_int)
        };
        Some(JobStatus {
            id: int("job-id").unwrap_or(0),
            name: first_str(g, "job-name"),
            state: JobState::from_enum(int("job-state")?),
            reasons: keywords(g, "job-state-reasons"),
            message: first_str(g, "job-state-message"),
        })
    }
}

/// One CUPS queue.
#[derive(Debug, Clone)]
pub struct CupsPrinter {
    /// As configured (named in every error).
    uri: String,
    /// The `printer-uri` operation attribute: always the ipp:// form.
    printer_uri: String,
    host: String,
    port: u16,
    path: String,
    pub connect_timeout: Duration,
    /// Per read and per write.
    pub io_timeout: Duration,
    /// `requesting-user-name` of the jobs.
    pub user: String,
}

/// `job-name` is of syntax name(MAX), at most 255 octets (RFC 8011 §5.1.3);
/// longer names are cut at a character boundary.
fn clip_name(name: &str) -> &str {
    let mut end = name.len().min(255);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

static REQUEST_ID: AtomicU32 = AtomicU32::new(1);

fn next_request_id() -> u32 {
    // RFC 8011 §4.1.2: 1..=2^31-1.
    (REQUEST_ID.fetch_add(1, Ordering::Relaxed) % 0x7FFF_FFFF).max(1)
}

impl CupsPrinter {
    /// `ipp://HOST[:PORT]/printers/QUEUE` (port 631 when absent) or the same
    /// with `http://` (port 80 when absent). TLS (`ipps`, `https`) is not
    /// spoken: CUPS is expected on the kiosk itself or on the hall's LAN.
    pub fn new(uri: &str) -> Result<Self, CupsError> {
        let bad = |reason: &str| CupsError::BadUri {
            uri: uri.to_string(),
            reason: reason.to_string(),
        };
        let (scheme, rest) = uri.split_once("://").ok_or_else(|| bad("no scheme"))?;
        let default_port = match scheme.to_ascii_lowercase().as_str() {
            "ipp" => 631,
            "http" => 80,
            "ipps" | "https" => return Err(bad("TLS (ipps/https) is not supported")),
            _ => return Err(bad("scheme must be ipp or http")),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if path.len() <= 1 {
            return Err(bad("no queue path (like /printers/kiosk-a4)"));
        }
        if path.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(bad("spaces or control characters in the path"));
        }
        if authority.contains('@') {
            return Err(bad("user names in the URI are not supported"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| bad("unclosed [ in host"))?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().map_err(|_| bad("port is not a number"))?,
                None if after.is_empty() => default_port,
                None => return Err(bad("junk after ]")),
            };
            (h.to_string(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (
                    h.to_string(),
                    p.parse().map_err(|_| bad("port is not a number"))?,
                ),
                None => (authority.to_string(), default_port),
            }
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        if port == 0 {
            return Err(bad("port 0"));
        }
        let host_port = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        Ok(CupsPrinter {
            uri: uri.to_string(),
            printer_uri: format!("ipp://{host_port}{path}"),
            host,
            port,
            path: path.to_string(),
            connect_timeout: Duration::from_secs(3),
            io_timeout: Duration::from_secs(20),
            user: "kiosk".into(),
        })
    }

    pub fn uri(&self) -> &str {
        &self.uri
    }

    fn host_header(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn connect(&self) -> Result<TcpStream, CupsError> {
        let unreachable = |reason: String| CupsError::Unreachable {
            uri: self.uri.clone(),
            reason,
        };
        let addrs = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| unreachable(format!("resolving {}: {e}", self.host)))?;
        let mut last = String::from("no address");
        for a in addrs {
            match TcpStream::connect_timeout(&a, self.connect_timeout) {
                Ok(s) => {
                    s.set_read_timeout(Some(self.io_timeout))
                        .and_then(|()| s.set_write_timeout(Some(self.io_timeout)))
                        .map_err(|e| unreachable(e.to_string()))?;
                    s.set_nodelay(true).ok();
                    return Ok(s);
                }
                Err(e) => last = format!("{a}: {e}"),
            }
        }
        Err(unreachable(last))
    }

    /// Sends one request and returns the IPP answer, whatever its status.
    pub fn send(&self, operation: &'static str, req: &Request) -> Result<Response, CupsError> {
        let mut s = self.connect()?;
        let body = req.encode();
        http::write_ipp_post(&mut s, &self.host_header(), &self.path, &body).map_err(|e| {
            CupsError::Unreachable {
                uri: self.uri.clone(),
                reason: format!("sending {operation}: {e}"),
            }
        })?;
        let reply = http::read_response(&mut BufReader::new(&mut s)).map_err(|e| match e {
            HttpError::Io(e) => CupsError::NoAnswer {
                uri: self.uri.clone(),
                operation,
                reason: e.to_string(),
            },
            e => CupsError::Protocol {
                uri: self.uri.clone(),
                operation,
                reason: e.to_string(),
            },
        })?;
        if reply.code != 200 {
            return Err(CupsError::Http {
                uri: self.uri.clone(),
                operation,
                code: reply.code,
                reason: reply.reason,
            });
        }
        let resp = Response::decode(&reply.body).map_err(|e| CupsError::Protocol {
            uri: self.uri.clone(),
            operation,
            reason: e.to_string(),
        })?;
        if resp.request_id != req.request_id {
            return Err(CupsError::Protocol {
                uri: self.uri.clone(),
                operation,
                reason: format!(
                    "answer to request {} instead of {}",
                    resp.request_id, req.request_id
                ),
            });
        }
        Ok(resp)
    }

    /// Like [`CupsPrinter::send`], with every non-successful status an error.
    fn call(&self, operation: &'static str, req: &Request) -> Result<Response, CupsError> {
        let resp = self.send(operation, req)?;
        if resp.is_success() {
            return Ok(resp);
        }
        let message = resp.status_message().to_string();
        Err(match resp.status {
            ipp::status::CLIENT_ERROR_NOT_FOUND => CupsError::NotFound {
                uri: self.uri.clone(),
                operation,
                message,
            },
            ipp::status::SERVER_ERROR_NOT_ACCEPTING_JOBS => CupsError::NotAccepting {
                uri: self.uri.clone(),
                message,
            },
            code => CupsError::Refused {
                uri: self.uri.clone(),
                operation,
                status: code,
                status_name: ipp::status::name(code),
                message,
            },
        })
    }

    /// The queue's state, reasons and whether it accepts jobs.
    pub fn status(&self) -> Result<PrinterStatus, CupsError> {
        let req =
            Request::get_printer_attributes(next_request_id(), &self.printer_uri, STATE_ATTRS);
        let resp = self.call("Get-Printer-Attributes", &req)?;
        PrinterStatus::from_response(&self.uri, &resp)
    }

    /// The status for the health view; an error is `Offline` with the reason.
    pub fn device_status(&self) -> DeviceStatus {
        match self.status() {
            Ok(s) => s.device_status(),
            Err(e) => e.device_status(),
        }
    }

    /// Sends one PDF as a Print-Job; returns CUPS's job id. On any error the
    /// job was not accepted (see [`CupsError::may_have_printed`] for the one
    /// exception) and the caller keeps `pdf`.
    pub fn print_pdf(&self, job_name: &str, pdf: &[u8]) -> Result<i32, CupsError> {
        let job_name = clip_name(job_name);
        let req = Request::print_job(
            next_request_id(),
            &self.printer_uri,
            &self.user,
            job_name,
            pdf,
        );
        let resp = self.call("Print-Job", &req)?;
        let id = resp
            .value(group::JOB, "job-id")
            .and_then(Value::as_int)
            .ok_or_else(|| CupsError::Protocol {
                uri: self.uri.clone(),
                operation: "Print-Job",
                reason: "successful answer without a job-id".into(),
            })?;
        tracing::info!(uri = %self.uri, job_id = id, bytes = pdf.len(), "A4 job sent to CUPS");
        Ok(id)
    }

    /// One job's state.
    pub fn job_state(&self, job_id: i32) -> Result<JobStatus, CupsError> {
        // As the job's owner: CUPS hides job-name from others (its default
        // JobPrivateValues), and an unauthenticated request is whoever
        // requesting-user-name says.
        let req =
            Request::get_job_attributes(next_request_id(), &self.printer_uri, job_id, JOB_ATTRS)
                .operation_attr("requesting-user-name", Value::Name(self.user.clone()));
        let resp = self.call("Get-Job-Attributes", &req)?;
        let g = resp
            .groups
            .iter()
            .find(|g| g.tag == group::JOB)
            .ok_or_else(|| {
                self.protocol("Get-Job-Attributes", "no job attributes in the answer")
            })?;
        let mut st = JobStatus::from_group(g)
            .ok_or_else(|| self.protocol("Get-Job-Attributes", "no job-state in the answer"))?;
        st.id = job_id;
        Ok(st)
    }

    /// The queue's jobs (Get-Jobs): `completed` true for the finished ones
    /// (as long as CUPS keeps their history), false for those still to print.
    /// After an error that [`CupsError::may_have_printed`], a job of the same
    /// name here tells whether CUPS took it.
    pub fn jobs(&self, completed: bool) -> Result<Vec<JobStatus>, CupsError> {
        let which = if completed {
            "completed"
        } else {
            "not-completed"
        };
        let req = Request::get_jobs(next_request_id(), &self.printer_uri, which, JOB_ATTRS)
            .operation_attr("requesting-user-name", Value::Name(self.user.clone()));
        let resp = self.call("Get-Jobs", &req)?;
        resp.groups
            .iter()
            .filter(|g| g.tag == group::JOB)
            .map(|g| {
                JobStatus::from_group(g)
                    .filter(|j| j.id > 0)
                    .ok_or_else(|| self.protocol("Get-Jobs", "a job without job-id or job-state"))
            })
            .collect()
    }

    fn protocol(&self, operation: &'static str, reason: &str) -> CupsError {
        CupsError::Protocol {
            uri: self.uri.clone(),
            operation,
            reason: reason.to_string(),
        }
    }

    /// Polls the job until it is completed, canceled or aborted, at most
    /// `timeout`; returns its final status.
    pub fn wait_for_job(&self, job_id: i32, timeout: Duration) -> Result<JobStatus, CupsError> {
        let start = Instant::now();
        loop {
            let st = self.job_state(job_id)?;
            if st.state.is_final() {
                return Ok(st);
            }
            if start.elapsed() >= timeout {
                return Err(CupsError::JobTimeout {
                    uri: self.uri.clone(),
                    job_id,
                    state: st.state,
                    waited: start.elapsed(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Pause-Printer (`paused = true`) or Resume-Printer: a technician's
    /// action (CUPS asks for an administrator unless its policy allows it).
    pub fn set_paused(&self, paused: bool) -> Result<(), CupsError> {
        let req = Request::set_paused(next_request_id(), &self.printer_uri, &self.user, paused);
        let op = if paused {
            "Pause-Printer"
        } else {
            "Resume-Printer"
        };
        self.call(op, &req).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ipp_and_http_uris() {
        let p = CupsPrinter::new("ipp://127.0.0.1:631/printers/kiosk-a4").unwrap();
        assert_eq!(
            (p.host.as_str(), p.port, p.path.as_str()),
            ("127.0.0.1", 631, "/printers/kiosk-a4")
        );
        assert_eq!(p.printer_uri, "ipp://127.0.0.1:631/printers/kiosk-a4");
        let p = CupsPrinter::new("http://localhost/printers/a4").unwrap();
        assert_eq!(
            (p.port, p.printer_uri.as_str()),
            (80, "ipp://localhost:80/printers/a4")
        );
        let p = CupsPrinter::new("ipp://[::1]/printers/a4").unwrap();
        assert_eq!((p.host.as_str(), p.port), ("::1", 631));
        assert_eq!(p.host_header(), "[::1]:631");
        for bad in [
            "127.0.0.1:631/printers/a4",
            "ipps://h/printers/a4",
            "lpd://h/q",
            "ipp://h",
            "ipp://h/",
            "ipp://h:x/printers/a4",
            "ipp://:631/printers/a4",
            "ipp://u@h/printers/a4",
            "ipp://h/printers/a 4",
        ] {
            let e = CupsPrinter::new(bad).unwrap_err();
            assert!(e.to_string().contains(bad), "{e}");
            assert!(matches!(e, CupsError::BadUri { .. }), "{e:?}");
        }
    }

    #[test]
    fn long_job_names_are_cut_to_255_octets_on_a_character() {
        let long = "申".repeat(100); // 300 octets
        let c = clip_name(&long);
        assert_eq!(c.len(), 255);
        assert_eq!(clip_name("short"), "short");
    }

    fn st(state: PrinterState, accepting: bool, reasons: &[&str]) -> PrinterStatus {
        PrinterStatus {
            state,
            accepting,
            reasons: reasons.iter().map(|s| s.to_string()).collect(),
            message: String::new(),
        }
    }

    #[test]
    fn reasons_reduce_to_the_kiosk_vocabulary() {
        use PrinterState::*;
        assert_eq!(st(Idle, true, &[]).condition(), Condition::Ready);
        assert_eq!(st(Processing, true, &[]).condition(), Condition::Busy);
        assert_eq!(
            st(Stopped, true, &["media-empty-error"]).condition(),
            Condition::PaperOut
        );
        assert_eq!(
            st(Idle, true, &["media-needed"]).condition(),
            Condition::PaperOut
        );
        assert_eq!(
            st(Processing, true, &["door-open-warning"]).condition(),
            Condition::CoverOpen
        );
        assert_eq!(
            st(Stopped, true, &["cover-open-error"]).condition(),
            Condition::CoverOpen
        );
        assert_eq!(
            st(Stopped, true, &["media-jam-error"]).condition(),
            Condition::Jam
        );
        assert!(matches!(
            st(Stopped, true, &["paused"]).condition(),
            Condition::Offline(w) if w.contains("paused")
        ));
        assert!(matches!(
            st(Idle, false, &[]).condition(),
            Condition::Offline(w) if w.contains("not accepting")
        ));
        assert!(
            matches!(st(Idle, true, &["offline-report", "toner-low-warning"]).condition(),
            Condition::Warning(w) if w == "toner-low")
        );
        // Reports are informational only.
        assert_eq!(
            st(Idle, true, &["media-low-report"]).condition(),
            Condition::Ready
        );
        assert_eq!(st(Idle, true, &[]).device_status(), DeviceStatus::Ready);
        assert!(!st(Idle, true, &["media-empty"]).device_status().is_usable());
    }

    #[test]
    fn unreachable_cups_is_an_error_that_keeps_the_job_and_names_the_uri() {
        // A port nothing listens on: bind, note the port, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let uri = format!("ipp://127.0.0.1:{port}/printers/kiosk-a4");
        let p = CupsPrinter::new(&uri).unwrap();
        let e = p.print_pdf("form", b"%PDF-1.4").unwrap_err();
        assert!(matches!(e, CupsError::Unreachable { .. }), "{e:?}");
        assert!(!e.may_have_printed());
        assert!(e.technician_message().contains(&uri));
        assert!(matches!(p.device_status(), DeviceStatus::Offline(w) if w.contains(&uri)));
    }

    /// A one-shot server on loopback that answers every connection with
    /// `reply(request_body)`.
    fn serve(reply: impl Fn(&[u8]) -> Vec<u8> + Send + 'static) -> String {
        use std::io::{Read, Write};
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { return };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read the head, then Content-Length bytes of body.
                let body = loop {
                    let n = s.read(&mut chunk).unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..i]).to_string();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    while buf.len() < i + 4 + len {
                        let n = s.read(&mut chunk).unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    break buf[i + 4..i + 4 + len].to_vec();
                };
                let _ = s.write_all(&reply(&body));
                buf.clear();
            }
        });
        format!("ipp://127.0.0.1:{port}/printers/q")
    }

    fn ipp_reply(body: &[u8], status: u16, job_group: Vec<ipp::Attribute>) -> Vec<u8> {
        let id = u32::from_be_bytes([body[4], body[5], body[6], body[7]]);
        let r = Response {
            version: (1, 1),
            status,
            request_id: id,
            groups: vec![
                ipp::Group {
                    tag: group::OPERATION,
                    attributes: vec![ipp::Attribute::new(
                        "status-message",
                        Value::Text("msg".into()),
                    )],
                },
                ipp::Group {
                    tag: group::JOB,
                    attributes: job_group,
                },
            ],
            data: vec![],
        }
        .encode();
        // Chunked, as CUPS sends long answers.
        let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for c in r.chunks(7) {
            out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
            out.extend_from_slice(c);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
        out
    }

    #[test]
    fn print_job_answer_gives_the_job_id_and_statuses_become_errors() {
        let uri = serve(|b| {
            ipp_reply(
                b,
                0,
                vec![ipp::Attribute::new("job-id", Value::Integer(77))],
            )
        });
        let p = CupsPrinter::new(&uri).unwrap();
        assert_eq!(p.print_pdf("x", b"%PDF").unwrap(), 77);

        let uri = serve(|b| ipp_reply(b, 0, vec![]));
        let e = CupsPrinter::new(&uri)
            .unwrap()
            .print_pdf("x", b"%PDF")
            .unwrap_err();
        assert!(e.to_string().contains("without a job-id"), "{e}");

        let uri = serve(|b| ipp_reply(b, ipp::status::SERVER_ERROR_NOT_ACCEPTING_JOBS, vec![]));
        let e = CupsPrinter::new(&uri)
            .unwrap()
            .print_pdf("x", b"%PDF")
            .unwrap_err();
        assert!(matches!(e, CupsError::NotAccepting { .. }), "{e:?}");

        let uri = serve(|_| b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".to_vec());
        let e = CupsPrinter::new(&uri).unwrap().status().unwrap_err();
        assert!(matches!(e, CupsError::Http { code: 403, .. }), "{e:?}");

        let uri = serve(|_| b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n\x01\x01\x00".to_vec());
        let e = CupsPrinter::new(&uri).unwrap().status().unwrap_err();
        assert!(matches!(e, CupsError::Protocol { .. }), "{e:?}");
    }

    #[test]
    fn a_silent_server_times_out_as_no_answer() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let keep = std::thread::spawn(move || {
            let c = l.accept();
            std::thread::sleep(Duration::from_millis(800));
            drop(c);
        });
        let mut p = CupsPrinter::new(&format!("ipp://127.0.0.1:{port}/printers/q")).unwrap();
        p.io_timeout = Duration::from_millis(200);
        let t = Instant::now();
        let e = p.print_pdf("x", b"%PDF").unwrap_err();
        assert!(
            t.elapsed() < Duration::from_millis(700),
            "{:?}",
            t.elapsed()
        );
        assert!(matches!(e, CupsError::NoAnswer { .. }), "{e:?}");
        assert!(e.may_have_printed());
        let _ = keep.join();
    }
}
