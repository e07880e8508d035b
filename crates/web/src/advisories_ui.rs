//! The advisory pages (GMVI-07): the list, one advisory with the assets it concerns and
//! their holders, and the page to record one (a CSAF file, or a bulletin typed in). Both forms
//! work without JavaScript.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use rempart_domain::advisory::ProductStatus;
use rempart_domain::authz::Permission;
use rempart_domain::cvss::Severity;
use rempart_storage::advisories::{self, AdvisoryDetail, AdvisoryRow, AdvisorySource, Recording};
use rempart_storage::scope::Scope;

use crate::advisories_api::{manual_advisory, record_csaf, AdvisoryIn, MAX_CSAF_BYTES};
use crate::auth::Actor;
use crate::error::{AppError, Path, Query};
use crate::policy::{Policy, Routes};
use crate::ui::{audit_context, org_choices, page_ctx};
use crate::views::{render, Ctx};
use crate::AppState;

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    routes
        .get("/advisories", Needs(VulnerabilityRead), get(list_page))
        .get("/advisories/new", Needs(VulnerabilityImport), get(new_page))
        .post(
            "/advisories/new",
            Needs(VulnerabilityImport),
            post(new_submit),
        )
        .post(
            "/advisories/csaf",
            Needs(VulnerabilityImport),
            post(csaf_submit).layer(DefaultBodyLimit::max(MAX_CSAF_BYTES + 64 * 1024)),
        )
        .get("/advisories/{id}", Needs(VulnerabilityRead), get(show))
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

fn severity_label(ctx: &Ctx, severity: Option<&str>) -> String {
    match severity {
        Some(s) => ctx.t(&format!("cvss-severity-{s}")),
        None => ctx.t("advisory-severity-none"),
    }
}

#[derive(Template)]
#[template(path = "advisories.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<(AdvisoryRow, String)>,
    matched: bool,
    can_record: bool,
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ListParams {
    pub matched: Option<String>,
    pub org: Option<i64>,
}

pub async fn list_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<ListParams>,
) -> Result<Response, AppError> {
    let matched = p.matched.as_deref().is_some_and(|m| !m.is_empty());
    let rows = advisories::list(
        &app.store,
        scope(&actor, Permission::VulnerabilityRead),
        p.org,
        matched,
        500,
        0,
    )
    .await?;
    let ctx = page_ctx(&app, &actor, "/advisories").await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let s = severity_label(&ctx, r.severity.as_deref());
            (r, s)
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            rows,
            matched,
            can_record: actor.can(Permission::VulnerabilityImport),
            ctx,
        },
    ))
}

#[derive(Template)]
#[template(path = "advisory.html")]
struct DetailPage {
    ctx: Ctx,
    a: AdvisoryDetail,
    severity: String,
    source: String,
    updated_at: String,
    /// Status label, when matched, when notified (or empty).
    matches: Vec<(String, String, String)>,
}

pub async fn show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = advisories::get(&app.store, scope(&actor, Permission::VulnerabilityRead), id).await?;
    let ctx = page_ctx(&app, &actor, "/advisories").await?;
    let matches = a
        .matches
        .iter()
        .map(|m| {
            (
                ctx.t(&format!("advisory-status-{}", m.status)),
                ctx.time(m.matched_at),
                m.notified_at.map(|t| ctx.time(t)).unwrap_or_default(),
            )
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &DetailPage {
            severity: severity_label(&ctx, a.row.severity.as_deref()),
            updated_at: ctx.time(a.row.updated_at),
            source: ctx.t(&format!("advisory-source-{}", a.row.source)),
            matches,
            a,
            ctx,
        },
    ))
}

/// The values of the hand-entered form, as typed.
#[derive(Debug, serde::Deserialize, Default, Clone)]
pub struct ManualForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub publisher: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub cves: String,
    #[serde(default)]
    pub products: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub summary: String,
}

#[derive(Template)]
#[template(path = "advisory_new.html")]
struct NewPage {
    ctx: Ctx,
    orgs: Vec<(i64, String)>,
    form: ManualForm,
    severities: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    /// The CSAF upload's refusal, when it was refused.
    csaf_fault: Option<String>,
    /// The hand-entered form's faults: field and message.
    errors: Vec<(String, String, String)>,
    limit_mib: i64,
}

async fn new_form(
    app: &AppState,
    actor: &Actor,
    form: ManualForm,
    csaf_fault: Option<String>,
    errors: Vec<(String, String, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/advisories").await?;
    let orgs = org_choices(app, scope(actor, Permission::VulnerabilityImport)).await?;
    // The body the person works in, when they may record for it; else the first choice.
    let mut form = form;
    if form.org_id.is_empty() {
        let preferred = actor
            .session
            .active_org_id
            .or(Some(actor.person.org_id))
            .filter(|o| orgs.iter().any(|(id, _)| id == o))
            .or(orgs.first().map(|o| o.0));
        form.org_id = preferred.map(|o| o.to_string()).unwrap_or_default();
    }
    let severities = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ]
    .iter()
    .map(|s| (s.as_str(), ctx.t(&format!("cvss-severity-{}", s.as_str()))))
    .collect();
    let statuses = ProductStatus::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                ctx.t(&format!("advisory-status-{}", s.as_str())),
            )
        })
        .collect();
    Ok(render(
        status,
        &NewPage {
            orgs,
            form,
            severities,
            statuses,
            csaf_fault,
            errors,
            limit_mib: (MAX_CSAF_BYTES / (1024 * 1024)) as i64,
            ctx,
        },
    ))
}

pub async fn new_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    new_form(
        &app,
        &actor,
        ManualForm::default(),
        None,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn new_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<ManualForm>,
) -> Result<Response, AppError> {
    let lang = actor.person.language;
    let input = AdvisoryIn {
        publisher: form.publisher.clone(),
        reference: form.reference.clone(),
        title: form.title.clone(),
        summary: form.summary.clone(),
        severity: Some(form.severity.clone()),
        url: Some(form.url.clone()),
        cves: form
            .cves
            .split([' ', ',', '\n', '\r', ';'])
            .filter(|c| !c.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        products: form.products.lines().map(str::to_owned).collect(),
        status: Some(form.status.clone()),
    };
    let result = async {
        let org: i64 = form.org_id.trim().parse().map_err(|_| {
            AppError::Invalid(vec![rempart_domain::FieldError::new(
                "org_id",
                "error-required",
            )])
        })?;
        advisories::check_reach(
            &app.store,
            scope(&actor, Permission::VulnerabilityImport),
            org,
        )
        .await?;
        let advisory = manual_advisory(&input, &crate::time::today().to_string())?;
        let report = advisories::record(
            &app.store,
            scope(&actor, Permission::VulnerabilityImport),
            audit_context(&actor, &headers),
            &crate::gmvi::notifier(&app),
            Recording {
                org_id: org,
                advisory: &advisory,
                source: AdvisorySource::Manual,
                sha256: None,
            },
        )
        .await?;
        Ok::<_, AppError>(report)
    }
    .await;
    match result {
        Ok(report) => {
            Ok(Redirect::to(&format!("/advisories/{}", report.advisory_id)).into_response())
        }
        Err(AppError::Invalid(fields)) => {
            let errors = fields
                .into_iter()
                .map(|f| {
                    let message = crate::i18n::field_message(lang, f.code, f.limit);
                    // `products[1]`: the field's label and the line it is about.
                    let (base, index) = match f.field.split_once('[') {
                        Some((b, rest)) => (
                            b.to_owned(),
                            rest.trim_end_matches(']').parse::<usize>().ok(),
                        ),
                        None => (f.field.clone(), None),
                    };
                    let mut label = crate::i18n::t(lang, &format!("advisory-field-{base}"));
                    if let Some(i) = index {
                        label = format!(
                            "{label} ({} {})",
                            crate::i18n::t(lang, "advisory-field-line"),
                            i + 1
                        );
                    }
                    (base, label, message)
                })
                .collect();
            new_form(
                &app,
                &actor,
                form,
                None,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// The CSAF file posted: recorded, then its page; a refused file shows the form again with
/// the reason and its place.
pub async fn csaf_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, AppError> {
    let upload = crate::vulns_ui::read_upload(request, MAX_CSAF_BYTES + 64 * 1024).await?;
    let lang = actor.person.language;
    let refuse = |key: &str| Some(crate::i18n::t(lang, key));
    let again = |fault: Option<String>| {
        new_form(
            &app,
            &actor,
            ManualForm::default(),
            fault,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let Some(org) = upload.field("org_id").and_then(|v| v.parse::<i64>().ok()) else {
        return again(refuse("vuln-import-no-org")).await;
    };
    let Some((_, bytes)) = upload.file.filter(|(_, b)| !b.is_empty()) else {
        return again(refuse("advisory-no-file")).await;
    };
    match record_csaf(&app, &actor, &headers, org, &bytes).await {
        Ok(report) => {
            Ok(Redirect::to(&format!("/advisories/{}", report.advisory_id)).into_response())
        }
        Err(refused @ AppError::FileRefused(_)) => again(Some(refused.message(lang))).await,
        Err(other) => Err(other),
    }
}
