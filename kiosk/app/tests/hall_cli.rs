//! `kiosk hall serve` as its own process, driven over HTTP by the hall client, and
//! `kiosk hall stats --db FILE --json` printing exactly the shape tools expect.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use kiosk_hall::{ApplicantBody, ApplicationRequest, Delivery, HallClient, MaterialBody};

/// The applicant of the shipped test card (the one fixture every test reads).
fn applicant_body() -> ApplicantBody {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("../../../assets/sim/idcard/ouyang-yan.json")).unwrap();
    let f = |k: &str| v[k].as_str().unwrap().to_string();
    ApplicantBody {
        name: f("name"),
        id_number: f("id_number"),
        gender: f("gender"),
        nation: f("nation"),
        birth: f("birth"),
        address: f("address"),
    }
}

fn request() -> ApplicationRequest {
    ApplicationRequest {
        terminal_id: "CLI-01".into(),
        item_id: "pension-enroll".into(),
        applicant: applicant_body(),
        fields: BTreeMap::from([("phone".to_string(), "13800138000".to_string())]),
        materials: vec![MaterialBody {
            id: "hukou".into(),
            name: "户口簿".into(),
            pages: 2,
            from_card: false,
            deferred: false,
        }],
        delivery: Delivery::Pickup,
        mail_address: None,
    }
}

struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_reference_hall_runs_alone_and_counts_applications_duplicates_and_attachments() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hall.db");
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/catalog.toml");
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args(["hall", "serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(&db)
            .args(["--catalog", catalog])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // The first line says where it listens.
    let mut line = String::new();
    let mut err = BufReader::new(child.0.stderr.take().unwrap());
    err.read_line(&mut line).unwrap();
    // Keep draining its log so the server never writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    let url = line
        .trim()
        .strip_prefix("kiosk hall: listening on ")
        .expect(&line)
        .to_string();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let hall = HallClient::new(&url, "CLI-01", Duration::from_secs(5)).unwrap();
        let items = hall.catalog().await.unwrap();
        assert_eq!(
            items["item"].as_array().map(Vec::len),
            Some(8),
            "serves the catalog it was given"
        );
        let a = hall.submit(&request(), "key-1").await.unwrap();
        // A retry with the same idempotency key (the reply was lost): same number, counted as a duplicate.
        let b = hall.submit(&request(), "key-1").await.unwrap();
        assert_eq!(a.application_no, b.application_no);
        assert!(b.duplicate && !a.duplicate);
        hall.upload_page(&a.application_no, "hukou", 1, vec![0xff, 0xd8, 0xff, 0xd9])
            .await
            .unwrap();
        hall.upload_page(&a.application_no, "hukou", 2, vec![0xff, 0xd8, 0xff, 0xd9])
            .await
            .unwrap();
        let c = hall.submit(&request(), "key-2").await.unwrap();
        assert_ne!(a.application_no, c.application_no);
    });

    let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["hall", "stats", "--json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"applications\": 2, \"duplicates\": 1, \"attachments\": 2}\n"
    );
}

#[test]
fn stats_on_a_missing_database_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["hall", "stats", "--json", "--db", "/nonexistent/hall.db"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("/nonexistent/hall.db: no such hall database"));
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["config", "check", "--help"],
        vec!["hall", "serve", "--help"],
        vec!["hall", "stats", "--help"],
        vec!["device", "status", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage: kiosk"),
            "{args:?}"
        );
    }
}
