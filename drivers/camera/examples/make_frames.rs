//! Writes the committed simulator frames: `cargo run -p kiosk-camera --release --example
//! make_frames -- assets/sim/camera`. Each `page-NN.jpg` gets a `page-NN.json` sidecar
//! with the page's true corners.

use kiosk_camera::synth::desk_photo;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "assets/sim/camera".into());
    // (name, width, height, seed, quality): about 2–3 MP each, under ~600 KB.
    let frames = [
        ("page-02", 1920, 1440, 2, 80),
        ("page-03", 2048, 1536, 3, 78),
        ("page-04", 1800, 1350, 4, 80),
    ];
    for (name, w, h, seed, q) in frames {
        let f = desk_photo(w, h, seed, q)?;
        let jpg = std::path::Path::new(&dir).join(format!("{name}.jpg"));
        std::fs::write(&jpg, &f.jpeg)?;
        std::fs::write(jpg.with_extension("json"), f.sidecar_json())?;
        println!("{} {}x{} {} bytes", jpg.display(), w, h, f.jpeg.len());
    }
    Ok(())
}
