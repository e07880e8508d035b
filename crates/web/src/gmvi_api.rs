//! Threats, vulnerabilities and incidents in the JSON API (GMVI-01 to GMVI-03, GMVI-08,
//! PLAT-10): reporting and triage, incidents with their timeline, assets, roles, tasks and
//! workflow, notices and their acknowledgement, the inbox, escalation rules, and the alert
//! network with its compliance board and STIX 2.1 exchange. Rules are the domain's; scope is
//! in every query.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Extension;
use chrono::NaiveDate;
use rempart_domain::alert::{AlertDraft, DueDraft, TargetStatus};
use rempart_domain::authz::Permission;
use rempart_domain::calendar::{DayCount, Delay};
use rempart_domain::escalation::Rule;
use rempart_domain::incident::{
    AssetImpact, EntryInput, EntryKind, EventDraft, EventStatus, Impact, IncidentDraft,
    IncidentRole, IncidentStatus, TaskStatus, Triage,
};
use rempart_domain::{FieldError, ValidationErrors};
use rempart_interchange::stix;
use rempart_storage::alerts::{self, Targets};
use rempart_storage::events::{self, IncidentChoice};
use rempart_storage::scope::Scope;
use rempart_storage::{inbox, incidents, notices};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::gmvi::notifier;
use crate::policy::{Policy, Routes};
use crate::ui::audit_context;
use crate::AppState;

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

fn invalid(field: &str, code: &'static str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, code)])
}

fn limit(raw: Option<i64>) -> i64 {
    raw.unwrap_or(100).clamp(1, 500)
}

/// The GMVI routes of the API.
pub fn routes(routes: Routes) -> Routes {
    use axum::http::Method;
    use Permission::*;
    use Policy::*;
    routes
        .post("/api/v1/events", Needs(EventReport), post(report_event))
        .get("/api/v1/events", Needs(EventTriage), get(list_events))
        .get("/api/v1/events/mine", SignedIn, get(my_events))
        .get("/api/v1/events/{id}", SignedIn, get(get_event))
        .post(
            "/api/v1/events/{id}/triage",
            Needs(EventTriage),
            post(triage_event),
        )
        .get(
            "/api/v1/incidents",
            Needs(IncidentRead),
            get(list_incidents),
        )
        .post(
            "/api/v1/incidents",
            Needs(IncidentManage),
            post(open_incident),
        )
        .get(
            "/api/v1/incidents/{id}",
            Needs(IncidentRead),
            get(get_incident),
        )
        .route(
            Method::PUT,
            "/api/v1/incidents/{id}",
            Needs(IncidentManage),
            put(update_incident),
        )
        .get(
            "/api/v1/incidents/{id}/timeline",
            Needs(IncidentRead),
            get(incident_timeline),
        )
        .post(
            "/api/v1/incidents/{id}/entries",
            Needs(IncidentManage),
            post(add_entry),
        )
        .route(
            Method::PUT,
            "/api/v1/incidents/{id}/assets/{asset_id}",
            Needs(IncidentManage),
            put(set_asset),
        )
        .route(
            Method::DELETE,
            "/api/v1/incidents/{id}/assets/{asset_id}",
            Needs(IncidentManage),
            delete(remove_asset),
        )
        .route(
            Method::PUT,
            "/api/v1/incidents/{id}/roles/{role}",
            Needs(IncidentManage),
            put(set_role),
        )
        .post(
            "/api/v1/incidents/{id}/tasks",
            Needs(IncidentManage),
            post(add_task),
        )
        .post(
            "/api/v1/incidents/{id}/tasks/{task_id}/status",
            Needs(IncidentManage),
            post(set_task_status),
        )
        .post(
            "/api/v1/incidents/{id}/status",
            Needs(IncidentManage),
            post(transition),
        )
        .get(
            "/api/v1/incidents/{id}/evidence",
            Needs(IncidentRead),
            get(list_evidence),
        )
        .post(
            "/api/v1/incidents/{id}/evidence",
            Needs(IncidentManage),
            post(upload_evidence).layer(axum::extract::DefaultBodyLimit::max(
                crate::middleware::UPLOAD_LIMIT,
            )),
        )
        .get(
            "/api/v1/incidents/{id}/evidence/{file_id}",
            Needs(IncidentRead),
            get(download_evidence),
        )
        .get(
            "/api/v1/incidents/{id}/notices",
            Needs(IncidentRead),
            get(incident_notices),
        )
        .get("/api/v1/notices", SignedIn, get(my_notices))
        .post(
            "/api/v1/notices/{id}/acknowledge",
            SignedIn,
            post(acknowledge),
        )
        .get("/api/v1/inbox", SignedIn, get(my_inbox))
        .post("/api/v1/inbox/{id}/read", SignedIn, post(read_notification))
        .get(
            "/api/v1/organizations/{id}/escalation-rules",
            Needs(IncidentRead),
            get(get_rules),
        )
        .route(
            Method::PUT,
            "/api/v1/organizations/{id}/escalation-rules",
            Needs(EscalationManage),
            put(set_rules),
        )
        .get("/api/v1/alerts", Needs(AlertRead), get(list_alerts))
        .post("/api/v1/alerts", Needs(AlertIssue), post(issue_alert))
        .get("/api/v1/alerts/{id}", Needs(AlertRead), get(get_alert))
        .get(
            "/api/v1/alerts/{id}/board",
            Needs(AlertRead),
            get(alert_board),
        )
        .post(
            "/api/v1/alerts/{id}/respond",
            Needs(AlertRespond),
            post(respond_alert),
        )
        .post(
            "/api/v1/alerts/{id}/withdraw",
            Needs(AlertIssue),
            post(withdraw_alert),
        )
        .get(
            "/api/v1/alerts/{id}/stix",
            Needs(AlertRead),
            get(export_stix),
        )
        .post(
            "/api/v1/alerts/{id}/stix",
            Needs(AlertIssue),
            post(import_stix).layer(axum::extract::DefaultBodyLimit::max(STIX_MAX_BYTES)),
        )
}

/// The largest STIX bundle accepted (the reader's own limit).
const STIX_MAX_BYTES: usize = 16 * 1024 * 1024;

// ---------------------------------------------------------------- events

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventIn {
    pub summary: String,
    #[serde(default)]
    pub details: String,
    /// `AAAA-MM-JJ` or `AAAA-MM-JJTHH:MM`, empty for now.
    #[serde(default)]
    pub observed: String,
    /// `yes`, `no` or `unknown`.
    #[serde(default)]
    pub personal_info: String,
    /// The organization it happened in (the reporter's own by default).
    #[serde(default)]
    pub org_id: Option<i64>,
    #[serde(default)]
    pub asset_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct EventOut(pub events::Event);

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Reports a security event (GMVI-01); the body's coordinators are told.
#[utoipa::path(post, path = "/api/v1/events", request_body = EventIn, tag = "gmvi",
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
pub async fn report_event(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<EventIn>,
) -> Result<Response, AppError> {
    let draft = EventDraft {
        summary: input.summary,
        details: input.details,
        observed: input.observed,
        personal_info: input.personal_info,
    };
    let report = draft.check(crate::time::today())?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let id = events::report(
        &mut w,
        &notifier(&app),
        actor.person.id,
        input.org_id,
        input.asset_id,
        &report,
    )
    .await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventListParams {
    /// `new`, `threat`, `vulnerability`, `incident`, `merged` or `closed`.
    pub status: Option<String>,
    pub limit: Option<i64>,
}

/// The coordinator's queue: new events first, oldest first.
#[utoipa::path(get, path = "/api/v1/events", params(EventListParams), tag = "gmvi",
    responses((status = 200, body = [EventOut]), (status = 422, body = ErrorBody)))]
pub async fn list_events(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<EventListParams>,
) -> Result<Json<Vec<EventOut>>, AppError> {
    let status = match p.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(EventStatus::parse(s).ok_or_else(|| invalid("status", "error-choice"))?),
    };
    let rows = events::queue(
        &app.store,
        scope(&actor, Permission::EventTriage),
        status,
        limit(p.limit),
    )
    .await?;
    Ok(Json(rows.into_iter().map(EventOut).collect()))
}

/// What the caller reported and what became of it.
#[utoipa::path(get, path = "/api/v1/events/mine", tag = "gmvi",
    responses((status = 200, body = [EventOut])))]
pub async fn my_events(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Json<Vec<EventOut>>, AppError> {
    let rows = events::mine(&app.store, actor.person.id, 200).await?;
    Ok(Json(rows.into_iter().map(EventOut).collect()))
}

/// One event: for its reporter or those who triage it.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "gmvi",
    responses((status = 200, body = EventOut), (status = 404, body = ErrorBody)))]
pub async fn get_event(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<EventOut>, AppError> {
    let event = events::get(&app.store, scope(&actor, Permission::EventTriage), id).await?;
    Ok(Json(EventOut(event)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentFieldsIn {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// One of the domain's categories (`phishing`, `ransomware`…).
    pub category: String,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    #[serde(default)]
    pub personal_info: bool,
}

impl IncidentFieldsIn {
    fn draft(self) -> IncidentDraft {
        IncidentDraft {
            title: self.title,
            description: self.description,
            category: self.category,
            severity: self.severity,
            personal_info: self.personal_info,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageIn {
    /// `threat`, `vulnerability`, `incident`, `merge` or `close`.
    pub decision: String,
    #[serde(default)]
    pub note: String,
    /// For `merge`: the event this one duplicates.
    #[serde(default)]
    pub into: Option<i64>,
    /// For `incident`: an open incident to attach the event to…
    #[serde(default)]
    pub incident_id: Option<i64>,
    /// …or the fields of a new one.
    #[serde(default)]
    pub incident: Option<IncidentFieldsIn>,
    /// The version read.
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TriageOut {
    pub status: String,
    pub incident_id: Option<i64>,
}

/// Triages an event (the domain says what may be done with it).
#[utoipa::path(post, path = "/api/v1/events/{id}/triage", request_body = TriageIn, tag = "gmvi",
    responses((status = 200, body = TriageOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn triage_event(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<TriageIn>,
) -> Result<Json<TriageOut>, AppError> {
    let note = input.note;
    let decision = match input.decision.as_str() {
        "threat" => Triage::Threat { note },
        "vulnerability" => Triage::Vulnerability { note },
        "incident" => Triage::Incident { note },
        "merge" => Triage::Merge {
            into: input
                .into
                .ok_or_else(|| invalid("into", "error-required"))?,
            note,
        },
        "close" => Triage::Close { reason: note },
        _ => return Err(invalid("decision", "error-choice")),
    };
    let choice = match (&decision, input.incident_id, input.incident) {
        (Triage::Incident { .. }, Some(existing), _) => Some(IncidentChoice::Existing(existing)),
        (Triage::Incident { .. }, None, Some(fields)) => {
            Some(IncidentChoice::New(fields.draft().check()?))
        }
        (Triage::Incident { .. }, None, None) => return Err(invalid("incident", "error-required")),
        _ => None,
    };
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let incident_id = events::triage(
        &mut w,
        &notifier(&app),
        scope(&actor, Permission::EventTriage),
        id,
        input.version,
        &decision,
        choice,
    )
    .await?;
    w.commit().await?;
    Ok(Json(TriageOut {
        status: decision.status().as_str().to_owned(),
        incident_id,
    }))
}

// ---------------------------------------------------------------- incidents

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentListParams {
    /// `active` (every stage before closed) or a status.
    pub status: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct IncidentRowOut(pub incidents::IncidentRow);

/// The incidents the caller sees: their bodies', and those escalated to their centre.
#[utoipa::path(get, path = "/api/v1/incidents", params(IncidentListParams), tag = "gmvi",
    responses((status = 200, body = [IncidentRowOut])))]
pub async fn list_incidents(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<IncidentListParams>,
) -> Result<Json<Vec<IncidentRowOut>>, AppError> {
    let rows = incidents::list(
        &app.store,
        scope(&actor, Permission::IncidentRead),
        p.status.as_deref(),
        limit(p.limit),
    )
    .await?;
    Ok(Json(rows.into_iter().map(IncidentRowOut).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenIncidentIn {
    pub org_id: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category: String,
    pub severity: String,
    #[serde(default)]
    pub personal_info: bool,
}

/// Opens an incident directly; the escalation rules are evaluated at once.
#[utoipa::path(post, path = "/api/v1/incidents", request_body = OpenIncidentIn, tag = "gmvi",
    responses((status = 201, body = Created), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn open_incident(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<OpenIncidentIn>,
) -> Result<Response, AppError> {
    let fields = IncidentDraft {
        title: input.title,
        description: input.description,
        category: input.category,
        severity: input.severity,
        personal_info: input.personal_info,
    }
    .check()?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let now = w.now();
    let id = incidents::open(
        &mut w,
        &notifier(&app),
        scope(&actor, Permission::IncidentManage),
        input.org_id,
        &fields,
        now,
    )
    .await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct IncidentOut(pub incidents::Incident);

#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "gmvi",
    responses((status = 200, body = IncidentOut), (status = 404, body = ErrorBody)))]
pub async fn get_incident(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<IncidentOut>, AppError> {
    let incident = incidents::get(&app.store, scope(&actor, Permission::IncidentRead), id).await?;
    Ok(Json(IncidentOut(incident)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIncidentIn {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category: String,
    pub severity: String,
    #[serde(default)]
    pub personal_info: bool,
    pub version: i64,
}

/// Changes an incident's fields (the version read); escalates again when the facts changed.
#[utoipa::path(put, path = "/api/v1/incidents/{id}", request_body = UpdateIncidentIn,
    tag = "gmvi", responses((status = 204), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_incident(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<UpdateIncidentIn>,
) -> Result<StatusCode, AppError> {
    let fields = IncidentDraft {
        title: input.title,
        description: input.description,
        category: input.category,
        severity: input.severity,
        personal_info: input.personal_info,
    }
    .check()?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    incidents::update(
        &mut w,
        &notifier(&app),
        scope(&actor, Permission::IncidentManage),
        id,
        input.version,
        &fields,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct EntryOut(pub incidents::Entry);

/// The timeline in the order things happened, a page at a time.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/timeline", params(TimelineParams),
    tag = "gmvi", responses((status = 200, body = [EntryOut]), (status = 404, body = ErrorBody)))]
pub async fn incident_timeline(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    Query(p): Query<TimelineParams>,
) -> Result<Json<Vec<EntryOut>>, AppError> {
    // Read through the scope first: the timeline query itself is by id.
    incidents::get(&app.store, scope(&actor, Permission::IncidentRead), id).await?;
    let rows =
        incidents::timeline(&app.store, id, p.offset.unwrap_or(0).max(0), limit(p.limit)).await?;
    Ok(Json(rows.into_iter().map(EntryOut).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryIn {
    /// `observation`, `decision`, `action` or `communication`.
    pub kind: String,
    pub body: String,
    /// When it happened (RFC 3339); now when absent.
    #[serde(default)]
    pub occurred_at: Option<String>,
    /// Who decided (required for a decision).
    #[serde(default)]
    pub decided_by: Option<i64>,
}

/// Adds an entry to the timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/entries", request_body = EntryIn,
    tag = "gmvi", responses((status = 201, body = Created), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_entry(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<EntryIn>,
) -> Result<Response, AppError> {
    let kind = EntryKind::parse(&input.kind).ok_or_else(|| invalid("kind", "error-choice"))?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let occurred_at = match input.occurred_at.as_deref() {
        None | Some("") => w.now(),
        Some(raw) => chrono::DateTime::parse_from_rfc3339(raw)
            .map_err(|_| invalid("occurred_at", "error-date"))?
            .timestamp_micros(),
    };
    let entry = incidents::add_entry(
        &mut w,
        scope(&actor, Permission::IncidentManage),
        id,
        &EntryInput {
            kind,
            body: input.body,
            occurred_at,
            decided_by: input.decided_by,
        },
    )
    .await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: entry })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactIn {
    /// `none`, `low`, `medium` or `high` for each criterion.
    pub availability: String,
    pub integrity: String,
    pub confidentiality: String,
}

impl ImpactIn {
    fn check(&self) -> Result<AssetImpact, AppError> {
        let mut errors = ValidationErrors::default();
        let mut get = |field: &str, raw: &str| {
            Impact::parse(raw).unwrap_or_else(|| {
                errors.push(FieldError::new(field, "error-choice"));
                Impact::None
            })
        };
        let impact = AssetImpact {
            availability: get("availability", &self.availability),
            integrity: get("integrity", &self.integrity),
            confidentiality: get("confidentiality", &self.confidentiality),
        };
        errors.into_result()?;
        Ok(impact)
    }
}

/// Records an affected asset with its D/I/C impact (or changes it).
#[utoipa::path(put, path = "/api/v1/incidents/{id}/assets/{asset_id}", request_body = ImpactIn,
    tag = "gmvi", responses((status = 204), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_asset(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, asset_id)): Path<(i64, i64)>,
    Json(input): Json<ImpactIn>,
) -> Result<StatusCode, AppError> {
    let impact = input.check()?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    incidents::set_asset(
        &mut w,
        &notifier(&app),
        scope(&actor, Permission::IncidentManage),
        id,
        asset_id,
        impact,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/incidents/{id}/assets/{asset_id}", tag = "gmvi",
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn remove_asset(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, asset_id)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    incidents::remove_asset(
        &mut w,
        scope(&actor, Permission::IncidentManage),
        id,
        asset_id,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleIn {
    /// The person, or none to take the role back.
    pub person_id: Option<i64>,
}

/// Gives a role on the incident (`lead`, `scribe`, `communications`).
#[utoipa::path(put, path = "/api/v1/incidents/{id}/roles/{role}", request_body = RoleIn,
    tag = "gmvi", responses((status = 204), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_role(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, role)): Path<(i64, String)>,
    Json(input): Json<RoleIn>,
) -> Result<StatusCode, AppError> {
    let role = IncidentRole::parse(&role).ok_or_else(|| invalid("role", "error-choice"))?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    incidents::set_role(
        &mut w,
        scope(&actor, Permission::IncidentManage),
        id,
        role,
        input.person_id,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskIn {
    pub title: String,
    pub owner_id: i64,
    /// `AAAA-MM-JJ`.
    pub due_on: String,
}

/// Adds a task; its owner is told and the scheduler watches its date.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/tasks", request_body = TaskIn, tag = "gmvi",
    responses((status = 201, body = Created), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_task(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<TaskIn>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let task = incidents::add_task(
        &mut w,
        &notifier(&app),
        scope(&actor, Permission::IncidentManage),
        id,
        &input.title,
        input.owner_id,
        &input.due_on,
    )
    .await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: task })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskStatusIn {
    /// `open`, `done` or `cancelled`.
    pub status: String,
}

#[utoipa::path(post, path = "/api/v1/incidents/{id}/tasks/{task_id}/status",
    request_body = TaskStatusIn, tag = "gmvi", responses((status = 204),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_task_status(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, task)): Path<(i64, i64)>,
    Json(input): Json<TaskStatusIn>,
) -> Result<StatusCode, AppError> {
    let status =
        TaskStatus::parse(&input.status).ok_or_else(|| invalid("status", "error-choice"))?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    incidents::set_task_status(
        &mut w,
        scope(&actor, Permission::IncidentManage),
        id,
        task,
        status,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionIn {
    /// `contained`, `eradicated`, `recovered`, `closed` or `open` (reopening).
    pub status: String,
    /// The lessons learned, required to close.
    #[serde(default)]
    pub lessons: String,
    /// Why a closed incident is reopened.
    #[serde(default)]
    pub reason: String,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionOut {
    pub status: String,
    /// Risks flagged for reassessment by the closure (GMVI-09).
    pub risks_flagged: usize,
}

/// Moves the incident through its workflow; closing flags the compromised assets' risks.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/status", request_body = TransitionIn,
    tag = "gmvi", responses((status = 200, body = TransitionOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<TransitionIn>,
) -> Result<Json<TransitionOut>, AppError> {
    let to =
        IncidentStatus::parse(&input.status).ok_or_else(|| invalid("status", "error-choice"))?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let flagged = incidents::transition(
        &mut w,
        scope(&actor, Permission::IncidentManage),
        id,
        input.version,
        to,
        &input.lessons,
        &input.reason,
    )
    .await?;
    w.commit().await?;
    Ok(Json(TransitionOut {
        status: to.as_str().to_owned(),
        risks_flagged: flagged,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct EvidenceOut(pub rempart_storage::evidence::Evidence);

/// The files kept as evidence of an incident: name, type sniffed from the bytes, size, SHA-256.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/evidence", tag = "gmvi",
    responses((status = 200, body = [EvidenceOut]), (status = 404, body = ErrorBody)))]
pub async fn list_evidence(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<EvidenceOut>>, AppError> {
    incidents::get(&app.store, scope(&actor, Permission::IncidentRead), id).await?;
    let files = rempart_storage::evidence::list(
        &app.store,
        rempart_storage::evidence::Attached::Incident(id),
    )
    .await?;
    Ok(Json(files.into_iter().map(EvidenceOut).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceParams {
    /// The file's name as it should be offered back.
    pub file_name: String,
}

/// Keeps a file as evidence: the request's body, as is (size-limited, never executed).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/evidence", params(EvidenceParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), tag = "gmvi",
    responses((status = 201, body = Created), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_evidence(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(p): Query<EvidenceParams>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let manage = scope(&actor, Permission::IncidentManage);
    if !incidents::manageable(&app.store, manage, id).await? {
        return Err(AppError::NotFound);
    }
    let incident = incidents::get(&app.store, scope(&actor, Permission::IncidentRead), id).await?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let file = rempart_storage::evidence::add(
        &mut w,
        &app.config.evidence,
        rempart_storage::evidence::Attached::Incident(id),
        incident.org_id,
        &p.file_name,
        &body,
    )
    .await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: file })).into_response())
}

/// A kept file, its SHA-256 checked before it is given back, always as an attachment.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/evidence/{file_id}", tag = "gmvi",
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody), (status = 409, description = "changed on disk"),
        (status = 410, description = "missing from disk")))]
pub async fn download_evidence(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    incidents::get(&app.store, scope(&actor, Permission::IncidentRead), id).await?;
    crate::gmvi_ui::download(
        &app,
        &actor,
        rempart_storage::evidence::Attached::Incident(id),
        file_id,
    )
    .await
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct NoticeOut(pub notices::NoticeRow);

/// The notices an incident called for: who, by which rules, acknowledged or escalated.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/notices", tag = "gmvi",
    responses((status = 200, body = [NoticeOut]), (status = 404, body = ErrorBody)))]
pub async fn incident_notices(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<NoticeOut>>, AppError> {
    incidents::get(&app.store, scope(&actor, Permission::IncidentRead), id).await?;
    let rows = notices::of_incident(&app.store, id).await?;
    Ok(Json(rows.into_iter().map(NoticeOut).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeParams {
    /// Also the acknowledged and escalated ones of the last 90 days.
    pub all: Option<bool>,
}

/// The notices waiting for the caller's acknowledgement.
#[utoipa::path(get, path = "/api/v1/notices", params(NoticeParams), tag = "gmvi",
    responses((status = 200, body = [NoticeOut])))]
pub async fn my_notices(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<NoticeParams>,
) -> Result<Json<Vec<NoticeOut>>, AppError> {
    let rows = notices::for_person(
        &app.store,
        actor.person.id,
        p.all.unwrap_or(false),
        rempart_storage::now_micros(),
    )
    .await?;
    Ok(Json(rows.into_iter().map(NoticeOut).collect()))
}

/// Acknowledges a notice for the caller's seat.
#[utoipa::path(post, path = "/api/v1/notices/{id}/acknowledge", tag = "gmvi",
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn acknowledge(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    notices::acknowledge(&mut w, actor.person.id, id).await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    pub unread: Option<bool>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct NotificationOut(pub inbox::Notification);

/// The caller's notifications, newest first, with their e-mail's delivery status.
#[utoipa::path(get, path = "/api/v1/inbox", params(InboxParams), tag = "gmvi",
    responses((status = 200, body = [NotificationOut])))]
pub async fn my_inbox(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<InboxParams>,
) -> Result<Json<Vec<NotificationOut>>, AppError> {
    let rows = inbox::list(
        &app.store,
        actor.person.id,
        p.unread.unwrap_or(false),
        limit(p.limit),
    )
    .await?;
    Ok(Json(rows.into_iter().map(NotificationOut).collect()))
}

#[utoipa::path(post, path = "/api/v1/inbox/{id}/read", tag = "gmvi",
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn read_notification(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    inbox::mark_read(
        &app.store,
        actor.person.id,
        id,
        rempart_storage::now_micros(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- escalation rules

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RulesOut {
    /// The organization whose rules apply (itself or an ancestor); none for the defaults.
    pub defined_at: Option<i64>,
    #[schema(value_type = Object)]
    pub rules: Vec<Rule>,
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}/escalation-rules", tag = "gmvi",
    responses((status = 200, body = RulesOut), (status = 404, body = ErrorBody)))]
pub async fn get_rules(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<RulesOut>, AppError> {
    let (rules, defined_at) =
        notices::rules(&app.store, scope(&actor, Permission::IncidentRead), id).await?;
    Ok(Json(RulesOut { defined_at, rules }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesIn {
    #[schema(value_type = Object)]
    pub rules: Vec<Rule>,
}

/// Sets an organization's escalation rules (every fault named `rules.N.field`).
#[utoipa::path(put, path = "/api/v1/organizations/{id}/escalation-rules", request_body = RulesIn,
    tag = "gmvi", responses((status = 200, body = RulesOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_rules(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<RulesIn>,
) -> Result<Json<RulesOut>, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    notices::set_rules(
        &mut w,
        scope(&actor, Permission::EscalationManage),
        id,
        &input.rules,
    )
    .await?;
    w.commit().await?;
    Ok(Json(RulesOut {
        defined_at: Some(id),
        rules: input.rules,
    }))
}

// ---------------------------------------------------------------- alerts

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AlertOut(pub alerts::Alert);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertListParams {
    pub limit: Option<i64>,
}

/// The alerts the caller's organizations issued or received.
#[utoipa::path(get, path = "/api/v1/alerts", params(AlertListParams), tag = "gmvi",
    responses((status = 200, body = [AlertOut])))]
pub async fn list_alerts(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<AlertListParams>,
) -> Result<Json<Vec<AlertOut>>, AppError> {
    let rows = alerts::list(
        &app.store,
        scope(&actor, Permission::AlertRead),
        limit(p.limit),
    )
    .await?;
    Ok(Json(rows.into_iter().map(AlertOut).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertIn {
    /// The issuing centre.
    pub org_id: i64,
    /// `alert` or `measure`.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: String,
    /// A deadline date (`AAAA-MM-JJ`)…
    #[serde(default)]
    pub due_on: Option<String>,
    /// …or a number of days from today,
    #[serde(default)]
    pub due_days: Option<u32>,
    /// counted as `calendar` or `working` days.
    #[serde(default)]
    pub due_count: Option<String>,
    /// The public bodies targeted; the whole subtree when absent.
    #[serde(default)]
    pub targets: Option<Vec<i64>>,
}

/// Issues an alert or a required measure to the public bodies below a centre.
#[utoipa::path(post, path = "/api/v1/alerts", request_body = AlertIn, tag = "gmvi",
    responses((status = 201, body = Created), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn issue_alert(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<AlertIn>,
) -> Result<Response, AppError> {
    let due = match (input.due_on.as_deref(), input.due_days) {
        (Some(d), _) if !d.is_empty() => DueDraft::On(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| invalid("due_on", "error-date"))?,
        ),
        (_, Some(days)) => DueDraft::In(Delay {
            days,
            count: match input.due_count.as_deref() {
                None | Some("calendar") => DayCount::Calendar,
                Some("working") => DayCount::Working,
                Some(_) => return Err(invalid("due_count", "error-choice")),
            },
        }),
        _ => DueDraft::None,
    };
    let alert = AlertDraft {
        kind: input.kind,
        title: input.title,
        description: input.description,
        severity: input.severity,
        due,
    }
    .check(crate::time::today(), &app.config.calendar)?;
    let targets = match input.targets {
        Some(ids) => Targets::Chosen(ids),
        None => Targets::Subtree,
    };
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let id = alerts::issue(
        &mut w,
        &notifier(&app),
        scope(&actor, Permission::AlertIssue),
        input.org_id,
        &alert,
        &targets,
    )
    .await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "gmvi",
    responses((status = 200, body = AlertOut), (status = 404, body = ErrorBody)))]
pub async fn get_alert(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<AlertOut>, AppError> {
    let alert = alerts::get(&app.store, scope(&actor, Permission::AlertRead), id).await?;
    Ok(Json(AlertOut(alert)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct BoardOut(pub alerts::Board);

/// Compliance with an alert: in total, per operational centre and per body for its issuer;
/// a body's own row for a body.
#[utoipa::path(get, path = "/api/v1/alerts/{id}/board", tag = "gmvi",
    responses((status = 200, body = BoardOut), (status = 404, body = ErrorBody)))]
pub async fn alert_board(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<BoardOut>, AppError> {
    let board = alerts::board(
        &app.store,
        scope(&actor, Permission::AlertRead),
        id,
        crate::time::today(),
    )
    .await?;
    Ok(Json(BoardOut(board)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondIn {
    /// The body answering.
    pub org_id: i64,
    /// `acknowledged`, `applied` or `not_applicable`.
    pub status: String,
    /// What was done, or why the measure does not apply.
    #[serde(default)]
    pub report: String,
}

/// A body's answer to an alert.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/respond", request_body = RespondIn,
    tag = "gmvi", responses((status = 204), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn respond_alert(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<RespondIn>,
) -> Result<StatusCode, AppError> {
    let status =
        TargetStatus::parse(&input.status).ok_or_else(|| invalid("status", "error-choice"))?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    alerts::respond(
        &mut w,
        scope(&actor, Permission::AlertRespond),
        id,
        input.org_id,
        status,
        &input.report,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws an alert: no more answers, no more deadlines; kept on record.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/withdraw", tag = "gmvi",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn withdraw_alert(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    alerts::withdraw(&mut w, scope(&actor, Permission::AlertIssue), id).await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- STIX 2.1

/// The alert as a STIX 2.1 bundle: the issuer's identity, a report for the alert, and the
/// threat intelligence attached to it, as it was imported.
#[utoipa::path(get, path = "/api/v1/alerts/{id}/stix", tag = "gmvi",
    responses((status = 200, description = "STIX 2.1 bundle", content_type = "application/stix+json"),
        (status = 404, body = ErrorBody)))]
pub async fn export_stix(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let alert = alerts::get(&app.store, scope(&actor, Permission::AlertRead), id).await?;
    let attached: Vec<serde_json::Value> = alerts::intel(&app.store, id)
        .await?
        .into_iter()
        .filter_map(|i| serde_json::from_str(&i.object_json).ok())
        .collect();
    let published = chrono::DateTime::from_timestamp_micros(alert.issued_at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let stix_alert = stix::AlertForStix {
        stix_id: alert.stix_id,
        issuer_name: alert.issuer_name,
        issuer_slug: alert.issuer_slug,
        title: alert.title,
        description: alert.description,
        severity: rempart_domain::incident::parse_severity(&alert.severity)
            .unwrap_or(rempart_domain::escalation::Severity::Medium),
        published,
        modified: None,
        kind: if alert.kind == "measure" {
            stix::ReportKind::ThreatReport
        } else {
            stix::ReportKind::Indicator
        },
    };
    let bundle = stix::alert_bundle(&stix_alert, &attached)
        .map_err(|e| AppError::internal(format!("export STIX : {}", e.message_fr())))?;
    let body = serde_json::to_vec_pretty(&bundle)
        .map_err(|e| AppError::internal(format!("export STIX : {e}")))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/stix+json;version=2.1",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"alerte.stix.json\"",
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StixImportOut {
    pub bundle_id: String,
    pub attached: usize,
    /// Objects by STIX type.
    #[schema(value_type = Object)]
    pub by_type: std::collections::BTreeMap<String, usize>,
}

/// Attaches a STIX 2.1 bundle's objects to an alert as threat intelligence. The whole bundle
/// is read and checked before anything is written; a fault is named (line and column, or the
/// object's place, id and field) and nothing is attached.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/stix", tag = "gmvi",
    request_body(content = String, description = "STIX 2.1 bundle", content_type = "application/json"),
    responses((status = 200, body = StixImportOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn import_stix(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Json<StixImportOut>, AppError> {
    // An alert the caller cannot see is not found, whatever the body holds.
    alerts::get(&app.store, scope(&actor, Permission::AlertRead), id).await?;
    let bundle = stix::read_bundle(&body, &stix::StixLimits::default())
        .map_err(|e| AppError::BadRequest(e.message(actor.language())))?;
    let mut by_type = std::collections::BTreeMap::new();
    let objects: Vec<alerts::Intel> = bundle
        .objects
        .iter()
        .map(|o| {
            *by_type.entry(o.object_type.clone()).or_insert(0) += 1;
            alerts::Intel {
                stix_id: o.id.clone(),
                stix_type: o.object_type.clone(),
                name: o.name.clone().unwrap_or_default(),
                pattern: o.pattern.clone().unwrap_or_default(),
                object_json: o.raw.to_string(),
            }
        })
        .collect();
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&body));
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let attached = alerts::attach_intel(
        &mut w,
        scope(&actor, Permission::AlertIssue),
        id,
        &objects,
        &digest,
    )
    .await?;
    w.commit().await?;
    Ok(Json(StixImportOut {
        bundle_id: bundle.id,
        attached,
        by_type,
    }))
}
