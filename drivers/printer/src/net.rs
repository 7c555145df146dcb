//! An ESC/POS printer on TCP port 9100 (raw socket printing), with real-time
//! status between chunks and a reprint queue: a job is written to disk before
//! the first byte goes out and removed only when the printer has taken it all
//! and still reports ready. Paper out mid-job, cover open, offline: the job stays
//! and [`NetPrinter::reprint_pending`] prints it again from the start.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::status::{query, Raw, State, QUERIES};

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("printer at {addr} unreachable: {reason}")]
    Unreachable { addr: SocketAddr, reason: String },
    #[error("printer not ready after {waited:?}: {state:?}")]
    NotReady { state: State, waited: Duration },
    #[error("printing stopped part-way: {0:?} (the job is kept for reprinting)")]
    Interrupted(State),
    #[error("printer status: {0}")]
    Status(String),
    #[error("reprint queue {path}: {source}")]
    Queue {
        path: String,
        source: std::io::Error,
    },
}

impl NetError {
    /// The state behind the error, for the terminal's health and the citizen.
    pub fn state(&self) -> State {
        match self {
            NetError::NotReady { state, .. } | NetError::Interrupted(state) => *state,
            _ => State::Offline,
        }
    }
    pub fn citizen_message(&self) -> &'static str {
        self.state().citizen_message()
    }
}

/// One printer on the network and its reprint queue folder.
#[derive(Debug, Clone)]
pub struct NetPrinter {
    pub addr: SocketAddr,
    pub queue: PathBuf,
    /// How long a job waits for the printer to become ready.
    pub ready_timeout: Duration,
    /// Per status query.
    pub io_timeout: Duration,
}

const CHUNK: usize = 256;

impl NetPrinter {
    pub fn new(addr: SocketAddr, queue: impl Into<PathBuf>) -> Self {
        NetPrinter {
            addr,
            queue: queue.into(),
            ready_timeout: Duration::from_secs(5),
            io_timeout: Duration::from_millis(800),
        }
    }

    fn connect(&self) -> Result<TcpStream, NetError> {
        let unreachable = |reason: String| NetError::Unreachable {
            addr: self.addr,
            reason,
        };
        let s = TcpStream::connect_timeout(&self.addr, self.io_timeout)
            .map_err(|e| unreachable(e.to_string()))?;
        s.set_read_timeout(Some(self.io_timeout))
            .map_err(|e| unreachable(e.to_string()))?;
        s.set_write_timeout(Some(self.io_timeout * 4))
            .map_err(|e| unreachable(e.to_string()))?;
        s.set_nodelay(true).ok();
        Ok(s)
    }

    fn status_on(&self, s: &mut TcpStream) -> Result<State, NetError> {
        let mut bytes = [0u8; 4];
        for (i, n) in QUERIES.into_iter().enumerate() {
            s.write_all(&query(n))
                .map_err(|e| NetError::Status(format!("sending DLE EOT {n}: {e}")))?;
            s.read_exact(&mut bytes[i..i + 1])
                .map_err(|e| NetError::Status(format!("no answer to DLE EOT {n}: {e}")))?;
        }
        let raw = Raw::from_bytes(bytes).map_err(|e| NetError::Status(e.to_string()))?;
        Ok(State::from_raw(&raw))
    }

    /// The printer's state now.
    pub fn status(&self) -> Result<State, NetError> {
        let mut s = self.connect()?;
        self.status_on(&mut s)
    }

    /// Keeps `job` in the queue under `name`, then prints it.
    pub fn print(&self, name: &str, job: &[u8]) -> Result<(), NetError> {
        let kept = self.keep(name, job)?;
        self.print_kept(&kept)
    }

    fn keep(&self, name: &str, job: &[u8]) -> Result<PathBuf, NetError> {
        crate::write_job_file(&self.queue, name, job).map_err(|(path, source)| NetError::Queue {
            path: path.display().to_string(),
            source,
        })
    }

    fn print_kept(&self, path: &Path) -> Result<(), NetError> {
        let job = std::fs::read(path).map_err(|source| NetError::Queue {
            path: path.display().to_string(),
            source,
        })?;
        let mut s = self.connect()?;
        // Wait for ready (paper loaded, cover shut), bounded.
        let start = Instant::now();
        loop {
            let st = self.status_on(&mut s)?;
            if st.can_print() {
                break;
            }
            if start.elapsed() >= self.ready_timeout {
                return Err(NetError::NotReady {
                    state: st,
                    waited: start.elapsed(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        for chunk in job.chunks(CHUNK) {
            s.write_all(chunk).map_err(|e| NetError::Unreachable {
                addr: self.addr,
                reason: e.to_string(),
            })?;
            // Real-time status is answered between data, even mid-job.
            let st = self.status_on(&mut s)?;
            if !st.can_print() {
                tracing::warn!(state = ?st, job = %path.display(), "printing stopped; job kept");
                return Err(NetError::Interrupted(st));
            }
        }
        std::fs::remove_file(path).map_err(|source| NetError::Queue {
            path: path.display().to_string(),
            source,
        })?;
        Ok(())
    }

    /// Jobs kept for reprinting, oldest first.
    pub fn pending(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&self.queue)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.retain(|p| p.extension().is_some_and(|e| e == "escpos"));
        v.sort();
        v
    }

    /// Prints every kept job, oldest first; stops at the first that fails.
    /// Returns how many were printed.
    pub fn reprint_pending(&self) -> Result<usize, NetError> {
        let mut n = 0;
        for p in self.pending() {
            self.print_kept(&p)?;
            n += 1;
        }
        Ok(n)
    }
}
