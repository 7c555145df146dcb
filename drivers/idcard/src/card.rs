use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Which document the card is (flag at byte 248 of the text block in GA 467 replies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(rename_all = "kebab-case")]
pub enum CardType {
    /// 居民身份证.
    Resident,
    /// 港澳台居民居住证 (`J`).
    HkMacaoTaiwanPermit,
    /// 外国人永久居留身份证 (`I`, 2023 edition `Y`).
    ForeignPermanentResident,
}

/// A decoded card. Field names are the stable JSON names of the technician CLI.
/// Personal data: `Debug` redacts it and the strings are zeroised on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct IdCard {
    pub card_type: CardType,
    pub name: String,
    pub gender: String,
    pub nation: String,
    /// `YYYYMMDD`.
    pub birth: String,
    pub address: String,
    pub id_number: String,
    pub authority: String,
    /// `YYYYMMDD`.
    pub valid_from: String,
    /// `YYYYMMDD` or `长期`.
    pub valid_to: String,
}

impl IdCard {
    /// Whether the card has expired on `today` (`YYYYMMDD`); `长期` never does.
    pub fn expired_on(&self, today: &str) -> bool {
        self.valid_to.len() == 8
            && self.valid_to.bytes().all(|b| b.is_ascii_digit())
            && self.valid_to.as_str() < today
    }
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
        IdCard {
            card_type: CardType::Resident,
            name: "欧阳燕".into(),
            gender: "女".into(),
            nation: "汉".into(),
            birth: "19580312".into(),
            address: "湖北省武汉市".into(),
            id_number: "420113195803120021".into(),
            authority: "武汉市公安局".into(),
            valid_from: "20180312".into(),
            valid_to: valid_to.into(),
        }
    }

    #[test]
    fn long_term_cards_never_expire() {
        assert!(!card("长期").expired_on("20991231"));
        assert!(card("20200101").expired_on("20261122"));
        assert!(!card("20380312").expired_on("20261122"));
    }

    #[test]
    fn debug_is_redacted() {
        let d = format!("{:?}", card("长期"));
        assert!(!d.contains("欧阳燕") && !d.contains("420113"), "{d}");
    }
}
