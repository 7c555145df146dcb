//! The live runtime, one concern a file:
//!
//! - [`devices`]: the device factory (what the configuration names, behind
//!   driver handles), their health, and driver errors as the core's troubles;
//! - [`mapping`]: an ID card to the session's applicant, an application to the
//!   hall's request and attachments, the hall's ticket to the session's;
//! - [`startup`]: data folder, outbox, embedded hall, live preview sink, the
//!   background loop;
//! - [`executor`]: carries out the session's effects and sends results back.

pub mod devices;
pub mod executor;
pub mod mapping;
pub mod startup;

pub use devices::{open_a4, open_camera, open_printer, Devices, TICKET_PROFILE};
pub use executor::Runtime;
pub use mapping::{applicant_of, attachments, request_of};
