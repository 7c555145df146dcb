//! An ESC/POS printer on a link — TCP port 9100 (raw socket printing), a serial
//! port, USB bulk endpoints, or a device file such as `/dev/usb/lp0` — with
//! real-time status between chunks and a reprint queue: a job is written to disk
//! before the first byte goes out and removed only when the printer has taken it
//! all and still reports ready. Paper out mid-job, cover open, offline: the job
//! stays and [`LinkPrinter::reprint_pending`] prints it again from the start.
//!
//! A device file has no way back, so a printer behind one is printed to without
//! status (its health shows "status unknown"); the other links answer `DLE EOT`.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kiosk_device::transport::{Serial, Transport, UsbAddress, UsbBulk};

use crate::status::{query, Raw, State, QUERIES};

/// How the terminal reaches its printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Raw TCP, normally port 9100.
    Tcp(SocketAddr),
    /// A serial port (raw 8N1).
    Serial { path: PathBuf, baud: u32 },
    /// USB bulk endpoints (printer class: OUT for data, IN for status).
    Usb(UsbAddress),
    /// A write-only device file (the kernel's usblp `/dev/usb/lp0`, a parallel port).
    File(PathBuf),
}

impl Link {
    /// Whether status can be read back.
    pub fn has_status(&self) -> bool {
        !matches!(self, Link::File(_))
    }

    pub fn describe(&self) -> String {
        match self {
            Link::Tcp(a) => format!("tcp {a}"),
            Link::Serial { path, baud } => format!("serial {} at {baud} baud", path.display()),
            Link::Usb(a) => format!("usb {:04x}:{:04x}", a.vid, a.pid),
            Link::File(p) => format!("file {}", p.display()),
        }
    }

    fn open(&self, io_timeout: Duration) -> io::Result<Box<dyn Transport>> {
        Ok(match self {
            Link::Tcp(addr) => {
                let s = TcpStream::connect_timeout(addr, io_timeout)?;
                s.set_write_timeout(Some(io_timeout * 4))?;
                s.set_nodelay(true).ok();
                Box::new(Tcp {
                    stream: s,
                    addr: *addr,
                })
            }
            Link::Serial { path, baud } => Box::new(Serial::open(path, *baud)?),
            Link::Usb(a) => Box::new(UsbBulk::open(*a)?),
            Link::File(path) => Box::new(FileOut {
                file: OpenOptions::new().append(true).open(path)?,
                path: path.clone(),
            }),
        })
    }
}

struct Tcp {
    stream: TcpStream,
    addr: SocketAddr,
}

impl Transport for Tcp {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }
    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
        use std::io::Read;
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(0);
        }
        self.stream.set_read_timeout(Some(left))?;
        match self.stream.read(buf) {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the printer closed the connection",
            )),
            Ok(n) => Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Ok(0)
            }
            Err(e) => Err(e),
        }
    }
    fn discard_input(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        format!("tcp {}", self.addr)
    }
}

/// A device file: bytes go in, nothing comes back.
struct FileOut {
    file: std::fs::File,
    path: PathBuf,
}

impl Transport for FileOut {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)?;
        self.file.flush()
    }
    fn recv(&mut self, _: &mut [u8], _: Instant) -> io::Result<usize> {
        Ok(0)
    }
    fn discard_input(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn describe(&self) -> String {
        format!("file {}", self.path.display())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("printer at {target} unreachable: {reason}")]
    Unreachable { target: String, reason: String },
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

impl LinkError {
    /// The state behind the error, for the terminal's health and the citizen.
    pub fn state(&self) -> State {
        match self {
            LinkError::NotReady { state, .. } | LinkError::Interrupted(state) => *state,
            _ => State::Offline,
        }
    }
}

/// One printer on its link, and its reprint queue folder.
#[derive(Debug, Clone)]
pub struct LinkPrinter {
    pub link: Link,
    pub queue: PathBuf,
    /// How long a job waits for the printer to become ready.
    pub ready_timeout: Duration,
    /// Per status query.
    pub io_timeout: Duration,
}

const CHUNK: usize = 256;

impl LinkPrinter {
    pub fn new(link: Link, queue: impl Into<PathBuf>) -> Self {
        let queue = queue.into();
        // A job half-written when the power went never reached the printer; its
        // `.part` file is not a kept job.
        kiosk_device::durable::sweep_parts(&queue);
        LinkPrinter {
            link,
            queue,
            ready_timeout: Duration::from_secs(5),
            io_timeout: Duration::from_millis(800),
        }
    }

    fn connect(&self) -> Result<Box<dyn Transport>, LinkError> {
        self.link
            .open(self.io_timeout)
            .map_err(|e| LinkError::Unreachable {
                target: self.link.describe(),
                reason: e.to_string(),
            })
    }

    fn status_on(&self, s: &mut dyn Transport) -> Result<State, LinkError> {
        let mut bytes = [0u8; 4];
        s.discard_input()
            .map_err(|e| LinkError::Status(format!("before DLE EOT: {e}")))?;
        for (i, n) in QUERIES.into_iter().enumerate() {
            s.send(&query(n))
                .map_err(|e| LinkError::Status(format!("sending DLE EOT {n}: {e}")))?;
            let deadline = Instant::now() + self.io_timeout;
            match s.recv(&mut bytes[i..i + 1], deadline) {
                Ok(1) => {}
                Ok(_) => return Err(LinkError::Status(format!("no answer to DLE EOT {n}"))),
                Err(e) => return Err(LinkError::Status(format!("no answer to DLE EOT {n}: {e}"))),
            }
        }
        let raw = Raw::from_bytes(bytes).map_err(|e| LinkError::Status(e.to_string()))?;
        Ok(State::from_raw(&raw))
    }

    /// The printer's state now.
    /// `Ok(None)` on a link that cannot say (a device file).
    pub fn status(&self) -> Result<Option<State>, LinkError> {
        if !self.link.has_status() {
            return Ok(None);
        }
        let mut s = self.connect()?;
        self.status_on(s.as_mut()).map(Some)
    }

    /// Keeps `job` in the queue under `name`, then prints it.
    pub fn print(&self, name: &str, job: &[u8]) -> Result<(), LinkError> {
        let kept = self.keep(name, job)?;
        self.print_kept(&kept)
    }

    fn keep(&self, name: &str, job: &[u8]) -> Result<PathBuf, LinkError> {
        crate::write_job_file(&self.queue, name, "escpos", job).map_err(|(path, source)| {
            LinkError::Queue {
                path: path.display().to_string(),
                source,
            }
        })
    }

    fn print_kept(&self, path: &Path) -> Result<(), LinkError> {
        let job = std::fs::read(path).map_err(|source| LinkError::Queue {
            path: path.display().to_string(),
            source,
        })?;
        let mut s = self.connect()?;
        let has_status = self.link.has_status();
        // Wait for ready (paper loaded, cover shut), bounded.
        let start = Instant::now();
        while has_status {
            let st = self.status_on(s.as_mut())?;
            if st.can_print() {
                break;
            }
            if start.elapsed() >= self.ready_timeout {
                return Err(LinkError::NotReady {
                    state: st,
                    waited: start.elapsed(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        for chunk in job.chunks(CHUNK) {
            s.send(chunk).map_err(|e| LinkError::Unreachable {
                target: self.link.describe(),
                reason: e.to_string(),
            })?;
            if !has_status {
                continue;
            }
            // Real-time status is answered between data, even mid-job.
            let st = self.status_on(s.as_mut())?;
            if !st.can_print() {
                tracing::warn!(state = ?st, job = %path.display(), "printing stopped; job kept");
                return Err(LinkError::Interrupted(st));
            }
        }
        std::fs::remove_file(path).map_err(|source| LinkError::Queue {
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
    pub fn reprint_pending(&self) -> Result<usize, LinkError> {
        let mut n = 0;
        for p in self.pending() {
            self.print_kept(&p)?;
            n += 1;
        }
        Ok(n)
    }
}
