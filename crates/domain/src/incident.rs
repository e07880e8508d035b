//! Security events and incidents (GMVI-01, GMVI-02): what a reporter tells, how the
//! coordinator triages it, the incident's categories, impacts, timeline, roles and tasks, and
//! the status workflow — which transitions exist and what closing demands.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::escalation::Severity;
use crate::validation::{required_text, FieldError, ValidationErrors};

/// The longest free text of a report, a description or a timeline entry.
pub const MAX_TEXT: usize = 10_000;
/// The longest one-line summary or title.
pub const MAX_TITLE: usize = 200;

/// Whether personal information is involved, as the reporter knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalInfo {
    Yes,
    No,
    Unknown,
}

impl PersonalInfo {
    pub const ALL: [PersonalInfo; 3] = [PersonalInfo::Yes, PersonalInfo::No, PersonalInfo::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            PersonalInfo::Yes => "yes",
            PersonalInfo::No => "no",
            PersonalInfo::Unknown => "unknown",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }
}

/// What a person reports: a few fields, nothing that needs training (GMVI-01).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct EventDraft {
    pub summary: String,
    #[serde(default)]
    pub details: String,
    /// When it was seen: `AAAA-MM-JJ` or `AAAA-MM-JJTHH:MM`, empty for "now".
    #[serde(default)]
    pub observed: String,
    #[serde(default)]
    pub personal_info: String,
}

/// A report that passed its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventReport {
    pub summary: String,
    pub details: String,
    pub observed: String,
    pub personal_info: PersonalInfo,
}

impl EventDraft {
    /// Every fault at once; `today` bounds the date seen (an event is not seen tomorrow).
    pub fn check(&self, today: NaiveDate) -> Result<EventReport, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let summary = errors.take(required_text("summary", &self.summary, MAX_TITLE));
        let details = errors
            .take(optional_text("details", &self.details, MAX_TEXT))
            .unwrap_or_default();
        let observed = match parse_observed(self.observed.trim()) {
            Ok(Some(day)) if day > today => {
                errors.push(FieldError::new("observed", "error-date-future"));
                String::new()
            }
            Ok(_) => self.observed.trim().to_owned(),
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let personal_info = match self.personal_info.trim() {
            "" => Some(PersonalInfo::Unknown),
            raw => {
                let parsed = PersonalInfo::parse(raw);
                if parsed.is_none() {
                    errors.push(FieldError::new("personal_info", "error-invalid-choice"));
                }
                parsed
            }
        };
        errors.into_result()?;
        match (summary, personal_info) {
            (Some(summary), Some(personal_info)) => Ok(EventReport {
                summary,
                details,
                observed,
                personal_info,
            }),
            // Unreachable: a missing value pushed an error above.
            _ => Err(ValidationErrors::single(FieldError::new(
                "summary",
                "error-required",
            ))),
        }
    }
}

/// The day of an observation typed as `AAAA-MM-JJ` or `AAAA-MM-JJTHH:MM` (`None` when empty).
fn parse_observed(raw: &str) -> Result<Option<NaiveDate>, FieldError> {
    if raw.is_empty() {
        return Ok(None);
    }
    let (day, time) = match raw.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (raw, None),
    };
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| FieldError::new("observed", "error-date"))?;
    if let Some(t) = time {
        chrono::NaiveTime::parse_from_str(t, "%H:%M")
            .map_err(|_| FieldError::new("observed", "error-date"))?;
    }
    Ok(Some(date))
}

fn optional_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.chars().count() > max {
        return Err(FieldError::with_limit(field, "error-too-long", max as u64));
    }
    // Line breaks are welcome in long text; other control characters are not.
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new(field, "error-control-characters"));
    }
    Ok(value.to_owned())
}

/// Where a reported event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Waiting in the coordinator's queue.
    New,
    Threat,
    Vulnerability,
    Incident,
    Merged,
    Closed,
}

impl EventStatus {
    pub const ALL: [EventStatus; 6] = [
        EventStatus::New,
        EventStatus::Threat,
        EventStatus::Vulnerability,
        EventStatus::Incident,
        EventStatus::Merged,
        EventStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::New => "new",
            EventStatus::Threat => "threat",
            EventStatus::Vulnerability => "vulnerability",
            EventStatus::Incident => "incident",
            EventStatus::Merged => "merged",
            EventStatus::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// The coordinator's decision on an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Triage {
    Threat {
        note: String,
    },
    Vulnerability {
        note: String,
    },
    /// Opens an incident (or attaches the event to an open one).
    Incident {
        note: String,
    },
    /// A duplicate of another event.
    Merge {
        into: i64,
        note: String,
    },
    /// Not a security event, or nothing to do: the reason is required.
    Close {
        reason: String,
    },
}

impl Triage {
    pub fn status(&self) -> EventStatus {
        match self {
            Triage::Threat { .. } => EventStatus::Threat,
            Triage::Vulnerability { .. } => EventStatus::Vulnerability,
            Triage::Incident { .. } => EventStatus::Incident,
            Triage::Merge { .. } => EventStatus::Merged,
            Triage::Close { .. } => EventStatus::Closed,
        }
    }

    pub fn note(&self) -> &str {
        match self {
            Triage::Threat { note }
            | Triage::Vulnerability { note }
            | Triage::Incident { note }
            | Triage::Merge { note, .. } => note,
            Triage::Close { reason } => reason,
        }
    }
}

/// What is known of the event another is merged into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeTarget {
    pub id: i64,
    pub status: EventStatus,
    pub same_body: bool,
}

/// Whether `triage` may be applied to the event `event_id` in `status`: only events still in
/// the queue are triaged; a merge goes into another event of the same body that is not itself
/// merged (so that chains never form); closing needs a reason.
pub fn check_triage(
    event_id: i64,
    status: EventStatus,
    triage: &Triage,
    target: Option<MergeTarget>,
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if status != EventStatus::New {
        errors.push(FieldError::new("status", "error-event-already-triaged"));
    }
    if let Err(e) = optional_text("note", triage.note(), MAX_TEXT) {
        errors.push(e);
    }
    match triage {
        Triage::Close { reason } if reason.trim().is_empty() => {
            errors.push(FieldError::new("note", "error-required"));
        }
        Triage::Merge { into, .. } => match target {
            _ if *into == event_id => errors.push(FieldError::new("into", "error-merge-self")),
            None => errors.push(FieldError::new("into", "error-not-found")),
            Some(t) if !t.same_body => errors.push(FieldError::new("into", "error-not-found")),
            Some(t) if t.status == EventStatus::Merged => {
                errors.push(FieldError::new("into", "error-merge-chain"))
            }
            Some(_) => {}
        },
        _ => {}
    }
    errors.into_result()
}

/// Incident categories (codes; labels are in the translation files).
pub const CATEGORIES: [&str; 11] = [
    "malware",
    "ransomware",
    "phishing",
    "unauthorized_access",
    "account_compromise",
    "data_leak",
    "denial_of_service",
    "defacement",
    "loss_or_theft",
    "misconfiguration",
    "other",
];

/// An incident's stage, in the order of the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Open,
    Contained,
    Eradicated,
    Recovered,
    Closed,
}

impl IncidentStatus {
    pub const ALL: [IncidentStatus; 5] = [
        IncidentStatus::Open,
        IncidentStatus::Contained,
        IncidentStatus::Eradicated,
        IncidentStatus::Recovered,
        IncidentStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Open => "open",
            IncidentStatus::Contained => "contained",
            IncidentStatus::Eradicated => "eradicated",
            IncidentStatus::Recovered => "recovered",
            IncidentStatus::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The stages this one may move to. The response moves forward, a stage may be skipped
    /// (no eradication after a lost laptop), a reinfection sends a later stage back to
    /// containment, only a recovered incident closes, and a closed one may be reopened.
    pub fn next(self) -> &'static [IncidentStatus] {
        use IncidentStatus::*;
        match self {
            Open => &[Contained, Eradicated, Recovered],
            Contained => &[Eradicated, Recovered],
            Eradicated => &[Recovered, Contained],
            Recovered => &[Closed, Contained],
            Closed => &[Open],
        }
    }
}

/// What closing an incident is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosureFacts {
    pub lessons: String,
    pub open_tasks: usize,
    pub has_lead: bool,
}

/// Whether the incident may move from `from` to `to`. Closing demands the lessons learned,
/// every task settled and a lead who answers for the closure; reopening demands a reason.
pub fn check_transition(
    from: IncidentStatus,
    to: IncidentStatus,
    closure: &ClosureFacts,
    reason: &str,
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if !from.next().contains(&to) {
        errors.push(FieldError::new("status", "error-transition"));
        return errors.into_result();
    }
    if to == IncidentStatus::Closed {
        if closure.lessons.trim().is_empty() {
            errors.push(FieldError::new("lessons", "error-required"));
        }
        if closure.open_tasks > 0 {
            errors.push(FieldError::with_limit(
                "tasks",
                "error-open-tasks",
                closure.open_tasks as u64,
            ));
        }
        if !closure.has_lead {
            errors.push(FieldError::new("roles.lead", "error-required"));
        }
    }
    if from == IncidentStatus::Closed && reason.trim().is_empty() {
        errors.push(FieldError::new("reason", "error-required"));
    }
    errors.into_result()
}

/// The impact on one criterion of an affected asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    None,
    Low,
    Medium,
    High,
}

impl Impact {
    pub const ALL: [Impact; 4] = [Impact::None, Impact::Low, Impact::Medium, Impact::High];

    pub fn level(self) -> i64 {
        self as i64
    }

    pub fn from_level(level: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.level() == level)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Impact::None => "none",
            Impact::Low => "low",
            Impact::Medium => "medium",
            Impact::High => "high",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == value)
    }
}

/// An affected asset: availability, integrity and confidentiality impacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetImpact {
    pub availability: Impact,
    pub integrity: Impact,
    pub confidentiality: Impact,
}

impl AssetImpact {
    /// Whether the asset was compromised at all: then its risks are reassessed (GMVI-09).
    pub fn compromised(&self) -> bool {
        self.availability > Impact::None
            || self.integrity > Impact::None
            || self.confidentiality > Impact::None
    }
}

/// The kinds of timeline entry: the four a person writes, then those the platform writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Observation,
    Decision,
    Action,
    Communication,
    /// A status change, written by the platform.
    Status,
    /// A notice sent or escalated, written by the platform.
    Escalation,
}

impl EntryKind {
    pub const ALL: [EntryKind; 6] = [
        EntryKind::Observation,
        EntryKind::Decision,
        EntryKind::Action,
        EntryKind::Communication,
        EntryKind::Status,
        EntryKind::Escalation,
    ];
    /// The kinds a person may write.
    pub const WRITTEN: [EntryKind; 4] = [
        EntryKind::Observation,
        EntryKind::Decision,
        EntryKind::Action,
        EntryKind::Communication,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Observation => "observation",
            EntryKind::Decision => "decision",
            EntryKind::Action => "action",
            EntryKind::Communication => "communication",
            EntryKind::Status => "status",
            EntryKind::Escalation => "escalation",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// A timeline entry as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInput {
    pub kind: EntryKind,
    pub body: String,
    /// When it happened (UTC microseconds); entries may be written after the fact.
    pub occurred_at: i64,
    /// Who took a decision: required for a decision, the crisis cell's log.
    pub decided_by: Option<i64>,
}

/// Checks an entry written by a person at `now`: a kind a person may write, a body, a date
/// not in the future (a minute of clock drift allowed) and, for a decision, who decided.
pub fn check_entry(entry: &EntryInput, now: i64) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if !EntryKind::WRITTEN.contains(&entry.kind) {
        errors.push(FieldError::new("kind", "error-invalid-choice"));
    }
    if entry.body.trim().is_empty() {
        errors.push(FieldError::new("body", "error-required"));
    } else if let Err(e) = optional_text("body", &entry.body, MAX_TEXT) {
        errors.push(e);
    }
    if entry.occurred_at > now + 60_000_000 {
        errors.push(FieldError::new("occurred_at", "error-date-future"));
    }
    if entry.kind == EntryKind::Decision && entry.decided_by.is_none() {
        errors.push(FieldError::new("decided_by", "error-required"));
    }
    errors.into_result()
}

/// Roles on an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentRole {
    Lead,
    Scribe,
    Communications,
}

impl IncidentRole {
    pub const ALL: [IncidentRole; 3] = [
        IncidentRole::Lead,
        IncidentRole::Scribe,
        IncidentRole::Communications,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentRole::Lead => "lead",
            IncidentRole::Scribe => "scribe",
            IncidentRole::Communications => "communications",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// A task's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    Done,
    Cancelled,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 3] = [TaskStatus::Open, TaskStatus::Done, TaskStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// The fields of an incident as typed (opening or editing).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct IncidentDraft {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category: String,
    pub severity: String,
    #[serde(default)]
    pub personal_info: bool,
}

/// Checked incident fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentInput {
    pub title: String,
    pub description: String,
    pub category: String,
    pub severity: Severity,
    pub personal_info: bool,
}

pub fn parse_severity(raw: &str) -> Option<Severity> {
    match raw {
        "low" => Some(Severity::Low),
        "medium" => Some(Severity::Medium),
        "high" => Some(Severity::High),
        "critical" => Some(Severity::Critical),
        _ => None,
    }
}

pub fn severity_str(severity: Severity) -> &'static str {
    match severity {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

impl IncidentDraft {
    pub fn check(&self) -> Result<IncidentInput, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = errors.take(required_text("title", &self.title, MAX_TITLE));
        let description = errors
            .take(optional_text("description", &self.description, MAX_TEXT))
            .unwrap_or_default();
        let category = self.category.trim();
        if !CATEGORIES.contains(&category) {
            errors.push(FieldError::new("category", "error-invalid-choice"));
        }
        let severity = parse_severity(self.severity.trim());
        if severity.is_none() {
            errors.push(FieldError::new("severity", "error-invalid-choice"));
        }
        errors.into_result()?;
        match (title, severity) {
            (Some(title), Some(severity)) => Ok(IncidentInput {
                title,
                description,
                category: category.to_owned(),
                severity,
                personal_info: self.personal_info,
            }),
            // Unreachable: a missing value pushed an error above.
            _ => Err(ValidationErrors::single(FieldError::new(
                "title",
                "error-required",
            ))),
        }
    }
}

/// Checks a task: a title and a due date not before the incident was opened.
pub fn check_task(title: &str, due_on: &str, opened_on: NaiveDate) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if let Err(e) = required_text("title", title, MAX_TITLE) {
        errors.push(e);
    }
    match NaiveDate::parse_from_str(due_on.trim(), "%Y-%m-%d") {
        Ok(d) if d < opened_on => errors.push(FieldError::new("due_on", "error-date-past")),
        Ok(_) => {}
        Err(_) => errors.push(FieldError::new("due_on", "error-date")),
    }
    errors.into_result()
}

/// An incident's reference: INC-AAAA-NNNNNN from the year it was opened and its id.
pub fn reference(year: i32, id: i64) -> String {
    format!("INC-{year}-{id:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(r: Result<(), ValidationErrors>) -> Vec<(String, &'static str)> {
        r.err()
            .map(|e| e.0.into_iter().map(|f| (f.field, f.code)).collect())
            .unwrap_or_default()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    // REQ GMVI-01
    #[test]
    fn a_report_needs_only_a_summary() {
        let today = day("2026-12-04");
        let ok = EventDraft {
            summary: "  Courriel suspect  ".into(),
            ..Default::default()
        }
        .check(today)
        .unwrap();
        assert_eq!(ok.summary, "Courriel suspect");
        assert_eq!(ok.personal_info, PersonalInfo::Unknown);
        let bad = EventDraft {
            summary: " ".into(),
            observed: "2026-12-05".into(),
            personal_info: "peut-être".into(),
            details: "x\u{0}".into(),
        }
        .check(today)
        .unwrap_err();
        let fields: Vec<_> = bad.0.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert_eq!(
            fields,
            [
                ("summary", "error-required"),
                ("details", "error-control-characters"),
                ("observed", "error-date-future"),
                ("personal_info", "error-invalid-choice"),
            ]
        );
        for observed in ["2026-12-04T09:30", "2026-12-03 23:59", "2026-01-01"] {
            assert!(EventDraft {
                summary: "s".into(),
                observed: observed.into(),
                ..Default::default()
            }
            .check(today)
            .is_ok());
        }
        for observed in ["04/12/2026", "2026-12-04T25:00", "hier"] {
            assert!(EventDraft {
                summary: "s".into(),
                observed: observed.into(),
                ..Default::default()
            }
            .check(today)
            .is_err());
        }
    }

    // REQ GMVI-01
    #[test]
    fn triage_as_a_table_of_cases() {
        let target = |status, same_body| {
            Some(MergeTarget {
                id: 2,
                status,
                same_body,
            })
        };
        let merge = Triage::Merge {
            into: 2,
            note: String::new(),
        };
        type Case = (
            EventStatus,
            Triage,
            Option<MergeTarget>,
            Vec<(&'static str, &'static str)>,
        );
        let cases: Vec<Case> = vec![
            (
                EventStatus::New,
                Triage::Threat { note: "".into() },
                None,
                vec![],
            ),
            (
                EventStatus::New,
                Triage::Incident { note: "".into() },
                None,
                vec![],
            ),
            (
                EventStatus::Threat,
                Triage::Incident { note: "".into() },
                None,
                vec![("status", "error-event-already-triaged")],
            ),
            (
                EventStatus::New,
                Triage::Close { reason: " ".into() },
                None,
                vec![("note", "error-required")],
            ),
            (
                EventStatus::New,
                merge.clone(),
                target(EventStatus::New, true),
                vec![],
            ),
            (
                EventStatus::New,
                merge.clone(),
                target(EventStatus::Incident, true),
                vec![],
            ),
            (
                EventStatus::New,
                merge.clone(),
                target(EventStatus::Merged, true),
                vec![("into", "error-merge-chain")],
            ),
            (
                EventStatus::New,
                merge.clone(),
                target(EventStatus::New, false),
                vec![("into", "error-not-found")],
            ),
            (
                EventStatus::New,
                merge.clone(),
                None,
                vec![("into", "error-not-found")],
            ),
            (
                EventStatus::New,
                Triage::Merge {
                    into: 1,
                    note: String::new(),
                },
                target(EventStatus::New, true),
                vec![("into", "error-merge-self")],
            ),
        ];
        for (status, triage, target, expected) in cases {
            let got = codes(check_triage(1, status, &triage, target));
            let expected: Vec<(String, &str)> = expected
                .into_iter()
                .map(|(f, c)| (f.to_owned(), c))
                .collect();
            assert_eq!(got, expected, "{status:?} {triage:?} {target:?}");
        }
    }

    // REQ GMVI-02
    #[test]
    fn the_status_workflow() {
        use IncidentStatus::*;
        let ready = ClosureFacts {
            lessons: "Former le personnel".into(),
            open_tasks: 0,
            has_lead: true,
        };
        let allowed = [
            (Open, Contained),
            (Open, Eradicated),
            (Open, Recovered),
            (Contained, Eradicated),
            (Contained, Recovered),
            (Eradicated, Recovered),
            (Eradicated, Contained),
            (Recovered, Closed),
            (Recovered, Contained),
        ];
        for from in IncidentStatus::ALL {
            for to in IncidentStatus::ALL {
                let ok = check_transition(from, to, &ready, "").is_ok();
                assert_eq!(ok, allowed.contains(&(from, to)), "{from:?} → {to:?}");
            }
        }
        // Only a recovered incident closes; closing demands lessons, settled tasks, a lead.
        assert_eq!(
            codes(check_transition(
                Recovered,
                Closed,
                &ClosureFacts {
                    lessons: " ".into(),
                    open_tasks: 2,
                    has_lead: false
                },
                ""
            )),
            vec![
                ("lessons".to_owned(), "error-required"),
                ("tasks".to_owned(), "error-open-tasks"),
                ("roles.lead".to_owned(), "error-required"),
            ]
        );
        // Reopening needs a reason.
        assert_eq!(
            codes(check_transition(Closed, Open, &ready, "")),
            vec![("reason".to_owned(), "error-required")]
        );
        assert!(check_transition(Closed, Open, &ready, "Réinfection").is_ok());
        assert_eq!(
            codes(check_transition(Open, Closed, &ready, "")),
            vec![("status".to_owned(), "error-transition")]
        );
    }

    // REQ GMVI-02
    #[test]
    fn a_decision_names_who_decided() {
        let now = 1_000_000_000;
        let entry = |kind, decided_by, occurred_at| EntryInput {
            kind,
            body: "Isoler le serveur".into(),
            occurred_at,
            decided_by,
        };
        assert!(check_entry(&entry(EntryKind::Decision, Some(3), now), now).is_ok());
        assert_eq!(
            codes(check_entry(&entry(EntryKind::Decision, None, now), now)),
            vec![("decided_by".to_owned(), "error-required")]
        );
        assert!(check_entry(&entry(EntryKind::Observation, None, now - 5), now).is_ok());
        assert_eq!(
            codes(check_entry(
                &entry(EntryKind::Status, None, now + 3_600_000_000),
                now
            )),
            vec![
                ("kind".to_owned(), "error-invalid-choice"),
                ("occurred_at".to_owned(), "error-date-future")
            ]
        );
    }

    #[test]
    fn incident_fields_and_references() {
        let bad = IncidentDraft {
            title: "".into(),
            category: "aliens".into(),
            severity: "extreme".into(),
            ..Default::default()
        }
        .check()
        .unwrap_err();
        let fields: Vec<_> = bad.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["title", "category", "severity"]);
        let ok = IncidentDraft {
            title: "Rançongiciel".into(),
            category: "ransomware".into(),
            severity: "critical".into(),
            ..Default::default()
        }
        .check()
        .unwrap();
        assert_eq!(ok.severity, Severity::Critical);
        assert_eq!(reference(2026, 42), "INC-2026-000042");
        assert!(AssetImpact {
            availability: Impact::None,
            integrity: Impact::Low,
            confidentiality: Impact::None
        }
        .compromised());
        assert!(!AssetImpact {
            availability: Impact::None,
            integrity: Impact::None,
            confidentiality: Impact::None
        }
        .compromised());
        assert_eq!(
            codes(check_task("", "2026-01-01", day("2026-02-01"))),
            vec![
                ("title".to_owned(), "error-required"),
                ("due_on".to_owned(), "error-date-past")
            ]
        );
    }
}
