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
use slint::ComponentHandle;

/// What comes back from the executor's threads.
pub enum Msg {
    Session(Event),
    /// A page's picture decoded for the screen (a thumbnail, or the frame
    /// whose corners are dragged); `None` if it could not be decoded.
    Decoded(Decoded),
}

/// A page decoded to fit `side` × `side`, off the UI thread.
pub struct Decoded {
    pub id: u64,
    pub side: u32,
    pub frame: Option<kiosk_camera::PreviewFrame>,
}

/// Carries out effects: devices, outbox, hall, printer. Results go back as [`Msg`]s.
pub trait Executor {
    fn perform(&self, effect: &Effect);
    /// Turns the live camera preview on or off (cheap; called on every render).
    fn preview(&self, _on: bool) {}
    /// The newest live frame since the last call (older ones were dropped).
    fn take_preview(&self) -> Option<kiosk_camera::LiveFrame> {
        None
    }
    /// Decodes a page's picture to fit `side` × `side`. The live runtime does
    /// it on a worker and answers with [`Msg::Decoded`] (returning `None`
    /// here); this default, for tests and screenshots, decodes at once.
    fn decode(&self, page: &kiosk_core::Page, side: u32) -> Option<Decoded> {
        Some(Decoded {
            id: page.id,
            side,
            frame: kiosk_camera::preview_from_jpeg(page.jpeg(), side, side).ok(),
        })
    }
    /// Whether an A4 printer is configured (the receipt screen offers the form copy).
    fn a4_fitted(&self) -> bool {
        false
    }
}

/// Extra view state that is not the citizen's session: pages of the home list,
/// decoded pictures of pages, the live frame.
#[derive(Default)]
pub struct ViewState {
    pub home_page: Cell<usize>,
    /// Pages' pictures decoded for the screen, by (page id, size); `None`
    /// while the decode is under way (asked once).
    pub pictures: RefCell<HashMap<(u64, u32), Option<slint::Image>>>,
    /// The card photo decoded once per card, not on every render.
    pub photo: RefCell<Option<(kiosk_core::Photo, Option<slint::Image>)>>,
    /// The live preview on screen: image, size, page outline.
    pub preview: RefCell<Option<(slint::Image, u32, u32, Option<[[f32; 2]; 4]>)>>,
    /// An A4 printer is configured: the receipt screen offers the form copy.
    pub a4_fitted: Cell<bool>,
    /// The window is wider than high (screens lay out side by side).
    pub landscape: Cell<bool>,
    /// The terminal's name in each language (for the header).
    pub terminal_name: RefCell<kiosk_core::Localized<String>>,
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
        crate::i18n::select_for_slint(c.with_session(|s| s.lang()));
        c.render();
        c
    }

    /// The terminal's name, shown in the header in the session's language.
    pub fn set_terminal_name(&self, name: kiosk_core::Localized<String>) {
        *self.view.terminal_name.borrow_mut() = name;
        self.render();
    }

    /// Lays the screens out for a window of `width` × `height`.
    pub fn set_screen_size(&self, width: u32, height: u32) {
        self.ui.set_screen_width(width as f32);
        self.ui.set_screen_height(height as f32);
        let landscape = width > height;
        self.view.landscape.set(landscape);
        self.ui.global::<crate::AppState>().set_landscape(landscape);
        self.ui.global::<crate::Theme>().set_landscape(landscape);
        self.render();
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
                    self.view.pictures.borrow_mut().clear();
                    self.view.preview.borrow_mut().take();
                    self.view.photo.borrow_mut().take();
                    self.view.home_page.set(0);
                }
                Effect::ModeChanged(_) => self.view.home_page.set(0),
                // The screens' fixed texts follow at once; the rest is
                // rendered below in the new language.
                Effect::LanguageChanged(l) => crate::i18n::select_for_slint(*l),
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
            let f = &p.frame;
            // Already small (the camera thread scaled it): one copy into the image.
            let buf = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::clone_from_slice(
                &f.rgb, f.width, f.height,
            );
            *self.view.preview.borrow_mut() =
                Some((slint::Image::from_rgb8(buf), f.width, f.height, p.outline));
            ui::render_preview(self);
        }
        while let Ok(msg) = self.rx.try_recv() {
            match msg {
                Msg::Session(ev) => self.dispatch(ev),
                Msg::Decoded(d) => {
                    self.store_picture(d);
                    self.render();
                }
            }
        }
        self.dispatch(Event::Tick);
    }

    fn store_picture(&self, d: Decoded) {
        let mut pictures = self.view.pictures.borrow_mut();
        // Only pages still asked for: a session wiped meanwhile asked for none.
        if let Some(slot) = pictures.get_mut(&(d.id, d.side)) {
            *slot = Some(d.frame.map_or_else(slint::Image::default, |f| {
                let buf = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::clone_from_slice(
                    &f.rgb, f.width, f.height,
                );
                slint::Image::from_rgb8(buf)
            }));
        }
    }

    /// A page's picture at `side`, decoded off the UI thread: asked for the
    /// first time it is wanted, empty until it arrives.
    pub fn picture(&self, page: &kiosk_core::Page, side: u32) -> slint::Image {
        let key = (page.id, side);
        if let Some(p) = self.view.pictures.borrow().get(&key) {
            return p.clone().unwrap_or_default();
        }
        self.view.pictures.borrow_mut().insert(key, None);
        if let Some(d) = self.exec.decode(page, side) {
            self.store_picture(d);
        }
        self.view
            .pictures
            .borrow()
            .get(&key)
            .cloned()
            .flatten()
            .unwrap_or_default()
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
