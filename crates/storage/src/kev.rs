//! CISA's known-exploited catalogue in the store (GMVI-05): imported whole in one transaction
//! (entries added, changed or left as they were), then every vulnerability whose CVEs it
//! lists is flagged with the date CISA added it and the date CISA set for its remediation.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use crate::error::Result;
use crate::write::{AuditContext, Change};
use crate::Store;

/// One entry, as read from the catalogue; dates as YYYY-MM-DD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevRecord {
    pub cve_id: String,
    pub vendor: String,
    pub product: String,
    pub name: String,
    pub date_added: String,
    pub due_date: Option<String>,
    pub required_action: String,
    pub ransomware: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KevReport {
    pub entries: usize,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Vulnerabilities whose flag this import set or changed.
    pub flagged: usize,
}

/// The catalogue in memory: CVE → (added on, due on).
pub type KevIndex = HashMap<String, (String, Option<String>)>;

pub async fn index(conn: &mut sqlx::AnyConnection) -> Result<KevIndex> {
    let rows = sqlx::query("SELECT cve_id, date_added, due_date FROM kev_entries")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        out.insert(
            row.try_get::<String, _>("cve_id")?,
            (row.try_get("date_added")?, row.try_get("due_date")?),
        );
    }
    Ok(out)
}

/// The flag of a vulnerability with these CVEs (the domain's `kev_flag`).
pub fn flag(index: &KevIndex, cves: &[String]) -> Option<(String, Option<String>)> {
    rempart_domain::vulnerability::kev_flag(cves.iter().filter_map(|c| index.get(c)))
}

pub async fn import(
    store: &Store,
    ctx: AuditContext,
    version: &str,
    records: &[KevRecord],
) -> Result<KevReport> {
    let mut wtx = store.write(ctx).await?;
    let now = wtx.now();
    let existing: HashMap<String, KevRecord> = sqlx::query(
        "SELECT cve_id, vendor, product, name, date_added, due_date, required_action, ransomware \
         FROM kev_entries",
    )
    .fetch_all(wtx.conn())
    .await?
    .into_iter()
    .map(|row| {
        Ok(KevRecord {
            cve_id: row.try_get("cve_id")?,
            vendor: row.try_get("vendor")?,
            product: row.try_get("product")?,
            name: row.try_get("name")?,
            date_added: row.try_get("date_added")?,
            due_date: row.try_get("due_date")?,
            required_action: row.try_get("required_action")?,
            ransomware: row.try_get("ransomware")?,
        })
        .map(|r: KevRecord| (r.cve_id.clone(), r))
    })
    .collect::<Result<_>>()?;

    let mut report = KevReport {
        entries: records.len(),
        ..Default::default()
    };
    let mut to_write = Vec::new();
    for r in records {
        match existing.get(&r.cve_id) {
            None => {
                report.added += 1;
                to_write.push(r);
            }
            Some(old) if old != r => {
                report.changed += 1;
                to_write.push(r);
            }
            Some(_) => report.unchanged += 1,
        }
    }
    for chunk in to_write.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO kev_entries (cve_id, vendor, product, name, date_added, due_date, \
             required_action, ransomware, catalogue_version, imported_at) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 10;
            sql.push('(');
            sql.push_str(
                &(1..=10)
                    .map(|c| format!("${}", b + c))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            sql.push(')');
        }
        sql.push_str(
            " ON CONFLICT (cve_id) DO UPDATE SET vendor = excluded.vendor, product = excluded.product, \
             name = excluded.name, date_added = excluded.date_added, due_date = excluded.due_date, \
             required_action = excluded.required_action, ransomware = excluded.ransomware, \
             catalogue_version = excluded.catalogue_version, imported_at = excluded.imported_at",
        );
        let sql = crate::dialect::numbered_params(&sql, wtx.engine());
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(&r.cve_id)
                .bind(&r.vendor)
                .bind(&r.product)
                .bind(&r.name)
                .bind(&r.date_added)
                .bind(r.due_date.as_deref())
                .bind(&r.required_action)
                .bind(&r.ransomware)
                .bind(version)
                .bind(now);
        }
        q.execute(wtx.conn()).await?;
    }

    // Flag the vulnerabilities: read their CVEs once, group the changes by flag.
    let index = index(wtx.conn()).await?;
    let rows = sqlx::query(
        "SELECT id, cves, kev_added_on, kev_due_on FROM vulnerabilities WHERE cves <> ''",
    )
    .fetch_all(wtx.conn())
    .await?;
    let mut groups: HashMap<(Option<String>, Option<String>), Vec<i64>> = HashMap::new();
    for row in rows {
        let cves: String = row.try_get("cves")?;
        let cves: Vec<String> = cves.split(' ').map(str::to_owned).collect();
        let now_flag = flag(&index, &cves);
        let (added, due) = match now_flag {
            Some((a, d)) => (Some(a), d),
            None => (None, None),
        };
        let old: (Option<String>, Option<String>) =
            (row.try_get("kev_added_on")?, row.try_get("kev_due_on")?);
        if old != (added.clone(), due.clone()) {
            groups
                .entry((added, due))
                .or_default()
                .push(row.try_get("id")?);
        }
    }
    for ((added, due), ids) in groups {
        report.flagged += ids.len();
        for chunk in ids.chunks(900) {
            let list = (3..3 + chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!(
                "UPDATE vulnerabilities SET kev_added_on = $1, kev_due_on = $2 WHERE id IN ({list})"
            );
            let mut q = sqlx::query(&sql)
                .bind(added.as_deref())
                .bind(due.as_deref());
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(wtx.conn()).await?;
        }
    }
    wtx.audit(Change {
        org_id: None,
        action: "kev.import",
        entity_type: "kev_catalogue",
        entity_id: version.to_owned(),
        before: None,
        after: Some(serde_json::json!({
            "version": version,
            "entries": report.entries,
            "added": report.added,
            "changed": report.changed,
            "flagged": report.flagged,
        })),
    })
    .await?;
    wtx.commit().await?;
    Ok(report)
}
