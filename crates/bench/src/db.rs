//! Fresh databases for each measurement, as `rempart_storage::testing` makes them: a SQLite
//! file in a new directory, or a new PostgreSQL database on the given server.

use std::path::{Path, PathBuf};

use rempart_storage::{now_micros, DatabaseUrl, Store};

use crate::{progress, Ctx, EngineArg, Result};

pub struct Db {
    pub url: DatabaseUrl,
    cleanup: Cleanup,
    keep: bool,
}

enum Cleanup {
    Directory(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Ctx {
    /// A new, empty database; `label` names it for whoever looks at the server meanwhile.
    pub async fn fresh_db(&self, label: &str) -> Result<Db> {
        let unique = format!("{}_{}_{label}", std::process::id(), now_micros());
        match self.engine {
            EngineArg::Sqlite => {
                let dir = self.work_dir.join(format!("rempart-bench-{unique}"));
                std::fs::create_dir_all(&dir)?;
                Ok(Db {
                    url: DatabaseUrl::sqlite_in(&dir),
                    cleanup: Cleanup::Directory(dir),
                    keep: self.keep,
                })
            }
            EngineArg::Postgres => {
                let admin = Store::connect(&DatabaseUrl::new(self.postgres_url.clone()), 1).await?;
                let name = format!("rempart_bench_{unique}");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(admin.pool())
                    .await?;
                admin.close().await;
                let mut url = url::Url::parse(&self.postgres_url)?;
                url.set_path(&format!("/{name}"));
                Ok(Db {
                    url: DatabaseUrl::new(url.to_string()),
                    cleanup: Cleanup::Postgres {
                        admin_url: self.postgres_url.clone(),
                        name,
                    },
                    keep: self.keep,
                })
            }
        }
    }
}

impl Db {
    /// The directory that holds a SQLite database (the data directory of a server on it).
    pub fn dir(&self) -> Option<&Path> {
        match &self.cleanup {
            Cleanup::Directory(dir) => Some(dir),
            Cleanup::Postgres { .. } => None,
        }
    }

    /// Removes the database, unless asked to keep it. Close every pool on it first.
    pub async fn remove(self) -> Result<()> {
        if self.keep {
            progress(&format!("kept database {}", self.url));
            return Ok(());
        }
        match self.cleanup {
            Cleanup::Directory(dir) => std::fs::remove_dir_all(dir)?,
            Cleanup::Postgres { admin_url, name } => {
                let admin = Store::connect(&DatabaseUrl::new(admin_url), 1).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(admin.pool())
                    .await?;
                admin.close().await;
            }
        }
        Ok(())
    }
}

/// A text value written into SQL as a literal. Only for text this program generates.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// An optional value written into SQL, `NULL` when absent.
pub fn literal_opt(text: Option<&str>) -> String {
    text.map_or_else(|| "NULL".to_owned(), literal)
}

pub fn int_opt(n: Option<i64>) -> String {
    n.map_or_else(|| "NULL".to_owned(), |n| n.to_string())
}
