//! What the GMVI pages and API share: the wording of notifications in each person's language,
//! and the notifier built from the configuration.

use fluent_bundle::FluentValue;
use rempart_domain::language::Language;
use rempart_storage::inbox::{Notifier, Wording};

use crate::AppState;

/// Notifications worded with the interface's translations.
pub struct Words;

impl Wording for Words {
    fn text(&self, language: &str, key: &str, args: &[(&str, String)]) -> String {
        let language = Language::parse(language).unwrap_or(Language::Fr);
        let args: Vec<(&str, FluentValue<'_>)> = args
            .iter()
            // A count passed as text still selects its plural form.
            .map(|(k, v)| match (*k, v.parse::<i64>()) {
                ("count", Ok(n)) => (*k, FluentValue::from(n)),
                _ => (*k, FluentValue::from(v.as_str())),
            })
            .collect();
        crate::i18n::t_args(language, key, &args)
    }
}

/// The notifier of this process: the translations, and e-mail when configured.
pub fn notifier(app: &AppState) -> Notifier<'static> {
    Notifier {
        wording: &Words,
        email: app.config.notify_email,
    }
}
