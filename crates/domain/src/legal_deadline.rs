//! The legal deadlines of the access law and of the register of confidentiality
//! incidents, each computed by a named rule that says which article it applies and how sure we
//! are of it (QUEBEC-RULES: verified, secondary, unverified). What is not verified comes from
//! [`DeadlineSettings`], whose defaults are the documented values, so a body can correct them
//! without a new release.
//!
//! A computed deadline keeps its reasoning: the day it starts from, the nominal end, the days off
//! it was moved over and why, so that the UI and `rempart deadline` show the rule applied, not
//! just a date. The rules know nothing of requests or incidents as records: they take dates.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::{DayOff, HolidayCalendar};

/// The access law's answer delay, in calendar days after the day of receipt (art. 47 and 98,
/// verified; the CAI says "20 jours civils").
pub const ANSWER_DAYS: u32 = 20;
/// The most an answer delay may be extended, by a notice sent before it expires (art. 98
/// verified, art. 47 secondary).
pub const EXTENSION_DAYS: u32 = 10;
/// The delay to ask the CAI for a review, after the decision or the expiry of the delay to answer
/// (art. 135, verified).
pub const REVIEW_DAYS: u32 = 30;

/// How sure the product is of a rule (QUEBEC-RULES' marks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// Read in the law's official text or on the CAI's own pages.
    Verified,
    /// From a reliable copy or commentary: a setting with the documented default.
    Secondary,
    /// Believed, not found in a source: a setting with the documented default.
    Unverified,
}

impl Certainty {
    pub fn label_key(self) -> &'static str {
        match self {
            Certainty::Verified => "deadline-certainty-verified",
            Certainty::Secondary => "deadline-certainty-secondary",
            Certainty::Unverified => "deadline-certainty-unverified",
        }
    }
}

/// The kind of an access request (glossary: `AccessRequest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessRequestKind {
    /// Access to documents held by the body (art. 9, deadline art. 47).
    Documents,
    /// Access to one's personal information (art. 83, deadline art. 98).
    PersonalAccess,
    /// Rectification of one's personal information (art. 89, deadline art. 98).
    Rectification,
}

impl AccessRequestKind {
    pub const ALL: [AccessRequestKind; 3] = [
        AccessRequestKind::Documents,
        AccessRequestKind::PersonalAccess,
        AccessRequestKind::Rectification,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessRequestKind::Documents => "documents",
            AccessRequestKind::PersonalAccess => "personal_access",
            AccessRequestKind::Rectification => "rectification",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            AccessRequestKind::Documents => "access-request-kind-documents",
            AccessRequestKind::PersonalAccess => "access-request-kind-personal-access",
            AccessRequestKind::Rectification => "access-request-kind-rectification",
        }
    }
}

/// A named rule: what the deadline is, counted from what, under which article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineRule {
    /// Answer to an access request: 20 days after its receipt.
    AccessAnswer(AccessRequestKind),
    /// The same, extended by notice: 10 days more.
    AccessAnswerExtended(AccessRequestKind),
    /// Ask the CAI to review a decision, or the silence that stands for one: 30 days.
    ReviewRequest,
    /// Keep an entry of the register of confidentiality incidents: five years after the body
    /// became aware of the incident.
    IncidentRetention,
}

impl DeadlineRule {
    /// The short code used by the CLI and the JSON.
    pub fn code(self) -> &'static str {
        match self {
            DeadlineRule::AccessAnswer(_) => "access_answer",
            DeadlineRule::AccessAnswerExtended(_) => "access_answer_extended",
            DeadlineRule::ReviewRequest => "review_request",
            DeadlineRule::IncidentRetention => "incident_retention",
        }
    }

    /// The provisions the rule applies, as cited to the public.
    pub fn article(self) -> &'static str {
        match self {
            DeadlineRule::AccessAnswer(AccessRequestKind::Documents) => "A-2.1, art. 47",
            DeadlineRule::AccessAnswer(_) => "A-2.1, art. 98",
            DeadlineRule::AccessAnswerExtended(AccessRequestKind::Documents) => {
                "A-2.1, art. 47, al. 2"
            }
            DeadlineRule::AccessAnswerExtended(_) => "A-2.1, art. 98, al. 2",
            DeadlineRule::ReviewRequest => "A-2.1, art. 135",
            DeadlineRule::IncidentRetention => "A-2.1, art. 63.11; r. 3.1, art. 7",
        }
    }

    /// How sure we are of the rule's delay (QUEBEC-RULES).
    pub fn certainty(self) -> Certainty {
        match self {
            DeadlineRule::AccessAnswer(_) | DeadlineRule::ReviewRequest => Certainty::Verified,
            DeadlineRule::AccessAnswerExtended(AccessRequestKind::Documents) => {
                Certainty::Secondary
            }
            DeadlineRule::AccessAnswerExtended(_) => Certainty::Verified,
            DeadlineRule::IncidentRetention => Certainty::Secondary,
        }
    }

    /// The request's kind, for the access rules.
    pub fn kind(self) -> Option<AccessRequestKind> {
        match self {
            DeadlineRule::AccessAnswer(k) | DeadlineRule::AccessAnswerExtended(k) => Some(k),
            _ => None,
        }
    }

    /// The message key of the rule's sentence ("20 days after receipt…").
    pub fn label_key(self) -> &'static str {
        match self {
            DeadlineRule::AccessAnswer(_) => "deadline-rule-access-answer",
            DeadlineRule::AccessAnswerExtended(_) => "deadline-rule-access-answer-extended",
            DeadlineRule::ReviewRequest => "deadline-rule-review-request",
            DeadlineRule::IncidentRetention => "deadline-rule-incident-retention",
        }
    }
}

/// Which calendar moved a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarKind {
    /// The Interpretation Act (I-16, art. 52 and 61) and the days the body adds.
    InterpretationAct,
    /// The CAI's rules of procedure (A-2.1, r. 6, s. 2): also 26 December, 2 January and
    /// Saturdays.
    AccessCommission,
    /// Not moved: a period to keep something, not a delay to act.
    None,
}

impl CalendarKind {
    pub fn label_key(self) -> &'static str {
        match self {
            CalendarKind::InterpretationAct => "deadline-calendar-interpretation-act",
            CalendarKind::AccessCommission => "deadline-calendar-access-commission",
            CalendarKind::None => "deadline-calendar-none",
        }
    }
}

/// The settings of the rules that are not verified (QUEBEC-RULES), with their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineSettings {
    /// The body's deadlines (answer to a request): the Interpretation Act's holidays, the days the
    /// body adds, and whether a Saturday moves them (unverified; default: no, the earlier date).
    pub body_calendar: HolidayCalendar,
    /// Deadlines before the CAI (a review request): its rules of procedure, plus the same added
    /// days.
    pub commission_calendar: HolidayCalendar,
    /// Years an entry of the incident register is kept after awareness (secondary; default 5).
    pub incident_retention_years: u32,
    /// Days between reminders to the privacy officer while a confidentiality incident that
    /// presents a risk of serious injury waits for its notices. The law says "avec diligence"
    /// and sets no delay: this is the product's cadence, not a legal deadline (default 3).
    pub confidentiality_reminder_days: u32,
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        DeadlineSettings {
            body_calendar: HolidayCalendar::default(),
            commission_calendar: HolidayCalendar::access_commission(),
            incident_retention_years: 5,
            confidentiality_reminder_days: 3,
        }
    }
}

impl DeadlineSettings {
    /// The defaults, with days off a body adds (a closure, a day the government fixes) in both
    /// calendars.
    pub fn with_days_off(days: &[NaiveDate]) -> Self {
        let mut s = DeadlineSettings::default();
        s.body_calendar.dates.extend_from_slice(days);
        s.commission_calendar.dates.extend_from_slice(days);
        s
    }
}

/// A day a deadline was moved over, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedDay {
    pub date: NaiveDate,
    pub reason: DayOff,
}

/// A deadline computed by a rule, with its reasoning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    #[serde(serialize_with = "rule_code")]
    pub rule: DeadlineRule,
    /// The request's kind, for the access rules.
    pub kind: Option<AccessRequestKind>,
    pub article: &'static str,
    pub certainty: Certainty,
    /// The day the delay runs from (not counted).
    pub from: NaiveDate,
    /// The delay, in calendar days (or years, for a retention).
    pub days: u32,
    pub years: u32,
    /// The delay's last day before any day off moved it.
    pub nominal: NaiveDate,
    /// The last day to act (or, for a retention, the last day the entry must be kept).
    pub due: NaiveDate,
    pub calendar: CalendarKind,
    /// The days off between `nominal` and `due`, in order.
    pub skipped: Vec<SkippedDay>,
}

fn rule_code<S: serde::Serializer>(rule: &DeadlineRule, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(rule.code())
}

/// Why a date cannot be computed or an extension is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DeadlineError {
    /// The computation leaves the dates the product represents.
    #[error("date hors de la plage représentable")]
    OutOfRange,
    /// An extension notice sent after the delay it extends expired (art. 47, 98: "avant
    /// l'expiration").
    #[error("avis de prolongation envoyé le {sent}, après l'échéance du {due}")]
    ExtensionTooLate { sent: NaiveDate, due: NaiveDate },
    /// A notice dated before the request was received.
    #[error("avis de prolongation du {sent}, avant la réception du {received}")]
    ExtensionBeforeReceipt {
        sent: NaiveDate,
        received: NaiveDate,
    },
}

impl DeadlineError {
    pub fn code(&self) -> &'static str {
        match self {
            DeadlineError::OutOfRange => "deadline-error-out-of-range",
            DeadlineError::ExtensionTooLate { .. } => "deadline-error-extension-too-late",
            DeadlineError::ExtensionBeforeReceipt { .. } => {
                "deadline-error-extension-before-receipt"
            }
        }
    }
}

/// `days` calendar days after `from`, moved past the days `calendar` says a deadline may not
/// end on.
fn calendar_days(
    rule: DeadlineRule,
    from: NaiveDate,
    days: u32,
    calendar: &HolidayCalendar,
    kind: CalendarKind,
) -> Result<Deadline, DeadlineError> {
    let nominal = from
        .checked_add_days(Days::new(u64::from(days)))
        .ok_or(DeadlineError::OutOfRange)?;
    let mut due = nominal;
    let mut skipped = Vec::new();
    while let Some(reason) = calendar.deadline_day_off(due) {
        skipped.push(SkippedDay { date: due, reason });
        due = due.succ_opt().ok_or(DeadlineError::OutOfRange)?;
    }
    Ok(Deadline {
        rule,
        kind: rule.kind(),
        article: rule.article(),
        certainty: rule.certainty(),
        from,
        days,
        years: 0,
        nominal,
        due,
        calendar: kind,
        skipped,
    })
}

/// The deadline to answer an access request received on `received`: 20 days, the day of receipt
/// not counted, moved past the body's days off (I-16, art. 52).
pub fn access_answer(
    kind: AccessRequestKind,
    received: NaiveDate,
    settings: &DeadlineSettings,
) -> Result<Deadline, DeadlineError> {
    calendar_days(
        DeadlineRule::AccessAnswer(kind),
        received,
        ANSWER_DAYS,
        &settings.body_calendar,
        CalendarKind::InterpretationAct,
    )
}

/// The deadline once extended by the notice sent on `notice_sent`: the delay becomes 30 days
/// from receipt (20 + 10), moved like the first. The notice must be sent on or before the first
/// deadline's last day; a later one extends nothing.
pub fn access_answer_extended(
    kind: AccessRequestKind,
    received: NaiveDate,
    notice_sent: NaiveDate,
    settings: &DeadlineSettings,
) -> Result<Deadline, DeadlineError> {
    let first = access_answer(kind, received, settings)?;
    if notice_sent < received {
        return Err(DeadlineError::ExtensionBeforeReceipt {
            sent: notice_sent,
            received,
        });
    }
    if notice_sent > first.due {
        return Err(DeadlineError::ExtensionTooLate {
            sent: notice_sent,
            due: first.due,
        });
    }
    calendar_days(
        DeadlineRule::AccessAnswerExtended(kind),
        received,
        ANSWER_DAYS + EXTENSION_DAYS,
        &settings.body_calendar,
        CalendarKind::InterpretationAct,
    )
}

/// What a review request's 30 days run from (art. 135).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "date")]
pub enum ReviewStart {
    /// The decision's date.
    Decision(NaiveDate),
    /// The last day of the delay to answer, when no answer came (deemed refusal).
    DeadlineExpired(NaiveDate),
}

impl ReviewStart {
    fn date(self) -> NaiveDate {
        match self {
            ReviewStart::Decision(d) | ReviewStart::DeadlineExpired(d) => d,
        }
    }
}

/// The last day to ask the CAI for a review: 30 days after the decision or after the expiry of
/// the delay to answer, moved by the CAI's own calendar (r. 6, s. 2). The CAI may still relieve
/// a late requester (art. 137): this is the date after which the requester needs a motive.
pub fn review_request(
    start: ReviewStart,
    settings: &DeadlineSettings,
) -> Result<Deadline, DeadlineError> {
    calendar_days(
        DeadlineRule::ReviewRequest,
        start.date(),
        REVIEW_DAYS,
        &settings.commission_calendar,
        CalendarKind::AccessCommission,
    )
}

/// The last day an entry of the incident register must be kept: so many years after the day the
/// body became aware of the incident (29 February gives 28 February). A period to keep, not a
/// delay to act: no day off moves it. Deleting the entry is allowed only after this day.
pub fn incident_retention(
    aware: NaiveDate,
    settings: &DeadlineSettings,
) -> Result<Deadline, DeadlineError> {
    let years = settings.incident_retention_years;
    let due = aware
        .checked_add_months(Months::new(years.saturating_mul(12)))
        .ok_or(DeadlineError::OutOfRange)?;
    let rule = DeadlineRule::IncidentRetention;
    Ok(Deadline {
        rule,
        kind: rule.kind(),
        article: rule.article(),
        certainty: rule.certainty(),
        from: aware,
        days: 0,
        years,
        nominal: due,
        due,
        calendar: CalendarKind::None,
        skipped: Vec::new(),
    })
}

/// Whether an entry of the incident register may be deleted on `today`.
pub fn incident_entry_deletable(
    aware: NaiveDate,
    today: NaiveDate,
    settings: &DeadlineSettings,
) -> bool {
    incident_retention(aware, settings).is_ok_and(|d| today > d.due)
}

/// Where an access request stands against its deadline on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum DeadlineState {
    /// Answered on or before the deadline.
    AnsweredOnTime,
    /// Answered after it.
    AnsweredLate,
    /// Not answered; so many days left (0 on the last day).
    Running { days_left: i64 },
    /// Not answered and past the deadline: the silence counts as a refusal the requester may
    /// take to the CAI (art. 52 and 102, unverified: shown, never acted upon by the product).
    DeemedRefusal { days_late: i64 },
}

/// The state of a request due on `due`, answered on `answered` if it was.
pub fn deadline_state(
    due: NaiveDate,
    answered: Option<NaiveDate>,
    today: NaiveDate,
) -> DeadlineState {
    match answered {
        Some(a) if a <= due => DeadlineState::AnsweredOnTime,
        Some(_) => DeadlineState::AnsweredLate,
        None if today <= due => DeadlineState::Running {
            days_left: (due - today).num_days(),
        },
        None => DeadlineState::DeemedRefusal {
            days_late: (today - due).num_days(),
        },
    }
}

/// The weekday's message key, for showing a due date with its day.
pub fn weekday_key(day: NaiveDate) -> &'static str {
    match day.weekday() {
        Weekday::Mon => "weekday-mon",
        Weekday::Tue => "weekday-tue",
        Weekday::Wed => "weekday-wed",
        Weekday::Thu => "weekday-thu",
        Weekday::Fri => "weekday-fri",
        Weekday::Sat => "weekday-sat",
        Weekday::Sun => "weekday-sun",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Holiday;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const DOCS: AccessRequestKind = AccessRequestKind::Documents;

    // REQ PRP-03
    /// Dated cases, each checked by hand against a calendar: (received, due, extended due).
    #[test]
    fn access_answer_deadlines_on_dated_cases() {
        let s = DeadlineSettings::default();
        for (received, due, extended, why) in [
            (
                "2026-06-04",
                "2026-06-25",
                "2026-07-04",
                "24 June (Fête nationale); 4 July a Saturday",
            ),
            (
                "2026-03-02",
                "2026-03-23",
                "2026-04-01",
                "the 20th day a Sunday",
            ),
            (
                "2026-03-09",
                "2026-03-30",
                "2026-04-08",
                "an ordinary Monday, Easter after it",
            ),
            (
                "2026-03-14",
                "2026-04-04",
                "2026-04-13",
                "Good Friday, then a Saturday that stays",
            ),
            ("2026-03-17", "2026-04-07", "2026-04-16", "Easter Monday"),
            (
                "2026-12-05",
                "2026-12-26",
                "2027-01-04",
                "Christmas, then a Saturday; 3 January a Sunday",
            ),
            (
                "2026-12-12",
                "2027-01-02",
                "2027-01-11",
                "New Year, then a Saturday",
            ),
            (
                "2027-12-12",
                "2028-01-03",
                "2028-01-11",
                "New Year on a Saturday: 1 January still off",
            ),
            ("2028-02-09", "2028-02-29", "2028-03-10", "a leap day"),
            ("2026-08-18", "2026-09-08", "2026-09-17", "Labour Day"),
            ("2026-09-22", "2026-10-13", "2026-10-22", "Thanksgiving"),
            (
                "2026-04-28",
                "2026-05-19",
                "2026-05-28",
                "Journée nationale des patriotes",
            ),
            ("2026-06-11", "2026-07-02", "2026-07-11", "Canada Day"),
        ] {
            let first = access_answer(DOCS, d(received), &s).unwrap();
            assert_eq!(first.due, d(due), "{received}: {why}");
            assert_eq!(first.nominal, d(received) + Days::new(20));
            let ext = access_answer_extended(DOCS, d(received), d(received), &s).unwrap();
            assert_eq!(ext.due, d(extended), "{received} extended: {why}");
        }
    }

    // REQ PRP-03
    #[test]
    fn a_deadline_says_its_rule_article_and_the_days_it_skipped() {
        let s = DeadlineSettings::default();
        let due = access_answer(DOCS, d("2026-06-04"), &s).unwrap();
        assert_eq!(due.rule, DeadlineRule::AccessAnswer(DOCS));
        assert_eq!(due.article, "A-2.1, art. 47");
        assert_eq!(due.certainty, Certainty::Verified);
        assert_eq!(due.calendar, CalendarKind::InterpretationAct);
        assert_eq!(
            due.skipped,
            vec![SkippedDay {
                date: d("2026-06-24"),
                reason: DayOff::Holiday(Holiday::FeteNationale)
            }]
        );
        let personal =
            access_answer(AccessRequestKind::Rectification, d("2026-06-04"), &s).unwrap();
        assert_eq!(personal.article, "A-2.1, art. 98");
        assert_eq!(personal.due, due.due);
        // Lands on Good Friday 2026 and moves once: the Saturday after may end a deadline
        // under I-16 by default.
        let easter = access_answer(DOCS, d("2026-03-14"), &s).unwrap();
        assert_eq!(
            easter.skipped,
            vec![SkippedDay {
                date: d("2026-04-03"),
                reason: DayOff::Holiday(Holiday::GoodFriday)
            }]
        );
    }

    // REQ PRP-03
    #[test]
    fn an_extension_needs_a_notice_sent_before_the_first_deadline() {
        let s = DeadlineSettings::default();
        let received = d("2026-06-04");
        // The first deadline moved to 25 June: a notice that day still extends.
        let ok = access_answer_extended(DOCS, received, d("2026-06-25"), &s).unwrap();
        assert_eq!(ok.due, d("2026-07-04"));
        assert_eq!(ok.article, "A-2.1, art. 47, al. 2");
        assert_eq!(ok.certainty, Certainty::Secondary);
        assert_eq!(
            access_answer_extended(DOCS, received, d("2026-06-26"), &s),
            Err(DeadlineError::ExtensionTooLate {
                sent: d("2026-06-26"),
                due: d("2026-06-25")
            })
        );
        assert_eq!(
            access_answer_extended(DOCS, received, d("2026-06-03"), &s),
            Err(DeadlineError::ExtensionBeforeReceipt {
                sent: d("2026-06-03"),
                received
            })
        );
        let personal =
            access_answer_extended(AccessRequestKind::PersonalAccess, received, received, &s)
                .unwrap();
        assert_eq!(personal.certainty, Certainty::Verified);
    }

    // REQ PRP-03
    #[test]
    fn the_saturday_rule_and_added_days_are_settings() {
        // 4 July 2026 is a Saturday: kept by default, moved to Monday when configured.
        let mut s = DeadlineSettings::default();
        let ext = access_answer_extended(DOCS, d("2026-06-04"), d("2026-06-04"), &s).unwrap();
        assert_eq!(ext.due, d("2026-07-04"));
        s.body_calendar.saturday_moves_deadlines = true;
        let ext = access_answer_extended(DOCS, d("2026-06-04"), d("2026-06-04"), &s).unwrap();
        assert_eq!(ext.due, d("2026-07-06"));
        assert_eq!(
            ext.skipped.iter().map(|k| k.reason).collect::<Vec<_>>(),
            [DayOff::Saturday, DayOff::Sunday]
        );
        // A day the body closes.
        let closed = DeadlineSettings::with_days_off(&[d("2026-03-23")]);
        let due = access_answer(DOCS, d("2026-03-02"), &closed).unwrap();
        assert_eq!(due.due, d("2026-03-24"));
        assert_eq!(
            due.skipped.iter().map(|k| k.reason).collect::<Vec<_>>(),
            [DayOff::Sunday, DayOff::Added]
        );
    }

    // REQ PRP-03
    #[test]
    fn review_requests_follow_the_commissions_calendar() {
        let s = DeadlineSettings::default();
        for (from, due, why) in [
            (
                "2026-11-25",
                "2026-12-28",
                "25 Dec holiday, 26 Dec CAI day off and a Saturday, 27 a Sunday",
            ),
            ("2026-12-03", "2027-01-04", "2 January a CAI day off"),
            (
                "2026-03-04",
                "2026-04-07",
                "Good Friday, Saturday, Easter Sunday, Easter Monday: the Tuesday",
            ),
            ("2026-05-05", "2026-06-04", "an ordinary Thursday"),
            ("2026-05-02", "2026-06-01", "a Monday"),
            ("2026-04-29", "2026-05-29", "an ordinary Friday"),
            (
                "2026-04-30",
                "2026-06-01",
                "30 May a Saturday: the CAI moves it, 31 a Sunday",
            ),
        ] {
            let got = review_request(ReviewStart::Decision(d(from)), &s).unwrap();
            assert_eq!(got.due, d(due), "{from}: {why}");
            assert_eq!(got.article, "A-2.1, art. 135");
            assert_eq!(got.calendar, CalendarKind::AccessCommission);
        }
        let easter = review_request(ReviewStart::Decision(d("2026-03-04")), &s).unwrap();
        assert_eq!(easter.skipped.len(), 4);
        // After a silence: from the last day of the delay to answer.
        let answer = access_answer(DOCS, d("2026-06-04"), &s).unwrap();
        let review = review_request(ReviewStart::DeadlineExpired(answer.due), &s).unwrap();
        assert_eq!(review.from, d("2026-06-25"));
        assert_eq!(
            review.due,
            d("2026-07-27"),
            "25 July a Saturday, 26 a Sunday"
        );
    }

    // REQ PRIV-01
    #[test]
    fn incident_entries_are_kept_five_years_after_awareness() {
        let s = DeadlineSettings::default();
        let kept = incident_retention(d("2026-12-05"), &s).unwrap();
        assert_eq!(kept.due, d("2031-12-05"));
        assert_eq!(kept.years, 5);
        assert_eq!(kept.calendar, CalendarKind::None);
        assert!(kept.skipped.is_empty());
        assert_eq!(
            incident_retention(d("2028-02-29"), &s).unwrap().due,
            d("2033-02-28")
        );
        assert!(!incident_entry_deletable(
            d("2026-12-05"),
            d("2031-12-05"),
            &s
        ));
        assert!(incident_entry_deletable(
            d("2026-12-05"),
            d("2031-12-06"),
            &s
        ));
        assert!(!incident_entry_deletable(
            d("2026-12-05"),
            d("2027-01-01"),
            &s
        ));
        let seven = DeadlineSettings {
            incident_retention_years: 7,
            ..DeadlineSettings::default()
        };
        assert_eq!(
            incident_retention(d("2026-12-05"), &seven).unwrap().due,
            d("2033-12-05")
        );
        assert_eq!(
            incident_retention(NaiveDate::MAX, &s),
            Err(DeadlineError::OutOfRange)
        );
    }

    #[test]
    fn silence_past_the_deadline_is_a_deemed_refusal() {
        let due = d("2026-06-25");
        assert_eq!(
            deadline_state(due, None, d("2026-06-20")),
            DeadlineState::Running { days_left: 5 }
        );
        assert_eq!(
            deadline_state(due, None, due),
            DeadlineState::Running { days_left: 0 }
        );
        assert_eq!(
            deadline_state(due, None, d("2026-06-28")),
            DeadlineState::DeemedRefusal { days_late: 3 }
        );
        assert_eq!(
            deadline_state(due, Some(due), d("2026-07-28")),
            DeadlineState::AnsweredOnTime
        );
        assert_eq!(
            deadline_state(due, Some(d("2026-06-26")), d("2026-07-28")),
            DeadlineState::AnsweredLate
        );
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (1900i32..2400, 1u32..=366).prop_map(|(y, o)| {
            NaiveDate::from_yo_opt(y, o).unwrap_or_else(|| NaiveDate::from_yo_opt(y, 365).unwrap())
        })
    }

    proptest! {
        // REQ PRP-03
        #[test]
        fn a_deadline_ends_on_the_first_day_it_may_after_its_nominal_end(
            received in any_date(),
            saturday in any::<bool>(),
        ) {
            let mut s = DeadlineSettings::default();
            s.body_calendar.saturday_moves_deadlines = saturday;
            for (due, cal) in [
                (access_answer(DOCS, received, &s).unwrap(), &s.body_calendar),
                (access_answer_extended(DOCS, received, received, &s).unwrap(), &s.body_calendar),
                (review_request(ReviewStart::Decision(received), &s).unwrap(), &s.commission_calendar),
            ] {
                prop_assert!(due.due >= due.nominal);
                prop_assert!(cal.deadline_day_off(due.due).is_none());
                // Every day between the nominal end and the due date is off, and is listed.
                let between: Vec<NaiveDate> = due.nominal.iter_days().take_while(|x| *x < due.due).collect();
                prop_assert_eq!(between.len(), due.skipped.len());
                for (day, skipped) in between.iter().zip(&due.skipped) {
                    prop_assert_eq!(*day, skipped.date);
                    prop_assert!(cal.deadline_day_off(*day).is_some());
                }
                // Never more than Good Friday to Easter Monday.
                prop_assert!(due.skipped.len() <= 4, "{:?}", due);
            }
            let first = access_answer(DOCS, received, &s).unwrap();
            let ext = access_answer_extended(DOCS, received, first.due, &s).unwrap();
            prop_assert!(ext.due > first.due);
            prop_assert!(access_answer_extended(DOCS, received, first.due.succ_opt().unwrap(), &s).is_err());
        }
    }
}
