//! The effect executor: carries out what the session asks (read the card,
//! capture, submit, print, ask the hall) on a small tokio runtime beside the
//! UI thread, and sends every result back to the controller as a [`Msg`].
//! Nothing here blocks the UI thread: device calls run on blocking tasks (or
//! are messages to the device's own worker), pictures are decoded off it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_core::{
    Application, CameraTrouble, CaptureTrouble, CardTrouble, Effect, Event, Page, PrintTrouble,
    Slip, SubmitTrouble, TicketTrouble,
};
use kiosk_hall::{DeliverOutcome, HallClient, Outbox};

use super::devices::{
    a4_trouble, camera_trouble, capture_trouble_of_scan, print_trouble, ticket_trouble, Devices,
    TICKET_PROFILE,
};
use super::mapping::{appointment_of, attachments, queue_ticket, request_of};
use crate::controller::{Executor, Msg};

/// The newest live frame, waiting for the UI thread (older ones are dropped).
pub type PreviewSlot = Arc<Mutex<Option<kiosk_camera::LiveFrame>>>;

pub struct Runtime {
    pub(super) rt: tokio::runtime::Runtime,
    pub(super) tx: Sender<Msg>,
    pub hall: HallClient,
    pub hall_url: String,
    pub outbox: Arc<Outbox>,
    pub devices: Arc<Devices>,
    pub(super) terminal_id: String,
    pub(super) terminal_name: crate::config::ConfigText,
    /// Printed on the 一次性告知单.
    pub(super) submit_to: crate::config::ConfigText,
    pub(super) phone: crate::config::ConfigText,
    /// How material pages are scanned.
    pub(super) scan: kiosk_camera::ScanOptions,
    /// Whether the live preview was last asked on (to tell the camera only changes).
    pub(super) live_on: AtomicBool,
    pub(super) preview_slot: PreviewSlot,
    /// How long the citizen waits for the hall before getting the terminal's reference.
    pub(super) submit_wait: Duration,
    /// The service catalog (names of queue categories and items by id).
    pub(super) catalog: Arc<kiosk_core::Catalog>,
}

/// Why an application could not be stored: a full disk is said as such.
fn submit_trouble(e: &kiosk_hall::OutboxError) -> SubmitTrouble {
    let full = |e: &std::io::Error| e.raw_os_error() == Some(libc_enospc());
    match e {
        kiosk_hall::OutboxError::Key(io) if full(io) => SubmitTrouble::StorageFull,
        kiosk_hall::OutboxError::Db(rusqlite_err) if rusqlite_err.to_string().contains("full") => {
            SubmitTrouble::StorageFull
        }
        _ => SubmitTrouble::StorageFailed,
    }
}

/// ENOSPC on Linux (no space left on device).
fn libc_enospc() -> i32 {
    28
}

/// The hall's answer to a ticket request, in the core's terms.
fn hall_trouble(e: &kiosk_hall::HallError) -> TicketTrouble {
    match e {
        kiosk_hall::HallError::Rejected { .. } => TicketTrouble::Refused,
        _ => TicketTrouble::HallDown,
    }
}

fn now_text() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The session's result of a print.
fn print_result(slip: Slip, r: Result<(), (PrintTrouble, bool)>) -> Msg {
    Msg::Session(match r {
        Ok(()) => Event::Printed(slip),
        Err((trouble, kept)) => Event::PrintFailed {
            slip,
            trouble,
            kept,
        },
    })
}

/// A still through the scan pipeline, as the session hears of it: the cleaned
/// page, or the frame itself for the citizen to drag the corners when no page
/// was found.
fn shot_event(
    r: Result<Result<kiosk_camera::Shot, kiosk_camera::ScanError>, kiosk_camera::CameraError>,
) -> Event {
    match r {
        Ok(Ok(kiosk_camera::Shot::Page(scan))) => {
            Event::PageCaptured(Page::new(0, scan.jpeg.to_vec()))
        }
        Ok(Ok(kiosk_camera::Shot::NoPage(still))) => Event::PageNeedsCorners {
            frame: Page::new(0, still.jpeg.to_vec()),
            width: still.width,
            height: still.height,
        },
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "frame not scanned");
            Event::CaptureFailed(capture_trouble_of_scan(&e))
        }
        Err(e) => {
            tracing::warn!(error = %e, "capture failed");
            Event::CaptureFailed(CaptureTrouble::Camera(camera_trouble(&e)))
        }
    }
}

impl Runtime {
    /// Draws `doc` and prints it on the receipt printer, off the UI thread.
    fn print_slip(&self, doc: kiosk_printer::doc::Doc, name: String, slip: Slip) {
        let (devices, tx) = (self.devices.clone(), self.tx.clone());
        self.rt.spawn_blocking(move || {
            let res = match devices.slips.encode(&doc) {
                Err(e) => {
                    tracing::error!(error = %e, job = %name, "slip not drawn");
                    Err((PrintTrouble::Failed, false))
                }
                Ok(job) => match devices.printer.as_ref().map(|p| p.print(&name, &job)) {
                    Some(Ok(_)) => Ok(()),
                    Some(Err(e)) => {
                        tracing::error!(error = %e, job = %name, "slip not printed");
                        Err(print_trouble(&e))
                    }
                    None => Err((PrintTrouble::NotFitted, false)),
                },
            };
            let _ = tx.send(print_result(slip, res));
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
                    let _ = tx.send(Msg::Session(Event::SubmitFailed(submit_trouble(&e))));
                    return;
                }
                Err(e) => {
                    tracing::error!(error = %e, "storing task failed");
                    let _ = tx.send(Msg::Session(Event::SubmitFailed(SubmitTrouble::StorageFailed)));
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
        // Called on every render: only a change goes to the camera's thread.
        if self.live_on.swap(on, Ordering::Relaxed) != on {
            if let Some(cam) = &self.devices.camera {
                cam.set_live(on);
            }
        }
    }

    fn take_preview(&self) -> Option<kiosk_camera::LiveFrame> {
        self.preview_slot.lock().ok()?.take()
    }

    fn decode(&self, page: &Page, side: u32) -> Option<crate::controller::Decoded> {
        let (page, tx) = (page.clone(), self.tx.clone());
        self.rt.spawn_blocking(move || {
            let frame = kiosk_camera::preview_from_jpeg(page.jpeg(), side, side)
                .map_err(|e| tracing::warn!(page = page.id, error = %e, "page picture not decoded"))
                .ok();
            let _ = tx.send(Msg::Decoded(crate::controller::Decoded {
                id: page.id,
                side,
                frame,
            }));
        });
        None
    }

    fn perform(&self, effect: &Effect) {
        match effect {
            Effect::StartCardReader => match &self.devices.reader {
                Some(r) => r.start(),
                None => self.send(Event::CardFailed(CardTrouble::NotFitted)),
            },
            Effect::StopCardReader => {
                if let Some(r) = &self.devices.reader {
                    r.stop()
                }
            }
            Effect::CapturePage { .. } => {
                let (camera, tx, opts) = (self.devices.camera.clone(), self.tx.clone(), self.scan);
                self.rt.spawn_blocking(move || {
                    // (The camera's state itself reaches the session through the
                    // live preview, which notices it going and coming back.)
                    let ev = match camera {
                        Some(cam) => shot_event(cam.shoot(&opts)),
                        None => {
                            Event::CaptureFailed(CaptureTrouble::Camera(CameraTrouble::NotFitted))
                        }
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
                            Event::CaptureFailed(capture_trouble_of_scan(&e))
                        }
                    };
                    let _ = tx.send(Msg::Session(ev));
                });
            }
            Effect::Submit(app) => self.submit(app),
            Effect::PrintReceipt(r) => {
                let doc = crate::receipt::receipt_doc(
                    r,
                    self.terminal_name.get(r.lang),
                    &self.devices.slips.progress_url,
                );
                self.print_slip(doc, format!("receipt-{}", r.reference), Slip::Receipt);
            }
            Effect::PrintNotice(n) => {
                let notice = crate::receipt::Notice::from_core(
                    n,
                    now_text(),
                    self.submit_to.get(n.lang),
                    self.phone.get(n.lang),
                );
                let doc = crate::receipt::notice_doc(&notice, self.terminal_name.get(n.lang));
                self.print_slip(doc, "notice".to_string(), Slip::Notice);
            }
            Effect::PrintForm(f) => {
                let doc = crate::receipt::form_doc(f, self.terminal_name.get(f.lang));
                let (devices, tx) = (self.devices.clone(), self.tx.clone());
                let name = format!("form-{}", f.reference);
                self.rt.spawn_blocking(move || {
                    let res = match (devices.a4.as_ref(), kiosk_cups::render_form_pdf(&doc)) {
                        (None, _) => Err((PrintTrouble::NotFitted, false)),
                        (Some(_), Err(e)) => {
                            tracing::error!(error = %e, "A4 form not drawn");
                            Err((PrintTrouble::Failed, false))
                        }
                        (Some(a4), Ok(pdf)) => match a4.print(&name, &pdf) {
                            Ok(job) => {
                                tracing::info!(job, "A4 form sent");
                                Ok(())
                            }
                            Err(e) => {
                                tracing::error!(error = %e, "A4 form not printed");
                                Err(a4_trouble(&e))
                            }
                        },
                    };
                    let _ = tx.send(print_result(Slip::Form, res));
                });
            }
            Effect::TakeTicket { category, priority } => {
                let (hall, tx, catalog) =
                    (self.hall.clone(), self.tx.clone(), self.catalog.clone());
                let req = kiosk_hall::TicketRequest {
                    category: category.clone(),
                    priority: priority.clone(),
                };
                self.rt.spawn(async move {
                    let ev = match hall.ticket(&req).await {
                        Ok(t) => Event::TicketIssued(queue_ticket(&catalog, t, None)),
                        Err(e) => {
                            tracing::warn!(error = %e, "no queue ticket");
                            Event::TicketFailed(hall_trouble(&e))
                        }
                    };
                    let _ = tx.send(Msg::Session(ev));
                });
            }
            Effect::CheckIn(applicant) => {
                let (hall, tx, catalog) =
                    (self.hall.clone(), self.tx.clone(), self.catalog.clone());
                let id_number = zeroize::Zeroizing::new(applicant.id_number.clone());
                self.rt.spawn(async move {
                    let ev = match hall.check_in(&id_number).await {
                        Ok(Some(ci)) => {
                            let appointment = appointment_of(&catalog, &ci);
                            Event::TicketIssued(queue_ticket(
                                &catalog,
                                ci.ticket,
                                Some(appointment),
                            ))
                        }
                        Ok(None) => Event::TicketFailed(TicketTrouble::NoAppointment),
                        Err(e) => {
                            tracing::warn!(error = %e, "check-in failed");
                            Event::TicketFailed(hall_trouble(&e))
                        }
                    };
                    let _ = tx.send(Msg::Session(ev));
                });
            }
            Effect::PrintTicket(tk) => {
                let slip = crate::receipt::TicketSlip {
                    number: tk.number.clone(),
                    category: tk.category.get(tk.lang).clone(),
                    people_ahead: tk.people_ahead,
                    at: tk.at.clone(),
                    priority: tk.priority,
                    hall_name: self.terminal_name.get(tk.lang).to_string(),
                    lang: tk.lang,
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
                            Ok(()) => Ok(()),
                            Err(e) => {
                                tracing::error!(error = %e, "ticket not printed");
                                Err((ticket_trouble(&e), false))
                            }
                        },
                        Err(e) => {
                            tracing::error!(error = %e, "ticket not drawn");
                            Err((PrintTrouble::Failed, false))
                        }
                    };
                    let _ = tx.send(print_result(Slip::Ticket, res));
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
            Effect::IdleWarning { .. }
            | Effect::IdleWarningCleared
            | Effect::ModeChanged(_)
            | Effect::LanguageChanged(_) => {}
        }
    }
}
