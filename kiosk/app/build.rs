//! Compiles the UI, with the gettext catalogs of `assets/translations`
//! bundled in (Slint's `@tr`), and turns the same catalogs into a table for
//! the Rust side (`$OUT_DIR/catalog.rs`, read by `src/i18n.rs`): one catalog
//! per language for the screens, the spoken prompts and the printed slips.
//! A malformed `.po` file fails the build here, naming the file and the line.

use std::path::PathBuf;

#[path = "catalog_table.rs"]
mod catalog_table;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let translations = manifest.join("../../assets/translations");

    // Debug builds (and so the tests) carry element debug info, which the
    // accessibility-driven UI tests (i-slint-backend-testing's ElementHandle) need.
    // Release builds for the terminal leave it out.
    let debug_info = std::env::var("PROFILE").as_deref() == Ok("debug");
    let config = slint_build::CompilerConfiguration::new()
        .with_debug_info(debug_info)
        .with_bundled_translations(&translations)
        // One entry per sentence, shared by the screens and the Rust side.
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    slint_build::compile_with_config("ui/app.slint", config).expect("the kiosk UI compiles");

    println!("cargo:rerun-if-changed={}", translations.display());
    let table = match catalog_table::rust_catalog(&translations, &mut |p| {
        println!("cargo:rerun-if-changed={}", p.display())
    }) {
        Ok(t) => t,
        // The file and the line of a malformed catalog, as the build's error.
        Err(e) => panic!("{e}"),
    };
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("catalog.rs");
    if let Err(e) = std::fs::write(&out, table) {
        panic!("writing {}: {e}", out.display());
    }
}
