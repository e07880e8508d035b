//! Files exchanged with spreadsheets and other tools: bounded readers and writers of CSV and
//! XLSX ([`table`]), and the inventory's columns ([`inventory`]). Knows nothing of HTTP or SQL.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod inventory;
pub mod table;
