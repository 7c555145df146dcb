//! What CUPS (or anything on that port) answers, as the client reads it: the
//! HTTP framing, then the IPP message. Never a panic; whatever decodes
//! re-encodes to bytes that decode the same.
#![no_main]

use kiosk_cups::http::read_response;
use kiosk_cups::ipp::Response;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = Response::decode(data) {
        assert_eq!(Response::decode(&r.encode()).ok(), Some(r));
    }
    if let Ok(h) = read_response(&mut std::io::BufReader::new(data)) {
        let _ = Response::decode(&h.body);
    }
});
