//! A damaged outbox database never stops the terminal and is never deleted:
//! it is moved aside intact, a fresh outbox starts, and what can still be read
//! from the damaged one reaches the hall exactly once.

use std::collections::BTreeMap;
use std::time::Duration;

use kiosk_hall::*;
use rusqlite::Connection;

fn request(n: u32) -> ApplicationRequest {
    ApplicationRequest {
        terminal_id: "T01".into(),
        item_id: "pension-enroll".into(),
        applicant: ApplicantBody {
            name: format!("申请人{n}"),
            id_number: "420113195803120021".into(),
            gender: "女".into(),
            nation: "汉".into(),
            birth: "19580312".into(),
            address: "湖北省武汉市汉南区".into(),
        },
        fields: BTreeMap::from([("phone".to_string(), "13800138000".to_string())]),
        materials: vec![MaterialBody {
            id: "hukou".into(),
            name: "户口簿".into(),
            pages: 1,
            from_card: false,
            deferred: false,
        }],
        delivery: Delivery::Pickup,
        mail_address: None,
    }
}

const PDF: &[u8] = b"%PDF-1.4 pretend scan %%EOF";

/// Three undelivered applications, then a damaged index page: the rows are
/// still readable but `PRAGMA integrity_check` fails.
fn damaged_outbox(dir: &std::path::Path) {
    {
        let ob = Outbox::open(dir, "T01").unwrap();
        for n in 1..=3 {
            ob.enqueue(&request(n), &[("hukou".into(), 0, PDF)])
                .unwrap();
        }
    }
    let db = dir.join("outbox.db");
    let root: i64 = {
        let c = Connection::open(&db).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        c.query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_entry_1'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let mut bytes = std::fs::read(&db).unwrap();
    let page = 4096usize;
    let at = (root as usize - 1) * page;
    for b in &mut bytes[at + 8..at + page] {
        *b = 0xA5;
    }
    std::fs::write(&db, bytes).unwrap();
}

async fn hall(db: &std::path::Path) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = server::router(db, serde_json::json!({"item": []})).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_damaged_outbox_is_kept_aside_and_its_applications_delivered_once() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("outbox");
    damaged_outbox(&dir);

    // The next start: moved aside, counted, a fresh outbox open for business.
    let ob = Outbox::open(&dir, "T01").unwrap();
    let dmg = ob.damaged().cloned().expect("the damage is reported");
    assert!(dmg.kept_as.exists(), "kept, not deleted");
    assert!(dmg
        .kept_as
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("damaged-"));
    assert_eq!(dmg.undelivered, Some(3));
    assert_eq!(ob.count_undelivered().unwrap(), 0);
    assert_eq!(ob.damaged_files(), vec![dmg.kept_as.clone()]);
    let fresh = ob
        .enqueue(&request(4), &[("hukou".into(), 0, PDF)])
        .unwrap();
    assert_eq!(fresh.local_ref.len(), "T01-000001".len());

    let before = std::fs::read(&dmg.kept_as).unwrap();
    let r = ob.recover_from(&dmg.kept_as).unwrap();
    assert_eq!(
        r,
        Recovered {
            found: 3,
            recovered: 3,
            already: 0,
            unreadable: 0,
            pages: 3
        }
    );
    // All of it was readable: the file is renamed, byte for byte the same.
    assert!(!dmg.kept_as.exists());
    let renamed =
        dmg.kept_as
            .with_file_name(dmg.kept_as.file_name().unwrap().to_str().unwrap().replacen(
                "damaged-",
                "recovered-",
                1,
            ));
    assert_eq!(std::fs::read(&renamed).unwrap(), before);
    assert!(ob.damaged_files().is_empty());

    // Recovering again adds nothing: the idempotency keys are already here.
    let again = ob.recover_from(&renamed).unwrap();
    assert_eq!((again.recovered, again.already), (0, 3));

    let hall_db = d.path().join("hall.db");
    let url = hall(&hall_db).await;
    let c = HallClient::new(&url, "T01", Duration::from_secs(5)).unwrap();
    assert_eq!(ob.flush(&c).await.unwrap(), 0);
    let s = server::stats(&hall_db).unwrap();
    assert_eq!((s.applications, s.duplicates, s.attachments), (4, 0, 4));
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_kept_and_cannot_be_recovered() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("outbox");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("outbox.db"), vec![0x42; 10_000]).unwrap();
    let ob = Outbox::open(&dir, "T01").unwrap();
    let dmg = ob.damaged().cloned().unwrap();
    assert_eq!(dmg.undelivered, None, "nothing can be counted in it");
    assert_eq!(std::fs::read(&dmg.kept_as).unwrap(), vec![0x42; 10_000]);
    assert!(ob.recover_from(&dmg.kept_as).is_err());
    assert!(dmg.kept_as.exists(), "still kept for staff");
}
