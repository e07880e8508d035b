//! The inventory of personal-information files and the register of communications (PRP-01),
//! pages and API: each file with its retention rule and the day it is due for destruction or
//! anonymization, those overdue shown first; the disposal with its method; the register, where
//! a communication outside Québec rests on an approved assessment.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Form};
use rempart_domain::authz::Permission;
use rempart_domain::confidentiality::Level;
use rempart_domain::personal_info_file::{
    CommunicationInput, DisposalInput, DisposalMethod, EndAction, FileInput,
};
use rempart_storage::list::PageRequest;
use rempart_storage::personal_info_files::{
    self as store, CommunicationRow, FileDetail, FileFilter, FileRow,
};
use rempart_storage::scope::Scope;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{page_out, PageOut};
use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::policy::{Policy, Routes};
use crate::ui::{audit_context, page_ctx, pager, Pager};
use crate::views::{render, Ctx, FormState};
use crate::AppState;

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    routes
        .get(
            "/api/v1/personal-info-files",
            Needs(PrivacyGovernanceRead),
            get(api_list),
        )
        .post(
            "/api/v1/personal-info-files",
            Needs(PrivacyManage),
            post(api_create),
        )
        .get(
            "/api/v1/personal-info-files/{id}",
            Needs(PrivacyGovernanceRead),
            get(api_get),
        )
        .route(
            axum::http::Method::PUT,
            "/api/v1/personal-info-files/{id}",
            Needs(PrivacyManage),
            put(api_update),
        )
        .post(
            "/api/v1/personal-info-files/{id}/disposal",
            Needs(PrivacyManage),
            post(api_dispose),
        )
        .get(
            "/api/v1/pi-communications",
            Needs(PrivacyGovernanceRead),
            get(api_communications),
        )
        .post(
            "/api/v1/pi-communications",
            Needs(PrivacyManage),
            post(api_record_communication),
        )
        .get(
            "/personal-info-files",
            Needs(PrivacyGovernanceRead),
            get(list_page),
        )
        .get(
            "/personal-info-files/new",
            Needs(PrivacyManage),
            get(new_page),
        )
        .post(
            "/personal-info-files",
            Needs(PrivacyManage),
            post(create_form),
        )
        .get(
            "/personal-info-files/{id}",
            Needs(PrivacyGovernanceRead),
            get(show_page),
        )
        .post(
            "/personal-info-files/{id}",
            Needs(PrivacyManage),
            post(update_form),
        )
        .post(
            "/personal-info-files/{id}/disposal",
            Needs(PrivacyManage),
            post(dispose_form),
        )
        .get(
            "/communications",
            Needs(PrivacyGovernanceRead),
            get(communications_page),
        )
        .post(
            "/communications",
            Needs(PrivacyManage),
            post(communication_form),
        )
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

fn today() -> chrono::NaiveDate {
    crate::time::today()
}

/// The sensitivity levels with their labels, for forms.
pub(crate) fn levels(ctx: &Ctx) -> Vec<(&'static str, String)> {
    Level::ALL
        .iter()
        .map(|l| (l.as_str(), ctx.t(&format!("pia-level-{}", l.as_str()))))
        .collect()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `true`: only the files still held whose destruction or anonymization is due today or
    /// earlier.
    pub due: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct FileRowOut(pub FileRow);

impl From<FileRow> for FileRowOut {
    fn from(r: FileRow) -> Self {
        FileRowOut(r)
    }
}

/// The inventory of personal-information files the caller reads.
#[utoipa::path(get, path = "/api/v1/personal-info-files", params(ListParams), tag = "privacy",
    responses((status = 200, body = PageOut<FileRowOut>)))]
pub async fn api_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<ListParams>,
) -> Result<Json<PageOut<FileRowOut>>, AppError> {
    let page = crate::api::paging::<()>(p.limit, p.offset, None, None, |_| Some(()))?;
    let today = today();
    let page = store::list(
        &app.store,
        scope(&actor, Permission::PrivacyGovernanceRead),
        FileFilter {
            due_by: p.due.unwrap_or(false).then_some(today),
        },
        &page,
        today,
    )
    .await?;
    Ok(Json(page_out(page)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FileIn {
    /// `{"org_id": "7", "name": …, "purpose": …, "categories": …, "sensitivity": "high",
    /// "holders": …, "asset_id": "", "retention_rule": …, "retention_years": "7",
    /// "end_action": "destroy" | "anonymize", "purposes_achieved_on": "2019-02-28"}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub input: FileInput,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdOut {
    pub id: i64,
}

/// Adds a file to the inventory.
#[utoipa::path(post, path = "/api/v1/personal-info-files", request_body = FileIn, tag = "privacy",
    responses((status = 201, body = IdOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_create(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<FileIn>,
) -> Result<Response, AppError> {
    let id = store::create(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        &input.input,
        today(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(IdOut { id })).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct FileOut(pub FileDetail);

/// One file, with its disposal and the communications recorded from it.
#[utoipa::path(get, path = "/api/v1/personal-info-files/{id}", tag = "privacy",
    responses((status = 200, body = FileOut), (status = 404, body = ErrorBody)))]
pub async fn api_get(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<FileOut>, AppError> {
    Ok(Json(FileOut(
        store::get(
            &app.store,
            scope(&actor, Permission::PrivacyGovernanceRead),
            id,
            today(),
        )
        .await?,
    )))
}

/// Changes a file still held (its organization stays).
#[utoipa::path(put, path = "/api/v1/personal-info-files/{id}", request_body = FileIn,
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn api_update(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<FileIn>,
) -> Result<StatusCode, AppError> {
    store::update(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &input.input,
        today(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DisposalIn {
    /// `{"done_on": "2026-03-02", "method": "shredding" | "secure_erasure" |
    /// "cryptographic_erasure" | "media_destruction" | "anonymization", "notes": …}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub input: DisposalInput,
}

/// Records the destruction or anonymization of a file's information, once its retention has
/// run out, with the method used.
#[utoipa::path(post, path = "/api/v1/personal-info-files/{id}/disposal", request_body = DisposalIn,
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_dispose(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<DisposalIn>,
) -> Result<StatusCode, AppError> {
    store::dispose(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &input.input,
        today(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct CommunicationOut(pub CommunicationRow);

impl From<CommunicationRow> for CommunicationOut {
    fn from(r: CommunicationRow) -> Self {
        CommunicationOut(r)
    }
}

/// The register of communications of personal information (art. 67.3), latest first.
#[utoipa::path(get, path = "/api/v1/pi-communications", params(crate::api::LimitOffset), tag = "privacy",
    responses((status = 200, body = PageOut<CommunicationOut>)))]
pub async fn api_communications(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<crate::api::LimitOffset>,
) -> Result<Json<PageOut<CommunicationOut>>, AppError> {
    let page = crate::api::paging::<()>(p.limit, p.offset, None, None, |_| Some(()))?;
    let page = store::communications(
        &app.store,
        scope(&actor, Permission::PrivacyGovernanceRead),
        &page,
    )
    .await?;
    Ok(Json(page_out(page)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CommunicationIn {
    /// `{"org_id": "7", "file_id": "", "communicated_on": "2026-11-30", "nature": …,
    /// "recipient": …, "purpose": …, "outside_quebec": false, "reason": …,
    /// "assessment_id": ""}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub input: CommunicationInput,
}

/// Records a communication in the register; one outside Québec names the approved art. 70.1
/// assessment it rests on.
#[utoipa::path(post, path = "/api/v1/pi-communications", request_body = CommunicationIn,
    tag = "privacy",
    responses((status = 201, body = IdOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn api_record_communication(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<CommunicationIn>,
) -> Result<Response, AppError> {
    let id = store::record_communication(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        &input.input,
        today(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(IdOut { id })).into_response())
}

// ---- Pages -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "personal_info_files.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<(FileRow, String, String)>,
    pager: Pager,
    due_only: bool,
    due_count: i64,
    can_manage: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct PageParams {
    pub offset: Option<i64>,
    pub due: Option<String>,
}

fn status_label(ctx: &Ctx, r: &FileRow) -> String {
    ctx.t(&format!("pif-status-{}", r.status))
}

pub async fn list_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<PageParams>,
) -> Result<Response, AppError> {
    let today = today();
    let read = scope(&actor, Permission::PrivacyGovernanceRead);
    let due_only = p.due.as_deref() == Some("1");
    let page = store::list(
        &app.store,
        read,
        FileFilter {
            due_by: due_only.then_some(today),
        },
        &PageRequest {
            offset: p.offset.unwrap_or(0).clamp(0, i64::MAX / 2),
            ..PageRequest::default()
        },
        today,
    )
    .await?;
    let due_count = store::count(
        &app.store,
        read,
        FileFilter {
            due_by: Some(today),
        },
    )
    .await?;
    let ctx = page_ctx(&app, &actor, "/personal-info-files").await?;
    let pager = pager(
        ctx.lang,
        &page,
        "/personal-info-files",
        if due_only { "due=1" } else { "" },
    );
    let rows = page
        .items
        .into_iter()
        .map(|r| {
            let status = status_label(&ctx, &r);
            let sensitivity = ctx.t(&format!("pia-level-{}", r.sensitivity));
            (r, sensitivity, status)
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            rows,
            pager,
            due_only,
            due_count,
            can_manage: actor.can(Permission::PrivacyManage),
            ctx,
        },
    ))
}

/// The choices of the file form.
struct FileChoices {
    organizations: Vec<(i64, String)>,
    assets: Vec<(i64, String)>,
    levels: Vec<(&'static str, String)>,
    end_actions: Vec<(&'static str, String)>,
}

async fn file_choices(app: &AppState, actor: &Actor, ctx: &Ctx) -> Result<FileChoices, AppError> {
    let manage = scope(actor, Permission::PrivacyManage);
    Ok(FileChoices {
        organizations: crate::ui::org_choices(app, manage).await?,
        assets: rempart_storage::privacy_assessments::personal_info_assets(&app.store, manage)
            .await?,
        levels: levels(ctx),
        end_actions: EndAction::ALL
            .iter()
            .map(|a| (a.as_str(), ctx.t(&format!("pif-end-{}", a.as_str()))))
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "personal_info_file_new.html")]
struct NewPage {
    ctx: Ctx,
    choices: FileChoices,
    form: FormState,
}

async fn new_view(
    app: &AppState,
    actor: &Actor,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/personal-info-files").await?;
    let choices = file_choices(app, actor, &ctx).await?;
    Ok(render(status, &NewPage { ctx, choices, form }))
}

pub async fn new_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    new_view(&app, &actor, FormState::new(&[]), StatusCode::OK).await
}

fn file_values(f: &FileInput) -> Vec<(&str, &str)> {
    vec![
        ("org_id", f.org_id.as_str()),
        ("name", f.name.as_str()),
        ("purpose", f.purpose.as_str()),
        ("categories", f.categories.as_str()),
        ("sensitivity", f.sensitivity.as_str()),
        ("holders", f.holders.as_str()),
        ("asset_id", f.asset_id.as_str()),
        ("retention_rule", f.retention_rule.as_str()),
        ("retention_years", f.retention_years.as_str()),
        ("end_action", f.end_action.as_str()),
        ("purposes_achieved_on", f.purposes_achieved_on.as_str()),
    ]
}

fn form_faults(e: AppError) -> Result<Vec<rempart_domain::FieldError>, AppError> {
    match e {
        AppError::Invalid(errors) => Ok(errors),
        AppError::Conflict(field) => {
            Ok(vec![rempart_domain::FieldError::new(field, "error-taken")])
        }
        other => Err(other),
    }
}

pub async fn create_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(f): Form<FileInput>,
) -> Result<Response, AppError> {
    match store::create(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        &f,
        today(),
    )
    .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/personal-info-files/{id}")).into_response()),
        Err(e) => {
            let errors = form_faults(e.into())?;
            let state = FormState::new(&file_values(&f)).with_errors(actor.language(), &errors);
            new_view(&app, &actor, state, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Template)]
#[template(path = "personal_info_file.html")]
struct DetailPage {
    ctx: Ctx,
    d: FileDetail,
    status: String,
    sensitivity: String,
    end_action: String,
    method: String,
    can_manage: bool,
    choices: FileChoices,
    methods: Vec<(&'static str, String)>,
    /// Which form failed (`file` or `disposal`), its values and faults.
    form: FormState,
}

async fn detail_view(
    app: &AppState,
    actor: &Actor,
    id: i64,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let d = store::get(
        &app.store,
        scope(actor, Permission::PrivacyGovernanceRead),
        id,
        today(),
    )
    .await?;
    let ctx = page_ctx(app, actor, "/personal-info-files").await?;
    let can_manage = d.row.status == "active"
        && crate::risk_method_ui::allowed_in(app, actor, Permission::PrivacyManage, d.row.org_id)
            .await?;
    let choices = if can_manage {
        file_choices(app, actor, &ctx).await?
    } else {
        FileChoices {
            organizations: Vec::new(),
            assets: Vec::new(),
            levels: levels(&ctx),
            end_actions: Vec::new(),
        }
    };
    // The edit form shows what is saved unless it just failed.
    let form = if form.is("form", "file") || form.is("form", "disposal") {
        form
    } else {
        let asset = d
            .asset
            .as_ref()
            .map(|a| a.0.to_string())
            .unwrap_or_default();
        let years = d.retention_years.to_string();
        let achieved = d
            .purposes_achieved_on
            .map(|a| a.to_string())
            .unwrap_or_default();
        let org = d.row.org_id.to_string();
        FormState::new(&file_values(&FileInput {
            org_id: org,
            name: d.row.name.clone(),
            purpose: d.purpose.clone(),
            categories: d.categories.clone(),
            sensitivity: d.row.sensitivity.clone(),
            holders: d.holders.clone(),
            asset_id: asset,
            retention_rule: d.row.retention_rule.clone(),
            retention_years: years,
            end_action: d.row.end_action.clone(),
            purposes_achieved_on: achieved,
        }))
    };
    Ok(render(
        status,
        &DetailPage {
            status: status_label(&ctx, &d.row),
            sensitivity: ctx.t(&format!("pia-level-{}", d.row.sensitivity)),
            end_action: ctx.t(&format!("pif-end-{}", d.row.end_action)),
            method: d
                .disposal_method
                .as_ref()
                .map(|m| ctx.t(&format!("pif-method-{}", m.replace('_', "-"))))
                .unwrap_or_default(),
            can_manage,
            choices,
            methods: DisposalMethod::ALL
                .iter()
                .map(|m| {
                    (
                        m.as_str(),
                        ctx.t(&format!("pif-method-{}", m.as_str().replace('_', "-"))),
                    )
                })
                .collect(),
            form,
            d,
            ctx,
        },
    ))
}

pub async fn show_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    detail_view(&app, &actor, id, FormState::new(&[]), StatusCode::OK).await
}

pub async fn update_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<FileInput>,
) -> Result<Response, AppError> {
    match store::update(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &f,
        today(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/personal-info-files/{id}")).into_response()),
        Err(e) => {
            let errors = form_faults(e.into())?;
            let mut values = file_values(&f);
            values.push(("form", "file"));
            let state = FormState::new(&values).with_errors(actor.language(), &errors);
            detail_view(&app, &actor, id, state, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn dispose_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(input): Form<DisposalInput>,
) -> Result<Response, AppError> {
    match store::dispose(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &input,
        today(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/personal-info-files/{id}")).into_response()),
        Err(e) => {
            let errors = form_faults(e.into())?;
            let state = FormState::new(&[
                ("form", "disposal"),
                ("done_on", input.done_on.as_str()),
                ("method", input.method.as_str()),
                ("notes", input.notes.as_str()),
            ])
            .with_errors(actor.language(), &errors);
            detail_view(&app, &actor, id, state, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Template)]
#[template(path = "communications.html")]
struct RegisterPage {
    ctx: Ctx,
    rows: Vec<CommunicationRow>,
    pager: Pager,
    can_manage: bool,
    organizations: Vec<(i64, String)>,
    files: Vec<(i64, String)>,
    assessments: Vec<(i64, String)>,
    form: FormState,
}

async fn register_view(
    app: &AppState,
    actor: &Actor,
    offset: i64,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = store::communications(
        &app.store,
        scope(actor, Permission::PrivacyGovernanceRead),
        &PageRequest {
            offset: offset.clamp(0, i64::MAX / 2),
            ..PageRequest::default()
        },
    )
    .await?;
    let can_manage = actor.can(Permission::PrivacyManage);
    let (organizations, files, assessments) = if can_manage {
        let manage = scope(actor, Permission::PrivacyManage);
        let organizations = crate::ui::org_choices(app, manage).await?;
        let (files, assessments) = store::communication_choices(&app.store, manage).await?;
        (organizations, files, assessments)
    } else {
        Default::default()
    };
    let ctx = page_ctx(app, actor, "/communications").await?;
    let pager = pager(ctx.lang, &page, "/communications", "");
    Ok(render(
        status,
        &RegisterPage {
            rows: page.items,
            pager,
            can_manage,
            organizations,
            files,
            assessments,
            form,
            ctx,
        },
    ))
}

pub async fn communications_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<PageParams>,
) -> Result<Response, AppError> {
    register_view(
        &app,
        &actor,
        p.offset.unwrap_or(0),
        FormState::new(&[]),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
pub struct CommunicationForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub file_id: String,
    #[serde(default)]
    pub communicated_on: String,
    #[serde(default)]
    pub nature: String,
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub outside_quebec: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub assessment_id: String,
}

pub async fn communication_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(f): Form<CommunicationForm>,
) -> Result<Response, AppError> {
    let input = CommunicationInput {
        org_id: f.org_id.clone(),
        file_id: f.file_id.clone(),
        communicated_on: f.communicated_on.clone(),
        nature: f.nature.clone(),
        recipient: f.recipient.clone(),
        purpose: f.purpose.clone(),
        outside_quebec: f.outside_quebec == "yes",
        reason: f.reason.clone(),
        assessment_id: f.assessment_id.clone(),
    };
    match store::record_communication(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        &input,
        today(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/communications").into_response()),
        Err(e) => {
            let errors = form_faults(e.into())?;
            let state = FormState::new(&[
                ("org_id", f.org_id.as_str()),
                ("file_id", f.file_id.as_str()),
                ("communicated_on", f.communicated_on.as_str()),
                ("nature", f.nature.as_str()),
                ("recipient", f.recipient.as_str()),
                ("purpose", f.purpose.as_str()),
                ("outside_quebec", f.outside_quebec.as_str()),
                ("reason", f.reason.as_str()),
                ("assessment_id", f.assessment_id.as_str()),
            ])
            .with_errors(actor.language(), &errors);
            register_view(&app, &actor, 0, state, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
