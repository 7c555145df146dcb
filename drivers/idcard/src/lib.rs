//! Second-generation ID-card reader (二代证阅读器), GA 467 SAM protocol.
//!
//! - [`codec`]: frames, commands, status words, read payloads (pure, fuzzed);
//! - [`text`]: the 256-byte text block in its four layouts, code tables, GB 11643;
//! - [`transport`]: serial port (termios raw 8N1) behind a small trait;
//! - [`driver`]: commands with plausibility checks and bounded time, whole reads;
//! - [`reader`]: the handle the kiosk holds (polling thread, events, reconnect);
//! - [`sim`]: a reader at the other end of a pty speaking the same bytes;
//! - [`wlt`]: the licensed WLT photo decoder, loaded at run time if configured.

mod card;
pub mod codec;
pub mod driver;
pub mod reader;
pub mod sim;
pub mod text;
/// The shared transports (moved to `kiosk-device`, re-exported for this crate's users).
pub mod transport {
    pub use kiosk_device::transport::*;
}
pub mod wlt;

pub use card::{CardType, IdCard};
pub use driver::{DriverError, Ga467, Timeouts};
pub use reader::{today_local, IdCardReader, ReadError, ReaderConfig, ReaderEvent, CONNECTING};
