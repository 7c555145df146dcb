//! The Rust side of the message catalogs: the same gettext catalogs as the
//! screens' `@tr` (`assets/translations/<lang>/LC_MESSAGES/kiosk.po`, turned
//! into a table at build time by `build.rs`), so a sentence is translated
//! once for the screen, the spoken prompt and the printed slip.
//!
//! Message ids are the Simplified Chinese text. A message missing from a
//! catalog falls back to it (never a raw id on screen) and is logged once.
//! Placeholders are Slint's: `{}` in order, `{0}` by position, `{n}` for a
//! plural's count, `{{` and `}}` for braces.

use std::collections::HashSet;
use std::fmt::Display;
use std::sync::Mutex;

use kiosk_core::Lang;

mod table {
    include!(concat!(env!("OUT_DIR"), "/catalog.rs"));
}

/// The catalog folder of `lang` (and Slint's bundled-translation name).
pub fn catalog_name(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "zh_CN",
        Lang::ZhTw => "zh_TW",
        Lang::En => "en",
    }
}

/// Switches the screens' `@tr` texts to `lang`.
pub fn select_for_slint(lang: Lang) {
    if let Err(e) = slint::select_bundled_translation(catalog_name(lang)) {
        tracing::error!(lang = %lang, error = %e, "no bundled translation for the screens");
    }
}

fn lang_index(lang: Lang) -> Option<usize> {
    table::LANGUAGES
        .iter()
        .position(|l| *l == catalog_name(lang))
}

static MISSED: Mutex<Option<HashSet<(Lang, &'static str)>>> = Mutex::new(None);

fn missed(lang: Lang, id: &'static str) {
    let mut m = MISSED.lock().unwrap_or_else(|p| p.into_inner());
    if m.get_or_insert_with(HashSet::new).insert((lang, id)) {
        tracing::warn!(lang = %lang, id, "message missing from the catalog; shown in zh-CN");
    }
}

/// Every (language, message id) looked up and not found since start, for tests.
pub fn misses() -> Vec<(Lang, &'static str)> {
    let m = MISSED.lock().unwrap_or_else(|p| p.into_inner());
    let mut v: Vec<_> = m.iter().flatten().copied().collect();
    v.sort();
    v
}

fn forms(lang: Lang, id: &'static str) -> Option<&'static [&'static str]> {
    let li = lang_index(lang)?;
    let i = table::MESSAGES
        .binary_search_by(|(k, _)| (*k).cmp(id))
        .ok()?;
    let f = table::MESSAGES[i].1[li];
    (!f.is_empty()).then_some(f)
}

/// Which plural form of a catalog with `nplurals` forms `n` takes (the two
/// rules `build.rs` accepts).
fn plural_index(nplurals: usize, n: u64) -> usize {
    match nplurals {
        1 => 0,
        _ => usize::from(n != 1),
    }
}

/// Fills Slint-style placeholders: `{}` in order, `{N}` by position, `{n}`
/// the count; `{{`/`}}` are braces.
pub fn format(pattern: &str, args: &[&dyn Display], count: Option<u64>) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut next = 0;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut name = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    name.push(d);
                }
                if name.is_empty() {
                    if let Some(a) = args.get(next) {
                        out.push_str(&a.to_string());
                    }
                    next += 1;
                } else if name == "n" {
                    if let Some(n) = count {
                        out.push_str(&n.to_string());
                    }
                } else if let Some(a) = name.parse::<usize>().ok().and_then(|i| args.get(i)) {
                    out.push_str(&a.to_string());
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Translates into one language. Cheap to copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Lang);

impl Tr {
    /// `msgid` in this language.
    pub fn t(&self, msgid: &'static str) -> String {
        self.f(msgid, &[])
    }

    /// `msgid` in this language, its placeholders filled with `args`.
    pub fn f(&self, msgid: &'static str, args: &[&dyn Display]) -> String {
        let pattern = match forms(self.0, msgid) {
            Some(f) => f[0],
            None => {
                if self.0 != Lang::ZhCn || forms(Lang::ZhCn, msgid).is_none() {
                    missed(self.0, msgid);
                }
                msgid
            }
        };
        format(pattern, args, None)
    }

    /// The plural form for `count` (`{n}` in the pattern is the count).
    pub fn n(
        &self,
        singular: &'static str,
        plural: &'static str,
        count: u64,
        args: &[&dyn Display],
    ) -> String {
        let li = lang_index(self.0);
        let pattern = match (forms(self.0, singular), li) {
            (Some(f), Some(li)) => {
                let i = plural_index(table::NPLURALS[li], count).min(f.len() - 1);
                f[i]
            }
            _ => {
                missed(self.0, singular);
                if count == 1 {
                    singular
                } else {
                    plural
                }
            }
        };
        format(pattern, args, Some(count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_in_order_by_position_and_count() {
        assert_eq!(format("{} / {}", &[&1, &2], None), "1 / 2");
        assert_eq!(format("{1} of {0}", &[&"a", &"b"], None), "b of a");
        assert_eq!(format("{n} pages", &[], Some(3)), "3 pages");
        assert_eq!(format("{{literal}}", &[], None), "{literal}");
    }

    #[test]
    fn english_has_two_plural_forms_and_chinese_one() {
        assert_eq!(plural_index(2, 1), 0);
        assert_eq!(plural_index(2, 2), 1);
        assert_eq!(plural_index(2, 0), 1);
        assert_eq!(plural_index(1, 5), 0);
    }

    #[test]
    fn every_catalog_is_in_the_table() {
        for l in Lang::ALL {
            assert!(lang_index(l).is_some(), "{l}: no catalog");
        }
    }
}
