//! E-mail notifications (PLAT-10) against a real SMTP server on loopback (aiosmtpd, started
//! from `tests/smtp_server.py`), on the engine under test: delivery with its headers and UTF-8
//! text, retries after transient replies, permanent refusals, an unreachable or silent
//! server, concurrent senders, claims whose lease ended, and the `rempart mail` commands.
//!
//! Without python3 or aiosmtpd these tests fail, naming what is missing (`scripts/test.sh`
//! installs aiosmtpd); they never pass silently.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use rempart::mail::{deliver_due, DeliveryReport, MailFileConfig, Mailer};
use rempart_domain::delivery::{DeliveryStatus, RetryPolicy};
use rempart_storage::outbox::{self, EmailRecord};
use rempart_storage::{testing, AuditContext, Store};
use serde_json::Value;

/// The test SMTP server, stopped when dropped.
struct SmtpServer {
    port: u16,
    dir: PathBuf,
    child: Child,
}

impl SmtpServer {
    fn start(args: &[&str]) -> SmtpServer {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "rempart-smtp-{}-{}-{n}",
            std::process::id(),
            rempart_storage::now_micros()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_server.py");
        // To a file, not a pipe nobody reads while the server runs.
        let log = dir.join("stderr.log");
        let mut child = Command::new("python3")
            .arg(script)
            .arg("--dir")
            .arg(&dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "the e-mail tests need python3 with aiosmtpd==1.4.6 (scripts/test.sh \
                     installs it): cannot run python3: {e}"
                )
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Ok(port) = line.trim().parse::<u16>() else {
            let _ = child.kill();
            let _ = child.wait();
            let err = std::fs::read_to_string(&log).unwrap_or_default();
            let _ = std::fs::remove_dir_all(&dir);
            panic!(
                "the test SMTP server did not start (the e-mail tests need python3 with \
                 aiosmtpd==1.4.6; scripts/test.sh installs it): {}",
                err.trim()
            );
        };
        SmtpServer { port, dir, child }
    }

    /// The messages accepted so far, in order: envelope, headers and decoded text.
    fn messages(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }

    /// How many messages the server wrote (raw files).
    fn files(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "eml")
            })
            .count()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn settings_text(port: u16) -> String {
    format!(
        "enabled = true\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n\
         from = \"Rempart <rempart@exemple.gouv.qc.ca>\"\ntimeout_secs = 5\n"
    )
}

fn mailer_on(port: u16, timeout_secs: u64) -> Mailer {
    let file: MailFileConfig = toml::from_str(&settings_text(port).replace(
        "timeout_secs = 5",
        &format!("timeout_secs = {timeout_secs}"),
    ))
    .unwrap();
    Mailer::new(&file.into_settings(None).unwrap()).unwrap()
}

async fn enqueue(store: &Store, to: &str, subject: &str, body: &str) -> i64 {
    let mut w = store.write(AuditContext::system("test")).await.unwrap();
    let id = outbox::enqueue(&mut w, None, to, subject, body)
        .await
        .unwrap();
    w.commit().await.unwrap();
    id
}

async fn status(store: &Store, id: i64) -> EmailRecord {
    outbox::status_of(store, id).await.unwrap().unwrap()
}

/// A port on loopback where nothing listens.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

const SUBJECT: &str = "Incident INC-2025-000042 : accusé de réception requis — « Hameçonnage »";
const BODY: &str = "Bonjour,\n\nUn incident de sécurité de gravité élevée a été déclaré à la \
                    Direction des TI. Veuillez en accuser réception d'ici 17 h.\n\nÇa presse : \
                    voir https://rempart.exemple/incidents/42\n";

// REQ PLAT-10
#[tokio::test]
async fn a_queued_email_is_delivered_with_its_headers_and_utf8_text() {
    let server = SmtpServer::start(&[]);
    let store = testing::fresh_store().await.unwrap();
    let head = rempart_storage::audit::head(&store).await.unwrap().seq;
    let id = enqueue(&store, "csio@exemple.gouv.qc.ca", SUBJECT, BODY).await;
    // Queueing and delivery status are operational: nothing reaches the audit trail.
    assert_eq!(
        rempart_storage::audit::head(&store).await.unwrap().seq,
        head
    );
    let queued = status(&store, id).await;
    assert_eq!(queued.status, DeliveryStatus::Queued);
    assert_eq!(queued.attempts, 0);

    let mailer = mailer_on(server.port, 5);
    let now = rempart_storage::now_micros();
    let report = deliver_due(&store, &mailer, now).await.unwrap();
    assert_eq!(
        report,
        DeliveryReport {
            claimed: 1,
            sent: 1,
            ..DeliveryReport::default()
        }
    );
    let messages = server.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!(m["mail_from"], "rempart@exemple.gouv.qc.ca");
    assert_eq!(
        m["rcpt_tos"],
        serde_json::json!(["csio@exemple.gouv.qc.ca"])
    );
    let headers = &m["headers"];
    assert_eq!(headers["To"], "csio@exemple.gouv.qc.ca");
    assert_eq!(headers["From"], "Rempart <rempart@exemple.gouv.qc.ca>");
    assert_eq!(headers["Subject"], SUBJECT);
    assert_eq!(headers["Auto-Submitted"], "auto-generated");
    let message_id = headers["Message-ID"].as_str().unwrap();
    assert_eq!(
        message_id,
        format!(
            "<rempart.outbox.{id}.{}@exemple.gouv.qc.ca>",
            queued.created_at
        )
    );
    assert!(
        headers["Date"].as_str().unwrap().ends_with("+0000"),
        "{headers}"
    );
    assert_eq!(m["content_type"], "text/plain");
    assert_eq!(m["charset"], "utf-8");
    // The text, line breaks as CRLF on the wire, ending with one.
    assert_eq!(m["body"].as_str().unwrap().replace("\r\n", "\n"), BODY);
    // The raw message is 7-bit clean: the UTF-8 text travels encoded.
    let raw = std::fs::read(server.dir.join("0001.eml")).unwrap();
    assert!(raw.is_ascii());

    let sent = status(&store, id).await;
    assert_eq!(sent.status, DeliveryStatus::Sent);
    assert_eq!(sent.attempts, 1);
    assert!(sent.sent_at.is_some_and(|at| at >= now));
    assert_eq!(sent.last_error, "");
    // Nothing is due any more: a second pass sends nothing.
    let again = deliver_due(&store, &mailer, now + 86_400_000_000)
        .await
        .unwrap();
    assert_eq!(again, DeliveryReport::default());
    assert_eq!(server.files(), 1);
    assert_eq!(
        rempart_storage::audit::head(&store).await.unwrap().seq,
        head
    );
    let counts = outbox::counts(&store).await.unwrap();
    assert_eq!((counts.sent, counts.queued, counts.failed), (1, 0, 0));
}

// REQ PLAT-10
#[tokio::test]
async fn transient_replies_are_retried_until_the_message_goes() {
    for stage in ["rcpt", "data"] {
        let server = SmtpServer::start(&["--transient", "2", "--transient-at", stage]);
        let store = testing::fresh_store().await.unwrap();
        let id = enqueue(
            &store,
            "dpo@exemple.gouv.qc.ca",
            "Rappel",
            "Échéance demain.",
        )
        .await;
        let mailer = mailer_on(server.port, 5);
        let policy = RetryPolicy::default();
        let mut now = rempart_storage::now_micros();
        for attempt in 1..=2u32 {
            let report = deliver_due(&store, &mailer, now).await.unwrap();
            assert_eq!(report.retrying, 1, "{stage} {attempt}: {report:?}");
            let s = status(&store, id).await;
            assert_eq!(s.status, DeliveryStatus::Queued, "{stage} {attempt}");
            assert_eq!(s.attempts, i64::from(attempt));
            assert!(s.last_error.contains("451"), "{}", s.last_error);
            assert!(s.last_error.contains("try again later"), "{}", s.last_error);
            let wait = s.next_attempt_at - now;
            let expected = i64::try_from(policy.next_delay_secs(attempt)).unwrap() * 1_000_000;
            assert!(
                (expected..expected + 5_000_000).contains(&wait),
                "{stage} {attempt}: waits {wait} µs"
            );
            // Not due before its time.
            let early = deliver_due(&store, &mailer, s.next_attempt_at - 1)
                .await
                .unwrap();
            assert_eq!(early.claimed, 0);
            now = s.next_attempt_at;
        }
        let report = deliver_due(&store, &mailer, now).await.unwrap();
        assert_eq!(report.sent, 1, "{stage}: {report:?}");
        let s = status(&store, id).await;
        assert_eq!(s.status, DeliveryStatus::Sent);
        assert_eq!(s.attempts, 3);
        assert_eq!(server.files(), 1, "{stage}");
        assert_eq!(server.messages()[0]["body"], "Échéance demain.\r\n");
    }
}

// REQ PLAT-10
#[tokio::test]
async fn a_permanent_refusal_fails_at_once_with_the_server_reply() {
    let server = SmtpServer::start(&["--reject", "parti@exemple.gouv.qc.ca"]);
    let store = testing::fresh_store().await.unwrap();
    let refused = enqueue(&store, "parti@exemple.gouv.qc.ca", "Avis", "Texte.").await;
    let taken = enqueue(&store, "present@exemple.gouv.qc.ca", "Avis", "Texte.").await;
    let not_an_address = enqueue(&store, "pas une adresse", "Avis", "Texte.").await;
    let mailer = mailer_on(server.port, 5);
    let now = rempart_storage::now_micros();
    let report = deliver_due(&store, &mailer, now).await.unwrap();
    assert_eq!(
        report,
        DeliveryReport {
            claimed: 3,
            sent: 1,
            failed: 2,
            ..DeliveryReport::default()
        }
    );
    let s = status(&store, refused).await;
    assert_eq!(s.status, DeliveryStatus::Failed);
    assert_eq!(s.attempts, 1);
    assert!(s.last_error.contains("550"), "{}", s.last_error);
    assert!(
        s.last_error.contains("mailbox unavailable"),
        "{}",
        s.last_error
    );
    let s = status(&store, not_an_address).await;
    assert_eq!(s.status, DeliveryStatus::Failed);
    assert!(s.last_error.contains("pas une adresse"), "{}", s.last_error);
    assert_eq!(status(&store, taken).await.status, DeliveryStatus::Sent);
    // Failed for good: never tried again.
    let later = deliver_due(&store, &mailer, now + 7 * 86_400_000_000)
        .await
        .unwrap();
    assert_eq!(later.claimed, 0);
    assert_eq!(server.files(), 1);
    let errors = outbox::recent_errors(&store, 10).await.unwrap();
    assert_eq!(
        errors.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![not_an_address, refused]
    );
    let failed = outbox::list(&store, Some(DeliveryStatus::Failed), 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 2);
    assert_eq!(outbox::list(&store, None, 10).await.unwrap().len(), 3);
}

// REQ PLAT-10
#[tokio::test]
async fn an_unreachable_server_is_retried_then_given_up() {
    let store = testing::fresh_store().await.unwrap();
    let id = enqueue(&store, "csio@exemple.gouv.qc.ca", "Avis", "Texte.").await;
    let mailer = mailer_on(closed_port().await, 5);
    let policy = mailer.policy;
    assert_eq!(policy.max_attempts, 8);
    let mut now = rempart_storage::now_micros();
    let mut waits = Vec::new();
    for attempt in 1..policy.max_attempts {
        let report = deliver_due(&store, &mailer, now).await.unwrap();
        assert_eq!(report.retrying, 1, "attempt {attempt}: {report:?}");
        let s = status(&store, id).await;
        assert_eq!(s.status, DeliveryStatus::Queued);
        assert_eq!(s.attempts, i64::from(attempt));
        assert!(
            s.last_error.to_lowercase().contains("connection"),
            "{}",
            s.last_error
        );
        waits.push((s.next_attempt_at - now) / 1_000_000);
        now = s.next_attempt_at;
    }
    // 1, 2, 4 … 64 minutes (within the seconds the attempt itself took).
    let expected: Vec<i64> = (1..policy.max_attempts)
        .map(|a| i64::try_from(policy.next_delay_secs(a)).unwrap())
        .collect();
    for (wait, expected) in waits.iter().zip(&expected) {
        assert!(
            (*expected..expected + 5).contains(wait),
            "{waits:?} vs {expected:?}"
        );
    }
    let report = deliver_due(&store, &mailer, now).await.unwrap();
    assert_eq!(report.failed, 1, "{report:?}");
    let s = status(&store, id).await;
    assert_eq!(s.status, DeliveryStatus::Failed);
    assert_eq!(s.attempts, i64::from(policy.max_attempts));
    let later = deliver_due(&store, &mailer, now + 86_400_000_000)
        .await
        .unwrap();
    assert_eq!(later.claimed, 0);
}

// REQ PLAT-10
#[tokio::test]
async fn required_starttls_is_never_skipped_for_a_server_without_it() {
    // The test server offers no STARTTLS: nothing may be sent in clear.
    let server = SmtpServer::start(&[]);
    let store = testing::fresh_store().await.unwrap();
    let id = enqueue(&store, "csio@exemple.gouv.qc.ca", "Avis", "Texte.").await;
    let file: MailFileConfig = toml::from_str(
        &settings_text(server.port).replace("security = \"none\"", "security = \"starttls\""),
    )
    .unwrap();
    let mailer = Mailer::new(&file.into_settings(None).unwrap()).unwrap();
    let report = deliver_due(&store, &mailer, rempart_storage::now_micros())
        .await
        .unwrap();
    assert_eq!(report.retrying, 1, "{report:?}");
    let s = status(&store, id).await;
    assert_eq!((s.status, s.attempts), (DeliveryStatus::Queued, 1));
    assert!(
        s.last_error.to_lowercase().contains("starttls"),
        "{}",
        s.last_error
    );
    assert_eq!(server.files(), 0);
}

// REQ PLAT-10
#[tokio::test]
async fn a_silent_server_times_out_and_is_retried() {
    // Accepts connections and never says a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            open.push(socket);
        }
    });
    let store = testing::fresh_store().await.unwrap();
    let id = enqueue(&store, "csio@exemple.gouv.qc.ca", "Avis", "Texte.").await;
    let mailer = mailer_on(port, 1);
    let started = std::time::Instant::now();
    let report = deliver_due(&store, &mailer, rempart_storage::now_micros())
        .await
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(report.retrying, 1, "{report:?}");
    let s = status(&store, id).await;
    assert_eq!((s.status, s.attempts), (DeliveryStatus::Queued, 1));
    assert!(!s.last_error.is_empty());
    held.abort();
}

// REQ PLAT-10
#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn concurrent_senders_never_send_a_row_twice() {
    let server = SmtpServer::start(&["--delay", "0.02"]);
    let store = testing::fresh_store().await.unwrap();
    let n = 30;
    for i in 0..n {
        enqueue(
            &store,
            &format!("p{i}@exemple.gouv.qc.ca"),
            "Avis",
            "Texte.",
        )
        .await;
    }
    let now = rempart_storage::now_micros();
    // Three senders, as three processes would be, each with its own client.
    let senders: Vec<_> = (0..3)
        .map(|_| {
            let store = store.clone();
            let mailer = mailer_on(server.port, 5);
            tokio::spawn(async move {
                let mut sent = 0;
                loop {
                    let r = deliver_due(&store, &mailer, now).await.unwrap();
                    assert_eq!(r.lost, 0);
                    sent += r.sent;
                    if r.claimed == 0 {
                        return sent;
                    }
                }
            })
        })
        .collect();
    let mut per_sender = Vec::new();
    for s in senders {
        per_sender.push(s.await.unwrap());
    }
    assert_eq!(per_sender.iter().sum::<usize>(), n, "{per_sender:?}");
    // The senders did run side by side.
    assert!(
        per_sender.iter().filter(|&&k| k > 0).count() >= 2,
        "{per_sender:?}"
    );
    assert_eq!(server.files(), n);
    let mut recipients: Vec<String> = server
        .messages()
        .iter()
        .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_owned())
        .collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), n);
    let counts = outbox::counts(&store).await.unwrap();
    assert_eq!(counts.sent, i64::try_from(n).unwrap());
    assert_eq!(counts.sending + counts.queued + counts.failed, 0);
}

// REQ PLAT-10
#[tokio::test]
async fn a_claim_whose_lease_ended_passes_to_the_next_sender() {
    let store = testing::fresh_store().await.unwrap();
    let id = enqueue(&store, "csio@exemple.gouv.qc.ca", "Avis", "Texte.").await;
    let now = rempart_storage::now_micros();
    let first = outbox::claim_due(&store, now, 10, 1_000_000).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].id, id);
    assert_eq!(status(&store, id).await.status, DeliveryStatus::Sending);
    // Held while the lease runs.
    assert!(outbox::claim_due(&store, now + 999_999, 10, 1_000_000)
        .await
        .unwrap()
        .is_empty());
    // The first sender vanished: after its lease the row is claimed again.
    let second = outbox::claim_due(&store, now + 1_000_000, 10, 1_000_000)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_ne!(second[0].lease_until, first[0].lease_until);
    // The first sender's late outcome is not recorded over the second's claim.
    assert!(!outbox::mark_sent(&store, &first[0], now + 1_500_000)
        .await
        .unwrap());
    let policy = RetryPolicy::default();
    assert_eq!(
        outbox::mark_failed_attempt(
            &store,
            &first[0],
            now,
            rempart_domain::delivery::Outcome::Permanent,
            "x",
            &policy
        )
        .await
        .unwrap(),
        None
    );
    assert_eq!(status(&store, id).await.status, DeliveryStatus::Sending);
    assert!(outbox::mark_sent(&store, &second[0], now + 1_600_000)
        .await
        .unwrap());
    let s = status(&store, id).await;
    assert_eq!((s.status, s.attempts), (DeliveryStatus::Sent, 1));
}

fn rempart(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(args)
        .env_remove("REMPART_DATABASE_URL")
        .env_remove("REMPART_SMTP_PASSWORD")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// REQ PLAT-10
#[tokio::test]
async fn mail_commands_send_a_test_and_show_the_queue() {
    let server = SmtpServer::start(&["--reject", "parti@exemple.gouv.qc.ca"]);
    let url = testing::fresh_url().await.unwrap();
    let store = Store::open(&url, 2).await.unwrap();
    let url = url.expose().to_owned();
    let config = server.dir.with_extension("toml");
    // Disabled for `serve`, still usable by `mail test`.
    std::fs::write(
        &config,
        format!(
            "[mail]\n{}",
            settings_text(server.port).replace("enabled = true", "enabled = false")
        ),
    )
    .unwrap();
    let config_arg = config.to_str().unwrap();
    let base = ["--database-url", url.as_str(), "--config", config_arg];

    let sent = rempart(
        &[
            &["mail", "test", "--to", "csio@exemple.gouv.qc.ca"],
            &base[..],
        ]
        .concat(),
    );
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    assert!(
        text(&sent.stdout).contains("Message d'essai envoyé à csio@exemple.gouv.qc.ca"),
        "{}",
        text(&sent.stdout)
    );
    assert!(text(&sent.stdout).contains("250"), "{}", text(&sent.stdout));
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0]["headers"]["Subject"],
        "Rempart — message d'essai"
    );

    let refused = rempart(
        &[
            &["mail", "test", "--to", "parti@exemple.gouv.qc.ca"],
            &base[..],
        ]
        .concat(),
    );
    assert_eq!(refused.status.code(), Some(1));
    let message = text(&refused.stderr);
    assert!(
        message.contains("refus définitif") && message.contains("550"),
        "{message}"
    );

    // The queue, for people and for scripts.
    let first = enqueue(&store, "parti@exemple.gouv.qc.ca", "Avis", "Texte.").await;
    let second = enqueue(&store, "present@exemple.gouv.qc.ca", "Avis", "Texte.").await;
    enqueue(&store, "plus-tard@exemple.gouv.qc.ca", "Avis", "Texte.").await;
    let mailer = mailer_on(server.port, 5);
    let now = rempart_storage::now_micros();
    let claimed = outbox::claim_due(&store, now, 2, 60_000_000).await.unwrap();
    // No more than asked, the oldest first.
    assert_eq!(
        claimed.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![first, second]
    );
    for email in &claimed {
        let outcome = if email.to_address.starts_with("parti") {
            rempart_domain::delivery::Outcome::Permanent
        } else {
            rempart_domain::delivery::Outcome::Sent
        };
        if outcome == rempart_domain::delivery::Outcome::Sent {
            outbox::mark_sent(&store, email, now).await.unwrap();
        } else {
            outbox::mark_failed_attempt(
                &store,
                email,
                now,
                outcome,
                "550 5.1.1 parti",
                &mailer.policy,
            )
            .await
            .unwrap();
        }
    }
    let queue = rempart(&[&["mail", "queue", "--json"], &base[..]].concat());
    assert!(queue.status.success(), "{}", text(&queue.stderr));
    let report: Value = serde_json::from_slice(&queue.stdout).unwrap();
    assert_eq!(report["counts"]["sent"], 1);
    assert_eq!(report["counts"]["failed"], 1);
    assert_eq!(report["counts"]["queued"], 1);
    assert_eq!(report["recent_errors"][0]["to"], "parti@exemple.gouv.qc.ca");
    assert_eq!(report["recent_errors"][0]["status"], "failed");
    assert_eq!(report["recent_errors"][0]["last_error"], "550 5.1.1 parti");
    let human = rempart(&[&["mail", "queue"], &base[..]].concat());
    assert!(human.status.success());
    let out = text(&human.stdout);
    assert!(
        out.contains("en échec : 1") && out.contains("550 5.1.1 parti"),
        "{out}"
    );

    // Faults: no [mail] section, a bad key, a database that cannot be reached.
    let none = rempart(&[
        "mail",
        "test",
        "--to",
        "x@exemple.ca",
        "--database-url",
        &url,
    ]);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        text(&none.stderr).contains("aucune section [mail]"),
        "{}",
        text(&none.stderr)
    );
    std::fs::write(
        &config,
        format!(
            "[mail]\n{}security = \"ssl\"\n",
            settings_text(server.port).replace("security = \"none\"\n", "")
        ),
    )
    .unwrap();
    let bad = rempart(&[&["mail", "queue"], &base[..]].concat());
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("mail.security"),
        "{}",
        text(&bad.stderr)
    );
    let _ = std::fs::remove_file(&config);
    let unreachable = rempart(&[
        "mail",
        "queue",
        "--database-url",
        "postgres://rempart@127.0.0.1:1/none",
    ]);
    assert_eq!(unreachable.status.code(), Some(1));
    assert!(
        text(&unreachable.stderr).contains("base de données"),
        "{}",
        text(&unreachable.stderr)
    );
}
