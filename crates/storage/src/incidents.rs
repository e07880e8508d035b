//! Incidents (GMVI-02): opening (from a triaged event or directly), the record and its
//! affected assets, the timeline, roles, tasks, the status workflow the domain enforces, and
//! what closing does to the affected assets' risks (GMVI-09). Every change is audited; the
//! rules are evaluated again when what they read changes (severity, assets, personal
//! information), so a notice owed is never missed.
//!
//! Visibility: a body's incidents are seen through grants on the body or its units; a centre
//! sees one only once an escalation shared it with the centre (`incident_shares`).

use chrono::{Datelike, NaiveDate};
use rempart_domain::authz::{roles_with, Permission};
use rempart_domain::incident::{
    self, check_entry, check_task, check_transition, AssetImpact, ClosureFacts, EntryInput, Impact,
    IncidentInput, IncidentRole, IncidentStatus, TaskStatus,
};
use rempart_domain::risk::Reassessment;
use rempart_domain::watch::{Step, WatchState};
use sqlx::{any::AnyRow, Row};

use crate::deadlines::{self, Subject};
use crate::error::{Result, StoreError};
use crate::inbox::{self, Message, Notifier};
use crate::scope::{role_list, Scope};
use crate::store::Store;
use crate::write::{Change, WriteTx};

pub(crate) fn get_bool(row: &AnyRow, column: &str) -> Result<bool> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

/// The SQL condition that incident `i` is visible to `scope` exercising its permission.
pub fn visible(scope: Scope, alias: &str) -> String {
    let Scope::Person {
        person_id,
        permission,
    } = scope
    else {
        return "1 = 1".to_owned();
    };
    let roles = roles_with(permission);
    format!(
        "({alias}.org_id IN (SELECT c.descendant_id FROM org_closure c \
         JOIN role_grants g ON g.org_id = c.ancestor_id \
         JOIN organizations go ON go.id = g.org_id \
         WHERE g.person_id = {person_id} AND go.kind IN ('public_body', 'unit') \
         AND (g.role IN ({subtree}) OR (c.depth = 0 AND g.role IN ({own})))) \
         OR {alias}.id IN (SELECT s.incident_id FROM incident_shares s WHERE {shared}))",
        subtree = role_list(&roles.subtree),
        own = role_list(&roles.organization_only),
        shared = scope.condition("s.org_id"),
    )
}

/// The incident's organization and version, if `scope` may act on it with `permission`.
async fn reach(
    wtx: &mut WriteTx,
    scope: Scope,
    permission: Permission,
    id: i64,
) -> Result<(i64, i64, IncidentStatus)> {
    let r = sqlx::query(&format!(
        "SELECT i.org_id, i.version, i.status FROM incidents i WHERE i.id = $1 AND {}",
        visible(scope.with(permission), "i")
    ))
    .bind(id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    let status: String = r.try_get("status")?;
    Ok((
        r.try_get("org_id")?,
        r.try_get("version")?,
        IncidentStatus::parse(&status).unwrap_or(IncidentStatus::Open),
    ))
}

/// Writes a timeline entry of the platform's own (status, escalation): `body` is data the
/// page words in the reader's language.
pub(crate) async fn system_entry(
    wtx: &mut WriteTx,
    incident: i64,
    kind: &str,
    body: &str,
) -> Result<()> {
    let now = wtx.now();
    sqlx::query(
        "INSERT INTO incident_entries (incident_id, occurred_at, kind, body, decided_by, \
         recorded_by, recorded_at) VALUES ($1, $2, $3, $4, NULL, $5, $2)",
    )
    .bind(incident)
    .bind(now)
    .bind(kind)
    .bind(body)
    .bind(wtx.ctx.actor_id)
    .execute(wtx.conn())
    .await?;
    Ok(())
}

/// Opens an incident in `org_id` (the coordinator's or a security officer's), detected at
/// `detected_at`; the rules are evaluated at once. Audited as `incident.open`.
pub async fn open(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    scope: Scope,
    org_id: i64,
    input: &IncidentInput,
    detected_at: i64,
) -> Result<i64> {
    let allowed: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM organizations o WHERE o.id = $1 AND o.archived_at IS NULL \
         AND o.kind IN ('public_body', 'unit') AND ({} OR {})",
        scope.with(Permission::EventTriage).condition("o.id"),
        scope.with(Permission::IncidentManage).condition("o.id"),
    ))
    .bind(org_id)
    .fetch_one(wtx.conn())
    .await?;
    if allowed == 0 {
        return Err(StoreError::NotFound);
    }
    let now = wtx.now();
    let id: i64 = sqlx::query(
        "INSERT INTO incidents (org_id, reference, title, description, category, severity, \
         personal_info, status, detected_at, opened_by, opened_at, closed_at, lessons, \
         updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, NULL, '', \
         $10, 1) RETURNING id",
    )
    .bind(org_id)
    // A unique placeholder until the id is known.
    .bind(format!("tmp-{now}-{}", wtx.ctx.actor_id.unwrap_or(0)))
    .bind(&input.title)
    .bind(&input.description)
    .bind(&input.category)
    .bind(incident::severity_str(input.severity))
    .bind(i64::from(input.personal_info))
    .bind(detected_at.min(now))
    .bind(wtx.ctx.actor_id)
    .bind(now)
    .fetch_one(wtx.conn())
    .await?
    .try_get("id")?;
    let year = crate::store::local_date(now).map_or(1970, |d| d.year());
    let reference = incident::reference(year, id);
    sqlx::query("UPDATE incidents SET reference = $1 WHERE id = $2")
        .bind(&reference)
        .bind(id)
        .execute(wtx.conn())
        .await?;
    system_entry(wtx, id, "status", "open").await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "incident.open",
        entity_type: "incident",
        entity_id: id.to_string(),
        before: None,
        after: Some(audited(input, &reference)),
    })
    .await?;
    if input.personal_info {
        // PRIV-03: the register of confidentiality incidents gets its entry to complete.
        crate::confidentiality::open_for_incident(wtx, id).await?;
    }
    crate::notices::escalate_incident(wtx, notifier, id).await?;
    Ok(id)
}

fn audited(input: &IncidentInput, reference: &str) -> serde_json::Value {
    serde_json::json!({
        "reference": reference, "title": input.title, "description": input.description,
        "category": input.category, "severity": incident::severity_str(input.severity),
        "personal_info": input.personal_info,
    })
}

/// Changes the incident's fields; `version` must be the one read. Escalates again.
pub async fn update(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    scope: Scope,
    id: i64,
    version: i64,
    input: &IncidentInput,
) -> Result<()> {
    let (org_id, stored, _) = reach(wtx, scope, Permission::IncidentManage, id).await?;
    if stored != version {
        return Err(StoreError::Stale);
    }
    let before = sqlx::query(
        "SELECT reference, title, description, category, severity, personal_info \
         FROM incidents WHERE id = $1",
    )
    .bind(id)
    .fetch_one(wtx.conn())
    .await?;
    let reference: String = before.try_get("reference")?;
    let before_json = serde_json::json!({
        "title": before.try_get::<String, _>("title")?,
        "description": before.try_get::<String, _>("description")?,
        "category": before.try_get::<String, _>("category")?,
        "severity": before.try_get::<String, _>("severity")?,
        "personal_info": get_bool(&before, "personal_info")?,
    });
    sqlx::query(
        "UPDATE incidents SET title = $1, description = $2, category = $3, severity = $4, \
         personal_info = $5, updated_at = $6, version = version + 1 WHERE id = $7",
    )
    .bind(&input.title)
    .bind(&input.description)
    .bind(&input.category)
    .bind(incident::severity_str(input.severity))
    .bind(i64::from(input.personal_info))
    .bind(wtx.now())
    .bind(id)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "incident.update",
        entity_type: "incident",
        entity_id: id.to_string(),
        before: Some(before_json),
        after: Some(audited(input, &reference)),
    })
    .await?;
    if input.personal_info {
        crate::confidentiality::open_for_incident(wtx, id).await?;
    }
    crate::notices::escalate_incident(wtx, notifier, id).await?;
    Ok(())
}

async fn bump(wtx: &mut WriteTx, id: i64) -> Result<()> {
    sqlx::query("UPDATE incidents SET updated_at = $1, version = version + 1 WHERE id = $2")
        .bind(wtx.now())
        .bind(id)
        .execute(wtx.conn())
        .await?;
    Ok(())
}

/// Records an affected asset and its impacts (or changes them). The asset must be one the
/// person sees in the inventory. Escalates again (classification, bodies touched).
pub async fn set_asset(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    scope: Scope,
    id: i64,
    asset_id: i64,
    impact: AssetImpact,
) -> Result<()> {
    let (org_id, _, _) = reach(wtx, scope, Permission::IncidentManage, id).await?;
    let visible_asset: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM assets a WHERE a.id = $1 AND a.archived_at IS NULL AND {}",
        scope.with(Permission::AssetRead).condition("a.org_id")
    ))
    .bind(asset_id)
    .fetch_one(wtx.conn())
    .await?;
    if visible_asset == 0 {
        return Err(StoreError::Invalid(
            rempart_domain::ValidationErrors::single(rempart_domain::FieldError::new(
                "asset_id",
                "error-not-found",
            )),
        ));
    }
    sqlx::query("DELETE FROM incident_assets WHERE incident_id = $1 AND asset_id = $2")
        .bind(id)
        .bind(asset_id)
        .execute(wtx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO incident_assets (incident_id, asset_id, availability, integrity, \
         confidentiality) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(asset_id)
    .bind(impact.availability.level())
    .bind(impact.integrity.level())
    .bind(impact.confidentiality.level())
    .execute(wtx.conn())
    .await?;
    bump(wtx, id).await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "incident.asset_set",
        entity_type: "incident",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "asset_id": asset_id, "impact": impact })),
    })
    .await?;
    crate::notices::escalate_incident(wtx, notifier, id).await?;
    Ok(())
}

pub async fn remove_asset(wtx: &mut WriteTx, scope: Scope, id: i64, asset_id: i64) -> Result<()> {
    let (org_id, _, _) = reach(wtx, scope, Permission::IncidentManage, id).await?;
    let done = sqlx::query("DELETE FROM incident_assets WHERE incident_id = $1 AND asset_id = $2")
        .bind(id)
        .bind(asset_id)
        .execute(wtx.conn())
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    bump(wtx, id).await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "incident.asset_remove",
        entity_type: "incident",
        entity_id: id.to_string(),
        before: Some(serde_json::json!({ "asset_id": asset_id })),
        after: None,
    })
    .await?;
    Ok(())
}

/// Whether `person_id` may take part in the incident: someone who may see it.
async fn participant(wtx: &mut WriteTx, id: i64, person_id: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM incidents i WHERE i.id = $1 AND {}",
        visible(Scope::new(person_id, Permission::IncidentRead), "i")
    ))
    .bind(id)
    .fetch_one(wtx.conn())
    .await?;
    let active: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM persons WHERE id = $1 AND disabled_at IS NULL")
            .bind(person_id)
            .fetch_one(wtx.conn())
            .await?;
    Ok(n > 0 && active > 0)
}

/// Adds a timeline entry written by a person; audited.
pub async fn add_entry(
    wtx: &mut WriteTx,
    scope: Scope,
    id: i64,
    entry: &EntryInput,
) -> Result<i64> {
    let (org_id, _, _) = reach(wtx, scope, Permission::IncidentManage, id).await?;
    check_entry(entry, wtx.now())?;
    if let Some(who) = entry.decided_by {
        if !participant(wtx, id, who).await? {
            return Err(StoreError::Invalid(
                rempart_domain::ValidationErrors::single(rempart_domain::FieldError::new(
                    "decided_by",
                    "error-not-found",
                )),
            ));
        }
    }
    let entry_id: i64 = sqlx::query(
        "INSERT INTO incident_entries (incident_id, occurred_at, kind, body, decided_by, \
         recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(id)
    .bind(entry.occurred_at)
    .bind(entry.kind.as_str())
    .bind(entry.body.trim())
    .bind(entry.decided_by)
    .bind(wtx.ctx.actor_id)
    .bind(wtx.now())
    .fetch_one(wtx.conn())
    .await?
    .try_get("id")?;
    bump(wtx, id).await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "incident.entry_add",
        entity_type: "incident",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "entry_id": entry_id, "kind": entry.kind.as_str(), "body": entry.body.trim(),
            "occurred_at": entry.occurred_at, "decided_by": entry.decided_by,
        })),
    })
    .await?;
    Ok(entry_id)
}

/// Gives a role on the incident to a person who may see it (or takes it back: `None`).
pub async fn set_role(
    wtx: &mut WriteTx,
    scope: Scope,
    id: i64,
    role: IncidentRole,
    person_id: Option<i64>,
) -> Result<()> {
    let (org_id, _, _) = reach(wtx, scope, Permission::IncidentManage, id).await?;
    if let Some(p) = person_id {
        if !participant(wtx, id, p).await? {
            return Err(StoreError::Invalid(
                rempart_domain::ValidationErrors::single(rempart_domain::FieldError::new(
                    "person_id",
                    "error-not-found",
                )),
            ));
        }
    }
    let before: Option<i64> = sqlx::query_scalar(
        "SELECT person_id FROM incident_roles WHERE incident_id = $1 AND role = $2",
    )
    .bind(id)
    .bind(role.as_str())
    .fetch_optional(wtx.conn())
    .await?;
    sqlx::query("DELETE FROM incident_roles WHERE incident_id = $1 AND role = $2")
        .bind(id)
        .bind(role.as_str())
        .execute(wtx.conn())
        .await?;
    if let Some(p) = person_id {
        sqlx::query(
            "INSERT INTO incident_roles (incident_id, role, person_id, assigned_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(role.as_str())
        .bind(p)
        .bind(wtx.now())
        .execute(wtx.conn())
        .await?;
    }
    bump(wtx, id).await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "incident.role_set",
        entity_type: "incident",
        entity_id: id.to_string(),
        before: Some(serde_json::json!({ "role": role.as_str(), "person_id": before })),
        after: Some(serde_json::json!({ "role": role.as_str(), "person_id": person_id })),
    })
    .await?;
    Ok(())
}

/// The instant a task due on `day` is late: the end of that day in Québec.
pub fn end_of_day(day: NaiveDate) -> i64 {
    use chrono::TimeZone;
    let next = day.succ_opt().unwrap_or(day);
    chrono_tz::America::Toronto
        .from_local_datetime(&next.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(i64::MAX, |t| t.timestamp_micros())
}

/// Adds a task with an owner and a due date; the scheduler watches it.
pub async fn add_task(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    scope: Scope,
    id: i64,
    title: &str,
    owner_id: i64,
    due_on: &str,
) -> Result<i64> {
    let (org_id, _, _) = reach(wtx, scope, Permission::IncidentManage, id).await?;
    let opened: i64 = sqlx::query_scalar("SELECT opened_at FROM incidents WHERE id = $1")
        .bind(id)
        .fetch_one(wtx.conn())
        .await?;
    let opened_on = crate::store::local_date(opened).unwrap_or(NaiveDate::MIN);
    check_task(title, due_on, opened_on)?;
    if !participant(wtx, id, owner_id).await? {
        return Err(StoreError::Invalid(
            rempart_domain::ValidationErrors::single(rempart_domain::FieldError::new(
                "owner_id",
                "error-not-found",
            )),
        ));
    }
    let due = NaiveDate::parse_from_str(due_on.trim(), "%Y-%m-%d").unwrap_or(opened_on);
    let task: i64 = sqlx::query(
        "INSERT INTO incident_tasks (incident_id, title, owner_id, due_on, status, done_at, \
         created_at) VALUES ($1, $2, $3, $4, 'open', NULL, $5) RETURNING id",
    )
    .bind(id)
    .bind(title.trim())
    .bind(owner_id)
    .bind(due.to_string())
    .bind(wtx.now())
    .fetch_one(wtx.conn())
    .await?
    .try_get("id")?;
    deadlines::watch(
        wtx,
        Subject::IncidentTask(task),
        org_id,
        end_of_day(due),
        "task",
    )
    .await?;
    bump(wtx, id).await?;
    let reference: String = sqlx::query_scalar("SELECT reference FROM incidents WHERE id = $1")
        .bind(id)
        .fetch_one(wtx.conn())
        .await?;
    inbox::notify(
        wtx,
        notifier,
        &[owner_id],
        None,
        &Message {
            kind: "task-assigned",
            args: vec![
                ("reference", reference),
                ("task", title.trim().to_owned()),
                ("due", due.to_string()),
            ],
            link: format!("/incidents/{id}#tasks"),
        },
    )
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "incident.task_add",
        entity_type: "incident",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "task_id": task, "title": title.trim(), "owner_id": owner_id, "due_on": due.to_string(),
        })),
    })
    .await?;
    Ok(task)
}

/// Marks a task done or cancelled (or open again); its deadline is settled or watched again.
pub async fn set_task_status(
    wtx: &mut WriteTx,
    scope: Scope,
    id: i64,
    task: i64,
    status: TaskStatus,
) -> Result<()> {
    let (org_id, _, _) = reach(wtx, scope, Permission::IncidentManage, id).await?;
    let row =
        sqlx::query("SELECT status, due_on FROM incident_tasks WHERE id = $1 AND incident_id = $2")
            .bind(task)
            .bind(id)
            .fetch_optional(wtx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
    let before: String = row.try_get("status")?;
    let due_on: String = row.try_get("due_on")?;
    let now = wtx.now();
    sqlx::query("UPDATE incident_tasks SET status = $1, done_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind((status != TaskStatus::Open).then_some(now))
        .bind(task)
        .execute(wtx.conn())
        .await?;
    match status {
        TaskStatus::Done => {
            deadlines::settle(wtx, Subject::IncidentTask(task), WatchState::Met).await?
        }
        TaskStatus::Cancelled => {
            deadlines::settle(wtx, Subject::IncidentTask(task), WatchState::Cancelled).await?
        }
        TaskStatus::Open => {
            let due = NaiveDate::parse_from_str(&due_on, "%Y-%m-%d").unwrap_or(NaiveDate::MIN);
            deadlines::watch(
                wtx,
                Subject::IncidentTask(task),
                org_id,
                end_of_day(due),
                "task",
            )
            .await?
        }
    }
    bump(wtx, id).await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "incident.task_status",
        entity_type: "incident",
        entity_id: id.to_string(),
        before: Some(serde_json::json!({ "task_id": task, "status": before })),
        after: Some(serde_json::json!({ "task_id": task, "status": status.as_str() })),
    })
    .await?;
    Ok(())
}

/// Moves the incident through its workflow (the domain says which moves exist and what
/// closing needs). Closing records the lessons learned and flags for reassessment the risks of
/// every asset the incident compromised (GMVI-09, RISK-04). Returns how many risks were flagged.
pub async fn transition(
    wtx: &mut WriteTx,
    scope: Scope,
    id: i64,
    version: i64,
    to: IncidentStatus,
    lessons: &str,
    reason: &str,
) -> Result<usize> {
    let (org_id, stored, from) = reach(wtx, scope, Permission::IncidentManage, id).await?;
    if stored != version {
        return Err(StoreError::Stale);
    }
    let open_tasks: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM incident_tasks WHERE incident_id = $1 AND status = 'open'",
    )
    .bind(id)
    .fetch_one(wtx.conn())
    .await?;
    let lead: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM incident_roles WHERE incident_id = $1 AND role = 'lead'",
    )
    .bind(id)
    .fetch_one(wtx.conn())
    .await?;
    check_transition(
        from,
        to,
        &ClosureFacts {
            lessons: lessons.to_owned(),
            open_tasks: usize::try_from(open_tasks).unwrap_or(usize::MAX),
            has_lead: lead > 0,
        },
        reason,
    )?;
    let now = wtx.now();
    let closing = to == IncidentStatus::Closed;
    sqlx::query(
        "UPDATE incidents SET status = $1, closed_at = $2, \
         lessons = CASE WHEN $3 = 1 THEN $4 ELSE lessons END, updated_at = $5, \
         version = version + 1 WHERE id = $6",
    )
    .bind(to.as_str())
    .bind(closing.then_some(now))
    .bind(i64::from(closing))
    .bind(lessons.trim())
    .bind(now)
    .bind(id)
    .execute(wtx.conn())
    .await?;
    let body = if reason.trim().is_empty() {
        to.as_str().to_owned()
    } else {
        format!("{}:{}", to.as_str(), reason.trim())
    };
    system_entry(wtx, id, "status", &body).await?;
    let mut flagged = 0;
    if closing {
        // A closed incident escalates no further: the notices still unacknowledged stay on
        // record as such, their deadlines stop.
        let open_notices: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM notices WHERE subject_type = 'incident' AND subject_id = $1 \
             AND acknowledged_at IS NULL AND escalated_at IS NULL",
        )
        .bind(id)
        .fetch_all(wtx.conn())
        .await?;
        for notice in open_notices {
            deadlines::settle(wtx, Subject::Notice(notice), WatchState::Cancelled).await?;
        }
        let reference: String = sqlx::query_scalar("SELECT reference FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_one(wtx.conn())
            .await?;
        let assets: Vec<i64> = sqlx::query_scalar(
            "SELECT asset_id FROM incident_assets WHERE incident_id = $1 AND \
             (availability > 0 OR integrity > 0 OR confidentiality > 0) ORDER BY asset_id",
        )
        .bind(id)
        .fetch_all(wtx.conn())
        .await?;
        for asset in assets {
            flagged += crate::risks::flag_for_asset(
                wtx,
                asset,
                &Reassessment::Incident {
                    incident: reference.clone(),
                },
            )
            .await?;
        }
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "incident.status",
        entity_type: "incident",
        entity_id: id.to_string(),
        before: Some(serde_json::json!({ "status": from.as_str() })),
        after: Some(serde_json::json!({
            "status": to.as_str(), "lessons": closing.then(|| lessons.trim()),
            "reason": reason.trim(), "risks_flagged": flagged,
        })),
    })
    .await?;
    Ok(flagged)
}

/// The scheduler's step on a task's deadline: the owner is reminded before; after, the owner
/// and the incident's lead are told it is late.
pub(crate) async fn on_task_deadline(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    task: i64,
    step: Step,
) -> Result<()> {
    let r = sqlx::query(
        "SELECT t.incident_id, t.title, t.owner_id, t.due_on, t.status, i.reference \
         FROM incident_tasks t JOIN incidents i ON i.id = t.incident_id WHERE t.id = $1",
    )
    .bind(task)
    .fetch_one(wtx.conn())
    .await?;
    if r.try_get::<String, _>("status")? != "open" {
        return Ok(());
    }
    let incident: i64 = r.try_get("incident_id")?;
    let mut people = vec![r.try_get::<i64, _>("owner_id")?];
    let kind = match step {
        Step::Wait => return Ok(()),
        Step::Warn => "task-due-soon",
        Step::Escalate => {
            let lead: Option<i64> = sqlx::query_scalar(
                "SELECT person_id FROM incident_roles WHERE incident_id = $1 AND role = 'lead'",
            )
            .bind(incident)
            .fetch_optional(wtx.conn())
            .await?;
            people.extend(lead);
            "task-overdue"
        }
    };
    inbox::notify(
        wtx,
        notifier,
        &people,
        None,
        &Message {
            kind,
            args: vec![
                ("reference", r.try_get("reference")?),
                ("task", r.try_get("title")?),
                ("due", r.try_get("due_on")?),
            ],
            link: format!("/incidents/{incident}#tasks"),
        },
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- reading

/// An incident as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Incident {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub reference: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub severity: String,
    pub personal_info: bool,
    pub status: String,
    pub detected_at: i64,
    pub opened_by_name: String,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub lessons: String,
    pub version: i64,
    pub assets: Vec<AffectedAsset>,
    pub roles: Vec<RoleHolder>,
    pub tasks: Vec<Task>,
    pub entries: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AffectedAsset {
    pub asset_id: i64,
    pub name: String,
    pub impact: AssetImpact,
    /// The asset's classification on the three criteria, when classified.
    pub classification: Option<[i64; 3]>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoleHolder {
    pub role: String,
    pub person_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub due_on: String,
    pub status: String,
    pub done_at: Option<i64>,
}

/// One incident, if `scope` sees it.
pub async fn get(store: &Store, scope: Scope, id: i64) -> Result<Incident> {
    let mut conn = store.pool.acquire().await?;
    let r = sqlx::query(&format!(
        "SELECT i.id, i.org_id, o.name AS org_name, i.reference, i.title, i.description, \
         i.category, i.severity, i.personal_info, i.status, i.detected_at, p.name AS opener, \
         i.opened_at, i.closed_at, i.lessons, i.version, \
         (SELECT COUNT(*) FROM incident_entries e WHERE e.incident_id = i.id) AS entries \
         FROM incidents i JOIN organizations o ON o.id = i.org_id \
         JOIN persons p ON p.id = i.opened_by WHERE i.id = $1 AND {}",
        visible(scope.with(Permission::IncidentRead), "i")
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let assets = sqlx::query(
        "SELECT ia.asset_id, a.name, ia.availability, ia.integrity, ia.confidentiality, \
         a.availability AS ca, a.integrity AS ci, a.confidentiality AS cc \
         FROM incident_assets ia JOIN assets a ON a.id = ia.asset_id \
         WHERE ia.incident_id = $1 ORDER BY a.name, a.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|a| {
        let level = |c: &str| -> Result<Impact> {
            Ok(Impact::from_level(a.try_get(c)?).unwrap_or(Impact::None))
        };
        let class = match (
            a.try_get::<Option<i64>, _>("ca")?,
            a.try_get::<Option<i64>, _>("ci")?,
            a.try_get::<Option<i64>, _>("cc")?,
        ) {
            (Some(x), Some(y), Some(z)) => Some([x, y, z]),
            _ => None,
        };
        Ok(AffectedAsset {
            asset_id: a.try_get("asset_id")?,
            name: a.try_get("name")?,
            impact: AssetImpact {
                availability: level("availability")?,
                integrity: level("integrity")?,
                confidentiality: level("confidentiality")?,
            },
            classification: class,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let roles = sqlx::query(
        "SELECT r.role, r.person_id, p.name FROM incident_roles r \
         JOIN persons p ON p.id = r.person_id WHERE r.incident_id = $1 ORDER BY r.role",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|x| {
        Ok(RoleHolder {
            role: x.try_get("role")?,
            person_id: x.try_get("person_id")?,
            name: x.try_get("name")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let tasks = sqlx::query(
        "SELECT t.id, t.title, t.owner_id, p.name, t.due_on, t.status, t.done_at \
         FROM incident_tasks t JOIN persons p ON p.id = t.owner_id \
         WHERE t.incident_id = $1 ORDER BY t.due_on, t.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|x| {
        Ok(Task {
            id: x.try_get("id")?,
            title: x.try_get("title")?,
            owner_id: x.try_get("owner_id")?,
            owner_name: x.try_get("name")?,
            due_on: x.try_get("due_on")?,
            status: x.try_get("status")?,
            done_at: x.try_get("done_at")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    Ok(Incident {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        reference: r.try_get("reference")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        category: r.try_get("category")?,
        severity: r.try_get("severity")?,
        personal_info: get_bool(&r, "personal_info")?,
        status: r.try_get("status")?,
        detected_at: r.try_get("detected_at")?,
        opened_by_name: r.try_get("opener")?,
        opened_at: r.try_get("opened_at")?,
        closed_at: r.try_get("closed_at")?,
        lessons: r.try_get("lessons")?,
        version: r.try_get("version")?,
        assets,
        roles,
        tasks,
        entries: r.try_get("entries")?,
    })
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub occurred_at: i64,
    pub kind: String,
    pub body: String,
    pub decided_by_name: Option<String>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: i64,
}

/// A page of the timeline in the order things happened (`offset`, `limit`). The caller has
/// read the incident through `get` (scope checked).
pub async fn timeline(store: &Store, id: i64, offset: i64, limit: i64) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT e.id, e.occurred_at, e.kind, e.body, d.name AS decided, r.name AS recorded, \
         e.recorded_at FROM incident_entries e \
         LEFT JOIN persons d ON d.id = e.decided_by LEFT JOIN persons r ON r.id = e.recorded_by \
         WHERE e.incident_id = $1 ORDER BY e.occurred_at, e.id LIMIT $2 OFFSET $3",
    )
    .bind(id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Entry {
                id: r.try_get("id")?,
                occurred_at: r.try_get("occurred_at")?,
                kind: r.try_get("kind")?,
                body: r.try_get("body")?,
                decided_by_name: r.try_get("decided")?,
                recorded_by_name: r.try_get("recorded")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .collect()
}

/// A row of the incident list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IncidentRow {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub org_name: String,
    pub category: String,
    pub severity: String,
    pub status: String,
    pub opened_at: i64,
    /// Notices not yet acknowledged nor escalated.
    pub pending_notices: i64,
}

/// The incidents `scope` sees, open first then newest; `status` filters (`active` for every
/// stage before closed).
pub async fn list(
    store: &Store,
    scope: Scope,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<IncidentRow>> {
    let filter = match status.and_then(|s| {
        if s == "active" {
            Some("i.status <> 'closed'".to_owned())
        } else {
            IncidentStatus::parse(s).map(|st| format!("i.status = '{}'", st.as_str()))
        }
    }) {
        Some(f) => f,
        None => "1 = 1".to_owned(),
    };
    let rows = sqlx::query(&format!(
        "SELECT i.id, i.reference, i.title, o.name AS org_name, i.category, i.severity, \
         i.status, i.opened_at, (SELECT COUNT(*) FROM notices x WHERE x.subject_type = 'incident' \
         AND x.subject_id = i.id AND x.acknowledged_at IS NULL AND x.escalated_at IS NULL) AS pending \
         FROM incidents i JOIN organizations o ON o.id = i.org_id WHERE {filter} AND {} \
         ORDER BY CASE WHEN i.status = 'closed' THEN 1 ELSE 0 END, i.opened_at DESC, i.id DESC \
         LIMIT $1",
        visible(scope.with(Permission::IncidentRead), "i")
    ))
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(IncidentRow {
                id: r.try_get("id")?,
                reference: r.try_get("reference")?,
                title: r.try_get("title")?,
                org_name: r.try_get("org_name")?,
                category: r.try_get("category")?,
                severity: r.try_get("severity")?,
                status: r.try_get("status")?,
                opened_at: r.try_get("opened_at")?,
                pending_notices: r.try_get("pending")?,
            })
        })
        .collect()
}

/// The people who may take part in an incident (roles, owners, decisions): those who see it.
pub async fn participants(store: &Store, id: i64) -> Result<Vec<(i64, String)>> {
    let roles = roles_with(Permission::IncidentRead);
    let rows = sqlx::query(&format!(
        "SELECT DISTINCT p.id, p.name FROM persons p JOIN role_grants g ON g.person_id = p.id \
         JOIN org_closure c ON c.ancestor_id = g.org_id \
         JOIN organizations go ON go.id = g.org_id JOIN incidents i ON i.id = $1 \
         WHERE p.disabled_at IS NULL AND ( \
           (c.descendant_id = i.org_id AND go.kind IN ('public_body', 'unit') AND (g.role IN ({subtree}) OR (c.depth = 0 AND g.role IN ({own})))) \
           OR (g.role IN ({subtree}) AND c.descendant_id IN \
               (SELECT s.org_id FROM incident_shares s WHERE s.incident_id = i.id))) \
         ORDER BY p.name, p.id",
        subtree = role_list(&roles.subtree),
        own = role_list(&roles.organization_only),
    ))
    .bind(id)
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

// ---------------------------------------------------------------- added for the pages (gmvi_ui)

/// Whether the person of `scope` may run incident `id` (`IncidentManage` within the incident
/// visibility rule): the pages show their forms only then.
pub async fn manageable(store: &Store, scope: Scope, id: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM incidents i WHERE i.id = $1 AND {}",
        visible(scope.with(Permission::IncidentManage), "i")
    ))
    .bind(id)
    .fetch_one(&store.pool)
    .await?;
    Ok(n > 0)
}
