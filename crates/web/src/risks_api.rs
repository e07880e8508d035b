//! The risk register in the JSON API (RISK-01 to RISK-05): each organization's method, risks
//! with their perimeter, plan and computed scores, proposal and approval of residual risk,
//! reassessment flags (an audit finding on a risk, a legal change for an organization), and
//! the heat map over a subtree. The rules are the domain's; scope is in every query.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::risk::{
    ActionInput, ActionStatus, Impacts, Method, Rating, Reassessment, RiskInput, Treatment,
};
use rempart_domain::{FieldError, ValidationErrors};
use rempart_storage::risks::{self, HeatMap, Risk, RiskFilter, RiskRow, RiskSort};
use rempart_storage::scope::Scope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{page_out, paging, PageOut};
use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::ui::audit_context;
use crate::AppState;

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

// ---------------------------------------------------------------- method

#[derive(Debug, Serialize, ToSchema)]
pub struct MethodOut {
    pub org_id: i64,
    /// The organization whose method applies (itself, an ancestor), or none for the default.
    pub defined_at: Option<i64>,
    #[schema(value_type = Object)]
    pub method: Method,
    pub rescored: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/risk-method", tag = "risks",
    responses((status = 200, body = MethodOut), (status = 404, body = ErrorBody)))]
pub async fn get_method(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<MethodOut>, AppError> {
    let (method, defined_at) =
        risks::method(&app.store, scope(&actor, Permission::RiskRead), id).await?;
    Ok(Json(MethodOut {
        org_id: id,
        defined_at,
        method,
        rescored: None,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct MethodIn(pub Method);

/// Sets the method; the risks it now applies to are rescored (their count in `rescored`).
#[utoipa::path(put, path = "/api/v1/organizations/{id}/risk-method", request_body = MethodIn,
    tag = "risks", responses((status = 200, body = MethodOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_method(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(MethodIn(method)): Json<MethodIn>,
) -> Result<Json<MethodOut>, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let rescored = risks::set_method(
        &mut w,
        scope(&actor, Permission::RiskMethodManage),
        id,
        &method,
        Some(actor.person.id),
    )
    .await?;
    w.commit().await?;
    Ok(Json(MethodOut {
        org_id: id,
        defined_at: Some(id),
        method,
        rescored: Some(rescored),
    }))
}

// ---------------------------------------------------------------- list and read

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskListParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `score` (the remaining risk), `title`, `review_due` or `updated`.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    /// Text in the title or description.
    pub q: Option<String>,
    /// Only this organization and its subtree.
    pub within: Option<i64>,
    /// Only the risks whose perimeter holds this asset.
    pub asset_id: Option<i64>,
    /// `draft`, `proposed` or `approved`.
    pub status: Option<String>,
    /// `to_reassess` or `overdue_actions`.
    pub flag: Option<String>,
    pub include_archived: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct RiskRowOut(pub RiskRow);

impl From<RiskRow> for RiskRowOut {
    fn from(row: RiskRow) -> Self {
        RiskRowOut(row)
    }
}

#[utoipa::path(get, path = "/api/v1/risks", params(RiskListParams), tag = "risks",
    responses((status = 200, body = PageOut<RiskRowOut>), (status = 422, body = ErrorBody)))]
pub async fn list_risks(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<RiskListParams>,
) -> Result<Response, AppError> {
    let mut page = paging(
        p.limit,
        p.offset,
        p.sort.as_deref(),
        p.order.as_deref(),
        RiskSort::parse,
    )?;
    if p.sort.is_none() {
        // The worst first, unless asked otherwise.
        page.descending = p.order.as_deref() != Some("asc");
    }
    let status = match p.status.as_deref() {
        None | Some("") => None,
        Some(s @ ("draft" | "proposed" | "approved")) => Some(s.to_owned()),
        Some(_) => {
            return Err(AppError::Invalid(vec![FieldError::new(
                "status",
                "error-choice",
            )]))
        }
    };
    let mut filter = RiskFilter {
        text: p.q,
        within: p.within,
        asset_id: p.asset_id,
        status,
        include_archived: p.include_archived.unwrap_or(false),
        ..RiskFilter::default()
    };
    match p.flag.as_deref() {
        None | Some("") => {}
        Some("to_reassess") => filter.to_reassess = true,
        Some("overdue_actions") => filter.with_overdue_actions = true,
        Some(_) => {
            return Err(AppError::Invalid(vec![FieldError::new(
                "flag",
                "error-choice",
            )]))
        }
    }
    let result = risks::list(
        &app.store,
        scope(&actor, Permission::RiskRead),
        &filter,
        crate::time::today(),
        &page,
    )
    .await?;
    Ok(Json(page_out::<RiskRow, RiskRowOut>(result)).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct RiskOut(pub Risk);

#[utoipa::path(get, path = "/api/v1/risks/{id}", tag = "risks",
    responses((status = 200, body = RiskOut), (status = 404, body = ErrorBody)))]
pub async fn get_risk(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<RiskOut>, AppError> {
    let risk = risks::get(
        &app.store,
        scope(&actor, Permission::RiskRead),
        id,
        crate::time::today(),
    )
    .await?;
    Ok(Json(RiskOut(risk)))
}

// ---------------------------------------------------------------- write

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    pub title: String,
    pub owner_id: i64,
    /// `AAAA-MM-JJ`.
    pub due_on: String,
    /// `planned`, `in_progress`, `done` or `cancelled`.
    #[serde(default)]
    pub status: Option<String>,
    /// Control ids of an imported catalogue (`ac-2`, `sc-7.3`).
    #[serde(default)]
    pub controls: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskIn {
    pub org_id: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub threat: String,
    pub vulnerability: String,
    #[serde(default)]
    pub existing_controls: String,
    pub owner_id: i64,
    pub asset_ids: Vec<i64>,
    pub likelihood: u8,
    pub impact_availability: u8,
    pub impact_integrity: u8,
    pub impact_confidentiality: u8,
    /// `accept`, `mitigate`, `transfer` or `avoid`.
    #[serde(default)]
    pub treatment: Option<String>,
    #[serde(default)]
    pub residual_likelihood: Option<u8>,
    #[serde(default)]
    pub residual_impact_availability: Option<u8>,
    #[serde(default)]
    pub residual_impact_integrity: Option<u8>,
    #[serde(default)]
    pub residual_impact_confidentiality: Option<u8>,
    #[serde(default)]
    pub residual_description: String,
    #[serde(default)]
    pub actions: Vec<ActionIn>,
    /// The version read, on a replacement.
    #[serde(default)]
    pub version: Option<i64>,
}

/// A risk as a client gives it, with its numbers read but its choices, dates and partial
/// ratings not yet: what the JSON body and the page's form both come to, so that one
/// conversion names their faults alike.
#[derive(Debug, Clone)]
pub(crate) struct RiskParts {
    pub org_id: i64,
    pub title: String,
    pub description: String,
    pub threat: String,
    pub vulnerability: String,
    pub existing_controls: String,
    pub owner_id: i64,
    pub asset_ids: Vec<i64>,
    pub gross: Rating,
    pub treatment: Option<String>,
    /// Likelihood and the three impacts after treatment: all or none.
    pub residual: [Option<u8>; 4],
    pub residual_description: String,
    pub actions: Vec<ActionParts>,
}

/// One action of the plan, as given.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActionParts {
    pub title: String,
    pub owner_id: i64,
    pub due_on: String,
    pub status: Option<String>,
    pub controls: Vec<String>,
}

impl RiskParts {
    /// The domain's input, and every fault of form (a date, a choice, a rating given in part)
    /// named. Each action keeps its place whatever its faults, so that the domain's checks
    /// name the same `actions.N` as these.
    pub(crate) fn into_input(self) -> (RiskInput, ValidationErrors) {
        let mut errors = ValidationErrors::default();
        let treatment = match self.treatment.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(t) => errors.take(Treatment::parse("treatment", t)),
        };
        let residual = match self.residual {
            [None, None, None, None] => None,
            [Some(l), Some(a), Some(i), Some(c)] => Some(Rating {
                likelihood: l,
                impacts: Impacts {
                    availability: a,
                    integrity: i,
                    confidentiality: c,
                },
            }),
            given => {
                for (field, v) in RESIDUAL_FIELDS.iter().zip(given) {
                    if v.is_none() {
                        errors.push(FieldError::new(*field, "error-required"));
                    }
                }
                None
            }
        };
        let mut actions = Vec::with_capacity(self.actions.len());
        for (i, a) in self.actions.into_iter().enumerate() {
            let due = a.due_on.trim().parse::<NaiveDate>().ok();
            if due.is_none() {
                errors.push(FieldError::new(format!("actions.{i}.due_on"), "error-date"));
            }
            let status = match a.status.as_deref() {
                None | Some("") => Some(ActionStatus::Planned),
                Some(s) => errors.take(ActionStatus::parse(&format!("actions.{i}.status"), s)),
            };
            actions.push(ActionInput {
                title: a.title,
                owner_id: a.owner_id,
                // A fault already named; the place is kept for the checks that follow.
                due_on: due.unwrap_or_default(),
                status: status.unwrap_or(ActionStatus::Planned),
                controls: a.controls,
            });
        }
        (
            RiskInput {
                org_id: self.org_id,
                title: self.title,
                description: self.description,
                threat: self.threat,
                vulnerability: self.vulnerability,
                existing_controls: self.existing_controls,
                owner_id: self.owner_id,
                asset_ids: self.asset_ids,
                gross: self.gross,
                treatment,
                residual,
                residual_description: self.residual_description,
                actions,
            },
            errors,
        )
    }
}

/// The residual rating's fields, in the order of [`RiskParts::residual`].
pub(crate) const RESIDUAL_FIELDS: [&str; 4] = [
    "residual_likelihood",
    "residual_impact_availability",
    "residual_impact_integrity",
    "residual_impact_confidentiality",
];

impl RiskIn {
    /// The domain's input, with every fault of form (a date, a choice, a rating given in
    /// part) named at once.
    fn into_input(self) -> Result<(RiskInput, Option<i64>), AppError> {
        let version = self.version;
        let parts = RiskParts {
            org_id: self.org_id,
            title: self.title,
            description: self.description,
            threat: self.threat,
            vulnerability: self.vulnerability,
            existing_controls: self.existing_controls,
            owner_id: self.owner_id,
            asset_ids: self.asset_ids,
            gross: Rating {
                likelihood: self.likelihood,
                impacts: Impacts {
                    availability: self.impact_availability,
                    integrity: self.impact_integrity,
                    confidentiality: self.impact_confidentiality,
                },
            },
            treatment: self.treatment,
            residual: [
                self.residual_likelihood,
                self.residual_impact_availability,
                self.residual_impact_integrity,
                self.residual_impact_confidentiality,
            ],
            residual_description: self.residual_description,
            actions: self
                .actions
                .into_iter()
                .map(|a| ActionParts {
                    title: a.title,
                    owner_id: a.owner_id,
                    due_on: a.due_on,
                    status: a.status,
                    controls: a.controls,
                })
                .collect(),
        };
        let (input, errors) = parts.into_input();
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors.0));
        }
        Ok((input, version))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/risks", request_body = RiskIn, tag = "risks",
    responses((status = 201, body = CreatedOut), (status = 422, body = ErrorBody)))]
pub async fn create_risk(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<RiskIn>,
) -> Result<Response, AppError> {
    let (input, _) = input.into_input()?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let id = risks::create(
        &mut w,
        scope(&actor, Permission::RiskManage),
        input,
        crate::time::today(),
    )
    .await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id })).into_response())
}

/// Reassesses a risk: its whole input again, with the `version` read.
#[utoipa::path(put, path = "/api/v1/risks/{id}", request_body = RiskIn, tag = "risks",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn replace_risk(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<RiskIn>,
) -> Result<Response, AppError> {
    let (input, version) = input.into_input()?;
    let version = version
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("version", "error-required")]))?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    risks::update(
        &mut w,
        scope(&actor, Permission::RiskManage),
        id,
        version,
        input,
        crate::time::today(),
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/api/v1/risks/{id}/propose", tag = "risks",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn propose_risk(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    risks::propose(
        &mut w,
        scope(&actor, Permission::RiskManage),
        id,
        actor.person.id,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalIn {
    pub justification: String,
}

/// Approves the residual risk put forward: the holder of every asset concerned up to the
/// threshold, the method's higher approver above it, never the person who proposed it.
#[utoipa::path(post, path = "/api/v1/risks/{id}/approve", request_body = ApprovalIn, tag = "risks",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve_risk(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<ApprovalIn>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    risks::approve(
        &mut w,
        actor.person.id,
        id,
        &input.justification,
        crate::time::today(),
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassessIn {
    /// `audit_finding` (on this risk) or `legal_change`.
    pub kind: String,
    /// The finding's or the change's reference and gist.
    pub detail: String,
}

impl ReassessIn {
    fn reason(self) -> Result<Reassessment, AppError> {
        let detail = rempart_domain::validation::required_text("detail", &self.detail, 500)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        match self.kind.as_str() {
            "audit_finding" => Ok(Reassessment::AuditFinding { finding: detail }),
            "legal_change" => Ok(Reassessment::LegalChange { change: detail }),
            _ => Err(AppError::Invalid(vec![FieldError::new(
                "kind",
                "error-choice",
            )])),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlaggedOut {
    pub flagged: usize,
}

/// Flags a risk for reassessment (an audit finding, a legal change that touches it).
#[utoipa::path(post, path = "/api/v1/risks/{id}/reassessments", request_body = ReassessIn,
    tag = "risks", responses((status = 200, body = FlaggedOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn flag_risk(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<ReassessIn>,
) -> Result<Json<FlaggedOut>, AppError> {
    let reason = input.reason()?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let flagged = risks::flag(&mut w, scope(&actor, Permission::RiskManage), id, &reason).await?;
    w.commit().await?;
    Ok(Json(FlaggedOut {
        flagged: usize::from(flagged),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalChangeIn {
    /// The law, regulation or directive and what changed.
    pub change: String,
}

/// Records a major legal or regulatory change for an organization: every risk of its subtree
/// is flagged for reassessment.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/legal-changes", request_body = LegalChangeIn,
    tag = "risks", responses((status = 200, body = FlaggedOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn record_legal_change(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<LegalChangeIn>,
) -> Result<Json<FlaggedOut>, AppError> {
    let reason = ReassessIn {
        kind: "legal_change".to_owned(),
        detail: input.change,
    }
    .reason()?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let flagged =
        risks::flag_for_org(&mut w, scope(&actor, Permission::RiskManage), id, &reason).await?;
    w.commit().await?;
    Ok(Json(FlaggedOut { flagged }))
}

// ---------------------------------------------------------------- map

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MapParams {
    pub org_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct HeatMapOut(pub HeatMap);

/// Counts of gross and residual risks per likelihood and impact over an organization and the
/// organizations below it, on its method's scales.
#[utoipa::path(get, path = "/api/v1/risks/map", params(MapParams), tag = "risks",
    responses((status = 200, body = HeatMapOut), (status = 404, body = ErrorBody)))]
pub async fn heat_map(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<MapParams>,
) -> Result<Json<HeatMapOut>, AppError> {
    let map = risks::heat_map(&app.store, scope(&actor, Permission::RiskRead), p.org_id).await?;
    Ok(Json(HeatMapOut(map)))
}
