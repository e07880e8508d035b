//! Translations (PLAT-05): Fluent bundles embedded in the binary, French (Québec) first.
//! A key missing from a bundle shows as the key itself, and a test proves that every key used
//! anywhere exists in both languages.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
/// Arguments of a message, for callers outside this crate.
pub use fluent_bundle::FluentValue;
use fluent_bundle::{FluentArgs, FluentResource};
use rempart_domain::language::Language;

pub const SOURCES: [(Language, &str); 2] = [
    (
        Language::Fr,
        concat!(
            include_str!("../locales/fr-CA/main.ftl"),
            "\n",
            include_str!("../locales/fr-CA/gmvi.ftl"),
            "\n",
            include_str!("../locales/fr-CA/vuln.ftl"),
            "\n",
            include_str!("../locales/fr-CA/privacy.ftl")
        ),
    ),
    (
        Language::En,
        concat!(
            include_str!("../locales/en-CA/main.ftl"),
            "\n",
            include_str!("../locales/en-CA/gmvi.ftl"),
            "\n",
            include_str!("../locales/en-CA/vuln.ftl"),
            "\n",
            include_str!("../locales/en-CA/privacy.ftl")
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

/// Why a legal deadline could not be computed, with its dates.
pub fn deadline_error(
    language: Language,
    error: &rempart_domain::legal_deadline::DeadlineError,
) -> String {
    use rempart_domain::legal_deadline::DeadlineError;
    let args: Vec<(&str, FluentValue<'_>)> = match error {
        DeadlineError::OutOfRange => Vec::new(),
        DeadlineError::ExtensionTooLate { sent, due } => vec![
            ("sent", FluentValue::from(sent.to_string())),
            ("due", FluentValue::from(due.to_string())),
        ],
        DeadlineError::ExtensionBeforeReceipt { sent, received } => vec![
            ("sent", FluentValue::from(sent.to_string())),
            ("received", FluentValue::from(received.to_string())),
        ],
    };
    t_args(language, error.code(), &args)
}

/// Where a deadline stands, in words: days left, answered, or past it (a deemed refusal for an
/// answer, merely elapsed for a review request).
pub fn deadline_state(
    language: Language,
    rule: rempart_domain::legal_deadline::DeadlineRule,
    state: rempart_domain::legal_deadline::DeadlineState,
) -> String {
    use rempart_domain::legal_deadline::{DeadlineRule, DeadlineState};
    match state {
        DeadlineState::Running { days_left } => t_args(
            language,
            "deadline-state-running",
            &[("days", FluentValue::from(days_left))],
        ),
        DeadlineState::DeemedRefusal { days_late } => t_args(
            language,
            if rule == DeadlineRule::ReviewRequest {
                "deadline-state-elapsed"
            } else {
                "deadline-state-deemed-refusal"
            },
            &[("days", FluentValue::from(days_late))],
        ),
        DeadlineState::AnsweredOnTime => t(language, "deadline-state-answered-on-time"),
        DeadlineState::AnsweredLate => t(language, "deadline-state-answered-late"),
    }
}

/// The message of a field error, with its limit when it has one.
pub fn field_message(language: Language, code: &str, limit: Option<u64>) -> String {
    match limit {
        Some(limit) => t_args(language, code, &[("limit", FluentValue::from(limit))]),
        None => t(language, code),
    }
}

/// The refusal of `vector`, worded with the metric at fault and its name (S is the scope in
/// 3.x and safety in 4.0, hence the vector).
pub fn cvss_message(
    language: Language,
    vector: &str,
    error: &rempart_domain::cvss::CvssError,
) -> String {
    let metric = error.metric().unwrap_or_default();
    let name = if metric == "S" && vector.trim_start().starts_with("CVSS:4.0") {
        t(language, "cvss-metric-v4-S")
    } else {
        t(language, &format!("cvss-metric-{metric}"))
    };
    t_args(
        language,
        error.code(),
        &[
            ("metric", FluentValue::from(metric.to_owned())),
            ("name", FluentValue::from(name)),
            (
                "value",
                FluentValue::from(error.value().unwrap_or_default().to_owned()),
            ),
        ],
    )
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

    // REQ GMVI-04: a refused vector names its metric, in French and in English.
    #[test]
    fn every_cvss_metric_has_a_name_and_a_fault_names_it() {
        use rempart_domain::cvss::{metrics, score, CvssVersion};
        for language in [Language::Fr, Language::En] {
            for version in [CvssVersion::V3_1, CvssVersion::V4_0] {
                for metric in metrics(version) {
                    assert!(
                        I18n::has(language, &format!("cvss-metric-{metric}")),
                        "{language:?} {metric}"
                    );
                }
            }
        }
        let vector = "CVSS:3.1/AV:N/AC:L/PR:X/UI:N/S:U/C:H/I:H/A:H";
        let error = score(vector).unwrap_err();
        assert_eq!(
            cvss_message(Language::Fr, vector, &error),
            "Métrique PR (privilèges requis) : valeur « X » invalide."
        );
        let vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:Q";
        let error = score(vector).unwrap_err();
        assert_eq!(
            cvss_message(Language::En, vector, &error),
            "Metric S (safety): invalid value “Q”."
        );
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

    // REQ PRP-03: every label the deadline engine names exists in both languages.
    #[test]
    fn the_deadline_engines_labels_exist_in_both_languages() {
        use rempart_domain::calendar::{statutory_holidays, DayOff};
        use rempart_domain::legal_deadline::{
            weekday_key, AccessRequestKind, CalendarKind, Certainty, DeadlineError, DeadlineRule,
        };
        let mut keys: Vec<&str> = Vec::new();
        for (_, h) in statutory_holidays(2026) {
            keys.push(DayOff::Holiday(h).label_key());
        }
        for off in [
            DayOff::Sunday,
            DayOff::Saturday,
            DayOff::Yearly,
            DayOff::Added,
        ] {
            keys.push(off.label_key());
        }
        for kind in AccessRequestKind::ALL {
            keys.push(kind.label_key());
            keys.push(DeadlineRule::AccessAnswer(kind).label_key());
            keys.push(DeadlineRule::AccessAnswerExtended(kind).label_key());
        }
        keys.push(DeadlineRule::ReviewRequest.label_key());
        keys.push(DeadlineRule::IncidentRetention.label_key());
        for c in [
            Certainty::Verified,
            Certainty::Secondary,
            Certainty::Unverified,
        ] {
            keys.push(c.label_key());
        }
        for c in [
            CalendarKind::InterpretationAct,
            CalendarKind::AccessCommission,
            CalendarKind::None,
        ] {
            keys.push(c.label_key());
        }
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        for day in day.iter_days().take(7) {
            keys.push(weekday_key(day));
        }
        keys.push(DeadlineError::OutOfRange.code());
        let d = day;
        keys.push(DeadlineError::ExtensionTooLate { sent: d, due: d }.code());
        keys.push(
            DeadlineError::ExtensionBeforeReceipt {
                sent: d,
                received: d,
            }
            .code(),
        );
        use rempart_domain::access_request::StepError;
        for e in StepError::PLAIN {
            keys.push(e.field().1);
        }
        for key in keys {
            for language in Language::ALL {
                assert!(I18n::has(language, key), "{key} missing in {language:?}");
            }
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
