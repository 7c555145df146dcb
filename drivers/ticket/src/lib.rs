//! Queue-ticket dispenser (排队取号机).
//!
//! The dispenser is a ticket printer of its own (usually 58 mm) beside the
//! hall's queue service: the number comes from the hall (the kiosk's hall
//! client), the paper from here. Its status is its printer's.

use kiosk_device::DeviceStatus;
use kiosk_printer::{PrintError, Printer};

#[derive(Clone)]
pub struct TicketDispenser {
    printer: Option<Printer>,
}

impl TicketDispenser {
    /// A dispenser printing on `printer`.
    pub fn with_printer(printer: Printer) -> Self {
        TicketDispenser {
            printer: Some(printer),
        }
    }
    /// No dispenser fitted on this terminal.
    pub fn absent() -> Self {
        TicketDispenser { printer: None }
    }
    pub fn status(&self) -> DeviceStatus {
        match &self.printer {
            Some(p) => p.status(),
            None => DeviceStatus::Offline("no ticket dispenser fitted".into()),
        }
    }
    /// Prints one ticket job; a linked printer keeps it for reprinting on failure.
    pub fn print(&self, name: &str, job: &[u8]) -> Result<(), DispenserError> {
        match &self.printer {
            Some(p) => Ok(p.print(name, job)?),
            None => Err(DispenserError::Absent),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DispenserError {
    #[error("no ticket dispenser fitted")]
    Absent,
    #[error(transparent)]
    Print(#[from] PrintError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_dispenser_reports_offline_and_prints_nothing() {
        let d = TicketDispenser::absent();
        assert!(!d.status().is_usable());
        assert!(matches!(d.print("t", b"x"), Err(DispenserError::Absent)));
    }

    #[test]
    fn a_dispenser_prints_on_its_own_printer() {
        let dir = std::env::temp_dir().join(format!("tickets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let d = TicketDispenser::with_printer(Printer::spool(&dir));
        assert!(d.status().is_usable());
        d.print("ticket-A001", b"\x1b@A001").unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(files.len(), 1);
    }
}
