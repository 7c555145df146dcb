//! `kiosk device printer …` as a technician runs it: sample slips to files,
//! status and a test page against the loopback ESC/POS printer simulator.

mod common;

use common::kiosk_demo;
use kiosk_printer::sim::SimPrinter;
use kiosk_printer::status::State;

#[test]
fn sample_receipt_writes_escpos_bytes_and_the_simulators_picture() {
    let dir = tempfile::tempdir().unwrap();
    let (bin, png) = (dir.path().join("r.bin"), dir.path().join("r.png"));
    let (code, out, err) = kiosk_demo(
        dir.path(),
        &[
            "device",
            "printer",
            "receipt",
            "--sample",
            "--out",
            bin.to_str().unwrap(),
            "--png",
            png.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("bytes of ESC/POS"), "{out}");
    let bytes = std::fs::read(&bin).unwrap();
    // ESC @, then raster bands 576 dots (72 bytes) wide, then a cut.
    assert_eq!(&bytes[..2], b"\x1b\x40");
    let cmds = kiosk_printer::escpos::decode(&bytes).unwrap();
    assert!(cmds.iter().any(|c| matches!(
        c,
        kiosk_printer::escpos::Cmd::Raster {
            width_bytes: 72,
            ..
        }
    )));
    assert_eq!(
        cmds.last(),
        Some(&kiosk_printer::escpos::Cmd::Cut { partial: true })
    );
    let img = image::open(&png).unwrap().to_luma8();
    assert_eq!(img.width(), 576);
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    assert_eq!(
        grids[0].decode().unwrap().1,
        "https://zwfw.example.gov.cn/progress?no=ZW20261122000001"
    );
}

#[test]
fn status_names_the_printers_state_and_fails_unless_it_can_print() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimPrinter::start().unwrap();
    let addr = sim.addr().to_string();
    let (code, out, _) = kiosk_demo(
        dir.path(),
        &["device", "printer", "status", "--addr", &addr],
    );
    assert_eq!((code, out.trim()), (0, "ready"));
    sim.set_state(Some(State::CoverOpen));
    let (code, out, _) = kiosk_demo(
        dir.path(),
        &["device", "printer", "status", "--addr", &addr],
    );
    assert_eq!((code, out.trim()), (1, "cover-open"));
    sim.set_state(None);
    sim.paper_left(0);
    let (code, out, _) = kiosk_demo(
        dir.path(),
        &["device", "printer", "status", "--addr", &addr, "--json"],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["state"], "paper-out");
    drop(sim);
    let (code, out, _) = kiosk_demo(
        dir.path(),
        &["device", "printer", "status", "--addr", &addr],
    );
    assert_eq!((code, out.trim()), (1, "offline"));
}

#[test]
fn test_page_prints_on_the_network_printer_and_paper_out_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let sim = SimPrinter::start().unwrap();
    let addr = sim.addr().to_string();
    let (code, out, err) = kiosk_demo(
        dir.path(),
        &[
            "device",
            "printer",
            "test-page",
            "--addr",
            &addr,
            "--paper",
            "58",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("printed test-page"), "{out}");
    let jobs = sim.jobs();
    assert_eq!(jobs.len(), 1);
    let font = kiosk_printer::raster::Font::shared().unwrap();
    let paper = kiosk_printer::paper::render(&jobs[0], 384, &font).unwrap();
    assert!(paper.height() > 600, "a whole page: {}", paper.height());

    // Paper runs out part-way: a clear error, and the job is kept for reprinting.
    sim.paper_left(3000);
    let (code, _, err) = kiosk_demo(
        dir.path(),
        &["device", "printer", "test-page", "--addr", &addr],
    );
    assert_eq!(code, 1);
    assert!(err.contains("缺纸"), "{err}");
    let kept = std::fs::read_dir(dir.path().join("print-queue"))
        .unwrap()
        .count();
    assert_eq!(kept, 1);
}

#[test]
fn a_serial_printer_answers_status_and_prints_the_sample_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyPRINTER");
    let sim = SimPrinter::start_serial(&link, 19200).unwrap();
    let port = link.to_str().unwrap();
    let (code, out, err) = kiosk_demo(
        dir.path(),
        &[
            "device", "printer", "status", "--port", port, "--baud", "19200",
        ],
    );
    assert_eq!((code, out.trim()), (0, "ready"), "{err}");
    let (code, _, err) = kiosk_demo(
        dir.path(),
        &[
            "device", "printer", "receipt", "--sample", "--slip", "ticket", "--port", port,
            "--baud", "19200", "--paper", "58",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let jobs = sim.jobs();
    assert_eq!(jobs.len(), 1);
    let font = kiosk_printer::raster::Font::shared().unwrap();
    let paper = kiosk_printer::paper::render(&jobs[0], 384, &font).unwrap();
    let img = image::GrayImage::from_fn(paper.width(), paper.height(), |x, y| {
        image::Luma([255 - paper.at(x, y)])
    });
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    assert!(grids[0].decode().unwrap().1.ends_with("no=A023"));
}
