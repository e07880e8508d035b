//! Security events as reported (GMVI-01) and the coordinator's queue: triage into a threat,
//! a vulnerability or an incident, a duplicate merged into another event, or closed with a
//! reason. The reporter follows what became of their report.

use rempart_domain::authz::Permission;
use rempart_domain::incident::{
    check_triage, EventReport, EventStatus, IncidentInput, MergeTarget, PersonalInfo, Triage,
};
use rempart_domain::org::OrgKind;
use rempart_domain::role::Role;
use sqlx::{any::AnyRow, Row};

use crate::error::{Result, StoreError};
use crate::inbox::{self, Message, Notifier};
use crate::scope::Scope;
use crate::store::Store;
use crate::write::{Change, WriteTx};

/// Records a report by `person_id` in `org_id` (their own organization when `None`), about
/// `asset_id` when known. The coordinators of the body are told. Audited as `event.report`.
pub async fn report(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    person_id: i64,
    org_id: Option<i64>,
    asset_id: Option<i64>,
    report: &EventReport,
) -> Result<i64> {
    let org_id = match org_id {
        Some(o) => o,
        None => {
            sqlx::query_scalar("SELECT org_id FROM persons WHERE id = $1")
                .bind(person_id)
                .fetch_one(wtx.conn())
                .await?
        }
    };
    let scope = Scope::new(person_id, Permission::EventReport);
    let allowed: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM organizations o WHERE o.id = $1 AND o.archived_at IS NULL \
         AND o.kind IN ('public_body', 'unit') AND {}",
        scope.condition("o.id")
    ))
    .bind(org_id)
    .fetch_one(wtx.conn())
    .await?;
    if allowed == 0 {
        return Err(invalid("org_id"));
    }
    if let Some(asset) = asset_id {
        let seen: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM assets a WHERE a.id = $1 AND a.archived_at IS NULL AND {}",
            scope.with(Permission::AssetRead).condition("a.org_id")
        ))
        .bind(asset)
        .fetch_one(wtx.conn())
        .await?;
        if seen == 0 {
            return Err(invalid("asset_id"));
        }
    }
    let now = wtx.now();
    let id: i64 = sqlx::query(
        "INSERT INTO security_events (org_id, reported_by, reported_at, summary, details, \
         observed, asset_id, personal_info, status, triaged_by, triaged_at, merged_into, \
         incident_id, triage_note, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'new', NULL, \
         NULL, NULL, NULL, '', 1) RETURNING id",
    )
    .bind(org_id)
    .bind(person_id)
    .bind(now)
    .bind(&report.summary)
    .bind(&report.details)
    .bind(&report.observed)
    .bind(asset_id)
    .bind(report.personal_info.as_str())
    .fetch_one(wtx.conn())
    .await?
    .try_get("id")?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "event.report",
        entity_type: "security_event",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "summary": report.summary, "details": report.details, "observed": report.observed,
            "asset_id": asset_id, "personal_info": report.personal_info.as_str(),
        })),
    })
    .await?;
    let coordinators = coordinators(wtx, org_id).await?;
    inbox::notify(
        wtx,
        notifier,
        &coordinators,
        None,
        &Message {
            kind: "event-reported",
            args: vec![("summary", report.summary.clone()), ("id", id.to_string())],
            link: format!("/events/{id}"),
        },
    )
    .await?;
    Ok(id)
}

fn invalid(field: &'static str) -> StoreError {
    StoreError::Invalid(rempart_domain::ValidationErrors::single(
        rempart_domain::FieldError::new(field, "error-not-found"),
    ))
}

/// The coordinators who triage the body's events (its CSIO when it has none).
async fn coordinators(wtx: &mut WriteTx, org_id: i64) -> Result<Vec<i64>> {
    let Some(body) = crate::notices::nearest(wtx.conn(), org_id, OrgKind::PublicBody).await? else {
        return Ok(Vec::new());
    };
    for role in [Role::SecurityCoordinator, Role::Ciso, Role::DelegatedCiso] {
        let people = crate::notices::holders(wtx.conn(), body, role).await?;
        if !people.is_empty() {
            return Ok(people);
        }
    }
    Ok(Vec::new())
}

/// A reported event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub reported_by: i64,
    pub reporter_name: String,
    pub reported_at: i64,
    pub summary: String,
    pub details: String,
    pub observed: String,
    pub asset_id: Option<i64>,
    pub asset_name: Option<String>,
    pub personal_info: String,
    pub status: String,
    pub triaged_by_name: Option<String>,
    pub triaged_at: Option<i64>,
    pub merged_into: Option<i64>,
    pub incident_id: Option<i64>,
    pub incident_reference: Option<String>,
    pub triage_note: String,
    pub version: i64,
}

const COLUMNS: &str = "e.id, e.org_id, o.name AS org_name, e.reported_by, r.name AS reporter, \
     e.reported_at, e.summary, e.details, e.observed, e.asset_id, a.name AS asset_name, \
     e.personal_info, e.status, t.name AS triager, e.triaged_at, e.merged_into, e.incident_id, \
     i.reference AS incident_reference, e.triage_note, e.version";
const JOINS: &str = "FROM security_events e JOIN organizations o ON o.id = e.org_id \
     JOIN persons r ON r.id = e.reported_by LEFT JOIN persons t ON t.id = e.triaged_by \
     LEFT JOIN assets a ON a.id = e.asset_id LEFT JOIN incidents i ON i.id = e.incident_id";

fn event(r: &AnyRow) -> Result<Event> {
    Ok(Event {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        reported_by: r.try_get("reported_by")?,
        reporter_name: r.try_get("reporter")?,
        reported_at: r.try_get("reported_at")?,
        summary: r.try_get("summary")?,
        details: r.try_get("details")?,
        observed: r.try_get("observed")?,
        asset_id: r.try_get("asset_id")?,
        asset_name: r.try_get("asset_name")?,
        personal_info: r.try_get("personal_info")?,
        status: r.try_get("status")?,
        triaged_by_name: r.try_get("triager")?,
        triaged_at: r.try_get("triaged_at")?,
        merged_into: r.try_get("merged_into")?,
        incident_id: r.try_get("incident_id")?,
        incident_reference: r.try_get("incident_reference")?,
        triage_note: r.try_get("triage_note")?,
        version: r.try_get("version")?,
    })
}

/// The coordinator's queue: events `scope` may triage, `status` filtering (`new` by default
/// in the page), oldest first for new ones.
pub async fn queue(
    store: &Store,
    scope: Scope,
    status: Option<EventStatus>,
    limit: i64,
) -> Result<Vec<Event>> {
    let filter = status.map_or("1 = 1".to_owned(), |s| {
        format!("e.status = '{}'", s.as_str())
    });
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} {JOINS} WHERE {filter} AND {} \
         ORDER BY CASE WHEN e.status = 'new' THEN 0 ELSE 1 END, \
         CASE WHEN e.status = 'new' THEN e.reported_at ELSE -e.reported_at END, e.id LIMIT $1",
        scope.with(Permission::EventTriage).condition("e.org_id")
    ))
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(event).collect()
}

/// What a person reported, newest first.
pub async fn mine(store: &Store, person_id: i64, limit: i64) -> Result<Vec<Event>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} {JOINS} WHERE e.reported_by = $1 ORDER BY e.reported_at DESC, e.id DESC \
         LIMIT $2"
    ))
    .bind(person_id)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(event).collect()
}

/// One event: for those who triage it, or for its reporter.
pub async fn get(store: &Store, scope: Scope, id: i64) -> Result<Event> {
    let reporter = match scope {
        Scope::Person { person_id, .. } => format!("e.reported_by = {person_id}"),
        Scope::LocalAdministrator => "1 = 1".to_owned(),
    };
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} {JOINS} WHERE e.id = $1 AND ({reporter} OR {})",
        scope.with(Permission::EventTriage).condition("e.org_id")
    ))
    .bind(id)
    .fetch_optional(&store.pool)
    .await?
    .ok_or(StoreError::NotFound)?;
    event(&row)
}

/// How an event becomes an incident: a new one, or an incident already open for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncidentChoice {
    New(IncidentInput),
    Existing(i64),
}

/// Triages a new event (the domain says what may be done); `version` as read. For an
/// incident, the event's report opens the timeline and its asset is recorded as affected.
/// The reporter is told. Returns the incident when there is one. Audited as `event.triage`.
pub async fn triage(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    scope: Scope,
    id: i64,
    version: i64,
    decision: &Triage,
    incident: Option<IncidentChoice>,
) -> Result<Option<i64>> {
    let triage_scope = scope.with(Permission::EventTriage);
    let row = sqlx::query(&format!(
        "SELECT e.org_id, e.status, e.version, e.reported_by, e.reported_at, e.summary, \
         e.details, e.observed, e.asset_id, e.personal_info FROM security_events e \
         WHERE e.id = $1 AND {}",
        triage_scope.condition("e.org_id")
    ))
    .bind(id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    if row.try_get::<i64, _>("version")? != version {
        return Err(StoreError::Stale);
    }
    let org_id: i64 = row.try_get("org_id")?;
    let status =
        EventStatus::parse(&row.try_get::<String, _>("status")?).unwrap_or(EventStatus::Closed);
    let target = match decision {
        Triage::Merge { into, .. } => {
            let t = sqlx::query(&format!(
                "SELECT e.id, e.status, e.org_id FROM security_events e WHERE e.id = $1 AND {}",
                triage_scope.condition("e.org_id")
            ))
            .bind(into)
            .fetch_optional(wtx.conn())
            .await?;
            match t {
                Some(t) => Some(MergeTarget {
                    id: t.try_get("id")?,
                    status: EventStatus::parse(&t.try_get::<String, _>("status")?)
                        .unwrap_or(EventStatus::Closed),
                    same_body: same_body(wtx, org_id, t.try_get("org_id")?).await?,
                }),
                None => None,
            }
        }
        _ => None,
    };
    check_triage(id, status, decision, target)?;
    let reported_by: i64 = row.try_get("reported_by")?;
    let mut incident_id = None;
    if let Triage::Incident { .. } = decision {
        let chosen = match incident {
            Some(IncidentChoice::New(input)) => {
                let observed_at = observed_micros(&row.try_get::<String, _>("observed")?)
                    .unwrap_or(row.try_get("reported_at")?);
                let new_id =
                    crate::incidents::open(wtx, notifier, scope, org_id, &input, observed_at)
                        .await?;
                if let Some(asset) = row.try_get::<Option<i64>, _>("asset_id")? {
                    // Recorded without impact: the coordinator assesses it on the incident.
                    sqlx::query(
                        "INSERT INTO incident_assets (incident_id, asset_id, availability, \
                         integrity, confidentiality) VALUES ($1, $2, 0, 0, 0)",
                    )
                    .bind(new_id)
                    .bind(asset)
                    .execute(wtx.conn())
                    .await?;
                }
                new_id
            }
            Some(IncidentChoice::Existing(existing)) => {
                let n: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM incidents i WHERE i.id = $1 AND i.status <> 'closed' AND {}",
                    crate::incidents::visible(scope.with(Permission::IncidentManage), "i")
                ))
                .bind(existing)
                .fetch_one(wtx.conn())
                .await?;
                if n == 0 {
                    return Err(invalid("incident_id"));
                }
                existing
            }
            None => return Err(invalid("incident_id")),
        };
        // The report opens (or joins) the timeline as an observation by its reporter.
        let summary: String = row.try_get("summary")?;
        let details: String = row.try_get("details")?;
        let body = if details.is_empty() {
            summary
        } else {
            format!("{summary}\n\n{details}")
        };
        sqlx::query(
            "INSERT INTO incident_entries (incident_id, occurred_at, kind, body, decided_by, \
             recorded_by, recorded_at) VALUES ($1, $2, 'observation', $3, NULL, $4, $5)",
        )
        .bind(chosen)
        .bind(row.try_get::<i64, _>("reported_at")?)
        .bind(&body)
        .bind(reported_by)
        .bind(wtx.now())
        .execute(wtx.conn())
        .await?;
        if row.try_get::<String, _>("personal_info")? == PersonalInfo::Yes.as_str() {
            sqlx::query("UPDATE incidents SET personal_info = 1 WHERE id = $1")
                .bind(chosen)
                .execute(wtx.conn())
                .await?;
            crate::confidentiality::open_for_incident(wtx, chosen).await?;
            crate::notices::escalate_incident(wtx, notifier, chosen).await?;
        }
        incident_id = Some(chosen);
    }
    let merged_into = match decision {
        Triage::Merge { into, .. } => Some(*into),
        _ => None,
    };
    sqlx::query(
        "UPDATE security_events SET status = $1, triaged_by = $2, triaged_at = $3, \
         merged_into = $4, incident_id = $5, triage_note = $6, version = version + 1 WHERE id = $7",
    )
    .bind(decision.status().as_str())
    .bind(wtx.ctx.actor_id)
    .bind(wtx.now())
    .bind(merged_into)
    .bind(incident_id)
    .bind(decision.note().trim())
    .bind(id)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "event.triage",
        entity_type: "security_event",
        entity_id: id.to_string(),
        before: Some(serde_json::json!({ "status": status.as_str() })),
        after: Some(serde_json::json!({
            "status": decision.status().as_str(), "note": decision.note().trim(),
            "merged_into": merged_into, "incident_id": incident_id,
        })),
    })
    .await?;
    inbox::notify(
        wtx,
        notifier,
        &[reported_by],
        None,
        &Message {
            kind: "event-triaged",
            args: vec![
                ("summary", row.try_get("summary")?),
                ("status", decision.status().as_str().to_owned()),
            ],
            link: format!("/events/{id}"),
        },
    )
    .await?;
    Ok(incident_id)
}

async fn same_body(wtx: &mut WriteTx, a: i64, b: i64) -> Result<bool> {
    let body_a = crate::notices::nearest(wtx.conn(), a, OrgKind::PublicBody).await?;
    let body_b = crate::notices::nearest(wtx.conn(), b, OrgKind::PublicBody).await?;
    Ok(body_a.is_some() && body_a == body_b)
}

/// The instant an observation typed as `AAAA-MM-JJ[THH:MM]` names, in Québec time.
fn observed_micros(observed: &str) -> Option<i64> {
    use chrono::TimeZone;
    if observed.is_empty() {
        return None;
    }
    let (day, time) = match observed.split_once(['T', ' ']) {
        Some((d, t)) => (d, t),
        None => (observed, "00:00"),
    };
    let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let time = chrono::NaiveTime::parse_from_str(time, "%H:%M").ok()?;
    chrono_tz::America::Toronto
        .from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.timestamp_micros())
}

/// How many new events wait in the queues `scope` triages (the menu's badge).
pub async fn waiting(store: &Store, scope: Scope) -> Result<i64> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM security_events e WHERE e.status = 'new' AND {}",
        scope.with(Permission::EventTriage).condition("e.org_id")
    ))
    .fetch_one(&store.pool)
    .await?)
}
