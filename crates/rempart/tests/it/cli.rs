//! The `rempart` command, run as a process against the test database.

use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::kit::*;

fn rempart(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(args)
        .args(["--database-url", url])
        .env_remove("REMPART_DATABASE_URL")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn tamper(app: &TestApp, sql: &str) {
    match app.store.engine() {
        rempart_storage::Engine::Sqlite => {
            sqlx::raw_sql(
                "DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;",
            )
            .execute(app.store.pool())
            .await
            .unwrap();
        }
        rempart_storage::Engine::Postgres => {
            sqlx::raw_sql("ALTER TABLE audit_entries DISABLE TRIGGER USER")
                .execute(app.store.pool())
                .await
                .unwrap();
        }
    }
    sqlx::raw_sql(sql).execute(app.store.pool()).await.unwrap();
}

// REQ AUD-02
#[tokio::test]
async fn audit_verify_passes_then_names_the_first_bad_entry() {
    for (attack, first_bad) in [
        ("UPDATE audit_entries SET actor_label = 'quelqu''un d''autre' WHERE seq = 7", "n° 7"),
        ("DELETE FROM audit_entries WHERE seq = 4", "n° 4"),
        (
            "UPDATE audit_entries SET seq = -3 WHERE seq = 3; UPDATE audit_entries SET seq = 3 WHERE seq = 5; UPDATE audit_entries SET seq = 5 WHERE seq = -3",
            "n° 3",
        ),
    ] {
        let app = TestApp::spawn().await;
        let url = app.url.expose().to_owned();
        let ok = rempart(&url, &["audit", "verify"]);
        assert!(ok.status.success(), "{}", text(&ok.stderr));
        assert!(text(&ok.stdout).contains("Journal d'audit intègre"), "{}", text(&ok.stdout));
        let json = rempart(&url, &["audit", "verify", "--json"]);
        let report: Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(report["intact"], true);
        let checked = report["checked"].as_u64().unwrap();
        assert!(checked > 20, "{checked}");

        let anchor = rempart(&url, &["audit", "anchor", "--json"]);
        let anchors = std::env::temp_dir().join(format!("rempart-anchors-{}-{checked}.jsonl", std::process::id()));
        std::fs::write(&anchors, &anchor.stdout).unwrap();

        tamper(&app, attack).await;
        let bad = rempart(&url, &["audit", "verify"]);
        assert_eq!(bad.status.code(), Some(2), "{attack}");
        let message = text(&bad.stderr);
        assert!(message.contains("ALTÉRÉ") && message.contains(first_bad), "{attack}: {message}");
        let with_anchor = rempart(&url, &["audit", "verify", "--anchors", anchors.to_str().unwrap(), "--json"]);
        assert_eq!(with_anchor.status.code(), Some(2));
        let report: Value = serde_json::from_slice(&with_anchor.stdout).unwrap();
        assert_eq!(report["intact"], false);
    }
}

// REQ AUD-03
#[tokio::test]
async fn the_trail_exports_as_json_lines_csv_and_cef() {
    let app = TestApp::spawn().await;
    let url = app.url.expose().to_owned();
    let seq = app.audit_seq().await;
    let json = rempart(&url, &["audit", "export", "--format", "json"]);
    assert!(json.status.success());
    let lines: Vec<Value> = text(&json.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as i64, seq);
    assert_eq!(lines[0]["seq"], 1);
    assert_eq!(lines[0]["hash"].as_str().unwrap().len(), 64);
    let csv = rempart(&url, &["audit", "export", "--format", "csv"]);
    let csv_text = text(&csv.stdout);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(reader.headers().unwrap().get(0), Some("seq"));
    assert_eq!(reader.records().count() as i64, seq);
    let cef = rempart(&url, &["audit", "export", "--format", "cef"]);
    let cef_text = text(&cef.stdout);
    assert_eq!(cef_text.lines().count() as i64, seq);
    assert!(cef_text
        .lines()
        .all(|l| l.starts_with("CEF:0|Rempart|Rempart|")));
    assert!(cef_text.contains("act=organization.create"));
    let bad = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(["audit", "export", "--format", "xml"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

// REQ PLAT-01
#[tokio::test]
async fn org_list_and_create_user_from_the_command_line() {
    let app = TestApp::spawn().await;
    let url = app.url.expose().to_owned();
    let list = rempart(&url, &["org", "list"]);
    assert!(list.status.success());
    assert!(text(&list.stdout).contains("10 organisation(s)"));
    let json: Value =
        serde_json::from_slice(&rempart(&url, &["org", "list", "--json"]).stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 10);

    let created = rempart(
        &url,
        &[
            "admin",
            "create-user",
            "--email",
            "nouveau@mfr.gouv.qc.ca",
            "--name",
            "Nouveau Venu",
            "--org",
            BODY_A,
            "--role",
            "Auditor",
            "--json",
        ],
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let body: Value = serde_json::from_slice(&created.stdout).unwrap();
    let password = body["temporary_password"].as_str().unwrap().to_owned();
    let session = login_at(&app.base, "nouveau@mfr.gouv.qc.ca", &password).await;
    assert_eq!(session.get("/audit").await.status(), 200);

    let unknown_org = rempart(
        &url,
        &[
            "admin",
            "create-user",
            "--email",
            "x@y.qc.ca",
            "--name",
            "X",
            "--org",
            "nulle-part",
            "--role",
            "User",
        ],
    );
    assert!(!unknown_org.status.success());
    assert!(text(&unknown_org.stderr).contains("organisation « nulle-part » introuvable"));
    let bad_role = rempart(
        &url,
        &[
            "admin",
            "create-user",
            "--email",
            "y@y.qc.ca",
            "--name",
            "Y",
            "--org",
            BODY_A,
            "--role",
            "Roi",
        ],
    );
    assert!(!bad_role.status.success());
    assert!(
        text(&bad_role.stderr).contains("champ « role »"),
        "{}",
        text(&bad_role.stderr)
    );
    // Nothing half-written: the refused role left no account behind.
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons WHERE email = 'y@y.qc.ca'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

// REQ PLAT-02
#[tokio::test]
async fn copy_data_moves_every_table_with_the_chain_intact() {
    // The source is always an SQLite file; the target is the engine under test.
    let dir = std::env::temp_dir().join(format!(
        "rempart-copy-{}-{}",
        std::process::id(),
        rempart_storage::now_micros()
    ));
    let source = rempart_storage::DatabaseUrl::sqlite_in(&dir);
    let store = rempart_storage::Store::open(&source, 4).await.unwrap();
    let hash = rempart_web::auth::hash_with(cheap_hashing().params(), rempart::demo::DEMO_PASSWORD)
        .unwrap();
    rempart::demo::load(&store, &hash).await.unwrap();
    let source_app = TestApp::serve(
        store.clone(),
        source.clone(),
        cheap_hashing(),
        rempart_web::routes::routes(),
    )
    .await;
    // Real activity first: a login, a move, so that rows are not in creation order.
    let ciso = source_app.login(CSIO_A).await;
    let unit = source_app.org_id("mfr-direction-des-finances").await;
    let new_parent = ciso
        .post_form(
            "/orgs",
            &[
                ("name", "Direction générale"),
                ("kind", "unit"),
                ("parent_id", &source_app.org_id(BODY_A).await.to_string()),
            ],
        )
        .await;
    let new_parent_id = new_parent.headers()["location"]
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        ciso.post_form(
            &format!("/orgs/{unit}/move"),
            &[("parent_id", &new_parent_id)]
        )
        .await
        .status(),
        303
    );

    let target = rempart_storage::testing::fresh_url().await.unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args([
            "copy-data",
            "--to",
            target.expose(),
            "--json",
            "--database-url",
            source.expose(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let copied: Vec<&str> = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    let all = rempart_storage::copy::tables(&store).await.unwrap();
    for table in &all {
        if table != "schema_migrations" && table != "audit_head" {
            assert!(copied.contains(&table.as_str()), "{table} not copied");
        }
    }
    assert_eq!(
        report["audit_head_seq"].as_i64().unwrap(),
        rempart_storage::audit::head(&store).await.unwrap().seq
    );

    // The copy serves: the same person logs in there, and the next write extends the chain.
    let copy_store = rempart_storage::Store::open(&target, 4).await.unwrap();
    let copy_app = TestApp::serve(
        copy_store.clone(),
        target.clone(),
        cheap_hashing(),
        rempart_web::routes::routes(),
    )
    .await;
    share_secret(&source_app.base, &copy_app.base, CSIO_A);
    let ciso = copy_app.login(CSIO_A).await;
    let created = ciso
        .post_form(
            "/orgs",
            &[
                ("name", "Après la copie"),
                ("kind", "unit"),
                ("parent_id", &copy_app.org_id(BODY_A).await.to_string()),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    assert!(rempart_storage::audit::verify(&copy_store, &[])
        .await
        .unwrap()
        .is_intact());

    // A second copy into the now non-empty target is refused, in French.
    let again = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args([
            "copy-data",
            "--to",
            target.expose(),
            "--database-url",
            source.expose(),
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("n'est pas vide"),
        "{}",
        text(&again.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start_server(url: &str) -> (Server, String) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            url,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    // Owned by the guard from here on, which kills and waits for it on every path.
    let server = Server(child);
    for _ in 0..200 {
        if reqwest::get(format!("{base}/readyz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return (server, base);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("server on {base} did not become ready");
}

// REQ PLAT-02
#[tokio::test]
async fn two_serve_processes_share_sessions() {
    let app = TestApp::spawn().await;
    let url = app.url.expose().to_owned();
    let (_a, base_a) = start_server(&url).await;
    let (_b, base_b) = start_server(&url).await;
    let session = login_at(&base_a, CSIO_A, rempart::demo::DEMO_PASSWORD).await;
    // The same cookie jar, now pointed at the other process.
    let on_b = session
        .client
        .get(format!("{base_b}/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(on_b.status(), 200);
    let me: Value = on_b.json().await.unwrap();
    assert_eq!(me["person"]["email"], CSIO_A);
    // A logout through B ends the session on A too.
    let out = session
        .client
        .post(format!("{base_b}/logout"))
        .form(&[("csrf", session.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(
        session
            .client
            .get(format!("{base_a}/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

// REQ PLAT-08
#[test]
fn configuration_faults_exit_non_zero_in_french() {
    let bad = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(["org", "list", "--database-url", "mysql://x"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("URL de base de données non prise en charge"));
    let missing = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(["migrate", "--config", "/nonexistent/rempart.toml"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("impossible de lire le fichier de configuration"));
}

// REQ PLAT-08
#[tokio::test]
async fn serve_logs_json_and_stops_cleanly_on_sigterm() {
    let app = TestApp::spawn().await;
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            app.url.expose(),
            "--log-format",
            "json",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let mut ready = false;
    for _ in 0..200 {
        if reqwest::get(format!("{base}/readyz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ready);
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let mut status = None;
    for _ in 0..100 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let status = status.unwrap_or_else(|| {
        let _ = child.kill();
        panic!("serve did not stop within 5 s of SIGTERM")
    });
    assert!(status.success(), "{status:?}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    let lines: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("arrêt demandé"))),
        "{stderr}"
    );
}

// REQ AUTH-03
// REQ AUTH-10
#[tokio::test]
async fn bootstrap_makes_the_first_administrator_once_and_mfa_can_be_reset() {
    let url = rempart_storage::testing::fresh_url().await.unwrap();
    let out = rempart(
        url.expose(),
        &[
            "admin",
            "bootstrap",
            "--org-name",
            "Ministère de l'Essai",
            "--email",
            "admin@essai.gouv.qc.ca",
            "--name",
            "Ada Admin",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    let password = body["one_time_password"].as_str().unwrap().to_owned();
    assert_eq!(body["organization"], "ministere-de-l-essai");
    let again = rempart(
        url.expose(),
        &[
            "admin",
            "bootstrap",
            "--org-name",
            "Autre",
            "--email",
            "b@essai.gouv.qc.ca",
            "--name",
            "B",
            "--json",
        ],
    );
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("existe déjà"));

    // First login: a new password, then the second factor the role demands.
    let store = rempart_storage::Store::open(&url, 4).await.unwrap();
    let app = TestApp::serve(
        store.clone(),
        url.clone(),
        cheap_hashing(),
        rempart_web::routes::routes(),
    )
    .await;
    let admin = login_at(&app.base, "admin@essai.gouv.qc.ca", &password).await;
    assert_eq!(admin.get("/orgs").await.status(), 200);
    let enrolled: Option<String> = sqlx::query_scalar(
        "SELECT totp_secret FROM persons WHERE email = 'admin@essai.gouv.qc.ca'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert!(enrolled.is_some());

    let reset = rempart(
        url.expose(),
        &["admin", "reset-mfa", "--email", "admin@essai.gouv.qc.ca"],
    );
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    assert_eq!(
        admin.get("/orgs").await.status(),
        303,
        "sessions end with the reset"
    );
    let client = TestApp::client();
    let r = client
        .post(format!("{}/login", app.base))
        .form(&[
            ("email", "admin@essai.gouv.qc.ca"),
            ("password", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/mfa/enrol");
    let logged: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_entries WHERE action LIKE 'mfa.%' ORDER BY seq",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(logged, ["mfa.enrol", "mfa.reset"]);
    let unknown = rempart(
        url.expose(),
        &["admin", "reset-mfa", "--email", "personne@nulle-part.qc.ca"],
    );
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("aucun compte"));
}

fn rempart_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(args)
        .env_remove("REMPART_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written from a thread: the child's output could fill its pipe before it reads all input.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

// REQ GMVI-04: the command scores every shared vector read on standard input, one per line.
#[test]
fn cvss_scores_every_shared_vector_from_standard_input() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/cvss/");
    for (file, count) in [("vectors_simple31", 2592), ("vectors_simple4", 1058)] {
        let expected = std::fs::read_to_string(format!("{dir}{file}")).unwrap();
        let vectors: String = expected
            .lines()
            .map(|l| l.split(" - ").next().unwrap().to_owned() + "\n")
            .collect();
        let out = rempart_stdin(&["cvss", "--json"], vectors.as_bytes());
        assert!(out.status.success(), "{file}: {}", text(&out.stderr));
        let scored: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(scored.len(), count, "{file}");
        for (line, s) in expected.lines().zip(&scored) {
            let expected: f64 = line
                .split(" - (")
                .nth(1)
                .unwrap()
                .split([',', ')'])
                .next()
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            assert_eq!(s["base"].as_f64(), Some(expected), "{line}");
        }
    }
}

// REQ GMVI-04: a refused vector names its metric in French; the others are still scored;
// the exit code says that one was refused; a huge line costs nothing and is refused.
#[test]
fn cvss_names_the_faulty_metric_in_french_and_fails() {
    let out = rempart_stdin(
        &["cvss"],
        format!(
            "# à vérifier\nCVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n\nCVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:Z/A:H\n{}\n",
            "CVSS:4.0/".repeat(200_000)
        )
        .as_bytes(),
    );
    assert!(!out.status.success());
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(stdout.contains("score 9,8 (critique)"), "{stdout}");
    assert!(
        stdout.contains("1 vecteur(s) évalué(s), 2 refusé(s)."),
        "{stdout}"
    );
    assert!(
        stderr.contains("ligne 4 : CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:Z/A:H\n  Métrique I (impact sur l’intégrité) : valeur « Z » invalide."),
        "{stderr}"
    );
    assert!(stderr.contains("ligne 5 : "), "{stderr}");
    assert!(stderr.contains("Vecteur CVSS trop long"), "{stderr}");

    let out = rempart(
        "sqlite::memory:",
        &[
            "cvss",
            "--json",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/S:P",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let scored: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(scored[0]["nomenclature"], "CVSS-BT");
    assert_eq!(scored[0]["base"], 9.3);
    assert_eq!(scored[0]["severity"], "high");
}

// A reader that stops early (`rempart cvss < vecteurs | head`) ends the command quietly: no
// panic on the closed pipe, status 0.
#[test]
fn a_closed_output_pipe_ends_a_command_without_a_panic() {
    use std::io::{Read, Write};
    let mut child = Command::new(env!("CARGO_BIN_EXE_rempart"))
        .arg("cvss")
        .env_remove("REMPART_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let line = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n";
        // Far more output than a pipe holds; the writer stops when the child is gone.
        for _ in 0..20_000 {
            if stdin.write_all(line.as_bytes()).is_err() {
                break;
            }
        }
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?} {stderr}", out.status);
}

// REQ PRP-03: the deadline calculator answers by the domain's rules, says the rule, its
// article and the days it skipped, in French by default, with JSON for scripts.
#[test]
fn deadline_prints_the_due_date_with_its_rule_and_article() {
    let out = rempart_stdin(
        &[
            "deadline",
            "access-request",
            "--received",
            "2026-06-04",
            "--today",
            "2026-06-20",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    for expected in [
        "Demande d’accès aux documents",
        "Reçue le : jeudi 2026-06-04",
        "Échéance : jeudi 2026-06-25",
        "A-2.1, art. 47",
        "2026-06-24 (fête nationale du Québec)",
        "5 jours restants",
    ] {
        assert!(shown.contains(expected), "{expected} missing from {shown}");
    }

    // Extended, rectification: art. 98, 30 days; past it with no answer, a deemed refusal.
    let out = rempart_stdin(
        &[
            "deadline",
            "access-request",
            "--received",
            "2026-06-04",
            "--kind",
            "rectification",
            "--notice",
            "2026-06-25",
            "--today",
            "2026-07-10",
            "--json",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rule"], "access_answer_extended");
    assert_eq!(v["kind"], "rectification");
    assert_eq!(v["article"], "A-2.1, art. 98, al. 2");
    assert_eq!(v["certainty"], "verified");
    assert_eq!(v["due"], "2026-07-04");
    assert_eq!(v["state"]["state"], "deemed_refusal");
    assert_eq!(v["state"]["days_late"], 6);

    // A day the body adds moves the deadline; a review counts by the CAI's calendar.
    let out = rempart_stdin(
        &[
            "deadline",
            "review-request",
            "--decision",
            "2026-11-25",
            "--day-off",
            "2026-12-28",
            "--json",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["due"], "2026-12-29");
    assert_eq!(v["calendar"], "access_commission");
    let reasons: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["holiday", "yearly", "sunday", "added"]);

    // Retention: five years, deletion only after.
    let out = rempart_stdin(
        &[
            "deadline",
            "incident-retention",
            "--aware",
            "2028-02-29",
            "--json",
        ],
        b"",
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["due"], "2033-02-28");
    assert_eq!(v["deletable_from"], "2033-03-01");

    // English on request.
    let out = rempart_stdin(
        &[
            "deadline",
            "review-request",
            "--deadline-expired",
            "2026-06-25",
            "--english",
            "--today",
            "2026-06-26",
        ],
        b"",
    );
    let shown = text(&out.stdout);
    assert!(shown.contains("Deadline: Monday 2026-07-27"), "{shown}");
    assert!(shown.contains("31 days left"), "{shown}");
    assert!(
        shown.contains("Delay to answer expired on: Thursday 2026-06-25"),
        "{shown}"
    );
    // An answer dated before the receipt is refused.
    let out = rempart_stdin(
        &[
            "deadline",
            "access-request",
            "--received",
            "2026-06-04",
            "--answered",
            "2026-06-01",
        ],
        b"",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("Réponse du 2026-06-01 antérieure à la réception"),
        "{}",
        text(&out.stderr)
    );
}

// REQ PRP-03: a late extension notice and a malformed date are refused in French, naming the
// fault, with a non-zero status; the configuration's days off and Saturday rule apply.
#[test]
fn deadline_refuses_a_late_extension_and_a_bad_date() {
    let out = rempart_stdin(
        &[
            "deadline",
            "access-request",
            "--received",
            "2026-06-04",
            "--notice",
            "2026-06-26",
        ],
        b"",
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("Avis de prolongation du 2026-06-26 envoyé après l’échéance du 2026-06-25"),
        "{err}"
    );
    let out = rempart_stdin(
        &["deadline", "incident-retention", "--aware", "2026-02-30"],
        b"",
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("Date invalide « 2026-02-30 » pour --aware (attendu : AAAA-MM-JJ)"),
        "{err}"
    );

    let config =
        std::env::temp_dir().join(format!("rempart-deadlines-{}.toml", std::process::id()));
    std::fs::write(
        &config,
        "[deadlines]\ndays_off = [\"2026-03-23\"]\nsaturday_moves_deadlines = true\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let out = rempart_stdin(
        &[
            "--config",
            config,
            "deadline",
            "access-request",
            "--received",
            "2026-03-02",
            "--json",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["due"], "2026-03-24", "Sunday 22, then the added day");
    let out = rempart_stdin(
        &[
            "--config",
            config,
            "deadline",
            "access-request",
            "--received",
            "2026-06-04",
            "--extended",
            "--json",
        ],
        b"",
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["due"], "2026-07-06",
        "Saturday 4 July moves when configured"
    );
    std::fs::write(config, "[deadlines]\nincident_retention_years = 2\n").unwrap();
    let out = rempart_stdin(
        &[
            "--config",
            config,
            "deadline",
            "incident-retention",
            "--aware",
            "2026-01-01",
        ],
        b"",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("deadlines.incident_retention_years"),
        "{}",
        text(&out.stderr)
    );
    // The reminders' cadence is bounded too (1 to 30 days).
    std::fs::write(config, "[deadlines]\nconfidentiality_reminder_days = 0\n").unwrap();
    let out = rempart_stdin(
        &[
            "--config",
            config,
            "deadline",
            "incident-retention",
            "--aware",
            "2026-01-01",
        ],
        b"",
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("deadlines.confidentiality_reminder_days"));
    std::fs::remove_file(config).unwrap();
}
