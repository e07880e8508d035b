//! Evidence files (GMVI-02, GMVI-08): the bytes kept outside the database rows, in a
//! directory, each named by its SHA-256 (the same file twice is kept once); the row keeps the
//! name given, the size, the hash and the content type sniffed from the bytes. Reading checks
//! the hash again, so a file changed on disk is refused, never served.
//!
//! A file is written before its row commits: a rolled-back upload leaves a file no row names,
//! harmless (content-addressed) and never served.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::store::Store;
use crate::write::{Change, WriteTx};

/// Where evidence lives and how large one file may be.
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    pub dir: PathBuf,
    pub max_bytes: u64,
}

/// The default limit: 25 MiB a file.
pub const DEFAULT_MAX_BYTES: u64 = 25 * 1024 * 1024;

/// What evidence is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attached {
    Incident(i64),
    AlertTarget(i64),
    /// A document found in answer to an access request (its name may name a person: the
    /// trail does not keep it).
    AccessRequest(i64),
}

impl Attached {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Attached::Incident(id) => ("incident", id),
            Attached::AlertTarget(id) => ("alert_target", id),
            Attached::AccessRequest(id) => ("access_request", id),
        }
    }
}

/// A file's record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evidence {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by_name: String,
    pub uploaded_at: i64,
}

/// The content type of `bytes` from their magic numbers: a known binary type, UTF-8 text, or
/// `application/octet-stream`. The name the uploader gave is never trusted for this.
pub fn sniff(bytes: &[u8]) -> String {
    if let Some(kind) = infer::get(bytes) {
        return kind.mime_type().to_owned();
    }
    let head = &bytes[..bytes.len().min(64 * 1024)];
    // A cut in the middle of a character at the end of the sample is still text.
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() == 64 * 1024,
    };
    if text && !head.contains(&0) {
        "text/plain".to_owned()
    } else {
        "application/octet-stream".to_owned()
    }
}

/// A file name safe to keep and to offer back: the last path component, no control
/// characters or quotes, at most 200 characters; `fichier` when nothing is left.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';'))
        .take(200)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').to_owned();
    if trimmed.is_empty() {
        "fichier".to_owned()
    } else {
        trimmed
    }
}

fn path_of(dir: &Path, sha: &str) -> PathBuf {
    dir.join(&sha[..2]).join(sha)
}

/// Keeps `bytes` and records them as attached to `attached` in `org_id`; audited as
/// `evidence.add`. The caller has checked the person may act on the subject.
pub async fn add(
    wtx: &mut WriteTx,
    files: &EvidenceStore,
    attached: Attached,
    org_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<i64> {
    if bytes.is_empty() {
        return Err(field_error("file", "error-required", None));
    }
    if bytes.len() as u64 > files.max_bytes {
        return Err(field_error(
            "file",
            "error-file-too-large",
            Some(files.max_bytes),
        ));
    }
    let sha = hex::encode(Sha256::digest(bytes));
    let path = path_of(&files.dir, &sha);
    if !path.exists() {
        let parent = path.parent().unwrap_or(&files.dir).to_path_buf();
        let bytes = bytes.to_vec();
        let target = path.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&parent)?;
            let tmp = parent.join(format!(".{}.tmp", uuid::Uuid::new_v4()));
            std::fs::write(&tmp, &bytes)?;
            std::fs::File::open(&tmp)?.sync_all()?;
            std::fs::rename(&tmp, &target)
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
    }
    let name = clean_name(file_name);
    let content_type = sniff(bytes);
    let (kind, subject) = attached.parts();
    let id: i64 = sqlx::query(
        "INSERT INTO evidence_files (org_id, subject_type, subject_id, file_name, content_type, \
         size_bytes, sha256, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(org_id)
    .bind(kind)
    .bind(subject)
    .bind(&name)
    .bind(&content_type)
    .bind(bytes.len() as i64)
    .bind(&sha)
    .bind(wtx.ctx.actor_id)
    .bind(wtx.now())
    .fetch_one(wtx.conn())
    .await?
    .try_get("id")?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "evidence.add",
        entity_type: kind,
        entity_id: subject.to_string(),
        before: None,
        after: Some(match attached {
            Attached::AccessRequest(_) => serde_json::json!({
                "evidence_id": id, "content_type": content_type,
                "size_bytes": bytes.len(), "sha256": sha,
            }),
            _ => serde_json::json!({
                "evidence_id": id, "file_name": name, "content_type": content_type,
                "size_bytes": bytes.len(), "sha256": sha,
            }),
        }),
    })
    .await?;
    Ok(id)
}

fn field_error(field: &str, code: &'static str, limit: Option<u64>) -> StoreError {
    let e = match limit {
        Some(l) => rempart_domain::FieldError::with_limit(field, code, l),
        None => rempart_domain::FieldError::new(field, code),
    };
    StoreError::Invalid(rempart_domain::ValidationErrors::single(e))
}

/// The files attached to a subject, oldest first.
pub async fn list(store: &Store, attached: Attached) -> Result<Vec<Evidence>> {
    let (kind, subject) = attached.parts();
    let rows = sqlx::query(
        "SELECT f.id, f.file_name, f.content_type, f.size_bytes, f.sha256, p.name, f.uploaded_at \
         FROM evidence_files f JOIN persons p ON p.id = f.uploaded_by \
         WHERE f.subject_type = $1 AND f.subject_id = $2 ORDER BY f.id",
    )
    .bind(kind)
    .bind(subject)
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Evidence {
                id: r.try_get("id")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                size_bytes: r.try_get("size_bytes")?,
                sha256: r.try_get("sha256")?,
                uploaded_by_name: r.try_get("name")?,
                uploaded_at: r.try_get("uploaded_at")?,
            })
        })
        .collect()
}

/// Why a kept file cannot be given back.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The bytes on disk no longer hash to the recorded SHA-256.
    #[error("evidence {0} failed its integrity check")]
    Tampered(i64),
    #[error("evidence {0} is missing from the evidence directory")]
    Missing(i64),
}

/// One file of a subject, its bytes checked against the recorded hash.
pub async fn read(
    store: &Store,
    files: &EvidenceStore,
    attached: Attached,
    id: i64,
) -> std::result::Result<(Evidence, Vec<u8>), ReadError> {
    let meta = list(store, attached)
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or(StoreError::NotFound)?;
    let path = path_of(&files.dir, &meta.sha256);
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::Missing(id)),
        Err(e) => return Err(StoreError::Io(e).into()),
    };
    if hex::encode(Sha256::digest(&bytes)) != meta.sha256 {
        return Err(ReadError::Tampered(id));
    }
    Ok((meta, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), "application/pdf");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(
            sniff("journal: connexion refusée\n".as_bytes()),
            "text/plain"
        );
        assert_eq!(
            sniff(b"MZ\x90\0\x03\0\0\0"),
            "application/vnd.microsoft.portable-executable"
        );
        assert_eq!(sniff(b"\0\x01\x02binary"), "application/octet-stream");
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), "text/html");
    }

    #[test]
    fn names_lose_their_paths_and_quotes() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_name("C:\\Temp\\rapport \"final\".pdf"),
            "rapport final.pdf"
        );
        assert_eq!(clean_name("..."), "fichier");
        assert_eq!(clean_name("a\u{0}b\nc.txt"), "abc.txt");
    }
}
