//! Schema migrations: written once, rendered per engine by [`crate::dialect::render`], applied in
//! order, each in its own transaction, recorded in `schema_migrations`. A database whose schema
//! is newer than this program is refused rather than misread.

use sqlx::Row;

use crate::dialect::render;
use crate::error::{Result, StoreError};
use crate::store::{now_micros, Engine, Store};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    /// Portable SQL with `{id}`/`{bool}` placeholders.
    pub common: &'static str,
    /// What only SQLite needs (its triggers).
    pub sqlite: &'static str,
    /// What only PostgreSQL needs (its triggers).
    pub postgres: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        common: include_str!("../migrations/0001_foundation.sql"),
        sqlite: include_str!("../migrations/0001_foundation.sqlite.sql"),
        postgres: include_str!("../migrations/0001_foundation.postgres.sql"),
    },
    Migration {
        version: 2,
        name: "identity",
        common: include_str!("../migrations/0002_identity.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 3,
        name: "sso",
        common: include_str!("../migrations/0003_sso.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 4,
        name: "assets",
        common: include_str!("../migrations/0004_assets.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 5,
        name: "risks",
        common: include_str!("../migrations/0005_risks.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 6,
        name: "controls",
        common: include_str!("../migrations/0006_controls.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 7,
        name: "projects",
        common: include_str!("../migrations/0007_projects.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 8,
        name: "gmvi",
        common: include_str!("../migrations/0008_gmvi.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 9,
        name: "vulnerabilities",
        common: include_str!("../migrations/0009_vulnerabilities.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 10,
        name: "advisories",
        common: include_str!("../migrations/0010_advisories.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 11,
        name: "vulnerability_workflow",
        common: include_str!("../migrations/0011_vulnerability_workflow.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 12,
        name: "disclosures",
        common: include_str!("../migrations/0012_disclosures.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 13,
        name: "cve_records",
        common: include_str!("../migrations/0013_cve_records.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 14,
        name: "vulnerability_sightings",
        common: "",
        sqlite: include_str!("../migrations/0014_vulnerability_sightings.sqlite.sql"),
        postgres: include_str!("../migrations/0014_vulnerability_sightings.postgres.sql"),
    },
    Migration {
        version: 15,
        name: "org_days_off",
        common: include_str!("../migrations/0015_org_days_off.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 16,
        name: "access_requests",
        common: include_str!("../migrations/0016_access_requests.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 17,
        name: "confidentiality_incidents",
        common: include_str!("../migrations/0017_confidentiality_incidents.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 18,
        name: "complaints",
        common: include_str!("../migrations/0018_complaints.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 19,
        name: "privacy_governance",
        common: include_str!("../migrations/0019_privacy_governance.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 20,
        name: "access_request_documents",
        common: include_str!("../migrations/0020_access_request_documents.sql"),
        sqlite: "",
        postgres: "",
    },
];

pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}

/// The version the database is at (0 when empty).
pub async fn current_version(store: &Store) -> Result<i64> {
    let exists = table_exists(store, "schema_migrations").await?;
    if !exists {
        return Ok(0);
    }
    let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
        .fetch_one(&store.pool)
        .await?;
    Ok(row.try_get::<i64, _>("v")?)
}

pub async fn table_exists(store: &Store, table: &str) -> Result<bool> {
    let sql = match store.engine() {
        Engine::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = $1"
        }
        Engine::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let row = sqlx::query(sql).bind(table).fetch_one(&store.pool).await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Applies every pending migration. Safe to run from several processes at once: on
/// PostgreSQL an advisory lock serializes them; on SQLite the write lock does.
pub async fn run(store: &Store) -> Result<Vec<i64>> {
    let mut conn = store.pool.acquire().await?;
    if store.engine() == Engine::Postgres {
        sqlx::query("SELECT pg_advisory_lock(7262706172740001)")
            .execute(&mut *conn)
            .await?;
    }
    let result = apply_pending(store, &mut conn).await;
    if store.engine() == Engine::Postgres {
        sqlx::query("SELECT pg_advisory_unlock(7262706172740001)")
            .execute(&mut *conn)
            .await?;
    }
    result
}

async fn apply_pending(store: &Store, conn: &mut sqlx::AnyConnection) -> Result<Vec<i64>> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (\
           version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
        .fetch_one(&mut *conn)
        .await?;
    let current: i64 = row.try_get("v")?;
    if current > latest_version() {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: latest_version(),
        });
    }
    let mut applied = Vec::new();
    for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
        let specific = match store.engine() {
            Engine::Sqlite => migration.sqlite,
            Engine::Postgres => migration.postgres,
        };
        let sql = format!("{}\n{}", render(migration.common, store.engine()), specific);
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::raw_sql(&sql).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(migration.version)
        .bind(migration.name)
        .bind(now_micros())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "migration applied"
        );
        applied.push(migration.version);
    }
    Ok(applied)
}
