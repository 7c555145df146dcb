//! The gettext catalogs as a table for the Rust side (included by `build.rs`,
//! and by the tests that check it reports a malformed catalog).

use std::fmt::Write;
use std::path::{Path, PathBuf};

use rspolib::TranslatedEntry;

/// The number of plural forms a catalog's `Plural-Forms` header declares; the
/// rule itself must be one the Rust side knows (`i18n::plural_index`).
pub fn plural_forms(path: &Path, header: Option<&String>) -> Result<usize, String> {
    let Some(h) = header else { return Ok(2) };
    let compact: String = h.chars().filter(|c| !c.is_whitespace()).collect();
    match compact.trim_end_matches(';') {
        "nplurals=1;plural=0" => Ok(1),
        "nplurals=2;plural=(n!=1)" | "nplurals=2;plural=n!=1" => Ok(2),
        other => Err(format!(
            "{}: Plural-Forms {other:?}: only \"nplurals=1; plural=0;\" and \"nplurals=2; plural=(n != 1);\" are known to src/i18n.rs",
            path.display()
        )),
    }
}

/// The Rust source of the catalog table of every `<dir>/<lang>/LC_MESSAGES/kiosk.po`;
/// `seen` is told each file read. A malformed catalog is an `Err` naming the
/// file and the line.
pub fn rust_catalog(dir: &Path, seen: &mut dyn FnMut(&Path)) -> Result<String, String> {
    let mut langs: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.path().join("LC_MESSAGES/kiosk.po"),
            )
        })
        .filter(|(_, p)| p.exists())
        .collect();
    // The order Slint bundles them in (sorted by folder name).
    langs.sort();
    let mut by_key: std::collections::BTreeMap<String, Vec<Vec<String>>> = Default::default();
    let mut nplurals = Vec::new();
    for (i, (_, path)) in langs.iter().enumerate() {
        seen(path);
        let po = rspolib::pofile(path.as_path()).map_err(|e| format!("{}: {e}", path.display()))?;
        nplurals.push(plural_forms(path, po.metadata.get("Plural-Forms"))?);
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
            let slot = by_key
                .entry(key)
                .or_insert_with(|| vec![Vec::new(); langs.len()]);
            slot[i] = forms;
        }
    }
    let mut s = String::new();
    let names: Vec<String> = langs.iter().map(|(l, _)| format!("{l:?}")).collect();
    writeln!(
        s,
        "/// The catalogs' languages (folder names), in Slint's bundle order."
    )
    .map_err(|e| e.to_string())?;
    writeln!(
        s,
        "pub const LANGUAGES: [&str; {}] = [{}];",
        langs.len(),
        names.join(", ")
    )
    .map_err(|e| e.to_string())?;
    writeln!(s, "/// Plural forms of each language's catalog.").map_err(|e| e.to_string())?;
    writeln!(
        s,
        "pub const NPLURALS: [usize; {}] = {:?};",
        langs.len(),
        nplurals
    )
    .map_err(|e| e.to_string())?;
    writeln!(
        s,
        "/// (msgid, forms per language; empty where untranslated), sorted by msgid."
    )
    .map_err(|e| e.to_string())?;
    writeln!(
        s,
        "pub static MESSAGES: &[(&str, [&[&str]; {}])] = &[",
        langs.len()
    )
    .map_err(|e| e.to_string())?;
    for (key, per_lang) in &by_key {
        let forms: Vec<String> = per_lang
            .iter()
            .map(|f| {
                format!(
                    "&[{}]",
                    f.iter()
                        .map(|x| format!("{x:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        writeln!(s, "    ({key:?}, [{}]),", forms.join(", ")).map_err(|e| e.to_string())?;
    }
    writeln!(s, "];").map_err(|e| e.to_string())?;
    Ok(s)
}
