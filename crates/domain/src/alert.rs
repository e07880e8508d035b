//! The government alert network (GMVI-08, GLOSSARY `AlertNetwork`): a centre issues an alert
//! or a required operational measure to the public bodies below it; each body acknowledges it
//! and, for a measure, reports it applied (or not applicable, with the reason) by its deadline.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{DayCount, Delay, HolidayCalendar};
use crate::escalation::Severity;
use crate::incident::{parse_severity, MAX_TEXT, MAX_TITLE};
use crate::org::OrgKind;
use crate::validation::{required_text, FieldError, ValidationErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Information to acknowledge.
    Alert,
    /// A required operational measure to apply within its deadline.
    Measure,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Alert => "alert",
            AlertKind::Measure => "measure",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "alert" => Some(AlertKind::Alert),
            "measure" => Some(AlertKind::Measure),
            _ => None,
        }
    }
}

/// Only the centres of the network issue alerts.
pub fn may_issue(issuer: OrgKind) -> bool {
    matches!(
        issuer,
        OrgKind::GovernmentCentre | OrgKind::OperationalCentre
    )
}

/// Where a body stands on an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    Pending,
    Acknowledged,
    Applied,
    NotApplicable,
}

impl TargetStatus {
    pub const ALL: [TargetStatus; 4] = [
        TargetStatus::Pending,
        TargetStatus::Acknowledged,
        TargetStatus::Applied,
        TargetStatus::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Pending => "pending",
            TargetStatus::Acknowledged => "acknowledged",
            TargetStatus::Applied => "applied",
            TargetStatus::NotApplicable => "not_applicable",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Whether the body has done what the alert asks: acknowledged an alert; applied a
    /// measure or shown it does not apply.
    pub fn settles(self, kind: AlertKind) -> bool {
        match kind {
            AlertKind::Alert => self != TargetStatus::Pending,
            AlertKind::Measure => {
                matches!(self, TargetStatus::Applied | TargetStatus::NotApplicable)
            }
        }
    }
}

/// Whether a body may move from `from` to `to` on an alert of `kind`, with `report` (what was
/// done, or why the measure does not apply). An alert is only acknowledged; a measure is
/// acknowledged, then applied (the report says how) or declared not applicable (the report
/// says why); a settled answer is final — a correction is a new report, not a rewrite.
pub fn check_response(
    kind: AlertKind,
    from: TargetStatus,
    to: TargetStatus,
    report: &str,
) -> Result<(), ValidationErrors> {
    use TargetStatus::*;
    let mut errors = ValidationErrors::default();
    let allowed = match kind {
        AlertKind::Alert => from == Pending && to == Acknowledged,
        AlertKind::Measure => matches!(
            (from, to),
            (Pending, Acknowledged)
                | (Pending | Acknowledged, Applied)
                | (Pending | Acknowledged, NotApplicable)
        ),
    };
    if !allowed {
        errors.push(FieldError::new("status", "error-transition"));
    }
    if matches!(to, Applied | NotApplicable) && report.trim().is_empty() {
        errors.push(FieldError::new("report", "error-required"));
    }
    if report.chars().count() > MAX_TEXT {
        errors.push(FieldError::with_limit(
            "report",
            "error-too-long",
            MAX_TEXT as u64,
        ));
    }
    errors.into_result()
}

/// Whether a body is late on `today`: past the due date without having settled.
pub fn is_overdue(
    kind: AlertKind,
    status: TargetStatus,
    due_on: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    !status.settles(kind) && due_on.is_some_and(|d| today > d)
}

/// How a deadline is given: a date, or a number of days from issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueDraft {
    None,
    On(NaiveDate),
    In(Delay),
}

/// An alert as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertDraft {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub severity: String,
    pub due: DueDraft,
}

/// A checked alert, with its due date and the rule that gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertInput {
    pub kind: AlertKind,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub due_on: Option<NaiveDate>,
    /// How the due date was computed, shown beside it (`10 jours ouvrables`).
    pub due_rule: String,
}

impl AlertDraft {
    /// Every fault at once. A measure needs a deadline not before `issued_on`; an alert may
    /// have one (to acknowledge by). Days are counted on `calendar`.
    pub fn check(
        &self,
        issued_on: NaiveDate,
        calendar: &HolidayCalendar,
    ) -> Result<AlertInput, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let kind = AlertKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new("kind", "error-invalid-choice"));
        }
        let title = errors.take(required_text("title", &self.title, MAX_TITLE));
        if self.description.chars().count() > MAX_TEXT {
            errors.push(FieldError::with_limit(
                "description",
                "error-too-long",
                MAX_TEXT as u64,
            ));
        }
        let severity = parse_severity(self.severity.trim());
        if severity.is_none() {
            errors.push(FieldError::new("severity", "error-invalid-choice"));
        }
        let (due_on, due_rule) = match self.due {
            DueDraft::None => (None, String::new()),
            DueDraft::On(d) if d < issued_on => {
                errors.push(FieldError::new("due_on", "error-date-past"));
                (None, String::new())
            }
            DueDraft::On(d) => (Some(d), String::new()),
            DueDraft::In(delay) if delay.days == 0 || delay.days > 365 => {
                errors.push(FieldError::with_limit("due_days", "error-due-days", 365));
                (None, String::new())
            }
            DueDraft::In(delay) => match calendar.deadline(issued_on, delay) {
                Some(d) => (Some(d), delay_rule(delay)),
                None => {
                    errors.push(FieldError::new("due_days", "error-date"));
                    (None, String::new())
                }
            },
        };
        if kind == Some(AlertKind::Measure) && due_on.is_none() && self.due == DueDraft::None {
            errors.push(FieldError::new("due_on", "error-required"));
        }
        errors.into_result()?;
        match (kind, title, severity) {
            (Some(kind), Some(title), Some(severity)) => Ok(AlertInput {
                kind,
                title,
                description: self.description.trim().to_owned(),
                severity,
                due_on,
                due_rule,
            }),
            // Unreachable: a missing value pushed an error above.
            _ => Err(ValidationErrors::single(FieldError::new(
                "title",
                "error-required",
            ))),
        }
    }
}

/// The rule of a delay in words, in French (the language of the record).
pub fn delay_rule(delay: Delay) -> String {
    match delay.count {
        DayCount::Calendar => format!(
            "{} jours civils, reporté au jour ouvrable suivant (Loi d'interprétation, art. 61)",
            delay.days
        ),
        DayCount::Working => format!(
            "{} jours ouvrables (fins de semaine et jours fériés exclus)",
            delay.days
        ),
    }
}

/// The compliance of a set of bodies with one alert: the issuer's board per body and centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Compliance {
    pub targets: u64,
    pub acknowledged: u64,
    pub applied: u64,
    pub not_applicable: u64,
    pub settled: u64,
    pub overdue: u64,
}

impl Compliance {
    pub fn add(&mut self, kind: AlertKind, status: TargetStatus, overdue: bool) {
        self.targets += 1;
        match status {
            TargetStatus::Pending => {}
            TargetStatus::Acknowledged => self.acknowledged += 1,
            TargetStatus::Applied => self.applied += 1,
            TargetStatus::NotApplicable => self.not_applicable += 1,
        }
        if status.settles(kind) {
            self.settled += 1;
        }
        if overdue {
            self.overdue += 1;
        }
    }

    /// The share settled, in whole percent (100 when there is no target).
    pub fn percent(&self) -> u64 {
        (self.settled * 100)
            .checked_div(self.targets)
            .unwrap_or(100)
    }
}

/// An alert's reference: ALR- or MES-AAAA-NNNNNN.
pub fn reference(kind: AlertKind, year: i32, id: i64) -> String {
    let prefix = match kind {
        AlertKind::Alert => "ALR",
        AlertKind::Measure => "MES",
    };
    format!("{prefix}-{year}-{id:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    // REQ GMVI-08
    #[test]
    fn responses_as_a_table_of_cases() {
        use AlertKind::*;
        use TargetStatus::*;
        let cases = [
            (Alert, Pending, Acknowledged, "", true),
            (Alert, Pending, Applied, "fait", false),
            (Alert, Acknowledged, Acknowledged, "", false),
            (Measure, Pending, Acknowledged, "", true),
            (Measure, Acknowledged, Applied, "Correctif installé", true),
            (Measure, Pending, Applied, "Correctif installé", true),
            (Measure, Acknowledged, Applied, " ", false),
            (Measure, Acknowledged, NotApplicable, "Produit absent", true),
            (Measure, Applied, NotApplicable, "x", false),
            (Measure, NotApplicable, Applied, "x", false),
            (Measure, Applied, Pending, "", false),
        ];
        for (kind, from, to, report, ok) in cases {
            assert_eq!(
                check_response(kind, from, to, report).is_ok(),
                ok,
                "{kind:?} {from:?} → {to:?} « {report} »"
            );
        }
    }

    // REQ GMVI-08
    #[test]
    fn overdue_and_compliance() {
        let due = Some(day("2026-12-10"));
        assert!(!is_overdue(
            AlertKind::Measure,
            TargetStatus::Acknowledged,
            due,
            day("2026-12-10")
        ));
        assert!(is_overdue(
            AlertKind::Measure,
            TargetStatus::Acknowledged,
            due,
            day("2026-12-11")
        ));
        assert!(!is_overdue(
            AlertKind::Measure,
            TargetStatus::Applied,
            due,
            day("2026-12-11")
        ));
        assert!(!is_overdue(
            AlertKind::Alert,
            TargetStatus::Acknowledged,
            due,
            day("2026-12-11")
        ));
        assert!(!is_overdue(
            AlertKind::Alert,
            TargetStatus::Pending,
            None,
            day("2030-01-01")
        ));
        let mut c = Compliance::default();
        c.add(AlertKind::Measure, TargetStatus::Applied, false);
        c.add(AlertKind::Measure, TargetStatus::Acknowledged, true);
        c.add(AlertKind::Measure, TargetStatus::NotApplicable, false);
        c.add(AlertKind::Measure, TargetStatus::Pending, true);
        assert_eq!(
            (c.targets, c.settled, c.overdue, c.percent()),
            (4, 2, 2, 50)
        );
        assert_eq!(Compliance::default().percent(), 100);
    }

    // REQ GMVI-08, PLAT-11
    #[test]
    fn a_measure_due_in_working_days_skips_holidays() {
        let calendar = HolidayCalendar::default();
        let draft = AlertDraft {
            kind: "measure".into(),
            title: "Corriger la faille".into(),
            description: String::new(),
            severity: "high".into(),
            due: DueDraft::In(Delay {
                days: 3,
                count: DayCount::Working,
            }),
        };
        // Issued Wednesday 23 December 2026: Thursday 24, (Friday 25 Christmas), Monday 28,
        // Tuesday 29.
        let input = draft.check(day("2026-12-23"), &calendar).unwrap();
        assert_eq!(input.due_on, Some(day("2026-12-29")));
        assert!(input.due_rule.contains("jours ouvrables"));
        let missing = AlertDraft {
            due: DueDraft::None,
            ..draft.clone()
        }
        .check(day("2026-12-23"), &calendar)
        .unwrap_err();
        assert_eq!(missing.0[0].field, "due_on");
        let past = AlertDraft {
            due: DueDraft::On(day("2026-12-01")),
            ..draft
        }
        .check(day("2026-12-23"), &calendar)
        .unwrap_err();
        assert_eq!(past.0[0].code, "error-date-past");
        assert!(may_issue(OrgKind::OperationalCentre));
        assert!(!may_issue(OrgKind::PublicBody));
        assert_eq!(reference(AlertKind::Measure, 2026, 7), "MES-2026-000007");
    }
}
