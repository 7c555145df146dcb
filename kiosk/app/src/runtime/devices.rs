//! The device factory: opens the devices the configuration names behind their
//! driver handles (each driver's worker owns its device), reports their
//! health, and reduces what the drivers say to the core's typed troubles.

use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kiosk_core::{CameraTrouble, CaptureTrouble, CardTrouble, Event, PrintTrouble};
use kiosk_device::{DeviceKind, DeviceStatus};
use kiosk_idcard::{IdCardReader, ReaderConfig, ReaderEvent};

use crate::config::{CameraKind, Config, DeviceMode, IdCardKind, PrinterKind};
use crate::controller::Msg;

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

/// The dispenser's paper: 58 mm, text and QR drawn here (any printer).
pub const TICKET_PROFILE: kiosk_printer::doc::Profile = kiosk_printer::doc::Profile {
    dots: 384,
    text: kiosk_printer::doc::TextMode::Raster,
    qr: kiosk_printer::doc::QrMode::Raster,
};

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

/// The A4 printer's CUPS queue, if the configuration names one.
pub fn open_a4(cfg: &Config) -> Option<kiosk_cups::CupsPrinter> {
    let a4 = &cfg.raw.devices.a4;
    match a4.kind {
        crate::config::A4Kind::Cups => kiosk_cups::CupsPrinter::new(a4.uri.as_deref()?).ok(),
        crate::config::A4Kind::None => None,
    }
}

/// The document camera the configuration names, if any (its worker thread
/// starts here).
pub fn open_camera(cfg: &Config) -> Option<kiosk_camera::Camera> {
    let d = &cfg.raw.devices.camera;
    match d.kind {
        CameraKind::Simulated => Some(kiosk_camera::Camera::simulated(
            cfg.resolve(d.folder.as_deref().unwrap_or(std::path::Path::new(""))),
        )),
        CameraKind::V4l2 => Some(kiosk_camera::Camera::v4l2(
            d.capture_config(|p| cfg.resolve(p)),
        )),
        CameraKind::None => None,
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
                    ReaderEvent::CardPresented(card) => Some(Event::CardRead(
                        super::mapping::applicant_of(&card, wlt.as_deref()),
                    )),
                    ReaderEvent::ReadFailed(e) => Some(Event::CardFailed(card_trouble(&e.0))),
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
            camera: open_camera(cfg),
            printer: open_printer(cfg),
            a4: open_a4(cfg).map(|p| kiosk_cups::KeptA4::new(cfg.data_dir.join("a4-queue"), p)),
            slips: crate::receipt::Slips {
                profile: d.printer.profile(),
                progress_url: d.printer.progress_url.clone(),
            },
            ticket,
        }
    }

    pub fn health(&self) -> Vec<(DeviceKind, DeviceStatus)> {
        let missing = || DeviceStatus::Offline("not configured".into());
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

/// A receipt printer's state, in the core's terms.
fn state_trouble(s: kiosk_printer::status::State) -> PrintTrouble {
    use kiosk_printer::status::State;
    match s {
        State::PaperOut => PrintTrouble::PaperOut,
        State::CoverOpen => PrintTrouble::CoverOpen,
        State::CutterError => PrintTrouble::CutterError,
        State::Offline | State::Ready | State::PaperNearEnd => PrintTrouble::Offline,
    }
}

/// Why the receipt printer did not print, and whether the job is kept for a
/// reprint (a linked printer keeps it unless even keeping it failed).
pub fn print_trouble(e: &kiosk_printer::PrintError) -> (PrintTrouble, bool) {
    use kiosk_printer::link::LinkError;
    use kiosk_printer::PrintError;
    match e {
        PrintError::Spool { .. } => (PrintTrouble::Offline, false),
        PrintError::Link(LinkError::Queue { .. }) => (PrintTrouble::Failed, false),
        PrintError::Link(l) => (state_trouble(l.state()), true),
    }
}

/// Why the ticket dispenser did not print (tickets are not kept: the number
/// is on the screen, and a later ticket would be out of date).
pub fn ticket_trouble(e: &kiosk_ticket::DispenserError) -> PrintTrouble {
    match e {
        kiosk_ticket::DispenserError::Absent => PrintTrouble::NotFitted,
        kiosk_ticket::DispenserError::Print(p) => print_trouble(p).0,
    }
}

/// Why the A4 printer did not take a form, and whether it is kept.
pub fn a4_trouble(e: &kiosk_cups::KeptError) -> (PrintTrouble, bool) {
    use kiosk_cups::{CupsError, KeptError};
    match e {
        KeptError::Store { .. } => (PrintTrouble::Failed, false),
        KeptError::Cups { source, .. } => (
            match source {
                CupsError::BadUri { .. } | CupsError::NotFound { .. } => {
                    PrintTrouble::Misconfigured
                }
                CupsError::NotAccepting { .. } | CupsError::Refused { .. } => PrintTrouble::Paused,
                CupsError::JobTimeout { .. } => PrintTrouble::Busy,
                CupsError::Unreachable { .. }
                | CupsError::NoAnswer { .. }
                | CupsError::Http { .. }
                | CupsError::Protocol { .. } => PrintTrouble::Offline,
            },
            true,
        ),
    }
}

/// Why a card gave no applicant, in the core's terms.
pub fn card_trouble(e: &kiosk_idcard::DriverError) -> CardTrouble {
    use kiosk_idcard::codec::Status;
    use kiosk_idcard::text::TextError;
    use kiosk_idcard::DriverError;
    match e {
        DriverError::Link(_) => CardTrouble::ReaderOffline,
        DriverError::Expired(_) => CardTrouble::Expired,
        DriverError::Status {
            status: Status::UnknownCardType,
            ..
        }
        | DriverError::Text(TextError::UnknownFlag(_)) => CardTrouble::UnknownCard,
        _ => CardTrouble::Unreadable,
    }
}

/// Why a still or a scan did not give a page, in the core's terms.
pub fn capture_trouble_of_scan(e: &kiosk_camera::ScanError) -> CaptureTrouble {
    use kiosk_camera::ScanError;
    match e {
        ScanError::BadCorners(_) => CaptureTrouble::BadCorners,
        ScanError::Corrupt(_)
        | ScanError::TooSmall
        | ScanError::TooLarge { .. }
        | ScanError::NoPage => CaptureTrouble::Incomplete,
        ScanError::Unsupported(_) | ScanError::BadOptions(_) => {
            CaptureTrouble::Camera(CameraTrouble::Unavailable)
        }
    }
}

/// The camera's error, in the core's terms.
pub fn camera_trouble(e: &kiosk_camera::CameraError) -> CameraTrouble {
    use kiosk_camera::CameraError;
    match e {
        CameraError::NotFound(_) => CameraTrouble::NotFound,
        CameraError::Lost(_) => CameraTrouble::Lost,
        CameraError::NoFrames(_)
        | CameraError::Folder { .. }
        | CameraError::CorruptFrame { .. }
        | CameraError::Device { .. }
        | CameraError::NoFormat(_)
        | CameraError::BadFrame(_)
        | CameraError::Unavailable => CameraTrouble::Unavailable,
    }
}
