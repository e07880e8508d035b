//! Instants are stored as UTC microseconds and shown in Québec's time zone (PLAT-05).

use chrono::{DateTime, NaiveDate, TimeZone};
use chrono_tz::America::Toronto;

/// `2026-11-23 09:15` in America/Toronto.
pub fn display(micros: i64) -> String {
    match DateTime::from_timestamp_micros(micros) {
        Some(utc) => utc
            .with_timezone(&Toronto)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        None => String::new(),
    }
}

/// ISO 8601 in UTC, for exports and the API.
pub fn iso(micros: i64) -> String {
    DateTime::from_timestamp_micros(micros)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

/// Today's date in Québec: what review dates and end-of-support dates are compared with.
pub fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&Toronto).date_naive()
}

/// The start of a calendar day in Québec, as UTC microseconds: what a date filter means.
pub fn day_start(date: &str) -> Option<i64> {
    let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let local = Toronto
        .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .earliest()?;
    Some(local.timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ PLAT-05
    #[test]
    fn shown_in_toronto_time_across_daylight_saving() {
        // 2026-07-01 12:00 UTC is 08:00 EDT; 2026-01-15 12:00 UTC is 07:00 EST.
        assert_eq!(display(1_782_907_200_000_000), "2026-07-01 08:00:00");
        assert_eq!(display(1_768_478_400_000_000), "2026-01-15 07:00:00");
        assert_eq!(day_start("2026-01-15"), Some(1_768_453_200_000_000));
        assert_eq!(day_start("15/01/2026"), None);
    }
}
