//! Security advisories in the JSON API (GMVI-07): the list and one advisory with the assets
//! it concerns, a CSAF 2.0 document imported, an advisory recorded by hand. Recording one
//! matches it to the assets' software components and notifies their holders.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use rempart_domain::advisory::{
    Advisory, AdvisoryProduct, AdvisoryVulnerability, Component, ProductKey, ProductStatus,
    VersionSpec,
};
use rempart_domain::authz::Permission;
use rempart_domain::cvss::Severity;
use rempart_domain::FieldError;
use rempart_interchange::csaf::{self, CsafLimits};
use rempart_storage::advisories::{self, AdvisoryReport, AdvisorySource, Recording};
use rempart_storage::scope::Scope;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::policy::{Policy, Routes};
use crate::ui::audit_context;
use crate::AppState;

/// CSAF documents are tens to hundreds of kilobytes; this leaves room for the largest.
pub const MAX_CSAF_BYTES: usize = 32 * 1024 * 1024;

/// At most this many products in an advisory recorded by hand.
const MAX_MANUAL_PRODUCTS: usize = 500;

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    routes
        .get(
            "/api/v1/advisories",
            Needs(VulnerabilityRead),
            get(list_advisories),
        )
        .get(
            "/api/v1/advisories/{id}",
            Needs(VulnerabilityRead),
            get(get_advisory),
        )
        .post(
            "/api/v1/organizations/{id}/advisories",
            Needs(VulnerabilityImport),
            post(record_advisory),
        )
        .post(
            "/api/v1/organizations/{id}/advisories/csaf",
            Needs(VulnerabilityImport),
            post(import_csaf).layer(axum::extract::DefaultBodyLimit::max(MAX_CSAF_BYTES)),
        )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdvisoryParams {
    /// An organization: its advisories and those of the units below it.
    pub org: Option<i64>,
    /// Only those that concern at least one asset.
    pub matched: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AdvisoryRowOut(pub advisories::AdvisoryRow);

/// Advisories in the caller's reach, the most recently updated first.
#[utoipa::path(get, path = "/api/v1/advisories", params(AdvisoryParams), tag = "vulnerabilities",
    responses((status = 200, body = [AdvisoryRowOut])))]
pub async fn list_advisories(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<AdvisoryParams>,
) -> Result<Json<Vec<AdvisoryRowOut>>, AppError> {
    let rows = advisories::list(
        &app.store,
        scope(&actor, Permission::VulnerabilityRead),
        p.org,
        p.matched.unwrap_or(false),
        p.limit.unwrap_or(50).clamp(1, 500),
        p.offset.unwrap_or(0).max(0),
    )
    .await?;
    Ok(Json(rows.into_iter().map(AdvisoryRowOut).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AdvisoryOut(pub advisories::AdvisoryDetail);

/// One advisory with the assets it concerns, their holders and whether they were notified.
#[utoipa::path(get, path = "/api/v1/advisories/{id}", tag = "vulnerabilities",
    responses((status = 200, body = AdvisoryOut), (status = 404, body = ErrorBody)))]
pub async fn get_advisory(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<AdvisoryOut>, AppError> {
    let a = advisories::get(&app.store, scope(&actor, Permission::VulnerabilityRead), id).await?;
    Ok(Json(AdvisoryOut(a)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct AdvisoryReportOut(pub AdvisoryReport);

/// The SHA-256 of a document as recorded: the same document twice is recognized by it.
pub fn document_sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Reads a CSAF document and records it for a person; a refused document is a 422 that
/// names the field or the line and column, in the person's language.
pub async fn record_csaf(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    org_id: i64,
    bytes: &[u8],
) -> Result<AdvisoryReport, AppError> {
    // Out of reach reads as missing, before anything about the document is said.
    advisories::check_reach(
        &app.store,
        scope(actor, Permission::VulnerabilityImport),
        org_id,
    )
    .await?;
    let advisory = csaf::read(bytes, CsafLimits::default())
        .map_err(|e| AppError::FileRefused(e.message(actor.person.language)))?;
    let sha = document_sha256(bytes);
    let notifier = crate::gmvi::notifier(app);
    Ok(advisories::record(
        &app.store,
        scope(actor, Permission::VulnerabilityImport),
        audit_context(actor, headers),
        &notifier,
        Recording {
            org_id,
            advisory: &advisory,
            source: AdvisorySource::Csaf,
            sha256: Some(&sha),
        },
    )
    .await?)
}

/// Imports a CSAF 2.0 document sent as the request's body: recorded (or updated when the
/// publisher's tracking id is known), matched to the assets, their holders notified. The same
/// document again changes nothing.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/advisories/csaf",
    request_body(content = Object, content_type = "application/json"),
    tag = "vulnerabilities",
    responses((status = 201, body = AdvisoryReportOut), (status = 200, body = AdvisoryReportOut),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn import_csaf(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let report = record_csaf(&app, &actor, &headers, id, &body).await?;
    let status = if report.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(AdvisoryReportOut(report))).into_response())
}

/// An advisory entered by hand: a bulletin received by e-mail, a CERT notice.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AdvisoryIn {
    /// Who published it (a vendor, a CERT).
    pub publisher: String,
    /// The publisher's reference.
    pub reference: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// none, low, medium, high or critical.
    pub severity: Option<String>,
    pub url: Option<String>,
    /// CVE identifiers.
    #[serde(default)]
    pub cves: Vec<String>,
    /// The products concerned: CPE names or package URLs.
    pub products: Vec<String>,
    /// affected (default), under_investigation or fix_available.
    pub status: Option<String>,
}

/// The advisory a hand-entered form describes, or the fields at fault.
pub fn manual_advisory(input: &AdvisoryIn, today: &str) -> Result<Advisory, AppError> {
    let mut errors = Vec::new();
    let text = |value: &str, field: &str, max: usize, errors: &mut Vec<FieldError>| {
        let v = value.trim();
        if v.is_empty() {
            errors.push(FieldError::new(field, "error-required"));
        } else if v.chars().count() > max {
            errors.push(FieldError::with_limit(field, "error-too-long", max as u64));
        }
        v.to_owned()
    };
    let publisher = text(&input.publisher, "publisher", 200, &mut errors);
    let reference = text(&input.reference, "reference", 200, &mut errors);
    let title = text(&input.title, "title", 500, &mut errors);
    if input.summary.chars().count() > 20_000 {
        errors.push(FieldError::with_limit("summary", "error-too-long", 20_000));
    }
    let severity = match input
        .severity
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match Severity::parse(s) {
            Some(s) => Some(s),
            None => {
                errors.push(FieldError::new("severity", "error-choice"));
                None
            }
        },
    };
    let status = match input
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => ProductStatus::Affected,
        Some(s) => ProductStatus::parse(s).unwrap_or_else(|| {
            errors.push(FieldError::new("status", "error-choice"));
            ProductStatus::Affected
        }),
    };
    let url = input
        .url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    if let Some(u) = &url {
        if !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 2000 {
            errors.push(FieldError::new("url", "error-url"));
        }
    }
    let mut cves = Vec::new();
    for (i, c) in input.cves.iter().enumerate() {
        match rempart_interchange::scan::cve_id(c) {
            Some(id) => cves.push(id),
            None => errors.push(FieldError::new(format!("cves[{i}]"), "error-cve")),
        }
    }
    let products_in: Vec<&str> = input
        .products
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    if products_in.is_empty() {
        errors.push(FieldError::new("products", "error-required"));
    } else if products_in.len() > MAX_MANUAL_PRODUCTS {
        errors.push(FieldError::with_limit(
            "products",
            "error-too-many",
            MAX_MANUAL_PRODUCTS as u64,
        ));
    }
    let mut products = Vec::new();
    for (i, p) in products_in.iter().take(MAX_MANUAL_PRODUCTS).enumerate() {
        let key = match p.starts_with("pkg:") {
            true => Component::from_identifier("purl", p),
            false => Component::from_identifier("cpe", p),
        };
        match key {
            Some(Component::Cpe(c)) => products.push(AdvisoryProduct {
                product_id: format!("P{i}"),
                name: (*p).to_owned(),
                keys: vec![ProductKey::Cpe(c)],
            }),
            Some(Component::Purl(purl)) => products.push(AdvisoryProduct {
                product_id: format!("P{i}"),
                name: (*p).to_owned(),
                keys: vec![ProductKey::Purl {
                    purl,
                    range: VersionSpec::Any,
                }],
            }),
            None => errors.push(FieldError::new(format!("products[{i}]"), "error-product")),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let statuses: Vec<(String, ProductStatus)> = products
        .iter()
        .map(|p| (p.product_id.clone(), status))
        .collect();
    let vulnerabilities = if cves.is_empty() {
        vec![AdvisoryVulnerability {
            statuses,
            ..Default::default()
        }]
    } else {
        cves.iter()
            .map(|c| AdvisoryVulnerability {
                cve: Some(c.clone()),
                statuses: statuses.clone(),
                ..Default::default()
            })
            .collect()
    };
    Ok(Advisory {
        tracking_id: reference,
        version: "1".into(),
        title,
        publisher,
        category: "manual".into(),
        severity,
        summary: input.summary.trim().to_owned(),
        url,
        initial_release: Some(today.to_owned()),
        current_release: Some(today.to_owned()),
        products,
        vulnerabilities,
    })
}

/// Records an advisory entered by hand (or updates the one with this publisher and
/// reference), matched to the assets whose CPE or package URL it names.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/advisories", request_body = AdvisoryIn,
    tag = "vulnerabilities",
    responses((status = 201, body = AdvisoryReportOut), (status = 200, body = AdvisoryReportOut),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_advisory(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<AdvisoryIn>,
) -> Result<Response, AppError> {
    advisories::check_reach(
        &app.store,
        scope(&actor, Permission::VulnerabilityImport),
        id,
    )
    .await?;
    let advisory = manual_advisory(&input, &crate::time::today().to_string())?;
    let notifier = crate::gmvi::notifier(&app);
    let report = advisories::record(
        &app.store,
        scope(&actor, Permission::VulnerabilityImport),
        audit_context(&actor, &headers),
        &notifier,
        Recording {
            org_id: id,
            advisory: &advisory,
            source: AdvisorySource::Manual,
            sha256: None,
        },
    )
    .await?;
    let status = if report.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(AdvisoryReportOut(report))).into_response())
}
