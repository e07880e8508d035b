//! The in-app inbox (PLAT-10): notifications written in each person's language when created,
//! and, when e-mail is on, the same text queued in the outbox (see `outbox`). Wording comes
//! from the caller (the web layer's translations), so storage decides no text of its own.

use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::store::Store;
use crate::write::WriteTx;

/// Turns a message key and its arguments into text in a language (`fr`, `en`).
pub trait Wording: Send + Sync {
    fn text(&self, language: &str, key: &str, args: &[(&str, String)]) -> String;
}

/// How notifications go out: their wording, and whether e-mail is sent too.
pub struct Notifier<'a> {
    pub wording: &'a dyn Wording,
    pub email: bool,
}

/// One message to several people: `{kind}-subject` and `{kind}-body` with `args`, and the
/// page it links to.
#[derive(Debug, Clone)]
pub struct Message {
    pub kind: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub link: String,
}

/// Sends `message` to every active person of `person_ids` (each once), linked to `notice_id`
/// when it asks for an acknowledgement. How many were notified.
pub async fn notify(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    person_ids: &[i64],
    notice_id: Option<i64>,
    message: &Message,
) -> Result<usize> {
    let mut ids: Vec<i64> = person_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(0);
    }
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    // The ids are integers from our own queries, written as literals.
    let people: Vec<(i64, String, String)> = sqlx::query(&format!(
        "SELECT id, email, language FROM persons WHERE id IN ({list}) AND disabled_at IS NULL \
         ORDER BY id"
    ))
    .fetch_all(wtx.conn())
    .await?
    .into_iter()
    .map(|r| {
        Ok::<_, sqlx::Error>((
            r.try_get("id")?,
            r.try_get("email")?,
            r.try_get("language")?,
        ))
    })
    .collect::<Result<_, _>>()?;
    let now = wtx.now();
    let subject_key = format!("{}-subject", message.kind);
    let body_key = format!("{}-body", message.kind);
    let mut n = 0;
    for (person, email, language) in people {
        let subject = notifier
            .wording
            .text(&language, &subject_key, &message.args);
        let body = notifier.wording.text(&language, &body_key, &message.args);
        let row = sqlx::query(
            "INSERT INTO notifications (person_id, notice_id, kind, subject, body, link, \
             created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL) RETURNING id",
        )
        .bind(person)
        .bind(notice_id)
        .bind(message.kind)
        .bind(&subject)
        .bind(&body)
        .bind(&message.link)
        .bind(now)
        .fetch_one(wtx.conn())
        .await?;
        let id: i64 = row.try_get("id")?;
        if notifier.email {
            crate::outbox::enqueue(wtx, Some(id), &email, &subject, &body).await?;
        }
        n += 1;
    }
    Ok(n)
}

/// One notification as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
    pub notice_id: Option<i64>,
    /// Whether the notice it belongs to still waits for an acknowledgement.
    pub awaiting_ack: bool,
    /// The e-mail's delivery status, when one was queued.
    pub email_status: Option<String>,
}

/// A person's inbox, newest first; `unread_only` to see what is new.
pub async fn list(
    store: &Store,
    person_id: i64,
    unread_only: bool,
    limit: i64,
) -> Result<Vec<Notification>> {
    let rows = sqlx::query(&format!(
        "SELECT n.id, n.kind, n.subject, n.body, n.link, n.created_at, n.read_at, n.notice_id, \
         CASE WHEN x.id IS NOT NULL AND x.acknowledged_at IS NULL AND x.escalated_at IS NULL \
         THEN 1 ELSE 0 END AS awaiting, \
         (SELECT o.status FROM email_outbox o WHERE o.notification_id = n.id \
          ORDER BY o.id DESC LIMIT 1) AS email_status \
         FROM notifications n LEFT JOIN notices x ON x.id = n.notice_id \
         WHERE n.person_id = $1 {} ORDER BY n.created_at DESC, n.id DESC LIMIT $2",
        if unread_only {
            "AND n.read_at IS NULL"
        } else {
            ""
        }
    ))
    .bind(person_id)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Notification {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                link: r.try_get("link")?,
                created_at: r.try_get("created_at")?,
                read_at: r.try_get("read_at")?,
                notice_id: r.try_get("notice_id")?,
                awaiting_ack: r.try_get::<i64, _>("awaiting")? == 1,
                email_status: r.try_get("email_status")?,
            })
        })
        .collect()
}

/// How many unread notifications a person has (the badge in the menu).
pub async fn unread(store: &Store, person_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL",
    )
    .bind(person_id)
    .fetch_one(&store.pool)
    .await?)
}

/// Marks a person's notification read; another person's is not found. Reading is not a
/// change of record (no audit entry), like a session.
pub async fn mark_read(store: &Store, person_id: i64, id: i64, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND person_id = $3",
    )
    .bind(now)
    .bind(id)
    .bind(person_id)
    .execute(&store.pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Marks every notification of a person read.
pub async fn mark_all_read(store: &Store, person_id: i64, now: i64) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE person_id = $2 AND read_at IS NULL",
    )
    .bind(now)
    .bind(person_id)
    .execute(&store.pool)
    .await?
    .rows_affected())
}
