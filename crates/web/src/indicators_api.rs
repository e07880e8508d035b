//! Risk-management indicators and projects in the JSON API (RISK-06).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use rempart_domain::authz::Permission;
use rempart_domain::indicator::ProjectInput;
use rempart_storage::indicators::{self, Indicators, ProjectRow};
use rempart_storage::scope::Scope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::ui::audit_context;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgParams {
    /// The organization looked from (its public bodies, or itself when it is one); the active
    /// one by default.
    pub org_id: Option<i64>,
}

fn org_of(actor: &Actor, asked: Option<i64>) -> Result<i64, AppError> {
    asked
        .or(actor.session.active_org_id)
        .or_else(|| actor.grants.first().map(|g| g.org.0))
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorsOut {
    #[schema(value_type = Vec<Object>)]
    pub bodies: Vec<Indicators>,
    #[schema(value_type = Object)]
    pub total: Indicators,
}

/// Per public body and in total: risks above threshold, overdue treatment actions, assets
/// classified and reviewed in the last twelve months, projects assessed before go-live.
#[utoipa::path(get, path = "/api/v1/risks/indicators", params(OrgParams), tag = "risks",
    responses((status = 200, body = IndicatorsOut), (status = 404, body = ErrorBody)))]
pub async fn get_indicators(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<OrgParams>,
) -> Result<Json<IndicatorsOut>, AppError> {
    let org = org_of(&actor, p.org_id)?;
    let (bodies, total) = indicators::indicators(
        &app.store,
        Scope::new(actor.person.id, Permission::RiskRead),
        org,
        crate::time::today(),
    )
    .await?;
    Ok(Json(IndicatorsOut { bodies, total }))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ProjectOut(pub ProjectRow);

#[utoipa::path(get, path = "/api/v1/projects", params(OrgParams), tag = "risks",
    responses((status = 200, body = Vec<ProjectOut>), (status = 404, body = ErrorBody)))]
pub async fn list_projects(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<OrgParams>,
) -> Result<Json<Vec<ProjectOut>>, AppError> {
    let org = org_of(&actor, p.org_id)?;
    let rows = indicators::projects(
        &app.store,
        Scope::new(actor.person.id, Permission::RiskRead),
        org,
        crate::time::today(),
    )
    .await?;
    Ok(Json(rows.into_iter().map(ProjectOut).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectIn {
    pub org_id: i64,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `AAAA-MM-JJ`.
    pub go_live_on: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectCreated {
    pub id: i64,
}

/// Records a project whose risks are to be assessed before it goes live.
#[utoipa::path(post, path = "/api/v1/projects", request_body = ProjectIn, tag = "risks",
    responses((status = 201, body = ProjectCreated), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_project(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<ProjectIn>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let id = indicators::create_project(
        &mut w,
        Scope::new(actor.person.id, Permission::RiskManage),
        ProjectInput {
            org_id: input.org_id,
            name: input.name,
            description: input.description,
            go_live_on: input.go_live_on,
        },
    )
    .await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(ProjectCreated { id })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectRiskIn {
    pub risk_id: i64,
}

/// Records that a risk assesses the project (the project counts as assessed before go-live
/// when its earliest such risk was recorded by then).
#[utoipa::path(post, path = "/api/v1/projects/{id}/risks", request_body = ProjectRiskIn,
    tag = "risks", responses((status = 204), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn link_risk(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<ProjectRiskIn>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    indicators::link_risk(
        &mut w,
        Scope::new(actor.person.id, Permission::RiskManage),
        id,
        input.risk_id,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
