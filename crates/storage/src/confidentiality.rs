//! The register of confidentiality incidents in the store (PRIV-01 to PRIV-03): entries
//! recorded by the privacy officer, or opened as drafts when a security incident is found to
//! involve personal information (linked both ways), completed and assessed through the
//! domain's `confidentiality::check_entry`; notices recorded as sent; an entry deleted only
//! once its retention has run out. Read by the body's privacy officer only, every reading
//! audited; the trail holds references, dates, counts and conclusions, not the texts.

use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::confidentiality::{self as rules, EntryInput, EntryStatus, Level, NoticeKind};
use rempart_domain::legal_deadline::{
    incident_entry_deletable, incident_retention, Deadline, DeadlineSettings,
};
use rempart_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::dates::{parse_opt, ymd};
use crate::error::{Result, StoreError};
use crate::list::{Page, PageRequest};
use crate::scope::Scope;
use crate::write::{AuditContext, Change, WriteTx};
use crate::Store;

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(ValidationErrors::single(FieldError::new(field, code)))
}

fn serious_text(v: Option<bool>) -> Option<&'static str> {
    v.map(|s| if s { "yes" } else { "no" })
}

/// What the trail keeps of an entry: no text, which may describe persons.
fn audited(entry: &rules::Entry, reference: &str) -> serde_json::Value {
    json!({
        "reference": reference,
        "occurred_from": ymd(entry.occurred_from),
        "aware_on": ymd(entry.aware_on),
        "persons": entry.persons,
        "sensitivity": entry.sensitivity.map(Level::as_str),
        "likelihood": entry.likelihood.map(Level::as_str),
        "serious_injury": serious_text(entry.serious_injury),
        "privacy_officer_consulted_on": entry.privacy_officer_consulted_on.map(ymd),
    })
}

async fn set_reference(wtx: &mut WriteTx, id: i64) -> Result<String> {
    let year = crate::store::local_date(wtx.now()).map_or(1970, |d| chrono::Datelike::year(&d));
    let reference = format!("IC-{year}-{id:05}");
    sqlx::query("UPDATE confidentiality_incidents SET reference = $2 WHERE id = $1")
        .bind(id)
        .bind(&reference)
        .execute(wtx.conn())
        .await?;
    Ok(reference)
}

/// Opens the register's draft entry for security incident `incident_id` (PRIV-03), unless it
/// has one: dated from the incident's detection, the circumstances its title. Called in the
/// transaction that finds the incident involves personal information; gives the new entry.
pub async fn open_for_incident(wtx: &mut WriteTx, incident_id: i64) -> Result<Option<i64>> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM confidentiality_incidents WHERE incident_id = $1")
            .bind(incident_id)
            .fetch_optional(wtx.conn())
            .await?;
    if exists.is_some() {
        return Ok(None);
    }
    let row =
        sqlx::query("SELECT org_id, reference, title, detected_at FROM incidents WHERE id = $1")
            .bind(incident_id)
            .fetch_one(wtx.conn())
            .await?;
    let org_id: i64 = row.try_get("org_id")?;
    let detected = crate::store::local_date(row.try_get("detected_at")?).map(ymd);
    let incident_reference: String = row.try_get("reference")?;
    let title: String = row.try_get("title")?;
    let now = wtx.now();
    let id: i64 = sqlx::query(
        "INSERT INTO confidentiality_incidents (org_id, reference, incident_id, status, \
         information, information_not_described, circumstances, occurred_from, aware_on, \
         malicious_uses, consequences, measures, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, 'draft', '', '', $4, $5, $6, '', '', '', $7, $8, $9, 1) RETURNING id",
    )
    .bind(org_id)
    .bind(format!("pending-incident-{incident_id}"))
    .bind(incident_id)
    .bind(&title)
    .bind(detected.clone())
    .bind(detected)
    .bind(wtx.context().actor_id)
    .bind(now)
    .bind(now)
    .fetch_one(wtx.conn())
    .await?
    .try_get("id")?;
    let reference = set_reference(wtx, id).await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "confidentiality_incident.opened",
        entity_type: "confidentiality_incident",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({
            "reference": reference,
            "incident_id": incident_id,
            "incident": incident_reference,
        })),
    })
    .await?;
    Ok(Some(id))
}

async fn reach(
    conn: &mut sqlx::AnyConnection,
    scope: Scope,
    permission: Permission,
    id: i64,
) -> Result<(i64, i64)> {
    let sql = format!(
        "SELECT c.org_id, c.version FROM confidentiality_incidents c WHERE c.id = $1 AND {}",
        scope.with(permission).condition("c.org_id")
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((row.try_get("org_id")?, row.try_get("version")?))
}

fn bind_entry<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    e: &'q rules::Entry,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q.bind(&e.information)
        .bind(&e.information_not_described)
        .bind(&e.circumstances)
        .bind(ymd(e.occurred_from))
        .bind(e.occurred_to.map(ymd))
        .bind(i64::from(e.occurred_approximate))
        .bind(ymd(e.aware_on))
        .bind(e.persons)
        .bind(i64::from(e.persons_approximate))
        .bind(e.persons_in_quebec)
        .bind(e.sensitivity.map(Level::as_str))
        .bind(&e.malicious_uses)
        .bind(&e.consequences)
        .bind(e.likelihood.map(Level::as_str))
        .bind(serious_text(e.serious_injury))
        .bind(e.privacy_officer_consulted_on.map(ymd))
        .bind(&e.measures)
        .bind(&e.advice)
}

/// Records an entry for an organization whose privacy officer the caller is.
pub async fn create(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    org_id: i64,
    input: &EntryInput,
    today: NaiveDate,
) -> Result<i64> {
    let mut wtx = store.write(ctx).await?;
    crate::scope::require_org(wtx.conn(), scope, Permission::PrivacyManage, org_id).await?;
    let entry =
        rules::check_entry(input, today).map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let now = wtx.now();
    let q = sqlx::query(
        "INSERT INTO confidentiality_incidents (information, information_not_described, \
         circumstances, occurred_from, occurred_to, occurred_approximate, aware_on, persons, \
         persons_approximate, persons_in_quebec, sensitivity, malicious_uses, consequences, \
         likelihood, serious_injury, privacy_officer_consulted_on, measures, advice, org_id, \
         reference, status, created_by, created_at, updated_at, version) VALUES ($1, $2, $3, $4, \
         $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 'recorded', \
         $21, $22, $23, 1) RETURNING id",
    );
    let id: i64 = bind_entry(q, &entry)
        .bind(org_id)
        .bind(format!("pending-{now}-{org_id}"))
        .bind(wtx.context().actor_id)
        .bind(now)
        .bind(now)
        .fetch_one(wtx.conn())
        .await?
        .try_get("id")?;
    let reference = set_reference(&mut wtx, id).await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "confidentiality_incident.created",
        entity_type: "confidentiality_incident",
        entity_id: id.to_string(),
        before: None,
        after: Some(audited(&entry, &reference)),
    })
    .await?;
    wtx.commit().await?;
    Ok(id)
}

/// Completes or corrects an entry (a draft becomes recorded); `version` must be the one read.
pub async fn update(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    version: i64,
    input: &EntryInput,
    today: NaiveDate,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let (org_id, stored) = reach(wtx.conn(), scope, Permission::PrivacyManage, id).await?;
    if stored != version {
        return Err(StoreError::Stale);
    }
    let entry =
        rules::check_entry(input, today).map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let before = sqlx::query(
        "SELECT reference, serious_injury, aware_on, persons, status FROM confidentiality_incidents \
         WHERE id = $1",
    )
    .bind(id)
    .fetch_one(wtx.conn())
    .await?;
    let reference: String = before.try_get("reference")?;
    let before_json = json!({
        "status": before.try_get::<String, _>("status")?,
        "aware_on": before.try_get::<Option<String>, _>("aware_on")?,
        "persons": before.try_get::<Option<i64>, _>("persons")?,
        "serious_injury": before.try_get::<Option<String>, _>("serious_injury")?,
    });
    let q = sqlx::query(
        "UPDATE confidentiality_incidents SET information = $1, information_not_described = $2, \
         circumstances = $3, occurred_from = $4, occurred_to = $5, occurred_approximate = $6, \
         aware_on = $7, persons = $8, persons_approximate = $9, persons_in_quebec = $10, \
         sensitivity = $11, malicious_uses = $12, consequences = $13, likelihood = $14, \
         serious_injury = $15, privacy_officer_consulted_on = $16, measures = $17, \
         advice = $18, status = 'recorded', updated_at = $19, version = version + 1 \
         WHERE id = $20 AND version = $21",
    );
    let done = bind_entry(q, &entry)
        .bind(wtx.now())
        .bind(id)
        .bind(version)
        .execute(wtx.conn())
        .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "confidentiality_incident.updated",
        entity_type: "confidentiality_incident",
        entity_id: id.to_string(),
        before: Some(before_json),
        after: Some(audited(&entry, &reference)),
    })
    .await?;
    wtx.commit().await?;
    Ok(())
}

/// Records a notice as sent, after the domain's check against the entry's conclusion and
/// dates; the entry keeps the first date of each kind.
#[allow(clippy::too_many_arguments)]
pub async fn record_notice(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    kind: NoticeKind,
    sent_on: NaiveDate,
    detail: &str,
    today: NaiveDate,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let (org_id, _) = reach(wtx.conn(), scope, Permission::PrivacyManage, id).await?;
    let row = sqlx::query(
        "SELECT serious_injury, aware_on, commission_notified_on FROM confidentiality_incidents \
         WHERE id = $1",
    )
    .bind(id)
    .fetch_one(wtx.conn())
    .await?;
    let serious = row
        .try_get::<Option<String>, _>("serious_injury")?
        .map(|s| s == "yes");
    let aware = parse_opt(row.try_get("aware_on")?)?;
    let commission: Option<String> = row.try_get("commission_notified_on")?;
    rules::check_notice(
        kind,
        sent_on,
        detail,
        serious,
        aware,
        commission.is_some(),
        today,
    )
    .map_err(|e| StoreError::Invalid(ValidationErrors::single(e)))?;
    sqlx::query(
        "INSERT INTO confidentiality_notices (entry_id, kind, sent_on, detail, recorded_by, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(kind.as_str())
    .bind(ymd(sent_on))
    .bind(detail.trim())
    .bind(wtx.context().actor_id)
    .bind(wtx.now())
    .execute(wtx.conn())
    .await?;
    let column = match kind {
        NoticeKind::Commission => Some("commission_notified_on"),
        NoticeKind::Persons => Some("persons_notified_on"),
        NoticeKind::Public => Some("public_notice_on"),
        NoticeKind::CommissionAddition => None,
    };
    if let Some(column) = column {
        // The column name comes from the match above, never from input.
        sqlx::query(&format!(
            "UPDATE confidentiality_incidents SET {column} = COALESCE({column}, $2), \
             updated_at = $3, version = version + 1 WHERE id = $1"
        ))
        .bind(id)
        .bind(ymd(sent_on))
        .bind(wtx.now())
        .execute(wtx.conn())
        .await?;
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "confidentiality_incident.notice",
        entity_type: "confidentiality_incident",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({ "kind": kind.as_str(), "sent_on": ymd(sent_on) })),
    })
    .await?;
    wtx.commit().await?;
    Ok(())
}

/// Deletes an entry whose retention has run out (at least five years after awareness, by
/// default): refused before, and for an entry without a date of awareness. Audited.
pub async fn delete(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    today: NaiveDate,
    settings: &DeadlineSettings,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let (org_id, _) = reach(wtx.conn(), scope, Permission::PrivacyManage, id).await?;
    let row =
        sqlx::query("SELECT reference, aware_on FROM confidentiality_incidents WHERE id = $1")
            .bind(id)
            .fetch_one(wtx.conn())
            .await?;
    let aware = parse_opt(row.try_get("aware_on")?)?;
    let reference: String = row.try_get("reference")?;
    match aware {
        Some(a) if incident_entry_deletable(a, today, settings) => {}
        _ => return Err(invalid("aware_on", "error-confidentiality-retention")),
    }
    sqlx::query("DELETE FROM confidentiality_notices WHERE entry_id = $1")
        .bind(id)
        .execute(wtx.conn())
        .await?;
    sqlx::query("DELETE FROM confidentiality_incidents WHERE id = $1")
        .bind(id)
        .execute(wtx.conn())
        .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "confidentiality_incident.deleted",
        entity_type: "confidentiality_incident",
        entity_id: id.to_string(),
        before: Some(json!({ "reference": reference, "aware_on": aware.map(ymd) })),
        after: None,
    })
    .await?;
    wtx.commit().await?;
    Ok(())
}

/// An entry in a list: no description of the information, no circumstances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub reference: String,
    pub status: String,
    pub incident_id: Option<i64>,
    pub incident_reference: Option<String>,
    pub aware_on: Option<String>,
    pub persons: Option<i64>,
    pub serious_injury: Option<String>,
    pub commission_notified_on: Option<String>,
    pub persons_notified_on: Option<String>,
    pub public_notice_on: Option<String>,
}

const ROW_COLUMNS: &str = "c.id, c.org_id, o.name AS org_name, c.reference, c.status, \
    c.incident_id, i.reference AS incident_reference, c.aware_on, c.persons, c.serious_injury, \
    c.commission_notified_on, c.persons_notified_on, c.public_notice_on";

const ROW_FROM: &str = "confidentiality_incidents c JOIN organizations o ON o.id = c.org_id \
    LEFT JOIN incidents i ON i.id = c.incident_id";

fn row_of(r: &sqlx::any::AnyRow) -> Result<EntryRow> {
    Ok(EntryRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        reference: r.try_get("reference")?,
        status: r.try_get("status")?,
        incident_id: r.try_get("incident_id")?,
        incident_reference: r.try_get("incident_reference")?,
        aware_on: r.try_get("aware_on")?,
        persons: r.try_get("persons")?,
        serious_injury: r.try_get("serious_injury")?,
        commission_notified_on: r.try_get("commission_notified_on")?,
        persons_notified_on: r.try_get("persons_notified_on")?,
        public_notice_on: r.try_get("public_notice_on")?,
    })
}

/// The register as the caller may read it, latest awareness first; `pending` keeps the
/// entries that are drafts, not assessed, or serious without their notices.
pub async fn list(
    store: &Store,
    scope: Scope,
    pending: bool,
    page: &PageRequest<()>,
) -> Result<Page<EntryRow>> {
    let mut condition = scope.with(Permission::PrivacyRead).condition("c.org_id");
    if pending {
        condition.push_str(
            " AND (c.status = 'draft' OR c.serious_injury IS NULL OR (c.serious_injury = 'yes' \
             AND (c.commission_notified_on IS NULL OR (c.persons_notified_on IS NULL \
             AND c.public_notice_on IS NULL))))",
        );
    }
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM confidentiality_incidents c WHERE {condition}"
    ))
    .fetch_one(store.pool())
    .await?;
    let items = sqlx::query(&format!(
        "SELECT {ROW_COLUMNS} FROM {ROW_FROM} WHERE {condition} \
         ORDER BY c.aware_on DESC, c.id DESC LIMIT {} OFFSET {}",
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

/// A notice as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeRow {
    pub kind: String,
    pub sent_on: String,
    pub detail: String,
    pub recorded_by: Option<String>,
}

/// An entry whole.
#[derive(Debug, Clone, Serialize)]
pub struct EntryDetail {
    pub row: EntryRow,
    pub version: i64,
    pub information: String,
    pub information_not_described: String,
    pub circumstances: String,
    pub occurred_from: Option<String>,
    pub occurred_to: Option<String>,
    pub occurred_approximate: bool,
    pub persons_approximate: bool,
    pub persons_in_quebec: Option<i64>,
    pub sensitivity: Option<String>,
    pub malicious_uses: String,
    pub consequences: String,
    pub likelihood: Option<String>,
    pub privacy_officer_consulted_on: Option<String>,
    pub measures: String,
    pub advice: String,
    pub notices: Vec<NoticeRow>,
    /// How long the entry is kept, from the date of awareness.
    pub retention: Option<Deadline>,
    pub deletable: bool,
}

impl EntryDetail {
    /// The entry's fields as a form shows them.
    pub fn input(&self) -> EntryInput {
        EntryInput {
            information: self.information.clone(),
            information_not_described: self.information_not_described.clone(),
            circumstances: self.circumstances.clone(),
            occurred_from: self.occurred_from.clone().unwrap_or_default(),
            occurred_to: self.occurred_to.clone().unwrap_or_default(),
            occurred_approximate: self.occurred_approximate,
            aware_on: self.row.aware_on.clone().unwrap_or_default(),
            persons: self.row.persons.map(|p| p.to_string()).unwrap_or_default(),
            persons_approximate: self.persons_approximate,
            persons_in_quebec: self
                .persons_in_quebec
                .map(|p| p.to_string())
                .unwrap_or_default(),
            sensitivity: self.sensitivity.clone().unwrap_or_default(),
            malicious_uses: self.malicious_uses.clone(),
            consequences: self.consequences.clone(),
            likelihood: self.likelihood.clone().unwrap_or_default(),
            serious_injury: self.row.serious_injury.clone().unwrap_or_default(),
            privacy_officer_consulted_on: self
                .privacy_officer_consulted_on
                .clone()
                .unwrap_or_default(),
            measures: self.measures.clone(),
            advice: self.advice.clone(),
        }
    }
}

/// One entry, for its privacy officer; the reading is audited (`action` names what for).
pub async fn get(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    today: NaiveDate,
    settings: &DeadlineSettings,
    action: &'static str,
) -> Result<EntryDetail> {
    let mut wtx = store.write(ctx).await?;
    let condition = scope.with(Permission::PrivacyRead).condition("c.org_id");
    let r = sqlx::query(&format!(
        "SELECT {ROW_COLUMNS}, c.version, c.information, c.information_not_described, \
         c.circumstances, c.occurred_from, c.occurred_to, c.occurred_approximate, \
         c.persons_approximate, c.persons_in_quebec, c.sensitivity, c.malicious_uses, \
         c.consequences, c.likelihood, c.privacy_officer_consulted_on, c.measures, c.advice \
         FROM {ROW_FROM} WHERE c.id = $1 AND {condition}"
    ))
    .bind(id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    let row = row_of(&r)?;
    let notices = sqlx::query(
        "SELECT n.kind, n.sent_on, n.detail, p.name FROM confidentiality_notices n \
         LEFT JOIN persons p ON p.id = n.recorded_by WHERE n.entry_id = $1 ORDER BY n.id",
    )
    .bind(id)
    .fetch_all(wtx.conn())
    .await?
    .iter()
    .map(|n| {
        Ok(NoticeRow {
            kind: n.try_get("kind")?,
            sent_on: n.try_get("sent_on")?,
            detail: n.try_get("detail")?,
            recorded_by: n.try_get("name")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let aware = parse_opt(row.aware_on.clone())?;
    let retention = aware.and_then(|a| incident_retention(a, settings).ok());
    let deletable = aware.is_some_and(|a| incident_entry_deletable(a, today, settings));
    wtx.audit(Change {
        org_id: Some(row.org_id),
        action,
        entity_type: "confidentiality_incident",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({ "reference": row.reference })),
    })
    .await?;
    wtx.commit().await?;
    Ok(EntryDetail {
        version: r.try_get("version")?,
        information: r.try_get("information")?,
        information_not_described: r.try_get("information_not_described")?,
        circumstances: r.try_get("circumstances")?,
        occurred_from: r.try_get("occurred_from")?,
        occurred_to: r.try_get("occurred_to")?,
        occurred_approximate: r.try_get::<i64, _>("occurred_approximate")? != 0,
        persons_approximate: r.try_get::<i64, _>("persons_approximate")? != 0,
        persons_in_quebec: r.try_get("persons_in_quebec")?,
        sensitivity: r.try_get("sensitivity")?,
        malicious_uses: r.try_get("malicious_uses")?,
        consequences: r.try_get("consequences")?,
        likelihood: r.try_get("likelihood")?,
        privacy_officer_consulted_on: r.try_get("privacy_officer_consulted_on")?,
        measures: r.try_get("measures")?,
        advice: r.try_get("advice")?,
        notices,
        retention,
        deletable,
        row,
    })
}

/// The register entry of a security incident, if it has one and the caller reads the register
/// (the incident's page links to it); no reading of its content, so not audited.
pub async fn of_incident(
    store: &Store,
    scope: Scope,
    incident_id: i64,
) -> Result<Option<(i64, String)>> {
    let sql = format!(
        "SELECT c.id, c.reference FROM confidentiality_incidents c WHERE c.incident_id = $1 AND {}",
        scope.with(Permission::PrivacyRead).condition("c.org_id")
    );
    sqlx::query(&sql)
        .bind(incident_id)
        .fetch_optional(store.pool())
        .await?
        .map(|r| Ok((r.try_get("id")?, r.try_get("reference")?)))
        .transpose()
}

/// Whether `status` is a draft's.
pub fn is_draft(status: &str) -> bool {
    status == EntryStatus::Draft.as_str()
}

/// Reminds the privacy officers of each incident that presents a risk of serious injury and
/// still waits for a notice (to the CAI, or to the persons or the public), on the cadence of
/// `every` days (PRIV-02: "avec diligence", tracked, no legal delay invented). The nearest
/// privacy officers up the tree are told; the day is kept so that a reminder repeats only after
/// `every` more days. Gives how many entries were reminded.
pub async fn remind(
    wtx: &mut WriteTx,
    notifier: &crate::inbox::Notifier<'_>,
    today: NaiveDate,
    every: u32,
) -> Result<usize> {
    let rows = sqlx::query(
        "SELECT id, org_id, reference, aware_on, reminded_on, commission_notified_on \
         FROM confidentiality_incidents WHERE serious_injury = 'yes' AND aware_on IS NOT NULL \
         AND (commission_notified_on IS NULL OR (persons_notified_on IS NULL \
         AND public_notice_on IS NULL)) ORDER BY id",
    )
    .fetch_all(wtx.conn())
    .await?;
    let mut reminded = 0;
    for row in rows {
        let Some(aware) = parse_opt(row.try_get("aware_on")?)? else {
            continue;
        };
        let last = parse_opt(row.try_get("reminded_on")?)?;
        if !rules::reminder_due(aware, last, today, every) {
            continue;
        }
        let id: i64 = row.try_get("id")?;
        let org_id: i64 = row.try_get("org_id")?;
        let reference: String = row.try_get("reference")?;
        let commission: Option<String> = row.try_get("commission_notified_on")?;
        let officers = crate::grants::nearest_holders(
            wtx.conn(),
            org_id,
            rempart_domain::role::Role::PrivacyOfficer,
        )
        .await?;
        let waiting = if commission.is_none() {
            "commission"
        } else {
            "persons"
        };
        crate::inbox::notify(
            wtx,
            notifier,
            &officers,
            None,
            &crate::inbox::Message {
                kind: "confidentiality-reminder",
                args: vec![
                    ("reference", reference.clone()),
                    ("days", (today - aware).num_days().to_string()),
                    ("waiting", waiting.to_owned()),
                ],
                link: format!("/confidentiality-incidents/{id}"),
            },
        )
        .await?;
        sqlx::query("UPDATE confidentiality_incidents SET reminded_on = $2 WHERE id = $1")
            .bind(id)
            .bind(ymd(today))
            .execute(wtx.conn())
            .await?;
        wtx.audit(Change {
            org_id: Some(org_id),
            action: "confidentiality_incident.reminded",
            entity_type: "confidentiality_incident",
            entity_id: id.to_string(),
            before: None,
            after: Some(
                json!({ "reference": reference, "waiting": waiting, "officers": officers.len() }),
            ),
        })
        .await?;
        reminded += 1;
    }
    Ok(reminded)
}
