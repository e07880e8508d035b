//! The alert network (GMVI-08): a centre issues an alert or a required measure to the public
//! bodies of its subtree (or some of them); each body acknowledges and reports the measure
//! applied; the issuer's board shows compliance per body and per operational centre; a body
//! late on its deadline is escalated to its delegated CISO and the issuer is told.

use chrono::{Datelike, NaiveDate};
use rempart_domain::alert::{self, AlertInput, AlertKind, Compliance, TargetStatus};
use rempart_domain::authz::Permission;
use rempart_domain::escalation::{Notice, Recipient};
use rempart_domain::incident::severity_str;
use rempart_domain::org::OrgKind;
use rempart_domain::role::Role;
use rempart_domain::watch::{Step, WatchState};
use sqlx::Row;

use crate::deadlines::{self, Subject};
use crate::error::{Result, StoreError};
use crate::evidence::{self, Attached, EvidenceStore};
use crate::inbox::{self, Message, Notifier};
use crate::scope::{role_list, Scope};
use crate::store::Store;
use crate::write::{Change, WriteTx};

fn invalid(field: &'static str, code: &'static str) -> StoreError {
    StoreError::Invalid(rempart_domain::ValidationErrors::single(
        rempart_domain::FieldError::new(field, code),
    ))
}

/// Which bodies an alert goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Targets {
    /// Every active public body below the issuer.
    Subtree,
    /// These public bodies (each must be below the issuer).
    Chosen(Vec<i64>),
}

/// The roles of a body told of an alert, who answer it.
const RESPONDERS: [Role; 3] = [Role::DelegatedCiso, Role::Ciso, Role::SecurityCoordinator];

/// Issues an alert from `issuer_org` (a centre the person may issue from) to `targets`.
/// One transaction: the alert, a row per body, a watched deadline per body when there is a due
/// date, a notification (and e-mail) to each body's responders. Audited once as `alert.issue`.
pub async fn issue(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    scope: Scope,
    issuer_org: i64,
    input: &AlertInput,
    targets: &Targets,
) -> Result<i64> {
    let kind: Option<String> = sqlx::query_scalar(&format!(
        "SELECT o.kind FROM organizations o WHERE o.id = $1 AND o.archived_at IS NULL AND {}",
        scope.with(Permission::AlertIssue).condition("o.id")
    ))
    .bind(issuer_org)
    .fetch_optional(wtx.conn())
    .await?;
    let Some(kind) = kind else {
        return Err(StoreError::NotFound);
    };
    if !OrgKind::parse(&kind).is_some_and(alert::may_issue) {
        return Err(invalid("org_id", "error-alert-issuer"));
    }
    let below: Vec<i64> = sqlx::query_scalar(
        "SELECT o.id FROM org_closure c JOIN organizations o ON o.id = c.descendant_id \
         WHERE c.ancestor_id = $1 AND c.depth > 0 AND o.kind = 'public_body' \
         AND o.archived_at IS NULL ORDER BY o.id",
    )
    .bind(issuer_org)
    .fetch_all(wtx.conn())
    .await?;
    let bodies: Vec<i64> = match targets {
        Targets::Subtree => below,
        Targets::Chosen(ids) => {
            let mut chosen = ids.clone();
            chosen.sort_unstable();
            chosen.dedup();
            if chosen.iter().any(|id| below.binary_search(id).is_err()) {
                return Err(invalid("targets", "error-alert-target"));
            }
            chosen
        }
    };
    if bodies.is_empty() {
        return Err(invalid("targets", "error-required"));
    }
    let now = wtx.now();
    let stix_id = format!("report--{}", uuid::Uuid::new_v4());
    let id: i64 = sqlx::query(
        "INSERT INTO alerts (issuer_org_id, reference, kind, title, description, severity, \
         due_on, due_rule, stix_id, issued_by, issued_at, withdrawn_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL) RETURNING id",
    )
    .bind(issuer_org)
    .bind(&stix_id)
    .bind(input.kind.as_str())
    .bind(&input.title)
    .bind(&input.description)
    .bind(severity_str(input.severity))
    .bind(input.due_on.map(|d| d.to_string()))
    .bind(&input.due_rule)
    .bind(&stix_id)
    .bind(wtx.ctx.actor_id)
    .bind(now)
    .fetch_one(wtx.conn())
    .await?
    .try_get("id")?;
    let year = crate::store::local_date(now).map_or(1970, |d| d.year());
    let reference = alert::reference(input.kind, year, id);
    sqlx::query("UPDATE alerts SET reference = $1 WHERE id = $2")
        .bind(&reference)
        .bind(id)
        .execute(wtx.conn())
        .await?;
    // Rows a hundred at a time: an alert to the whole network is 306 bodies.
    for chunk in bodies.chunks(100) {
        let values = chunk
            .iter()
            .map(|org| format!("({id}, {org}, 'pending', '')"))
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(&format!(
            "INSERT INTO alert_targets (alert_id, org_id, status, report) VALUES {values}"
        ))
        .execute(wtx.conn())
        .await?;
    }
    if let Some(due) = input.due_on {
        let due_at = crate::incidents::end_of_day(due);
        let rule = if input.due_rule.is_empty() {
            format!("{due}")
        } else {
            input.due_rule.clone()
        };
        let warn_at = rempart_domain::watch::warn_at(now, due_at);
        let next = warn_at.unwrap_or(due_at);
        let targets: Vec<(i64, i64)> =
            sqlx::query("SELECT id, org_id FROM alert_targets WHERE alert_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(wtx.conn())
                .await?
                .into_iter()
                .map(|r| Ok::<_, sqlx::Error>((r.try_get("id")?, r.try_get("org_id")?)))
                .collect::<Result<_, _>>()?;
        for chunk in targets.chunks(100) {
            let values = chunk
                .iter()
                .map(|(t, org)| {
                    format!(
                        "('alert_target', {t}, {org}, {due_at}, {}, $1, 'open', {next})",
                        warn_at.map_or("NULL".to_owned(), |w| w.to_string())
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            sqlx::query(&format!(
                "INSERT INTO deadlines (subject_type, subject_id, org_id, due_at, warn_at, rule, \
                 state, next_check_at) VALUES {values}"
            ))
            .bind(&rule)
            .execute(wtx.conn())
            .await?;
        }
    }
    let people: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT g.person_id FROM role_grants g JOIN alert_targets t ON t.org_id = g.org_id \
         JOIN persons p ON p.id = g.person_id WHERE t.alert_id = $1 AND g.role IN ({}) \
         AND p.disabled_at IS NULL",
        role_list(&RESPONDERS)
    ))
    .bind(id)
    .fetch_all(wtx.conn())
    .await?;
    inbox::notify(
        wtx,
        notifier,
        &people,
        None,
        &Message {
            kind: match input.kind {
                AlertKind::Alert => "alert-issued",
                AlertKind::Measure => "measure-issued",
            },
            args: vec![
                ("reference", reference.clone()),
                ("title", input.title.clone()),
                (
                    "due",
                    input.due_on.map(|d| d.to_string()).unwrap_or_default(),
                ),
            ],
            link: format!("/alerts/{id}"),
        },
    )
    .await?;
    wtx.audit(Change {
        org_id: Some(issuer_org),
        action: "alert.issue",
        entity_type: "alert",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "reference": reference, "kind": input.kind.as_str(), "title": input.title,
            "severity": severity_str(input.severity),
            "due_on": input.due_on.map(|d| d.to_string()), "due_rule": input.due_rule,
            "targets": bodies.len(), "target_ids": bodies, "stix_id": stix_id,
        })),
    })
    .await?;
    Ok(id)
}

/// An alert.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Alert {
    pub id: i64,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub issuer_slug: String,
    pub reference: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub severity: String,
    pub due_on: Option<String>,
    pub due_rule: String,
    pub stix_id: String,
    pub issued_by_name: String,
    pub issued_at: i64,
    /// Whether the reader sees it as its issuer (the board) or only as a target.
    pub as_issuer: bool,
    /// When its issuer withdrew it.
    pub withdrawn_at: Option<i64>,
}

/// SQL true when `scope` reads alert `a` as its issuer.
fn issuer_side(scope: Scope) -> String {
    scope
        .with(Permission::AlertRead)
        .condition("a.issuer_org_id")
}

/// SQL true when `scope` reads alert `a` as (one of) its targets.
fn target_side(scope: Scope) -> String {
    format!(
        "EXISTS (SELECT 1 FROM alert_targets tt WHERE tt.alert_id = a.id AND {})",
        scope.with(Permission::AlertRead).condition("tt.org_id")
    )
}

fn alert_row(r: &sqlx::any::AnyRow) -> Result<Alert> {
    Ok(Alert {
        id: r.try_get("id")?,
        issuer_org_id: r.try_get("issuer_org_id")?,
        issuer_name: r.try_get("issuer_name")?,
        issuer_slug: r.try_get("issuer_slug")?,
        reference: r.try_get("reference")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        severity: r.try_get("severity")?,
        due_on: r.try_get("due_on")?,
        due_rule: r.try_get("due_rule")?,
        stix_id: r.try_get("stix_id")?,
        issued_by_name: r.try_get("issuer_person")?,
        issued_at: r.try_get("issued_at")?,
        as_issuer: r.try_get::<i64, _>("as_issuer")? == 1,
        withdrawn_at: r.try_get("withdrawn_at")?,
    })
}

fn select(scope: Scope) -> String {
    format!(
        "SELECT a.id, a.issuer_org_id, o.name AS issuer_name, o.slug AS issuer_slug, \
         a.reference, a.kind, a.title, a.description, a.severity, a.due_on, a.due_rule, \
         a.stix_id, p.name AS issuer_person, a.issued_at, a.withdrawn_at, \
         CASE WHEN {} THEN 1 ELSE 0 END AS as_issuer \
         FROM alerts a JOIN organizations o ON o.id = a.issuer_org_id \
         JOIN persons p ON p.id = a.issued_by",
        issuer_side(scope)
    )
}

/// An alert the reader sees as issuer or target.
pub async fn get(store: &Store, scope: Scope, id: i64) -> Result<Alert> {
    let row = sqlx::query(&format!(
        "{} WHERE a.id = $1 AND ({} OR {})",
        select(scope),
        issuer_side(scope),
        target_side(scope)
    ))
    .bind(id)
    .fetch_optional(&store.pool)
    .await?
    .ok_or(StoreError::NotFound)?;
    alert_row(&row)
}

/// The alerts the reader issued or received, newest first.
pub async fn list(store: &Store, scope: Scope, limit: i64) -> Result<Vec<Alert>> {
    let rows = sqlx::query(&format!(
        "{} WHERE ({} OR {}) ORDER BY a.issued_at DESC, a.id DESC LIMIT $1",
        select(scope),
        issuer_side(scope),
        target_side(scope)
    ))
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(alert_row).collect()
}

/// A body's answer to an alert.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TargetRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub centre_id: Option<i64>,
    pub status: String,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by_name: Option<String>,
    pub applied_at: Option<i64>,
    pub applied_by_name: Option<String>,
    pub report: String,
    pub escalated_at: Option<i64>,
    pub overdue: bool,
}

/// The issuer's board: compliance in total, per operational centre, and per body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Board {
    pub total: Compliance,
    /// (centre id, centre name, compliance); bodies served by no centre under `None`.
    pub centres: Vec<(Option<i64>, String, Compliance)>,
    pub bodies: Vec<TargetRow>,
}

/// The rows of the bodies the reader sees on an alert: every body for its issuer, the
/// reader's own bodies for a target. `today` decides which are late.
pub async fn board(store: &Store, scope: Scope, id: i64, today: NaiveDate) -> Result<Board> {
    let alert = get(store, scope, id).await?;
    let kind = AlertKind::parse(&alert.kind).unwrap_or(AlertKind::Alert);
    let due = alert
        .due_on
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let filter = if alert.as_issuer {
        "1 = 1".to_owned()
    } else {
        scope.with(Permission::AlertRead).condition("t.org_id")
    };
    let rows = sqlx::query(&format!(
        "SELECT t.id, t.org_id, o.name, t.status, t.acknowledged_at, ak.name AS ack_name, \
         t.applied_at, ap.name AS applied_name, t.report, t.escalated_at, \
         (SELECT c.ancestor_id FROM org_closure c JOIN organizations oc ON oc.id = c.ancestor_id \
          WHERE c.descendant_id = t.org_id AND oc.kind = 'operational_centre' \
          ORDER BY c.depth LIMIT 1) AS centre_id \
         FROM alert_targets t JOIN organizations o ON o.id = t.org_id \
         LEFT JOIN persons ak ON ak.id = t.acknowledged_by \
         LEFT JOIN persons ap ON ap.id = t.applied_by \
         WHERE t.alert_id = $1 AND {filter} ORDER BY o.name, t.id"
    ))
    .bind(id)
    .fetch_all(&store.pool)
    .await?;
    let mut total = Compliance::default();
    let mut centres: Vec<(Option<i64>, String, Compliance)> = Vec::new();
    let mut bodies = Vec::with_capacity(rows.len());
    for r in rows {
        let status = TargetStatus::parse(&r.try_get::<String, _>("status")?)
            .unwrap_or(TargetStatus::Pending);
        let overdue = alert::is_overdue(kind, status, due, today);
        let centre: Option<i64> = r.try_get("centre_id")?;
        total.add(kind, status, overdue);
        match centres.iter_mut().find(|c| c.0 == centre) {
            Some(c) => c.2.add(kind, status, overdue),
            None => {
                let mut c = Compliance::default();
                c.add(kind, status, overdue);
                centres.push((centre, String::new(), c));
            }
        }
        bodies.push(TargetRow {
            id: r.try_get("id")?,
            org_id: r.try_get("org_id")?,
            org_name: r.try_get("name")?,
            centre_id: centre,
            status: status.as_str().to_owned(),
            acknowledged_at: r.try_get("acknowledged_at")?,
            acknowledged_by_name: r.try_get("ack_name")?,
            applied_at: r.try_get("applied_at")?,
            applied_by_name: r.try_get("applied_name")?,
            report: r.try_get("report")?,
            escalated_at: r.try_get("escalated_at")?,
            overdue,
        });
    }
    for c in &mut centres {
        if let Some(cid) = c.0 {
            c.1 = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
                .bind(cid)
                .fetch_one(&store.pool)
                .await?;
        }
    }
    centres.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(Board {
        total,
        centres,
        bodies,
    })
}

/// A body's answer: acknowledged, applied (with what was done) or not applicable (why).
/// Only someone who answers for the body may; the domain says which moves exist. Settling
/// ends the deadline's watch. Audited as `alert.respond`.
pub async fn respond(
    wtx: &mut WriteTx,
    scope: Scope,
    alert_id: i64,
    org_id: i64,
    to: TargetStatus,
    report: &str,
) -> Result<i64> {
    let r = sqlx::query(&format!(
        "SELECT t.id, t.status, a.kind FROM alert_targets t JOIN alerts a ON a.id = t.alert_id \
         WHERE t.alert_id = $1 AND t.org_id = $2 AND a.withdrawn_at IS NULL AND {}",
        scope.with(Permission::AlertRespond).condition("t.org_id")
    ))
    .bind(alert_id)
    .bind(org_id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    let target: i64 = r.try_get("id")?;
    let from =
        TargetStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(TargetStatus::Pending);
    let kind = AlertKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(AlertKind::Alert);
    alert::check_response(kind, from, to, report)?;
    let now = wtx.now();
    let actor = wtx.ctx.actor_id;
    let settled = matches!(to, TargetStatus::Applied | TargetStatus::NotApplicable);
    sqlx::query(
        "UPDATE alert_targets SET status = $1, \
         acknowledged_at = COALESCE(acknowledged_at, $2), \
         acknowledged_by = COALESCE(acknowledged_by, $3), \
         applied_at = CASE WHEN $4 = 1 THEN $2 ELSE applied_at END, \
         applied_by = CASE WHEN $4 = 1 THEN $3 ELSE applied_by END, \
         report = CASE WHEN $4 = 1 THEN $5 ELSE report END WHERE id = $6",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(actor)
    .bind(i64::from(settled))
    .bind(report.trim())
    .bind(target)
    .execute(wtx.conn())
    .await?;
    if to.settles(kind) {
        deadlines::settle(wtx, Subject::AlertTarget(target), WatchState::Met).await?;
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "alert.respond",
        entity_type: "alert",
        entity_id: alert_id.to_string(),
        before: Some(serde_json::json!({ "org_id": org_id, "status": from.as_str() })),
        after: Some(serde_json::json!({
            "org_id": org_id, "status": to.as_str(), "report": report.trim(),
        })),
    })
    .await?;
    Ok(target)
}

/// Attaches a file to a body's answer (what shows the measure applied).
pub async fn add_evidence(
    wtx: &mut WriteTx,
    files: &EvidenceStore,
    scope: Scope,
    alert_id: i64,
    org_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<i64> {
    let target: i64 = sqlx::query_scalar(&format!(
        "SELECT t.id FROM alert_targets t WHERE t.alert_id = $1 AND t.org_id = $2 AND {}",
        scope.with(Permission::AlertRespond).condition("t.org_id")
    ))
    .bind(alert_id)
    .bind(org_id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    evidence::add(
        wtx,
        files,
        Attached::AlertTarget(target),
        org_id,
        file_name,
        bytes,
    )
    .await
}

/// The target row id of a body on an alert the reader sees (for evidence lists and reads).
pub async fn target_of(store: &Store, scope: Scope, alert_id: i64, org_id: i64) -> Result<i64> {
    let alert = get(store, scope, alert_id).await?;
    let filter = if alert.as_issuer {
        "1 = 1".to_owned()
    } else {
        scope.with(Permission::AlertRead).condition("t.org_id")
    };
    sqlx::query_scalar(&format!(
        "SELECT t.id FROM alert_targets t WHERE t.alert_id = $1 AND t.org_id = $2 AND {filter}"
    ))
    .bind(alert_id)
    .bind(org_id)
    .fetch_optional(&store.pool)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The scheduler's step on a body's deadline: its responders reminded before; after, the
/// body is escalated (a notice to its delegated CISO, to acknowledge within a day) and the
/// issuer's leads are told.
pub(crate) async fn on_deadline(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    target: i64,
    step: Step,
) -> Result<()> {
    let r = sqlx::query(
        "SELECT t.org_id, t.status, a.id AS alert_id, a.kind, a.reference, a.title, a.due_on, \
         a.issuer_org_id, a.withdrawn_at, o.name AS body FROM alert_targets t \
         JOIN alerts a ON a.id = t.alert_id JOIN organizations o ON o.id = t.org_id \
         WHERE t.id = $1",
    )
    .bind(target)
    .fetch_one(wtx.conn())
    .await?;
    let kind = AlertKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(AlertKind::Alert);
    let status =
        TargetStatus::parse(&r.try_get::<String, _>("status")?).unwrap_or(TargetStatus::Pending);
    if status.settles(kind) || r.try_get::<Option<i64>, _>("withdrawn_at")?.is_some() {
        return Ok(());
    }
    let org_id: i64 = r.try_get("org_id")?;
    let alert_id: i64 = r.try_get("alert_id")?;
    let reference: String = r.try_get("reference")?;
    let title: String = r.try_get("title")?;
    let due: String = r
        .try_get::<Option<String>, _>("due_on")?
        .unwrap_or_default();
    match step {
        Step::Wait => {}
        Step::Warn => {
            let mut people = Vec::new();
            for role in RESPONDERS {
                people.extend(crate::notices::holders(wtx.conn(), org_id, role).await?);
            }
            inbox::notify(
                wtx,
                notifier,
                &people,
                None,
                &Message {
                    kind: "alert-due-soon",
                    args: vec![("reference", reference), ("title", title), ("due", due)],
                    link: format!("/alerts/{alert_id}"),
                },
            )
            .await?;
        }
        Step::Escalate => {
            sqlx::query("UPDATE alert_targets SET escalated_at = $1 WHERE id = $2")
                .bind(wtx.now())
                .bind(target)
                .execute(wtx.conn())
                .await?;
            crate::notices::send(
                wtx,
                notifier,
                crate::notices::About::AlertTarget(target),
                org_id,
                &[Notice {
                    recipient: Recipient::DelegatedCiso,
                    ack_hours: 24,
                    rules: vec![format!("{reference} : échéance du {due} dépassée")],
                }],
                None,
            )
            .await?;
            let issuer: i64 = r.try_get("issuer_org_id")?;
            let mut leads =
                crate::notices::holders(wtx.conn(), issuer, Role::CyberdefenceLead).await?;
            leads.extend(crate::notices::holders(wtx.conn(), issuer, Role::GovernmentCiso).await?);
            inbox::notify(
                wtx,
                notifier,
                &leads,
                None,
                &Message {
                    kind: "alert-body-overdue",
                    args: vec![
                        ("reference", reference),
                        ("title", title),
                        ("body", r.try_get("body")?),
                        ("due", due),
                    ],
                    link: format!("/alerts/{alert_id}"),
                },
            )
            .await?;
            wtx.audit(Change {
                org_id: Some(org_id),
                action: "alert.escalate",
                entity_type: "alert",
                entity_id: alert_id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "org_id": org_id, "status": status.as_str() })),
            })
            .await?;
        }
    }
    Ok(())
}

/// Withdraws an alert its issuer no longer stands by: bodies may no longer answer it, its
/// deadlines stop, and it stays on record with the date. Audited as `alert.withdraw`.
pub async fn withdraw(wtx: &mut WriteTx, scope: Scope, alert_id: i64) -> Result<()> {
    let row = sqlx::query(&format!(
        "SELECT a.issuer_org_id, a.withdrawn_at FROM alerts a WHERE a.id = $1 AND {}",
        scope
            .with(Permission::AlertIssue)
            .condition("a.issuer_org_id")
    ))
    .bind(alert_id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    if row.try_get::<Option<i64>, _>("withdrawn_at")?.is_some() {
        return Err(invalid("status", "error-transition"));
    }
    let issuer: i64 = row.try_get("issuer_org_id")?;
    sqlx::query("UPDATE alerts SET withdrawn_at = $1 WHERE id = $2")
        .bind(wtx.now())
        .bind(alert_id)
        .execute(wtx.conn())
        .await?;
    sqlx::query(
        "UPDATE deadlines SET state = 'cancelled', next_check_at = NULL \
         WHERE subject_type = 'alert_target' AND state IN ('open', 'warned') \
         AND subject_id IN (SELECT id FROM alert_targets WHERE alert_id = $1)",
    )
    .bind(alert_id)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(issuer),
        action: "alert.withdraw",
        entity_type: "alert",
        entity_id: alert_id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "withdrawn": true })),
    })
    .await?;
    Ok(())
}

/// A STIX object attached to an alert.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Intel {
    pub stix_id: String,
    pub stix_type: String,
    pub name: String,
    pub pattern: String,
    pub object_json: String,
}

/// Attaches threat intelligence to an alert the person issued (or may issue from): objects
/// already attached under the same id are replaced. Audited once as `alert.intel_import`.
pub async fn attach_intel(
    wtx: &mut WriteTx,
    scope: Scope,
    alert_id: i64,
    objects: &[Intel],
    source_sha256: &str,
) -> Result<usize> {
    let issuer: i64 = sqlx::query_scalar(&format!(
        "SELECT a.issuer_org_id FROM alerts a WHERE a.id = $1 AND {}",
        scope
            .with(Permission::AlertIssue)
            .condition("a.issuer_org_id")
    ))
    .bind(alert_id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    for o in objects {
        sqlx::query("DELETE FROM alert_intel WHERE alert_id = $1 AND stix_id = $2")
            .bind(alert_id)
            .bind(&o.stix_id)
            .execute(wtx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO alert_intel (alert_id, stix_id, stix_type, name, pattern, object_json) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(alert_id)
        .bind(&o.stix_id)
        .bind(&o.stix_type)
        .bind(&o.name)
        .bind(&o.pattern)
        .bind(&o.object_json)
        .execute(wtx.conn())
        .await?;
    }
    wtx.audit(Change {
        org_id: Some(issuer),
        action: "alert.intel_import",
        entity_type: "alert",
        entity_id: alert_id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "objects": objects.len(), "sha256": source_sha256 })),
    })
    .await?;
    Ok(objects.len())
}

/// The intelligence attached to an alert (the caller has read the alert through `get`).
pub async fn intel(store: &Store, alert_id: i64) -> Result<Vec<Intel>> {
    let rows = sqlx::query(
        "SELECT stix_id, stix_type, name, pattern, object_json FROM alert_intel \
         WHERE alert_id = $1 ORDER BY stix_type, name, stix_id",
    )
    .bind(alert_id)
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Intel {
                stix_id: r.try_get("stix_id")?,
                stix_type: r.try_get("stix_type")?,
                name: r.try_get("name")?,
                pattern: r.try_get("pattern")?,
                object_json: r.try_get("object_json")?,
            })
        })
        .collect()
}

/// Public bodies an issuer may choose from (its subtree), for the issuing form.
pub async fn bodies_below(store: &Store, issuer_org: i64) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT o.id, o.name FROM org_closure c JOIN organizations o ON o.id = c.descendant_id \
         WHERE c.ancestor_id = $1 AND c.depth > 0 AND o.kind = 'public_body' \
         AND o.archived_at IS NULL ORDER BY o.name, o.id",
    )
    .bind(issuer_org)
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

// ---------------------------------------------------------------- added for the pages (gmvi_ui)

/// The alert a body's target row belongs to (a notice about a late body names the row): the
/// acknowledgement page links to the alert. The caller shows only notices of its own seat.
pub async fn alert_of_target(store: &Store, target_id: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT alert_id FROM alert_targets WHERE id = $1")
            .bind(target_id)
            .fetch_optional(&store.pool)
            .await?,
    )
}
