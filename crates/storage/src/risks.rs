//! The risk register (RISK-01 to RISK-04): each organization's method (inherited down the
//! tree, scores recomputed when it changes), risks with their perimeter, treatment plan and
//! computed scores, proposals and approvals of residual risk, and the reasons risks were
//! flagged for reassessment. The rules are the domain's (`rempart_domain::risk`); this module
//! reads within scope, writes through `WriteTx` and audits every change.

use std::collections::HashMap;

use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::person::PersonId;
use rempart_domain::risk::{
    check_approval, ActionInput, ActionStatus, Impacts, Method, Rating, Reassessment, RiskInput,
    Score, Standing, Treatment,
};
use rempart_domain::validation::required_text;
use rempart_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::dialect::{contains_ci, escape_like};
use crate::error::{Result, StoreError};
use crate::list::{Page, PageRequest};
use crate::orgs::{bind_all, Bind};
use crate::scope::{role_list, Scope};
use crate::store::Store;
use crate::write::{snapshot, Change, WriteTx};

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(ValidationErrors::single(FieldError::new(field, code)))
}

fn with_permission(scope: Scope, permission: Permission) -> Scope {
    match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, permission),
        other => other,
    }
}

// ---------------------------------------------------------------- method

/// The method that applies to `org_id`: its own, else its nearest ancestor's, else the
/// default; with the organization it comes from (`None` for the default).
pub async fn method_for(conn: &mut AnyConnection, org_id: i64) -> Result<(Method, Option<i64>)> {
    let row = sqlx::query(
        "SELECT m.org_id, m.method_json FROM org_closure c \
         JOIN risk_methods m ON m.org_id = c.ancestor_id \
         WHERE c.descendant_id = $1 ORDER BY c.depth LIMIT 1",
    )
    .bind(org_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok((Method::default(), None));
    };
    let json: String = row.try_get("method_json")?;
    // Only `set_method` writes it, after checking it: a row that does not read is damage,
    // answered with the default rather than refusing every risk page.
    let method = serde_json::from_str(&json).unwrap_or_default();
    Ok((method, Some(row.try_get("org_id")?)))
}

/// The method of `org_id` as the caller may read it (risk reading permission).
pub async fn method(store: &Store, scope: Scope, org_id: i64) -> Result<(Method, Option<i64>)> {
    let mut conn = store.pool.acquire().await?;
    in_scope(
        &mut conn,
        with_permission(scope, Permission::RiskRead),
        org_id,
    )
    .await?;
    method_for(&mut conn, org_id).await
}

async fn in_scope(conn: &mut AnyConnection, scope: Scope, org_id: i64) -> Result<()> {
    let n: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM organizations o WHERE o.id = $1 AND o.archived_at IS NULL AND {}",
        scope.condition("o.id")
    ))
    .bind(org_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Sets the method of `org_id` (and of the organizations below it that have none of their
/// own), then recomputes the scores of every risk it now applies to. A residual risk that the
/// new method puts above its threshold loses the approval its holder gave: it comes back for
/// the higher approval. Audited as `risk.method_set`, and each risk whose scores changed as
/// `risk.rescore`. Returns how many risks were rescored.
pub async fn set_method(
    wtx: &mut WriteTx,
    scope: Scope,
    org_id: i64,
    method: &Method,
    updated_by: Option<i64>,
) -> Result<usize> {
    // Another body's organization is not found before anything is said about the input.
    in_scope(
        wtx.conn(),
        with_permission(scope, Permission::RiskMethodManage),
        org_id,
    )
    .await?;
    method.check()?;
    let (before, source) = method_for(wtx.conn(), org_id).await?;
    let json = serde_json::to_string(method).map_err(|e| StoreError::Io(e.into()))?;
    let now = wtx.now();
    sqlx::query("DELETE FROM risk_methods WHERE org_id = $1")
        .bind(org_id)
        .execute(wtx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO risk_methods (org_id, method_json, updated_at, updated_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(org_id)
    .bind(&json)
    .bind(now)
    .bind(updated_by)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "risk.method_set",
        entity_type: "risk_method",
        entity_id: org_id.to_string(),
        before: (source == Some(org_id))
            .then(|| snapshot(&before))
            .flatten(),
        after: snapshot(method),
    })
    .await?;
    rescore_below(wtx, org_id).await
}

/// Recomputes the scores of the risks whose method is now `org_id`'s.
async fn rescore_below(wtx: &mut WriteTx, org_id: i64) -> Result<usize> {
    let orgs: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT r.org_id FROM risks r \
         WHERE r.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)",
    )
    .bind(org_id)
    .fetch_all(wtx.conn())
    .await?;
    let mut rescored = 0;
    for org in orgs {
        let (method, source) = method_for(wtx.conn(), org).await?;
        if source != Some(org_id) {
            continue;
        }
        let rows = sqlx::query(&format!(
            "SELECT {RATING_COLUMNS}, r.id, r.status, r.gross_score, r.residual_score \
             FROM risks r WHERE r.org_id = $1"
        ))
        .bind(org)
        .fetch_all(wtx.conn())
        .await?;
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let (gross, residual) = ratings(row)?;
            let old_gross: i64 = row.try_get("gross_score")?;
            let old_residual: Option<i64> = row.try_get("residual_score")?;
            // Stored ratings were within the old scales; a shorter scale may leave them off
            // the new one: such a risk keeps its ratings and is flagged for reassessment.
            let (Ok(g), r) = (method.score(&gross), residual.map(|r| method.score(&r))) else {
                flag_one(wtx, id, &off_scale()).await?;
                continue;
            };
            let r = match r {
                Some(Ok(s)) => Some(s),
                Some(Err(_)) => {
                    flag_one(wtx, id, &off_scale()).await?;
                    continue;
                }
                None => None,
            };
            let new_residual = r.map(|s| i64::from(s.value));
            if i64::from(g.value) == old_gross && new_residual == old_residual {
                continue;
            }
            sqlx::query(
                "UPDATE risks SET gross_impact = $1, gross_score = $2, residual_impact = $3, \
                 residual_score = $4, updated_at = $5, version = version + 1 WHERE id = $6",
            )
            .bind(i64::from(g.impact))
            .bind(i64::from(g.value))
            .bind(r.map(|s| i64::from(s.impact)))
            .bind(new_residual)
            .bind(wtx.now())
            .bind(id)
            .execute(wtx.conn())
            .await?;
            let status: String = row.try_get("status")?;
            let lost_approval = status == "approved"
                && r.is_some_and(|s| s.above_threshold)
                && end_approval(wtx, id, "method_changed").await?;
            if lost_approval {
                sqlx::query("UPDATE risks SET status = 'proposed' WHERE id = $1")
                    .bind(id)
                    .execute(wtx.conn())
                    .await?;
            }
            wtx.audit(Change {
                org_id: Some(org),
                action: "risk.rescore",
                entity_type: "risk",
                entity_id: id.to_string(),
                before: Some(serde_json::json!({
                    "gross_score": old_gross, "residual_score": old_residual,
                })),
                after: Some(serde_json::json!({
                    "gross_score": g.value, "residual_score": new_residual,
                    "approval_ended": lost_approval,
                })),
            })
            .await?;
            rescored += 1;
        }
    }
    Ok(rescored)
}

fn off_scale() -> Reassessment {
    Reassessment::MethodChanged
}

// ---------------------------------------------------------------- reading

const RATING_COLUMNS: &str = "r.likelihood, r.impact_availability, r.impact_integrity, \
    r.impact_confidentiality, r.residual_likelihood, r.residual_impact_availability, \
    r.residual_impact_integrity, r.residual_impact_confidentiality";

fn level(row: &AnyRow, column: &str) -> Result<u8> {
    let v: i64 = row.try_get(column)?;
    Ok(u8::try_from(v).unwrap_or(u8::MAX))
}

fn ratings(row: &AnyRow) -> Result<(Rating, Option<Rating>)> {
    let gross = Rating {
        likelihood: level(row, "likelihood")?,
        impacts: Impacts {
            availability: level(row, "impact_availability")?,
            integrity: level(row, "impact_integrity")?,
            confidentiality: level(row, "impact_confidentiality")?,
        },
    };
    let residual_likelihood: Option<i64> = row.try_get("residual_likelihood")?;
    let residual = match residual_likelihood {
        None => None,
        Some(_) => Some(Rating {
            likelihood: level(row, "residual_likelihood")?,
            impacts: Impacts {
                availability: level(row, "residual_impact_availability")?,
                integrity: level(row, "residual_impact_integrity")?,
                confidentiality: level(row, "residual_impact_confidentiality")?,
            },
        }),
    };
    Ok((gross, residual))
}

/// One risk of a list, with its scores as its organization's method bands them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub gross: Rating,
    pub gross_score: i64,
    pub gross_band: usize,
    pub gross_band_label_fr: String,
    pub gross_band_label_en: String,
    pub treatment: Option<Treatment>,
    pub residual: Option<Rating>,
    pub residual_score: Option<i64>,
    pub residual_band: Option<usize>,
    /// The risk that remains (the residual one once rated, else the gross one) is above the
    /// organization's acceptance threshold.
    pub above_threshold: bool,
    pub status: String,
    pub assessed_on: String,
    pub review_due: String,
    pub to_reassess: bool,
    pub overdue_actions: i64,
    pub archived: bool,
    pub updated_at: i64,
    pub version: i64,
}

fn select_rows(today: &str) -> String {
    format!(
        "SELECT r.id, r.org_id, o.name AS org_name, r.title, r.owner_id, p.name AS owner_name, \
         {RATING_COLUMNS}, r.gross_score, r.treatment, r.residual_score, r.status, r.assessed_on, \
         r.review_due, r.reassess_since, r.archived_at, r.updated_at, r.version, \
         (SELECT COUNT(*) FROM risk_actions ra WHERE ra.risk_id = r.id \
          AND ra.status IN ('planned', 'in_progress') AND ra.due_on < '{today}') AS overdue_actions \
         FROM risks r JOIN organizations o ON o.id = r.org_id JOIN persons p ON p.id = r.owner_id"
    )
}

/// Methods of several organizations, read once each.
struct Methods(HashMap<i64, Method>);

impl Methods {
    async fn of(&mut self, conn: &mut AnyConnection, org_id: i64) -> Result<&Method> {
        match self.0.entry(org_id) {
            std::collections::hash_map::Entry::Occupied(e) => Ok(e.into_mut()),
            std::collections::hash_map::Entry::Vacant(e) => {
                let (m, _) = method_for(conn, org_id).await?;
                Ok(e.insert(m))
            }
        }
    }
}

fn row_from(row: &AnyRow, method: &Method) -> Result<RiskRow> {
    let (gross, residual) = ratings(row)?;
    let gross_score: i64 = row.try_get("gross_score")?;
    let residual_score: Option<i64> = row.try_get("residual_score")?;
    let band = |score: i64| method.band_of(u16::try_from(score).unwrap_or(u16::MAX));
    let gross_band = band(gross_score);
    let remaining = residual_score.unwrap_or(gross_score);
    let treatment: Option<String> = row.try_get("treatment")?;
    let label = |i: usize, fr: bool| {
        method
            .bands
            .get(i)
            .map(|b| {
                if fr {
                    b.label_fr.clone()
                } else {
                    b.label_en.clone()
                }
            })
            .unwrap_or_default()
    };
    let reassess: Option<i64> = row.try_get("reassess_since")?;
    let archived: Option<i64> = row.try_get("archived_at")?;
    Ok(RiskRow {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        title: row.try_get("title")?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        gross,
        gross_score,
        gross_band,
        gross_band_label_fr: label(gross_band, true),
        gross_band_label_en: label(gross_band, false),
        treatment: treatment.and_then(|t| Treatment::parse("treatment", &t).ok()),
        residual,
        residual_score,
        residual_band: residual_score.map(band),
        above_threshold: method.above_threshold(remaining),
        status: row.try_get("status")?,
        assessed_on: row.try_get("assessed_on")?,
        review_due: row.try_get("review_due")?,
        to_reassess: reassess.is_some(),
        overdue_actions: row.try_get("overdue_actions")?,
        archived: archived.is_some(),
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
    })
}

/// How a list of risks is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RiskSort {
    /// The worst remaining risk first (with `descending`).
    #[default]
    Score,
    Title,
    ReviewDue,
    Updated,
}

impl RiskSort {
    pub fn parse(value: &str) -> Option<RiskSort> {
        match value {
            "score" => Some(RiskSort::Score),
            "title" => Some(RiskSort::Title),
            "review_due" => Some(RiskSort::ReviewDue),
            "updated" => Some(RiskSort::Updated),
            _ => None,
        }
    }

    fn column(self) -> &'static str {
        match self {
            RiskSort::Score => "COALESCE(r.residual_score, r.gross_score)",
            RiskSort::Title => "r.title",
            RiskSort::ReviewDue => "r.review_due",
            RiskSort::Updated => "r.updated_at",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RiskFilter {
    pub text: Option<String>,
    /// Only this organization and its subtree.
    pub within: Option<i64>,
    pub asset_id: Option<i64>,
    pub status: Option<String>,
    pub to_reassess: bool,
    pub with_overdue_actions: bool,
    pub include_archived: bool,
}

/// The risks the caller may see, a page at a time.
pub async fn list(
    store: &Store,
    scope: Scope,
    filter: &RiskFilter,
    today: NaiveDate,
    page: &PageRequest<RiskSort>,
) -> Result<Page<RiskRow>> {
    let today = today.to_string();
    let mut conditions = vec![with_permission(scope, Permission::RiskRead).condition("r.org_id")];
    let mut binds: Vec<Bind> = Vec::new();
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        binds.push(Bind::Text(escape_like(text.trim())));
        let n = binds.len();
        conditions.push(format!(
            "({} OR {})",
            contains_ci(store.engine(), "r.title", &format!("${n}")),
            contains_ci(store.engine(), "r.description", &format!("${n}"))
        ));
    }
    if let Some(within) = filter.within {
        binds.push(Bind::Int(within));
        conditions.push(format!(
            "r.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ${})",
            binds.len()
        ));
    }
    if let Some(asset) = filter.asset_id {
        binds.push(Bind::Int(asset));
        conditions.push(format!(
            "r.id IN (SELECT risk_id FROM risk_assets WHERE asset_id = ${})",
            binds.len()
        ));
    }
    if let Some(status) = &filter.status {
        binds.push(Bind::Text(status.clone()));
        conditions.push(format!("r.status = ${}", binds.len()));
    }
    if filter.to_reassess {
        conditions.push("r.reassess_since IS NOT NULL".to_owned());
    }
    if filter.with_overdue_actions {
        binds.push(Bind::Text(today.clone()));
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM risk_actions ra WHERE ra.risk_id = r.id \
             AND ra.status IN ('planned', 'in_progress') AND ra.due_on < ${})",
            binds.len()
        ));
    }
    if !filter.include_archived {
        conditions.push("r.archived_at IS NULL".to_owned());
    }
    let where_clause = conditions.join(" AND ");
    let total: i64 = bind_all(
        sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM risks r WHERE {where_clause}"
        )),
        &binds,
    )
    .fetch_one(&store.pool)
    .await?
    .try_get("n")?;
    let sql = format!(
        "{} WHERE {where_clause} ORDER BY {} {}, r.id LIMIT {} OFFSET {}",
        select_rows(&today),
        page.sort.column(),
        page.direction(),
        page.limit,
        page.offset
    );
    let rows = bind_all(sqlx::query(&sql), &binds)
        .fetch_all(&store.pool)
        .await?;
    let mut conn = store.pool.acquire().await?;
    let mut methods = Methods(HashMap::new());
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let org: i64 = row.try_get("org_id")?;
        let method = methods.of(&mut conn, org).await?;
        items.push(row_from(row, method)?);
    }
    Ok(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// An asset of a risk's perimeter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PerimeterAsset {
    pub id: i64,
    pub name: String,
    pub org_id: i64,
    pub holder_id: i64,
    pub holder_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub id: i64,
    pub title: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub due_on: String,
    pub status: ActionStatus,
    pub controls: Vec<String>,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    pub id: i64,
    pub approver_id: i64,
    pub approver_name: String,
    pub proposed_by: i64,
    pub residual_score: i64,
    pub above_threshold: bool,
    pub justification: String,
    pub approved_at: i64,
    pub approved_on: String,
    pub expires_on: String,
    pub ended_at: Option<i64>,
    pub ended_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReassessmentRow {
    pub reason: Reassessment,
    pub flagged_at: i64,
    pub cleared_at: Option<i64>,
}

/// A whole risk: its row, its texts, perimeter, plan, approvals and reassessments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    #[serde(flatten)]
    pub row: RiskRow,
    pub description: String,
    pub threat: String,
    pub vulnerability: String,
    pub existing_controls: String,
    pub residual_description: String,
    pub proposed_by: Option<i64>,
    pub assets: Vec<PerimeterAsset>,
    pub actions: Vec<Action>,
    pub approvals: Vec<Approval>,
    pub reassessments: Vec<ReassessmentRow>,
}

/// One risk the caller may see.
pub async fn get(store: &Store, scope: Scope, id: i64, today: NaiveDate) -> Result<Risk> {
    let mut conn = store.pool.acquire().await?;
    get_with(
        &mut conn,
        with_permission(scope, Permission::RiskRead),
        id,
        today,
    )
    .await
}

async fn get_with(
    conn: &mut AnyConnection,
    scope: Scope,
    id: i64,
    today: NaiveDate,
) -> Result<Risk> {
    let today_text = today.to_string();
    let row = sqlx::query(&format!(
        "{} WHERE r.id = $1 AND {}",
        select_rows(&today_text),
        scope.condition("r.org_id")
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let org: i64 = row.try_get("org_id")?;
    let (method, _) = method_for(conn, org).await?;
    let head = row_from(&row, &method)?;
    let texts = sqlx::query(
        "SELECT description, threat, vulnerability, existing_controls, residual_description, \
         proposed_by FROM risks WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let assets = sqlx::query(
        "SELECT a.id, a.name, a.org_id, a.holder_id, h.name AS holder_name FROM risk_assets ra \
         JOIN assets a ON a.id = ra.asset_id JOIN persons h ON h.id = a.holder_id \
         WHERE ra.risk_id = $1 ORDER BY a.name, a.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(PerimeterAsset {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            org_id: r.try_get("org_id")?,
            holder_id: r.try_get("holder_id")?,
            holder_name: r.try_get("holder_name")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let actions = sqlx::query(
        "SELECT ra.id, ra.title, ra.owner_id, p.name AS owner_name, ra.due_on, ra.status, \
         ra.controls FROM risk_actions ra JOIN persons p ON p.id = ra.owner_id \
         WHERE ra.risk_id = $1 ORDER BY ra.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let status: String = r.try_get("status")?;
        let status = ActionStatus::parse("status", &status).unwrap_or(ActionStatus::Planned);
        let due_on: String = r.try_get("due_on")?;
        let controls: String = r.try_get("controls")?;
        let due = due_on.parse::<NaiveDate>().unwrap_or(NaiveDate::MAX);
        Ok(Action {
            id: r.try_get("id")?,
            title: r.try_get("title")?,
            owner_id: r.try_get("owner_id")?,
            owner_name: r.try_get("owner_name")?,
            overdue: status.overdue(due, today),
            due_on,
            status,
            controls: controls.lines().map(str::to_owned).collect(),
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let approvals = sqlx::query(
        "SELECT ap.id, ap.approver_id, p.name AS approver_name, ap.proposed_by, ap.residual_score, \
         ap.above_threshold, ap.justification, ap.approved_at, ap.approved_on, ap.expires_on, \
         ap.ended_at, ap.ended_reason FROM risk_approvals ap JOIN persons p ON p.id = ap.approver_id \
         WHERE ap.risk_id = $1 ORDER BY ap.id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let above: i64 = r.try_get("above_threshold")?;
        Ok(Approval {
            id: r.try_get("id")?,
            approver_id: r.try_get("approver_id")?,
            approver_name: r.try_get("approver_name")?,
            proposed_by: r.try_get("proposed_by")?,
            residual_score: r.try_get("residual_score")?,
            above_threshold: above != 0,
            justification: r.try_get("justification")?,
            approved_at: r.try_get("approved_at")?,
            approved_on: r.try_get("approved_on")?,
            expires_on: r.try_get("expires_on")?,
            ended_at: r.try_get("ended_at")?,
            ended_reason: r.try_get("ended_reason")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let reassessments = sqlx::query(
        "SELECT reason_json, flagged_at, cleared_at FROM risk_reassessments \
         WHERE risk_id = $1 ORDER BY id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .filter_map(|r| {
        let json: String = r.try_get("reason_json").ok()?;
        Some(ReassessmentRow {
            reason: serde_json::from_str(&json).ok()?,
            flagged_at: r.try_get("flagged_at").ok()?,
            cleared_at: r.try_get("cleared_at").ok()?,
        })
    })
    .collect();
    Ok(Risk {
        row: head,
        description: texts.try_get("description")?,
        threat: texts.try_get("threat")?,
        vulnerability: texts.try_get("vulnerability")?,
        existing_controls: texts.try_get("existing_controls")?,
        residual_description: texts.try_get("residual_description")?,
        proposed_by: texts.try_get("proposed_by")?,
        assets,
        actions,
        approvals,
        reassessments,
    })
}

// ---------------------------------------------------------------- writing

/// Checks where a risk goes and who it names: its organization within the caller's reach,
/// its assets in that organization's subtree and not archived, its owner and the actions'
/// owners active people of the organization's public body (or above it).
async fn check_placement(wtx: &mut WriteTx, scope: Scope, input: &RiskInput) -> Result<()> {
    let mut errors = ValidationErrors::default();
    if in_scope(
        wtx.conn(),
        with_permission(scope, Permission::RiskManage),
        input.org_id,
    )
    .await
    .is_err()
    {
        return Err(invalid("org_id", "error-not-found"));
    }
    let list = input
        .asset_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let found: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM assets a WHERE a.id IN ({list}) AND a.archived_at IS NULL \
         AND a.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)"
    ))
    .bind(input.org_id)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    if usize::try_from(found).unwrap_or(0) != input.asset_ids.len() {
        errors.push(FieldError::new("asset_ids", "error-risk-asset-outside"));
    }
    let mut people: Vec<(String, i64)> = vec![("owner_id".to_owned(), input.owner_id)];
    for (i, a) in input.actions.iter().enumerate() {
        people.push((format!("actions.{i}.owner_id"), a.owner_id));
    }
    for (field, person) in people {
        if !of_body(wtx.conn(), person, input.org_id).await? {
            errors.push(FieldError::new(field, "error-person-not-in-organization"));
        }
    }
    // Once a catalogue serves the organization, an action names its controls (CTRL-01).
    let known = crate::controls::usable_keys(wtx.conn(), input.org_id).await?;
    if !known.is_empty() {
        for (i, a) in input.actions.iter().enumerate() {
            if a.controls.iter().any(|c| !known.contains(c)) {
                errors.push(FieldError::new(
                    format!("actions.{i}.controls"),
                    "error-control-unknown",
                ));
            }
        }
    }
    errors.into_result().map_err(StoreError::from)
}

/// The condition on a grant `g` (of an active person `p`) that makes its person one a risk of
/// the organization bound to `org_param` may name: a role in that organization's public body
/// (anywhere in it) or above it.
fn of_body_condition(org_param: &str) -> String {
    format!(
        "p.disabled_at IS NULL AND (\
           g.org_id IN (SELECT ancestor_id FROM org_closure WHERE descendant_id = {org_param}) \
           OR g.org_id IN (SELECT c.descendant_id FROM org_closure c \
             JOIN org_closure up ON up.descendant_id = {org_param} AND up.ancestor_id = c.ancestor_id \
             JOIN organizations b ON b.id = c.ancestor_id AND b.kind = 'public_body'))"
    )
}

/// Whether `person` is active and holds a role in `org_id`'s public body (anywhere in it) or
/// above it.
async fn of_body(conn: &mut AnyConnection, person: i64, org_id: i64) -> Result<bool> {
    let n: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM role_grants g JOIN persons p ON p.id = g.person_id \
         WHERE g.person_id = $1 AND {}",
        of_body_condition("$2")
    ))
    .bind(person)
    .bind(org_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    Ok(n > 0)
}

/// A person a risk may name as its owner or an action's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Eligible {
    pub id: i64,
    pub name: String,
    pub org_name: String,
}

/// The people a risk of `org_id` may name (owner, actions' owners), for a form's choices:
/// those the rule of [`create`] accepts, among the people the caller may read. The
/// organization must be one where the caller manages risks.
pub async fn eligible_people(store: &Store, scope: Scope, org_id: i64) -> Result<Vec<Eligible>> {
    let mut conn = store.pool.acquire().await?;
    in_scope(
        &mut conn,
        with_permission(scope, Permission::RiskManage),
        org_id,
    )
    .await?;
    let rows = sqlx::query(&format!(
        "SELECT DISTINCT p.id, p.name, o.name AS org_name FROM role_grants g \
         JOIN persons p ON p.id = g.person_id JOIN organizations o ON o.id = p.org_id \
         WHERE {} AND {} ORDER BY p.name, o.name, p.id",
        of_body_condition("$1"),
        with_permission(scope, Permission::PersonRead).condition("p.org_id")
    ))
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Eligible {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                org_name: r.try_get("org_name")?,
            })
        })
        .collect()
}

fn audited(input: &RiskInput, gross: &Score, residual: Option<&Score>) -> serde_json::Value {
    serde_json::json!({
        "input": input,
        "gross_score": gross.value,
        "residual_score": residual.map(|s| s.value),
    })
}

/// The scores of a checked input under `method`.
fn scores(method: &Method, input: &RiskInput) -> Result<(Score, Option<Score>)> {
    let gross = method.score(&input.gross)?;
    let residual = match &input.residual {
        Some(r) => Some(method.score(r)?),
        None => None,
    };
    Ok((gross, residual))
}

async fn write_plan(wtx: &mut WriteTx, id: i64, input: &RiskInput) -> Result<()> {
    sqlx::query("DELETE FROM risk_assets WHERE risk_id = $1")
        .bind(id)
        .execute(wtx.conn())
        .await?;
    for asset in &input.asset_ids {
        sqlx::query("INSERT INTO risk_assets (risk_id, asset_id) VALUES ($1, $2)")
            .bind(id)
            .bind(asset)
            .execute(wtx.conn())
            .await?;
    }
    sqlx::query("DELETE FROM risk_actions WHERE risk_id = $1")
        .bind(id)
        .execute(wtx.conn())
        .await?;
    for (position, action) in input.actions.iter().enumerate() {
        insert_action(wtx, id, position, action).await?;
    }
    Ok(())
}

async fn insert_action(
    wtx: &mut WriteTx,
    risk: i64,
    position: usize,
    action: &ActionInput,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO risk_actions (risk_id, position, title, owner_id, due_on, status, controls) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(risk)
    .bind(i64::try_from(position).unwrap_or(i64::MAX))
    .bind(&action.title)
    .bind(action.owner_id)
    .bind(action.due_on.to_string())
    .bind(action.status.as_str())
    .bind(action.controls.join("\n"))
    .execute(wtx.conn())
    .await?;
    Ok(())
}

/// The twenty-three values a risk's assessment writes, in the order of the columns that
/// `create` and `update` list ($1 to $23): input, computed scores, assessment and review dates.
trait BindAssessment<'q> {
    fn bind_assessment(
        self,
        input: &'q RiskInput,
        scores: (&Score, Option<&Score>),
        method: &Method,
        today: NaiveDate,
    ) -> Self;
}

impl<'q> BindAssessment<'q> for sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    fn bind_assessment(
        self,
        input: &'q RiskInput,
        (gross, residual): (&Score, Option<&Score>),
        method: &Method,
        today: NaiveDate,
    ) -> Self {
        let level = |v: u8| i64::from(v);
        self.bind(input.org_id)
            .bind(&input.title)
            .bind(&input.description)
            .bind(&input.threat)
            .bind(&input.vulnerability)
            .bind(&input.existing_controls)
            .bind(input.owner_id)
            .bind(level(input.gross.likelihood))
            .bind(level(input.gross.impacts.availability))
            .bind(level(input.gross.impacts.integrity))
            .bind(level(input.gross.impacts.confidentiality))
            .bind(level(gross.impact))
            .bind(i64::from(gross.value))
            .bind(input.treatment.map(|t| t.as_str()))
            .bind(input.residual.map(|r| level(r.likelihood)))
            .bind(input.residual.map(|r| level(r.impacts.availability)))
            .bind(input.residual.map(|r| level(r.impacts.integrity)))
            .bind(input.residual.map(|r| level(r.impacts.confidentiality)))
            .bind(residual.map(|s| level(s.impact)))
            .bind(residual.map(|s| i64::from(s.value)))
            .bind(&input.residual_description)
            .bind(today.to_string())
            .bind(method.review_due(today).to_string())
    }
}

/// Records a risk, assessed on `today`; audited as `risk.create`.
pub async fn create(
    wtx: &mut WriteTx,
    scope: Scope,
    input: RiskInput,
    today: NaiveDate,
) -> Result<i64> {
    let (method, _) = method_for(wtx.conn(), input.org_id).await?;
    let input = input.check(&method)?;
    check_placement(wtx, scope, &input).await?;
    let (gross, residual) = scores(&method, &input)?;
    let now = wtx.now();
    let row = sqlx::query(
        "INSERT INTO risks (org_id, title, description, threat, vulnerability, existing_controls, \
         owner_id, likelihood, impact_availability, impact_integrity, impact_confidentiality, \
         gross_impact, gross_score, treatment, residual_likelihood, residual_impact_availability, \
         residual_impact_integrity, residual_impact_confidentiality, residual_impact, \
         residual_score, residual_description, status, assessed_on, review_due, created_at, \
         updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $14, $15, $16, $17, $18, $19, $20, $21, 'draft', $22, $23, $24, $24, 1) RETURNING id",
    )
    .bind_assessment(&input, (&gross, residual.as_ref()), &method, today)
    .bind(now)
    .fetch_one(wtx.conn())
    .await?;
    let id: i64 = row.try_get("id")?;
    write_plan(wtx, id, &input).await?;
    wtx.audit(Change {
        org_id: Some(input.org_id),
        action: "risk.create",
        entity_type: "risk",
        entity_id: id.to_string(),
        before: None,
        after: Some(audited(&input, &gross, residual.as_ref())),
    })
    .await?;
    Ok(id)
}

/// The stored input of a risk, as the audit trail's `before`.
async fn stored_input(wtx: &mut WriteTx, id: i64) -> Result<serde_json::Value> {
    let row = sqlx::query(
        "SELECT title, description, threat, vulnerability, existing_controls, owner_id, \
         treatment, residual_description, gross_score, residual_score, status FROM risks WHERE id = $1",
    )
    .bind(id)
    .fetch_one(wtx.conn())
    .await?;
    let assets: Vec<i64> =
        sqlx::query_scalar("SELECT asset_id FROM risk_assets WHERE risk_id = $1 ORDER BY asset_id")
            .bind(id)
            .fetch_all(wtx.conn())
            .await?;
    let get = |c: &str| row.try_get::<String, _>(c).unwrap_or_default();
    Ok(serde_json::json!({
        "title": get("title"), "description": get("description"), "threat": get("threat"),
        "vulnerability": get("vulnerability"), "existing_controls": get("existing_controls"),
        "owner_id": row.try_get::<i64, _>("owner_id")?,
        "treatment": row.try_get::<Option<String>, _>("treatment")?,
        "residual_description": get("residual_description"),
        "gross_score": row.try_get::<i64, _>("gross_score")?,
        "residual_score": row.try_get::<Option<i64>, _>("residual_score")?,
        "status": get("status"),
        "asset_ids": assets,
    }))
}

/// Reassesses a risk (RISK-04): its whole input again, assessed on `today`. A proposal or an
/// approval no longer holds for what changed: the risk goes back to draft, the approval ends
/// (`reassessed`). Open reassessment flags are cleared. `version` must be the one read.
/// Audited as `risk.update`.
pub async fn update(
    wtx: &mut WriteTx,
    scope: Scope,
    id: i64,
    version: i64,
    input: RiskInput,
    today: NaiveDate,
) -> Result<()> {
    let manage = with_permission(scope, Permission::RiskManage);
    let current: Option<(i64, i64)> = sqlx::query(&format!(
        "SELECT r.org_id, r.version FROM risks r WHERE r.id = $1 AND r.archived_at IS NULL AND {}",
        manage.condition("r.org_id")
    ))
    .bind(id)
    .fetch_optional(wtx.conn())
    .await?
    .map(|r| Ok::<_, sqlx::Error>((r.try_get("org_id")?, r.try_get("version")?)))
    .transpose()?;
    let Some((_, stored_version)) = current else {
        return Err(StoreError::NotFound);
    };
    if stored_version != version {
        return Err(StoreError::Stale);
    }
    let (method, _) = method_for(wtx.conn(), input.org_id).await?;
    let input = input.check(&method)?;
    check_placement(wtx, scope, &input).await?;
    let (gross, residual) = scores(&method, &input)?;
    let before = stored_input(wtx, id).await?;
    let now = wtx.now();
    sqlx::query(
        "UPDATE risks SET org_id = $1, title = $2, description = $3, threat = $4, \
         vulnerability = $5, existing_controls = $6, owner_id = $7, likelihood = $8, \
         impact_availability = $9, impact_integrity = $10, impact_confidentiality = $11, \
         gross_impact = $12, gross_score = $13, treatment = $14, residual_likelihood = $15, \
         residual_impact_availability = $16, residual_impact_integrity = $17, \
         residual_impact_confidentiality = $18, residual_impact = $19, residual_score = $20, \
         residual_description = $21, status = 'draft', proposed_by = NULL, proposed_at = NULL, \
         assessed_on = $22, review_due = $23, reassess_since = NULL, updated_at = $24, \
         version = version + 1 WHERE id = $25",
    )
    .bind_assessment(&input, (&gross, residual.as_ref()), &method, today)
    .bind(now)
    .bind(id)
    .execute(wtx.conn())
    .await?;
    write_plan(wtx, id, &input).await?;
    end_approval(wtx, id, "reassessed").await?;
    sqlx::query(
        "UPDATE risk_reassessments SET cleared_at = $1 WHERE risk_id = $2 AND cleared_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(input.org_id),
        action: "risk.update",
        entity_type: "risk",
        entity_id: id.to_string(),
        before: Some(before),
        after: Some(audited(&input, &gross, residual.as_ref())),
    })
    .await?;
    Ok(())
}

/// Ends the approval in force, if any; whether there was one.
async fn end_approval(wtx: &mut WriteTx, risk: i64, reason: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE risk_approvals SET ended_at = $1, ended_reason = $2 \
         WHERE risk_id = $3 AND ended_at IS NULL",
    )
    .bind(wtx.now())
    .bind(reason)
    .bind(risk)
    .execute(wtx.conn())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Puts a treated risk's residual risk forward for approval; audited as `risk.propose`.
pub async fn propose(wtx: &mut WriteTx, scope: Scope, id: i64, person_id: i64) -> Result<()> {
    let manage = with_permission(scope, Permission::RiskManage);
    let row = sqlx::query(&format!(
        "SELECT r.org_id, r.status, r.treatment, r.residual_score FROM risks r \
         WHERE r.id = $1 AND r.archived_at IS NULL AND {}",
        manage.condition("r.org_id")
    ))
    .bind(id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    let org: i64 = row.try_get("org_id")?;
    let status: String = row.try_get("status")?;
    let treatment: Option<String> = row.try_get("treatment")?;
    if treatment.is_none() {
        return Err(invalid("treatment", "error-required"));
    }
    if status != "draft" {
        return Err(invalid("status", "error-risk-not-draft"));
    }
    sqlx::query(
        "UPDATE risks SET status = 'proposed', proposed_by = $1, proposed_at = $2, \
         updated_at = $2, version = version + 1 WHERE id = $3",
    )
    .bind(person_id)
    .bind(wtx.now())
    .bind(id)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(org),
        action: "risk.propose",
        entity_type: "risk",
        entity_id: id.to_string(),
        before: Some(serde_json::json!({ "status": status })),
        after: Some(serde_json::json!({ "status": "proposed", "proposed_by": person_id })),
    })
    .await?;
    Ok(())
}

/// Who may see a risk to approve it: those who may read the register where it is, and the
/// holders of its assets (a holder's grant reaches their unit, where a body-level risk is
/// not). `person_param` is the placeholder bound to the person's id.
fn seen_by_approver(person: i64, person_param: &str) -> String {
    format!(
        "({} OR EXISTS (SELECT 1 FROM risk_assets ra JOIN assets a ON a.id = ra.asset_id \
         WHERE ra.risk_id = r.id AND a.holder_id = {person_param}))",
        Scope::new(person, Permission::RiskRead).condition("r.org_id")
    )
}

/// One risk as a person who may approve it sees it (RISK-03): within their reading scope, or,
/// for the holder of an asset of its perimeter, wherever it is recorded; the same reach as
/// [`approve`], so that the holder reads what they are asked to accept.
pub async fn get_for_approver(
    store: &Store,
    person_id: i64,
    id: i64,
    today: NaiveDate,
) -> Result<Risk> {
    let mut conn = store.pool.acquire().await?;
    let seen: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM risks r WHERE r.id = $1 AND {}",
        seen_by_approver(person_id, "$2")
    ))
    .bind(id)
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    if seen == 0 {
        return Err(StoreError::NotFound);
    }
    get_with(&mut conn, Scope::LocalAdministrator, id, today).await
}

/// Approves the residual risk put forward (RISK-03). The approver is the holder of every
/// asset of the perimeter (at or under the threshold) or holds the method's higher approver
/// role on the risk's organization or above it; never the person who proposed it. The
/// approval lapses after the method's period. Audited as `risk.approve`.
pub async fn approve(
    wtx: &mut WriteTx,
    approver: i64,
    id: i64,
    justification: &str,
    today: NaiveDate,
) -> Result<()> {
    let justification = required_text("justification", justification, 2000)
        .map_err(|e| StoreError::Invalid(ValidationErrors::single(e)))?;
    let row = sqlx::query(&format!(
        "SELECT r.org_id, r.status, r.proposed_by, {RATING_COLUMNS} FROM risks r \
         WHERE r.id = $1 AND r.archived_at IS NULL AND {}",
        seen_by_approver(approver, "$2")
    ))
    .bind(id)
    .bind(approver)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    let org: i64 = row.try_get("org_id")?;
    let status: String = row.try_get("status")?;
    let proposer: Option<i64> = row.try_get("proposed_by")?;
    let (Some(proposer), "proposed") = (proposer, status.as_str()) else {
        return Err(invalid("status", "error-risk-not-proposed"));
    };
    let (method, _) = method_for(wtx.conn(), org).await?;
    let (_, residual) = ratings(&row)?;
    let residual = residual.ok_or_else(|| invalid("residual_likelihood", "error-required"))?;
    let score = method.score(&residual)?;
    let (assets, held): (i64, i64) = {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN a.holder_id = $2 AND EXISTS (\
               SELECT 1 FROM role_grants g JOIN persons p ON p.id = g.person_id \
               WHERE g.person_id = $2 AND g.org_id = a.org_id AND g.role = 'Holder' \
               AND p.disabled_at IS NULL) THEN 1 ELSE 0 END), 0) AS held \
             FROM risk_assets ra JOIN assets a ON a.id = ra.asset_id WHERE ra.risk_id = $1",
        )
        .bind(id)
        .bind(approver)
        .fetch_one(wtx.conn())
        .await?;
        (r.try_get("n")?, r.try_get("held")?)
    };
    let higher: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM role_grants g JOIN persons p ON p.id = g.person_id \
         WHERE g.person_id = $1 AND p.disabled_at IS NULL AND g.role IN ({}) \
         AND g.org_id IN (SELECT ancestor_id FROM org_closure WHERE descendant_id = $2)",
        role_list(&[method.higher_approver])
    ))
    .bind(approver)
    .bind(org)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    let standing = Standing {
        holds_every_asset: assets > 0 && held == assets,
        higher_approver: higher > 0,
    };
    check_approval(
        &method,
        &score,
        usize::try_from(assets).unwrap_or(0),
        PersonId(proposer),
        PersonId(approver),
        standing,
    )
    .map_err(|e| invalid("approval", e.code()))?;
    end_approval(wtx, id, "replaced").await?;
    let now = wtx.now();
    let expires = method.approval_expires(today);
    sqlx::query(
        "INSERT INTO risk_approvals (risk_id, approver_id, proposed_by, residual_score, \
         above_threshold, justification, approved_at, approved_on, expires_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(approver)
    .bind(proposer)
    .bind(i64::from(score.value))
    .bind(i64::from(score.above_threshold))
    .bind(&justification)
    .bind(now)
    .bind(today.to_string())
    .bind(expires.to_string())
    .execute(wtx.conn())
    .await?;
    sqlx::query(
        "UPDATE risks SET status = 'approved', updated_at = $1, version = version + 1 WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(wtx.conn())
    .await?;
    // An approval answers a lapsed one; other reasons wait for a reassessment.
    sqlx::query(
        "UPDATE risk_reassessments SET cleared_at = $1 WHERE risk_id = $2 AND cleared_at IS NULL \
         AND reason = 'approval_expired'",
    )
    .bind(now)
    .bind(id)
    .execute(wtx.conn())
    .await?;
    refresh_flag(wtx, id).await?;
    wtx.audit(Change {
        org_id: Some(org),
        action: "risk.approve",
        entity_type: "risk",
        entity_id: id.to_string(),
        before: Some(serde_json::json!({ "status": "proposed", "proposed_by": proposer })),
        after: Some(serde_json::json!({
            "status": "approved", "approver_id": approver, "residual_score": score.value,
            "above_threshold": score.above_threshold, "justification": justification,
            "expires_on": expires,
        })),
    })
    .await?;
    Ok(())
}

/// Keeps `reassess_since` in step with the open reasons.
async fn refresh_flag(wtx: &mut WriteTx, risk: i64) -> Result<()> {
    sqlx::query(
        "UPDATE risks SET reassess_since = (SELECT MIN(flagged_at) FROM risk_reassessments \
         WHERE risk_id = $1 AND cleared_at IS NULL) WHERE id = $1",
    )
    .bind(risk)
    .execute(wtx.conn())
    .await?;
    Ok(())
}

/// Flags one risk for reassessment with `reason`, unless the same reason is already open;
/// audited as `risk.flag`. Whether it was flagged.
async fn flag_one(wtx: &mut WriteTx, risk: i64, reason: &Reassessment) -> Result<bool> {
    let json = serde_json::to_string(reason).map_err(|e| StoreError::Io(e.into()))?;
    let open: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM risk_reassessments WHERE risk_id = $1 AND reason_json = $2 \
         AND cleared_at IS NULL",
    )
    .bind(risk)
    .bind(&json)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    if open > 0 {
        return Ok(false);
    }
    let now = wtx.now();
    sqlx::query(
        "INSERT INTO risk_reassessments (risk_id, reason, reason_json, flagged_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(risk)
    .bind(reason.code())
    .bind(&json)
    .bind(now)
    .execute(wtx.conn())
    .await?;
    refresh_flag(wtx, risk).await?;
    let org: i64 = sqlx::query_scalar("SELECT org_id FROM risks WHERE id = $1")
        .bind(risk)
        .fetch_one(wtx.conn())
        .await?;
    wtx.audit(Change {
        org_id: Some(org),
        action: "risk.flag",
        entity_type: "risk",
        entity_id: risk.to_string(),
        before: None,
        after: serde_json::to_value(reason).ok(),
    })
    .await?;
    Ok(true)
}

/// Flags a risk the caller manages (an audit finding, say). Whether it was flagged.
pub async fn flag(wtx: &mut WriteTx, scope: Scope, id: i64, reason: &Reassessment) -> Result<bool> {
    let manage = with_permission(scope, Permission::RiskManage);
    let found = sqlx::query(&format!(
        "SELECT r.id FROM risks r WHERE r.id = $1 AND r.archived_at IS NULL AND {}",
        manage.condition("r.org_id")
    ))
    .bind(id)
    .fetch_optional(wtx.conn())
    .await?;
    if found.is_none() {
        return Err(StoreError::NotFound);
    }
    flag_one(wtx, id, reason).await
}

/// Flags every risk whose perimeter holds `asset_id` (RISK-04): the entry point the incident
/// module calls when an incident compromised the asset, after its own checks. How many.
pub async fn flag_for_asset(
    wtx: &mut WriteTx,
    asset_id: i64,
    reason: &Reassessment,
) -> Result<usize> {
    let risks: Vec<i64> = sqlx::query_scalar(
        "SELECT r.id FROM risks r JOIN risk_assets ra ON ra.risk_id = r.id \
         WHERE ra.asset_id = $1 AND r.archived_at IS NULL ORDER BY r.id",
    )
    .bind(asset_id)
    .fetch_all(wtx.conn())
    .await?;
    let mut n = 0;
    for risk in risks {
        n += usize::from(flag_one(wtx, risk, reason).await?);
    }
    Ok(n)
}

/// Records a major legal or regulatory change for an organization (RISK-04): every risk of
/// its subtree is flagged. How many.
pub async fn flag_for_org(
    wtx: &mut WriteTx,
    scope: Scope,
    org_id: i64,
    reason: &Reassessment,
) -> Result<usize> {
    in_scope(
        wtx.conn(),
        with_permission(scope, Permission::RiskManage),
        org_id,
    )
    .await?;
    let risks: Vec<i64> = sqlx::query_scalar(
        "SELECT r.id FROM risks r WHERE r.archived_at IS NULL AND r.org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) ORDER BY r.id",
    )
    .bind(org_id)
    .fetch_all(wtx.conn())
    .await?;
    let mut n = 0;
    for risk in risks {
        n += usize::from(flag_one(wtx, risk, reason).await?);
    }
    Ok(n)
}

/// What the daily job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DueOutcome {
    /// Risks flagged because their review date came.
    pub review_due: usize,
    /// Approvals that lapsed: their risks come back for approval.
    pub approvals_expired: usize,
}

/// The scheduler's job (RISK-04): risks past their review date are flagged; approvals past
/// their expiry end, and their risks come back to be approved. Running it twice on one day
/// changes nothing the second time.
pub async fn flag_due(wtx: &mut WriteTx, today: NaiveDate) -> Result<DueOutcome> {
    let today_text = today.to_string();
    let mut out = DueOutcome::default();
    let due = sqlx::query(
        "SELECT id, review_due FROM risks WHERE archived_at IS NULL AND review_due <= $1 ORDER BY id",
    )
    .bind(&today_text)
    .fetch_all(wtx.conn())
    .await?;
    for row in &due {
        let id: i64 = row.try_get("id")?;
        let date: String = row.try_get("review_due")?;
        let Ok(date) = date.parse::<NaiveDate>() else {
            continue;
        };
        for reason in rempart_domain::risk::due_reassessments(date, None, today) {
            out.review_due += usize::from(flag_one(wtx, id, &reason).await?);
        }
    }
    let lapsed = sqlx::query(
        "SELECT ap.id, ap.risk_id, ap.expires_on FROM risk_approvals ap JOIN risks r \
         ON r.id = ap.risk_id WHERE ap.ended_at IS NULL AND ap.expires_on <= $1 \
         AND r.archived_at IS NULL ORDER BY ap.id",
    )
    .bind(&today_text)
    .fetch_all(wtx.conn())
    .await?;
    for row in &lapsed {
        let approval: i64 = row.try_get("id")?;
        let risk: i64 = row.try_get("risk_id")?;
        let expired: String = row.try_get("expires_on")?;
        let Ok(expired) = expired.parse::<NaiveDate>() else {
            continue;
        };
        sqlx::query(
            "UPDATE risk_approvals SET ended_at = $1, ended_reason = 'expired' WHERE id = $2",
        )
        .bind(wtx.now())
        .bind(approval)
        .execute(wtx.conn())
        .await?;
        sqlx::query(
            "UPDATE risks SET status = 'proposed', updated_at = $1, version = version + 1 \
             WHERE id = $2 AND status = 'approved'",
        )
        .bind(wtx.now())
        .bind(risk)
        .execute(wtx.conn())
        .await?;
        flag_one(wtx, risk, &Reassessment::ApprovalExpired { expired }).await?;
        out.approvals_expired += 1;
    }
    Ok(out)
}

// ---------------------------------------------------------------- map

/// Counts of risks per likelihood and impact, gross and residual, over an organization's
/// subtree, on the scales of that organization's method (RISK-05).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeatMap {
    pub method: Method,
    /// `gross[l - 1][i - 1]`: risks rated likelihood `l`, impact `i`, before treatment.
    pub gross: Vec<Vec<i64>>,
    /// The same after treatment, for the risks whose residual risk is rated.
    pub residual: Vec<Vec<i64>>,
    /// Risks of bodies below whose own method rates them off these scales.
    pub off_scale: i64,
    pub risks: i64,
    pub above_threshold: i64,
}

pub async fn heat_map(store: &Store, scope: Scope, org_id: i64) -> Result<HeatMap> {
    let mut conn = store.pool.acquire().await?;
    let read = with_permission(scope, Permission::RiskRead);
    in_scope(&mut conn, read, org_id).await?;
    let (method, _) = method_for(&mut conn, org_id).await?;
    // Over a subtree the caller reaches whole, the scope clause adds nothing; from the root,
    // neither does the subtree clause (the whole network's map reads every risk once).
    let covered = crate::scope::covers_subtree(&mut conn, read, org_id).await?;
    let parent: Option<i64> =
        sqlx::query_scalar("SELECT parent_id FROM organizations WHERE id = $1")
            .bind(org_id)
            .fetch_one(&mut *conn)
            .await?;
    let subtree = "r.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)";
    let filter = match (covered, parent) {
        (true, None) => "$1 = $1".to_owned(),
        (true, Some(_)) => subtree.to_owned(),
        (false, _) => format!("{subtree} AND {}", read.condition("r.org_id")),
    };
    let rows = sqlx::query(&format!(
        "SELECT r.likelihood AS l, r.gross_impact AS i, r.residual_likelihood AS rl, \
         r.residual_impact AS ri, COUNT(*) AS n FROM risks r \
         WHERE r.archived_at IS NULL AND {filter} \
         GROUP BY r.likelihood, r.gross_impact, r.residual_likelihood, r.residual_impact"
    ))
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let ls = method.likelihood.len();
    let is = method.impact.len();
    let mut map = HeatMap {
        gross: vec![vec![0; is]; ls],
        residual: vec![vec![0; is]; ls],
        off_scale: 0,
        risks: 0,
        above_threshold: 0,
        method,
    };
    let cell = |l: i64, i: i64| -> Option<(usize, usize)> {
        let l = usize::try_from(l).ok()?.checked_sub(1)?;
        let i = usize::try_from(i).ok()?.checked_sub(1)?;
        (l < ls && i < is).then_some((l, i))
    };
    for row in &rows {
        let n: i64 = row.try_get("n")?;
        let l: i64 = row.try_get("l")?;
        let i: i64 = row.try_get("i")?;
        let rl: Option<i64> = row.try_get("rl")?;
        let ri: Option<i64> = row.try_get("ri")?;
        map.risks += n;
        let Some((gl, gi)) = cell(l, i) else {
            map.off_scale += n;
            continue;
        };
        map.gross[gl][gi] += n;
        let remaining = match (rl, ri) {
            (Some(rl), Some(ri)) => match cell(rl, ri) {
                Some((a, b)) => {
                    map.residual[a][b] += n;
                    rl * ri
                }
                None => {
                    map.off_scale += n;
                    continue;
                }
            },
            _ => l * i,
        };
        if map.method.above_threshold(remaining) {
            map.above_threshold += n;
        }
    }
    Ok(map)
}
