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

#[cfg(test)]
mod tests {
    use super::*;

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
}
