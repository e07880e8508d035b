//! Files exchanged with spreadsheets and other tools: bounded readers and writers of CSV and
//! XLSX ([`table`]), the inventory's columns ([`inventory`]), bounded readers of OSCAL
//! control catalogues and profiles ([`oscal`]), and a bounded reader and a writer of STIX 2.1
//! bundles ([`stix`]). Knows nothing of HTTP or SQL.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod csaf;
pub mod cve;
pub mod inventory;
pub mod kev;
pub mod oscal;
pub mod scan;
pub mod stix;
pub mod table;
