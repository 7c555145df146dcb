//! `kiosk device printer …`: the technician's view of the receipt printer.
//!
//! `status` asks the printer (DLE EOT 1–4) and prints one word; `test-page`
//! prints a page that shows every size, a rare character and a QR; `receipt
//! --sample` builds the sample 受理回执 (or 一次性告知单 / 排队号票) and writes
//! its ESC/POS bytes and/or the simulator's picture of it. Without `--out` or
//! `--png` a job goes to the printer: `--addr` (TCP 9100), else the configured one.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use kiosk_printer::doc::{Doc, Profile, QrMode, TextMode};
use kiosk_printer::escpos::Align;
use kiosk_printer::link::{Link, LinkPrinter};
use kiosk_printer::raster::Font;
use kiosk_printer::Printer;

use kiosk::receipt::{self, Slips};

#[derive(Subcommand)]
pub enum PrinterCmd {
    /// Ask the printer its real-time status: ready, paper-near-end, paper-out,
    /// cover-open, cutter-error or offline (exit 1 unless it can print).
    Status {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        json: bool,
    },
    /// Print a test page (sizes, rare characters, a QR).
    TestPage {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        output: Output,
    },
    /// Build a slip from sample data.
    Receipt {
        /// Use the built-in sample (欧*燕, 4201**********0029); the only data source for now.
        #[arg(long, required = true)]
        sample: bool,
        /// Which slip.
        #[arg(long, value_enum, default_value = "receipt")]
        slip: Slip,
        /// The slip's language (default: the terminal's).
        #[arg(long, value_parser = ["zh-CN", "zh-TW", "en"])]
        lang: Option<String>,
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Slip {
    /// 受理回执
    Receipt,
    /// 一次性告知单
    Notice,
    /// 排队号票
    Ticket,
}

#[derive(Args)]
pub struct Target {
    /// A network printer's raw port (HOST:PORT), instead of the configured printer.
    #[arg(long, conflicts_with = "port")]
    addr: Option<String>,
    /// A serial printer's port (like /dev/ttyS1), instead of the configured printer.
    #[arg(long)]
    port: Option<PathBuf>,
    /// Serial speed with --port.
    #[arg(long, default_value_t = 9600, requires = "port")]
    baud: u32,
    /// Paper width in mm (58 or 80); default: the configured printer's.
    #[arg(long)]
    paper: Option<u32>,
    /// raster or gb18030; default: the configured printer's.
    #[arg(long, value_parser = ["raster", "gb18030"])]
    text: Option<String>,
    /// raster or native; default: the configured printer's.
    #[arg(long, value_parser = ["raster", "native"])]
    qr: Option<String>,
}

#[derive(Args)]
pub struct Output {
    /// Write the ESC/POS bytes to FILE instead of printing.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Write the simulator's picture of the paper (PNG) to FILE.
    #[arg(long, value_name = "FILE")]
    png: Option<PathBuf>,
}

/// A `status` answer: the state word alone, or the whole object with `--json`;
/// exit 1 unless the printer can print.
fn report_state(json: bool, ok: bool, v: serde_json::Value) -> ExitCode {
    if json {
        println!("{v}");
    } else {
        println!("{}", v["state"].as_str().unwrap_or("unknown"));
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn fail(msg: String) -> anyhow::Result<ExitCode> {
    eprintln!("kiosk: {msg}");
    Ok(ExitCode::from(1))
}

/// The configured printer section, or the defaults when the config cannot be
/// read and everything needed was given on the command line.
fn settings(
    config: &kiosk::config::Config,
    t: &Target,
) -> Result<(Slips, Option<Printer>), String> {
    let p = &config.raw.devices.printer;
    let dots = match t.paper {
        Some(mm) => Profile::dots_for_paper(mm).ok_or(format!("--paper {mm}: not 58 or 80"))?,
        None => p.profile().dots,
    };
    let text = match t.text.as_deref() {
        Some("gb18030") => TextMode::Gb18030,
        Some(_) => TextMode::Raster,
        None => p.text,
    };
    let qr = match t.qr.as_deref() {
        Some("native") => QrMode::Native,
        Some(_) => QrMode::Raster,
        None => p.qr,
    };
    let slips = Slips {
        profile: Profile { dots, text, qr },
        progress_url: p.progress_url.clone(),
    };
    let queue = config.data_dir.join("print-queue");
    let printer = match (&t.addr, &t.port) {
        (Some(a), _) => {
            let addr = a
                .parse()
                .map_err(|_| format!("--addr {a:?}: not an address like 192.168.1.50:9100"))?;
            Some(Printer::linked(LinkPrinter::new(Link::Tcp(addr), queue)))
        }
        (None, Some(port)) => Some(Printer::linked(LinkPrinter::new(
            Link::Serial {
                path: port.clone(),
                baud: t.baud,
            },
            queue,
        ))),
        (None, None) => kiosk::runtime::open_printer(config),
    };
    Ok((slips, printer))
}

fn test_page() -> Doc {
    Doc::new()
        .title("打印机测试页")
        .center("政务自助终端 · 受理回执打印机")
        .rule()
        .line("正常字号：受理回执 一次性告知单 排队号票")
        .text(
            "加粗：申请编号 ZW20261122000001",
            kiosk_printer::doc::Size::Normal,
            true,
            Align::Left,
        )
        .text(
            "倍高倍宽 A023",
            kiosk_printer::doc::Size::Large,
            true,
            Align::Center,
        )
        .line("生僻字：刘䲸 㐀 䶮 堃 喆 昇 赟")
        .line("数字与字母：0123456789 ABCDEFGHIJ abcdefghij")
        .row(
            "长行换行",
            "居民身份证、户口簿、结婚证、出生医学证明、不动产权证书、营业执照",
        )
        .rule()
        .qr("https://zwfw.example.gov.cn/progress?no=TEST")
        .center("扫码应打开测试地址")
}

fn emit(
    lang: kiosk_core::Lang,
    doc: &Doc,
    slips: &Slips,
    printer: Option<Printer>,
    out: &Output,
    name: &str,
) -> anyhow::Result<ExitCode> {
    let font = match Font::shared() {
        Ok(f) => f,
        Err(e) => return fail(format!("cannot draw the slip: {e}")),
    };
    let job = kiosk_printer::doc::encode(doc, &slips.profile, &font);
    if out.out.is_none() && out.png.is_none() {
        let Some(p) = printer else {
            return fail(
                "no printer configured (devices.printer.kind) and no --addr, --port, --out or --png given"
                    .into(),
            );
        };
        return match p.print(name, &job) {
            Ok(()) => {
                println!("printed {name}: {} bytes", job.len());
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                let (trouble, kept) = kiosk::runtime::devices::print_trouble(&e);
                let said = kiosk::messages::print_note(
                    kiosk::i18n::Tr(lang),
                    Some(kiosk_core::PrintState::Failed {
                        slip: kiosk_core::Slip::Receipt,
                        trouble,
                        kept,
                    }),
                );
                fail(format!("{e} — {said}"))
            }
        };
    }
    if let Some(path) = &out.out {
        if let Err(e) = std::fs::write(path, &job) {
            return fail(format!("{}: {e}", path.display()));
        }
        println!("{}: {} bytes of ESC/POS", path.display(), job.len());
    }
    if let Some(path) = &out.png {
        let paper = match kiosk_printer::paper::render(&job, slips.profile.dots, &font) {
            Ok(p) => p,
            Err(e) => return fail(format!("the simulator could not print the job: {e}")),
        };
        if let Err(e) = std::fs::write(path, kiosk_printer::paper::to_png(&paper)) {
            return fail(format!("{}: {e}", path.display()));
        }
        println!(
            "{}: {}x{} paper",
            path.display(),
            paper.width(),
            paper.height()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(config: &kiosk::config::Config, cmd: &PrinterCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        PrinterCmd::Status { target, json } => {
            let (_, printer) = match settings(config, target) {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let Some(p) = printer else {
                return fail(
                    "no printer configured (devices.printer.kind) and no --addr or --port given"
                        .into(),
                );
            };
            let (word, detail, ok) = match p.state() {
                Ok(Some(s)) => (
                    s.name(),
                    match s.device_status() {
                        kiosk_device::DeviceStatus::Ready => String::new(),
                        other => other.describe(),
                    },
                    s.can_print(),
                ),
                // A spool folder or a device file cannot say.
                Ok(None) => (
                    "unknown",
                    "this printer cannot report its status".to_string(),
                    true,
                ),
                Err(e) => ("offline", e.to_string(), false),
            };
            Ok(report_state(
                *json,
                ok,
                serde_json::json!({ "state": word, "detail": detail, "pending": p.pending_jobs() }),
            ))
        }
        PrinterCmd::TestPage { target, output } => match settings(config, target) {
            Ok((slips, printer)) => emit(
                config.session_config().default_lang,
                &test_page(),
                &slips,
                printer,
                output,
                "test-page",
            ),
            Err(e) => fail(e),
        },
        PrinterCmd::Receipt {
            slip,
            target,
            output,
            lang,
            ..
        } => {
            let lang = lang
                .as_deref()
                .and_then(kiosk_core::Lang::from_code)
                .unwrap_or(config.session_config().default_lang);
            let (slips, printer) = match settings(config, target) {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let name = config.raw.terminal.name.get(lang);
            let (doc, job_name) = match slip {
                Slip::Receipt => (
                    receipt::receipt_doc(
                        &receipt::sample_receipt_in(lang),
                        name,
                        &slips.progress_url,
                    ),
                    "receipt-sample",
                ),
                Slip::Notice => (
                    receipt::notice_doc(&receipt::sample_notice_in(lang), name),
                    "notice-sample",
                ),
                Slip::Ticket => (
                    receipt::ticket_doc(&receipt::sample_ticket_in(lang), &slips.progress_url),
                    "ticket-sample",
                ),
            };
            emit(lang, &doc, &slips, printer, output, job_name)
        }
    }
}

#[derive(Subcommand)]
pub enum A4Cmd {
    /// Ask the CUPS queue its state: ready, busy, paper-out, cover-open, jam,
    /// offline or warning (exit 1 unless it can print).
    Status {
        /// The queue (ipp://HOST:PORT/printers/NAME); default: devices.a4.uri.
        #[arg(long)]
        uri: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Render the A4 test form to PDF and print it (or only write it with --out).
    TestPage {
        #[arg(long)]
        uri: Option<String>,
        /// Write the PDF to FILE instead of printing.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

fn a4_printer(
    config: &kiosk::config::Config,
    uri: &Option<String>,
) -> Result<kiosk_cups::CupsPrinter, String> {
    let uri = match uri {
        Some(u) => u.clone(),
        None => config
            .raw
            .devices
            .a4
            .uri
            .clone()
            .filter(|_| config.raw.devices.a4.kind == kiosk::config::A4Kind::Cups)
            .ok_or("no A4 printer configured (devices.a4) and no --uri given")?,
    };
    kiosk_cups::CupsPrinter::new(&uri).map_err(|e| e.to_string())
}

/// The A4 test form: every kind of block the forms use, and rare characters.
fn a4_test_form(terminal: &str) -> kiosk_cups::FormDoc {
    kiosk_cups::FormDoc::new("A4 打印机测试页")
        .subtitle(terminal)
        .heading("一、字段表格")
        .field("姓名", "欧*燕")
        .field("公民身份号码", "4201**********0029")
        .field("生僻字", "刘䲸 㐀 䶮 堃 喆 昇 赟")
        .field("数字与字母", "0123456789 ABCDEFGHIJ abcdefghij")
        .heading("二、段落")
        .paragraph(
            "本页用于检查 A4 打印机的纸张、墨粉与对齐。表格线应完整，文字应清晰，四周留白应一致。",
        )
        .footer("政务自助终端 · A4 打印机测试页")
}

pub fn run_a4(config: &kiosk::config::Config, cmd: &A4Cmd) -> anyhow::Result<ExitCode> {
    match cmd {
        A4Cmd::Status { uri, json } => {
            let p = match a4_printer(config, uri) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            let (word, detail, ok) = match p.status() {
                Ok(st) => {
                    let c = st.condition();
                    let word = match &c {
                        kiosk_cups::Condition::Ready => "ready",
                        kiosk_cups::Condition::Busy => "busy",
                        kiosk_cups::Condition::PaperOut => "paper-out",
                        kiosk_cups::Condition::CoverOpen => "cover-open",
                        kiosk_cups::Condition::Jam => "jam",
                        kiosk_cups::Condition::Offline(_) => "offline",
                        kiosk_cups::Condition::Warning(_) => "warning",
                    };
                    let ok = st.device_status().is_usable();
                    (word, format!("{c:?}"), ok)
                }
                Err(e) => ("offline", e.technician_message(), false),
            };
            Ok(report_state(
                *json,
                ok,
                serde_json::json!({ "state": word, "detail": detail }),
            ))
        }
        A4Cmd::TestPage { uri, out } => {
            let pdf = match kiosk_cups::render_form_pdf(&a4_test_form(
                config
                    .raw
                    .terminal
                    .name
                    .get(config.session_config().default_lang),
            )) {
                Ok(pdf) => pdf,
                Err(e) => return fail(format!("cannot draw the test page: {e}")),
            };
            if let Some(path) = out {
                if let Err(e) = std::fs::write(path, &pdf) {
                    return fail(format!("{}: {e}", path.display()));
                }
                println!("{}: {} bytes of PDF", path.display(), pdf.len());
                return Ok(ExitCode::SUCCESS);
            }
            let p = match a4_printer(config, uri) {
                Ok(p) => p,
                Err(e) => return fail(e),
            };
            match p.print_pdf("A4 test page", &pdf) {
                Ok(id) => {
                    println!("printed A4 test page: CUPS job {id}, {} bytes", pdf.len());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => fail(e.technician_message()),
            }
        }
    }
}
