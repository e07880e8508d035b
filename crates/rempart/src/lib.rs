//! The `rempart` command: configuration, the server, and the administration subcommands.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cli;
pub mod config;
pub mod cvss_command;
pub mod demo;
pub mod demo_assets;
pub mod demo_gmvi;
pub mod demo_risks;
pub mod mail;
pub mod scan_command;
pub mod server;
