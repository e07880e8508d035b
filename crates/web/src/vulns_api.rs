//! Vulnerabilities in the JSON API (GMVI-04, GMVI-05): the list with its filters, one
//! vulnerability with its history, scanner report imports (the request's body streamed to a
//! temporary file, then read in one transaction) and their history with unmatched hosts, and
//! CVSS scoring. Scope is in every query.

use std::io::Write;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use futures_util::StreamExt;
use rempart_domain::authz::Permission;
use rempart_domain::cvss::{self, Severity};
use rempart_domain::vulnerability::VulnerabilityStatus;
use rempart_domain::FieldError;
use rempart_interchange::scan::ScanFormat;
use rempart_storage::list::PageRequest;
use rempart_storage::scope::Scope;
use rempart_storage::vulns::{self, VulnFilter, VulnSort};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::policy::{Policy, Routes};
use crate::scan_import::{self, ScanFile, ScanImportError};
use crate::ui::audit_context;
use crate::AppState;

/// The largest report the API takes; the file goes to disk as it arrives, so this bounds the
/// disk, not the memory. Larger reports go through `rempart import scan`.
pub const MAX_REPORT_BYTES: usize = 1024 * 1024 * 1024;

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

fn invalid(field: &str, code: &'static str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, code)])
}

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    routes
        .get(
            "/api/v1/vulnerabilities",
            Needs(VulnerabilityRead),
            get(list_vulnerabilities),
        )
        .get(
            "/api/v1/vulnerabilities/{id}",
            Needs(VulnerabilityRead),
            get(get_vulnerability),
        )
        .get(
            "/api/v1/organizations/{id}/scans",
            Needs(VulnerabilityRead),
            get(list_imports),
        )
        .post(
            "/api/v1/organizations/{id}/scans",
            Needs(VulnerabilityImport),
            post(import_scan).layer(axum::extract::DefaultBodyLimit::max(MAX_REPORT_BYTES)),
        )
        .get(
            "/api/v1/scans/{id}/unmatched-hosts",
            Needs(VulnerabilityRead),
            get(unmatched_hosts),
        )
        .post(
            "/api/v1/scans/{id}/attach",
            Needs(VulnerabilityImport),
            post(attach_host),
        )
        .post("/api/v1/cvss", SignedIn, post(score_vectors))
        .post(
            "/api/v1/vulnerabilities/{id}/status",
            Needs(VulnerabilityManage),
            post(change_status),
        )
        .get(
            "/api/v1/organizations/{id}/remediation-policy",
            Needs(VulnerabilityRead),
            get(get_policy),
        )
        .route(
            axum::http::Method::PUT,
            "/api/v1/organizations/{id}/remediation-policy",
            Needs(VulnerabilityImport),
            axum::routing::put(set_policy),
        )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VulnParams {
    /// An organization: its vulnerabilities and those of the units below it.
    pub org: Option<i64>,
    pub asset: Option<i64>,
    /// none, low, medium, high or critical.
    pub severity: Option<String>,
    /// open, in_remediation, risk_accepted, fixed or false_positive.
    pub status: Option<String>,
    /// Only those in CISA's known-exploited catalogue.
    pub kev: Option<bool>,
    /// Only those still to deal with whose deadline (ours or CISA's) has passed.
    pub overdue: Option<bool>,
    /// nessus, openvas, trivy or sarif.
    pub source: Option<String>,
    /// Words in the title, rule, CVEs, host or package.
    pub q: Option<String>,
    /// severity (default), due, last_seen or title.
    pub sort: Option<String>,
    pub desc: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub fn filter_from(p: &VulnParams) -> Result<VulnFilter, AppError> {
    let severity = match p.severity.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Severity::parse(s).ok_or_else(|| invalid("severity", "error-choice"))?),
    };
    let status = match p.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(VulnerabilityStatus::parse(s).ok_or_else(|| invalid("status", "error-choice"))?)
        }
    };
    let source = match p.source.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            ScanFormat::parse(s)
                .ok_or_else(|| invalid("source", "error-choice"))?
                .as_str()
                .to_owned(),
        ),
    };
    Ok(VulnFilter {
        org_id: p.org,
        asset_id: p.asset,
        severity,
        status,
        known_exploited: p.kev.unwrap_or(false),
        overdue_on: p.overdue.unwrap_or(false).then(crate::time::today),
        source,
        text: p.q.clone(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct VulnPageOut(pub rempart_storage::list::Page<vulns::VulnRow>);

/// Vulnerabilities in the caller's reach, most severe first.
#[utoipa::path(get, path = "/api/v1/vulnerabilities", params(VulnParams), tag = "vulnerabilities",
    responses((status = 200, body = VulnPageOut), (status = 422, body = ErrorBody)))]
pub async fn list_vulnerabilities(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<VulnParams>,
) -> Result<Json<VulnPageOut>, AppError> {
    let filter = filter_from(&p)?;
    let sort = match p.sort.as_deref().filter(|s| !s.is_empty()) {
        None => VulnSort::default(),
        Some(s) => VulnSort::parse(s).ok_or_else(|| invalid("sort", "error-choice"))?,
    };
    let page = vulns::list(
        &app.store,
        scope(&actor, Permission::VulnerabilityRead),
        &filter,
        &PageRequest {
            limit: p.limit.unwrap_or(50).clamp(1, 500),
            offset: p.offset.unwrap_or(0).max(0),
            sort,
            descending: p.desc.unwrap_or(false),
        },
    )
    .await?;
    Ok(Json(VulnPageOut(page)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct VulnOut(pub vulns::VulnDetail);

/// One vulnerability: what the scanner said, its scores, deadlines and history.
#[utoipa::path(get, path = "/api/v1/vulnerabilities/{id}", tag = "vulnerabilities",
    responses((status = 200, body = VulnOut), (status = 404, body = ErrorBody)))]
pub async fn get_vulnerability(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<VulnOut>, AppError> {
    let v = vulns::get(&app.store, scope(&actor, Permission::VulnerabilityRead), id).await?;
    Ok(Json(VulnOut(v)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ImportOut(pub vulns::ImportRow);

/// The scanner report imports of an organization and the units below it, newest first.
#[utoipa::path(get, path = "/api/v1/organizations/{id}/scans", tag = "vulnerabilities",
    responses((status = 200, body = [ImportOut])))]
pub async fn list_imports(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ImportOut>>, AppError> {
    let rows = vulns::imports(
        &app.store,
        scope(&actor, Permission::VulnerabilityRead),
        id,
        200,
    )
    .await?;
    Ok(Json(rows.into_iter().map(ImportOut).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct UnmatchedOut(pub rempart_storage::vuln_import::UnmatchedHost);

/// The machines and targets of an import that no asset names, with their findings' count.
#[utoipa::path(get, path = "/api/v1/scans/{id}/unmatched-hosts", tag = "vulnerabilities",
    responses((status = 200, body = [UnmatchedOut])))]
pub async fn unmatched_hosts(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<Vec<UnmatchedOut>>, AppError> {
    let rows =
        vulns::unmatched(&app.store, scope(&actor, Permission::VulnerabilityRead), id).await?;
    Ok(Json(rows.into_iter().map(UnmatchedOut).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachIn {
    /// The machine's key, as the import's unmatched hosts give it.
    pub host_key: String,
    /// An asset in service that the caller manages, in the import's body or a unit below.
    pub asset_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AttachedOut(pub rempart_storage::vuln_attach::Attached);

/// Attaches a machine the import found but no asset named to an asset: the asset is given the
/// identifier the key stands for (address, FQDN or host name) so that the next scans match it,
/// the machine's vulnerabilities are linked to it now with their deadlines computed again for
/// its classification, and the host leaves the import's unmatched list. Audited.
#[utoipa::path(post, path = "/api/v1/scans/{id}/attach", request_body = AttachIn,
    tag = "vulnerabilities",
    responses((status = 200, body = AttachedOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn attach_host(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<AttachIn>,
) -> Result<Json<AttachedOut>, AppError> {
    let attached = rempart_storage::vuln_attach::attach_host(
        &app.store,
        scope(&actor, Permission::VulnerabilityImport),
        audit_context(&actor, &headers),
        id,
        &input.host_key,
        input.asset_id,
        crate::time::today(),
    )
    .await?;
    Ok(Json(AttachedOut(attached)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The report's file name, as it should be recorded.
    pub file_name: String,
    /// nessus, openvas, trivy or sarif; recognized from the content when absent.
    pub format: Option<String>,
    /// Findings below this severity are informational and not kept (low by default).
    pub min_severity: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ImportReportOut(pub rempart_storage::vuln_import::ImportReport);

/// Imports a scanner report sent as the request's body, in one transaction: a refused file
/// (its line and column named) writes nothing.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/scans", params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    tag = "vulnerabilities",
    responses((status = 201, body = ImportReportOut), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_scan(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(p): Query<ImportParams>,
    body: axum::body::Body,
) -> Result<Response, AppError> {
    let format = match p.format.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(f) => Some(ScanFormat::parse(f).ok_or_else(|| invalid("format", "error-choice"))?),
    };
    let min_severity = match p.min_severity.as_deref().filter(|s| !s.is_empty()) {
        None => Severity::Low,
        Some(s) => Severity::parse(s)
            .filter(|s| *s != Severity::None)
            .ok_or_else(|| invalid("min_severity", "error-choice"))?,
    };
    let file_name = p.file_name.trim();
    if file_name.is_empty() || file_name.chars().count() > 255 {
        return Err(invalid("file_name", "error-required"));
    }
    let spool = spool(body).await?;
    let report = run_import(
        &app,
        &actor,
        &headers,
        id,
        spool,
        file_name.to_owned(),
        format,
        min_severity,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ImportReportOut(report))).into_response())
}

/// The request's body, written to an unnamed temporary file as it arrives.
async fn spool(body: axum::body::Body) -> Result<std::fs::File, AppError> {
    let mut file = tempfile().map_err(AppError::internal)?;
    let mut stream = body.into_data_stream();
    let mut size = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| AppError::TooLarge)?;
        size += chunk.len();
        if size > MAX_REPORT_BYTES {
            return Err(AppError::TooLarge);
        }
        file.write_all(&chunk).map_err(AppError::internal)?;
    }
    use std::io::Seek;
    file.rewind().map_err(AppError::internal)?;
    Ok(file)
}

/// A file in the system's temporary directory, removed from the directory at once so that it
/// disappears with its handle whatever happens.
fn tempfile() -> std::io::Result<std::fs::File> {
    let mut name = [0u8; 16];
    getrandom::fill(&mut name).map_err(|e| std::io::Error::other(e.to_string()))?;
    let path = std::env::temp_dir().join(format!("rempart-upload-{}", hex::encode(name)));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(file)
}

/// Runs an import for a person, mapping a refused file to a 422 in their language.
#[allow(clippy::too_many_arguments)]
pub async fn run_import<R: std::io::Read + Send + 'static>(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    org_id: i64,
    reader: R,
    file_name: String,
    format: Option<ScanFormat>,
    min_severity: Severity,
) -> Result<rempart_storage::vuln_import::ImportReport, AppError> {
    scan_import::import(
        &app.store,
        scope(actor, Permission::VulnerabilityImport),
        audit_context(actor, headers),
        ScanFile {
            reader,
            file_name,
            format,
            org_id,
            min_severity,
            today: crate::time::today(),
        },
    )
    .await
    .map_err(|e| match e {
        ScanImportError::Read(read) => AppError::FileRefused(read.message(actor.person.language)),
        ScanImportError::Store(store) => AppError::from(store),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CvssIn {
    /// CVSS 3.0, 3.1 or 4.0 vectors (at most 1,000).
    pub vectors: Vec<String>,
}

/// Each vector's scores and severity, or its fault naming the metric.
#[utoipa::path(post, path = "/api/v1/cvss", request_body = CvssIn, tag = "vulnerabilities",
    responses((status = 200, description = "one result per vector, in order")))]
pub async fn score_vectors(
    Extension(actor): Extension<Actor>,
    Json(input): Json<CvssIn>,
) -> Result<Response, AppError> {
    if input.vectors.len() > 1000 {
        return Err(AppError::Invalid(vec![FieldError::with_limit(
            "vectors",
            "error-too-many",
            1000,
        )]));
    }
    let out: Vec<serde_json::Value> = input
        .vectors
        .iter()
        .map(|v| match cvss::score(v) {
            Ok(s) => serde_json::to_value(s).unwrap_or_default(),
            Err(e) => serde_json::json!({
                "vector": v,
                "error": {
                    "code": e.code(),
                    "metric": e.metric(),
                    "message": crate::i18n::cvss_message(actor.person.language, v, &e),
                }
            }),
        })
        .collect();
    Ok(Json(out).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusIn {
    /// open, in_remediation, risk_accepted, fixed or false_positive.
    pub status: String,
    /// Why: required to accept the risk, to call it a false positive, or to reopen.
    #[serde(default)]
    pub note: String,
    /// YYYY-MM-DD, after today and within a year: required to accept the risk.
    pub accepted_until: Option<String>,
    /// The version read (optimistic concurrency).
    pub version: i64,
}

/// The change a form or a request asks for, or the fields at fault.
pub fn status_change_of(
    status: &str,
    note: &str,
    accepted_until: Option<&str>,
) -> Result<rempart_domain::vulnerability::StatusChange, AppError> {
    let mut errors = Vec::new();
    let to = VulnerabilityStatus::parse(status.trim());
    if to.is_none() {
        errors.push(FieldError::new("status", "error-choice"));
    }
    if note.chars().count() > 4000 {
        errors.push(FieldError::with_limit("note", "error-too-long", 4000));
    }
    let until = match accepted_until.map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("accepted_until", "error-date"));
                None
            }
        },
    };
    match to {
        Some(to) if errors.is_empty() => Ok(rempart_domain::vulnerability::StatusChange {
            to,
            note: note.trim().to_owned(),
            accepted_until: until,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Changes a vulnerability's status: in remediation or fixed (holder or security staff), risk
/// accepted until a date within a year with a reason (the affected asset's holder), false
/// positive with a reason (security staff), reopened with a reason. Audited, in the history.
#[utoipa::path(post, path = "/api/v1/vulnerabilities/{id}/status", request_body = StatusIn,
    tag = "vulnerabilities",
    responses((status = 200, body = VulnOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_status(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<StatusIn>,
) -> Result<Json<VulnOut>, AppError> {
    // Out of reach reads as missing, before anything about the input is said.
    vulns::get(&app.store, scope(&actor, Permission::VulnerabilityRead), id).await?;
    let change = status_change_of(&input.status, &input.note, input.accepted_until.as_deref())?;
    rempart_storage::vuln_workflow::change_status(
        &app.store,
        scope(&actor, Permission::VulnerabilityManage),
        audit_context(&actor, &headers),
        id,
        input.version,
        &change,
        crate::time::today(),
    )
    .await?;
    let v = vulns::get(&app.store, scope(&actor, Permission::VulnerabilityRead), id).await?;
    Ok(Json(VulnOut(v)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct PolicyOut(pub rempart_storage::vuln_workflow::PolicyView);

/// The remediation delays that apply to a body: its own, else its nearest ancestor's
/// (`set_by_org_id`), else the default (15, 30, 90 and 180 days, halved for assets classified
/// at the top of their scale).
#[utoipa::path(get, path = "/api/v1/organizations/{id}/remediation-policy",
    tag = "vulnerabilities",
    responses((status = 200, body = PolicyOut), (status = 404, body = ErrorBody)))]
pub async fn get_policy(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<PolicyOut>, AppError> {
    let view = rempart_storage::vuln_workflow::policy(
        &app.store,
        scope(&actor, Permission::VulnerabilityRead),
        id,
    )
    .await?;
    Ok(Json(PolicyOut(view)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PolicyIn {
    pub critical_days: u32,
    pub high_days: u32,
    pub medium_days: u32,
    pub low_days: u32,
    /// The share of the delay left for an asset classified at the top of its scale (10–100).
    pub top_level_percent: u32,
}

/// Sets a body's own remediation delays (and so those of the units below it that have none):
/// deadlines computed from now on follow them.
#[utoipa::path(put, path = "/api/v1/organizations/{id}/remediation-policy",
    request_body = PolicyIn, tag = "vulnerabilities",
    responses((status = 200, body = PolicyOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_policy(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<PolicyIn>,
) -> Result<Json<PolicyOut>, AppError> {
    let view = rempart_storage::vuln_workflow::set_policy(
        &app.store,
        scope(&actor, Permission::VulnerabilityImport),
        audit_context(&actor, &headers),
        id,
        rempart_domain::vulnerability::RemediationPolicy {
            critical_days: input.critical_days,
            high_days: input.high_days,
            medium_days: input.medium_days,
            low_days: input.low_days,
            top_level_percent: input.top_level_percent,
        },
    )
    .await?;
    Ok(Json(PolicyOut(view)))
}
