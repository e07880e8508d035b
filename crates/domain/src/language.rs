//! The two languages of the interface. French (Québec) is the default everywhere.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Fr,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Fr, Language::En];

    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
        }
    }

    /// The BCP 47 tag used in `lang` attributes and for the translation bundles.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Fr => "fr-CA",
            Language::En => "en-CA",
        }
    }

    pub fn parse(code: &str) -> Option<Language> {
        match code.trim().to_ascii_lowercase().as_str() {
            "fr" | "fr-ca" | "fr-fr" => Some(Language::Fr),
            "en" | "en-ca" | "en-us" | "en-gb" => Some(Language::En),
            _ => None,
        }
    }

    /// Picks the language from an `Accept-Language` header, honouring q-values; French when
    /// nothing we speak is asked for.
    pub fn from_accept_language(header: &str) -> Language {
        let mut best: Option<(Language, f32)> = None;
        for part in header.split(',').take(32) {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(lang) = Language::parse(primary) {
                if best.is_none_or(|(_, bq)| q > bq) {
                    best = Some((lang, q));
                }
            }
        }
        best.map(|(l, _)| l).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_q_and_defaults_to_french() {
        assert_eq!(
            Language::from_accept_language("en-CA,en;q=0.9"),
            Language::En
        );
        assert_eq!(
            Language::from_accept_language("de, en;q=0.5, fr;q=0.8"),
            Language::Fr
        );
        assert_eq!(Language::from_accept_language("de-DE"), Language::Fr);
        assert_eq!(Language::from_accept_language(""), Language::Fr);
        assert_eq!(Language::from_accept_language(";;;,,q=abc"), Language::Fr);
    }
}
