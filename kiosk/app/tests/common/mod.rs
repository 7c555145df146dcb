//! Running the real `kiosk` binary from the CLI tests.
#![allow(dead_code)] // each test binary uses its own part

use std::path::{Path, PathBuf};
use std::process::Command;

/// The top of the checkout.
pub fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Runs `kiosk ARGS`: (exit code, stdout, stderr).
pub fn kiosk(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs `kiosk --config config/demo.toml --data DATA ARGS`.
pub fn kiosk_demo(data: &Path, args: &[&str]) -> (i32, String, String) {
    let config = repo().join("config/demo.toml");
    let mut all = vec![
        "--config",
        config.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    kiosk(&all)
}
