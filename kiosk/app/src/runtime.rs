//! The live executor: devices, the outbox and the hall, on a small tokio runtime
//! beside the UI thread. Results go back to the controller as [`Msg`]s.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kiosk_core::{Applicant, Application, DeliveryMethod, Effect, Event, Page};
use kiosk_device::{DeviceKind, DeviceStatus};
use kiosk_hall::{
    ApplicantBody, ApplicationRequest, DeliverOutcome, Delivery, HallClient, Heartbeat,
    MaterialBody, Outbox,
};
use kiosk_idcard::{IdCard, IdCardReader, ReaderConfig, ReaderEvent};

use crate::config::{CameraKind, Config, DeviceMode, IdCardKind, PrinterKind};
use crate::controller::{Executor, Msg};

/// The devices of this terminal, behind their driver handles.
pub struct Devices {
    pub reader: Option<IdCardReader>,
    /// The GA 467 simulator the demo's reader talks to over a pty.
    pub reader_sim: Option<kiosk_idcard::sim::SimHandle>,
    /// Why there is no reader although one is configured.
    pub reader_error: Option<String>,
    pub camera: Option<kiosk_camera::Camera>,
    pub printer: Option<kiosk_printer::Printer>,
    /// How slips are laid out for that printer.
    pub slips: crate::receipt::Slips,
    /// The A4 printer (a CUPS queue), if configured, with its kept jobs
    /// (`<data>/a4-queue`): a form CUPS did not take is printed later, not lost.
    pub a4: Option<kiosk_cups::KeptA4>,
    pub ticket: kiosk_ticket::TicketDispenser,
}

/// Starts the GA 467 simulator for a `simulated` reader: a pty under the data
/// folder (`dev/ttyIDCARD`), the fixture card placed when polling has run for
/// `present_after_ms`, as a citizen would.
fn start_reader_sim(cfg: &Config) -> anyhow::Result<kiosk_idcard::sim::SimHandle> {
    use kiosk_idcard::sim;
    let d = &cfg.raw.devices.idcard;
    let fixture = cfg.resolve(d.card.as_deref().unwrap_or(std::path::Path::new("")));
    let card = sim::load_fixture(&fixture)
        .with_context(|| format!("card fixture {}", fixture.display()))?;
    let dev = cfg.data_dir.join("dev");
    std::fs::create_dir_all(&dev).with_context(|| format!("creating {}", dev.display()))?;
    let mut sc = sim::SimConfig::new(dev.join("ttyIDCARD"), d.baud);
    sc.card = Some(card);
    sc.placement = sim::Placement::AfterPolling(Duration::from_millis(d.present_after_ms));
    sim::start(sc).context("starting the ID-card simulator on a pty")
}

/// The receipt printer the configuration names, if any.
pub fn open_printer(cfg: &Config) -> Option<kiosk_printer::Printer> {
    let d = &cfg.raw.devices;
    match d.printer.kind {
        PrinterKind::None => None,
        PrinterKind::Simulated => {
            let spool = d
                .printer
                .spool
                .as_ref()
                .map(|p| cfg.resolve(p))
                .unwrap_or_else(|| cfg.data_dir.join("spool"));
            Some(kiosk_printer::Printer::spool_with_pictures(
                spool,
                d.printer.profile().dots,
            ))
        }
        PrinterKind::Tcp | PrinterKind::Serial | PrinterKind::Usb | PrinterKind::File => {
            let p = &d.printer;
            let link = match p.kind {
                PrinterKind::Tcp => {
                    kiosk_printer::link::Link::Tcp(p.addr.as_deref().and_then(|a| a.parse().ok())?)
                }
                PrinterKind::Serial => kiosk_printer::link::Link::Serial {
                    path: cfg.resolve(p.port.as_deref()?),
                    baud: p.baud,
                },
                PrinterKind::Usb => {
                    kiosk_printer::link::Link::Usb(kiosk_device::transport::UsbAddress {
                        vid: p.usb_vid?,
                        pid: p.usb_pid?,
                        interface: p.usb_interface,
                        ep_out: p.usb_ep_out,
                        ep_in: p.usb_ep_in,
                    })
                }
                _ => kiosk_printer::link::Link::File(cfg.resolve(p.device.as_deref()?)),
            };
            Some(kiosk_printer::Printer::linked(
                kiosk_printer::link::LinkPrinter::new(link, cfg.data_dir.join("print-queue")),
            ))
        }
    }
}

/// The dispenser's paper: 58 mm, text and QR drawn here (any printer).
pub const TICKET_PROFILE: kiosk_printer::doc::Profile = kiosk_printer::doc::Profile {
    dots: 384,
    text: kiosk_printer::doc::TextMode::Raster,
    qr: kiosk_printer::doc::QrMode::Raster,
};

/// What the citizen is told when the hall's queue service does not answer.
pub const QUEUE_DOWN: &str = "排队系统暂时无法连接，请到服务台人工取号";

fn priority_label(p: &str) -> Option<String> {
    match p {
        "appointment" => Some("预约".into()),
        "elderly" => Some("长者".into()),
        "disabled" => Some("残疾人".into()),
        _ => None,
    }
}

fn queue_ticket(t: kiosk_hall::Ticket, appointment: Option<String>) -> kiosk_core::QueueTicket {
    kiosk_core::QueueTicket {
        number: t.number,
        category: t.category,
        people_ahead: t.people_ahead,
        // "YYYY-MM-DD HH:MM:SS" → to the minute.
        at: t.issued_at.get(..16).unwrap_or(&t.issued_at).to_string(),
        priority: priority_label(&t.priority),
        appointment,
    }
}

fn hall_refusal(e: &kiosk_hall::HallError) -> String {
    match e {
        kiosk_hall::HallError::Rejected { message, .. } => {
            format!("暂时无法取号（{message}），请到服务台咨询")
        }
        _ => QUEUE_DOWN.to_string(),
    }
}

/// The A4 printer's CUPS queue, if the configuration names one.
pub fn open_a4(cfg: &Config) -> Option<kiosk_cups::CupsPrinter> {
    let a4 = &cfg.raw.devices.a4;
    match a4.kind {
        crate::config::A4Kind::Cups => kiosk_cups::CupsPrinter::new(a4.uri.as_deref()?).ok(),
        crate::config::A4Kind::None => None,
    }
}

impl Devices {
    /// Opens the devices the configuration names; reader events go to `tx`.
    pub fn open(cfg: &Config, tx: Sender<Msg>) -> Self {
        let d = &cfg.raw.devices;
        let mut reader_sim = None;
        let mut reader_error = None;
        let usb = (d.idcard.kind == IdCardKind::Usb).then(|| kiosk_idcard::transport::UsbAddress {
            vid: d.idcard.usb_vid.unwrap_or_default(),
            pid: d.idcard.usb_pid.unwrap_or_default(),
            interface: d.idcard.usb_interface,
            ep_out: d.idcard.usb_ep_out,
            ep_in: d.idcard.usb_ep_in,
        });
        let port = match d.idcard.kind {
            IdCardKind::None => None,
            IdCardKind::Usb => Some(std::path::PathBuf::from(format!(
                "usb:{:04x}:{:04x}",
                d.idcard.usb_vid.unwrap_or_default(),
                d.idcard.usb_pid.unwrap_or_default()
            ))),
            IdCardKind::Serial => d.idcard.port.as_ref().map(|p| cfg.resolve(p)),
            IdCardKind::Simulated => match start_reader_sim(cfg) {
                Ok(h) => {
                    let p = h.path().to_path_buf();
                    tracing::info!(pty = %p.display(), "ID-card simulator on a pty");
                    reader_sim = Some(h);
                    Some(p)
                }
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "no ID-card simulator");
                    reader_error = Some(format!("{e:#}"));
                    None
                }
            },
        };
        // The licensed photo decoder, if the terminal has one.
        let wlt = d.idcard.wlt_decoder.as_ref().and_then(|p| {
            match kiosk_idcard::wlt::WltDecoder::load(&cfg.resolve(p)) {
                Ok(w) => Some(Arc::new(std::sync::Mutex::new(w))),
                Err(e) => {
                    tracing::error!(error = %e, "WLT photo decoder not loaded; photos show a placeholder");
                    None
                }
            }
        });
        let reader = port.map(|port| {
            let rc = ReaderConfig {
                port,
                baud: d.idcard.baud,
                poll_interval: Duration::from_millis(d.idcard.poll_ms),
                fingerprint: d.idcard.fingerprint,
                check_expiry: true,
            };
            let wlt = wlt.clone();
            let on_event = move |ev| {
                let ev = match ev {
                    ReaderEvent::CardPresented(card) => {
                        Some(Event::CardRead(applicant_of(&card, wlt.as_deref())))
                    }
                    ReaderEvent::ReadFailed(e) => {
                        Some(Event::CardFailed(e.citizen_message().to_string()))
                    }
                    ReaderEvent::CardRemoved | ReaderEvent::Status(_) => None,
                };
                if let Some(ev) = ev {
                    let _ = tx.send(Msg::Session(ev));
                }
            };
            match usb {
                Some(addr) => IdCardReader::with_connector(
                    rc,
                    Box::new(move || {
                        kiosk_idcard::transport::UsbBulk::open(addr)
                            .map(|t| Box::new(t) as Box<dyn kiosk_idcard::transport::Transport>)
                    }),
                    on_event,
                ),
                None => IdCardReader::serial(rc, on_event),
            }
        });
        let camera = match d.camera.kind {
            CameraKind::Simulated => Some(kiosk_camera::Camera::simulated(
                cfg.resolve(
                    d.camera
                        .folder
                        .as_deref()
                        .unwrap_or(std::path::Path::new("")),
                ),
            )),
            CameraKind::V4l2 => Some(kiosk_camera::Camera::v4l2(
                d.camera.capture_config(|p| cfg.resolve(p)),
            )),
            CameraKind::None => None,
        };
        let printer = open_printer(cfg);
        let ticket = match d.ticket.kind {
            // The simulated dispenser's paper: files (and their pictures) in <data>/tickets.
            DeviceMode::Simulated => kiosk_ticket::TicketDispenser::with_printer(
                kiosk_printer::Printer::spool_with_pictures(
                    cfg.data_dir.join("tickets"),
                    TICKET_PROFILE.dots,
                ),
            ),
            DeviceMode::None => kiosk_ticket::TicketDispenser::absent(),
        };
        Devices {
            reader,
            reader_sim,
            reader_error,
            camera,
            printer,
            a4: open_a4(cfg).map(|p| kiosk_cups::KeptA4::new(cfg.data_dir.join("a4-queue"), p)),
            slips: crate::receipt::Slips {
                profile: d.printer.profile(),
                progress_url: d.printer.progress_url.clone(),
            },
            ticket,
        }
    }

    pub fn health(&self) -> Vec<(DeviceKind, DeviceStatus)> {
        let missing = || DeviceStatus::Offline("未配置".into());
        let mut health = vec![
            (
                DeviceKind::IdCardReader,
                match (&self.reader, &self.reader_error) {
                    (Some(r), _) => r.status(),
                    (None, Some(e)) => DeviceStatus::Offline(e.clone()),
                    (None, None) => missing(),
                },
            ),
            (
                DeviceKind::Camera,
                self.camera.as_ref().map_or_else(missing, |c| c.status()),
            ),
            (
                DeviceKind::Printer,
                self.printer.as_ref().map_or_else(missing, |p| p.status()),
            ),
            (DeviceKind::TicketDispenser, self.ticket.status()),
        ];
        // An A4 printer is optional equipment: listed only where fitted.
        if let Some(a4) = &self.a4 {
            health.push((DeviceKind::A4Printer, a4.printer().device_status()));
        }
        health
    }
}

/// The applicant of a card; the photo is decoded when a licensed WLT decoder is
/// configured (and succeeds), otherwise the UI shows a placeholder.
pub fn applicant_of(
    c: &IdCard,
    wlt: Option<&std::sync::Mutex<kiosk_idcard::wlt::WltDecoder>>,
) -> Applicant {
    let photo = wlt
        .zip((!c.photo_wlt.is_empty()).then_some(()))
        .and_then(|(w, _)| {
            let d = w.lock().ok()?;
            match d.decode(&c.photo_wlt) {
                Ok(bmp) => Some(kiosk_core::Photo::new(bmp)),
                Err(e) => {
                    tracing::warn!(error = %e, "card photo not decoded");
                    None
                }
            }
        });
    Applicant {
        photo,
        name: c.name.clone(),
        gender: c.gender.clone(),
        nation: c.nation.clone(),
        birth: c.birth.clone(),
        address: c.address.clone(),
        id_number: c.id_number.clone(),
        authority: c.authority.clone(),
        valid_from: c.valid_from.clone(),
        valid_to: c.valid_to.clone(),
    }
}

/// The hall request and each material's pages of an application.
pub fn request_of(
    app: &Application,
    terminal_id: &str,
) -> (ApplicationRequest, Vec<(String, Vec<Page>)>) {
    let a = &app.applicant;
    let req = ApplicationRequest {
        terminal_id: terminal_id.to_string(),
        item_id: app.item_id.clone(),
        applicant: ApplicantBody {
            name: a.name.clone(),
            id_number: a.id_number.clone(),
            gender: a.gender.clone(),
            nation: a.nation.clone(),
            birth: a.birth.clone(),
            address: a.address.clone(),
        },
        fields: app.fields.clone(),
        materials: app
            .materials
            .iter()
            .map(|m| MaterialBody {
                id: m.id.clone(),
                name: m.name.clone(),
                pages: m.pages.len() as u32,
                from_card: m.from_card,
                deferred: m.deferred,
            })
            .collect(),
        delivery: match app.delivery {
            DeliveryMethod::Pickup => Delivery::Pickup,
            DeliveryMethod::Mail => Delivery::Mail,
        },
        mail_address: app.mail_address.clone(),
    };
    let pages = app
        .materials
        .iter()
        .filter(|m| !m.pages.is_empty())
        .map(|m| (m.id.clone(), m.pages.clone()))
        .collect();
    (req, pages)
}

/// What goes to the hall for each material: its pages as one PDF, attachment
/// page 0 (pages scanned at `dpi`). A page that is not a readable JPEG (it
/// cannot be, from the pipeline) makes that material go as its JPEG pages
/// 1..=n instead, so nothing is dropped.
pub fn attachments(
    materials: &[(String, Vec<Page>)],
    dpi: u32,
) -> Vec<(String, u32, zeroize::Zeroizing<Vec<u8>>)> {
    let mut out = Vec::new();
    for (id, pages) in materials {
        let pdf = pages
            .iter()
            .map(|p| kiosk_camera::PageJpeg::from_jpeg(p.jpeg().to_vec(), dpi))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())
            .and_then(|j| kiosk_camera::pdf_from_pages(&j).map_err(|e| e.to_string()));
        match pdf {
            Ok(pdf) => out.push((id.clone(), 0, zeroize::Zeroizing::new(pdf))),
            Err(e) => {
                tracing::warn!(material = %id, error = %e, "pages not joined into a PDF; sent one by one");
                for (i, p) in pages.iter().enumerate() {
                    out.push((
                        id.clone(),
                        i as u32 + 1,
                        zeroize::Zeroizing::new(p.jpeg().to_vec()),
                    ));
                }
            }
        }
    }
    out
}

pub struct Runtime {
    rt: tokio::runtime::Runtime,
    tx: Sender<Msg>,
    pub hall: HallClient,
    pub hall_url: String,
    pub outbox: Arc<Outbox>,
    pub devices: Arc<Devices>,
    terminal_id: String,
    terminal_name: String,
    /// Printed on the 一次性告知单.
    submit_to: String,
    phone: String,
    /// How material pages are scanned.
    scan: kiosk_camera::ScanOptions,
    /// Whether the materials screen shows the live preview.
    preview_on: Arc<std::sync::atomic::AtomicBool>,
    preview_slot: PreviewSlot,
    /// How long the citizen waits for the hall before getting the terminal's reference.
    submit_wait: Duration,
}

/// The newest live frame, waiting for the UI thread (older ones are dropped).
type PreviewSlot = Arc<std::sync::Mutex<Option<Result<crate::controller::Preview, String>>>>;

/// Live preview at up to 15 frames a second while `on`: each frame scaled into
/// `size`, its page outline found, and left in `slot` for the UI thread. The
/// thread ends with the runtime (when the slot is the last holder).
fn start_preview(
    cam: kiosk_camera::Camera,
    size: (u32, u32),
    on: Arc<std::sync::atomic::AtomicBool>,
    slot: PreviewSlot,
) {
    use std::sync::atomic::Ordering;
    let period = Duration::from_millis(66);
    let spawned = std::thread::Builder::new()
        .name("kiosk-preview".into())
        .spawn(move || loop {
            if Arc::strong_count(&slot) == 1 {
                return;
            }
            if !on.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            let t = std::time::Instant::now();
            let next = match cam.preview(size.0, size.1) {
                Ok(frame) => {
                    let outline = kiosk_camera::outline_rgb(&frame.rgb, frame.width, frame.height);
                    Ok(crate::controller::Preview { frame, outline })
                }
                Err(e) => {
                    tracing::debug!(error = %e, "no preview frame");
                    Err(e.citizen_message().to_string())
                }
            };
            let failed = next.is_err();
            if let Ok(mut s) = slot.lock() {
                *s = Some(next);
            }
            // A lost camera is asked again once a second, not fifteen times.
            let wait = if failed {
                Duration::from_secs(1)
            } else {
                period
            };
            std::thread::sleep(wait.saturating_sub(t.elapsed()));
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "no preview thread");
    }
}

/// A still through the scan pipeline: the cleaned page, or the frame itself for
/// the citizen to drag the corners when no page was found.
fn scanned(still: &kiosk_camera::Still, opts: &kiosk_camera::ScanOptions) -> Event {
    match kiosk_camera::scan_jpeg(&still.jpeg, opts) {
        Ok(scan) => {
            tracing::info!(ms = scan.ms.total, "page scanned");
            Event::PageCaptured(Page::new(0, scan.jpeg.to_vec()))
        }
        Err(e @ kiosk_camera::ScanError::NoPage) => Event::PageNeedsCorners {
            frame: Page::new(0, still.jpeg.to_vec()),
            width: still.width,
            height: still.height,
            message: e.citizen_message().into(),
        },
        Err(e) => {
            tracing::warn!(error = %e, "frame not scanned");
            Event::CaptureFailed(e.citizen_message().into())
        }
    }
}

fn now_text() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl Runtime {
    /// Starts the runtime: data folder, outbox, embedded hall (if configured),
    /// devices, and the background loop that empties the outbox.
    pub fn start(cfg: &Config, tx: Sender<Msg>) -> anyhow::Result<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kiosk-rt")
            .enable_all()
            .build()
            .context("starting the runtime")?;
        std::fs::create_dir_all(&cfg.data_dir)
            .with_context(|| format!("creating the data folder {}", cfg.data_dir.display()))?;
        let h = &cfg.raw.hall;
        let hall_url = if h.url == "embedded" {
            let addr: SocketAddr = h.listen.parse().context("hall.listen")?;
            let listener = rt
                .block_on(tokio::net::TcpListener::bind(addr))
                .with_context(|| format!("embedded hall: cannot listen on {addr}"))?;
            let local = listener.local_addr()?;
            let db = cfg.data_dir.join("hall").join("hall.db");
            let catalog = serde_json::to_value(&cfg.catalog)?;
            let app = kiosk_hall::server::router(&db, catalog)?;
            rt.spawn(async move {
                if let Err(e) = axum::serve(listener, app).await {
                    tracing::error!(error = %e, "embedded hall stopped");
                }
            });
            tracing::info!(%local, "embedded reference hall listening");
            format!("http://{local}")
        } else {
            h.url.clone()
        };
        let terminal_id = cfg.raw.terminal.id.clone();
        let hall = HallClient::new(&hall_url, &terminal_id, Duration::from_secs(h.timeout_secs))?;
        let outbox = Arc::new(Outbox::open(&cfg.data_dir.join("outbox"), &terminal_id)?);
        let devices = Arc::new(Devices::open(cfg, tx.clone()));
        let preview_on = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let preview_slot: PreviewSlot = Arc::new(std::sync::Mutex::new(None));
        if let Some(cam) = devices.camera.clone() {
            let cam_cfg = &cfg.raw.devices.camera;
            start_preview(
                cam,
                (cam_cfg.preview_width, cam_cfg.preview_height),
                preview_on.clone(),
                preview_slot.clone(),
            );
        }

        // Background: send what the outbox holds, and tell the hall how we are.
        let (ob, hc, dev, every) = (
            outbox.clone(),
            hall.clone(),
            devices.clone(),
            Duration::from_secs(h.retry_secs),
        );
        rt.spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                // Receipts kept after paper-out or a fault go out once the printer is back.
                if let Some(p) = dev.printer.clone() {
                    match tokio::task::spawn_blocking(move || p.reprint_pending()).await {
                        Ok(Ok(n)) if n > 0 => tracing::info!(jobs = n, "kept receipts reprinted"),
                        Ok(Err(e)) => tracing::debug!(error = %e, "kept receipts still waiting for the printer"),
                        _ => {}
                    }
                }
                if let Some(a4) = dev.a4.clone() {
                    match tokio::task::spawn_blocking(move || a4.reprint_pending()).await {
                        Ok(Ok(n)) if n > 0 => tracing::info!(jobs = n, "kept A4 forms printed"),
                        Ok(Err(e)) => tracing::debug!(error = %e, "kept A4 forms still waiting for CUPS"),
                        _ => {}
                    }
                }
                let pending = ob.flush(&hc).await.unwrap_or_else(|e| {
                    tracing::error!(error = %e, "outbox");
                    0
                });
                let devices: BTreeMap<String, String> = dev
                    .health()
                    .into_iter()
                    .map(|(k, s)| (format!("{k:?}"), s.describe()))
                    .collect();
                if let Err(e) = hc
                    .heartbeat(&Heartbeat {
                        devices,
                        outbox_pending: pending,
                    })
                    .await
                {
                    tracing::debug!(error = %e, "heartbeat not delivered");
                }
            }
        });
        Ok(Runtime {
            rt,
            tx,
            hall,
            hall_url,
            outbox,
            devices,
            terminal_id,
            terminal_name: cfg.raw.terminal.name.clone(),
            submit_to: cfg.raw.terminal.submit_to.clone(),
            phone: cfg.raw.terminal.phone.clone(),
            scan: cfg.raw.devices.camera.scan_options(),
            preview_on,
            preview_slot,
            submit_wait: Duration::from_secs(h.timeout_secs.max(1) * 2),
        })
    }

    /// Draws `doc` and prints it on the receipt printer, off the UI thread;
    /// the citizen is told `ok` or what went wrong (`unavailable` when there is
    /// no printer or the fonts failed).
    fn print_slip(
        &self,
        doc: kiosk_printer::doc::Doc,
        name: String,
        ok: &'static str,
        unavailable: &'static str,
    ) {
        let (devices, tx) = (self.devices.clone(), self.tx.clone());
        self.rt.spawn_blocking(move || {
            let res = match devices.slips.encode(&doc) {
                Err(e) => {
                    tracing::error!(error = %e, job = %name, "slip not drawn");
                    Err(unavailable.to_string())
                }
                Ok(job) => match devices.printer.as_ref().map(|p| p.print(&name, &job)) {
                    Some(Ok(_)) => Ok(ok.to_string()),
                    Some(Err(e)) => {
                        tracing::error!(error = %e, job = %name, "slip not printed");
                        Err(e.citizen_message().to_string())
                    }
                    None => Err(unavailable.to_string()),
                },
            };
            let _ = tx.send(Msg::Printed(res));
        });
    }

    fn send(&self, ev: Event) {
        let _ = self.tx.send(Msg::Session(ev));
    }

    fn submit(&self, app: &Application) {
        let (req, pages) = request_of(app, &self.terminal_id);
        let (outbox, hall, tx, wait, dpi) = (
            self.outbox.clone(),
            self.hall.clone(),
            self.tx.clone(),
            self.submit_wait,
            self.scan.dpi,
        );
        self.rt.spawn(async move {
            let ob = outbox.clone();
            let stored = tokio::task::spawn_blocking(move || {
                let files = attachments(&pages, dpi);
                let refs: Vec<(String, u32, &[u8])> = files.iter().map(|(m, n, b)| (m.clone(), *n, b.as_slice())).collect();
                ob.enqueue(&req, &refs)
            })
            .await;
            let entry = match stored {
                Ok(Ok(e)) => e,
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "application could not be stored");
                    let _ = tx.send(Msg::Session(Event::SubmitFailed("本机存储出现故障，申请未能保存".into())));
                    return;
                }
                Err(e) => {
                    tracing::error!(error = %e, "storing task failed");
                    let _ = tx.send(Msg::Session(Event::SubmitFailed("本机存储出现故障，申请未能保存".into())));
                    return;
                }
            };
            // Stored durably: from here on the application is accepted, whatever the hall does.
            let ev = match tokio::time::timeout(wait, outbox.deliver(&hall, entry.id)).await {
                Ok(Ok(DeliverOutcome::Delivered { application_no } | DeliverOutcome::AlreadyDone { application_no })) => {
                    Event::SubmitAccepted { application_no, at: now_text() }
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, entry = entry.id, "hall did not take the application yet; it stays in the outbox");
                    Event::SubmitQueued { local_ref: entry.local_ref, at: now_text() }
                }
                Err(_) => {
                    tracing::warn!(entry = entry.id, "hall too slow; the application stays in the outbox");
                    Event::SubmitQueued { local_ref: entry.local_ref, at: now_text() }
                }
            };
            let _ = tx.send(Msg::Session(ev));
        });
    }
}

impl Executor for Runtime {
    fn a4_fitted(&self) -> bool {
        self.devices.a4.is_some()
    }

    fn preview(&self, on: bool) {
        self.preview_on
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    fn take_preview(&self) -> Option<Result<crate::controller::Preview, String>> {
        self.preview_slot.lock().ok()?.take()
    }

    fn perform(&self, effect: &Effect) {
        match effect {
            Effect::StartCardReader => match &self.devices.reader {
                Some(r) => r.start(),
                None => self.send(Event::CardFailed(
                    "本终端未配置身份证阅读器，请到窗口办理".into(),
                )),
            },
            Effect::StopCardReader => {
                if let Some(r) = &self.devices.reader {
                    r.stop()
                }
            }
            Effect::CapturePage { .. } => {
                let (camera, tx, opts) = (self.devices.camera.clone(), self.tx.clone(), self.scan);
                self.rt.spawn_blocking(move || {
                    let ev = match camera.as_ref().map(|c| c.capture()) {
                        Some(Ok(still)) => scanned(&still, &opts),
                        Some(Err(e)) => {
                            tracing::warn!(error = %e, "capture failed");
                            Event::CaptureFailed(e.citizen_message().into())
                        }
                        None => Event::CaptureFailed("本终端未配置高拍仪，请到窗口提交材料".into()),
                    };
                    let _ = tx.send(Msg::Session(ev));
                });
            }
            Effect::WarpPage { frame, corners, .. } => {
                let (frame, corners, tx, opts) =
                    (frame.clone(), *corners, self.tx.clone(), self.scan);
                self.rt.spawn_blocking(move || {
                    let ev = match kiosk_camera::warp_with_corners(frame.jpeg(), corners, &opts) {
                        Ok(scan) => {
                            tracing::info!(
                                ms = scan.ms.total,
                                "page straightened along the citizen's corners"
                            );
                            Event::PageCaptured(Page::new(0, scan.jpeg.to_vec()))
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "corners not usable");
                            Event::CaptureFailed(e.citizen_message().into())
                        }
                    };
                    let _ = tx.send(Msg::Session(ev));
                });
            }
            Effect::Submit(app) => self.submit(app),
            Effect::PrintReceipt(r) => {
                let doc = crate::receipt::receipt_doc(
                    r,
                    &self.terminal_name,
                    &self.devices.slips.progress_url,
                );
                self.print_slip(
                    doc,
                    format!("receipt-{}", r.reference),
                    "回执已打印，请从出纸口取走。",
                    "打印机暂不可用，请凭申请编号到窗口领取回执",
                );
            }
            Effect::PrintNotice(n) => {
                let notice =
                    crate::receipt::Notice::from_core(n, now_text(), &self.submit_to, &self.phone);
                let doc = crate::receipt::notice_doc(&notice, &self.terminal_name);
                self.print_slip(
                    doc,
                    "notice".to_string(),
                    "一次性告知单已打印，请从出纸口取走。",
                    "打印机暂不可用，请拍照或记下屏幕上所列的材料",
                );
            }
            Effect::PrintForm(f) => {
                let doc = crate::receipt::form_doc(f, &self.terminal_name);
                let (devices, tx) = (self.devices.clone(), self.tx.clone());
                let name = format!("form-{}", f.reference);
                self.rt.spawn_blocking(move || {
                    let res = match (devices.a4.as_ref(), kiosk_cups::render_form_pdf(&doc)) {
                        (None, _) => Err("本终端未配置 A4 打印机，请到窗口领取申请表".to_string()),
                        (Some(_), Err(e)) => {
                            tracing::error!(error = %e, "A4 form not drawn");
                            Err(e.citizen_message().to_string())
                        }
                        (Some(a4), Ok(pdf)) => match a4.print(&name, &pdf) {
                            Ok(job) => {
                                tracing::info!(job, "A4 form sent");
                                Ok("申请表已送往 A4 打印机，请在打印机出纸口取走。".to_string())
                            }
                            Err(e) => {
                                tracing::error!(error = %e, "A4 form not printed");
                                Err(match e {
                                    kiosk_cups::KeptError::Cups { .. } => format!(
                                        "{}。申请表已保存，打印机恢复后自动打印。",
                                        e.citizen_message()
                                    ),
                                    kiosk_cups::KeptError::Store { .. } => {
                                        e.citizen_message().to_string()
                                    }
                                })
                            }
                        },
                    };
                    let _ = tx.send(Msg::Printed(res));
                });
            }
            Effect::TakeTicket { category, priority } => {
                let (hall, tx) = (self.hall.clone(), self.tx.clone());
                let req = kiosk_hall::TicketRequest {
                    category: category.clone(),
                    priority: priority.clone(),
                };
                self.rt.spawn(async move {
                    let ev = match hall.ticket(&req).await {
                        Ok(t) => Event::TicketIssued(queue_ticket(t, None)),
                        Err(e) => {
                            tracing::warn!(error = %e, "no queue ticket");
                            Event::TicketFailed(hall_refusal(&e))
                        }
                    };
                    let _ = tx.send(Msg::Session(ev));
                });
            }
            Effect::CheckIn(applicant) => {
                let (hall, tx) = (self.hall.clone(), self.tx.clone());
                let id_number = zeroize::Zeroizing::new(applicant.id_number.clone());
                self.rt.spawn(async move {
                    let ev = match hall.check_in(&id_number).await {
                        Ok(Some(ci)) => Event::TicketIssued(queue_ticket(
                            ci.ticket,
                            Some(format!("{} {}", ci.item_name, ci.slot)),
                        )),
                        Ok(None) => Event::TicketFailed(
                            "未查询到您今天的预约，可直接选择业务类别取号".into(),
                        ),
                        Err(e) => {
                            tracing::warn!(error = %e, "check-in failed");
                            Event::TicketFailed(hall_refusal(&e))
                        }
                    };
                    let _ = tx.send(Msg::Session(ev));
                });
            }
            Effect::PrintTicket(tk) => {
                let slip = crate::receipt::TicketSlip {
                    number: tk.number.clone(),
                    category: tk.category.clone(),
                    people_ahead: tk.people_ahead,
                    at: tk.at.clone(),
                    priority: tk.priority.clone(),
                    hall_name: self.terminal_name.clone(),
                };
                let doc = crate::receipt::ticket_doc(&slip, &self.devices.slips.progress_url);
                let (devices, tx) = (self.devices.clone(), self.tx.clone());
                let name = format!("ticket-{}", tk.number);
                self.rt.spawn_blocking(move || {
                    let slips = crate::receipt::Slips {
                        profile: TICKET_PROFILE,
                        progress_url: devices.slips.progress_url.clone(),
                    };
                    let res = match slips.encode(&doc) {
                        Ok(job) => match devices.ticket.print(&name, &job) {
                            Ok(()) => Ok("请取走号票，留意叫号屏。".to_string()),
                            Err(e) => {
                                tracing::error!(error = %e, "ticket not printed");
                                Err(e.citizen_message().to_string())
                            }
                        },
                        Err(e) => {
                            tracing::error!(error = %e, "ticket not drawn");
                            Err("号票打印失败，请记下屏幕上的号码".to_string())
                        }
                    };
                    let _ = tx.send(Msg::Printed(res));
                });
            }
            Effect::SendEvaluation { reference, rating } => {
                let (hall, reference, score) =
                    (self.hall.clone(), reference.clone(), rating.score());
                self.rt.spawn(async move {
                    if let Err(e) = hall.evaluate(&reference, score).await {
                        tracing::warn!(error = %e, "evaluation not delivered");
                    }
                });
            }
            Effect::ShowScreen(s) => tracing::debug!(screen = s.name(), "screen"),
            Effect::WipeSession => tracing::info!("session wiped"),
            Effect::IdleWarning { .. } | Effect::IdleWarningCleared | Effect::ModeChanged(_) => {}
        }
    }
}
