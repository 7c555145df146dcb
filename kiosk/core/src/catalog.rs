//! The service catalog: what a citizen can do at this terminal, and for each item
//! its 办事指南 (service guide). Loaded from a TOML file by the app; this module only
//! defines the shape and checks the rules that serde alone cannot.

use serde::{Deserialize, Serialize};

/// The whole catalog file: `[[item]]` tables, and the hall's `[[queue]]`
/// categories for queue tickets.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    #[serde(rename = "item", default)]
    pub items: Vec<ServiceItem>,
    #[serde(rename = "queue", default)]
    pub queue: Vec<QueueCategory>,
}

/// 排队类别 — one queue of the hall's windows; its id is the ticket number's letter.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct QueueCategory {
    pub id: String,
    pub name: String,
}

/// 事项 — one service item with its 办事指南 (service guide).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServiceItem {
    pub id: String,
    pub name: String,
    /// 实施机构 — the department that decides.
    pub department: String,
    /// 即办件 (decided on the spot) or 承诺件 (decided within `promised_days`).
    pub kind: ItemKind,
    /// 承诺时限 in working days; 0 for 即办件.
    #[serde(default)]
    pub promised_days: u32,
    /// 收费标准 ("不收费" for almost every street-level item).
    pub fee: String,
    /// 设定依据.
    pub legal_basis: String,
    /// 受理条件.
    pub conditions: Vec<String>,
    /// How the result reaches the citizen: pickup at the hall and/or free mail (政务快递).
    #[serde(default = "default_delivery")]
    pub delivery: Vec<DeliveryMethod>,
    #[serde(default)]
    pub materials: Vec<MaterialSpec>,
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
}

fn default_delivery() -> Vec<DeliveryMethod> {
    vec![DeliveryMethod::Pickup, DeliveryMethod::Mail]
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// 即办件.
    Instant,
    /// 承诺件.
    Promised,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryMethod {
    /// 窗口领取.
    Pickup,
    /// 政务快递 (免费邮寄).
    Mail,
}

/// 申请材料 — one material listed in the guide.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MaterialSpec {
    pub id: String,
    pub name: String,
    /// 原件/复印件, number of copies, and similar remarks.
    #[serde(default)]
    pub note: String,
    #[serde(default = "yes")]
    pub required: bool,
    /// 容缺 — may be supplied later; the receipt names the deadline.
    #[serde(default)]
    pub tolerated: bool,
    /// Days the citizen has to supply a 容缺 material.
    #[serde(default = "default_tolerance_days")]
    pub tolerance_days: u32,
    /// 零证明: satisfied by reading the ID card (or a shared electronic licence), no copy needed.
    #[serde(default)]
    pub from_card: bool,
}

fn yes() -> bool {
    true
}
fn default_tolerance_days() -> u32 {
    5
}

/// One form field, optionally filled from the ID card (零填写).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub source: Option<CardField>,
    #[serde(default = "yes")]
    pub required: bool,
    /// The choices of a `choice` field.
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    Text,
    /// Mainland mobile number: 11 digits starting with 1.
    Phone,
    Choice,
}

/// The card fields a form field may be filled from.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum CardField {
    Name,
    Gender,
    Nation,
    Birth,
    Address,
    IdNumber,
}

/// A rule broken in an otherwise well-formed catalog: the dotted key path
/// (`item[2].fields[0].options`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProblem {
    pub key: String,
    pub problem: String,
}

impl Catalog {
    pub fn item(&self, id: &str) -> Option<&ServiceItem> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Checks what serde cannot: unique ids, choices that have options, a card
    /// source only on text fields, a promise period on 承诺件, and so on.
    pub fn problems(&self) -> Vec<CatalogProblem> {
        let mut out = Vec::new();
        let mut bad = |key: String, problem: &str| {
            out.push(CatalogProblem {
                key,
                problem: problem.to_string(),
            })
        };
        if self.items.is_empty() {
            bad("item".into(), "the catalog lists no service item");
        }
        for (i, q) in self.queue.iter().enumerate() {
            if !(q.id.len() == 1 && q.id.chars().all(|c| c.is_ascii_uppercase())) {
                bad(
                    format!("queue[{i}].id"),
                    "must be one capital letter (the ticket number's prefix)",
                );
            } else if self.queue[..i].iter().any(|o| o.id == q.id) {
                bad(
                    format!("queue[{i}].id"),
                    "is used by an earlier queue category",
                );
            }
            if q.name.trim().is_empty() {
                bad(format!("queue[{i}].name"), "must not be empty");
            }
        }
        for (i, item) in self.items.iter().enumerate() {
            let at = |k: &str| format!("item[{i}].{k}");
            if item.id.trim().is_empty() {
                bad(at("id"), "must not be empty");
            }
            if self.items[..i].iter().any(|o| o.id == item.id) {
                bad(at("id"), "duplicate item id");
            }
            if item.name.trim().is_empty() {
                bad(at("name"), "must not be empty");
            }
            if item.kind == ItemKind::Promised && item.promised_days == 0 {
                bad(
                    at("promised_days"),
                    "a promised item (承诺件) needs a promise period of at least 1 day",
                );
            }
            if item.delivery.is_empty() {
                bad(at("delivery"), "list at least one of \"pickup\", \"mail\"");
            }
            if item.conditions.is_empty() {
                bad(
                    at("conditions"),
                    "the guide must state the conditions (受理条件)",
                );
            }
            for (m, mat) in item.materials.iter().enumerate() {
                if item.materials[..m].iter().any(|o| o.id == mat.id) {
                    bad(at(&format!("materials[{m}].id")), "duplicate material id");
                }
                if mat.tolerated && mat.from_card {
                    bad(
                        at(&format!("materials[{m}].tolerated")),
                        "a material taken from the card cannot also be 容缺",
                    );
                }
            }
            for (f, field) in item.fields.iter().enumerate() {
                if item.fields[..f].iter().any(|o| o.key == field.key) {
                    bad(at(&format!("fields[{f}].key")), "duplicate field key");
                }
                match field.kind {
                    FieldKind::Choice if field.options.is_empty() => {
                        bad(at(&format!("fields[{f}].options")), "a choice field needs options")
                    }
                    FieldKind::Phone | FieldKind::Choice if field.source.is_some() => bad(
                        at(&format!("fields[{f}].source")),
                        "only text fields can be filled from the card",
                    ),
                    FieldKind::Text if field.source.is_none() && field.required => bad(
                        at(&format!("fields[{f}].source")),
                        "a required text field must be filled from the card (free text input comes with the input-method issue)",
                    ),
                    _ => {}
                }
            }
        }
        out
    }
}

impl ItemKind {
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Instant => "即办件",
            ItemKind::Promised => "承诺件",
        }
    }
}

impl DeliveryMethod {
    pub fn label(self) -> &'static str {
        match self {
            DeliveryMethod::Pickup => "窗口领取",
            DeliveryMethod::Mail => "免费邮寄（政务快递）",
        }
    }
}
