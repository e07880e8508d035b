//! Security advisories in the store (GMVI-07): an advisory recorded for a body (imported from
//! CSAF or entered by hand) is matched, in the same transaction, to the software components
//! of the body's assets and of the units below it; the holder of each newly matched asset,
//! or of one whose status worsened, is notified. Recording the same advisory again (same
//! publisher and tracking id) updates it and its matches; an identical document changes
//! nothing. Scope is in every query.

use std::collections::HashMap;

use rempart_domain::advisory::{match_assets, Advisory, Component, ProductStatus};
use rempart_domain::authz::Permission;
use serde::Serialize;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::inbox::{self, Message, Notifier};
use crate::scope::Scope;
use crate::write::{AuditContext, Change};
use crate::Store;

/// What recording an advisory did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AdvisoryReport {
    pub advisory_id: i64,
    /// First time this publisher's tracking id was recorded for the body.
    pub created: bool,
    /// The same document as last time: nothing was written.
    pub unchanged: bool,
    pub products: usize,
    pub cves: usize,
    /// Assets the advisory concerns now.
    pub matched_assets: usize,
    /// Matches new or whose status worsened: their holders were notified.
    pub new_matches: usize,
    pub holders_notified: usize,
}

/// Where the advisory comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdvisorySource {
    Csaf,
    Manual,
}

impl AdvisorySource {
    pub fn as_str(self) -> &'static str {
        match self {
            AdvisorySource::Csaf => "csaf",
            AdvisorySource::Manual => "manual",
        }
    }
}

fn scoped(scope: Scope, permission: Permission) -> Scope {
    match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, permission),
        other => other,
    }
}

/// An advisory to record: for which body, from where, and the document's SHA-256 when it
/// came as a file (the same file again then changes nothing).
#[derive(Debug, Clone, Copy)]
pub struct Recording<'a> {
    pub org_id: i64,
    pub advisory: &'a Advisory,
    pub source: AdvisorySource,
    pub sha256: Option<&'a str>,
}

/// Whether `scope` may record advisories for `org_id` ([`Permission::VulnerabilityImport`]):
/// `NotFound` otherwise, asked before anything about the input is said.
pub async fn check_reach(store: &Store, scope: Scope, org_id: i64) -> Result<()> {
    let allowed = format!(
        "SELECT id FROM organizations WHERE id = $1 AND archived_at IS NULL AND {}",
        scoped(scope, Permission::VulnerabilityImport).condition("id")
    );
    match sqlx::query(&allowed)
        .bind(org_id)
        .fetch_optional(store.pool())
        .await?
    {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound),
    }
}

/// Records the advisory for its body (which `scope` must reach with
/// [`Permission::VulnerabilityImport`]) and matches it to the assets.
pub async fn record(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    notifier: &Notifier<'_>,
    recording: Recording<'_>,
) -> Result<AdvisoryReport> {
    let Recording {
        org_id,
        advisory,
        source,
        sha256,
    } = recording;
    check_reach(store, scope, org_id).await?;
    // The software components of the body's assets and of the units below it, matched on a
    // blocking thread before the write transaction begins: a large advisory against a large
    // inventory holds no writer back while it is compared.
    let rows = sqlx::query(
        "SELECT a.id, a.name, a.holder_id, i.kind, i.value FROM assets a \
         JOIN asset_identifiers i ON i.asset_id = a.id \
         WHERE a.archived_at IS NULL AND i.kind IN ('cpe', 'purl') AND a.org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) ORDER BY a.id, i.id",
    )
    .bind(org_id)
    .fetch_all(store.pool())
    .await?;
    let mut components = Vec::with_capacity(rows.len());
    let mut assets: HashMap<i64, (String, i64)> = HashMap::new();
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let kind: String = row.try_get("kind")?;
        let value: String = row.try_get("value")?;
        assets.insert(id, (row.try_get("name")?, row.try_get("holder_id")?));
        if let Some(c) = Component::from_identifier(&kind, &value) {
            components.push((id, value, c));
        }
    }
    let owned = advisory.clone();
    let matches = tokio::task::spawn_blocking(move || match_assets(&owned, &components))
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;

    let mut wtx = store.write(ctx).await?;
    let allowed = format!(
        "SELECT id FROM organizations WHERE id = $1 AND archived_at IS NULL AND {}",
        scoped(scope, Permission::VulnerabilityImport).condition("id")
    );
    if sqlx::query(&allowed)
        .bind(org_id)
        .fetch_optional(wtx.conn())
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound);
    }
    let now = wtx.now();
    let cves = advisory.cves();
    let severity = advisory.effective_severity().map(|s| s.as_str());
    let existing = sqlx::query(
        "SELECT id, version, document_sha256 FROM advisories \
         WHERE org_id = $1 AND publisher = $2 AND tracking_id = $3",
    )
    .bind(org_id)
    .bind(&advisory.publisher)
    .bind(&advisory.tracking_id)
    .fetch_optional(wtx.conn())
    .await?;
    let mut report = AdvisoryReport {
        products: advisory.products.len(),
        cves: cves.len(),
        ..Default::default()
    };
    let advisory_id: i64 = match existing {
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            let old_sha: Option<String> = row.try_get("document_sha256")?;
            let old_version: String = row.try_get("version")?;
            report.advisory_id = id;
            if sha256.is_some() && old_sha.as_deref() == sha256 && old_version == advisory.version {
                report.unchanged = true;
                report.matched_assets = sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM advisory_matches WHERE advisory_id = $1",
                )
                .bind(id)
                .fetch_one(wtx.conn())
                .await? as usize;
                wtx.rollback().await?;
                return Ok(report);
            }
            sqlx::query(
                "UPDATE advisories SET source = $2, version = $3, category = $4, title = $5, \
                 severity = $6, cves = $7, summary = $8, url = $9, initial_release = $10, \
                 current_release = $11, product_count = $12, document_sha256 = $13, \
                 updated_at = $14 WHERE id = $1",
            )
            .bind(id)
            .bind(source.as_str())
            .bind(&advisory.version)
            .bind(&advisory.category)
            .bind(&advisory.title)
            .bind(severity)
            .bind(cves.join(" "))
            .bind(&advisory.summary)
            .bind(advisory.url.as_deref())
            .bind(advisory.initial_release.as_deref())
            .bind(advisory.current_release.as_deref())
            .bind(advisory.products.len() as i64)
            .bind(sha256)
            .bind(now)
            .execute(wtx.conn())
            .await?;
            id
        }
        None => {
            report.created = true;
            let row = sqlx::query(
                "INSERT INTO advisories (org_id, source, publisher, tracking_id, version, \
                 category, title, severity, cves, summary, url, initial_release, \
                 current_release, product_count, document_sha256, recorded_by, recorded_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                 $14, $15, $16, $17, $18) RETURNING id",
            )
            .bind(org_id)
            .bind(source.as_str())
            .bind(&advisory.publisher)
            .bind(&advisory.tracking_id)
            .bind(&advisory.version)
            .bind(&advisory.category)
            .bind(&advisory.title)
            .bind(severity)
            .bind(cves.join(" "))
            .bind(&advisory.summary)
            .bind(advisory.url.as_deref())
            .bind(advisory.initial_release.as_deref())
            .bind(advisory.current_release.as_deref())
            .bind(advisory.products.len() as i64)
            .bind(sha256)
            .bind(wtx.context().actor_id)
            .bind(now)
            .bind(now)
            .fetch_one(wtx.conn())
            .await?;
            let id: i64 = row.try_get("id")?;
            report.advisory_id = id;
            id
        }
    };

    report.matched_assets = matches.len();

    let before: HashMap<i64, String> =
        sqlx::query("SELECT asset_id, status FROM advisory_matches WHERE advisory_id = $1")
            .bind(advisory_id)
            .fetch_all(wtx.conn())
            .await?
            .into_iter()
            .map(|r| Ok((r.try_get("asset_id")?, r.try_get("status")?)))
            .collect::<Result<_>>()?;

    let mut to_notify = Vec::new();
    for m in &matches {
        // Every match is of an asset read above, hence present; a miss is skipped, not a panic.
        let Some((_, holder)) = assets.get(&m.asset_id) else {
            continue;
        };
        let worse = match before.get(&m.asset_id) {
            None => true,
            Some(old) => ProductStatus::parse(old).is_none_or(|old| m.status > old),
        };
        let same = before.get(&m.asset_id).map(String::as_str) == Some(m.status.as_str());
        if before.contains_key(&m.asset_id) {
            sqlx::query(
                "UPDATE advisory_matches SET status = $3, products = $4, product_count = $5, \
                 cves = $6, matched_on = $7 WHERE advisory_id = $1 AND asset_id = $2",
            )
            .bind(advisory_id)
            .bind(m.asset_id)
            .bind(m.status.as_str())
            .bind(m.products.join("\n"))
            .bind(m.product_count as i64)
            .bind(m.cves.join(" "))
            .bind(&m.matched_on)
            .execute(wtx.conn())
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO advisory_matches (advisory_id, asset_id, status, products, \
                 product_count, cves, matched_on, matched_at, notified_person_id, notified_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)",
            )
            .bind(advisory_id)
            .bind(m.asset_id)
            .bind(m.status.as_str())
            .bind(m.products.join("\n"))
            .bind(m.product_count as i64)
            .bind(m.cves.join(" "))
            .bind(&m.matched_on)
            .bind(now)
            .execute(wtx.conn())
            .await?;
        }
        if worse && !same {
            to_notify.push((m, *holder));
        }
    }
    // Assets no longer concerned (a corrected advisory, a changed component) lose their match.
    let kept: std::collections::HashSet<i64> = matches.iter().map(|m| m.asset_id).collect();
    for asset_id in before.keys().filter(|id| !kept.contains(id)) {
        sqlx::query("DELETE FROM advisory_matches WHERE advisory_id = $1 AND asset_id = $2")
            .bind(advisory_id)
            .bind(*asset_id)
            .execute(wtx.conn())
            .await?;
    }

    report.new_matches = to_notify.len();
    let mut holders = std::collections::BTreeSet::new();
    for (m, holder) in &to_notify {
        let Some((asset_name, _)) = assets.get(&m.asset_id) else {
            continue;
        };
        let sent = inbox::notify(
            &mut wtx,
            notifier,
            &[*holder],
            None,
            &Message {
                kind: "advisory-match",
                args: vec![
                    ("reference", advisory.tracking_id.clone()),
                    ("title", advisory.title.clone()),
                    ("asset", asset_name.clone()),
                    ("status", m.status.as_str().to_owned()),
                    ("cves", m.cves.join(", ")),
                ],
                link: format!("/advisories/{advisory_id}"),
            },
        )
        .await?;
        if sent > 0 {
            holders.insert(*holder);
            sqlx::query(
                "UPDATE advisory_matches SET notified_person_id = $3, notified_at = $4 \
                 WHERE advisory_id = $1 AND asset_id = $2",
            )
            .bind(advisory_id)
            .bind(m.asset_id)
            .bind(*holder)
            .bind(now)
            .execute(wtx.conn())
            .await?;
        }
    }
    report.holders_notified = holders.len();

    wtx.audit(Change {
        org_id: Some(org_id),
        action: if report.created {
            "advisory.record"
        } else {
            "advisory.update"
        },
        entity_type: "advisory",
        entity_id: advisory_id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "source": source.as_str(),
            "publisher": advisory.publisher,
            "tracking_id": advisory.tracking_id,
            "version": advisory.version,
            "document_sha256": sha256,
            "cves": cves,
            "matched_assets": matches.iter().map(|m| m.asset_id).collect::<Vec<_>>(),
            "notified": to_notify.iter().map(|(m, h)| serde_json::json!({"asset_id": m.asset_id, "holder_id": h})).collect::<Vec<_>>(),
        })),
    })
    .await?;
    wtx.commit().await?;
    Ok(report)
}

/// An advisory as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvisoryRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub source: String,
    pub publisher: String,
    pub tracking_id: String,
    pub version: String,
    pub title: String,
    pub severity: Option<String>,
    pub cves: Vec<String>,
    pub current_release: Option<String>,
    pub matched_assets: i64,
    pub affected_assets: i64,
    pub updated_at: i64,
}

const ROW_COLUMNS: &str = "d.id, d.org_id, o.name AS org_name, d.source, d.publisher, \
    d.tracking_id, d.version, d.title, d.severity, d.cves, d.current_release, d.updated_at, \
    (SELECT COUNT(*) FROM advisory_matches m WHERE m.advisory_id = d.id) AS matched_assets, \
    (SELECT COUNT(*) FROM advisory_matches m WHERE m.advisory_id = d.id \
     AND m.status = 'affected') AS affected_assets";

fn row_from(row: &sqlx::any::AnyRow) -> Result<AdvisoryRow> {
    let cves: String = row.try_get("cves")?;
    Ok(AdvisoryRow {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        source: row.try_get("source")?,
        publisher: row.try_get("publisher")?,
        tracking_id: row.try_get("tracking_id")?,
        version: row.try_get("version")?,
        title: row.try_get("title")?,
        severity: row.try_get("severity")?,
        cves: cves.split_whitespace().map(str::to_owned).collect(),
        current_release: row.try_get("current_release")?,
        matched_assets: row.try_get("matched_assets")?,
        affected_assets: row.try_get("affected_assets")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The advisories in reach, the most recently updated first; `org_id` narrows to a body and
/// the units below it, `only_matched` to those that concern an asset.
pub async fn list(
    store: &Store,
    scope: Scope,
    org_id: Option<i64>,
    only_matched: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<AdvisoryRow>> {
    let mut sql = format!(
        "SELECT {ROW_COLUMNS} FROM advisories d JOIN organizations o ON o.id = d.org_id \
         WHERE {}",
        scoped(scope, Permission::VulnerabilityRead).condition("d.org_id")
    );
    if org_id.is_some() {
        sql.push_str(
            " AND d.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $3)",
        );
    }
    if only_matched {
        sql.push_str(" AND EXISTS (SELECT 1 FROM advisory_matches m WHERE m.advisory_id = d.id)");
    }
    sql.push_str(" ORDER BY d.updated_at DESC, d.id DESC LIMIT $1 OFFSET $2");
    let mut q = sqlx::query(&sql).bind(limit).bind(offset);
    if let Some(org) = org_id {
        q = q.bind(org);
    }
    q.fetch_all(store.pool())
        .await?
        .iter()
        .map(row_from)
        .collect()
}

/// One asset an advisory concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchRow {
    pub asset_id: i64,
    pub asset_name: String,
    pub holder_id: i64,
    pub holder_name: String,
    pub status: String,
    pub products: Vec<String>,
    pub product_count: i64,
    pub cves: Vec<String>,
    pub matched_on: String,
    pub matched_at: i64,
    pub notified_at: Option<i64>,
}

/// An advisory with the assets it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvisoryDetail {
    #[serde(flatten)]
    pub row: AdvisoryRow,
    pub category: String,
    pub summary: String,
    pub url: Option<String>,
    pub initial_release: Option<String>,
    pub product_count: i64,
    pub document_sha256: Option<String>,
    pub matches: Vec<MatchRow>,
}

pub async fn get(store: &Store, scope: Scope, id: i64) -> Result<AdvisoryDetail> {
    let sql = format!(
        "SELECT {ROW_COLUMNS}, d.category, d.summary, d.url, d.initial_release, \
         d.product_count, d.document_sha256 FROM advisories d \
         JOIN organizations o ON o.id = d.org_id WHERE d.id = $1 AND {}",
        scoped(scope, Permission::VulnerabilityRead).condition("d.org_id")
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    // Only the matched assets the caller reaches: a holder of the body does not see the
    // assets of units below it.
    let matches_sql = format!(
        "SELECT m.asset_id, a.name AS asset_name, a.holder_id, p.name AS holder_name, \
         m.status, m.products, m.product_count, m.cves, m.matched_on, m.matched_at, \
         m.notified_at FROM advisory_matches m JOIN assets a ON a.id = m.asset_id \
         JOIN persons p ON p.id = a.holder_id WHERE m.advisory_id = $1 AND {} \
         ORDER BY CASE m.status WHEN 'affected' THEN 0 WHEN 'under_investigation' THEN 1 \
         ELSE 2 END, a.name",
        scoped(scope, Permission::VulnerabilityRead).condition("a.org_id")
    );
    let matches = sqlx::query(&matches_sql)
        .bind(id)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|m| {
            let products: String = m.try_get("products")?;
            let cves: String = m.try_get("cves")?;
            Ok(MatchRow {
                asset_id: m.try_get("asset_id")?,
                asset_name: m.try_get("asset_name")?,
                holder_id: m.try_get("holder_id")?,
                holder_name: m.try_get("holder_name")?,
                status: m.try_get("status")?,
                products: products.lines().map(str::to_owned).collect(),
                product_count: m.try_get("product_count")?,
                cves: cves.split_whitespace().map(str::to_owned).collect(),
                matched_on: m.try_get("matched_on")?,
                matched_at: m.try_get("matched_at")?,
                notified_at: m.try_get("notified_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(AdvisoryDetail {
        row: row_from(&row)?,
        category: row.try_get("category")?,
        summary: row.try_get("summary")?,
        url: row.try_get("url")?,
        initial_release: row.try_get("initial_release")?,
        product_count: row.try_get("product_count")?,
        document_sha256: row.try_get("document_sha256")?,
        matches,
    })
}
