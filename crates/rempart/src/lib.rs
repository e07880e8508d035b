//! The `rempart` command: configuration, the server, and the administration subcommands.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

/// `println!` for the commands: a reader that stops early (`rempart … | head`) closes the
/// pipe, and std's `println!` panics on the write that follows. Here a closed pipe ends the
/// command quietly (what `head` asked for); any other write fault ends it with status 1.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            std::process::exit(if e.kind() == std::io::ErrorKind::BrokenPipe { 0 } else { 1 });
        }
    }};
}

pub mod cli;
pub mod config;
pub mod cvss_command;
pub mod deadline_command;
pub mod demo;
pub mod demo_assets;
pub mod demo_gmvi;
pub mod demo_privacy;
pub mod demo_risks;
pub mod mail;
pub mod scan_command;
pub mod server;
