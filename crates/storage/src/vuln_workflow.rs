//! The vulnerability workflow (GMVI-04): a person's status changes (the domain's
//! `check_change` decides, from whether they hold the affected asset and whether they are
//! security staff of its body), each body's remediation delays (its own, else its nearest
//! ancestor's, else the default), and the daily pass that reopens lapsed risk acceptances and
//! escalates overdue vulnerabilities once per deadline.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::role::Role;
use rempart_domain::vulnerability::{
    acceptance_expired, check_change, ChangerRights, RemediationPolicy, StatusChange,
    VulnerabilityStatus,
};
use rempart_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::inbox::{self, Message, Notifier};
use crate::scope::{role_list, Scope};
use crate::write::{AuditContext, Change, WriteTx};
use crate::Store;

/// The roles that answer for a body's vulnerabilities besides the holders: those that import
/// scanner reports.
const SECURITY_STAFF: [Role; 3] = [Role::DelegatedCiso, Role::Ciso, Role::SecurityCoordinator];

/// The security staff nearest to `org_id`: those of the body itself, else of its closest
/// ancestor that has some (a unit's vulnerabilities and reports go to its ministry's team).
pub(crate) async fn nearest_staff(conn: &mut sqlx::AnyConnection, org_id: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query(&format!(
        "SELECT g.person_id, c.depth FROM role_grants g \
         JOIN org_closure c ON c.ancestor_id = g.org_id \
         JOIN persons p ON p.id = g.person_id \
         WHERE c.descendant_id = $1 AND g.role IN ({}) AND p.disabled_at IS NULL \
         ORDER BY c.depth, g.person_id",
        role_list(&SECURITY_STAFF)
    ))
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let nearest: Option<i64> = match rows.first() {
        Some(r) => Some(r.try_get("depth")?),
        None => None,
    };
    let mut out = Vec::new();
    for r in &rows {
        if Some(r.try_get::<i64, _>("depth")?) == nearest {
            out.push(r.try_get("person_id")?);
        }
    }
    out.dedup();
    Ok(out)
}

/// The delays that apply to `org_id`: its own, else the nearest ancestor's, else the default;
/// and the organization that set them (`None` for the default).
pub async fn policy_for(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
) -> Result<(RemediationPolicy, Option<i64>)> {
    let row = sqlx::query(
        "SELECT p.org_id, p.critical_days, p.high_days, p.medium_days, p.low_days, \
         p.top_level_percent FROM remediation_policies p \
         JOIN org_closure c ON c.ancestor_id = p.org_id \
         WHERE c.descendant_id = $1 ORDER BY c.depth LIMIT 1",
    )
    .bind(org_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok((RemediationPolicy::default(), None));
    };
    let days = |c: &str| -> Result<u32> {
        Ok(u32::try_from(row.try_get::<i64, _>(c)?).unwrap_or(u32::MAX))
    };
    Ok((
        RemediationPolicy {
            critical_days: days("critical_days")?,
            high_days: days("high_days")?,
            medium_days: days("medium_days")?,
            low_days: days("low_days")?,
            top_level_percent: days("top_level_percent")?,
        },
        Some(row.try_get("org_id")?),
    ))
}

/// A body's delays as its page and API show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyView {
    pub org_id: i64,
    #[serde(flatten)]
    pub policy: RemediationPolicy,
    /// The organization whose delays apply (this one, an ancestor), `None` for the default.
    pub set_by_org_id: Option<i64>,
}

/// The delays that apply to a body in reach.
pub async fn policy(store: &Store, scope: Scope, org_id: i64) -> Result<PolicyView> {
    let mut conn = store.pool().acquire().await?;
    let reach = format!(
        "SELECT id FROM organizations WHERE id = $1 AND {}",
        scope.with(Permission::VulnerabilityRead).condition("id")
    );
    if sqlx::query(&reach)
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound);
    }
    let (policy, set_by_org_id) = policy_for(&mut conn, org_id).await?;
    Ok(PolicyView {
        org_id,
        policy,
        set_by_org_id,
    })
}

/// Sets a body's own delays (security staff: [`Permission::VulnerabilityImport`]); they apply
/// to deadlines computed from now on (imports), not to those already set.
pub async fn set_policy(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    org_id: i64,
    policy: RemediationPolicy,
) -> Result<PolicyView> {
    let mut wtx = store.write(ctx).await?;
    crate::scope::require_org(wtx.conn(), scope, Permission::VulnerabilityImport, org_id).await?;
    policy
        .validate()
        .map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let (before, before_org) = policy_for(wtx.conn(), org_id).await?;
    let now = wtx.now();
    let actor = wtx.context().actor_id;
    sqlx::query(
        "INSERT INTO remediation_policies (org_id, critical_days, high_days, medium_days, \
         low_days, top_level_percent, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (org_id) DO UPDATE SET \
         critical_days = excluded.critical_days, high_days = excluded.high_days, \
         medium_days = excluded.medium_days, low_days = excluded.low_days, \
         top_level_percent = excluded.top_level_percent, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(org_id)
    .bind(i64::from(policy.critical_days))
    .bind(i64::from(policy.high_days))
    .bind(i64::from(policy.medium_days))
    .bind(i64::from(policy.low_days))
    .bind(i64::from(policy.top_level_percent))
    .bind(actor)
    .bind(now)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "vulnerability.policy",
        entity_type: "remediation_policy",
        entity_id: org_id.to_string(),
        before: Some(serde_json::json!({"policy": before, "set_by_org_id": before_org})),
        after: Some(serde_json::json!({"policy": policy, "set_by_org_id": org_id})),
    })
    .await?;
    wtx.commit().await?;
    Ok(PolicyView {
        org_id,
        policy,
        set_by_org_id: Some(org_id),
    })
}

/// Changes a vulnerability's status for a person (or the local administrator, who may do
/// anything the rules allow), if `version` is still the record's.
pub async fn change_status(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    version: i64,
    change: &StatusChange,
    today: NaiveDate,
) -> Result<i64> {
    let mut wtx = store.write(ctx).await?;
    let sql = format!(
        "SELECT v.org_id, v.asset_id, v.status, v.version, v.accepted_until, a.holder_id \
         FROM vulnerabilities v LEFT JOIN assets a ON a.id = v.asset_id \
         WHERE v.id = $1 AND {}{}",
        crate::vulns::reach_condition(scope.with(Permission::VulnerabilityManage)),
        // The row is held until the change commits: a concurrent change waits, then finds
        // the version moved. `OF v`: the asset is on the nullable side of the join.
        match wtx.engine() {
            crate::Engine::Postgres => " FOR UPDATE OF v",
            crate::Engine::Sqlite => "",
        }
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let org_id: i64 = row.try_get("org_id")?;
    let asset_id: Option<i64> = row.try_get("asset_id")?;
    let holder_id: Option<i64> = row.try_get("holder_id")?;
    let current: String = row.try_get("status")?;
    let old_until: Option<String> = row.try_get("accepted_until")?;
    let from = VulnerabilityStatus::parse(&current).unwrap_or(VulnerabilityStatus::Open);
    let rights = match scope {
        Scope::LocalAdministrator => ChangerRights {
            holder: true,
            security_staff: true,
        },
        Scope::Person { person_id, .. } => {
            let staff = format!(
                "SELECT id FROM organizations WHERE id = $1 AND {}",
                Scope::new(person_id, Permission::VulnerabilityImport).condition("id")
            );
            ChangerRights {
                holder: holder_id == Some(person_id),
                security_staff: sqlx::query(&staff)
                    .bind(org_id)
                    .fetch_optional(wtx.conn())
                    .await?
                    .is_some(),
            }
        }
    };
    check_change(from, change, rights, asset_id.is_some(), today).map_err(|e| {
        let (field, code) = e.field();
        StoreError::Invalid(ValidationErrors(vec![FieldError::new(field, code)]))
    })?;
    if row.try_get::<i64, _>("version")? != version {
        return Err(StoreError::Stale);
    }
    let now = wtx.now();
    let until = match change.to {
        VulnerabilityStatus::RiskAccepted => change.accepted_until.map(|d| d.to_string()),
        _ => None,
    };
    let fixed_at = (change.to == VulnerabilityStatus::Fixed).then_some(now);
    // Fixed now, or not fixed (a reopened vulnerability loses its fixed date).
    let changed = sqlx::query(
        "UPDATE vulnerabilities SET status = $2, accepted_until = $3, fixed_at = $4, \
         updated_at = $5, version = version + 1 WHERE id = $1 AND version = $6",
    )
    .bind(id)
    .bind(change.to.as_str())
    .bind(until.as_deref())
    .bind(fixed_at)
    .bind(now)
    .bind(version)
    .execute(wtx.conn())
    .await?;
    if changed.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    let person = wtx.context().actor_id;
    sqlx::query(
        "INSERT INTO vulnerability_history (vulnerability_id, at, status, import_id, \
         person_id, note) VALUES ($1, $2, $3, NULL, $4, $5)",
    )
    .bind(id)
    .bind(now)
    .bind(change.to.as_str())
    .bind(person)
    .bind(change.note.trim())
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "vulnerability.status",
        entity_type: "vulnerability",
        entity_id: id.to_string(),
        before: Some(serde_json::json!({"status": current, "accepted_until": old_until})),
        after: Some(serde_json::json!({
            "status": change.to.as_str(),
            "accepted_until": until,
            "note": change.note.trim(),
        })),
    })
    .await?;
    wtx.commit().await?;
    Ok(version + 1)
}

/// What a daily pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DailyOutcome {
    /// Risk acceptances whose expiry passed, reopened.
    pub reopened: usize,
    /// Overdue vulnerabilities escalated (first time past this deadline).
    pub escalated: usize,
    /// Notifications sent.
    pub notified: usize,
}

/// The daily pass on `today`, in the caller's transaction: lapsed acceptances reopened (their
/// holder told), then every vulnerability still to deal with whose deadline (ours or CISA's)
/// has passed and that was not escalated since, escalated: one message per holder and one per
/// body's security staff, with the count and the list's link.
pub async fn daily(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    today: NaiveDate,
) -> Result<DailyOutcome> {
    let mut outcome = DailyOutcome::default();
    let now = wtx.now();
    let day = today.to_string();

    // Lapsed acceptances.
    let lapsed = sqlx::query(
        "SELECT v.id, v.org_id, v.title, v.accepted_until, a.holder_id, a.name AS asset_name \
         FROM vulnerabilities v LEFT JOIN assets a ON a.id = v.asset_id \
         WHERE v.status = 'risk_accepted' AND v.accepted_until < $1 ORDER BY v.id",
    )
    .bind(&day)
    .fetch_all(wtx.conn())
    .await?;
    let mut changes = Vec::new();
    for row in &lapsed {
        let until: String = row.try_get("accepted_until")?;
        let expired = NaiveDate::parse_from_str(&until, "%Y-%m-%d")
            .map(|d| acceptance_expired(d, today))
            .unwrap_or(true);
        if !expired {
            continue;
        }
        let id: i64 = row.try_get("id")?;
        sqlx::query(
            "UPDATE vulnerabilities SET status = 'open', accepted_until = NULL, \
             updated_at = $2, version = version + 1 WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(wtx.conn())
        .await?;
        sqlx::query(
            "INSERT INTO vulnerability_history (vulnerability_id, at, status, import_id, \
             person_id, note) VALUES ($1, $2, 'open', NULL, NULL, 'acceptance-expired')",
        )
        .bind(id)
        .bind(now)
        .execute(wtx.conn())
        .await?;
        if let Some(holder) = row.try_get::<Option<i64>, _>("holder_id")? {
            outcome.notified += inbox::notify(
                wtx,
                notifier,
                &[holder],
                None,
                &Message {
                    kind: "vuln-acceptance-expired",
                    args: vec![
                        ("title", row.try_get::<String, _>("title")?),
                        (
                            "asset",
                            row.try_get::<Option<String>, _>("asset_name")?
                                .unwrap_or_default(),
                        ),
                        ("until", until.clone()),
                    ],
                    link: format!("/vulnerabilities/{id}"),
                },
            )
            .await?;
        }
        changes.push(Change {
            org_id: Some(row.try_get("org_id")?),
            action: "vulnerability.acceptance_expired",
            entity_type: "vulnerability",
            entity_id: id.to_string(),
            before: Some(serde_json::json!({"status": "risk_accepted", "accepted_until": until})),
            after: Some(serde_json::json!({"status": "open"})),
        });
        outcome.reopened += 1;
    }

    // Overdue: the earliest deadline passed (ours or CISA's) not escalated yet. The deadline
    // escalated is kept, so that a later or new deadline (a CISA due date added since) is
    // escalated in its turn, and a change of status does not escalate the same one again.
    let overdue = sqlx::query(
        "SELECT v.id, v.org_id, v.due_on, v.kev_due_on, v.escalated_on, a.holder_id \
         FROM vulnerabilities v LEFT JOIN assets a ON a.id = v.asset_id \
         WHERE v.status IN ('open', 'in_remediation') \
         AND ((v.due_on IS NOT NULL AND v.due_on < $1) \
         OR (v.kev_due_on IS NOT NULL AND v.kev_due_on < $1)) ORDER BY v.id",
    )
    .bind(&day)
    .fetch_all(wtx.conn())
    .await?;
    let mut by_holder: BTreeMap<i64, usize> = BTreeMap::new();
    let mut by_org: BTreeMap<i64, usize> = BTreeMap::new();
    let mut by_deadline: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for row in &overdue {
        let due: Option<String> = row.try_get("due_on")?;
        let kev: Option<String> = row.try_get("kev_due_on")?;
        let done: Option<String> = row.try_get("escalated_on")?;
        // Dates written YYYY-MM-DD order as text.
        let Some(deadline) = [due, kev]
            .into_iter()
            .flatten()
            .filter(|d| d.as_str() < day.as_str())
            .min()
        else {
            continue;
        };
        if done.as_deref() == Some(deadline.as_str()) {
            continue;
        }
        by_deadline
            .entry(deadline)
            .or_default()
            .push(row.try_get::<i64, _>("id")?);
        *by_org.entry(row.try_get("org_id")?).or_default() += 1;
        if let Some(holder) = row.try_get::<Option<i64>, _>("holder_id")? {
            *by_holder.entry(holder).or_default() += 1;
        }
    }
    for (deadline, ids) in &by_deadline {
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            // Integers read from our own table, written as literals.
            sqlx::query(&format!(
                "UPDATE vulnerabilities SET escalated_on = $1 WHERE id IN ({list})"
            ))
            .bind(deadline)
            .execute(wtx.conn())
            .await?;
        }
        outcome.escalated += ids.len();
    }
    for (holder, count) in &by_holder {
        outcome.notified += inbox::notify(
            wtx,
            notifier,
            &[*holder],
            None,
            &Message {
                kind: "vuln-overdue-holder",
                args: vec![("count", count.to_string())],
                link: "/vulnerabilities?overdue=true".into(),
            },
        )
        .await?;
    }
    for (org, count) in &by_org {
        let staff = nearest_staff(wtx.conn(), *org).await?;
        let name: String = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
            .bind(*org)
            .fetch_one(wtx.conn())
            .await?;
        outcome.notified += inbox::notify(
            wtx,
            notifier,
            &staff,
            None,
            &Message {
                kind: "vuln-overdue-staff",
                args: vec![("count", count.to_string()), ("org", name)],
                link: format!("/vulnerabilities?overdue=true&org={org}"),
            },
        )
        .await?;
        changes.push(Change {
            org_id: Some(*org),
            action: "vulnerability.escalated",
            entity_type: "organization",
            entity_id: org.to_string(),
            before: None,
            after: Some(serde_json::json!({"overdue": count, "on": day})),
        });
    }
    if !changes.is_empty() {
        wtx.audit_batch(changes).await?;
    }
    Ok(outcome)
}
