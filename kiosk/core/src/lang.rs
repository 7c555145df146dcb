//! The languages the terminal speaks, and catalog texts written in each.

use serde::{Deserialize, Serialize};

/// 语言 — a language of the terminal: Simplified Chinese (the default),
/// Traditional Chinese with Taiwan/Hong Kong usage, English.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "zh-TW")]
    ZhTw,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::ZhCn, Lang::ZhTw, Lang::En];

    /// The BCP 47 tag used in configuration and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::ZhTw => "zh-TW",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A catalog text in each language it is written in. Simplified Chinese is
/// always there (the hall's own language); the others are checked against
/// the languages the terminal offers when the catalog is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized<T> {
    #[serde(rename = "zh-CN")]
    pub zh_cn: T,
    #[serde(rename = "zh-TW", default, skip_serializing_if = "Option::is_none")]
    pub zh_tw: Option<T>,
    #[serde(rename = "en", default, skip_serializing_if = "Option::is_none")]
    pub en: Option<T>,
}

impl<T: Default> Default for Localized<T> {
    fn default() -> Self {
        Localized {
            zh_cn: T::default(),
            zh_tw: None,
            en: None,
        }
    }
}

impl<T> Localized<T> {
    /// Only Simplified Chinese (for tests and built-in texts).
    pub fn zh(zh_cn: T) -> Self {
        Localized {
            zh_cn,
            zh_tw: None,
            en: None,
        }
    }

    /// The text in `lang`, or in Simplified Chinese where it has none.
    pub fn get(&self, lang: Lang) -> &T {
        match lang {
            Lang::ZhCn => &self.zh_cn,
            Lang::ZhTw => self.zh_tw.as_ref().unwrap_or(&self.zh_cn),
            Lang::En => self.en.as_ref().unwrap_or(&self.zh_cn),
        }
    }

    /// Whether it is written in `lang`.
    pub fn has(&self, lang: Lang) -> bool {
        match lang {
            Lang::ZhCn => true,
            Lang::ZhTw => self.zh_tw.is_some(),
            Lang::En => self.en.is_some(),
        }
    }
}

impl Localized<String> {
    /// Whether the Simplified Chinese text is empty (the others follow it).
    pub fn is_blank(&self) -> bool {
        self.zh_cn.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_language_falls_back_to_simplified_chinese() {
        let t: Localized<String> = toml::from_str::<toml::Value>(
            "x = { zh-CN = \"户口簿\", en = \"Household register\" }",
        )
        .unwrap()
        .get("x")
        .unwrap()
        .clone()
        .try_into()
        .unwrap();
        assert_eq!(t.get(Lang::En), "Household register");
        assert_eq!(t.get(Lang::ZhTw), "户口簿");
        assert!(!t.has(Lang::ZhTw) && t.has(Lang::En));
        assert_eq!(Lang::from_code("zh-TW"), Some(Lang::ZhTw));
        assert_eq!(Lang::from_code("fr"), None);
    }
}
