//! The outbox against the reference hall on loopback: nothing accepted is lost,
//! nothing is created twice, personal data leaves the terminal once acknowledged.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use kiosk_hall::*;

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
        terminal_id: "T01".into(),
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

const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9];

async fn start_hall(db: &std::path::Path, fail_first: usize) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let failures = Arc::new(AtomicUsize::new(fail_first));
    let f = failures.clone();
    let app = server::router(db, serde_json::json!({"item": []}))
        .unwrap()
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let f = f.clone();
                async move {
                    if f.load(Ordering::SeqCst) > 0 {
                        f.fetch_sub(1, Ordering::SeqCst);
                        return (StatusCode::INTERNAL_SERVER_ERROR, "down for maintenance")
                            .into_response();
                    }
                    next.run(req).await
                }
            },
        ));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), failures)
}

fn client(url: &str) -> HallClient {
    HallClient::new(url, "T01", Duration::from_secs(5)).unwrap()
}

#[tokio::test]
async fn delivers_application_and_pages_then_wipes_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = start_hall(&dir.path().join("hall.db"), 0).await;
    let ob = Outbox::open(&dir.path().join("term"), "T01").unwrap();
    let e = ob
        .enqueue(
            &request(),
            &[("hukou".into(), 1, JPEG), ("hukou".into(), 2, JPEG)],
        )
        .unwrap();
    assert_eq!(e.local_ref, "T01-000001");
    assert!(ob.holds_personal_data(e.id).unwrap());
    let out = ob.deliver(&client(&url), e.id).await.unwrap();
    let DeliverOutcome::Delivered { application_no } = out else {
        panic!("{out:?}")
    };
    assert!(application_no.starts_with("ZW"), "{application_no}");
    assert!(!ob.holds_personal_data(e.id).unwrap());
    assert_eq!(
        ob.state(e.id).unwrap(),
        ("done".to_string(), Some(application_no.clone()))
    );
    let st = client(&url).status(&application_no).await.unwrap();
    assert_eq!(st.attachments, 2);
    let s = server::stats(&dir.path().join("hall.db")).unwrap();
    assert_eq!(
        s,
        HallStats {
            applications: 1,
            duplicates: 0,
            attachments: 2
        }
    );
    // Delivering again is a no-op.
    assert!(matches!(
        ob.deliver(&client(&url), e.id).await.unwrap(),
        DeliverOutcome::AlreadyDone { .. }
    ));
}

#[tokio::test]
async fn outbox_hall_500_then_recovers_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = start_hall(&dir.path().join("hall.db"), 2).await;
    let ob = Outbox::open(&dir.path().join("term"), "T01").unwrap();
    let e = ob
        .enqueue(&request(), &[("hukou".into(), 1, JPEG)])
        .unwrap();
    for _ in 0..2 {
        let err = ob.deliver(&client(&url), e.id).await.unwrap_err();
        assert!(
            matches!(
                err,
                OutboxError::Hall(HallError::Server { status: 500, .. })
            ),
            "{err}"
        );
    }
    assert_eq!(ob.count_undelivered().unwrap(), 1);
    assert_eq!(ob.flush(&client(&url)).await.unwrap(), 0);
    let s = server::stats(&dir.path().join("hall.db")).unwrap();
    assert_eq!(
        s,
        HallStats {
            applications: 1,
            duplicates: 0,
            attachments: 1
        }
    );
}

#[tokio::test]
async fn outbox_hall_unreachable_keeps_the_application_across_restart() {
    let dir = tempfile::tempdir().unwrap();
    // A port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let id = {
        let ob = Outbox::open(&dir.path().join("term"), "T01").unwrap();
        let e = ob
            .enqueue(&request(), &[("hukou".into(), 1, JPEG)])
            .unwrap();
        let err = ob
            .deliver(&client(&format!("http://127.0.0.1:{port}")), e.id)
            .await
            .unwrap_err();
        assert!(
            matches!(err, OutboxError::Hall(HallError::Unreachable(_))),
            "{err}"
        );
        e.id
    };
    // The terminal restarts; the hall comes back.
    let (url, _) = start_hall(&dir.path().join("hall.db"), 0).await;
    let ob = Outbox::open(&dir.path().join("term"), "T01").unwrap();
    assert_eq!(ob.undelivered().unwrap(), vec![id]);
    assert_eq!(ob.flush(&client(&url)).await.unwrap(), 0);
    assert_eq!(
        server::stats(&dir.path().join("hall.db"))
            .unwrap()
            .applications,
        1
    );
}

#[tokio::test]
async fn a_reply_lost_after_the_hall_accepted_is_not_a_second_application() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = start_hall(&dir.path().join("hall.db"), 0).await;
    let ob = Outbox::open(&dir.path().join("term"), "T01").unwrap();
    let e = ob.enqueue(&request(), &[]).unwrap();
    // The first attempt reached the hall but its answer never came back.
    let first = client(&url)
        .submit(&request(), &e.idempotency_key)
        .await
        .unwrap();
    assert!(!first.duplicate);
    let DeliverOutcome::Delivered { application_no } =
        ob.deliver(&client(&url), e.id).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(application_no, first.application_no);
    let s = server::stats(&dir.path().join("hall.db")).unwrap();
    assert_eq!(
        s,
        HallStats {
            applications: 1,
            duplicates: 1,
            attachments: 0
        }
    );
}

#[tokio::test]
async fn personal_data_is_not_readable_in_the_outbox_file() {
    let dir = tempfile::tempdir().unwrap();
    let ob = Outbox::open(&dir.path().join("term"), "T01").unwrap();
    ob.enqueue(&request(), &[("hukou".into(), 1, JPEG)])
        .unwrap();
    drop(ob);
    let mut raw = std::fs::read(dir.path().join("term/outbox.db")).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("term/outbox.db-wal")) {
        raw.extend(wal);
    }
    for needle in ["欧阳燕".as_bytes(), b"420113195803120021", b"13800138000"] {
        assert!(
            !raw.windows(needle.len()).any(|w| w == needle),
            "plaintext found in outbox"
        );
    }
}

#[tokio::test]
async fn refused_application_is_kept_for_staff_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = start_hall(&dir.path().join("hall.db"), 0).await;
    let ob = Outbox::open(&dir.path().join("term"), "T01").unwrap();
    let mut bad = request();
    bad.item_id.clear();
    let e = ob.enqueue(&bad, &[]).unwrap();
    let err = ob.deliver(&client(&url), e.id).await.unwrap_err();
    assert!(
        matches!(
            err,
            OutboxError::Hall(HallError::Rejected { status: 422, .. })
        ),
        "{err}"
    );
    assert_eq!(ob.state(e.id).unwrap().0, "rejected");
    assert!(ob.holds_personal_data(e.id).unwrap());
    assert_eq!(ob.count_undelivered().unwrap(), 0);
}

#[tokio::test]
async fn missing_idempotency_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = start_hall(&dir.path().join("hall.db"), 0).await;
    let r = reqwest::Client::new()
        .post(format!("{url}/api/v1/applications"))
        .json(&request())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn evaluations_and_heartbeats_are_answered() {
    // (Queue tickets: tests/queue_tickets.rs.)
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = start_hall(&dir.path().join("hall.db"), 0).await;
    let c = client(&url);
    c.evaluate("ZW1", 5).await.unwrap();
    assert!(matches!(
        c.evaluate("ZW1", 9).await,
        Err(HallError::Rejected { status: 422, .. })
    ));
    c.heartbeat(&Heartbeat {
        devices: BTreeMap::new(),
        outbox_pending: 0,
    })
    .await
    .unwrap();
    assert_eq!(c.catalog().await.unwrap(), serde_json::json!({"item": []}));
}
