//! What proves who a person is: password state, lockout counters, TOTP, recovery codes and the
//! per-source login throttle (AUTH-02 to AUTH-05). The rules live in the domain
//! (`password`, `lockout`); this module keeps their state, and audits every change.

use serde_json::json;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::persons::Person;
use crate::store::Store;
use crate::write::{Change, WriteTx};

/// A person's account as a login needs it.
#[derive(Debug, Clone)]
pub struct LoginState {
    pub person: Person,
    pub password_hash: Option<String>,
    pub failed_logins: u32,
    pub locked_until: Option<i64>,
    pub totp_secret: Option<String>,
    pub password_changed_at: Option<i64>,
}

pub async fn login_state(store: &Store, email: &str) -> Result<Option<LoginState>> {
    let Some((person, password_hash)) = crate::persons::credentials_by_email(store, email).await?
    else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT failed_logins, locked_until, totp_secret, password_changed_at FROM persons WHERE id = $1",
    )
    .bind(person.id)
    .fetch_one(&store.pool)
    .await?;
    let failed: i64 = row.try_get("failed_logins")?;
    Ok(Some(LoginState {
        person,
        password_hash,
        failed_logins: u32::try_from(failed).unwrap_or(u32::MAX),
        locked_until: row.try_get("locked_until")?,
        totp_secret: row.try_get("totp_secret")?,
        password_changed_at: row.try_get("password_changed_at")?,
    }))
}

/// The TOTP secret of a person, if enrolled.
pub async fn totp_secret(store: &Store, person_id: i64) -> Result<Option<String>> {
    Ok(sqlx::query("SELECT totp_secret FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_optional(&store.pool)
        .await?
        .map(|r| r.try_get::<Option<String>, _>("totp_secret"))
        .transpose()?
        .flatten())
}

/// The failure count and lock of an account, read inside the transaction that will write them
/// back, with the row locked: concurrent guesses queue instead of each counting from the same
/// number.
pub async fn failure_state(wtx: &mut WriteTx, person_id: i64) -> Result<(u32, Option<i64>)> {
    let sql = format!(
        "SELECT failed_logins, locked_until FROM persons WHERE id = $1{}",
        crate::dialect::for_update(wtx.engine())
    );
    let row = sqlx::query(&sql)
        .bind(person_id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let failed: i64 = row.try_get("failed_logins")?;
    Ok((
        u32::try_from(failed).unwrap_or(u32::MAX),
        row.try_get("locked_until")?,
    ))
}

/// Records a failed login on a known account, and its lockout when the domain says so.
pub async fn record_failure(
    wtx: &mut WriteTx,
    person: &Person,
    failures: u32,
    locked_until: Option<i64>,
    already_locked: bool,
) -> Result<()> {
    sqlx::query("UPDATE persons SET failed_logins = $1, locked_until = $2 WHERE id = $3")
        .bind(i64::from(failures))
        .bind(locked_until)
        .bind(person.id)
        .execute(wtx.conn())
        .await?;
    let action = if already_locked {
        "auth.login_locked"
    } else if locked_until.is_some() {
        "auth.lockout"
    } else {
        "auth.login_failed"
    };
    wtx.audit(Change {
        org_id: Some(person.org_id),
        action,
        entity_type: "person",
        entity_id: person.id.to_string(),
        before: None,
        after: Some(json!({ "failed_logins": failures, "locked_until": locked_until })),
    })
    .await?;
    Ok(())
}

pub async fn reset_failures(wtx: &mut WriteTx, person_id: i64) -> Result<()> {
    sqlx::query("UPDATE persons SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(person_id)
        .execute(wtx.conn())
        .await?;
    Ok(())
}

/// Failures from `source` and the start of their window.
pub async fn throttle_state(store: &Store, source: &str) -> Result<(u32, i64)> {
    let row = sqlx::query("SELECT failures, window_start FROM login_throttle WHERE source = $1")
        .bind(source)
        .fetch_optional(&store.pool)
        .await?;
    Ok(match row {
        Some(r) => (
            u32::try_from(r.try_get::<i64, _>("failures")?).unwrap_or(u32::MAX),
            r.try_get("window_start")?,
        ),
        None => (0, 0),
    })
}

/// Counts a failure from `source`, starting a new window when the last one has run out.
pub async fn throttle_failure(wtx: &mut WriteTx, source: &str, window_micros: i64) -> Result<()> {
    let now = wtx.now();
    sqlx::query(
        "INSERT INTO login_throttle (source, failures, window_start) VALUES ($1, 1, $2) \
         ON CONFLICT (source) DO UPDATE SET \
           failures = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.failures + 1 END, \
           window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END",
    )
    .bind(source)
    .bind(now)
    .bind(now - window_micros)
    .execute(wtx.conn())
    .await?;
    Ok(())
}

/// The hashes of the current and the `n` previous passwords, newest first.
pub async fn recent_password_hashes(
    store: &Store,
    person_id: i64,
    n: usize,
) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    if let Some(current) = sqlx::query("SELECT password_hash FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_optional(&store.pool)
        .await?
        .map(|r| r.try_get::<Option<String>, _>("password_hash"))
        .transpose()?
        .flatten()
    {
        out.push(current);
    }
    let rows = sqlx::query(&format!(
        "SELECT password_hash FROM password_history WHERE person_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT {}",
        i64::try_from(n).unwrap_or(0)
    ))
    .bind(person_id)
    .fetch_all(&store.pool)
    .await?;
    for row in rows {
        out.push(row.try_get("password_hash")?);
    }
    Ok(out)
}

/// Replaces a person's password, keeping the old hash in the history. `must_change` marks a
/// temporary password (set by someone else); `by_self` says who did it, for the audit entry.
pub async fn set_password(
    wtx: &mut WriteTx,
    person_id: i64,
    new_hash: &str,
    must_change: bool,
) -> Result<()> {
    let row = sqlx::query("SELECT org_id, password_hash FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let org_id: i64 = row.try_get("org_id")?;
    let old: Option<String> = row.try_get("password_hash")?;
    let now = wtx.now();
    if let Some(old) = old {
        sqlx::query("INSERT INTO password_history (person_id, password_hash, created_at) VALUES ($1, $2, $3)")
            .bind(person_id)
            .bind(old)
            .bind(now)
            .execute(wtx.conn())
            .await?;
    }
    sqlx::query(
        "UPDATE persons SET password_hash = $1, must_change_password = $2, password_changed_at = $3, \
         failed_logins = 0, locked_until = NULL, updated_at = $3 WHERE id = $4",
    )
    .bind(new_hash)
    .bind(i64::from(must_change))
    .bind(now)
    .bind(person_id)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: if must_change {
            "person.password_reset"
        } else {
            "person.password_change"
        },
        entity_type: "person",
        entity_id: person_id.to_string(),
        before: None,
        after: Some(json!({ "must_change_password": must_change })),
    })
    .await?;
    Ok(())
}

/// Sets (enrols) or clears (resets) a person's TOTP secret; a reset also voids the recovery
/// codes, so that the person enrols again from scratch.
pub async fn set_totp(wtx: &mut WriteTx, person_id: i64, secret: Option<&str>) -> Result<()> {
    let org_id: i64 = sqlx::query("SELECT org_id FROM persons WHERE id = $1")
        .bind(person_id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or(StoreError::NotFound)?
        .try_get("org_id")?;
    sqlx::query("UPDATE persons SET totp_secret = $1, totp_last_step = NULL WHERE id = $2")
        .bind(secret)
        .bind(person_id)
        .execute(wtx.conn())
        .await?;
    if secret.is_none() {
        sqlx::query("DELETE FROM recovery_codes WHERE person_id = $1")
            .bind(person_id)
            .execute(wtx.conn())
            .await?;
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: if secret.is_some() {
            "mfa.enrol"
        } else {
            "mfa.reset"
        },
        entity_type: "person",
        entity_id: person_id.to_string(),
        before: None,
        after: None,
    })
    .await?;
    Ok(())
}

/// Accepts a TOTP time step once: true when `step` is later than every step accepted before,
/// atomically, so that two processes cannot both accept one code.
pub async fn accept_totp_step(wtx: &mut WriteTx, person_id: i64, step: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE persons SET totp_last_step = $1 WHERE id = $2 \
         AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(person_id)
    .execute(wtx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a person's recovery codes with these hashes.
pub async fn replace_recovery_codes(
    wtx: &mut WriteTx,
    person_id: i64,
    hashes: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE person_id = $1")
        .bind(person_id)
        .execute(wtx.conn())
        .await?;
    let now = wtx.now();
    for hash in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (person_id, code_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(person_id)
        .bind(hash)
        .bind(now)
        .execute(wtx.conn())
        .await?;
    }
    Ok(())
}

/// Uses a recovery code once: true when it was valid and unused.
pub async fn use_recovery_code(wtx: &mut WriteTx, person_id: i64, hash: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE person_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(wtx.now())
    .bind(person_id)
    .bind(hash)
    .execute(wtx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn unused_recovery_codes(store: &Store, person_id: i64) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM recovery_codes WHERE person_id = $1 AND used_at IS NULL",
    )
    .bind(person_id)
    .fetch_one(&store.pool)
    .await?
    .try_get("n")?)
}
