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
use crate::error::Result;
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

/// Entries read at a time from SQLite: one query, one row.
const VERIFY_BATCH: i64 = 512;

/// A batch of entries as SQLite packs them into one text, so that a batch crosses from the
/// database as one row instead of one row per entry (see [`check_sqlite`]). Each entry is
/// written as `seq,at_micros,actor_id,org_id,` (an id empty when NULL), then each text field
/// as its length in bytes, `:` and its bytes (`-:` when NULL), the hash last: the lengths make
/// the packing unambiguous whatever the fields contain. An entry with a value of another type
/// than the schema's (a NULL where none may be, a number or a blob where text should be) is
/// packed as NULL, which `group_concat` skips and the count then reveals: such a batch is read
/// row by row, where decoding reports it as it always did. `concat` needs SQLite 3.44; sqlx
/// bundles a later one.
fn sqlite_packed_sql(after: bool) -> String {
    format!(
        "SELECT COUNT(*) AS n, MAX(seq) AS last, group_concat(CASE WHEN \
         typeof(seq) = 'integer' AND typeof(at_micros) = 'integer' \
         AND typeof(actor_id) IN ('integer', 'null') AND typeof(org_id) IN ('integer', 'null') \
         AND typeof(actor_label) = 'text' AND typeof(source) = 'text' AND typeof(action) = 'text' \
         AND typeof(entity_type) = 'text' AND typeof(entity_id) = 'text' \
         AND typeof(before_json) IN ('text', 'null') AND typeof(after_json) IN ('text', 'null') \
         AND typeof(hash) = 'text' \
         THEN concat(seq, ',', at_micros, ',', actor_id, ',', org_id, ',', \
         octet_length(actor_label), ':', actor_label, \
         octet_length(source), ':', source, \
         octet_length(action), ':', action, \
         octet_length(entity_type), ':', entity_type, \
         octet_length(entity_id), ':', entity_id, \
         ifnull(octet_length(before_json), '-'), ':', before_json, \
         ifnull(octet_length(after_json), '-'), ':', after_json, \
         octet_length(hash), ':', hash) END, '') AS packed \
         FROM (SELECT {COLUMNS} FROM audit_entries {} ORDER BY seq LIMIT {VERIFY_BATCH})",
        if after { "WHERE seq > $1" } else { "" }
    )
}

fn rows_sql(after: bool) -> String {
    format!(
        "SELECT {COLUMNS} FROM audit_entries {} ORDER BY seq LIMIT {VERIFY_BATCH}",
        if after { "WHERE seq > $1" } else { "" }
    )
}

/// Reads one packed entry after another.
struct Unpacker<'a> {
    rest: &'a str,
}

impl<'a> Unpacker<'a> {
    fn until(&mut self, end: char) -> Option<&'a str> {
        let (field, rest) = self.rest.split_once(end)?;
        self.rest = rest;
        Some(field)
    }

    fn int(&mut self) -> Option<i64> {
        self.until(',')?.parse().ok()
    }

    fn optional_int(&mut self) -> Option<Option<i64>> {
        match self.until(',')? {
            "" => Some(None),
            n => n.parse().ok().map(Some),
        }
    }

    fn optional_text(&mut self) -> Option<Option<String>> {
        let length = self.until(':')?;
        if length == "-" {
            return Some(None);
        }
        let length: usize = length.parse().ok()?;
        let text = self.rest.get(..length)?;
        self.rest = self.rest.get(length..)?;
        Some(Some(text.to_owned()))
    }

    fn text(&mut self) -> Option<String> {
        self.optional_text()?
    }

    fn entry(&mut self) -> Option<StoredEntry> {
        Some(StoredEntry {
            entry: AuditEntry {
                seq: self.int()?,
                at_micros: self.int()?,
                actor_id: self.optional_int()?,
                org_id: self.optional_int()?,
                actor_label: self.text()?,
                source: self.text()?,
                action: self.text()?,
                entity_type: self.text()?,
                entity_id: self.text()?,
                before: self.optional_text()?,
                after: self.optional_text()?,
            },
            hash: self.text()?,
        })
    }
}

/// The entries of a packed batch in chain order, or None when the text is not exactly
/// `count` well-formed entries (the caller then reads the batch row by row).
fn unpack(count: i64, text: &str) -> Option<Vec<StoredEntry>> {
    let mut unpacker = Unpacker { rest: text };
    let mut entries = Vec::with_capacity(usize::try_from(count).ok()?);
    while !unpacker.rest.is_empty() {
        entries.push(unpacker.entry()?);
    }
    if i64::try_from(entries.len()).ok()? != count {
        return None;
    }
    // SQLite aggregates the ordered subquery in order; sorting makes sure of it, at no cost
    // when it did.
    if !entries.windows(2).all(|w| w[0].entry.seq < w[1].entry.seq) {
        entries.sort_by_key(|e| e.entry.seq);
    }
    Some(entries)
}

/// One packed batch as SQLite returned it; `last` or `text` is None when it did not decode,
/// and then `count` is not known either.
struct PackedBatch {
    count: i64,
    last: Option<i64>,
    text: Option<String>,
}

impl PackedBatch {
    /// The entries, or None when the batch must be read row by row.
    fn entries(&self) -> Option<Vec<StoredEntry>> {
        self.last?;
        unpack(self.count, self.text.as_deref()?)
    }
}

async fn fetch_packed(
    conn: &mut sqlx::AnyConnection,
    after: Option<i64>,
) -> Result<Option<PackedBatch>> {
    let sql = sqlite_packed_sql(after.is_some());
    let mut query = sqlx::query(&sql);
    if let Some(after) = after {
        query = query.bind(after);
    }
    let row = match query.fetch_one(conn).await {
        Ok(row) => row,
        // sqlx decodes the whole row as it arrives: text that is not UTF-8 fails here.
        Err(sqlx::Error::Decode(_) | sqlx::Error::ColumnDecode { .. }) => {
            return Ok(Some(PackedBatch {
                count: 0,
                last: None,
                text: None,
            }))
        }
        Err(e) => return Err(e.into()),
    };
    let count: i64 = row.try_get("n")?;
    if count == 0 {
        return Ok(None);
    }
    Ok(Some(PackedBatch {
        count,
        last: row.try_get("last").ok(),
        text: row.try_get("packed").ok(),
    }))
}

async fn head_in(conn: &mut sqlx::AnyConnection) -> Result<Anchor> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok(Anchor {
        seq: row.try_get("seq")?,
        hash: row.try_get("hash")?,
    })
}

/// Checks exported anchors against the entries as they go by, in ascending order.
struct AnchorCheck {
    pending: Vec<Anchor>,
    next: usize,
    missing: Vec<Anchor>,
}

impl AnchorCheck {
    fn new(anchors: &[Anchor]) -> Self {
        let mut pending = anchors.to_vec();
        pending.sort_by_key(|a| a.seq);
        Self {
            pending,
            next: 0,
            missing: Vec::new(),
        }
    }

    /// Notes a verified entry: an anchor at its sequence number must carry its hash.
    fn see(&mut self, stored: &StoredEntry) {
        while let Some(anchor) = self.pending.get(self.next) {
            if anchor.seq > stored.entry.seq {
                break;
            }
            if anchor.seq == stored.entry.seq && !anchor.hash.eq_ignore_ascii_case(&stored.hash) {
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
struct Checker {
    verifier: ChainVerifier,
    anchors: AnchorCheck,
}

impl Checker {
    /// Checks one more entry; false from the first bad entry on, when reading may stop.
    fn check(&mut self, stored: &StoredEntry) -> bool {
        if !self.verifier.push(&stored.entry, &stored.hash) {
            return false;
        }
        self.anchors.see(stored);
        true
    }

    fn finish(self, recorded: &Anchor) -> Verification {
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

/// SQLite: the head and the entries from one read transaction, so from one snapshot, in
/// packed batches. Through sqlx every row crosses on its own from the connection's thread,
/// which costs several microseconds a row, several times what hashing an entry costs; a
/// packed batch crosses once. The next batch is asked for, and packed by SQLite on its
/// thread, while this one is unpacked and hashed here. A batch that does not unpack is read
/// again row by row, so that whatever is wrong with it is reported exactly as reading row by
/// row reports it.
async fn check_sqlite(store: &Store, checker: &mut Checker) -> Result<Anchor> {
    let mut tx = store.pool.begin().await?;
    let recorded = head_in(&mut tx).await?;
    let mut after: Option<i64> = None;
    let mut fetched = fetch_packed(&mut tx, after).await?;
    while let Some(batch) = fetched.take() {
        if let Some(last) = batch.last {
            let (next, checked) = tokio::join!(fetch_packed(&mut tx, Some(last)), async {
                batch
                    .entries()
                    .map(|entries| entries.iter().all(|e| checker.check(e)))
            });
            match checked {
                Some(true) => {
                    after = Some(last);
                    fetched = next?;
                    continue;
                }
                // A bad entry: the rest is not needed.
                Some(false) => break,
                None => {}
            }
        }
        let sql = rows_sql(after.is_some());
        let mut query = sqlx::query(&sql);
        if let Some(after) = after {
            query = query.bind(after);
        }
        match check_rows(query.fetch(&mut *tx), checker).await? {
            Some(last) => {
                after = Some(last);
                fetched = fetch_packed(&mut tx, after).await?;
            }
            None => break,
        }
    }
    tx.commit().await?;
    Ok(recorded)
}

/// Reads the whole chain in order and checks every hash, the recorded head, and any anchors
/// exported earlier (each must still be in the chain with the same hash). Reading stops at
/// the first bad entry; an entry that cannot be read before it is an error.
pub async fn verify(store: &Store, anchors: &[Anchor]) -> Result<Verification> {
    let mut checker = Checker {
        verifier: ChainVerifier::new(),
        anchors: AnchorCheck::new(anchors),
    };
    let recorded = match store.engine() {
        Engine::Sqlite => check_sqlite(store, &mut checker).await?,
        Engine::Postgres => {
            let recorded = head(store).await?;
            let sql = format!("SELECT {COLUMNS} FROM audit_entries ORDER BY seq");
            check_rows(sqlx::query(&sql).fetch(&store.pool), &mut checker).await?;
            recorded
        }
    };
    Ok(checker.finish(&recorded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::{AuditContext, Change};

    /// Packed batches must give exactly what reading row by row gives. Were they to fail on
    /// ordinary entries, verification would stay right but fall back to the slow reading, so
    /// the other tests would not notice.
    #[tokio::test]
    async fn sqlite_batches_unpack_to_the_rows() -> Result<()> {
        let store = crate::testing::fresh_store().await?;
        if store.engine() != Engine::Sqlite {
            return Ok(());
        }
        let mut w = store
            .write(AuditContext {
                actor_id: Some(7),
                actor_label: "a:b,c-1:é".to_owned(),
                source: String::new(),
            })
            .await?;
        for (i, text) in ["", "-:", "12:3,4", "é€😀"].into_iter().enumerate() {
            w.audit(Change {
                org_id: (i % 2 == 0).then_some(3),
                action: text,
                entity_type: "t",
                entity_id: text.to_owned(),
                before: (i % 2 == 1).then(|| serde_json::json!(text)),
                after: (i != 3).then(|| serde_json::json!({ "k": text })),
            })
            .await?;
        }
        w.commit().await?;
        let mut conn = store.pool.acquire().await?;
        let packed = fetch_packed(&mut conn, None)
            .await?
            .and_then(|batch| batch.entries());
        let rows = sqlx::query(&rows_sql(false))
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>>>()?;
        assert_eq!(rows.len(), 4);
        assert_eq!(packed, Some(rows));
        Ok(())
    }
}
