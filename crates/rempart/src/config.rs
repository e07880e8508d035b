//! Configuration in layers: defaults, then a TOML file, then `REMPART_*` environment
//! variables, then flags (flags win). Unknown keys in the file are refused.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rempart_storage::DatabaseUrl;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub log_format: Option<String>,
    pub secure_cookies: Option<bool>,
    pub trust_forwarded_for: Option<bool>,
    /// Roles whose holders must use a second factor, in addition to the privileged roles,
    /// which always must.
    pub mfa_roles: Option<Vec<String>>,
    pub password_min_length: Option<usize>,
    pub password_history: Option<usize>,
    /// Password validity in days; none by default (NIST SP 800-63B advises against forced
    /// rotation), for organizations whose directive sets one.
    pub password_max_age_days: Option<u32>,
    pub lockout_max_failures: Option<u32>,
    pub lockout_minutes: Option<u32>,
    /// Requests a minute from one address to the routes open without signing in.
    pub public_requests_per_minute: Option<u32>,
    pub session_idle_minutes: Option<u64>,
    pub session_absolute_hours: Option<u64>,
    /// Single sign-on with an OpenID Connect provider (AUTH-09).
    pub sso: Option<SsoFileConfig>,
    /// E-mail notifications over SMTP (PLAT-10).
    pub mail: Option<crate::mail::MailFileConfig>,
    /// `/.well-known/security.txt` (RFC 9116, GMVI-06).
    pub security_txt: Option<SecurityTxtFileConfig>,
    /// Public vulnerability reports accepted from one address an hour (GMVI-06; 5 by default).
    pub disclosures_per_hour: Option<u32>,
    /// Public privacy complaints accepted from one address an hour (default 5).
    pub complaints_per_hour: Option<u32>,
    /// `[deadlines]`: days off and the settings of the legal deadlines' unverified rules.
    pub deadlines: Option<DeadlinesFileConfig>,
}

/// `[deadlines]` (QUEBEC-RULES): what is not verified in the law is configuration.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DeadlinesFileConfig {
    /// Days the body or the government adds (a closure, a day fixed by decree), YYYY-MM-DD:
    /// no deadline ends on them, and day-counted delays skip them.
    #[serde(default)]
    pub days_off: Vec<String>,
    /// Whether a Saturday moves the body's own deadlines (I-16 does not say: default false, the
    /// earlier date). Deadlines before the CAI always move (its rules of procedure).
    pub saturday_moves_deadlines: Option<bool>,
    /// Years an entry of the register of confidentiality incidents is kept (default 5).
    pub incident_retention_years: Option<u32>,
    /// Days between reminders of a serious confidentiality incident's notices still to send
    /// (default 3; the law says "avec diligence" and sets no delay).
    pub confidentiality_reminder_days: Option<u32>,
}

impl DeadlinesFileConfig {
    fn apply(
        self,
        calendar: &mut rempart_domain::calendar::HolidayCalendar,
        deadlines: &mut rempart_domain::legal_deadline::DeadlineSettings,
    ) -> Result<(), ConfigError> {
        if self.days_off.len() > 1000 {
            return Err(ConfigError::Bounds(
                "deadlines.days_off",
                "1000 dates au plus",
            ));
        }
        let mut days = Vec::with_capacity(self.days_off.len());
        for text in &self.days_off {
            let day = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                ConfigError::Deadlines(format!(
                    "deadlines.days_off : date invalide « {text} » (attendu : AAAA-MM-JJ)"
                ))
            })?;
            days.push(day);
        }
        calendar.dates.extend_from_slice(&days);
        deadlines.body_calendar.dates.extend_from_slice(&days);
        deadlines.commission_calendar.dates.extend_from_slice(&days);
        if let Some(saturday) = self.saturday_moves_deadlines {
            deadlines.body_calendar.saturday_moves_deadlines = saturday;
        }
        if let Some(years) = self.incident_retention_years {
            if !(5..=100).contains(&years) {
                return Err(ConfigError::Bounds(
                    "deadlines.incident_retention_years",
                    "5 à 100 (au moins 5 ans)",
                ));
            }
            deadlines.incident_retention_years = years;
        }
        if let Some(days) = self.confidentiality_reminder_days {
            if !(1..=30).contains(&days) {
                return Err(ConfigError::Bounds(
                    "deadlines.confidentiality_reminder_days",
                    "1 à 30",
                ));
            }
            deadlines.confidentiality_reminder_days = days;
        }
        Ok(())
    }
}

/// The `[security_txt]` table: whom researchers tell, until when the file holds.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityTxtFileConfig {
    /// `mailto:`, `https://` or `tel:` URIs, in order of preference.
    pub contact: Vec<String>,
    /// RFC 3339, e.g. `2027-06-30T23:59:59Z`: less than a year ahead, as the RFC advises.
    pub expires: String,
    /// `["fr", "en"]` by default.
    pub preferred_languages: Option<Vec<String>>,
    pub policy: Option<String>,
    pub canonical: Option<String>,
    pub encryption: Option<String>,
    pub acknowledgments: Option<String>,
}

impl SecurityTxtFileConfig {
    fn into_domain(self) -> Result<rempart_domain::security_txt::SecurityTxt, ConfigError> {
        let expires = chrono::DateTime::parse_from_rfc3339(self.expires.trim())
            .map_err(|_| {
                ConfigError::Bounds(
                    "security_txt.expires",
                    "date et heure RFC 3339 attendues, par exemple 2027-06-30T23:59:59Z",
                )
            })?
            .with_timezone(&chrono::Utc);
        let file = rempart_domain::security_txt::SecurityTxt {
            contacts: self.contact,
            expires,
            languages: self
                .preferred_languages
                .unwrap_or_else(|| vec!["fr".to_owned(), "en".to_owned()]),
            policy: self.policy,
            canonical: self.canonical,
            encryption: self.encryption,
            acknowledgments: self.acknowledgments,
        };
        file.validate()
            .map_err(|e| ConfigError::SecurityTxt(e.to_string()))?;
        Ok(file)
    }
}

/// The `[sso]` table. The client secret may come from `REMPART_SSO_CLIENT_SECRET` instead, so
/// that the file can be readable by more people than the secret.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoFileConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub redirect_url: String,
    pub label: Option<String>,
    #[serde(default)]
    pub trust_provider_mfa: bool,
}

/// A provider's or our own address must use TLS, except on this machine (tests, a provider
/// run beside the server).
fn tls_or_loopback(key: &'static str, value: &str) -> Result<(), ConfigError> {
    let rest = if let Some(rest) = value.strip_prefix("https://") {
        rest
    } else if let Some(rest) = value.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(ConfigError::Sso(
                key,
                "https:// requis hors de la machine locale",
            ));
        }
        rest
    } else {
        return Err(ConfigError::Sso(key, "URL https:// attendue"));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(ConfigError::Sso(key, "hôte manquant"));
    }
    Ok(())
}

impl SsoFileConfig {
    fn into_web(
        self,
        env_secret: Option<String>,
    ) -> Result<rempart_web::sso::SsoConfig, ConfigError> {
        tls_or_loopback("sso.issuer", &self.issuer)?;
        tls_or_loopback("sso.redirect_url", &self.redirect_url)?;
        if !self.redirect_url.ends_with("/login/sso/callback") {
            return Err(ConfigError::Sso(
                "sso.redirect_url",
                "doit se terminer par /login/sso/callback",
            ));
        }
        if self.client_id.trim().is_empty() {
            return Err(ConfigError::Sso("sso.client_id", "valeur requise"));
        }
        let client_secret = env_secret
            .or(self.client_secret)
            .filter(|s| !s.is_empty())
            .ok_or(ConfigError::Sso(
                "sso.client_secret",
                "valeur requise (ou REMPART_SSO_CLIENT_SECRET)",
            ))?;
        Ok(rempart_web::sso::SsoConfig {
            issuer: self.issuer,
            client_id: self.client_id,
            client_secret,
            redirect_url: self.redirect_url,
            label: self
                .label
                .filter(|l| !l.trim().is_empty())
                .unwrap_or_else(|| "le fournisseur d'identité".to_owned()),
            trust_provider_mfa: self.trust_provider_mfa,
        })
    }
}

/// What flags and the environment may set; `None` means not given.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub log_format: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub json_logs: bool,
    pub web: rempart_web::WebConfig,
    /// The `[mail]` table, checked; `None` when the file has none.
    pub mail: Option<crate::mail::MailSettings>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("impossible de lire le fichier de configuration {path} : {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("fichier de configuration {path} invalide : {message}")]
    Parse { path: String, message: String },
    #[error("adresse d'écoute invalide « {0} » (attendu : hôte:port, par exemple 127.0.0.1:8080)")]
    Listen(String),
    #[error("format de journal inconnu « {0} » (attendu : human ou json)")]
    LogFormat(String),
    #[error("URL de base de données non prise en charge (attendu : sqlite:… ou postgres://…)")]
    DatabaseUrl,
    #[error("rôle inconnu « {0} » dans mfa_roles")]
    Role(String),
    #[error("{0} hors des bornes permises ({1})")]
    Bounds(&'static str, &'static str),
    #[error("{0} invalide : {1}")]
    Sso(&'static str, &'static str),
    #[error("{0} invalide : {1}")]
    Mail(&'static str, String),
    #[error("{0}")]
    SecurityTxt(String),
    #[error("{0}")]
    Deadlines(String),
}

fn from_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Config {
    pub fn load(file: Option<&Path>, flags: Overrides) -> Result<Config, ConfigError> {
        let file_config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                toml::from_str::<FileConfig>(&text).map_err(|e| ConfigError::Parse {
                    path: path.display().to_string(),
                    message: e.message().to_owned(),
                })?
            }
            None => FileConfig::default(),
        };
        let env = Overrides {
            listen: from_env("REMPART_LISTEN"),
            data_dir: from_env("REMPART_DATA_DIR").map(PathBuf::from),
            database_url: from_env("REMPART_DATABASE_URL"),
            log_format: from_env("REMPART_LOG_FORMAT"),
        };
        let listen = flags
            .listen
            .or(env.listen)
            .or(file_config.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen: SocketAddr = listen
            .parse()
            .map_err(|_| ConfigError::Listen(listen.clone()))?;
        let data_dir = flags
            .data_dir
            .or(env.data_dir)
            .or(file_config.data_dir)
            .unwrap_or_else(|| PathBuf::from("./rempart-data"));
        let data_dir = if data_dir.is_absolute() {
            data_dir
        } else {
            std::env::current_dir()
                .map(|d| d.join(&data_dir))
                .unwrap_or(data_dir)
        };
        let database_url = match flags
            .database_url
            .or(env.database_url)
            .or(file_config.database_url)
        {
            Some(url) => DatabaseUrl::new(url),
            None => DatabaseUrl::sqlite_in(&data_dir),
        };
        database_url
            .engine()
            .map_err(|_| ConfigError::DatabaseUrl)?;
        let log_format = flags
            .log_format
            .or(env.log_format)
            .or(file_config.log_format)
            .unwrap_or_else(|| "human".to_owned());
        let json_logs = match log_format.as_str() {
            "human" => false,
            "json" => true,
            other => return Err(ConfigError::LogFormat(other.to_owned())),
        };
        let mut web = rempart_web::WebConfig::default();
        if let Some(secure) = file_config.secure_cookies {
            web.secure_cookies = secure;
        }
        if let Some(trust) = file_config.trust_forwarded_for {
            web.trust_forwarded_for = trust;
        }
        if let Some(roles) = &file_config.mfa_roles {
            for name in roles {
                let role = rempart_domain::role::Role::parse(name)
                    .ok_or_else(|| ConfigError::Role(name.clone()))?;
                if !web.mfa_roles.contains(&role) {
                    web.mfa_roles.push(role);
                }
            }
        }
        if let Some(n) = file_config.password_min_length {
            if !(8..=64).contains(&n) {
                return Err(ConfigError::Bounds("password_min_length", "8 à 64"));
            }
            web.password_policy.min_length = n;
        }
        if let Some(n) = file_config.password_history {
            if n > 24 {
                return Err(ConfigError::Bounds("password_history", "0 à 24"));
            }
            web.password_policy.history = n;
        }
        if let Some(days) = file_config.password_max_age_days {
            web.password_policy.max_age_days = Some(days.max(1));
        }
        if let Some(n) = file_config.lockout_max_failures {
            if !(3..=20).contains(&n) {
                return Err(ConfigError::Bounds("lockout_max_failures", "3 à 20"));
            }
            web.lockout.max_failures = n;
        }
        if let Some(n) = file_config.public_requests_per_minute {
            web.public_rate = rempart_web::ratelimit::PublicRateLimit::new(n.max(10));
        }
        if let Some(m) = file_config.lockout_minutes {
            web.lockout.lock_micros = i64::from(m.clamp(1, 24 * 60)) * 60_000_000;
        }
        if let Some(m) = file_config.session_idle_minutes {
            web.session_idle = std::time::Duration::from_secs(m.clamp(1, 24 * 60) * 60);
        }
        if let Some(h) = file_config.session_absolute_hours {
            web.session_absolute = std::time::Duration::from_secs(h.clamp(1, 72) * 3600);
        }
        if let Some(sso) = file_config.sso {
            web.sso = Some(sso.into_web(from_env("REMPART_SSO_CLIENT_SECRET"))?);
        }
        if let Some(n) = file_config.disclosures_per_hour {
            if !(1..=1000).contains(&n) {
                return Err(ConfigError::Bounds("disclosures_per_hour", "1 à 1000"));
            }
            web.disclosure_rate = rempart_web::ratelimit::PublicRateLimit::per_hour(n);
        }
        if let Some(n) = file_config.complaints_per_hour {
            if !(1..=1000).contains(&n) {
                return Err(ConfigError::Bounds("complaints_per_hour", "1 à 1000"));
            }
            web.complaint_rate = rempart_web::ratelimit::PublicRateLimit::per_hour(n);
        }
        if let Some(d) = file_config.deadlines {
            d.apply(&mut web.calendar, &mut web.deadlines)?;
        }
        if let Some(t) = file_config.security_txt {
            web.security_txt = Some(t.into_domain()?);
        }
        let mail = file_config
            .mail
            .map(|m| m.into_settings(from_env("REMPART_SMTP_PASSWORD")))
            .transpose()?;
        // Notifications go by e-mail too when mail is on (PLAT-10); evidence files live beside
        // the database, in the data directory.
        web.notify_email = mail.as_ref().is_some_and(|m| m.enabled);
        web.evidence.dir = data_dir.join("evidence");
        Ok(Config {
            listen,
            data_dir,
            database_url,
            json_logs,
            web,
            mail,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ PLAT-08
    #[test]
    fn flags_win_over_file_and_unknown_keys_are_refused() {
        let dir = std::env::temp_dir().join(format!("rempart-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rempart.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nlog_format = \"json\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&file), Overrides::default()).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert!(c.json_logs);
        let c = Config::load(
            Some(&file),
            Overrides {
                listen: Some("127.0.0.1:9100".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.listen.port(), 9100);
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        let err = Config::load(Some(&file), Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalide"), "{err}");
        let err = Config::load(
            None,
            Overrides {
                listen: Some("nowhere".into()),
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("adresse d'écoute"), "{err}");
        std::fs::write(
            &file,
            "mfa_roles = [\"Holder\"]\npassword_min_length = 14\npassword_max_age_days = 90\n",
        )
        .unwrap();
        let c = Config::load(Some(&file), Overrides::default()).unwrap();
        assert!(c
            .web
            .mfa_roles
            .contains(&rempart_domain::role::Role::Holder));
        assert!(c
            .web
            .mfa_roles
            .contains(&rempart_domain::role::Role::PlatformAdmin));
        assert_eq!(c.web.password_policy.min_length, 14);
        assert_eq!(c.web.password_policy.max_age_days, Some(90));
        std::fs::write(&file, "mfa_roles = [\"Roi\"]\n").unwrap();
        assert!(Config::load(Some(&file), Overrides::default())
            .unwrap_err()
            .to_string()
            .contains("Roi"));
        std::fs::write(&file, "password_min_length = 4\n").unwrap();
        assert!(Config::load(Some(&file), Overrides::default()).is_err());
    }

    // REQ GMVI-06
    #[test]
    fn security_txt_is_read_and_checked() {
        let dir = std::env::temp_dir().join(format!("rempart-sectxt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rempart.toml");
        let load = |text: &str| {
            std::fs::write(&file, text).unwrap();
            Config::load(Some(&file), Overrides::default())
        };
        let c = load(
            "[security_txt]\ncontact = [\"mailto:securite@example.gouv.qc.ca\"]\n\
             expires = \"2027-06-30T23:59:59Z\"\npolicy = \"https://example.gouv.qc.ca/divulgation\"\n",
        )
        .unwrap();
        let t = c.web.security_txt.unwrap();
        assert_eq!(t.languages, ["fr", "en"]);
        assert!(t
            .render()
            .contains("Policy: https://example.gouv.qc.ca/divulgation\r\n"));
        let err = load("[security_txt]\ncontact = [\"mailto:a@b\"]\nexpires = \"bientôt\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("security_txt.expires"), "{err}");
        let err = load("[security_txt]\ncontact = []\nexpires = \"2027-06-30T23:59:59Z\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("security_txt.contact"), "{err}");
        assert!(load("").unwrap().web.security_txt.is_none());
        std::fs::remove_dir_all(&dir).ok();
    }

    // REQ AUTH-09
    #[test]
    fn single_sign_on_needs_tls_off_this_machine_and_a_secret() {
        let dir = std::env::temp_dir().join(format!("rempart-sso-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rempart.toml");
        let load = |text: &str| {
            std::fs::write(&file, text).unwrap();
            Config::load(Some(&file), Overrides::default())
        };
        let good = "[sso]\nissuer = \"https://idp.example.gouv.qc.ca/realms/mcn\"\nclient_id = \"rempart\"\n\
                    client_secret = \"s3cret\"\nredirect_url = \"https://rempart.example/login/sso/callback\"\n\
                    label = \"Connexion gouvernementale\"\n";
        let c = load(good).unwrap();
        let sso = c.web.sso.unwrap();
        assert_eq!(sso.label, "Connexion gouvernementale");
        assert!(!sso.trust_provider_mfa);
        let local = good.replace("https://idp.example.gouv.qc.ca", "http://127.0.0.1:9999");
        assert!(load(&local).is_ok());
        for (bad, field) in [
            (good.replace("https://idp", "http://idp"), "sso.issuer"),
            (
                good.replace("https://rempart.example", "ftp://rempart.example"),
                "sso.redirect_url",
            ),
            (
                good.replace("/login/sso/callback", "/ailleurs"),
                "sso.redirect_url",
            ),
            (
                good.replace("client_secret = \"s3cret\"\n", ""),
                "sso.client_secret",
            ),
            (
                good.replace("client_id = \"rempart\"", "client_id = \" \""),
                "sso.client_id",
            ),
            (format!("{good}tenant = \"x\"\n"), "tenant"),
        ] {
            let err = load(&bad).unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
    }
}
