//! Personal-information files and what becomes of them (PRP-01): the inventory (purpose,
//! categories, sensitivity, who holds them, the retention schedule's rule), the date the
//! information must be destroyed or anonymized once its purposes are achieved (A-2.1 art. 73,
//! subject to the archives law: not before the schedule's period has run), the destruction with
//! its method, and the register of communications (art. 67.3), where a communication outside
//! Québec needs an approved privacy impact assessment first (art. 70.1).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::confidentiality::Level;
use crate::validation::check_text;
use crate::FieldError;

pub const MAX_NAME: usize = 200;
pub const MAX_TEXT: usize = 10_000;
pub const MAX_RULE: usize = 500;
/// No retention schedule keeps personal information a century after its purposes.
pub const MAX_RETENTION_YEARS: i64 = 100;

/// What happens to the information when its retention ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndAction {
    Destroy,
    /// Irreversible anonymization, for a serious and legitimate purpose (art. 73).
    Anonymize,
}

impl EndAction {
    pub const ALL: [EndAction; 2] = [EndAction::Destroy, EndAction::Anonymize];

    pub fn as_str(self) -> &'static str {
        match self {
            EndAction::Destroy => "destroy",
            EndAction::Anonymize => "anonymize",
        }
    }

    pub fn parse(s: &str) -> Option<EndAction> {
        EndAction::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The file's status once carried out.
    pub fn disposed_status(self) -> &'static str {
        match self {
            EndAction::Destroy => "destroyed",
            EndAction::Anonymize => "anonymized",
        }
    }
}

/// Whether a file still held is past the day its information was due for disposal.
pub fn overdue(held: bool, disposal_due: Option<NaiveDate>, today: NaiveDate) -> bool {
    held && disposal_due.is_some_and(|d| d < today)
}

/// A file as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct FileInput {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    /// The categories of information, one a line.
    #[serde(default)]
    pub categories: String,
    /// `low`, `medium` or `high`.
    #[serde(default)]
    pub sensitivity: String,
    /// The units or functions that hold and use the file.
    #[serde(default)]
    pub holders: String,
    /// The information asset (system) that keeps it, if any.
    #[serde(default)]
    pub asset_id: String,
    /// The retention schedule's rule (its number and title).
    #[serde(default)]
    pub retention_rule: String,
    /// Years kept once the purposes are achieved, per that rule.
    #[serde(default)]
    pub retention_years: String,
    #[serde(default)]
    pub end_action: String,
    /// The day the purposes were achieved (YYYY-MM-DD), once they are.
    #[serde(default)]
    pub purposes_achieved_on: String,
}

/// A file that passed [`check_file`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonalInfoFile {
    pub org_id: i64,
    pub name: String,
    pub purpose: String,
    pub categories: String,
    pub sensitivity: Level,
    pub holders: String,
    pub asset_id: Option<i64>,
    pub retention_rule: String,
    pub retention_years: i64,
    pub end_action: EndAction,
    pub purposes_achieved_on: Option<NaiveDate>,
    /// When the information must be destroyed or anonymized: the day the purposes were
    /// achieved plus the retention period; unknown while the purposes are not achieved.
    pub disposal_due: Option<NaiveDate>,
}

fn optional_date(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    crate::validation::check_date(errors, field, raw, false, Some(today))
}

fn required_date(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    crate::validation::check_date(errors, field, raw, true, Some(today))
}

/// The day the information must be destroyed or anonymized.
pub fn disposal_due(purposes_achieved_on: NaiveDate, retention_years: i64) -> Option<NaiveDate> {
    let months = u32::try_from(retention_years.checked_mul(12)?).ok()?;
    purposes_achieved_on.checked_add_months(Months::new(months))
}

/// Checks a file; every field at fault is named.
pub fn check_file(
    input: &FileInput,
    today: NaiveDate,
) -> Result<PersonalInfoFile, Vec<FieldError>> {
    let mut errors = Vec::new();
    let org_id = input.org_id.trim().parse::<i64>().ok().filter(|&i| i > 0);
    if org_id.is_none() {
        errors.push(FieldError::new("org_id", "error-choice"));
    }
    check_text(&mut errors, "name", &input.name, 1, MAX_NAME, false);
    check_text(&mut errors, "purpose", &input.purpose, 1, MAX_TEXT, true);
    check_text(
        &mut errors,
        "categories",
        &input.categories,
        1,
        MAX_TEXT,
        true,
    );
    let sensitivity = Level::parse(input.sensitivity.trim());
    if sensitivity.is_none() {
        errors.push(FieldError::new("sensitivity", "error-choice"));
    }
    check_text(&mut errors, "holders", &input.holders, 1, MAX_TEXT, true);
    let asset_id = match input.asset_id.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.push(FieldError::new("asset_id", "error-choice"));
                None
            }
        },
    };
    check_text(
        &mut errors,
        "retention_rule",
        &input.retention_rule,
        1,
        MAX_RULE,
        false,
    );
    let retention_years = match input.retention_years.trim().parse::<i64>() {
        Ok(y) if (0..=MAX_RETENTION_YEARS).contains(&y) => Some(y),
        _ => {
            errors.push(FieldError::with_limit(
                "retention_years",
                "error-count",
                MAX_RETENTION_YEARS as u64,
            ));
            None
        }
    };
    let end_action = EndAction::parse(input.end_action.trim());
    if end_action.is_none() {
        errors.push(FieldError::new("end_action", "error-choice"));
    }
    let achieved = optional_date(
        &mut errors,
        "purposes_achieved_on",
        &input.purposes_achieved_on,
        today,
    );
    match (org_id, sensitivity, retention_years, end_action) {
        (Some(org_id), Some(sensitivity), Some(retention_years), Some(end_action))
            if errors.is_empty() =>
        {
            Ok(PersonalInfoFile {
                org_id,
                name: input.name.trim().to_owned(),
                purpose: input.purpose.trim().to_owned(),
                categories: input.categories.trim().to_owned(),
                sensitivity,
                holders: input.holders.trim().to_owned(),
                asset_id,
                retention_rule: input.retention_rule.trim().to_owned(),
                retention_years,
                end_action,
                purposes_achieved_on: achieved,
                disposal_due: achieved.and_then(|a| disposal_due(a, retention_years)),
            })
        }
        _ => Err(errors),
    }
}

/// How the information was destroyed or anonymized; chosen by its sensitivity, purpose,
/// quantity, distribution and medium (seed 001, "La destruction").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisposalMethod {
    /// Paper shredded (cross-cut) by the body or a bonded contractor.
    Shredding,
    /// Media overwritten or erased by a recognized method.
    SecureErasure,
    /// The keys of encrypted data destroyed.
    CryptographicErasure,
    /// The media physically destroyed.
    MediaDestruction,
    /// Irreversibly anonymized.
    Anonymization,
}

impl DisposalMethod {
    pub const ALL: [DisposalMethod; 5] = [
        DisposalMethod::Shredding,
        DisposalMethod::SecureErasure,
        DisposalMethod::CryptographicErasure,
        DisposalMethod::MediaDestruction,
        DisposalMethod::Anonymization,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DisposalMethod::Shredding => "shredding",
            DisposalMethod::SecureErasure => "secure_erasure",
            DisposalMethod::CryptographicErasure => "cryptographic_erasure",
            DisposalMethod::MediaDestruction => "media_destruction",
            DisposalMethod::Anonymization => "anonymization",
        }
    }

    pub fn parse(s: &str) -> Option<DisposalMethod> {
        DisposalMethod::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether this method carries out `action`.
    pub fn carries_out(self, action: EndAction) -> bool {
        (self == DisposalMethod::Anonymization) == (action == EndAction::Anonymize)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct DisposalInput {
    #[serde(default)]
    pub done_on: String,
    #[serde(default)]
    pub method: String,
    /// Who did it, the certificate's reference, the anonymization technique.
    #[serde(default)]
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disposal {
    pub done_on: NaiveDate,
    pub method: DisposalMethod,
    pub notes: String,
}

/// Checks a destruction or anonymization: once only; the purposes achieved and the schedule's
/// period run out (art. 73 defers to the archives law: no earlier); a method that does what
/// the file's rule asks; notes saying how, required for an anonymization.
pub fn check_disposal(
    file: &PersonalInfoFile,
    disposed: bool,
    input: &DisposalInput,
    today: NaiveDate,
) -> Result<Disposal, Vec<FieldError>> {
    if disposed {
        return Err(vec![FieldError::new("method", "error-pif-disposed")]);
    }
    let mut errors = Vec::new();
    let done_on = required_date(&mut errors, "done_on", &input.done_on, today);
    match (file.disposal_due, done_on) {
        (None, _) => errors.push(FieldError::new(
            "purposes_achieved_on",
            "error-pif-purposes-running",
        )),
        (Some(due), Some(done)) if done < due => {
            errors.push(FieldError::new("done_on", "error-pif-retention-running"))
        }
        _ => {}
    }
    let method = DisposalMethod::parse(input.method.trim());
    match method {
        None => errors.push(FieldError::new("method", "error-choice")),
        Some(m) if !m.carries_out(file.end_action) => {
            errors.push(FieldError::new("method", "error-pif-method"))
        }
        _ => {}
    }
    let min = usize::from(method == Some(DisposalMethod::Anonymization));
    check_text(&mut errors, "notes", &input.notes, min, MAX_TEXT, true);
    match (done_on, method) {
        (Some(done_on), Some(method)) if errors.is_empty() => Ok(Disposal {
            done_on,
            method,
            notes: input.notes.trim().to_owned(),
        }),
        _ => Err(errors),
    }
}

/// A communication as written for the register (art. 67.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CommunicationInput {
    #[serde(default)]
    pub org_id: String,
    /// The file the information came from, if it is in the inventory.
    #[serde(default)]
    pub file_id: String,
    #[serde(default)]
    pub communicated_on: String,
    /// The nature or type of the information communicated.
    #[serde(default)]
    pub nature: String,
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub purpose: String,
    /// A communication outside Québec (art. 70.1).
    #[serde(default)]
    pub outside_quebec: bool,
    /// Why it was communicated: the provision or the agreement relied on.
    #[serde(default)]
    pub reason: String,
    /// The approved assessment a communication outside Québec relies on.
    #[serde(default)]
    pub assessment_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Communication {
    pub org_id: i64,
    pub file_id: Option<i64>,
    pub communicated_on: NaiveDate,
    pub nature: String,
    pub recipient: String,
    pub purpose: String,
    pub outside_quebec: bool,
    pub reason: String,
    pub assessment_id: Option<i64>,
}

fn optional_id(errors: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<i64> {
    match raw.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.push(FieldError::new(field, "error-choice"));
                None
            }
        },
    }
}

/// Checks an entry of the register; a communication outside Québec names the assessment it
/// relies on (storage checks that one is approved and the body's).
pub fn check_communication(
    input: &CommunicationInput,
    today: NaiveDate,
) -> Result<Communication, Vec<FieldError>> {
    let mut errors = Vec::new();
    let org_id = input.org_id.trim().parse::<i64>().ok().filter(|&i| i > 0);
    if org_id.is_none() {
        errors.push(FieldError::new("org_id", "error-choice"));
    }
    let file_id = optional_id(&mut errors, "file_id", &input.file_id);
    let on = required_date(
        &mut errors,
        "communicated_on",
        &input.communicated_on,
        today,
    );
    check_text(&mut errors, "nature", &input.nature, 1, MAX_TEXT, true);
    check_text(
        &mut errors,
        "recipient",
        &input.recipient,
        1,
        MAX_RULE,
        false,
    );
    check_text(&mut errors, "purpose", &input.purpose, 1, MAX_TEXT, true);
    check_text(&mut errors, "reason", &input.reason, 1, MAX_TEXT, true);
    let assessment_id = optional_id(&mut errors, "assessment_id", &input.assessment_id);
    if input.outside_quebec && assessment_id.is_none() && input.assessment_id.trim().is_empty() {
        errors.push(FieldError::new(
            "assessment_id",
            "error-pif-assessment-needed",
        ));
    }
    match (org_id, on) {
        (Some(org_id), Some(communicated_on)) if errors.is_empty() => Ok(Communication {
            org_id,
            file_id,
            communicated_on,
            nature: input.nature.trim().to_owned(),
            recipient: input.recipient.trim().to_owned(),
            purpose: input.purpose.trim().to_owned(),
            outside_quebec: input.outside_quebec,
            reason: input.reason.trim().to_owned(),
            // An assessment may back any communication; one outside Québec needs it.
            assessment_id,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn codes(errors: Vec<FieldError>) -> Vec<(String, &'static str)> {
        errors.into_iter().map(|e| (e.field, e.code)).collect()
    }

    fn input() -> FileInput {
        FileInput {
            org_id: "4".into(),
            name: "Dossiers des prestataires".into(),
            purpose: "Verser l'allocation".into(),
            categories: "Identité\nRevenus".into(),
            sensitivity: "high".into(),
            holders: "Direction des prestations".into(),
            asset_id: String::new(),
            retention_rule: "Règle 2104 — dossiers de prestataires".into(),
            retention_years: "7".into(),
            end_action: "destroy".into(),
            purposes_achieved_on: "2019-02-28".into(),
        }
    }

    // REQ PRP-01
    #[test]
    fn a_file_is_due_for_disposal_when_its_retention_has_run() {
        let today = d("2026-12-04");
        let f = check_file(&input(), today).unwrap();
        // 28 February 2019 plus seven years: 28 February 2026.
        assert_eq!(f.disposal_due, Some(d("2026-02-28")));
        assert_eq!(disposal_due(d("2024-02-29"), 1), Some(d("2025-02-28")));
        assert_eq!(disposal_due(d("2024-02-29"), i64::MAX), None);
        let open = check_file(
            &FileInput {
                purposes_achieved_on: String::new(),
                ..input()
            },
            today,
        )
        .unwrap();
        assert_eq!(open.disposal_due, None);
        assert!(overdue(true, f.disposal_due, today));
        assert!(
            !overdue(true, f.disposal_due, d("2026-02-28")),
            "due that day, not past"
        );
        assert!(!overdue(false, f.disposal_due, today));
        assert!(!overdue(true, None, today));
        assert_eq!(EndAction::Anonymize.disposed_status(), "anonymized");
        assert_eq!(
            codes(
                check_file(
                    &FileInput {
                        org_id: String::new(),
                        sensitivity: "secret".into(),
                        retention_years: "101".into(),
                        end_action: "burn".into(),
                        purposes_achieved_on: "2027-01-01".into(),
                        asset_id: "x".into(),
                        ..input()
                    },
                    today
                )
                .unwrap_err()
            ),
            vec![
                ("org_id".to_owned(), "error-choice"),
                ("sensitivity".to_owned(), "error-choice"),
                ("asset_id".to_owned(), "error-choice"),
                ("retention_years".to_owned(), "error-count"),
                ("end_action".to_owned(), "error-choice"),
                ("purposes_achieved_on".to_owned(), "error-date-future"),
            ]
        );
    }

    // REQ PRP-01
    #[test]
    fn destruction_waits_for_the_schedule_and_fits_the_rule() {
        let today = d("2026-12-04");
        let f = check_file(&input(), today).unwrap();
        let dispose = |on: &str, method: &str, notes: &str| DisposalInput {
            done_on: on.into(),
            method: method.into(),
            notes: notes.into(),
        };
        assert_eq!(
            codes(
                check_disposal(&f, false, &dispose("2026-01-15", "shredding", ""), today)
                    .unwrap_err()
            ),
            vec![("done_on".to_owned(), "error-pif-retention-running")]
        );
        assert_eq!(
            codes(
                check_disposal(
                    &f,
                    false,
                    &dispose("2026-03-02", "anonymization", ""),
                    today
                )
                .unwrap_err()
            ),
            vec![
                ("method".to_owned(), "error-pif-method"),
                ("notes".to_owned(), "error-required")
            ]
        );
        let done = check_disposal(
            &f,
            false,
            &dispose("2026-03-02", "secure_erasure", ""),
            today,
        )
        .unwrap();
        assert_eq!(done.method, DisposalMethod::SecureErasure);
        assert_eq!(
            codes(
                check_disposal(
                    &f,
                    true,
                    &dispose("2026-03-02", "secure_erasure", ""),
                    today
                )
                .unwrap_err()
            ),
            vec![("method".to_owned(), "error-pif-disposed")]
        );
        let running = check_file(
            &FileInput {
                purposes_achieved_on: String::new(),
                end_action: "anonymize".into(),
                ..input()
            },
            today,
        )
        .unwrap();
        assert_eq!(
            codes(
                check_disposal(
                    &running,
                    false,
                    &dispose("2026-03-02", "anonymization", "k-anonymat"),
                    today
                )
                .unwrap_err()
            ),
            vec![(
                "purposes_achieved_on".to_owned(),
                "error-pif-purposes-running"
            )]
        );
    }

    // REQ PRP-01
    #[test]
    fn a_communication_outside_quebec_names_its_assessment() {
        let today = d("2026-12-04");
        let c = CommunicationInput {
            org_id: "4".into(),
            file_id: String::new(),
            communicated_on: "2026-11-30".into(),
            nature: "Coordonnées".into(),
            recipient: "Fournisseur infonuagique".into(),
            purpose: "Hébergement".into(),
            outside_quebec: true,
            reason: "Contrat, art. 70.1".into(),
            assessment_id: String::new(),
        };
        assert_eq!(
            codes(check_communication(&c, today).unwrap_err()),
            vec![("assessment_id".to_owned(), "error-pif-assessment-needed")]
        );
        let ok = check_communication(
            &CommunicationInput {
                assessment_id: "9".into(),
                ..c.clone()
            },
            today,
        )
        .unwrap();
        assert_eq!(ok.assessment_id, Some(9));
        let home = check_communication(
            &CommunicationInput {
                outside_quebec: false,
                ..c.clone()
            },
            today,
        )
        .unwrap();
        assert_eq!(home.assessment_id, None);
        assert_eq!(
            codes(
                check_communication(
                    &CommunicationInput {
                        communicated_on: "2026-12-05".into(),
                        recipient: String::new(),
                        outside_quebec: false,
                        ..c
                    },
                    today
                )
                .unwrap_err()
            ),
            vec![
                ("communicated_on".to_owned(), "error-date-future"),
                ("recipient".to_owned(), "error-required")
            ]
        );
    }
}
