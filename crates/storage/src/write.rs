//! The one way to change data: a transaction that carries its audit context, so that a change
//! and its audit entry commit together or not at all (AUD-01).

use rempart_domain::audit::{parse_hash, AuditEntry};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::dialect::write_lock_statement;
use crate::error::Result;
use crate::store::{now_micros, Store};

/// Who is acting, from where. Every audit entry of a transaction carries it.
#[derive(Debug, Clone)]
pub struct AuditContext {
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub source: String,
}

impl AuditContext {
    /// A command run on the server itself, by whoever holds the shell.
    pub fn system(label: &str) -> Self {
        Self {
            actor_id: None,
            actor_label: label.to_owned(),
            source: "local".to_owned(),
        }
    }
}

/// One change to audit: what was done to which record, before and after.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub org_id: Option<i64>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub struct WriteTx {
    pub(crate) tx: Transaction<'static, Any>,
    engine: crate::Engine,
    /// Held until the transaction ends (SQLite only); declared after `tx` so that the
    /// transaction is dropped, and rolled back, before the next writer may start.
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
    pub(crate) ctx: AuditContext,
    at_micros: i64,
}

impl Store {
    /// Begins a write transaction for `ctx`. On SQLite it takes the write lock at once.
    pub async fn write(&self, ctx: AuditContext) -> Result<WriteTx> {
        self.write_at(ctx, now_micros()).await
    }

    /// Begins a write transaction whose changes are dated `at_micros`: the scheduler's pass
    /// dates what it does with the instant it was run for, so that deadlines it creates count
    /// from the same clock as those it found due.
    pub async fn write_at(&self, ctx: AuditContext, at_micros: i64) -> Result<WriteTx> {
        let gate = match self.engine() {
            crate::Engine::Sqlite => Some(self.write_gate.clone().lock_owned().await),
            crate::Engine::Postgres => None,
        };
        let mut tx = self.pool.begin().await?;
        if let Some(lock) = write_lock_statement(self.engine()) {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        Ok(WriteTx {
            tx,
            engine: self.engine(),
            _gate: gate,
            ctx,
            at_micros,
        })
    }
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    pub fn engine(&self) -> crate::Engine {
        self.engine
    }

    pub fn now(&self) -> i64 {
        self.at_micros
    }

    pub fn context(&self) -> &AuditContext {
        &self.ctx
    }

    /// Appends one entry to the chain. The head row's update locks it until commit, so that
    /// concurrent appenders on PostgreSQL queue behind it and then see the new head; on SQLite
    /// the transaction already holds the write lock.
    pub async fn audit(&mut self, change: Change<'_>) -> Result<i64> {
        let head =
            sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *self.tx)
                .await?;
        let seq: i64 = head.try_get("seq")?;
        let previous_text: String = head.try_get("hash")?;
        let previous = parse_hash(&previous_text).unwrap_or([0u8; 32]);
        let entry = AuditEntry {
            seq,
            at_micros: self.at_micros,
            actor_id: self.ctx.actor_id,
            actor_label: self.ctx.actor_label.clone(),
            source: self.ctx.source.clone(),
            org_id: change.org_id,
            action: change.action.to_owned(),
            entity_type: change.entity_type.to_owned(),
            entity_id: change.entity_id,
            before: change.before.map(|v| v.to_string()),
            after: change.after.map(|v| v.to_string()),
        };
        let hash = hex::encode(entry.chain_hash(&previous));
        sqlx::query(
            "INSERT INTO audit_entries (seq, at_micros, actor_id, actor_label, source, org_id, \
             action, entity_type, entity_id, before_json, after_json, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(entry.seq)
        .bind(entry.at_micros)
        .bind(entry.actor_id)
        .bind(&entry.actor_label)
        .bind(&entry.source)
        .bind(entry.org_id)
        .bind(&entry.action)
        .bind(&entry.entity_type)
        .bind(&entry.entity_id)
        .bind(&entry.before)
        .bind(&entry.after)
        .bind(&hash)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(seq)
    }

    /// Appends many entries at once, in order, as [`WriteTx::audit`] would one by one: the
    /// head moves once, the chain is computed here, entries are inserted fifty at a time
    /// (binding grows faster than linearly with a statement's parameters: fifty rows was the
    /// measured best, see BENCHMARKS.md).
    /// What a bulk change (an import) uses, so that its trail costs a few statements, not three
    /// per record.
    pub async fn audit_batch(&mut self, changes: Vec<Change<'_>>) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let n = i64::try_from(changes.len()).unwrap_or(i64::MAX);
        // The hash returned is the one before this statement: the chain continues from it.
        let head =
            sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
                .bind(n)
                .fetch_one(&mut *self.tx)
                .await?;
        let last: i64 = head.try_get("seq")?;
        let previous_text: String = head.try_get("hash")?;
        let mut previous = parse_hash(&previous_text).unwrap_or([0u8; 32]);
        let mut entries = Vec::with_capacity(changes.len());
        for (i, change) in changes.into_iter().enumerate() {
            let entry = AuditEntry {
                seq: last - n + 1 + i64::try_from(i).unwrap_or(0),
                at_micros: self.at_micros,
                actor_id: self.ctx.actor_id,
                actor_label: self.ctx.actor_label.clone(),
                source: self.ctx.source.clone(),
                org_id: change.org_id,
                action: change.action.to_owned(),
                entity_type: change.entity_type.to_owned(),
                entity_id: change.entity_id,
                before: change.before.map(|v| v.to_string()),
                after: change.after.map(|v| v.to_string()),
            };
            previous = entry.chain_hash(&previous);
            entries.push((entry, hex::encode(previous)));
        }
        for chunk in entries.chunks(50) {
            let placeholders: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let b = r * 12;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                        b + 1,
                        b + 2,
                        b + 3,
                        b + 4,
                        b + 5,
                        b + 6,
                        b + 7,
                        b + 8,
                        b + 9,
                        b + 10,
                        b + 11,
                        b + 12
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO audit_entries (seq, at_micros, actor_id, actor_label, source, \
                 org_id, action, entity_type, entity_id, before_json, after_json, hash) VALUES {}",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (entry, hash) in chunk {
                query = query
                    .bind(entry.seq)
                    .bind(entry.at_micros)
                    .bind(entry.actor_id)
                    .bind(&entry.actor_label)
                    .bind(&entry.source)
                    .bind(entry.org_id)
                    .bind(&entry.action)
                    .bind(&entry.entity_type)
                    .bind(&entry.entity_id)
                    .bind(&entry.before)
                    .bind(&entry.after)
                    .bind(hash);
            }
            query.execute(&mut *self.tx).await?;
        }
        if let Some((_, hash)) = entries.last() {
            sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
                .bind(hash)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// Serializes a record for the `before`/`after` of an audit entry.
pub fn snapshot<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}
