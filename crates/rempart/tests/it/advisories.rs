//! Security advisories (issue 8, GMVI-07) on the engine under test: a shared CSAF document
//! matched to a demo asset's component and its holder notified, once; a refused document that
//! writes nothing; an advisory typed in, its faults named; the pages.

use serde_json::{json, Value};

use crate::kit::*;

const CSAF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/csaf/");

fn shared(file: &str) -> Vec<u8> {
    std::fs::read(format!("{CSAF}{file}")).unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

async fn post_csaf(session: &Session, org: i64, bytes: Vec<u8>) -> reqwest::Response {
    session
        .client
        .post(session.url(&format!("/api/v1/organizations/{org}/advisories/csaf")))
        .header("x-csrf-token", &session.csrf)
        .header("content-type", "application/json")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn inbox(session: &Session) -> Vec<Value> {
    let page: Value = session.get("/api/v1/inbox").await.json().await.unwrap();
    page.as_array()
        .cloned()
        .or_else(|| page["items"].as_array().cloned())
        .unwrap_or_default()
}

// REQ GMVI-07: Cisco's CSAF advisory for CVE-2018-0171 lists IOS 15.2(4)E1 among its 259
// known-affected products; the demo's head-office network (held by detenteur@) declares
// cpe:2.3:o:cisco:ios:15.2\(4\)e1. Importing the document matches that asset, and only
// assets naming an affected product, and notifies the holder once.
#[tokio::test]
async fn a_shared_csaf_advisory_matches_a_demo_asset_and_notifies_its_holder() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let holder = app.login(HOLDER_A).await;
    let body_a = app.org_id(BODY_A).await;
    let network = asset_id(&app, "Réseau local du siège social").await;
    let before = inbox(&holder).await.len();

    let response = post_csaf(&ciso, body_a, shared("cisco-sa-20180328-smi2.json")).await;
    assert_eq!(response.status(), 201);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["created"], true);
    assert_eq!(report["cves"], 1);
    assert_eq!(report["matched_assets"], 1, "{report}");
    assert_eq!(report["holders_notified"], 1);
    let id = report["advisory_id"].as_i64().unwrap();

    let detail: Value = ciso
        .get(&format!("/api/v1/advisories/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["tracking_id"], "cisco-sa-20180328-smi2");
    assert_eq!(detail["severity"], "critical");
    assert_eq!(detail["cves"], json!(["CVE-2018-0171"]));
    let m = &detail["matches"][0];
    assert_eq!(m["asset_id"], network);
    assert_eq!(m["status"], "affected");
    assert_eq!(m["holder_name"].as_str().map(str::is_empty), Some(false));
    assert_eq!(m["products"], json!(["Cisco IOS 15.2E 15.2(4)E1"]));
    assert!(m["notified_at"].is_i64());

    let notes = inbox(&holder).await;
    assert_eq!(notes.len(), before + 1);
    let note = notes
        .iter()
        .find(|n| n["kind"] == "advisory-match")
        .expect("the holder's notification");
    assert_eq!(note["link"], format!("/advisories/{id}"));
    let subject = note["subject"].as_str().unwrap();
    assert!(subject.contains("cisco-sa-20180328-smi2"), "{subject}");
    assert!(
        subject.contains("Réseau local du siège social"),
        "{subject}"
    );
    assert!(note["body"].as_str().unwrap().contains("CVE-2018-0171"));

    // The same document again: nothing written, nobody notified again.
    let seq = app.audit_seq().await;
    let again = post_csaf(&ciso, body_a, shared("cisco-sa-20180328-smi2.json")).await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["unchanged"], true);
    assert_eq!(again["advisory_id"], id);
    assert_eq!(app.audit_seq().await, seq);
    assert_eq!(inbox(&holder).await.len(), before + 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM advisories").await, 1);

    // The recording is in the trail.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'advisory.record'"
        )
        .await,
        1
    );

    // Red Hat's telnet advisory names RHEL 7.6 servers, which no demo asset declares.
    let rh: Value = post_csaf(&ciso, body_a, shared("rhsa-2022_0011.json"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (rh["products"].as_i64(), rh["matched_assets"].as_i64()),
        (Some(25), Some(0))
    );

    let list: Value = ciso
        .get("/api/v1/advisories?matched=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["affected_assets"], 1);
}

// REQ GMVI-07: a refused document names its fault and writes nothing.
#[tokio::test]
async fn a_refused_csaf_document_writes_nothing() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY_A).await;
    let seq = app.audit_seq().await;

    let mut broken: Value = serde_json::from_slice(&shared("cisco-sa-20180328-smi2.json")).unwrap();
    broken["vulnerabilities"][0]["product_status"]["known_affected"][3] = json!("CVRFPID-0");
    let response = post_csaf(&ciso, body_a, serde_json::to_vec(&broken).unwrap()).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("/vulnerabilities/0/product_status/known_affected/3")
            && message.contains("CVRFPID-0"),
        "{message}"
    );

    let mut truncated = shared("rhsa-2022_0011.json");
    truncated.truncate(truncated.len() / 2);
    let response = post_csaf(&ciso, body_a, truncated).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("ligne"),
        "{body}"
    );

    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(
        post_csaf(&ciso, body_a, deep.into_bytes()).await.status(),
        422
    );

    assert_eq!(count(&app, "SELECT COUNT(*) FROM advisories").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM advisory_matches").await,
        0
    );
    assert_eq!(app.audit_seq().await, seq);
}

// REQ GMVI-07: an advisory typed in, matched by package URL; its faults named per field; a
// worse status notifies the holder again.
#[tokio::test]
async fn an_advisory_typed_in_matches_by_package_url_and_names_its_faults() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let holder = app.login(HOLDER_A).await;
    let body_a = app.org_id(BODY_A).await;
    let path = format!("/api/v1/organizations/{body_a}/advisories");

    let bad = ciso
        .send_json(
            reqwest::Method::POST,
            &path,
            &json!({"publisher": "", "reference": "JQ-1", "title": "jQuery",
                    "cves": ["CVE-2020-11022", "pas-un-cve"],
                    "products": ["pkg:npm/jquery@3.4.1", "n'importe quoi"],
                    "status": "grave"}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let fields: Vec<String> = error_fields(&bad.json().await.unwrap())
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(fields, ["publisher", "status", "cves[1]", "products[1]"]);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM advisories").await, 0);

    let before = inbox(&holder).await.len();
    let advisory = json!({"publisher": "OpenJS", "reference": "JQ-1",
        "title": "jQuery : XSS dans htmlPrefilter", "cves": ["cve-2020-11022"],
        "products": ["pkg:npm/jquery@3.4.1"], "status": "fix_available",
        "url": "https://github.com/advisories/GHSA-gxr4-xjj5-5px2"});
    let response = ciso
        .send_json(reqwest::Method::POST, &path, &advisory)
        .await;
    assert_eq!(response.status(), 201);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["matched_assets"], 1);
    let id = report["advisory_id"].as_i64().unwrap();
    let detail: Value = ciso
        .get(&format!("/api/v1/advisories/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["matches"][0]["asset_name"], "Intranet");
    assert_eq!(detail["matches"][0]["status"], "fix_available");
    assert_eq!(detail["cves"], json!(["CVE-2020-11022"]));
    assert_eq!(inbox(&holder).await.len(), before + 1);

    // Corrected: the version is affected. Worse, so the holder hears again.
    let mut corrected = advisory.clone();
    corrected["status"] = json!("affected");
    let response = ciso
        .send_json(reqwest::Method::POST, &path, &corrected)
        .await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        (report["created"].as_bool(), report["new_matches"].as_i64()),
        (Some(false), Some(1))
    );
    assert_eq!(inbox(&holder).await.len(), before + 2);
    // Better again: recorded, nobody woken up.
    let response = ciso
        .send_json(reqwest::Method::POST, &path, &advisory)
        .await;
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["new_matches"], 0);
    assert_eq!(inbox(&holder).await.len(), before + 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM advisories").await, 1);
}

// REQ GMVI-07: the pages record (file or form, no script needed), list and show advisories.
#[tokio::test]
async fn the_advisory_pages_record_list_and_show() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY_A).await;

    let form = ciso.get("/advisories/new").await;
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(html.contains("action=\"/advisories/csaf\""));
    assert!(html.contains("action=\"/advisories/new\""));

    let part = reqwest::multipart::Part::bytes(shared("cisco-sa-20180328-smi2.json"))
        .file_name("cisco.json")
        .mime_str("application/json")
        .unwrap();
    let multipart = reqwest::multipart::Form::new()
        .text("csrf", ciso.csrf.clone())
        .text("org_id", body_a.to_string())
        .part("file", part);
    let response = ciso
        .client
        .post(ciso.url("/advisories/csaf"))
        .multipart(multipart)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/advisories/"), "{location}");
    let page = ciso.get(&location).await.text().await.unwrap();
    assert!(page.contains("Réseau local du siège social"));
    assert!(page.contains("CVE-2018-0171"));
    assert!(page.contains("touché"));

    // A refused file: the form again, the fault named.
    let part = reqwest::multipart::Part::bytes(b"{\"document\": {}}".to_vec()).file_name("x.json");
    let multipart = reqwest::multipart::Form::new()
        .text("csrf", ciso.csrf.clone())
        .text("org_id", body_a.to_string())
        .part("file", part);
    let response = ciso
        .client
        .post(ciso.url("/advisories/csaf"))
        .multipart(multipart)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("/document/csaf_version"), "{html}");

    let body_a_text = body_a.to_string();
    let response = ciso
        .post_form(
            "/advisories/new",
            &[
                ("org_id", &body_a_text),
                ("publisher", "Apache"),
                ("reference", "LOG4J-2021"),
                ("title", "Log4Shell"),
                ("severity", "critical"),
                ("status", "affected"),
                ("cves", "CVE-2021-44228, CVE-2021-45046"),
                (
                    "products",
                    "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                ),
                ("url", ""),
                ("summary", "Exécution de code à distance"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let page = ciso.get(&location).await.text().await.unwrap();
    assert!(page.contains("Journalisation centralisée (SIEM)"), "{page}");

    let response = ciso
        .post_form(
            "/advisories/new",
            &[
                ("org_id", &body_a_text),
                ("publisher", "X"),
                ("products", "rien"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Produits visés (ligne 1)") && html.contains("href=\"#f-reference\""),
        "{html}"
    );

    let list = ciso.get("/advisories").await.text().await.unwrap();
    assert!(list.contains("cisco-sa-20180328-smi2") && list.contains("LOG4J-2021"));
    // A person without the permission is refused the list.
    let user = app.login(USER_A).await;
    assert_eq!(user.get("/advisories").await.status(), 403);
}

fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(args)
        .args(["--database-url", app.url.expose()])
        .env_remove("REMPART_DATABASE_URL")
        .output()
        .unwrap()
}

// REQ GMVI-07: `rempart import csaf` records documents with a summary or JSON, and refuses a
// bad one in French, naming the file and the field, with a non-zero exit.
#[tokio::test]
async fn the_command_imports_csaf_documents() {
    let app = TestApp::spawn().await;
    let cisco = format!("{CSAF}cisco-sa-20180328-smi2.json");
    let redhat = format!("{CSAF}rhsa-2022_0011.json");
    let out = cli(&app, &["import", "csaf", "--org", BODY_A, &cisco, &redhat]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("cisco-sa-20180328-smi2") && stdout.contains("1 actif(s) visé(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("RHSA-2022:0011") && stdout.contains("enregistré"),
        "{stdout}"
    );

    let out = cli(&app, &["import", "csaf", "--org", BODY_A, "--json", &cisco]);
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["report"]["unchanged"], true);
    assert_eq!(json[0]["report"]["matched_assets"], 1);

    let dir = std::env::temp_dir().join(format!("rempart-csaf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("mauvais.json");
    std::fs::write(
        &bad,
        br#"{"document": {"csaf_version": "2.0", "category": "x"}}"#,
    )
    .unwrap();
    let out = cli(
        &app,
        &["import", "csaf", "--org", BODY_A, bad.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mauvais.json") && stderr.contains("/document/title"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM advisories").await, 2);
}

// REQ GMVI-06: /.well-known/security.txt from the configuration, open to anyone; without a
// configured contact, none is invented.
#[tokio::test]
async fn security_txt_is_served_from_the_configuration() {
    let app = TestApp::spawn_configured(|_| rempart_web::WebConfig {
        security_txt: Some(rempart_domain::security_txt::SecurityTxt {
            contacts: vec!["mailto:securite@mfr.demo.gouv.qc.ca".into()],
            expires: "2027-06-30T23:59:59Z".parse().unwrap(),
            languages: vec!["fr".into(), "en".into()],
            policy: Some("https://mfr.demo.gouv.qc.ca/divulgation".into()),
            canonical: None,
            encryption: None,
            acknowledgments: None,
        }),
        ..rempart_web::WebConfig::default()
    })
    .await;
    let response = TestApp::client()
        .get(format!("{}/.well-known/security.txt", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/plain; charset=utf-8"
    );
    assert_eq!(
        response.text().await.unwrap(),
        "Contact: mailto:securite@mfr.demo.gouv.qc.ca\r\nExpires: 2027-06-30T23:59:59Z\r\n\
         Preferred-Languages: fr, en\r\nPolicy: https://mfr.demo.gouv.qc.ca/divulgation\r\n"
    );
    let bare = TestApp::spawn().await;
    let response = TestApp::client()
        .get(format!("{}/.well-known/security.txt", bare.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

async fn disclose_api(app: &TestApp, body: &Value) -> reqwest::Response {
    TestApp::client()
        .post(format!("{}/api/v1/disclosures", app.base))
        .json(body)
        .send()
        .await
        .unwrap()
}

// REQ GMVI-06: anyone reports a vulnerability in an exposed service; the report goes to the
// body whose asset names the host, its security staff are told; the reporter follows it and
// adds to it with the token shown once (only its hash is kept); staff answer and move its
// status; faults are named; a flood from one address is refused.
#[tokio::test]
async fn the_public_reports_a_vulnerability_and_follows_it_with_its_token() {
    let app = TestApp::spawn_configured(|_| rempart_web::WebConfig {
        disclosure_rate: rempart_web::ratelimit::PublicRateLimit::per_hour(3),
        ..rempart_web::WebConfig::default()
    })
    .await;
    let intranet = asset_id(&app, "Intranet").await;
    let report = json!({
        "service": "https://intranet.mfr.demo.gouv.qc.ca/recherche?q=1",
        "title": "Injection SQL dans la recherche",
        "description": "Le paramètre q de /recherche est injectable : ' OR 1=1 -- renvoie tout.",
        "reporter_contact": "chercheuse@example.org"
    });
    let response = disclose_api(&app, &report).await;
    assert_eq!(response.status(), 201);
    let received: Value = response.json().await.unwrap();
    let reference = received["reference"].as_str().unwrap().to_owned();
    let token = received["token"].as_str().unwrap().to_owned();
    assert!(reference.starts_with("DIV-"), "{reference}");
    assert_eq!(token.len(), 43);
    // Only the token's hash is stored.
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM disclosures WHERE token_sha256 = $1")
            .bind(&token)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(stored, 0);

    // Routed to the ministry (its intranet), its security staff told.
    let ciso = app.login(CSIO_A).await;
    let list = ciso.get("/disclosures").await.text().await.unwrap();
    assert!(
        list.contains(&reference) && list.contains("Intranet"),
        "{list}"
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM disclosures WHERE reference = $1")
        .bind(&reference)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let detail: Value = ciso
        .get(&format!("/api/v1/disclosures/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["asset_id"], intranet);
    assert_eq!(detail["reporter_contact"], "chercheuse@example.org");
    // The ministry's security staff (CISO, delegated CISO, coordinator) are told.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'disclosure-received'"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'disclosure.received'"
        )
        .await,
        1
    );

    // The reporter adds to it, then reads it: no internal detail shown.
    let follow = |body: Value| {
        let base = app.base.clone();
        async move {
            TestApp::client()
                .post(format!("{base}/api/v1/disclosures/follow"))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let view: Value =
        follow(json!({"token": token, "message": "Capture jointe : la table users."}))
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(view["status"], "received");
    assert_eq!(view["messages"][0]["author"], "reporter");
    assert!(view.get("asset_id").is_none() && view.get("reporter_contact").is_none());
    assert_eq!(follow(json!({"token": "faux"})).await.status(), 404);

    // Staff answer and confirm it, by the page's form; the reporter reads the answer.
    let response = ciso
        .post_form(
            &format!("/disclosures/{id}/respond"),
            &[
                ("status", "confirmed"),
                ("reply", "Merci, correctif prévu."),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let stale = ciso
        .post_form(
            &format!("/disclosures/{id}/respond"),
            &[("status", "fixed"), ("reply", ""), ("version", "1")],
        )
        .await;
    assert_eq!(stale.status(), 409);
    let view: Value = follow(json!({"token": token})).await.json().await.unwrap();
    assert_eq!(view["status"], "confirmed");
    assert_eq!(view["messages"][1]["author"], "staff");
    assert_eq!(view["messages"][1]["body"], "Merci, correctif prévu.");

    // The page, without script: the token in the form's body opens the report.
    let page = TestApp::client()
        .post(format!("{}/disclose/follow", app.base))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&reference) && page.contains("confirmé"),
        "{page}"
    );

    // Faults named, nothing written.
    let bad = disclose_api(
        &app,
        &json!({"service": "", "title": "x", "description": "court"}),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let fields: Vec<String> = error_fields(&bad.json().await.unwrap())
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(fields, ["service", "description"]);
    // A report for a host no asset names goes to the network's root.
    let other = disclose_api(
        &app,
        &json!({"service": "inconnu.example.org", "title": "XSS",
                "description": "Un paramètre reflété sans échappement dans la page d'accueil."}),
    )
    .await;
    assert_eq!(other.status(), 201);
    let root: i64 = sqlx::query_scalar(
        "SELECT d.org_id FROM disclosures d WHERE d.service = 'inconnu.example.org'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let parent: Option<i64> =
        sqlx::query_scalar("SELECT parent_id FROM organizations WHERE id = $1")
            .bind(root)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(parent, None);
    // The hour's share (3) counts what was written from this address, reports and the
    // addition alike (a refused report spends nothing): the next one is refused, nothing
    // written.
    let flood = disclose_api(&app, &report).await;
    assert_eq!(flood.status(), 429);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM disclosures").await, 2);

    // The public form works without script and names its faults.
    let form = TestApp::client()
        .get(format!("{}/disclose", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    assert!(form.text().await.unwrap().contains("action=\"/disclose\""));
    let refused = TestApp::client()
        .post(format!("{}/disclose", app.base))
        .form(&[
            ("service", "https://x.example"),
            ("title", ""),
            ("description", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("href=\"#d-title\"") && html.contains("href=\"#d-description\""),
        "{html}"
    );
}
