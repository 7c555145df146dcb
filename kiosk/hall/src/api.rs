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
    pub category: String,
    pub people_ahead: u32,
    pub issued_at: String,
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
