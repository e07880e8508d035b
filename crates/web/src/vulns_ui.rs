//! The vulnerability pages (GMVI-04, GMVI-05): the list with its filters and its exports (CSV
//! and XLSX), one vulnerability with its scores, deadlines and history, and the import of a
//! scanner report with the history of imports and the machines no asset names. Every form
//! works without JavaScript; with it, the import shows its upload's progress
//! (`/static/upload.js`).

use askama::Template;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Extension;
use rempart_domain::authz::Permission;
use rempart_domain::cvss::Severity;
use rempart_domain::vulnerability::VulnerabilityStatus;
use rempart_interchange::scan::ScanFormat;
use rempart_storage::list::PageRequest;
use rempart_storage::scope::Scope;
use rempart_storage::vuln_import::UnmatchedHost;
use rempart_storage::vulns::{self, ImportRow, VulnDetail, VulnRow, VulnSort};

use crate::auth::Actor;
use crate::error::{AppError, Path, Query};
use crate::policy::{Policy, Routes};
use crate::ui::{org_choices, page_ctx, pager, Pager};
use crate::views::{render, Ctx};
use crate::vulns_api::{filter_from, run_import, VulnParams};
use crate::AppState;
use serde::Deserialize;

/// Exports stop here: a list longer than this is filtered first.
const EXPORT_MAX: i64 = 100_000;

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    routes
        .get("/static/upload.js", Public, get(upload_script))
        .get("/vulnerabilities", Needs(VulnerabilityRead), get(list_page))
        .get(
            "/vulnerabilities/export",
            Needs(VulnerabilityRead),
            get(export),
        )
        .get(
            "/vulnerabilities/import",
            Needs(VulnerabilityImport),
            get(import_form),
        )
        .post(
            "/vulnerabilities/import",
            Needs(VulnerabilityImport),
            post(import_submit).layer(DefaultBodyLimit::max(crate::middleware::UPLOAD_LIMIT)),
        )
        .get(
            "/vulnerabilities/imports/{id}",
            Needs(VulnerabilityRead),
            get(import_result),
        )
        .post(
            "/vulnerabilities/imports/{id}/attach",
            Needs(VulnerabilityImport),
            post(attach_submit),
        )
        .get(
            "/vulnerabilities/policy",
            Needs(VulnerabilityRead),
            get(policy_page),
        )
        .post(
            "/vulnerabilities/policy",
            Needs(VulnerabilityImport),
            post(policy_submit),
        )
        .get("/vulnerabilities/{id}", Needs(VulnerabilityRead), get(show))
        .post(
            "/vulnerabilities/{id}/status",
            Needs(VulnerabilityManage),
            post(status_submit),
        )
}

pub async fn upload_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/upload.js"),
    )
        .into_response()
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

fn label(ctx: &Ctx, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}-{code}");
    if crate::i18n::I18n::has(ctx.lang, &key) {
        ctx.t(&key)
    } else {
        code.to_owned()
    }
}

struct RowView {
    row: VulnRow,
    severity: String,
    status: String,
    score: String,
}

fn view(ctx: &Ctx, row: VulnRow) -> RowView {
    RowView {
        severity: label(ctx, "cvss-severity", &row.severity),
        status: label(ctx, "vuln-status", &row.status),
        score: row.score.map(|s| number(ctx, s)).unwrap_or_default(),
        row,
    }
}

fn number(ctx: &Ctx, value: f64) -> String {
    let text = format!("{value:.1}");
    if ctx.lang == rempart_domain::language::Language::Fr {
        text.replace('.', ",")
    } else {
        text
    }
}

#[derive(Template)]
#[template(path = "vulns.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<RowView>,
    pager: Pager,
    orgs: Vec<(i64, String)>,
    org: Option<i64>,
    severities: Vec<(&'static str, String)>,
    severity: String,
    statuses: Vec<(&'static str, String)>,
    status: String,
    sources: Vec<(&'static str, &'static str)>,
    source: String,
    kev: bool,
    overdue: bool,
    q: String,
    query: String,
    can_import: bool,
}

/// The query string of the filters, to carry into the pager and the exports.
fn query_of(p: &VulnParams) -> String {
    let mut parts = Vec::new();
    let mut add = |k: &str, v: String| {
        if !v.is_empty() {
            parts.push(format!("{k}={}", url_escape(&v)));
        }
    };
    add("org", p.org.map(|o| o.to_string()).unwrap_or_default());
    add("severity", p.severity.clone().unwrap_or_default());
    add("status", p.status.clone().unwrap_or_default());
    add("source", p.source.clone().unwrap_or_default());
    add("q", p.q.clone().unwrap_or_default());
    if p.kev == Some(true) {
        add("kev", "true".into());
    }
    if p.overdue == Some(true) {
        add("overdue", "true".into());
    }
    parts.join("&")
}

fn url_escape(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub async fn list_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<VulnParams>,
) -> Result<Response, AppError> {
    let filter = filter_from(&p)?;
    let ctx = page_ctx(&app, &actor, "/vulnerabilities").await?;
    let page = vulns::list(
        &app.store,
        scope(&actor, Permission::VulnerabilityRead),
        &filter,
        &PageRequest {
            limit: 50,
            offset: p.offset.unwrap_or(0).max(0),
            sort: p
                .sort
                .as_deref()
                .and_then(VulnSort::parse)
                .unwrap_or_default(),
            descending: p.desc.unwrap_or(false),
        },
    )
    .await?;
    let query = query_of(&p);
    let pager = pager(ctx.lang, &page, "/vulnerabilities", &query);
    let orgs = org_choices(&app, scope(&actor, Permission::VulnerabilityRead)).await?;
    let severities = Severity::ALL
        .iter()
        .rev()
        .map(|s| (s.as_str(), label(&ctx, "cvss-severity", s.as_str())))
        .collect();
    let statuses = VulnerabilityStatus::ALL
        .iter()
        .map(|s| (s.as_str(), label(&ctx, "vuln-status", s.as_str())))
        .collect();
    let sources = ScanFormat::ALL
        .iter()
        .map(|f| (f.as_str(), source_name(*f)))
        .collect();
    let rows = page.items.into_iter().map(|r| view(&ctx, r)).collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            rows,
            pager,
            orgs,
            org: p.org,
            severities,
            severity: p.severity.clone().unwrap_or_default(),
            statuses,
            status: p.status.clone().unwrap_or_default(),
            sources,
            source: p.source.clone().unwrap_or_default(),
            kev: p.kev.unwrap_or(false),
            overdue: p.overdue.unwrap_or(false),
            q: p.q.clone().unwrap_or_default(),
            query,
            can_import: actor.can(Permission::VulnerabilityImport),
            ctx,
        },
    ))
}

fn source_name(format: ScanFormat) -> &'static str {
    match format {
        ScanFormat::Nessus => "Nessus",
        ScanFormat::Openvas => "Greenbone/OpenVAS",
        ScanFormat::Trivy => "Trivy",
        ScanFormat::Sarif => "SARIF",
    }
}

/// The export's format, read beside the list's filters (a flattened struct would lose the
/// filters' types in a query string).
#[derive(Debug, serde::Deserialize)]
pub struct ExportParams {
    pub format: Option<String>,
}

/// The list, as filtered, in a spreadsheet: CSV (`;`, UTF-8 with BOM) or XLSX, formulas
/// neutralized.
pub async fn export(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<ExportParams>,
    Query(filters): Query<VulnParams>,
) -> Result<Response, AppError> {
    let filter = filter_from(&filters)?;
    let rows = vulns::export(
        &app.store,
        scope(&actor, Permission::VulnerabilityRead),
        &filter,
        EXPORT_MAX,
    )
    .await?;
    let lang = actor.person.language;
    let t = |k: &str| crate::i18n::t(lang, k);
    let headers: Vec<String> = [
        "vuln-col-id",
        "vuln-col-org",
        "vuln-col-title",
        "vuln-col-rule",
        "vuln-col-source",
        "vuln-col-host",
        "vuln-col-asset",
        "vuln-col-port",
        "vuln-col-package",
        "vuln-col-fixed-version",
        "vuln-col-cves",
        "vuln-col-severity",
        "vuln-col-score",
        "vuln-col-vector",
        "vuln-col-status",
        "vuln-col-due",
        "vuln-col-kev-due",
        "vuln-col-first-seen",
        "vuln-col-last-seen",
    ]
    .iter()
    .map(|k| t(k))
    .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let table: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.org_name,
                r.title,
                r.rule_id,
                r.source,
                r.host_label,
                r.asset_name.unwrap_or_default(),
                r.port,
                r.package,
                r.fixed_version,
                r.cves.join(" "),
                r.severity,
                r.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
                r.cvss_vector,
                r.status,
                r.due_on.unwrap_or_default(),
                r.kev_due_on.unwrap_or_default(),
                crate::time::iso(r.first_seen),
                crate::time::iso(r.last_seen),
            ]
        })
        .collect();
    let (bytes, content_type, extension) = match p.format.as_deref().unwrap_or("csv") {
        "csv" => (
            rempart_interchange::table::write_csv(&header_refs, &table)
                .map_err(AppError::internal)?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        "xlsx" => (
            rempart_interchange::table::write_xlsx(&t("vuln-sheet"), &header_refs, &table)
                .map_err(AppError::internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => {
            return Err(AppError::Invalid(vec![rempart_domain::FieldError::new(
                "format",
                "error-choice",
            )]))
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"vulnerabilites.{extension}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "vuln.html")]
struct DetailPage {
    ctx: Ctx,
    v: VulnDetail,
    severity: String,
    status: String,
    score: String,
    history: Vec<(String, String, String)>,
    /// The statuses it may move to, when the person may change it.
    next: Vec<(&'static str, String)>,
    form: StatusForm,
    /// The status form's faults: field, its label and the message.
    errors: Vec<(String, String, String)>,
    done: bool,
}

/// The status form, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub accepted_until: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ShowParams {
    pub done: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    Query(p): Query<ShowParams>,
) -> Result<Response, AppError> {
    detail(
        &app,
        &actor,
        id,
        StatusForm::default(),
        Vec::new(),
        p.done.is_some(),
        StatusCode::OK,
    )
    .await
}

async fn detail(
    app: &AppState,
    actor: &Actor,
    id: i64,
    form: StatusForm,
    errors: Vec<(String, String, String)>,
    done: bool,
    code: StatusCode,
) -> Result<Response, AppError> {
    let v = vulns::get(&app.store, scope(actor, Permission::VulnerabilityRead), id).await?;
    let ctx = page_ctx(app, actor, "/vulnerabilities").await?;
    let next = if actor.can(Permission::VulnerabilityManage) {
        VulnerabilityStatus::parse(&v.row.status)
            .map(|s| {
                s.next()
                    .iter()
                    .map(|n| (n.as_str(), label(&ctx, "vuln-status", n.as_str())))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let history = v
        .history
        .iter()
        .map(|h| {
            (
                ctx.time(h.at),
                label(&ctx, "vuln-status", &h.status),
                label(&ctx, "vuln-history", &h.note),
            )
        })
        .collect();
    Ok(render(
        code,
        &DetailPage {
            next,
            form,
            errors,
            done,
            severity: label(&ctx, "cvss-severity", &v.row.severity),
            status: label(&ctx, "vuln-status", &v.row.status),
            score: v.row.score.map(|s| number(&ctx, s)).unwrap_or_default(),
            history,
            v,
            ctx,
        },
    ))
}

#[derive(Template)]
#[template(path = "vuln_import.html")]
struct ImportPage {
    ctx: Ctx,
    orgs: Vec<(i64, String)>,
    org: Option<i64>,
    formats: Vec<(&'static str, &'static str)>,
    severities: Vec<(&'static str, String)>,
    min_severity: String,
    fault: Option<String>,
    imports: Vec<ImportRow>,
    limit_mib: i64,
}

async fn import_page(
    app: &AppState,
    actor: &Actor,
    org: Option<i64>,
    min_severity: &str,
    fault: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/vulnerabilities").await?;
    let orgs = org_choices(app, scope(actor, Permission::VulnerabilityImport)).await?;
    // The body the person works in, when they may import for it (the first choice could be a
    // unit without assets); else the first choice.
    let org = org.or_else(|| {
        actor
            .session
            .active_org_id
            .or(Some(actor.person.org_id))
            .filter(|o| orgs.iter().any(|(id, _)| id == o))
            .or(orgs.first().map(|o| o.0))
    });
    let imports = match org {
        Some(o) => vulns::imports(
            &app.store,
            scope(actor, Permission::VulnerabilityRead),
            o,
            20,
        )
        .await
        .unwrap_or_default(),
        None => Vec::new(),
    };
    let severities = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ]
    .iter()
    .map(|s| (s.as_str(), label(&ctx, "cvss-severity", s.as_str())))
    .collect();
    Ok(render(
        status,
        &ImportPage {
            orgs,
            org,
            formats: ScanFormat::ALL
                .iter()
                .map(|f| (f.as_str(), source_name(*f)))
                .collect(),
            severities,
            min_severity: min_severity.to_owned(),
            fault,
            imports,
            limit_mib: (crate::middleware::UPLOAD_LIMIT / (1024 * 1024)) as i64,
            ctx,
        },
    ))
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct ImportFormParams {
    pub org: Option<i64>,
}

pub async fn import_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<ImportFormParams>,
) -> Result<Response, AppError> {
    import_page(&app, &actor, p.org, "low", None, StatusCode::OK).await
}

/// The form posted: the file imported in one transaction, then the import's page; a refused
/// file shows the form again with the reason and its place.
pub async fn import_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, AppError> {
    let upload = read_upload(request, crate::middleware::UPLOAD_LIMIT).await?;
    let lang = actor.person.language;
    let org = upload.field("org_id").and_then(|v| v.parse::<i64>().ok());
    let min = upload.field("min_severity").unwrap_or("low").to_owned();
    let refuse = |key: &str| crate::i18n::t(lang, key);
    let Some(org) = org else {
        return import_page(
            &app,
            &actor,
            None,
            &min,
            Some(refuse("vuln-import-no-org")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let Some((file_name, bytes)) = upload.file.filter(|(_, b)| !b.is_empty()) else {
        return import_page(
            &app,
            &actor,
            Some(org),
            &min,
            Some(refuse("vuln-import-no-file")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let format = match upload
        .fields
        .get("format")
        .map(String::as_str)
        .filter(|f| !f.is_empty())
    {
        None => None,
        Some(f) => Some(ScanFormat::parse(f).ok_or_else(|| {
            AppError::Invalid(vec![rempart_domain::FieldError::new(
                "format",
                "error-choice",
            )])
        })?),
    };
    let min_severity = Severity::parse(&min)
        .filter(|s| *s != Severity::None)
        .ok_or_else(|| {
            AppError::Invalid(vec![rempart_domain::FieldError::new(
                "min_severity",
                "error-choice",
            )])
        })?;
    let file_name = if file_name.trim().is_empty() {
        "rapport".to_owned()
    } else {
        file_name.chars().take(255).collect()
    };
    match run_import(
        &app,
        &actor,
        &headers,
        org,
        std::io::Cursor::new(bytes),
        file_name,
        format,
        min_severity,
    )
    .await
    {
        Ok(report) => Ok(
            Redirect::to(&format!("/vulnerabilities/imports/{}", report.import_id)).into_response(),
        ),
        Err(refused @ AppError::FileRefused(_)) => {
            let reason = refused.message(lang);
            import_page(
                &app,
                &actor,
                Some(org),
                &min,
                Some(reason),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

pub(crate) struct Upload {
    pub fields: std::collections::HashMap<String, String>,
    pub file: Option<(String, Vec<u8>)>,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// An upload form (a scanner report, an advisory): its few small fields and the file, the
/// whole body at most `limit` bytes.
pub(crate) async fn read_upload(request: Request, limit: usize) -> Result<Upload, AppError> {
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or(AppError::UnsupportedMedia)?;
    let bytes = axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| AppError::TooLarge)?;
    let stream =
        futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut upload = Upload {
        fields: Default::default(),
        file: None,
    };
    let bad = |e: multer::Error| AppError::BadRequest(e.to_string().chars().take(300).collect());
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("").to_owned();
                let data = field.bytes().await.map_err(bad)?;
                upload.file = Some((file_name, data.to_vec()));
            }
            "org_id" | "format" | "min_severity" => {
                let text: String = field.text().await.map_err(bad)?.chars().take(100).collect();
                upload.fields.insert(name, text);
            }
            _ => {}
        }
    }
    Ok(upload)
}

#[derive(Template)]
#[template(path = "vuln_import_result.html")]
struct ResultPage {
    ctx: Ctx,
    import: ImportRow,
    unmatched: Vec<UnmatchedHost>,
    imported_at: String,
    /// The assets a machine may be attached to (those the person manages in the import's
    /// body and below, bounded); empty when the person may not attach.
    asset_choices: Vec<(i64, String)>,
    can_attach: bool,
    /// A refused attachment: the machine's key and the message.
    attach_error: Option<(String, String)>,
}

pub async fn import_result(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    Query(params): Query<DoneOnly>,
) -> Result<Response, AppError> {
    result_page(
        &app,
        &actor,
        id,
        params.done.is_some(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneOnly {
    pub done: Option<String>,
}

async fn result_page(
    app: &AppState,
    actor: &Actor,
    id: i64,
    attached: bool,
    attach_error: Option<(String, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let read = scope(actor, Permission::VulnerabilityRead);
    let unmatched = vulns::unmatched(&app.store, read, id).await?;
    let import = vulns::import(&app.store, read, id).await?;
    let mut ctx = page_ctx(app, actor, "/vulnerabilities").await?;
    if attached {
        ctx.flash = Some(ctx.t("vuln-attach-done"));
    }
    let can_attach = !unmatched.is_empty()
        && crate::risk_method_ui::allowed_in(
            app,
            actor,
            Permission::VulnerabilityImport,
            import.org_id,
        )
        .await?;
    let asset_choices = if can_attach {
        let page = rempart_storage::assets::list(
            &app.store,
            scope(actor, Permission::AssetManage),
            &rempart_storage::assets::AssetFilter {
                within: Some(import.org_id),
                ..Default::default()
            },
            crate::time::today(),
            &PageRequest {
                limit: 1000,
                offset: 0,
                sort: rempart_storage::assets::AssetSort::Name,
                descending: false,
            },
        )
        .await?;
        page.items
            .into_iter()
            .map(|a| (a.id, format!("{} ({})", a.name, a.org_name)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(
        status,
        &ResultPage {
            imported_at: ctx.time(import.imported_at),
            import,
            unmatched,
            asset_choices,
            can_attach,
            attach_error,
            ctx,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct AttachForm {
    #[serde(default)]
    pub host_key: String,
    #[serde(default)]
    pub asset_id: String,
}

/// A machine of the import attached to an asset (no script needed); a refusal shows the page
/// again with the message beside the machine.
pub async fn attach_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<AttachForm>,
) -> Result<Response, AppError> {
    let lang = actor.person.language;
    // Out of reach reads as missing, before anything about the input is said.
    vulns::import(&app.store, scope(&actor, Permission::VulnerabilityRead), id).await?;
    let result = match form.asset_id.trim().parse::<i64>() {
        Err(_) => Err(AppError::Invalid(vec![rempart_domain::FieldError::new(
            "asset_id",
            "error-required",
        )])),
        Ok(asset_id) => rempart_storage::vuln_attach::attach_host(
            &app.store,
            scope(&actor, Permission::VulnerabilityImport),
            crate::ui::audit_context(&actor, &headers),
            id,
            &form.host_key,
            asset_id,
            crate::time::today(),
        )
        .await
        .map(|_| ())
        .map_err(AppError::from),
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/vulnerabilities/imports/{id}?done=attach")).into_response())
        }
        Err(AppError::Invalid(fields)) => {
            let message = fields
                .iter()
                .map(|f| {
                    format!(
                        "{} : {}",
                        crate::i18n::t(lang, &format!("vuln-field-{}", f.field)),
                        crate::i18n::field_message(lang, f.code, f.limit)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ");
            result_page(
                &app,
                &actor,
                id,
                false,
                Some((form.host_key.trim().to_owned(), message)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// The status form posted: the change made, then the page; a refused change shows the page
/// again with the fields at fault.
pub async fn status_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<StatusForm>,
) -> Result<Response, AppError> {
    let lang = actor.person.language;
    let result = async {
        let change = crate::vulns_api::status_change_of(
            &form.status,
            &form.note,
            Some(form.accepted_until.as_str()),
        )?;
        let version = form.version.trim().parse::<i64>().unwrap_or(0);
        rempart_storage::vuln_workflow::change_status(
            &app.store,
            scope(&actor, Permission::VulnerabilityManage),
            crate::ui::audit_context(&actor, &headers),
            id,
            version,
            &change,
            crate::time::today(),
        )
        .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/vulnerabilities/{id}?done=status")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let errors = fields
                .into_iter()
                .map(|f| {
                    let name = crate::i18n::t(lang, &format!("vuln-field-{}", f.field));
                    (
                        f.field,
                        name,
                        crate::i18n::field_message(lang, f.code, f.limit),
                    )
                })
                .collect();
            detail(
                &app,
                &actor,
                id,
                form,
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Stale) => {
            let errors = vec![(
                "version".to_owned(),
                crate::i18n::t(lang, "vuln-field-version"),
                crate::i18n::t(lang, "error-stale"),
            )];
            detail(&app, &actor, id, form, errors, false, StatusCode::CONFLICT).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "vuln_policy.html")]
struct PolicyPage {
    ctx: Ctx,
    orgs: Vec<(i64, String)>,
    org: i64,
    /// The delays as shown or as typed: critical, high, medium, low, top-level share.
    values: [String; 5],
    /// Whose delays apply: this body's, an ancestor's (its name) or the default.
    origin: String,
    can_set: bool,
    errors: Vec<(String, String, String)>,
    done: bool,
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct PolicyParams {
    pub org: Option<i64>,
    pub done: Option<String>,
}

const POLICY_FIELDS: [&str; 5] = [
    "critical_days",
    "high_days",
    "medium_days",
    "low_days",
    "top_level_percent",
];

async fn policy_view(
    app: &AppState,
    actor: &Actor,
    org: Option<i64>,
    typed: Option<[String; 5]>,
    errors: Vec<(String, String, String)>,
    done: bool,
    code: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/vulnerabilities").await?;
    let orgs = org_choices(app, scope(actor, Permission::VulnerabilityRead)).await?;
    let org = org
        .or(actor.session.active_org_id)
        .filter(|o| orgs.iter().any(|(id, _)| id == o))
        .or(orgs.first().map(|o| o.0))
        .ok_or(AppError::NotFound)?;
    let view = rempart_storage::vuln_workflow::policy(
        &app.store,
        scope(actor, Permission::VulnerabilityRead),
        org,
    )
    .await?;
    let p = view.policy;
    let values = typed.unwrap_or_else(|| {
        [
            p.critical_days,
            p.high_days,
            p.medium_days,
            p.low_days,
            p.top_level_percent,
        ]
        .map(|v| v.to_string())
    });
    let origin = match view.set_by_org_id {
        None => ctx.t("vuln-policy-default"),
        Some(o) if o == org => ctx.t("vuln-policy-own"),
        Some(o) => {
            let name = orgs
                .iter()
                .find(|(id, _)| *id == o)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| o.to_string());
            format!("{} {name}", ctx.t("vuln-policy-inherited"))
        }
    };
    Ok(render(
        code,
        &PolicyPage {
            can_set: actor.can(Permission::VulnerabilityImport),
            orgs,
            org,
            values,
            origin,
            errors,
            done,
            ctx,
        },
    ))
}

pub async fn policy_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<PolicyParams>,
) -> Result<Response, AppError> {
    policy_view(
        &app,
        &actor,
        p.org,
        None,
        Vec::new(),
        p.done.is_some(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct PolicyForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub critical_days: String,
    #[serde(default)]
    pub high_days: String,
    #[serde(default)]
    pub medium_days: String,
    #[serde(default)]
    pub low_days: String,
    #[serde(default)]
    pub top_level_percent: String,
}

/// The delays posted: set for the body, then the page; refused values shown again with the
/// fields at fault.
pub async fn policy_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<PolicyForm>,
) -> Result<Response, AppError> {
    let lang = actor.person.language;
    let org: i64 = form.org_id.trim().parse().map_err(|_| AppError::NotFound)?;
    let typed = [
        form.critical_days.clone(),
        form.high_days.clone(),
        form.medium_days.clone(),
        form.low_days.clone(),
        form.top_level_percent.clone(),
    ];
    let mut numbers = [0u32; 5];
    let mut errors = Vec::new();
    for (i, field) in POLICY_FIELDS.iter().enumerate() {
        match typed[i].trim().parse::<u32>() {
            Ok(n) => numbers[i] = n,
            Err(_) => errors.push(rempart_domain::FieldError::new(*field, "error-number")),
        }
    }
    let result = if errors.is_empty() {
        rempart_storage::vuln_workflow::set_policy(
            &app.store,
            scope(&actor, Permission::VulnerabilityImport),
            crate::ui::audit_context(&actor, &headers),
            org,
            rempart_domain::vulnerability::RemediationPolicy {
                critical_days: numbers[0],
                high_days: numbers[1],
                medium_days: numbers[2],
                low_days: numbers[3],
                top_level_percent: numbers[4],
            },
        )
        .await
        .map(|_| ())
        .map_err(AppError::from)
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/vulnerabilities/policy?org={org}&done=1")).into_response())
        }
        Err(AppError::Invalid(fields)) => {
            let errors = fields
                .into_iter()
                .map(|f| {
                    let name =
                        crate::i18n::t(lang, &format!("vuln-policy-{}", f.field.replace('_', "-")));
                    (
                        f.field,
                        name,
                        crate::i18n::field_message(lang, f.code, f.limit),
                    )
                })
                .collect();
            policy_view(
                &app,
                &actor,
                Some(org),
                Some(typed),
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}
