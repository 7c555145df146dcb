//! What `kiosk device camera scan IN.jpg OUT.jpg [--dpi N] [--json]` does, for trying the
//! pipeline without the kiosk binary:
//! `cargo run -p kiosk-camera --release --example scan -- IN.jpg OUT.jpg --json`.

use kiosk_camera::{scan_jpeg, ScanOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = ScanOptions::default();
    let mut json = false;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--dpi" => opts.dpi = it.next().ok_or("--dpi needs a value")?.parse()?,
            _ => files.push(a.clone()),
        }
    }
    let [input, output] = files.as_slice() else {
        return Err("usage: scan IN.jpg OUT.jpg [--dpi N] [--json]".into());
    };
    let scan = scan_jpeg(&std::fs::read(input)?, &opts)?;
    std::fs::write(output, &*scan.jpeg)?;
    if json {
        println!("{}", serde_json::to_string(&scan.report())?);
    } else if let Some(c) = scan.corners {
        println!("corners {c:?}, {:.1} ms", scan.ms.total);
    }
    Ok(())
}
