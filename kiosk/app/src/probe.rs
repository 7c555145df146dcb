//! `kiosk --ui-probe 127.0.0.1:PORT`: the live kiosk says where its buttons
//! are, so a script can tap them with real X input (`scripts/xdemo.sh` with
//! xdotool) by what is on the screen — the accessible labels a screen reader
//! and the UI tests use — not by pixel coordinates that go stale when a
//! screen's layout changes.
//!
//! One command per connection, one line each way:
//! - `screen` → the screen's name (`home`, `guide`, …);
//! - `where LABEL` → `X Y W H` of the one enabled button labelled LABEL, in
//!   physical pixels of the window, or `none`;
//! - `buttons` → every button's label, tab-separated.
//!
//! Only loopback addresses are accepted; the probe reads, it never presses.
//! It runs on the UI thread (a Slint timer polls the non-blocking socket), so
//! it sees exactly what the citizen sees.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementRoot};
use slint::ComponentHandle;

use crate::{AppState, KioskWindow};

fn buttons(ui: &KioskWindow) -> Vec<ElementHandle> {
    ui.root_element()
        .query_descendants()
        .match_accessible_role(AccessibleRole::Button)
        .find_all()
}

fn answer(ui: &KioskWindow, line: &str) -> String {
    let scale = ui.window().scale_factor();
    match line.split_once(' ') {
        _ if line == "screen" => ui.global::<AppState>().get_screen().to_string(),
        _ if line == "buttons" => buttons(ui)
            .iter()
            .filter_map(|b| b.accessible_label())
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\t"),
        Some(("where", label)) => {
            let found: Vec<ElementHandle> = buttons(ui)
                .into_iter()
                .filter(|b| b.accessible_label().is_some_and(|l| l == label))
                .filter(|b| b.accessible_enabled().unwrap_or(true))
                .collect();
            match found.as_slice() {
                [b] => {
                    let (p, s) = (b.absolute_position(), b.size());
                    format!(
                        "{} {} {} {}",
                        (p.x * scale).round(),
                        (p.y * scale).round(),
                        (s.width * scale).round(),
                        (s.height * scale).round()
                    )
                }
                [] => "none".into(),
                _ => format!("ambiguous {}", found.len()),
            }
        }
        _ => "unknown command".into(),
    }
}

fn serve(ui: &KioskWindow, mut s: TcpStream) {
    let _ = s.set_nonblocking(false);
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let mut line = String::new();
    if BufReader::new(&s).read_line(&mut line).is_ok() {
        let reply = answer(ui, line.trim_end_matches(['\r', '\n']));
        let _ = writeln!(s, "{reply}");
    }
}

/// Listens on `addr` (loopback only) and answers from a timer on the UI
/// thread; the timer must be kept alive by the caller.
pub fn start(ui: &KioskWindow, addr: &str) -> anyhow::Result<slint::Timer> {
    let addr: SocketAddr = addr
        .parse()
        .map_err(|e| anyhow::anyhow!("--ui-probe {addr}: {e}"))?;
    if !addr.ip().is_loopback() {
        anyhow::bail!("--ui-probe {addr}: only a loopback address is allowed");
    }
    let listener = TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    eprintln!("kiosk: ui probe on {}", listener.local_addr()?);
    let weak = ui.as_weak();
    let timer = slint::Timer::default();
    timer.start(
        slint::TimerMode::Repeated,
        Duration::from_millis(20),
        move || {
            let Some(ui) = weak.upgrade() else { return };
            while let Ok((s, _)) = listener.accept() {
                serve(&ui, s);
            }
        },
    );
    Ok(timer)
}
