//! The inventory and the authority register in the JSON API (ASSET-01, ASSET-02, REG-01,
//! REG-02): the same rules and scope as the pages, for scripts and other tools.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use rempart_domain::asset::{AssetDraft, AssetKind};
use rempart_domain::authz::Permission;
use rempart_domain::classification::{flags, AssetFlag, Dic, Scale, ScaleLevel};
use rempart_domain::FieldError;
use rempart_storage::assets::{self, Asset, AssetFilter, AssetSort, BodyCounts, Related};
use rempart_storage::register::{self, Conflict, Designation, HolderRow, Vacancies};
use rempart_storage::scope::Scope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{optional_choice, page_out, paging, PageOut};
use crate::assets_ui::{manage_scope, read_scope};
use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::ui::audit_context;
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AssetOut {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// `information_bank`, `information_system`, `telecom_network`,
    /// `technological_infrastructure`, `medical_equipment_component` or `paper_media`.
    pub kind: String,
    pub name: String,
    pub description: String,
    pub holder_id: i64,
    pub holder_name: String,
    pub holder_designated: bool,
    /// `own_data_centre`, `government_cloud`, `external_cloud` or `premises`.
    pub hosting: String,
    pub hosting_provider: String,
    pub hosting_locations: Vec<String>,
    pub outside_quebec: bool,
    pub personal_info: bool,
    pub sensitive_info: bool,
    pub end_of_support: Option<String>,
    pub retention_rule: String,
    pub availability: Option<i64>,
    pub integrity: Option<i64>,
    pub confidentiality: Option<i64>,
    pub classified_on: Option<String>,
    pub review_due: Option<String>,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl From<Asset> for AssetOut {
    fn from(a: Asset) -> Self {
        Self {
            id: a.id,
            org_id: a.org_id,
            org_name: a.org_name,
            kind: a.kind,
            name: a.name,
            description: a.description,
            holder_id: a.holder_id,
            holder_name: a.holder_name,
            holder_designated: a.holder_designated,
            hosting: a.hosting,
            hosting_provider: a.hosting_provider,
            hosting_locations: a.hosting_locations,
            outside_quebec: a.outside_quebec,
            personal_info: a.personal_info,
            sensitive_info: a.sensitive_info,
            end_of_support: a.end_of_support,
            retention_rule: a.retention_rule,
            availability: a.availability,
            integrity: a.integrity,
            confidentiality: a.confidentiality,
            classified_on: a.classified_on,
            review_due: a.review_due,
            archived: a.archived_at.is_some(),
            created_at: crate::time::iso(a.created_at),
            updated_at: crate::time::iso(a.updated_at),
            version: a.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetListParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `name`, `kind`, `organization`, `review_due` or `updated`.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    /// Text in the name or description.
    pub q: Option<String>,
    pub kind: Option<String>,
    /// Only this organization and its subtree.
    pub within: Option<i64>,
    pub holder_id: Option<i64>,
    /// `unclassified`, `review_overdue`, `past_end_of_support`, `outside_quebec`,
    /// `personal_info` or `without_holder`.
    pub flag: Option<String>,
    pub include_archived: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/assets", params(AssetListParams), tag = "assets",
    responses((status = 200, body = PageOut<AssetOut>), (status = 422, body = ErrorBody)))]
pub async fn list_assets(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<AssetListParams>,
) -> Result<Response, AppError> {
    let page = paging(
        p.limit,
        p.offset,
        p.sort.as_deref(),
        p.order.as_deref(),
        AssetSort::parse,
    )?;
    let kind = optional_choice("kind", p.kind.as_deref(), |k| {
        AssetKind::parse("kind", k).ok()
    })?;
    let filter = AssetFilter {
        text: p.q,
        kind,
        within: p.within,
        holder_id: p.holder_id,
        include_archived: p.include_archived.unwrap_or(false),
        ..AssetFilter::default()
    }
    .with_flag(p.flag.as_deref().unwrap_or(""))
    .ok_or_else(|| AppError::Invalid(vec![FieldError::new("flag", "error-choice")]))?;
    let result = assets::list(
        &app.store,
        read_scope(&actor),
        &filter,
        crate::time::today(),
        &page,
    )
    .await?;
    Ok(Json(page_out::<_, AssetOut>(result)).into_response())
}

/// An asset as sent to create or replace it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetIn {
    pub org_id: i64,
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub holder_id: i64,
    pub hosting: String,
    #[serde(default)]
    pub hosting_provider: String,
    #[serde(default)]
    pub hosting_locations: Vec<String>,
    #[serde(default)]
    pub outside_quebec: bool,
    #[serde(default)]
    pub personal_info: bool,
    #[serde(default)]
    pub sensitive_info: bool,
    /// `YYYY-MM-DD`.
    pub end_of_support: Option<String>,
    #[serde(default)]
    pub retention_rule: String,
    /// Host names, addresses, ranges, FQDNs, CPE names, package URLs; `kind:value` forces
    /// the kind.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// For a replacement: the version read, so that a concurrent change is not lost.
    pub version: Option<i64>,
}

impl AssetIn {
    fn draft(&self) -> AssetDraft {
        AssetDraft {
            org_id: self.org_id,
            kind: self.kind.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            holder_id: self.holder_id,
            hosting: self.hosting.clone(),
            hosting_provider: self.hosting_provider.clone(),
            hosting_locations: self.hosting_locations.join("\n"),
            outside_quebec: self.outside_quebec,
            personal_info: self.personal_info,
            sensitive_info: self.sensitive_info,
            end_of_support: self.end_of_support.clone().unwrap_or_default(),
            retention_rule: self.retention_rule.clone(),
            identifiers: self.identifiers.join("\n"),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/assets", request_body = AssetIn, tag = "assets",
    responses((status = 201, body = AssetOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_asset(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<AssetIn>,
) -> Result<Response, AppError> {
    let parsed = input.draft().parse().map_err(|e| AppError::Invalid(e.0))?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let id = assets::create(&mut w, manage_scope(&actor), parsed).await?;
    w.commit().await?;
    let asset = assets::get(&app.store, read_scope(&actor), id).await?;
    Ok((StatusCode::CREATED, Json(AssetOut::from(asset))).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedOut {
    pub id: i64,
    pub name: String,
    pub org_name: String,
    pub availability: Option<i64>,
    pub integrity: Option<i64>,
    pub confidentiality: Option<i64>,
}

impl From<Related> for RelatedOut {
    fn from(r: Related) -> Self {
        Self {
            id: r.id,
            name: r.name,
            org_name: r.org_name,
            availability: r.availability,
            integrity: r.integrity,
            confidentiality: r.confidentiality,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssetDetailOut {
    #[serde(flatten)]
    pub asset: AssetOut,
    /// Normalized, as `kind:value`.
    pub identifiers: Vec<String>,
    /// What needs attention: `unclassified`, `review_overdue`, `component_lower`,
    /// `lower_than_dependent`, `outside_quebec_needs_pia`, `past_end_of_support`, `no_holder`,
    /// with their details.
    #[schema(value_type = Vec<Object>)]
    pub flags: Vec<AssetFlag>,
    /// What it runs on.
    pub components: Vec<RelatedOut>,
    /// What runs on it.
    pub dependents: Vec<RelatedOut>,
}

#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets",
    responses((status = 200, body = AssetDetailOut), (status = 404, body = ErrorBody)))]
pub async fn get_asset(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<AssetDetailOut>, AppError> {
    let scope = read_scope(&actor);
    let asset = assets::get(&app.store, scope, id).await?;
    let facts = assets::facts(&app.store, scope, &asset).await?;
    let identifiers = assets::identifiers(&app.store, id)
        .await?
        .iter()
        .map(|i| i.to_tagged())
        .collect();
    let components = assets::components(&app.store, scope, id).await?;
    let dependents = assets::dependents(&app.store, scope, id).await?;
    Ok(Json(AssetDetailOut {
        flags: flags(&facts, crate::time::today()),
        asset: asset.into(),
        identifiers,
        components: components.into_iter().map(Into::into).collect(),
        dependents: dependents.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(put, path = "/api/v1/assets/{id}", request_body = AssetIn, tag = "assets",
    responses((status = 200, body = AssetOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replace_asset(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<AssetIn>,
) -> Result<Response, AppError> {
    assets::get(&app.store, manage_scope(&actor), id).await?;
    let parsed = input.draft().parse().map_err(|e| AppError::Invalid(e.0))?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    assets::update(&mut w, manage_scope(&actor), id, input.version, parsed).await?;
    w.commit().await?;
    let asset = assets::get(&app.store, read_scope(&actor), id).await?;
    Ok(Json(AssetOut::from(asset)).into_response())
}

#[utoipa::path(post, path = "/api/v1/assets/{id}/archive", tag = "assets",
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn archive_asset(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    assets::archive(&mut w, manage_scope(&actor), id).await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DependencyIn {
    /// The asset this one runs on.
    pub depends_on_id: i64,
}

#[utoipa::path(post, path = "/api/v1/assets/{id}/dependencies", request_body = DependencyIn,
    tag = "assets", responses((status = 204), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_dependency(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<DependencyIn>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    assets::add_dependency(&mut w, manage_scope(&actor), id, input.depends_on_id).await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DependencyParams {
    /// The asset this one runs on.
    pub depends_on_id: Option<i64>,
}

#[utoipa::path(delete, path = "/api/v1/assets/{id}/dependencies", params(DependencyParams),
    tag = "assets", responses((status = 204), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn remove_dependency(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(p): Query<DependencyParams>,
) -> Result<Response, AppError> {
    assets::get(&app.store, manage_scope(&actor), id).await?;
    let on = p.depends_on_id.ok_or_else(|| {
        AppError::Invalid(vec![FieldError::new("depends_on_id", "error-required")])
    })?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    assets::remove_dependency(&mut w, manage_scope(&actor), id, on).await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassificationIn {
    pub availability: u8,
    pub integrity: u8,
    pub confidentiality: u8,
    #[serde(default)]
    pub justification: String,
}

#[utoipa::path(post, path = "/api/v1/assets/{id}/classification", request_body = ClassificationIn,
    tag = "assets", responses((status = 204), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn classify_asset(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<ClassificationIn>,
) -> Result<Response, AppError> {
    let asset = assets::get(&app.store, read_scope(&actor), id).await?;
    let scale = assets::scale_for(&app.store, asset.org_id).await?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    assets::classify(
        &mut w,
        actor.person.id,
        id,
        Dic {
            availability: input.availability,
            integrity: input.integrity,
            confidentiality: input.confidentiality,
        },
        &input.justification,
        crate::time::today(),
        &scale,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassificationOut {
    pub availability: i64,
    pub integrity: i64,
    pub confidentiality: i64,
    pub classified_by: i64,
    pub classified_by_name: String,
    pub classified_at: String,
    pub classified_on: String,
    pub review_due: String,
    pub justification: String,
}

#[utoipa::path(get, path = "/api/v1/assets/{id}/classifications", tag = "assets",
    responses((status = 200, body = Vec<ClassificationOut>), (status = 404, body = ErrorBody)))]
pub async fn list_classifications(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ClassificationOut>>, AppError> {
    let scope = read_scope(&actor);
    assets::get(&app.store, scope, id).await?;
    let history = assets::classification_history(&app.store, scope, id).await?;
    Ok(Json(
        history
            .into_iter()
            .map(|h| ClassificationOut {
                availability: h.availability,
                integrity: h.integrity,
                confidentiality: h.confidentiality,
                classified_by: h.classified_by,
                classified_by_name: h.classified_by_name,
                classified_at: crate::time::iso(h.classified_at),
                classified_on: h.classified_on,
                review_due: h.review_due,
                justification: h.justification,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgParams {
    /// The organization the view starts from; by default the person's first.
    pub org_id: Option<i64>,
    /// With ended designations too.
    pub history: Option<bool>,
}

fn starting_org(actor: &Actor, asked: Option<i64>) -> Result<i64, AppError> {
    asked
        .or_else(|| actor.grants.first().map(|g| g.org.0))
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BodyCountsOut {
    pub org_id: i64,
    pub org_name: String,
    pub assets: i64,
    pub unclassified: i64,
    pub review_overdue: i64,
    pub without_holder: i64,
    pub past_end_of_support: i64,
}

impl From<BodyCounts> for BodyCountsOut {
    fn from(b: BodyCounts) -> Self {
        Self {
            org_id: b.org_id,
            org_name: b.org_name,
            assets: b.assets,
            unclassified: b.unclassified,
            review_overdue: b.review_overdue,
            without_holder: b.without_holder,
            past_end_of_support: b.past_end_of_support,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/assets/consolidated", params(OrgParams), tag = "assets",
    responses((status = 200, body = Vec<BodyCountsOut>), (status = 404, body = ErrorBody)))]
pub async fn consolidated(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<OrgParams>,
) -> Result<Json<Vec<BodyCountsOut>>, AppError> {
    let org = starting_org(&actor, p.org_id)?;
    rempart_storage::orgs::get(
        &app.store,
        Scope::new(actor.person.id, Permission::OrgRead),
        org,
    )
    .await?;
    let bodies =
        assets::consolidated(&app.store, read_scope(&actor), org, crate::time::today()).await?;
    Ok(Json(bodies.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScaleOut {
    pub org_id: i64,
    /// The organization has its own scale (otherwise it is its nearest ancestor's, or the
    /// default).
    pub own: bool,
    #[schema(value_type = Vec<Object>)]
    pub levels: Vec<ScaleLevel>,
    pub review_months: u32,
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/classification-scale", tag = "assets",
    responses((status = 200, body = ScaleOut), (status = 404, body = ErrorBody)))]
pub async fn get_scale(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<ScaleOut>, AppError> {
    rempart_storage::orgs::get(
        &app.store,
        Scope::new(actor.person.id, Permission::AssetRead),
        id,
    )
    .await?;
    let scale = assets::scale_for(&app.store, id).await?;
    Ok(Json(ScaleOut {
        org_id: id,
        own: assets::has_own_scale(&app.store, id).await?,
        levels: scale.levels,
        review_months: scale.review_months,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleIn {
    #[schema(value_type = Vec<Object>)]
    pub levels: Vec<ScaleLevel>,
    pub review_months: u32,
}

#[utoipa::path(put, path = "/api/v1/organizations/{id}/classification-scale", request_body = ScaleIn,
    tag = "assets", responses((status = 200, body = ScaleOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_scale(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<ScaleIn>,
) -> Result<Response, AppError> {
    let scale = Scale {
        levels: input.levels,
        review_months: input.review_months,
    };
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    assets::set_scale(
        &mut w,
        Scope::new(actor.person.id, Permission::ScaleManage),
        id,
        &scale,
    )
    .await?;
    w.commit().await?;
    Ok(Json(ScaleOut {
        org_id: id,
        own: true,
        levels: scale.levels,
        review_months: scale.review_months,
    })
    .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterOut {
    pub org_id: i64,
    #[schema(value_type = Vec<Object>)]
    pub designations: Vec<Designation>,
    #[schema(value_type = Vec<Object>)]
    pub vacancies: Vec<Vacancies>,
    #[schema(value_type = Vec<Object>)]
    pub holders: Vec<HolderRow>,
    #[schema(value_type = Vec<Object>)]
    pub conflicts: Vec<Conflict>,
}

#[utoipa::path(get, path = "/api/v1/register", params(OrgParams), tag = "register",
    responses((status = 200, body = RegisterOut), (status = 404, body = ErrorBody)))]
pub async fn get_register(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<OrgParams>,
) -> Result<Json<RegisterOut>, AppError> {
    let org = starting_org(&actor, p.org_id)?;
    let person = actor.person.id;
    rempart_storage::orgs::get(&app.store, Scope::new(person, Permission::GrantRead), org).await?;
    Ok(Json(RegisterOut {
        org_id: org,
        designations: register::designations(
            &app.store,
            person,
            org,
            p.history.unwrap_or(false),
            5000,
        )
        .await?,
        vacancies: register::vacancies(&app.store, person, org).await?,
        holders: register::holders(&app.store, person, org).await?,
        conflicts: register::conflicts(&app.store, person, org, &app.config.incompatible_roles)
            .await?,
    }))
}
