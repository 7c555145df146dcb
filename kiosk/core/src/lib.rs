//! The citizen's side of the terminal as plain data and one state machine.
//!
//! Nothing here touches a screen, a clock, a device or the network: the app feeds
//! [`session::Event`]s in (UI intents, device events, hall replies, the time) and
//! carries out the [`session::Effect`]s that come back. Because time is an input,
//! idle timeouts are tested without sleeping, and a whole citizen path is a unit test.

pub mod applicant;
pub mod catalog;
pub mod lang;
pub mod session;

pub use applicant::{age_on, Applicant, CardKind, Page, Photo};
pub use catalog::{
    CardField, Catalog, DeliveryMethod, FieldKind, FieldSpec, ItemKind, MaterialSpec, Options,
    QueueCategory, ServiceItem, Text,
};
pub use lang::{Lang, Localized};
pub use session::{
    Application, Appointment, CameraTrouble, CaptureTrouble, CardTrouble, CornerAdjust,
    DisplayMode, Effect, Event, FieldError, FormCopy, MaterialLine, MaterialState, Millis,
    MissingNotice, PrintState, PrintTrouble, Priority, QueuePhase, QueueTicket, Rating, Receipt,
    Screen, Session, SessionConfig, Slip, SubmitState, SubmitTrouble, TicketTrouble,
};
