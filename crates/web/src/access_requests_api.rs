//! Access requests in the JSON API (PRP-03): record, list, read (audited), move step by step,
//! assign, the letters as PDF, the indicators, and the body's list of provisions. Reading goes
//! to whoever the store's scope admits (the privacy officer, or the person assigned); writing
//! needs the privacy officer's permission.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Extension;
use chrono::NaiveDate;
use rempart_domain::access_request::{NewRequest, Provision, Step};
use rempart_domain::authz::Permission;
use rempart_domain::FieldError;
use rempart_storage::access_requests::{
    self as store, Indicators, ListFilter, ListedProvision, RequestDetail, RequestRow, RequestSort,
};
use rempart_storage::scope::Scope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access_letters::{self as letters, Letter};
use crate::api::{page_out, paging, PageOut};
use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::policy::{Policy, Routes};
use crate::ui::audit_context;
use crate::AppState;

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    routes
        // Reading is decided in the query: the privacy officer of the body, or the person the
        // request is assigned to.
        .get("/api/v1/access-requests", SignedIn, get(list))
        .get(
            "/api/v1/access-requests/indicators",
            Needs(PrivacyRead),
            get(indicators),
        )
        .get("/api/v1/access-requests/{id}", SignedIn, get(show))
        .post(
            "/api/v1/organizations/{id}/access-requests",
            Needs(PrivacyManage),
            post(create),
        )
        .post(
            "/api/v1/access-requests/{id}/steps",
            Needs(PrivacyManage),
            post(step),
        )
        .route(
            axum::http::Method::PUT,
            "/api/v1/access-requests/{id}/assignee",
            Needs(PrivacyManage),
            put(assign),
        )
        .get(
            "/api/v1/access-requests/{id}/letters/{letter}",
            SignedIn,
            get(letter_pdf),
        )
        .get(
            "/api/v1/organizations/{id}/access-provisions",
            Needs(PrivacyRead),
            get(provisions),
        )
        .route(
            axum::http::Method::PUT,
            "/api/v1/organizations/{id}/access-provisions",
            Needs(PrivacyManage),
            put(replace_provisions),
        )
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// An organization: its requests and those of the units below it.
    pub org: Option<i64>,
    /// `open`, `closed`, or a status (`received`, `acknowledged`, `third_party_consultation`,
    /// `transferred`, `decided`, `withdrawn`).
    pub status: Option<String>,
    /// `documents`, `personal_access` or `rectification`.
    pub kind: Option<String>,
    /// Only open requests past their deadline (deemed refusals).
    pub overdue: Option<bool>,
    /// A reference or its beginning.
    pub reference: Option<String>,
    /// `received` (default), `due` or `reference`.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct RequestRowOut(pub RequestRow);

impl From<RequestRow> for RequestRowOut {
    fn from(r: RequestRow) -> Self {
        RequestRowOut(r)
    }
}

/// The requests the caller may read, without personal information (open one to see the
/// requester: that reading is audited).
#[utoipa::path(get, path = "/api/v1/access-requests", params(ListParams), tag = "privacy",
    responses((status = 200, body = PageOut<RequestRowOut>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<ListParams>,
) -> Result<Json<PageOut<RequestRowOut>>, AppError> {
    let page = paging(
        p.limit,
        p.offset,
        p.sort.as_deref(),
        p.order.as_deref(),
        RequestSort::parse,
    )?;
    let filter = ListFilter {
        org: p.org,
        status: p.status.filter(|s| !s.is_empty()),
        kind: p.kind.filter(|s| !s.is_empty()),
        overdue: p.overdue.unwrap_or(false),
        reference: p.reference,
        today: Some(crate::time::today()),
    };
    let page = store::list(
        &app.store,
        scope(&actor, Permission::PrivacyRead),
        &filter,
        &page,
    )
    .await?;
    Ok(Json(page_out(page)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct RequestOut(pub RequestDetail);

/// One request, with its requester, history, the deadline that applies (rule, article,
/// days skipped) and where it stands. The reading is written to the audit trail.
#[utoipa::path(get, path = "/api/v1/access-requests/{id}", tag = "privacy",
    responses((status = 200, body = RequestOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<RequestOut>, AppError> {
    let detail = store::get(
        &app.store,
        scope(&actor, Permission::PrivacyRead),
        audit_context(&actor, &headers),
        id,
        &app.config.deadlines,
        crate::time::today(),
    )
    .await?;
    Ok(Json(RequestOut(detail)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRequestIn {
    /// `documents`, `personal_access` or `rectification`.
    pub kind: String,
    pub requester_name: String,
    /// Where the letters go: a postal or e-mail address.
    pub requester_contact: String,
    /// What is asked for.
    pub subject: String,
    /// YYYY-MM-DD, not in the future.
    pub received_on: String,
    /// `fr` (default) or `en`: the language of the letters.
    #[serde(default)]
    pub language: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: i64,
}

/// Records a request an organization received. Its deadline is computed at once (20 calendar
/// days, the day of receipt not counted, moved past the organization's days off).
#[utoipa::path(post, path = "/api/v1/organizations/{id}/access-requests",
    request_body = NewRequestIn, tag = "privacy",
    responses((status = 201, body = CreatedOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(org_id): Path<i64>,
    Json(input): Json<NewRequestIn>,
) -> Result<Response, AppError> {
    let id = store::create(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        org_id,
        &NewRequest {
            kind: input.kind,
            requester_name: input.requester_name,
            requester_contact: input.requester_contact,
            subject: input.subject,
            received_on: input.received_on,
            language: input.language,
        },
        crate::time::today(),
        &app.config.deadlines,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StepIn {
    /// The step and its particulars: `{"step": "acknowledge", "on": "2026-06-05"}`,
    /// `{"step": "extend", "notice_on": …}`, `{"step": "consult_third_parties", "on": …}`,
    /// `{"step": "transfer", "on": …, "to": "…"}`, `{"step": "decide", "on": …, "kind":
    /// "granted|partly_granted|refused|not_held", "articles": ["53"], "recourse_notice":
    /// true}`, `{"step": "withdraw", "on": …}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub step: Step,
    /// Kept in the request's history (not in the audit trail).
    #[serde(default)]
    pub note: String,
}

/// Records a step: refused, with the field at fault, when the request is closed, the date
/// out of order or in the future, the extension notice late, a decision that withholds cites
/// no provision of the body's list or lacks the notice of recourse.
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/steps", request_body = StepIn,
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn step(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<StepIn>,
) -> Result<StatusCode, AppError> {
    store::record_step(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &input.step,
        &input.note,
        crate::time::today(),
        &app.config.deadlines,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssigneeIn {
    /// A person of the request's organization or a unit below; null takes it back.
    pub person_id: Option<i64>,
}

/// Assigns the request to a person who helps answer it: they then read it, and only it.
#[utoipa::path(put, path = "/api/v1/access-requests/{id}/assignee", request_body = AssigneeIn,
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<AssigneeIn>,
) -> Result<StatusCode, AppError> {
    store::assign(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        input.person_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The letter as a PDF, for the page and the API: read (and audited) like the request.
pub(crate) async fn render_letter(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    id: i64,
    letter: &str,
) -> Result<Response, AppError> {
    let detail = store::read_audited(
        &app.store,
        scope(actor, Permission::PrivacyRead),
        audit_context(actor, headers),
        id,
        &app.config.deadlines,
        crate::time::today(),
        "access_request.letter",
    )
    .await?;
    let letter = Letter::parse(letter).ok_or(AppError::NotFound)?;
    if !letter.available(&detail) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "letter",
            "error-access-letter-unavailable",
        )]));
    }
    let lang = letters::letter_language(&detail);
    let template =
        store::letter_template(&app.store, detail.row.org_id, letter.as_str(), lang.code()).await?;
    let now = chrono::Utc::now();
    let report = letters::build(
        letter,
        &detail,
        &detail.row.org_name,
        template.as_deref(),
        crate::time::today(),
        crate::risk_report::produced(now),
    );
    let disposition = format!(
        "attachment; filename=\"{}-{}.pdf\"",
        detail.row.reference,
        letter.as_str()
    );
    crate::risk_report::pdf_response(report, disposition).await
}

/// A letter of the request as PDF (`acknowledgement`, `extension` once extended, `decision`
/// once decided), in the requester's language, from the body's text or the product's.
#[utoipa::path(get, path = "/api/v1/access-requests/{id}/letters/{letter}", tag = "privacy",
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn letter_pdf(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, letter)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    render_letter(&app, &actor, &headers, id, &letter).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorParams {
    pub org: Option<i64>,
    /// YYYY-MM-DD; default: 1 January of this year.
    pub from: Option<String>,
    /// YYYY-MM-DD; default: today.
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct IndicatorsOut(pub Indicators);

/// Parses the period of the indicators, naming the field at fault.
pub(crate) fn period(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), AppError> {
    let parse = |field: &str, v: Option<&str>, default: NaiveDate| match v.map(str::trim) {
        None | Some("") => Ok(default),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| FieldError::new(field, "error-date")),
    };
    let start = NaiveDate::from_yo_opt(chrono::Datelike::year(&today), 1).unwrap_or(today);
    let mut errors = Vec::new();
    let from = parse("from", from, start).map_err(|e| errors.push(e)).ok();
    let to = parse("to", to, today).map_err(|e| errors.push(e)).ok();
    match (from, to) {
        (Some(f), Some(t)) if f <= t => Ok((f, t)),
        (Some(_), Some(_)) => Err(AppError::Invalid(vec![FieldError::new(
            "to",
            "error-period",
        )])),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Requests received in a period: answered on time or late, open, deemed refused, the mean
/// delay to a decision, the provisions most cited.
#[utoipa::path(get, path = "/api/v1/access-requests/indicators", params(IndicatorParams),
    tag = "privacy",
    responses((status = 200, body = IndicatorsOut), (status = 422, body = ErrorBody)))]
pub async fn indicators(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<IndicatorParams>,
) -> Result<Json<IndicatorsOut>, AppError> {
    let today = crate::time::today();
    let (from, to) = period(p.from.as_deref(), p.to.as_deref(), today)?;
    let out = store::indicators(
        &app.store,
        scope(&actor, Permission::PrivacyRead),
        p.org,
        from,
        to,
        today,
    )
    .await?;
    Ok(Json(IndicatorsOut(out)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ProvisionOut(pub ListedProvision);

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProvisionIn {
    /// How a decision cites it: the article's number.
    pub code: String,
    /// The law: `A-2.1`.
    pub law: String,
    #[serde(default)]
    pub summary: String,
}

/// The provisions a decision of the organization may cite: the product's (whose text the
/// source documents quote), then those the organization and the ones above it added.
#[utoipa::path(get, path = "/api/v1/organizations/{id}/access-provisions", tag = "privacy",
    responses((status = 200, body = [ProvisionOut]), (status = 404, body = ErrorBody)))]
pub async fn provisions(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ProvisionOut>>, AppError> {
    let list = store::provisions(&app.store, scope(&actor, Permission::PrivacyRead), id).await?;
    Ok(Json(list.into_iter().map(ProvisionOut).collect()))
}

/// Replaces the provisions the organization adds (the product's stay); faults are named by
/// position (`provisions[1].code`). Audited.
#[utoipa::path(put, path = "/api/v1/organizations/{id}/access-provisions",
    request_body = [ProvisionIn], tag = "privacy",
    responses((status = 200, body = [ProvisionOut]), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn replace_provisions(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<Vec<ProvisionIn>>,
) -> Result<Json<Vec<ProvisionOut>>, AppError> {
    let entries: Vec<Provision> = input
        .into_iter()
        .map(|p| Provision {
            code: p.code,
            law: p.law,
            summary: p.summary,
        })
        .collect();
    let list = store::set_provisions(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &entries,
    )
    .await?;
    Ok(Json(list.into_iter().map(ProvisionOut).collect()))
}
