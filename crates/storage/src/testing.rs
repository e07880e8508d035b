//! Fresh databases for tests, on the engine the environment selects: SQLite by default, and
//! PostgreSQL when `REMPART_TEST_POSTGRES_URL` names a server (CI sets it for its second run).
//! Each call gets a database of its own, so tests run in parallel without seeing each other.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Result;
use crate::store::{DatabaseUrl, Store};

pub const POSTGRES_ENV: &str = "REMPART_TEST_POSTGRES_URL";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The engine the tests run on, for messages.
pub fn engine_name() -> &'static str {
    if std::env::var(POSTGRES_ENV).is_ok_and(|v| !v.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    }
}

/// A URL for a new, empty database: a file in a temporary directory, or a new PostgreSQL
/// database created on the configured server.
pub async fn fresh_url() -> Result<DatabaseUrl> {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let unique = format!("{}_{}_{}", std::process::id(), crate::now_micros(), n);
    match std::env::var(POSTGRES_ENV).ok().filter(|v| !v.is_empty()) {
        Some(admin_url) => {
            let admin = Store::connect(&DatabaseUrl::new(admin_url.clone()), 1).await?;
            let name = format!("rempart_test_{unique}");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(admin.pool())
                .await?;
            admin.close().await;
            let mut url = url::Url::parse(&admin_url)
                .map_err(|_| crate::StoreError::UnsupportedUrl(admin_url.clone()))?;
            url.set_path(&format!("/{name}"));
            Ok(DatabaseUrl::new(url.to_string()))
        }
        None => {
            let dir = std::env::temp_dir().join(format!("rempart-test-{unique}"));
            std::fs::create_dir_all(&dir)?;
            Ok(DatabaseUrl::sqlite_in(&dir))
        }
    }
}

/// A fresh, migrated store.
pub async fn fresh_store() -> Result<Store> {
    Store::open(&fresh_url().await?, 8).await
}
