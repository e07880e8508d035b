//! Control catalogues (CTRL-01, CTRL-02): catalogs and resolved profiles imported by an
//! organization for itself and the organizations below it, their groups and controls, and
//! where each organization stands on each control. What a file says is read by
//! `rempart-interchange`; this module receives records, writes them in batches and audits the
//! import as one entry (a catalogue is reference text, not a thousand decisions).

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::orgs::{bind_all, Bind};
use crate::scope::Scope;
use crate::store::Store;
use crate::write::{Change, WriteTx};
use rempart_domain::authz::Permission;
use rempart_domain::{FieldError, ValidationErrors};

/// Rows written per statement (binding cost grows faster than linearly with parameters).
const BATCH: usize = 50;

/// A control as read from a catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewControl {
    pub key: String,
    pub parent_key: Option<String>,
    pub group_key: Option<String>,
    pub label: String,
    pub title: String,
    pub class: String,
    pub sort_id: String,
    pub withdrawn: bool,
    pub statement: String,
    pub guidance: String,
    pub params_json: String,
    pub depth: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroup {
    pub key: Option<String>,
    pub parent_key: Option<String>,
    pub title: String,
}

/// What identifies a catalog or a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCatalog {
    pub uuid: String,
    pub title: String,
    pub version: String,
    pub oscal_version: String,
    pub sha256: String,
    pub document: String,
}

/// How an import ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub id: i64,
    pub controls: usize,
    pub groups: usize,
    /// The same file (same identifier and content) was already imported there: nothing
    /// written.
    pub unchanged: bool,
}

/// Who may import and set statuses, and where.
fn manage(scope: Scope) -> Scope {
    match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::ControlManage),
        other => other,
    }
}

fn read(scope: Scope) -> Scope {
    match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::ControlRead),
        other => other,
    }
}

/// Catalogues are shared downwards: one imported by the government centre serves every body.
/// A person sees those imported where they may read controls or above it.
fn visible(scope: Scope, column: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM org_closure vis WHERE vis.ancestor_id = {column} AND {})",
        read(scope).condition("vis.descendant_id")
    )
}

async fn check_org(wtx: &mut WriteTx, scope: Scope, org_id: i64) -> Result<()> {
    let n: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM organizations o WHERE o.id = $1 AND o.archived_at IS NULL AND {}",
        manage(scope).condition("o.id")
    ))
    .bind(org_id)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    if n == 0 {
        return Err(StoreError::Invalid(ValidationErrors::single(
            FieldError::new("org_id", "error-not-found"),
        )));
    }
    Ok(())
}

/// An import already there with the same content, or the conflict of a different one with the
/// same identifier (a new revision is imported under its own identifier).
async fn existing(wtx: &mut WriteTx, org_id: i64, new: &NewCatalog) -> Result<Option<Imported>> {
    let row = sqlx::query(
        "SELECT c.id, c.sha256, c.controls_count, \
         (SELECT COUNT(*) FROM control_groups g WHERE g.catalog_id = c.id) AS groups \
         FROM control_catalogs c WHERE c.org_id = $1 AND c.uuid = $2",
    )
    .bind(org_id)
    .bind(&new.uuid)
    .fetch_optional(wtx.conn())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let sha: String = row.try_get("sha256")?;
    if sha != new.sha256 {
        return Err(StoreError::Conflict { field: "uuid" });
    }
    let count: i64 = row.try_get("controls_count")?;
    let groups: i64 = row.try_get("groups")?;
    Ok(Some(Imported {
        id: row.try_get("id")?,
        controls: usize::try_from(count).unwrap_or(0),
        groups: usize::try_from(groups).unwrap_or(0),
        unchanged: true,
    }))
}

async fn insert_head(
    wtx: &mut WriteTx,
    org_id: i64,
    kind: &str,
    new: &NewCatalog,
    source: Option<i64>,
    count: usize,
    by: Option<i64>,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO control_catalogs (org_id, kind, uuid, title, version, oscal_version, \
         source_catalog_id, controls_count, sha256, document, imported_at, imported_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(org_id)
    .bind(kind)
    .bind(&new.uuid)
    .bind(&new.title)
    .bind(&new.version)
    .bind(&new.oscal_version)
    .bind(source)
    .bind(i64::try_from(count).unwrap_or(i64::MAX))
    .bind(&new.sha256)
    .bind(&new.document)
    .bind(wtx.now())
    .bind(by)
    .fetch_one(wtx.conn())
    .await?;
    Ok(row.try_get("id")?)
}

/// Imports a catalog for `org_id` and the organizations below it; audited as one
/// `control_catalog.import`. The same file again changes nothing.
pub async fn import_catalog(
    wtx: &mut WriteTx,
    scope: Scope,
    org_id: i64,
    by: Option<i64>,
    new: &NewCatalog,
    groups: &[NewGroup],
    controls: &[NewControl],
) -> Result<Imported> {
    check_org(wtx, scope, org_id).await?;
    if let Some(done) = existing(wtx, org_id, new).await? {
        return Ok(done);
    }
    let id = insert_head(wtx, org_id, "catalog", new, None, controls.len(), by).await?;
    for (chunk_no, chunk) in groups.chunks(BATCH).enumerate() {
        let mut values = Vec::with_capacity(chunk.len());
        let mut binds = Vec::with_capacity(chunk.len() * 3);
        for (i, g) in chunk.iter().enumerate() {
            let n = binds.len();
            values.push(format!(
                "({id}, ${}, ${}, ${}, {})",
                n + 1,
                n + 2,
                n + 3,
                chunk_no * BATCH + i
            ));
            binds.push(g.key.clone().map(Bind::Text));
            binds.push(g.parent_key.clone().map(Bind::Text));
            binds.push(Some(Bind::Text(g.title.clone())));
        }
        let sql = format!(
            "INSERT INTO control_groups (catalog_id, group_key, parent_key, title, position) VALUES {}",
            values.join(", ")
        );
        bind_optional(sqlx::query(&sql), &binds)
            .execute(wtx.conn())
            .await?;
    }
    for (chunk_no, chunk) in controls.chunks(BATCH).enumerate() {
        let mut values = Vec::with_capacity(chunk.len());
        let mut binds: Vec<Option<Bind>> = Vec::with_capacity(chunk.len() * 11);
        for (i, c) in chunk.iter().enumerate() {
            let n = binds.len();
            let p: Vec<String> = (1..=11).map(|k| format!("${}", n + k)).collect();
            values.push(format!(
                "({id}, {}, {}, {})",
                p.join(", "),
                c.depth,
                chunk_no * BATCH + i
            ));
            binds.push(Some(Bind::Text(c.key.clone())));
            binds.push(c.parent_key.clone().map(Bind::Text));
            binds.push(c.group_key.clone().map(Bind::Text));
            binds.push(Some(Bind::Text(c.label.clone())));
            binds.push(Some(Bind::Text(c.title.clone())));
            binds.push(Some(Bind::Text(c.class.clone())));
            binds.push(Some(Bind::Text(c.sort_id.clone())));
            binds.push(Some(Bind::Int(i64::from(c.withdrawn))));
            binds.push(Some(Bind::Text(c.statement.clone())));
            binds.push(Some(Bind::Text(c.guidance.clone())));
            binds.push(Some(Bind::Text(c.params_json.clone())));
        }
        let sql = format!(
            "INSERT INTO controls (catalog_id, control_key, parent_key, group_key, label, title, \
             class, sort_id, withdrawn, statement, guidance, params_json, depth, position) VALUES {}",
            values.join(", ")
        );
        bind_optional(sqlx::query(&sql), &binds)
            .execute(wtx.conn())
            .await
            .map_err(|e| StoreError::from(e).unique_as("control"))?;
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "control_catalog.import",
        entity_type: "control_catalog",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "kind": "catalog", "uuid": new.uuid, "title": new.title, "version": new.version,
            "sha256": new.sha256, "groups": groups.len(), "controls": controls.len(),
        })),
    })
    .await?;
    Ok(Imported {
        id,
        controls: controls.len(),
        groups: groups.len(),
        unchanged: false,
    })
}

fn bind_optional<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Option<Bind>],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for bind in binds {
        query = match bind {
            Some(Bind::Int(n)) => query.bind(*n),
            Some(Bind::Text(t)) => query.bind(t.as_str()),
            None => query.bind(None::<String>),
        };
    }
    query
}

/// A control a profile selects: its key in the source catalog and the parameters it sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub key: String,
    pub set_params_json: String,
}

/// Imports a profile resolved against the catalog `source` (already imported, visible to the
/// caller); audited as one `control_catalog.import`.
pub async fn import_profile(
    wtx: &mut WriteTx,
    scope: Scope,
    org_id: i64,
    by: Option<i64>,
    new: &NewCatalog,
    source: i64,
    selected: &[Selected],
) -> Result<Imported> {
    check_org(wtx, scope, org_id).await?;
    if let Some(done) = existing(wtx, org_id, new).await? {
        return Ok(done);
    }
    let keys: Vec<(String, i64)> = {
        let rows = sqlx::query("SELECT control_key, id FROM controls WHERE catalog_id = $1")
            .bind(source)
            .fetch_all(wtx.conn())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("control_key")?, r.try_get("id")?)))
            .collect::<Result<_>>()?
    };
    let index: std::collections::HashMap<&str, i64> =
        keys.iter().map(|(k, id)| (k.as_str(), *id)).collect();
    let mut ids = Vec::with_capacity(selected.len());
    for s in selected {
        match index.get(s.key.as_str()) {
            Some(id) => ids.push((*id, s)),
            None => {
                return Err(StoreError::Invalid(ValidationErrors::single(
                    FieldError::new("catalog_id", "error-control-unknown"),
                )))
            }
        }
    }
    let id = insert_head(wtx, org_id, "profile", new, Some(source), ids.len(), by).await?;
    for (chunk_no, chunk) in ids.chunks(BATCH).enumerate() {
        let mut values = Vec::with_capacity(chunk.len());
        let mut binds = Vec::with_capacity(chunk.len());
        for (i, (control, s)) in chunk.iter().enumerate() {
            binds.push(Bind::Text(s.set_params_json.clone()));
            values.push(format!(
                "({id}, {control}, {}, ${})",
                chunk_no * BATCH + i,
                binds.len()
            ));
        }
        let sql = format!(
            "INSERT INTO profile_controls (profile_id, control_id, position, set_params_json) VALUES {}",
            values.join(", ")
        );
        bind_all(sqlx::query(&sql), &binds)
            .execute(wtx.conn())
            .await?;
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "control_catalog.import",
        entity_type: "control_catalog",
        entity_id: id.to_string(),
        before: None,
        after: Some(serde_json::json!({
            "kind": "profile", "uuid": new.uuid, "title": new.title, "version": new.version,
            "sha256": new.sha256, "source_catalog_id": source, "controls": ids.len(),
        })),
    })
    .await?;
    Ok(Imported {
        id,
        controls: ids.len(),
        groups: 0,
        unchanged: false,
    })
}

/// A catalog or profile as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub kind: String,
    pub uuid: String,
    pub title: String,
    pub version: String,
    pub oscal_version: String,
    pub source_catalog_id: Option<i64>,
    pub controls_count: i64,
    pub sha256: String,
    pub imported_at: i64,
}

fn catalog_from(r: &AnyRow) -> Result<CatalogRow> {
    Ok(CatalogRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        kind: r.try_get("kind")?,
        uuid: r.try_get("uuid")?,
        title: r.try_get("title")?,
        version: r.try_get("version")?,
        oscal_version: r.try_get("oscal_version")?,
        source_catalog_id: r.try_get("source_catalog_id")?,
        controls_count: r.try_get("controls_count")?,
        sha256: r.try_get("sha256")?,
        imported_at: r.try_get("imported_at")?,
    })
}

const CATALOG_COLUMNS: &str = "c.id, c.org_id, o.name AS org_name, c.kind, c.uuid, c.title, \
    c.version, c.oscal_version, c.source_catalog_id, c.controls_count, c.sha256, c.imported_at";

/// The catalogs and profiles the caller may use, newest first.
pub async fn catalogs(store: &Store, scope: Scope) -> Result<Vec<CatalogRow>> {
    let sql = format!(
        "SELECT {CATALOG_COLUMNS} FROM control_catalogs c JOIN organizations o ON o.id = c.org_id \
         WHERE {} ORDER BY c.imported_at DESC, c.id DESC",
        visible(scope, "c.org_id")
    );
    sqlx::query(&sql)
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(catalog_from)
        .collect()
}

/// One catalog or profile the caller may use.
pub async fn catalog(store: &Store, scope: Scope, id: i64) -> Result<CatalogRow> {
    let sql = format!(
        "SELECT {CATALOG_COLUMNS} FROM control_catalogs c JOIN organizations o ON o.id = c.org_id \
         WHERE c.id = $1 AND {}",
        visible(scope, "c.org_id")
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&store.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
    catalog_from(&row)
}

/// A group of a catalog, as its controls may be filtered by (`ControlFilter::group_key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRow {
    pub key: String,
    pub parent_key: Option<String>,
    pub title: String,
}

/// The groups of a catalog the caller may use, in the catalog's order; for a profile, those of
/// the catalog it was resolved against.
pub async fn groups(store: &Store, scope: Scope, catalog_id: i64) -> Result<Vec<GroupRow>> {
    let head = catalog(store, scope, catalog_id).await?;
    let source = head.source_catalog_id.unwrap_or(head.id);
    let rows = sqlx::query(
        "SELECT group_key, parent_key, title FROM control_groups \
         WHERE catalog_id = $1 AND group_key IS NOT NULL ORDER BY position",
    )
    .bind(source)
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(GroupRow {
                key: r.try_get("group_key")?,
                parent_key: r.try_get("parent_key")?,
                title: r.try_get("title")?,
            })
        })
        .collect()
}

/// The document a catalog was imported from (to resolve a profile against it).
pub async fn document(store: &Store, scope: Scope, id: i64) -> Result<(CatalogRow, String)> {
    let head = catalog(store, scope, id).await?;
    let doc: String = sqlx::query_scalar("SELECT document FROM control_catalogs WHERE id = $1")
        .bind(id)
        .fetch_one(&store.pool)
        .await?;
    Ok((head, doc))
}

/// A control of a catalog, with where `org_id` stands on it when asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlRow {
    pub id: i64,
    pub catalog_id: i64,
    pub key: String,
    pub parent_key: Option<String>,
    pub group_key: Option<String>,
    pub label: String,
    pub title: String,
    pub withdrawn: bool,
    pub statement: String,
    pub guidance: String,
    pub depth: i64,
    pub status: Option<String>,
    pub status_note: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ControlFilter {
    pub text: Option<String>,
    pub group_key: Option<String>,
    pub include_withdrawn: bool,
    /// The statuses of this organization (which the caller must be able to read).
    pub status_of: Option<i64>,
}

/// The controls of a catalog (or those a profile selects), in the catalog's order.
pub async fn controls(
    store: &Store,
    scope: Scope,
    catalog_id: i64,
    filter: &ControlFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ControlRow>, i64)> {
    let head = catalog(store, scope, catalog_id).await?;
    let mut binds: Vec<Bind> = Vec::new();
    let mut conditions = Vec::new();
    let from = if head.kind == "profile" {
        binds.push(Bind::Int(catalog_id));
        format!(
            "controls k JOIN profile_controls pc ON pc.control_id = k.id AND pc.profile_id = ${}",
            binds.len()
        )
    } else {
        binds.push(Bind::Int(catalog_id));
        conditions.push(format!("k.catalog_id = ${}", binds.len()));
        "controls k".to_owned()
    };
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        binds.push(Bind::Text(crate::dialect::escape_like(text.trim())));
        let n = binds.len();
        conditions.push(format!(
            "({} OR {} OR {})",
            crate::dialect::contains_ci(store.engine(), "k.title", &format!("${n}")),
            crate::dialect::contains_ci(store.engine(), "k.label", &format!("${n}")),
            crate::dialect::contains_ci(store.engine(), "k.statement", &format!("${n}"))
        ));
    }
    if let Some(group) = &filter.group_key {
        binds.push(Bind::Text(group.clone()));
        conditions.push(format!("k.group_key = ${}", binds.len()));
    }
    if !filter.include_withdrawn {
        conditions.push("k.withdrawn = 0".to_owned());
    }
    let status_join = match filter.status_of {
        Some(org) => {
            let n: i64 = sqlx::query(&format!(
                "SELECT COUNT(*) AS n FROM organizations o WHERE o.id = $1 AND {}",
                read(scope).condition("o.id")
            ))
            .bind(org)
            .fetch_one(&store.pool)
            .await?
            .try_get("n")?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            format!("LEFT JOIN control_status s ON s.control_id = k.id AND s.org_id = {org}")
        }
        None => "LEFT JOIN control_status s ON 1 = 0".to_owned(),
    };
    let where_clause = if conditions.is_empty() {
        "1 = 1".to_owned()
    } else {
        conditions.join(" AND ")
    };
    let total: i64 = bind_all(
        sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM {from} WHERE {where_clause}"
        )),
        &binds,
    )
    .fetch_one(&store.pool)
    .await?
    .try_get("n")?;
    let sql = format!(
        "SELECT k.id, k.catalog_id, k.control_key, k.parent_key, k.group_key, k.label, k.title, \
         k.withdrawn, k.statement, k.guidance, k.depth, s.status, s.note \
         FROM {from} {status_join} WHERE {where_clause} ORDER BY k.position LIMIT {limit} OFFSET {offset}"
    );
    let rows = bind_all(sqlx::query(&sql), &binds)
        .fetch_all(&store.pool)
        .await?;
    let items = rows
        .iter()
        .map(|r| {
            let withdrawn: i64 = r.try_get("withdrawn")?;
            Ok(ControlRow {
                id: r.try_get("id")?,
                catalog_id: r.try_get("catalog_id")?,
                key: r.try_get("control_key")?,
                parent_key: r.try_get("parent_key")?,
                group_key: r.try_get("group_key")?,
                label: r.try_get("label")?,
                title: r.try_get("title")?,
                withdrawn: withdrawn != 0,
                statement: r.try_get("statement")?,
                guidance: r.try_get("guidance")?,
                depth: r.try_get("depth")?,
                status: r.try_get("status")?,
                status_note: r.try_get("note")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((items, total))
}

/// Where an organization stands on a control (CTRL-02).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ImplementationStatus {
    NotImplemented,
    Planned,
    Partial,
    Implemented,
    NotApplicable,
}

impl ImplementationStatus {
    pub const ALL: [ImplementationStatus; 5] = [
        ImplementationStatus::NotImplemented,
        ImplementationStatus::Planned,
        ImplementationStatus::Partial,
        ImplementationStatus::Implemented,
        ImplementationStatus::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImplementationStatus::NotImplemented => "not_implemented",
            ImplementationStatus::Planned => "planned",
            ImplementationStatus::Partial => "partial",
            ImplementationStatus::Implemented => "implemented",
            ImplementationStatus::NotApplicable => "not_applicable",
        }
    }

    pub fn parse(raw: &str) -> Option<ImplementationStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }
}

/// The control keys of the catalogs imported for `org_id` or above it (empty when none is):
/// what a treatment action may name.
pub async fn usable_keys(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
) -> Result<std::collections::HashSet<String>> {
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT k.control_key FROM controls k JOIN control_catalogs c ON c.id = k.catalog_id \
         WHERE c.kind = 'catalog' AND c.org_id IN \
         (SELECT ancestor_id FROM org_closure WHERE descendant_id = $1)",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(keys.into_iter().collect())
}

/// A control of a catalog linked to an asset: the measure that protects it (CTRL-01).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetControl {
    pub control_id: i64,
    pub catalog_id: i64,
    pub key: String,
    pub label: String,
    pub title: String,
    /// Where the asset's unit (or the nearest organization above it) stands on it, when
    /// recorded.
    pub status: Option<String>,
}

/// Links (`link` true) or unlinks a control to an asset the caller manages; the control must
/// belong to a catalog imported for the asset's organization or above it. Audited as
/// `asset.control_link` or `asset.control_unlink`.
pub async fn set_asset_control(
    wtx: &mut WriteTx,
    scope: Scope,
    asset_id: i64,
    control_id: i64,
    link: bool,
) -> Result<()> {
    let manage_assets = match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::AssetManage),
        other => other,
    };
    let org: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT a.org_id FROM assets a WHERE a.id = $1 AND a.archived_at IS NULL AND {}",
        manage_assets.condition("a.org_id")
    ))
    .bind(asset_id)
    .fetch_optional(wtx.conn())
    .await?;
    let Some(org) = org else {
        return Err(StoreError::NotFound);
    };
    let key: Option<String> = sqlx::query_scalar(
        "SELECT k.control_key FROM controls k JOIN control_catalogs c ON c.id = k.catalog_id \
         WHERE k.id = $1 AND c.org_id IN (SELECT ancestor_id FROM org_closure WHERE descendant_id = $2)",
    )
    .bind(control_id)
    .bind(org)
    .fetch_optional(wtx.conn())
    .await?;
    let Some(key) = key else {
        return Err(StoreError::Invalid(ValidationErrors::single(
            FieldError::new("control_id", "error-not-found"),
        )));
    };
    let changed = if link {
        sqlx::query(
            "INSERT INTO asset_controls (asset_id, control_id, linked_at) VALUES ($1, $2, $3) \
             ON CONFLICT (asset_id, control_id) DO NOTHING",
        )
        .bind(asset_id)
        .bind(control_id)
        .bind(wtx.now())
        .execute(wtx.conn())
        .await?
        .rows_affected()
    } else {
        sqlx::query("DELETE FROM asset_controls WHERE asset_id = $1 AND control_id = $2")
            .bind(asset_id)
            .bind(control_id)
            .execute(wtx.conn())
            .await?
            .rows_affected()
    };
    if changed > 0 {
        wtx.audit(Change {
            org_id: Some(org),
            action: if link {
                "asset.control_link"
            } else {
                "asset.control_unlink"
            },
            entity_type: "asset",
            entity_id: asset_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "control_id": control_id, "control": key })),
        })
        .await?;
    }
    Ok(())
}

/// The controls linked to an asset the caller may read, with where its organization stands.
pub async fn asset_controls(
    store: &Store,
    scope: Scope,
    asset_id: i64,
) -> Result<Vec<AssetControl>> {
    let read_assets = match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::AssetRead),
        other => other,
    };
    let org: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT a.org_id FROM assets a WHERE a.id = $1 AND {}",
        read_assets.condition("a.org_id")
    ))
    .bind(asset_id)
    .fetch_optional(&store.pool)
    .await?;
    let Some(org) = org else {
        return Err(StoreError::NotFound);
    };
    // The status recorded by the asset's unit, else by the nearest organization above it.
    let rows = sqlx::query(
        "SELECT k.id, k.catalog_id, k.control_key, k.label, k.title, \
         (SELECT s.status FROM control_status s JOIN org_closure up ON up.ancestor_id = s.org_id \
          WHERE up.descendant_id = $2 AND s.control_id = k.id ORDER BY up.depth LIMIT 1) AS status \
         FROM asset_controls ac JOIN controls k ON k.id = ac.control_id \
         WHERE ac.asset_id = $1 ORDER BY k.catalog_id, k.position",
    )
    .bind(asset_id)
    .bind(org)
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AssetControl {
                control_id: r.try_get("id")?,
                catalog_id: r.try_get("catalog_id")?,
                key: r.try_get("control_key")?,
                label: r.try_get("label")?,
                title: r.try_get("title")?,
                status: r.try_get("status")?,
            })
        })
        .collect()
}

/// Whether the caller may record statuses for `org_id`: not found otherwise.
pub async fn check_manage(wtx: &mut WriteTx, scope: Scope, org_id: i64) -> Result<()> {
    let n: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM organizations o WHERE o.id = $1 AND o.archived_at IS NULL AND {}",
        manage(scope).condition("o.id")
    ))
    .bind(org_id)
    .fetch_one(wtx.conn())
    .await?
    .try_get("n")?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records where `org_id` stands on `control_id` (a control of a catalog the caller may use);
/// audited as `control.status`.
pub async fn set_status(
    wtx: &mut WriteTx,
    scope: Scope,
    org_id: i64,
    control_id: i64,
    status: ImplementationStatus,
    note: &str,
    by: Option<i64>,
) -> Result<()> {
    check_manage(wtx, scope, org_id).await?;
    // The control belongs to a catalog imported at this organization or above it.
    let control: Option<String> = sqlx::query_scalar(
        "SELECT k.control_key FROM controls k JOIN control_catalogs c ON c.id = k.catalog_id \
         WHERE k.id = $1 AND c.org_id IN (SELECT ancestor_id FROM org_closure WHERE descendant_id = $2)",
    )
    .bind(control_id)
    .bind(org_id)
    .fetch_optional(wtx.conn())
    .await?;
    let Some(key) = control else {
        return Err(StoreError::Invalid(ValidationErrors::single(
            FieldError::new("control_id", "error-not-found"),
        )));
    };
    let note = note.trim();
    if note.chars().count() > 2000 {
        return Err(StoreError::Invalid(ValidationErrors::single(
            FieldError::with_limit("note", "error-too-long", 2000),
        )));
    }
    let before: Option<String> = sqlx::query_scalar(
        "SELECT status FROM control_status WHERE org_id = $1 AND control_id = $2",
    )
    .bind(org_id)
    .bind(control_id)
    .fetch_optional(wtx.conn())
    .await?;
    sqlx::query("DELETE FROM control_status WHERE org_id = $1 AND control_id = $2")
        .bind(org_id)
        .bind(control_id)
        .execute(wtx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO control_status (org_id, control_id, status, note, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org_id)
    .bind(control_id)
    .bind(status.as_str())
    .bind(note)
    .bind(wtx.now())
    .bind(by)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "control.status",
        entity_type: "control",
        entity_id: control_id.to_string(),
        before: before.map(|s| serde_json::json!({ "status": s })),
        after: Some(serde_json::json!({ "control": key, "status": status.as_str(), "note": note })),
    })
    .await?;
    Ok(())
}
