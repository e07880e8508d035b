use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::error::{Result, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A database URL whose password never appears in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The SQLite file under a data directory, used when nothing else is configured.
    pub fn sqlite_in(data_dir: &Path) -> Self {
        Self(format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("rempart.db").display()
        ))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn engine(&self) -> Result<Engine> {
        if self.0.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if self.0.starts_with("postgres://") || self.0.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(self.redacted()))
        }
    }

    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut parsed) if parsed.password().is_some() => {
                // Setting a password only fails on URLs that cannot have one, which we just
                // saw has one.
                let _ = parsed.set_password(Some("***"));
                parsed.to_string()
            }
            Ok(_) => self.0.clone(),
            Err(_) => "<invalid URL>".to_owned(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The handle every repository works through: a pool and the engine behind it.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    engine: Engine,
    /// The database file, for the SQLite-only fast paths that open it directly.
    sqlite_file: Option<std::path::PathBuf>,
    /// SQLite has one writer at a time. Writers of this process queue here, in order, instead
    /// of polling SQLite's lock from its busy handler, where a waiting writer sleeps up to
    /// 100 ms between tries while others overtake it.
    pub(crate) write_gate: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Views over many records, kept while the audit chain's head does not move.
    pub(crate) views: std::sync::Arc<crate::views::Views>,
}

impl Store {
    /// Drops the views kept in this process (benchmarks measure them computed afresh).
    pub fn clear_views(&self) {
        self.views.clear();
    }

    /// How many views this process computed whole, and how many it patched.
    pub fn view_counts(&self) -> crate::views::ViewCounts {
        self.views.counts()
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("engine", &self.engine)
            .finish()
    }
}

impl Store {
    /// Connects without touching the schema.
    pub async fn connect(url: &DatabaseUrl, max_connections: u32) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let engine = url.engine()?;
        if engine == Engine::Sqlite {
            if let Some(path) = sqlite_path(url.expose()) {
                if let Some(parent) = Path::new(path).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent)?;
                    }
                }
            }
        }
        let options = AnyConnectOptions::from_str(url.expose())?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // WAL lets readers run beside the one writer. synchronous=FULL because
                        // an acknowledged audit entry must survive a power cut: NORMAL could
                        // lose the last commits. foreign_keys is off by default in SQLite. The
                        // busy timeout makes a second writer (a CLI command beside `serve`)
                        // wait for the lock instead of failing at once. Each connection has
                        // its own page cache: 16 MiB (default 2) holds the inventory's
                        // covering index at network scale, which took the view from the root
                        // from 133 to 75 ms with four connections (BENCHMARKS.md section 6).
                        // Pages are cached as read: a small database stays small.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -16384;",
                        )
                        .await?;
                    } else {
                        conn.execute("SET TIME ZONE 'UTC'").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let sqlite_file = match engine {
            Engine::Sqlite => sqlite_path(url.expose()).map(std::path::PathBuf::from),
            Engine::Postgres => None,
        };
        Ok(Store {
            pool,
            engine,
            sqlite_file,
            write_gate: std::sync::Arc::default(),
            views: std::sync::Arc::default(),
        })
    }

    /// Connects and brings the schema up to date: what `serve` does at start.
    pub async fn open(url: &DatabaseUrl, max_connections: u32) -> Result<Store> {
        let store = Store::connect(url, max_connections).await?;
        crate::migrate::run(&store).await?;
        Ok(store)
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Connections open and idle, for the metrics endpoint.
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path)
    }
}

/// Microseconds since the Unix epoch, UTC: how every instant is stored on both engines.
/// The calendar day in Québec of an instant stored as UTC microseconds: what a date written
/// beside stored dates (`YYYY-MM-DD`) is compared with.
pub fn local_date(micros: i64) -> Option<chrono::NaiveDate> {
    let utc = chrono::DateTime::from_timestamp_micros(micros)?;
    Some(utc.with_timezone(&chrono_tz::America::Toronto).date_naive())
}

pub fn now_micros() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_micros()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_hides_its_password() {
        let url = DatabaseUrl::new("postgres://rempart:s3cret@db.example/rempart");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert!(!format!("{url}").contains("s3cret"));
        assert_eq!(url.engine().ok(), Some(Engine::Postgres));
        assert!(DatabaseUrl::new("mysql://x").engine().is_err());
        assert_eq!(
            sqlite_path("sqlite:///tmp/a/rempart.db?mode=rwc"),
            Some("/tmp/a/rempart.db")
        );
    }
}
