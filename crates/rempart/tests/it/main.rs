//! The integration suite: one binary, the real router on a free port, a fresh database of the
//! engine under test (SQLite, or PostgreSQL when REMPART_TEST_POSTGRES_URL is set).

mod kit;

mod advisories;
mod assets;
mod authz;
mod cli;
mod control_pages;
mod controls;
mod gmvi;
mod gmvi_pages;
mod identity;
mod idp;
mod input;
mod mail;
mod pages;
mod privacy;
mod privacy_governance;
mod risk_pages;
mod risks;
mod sso;
mod vulns;
