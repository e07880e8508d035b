//! GMVI through the API and the binary: the deadlines watched by two `serve` processes on one
//! database (each escalation once), an incident's closure flagging its assets' risks, the
//! alert network end to end, and STIX 2.1 in and out.

use std::process::{Command, Stdio};

use reqwest::Method;
use serde_json::{json, Value};

use crate::kit::*;

const COMSI_A: &str = "comsi@demo.rempart.quebec";
const CDSI_A: &str = "cdsi@demo.rempart.quebec";
const CENTRE_LEAD: &str = "rocd@demo.rempart.quebec";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `rempart serve` child, killed when dropped.
struct Serve(std::process::Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(url: &str) -> Serve {
    Serve(
        Command::new(env!("CARGO_BIN_EXE_rempart"))
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{}", free_port()),
                "--database-url",
                url,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

async fn open_incident(session: &Session, org: i64, severity: &str) -> i64 {
    let r = session
        .send_json(
            Method::POST,
            "/api/v1/incidents",
            &json!({ "org_id": org, "title": "Hameçonnage", "category": "phishing",
                     "severity": severity }),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

// REQ PLAT-11, GMVI-03
#[tokio::test]
async fn two_serve_processes_escalate_each_overdue_notice_once() {
    let app = TestApp::spawn().await;
    let comsi = app.login(COMSI_A).await;
    let body_a = app.org_id(BODY_A).await;
    // The demo's own notices are not due for hours; twelve new incidents' are made overdue.
    let first = scalar(&app, "SELECT COALESCE(MAX(id), 0) FROM incidents").await;
    for _ in 0..12 {
        open_incident(&comsi, body_a, "low").await;
    }
    let ours =
        format!("SELECT id FROM notices WHERE subject_type = 'incident' AND subject_id > {first}");
    assert_eq!(
        scalar(&app, &format!("SELECT COUNT(*) FROM ({ours}) o")).await,
        12
    );
    // Their deadlines passed an hour ago, as if the servers had been down.
    let past = rempart_storage::now_micros() - 3_600_000_000;
    sqlx::query(&format!(
        "UPDATE deadlines SET due_at = $1, warn_at = NULL, next_check_at = $1 \
         WHERE subject_type = 'notice' AND subject_id IN ({ours})"
    ))
    .bind(past)
    .execute(app.store.pool())
    .await
    .unwrap();
    let up = format!("SELECT COUNT(*) FROM notices WHERE escalated_from IN ({ours})");
    let audited_before = scalar(
        &app,
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'notice.escalate'",
    )
    .await;
    let cdsi = app.login(CDSI_A).await;
    let waiting_before: Vec<Value> = cdsi.get("/api/v1/notices").await.json().await.unwrap();

    let first_serve = serve(app.url.expose());
    let second_serve = serve(app.url.expose());
    let mut escalated = 0;
    for _ in 0..300 {
        escalated = scalar(&app, &up).await;
        if escalated >= 12 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Both processes have run their first pass; give a late one time to do harm.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    drop((first_serve, second_serve));
    assert_eq!(escalated, 12);
    assert_eq!(
        scalar(&app, &up).await,
        12,
        "an overdue notice was escalated twice"
    );
    assert_eq!(
        scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM notices WHERE escalated_at IS NOT NULL AND id IN ({ours})"
            )
        )
        .await,
        12
    );
    // One audit entry per escalation, whichever process took it.
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'notice.escalate'",
        )
        .await,
        audited_before + 12
    );
    // The CDSI now has the twelve notices to acknowledge.
    let waiting: Vec<Value> = cdsi.get("/api/v1/notices").await.json().await.unwrap();
    assert_eq!(waiting.len(), waiting_before.len() + 12);
    let r = cdsi
        .send_json(
            Method::POST,
            &format!("/api/v1/notices/{}/acknowledge", waiting[0]["id"]),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let after: Vec<Value> = cdsi.get("/api/v1/notices").await.json().await.unwrap();
    assert_eq!(after.len(), waiting.len() - 1);
}

// REQ GMVI-09, GMVI-02
#[tokio::test]
async fn closing_an_incident_flags_the_risks_of_the_assets_it_compromised() {
    let app = TestApp::spawn().await;
    let comsi = app.login(COMSI_A).await;
    let body_a = app.org_id(BODY_A).await;
    // An asset of body A that a risk covers.
    let asset = scalar(
        &app,
        &format!(
            "SELECT MIN(ra.asset_id) FROM risk_assets ra JOIN risks r ON r.id = ra.risk_id \
             WHERE r.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = {body_a})"
        ),
    )
    .await;
    let risks_on_asset = scalar(
        &app,
        &format!("SELECT COUNT(*) FROM risk_assets WHERE asset_id = {asset}"),
    )
    .await;
    assert!(risks_on_asset > 0);
    let id = open_incident(&comsi, body_a, "high").await;
    let r = comsi
        .send_json(
            Method::PUT,
            &format!("/api/v1/incidents/{id}/assets/{asset}"),
            &json!({ "availability": "high", "integrity": "none", "confidentiality": "low" }),
        )
        .await;
    assert_eq!(r.status(), 204);
    let bad = comsi
        .send_json(
            Method::PUT,
            &format!("/api/v1/incidents/{id}/assets/{asset}"),
            &json!({ "availability": "énorme", "integrity": "none", "confidentiality": "low" }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert_eq!(
        error_fields(&bad.json().await.unwrap())[0].0,
        "availability"
    );
    let me = app.person_id(COMSI_A).await;
    let r = comsi
        .send_json(
            Method::PUT,
            &format!("/api/v1/incidents/{id}/roles/lead"),
            &json!({ "person_id": me }),
        )
        .await;
    assert_eq!(r.status(), 204);
    let incident: Value = comsi
        .get(&format!("/api/v1/incidents/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let mut version = incident["version"].as_i64().unwrap();
    for status in ["contained", "recovered"] {
        let r = comsi
            .send_json(
                Method::POST,
                &format!("/api/v1/incidents/{id}/status"),
                &json!({ "status": status, "version": version }),
            )
            .await;
        assert_eq!(r.status(), 200, "{status}");
        version += 1;
    }
    // Closing without lessons is refused, with the field named.
    let r = comsi
        .send_json(
            Method::POST,
            &format!("/api/v1/incidents/{id}/status"),
            &json!({ "status": "closed", "version": version }),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(error_fields(&r.json().await.unwrap())[0].0, "lessons");
    let r = comsi
        .send_json(
            Method::POST,
            &format!("/api/v1/incidents/{id}/status"),
            &json!({ "status": "closed", "version": version,
                     "lessons": "Segmenter le réseau de la direction" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let out: Value = r.json().await.unwrap();
    assert_eq!(out["risks_flagged"].as_i64(), Some(risks_on_asset));
    let reference = incident["reference"].as_str().unwrap().to_owned();
    let flagged = scalar(
        &app,
        &format!(
            "SELECT COUNT(*) FROM risk_reassessments WHERE reason = 'incident' \
             AND reason_json LIKE '%{reference}%'"
        ),
    )
    .await;
    assert_eq!(flagged, risks_on_asset);
    // Body B's people do not see the incident.
    let privacy_b = app.login(PRIVACY_B).await;
    assert_eq!(
        privacy_b
            .get(&format!("/api/v1/incidents/{id}"))
            .await
            .status(),
        404
    );
}

// REQ GMVI-08
#[tokio::test]
async fn the_alert_network_end_to_end_with_stix_round_trip() {
    let app = TestApp::spawn().await;
    let lead = app.login(CENTRE_LEAD).await;
    let centre = app.org_id("cocd-capitale-demo").await;
    let body_a = app.org_id(BODY_A).await;
    let r = lead
        .send_json(
            Method::POST,
            "/api/v1/alerts",
            &json!({ "org_id": centre, "kind": "measure", "title": "Corriger CVE-2024-3400",
                     "severity": "critical", "due_days": 3, "due_count": "working" }),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let alert: Value = lead
        .get(&format!("/api/v1/alerts/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(alert["due_rule"]
        .as_str()
        .unwrap()
        .contains("jours ouvrables"));
    assert!(alert["reference"].as_str().unwrap().starts_with("MES-"));

    // Body A answers; the board counts it.
    let comsi = app.login(COMSI_A).await;
    let inbox: Vec<Value> = comsi.get("/api/v1/inbox").await.json().await.unwrap();
    assert!(inbox.iter().any(|n| n["kind"] == "measure-issued"
        && n["subject"]
            .as_str()
            .unwrap()
            .contains("Mesure opérationnelle requise")));
    let r = comsi
        .send_json(
            Method::POST,
            &format!("/api/v1/alerts/{id}/respond"),
            &json!({ "org_id": body_a, "status": "applied", "report": "Correctif appliqué" }),
        )
        .await;
    assert_eq!(r.status(), 204);
    let board: Value = lead
        .get(&format!("/api/v1/alerts/{id}/board"))
        .await
        .json()
        .await
        .unwrap();
    let total = &board["total"];
    assert_eq!(total["settled"], 1);
    assert!(total["targets"].as_i64().unwrap() >= 2);

    // STIX: a shared bundle imports as intelligence, and the export carries it back.
    let apt1 = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/stix/apt1.json"
    ))
    .unwrap();
    let r = lead
        .client
        .post(lead.url(&format!("/api/v1/alerts/{id}/stix")))
        .header("x-csrf-token", &lead.csrf)
        .header("content-type", "application/json")
        .body(apt1.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let out: Value = r.json().await.unwrap();
    assert_eq!(out["attached"], 76);
    assert_eq!(out["by_type"]["indicator"], 12);
    let export = lead.get(&format!("/api/v1/alerts/{id}/stix")).await;
    assert_eq!(export.status(), 200);
    let bundle: Value = export.json().await.unwrap();
    let objects = bundle["objects"].as_array().unwrap();
    let original: Value = serde_json::from_slice(&apt1).unwrap();
    for o in original["objects"].as_array().unwrap() {
        assert!(objects.contains(o), "{} lost in the round trip", o["id"]);
    }
    let report = objects
        .iter()
        .find(|o| o["type"] == "report")
        .filter(|o| o["id"] == alert["stix_id"]);
    assert!(report.is_some(), "the alert is the bundle's report");
    // Reimporting the export attaches the same objects again, not twice.
    let again = lead
        .client
        .post(lead.url(&format!("/api/v1/alerts/{id}/stix")))
        .header("x-csrf-token", &lead.csrf)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&bundle).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let count = scalar(
        &app,
        &format!("SELECT COUNT(*) FROM alert_intel WHERE alert_id = {id}"),
    )
    .await;
    assert_eq!(count, objects.len() as i64);
    // A broken bundle is refused in French, with nothing attached; a body cannot import.
    let bad = lead
        .client
        .post(lead.url(&format!("/api/v1/alerts/{id}/stix")))
        .header("x-csrf-token", &lead.csrf)
        .header("content-type", "application/json")
        .body(apt1[..apt1.len() / 2].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let text = bad.text().await.unwrap();
    assert!(text.contains("ligne"), "{text}");
    let r = comsi
        .client
        .post(comsi.url(&format!("/api/v1/alerts/{id}/stix")))
        .header("x-csrf-token", &comsi.csrf)
        .header("content-type", "application/json")
        .body(apt1)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

// REQ GMVI-01
#[tokio::test]
async fn a_report_through_the_api_reaches_the_queue_and_its_triage() {
    let app = TestApp::spawn().await;
    let user = app.login(USER_A).await;
    let r = user
        .send_json(
            Method::POST,
            "/api/v1/events",
            &json!({ "summary": "Clé USB trouvée dans le stationnement", "personal_info": "unknown" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let bad = user
        .send_json(
            Method::POST,
            "/api/v1/events",
            &json!({ "summary": "", "observed": "hier" }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let fields: Vec<String> = error_fields(&bad.json().await.unwrap())
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(fields, ["summary", "observed"]);
    // A user has no queue; the coordinator has.
    assert_eq!(user.get("/api/v1/events").await.status(), 403);
    let comsi = app.login(COMSI_A).await;
    let queue: Vec<Value> = comsi
        .get("/api/v1/events?status=new")
        .await
        .json()
        .await
        .unwrap();
    assert!(queue.iter().any(|e| e["id"] == id));
    let r = comsi
        .send_json(
            Method::POST,
            &format!("/api/v1/events/{id}/triage"),
            &json!({ "decision": "incident", "version": 1,
                     "incident": { "title": "Clé USB suspecte", "category": "malware", "severity": "medium" } }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let out: Value = r.json().await.unwrap();
    assert_eq!(out["status"], "incident");
    let incident = out["incident_id"].as_i64().unwrap();
    let timeline: Vec<Value> = comsi
        .get(&format!("/api/v1/incidents/{incident}/timeline"))
        .await
        .json()
        .await
        .unwrap();
    assert!(timeline.iter().any(|e| e["kind"] == "observation"));
    let mine: Vec<Value> = user.get("/api/v1/events/mine").await.json().await.unwrap();
    assert_eq!(mine[0]["status"], "incident");
}

// REQ GMVI-08
#[tokio::test]
async fn an_issuer_withdraws_an_alert_and_bodies_can_no_longer_answer_it() {
    let app = TestApp::spawn().await;
    let lead = app.login(CENTRE_LEAD).await;
    let centre = app.org_id("cocd-capitale-demo").await;
    let body_a = app.org_id(BODY_A).await;
    let r = lead
        .send_json(
            Method::POST,
            "/api/v1/alerts",
            &json!({ "org_id": centre, "kind": "alert", "title": "Campagne d'hameçonnage",
                     "severity": "medium" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let comsi = app.login(COMSI_A).await;
    let page = comsi
        .get(&format!("/alerts/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("action=\"/alerts/{id}/respond\"")));
    assert_eq!(
        comsi
            .send_json(
                Method::POST,
                &format!("/api/v1/alerts/{id}/withdraw"),
                &json!({})
            )
            .await
            .status(),
        403
    );
    let withdrawn = lead.post_form(&format!("/alerts/{id}/withdraw"), &[]).await;
    assert_eq!(withdrawn.status(), 303);
    let board = lead
        .get(&format!("/alerts/{id}?done=withdrawn"))
        .await
        .text()
        .await
        .unwrap();
    assert!(board.contains("Alerte retirée"), "{board}");
    assert!(!board.contains(&format!("action=\"/alerts/{id}/withdraw\"")));
    let page = comsi
        .get(&format!("/alerts/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Retirée"));
    assert!(!page.contains(&format!("action=\"/alerts/{id}/respond\"")));
    let answer = comsi
        .send_json(
            Method::POST,
            &format!("/api/v1/alerts/{id}/respond"),
            &json!({ "org_id": body_a, "status": "acknowledged" }),
        )
        .await;
    assert_eq!(answer.status(), 404);
    let again = lead
        .send_json(
            Method::POST,
            &format!("/api/v1/alerts/{id}/withdraw"),
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), 422);
}

// REQ GMVI-02
#[tokio::test]
async fn evidence_through_the_api_is_kept_by_its_hash_and_given_back_as_an_attachment() {
    let app = TestApp::spawn().await;
    let comsi = app.login(COMSI_A).await;
    let id = open_incident(&comsi, app.org_id(BODY_A).await, "medium").await;
    let bytes = "<script>alert('pas ici')</script>\n".as_bytes().to_vec();
    let r = comsi
        .client
        .post(comsi.url(&format!(
            "/api/v1/incidents/{id}/evidence?file_name=..%2F..%2Fjournal.html"
        )))
        .header("x-csrf-token", &comsi.csrf)
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let file = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let list: Vec<Value> = comsi
        .get(&format!("/api/v1/incidents/{id}/evidence"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["file_name"], "journal.html");
    assert_eq!(list[0]["size_bytes"], bytes.len());
    let sha: String = <sha2::Sha256 as sha2::Digest>::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(list[0]["sha256"], sha);
    let got = comsi
        .get(&format!("/api/v1/incidents/{id}/evidence/{file}"))
        .await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "application/octet-stream");
    assert_eq!(got.headers()["x-content-type-options"], "nosniff");
    assert!(got.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(got.bytes().await.unwrap().to_vec(), bytes);
    // Empty is refused with the field named; another body's people see nothing.
    let empty = comsi
        .client
        .post(comsi.url(&format!(
            "/api/v1/incidents/{id}/evidence?file_name=vide.txt"
        )))
        .header("x-csrf-token", &comsi.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
    let privacy_b = app.login(PRIVACY_B).await;
    assert_eq!(
        privacy_b
            .get(&format!("/api/v1/incidents/{id}/evidence/{file}"))
            .await
            .status(),
        404
    );
}
