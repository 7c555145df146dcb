//! A4 printing through CUPS: forms and certificates rendered to PDF and sent
//! over IPP to a CUPS queue.
//!
//! [`ipp`] is the IPP message codec (pure, RFC 8010/8011).

pub mod ipp;
