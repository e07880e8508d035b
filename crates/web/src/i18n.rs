//! Translations (PLAT-05): Fluent bundles embedded in the binary, French (Québec) first.
//! A key missing from a bundle shows as the key itself, and a test proves that every key used
//! anywhere exists in both languages.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use rempart_domain::language::Language;

pub const SOURCES: [(Language, &str); 2] = [
    (
        Language::Fr,
        concat!(
            include_str!("../locales/fr-CA/main.ftl"),
            "\n",
            include_str!("../locales/fr-CA/gmvi.ftl")
        ),
    ),
    (
        Language::En,
        concat!(
            include_str!("../locales/en-CA/main.ftl"),
            "\n",
            include_str!("../locales/en-CA/gmvi.ftl")
        ),
    ),
];

pub struct I18n {
    bundles: HashMap<Language, FluentBundle<FluentResource>>,
}

static I18N: LazyLock<I18n> = LazyLock::new(I18n::load);

impl I18n {
    fn load() -> I18n {
        let mut bundles = HashMap::new();
        for (language, source) in SOURCES {
            // The sources are compiled in and checked by the tests; a broken entry is skipped
            // rather than taking the server down.
            let resource = match FluentResource::try_new(source.to_owned()) {
                Ok(r) => r,
                Err((r, _)) => r,
            };
            let tag = language.tag().parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![tag]);
            // Isolation marks would end up inside HTML attributes and e-mails.
            bundle.set_use_isolating(false);
            let _ = bundle.add_resource(resource);
            bundles.insert(language, bundle);
        }
        I18n { bundles }
    }

    pub fn has(language: Language, key: &str) -> bool {
        I18N.bundles
            .get(&language)
            .is_some_and(|b| b.has_message(key))
    }
}

/// The message `key` in `language`, or the key itself when missing.
pub fn t(language: Language, key: &str) -> String {
    format(language, key, None)
}

/// The message `key` with arguments.
pub fn t_args(language: Language, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    format(language, key, Some(&fluent_args))
}

fn format(language: Language, key: &str, args: Option<&FluentArgs<'_>>) -> String {
    let Some(bundle) = I18N.bundles.get(&language) else {
        return key.to_owned();
    };
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return key.to_owned();
    };
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned()
}

/// The message of a field error, with its limit when it has one.
pub fn field_message(language: Language, code: &str, limit: Option<u64>) -> String {
    match limit {
        Some(limit) => t_args(language, code, &[("limit", FluentValue::from(limit))]),
        None => t(language, code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(source: &str) -> Vec<&str> {
        source
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '*', '[']) && l.contains(" = "))
            .filter_map(|l| l.split(" = ").next())
            .collect()
    }

    // REQ PLAT-05
    #[test]
    fn both_languages_have_the_same_keys_and_parse_cleanly() {
        for (_, source) in SOURCES {
            assert!(FluentResource::try_new(source.to_owned()).is_ok());
        }
        let fr = keys(SOURCES[0].1);
        let en = keys(SOURCES[1].1);
        assert_eq!(fr, en);
        for key in &fr {
            assert!(I18n::has(Language::En, key), "{key} missing in English");
        }
    }

    // REQ PLAT-05
    #[test]
    fn every_key_used_in_code_and_templates_exists_in_both_languages() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let mut used = Vec::new();
        for dir in ["src", "templates"] {
            for entry in std::fs::read_dir(format!("{root}{dir}")).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for marker in ["t(\"", "t_args(\"", "t1(\"", "tn(\""] {
                    let mut start = 0;
                    while let Some(i) = text[start..].find(marker) {
                        let at = start + i;
                        start = at + marker.len();
                        // `try_get("x")` also ends in `t("`: only a call of our own counts.
                        let before = text[..at].chars().next_back().unwrap_or(' ');
                        if before.is_alphanumeric() || before == '_' {
                            continue;
                        }
                        if let Some(end) = text[start..].find('"') {
                            used.push(text[start..start + end].to_owned());
                        }
                    }
                }
            }
        }
        assert!(used.len() > 50, "only {} keys found", used.len());
        // Message ids are lowercase words joined by hyphens; anything else the scan caught is
        // not a message (a string in this very test, say).
        let is_id =
            |k: &&String| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        for key in used.iter().filter(is_id) {
            for language in Language::ALL {
                assert!(I18n::has(language, key), "{key} missing in {language:?}");
            }
        }
        for role in rempart_domain::role::Role::ALL {
            assert!(I18n::has(Language::Fr, &role.label_key()));
            assert!(I18n::has(Language::En, &role.label_key()));
        }
    }

    #[test]
    fn arguments_are_formatted() {
        assert_eq!(
            field_message(Language::Fr, "error-too-long", Some(200)),
            "Ce champ dépasse 200 caractères."
        );
        assert_eq!(t(Language::En, "no-such-key"), "no-such-key");
    }
}
