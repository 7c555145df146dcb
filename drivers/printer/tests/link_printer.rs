//! Printing to the simulated printer over TCP and over a serial pty: status
//! between chunks, paper out mid-job keeps the job for reprinting, cover open
//! waits and then says so; a device file takes the job without status.

use std::time::Duration;

use kiosk_printer::escpos::Job;
use kiosk_printer::link::{Link, LinkError, LinkPrinter};
use kiosk_printer::sim::SimPrinter;
use kiosk_printer::status::State;

fn receipt(n: usize) -> Vec<u8> {
    let mut j = Job::new().raw_text_line("受理回执");
    for i in 0..n {
        j = j.raw_text_line(&format!("第 {i} 行：城乡居民基本养老保险参保登记"));
    }
    j.feed(3).cut().bytes()
}

fn printer(sim: &SimPrinter, dir: &std::path::Path) -> LinkPrinter {
    let mut p = LinkPrinter::new(Link::Tcp(sim.addr()), dir.join("queue"));
    p.ready_timeout = Duration::from_millis(600);
    p
}

#[test]
fn a_job_prints_whole_and_leaves_nothing_queued() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimPrinter::start().unwrap();
    let p = printer(&sim, dir.path());
    assert_eq!(p.status().unwrap().unwrap(), State::Ready);
    let job = receipt(40);
    p.print("receipt-ZW1", &job).unwrap();
    assert_eq!(sim.jobs(), vec![job]);
    assert!(p.pending().is_empty());
}

#[test]
fn paper_out_mid_job_is_reported_and_the_job_is_reprinted_after_loading_paper() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimPrinter::start().unwrap();
    let p = printer(&sim, dir.path());
    let job = receipt(60);
    assert!(job.len() > 1000);
    sim.paper_left(700);
    match p.print("receipt-ZW2", &job) {
        Err(e @ LinkError::Interrupted(State::PaperOut)) => {
            assert_eq!(e.state(), State::PaperOut);
            assert_eq!(
                e.state().device_status().describe(),
                "needs attention: paper out: load a roll"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(sim.jobs().is_empty(), "nothing whole came out");
    assert_eq!(p.pending().len(), 1, "the job is kept");
    assert_eq!(p.status().unwrap().unwrap(), State::PaperOut);
    // Staff load a roll; the kiosk reprints.
    sim.load_paper();
    assert_eq!(sim.torn().len(), 1, "the half receipt was torn off");
    assert_eq!(p.reprint_pending().unwrap(), 1);
    assert_eq!(sim.jobs(), vec![job], "the whole job, from the start");
    assert!(p.pending().is_empty());
}

#[test]
fn cover_open_waits_then_fails_with_the_job_kept() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimPrinter::start().unwrap();
    let p = printer(&sim, dir.path());
    sim.set_state(Some(State::CoverOpen));
    let t0 = std::time::Instant::now();
    match p.print("receipt-ZW3", &receipt(3)) {
        Err(LinkError::NotReady {
            state: State::CoverOpen,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert!(
        t0.elapsed() >= Duration::from_millis(600),
        "it waited for the printer"
    );
    assert_eq!(p.pending().len(), 1);
    sim.set_state(None);
    assert_eq!(p.reprint_pending().unwrap(), 1);
    assert_eq!(sim.jobs().len(), 1);
}

#[test]
fn an_unreachable_or_silent_printer_is_offline_and_the_job_kept() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let p = LinkPrinter::new(Link::Tcp(port), dir.path().join("queue"));
    let e = p.print("receipt-ZW4", &receipt(2)).unwrap_err();
    assert!(matches!(e, LinkError::Unreachable { .. }), "{e:?}");
    assert_eq!(e.state(), State::Offline);
    assert_eq!(p.pending().len(), 1);

    let sim = SimPrinter::start().unwrap();
    sim.set_state(Some(State::Offline));
    let p = printer(&sim, dir.path());
    let e = p.status().unwrap_err();
    assert!(matches!(e, LinkError::Status(_)), "{e:?}");
}

/// A raster receipt (image bytes of every value, `1D 56` and `10 04 n`
/// patterns among them) reaches the paper whole and as one job.
fn raster_receipt() -> Vec<u8> {
    use kiosk_printer::doc::{encode, Doc, Profile, QrMode, TextMode};
    let font = kiosk_printer::raster::Font::shared().unwrap();
    let mut doc = Doc::new().title("受理回执");
    for i in 0..12 {
        doc = doc.row(
            format!("第{i}项"),
            "城乡居民基本养老保险参保登记 ZW20261122000001",
        );
    }
    encode(
        &doc.qr("https://zwfw.example.gov.cn/progress?no=ZW1"),
        &Profile::paper_80mm(TextMode::Raster, QrMode::Raster),
        &font,
    )
}

#[test]
fn a_raster_job_prints_whole_as_one_job() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimPrinter::start().unwrap();
    let job = raster_receipt();
    printer(&sim, dir.path()).print("receipt-R", &job).unwrap();
    assert_eq!(sim.jobs(), vec![job]);
}

#[test]
fn a_serial_printer_on_a_pty_prints_and_reports_paper_out() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyPRINTER");
    let sim = SimPrinter::start_serial(&link, 115200).unwrap();
    let mut p = LinkPrinter::new(
        Link::Serial {
            path: link.clone(),
            baud: 115200,
        },
        dir.path().join("queue"),
    );
    p.ready_timeout = Duration::from_millis(600);
    assert_eq!(p.status().unwrap(), Some(State::Ready));
    let job = raster_receipt();
    p.print("receipt-S", &job).unwrap();
    assert_eq!(sim.jobs(), vec![job.clone()]);

    sim.paper_left(2000);
    let e = p.print("receipt-S2", &job).unwrap_err();
    assert!(
        matches!(e, LinkError::Interrupted(State::PaperOut)),
        "{e:?}"
    );
    assert_eq!(p.pending().len(), 1);
    sim.load_paper();
    assert_eq!(p.reprint_pending().unwrap(), 1);
    assert_eq!(sim.jobs().len(), 2);
    assert_eq!(sim.jobs()[1], job);
}

#[test]
fn a_device_file_takes_the_job_without_status() {
    let dir = tempfile::tempdir().unwrap();
    let dev = dir.path().join("lp0");
    std::fs::write(&dev, b"").unwrap();
    let p = LinkPrinter::new(Link::File(dev.clone()), dir.path().join("queue"));
    assert_eq!(p.status().unwrap(), None);
    let job = receipt(3);
    p.print("receipt-F", &job).unwrap();
    assert_eq!(std::fs::read(&dev).unwrap(), job);
    assert!(p.pending().is_empty());
    // A missing device file: the job is kept.
    let gone = LinkPrinter::new(
        Link::File(dir.path().join("nope")),
        dir.path().join("queue"),
    );
    assert!(matches!(
        gone.print("receipt-F2", &job),
        Err(LinkError::Unreachable { .. })
    ));
    assert_eq!(gone.pending().len(), 1);
}
