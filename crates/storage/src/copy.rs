//! `rempart copy-data`: moves an installation to another database, typically from its SQLite
//! file to PostgreSQL. Tables are discovered from the source's catalogue, not listed here, so
//! that every table a later migration adds is copied too; values are copied column by column
//! with their types, and the result is checked table by table and by verifying the audit chain.

use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Row, ValueRef};

use crate::audit;
use crate::dialect::reset_identity;
use crate::error::{Result, StoreError};
use crate::migrate;
use crate::store::{Engine, Store};

/// Tables the migration itself fills, and so are not required to be empty in the target.
const SEEDED: &[&str] = &["schema_migrations", "audit_head"];
const BATCH: usize = 400;

#[derive(Debug, Clone, Serialize)]
pub struct TableCopy {
    pub table: String,
    pub rows: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CopyReport {
    pub tables: Vec<TableCopy>,
    pub audit_entries_verified: u64,
    pub audit_head_seq: i64,
}

/// The application's tables in creation order (parents before children).
pub async fn tables(store: &Store) -> Result<Vec<String>> {
    let sql = match store.engine() {
        Engine::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        }
        Engine::Postgres => {
            "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.oid"
        }
    };
    let rows = sqlx::query(sql).fetch_all(&store.pool).await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>("name")?))
        .collect()
}

pub async fn columns(store: &Store, table: &str) -> Result<Vec<String>> {
    let rows = match store.engine() {
        Engine::Sqlite => {
            sqlx::query(&format!("SELECT name FROM pragma_table_info('{}') ORDER BY cid", table.replace('\'', "")))
                .fetch_all(&store.pool)
                .await?
        }
        Engine::Postgres => {
            sqlx::query(
                "SELECT column_name AS name FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&store.pool)
            .await?
        }
    };
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>("name")?))
        .collect()
}

pub async fn count(store: &Store, table: &str) -> Result<i64> {
    Ok(
        sqlx::query(&format!("SELECT COUNT(*) AS n FROM {}", quote(table)))
            .fetch_one(&store.pool)
            .await?
            .try_get("n")?,
    )
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// One value, typed as both engines store ours: 64-bit integers, text, floats or bytes.
#[derive(Debug, Clone)]
enum Value {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
}

fn read_value(row: &AnyRow, index: usize) -> Result<Value> {
    if row.try_get_raw(index)?.is_null() {
        return Ok(Value::Null);
    }
    if let Ok(v) = row.try_get::<i64, _>(index) {
        return Ok(Value::Int(v));
    }
    if let Ok(v) = row.try_get::<String, _>(index) {
        return Ok(Value::Text(v));
    }
    if let Ok(v) = row.try_get::<f64, _>(index) {
        return Ok(Value::Float(v));
    }
    Ok(Value::Bytes(row.try_get::<Vec<u8>, _>(index)?))
}

/// Copies every table of `source` into `target`, which must hold no data yet, then checks it.
pub async fn copy_all(source: &Store, target: &Store) -> Result<CopyReport> {
    migrate::run(target).await?;
    let source_version = migrate::current_version(source).await?;
    if source_version != migrate::latest_version() {
        migrate::run(source).await?;
    }
    let tables = tables(source).await?;
    for table in &tables {
        if SEEDED.contains(&table.as_str()) {
            continue;
        }
        if count(target, table).await? > 0 {
            return Err(StoreError::TargetNotEmpty(table.clone()));
        }
    }
    if audit::head(target).await?.seq != 0 {
        return Err(StoreError::TargetNotEmpty("audit_head".to_owned()));
    }

    let mut tx = target.pool.begin().await?;
    if target.engine() == Engine::Postgres {
        // Rows are copied in id order, which a later move in the tree can make child-first.
        sqlx::query("SET CONSTRAINTS ALL DEFERRED")
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut *tx)
            .await?;
    }
    let mut report = Vec::new();
    for table in &tables {
        if table == "schema_migrations" {
            continue;
        }
        let cols = columns(source, table).await?;
        if table == "audit_head" {
            let head = audit::head(source).await?;
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(head.seq)
                .bind(&head.hash)
                .execute(&mut *tx)
                .await?;
            continue;
        }
        let col_list = cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
        let order = cols
            .first()
            .map(|c| quote(c))
            .unwrap_or_else(|| "1".to_owned());
        let select = format!("SELECT {col_list} FROM {} ORDER BY {order}", quote(table));
        let mut rows = sqlx::query(&select).fetch(&source.pool);
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(BATCH);
        let mut copied = 0i64;
        while let Some(row) = rows.try_next().await? {
            let values = (0..cols.len())
                .map(|i| read_value(&row, i))
                .collect::<Result<Vec<_>>>()?;
            batch.push(values);
            if batch.len() == BATCH {
                insert_batch(&mut tx, table, &col_list, cols.len(), &batch).await?;
                copied += batch.len() as i64;
                batch.clear();
            }
        }
        if !batch.is_empty() {
            insert_batch(&mut tx, table, &col_list, cols.len(), &batch).await?;
            copied += batch.len() as i64;
        }
        if cols.iter().any(|c| c == "id") {
            if let Some(sql) = reset_identity(target.engine(), table) {
                sqlx::query(&sql).execute(&mut *tx).await?;
            }
        }
        report.push(TableCopy {
            table: table.clone(),
            rows: copied,
        });
    }
    tx.commit().await?;

    for entry in &report {
        let there = count(target, &entry.table).await?;
        if there != entry.rows {
            return Err(StoreError::CopyMismatch(format!(
                "{}: {} rows copied, {} found",
                entry.table, entry.rows, there
            )));
        }
    }
    let verification = audit::verify(target, &[audit::head(source).await?]).await?;
    if !verification.is_intact() {
        return Err(StoreError::CopyMismatch(
            "audit chain does not verify in the target".to_owned(),
        ));
    }
    Ok(CopyReport {
        tables: report,
        audit_entries_verified: verification.checked,
        audit_head_seq: verification.head.seq,
    })
}

async fn insert_batch(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    col_list: &str,
    width: usize,
    batch: &[Vec<Value>],
) -> Result<()> {
    let mut sql = format!("INSERT INTO {} ({col_list}) VALUES ", quote(table));
    let mut n = 0;
    for (r, _) in batch.iter().enumerate() {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push_str(&format!("${n}"));
        }
        sql.push(')');
    }
    let mut query = sqlx::query(&sql);
    for row in batch {
        for value in row {
            query = match value {
                // A NULL typed as an integer: PostgreSQL casts it to a text column on assignment, not
                // the other way round.
                Value::Null => query.bind(Option::<i64>::None),
                Value::Int(v) => query.bind(*v),
                Value::Float(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.clone()),
                Value::Bytes(v) => query.bind(v.clone()),
            };
        }
    }
    query.execute(&mut **tx).await?;
    Ok(())
}
