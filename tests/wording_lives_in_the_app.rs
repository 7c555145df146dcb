//! Below `kiosk/app` the code returns typed facts; the app's message module
//! turns them into words in the citizen's language. So no Chinese string
//! literal may stay in non-test code of `kiosk/core` or `drivers/` — except
//! the ID card's own data tables (nations and genders as the card prints
//! them, 长期), which are card data, not wording.
//!
//! A small Rust lexer (strings, raw strings, chars, comments) finds the
//! literals; a file's `#[cfg(test)]` module at its end is test code.

use std::path::{Path, PathBuf};

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
        || matches!(
            c,
            '，' | '。' | '：' | '（' | '）' | '、' | '；' | '《' | '》'
        )
}

/// The string literals of Rust source `src`, with their line numbers.
fn literals(src: &str) -> Vec<(usize, String)> {
    let b: Vec<char> = src.chars().collect();
    let (mut i, mut line) = (0, 1);
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && b.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                if b[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && (b.get(i + 1) == Some(&'"') || b.get(i + 1) == Some(&'#'))
            && (i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_'))
        {
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                i += 1;
                continue;
            }
            j += 1;
            let start_line = line;
            let mut s = String::new();
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                if b[j] == '\n' {
                    line += 1;
                }
                s.push(b[j]);
                j += 1;
            }
            out.push((start_line, s));
            i = j;
        } else if c == '"' {
            let start_line = line;
            let mut s = String::new();
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                if i < b.len() {
                    if b[i] == '\n' {
                        line += 1;
                    }
                    s.push(b[i]);
                }
                i += 1;
            }
            i += 1;
            out.push((start_line, s));
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{4e00}') or a lifetime ('a).
            if b.get(i + 1) == Some(&'\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The source without its trailing `#[cfg(test)] mod …` (test code).
fn non_test(src: &str) -> &str {
    match src.find("#[cfg(test)]\nmod ") {
        Some(i) => &src[..i],
        None => src,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Card data as the card itself prints it (GB 3304 nations, GB/T 2261.1
/// genders, the validity 长期): allowed in the ID-card driver's tables.
fn card_data(file: &Path, lit: &str) -> bool {
    file.ends_with("drivers/idcard/src/text.rs")
        || (file.ends_with("drivers/idcard/src/card.rs") && lit == "长期")
}

#[test]
fn no_chinese_wording_below_the_app() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rust_files(&root.join("kiosk/core/src"), &mut files);
    for d in std::fs::read_dir(root.join("drivers")).unwrap() {
        let src = d.unwrap().path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    assert!(files.len() > 20, "{files:?}");
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (line, lit) in literals(non_test(&text)) {
            if lit.chars().any(is_han) && !card_data(f, &lit) {
                found.push(format!(
                    "{}:{line}: {lit:?}",
                    f.strip_prefix(&root).unwrap_or(f).display()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "Chinese wording below the app (return a typed fact; word it in kiosk/app/src/messages):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_lexer_finds_literals_and_skips_comments() {
    let src = "// \"在注释里\"\nlet a = \"一\"; /* \"二\" */ let b = r#\"三\"#; let c = '\"'; let d = \"四\";";
    let l: Vec<String> = literals(src).into_iter().map(|(_, s)| s).collect();
    assert_eq!(l, ["一", "三", "四"]);
}
