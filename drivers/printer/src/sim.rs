//! A simulated ESC/POS printer on a loopback TCP port (the way a network
//! printer listens on 9100): it answers `DLE EOT n` in real time, takes the rest
//! as paper, counts a job complete at its cut (`GS V`), and can run out of paper
//! part-way, have its cover opened, or go offline.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
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
    jobs: Vec<Vec<u8>>,
    /// Jobs cut short by a paper end (torn off by staff).
    torn: Vec<Vec<u8>>,
}

/// A running simulated printer; dropping it stops it.
pub struct SimPrinter {
    addr: SocketAddr,
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
            addr,
            paper,
            stop,
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
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

fn serve(mut conn: TcpStream, paper: Arc<Mutex<Paper>>, stop: Arc<AtomicBool>) {
    let _ = conn.set_read_timeout(Some(Duration::from_millis(50)));
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
                continue
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
                let cur = &p.current;
                if cur.len() >= 4 && cur[cur.len() - 4..cur.len() - 2] == [0x1d, 0x56] {
                    let job = std::mem::take(&mut p.current);
                    p.jobs.push(job);
                }
            }
        }
        pending.drain(..i);
        if !replies.is_empty() && conn.write_all(&replies).is_err() {
            return;
        }
    }
}
