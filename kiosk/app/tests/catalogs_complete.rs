//! The message catalogs, checked with gettext's own `msgfmt`: well-formed,
//! every message translated, nothing fuzzy, the same messages in every
//! language; and a malformed catalog stops the build naming file and line.

use std::path::{Path, PathBuf};

#[path = "../catalog_table.rs"]
mod catalog_table;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/translations")
}

#[test]
fn every_catalog_is_complete_by_msgfmt() {
    let mut counts = Vec::new();
    for lang in ["zh_CN", "zh_TW", "en"] {
        let po = dir().join(lang).join("LC_MESSAGES/kiosk.po");
        let out = std::process::Command::new("msgfmt")
            .args(["--check", "--statistics", "-o", "/dev/null"])
            .arg(&po)
            .env("LC_ALL", "C")
            .output()
            .expect("msgfmt (gettext, scripts/setup-debian.sh)");
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert!(out.status.success(), "{}: {said}", po.display());
        assert!(
            !said.contains("untranslated") && !said.contains("fuzzy"),
            "{lang}: {said}"
        );
        let n: u32 = said
            .strip_suffix(" translated messages.")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{lang}: {said}"));
        println!("{lang}: {n} messages");
        counts.push(n);
    }
    assert!(
        counts.iter().all(|n| *n == counts[0] && *n > 200),
        "{counts:?}"
    );
}

#[test]
fn a_malformed_catalog_is_an_error_naming_the_file_and_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    let po_dir = tmp.path().join("en/LC_MESSAGES");
    std::fs::create_dir_all(&po_dir).unwrap();
    std::fs::write(
        po_dir.join("kiosk.po"),
        "msgid \"\"\nmsgstr \"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n\nmsgid \"下一步\"\nmsgstr \"Next\" \"oops\n",
    )
    .unwrap();
    let e = catalog_table::rust_catalog(tmp.path(), &mut |_| {}).unwrap_err();
    assert!(e.contains("en/LC_MESSAGES/kiosk.po"), "{e}");
    assert!(e.contains("line"), "{e}");
}

#[test]
fn the_shipped_catalogs_make_a_table() {
    let t = catalog_table::rust_catalog(&dir(), &mut |_| {}).unwrap();
    assert!(
        t.contains("pub const LANGUAGES: [&str; 3] = [\"en\", \"zh_CN\", \"zh_TW\"];"),
        "{}",
        &t[..200]
    );
    assert!(
        t.contains("\"下一步\", [&[\"Next\"], &[\"下一步\"], &[\"下一步\"]]"),
        "the table has the translations"
    );
}
