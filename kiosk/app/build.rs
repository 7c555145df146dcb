//! Compiles the UI, with the gettext catalogs of `assets/translations`
//! bundled in (Slint's `@tr`), and turns the same catalogs into a table for
//! the Rust side (`$OUT_DIR/catalog.rs`, read by `src/i18n.rs`): one catalog
//! per language for the screens, the spoken prompts and the printed slips.
//! A malformed `.po` file fails the build here, naming the file and the line.

use std::fmt::Write;

use rspolib::TranslatedEntry;
use std::path::{Path, PathBuf};

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

    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("catalog.rs");
    if let Err(e) = std::fs::write(&out, rust_catalog(&translations)) {
        panic!("writing {}: {e}", out.display());
    }
}

/// The number of plural forms a catalog's `Plural-Forms` header declares; the
/// rule itself must be one the Rust side knows (`i18n::plural_index`).
fn plural_forms(path: &Path, header: Option<&String>) -> usize {
    let Some(h) = header else { return 2 };
    let compact: String = h.chars().filter(|c| !c.is_whitespace()).collect();
    match compact.trim_end_matches(';') {
        "nplurals=1;plural=0" => 1,
        "nplurals=2;plural=(n!=1)" | "nplurals=2;plural=n!=1" => 2,
        other => panic!(
            "{}: Plural-Forms {other:?}: only \"nplurals=1; plural=0;\" and \"nplurals=2; plural=(n != 1);\" are known to src/i18n.rs",
            path.display()
        ),
    }
}

fn rust_catalog(dir: &Path) -> String {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut langs: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path().join("LC_MESSAGES/kiosk.po")))
        .filter(|(_, p)| p.exists())
        .collect();
    // The order Slint bundles them in (sorted by folder name).
    langs.sort();
    let mut by_key: std::collections::BTreeMap<String, Vec<Vec<String>>> = Default::default();
    let mut nplurals = Vec::new();
    for (i, (_, path)) in langs.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", path.display());
        let po = rspolib::pofile(path.as_path())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        nplurals.push(plural_forms(path, po.metadata.get("Plural-Forms")));
        for e in &po.entries {
            if e.obsolete || e.msgid.is_empty() {
                continue;
            }
            let key = match &e.msgctxt {
                Some(c) => format!("{c}\u{4}{}", e.msgid),
                None => e.msgid.clone(),
            };
            let forms: Vec<String> = if e.fuzzy() || !e.translated() {
                Vec::new()
            } else if e.msgid_plural.is_some() {
                e.msgstr_plural.clone()
            } else {
                vec![e.msgstr.clone().unwrap_or_default()]
            };
            let slot = by_key.entry(key).or_insert_with(|| vec![Vec::new(); langs.len()]);
            slot[i] = forms;
        }
    }
    let mut s = String::new();
    let names: Vec<String> = langs.iter().map(|(l, _)| format!("{l:?}")).collect();
    writeln!(s, "/// The catalogs' languages (folder names), in Slint's bundle order.").unwrap();
    writeln!(s, "pub const LANGUAGES: [&str; {}] = [{}];", langs.len(), names.join(", ")).unwrap();
    writeln!(s, "/// Plural forms of each language's catalog.").unwrap();
    writeln!(s, "pub const NPLURALS: [usize; {}] = {:?};", langs.len(), nplurals).unwrap();
    writeln!(s, "/// (msgid, forms per language; empty where untranslated), sorted by msgid.").unwrap();
    writeln!(s, "pub static MESSAGES: &[(&str, [&[&str]; {}])] = &[", langs.len()).unwrap();
    for (key, per_lang) in &by_key {
        let forms: Vec<String> = per_lang
            .iter()
            .map(|f| format!("&[{}]", f.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ")))
            .collect();
        writeln!(s, "    ({key:?}, [{}]),", forms.join(", ")).unwrap();
    }
    writeln!(s, "];").unwrap();
    s
}
