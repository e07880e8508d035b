//! Importing an inventory (ASSET-03): every row is checked against the store at once (its
//! unit in the caller's reach, its holder designated there, no name twice) before anything
//! is written. All or nothing by default: one fault and nothing is written. Row by row on
//! request: the good rows are written, the faulty ones reported. A row naming an asset that
//! exists (same unit, same name) replaces it when it differs and is left alone when not, so
//! that an export imports back unchanged.

use std::collections::{HashMap, HashSet};

use rempart_domain::asset::{AssetDraft, AssetInput};
use rempart_domain::authz::Permission;
use serde::Serialize;
use sqlx::Row;

use crate::assets::{from_row, input_from, insert_batch, select, update_checked};
use crate::error::Result;
use crate::scope::Scope;
use crate::write::WriteTx;

/// One row to import: the unit's slug and the holder's e-mail still to be found.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub line: usize,
    pub unit: String,
    pub holder_email: String,
    pub draft: AssetDraft,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    AllOrNothing,
    RowByRow,
}

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub mode: ImportMode,
    /// Units must be within this organization's subtree.
    pub within: Option<i64>,
    /// The unit of rows that name none (its slug).
    pub default_unit: Option<String>,
    /// Faults already found reading the file: all-or-nothing counts them too.
    pub earlier_faults: usize,
}

/// A row's fault found against the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportFault {
    pub line: usize,
    /// The draft's field (`unit`, `holder`, `name`…).
    pub field: String,
    pub code: &'static str,
    pub limit: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub faults: Vec<ImportFault>,
    /// Whether anything was written (false when all-or-nothing met a fault).
    pub written: bool,
}

/// What the caller may touch, read once for the whole file.
struct Reach {
    units: HashMap<String, i64>,
    holders: HashSet<(i64, i64)>,
    people: HashMap<String, i64>,
    existing: HashMap<(i64, String), (i64, i64, AssetInput)>,
}

async fn reach(wtx: &mut WriteTx, scope: Scope, within: Option<i64>) -> Result<Reach> {
    let manage = match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::AssetManage),
        other => other,
    };
    let mut units = HashMap::new();
    let within_clause = match within {
        Some(id) => {
            format!("AND o.id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = {id})")
        }
        None => String::new(),
    };
    let rows = sqlx::query(&format!(
        "SELECT o.id, o.slug FROM organizations o WHERE o.archived_at IS NULL AND {} {within_clause}",
        manage.condition("o.id")
    ))
    .fetch_all(wtx.conn())
    .await?;
    for row in rows {
        units.insert(row.try_get::<String, _>("slug")?, row.try_get("id")?);
    }
    let mut holders = HashSet::new();
    let mut people = HashMap::new();
    let rows = sqlx::query(&format!(
        "SELECT g.person_id, g.org_id, p.email FROM role_grants g JOIN persons p ON p.id = g.person_id \
         WHERE g.role = 'Holder' AND p.disabled_at IS NULL AND {}",
        manage.condition("g.org_id")
    ))
    .fetch_all(wtx.conn())
    .await?;
    for row in rows {
        let person: i64 = row.try_get("person_id")?;
        holders.insert((person, row.try_get("org_id")?));
        people.insert(row.try_get::<String, _>("email")?, person);
    }
    let mut existing = HashMap::new();
    let rows = sqlx::query(&format!(
        "{} WHERE a.archived_at IS NULL AND {}",
        select(),
        manage.condition("a.org_id")
    ))
    .fetch_all(wtx.conn())
    .await?;
    let mut by_id: HashMap<i64, (i64, String)> = HashMap::new();
    for row in rows {
        let asset = from_row(&row)?;
        by_id.insert(asset.id, (asset.org_id, asset.name.clone()));
        existing.insert(
            (asset.org_id, asset.name.clone()),
            (asset.id, asset.version, input_from(&asset)),
        );
    }
    if !by_id.is_empty() {
        let rows = sqlx::query(&format!(
            "SELECT i.asset_id, i.kind, i.value FROM asset_identifiers i JOIN assets a \
             ON a.id = i.asset_id WHERE a.archived_at IS NULL AND {} ORDER BY i.kind, i.value",
            manage.condition("a.org_id")
        ))
        .fetch_all(wtx.conn())
        .await?;
        for row in rows {
            let asset_id: i64 = row.try_get("asset_id")?;
            let kind: String = row.try_get("kind")?;
            let value: String = row.try_get("value")?;
            let Ok(kind) = rempart_domain::asset::IdentifierKind::parse("kind", &kind) else {
                continue;
            };
            if let Some(key) = by_id.get(&asset_id) {
                if let Some((_, _, input)) = existing.get_mut(key) {
                    input
                        .identifiers
                        .push(rempart_domain::asset::Identifier { kind, value });
                }
            }
        }
    }
    // In the order a checked input keeps them, so that equal sets compare equal.
    for (_, _, input) in existing.values_mut() {
        input.identifiers.sort();
    }
    Ok(Reach {
        units,
        holders,
        people,
        existing,
    })
}

/// Checks every row, then writes as the options say.
pub async fn import(
    wtx: &mut WriteTx,
    scope: Scope,
    rows: Vec<ImportRow>,
    options: &ImportOptions,
) -> Result<ImportReport> {
    let reach = reach(wtx, scope, options.within).await?;
    let mut report = ImportReport::default();
    let mut seen: HashMap<(i64, String), usize> = HashMap::new();
    let mut ready: Vec<(usize, AssetInput)> = Vec::new();
    for row in rows {
        let fault = |field: &str, code: &'static str, limit: Option<u64>| ImportFault {
            line: row.line,
            field: field.to_owned(),
            code,
            limit,
        };
        let unit = match (row.unit.trim(), options.default_unit.as_deref()) {
            ("", Some(default)) => default,
            (unit, _) => unit,
        };
        let Some(&org_id) = reach.units.get(unit) else {
            report
                .faults
                .push(fault("unit", "import-unknown-unit", None));
            continue;
        };
        let Some(&holder_id) = reach.people.get(&row.holder_email) else {
            report
                .faults
                .push(fault("holder", "error-holder-not-designated", None));
            continue;
        };
        if !reach.holders.contains(&(holder_id, org_id)) {
            report
                .faults
                .push(fault("holder", "error-holder-not-designated", None));
            continue;
        }
        let draft = AssetDraft {
            org_id,
            holder_id,
            ..row.draft
        };
        let input = match draft.parse() {
            Ok(input) => input,
            Err(errors) => {
                for e in errors.0 {
                    report.faults.push(fault(&e.field, e.code, e.limit));
                }
                continue;
            }
        };
        let key = (org_id, input.name.clone());
        if let Some(first) = seen.get(&key) {
            report.faults.push(fault(
                "name",
                "import-duplicate",
                Some(u64::try_from(*first).unwrap_or(0)),
            ));
            continue;
        }
        seen.insert(key, row.line);
        ready.push((row.line, input));
    }
    if options.mode == ImportMode::AllOrNothing
        && (options.earlier_faults > 0 || !report.faults.is_empty())
    {
        return Ok(report);
    }
    let mut new = Vec::new();
    for (_, input) in ready {
        match reach.existing.get(&(input.org_id, input.name.clone())) {
            Some((_, _, current)) if *current == input => report.unchanged += 1,
            Some((id, version, current)) => {
                update_checked(wtx, *id, *version, current, &input).await?;
                report.updated += 1;
            }
            None => new.push(input),
        }
    }
    report.created = new.len();
    insert_batch(wtx, &new).await?;
    report.written = report.created + report.updated > 0;
    Ok(report)
}
