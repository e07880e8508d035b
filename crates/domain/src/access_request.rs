//! An access request's life (PRP-03, A-2.1): received, acknowledged, possibly extended by
//! notice, sent to third parties for their views or transferred to the body that holds the
//! documents, then decided (or withdrawn). The rules here are those the law states plainly and
//! QUEBEC-RULES marks: the deadlines come from [`crate::legal_deadline`]; a decision that
//! refuses anything cites the provisions relied on and carries the notice of the right of review
//! (art. 50–51); steps happen in order of dates, none after the request is closed. What the law
//! leaves to practice (how a transfer or a consultation is made) is recorded, not judged.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::legal_deadline::{self as rules, AccessRequestKind, Deadline, DeadlineSettings};
use crate::validation::check_text;
use crate::FieldError;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessRequestStatus {
    Received,
    Acknowledged,
    /// Third parties consulted on documents that concern them.
    ThirdPartyConsultation,
    /// Sent to the body that holds the documents: closed here.
    Transferred,
    Decided,
    Withdrawn,
}

impl AccessRequestStatus {
    pub const ALL: [AccessRequestStatus; 6] = [
        AccessRequestStatus::Received,
        AccessRequestStatus::Acknowledged,
        AccessRequestStatus::ThirdPartyConsultation,
        AccessRequestStatus::Transferred,
        AccessRequestStatus::Decided,
        AccessRequestStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessRequestStatus::Received => "received",
            AccessRequestStatus::Acknowledged => "acknowledged",
            AccessRequestStatus::ThirdPartyConsultation => "third_party_consultation",
            AccessRequestStatus::Transferred => "transferred",
            AccessRequestStatus::Decided => "decided",
            AccessRequestStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// No step follows: the request is answered, sent elsewhere or given up.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            AccessRequestStatus::Transferred
                | AccessRequestStatus::Decided
                | AccessRequestStatus::Withdrawn
        )
    }
}

/// What the decision gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Everything asked for.
    Granted,
    /// Part of it, the rest redacted or withheld.
    PartlyGranted,
    Refused,
    /// The body holds no such document.
    NotHeld,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 4] = [
        DecisionKind::Granted,
        DecisionKind::PartlyGranted,
        DecisionKind::Refused,
        DecisionKind::NotHeld,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Granted => "granted",
            DecisionKind::PartlyGranted => "partly_granted",
            DecisionKind::Refused => "refused",
            DecisionKind::NotHeld => "not_held",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the decision withholds something, and so must give the provisions relied on.
    pub fn withholds(self) -> bool {
        matches!(self, DecisionKind::PartlyGranted | DecisionKind::Refused)
    }

    /// Whether the requester must be told of the right of review: every decision that does
    /// not give everything (art. 51).
    pub fn needs_recourse_notice(self) -> bool {
        self != DecisionKind::Granted
    }
}

/// A request as the rules see it: its kind, its dates and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDates {
    pub kind: AccessRequestKind,
    pub status: AccessRequestStatus,
    pub received_on: NaiveDate,
    /// The date of the latest step, which the next may not precede.
    pub last_step_on: NaiveDate,
    /// The date the extension notice was sent, once extended.
    pub extension_notice_on: Option<NaiveDate>,
}

/// A step asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Acknowledge {
        on: NaiveDate,
    },
    /// The 10-day extension, by a notice sent on `notice_on`.
    Extend {
        notice_on: NaiveDate,
    },
    ConsultThirdParties {
        on: NaiveDate,
    },
    Transfer {
        on: NaiveDate,
        /// The body the request goes to.
        to: String,
    },
    Decide {
        on: NaiveDate,
        kind: DecisionKind,
        /// Codes of the provisions relied on, from the body's list.
        articles: Vec<String>,
        /// Whether the notice of the right of review goes with the decision.
        recourse_notice: bool,
    },
    Withdraw {
        on: NaiveDate,
    },
}

impl Step {
    fn on(&self) -> NaiveDate {
        match self {
            Step::Acknowledge { on }
            | Step::ConsultThirdParties { on }
            | Step::Transfer { on, .. }
            | Step::Decide { on, .. }
            | Step::Withdraw { on } => *on,
            Step::Extend { notice_on } => *notice_on,
        }
    }

    fn status(&self, current: AccessRequestStatus) -> AccessRequestStatus {
        match self {
            Step::Acknowledge { .. } => AccessRequestStatus::Acknowledged,
            // An extension changes the deadline, not where the request stands.
            Step::Extend { .. } => current,
            Step::ConsultThirdParties { .. } => AccessRequestStatus::ThirdPartyConsultation,
            Step::Transfer { .. } => AccessRequestStatus::Transferred,
            Step::Decide { .. } => AccessRequestStatus::Decided,
            Step::Withdraw { .. } => AccessRequestStatus::Withdrawn,
        }
    }
}

/// Why a step is refused; each names the field at fault for forms and the API.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum StepError {
    #[error("la demande est close")]
    Closed,
    #[error("la demande a déjà fait l'objet d'un accusé de réception")]
    AlreadyAcknowledged,
    #[error("le délai a déjà été prolongé")]
    AlreadyExtended,
    #[error("date antérieure à l'étape précédente")]
    BeforeLastStep,
    #[error("date dans le futur")]
    InTheFuture,
    #[error("prolongation refusée : {0}")]
    Extension(rules::DeadlineError),
    #[error("organisme destinataire requis")]
    TransferTarget,
    #[error("une décision qui refuse doit citer les dispositions invoquées")]
    ArticlesRequired,
    #[error("une décision qui accorde tout ne cite aucune restriction")]
    ArticlesNotExpected,
    #[error("l'avis de recours doit accompagner cette décision")]
    RecourseNoticeRequired,
}

impl StepError {
    /// The refusals that carry no detail, for checks that each names a field and a message.
    pub const PLAIN: [StepError; 9] = [
        StepError::Closed,
        StepError::AlreadyAcknowledged,
        StepError::AlreadyExtended,
        StepError::BeforeLastStep,
        StepError::InTheFuture,
        StepError::TransferTarget,
        StepError::ArticlesRequired,
        StepError::ArticlesNotExpected,
        StepError::RecourseNoticeRequired,
    ];

    /// The field at fault and the message key.
    pub fn field(&self) -> (&'static str, &'static str) {
        match self {
            StepError::Closed => ("step", "error-access-request-closed"),
            StepError::AlreadyAcknowledged => ("step", "error-access-request-acknowledged"),
            StepError::AlreadyExtended => ("notice_on", "error-access-request-extended"),
            StepError::BeforeLastStep => ("on", "error-access-request-date-order"),
            StepError::InTheFuture => ("on", "error-date-future"),
            StepError::Extension(e) => ("notice_on", e.code()),
            StepError::TransferTarget => ("to", "error-required"),
            StepError::ArticlesRequired => ("articles", "error-access-request-articles"),
            StepError::ArticlesNotExpected => ("articles", "error-access-request-articles-granted"),
            StepError::RecourseNoticeRequired => {
                ("recourse_notice", "error-access-request-recourse")
            }
        }
    }
}

/// Checks `step` against the request as it stands on `today`; gives the request after it.
pub fn check_step(
    request: &RequestDates,
    step: &Step,
    today: NaiveDate,
    settings: &DeadlineSettings,
) -> Result<RequestDates, StepError> {
    if request.status.is_closed() {
        return Err(StepError::Closed);
    }
    let on = step.on();
    if on > today {
        return Err(StepError::InTheFuture);
    }
    if on < request.last_step_on || on < request.received_on {
        return Err(StepError::BeforeLastStep);
    }
    let mut next = request.clone();
    match step {
        Step::Acknowledge { .. } => {
            if request.status != AccessRequestStatus::Received {
                return Err(StepError::AlreadyAcknowledged);
            }
        }
        Step::Extend { notice_on } => {
            if request.extension_notice_on.is_some() {
                return Err(StepError::AlreadyExtended);
            }
            rules::access_answer_extended(request.kind, request.received_on, *notice_on, settings)
                .map_err(StepError::Extension)?;
            next.extension_notice_on = Some(*notice_on);
        }
        Step::ConsultThirdParties { .. } => {}
        Step::Transfer { to, .. } => {
            if to.trim().is_empty() {
                return Err(StepError::TransferTarget);
            }
        }
        Step::Decide {
            kind,
            articles,
            recourse_notice,
            ..
        } => {
            if kind.withholds() && articles.is_empty() {
                return Err(StepError::ArticlesRequired);
            }
            if *kind == DecisionKind::Granted && !articles.is_empty() {
                return Err(StepError::ArticlesNotExpected);
            }
            if kind.needs_recourse_notice() && !recourse_notice {
                return Err(StepError::RecourseNoticeRequired);
            }
        }
        Step::Withdraw { .. } => {}
    }
    next.status = step.status(request.status);
    next.last_step_on = on;
    Ok(next)
}

/// The deadline that applies to the request: extended once a notice was sent in time.
pub fn deadline(
    request: &RequestDates,
    settings: &DeadlineSettings,
) -> Result<Deadline, rules::DeadlineError> {
    match request.extension_notice_on {
        Some(notice) => {
            rules::access_answer_extended(request.kind, request.received_on, notice, settings)
        }
        None => rules::access_answer(request.kind, request.received_on, settings),
    }
}

/// Bounds of a request's record.
pub const MAX_NAME: usize = 200;
pub const MAX_CONTACT: usize = 500;
pub const MAX_SUBJECT: usize = 10_000;
pub const MAX_NOTE: usize = 5_000;
/// Provisions a decision may cite.
pub const MAX_ARTICLES: usize = 40;

/// A request as staff record it, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct NewRequest {
    /// `documents`, `personal_access` or `rectification`.
    pub kind: String,
    pub requester_name: String,
    /// Postal or e-mail address the letters go to.
    pub requester_contact: String,
    /// What is asked for, in the requester's words.
    pub subject: String,
    /// YYYY-MM-DD: the day the body received it (not counted).
    pub received_on: String,
    /// `fr` or `en`: the language of the letters (French unless the requester asks).
    pub language: String,
}

/// A request that passed [`check_new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedRequest {
    pub kind: AccessRequestKind,
    pub requester_name: String,
    pub requester_contact: String,
    pub subject: String,
    pub received_on: NaiveDate,
    pub language: crate::language::Language,
}

/// Checks a new request: every field at fault is named. A reception date in the future is
/// refused; one in the past is taken as it is (a request received by mail, recorded late).
pub fn check_new(input: &NewRequest, today: NaiveDate) -> Result<CheckedRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = AccessRequestKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new("kind", "error-choice"));
    }
    check_text(
        &mut errors,
        "requester_name",
        &input.requester_name,
        1,
        MAX_NAME,
        false,
    );
    check_text(
        &mut errors,
        "requester_contact",
        &input.requester_contact,
        1,
        MAX_CONTACT,
        true,
    );
    check_text(&mut errors, "subject", &input.subject, 1, MAX_SUBJECT, true);
    let received = NaiveDate::parse_from_str(input.received_on.trim(), "%Y-%m-%d").ok();
    match received {
        None => errors.push(FieldError::new("received_on", "error-date")),
        Some(d) if d > today => errors.push(FieldError::new("received_on", "error-date-future")),
        Some(_) => {}
    }
    let language = match input.language.trim() {
        "" | "fr" => Some(crate::language::Language::Fr),
        "en" => Some(crate::language::Language::En),
        _ => None,
    };
    if language.is_none() {
        errors.push(FieldError::new("language", "error-choice"));
    }
    match (kind, received, language) {
        (Some(kind), Some(received_on), Some(language)) if errors.is_empty() => {
            Ok(CheckedRequest {
                kind,
                requester_name: input.requester_name.trim().to_owned(),
                requester_contact: input.requester_contact.trim().to_owned(),
                subject: input.subject.trim().to_owned(),
                received_on,
                language,
            })
        }
        _ => Err(errors),
    }
}

/// A provision of law a decision may cite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provision {
    /// How the decision cites it: the article's number (`53`).
    pub code: String,
    /// The law it belongs to (`A-2.1`).
    pub law: String,
    /// Its text or a summary, shown when choosing it.
    pub summary: String,
}

/// The provisions shipped with the product: only those whose text the source documents quote
/// (seed 001's decision letter, which cites them as the law states them). A body adds the
/// others it relies on; none is invented here.
pub const SHIPPED_PROVISIONS: [(&str, &str, &str); 5] = [
    (
        "14",
        "A-2.1",
        "Un organisme public ne peut refuser l’accès à un document pour le seul motif que ce \
         document comporte certains renseignements qu’il doit ou peut refuser de communiquer en \
         vertu de la présente loi.",
    ),
    (
        "29",
        "A-2.1",
        "Un organisme public doit refuser de confirmer l’existence ou de donner communication \
         d’un renseignement portant sur une méthode ou une arme susceptible d’être utilisée pour \
         commettre un crime ou une infraction à une loi.",
    ),
    (
        "53",
        "A-2.1",
        "Les renseignements personnels sont confidentiels sauf dans les cas suivants : 1° la \
         personne concernée par ces renseignements consent à leur divulgation; 2° ils portent \
         sur un renseignement obtenu par un organisme public dans l’exercice d’une fonction \
         juridictionnelle.",
    ),
    (
        "54",
        "A-2.1",
        "Dans un document, sont personnels les renseignements qui concernent une personne \
         physique et permettent de l’identifier.",
    ),
    (
        "56",
        "A-2.1",
        "Le nom d’une personne physique n’est pas un renseignement personnel, sauf lorsqu’il est \
         mentionné avec un autre renseignement la concernant ou lorsque sa seule mention \
         révélerait un renseignement personnel concernant cette personne.",
    ),
];

pub const MAX_PROVISIONS: usize = 300;
pub const MAX_PROVISION_CODE: usize = 40;
pub const MAX_PROVISION_SUMMARY: usize = 2_000;

/// The shipped provisions as records.
pub fn shipped_provisions() -> Vec<Provision> {
    SHIPPED_PROVISIONS
        .iter()
        .map(|(code, law, summary)| Provision {
            code: (*code).to_owned(),
            law: (*law).to_owned(),
            summary: (*summary).to_owned(),
        })
        .collect()
}

/// Checks the provisions a body adds (its whole list): each with a code and a law, within
/// bounds, no code twice nor one the product ships. Faults name the entry: `provisions[2].code`.
pub fn check_provisions(entries: &[Provision]) -> Result<Vec<Provision>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if entries.len() > MAX_PROVISIONS {
        return Err(vec![FieldError::with_limit(
            "provisions",
            "error-too-many",
            MAX_PROVISIONS as u64,
        )]);
    }
    let mut out: Vec<Provision> = Vec::with_capacity(entries.len());
    for (i, p) in entries.iter().enumerate() {
        let before = errors.len();
        check_text(
            &mut errors,
            &format!("provisions[{i}].code"),
            &p.code,
            1,
            MAX_PROVISION_CODE,
            false,
        );
        check_text(
            &mut errors,
            &format!("provisions[{i}].law"),
            &p.law,
            1,
            MAX_PROVISION_CODE,
            false,
        );
        check_text(
            &mut errors,
            &format!("provisions[{i}].summary"),
            &p.summary,
            0,
            MAX_PROVISION_SUMMARY,
            true,
        );
        if errors.len() > before {
            continue;
        }
        let code = p.code.trim();
        if SHIPPED_PROVISIONS.iter().any(|(c, _, _)| *c == code)
            || out.iter().any(|o| o.code == code)
        {
            errors.push(FieldError::new(
                format!("provisions[{i}].code"),
                "error-duplicate",
            ));
            continue;
        }
        out.push(Provision {
            code: code.to_owned(),
            law: p.law.trim().to_owned(),
            summary: p.summary.trim().to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Days from reception to the answer: the delay the indicators average.
pub fn answer_delay_days(received_on: NaiveDate, answered_on: NaiveDate) -> i64 {
    (answered_on - received_on).num_days()
}

/// Checks the provisions a decision cites against the body's list: each must be on it, none
/// twice, at most [`MAX_ARTICLES`]. Gives them trimmed, in the order cited.
pub fn check_articles(cited: &[String], known: &[String]) -> Result<Vec<String>, FieldError> {
    if cited.len() > MAX_ARTICLES {
        return Err(FieldError::with_limit(
            "articles",
            "error-too-many",
            MAX_ARTICLES as u64,
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(cited.len());
    for code in cited {
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        if !known.iter().any(|k| k == code) {
            return Err(FieldError::new(
                "articles",
                "error-access-request-article-unknown",
            ));
        }
        if !out.iter().any(|c| c == code) {
            out.push(code.to_owned());
        }
    }
    Ok(out)
}

/// A document's title at most, in characters.
pub const MAX_DOCUMENT_TITLE: usize = 300;

/// Checks the title of a document found in answer to a request.
pub fn check_document_title(title: &str) -> Result<String, FieldError> {
    let mut errors = Vec::new();
    crate::validation::check_text(&mut errors, "title", title, 1, MAX_DOCUMENT_TITLE, false);
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(title.trim().to_owned()),
    }
}

/// Checks the provisions a redacted version relies on: what is masked is masked under at
/// least one provision of the body's list (the decision cites them; the requester may contest
/// each before the CAI).
pub fn check_redaction(cited: &[String], known: &[String]) -> Result<Vec<String>, FieldError> {
    let articles = check_articles(cited, known)?;
    if articles.is_empty() {
        return Err(FieldError::new(
            "articles",
            "error-access-request-redaction-articles",
        ));
    }
    Ok(articles)
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ PRP-03
    #[test]
    fn a_redacted_version_names_the_provisions_it_relies_on() {
        let known = vec!["53".to_owned(), "54".to_owned()];
        assert_eq!(
            check_redaction(&["54".into(), " 53 ".into(), "54".into()], &known),
            Ok(vec!["54".to_owned(), "53".to_owned()])
        );
        assert_eq!(
            check_redaction(&[" ".into()], &known).unwrap_err().code,
            "error-access-request-redaction-articles"
        );
        assert_eq!(
            check_redaction(&["99".into()], &known).unwrap_err().code,
            "error-access-request-article-unknown"
        );
        assert_eq!(
            check_document_title("  Politique  ").as_deref(),
            Ok("Politique")
        );
        assert_eq!(check_document_title("").unwrap_err().code, "error-required");
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn received(on: &str) -> RequestDates {
        RequestDates {
            kind: AccessRequestKind::Documents,
            status: AccessRequestStatus::Received,
            received_on: d(on),
            last_step_on: d(on),
            extension_notice_on: None,
        }
    }

    const TODAY: &str = "2026-12-05";

    // REQ PRP-03
    #[test]
    fn a_request_goes_from_receipt_to_a_decision_in_date_order() {
        let s = DeadlineSettings::default();
        let today = d(TODAY);
        let r = received("2026-06-04");
        let r = check_step(
            &r,
            &Step::Acknowledge {
                on: d("2026-06-05"),
            },
            today,
            &s,
        )
        .unwrap();
        assert_eq!(r.status, AccessRequestStatus::Acknowledged);
        assert_eq!(
            check_step(
                &r,
                &Step::Acknowledge {
                    on: d("2026-06-06")
                },
                today,
                &s
            ),
            Err(StepError::AlreadyAcknowledged)
        );
        assert_eq!(
            check_step(
                &r,
                &Step::Withdraw {
                    on: d("2026-06-04")
                },
                today,
                &s
            ),
            Err(StepError::BeforeLastStep)
        );
        let r = check_step(
            &r,
            &Step::Extend {
                notice_on: d("2026-06-25"),
            },
            today,
            &s,
        )
        .unwrap();
        assert_eq!(r.status, AccessRequestStatus::Acknowledged);
        assert_eq!(deadline(&r, &s).unwrap().due, d("2026-07-04"));
        assert_eq!(
            check_step(
                &r,
                &Step::Extend {
                    notice_on: d("2026-06-25")
                },
                today,
                &s
            ),
            Err(StepError::AlreadyExtended)
        );
        let decide = |kind, articles: &[&str], notice| Step::Decide {
            on: d("2026-07-02"),
            kind,
            articles: articles.iter().map(|a| a.to_string()).collect(),
            recourse_notice: notice,
        };
        assert_eq!(
            check_step(&r, &decide(DecisionKind::Refused, &[], true), today, &s),
            Err(StepError::ArticlesRequired)
        );
        assert_eq!(
            check_step(
                &r,
                &decide(DecisionKind::PartlyGranted, &["53"], false),
                today,
                &s
            ),
            Err(StepError::RecourseNoticeRequired)
        );
        assert_eq!(
            check_step(
                &r,
                &decide(DecisionKind::Granted, &["53"], false),
                today,
                &s
            ),
            Err(StepError::ArticlesNotExpected)
        );
        assert_eq!(
            check_step(&r, &decide(DecisionKind::NotHeld, &[], false), today, &s),
            Err(StepError::RecourseNoticeRequired)
        );
        let done = check_step(
            &r,
            &decide(DecisionKind::PartlyGranted, &["53", "54"], true),
            today,
            &s,
        )
        .unwrap();
        assert_eq!(done.status, AccessRequestStatus::Decided);
        assert_eq!(
            check_step(
                &done,
                &Step::Withdraw {
                    on: d("2026-07-03")
                },
                today,
                &s
            ),
            Err(StepError::Closed)
        );
        assert_eq!(
            check_step(&r, &decide(DecisionKind::Granted, &[], false), today, &s)
                .unwrap()
                .status,
            AccessRequestStatus::Decided
        );
    }

    // REQ PRP-03
    #[test]
    fn an_extension_after_the_deadline_and_future_dates_are_refused() {
        let s = DeadlineSettings::default();
        let today = d(TODAY);
        let r = received("2026-06-04");
        assert!(matches!(
            check_step(
                &r,
                &Step::Extend {
                    notice_on: d("2026-06-26")
                },
                today,
                &s
            ),
            Err(StepError::Extension(
                rules::DeadlineError::ExtensionTooLate { .. }
            ))
        ));
        assert_eq!(
            check_step(
                &r,
                &Step::Acknowledge {
                    on: d("2026-12-06")
                },
                today,
                &s
            ),
            Err(StepError::InTheFuture)
        );
        assert_eq!(
            check_step(
                &r,
                &Step::Transfer {
                    on: d("2026-06-10"),
                    to: "  ".into()
                },
                today,
                &s
            ),
            Err(StepError::TransferTarget)
        );
        let t = check_step(
            &r,
            &Step::Transfer {
                on: d("2026-06-10"),
                to: "Agence fictive de la santé".into(),
            },
            today,
            &s,
        )
        .unwrap();
        assert!(t.status.is_closed());
        // Every refusal names a field and a message key.
        for e in StepError::PLAIN {
            let (field, key) = e.field();
            assert!(!field.is_empty() && key.starts_with("error-"));
        }
    }

    #[test]
    fn statuses_and_decisions_read_back_their_codes() {
        for s in AccessRequestStatus::ALL {
            assert_eq!(AccessRequestStatus::parse(s.as_str()), Some(s));
        }
        for k in DecisionKind::ALL {
            assert_eq!(DecisionKind::parse(k.as_str()), Some(k));
        }
        assert!(DecisionKind::Refused.withholds());
        assert!(!DecisionKind::NotHeld.withholds());
    }

    // REQ PRP-03
    #[test]
    fn a_new_request_names_every_field_at_fault() {
        let today = d("2026-06-10");
        let good = NewRequest {
            kind: "documents".into(),
            requester_name: "  Alex Tremblay ".into(),
            requester_contact: "alex@example.org".into(),
            subject: "Politiques de protection des renseignements personnels".into(),
            received_on: "2026-06-04".into(),
            language: String::new(),
        };
        let ok = check_new(&good, today).unwrap();
        assert_eq!(ok.requester_name, "Alex Tremblay");
        assert_eq!(ok.language, crate::language::Language::Fr);
        assert_eq!(ok.received_on, d("2026-06-04"));

        let bad = NewRequest {
            kind: "everything".into(),
            requester_name: " ".into(),
            requester_contact: "x".repeat(MAX_CONTACT + 1),
            subject: "a\u{0}b".into(),
            received_on: "2026-06-11".into(),
            language: "de".into(),
        };
        let errors = check_new(&bad, today).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("kind", "error-choice"),
                ("requester_name", "error-required"),
                ("requester_contact", "error-too-long"),
                ("subject", "error-control-characters"),
                ("received_on", "error-date-future"),
                ("language", "error-choice"),
            ]
        );
        let mut no_date = good.clone();
        no_date.received_on = "4 juin".into();
        assert_eq!(
            check_new(&no_date, today).unwrap_err()[0].code,
            "error-date"
        );
    }

    #[test]
    fn cited_articles_come_from_the_list_once_each() {
        let known: Vec<String> = ["14", "53", "54"].map(String::from).to_vec();
        let cited: Vec<String> = [" 53", "14", "53", ""].map(String::from).to_vec();
        assert_eq!(check_articles(&cited, &known).unwrap(), vec!["53", "14"]);
        let unknown = check_articles(&["99".into()], &known).unwrap_err();
        assert_eq!(unknown.code, "error-access-request-article-unknown");
        let many = vec!["14".to_owned(); MAX_ARTICLES + 1];
        assert_eq!(
            check_articles(&many, &known).unwrap_err().code,
            "error-too-many"
        );
        assert_eq!(answer_delay_days(d("2026-06-04"), d("2026-06-24")), 20);
    }

    #[test]
    fn a_body_adds_provisions_without_repeating_the_shipped_ones() {
        let p = |code: &str, law: &str| Provision {
            code: code.into(),
            law: law.into(),
            summary: String::new(),
        };
        let ok = check_provisions(&[p(" 37 ", "A-2.1"), p("39", "A-2.1")]).unwrap();
        assert_eq!(ok[0].code, "37");
        let errors = check_provisions(&[
            p("53", "A-2.1"),
            p("", "A-2.1"),
            p("37", ""),
            p("40", "x"),
            p("40", "x"),
        ])
        .unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("provisions[0].code", "error-duplicate"),
                ("provisions[1].code", "error-required"),
                ("provisions[2].law", "error-required"),
                ("provisions[4].code", "error-duplicate"),
            ]
        );
        assert_eq!(shipped_provisions().len(), 5);
    }
}
