//! The documents of an access request (PRP-03), pages and API: the privacy officer keeps each
//! document found as found and, where part of it is withheld, its redacted version with the
//! provisions relied on; the privacy officer and the person assigned read them, each reading
//! audited. Uploads go to the evidence store (hash checked on every read).

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Extension;
use rempart_domain::authz::Permission;
use rempart_domain::FieldError;
use rempart_storage::access_request_documents::{self as store, Document, Version};
use rempart_storage::scope::Scope;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::error::{AppError, ErrorBody, Json, Path};
use crate::gmvi_ui::{read_upload, upload_limit, Upload};
use crate::policy::{Policy, Routes};
use crate::ui::audit_context;
use crate::views::{Ctx, FormState};
use crate::AppState;

pub fn routes(routes: Routes) -> Routes {
    use Permission::*;
    use Policy::*;
    // Uploads read their multipart body themselves, bounded by the evidence store's limit.
    let upload = || DefaultBodyLimit::max(crate::middleware::UPLOAD_LIMIT);
    routes
        .post(
            "/access-requests/{id}/documents",
            Needs(PrivacyManage),
            post(page_add).layer(upload()),
        )
        .post(
            "/access-requests/{id}/documents/{document}/redacted",
            Needs(PrivacyManage),
            post(page_redacted).layer(upload()),
        )
        // The person assigned reads them too: the scope is the request's (storage).
        .get(
            "/access-requests/{id}/documents/{document}/files/{version}",
            SignedIn,
            get(download),
        )
        .post(
            "/access-requests/{id}/documents/{document}/remove",
            Needs(PrivacyManage),
            post(page_remove),
        )
        .route(
            axum::http::Method::DELETE,
            "/api/v1/access-requests/{id}/documents/{document}",
            Needs(PrivacyManage),
            axum::routing::delete(api_remove),
        )
        .get(
            "/api/v1/access-requests/{id}/documents",
            SignedIn,
            get(api_list),
        )
        .post(
            "/api/v1/access-requests/{id}/documents",
            Needs(PrivacyManage),
            post(api_add).layer(upload()),
        )
        .post(
            "/api/v1/access-requests/{id}/documents/{document}/redacted",
            Needs(PrivacyManage),
            post(api_redacted).layer(upload()),
        )
        .get(
            "/api/v1/access-requests/{id}/documents/{document}/files/{version}",
            SignedIn,
            get(api_download),
        )
}

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

/// A document as the request's page shows it.
pub struct DocumentView {
    pub id: i64,
    pub title: String,
    pub original: String,
    pub redacted: Option<String>,
    pub articles: String,
}

/// The documents of a request for its page; none when the caller cannot read them.
pub async fn views(
    app: &AppState,
    actor: &Actor,
    ctx: &Ctx,
    request_id: i64,
) -> Result<Vec<DocumentView>, AppError> {
    let docs = store::list(
        &app.store,
        scope(actor, Permission::PrivacyRead),
        request_id,
    )
    .await?;
    let label = |e: &rempart_storage::evidence::Evidence| {
        format!(
            "{} ({})",
            e.file_name,
            crate::gmvi_ui::size_text(ctx, e.size_bytes)
        )
    };
    Ok(docs
        .into_iter()
        .map(|d| DocumentView {
            id: d.id,
            original: label(&d.original),
            redacted: d.redacted.as_ref().map(label),
            articles: d.articles.join(", "),
            title: d.title,
        })
        .collect())
}

fn file_of(upload: &Upload, limit: u64) -> Result<(&str, &[u8]), AppError> {
    if upload.too_large {
        return Err(AppError::Invalid(vec![FieldError::with_limit(
            "file",
            "error-file-too-large",
            limit,
        )]));
    }
    match upload.file.as_ref().filter(|(_, b)| !b.is_empty()) {
        Some((name, bytes)) => Ok((name.as_str(), bytes.as_slice())),
        None => Err(AppError::Invalid(vec![FieldError::new(
            "file",
            "error-required",
        )])),
    }
}

fn articles_of(upload: &Upload) -> Vec<String> {
    upload
        .field_text("articles")
        .split(['\n', ','])
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect()
}

async fn add(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    id: i64,
    upload: &Upload,
) -> Result<i64, AppError> {
    let (name, bytes) = file_of(upload, app.config.evidence.max_bytes)?;
    Ok(store::add(
        &app.store,
        &app.config.evidence,
        scope(actor, Permission::PrivacyManage),
        audit_context(actor, headers),
        id,
        upload.field_text("title"),
        store::NewFile { name, bytes },
    )
    .await?)
}

async fn redacted(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    id: i64,
    document: i64,
    upload: &Upload,
) -> Result<(), AppError> {
    let (name, bytes) = file_of(upload, app.config.evidence.max_bytes)?;
    Ok(store::add_redacted(
        &app.store,
        &app.config.evidence,
        scope(actor, Permission::PrivacyManage),
        audit_context(actor, headers),
        id,
        document,
        &articles_of(upload),
        store::NewFile { name, bytes },
    )
    .await?)
}

/// After a page's upload: back to the request, or its page again with the fault at the form.
async fn after(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    id: i64,
    form_name: &str,
    result: Result<(), AppError>,
    too_large: bool,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/access-requests/{id}#h-documents")).into_response()),
        Err(AppError::Invalid(errors)) => {
            // The page's summary links each fault to `#{form_name}-{field}`.
            let form = FormState::new(&[]).with_errors(actor.language(), &errors);
            let status = if too_large {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            crate::access_requests_ui::detail_page(app, actor, headers, id, form, form_name, status)
                .await
        }
        Err(other) => Err(other),
    }
}

pub async fn page_add(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    request: Request,
) -> Result<Response, AppError> {
    store::require_managed(&app.store, scope(&actor, Permission::PrivacyManage), id).await?;
    let upload = read_upload(request, upload_limit(&app), &["title"]).await?;
    let result = add(&app, &actor, &headers, id, &upload).await.map(|_| ());
    after(
        &app,
        &actor,
        &headers,
        id,
        "document",
        result,
        upload.too_large,
    )
    .await
}

pub async fn page_redacted(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, document)): Path<(i64, i64)>,
    request: Request,
) -> Result<Response, AppError> {
    store::require_managed(&app.store, scope(&actor, Permission::PrivacyManage), id).await?;
    let upload = read_upload(request, upload_limit(&app), &["articles"]).await?;
    let result = redacted(&app, &actor, &headers, id, document, &upload).await;
    let form_name = format!("redacted-{document}");
    after(
        &app,
        &actor,
        &headers,
        id,
        &form_name,
        result,
        upload.too_large,
    )
    .await
}

pub async fn page_remove(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, document)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let result = store::remove(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        document,
    )
    .await
    .map_err(AppError::from);
    after(&app, &actor, &headers, id, "document", result, false).await
}

/// Removes a document added in error while the request is open.
#[utoipa::path(delete, path = "/api/v1/access-requests/{id}/documents/{document}",
    tag = "privacy",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_remove(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, document)): Path<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    store::remove(
        &app.store,
        scope(&actor, Permission::PrivacyManage),
        audit_context(&actor, &headers),
        id,
        document,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One version of a document, checked against its hash; the reading is audited. A file
/// changed or gone on disk is refused, never served.
pub async fn download(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, document, version)): Path<(i64, i64, String)>,
) -> Result<Response, AppError> {
    let version = Version::parse(&version).ok_or(AppError::NotFound)?;
    let read = store::read(
        &app.store,
        &app.config.evidence,
        scope(&actor, Permission::PrivacyRead),
        audit_context(&actor, &headers),
        id,
        document,
        version,
    )
    .await;
    crate::gmvi_ui::served(&app, &actor, read).await
}

/// One version of a document (`original` or `redacted`) as an attachment, its bytes checked
/// against their hash (409 when changed on disk, 410 when gone); the reading is audited.
#[utoipa::path(get, path = "/api/v1/access-requests/{id}/documents/{document}/files/{version}",
    tag = "privacy",
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = ErrorBody), (status = 409), (status = 410)))]
pub async fn api_download(
    state: State<AppState>,
    actor: Extension<Actor>,
    headers: HeaderMap,
    path: Path<(i64, i64, String)>,
) -> Result<Response, AppError> {
    download(state, actor, headers, path).await
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct DocumentsOut(pub Vec<Document>);

/// The documents of a request, each with its original and its redacted version.
#[utoipa::path(get, path = "/api/v1/access-requests/{id}/documents", tag = "privacy",
    responses((status = 200, body = DocumentsOut), (status = 404, body = ErrorBody)))]
pub async fn api_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<DocumentsOut>, AppError> {
    Ok(Json(DocumentsOut(
        store::list(&app.store, scope(&actor, Permission::PrivacyRead), id).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentCreatedOut {
    pub id: i64,
}

/// Keeps a document found in answer to the request (multipart: `title`, `file`).
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/documents", tag = "privacy",
    request_body(content_type = "multipart/form-data", content = String,
        description = "`title` and `file`"),
    responses((status = 201, body = DocumentCreatedOut), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_add(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    request: Request,
) -> Result<Response, AppError> {
    store::require_managed(&app.store, scope(&actor, Permission::PrivacyManage), id).await?;
    let upload = read_upload(request, upload_limit(&app), &["title"]).await?;
    if upload.too_large {
        return Err(AppError::TooLarge);
    }
    let id = add(&app, &actor, &headers, id, &upload).await?;
    Ok((StatusCode::CREATED, Json(DocumentCreatedOut { id })).into_response())
}

/// Keeps the redacted version of a document (multipart: `file`, and `articles`: the codes
/// of the body's provisions it relies on, a field each or separated by commas).
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/documents/{document}/redacted",
    tag = "privacy",
    request_body(content_type = "multipart/form-data", content = String,
        description = "`file` and `articles`"),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn api_redacted(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path((id, document)): Path<(i64, i64)>,
    request: Request,
) -> Result<StatusCode, AppError> {
    store::require_managed(&app.store, scope(&actor, Permission::PrivacyManage), id).await?;
    let upload = read_upload(request, upload_limit(&app), &["articles"]).await?;
    if upload.too_large {
        return Err(AppError::TooLarge);
    }
    redacted(&app, &actor, &headers, id, document, &upload).await?;
    Ok(StatusCode::NO_CONTENT)
}
