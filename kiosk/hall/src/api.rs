//! Request and response bodies, exactly as `openapi.yaml` names them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

pub const API_PREFIX: &str = "/api/v1";
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// The applicant as the hall receives it. Personal data: redacted `Debug`, zeroised on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct ApplicantBody {
    pub name: String,
    pub id_number: String,
    pub gender: String,
    pub nation: String,
    pub birth: String,
    pub address: String,
}

impl fmt::Debug for ApplicantBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApplicantBody { <redacted> }")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialBody {
    pub id: String,
    pub name: String,
    /// Pages that follow as attachments.
    pub pages: u32,
    /// Satisfied by the card read (零证明).
    #[serde(default)]
    pub from_card: bool,
    /// 容缺: to be supplied later.
    #[serde(default)]
    pub deferred: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    Pickup,
    Mail,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRequest {
    pub terminal_id: String,
    pub item_id: String,
    pub applicant: ApplicantBody,
    pub fields: BTreeMap<String, String>,
    pub materials: Vec<MaterialBody>,
    pub delivery: Delivery,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_address: Option<String>,
}

impl fmt::Debug for ApplicationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplicationRequest")
            .field("terminal_id", &self.terminal_id)
            .field("item_id", &self.item_id)
            .field("applicant", &self.applicant)
            .field("materials", &self.materials)
            .field("delivery", &self.delivery)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationAccepted {
    pub application_no: String,
    pub accepted_at: String,
    /// True when this idempotency key had been seen: nothing new was created.
    pub duplicate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationStatus {
    pub application_no: String,
    pub item_id: String,
    /// `accepted` | `processing` | `done`.
    pub status: String,
    pub attachments: u32,
    pub accepted_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    pub category: String,
    /// `normal` | `elderly` | `disabled` | `appointment`.
    #[serde(default = "normal")]
    pub priority: String,
}

fn normal() -> String {
    "normal".into()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub number: String,
    /// The category's name in Simplified Chinese (社保医保, …).
    pub category: String,
    /// The category's id in the catalog's `[[queue]]` (the terminal names it
    /// in the citizen's language from there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    pub people_ahead: u32,
    pub issued_at: String,
    /// `normal` | `elderly` | `disabled` | `appointment`.
    #[serde(default = "normal")]
    pub priority: String,
}

/// 预约签到 — the citizen's ID number, read from the card at the terminal.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    pub id_number: String,
}

impl std::fmt::Debug for CheckInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckInRequest { id_number: <redacted> }")
    }
}

/// An appointment found and checked in: its priority ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIn {
    pub ticket: Ticket,
    pub item_name: String,
    /// The booked item's id in the catalog, when the booking named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// The booked time slot, like "10:00-10:30".
    pub slot: String,
}

/// A booking made elsewhere (the online hall, the phone line); the reference
/// hall takes it over this call so tests and demos can book.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointmentRequest {
    pub id_number: String,
    /// Queue category id (one letter, from the catalog's `[[queue]]`).
    pub category: String,
    pub item_name: String,
    /// The item's id in the catalog, if it has one there.
    #[serde(default)]
    pub item_id: Option<String>,
    pub slot: String,
    /// `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub day: Option<String>,
}

impl std::fmt::Debug for AppointmentRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "AppointmentRequest {{ id_number: <redacted>, category: {:?}, item_name: {:?}, slot: {:?}, day: {:?} }}",
            self.category, self.item_name, self.slot, self.day
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationRequest {
    pub terminal_id: String,
    /// The application number (or terminal reference) being rated.
    pub reference: String,
    /// 1 (非常不满意) … 5 (非常满意).
    pub score: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    pub devices: BTreeMap<String, String>,
    pub outbox_pending: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

/// `kiosk hall stats --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallStats {
    pub applications: u64,
    pub duplicates: u64,
    pub attachments: u64,
}
