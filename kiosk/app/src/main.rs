//! `kiosk` — the self-service terminal and its technician commands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use kiosk::config::{self, Config};
use kiosk::controller::Controller;
use kiosk::runtime::{Devices, Runtime};
use kiosk::KioskWindow;
use kiosk_core::{DisplayMode, Millis, Session};
use slint::ComponentHandle;

mod camera_cli;
mod printer_cli;

#[derive(Parser)]
#[command(
    name = "kiosk",
    version,
    about = "政务自助终端 — government self-service kiosk"
)]
struct Cli {
    /// Terminal configuration file.
    #[arg(long, global = true, default_value = "config/demo.toml")]
    config: PathBuf,
    /// Where the terminal keeps its state (outbox, spool, logs); overrides terminal.data_dir.
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    /// Render every screen to PNG files in DIR (no display needed) and exit.
    #[arg(long, value_name = "DIR")]
    screenshots: Option<PathBuf>,
    /// Display mode for --screenshots.
    #[arg(long, value_enum, default_value = "normal", requires = "screenshots")]
    mode: Mode,
    /// Language for --screenshots.
    #[arg(long, default_value = "zh-CN", value_parser = ["zh-CN", "zh-TW", "en"], requires = "screenshots")]
    lang: String,
    /// Answer where the buttons are on a loopback port (for scripts/xdemo.sh).
    #[arg(long, value_name = "ADDR", hide = true)]
    ui_probe: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Mode {
    Normal,
    Elderly,
    Contrast,
}

#[derive(Subcommand)]
enum Command {
    /// Check configuration files.
    Config {
        #[command(subcommand)]
        cmd: ConfigCmd,
    },
    /// The reference hall backend.
    Hall {
        #[command(subcommand)]
        cmd: HallCmd,
    },
    /// Technician commands for the devices.
    Device {
        #[command(subcommand)]
        cmd: DeviceCmd,
    },
    /// The terminal's outbox of applications not yet delivered.
    Outbox {
        #[command(subcommand)]
        cmd: OutboxCmd,
    },
}

#[derive(Subcommand)]
enum OutboxCmd {
    /// Deliver what can still be read from a damaged outbox database (a
    /// `damaged-…-outbox.db` the kiosk set aside, or a broken `outbox.db`):
    /// each application goes to this terminal's outbox with its own
    /// idempotency key, so the hall never gets one twice, then to the hall.
    Recover { file: PathBuf },
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Validate a terminal configuration (and the catalog it names); problems are
    /// printed as `file:line: key: problem`.
    Check { file: PathBuf },
}

#[derive(Subcommand)]
enum HallCmd {
    /// Run the reference hall alone.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8088")]
        listen: String,
        #[arg(long)]
        db: PathBuf,
        /// A catalog file to serve at /api/v1/catalog.
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
    /// Counts of a hall database.
    Stats {
        #[arg(long)]
        db: PathBuf,
        /// Print `{"applications": N, "duplicates": N, "attachments": N}`.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DeviceCmd {
    /// Status of every device the configuration names.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// The second-generation ID-card reader (GA 467 SAM protocol).
    Idcard {
        #[command(subcommand)]
        cmd: IdcardCmd,
    },
    /// The receipt printer (ESC/POS).
    Printer {
        #[command(subcommand)]
        cmd: printer_cli::PrinterCmd,
    },
    /// The document camera (高拍仪): the scan pipeline on a file.
    Camera {
        #[command(subcommand)]
        cmd: camera_cli::CameraCmd,
    },
    /// The A4 printer (a CUPS queue over IPP).
    A4 {
        #[command(subcommand)]
        cmd: printer_cli::A4Cmd,
    },
}

#[derive(clap::Args)]
struct PortArgs {
    /// Serial device of the reader (e.g. /dev/ttyUSB0)
    #[arg(long)]
    port: PathBuf,
    /// 9600, 19200, 38400, 57600 or 115200
    #[arg(long, default_value_t = 115200)]
    baud: u32,
}

#[derive(Subcommand)]
enum IdcardCmd {
    /// Read the card on the reader and print it (name and numbers masked unless --show-pii).
    Read {
        #[command(flatten)]
        port: PortArgs,
        /// Print JSON (stable field names, see the README)
        #[arg(long)]
        json: bool,
        /// Print personal data unmasked (for the card holder's own eyes only)
        #[arg(long)]
        show_pii: bool,
        /// Read the fingerprint block too (30 10)
        #[arg(long)]
        fingerprint: bool,
        /// Seconds to wait for a card to be placed
        #[arg(long, default_value_t = 5)]
        wait: u64,
    },
    /// Print the SAM ID of the reader's security module.
    SamId {
        #[command(flatten)]
        port: PortArgs,
        #[arg(long)]
        json: bool,
    },
    /// Whether the reader answers and its security module is healthy.
    Status {
        #[command(flatten)]
        port: PortArgs,
        #[arg(long)]
        json: bool,
    },
    /// Run the reader simulator on a pseudo-terminal until interrupted (for
    /// trying the commands above and the kiosk without hardware).
    Simulate {
        /// Card fixture (JSON, the field names of `read --json`)
        #[arg(long)]
        card: Option<PathBuf>,
        /// Where to put the symlink to the pty
        #[arg(long)]
        link: PathBuf,
        #[arg(long, default_value_t = 115200)]
        baud: u32,
    },
}

fn main() -> ExitCode {
    let started = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Config {
            cmd: ConfigCmd::Check { ref file },
        }) => return config_check(file),
        Some(Command::Hall { ref cmd }) => hall(cmd),
        Some(Command::Device { ref cmd }) => device(&cli, cmd),
        Some(Command::Outbox {
            cmd: OutboxCmd::Recover { ref file },
        }) => outbox_recover(&cli, file),
        None => match &cli.screenshots {
            Some(dir) => screenshots(&cli, dir),
            None => run(&cli, started),
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kiosk: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load(cli: &Cli) -> Result<Config, ExitCode> {
    config::load(&cli.config, cli.data.as_deref()).map_err(|errs| {
        eprintln!("{errs}");
        eprintln!(
            "kiosk: the configuration has {} problem(s); not starting",
            errs.0.len()
        );
        ExitCode::from(2)
    })
}

fn config_check(file: &Path) -> ExitCode {
    match config::load(file, None) {
        Ok(cfg) => {
            println!(
                "{}: ok ({} service items, {}x{} {:?})",
                file.display(),
                cfg.catalog.items.len(),
                cfg.raw.display.size().0,
                cfg.raw.display.size().1,
                cfg.raw.display.orientation
            );
            ExitCode::SUCCESS
        }
        Err(errs) => {
            println!("{errs}");
            ExitCode::from(2)
        }
    }
}

fn hall(cmd: &HallCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        HallCmd::Serve {
            listen,
            db,
            catalog,
        } => {
            let catalog = match catalog {
                Some(f) => {
                    let mut problems = Vec::new();
                    let text = std::fs::read_to_string(f)?;
                    match config::check_catalog(&f.display().to_string(), &text, &mut problems) {
                        Some(c) => serde_json::to_value(c)?,
                        None => {
                            for p in problems {
                                eprintln!("{p}");
                            }
                            return Ok(ExitCode::from(2));
                        }
                    }
                }
                None => serde_json::json!({ "item": [] }),
            };
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async {
                let l = tokio::net::TcpListener::bind(listen).await?;
                eprintln!("kiosk hall: listening on http://{}", l.local_addr()?);
                kiosk_hall::server::serve(l, db, catalog).await?;
                anyhow::Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        HallCmd::Stats { db, json } => {
            if !db.exists() {
                anyhow::bail!("{}: no such hall database", db.display());
            }
            let s = kiosk_hall::server::stats(db)?;
            if *json {
                // Exactly the shape the issue names (tools match on it).
                println!(
                    "{{\"applications\": {}, \"duplicates\": {}, \"attachments\": {}}}",
                    s.applications, s.duplicates, s.attachments
                );
            } else {
                println!(
                    "applications: {}\nduplicates: {}\nattachments: {}",
                    s.applications, s.duplicates, s.attachments
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn outbox_recover(cli: &Cli, file: &Path) -> anyhow::Result<ExitCode> {
    let cfg = match load(cli) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    if !file.exists() {
        eprintln!("kiosk: {}: no such file", file.display());
        return Ok(ExitCode::from(2));
    }
    let live = cfg.data_dir.join("outbox").join("outbox.db");
    let same = |a: &Path, b: &Path| {
        a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(a, b)| a == b)
    };
    let given_live = same(file, &live);
    let outbox = kiosk::runtime::startup::open_outbox(&cfg)?;
    // Given the live outbox itself: opening it set it aside if damaged.
    let file = match (given_live, outbox.damaged()) {
        (true, Some(d)) => d.kept_as.clone(),
        (true, None) => {
            println!(
                "{}: the outbox is not damaged; nothing to recover",
                file.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        (false, _) => file.to_path_buf(),
    };
    let r = match outbox.recover_from(&file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kiosk: {}: nothing could be read: {e}", file.display());
            return Ok(ExitCode::from(1));
        }
    };
    println!(
        "recovered {} of {} applications ({} pages) from {}; {} already recovered, {} unreadable",
        r.recovered,
        r.found,
        r.pages,
        file.display(),
        r.already,
        r.unreadable
    );
    let rt = tokio::runtime::Runtime::new()?;
    let h = &cfg.raw.hall;
    let url = if h.url == "embedded" {
        kiosk::runtime::startup::start_embedded_hall(&rt, &cfg, &h.listen)?
    } else {
        h.url.clone()
    };
    let hall = kiosk_hall::HallClient::new(
        &url,
        &cfg.raw.terminal.id,
        Duration::from_secs(h.timeout_secs),
    )?;
    let before = outbox.count_undelivered()?;
    let pending = rt.block_on(outbox.flush(&hall))?;
    println!(
        "delivered {}; {} still waiting in the outbox (the kiosk sends them when the hall answers)",
        before.saturating_sub(pending),
        pending
    );
    Ok(if r.unreadable == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn device(cli: &Cli, cmd: &DeviceCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        DeviceCmd::Idcard { cmd } => idcard::run(cmd),
        DeviceCmd::Printer { cmd } => match load(cli) {
            Ok(cfg) => printer_cli::run(&cfg, cmd),
            Err(code) => Ok(code),
        },
        DeviceCmd::Camera { cmd } => camera_cli::run(cmd),
        DeviceCmd::A4 { cmd } => match load(cli) {
            Ok(cfg) => printer_cli::run_a4(&cfg, cmd),
            Err(code) => Ok(code),
        },
        DeviceCmd::Status { json } => {
            let cfg = match load(cli) {
                Ok(c) => c,
                Err(code) => return Ok(code),
            };
            let (tx, _rx) = std::sync::mpsc::channel();
            let devices = Devices::open(&cfg, tx);
            // Give the drivers a moment to open their devices.
            let until = Instant::now() + Duration::from_secs(3);
            while Instant::now() < until
                && devices.health().iter().any(
                    |(_, s)| matches!(s, kiosk_device::DeviceStatus::Offline(m) if m == kiosk_idcard::CONNECTING),
                )
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            let mut health: Vec<(String, kiosk_device::DeviceStatus)> = devices
                .health()
                .into_iter()
                .map(|(k, s)| {
                    let key = serde_json::to_value(k)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default();
                    (key, s)
                })
                .collect();
            // Not a device, but what a technician must know: an outbox kept
            // aside as damaged, waiting for `kiosk outbox recover`.
            let damaged = kiosk_hall::outbox::damaged_files(&cfg.data_dir.join("outbox"));
            health.push((
                "outbox".into(),
                match damaged.last() {
                    Some(p) => kiosk_device::DeviceStatus::NeedsAttention(
                        kiosk::runtime::startup::damaged_line(p, None),
                    ),
                    None => kiosk_device::DeviceStatus::Ready,
                },
            ));
            if *json {
                let map: serde_json::Map<String, serde_json::Value> = health
                    .iter()
                    .map(|(k, s)| (k.clone(), serde_json::to_value(s).unwrap_or_default()))
                    .collect();
                println!("{}", serde_json::Value::Object(map));
            } else {
                // Staff read this in the terminal's own language.
                let tr = kiosk::i18n::Tr(cfg.session_config().default_lang);
                use kiosk_device::DeviceKind::*;
                for (k, s) in &health {
                    let label = match k.as_str() {
                        "outbox" => tr.t("发件箱"),
                        "id-card-reader" => kiosk::messages::device_name(tr, IdCardReader),
                        "camera" => kiosk::messages::device_name(tr, Camera),
                        "printer" => kiosk::messages::device_name(tr, Printer),
                        "a4-printer" => kiosk::messages::device_name(tr, A4Printer),
                        "ticket-dispenser" => kiosk::messages::device_name(tr, TicketDispenser),
                        other => other.to_string(),
                    };
                    println!("{label}: {}", kiosk::messages::device_status(tr, s));
                }
            }
            Ok(if health.iter().all(|(_, s)| s.is_usable()) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

mod idcard {
    //! `kiosk device idcard …`: the technician's view of the reader.
    use std::process::ExitCode;
    use std::time::{Duration, Instant};

    use kiosk_idcard::transport::Serial;
    use kiosk_idcard::{Ga467, IdCard, Timeouts};

    use super::{IdcardCmd, PortArgs};

    fn open(p: &PortArgs) -> anyhow::Result<Ga467> {
        let t = Serial::open(&p.port, p.baud)
            .map_err(|e| anyhow::anyhow!("cannot open the reader at {}: {e}", p.port.display()))?;
        Ok(Ga467::new(Box::new(t), Timeouts::for_baud(p.baud)))
    }

    fn fail(msg: String) -> anyhow::Result<ExitCode> {
        eprintln!("kiosk: {msg}");
        Ok(ExitCode::from(1))
    }

    fn print_card(c: &IdCard, expired: bool, has_photo: bool) {
        let line = |k: &str, v: &str| {
            if !v.is_empty() {
                println!("{k}: {v}");
            }
        };
        line(
            "证件类型",
            match c.card_type {
                kiosk_idcard::CardType::Resident => "居民身份证",
                kiosk_idcard::CardType::HkMacaoTaiwanPermit => "港澳台居民居住证",
                kiosk_idcard::CardType::ForeignPermanentResident => "外国人永久居留身份证",
                kiosk_idcard::CardType::ForeignPermanentResident2023 => {
                    "外国人永久居留身份证（2023版）"
                }
            },
        );
        line("姓名", &c.name);
        if let Some(e) = &c.english_name {
            line("英文姓名", e);
        }
        line("性别", &c.gender);
        line("民族", &c.nation);
        if let Some(n) = &c.nationality {
            line("国籍", n);
        }
        line("出生", &c.birth);
        line("住址", &c.address);
        line("证件号码", &c.id_number);
        line("签发机关", &c.authority);
        for (k, v) in [
            ("通行证号码", &c.pass_number),
            ("签发次数", &c.issue_count),
            ("证件版本", &c.card_version),
            ("受理机关代码", &c.authority_code),
            ("换证次数", &c.renewal_count),
            ("既往证件号码关联项", &c.previous_number_link),
        ] {
            if let Some(v) = v {
                line(k, v);
            }
        }
        let valid = format!(
            "{}-{}{}",
            c.valid_from,
            c.valid_to,
            if expired { "（已过期）" } else { "" }
        );
        line("有效期限", &valid);
        line(
            "相片",
            if has_photo {
                "已读取（WLT 格式，需授权解码库）"
            } else {
                "无"
            },
        );
    }

    pub fn run(cmd: &IdcardCmd) -> anyhow::Result<ExitCode> {
        match cmd {
            IdcardCmd::Read {
                port,
                json,
                show_pii,
                fingerprint,
                wait,
            } => {
                let mut d = match open(port) {
                    Ok(d) => d,
                    Err(e) => return fail(e.to_string()),
                };
                if let Err(e) = d.sam_status() {
                    return fail(format!(
                        "the reader at {} does not answer: {}",
                        port.port.display(),
                        e.technician_message()
                    ));
                }
                let until = Instant::now() + Duration::from_secs(*wait);
                let card = loop {
                    match d.read_card(*fingerprint, None) {
                        Ok(Some(c)) => break c,
                        Ok(None) if Instant::now() < until => {
                            std::thread::sleep(Duration::from_millis(200))
                        }
                        Ok(None) => return fail(format!("no card on the reader after {wait} s")),
                        Err(e) if e.is_link() => return fail(e.technician_message()),
                        Err(e) => return fail(format!("the card could not be read: {e}")),
                    }
                };
                let expired = card.expired_on(&kiosk_idcard::today_local());
                let shown = if *show_pii {
                    card.clone()
                } else {
                    card.masked()
                };
                if *json {
                    println!("{}", serde_json::to_string(&shown)?);
                } else {
                    print_card(&shown, expired, !card.photo_wlt.is_empty());
                }
                if expired {
                    eprintln!("kiosk: note: this card expired on {}", card.valid_to);
                }
                Ok(ExitCode::SUCCESS)
            }
            IdcardCmd::SamId { port, json } => {
                let mut d = match open(port) {
                    Ok(d) => d,
                    Err(e) => return fail(e.to_string()),
                };
                match d.sam_id() {
                    Ok(id) if *json => println!("{}", serde_json::json!({ "sam_id": id })),
                    Ok(id) => println!("{id}"),
                    Err(e) => return fail(e.technician_message()),
                }
                Ok(ExitCode::SUCCESS)
            }
            IdcardCmd::Status { port, json } => {
                let status = match open(port) {
                    Err(e) => kiosk_device::DeviceStatus::Offline(e.to_string()),
                    Ok(mut d) => match d.sam_status() {
                        Ok(()) => kiosk_device::DeviceStatus::Ready,
                        Err(e)
                            if e.is_link()
                                || matches!(e, kiosk_idcard::DriverError::Timeout(_)) =>
                        {
                            kiosk_device::DeviceStatus::Offline(e.technician_message())
                        }
                        Err(e) => {
                            kiosk_device::DeviceStatus::NeedsAttention(e.technician_message())
                        }
                    },
                };
                if *json {
                    println!("{}", serde_json::to_string(&status)?);
                } else {
                    let tr = kiosk::i18n::Tr(kiosk_core::Lang::ZhCn);
                    println!(
                        "{}: {}",
                        kiosk::messages::device_name(tr, kiosk_device::DeviceKind::IdCardReader),
                        kiosk::messages::device_status(tr, &status)
                    );
                }
                Ok(if status.is_usable() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                })
            }
            IdcardCmd::Simulate { card, link, baud } => {
                use kiosk_idcard::sim;
                let mut cfg = sim::SimConfig::new(link.clone(), *baud);
                if let Some(c) = card {
                    cfg.card = Some(sim::load_fixture(c)?);
                }
                let h = sim::start(cfg)?;
                eprintln!(
                    "kiosk: ID-card simulator at {} ({} baud); Ctrl-C stops it",
                    h.path().display(),
                    baud
                );
                loop {
                    std::thread::sleep(Duration::from_secs(3600));
                }
            }
        }
    }
}

fn screenshots(cli: &Cli, dir: &Path) -> anyhow::Result<ExitCode> {
    let cfg = match load(cli) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let mode = match cli.mode {
        Mode::Normal => DisplayMode::Normal,
        Mode::Elderly => DisplayMode::Elderly,
        Mode::Contrast => DisplayMode::Contrast,
    };
    let lang = kiosk_core::Lang::from_code(&cli.lang).unwrap_or_default();
    if !cfg.session_config().languages.contains(&lang) {
        eprintln!(
            "kiosk: {} is not among this terminal's languages (terminal.languages in {})",
            cli.lang,
            cli.config.display()
        );
        return Ok(ExitCode::from(2));
    }
    for f in kiosk::screenshots::render_all(&cfg, dir, mode, lang)? {
        println!("{}", f.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn run(cli: &Cli, started: Instant) -> anyhow::Result<ExitCode> {
    let cfg = match load(cli) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        let (w, h) = cfg.raw.display.size();
        eprintln!(
            "kiosk: no display (neither DISPLAY nor WAYLAND_DISPLAY is set).\n\
             On a headless machine run it in a virtual screen:\n    \
             xvfb-run -a -s '-screen 0 {w}x{h}x24' kiosk --config {}\n\
             or render every screen to PNG without a display:\n    \
             kiosk --screenshots DIR",
            cli.config.display()
        );
        return Ok(ExitCode::from(3));
    }
    let ui =
        KioskWindow::new().map_err(|e| anyhow::anyhow!("cannot open the kiosk window: {e}"))?;
    let (w, h) = cfg.raw.display.size();
    ui.set_screen_width(w as f32);
    ui.set_screen_height(h as f32);
    ui.global::<kiosk::AppState>().set_landscape(w > h);
    ui.global::<kiosk::Theme>().set_landscape(w > h);
    if cfg.raw.display.fullscreen {
        ui.window().set_fullscreen(true);
    }
    let session = Session::new(
        Arc::new(cfg.catalog.clone()),
        cfg.session_config(),
        Millis(0),
    );
    let t0 = Instant::now();
    let mut hall_url = String::new();
    let mut start_err = None;
    let controller = Controller::new(
        ui.clone_strong(),
        session,
        Box::new(move || Millis(t0.elapsed().as_millis() as u64)),
        |tx| match Runtime::start(&cfg, tx) {
            Ok(rt) => {
                hall_url = rt.hall_url.clone();
                Box::new(rt)
            }
            Err(e) => {
                start_err = Some(e);
                Box::new(NoRuntime)
            }
        },
    );
    if let Some(e) = start_err {
        return Err(e);
    }
    controller.set_screen_size(w, h);
    controller.set_terminal_name(cfg.raw.terminal.name.0.clone());
    tracing::info!(hall = %hall_url, data = %cfg.data_dir.display(), "kiosk started");

    let c: Rc<Controller> = controller;
    let _probe = match &cli.ui_probe {
        Some(addr) => Some(kiosk::probe::start(&c.ui, addr)?),
        None => None,
    };
    let pump = slint::Timer::default();
    let weak = Rc::downgrade(&c);
    pump.start(
        slint::TimerMode::Repeated,
        Duration::from_millis(50),
        move || {
            if let Some(c) = weak.upgrade() {
                c.pump();
            }
        },
    );
    slint::Timer::single_shot(Duration::ZERO, move || {
        let rss = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_string())
            })
            .unwrap_or_else(|| "?".into());
        // Not eprintln!: a closed stderr must not take the running kiosk down.
        let _ = writeln!(
            std::io::stderr(),
            "kiosk: window up, event loop running after {} ms; resident memory {rss} kB (scripts/first-frame.py measures the first painted frame)",
            started.elapsed().as_millis()
        );
    });
    ui.run()
        .map_err(|e| anyhow::anyhow!("the kiosk window failed: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Stand-in while the runtime failed to start (the error is reported right after).
struct NoRuntime;
impl kiosk::Executor for NoRuntime {
    fn perform(&self, _: &kiosk_core::Effect) {}
}
