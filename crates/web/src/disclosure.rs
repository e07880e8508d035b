//! Public vulnerability disclosure (GMVI-06). Anyone may report a vulnerability in an exposed
//! service, by a page that works without script or by the API, and follow it with the token
//! given once at submission (only its SHA-256 is kept). Submissions are limited per address
//! and per hour on top of the limit of every public route, and bounded in size. Staff read
//! the reports of their bodies, answer and move their status. `/.well-known/security.txt`
//! (RFC 9116) is written from the configuration's `[security_txt]` table; without it the
//! file is not served: no contact is invented.

use askama::Template;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form};
use base64::Engine;
use rempart_domain::authz::Permission;
use rempart_domain::disclosure::{self, DisclosureInput, DisclosureStatus};
use rempart_domain::language::Language;
use rempart_domain::FieldError;
use rempart_storage::disclosures::{self, DisclosureDetail, DisclosureRow, ReporterView};
use rempart_storage::scope::Scope;
use rempart_storage::AuditContext;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::policy::{Policy, Routes};
use crate::ui::{audit_context, page_ctx, source_of};
use crate::views::{render, Ctx};
use crate::AppState;

/// A report's body at most: its fields are bounded, this bounds what is read to find out.
const MAX_BODY: usize = 64 * 1024;

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    routes
        .get("/.well-known/security.txt", Public, get(security_txt))
        .get("/disclose", Public, get(form_page))
        .post(
            "/disclose",
            Public,
            post(form_submit).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .get("/disclose/follow", Public, get(follow_page))
        .post(
            "/disclose/follow",
            Public,
            post(follow_submit).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .post(
            "/api/v1/disclosures",
            Public,
            post(api_submit).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .post(
            "/api/v1/disclosures/follow",
            Public,
            post(api_follow).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .get("/disclosures", Needs(VulnerabilityImport), get(staff_list))
        .get(
            "/disclosures/{id}",
            Needs(VulnerabilityImport),
            get(staff_show),
        )
        .post(
            "/disclosures/{id}/respond",
            Needs(VulnerabilityImport),
            post(staff_respond),
        )
        .get(
            "/api/v1/disclosures/{id}",
            Needs(VulnerabilityImport),
            get(api_staff_get),
        )
}

pub async fn security_txt(State(app): State<AppState>) -> Response {
    match &app.config.security_txt {
        Some(file) => {
            if file.expired(chrono::Utc::now()) {
                // Served all the same (a stale contact beats none), and said in the log so
                // that the operator renews it.
                tracing::warn!(
                    "security.txt : la date d'expiration est passée ({})",
                    file.expires
                );
            }
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                    (header::CACHE_CONTROL, "max-age=3600"),
                ],
                file.render(),
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A new follow-up token: 32 bytes from the OS, URL-safe base64; and its SHA-256 as stored.
pub(crate) fn new_token() -> Result<(String, String), AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    Ok((token, hash))
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.trim().as_bytes()))
}

fn public_context(headers: &HeaderMap) -> AuditContext {
    AuditContext {
        actor_id: None,
        actor_label: "divulgation publique".to_owned(),
        source: source_of(headers),
    }
}

/// Whether this address may write again this hour (a report or an addition).
fn allowed(app: &AppState, headers: &HeaderMap) -> bool {
    allowed_by(&app.config.disclosure_rate, headers)
}

/// Whether this address may write again within `limit`. An IPv6 client is counted by its
/// /64, which one subscriber commonly holds whole.
pub(crate) fn allowed_by(limit: &crate::ratelimit::PublicRateLimit, headers: &HeaderMap) -> bool {
    let source = source_of(headers);
    let key = match source.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => source,
    };
    limit.allow(&key, chrono::Utc::now().timestamp())
}

async fn submit(
    app: &AppState,
    headers: &HeaderMap,
    input: &DisclosureInput,
    language: Language,
) -> Result<(disclosures::Received, String), AppError> {
    let input = input.validate().map_err(AppError::Invalid)?;
    if !allowed(app, headers) {
        return Err(AppError::TooManyRequests);
    }
    let host = disclosure::service_host(&input.service)
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("service", "error-service")]))?;
    let (token, hash) = new_token()?;
    let received = disclosures::submit(
        &app.store,
        public_context(headers),
        &crate::gmvi::notifier(app),
        &input,
        &host,
        language.code(),
        &hash,
    )
    .await?;
    Ok((received, token))
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DisclosureIn {
    /// The exposed service: an address or a host name.
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub title: String,
    /// What you found and how to reproduce it (20 to 20,000 characters).
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub reporter_name: String,
    /// An e-mail address, if you wish to be written to.
    #[serde(default)]
    pub reporter_contact: String,
}

impl DisclosureIn {
    fn input(&self) -> DisclosureInput {
        DisclosureInput {
            service: self.service.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            reporter_name: self.reporter_name.clone(),
            reporter_contact: self.reporter_contact.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureReceivedOut {
    pub reference: String,
    /// Shown once: keep it to read the report's status and add to it.
    pub token: String,
}

/// Reports a vulnerability in an exposed service, without an account. Limited per address
/// and per hour; the token in the answer is shown once.
#[utoipa::path(post, path = "/api/v1/disclosures", request_body = DisclosureIn,
    tag = "disclosure",
    responses((status = 201, body = DisclosureReceivedOut), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn api_submit(
    State(app): State<AppState>,
    Extension(lang): Extension<Language>,
    headers: HeaderMap,
    Json(input): Json<DisclosureIn>,
) -> Result<Response, AppError> {
    let (received, token) = submit(&app, &headers, &input.input(), lang).await?;
    Ok((
        StatusCode::CREATED,
        Json(DisclosureReceivedOut {
            reference: received.reference,
            token,
        }),
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FollowIn {
    pub token: String,
    /// Information to add, if any.
    pub message: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ReporterOut(pub ReporterView);

/// The report a token opens (its status and the thread), after adding `message` if given.
#[utoipa::path(post, path = "/api/v1/disclosures/follow", request_body = FollowIn,
    tag = "disclosure",
    responses((status = 200, body = ReporterOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn api_follow(
    State(app): State<AppState>,
    headers: HeaderMap,
    Json(input): Json<FollowIn>,
) -> Result<Json<ReporterOut>, AppError> {
    let hash = token_hash(&input.token);
    if let Some(message) = input.message.as_deref().filter(|m| !m.trim().is_empty()) {
        let body = disclosure::check_message(message).map_err(AppError::Invalid)?;
        if !allowed(&app, &headers) {
            return Err(AppError::TooManyRequests);
        }
        disclosures::add_from_reporter(
            &app.store,
            public_context(&headers),
            &crate::gmvi::notifier(&app),
            &hash,
            &body,
        )
        .await?;
    }
    Ok(Json(ReporterOut(
        disclosures::follow(&app.store, &hash).await?,
    )))
}

#[derive(Template)]
#[template(path = "disclose.html")]
struct FormPage {
    ctx: Ctx,
    form: DisclosureIn,
    errors: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "disclose_done.html")]
struct DonePage {
    ctx: Ctx,
    reference: String,
    token: String,
}

#[derive(Template)]
#[template(path = "disclose_follow.html")]
struct FollowPage {
    ctx: Ctx,
    token: String,
    view: Option<ReporterView>,
    /// Status label, then each message as (author label, when, body).
    status: String,
    thread: Vec<(String, String, String)>,
    fault: Option<String>,
    added: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct LangParams {
    pub lang: Option<String>,
}

pub(crate) fn page_language(lang: Language, params: &LangParams) -> Language {
    params
        .lang
        .as_deref()
        .and_then(Language::parse)
        .unwrap_or(lang)
}

fn labelled(lang: Language, errors: Vec<FieldError>) -> Vec<(String, String, String)> {
    errors
        .into_iter()
        .map(|f| {
            let key = match f.field.as_str() {
                "title" => "disclose-title-field".to_owned(),
                other => format!("disclose-{}", other.replace('_', "-")),
            };
            let name = crate::i18n::t(lang, &key);
            let message = crate::i18n::field_message(lang, f.code, f.limit);
            (f.field, name, message)
        })
        .collect()
}

pub async fn form_page(
    Extension(lang): Extension<Language>,
    Query(p): Query<LangParams>,
) -> Response {
    let lang = page_language(lang, &p);
    render(
        StatusCode::OK,
        &FormPage {
            ctx: Ctx::anonymous(lang),
            form: DisclosureIn::default(),
            errors: Vec::new(),
        },
    )
}

pub async fn form_submit(
    State(app): State<AppState>,
    Extension(lang): Extension<Language>,
    headers: HeaderMap,
    Form(form): Form<DisclosureIn>,
) -> Result<Response, AppError> {
    match submit(&app, &headers, &form.input(), lang).await {
        Ok((received, token)) => Ok(render(
            StatusCode::CREATED,
            &DonePage {
                ctx: Ctx::anonymous(lang),
                reference: received.reference,
                token,
            },
        )),
        Err(AppError::Invalid(errors)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormPage {
                ctx: Ctx::anonymous(lang),
                errors: labelled(lang, errors),
                form,
            },
        )),
        Err(other) => Err(other),
    }
}

fn status_label(lang: Language, status: &str) -> String {
    crate::i18n::t(lang, &format!("disclosure-status-{status}"))
}

fn thread_view(ctx: &Ctx, view: &ReporterView) -> Vec<(String, String, String)> {
    view.messages
        .iter()
        .map(|m| {
            (
                ctx.t(&format!("disclosure-author-{}", m.author)),
                ctx.time(m.at),
                m.body.clone(),
            )
        })
        .collect()
}

pub async fn follow_page(
    Extension(lang): Extension<Language>,
    Query(p): Query<LangParams>,
) -> Response {
    let lang = page_language(lang, &p);
    render(
        StatusCode::OK,
        &FollowPage {
            ctx: Ctx::anonymous(lang),
            token: String::new(),
            view: None,
            status: String::new(),
            thread: Vec::new(),
            fault: None,
            added: false,
        },
    )
}

#[derive(Debug, Deserialize, Default)]
pub struct FollowForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub message: String,
}

/// The follow-up form: the token opens the report (the token travels in the body, never in
/// an address that logs would keep); a message, when given, is added first.
pub async fn follow_submit(
    State(app): State<AppState>,
    Extension(lang): Extension<Language>,
    headers: HeaderMap,
    Form(form): Form<FollowForm>,
) -> Result<Response, AppError> {
    let ctx = Ctx::anonymous(lang);
    let hash = token_hash(&form.token);
    let mut fault = None;
    let mut added = false;
    if !form.message.trim().is_empty() {
        match disclosure::check_message(&form.message) {
            Err(errors) => {
                fault = labelled(lang, errors).into_iter().next().map(|e| e.2);
            }
            Ok(_) if !allowed(&app, &headers) => return Err(AppError::TooManyRequests),
            Ok(body) => match disclosures::add_from_reporter(
                &app.store,
                public_context(&headers),
                &crate::gmvi::notifier(&app),
                &hash,
                &body,
            )
            .await
            {
                Ok(()) => added = true,
                Err(rempart_storage::StoreError::NotFound) => {}
                Err(rempart_storage::StoreError::Invalid(e)) => {
                    fault = labelled(lang, e.0).into_iter().next().map(|e| e.2);
                }
                Err(e) => return Err(e.into()),
            },
        }
    }
    let (view, code) = match disclosures::follow(&app.store, &hash).await {
        Ok(v) => (Some(v), StatusCode::OK),
        Err(rempart_storage::StoreError::NotFound) => {
            fault = Some(ctx.t("disclose-follow-unknown"));
            (None, StatusCode::NOT_FOUND)
        }
        Err(e) => return Err(e.into()),
    };
    let (status, thread) = match &view {
        Some(v) => (status_label(lang, &v.status), thread_view(&ctx, v)),
        None => (String::new(), Vec::new()),
    };
    let code = if fault.is_some() && view.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        code
    };
    Ok(render(
        code,
        &FollowPage {
            token: if view.is_some() {
                form.token.trim().to_owned()
            } else {
                String::new()
            },
            view,
            status,
            thread,
            fault,
            added,
            ctx,
        },
    ))
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

#[derive(Template)]
#[template(path = "disclosures.html")]
struct StaffList {
    ctx: Ctx,
    rows: Vec<(DisclosureRow, String, String)>,
}

pub async fn staff_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    let rows = disclosures::list(
        &app.store,
        scope(&actor, Permission::VulnerabilityImport),
        None,
        500,
    )
    .await?;
    let ctx = page_ctx(&app, &actor, "/disclosures").await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            let s = ctx.t(&format!("disclosure-status-{}", r.status));
            let at = ctx.time(r.received_at);
            (r, s, at)
        })
        .collect();
    Ok(render(StatusCode::OK, &StaffList { rows, ctx }))
}

#[derive(Template)]
#[template(path = "disclosure.html")]
struct StaffPage {
    ctx: Ctx,
    d: DisclosureDetail,
    status: String,
    received_at: String,
    thread: Vec<(String, String, String)>,
    next: Vec<(&'static str, String)>,
    errors: Vec<(String, String, String)>,
    reply: String,
    done: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct ShowParams {
    pub done: Option<String>,
}

async fn staff_page(
    app: &AppState,
    actor: &Actor,
    id: i64,
    errors: Vec<(String, String, String)>,
    reply: String,
    done: bool,
    code: StatusCode,
) -> Result<Response, AppError> {
    let d = disclosures::get(
        &app.store,
        scope(actor, Permission::VulnerabilityImport),
        id,
    )
    .await?;
    let ctx = page_ctx(app, actor, "/disclosures").await?;
    let next = if actor.can(Permission::VulnerabilityImport) {
        DisclosureStatus::parse(&d.row.status)
            .map(|s| {
                s.next()
                    .iter()
                    .map(|n| {
                        (
                            n.as_str(),
                            ctx.t(&format!("disclosure-status-{}", n.as_str())),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let thread = d
        .messages
        .iter()
        .map(|m| {
            (
                ctx.t(&format!("disclosure-author-{}", m.author)),
                ctx.time(m.at),
                m.body.clone(),
            )
        })
        .collect();
    Ok(render(
        code,
        &StaffPage {
            status: ctx.t(&format!("disclosure-status-{}", d.row.status)),
            received_at: ctx.time(d.row.received_at),
            thread,
            next,
            errors,
            reply,
            done,
            d,
            ctx,
        },
    ))
}

pub async fn staff_show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    Query(p): Query<ShowParams>,
) -> Result<Response, AppError> {
    staff_page(
        &app,
        &actor,
        id,
        Vec::new(),
        String::new(),
        p.done.is_some(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
pub struct RespondForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub reply: String,
    #[serde(default)]
    pub version: String,
}

pub async fn staff_respond(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<RespondForm>,
) -> Result<Response, AppError> {
    let lang = actor.person.language;
    // Out of reach reads as missing, before anything about the input is said.
    disclosures::get(
        &app.store,
        scope(&actor, Permission::VulnerabilityImport),
        id,
    )
    .await?;
    let result = async {
        let status = match form.status.trim() {
            "" => None,
            s => Some(DisclosureStatus::parse(s).ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new("status", "error-choice")])
            })?),
        };
        let reply = match form.reply.trim() {
            "" => None,
            r => Some(disclosure::check_message(r).map_err(|e| {
                AppError::Invalid(
                    e.into_iter()
                        .map(|mut f| {
                            f.field = "reply".to_owned();
                            f
                        })
                        .collect(),
                )
            })?),
        };
        disclosures::respond(
            &app.store,
            scope(&actor, Permission::VulnerabilityImport),
            audit_context(&actor, &headers),
            id,
            form.version.trim().parse().unwrap_or(0),
            status,
            reply.as_deref(),
        )
        .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/disclosures/{id}?done=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let errors = errors
                .into_iter()
                .map(|f| {
                    let name = crate::i18n::t(lang, &format!("disclosure-field-{}", f.field));
                    (
                        f.field,
                        name,
                        crate::i18n::field_message(lang, f.code, f.limit),
                    )
                })
                .collect();
            staff_page(
                &app,
                &actor,
                id,
                errors,
                form.reply,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Stale) => {
            let errors = vec![(
                "version".to_owned(),
                crate::i18n::t(lang, "disclosure-field-version"),
                crate::i18n::t(lang, "error-stale"),
            )];
            staff_page(
                &app,
                &actor,
                id,
                errors,
                form.reply,
                false,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct DisclosureOut(pub DisclosureDetail);

/// One report, for staff of its body: the reporter's text and contact, the thread.
#[utoipa::path(get, path = "/api/v1/disclosures/{id}", tag = "disclosure",
    responses((status = 200, body = DisclosureOut), (status = 404, body = ErrorBody)))]
pub async fn api_staff_get(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<DisclosureOut>, AppError> {
    let d = disclosures::get(
        &app.store,
        scope(&actor, Permission::VulnerabilityImport),
        id,
    )
    .await?;
    Ok(Json(DisclosureOut(d)))
}
