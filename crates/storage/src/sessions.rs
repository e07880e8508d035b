//! Server-side sessions, kept in the database so that several `serve` processes share them.
//! Only the SHA-256 of the session token is stored: a copy of the table opens no session.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::store::Store;
use crate::write::{Change, WriteTx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub person_id: i64,
    pub csrf_token: String,
    pub active_org_id: Option<i64>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub struct NewSession<'a> {
    pub token: &'a str,
    pub person_id: i64,
    pub person_org_id: i64,
    pub csrf_token: &'a str,
    pub source: &'a str,
    pub user_agent: &'a str,
    pub expires_at: i64,
}

/// Opens a session; the login that opens it is audited in the same transaction.
pub async fn create(wtx: &mut WriteTx, new: NewSession<'_>) -> Result<i64> {
    let now = wtx.now();
    let user_agent: String = new.user_agent.chars().take(300).collect();
    let row = sqlx::query(
        "INSERT INTO sessions (token_hash, person_id, csrf_token, source, user_agent, created_at, \
         last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id",
    )
    .bind(token_hash(new.token))
    .bind(new.person_id)
    .bind(new.csrf_token)
    .bind(new.source)
    .bind(&user_agent)
    .bind(now)
    .bind(new.expires_at)
    .fetch_one(wtx.conn())
    .await?;
    let id: i64 = row.try_get("id")?;
    wtx.audit(Change {
        org_id: Some(new.person_org_id),
        action: "auth.login",
        entity_type: "session",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "person_id": new.person_id, "user_agent": user_agent })),
    })
    .await?;
    Ok(id)
}

/// Finds a live session by its token: not revoked, not expired, not idle past `idle_micros`.
pub async fn find_active(
    store: &Store,
    token: &str,
    now: i64,
    idle_micros: i64,
) -> Result<Option<Session>> {
    let row = sqlx::query(
        "SELECT id, person_id, csrf_token, active_org_id, created_at, last_seen_at, expires_at \
         FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 \
         AND last_seen_at > $3",
    )
    .bind(token_hash(token))
    .bind(now)
    .bind(now.saturating_sub(idle_micros))
    .fetch_optional(&store.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Session {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        csrf_token: row.try_get("csrf_token")?,
        active_org_id: row.try_get("active_org_id")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        expires_at: row.try_get("expires_at")?,
    }))
}

/// Records activity, at most once a minute per session so that reads stay reads.
pub async fn touch(store: &Store, session: &Session, now: i64) -> Result<()> {
    if now - session.last_seen_at > 60_000_000 {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(session.id)
            .execute(&store.pool)
            .await?;
    }
    Ok(())
}

pub async fn set_active_org(store: &Store, session_id: i64, org_id: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET active_org_id = $1 WHERE id = $2")
        .bind(org_id)
        .bind(session_id)
        .execute(&store.pool)
        .await?;
    Ok(())
}

/// Ends a session (logout), audited.
pub async fn revoke(wtx: &mut WriteTx, session_id: i64, person_org_id: i64) -> Result<()> {
    let done =
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(wtx.now())
            .bind(session_id)
            .execute(wtx.conn())
            .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    wtx.audit(Change {
        org_id: Some(person_org_id),
        action: "auth.logout",
        entity_type: "session",
        entity_id: session_id.to_string(),
        before: None,
        after: None,
    })
    .await?;
    Ok(())
}
