//! Personal API tokens (AUTH-08): stored as SHA-256 of the random token, shown once, owned by
//! one person, revocable, with their last use recorded.

use serde::Serialize;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::sessions::token_hash;
use crate::store::Store;
use crate::write::{Change, WriteTx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
}

/// A live token found by its value.
#[derive(Debug, Clone)]
pub struct ActiveToken {
    pub id: i64,
    pub person_id: i64,
    pub scope: String,
    pub last_used_at: Option<i64>,
}

pub struct NewToken<'a> {
    pub token: &'a str,
    pub person_id: i64,
    pub person_org_id: i64,
    pub name: &'a str,
    pub scope: &'a str,
    pub expires_at: i64,
}

pub async fn create(wtx: &mut WriteTx, new: NewToken<'_>) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO api_tokens (person_id, name, token_hash, scope, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.person_id)
    .bind(new.name)
    .bind(token_hash(new.token))
    .bind(new.scope)
    .bind(wtx.now())
    .bind(new.expires_at)
    .fetch_one(wtx.conn())
    .await?;
    let id: i64 = row.try_get("id")?;
    wtx.audit(Change {
        org_id: Some(new.person_org_id),
        action: "token.create",
        entity_type: "api_token",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "person_id": new.person_id,
            "name": new.name,
            "scope": new.scope,
            "expires_at": new.expires_at,
        })),
    })
    .await?;
    Ok(id)
}

pub async fn list_for(store: &Store, person_id: i64, now: i64) -> Result<Vec<TokenInfo>> {
    let rows = sqlx::query(
        "SELECT id, name, scope, created_at, expires_at, last_used_at FROM api_tokens \
         WHERE person_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id DESC",
    )
    .bind(person_id)
    .bind(now)
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TokenInfo {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                scope: r.try_get("scope")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
                last_used_at: r.try_get("last_used_at")?,
            })
        })
        .collect()
}

pub async fn find_active(store: &Store, token: &str, now: i64) -> Result<Option<ActiveToken>> {
    let row = sqlx::query(
        "SELECT id, person_id, scope, last_used_at FROM api_tokens \
         WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(&store.pool)
    .await?;
    row.map(|r| {
        Ok(ActiveToken {
            id: r.try_get("id")?,
            person_id: r.try_get("person_id")?,
            scope: r.try_get("scope")?,
            last_used_at: r.try_get("last_used_at")?,
        })
    })
    .transpose()
}

/// Records a use: the time always, an audit entry at most once a minute per token, so that the
/// trail shows who used which token when without one entry per API call.
pub async fn record_use(wtx: &mut WriteTx, token: &ActiveToken, person_org_id: i64) -> Result<()> {
    let now = wtx.now();
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(token.id)
        .execute(wtx.conn())
        .await?;
    if token
        .last_used_at
        .is_none_or(|last| now - last >= 60_000_000)
    {
        wtx.audit(Change {
            org_id: Some(person_org_id),
            action: "token.use",
            entity_type: "api_token",
            entity_id: token.id.to_string(),
            before: None,
            after: None,
        })
        .await?;
    }
    Ok(())
}

/// Revokes one of a person's own tokens.
pub async fn revoke(wtx: &mut WriteTx, person_id: i64, person_org_id: i64, id: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND person_id = $3 AND revoked_at IS NULL",
    )
    .bind(wtx.now())
    .bind(id)
    .bind(person_id)
    .execute(wtx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    wtx.audit(Change {
        org_id: Some(person_org_id),
        action: "token.revoke",
        entity_type: "api_token",
        entity_id: id.to_string(),
        before: None,
        after: None,
    })
    .await?;
    Ok(())
}
