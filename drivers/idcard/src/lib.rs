//! Second-generation ID-card reader (二代证阅读器).
//!
//! This crate gives the kiosk its reader handle: one worker thread owns the device,
//! callers hold an [`IdCardReader`] (commands in, [`ReaderEvent`]s out through a
//! callback, status on demand). The simulated reader behind the same handle serves
//! cards from JSON fixture files; the GA 467 SAM frame codec, the serial/USB
//! transports and the pty simulator are the subject of their own issue and plug in
//! behind this same handle.

mod card;
mod reader;

pub use card::{CardType, IdCard};
pub use reader::{IdCardReader, ReadError, ReaderEvent, SimReaderConfig};
