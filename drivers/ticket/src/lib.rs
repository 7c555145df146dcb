//! Queue-ticket dispenser (排队取号机).
//!
//! The dispenser is a ticket printer plus the hall's queue service. This crate holds
//! its handle and status; the queue client, the ticket layout and the home-screen
//! entry come with the queue-ticket issue, so the kiosk shows the dispenser only in
//! its health view until then.

use kiosk_device::DeviceStatus;

#[derive(Debug, Clone)]
pub struct TicketDispenser {
    status: DeviceStatus,
}

impl TicketDispenser {
    /// A simulated dispenser: always ready.
    pub fn simulated() -> Self {
        TicketDispenser {
            status: DeviceStatus::Ready,
        }
    }
    /// No dispenser fitted on this terminal.
    pub fn absent() -> Self {
        TicketDispenser {
            status: DeviceStatus::Offline("本终端未配置取号机".into()),
        }
    }
    pub fn status(&self) -> DeviceStatus {
        self.status.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_dispenser_reports_offline() {
        assert!(TicketDispenser::simulated().status().is_usable());
        assert!(!TicketDispenser::absent().status().is_usable());
    }
}
