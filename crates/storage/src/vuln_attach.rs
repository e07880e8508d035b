//! Attaching a machine a scan named but no asset did (GMVI-05, "unknown hosts are listed for
//! the user to attach"): the asset chosen is given the identifier the scanner's key stands for,
//! so that the next scans match it, and the vulnerabilities already found on that machine are
//! linked to it now, their remediation deadlines computed again with the asset's
//! classification. The host leaves the import's list of unmatched hosts. One transaction,
//! audited.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rempart_domain::asset::Identifier;
use rempart_domain::authz::Permission;
use rempart_domain::cvss::Severity;
use rempart_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::dialect::numbered_params;
use crate::error::{Result, StoreError};
use crate::scope::Scope;
use crate::write::{AuditContext, Change};
use crate::Store;

/// What an attachment did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attached {
    pub asset_id: i64,
    /// The identifier given to the asset; `None` when it had it already, or when the key is
    /// not a machine's (an image or a repository: then only the vulnerabilities are linked).
    pub identifier_added: Option<Identifier>,
    /// Vulnerabilities of that machine linked to the asset.
    pub vulnerabilities: usize,
}

/// An asset's identifiers at most (the asset form's bound).
const MAX_IDENTIFIERS: i64 = 500;
/// Vulnerabilities listed one by one in the audit entry; the count says the rest.
const AUDITED_CHANGES: usize = 1000;

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(ValidationErrors(vec![FieldError::new(field, code)]))
}

/// Attaches the machine `host_key`, unmatched by import `import_id`, to asset `asset_id`. The
/// import must be within the caller's reach for importing (else not found), the host one of
/// its unmatched hosts, and the asset one the caller manages in the import's body or below.
pub async fn attach_host(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    import_id: i64,
    host_key: &str,
    asset_id: i64,
    today: NaiveDate,
) -> Result<Attached> {
    let mut wtx = store.write(ctx).await?;
    let sql = format!(
        "SELECT org_id, format FROM scan_imports WHERE id = $1 AND {}",
        scope
            .with(Permission::VulnerabilityImport)
            .condition("org_id")
    );
    let import = sqlx::query(&sql)
        .bind(import_id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let org_id: i64 = import.try_get("org_id")?;
    let source: String = import.try_get("format")?;
    let host_key = host_key.trim();
    // An empty key stands for findings with no machine (a code scanner's): nothing to attach.
    if host_key.is_empty() {
        return Err(invalid("host_key", "error-unmatched-host"));
    }
    // Held until the commit on PostgreSQL: a second attachment of the same machine waits, then
    // finds it attached.
    let sql = format!(
        "SELECT host_key FROM scan_unmatched_hosts WHERE import_id = $1 AND host_key = $2{}",
        crate::dialect::for_update(wtx.engine())
    );
    let unmatched = sqlx::query(&sql)
        .bind(import_id)
        .bind(host_key)
        .fetch_optional(wtx.conn())
        .await?;
    if unmatched.is_none() {
        return Err(invalid("host_key", "error-unmatched-host"));
    }
    // The asset: managed by the caller, in the import's body or a unit below it.
    let sql = format!(
        "SELECT a.id, a.availability, a.integrity, a.confidentiality FROM assets a \
         WHERE a.id = $1 AND a.archived_at IS NULL AND a.org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $2) AND {}",
        scope.with(Permission::AssetManage).condition("a.org_id")
    );
    let asset = sqlx::query(&sql)
        .bind(asset_id)
        .bind(org_id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or_else(|| invalid("asset_id", "error-asset-out-of-reach"))?;
    let top_level = crate::assets::scale_for(store, org_id)
        .await?
        .is_top_level(crate::assets::levels_of(&asset)?);

    // The identifier, unless the asset has it already.
    let identifier = Identifier::for_scanned_host(host_key);
    let mut identifier_added = None;
    if let Some(id) = identifier {
        let inserted = sqlx::query(
            "INSERT INTO asset_identifiers (asset_id, kind, value) SELECT $1, $2, $3 \
             WHERE NOT EXISTS (SELECT 1 FROM asset_identifiers WHERE asset_id = $1 AND kind = $2 \
             AND value = $3)",
        )
        .bind(asset_id)
        .bind(id.kind.as_str())
        .bind(&id.value)
        .execute(wtx.conn())
        .await?
        .rows_affected();
        if inserted > 0 {
            // The asset changed: an edit form opened before must not save over the identifier.
            let count: i64 =
                sqlx::query("SELECT COUNT(*) AS n FROM asset_identifiers WHERE asset_id = $1")
                    .bind(asset_id)
                    .fetch_one(wtx.conn())
                    .await?
                    .try_get("n")?;
            if count > MAX_IDENTIFIERS {
                return Err(invalid("asset_id", "error-asset-identifiers-full"));
            }
            sqlx::query("UPDATE assets SET version = version + 1, updated_at = $2 WHERE id = $1")
                .bind(asset_id)
                .bind(wtx.now())
                .execute(wtx.conn())
                .await?;
            identifier_added = Some(id);
        }
    }

    // The machine's vulnerabilities no asset holds yet, in the body: linked, deadlines again.
    let (policy, _) = crate::vuln_workflow::policy_for(wtx.conn(), org_id).await?;
    let rows = sqlx::query(
        "SELECT id, severity, first_seen, due_on FROM vulnerabilities WHERE org_id = $1 \
         AND source = $3 AND asset_id IS NULL \
         AND (host_key = $2 OR (host_key = '' AND scope_key = $2))",
    )
    .bind(org_id)
    .bind(host_key)
    .bind(&source)
    .fetch_all(wtx.conn())
    .await?;
    let mut by_due: BTreeMap<Option<String>, Vec<i64>> = BTreeMap::new();
    let mut changes = Vec::with_capacity(rows.len().min(AUDITED_CHANGES));
    for row in &rows {
        let severity: String = row.try_get("severity")?;
        let severity = Severity::parse(&severity).unwrap_or(Severity::None);
        let found_on = crate::store::local_date(row.try_get("first_seen")?).unwrap_or(today);
        let due = policy
            .due(severity, top_level, found_on)
            .map(|d| d.format("%Y-%m-%d").to_string());
        let id: i64 = row.try_get("id")?;
        if changes.len() < AUDITED_CHANGES {
            changes.push(json!({
                "id": id,
                "due_on_before": row.try_get::<Option<String>, _>("due_on")?,
                "due_on": due,
            }));
        }
        by_due.entry(due).or_default().push(id);
    }
    let now = wtx.now();
    for (due, ids) in &by_due {
        for chunk in ids.chunks(900) {
            let list = (0..chunk.len())
                .map(|i| format!("${}", i + 4))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE vulnerabilities SET asset_id = $1, due_on = $2, updated_at = $3, \
                 version = version + 1 WHERE asset_id IS NULL AND id IN ({list})"
            );
            let sql = numbered_params(&sql, wtx.engine());
            let mut q = sqlx::query(&sql)
                .bind(asset_id)
                .bind(due.as_deref())
                .bind(now);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(wtx.conn()).await?;
        }
    }
    sqlx::query("DELETE FROM scan_unmatched_hosts WHERE import_id = $1 AND host_key = $2")
        .bind(import_id)
        .bind(host_key)
        .execute(wtx.conn())
        .await?;
    let attached = Attached {
        asset_id,
        identifier_added,
        vulnerabilities: rows.len(),
    };
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "vulnerability.attach_host",
        entity_type: "scan_import",
        entity_id: import_id.to_string(),
        before: Some(json!({ "host_key": host_key })),
        after: Some(json!({
            "asset_id": asset_id,
            "identifier": attached.identifier_added.as_ref().map(|i| json!({"kind": i.kind.as_str(), "value": i.value})),
            "vulnerabilities": attached.vulnerabilities,
            // Each one linked with its deadline before and after (the first thousand).
            "changes": changes,
        })),
    })
    .await?;
    wtx.commit().await?;
    Ok(attached)
}
