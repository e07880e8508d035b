//! The e-mail outbox (PLAT-10): messages written with the notification they carry, then sent
//! by whichever process claims them, with their delivery status, attempts and next try.
//!
//! A message is claimed by moving it to `sending` with `next_attempt_at` set to the end of a
//! lease, in one conditional UPDATE: among processes sharing the database one claims each
//! row, and a row whose sender vanished (its lease ended while `sending`) is claimed again.
//! The lease end also identifies the claim: a sender records the outcome only while its claim
//! stands, so a sender that outlived its lease cannot overwrite what the next one recorded.
//!
//! Delivery status is operational, not audited, like a session's last activity: the
//! notification a message carries is written (and audited by whoever creates it) in the
//! transaction that queues the message; what follows is only whether the mail server took
//! it, and is written straight to the pool, outside any [`WriteTx`]. No kept view counts
//! these rows.

use rempart_domain::delivery::{DeliveryStatus, Next, Outcome, RetryPolicy};
use serde::Serialize;
use sqlx::Row;

use crate::dialect;
use crate::error::{Result, StoreError};
use crate::store::Store;
use crate::write::WriteTx;

/// The longest server reply kept in `last_error`.
const MAX_ERROR_CHARS: usize = 1000;

/// A message claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub id: i64,
    pub notification_id: Option<i64>,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: u32,
    pub created_at: i64,
    /// The end of this claim's lease: the claim stands while the row still carries it.
    pub lease_until: i64,
}

/// A message as the administration view shows it (without its body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailRecord {
    pub id: i64,
    pub notification_id: Option<i64>,
    pub to_address: String,
    pub subject: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// Messages per status; `retrying` counts the queued ones that failed at least once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub queued: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
    pub retrying: i64,
}

/// Queues a message, due at once, in the caller's transaction (the one that writes the
/// notification it carries), so that both are written or neither.
pub async fn enqueue(
    wtx: &mut WriteTx,
    notification_id: Option<i64>,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<i64> {
    let now = wtx.now();
    let row = sqlx::query(
        "INSERT INTO email_outbox (notification_id, to_address, subject, body, status, attempts, \
         next_attempt_at, last_error, created_at, sent_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, $5, '', $5, NULL) RETURNING id",
    )
    .bind(notification_id)
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(now)
    .fetch_one(wtx.conn())
    .await?;
    Ok(row.try_get("id")?)
}

/// Claims up to `limit` messages due at `now`: queued ones whose next try has come, and ones
/// left `sending` by a sender whose lease ended. Each moves to `sending` until
/// `now + lease_micros`. The row conditions are checked again by the UPDATE itself, so a row
/// another process claimed between the choice and the update is passed over (on PostgreSQL
/// the choice also skips rows another claimer holds).
pub async fn claim_due(
    store: &Store,
    now: i64,
    limit: i64,
    lease_micros: i64,
) -> Result<Vec<OutgoingEmail>> {
    let lease_until = now.saturating_add(lease_micros.max(1));
    // The choice is a materialized CTE, computed once: as a subquery, PostgreSQL may run it
    // again for each row of the update (a nested loop), each run passing over the rows the
    // update already changed and picking the next ones, so that more than `limit` rows were
    // claimed (seen in this suite on PostgreSQL 15).
    let sql = format!(
        "WITH picked AS MATERIALIZED (SELECT id FROM email_outbox \
                      WHERE status IN ('queued', 'sending') AND next_attempt_at <= $2 \
                      ORDER BY next_attempt_at, id LIMIT $3{}) \
         UPDATE email_outbox SET status = 'sending', next_attempt_at = $1 \
         WHERE id IN (SELECT id FROM picked) \
         AND status IN ('queued', 'sending') AND next_attempt_at <= $2 \
         RETURNING id, notification_id, to_address, subject, body, attempts, created_at",
        dialect::skip_locked(store.engine())
    );
    let rows = sqlx::query(&sql)
        .bind(lease_until)
        .bind(now)
        .bind(limit.max(0))
        .fetch_all(&store.pool)
        .await?;
    let mut claimed = rows
        .iter()
        .map(|r| {
            let attempts: i64 = r.try_get("attempts")?;
            Ok(OutgoingEmail {
                id: r.try_get("id")?,
                notification_id: r.try_get("notification_id")?,
                to_address: r.try_get("to_address")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                attempts: u32::try_from(attempts.max(0)).unwrap_or(u32::MAX),
                created_at: r.try_get("created_at")?,
                lease_until,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    claimed.sort_by_key(|e| e.id);
    Ok(claimed)
}

/// Records that the server took the message. False when the claim no longer stands (the
/// lease ended and another sender claimed the row): nothing is written then.
pub async fn mark_sent(store: &Store, email: &OutgoingEmail, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE email_outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1 \
         WHERE id = $2 AND status = 'sending' AND next_attempt_at = $3",
    )
    .bind(now)
    .bind(email.id)
    .bind(email.lease_until)
    .execute(&store.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records an attempt that failed with `outcome` and the server's reply `error`: the attempt
/// is counted, and the domain's `policy` says whether the message is queued again (and when)
/// or failed. What was recorded, or `None` when the claim no longer stands.
pub async fn mark_failed_attempt(
    store: &Store,
    email: &OutgoingEmail,
    now: i64,
    outcome: Outcome,
    error: &str,
    policy: &RetryPolicy,
) -> Result<Option<Next>> {
    let attempts = email.attempts.saturating_add(1);
    let next = policy.after(attempts, outcome);
    let (status, next_attempt_at) = match next {
        Next::Sent => {
            return Ok(mark_sent(store, email, now).await?.then_some(Next::Sent));
        }
        Next::Retry { delay_secs } => {
            let delay = i64::try_from(delay_secs)
                .unwrap_or(i64::MAX)
                .saturating_mul(1_000_000);
            (DeliveryStatus::Queued, now.saturating_add(delay))
        }
        Next::Failed => (DeliveryStatus::Failed, now),
    };
    let done = sqlx::query(
        "UPDATE email_outbox SET status = $1, attempts = $2, next_attempt_at = $3, \
         last_error = $4 WHERE id = $5 AND status = 'sending' AND next_attempt_at = $6",
    )
    .bind(status.as_str())
    .bind(i64::from(attempts))
    .bind(next_attempt_at)
    .bind(truncate(error))
    .bind(email.id)
    .bind(email.lease_until)
    .execute(&store.pool)
    .await?;
    Ok((done.rows_affected() == 1).then_some(next))
}

fn truncate(text: &str) -> &str {
    match text.char_indices().nth(MAX_ERROR_CHARS) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

const RECORD_COLUMNS: &str = "id, notification_id, to_address, subject, status, attempts, \
                              next_attempt_at, last_error, created_at, sent_at";

fn record(r: &sqlx::any::AnyRow) -> Result<EmailRecord> {
    let status: String = r.try_get("status")?;
    let status = DeliveryStatus::parse(&status).ok_or_else(|| {
        StoreError::Database(sqlx::Error::Decode(
            format!("unknown e-mail status {status:?}").into(),
        ))
    })?;
    Ok(EmailRecord {
        id: r.try_get("id")?,
        notification_id: r.try_get("notification_id")?,
        to_address: r.try_get("to_address")?,
        subject: r.try_get("subject")?,
        status,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
    })
}

/// One message's delivery status.
pub async fn status_of(store: &Store, id: i64) -> Result<Option<EmailRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {RECORD_COLUMNS} FROM email_outbox WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&store.pool)
    .await?;
    row.as_ref().map(record).transpose()
}

/// The latest messages, of one status or all, newest first.
pub async fn list(
    store: &Store,
    status: Option<DeliveryStatus>,
    limit: i64,
) -> Result<Vec<EmailRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {RECORD_COLUMNS} FROM email_outbox \
         WHERE ($1 = '' OR status = $1) ORDER BY id DESC LIMIT $2"
    ))
    .bind(status.map_or("", DeliveryStatus::as_str))
    .bind(limit.max(0))
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(record).collect()
}

/// The latest messages that failed, for good or waiting for their next try, newest first.
pub async fn recent_errors(store: &Store, limit: i64) -> Result<Vec<EmailRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {RECORD_COLUMNS} FROM email_outbox \
         WHERE status = 'failed' OR (status = 'queued' AND attempts > 0) \
         ORDER BY id DESC LIMIT $1"
    ))
    .bind(limit.max(0))
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(record).collect()
}

/// How many messages stand in each status.
pub async fn counts(store: &Store) -> Result<StatusCounts> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) AS n, \
         COUNT(CASE WHEN attempts > 0 THEN 1 END) AS retried \
         FROM email_outbox GROUP BY status",
    )
    .fetch_all(&store.pool)
    .await?;
    let mut counts = StatusCounts::default();
    for r in &rows {
        let status: String = r.try_get("status")?;
        let n: i64 = r.try_get("n")?;
        match DeliveryStatus::parse(&status) {
            Some(DeliveryStatus::Queued) => {
                counts.queued = n;
                counts.retrying = r.try_get("retried")?;
            }
            Some(DeliveryStatus::Sending) => counts.sending = n,
            Some(DeliveryStatus::Sent) => counts.sent = n,
            Some(DeliveryStatus::Failed) => counts.failed = n,
            None => {}
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_replies_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_ERROR_CHARS + 5);
        assert_eq!(truncate(&long).chars().count(), MAX_ERROR_CHARS);
        assert_eq!(truncate("court"), "court");
    }
}
