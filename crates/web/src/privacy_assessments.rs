//! Privacy impact assessments (PRP-02), pages and API: the register with the assets that need
//! one and lack it; starting one from a project, an asset or a new collection; its sections;
//! the committee's opinion at each stage; the decision; the risks and controls it relies on.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Form};
use rempart_domain::authz::Permission;
use rempart_domain::privacy_assessment::{
    AssessmentInput, DecisionInput, Factors, OpinionInput, Stage, Trigger,
};
use rempart_domain::FieldError;
use rempart_storage::list::PageRequest;
use rempart_storage::privacy_assessments::{
    self as store, AssessmentDetail, AssessmentRow, AssetNeed, LinkKind,
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
            "/api/v1/privacy-assessments",
            Needs(PrivacyGovernanceRead),
            get(api_list),
        )
        .post(
            "/api/v1/privacy-assessments",
            Needs(PrivacyManage),
            post(api_create),
        )
        .get(
            "/api/v1/privacy-assessments/needed",
            Needs(PrivacyGovernanceRead),
            get(api_needed),
        )
        .get(
            "/api/v1/privacy-assessments/{id}",
            Needs(PrivacyGovernanceRead),
            get(api_get),
        )
        .route(
            axum::http::Method::PUT,
            "/api/v1/privacy-assessments/{id}/sections",
            Needs(PrivacyManage),
            put(api_sections),
        )
        .post(
            "/api/v1/privacy-assessments/{id}/opinions",
            Needs(CommitteeOpinion),
            post(api_opinion),
        )
        .post(
            "/api/v1/privacy-assessments/{id}/decision",
            Needs(PrivacyManage),
            post(api_decision),
        )
        .post(
            "/api/v1/privacy-assessments/{id}/risks",
            Needs(PrivacyManage),
            post(api_link_risk),
        )
        .post(
            "/api/v1/privacy-assessments/{id}/controls",
            Needs(PrivacyManage),
            post(api_link_control),
        )
        .route(
            axum::http::Method::DELETE,
            "/api/v1/privacy-assessments/{id}/risks/{risk_id}",
            Needs(PrivacyManage),
            axum::routing::delete(api_unlink_risk),
        )
        .route(
            axum::http::Method::DELETE,
            "/api/v1/privacy-assessments/{id}/controls/{control_id}",
            Needs(PrivacyManage),
            axum::routing::delete(api_unlink_control),
        )
        .post(
            "/privacy-assessments/{id}/risks/{risk_id}/remove",
            Needs(PrivacyManage),
            post(unlink_risk_form),
        )
        .post(
            "/privacy-assessments/{id}/controls/{control_id}/remove",
            Needs(PrivacyManage),
            post(unlink_control_form),
        )
        .get(
            "/privacy-assessments",
            Needs(PrivacyGovernanceRead),
            get(list_page),
        )
        .post(
            "/privacy-assessments",
            Needs(PrivacyManage),
            post(create_form),
        )
        .get(
            "/privacy-assessments/{id}",
            Needs(PrivacyGovernanceRead),
            get(show_page),
        )
        .post(
            "/privacy-assessments/{id}/sections",
            Needs(PrivacyManage),
            post(sections_form),
        )
        .post(
            "/privacy-assessments/{id}/opinions",
            Needs(CommitteeOpinion),
            post(opinion_form),
        )
        .post(
            "/privacy-assessments/{id}/decision",
            Needs(PrivacyManage),
            post(decision_form),
        )
        .post(
            "/privacy-assessments/{id}/risks",
            Needs(PrivacyManage),
            post(risk_form),
        )
        .post(
            "/privacy-assessments/{id}/controls",
            Needs(PrivacyManage),
            post(control_form),
        )
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

fn today() -> chrono::NaiveDate {
    crate::time::today()
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AssessmentRowOut(pub AssessmentRow);

impl From<AssessmentRow> for AssessmentRowOut {
    fn from(r: AssessmentRow) -> Self {
        AssessmentRowOut(r)
    }
}

/// The privacy impact assessments the caller reads, latest first.
#[utoipa::path(get, path = "/api/v1/privacy-assessments", params(crate::api::LimitOffset), tag = "privacy",
    responses((status = 200, body = PageOut<AssessmentRowOut>)))]
pub async fn api_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<crate::api::LimitOffset>,
) -> Result<Json<PageOut<AssessmentRowOut>>, AppError> {
    let page = crate::api::paging::<()>(p.limit, p.offset, None, None, |_| Some(()))?;
    let page = store::list(
        &app.store,
        scope(&actor, Permission::PrivacyGovernanceRead),
        &page,
    )
    .await?;
    Ok(Json(page_out(page)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssessmentIn {
    /// `{"org_id": "7", "title": …, "trigger": "project" | "asset" | "collection",
    /// "project_id": "12", "asset_id": "", "collection": "", "outside_quebec": false}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub input: AssessmentInput,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: i64,
    pub reference: String,
}

/// Starts an assessment from a project, an asset holding personal information, or a new
/// collection.
#[utoipa::path(post, path = "/api/v1/privacy-assessments", request_body = AssessmentIn,
    tag = "privacy",
    responses((status = 201, body = CreatedOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn api_create(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<AssessmentIn>,
) -> Result<Response, AppError> {
    let (id, reference) = store::create(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        &input.input,
        today(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id, reference })).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct NeededOut(pub Vec<AssetNeed>);

/// The assets that hold personal information outside Québec and have no assessment under
/// way or approved (art. 70.1).
#[utoipa::path(get, path = "/api/v1/privacy-assessments/needed", tag = "privacy",
    responses((status = 200, body = NeededOut)))]
pub async fn api_needed(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Json<NeededOut>, AppError> {
    Ok(Json(NeededOut(
        store::assets_needing(&app.store, scope(&actor, Permission::PrivacyGovernanceRead)).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AssessmentOut(pub AssessmentDetail);

/// One assessment: its sections, the sections a decision still needs, the committee's
/// opinions, the decision, the linked risks and controls.
#[utoipa::path(get, path = "/api/v1/privacy-assessments/{id}", tag = "privacy",
    responses((status = 200, body = AssessmentOut), (status = 404, body = ErrorBody)))]
pub async fn api_get(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<AssessmentOut>, AppError> {
    Ok(Json(AssessmentOut(
        store::get(
            &app.store,
            scope(&actor, Permission::PrivacyGovernanceRead),
            id,
        )
        .await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SectionsIn {
    /// Every section, as text (`sensitivity`: `low`, `medium`, `high` or empty; `adequate`:
    /// `yes`, `no` or empty); blanks are kept until the decision.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub factors: Factors,
}

/// Saves the sections while the assessment is open.
#[utoipa::path(put, path = "/api/v1/privacy-assessments/{id}/sections", request_body = SectionsIn,
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_sections(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<SectionsIn>,
) -> Result<StatusCode, AppError> {
    store::save_factors(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &input.factors,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OpinionIn {
    /// `{"stage": "outset" | "design" | "development" | "deployment", "given_on":
    /// "2026-06-02", "opinion": …, "measures": …}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub input: OpinionInput,
}

/// Records the committee's opinion at a stage: the first at the outset, stages in order.
#[utoipa::path(post, path = "/api/v1/privacy-assessments/{id}/opinions", request_body = OpinionIn,
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_opinion(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<OpinionIn>,
) -> Result<StatusCode, AppError> {
    store::record_opinion(
        &app.store,
        scope(&actor, Permission::CommitteeOpinion),
        audit_context(&actor, &headers),
        id,
        &input.input,
        today(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionIn {
    /// `{"decision": "approved" | "approved_with_conditions" | "refused", "decided_on":
    /// "2026-06-29", "text": …}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub input: DecisionInput,
}

/// Records the decision, which closes the assessment. An approval needs every section and,
/// outside Québec, adequate protection and the written agreement (art. 70.1).
#[utoipa::path(post, path = "/api/v1/privacy-assessments/{id}/decision", request_body = DecisionIn,
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_decision(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<DecisionIn>,
) -> Result<StatusCode, AppError> {
    store::decide(
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
pub struct RiskLinkIn {
    pub risk_id: i64,
}

/// Links a risk of the assessment's organization (or below it).
#[utoipa::path(post, path = "/api/v1/privacy-assessments/{id}/risks", request_body = RiskLinkIn,
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_link_risk(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<RiskLinkIn>,
) -> Result<StatusCode, AppError> {
    store::link_risk(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        input.risk_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ControlLinkIn {
    /// The control's key in a catalogue the organization uses (`ac-2`).
    pub control_key: String,
}

/// Links a control, by its key, from a catalogue the assessment's organization uses.
#[utoipa::path(post, path = "/api/v1/privacy-assessments/{id}/controls",
    request_body = ControlLinkIn, tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_link_control(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<ControlLinkIn>,
) -> Result<StatusCode, AppError> {
    store::link_control(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &input.control_key,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unlink(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    id: i64,
    kind: LinkKind,
    other: i64,
) -> Result<(), AppError> {
    Ok(store::unlink(
        &app.store,
        scope(actor, Permission::PrivacyManage),
        audit_context(actor, headers),
        id,
        kind,
        other,
    )
    .await?)
}

/// Removes a risk linked in error, while the assessment is open.
#[utoipa::path(delete, path = "/api/v1/privacy-assessments/{id}/risks/{risk_id}", tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_unlink_risk(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, risk)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    unlink(&app, &actor, &headers, id, LinkKind::Risk, risk).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a control linked in error, while the assessment is open.
#[utoipa::path(delete, path = "/api/v1/privacy-assessments/{id}/controls/{control_id}",
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_unlink_control(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, control)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    unlink(&app, &actor, &headers, id, LinkKind::Control, control).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Pages -------------------------------------------------------------------------------

/// What a new assessment may start from, for its form.
#[derive(Default)]
struct Origins {
    organizations: Vec<(i64, String)>,
    projects: Vec<(i64, String)>,
    assets: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "privacy_assessments.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<(AssessmentRow, String)>,
    pager: Pager,
    needed: Vec<AssetNeed>,
    can_manage: bool,
    origins: Origins,
    triggers: Vec<(&'static str, String)>,
    form: FormState,
}

#[derive(Debug, Deserialize, Default)]
pub struct PageParams {
    pub offset: Option<i64>,
    /// Prefills the new assessment's form from an asset's or a project's page.
    pub asset: Option<i64>,
    pub project: Option<i64>,
}

fn status_label(ctx: &Ctx, r: &AssessmentRow) -> String {
    decision_label(ctx, r.decision.as_deref())
}

/// Where an assessment stands, in words: its decision, or under way.
pub(crate) fn decision_label(ctx: &Ctx, decision: Option<&str>) -> String {
    match decision {
        Some(d) => ctx.t(&format!("pia-decision-{}", d.replace('_', "-"))),
        None => ctx.t("pia-status-open"),
    }
}

async fn list_view(
    app: &AppState,
    actor: &Actor,
    offset: i64,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let read = scope(actor, Permission::PrivacyGovernanceRead);
    let page = store::list(
        &app.store,
        read,
        &PageRequest {
            offset: offset.clamp(0, i64::MAX / 2),
            ..PageRequest::default()
        },
    )
    .await?;
    let needed = store::assets_needing(&app.store, read).await?;
    let can_manage = actor.can(Permission::PrivacyManage);
    let origins = if can_manage {
        let manage = scope(actor, Permission::PrivacyManage);
        Origins {
            organizations: crate::ui::org_choices(app, manage).await?,
            projects: store::projects_managed(&app.store, manage).await?,
            assets: store::personal_info_assets(&app.store, manage).await?,
        }
    } else {
        Origins::default()
    };
    let ctx = page_ctx(app, actor, "/privacy-assessments").await?;
    let pager = pager(ctx.lang, &page, "/privacy-assessments", "");
    let rows = page
        .items
        .into_iter()
        .map(|r| {
            let s = status_label(&ctx, &r);
            (r, s)
        })
        .collect();
    let triggers = Trigger::ALL
        .iter()
        .map(|t| (t.as_str(), ctx.t(&format!("pia-trigger-{}", t.as_str()))))
        .collect();
    Ok(render(
        status,
        &ListPage {
            rows,
            pager,
            needed,
            can_manage,
            origins,
            triggers,
            form,
            ctx,
        },
    ))
}

pub async fn list_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<PageParams>,
) -> Result<Response, AppError> {
    let asset = p.asset.map(|a| a.to_string()).unwrap_or_default();
    let project = p.project.map(|a| a.to_string()).unwrap_or_default();
    let trigger = if !asset.is_empty() {
        "asset"
    } else if !project.is_empty() {
        "project"
    } else {
        ""
    };
    let form = FormState::new(&[
        ("trigger", trigger),
        ("asset_id", &asset),
        ("project_id", &project),
    ]);
    list_view(&app, &actor, p.offset.unwrap_or(0), form, StatusCode::OK).await
}

#[derive(Debug, Deserialize, Default)]
pub struct NewForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub trigger: String,
    #[serde(default)]
    pub project_id: String,
    #[serde(default)]
    pub asset_id: String,
    #[serde(default)]
    pub collection: String,
    #[serde(default)]
    pub outside_quebec: String,
}

pub async fn create_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<NewForm>,
) -> Result<Response, AppError> {
    let input = AssessmentInput {
        org_id: form.org_id.clone(),
        title: form.title.clone(),
        trigger: form.trigger.clone(),
        project_id: form.project_id.clone(),
        asset_id: form.asset_id.clone(),
        collection: form.collection.clone(),
        outside_quebec: form.outside_quebec == "yes",
    };
    match store::create(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        &input,
        today(),
    )
    .await
    {
        Ok((id, _)) => Ok(Redirect::to(&format!("/privacy-assessments/{id}")).into_response()),
        Err(e) => match AppError::from(e) {
            AppError::Invalid(errors) => {
                let state = FormState::new(&[
                    ("org_id", form.org_id.as_str()),
                    ("title", form.title.as_str()),
                    ("trigger", form.trigger.as_str()),
                    ("project_id", form.project_id.as_str()),
                    ("asset_id", form.asset_id.as_str()),
                    ("collection", form.collection.as_str()),
                    ("outside_quebec", form.outside_quebec.as_str()),
                ])
                .with_errors(actor.language(), &errors);
                list_view(&app, &actor, 0, state, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            other => Err(other),
        },
    }
}

/// A text section of the form: its field, its label key, its hint key.
pub struct Section {
    pub field: &'static str,
    pub value: String,
    pub missing: bool,
}

#[derive(Template)]
#[template(path = "privacy_assessment.html")]
struct DetailPage {
    ctx: Ctx,
    d: AssessmentDetail,
    status: String,
    trigger: String,
    /// The factor sections, in the law's order (art. 63.5), then those of art. 70.1.
    sections: Vec<Section>,
    abroad: Vec<Section>,
    sensitivity: String,
    levels: Vec<(&'static str, String)>,
    adequate: String,
    can_manage: bool,
    can_opine: bool,
    open: bool,
    stages: Vec<(&'static str, String)>,
    decisions: Vec<(&'static str, String)>,
    opinions: Vec<(String, String, String, String, String)>,
    risk_choices: Vec<(i64, String)>,
    /// The failed form's values and errors.
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
    )
    .await?;
    let ctx = page_ctx(app, actor, "/privacy-assessments").await?;
    let allowed = |p| crate::risk_method_ui::allowed_in(app, actor, p, d.row.org_id);
    let can_manage = allowed(Permission::PrivacyManage).await?;
    let can_opine = allowed(Permission::CommitteeOpinion).await?;
    // A failed sections form shows what was typed; otherwise what is saved.
    let typed = form.has_errors() && form.is("form", "sections");
    let value = |field: &str, saved: &str| {
        if typed {
            form.value(field)
        } else {
            saved.to_owned()
        }
    };
    let f = &d.factors;
    let section = |field: &'static str, saved: &str| Section {
        field,
        value: value(field, saved),
        missing: d.missing.contains(&field),
    };
    let sections = vec![
        section("sensitivity_notes", &f.sensitivity_notes),
        section("purposes", &f.purposes),
        section("quantity", &f.quantity),
        section("distribution", &f.distribution),
        section("medium", &f.medium),
        section("protection_measures", &f.protection_measures),
    ];
    let abroad = vec![
        section("contractual_measures", &f.contractual_measures),
        section("jurisdiction", &f.jurisdiction),
        section("jurisdiction_framework", &f.jurisdiction_framework),
        section("written_agreement", &f.written_agreement),
    ];
    let risk_choices = if can_manage && d.row.status == "open" {
        store::risk_choices(&app.store, scope(actor, Permission::RiskRead), d.row.org_id).await?
    } else {
        Vec::new()
    };
    let opinions = d
        .opinions
        .iter()
        .map(|o| {
            (
                o.given_on.to_string(),
                ctx.t(&format!("pia-stage-{}", o.stage)),
                o.opinion.clone(),
                o.measures.clone(),
                o.person_name.clone().unwrap_or_default(),
            )
        })
        .collect();
    Ok(render(
        status,
        &DetailPage {
            status: status_label(&ctx, &d.row),
            trigger: ctx.t(&format!("pia-trigger-{}", d.row.trigger)),
            sensitivity: value("sensitivity", &f.sensitivity),
            levels: crate::personal_info_files::levels(&ctx),
            adequate: value("adequate", &f.adequate),
            sections,
            abroad,
            can_manage,
            can_opine,
            open: d.row.status == "open",
            stages: Stage::ALL
                .iter()
                .map(|s| (s.as_str(), ctx.t(&format!("pia-stage-{}", s.as_str()))))
                .collect(),
            decisions: rempart_domain::privacy_assessment::Decision::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str(),
                        ctx.t(&format!("pia-decision-{}", s.as_str().replace('_', "-"))),
                    )
                })
                .collect(),
            opinions,
            risk_choices,
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

/// After a form: back to the page, or the page again with the form's values and its faults.
async fn after(
    app: &AppState,
    actor: &Actor,
    id: i64,
    which: &str,
    values: &[(&str, &str)],
    result: Result<(), AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/privacy-assessments/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut all = vec![("form", which)];
            all.extend_from_slice(values);
            let state = FormState::new(&all).with_errors(actor.language(), &errors);
            detail_view(app, actor, id, state, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other),
    }
}

pub async fn sections_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Factors>,
) -> Result<Response, AppError> {
    let result = store::save_factors(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &f,
    )
    .await
    .map_err(AppError::from);
    after(
        &app,
        &actor,
        id,
        "sections",
        &[
            ("sensitivity", &f.sensitivity),
            ("sensitivity_notes", &f.sensitivity_notes),
            ("purposes", &f.purposes),
            ("quantity", &f.quantity),
            ("distribution", &f.distribution),
            ("medium", &f.medium),
            ("protection_measures", &f.protection_measures),
            ("contractual_measures", &f.contractual_measures),
            ("jurisdiction", &f.jurisdiction),
            ("jurisdiction_framework", &f.jurisdiction_framework),
            ("adequate", &f.adequate),
            ("written_agreement", &f.written_agreement),
        ],
        result,
    )
    .await
}

pub async fn opinion_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(o): Form<OpinionInput>,
) -> Result<Response, AppError> {
    let result = store::record_opinion(
        &app.store,
        scope(&actor, Permission::CommitteeOpinion),
        audit_context(&actor, &headers),
        id,
        &o,
        today(),
    )
    .await
    .map_err(AppError::from);
    after(
        &app,
        &actor,
        id,
        "opinion",
        &[
            ("stage", &o.stage),
            ("given_on", &o.given_on),
            ("opinion", &o.opinion),
            ("measures", &o.measures),
        ],
        result,
    )
    .await
}

pub async fn decision_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(dec): Form<DecisionInput>,
) -> Result<Response, AppError> {
    let result = store::decide(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &dec,
        today(),
    )
    .await
    .map_err(AppError::from);
    after(
        &app,
        &actor,
        id,
        "decision",
        &[
            ("decision", &dec.decision),
            ("decided_on", &dec.decided_on),
            ("text", &dec.text),
        ],
        result,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
pub struct LinkForm {
    #[serde(default)]
    pub risk_id: String,
    #[serde(default)]
    pub control_key: String,
}

pub async fn risk_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(l): Form<LinkForm>,
) -> Result<Response, AppError> {
    let result = match l.risk_id.trim().parse::<i64>() {
        Ok(risk) => store::link_risk(
            &app.store,
            scope(&actor, Permission::PrivacyManage),
            audit_context(&actor, &headers),
            id,
            risk,
        )
        .await
        .map_err(AppError::from),
        Err(_) => Err(AppError::Invalid(vec![FieldError::new(
            "risk_id",
            "error-choice",
        )])),
    };
    after(&app, &actor, id, "risk", &[("risk_id", &l.risk_id)], result).await
}

pub async fn unlink_risk_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, risk)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let result = unlink(&app, &actor, &headers, id, LinkKind::Risk, risk).await;
    after(&app, &actor, id, "risk", &[], result).await
}

pub async fn unlink_control_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, control)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let result = unlink(&app, &actor, &headers, id, LinkKind::Control, control).await;
    after(&app, &actor, id, "control", &[], result).await
}

pub async fn control_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(l): Form<LinkForm>,
) -> Result<Response, AppError> {
    let result = store::link_control(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        &l.control_key,
    )
    .await
    .map(|_| ())
    .map_err(AppError::from);
    after(
        &app,
        &actor,
        id,
        "control",
        &[("control_key", &l.control_key)],
        result,
    )
    .await
}
