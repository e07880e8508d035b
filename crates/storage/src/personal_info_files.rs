//! Personal-information files and the register of communications in the store (PRP-01): the
//! inventory with each file's retention and the day its information must be destroyed or
//! anonymized, the disposal with its method, and the register of communications (art. 67.3),
//! where one outside Québec must rest on an approved art. 70.1 assessment. Kept by the privacy
//! officer, read by the committee; every change is in the audit trail.

use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::confidentiality::Level;
use rempart_domain::personal_info_file::{
    self as rules, CommunicationInput, DisposalInput, EndAction, FileInput, PersonalInfoFile,
};
use rempart_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::dates::{parse, parse_opt, ymd};
use crate::error::{Result, StoreError};
use crate::list::{Page, PageRequest};
use crate::scope::Scope;
use crate::write::{AuditContext, Change, WriteTx};
use crate::Store;

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(ValidationErrors::single(FieldError::new(field, code)))
}

fn checked(input: &FileInput, today: NaiveDate) -> Result<PersonalInfoFile> {
    rules::check_file(input, today).map_err(|e| StoreError::Invalid(ValidationErrors(e)))
}

async fn check_asset(wtx: &mut WriteTx, file: &PersonalInfoFile) -> Result<()> {
    if let Some(asset) = file.asset_id {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT a.id FROM assets a WHERE a.id = $1 AND a.archived_at IS NULL AND a.org_id \
             IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $2)",
        )
        .bind(asset)
        .bind(file.org_id)
        .fetch_optional(wtx.conn())
        .await?;
        if found.is_none() {
            return Err(invalid("asset_id", "error-choice"));
        }
    }
    Ok(())
}

fn unique_name(e: sqlx::Error) -> StoreError {
    StoreError::from(e).unique_as("name")
}

fn snapshot(f: &PersonalInfoFile) -> serde_json::Value {
    json!({
        "name": f.name,
        "sensitivity": f.sensitivity.as_str(),
        "retention_rule": f.retention_rule,
        "retention_years": f.retention_years,
        "end_action": f.end_action.as_str(),
        "purposes_achieved_on": f.purposes_achieved_on.map(ymd),
        "disposal_due": f.disposal_due.map(ymd),
    })
}

/// Adds a file to the inventory of an organization where the caller keeps the privacy records.
pub async fn create(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    input: &FileInput,
    today: NaiveDate,
) -> Result<i64> {
    let file = checked(input, today)?;
    let mut wtx = store.write(ctx).await?;
    crate::scope::require_org(wtx.conn(), scope, Permission::PrivacyManage, file.org_id).await?;
    check_asset(&mut wtx, &file).await?;
    let now = wtx.now();
    let id: i64 = sqlx::query(
        "INSERT INTO personal_info_files (org_id, name, purpose, categories, sensitivity, \
         holders, asset_id, retention_rule, retention_years, end_action, purposes_achieved_on, \
         disposal_due, status, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, \
         $6, $7, $8, $9, $10, $11, $12, 'active', $13, $13, 1) RETURNING id",
    )
    .bind(file.org_id)
    .bind(&file.name)
    .bind(&file.purpose)
    .bind(&file.categories)
    .bind(file.sensitivity.as_str())
    .bind(&file.holders)
    .bind(file.asset_id)
    .bind(&file.retention_rule)
    .bind(file.retention_years)
    .bind(file.end_action.as_str())
    .bind(file.purposes_achieved_on.map(ymd))
    .bind(file.disposal_due.map(ymd))
    .bind(now)
    .fetch_one(wtx.conn())
    .await
    .map_err(unique_name)?
    .try_get("id")?;
    wtx.audit(Change {
        org_id: Some(file.org_id),
        action: "personal_info_file.create",
        entity_type: "personal_info_file",
        entity_id: id.to_string(),
        before: None,
        after: Some(snapshot(&file)),
    })
    .await?;
    wtx.commit().await?;
    Ok(id)
}

/// Changes a file still in use (its organization stays); a disposed file is closed.
pub async fn update(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    input: &FileInput,
    today: NaiveDate,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let (org_id, status) = held(&mut wtx, scope, id).await?;
    let mut input = input.clone();
    input.org_id = org_id.to_string();
    let file = checked(&input, today)?;
    if status != "active" {
        return Err(invalid("name", "error-pif-disposed"));
    }
    check_asset(&mut wtx, &file).await?;
    let now = wtx.now();
    sqlx::query(
        "UPDATE personal_info_files SET name = $2, purpose = $3, categories = $4, \
         sensitivity = $5, holders = $6, asset_id = $7, retention_rule = $8, \
         retention_years = $9, end_action = $10, purposes_achieved_on = $11, disposal_due = $12, \
         disposal_notified_on = CASE WHEN disposal_due = $12 THEN disposal_notified_on ELSE NULL \
         END, updated_at = $13, version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(&file.name)
    .bind(&file.purpose)
    .bind(&file.categories)
    .bind(file.sensitivity.as_str())
    .bind(&file.holders)
    .bind(file.asset_id)
    .bind(&file.retention_rule)
    .bind(file.retention_years)
    .bind(file.end_action.as_str())
    .bind(file.purposes_achieved_on.map(ymd))
    .bind(file.disposal_due.map(ymd))
    .bind(now)
    .execute(wtx.conn())
    .await
    .map_err(unique_name)?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "personal_info_file.update",
        entity_type: "personal_info_file",
        entity_id: id.to_string(),
        before: None,
        after: Some(snapshot(&file)),
    })
    .await?;
    wtx.commit().await
}

async fn held(wtx: &mut WriteTx, scope: Scope, id: i64) -> Result<(i64, String)> {
    let r = sqlx::query(&format!(
        "SELECT f.org_id, f.status FROM personal_info_files f WHERE f.id = $1 AND {}",
        scope.with(Permission::PrivacyManage).condition("f.org_id")
    ))
    .bind(id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok((r.try_get("org_id")?, r.try_get("status")?))
}

/// Records that a file's information was destroyed or anonymized, once its retention ran out.
pub async fn dispose(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    input: &DisposalInput,
    today: NaiveDate,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let (org_id, status) = held(&mut wtx, scope, id).await?;
    let file = file_rules(&mut wtx, id, org_id).await?;
    let disposal = rules::check_disposal(&file, status != "active", input, today)
        .map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let new_status = file.end_action.disposed_status();
    let now = wtx.now();
    let done = sqlx::query(
        "UPDATE personal_info_files SET status = $2, disposed_on = $3, disposal_method = $4, \
         disposal_notes = $5, disposed_by = $6, updated_at = $7, version = version + 1 \
         WHERE id = $1 AND status = 'active'",
    )
    .bind(id)
    .bind(new_status)
    .bind(ymd(disposal.done_on))
    .bind(disposal.method.as_str())
    .bind(&disposal.notes)
    .bind(wtx.context().actor_id)
    .bind(now)
    .execute(wtx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "personal_info_file.dispose",
        entity_type: "personal_info_file",
        entity_id: id.to_string(),
        before: Some(json!({ "status": "active" })),
        after: Some(json!({
            "status": new_status,
            "done_on": ymd(disposal.done_on),
            "method": disposal.method.as_str(),
        })),
    })
    .await?;
    wtx.commit().await
}

/// The file as the domain's rules see it, rebuilt from the row.
async fn file_rules(wtx: &mut WriteTx, id: i64, org_id: i64) -> Result<PersonalInfoFile> {
    let r = sqlx::query(
        "SELECT name, purpose, categories, sensitivity, holders, asset_id, retention_rule, \
         retention_years, end_action, purposes_achieved_on FROM personal_info_files WHERE id = $1",
    )
    .bind(id)
    .fetch_one(wtx.conn())
    .await?;
    // What was stored passed the domain's check; a value that no longer reads is the
    // database's fault.
    let decode = || StoreError::Database(sqlx::Error::Decode("personal_info_file".into()));
    let achieved = parse_opt(r.try_get("purposes_achieved_on")?)?;
    let retention_years: i64 = r.try_get("retention_years")?;
    Ok(PersonalInfoFile {
        org_id,
        name: r.try_get("name")?,
        purpose: r.try_get("purpose")?,
        categories: r.try_get("categories")?,
        sensitivity: Level::parse(&r.try_get::<String, _>("sensitivity")?).ok_or_else(decode)?,
        holders: r.try_get("holders")?,
        asset_id: r.try_get("asset_id")?,
        retention_rule: r.try_get("retention_rule")?,
        retention_years,
        end_action: EndAction::parse(&r.try_get::<String, _>("end_action")?).ok_or_else(decode)?,
        purposes_achieved_on: achieved,
        disposal_due: achieved.and_then(|a| rules::disposal_due(a, retention_years)),
    })
}

/// A file in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub sensitivity: String,
    pub retention_rule: String,
    pub end_action: String,
    pub disposal_due: Option<NaiveDate>,
    pub status: String,
    /// Still held past the day it was due for disposal.
    pub overdue: bool,
}

/// Which files a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileFilter {
    /// Only those still held whose disposal is due on or before this day.
    pub due_by: Option<NaiveDate>,
}

/// The columns `file_row` reads, for a list and for one file.
const FILE_COLUMNS: &str = "f.id, f.org_id, o.name AS org_name, f.name, f.sensitivity, \
    f.retention_rule, f.end_action, f.disposal_due, f.status";
const FILE_FROM: &str = "FROM personal_info_files f JOIN organizations o ON o.id = f.org_id";

fn file_row(r: &sqlx::any::AnyRow, today: NaiveDate) -> Result<FileRow> {
    let due = parse_opt(r.try_get("disposal_due")?)?;
    let status: String = r.try_get("status")?;
    Ok(FileRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        name: r.try_get("name")?,
        sensitivity: r.try_get("sensitivity")?,
        retention_rule: r.try_get("retention_rule")?,
        end_action: r.try_get("end_action")?,
        overdue: rules::overdue(status == "active", due, today),
        disposal_due: due,
        status,
    })
}

fn file_condition(scope: Scope, filter: FileFilter) -> String {
    let condition = scope
        .with(Permission::PrivacyGovernanceRead)
        .condition("f.org_id");
    match filter.due_by {
        Some(day) => format!(
            "{condition} AND f.status = 'active' AND f.disposal_due IS NOT NULL \
             AND f.disposal_due <= '{}'",
            ymd(day)
        ),
        None => condition,
    }
}

/// How many files the caller reads that `filter` keeps.
pub async fn count(store: &Store, scope: Scope, filter: FileFilter) -> Result<i64> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM personal_info_files f WHERE {}",
        file_condition(scope, filter)
    ))
    .fetch_one(store.pool())
    .await?)
}

/// The inventory the caller may read, by organization and name.
pub async fn list(
    store: &Store,
    scope: Scope,
    filter: FileFilter,
    page: &PageRequest<()>,
    today: NaiveDate,
) -> Result<Page<FileRow>> {
    let condition = file_condition(scope, filter);
    let total = count(store, scope, filter).await?;
    let items = sqlx::query(&format!(
        "SELECT {FILE_COLUMNS} {FILE_FROM} WHERE {condition} ORDER BY o.name, f.name, f.id LIMIT {} OFFSET {}",
        page.limit.clamp(1, crate::list::MAX_LIMIT),
        page.offset.max(0)
    ))
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| file_row(r, today))
    .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// A file whole, with the communications recorded from it.
#[derive(Debug, Clone, Serialize)]
pub struct FileDetail {
    pub row: FileRow,
    pub purpose: String,
    pub categories: String,
    pub holders: String,
    pub asset: Option<(i64, String)>,
    pub retention_years: i64,
    pub purposes_achieved_on: Option<NaiveDate>,
    pub disposed_on: Option<NaiveDate>,
    pub disposal_method: Option<String>,
    pub disposal_notes: Option<String>,
    pub disposed_by: Option<String>,
    pub communications: Vec<CommunicationRow>,
}

pub async fn get(store: &Store, scope: Scope, id: i64, today: NaiveDate) -> Result<FileDetail> {
    let r = sqlx::query(&format!(
        "SELECT {FILE_COLUMNS}, f.purpose, f.categories, f.holders, f.asset_id, \
         a.name AS asset_name, f.retention_years, f.purposes_achieved_on, f.disposed_on, \
         f.disposal_method, f.disposal_notes, p.name AS disposed_by {FILE_FROM} \
         LEFT JOIN assets a ON a.id = f.asset_id LEFT JOIN persons p ON p.id = f.disposed_by \
         WHERE f.id = $1 AND {}",
        scope
            .with(Permission::PrivacyGovernanceRead)
            .condition("f.org_id")
    ))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    let asset_id: Option<i64> = r.try_get("asset_id")?;
    let asset_name: Option<String> = r.try_get("asset_name")?;
    let communications = communications_where(store, "c.file_id = $1", Some(id), 0, 500)
        .await?
        .0;
    Ok(FileDetail {
        row: file_row(&r, today)?,
        purpose: r.try_get("purpose")?,
        categories: r.try_get("categories")?,
        holders: r.try_get("holders")?,
        asset: asset_id.zip(asset_name),
        retention_years: r.try_get("retention_years")?,
        purposes_achieved_on: parse_opt(r.try_get("purposes_achieved_on")?)?,
        disposed_on: parse_opt(r.try_get("disposed_on")?)?,
        disposal_method: r.try_get("disposal_method")?,
        disposal_notes: r.try_get("disposal_notes")?,
        disposed_by: r.try_get("disposed_by")?,
        communications,
    })
}

/// An entry of the register of communications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommunicationRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub file_id: Option<i64>,
    pub file_name: Option<String>,
    pub communicated_on: NaiveDate,
    pub nature: String,
    pub recipient: String,
    pub purpose: String,
    pub outside_quebec: bool,
    pub reason: String,
    pub assessment_id: Option<i64>,
    pub assessment_reference: Option<String>,
}

async fn communications_where(
    store: &Store,
    condition: &str,
    bind: Option<i64>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<CommunicationRow>, i64)> {
    let from = format!(
        "FROM pi_communications c JOIN organizations o ON o.id = c.org_id \
         LEFT JOIN personal_info_files f ON f.id = c.file_id \
         LEFT JOIN privacy_assessments a ON a.id = c.assessment_id WHERE {condition}"
    );
    let count_sql = format!("SELECT COUNT(*) {from}");
    let mut count = sqlx::query_scalar(&count_sql);
    if let Some(b) = bind {
        count = count.bind(b);
    }
    let total: i64 = count.fetch_one(store.pool()).await?;
    let sql = format!(
        "SELECT c.id, c.org_id, o.name AS org_name, c.file_id, f.name AS file_name, \
         c.communicated_on, c.nature, c.recipient, c.purpose, c.outside_quebec, c.reason, \
         c.assessment_id, a.reference AS assessment_reference {from} \
         ORDER BY c.communicated_on DESC, c.id DESC LIMIT {} OFFSET {}",
        limit.clamp(1, crate::list::MAX_LIMIT),
        offset.max(0)
    );
    let mut q = sqlx::query(&sql);
    if let Some(b) = bind {
        q = q.bind(b);
    }
    let rows = q
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(CommunicationRow {
                id: r.try_get("id")?,
                org_id: r.try_get("org_id")?,
                org_name: r.try_get("org_name")?,
                file_id: r.try_get("file_id")?,
                file_name: r.try_get("file_name")?,
                communicated_on: parse(&r.try_get::<String, _>("communicated_on")?)?,
                nature: r.try_get("nature")?,
                recipient: r.try_get("recipient")?,
                purpose: r.try_get("purpose")?,
                outside_quebec: r.try_get::<i64, _>("outside_quebec")? != 0,
                reason: r.try_get("reason")?,
                assessment_id: r.try_get("assessment_id")?,
                assessment_reference: r.try_get("assessment_reference")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((rows, total))
}

/// The register of communications the caller may read, latest first.
pub async fn communications(
    store: &Store,
    scope: Scope,
    page: &PageRequest<()>,
) -> Result<Page<CommunicationRow>> {
    let condition = scope
        .with(Permission::PrivacyGovernanceRead)
        .condition("c.org_id");
    let (items, total) =
        communications_where(store, &condition, None, page.offset, page.limit).await?;
    Ok(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// Records a communication in the register. A file named must be the organization's (or
/// below it) and not disposed of before the communication; a communication outside Québec
/// must rest on an approved art. 70.1 assessment (A-2.1 art. 70.1).
pub async fn record_communication(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    input: &CommunicationInput,
    today: NaiveDate,
) -> Result<i64> {
    let c = rules::check_communication(input, today)
        .map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let mut wtx = store.write(ctx).await?;
    crate::scope::require_org(wtx.conn(), scope, Permission::PrivacyManage, c.org_id).await?;
    if let Some(file) = c.file_id {
        let r = sqlx::query(
            "SELECT f.disposed_on FROM personal_info_files f WHERE f.id = $1 AND f.org_id \
             IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $2)",
        )
        .bind(file)
        .bind(c.org_id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or_else(|| invalid("file_id", "error-choice"))?;
        let disposed = parse_opt(r.try_get("disposed_on")?)?;
        if disposed.is_some_and(|d| d < c.communicated_on) {
            return Err(invalid("communicated_on", "error-pif-after-disposal"));
        }
    }
    if let Some(assessment) = c.assessment_id {
        let backs = crate::privacy_assessments::backs_communication_abroad(
            wtx.conn(),
            scope,
            c.org_id,
            assessment,
        )
        .await?;
        match backs {
            None => return Err(invalid("assessment_id", "error-choice")),
            Some(false) if c.outside_quebec => {
                return Err(invalid(
                    "assessment_id",
                    "error-pif-assessment-not-approved",
                ))
            }
            _ => {}
        }
    }
    let now = wtx.now();
    let id: i64 = sqlx::query(
        "INSERT INTO pi_communications (org_id, file_id, communicated_on, nature, recipient, \
         purpose, outside_quebec, reason, assessment_id, recorded_by, recorded_at) VALUES ($1, \
         $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(c.org_id)
    .bind(c.file_id)
    .bind(ymd(c.communicated_on))
    .bind(&c.nature)
    .bind(&c.recipient)
    .bind(&c.purpose)
    .bind(i64::from(c.outside_quebec))
    .bind(&c.reason)
    .bind(c.assessment_id)
    .bind(wtx.context().actor_id)
    .bind(now)
    .fetch_one(wtx.conn())
    .await?
    .try_get("id")?;
    wtx.audit(Change {
        org_id: Some(c.org_id),
        action: "pi_communication.record",
        entity_type: "pi_communication",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({
            "file_id": c.file_id,
            "communicated_on": ymd(c.communicated_on),
            "outside_quebec": c.outside_quebec,
            "assessment_id": c.assessment_id,
        })),
    })
    .await?;
    wtx.commit().await?;
    Ok(id)
}

/// The files and approved assessments a communication may name, for the register's form.
pub async fn communication_choices(
    store: &Store,
    scope: Scope,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>)> {
    let manage = scope.with(Permission::PrivacyManage);
    let files = crate::list::id_labels(
        store,
        &format!(
            "SELECT f.id, o.name || ' — ' || f.name AS label FROM personal_info_files f \
             JOIN organizations o ON o.id = f.org_id WHERE f.status = 'active' AND {} \
             ORDER BY o.name, f.name, f.id LIMIT 1000",
            manage.condition("f.org_id")
        ),
    )
    .await?;
    let assessments = crate::list::id_labels(
        store,
        &format!(
            "SELECT a.id, a.reference || ' — ' || a.title AS label FROM privacy_assessments a \
             WHERE a.decision IN ('approved', 'approved_with_conditions') AND {} \
             ORDER BY a.reference LIMIT 1000",
            manage.condition("a.org_id")
        ),
    )
    .await?;
    Ok((files, assessments))
}

/// Tells the nearest privacy officers of each file still held whose disposal has come due, once
/// per due date (the daily job `personal_info_files.disposal`); audited. Gives how many files.
pub async fn disposal_reminders(
    wtx: &mut WriteTx,
    notifier: &crate::inbox::Notifier<'_>,
    today: NaiveDate,
) -> Result<usize> {
    let rows = sqlx::query(
        "SELECT id, org_id, name, disposal_due, end_action FROM personal_info_files \
         WHERE status = 'active' AND disposal_due IS NOT NULL AND disposal_due <= $1 \
         AND disposal_notified_on IS NULL ORDER BY id",
    )
    .bind(ymd(today))
    .fetch_all(wtx.conn())
    .await?;
    let mut told = 0;
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let org_id: i64 = row.try_get("org_id")?;
        let due: String = row.try_get("disposal_due")?;
        let officers = crate::grants::nearest_holders(
            wtx.conn(),
            org_id,
            rempart_domain::role::Role::PrivacyOfficer,
        )
        .await?;
        crate::inbox::notify(
            wtx,
            notifier,
            &officers,
            None,
            &crate::inbox::Message {
                kind: "pif-disposal-due",
                args: vec![
                    ("name", row.try_get::<String, _>("name")?),
                    ("due", due.clone()),
                    ("action", row.try_get::<String, _>("end_action")?),
                ],
                link: format!("/personal-info-files/{id}"),
            },
        )
        .await?;
        sqlx::query("UPDATE personal_info_files SET disposal_notified_on = $2 WHERE id = $1")
            .bind(id)
            .bind(ymd(today))
            .execute(wtx.conn())
            .await?;
        wtx.audit(Change {
            org_id: Some(org_id),
            action: "personal_info_file.disposal_due",
            entity_type: "personal_info_file",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({ "disposal_due": due, "told": officers.len() })),
        })
        .await?;
        told += 1;
    }
    Ok(told)
}
