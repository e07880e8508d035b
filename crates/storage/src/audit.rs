//! Reading, searching, exporting and verifying the audit trail (AUD-02, AUD-03). Appending
//! lives in [`crate::write`]; nothing here changes the trail.

use futures_util::TryStreamExt;
use rempart_domain::audit::{Anchor, AuditEntry, BadEntry, ChainVerifier};
use rempart_domain::authz::{roles_with, Permission};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::dialect::{contains_ci, escape_like};
use crate::error::Result;
use crate::list::{Page, PageRequest};
use crate::orgs::{bind_all, Bind};
use crate::scope::{role_list, Scope};
use crate::store::Store;

/// An entry as stored, with its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEntry {
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub hash: String,
}

const COLUMNS: &str =
    "seq, at_micros, actor_id, actor_label, source, org_id, action, entity_type, \
                       entity_id, before_json, after_json, hash";

fn from_row(row: &AnyRow) -> Result<StoredEntry> {
    Ok(StoredEntry {
        entry: AuditEntry {
            seq: row.try_get(0)?,
            at_micros: row.try_get(1)?,
            actor_id: row.try_get(2)?,
            actor_label: row.try_get(3)?,
            source: row.try_get(4)?,
            org_id: row.try_get(5)?,
            action: row.try_get(6)?,
            entity_type: row.try_get(7)?,
            entity_id: row.try_get(8)?,
            before: row.try_get(9)?,
            after: row.try_get(10)?,
        },
        hash: row.try_get(11)?,
    })
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub org_id: Option<i64>,
    pub from_micros: Option<i64>,
    pub to_micros: Option<i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuditSort {
    #[default]
    Seq,
}

/// The scope of the trail: entries of organizations in scope, and entries tied to no
/// organization (a failed login for an unknown address) only for those who audit from a root.
fn scope_condition(scope: Scope) -> String {
    match scope {
        Scope::LocalAdministrator => "1 = 1".to_owned(),
        Scope::Person { person_id, .. } => {
            let roles = roles_with(Permission::AuditRead);
            format!(
                "(({}) OR (org_id IS NULL AND EXISTS (SELECT 1 FROM role_grants g \
                 JOIN organizations o ON o.id = g.org_id WHERE g.person_id = {person_id} \
                 AND o.parent_id IS NULL AND g.role IN ({}))))",
                scope.condition("org_id"),
                role_list(&roles.subtree)
            )
        }
    }
}

fn filter_sql(store: &Store, scope: Scope, filter: &AuditFilter) -> (String, Vec<Bind>) {
    let mut conditions = vec![scope_condition(scope)];
    let mut binds = Vec::new();
    if let Some(action) = filter.action.as_deref().filter(|s| !s.trim().is_empty()) {
        binds.push(Bind::Text(format!("{}%", escape_like(action.trim()))));
        conditions.push(format!("action LIKE ${} ESCAPE '\\'", binds.len()));
    }
    if let Some(actor) = filter.actor.as_deref().filter(|s| !s.trim().is_empty()) {
        binds.push(Bind::Text(escape_like(actor.trim())));
        conditions.push(contains_ci(
            store.engine(),
            "actor_label",
            &format!("${}", binds.len()),
        ));
    }
    if let Some(t) = filter
        .entity_type
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        binds.push(Bind::Text(t.trim().to_owned()));
        conditions.push(format!("entity_type = ${}", binds.len()));
    }
    if let Some(id) = filter.entity_id.as_deref().filter(|s| !s.trim().is_empty()) {
        binds.push(Bind::Text(id.trim().to_owned()));
        conditions.push(format!("entity_id = ${}", binds.len()));
    }
    if let Some(org) = filter.org_id {
        binds.push(Bind::Int(org));
        conditions.push(format!("org_id = ${}", binds.len()));
    }
    if let Some(from) = filter.from_micros {
        binds.push(Bind::Int(from));
        conditions.push(format!("at_micros >= ${}", binds.len()));
    }
    if let Some(to) = filter.to_micros {
        binds.push(Bind::Int(to));
        conditions.push(format!("at_micros < ${}", binds.len()));
    }
    (conditions.join(" AND "), binds)
}

/// A page of the trail, newest first unless asked otherwise.
pub async fn search(
    store: &Store,
    scope: Scope,
    filter: &AuditFilter,
    page: &PageRequest<AuditSort>,
) -> Result<Page<StoredEntry>> {
    let (where_clause, binds) = filter_sql(store, scope, filter);
    let total: i64 = bind_all(
        sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM audit_entries WHERE {where_clause}"
        )),
        &binds,
    )
    .fetch_one(&store.pool)
    .await?
    .try_get("n")?;
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_entries WHERE {where_clause} ORDER BY seq {} LIMIT {} OFFSET {}",
        page.direction(),
        page.limit,
        page.offset
    );
    let rows = bind_all(sqlx::query(&sql), &binds)
        .fetch_all(&store.pool)
        .await?;
    Ok(Page {
        items: rows.iter().map(from_row).collect::<Result<_>>()?,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// Streams every matching entry in chain order to `sink`, in constant memory.
pub async fn for_each<F>(
    store: &Store,
    scope: Scope,
    filter: &AuditFilter,
    mut sink: F,
) -> Result<u64>
where
    F: FnMut(&StoredEntry) -> std::io::Result<()>,
{
    let (where_clause, binds) = filter_sql(store, scope, filter);
    let sql = format!("SELECT {COLUMNS} FROM audit_entries WHERE {where_clause} ORDER BY seq");
    let mut rows = bind_all(sqlx::query(&sql), &binds).fetch(&store.pool);
    let mut n = 0;
    while let Some(row) = rows.try_next().await? {
        sink(&from_row(&row)?)?;
        n += 1;
    }
    Ok(n)
}

/// The head of the chain as recorded beside it.
pub async fn head(store: &Store) -> Result<Anchor> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&store.pool)
        .await?;
    Ok(Anchor {
        seq: row.try_get("seq")?,
        hash: row.try_get("hash")?,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub checked: u64,
    pub head: Anchor,
    pub first_bad: Option<BadEntry>,
    /// Anchors given by the caller that the chain does not contain.
    pub missing_anchors: Vec<Anchor>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.first_bad.is_none() && self.missing_anchors.is_empty()
    }
}

/// Reads the whole chain in order and checks every hash, the recorded head, and any anchors
/// exported earlier (each must still be in the chain with the same hash).
pub async fn verify(store: &Store, anchors: &[Anchor]) -> Result<Verification> {
    let recorded = head(store).await?;
    let mut verifier = ChainVerifier::new();
    let mut pending: Vec<&Anchor> = anchors.iter().collect();
    pending.sort_by_key(|a| a.seq);
    let mut missing = Vec::new();
    let mut pending_iter = pending.into_iter().peekable();
    let sql = format!("SELECT {COLUMNS} FROM audit_entries ORDER BY seq");
    let mut rows = sqlx::query(&sql).fetch(&store.pool);
    while let Some(row) = rows.try_next().await? {
        let stored = from_row(&row)?;
        if !verifier.push(&stored.entry, &stored.hash) {
            break;
        }
        while let Some(anchor) = pending_iter.peek() {
            if anchor.seq > stored.entry.seq {
                break;
            }
            if anchor.seq == stored.entry.seq && !anchor.hash.eq_ignore_ascii_case(&stored.hash) {
                missing.push((*anchor).clone());
            }
            pending_iter.next();
        }
    }
    drop(rows);
    let checked = verifier.checked();
    let (head, first_bad) = match verifier.finish(Some(&recorded)) {
        Ok(head) => (head, None),
        Err(bad) => (recorded.clone(), Some(bad)),
    };
    if first_bad.is_none() {
        missing.extend(pending_iter.cloned());
    }
    Ok(Verification {
        checked,
        head,
        first_bad,
        missing_anchors: missing,
    })
}
