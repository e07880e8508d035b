//! The days organizations add to the legal calendar (issue 9, "organization-added days"): a
//! body's closure applies to the units below it, so an organization's calendar holds its own
//! days and its ancestors'. Replaced as a whole list, audited.

use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::calendar::check_days_off;
use rempart_domain::ValidationErrors;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::scope::Scope;
use crate::write::{AuditContext, Change};
use crate::Store;

/// A day off and who added it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgDayOff {
    pub day: NaiveDate,
    pub reason: String,
    pub org_id: i64,
    pub org_name: String,
}

/// The days off that apply to `org_id`: its own and those of the organizations above it, in
/// date order. Not found when the organization is out of the caller's reach.
pub async fn effective(store: &Store, scope: Scope, org_id: i64) -> Result<Vec<OrgDayOff>> {
    let visible = format!(
        "SELECT id FROM organizations WHERE id = $1 AND {}",
        scope.with(Permission::OrgRead).condition("id")
    );
    if sqlx::query(&visible)
        .bind(org_id)
        .fetch_optional(store.pool())
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound);
    }
    let rows = sqlx::query(
        "SELECT d.day, d.reason, d.org_id, o.name FROM org_days_off d \
         JOIN org_closure c ON c.ancestor_id = d.org_id \
         JOIN organizations o ON o.id = d.org_id \
         WHERE c.descendant_id = $1 ORDER BY d.day, c.depth",
    )
    .bind(org_id)
    .fetch_all(store.pool())
    .await?;
    let mut out: Vec<OrgDayOff> = Vec::with_capacity(rows.len());
    for row in rows {
        let day: String = row.try_get("day")?;
        // Stored only after the domain's check: a date that no longer reads is skipped.
        let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else {
            continue;
        };
        out.push(OrgDayOff {
            day,
            reason: row.try_get("reason")?,
            org_id: row.try_get("org_id")?,
            org_name: row.try_get("name")?,
        });
    }
    Ok(out)
}

/// Replaces the days `org_id` adds with `entries` (date YYYY-MM-DD, reason), checked by the
/// domain; those who manage the organization only. Audited with the lists before and after.
pub async fn set(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    org_id: i64,
    entries: &[(String, String)],
) -> Result<Vec<OrgDayOff>> {
    let mut wtx = store.write(ctx).await?;
    crate::scope::require_org(wtx.conn(), scope, Permission::OrgManage, org_id).await?;
    let days = check_days_off(entries).map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let before: Vec<serde_json::Value> =
        sqlx::query("SELECT day, reason FROM org_days_off WHERE org_id = $1 ORDER BY day")
            .bind(org_id)
            .fetch_all(wtx.conn())
            .await?
            .iter()
            .map(|r| {
                Ok(json!({
                    "day": r.try_get::<String, _>("day")?,
                    "reason": r.try_get::<String, _>("reason")?,
                }))
            })
            .collect::<Result<_>>()?;
    sqlx::query("DELETE FROM org_days_off WHERE org_id = $1")
        .bind(org_id)
        .execute(wtx.conn())
        .await?;
    let now = wtx.now();
    for (day, reason) in &days {
        sqlx::query(
            "INSERT INTO org_days_off (org_id, day, reason, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(day.format("%Y-%m-%d").to_string())
        .bind(reason)
        .bind(now)
        .execute(wtx.conn())
        .await?;
    }
    let after: Vec<serde_json::Value> = days
        .iter()
        .map(|(d, r)| json!({"day": d.format("%Y-%m-%d").to_string(), "reason": r}))
        .collect();
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "organization.days_off",
        entity_type: "organization",
        entity_id: org_id.to_string(),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
    wtx.commit().await?;
    effective(store, Scope::LocalAdministrator, org_id).await
}

/// The days off that apply to `org_id` (its own and its ancestors'), read on the caller's
/// connection: a store function that computes a deadline inside its transaction.
pub(crate) async fn dates_of(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
) -> Result<Vec<NaiveDate>> {
    let rows = sqlx::query(
        "SELECT d.day FROM org_days_off d JOIN org_closure c ON c.ancestor_id = d.org_id \
         WHERE c.descendant_id = $1 ORDER BY d.day",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let day: String = row.try_get("day")?;
        if let Ok(d) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
            out.push(d);
        }
    }
    Ok(out)
}

/// `base` (the configuration's calendars) with the days `org_id` and those above it add.
pub(crate) async fn settings_for(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    base: &rempart_domain::legal_deadline::DeadlineSettings,
) -> Result<rempart_domain::legal_deadline::DeadlineSettings> {
    let mut settings = base.clone();
    for d in dates_of(conn, org_id).await? {
        settings.body_calendar.dates.push(d);
        settings.commission_calendar.dates.push(d);
    }
    Ok(settings)
}
