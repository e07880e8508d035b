//! Identities at an OpenID Connect provider linked to accounts (AUTH-09). A link is made once,
//! from a verified e-mail that matches an existing account, and from then on the provider's
//! issuer and subject alone find the account: no account is ever created by single sign-on.

use serde::Serialize;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::persons::Person;
use crate::store::Store;
use crate::write::{Change, WriteTx};

/// A linked identity as its owner sees it on their profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SsoIdentity {
    pub id: i64,
    pub issuer: String,
    pub subject: String,
    pub linked_at: i64,
    pub last_used_at: Option<i64>,
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<SsoIdentity> {
    Ok(SsoIdentity {
        id: row.try_get("id")?,
        issuer: row.try_get("issuer")?,
        subject: row.try_get("subject")?,
        linked_at: row.try_get("linked_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// The account linked to an identity, with the link's id.
pub async fn find(store: &Store, issuer: &str, subject: &str) -> Result<Option<(i64, i64)>> {
    let row =
        sqlx::query("SELECT id, person_id FROM sso_identities WHERE issuer = $1 AND subject = $2")
            .bind(issuer)
            .bind(subject)
            .fetch_optional(&store.pool)
            .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("person_id")?)))
        .transpose()
}

/// Whether the person already has an identity at this provider.
pub async fn linked_at_issuer(store: &Store, person_id: i64, issuer: &str) -> Result<bool> {
    Ok(
        sqlx::query("SELECT id FROM sso_identities WHERE person_id = $1 AND issuer = $2")
            .bind(person_id)
            .bind(issuer)
            .fetch_optional(&store.pool)
            .await?
            .is_some(),
    )
}

/// Links an identity to an account; audited. Returns the link's id.
pub async fn link(wtx: &mut WriteTx, person: &Person, issuer: &str, subject: &str) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO sso_identities (person_id, issuer, subject, linked_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(person.id)
    .bind(issuer)
    .bind(subject)
    .bind(wtx.now())
    .fetch_one(wtx.conn())
    .await?;
    let id: i64 = row.try_get("id")?;
    wtx.audit(Change {
        org_id: Some(person.org_id),
        action: "sso.link",
        entity_type: "person",
        entity_id: person.id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "issuer": issuer, "subject": subject, "link_id": id })),
    })
    .await?;
    Ok(id)
}

/// Records that a link was used to sign in.
pub async fn touch(wtx: &mut WriteTx, link_id: i64) -> Result<()> {
    sqlx::query("UPDATE sso_identities SET last_used_at = $1 WHERE id = $2")
        .bind(wtx.now())
        .bind(link_id)
        .execute(wtx.conn())
        .await?;
    Ok(())
}

pub async fn list_for(store: &Store, person_id: i64) -> Result<Vec<SsoIdentity>> {
    let rows = sqlx::query(
        "SELECT id, issuer, subject, linked_at, last_used_at FROM sso_identities \
         WHERE person_id = $1 ORDER BY linked_at, id",
    )
    .bind(person_id)
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Removes one of the person's own links; audited. Someone else's link is "not found".
pub async fn unlink_own(wtx: &mut WriteTx, person: &Person, link_id: i64) -> Result<()> {
    let row = sqlx::query(
        "DELETE FROM sso_identities WHERE id = $1 AND person_id = $2 RETURNING issuer, subject",
    )
    .bind(link_id)
    .bind(person.id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    let issuer: String = row.try_get("issuer")?;
    let subject: String = row.try_get("subject")?;
    wtx.audit(Change {
        org_id: Some(person.org_id),
        action: "sso.unlink",
        entity_type: "person",
        entity_id: person.id.to_string(),
        before: Some(
            serde_json::json!({ "issuer": issuer, "subject": subject, "link_id": link_id }),
        ),
        after: None,
    })
    .await?;
    Ok(())
}
