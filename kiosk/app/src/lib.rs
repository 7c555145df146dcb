//! The kiosk application: configuration, the runtime that carries out the session's
//! effects (devices, outbox, hall), the Slint UI binding, and the command line.

slint::include_modules!();

pub mod config;
pub mod controller;
pub mod i18n;
pub mod messages;
pub mod probe;
pub mod receipt;
pub mod runtime;
pub mod screenshots;
pub mod spoken;
pub mod ui;

pub use controller::{Controller, Executor, Msg};
