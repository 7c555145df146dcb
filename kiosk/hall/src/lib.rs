//! The hall API (`openapi.yaml` beside this crate is the contract): its types, the
//! terminal's client with a durable SQLite outbox, and the reference hall server
//! used by the tests and by the embedded default configuration.

pub mod api;
pub mod client;
mod crypt;
pub mod damage;
pub mod outbox;
pub mod server;

pub use api::*;
pub use client::{HallClient, HallError};
pub use outbox::{Damaged, DeliverOutcome, Outbox, OutboxEntry, OutboxError, Recovered};
