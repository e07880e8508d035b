//! `/deadlines`: the access law's deadlines as a calculator page (issue 9, PRP-03), by the same
//! domain rules and the same configuration as `rempart deadline`: the due date with its day,
//! the rule and its article, how sure the product is of it, the calendar, the days it was
//! moved over and why, and where things stand today. A GET form: no script, bookmarkable.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Extension;
use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::legal_deadline::{
    self as rules, AccessRequestKind, Deadline, DeadlineError, DeadlineRule, ReviewStart,
};
use rempart_storage::days_off::{self, OrgDayOff};
use rempart_storage::scope::Scope;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, Query};
use crate::i18n::FluentValue;
use crate::policy::{Policy, Routes};
use crate::ui::page_ctx;
use crate::views::{render, Ctx};
use crate::AppState;

pub fn routes(routes: Routes) -> Routes {
    routes.get("/deadlines", Policy::SignedIn, get(page)).post(
        "/deadlines/days-off",
        Policy::Needs(Permission::OrgManage),
        post(days_off_submit),
    )
}

/// The rules the page offers, by code.
const RULES: [&str; 3] = ["access_request", "review_request", "incident_retention"];

#[derive(Debug, Deserialize, Default)]
pub struct Params {
    pub rule: Option<String>,
    pub kind: Option<String>,
    /// The date the rule counts from: receipt, decision (or expiry), awareness.
    pub date: Option<String>,
    /// The date an extension notice was sent (access requests).
    pub notice: Option<String>,
    /// For a review: the date is the expiry of the delay to answer, not a decision.
    pub silence: Option<String>,
    pub done: Option<String>,
}

/// A computed deadline as the page shows it.
pub struct Shown {
    pub rule_text: String,
    pub article: &'static str,
    pub certainty: String,
    pub from: String,
    pub due_label: String,
    pub due: String,
    pub deletable_from: Option<String>,
    pub calendar: String,
    pub skipped: Vec<String>,
    pub state: Option<String>,
}

#[derive(Template)]
#[template(path = "deadlines.html")]
struct Page {
    ctx: Ctx,
    rules: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    rule: String,
    kind: String,
    date: String,
    notice: String,
    silence: bool,
    /// The field at fault and its message.
    error: Option<(&'static str, String)>,
    shown: Option<Shown>,
    /// The organization whose calendar applies (the person's active one), its days off (its
    /// own and its ancestors'), and whether the person may change its own.
    org_id: i64,
    days_off: Vec<OrgDayOff>,
    can_edit: bool,
    /// The days off as the form shows them, one a line; and the lines refused.
    days_text: String,
    days_errors: Vec<String>,
}

/// A date with its weekday: "mercredi 2026-06-24".
pub(crate) fn day(ctx: &Ctx, d: NaiveDate) -> String {
    format!("{} {d}", ctx.t(rules::weekday_key(d)))
}

fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

/// A deadline's rule in words, with its delay.
pub(crate) fn rule_text(ctx: &Ctx, d: &Deadline) -> String {
    crate::i18n::t_args(
        ctx.lang,
        d.rule.label_key(),
        &[
            ("days", FluentValue::from(d.days)),
            ("years", FluentValue::from(d.years)),
        ],
    )
}

fn shown(ctx: &Ctx, d: &Deadline, today: NaiveDate) -> Shown {
    let rule_text = rule_text(ctx, d);
    let retention = d.rule == DeadlineRule::IncidentRetention;
    let state = (!retention).then(|| {
        crate::i18n::deadline_state(ctx.lang, d.rule, rules::deadline_state(d.due, None, today))
    });
    Shown {
        rule_text,
        article: d.article,
        certainty: ctx.t(d.certainty.label_key()),
        from: day(ctx, d.from),
        due_label: ctx.t(if retention {
            "deadline-label-kept-until"
        } else {
            "deadline-label-due"
        }),
        due: day(ctx, d.due),
        deletable_from: retention
            .then(|| d.due.succ_opt().map(|n| day(ctx, n)))
            .flatten(),
        calendar: ctx.t(d.calendar.label_key()),
        skipped: d
            .skipped
            .iter()
            .map(|s| format!("{} ({})", day(ctx, s.date), ctx.t(s.reason.label_key())))
            .collect(),
        state,
    }
}

pub async fn page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<Params>,
) -> Result<Response, AppError> {
    let mut ctx = page_ctx(&app, &actor, "/deadlines").await?;
    if p.done.is_some() {
        ctx.flash = Some(ctx.t("deadlines-days-done"));
    }
    let calendar = Calendar::of(&app, &actor).await?;
    let settings = &calendar.settings;
    let rule = p
        .rule
        .as_deref()
        .filter(|r| RULES.contains(r))
        .unwrap_or("access_request")
        .to_owned();
    let kind = p
        .kind
        .as_deref()
        .and_then(AccessRequestKind::parse)
        .unwrap_or(AccessRequestKind::Documents);
    let date = p.date.clone().unwrap_or_default();
    let notice = p.notice.clone().unwrap_or_default();
    let silence = p.silence.is_some();
    let mut error = None;
    let mut result = None;
    if !date.trim().is_empty() {
        match parse_date(&date) {
            None => error = Some(("date", ctx.t("error-date"))),
            Some(from) => {
                let computed = match rule.as_str() {
                    "review_request" => rules::review_request(
                        if silence {
                            ReviewStart::DeadlineExpired(from)
                        } else {
                            ReviewStart::Decision(from)
                        },
                        settings,
                    )
                    .map_err(|e| ("date", e)),
                    "incident_retention" => {
                        rules::incident_retention(from, settings).map_err(|e| ("date", e))
                    }
                    _ if !notice.trim().is_empty() => match parse_date(&notice) {
                        None => {
                            error = Some(("notice", ctx.t("error-date")));
                            Err(("notice", DeadlineError::OutOfRange))
                        }
                        Some(n) => rules::access_answer_extended(kind, from, n, settings)
                            .map_err(|e| ("notice", e)),
                    },
                    _ => rules::access_answer(kind, from, settings).map_err(|e| ("date", e)),
                };
                match computed {
                    Ok(d) => result = Some(shown(&ctx, &d, crate::time::today())),
                    Err((field, e)) => {
                        if error.is_none() {
                            error = Some((field, crate::i18n::deadline_error(ctx.lang, &e)));
                        }
                    }
                }
            }
        }
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (rules_offered, kinds) = choices(&ctx);
    let days_text = own_days_text(&calendar);
    Ok(render(
        status,
        &Page {
            rules: rules_offered,
            kinds,
            rule,
            kind: kind.as_str().to_owned(),
            date,
            notice,
            silence,
            error,
            shown: result,
            org_id: calendar.org_id,
            days_off: calendar.days,
            can_edit: calendar.can_edit,
            days_text,
            days_errors: Vec::new(),
            ctx,
        },
    ))
}

/// The rules and the kinds of request the form offers, labelled.
type Choices = Vec<(&'static str, String)>;
fn choices(ctx: &Ctx) -> (Choices, Choices) {
    let rules = RULES
        .iter()
        .map(|r| {
            (
                *r,
                ctx.t(&format!("deadlines-rule-{}", r.replace('_', "-"))),
            )
        })
        .collect();
    let kinds = AccessRequestKind::ALL
        .iter()
        .map(|k| (k.as_str(), ctx.t(k.label_key())))
        .collect();
    (rules, kinds)
}

/// The calendar that applies to the person: the configuration's, plus the days their active
/// organization and those above it add.
struct Calendar {
    org_id: i64,
    days: Vec<OrgDayOff>,
    settings: rules::DeadlineSettings,
    can_edit: bool,
}

impl Calendar {
    async fn of(app: &AppState, actor: &Actor) -> Result<Calendar, AppError> {
        let org_id = actor.session.active_org_id.unwrap_or(actor.person.org_id);
        let days = match days_off::effective(
            &app.store,
            Scope::new(actor.person.id, Permission::OrgRead),
            org_id,
        )
        .await
        {
            Ok(days) => days,
            // A person who may not read the organization tree still has the configuration's.
            Err(rempart_storage::StoreError::NotFound) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let mut settings = app.config.deadlines.clone();
        for d in &days {
            settings.body_calendar.dates.push(d.day);
            settings.commission_calendar.dates.push(d.day);
        }
        let can_edit =
            crate::risk_method_ui::allowed_in(app, actor, Permission::OrgManage, org_id).await?;
        Ok(Calendar {
            org_id,
            days,
            settings,
            can_edit,
        })
    }
}

/// The organization's own days, one a line, as the form edits them.
fn own_days_text(calendar: &Calendar) -> String {
    calendar
        .days
        .iter()
        .filter(|d| d.org_id == calendar.org_id)
        .map(|d| format!("{} {}", d.day, d.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug, Deserialize, Default)]
pub struct DaysOffForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub days: String,
}

/// The days off posted, one a line ("YYYY-MM-DD reason"): set for the organization, then the
/// page; refused lines shown with their number.
pub async fn days_off_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<DaysOffForm>,
) -> Result<Response, AppError> {
    let org_id = form
        .org_id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::NotFound)?;
    // At most a year of lines and then some: the domain bounds the count again.
    let (line_numbers, entries): (Vec<usize>, Vec<(String, String)>) = form
        .days
        .lines()
        .enumerate()
        .map(|(n, l)| (n + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .take(1000)
        .map(|(n, l)| {
            let entry = match l.split_once(char::is_whitespace) {
                Some((day, reason)) => (day.to_owned(), reason.trim().to_owned()),
                None => (l.to_owned(), String::new()),
            };
            (n, entry)
        })
        .unzip();
    let result = days_off::set(
        &app.store,
        Scope::new(actor.person.id, Permission::OrgManage),
        crate::ui::audit_context(&actor, &headers),
        org_id,
        &entries,
    )
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/deadlines?done=days").into_response()),
        Err(rempart_storage::StoreError::Invalid(errors)) => {
            let ctx = page_ctx(&app, &actor, "/deadlines").await?;
            let calendar = Calendar::of(&app, &actor).await?;
            let (rules, kinds) = choices(&ctx);
            let days_errors = errors
                .0
                .iter()
                .map(|f| line_message(&ctx, &line_numbers, &f.field, f.code, f.limit))
                .collect();
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &Page {
                    rules,
                    kinds,
                    rule: "access_request".to_owned(),
                    kind: "documents".to_owned(),
                    date: String::new(),
                    notice: String::new(),
                    silence: false,
                    error: None,
                    shown: None,
                    org_id: calendar.org_id,
                    days_off: calendar.days,
                    can_edit: calendar.can_edit,
                    days_text: form.days,
                    days_errors,
                    ctx,
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// "Line 3: …" for a field named `days[i].day`, numbered as the form's lines (blank lines
/// count); the message alone otherwise.
fn line_message(
    ctx: &Ctx,
    line_numbers: &[usize],
    field: &str,
    code: &'static str,
    limit: Option<u64>,
) -> String {
    let message = crate::i18n::field_message(ctx.lang, code, limit);
    let line = field
        .strip_prefix("days[")
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|i| line_numbers.get(i).copied());
    match line {
        Some(n) => crate::i18n::t_args(
            ctx.lang,
            "deadlines-days-line",
            &[
                ("line", FluentValue::from(n)),
                ("message", FluentValue::from(message)),
            ],
        ),
        None => message,
    }
}
