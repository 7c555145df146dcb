use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Which document the card is (flag at byte 248 of the text block in GA 467 replies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(rename_all = "kebab-case")]
pub enum CardType {
    /// 居民身份证 (flag: space).
    Resident,
    /// 港澳台居民居住证 (`J`).
    HkMacaoTaiwanPermit,
    /// 外国人永久居留身份证, 2004 edition (`I`).
    ForeignPermanentResident,
    /// 外国人永久居留身份证, 2023 edition (`Y`).
    #[serde(rename = "foreign-permanent-resident-2023")]
    ForeignPermanentResident2023,
}

/// A decoded card. Field names are the stable JSON names of the technician CLI
/// (`kiosk device idcard read --json`, documented in the README).
/// Personal data: `Debug` redacts it and everything is zeroised on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct IdCard {
    pub card_type: CardType,
    /// Chinese name (foreign cards without one: the English name).
    pub name: String,
    pub gender: String,
    /// 民族 as printed (汉, 蒙古, …); empty on permits and foreign cards.
    #[serde(default)]
    pub nation: String,
    /// `YYYYMMDD`.
    pub birth: String,
    #[serde(default)]
    pub address: String,
    /// 公民身份号码 / 居住证号码 / 永久居留证号码; check character upper-case.
    pub id_number: String,
    /// 签发机关.
    #[serde(default)]
    pub authority: String,
    /// `YYYYMMDD`.
    pub valid_from: String,
    /// `YYYYMMDD` or `长期`.
    pub valid_to: String,
    /// 通行证号码 (permits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_number: Option<String>,
    /// 签发次数 (permits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_count: Option<String>,
    /// English name (foreign cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub english_name: Option<String>,
    /// Nationality, ISO 3166-1 alpha-3 (foreign cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// 证件版本号 (foreign cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_version: Option<String>,
    /// 当次申请受理机关代码 (2004 foreign card).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_code: Option<String>,
    /// 换证次数 (2023 foreign card).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_count: Option<String>,
    /// 既往版本外国人永久居留证件号码关联项 (2023 foreign card, 3 characters:
    /// links to the holder's 2004-edition number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_number_link: Option<String>,
    /// Second part of a long English name while decoding (merged into `english_name`).
    #[serde(skip)]
    pub(crate) english_name_ext: Option<String>,
    /// The WLT-compressed photo exactly as read (1024 bytes); only a licensed
    /// decoder library turns it into a picture. Never serialised.
    #[serde(skip)]
    pub photo_wlt: Vec<u8>,
}

impl IdCard {
    /// A card of `card_type` with every field empty.
    pub fn empty(card_type: CardType) -> Self {
        IdCard {
            card_type,
            name: String::new(),
            gender: String::new(),
            nation: String::new(),
            birth: String::new(),
            address: String::new(),
            id_number: String::new(),
            authority: String::new(),
            valid_from: String::new(),
            valid_to: String::new(),
            pass_number: None,
            issue_count: None,
            english_name: None,
            nationality: None,
            card_version: None,
            authority_code: None,
            renewal_count: None,
            previous_number_link: None,
            english_name_ext: None,
            photo_wlt: Vec::new(),
        }
    }

    /// The text field named `name` (layout names), if the card has it.
    pub(crate) fn field(&self, name: &str) -> Option<String> {
        let s = |v: &String| Some(v.clone());
        match name {
            "name" => s(&self.name),
            "gender" => s(&self.gender),
            "nation" => s(&self.nation),
            "birth" => s(&self.birth),
            "address" => s(&self.address),
            "id_number" => s(&self.id_number),
            "authority" => s(&self.authority),
            "valid_from" => s(&self.valid_from),
            "valid_to" => s(&self.valid_to),
            "pass_number" => self.pass_number.clone(),
            "issue_count" => self.issue_count.clone(),
            "english_name" => self.english_name.clone(),
            "english_name_ext" => self.english_name_ext.clone(),
            "nationality" => self.nationality.clone(),
            "card_version" => self.card_version.clone(),
            "authority_code" => self.authority_code.clone(),
            "renewal_count" => self.renewal_count.clone(),
            "previous_number_link" => self.previous_number_link.clone(),
            _ => None,
        }
    }

    pub(crate) fn field_mut(&mut self, name: &str) -> Option<&mut String> {
        fn o(v: &mut Option<String>) -> &mut String {
            v.get_or_insert_with(String::new)
        }
        Some(match name {
            "name" => &mut self.name,
            "gender" => &mut self.gender,
            "nation" => &mut self.nation,
            "birth" => &mut self.birth,
            "address" => &mut self.address,
            "id_number" => &mut self.id_number,
            "authority" => &mut self.authority,
            "valid_from" => &mut self.valid_from,
            "valid_to" => &mut self.valid_to,
            "pass_number" => o(&mut self.pass_number),
            "issue_count" => o(&mut self.issue_count),
            "english_name" => o(&mut self.english_name),
            "english_name_ext" => o(&mut self.english_name_ext),
            "nationality" => o(&mut self.nationality),
            "card_version" => o(&mut self.card_version),
            "authority_code" => o(&mut self.authority_code),
            "renewal_count" => o(&mut self.renewal_count),
            "previous_number_link" => o(&mut self.previous_number_link),
            _ => return None,
        })
    }

    /// Whether the card has expired on `today` (`YYYYMMDD`); `长期` never does.
    pub fn expired_on(&self, today: &str) -> bool {
        self.valid_to.len() == 8
            && self.valid_to.bytes().all(|b| b.is_ascii_digit())
            && self.valid_to.as_str() < today
    }

    /// A copy fit for a technician's screen or a log: name and number masked
    /// (欧*燕, 4201**********0021), address cut after the district, no photo.
    pub fn masked(&self) -> IdCard {
        let mut c = self.clone();
        c.name = mask_name(&self.name);
        c.id_number = mask_number(&self.id_number);
        c.address = self.address.chars().take(6).collect::<String>()
            + if self.address.chars().count() > 6 {
                "…"
            } else {
                ""
            };
        if let Some(e) = &self.english_name {
            c.english_name = Some(mask_name(e));
        }
        if let Some(p) = &self.pass_number {
            c.pass_number = Some(mask_number(p));
        }
        c.photo_wlt = Vec::new();
        c
    }
}

fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

fn mask_number(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

impl fmt::Debug for IdCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdCard")
            .field("card_type", &self.card_type)
            .field("name", &"<redacted>")
            .field("id_number", &"<redacted>")
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(valid_to: &str) -> IdCard {
        let mut c = crate::sim::fixture_card();
        c.valid_to = valid_to.into();
        c
    }

    #[test]
    fn long_term_cards_never_expire() {
        assert!(!card("长期").expired_on("20991231"));
        assert!(card("20200101").expired_on("20261122"));
        assert!(!card("20380312").expired_on("20261122"));
    }

    #[test]
    fn masked_copy_hides_name_number_and_photo() {
        let mut c = card("长期");
        c.photo_wlt = vec![1; 1024];
        let m = c.masked();
        assert_eq!(m.name, "欧*燕");
        assert_eq!(m.id_number, "4201**********0021");
        // Cut after six characters, and marked as cut.
        assert_eq!(m.address, "湖北省武汉市…");
        assert!(m.photo_wlt.is_empty());
    }

    #[test]
    fn debug_is_redacted() {
        let d = format!("{:?}", card("长期"));
        assert!(!d.contains("欧阳燕") && !d.contains("420113"), "{d}");
    }
}
