//! Against a real CUPS on loopback (scripts/cups-test-server.sh): the queue
//! `kiosk-a4` writes each job to a file, so what the kiosk sent can be read
//! back. The server is taken from KIOSK_TEST_CUPS_URI / KIOSK_TEST_CUPS_OUT
//! when set, else started through the script; if it cannot start, the tests
//! fail (never silently pass) and say how to start it.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use common::{pdfinfo, two_page_form};
use kiosk_cups::{
    render_form_pdf, Condition, CupsError, CupsPrinter, JobState, KeptA4, KeptError, PrinterState,
};
use kiosk_device::DeviceStatus;

struct Server {
    uri: String,
    out: PathBuf,
    /// The server's Unix socket, for cupsreject/cupsaccept.
    socket: Option<String>,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn start_server() -> Server {
    if let (Ok(uri), Ok(out)) = (
        std::env::var("KIOSK_TEST_CUPS_URI"),
        std::env::var("KIOSK_TEST_CUPS_OUT"),
    ) {
        return Server {
            uri,
            out: out.into(),
            socket: std::env::var("KIOSK_TEST_CUPS_SOCKET").ok(),
        };
    }
    let script = repo().join("scripts/cups-test-server.sh");
    let out = Command::new(&script)
        .arg("start")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "the loopback CUPS did not start ({}):\n{}\n\
         Start it by hand with `scripts/cups-test-server.sh start` (needs Debian's \
         cups-daemon and cups-client: scripts/setup-debian.sh), or point \
         KIOSK_TEST_CUPS_URI and KIOSK_TEST_CUPS_OUT at a CUPS queue that writes to a file.",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let env = String::from_utf8_lossy(&out.stdout).to_string();
    let get = |k: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix('='))
            .map(str::to_string)
    };
    Server {
        uri: get("KIOSK_TEST_CUPS_URI")
            .unwrap_or_else(|| panic!("no KIOSK_TEST_CUPS_URI from the script:\n{env}")),
        out: get("KIOSK_TEST_CUPS_OUT")
            .unwrap_or_else(|| panic!("no KIOSK_TEST_CUPS_OUT from the script:\n{env}"))
            .into(),
        socket: get("KIOSK_TEST_CUPS_SOCKET"),
    }
}

/// The server, started once per test binary; the guard serialises the tests
/// (they pause the one queue and share its output file).
fn server() -> (&'static Server, MutexGuard<'static, ()>) {
    static SERVER: OnceLock<Server> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    (SERVER.get_or_init(start_server), guard)
}

fn printer(s: &Server) -> CupsPrinter {
    let mut p = CupsPrinter::new(&s.uri).unwrap();
    p.io_timeout = Duration::from_secs(10);
    p
}

/// Resumes the queue when a test ends, even by panicking.
struct Resume<'a>(&'a CupsPrinter);
impl Drop for Resume<'_> {
    fn drop(&mut self) {
        let _ = self.0.set_paused(false);
    }
}

#[test]
fn the_idle_queue_reports_ready_and_accepting() {
    let (s, _g) = server();
    let p = printer(s);
    let st = p.status().unwrap();
    assert_eq!(st.state, PrinterState::Idle, "{st:?}");
    assert!(st.accepting);
    assert_eq!(st.condition(), Condition::Ready, "{st:?}");
    assert_eq!(p.device_status(), DeviceStatus::Ready);
}

#[test]
fn a_two_page_form_prints_and_lands_in_the_queue_file_byte_for_byte() {
    let (s, _g) = server();
    let p = printer(s);
    let pdf = render_form_pdf(&two_page_form()).unwrap();
    let _ = std::fs::remove_file(&s.out);
    let id = p.print_pdf("申请表 HN-2026-000123", &pdf).unwrap();
    assert!(id > 0);
    let done = p.wait_for_job(id, Duration::from_secs(30)).unwrap();
    assert_eq!(done.state, JobState::Completed, "{done:?}");
    let st = p.job_state(id).unwrap();
    assert_eq!(
        (st.state, st.name.as_str()),
        (JobState::Completed, "申请表 HN-2026-000123")
    );
    // Get-Jobs lists it among the completed, not among those still to print.
    assert!(p
        .jobs(true)
        .unwrap()
        .iter()
        .any(|j| j.id == id && j.name == st.name));
    assert!(p.jobs(false).unwrap().iter().all(|j| j.id != id));
    let landed =
        std::fs::read(&s.out).unwrap_or_else(|e| panic!("queue output {}: {e}", s.out.display()));
    assert!(
        landed == pdf,
        "CUPS wrote {} bytes, we sent {}",
        landed.len(),
        pdf.len()
    );
    let (pages, size) = pdfinfo(&s.out);
    assert_eq!(pages, 2);
    assert!(size.starts_with("595 x 842 pts"), "{size}");
}

#[test]
fn a_paused_queue_reports_offline_and_keeps_the_job_until_resumed() {
    let (s, _g) = server();
    let p = printer(s);
    p.set_paused(true).unwrap();
    let _resume = Resume(&p);
    let st = p.status().unwrap();
    assert_eq!(st.state, PrinterState::Stopped, "{st:?}");
    assert!(
        matches!(st.condition(), Condition::Offline(ref w) if w.contains("stopped") && w.contains("paused")),
        "{:?}",
        st.condition()
    );
    assert!(matches!(p.device_status(), DeviceStatus::Offline(_)));

    // CUPS still takes the job while paused; it waits, it is not lost.
    let pdf = render_form_pdf(&kiosk_cups::FormDoc::new("暂停时提交")).unwrap();
    let _ = std::fs::remove_file(&s.out);
    let id = p.print_pdf("paused", &pdf).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let held = p.job_state(id).unwrap();
    assert_eq!(held.state, JobState::Pending, "{held:?}");
    assert!(p
        .jobs(false)
        .unwrap()
        .iter()
        .any(|j| j.id == id && j.name == "paused"));
    assert!(!s.out.exists(), "nothing printed while paused");

    p.set_paused(false).unwrap();
    let done = p.wait_for_job(id, Duration::from_secs(30)).unwrap();
    assert_eq!(done.state, JobState::Completed);
    assert_eq!(std::fs::read(&s.out).unwrap(), pdf);
    assert_eq!(p.status().unwrap().condition(), Condition::Ready);
}

#[test]
fn a_queue_rejecting_jobs_refuses_the_print_so_the_caller_keeps_it() {
    let (s, _g) = server();
    let Some(socket) = &s.socket else {
        panic!("KIOSK_TEST_CUPS_SOCKET unset: this test needs cupsreject on the server's socket");
    };
    let run = |tool: &str| {
        let st = Command::new(tool)
            .args(["-h", socket, "kiosk-a4"])
            .status()
            .unwrap_or_else(|e| panic!("{tool}: {e} (Debian package cups-client)"));
        assert!(st.success(), "{tool} failed");
    };
    struct Accept<'a>(&'a dyn Fn(&str));
    impl Drop for Accept<'_> {
        fn drop(&mut self) {
            (self.0)("cupsaccept");
        }
    }
    run("cupsreject");
    let _accept = Accept(&run);
    let p = printer(s);
    assert!(matches!(
        p.status().unwrap().condition(),
        Condition::Offline(w) if w.contains("not accepting")
    ));
    let e = p.print_pdf("rejected", b"%PDF-1.4\n%%EOF\n").unwrap_err();
    assert!(matches!(e, CupsError::NotAccepting { .. }), "{e:?}");
    assert!(!e.may_have_printed());
    assert!(
        e.technician_message().contains(&s.uri),
        "{}",
        e.technician_message()
    );
    assert!(e.technician_message().contains("cupsaccept"));
}

#[test]
fn a_wrong_queue_name_is_a_clear_error_naming_the_uri() {
    let (s, _g) = server();
    let uri = s
        .uri
        .replace("/printers/kiosk-a4", "/printers/no-such-queue");
    let p = CupsPrinter::new(&uri).unwrap();
    let e = p.status().unwrap_err();
    assert!(matches!(e, CupsError::NotFound { .. }), "{e:?}");
    let tech = e.technician_message();
    assert!(tech.contains(&uri), "{tech}");
    assert!(tech.contains("lpstat -p"), "{tech}");
    let e = p.print_pdf("x", b"%PDF-1.4\n%%EOF\n").unwrap_err();
    assert!(matches!(e, CupsError::NotFound { .. }), "{e:?}");
    assert!(matches!(p.device_status(), DeviceStatus::Offline(w) if w.contains(&uri)));

    // A job id CUPS never gave is not found either.
    let e = printer(s).job_state(999_999).unwrap_err();
    assert!(matches!(e, CupsError::NotFound { .. }), "{e:?}");
}

fn reject_accept(s: &Server) -> impl Fn(&str) + '_ {
    move |tool: &str| {
        let socket = s.socket.as_deref().expect(
            "KIOSK_TEST_CUPS_SOCKET unset: this test needs cupsreject on the server's socket",
        );
        let st = Command::new(tool)
            .args(["-h", socket, "kiosk-a4"])
            .status()
            .unwrap_or_else(|e| panic!("{tool}: {e} (Debian package cups-client)"));
        assert!(st.success(), "{tool} failed");
    }
}

#[test]
fn a_refused_a4_job_is_kept_and_printed_once_when_the_queue_takes_jobs_again() {
    let (s, _g) = server();
    let run = reject_accept(s);
    let dir = tempfile::tempdir().unwrap();
    let kept = KeptA4::new(dir.path().join("a4-queue"), printer(s));
    let pdf = render_form_pdf(&two_page_form()).unwrap();
    run("cupsreject");
    let res = kept.print("申请表 ZW20261123000001", &pdf);
    run("cupsaccept");
    let e = res.unwrap_err();
    assert!(
        matches!(
            &e,
            KeptError::Cups {
                source: CupsError::NotAccepting { .. },
                ..
            }
        ),
        "{e:?}"
    );
    let pending = kept.pending();
    assert_eq!(pending.len(), 1);
    assert_eq!(std::fs::read(&pending[0]).unwrap(), pdf, "kept whole");

    let _ = std::fs::remove_file(&s.out);
    assert_eq!(kept.reprint_pending().unwrap(), 1);
    assert!(kept.pending().is_empty(), "forgotten once CUPS took it");
    let p = printer(s);
    let name = pending[0]
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let job = p
        .jobs(false)
        .unwrap()
        .into_iter()
        .chain(p.jobs(true).unwrap())
        .find(|j| j.name == name)
        .expect("the kept job is in the queue under its file name");
    p.wait_for_job(job.id, Duration::from_secs(30)).unwrap();
    assert_eq!(
        std::fs::read(&s.out).unwrap(),
        pdf,
        "CUPS wrote what was kept"
    );
    // Nothing left: a second pass sends nothing.
    assert_eq!(kept.reprint_pending().unwrap(), 0);
}

#[test]
fn a_kept_job_whose_answer_was_lost_is_not_printed_again_if_cups_has_it() {
    let (s, _g) = server();
    let p = printer(s);
    let dir = tempfile::tempdir().unwrap();
    let qdir = dir.path().join("a4-queue");
    std::fs::create_dir_all(&qdir).unwrap();
    // As after a lost answer: the job reached CUPS, the kept file has its marker.
    let stem = format!("1700000000000000-{}-0000-lost-answer", std::process::id());
    let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();
    std::fs::write(qdir.join(format!("{stem}.pdf")), &pdf).unwrap();
    std::fs::write(qdir.join(format!("{stem}.unsure")), b"").unwrap();
    let id = p.print_pdf(&stem, &pdf).unwrap();
    p.wait_for_job(id, Duration::from_secs(30)).unwrap();

    let kept = KeptA4::new(&qdir, printer(s));
    assert_eq!(kept.reprint_pending().unwrap(), 1);
    assert!(kept.pending().is_empty());
    assert!(!qdir.join(format!("{stem}.unsure")).exists());
    let same: Vec<_> = p
        .jobs(false)
        .unwrap()
        .into_iter()
        .chain(p.jobs(true).unwrap())
        .filter(|j| j.name == stem)
        .collect();
    assert_eq!(same.len(), 1, "printed once, not twice: {same:?}");

    // With the marker but unknown to CUPS, the job is sent.
    let stem2 = format!("1700000000000001-{}-0001-never-arrived", std::process::id());
    std::fs::write(qdir.join(format!("{stem2}.pdf")), &pdf).unwrap();
    std::fs::write(qdir.join(format!("{stem2}.unsure")), b"").unwrap();
    assert_eq!(kept.reprint_pending().unwrap(), 1);
    assert!(p
        .jobs(false)
        .unwrap()
        .into_iter()
        .chain(p.jobs(true).unwrap())
        .any(|j| j.name == stem2));
}
