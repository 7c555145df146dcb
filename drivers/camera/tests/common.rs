#![allow(dead_code)]
use std::path::PathBuf;

pub fn sim_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/sim/camera")
}

/// The committed frames that have a ground-truth sidecar, with their corners.
pub fn frames_with_truth() -> Vec<(PathBuf, [[f64; 2]; 4])> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(sim_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|e| e == "jpg") && p.with_extension("json").exists() {
            let j: serde_json::Value =
                serde_json::from_slice(&std::fs::read(p.with_extension("json")).unwrap()).unwrap();
            let c = j["corners"].as_array().unwrap();
            let mut corners = [[0.0; 2]; 4];
            for (i, pt) in c.iter().enumerate() {
                corners[i] = [pt[0].as_f64().unwrap(), pt[1].as_f64().unwrap()];
            }
            v.push((p, corners));
        }
    }
    v.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(v.len() >= 3, "expected the committed frames with sidecars");
    v
}

pub fn corner_error(found: &[[f32; 2]; 4], truth: &[[f64; 2]; 4]) -> f64 {
    found
        .iter()
        .zip(truth)
        .map(|(a, b)| ((f64::from(a[0]) - b[0]).powi(2) + (f64::from(a[1]) - b[1]).powi(2)).sqrt())
        .fold(0.0, f64::max)
}

/// Decodes a JPEG to greyscale with the `image` crate (an independent decoder).
pub fn gray(jpeg: &[u8]) -> image::GrayImage {
    image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .unwrap()
        .to_luma8()
}
