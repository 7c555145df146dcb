//! `kiosk` — the self-service terminal and its technician commands.

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

fn device(cli: &Cli, cmd: &DeviceCmd) -> anyhow::Result<ExitCode> {
    let cfg = match load(cli) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    match cmd {
        DeviceCmd::Status { json } => {
            let (tx, _rx) = std::sync::mpsc::channel();
            let devices = Devices::open(&cfg, tx);
            let health = devices.health();
            if *json {
                let map: serde_json::Map<String, serde_json::Value> = health
                    .iter()
                    .map(|(k, s)| {
                        (
                            serde_json::to_value(k)
                                .ok()
                                .and_then(|v| v.as_str().map(String::from))
                                .unwrap_or_default(),
                            serde_json::to_value(s).unwrap_or_default(),
                        )
                    })
                    .collect();
                println!("{}", serde_json::Value::Object(map));
            } else {
                for (k, s) in &health {
                    println!("{}: {}", k.label(), s.describe());
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

fn screenshots(cli: &Cli, dir: &Path) -> anyhow::Result<ExitCode> {
    if cli.lang != "zh-CN" {
        eprintln!(
            "kiosk: language {} is not available yet: only zh-CN ships so far",
            cli.lang
        );
        return Ok(ExitCode::from(2));
    }
    let cfg = match load(cli) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let mode = match cli.mode {
        Mode::Normal => DisplayMode::Normal,
        Mode::Elderly => DisplayMode::Elderly,
        Mode::Contrast => DisplayMode::Contrast,
    };
    for f in kiosk::screenshots::render_all(&cfg, dir, mode)? {
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
    ui.global::<kiosk::AppState>()
        .set_terminal_name(cfg.raw.terminal.name.as_str().into());
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
    tracing::info!(hall = %hall_url, data = %cfg.data_dir.display(), "kiosk started");

    let c: Rc<Controller> = controller;
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
        eprintln!(
            "kiosk: window up, event loop running after {} ms; resident memory {rss} kB (scripts/first-frame.sh measures the first painted frame)",
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
