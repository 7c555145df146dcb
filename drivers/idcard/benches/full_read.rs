//! Full card read (find + select + read, 30 01) over a real pty against the
//! simulator at 115200 baud, compared with the wire time of the bytes exchanged
//! (bytes × 10 / baud, 8N1). The simulator paces both directions at the baud
//! rate, so the wire time is the floor; the goal is ≤ 1.05× of it.
//!
//!     cargo bench -p kiosk-idcard --bench full_read

use std::path::Path;
use std::time::{Duration, Instant};

use kiosk_idcard::sim::{self, SimConfig};
use kiosk_idcard::transport::Serial;
use kiosk_idcard::{Ga467, Timeouts};

fn main() {
    for baud in [115200u32, 57600, 9600] {
        let runs = if baud == 9600 { 5 } else { 30 };
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = SimConfig::new(dir.path().join("ttyIDCARD"), baud);
        cfg.card = Some(
            sim::load_fixture(Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../assets/sim/idcard/ouyang-yan.json"
            )))
            .unwrap(),
        );
        let sim = sim::start(cfg).unwrap();
        let mut d = Ga467::new(
            Box::new(Serial::open(sim.path(), baud).unwrap()),
            Timeouts::for_baud(baud),
        );
        d.read_card(false, None).unwrap().expect("warm-up read");
        let before = sim.stats();
        let mut times = Vec::new();
        for _ in 0..runs {
            let t0 = Instant::now();
            let card = d.read_card(false, None).unwrap().expect("a card");
            times.push(t0.elapsed());
            assert_eq!(card.name, kiosk_idcard::sim::fixture_card().name);
        }
        let after = sim.stats();
        let bytes =
            (after.bytes_in + after.bytes_out - before.bytes_in - before.bytes_out) / runs as u64;
        let wire = Duration::from_secs_f64(bytes as f64 * 10.0 / baud as f64);
        times.sort();
        let median = times[times.len() / 2];
        let mean = times.iter().sum::<Duration>() / runs as u32;
        println!(
            "full read at {baud:>6} baud: {bytes} bytes, wire time {:.2} ms | driver median {:.2} ms, mean {:.2} ms, min {:.2} ms, max {:.2} ms | median/wire = {:.3}x ({runs} runs)",
            wire.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3,
            mean.as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            median.as_secs_f64() / wire.as_secs_f64(),
        );
    }
}
