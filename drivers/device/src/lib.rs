//! The small status vocabulary every device driver of the terminal reports in.
//!
//! Each driver reduces its own raw status (SAM status words, ESC/POS `DLE EOT`
//! bytes, V4L2 errors) to one [`DeviceStatus`]; the kiosk shows it in the health
//! view and maps it to a sentence for the citizen or technician.

pub mod durable;
pub mod transport;

use std::fmt;

/// The device families of the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceKind {
    IdCardReader,
    Camera,
    Printer,
    /// The A4 printer behind CUPS (forms, certificates).
    A4Printer,
    TicketDispenser,
}

/// What a device is doing, as far as the kiosk needs to know.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "kebab-case")]
pub enum DeviceStatus {
    /// Opened and answering; ready for work.
    Ready,
    /// Working on a command.
    Busy,
    /// Answering, but needs attention soon (paper near end).
    Warning(String),
    /// Answering, but cannot work until a person acts (paper out, cover open).
    NeedsAttention(String),
    /// Not answering: unplugged, powered off, wrong port. The driver keeps trying.
    Offline(String),
}

impl DeviceStatus {
    pub fn is_usable(&self) -> bool {
        matches!(
            self,
            DeviceStatus::Ready | DeviceStatus::Busy | DeviceStatus::Warning(_)
        )
    }
    /// A line for logs and the heartbeat, in English (the staff's own
    /// language on screen comes from the app's message catalog).
    pub fn describe(&self) -> String {
        match self {
            DeviceStatus::Ready => "ready".into(),
            DeviceStatus::Busy => "busy".into(),
            DeviceStatus::Warning(s) => format!("warning: {s}"),
            DeviceStatus::NeedsAttention(s) => format!("needs attention: {s}"),
            DeviceStatus::Offline(s) => format!("offline: {s}"),
        }
    }
}

impl fmt::Display for DeviceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_answering_devices_are_usable() {
        assert!(DeviceStatus::Ready.is_usable());
        assert!(DeviceStatus::Warning("paper near end".into()).is_usable());
        assert!(!DeviceStatus::NeedsAttention("paper out".into()).is_usable());
        assert!(!DeviceStatus::Offline("unplugged".into()).is_usable());
        assert_eq!(
            DeviceStatus::Offline("no such port".into()).to_string(),
            "offline: no such port"
        );
    }
}
