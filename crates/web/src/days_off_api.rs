//! The days an organization adds to the legal calendar, by API (issue 9): read (with those
//! inherited from the organizations above) and replaced as a whole list by those who manage the
//! organization.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::Extension;
use rempart_domain::authz::Permission;
use rempart_storage::days_off::{self, OrgDayOff};
use rempart_storage::scope::Scope;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path};
use crate::policy::{Policy, Routes};
use crate::ui::audit_context;
use crate::AppState;

pub fn routes(routes: Routes) -> Routes {
    use Permission::{OrgManage, OrgRead};
    use Policy::Needs;
    routes
        .get(
            "/api/v1/organizations/{id}/days-off",
            Needs(OrgRead),
            get(list),
        )
        .route(
            axum::http::Method::PUT,
            "/api/v1/organizations/{id}/days-off",
            Needs(OrgManage),
            axum::routing::put(replace),
        )
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct DayOffOut(pub OrgDayOff);

#[derive(Debug, Deserialize, ToSchema)]
pub struct DayOffIn {
    /// YYYY-MM-DD.
    pub day: String,
    /// Why the organization is closed that day (at most 200 characters).
    pub reason: String,
}

/// The days off that apply to an organization: its own and those of the organizations above
/// it (a ministry's closure holds for its units), in date order. No deadline of the access law
/// ends on them.
#[utoipa::path(get, path = "/api/v1/organizations/{id}/days-off", tag = "deadlines",
    responses((status = 200, body = [DayOffOut]), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DayOffOut>>, AppError> {
    let days = days_off::effective(&app.store, scope(&actor, Permission::OrgRead), id).await?;
    Ok(Json(days.into_iter().map(DayOffOut).collect()))
}

/// Replaces the days an organization adds (at most 400, each a date and a reason, no date
/// twice); faults are named by position (`days[2].day`). Audited.
#[utoipa::path(put, path = "/api/v1/organizations/{id}/days-off", request_body = [DayOffIn],
    tag = "deadlines",
    responses((status = 200, body = [DayOffOut]), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn replace(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<Vec<DayOffIn>>,
) -> Result<Json<Vec<DayOffOut>>, AppError> {
    let entries: Vec<(String, String)> = input.into_iter().map(|d| (d.day, d.reason)).collect();
    let days = days_off::set(
        &app.store,
        scope(&actor, Permission::OrgManage),
        audit_context(&actor, &headers),
        id,
        &entries,
    )
    .await?;
    Ok(Json(days.into_iter().map(DayOffOut).collect()))
}
