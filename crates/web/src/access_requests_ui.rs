//! The access-request pages (PRP-03): the register (no personal information in it), a new
//! request, one request with its deadline in words (rule, article, days skipped, deemed
//! refusal), its history, its letters and the forms of its next steps, the indicators, and the
//! body's list of provisions and letter texts. Every form works without JavaScript.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use chrono::NaiveDate;
use rempart_domain::access_request::{DecisionKind, NewRequest, Provision, Step};
use rempart_domain::authz::Permission;
use rempart_domain::language::Language;
use rempart_domain::legal_deadline::{AccessRequestKind, Deadline};
use rempart_domain::FieldError;
use rempart_storage::access_requests::{
    self as store, Indicators, ListFilter, ListedProvision, RequestDetail, RequestRow, RequestSort,
};
use rempart_storage::list::PageRequest;
use rempart_storage::scope::Scope;

use crate::access_letters::{self as letters, Letter};
use crate::auth::Actor;
use crate::error::{AppError, Path, Query};
use crate::policy::{Policy, Routes};
use crate::ui::{audit_context, org_choices, page_ctx, pager, Pager};
use crate::views::{render, Ctx, FormState};
use crate::AppState;

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    routes
        .get("/access-requests", SignedIn, get(list_page))
        .get("/access-requests/new", Needs(PrivacyManage), get(new_page))
        .post(
            "/access-requests/new",
            Needs(PrivacyManage),
            post(new_submit),
        )
        .get(
            "/access-requests/indicators",
            Needs(PrivacyRead),
            get(indicators_page),
        )
        .get(
            "/access-requests/provisions",
            Needs(PrivacyRead),
            get(provisions_page),
        )
        .post(
            "/access-requests/provisions",
            Needs(PrivacyManage),
            post(provisions_submit),
        )
        .get(
            "/access-requests/letters",
            Needs(PrivacyManage),
            get(templates_page),
        )
        .post(
            "/access-requests/letters",
            Needs(PrivacyManage),
            post(templates_submit),
        )
        .get("/access-requests/{id}", SignedIn, get(show))
        .post(
            "/access-requests/{id}/steps",
            Needs(PrivacyManage),
            post(step_submit),
        )
        .post(
            "/access-requests/{id}/assignee",
            Needs(PrivacyManage),
            post(assign_submit),
        )
        .get(
            "/access-requests/{id}/letters/{letter}",
            SignedIn,
            get(letter),
        )
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

fn active_org(actor: &Actor) -> i64 {
    actor.session.active_org_id.unwrap_or(actor.person.org_id)
}

fn kinds(ctx: &Ctx) -> Vec<(&'static str, String)> {
    AccessRequestKind::ALL
        .iter()
        .map(|k| (k.as_str(), ctx.t(k.label_key())))
        .collect()
}

fn status_label(ctx: &Ctx, status: &str) -> String {
    ctx.t(&format!("access-status-{}", status.replace('_', "-")))
}

fn long(ctx: &Ctx, date: &str) -> String {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| letters::long_date(ctx.lang, d))
        .unwrap_or_else(|_| date.to_owned())
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub overdue: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub sort: String,
    pub offset: Option<i64>,
}

/// A row of the register, with its words.
struct Row {
    r: RequestRow,
    kind: String,
    status: String,
    due: String,
    /// Open and past its deadline.
    overdue: bool,
}

#[derive(Template)]
#[template(path = "access_requests.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    pager: Pager,
    p: ListParams,
    kinds: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    can_manage: bool,
    can_read_all: bool,
}

pub async fn list_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<ListParams>,
) -> Result<Response, AppError> {
    let today = crate::time::today();
    let page = PageRequest {
        offset: p.offset.unwrap_or(0).clamp(0, i64::MAX / 2),
        sort: RequestSort::parse(&p.sort).unwrap_or_default(),
        descending: RequestSort::parse(&p.sort) != Some(RequestSort::Due),
        ..PageRequest::default()
    };
    let filter = ListFilter {
        org: None,
        status: Some(p.status.clone()).filter(|s| !s.is_empty()),
        kind: Some(p.kind.clone()).filter(|s| !s.is_empty()),
        overdue: !p.overdue.is_empty(),
        reference: Some(p.reference.clone()),
        today: Some(today),
    };
    let result = store::list(
        &app.store,
        scope(&actor, Permission::PrivacyRead),
        &filter,
        &page,
    )
    .await?;
    let ctx = page_ctx(&app, &actor, "/access-requests").await?;
    let query = serde_urlencoded::to_string([
        ("status", p.status.as_str()),
        ("kind", p.kind.as_str()),
        ("overdue", p.overdue.as_str()),
        ("reference", p.reference.as_str()),
        ("sort", p.sort.as_str()),
    ])
    .unwrap_or_default();
    let pager = pager(ctx.lang, &result, "/access-requests", &query);
    let today_text = today.format("%Y-%m-%d").to_string();
    let rows = result
        .items
        .into_iter()
        .map(|r| Row {
            kind: AccessRequestKind::parse(&r.kind)
                .map(|k| ctx.t(k.label_key()))
                .unwrap_or_default(),
            status: status_label(&ctx, &r.status),
            due: long(&ctx, &r.due_on),
            overdue: r.closed_on.is_none() && r.due_on < today_text,
            r,
        })
        .collect();
    let mut statuses = vec![
        ("open", ctx.t("access-filter-open")),
        ("closed", ctx.t("access-filter-closed")),
    ];
    for s in rempart_domain::access_request::AccessRequestStatus::ALL {
        statuses.push((s.as_str(), status_label(&ctx, s.as_str())));
    }
    Ok(render(
        StatusCode::OK,
        &ListPage {
            rows,
            pager,
            kinds: kinds(&ctx),
            statuses,
            p,
            can_manage: actor.can(Permission::PrivacyManage),
            can_read_all: actor.can(Permission::PrivacyRead),
            ctx,
        },
    ))
}

#[derive(Template)]
#[template(path = "access_request_new.html")]
struct NewPage {
    ctx: Ctx,
    orgs: Vec<(i64, String)>,
    kinds: Vec<(&'static str, String)>,
    form: FormState,
}

async fn new_form(
    app: &AppState,
    actor: &Actor,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/access-requests").await?;
    let orgs = org_choices(app, scope(actor, Permission::PrivacyManage)).await?;
    Ok(render(
        status,
        &NewPage {
            kinds: kinds(&ctx),
            orgs,
            form,
            ctx,
        },
    ))
}

pub async fn new_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    let org = active_org(&actor).to_string();
    let today = crate::time::today().to_string();
    let form = FormState::new(&[
        ("org_id", org.as_str()),
        ("kind", "documents"),
        ("received_on", today.as_str()),
        ("language", "fr"),
    ]);
    new_form(&app, &actor, form, StatusCode::OK).await
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct NewForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub requester_name: String,
    #[serde(default)]
    pub requester_contact: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub received_on: String,
    #[serde(default)]
    pub language: String,
}

pub async fn new_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(f): Form<NewForm>,
) -> Result<Response, AppError> {
    let input = NewRequest {
        kind: f.kind.clone(),
        requester_name: f.requester_name.clone(),
        requester_contact: f.requester_contact.clone(),
        subject: f.subject.clone(),
        received_on: f.received_on.clone(),
        language: f.language.clone(),
    };
    let result = match f.org_id.trim().parse::<i64>() {
        Ok(org) => store::create(
            &app.store,
            scope(&actor, Permission::PrivacyManage),
            audit_context(&actor, &headers),
            org,
            &input,
            crate::time::today(),
            &app.config.deadlines,
        )
        .await
        .map_err(AppError::from),
        Err(_) => Err(AppError::Invalid(vec![FieldError::new(
            "org_id",
            "error-required",
        )])),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/access-requests/{id}")).into_response()),
        // An organization out of reach is a choice the form did not offer.
        Err(AppError::NotFound) => {
            let form = FormState::new(&[]).with_errors(
                actor.language(),
                &[FieldError::new("org_id", "error-choice")],
            );
            new_form(&app, &actor, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Invalid(errors)) => {
            let form = FormState::new(&[
                ("org_id", f.org_id.as_str()),
                ("kind", f.kind.as_str()),
                ("requester_name", f.requester_name.as_str()),
                ("requester_contact", f.requester_contact.as_str()),
                ("subject", f.subject.as_str()),
                ("received_on", f.received_on.as_str()),
                ("language", f.language.as_str()),
            ])
            .with_errors(actor.language(), &errors);
            new_form(&app, &actor, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other),
    }
}

/// A deadline in words, for the request's page.
struct DeadlineView {
    due: String,
    rule: String,
    article: String,
    certainty: String,
    calendar: String,
    skipped: Vec<String>,
}

fn deadline_view(ctx: &Ctx, d: &Deadline) -> DeadlineView {
    DeadlineView {
        due: crate::deadlines_ui::day(ctx, d.due),
        rule: crate::deadlines_ui::rule_text(ctx, d),
        article: d.article.to_owned(),
        certainty: ctx.t(d.certainty.label_key()),
        calendar: ctx.t(d.calendar.label_key()),
        skipped: d
            .skipped
            .iter()
            .map(|s| {
                format!(
                    "{} ({})",
                    crate::deadlines_ui::day(ctx, s.date),
                    ctx.t(s.reason.label_key())
                )
            })
            .collect(),
    }
}

struct StepView {
    label: String,
    on: String,
    person: String,
    detail: String,
    note: String,
}

#[derive(Template)]
#[template(path = "access_request.html")]
struct DetailPage {
    ctx: Ctx,
    d: RequestDetail,
    kind: String,
    status: String,
    language: String,
    deadline: Option<DeadlineView>,
    state: String,
    deemed_refusal: bool,
    review: Option<DeadlineView>,
    decision: String,
    steps: Vec<StepView>,
    letters: Vec<(&'static str, String)>,
    can_manage: bool,
    open: bool,
    provisions: Vec<ListedProvision>,
    decisions: Vec<(&'static str, String)>,
    people: Vec<(i64, String)>,
    form: FormState,
    /// The step whose form was refused, to show its errors there.
    failed_step: String,
    /// The steps whose form is a date (and a note): the step and the date's field.
    simple_steps: Vec<(&'static str, &'static str)>,
    today: String,
    /// The documents found, each with its redacted version.
    documents: Vec<crate::access_request_documents::DocumentView>,
}

fn step_detail(ctx: &Ctx, step: &store::StepRow) -> String {
    let d = &step.detail;
    match step.step.as_str() {
        "transfer" => d["to"].as_str().unwrap_or_default().to_owned(),
        "decide" => {
            let kind = d["decision"]
                .as_str()
                .map(|k| ctx.t(&format!("access-decision-{}", k.replace('_', "-"))))
                .unwrap_or_default();
            let codes: Vec<&str> = d["articles"]
                .as_array()
                .map(|a| a.iter().filter_map(|c| c.as_str()).collect())
                .unwrap_or_default();
            if codes.is_empty() {
                kind
            } else {
                format!("{kind} — {} {}", ctx.t("access-articles"), codes.join(", "))
            }
        }
        _ => String::new(),
    }
}

pub(crate) async fn detail_page(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    id: i64,
    form: FormState,
    failed_step: &str,
    status: StatusCode,
) -> Result<Response, AppError> {
    let today = crate::time::today();
    let d = store::get(
        &app.store,
        scope(actor, Permission::PrivacyRead),
        audit_context(actor, headers),
        id,
        &app.config.deadlines,
        today,
    )
    .await?;
    let ctx = page_ctx(app, actor, "/access-requests").await?;
    let can_manage = actor.can(Permission::PrivacyManage);
    // The forms only for those who manage the request's organization.
    let (provisions, people) = if can_manage {
        match store::assignable(&app.store, scope(actor, Permission::PrivacyManage), id).await {
            Ok(people) => (
                store::provisions(
                    &app.store,
                    scope(actor, Permission::PrivacyRead),
                    d.row.org_id,
                )
                .await?,
                people,
            ),
            Err(rempart_storage::StoreError::NotFound) => (Vec::new(), Vec::new()),
            Err(e) => return Err(e.into()),
        }
    } else {
        (Vec::new(), Vec::new())
    };
    let can_manage = can_manage && !people.is_empty();
    let kind = d.kind().map(|k| ctx.t(k.label_key())).unwrap_or_default();
    let status_text = status_label(&ctx, &d.row.status);
    let deadline = d.deadline.as_ref().map(|x| deadline_view(&ctx, x));
    let (state, deemed_refusal) = match (&d.deadline, d.state) {
        (Some(dl), Some(s)) => (
            crate::i18n::deadline_state(ctx.lang, dl.rule, s),
            matches!(
                s,
                rempart_domain::legal_deadline::DeadlineState::DeemedRefusal { .. }
            ),
        ),
        _ => (String::new(), false),
    };
    let review = d.review_deadline.as_ref().map(|x| deadline_view(&ctx, x));
    let decision = d
        .decision()
        .map(|k| ctx.t(&format!("access-decision-{}", k.as_str().replace('_', "-"))))
        .unwrap_or_default();
    let steps = d
        .steps
        .iter()
        .map(|s| StepView {
            label: ctx.t(&format!("access-step-{}", s.step.replace('_', "-"))),
            on: long(&ctx, &s.on),
            person: s.person_name.clone().unwrap_or_default(),
            detail: step_detail(&ctx, s),
            note: s.detail["note"].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    let letter_links = Letter::ALL
        .iter()
        .filter(|l| l.available(&d))
        .map(|l| (l.as_str(), ctx.t(l.label_key())))
        .collect();
    let decisions = DecisionKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str(),
                ctx.t(&format!("access-decision-{}", k.as_str().replace('_', "-"))),
            )
        })
        .collect();
    let open = d.status().is_some_and(|s| !s.is_closed());
    let documents = crate::access_request_documents::views(app, actor, &ctx, id).await?;
    Ok(render(
        status,
        &DetailPage {
            kind,
            status: status_text,
            language: ctx.t(if d.language == "en" {
                "lang-en"
            } else {
                "lang-fr"
            }),
            deadline,
            state,
            deemed_refusal,
            review,
            decision,
            steps,
            letters: letter_links,
            can_manage,
            open,
            provisions,
            decisions,
            people,
            form,
            failed_step: failed_step.to_owned(),
            simple_steps: vec![
                ("acknowledge", "on"),
                ("extend", "notice_on"),
                ("consult_third_parties", "on"),
                ("transfer", "on"),
                ("withdraw", "on"),
            ],
            today: today.to_string(),
            documents,
            d,
            ctx,
        },
    ))
}

pub async fn show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    detail_page(
        &app,
        &actor,
        &headers,
        id,
        FormState::new(&[]),
        "",
        StatusCode::OK,
    )
    .await
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .unwrap_or_default()
}

/// The step a form describes, or the field at fault.
fn step_of(pairs: &[(String, String)]) -> Result<Step, FieldError> {
    let date = |name: &str| {
        NaiveDate::parse_from_str(field(pairs, name), "%Y-%m-%d")
            .map_err(|_| FieldError::new(name, "error-date"))
    };
    match field(pairs, "step") {
        "acknowledge" => Ok(Step::Acknowledge { on: date("on")? }),
        "extend" => Ok(Step::Extend {
            notice_on: date("notice_on")?,
        }),
        "consult_third_parties" => Ok(Step::ConsultThirdParties { on: date("on")? }),
        "transfer" => Ok(Step::Transfer {
            on: date("on")?,
            to: field(pairs, "to").to_owned(),
        }),
        "decide" => Ok(Step::Decide {
            on: date("on")?,
            kind: DecisionKind::parse(field(pairs, "decision"))
                .ok_or_else(|| FieldError::new("decision", "error-choice"))?,
            articles: pairs
                .iter()
                .filter(|(k, _)| k == "articles")
                .map(|(_, v)| v.clone())
                .collect(),
            recourse_notice: !field(pairs, "recourse_notice").is_empty(),
        }),
        "withdraw" => Ok(Step::Withdraw { on: date("on")? }),
        _ => Err(FieldError::new("step", "error-choice")),
    }
}

pub async fn step_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let which = field(&pairs, "step").to_owned();
    let result = match step_of(&pairs) {
        Ok(step) => store::record_step(
            &app.store,
            scope(&actor, Permission::PrivacyManage),
            audit_context(&actor, &headers),
            id,
            &step,
            field(&pairs, "note"),
            crate::time::today(),
            &app.config.deadlines,
        )
        .await
        .map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(vec![e])),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/access-requests/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let values: Vec<(&str, &str)> = pairs
                .iter()
                .filter(|(k, _)| k != "csrf")
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let form = FormState::new(&values).with_errors(actor.language(), &errors);
            detail_page(
                &app,
                &actor,
                &headers,
                id,
                form,
                &which,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

pub async fn assign_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let person =
        match field(&pairs, "person_id") {
            "" => None,
            v => Some(v.parse::<i64>().map_err(|_| {
                AppError::Invalid(vec![FieldError::new("person_id", "error-choice")])
            })?),
        };
    store::assign(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        person,
    )
    .await?;
    Ok(Redirect::to(&format!("/access-requests/{id}")).into_response())
}

pub async fn letter(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, letter)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    crate::access_requests_api::render_letter(&app, &actor, &headers, id, &letter).await
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct PeriodParams {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(Template)]
#[template(path = "access_indicators.html")]
struct IndicatorsPage {
    ctx: Ctx,
    i: Indicators,
    from: String,
    to: String,
    mean: String,
    on_time_share: String,
    error: Option<String>,
}

pub async fn indicators_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<PeriodParams>,
) -> Result<Response, AppError> {
    let today = crate::time::today();
    let ctx = page_ctx(&app, &actor, "/access-requests").await?;
    let (period, error) =
        match crate::access_requests_api::period(Some(p.from.as_str()), Some(p.to.as_str()), today)
        {
            Ok(period) => (period, None),
            Err(AppError::Invalid(errors)) => {
                let message = errors
                    .first()
                    .map(|e| crate::i18n::field_message(ctx.lang, e.code, e.limit))
                    .unwrap_or_default();
                let start =
                    NaiveDate::from_yo_opt(chrono::Datelike::year(&today), 1).unwrap_or(today);
                ((start, today), Some(message))
            }
            Err(other) => return Err(other),
        };
    let i = store::indicators(
        &app.store,
        scope(&actor, Permission::PrivacyRead),
        None,
        period.0,
        period.1,
        today,
    )
    .await?;
    let mean = i
        .mean_answer_days
        .map(|m| format!("{m:.1}"))
        .unwrap_or_else(|| "—".to_owned());
    let on_time_share = if i.decided > 0 {
        format!(
            "{:.0} %",
            100.0 * i.decided_on_time as f64 / i.decided as f64
        )
    } else {
        "—".to_owned()
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &IndicatorsPage {
            i,
            from: period.0.to_string(),
            to: period.1.to_string(),
            mean,
            on_time_share,
            error,
            ctx,
        },
    ))
}

#[derive(Template)]
#[template(path = "access_provisions.html")]
struct ProvisionsPage {
    ctx: Ctx,
    list: Vec<ListedProvision>,
    own: String,
    can_edit: bool,
    errors: Vec<String>,
}

fn own_text(org_id: i64, list: &[ListedProvision]) -> String {
    list.iter()
        .filter(|p| p.org_id == Some(org_id))
        .map(|p| {
            format!(
                "{} | {} | {}",
                p.provision.code, p.provision.law, p.provision.summary
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn provisions_view(
    app: &AppState,
    actor: &Actor,
    own: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let org_id = active_org(actor);
    let ctx = page_ctx(app, actor, "/access-requests").await?;
    let list =
        match store::provisions(&app.store, scope(actor, Permission::PrivacyRead), org_id).await {
            Ok(list) => list,
            // The active organization is not one whose requests the person reads.
            Err(rempart_storage::StoreError::NotFound) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
    let can_edit =
        crate::risk_method_ui::allowed_in(app, actor, Permission::PrivacyManage, org_id).await?;
    Ok(render(
        status,
        &ProvisionsPage {
            own: own.unwrap_or_else(|| own_text(org_id, &list)),
            list,
            can_edit,
            errors,
            ctx,
        },
    ))
}

pub async fn provisions_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    provisions_view(&app, &actor, None, Vec::new(), StatusCode::OK).await
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ProvisionsForm {
    #[serde(default)]
    pub provisions: String,
}

/// One provision a line: `code | law | text`.
fn parse_provisions(text: &str) -> Vec<Provision> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut parts = line.splitn(3, '|');
            let code = parts.next().unwrap_or_default().trim().to_owned();
            let law = parts.next().unwrap_or_default().trim().to_owned();
            let summary = parts.next().unwrap_or_default().trim().to_owned();
            Provision { code, law, summary }
        })
        .collect()
}

pub async fn provisions_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(f): Form<ProvisionsForm>,
) -> Result<Response, AppError> {
    let entries = parse_provisions(&f.provisions);
    match store::set_provisions(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        active_org(&actor),
        &entries,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/access-requests/provisions").into_response()),
        Err(rempart_storage::StoreError::Invalid(errors)) => {
            let lang = actor.language();
            let messages = errors
                .0
                .iter()
                .map(|e| line_message(lang, &e.field, e.code, e.limit))
                .collect();
            provisions_view(
                &app,
                &actor,
                Some(f.provisions),
                messages,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `provisions[2].law` → "Ligne 3, loi : …".
fn line_message(lang: Language, field: &str, code: &str, limit: Option<u64>) -> String {
    let message = crate::i18n::field_message(lang, code, limit);
    let Some((index, part)) = field
        .strip_prefix("provisions[")
        .and_then(|rest| rest.split_once("]."))
    else {
        return message;
    };
    let line = index.parse::<u64>().map(|i| i + 1).unwrap_or(0);
    crate::i18n::t_args(
        lang,
        "access-provisions-line-error",
        &[
            ("line", line.into()),
            (
                "field",
                crate::i18n::t(lang, &format!("access-provision-{part}")).into(),
            ),
            ("message", message.into()),
        ],
    )
}

struct TemplateView {
    letter: &'static str,
    language: &'static str,
    label: String,
    body: String,
    custom: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "access_letters.html")]
struct TemplatesPage {
    ctx: Ctx,
    templates: Vec<TemplateView>,
    placeholders: String,
    can_edit: bool,
}

async fn templates_view(
    app: &AppState,
    actor: &Actor,
    refused: Option<(String, String, String, String)>,
) -> Result<Response, AppError> {
    let org_id = active_org(actor);
    let ctx = page_ctx(app, actor, "/access-requests").await?;
    let can_edit =
        crate::risk_method_ui::allowed_in(app, actor, Permission::PrivacyManage, org_id).await?;
    let mut templates = Vec::new();
    for letter in Letter::ALL {
        for lang in Language::ALL {
            let custom =
                store::letter_template(&app.store, org_id, letter.as_str(), lang.code()).await?;
            let mut view = TemplateView {
                letter: letter.as_str(),
                language: lang.code(),
                label: format!(
                    "{} ({})",
                    ctx.t(letter.label_key()),
                    ctx.t(&format!("lang-{}", lang.code()))
                ),
                custom: custom.is_some(),
                body: custom.unwrap_or_else(|| letter.default_text(lang).to_owned()),
                error: None,
            };
            if let Some((l, g, body, error)) = &refused {
                if l == letter.as_str() && g == lang.code() {
                    view.body = body.clone();
                    view.error = Some(error.clone());
                }
            }
            templates.push(view);
        }
    }
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &TemplatesPage {
            templates,
            placeholders: letters::PLACEHOLDERS
                .iter()
                .map(|p| format!("{{{p}}}"))
                .collect::<Vec<_>>()
                .join(" "),
            can_edit,
            ctx,
        },
    ))
}

pub async fn templates_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    templates_view(&app, &actor, None).await
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct TemplateForm {
    #[serde(default)]
    pub letter: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub body: String,
    /// Present when the product's text is to be used again.
    #[serde(default)]
    pub reset: String,
}

pub async fn templates_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(f): Form<TemplateForm>,
) -> Result<Response, AppError> {
    let letter = Letter::parse(&f.letter)
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("letter", "error-choice")]))?;
    let language = Language::ALL
        .into_iter()
        .find(|l| l.code() == f.language)
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("language", "error-choice")]))?;
    // Line breaks as typed in a browser (CRLF) are kept as the letter's paragraphs (LF).
    let body = if f.reset.is_empty() {
        f.body.replace("\r\n", "\n")
    } else {
        String::new()
    };
    if !body.is_empty() {
        if let Err(e) = letters::check_template(&body) {
            let message = crate::i18n::field_message(actor.language(), e.code, e.limit);
            return templates_view(&app, &actor, Some((f.letter, f.language, body, message))).await;
        }
    }
    store::set_letter_template(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        active_org(&actor),
        letter.as_str(),
        language.code(),
        &body,
    )
    .await?;
    Ok(Redirect::to("/access-requests/letters").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_step_form_reads_as_the_domain_step_or_names_its_field() {
        let decide = step_of(&pairs(&[
            ("step", "decide"),
            ("on", "2026-06-20"),
            ("decision", "partly_granted"),
            ("articles", "53"),
            ("articles", "54"),
            ("recourse_notice", "on"),
        ]))
        .unwrap();
        assert_eq!(
            decide,
            Step::Decide {
                on: NaiveDate::from_ymd_opt(2026, 6, 20).unwrap(),
                kind: DecisionKind::PartlyGranted,
                articles: vec!["53".into(), "54".into()],
                recourse_notice: true,
            }
        );
        let bad = step_of(&pairs(&[("step", "extend"), ("notice_on", "demain")])).unwrap_err();
        assert_eq!((bad.field.as_str(), bad.code), ("notice_on", "error-date"));
        let unknown = step_of(&pairs(&[("step", "approve")])).unwrap_err();
        assert_eq!(unknown.field, "step");
    }

    #[test]
    fn provisions_are_typed_one_a_line() {
        let list = parse_provisions("37 | A-2.1 | Avis ou recommandation\n\n 39|A-2.1\n");
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].summary, "Avis ou recommandation");
        assert_eq!(
            (list[1].code.as_str(), list[1].law.as_str()),
            ("39", "A-2.1")
        );
    }
}
