//! End to end with the real parts: the simulated ID reader and camera behind
//! their driver handles, the real runtime, the SQLite outbox, the reference hall
//! on loopback (embedded, as in the demo config), and the spool printer. The UI
//! is pressed by accessible labels; time is real.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use kiosk::controller::Controller;
use kiosk::runtime::Runtime;
use kiosk::{KioskWindow, MaterialsAdapter, ReceiptAdapter};
use kiosk_core::{Millis, Screen, Session};
use kiosk_tests::UiDriver;
use slint::ComponentHandle;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// A terminal config in a temp folder: the demo's devices, a hall of our choice.
fn terminal(dir: &Path, hall: &str) -> kiosk::config::Config {
    // The printer's own GB18030 font, so the test can read the receipt's text
    // back from the bytes; the picture beside it is checked through its QR.
    terminal_with(dir, hall, "kind = \"simulated\"\ntext = \"gb18030\"")
}

/// The same with the `[devices.printer]` section's body given.
fn terminal_with(dir: &Path, hall: &str, printer: &str) -> kiosk::config::Config {
    let camera = format!("{}/assets/sim/camera", repo().display());
    terminal_full(dir, hall, printer, &camera)
}

/// The same with the simulated camera's folder given.
fn terminal_full(dir: &Path, hall: &str, printer: &str, camera: &str) -> kiosk::config::Config {
    let r = repo().display().to_string();
    let text = format!(
        r#"
[terminal]
id = "E2E-01"
name = "端到端测试终端"
catalog = "{r}/config/catalog.toml"
data_dir = "data"

[session]
idle_timeout_secs = 600
idle_warning_secs = 30

[hall]
{hall}
timeout_secs = 2
retry_secs = 1

[devices.idcard]
kind = "simulated"
card = "{r}/assets/sim/idcard/ouyang-yan.json"
present_after_ms = 200

[devices.camera]
kind = "simulated"
folder = "{camera}"

[devices.printer]
{printer}
"#
    );
    let file = dir.join("kiosk.toml");
    std::fs::write(&file, text).unwrap();
    kiosk::config::load(&file, None).unwrap_or_else(|e| panic!("{e}"))
}

fn start(cfg: &kiosk::config::Config) -> UiDriver {
    kiosk_tests::init_headless();
    let ui = KioskWindow::new().unwrap();
    ui.show().unwrap();
    let t0 = std::time::Instant::now();
    let session = Session::new(
        std::sync::Arc::new(cfg.catalog.clone()),
        cfg.session_config(),
        Millis(0),
    );
    let c: Rc<Controller> = Controller::new(
        ui,
        session,
        Box::new(move || Millis(t0.elapsed().as_millis() as u64)),
        |tx| Box::new(Runtime::start(cfg, tx).expect("runtime starts")),
    );
    UiDriver::new(c)
}

/// Home → guide → card → form → one page of 户口簿 → review → submit.
fn apply(k: &UiDriver) {
    k.press("城乡居民基本养老保险参保登记");
    k.press("开始办理");
    assert_eq!(k.shown(), "identify");
    k.wait("the simulated card to be read", 10, |s| {
        s.screen() == Screen::Form
    });
    assert_eq!(k.find("姓名：欧阳燕").len(), 1, "filled from the card");
    for d in "13912345678".chars() {
        k.press(&format!("联系电话 {d}"));
    }
    k.press("缴费档次（元/年） 500");
    k.press("下一步");
    assert_eq!(k.shown(), "materials");
    k.press("拍照 户口簿");
    k.wait("one page from the simulated camera", 10, |s| {
        s.pages(1).len() == 1
    });
    k.press("下一步");
    assert_eq!(k.shown(), "delivery");
    k.press("下一步");
    assert_eq!(k.shown(), "review");
    k.press("确认提交");
}

fn spooled(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "escpos"));
    v
}

#[test]
fn a_citizen_applies_with_simulated_devices_and_gets_the_halls_number_and_a_receipt() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = terminal(tmp.path(), "url = \"embedded\"\nlisten = \"127.0.0.1:0\"");
    let k = start(&cfg);
    apply(&k);
    k.wait("the hall's answer", 20, |s| s.screen() == Screen::Receipt);

    let receipt = k.c.ui.global::<ReceiptAdapter>();
    let number = receipt.get_reference().to_string();
    assert!(!receipt.get_queued(), "the hall was up: not queued");
    assert!(
        number.starts_with("ZW")
            && number.len() == 16
            && number[2..].chars().all(|c| c.is_ascii_digit()),
        "a hall application number: {number}"
    );
    assert_eq!(
        k.find(&format!("申请编号 {number}")).len(),
        1,
        "the number is on screen"
    );

    // The receipt job reaches the (spool) printer and carries the number.
    let spool = cfg.data_dir.join("spool");
    k.wait("the receipt job", 10, |_| !spooled(&spool).is_empty());
    let jobs = spooled(&spool);
    assert_eq!(jobs.len(), 1, "one receipt: {jobs:?}");
    assert!(jobs[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .contains(&number));
    let text = kiosk_printer::escpos::text_of(&std::fs::read(&jobs[0]).unwrap());
    assert!(text.contains(&number), "{text}");
    assert!(
        text.contains("欧*燕"),
        "the applicant is masked on paper: {text}"
    );
    assert!(
        !text.contains("欧阳燕") && !text.contains("420113195803120021"),
        "{text}"
    );
    // The simulator's picture of the paper: its QR, read by an independent
    // decoder, points at this application's progress. (The picture is drawn
    // after the job is safe on disk.)
    let picture = jobs[0].with_extension("png");
    k.wait("the picture of the receipt", 10, |_| picture.exists());
    let qr = qr_of(&picture);
    assert_eq!(qr.len(), 1, "{qr:?}");
    assert!(qr[0].ends_with(&format!("no={number}")), "{qr:?}");

    // The hall holds exactly one application with its one page.
    let stats = kiosk_hall::server::stats(&cfg.data_dir.join("hall").join("hall.db")).unwrap();
    assert_eq!(
        (stats.applications, stats.duplicates, stats.attachments),
        (1, 0, 1),
        "{stats:?}"
    );

    // Rate the service; the session ends and the card data is gone.
    k.press("完成");
    k.press("满意");
    assert_eq!(k.shown(), "home");
    assert!(k
        .c
        .with_session(|s| s.applicant().is_none() && s.receipt().is_none()));
}

#[test]
fn with_the_hall_down_the_application_is_kept_and_the_citizen_still_gets_a_receipt() {
    // Nothing listens on this port: bind one, learn it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let tmp = tempfile::tempdir().unwrap();
    let cfg = terminal(tmp.path(), &format!("url = \"http://127.0.0.1:{port}\""));
    let k = start(&cfg);
    apply(&k);
    k.wait("the terminal's own reference", 20, |s| {
        s.screen() == Screen::Receipt
    });
    let receipt = k.c.ui.global::<ReceiptAdapter>();
    assert!(receipt.get_queued(), "queued for sending");
    let reference = receipt.get_reference().to_string();
    assert_eq!(
        reference, "E2E-01-000001",
        "the terminal id and a local sequence"
    );
    let spool = cfg.data_dir.join("spool");
    k.wait("the receipt job", 10, |_| !spooled(&spool).is_empty());

    // The application is durable in the outbox, encrypted, waiting for the hall.
    let outbox = kiosk_hall::Outbox::open(&cfg.data_dir.join("outbox"), "E2E-01").unwrap();
    assert_eq!(outbox.count_undelivered().unwrap(), 1);
    let db = std::fs::read(cfg.data_dir.join("outbox").join("outbox.db")).unwrap_or_default();
    let wal = std::fs::read(cfg.data_dir.join("outbox").join("outbox.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        let hay = String::from_utf8_lossy(bytes);
        assert!(
            !hay.contains("420113195803120021") && !hay.contains("欧阳燕"),
            "no plaintext ID at rest"
        );
    }
}

#[test]
fn paper_out_while_printing_the_receipt_keeps_it_and_it_prints_when_paper_is_loaded() {
    let printer = kiosk_printer::sim::SimPrinter::start().unwrap();
    printer.paper_left(300);
    let tmp = tempfile::tempdir().unwrap();
    let cfg = terminal_with(
        tmp.path(),
        "url = \"embedded\"\nlisten = \"127.0.0.1:0\"",
        &format!(
            "kind = \"tcp\"\naddr = \"{}\"\ntext = \"gb18030\"",
            printer.addr()
        ),
    );
    let k = start(&cfg);
    apply(&k);
    k.wait("the hall's answer", 20, |s| s.screen() == Screen::Receipt);
    let number =
        k.c.ui
            .global::<ReceiptAdapter>()
            .get_reference()
            .to_string();
    // The citizen is told, and the receipt is kept.
    let note = || {
        k.c.ui
            .global::<ReceiptAdapter>()
            .get_printer_note()
            .to_string()
    };
    k.wait("the printer's answer", 10, |_| note().contains("缺纸"));
    assert!(note().contains("回执已保存"), "{}", note());
    let queue = cfg.data_dir.join("print-queue");
    assert_eq!(
        std::fs::read_dir(&queue).unwrap().count(),
        1,
        "one receipt kept"
    );
    assert!(printer.jobs().is_empty());
    // Staff load paper; the background loop reprints without anyone asking.
    printer.load_paper();
    k.wait("the reprint", 10, |_| !printer.jobs().is_empty());
    let jobs = printer.jobs();
    assert_eq!(jobs.len(), 1);
    assert!(kiosk_printer::escpos::text_of(&jobs[0]).contains(&number));
    k.wait("the queue to empty", 5, |_| {
        std::fs::read_dir(&queue)
            .map(|d| d.count() == 0)
            .unwrap_or(false)
    });
}

fn qr_of(png: &Path) -> Vec<String> {
    let img = image::open(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, s)| s))
        .collect()
}

#[test]
fn a_citizen_takes_a_queue_ticket_from_the_hall_and_the_dispenser_prints_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = terminal(tmp.path(), "url = \"embedded\"\nlisten = \"127.0.0.1:0\"");
    cfg.raw.devices.ticket.kind = kiosk::config::DeviceMode::Simulated;
    let k = start(&cfg);
    k.press("排队取号");
    assert_eq!(k.shown(), "queue");
    k.press("社保医保");
    k.wait("the hall's ticket", 10, |s| {
        matches!(s.queue(), kiosk_core::QueuePhase::Issued(_))
    });
    assert_eq!(k.find("您的号码 A001").len(), 1, "the number on screen");
    // The dispenser's paper: one ticket whose QR carries the number.
    let dir = cfg.data_dir.join("tickets");
    k.wait("the ticket's picture", 10, |_| {
        std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .any(|e| e.path().extension().is_some_and(|x| x == "png"))
            })
            .unwrap_or(false)
    });
    let png = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "png"))
        .unwrap();
    let qr = qr_of(&png);
    assert_eq!(qr.len(), 1, "{qr:?}");
    assert!(qr[0].ends_with("no=A001"), "{qr:?}");
    k.press("完成");
    assert_eq!(k.shown(), "home");
}

#[test]
fn with_the_hall_down_the_queue_screen_says_so_plainly() {
    let tmp = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = terminal(tmp.path(), &format!("url = \"http://127.0.0.1:{port}\""));
    let k = start(&cfg);
    k.press("排队取号");
    k.press("户籍证照");
    k.wait("the refusal", 10, |s| {
        matches!(s.queue(), kiosk_core::QueuePhase::Failed(_))
    });
    assert_eq!(
        k.find(&kiosk::messages::ticket_trouble(
            kiosk::i18n::Tr(kiosk_core::Lang::ZhCn),
            kiosk_core::TicketTrouble::HallDown
        ))
        .len(),
        1,
        "{:?}",
        k.labels()
    );
}

/// Home → guide → card → form, up to the materials screen.
fn to_materials(k: &UiDriver) {
    k.press("城乡居民基本养老保险参保登记");
    k.press("开始办理");
    k.wait("the simulated card to be read", 10, |s| {
        s.screen() == Screen::Form
    });
    for d in "13912345678".chars() {
        k.press(&format!("联系电话 {d}"));
    }
    k.press("缴费档次（元/年） 500");
    k.press("下一步");
    assert_eq!(k.shown(), "materials");
}

#[test]
fn a_citizen_without_the_household_register_prints_the_one_time_notice_of_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = terminal(tmp.path(), "url = \"embedded\"\nlisten = \"127.0.0.1:0\"");
    let k = start(&cfg);
    to_materials(&k);
    k.press("打印一次性告知单");
    let spool = cfg.data_dir.join("spool");
    k.wait("the notice job", 10, |_| !spooled(&spool).is_empty());
    let jobs = spooled(&spool);
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let text = kiosk_printer::escpos::text_of(&std::fs::read(&jobs[0]).unwrap());
    for want in [
        "一次性告知单",
        "城乡居民基本养老保险参保登记",
        "欧*燕",
        "1. 户口簿",
        "户主页及本人页",
        "12345",
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
    assert!(!text.contains("欧阳燕") && !text.contains("420113195803120021"));
    assert!(
        !text.contains("居民身份证"),
        "the card was read: not missing"
    );
    k.wait("the printer's word on screen", 10, |_| {
        !k.find("一次性告知单已打印，请从出纸口取走。").is_empty()
    });
    // The citizen may still go on: the session is where it was.
    assert_eq!(k.shown(), "materials");
}

/// The loopback CUPS of scripts/cups-test-server.sh (scripts/test.sh starts it).
fn cups() -> (String, PathBuf) {
    let uri = std::env::var("KIOSK_TEST_CUPS_URI").expect(
        "KIOSK_TEST_CUPS_URI unset: run through scripts/test.sh, or source target/cups-test/env \
         after scripts/cups-test-server.sh start",
    );
    let out = std::env::var("KIOSK_TEST_CUPS_OUT").expect("KIOSK_TEST_CUPS_OUT unset");
    (uri, out.into())
}

static CUPS_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn after_acceptance_the_citizen_prints_the_form_on_a4_through_cups() {
    let _g = CUPS_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let (uri, out) = cups();
    let tmp = tempfile::tempdir().unwrap();
    let cfg = terminal_with(
        tmp.path(),
        "url = \"embedded\"\nlisten = \"127.0.0.1:0\"",
        &format!("kind = \"simulated\"\n\n[devices.a4]\nkind = \"cups\"\nuri = \"{uri}\""),
    );
    let k = start(&cfg);
    apply(&k);
    k.wait("the hall's answer", 20, |s| s.screen() == Screen::Receipt);
    let _ = std::fs::remove_file(&out);
    let note = || {
        k.c.ui
            .global::<ReceiptAdapter>()
            .get_printer_note()
            .to_string()
    };
    k.wait("the receipt", 10, |_| note().contains("回执已打印"));
    k.press("打印申请表（A4）");
    k.wait("CUPS to take the form", 20, |_| {
        note().contains("申请表已送往")
    });
    assert!(k.find("打印申请表（A4）").is_empty(), "offered once");
    k.wait("the queue's file", 30, |_| {
        std::fs::read(&out)
            .is_ok_and(|b| b.starts_with(b"%PDF") && b.trim_ascii_end().ends_with(b"%%EOF"))
    });
    let pdf = std::fs::read(&out).unwrap();
    let info = std::process::Command::new("pdfinfo")
        .arg(&out)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.contains("Page size:") && info.contains("595 x 842 pts"),
        "{info}"
    );
    assert!(pdf.len() > 10_000, "a drawn page, {} bytes", pdf.len());
    let kept = cfg.data_dir.join("a4-queue");
    assert_eq!(
        std::fs::read_dir(&kept).map(|d| d.count()).unwrap_or(0),
        0,
        "nothing kept once CUPS took it"
    );
}

#[test]
fn with_cups_unreachable_the_a4_form_is_kept_and_the_citizen_told() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = terminal_with(
        tmp.path(),
        "url = \"embedded\"\nlisten = \"127.0.0.1:0\"",
        "kind = \"simulated\"\n\n[devices.a4]\nkind = \"cups\"\nuri = \"ipp://127.0.0.1:9/printers/kiosk-a4\"",
    );
    let k = start(&cfg);
    apply(&k);
    k.wait("the hall's answer", 20, |s| s.screen() == Screen::Receipt);
    k.press("打印申请表（A4）");
    let note = || {
        k.c.ui
            .global::<ReceiptAdapter>()
            .get_printer_note()
            .to_string()
    };
    k.wait("the A4 answer", 20, |_| note().contains("申请表已保存"));
    assert!(note().contains("A4 打印机暂时无法连接"), "{}", note());
    let kept: Vec<PathBuf> = std::fs::read_dir(cfg.data_dir.join("a4-queue"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(std::fs::read(&kept[0]).unwrap().starts_with(b"%PDF"));
}

#[test]
fn the_materials_screen_shows_the_live_camera_with_the_page_outlined() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = terminal(tmp.path(), "url = \"embedded\"\nlisten = \"127.0.0.1:0\"");
    let k = start(&cfg);
    to_materials(&k);
    let m = k.c.ui.global::<MaterialsAdapter>();
    k.wait("a live frame with an outline", 10, |_| {
        m.get_preview_w() > 0 && !m.get_outline().is_empty()
    });
    assert!(m.get_preview_w() <= 640 && m.get_preview_h() <= 480);
    let outline = m.get_outline().to_string();
    assert!(
        outline.starts_with("M ") && outline.ends_with(" Z"),
        "{outline}"
    );
    assert_eq!(k.find("高拍仪实时画面").len(), 1);
    // Photographed: the page is the pipeline's A4 page, not the raw frame.
    k.press("拍照 户口簿");
    k.wait("the scanned page", 10, |s| s.pages(1).len() == 1);
    let page = k.c.with_session(|s| s.pages(1)[0].jpeg().to_vec());
    let dims = image::load_from_memory(&page).unwrap();
    assert_eq!((dims.width(), dims.height()), (1654, 2339), "A4 at 200 dpi");
    // Leaving the screen turns the preview off and clears it.
    k.press("下一步");
    assert_eq!(k.shown(), "delivery");
    assert_eq!(m.get_preview_w(), 0);
}

/// A desk with no page on it: dim noise, nothing bright and four-cornered.
fn empty_desk(dir: &Path) {
    let mut x: u32 = 12345;
    let img = image::RgbImage::from_fn(1600, 1200, |_, _| {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let v = 50 + ((x >> 16) % 40) as u8;
        image::Rgb([v, v, v + 5])
    });
    img.save(dir.join("desk.jpg")).unwrap();
}

#[test]
fn with_no_page_found_the_citizen_drags_the_corners_and_the_material_reaches_the_hall() {
    let tmp = tempfile::tempdir().unwrap();
    let frames = tmp.path().join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    empty_desk(&frames);
    let cfg = terminal_full(
        tmp.path(),
        "url = \"embedded\"\nlisten = \"127.0.0.1:0\"",
        "kind = \"simulated\"",
        &frames.display().to_string(),
    );
    let k = start(&cfg);
    to_materials(&k);
    k.press("拍照 户口簿");
    k.wait("the corners to drag", 10, |s| s.adjusting().is_some());
    assert_eq!(
        k.find("未能找到材料边缘，请拖动四个角对准材料").len(),
        1,
        "said why"
    );
    for corner in ["左上角", "右上角", "右下角", "左下角"] {
        assert_eq!(k.find(corner).len(), 1, "{corner} handle");
    }
    assert!(k.find("拍照 户口簿").is_empty(), "no capture meanwhile");
    // The handles start inset from the frame's edges; drag two of them.
    let m = k.c.ui.global::<MaterialsAdapter>();
    assert_eq!((m.get_frame_w(), m.get_frame_h()), (1600.0, 1200.0));
    // As a finger would: a portrait page in the middle of the desk.
    for (corner, x, y) in [
        (0, 500.0, 100.0),
        (1, 1100.0, 110.0),
        (2, 1110.0, 1150.0),
        (3, 490.0, 1140.0),
    ] {
        k.c.dispatch(kiosk_core::Event::MoveCorner { corner, x, y });
    }
    let corners = m.get_corners();
    use slint::Model;
    assert_eq!(corners.row_count(), 4);
    let c0 = corners.row_data(0).unwrap();
    assert_eq!((c0.x, c0.y), (500.0, 100.0), "the screen follows the drag");
    k.press("按此四角裁剪");
    k.wait("the straightened page", 10, |s| s.pages(1).len() == 1);
    assert!(k.c.with_session(|s| s.adjusting().is_none()));
    let page = k.c.with_session(|s| s.pages(1)[0].jpeg().to_vec());
    let img = image::load_from_memory(&page).unwrap();
    assert_eq!((img.width(), img.height()), (1654, 2339));

    k.press("下一步");
    k.press("下一步");
    k.press("确认提交");
    k.wait("the hall's answer", 20, |s| s.screen() == Screen::Receipt);
    let stats = kiosk_hall::server::stats(&cfg.data_dir.join("hall").join("hall.db")).unwrap();
    assert_eq!(
        (stats.applications, stats.attachments),
        (1, 1),
        "one PDF for the 户口簿"
    );
}

#[test]
fn the_camera_going_away_mid_session_is_said_on_screen_and_it_comes_back_by_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let frames = tmp.path().join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    for e in std::fs::read_dir(repo().join("assets/sim/camera")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "jpg") {
            std::fs::copy(&p, frames.join(p.file_name().unwrap())).unwrap();
        }
    }
    let cfg = terminal_full(
        tmp.path(),
        "url = \"embedded\"\nlisten = \"127.0.0.1:0\"",
        "kind = \"simulated\"",
        &frames.display().to_string(),
    );
    let k = start(&cfg);
    to_materials(&k);
    let m = k.c.ui.global::<MaterialsAdapter>();
    k.wait("a live frame", 10, |_| m.get_preview_w() > 0);
    // Unplugged: the folder camera has nothing to show.
    let away = tmp.path().join("unplugged");
    std::fs::rename(&frames, &away).unwrap();
    k.wait("the session to hear of it", 10, |s| {
        s.camera_trouble().is_some()
    });
    assert_eq!(m.get_preview_w(), 0, "no stale picture of the last page");
    assert_eq!(m.get_preview_error(), "高拍仪暂不可用，请联系工作人员");
    // The citizen is not thrown out; the materials screen and the card data stay.
    assert_eq!(k.shown(), "materials");
    assert!(k.c.with_session(|s| s.applicant().is_some()));
    // Plugged back: frames again, the message gone, by itself.
    std::fs::rename(&away, &frames).unwrap();
    k.wait("the camera to come back", 10, |s| {
        s.camera_trouble().is_none()
    });
    k.wait("a live frame again", 10, |_| m.get_preview_w() > 0);
    assert_eq!(m.get_preview_error(), "");
    k.press("拍照 户口簿");
    k.wait("the scanned page", 10, |s| s.pages(1).len() == 1);
}
