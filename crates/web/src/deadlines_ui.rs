//! `/deadlines`: the access law's deadlines as a calculator page (issue 9, PRP-03), by the same
//! domain rules and the same configuration as `rempart deadline`: the due date with its day,
//! the rule and its article, how sure the product is of it, the calendar, the days it was
//! moved over and why, and where things stand today. A GET form: no script, bookmarkable.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Extension;
use chrono::NaiveDate;
use rempart_domain::legal_deadline::{
    self as rules, AccessRequestKind, Deadline, DeadlineError, DeadlineRule, DeadlineState,
    ReviewStart,
};
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, Query};
use crate::i18n::FluentValue;
use crate::policy::{Policy, Routes};
use crate::ui::page_ctx;
use crate::views::{render, Ctx};
use crate::AppState;

pub fn routes(routes: Routes) -> Routes {
    routes.get("/deadlines", Policy::SignedIn, get(page))
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
}

fn day(ctx: &Ctx, d: NaiveDate) -> String {
    format!("{} {d}", ctx.t(rules::weekday_key(d)))
}

fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

fn refusal(ctx: &Ctx, e: &DeadlineError) -> String {
    let args: Vec<(&str, FluentValue<'_>)> = match e {
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
    crate::i18n::t_args(ctx.lang, e.code(), &args)
}

fn shown(ctx: &Ctx, d: &Deadline, today: NaiveDate) -> Shown {
    let rule_text = crate::i18n::t_args(
        ctx.lang,
        d.rule.label_key(),
        &[
            ("days", FluentValue::from(d.days)),
            ("years", FluentValue::from(d.years)),
        ],
    );
    let retention = d.rule == DeadlineRule::IncidentRetention;
    let state = (!retention).then(|| match rules::deadline_state(d.due, None, today) {
        DeadlineState::Running { days_left } => crate::i18n::t_args(
            ctx.lang,
            "deadline-state-running",
            &[("days", FluentValue::from(days_left))],
        ),
        DeadlineState::DeemedRefusal { days_late } => crate::i18n::t_args(
            ctx.lang,
            if d.rule == DeadlineRule::ReviewRequest {
                "deadline-state-elapsed"
            } else {
                "deadline-state-deemed-refusal"
            },
            &[("days", FluentValue::from(days_late))],
        ),
        DeadlineState::AnsweredOnTime | DeadlineState::AnsweredLate => String::new(),
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
    let ctx = page_ctx(&app, &actor, "/deadlines").await?;
    let settings = &app.config.deadlines;
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
                            error = Some((field, refusal(&ctx, &e)));
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
    let rules_offered = RULES
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
            ctx,
        },
    ))
}
