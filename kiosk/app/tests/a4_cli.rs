//! `kiosk device a4 …` against the real CUPS server on loopback that
//! `scripts/test.sh` starts (`scripts/cups-test-server.sh`); started here when
//! the environment does not name it.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{kiosk_demo, repo};

/// (queue URI, output file) of the loopback CUPS.
fn cups() -> (String, PathBuf) {
    if let (Ok(u), Ok(o)) = (
        std::env::var("KIOSK_TEST_CUPS_URI"),
        std::env::var("KIOSK_TEST_CUPS_OUT"),
    ) {
        return (u, o.into());
    }
    let st = Command::new(repo().join("scripts/cups-test-server.sh"))
        .arg("start")
        .status()
        .expect("scripts/cups-test-server.sh (needs cups-daemon: scripts/setup-debian.sh)");
    assert!(st.success(), "the loopback CUPS did not start");
    let env = std::fs::read_to_string(repo().join("target/cups-test/env")).unwrap();
    let get = |k: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_string()
    };
    (
        get("KIOSK_TEST_CUPS_URI"),
        get("KIOSK_TEST_CUPS_OUT").into(),
    )
}

#[test]
fn the_a4_test_page_goes_through_cups_as_a_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let (uri, out) = cups();
    let (code, word, err) = kiosk_demo(dir.path(), &["device", "a4", "status", "--uri", &uri]);
    assert_eq!((code, word.trim()), (0, "ready"), "{err}");

    let before = std::fs::metadata(&out).map(|m| m.modified().unwrap()).ok();
    let (code, said, err) = kiosk_demo(dir.path(), &["device", "a4", "test-page", "--uri", &uri]);
    assert_eq!(code, 0, "{err}");
    assert!(
        said.starts_with("printed A4 test page: CUPS job "),
        "{said}"
    );
    // The queue's file device receives the PDF as sent.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let m = std::fs::metadata(&out).ok().map(|m| m.modified().unwrap());
        if m.is_some() && m != before {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "nothing reached {}",
            out.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pdf = std::fs::read(&out).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");

    // A queue that does not exist: a clear error naming it.
    let wrong = uri.replace("kiosk-a4", "no-such-queue");
    let (code, word, err) = kiosk_demo(dir.path(), &["device", "a4", "status", "--uri", &wrong]);
    assert_eq!((code, word.trim()), (1, "offline"));
    let (code, _, err2) = kiosk_demo(dir.path(), &["device", "a4", "test-page", "--uri", &wrong]);
    assert_eq!(code, 1);
    assert!(err2.contains("no-such-queue"), "{err} / {err2}");
}

#[test]
fn without_an_a4_printer_the_command_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = kiosk_demo(dir.path(), &["device", "a4", "status"]);
    assert_eq!(code, 1);
    assert!(err.contains("no A4 printer configured"), "{err}");
}
