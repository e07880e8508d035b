//! Calendar dates as the schema keeps them: text, `YYYY-MM-DD`, which compares as dates do.

use chrono::NaiveDate;

use crate::error::{Result, StoreError};

pub(crate) fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A stored date; one that does not read is a fault of the database, not of the caller.
pub(crate) fn parse(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| StoreError::Database(sqlx::Error::Decode("date".into())))
}

pub(crate) fn parse_opt(text: Option<String>) -> Result<Option<NaiveDate>> {
    text.as_deref().map(parse).transpose()
}
