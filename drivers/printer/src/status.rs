//! Real-time status, `DLE EOT n` (0x10 0x04 n), reduced to what the kiosk needs.
//!
//! Each query answers one byte whose bits 1 and 4 are always 1 and bits 0 and 7
//! always 0 (so a status byte looks like `0b0xx1xx10`), per the Epson ESC/POS
//! reference "DLE EOT — Transmit real-time status":
//! - n = 1 printer status: bit 3 offline;
//! - n = 2 offline cause: bit 2 cover open, bit 3 paper fed by the button,
//!   bit 5 printing stopped at paper end, bit 6 error;
//! - n = 3 error cause: bit 3 autocutter error, bit 5 unrecoverable error,
//!   bit 6 automatically recoverable error;
//! - n = 4 roll paper sensor: bits 2–3 paper near end, bits 5–6 paper end.
//!
//! (The same bit assignments are used by public drivers, e.g. DantSu's
//! ESCPOS-ThermalPrinter-Android `PrinterStatus` and the `posify` status example.)

use kiosk_device::DeviceStatus;

/// `DLE EOT n`.
pub fn query(n: u8) -> [u8; 3] {
    [0x10, 0x04, n]
}

/// The four queries, in the order [`Raw::from_bytes`] expects their answers.
pub const QUERIES: [u8; 4] = [1, 2, 3, 4];

const FIXED_ONES: u8 = 0b0001_0010;
const FIXED_MASK: u8 = 0b1001_0011;

/// The four status bytes as the printer sent them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw {
    pub printer: u8,
    pub offline: u8,
    pub error: u8,
    pub paper: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("status byte {byte:#04x} for DLE EOT {n} is not a status byte (fixed bits wrong)")]
pub struct Malformed {
    pub n: u8,
    pub byte: u8,
}

impl Raw {
    pub fn from_bytes(b: [u8; 4]) -> Result<Raw, Malformed> {
        for (i, &byte) in b.iter().enumerate() {
            if byte & FIXED_MASK != FIXED_ONES {
                return Err(Malformed {
                    n: i as u8 + 1,
                    byte,
                });
            }
        }
        Ok(Raw {
            printer: b[0],
            offline: b[1],
            error: b[2],
            paper: b[3],
        })
    }

    pub fn bytes(&self) -> [u8; 4] {
        [self.printer, self.offline, self.error, self.paper]
    }
}

/// What the kiosk acts on, most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    CoverOpen,
    PaperOut,
    CutterError,
    /// Offline for another reason (an error, paper being fed by hand).
    Offline,
    PaperNearEnd,
    Ready,
}

impl State {
    pub fn from_raw(r: &Raw) -> State {
        let bit = |b: u8, n: u8| b & (1 << n) != 0;
        if bit(r.offline, 2) {
            State::CoverOpen
        } else if bit(r.paper, 5) || bit(r.paper, 6) || bit(r.offline, 5) {
            State::PaperOut
        } else if bit(r.error, 3) {
            State::CutterError
        } else if bit(r.printer, 3)
            || bit(r.offline, 6)
            || bit(r.error, 5)
            || bit(r.error, 6)
            || bit(r.offline, 3)
        {
            State::Offline
        } else if bit(r.paper, 2) || bit(r.paper, 3) {
            State::PaperNearEnd
        } else {
            State::Ready
        }
    }

    /// The status bytes a printer in this state sends (the simulator's side).
    pub fn to_raw(self) -> Raw {
        let mut r = Raw {
            printer: FIXED_ONES,
            offline: FIXED_ONES,
            error: FIXED_ONES,
            paper: FIXED_ONES,
        };
        match self {
            State::Ready => {}
            State::PaperNearEnd => r.paper |= 0b0000_1100,
            State::PaperOut => {
                r.printer |= 1 << 3;
                r.offline |= 1 << 5;
                r.paper |= 0b0110_1100;
            }
            State::CoverOpen => {
                r.printer |= 1 << 3;
                r.offline |= 1 << 2;
            }
            State::CutterError => {
                r.printer |= 1 << 3;
                r.offline |= 1 << 6;
                r.error |= 1 << 3;
            }
            State::Offline => {
                r.printer |= 1 << 3;
                r.offline |= 1 << 6;
                r.error |= 1 << 5;
            }
        }
        r
    }

    /// The word `kiosk device printer status` prints.
    pub fn name(self) -> &'static str {
        match self {
            State::Ready => "ready",
            State::PaperNearEnd => "paper-near-end",
            State::PaperOut => "paper-out",
            State::CoverOpen => "cover-open",
            State::CutterError => "cutter-error",
            State::Offline => "offline",
        }
    }

    /// Whether a job may be sent now.
    pub fn can_print(self) -> bool {
        matches!(self, State::Ready | State::PaperNearEnd)
    }

    /// The terminal's health vocabulary, with what a technician does about it.
    pub fn device_status(self) -> DeviceStatus {
        match self {
            State::Ready => DeviceStatus::Ready,
            State::PaperNearEnd => {
                DeviceStatus::Warning("paper near end: load a new roll soon".into())
            }
            State::PaperOut => DeviceStatus::NeedsAttention("paper out: load a roll".into()),
            State::CoverOpen => DeviceStatus::NeedsAttention("cover open: close it".into()),
            State::CutterError => {
                DeviceStatus::NeedsAttention("cutter error: check the cutter".into())
            }
            State::Offline => DeviceStatus::Offline("printer offline".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_dle_eot_n() {
        assert_eq!(query(1), [0x10, 0x04, 0x01]);
        assert_eq!(query(4), [0x10, 0x04, 0x04]);
    }

    #[test]
    fn a_healthy_printer_answers_0x12_four_times() {
        let r = Raw::from_bytes([0x12; 4]).unwrap();
        assert_eq!(State::from_raw(&r), State::Ready);
        assert_eq!(State::Ready.to_raw().bytes(), [0x12; 4]);
    }

    #[test]
    fn byte_exact_reductions() {
        // Paper near end: n=4 bits 2-3 → 0x1E.
        assert_eq!(
            State::from_raw(&Raw::from_bytes([0x12, 0x12, 0x12, 0x1E]).unwrap()),
            State::PaperNearEnd
        );
        // Paper end: n=4 bits 5-6 → 0x72 (with near-end 0x7E), offline bit in n=1 (0x1A).
        assert_eq!(
            State::from_raw(&Raw::from_bytes([0x1A, 0x32, 0x12, 0x72]).unwrap()),
            State::PaperOut
        );
        // Cover open: n=2 bit 2 → 0x16.
        assert_eq!(
            State::from_raw(&Raw::from_bytes([0x1A, 0x16, 0x12, 0x12]).unwrap()),
            State::CoverOpen
        );
        // Autocutter error: n=3 bit 3 → 0x1A.
        assert_eq!(
            State::from_raw(&Raw::from_bytes([0x1A, 0x52, 0x1A, 0x12]).unwrap()),
            State::CutterError
        );
        // Unrecoverable error only.
        assert_eq!(
            State::from_raw(&Raw::from_bytes([0x1A, 0x52, 0x32, 0x12]).unwrap()),
            State::Offline
        );
        // Cover open beats paper out.
        assert_eq!(
            State::from_raw(&Raw::from_bytes([0x1A, 0x36, 0x12, 0x72]).unwrap()),
            State::CoverOpen
        );
    }

    #[test]
    fn every_state_round_trips_through_its_bytes() {
        for s in [
            State::Ready,
            State::PaperNearEnd,
            State::PaperOut,
            State::CoverOpen,
            State::CutterError,
            State::Offline,
        ] {
            let raw = Raw::from_bytes(s.to_raw().bytes()).unwrap();
            assert_eq!(State::from_raw(&raw), s);
        }
    }

    #[test]
    fn a_byte_with_wrong_fixed_bits_is_not_status() {
        assert_eq!(
            Raw::from_bytes([0x12, 0x12, 0x00, 0x12]),
            Err(Malformed { n: 3, byte: 0x00 })
        );
        assert_eq!(
            Raw::from_bytes([0x93, 0x12, 0x12, 0x12]),
            Err(Malformed { n: 1, byte: 0x93 })
        );
    }
}
