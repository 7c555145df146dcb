//! The service catalog: what a citizen can do at this terminal, and for each item
//! its 办事指南 (service guide). Loaded from a TOML file by the app; this module only
//! defines the shape and checks the rules that serde alone cannot.

use serde::{Deserialize, Serialize};

use crate::lang::{Lang, Localized};

/// A catalog text in each language.
pub type Text = Localized<String>;

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
    pub name: Text,
}

/// 事项 — one service item with its 办事指南 (service guide).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServiceItem {
    pub id: String,
    pub name: Text,
    /// 实施机构 — the department that decides.
    pub department: Text,
    /// 即办件 (decided on the spot) or 承诺件 (decided within `promised_days`).
    pub kind: ItemKind,
    /// 承诺时限 in working days; 0 for 即办件.
    #[serde(default)]
    pub promised_days: u32,
    /// 收费标准 ("不收费" for almost every street-level item).
    pub fee: Text,
    /// 设定依据.
    pub legal_basis: Text,
    /// 受理条件, one line each (the same number of lines in every language).
    pub conditions: Localized<Vec<String>>,
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
    pub name: Text,
    /// 原件/复印件, number of copies, and similar remarks.
    #[serde(default = "no_text")]
    pub note: Text,
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
fn no_text() -> Text {
    Localized {
        zh_cn: String::new(),
        zh_tw: Some(String::new()),
        en: Some(String::new()),
    }
}
fn default_tolerance_days() -> u32 {
    5
}

/// One form field, optionally filled from the ID card (零填写).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub key: String,
    pub label: Text,
    pub kind: FieldKind,
    #[serde(default)]
    pub source: Option<CardField>,
    #[serde(default = "yes")]
    pub required: bool,
    /// The choices of a `choice` field, as shown in each language; the zh-CN
    /// one is the value stored and sent to the hall. A plain list (amounts,
    /// codes) is the same in every language.
    #[serde(default)]
    pub options: Options,
}

/// A choice field's options in each language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Options(pub Localized<Vec<String>>);

impl Default for Options {
    fn default() -> Self {
        Options(Localized {
            zh_cn: Vec::new(),
            zh_tw: Some(Vec::new()),
            en: Some(Vec::new()),
        })
    }
}

impl<'de> Deserialize<'de> for Options {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Same(Vec<String>),
            Each(Localized<Vec<String>>),
        }
        match Either::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "expected a list of options, or one list per language (options.zh-CN = [...])",
            )
        })? {
            Either::Same(v) => Ok(Options(Localized {
                zh_tw: Some(v.clone()),
                en: Some(v.clone()),
                zh_cn: v,
            })),
            Either::Each(l) => Ok(Options(l)),
        }
    }
}

impl Options {
    /// The values stored (the zh-CN options).
    pub fn values(&self) -> &[String] {
        &self.0.zh_cn
    }
    /// The options as shown in `lang`.
    pub fn shown(&self, lang: Lang) -> &[String] {
        self.0.get(lang)
    }
    pub fn is_empty(&self) -> bool {
        self.0.zh_cn.is_empty()
    }
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
            if q.name.is_blank() {
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
            if item.name.is_blank() {
                bad(at("name"), "must not be empty");
            }
            if item.kind == ItemKind::Promised && item.promised_days == 0 {
                bad(
                    at("promised_days"),
                    "a promised item (kind = \"promised\") needs a promise period of at least 1 day",
                );
            }
            if item.delivery.is_empty() {
                bad(at("delivery"), "list at least one of \"pickup\", \"mail\"");
            }
            if item.conditions.zh_cn.is_empty() {
                bad(at("conditions"), "the guide must state the conditions");
            }
            for (m, mat) in item.materials.iter().enumerate() {
                if item.materials[..m].iter().any(|o| o.id == mat.id) {
                    bad(at(&format!("materials[{m}].id")), "duplicate material id");
                }
                if mat.tolerated && mat.from_card {
                    bad(
                        at(&format!("materials[{m}].tolerated")),
                        "a material taken from the card cannot also be tolerated (supplied later)",
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

impl Catalog {
    /// Every text of the catalog not written in one of `langs` (the languages
    /// the terminal offers), as a key path and problem, e.g.
    /// `item[2].materials[0].name.en`; and condition lists whose languages
    /// have different numbers of lines.
    pub fn missing_languages(&self, langs: &[Lang]) -> Vec<CatalogProblem> {
        let mut out = Vec::new();
        let mut check = |key: String, has: &dyn Fn(Lang) -> bool| {
            for &l in langs {
                if !has(l) {
                    out.push(CatalogProblem {
                        key: format!("{key}.{}", l.code()),
                        problem: format!(
                            "no {} text, but the terminal offers {}",
                            l.code(),
                            l.code()
                        ),
                    });
                }
            }
        };
        for (i, q) in self.queue.iter().enumerate() {
            check(format!("queue[{i}].name"), &|l| q.name.has(l));
        }
        for (i, item) in self.items.iter().enumerate() {
            let at = |k: &str| format!("item[{i}].{k}");
            check(at("name"), &|l| item.name.has(l));
            check(at("department"), &|l| item.department.has(l));
            check(at("fee"), &|l| item.fee.has(l));
            check(at("legal_basis"), &|l| item.legal_basis.has(l));
            check(at("conditions"), &|l| item.conditions.has(l));
            for (m, mat) in item.materials.iter().enumerate() {
                check(at(&format!("materials[{m}].name")), &|l| mat.name.has(l));
                check(at(&format!("materials[{m}].note")), &|l| mat.note.has(l));
            }
            for (f, field) in item.fields.iter().enumerate() {
                check(at(&format!("fields[{f}].label")), &|l| field.label.has(l));
                check(at(&format!("fields[{f}].options")), &|l| {
                    field.options.0.has(l)
                });
            }
        }
        let mut lengths = |key: String, what: &str, l10n: &Localized<Vec<String>>| {
            let n = l10n.zh_cn.len();
            for &l in langs {
                let m = l10n.get(l).len();
                if l10n.has(l) && m != n {
                    out.push(CatalogProblem {
                        key: format!("{key}.{}", l.code()),
                        problem: format!(
                            "{m} {what}, but zh-CN has {n}: one each, in the same order"
                        ),
                    });
                }
            }
        };
        for (i, item) in self.items.iter().enumerate() {
            lengths(
                format!("item[{i}].conditions"),
                "conditions",
                &item.conditions,
            );
            for (f, field) in item.fields.iter().enumerate() {
                lengths(
                    format!("item[{i}].fields[{f}].options"),
                    "options",
                    &field.options.0,
                );
            }
        }
        out
    }
}
