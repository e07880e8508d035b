//! Privacy impact assessments in the store (PRP-02): started from a project, an asset holding
//! personal information, or a new collection; their sections saved as written; the committee's
//! opinions, the decision, the risks and controls they rely on — each through the domain's
//! `privacy_assessment` checks. The privacy officer keeps them, the committee reads them and
//! gives its opinion; every change is in the audit trail.

use chrono::NaiveDate;
use rempart_domain::authz::Permission;
use rempart_domain::privacy_assessment::{
    self as rules, AssessmentInput, DecisionInput, Factors, OpinionInput, Stage, Standing,
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

/// Starts an assessment where the caller keeps the body's privacy records. A project or an
/// asset must be the organization's or below it; an asset must hold personal information, and
/// one hosted outside Québec makes the assessment an art. 70.1 one.
pub async fn create(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    input: &AssessmentInput,
    today: NaiveDate,
) -> Result<(i64, String)> {
    let new = rules::check_new(input).map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let mut wtx = store.write(ctx).await?;
    crate::scope::require_org(wtx.conn(), scope, Permission::PrivacyManage, new.org_id).await?;
    let mut outside_quebec = new.outside_quebec;
    if let Some(project) = new.project_id {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT p.id FROM projects p WHERE p.id = $1 AND p.archived_at IS NULL AND p.org_id \
             IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $2)",
        )
        .bind(project)
        .bind(new.org_id)
        .fetch_optional(wtx.conn())
        .await?;
        if found.is_none() {
            return Err(invalid("project_id", "error-choice"));
        }
    }
    if let Some(asset) = new.asset_id {
        let r = sqlx::query(
            "SELECT a.personal_info, a.outside_quebec FROM assets a WHERE a.id = $1 \
             AND a.archived_at IS NULL AND a.org_id \
             IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $2)",
        )
        .bind(asset)
        .bind(new.org_id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or_else(|| invalid("asset_id", "error-choice"))?;
        outside_quebec = rules::check_asset_origin(
            outside_quebec,
            r.try_get::<i64, _>("personal_info")? != 0,
            r.try_get::<i64, _>("outside_quebec")? != 0,
        )
        .map_err(|e| StoreError::Invalid(ValidationErrors::single(e)))?;
    }
    let now = wtx.now();
    let factors = serde_json::to_string(&Factors::default())
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
    let id: i64 = sqlx::query(
        "INSERT INTO privacy_assessments (org_id, reference, title, trigger_kind, project_id, \
         asset_id, collection, outside_quebec, factors, status, started_on, created_by, \
         created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', \
         $10, $11, $12, $12, 1) RETURNING id",
    )
    .bind(new.org_id)
    .bind(format!("pending-{now}-{}", new.org_id))
    .bind(&new.title)
    .bind(new.trigger.as_str())
    .bind(new.project_id)
    .bind(new.asset_id)
    .bind(&new.collection)
    .bind(i64::from(outside_quebec))
    .bind(factors)
    .bind(ymd(today))
    .bind(wtx.context().actor_id)
    .bind(now)
    .fetch_one(wtx.conn())
    .await?
    .try_get("id")?;
    let reference = format!("EFVP-{}-{id:05}", chrono::Datelike::year(&today));
    sqlx::query("UPDATE privacy_assessments SET reference = $2 WHERE id = $1")
        .bind(id)
        .bind(&reference)
        .execute(wtx.conn())
        .await?;
    wtx.audit(Change {
        org_id: Some(new.org_id),
        action: "privacy_assessment.create",
        entity_type: "privacy_assessment",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({
            "reference": reference,
            "title": new.title,
            "trigger": new.trigger.as_str(),
            "project_id": new.project_id,
            "asset_id": new.asset_id,
            "outside_quebec": outside_quebec,
        })),
    })
    .await?;
    wtx.commit().await?;
    Ok((id, reference))
}

/// An assessment in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub reference: String,
    pub title: String,
    pub trigger: String,
    pub outside_quebec: bool,
    pub status: String,
    pub decision: Option<String>,
    pub started_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
    pub opinions: i64,
}

/// The columns `row_of` reads, for a list and for one assessment.
const ROW_COLUMNS: &str = "a.id, a.org_id, o.name AS org_name, a.reference, a.title, \
    a.trigger_kind, a.outside_quebec, a.status, a.decision, a.started_on, a.decided_on, \
    (SELECT COUNT(*) FROM privacy_assessment_opinions p WHERE p.assessment_id = a.id) AS opinions";
const ROW_FROM: &str = "FROM privacy_assessments a JOIN organizations o ON o.id = a.org_id";

fn row_of(r: &sqlx::any::AnyRow) -> Result<AssessmentRow> {
    Ok(AssessmentRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        reference: r.try_get("reference")?,
        title: r.try_get("title")?,
        trigger: r.try_get("trigger_kind")?,
        outside_quebec: r.try_get::<i64, _>("outside_quebec")? != 0,
        status: r.try_get("status")?,
        decision: r.try_get("decision")?,
        started_on: parse(&r.try_get::<String, _>("started_on")?)?,
        decided_on: parse_opt(r.try_get("decided_on")?)?,
        opinions: r.try_get("opinions")?,
    })
}

/// The assessments the caller may read, latest first.
pub async fn list(
    store: &Store,
    scope: Scope,
    page: &PageRequest<()>,
) -> Result<Page<AssessmentRow>> {
    let condition = scope
        .with(Permission::PrivacyGovernanceRead)
        .condition("a.org_id");
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM privacy_assessments a WHERE {condition}"
    ))
    .fetch_one(store.pool())
    .await?;
    let items = sqlx::query(&format!(
        "SELECT {ROW_COLUMNS} {ROW_FROM} WHERE {condition} ORDER BY a.created_at DESC, a.id DESC LIMIT {} OFFSET {}",
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

/// An opinion of the committee as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpinionRow {
    pub stage: String,
    pub given_on: NaiveDate,
    pub opinion: String,
    pub measures: String,
    pub person_name: Option<String>,
}

/// A record linked to an assessment: a risk or a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Linked {
    pub id: i64,
    pub label: String,
}

/// An assessment whole.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentDetail {
    pub row: AssessmentRow,
    pub collection: String,
    pub project: Option<Linked>,
    pub asset: Option<Linked>,
    pub factors: Factors,
    /// The sections a decision still needs.
    pub missing: Vec<&'static str>,
    pub decision_text: Option<String>,
    pub decided_by: Option<String>,
    pub opinions: Vec<OpinionRow>,
    pub risks: Vec<Linked>,
    pub controls: Vec<Linked>,
    pub version: i64,
}

fn factors_of(text: &str) -> Result<Factors> {
    serde_json::from_str(text).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

/// One assessment, for whom reads the body's privacy governance.
pub async fn get(store: &Store, scope: Scope, id: i64) -> Result<AssessmentDetail> {
    let condition = scope
        .with(Permission::PrivacyGovernanceRead)
        .condition("a.org_id");
    let r = sqlx::query(&format!(
        "SELECT {ROW_COLUMNS}, a.collection, a.factors, a.decision_text, a.version, \
         a.project_id, pr.name AS project_name, a.asset_id, s.name AS asset_name, \
         d.name AS decided_by {ROW_FROM} \
         LEFT JOIN projects pr ON pr.id = a.project_id LEFT JOIN assets s ON s.id = a.asset_id \
         LEFT JOIN persons d ON d.id = a.decided_by WHERE a.id = $1 AND {condition}"
    ))
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    let row = row_of(&r)?;
    let linked = |id: Option<i64>, label: Option<String>| match (id, label) {
        (Some(id), Some(label)) => Some(Linked { id, label }),
        _ => None,
    };
    let opinions = sqlx::query(
        "SELECT o.stage, o.given_on, o.opinion, o.measures, p.name FROM \
         privacy_assessment_opinions o LEFT JOIN persons p ON p.id = o.person_id \
         WHERE o.assessment_id = $1 ORDER BY o.id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|o| {
        Ok(OpinionRow {
            stage: o.try_get("stage")?,
            given_on: parse(&o.try_get::<String, _>("given_on")?)?,
            opinion: o.try_get("opinion")?,
            measures: o.try_get("measures")?,
            person_name: o.try_get("name")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let links = |sql: &'static str| async move {
        sqlx::query(sql)
            .bind(id)
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|l| {
                Ok(Linked {
                    id: l.try_get("id")?,
                    label: l.try_get("label")?,
                })
            })
            .collect::<Result<Vec<_>>>()
    };
    let risks = links(
        "SELECT r.id, r.title AS label FROM privacy_assessment_risks l \
         JOIN risks r ON r.id = l.risk_id WHERE l.assessment_id = $1 ORDER BY r.title, r.id",
    )
    .await?;
    let controls = links(
        "SELECT c.id, c.label || ' ' || c.title AS label FROM privacy_assessment_controls l \
         JOIN controls c ON c.id = l.control_id WHERE l.assessment_id = $1 \
         ORDER BY c.sort_id, c.id",
    )
    .await?;
    let factors = factors_of(&r.try_get::<String, _>("factors")?)?;
    Ok(AssessmentDetail {
        collection: r.try_get("collection")?,
        project: linked(r.try_get("project_id")?, r.try_get("project_name")?),
        asset: linked(r.try_get("asset_id")?, r.try_get("asset_name")?),
        missing: rules::missing_sections(&factors, row.outside_quebec),
        factors,
        decision_text: r.try_get("decision_text")?,
        decided_by: r.try_get("decided_by")?,
        opinions,
        risks,
        controls,
        version: r.try_get("version")?,
        row,
    })
}

/// What the checks need of an assessment the caller may act on with `permission`, locked for
/// the change.
struct Held {
    org_id: i64,
    outside_quebec: bool,
    factors: Factors,
    standing: Standing,
}

async fn hold(wtx: &mut WriteTx, scope: Scope, permission: Permission, id: i64) -> Result<Held> {
    let r = sqlx::query(&format!(
        "SELECT a.org_id, a.outside_quebec, a.factors, a.status, a.started_on, \
         (SELECT o.stage FROM privacy_assessment_opinions o WHERE o.assessment_id = a.id \
          ORDER BY o.id DESC LIMIT 1) AS last_stage, \
         (SELECT o.given_on FROM privacy_assessment_opinions o WHERE o.assessment_id = a.id \
          ORDER BY o.id DESC LIMIT 1) AS last_on \
         FROM privacy_assessments a WHERE a.id = $1 AND {}",
        scope.with(permission).condition("a.org_id")
    ))
    .bind(id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    let last_stage: Option<String> = r.try_get("last_stage")?;
    let last_on = parse_opt(r.try_get("last_on")?)?;
    Ok(Held {
        org_id: r.try_get("org_id")?,
        outside_quebec: r.try_get::<i64, _>("outside_quebec")? != 0,
        factors: factors_of(&r.try_get::<String, _>("factors")?)?,
        standing: Standing {
            decided: r.try_get::<String, _>("status")? == "decided",
            last_opinion: match (last_stage.as_deref().and_then(Stage::parse), last_on) {
                (Some(s), Some(on)) => Some((s, on)),
                _ => None,
            },
            started_on: parse(&r.try_get::<String, _>("started_on")?)?,
        },
    })
}

async fn touch(wtx: &mut WriteTx, id: i64) -> Result<()> {
    let now = wtx.now();
    sqlx::query(
        "UPDATE privacy_assessments SET updated_at = $2, version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(wtx.conn())
    .await?;
    Ok(())
}

/// Saves the sections as written (blanks allowed) while the assessment is open. The trail
/// names the sections changed.
pub async fn save_factors(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    input: &Factors,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let held = hold(&mut wtx, scope, Permission::PrivacyManage, id).await?;
    let factors =
        rules::check_factors(input).map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    if held.standing.decided {
        return Err(invalid("purposes", "error-pia-decided"));
    }
    let changed = factors.changed_from(&held.factors);
    let text = serde_json::to_string(&factors)
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
    sqlx::query("UPDATE privacy_assessments SET factors = $2 WHERE id = $1")
        .bind(id)
        .bind(text)
        .execute(wtx.conn())
        .await?;
    touch(&mut wtx, id).await?;
    wtx.audit(Change {
        org_id: Some(held.org_id),
        action: "privacy_assessment.sections",
        entity_type: "privacy_assessment",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({ "sections": changed })),
    })
    .await?;
    wtx.commit().await
}

/// Records the committee's opinion at a stage, by a member of the committee.
pub async fn record_opinion(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    input: &OpinionInput,
    today: NaiveDate,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let held = hold(&mut wtx, scope, Permission::CommitteeOpinion, id).await?;
    let opinion = rules::check_opinion(held.standing, input, today)
        .map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let now = wtx.now();
    sqlx::query(
        "INSERT INTO privacy_assessment_opinions (assessment_id, stage, given_on, opinion, \
         measures, person_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(opinion.stage.as_str())
    .bind(ymd(opinion.given_on))
    .bind(&opinion.opinion)
    .bind(&opinion.measures)
    .bind(wtx.context().actor_id)
    .bind(now)
    .execute(wtx.conn())
    .await?;
    touch(&mut wtx, id).await?;
    wtx.audit(Change {
        org_id: Some(held.org_id),
        action: "privacy_assessment.opinion",
        entity_type: "privacy_assessment",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({
            "stage": opinion.stage.as_str(),
            "given_on": ymd(opinion.given_on),
        })),
    })
    .await?;
    wtx.commit().await
}

/// Records the decision, which closes the assessment.
pub async fn decide(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    input: &DecisionInput,
    today: NaiveDate,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let held = hold(&mut wtx, scope, Permission::PrivacyManage, id).await?;
    let made = rules::check_decision(
        held.standing,
        &held.factors,
        held.outside_quebec,
        input,
        today,
    )
    .map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let done = sqlx::query(
        "UPDATE privacy_assessments SET status = 'decided', decision = $2, decision_text = $3, \
         decided_on = $4, decided_by = $5 WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(made.decision.as_str())
    .bind(&made.text)
    .bind(ymd(made.decided_on))
    .bind(wtx.context().actor_id)
    .execute(wtx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    touch(&mut wtx, id).await?;
    wtx.audit(Change {
        org_id: Some(held.org_id),
        action: "privacy_assessment.decide",
        entity_type: "privacy_assessment",
        entity_id: id.to_string(),
        before: Some(json!({ "status": "open" })),
        after: Some(json!({
            "decision": made.decision.as_str(),
            "decided_on": ymd(made.decided_on),
        })),
    })
    .await?;
    wtx.commit().await
}

/// Links a risk of the assessment's organization (or below it) that the caller can read.
pub async fn link_risk(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    risk_id: i64,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let held = hold(&mut wtx, scope, Permission::PrivacyManage, id).await?;
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT r.id FROM risks r WHERE r.id = $1 AND r.archived_at IS NULL AND {} AND r.org_id \
         IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $2)",
        scope.with(Permission::RiskRead).condition("r.org_id")
    ))
    .bind(risk_id)
    .bind(held.org_id)
    .fetch_optional(wtx.conn())
    .await?;
    if found.is_none() {
        return Err(invalid("risk_id", "error-choice"));
    }
    link(&mut wtx, held.org_id, id, "risk", risk_id).await?;
    wtx.commit().await
}

/// Links a control, named by its key (`ac-2`), from a catalogue the assessment's organization
/// uses (its own or one above it; the nearest wins).
pub async fn link_control(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    control_key: &str,
) -> Result<i64> {
    let mut wtx = store.write(ctx).await?;
    let held = hold(&mut wtx, scope, Permission::PrivacyManage, id).await?;
    let key = control_key.trim().to_lowercase();
    if key.is_empty() {
        return Err(invalid("control_key", "error-required"));
    }
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT c.id FROM controls c JOIN control_catalogs k ON k.id = c.catalog_id \
         JOIN org_closure oc ON oc.ancestor_id = k.org_id AND oc.descendant_id = $2 \
         WHERE LOWER(c.control_key) = $1 ORDER BY oc.depth, k.kind, k.id LIMIT 1",
    )
    .bind(&key)
    .bind(held.org_id)
    .fetch_optional(wtx.conn())
    .await?;
    let Some(control_id) = found else {
        return Err(invalid("control_key", "error-pia-control-unknown"));
    };
    link(&mut wtx, held.org_id, id, "control", control_id).await?;
    wtx.commit().await?;
    Ok(control_id)
}

async fn link(wtx: &mut WriteTx, org_id: i64, id: i64, kind: &str, other: i64) -> Result<()> {
    let (table, column) = match kind {
        "risk" => ("privacy_assessment_risks", "risk_id"),
        _ => ("privacy_assessment_controls", "control_id"),
    };
    let now = wtx.now();
    let done = sqlx::query(&format!(
        "INSERT INTO {table} (assessment_id, {column}, linked_at) VALUES ($1, $2, $3) \
         ON CONFLICT (assessment_id, {column}) DO NOTHING"
    ))
    .bind(id)
    .bind(other)
    .bind(now)
    .execute(wtx.conn())
    .await?;
    if done.rows_affected() > 0 {
        wtx.audit(Change {
            org_id: Some(org_id),
            action: if kind == "risk" {
                "privacy_assessment.link_risk"
            } else {
                "privacy_assessment.link_control"
            },
            entity_type: "privacy_assessment",
            entity_id: id.to_string(),
            before: None,
            after: Some(json!({ column: other })),
        })
        .await?;
    }
    Ok(())
}

/// What a link joins an assessment to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Risk,
    Control,
}

/// Removes a link made in error, while the assessment is open; audited.
pub async fn unlink(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    kind: LinkKind,
    other: i64,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let held = hold(&mut wtx, scope, Permission::PrivacyManage, id).await?;
    if held.standing.decided {
        return Err(invalid("decision", "error-pia-decided"));
    }
    let (table, column, action) = match kind {
        LinkKind::Risk => (
            "privacy_assessment_risks",
            "risk_id",
            "privacy_assessment.unlink_risk",
        ),
        LinkKind::Control => (
            "privacy_assessment_controls",
            "control_id",
            "privacy_assessment.unlink_control",
        ),
    };
    let done = sqlx::query(&format!(
        "DELETE FROM {table} WHERE assessment_id = $1 AND {column} = $2"
    ))
    .bind(id)
    .bind(other)
    .execute(wtx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    wtx.audit(Change {
        org_id: Some(held.org_id),
        action,
        entity_type: "privacy_assessment",
        entity_id: id.to_string(),
        before: Some(json!({ column: other })),
        after: None,
    })
    .await?;
    wtx.commit().await
}

/// An asset that needs an assessment and has none (or only refused ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetNeed {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub hosting_provider: String,
}

const NEEDS_ASSESSMENT: &str = "a.personal_info = 1 AND a.outside_quebec = 1 \
    AND a.archived_at IS NULL AND NOT EXISTS (SELECT 1 FROM privacy_assessments p \
    WHERE p.asset_id = a.id AND (p.decision IS NULL OR p.decision <> 'refused'))";

/// The assets in the caller's reach that hold personal information outside Québec without an
/// assessment under way or approved (art. 70.1): flagged.
pub async fn assets_needing(store: &Store, scope: Scope) -> Result<Vec<AssetNeed>> {
    sqlx::query(&format!(
        "SELECT a.id, a.org_id, o.name AS org_name, a.name, a.hosting_provider FROM assets a \
         JOIN organizations o ON o.id = a.org_id WHERE {NEEDS_ASSESSMENT} AND {} \
         ORDER BY o.name, a.name, a.id LIMIT 500",
        scope
            .with(Permission::PrivacyGovernanceRead)
            .condition("a.org_id")
    ))
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(AssetNeed {
            id: r.try_get("id")?,
            org_id: r.try_get("org_id")?,
            org_name: r.try_get("org_name")?,
            name: r.try_get("name")?,
            hosting_provider: r.try_get("hosting_provider")?,
        })
    })
    .collect()
}

/// Where one asset stands (for its page, which anyone who reads the asset sees): whether it
/// needs an assessment it lacks, and the references of those made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetStanding {
    pub needs_one: bool,
    pub assessments: Vec<(String, String, Option<String>)>,
}

pub async fn asset_standing(store: &Store, asset_id: i64) -> Result<AssetStanding> {
    let needs: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM assets a WHERE a.id = $1 AND {NEEDS_ASSESSMENT}"
    ))
    .bind(asset_id)
    .fetch_one(store.pool())
    .await?;
    let assessments = sqlx::query(
        "SELECT reference, status, decision FROM privacy_assessments WHERE asset_id = $1 \
         ORDER BY id",
    )
    .bind(asset_id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get("reference")?,
            r.try_get("status")?,
            r.try_get("decision")?,
        ))
    })
    .collect::<Result<Vec<_>>>()?;
    Ok(AssetStanding {
        needs_one: needs > 0,
        assessments,
    })
}

/// The projects an assessment may start from: where the caller keeps the privacy records.
pub async fn projects_managed(store: &Store, scope: Scope) -> Result<Vec<(i64, String)>> {
    crate::list::id_labels(
        store,
        &format!(
            "SELECT p.id, o.name || ' — ' || p.name AS label FROM projects p \
             JOIN organizations o ON o.id = p.org_id WHERE p.archived_at IS NULL AND {} \
             ORDER BY o.name, p.name, p.id LIMIT 1000",
            scope.with(Permission::PrivacyManage).condition("p.org_id")
        ),
    )
    .await
}

/// The assets holding personal information where the caller keeps the privacy records: what
/// an assessment may start from, or a file be kept in.
pub async fn personal_info_assets(store: &Store, scope: Scope) -> Result<Vec<(i64, String)>> {
    crate::list::id_labels(
        store,
        &format!(
            "SELECT a.id, o.name || ' — ' || a.name AS label FROM assets a \
             JOIN organizations o ON o.id = a.org_id WHERE a.personal_info = 1 \
             AND a.archived_at IS NULL AND {} ORDER BY o.name, a.name, a.id LIMIT 1000",
            scope.with(Permission::PrivacyManage).condition("a.org_id")
        ),
    )
    .await
}

/// The risks an assessment may be linked to: its organization's and below, that the caller
/// reads.
pub async fn risk_choices(store: &Store, scope: Scope, org_id: i64) -> Result<Vec<(i64, String)>> {
    sqlx::query(&format!(
        "SELECT r.id, r.title FROM risks r WHERE r.archived_at IS NULL AND {} AND r.org_id \
         IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) \
         ORDER BY r.title, r.id LIMIT 1000",
        scope.with(Permission::RiskRead).condition("r.org_id")
    ))
    .bind(org_id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("title")?)))
    .collect()
}

/// Whether an assessment of the body (or above or below it, that the caller reads) may back a
/// communication outside Québec (the domain's `backs_communication_abroad`); `None` when no
/// such assessment is in reach.
pub(crate) async fn backs_communication_abroad(
    conn: &mut sqlx::AnyConnection,
    scope: Scope,
    org_id: i64,
    id: i64,
) -> Result<Option<bool>> {
    let r = sqlx::query(&format!(
        "SELECT a.outside_quebec, a.decision FROM privacy_assessments a WHERE a.id = $1 AND {} \
         AND (a.org_id IN (SELECT ancestor_id FROM org_closure WHERE descendant_id = $2) \
         OR a.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $2))",
        scope
            .with(Permission::PrivacyGovernanceRead)
            .condition("a.org_id")
    ))
    .bind(id)
    .bind(org_id)
    .fetch_optional(conn)
    .await?;
    r.map(|r| {
        let decision: Option<String> = r.try_get("decision")?;
        Ok(rules::backs_communication_abroad(
            r.try_get::<i64, _>("outside_quebec")? != 0,
            decision.as_deref().and_then(rules::Decision::parse),
        ))
    })
    .transpose()
}
