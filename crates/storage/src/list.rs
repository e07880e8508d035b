//! Pagination, sorting and filtering shared by every list (PLAT-07).

use serde::Serialize;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// A bounded page request. Sort keys are chosen from each list's own enum, never from raw
/// text, so they can be written into SQL.
#[derive(Debug, Clone)]
pub struct PageRequest<S> {
    pub limit: i64,
    pub offset: i64,
    pub sort: S,
    pub descending: bool,
}

impl<S: Default> Default for PageRequest<S> {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            offset: 0,
            sort: S::default(),
            descending: false,
        }
    }
}

impl<S> PageRequest<S> {
    pub fn direction(&self) -> &'static str {
        if self.descending {
            "DESC"
        } else {
            "ASC"
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Runs `sql`, which selects `id` and `label`, into choices for a form's picker.
pub(crate) async fn id_labels(
    store: &crate::Store,
    sql: &str,
) -> crate::error::Result<Vec<(i64, String)>> {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("label")?)))
        .collect()
}
