//! Public vulnerability disclosure in the store (GMVI-06): a report is routed to the body
//! whose asset names the service's host (else the network's root, the cyber-defence centre),
//! its security staff notified; the reporter follows it with a token of which only the
//! SHA-256 is kept; staff answer and move its status, audited. Scope is in every staff query.

use rempart_domain::authz::Permission;
use rempart_domain::disclosure::{DisclosureInput, DisclosureStatus, MAX_MESSAGES};
use rempart_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::inbox::{self, Message, Notifier};
use crate::scope::Scope;
use crate::write::{AuditContext, Change};
use crate::Store;

/// What the reporter gets back: the reference to quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Received {
    pub id: i64,
    pub reference: String,
}

/// Records a report sent by anyone; `token_sha256` is the hash of the follow-up token given
/// to the reporter, `language` the one they wrote in.
pub async fn submit(
    store: &Store,
    ctx: AuditContext,
    notifier: &Notifier<'_>,
    input: &DisclosureInput,
    host: &str,
    language: &str,
    token_sha256: &str,
) -> Result<Received> {
    let mut wtx = store.write(ctx).await?;
    let now = wtx.now();
    // The body that holds an asset named by this host, the closest match first.
    let asset = sqlx::query(
        "SELECT a.id, a.org_id FROM asset_identifiers i JOIN assets a ON a.id = i.asset_id \
         WHERE i.kind IN ('fqdn', 'hostname', 'ip') AND i.value = $1 AND a.archived_at IS NULL \
         ORDER BY a.id LIMIT 1",
    )
    .bind(host)
    .fetch_optional(wtx.conn())
    .await?;
    let (asset_id, org_id): (Option<i64>, i64) = match asset {
        Some(row) => (Some(row.try_get("id")?), row.try_get("org_id")?),
        None => {
            let root: i64 = sqlx::query_scalar(
                "SELECT id FROM organizations WHERE parent_id IS NULL AND archived_at IS NULL \
                 ORDER BY id LIMIT 1",
            )
            .fetch_optional(wtx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
            (None, root)
        }
    };
    let row = sqlx::query(
        "INSERT INTO disclosures (org_id, asset_id, reference, service, service_host, title, \
         description, reporter_name, reporter_contact, language, token_sha256, status, \
         received_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, 'received', $12, $13, 1) RETURNING id",
    )
    .bind(org_id)
    .bind(asset_id)
    // A unique placeholder until the id is known; the reference follows from the id.
    .bind(format!("pending-{token_sha256}"))
    .bind(&input.service)
    .bind(host)
    .bind(&input.title)
    .bind(&input.description)
    .bind(&input.reporter_name)
    .bind(&input.reporter_contact)
    .bind(language)
    .bind(token_sha256)
    .bind(now)
    .bind(now)
    .fetch_one(wtx.conn())
    .await?;
    let id: i64 = row.try_get("id")?;
    let year = chrono::DateTime::from_timestamp_micros(now)
        .map(|d| d.format("%Y").to_string())
        .unwrap_or_default();
    let reference = format!("DIV-{year}-{id:05}");
    sqlx::query("UPDATE disclosures SET reference = $2 WHERE id = $1")
        .bind(id)
        .bind(&reference)
        .execute(wtx.conn())
        .await?;
    let staff = crate::vuln_workflow::nearest_staff(wtx.conn(), org_id).await?;
    inbox::notify(
        &mut wtx,
        notifier,
        &staff,
        None,
        &Message {
            kind: "disclosure-received",
            args: vec![
                ("reference", reference.clone()),
                ("title", input.title.clone()),
                ("service", input.service.clone()),
            ],
            link: format!("/disclosures/{id}"),
        },
    )
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "disclosure.received",
        entity_type: "disclosure",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "reference": reference,
            "service": input.service,
            "asset_id": asset_id,
            "title": input.title,
        })),
    })
    .await?;
    wtx.commit().await?;
    Ok(Received { id, reference })
}

/// One message of a report's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThreadMessage {
    pub author: String,
    pub body: String,
    pub at: i64,
}

/// What the reporter sees with their token: no internal detail (asset, staff names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReporterView {
    pub reference: String,
    pub service: String,
    pub title: String,
    pub status: String,
    pub received_at: i64,
    pub updated_at: i64,
    pub messages: Vec<ThreadMessage>,
}

async fn thread(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Vec<ThreadMessage>> {
    sqlx::query(
        "SELECT author, body, at FROM disclosure_messages WHERE disclosure_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(ThreadMessage {
            author: r.try_get("author")?,
            body: r.try_get("body")?,
            at: r.try_get("at")?,
        })
    })
    .collect()
}

/// The report a token opens; `NotFound` for any other token.
pub async fn follow(store: &Store, token_sha256: &str) -> Result<ReporterView> {
    let mut conn = store.pool().acquire().await?;
    let row = sqlx::query(
        "SELECT id, reference, service, title, status, received_at, updated_at \
         FROM disclosures WHERE token_sha256 = $1",
    )
    .bind(token_sha256)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let id: i64 = row.try_get("id")?;
    Ok(ReporterView {
        reference: row.try_get("reference")?,
        service: row.try_get("service")?,
        title: row.try_get("title")?,
        status: row.try_get("status")?,
        received_at: row.try_get("received_at")?,
        updated_at: row.try_get("updated_at")?,
        messages: thread(&mut conn, id).await?,
    })
}

/// The reporter adds information to the report their token opens.
pub async fn add_from_reporter(
    store: &Store,
    ctx: AuditContext,
    notifier: &Notifier<'_>,
    token_sha256: &str,
    body: &str,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let row =
        sqlx::query("SELECT id, org_id, reference, title FROM disclosures WHERE token_sha256 = $1")
            .bind(token_sha256)
            .fetch_optional(wtx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
    let id: i64 = row.try_get("id")?;
    let org_id: i64 = row.try_get("org_id")?;
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM disclosure_messages WHERE disclosure_id = $1")
            .bind(id)
            .fetch_one(wtx.conn())
            .await?;
    if count >= MAX_MESSAGES as i64 {
        return Err(StoreError::Invalid(ValidationErrors(vec![
            FieldError::with_limit("body", "error-too-many", MAX_MESSAGES as u64),
        ])));
    }
    let now = wtx.now();
    sqlx::query(
        "INSERT INTO disclosure_messages (disclosure_id, author, person_id, body, at) \
         VALUES ($1, 'reporter', NULL, $2, $3)",
    )
    .bind(id)
    .bind(body)
    .bind(now)
    .execute(wtx.conn())
    .await?;
    sqlx::query("UPDATE disclosures SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(wtx.conn())
        .await?;
    let staff = crate::vuln_workflow::nearest_staff(wtx.conn(), org_id).await?;
    inbox::notify(
        &mut wtx,
        notifier,
        &staff,
        None,
        &Message {
            kind: "disclosure-added",
            args: vec![
                ("reference", row.try_get::<String, _>("reference")?),
                ("title", row.try_get::<String, _>("title")?),
            ],
            link: format!("/disclosures/{id}"),
        },
    )
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "disclosure.reporter_message",
        entity_type: "disclosure",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({"length": body.chars().count()})),
    })
    .await?;
    wtx.commit().await?;
    Ok(())
}

/// A report as staff lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisclosureRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub reference: String,
    pub service: String,
    pub title: String,
    pub status: String,
    pub asset_id: Option<i64>,
    pub asset_name: Option<String>,
    pub received_at: i64,
    pub updated_at: i64,
}

/// A report with everything staff need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisclosureDetail {
    #[serde(flatten)]
    pub row: DisclosureRow,
    pub description: String,
    pub reporter_name: String,
    pub reporter_contact: String,
    pub language: String,
    pub version: i64,
    pub messages: Vec<ThreadMessage>,
}

const COLUMNS: &str = "d.id, d.org_id, o.name AS org_name, d.reference, d.service, d.title, \
    d.status, d.asset_id, a.name AS asset_name, d.received_at, d.updated_at";
const FROM: &str = "FROM disclosures d JOIN organizations o ON o.id = d.org_id \
    LEFT JOIN assets a ON a.id = d.asset_id";

fn row_from(r: &sqlx::any::AnyRow) -> Result<DisclosureRow> {
    Ok(DisclosureRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        reference: r.try_get("reference")?,
        service: r.try_get("service")?,
        title: r.try_get("title")?,
        status: r.try_get("status")?,
        asset_id: r.try_get("asset_id")?,
        asset_name: r.try_get("asset_name")?,
        received_at: r.try_get("received_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Reports carry a reporter's name and contact: security staff only (the roles that import
/// scanner reports), not every role that reads vulnerabilities.
fn read(scope: Scope) -> Scope {
    match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::VulnerabilityImport),
        other => other,
    }
}

/// The reports in reach, newest first; `status` narrows.
pub async fn list(
    store: &Store,
    scope: Scope,
    status: Option<DisclosureStatus>,
    limit: i64,
) -> Result<Vec<DisclosureRow>> {
    let mut sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE {}",
        read(scope).condition("d.org_id")
    );
    if status.is_some() {
        sql.push_str(" AND d.status = $2");
    }
    sql.push_str(" ORDER BY d.received_at DESC, d.id DESC LIMIT $1");
    let mut q = sqlx::query(&sql).bind(limit);
    if let Some(s) = status {
        q = q.bind(s.as_str());
    }
    q.fetch_all(store.pool())
        .await?
        .iter()
        .map(row_from)
        .collect()
}

pub async fn get(store: &Store, scope: Scope, id: i64) -> Result<DisclosureDetail> {
    let mut conn = store.pool().acquire().await?;
    let sql = format!(
        "SELECT {COLUMNS}, d.description, d.reporter_name, d.reporter_contact, d.language, \
         d.version {FROM} WHERE d.id = $1 AND {}",
        read(scope).condition("d.org_id")
    );
    let r = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(DisclosureDetail {
        row: row_from(&r)?,
        description: r.try_get("description")?,
        reporter_name: r.try_get("reporter_name")?,
        reporter_contact: r.try_get("reporter_contact")?,
        language: r.try_get("language")?,
        version: r.try_get("version")?,
        messages: thread(&mut conn, id).await?,
    })
}

/// Staff answer a report (a reply the reporter reads with their token) and may move its
/// status; at least one of the two. Security staff ([`Permission::VulnerabilityImport`]) of its
/// body.
pub async fn respond(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    version: i64,
    status: Option<DisclosureStatus>,
    reply: Option<&str>,
) -> Result<i64> {
    let mut wtx = store.write(ctx).await?;
    let manage = match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::VulnerabilityImport),
        other => other,
    };
    let sql = format!(
        "SELECT org_id, status, version FROM disclosures d WHERE d.id = $1 AND {}{}",
        manage.condition("d.org_id"),
        crate::dialect::for_update(wtx.engine())
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let org_id: i64 = row.try_get("org_id")?;
    let current: String = row.try_get("status")?;
    let invalid = |field: &str, code: &'static str| {
        StoreError::Invalid(ValidationErrors(vec![FieldError::new(field, code)]))
    };
    if status.is_none() && reply.is_none() {
        return Err(invalid("reply", "error-required"));
    }
    if let Some(to) = status {
        let from = DisclosureStatus::parse(&current).unwrap_or(DisclosureStatus::Received);
        if !from.next().contains(&to) {
            return Err(invalid("status", "error-vuln-transition"));
        }
    }
    if row.try_get::<i64, _>("version")? != version {
        return Err(StoreError::Stale);
    }
    let now = wtx.now();
    if let Some(body) = reply {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM disclosure_messages WHERE disclosure_id = $1")
                .bind(id)
                .fetch_one(wtx.conn())
                .await?;
        if count >= MAX_MESSAGES as i64 {
            return Err(StoreError::Invalid(ValidationErrors(vec![
                FieldError::with_limit("reply", "error-too-many", MAX_MESSAGES as u64),
            ])));
        }
        sqlx::query(
            "INSERT INTO disclosure_messages (disclosure_id, author, person_id, body, at) \
             VALUES ($1, 'staff', $2, $3, $4)",
        )
        .bind(id)
        .bind(wtx.context().actor_id)
        .bind(body)
        .bind(now)
        .execute(wtx.conn())
        .await?;
    }
    let new_status = status
        .map(|s| s.as_str())
        .unwrap_or(current.as_str())
        .to_owned();
    let changed = sqlx::query(
        "UPDATE disclosures SET status = $2, updated_at = $3, version = version + 1 \
         WHERE id = $1 AND version = $4",
    )
    .bind(id)
    .bind(&new_status)
    .bind(now)
    .bind(version)
    .execute(wtx.conn())
    .await?;
    if changed.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "disclosure.respond",
        entity_type: "disclosure",
        entity_id: id.to_string(),
        before: Some(serde_json::json!({"status": current})),
        after: Some(serde_json::json!({"status": new_status, "reply": reply})),
    })
    .await?;
    wtx.commit().await?;
    Ok(version + 1)
}
