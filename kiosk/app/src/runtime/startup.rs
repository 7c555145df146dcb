//! Start-up: the data folder, the outbox (a damaged one set aside), the
//! embedded reference hall (if configured), the devices, the camera's live
//! preview sink, and the background loop that reprints kept slips, empties
//! the outbox and tells the hall how the terminal is.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use kiosk_core::Event;
use kiosk_hall::{HallClient, Heartbeat, Outbox};

use super::devices::{camera_trouble, Devices};
use super::executor::{PreviewSlot, Runtime};
use crate::config::Config;
use crate::controller::Msg;

/// The line a technician reads about a damaged outbox kept aside.
pub fn damaged_line(path: &std::path::Path, undelivered: Option<u32>) -> String {
    let n = undelivered.map_or_else(|| "an unknown number of".to_string(), |n| n.to_string());
    format!(
        "outbox damaged: kept as {}, {n} applications may need recovery (kiosk outbox recover {})",
        path.display(),
        path.display()
    )
}

/// The outbox's line in the health report: damaged outboxes still kept, or
/// how many applications wait.
pub fn outbox_health(outbox: &Outbox) -> String {
    let damaged = outbox.damaged_files();
    let pending = outbox.count_undelivered().unwrap_or(0);
    match damaged.last() {
        Some(p) => {
            let undelivered = outbox
                .damaged()
                .filter(|d| &d.kept_as == p)
                .and_then(|d| d.undelivered);
            damaged_line(p, undelivered)
        }
        None => format!("ok, {pending} waiting"),
    }
}

/// Starts the embedded reference hall on `listen`, its database under the
/// data folder (set aside first if damaged). Returns its URL.
pub fn start_embedded_hall(
    rt: &tokio::runtime::Runtime,
    cfg: &Config,
    listen: &str,
) -> anyhow::Result<String> {
    let addr: SocketAddr = listen.parse().context("hall.listen")?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(addr))
        .with_context(|| format!("embedded hall: cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let dir = cfg.data_dir.join("hall");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let db = dir.join("hall.db");
    if let Some(s) = kiosk_hall::damage::set_aside_if_damaged(&db)? {
        eprintln!(
            "kiosk: the embedded hall's database was damaged ({}); kept as {}, a fresh one starts",
            s.reason,
            s.kept_as.display()
        );
    }
    let catalog = serde_json::to_value(&cfg.catalog)?;
    let app = kiosk_hall::server::router(&db, catalog)?;
    rt.spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "embedded hall stopped");
        }
    });
    tracing::info!(%local, "embedded reference hall listening");
    Ok(format!("http://{local}"))
}

/// Opens the terminal's outbox; a damaged one is set aside and said so.
pub fn open_outbox(cfg: &Config) -> anyhow::Result<Outbox> {
    let outbox = Outbox::open(&cfg.data_dir.join("outbox"), &cfg.raw.terminal.id)
        .context("opening the outbox")?;
    if let Some(d) = outbox.damaged() {
        let line = damaged_line(&d.kept_as, d.undelivered);
        tracing::error!(reason = %d.reason, "{line}");
        eprintln!("kiosk: {line}");
    }
    Ok(outbox)
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
            start_embedded_hall(&rt, cfg, &h.listen)?
        } else {
            h.url.clone()
        };
        let terminal_id = cfg.raw.terminal.id.clone();
        let hall = HallClient::new(&hall_url, &terminal_id, Duration::from_secs(h.timeout_secs))?;
        let outbox = Arc::new(open_outbox(cfg)?);
        let devices = Arc::new(Devices::open(cfg, tx.clone()));
        let preview_slot: PreviewSlot = Arc::new(Mutex::new(None));
        if let Some(cam) = &devices.camera {
            let c = &cfg.raw.devices.camera;
            cam.set_live_sink(
                c.preview_width,
                c.preview_height,
                live_sink(preview_slot.clone(), tx.clone()),
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
                let d = dev.clone();
                let mut devices: BTreeMap<String, String> = tokio::task::spawn_blocking(move || {
                    d.health()
                        .into_iter()
                        .map(|(k, s)| (format!("{k:?}"), s.describe()))
                        .collect()
                })
                .await
                .unwrap_or_default();
                devices.insert("Outbox".into(), outbox_health(&ob));
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
            live_on: AtomicBool::new(false),
            preview_slot,
            submit_wait: Duration::from_secs(h.timeout_secs.max(1) * 2),
            catalog: Arc::new(cfg.catalog.clone()),
        })
    }
}

/// Where the camera thread leaves live frames: the newest replaces the one
/// the UI has not taken yet (dropped, never queued); a change between working
/// and failing goes to the session as device news.
fn live_sink(slot: PreviewSlot, tx: Sender<Msg>) -> kiosk_camera::LiveSink {
    let failing = AtomicBool::new(false);
    let tx = Mutex::new(tx);
    Arc::new(move |ev| match ev {
        kiosk_camera::LiveEvent::Frame(f) => {
            if let Ok(mut s) = slot.lock() {
                *s = Some(f);
            }
            if failing.swap(false, Ordering::Relaxed) {
                if let Ok(tx) = tx.lock() {
                    let _ = tx.send(Msg::Session(Event::CameraState(None)));
                }
            }
        }
        kiosk_camera::LiveEvent::Trouble(e) => {
            if !failing.swap(true, Ordering::Relaxed) {
                if let Ok(mut s) = slot.lock() {
                    s.take();
                }
                if let Ok(tx) = tx.lock() {
                    let _ = tx.send(Msg::Session(Event::CameraState(Some(camera_trouble(&e)))));
                }
            }
        }
    })
}
