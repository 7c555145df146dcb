//! `kiosk outbox recover FILE`: a damaged outbox found by the kiosk (or handed
//! over by a technician) is read, and what it held reaches the hall once.

mod common;
use std::collections::BTreeMap;

use common::kiosk_demo;
use kiosk_hall::*;

fn request(n: u32) -> ApplicationRequest {
    ApplicationRequest {
        terminal_id: "DEMO-01".into(),
        item_id: "pension-enroll".into(),
        applicant: ApplicantBody {
            name: format!("申请人{n}"),
            id_number: "420113195803120021".into(),
            gender: "女".into(),
            nation: "汉".into(),
            birth: "19580312".into(),
            address: "湖北省武汉市汉南区".into(),
        },
        fields: BTreeMap::new(),
        materials: vec![],
        delivery: Delivery::Pickup,
        mail_address: None,
    }
}

/// Two undelivered applications in `data/outbox/outbox.db`, then an index page
/// overwritten: the rows still read, `PRAGMA integrity_check` fails.
fn damaged(data: &std::path::Path) -> std::path::PathBuf {
    let dir = data.join("outbox");
    {
        let ob = Outbox::open(&dir, "DEMO-01").unwrap();
        ob.enqueue(
            &request(1),
            &[("hukou".into(), 0, b"%PDF-1 one".as_slice())],
        )
        .unwrap();
        ob.enqueue(
            &request(2),
            &[("hukou".into(), 0, b"%PDF-1 two".as_slice())],
        )
        .unwrap();
    }
    let db = dir.join("outbox.db");
    let root: i64 = {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        c.query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_entry_1'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let mut bytes = std::fs::read(&db).unwrap();
    let at = (root as usize - 1) * 4096;
    bytes[at + 8..at + 4096].fill(0x5A);
    std::fs::write(&db, bytes).unwrap();
    db
}

#[test]
fn a_damaged_outbox_is_named_by_device_status_and_recovered_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    let live = damaged(data);

    // The technician hands over the broken outbox itself: it is set aside
    // (kept, under a dated name), read, and delivered to the (embedded) hall.
    let (code, out, err) = kiosk_demo(data, &["outbox", "recover", live.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("outbox damaged: kept as "), "{err}");
    assert!(err.contains("2 applications may need recovery"), "{err}");
    assert!(
        out.contains("recovered 2 of 2 applications (2 pages)"),
        "{out}"
    );
    assert!(out.contains("delivered 2; 0 still waiting"), "{out}");
    let kept: Vec<_> = std::fs::read_dir(data.join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("-outbox.db"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(
        kept[0].starts_with("recovered-"),
        "all of it was read: {kept:?}"
    );

    let db = data.join("hall/hall.db");
    let (code, out, _) = common::kiosk(&["hall", "stats", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        r#"{"applications": 2, "duplicates": 0, "attachments": 2}"#
    );

    // Again: nothing new, nothing twice.
    let again = data.join("outbox").join(&kept[0]);
    let (code, out, _) = kiosk_demo(data, &["outbox", "recover", again.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("recovered 0 of 2 applications (0 pages)"),
        "{out}"
    );
    assert!(out.contains("2 already recovered"), "{out}");
    let (_, out, _) = common::kiosk(&["hall", "stats", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.trim(),
        r#"{"applications": 2, "duplicates": 0, "attachments": 2}"#
    );
}

#[test]
fn device_status_names_a_kept_damaged_outbox() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    damaged(data);
    // Opening the outbox (as the kiosk does at start) sets the damaged one aside.
    drop(Outbox::open(&data.join("outbox"), "DEMO-01").unwrap());
    let (code, out, _) = kiosk_demo(data, &["device", "status"]);
    assert_eq!(code, 1, "needs attention: {out}");
    let line = out.lines().find(|l| l.starts_with("发件箱")).expect(&out);
    assert!(line.contains("outbox damaged: kept as "), "{line}");
    assert!(line.contains("kiosk outbox recover"), "{line}");
    let (_, json, _) = kiosk_demo(data, &["device", "status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["outbox"]["state"], "needs-attention", "{v}");
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = kiosk_demo(tmp.path(), &["outbox", "recover", "/nonexistent/outbox.db"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/outbox.db: no such file"),
        "{err}"
    );
}
