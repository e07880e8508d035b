//! Privacy complaints (PRP-04): a public page and API where anyone complains about how a
//! public body handles personal information (no account, no script; a flood from one address
//! refused; a follow-up token shown once, only its SHA-256 kept), the privacy officer's
//! recording by API, and the privacy officer's pages and API to handle them (admissibility,
//! analysis, recommendations, answer) with the time to answer measured.

use askama::Template;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use rempart_domain::authz::Permission;
use rempart_domain::complaint::{ComplaintInput, ComplaintStep};
use rempart_domain::language::Language;
use rempart_domain::FieldError;
use rempart_storage::complaints::{self as store, ComplaintDetail, ComplaintRow, FollowView};
use rempart_storage::list::PageRequest;
use rempart_storage::scope::Scope;
use rempart_storage::AuditContext;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{page_out, PageOut};
use crate::auth::Actor;
use crate::disclosure::{allowed_by, new_token, page_language, token_hash, LangParams};
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::policy::{Policy, Routes};
use crate::ui::{audit_context, page_ctx, pager, source_of, Pager};
use crate::views::{render, Ctx, FormState};
use crate::AppState;

/// A complaint's body at most: its fields are bounded, this bounds what is read to find out.
const MAX_BODY: usize = 64 * 1024;

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    routes
        .get("/complaint", Public, get(form_page))
        .post(
            "/complaint",
            Public,
            post(form_submit).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .get("/complaint/follow", Public, get(follow_page))
        .post(
            "/complaint/follow",
            Public,
            post(follow_submit).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .post(
            "/api/v1/complaints",
            Public,
            post(api_submit).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .post(
            "/api/v1/complaints/follow",
            Public,
            post(api_follow).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .get("/api/v1/complaints", Needs(PrivacyRead), get(api_list))
        .get("/api/v1/complaints/{id}", Needs(PrivacyRead), get(api_get))
        .post(
            "/api/v1/complaints/{id}/steps",
            Needs(PrivacyManage),
            post(api_step),
        )
        .post(
            "/api/v1/organizations/{id}/complaints",
            Needs(PrivacyManage),
            post(api_record),
        )
        .get("/complaints", Needs(PrivacyRead), get(staff_list))
        .post("/complaints", Needs(PrivacyManage), post(staff_record))
        .get("/complaints/{id}", Needs(PrivacyRead), get(staff_show))
        .post(
            "/complaints/{id}/steps",
            Needs(PrivacyManage),
            post(staff_step),
        )
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

fn public_context(headers: &HeaderMap) -> AuditContext {
    AuditContext {
        actor_id: None,
        actor_label: "plainte publique".to_owned(),
        source: source_of(headers),
    }
}

/// A complaint from the public: checked, then counted against the address's hourly limit
/// (a refused form does not count), then recorded with its token's hash.
async fn submit(
    app: &AppState,
    headers: &HeaderMap,
    input: &ComplaintInput,
    language: Language,
) -> Result<(store::Received, String), AppError> {
    rempart_domain::complaint::check_complaint(input).map_err(AppError::Invalid)?;
    if !allowed_by(&app.config.complaint_rate, headers) {
        return Err(AppError::TooManyRequests);
    }
    let (token, hash) = new_token()?;
    let received = store::receive(
        &app.store,
        None,
        public_context(headers),
        &crate::gmvi::notifier(app),
        input,
        language.code(),
        Some(&hash),
    )
    .await?;
    Ok((received, token))
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ComplaintIn {
    /// The public body complained about (its id; the form lists them).
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub name: String,
    /// An e-mail, a telephone number or a postal address.
    #[serde(default)]
    pub contact: String,
    /// What the complaint is about.
    #[serde(default)]
    pub grounds: String,
    /// What happened (20 to 20,000 characters).
    #[serde(default)]
    pub facts: String,
}

impl ComplaintIn {
    fn input(&self) -> ComplaintInput {
        ComplaintInput {
            org_id: self.org_id.clone(),
            name: self.name.clone(),
            contact: self.contact.clone(),
            grounds: self.grounds.clone(),
            facts: self.facts.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintReceivedOut {
    pub reference: String,
    /// Shown once: keep it to follow the complaint.
    pub token: String,
}

/// Files a privacy complaint without an account. Limited per address and per hour; the
/// token in the answer is shown once.
#[utoipa::path(post, path = "/api/v1/complaints", request_body = ComplaintIn, tag = "privacy",
    responses((status = 201, body = ComplaintReceivedOut), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn api_submit(
    State(app): State<AppState>,
    Extension(lang): Extension<Language>,
    headers: HeaderMap,
    Json(input): Json<ComplaintIn>,
) -> Result<Response, AppError> {
    let (received, token) = submit(&app, &headers, &input.input(), lang).await?;
    Ok((
        StatusCode::CREATED,
        Json(ComplaintReceivedOut {
            reference: received.reference,
            token,
        }),
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ComplaintFollowIn {
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct FollowOut(pub FollowView);

/// Where a complaint stands, and its answer once given, for its token.
#[utoipa::path(post, path = "/api/v1/complaints/follow", request_body = ComplaintFollowIn,
    tag = "privacy",
    responses((status = 200, body = FollowOut), (status = 404, body = ErrorBody)))]
pub async fn api_follow(
    State(app): State<AppState>,
    Json(input): Json<ComplaintFollowIn>,
) -> Result<Json<FollowOut>, AppError> {
    Ok(Json(FollowOut(
        store::follow(&app.store, &token_hash(&input.token)).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedOut {
    pub id: i64,
    pub reference: String,
}

/// Records a complaint received otherwise (by mail, by telephone) for an organization the
/// privacy officer handles.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/complaints", request_body = ComplaintIn,
    tag = "privacy",
    responses((status = 201, body = RecordedOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn api_record(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(org_id): Path<i64>,
    Json(input): Json<ComplaintIn>,
) -> Result<Response, AppError> {
    let mut input = input.input();
    input.org_id = org_id.to_string();
    let received = store::receive(
        &app.store,
        Some(scope(&actor, Permission::PrivacyManage)),
        audit_context(&actor, &headers),
        &crate::gmvi::notifier(&app),
        &input,
        actor.language().code(),
        None,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(RecordedOut {
            id: received.id,
            reference: received.reference,
        }),
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ComplaintRowOut(pub ComplaintRow);

impl From<ComplaintRow> for ComplaintRowOut {
    fn from(r: ComplaintRow) -> Self {
        ComplaintRowOut(r)
    }
}

/// The complaints the caller handles, latest first, without names or words.
#[utoipa::path(get, path = "/api/v1/complaints", params(crate::api::LimitOffset), tag = "privacy",
    responses((status = 200, body = PageOut<ComplaintRowOut>)))]
pub async fn api_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<crate::api::LimitOffset>,
) -> Result<Json<PageOut<ComplaintRowOut>>, AppError> {
    let page = crate::api::paging::<()>(p.limit, p.offset, None, None, |_| Some(()))?;
    let page = store::list(
        &app.store,
        scope(&actor, Permission::PrivacyRead),
        &PageRequest {
            limit: page.limit,
            offset: page.offset,
            sort: (),
            descending: true,
        },
    )
    .await?;
    Ok(Json(page_out(page)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ComplaintOut(pub ComplaintDetail);

/// One complaint with its steps. The reading is audited.
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "privacy",
    responses((status = 200, body = ComplaintOut), (status = 404, body = ErrorBody)))]
pub async fn api_get(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<ComplaintOut>, AppError> {
    Ok(Json(ComplaintOut(
        store::get(
            &app.store,
            scope(&actor, Permission::PrivacyRead),
            audit_context(&actor, &headers),
            id,
        )
        .await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ComplaintStepIn {
    /// `{"step": "admissibility", "admissible": true, "text": ""}`, `{"step": "analysis",
    /// "text": …}`, `{"step": "recommendations", "text": …}`, `{"step": "answer", "text": …}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub step: ComplaintStep,
}

/// Records a step: admissibility first, then (if admissible) the analysis, recommendations
/// and the answer, which the complainant then reads with their token.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/steps", request_body = ComplaintStepIn,
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_step(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<ComplaintStepIn>,
) -> Result<StatusCode, AppError> {
    store::record_step(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &input.step,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct FormPage {
    ctx: Ctx,
    bodies: Vec<(i64, String)>,
    form: FormState,
}

#[derive(Template)]
#[template(path = "complaint_done.html")]
struct DonePage {
    ctx: Ctx,
    reference: String,
    token: String,
}

#[derive(Template)]
#[template(path = "complaint_follow.html")]
struct FollowPage {
    ctx: Ctx,
    view: Option<FollowView>,
    status: String,
    received: String,
    fault: Option<String>,
}

pub async fn form_page(
    State(app): State<AppState>,
    Extension(lang): Extension<Language>,
    Query(p): Query<LangParams>,
) -> Result<Response, AppError> {
    let lang = page_language(lang, &p);
    Ok(render(
        StatusCode::OK,
        &FormPage {
            ctx: Ctx::anonymous(lang),
            bodies: store::bodies(&app.store).await?,
            form: FormState::new(&[]),
        },
    ))
}

pub async fn form_submit(
    State(app): State<AppState>,
    Extension(lang): Extension<Language>,
    headers: HeaderMap,
    Form(form): Form<ComplaintIn>,
) -> Result<Response, AppError> {
    match submit(&app, &headers, &form.input(), lang).await {
        Ok((received, token)) => Ok(render(
            StatusCode::CREATED,
            &DonePage {
                ctx: Ctx::anonymous(lang),
                reference: received.reference,
                token,
            },
        )),
        Err(AppError::Invalid(errors)) => {
            let state = FormState::new(&[
                ("org_id", form.org_id.as_str()),
                ("name", form.name.as_str()),
                ("contact", form.contact.as_str()),
                ("grounds", form.grounds.as_str()),
                ("facts", form.facts.as_str()),
            ])
            .with_errors(lang, &errors);
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormPage {
                    ctx: Ctx::anonymous(lang),
                    bodies: store::bodies(&app.store).await?,
                    form: state,
                },
            ))
        }
        Err(other) => Err(other),
    }
}

pub async fn follow_page(
    Extension(lang): Extension<Language>,
    Query(p): Query<LangParams>,
) -> Response {
    let lang = page_language(lang, &p);
    render(
        StatusCode::OK,
        &FollowPage {
            ctx: Ctx::anonymous(lang),
            view: None,
            status: String::new(),
            received: String::new(),
            fault: None,
        },
    )
}

#[derive(Debug, Deserialize, Default)]
pub struct FollowForm {
    #[serde(default)]
    pub token: String,
}

/// The token opens the complaint (it travels in the form's body, never in an address).
pub async fn follow_submit(
    State(app): State<AppState>,
    Extension(lang): Extension<Language>,
    Form(form): Form<FollowForm>,
) -> Result<Response, AppError> {
    let ctx = Ctx::anonymous(lang);
    match store::follow(&app.store, &token_hash(&form.token)).await {
        Ok(view) => Ok(render(
            StatusCode::OK,
            &FollowPage {
                status: ctx.t(&format!("complaint-status-{}", view.status)),
                received: ctx.time(view.received_at),
                view: Some(view),
                fault: None,
                ctx,
            },
        )),
        Err(rempart_storage::StoreError::NotFound) => Ok(render(
            StatusCode::NOT_FOUND,
            &FollowPage {
                fault: Some(ctx.t("complaint-follow-unknown")),
                view: None,
                status: String::new(),
                received: String::new(),
                ctx,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<(ComplaintRow, String, String)>,
    pager: Pager,
    answered: i64,
    open: i64,
    mean: String,
    /// The bodies where the caller records a complaint received by mail or telephone.
    bodies: Vec<(i64, String)>,
    form: FormState,
}

#[derive(Debug, Deserialize, Default)]
pub struct PageParams {
    pub offset: Option<i64>,
}

pub async fn staff_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<PageParams>,
) -> Result<Response, AppError> {
    list_view(
        &app,
        &actor,
        p.offset.unwrap_or(0),
        FormState::new(&[]),
        StatusCode::OK,
    )
    .await
}

async fn list_view(
    app: &AppState,
    actor: &Actor,
    offset: i64,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = store::list(
        &app.store,
        scope(actor, Permission::PrivacyRead),
        &PageRequest {
            offset: offset.clamp(0, i64::MAX / 2),
            ..PageRequest::default()
        },
    )
    .await?;
    let time = store::time_to_answer(&app.store, scope(actor, Permission::PrivacyRead)).await?;
    let bodies = if actor.can(Permission::PrivacyManage) {
        crate::ui::org_choices(app, scope(actor, Permission::PrivacyManage)).await?
    } else {
        Vec::new()
    };
    let ctx = page_ctx(app, actor, "/complaints").await?;
    let pager = pager(ctx.lang, &page, "/complaints", "");
    let rows = page
        .items
        .into_iter()
        .map(|r| {
            let status = ctx.t(&format!("complaint-status-{}", r.status));
            let received = ctx.time(r.received_at);
            (r, status, received)
        })
        .collect();
    Ok(render(
        status,
        &ListPage {
            rows,
            pager,
            answered: time.answered,
            open: time.open,
            mean: time
                .mean_days
                .map(|m| format!("{m:.1}"))
                .unwrap_or_else(|| "—".to_owned()),
            bodies,
            form,
            ctx,
        },
    ))
}

/// A complaint received by mail or telephone, recorded by the privacy officer (PRP-04).
pub async fn staff_record(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<ComplaintIn>,
) -> Result<Response, AppError> {
    match store::receive(
        &app.store,
        Some(scope(&actor, Permission::PrivacyManage)),
        audit_context(&actor, &headers),
        &crate::gmvi::notifier(&app),
        &form.input(),
        actor.language().code(),
        None,
    )
    .await
    {
        Ok(received) => Ok(Redirect::to(&format!("/complaints/{}", received.id)).into_response()),
        Err(e) => match AppError::from(e) {
            AppError::Invalid(errors) => {
                let state = FormState::new(&[
                    ("org_id", form.org_id.as_str()),
                    ("name", form.name.as_str()),
                    ("contact", form.contact.as_str()),
                    ("grounds", form.grounds.as_str()),
                    ("facts", form.facts.as_str()),
                ])
                .with_errors(actor.language(), &errors);
                list_view(&app, &actor, 0, state, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            other => Err(other),
        },
    }
}

#[derive(Template)]
#[template(path = "complaint_staff.html")]
struct DetailPage {
    ctx: Ctx,
    d: ComplaintDetail,
    status: String,
    received: String,
    steps: Vec<(String, String, String, String)>,
    next: Vec<&'static str>,
    can_manage: bool,
    form: FormState,
}

async fn detail_page(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    id: i64,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let d = store::get(
        &app.store,
        scope(actor, Permission::PrivacyRead),
        audit_context(actor, headers),
        id,
    )
    .await?;
    let ctx = page_ctx(app, actor, "/complaints").await?;
    let can_manage =
        crate::risk_method_ui::allowed_in(app, actor, Permission::PrivacyManage, d.row.org_id)
            .await?;
    let next: Vec<&'static str> = rempart_domain::complaint::ComplaintStatus::parse(&d.row.status)
        .map(|s| s.next_steps().to_vec())
        .unwrap_or_default();
    let steps = d
        .steps
        .iter()
        .map(|s| {
            let label = match s.admissible {
                Some(true) => ctx.t("complaint-admissible"),
                Some(false) => ctx.t("complaint-inadmissible"),
                None => ctx.t(&format!("complaint-step-{}", s.step)),
            };
            (
                ctx.time(s.at),
                label,
                s.body.clone(),
                s.person_name.clone().unwrap_or_default(),
            )
        })
        .collect();
    Ok(render(
        status,
        &DetailPage {
            status: ctx.t(&format!("complaint-status-{}", d.row.status)),
            received: ctx.time(d.row.received_at),
            steps,
            next,
            can_manage,
            form,
            d,
            ctx,
        },
    ))
}

pub async fn staff_show(
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
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub admissible: String,
    #[serde(default)]
    pub text: String,
}

fn step_of(form: &StepForm) -> Result<ComplaintStep, FieldError> {
    let text = form.text.clone();
    match form.step.as_str() {
        "admissibility" => Ok(ComplaintStep::Admissibility {
            admissible: match form.admissible.as_str() {
                "yes" => true,
                "no" => false,
                _ => return Err(FieldError::new("admissible", "error-choice")),
            },
            text,
        }),
        "analysis" => Ok(ComplaintStep::Analysis { text }),
        "recommendations" => Ok(ComplaintStep::Recommendations { text }),
        "answer" => Ok(ComplaintStep::Answer { text }),
        _ => Err(FieldError::new("step", "error-choice")),
    }
}

pub async fn staff_step(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    let result = match step_of(&form) {
        Ok(step) => store::record_step(
            &app.store,
            scope(&actor, Permission::PrivacyManage),
            audit_context(&actor, &headers),
            id,
            &step,
        )
        .await
        .map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(vec![e])),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/complaints/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let state = FormState::new(&[
                ("step", form.step.as_str()),
                ("admissible", form.admissible.as_str()),
                ("text", form.text.as_str()),
            ])
            .with_errors(actor.language(), &errors);
            detail_page(
                &app,
                &actor,
                &headers,
                id,
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}
