//! The fuzz seeds in `fuzz/seeds/text/` were written by a separate Python script
//! straight from the offsets the public sources give (not by this crate's
//! encoder): decoding them checks the layouts against an independent writer.

use kiosk_idcard::text::decode_text;
use kiosk_idcard::CardType;

fn seed(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fuzz/seeds/text/{name}.bin",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn independently_written_blocks_decode_to_the_expected_cards() {
    // The independently written block is of the shipped fixture card.
    let f = kiosk_idcard::sim::fixture_card();
    let c = decode_text(&seed("resident")).unwrap();
    assert_eq!(
        (
            c.card_type,
            c.name.as_str(),
            c.gender.as_str(),
            c.nation.as_str()
        ),
        (
            CardType::Resident,
            f.name.as_str(),
            f.gender.as_str(),
            f.nation.as_str()
        )
    );
    assert_eq!(
        (c.id_number.as_str(), c.valid_to.as_str()),
        (f.id_number.as_str(), f.valid_to.as_str())
    );

    let c = decode_text(&seed("permit")).unwrap();
    assert_eq!(c.card_type, CardType::HkMacaoTaiwanPermit);
    assert_eq!(c.pass_number.as_deref(), Some("H12345678"));
    assert_eq!(c.issue_count.as_deref(), Some("01"));
    assert!(c.nation.is_empty());

    let c = decode_text(&seed("foreign2004")).unwrap();
    assert_eq!(c.card_type, CardType::ForeignPermanentResident);
    assert_eq!(c.english_name.as_deref(), Some("SMITH, JOHN"));
    assert_eq!(
        (c.name.as_str(), c.id_number.as_str()),
        ("史密斯", "USA110079080101")
    );
    assert_eq!(c.nationality.as_deref(), Some("USA"));
    assert_eq!(c.authority_code.as_deref(), Some("1500"));

    let c = decode_text(&seed("foreign2023")).unwrap();
    assert_eq!(c.card_type, CardType::ForeignPermanentResident2023);
    assert_eq!((c.name.as_str(), c.gender.as_str()), ("证件样本", "女"));
    assert_eq!(c.english_name.as_deref(), Some("ZHENGJIAN, YANGBEN"));
    assert_eq!(c.id_number, "931586198001010028");
    assert_eq!(c.nationality.as_deref(), Some("PAK"));
    assert_eq!(c.renewal_count.as_deref(), Some("00"));
    assert_eq!(c.previous_number_link.as_deref(), Some("000"));
    assert_eq!(
        (c.valid_from.as_str(), c.valid_to.as_str()),
        ("20230808", "20330807")
    );
}
