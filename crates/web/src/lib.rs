//! Rempart's web layer: the French-first HTML interface and the JSON API under `/api/v1`.
//!
//! Handlers are thin: they parse input, call storage with the caller's scope inside a
//! [`rempart_storage::WriteTx`], and render. Every route is declared with its [`policy::Policy`];
//! [`middleware::enforce`] loads the session, refuses what the policy does not allow, checks
//! the CSRF token of every state-changing request, and renders errors in the caller's language.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod access_letters;
pub mod access_request_documents;
pub mod access_requests_api;
pub mod access_requests_ui;
pub mod account;
pub mod advisories_api;
pub mod advisories_ui;
pub mod api;
pub mod assets_api;
pub mod assets_ui;
pub mod auth;
pub mod complaints;
pub mod confidentiality_api;
pub mod confidentiality_ui;
pub mod controls;
pub mod controls_api;
pub mod controls_ui;
pub mod days_off_api;
pub mod deadlines_ui;
pub mod disclosure;
pub mod error;
pub mod gmvi;
pub mod gmvi_api;
pub mod gmvi_ui;
pub mod i18n;
pub mod indicators_api;
pub mod indicators_ui;
pub mod inventory;
pub mod metrics;
pub mod mfa;
pub mod middleware;
pub mod personal_info_files;
pub mod poam;
pub mod policy;
pub mod privacy_assessments;
pub mod ratelimit;
pub mod register_ui;
pub mod risk_method_ui;
pub mod risk_report;
pub mod risks_api;
pub mod risks_ui;
pub mod routes;
pub mod scan_import;
pub mod sso;
pub mod sso_login;
pub mod time;
pub mod ui;
pub mod views;
pub mod vulns_api;
pub mod vulns_ui;

use std::sync::Arc;
use std::time::Duration;

use rempart_storage::Store;

pub use routes::build_router;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Idle delay after which a session ends.
    pub session_idle: Duration,
    /// Absolute delay after which a session ends, however active.
    pub session_absolute: Duration,
    /// Cookies marked Secure and `__Host-` prefixed: on when served over TLS or behind a
    /// proxy that terminates it.
    pub secure_cookies: bool,
    /// Believe `X-Forwarded-For` for the client address recorded in the audit trail: only
    /// behind a reverse proxy that sets it.
    pub trust_forwarded_for: bool,
    /// Roles whose holders must use a second factor (AUTH-04): the privileged ones by default.
    pub mfa_roles: Vec<rempart_domain::role::Role>,
    pub password_policy: rempart_domain::password::PasswordPolicy,
    pub lockout: rempart_domain::lockout::LockoutPolicy,
    /// Roles one person should not hold in one organization (AUTHZ-02), flagged on grants.
    pub incompatible_roles: rempart_domain::sod::IncompatibleRoles,
    /// Requests a minute from one address to the routes open without signing in.
    pub public_rate: ratelimit::PublicRateLimit,
    /// Single sign-on with an OpenID Connect provider (AUTH-09), when configured.
    pub sso: Option<sso::SsoConfig>,
    /// Whether notifications are also sent by e-mail (PLAT-10): on when `[mail]` is enabled.
    pub notify_email: bool,
    /// Where evidence files are kept and how large one may be.
    pub evidence: rempart_storage::evidence::EvidenceStore,
    /// The days off deadlines in days are counted with (PLAT-11): the Interpretation Act's
    /// holidays, plus the days the configuration adds.
    pub calendar: rempart_domain::calendar::HolidayCalendar,
    /// The access law's deadlines (PRP-03, PRIV-01): calendars and the settings of the rules
    /// that are not verified.
    pub deadlines: rempart_domain::legal_deadline::DeadlineSettings,
    /// `/.well-known/security.txt` (RFC 9116), when configured.
    pub security_txt: Option<rempart_domain::security_txt::SecurityTxt>,
    /// Public vulnerability reports accepted from one address an hour (GMVI-06).
    pub disclosure_rate: ratelimit::PublicRateLimit,
    /// Public privacy complaints accepted from one address an hour (PRP-04).
    pub complaint_rate: ratelimit::PublicRateLimit,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            // 30 minutes idle and 12 hours absolute: a working day with breaks, and an
            // unattended screen locks out before a meeting ends.
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            secure_cookies: false,
            trust_forwarded_for: false,
            mfa_roles: rempart_domain::role::Role::ALL
                .into_iter()
                .filter(|r| r.is_privileged())
                .collect(),
            password_policy: rempart_domain::password::PasswordPolicy::default(),
            lockout: rempart_domain::lockout::LockoutPolicy::default(),
            incompatible_roles: rempart_domain::sod::IncompatibleRoles::default(),
            // Ten a second from one address: room for a ministry's staff signing in at nine
            // through one gateway, none for a script hammering the login form (which the
            // per-account lockout and per-source throttle bound besides).
            public_rate: ratelimit::PublicRateLimit::new(600),
            sso: None,
            notify_email: false,
            evidence: rempart_storage::evidence::EvidenceStore {
                dir: std::env::temp_dir().join("rempart-evidence"),
                max_bytes: rempart_storage::evidence::DEFAULT_MAX_BYTES,
            },
            calendar: rempart_domain::calendar::HolidayCalendar::default(),
            deadlines: rempart_domain::legal_deadline::DeadlineSettings::default(),
            security_txt: None,
            // A researcher sends a report or two; a flood is refused past five an hour.
            disclosure_rate: ratelimit::PublicRateLimit::per_hour(5),
            // A person writes a complaint, perhaps a second; a flood is refused past five.
            complaint_rate: ratelimit::PublicRateLimit::per_hour(5),
        }
    }
}

impl WebConfig {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-rempart_session"
        } else {
            "rempart_session"
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub hashing: auth::PasswordHashing,
    pub metrics: Arc<metrics::Metrics>,
    pub policies: Arc<policy::PolicyTable>,
    /// The single sign-on provider, with its cached metadata.
    pub sso: Option<Arc<sso::Sso>>,
}

impl AppState {
    /// The state of one process; fails only on a single sign-on configuration that cannot work.
    pub fn new(
        store: Store,
        config: WebConfig,
        hashing: auth::PasswordHashing,
    ) -> Result<AppState, sso::SsoError> {
        let sso = config
            .sso
            .clone()
            .map(sso::Sso::new)
            .transpose()?
            .map(Arc::new);
        Ok(AppState {
            store,
            config: Arc::new(config),
            hashing,
            metrics: Arc::new(metrics::Metrics::new()),
            policies: Arc::default(),
            sso,
        })
    }
}
