//! What the cross-crate tests share: a driver that presses the kiosk's UI by
//! accessible labels, as a citizen with a screen reader would, through
//! `i-slint-backend-testing` (no display needed).

use std::rc::Rc;
use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementRoot};
use kiosk::controller::Controller;
use kiosk::AppState;
use kiosk_core::{Screen, Session};
use slint::ComponentHandle;

/// Sets up the headless testing backend for this thread (each test thread has its own).
pub fn init_headless() {
    // Slint's platform is set once per thread; a test may build several kiosks.
    thread_local! {
        static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if !DONE.with(|d| d.replace(true)) {
        i_slint_backend_testing::init_no_event_loop();
    }
}

pub struct UiDriver {
    pub c: Rc<Controller>,
    /// Called before each press, e.g. to move a fake clock on.
    pub before_press: Box<dyn Fn()>,
}

impl UiDriver {
    pub fn new(c: Rc<Controller>) -> Self {
        UiDriver {
            c,
            before_press: Box::new(|| {}),
        }
    }

    /// Every non-empty accessible label in the window, for failure messages.
    pub fn labels(&self) -> Vec<String> {
        self.c
            .ui
            .root_element()
            .query_descendants()
            .find_all()
            .iter()
            .filter_map(|e| e.accessible_label())
            .filter(|l| !l.is_empty())
            .map(|l| l.to_string())
            .collect()
    }

    /// Elements of any role labelled `label` (a button's text is also labelled, as text).
    pub fn find(&self, label: &str) -> Vec<ElementHandle> {
        ElementHandle::find_by_accessible_label(&self.c.ui, label).collect()
    }

    /// Buttons labelled `label`.
    pub fn buttons(&self, label: &str) -> Vec<ElementHandle> {
        let label = label.to_string();
        self.c
            .ui
            .root_element()
            .query_descendants()
            .match_accessible_role(AccessibleRole::Button)
            .match_predicate(move |e| e.accessible_label().is_some_and(|l| l == label))
            .find_all()
    }

    /// Presses the one button labelled `label` (its default accessible action), then
    /// takes in whatever the executor has answered so far.
    pub fn press(&self, label: &str) {
        let found = self.buttons(label);
        assert_eq!(
            found.len(),
            1,
            "exactly one {label:?} button on screen {:?}; labels: {:?}",
            self.shown(),
            self.labels()
        );
        (self.before_press)();
        found[0].invoke_accessible_default_action();
        self.c.pump();
    }

    pub fn screen(&self) -> Screen {
        self.c.with_session(|s| s.screen())
    }

    /// The screen the UI shows (the `AppState.screen` property).
    pub fn shown(&self) -> String {
        self.c.ui.global::<AppState>().get_screen().to_string()
    }

    /// Pumps until `done` or panics after `secs` seconds, saying what it waited for.
    pub fn wait(&self, what: &str, secs: u64, done: impl Fn(&Session) -> bool) {
        if !self.c.pump_until(Duration::from_secs(secs), done) {
            panic!(
                "waited {secs} s for {what}; screen {:?}; labels: {:?}",
                self.shown(),
                self.labels()
            );
        }
    }
}
