//! `kiosk --screenshots DIR`: renders every screen to PNG with Slint's software
//! renderer, no display needed. The screens are reached by walking a real session
//! through the core with the simulated card and camera frames of the configuration,
//! so they show what a citizen would see.

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use anyhow::Context;
use kiosk_core::{DisplayMode, Effect, Event, Lang, Millis, Page, Screen, Session};
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{ComponentHandle, PhysicalSize, Rgb8Pixel};

use crate::config::Config;
use crate::controller::{Controller, Executor};
use crate::KioskWindow;

struct ShotPlatform {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for ShotPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

/// Effects are not carried out while taking pictures.
struct Inert;
impl Executor for Inert {
    fn perform(&self, _: &Effect) {}
}

fn save(window: &MinimalSoftwareWindow, (w, h): (u32, u32), path: &Path) -> anyhow::Result<()> {
    slint::platform::update_timers_and_animations();
    window.request_redraw();
    // 24-bit target, so the PNG shows the theme's exact colours.
    let mut buf = vec![Rgb8Pixel::default(); (w * h) as usize];
    window.draw_if_needed(|r| {
        r.render(&mut buf, w as usize);
    });
    let rgb: Vec<u8> = buf.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
    let img = image::RgbImage::from_raw(w, h, rgb).context("frame size")?;
    img.save(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Renders every screen of the citizen path (and the idle warning) into `dir`,
/// in `mode` and `lang`, at the configuration's screen size and orientation.
/// Returns the files written (their names are the same in every language).
pub fn render_all(
    cfg: &Config,
    dir: &Path,
    mode: DisplayMode,
    lang: Lang,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(ShotPlatform {
        window: window.clone(),
    }))
    .map_err(|e| anyhow::anyhow!("software renderer: {e}"))?;
    let (w, h) = cfg.raw.display.size();
    let ui = KioskWindow::new()?;
    window.set_size(PhysicalSize::new(w, h));
    ui.show()?;

    let session = Session::new(
        Arc::new(cfg.catalog.clone()),
        cfg.session_config(),
        Millis(0),
    );
    let clock = Rc::new(std::cell::Cell::new(0u64));
    let ck = clock.clone();
    let c = Controller::new(ui, session, Box::new(move || Millis(ck.get())), |_| {
        Box::new(Inert)
    });
    c.set_screen_size(w, h);
    c.set_terminal_name(cfg.raw.terminal.name.0.clone());
    // Each session starts in the terminal's language: set mode and language
    // again after every session below ends.
    let start = |c: &Controller| {
        c.dispatch(Event::SetMode(mode));
        c.dispatch(Event::SetLanguage(lang));
    };
    start(&c);

    let suffix = match mode {
        DisplayMode::Normal => "",
        DisplayMode::Elderly => "-elderly",
        DisplayMode::Contrast => "-contrast",
    };
    let mut written = Vec::new();
    let mut shot = |_: &Controller, name: &str| -> anyhow::Result<()> {
        let path = dir.join(format!("{name}{suffix}.png"));
        save(&window, (w, h), &path)?;
        written.push(path);
        Ok(())
    };

    let card = cfg
        .raw
        .devices
        .idcard
        .card
        .as_ref()
        .map(|p| cfg.resolve(p))
        .context("screenshots need devices.idcard.card for the sample applicant")?;
    let card: kiosk_idcard::IdCard = serde_json::from_str(&std::fs::read_to_string(&card)?)
        .with_context(|| format!("reading {}", card.display()))?;
    let frame = cfg
        .raw
        .devices
        .camera
        .folder
        .as_ref()
        .map(|p| cfg.resolve(p))
        .and_then(|d| kiosk_camera::Camera::simulated(d).capture().ok())
        .context("screenshots need a camera folder with a frame")?;

    // Walk the pension enrolment: it has card fields, a phone, a choice and a 容缺 material.
    let item = cfg
        .catalog
        .items
        .iter()
        .find(|i| i.materials.iter().any(|m| m.tolerated))
        .unwrap_or(&cfg.catalog.items[0]);
    shot(&c, "01-home")?;
    c.dispatch(Event::ChoseItem(item.id.clone()));
    shot(&c, "02-guide")?;
    c.dispatch(Event::StartApplying);
    shot(&c, "03-identify")?;
    c.dispatch(Event::CardRead(crate::runtime::applicant_of(&card, None)));
    for f in &item.fields {
        match f.kind {
            kiosk_core::FieldKind::Phone => c.dispatch(Event::FieldEdited {
                key: f.key.clone(),
                value: "13800138000".into(),
            }),
            kiosk_core::FieldKind::Choice => c.dispatch(Event::FieldEdited {
                key: f.key.clone(),
                value: f.options.values()[0].clone(),
            }),
            kiosk_core::FieldKind::Text => {}
        }
    }
    shot(&c, "04-form")?;
    c.dispatch(Event::Next);
    // The live preview as the camera thread would leave it: a small frame and
    // the page outline found in it.
    let camera = cfg
        .raw
        .devices
        .camera
        .folder
        .as_ref()
        .map(|p| kiosk_camera::Camera::simulated(cfg.resolve(p)));
    let live = |c: &Controller| {
        let Some(frame) = camera.as_ref().and_then(|cam| cam.preview(640, 480).ok()) else {
            return;
        };
        let outline = kiosk_camera::outline_rgb(&frame.rgb, frame.width, frame.height);
        let buf = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::clone_from_slice(
            &frame.rgb,
            frame.width,
            frame.height,
        );
        *c.view.preview.borrow_mut() = Some((
            slint::Image::from_rgb8(buf),
            frame.width,
            frame.height,
            outline,
        ));
        crate::ui::render_preview(c);
    };
    let material = item.materials.iter().position(|m| !m.from_card);
    if let Some(i) = material {
        c.dispatch(Event::SelectMaterial(i));
    }
    live(&c);
    shot(&c, "05-materials")?;
    if material.is_some() {
        // One page scanned by the pipeline: its thumbnail with 重拍 and 删除.
        let scan = kiosk_camera::scan_jpeg(&frame.jpeg, &cfg.raw.devices.camera.scan_options())
            .map(|s| s.jpeg.to_vec())
            .unwrap_or_else(|_| frame.jpeg.to_vec());
        c.dispatch(Event::CapturePage);
        c.dispatch(Event::PageCaptured(Page::new(0, scan)));
        live(&c);
        shot(&c, "05b-materials-page")?;
        // No page found in a frame: the corners to drag.
        c.dispatch(Event::CapturePage);
        c.dispatch(Event::PageNeedsCorners {
            frame: Page::new(0, frame.jpeg.to_vec()),
            width: frame.width,
            height: frame.height,
        });
        shot(&c, "05c-materials-corners")?;
        c.dispatch(Event::CancelCorners);
    }
    c.dispatch(Event::Next);
    if let Some(d) = item.delivery.first() {
        c.dispatch(Event::ChoseDelivery(*d));
    }
    shot(&c, "06-delivery")?;
    c.dispatch(Event::Next);
    shot(&c, "07-review")?;
    c.dispatch(Event::Submit);
    shot(&c, "08-submitting")?;
    c.dispatch(Event::SubmitAccepted {
        application_no: "ZW20261122000001".into(),
        at: "2026-11-22 10:30:00".into(),
    });
    c.dispatch(Event::Printed(kiosk_core::Slip::Receipt));
    shot(&c, "09-receipt")?;
    c.dispatch(Event::Finish);
    shot(&c, "10-evaluation")?;
    // The idle warning, over the guide screen.
    c.dispatch(Event::Cancel);
    start(&c);
    c.dispatch(Event::ChoseItem(item.id.clone()));
    let idle = cfg.session_config();
    clock.set(clock.get() + idle.idle_timeout - idle.idle_warning / 2);
    c.dispatch(Event::Tick);
    debug_assert_eq!(c.with_session(|s| s.screen()), Screen::Guide);
    shot(&c, "11-idle-warning")?;
    // 排队取号: the categories, then a checked-in appointment's ticket.
    c.dispatch(Event::Cancel);
    start(&c);
    c.dispatch(Event::OpenQueue);
    shot(&c, "12-queue")?;
    c.dispatch(Event::StartCheckIn);
    c.dispatch(Event::CardRead(crate::runtime::applicant_of(&card, None)));
    let category = cfg
        .catalog
        .queue
        .iter()
        .find(|q| q.id == "B")
        .or(cfg.catalog.queue.first())
        .map(|q| q.name.clone())
        .context("screenshots need a [[queue]] category in the catalog")?;
    let booked = cfg
        .catalog
        .item("residence-permit-endorse")
        .unwrap_or(&cfg.catalog.items[0])
        .name
        .clone();
    c.dispatch(Event::TicketIssued(kiosk_core::QueueTicket {
        number: "B002".into(),
        category,
        people_ahead: 0,
        at: "2026-11-22 10:05".into(),
        priority: Some(kiosk_core::Priority::Appointment),
        appointment: Some(kiosk_core::Appointment {
            item: booked,
            slot: "10:00-10:30".into(),
        }),
        lang,
    }));
    c.dispatch(Event::Printed(kiosk_core::Slip::Ticket));
    shot(&c, "13-queue-ticket")?;
    Ok(written)
}
