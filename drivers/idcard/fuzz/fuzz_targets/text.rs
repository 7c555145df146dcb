//! The text-block decoder over arbitrary 256-byte blocks: never a panic, and a
//! block it accepts re-encodes and decodes to the same card.
#![no_main]

use kiosk_idcard::text::{decode_text, encode_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(card) = decode_text(data) {
        if let Ok(again) = encode_text(&card) {
            let back = decode_text(&again).expect("an encoded card decodes");
            assert_eq!(back.id_number, card.id_number);
            assert_eq!(back.card_type, card.card_type);
        }
    }
});
