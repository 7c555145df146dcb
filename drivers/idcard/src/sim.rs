//! A simulated reader at the other end of a pseudo-terminal: it parses the same
//! command frames and answers with the same reply frames a real reader sends,
//! paced at the configured baud rate (10 bits per byte, both directions), with
//! cards from fixture files and faults on demand. The driver opens the pty (or
//! the stable symlink to it) exactly as it would open `/dev/ttyUSB0`.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::card::IdCard;
use crate::codec::{
    encode_read, encode_reply, parse_command, CardBlocks, Command, FrameDecoder, Status,
};
use crate::text::encode_text;
use crate::transport::{open_pty, wait_readable, Pty};

/// A fault the next reply (or the link) suffers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The reply goes out in small pieces with pauses between them.
    Split,
    /// A stale frame (a late reply to an earlier command) arrives in the same
    /// write as the reply.
    Merged,
    /// Line noise before the reply.
    Noise,
    /// The reply's checksum is wrong.
    BadChecksum,
    /// No reply at all.
    Timeout,
    /// The reader is unplugged: the pty goes away, and comes back (a new pty
    /// behind the same symlink) after this long.
    Unplug(Duration),
}

/// When the card is in the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Only when the test or technician says so ([`SimHandle::place`]).
    Manual,
    /// A citizen: the card arrives this long after polling starts, and is taken
    /// away when polling stops for a second.
    AfterPolling(Duration),
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where the stable symlink to the pty goes (like `/dev/ttyIDCARD`).
    pub link: PathBuf,
    pub baud: u32,
    pub card: Option<IdCard>,
    pub placement: Placement,
    /// The 16 bytes of the SAM ID reply.
    pub sam_id: [u8; 16],
}

impl SimConfig {
    pub fn new(link: impl Into<PathBuf>, baud: u32) -> Self {
        let mut sam_id = [0u8; 16];
        sam_id[0..2].copy_from_slice(&5u16.to_le_bytes());
        sam_id[2..4].copy_from_slice(&1u16.to_le_bytes());
        sam_id[4..8].copy_from_slice(&20101010u32.to_le_bytes());
        sam_id[8..12].copy_from_slice(&12345u32.to_le_bytes());
        sam_id[12..16].copy_from_slice(&1234567890u32.to_le_bytes());
        SimConfig {
            link: link.into(),
            baud,
            card: None,
            placement: Placement::Manual,
            sam_id,
        }
    }
}

/// Loads a card fixture (JSON, the field names of [`IdCard`]).
/// The demo and test card (欧阳燕): `assets/sim/idcard/ouyang-yan.json`, the one
/// copy of it that every test and the demo configuration read.
pub const FIXTURE_JSON: &str = include_str!("../../../assets/sim/idcard/ouyang-yan.json");

/// [`FIXTURE_JSON`] as a card.
pub fn fixture_card() -> IdCard {
    serde_json::from_str(FIXTURE_JSON).expect("the shipped fixture card parses")
}

pub fn load_fixture(path: &Path) -> io::Result<IdCard> {
    let text = std::fs::read_to_string(path)?;
    let mut card: IdCard = serde_json::from_str(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        )
    })?;
    if card.photo_wlt.is_empty() {
        // A WLT block is vendor-compressed; the simulator sends a fixed pattern.
        card.photo_wlt = (0..1024u32).map(|i| (i * 7 % 251) as u8).collect();
    }
    Ok(card)
}

enum Ctl {
    Place(Option<IdCard>),
    Fault(Fault),
    Stop,
}

/// Controls a running simulator; dropping it stops the simulator.
pub struct SimHandle {
    tx: Sender<Ctl>,
    link: PathBuf,
    stats: Arc<Mutex<SimStats>>,
    thread: Option<thread::JoinHandle<()>>,
}

/// What the simulator has seen and sent.
#[derive(Debug, Default, Clone)]
pub struct SimStats {
    pub commands: Vec<Command>,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

impl SimHandle {
    /// The path the driver should open.
    pub fn path(&self) -> &Path {
        &self.link
    }
    pub fn place(&self, card: IdCard) {
        let _ = self.tx.send(Ctl::Place(Some(card)));
    }
    pub fn remove(&self) {
        let _ = self.tx.send(Ctl::Place(None));
    }
    /// The next reply (or the link, for `Unplug`) suffers `fault`.
    pub fn inject(&self, fault: Fault) {
        let _ = self.tx.send(Ctl::Fault(fault));
    }
    pub fn stats(&self) -> SimStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.tx.send(Ctl::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.link);
    }
}

/// Starts a simulator; the pty is ready (symlink in place) when this returns.
pub fn start(cfg: SimConfig) -> io::Result<SimHandle> {
    let pty = open_pty(&cfg.link, cfg.baud)?;
    let (tx, rx) = mpsc::channel();
    let stats = Arc::new(Mutex::new(SimStats::default()));
    let st = stats.clone();
    let link = cfg.link.clone();
    let thread = thread::Builder::new()
        .name("idcard-pty-sim".into())
        .spawn(move || {
            if let Err(e) = Sim::new(cfg, rx, st).run(pty) {
                tracing::warn!(error = %e, "ID-card simulator stopped");
            }
        })?;
    Ok(SimHandle {
        tx,
        link,
        stats,
        thread: Some(thread),
    })
}

struct Sim {
    cfg: SimConfig,
    rx: Receiver<Ctl>,
    stats: Arc<Mutex<SimStats>>,
    card: Option<IdCard>,
    faults: VecDeque<Fault>,
    last_reply: Option<Vec<u8>>,
    /// AfterPolling: when the current polling burst began, and its last command.
    burst: Option<(Instant, Instant)>,
    byte_time: Duration,
}

impl Sim {
    fn new(cfg: SimConfig, rx: Receiver<Ctl>, stats: Arc<Mutex<SimStats>>) -> Sim {
        let byte_time = Duration::from_nanos(10 * 1_000_000_000 / cfg.baud as u64);
        Sim {
            card: cfg
                .card
                .clone()
                .filter(|_| cfg.placement == Placement::Manual),
            cfg,
            rx,
            stats,
            faults: VecDeque::new(),
            last_reply: None,
            burst: None,
            byte_time,
        }
    }

    /// Handles control messages; `Ok(false)` means stop.
    fn control(&mut self) -> bool {
        loop {
            match self.rx.try_recv() {
                Ok(Ctl::Place(c)) => self.card = c,
                Ok(Ctl::Fault(f)) => self.faults.push_back(f),
                Ok(Ctl::Stop) | Err(TryRecvError::Disconnected) => return false,
                Err(TryRecvError::Empty) => return true,
            }
        }
    }

    fn run(mut self, mut pty: Pty) -> io::Result<()> {
        let mut dec = FrameDecoder::new();
        let mut buf = [0u8; 512];
        loop {
            if !self.control() {
                return Ok(());
            }
            if let Some(Fault::Unplug(back_after)) = self.faults.front().cloned() {
                self.faults.pop_front();
                drop(pty);
                let _ = std::fs::remove_file(&self.cfg.link);
                let until = Instant::now() + back_after;
                while Instant::now() < until {
                    if !self.control() {
                        return Ok(());
                    }
                    thread::sleep(Duration::from_millis(10));
                }
                pty = open_pty(&self.cfg.link, self.cfg.baud)?;
                dec.clear();
                continue;
            }
            if !wait_readable(&pty.master, Instant::now() + Duration::from_millis(20))
                .unwrap_or(false)
            {
                self.end_burst_if_idle();
                continue;
            }
            let n = match pty.master.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                // EIO: nobody has the slave open right now.
                Err(_) => {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            let arrived = Instant::now();
            // Whatever the test or technician said before this command applies to it.
            if !self.control() {
                return Ok(());
            }
            dec.push(&buf[..n]);
            if let Ok(mut s) = self.stats.lock() {
                s.bytes_in += n as u64;
            }
            while let Some(frame) = dec.next_frame() {
                let Ok(body) = frame else { continue };
                let Some(cmd) = parse_command(&body) else {
                    // A real SAM answers an unknown command with an error status.
                    self.reply(
                        &mut pty.master,
                        arrived,
                        encode_reply(Status::Other(0x21), &[]),
                    )?;
                    continue;
                };
                if let Ok(mut s) = self.stats.lock() {
                    s.commands.push(cmd);
                }
                // The command itself took its wire time to arrive.
                let arrived = arrived + self.byte_time * 10;
                let reply = self.answer(cmd);
                self.reply(&mut pty.master, arrived, reply)?;
            }
        }
    }

    fn end_burst_if_idle(&mut self) {
        if let (Placement::AfterPolling(_), Some((_, last))) = (self.cfg.placement, self.burst) {
            if last.elapsed() > Duration::from_secs(1) {
                self.burst = None;
            }
        }
    }

    fn card_in_field(&mut self) -> Option<IdCard> {
        match self.cfg.placement {
            Placement::Manual => self.card.clone(),
            Placement::AfterPolling(after) => {
                let now = Instant::now();
                let (start, _) = *self.burst.get_or_insert((now, now));
                self.burst = Some((start, now));
                (now.duration_since(start) >= after)
                    .then(|| self.cfg.card.clone())
                    .flatten()
            }
        }
    }

    fn answer(&mut self, cmd: Command) -> Vec<u8> {
        match cmd {
            Command::ResetSam | Command::SamStatus => encode_reply(Status::Success, &[]),
            Command::SamId => encode_reply(Status::Success, &self.cfg.sam_id),
            Command::FindCard => match self.card_in_field() {
                Some(_) => encode_reply(Status::FindOk, &[0, 0, 0, 0]),
                None => encode_reply(Status::NoCard, &[]),
            },
            Command::SelectCard => match self.card_in_field() {
                Some(_) => encode_reply(Status::Success, &[0; 8]),
                None => encode_reply(Status::SelectFailed, &[]),
            },
            Command::ReadText | Command::ReadTextFingerprint => {
                let fp = cmd == Command::ReadTextFingerprint;
                match self.card_in_field() {
                    None => encode_reply(Status::ReadFailed, &[]),
                    Some(card) => match encode_text(&card) {
                        Ok(text) => {
                            let blocks = CardBlocks {
                                text,
                                photo: card.photo_wlt.clone(),
                                fingerprint: fp.then(|| vec![0u8; 1024]),
                            };
                            encode_reply(Status::Success, &encode_read(&blocks))
                        }
                        Err(_) => encode_reply(Status::UnknownCardType, &[]),
                    },
                }
            }
            Command::ReadAppendedAddress => match self.card_in_field() {
                Some(_) => encode_reply(Status::Other(0x91), &[]),
                None => encode_reply(Status::ReadFailed, &[]),
            },
        }
    }

    /// Sends `frame` as the reply to a command that finished arriving at
    /// `arrived`, applying the next fault, paced at the baud rate.
    fn reply(&mut self, out: &mut File, arrived: Instant, frame: Vec<u8>) -> io::Result<()> {
        // An unplug is the run loop's to carry out (between replies).
        let fault = match self.faults.front() {
            Some(Fault::Unplug(_)) | None => None,
            Some(_) => self.faults.pop_front(),
        };
        let stale = self.last_reply.replace(frame.clone());
        let mut bytes = frame;
        let mut chunk = 64;
        let mut pause = Duration::ZERO;
        match fault {
            None => {}
            Some(Fault::Timeout) => return Ok(()),
            Some(Fault::BadChecksum) => {
                if let Some(last) = bytes.last_mut() {
                    *last ^= 0x5A;
                }
            }
            Some(Fault::Noise) => {
                let mut noisy = vec![0x00, 0xAA, 0x96, 0x13, 0xAA, 0xAA, 0x69, 0xFF];
                noisy.extend(bytes);
                bytes = noisy;
            }
            Some(Fault::Merged) => {
                if let Some(mut s) = stale {
                    s.extend(bytes);
                    bytes = s;
                }
            }
            Some(Fault::Split) => {
                chunk = 7;
                pause = Duration::from_millis(3);
            }
            Some(Fault::Unplug(_)) => unreachable!("left in the queue above"),
        }
        let start = arrived.max(Instant::now());
        let mut sent = 0usize;
        for piece in bytes.chunks(chunk) {
            // Pace: a byte leaves no earlier than its wire time allows.
            let due = start
                + self.byte_time * (sent + piece.len()) as u32
                + pause * (sent / chunk) as u32;
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                thread::sleep(wait);
            }
            write_all(out, piece)?;
            sent += piece.len();
        }
        if let Ok(mut s) = self.stats.lock() {
            s.bytes_out += sent as u64;
        }
        Ok(())
    }
}

fn write_all(out: &mut File, mut rest: &[u8]) -> io::Result<()> {
    while !rest.is_empty() {
        match out.write(rest) {
            Ok(n) => rest = &rest[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_micros(200))
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
