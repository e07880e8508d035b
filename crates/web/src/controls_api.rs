//! Control catalogues in the JSON API (CTRL-01, CTRL-02): import an OSCAL catalog or profile,
//! list what the caller may use, browse a catalog's controls (with where an organization
//! stands on each), and record that standing.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use rempart_domain::authz::Permission;
use rempart_domain::FieldError;
use rempart_storage::controls::{
    self, CatalogRow, ControlFilter, ControlRow, ImplementationStatus,
};
use rempart_storage::scope::Scope;
use rempart_storage::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::PageOut;
use crate::auth::Actor;
use crate::controls::ImportFault;
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::ui::audit_context;
use crate::AppState;

/// The largest OSCAL document accepted by the API (SP 800-53 rev. 5 is 3.1 MiB).
pub const MAX_DOCUMENT: usize = 16 * 1024 * 1024;

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct CatalogOut(pub CatalogRow);

#[utoipa::path(get, path = "/api/v1/control-catalogs", tag = "controls",
    responses((status = 200, body = Vec<CatalogOut>)))]
pub async fn list_catalogs(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Json<Vec<CatalogOut>>, AppError> {
    let rows = controls::catalogs(
        &app.store,
        Scope::new(actor.person.id, Permission::ControlRead),
    )
    .await?;
    Ok(Json(rows.into_iter().map(CatalogOut).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The organization that imports it, for itself and those below it.
    pub org_id: i64,
    /// For a profile: the catalog to resolve it against (by default the latest one imported
    /// for the organization or above it).
    pub catalog_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ImportOut(pub crate::controls::Outcome);

/// Imports an OSCAL JSON catalog or profile (the document is the request body). The same
/// file imported again changes nothing (`unchanged`).
#[utoipa::path(post, path = "/api/v1/control-catalogs", params(ImportParams), tag = "controls",
    request_body(content = Object, content_type = "application/json"),
    responses((status = 201, body = ImportOut), (status = 200, body = ImportOut),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_catalog(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Query(p): Query<ImportParams>,
    body: Bytes,
) -> Result<Response, AppError> {
    let outcome = crate::controls::import(
        &app.store,
        audit_context(&actor, &headers),
        Scope::new(actor.person.id, Permission::ControlManage),
        p.org_id,
        Some(actor.person.id),
        &body,
        p.catalog_id,
    )
    .await
    .map_err(|e| match e {
        ImportFault::Store(StoreError::Invalid(v)) => AppError::Invalid(v.0),
        ImportFault::Store(StoreError::NotFound) => AppError::NotFound,
        ImportFault::Store(StoreError::Conflict { field }) => AppError::Conflict(field),
        ImportFault::Store(other) => AppError::from(other),
        other => AppError::BadRequest(other.message(actor.language())),
    })?;
    let status = if outcome.imported.unchanged {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(ImportOut(outcome))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ControlParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Text in the label, title or statement.
    pub q: Option<String>,
    /// A group of the catalog (`ac`).
    pub group: Option<String>,
    pub include_withdrawn: Option<bool>,
    /// Show where this organization stands on each control.
    pub org_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ControlOut(pub ControlRow);

impl From<ControlRow> for ControlOut {
    fn from(row: ControlRow) -> Self {
        ControlOut(row)
    }
}

/// The controls of a catalog, or those a profile selects, in the catalog's order.
#[utoipa::path(get, path = "/api/v1/control-catalogs/{id}/controls", params(ControlParams),
    tag = "controls", responses((status = 200, body = PageOut<ControlOut>),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_controls(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    Query(p): Query<ControlParams>,
) -> Result<Json<PageOut<ControlOut>>, AppError> {
    let limit = p.limit.unwrap_or(rempart_storage::list::DEFAULT_LIMIT);
    let offset = p.offset.unwrap_or(0);
    let mut errors = Vec::new();
    if !(1..=2000).contains(&limit) {
        errors.push(FieldError::with_limit("limit", "error-choice", 2000));
    }
    if offset < 0 {
        errors.push(FieldError::new("offset", "error-number"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (items, total) = controls::controls(
        &app.store,
        Scope::new(actor.person.id, Permission::ControlRead),
        id,
        &ControlFilter {
            text: p.q,
            group_key: p.group,
            include_withdrawn: p.include_withdrawn.unwrap_or(false),
            status_of: p.org_id,
        },
        limit,
        offset,
    )
    .await?;
    Ok(Json(PageOut {
        items: items.into_iter().map(ControlOut).collect(),
        total,
        limit,
        offset,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    pub control_id: i64,
    /// `not_implemented`, `planned`, `partial`, `implemented` or `not_applicable`.
    pub status: String,
    #[serde(default)]
    pub note: String,
}

/// Records where an organization stands on a control (CTRL-02).
#[utoipa::path(put, path = "/api/v1/organizations/{id}/control-status", request_body = StatusIn,
    tag = "controls", responses((status = 204), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_status(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<StatusIn>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let scope = Scope::new(actor.person.id, Permission::ControlManage);
    // Another body's organization is not found before the input is judged.
    let status = ImplementationStatus::parse(&input.status);
    let result = match status {
        Some(status) => {
            controls::set_status(
                &mut w,
                scope,
                id,
                input.control_id,
                status,
                &input.note,
                Some(actor.person.id),
            )
            .await
        }
        None => Err(controls::check_manage(&mut w, scope, id)
            .await
            .err()
            .unwrap_or_else(|| {
                StoreError::Invalid(rempart_domain::ValidationErrors::single(FieldError::new(
                    "status",
                    "error-choice",
                )))
            })),
    };
    result?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetControlIn {
    pub control_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AssetControlOut(pub controls::AssetControl);

/// The controls that protect an asset, with where its organization stands on each.
#[utoipa::path(get, path = "/api/v1/assets/{id}/controls", tag = "controls",
    responses((status = 200, body = Vec<AssetControlOut>), (status = 404, body = ErrorBody)))]
pub async fn asset_controls(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<AssetControlOut>>, AppError> {
    let rows = controls::asset_controls(
        &app.store,
        Scope::new(actor.person.id, Permission::AssetRead),
        id,
    )
    .await?;
    Ok(Json(rows.into_iter().map(AssetControlOut).collect()))
}

async fn set_asset_control(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    id: i64,
    control_id: i64,
    link: bool,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(actor, headers)).await?;
    controls::set_asset_control(
        &mut w,
        Scope::new(actor.person.id, Permission::AssetManage),
        id,
        control_id,
        link,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Links a control of a catalog imported for the asset's organization (or above) to the asset.
#[utoipa::path(post, path = "/api/v1/assets/{id}/controls", request_body = AssetControlIn,
    tag = "controls", responses((status = 204), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn link_asset_control(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<AssetControlIn>,
) -> Result<Response, AppError> {
    set_asset_control(&app, &actor, &headers, id, input.control_id, true).await
}

#[utoipa::path(delete, path = "/api/v1/assets/{id}/controls", request_body = AssetControlIn,
    tag = "controls", responses((status = 204), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn unlink_asset_control(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<AssetControlIn>,
) -> Result<Response, AppError> {
    set_asset_control(&app, &actor, &headers, id, input.control_id, false).await
}
