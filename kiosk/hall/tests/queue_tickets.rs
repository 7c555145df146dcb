//! The hall's queue: tickets per catalog category with people ahead counted by
//! priority, appointment check-in by ID card, and refusals that say why.

use kiosk_hall::{AppointmentRequest, HallClient, HallError, TicketRequest};

async fn hall() -> (HallClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let catalog = serde_json::json!({
        "item": [],
        "queue": [{"id": "A", "name": "社保医保"}, {"id": "B", "name": "户籍证照"}],
    });
    let app = kiosk_hall::server::router(&dir.path().join("hall.db"), catalog).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = HallClient::new(
        &format!("http://{addr}"),
        "T01",
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    (client, dir)
}

fn req(category: &str, priority: &str) -> TicketRequest {
    TicketRequest {
        category: category.into(),
        priority: priority.into(),
    }
}

#[tokio::test]
async fn tickets_are_numbered_per_category_and_priority_goes_ahead_of_normal() {
    let (c, _d) = hall().await;
    let a1 = c.ticket(&req("A", "normal")).await.unwrap();
    assert_eq!(
        (a1.number.as_str(), a1.category.as_str(), a1.people_ahead),
        ("A001", "社保医保", 0)
    );
    let a2 = c.ticket(&req("A", "normal")).await.unwrap();
    assert_eq!((a2.number.as_str(), a2.people_ahead), ("A002", 1));
    let b1 = c.ticket(&req("B", "normal")).await.unwrap();
    assert_eq!((b1.number.as_str(), b1.people_ahead), ("B001", 0));
    // An elderly citizen's ticket is called before the two normal ones.
    let v = c.ticket(&req("A", "elderly")).await.unwrap();
    assert_eq!(
        (v.number.as_str(), v.people_ahead, v.priority.as_str()),
        ("A003", 0, "elderly")
    );
    // A normal ticket after it waits for all three.
    let a4 = c.ticket(&req("A", "normal")).await.unwrap();
    assert_eq!(a4.people_ahead, 3);
}

#[tokio::test]
async fn an_unknown_category_or_priority_is_refused() {
    let (c, _d) = hall().await;
    match c.ticket(&req("Z", "normal")).await {
        Err(HallError::Rejected {
            status: 422,
            message,
        }) => {
            assert!(message.contains("unknown queue category Z"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        c.ticket(&req("A", "vip")).await,
        Err(HallError::Rejected { status: 422, .. })
    ));
}

#[tokio::test]
async fn check_in_gives_todays_appointment_a_priority_ticket_once() {
    let (c, _d) = hall().await;
    let id = "420113195803120021";
    assert_eq!(c.check_in(id).await.unwrap(), None, "no appointment yet");
    c.ticket(&req("B", "normal")).await.unwrap();
    c.appoint(&AppointmentRequest {
        id_number: id.into(),
        category: "B".into(),
        item_name: "居民身份证换领".into(),
        item_id: Some("id-card-renewal".into()),
        slot: "10:00-10:30".into(),
        day: None,
    })
    .await
    .unwrap();
    // Someone else's appointment tomorrow does not count today.
    c.appoint(&AppointmentRequest {
        id_number: "110101199001011234".into(),
        category: "B".into(),
        item_name: "户口迁移".into(),
        item_id: None,
        slot: "09:00-09:30".into(),
        day: Some("2099-01-01".into()),
    })
    .await
    .unwrap();
    let got = c.check_in(id).await.unwrap().expect("the appointment");
    assert_eq!(got.item_id.as_deref(), Some("id-card-renewal"));
    assert_eq!(got.ticket.category_id.as_deref(), Some("B"));
    assert_eq!(
        (got.item_name.as_str(), got.slot.as_str()),
        ("居民身份证换领", "10:00-10:30")
    );
    assert_eq!(got.ticket.priority, "appointment");
    assert_eq!(got.ticket.number, "B002");
    assert_eq!(got.ticket.people_ahead, 0, "ahead of the normal ticket");
    // Checked in once: a second swipe finds nothing more.
    assert_eq!(c.check_in(id).await.unwrap(), None);
    assert_eq!(c.check_in("110101199001011234").await.unwrap(), None);
}

#[test]
fn check_in_requests_do_not_show_the_id_number_in_debug() {
    let r = kiosk_hall::CheckInRequest {
        id_number: "420113195803120021".into(),
    };
    assert!(!format!("{r:?}").contains("4201"));
}
