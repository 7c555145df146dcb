//! One thread owns the document camera; everyone else holds a [`Camera`]
//! handle and sends it messages (as the ID-card reader does).
//!
//! The worker holds the open device (the V4L2 node and its mmap'd buffers, or
//! the simulator's folder and its place in it) and does everything that
//! touches it: the live preview (at most 15 frames a second, each handed to a
//! sink that keeps only the newest — a slow UI drops frames, it never queues
//! them), stills, a still through the scan pipeline, and status. A lost V4L2
//! camera is closed there and reopened there on the next request (by its USB
//! bus path if it came back under another node). Because the device never
//! leaves this thread, nothing about it needs to be `Send` or locked.
//!
//! Invariant: a request waits for its answer at most [`REPLY_TIMEOUT`]; the
//! live preview pauses while a still or scan is being made and resumes after.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiosk_device::DeviceStatus;

use crate::pipeline::{outline_rgb, scan_jpeg, Scan, ScanError, ScanOptions};
use crate::v4l2::{self, V4l2Device};
use crate::{preview_from_jpeg, still_from_raw, tj, CameraError, PreviewFrame, Still};

/// How long a caller waits for the worker (a 12 MP still plus its scan take
/// well under a second here; a stuck device must not hang the caller).
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(15);

/// Live preview period (15 frames a second) and the retry period after the
/// camera failed (once a second, not fifteen times).
const LIVE_PERIOD: Duration = Duration::from_millis(66);
const LIVE_RETRY: Duration = Duration::from_secs(1);

/// One live frame, with the page outline found in it (clockwise from
/// top-left, frame pixels) when there is a page.
pub struct LiveFrame {
    pub frame: PreviewFrame,
    pub outline: Option<[[f32; 2]; 4]>,
}

/// What the live preview hands its sink.
pub enum LiveEvent {
    Frame(LiveFrame),
    /// No frame this time, and why (the worker tries again a second later).
    Trouble(CameraError),
}

/// Where live frames go; called on the camera thread, so it must be quick
/// (store the newest, drop the rest).
pub type LiveSink = Arc<dyn Fn(LiveEvent) + Send + Sync>;

/// A still through the scan pipeline.
pub enum Shot {
    /// The page found, straightened and cleaned.
    Page(Scan),
    /// No page outline in the frame: the still, for the citizen to drag its corners.
    NoPage(Still),
}

enum Cmd {
    Still(mpsc::Sender<Result<Still, CameraError>>),
    Shot(
        ScanOptions,
        mpsc::Sender<Result<Result<Shot, ScanError>, CameraError>>,
    ),
    Preview(u32, u32, mpsc::Sender<Result<PreviewFrame, CameraError>>),
    Status(mpsc::Sender<DeviceStatus>),
    /// Where live frames go and at what size (replaces an earlier sink).
    LiveSink(u32, u32, LiveSink),
    Live(bool),
}

/// The handle on the document camera: a folder simulator or a V4L2 device,
/// behind one worker thread. Cheap to clone; the worker ends when the last
/// handle is dropped (a sink must therefore not hold a `Camera`).
#[derive(Clone)]
pub struct Camera {
    tx: mpsc::Sender<Cmd>,
}

impl Camera {
    /// A camera that serves the `.jpg`/`.jpeg` files of `folder`, in name
    /// order, round and round.
    pub fn simulated(folder: impl Into<PathBuf>) -> Self {
        Self::spawn(Spec::Folder(folder.into()))
    }

    /// A UVC camera through V4L2, opened on first use and reopened after it
    /// was lost, so it comes back by itself when plugged in again.
    pub fn v4l2(cfg: v4l2::CaptureConfig) -> Self {
        Self::spawn(Spec::V4l2(cfg))
    }

    fn spawn(spec: Spec) -> Self {
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("kiosk-camera".into())
            .spawn(move || {
                // The device is opened on this thread and never leaves it.
                let source = match spec {
                    Spec::Folder(folder) => Source::Folder { folder, next: 0 },
                    Spec::V4l2(cfg) => Source::V4l2 {
                        cfg,
                        dev: None,
                        last_bus: String::new(),
                    },
                };
                run(source, rx)
            });
        if let Err(e) = spawned {
            // The handle then answers every request with "camera unavailable".
            tracing::error!(error = %e, "no camera thread");
        }
        Camera { tx }
    }

    fn ask<T>(&self, make: impl FnOnce(mpsc::Sender<T>) -> Cmd) -> Option<T> {
        let (tx, rx) = mpsc::channel();
        self.tx.send(make(tx)).ok()?;
        rx.recv_timeout(REPLY_TIMEOUT).ok()
    }

    fn gone() -> CameraError {
        CameraError::Unavailable
    }

    /// Takes one full-resolution still.
    pub fn capture(&self) -> Result<Still, CameraError> {
        self.ask(Cmd::Still).unwrap_or_else(|| Err(Self::gone()))
    }

    /// Takes one still and runs the scan pipeline on it, on the camera thread.
    /// The outer error is the camera's, the inner the scan's.
    pub fn shoot(&self, opts: &ScanOptions) -> Result<Result<Shot, ScanError>, CameraError> {
        let opts = *opts;
        self.ask(|tx| Cmd::Shot(opts, tx))
            .unwrap_or_else(|| Err(Self::gone()))
    }

    /// One live frame at most `max_w × max_h` (the simulator shows the frame
    /// the next [`capture`](Self::capture) will take).
    pub fn preview(&self, max_w: u32, max_h: u32) -> Result<PreviewFrame, CameraError> {
        self.ask(|tx| Cmd::Preview(max_w, max_h, tx))
            .unwrap_or_else(|| Err(Self::gone()))
    }

    pub fn status(&self) -> DeviceStatus {
        self.ask(Cmd::Status)
            .unwrap_or_else(|| DeviceStatus::Offline(Self::gone().to_string()))
    }

    /// Where live frames go, each at most `max_w × max_h`.
    pub fn set_live_sink(&self, max_w: u32, max_h: u32, sink: LiveSink) {
        let _ = self.tx.send(Cmd::LiveSink(max_w, max_h, sink));
    }

    /// Starts or stops the live preview (cheap; repeated calls are fine).
    pub fn set_live(&self, on: bool) {
        let _ = self.tx.send(Cmd::Live(on));
    }
}

/// What to open, handed to the worker thread.
enum Spec {
    Folder(PathBuf),
    V4l2(v4l2::CaptureConfig),
}

enum Source {
    Folder {
        folder: PathBuf,
        next: usize,
    },
    V4l2 {
        cfg: v4l2::CaptureConfig,
        dev: Option<V4l2Device>,
        /// The USB bus path of the camera last opened, to find it again.
        last_bus: String,
    },
}

fn folder_err(path: &std::path::Path, source: std::io::Error) -> CameraError {
    CameraError::Folder {
        path: path.display().to_string(),
        source,
    }
}

impl Source {
    fn frames(folder: &std::path::Path) -> Result<Vec<PathBuf>, CameraError> {
        let rd = std::fs::read_dir(folder).map_err(|e| folder_err(folder, e))?;
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| crate::is_jpeg_name(p))
            .collect();
        v.sort();
        if v.is_empty() {
            return Err(CameraError::NoFrames(folder.display().to_string()));
        }
        Ok(v)
    }

    /// Runs `f` on the open device, opening or reopening it first; a lost
    /// device is closed so that the next call reconnects.
    fn with_device<T>(
        cfg: &v4l2::CaptureConfig,
        dev: &mut Option<V4l2Device>,
        last_bus: &mut String,
        f: impl FnOnce(&mut V4l2Device) -> Result<T, CameraError>,
    ) -> Result<T, CameraError> {
        if dev.is_none() {
            let d = v4l2::open_again(cfg, last_bus)?;
            tracing::info!("document camera opened");
            last_bus.clone_from(&d.info().bus);
            *dev = Some(d);
        }
        let Some(d) = dev.as_mut() else {
            return Err(CameraError::NotFound("camera".into()));
        };
        let r = f(d);
        if let Err(CameraError::Lost(_) | CameraError::Device { .. }) = &r {
            tracing::warn!("document camera lost; will reconnect on the next request");
            *dev = None;
        }
        r
    }

    fn still(&mut self) -> Result<Still, CameraError> {
        match self {
            Source::Folder { folder, next } => {
                let frames = Self::frames(folder)?;
                let path = &frames[*next % frames.len()];
                *next = next.wrapping_add(1);
                let bytes = std::fs::read(path).map_err(|e| folder_err(path, e))?;
                // The size from the JPEG header alone: the scan decodes the frame
                // (and refuses it if it is torn), so decoding it here too would
                // only cost a whole 12 MP decode per capture.
                let hd = tj::header(&bytes).map_err(|e| CameraError::CorruptFrame {
                    path: path.display().to_string(),
                    reason: format!("{e:?}"),
                })?;
                Ok(Still {
                    width: hd.width,
                    height: hd.height,
                    jpeg: zeroize::Zeroizing::new(bytes),
                })
            }
            Source::V4l2 { cfg, dev, last_bus } => {
                let raw = Self::with_device(cfg, dev, last_bus, |d| d.still())?;
                still_from_raw(&raw)
            }
        }
    }

    fn preview(&mut self, max_w: u32, max_h: u32) -> Result<PreviewFrame, CameraError> {
        match self {
            Source::Folder { folder, next } => {
                let frames = Self::frames(folder)?;
                let path = &frames[*next % frames.len()];
                let bytes =
                    zeroize::Zeroizing::new(std::fs::read(path).map_err(|e| folder_err(path, e))?);
                preview_from_jpeg(&bytes, max_w, max_h).map_err(|reason| {
                    CameraError::CorruptFrame {
                        path: path.display().to_string(),
                        reason,
                    }
                })
            }
            Source::V4l2 { cfg, dev, last_bus } => {
                let raw = Self::with_device(cfg, dev, last_bus, |d| d.frame())?;
                match raw.format {
                    v4l2::PixelFormat::Mjpeg => preview_from_jpeg(&raw.data, max_w, max_h)
                        .map_err(|_| CameraError::BadFrame("preview frame is not a readable JPEG")),
                    v4l2::PixelFormat::Yuyv => {
                        let rgb = v4l2::yuyv_to_rgb(&raw.data, raw.width, raw.height)?;
                        Ok(PreviewFrame {
                            rgb: zeroize::Zeroizing::new(rgb),
                            width: raw.width,
                            height: raw.height,
                        })
                    }
                }
            }
        }
    }

    fn status(&mut self) -> DeviceStatus {
        let r = match self {
            Source::Folder { folder, .. } => Self::frames(folder).map(|_| ()),
            Source::V4l2 { cfg, dev, last_bus } => {
                Self::with_device(cfg, dev, last_bus, |_| Ok(()))
            }
        };
        match r {
            Ok(()) => DeviceStatus::Ready,
            Err(e) => DeviceStatus::Offline(e.to_string()),
        }
    }
}

struct Live {
    size: (u32, u32),
    sink: LiveSink,
    on: bool,
}

fn run(mut source: Source, rx: mpsc::Receiver<Cmd>) {
    let mut live: Option<Live> = None;
    let mut due = Instant::now();
    loop {
        let streaming = live.as_ref().is_some_and(|l| l.on);
        let cmd = if streaming {
            match rx.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(c) => Some(c),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match rx.recv() {
                Ok(c) => Some(c),
                Err(_) => return,
            }
        };
        match cmd {
            Some(Cmd::Still(reply)) => {
                let _ = reply.send(source.still());
            }
            Some(Cmd::Shot(opts, reply)) => {
                let r = source.still().map(|still| {
                    let t = Instant::now();
                    match scan_jpeg(&still.jpeg, &opts) {
                        Ok(scan) => {
                            tracing::info!(ms = scan.ms.total, "page scanned");
                            Ok(Shot::Page(scan))
                        }
                        Err(ScanError::NoPage) => {
                            tracing::info!(
                                ms = t.elapsed().as_millis() as u64,
                                "no page found in the frame"
                            );
                            Ok(Shot::NoPage(still))
                        }
                        Err(e) => Err(e),
                    }
                });
                let _ = reply.send(r);
            }
            Some(Cmd::Preview(w, h, reply)) => {
                let _ = reply.send(source.preview(w, h));
            }
            Some(Cmd::Status(reply)) => {
                let _ = reply.send(source.status());
            }
            Some(Cmd::LiveSink(w, h, sink)) => {
                let on = live.as_ref().is_some_and(|l| l.on);
                live = Some(Live {
                    size: (w, h),
                    sink,
                    on,
                });
            }
            Some(Cmd::Live(on)) => {
                if let Some(l) = live.as_mut() {
                    if on && !l.on {
                        due = Instant::now();
                    }
                    l.on = on;
                }
            }
            None => {
                let Some(l) = live.as_ref() else { continue };
                let started = Instant::now();
                let ev = match source.preview(l.size.0, l.size.1) {
                    Ok(frame) => {
                        let outline = outline_rgb(&frame.rgb, frame.width, frame.height);
                        LiveEvent::Frame(LiveFrame { frame, outline })
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "no preview frame");
                        LiveEvent::Trouble(e)
                    }
                };
                let failed = matches!(ev, LiveEvent::Trouble(_));
                (l.sink)(ev);
                due = started + if failed { LIVE_RETRY } else { LIVE_PERIOD };
            }
        }
    }
}
