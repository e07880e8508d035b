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
    /// `full`, or the step still owed after the password: `password_change`, `mfa`,
    /// `mfa_enrol`.
    pub stage: String,
    /// A TOTP secret shown for enrolment, awaiting its first code.
    pub pending_totp_secret: Option<String>,
}

/// A session as its owner sees it in their list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionInfo {
    pub id: i64,
    pub source: String,
    pub user_agent: String,
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
    pub stage: &'a str,
    /// How the person proved who they are: `password` or `sso`.
    pub method: &'a str,
}

/// Opens a session; the login that opens it is audited in the same transaction.
pub async fn create(wtx: &mut WriteTx, new: NewSession<'_>) -> Result<i64> {
    let now = wtx.now();
    let user_agent: String = new.user_agent.chars().take(300).collect();
    let row = sqlx::query(
        "INSERT INTO sessions (token_hash, person_id, csrf_token, source, user_agent, created_at, \
         last_seen_at, expires_at, stage) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8) RETURNING id",
    )
    .bind(token_hash(new.token))
    .bind(new.person_id)
    .bind(new.csrf_token)
    .bind(new.source)
    .bind(&user_agent)
    .bind(now)
    .bind(new.expires_at)
    .bind(new.stage)
    .fetch_one(wtx.conn())
    .await?;
    let id: i64 = row.try_get("id")?;
    wtx.audit(Change {
        org_id: Some(new.person_org_id),
        action: "auth.login",
        entity_type: "session",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "person_id": new.person_id,
            "user_agent": user_agent,
            "stage": new.stage,
            "method": new.method,
        })),
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
        "SELECT id, person_id, csrf_token, active_org_id, created_at, last_seen_at, expires_at, \
         stage, pending_totp_secret FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 \
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
        stage: row.try_get("stage")?,
        pending_totp_secret: row.try_get("pending_totp_secret")?,
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

/// Keeps a TOTP secret on the session while its owner scans it.
pub async fn set_pending_totp(store: &Store, session_id: i64, secret: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE sessions SET pending_totp_secret = $1 WHERE id = $2")
        .bind(secret)
        .bind(session_id)
        .execute(&store.pool)
        .await?;
    Ok(())
}

/// A person's live sessions, newest first.
pub async fn list_for(store: &Store, person_id: i64, now: i64) -> Result<Vec<SessionInfo>> {
    let rows = sqlx::query(
        "SELECT id, source, user_agent, created_at, last_seen_at, expires_at FROM sessions \
         WHERE person_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id DESC",
    )
    .bind(person_id)
    .bind(now)
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SessionInfo {
                id: r.try_get("id")?,
                source: r.try_get("source")?,
                user_agent: r.try_get("user_agent")?,
                created_at: r.try_get("created_at")?,
                last_seen_at: r.try_get("last_seen_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .collect()
}

/// Ends every live session of a person but `except` (a password change, a role removed, an
/// administrator's revocation); returns how many ended.
pub async fn revoke_all_for(
    wtx: &mut WriteTx,
    person_id: i64,
    person_org_id: i64,
    except: Option<i64>,
    reason: rempart_domain::authn::SessionEnd,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL \
         AND id <> $3",
    )
    .bind(wtx.now())
    .bind(person_id)
    .bind(except.unwrap_or(-1))
    .execute(wtx.conn())
    .await?;
    let tokens = if reason.ends_tokens() {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL",
        )
        .bind(wtx.now())
        .bind(person_id)
        .execute(wtx.conn())
        .await?
        .rows_affected()
    } else {
        0
    };
    if done.rows_affected() > 0 || tokens > 0 {
        wtx.audit(Change {
            org_id: Some(person_org_id),
            action: "auth.sessions_revoked",
            entity_type: "person",
            entity_id: person_id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "sessions": done.rows_affected(),
                "tokens": tokens,
                "reason": reason.as_str(),
            })),
        })
        .await?;
    }
    Ok(done.rows_affected())
}

/// Ends one of a person's own sessions, by its id, only if it is theirs.
pub async fn revoke_own(
    wtx: &mut WriteTx,
    person_id: i64,
    person_org_id: i64,
    session_id: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND person_id = $3 AND revoked_at IS NULL",
    )
    .bind(wtx.now())
    .bind(session_id)
    .bind(person_id)
    .execute(wtx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    wtx.audit(Change {
        org_id: Some(person_org_id),
        action: "auth.session_revoked",
        entity_type: "session",
        entity_id: session_id.to_string(),
        before: None,
        after: None,
    })
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
