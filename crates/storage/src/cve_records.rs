//! CVE JSON 5 records in the store (GMVI-05): imported in one transaction (added, changed
//! or left as they were), then the vulnerabilities that name a CVE and have no CWE of their
//! own get the record's. A vulnerability's page shows the records of its CVEs: the CNA's or
//! CISA's CVSS and CISA's SSVC decision points beside what the scanner said.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use sqlx::Row;

use crate::error::Result;
use crate::write::{AuditContext, Change};
use crate::Store;

/// One record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CveRow {
    pub cve_id: String,
    pub state: String,
    pub published: Option<String>,
    pub updated: Option<String>,
    pub title: String,
    pub description: String,
    pub cvss_vector: Option<String>,
    pub cvss_score_tenths: Option<i64>,
    pub cvss_severity: Option<String>,
    pub cvss_source: Option<String>,
    pub cwes: Vec<String>,
    pub ssvc_exploitation: Option<String>,
    pub ssvc_automatable: Option<String>,
    pub ssvc_technical_impact: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CveReport {
    pub records: usize,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Vulnerabilities whose CWEs the records filled.
    pub enriched: usize,
}

const COLUMNS: &str = "cve_id, state, published, updated, title, description, cvss_vector, \
    cvss_score_tenths, cvss_severity, cvss_source, cwes, ssvc_exploitation, ssvc_automatable, \
    ssvc_technical_impact";

fn row_from(r: &sqlx::any::AnyRow) -> Result<CveRow> {
    let cwes: String = r.try_get("cwes")?;
    Ok(CveRow {
        cve_id: r.try_get("cve_id")?,
        state: r.try_get("state")?,
        published: r.try_get("published")?,
        updated: r.try_get("updated")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        cvss_vector: r.try_get("cvss_vector")?,
        cvss_score_tenths: r.try_get("cvss_score_tenths")?,
        cvss_severity: r.try_get("cvss_severity")?,
        cvss_source: r.try_get("cvss_source")?,
        cwes: cwes.split_whitespace().map(str::to_owned).collect(),
        ssvc_exploitation: r.try_get("ssvc_exploitation")?,
        ssvc_automatable: r.try_get("ssvc_automatable")?,
        ssvc_technical_impact: r.try_get("ssvc_technical_impact")?,
    })
}

/// Imports `records` whole: one transaction, one audit entry.
pub async fn import(store: &Store, ctx: AuditContext, records: &[CveRow]) -> Result<CveReport> {
    let mut wtx = store.write(ctx).await?;
    let now = wtx.now();
    let mut report = CveReport {
        records: records.len(),
        ..Default::default()
    };
    let mut existing: HashMap<String, CveRow> = HashMap::new();
    for chunk in records.chunks(500) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!("SELECT {COLUMNS} FROM cve_records WHERE cve_id IN ({list})");
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q.bind(&r.cve_id);
        }
        for row in q.fetch_all(wtx.conn()).await? {
            let r = row_from(&row)?;
            existing.insert(r.cve_id.clone(), r);
        }
    }
    for r in records {
        match existing.get(&r.cve_id) {
            Some(old) if old == r => {
                report.unchanged += 1;
                continue;
            }
            Some(_) => report.changed += 1,
            None => report.added += 1,
        }
        sqlx::query(
            "INSERT INTO cve_records (cve_id, state, published, updated, title, description, \
             cvss_vector, cvss_score_tenths, cvss_severity, cvss_source, cwes, \
             ssvc_exploitation, ssvc_automatable, ssvc_technical_impact, imported_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (cve_id) DO UPDATE SET state = excluded.state, \
             published = excluded.published, updated = excluded.updated, \
             title = excluded.title, description = excluded.description, \
             cvss_vector = excluded.cvss_vector, cvss_score_tenths = excluded.cvss_score_tenths, \
             cvss_severity = excluded.cvss_severity, cvss_source = excluded.cvss_source, \
             cwes = excluded.cwes, ssvc_exploitation = excluded.ssvc_exploitation, \
             ssvc_automatable = excluded.ssvc_automatable, \
             ssvc_technical_impact = excluded.ssvc_technical_impact, \
             imported_at = excluded.imported_at",
        )
        .bind(&r.cve_id)
        .bind(&r.state)
        .bind(r.published.as_deref())
        .bind(r.updated.as_deref())
        .bind(&r.title)
        .bind(&r.description)
        .bind(r.cvss_vector.as_deref())
        .bind(r.cvss_score_tenths)
        .bind(r.cvss_severity.as_deref())
        .bind(r.cvss_source.as_deref())
        .bind(r.cwes.join(" "))
        .bind(r.ssvc_exploitation.as_deref())
        .bind(r.ssvc_automatable.as_deref())
        .bind(r.ssvc_technical_impact.as_deref())
        .bind(now)
        .execute(wtx.conn())
        .await?;
    }

    // Vulnerabilities without CWEs of their own take those of their CVEs' records.
    let by_cve: HashMap<&str, &CveRow> = records.iter().map(|r| (r.cve_id.as_str(), r)).collect();
    let rows = sqlx::query("SELECT id, cves FROM vulnerabilities WHERE cves <> '' AND cwes = ''")
        .fetch_all(wtx.conn())
        .await?;
    for row in rows {
        let cves: String = row.try_get("cves")?;
        let cwes: BTreeSet<&str> = cves
            .split_whitespace()
            .filter_map(|c| by_cve.get(c))
            .flat_map(|r| r.cwes.iter().map(String::as_str))
            .collect();
        if cwes.is_empty() {
            continue;
        }
        sqlx::query(
            "UPDATE vulnerabilities SET cwes = $2, updated_at = $3, version = version + 1 \
             WHERE id = $1",
        )
        .bind(row.try_get::<i64, _>("id")?)
        .bind(cwes.into_iter().collect::<Vec<_>>().join(" "))
        .bind(now)
        .execute(wtx.conn())
        .await?;
        report.enriched += 1;
    }
    wtx.audit(Change {
        org_id: None,
        action: "cve.import",
        entity_type: "cve_records",
        entity_id: format!("{} records", report.records),
        before: None,
        after: Some(serde_json::json!({
            "records": report.records,
            "added": report.added,
            "changed": report.changed,
            "enriched": report.enriched,
        })),
    })
    .await?;
    wtx.commit().await?;
    Ok(report)
}

/// The records of these CVEs, in their order, those known.
pub async fn of(conn: &mut sqlx::AnyConnection, cves: &[String]) -> Result<Vec<CveRow>> {
    if cves.is_empty() {
        return Ok(Vec::new());
    }
    let cves: Vec<&String> = cves.iter().take(200).collect();
    let list = (1..=cves.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!("SELECT {COLUMNS} FROM cve_records WHERE cve_id IN ({list}) ORDER BY cve_id");
    let mut q = sqlx::query(&sql);
    for c in cves {
        q = q.bind(c);
    }
    q.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(row_from)
        .collect()
}
