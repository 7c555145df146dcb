//! A4 printing through CUPS: forms and certificates rendered to PDF and sent
//! over IPP to a CUPS queue.
//!
//! [`ipp`] is the IPP message codec (pure, RFC 8010/8011); [`http`] the little
//! HTTP/1.1 it rides on; [`client`] a CUPS queue ([`CupsPrinter`]): status
//! reduced to the kiosk's vocabulary, Print-Job of a PDF, job state.

pub mod client;
pub mod http;
pub mod ipp;

pub use client::{
    Condition, CupsError, CupsPrinter, JobState, JobStatus, PrinterState, PrinterStatus,
};
