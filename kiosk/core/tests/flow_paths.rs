//! Whole citizen paths through the session, as lists of events and the screens and
//! effects they must produce. Uses the terminal's real catalog file.

use std::sync::Arc;

use kiosk_core::session::SubmitState;
use kiosk_core::*;

fn catalog() -> Arc<Catalog> {
    let text = include_str!("../../../config/catalog.toml");
    let c: Catalog = toml::from_str(text).expect("the shipped catalog parses");
    assert!(c.problems().is_empty(), "{:?}", c.problems());
    Arc::new(c)
}

/// The test card as if read from a card of `kind`.
fn card_of(kind: CardKind) -> Applicant {
    let mut a = applicant();
    a.card = kind;
    a
}

/// The shipped test card (the one fixture every test reads).
fn applicant() -> Applicant {
    serde_json::from_str(include_str!("../../../assets/sim/idcard/ouyang-yan.json")).unwrap()
}

struct Run {
    s: Session,
    now: u64,
    fx: Vec<Effect>,
}

impl Run {
    fn new() -> Self {
        let cfg = SessionConfig {
            idle_timeout: 60_000,
            idle_warning: 10_000,
            default_mode: DisplayMode::Normal,
            ..SessionConfig::default()
        };
        Run {
            s: Session::new(catalog(), cfg, Millis(0)),
            now: 0,
            fx: vec![],
        }
    }
    fn ev(&mut self, e: Event) -> &Vec<Effect> {
        self.now += 1000;
        self.fx = self.s.handle(Millis(self.now), e);
        &self.fx
    }
    fn at(&mut self, ms: u64, e: Event) -> &Vec<Effect> {
        self.now = ms;
        self.fx = self.s.handle(Millis(ms), e);
        &self.fx
    }
    fn screen(&self) -> Screen {
        self.s.screen()
    }
    fn submits(&self) -> usize {
        self.fx
            .iter()
            .filter(|e| matches!(e, Effect::Submit(_)))
            .count()
    }
    /// Home → Guide → Identify → Form for the pension item.
    fn to_form(&mut self) {
        self.ev(Event::ChoseItem("pension-enroll".into()));
        assert_eq!(self.screen(), Screen::Guide);
        let fx = self.ev(Event::StartApplying).clone();
        assert_eq!(
            fx,
            vec![
                Effect::StartCardReader,
                Effect::ShowScreen(Screen::Identify)
            ]
        );
        let fx = self.ev(Event::CardRead(applicant())).clone();
        assert_eq!(
            fx,
            vec![Effect::StopCardReader, Effect::ShowScreen(Screen::Form)]
        );
    }
    fn to_review(&mut self) {
        self.to_form();
        self.ev(Event::FieldEdited {
            key: "phone".into(),
            value: "13800138000".into(),
        });
        self.ev(Event::FieldEdited {
            key: "grade".into(),
            value: "500".into(),
        });
        self.ev(Event::Next);
        assert_eq!(self.screen(), Screen::Materials);
        assert_eq!(
            self.s.selected_material(),
            1,
            "opens on 户口簿: the ID card is read already"
        );
        self.ev(Event::SelectMaterial(1));
        self.ev(Event::CapturePage);
        self.ev(Event::PageCaptured(Page::new(0, vec![0xff, 0xd8, 1, 2, 3])));
        self.ev(Event::Next);
        // Only pickup for this item: delivery is chosen already.
        assert_eq!(self.screen(), Screen::Delivery);
        assert_eq!(self.s.delivery(), Some(DeliveryMethod::Pickup));
        self.ev(Event::Next);
        assert_eq!(self.screen(), Screen::Review);
    }
}

#[test]
fn full_path_submits_once_prints_a_receipt_and_is_rated() {
    let mut r = Run::new();
    r.to_form();
    // 零填写: the card filled name, number and address.
    assert_eq!(r.s.field("name"), Some("欧阳燕"));
    assert_eq!(r.s.field("id_number"), Some("420113195803120021"));
    assert!(r.s.field("address").unwrap().starts_with("湖北省武汉市"));
    // Card fields cannot be overwritten by hand.
    r.ev(Event::FieldEdited {
        key: "name".into(),
        value: "别人".into(),
    });
    assert_eq!(r.s.field("name"), Some("欧阳燕"));

    r.ev(Event::FieldEdited {
        key: "phone".into(),
        value: "138-0013-8000".into(),
    });
    assert_eq!(r.s.field("phone"), Some("13800138000"));
    r.ev(Event::FieldEdited {
        key: "grade".into(),
        value: "500".into(),
    });
    r.ev(Event::Next);
    assert_eq!(r.screen(), Screen::Materials);
    // The ID card itself is satisfied by the read (零证明); the 户口簿 is not yet.
    assert!(r.s.material_satisfied(0));
    assert!(!r.s.material_satisfied(1));
    r.ev(Event::SelectMaterial(1));
    let fx = r.ev(Event::CapturePage).clone();
    assert_eq!(
        fx,
        vec![Effect::CapturePage {
            material_id: "hukou".into()
        }]
    );
    r.ev(Event::PageCaptured(Page::new(0, vec![0xff, 0xd8, 9])));
    assert_eq!(r.s.pages(1).len(), 1);
    r.ev(Event::Next);
    assert_eq!(r.screen(), Screen::Delivery);
    r.ev(Event::Next);
    assert_eq!(r.screen(), Screen::Review);

    let fx = r.ev(Event::Submit).clone();
    assert_eq!(r.submits(), 1);
    let Some(Effect::Submit(app)) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(app.item_id, "pension-enroll");
    assert_eq!(app.fields["grade"], "500");
    assert_eq!(app.materials[1].pages.len(), 1);
    assert_eq!(r.screen(), Screen::Submitting);
    // A second press while in flight does nothing.
    r.ev(Event::Submit);
    r.ev(Event::Next);
    assert_eq!(r.submits(), 0);

    let fx = r
        .ev(Event::SubmitAccepted {
            application_no: "HN20261122000001".into(),
            at: "2026-11-22 10:00".into(),
        })
        .clone();
    let Some(Effect::PrintReceipt(receipt)) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(receipt.reference, "HN20261122000001");
    assert_eq!(receipt.applicant_masked, "欧*燕");
    assert_eq!(receipt.id_masked, "4201**********0021");
    assert_eq!(
        states(&receipt.materials),
        vec![
            ("居民身份证", MaterialState::FromCard),
            ("户口簿", MaterialState::Pages(1))
        ]
    );
    assert_eq!(r.screen(), Screen::Receipt);
    // Pages left with the application; the session no longer holds them.
    assert!(r.s.pages(1).is_empty());

    r.ev(Event::Finish);
    assert_eq!(r.screen(), Screen::Evaluation);
    let fx = r.ev(Event::Rate(Rating::VerySatisfied)).clone();
    assert_eq!(
        fx,
        vec![
            Effect::SendEvaluation {
                reference: "HN20261122000001".into(),
                rating: Rating::VerySatisfied
            },
            Effect::WipeSession,
            Effect::ShowScreen(Screen::Home),
        ]
    );
    assert!(r.s.applicant().is_none());
}

#[test]
fn tolerated_material_may_be_skipped_and_is_named_on_the_receipt() {
    let mut r = Run::new();
    r.to_form();
    r.ev(Event::FieldEdited {
        key: "phone".into(),
        value: "13800138000".into(),
    });
    r.ev(Event::FieldEdited {
        key: "grade".into(),
        value: "200".into(),
    });
    r.ev(Event::Next);
    r.ev(Event::Next);
    assert_eq!(r.screen(), Screen::Materials, "the 户口簿 is still missing");
    assert_eq!(r.s.selected_material(), 1, "points at the missing material");
    r.ev(Event::ToggleSkip(1));
    assert!(r.s.skipped(1));
    r.ev(Event::Next);
    r.ev(Event::Next);
    r.ev(Event::Submit);
    let Some(Effect::Submit(app)) = r.fx.first().cloned() else {
        panic!()
    };
    assert!(app.materials[1].deferred);
    r.ev(Event::SubmitAccepted {
        application_no: "A1".into(),
        at: "t".into(),
    });
    let Some(Effect::PrintReceipt(receipt)) = r.fx.first() else {
        panic!()
    };
    assert_eq!(
        states(&receipt.materials),
        vec![
            ("居民身份证", MaterialState::FromCard),
            ("户口簿", MaterialState::Deferred { days: 5 })
        ]
    );
}

#[test]
fn required_material_cannot_be_skipped() {
    let mut r = Run::new();
    r.ev(Event::ChoseItem("senior-card".into()));
    r.ev(Event::StartApplying);
    r.ev(Event::CardRead(applicant()));
    r.ev(Event::FieldEdited {
        key: "phone".into(),
        value: "13800138000".into(),
    });
    r.ev(Event::Next);
    assert_eq!(r.screen(), Screen::Materials);
    r.ev(Event::ToggleSkip(1));
    assert!(!r.s.skipped(1), "a photo is not 容缺");
    r.ev(Event::Next);
    assert_eq!(r.screen(), Screen::Materials);
}

#[test]
fn form_reports_each_missing_or_wrong_field() {
    let mut r = Run::new();
    r.to_form();
    r.ev(Event::Next);
    assert_eq!(r.screen(), Screen::Form);
    assert_eq!(r.s.field_error("phone"), Some(FieldError::Missing));
    assert_eq!(r.s.field_error("grade"), Some(FieldError::Missing));
    r.ev(Event::FieldEdited {
        key: "phone".into(),
        value: "2380013800".into(),
    });
    r.ev(Event::FieldEdited {
        key: "grade".into(),
        value: "999".into(),
    });
    assert_eq!(
        r.s.field("grade"),
        Some(""),
        "only offered choices are taken"
    );
    r.ev(Event::Next);
    assert_eq!(r.s.field_error("phone"), Some(FieldError::BadPhone));
}

#[test]
fn mail_delivery_takes_the_card_address() {
    let mut r = Run::new();
    r.ev(Event::ChoseItem("senior-card".into()));
    r.ev(Event::StartApplying);
    r.ev(Event::CardRead(applicant()));
    r.ev(Event::FieldEdited {
        key: "phone".into(),
        value: "13900000000".into(),
    });
    r.ev(Event::Next);
    r.ev(Event::SelectMaterial(1));
    r.ev(Event::CapturePage);
    r.ev(Event::PageCaptured(Page::new(0, vec![1])));
    r.ev(Event::Next);
    assert_eq!(r.screen(), Screen::Delivery);
    assert!(!r.s.can_advance(), "two ways offered: the citizen chooses");
    r.ev(Event::ChoseDelivery(DeliveryMethod::Mail));
    r.ev(Event::Next);
    r.ev(Event::Submit);
    let Some(Effect::Submit(app)) = r.fx.first() else {
        panic!()
    };
    assert_eq!(app.delivery, DeliveryMethod::Mail);
    assert_eq!(
        app.mail_address.as_deref(),
        Some("湖北省武汉市汉南区纱帽街汉南大道100号")
    );
}

#[test]
fn back_walks_one_screen_at_a_time_and_rereads_the_card() {
    let mut r = Run::new();
    r.to_review();
    r.ev(Event::Back);
    assert_eq!(r.screen(), Screen::Delivery);
    r.ev(Event::Back);
    assert_eq!(r.screen(), Screen::Materials);
    assert_eq!(r.s.pages(1).len(), 1, "pages survive going back");
    r.ev(Event::Back);
    assert_eq!(r.screen(), Screen::Form);
    assert_eq!(r.s.field("phone"), Some("13800138000"));
    let fx = r.ev(Event::Back).clone();
    assert_eq!(
        fx,
        vec![
            Effect::StartCardReader,
            Effect::ShowScreen(Screen::Identify)
        ]
    );
    assert!(r.s.applicant().is_none());
    assert_eq!(r.s.field("name"), Some(""));
    let fx = r.ev(Event::Back).clone();
    assert_eq!(
        fx,
        vec![Effect::StopCardReader, Effect::ShowScreen(Screen::Guide)]
    );
    let fx = r.ev(Event::Back).clone();
    assert_eq!(
        fx,
        vec![Effect::WipeSession, Effect::ShowScreen(Screen::Home)]
    );
}

#[test]
fn cancel_from_any_screen_wipes_and_goes_home() {
    for steps in 1..=6 {
        let mut r = Run::new();
        r.to_review();
        let mut r2 = Run::new();
        // Walk `steps` screens in, then cancel.
        let path = [
            Screen::Guide,
            Screen::Identify,
            Screen::Form,
            Screen::Materials,
            Screen::Delivery,
            Screen::Review,
        ];
        r2.to_review();
        while r2.screen() != path[steps - 1] {
            r2.ev(Event::Back);
        }
        let on_identify = r2.screen() == Screen::Identify;
        let fx = r2.ev(Event::Cancel).clone();
        assert!(fx.contains(&Effect::WipeSession), "{steps}: {fx:?}");
        assert_eq!(fx.last(), Some(&Effect::ShowScreen(Screen::Home)));
        assert_eq!(fx.contains(&Effect::StopCardReader), on_identify);
        assert_eq!(r2.screen(), Screen::Home);
        assert!(r2.s.applicant().is_none() && r2.s.item().is_none());
        drop(r);
    }
}

#[test]
fn idle_timeout_warns_with_a_countdown_then_wipes() {
    let mut r = Run::new();
    r.to_review();
    let t0 = r.now;
    assert!(r.at(t0 + 49_000, Event::Tick).is_empty());
    assert_eq!(
        r.at(t0 + 50_000, Event::Tick),
        &vec![Effect::IdleWarning { seconds_left: 10 }]
    );
    assert_eq!(r.s.idle_warning(), Some(10));
    assert_eq!(
        r.at(t0 + 50_400, Event::Tick),
        &vec![],
        "same second, no new effect"
    );
    assert_eq!(
        r.at(t0 + 55_500, Event::Tick),
        &vec![Effect::IdleWarning { seconds_left: 5 }]
    );
    let fx = r.at(t0 + 60_000, Event::Tick).clone();
    assert_eq!(
        fx,
        vec![Effect::WipeSession, Effect::ShowScreen(Screen::Home)]
    );
    assert!(r.s.applicant().is_none());
    assert_eq!(r.s.idle_warning(), None);
}

/// 适老化 and WCAG 2.2.1: elderly mode has its own, longer idle timeout and
/// warning, and "继续办理" on the warning gives back at least 20 s each tap
/// (the whole timeout, in fact).
#[test]
fn elderly_mode_has_more_time_and_each_tap_on_the_warning_gives_at_least_20_s() {
    let cfg = SessionConfig {
        idle_timeout: 60_000,
        idle_warning: 10_000,
        elderly_idle_timeout: 120_000,
        elderly_idle_warning: 20_000,
        default_mode: DisplayMode::Normal,
        ..SessionConfig::default()
    };
    let mut r = Run::new();
    r.s = Session::new(catalog(), cfg, Millis(0));
    r.ev(Event::SetMode(DisplayMode::Elderly));
    r.to_form();
    let t0 = r.now;
    assert!(
        r.at(t0 + 60_000, Event::Tick).is_empty(),
        "no wipe at the normal timeout in elderly mode"
    );
    assert!(r.at(t0 + 99_000, Event::Tick).is_empty());
    assert_eq!(
        r.at(t0 + 100_000, Event::Tick),
        &vec![Effect::IdleWarning { seconds_left: 20 }]
    );
    // Three taps on "继续办理", each just before the end: never wiped, and
    // each leaves at least 20 s before the next warning even shows.
    let mut t = t0 + 100_000;
    for _ in 0..3 {
        t += 19_000;
        r.at(t, Event::Tick);
        assert!(r.s.idle_warning().is_some());
        assert_eq!(r.at(t, Event::Touch), &vec![Effect::IdleWarningCleared]);
        assert!(
            r.at(t + 20_000, Event::Tick).is_empty(),
            "20 s more, quietly"
        );
        assert!(r.s.idle_warning().is_none());
        t += 100_000;
        assert_eq!(
            r.at(t, Event::Tick),
            &vec![Effect::IdleWarning { seconds_left: 20 }]
        );
    }
    assert_eq!(r.screen(), Screen::Form);
    // Back to normal mode: the normal limits again.
    r.at(t + 1_000, Event::SetMode(DisplayMode::Normal));
    assert_eq!(
        r.at(t + 51_000, Event::Tick),
        &vec![Effect::IdleWarning { seconds_left: 10 }]
    );
}

#[test]
fn a_touch_during_the_countdown_keeps_the_session() {
    let mut r = Run::new();
    r.to_form();
    let t0 = r.now;
    r.at(t0 + 52_000, Event::Tick);
    assert!(r.s.idle_warning().is_some());
    assert_eq!(
        r.at(t0 + 53_000, Event::Touch),
        &vec![Effect::IdleWarningCleared]
    );
    assert!(
        r.at(t0 + 102_000, Event::Tick).is_empty(),
        "the touch restarted the idle clock"
    );
    assert_eq!(
        r.at(t0 + 103_000, Event::Tick),
        &vec![Effect::IdleWarning { seconds_left: 10 }],
        "a fresh warning 50 s after the touch, not a wipe"
    );
    assert_eq!(r.screen(), Screen::Form);
}

#[test]
fn idle_clock_stands_still_while_submitting() {
    let mut r = Run::new();
    r.to_review();
    r.ev(Event::Submit);
    let t0 = r.now;
    assert!(r.at(t0 + 500_000, Event::Tick).is_empty());
    assert_eq!(r.screen(), Screen::Submitting);
    r.at(
        t0 + 501_000,
        Event::SubmitAccepted {
            application_no: "N".into(),
            at: "t".into(),
        },
    );
    assert_eq!(r.screen(), Screen::Receipt);
    let fx = r.at(t0 + 561_000, Event::Tick).clone();
    assert_eq!(
        fx,
        vec![Effect::WipeSession, Effect::ShowScreen(Screen::Home)]
    );
}

#[test]
fn hall_down_queues_the_application_and_still_gives_a_receipt() {
    let mut r = Run::new();
    r.to_review();
    r.ev(Event::Submit);
    r.ev(Event::SubmitQueued {
        local_ref: "T01-000007".into(),
        at: "t".into(),
    });
    assert_eq!(r.screen(), Screen::Receipt);
    let Some(Effect::PrintReceipt(rc)) = r.fx.first() else {
        panic!()
    };
    assert!(rc.queued);
    assert_eq!(
        r.s.submit_state(),
        SubmitState::Done {
            reference: "T01-000007".into(),
            queued: true
        }
    );
}

#[test]
fn a_failed_store_can_be_retried_without_a_second_application() {
    let mut r = Run::new();
    r.to_review();
    r.ev(Event::Submit);
    assert_eq!(r.submits(), 1);
    r.ev(Event::SubmitFailed(SubmitTrouble::StorageFull));
    assert_eq!(
        r.s.submit_state(),
        SubmitState::Failed(SubmitTrouble::StorageFull)
    );
    r.ev(Event::Submit);
    assert_eq!(r.submits(), 1, "retry sends exactly one");
    r.ev(Event::Submit);
    assert_eq!(r.submits(), 0);
}

#[test]
fn elderly_mode_lasts_the_session_and_resets_on_wipe() {
    let mut r = Run::new();
    assert_eq!(
        r.ev(Event::SetMode(DisplayMode::Elderly)),
        &vec![Effect::ModeChanged(DisplayMode::Elderly)]
    );
    r.to_form();
    assert_eq!(r.s.mode(), DisplayMode::Elderly);
    let fx = r.ev(Event::Cancel).clone();
    assert!(fx.contains(&Effect::ModeChanged(DisplayMode::Normal)));
    // Chosen on Home and then left alone: back to default after the idle time.
    r.ev(Event::SetMode(DisplayMode::Contrast));
    let t = r.now;
    assert_eq!(
        r.at(t + 60_000, Event::Tick),
        &vec![Effect::ModeChanged(DisplayMode::Normal)]
    );
}

#[test]
fn card_error_is_shown_and_a_later_read_succeeds() {
    let mut r = Run::new();
    r.ev(Event::ChoseItem("pension-enroll".into()));
    r.ev(Event::StartApplying);
    r.ev(Event::CardFailed(CardTrouble::Unreadable));
    assert_eq!(r.screen(), Screen::Identify);
    assert_eq!(r.s.card_error(), Some(CardTrouble::Unreadable));
    r.ev(Event::CardRead(applicant()));
    assert_eq!(r.screen(), Screen::Form);
    assert_eq!(r.s.card_error(), None);
}

#[test]
fn events_for_other_screens_are_ignored() {
    let mut r = Run::new();
    assert!(r.ev(Event::CardRead(applicant())).is_empty());
    assert!(r.ev(Event::Submit).is_empty());
    assert!(r
        .ev(Event::SubmitAccepted {
            application_no: "X".into(),
            at: "t".into()
        })
        .is_empty());
    assert!(r.ev(Event::ChoseItem("no-such-item".into())).is_empty());
    assert_eq!(r.screen(), Screen::Home);
}

fn ticket(number: &str, priority: Option<Priority>) -> QueueTicket {
    QueueTicket {
        number: number.into(),
        category: Text::zh("社保医保".into()),
        people_ahead: 3,
        at: "2026-11-23 10:00".into(),
        priority,
        appointment: None,
        lang: Lang::ZhCn,
    }
}

/// (zh-CN name, state) of each material line.
fn states(lines: &[MaterialLine]) -> Vec<(&str, MaterialState)> {
    lines
        .iter()
        .map(|l| (l.name.zh_cn.as_str(), l.state))
        .collect()
}

#[test]
fn queue_ticket_path_takes_one_ticket_prints_it_and_goes_home() {
    let mut r = Run::new();
    r.ev(Event::OpenQueue);
    assert_eq!(r.s.screen(), Screen::Queue);
    assert_eq!(r.s.queue(), &QueuePhase::Choose);
    // A category the catalog does not list is ignored.
    assert!(r.ev(Event::TakeTicket("Z".into())).is_empty());
    assert_eq!(
        r.ev(Event::TakeTicket("A".into())),
        &vec![Effect::TakeTicket {
            category: "A".into(),
            priority: "normal".into()
        }]
    );
    assert_eq!(r.s.queue(), &QueuePhase::Taking);
    // Pressing again while the hall answers takes no second ticket.
    assert!(r.ev(Event::TakeTicket("A".into())).is_empty());
    let t = ticket("A023", None);
    assert_eq!(
        r.ev(Event::TicketIssued(t.clone())),
        &vec![Effect::PrintTicket(t.clone())]
    );
    assert_eq!(r.s.queue(), &QueuePhase::Issued(t));
    r.ev(Event::Finish);
    assert_eq!(r.s.screen(), Screen::Home);
    assert!(r.fx.contains(&Effect::WipeSession));
}

#[test]
fn queue_hall_down_is_said_plainly_and_another_try_is_possible() {
    let mut r = Run::new();
    r.ev(Event::OpenQueue);
    r.ev(Event::TakeTicket("B".into()));
    r.ev(Event::TicketFailed(TicketTrouble::HallDown));
    assert_eq!(r.s.queue(), &QueuePhase::Failed(TicketTrouble::HallDown));
    assert!(matches!(
        r.ev(Event::TakeTicket("B".into())).as_slice(),
        [Effect::TakeTicket { .. }]
    ));
}

#[test]
fn appointment_check_in_reads_the_card_then_asks_the_hall_and_wipes_after() {
    let mut r = Run::new();
    r.ev(Event::OpenQueue);
    assert_eq!(r.ev(Event::StartCheckIn), &vec![Effect::StartCardReader]);
    assert_eq!(r.s.queue(), &QueuePhase::WaitingForCard);
    let fx = r.ev(Event::CardRead(applicant())).clone();
    assert_eq!(
        fx,
        vec![Effect::StopCardReader, Effect::CheckIn(applicant())]
    );
    assert_eq!(r.s.screen(), Screen::Queue, "still on the queue screen");
    assert_eq!(r.s.queue(), &QueuePhase::CheckingIn);
    let t = QueueTicket {
        appointment: Some(Appointment {
            item: Text::zh("居民身份证换领".into()),
            slot: "10:00-10:30".into(),
        }),
        ..ticket("B002", Some(Priority::Appointment))
    };
    r.ev(Event::TicketIssued(t.clone()));
    assert_eq!(r.fx, vec![Effect::PrintTicket(t)]);
    // Idle: the session that read a card is wiped.
    r.at(r.now + 61_000, Event::Tick);
    assert_eq!(r.s.screen(), Screen::Home);
    assert!(r.fx.contains(&Effect::WipeSession));
}

#[test]
fn leaving_check_in_stops_the_reader() {
    let mut r = Run::new();
    r.ev(Event::OpenQueue);
    r.ev(Event::StartCheckIn);
    assert_eq!(r.ev(Event::Back), &vec![Effect::StopCardReader]);
    assert_eq!(r.s.queue(), &QueuePhase::Choose);
    r.ev(Event::StartCheckIn);
    let fx = r.ev(Event::Cancel).clone();
    assert!(fx.contains(&Effect::StopCardReader) && fx.contains(&Effect::WipeSession));
    assert_eq!(r.s.screen(), Screen::Home);
}

#[test]
fn the_one_time_notice_lists_every_missing_material_once_and_only_on_the_materials_screen() {
    let mut r = Run::new();
    r.to_form();
    assert!(!r.s.can_print_notice());
    assert!(r.ev(Event::PrintNotice).is_empty(), "not from the form");
    r.ev(Event::FieldEdited {
        key: "phone".into(),
        value: "13800138000".into(),
    });
    r.ev(Event::FieldEdited {
        key: "grade".into(),
        value: "200".into(),
    });
    r.ev(Event::Next);
    assert_eq!(r.screen(), Screen::Materials);
    assert!(r.s.can_print_notice(), "the 户口簿 is missing");
    let fx = r.ev(Event::PrintNotice).clone();
    let [Effect::PrintNotice(n)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(n.item_name.zh_cn, "城乡居民基本养老保险参保登记");
    assert_eq!(
        n.item_name.get(Lang::En),
        "Enrolment in the residents' basic pension insurance"
    );
    assert_eq!(n.applicant_masked, "欧*燕");
    assert_eq!(n.id_masked, "4201**********0021");
    // The ID card is read (零证明): only the 户口簿 is listed, with the guide's note.
    assert_eq!(states(&n.missing), vec![("户口簿", MaterialState::Missing)]);
    assert_eq!(n.missing[0].note.zh_cn, "户主页及本人页");
    assert_eq!(r.screen(), Screen::Materials, "printing does not move on");

    // Deferred (容缺) it is still owed, with its deadline.
    r.ev(Event::ToggleSkip(1));
    let fx = r.ev(Event::PrintNotice).clone();
    let [Effect::PrintNotice(n)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(
        states(&n.missing),
        vec![("户口簿", MaterialState::Deferred { days: 5 })]
    );

    // Photographed: nothing is missing, nothing to print.
    r.ev(Event::ToggleSkip(1));
    r.ev(Event::CapturePage);
    r.ev(Event::PageCaptured(Page::new(0, vec![0xff, 0xd8, 1])));
    assert!(!r.s.can_print_notice());
    assert!(r.ev(Event::PrintNotice).is_empty());
}

#[test]
fn the_a4_copy_of_the_form_is_offered_once_after_acceptance_with_personal_data_masked() {
    let mut r = Run::new();
    r.to_review();
    assert!(r.ev(Event::PrintForm).is_empty(), "nothing accepted yet");
    r.ev(Event::Submit);
    r.ev(Event::SubmitAccepted {
        application_no: "ZW20261123000001".into(),
        at: "2026-11-23 09:30:00".into(),
    });
    assert_eq!(r.screen(), Screen::Receipt);
    assert!(r.s.can_print_form());
    let fx = r.ev(Event::PrintForm).clone();
    let [Effect::PrintForm(f)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(f.reference, "ZW20261123000001");
    assert_eq!(f.at, "2026-11-23 09:30:00");
    assert!(!f.queued);
    let get = |k: &str| {
        f.fields
            .iter()
            .find(|(a, _)| a.zh_cn.contains(k))
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| panic!("no {k} in {:?}", f.fields))
    };
    assert_eq!(get("姓名"), "欧*燕");
    assert_eq!(get("身份号码"), "4201**********0021");
    assert_eq!(get("户籍地址"), "湖北省武汉市****");
    assert_eq!(get("电话"), "138****8000");
    assert_eq!(get("档次"), "500");
    let text = format!("{f:?}");
    assert!(!text.contains("420113195803120021"), "{text}");
    assert!(!text.contains("13800138000"), "{text}");
    assert!(!text.contains("汉南大道100号"), "{text}");
    assert_eq!(
        states(&f.materials),
        vec![
            ("居民身份证", MaterialState::FromCard),
            ("户口簿", MaterialState::Pages(1))
        ]
    );
    assert!(!r.s.can_print_form(), "once per application");
    assert!(r.ev(Event::PrintForm).is_empty());
}

impl Run {
    /// Up to the materials screen of the pension item, 户口簿 selected.
    fn to_materials(&mut self) {
        self.to_form();
        self.ev(Event::FieldEdited {
            key: "phone".into(),
            value: "13800138000".into(),
        });
        self.ev(Event::FieldEdited {
            key: "grade".into(),
            value: "200".into(),
        });
        self.ev(Event::Next);
        assert_eq!(self.screen(), Screen::Materials);
        assert_eq!(self.s.selected_material(), 1);
    }
}

fn jpeg(tag: u8) -> Page {
    Page::new(0, vec![0xff, 0xd8, tag])
}

#[test]
fn no_page_found_lets_the_citizen_drag_the_corners_and_the_warped_page_is_kept() {
    let mut r = Run::new();
    r.to_materials();
    assert!(
        r.s.wants_preview(),
        "the live preview shows for a material to photograph"
    );
    r.ev(Event::CapturePage);
    r.ev(Event::PageNeedsCorners {
        frame: jpeg(9),
        width: 1000,
        height: 800,
    });
    assert!(!r.s.capturing());
    assert!(!r.s.wants_preview(), "the still frame replaces the preview");
    let a = r.s.adjusting().expect("corners to drag").clone();
    assert_eq!(
        a.corners,
        [[100.0, 80.0], [900.0, 80.0], [900.0, 720.0], [100.0, 720.0]]
    );
    assert_eq!(r.s.capture_error(), None);
    assert!(r.s.no_page_found(), "the screen says no page was found");
    // While corners are dragged nothing else about the materials moves.
    for e in [Event::Next, Event::SelectMaterial(0), Event::CapturePage] {
        assert!(r.ev(e).is_empty());
    }
    assert_eq!(r.s.selected_material(), 1);
    assert!(!r.s.can_advance());
    // Dragged off the frame: held at its edge.
    r.ev(Event::MoveCorner {
        corner: 0,
        x: -50.0,
        y: 30.0,
    });
    r.ev(Event::MoveCorner {
        corner: 2,
        x: 950.0,
        y: 9000.0,
    });
    r.ev(Event::MoveCorner {
        corner: 7,
        x: 1.0,
        y: 1.0,
    });
    r.ev(Event::MoveCorner {
        corner: 1,
        x: f32::NAN,
        y: 1.0,
    });
    let corners = r.s.adjusting().unwrap().corners;
    assert_eq!(
        corners,
        [[0.0, 30.0], [900.0, 80.0], [950.0, 800.0], [100.0, 720.0]]
    );
    let fx = r.ev(Event::ConfirmCorners).clone();
    let [Effect::WarpPage {
        material_id,
        frame,
        corners: sent,
    }] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(
        (material_id.as_str(), frame.jpeg(), *sent),
        ("hukou", jpeg(9).jpeg(), corners)
    );
    assert!(r.ev(Event::ConfirmCorners).is_empty(), "one warp at a time");
    // The corners did not make a page: said, and the corners stay to fix.
    r.ev(Event::CaptureFailed(CaptureTrouble::BadCorners));
    assert!(r.s.adjusting().is_some());
    r.ev(Event::ConfirmCorners);
    r.ev(Event::PageCaptured(jpeg(10)));
    assert!(r.s.adjusting().is_none());
    assert_eq!(r.s.pages(1).len(), 1);
    assert_eq!(r.s.pages(1)[0].jpeg(), &[0xff, 0xd8, 10]);
    assert!(r.s.can_advance());
}

#[test]
fn corners_can_be_given_up_and_back_leaves_them_before_the_screen() {
    let mut r = Run::new();
    r.to_materials();
    r.ev(Event::CapturePage);
    r.ev(Event::PageNeedsCorners {
        frame: jpeg(1),
        width: 640,
        height: 480,
    });
    r.ev(Event::CancelCorners);
    assert!(r.s.adjusting().is_none() && r.s.capture_error().is_none());
    assert!(r.s.pages(1).is_empty(), "nothing kept");
    r.ev(Event::CapturePage);
    r.ev(Event::PageNeedsCorners {
        frame: jpeg(2),
        width: 640,
        height: 480,
    });
    r.ev(Event::Back);
    assert_eq!(r.screen(), Screen::Materials, "Back first drops the frame");
    assert!(r.s.adjusting().is_none());
    r.ev(Event::Back);
    assert_eq!(r.screen(), Screen::Form);
}

#[test]
fn retake_replaces_that_page_in_place() {
    let mut r = Run::new();
    r.to_materials();
    for tag in [1, 2, 3] {
        r.ev(Event::CapturePage);
        r.ev(Event::PageCaptured(jpeg(tag)));
    }
    let fx = r.ev(Event::RetakePage(1)).clone();
    assert_eq!(
        fx,
        vec![Effect::CapturePage {
            material_id: "hukou".into()
        }]
    );
    assert_eq!(r.s.retaking(), Some(1));
    r.ev(Event::PageCaptured(jpeg(20)));
    let tags: Vec<u8> = r.s.pages(1).iter().map(|p| p.jpeg()[2]).collect();
    assert_eq!(tags, vec![1, 20, 3]);
    assert_eq!(r.s.retaking(), None);
    // A retake with no page found goes through the corners and still replaces.
    r.ev(Event::RetakePage(0));
    r.ev(Event::PageNeedsCorners {
        frame: jpeg(4),
        width: 640,
        height: 480,
    });
    r.ev(Event::ConfirmCorners);
    r.ev(Event::PageCaptured(jpeg(30)));
    let tags: Vec<u8> = r.s.pages(1).iter().map(|p| p.jpeg()[2]).collect();
    assert_eq!(tags, vec![30, 20, 3]);
    // A page that is not there cannot be retaken; a failed capture forgets the retake.
    assert!(r.ev(Event::RetakePage(5)).is_empty());
    r.ev(Event::RetakePage(2));
    r.ev(Event::CaptureFailed(CaptureTrouble::Camera(
        CameraTrouble::NotFound,
    )));
    assert_eq!(r.s.retaking(), None);
    r.ev(Event::CapturePage);
    r.ev(Event::PageCaptured(jpeg(40)));
    assert_eq!(r.s.pages(1).len(), 4, "a plain capture adds a page");
    // Deleting works page by page.
    r.ev(Event::DeletePage {
        material: 1,
        page: 0,
    });
    let tags: Vec<u8> = r.s.pages(1).iter().map(|p| p.jpeg()[2]).collect();
    assert_eq!(tags, vec![20, 3, 40]);
}

fn to_receipt(r: &mut Run) {
    r.to_review();
    r.ev(Event::Submit);
    r.ev(Event::SubmitAccepted {
        application_no: "HN20261122000001".into(),
        at: "2026-11-22 10:00".into(),
    });
    assert_eq!(r.screen(), Screen::Receipt);
}

#[test]
fn paper_out_on_the_receipt_keeps_the_session_and_says_so_on_screen() {
    let mut r = Run::new();
    to_receipt(&mut r);
    assert_eq!(r.s.print_state(), Some(PrintState::Printing(Slip::Receipt)));
    let fx = r
        .ev(Event::PrintFailed {
            slip: Slip::Receipt,
            trouble: PrintTrouble::PaperOut,
            kept: true,
        })
        .clone();
    assert!(fx.is_empty(), "nothing else happens: {fx:?}");
    // The citizen is still on the receipt with the number, not thrown out.
    assert_eq!(r.screen(), Screen::Receipt);
    assert_eq!(r.s.receipt().unwrap().reference, "HN20261122000001");
    assert_eq!(
        r.s.print_state(),
        Some(PrintState::Failed {
            slip: Slip::Receipt,
            trouble: PrintTrouble::PaperOut,
            kept: true
        })
    );
    // The A4 copy can still be asked for, and its own result is what shows.
    r.ev(Event::PrintForm);
    assert_eq!(r.s.print_state(), Some(PrintState::Printing(Slip::Form)));
    r.ev(Event::Printed(Slip::Form));
    assert_eq!(r.s.print_state(), Some(PrintState::Printed(Slip::Form)));
}

#[test]
fn a_late_print_result_after_the_session_ended_says_nothing_to_the_next_citizen() {
    let mut r = Run::new();
    to_receipt(&mut r);
    r.ev(Event::Cancel);
    assert_eq!(r.s.print_state(), None);
    r.ev(Event::PrintFailed {
        slip: Slip::Receipt,
        trouble: PrintTrouble::CoverOpen,
        kept: true,
    });
    r.ev(Event::Printed(Slip::Receipt));
    assert_eq!(r.s.print_state(), None);
}

#[test]
fn device_news_does_not_count_as_a_touch() {
    let mut r = Run::new();
    r.ev(Event::ChoseItem("pension-enroll".into()));
    // 55 s of silence, then the camera comes and goes: the warning still comes
    // at 50 s and the wipe at 60 s, as if nothing had happened.
    let last = r.now;
    r.at(last + 45_000, Event::CameraState(Some(CameraTrouble::Lost)));
    r.at(last + 51_000, Event::Tick);
    assert!(r.s.idle_warning().is_some());
    r.at(last + 52_000, Event::CameraState(None));
    assert!(
        r.s.idle_warning().is_some(),
        "device news keeps the warning up"
    );
    r.at(last + 60_000, Event::Tick);
    assert_eq!(r.screen(), Screen::Home);
}

#[test]
fn camera_trouble_is_known_to_the_session_until_the_camera_is_back() {
    let mut r = Run::new();
    r.to_form();
    r.ev(Event::FieldEdited {
        key: "phone".into(),
        value: "13800138000".into(),
    });
    r.ev(Event::FieldEdited {
        key: "grade".into(),
        value: "500".into(),
    });
    r.ev(Event::Next);
    assert_eq!(r.screen(), Screen::Materials);
    r.ev(Event::CameraState(Some(CameraTrouble::Lost)));
    assert_eq!(r.s.camera_trouble(), Some(CameraTrouble::Lost));
    // The session and its screen stay; a press is still allowed (the camera may be back).
    assert_eq!(r.screen(), Screen::Materials);
    assert!(matches!(
        r.ev(Event::CapturePage).first(),
        Some(Effect::CapturePage { .. })
    ));
    r.ev(Event::CaptureFailed(CaptureTrouble::Camera(
        CameraTrouble::Lost,
    )));
    r.ev(Event::CameraState(None));
    assert_eq!(r.s.camera_trouble(), None);
    // A device's state outlives the citizen's session.
    r.ev(Event::CameraState(Some(CameraTrouble::NotFound)));
    r.ev(Event::Cancel);
    assert_eq!(r.s.camera_trouble(), Some(CameraTrouble::NotFound));
}

#[test]
fn a_failed_ticket_print_leaves_the_number_on_screen() {
    let mut r = Run::new();
    r.ev(Event::OpenQueue);
    let cat = r.s.catalog().queue[0].id.clone();
    r.ev(Event::TakeTicket(cat));
    r.ev(Event::TicketIssued(ticket("A001", None)));
    assert_eq!(r.s.print_state(), Some(PrintState::Printing(Slip::Ticket)));
    r.ev(Event::PrintFailed {
        slip: Slip::Ticket,
        trouble: PrintTrouble::PaperOut,
        kept: false,
    });
    assert_eq!(r.screen(), Screen::Queue);
    assert!(matches!(r.s.queue(), QueuePhase::Issued(t) if t.number == "A001"));
}

#[test]
fn the_language_switches_at_once_and_goes_back_to_the_default_when_the_session_ends() {
    let mut r = Run::new();
    assert_eq!(r.s.lang(), Lang::ZhCn);
    r.ev(Event::ChoseItem("pension-enroll".into()));
    assert_eq!(
        r.ev(Event::SetLanguage(Lang::En)),
        &vec![Effect::LanguageChanged(Lang::En)]
    );
    assert_eq!(r.s.lang(), Lang::En);
    assert!(
        r.ev(Event::SetLanguage(Lang::En)).is_empty(),
        "no change, no effect"
    );
    // The session goes on in English; the receipt is printed in it.
    r.ev(Event::StartApplying);
    r.ev(Event::CardRead(applicant()));
    r.ev(Event::FieldEdited {
        key: "phone".into(),
        value: "13800138000".into(),
    });
    r.ev(Event::FieldEdited {
        key: "grade".into(),
        value: "500".into(),
    });
    r.ev(Event::Next);
    r.ev(Event::SelectMaterial(1));
    r.ev(Event::CapturePage);
    r.ev(Event::PageCaptured(Page::new(0, vec![0xff, 0xd8, 1])));
    r.ev(Event::Next);
    r.ev(Event::Next);
    r.ev(Event::Submit);
    let fx = r
        .ev(Event::SubmitAccepted {
            application_no: "ZW1".into(),
            at: "2026-11-23 09:30:00".into(),
        })
        .clone();
    let Some(Effect::PrintReceipt(receipt)) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(receipt.lang, Lang::En);
    assert_eq!(
        receipt.item_name.get(receipt.lang),
        "Enrolment in the residents' basic pension insurance"
    );
    r.ev(Event::Cancel);
    assert!(
        r.fx.contains(&Effect::LanguageChanged(Lang::ZhCn)),
        "{:?}",
        r.fx
    );
    assert_eq!(r.s.lang(), Lang::ZhCn);
}

#[test]
fn a_language_the_terminal_does_not_offer_is_refused() {
    let cfg = SessionConfig {
        languages: vec![Lang::ZhCn, Lang::En],
        ..SessionConfig::default()
    };
    let mut s = Session::new(catalog(), cfg, Millis(0));
    assert!(s
        .handle(Millis(1), Event::SetLanguage(Lang::ZhTw))
        .is_empty());
    assert_eq!(s.lang(), Lang::ZhCn);
}

#[test]
fn a_permit_holder_is_offered_traditional_chinese_and_a_foreign_resident_english_never_forced() {
    for (card, offered) in [
        (CardKind::HkMacaoTaiwanPermit, Lang::ZhTw),
        (CardKind::ForeignPermanentResident, Lang::En),
    ] {
        let mut r = Run::new();
        r.ev(Event::ChoseItem("pension-enroll".into()));
        r.ev(Event::StartApplying);
        let fx = r.ev(Event::CardRead(card_of(card))).clone();
        assert!(
            !fx.iter().any(|e| matches!(e, Effect::LanguageChanged(_))),
            "not forced: {fx:?}"
        );
        assert_eq!(r.s.lang(), Lang::ZhCn);
        assert_eq!(r.s.language_offer(), Some(offered));
        // One tap accepts it.
        assert_eq!(
            r.ev(Event::SetLanguage(offered)),
            &vec![Effect::LanguageChanged(offered)]
        );
        assert_eq!(r.s.language_offer(), None);
    }
    // A resident card offers nothing; a dismissed offer is gone.
    let mut r = Run::new();
    r.ev(Event::ChoseItem("pension-enroll".into()));
    r.ev(Event::StartApplying);
    r.ev(Event::CardRead(applicant()));
    assert_eq!(r.s.language_offer(), None);
    let mut r = Run::new();
    r.ev(Event::ChoseItem("pension-enroll".into()));
    r.ev(Event::StartApplying);
    r.ev(Event::CardRead(card_of(CardKind::HkMacaoTaiwanPermit)));
    r.ev(Event::DismissOffer);
    assert_eq!(r.s.language_offer(), None);
    assert_eq!(r.s.lang(), Lang::ZhCn);
}

#[test]
fn a_material_named_with_full_width_brackets_keeps_its_whole_name_on_the_a4_copy() {
    let text = include_str!("../../../config/catalog.toml").replacen(
        "name.zh-CN = \"户口簿\"",
        "name.zh-CN = \"户口簿（户主页）\"",
        1,
    );
    let c: Catalog = toml::from_str(&text).unwrap();
    let mut r = Run::new();
    r.s = Session::new(Arc::new(c), SessionConfig::default(), Millis(0));
    r.to_review();
    r.ev(Event::Submit);
    r.ev(Event::SubmitAccepted {
        application_no: "ZW2".into(),
        at: "2026-11-23 09:30:00".into(),
    });
    let fx = r.ev(Event::PrintForm).clone();
    let [Effect::PrintForm(f)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(
        states(&f.materials),
        vec![
            ("居民身份证", MaterialState::FromCard),
            ("户口簿（户主页）", MaterialState::Pages(1))
        ]
    );
}

/// 适老化: a card holder of 60 or more (on the day the card is read) is
/// offered 长辈模式, one tap to accept, never switched by itself.
#[test]
fn a_card_holder_of_60_is_offered_elderly_mode_one_tap_never_forced() {
    // The fixture was born on 12 March 1958.
    let read = |on: &str| {
        let mut a = applicant();
        a.read_on = on.into();
        a
    };
    for (on, offered) in [
        ("20180311", false), // 59, the day before the birthday
        ("20180312", true),  // 60 on the day
        ("20261201", true),
        ("", false), // no date of reading: no age, no offer
    ] {
        let mut r = Run::new();
        r.ev(Event::ChoseItem("pension-enroll".into()));
        r.ev(Event::StartApplying);
        r.ev(Event::CardRead(read(on)));
        assert_eq!(r.screen(), Screen::Form);
        assert_eq!(r.s.elderly_offer(), offered, "read on {on:?}");
        assert_eq!(r.s.mode(), DisplayMode::Normal, "never switched by itself");
    }

    // Accepting is the mode switch; the offer goes with it.
    let mut r = Run::new();
    r.ev(Event::ChoseItem("pension-enroll".into()));
    r.ev(Event::StartApplying);
    r.ev(Event::CardRead(read("20261201")));
    assert_eq!(
        r.ev(Event::SetMode(DisplayMode::Elderly)),
        &vec![Effect::ModeChanged(DisplayMode::Elderly)]
    );
    assert!(!r.s.elderly_offer());

    // Dismissed, it stays dismissed; a new session starts without it.
    let mut r = Run::new();
    r.ev(Event::ChoseItem("pension-enroll".into()));
    r.ev(Event::StartApplying);
    r.ev(Event::CardRead(read("20261201")));
    assert!(r.ev(Event::DismissElderlyOffer).is_empty());
    assert!(!r.s.elderly_offer());
    assert_eq!(r.s.mode(), DisplayMode::Normal);
    r.ev(Event::Cancel);
    assert!(!r.s.elderly_offer());

    // Already large (elderly or high contrast): nothing to offer; and a
    // terminal configured never to offer does not.
    for (mode, age) in [
        (DisplayMode::Elderly, Some(60)),
        (DisplayMode::Contrast, Some(60)),
        (DisplayMode::Normal, None),
    ] {
        let mut r = Run::new();
        r.s = Session::new(
            catalog(),
            SessionConfig {
                elderly_offer_age: age,
                ..SessionConfig::default()
            },
            Millis(0),
        );
        r.ev(Event::SetMode(mode));
        r.ev(Event::ChoseItem("pension-enroll".into()));
        r.ev(Event::StartApplying);
        r.ev(Event::CardRead(read("20261201")));
        assert!(!r.s.elderly_offer(), "{mode:?}, from {age:?}");
    }

    // A check-in at the queue reads the card too.
    let mut r = Run::new();
    r.ev(Event::OpenQueue);
    r.ev(Event::StartCheckIn);
    r.ev(Event::CardRead(read("20261201")));
    assert!(r.s.elderly_offer());
}
