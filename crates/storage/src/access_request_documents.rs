//! The documents of an access request (PRP-03): each kept as found and, where part of it is
//! withheld, in its redacted version with the provisions relied on (checked against the body's
//! list by the domain's `access_request::check_redaction`). The bytes live in the evidence
//! store; the trail keeps references, sizes and hashes, never a file's name, which may name a
//! person. Reading a document is audited as a reading of the request.

use rempart_domain::access_request as rules;
use rempart_domain::authz::Permission;
use rempart_domain::ValidationErrors;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::evidence::{self, Attached, Evidence, EvidenceStore, ReadError};
use crate::scope::Scope;
use crate::write::{AuditContext, Change, WriteTx};
use crate::Store;

fn invalid(e: rempart_domain::FieldError) -> StoreError {
    StoreError::Invalid(ValidationErrors::single(e))
}

/// The request's organization, if the caller keeps the body's requests.
async fn managed(wtx: &mut WriteTx, scope: Scope, request_id: i64) -> Result<i64> {
    sqlx::query_scalar(&format!(
        "SELECT r.org_id FROM access_requests r WHERE r.id = $1 AND {}",
        scope.with(Permission::PrivacyManage).condition("r.org_id")
    ))
    .bind(request_id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)
}

/// Refuses, as not found, a request the caller does not keep: checked before an upload is
/// read, so that what is out of reach says nothing about the input.
pub async fn require_managed(store: &Store, scope: Scope, request_id: i64) -> Result<()> {
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT r.id FROM access_requests r WHERE r.id = $1 AND {}",
        scope.with(Permission::PrivacyManage).condition("r.org_id")
    ))
    .bind(request_id)
    .fetch_optional(store.pool())
    .await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

/// A file as uploaded: the name given and the bytes.
#[derive(Debug, Clone, Copy)]
pub struct NewFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Keeps a document found in answer to the request, as found.
pub async fn add(
    store: &Store,
    files: &EvidenceStore,
    scope: Scope,
    ctx: AuditContext,
    request_id: i64,
    title: &str,
    file: NewFile<'_>,
) -> Result<i64> {
    let mut wtx = store.write(ctx).await?;
    let org_id = managed(&mut wtx, scope, request_id).await?;
    let title = rules::check_document_title(title).map_err(invalid)?;
    let original = evidence::add(
        &mut wtx,
        files,
        Attached::AccessRequest(request_id),
        org_id,
        file.name,
        file.bytes,
    )
    .await?;
    let now = wtx.now();
    let id: i64 = sqlx::query(
        "INSERT INTO access_request_documents (request_id, title, original_id, \
         redaction_articles, added_by, added_at) VALUES ($1, $2, $3, '', $4, $5) RETURNING id",
    )
    .bind(request_id)
    .bind(&title)
    .bind(original)
    .bind(wtx.context().actor_id)
    .bind(now)
    .fetch_one(wtx.conn())
    .await?
    .try_get("id")?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "access_request.document_add",
        entity_type: "access_request",
        entity_id: request_id.to_string(),
        before: None,
        after: Some(json!({ "document_id": id, "evidence_id": original })),
    })
    .await?;
    wtx.commit().await?;
    Ok(id)
}

/// Keeps the redacted version of a document, with the provisions it relies on; a new version
/// replaces the previous one (both stay in the evidence store and the trail).
#[allow(clippy::too_many_arguments)]
pub async fn add_redacted(
    store: &Store,
    files: &EvidenceStore,
    scope: Scope,
    ctx: AuditContext,
    request_id: i64,
    document_id: i64,
    articles: &[String],
    file: NewFile<'_>,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let org_id = managed(&mut wtx, scope, request_id).await?;
    let before: Option<i64> = sqlx::query_scalar(
        "SELECT redacted_id FROM access_request_documents WHERE id = $1 AND request_id = $2",
    )
    .bind(document_id)
    .bind(request_id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    let known: Vec<String> = crate::access_requests::provisions_of(wtx.conn(), org_id)
        .await?
        .into_iter()
        .map(|p| p.code)
        .collect();
    let articles = rules::check_redaction(articles, &known).map_err(invalid)?;
    let redacted = evidence::add(
        &mut wtx,
        files,
        Attached::AccessRequest(request_id),
        org_id,
        file.name,
        file.bytes,
    )
    .await?;
    let now = wtx.now();
    sqlx::query(
        "UPDATE access_request_documents SET redacted_id = $2, redaction_articles = $3, \
         redacted_at = $4 WHERE id = $1",
    )
    .bind(document_id)
    .bind(redacted)
    .bind(articles.join("\n"))
    .bind(now)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "access_request.document_redacted",
        entity_type: "access_request",
        entity_id: request_id.to_string(),
        before: Some(json!({ "document_id": document_id, "redacted_id": before })),
        after: Some(json!({
            "document_id": document_id,
            "redacted_id": redacted,
            "articles": articles,
        })),
    })
    .await?;
    wtx.commit().await
}

/// Removes a document added in error while the request is open; once answered, what was
/// found and released stays with the decision. The bytes stay in the evidence store; the
/// trail keeps the removal.
pub async fn remove(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    request_id: i64,
    document_id: i64,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let r = sqlx::query(&format!(
        "SELECT r.org_id, r.status FROM access_requests r WHERE r.id = $1 AND {}",
        scope.with(Permission::PrivacyManage).condition("r.org_id")
    ))
    .bind(request_id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    let org_id: i64 = r.try_get("org_id")?;
    let status: String = r.try_get("status")?;
    if rules::AccessRequestStatus::parse(&status).is_some_and(|s| s.is_closed()) {
        return Err(invalid(rempart_domain::FieldError::new(
            "document",
            "error-access-request-document-kept",
        )));
    }
    let done =
        sqlx::query("DELETE FROM access_request_documents WHERE id = $1 AND request_id = $2")
            .bind(document_id)
            .bind(request_id)
            .execute(wtx.conn())
            .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "access_request.document_remove",
        entity_type: "access_request",
        entity_id: request_id.to_string(),
        before: Some(json!({ "document_id": document_id })),
        after: None,
    })
    .await?;
    wtx.commit().await
}

/// A document with its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    pub id: i64,
    pub title: String,
    pub original: Evidence,
    pub redacted: Option<Evidence>,
    pub articles: Vec<String>,
    pub added_at: i64,
    pub redacted_at: Option<i64>,
}

/// The documents of a request the caller reads (its privacy officer or the person assigned),
/// in the order they were added.
pub async fn list(store: &Store, scope: Scope, request_id: i64) -> Result<Vec<Document>> {
    let readable: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT r.id FROM access_requests r WHERE r.id = $1 AND {}",
        crate::access_requests::read_condition(scope)
    ))
    .bind(request_id)
    .fetch_optional(store.pool())
    .await?;
    if readable.is_none() {
        return Err(StoreError::NotFound);
    }
    let files = evidence::list(store, Attached::AccessRequest(request_id)).await?;
    let file = |id: Option<i64>| id.and_then(|id| files.iter().find(|f| f.id == id).cloned());
    sqlx::query(
        "SELECT id, title, original_id, redacted_id, redaction_articles, added_at, redacted_at \
         FROM access_request_documents WHERE request_id = $1 ORDER BY id",
    )
    .bind(request_id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| {
        let articles: String = r.try_get("redaction_articles")?;
        Ok(Document {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            original: file(r.try_get("original_id")?).ok_or(StoreError::NotFound)?,
            redacted: file(r.try_get("redacted_id")?),
            articles: articles
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            added_at: r.try_get("added_at")?,
            redacted_at: r.try_get("redacted_at")?,
        })
    })
    .collect()
}

/// Which version of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Original,
    Redacted,
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        match s {
            "original" => Some(Version::Original),
            "redacted" => Some(Version::Redacted),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Version::Original => "original",
            Version::Redacted => "redacted",
        }
    }
}

/// One version of a document, its bytes checked against their hash; the reading is audited.
pub async fn read(
    store: &Store,
    files: &EvidenceStore,
    scope: Scope,
    ctx: AuditContext,
    request_id: i64,
    document_id: i64,
    version: Version,
) -> std::result::Result<(Evidence, Vec<u8>), ReadError> {
    let document = list(store, scope, request_id)
        .await?
        .into_iter()
        .find(|d| d.id == document_id)
        .ok_or(StoreError::NotFound)?;
    let file = match version {
        Version::Original => document.original,
        Version::Redacted => document.redacted.ok_or(StoreError::NotFound)?,
    };
    let read = evidence::read(store, files, Attached::AccessRequest(request_id), file.id).await?;
    let mut wtx = store.write(ctx).await?;
    let org_id: i64 = sqlx::query_scalar("SELECT org_id FROM access_requests WHERE id = $1")
        .bind(request_id)
        .fetch_one(wtx.conn())
        .await
        .map_err(StoreError::from)?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "access_request.document_read",
        entity_type: "access_request",
        entity_id: request_id.to_string(),
        before: None,
        after: Some(json!({ "document_id": document_id, "version": version.as_str() })),
    })
    .await?;
    wtx.commit().await?;
    Ok(read)
}
