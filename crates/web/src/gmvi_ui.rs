//! The GMVI pages (GMVI-01, GMVI-02, GMVI-03, GMVI-08, PLAT-10): reporting a security event
//! in one click from every page, the coordinator's queue and triage, incidents with their
//! assets, roles, tasks, notices, evidence and timeline, the acknowledgement of notices, the
//! inbox, the alert network (issuing, the issuer's compliance board, a body's answers) and the
//! escalation rules of an organization. Every form works without JavaScript, posts back with
//! the CSRF token and shows its faults next to their fields; the rules are the domain's and the
//! queries storage's, shared with the JSON API.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Extension;
use chrono::TimeZone;
use rempart_domain::alert::{AlertDraft, Compliance, DueDraft, TargetStatus};
use rempart_domain::authz::{allows, Permission};
use rempart_domain::calendar::{DayCount, Delay};
use rempart_domain::escalation::{self, Condition, Rule};
use rempart_domain::incident::{
    self, AssetImpact, EntryInput, EntryKind, EventDraft, EventStatus, Impact, IncidentDraft,
    IncidentRole, IncidentStatus, PersonalInfo, TaskStatus, Triage,
};
use rempart_domain::org::OrgKind;
use rempart_domain::FieldError;
use rempart_storage::assets::{self, AssetFilter, AssetSort};
use rempart_storage::evidence::{self, Attached, Evidence, ReadError};
use rempart_storage::list::{Page, PageRequest};
use rempart_storage::orgs::{self, OrgFilter, OrgSort};
use rempart_storage::scope::Scope;
use rempart_storage::{alerts, events, inbox, incidents, notices, StoreError};
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, Form, Path, Query};
use crate::i18n::t_args;
use crate::policy::{Policy, Routes};
use crate::ui::{audit_context, page_ctx, Pager};
use crate::views::{render, Ctx, ErrorPage, FormState};
use crate::AppState;

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    // An upload route reads its multipart body itself, bounded by the evidence store's limit
    // (`app.config.evidence.max_bytes` and a margin for the form's other parts): the router's
    // default limit is for small forms. The CSRF check has read the body already, within
    // `middleware::UPLOAD_LIMIT`.
    let upload = || DefaultBodyLimit::max(crate::middleware::UPLOAD_LIMIT);
    routes
        .get("/report", Needs(EventReport), get(report_form))
        .post("/report", Needs(EventReport), post(report_submit))
        .get("/events/mine", SignedIn, get(events_mine))
        .get("/events", Needs(EventTriage), get(events_queue))
        .get("/events/{id}", SignedIn, get(event_show))
        .post(
            "/events/{id}/triage",
            Needs(EventTriage),
            post(event_triage),
        )
        .get("/incidents", Needs(IncidentRead), get(incidents_list))
        .get("/incidents/new", Needs(IncidentManage), get(incident_new))
        .post("/incidents", Needs(IncidentManage), post(incident_create))
        .get("/incidents/{id}", Needs(IncidentRead), get(incident_show))
        .post(
            "/incidents/{id}",
            Needs(IncidentManage),
            post(incident_update),
        )
        .post(
            "/incidents/{id}/status",
            Needs(IncidentManage),
            post(incident_status),
        )
        .post(
            "/incidents/{id}/assets",
            Needs(IncidentManage),
            post(incident_asset_set),
        )
        .post(
            "/incidents/{id}/assets/{asset_id}/remove",
            Needs(IncidentManage),
            post(incident_asset_remove),
        )
        .post(
            "/incidents/{id}/roles",
            Needs(IncidentManage),
            post(incident_role),
        )
        .post(
            "/incidents/{id}/tasks",
            Needs(IncidentManage),
            post(incident_task_add),
        )
        .post(
            "/incidents/{id}/tasks/{task_id}/status",
            Needs(IncidentManage),
            post(incident_task_status),
        )
        .post(
            "/incidents/{id}/entries",
            Needs(IncidentManage),
            post(incident_entry_add),
        )
        .post(
            "/incidents/{id}/evidence",
            Needs(IncidentManage),
            post(incident_evidence_upload).layer(upload()),
        )
        .get(
            "/incidents/{id}/evidence/{file_id}",
            Needs(IncidentRead),
            get(incident_evidence_download),
        )
        .get("/notices", SignedIn, get(notices_page))
        .post(
            "/notices/{id}/acknowledge",
            SignedIn,
            post(notice_acknowledge),
        )
        .get("/inbox", SignedIn, get(inbox_page))
        .post("/inbox/read-all", SignedIn, post(inbox_read_all))
        .post("/inbox/{id}/read", SignedIn, post(inbox_read))
        .get("/alerts", Needs(AlertRead), get(alerts_list))
        .get("/alerts/new", Needs(AlertIssue), get(alert_new))
        .post("/alerts", Needs(AlertIssue), post(alert_issue))
        .get("/alerts/{id}", Needs(AlertRead), get(alert_show))
        .post(
            "/alerts/{id}/withdraw",
            Needs(AlertIssue),
            post(alert_withdraw),
        )
        .post(
            "/alerts/{id}/respond",
            Needs(AlertRespond),
            post(alert_respond),
        )
        .post(
            "/alerts/{id}/evidence",
            Needs(AlertRespond),
            post(alert_evidence_upload).layer(upload()),
        )
        .get(
            "/alerts/{id}/evidence/{org_id}/{file_id}",
            Needs(AlertRead),
            get(alert_evidence_download),
        )
        .get(
            "/escalation-rules",
            Needs(EscalationManage),
            get(rules_page),
        )
        .post(
            "/escalation-rules",
            Needs(EscalationManage),
            post(rules_save),
        )
}

// ---------------------------------------------------------------- shared

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

/// A record's id from the path: anything but a number names no record.
fn record_id(raw: &str) -> Result<i64, AppError> {
    raw.trim().parse::<i64>().map_err(|_| AppError::NotFound)
}

/// A message key from a prefix and a stored code: `incident-category-data-leak`.
fn key(prefix: &str, code: &str) -> String {
    format!("{prefix}-{}", code.replace('_', "-"))
}

const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];
const TRIAGE_DECISIONS: [&str; 5] = ["threat", "vulnerability", "incident", "merge", "close"];
const RECIPIENTS: [&str; 5] = [
    "ciso",
    "delegated_ciso",
    "privacy_officer",
    "operational_centre",
    "government_ciso",
];
#[cfg(test)]
const EMAIL_STATUSES: [&str; 4] = ["queued", "sending", "sent", "failed"];
const DONE: [&str; 18] = [
    "reported",
    "triaged",
    "opened",
    "updated",
    "status",
    "asset",
    "asset-removed",
    "role",
    "task",
    "task-status",
    "entry",
    "evidence",
    "acknowledged",
    "read",
    "issued",
    "responded",
    "withdrawn",
    "saved",
];

/// A label for a stored code, or the code itself when it names nothing known (never a
/// missing-key marker).
fn label(ctx: &Ctx, prefix: &str, code: &str) -> String {
    let k = key(prefix, code);
    if crate::i18n::I18n::has(ctx.lang, &k) {
        ctx.t(&k)
    } else {
        code.to_owned()
    }
}

fn choices(ctx: &Ctx, prefix: &str, codes: &[&'static str]) -> Vec<(&'static str, String)> {
    codes.iter().map(|c| (*c, label(ctx, prefix, c))).collect()
}

fn categories(ctx: &Ctx) -> Vec<(&'static str, String)> {
    choices(ctx, "incident-category", &incident::CATEGORIES)
}

fn severities(ctx: &Ctx) -> Vec<(&'static str, String)> {
    choices(ctx, "severity", &SEVERITIES)
}

/// The flash of a page after a change (`?done=`), for the changes it knows.
fn flash(ctx: &mut Ctx, done: Option<&str>) {
    if let Some(d) = done.filter(|d| DONE.contains(d)) {
        ctx.flash = Some(ctx.t(&format!("gmvi-done-{d}")));
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneParams {
    pub done: Option<String>,
    pub offset: Option<String>,
    pub status: Option<String>,
    pub org_id: Option<String>,
    pub all: Option<String>,
}

/// Whether the person's grants give `permission` on `org_id` (the domain's rule).
async fn holds(
    app: &AppState,
    actor: &Actor,
    permission: Permission,
    org_id: i64,
) -> Result<bool, AppError> {
    if !actor.can(permission) {
        return Ok(false);
    }
    let mut conn = app.store.pool().acquire().await.map_err(StoreError::from)?;
    let path = orgs::ancestors(&mut conn, org_id).await?;
    Ok(allows(&actor.grants, permission, &path))
}

/// The organizations of `kinds` within `scope`, by name.
async fn orgs_of_kinds(
    app: &AppState,
    scope: Scope,
    kinds: &[OrgKind],
) -> Result<Vec<(i64, String)>, AppError> {
    let page = orgs::list(
        &app.store,
        scope,
        &OrgFilter::default(),
        &PageRequest {
            limit: 5000,
            offset: 0,
            sort: OrgSort::Name,
            descending: false,
        },
    )
    .await?;
    Ok(page
        .items
        .into_iter()
        .filter(|o| kinds.contains(&o.kind))
        .map(|o| (o.id, o.name))
        .collect())
}

/// Names of organizations by id (organizations are readable by every role).
async fn org_names(app: &AppState, ids: &[i64]) -> Result<HashMap<i64, String>, AppError> {
    use sqlx::Row;
    let mut ids: Vec<i64> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // Integers from our own records, written as literals.
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(&format!(
        "SELECT id, name FROM organizations WHERE id IN ({list})"
    ))
    .fetch_all(app.store.pool())
    .await
    .map_err(StoreError::from)?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<i64, _>("id").map_err(StoreError::from)?,
                r.try_get::<String, _>("name").map_err(StoreError::from)?,
            ))
        })
        .collect()
}

/// The bare field an anchor names (`entry-decided_by` → `decided_by`) and its label key.
const FIELD_LABELS: [(&str, &str); 48] = [
    ("summary", "gmvi-field-summary"),
    ("details", "gmvi-field-details"),
    ("observed", "gmvi-field-observed"),
    ("observed_time", "gmvi-field-observed-time"),
    ("asset_id", "gmvi-field-asset"),
    ("personal_info", "gmvi-field-personal-info"),
    ("org_id", "gmvi-field-org"),
    ("decision", "gmvi-field-decision"),
    ("note", "gmvi-field-note"),
    ("into", "gmvi-field-into"),
    ("title", "gmvi-field-title"),
    ("description", "gmvi-field-description"),
    ("category", "gmvi-field-category"),
    ("severity", "gmvi-field-severity"),
    ("incident_id", "gmvi-field-incident"),
    ("incident_choice", "gmvi-field-incident-choice"),
    ("status", "gmvi-field-status"),
    ("version", "gmvi-field-version"),
    ("detected", "gmvi-field-detected"),
    ("lessons", "gmvi-field-lessons"),
    ("reason", "gmvi-field-reason"),
    ("tasks", "gmvi-field-tasks"),
    ("roles.lead", "gmvi-field-lead"),
    ("availability", "gmvi-field-availability"),
    ("integrity", "gmvi-field-integrity"),
    ("confidentiality", "gmvi-field-confidentiality"),
    ("person_id", "gmvi-field-person"),
    ("role", "gmvi-field-role"),
    ("owner_id", "gmvi-field-owner"),
    ("due_on", "gmvi-field-due-on"),
    ("kind", "gmvi-field-kind"),
    ("body", "gmvi-field-body"),
    ("occurred_at", "gmvi-field-occurred-at"),
    ("decided_by", "gmvi-field-decided-by"),
    ("file", "gmvi-field-file"),
    ("report", "gmvi-field-report"),
    ("due_days", "gmvi-field-due-days"),
    ("due_count", "gmvi-field-due-count"),
    ("due_mode", "gmvi-field-due-mode"),
    ("targets", "gmvi-field-targets"),
    ("rules", "gmvi-field-rules"),
    ("name", "gmvi-field-rule-name"),
    ("min_severity", "gmvi-field-min-severity"),
    ("top_classification", "gmvi-field-top-classification"),
    ("min_bodies", "gmvi-field-min-bodies"),
    ("categories", "gmvi-field-categories"),
    ("notify", "gmvi-field-notify"),
    ("ack_hours", "gmvi-field-ack-hours"),
];

fn bare_label(ctx: &Ctx, field: &str) -> String {
    FIELD_LABELS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, k)| ctx.t(k))
        .unwrap_or_else(|| field.to_owned())
}

/// The label of the field an error anchor names: `rules.2.notify` → "Règle 3 — Destinataires".
fn field_label(ctx: &Ctx, anchor: &str) -> String {
    if let Some((row, field)) = anchor
        .strip_prefix("rules.")
        .and_then(|rest| rest.split_once('.'))
    {
        let number = row.parse::<i64>().map(|n| n + 1).unwrap_or(0);
        return format!(
            "{} — {}",
            ctx.tn("rule-number", "number", number),
            bare_label(ctx, field)
        );
    }
    bare_label(ctx, anchor.rsplit('-').next().unwrap_or(anchor))
}

/// Each fault of a form with the label of its field, for the summary at the top of the page.
fn faults(ctx: &Ctx, form: &FormState) -> Vec<(String, String)> {
    form.errors
        .iter()
        .map(|(field, message)| {
            (
                field.clone(),
                t_args(
                    ctx.lang,
                    "gmvi-fault",
                    &[
                        ("field", field_label(ctx, field).into()),
                        ("message", message.clone().into()),
                    ],
                ),
            )
        })
        .collect()
}

/// Errors renamed under a form's prefix, one per field (the first found).
fn prefixed(prefix: &str, errors: Vec<FieldError>) -> Vec<FieldError> {
    let mut out: Vec<FieldError> = Vec::with_capacity(errors.len());
    for mut e in errors {
        e.field = format!("{prefix}{}", e.field);
        if !out.iter().any(|o| o.field == e.field) {
            out.push(e);
        }
    }
    out
}

/// A form's values under its prefix.
fn state(prefix: &str, values: &[(&str, &str)]) -> FormState {
    FormState {
        values: values
            .iter()
            .map(|(k, v)| (format!("{prefix}{k}"), (*v).to_owned()))
            .collect(),
        errors: Vec::new(),
    }
}

/// The errors of a refused change and the status to answer with; other failures go on.
fn refusal(error: AppError) -> Result<(Vec<FieldError>, StatusCode), AppError> {
    match error {
        AppError::Invalid(errors) => Ok((errors, StatusCode::UNPROCESSABLE_ENTITY)),
        AppError::Stale => Ok((
            vec![FieldError::new("version", "error-stale")],
            StatusCode::CONFLICT,
        )),
        other => Err(other),
    }
}

/// An optional id typed in a form.
fn optional_id(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match raw.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(field, "error-number"));
                None
            }
        },
    }
}

/// A required id typed in a form.
fn required_id(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    if raw.trim().is_empty() {
        errors.push(FieldError::new(field, "error-required"));
        return None;
    }
    optional_id(field, raw, errors)
}

/// `AAAA-MM-JJTHH:MM` (a `datetime-local` field) in Québec time, as UTC microseconds.
fn local_micros(raw: &str) -> Option<i64> {
    let naive = chrono::NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%d %H:%M"))
        .ok()?;
    chrono_tz::America::Toronto
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_micros())
}

/// Now, as a `datetime-local` field shows it in Québec.
fn local_now() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::America::Toronto)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn now() -> i64 {
    rempart_storage::now_micros()
}

/// `12 345 octets` / `12,345 bytes`.
pub(crate) fn size_text(ctx: &Ctx, bytes: i64) -> String {
    let digits = bytes.to_string();
    let separator = if ctx.lang == rempart_domain::language::Language::Fr {
        '\u{a0}'
    } else {
        ','
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(c);
    }
    ctx.t1("gmvi-bytes", "size", &grouped)
}

/// An evidence file as a list shows it.
pub struct EvidenceView {
    pub name: String,
    pub size: String,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub href: String,
}

fn evidence_views(ctx: &Ctx, files: Vec<Evidence>, base: &str) -> Vec<EvidenceView> {
    files
        .into_iter()
        .map(|f| EvidenceView {
            size: size_text(ctx, f.size_bytes),
            uploaded_at: ctx.time(f.uploaded_at),
            href: format!("{base}/{}", f.id),
            name: f.file_name,
            sha256: f.sha256,
            uploaded_by: f.uploaded_by_name,
        })
        .collect()
}

/// An uploaded multipart form: its small fields, the file and its name; `too_large` when the
/// body passed the limit.
#[derive(Default)]
pub(crate) struct Upload {
    /// The text fields asked for; a field sent several times holds its values a line each.
    pub fields: HashMap<String, String>,
    pub file: Option<(String, Vec<u8>)>,
    pub too_large: bool,
}

impl Upload {
    /// A text field as sent, or empty.
    pub fn field_text(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

/// Reads a multipart form of at most `limit` bytes: the part named `file` and the text fields
/// named in `text_fields` (others are ignored).
pub(crate) async fn read_upload(
    request: Request,
    limit: usize,
    text_fields: &[&str],
) -> Result<Upload, AppError> {
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or(AppError::UnsupportedMedia)?;
    let bytes = match axum::body::to_bytes(request.into_body(), limit).await {
        Ok(b) => b,
        Err(_) => {
            return Ok(Upload {
                too_large: true,
                ..Upload::default()
            })
        }
    };
    let stream =
        futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut upload = Upload::default();
    let bad = |e: multer::Error| AppError::BadRequest(e.to_string().chars().take(300).collect());
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("").to_owned();
                let data = field.bytes().await.map_err(bad)?;
                upload.file = Some((file_name, data.to_vec()));
            }
            other if text_fields.contains(&other) => {
                let text = field.text().await.map_err(bad)?;
                upload
                    .fields
                    .entry(name)
                    .and_modify(|v| {
                        v.push('\n');
                        v.push_str(&text);
                    })
                    .or_insert(text);
            }
            _ => {}
        }
    }
    Ok(upload)
}

/// The body limit of an upload: the evidence store's limit and room for the form around it.
pub(crate) fn upload_limit(app: &AppState) -> usize {
    usize::try_from(app.config.evidence.max_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024)
}

/// `filename*=UTF-8''…` (RFC 5987/6266): every byte outside the attribute characters encoded.
fn disposition(name: &str) -> String {
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let fallback: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Types a browser may be told, always as an attachment; anything else is bytes.
const SAFE_TYPES: [&str; 4] = ["application/pdf", "image/png", "image/jpeg", "text/plain"];

/// A kept file given back: checked against its SHA-256 by storage; a file changed or gone on
/// disk is refused with a page that says so, never served.
pub(crate) async fn download(
    app: &AppState,
    actor: &Actor,
    attached: Attached,
    file_id: i64,
) -> Result<Response, AppError> {
    served(
        app,
        actor,
        evidence::read(&app.store, &app.config.evidence, attached, file_id).await,
    )
    .await
}

/// The answer to a read of a kept file: the bytes as an attachment of a safe type, or the
/// page that says the file failed its integrity check or is gone.
pub(crate) async fn served(
    app: &AppState,
    actor: &Actor,
    read: Result<(Evidence, Vec<u8>), ReadError>,
) -> Result<Response, AppError> {
    match read {
        Ok((meta, bytes)) => {
            let content_type = if SAFE_TYPES.contains(&meta.content_type.as_str()) {
                meta.content_type.as_str()
            } else {
                "application/octet-stream"
            };
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            if let Ok(v) = HeaderValue::from_str(&disposition(&meta.file_name)) {
                headers.insert(header::CONTENT_DISPOSITION, v);
            }
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            Ok(response)
        }
        Err(ReadError::Store(e)) => Err(e.into()),
        Err(ReadError::Tampered(id)) => {
            tracing::error!(evidence = id, "evidence file failed its integrity check");
            integrity_page(app, actor, StatusCode::CONFLICT, "evidence-tampered").await
        }
        Err(ReadError::Missing(id)) => {
            tracing::error!(
                evidence = id,
                "evidence file missing from the evidence directory"
            );
            integrity_page(app, actor, StatusCode::GONE, "evidence-missing").await
        }
    }
}

async fn integrity_page(
    app: &AppState,
    actor: &Actor,
    status: StatusCode,
    message_key: &str,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "").await?;
    let message = ctx.t(message_key);
    Ok(render(
        status,
        &ErrorPage {
            ctx,
            message: &message,
            status: status.as_u16(),
            fields: Vec::new(),
        },
    ))
}

// ---------------------------------------------------------------- reporting (GMVI-01)

#[derive(Template)]
#[template(path = "gmvi_report.html")]
struct ReportPage {
    ctx: Ctx,
    form: FormState,
    faults: Vec<(String, String)>,
    orgs: Vec<(i64, String)>,
    assets: Vec<(i64, String)>,
    assets_more: bool,
    personal: Vec<(&'static str, String)>,
}

/// Assets a reporter may name: those they see, by name, bounded.
const REPORT_ASSETS: i64 = 500;

async fn report_page(
    app: &AppState,
    actor: &Actor,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/report").await?;
    let orgs = orgs_of_kinds(
        app,
        scope(actor, Permission::EventReport),
        &[OrgKind::PublicBody, OrgKind::Unit],
    )
    .await?;
    let seen = assets::list(
        &app.store,
        scope(actor, Permission::AssetRead),
        &AssetFilter::default(),
        crate::time::today(),
        &PageRequest {
            limit: REPORT_ASSETS,
            offset: 0,
            sort: AssetSort::Name,
            descending: false,
        },
    )
    .await?;
    let assets_more = seen.total > REPORT_ASSETS;
    let assets = seen
        .items
        .into_iter()
        .map(|a| (a.id, format!("{} ({})", a.name, a.org_name)))
        .collect();
    let personal = PersonalInfo::ALL
        .iter()
        .map(|p| (p.as_str(), label(&ctx, "personal-info", p.as_str())))
        .collect();
    Ok(render(
        status,
        &ReportPage {
            faults: faults(&ctx, &form),
            ctx,
            form,
            orgs,
            assets,
            assets_more,
            personal,
        },
    ))
}

pub async fn report_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    let org = actor.person.org_id.to_string();
    let form = state("", &[("org_id", &org), ("personal_info", "unknown")]);
    report_page(&app, &actor, form, StatusCode::OK).await
}

#[derive(Debug, Deserialize, Default)]
pub struct ReportForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub details: String,
    #[serde(default)]
    pub observed: String,
    #[serde(default)]
    pub observed_time: String,
    #[serde(default)]
    pub asset_id: String,
    #[serde(default)]
    pub personal_info: String,
}

pub async fn report_submit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<ReportForm>,
) -> Result<Response, AppError> {
    let result = async {
        let mut errors = Vec::new();
        let org_id = optional_id("org_id", &form.org_id, &mut errors);
        let asset_id = optional_id("asset_id", &form.asset_id, &mut errors);
        let (day, time) = (form.observed.trim(), form.observed_time.trim());
        let observed = match (day.is_empty(), time.is_empty()) {
            (_, true) => day.to_owned(),
            (false, false) => format!("{day}T{time}"),
            (true, false) => {
                errors.push(FieldError::new("observed", "error-required"));
                String::new()
            }
        };
        let draft = EventDraft {
            summary: form.summary.clone(),
            details: form.details.clone(),
            observed,
            personal_info: form.personal_info.clone(),
        };
        let report = match draft.check(crate::time::today()) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.extend(e.0);
                None
            }
        };
        let Some(report) = report.filter(|_| errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        let id = events::report(
            &mut w,
            &crate::gmvi::notifier(&app),
            actor.person.id,
            org_id,
            asset_id,
            &report,
        )
        .await?;
        w.commit().await?;
        Ok::<i64, AppError>(id)
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/events/mine?done=reported").into_response()),
        Err(e) => {
            let (errors, status) = refusal(e)?;
            let values = state(
                "",
                &[
                    ("org_id", &form.org_id),
                    ("summary", &form.summary),
                    ("details", &form.details),
                    ("observed", &form.observed),
                    ("observed_time", &form.observed_time),
                    ("asset_id", &form.asset_id),
                    ("personal_info", &form.personal_info),
                ],
            )
            .with_errors(actor.language(), &prefixed("", errors));
            report_page(&app, &actor, values, status).await
        }
    }
}

// ---------------------------------------------------------------- events and triage

pub struct EventRow {
    pub id: i64,
    pub summary: String,
    pub org_name: String,
    pub reporter_name: String,
    pub reported_at: String,
    pub status: String,
    pub is_new: bool,
    pub personal: String,
    pub outcome: String,
    pub incident_id: Option<i64>,
}

fn event_row(ctx: &Ctx, e: events::Event) -> EventRow {
    let outcome = match (&e.incident_reference, e.merged_into) {
        (Some(r), _) => ctx.t1("event-outcome-incident", "reference", r),
        (None, Some(m)) => ctx.tn("event-outcome-merged", "id", m),
        _ if !e.triage_note.is_empty() => e.triage_note.clone(),
        _ => String::new(),
    };
    EventRow {
        status: label(ctx, "event-status", &e.status),
        is_new: e.status == "new",
        personal: label(ctx, "personal-info", &e.personal_info),
        reported_at: ctx.time(e.reported_at),
        outcome,
        incident_id: e.incident_id,
        id: e.id,
        summary: e.summary,
        org_name: e.org_name,
        reporter_name: e.reporter_name,
    }
}

#[derive(Template)]
#[template(path = "gmvi_events_mine.html")]
struct MinePage {
    ctx: Ctx,
    rows: Vec<EventRow>,
}

pub async fn events_mine(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let mut ctx = page_ctx(&app, &actor, "/events/mine").await?;
    flash(&mut ctx, params.done.as_deref());
    let rows = events::mine(&app.store, actor.person.id, 200)
        .await?
        .into_iter()
        .map(|e| event_row(&ctx, e))
        .collect();
    Ok(render(StatusCode::OK, &MinePage { ctx, rows }))
}

#[derive(Template)]
#[template(path = "gmvi_events.html")]
struct QueuePage {
    ctx: Ctx,
    rows: Vec<EventRow>,
    status: String,
    statuses: Vec<(&'static str, String)>,
}

const QUEUE_LIMIT: i64 = 300;

pub async fn events_queue(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    // The queue proper by default: the events waiting for triage.
    let status = params.status.as_deref().map(str::trim).unwrap_or("new");
    let filter =
        match status {
            "" | "all" => None,
            s => Some(EventStatus::parse(s).ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new("status", "error-choice")])
            })?),
        };
    let ctx = page_ctx(&app, &actor, "/events").await?;
    let rows = events::queue(
        &app.store,
        scope(&actor, Permission::EventTriage),
        filter,
        QUEUE_LIMIT,
    )
    .await?
    .into_iter()
    .map(|e| event_row(&ctx, e))
    .collect();
    let codes: Vec<&'static str> = EventStatus::ALL.iter().map(|s| s.as_str()).collect();
    Ok(render(
        StatusCode::OK,
        &QueuePage {
            statuses: choices(&ctx, "event-status", &codes),
            status: if filter.is_none() {
                "all".to_owned()
            } else {
                status.to_owned()
            },
            ctx,
            rows,
        },
    ))
}

#[derive(Template)]
#[template(path = "gmvi_event.html")]
struct EventPage {
    ctx: Ctx,
    event: events::Event,
    status: String,
    personal: String,
    reported_at: String,
    triaged_at: String,
    can_triage: bool,
    decisions: Vec<(&'static str, String)>,
    categories: Vec<(&'static str, String)>,
    severities: Vec<(&'static str, String)>,
    open_incidents: Vec<(i64, String)>,
    form: FormState,
    faults: Vec<(String, String)>,
}

async fn event_page(
    app: &AppState,
    actor: &Actor,
    id: i64,
    done: Option<&str>,
    form: Option<FormState>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let event = events::get(&app.store, scope(actor, Permission::EventTriage), id).await?;
    let mut ctx = page_ctx(app, actor, "/events").await?;
    flash(&mut ctx, done);
    let can_triage =
        event.status == "new" && holds(app, actor, Permission::EventTriage, event.org_id).await?;
    let open_incidents = if can_triage {
        incidents::list(
            &app.store,
            scope(actor, Permission::IncidentManage),
            Some("active"),
            200,
        )
        .await?
        .into_iter()
        .map(|i| {
            (
                i.id,
                format!("{} — {} ({})", i.reference, i.title, i.org_name),
            )
        })
        .collect()
    } else {
        Vec::new()
    };
    let form = form.unwrap_or_else(|| {
        let personal = if event.personal_info == "yes" {
            "on"
        } else {
            ""
        };
        state(
            "",
            &[
                ("version", &event.version.to_string()),
                ("title", &event.summary),
                ("incident_choice", "new"),
                ("severity", "medium"),
                ("personal_info", personal),
            ],
        )
    });
    Ok(render(
        status,
        &EventPage {
            status: label(&ctx, "event-status", &event.status),
            personal: label(&ctx, "personal-info", &event.personal_info),
            reported_at: ctx.time(event.reported_at),
            triaged_at: event.triaged_at.map(|t| ctx.time(t)).unwrap_or_default(),
            decisions: choices(&ctx, "triage-decision", &TRIAGE_DECISIONS),
            categories: categories(&ctx),
            severities: severities(&ctx),
            faults: faults(&ctx, &form),
            can_triage,
            open_incidents,
            form,
            event,
            ctx,
        },
    ))
}

pub async fn event_show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(raw): Path<String>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    event_page(
        &app,
        &actor,
        id,
        params.done.as_deref(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
pub struct TriageForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub into: String,
    #[serde(default)]
    pub incident_choice: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub personal_info: String,
    #[serde(default)]
    pub incident_id: String,
    #[serde(default)]
    pub version: String,
}

/// The coordinator's decision, the incident to open or join, every fault named.
fn triage_of(form: &TriageForm) -> Result<(Triage, Option<events::IncidentChoice>), AppError> {
    let mut errors = Vec::new();
    let note = form.note.clone();
    let mut choice = None;
    let decision = match form.decision.trim() {
        "threat" => Some(Triage::Threat { note }),
        "vulnerability" => Some(Triage::Vulnerability { note }),
        "close" => Some(Triage::Close { reason: note }),
        "merge" => {
            required_id("into", &form.into, &mut errors).map(|into| Triage::Merge { into, note })
        }
        "incident" => {
            if form.incident_choice.trim() == "existing" {
                choice = required_id("incident_id", &form.incident_id, &mut errors)
                    .map(events::IncidentChoice::Existing);
            } else {
                let draft = IncidentDraft {
                    title: form.title.clone(),
                    description: form.description.clone(),
                    category: form.category.clone(),
                    severity: form.severity.clone(),
                    personal_info: form.personal_info == "on",
                };
                match draft.check() {
                    Ok(input) => choice = Some(events::IncidentChoice::New(input)),
                    Err(e) => errors.extend(e.0),
                }
            }
            Some(Triage::Incident { note })
        }
        "" => {
            errors.push(FieldError::new("decision", "error-required"));
            None
        }
        _ => {
            errors.push(FieldError::new("decision", "error-choice"));
            None
        }
    };
    if form.version.trim().parse::<i64>().is_err() {
        errors.push(FieldError::new("version", "error-required"));
    }
    match decision {
        Some(d) if errors.is_empty() => Ok((d, choice)),
        _ => Err(AppError::Invalid(errors)),
    }
}

pub async fn event_triage(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<TriageForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    // Out of reach reads as missing, before anything about the input is said.
    let event = events::get(&app.store, scope(&actor, Permission::EventTriage), id).await?;
    if !holds(&app, &actor, Permission::EventTriage, event.org_id).await? {
        return Err(AppError::NotFound);
    }
    let result = async {
        let (decision, choice) = triage_of(&form)?;
        let version = form.version.trim().parse::<i64>().unwrap_or(0);
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        let incident = events::triage(
            &mut w,
            &crate::gmvi::notifier(&app),
            scope(&actor, Permission::EventTriage),
            id,
            version,
            &decision,
            choice,
        )
        .await?;
        w.commit().await?;
        Ok::<Option<i64>, AppError>(incident)
    }
    .await;
    match result {
        Ok(Some(incident)) => {
            Ok(Redirect::to(&format!("/incidents/{incident}?done=triaged")).into_response())
        }
        Ok(None) => Ok(Redirect::to(&format!("/events/{id}?done=triaged")).into_response()),
        Err(e) => {
            let (errors, status) = refusal(e)?;
            // "Already triaged" is about the decision as a whole.
            let errors = errors
                .into_iter()
                .map(|mut e| {
                    if e.field == "status" {
                        e.field = "decision".to_owned();
                    }
                    e
                })
                .collect();
            let values = state(
                "",
                &[
                    ("decision", &form.decision),
                    ("note", &form.note),
                    ("into", &form.into),
                    ("incident_choice", &form.incident_choice),
                    ("title", &form.title),
                    ("description", &form.description),
                    ("category", &form.category),
                    ("severity", &form.severity),
                    ("personal_info", &form.personal_info),
                    ("incident_id", &form.incident_id),
                    ("version", &form.version),
                ],
            )
            .with_errors(actor.language(), &prefixed("", errors));
            event_page(&app, &actor, id, None, Some(values), status).await
        }
    }
}

// ---------------------------------------------------------------- incidents: list and opening

pub struct IncidentRowView {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub org_name: String,
    pub category: String,
    pub severity: String,
    pub status: String,
    pub opened_at: String,
    pub pending_notices: i64,
}

#[derive(Template)]
#[template(path = "gmvi_incidents.html")]
struct IncidentsPage {
    ctx: Ctx,
    rows: Vec<IncidentRowView>,
    status: String,
    statuses: Vec<(&'static str, String)>,
    can_manage: bool,
}

pub async fn incidents_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let status = params
        .status
        .as_deref()
        .map(str::trim)
        .unwrap_or("active")
        .to_owned();
    let filter = match status.as_str() {
        "all" | "" => None,
        "active" => Some("active"),
        s if IncidentStatus::parse(s).is_some() => Some(s),
        _ => {
            return Err(AppError::Invalid(vec![FieldError::new(
                "status",
                "error-choice",
            )]))
        }
    };
    let ctx = page_ctx(&app, &actor, "/incidents").await?;
    let rows = incidents::list(
        &app.store,
        scope(&actor, Permission::IncidentRead),
        filter,
        300,
    )
    .await?
    .into_iter()
    .map(|r| IncidentRowView {
        category: label(&ctx, "incident-category", &r.category),
        severity: label(&ctx, "severity", &r.severity),
        status: label(&ctx, "incident-status", &r.status),
        opened_at: ctx.time(r.opened_at),
        id: r.id,
        reference: r.reference,
        title: r.title,
        org_name: r.org_name,
        pending_notices: r.pending_notices,
    })
    .collect();
    let mut statuses = vec![("active", ctx.t("incident-filter-active"))];
    statuses.extend(
        IncidentStatus::ALL
            .iter()
            .map(|s| (s.as_str(), label(&ctx, "incident-status", s.as_str()))),
    );
    statuses.push(("all", ctx.t("all")));
    Ok(render(
        StatusCode::OK,
        &IncidentsPage {
            status: if filter.is_none() {
                "all".to_owned()
            } else {
                status
            },
            statuses,
            can_manage: actor.can(Permission::IncidentManage),
            ctx,
            rows,
        },
    ))
}

#[derive(Template)]
#[template(path = "gmvi_incident_form.html")]
struct IncidentFormPage {
    ctx: Ctx,
    orgs: Vec<(i64, String)>,
    categories: Vec<(&'static str, String)>,
    severities: Vec<(&'static str, String)>,
    form: FormState,
    faults: Vec<(String, String)>,
}

/// Where the person may open an incident: bodies and units they run incidents or triage in.
async fn incident_orgs(app: &AppState, actor: &Actor) -> Result<Vec<(i64, String)>, AppError> {
    let kinds = [OrgKind::PublicBody, OrgKind::Unit];
    let mut orgs = orgs_of_kinds(app, scope(actor, Permission::IncidentManage), &kinds).await?;
    for o in orgs_of_kinds(app, scope(actor, Permission::EventTriage), &kinds).await? {
        if !orgs.iter().any(|(id, _)| *id == o.0) {
            orgs.push(o);
        }
    }
    orgs.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(orgs)
}

async fn incident_form_page(
    app: &AppState,
    actor: &Actor,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/incidents").await?;
    let orgs = incident_orgs(app, actor).await?;
    Ok(render(
        status,
        &IncidentFormPage {
            categories: categories(&ctx),
            severities: severities(&ctx),
            faults: faults(&ctx, &form),
            ctx,
            orgs,
            form,
        },
    ))
}

pub async fn incident_new(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    let org = actor
        .session
        .active_org_id
        .unwrap_or(actor.person.org_id)
        .to_string();
    let form = state("", &[("org_id", &org), ("severity", "medium")]);
    incident_form_page(&app, &actor, form, StatusCode::OK).await
}

#[derive(Debug, Deserialize, Default)]
pub struct IncidentForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub personal_info: String,
    #[serde(default)]
    pub detected: String,
    #[serde(default)]
    pub version: String,
}

impl IncidentForm {
    fn draft(&self) -> IncidentDraft {
        IncidentDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            severity: self.severity.clone(),
            personal_info: self.personal_info == "on",
        }
    }

    fn values(&self, prefix: &str) -> FormState {
        state(
            prefix,
            &[
                ("org_id", &self.org_id),
                ("title", &self.title),
                ("description", &self.description),
                ("category", &self.category),
                ("severity", &self.severity),
                ("personal_info", &self.personal_info),
                ("detected", &self.detected),
                ("version", &self.version),
            ],
        )
    }
}

pub async fn incident_create(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<IncidentForm>,
) -> Result<Response, AppError> {
    let result = async {
        let mut errors = Vec::new();
        let org = required_id("org_id", &form.org_id, &mut errors);
        let detected_at = match form.detected.trim() {
            "" => now(),
            raw => match local_micros(raw) {
                Some(t) if t <= now() + 60_000_000 => t,
                Some(_) => {
                    errors.push(FieldError::new("detected", "error-date-future"));
                    now()
                }
                None => {
                    errors.push(FieldError::new("detected", "error-datetime"));
                    now()
                }
            },
        };
        let input = match form.draft().check() {
            Ok(i) => Some(i),
            Err(e) => {
                errors.extend(e.0);
                None
            }
        };
        let (Some(org), Some(input), true) = (org, input, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        let id = incidents::open(
            &mut w,
            &crate::gmvi::notifier(&app),
            scope(&actor, Permission::IncidentManage),
            org,
            &input,
            detected_at,
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                AppError::Invalid(vec![FieldError::new("org_id", "error-not-found")])
            }
            other => other.into(),
        })?;
        w.commit().await?;
        Ok::<i64, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/incidents/{id}?done=opened")).into_response()),
        Err(e) => {
            let (errors, status) = refusal(e)?;
            let values = form
                .values("")
                .with_errors(actor.language(), &prefixed("", errors));
            incident_form_page(&app, &actor, values, status).await
        }
    }
}

// ---------------------------------------------------------------- one incident

pub struct AffectedView {
    pub asset_id: i64,
    pub name: String,
    pub classification: String,
    pub availability: String,
    pub integrity: String,
    pub confidentiality: String,
}

pub struct RoleView {
    pub role: &'static str,
    pub label: String,
    pub holder: Option<String>,
    /// The holder's id as the select's values are written.
    pub holder_value: String,
    pub field: String,
}

pub struct TaskView {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub due_on: String,
    pub status: String,
    pub status_code: String,
    pub overdue: bool,
    pub field: String,
}

pub struct NoticeView {
    pub id: i64,
    pub subject: String,
    pub link: Option<String>,
    pub recipient: String,
    pub target_org: String,
    pub rules: String,
    pub created_at: String,
    pub due_at: String,
    pub state: String,
    pub overdue: bool,
    pub can_ack: bool,
}

pub struct EntryView {
    pub occurred_at: String,
    pub kind: String,
    pub text: String,
    pub system: bool,
    pub decided_by: String,
    pub recorded: String,
}

#[derive(Template)]
#[template(path = "gmvi_incident.html")]
struct IncidentPage {
    ctx: Ctx,
    inc: incidents::Incident,
    status: String,
    severity: String,
    category: String,
    personal: String,
    detected_at: String,
    opened_at: String,
    closed_at: String,
    can_manage: bool,
    next: Vec<(&'static str, String)>,
    closing: bool,
    reopening: bool,
    assets: Vec<AffectedView>,
    asset_choices: Vec<(i64, String)>,
    impacts: Vec<(&'static str, String)>,
    roles: Vec<RoleView>,
    people: Vec<(i64, String)>,
    tasks: Vec<TaskView>,
    task_statuses: Vec<(&'static str, String)>,
    notices: Vec<NoticeView>,
    evidence: Vec<EvidenceView>,
    max_file: String,
    entries: Vec<EntryView>,
    pager: Option<Pager>,
    entry_kinds: Vec<(&'static str, String)>,
    categories: Vec<(&'static str, String)>,
    severities: Vec<(&'static str, String)>,
    form: FormState,
    faults: Vec<(String, String)>,
    /// The register entry this incident opened (PRIV-03), for those who read the register.
    confidentiality: Option<(i64, String)>,
}

/// Entries per page of the timeline.
const TIMELINE_PAGE: i64 = 100;

fn recipient_label(ctx: &Ctx, raw: &str) -> String {
    label(ctx, "recipient", raw)
}

/// A timeline entry in the reader's language: the platform's entries are data (a status, an
/// escalation's facts as JSON) worded here, never shown raw.
fn entry_text(ctx: &Ctx, kind: &str, body: &str, names: &HashMap<i64, String>) -> String {
    match kind {
        "status" => {
            let (status, reason) = match body.split_once(':') {
                Some((s, r)) => (s, r.trim()),
                None => (body, ""),
            };
            let status_label = label(ctx, "incident-status", status);
            match (status, reason.is_empty()) {
                ("open", true) => ctx.t("timeline-opened"),
                (_, true) => ctx.t1("timeline-status", "status", &status_label),
                (_, false) => t_args(
                    ctx.lang,
                    "timeline-status-reason",
                    &[
                        ("status", status_label.into()),
                        ("reason", reason.to_owned().into()),
                    ],
                ),
            }
        }
        "escalation" => {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
                return ctx.t("timeline-escalation-other");
            };
            let recipient = recipient_label(ctx, v["recipient"].as_str().unwrap_or(""));
            match v["event"].as_str() {
                Some("notice") => {
                    let org = v["org"]
                        .as_i64()
                        .and_then(|o| names.get(&o).cloned())
                        .unwrap_or_default();
                    let mut text = t_args(
                        ctx.lang,
                        "timeline-notice",
                        &[
                            ("recipient", recipient.into()),
                            ("org", org.into()),
                            ("rules", v["rules"].as_str().unwrap_or("").to_owned().into()),
                            ("hours", v["hours"].as_i64().unwrap_or(0).into()),
                        ],
                    );
                    let vacant: Vec<String> = v["vacant"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|r| r.as_str())
                                .map(|r| recipient_label(ctx, r))
                                .collect()
                        })
                        .unwrap_or_default();
                    if !vacant.is_empty() {
                        text.push(' ');
                        text.push_str(&ctx.t1(
                            "timeline-notice-vacant",
                            "seats",
                            &vacant.join(", "),
                        ));
                    }
                    if v["escalated"].as_bool() == Some(true) {
                        text.push(' ');
                        text.push_str(&ctx.t("timeline-notice-escalated"));
                    }
                    text
                }
                Some("ack") => ctx.t1("timeline-ack", "recipient", &recipient),
                Some("unacknowledged") => {
                    ctx.t1("timeline-unacknowledged", "recipient", &recipient)
                }
                _ => ctx.t("timeline-escalation-other"),
            }
        }
        _ => body.to_owned(),
    }
}

/// Notices as a list shows them; `mine` are those the reader's seat acknowledges.
async fn notice_views(
    app: &AppState,
    ctx: &Ctx,
    rows: Vec<notices::NoticeRow>,
    mine: &[i64],
) -> Result<Vec<NoticeView>, AppError> {
    let now = now();
    let mut out = Vec::with_capacity(rows.len());
    for n in rows {
        let overdue = n.acknowledged_at.is_none() && n.escalated_at.is_none() && n.due_at < now;
        let state = match (n.acknowledged_at, n.escalated_at) {
            (Some(at), _) => t_args(
                ctx.lang,
                "notice-state-acknowledged",
                &[
                    (
                        "name",
                        n.acknowledged_by_name.clone().unwrap_or_default().into(),
                    ),
                    ("at", ctx.time(at).into()),
                ],
            ),
            (None, Some(at)) => ctx.t1("notice-state-escalated", "at", &ctx.time(at)),
            (None, None) if overdue => ctx.t("notice-state-overdue"),
            (None, None) => ctx.t("notice-state-waiting"),
        };
        let link = match n.subject_type.as_str() {
            "incident" => Some(format!("/incidents/{}", n.subject_id)),
            _ => alerts::alert_of_target(&app.store, n.subject_id)
                .await?
                .map(|a| format!("/alerts/{a}")),
        };
        out.push(NoticeView {
            id: n.id,
            subject: format!("{} — {}", n.reference, n.title),
            link,
            recipient: recipient_label(ctx, &n.recipient),
            target_org: n.target_org_name,
            rules: n.rules,
            created_at: ctx.time(n.created_at),
            due_at: ctx.time(n.due_at),
            state,
            overdue,
            can_ack: mine.contains(&n.id),
        });
    }
    Ok(out)
}

/// The assets an incident may name: those the person sees in the incident's body, bounded.
async fn asset_choices(
    app: &AppState,
    actor: &Actor,
    org_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    let mut conn = app.store.pool().acquire().await.map_err(StoreError::from)?;
    let body = notices::nearest(&mut conn, org_id, OrgKind::PublicBody)
        .await?
        .unwrap_or(org_id);
    drop(conn);
    let page = assets::list(
        &app.store,
        scope(actor, Permission::AssetRead),
        &AssetFilter {
            within: Some(body),
            ..AssetFilter::default()
        },
        crate::time::today(),
        &PageRequest {
            limit: 1000,
            offset: 0,
            sort: AssetSort::Name,
            descending: false,
        },
    )
    .await?;
    Ok(page
        .items
        .into_iter()
        .map(|a| (a.id, format!("{} ({})", a.name, a.org_name)))
        .collect())
}

async fn incident_page(
    app: &AppState,
    actor: &Actor,
    id: i64,
    done: Option<&str>,
    offset: Option<&str>,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let inc = incidents::get(&app.store, scope(actor, Permission::IncidentRead), id).await?;
    let can_manage =
        incidents::manageable(&app.store, scope(actor, Permission::IncidentManage), id).await?;
    let mut ctx = page_ctx(app, actor, "/incidents").await?;
    flash(&mut ctx, done);
    let from = IncidentStatus::parse(&inc.status).unwrap_or(IncidentStatus::Open);
    let next: Vec<(&'static str, String)> = from
        .next()
        .iter()
        .map(|s| (s.as_str(), label(&ctx, "incident-status", s.as_str())))
        .collect();
    let impact = |i: Impact| label(&ctx, "impact", i.as_str());
    let assets = inc
        .assets
        .iter()
        .map(|a| AffectedView {
            asset_id: a.asset_id,
            name: a.name.clone(),
            classification: a
                .classification
                .map(|[d, i, c]| format!("D{d} I{i} C{c}"))
                .unwrap_or_else(|| ctx.t("gmvi-unclassified")),
            availability: impact(a.impact.availability),
            integrity: impact(a.impact.integrity),
            confidentiality: impact(a.impact.confidentiality),
        })
        .collect();
    let roles = IncidentRole::ALL
        .iter()
        .map(|r| {
            let holder = inc.roles.iter().find(|h| h.role == r.as_str());
            RoleView {
                role: r.as_str(),
                label: label(&ctx, "incident-role", r.as_str()),
                holder: holder.map(|h| h.name.clone()),
                holder_value: holder.map(|h| h.person_id.to_string()).unwrap_or_default(),
                field: format!("role-{}-person_id", r.as_str()),
            }
        })
        .collect();
    let today = crate::time::today().to_string();
    let tasks = inc
        .tasks
        .iter()
        .map(|t| TaskView {
            id: t.id,
            title: t.title.clone(),
            owner: t.owner_name.clone(),
            due_on: t.due_on.clone(),
            status: label(&ctx, "task-status", &t.status),
            status_code: t.status.clone(),
            overdue: t.status == "open" && t.due_on < today,
            field: format!("taskstatus-{}-status", t.id),
        })
        .collect();
    let mine: Vec<i64> = notices::for_person(&app.store, actor.person.id, false, now())
        .await?
        .into_iter()
        .map(|n| n.id)
        .collect();
    let notice_rows = notices::of_incident(&app.store, id).await?;
    let notices = notice_views(app, &ctx, notice_rows, &mine).await?;
    let files = evidence::list(&app.store, Attached::Incident(id)).await?;
    let evidence = evidence_views(&ctx, files, &format!("/incidents/{id}/evidence"));
    // The latest entries by default: the last page of the timeline.
    let total = inc.entries;
    let last = if total > 0 {
        (total - 1) / TIMELINE_PAGE * TIMELINE_PAGE
    } else {
        0
    };
    let offset = match offset.map(str::trim) {
        None | Some("") => last,
        Some(raw) => raw
            .parse::<i64>()
            .map_err(|_| AppError::Invalid(vec![FieldError::new("offset", "error-number")]))?
            .clamp(0, last),
    };
    let raw_entries = incidents::timeline(&app.store, id, offset, TIMELINE_PAGE).await?;
    let orgs: Vec<i64> = raw_entries
        .iter()
        .filter(|e| e.kind == "escalation")
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.body).ok())
        .filter_map(|v| v["org"].as_i64())
        .collect();
    let names = org_names(app, &orgs).await?;
    let entries = raw_entries
        .iter()
        .map(|e| EntryView {
            occurred_at: ctx.time(e.occurred_at),
            kind: label(&ctx, "entry-kind", &e.kind),
            text: entry_text(&ctx, &e.kind, &e.body, &names),
            system: matches!(e.kind.as_str(), "status" | "escalation"),
            decided_by: e.decided_by_name.clone().unwrap_or_default(),
            recorded: match &e.recorded_by_name {
                Some(name) => t_args(
                    ctx.lang,
                    "timeline-recorded",
                    &[
                        ("name", name.clone().into()),
                        ("at", ctx.time(e.recorded_at).into()),
                    ],
                ),
                None => ctx.time(e.recorded_at),
            },
        })
        .collect();
    let pager = (total > TIMELINE_PAGE).then(|| {
        crate::ui::pager(
            ctx.lang,
            &Page {
                items: raw_entries,
                total,
                limit: TIMELINE_PAGE,
                offset,
            },
            &format!("/incidents/{id}"),
            "",
        )
    });
    let (asset_choices, people) = if can_manage {
        (
            asset_choices(app, actor, inc.org_id).await?,
            incidents::participants(&app.store, id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let mut form = form;
    for (k, v) in [
        ("edit-title", inc.title.clone()),
        ("edit-description", inc.description.clone()),
        ("edit-category", inc.category.clone()),
        ("edit-severity", inc.severity.clone()),
        (
            "edit-personal_info",
            if inc.personal_info { "on" } else { "" }.to_owned(),
        ),
        ("entry-occurred_at", local_now()),
        ("entry-kind", "observation".to_owned()),
    ] {
        form.values.entry(k.to_owned()).or_insert(v);
    }
    let impact_codes: Vec<&'static str> = Impact::ALL.iter().map(|i| i.as_str()).collect();
    let task_codes: Vec<&'static str> = TaskStatus::ALL.iter().map(|s| s.as_str()).collect();
    let kind_codes: Vec<&'static str> = EntryKind::WRITTEN.iter().map(|k| k.as_str()).collect();
    let confidentiality = if actor.can(Permission::PrivacyRead) {
        rempart_storage::confidentiality::of_incident(
            &app.store,
            Scope::new(actor.person.id, Permission::PrivacyRead),
            inc.id,
        )
        .await?
    } else {
        None
    };
    Ok(render(
        status,
        &IncidentPage {
            confidentiality,
            status: label(&ctx, "incident-status", &inc.status),
            severity: label(&ctx, "severity", &inc.severity),
            category: label(&ctx, "incident-category", &inc.category),
            personal: ctx.t(if inc.personal_info { "yes" } else { "no" }),
            detected_at: ctx.time(inc.detected_at),
            opened_at: ctx.time(inc.opened_at),
            closed_at: inc.closed_at.map(|t| ctx.time(t)).unwrap_or_default(),
            closing: from.next().contains(&IncidentStatus::Closed),
            reopening: from == IncidentStatus::Closed,
            impacts: choices(&ctx, "impact", &impact_codes),
            task_statuses: choices(&ctx, "task-status", &task_codes),
            entry_kinds: choices(&ctx, "entry-kind", &kind_codes),
            categories: categories(&ctx),
            severities: severities(&ctx),
            max_file: size_text(
                &ctx,
                i64::try_from(app.config.evidence.max_bytes).unwrap_or(i64::MAX),
            ),
            faults: faults(&ctx, &form),
            can_manage,
            next,
            assets,
            asset_choices,
            roles,
            people,
            tasks,
            notices,
            evidence,
            entries,
            pager,
            form,
            inc,
            ctx,
        },
    ))
}

pub async fn incident_show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(raw): Path<String>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    incident_page(
        &app,
        &actor,
        id,
        params.done.as_deref(),
        params.offset.as_deref(),
        FormState::default(),
        StatusCode::OK,
    )
    .await
}

/// An incident the person runs, else not found (before anything about the input is said).
async fn managed_incident(app: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    if incidents::manageable(&app.store, scope(actor, Permission::IncidentManage), id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The incident page again with a refused form: its values and faults under its prefix.
async fn incident_refused(
    app: &AppState,
    actor: &Actor,
    id: i64,
    prefix: &str,
    error: AppError,
    values: &[(&str, &str)],
) -> Result<Response, AppError> {
    let (errors, status) = refusal(error)?;
    let form = state(prefix, values).with_errors(actor.language(), &prefixed(prefix, errors));
    incident_page(app, actor, id, None, None, form, status).await
}

fn to_incident(id: i64, done: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/incidents/{id}?done={done}#{anchor}")).into_response()
}

pub async fn incident_update(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<IncidentForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_incident(&app, &actor, id).await?;
    let result = async {
        let mut errors = Vec::new();
        let version = required_id("version", &form.version, &mut errors);
        let input = match form.draft().check() {
            Ok(i) => Some(i),
            Err(e) => {
                errors.extend(e.0);
                None
            }
        };
        let (Some(input), Some(version), true) = (input, version, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        incidents::update(
            &mut w,
            &crate::gmvi::notifier(&app),
            scope(&actor, Permission::IncidentManage),
            id,
            version,
            &input,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(to_incident(id, "updated", "edit")),
        Err(e) => {
            let values = form.values("edit-");
            let (errors, status) = refusal(e)?;
            let form = values.with_errors(actor.language(), &prefixed("edit-", errors));
            incident_page(&app, &actor, id, None, None, form, status).await
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub lessons: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: String,
}

pub async fn incident_status(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_incident(&app, &actor, id).await?;
    let result = async {
        let mut errors = Vec::new();
        let version = required_id("version", &form.version, &mut errors);
        let to = match form.status.trim() {
            "" => {
                errors.push(FieldError::new("status", "error-required"));
                None
            }
            s => {
                let parsed = IncidentStatus::parse(s);
                if parsed.is_none() {
                    errors.push(FieldError::new("status", "error-choice"));
                }
                parsed
            }
        };
        let (Some(to), Some(version), true) = (to, version, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        incidents::transition(
            &mut w,
            scope(&actor, Permission::IncidentManage),
            id,
            version,
            to,
            &form.lessons,
            &form.reason,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(to_incident(id, "status", "workflow")),
        Err(e) => {
            incident_refused(
                &app,
                &actor,
                id,
                "status-",
                e,
                &[
                    ("status", &form.status),
                    ("lessons", &form.lessons),
                    ("reason", &form.reason),
                ],
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct AssetForm {
    #[serde(default)]
    pub asset_id: String,
    #[serde(default)]
    pub availability: String,
    #[serde(default)]
    pub integrity: String,
    #[serde(default)]
    pub confidentiality: String,
}

pub async fn incident_asset_set(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<AssetForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_incident(&app, &actor, id).await?;
    let result = async {
        let mut errors = Vec::new();
        let asset = required_id("asset_id", &form.asset_id, &mut errors);
        let mut level = |field: &str, raw: &str| {
            let parsed = Impact::parse(raw.trim());
            if parsed.is_none() {
                errors.push(FieldError::new(
                    field,
                    if raw.trim().is_empty() {
                        "error-required"
                    } else {
                        "error-choice"
                    },
                ));
            }
            parsed
        };
        let a = level("availability", &form.availability);
        let i = level("integrity", &form.integrity);
        let c = level("confidentiality", &form.confidentiality);
        let (Some(asset), Some(a), Some(i), Some(c), true) = (asset, a, i, c, errors.is_empty())
        else {
            return Err(AppError::Invalid(errors));
        };
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        incidents::set_asset(
            &mut w,
            &crate::gmvi::notifier(&app),
            scope(&actor, Permission::IncidentManage),
            id,
            asset,
            AssetImpact {
                availability: a,
                integrity: i,
                confidentiality: c,
            },
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(to_incident(id, "asset", "assets")),
        Err(e) => {
            incident_refused(
                &app,
                &actor,
                id,
                "asset-",
                e,
                &[
                    ("asset_id", &form.asset_id),
                    ("availability", &form.availability),
                    ("integrity", &form.integrity),
                    ("confidentiality", &form.confidentiality),
                ],
            )
            .await
        }
    }
}

pub async fn incident_asset_remove(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((raw, raw_asset)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_incident(&app, &actor, id).await?;
    let asset = record_id(&raw_asset)?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    incidents::remove_asset(&mut w, scope(&actor, Permission::IncidentManage), id, asset).await?;
    w.commit().await?;
    Ok(to_incident(id, "asset-removed", "assets"))
}

#[derive(Debug, Deserialize, Default)]
pub struct RoleForm {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub person_id: String,
}

pub async fn incident_role(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_incident(&app, &actor, id).await?;
    let role = IncidentRole::parse(form.role.trim())
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("role", "error-choice")]))?;
    let result = async {
        let mut errors = Vec::new();
        let person = optional_id("person_id", &form.person_id, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        incidents::set_role(
            &mut w,
            scope(&actor, Permission::IncidentManage),
            id,
            role,
            person,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(to_incident(id, "role", "roles")),
        Err(e) => {
            let prefix = format!("role-{}-", role.as_str());
            incident_refused(
                &app,
                &actor,
                id,
                &prefix,
                e,
                &[("person_id", &form.person_id)],
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct TaskForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub due_on: String,
}

pub async fn incident_task_add(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<TaskForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_incident(&app, &actor, id).await?;
    let result = async {
        let mut errors = Vec::new();
        let owner = required_id("owner_id", &form.owner_id, &mut errors);
        if form.title.trim().is_empty() {
            errors.push(FieldError::new("title", "error-required"));
        }
        if form.due_on.trim().is_empty() {
            errors.push(FieldError::new("due_on", "error-required"));
        }
        let (Some(owner), true) = (owner, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        incidents::add_task(
            &mut w,
            &crate::gmvi::notifier(&app),
            scope(&actor, Permission::IncidentManage),
            id,
            &form.title,
            owner,
            &form.due_on,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(to_incident(id, "task", "tasks")),
        Err(e) => {
            incident_refused(
                &app,
                &actor,
                id,
                "task-",
                e,
                &[
                    ("title", &form.title),
                    ("owner_id", &form.owner_id),
                    ("due_on", &form.due_on),
                ],
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct TaskStatusForm {
    #[serde(default)]
    pub status: String,
}

pub async fn incident_task_status(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((raw, raw_task)): Path<(String, String)>,
    Form(form): Form<TaskStatusForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_incident(&app, &actor, id).await?;
    let task = record_id(&raw_task)?;
    let result = async {
        let status = TaskStatus::parse(form.status.trim())
            .ok_or_else(|| AppError::Invalid(vec![FieldError::new("status", "error-choice")]))?;
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
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(to_incident(id, "task-status", "tasks")),
        Err(e) => {
            let prefix = format!("taskstatus-{task}-");
            incident_refused(&app, &actor, id, &prefix, e, &[("status", &form.status)]).await
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct EntryForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub occurred_at: String,
    #[serde(default)]
    pub decided_by: String,
}

pub async fn incident_entry_add(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<EntryForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_incident(&app, &actor, id).await?;
    let result = async {
        let mut errors = Vec::new();
        let kind = EntryKind::parse(form.kind.trim()).filter(|k| EntryKind::WRITTEN.contains(k));
        if kind.is_none() {
            errors.push(FieldError::new("kind", "error-choice"));
        }
        let occurred_at = match form.occurred_at.trim() {
            "" => Some(now()),
            raw => {
                let parsed = local_micros(raw);
                if parsed.is_none() {
                    errors.push(FieldError::new("occurred_at", "error-datetime"));
                }
                parsed
            }
        };
        let decided_by = optional_id("decided_by", &form.decided_by, &mut errors);
        let entry = EntryInput {
            kind: kind.unwrap_or(EntryKind::Observation),
            body: form.body.clone(),
            occurred_at: occurred_at.unwrap_or_else(now),
            decided_by,
        };
        // The domain names the rest (a body, who decided a decision, a date not to come).
        if let Err(e) = incident::check_entry(&entry, now()) {
            let more: Vec<FieldError> =
                e.0.into_iter()
                    .filter(|f| !errors.iter().any(|x| x.field == f.field))
                    .collect();
            errors.extend(more);
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        incidents::add_entry(
            &mut w,
            scope(&actor, Permission::IncidentManage),
            id,
            &entry,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(to_incident(id, "entry", "timeline")),
        Err(e) => {
            incident_refused(
                &app,
                &actor,
                id,
                "entry-",
                e,
                &[
                    ("kind", &form.kind),
                    ("body", &form.body),
                    ("occurred_at", &form.occurred_at),
                    ("decided_by", &form.decided_by),
                ],
            )
            .await
        }
    }
}

pub async fn incident_evidence_upload(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_incident(&app, &actor, id).await?;
    let inc = incidents::get(&app.store, scope(&actor, Permission::IncidentRead), id).await?;
    let upload = read_upload(request, upload_limit(&app), &["org_id"]).await?;
    let result = async {
        if upload.too_large {
            return Err(AppError::Invalid(vec![FieldError::with_limit(
                "file",
                "error-file-too-large",
                app.config.evidence.max_bytes,
            )]));
        }
        let Some((name, bytes)) = upload.file.as_ref().filter(|(_, b)| !b.is_empty()) else {
            return Err(AppError::Invalid(vec![FieldError::new(
                "file",
                "error-required",
            )]));
        };
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        evidence::add(
            &mut w,
            &app.config.evidence,
            Attached::Incident(id),
            inc.org_id,
            name,
            bytes,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(to_incident(id, "evidence", "evidence")),
        Err(e) => {
            let too_large = upload.too_large;
            let (errors, mut status) = refusal(e)?;
            if too_large {
                status = StatusCode::PAYLOAD_TOO_LARGE;
            }
            let form =
                FormState::default().with_errors(actor.language(), &prefixed("evidence-", errors));
            incident_page(&app, &actor, id, None, None, form, status).await
        }
    }
}

pub async fn incident_evidence_download(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((raw, raw_file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    incidents::get(&app.store, scope(&actor, Permission::IncidentRead), id).await?;
    let file = record_id(&raw_file)?;
    download(&app, &actor, Attached::Incident(id), file).await
}

// ---------------------------------------------------------------- acknowledgements and inbox

#[derive(Template)]
#[template(path = "gmvi_notices.html")]
struct NoticesPage {
    ctx: Ctx,
    notices: Vec<NoticeView>,
    all: bool,
}

pub async fn notices_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let all = params.all.as_deref() == Some("1");
    let mut ctx = page_ctx(&app, &actor, "/notices").await?;
    flash(&mut ctx, params.done.as_deref());
    let waiting: Vec<i64> = notices::for_person(&app.store, actor.person.id, false, now())
        .await?
        .into_iter()
        .map(|n| n.id)
        .collect();
    let rows = notices::for_person(&app.store, actor.person.id, all, now()).await?;
    let notices = notice_views(&app, &ctx, rows, &waiting).await?;
    Ok(render(StatusCode::OK, &NoticesPage { ctx, notices, all }))
}

#[derive(Debug, Deserialize, Default)]
pub struct AckForm {
    /// Where to go back to: the incident page the button was on, else the notices.
    #[serde(default)]
    pub back: String,
}

/// A page of ours to come back to: `/incidents/N` or the notices (never an outside address).
fn back_to(raw: &str) -> String {
    match raw.strip_prefix("/incidents/") {
        Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => raw.to_owned(),
        _ => "/notices".to_owned(),
    }
}

pub async fn notice_acknowledge(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<AckForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    notices::acknowledge(&mut w, actor.person.id, id).await?;
    w.commit().await?;
    let back = back_to(&form.back);
    let anchor = if back == "/notices" { "" } else { "#notices" };
    Ok(Redirect::to(&format!("{back}?done=acknowledged{anchor}")).into_response())
}

pub struct NotificationView {
    pub id: i64,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub created_at: String,
    pub unread: bool,
    pub awaiting_ack: bool,
    pub email: Option<String>,
}

#[derive(Template)]
#[template(path = "gmvi_inbox.html")]
struct InboxPage {
    ctx: Ctx,
    items: Vec<NotificationView>,
}

/// A notification's link, if it is one of our own pages.
fn own_link(link: &str) -> String {
    if link.starts_with('/') && !link.starts_with("//") {
        link.to_owned()
    } else {
        String::new()
    }
}

pub async fn inbox_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let mut ctx = page_ctx(&app, &actor, "/inbox").await?;
    flash(&mut ctx, params.done.as_deref());
    let mut list = inbox::list(&app.store, actor.person.id, false, 300).await?;
    // Unread first, each part newest first (the order the list comes in).
    list.sort_by_key(|n| n.read_at.is_some());
    let items = list
        .into_iter()
        .map(|n| NotificationView {
            id: n.id,
            link: own_link(&n.link),
            created_at: ctx.time(n.created_at),
            unread: n.read_at.is_none(),
            awaiting_ack: n.awaiting_ack,
            email: n.email_status.map(|s| label(&ctx, "email-status", &s)),
            subject: n.subject,
            body: n.body,
        })
        .collect();
    Ok(render(StatusCode::OK, &InboxPage { ctx, items }))
}

pub async fn inbox_read(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    inbox::mark_read(&app.store, actor.person.id, id, now()).await?;
    Ok(Redirect::to("/inbox?done=read").into_response())
}

pub async fn inbox_read_all(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    inbox::mark_all_read(&app.store, actor.person.id, now()).await?;
    Ok(Redirect::to("/inbox?done=read").into_response())
}

// ---------------------------------------------------------------- alerts (GMVI-08)

pub struct AlertRowView {
    pub id: i64,
    pub reference: String,
    pub kind: String,
    pub title: String,
    pub issuer: String,
    pub severity: String,
    pub due_on: String,
    pub issued_at: String,
    pub side: String,
}

#[derive(Template)]
#[template(path = "gmvi_alerts.html")]
struct AlertsPage {
    ctx: Ctx,
    rows: Vec<AlertRowView>,
    can_issue: bool,
}

pub async fn alerts_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    let ctx = page_ctx(&app, &actor, "/alerts").await?;
    let rows = alerts::list(&app.store, scope(&actor, Permission::AlertRead), 300)
        .await?
        .into_iter()
        .map(|a| AlertRowView {
            kind: label(&ctx, "alert-kind", &a.kind),
            severity: label(&ctx, "severity", &a.severity),
            due_on: a.due_on.clone().unwrap_or_else(|| ctx.t("none")),
            issued_at: ctx.time(a.issued_at),
            side: ctx.t(if a.as_issuer {
                "alert-side-issued"
            } else {
                "alert-side-received"
            }),
            id: a.id,
            reference: a.reference,
            title: a.title,
            issuer: a.issuer_name,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &AlertsPage {
            can_issue: actor.can(Permission::AlertIssue),
            ctx,
            rows,
        },
    ))
}

#[derive(Template)]
#[template(path = "gmvi_alert_form.html")]
struct AlertFormPage {
    ctx: Ctx,
    orgs: Vec<(i64, String)>,
    org_id: i64,
    bodies: Vec<(i64, String, bool)>,
    kinds: Vec<(&'static str, String)>,
    severities: Vec<(&'static str, String)>,
    counts: Vec<(&'static str, String)>,
    form: FormState,
    faults: Vec<(String, String)>,
}

/// The centres the person may issue from.
async fn issuing_centres(app: &AppState, actor: &Actor) -> Result<Vec<(i64, String)>, AppError> {
    orgs_of_kinds(
        app,
        scope(actor, Permission::AlertIssue),
        &[OrgKind::GovernmentCentre, OrgKind::OperationalCentre],
    )
    .await
}

/// The issuing centre asked for (the choice made without script), else the active or first.
fn issuer_of(
    centres: &[(i64, String)],
    asked: Option<&str>,
    fallback: Option<i64>,
) -> Result<i64, AppError> {
    if let Some(raw) = asked.map(str::trim).filter(|r| !r.is_empty()) {
        let id = raw
            .parse::<i64>()
            .map_err(|_| AppError::Invalid(vec![FieldError::new("org_id", "error-number")]))?;
        if centres.iter().any(|(c, _)| *c == id) {
            return Ok(id);
        }
        return Err(AppError::Invalid(vec![FieldError::new(
            "org_id",
            "error-not-found",
        )]));
    }
    fallback
        .filter(|f| centres.iter().any(|(c, _)| c == f))
        .or_else(|| centres.first().map(|(c, _)| *c))
        .ok_or(AppError::NotFound)
}

async fn alert_form_page(
    app: &AppState,
    actor: &Actor,
    org_id: i64,
    chosen: &[String],
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/alerts").await?;
    let orgs = issuing_centres(app, actor).await?;
    let bodies = alerts::bodies_below(&app.store, org_id)
        .await?
        .into_iter()
        .map(|(id, name)| (id, name, chosen.contains(&id.to_string())))
        .collect();
    Ok(render(
        status,
        &AlertFormPage {
            kinds: choices(&ctx, "alert-kind", &["alert", "measure"]),
            severities: severities(&ctx),
            counts: choices(&ctx, "day-count", &["working", "calendar"]),
            faults: faults(&ctx, &form),
            ctx,
            orgs,
            org_id,
            bodies,
            form,
        },
    ))
}

pub async fn alert_new(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let centres = issuing_centres(&app, &actor).await?;
    let org_id = issuer_of(
        &centres,
        params.org_id.as_deref(),
        actor.session.active_org_id.or(Some(actor.person.org_id)),
    )?;
    let form = state(
        "",
        &[
            ("kind", "alert"),
            ("severity", "medium"),
            ("due_mode", "none"),
            ("due_count", "working"),
            ("targets", "subtree"),
        ],
    );
    alert_form_page(&app, &actor, org_id, &[], form, StatusCode::OK).await
}

/// The alert form as typed.
#[derive(Debug, Default)]
struct AlertFields {
    values: HashMap<String, String>,
    target_ids: Vec<String>,
}

impl AlertFields {
    const NAMES: [&'static str; 11] = [
        "org_id",
        "kind",
        "title",
        "description",
        "severity",
        "due_mode",
        "due_on",
        "due_days",
        "due_count",
        "targets",
        "csrf",
    ];

    fn from_pairs(pairs: Vec<(String, String)>) -> AlertFields {
        let mut fields = AlertFields::default();
        for (name, value) in pairs {
            if name == "target_ids" {
                fields.target_ids.push(value);
            } else if Self::NAMES.contains(&name.as_str()) {
                fields.values.entry(name).or_insert(value);
            }
        }
        fields
    }

    fn get(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    fn state(&self) -> FormState {
        let mut values = self.values.clone();
        values.remove("csrf");
        FormState {
            values,
            errors: Vec::new(),
        }
    }

    /// The draft, the targets and the issuing centre, or every fault at once.
    fn read(
        &self,
        calendar: &rempart_domain::calendar::HolidayCalendar,
    ) -> Result<(i64, rempart_domain::alert::AlertInput, alerts::Targets), AppError> {
        let mut errors = Vec::new();
        let org = required_id("org_id", self.get("org_id"), &mut errors);
        let mode = match self.get("due_mode").trim() {
            "" if !self.get("due_on").trim().is_empty() => "date",
            "" if !self.get("due_days").trim().is_empty() => "days",
            "" => "none",
            m => m,
        };
        let due = match mode {
            "none" => DueDraft::None,
            "date" => {
                match chrono::NaiveDate::parse_from_str(self.get("due_on").trim(), "%Y-%m-%d") {
                    Ok(d) => DueDraft::On(d),
                    Err(_) => {
                        errors.push(FieldError::new(
                            "due_on",
                            if self.get("due_on").trim().is_empty() {
                                "error-required"
                            } else {
                                "error-date"
                            },
                        ));
                        DueDraft::None
                    }
                }
            }
            "days" => {
                let count = match self.get("due_count").trim() {
                    "calendar" => Some(DayCount::Calendar),
                    "working" | "" => Some(DayCount::Working),
                    _ => {
                        errors.push(FieldError::new("due_count", "error-choice"));
                        None
                    }
                };
                match (self.get("due_days").trim().parse::<u32>(), count) {
                    (Ok(days), Some(count)) => DueDraft::In(Delay { days, count }),
                    (Err(_), _) => {
                        errors.push(FieldError::new(
                            "due_days",
                            if self.get("due_days").trim().is_empty() {
                                "error-required"
                            } else {
                                "error-number"
                            },
                        ));
                        DueDraft::None
                    }
                    _ => DueDraft::None,
                }
            }
            _ => {
                errors.push(FieldError::new("due_mode", "error-choice"));
                DueDraft::None
            }
        };
        let draft = AlertDraft {
            kind: self.get("kind").to_owned(),
            title: self.get("title").to_owned(),
            description: self.get("description").to_owned(),
            severity: self.get("severity").to_owned(),
            due,
        };
        let input = match draft.check(crate::time::today(), calendar) {
            Ok(i) => Some(i),
            Err(e) => {
                // A deadline already named by the form is not named twice.
                for f in e.0 {
                    if !errors.iter().any(|x| x.field == f.field) {
                        errors.push(f);
                    }
                }
                None
            }
        };
        let targets = match self.get("targets").trim() {
            "chosen" => {
                let mut ids = Vec::new();
                for raw in &self.target_ids {
                    match raw.trim().parse::<i64>() {
                        Ok(id) => ids.push(id),
                        Err(_) => {
                            errors.push(FieldError::new("targets", "error-number"));
                            break;
                        }
                    }
                }
                if ids.is_empty() {
                    errors.push(FieldError::new("targets", "error-required"));
                }
                alerts::Targets::Chosen(ids)
            }
            "subtree" | "" => alerts::Targets::Subtree,
            _ => {
                errors.push(FieldError::new("targets", "error-choice"));
                alerts::Targets::Subtree
            }
        };
        match (org, input) {
            (Some(org), Some(input)) if errors.is_empty() => Ok((org, input, targets)),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

pub async fn alert_issue(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let fields = AlertFields::from_pairs(pairs);
    let result = async {
        let (org, input, targets) = fields.read(&app.config.calendar)?;
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        let id = alerts::issue(
            &mut w,
            &crate::gmvi::notifier(&app),
            scope(&actor, Permission::AlertIssue),
            org,
            &input,
            &targets,
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                AppError::Invalid(vec![FieldError::new("org_id", "error-not-found")])
            }
            other => other.into(),
        })?;
        w.commit().await?;
        Ok::<i64, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/alerts/{id}?done=issued")).into_response()),
        Err(e) => {
            let (errors, status) = refusal(e)?;
            let centres = issuing_centres(&app, &actor).await?;
            let asked = fields.get("org_id").trim().parse::<i64>().ok();
            let org_id = issuer_of(&centres, None, asked.or(actor.session.active_org_id))?;
            let form = fields
                .state()
                .with_errors(actor.language(), &prefixed("", errors));
            alert_form_page(&app, &actor, org_id, &fields.target_ids, form, status).await
        }
    }
}

pub struct ComplianceView {
    pub name: String,
    pub targets: u64,
    pub acknowledged: u64,
    pub applied: u64,
    pub not_applicable: u64,
    pub settled: u64,
    pub overdue: u64,
    pub percent: u64,
}

fn compliance(name: String, c: &Compliance) -> ComplianceView {
    ComplianceView {
        name,
        targets: c.targets,
        acknowledged: c.acknowledged,
        applied: c.applied,
        not_applicable: c.not_applicable,
        settled: c.settled,
        overdue: c.overdue,
        percent: c.percent(),
    }
}

pub struct TargetView {
    pub org_id: i64,
    pub org_name: String,
    pub status: String,
    pub acknowledged: String,
    pub applied: String,
    pub report: String,
    pub overdue: bool,
    pub escalated: String,
    pub can_respond: bool,
    pub can_ack: bool,
    pub can_settle: bool,
    pub evidence: Vec<EvidenceView>,
    /// Anchors of the row's forms.
    pub ack_status: String,
    pub applied_report: String,
    pub applied_status: String,
    pub na_report: String,
    pub na_status: String,
    pub file: String,
}

#[derive(Template)]
#[template(path = "gmvi_alert.html")]
struct AlertPage {
    ctx: Ctx,
    /// The issuer's own lead (not a reader of the board) may withdraw it.
    can_withdraw: bool,
    alert: alerts::Alert,
    kind: String,
    severity: String,
    issued_at: String,
    due: String,
    total: ComplianceView,
    total_text: String,
    centres: Vec<ComplianceView>,
    bodies: Vec<TargetView>,
    intel: Vec<alerts::Intel>,
    max_file: String,
    form: FormState,
    faults: Vec<(String, String)>,
}

async fn alert_page(
    app: &AppState,
    actor: &Actor,
    id: i64,
    done: Option<&str>,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let read = scope(actor, Permission::AlertRead);
    let alert = alerts::get(&app.store, read, id).await?;
    let board = alerts::board(&app.store, read, id, crate::time::today()).await?;
    let mut ctx = page_ctx(app, actor, "/alerts").await?;
    flash(&mut ctx, done);
    let measure = alert.kind == "measure";
    let mut bodies = Vec::with_capacity(board.bodies.len());
    for b in board.bodies {
        // A withdrawn alert takes no more answers.
        let can_respond = alert.withdrawn_at.is_none()
            && holds(app, actor, Permission::AlertRespond, b.org_id).await?;
        let pending = b.status == "pending";
        let open = pending || b.status == "acknowledged";
        // The issuer sees the files of the bodies that answered; a body its own.
        let files = if !alert.as_issuer || b.status == "applied" || b.status == "not_applicable" {
            evidence::list(&app.store, Attached::AlertTarget(b.id)).await?
        } else {
            Vec::new()
        };
        let by = |name: Option<String>, at: Option<i64>| match (name, at) {
            (Some(n), Some(t)) => t_args(
                ctx.lang,
                "alert-by-at",
                &[("name", n.into()), ("at", ctx.time(t).into())],
            ),
            (None, Some(t)) => ctx.time(t),
            _ => ctx.t("none"),
        };
        let o = b.org_id;
        bodies.push(TargetView {
            status: label(&ctx, "target-status", &b.status),
            acknowledged: by(b.acknowledged_by_name, b.acknowledged_at),
            applied: by(b.applied_by_name, b.applied_at),
            escalated: b
                .escalated_at
                .map(|t| ctx.t1("alert-escalated-at", "at", &ctx.time(t)))
                .unwrap_or_default(),
            can_ack: can_respond && pending,
            can_settle: can_respond && measure && open,
            evidence: evidence_views(&ctx, files, &format!("/alerts/{id}/evidence/{o}")),
            ack_status: format!("respond-{o}-acknowledged-status"),
            applied_report: format!("respond-{o}-applied-report"),
            applied_status: format!("respond-{o}-applied-status"),
            na_report: format!("respond-{o}-not_applicable-report"),
            na_status: format!("respond-{o}-not_applicable-status"),
            file: format!("evidence-{o}-file"),
            can_respond,
            org_id: o,
            org_name: b.org_name,
            report: b.report,
            overdue: b.overdue,
        });
    }
    let centres = board
        .centres
        .iter()
        .map(|(cid, name, c)| {
            let name = if cid.is_some() {
                name.clone()
            } else {
                ctx.t("alert-no-centre")
            };
            compliance(name, c)
        })
        .collect();
    let total = compliance(String::new(), &board.total);
    let total_text = t_args(
        ctx.lang,
        "alert-compliance-total",
        &[
            ("settled", board.total.settled.into()),
            ("targets", board.total.targets.into()),
            ("percent", board.total.percent().into()),
        ],
    );
    let due = match &alert.due_on {
        Some(d) if alert.due_rule.is_empty() => d.clone(),
        Some(d) => t_args(
            ctx.lang,
            "alert-due-with-rule",
            &[
                ("due", d.clone().into()),
                ("rule", alert.due_rule.clone().into()),
            ],
        ),
        None => ctx.t("alert-no-due"),
    };
    let intel = alerts::intel(&app.store, id).await?;
    let can_withdraw = alert.as_issuer
        && alert.withdrawn_at.is_none()
        && holds(app, actor, Permission::AlertIssue, alert.issuer_org_id).await?;
    Ok(render(
        status,
        &AlertPage {
            can_withdraw,
            kind: label(&ctx, "alert-kind", &alert.kind),
            severity: label(&ctx, "severity", &alert.severity),
            issued_at: ctx.time(alert.issued_at),
            max_file: size_text(
                &ctx,
                i64::try_from(app.config.evidence.max_bytes).unwrap_or(i64::MAX),
            ),
            faults: faults(&ctx, &form),
            due,
            total,
            total_text,
            centres,
            bodies,
            intel,
            form,
            alert,
            ctx,
        },
    ))
}

pub async fn alert_show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(raw): Path<String>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    alert_page(
        &app,
        &actor,
        id,
        params.done.as_deref(),
        FormState::default(),
        StatusCode::OK,
    )
    .await
}

/// The issuer withdraws an alert (the board stays, answers stop).
pub async fn alert_withdraw(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    alerts::withdraw(&mut w, scope(&actor, Permission::AlertIssue), id).await?;
    w.commit().await?;
    Ok(Redirect::to(&format!("/alerts/{id}?done=withdrawn")).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct RespondForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub report: String,
}

pub async fn alert_respond(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<RespondForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    // Out of reach reads as missing, before anything about the input is said.
    alerts::get(&app.store, scope(&actor, Permission::AlertRead), id).await?;
    let org = record_id(&form.org_id)?;
    if !holds(&app, &actor, Permission::AlertRespond, org).await? {
        return Err(AppError::NotFound);
    }
    let status_code = TargetStatus::parse(form.status.trim())
        .map(|s| s.as_str())
        .unwrap_or("acknowledged");
    let result = async {
        let to = TargetStatus::parse(form.status.trim())
            .ok_or_else(|| AppError::Invalid(vec![FieldError::new("status", "error-choice")]))?;
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        alerts::respond(
            &mut w,
            scope(&actor, Permission::AlertRespond),
            id,
            org,
            to,
            &form.report,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/alerts/{id}?done=responded#body-{org}")).into_response())
        }
        Err(e) => {
            let (errors, status) = refusal(e)?;
            let prefix = format!("respond-{org}-{status_code}-");
            let form = state(&prefix, &[("report", &form.report)])
                .with_errors(actor.language(), &prefixed(&prefix, errors));
            alert_page(&app, &actor, id, None, form, status).await
        }
    }
}

pub async fn alert_evidence_upload(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    request: Request,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    alerts::get(&app.store, scope(&actor, Permission::AlertRead), id).await?;
    let upload = read_upload(request, upload_limit(&app), &["org_id"]).await?;
    let org = record_id(
        upload
            .fields
            .get("org_id")
            .map(String::as_str)
            .unwrap_or(""),
    )?;
    if !holds(&app, &actor, Permission::AlertRespond, org).await? {
        return Err(AppError::NotFound);
    }
    let result = async {
        if upload.too_large {
            return Err(AppError::Invalid(vec![FieldError::with_limit(
                "file",
                "error-file-too-large",
                app.config.evidence.max_bytes,
            )]));
        }
        let Some((name, bytes)) = upload.file.as_ref().filter(|(_, b)| !b.is_empty()) else {
            return Err(AppError::Invalid(vec![FieldError::new(
                "file",
                "error-required",
            )]));
        };
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        alerts::add_evidence(
            &mut w,
            &app.config.evidence,
            scope(&actor, Permission::AlertRespond),
            id,
            org,
            name,
            bytes,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/alerts/{id}?done=evidence#body-{org}")).into_response())
        }
        Err(e) => {
            let (errors, status) = refusal(e)?;
            let prefix = format!("evidence-{org}-");
            let form =
                FormState::default().with_errors(actor.language(), &prefixed(&prefix, errors));
            alert_page(&app, &actor, id, None, form, status).await
        }
    }
}

pub async fn alert_evidence_download(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path((raw, raw_org, raw_file)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    alerts::get(&app.store, scope(&actor, Permission::AlertRead), id).await?;
    let org = record_id(&raw_org)?;
    let file = record_id(&raw_file)?;
    let target =
        alerts::target_of(&app.store, scope(&actor, Permission::AlertRead), id, org).await?;
    download(&app, &actor, Attached::AlertTarget(target), file).await
}

// ---------------------------------------------------------------- escalation rules (GMVI-03)

/// One field of a rule row, named as the domain names it (`rules.2.ack_hours`).
pub struct RuleField {
    pub name: String,
    pub value: String,
    pub error: Option<String>,
}

/// A checkbox of a rule row.
pub struct RuleCheck {
    pub id: String,
    pub code: &'static str,
    pub label: String,
    pub checked: bool,
}

pub struct RuleRowView {
    pub number: usize,
    pub name: RuleField,
    pub min_severity: RuleField,
    pub top_classification: RuleField,
    pub personal_info: RuleField,
    pub min_bodies: RuleField,
    pub ack_hours: RuleField,
    pub categories: RuleField,
    pub category_checks: Vec<RuleCheck>,
    pub notify: RuleField,
    pub notify_checks: Vec<RuleCheck>,
    pub remove: String,
    pub blank: bool,
}

#[derive(Template)]
#[template(path = "gmvi_escalation.html")]
struct RulesPage {
    ctx: Ctx,
    orgs: Vec<(i64, String)>,
    org_id: i64,
    origin: String,
    rows: Vec<RuleRowView>,
    severities: Vec<(&'static str, String)>,
    personal: Vec<(&'static str, String)>,
    form: FormState,
    faults: Vec<(String, String)>,
}

/// A rule row as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct RawRule {
    name: String,
    min_severity: String,
    top_classification: bool,
    personal_info: String,
    min_bodies: String,
    categories: Vec<String>,
    notify: Vec<String>,
    ack_hours: String,
    remove: bool,
}

impl RawRule {
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.min_severity.trim().is_empty()
            && !self.top_classification
            && matches!(self.personal_info.trim(), "" | "any")
            && self.min_bodies.trim().is_empty()
            && self.categories.is_empty()
            && self.notify.is_empty()
            && self.ack_hours.trim().is_empty()
    }

    fn of(rule: &Rule) -> RawRule {
        RawRule {
            name: rule.name.clone(),
            min_severity: rule
                .when
                .min_severity
                .map(|s| incident::severity_str(s).to_owned())
                .unwrap_or_default(),
            top_classification: rule.when.top_classification,
            personal_info: match rule.when.personal_info {
                Some(true) => "yes",
                Some(false) => "no",
                None => "any",
            }
            .to_owned(),
            min_bodies: rule
                .when
                .min_bodies
                .map(|n| n.to_string())
                .unwrap_or_default(),
            categories: rule.when.categories.clone(),
            notify: rule
                .notify
                .iter()
                .map(|r| notices::recipient_str(*r).to_owned())
                .collect(),
            ack_hours: rule.ack_hours.to_string(),
            remove: false,
        }
    }

    /// The rule, with the faults of the row's own text named `rules.{i}.field`.
    fn rule(&self, i: usize, errors: &mut Vec<FieldError>) -> Rule {
        let field = |f: &str| format!("rules.{i}.{f}");
        let min_severity = match self.min_severity.trim() {
            "" => None,
            s => {
                let parsed = incident::parse_severity(s);
                if parsed.is_none() {
                    errors.push(FieldError::new(field("min_severity"), "error-choice"));
                }
                parsed
            }
        };
        let personal_info = match self.personal_info.trim() {
            "" | "any" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.push(FieldError::new(field("personal_info"), "error-choice"));
                None
            }
        };
        let min_bodies = match self.min_bodies.trim() {
            "" => None,
            raw => match raw.parse::<usize>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    errors.push(FieldError::new(field("min_bodies"), "error-number"));
                    None
                }
            },
        };
        let mut categories = Vec::new();
        for c in &self.categories {
            if incident::CATEGORIES.contains(&c.as_str()) {
                if !categories.contains(c) {
                    categories.push(c.clone());
                }
            } else {
                errors.push(FieldError::new(field("categories"), "error-choice"));
                break;
            }
        }
        let mut notify = Vec::new();
        for r in &self.notify {
            match notices::parse_recipient(r.trim()) {
                Some(recipient) if !notify.contains(&recipient) => notify.push(recipient),
                Some(_) => {}
                None => {
                    errors.push(FieldError::new(field("notify"), "error-choice"));
                    break;
                }
            }
        }
        let ack_hours = match self.ack_hours.trim() {
            // Left empty: the domain names the range.
            "" => 0,
            raw => raw.parse::<u32>().unwrap_or_else(|_| {
                errors.push(FieldError::new(field("ack_hours"), "error-number"));
                1
            }),
        };
        Rule {
            name: self.name.trim().to_owned(),
            when: Condition {
                min_severity,
                top_classification: self.top_classification,
                personal_info,
                min_bodies,
                categories,
            },
            notify,
            ack_hours,
        }
    }
}

/// Rows past this index are not read: far more than an organization's rules.
const MAX_RULE_INDEX: usize = 200;

/// The organization and the rule rows as typed: blank and removed rows dropped, the rest in
/// order (so that `rules.N` names the N-th rule the domain checks).
fn rules_from_pairs(pairs: Vec<(String, String)>) -> (String, Vec<RawRule>) {
    let mut org = String::new();
    let mut rows: BTreeMap<usize, RawRule> = BTreeMap::new();
    for (name, value) in pairs {
        if name == "org_id" {
            org = value;
            continue;
        }
        let Some((index, field)) = name
            .strip_prefix("rules.")
            .and_then(|rest| rest.split_once('.'))
        else {
            continue;
        };
        let Some(index) = index.parse::<usize>().ok().filter(|i| *i <= MAX_RULE_INDEX) else {
            continue;
        };
        let row = rows.entry(index).or_default();
        match field {
            "name" => row.name = value,
            "min_severity" => row.min_severity = value,
            "top_classification" => row.top_classification = value == "on",
            "personal_info" => row.personal_info = value,
            "min_bodies" => row.min_bodies = value,
            "categories" => row.categories.push(value),
            "notify" => row.notify.push(value),
            "ack_hours" => row.ack_hours = value,
            "remove" => row.remove = value == "on",
            _ => {}
        }
    }
    let kept = rows
        .into_values()
        .filter(|r| !r.remove && !r.is_blank())
        .collect();
    (org, kept)
}

/// The rules, or every fault at once (the form's text, then the domain's checks).
fn rules_of(rows: &[RawRule]) -> Result<Vec<Rule>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let rules: Vec<Rule> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| r.rule(i, &mut errors))
        .collect();
    if rules.is_empty() {
        errors.push(FieldError::new("rules", "error-required"));
    }
    if let Err(e) = escalation::check_rules(&rules) {
        for f in e.0 {
            if !errors.iter().any(|x| x.field == f.field) {
                errors.push(f);
            }
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

async fn rules_page_for(
    app: &AppState,
    actor: &Actor,
    org_id: i64,
    rows: Option<Vec<RawRule>>,
    errors: Vec<FieldError>,
    done: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let manage = scope(actor, Permission::EscalationManage);
    let (stored, from) = notices::rules(&app.store, manage, org_id).await?;
    let mut ctx = page_ctx(app, actor, "/escalation-rules").await?;
    flash(&mut ctx, done);
    let orgs = crate::ui::org_choices(app, manage).await?;
    let origin = match from {
        None => ctx.t("rules-origin-default"),
        Some(o) if o == org_id => ctx.t("rules-origin-own"),
        Some(o) => {
            let names = org_names(app, &[o]).await?;
            ctx.t1(
                "rules-origin-inherited",
                "org",
                names.get(&o).map(String::as_str).unwrap_or(""),
            )
        }
    };
    let rows = rows.unwrap_or_else(|| stored.iter().map(RawRule::of).collect());
    let form = FormState::default().with_errors(actor.language(), &errors);
    let severity_codes = SEVERITIES;
    let view = |i: usize, r: &RawRule, blank: bool| {
        let f = |name: &str, value: String| {
            let name = format!("rules.{i}.{name}");
            RuleField {
                error: form.error(&name),
                value,
                name,
            }
        };
        RuleRowView {
            number: i + 1,
            name: f("name", r.name.clone()),
            min_severity: f("min_severity", r.min_severity.clone()),
            top_classification: f(
                "top_classification",
                if r.top_classification { "on" } else { "" }.to_owned(),
            ),
            personal_info: f(
                "personal_info",
                if r.personal_info.is_empty() {
                    "any".to_owned()
                } else {
                    r.personal_info.clone()
                },
            ),
            min_bodies: f("min_bodies", r.min_bodies.clone()),
            ack_hours: f("ack_hours", r.ack_hours.clone()),
            categories: f("categories", String::new()),
            category_checks: incident::CATEGORIES
                .iter()
                .map(|c| RuleCheck {
                    id: format!("rules.{i}.categories.{c}"),
                    code: c,
                    label: label(&ctx, "incident-category", c),
                    checked: r.categories.iter().any(|x| x == c),
                })
                .collect(),
            notify: f("notify", String::new()),
            notify_checks: RECIPIENTS
                .iter()
                .map(|c| RuleCheck {
                    id: format!("rules.{i}.notify.{c}"),
                    code: c,
                    label: recipient_label(&ctx, c),
                    checked: r.notify.iter().any(|x| x == c),
                })
                .collect(),
            remove: format!("rules.{i}.remove"),
            blank,
        }
    };
    let mut views: Vec<RuleRowView> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| view(i, r, false))
        .collect();
    // A blank row to add a rule without script.
    views.push(view(rows.len(), &RawRule::default(), true));
    let personal = vec![
        ("any", ctx.t("rules-personal-any")),
        ("yes", ctx.t("yes")),
        ("no", ctx.t("no")),
    ];
    Ok(render(
        status,
        &RulesPage {
            severities: choices(&ctx, "severity", &severity_codes),
            faults: faults(&ctx, &form),
            personal,
            orgs,
            org_id,
            origin,
            rows: views,
            form,
            ctx,
        },
    ))
}

/// The organization whose rules are shown: asked for, else the active one or the first.
async fn rules_org(app: &AppState, actor: &Actor, asked: Option<&str>) -> Result<i64, AppError> {
    let orgs = crate::ui::org_choices(app, scope(actor, Permission::EscalationManage)).await?;
    if let Some(raw) = asked.map(str::trim).filter(|r| !r.is_empty()) {
        let id = raw
            .parse::<i64>()
            .map_err(|_| AppError::Invalid(vec![FieldError::new("org_id", "error-number")]))?;
        if orgs.iter().any(|(o, _)| *o == id) {
            return Ok(id);
        }
        return Err(AppError::NotFound);
    }
    actor
        .session
        .active_org_id
        .or(Some(actor.person.org_id))
        .filter(|f| orgs.iter().any(|(o, _)| o == f))
        .or_else(|| orgs.first().map(|(o, _)| *o))
        .ok_or(AppError::NotFound)
}

pub async fn rules_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let org_id = rules_org(&app, &actor, params.org_id.as_deref()).await?;
    rules_page_for(
        &app,
        &actor,
        org_id,
        None,
        Vec::new(),
        params.done.as_deref(),
        StatusCode::OK,
    )
    .await
}

pub async fn rules_save(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (org_raw, rows) = rules_from_pairs(pairs);
    if org_raw.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "org_id",
            "error-required",
        )]));
    }
    let org_id = rules_org(&app, &actor, Some(&org_raw)).await?;
    let result = async {
        let rules = rules_of(&rows).map_err(AppError::Invalid)?;
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        notices::set_rules(
            &mut w,
            scope(&actor, Permission::EscalationManage),
            org_id,
            &rules,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/escalation-rules?org_id={org_id}&done=saved")).into_response(),
        ),
        Err(e) => {
            let (errors, status) = refusal(e)?;
            rules_page_for(&app, &actor, org_id, Some(rows), errors, None, status).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::I18n;
    use rempart_domain::language::Language;

    // REQ PLAT-05
    #[test]
    fn keys_built_at_run_time_exist_in_both_languages() {
        let mut keys: Vec<String> = Vec::new();
        let mut add = |prefix: &str, codes: &[&str]| {
            keys.extend(codes.iter().map(|c| key(prefix, c)));
        };
        add("event-status", &EventStatus::ALL.map(|s| s.as_str()));
        add("personal-info", &PersonalInfo::ALL.map(|p| p.as_str()));
        add("incident-status", &IncidentStatus::ALL.map(|s| s.as_str()));
        add("severity", &SEVERITIES);
        add("incident-category", &incident::CATEGORIES);
        add("impact", &Impact::ALL.map(|i| i.as_str()));
        add("incident-role", &IncidentRole::ALL.map(|r| r.as_str()));
        add("task-status", &TaskStatus::ALL.map(|s| s.as_str()));
        add("entry-kind", &EntryKind::ALL.map(|k| k.as_str()));
        add("recipient", &RECIPIENTS);
        add("alert-kind", &["alert", "measure"]);
        add("target-status", &TargetStatus::ALL.map(|s| s.as_str()));
        add("email-status", &EMAIL_STATUSES);
        add("day-count", &["calendar", "working"]);
        add("triage-decision", &TRIAGE_DECISIONS);
        add("gmvi-done", &DONE);
        keys.extend(FIELD_LABELS.iter().map(|(_, k)| (*k).to_owned()));
        for key in &keys {
            for language in Language::ALL {
                assert!(I18n::has(language, key), "{key} missing in {language:?}");
            }
        }
        for status in rempart_domain::delivery::DeliveryStatus::ALL {
            assert!(EMAIL_STATUSES.contains(&status.as_str()));
        }
        for r in RECIPIENTS {
            assert!(notices::parse_recipient(r).is_some());
        }
    }

    // REQ GMVI-02
    #[test]
    fn system_entries_are_worded_never_shown_raw() {
        let ctx = Ctx::anonymous(Language::Fr);
        let names = HashMap::from([(7, "Centre opérationnel".to_owned())]);
        let notice = r#"{"event":"notice","recipient":"operational_centre","org":7,"rules":"Gravité élevée","hours":4,"vacant":["delegated_ciso"],"escalated":true}"#;
        let text = entry_text(&ctx, "escalation", notice, &names);
        assert!(!text.contains('{'), "{text}");
        assert!(text.contains("Centre opérationnel"), "{text}");
        assert!(text.contains("4"), "{text}");
        assert!(text.contains("Gravité élevée"), "{text}");
        for body in [
            r#"{"event":"ack","recipient":"ciso"}"#,
            r#"{"event":"unacknowledged","recipient":"government_ciso"}"#,
            r#"{"event":"something"}"#,
            "not json",
        ] {
            let text = entry_text(&ctx, "escalation", body, &names);
            assert!(!text.contains('{') && !text.contains("event"), "{text}");
        }
        let reopened = entry_text(&ctx, "status", "open:Réinfection", &names);
        assert!(reopened.contains("Réinfection"), "{reopened}");
        assert_ne!(entry_text(&ctx, "status", "open", &names), "open");
        assert_ne!(entry_text(&ctx, "status", "contained", &names), "contained");
        let en = Ctx::anonymous(Language::En);
        assert_ne!(
            entry_text(&en, "escalation", notice, &names),
            entry_text(&ctx, "escalation", notice, &names)
        );
    }

    #[test]
    fn file_names_are_offered_back_percent_encoded_as_attachments() {
        assert_eq!(
            disposition("rapport été.pdf"),
            "attachment; filename=\"rapport _t_.pdf\"; filename*=UTF-8''rapport%20%C3%A9t%C3%A9.pdf"
        );
        assert!(disposition("a\"b;c").contains("filename*=UTF-8''a%22b%3Bc"));
        assert_eq!(back_to("/incidents/12"), "/incidents/12");
        assert_eq!(back_to("https://evil.example/"), "/notices");
        assert_eq!(back_to("/incidents/12?x"), "/notices");
        assert_eq!(own_link("//evil.example"), "");
        assert_eq!(own_link("/alerts/3"), "/alerts/3");
    }

    // REQ GMVI-03
    #[test]
    fn blank_and_removed_rule_rows_are_dropped_and_the_rest_renumbered() {
        let pairs: Vec<(String, String)> = [
            ("org_id", "5"),
            ("rules.0.name", "Toujours"),
            ("rules.0.notify", "ciso"),
            ("rules.0.ack_hours", "24"),
            ("rules.1.name", "À retirer"),
            ("rules.1.notify", "ciso"),
            ("rules.1.ack_hours", "4"),
            ("rules.1.remove", "on"),
            ("rules.2.personal_info", "any"),
            ("rules.3.name", ""),
            ("rules.3.notify", "government_ciso"),
            ("rules.3.ack_hours", "0"),
            ("rules.3.min_bodies", "deux"),
            ("rules.999.name", "ignored"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let (org, rows) = rules_from_pairs(pairs);
        assert_eq!(org, "5");
        assert_eq!(rows.len(), 2);
        let errors = rules_of(&rows).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["rules.1.min_bodies", "rules.1.name", "rules.1.ack_hours"]
        );
        assert_eq!(rules_of(&rows[..1]).unwrap()[0].ack_hours, 24);
        assert_eq!(
            rules_of(&[]).unwrap_err()[0].field,
            "rules",
            "no rule at all is refused"
        );
    }
}
