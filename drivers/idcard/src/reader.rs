//! The reader handle the kiosk holds: one worker thread owns the link to the
//! reader and polls for cards; callers send start/stop and get [`ReaderEvent`]s.

use std::io;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use kiosk_device::DeviceStatus;

use crate::card::IdCard;
use crate::driver::{DriverError, Ga467, Timeouts};
use crate::transport::{Serial, Transport};

/// The reader's status detail until its first connection attempt ends.
pub const CONNECTING: &str = "connecting";

/// What the reader tells the kiosk.
#[derive(Debug, Clone)]
pub enum ReaderEvent {
    /// A card was placed and read; sent once per placement.
    CardPresented(IdCard),
    CardRemoved,
    /// A card was placed but could not be read (or has expired).
    ReadFailed(ReadError),
    Status(DeviceStatus),
}

/// Why a placed card gave no data (the app words it for the citizen).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct ReadError(#[from] pub DriverError);

impl ReadError {
    pub fn is_expired(&self) -> bool {
        matches!(self.0, DriverError::Expired(_))
    }
}

/// How to reach and poll a reader.
#[derive(Debug, Clone)]
pub struct ReaderConfig {
    /// Serial device (`/dev/ttyUSB0`, or the simulator's pty link).
    pub port: PathBuf,
    pub baud: u32,
    /// Find-card every this often while the identify screen is up.
    pub poll_interval: Duration,
    /// Read the fingerprint block too (30 10 instead of 30 01).
    pub fingerprint: bool,
    /// Report an expired card as [`DriverError::Expired`] (checked against the local date).
    pub check_expiry: bool,
}

impl ReaderConfig {
    pub fn serial(port: impl Into<PathBuf>) -> Self {
        ReaderConfig {
            port: port.into(),
            baud: 115200,
            poll_interval: Duration::from_millis(300),
            fingerprint: false,
            check_expiry: true,
        }
    }
}

/// Today's local date as `YYYYMMDD` (the terminal's time zone).
pub fn today_local() -> String {
    chrono::Local::now().format("%Y%m%d").to_string()
}

enum Cmd {
    Start,
    Stop,
    Shutdown,
}

/// The handle the kiosk holds. Cheap to clone; the worker thread ends when the
/// last handle is dropped.
#[derive(Clone)]
pub struct IdCardReader {
    inner: Arc<Inner>,
}

struct Inner {
    cmd: mpsc::Sender<Cmd>,
    status: Arc<Mutex<DeviceStatus>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.cmd.send(Cmd::Shutdown);
    }
}

/// Opens a fresh link to the reader (called again after it is lost).
pub type Connector = Box<dyn FnMut() -> io::Result<Box<dyn Transport>> + Send>;

impl IdCardReader {
    /// A reader on a serial port (or a pty). Events go to `on_event`, called on
    /// the reader's own thread.
    pub fn serial(cfg: ReaderConfig, on_event: impl Fn(ReaderEvent) + Send + 'static) -> Self {
        let (port, baud) = (cfg.port.clone(), cfg.baud);
        let connect: Connector =
            Box::new(move || Serial::open(&port, baud).map(|s| Box::new(s) as Box<dyn Transport>));
        Self::with_connector(cfg, connect, on_event)
    }

    /// A reader on any transport (the USB bulk transport plugs in here).
    pub fn with_connector(
        cfg: ReaderConfig,
        connect: Connector,
        on_event: impl Fn(ReaderEvent) + Send + 'static,
    ) -> Self {
        let (tx, rx) = mpsc::channel();
        let status = Arc::new(Mutex::new(DeviceStatus::Offline(CONNECTING.into())));
        let st = status.clone();
        let spawned = thread::Builder::new()
            .name("idcard-reader".into())
            .spawn(move || Worker::new(cfg, connect, rx, st, Box::new(on_event)).run());
        if let Err(e) = spawned {
            // Out of threads: the reader is unusable, and says so in the health view.
            if let Ok(mut s) = status.lock() {
                *s = DeviceStatus::Offline(format!("the reader thread could not start: {e}"));
            }
        }
        IdCardReader {
            inner: Arc::new(Inner { cmd: tx, status }),
        }
    }

    /// Begin looking for a card (the identify screen is up).
    pub fn start(&self) {
        let _ = self.inner.cmd.send(Cmd::Start);
    }
    /// Stop looking; a card still on the reader is forgotten.
    pub fn stop(&self) {
        let _ = self.inner.cmd.send(Cmd::Stop);
    }
    pub fn status(&self) -> DeviceStatus {
        self.inner
            .status
            .lock()
            .map(|s| s.clone())
            .unwrap_or(DeviceStatus::Offline("driver thread failed".into()))
    }
}

struct Worker {
    cfg: ReaderConfig,
    connect: Connector,
    rx: mpsc::Receiver<Cmd>,
    status: Arc<Mutex<DeviceStatus>>,
    on_event: Box<dyn Fn(ReaderEvent) + Send>,
    link: Option<Ga467>,
    polling: bool,
    /// A card is on the reader and has been reported (read or failed).
    present: bool,
    misses: u32,
}

impl Worker {
    fn new(
        cfg: ReaderConfig,
        connect: Connector,
        rx: mpsc::Receiver<Cmd>,
        status: Arc<Mutex<DeviceStatus>>,
        on_event: Box<dyn Fn(ReaderEvent) + Send>,
    ) -> Self {
        Worker {
            cfg,
            connect,
            rx,
            status,
            on_event,
            link: None,
            polling: false,
            present: false,
            misses: 0,
        }
    }

    fn set_status(&self, s: DeviceStatus) {
        let changed = match self.status.lock() {
            Ok(mut g) if *g != s => {
                *g = s.clone();
                true
            }
            _ => false,
        };
        if changed {
            (self.on_event)(ReaderEvent::Status(s));
        }
    }

    fn lost(&mut self, e: &DriverError) {
        tracing::warn!(error = %e, "ID-card reader link lost");
        self.link = None;
        self.set_status(DeviceStatus::Offline(e.technician_message()));
        if self.present {
            self.present = false;
            (self.on_event)(ReaderEvent::CardRemoved);
        }
    }

    fn try_connect(&mut self) {
        match (self.connect)() {
            Err(e) => self.set_status(DeviceStatus::Offline(format!(
                "{}: {e} (check the cable, the port and the power; it reconnects by itself)",
                self.cfg.port.display()
            ))),
            Ok(t) => {
                let mut link = Ga467::new(t, Timeouts::for_baud(self.cfg.baud));
                match link.sam_status() {
                    Ok(()) => {
                        tracing::info!(port = %link.describe(), "ID-card reader connected");
                        self.link = Some(link);
                        self.set_status(DeviceStatus::Ready);
                    }
                    Err(e) if e.is_link() || matches!(e, DriverError::Timeout(_)) => {
                        self.set_status(DeviceStatus::Offline(e.technician_message()))
                    }
                    Err(e) => {
                        self.link = Some(link);
                        self.set_status(DeviceStatus::NeedsAttention(format!(
                            "the reader's security module (SAM) reports: {e}"
                        )))
                    }
                }
            }
        }
    }

    fn run(mut self) {
        self.try_connect();
        loop {
            let wait = if self.link.is_none() {
                Duration::from_millis(500)
            } else if self.polling {
                self.cfg.poll_interval
            } else {
                Duration::from_secs(3600)
            };
            match self.rx.recv_timeout(wait) {
                Ok(Cmd::Start) => {
                    self.polling = true;
                    self.present = false;
                    self.misses = 0;
                }
                Ok(Cmd::Stop) => {
                    self.polling = false;
                    if std::mem::take(&mut self.present) {
                        (self.on_event)(ReaderEvent::CardRemoved);
                    }
                    continue;
                }
                Ok(Cmd::Shutdown) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {}
            }
            if self.link.is_none() {
                self.try_connect();
            }
            if self.polling && self.link.is_some() {
                self.poll_once();
            }
        }
    }

    fn poll_once(&mut self) {
        let Some(link) = self.link.as_mut() else {
            return;
        };
        if self.present {
            // Wait for the card to leave before reading again (once per placement).
            match link.find_card() {
                Ok(true) => self.misses = 0,
                Ok(false) => {
                    self.misses += 1;
                    if self.misses >= 2 {
                        self.present = false;
                        self.misses = 0;
                        (self.on_event)(ReaderEvent::CardRemoved);
                    }
                }
                Err(e) if e.is_link() => self.lost(&e),
                Err(e) => tracing::debug!(error = %e, "poll while a card is present"),
            }
            return;
        }
        self.set_status(DeviceStatus::Busy);
        let Some(link) = self.link.as_mut() else {
            return;
        };
        let today = self.cfg.check_expiry.then(today_local);
        // One retry of the whole read: a card slid onto the reader is often read
        // half-way the first time.
        let mut result = link.read_card(self.cfg.fingerprint, today.as_deref());
        if matches!(&result, Err(e) if !e.is_link() && !matches!(e, DriverError::Expired(_))) {
            result = link.read_card(self.cfg.fingerprint, today.as_deref());
        }
        match result {
            Ok(None) => self.set_status(DeviceStatus::Ready),
            Ok(Some(card)) => {
                self.present = true;
                self.set_status(DeviceStatus::Ready);
                (self.on_event)(ReaderEvent::CardPresented(card));
            }
            Err(e) if e.is_link() => self.lost(&e),
            Err(e) => {
                tracing::info!(error = %e, "card not read");
                self.present = true;
                self.set_status(DeviceStatus::Ready);
                (self.on_event)(ReaderEvent::ReadFailed(ReadError(e)));
            }
        }
    }
}
