//! A simulated ESC/POS printer on a loopback TCP port (the way a network
//! printer listens on 9100) or on a pseudo-terminal (a serial printer): it
//! answers `DLE EOT n` in real time, as a printer does even inside other data,
//! takes the rest as paper, counts a job complete at its cut (`GS V`, found by
//! the decoder, so image bytes that happen to read `1D 56` do not end a job),
//! and can run out of paper part-way, have its cover opened, or go offline.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};

use kiosk_device::transport::{open_pty, Pty};

use crate::escpos::{decode_one, Cmd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::status::State;

#[derive(Debug, Default)]
struct Paper {
    state: Option<State>,
    /// Bytes of job data the roll still takes; `None` = endless.
    left: Option<usize>,
    current: Vec<u8>,
    /// How much of `current` the decoder has taken apart.
    decoded: usize,
    jobs: Vec<Vec<u8>>,
    /// Jobs cut short by a paper end (torn off by staff).
    torn: Vec<Vec<u8>>,
}

/// A running simulated printer; dropping it stops it.
pub struct SimPrinter {
    addr: Option<SocketAddr>,
    pty: Option<PathBuf>,
    paper: Arc<Mutex<Paper>>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl SimPrinter {
    pub fn start() -> std::io::Result<SimPrinter> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let paper = Arc::new(Mutex::new(Paper::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (paper.clone(), stop.clone());
        let thread = thread::Builder::new()
            .name("escpos-sim".into())
            .spawn(move || {
                while !s.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((conn, _)) => {
                            let p = p.clone();
                            let s = s.clone();
                            thread::spawn(move || serve(conn, p, s));
                        }
                        Err(_) => thread::sleep(Duration::from_millis(5)),
                    }
                }
            })?;
        Ok(SimPrinter {
            addr: Some(addr),
            pty: None,
            paper,
            stop,
            thread: Some(thread),
        })
    }

    /// A printer on a pseudo-terminal at `baud`, with a symlink to it at `link`
    /// (open it as the serial port of a printer).
    pub fn start_serial(link: &Path, baud: u32) -> std::io::Result<SimPrinter> {
        let pty = open_pty(link, baud)?;
        let paper = Arc::new(Mutex::new(Paper::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (paper.clone(), stop.clone());
        let thread = thread::Builder::new()
            .name("escpos-sim-serial".into())
            .spawn(move || {
                // The slave stays open in `pty`, so the master never hangs up.
                let Pty { master, .. } = &pty;
                if let Ok(m) = master.try_clone() {
                    serve(m, p, s);
                }
                drop(pty);
            })?;
        Ok(SimPrinter {
            addr: None,
            pty: Some(link.to_path_buf()),
            paper,
            stop,
            thread: Some(thread),
        })
    }

    /// The TCP address of a printer made by [`SimPrinter::start`]; a serial
    /// one has none (its [`SimPrinter::pty`] is the way in).
    pub fn addr(&self) -> SocketAddr {
        self.addr
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn pty(&self) -> Option<&Path> {
        self.pty.as_deref()
    }

    fn with<R>(&self, f: impl FnOnce(&mut Paper) -> R) -> R {
        f(&mut self
            .paper
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// The roll holds only `bytes` more bytes of job data.
    pub fn paper_left(&self, bytes: usize) {
        self.with(|p| p.left = Some(bytes));
    }
    /// A new roll: paper out clears, the half-printed job is torn off.
    pub fn load_paper(&self) {
        self.with(|p| {
            p.left = None;
            if p.state == Some(State::PaperOut) {
                p.state = None;
            }
            if !p.current.is_empty() {
                let torn = std::mem::take(&mut p.current);
                p.decoded = 0;
                p.torn.push(torn);
            }
        });
    }
    /// Forces a state (cover open, cutter error, offline); `None` clears it.
    pub fn set_state(&self, s: Option<State>) {
        self.with(|p| p.state = s);
    }
    /// Whole jobs printed so far.
    pub fn jobs(&self) -> Vec<Vec<u8>> {
        self.with(|p| p.jobs.clone())
    }
    pub fn torn(&self) -> Vec<Vec<u8>> {
        self.with(|p| p.torn.clone())
    }
}

impl Drop for SimPrinter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn state_of(p: &Paper) -> State {
    p.state.unwrap_or(if p.left == Some(0) {
        State::PaperOut
    } else {
        State::Ready
    })
}

/// Cuts finished jobs off the front of what the paper took, by decoding it.
fn take_jobs(p: &mut Paper) {
    loop {
        match decode_one(&p.current[p.decoded..]) {
            Ok(Some((Cmd::Cut { .. }, n))) => {
                let rest = p.current.split_off(p.decoded + n);
                let job = std::mem::replace(&mut p.current, rest);
                p.decoded = 0;
                p.jobs.push(job);
            }
            Ok(Some((_, n))) => p.decoded += n,
            Ok(None) => return,
            // A printer skips what it cannot take apart; so does the simulator.
            Err(_) => p.decoded += 1,
        }
    }
}

fn serve<C: Read + Write>(mut conn: C, paper: Arc<Mutex<Paper>>, stop: Arc<AtomicBool>) {
    let mut buf = [0u8; 1024];
    // Bytes of an unfinished DLE EOT sequence carried over between reads.
    let mut pending: Vec<u8> = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let n = match conn.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                thread::sleep(Duration::from_millis(2));
                continue;
            }
            Err(_) => return,
        };
        pending.extend_from_slice(&buf[..n]);
        let mut i = 0;
        let mut replies = Vec::new();
        {
            let mut p = paper
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if p.state == Some(State::Offline) {
                // An offline printer answers nothing at all.
                pending.clear();
                continue;
            }
            while i < pending.len() {
                if pending[i] == 0x10 {
                    if pending.len() < i + 3 {
                        break;
                    }
                    if pending[i + 1] == 0x04 && (1..=4).contains(&pending[i + 2]) {
                        let raw = state_of(&p).to_raw();
                        replies.push(raw.bytes()[pending[i + 2] as usize - 1]);
                        i += 3;
                        continue;
                    }
                }
                let b = pending[i];
                i += 1;
                let ready = state_of(&p).can_print();
                let take = match p.left {
                    _ if !ready => false,
                    Some(0) => false,
                    Some(l) => {
                        p.left = Some(l - 1);
                        true
                    }
                    None => true,
                };
                if take {
                    p.current.push(b);
                }
            }
        }
        {
            let mut p = paper
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            take_jobs(&mut p);
        }
        pending.drain(..i);
        if !replies.is_empty() && conn.write_all(&replies).is_err() {
            return;
        }
    }
}
