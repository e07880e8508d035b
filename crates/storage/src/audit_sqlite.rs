//! SQLite's fast path for verifying the audit chain: the database file read directly, in one
//! read transaction (so the recorded head and the entries come from one snapshot), each row
//! hashed from the bytes SQLite hands over, without copying or decoding them. Blocking: call
//! it from a blocking thread.

use std::path::Path;

use rempart_domain::audit::{Anchor, EntryBytes};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Row};

use crate::audit::{Checker, Verification};
use crate::error::Result;

/// A column as the schema says it is, or None when the stored value has another type.
fn int(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<i64>> {
    Ok(match row.get_ref(i)? {
        ValueRef::Integer(n) => Some(n),
        _ => None,
    })
}

fn optional_int(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<Option<i64>>> {
    Ok(match row.get_ref(i)? {
        ValueRef::Integer(n) => Some(Some(n)),
        ValueRef::Null => Some(None),
        _ => None,
    })
}

fn text<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<&'r [u8]>> {
    Ok(match row.get_ref(i)? {
        ValueRef::Text(bytes) => Some(bytes),
        _ => None,
    })
}

fn optional_text<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<Option<&'r [u8]>>> {
    Ok(match row.get_ref(i)? {
        ValueRef::Text(bytes) => Some(Some(bytes)),
        ValueRef::Null => Some(None),
        _ => None,
    })
}

/// The entry of a row, or None when a value is not of the schema's type.
fn entry<'r>(row: &'r Row<'_>) -> rusqlite::Result<Option<(EntryBytes<'r>, &'r [u8])>> {
    let (
        Some(seq),
        Some(at_micros),
        Some(actor_id),
        Some(actor_label),
        Some(source),
        Some(org_id),
        Some(action),
        Some(entity_type),
        Some(entity_id),
        Some(before),
        Some(after),
        Some(hash),
    ) = (
        int(row, 0)?,
        int(row, 1)?,
        optional_int(row, 2)?,
        text(row, 3)?,
        text(row, 4)?,
        optional_int(row, 5)?,
        text(row, 6)?,
        text(row, 7)?,
        text(row, 8)?,
        optional_text(row, 9)?,
        optional_text(row, 10)?,
        text(row, 11)?,
    )
    else {
        return Ok(None);
    };
    Ok(Some((
        EntryBytes {
            seq,
            at_micros,
            actor_id,
            actor_label,
            source,
            org_id,
            action,
            entity_type,
            entity_id,
            before,
            after,
        },
        hash,
    )))
}

/// Entries handed from the reading thread to the hashing thread at a time.
const BATCH: usize = 1024;

/// Where one entry's fields sit in its batch's buffer.
#[derive(Debug, Clone, Copy)]
struct Item {
    seq: i64,
    at_micros: i64,
    actor_id: Option<i64>,
    org_id: Option<i64>,
    /// actor_label, source, action, entity_type, entity_id, before, after, hash.
    spans: [(usize, usize); 8],
    has_before: bool,
    has_after: bool,
}

/// Entries copied out of SQLite's row buffers into one allocation, so that the next rows can be
/// read while these are hashed on the other core.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    items: Vec<Item>,
    /// The sequence number of a row that could not be read, which ends the batch and the
    /// reading (None inside when even its `seq` is unreadable).
    unreadable: Option<Option<i64>>,
}

impl Batch {
    fn put(&mut self, field: &[u8]) -> (usize, usize) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(field);
        (start, self.bytes.len())
    }

    fn push(&mut self, entry: &EntryBytes<'_>, hash: &[u8]) {
        let spans = [
            self.put(entry.actor_label),
            self.put(entry.source),
            self.put(entry.action),
            self.put(entry.entity_type),
            self.put(entry.entity_id),
            self.put(entry.before.unwrap_or_default()),
            self.put(entry.after.unwrap_or_default()),
            self.put(hash),
        ];
        self.items.push(Item {
            seq: entry.seq,
            at_micros: entry.at_micros,
            actor_id: entry.actor_id,
            org_id: entry.org_id,
            spans,
            has_before: entry.before.is_some(),
            has_after: entry.after.is_some(),
        });
    }

    fn field(&self, span: (usize, usize)) -> &[u8] {
        self.bytes.get(span.0..span.1).unwrap_or_default()
    }

    /// Checks the batch's entries in order; false once the chain is known to be broken.
    fn check(&self, checker: &mut Checker) -> bool {
        for item in &self.items {
            let [actor_label, source, action, entity_type, entity_id, before, after, hash] =
                item.spans.map(|span| self.field(span));
            let entry = EntryBytes {
                seq: item.seq,
                at_micros: item.at_micros,
                actor_id: item.actor_id,
                actor_label,
                source,
                org_id: item.org_id,
                action,
                entity_type,
                entity_id,
                before: item.has_before.then_some(before),
                after: item.has_after.then_some(after),
            };
            if !checker.verifier.push_bytes(&entry, hash) {
                return false;
            }
            checker.anchors.see(entry.seq, hash);
        }
        if let Some(found) = self.unreadable {
            checker.verifier.push_unreadable(found);
            return false;
        }
        true
    }
}

/// Reads every entry in chain order into batches for `send`; stops early when `send` refuses
/// (the hashing side found a bad entry) or after an unreadable row.
fn read_batches(conn: &Connection, send: &std::sync::mpsc::SyncSender<Batch>) -> Result<()> {
    let mut statement = conn.prepare(
        "SELECT seq, at_micros, actor_id, actor_label, source, org_id, action, entity_type, \
         entity_id, before_json, after_json, hash FROM audit_entries ORDER BY seq",
    )?;
    let mut rows = statement.query([])?;
    let mut batch = Batch::default();
    while let Some(row) = rows.next()? {
        match entry(row)? {
            Some((entry, hash)) => batch.push(&entry, hash),
            None => {
                batch.unreadable = Some(match row.get_ref(0)? {
                    ValueRef::Integer(n) => Some(n),
                    _ => None,
                });
                break;
            }
        }
        if batch.items.len() == BATCH {
            let full = std::mem::take(&mut batch);
            if send.send(full).is_err() {
                return Ok(());
            }
        }
    }
    let _ = send.send(batch);
    Ok(())
}

/// Verifies the chain of the SQLite file at `path`: this thread reads, a second one hashes.
pub(crate) fn verify_file(path: &Path, mut checker: Checker) -> Result<Verification> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("BEGIN")?;
    let recorded = conn.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
        Ok(Anchor {
            seq: r.get(0)?,
            hash: r.get(1)?,
        })
    })?;
    let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(4);
    let read = std::thread::scope(|scope| {
        let hashing = scope.spawn(move || {
            for batch in receive {
                if !batch.check(&mut checker) {
                    break;
                }
            }
            checker
        });
        let read = read_batches(&conn, &send);
        drop(send);
        (read, hashing.join())
    });
    conn.execute_batch("COMMIT")?;
    let (read, checker) = read;
    read?;
    // The hashing thread runs no code that panics; were it to, the panic is carried on.
    let checker = checker.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    Ok(checker.finish(&recorded))
}
