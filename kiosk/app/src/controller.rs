//! Glue between the session (kiosk-core), the UI and the executor of effects.
//!
//! Lives on the UI thread. Every UI callback becomes one core [`Event`]; every
//! effect goes to the [`Executor`]; results from devices and the hall come back as
//! [`Msg`]s through a channel that [`Controller::pump`] drains (the live app pumps
//! from a Slint timer, tests pump by hand), so no test needs a running event loop.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::mpsc;

use kiosk_core::{Effect, Event, Millis, Session};

use crate::ui;
use crate::KioskWindow;

/// What comes back from the executor's threads.
#[derive(Debug)]
pub enum Msg {
    Session(Event),
    /// The receipt or ticket printed (`Ok(note)`) or could not be (`Err(message for the citizen)`).
    Printed(Result<String, String>),
}

/// One live frame of the document camera for the materials screen, with the
/// page outline found in it (clockwise from top-left, frame pixels).
pub struct Preview {
    pub frame: kiosk_camera::PreviewFrame,
    pub outline: Option<[[f32; 2]; 4]>,
}

/// Carries out effects: devices, outbox, hall, printer. Results go back as [`Msg`]s.
pub trait Executor {
    fn perform(&self, effect: &Effect);
    /// Turns the live camera preview on or off (cheap; called on every render).
    fn preview(&self, _on: bool) {}
    /// The newest live frame since the last call, or why there is none.
    fn take_preview(&self) -> Option<Result<Preview, String>> {
        None
    }
    /// Whether an A4 printer is configured (the receipt screen offers the form copy).
    fn a4_fitted(&self) -> bool {
        false
    }
}

/// Extra view state that is not the citizen's session: pages of the home list,
/// decoded thumbnails, the printer's word.
#[derive(Default)]
pub struct ViewState {
    pub home_page: Cell<usize>,
    pub thumbnails: RefCell<HashMap<u64, slint::Image>>,
    /// The card photo decoded once per card, not on every render.
    pub photo: RefCell<Option<(kiosk_core::Photo, Option<slint::Image>)>>,
    pub printer_note: RefCell<String>,
    /// The live preview on screen: image, size, page outline; or the camera's trouble.
    pub preview: RefCell<Option<Result<(slint::Image, u32, u32, Option<[[f32; 2]; 4]>), String>>>,
    /// The frame whose corners are dragged, decoded once: (page id, image).
    pub adjust_image: RefCell<Option<(u64, slint::Image)>>,
    /// An A4 printer is configured: the receipt screen offers the form copy.
    pub a4_fitted: Cell<bool>,
}

pub struct Controller {
    pub ui: KioskWindow,
    session: RefCell<Session>,
    exec: Box<dyn Executor>,
    rx: mpsc::Receiver<Msg>,
    clock: Box<dyn Fn() -> Millis>,
    pub view: ViewState,
}

impl Controller {
    /// Builds the controller; `make_exec` receives the sender its results go to.
    pub fn new(
        ui: KioskWindow,
        session: Session,
        clock: Box<dyn Fn() -> Millis>,
        make_exec: impl FnOnce(mpsc::Sender<Msg>) -> Box<dyn Executor>,
    ) -> Rc<Self> {
        let (tx, rx) = mpsc::channel();
        let exec = make_exec(tx);
        let view = ViewState::default();
        view.a4_fitted.set(exec.a4_fitted());
        let c = Rc::new(Controller {
            ui,
            session: RefCell::new(session),
            exec,
            rx,
            clock,
            view,
        });
        ui::wire(&c);
        c.render();
        c
    }

    pub fn now(&self) -> Millis {
        (self.clock)()
    }

    /// Feeds one event to the session and carries out what follows.
    pub fn dispatch(&self, ev: Event) {
        let is_tick = matches!(ev, Event::Tick);
        let fx = self.session.borrow_mut().handle(self.now(), ev);
        for e in &fx {
            match e {
                Effect::WipeSession => {
                    self.view.thumbnails.borrow_mut().clear();
                    self.view.preview.borrow_mut().take();
                    self.view.adjust_image.borrow_mut().take();
                    self.view.photo.borrow_mut().take();
                    self.view.printer_note.borrow_mut().clear();
                    self.view.home_page.set(0);
                }
                Effect::ModeChanged(_) => self.view.home_page.set(0),
                Effect::PrintReceipt(_) => {
                    *self.view.printer_note.borrow_mut() = "正在打印回执……".into()
                }
                Effect::PrintTicket(_) => {
                    *self.view.printer_note.borrow_mut() = "正在打印号票……".into()
                }
                Effect::PrintNotice(_) => {
                    *self.view.printer_note.borrow_mut() = "正在打印一次性告知单……".into()
                }
                Effect::PrintForm(_) => {
                    *self.view.printer_note.borrow_mut() = "正在打印申请表……".into()
                }
                _ => {}
            }
            self.exec.perform(e);
        }
        // A tick that changed nothing leaves the screen as it is.
        if !is_tick || !fx.is_empty() {
            self.render();
        }
    }

    /// Drains results from the executor's threads, then lets time pass.
    pub fn pump(&self) {
        if let Some(p) = self
            .exec
            .take_preview()
            .filter(|_| self.with_session(|s| s.wants_preview()))
        {
            let shown = p.map(|p| {
                let f = &p.frame;
                let buf = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::clone_from_slice(
                    &f.rgb, f.width, f.height,
                );
                (slint::Image::from_rgb8(buf), f.width, f.height, p.outline)
            });
            *self.view.preview.borrow_mut() = Some(shown);
            ui::render_preview(self);
        }
        while let Ok(msg) = self.rx.try_recv() {
            match msg {
                Msg::Session(ev) => self.dispatch(ev),
                Msg::Printed(Ok(note) | Err(note)) => {
                    *self.view.printer_note.borrow_mut() = note;
                    self.render();
                }
            }
        }
        self.dispatch(Event::Tick);
    }

    /// Waits (pumping) until `done` holds or `timeout` passes; for tests and screenshots.
    pub fn pump_until(
        &self,
        timeout: std::time::Duration,
        done: impl Fn(&Session) -> bool,
    ) -> bool {
        let end = std::time::Instant::now() + timeout;
        loop {
            self.pump();
            if done(&self.session.borrow()) {
                return true;
            }
            if std::time::Instant::now() > end {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    pub fn with_session<R>(&self, f: impl FnOnce(&Session) -> R) -> R {
        f(&self.session.borrow())
    }

    pub fn render(&self) {
        let s = self.session.borrow();
        let want = s.wants_preview();
        self.exec.preview(want);
        // The citizen's papers are not kept on screen once the preview is gone.
        if !want && self.view.preview.borrow_mut().take().is_some() {
            ui::render_preview(self);
        }
        ui::render(self, &s);
    }
}
