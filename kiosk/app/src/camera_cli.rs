//! `kiosk device camera …`: the document camera's pipeline on a file, for
//! technicians and for checking the pipeline from outside.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use kiosk_camera::{scan_jpeg, ScanOptions, Target};

#[derive(Subcommand)]
pub enum CameraCmd {
    /// Find the page in a photo, correct its perspective and light, write the
    /// result as JPEG, and print the corners found (clockwise from top-left,
    /// input pixels).
    Scan {
        /// The camera frame (JPEG).
        input: PathBuf,
        /// Where the corrected page goes (JPEG).
        output: PathBuf,
        /// Output resolution: 200 (default) or 300 for fine print; 50..=600.
        #[arg(long, default_value_t = 200)]
        dpi: u32,
        /// JPEG quality of the result, 1..=100.
        #[arg(long, default_value_t = 85)]
        quality: u8,
        /// Cut to one side of an ID card (85.6 × 54 mm) instead of A4.
        #[arg(long)]
        id_card: bool,
        /// Print {"corners": [[x,y],…], "ms": {…}} instead of a line of text.
        #[arg(long)]
        json: bool,
    },
    /// List the V4L2 capture devices with their formats and sizes (for
    /// `devices.camera.device`, `width`, `height` and `format`).
    List,
}

fn fail(msg: String) -> anyhow::Result<ExitCode> {
    eprintln!("kiosk: {msg}");
    Ok(ExitCode::from(1))
}

pub fn run(cmd: &CameraCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        CameraCmd::List => {
            let devices = kiosk_camera::v4l2::list_devices();
            if devices.is_empty() {
                println!("no V4L2 capture device found under /dev");
                return Ok(ExitCode::from(1));
            }
            for d in devices {
                println!("{}\t{} ({}, {})", d.path.display(), d.card, d.driver, d.bus);
                for f in d.formats {
                    let sizes: Vec<String> =
                        f.sizes.iter().map(|(w, h)| format!("{w}x{h}")).collect();
                    let name = format!("{:?}", f.format).to_lowercase();
                    println!("\t{name}: {}", sizes.join(" "));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CameraCmd::Scan {
            input,
            output,
            dpi,
            quality,
            id_card,
            json,
        } => {
            let bytes = match std::fs::read(input) {
                Ok(b) => b,
                Err(e) => return fail(format!("{}: {e}", input.display())),
            };
            let opts = ScanOptions {
                dpi: *dpi,
                target: if *id_card { Target::IdCard } else { Target::A4 },
                jpeg_quality: *quality,
            };
            let scan = match scan_jpeg(&bytes, &opts) {
                Ok(s) => s,
                Err(e) => {
                    // The technician reads the error and what a citizen would be told.
                    let said = kiosk::messages::capture_trouble(
                        kiosk::i18n::Tr(kiosk_core::Lang::ZhCn),
                        kiosk::runtime::devices::capture_trouble_of_scan(&e),
                    );
                    return fail(format!("{}: {e} ({said})", input.display()));
                }
            };
            if let Err(e) = std::fs::write(output, &*scan.jpeg) {
                return fail(format!("{}: {e}", output.display()));
            }
            if *json {
                println!("{}", serde_json::to_string(&scan.report())?);
            } else {
                let c = scan.corners.unwrap_or_default();
                println!(
                    "corners {} · {}x{} at {} dpi · {:.1} ms",
                    c.iter()
                        .map(|p| format!("({:.1}, {:.1})", p[0], p[1]))
                        .collect::<Vec<_>>()
                        .join(" "),
                    scan.width,
                    scan.height,
                    scan.dpi,
                    scan.ms.total
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
