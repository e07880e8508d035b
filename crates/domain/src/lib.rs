//! Rempart's domain: the types and rules of information-security governance.
//!
//! This crate owns the rules (what an organization tree may look like, what a role may do and
//! where, how the audit chain is hashed and verified, what makes a valid e-mail or slug). It must
//! never do I/O: no HTTP, no SQL, no async runtime, no clock. Callers pass the time in.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod access_request;
pub mod advisory;
pub mod alert;
pub mod asset;
pub mod audit;
pub mod authn;
pub mod authz;
pub mod calendar;
pub mod classification;
pub mod complaint;
pub mod confidentiality;
pub mod cvss;
pub mod delivery;
pub mod disclosure;
pub mod escalation;
pub mod export;
pub mod finding;
pub mod incident;
pub mod indicator;
pub mod language;
pub mod legal_deadline;
pub mod lockout;
pub mod mfa;
pub mod org;
pub mod password;
pub mod person;
pub mod personal_info_file;
pub mod privacy_assessment;
pub mod register;
pub mod risk;
pub mod role;
pub mod security_txt;
pub mod sod;
pub mod token;
pub mod validation;
pub mod vulnerability;
pub mod watch;

pub use validation::{FieldError, ValidationErrors};
