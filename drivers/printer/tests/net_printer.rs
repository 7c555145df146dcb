//! Printing over TCP to the simulated printer: status between chunks, paper out
//! mid-job keeps the job for reprinting, cover open waits and then says so.

use std::time::Duration;

use kiosk_printer::escpos::Job;
use kiosk_printer::net::{NetError, NetPrinter};
use kiosk_printer::sim::SimPrinter;
use kiosk_printer::status::State;

fn receipt(n: usize) -> Vec<u8> {
    let mut j = Job::new().line("受理回执");
    for i in 0..n {
        j = j.line(&format!("第 {i} 行：城乡居民基本养老保险参保登记"));
    }
    j.feed(3).cut().bytes()
}

fn printer(sim: &SimPrinter, dir: &std::path::Path) -> NetPrinter {
    let mut p = NetPrinter::new(sim.addr(), dir.join("queue"));
    p.ready_timeout = Duration::from_millis(600);
    p
}

#[test]
fn a_job_prints_whole_and_leaves_nothing_queued() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimPrinter::start().unwrap();
    let p = printer(&sim, dir.path());
    assert_eq!(p.status().unwrap(), State::Ready);
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
        Err(e @ NetError::Interrupted(State::PaperOut)) => {
            assert!(
                e.citizen_message().contains("缺纸"),
                "{}",
                e.citizen_message()
            );
            assert_eq!(
                e.state().device_status().describe(),
                "需处理：凭条纸已用完，请装纸"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(sim.jobs().is_empty(), "nothing whole came out");
    assert_eq!(p.pending().len(), 1, "the job is kept");
    assert_eq!(p.status().unwrap(), State::PaperOut);
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
        Err(NetError::NotReady {
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
    let p = NetPrinter::new(port, dir.path().join("queue"));
    let e = p.print("receipt-ZW4", &receipt(2)).unwrap_err();
    assert!(matches!(e, NetError::Unreachable { .. }), "{e:?}");
    assert_eq!(e.state(), State::Offline);
    assert_eq!(p.pending().len(), 1);

    let sim = SimPrinter::start().unwrap();
    sim.set_state(Some(State::Offline));
    let p = printer(&sim, dir.path());
    let e = p.status().unwrap_err();
    assert!(matches!(e, NetError::Status(_)), "{e:?}");
}
