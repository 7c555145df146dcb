//! The driver against the simulator over a real pseudo-terminal, for every fault
//! the simulator can inject. Same bytes, same serial code path as a real reader.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kiosk_device::DeviceStatus;
use kiosk_idcard::codec::Command;
use kiosk_idcard::sim::fixture_card;
use kiosk_idcard::sim::{self, Fault, Placement, SimConfig, SimHandle};
use kiosk_idcard::transport::Serial;
use kiosk_idcard::{DriverError, Ga467, IdCardReader, ReaderConfig, ReaderEvent, Timeouts};

fn fixture() -> kiosk_idcard::IdCard {
    sim::load_fixture(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/sim/idcard/ouyang-yan.json"
    )))
    .unwrap()
}

fn simulator(dir: &Path, baud: u32, card: bool) -> SimHandle {
    let mut cfg = SimConfig::new(dir.join("ttyIDCARD"), baud);
    cfg.card = card.then(fixture);
    sim::start(cfg).unwrap()
}

fn driver(sim: &SimHandle, baud: u32) -> Ga467 {
    let mut t = Timeouts::for_baud(baud);
    t.short = Duration::from_millis(300);
    t.read = Duration::from_millis(800);
    Ga467::new(Box::new(Serial::open(sim.path(), baud).unwrap()), t)
}

#[test]
fn reads_the_fixture_card_over_the_pty() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 115200, true);
    let mut d = driver(&sim, 115200);
    d.sam_status().unwrap();
    assert_eq!(d.sam_id().unwrap(), "05.01-20101010-0000012345-1234567890");
    let card = d
        .read_card(false, Some("20261122"))
        .unwrap()
        .expect("a card");
    assert_eq!(card.name, fixture_card().name);
    assert_eq!(card.id_number, fixture_card().id_number);
    assert_eq!(card.nation, "汉");
    assert_eq!(card.valid_to, "长期");
    assert_eq!(card.photo_wlt.len(), 1024, "the raw WLT photo is kept");
    assert_eq!(
        d.appended_address().unwrap(),
        None,
        "0x91: no appended address"
    );
    // With fingerprint (30 10).
    let card = d.read_card(true, None).unwrap().unwrap();
    assert_eq!(card.name, fixture_card().name);
    let cmds = sim.stats().commands;
    assert!(cmds.contains(&Command::ReadTextFingerprint));
}

#[test]
fn no_card_is_none_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 115200, false);
    let mut d = driver(&sim, 115200);
    assert_eq!(d.read_card(false, None).unwrap(), None);
    sim.place(fixture());
    assert!(d.read_card(false, None).unwrap().is_some());
    sim.remove();
    assert!(!d.find_card().unwrap());
}

#[test]
fn split_replies_are_reassembled() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 115200, true);
    let mut d = driver(&sim, 115200);
    for _ in 0..3 {
        sim.inject(Fault::Split);
    }
    let card = d.read_card(false, None).unwrap().unwrap();
    assert_eq!(card.name, fixture_card().name);
}

#[test]
fn leading_noise_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 115200, true);
    let mut d = driver(&sim, 115200);
    sim.inject(Fault::Noise);
    sim.inject(Fault::Noise);
    sim.inject(Fault::Noise);
    assert!(d.read_card(false, None).unwrap().is_some());
}

#[test]
fn a_stale_frame_merged_in_front_of_the_reply_is_not_taken_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 115200, true);
    let mut d = driver(&sim, 115200);
    assert!(d.find_card().unwrap());
    // Select's reply arrives behind a copy of find's; read's behind select's.
    sim.inject(Fault::Merged);
    sim.inject(Fault::Merged);
    d.select_card().unwrap();
    let card = d.read(false).unwrap();
    assert_eq!(card.name, fixture_card().name);
    assert_eq!(d.stale_frames, 2);
}

#[test]
fn a_bad_checksum_is_rejected_then_the_command_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 115200, true);
    let mut d = driver(&sim, 115200);
    assert!(d.find_card().unwrap());
    d.select_card().unwrap();
    sim.inject(Fault::BadChecksum);
    let card = d.read(false).unwrap();
    assert_eq!(card.name, fixture_card().name);
    let reads = sim
        .stats()
        .commands
        .iter()
        .filter(|c| **c == Command::ReadText)
        .count();
    assert_eq!(
        reads, 2,
        "the corrupt reply was refused and the read sent again"
    );
    // Twice in a row: a clear error, not a wrong card.
    sim.inject(Fault::BadChecksum);
    sim.inject(Fault::BadChecksum);
    match d.read(false) {
        Err(DriverError::Frame {
            cmd: Command::ReadText,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_reply_that_never_comes_fails_within_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 115200, true);
    let mut d = driver(&sim, 115200);
    sim.inject(Fault::Timeout);
    let t0 = Instant::now();
    assert_eq!(d.find_card(), Err(DriverError::Timeout(Command::FindCard)));
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_millis(900),
        "{took:?}"
    );
    // The link is still good afterwards.
    assert!(d.find_card().unwrap());
}

#[test]
fn unplugged_mid_read_is_a_link_error() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 115200, true);
    let mut d = driver(&sim, 115200);
    assert!(d.find_card().unwrap());
    sim.inject(Fault::Unplug(Duration::from_secs(30)));
    std::thread::sleep(Duration::from_millis(100));
    match d.select_card() {
        Err(e) => assert!(e.is_link() || matches!(e, DriverError::Timeout(_)), "{e:?}"),
        Ok(()) => panic!("a reader that is gone cannot select"),
    }
}

/// Events from a reader handle, with a deadline.
fn next_event(
    rx: &mpsc::Receiver<ReaderEvent>,
    what: &str,
    pred: impl Fn(&ReaderEvent) -> bool,
) -> ReaderEvent {
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(e) if pred(&e) => return e,
            Ok(_) => continue,
            Err(_) => panic!("no {what} within 10 s"),
        }
    }
}

fn reader(sim: &SimHandle) -> (IdCardReader, mpsc::Receiver<ReaderEvent>) {
    let (tx, rx) = mpsc::channel();
    let mut cfg = ReaderConfig::serial(sim.path());
    cfg.poll_interval = Duration::from_millis(50);
    cfg.check_expiry = true;
    let r = IdCardReader::serial(cfg, move |e| {
        let _ = tx.send(e);
    });
    (r, rx)
}

#[test]
fn the_handle_reports_each_placement_once_and_each_removal() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 115200, false);
    let (r, rx) = reader(&sim);
    r.start();
    next_event(&rx, "ready", |e| {
        matches!(e, ReaderEvent::Status(DeviceStatus::Ready))
    });
    sim.place(fixture());
    let e = next_event(&rx, "card", |e| matches!(e, ReaderEvent::CardPresented(_)));
    let ReaderEvent::CardPresented(card) = e else {
        unreachable!()
    };
    assert_eq!(card.name, fixture_card().name);
    // Left on the reader: no second event.
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        rx.try_iter()
            .all(|e| !matches!(e, ReaderEvent::CardPresented(_))),
        "one event per placement"
    );
    sim.remove();
    next_event(&rx, "removal", |e| matches!(e, ReaderEvent::CardRemoved));
    sim.place(fixture());
    next_event(&rx, "second placement", |e| {
        matches!(e, ReaderEvent::CardPresented(_))
    });
}

#[test]
fn an_expired_card_is_reported_as_expired() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 115200, false);
    let (r, rx) = reader(&sim);
    r.start();
    let mut old = fixture();
    old.valid_to = "20200101".into();
    sim.place(old);
    match next_event(&rx, "failure", |e| matches!(e, ReaderEvent::ReadFailed(_))) {
        ReaderEvent::ReadFailed(e) => {
            assert!(e.is_expired());
            assert!(e.is_expired(), "{e}");
        }
        _ => unreachable!(),
    }
}

#[test]
fn unplug_goes_offline_with_a_message_and_reconnects_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 115200, false);
    let (r, rx) = reader(&sim);
    r.start();
    next_event(&rx, "ready", |e| {
        matches!(e, ReaderEvent::Status(DeviceStatus::Ready))
    });
    sim.inject(Fault::Unplug(Duration::from_millis(1500)));
    match next_event(&rx, "offline", |e| {
        matches!(e, ReaderEvent::Status(DeviceStatus::Offline(_)))
    }) {
        ReaderEvent::Status(DeviceStatus::Offline(msg)) => {
            assert!(msg.contains("reader") || msg.contains("ttyIDCARD"), "{msg}")
        }
        _ => unreachable!(),
    }
    assert!(matches!(r.status(), DeviceStatus::Offline(_)));
    next_event(&rx, "ready again", |e| {
        matches!(e, ReaderEvent::Status(DeviceStatus::Ready))
    });
    sim.place(fixture());
    next_event(&rx, "a card after reconnecting", |e| {
        matches!(e, ReaderEvent::CardPresented(_))
    });
}

#[test]
fn slow_baud_rates_work_too() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulator(dir.path(), 9600, true);
    let mut d = Ga467::new(
        Box::new(Serial::open(sim.path(), 9600).unwrap()),
        Timeouts::for_baud(9600),
    );
    let t0 = Instant::now();
    assert!(d.read_card(false, None).unwrap().is_some());
    // 1359 bytes at 960 bytes/s: the pacing is real.
    assert!(
        t0.elapsed() >= Duration::from_millis(1350),
        "{:?}",
        t0.elapsed()
    );
}

#[test]
fn the_placement_of_a_citizen_follows_polling() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = SimConfig::new(dir.path().join("ttyIDCARD"), 115200);
    cfg.card = Some(fixture());
    cfg.placement = Placement::AfterPolling(Duration::from_millis(300));
    let sim = sim::start(cfg).unwrap();
    let mut d = driver(&sim, 115200);
    assert!(!d.find_card().unwrap(), "not yet");
    std::thread::sleep(Duration::from_millis(350));
    assert!(d.find_card().unwrap(), "placed while polling");
}
