//! Reading, searching, exporting and verifying the audit trail (AUD-02, AUD-03). Appending
//! lives in [`crate::write`]; nothing here changes the trail.

use futures_util::stream::BoxStream;
use futures_util::TryStreamExt;
use rempart_domain::audit::{Anchor, AuditEntry, BadEntry, ChainVerifier};
use rempart_domain::authz::{roles_with, Permission};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::dialect::{contains_ci, escape_like};
use crate::error::{Result, StoreError};
use crate::list::{Page, PageRequest};
use crate::orgs::{bind_all, Bind};
use crate::scope::{role_list, Scope};
use crate::store::{Engine, Store};

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

/// The newest `limit` entries about one record, for its own page: call it only once the
/// caller's read of that record has passed its scope (the record's history is part of what
/// they may see of it).
pub async fn history_of(
    store: &Store,
    entity_type: &str,
    entity_id: i64,
    limit: i64,
) -> Result<Vec<StoredEntry>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_entries WHERE entity_type = $1 AND entity_id = $2 \
         ORDER BY seq DESC LIMIT {}",
        limit.clamp(1, 500)
    );
    let rows = sqlx::query(&sql)
        .bind(entity_type)
        .bind(entity_id.to_string())
        .fetch_all(&store.pool)
        .await?;
    rows.iter().map(from_row).collect()
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

/// Checks exported anchors against the entries as they go by, in ascending order.
pub(crate) struct AnchorCheck {
    pending: Vec<Anchor>,
    next: usize,
    missing: Vec<Anchor>,
}

impl AnchorCheck {
    pub(crate) fn new(anchors: &[Anchor]) -> Self {
        let mut pending = anchors.to_vec();
        pending.sort_by_key(|a| a.seq);
        Self {
            pending,
            next: 0,
            missing: Vec::new(),
        }
    }

    /// Notes a verified entry: an anchor at its sequence number must carry its hash.
    pub(crate) fn see(&mut self, seq: i64, hash: &[u8]) {
        while let Some(anchor) = self.pending.get(self.next) {
            if anchor.seq > seq {
                break;
            }
            if anchor.seq == seq && !anchor.hash.as_bytes().eq_ignore_ascii_case(hash) {
                self.missing.push(anchor.clone());
            }
            self.next += 1;
        }
    }

    /// The anchors found wrong, and, when the chain is intact, those beyond its end.
    fn finish(mut self, chain_intact: bool) -> Vec<Anchor> {
        if chain_intact {
            let beyond = self.pending.get(self.next..).unwrap_or_default();
            self.missing.extend(beyond.iter().cloned());
        }
        self.missing
    }
}

/// Checks entries fed in chain order: the hashes, then the anchors.
pub(crate) struct Checker {
    pub(crate) verifier: ChainVerifier,
    pub(crate) anchors: AnchorCheck,
}

impl Checker {
    /// Checks one more entry; false from the first bad entry on, when reading may stop.
    pub(crate) fn check(&mut self, stored: &StoredEntry) -> bool {
        if !self.verifier.push(&stored.entry, &stored.hash) {
            return false;
        }
        self.anchors.see(stored.entry.seq, stored.hash.as_bytes());
        true
    }

    pub(crate) fn finish(self, recorded: &Anchor) -> Verification {
        let checked = self.verifier.checked();
        let (head, first_bad) = match self.verifier.finish(Some(recorded)) {
            Ok(head) => (head, None),
            Err(bad) => (recorded.clone(), Some(bad)),
        };
        Verification {
            checked,
            head,
            missing_anchors: self.anchors.finish(first_bad.is_none()),
            first_bad,
        }
    }
}

/// Decodes and checks rows in order until the end, the first bad entry or the first row that
/// does not read (an error). Returns the last sequence number checked, or None when there was
/// none or a bad entry ended the check.
async fn check_rows(
    mut rows: BoxStream<'_, std::result::Result<AnyRow, sqlx::Error>>,
    checker: &mut Checker,
) -> Result<Option<i64>> {
    let mut last = None;
    while let Some(row) = rows.try_next().await? {
        let stored = from_row(&row)?;
        if !checker.check(&stored) {
            return Ok(None);
        }
        last = Some(stored.entry.seq);
    }
    Ok(last)
}

/// Reads the whole chain in order and checks every hash, the recorded head, and any anchors
/// exported earlier (each must still be in the chain with the same hash). Reading stops at
/// the first bad entry; an entry that cannot be read before it is an error.
pub async fn verify(store: &Store, anchors: &[Anchor]) -> Result<Verification> {
    let mut checker = Checker {
        verifier: ChainVerifier::new(),
        anchors: AnchorCheck::new(anchors),
    };
    let recorded = match (store.engine(), store.sqlite_file()) {
        (Engine::Sqlite, Some(path)) => {
            let path = path.to_path_buf();
            return tokio::task::spawn_blocking(move || {
                crate::audit_sqlite::verify_file(&path, checker)
            })
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        }
        _ => {
            let recorded = head(store).await?;
            let sql = format!("SELECT {COLUMNS} FROM audit_entries ORDER BY seq");
            check_rows(sqlx::query(&sql).fetch(&store.pool), &mut checker).await?;
            recorded
        }
    };
    Ok(checker.finish(&recorded))
}
