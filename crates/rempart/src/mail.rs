//! E-mail notifications over SMTP (PLAT-10): the `[mail]` settings, the sender (`lettre`,
//! over rustls with ring, the TLS stack the workspace already links), and `deliver_due`, which
//! claims due messages from the outbox (`rempart_storage::outbox`), sends each and records
//! what the server answered; the domain (`rempart_domain::delivery`) says what follows.
//!
//! Delivery is at least once: a message whose sender stops between the server's acceptance
//! and the record of it is sent again when its lease ends. Its `Message-ID` stays the same
//! across attempts, so that a receiving system may recognize the repeat.

use std::net::IpAddr;
use std::time::{Duration, Instant, SystemTime};

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rempart_domain::delivery::{DeliveryStatus, Next, Outcome, RetryPolicy};
use rempart_storage::{outbox, Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::config::ConfigError;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// No TLS: a relay on this machine or on a network that protects it.
    None,
    /// STARTTLS, required: nothing is sent if the server does not offer it (submission, 587).
    StartTls,
    /// TLS from the first byte (submissions, 465).
    Tls,
}

impl Security {
    pub fn parse(text: &str) -> Option<Security> {
        match text {
            "none" => Some(Security::None),
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::Tls),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Security::None => "none",
            Security::StartTls => "starttls",
            Security::Tls => "tls",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Security::None => 25,
            Security::StartTls => 587,
            Security::Tls => 465,
        }
    }
}

/// The `[mail]` table as written. The password may come from `REMPART_SMTP_PASSWORD` instead,
/// so that the file can be readable by more people than the secret.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailFileConfig {
    /// Whether `serve` sends the outbox; `rempart mail test` works either way.
    #[serde(default)]
    pub enabled: bool,
    pub host: Option<String>,
    pub port: Option<u16>,
    /// none, starttls (default) or tls.
    pub security: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender: `rempart@exemple.gouv.qc.ca` or `Rempart <rempart@exemple.gouv.qc.ca>`.
    pub from: Option<String>,
    pub timeout_secs: Option<u64>,
}

/// The `[mail]` settings, checked.
#[derive(Clone)]
pub struct MailSettings {
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    password: Option<String>,
    pub from: Mailbox,
    /// The limit on each exchange with the server (connection, each command).
    pub timeout: Duration,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("enabled", &self.enabled)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish()
    }
}

fn mail_error(key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Mail(key, message.into())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl MailFileConfig {
    /// Checks every key; each fault names its key. `env_password` is
    /// `REMPART_SMTP_PASSWORD`, which wins over the file.
    pub fn into_settings(self, env_password: Option<String>) -> Result<MailSettings, ConfigError> {
        let host = self
            .host
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .ok_or_else(|| mail_error("mail.host", "valeur requise"))?;
        if host.contains("://") || host.contains(char::is_whitespace) || host.contains('/') {
            return Err(mail_error(
                "mail.host",
                format!("« {host} » : nom d'hôte ou adresse attendu, sans schéma ni chemin"),
            ));
        }
        let security = match self.security.as_deref() {
            None => Security::StartTls,
            Some(text) => Security::parse(text).ok_or_else(|| {
                mail_error(
                    "mail.security",
                    format!("« {text} » inconnu (attendu : none, starttls ou tls)"),
                )
            })?,
        };
        let port = self.port.unwrap_or_else(|| security.default_port());
        if port == 0 {
            return Err(mail_error(
                "mail.port",
                "hors des bornes permises (1 à 65535)",
            ));
        }
        let from_text = self
            .from
            .filter(|f| !f.trim().is_empty())
            .ok_or_else(|| mail_error("mail.from", "valeur requise"))?;
        let from: Mailbox = from_text.trim().parse().map_err(|_| {
            mail_error(
                "mail.from",
                format!("adresse « {from_text} » illisible (attendu : nom@domaine ou Nom <nom@domaine>)"),
            )
        })?;
        let timeout_secs = self.timeout_secs.unwrap_or(30);
        if !(1..=300).contains(&timeout_secs) {
            return Err(mail_error(
                "mail.timeout_secs",
                "hors des bornes permises (1 à 300)",
            ));
        }
        let username = self.username.filter(|u| !u.is_empty());
        let password = match &username {
            Some(_) => Some(
                env_password
                    .or(self.password)
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| {
                        mail_error(
                            "mail.password",
                            "valeur requise avec mail.username (ou REMPART_SMTP_PASSWORD)",
                        )
                    })?,
            ),
            None if self.password.as_deref().is_some_and(|p| !p.is_empty()) => {
                return Err(mail_error(
                    "mail.username",
                    "valeur requise avec mail.password",
                ));
            }
            None => None,
        };
        if security == Security::None && username.is_some() && !is_loopback(&host) {
            return Err(mail_error(
                "mail.security",
                "none interdit avec un mot de passe hors de la machine locale (starttls ou tls)",
            ));
        }
        Ok(MailSettings {
            enabled: self.enabled,
            host,
            port,
            security,
            username,
            password,
            from,
            timeout: Duration::from_secs(timeout_secs),
        })
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no vacation replies to our notifications.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        if s.trim().eq_ignore_ascii_case("auto-generated") {
            Ok(AutoSubmitted)
        } else {
            Err(format!("unexpected Auto-Submitted value {s:?}").into())
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// One message to send: plain UTF-8 text to one recipient.
#[derive(Debug, Clone)]
pub struct Letter<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// Without angle brackets or domain: `outbox.12.1700000000000000`.
    pub message_key: String,
    /// The instant for the `Date` header, UTC microseconds.
    pub date_micros: i64,
}

/// Why a message was not sent, classed for the retry policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendFailure {
    /// `Transient` or `Permanent`.
    pub outcome: Outcome,
    /// The server's reply, or what stood in the way (no connection, timeout).
    pub message: String,
}

/// The SMTP client, built once from the settings.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The limit on a whole message: connection, greeting, TLS, authentication, envelope,
    /// data, each bounded by the settings' timeout.
    per_message: Duration,
    /// Where the server is, for messages.
    pub server: String,
    pub policy: RetryPolicy,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let builder = match settings.security {
            Security::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
            Security::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .map_err(|e| format!("mail.host « {} » : {e}", settings.host))?
            }
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)
                .map_err(|e| format!("mail.host « {} » : {e}", settings.host))?,
        };
        let mut builder = builder.port(settings.port).timeout(Some(settings.timeout));
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from: settings.from.clone(),
            per_message: settings.timeout.saturating_mul(4),
            server: format!(
                "{}:{} ({})",
                settings.host,
                settings.port,
                settings.security.as_str()
            ),
            policy: RetryPolicy::default(),
        })
    }

    /// The `Message-ID` for a key: `<rempart.KEY@DOMAIN>`, with the sender's domain.
    pub fn message_id(&self, key: &str) -> String {
        format!("<rempart.{key}@{}>", self.from.email.domain())
    }

    /// Writes the message as it goes on the wire.
    pub fn build(&self, letter: &Letter<'_>) -> Result<Message, SendFailure> {
        let permanent = |message: String| SendFailure {
            outcome: Outcome::Permanent,
            message,
        };
        let to: Mailbox = letter.to.trim().parse().map_err(|e| {
            permanent(format!(
                "adresse du destinataire « {} » invalide : {e}",
                letter.to
            ))
        })?;
        // A subject is one line: a line break would end the header.
        let subject: String = letter
            .subject
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let date = u64::try_from(letter.date_micros)
            .map(|m| SystemTime::UNIX_EPOCH + Duration::from_micros(m))
            .unwrap_or(SystemTime::UNIX_EPOCH);
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .date(date)
            .message_id(Some(self.message_id(&letter.message_key)))
            .header(AutoSubmitted)
            .header(ContentType::TEXT_PLAIN)
            // The message ends with one line break, which lettre adds.
            .body(letter.body.trim_end_matches(['\r', '\n']).to_owned())
            .map_err(|e| permanent(format!("message impossible à écrire : {e}")))
    }

    /// Sends one message; the server's reply when it takes it.
    pub async fn send(&self, letter: &Letter<'_>) -> Result<String, SendFailure> {
        let message = self.build(letter)?;
        match tokio::time::timeout(self.per_message, self.transport.send(message)).await {
            Ok(Ok(response)) => Ok(format!(
                "{} {}",
                u16::from(response.code()),
                response.message().collect::<Vec<_>>().join(" ")
            )),
            Ok(Err(e)) => Err(SendFailure {
                outcome: e.status().map_or(Outcome::Transient, |code| {
                    Outcome::of_reply(u16::from(code))
                }),
                message: error_text(&e),
            }),
            Err(_) => Err(SendFailure {
                outcome: Outcome::Transient,
                message: format!(
                    "délai dépassé : pas de réponse de {} en {} s",
                    self.server,
                    self.per_message.as_secs()
                ),
            }),
        }
    }

    /// How long a batch of `batch` messages may hold its claim: every message to its limit,
    /// and a minute to record the outcomes.
    pub fn lease_micros(&self, batch: i64) -> i64 {
        let per = i64::try_from(self.per_message.as_micros()).unwrap_or(i64::MAX);
        per.saturating_mul(batch.max(1)).saturating_add(60_000_000)
    }
}

/// The error and its causes, each once (lettre's `Display` already shows the first source).
fn error_text(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e).and_then(std::error::Error::source);
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(" : ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}

/// Messages claimed at a time by [`deliver_due`].
pub const BATCH: i64 = 10;

/// What one [`deliver_due`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    pub claimed: usize,
    pub sent: usize,
    /// Failed this time, queued for another try.
    pub retrying: usize,
    /// Given up: refused for good, or the last attempt.
    pub failed: usize,
    /// Whose claim ended before the outcome was recorded (another sender has them now).
    pub lost: usize,
}

/// Claims a batch of due messages at `now` (UTC microseconds), sends each, and records each
/// outcome as the retry policy says. Instants recorded are `now` plus the time spent.
pub async fn deliver_due(
    store: &Store,
    mailer: &Mailer,
    now: i64,
) -> Result<DeliveryReport, StoreError> {
    let started = Instant::now();
    let batch = outbox::claim_due(store, now, BATCH, mailer.lease_micros(BATCH)).await?;
    let mut report = DeliveryReport {
        claimed: batch.len(),
        ..DeliveryReport::default()
    };
    for email in &batch {
        let letter = Letter {
            to: &email.to_address,
            subject: &email.subject,
            body: &email.body,
            message_key: format!("outbox.{}.{}", email.id, email.created_at),
            date_micros: now,
        };
        let result = mailer.send(&letter).await;
        let at = now.saturating_add(i64::try_from(started.elapsed().as_micros()).unwrap_or(0));
        let recorded = match result {
            Ok(_) => outbox::mark_sent(store, email, at)
                .await?
                .then_some(Next::Sent),
            Err(failure) => {
                // The address stays in the outbox, out of the logs.
                tracing::warn!("courriel n° {} non envoyé : {}", email.id, failure.message);
                outbox::mark_failed_attempt(
                    store,
                    email,
                    at,
                    failure.outcome,
                    &failure.message,
                    &mailer.policy,
                )
                .await?
            }
        };
        match recorded {
            Some(Next::Sent) => report.sent += 1,
            Some(Next::Retry { .. }) => report.retrying += 1,
            Some(Next::Failed) => report.failed += 1,
            None => report.lost += 1,
        }
    }
    Ok(report)
}

/// `rempart mail test` and `rempart mail queue`.
pub async fn command(
    config: &crate::config::Config,
    cmd: crate::cli::MailCommand,
) -> Result<std::process::ExitCode, crate::cli::Failure> {
    use crate::cli::{Failure, MailCommand};
    match cmd {
        MailCommand::Test { to, json } => {
            let settings = config.mail.as_ref().ok_or_else(|| {
                Failure("aucune section [mail] dans la configuration (option --config)".to_owned())
            })?;
            let mailer = Mailer::new(settings).map_err(Failure)?;
            let now = rempart_storage::now_micros();
            let letter = Letter {
                to: &to,
                subject: "Rempart — message d'essai",
                body: "Ce message d'essai a été envoyé par la commande « rempart mail test » pour \
                       vérifier la configuration de l'envoi des courriels de Rempart.\n\n\
                       Aucune action n'est requise.\n",
                message_key: format!("test.{now}"),
                date_micros: now,
            };
            match mailer.send(&letter).await {
                Ok(reply) => {
                    if json {
                        print_json(&serde_json::json!({
                            "sent": true,
                            "to": to,
                            "server": mailer.server,
                            "reply": reply,
                        }))?;
                    } else {
                        println!(
                            "Message d'essai envoyé à {to} par {} ; réponse du serveur : {reply}",
                            mailer.server
                        );
                    }
                    Ok(std::process::ExitCode::SUCCESS)
                }
                Err(failure) => {
                    let kind = match failure.outcome {
                        Outcome::Permanent => "refus définitif",
                        _ => "échec temporaire",
                    };
                    Err(Failure(format!(
                        "message d'essai à {to} non envoyé par {} ({kind}) : {}",
                        mailer.server, failure.message
                    )))
                }
            }
        }
        MailCommand::Queue { json } => {
            let store = Store::open(&config.database_url, 2).await?;
            let counts = outbox::counts(&store).await?;
            let errors = outbox::recent_errors(&store, 10).await?;
            store.close().await;
            if json {
                let errors: Vec<serde_json::Value> = errors
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "id": e.id,
                            "notification_id": e.notification_id,
                            "to": e.to_address,
                            "subject": e.subject,
                            "status": e.status,
                            "attempts": e.attempts,
                            "next_attempt_at": (e.status == DeliveryStatus::Queued)
                                .then(|| rempart_web::time::iso(e.next_attempt_at)),
                            "last_error": e.last_error,
                            "created_at": rempart_web::time::iso(e.created_at),
                        })
                    })
                    .collect();
                print_json(&serde_json::json!({ "counts": counts, "recent_errors": errors }))?;
            } else {
                println!("File d'envoi des courriels :");
                println!(
                    "  en attente : {} (dont {} à reprendre après un échec)",
                    counts.queued, counts.retrying
                );
                println!("  en cours d'envoi : {}", counts.sending);
                println!("  envoyés : {}", counts.sent);
                println!("  en échec : {}", counts.failed);
                if errors.is_empty() {
                    println!("Aucun échec.");
                } else {
                    println!("Derniers échecs :");
                    for e in &errors {
                        let state = match e.status {
                            DeliveryStatus::Failed => "abandonné".to_owned(),
                            _ => format!(
                                "nouvel essai le {}",
                                rempart_web::time::display(e.next_attempt_at)
                            ),
                        };
                        println!(
                            "  n° {} à {}, {} tentative(s), {state} : {}",
                            e.id, e.to_address, e.attempts, e.last_error
                        );
                    }
                }
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}

fn print_json(value: &serde_json::Value) -> Result<(), crate::cli::Failure> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| crate::cli::Failure(e.to_string()))?;
    println!("{text}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str, env: Option<&str>) -> Result<MailSettings, String> {
        let file: MailFileConfig = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        file.into_settings(env.map(str::to_owned))
            .map_err(|e| e.to_string())
    }

    const GOOD: &str = "enabled = true\nhost = \"smtp.exemple.gouv.qc.ca\"\n\
                        from = \"Rempart <rempart@exemple.gouv.qc.ca>\"\n";

    // REQ PLAT-10
    #[test]
    fn settings_take_defaults_and_name_the_faulty_key() {
        let s = settings(GOOD, None).unwrap();
        assert!(s.enabled);
        assert_eq!(s.security, Security::StartTls);
        assert_eq!(s.port, 587);
        assert_eq!(s.timeout, Duration::from_secs(30));
        assert_eq!(s.from.email.to_string(), "rempart@exemple.gouv.qc.ca");
        let s = settings(&format!("{GOOD}security = \"tls\"\n"), None).unwrap();
        assert_eq!(s.port, 465);
        let s = settings(&format!("{GOOD}security = \"none\"\nport = 2525\n"), None).unwrap();
        assert_eq!((s.security, s.port), (Security::None, 2525));
        let with_user = format!("{GOOD}username = \"rempart\"\npassword = \"fichier\"\n");
        let s = settings(&with_user, Some("environnement")).unwrap();
        assert_eq!(s.password.as_deref(), Some("environnement"));
        assert!(!format!("{s:?}").contains("environnement"));
        let s = settings(&with_user, None).unwrap();
        assert_eq!(s.password.as_deref(), Some("fichier"));
        let local = "host = \"127.0.0.1\"\nfrom = \"r@exemple.ca\"\nsecurity = \"none\"\n\
                     username = \"u\"\npassword = \"p\"\n";
        assert!(settings(local, None).is_ok());

        for (text, key) in [
            ("from = \"r@exemple.ca\"\n".to_owned(), "mail.host"),
            (
                GOOD.replace("smtp.exemple.gouv.qc.ca", "smtp://x"),
                "mail.host",
            ),
            (format!("{GOOD}security = \"ssl\"\n"), "mail.security"),
            (format!("{GOOD}port = 0\n"), "mail.port"),
            (
                GOOD.replace("Rempart <rempart@exemple.gouv.qc.ca>", "pas une adresse"),
                "mail.from",
            ),
            ("host = \"smtp.exemple.ca\"\n".to_owned(), "mail.from"),
            (format!("{GOOD}timeout_secs = 0\n"), "mail.timeout_secs"),
            (format!("{GOOD}timeout_secs = 301\n"), "mail.timeout_secs"),
            (format!("{GOOD}username = \"rempart\"\n"), "mail.password"),
            (format!("{GOOD}password = \"seul\"\n"), "mail.username"),
            (
                format!("{GOOD}security = \"none\"\nusername = \"u\"\npassword = \"p\"\n"),
                "mail.security",
            ),
        ] {
            let err = settings(&text, None).unwrap_err();
            assert!(err.contains(key), "{key}: {err}");
            assert!(err.contains("invalide"), "{key}: {err}");
        }
        let err = settings(&format!("{GOOD}relay = \"x\"\n"), None).unwrap_err();
        assert!(err.contains("relay"), "{err}");
    }

    // REQ PLAT-10
    #[test]
    fn a_message_carries_its_headers_and_utf8_text() {
        let s = settings(GOOD, None).unwrap();
        let mailer = Mailer::new(&s).unwrap();
        let message = mailer
            .build(&Letter {
                to: "dpo@exemple.gouv.qc.ca",
                subject: "Incident à déclarer\r\nBcc: intrus@exemple.ca",
                body: "Un incident de sécurité exige votre attention.\n",
                message_key: "outbox.7.1".to_owned(),
                date_micros: 1_700_000_000_000_000,
            })
            .unwrap();
        let wire = String::from_utf8(message.formatted()).unwrap();
        let headers = wire.split("\r\n\r\n").next().unwrap();
        assert!(
            headers.contains("From: Rempart <rempart@exemple.gouv.qc.ca>"),
            "{headers}"
        );
        assert!(headers.contains("To: dpo@exemple.gouv.qc.ca"), "{headers}");
        // The subject in RFC 2047 encoded words, on one line.
        assert!(headers.contains("Subject: Incident =?utf-8?"), "{headers}");
        assert!(!headers.contains("\r\nBcc:"), "{headers}");
        assert!(
            headers.contains("Date: Tue, 14 Nov 2023 22:13:20 +0000"),
            "{headers}"
        );
        assert!(
            headers.contains("Message-ID: <rempart.outbox.7.1@exemple.gouv.qc.ca>"),
            "{headers}"
        );
        assert!(
            headers.contains("Auto-Submitted: auto-generated"),
            "{headers}"
        );
        assert!(
            headers.contains("Content-Type: text/plain; charset=utf-8"),
            "{headers}"
        );
        let err = mailer
            .build(&Letter {
                to: "pas une adresse",
                subject: "x",
                body: "x",
                message_key: "k".to_owned(),
                date_micros: 0,
            })
            .unwrap_err();
        assert_eq!(err.outcome, Outcome::Permanent);
    }
}
