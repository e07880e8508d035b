//! Confidentiality incidents (PRIV-01, PRIV-02; art. 63.8–63.11, r. 3.1): the register's
//! entry with every field the regulation lists (r. 3.1 art. 7), the assessment of the risk of
//! serious injury by its three factors with the privacy officer's consultation, and the
//! notices to the Commission d'accès à l'information and to the persons concerned. The law
//! gives no fixed delay ("avec diligence"): none is invented here; the page shows how long a
//! serious incident has waited for its notices. An entry is kept at least five years after the
//! body became aware of the incident (`legal_deadline::incident_retention`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::validation::check_text;
use crate::FieldError;

/// A factor's level: how sensitive the information is, how likely an injurious use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Low, Level::Medium, Level::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// Where an entry stands: opened from a security incident and not yet completed, or recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Opened automatically (PRIV-03): the privacy officer completes it.
    Draft,
    Recorded,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::Recorded => "recorded",
        }
    }
}

pub const MAX_TEXT: usize = 10_000;
pub const MAX_PERSONS: i64 = 100_000_000;

/// An entry of the register as typed (the form and the API).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct EntryInput {
    /// 1. The personal information concerned…
    #[serde(default)]
    pub information: String,
    /// …or why it cannot be described.
    #[serde(default)]
    pub information_not_described: String,
    /// 2. The circumstances, briefly.
    #[serde(default)]
    pub circumstances: String,
    /// 3. When it happened: a date or the start of a period (YYYY-MM-DD)…
    #[serde(default)]
    pub occurred_from: String,
    /// …and the period's end, if a period.
    #[serde(default)]
    pub occurred_to: String,
    /// Whether those dates are an approximation.
    #[serde(default)]
    pub occurred_approximate: bool,
    /// 4. The day the body became aware of it.
    #[serde(default)]
    pub aware_on: String,
    /// 5. How many persons are concerned…
    #[serde(default)]
    pub persons: String,
    /// …whether that is an approximation…
    #[serde(default)]
    pub persons_approximate: bool,
    /// …and how many live in Québec (the notice to the CAI asks it).
    #[serde(default)]
    pub persons_in_quebec: String,
    /// 6. The assessment: sensitivity of the information…
    #[serde(default)]
    pub sensitivity: String,
    /// …its possible injurious uses…
    #[serde(default)]
    pub malicious_uses: String,
    /// …the consequences anticipated…
    #[serde(default)]
    pub consequences: String,
    /// …and the likelihood of an injurious use.
    #[serde(default)]
    pub likelihood: String,
    /// The conclusion: `yes` (risk of serious injury), `no`, or empty while not assessed.
    #[serde(default)]
    pub serious_injury: String,
    /// The day the privacy officer was consulted on the assessment (required to conclude).
    #[serde(default)]
    pub privacy_officer_consulted_on: String,
    /// 8. The measures taken to reduce the risk of injury and prevent a recurrence.
    #[serde(default)]
    pub measures: String,
    /// What the persons concerned are advised to do to reduce the risk (the notice to them
    /// says it, r. 3.1 art. 5).
    #[serde(default)]
    pub advice: String,
}

/// An entry that passed [`check_entry`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub information: String,
    pub information_not_described: String,
    pub circumstances: String,
    pub occurred_from: NaiveDate,
    pub occurred_to: Option<NaiveDate>,
    pub occurred_approximate: bool,
    pub aware_on: NaiveDate,
    pub persons: i64,
    pub persons_approximate: bool,
    pub persons_in_quebec: Option<i64>,
    pub sensitivity: Option<Level>,
    pub malicious_uses: String,
    pub consequences: String,
    pub likelihood: Option<Level>,
    /// `None` while not assessed.
    pub serious_injury: Option<bool>,
    pub privacy_officer_consulted_on: Option<NaiveDate>,
    pub measures: String,
    pub advice: String,
}

fn date(errors: &mut Vec<FieldError>, field: &str, raw: &str, required: bool) -> Option<NaiveDate> {
    crate::validation::check_date(errors, field, raw, required, None)
}

fn count(errors: &mut Vec<FieldError>, field: &str, raw: &str, required: bool) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        if required {
            errors.push(FieldError::new(field, "error-required"));
        }
        return None;
    }
    match raw.parse::<i64>() {
        Ok(n) if (0..=MAX_PERSONS).contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::with_limit(
                field,
                "error-count",
                MAX_PERSONS as u64,
            ));
            None
        }
    }
}

fn level(errors: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<Level> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let l = Level::parse(raw);
    if l.is_none() {
        errors.push(FieldError::new(field, "error-choice"));
    }
    l
}

/// Checks an entry against the regulation's list and the order of its dates; every field at
/// fault is named. Concluding on the risk of serious injury needs the three factors and the
/// day the privacy officer was consulted (the CAI's guidance, QUEBEC-RULES: verified).
pub fn check_entry(input: &EntryInput, today: NaiveDate) -> Result<Entry, Vec<FieldError>> {
    let mut errors = Vec::new();
    for (field, value, min) in [
        ("information", &input.information, 0),
        (
            "information_not_described",
            &input.information_not_described,
            0,
        ),
        ("circumstances", &input.circumstances, 1),
        ("malicious_uses", &input.malicious_uses, 0),
        ("consequences", &input.consequences, 0),
        ("measures", &input.measures, 0),
        ("advice", &input.advice, 0),
    ] {
        check_text(&mut errors, field, value, min, MAX_TEXT, true);
    }
    if input.information.trim().is_empty() && input.information_not_described.trim().is_empty() {
        errors.push(FieldError::new(
            "information",
            "error-confidentiality-information",
        ));
    }
    let from = date(&mut errors, "occurred_from", &input.occurred_from, true);
    let to = date(&mut errors, "occurred_to", &input.occurred_to, false);
    let aware = date(&mut errors, "aware_on", &input.aware_on, true);
    for (field, d) in [
        ("occurred_from", from),
        ("occurred_to", to),
        ("aware_on", aware),
    ] {
        if d.is_some_and(|d| d > today) {
            errors.push(FieldError::new(field, "error-date-future"));
        }
    }
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errors.push(FieldError::new("occurred_to", "error-period"));
        }
    }
    if let (Some(f), Some(a)) = (from, aware) {
        if a < f {
            errors.push(FieldError::new(
                "aware_on",
                "error-confidentiality-aware-before",
            ));
        }
    }
    let persons = count(&mut errors, "persons", &input.persons, true);
    let in_quebec = count(
        &mut errors,
        "persons_in_quebec",
        &input.persons_in_quebec,
        false,
    );
    if let (Some(p), Some(q)) = (persons, in_quebec) {
        if q > p {
            errors.push(FieldError::new(
                "persons_in_quebec",
                "error-confidentiality-persons-in-quebec",
            ));
        }
    }
    let sensitivity = level(&mut errors, "sensitivity", &input.sensitivity);
    let likelihood = level(&mut errors, "likelihood", &input.likelihood);
    let serious = match input.serious_injury.trim() {
        "" => None,
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.push(FieldError::new("serious_injury", "error-choice"));
            None
        }
    };
    let consulted = date(
        &mut errors,
        "privacy_officer_consulted_on",
        &input.privacy_officer_consulted_on,
        false,
    );
    if consulted.is_some_and(|d| d > today) {
        errors.push(FieldError::new(
            "privacy_officer_consulted_on",
            "error-date-future",
        ));
    }
    if serious.is_some() {
        // A conclusion stands on the three factors and the privacy officer's view.
        if sensitivity.is_none() && input.sensitivity.trim().is_empty() {
            errors.push(FieldError::new(
                "sensitivity",
                "error-confidentiality-factor",
            ));
        }
        if likelihood.is_none() && input.likelihood.trim().is_empty() {
            errors.push(FieldError::new(
                "likelihood",
                "error-confidentiality-factor",
            ));
        }
        if input.consequences.trim().is_empty() {
            errors.push(FieldError::new(
                "consequences",
                "error-confidentiality-factor",
            ));
        }
        if input.privacy_officer_consulted_on.trim().is_empty() {
            errors.push(FieldError::new(
                "privacy_officer_consulted_on",
                "error-confidentiality-consulted",
            ));
        }
    }
    match (from, aware, persons) {
        (Some(occurred_from), Some(aware_on), Some(persons)) if errors.is_empty() => Ok(Entry {
            information: input.information.trim().to_owned(),
            information_not_described: input.information_not_described.trim().to_owned(),
            circumstances: input.circumstances.trim().to_owned(),
            occurred_from,
            occurred_to: to,
            occurred_approximate: input.occurred_approximate,
            aware_on,
            persons,
            persons_approximate: input.persons_approximate,
            persons_in_quebec: in_quebec,
            sensitivity,
            malicious_uses: input.malicious_uses.trim().to_owned(),
            consequences: input.consequences.trim().to_owned(),
            likelihood,
            serious_injury: serious,
            privacy_officer_consulted_on: consulted,
            measures: input.measures.trim().to_owned(),
            advice: input.advice.trim().to_owned(),
        }),
        _ => Err(errors),
    }
}

/// A notice sent about an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// The written notice to the Commission d'accès à l'information (r. 3.1 art. 3).
    Commission,
    /// Information sent to the CAI after its notice ("avec diligence").
    CommissionAddition,
    /// Notices to each person concerned (r. 3.1 art. 5).
    Persons,
    /// A public notice instead, with its reason.
    Public,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 4] = [
        NoticeKind::Commission,
        NoticeKind::CommissionAddition,
        NoticeKind::Persons,
        NoticeKind::Public,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Commission => "commission",
            NoticeKind::CommissionAddition => "commission_addition",
            NoticeKind::Persons => "persons",
            NoticeKind::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Checks a notice recorded as sent: only for an incident concluded to present a risk of
/// serious injury; dated between the awareness and today; an addition only after the notice
/// to the CAI; a public notice with its reason.
pub fn check_notice(
    kind: NoticeKind,
    sent_on: NaiveDate,
    detail: &str,
    serious_injury: Option<bool>,
    aware_on: Option<NaiveDate>,
    commission_notified: bool,
    today: NaiveDate,
) -> Result<(), FieldError> {
    if serious_injury != Some(true) {
        return Err(FieldError::new("kind", "error-confidentiality-not-serious"));
    }
    if sent_on > today {
        return Err(FieldError::new("sent_on", "error-date-future"));
    }
    if aware_on.is_some_and(|a| sent_on < a) {
        return Err(FieldError::new(
            "sent_on",
            "error-confidentiality-notice-before",
        ));
    }
    if kind == NoticeKind::CommissionAddition && !commission_notified {
        return Err(FieldError::new("kind", "error-confidentiality-addition"));
    }
    let mut errors = Vec::new();
    let min = usize::from(matches!(
        kind,
        NoticeKind::Public | NoticeKind::CommissionAddition
    ));
    check_text(&mut errors, "detail", detail, min, MAX_TEXT, true);
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Whether an incident still waits for notices: concluded to present a risk of serious injury,
/// and no notice to the CAI yet, or none to the persons nor in public. (The register's list of
/// entries to complete and the reminders' query say the same in SQL.)
pub fn notices_pending(
    serious_injury: Option<bool>,
    commission_notified: bool,
    persons_notified: bool,
    public_notice: bool,
) -> bool {
    serious_injury == Some(true) && (!commission_notified || !(persons_notified || public_notice))
}

/// Whether the privacy officer is reminded today of an incident that presents a risk of
/// serious injury and still waits for its notices: `every` days after awareness, then every
/// `every` days after the last reminder. A cadence of the product, not a legal delay.
pub fn reminder_due(
    aware_on: NaiveDate,
    last_reminded: Option<NaiveDate>,
    today: NaiveDate,
    every: u32,
) -> bool {
    let every = i64::from(every.max(1));
    let since = last_reminded.unwrap_or(aware_on);
    (today - since).num_days() >= every
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn complete() -> EntryInput {
        EntryInput {
            information: "Noms, numéros d’assurance maladie".into(),
            circumstances: "Un courriel envoyé au mauvais destinataire".into(),
            occurred_from: "2026-06-01".into(),
            aware_on: "2026-06-03".into(),
            persons: "120".into(),
            persons_in_quebec: "118".into(),
            sensitivity: "high".into(),
            consequences: "Vol d’identité".into(),
            likelihood: "medium".into(),
            serious_injury: "yes".into(),
            privacy_officer_consulted_on: "2026-06-04".into(),
            ..Default::default()
        }
    }

    // REQ PRIV-01
    #[test]
    fn an_entry_holds_the_regulations_fields_in_order_of_dates() {
        let today = d("2026-06-10");
        let e = check_entry(&complete(), today).unwrap();
        assert_eq!(e.persons, 120);
        assert_eq!(e.serious_injury, Some(true));
        let errors = check_entry(
            &EntryInput {
                occurred_from: "2026-06-05".into(),
                occurred_to: "2026-06-04".into(),
                aware_on: "2026-06-04".into(),
                persons: "-1".into(),
                ..Default::default()
            },
            today,
        )
        .unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("circumstances", "error-required"),
                ("information", "error-confidentiality-information"),
                ("occurred_to", "error-period"),
                ("aware_on", "error-confidentiality-aware-before"),
                ("persons", "error-count"),
            ]
        );
        // The reason it cannot be described stands for the description.
        let mut why = complete();
        why.information = String::new();
        why.information_not_described = "Le contenu de la clé USB est inconnu".into();
        assert!(check_entry(&why, today).is_ok());
        let mut future = complete();
        future.aware_on = "2026-06-11".into();
        assert_eq!(
            check_entry(&future, today).unwrap_err()[0].code,
            "error-date-future"
        );
    }

    // REQ PRIV-02
    #[test]
    fn concluding_needs_the_three_factors_and_the_privacy_officer() {
        let today = d("2026-06-10");
        let mut bare = complete();
        bare.sensitivity = String::new();
        bare.likelihood = String::new();
        bare.consequences = String::new();
        bare.privacy_officer_consulted_on = String::new();
        let fields: Vec<String> = check_entry(&bare, today)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "sensitivity",
                "likelihood",
                "consequences",
                "privacy_officer_consulted_on"
            ]
        );
        // Not concluded yet: the factors may wait.
        bare.serious_injury = String::new();
        assert_eq!(check_entry(&bare, today).unwrap().serious_injury, None);
    }

    // REQ PRIV-02
    #[test]
    fn notices_follow_a_serious_conclusion_in_order() {
        let today = d("2026-06-10");
        let aware = Some(d("2026-06-03"));
        let ok = |kind, on: &str, detail: &str, commission| {
            check_notice(kind, d(on), detail, Some(true), aware, commission, today)
        };
        assert!(ok(NoticeKind::Commission, "2026-06-05", "", false).is_ok());
        assert_eq!(
            ok(
                NoticeKind::CommissionAddition,
                "2026-06-06",
                "Cause trouvée",
                false
            )
            .unwrap_err()
            .code,
            "error-confidentiality-addition"
        );
        assert!(ok(NoticeKind::CommissionAddition, "2026-06-06", "Cause", true).is_ok());
        assert_eq!(
            ok(NoticeKind::Public, "2026-06-06", "", true)
                .unwrap_err()
                .field,
            "detail"
        );
        assert_eq!(
            ok(NoticeKind::Persons, "2026-06-02", "", true)
                .unwrap_err()
                .code,
            "error-confidentiality-notice-before"
        );
        assert_eq!(
            ok(NoticeKind::Persons, "2026-06-11", "", true)
                .unwrap_err()
                .code,
            "error-date-future"
        );
        assert_eq!(
            check_notice(
                NoticeKind::Persons,
                d("2026-06-05"),
                "",
                Some(false),
                aware,
                false,
                today
            )
            .unwrap_err()
            .code,
            "error-confidentiality-not-serious"
        );
    }

    // REQ PRIV-02
    #[test]
    fn reminders_come_every_few_days_while_notices_wait() {
        let aware = d("2026-06-01");
        assert!(!reminder_due(aware, None, d("2026-06-03"), 3));
        assert!(reminder_due(aware, None, d("2026-06-04"), 3));
        assert!(!reminder_due(
            aware,
            Some(d("2026-06-04")),
            d("2026-06-06"),
            3
        ));
        assert!(reminder_due(
            aware,
            Some(d("2026-06-04")),
            d("2026-06-07"),
            3
        ));
        assert!(notices_pending(Some(true), false, true, false));
        assert!(notices_pending(Some(true), true, false, false));
        assert!(!notices_pending(Some(true), true, false, true));
        assert!(!notices_pending(Some(false), false, false, false));
        // A cadence of zero is read as every day.
        assert!(reminder_due(
            aware,
            Some(d("2026-06-04")),
            d("2026-06-05"),
            0
        ));
    }
}
