//! Risk-management indicators (RISK-06) per public body and consolidated up the tree: risks
//! whose remaining risk is above their organization's threshold, overdue treatment actions,
//! assets classified and reviewed in the last twelve months, projects assessed before they
//! went live; and the projects those last ones count.

use std::collections::HashMap;

use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::indicator::{assessed_before_go_live, recent_since, ProjectInput};
use serde::Serialize;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::scope::Scope;
use crate::store::Store;
use crate::write::{Change, WriteTx};

// ---------------------------------------------------------------- projects

/// Records a project of `input.org_id` (the caller manages risks there); audited as
/// `project.create`.
pub async fn create_project(wtx: &mut WriteTx, scope: Scope, input: ProjectInput) -> Result<i64> {
    let org_ok: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM organizations o WHERE o.id = $1 AND o.archived_at IS NULL AND {}",
        scope.with(Permission::RiskManage).condition("o.id")
    ))
    .bind(input.org_id)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    let project = input.check();
    let mut errors = match &project {
        Ok(_) => rempart_domain::ValidationErrors::default(),
        Err(e) => e.clone(),
    };
    if org_ok == 0 {
        errors.0.insert(
            0,
            rempart_domain::FieldError::new("org_id", "error-not-found"),
        );
    }
    errors.into_result()?;
    let project = project?;
    let now = wtx.now();
    let row = sqlx::query(
        "INSERT INTO projects (org_id, name, description, go_live_on, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(project.org_id)
    .bind(&project.name)
    .bind(&project.description)
    .bind(project.go_live_on.to_string())
    .bind(now)
    .fetch_one(wtx.conn())
    .await
    .map_err(|e| StoreError::from(e).unique_as("name"))?;
    let id: i64 = row.try_get("id")?;
    wtx.audit(Change {
        org_id: Some(project.org_id),
        action: "project.create",
        entity_type: "project",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "name": project.name, "go_live_on": project.go_live_on,
        })),
    })
    .await?;
    Ok(id)
}

/// Records that `risk_id` assesses `project_id`: both where the caller manages risks, the risk
/// in the project's organization or below it. Audited as `project.link_risk`.
pub async fn link_risk(
    wtx: &mut WriteTx,
    scope: Scope,
    project_id: i64,
    risk_id: i64,
) -> Result<()> {
    let manage = scope.with(Permission::RiskManage);
    let project: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT p.org_id FROM projects p WHERE p.id = $1 AND p.archived_at IS NULL AND {}",
        manage.condition("p.org_id")
    ))
    .bind(project_id)
    .fetch_optional(wtx.conn())
    .await?;
    let Some(org) = project else {
        return Err(StoreError::NotFound);
    };
    let risk_ok: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM risks r WHERE r.id = $1 AND r.archived_at IS NULL AND {} \
         AND r.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $2)",
        manage.condition("r.org_id")
    ))
    .bind(risk_id)
    .bind(org)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    if risk_ok == 0 {
        return Err(StoreError::Invalid(
            rempart_domain::ValidationErrors::single(rempart_domain::FieldError::new(
                "risk_id",
                "error-not-found",
            )),
        ));
    }
    let done = sqlx::query(
        "INSERT INTO project_risks (project_id, risk_id, linked_at) VALUES ($1, $2, $3) \
         ON CONFLICT (project_id, risk_id) DO NOTHING",
    )
    .bind(project_id)
    .bind(risk_id)
    .bind(wtx.now())
    .execute(wtx.conn())
    .await?;
    if done.rows_affected() > 0 {
        wtx.audit(Change {
            org_id: Some(org),
            action: "project.link_risk",
            entity_type: "project",
            entity_id: project_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "risk_id": risk_id })),
        })
        .await?;
    }
    Ok(())
}

/// A project with what the indicator says of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub description: String,
    pub go_live_on: String,
    pub risks: i64,
    /// The first assessment's date (the earliest risk recorded for it).
    pub first_assessed_on: Option<String>,
    /// `None` while the project is not live yet.
    pub assessed_before_go_live: Option<bool>,
}

/// The projects of `org_id`'s subtree that the caller may read.
pub async fn projects(
    store: &Store,
    scope: Scope,
    org_id: i64,
    today: NaiveDate,
) -> Result<Vec<ProjectRow>> {
    let sql = format!(
        "SELECT p.id, p.org_id, o.name AS org_name, p.name, p.description, p.go_live_on, \
         (SELECT COUNT(*) FROM project_risks pr WHERE pr.project_id = p.id) AS risks, \
         (SELECT MIN(r.created_at) FROM project_risks pr JOIN risks r ON r.id = pr.risk_id \
          WHERE pr.project_id = p.id) AS first_at \
         FROM projects p JOIN organizations o ON o.id = p.org_id \
         WHERE p.archived_at IS NULL AND p.org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) AND {} \
         ORDER BY p.go_live_on, p.id LIMIT 5000",
        scope.with(Permission::RiskRead).condition("p.org_id")
    );
    let rows = sqlx::query(&sql)
        .bind(org_id)
        .fetch_all(&store.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let go_live_on: String = r.try_get("go_live_on")?;
            let first_at: Option<i64> = r.try_get("first_at")?;
            let first = first_at.and_then(crate::store::local_date);
            let go_live = go_live_on.parse::<NaiveDate>().unwrap_or(NaiveDate::MAX);
            Ok(ProjectRow {
                id: r.try_get("id")?,
                org_id: r.try_get("org_id")?,
                org_name: r.try_get("org_name")?,
                name: r.try_get("name")?,
                description: r.try_get("description")?,
                risks: r.try_get("risks")?,
                first_assessed_on: first.map(|d| d.to_string()),
                assessed_before_go_live: assessed_before_go_live(go_live, first, today),
                go_live_on,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- indicators

/// The indicators of one public body (its units included), or of the whole view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Indicators {
    pub org_id: i64,
    pub org_name: String,
    pub risks: i64,
    /// Remaining risk (residual once rated, else gross) above the organization's threshold.
    pub above_threshold: i64,
    pub overdue_actions: i64,
    pub assets: i64,
    /// Classified on or after the date twelve months ago, and not past their review.
    pub assets_classified_recently: i64,
    /// Projects whose go-live date has come.
    pub projects_live: i64,
    pub projects_assessed_before_go_live: i64,
}

impl Indicators {
    fn add(&mut self, other: &Indicators) {
        self.risks += other.risks;
        self.above_threshold += other.above_threshold;
        self.overdue_actions += other.overdue_actions;
        self.assets += other.assets;
        self.assets_classified_recently += other.assets_classified_recently;
        self.projects_live += other.projects_live;
        self.projects_assessed_before_go_live += other.projects_assessed_before_go_live;
    }
}

/// For each public body within `org_id`'s subtree (itself included) that the caller may read
/// risks in, and in total.
pub async fn indicators(
    store: &Store,
    scope: Scope,
    org_id: i64,
    today: NaiveDate,
) -> Result<(Vec<Indicators>, Indicators)> {
    let read = scope.with(Permission::RiskRead);
    let bodies = sqlx::query(&format!(
        "SELECT b.id, b.name FROM organizations b \
         JOIN org_closure cb ON cb.descendant_id = b.id AND cb.ancestor_id = $1 \
         WHERE b.kind = 'public_body' AND b.archived_at IS NULL AND {} ORDER BY b.name, b.id",
        read.condition("b.id")
    ))
    .bind(org_id)
    .fetch_all(&store.pool)
    .await?;
    let in_view: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM organizations o WHERE o.id = $1 AND {}",
        read.condition("o.id")
    ))
    .bind(org_id)
    .fetch_one(&store.pool)
    .await?
    .try_get("n")?;
    if in_view == 0 {
        return Err(StoreError::NotFound);
    }
    let mut out: Vec<Indicators> = Vec::with_capacity(bodies.len());
    let mut index: HashMap<i64, usize> = HashMap::new();
    for b in &bodies {
        let id: i64 = b.try_get("id")?;
        index.insert(id, out.len());
        out.push(Indicators {
            org_id: id,
            org_name: b.try_get("name")?,
            ..Indicators::default()
        });
    }
    let list = if out.is_empty() {
        "NULL".to_owned()
    } else {
        out.iter()
            .map(|b| b.org_id.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    // Each grouped query rolls organizations up to the bodies listed above.
    let under = |column: &str| {
        format!("JOIN org_closure up ON up.descendant_id = {column} AND up.ancestor_id IN ({list})")
    };
    // Remaining scores per organization: the threshold is the organization's method's.
    let scores = sqlx::query(&format!(
        "SELECT up.ancestor_id AS body, r.org_id, COALESCE(r.residual_score, r.gross_score) AS s, \
         COUNT(*) AS n FROM risks r {} WHERE r.archived_at IS NULL \
         GROUP BY up.ancestor_id, r.org_id, COALESCE(r.residual_score, r.gross_score)",
        under("r.org_id")
    ))
    .fetch_all(&store.pool)
    .await?;
    let mut conn = store.pool.acquire().await?;
    // Each organization's method decides what is above its threshold.
    let mut methods: HashMap<i64, rempart_domain::risk::Method> = HashMap::new();
    for row in &scores {
        let body: i64 = row.try_get("body")?;
        let org: i64 = row.try_get("org_id")?;
        let score: i64 = row.try_get("s")?;
        let n: i64 = row.try_get("n")?;
        let above = match methods.entry(org) {
            std::collections::hash_map::Entry::Occupied(m) => m.get().above_threshold(score),
            std::collections::hash_map::Entry::Vacant(slot) => {
                let (method, _) = crate::risks::method_for(&mut conn, org).await?;
                slot.insert(method).above_threshold(score)
            }
        };
        if let Some(&i) = index.get(&body) {
            out[i].risks += n;
            if above {
                out[i].above_threshold += n;
            }
        }
    }
    let today_text = today.to_string();
    let overdue = sqlx::query(&format!(
        "SELECT up.ancestor_id AS body, COUNT(*) AS n FROM risk_actions a \
         JOIN risks r ON r.id = a.risk_id {} WHERE r.archived_at IS NULL \
         AND a.status IN ('planned', 'in_progress') AND a.due_on < $1 GROUP BY up.ancestor_id",
        under("r.org_id")
    ))
    .bind(&today_text)
    .fetch_all(&store.pool)
    .await?;
    for row in &overdue {
        if let Some(&i) = index.get(&row.try_get::<i64, _>("body")?) {
            out[i].overdue_actions = row.try_get("n")?;
        }
    }
    let assets = sqlx::query(&format!(
        "SELECT up.ancestor_id AS body, COUNT(*) AS n, \
         COUNT(CASE WHEN a.classified_on >= $1 AND a.review_due >= $2 THEN 1 END) AS recent \
         FROM assets a {} WHERE a.archived_at IS NULL GROUP BY up.ancestor_id",
        under("a.org_id")
    ))
    .bind(recent_since(today).to_string())
    .bind(&today_text)
    .fetch_all(&store.pool)
    .await?;
    for row in &assets {
        if let Some(&i) = index.get(&row.try_get::<i64, _>("body")?) {
            out[i].assets = row.try_get("n")?;
            out[i].assets_classified_recently = row.try_get("recent")?;
        }
    }
    let projects = sqlx::query(&format!(
        "SELECT up.ancestor_id AS body, p.go_live_on, \
         (SELECT MIN(r.created_at) FROM project_risks pr JOIN risks r ON r.id = pr.risk_id \
          WHERE pr.project_id = p.id) AS first_at \
         FROM projects p {} WHERE p.archived_at IS NULL AND p.go_live_on <= $1",
        under("p.org_id")
    ))
    .bind(&today_text)
    .fetch_all(&store.pool)
    .await?;
    for row in &projects {
        let Some(&i) = index.get(&row.try_get::<i64, _>("body")?) else {
            continue;
        };
        let go_live: String = row.try_get("go_live_on")?;
        let first_at: Option<i64> = row.try_get("first_at")?;
        let go_live = go_live.parse::<NaiveDate>().unwrap_or(NaiveDate::MAX);
        let first = first_at.and_then(crate::store::local_date);
        if let Some(assessed) = assessed_before_go_live(go_live, first, today) {
            out[i].projects_live += 1;
            out[i].projects_assessed_before_go_live += i64::from(assessed);
        }
    }
    let mut total = Indicators {
        org_id,
        ..Indicators::default()
    };
    for b in &out {
        total.add(b);
    }
    Ok((out, total))
}
