//! Privacy complaints in the store (PRP-04): received from the public form (the complainant
//! follows it with a token of which only the SHA-256 is kept) or recorded by the privacy
//! officer, the body's privacy officers told; handled step by step through the domain's
//! `complaint::check_complaint_step`; read by the privacy officer only, every reading audited,
//! the trail keeping references and statuses, never the complainant's words.

use rempart_domain::authz::Permission;
use rempart_domain::complaint::{self as rules, ComplaintInput, ComplaintStatus, ComplaintStep};
use rempart_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::inbox::{self, Message, Notifier};
use crate::list::{Page, PageRequest};
use crate::scope::Scope;
use crate::write::{AuditContext, Change};
use crate::Store;

/// What the complainant gets back: the reference to quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Received {
    pub id: i64,
    pub reference: String,
}

/// The public bodies a complaint may be about, by name: the public form's choices.
pub async fn bodies(store: &Store) -> Result<Vec<(i64, String)>> {
    sqlx::query(
        "SELECT id, name FROM organizations WHERE kind = 'public_body' AND archived_at IS NULL \
         ORDER BY name, id",
    )
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
    .collect()
}

/// Records a complaint: from the public (`token_sha256` given, any active public body) or
/// from staff (`scope` must manage the organization's privacy records). The nearest privacy
/// officers are told.
pub async fn receive(
    store: &Store,
    scope: Option<Scope>,
    ctx: AuditContext,
    notifier: &Notifier<'_>,
    input: &ComplaintInput,
    language: &str,
    token_sha256: Option<&str>,
) -> Result<Received> {
    let complaint =
        rules::check_complaint(input).map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let mut wtx = store.write(ctx).await?;
    match scope {
        Some(scope) => {
            crate::scope::require_org(
                wtx.conn(),
                scope,
                Permission::PrivacyManage,
                complaint.org_id,
            )
            .await?
        }
        None => {
            let body: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM organizations WHERE id = $1 AND kind = 'public_body' \
                 AND archived_at IS NULL",
            )
            .bind(complaint.org_id)
            .fetch_optional(wtx.conn())
            .await?;
            if body.is_none() {
                return Err(StoreError::Invalid(ValidationErrors::single(
                    FieldError::new("org_id", "error-choice"),
                )));
            }
        }
    }
    let now = wtx.now();
    let id: i64 = sqlx::query(
        "INSERT INTO complaints (org_id, reference, channel, name, contact, grounds, facts, \
         language, token_sha256, status, received_at, created_by, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'received', $10, $11, $12, 1) RETURNING id",
    )
    .bind(complaint.org_id)
    .bind(format!("pending-{now}-{}", complaint.org_id))
    .bind(if scope.is_some() { "staff" } else { "public" })
    .bind(&complaint.name)
    .bind(&complaint.contact)
    .bind(&complaint.grounds)
    .bind(&complaint.facts)
    .bind(language)
    .bind(token_sha256)
    .bind(now)
    .bind(wtx.context().actor_id)
    .bind(now)
    .fetch_one(wtx.conn())
    .await?
    .try_get("id")?;
    let year = crate::store::local_date(now).map_or(1970, |d| chrono::Datelike::year(&d));
    let reference = format!("PL-{year}-{id:05}");
    sqlx::query("UPDATE complaints SET reference = $2 WHERE id = $1")
        .bind(id)
        .bind(&reference)
        .execute(wtx.conn())
        .await?;
    let officers: Vec<i64> = sqlx::query_scalar(
        "SELECT g.person_id FROM role_grants g JOIN org_closure c ON c.ancestor_id = g.org_id \
         WHERE c.descendant_id = $1 AND g.role = 'PrivacyOfficer' ORDER BY c.depth, g.person_id",
    )
    .bind(complaint.org_id)
    .fetch_all(wtx.conn())
    .await?;
    inbox::notify(
        &mut wtx,
        notifier,
        &officers,
        None,
        &Message {
            kind: "complaint-received",
            args: vec![("reference", reference.clone())],
            link: format!("/complaints/{id}"),
        },
    )
    .await?;
    wtx.audit(Change {
        org_id: Some(complaint.org_id),
        action: "complaint.received",
        entity_type: "complaint",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({
            "reference": reference,
            "channel": if scope.is_some() { "staff" } else { "public" },
        })),
    })
    .await?;
    wtx.commit().await?;
    Ok(Received { id, reference })
}

/// What the complainant sees with their token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowView {
    pub reference: String,
    pub status: String,
    pub received_at: i64,
    pub answered_at: Option<i64>,
    pub answer: Option<String>,
}

/// The complaint a token opens; `NotFound` for any other token.
pub async fn follow(store: &Store, token_sha256: &str) -> Result<FollowView> {
    let r = sqlx::query(
        "SELECT reference, status, received_at, answered_at, answer FROM complaints \
         WHERE token_sha256 = $1",
    )
    .bind(token_sha256)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(FollowView {
        reference: r.try_get("reference")?,
        status: r.try_get("status")?,
        received_at: r.try_get("received_at")?,
        answered_at: r.try_get("answered_at")?,
        answer: r.try_get("answer")?,
    })
}

/// A complaint in a list: no name, no words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplaintRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub reference: String,
    pub channel: String,
    pub status: String,
    pub received_at: i64,
    pub answered_at: Option<i64>,
    /// Days from reception to the answer, once answered.
    pub days_to_answer: Option<i64>,
}

const DAY_MICROS: i64 = 86_400_000_000;

fn row_of(r: &sqlx::any::AnyRow) -> Result<ComplaintRow> {
    let received_at: i64 = r.try_get("received_at")?;
    let answered_at: Option<i64> = r.try_get("answered_at")?;
    Ok(ComplaintRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        reference: r.try_get("reference")?,
        channel: r.try_get("channel")?,
        status: r.try_get("status")?,
        received_at,
        answered_at,
        days_to_answer: answered_at.map(|a| (a - received_at) / DAY_MICROS),
    })
}

const ROW_SELECT: &str = "SELECT c.id, c.org_id, o.name AS org_name, c.reference, c.channel, \
    c.status, c.received_at, c.answered_at FROM complaints c \
    JOIN organizations o ON o.id = c.org_id";

/// The complaints the caller may read, latest first.
pub async fn list(
    store: &Store,
    scope: Scope,
    page: &PageRequest<()>,
) -> Result<Page<ComplaintRow>> {
    let condition = scope.with(Permission::PrivacyRead).condition("c.org_id");
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM complaints c WHERE {condition}"
    ))
    .fetch_one(store.pool())
    .await?;
    let items = sqlx::query(&format!(
        "{ROW_SELECT} WHERE {condition} ORDER BY c.received_at DESC, c.id DESC LIMIT {} OFFSET {}",
        page.limit.clamp(1, crate::list::MAX_LIMIT),
        page.offset.max(0)
    ))
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(row_of)
    .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// How long answers take: how many complaints were answered and the mean days to answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeToAnswer {
    pub answered: i64,
    pub open: i64,
    pub mean_days: Option<f64>,
}

pub async fn time_to_answer(store: &Store, scope: Scope) -> Result<TimeToAnswer> {
    let condition = scope.with(Permission::PrivacyRead).condition("c.org_id");
    let r = sqlx::query(&format!(
        "SELECT COALESCE(SUM(CASE WHEN c.answered_at IS NULL THEN 0 ELSE 1 END), 0) AS answered, \
         COALESCE(SUM(CASE WHEN c.answered_at IS NULL THEN 1 ELSE 0 END), 0) AS open, \
         CAST(COALESCE(SUM(c.answered_at - c.received_at), 0) AS BIGINT) AS spent \
         FROM complaints c WHERE {condition}"
    ))
    .fetch_one(store.pool())
    .await?;
    let answered: i64 = r.try_get("answered")?;
    let spent: i64 = r.try_get("spent")?;
    Ok(TimeToAnswer {
        answered,
        open: r.try_get("open")?,
        mean_days: (answered > 0).then(|| spent as f64 / answered as f64 / DAY_MICROS as f64),
    })
}

/// A step of a complaint as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepRow {
    pub step: String,
    pub admissible: Option<bool>,
    pub body: String,
    pub person_name: Option<String>,
    pub at: i64,
}

/// A complaint whole.
#[derive(Debug, Clone, Serialize)]
pub struct ComplaintDetail {
    pub row: ComplaintRow,
    pub name: String,
    pub contact: String,
    pub grounds: String,
    pub facts: String,
    pub language: String,
    pub answer: Option<String>,
    pub steps: Vec<StepRow>,
}

/// One complaint, for its privacy officer; the reading is audited.
pub async fn get(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
) -> Result<ComplaintDetail> {
    let mut wtx = store.write(ctx).await?;
    let condition = scope.with(Permission::PrivacyRead).condition("c.org_id");
    let r = sqlx::query(&format!(
        "SELECT c.id, c.org_id, o.name AS org_name, c.reference, c.channel, c.status, \
         c.received_at, c.answered_at, c.name, c.contact, c.grounds, c.facts, c.language, \
         c.answer FROM complaints c JOIN organizations o ON o.id = c.org_id \
         WHERE c.id = $1 AND {condition}"
    ))
    .bind(id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    let row = row_of(&r)?;
    let steps = sqlx::query(
        "SELECT s.step, s.admissible, s.body, s.at, p.name FROM complaint_steps s \
         LEFT JOIN persons p ON p.id = s.person_id WHERE s.complaint_id = $1 ORDER BY s.id",
    )
    .bind(id)
    .fetch_all(wtx.conn())
    .await?
    .iter()
    .map(|s| {
        Ok(StepRow {
            step: s.try_get("step")?,
            admissible: s.try_get::<Option<i64>, _>("admissible")?.map(|a| a != 0),
            body: s.try_get("body")?,
            person_name: s.try_get("name")?,
            at: s.try_get("at")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    wtx.audit(Change {
        org_id: Some(row.org_id),
        action: "complaint.read",
        entity_type: "complaint",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({ "reference": row.reference })),
    })
    .await?;
    wtx.commit().await?;
    Ok(ComplaintDetail {
        name: r.try_get("name")?,
        contact: r.try_get("contact")?,
        grounds: r.try_get("grounds")?,
        facts: r.try_get("facts")?,
        language: r.try_get("language")?,
        answer: r.try_get("answer")?,
        steps,
        row,
    })
}

/// Records a step of a complaint the caller handles, after the domain's check; the answer
/// closes it and is what the complainant reads with their token.
pub async fn record_step(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    step: &ComplaintStep,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let sql = format!(
        "SELECT c.org_id, c.status FROM complaints c WHERE c.id = $1 AND {}",
        scope.with(Permission::PrivacyManage).condition("c.org_id")
    );
    let r = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let org_id: i64 = r.try_get("org_id")?;
    let status_text: String = r.try_get("status")?;
    let status = ComplaintStatus::parse(&status_text).ok_or(StoreError::NotFound)?;
    let next = rules::check_complaint_step(status, step)
        .map_err(|e| StoreError::Invalid(ValidationErrors::single(e)))?;
    let now = wtx.now();
    let admissible = match step {
        ComplaintStep::Admissibility { admissible, .. } => Some(i64::from(*admissible)),
        _ => None,
    };
    sqlx::query(
        "INSERT INTO complaint_steps (complaint_id, step, admissible, body, person_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(step.code())
    .bind(admissible)
    .bind(step.text().trim())
    .bind(wtx.context().actor_id)
    .bind(now)
    .execute(wtx.conn())
    .await?;
    let answered = matches!(step, ComplaintStep::Answer { .. });
    let done = sqlx::query(
        "UPDATE complaints SET status = $2, answered_at = CASE WHEN $3 = 1 THEN $4 ELSE \
         answered_at END, answer = CASE WHEN $3 = 1 THEN $5 ELSE answer END, updated_at = $4, \
         version = version + 1 WHERE id = $1 AND status = $6",
    )
    .bind(id)
    .bind(next.as_str())
    .bind(i64::from(answered))
    .bind(now)
    .bind(step.text().trim())
    .bind(status.as_str())
    .execute(wtx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "complaint.step",
        entity_type: "complaint",
        entity_id: id.to_string(),
        before: Some(json!({ "status": status.as_str() })),
        after: Some(json!({ "step": step.code(), "status": next.as_str() })),
    })
    .await?;
    wtx.commit().await?;
    Ok(())
}
