//! `cargo bench -p kiosk-camera --bench scan`: the scan pipeline on generated 5, 12 and
//! 16 MP photos of a page, side by side with OpenCV doing the same steps
//! (`benches/opencv_peer.py`, python3-opencv), both pinned to one core (CPU 0; the
//! Python child inherits the affinity). Prints per-stage medians, corner error against
//! the generator's truth and peak memory per page.
//!
//! Env: `SCAN_BENCH_RUNS` (default 5), `SCAN_BENCH_SIZES` (e.g. `12`),
//! `SCAN_BENCH_PYTHON` (default /usr/bin/python3).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use kiosk_camera::{scan_jpeg, synth::desk_photo, ScanOptions, StageTimes};

/// Counts live heap bytes and their peak (Rust allocations; libjpeg-turbo's own small
/// working buffers are C mallocs and are seen only in the RSS figure).
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new > l.size() {
                let now = LIVE.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

fn pin_to_cpu0() -> bool {
    // SAFETY: a zeroed cpu_set_t with one bit set, passed by pointer with its size.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(0, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

fn proc_status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix(key)
                    .and_then(|v| v.split_whitespace().next()?.parse().ok())
            })
        })
        .unwrap_or(0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn corner_err(found: &[[f64; 2]; 4], truth: &[[f64; 2]; 4]) -> f64 {
    found
        .iter()
        .zip(truth)
        .map(|(a, b)| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt())
        .fold(0.0, f64::max)
}

struct Row {
    ms: StageTimes,
    err: f64,
    mem: f64,
    note: String,
}

fn row(label: &str, side: &str, r: &Row) {
    let m = r.ms;
    println!(
        "{label:<14} {side:<7} {:>7.1} {:>7.1} {:>7.1} {:>7.1} {:>7.1} {:>8.1} {:>9.2} {:>9.2}  {}",
        m.decode, m.detect, m.warp, m.flatten, m.encode, m.total, r.err, r.mem, r.note
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken from the command line.
    let runs: usize = std::env::var("SCAN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let sizes_env = std::env::var("SCAN_BENCH_SIZES").unwrap_or_else(|_| "5,12,16".into());
    let python = std::env::var("SCAN_BENCH_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
    let pinned = pin_to_cpu0();
    let dir = std::env::temp_dir().join(format!("kiosk-camera-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench temp dir");
    let all = [(5u32, 2592u32, 1944u32), (12, 4000, 3000), (16, 4608, 3456)];
    let opts = ScanOptions::default();
    println!(
        "scan bench: {} runs (median), A4 at {} dpi, JPEG q{}, pinned to CPU 0: {pinned}",
        runs, opts.dpi, opts.jpeg_quality
    );
    let mut frames = Vec::new();
    for (mp, w, h) in all {
        if !sizes_env.split(',').any(|s| s.trim() == mp.to_string()) {
            continue;
        }
        let f = desk_photo(w, h, 100 + u64::from(mp), 90).expect("generate frame");
        let path = dir.join(format!("desk-{mp}mp.jpg"));
        std::fs::write(&path, &f.jpeg).expect("write frame");
        std::fs::write(path.with_extension("json"), f.sidecar_json()).expect("write sidecar");
        frames.push((mp, w, h, path, f.corners, f.jpeg.len()));
    }
    let py = std::process::Command::new(&python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/opencv_peer.py"
        ))
        .args([
            "--runs",
            &runs.to_string(),
            "--dpi",
            &opts.dpi.to_string(),
            "--quality",
        ])
        .arg(opts.jpeg_quality.to_string())
        .args(frames.iter().map(|f| f.3.as_os_str()))
        .output();
    let peer: Vec<serde_json::Value> = match &py {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
        Ok(o) => {
            eprintln!("OpenCV peer failed: {}", String::from_utf8_lossy(&o.stderr));
            Vec::new()
        }
        Err(e) => {
            eprintln!("OpenCV peer not run ({python}: {e}); scripts/setup-debian.sh --bench installs python3-opencv");
            Vec::new()
        }
    };
    println!(
        "{:<14} {:<7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>9} {:>9}",
        "frame",
        "side",
        "decode",
        "detect",
        "warp",
        "flatten",
        "encode",
        "total",
        "corner_px",
        "mem/frame"
    );
    println!(
        "{:<14} {:<7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>9} {:>9}",
        "", "", "ms", "ms", "ms", "ms", "ms", "ms", "max err", "(RGB=1)"
    );
    for (i, (mp, w, h, path, truth, size)) in frames.iter().enumerate() {
        let bytes = std::fs::read(path).expect("read frame");
        let frame_rgb = f64::from(*w) * f64::from(*h) * 3.0;
        // The first (cold) run also gives the RSS growth: later runs reuse memory the
        // allocator kept, so only the heap counter is meaningful for them.
        let _ = std::fs::write("/proc/self/clear_refs", "5"); // resets VmHWM
        let rss_cold0 = proc_status_kb("VmRSS:");
        let _ = scan_jpeg(&bytes, &opts);
        let rss_cold = proc_status_kb("VmHWM:").saturating_sub(rss_cold0) * 1024;
        let mut times = Vec::new();
        let (mut heap_peak, mut err) = (0usize, f64::NAN);
        for _ in 0..runs {
            let base = LIVE.load(Ordering::Relaxed);
            PEAK.store(base, Ordering::Relaxed);
            match scan_jpeg(&bytes, &opts) {
                Ok(s) => {
                    times.push(s.ms);
                    if let Some(c) = s.corners {
                        err = corner_err(&c.map(|p| [f64::from(p[0]), f64::from(p[1])]), truth);
                    }
                }
                Err(e) => eprintln!("{}: {e}", path.display()),
            }
            heap_peak = heap_peak.max(PEAK.load(Ordering::Relaxed) - base);
        }
        if times.is_empty() {
            continue;
        }
        let med = |f: fn(&StageTimes) -> f64| median(times.iter().map(f).collect());
        let ours = StageTimes {
            decode: med(|t| t.decode),
            detect: med(|t| t.detect),
            warp: med(|t| t.warp),
            flatten: med(|t| t.flatten),
            encode: med(|t| t.encode),
            total: med(|t| t.total),
        };
        let label = format!("{mp}MP {w}x{h}");
        row(
            &label,
            "rust",
            &Row {
                ms: ours,
                err,
                mem: heap_peak as f64 / frame_rgb,
                note: format!(
                    "heap peak {:.1} MB, RSS growth (cold run) {:.1} MB, frame {} KB",
                    heap_peak as f64 / 1e6,
                    rss_cold as f64 / 1e6,
                    size / 1024
                ),
            },
        );
        if let Some(p) = peer.get(i) {
            let g = |k: &str| p["ms"][k].as_f64().unwrap_or(f64::NAN);
            let ms = StageTimes {
                decode: g("decode"),
                detect: g("detect"),
                warp: g("warp"),
                flatten: g("flatten"),
                encode: g("encode"),
                total: g("total"),
            };
            let mut c = [[f64::NAN; 2]; 4];
            if let Some(a) = p["corners"].as_array() {
                for (k, pt) in a.iter().take(4).enumerate() {
                    c[k] = [
                        pt[0].as_f64().unwrap_or(f64::NAN),
                        pt[1].as_f64().unwrap_or(f64::NAN),
                    ];
                }
            }
            let rss = p["peak_rss"].as_f64().unwrap_or(f64::NAN);
            let rss_before = p["peak_rss_before"].as_f64().unwrap_or(f64::NAN);
            row(
                "",
                "opencv",
                &Row {
                    ms,
                    err: corner_err(&c, truth),
                    mem: f64::NAN,
                    note: format!(
                        "process peak RSS {:.1} MB (incl. Python, numpy), +{:.1} MB over the frame before",
                        rss / 1e6,
                        (rss - rss_before) / 1e6
                    ),
                },
            );
            println!(
                "{:<14} {:<7} rust/opencv total = {:.2}x",
                "",
                "ratio",
                ours.total / ms.total
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
