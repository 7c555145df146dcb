//! The 256-byte text block of a card read: UCS-2LE fields at fixed offsets, in
//! one of four layouts chosen by the card-type flag at byte 248, plus the code
//! tables (gender GB/T 2261.1, nation GB 3304) and the GB 11643 check digit.

use crate::card::{CardType, IdCard};

/// Size of the text block.
pub const TEXT_LEN: usize = 256;
/// Offset of the 2-byte card-type flag.
pub const FLAG_AT: usize = 248;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("text block of {0} bytes (expected 256)")]
    Size(usize),
    #[error("unknown card-type flag {0:?}")]
    UnknownFlag(String),
    #[error("field {field} is not valid UCS-2")]
    Encoding { field: &'static str },
    /// (The value itself is personal data and stays out of the message.)
    #[error("field {field} is not a date")]
    Date { field: &'static str },
    #[error("card number fails the GB 11643 check digit")]
    CheckDigit,
    #[error("field {field} does not fit: {chars} characters, room for {room}")]
    TooLong {
        field: &'static str,
        chars: usize,
        room: usize,
    },
}

/// One field of a layout: name, byte offset, byte length.
type Field = (&'static str, usize, usize);

/// 居民身份证 (flag ' '). Sources: the table in the CSDN article cited in
/// `codec.rs`, and the 256-byte `IDCARD` struct of
/// `chenhaifeng2016/FaceRecognitionTest` (IDCardReader/src/IDReader.h).
const RESIDENT: &[Field] = &[
    ("name", 0, 30),
    ("gender", 30, 2),
    ("nation", 32, 4),
    ("birth", 36, 16),
    ("address", 52, 70),
    ("id_number", 122, 36),
    ("authority", 158, 30),
    ("valid_from", 188, 16),
    ("valid_to", 204, 16),
];

/// 港澳台居民居住证 (flag 'J'): the resident layout without nation, then the
/// 通行证号码 (18 bytes at 220) and 签发次数 (4 bytes at 238) in what is reserved
/// space on a resident card. Sources: the `tagIDCardInfor` struct of a public C++
/// reader SDK header (passID[18], issuesNum[4], rfu[6], typeFlag[2], rfu[6]) and
/// a vendor C# demo (`GetString(pucCHMsg, 220, 18)`, `(…, 238, 4)`).
const PERMIT: &[Field] = &[
    ("name", 0, 30),
    ("gender", 30, 2),
    ("birth", 36, 16),
    ("address", 52, 70),
    ("id_number", 122, 36),
    ("authority", 158, 30),
    ("valid_from", 188, 16),
    ("valid_to", 204, 16),
    ("pass_number", 220, 18),
    ("issue_count", 238, 4),
];

/// 外国人永久居留身份证, 2004–2023 edition (flag 'I'). Field sizes as in
/// `yechangpeng/Paperless` (Centerm/IDCardDef.h: English name 120, card number
/// 30, nationality 6, version 4, authority code 8, type flag 2, reserved 6).
const FOREIGN_OLD: &[Field] = &[
    ("english_name", 0, 120),
    ("gender", 120, 2),
    ("id_number", 122, 30),
    ("nationality", 152, 6),
    ("name", 158, 30),
    ("valid_from", 188, 16),
    ("valid_to", 204, 16),
    ("birth", 220, 16),
    ("card_version", 236, 4),
    ("authority_code", 240, 8),
];

/// 外国人永久居留身份证, 2023 edition (flag 'Y'): laid out like the resident
/// card, with the English name split over two fields (35 + 11 characters).
/// Sources: the `tagIDCardInfor2023` struct of a public C++ reader SDK header
/// (cnName 30, Sex 2, chgNum 4, birthday 16, enName 70, IDSn 36, reserved 30,
/// dates 16 + 16, enNameEx 22, nation 6, typeFlag 2, assID 6), and a vendor C#
/// demo reading the same offsets (`GetString(pucCHMsg, 220, 22)` for the English
/// name continuation, `(…, 242, 6)` for the country code).
const FOREIGN_2023: &[Field] = &[
    ("name", 0, 30),
    ("gender", 30, 2),
    ("renewal_count", 32, 4),
    ("birth", 36, 16),
    ("english_name", 52, 70),
    ("id_number", 122, 36),
    ("valid_from", 188, 16),
    ("valid_to", 204, 16),
    ("english_name_ext", 220, 22),
    ("nationality", 242, 6),
    ("previous_number_link", 250, 6),
];

fn layout(t: CardType) -> (&'static [Field], char) {
    match t {
        CardType::Resident => (RESIDENT, ' '),
        CardType::HkMacaoTaiwanPermit => (PERMIT, 'J'),
        CardType::ForeignPermanentResident => (FOREIGN_OLD, 'I'),
        CardType::ForeignPermanentResident2023 => (FOREIGN_2023, 'Y'),
    }
}

fn ucs2(bytes: &[u8], field: &'static str) -> Result<String, TextError> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let s = String::from_utf16(&units).map_err(|_| TextError::Encoding { field })?;
    Ok(s.trim_end_matches([' ', '\0'])
        .trim_start_matches(' ')
        .to_string())
}

fn put(buf: &mut [u8], (field, at, len): Field, value: &str) -> Result<(), TextError> {
    let units: Vec<u16> = value.encode_utf16().collect();
    if units.len() * 2 > len {
        return Err(TextError::TooLong {
            field,
            chars: units.len(),
            room: len / 2,
        });
    }
    for (i, chunk) in buf[at..at + len].chunks_exact_mut(2).enumerate() {
        let u = units.get(i).copied().unwrap_or(0x0020);
        chunk.copy_from_slice(&u.to_le_bytes());
    }
    Ok(())
}

fn date(field: &'static str, v: &str, long_term_ok: bool) -> Result<(), TextError> {
    let ok =
        (v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit())) || (long_term_ok && v == "长期");
    if ok {
        Ok(())
    } else {
        Err(TextError::Date { field })
    }
}

/// Decodes a text block into a card.
pub fn decode_text(text: &[u8]) -> Result<IdCard, TextError> {
    if text.len() != TEXT_LEN {
        return Err(TextError::Size(text.len()));
    }
    let flag = ucs2(&text[FLAG_AT..FLAG_AT + 2], "card_type")?;
    let card_type = match flag.as_str() {
        "" => CardType::Resident,
        "J" => CardType::HkMacaoTaiwanPermit,
        "I" => CardType::ForeignPermanentResident,
        "Y" => CardType::ForeignPermanentResident2023,
        other => return Err(TextError::UnknownFlag(other.to_string())),
    };
    let (fields, _) = layout(card_type);
    let mut card = IdCard::empty(card_type);
    for &(name, at, len) in fields {
        let v = ucs2(&text[at..at + len], name)?;
        match name {
            "gender" => card.gender = gender_name(&v).to_string(),
            "nation" => card.nation = nation_name(&v).to_string(),
            "nationality" => card.nationality = Some(v),
            _ => {
                if let Some(f) = card.field_mut(name) {
                    *f = v;
                }
            }
        }
    }
    if card_type == CardType::ForeignPermanentResident2023 {
        if let Some(ext) = card.english_name_ext.take() {
            if let Some(n) = card.english_name.as_mut() {
                n.push_str(&ext);
            }
        }
    }
    date("birth", &card.birth, false)?;
    date("valid_from", &card.valid_from, false)?;
    date("valid_to", &card.valid_to, true)?;
    match card_type {
        CardType::Resident
        | CardType::HkMacaoTaiwanPermit
        | CardType::ForeignPermanentResident2023 => {
            card.id_number = normalise_id(&card.id_number).ok_or(TextError::CheckDigit)?;
        }
        CardType::ForeignPermanentResident => {}
    }
    if card_type != CardType::Resident && card.name.is_empty() {
        // Foreign cards may carry only the English name.
        card.name = card.english_name.clone().unwrap_or_default();
    }
    Ok(card)
}

/// Encodes a card into a text block (the simulator's side, and round-trip tests).
pub fn encode_text(card: &IdCard) -> Result<Vec<u8>, TextError> {
    let (fields, flag) = layout(card.card_type);
    let mut buf = vec![0u8; TEXT_LEN];
    for pair in buf.chunks_exact_mut(2) {
        pair.copy_from_slice(&0x0020u16.to_le_bytes());
    }
    let mut english_tail = String::new();
    for &f in fields {
        let (name, _, len) = f;
        let value: String = match name {
            "gender" => gender_code(&card.gender).to_string(),
            "nation" => nation_code(&card.nation).to_string(),
            "nationality" => card.nationality.clone().unwrap_or_default(),
            "english_name" if card.card_type == CardType::ForeignPermanentResident2023 => {
                let full = card.english_name.clone().unwrap_or_default();
                let room = len / 2;
                let head: String = full.chars().take(room).collect();
                english_tail = full.chars().skip(room).collect();
                head
            }
            "english_name_ext" => english_tail.clone(),
            _ => card.field(name).unwrap_or_default(),
        };
        put(&mut buf, f, &value)?;
    }
    put(&mut buf, ("card_type", FLAG_AT, 2), &flag.to_string())?;
    Ok(buf)
}

/// GB/T 2261.1 gender codes.
pub fn gender_name(code: &str) -> &'static str {
    match code {
        "0" => "未知",
        "1" => "男",
        "2" => "女",
        "9" => "未说明",
        _ => "未知",
    }
}

pub fn gender_code(name: &str) -> &'static str {
    match name {
        "男" => "1",
        "女" => "2",
        "未说明" => "9",
        _ => "0",
    }
}

/// GB 3304 nation codes 01–56, 97 其他, 98 外国血统中国籍人士. Names as printed
/// on the card (without 族).
pub const NATIONS: [(&str, &str); 58] = [
    ("01", "汉"),
    ("02", "蒙古"),
    ("03", "回"),
    ("04", "藏"),
    ("05", "维吾尔"),
    ("06", "苗"),
    ("07", "彝"),
    ("08", "壮"),
    ("09", "布依"),
    ("10", "朝鲜"),
    ("11", "满"),
    ("12", "侗"),
    ("13", "瑶"),
    ("14", "白"),
    ("15", "土家"),
    ("16", "哈尼"),
    ("17", "哈萨克"),
    ("18", "傣"),
    ("19", "黎"),
    ("20", "傈僳"),
    ("21", "佤"),
    ("22", "畲"),
    ("23", "高山"),
    ("24", "拉祜"),
    ("25", "水"),
    ("26", "东乡"),
    ("27", "纳西"),
    ("28", "景颇"),
    ("29", "柯尔克孜"),
    ("30", "土"),
    ("31", "达斡尔"),
    ("32", "仫佬"),
    ("33", "羌"),
    ("34", "布朗"),
    ("35", "撒拉"),
    ("36", "毛南"),
    ("37", "仡佬"),
    ("38", "锡伯"),
    ("39", "阿昌"),
    ("40", "普米"),
    ("41", "塔吉克"),
    ("42", "怒"),
    ("43", "乌孜别克"),
    ("44", "俄罗斯"),
    ("45", "鄂温克"),
    ("46", "德昂"),
    ("47", "保安"),
    ("48", "裕固"),
    ("49", "京"),
    ("50", "塔塔尔"),
    ("51", "独龙"),
    ("52", "鄂伦春"),
    ("53", "赫哲"),
    ("54", "门巴"),
    ("55", "珞巴"),
    ("56", "基诺"),
    ("97", "其他"),
    ("98", "外国血统中国籍人士"),
];

pub fn nation_name(code: &str) -> &'static str {
    NATIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
        .unwrap_or("未知")
}

pub fn nation_code(name: &str) -> &'static str {
    NATIONS
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(c, _)| *c)
        .unwrap_or("97")
}

/// GB 11643-1999 check character of the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let s: u32 = first17
        .bytes()
        .zip(W)
        .map(|(b, w)| (b - b'0') as u32 * w)
        .sum();
    Some(C[(s % 11) as usize])
}

/// An 18-character number with a valid check character, `x` normalised to `X`.
pub fn normalise_id(id: &str) -> Option<String> {
    let id = id.trim().to_ascii_uppercase();
    if id.len() != 18 || !id.is_ascii() {
        return None;
    }
    let (body, check) = id.split_at(17);
    (check_char(body)? == check.chars().next()?).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn resident() -> IdCard {
        crate::sim::fixture_card()
    }

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17).unwrap())
    }

    #[test]
    fn check_digit_follows_gb_11643() {
        // The standard's own example number and one ending in X.
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert_eq!(
            normalise_id("11010519491231002x").as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(
            normalise_id("420113195803120021").as_deref(),
            Some("420113195803120021")
        );
        assert_eq!(normalise_id("420113195803120022"), None);
        // The sample number a vendor SDK document prints for a 2023 foreign
        // permanent resident card ("证件样本"): the same check applies.
        assert!(normalise_id("931586198001010028").is_some());
        assert_eq!(normalise_id("4201131958031200"), None);
    }

    #[test]
    fn resident_card_round_trips_and_sits_at_the_standard_offsets() {
        let text = encode_text(&resident()).unwrap();
        assert_eq!(text.len(), 256);
        // 姓名 at 0, UCS-2LE: 欧 = U+6B27.
        assert_eq!(&text[0..2], &[0x27, 0x6B]);
        // 性别 code '2' at 30, 民族 "01" at 32.
        assert_eq!(&text[30..32], &[b'2', 0]);
        assert_eq!(&text[32..36], &[b'0', 0, b'1', 0]);
        // The number at 122, flag at 248 is a space.
        assert_eq!(&text[122..124], &[b'4', 0]);
        assert_eq!(&text[248..250], &[0x20, 0]);
        assert_eq!(decode_text(&text).unwrap(), resident());
    }

    #[test]
    fn every_layout_round_trips() {
        let mut permit = resident();
        permit.card_type = CardType::HkMacaoTaiwanPermit;
        permit.nation = String::new();
        permit.name = "陈大文".into();
        permit.gender = "男".into();
        permit.id_number = with_check("81000019900101001");
        permit.pass_number = Some("H12345678".into());
        permit.issue_count = Some("01".into());

        let mut foreign_old = resident();
        foreign_old.card_type = CardType::ForeignPermanentResident;
        foreign_old.nation = String::new();
        foreign_old.address = String::new();
        foreign_old.authority = String::new();
        foreign_old.name = "史密斯".into();
        foreign_old.english_name = Some("SMITH, JOHN".into());
        foreign_old.gender = "男".into();
        foreign_old.id_number = "USA110079080101".into();
        foreign_old.nationality = Some("USA".into());
        foreign_old.card_version = Some("01".into());
        foreign_old.authority_code = Some("1500".into());
        foreign_old.valid_to = "20280101".into();

        let mut foreign_new = resident();
        foreign_new.card_type = CardType::ForeignPermanentResident2023;
        foreign_new.nation = String::new();
        foreign_new.address = String::new();
        foreign_new.authority = String::new();
        foreign_new.name = "安娜".into();
        foreign_new.english_name = Some("ANDERSSON-LINDQVIST, ANNA MARIA KATARINA".into());
        foreign_new.id_number = with_check("93275219900101002");
        foreign_new.nationality = Some("SWE".into());
        foreign_new.renewal_count = Some("00".into());
        foreign_new.previous_number_link = Some("010".into());
        foreign_new.valid_to = "20330101".into();

        // The 2023 card at the byte offsets of the sources.
        let t = encode_text(&foreign_new).unwrap();
        assert_eq!(&t[0..4], &[0x89, 0x5B, 0x1C, 0x5A], "安娜 at 0");
        assert_eq!(&t[52..54], &[b'A', 0], "English name at 52");
        assert_eq!(
            &t[220..222],
            &[b'A', 0],
            "the 36th character of the English name at 220"
        );
        assert_eq!(
            &t[242..248],
            &[b'S', 0, b'W', 0, b'E', 0],
            "country code at 242"
        );
        assert_eq!(&t[248..250], &[b'Y', 0], "flag at 248");
        assert_eq!(&t[250..252], &[b'0', 0], "previous-number link at 250");
        let t = encode_text(&permit).unwrap();
        assert_eq!(&t[220..222], &[b'H', 0], "pass number at 220");
        assert_eq!(&t[238..242], &[b'0', 0, b'1', 0], "issue count at 238");
        assert_eq!(&t[248..250], &[b'J', 0]);
        for card in [resident(), permit, foreign_old, foreign_new] {
            let text = encode_text(&card).unwrap();
            assert_eq!(decode_text(&text).unwrap(), card, "{:?}", card.card_type);
        }
    }

    #[test]
    fn codes_map_to_printed_names() {
        assert_eq!(nation_name("01"), "汉");
        assert_eq!(nation_name("56"), "基诺");
        assert_eq!(nation_name("98"), "外国血统中国籍人士");
        assert_eq!(NATIONS.len(), 58);
        for (c, n) in NATIONS {
            assert_eq!(nation_code(n), c);
        }
        assert_eq!(gender_name("1"), "男");
        assert_eq!(gender_name("2"), "女");
        assert_eq!(gender_name("9"), "未说明");
        assert_eq!(gender_name("0"), "未知");
    }

    #[test]
    fn bad_blocks_are_typed_errors() {
        assert_eq!(decode_text(&[0; 10]), Err(TextError::Size(10)));
        let mut text = encode_text(&resident()).unwrap();
        text[248] = b'Q';
        assert_eq!(decode_text(&text), Err(TextError::UnknownFlag("Q".into())));
        let mut text = encode_text(&resident()).unwrap();
        text[156] = b'9'; // last digit of the number: check digit now wrong
        assert_eq!(decode_text(&text), Err(TextError::CheckDigit));
        let mut text = encode_text(&resident()).unwrap();
        text[36] = b'A';
        assert!(matches!(
            decode_text(&text),
            Err(TextError::Date { field: "birth", .. })
        ));
        // A lone surrogate is not text.
        let mut text = encode_text(&resident()).unwrap();
        text[0..2].copy_from_slice(&0xD800u16.to_le_bytes());
        assert_eq!(
            decode_text(&text),
            Err(TextError::Encoding { field: "name" })
        );
    }
}
