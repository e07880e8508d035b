//! The register of confidentiality incidents in the JSON API (PRIV-01 to PRIV-03): list, read
//! (audited), record, complete, notices sent, deletion after the retention, and the notice to
//! the Commission d'accès à l'information as PDF. The body's privacy officer only.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Extension;
use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::confidentiality::{EntryInput, NoticeKind};
use rempart_domain::language::Language;
use rempart_domain::FieldError;
use rempart_report::{Block, Cell, Column, Report, Table};
use rempart_storage::confidentiality::{self as store, EntryDetail, EntryRow};
use rempart_storage::list::PageRequest;
use rempart_storage::scope::Scope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{page_out, PageOut};
use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::i18n::{t, t_args};
use crate::policy::{Policy, Routes};
use crate::ui::audit_context;
use crate::AppState;

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    routes
        .get(
            "/api/v1/confidentiality-incidents",
            Needs(PrivacyRead),
            get(list),
        )
        .get(
            "/api/v1/confidentiality-incidents/{id}",
            Needs(PrivacyRead),
            get(show),
        )
        .post(
            "/api/v1/organizations/{id}/confidentiality-incidents",
            Needs(PrivacyManage),
            post(create),
        )
        .route(
            axum::http::Method::PUT,
            "/api/v1/confidentiality-incidents/{id}",
            Needs(PrivacyManage),
            put(update),
        )
        .route(
            axum::http::Method::DELETE,
            "/api/v1/confidentiality-incidents/{id}",
            Needs(PrivacyManage),
            delete(remove),
        )
        .post(
            "/api/v1/confidentiality-incidents/{id}/notices",
            Needs(PrivacyManage),
            post(notice),
        )
        .get(
            "/api/v1/confidentiality-incidents/{id}/commission-notice",
            Needs(PrivacyRead),
            get(commission_notice_pdf),
        )
        .get(
            "/api/v1/confidentiality-incidents/{id}/persons-notice",
            Needs(PrivacyRead),
            get(persons_notice_pdf),
        )
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only the entries still to complete: drafts, not assessed, or serious without their
    /// notices.
    pub pending: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct EntryRowOut(pub EntryRow);

impl From<EntryRow> for EntryRowOut {
    fn from(r: EntryRow) -> Self {
        EntryRowOut(r)
    }
}

/// The register, latest awareness first, without the descriptions (open an entry to read
/// them: that reading is audited).
#[utoipa::path(get, path = "/api/v1/confidentiality-incidents", params(ListParams),
    tag = "privacy",
    responses((status = 200, body = PageOut<EntryRowOut>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<ListParams>,
) -> Result<Json<PageOut<EntryRowOut>>, AppError> {
    let page = crate::api::paging::<()>(p.limit, p.offset, None, None, |_| Some(()))?;
    let page = store::list(
        &app.store,
        scope(&actor, Permission::PrivacyRead),
        p.pending.unwrap_or(false),
        &PageRequest {
            limit: page.limit,
            offset: page.offset,
            sort: (),
            descending: true,
        },
    )
    .await?;
    Ok(Json(page_out(page)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct EntryOut(pub EntryDetail);

/// One entry with its assessment, its notices and its retention. The reading is audited.
#[utoipa::path(get, path = "/api/v1/confidentiality-incidents/{id}", tag = "privacy",
    responses((status = 200, body = EntryOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<EntryOut>, AppError> {
    let detail = store::get(
        &app.store,
        scope(&actor, Permission::PrivacyRead),
        audit_context(&actor, &headers),
        id,
        crate::time::today(),
        &app.config.deadlines,
        "confidentiality_incident.read",
    )
    .await?;
    Ok(Json(EntryOut(detail)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EntryIn {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub entry: EntryInput,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: i64,
}

/// Records an entry (r. 3.1 art. 7: the information or why it cannot be described, the
/// circumstances, the dates of the incident and of awareness, the persons concerned, the
/// assessment, the measures). Concluding on the risk of serious injury needs the three
/// factors and the day the privacy officer was consulted.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/confidentiality-incidents",
    request_body = EntryIn, tag = "privacy",
    responses((status = 201, body = CreatedOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(org_id): Path<i64>,
    Json(input): Json<EntryIn>,
) -> Result<Response, AppError> {
    let id = store::create(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        org_id,
        &input.entry,
        crate::time::today(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EntryUpdateIn {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub entry: EntryInput,
    /// The version read: a change made meanwhile is refused (409).
    pub version: i64,
}

/// Completes or corrects an entry (a draft opened from a security incident becomes recorded).
#[utoipa::path(put, path = "/api/v1/confidentiality-incidents/{id}", request_body = EntryUpdateIn,
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<EntryUpdateIn>,
) -> Result<StatusCode, AppError> {
    store::update(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        input.version,
        &input.entry,
        crate::time::today(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NoticeIn {
    /// `commission`, `commission_addition`, `persons` or `public`.
    pub kind: String,
    /// YYYY-MM-DD.
    pub sent_on: String,
    /// What was added (required for an addition), or why a public notice (required).
    #[serde(default)]
    pub detail: String,
}

pub(crate) fn parse_notice(kind: &str, sent_on: &str) -> Result<(NoticeKind, NaiveDate), AppError> {
    let kind = NoticeKind::parse(kind.trim());
    let sent = NaiveDate::parse_from_str(sent_on.trim(), "%Y-%m-%d").ok();
    let mut errors = Vec::new();
    if kind.is_none() {
        errors.push(FieldError::new("kind", "error-choice"));
    }
    if sent.is_none() {
        errors.push(FieldError::new("sent_on", "error-date"));
    }
    match (kind, sent) {
        (Some(k), Some(s)) => Ok((k, s)),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// Records a notice as sent: to the CAI, an addition to it, to the persons, or in public.
/// Only for an entry concluded to present a risk of serious injury.
#[utoipa::path(post, path = "/api/v1/confidentiality-incidents/{id}/notices",
    request_body = NoticeIn, tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn notice(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<NoticeIn>,
) -> Result<StatusCode, AppError> {
    let (kind, sent_on) = parse_notice(&input.kind, &input.sent_on)?;
    store::record_notice(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        kind,
        sent_on,
        &input.detail,
        crate::time::today(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes an entry once its retention has run out (five years after awareness by default);
/// refused before (422, `aware_on`).
#[utoipa::path(delete, path = "/api/v1/confidentiality-incidents/{id}", tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remove(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    store::delete(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        crate::time::today(),
        &app.config.deadlines,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn or_dash(v: Option<&str>) -> String {
    match v {
        Some(s) if !s.trim().is_empty() => s.to_owned(),
        _ => "—".to_owned(),
    }
}

/// The notice to the CAI as a report: the regulation's content (r. 3.1 art. 3) from the entry,
/// with the person who produced it as the contact.
pub fn commission_notice(
    lang: Language,
    d: &EntryDetail,
    contact: &str,
    produced: rempart_report::Produced,
) -> Report {
    let yes_no = |v: bool| t(lang, if v { "ci-yes" } else { "ci-no" });
    let level = |v: Option<&str>| match v {
        Some(l) => t(lang, &format!("ci-level-{l}")),
        None => "—".to_owned(),
    };
    let period = match (&d.occurred_from, &d.occurred_to) {
        (Some(f), Some(to)) => format!("{f} – {to}"),
        (Some(f), None) => f.clone(),
        _ => "—".to_owned(),
    };
    let information = if d.information.is_empty() {
        format!(
            "{} {}",
            t(lang, "ci-not-described"),
            d.information_not_described
        )
    } else {
        d.information.clone()
    };
    let persons_notice = match (&d.row.persons_notified_on, &d.row.public_notice_on) {
        (Some(p), _) => t_args(lang, "ci-notice-persons-on", &[("date", p.clone().into())]),
        (None, Some(p)) => t_args(lang, "ci-notice-public-on", &[("date", p.clone().into())]),
        _ => t(lang, "ci-notice-persons-planned"),
    };
    let mut rows: Vec<(String, String)> = vec![
        (t(lang, "ci-field-org"), d.row.org_name.clone()),
        (t(lang, "ci-field-contact"), contact.to_owned()),
        (t(lang, "ci-field-information"), information),
        (t(lang, "ci-field-circumstances"), d.circumstances.clone()),
        (
            t(lang, "ci-field-occurred"),
            if d.occurred_approximate {
                format!("{period} ({})", t(lang, "ci-approximate"))
            } else {
                period
            },
        ),
        (
            t(lang, "ci-field-aware-on"),
            or_dash(d.row.aware_on.as_deref()),
        ),
        (
            t(lang, "ci-field-persons"),
            format!(
                "{}{} — {} : {}",
                d.row
                    .persons
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "—".into()),
                if d.persons_approximate {
                    format!(" ({})", t(lang, "ci-approximate"))
                } else {
                    String::new()
                },
                t(lang, "ci-field-persons-in-quebec"),
                d.persons_in_quebec
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "—".into())
            ),
        ),
        (
            t(lang, "ci-field-serious"),
            format!(
                "{} — {} : {} ; {} : {} ; {} : {} ; {} : {}",
                d.row
                    .serious_injury
                    .as_deref()
                    .map(|s| yes_no(s == "yes"))
                    .unwrap_or_else(|| "—".into()),
                t(lang, "ci-field-sensitivity"),
                level(d.sensitivity.as_deref()),
                t(lang, "ci-field-consequences"),
                or_dash(Some(&d.consequences)),
                t(lang, "ci-field-malicious-uses"),
                or_dash(Some(&d.malicious_uses)),
                t(lang, "ci-field-likelihood"),
                level(d.likelihood.as_deref()),
            ),
        ),
        (t(lang, "ci-field-persons-notice"), persons_notice),
        (t(lang, "ci-field-measures"), or_dash(Some(&d.measures))),
    ];
    for n in d.notices.iter().filter(|n| n.kind == "commission_addition") {
        rows.push((
            t_args(
                lang,
                "ci-field-addition",
                &[("date", n.sent_on.clone().into())],
            ),
            n.detail.clone(),
        ));
    }
    Report {
        title: format!(
            "{} — {}",
            t(lang, "ci-commission-notice-title"),
            d.row.reference
        ),
        subtitle: vec![t(lang, "ci-commission-notice-basis")],
        language: lang.tag().to_owned(),
        page_label: t_args(
            lang,
            "report-page",
            &[("page", "{page}".into()), ("pages", "{pages}".into())],
        ),
        creator: "Rempart".to_owned(),
        produced,
        orientation: Default::default(),
        blocks: vec![Block::Table(Table {
            caption: t(lang, "ci-commission-notice-title"),
            columns: vec![
                Column::new(t(lang, "ci-col-item"), 1.0),
                Column::new(t(lang, "ci-col-content"), 2.6),
            ],
            rows: rows
                .into_iter()
                .map(|(k, v)| vec![Cell::from(k), Cell::from(v)])
                .collect(),
            row_headers: true,
        })],
    }
}

/// The notice to the CAI as PDF, in the reader's language, to send; record it as sent after.
#[utoipa::path(get, path = "/api/v1/confidentiality-incidents/{id}/commission-notice",
    tag = "privacy",
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 404, body = ErrorBody)))]
pub async fn commission_notice_pdf(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let detail = store::get(
        &app.store,
        scope(&actor, Permission::PrivacyRead),
        audit_context(&actor, &headers),
        id,
        crate::time::today(),
        &app.config.deadlines,
        "confidentiality_incident.notice_produced",
    )
    .await?;
    let contact = format!("{} <{}>", actor.person.name, actor.person.email);
    let report = commission_notice(
        actor.language(),
        &detail,
        &contact,
        crate::risk_report::produced(chrono::Utc::now()),
    );
    let disposition = format!(
        "attachment; filename=\"{}-avis-cai.pdf\"",
        detail.row.reference
    );
    crate::risk_report::pdf_response(report, disposition).await
}

/// The notice to a person concerned as a report: r. 3.1 art. 5's content (verified) from the
/// entry — the information concerned (or why it cannot be described), the circumstances, the
/// date or period, the measures taken, what the person is advised to do, whom to contact —
/// in the reader's language, to send to each person (or to publish).
pub fn persons_notice(
    lang: Language,
    d: &EntryDetail,
    contact: &str,
    produced: rempart_report::Produced,
) -> Report {
    let period = match (&d.occurred_from, &d.occurred_to) {
        (Some(f), Some(to)) => format!("{f} – {to}"),
        (Some(f), None) => f.clone(),
        _ => "—".to_owned(),
    };
    let information = if d.information.is_empty() {
        format!(
            "{} {}",
            t(lang, "ci-not-described"),
            d.information_not_described
        )
    } else {
        d.information.clone()
    };
    let section = |key: &str, text: String| {
        vec![
            Block::Heading(t(lang, key)),
            Block::Paragraph(if text.trim().is_empty() {
                "—".to_owned()
            } else {
                text
            }),
        ]
    };
    let mut blocks = vec![Block::Paragraph(t_args(
        lang,
        "ci-persons-notice-intro",
        &[("org", d.row.org_name.clone().into())],
    ))];
    blocks.extend(section("ci-field-information", information));
    blocks.extend(section("ci-field-circumstances", d.circumstances.clone()));
    blocks.extend(section(
        "ci-field-occurred",
        if d.occurred_approximate {
            format!("{period} ({})", t(lang, "ci-approximate"))
        } else {
            period
        },
    ));
    blocks.extend(section("ci-field-measures", d.measures.clone()));
    blocks.extend(section("ci-field-advice", d.advice.clone()));
    blocks.extend(section("ci-persons-notice-contact", contact.to_owned()));
    Report {
        title: format!(
            "{} — {}",
            t(lang, "ci-persons-notice-title"),
            d.row.reference
        ),
        subtitle: vec![d.row.org_name.clone(), t(lang, "ci-persons-notice-basis")],
        language: lang.tag().to_owned(),
        page_label: t_args(
            lang,
            "report-page",
            &[("page", "{page}".into()), ("pages", "{pages}".into())],
        ),
        creator: "Rempart".to_owned(),
        produced,
        orientation: Default::default(),
        blocks,
    }
}

/// The notice to the persons concerned as PDF, in the reader's language; record it as sent
/// after (or the public notice, with its reason).
#[utoipa::path(get, path = "/api/v1/confidentiality-incidents/{id}/persons-notice",
    tag = "privacy",
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 404, body = ErrorBody)))]
pub async fn persons_notice_pdf(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let detail = store::get(
        &app.store,
        scope(&actor, Permission::PrivacyRead),
        audit_context(&actor, &headers),
        id,
        crate::time::today(),
        &app.config.deadlines,
        "confidentiality_incident.notice_produced",
    )
    .await?;
    let contact = format!("{} <{}>", actor.person.name, actor.person.email);
    let report = persons_notice(
        actor.language(),
        &detail,
        &contact,
        crate::risk_report::produced(chrono::Utc::now()),
    );
    let disposition = format!(
        "attachment; filename=\"{}-avis-personnes.pdf\"",
        detail.row.reference
    );
    crate::risk_report::pdf_response(report, disposition).await
}
