//! The citizen's side of the terminal as plain data and one state machine.
//!
//! Nothing here touches a screen, a clock, a device or the network: the app feeds
//! [`session::Event`]s in (UI intents, device events, hall replies, the time) and
//! carries out the [`session::Effect`]s that come back. Because time is an input,
//! idle timeouts are tested without sleeping, and a whole citizen path is a unit test.

pub mod applicant;
pub mod catalog;
pub mod session;

pub use applicant::{Applicant, Page, Photo};
pub use catalog::{
    CardField, Catalog, DeliveryMethod, FieldKind, FieldSpec, ItemKind, MaterialSpec,
    QueueCategory, ServiceItem,
};
pub use session::{
    Application, CameraTrouble, CornerAdjust, DisplayMode, Effect, Event, FormCopy, Millis, MissingNotice,
    PrintState, PrintTrouble, QueuePhase, QueueTicket, Rating, Receipt, Screen, Session, SessionConfig,
    Slip, SubmitState,
};
