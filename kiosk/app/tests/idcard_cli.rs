//! `kiosk device idcard …` against the GA 467 simulator on a pty.

mod common;

use std::path::Path;

use common::kiosk;

use kiosk_idcard::sim::{self, SimConfig, SimHandle};

fn simulator(dir: &Path) -> SimHandle {
    let mut cfg = SimConfig::new(dir.join("ttyIDCARD"), 115200);
    cfg.card = Some(
        sim::load_fixture(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/sim/idcard/ouyang-yan.json"
        )))
        .unwrap(),
    );
    sim::start(cfg).unwrap()
}

#[test]
fn read_prints_the_card_masked_unless_asked_and_in_stable_json() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path());
    let port = sim.path().to_str().unwrap();

    let (code, out, err) = kiosk(&["device", "idcard", "read", "--port", port, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["name"], "欧*燕");
    assert_eq!(v["id_number"], "4201**********0021");
    assert_eq!(v["card_type"], "resident");
    for k in [
        "name",
        "gender",
        "nation",
        "birth",
        "address",
        "id_number",
        "authority",
        "valid_from",
        "valid_to",
        "card_type",
    ] {
        assert!(v.get(k).is_some(), "{k} in {out}");
    }
    assert!(!out.contains("欧阳燕") && !out.contains("420113195803120021"));

    let (code, out, _) = kiosk(&[
        "device",
        "idcard",
        "read",
        "--port",
        port,
        "--json",
        "--show-pii",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["name"], "欧阳燕");
    assert_eq!(v["id_number"], "420113195803120021");
    assert_eq!(v["valid_to"], "长期");

    let (code, out, _) = kiosk(&["device", "idcard", "read", "--port", port]);
    assert_eq!(code, 0);
    assert!(
        out.contains("姓名: 欧*燕") && out.contains("证件类型: 居民身份证"),
        "{out}"
    );
}

#[test]
fn sam_id_and_status() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path());
    let port = sim.path().to_str().unwrap();
    assert_eq!(
        kiosk(&["device", "idcard", "sam-id", "--port", port]).1,
        "05.01-20101010-0000012345-1234567890\n"
    );
    let (code, out, _) = kiosk(&["device", "idcard", "status", "--port", port, "--json"]);
    assert_eq!((code, out.as_str()), (0, "{\"state\":\"ready\"}\n"));
}

#[test]
fn a_missing_reader_is_a_clear_error_with_a_non_zero_exit() {
    let (code, out, err) = kiosk(&[
        "device",
        "idcard",
        "read",
        "--port",
        "/dev/nonexistent-reader",
    ]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("cannot open the reader at /dev/nonexistent-reader"),
        "{err}"
    );
    let (code, out, _) = kiosk(&[
        "device",
        "idcard",
        "status",
        "--port",
        "/dev/nonexistent-reader",
        "--json",
    ]);
    assert_eq!(code, 1);
    assert!(out.starts_with("{\"state\":\"offline\""), "{out}");
}

#[test]
fn no_card_within_the_wait_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let sim = sim::start(SimConfig::new(dir.path().join("tty"), 115200)).unwrap();
    let (code, _, err) = kiosk(&[
        "device",
        "idcard",
        "read",
        "--port",
        sim.path().to_str().unwrap(),
        "--wait",
        "1",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("no card on the reader after 1 s"), "{err}");
}
