//! What the risk-management report reads beyond the register and the maps (RISK-05): the
//! treatment plans of an organization's subtree, and the approvals given in a period.

use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::risk::ActionStatus;
use serde::Serialize;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::scope::Scope;
use crate::store::Store;

fn read(scope: Scope) -> Scope {
    match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::RiskRead),
        other => other,
    }
}

/// One action of a treatment plan, with its risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRow {
    pub risk_id: i64,
    pub risk_title: String,
    pub org_name: String,
    pub title: String,
    pub owner_name: String,
    pub due_on: String,
    pub status: ActionStatus,
    pub controls: Vec<String>,
    pub overdue: bool,
}

/// The actions of the risks of `org_id`'s subtree that the caller may read, by due date.
pub async fn plan(
    store: &Store,
    scope: Scope,
    org_id: i64,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<PlanRow>> {
    let sql = format!(
        "SELECT r.id AS risk_id, r.title AS risk_title, o.name AS org_name, a.title, \
         p.name AS owner_name, a.due_on, a.status, a.controls FROM risk_actions a \
         JOIN risks r ON r.id = a.risk_id JOIN organizations o ON o.id = r.org_id \
         JOIN persons p ON p.id = a.owner_id \
         WHERE r.archived_at IS NULL AND r.org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) AND {} \
         ORDER BY a.due_on, r.id, a.position LIMIT {limit}",
        read(scope).condition("r.org_id")
    );
    let rows = sqlx::query(&sql)
        .bind(org_id)
        .fetch_all(&store.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            let status = ActionStatus::parse("status", &status).unwrap_or(ActionStatus::Planned);
            let due_on: String = r.try_get("due_on")?;
            let due = due_on.parse::<NaiveDate>().unwrap_or(NaiveDate::MAX);
            let controls: String = r.try_get("controls")?;
            Ok(PlanRow {
                risk_id: r.try_get("risk_id")?,
                risk_title: r.try_get("risk_title")?,
                org_name: r.try_get("org_name")?,
                title: r.try_get("title")?,
                owner_name: r.try_get("owner_name")?,
                overdue: status.overdue(due, today),
                due_on,
                status,
                controls: controls.lines().map(str::to_owned).collect(),
            })
        })
        .collect()
}

/// An approval of residual risk, with its risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalRow {
    pub risk_id: i64,
    pub risk_title: String,
    pub approver_name: String,
    pub approved_on: String,
    pub expires_on: String,
    pub residual_score: i64,
    pub above_threshold: bool,
    pub justification: String,
    pub ended_reason: Option<String>,
}

/// The approvals given from `from` to `to` (inclusive) on the risks of `org_id`'s subtree.
pub async fn approvals_between(
    store: &Store,
    scope: Scope,
    org_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ApprovalRow>> {
    let sql = format!(
        "SELECT r.id AS risk_id, r.title AS risk_title, p.name AS approver_name, ap.approved_on, \
         ap.expires_on, ap.residual_score, ap.above_threshold, ap.justification, ap.ended_reason \
         FROM risk_approvals ap JOIN risks r ON r.id = ap.risk_id \
         JOIN persons p ON p.id = ap.approver_id \
         WHERE ap.approved_on >= $2 AND ap.approved_on <= $3 AND r.org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) AND {} \
         ORDER BY ap.approved_on, ap.id",
        read(scope).condition("r.org_id")
    );
    let rows = sqlx::query(&sql)
        .bind(org_id)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&store.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let above: i64 = r.try_get("above_threshold")?;
            Ok(ApprovalRow {
                risk_id: r.try_get("risk_id")?,
                risk_title: r.try_get("risk_title")?,
                approver_name: r.try_get("approver_name")?,
                approved_on: r.try_get("approved_on")?,
                expires_on: r.try_get("expires_on")?,
                residual_score: r.try_get("residual_score")?,
                above_threshold: above != 0,
                justification: r.try_get("justification")?,
                ended_reason: r.try_get("ended_reason")?,
            })
        })
        .collect::<std::result::Result<Vec<_>, StoreError>>()
}
