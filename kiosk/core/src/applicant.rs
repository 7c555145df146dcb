//! Personal data that enters a session: the applicant read from the ID card and the
//! pages photographed on the document camera.
//!
//! Invariant: none of it ever reaches a log. `Debug` prints a redacted form and the
//! bytes are zeroised when the value is dropped (the session drops them on wipe).

use std::fmt;
use std::sync::Arc;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Which card the applicant was read from (the session offers Traditional
/// Chinese to a permit holder and English to a foreign resident).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CardKind {
    /// 居民身份证.
    #[default]
    Resident,
    /// 港澳台居民居住证.
    HkMacaoTaiwanPermit,
    /// 外国人永久居留身份证 (2004 and 2023 editions).
    #[serde(alias = "foreign-permanent-resident-2023")]
    ForeignPermanentResident,
}

impl Zeroize for CardKind {
    fn zeroize(&mut self) {
        *self = CardKind::Resident;
    }
}

/// The applicant as read from a second-generation ID card (居民身份证) or a permit.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop, serde::Serialize, serde::Deserialize)]
pub struct Applicant {
    /// The kind of card read (the fixture's `card_type`).
    #[serde(rename = "card_type", default)]
    pub card: CardKind,
    pub name: String,
    /// 性别, as printed ("男" / "女").
    pub gender: String,
    /// 民族, as printed ("汉").
    pub nation: String,
    /// Birth date, `YYYYMMDD`.
    pub birth: String,
    pub address: String,
    /// 公民身份号码 (18 characters, check digit `X` upper-case).
    pub id_number: String,
    /// 签发机关.
    pub authority: String,
    pub valid_from: String,
    pub valid_to: String,
    /// The day the card was read, `YYYYMMDD` (the terminal's local date; the
    /// card's holder's age is reckoned on it). Empty when unknown.
    #[serde(default)]
    pub read_on: String,
    /// The card photo, decoded (BMP bytes) when the terminal has a licensed WLT
    /// decoder; `None` shows a placeholder.
    #[serde(skip)]
    #[zeroize(skip)]
    pub photo: Option<Photo>,
}

/// A decoded card photo. Cheap to clone; the bytes are zeroised when the last
/// clone is dropped.
#[derive(Clone)]
pub struct Photo(Arc<Zeroizing<Vec<u8>>>);

impl Photo {
    pub fn new(bytes: Vec<u8>) -> Self {
        Photo(Arc::new(Zeroizing::new(bytes)))
    }
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
    /// Whether two handles share the same bytes (cheap; for caches).
    pub fn same(&self, other: &Photo) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl PartialEq for Photo {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}
impl Eq for Photo {}

impl Applicant {
    /// Masks a name the way printed receipts do: keep the first and the last
    /// character (`欧阳娜娜` → `欧**娜`, `欧燕` → `欧*`).
    pub fn masked_name(&self) -> String {
        mask_name(&self.name)
    }

    /// Full years of age on the day the card was read (`None` if either date
    /// is not a `YYYYMMDD` date).
    pub fn age(&self) -> Option<u32> {
        age_on(&self.birth, &self.read_on)
    }

    /// `420111199001010029` → `4201**********0029`.
    pub fn masked_id(&self) -> String {
        mask_id(&self.id_number)
    }
}

/// Full years from `birth` to `today`, both `YYYYMMDD`: a birthday counts
/// from its own day (29 February in a common year from 1 March).
pub fn age_on(birth: &str, today: &str) -> Option<u32> {
    let ymd = |s: &str| -> Option<(u32, u32, u32)> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (y, m, d) = (
            s[..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..].parse().ok()?,
        );
        ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
    };
    let (by, bm, bd) = ymd(birth)?;
    let (ty, tm, td) = ymd(today)?;
    if (ty, tm, td) < (by, bm, bd) {
        return None;
    }
    let mut age = ty - by;
    if (tm, td) < (bm, bd) {
        age -= 1;
    }
    Some(age)
}

pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => {
            let mut s = String::new();
            s.push(chars[0]);
            s.extend(std::iter::repeat_n('*', n - 2));
            s.push(chars[n - 1]);
            s
        }
    }
}

pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    let mut s: String = chars[..4].iter().collect();
    s.extend(std::iter::repeat_n('*', n - 8));
    s.extend(&chars[n - 4..]);
    s
}

impl fmt::Debug for Applicant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Applicant")
            .field("name", &"<redacted>")
            .field("id_number", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// One photographed page of a material (JPEG). Cheap to clone; the bytes are
/// zeroised when the last clone is dropped.
#[derive(Clone)]
pub struct Page {
    pub id: u64,
    jpeg: Arc<Zeroizing<Vec<u8>>>,
}

impl Page {
    pub fn new(id: u64, jpeg: Vec<u8>) -> Self {
        Page {
            id,
            jpeg: Arc::new(Zeroizing::new(jpeg)),
        }
    }
    pub fn jpeg(&self) -> &[u8] {
        &self.jpeg
    }
}

impl PartialEq for Page {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.jpeg() == other.jpeg()
    }
}

impl fmt::Debug for Page {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Page {{ id: {}, bytes: <{} redacted> }}",
            self.id,
            self.jpeg.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_names_and_numbers_like_printed_receipts() {
        assert_eq!(mask_name("欧阳燕"), "欧*燕");
        assert_eq!(mask_name("欧燕"), "欧*");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_id("420111199001010029"), "4201**********0029");
    }

    #[test]
    fn age_is_full_years_on_the_day_the_card_was_read() {
        assert_eq!(age_on("19660601", "20260531"), Some(59));
        assert_eq!(
            age_on("19660601", "20260601"),
            Some(60),
            "from the birthday itself"
        );
        assert_eq!(age_on("19660601", "20261201"), Some(60));
        assert_eq!(age_on("19640229", "20240228"), Some(59));
        assert_eq!(age_on("19640229", "20240229"), Some(60));
        assert_eq!(
            age_on("19640229", "20230301"),
            Some(59),
            "29 Feb counts from 1 March"
        );
        assert_eq!(age_on("19660601", ""), None, "no reading date, no age");
        assert_eq!(age_on("1966060", "20260601"), None);
        assert_eq!(age_on("19661301", "20260601"), None);
        assert_eq!(
            age_on("20300101", "20260601"),
            None,
            "born after the reading"
        );
    }

    #[test]
    fn debug_never_prints_personal_data() {
        let a = Applicant {
            card: CardKind::Resident,
            name: "欧阳燕".into(),
            gender: "女".into(),
            nation: "汉".into(),
            birth: "19900101".into(),
            address: "湖北省武汉市".into(),
            id_number: "420111199001010029".into(),
            authority: "武汉市公安局".into(),
            valid_from: "20200101".into(),
            valid_to: "20400101".into(),
            read_on: "20261201".into(),
            photo: Some(Photo::new(vec![1, 2, 3])),
        };
        assert_eq!(a.age(), Some(36));
        let dbg = format!("{a:?}");
        assert!(!dbg.contains("欧阳燕") && !dbg.contains("4201"), "{dbg}");
        let p = Page::new(1, vec![0xff, 0xd8, 0x42]);
        assert!(!format!("{p:?}").contains("66"));
        assert!(format!("{p:?}").contains("redacted"));
    }
}
