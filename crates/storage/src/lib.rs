//! Rempart's storage: one schema, one set of queries, two engines (SQLite and PostgreSQL).
//!
//! The engine is chosen at run time from the database URL and reached through sqlx's `Any`
//! driver, so every query is written once with portable SQL and `$n` placeholders. The few
//! places where the engines differ are named functions in [`dialect`]. Every change goes
//! through a [`WriteTx`], which writes the change and its audit entry in one transaction.
//!
//! This crate must never decide a rule of the domain (who may do what, which tree is valid):
//! it asks `rempart-domain` and carries the answer into its queries.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod access_request_documents;
pub mod access_requests;
pub mod advisories;
pub mod alerts;
pub mod assets;
pub mod audit;
mod audit_sqlite;
pub mod complaints;
pub mod confidentiality;
pub mod controls;
pub mod copy;
pub mod credentials;
pub mod cve_records;
mod dates;
pub mod days_off;
pub mod deadlines;
pub mod dialect;
pub mod disclosures;
pub mod error;
pub mod events;
pub mod evidence;
pub mod grants;
pub mod inbox;
pub mod incidents;
pub mod indicators;
pub mod inventory_import;
pub mod kev;
pub mod list;
pub mod migrate;
pub mod notices;
pub mod orgs;
pub mod outbox;
pub mod personal_info_files;
pub mod persons;
pub mod privacy_assessments;
pub mod register;
pub mod risk_report;
pub mod risks;
pub mod scheduler;
pub mod scope;
pub mod sessions;
pub mod sso;
mod store;
pub mod tokens;
pub mod views;
pub mod vuln_attach;
pub mod vuln_import;
pub mod vuln_workflow;
pub mod vulns;
pub mod write;

pub use error::StoreError;
pub use store::{local_date, now_micros, DatabaseUrl, Engine, Store};
pub use write::{AuditContext, WriteTx};
pub mod testing;
