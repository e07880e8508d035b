//! The pages of the register of confidentiality incidents (PRIV-01 to PRIV-03): the register,
//! a new entry, an entry with its assessment form, its notices, the notice to the CAI as PDF,
//! its link to the security incident it came from and, once its retention has run out, its
//! deletion. Every form works without JavaScript.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use rempart_domain::authz::Permission;
use rempart_domain::confidentiality::{EntryInput, Level, NoticeKind};
use rempart_storage::confidentiality::{self as store, EntryDetail, EntryRow};
use rempart_storage::list::PageRequest;
use rempart_storage::scope::Scope;

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
        .get(
            "/confidentiality-incidents",
            Needs(PrivacyRead),
            get(list_page),
        )
        .get(
            "/confidentiality-incidents/new",
            Needs(PrivacyManage),
            get(new_page),
        )
        .post(
            "/confidentiality-incidents/new",
            Needs(PrivacyManage),
            post(new_submit),
        )
        .get(
            "/confidentiality-incidents/{id}",
            Needs(PrivacyRead),
            get(show),
        )
        .post(
            "/confidentiality-incidents/{id}",
            Needs(PrivacyManage),
            post(update_submit),
        )
        .post(
            "/confidentiality-incidents/{id}/notices",
            Needs(PrivacyManage),
            post(notice_submit),
        )
        .post(
            "/confidentiality-incidents/{id}/delete",
            Needs(PrivacyManage),
            post(delete_submit),
        )
        .get(
            "/confidentiality-incidents/{id}/commission-notice",
            Needs(PrivacyRead),
            get(crate::confidentiality_api::commission_notice_pdf),
        )
        .get(
            "/confidentiality-incidents/{id}/persons-notice",
            Needs(PrivacyRead),
            get(crate::confidentiality_api::persons_notice_pdf),
        )
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    pub pending: String,
    pub offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "confidentiality_incidents.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<EntryRow>,
    pager: Pager,
    pending: bool,
    can_manage: bool,
}

pub async fn list_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<ListParams>,
) -> Result<Response, AppError> {
    let pending = !p.pending.is_empty();
    let page = store::list(
        &app.store,
        scope(&actor, Permission::PrivacyRead),
        pending,
        &PageRequest {
            offset: p.offset.unwrap_or(0).clamp(0, i64::MAX / 2),
            ..PageRequest::default()
        },
    )
    .await?;
    let ctx = page_ctx(&app, &actor, "/confidentiality-incidents").await?;
    let query = if pending { "pending=1" } else { "" };
    let pager = pager(ctx.lang, &page, "/confidentiality-incidents", query);
    Ok(render(
        StatusCode::OK,
        &ListPage {
            rows: page.items,
            pager,
            pending,
            can_manage: actor.can(Permission::PrivacyManage),
            ctx,
        },
    ))
}

/// The entry's form as typed, for the form and its errors.
#[derive(Debug, serde::Deserialize, Default)]
pub struct EntryForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub information: String,
    #[serde(default)]
    pub information_not_described: String,
    #[serde(default)]
    pub circumstances: String,
    #[serde(default)]
    pub occurred_from: String,
    #[serde(default)]
    pub occurred_to: String,
    #[serde(default)]
    pub occurred_approximate: String,
    #[serde(default)]
    pub aware_on: String,
    #[serde(default)]
    pub persons: String,
    #[serde(default)]
    pub persons_approximate: String,
    #[serde(default)]
    pub persons_in_quebec: String,
    #[serde(default)]
    pub sensitivity: String,
    #[serde(default)]
    pub malicious_uses: String,
    #[serde(default)]
    pub consequences: String,
    #[serde(default)]
    pub likelihood: String,
    #[serde(default)]
    pub serious_injury: String,
    #[serde(default)]
    pub privacy_officer_consulted_on: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub advice: String,
}

impl EntryForm {
    fn input(&self) -> EntryInput {
        EntryInput {
            information: self.information.clone(),
            information_not_described: self.information_not_described.clone(),
            circumstances: self.circumstances.clone(),
            occurred_from: self.occurred_from.clone(),
            occurred_to: self.occurred_to.clone(),
            occurred_approximate: !self.occurred_approximate.is_empty(),
            aware_on: self.aware_on.clone(),
            persons: self.persons.clone(),
            persons_approximate: !self.persons_approximate.is_empty(),
            persons_in_quebec: self.persons_in_quebec.clone(),
            sensitivity: self.sensitivity.clone(),
            malicious_uses: self.malicious_uses.clone(),
            consequences: self.consequences.clone(),
            likelihood: self.likelihood.clone(),
            serious_injury: self.serious_injury.clone(),
            privacy_officer_consulted_on: self.privacy_officer_consulted_on.clone(),
            measures: self.measures.clone(),
            advice: self.advice.clone(),
        }
    }
}

fn form_state(org_id: &str, version: &str, i: &EntryInput) -> FormState {
    let flag = |b: bool| if b { "1" } else { "" };
    FormState::new(&[
        ("org_id", org_id),
        ("version", version),
        ("information", &i.information),
        ("information_not_described", &i.information_not_described),
        ("circumstances", &i.circumstances),
        ("occurred_from", &i.occurred_from),
        ("occurred_to", &i.occurred_to),
        ("occurred_approximate", flag(i.occurred_approximate)),
        ("aware_on", &i.aware_on),
        ("persons", &i.persons),
        ("persons_approximate", flag(i.persons_approximate)),
        ("persons_in_quebec", &i.persons_in_quebec),
        ("sensitivity", &i.sensitivity),
        ("malicious_uses", &i.malicious_uses),
        ("consequences", &i.consequences),
        ("likelihood", &i.likelihood),
        ("serious_injury", &i.serious_injury),
        (
            "privacy_officer_consulted_on",
            &i.privacy_officer_consulted_on,
        ),
        ("measures", &i.measures),
        ("advice", &i.advice),
    ])
}

fn levels(ctx: &Ctx) -> Vec<(&'static str, String)> {
    Level::ALL
        .iter()
        .map(|l| (l.as_str(), ctx.t(&format!("ci-level-{}", l.as_str()))))
        .collect()
}

#[derive(Template)]
#[template(path = "confidentiality_new.html")]
struct NewPage {
    ctx: Ctx,
    orgs: Vec<(i64, String)>,
    levels: Vec<(&'static str, String)>,
    form: FormState,
}

async fn new_form(
    app: &AppState,
    actor: &Actor,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/confidentiality-incidents").await?;
    let orgs = org_choices(app, scope(actor, Permission::PrivacyManage)).await?;
    Ok(render(
        status,
        &NewPage {
            levels: levels(&ctx),
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
    let org = actor
        .session
        .active_org_id
        .unwrap_or(actor.person.org_id)
        .to_string();
    let today = crate::time::today().to_string();
    let input = EntryInput {
        aware_on: today,
        ..EntryInput::default()
    };
    new_form(&app, &actor, form_state(&org, "", &input), StatusCode::OK).await
}

pub async fn new_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(f): Form<EntryForm>,
) -> Result<Response, AppError> {
    let input = f.input();
    let result = match f.org_id.trim().parse::<i64>() {
        Ok(org) => store::create(
            &app.store,
            scope(&actor, Permission::PrivacyManage),
            audit_context(&actor, &headers),
            org,
            &input,
            crate::time::today(),
        )
        .await
        .map_err(AppError::from),
        Err(_) => Err(AppError::Invalid(vec![rempart_domain::FieldError::new(
            "org_id",
            "error-choice",
        )])),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/confidentiality-incidents/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let form = form_state(&f.org_id, "", &input).with_errors(actor.language(), &errors);
            new_form(&app, &actor, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::NotFound) => {
            let form = form_state(&f.org_id, "", &input).with_errors(
                actor.language(),
                &[rempart_domain::FieldError::new("org_id", "error-choice")],
            );
            new_form(&app, &actor, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "confidentiality_incident.html")]
struct DetailPage {
    ctx: Ctx,
    d: EntryDetail,
    levels: Vec<(&'static str, String)>,
    notice_kinds: Vec<(&'static str, String)>,
    form: FormState,
    notice_form: FormState,
    can_manage: bool,
    retention_due: String,
    retention_rule: String,
    /// Serious, and the notices still to send: how many days since awareness.
    waiting_days: Option<i64>,
}

async fn detail_page(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    id: i64,
    form: Option<FormState>,
    notice_form: Option<FormState>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let today = crate::time::today();
    let d = store::get(
        &app.store,
        scope(actor, Permission::PrivacyRead),
        audit_context(actor, headers),
        id,
        today,
        &app.config.deadlines,
        "confidentiality_incident.read",
    )
    .await?;
    let ctx = page_ctx(app, actor, "/confidentiality-incidents").await?;
    let can_manage =
        crate::risk_method_ui::allowed_in(app, actor, Permission::PrivacyManage, d.row.org_id)
            .await?;
    let form = form.unwrap_or_else(|| {
        form_state(
            &d.row.org_id.to_string(),
            &d.version.to_string(),
            &d.input(),
        )
    });
    let notice_form = notice_form.unwrap_or_else(|| {
        FormState::new(&[("kind", "commission"), ("sent_on", &today.to_string())])
    });
    let waiting_days = rempart_domain::confidentiality::notices_pending(
        d.row.serious_injury.as_deref().map(|s| s == "yes"),
        d.row.commission_notified_on.is_some(),
        d.row.persons_notified_on.is_some(),
        d.row.public_notice_on.is_some(),
    )
    .then(|| {
        d.row
            .aware_on
            .as_deref()
            .and_then(|a| chrono::NaiveDate::parse_from_str(a, "%Y-%m-%d").ok())
            .map(|a| (today - a).num_days())
    })
    .flatten();
    let (retention_due, retention_rule) = match &d.retention {
        Some(r) => (
            crate::deadlines_ui::day(&ctx, r.due),
            format!(
                "{} — {} ({})",
                crate::deadlines_ui::rule_text(&ctx, r),
                r.article,
                ctx.t(r.certainty.label_key())
            ),
        ),
        None => (String::new(), String::new()),
    };
    let notice_kinds = NoticeKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str(),
                ctx.t(&format!("ci-notice-{}", k.as_str().replace('_', "-"))),
            )
        })
        .collect();
    Ok(render(
        status,
        &DetailPage {
            levels: levels(&ctx),
            notice_kinds,
            form,
            notice_form,
            can_manage,
            retention_due,
            retention_rule,
            waiting_days,
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
    detail_page(&app, &actor, &headers, id, None, None, StatusCode::OK).await
}

pub async fn update_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<EntryForm>,
) -> Result<Response, AppError> {
    let input = f.input();
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    match store::update(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        version,
        &input,
        crate::time::today(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/confidentiality-incidents/{id}")).into_response()),
        Err(rempart_storage::StoreError::Invalid(errors)) => {
            let form =
                form_state(&f.org_id, &f.version, &input).with_errors(actor.language(), &errors.0);
            detail_page(
                &app,
                &actor,
                &headers,
                id,
                Some(form),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct NoticeForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub sent_on: String,
    #[serde(default)]
    pub detail: String,
}

pub async fn notice_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<NoticeForm>,
) -> Result<Response, AppError> {
    let result = match crate::confidentiality_api::parse_notice(&f.kind, &f.sent_on) {
        Ok((kind, sent_on)) => store::record_notice(
            &app.store,
            scope(&actor, Permission::PrivacyManage),
            audit_context(&actor, &headers),
            id,
            kind,
            sent_on,
            &f.detail,
            crate::time::today(),
        )
        .await
        .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/confidentiality-incidents/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let form = FormState::new(&[
                ("kind", f.kind.as_str()),
                ("sent_on", f.sent_on.as_str()),
                ("detail", f.detail.as_str()),
            ])
            .with_errors(actor.language(), &errors);
            detail_page(
                &app,
                &actor,
                &headers,
                id,
                None,
                Some(form),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

pub async fn delete_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    store::delete(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        crate::time::today(),
        &app.config.deadlines,
    )
    .await?;
    Ok(Redirect::to("/confidentiality-incidents").into_response())
}
