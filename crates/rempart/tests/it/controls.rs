//! Control catalogues end to end (CTRL-01, CTRL-02), on the engine under test: the real
//! SP 800-53 rev. 5 catalog and its LOW and MODERATE baselines imported through the API and the
//! command line, shared down the tree, browsed, and where an organization stands on a control.

use axum::http::Method;
use serde_json::{json, Value};

use crate::kit::*;

const OSCAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/oscal/");
const GOV: &str = "cgsi@demo.rempart.quebec";

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{OSCAL}{name}")).unwrap()
}

async fn import(who: &Session, org: i64, body: Vec<u8>, catalog: Option<i64>) -> reqwest::Response {
    let mut url = who.url(&format!("/api/v1/control-catalogs?org_id={org}"));
    if let Some(c) = catalog {
        url.push_str(&format!("&catalog_id={c}"));
    }
    who.client
        .post(url)
        .header("x-csrf-token", &who.csrf)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

// REQ CTRL-01
// REQ CTRL-02
#[tokio::test]
async fn the_sp_800_53_catalog_and_its_baselines_are_imported_and_shared_down_the_tree() {
    let app = TestApp::spawn().await;
    let gov = app.login(GOV).await;
    let root = app.org_id("cgcd-demo").await;

    let r = import(&gov, root, file("NIST_SP-800-53_rev5_catalog.json"), None).await;
    assert_eq!(r.status(), 201);
    let catalog: Value = r.json().await.unwrap();
    assert_eq!(catalog["kind"], "catalog");
    assert_eq!(catalog["controls"], 1189);
    assert_eq!(catalog["groups"], 20);
    let catalog_id = catalog["id"].as_i64().unwrap();
    for (name, n) in [
        ("NIST_SP-800-53_rev5_LOW-baseline_profile.json", 149),
        ("NIST_SP-800-53_rev5_MODERATE-baseline_profile.json", 287),
    ] {
        let r = import(&gov, root, file(name), None).await;
        assert_eq!(r.status(), 201);
        let profile: Value = r.json().await.unwrap();
        assert_eq!(profile["controls"], n, "{name}");
        assert_eq!(profile["catalog_id"], catalog_id);
    }
    // The same file again changes nothing, and writes nothing to the trail.
    let head = app.audit_seq().await;
    let again = import(&gov, root, file("NIST_SP-800-53_rev5_catalog.json"), None).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["unchanged"], true);
    assert_eq!(app.audit_seq().await, head);
    // One audit entry per import, with the file's digest.
    let entries: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'control_catalog.import'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(entries, 3);

    // A body's CISO uses what the government centre imported.
    let ciso = app.login(CSIO_A).await;
    let listed: Value = ciso
        .get("/api/v1/control-catalogs")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 3);
    let controls: Value = ciso
        .get(&format!(
            "/api/v1/control-catalogs/{catalog_id}/controls?q=AC-2(1)&limit=5"
        ))
        .await
        .json()
        .await
        .unwrap();
    let ac21 = controls["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "ac-2.1")
        .unwrap()
        .clone();
    assert_eq!(ac21["parent_key"], "ac-2");
    assert_eq!(ac21["group_key"], "ac");
    assert!(!ac21["statement"].as_str().unwrap().is_empty());
    let all: Value = ciso
        .get(&format!(
            "/api/v1/control-catalogs/{catalog_id}/controls?include_withdrawn=true&limit=1"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 1189);
    let current: Value = ciso
        .get(&format!(
            "/api/v1/control-catalogs/{catalog_id}/controls?limit=1"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        current["total"],
        1189 - 182,
        "withdrawn ones left out by default"
    );
    let low_id = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"].as_str().unwrap().contains("LOW"))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let low: Value = ciso
        .get(&format!(
            "/api/v1/control-catalogs/{low_id}/controls?limit=1"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(low["total"], 149);

    // Where the ministry stands on AC-2(1), seen with its controls.
    let body_a = app.org_id(BODY_A).await;
    let status = json!({"control_id": ac21["id"], "status": "partial",
        "note": "Comptes désactivés après 90 jours d'inactivité, pas encore automatisé"});
    let set = ciso
        .send_json(
            Method::PUT,
            &format!("/api/v1/organizations/{body_a}/control-status"),
            &status,
        )
        .await;
    assert_eq!(set.status(), 204);
    let with_status: Value = ciso
        .get(&format!(
            "/api/v1/control-catalogs/{catalog_id}/controls?q=AC-2(1)&org_id={body_a}"
        ))
        .await
        .json()
        .await
        .unwrap();
    let row = with_status["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "ac-2.1")
        .unwrap();
    assert_eq!(row["status"], "partial");
    let bad = json!({"control_id": ac21["id"], "status": "fait"});
    let refused = ciso
        .send_json(
            Method::PUT,
            &format!("/api/v1/organizations/{body_a}/control-status"),
            &bad,
        )
        .await;
    assert_eq!(refused.status(), 422);
    // Not for another body, nor by someone who only reads.
    let body_b = app.org_id(BODY_B).await;
    let foreign = ciso
        .send_json(
            Method::PUT,
            &format!("/api/v1/organizations/{body_b}/control-status"),
            &status,
        )
        .await;
    assert_eq!(foreign.status(), 404);
    let foreign_status: Value = ciso
        .get(&format!(
            "/api/v1/control-catalogs/{catalog_id}/controls?org_id={body_b}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(foreign_status["code"], "not_found");
    let user = app.login(USER_A).await;
    assert_eq!(user.get("/api/v1/control-catalogs").await.status(), 403);
    let recorded: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_entries WHERE action = 'control.status'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(recorded, 1);
}

// REQ CTRL-01
#[tokio::test]
async fn faulty_documents_are_named_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY_A).await;
    let before = app.audit_seq().await;

    let broken = import(
        &ciso,
        body_a,
        b"{\"catalog\": {\"uuid\": 3}}".to_vec(),
        None,
    )
    .await;
    assert_eq!(broken.status(), 422);
    let body: Value = broken.json().await.unwrap();
    // The line and column at fault, in French.
    assert!(body.to_string().contains("ligne 1, colonne"), "{body}");
    let neither = import(&ciso, body_a, file("ssp-example.json"), None).await;
    assert_eq!(neither.status(), 422);
    assert!(neither.text().await.unwrap().contains("ni un catalogue"));
    // A profile with no catalog to resolve it against.
    let orphan = import(
        &ciso,
        body_a,
        file("NIST_SP-800-53_rev5_LOW-baseline_profile.json"),
        None,
    )
    .await;
    assert_eq!(orphan.status(), 422);
    // Into another body: its organization is not found.
    let body_b = app.org_id(BODY_B).await;
    let foreign = import(&ciso, body_b, file("basic-catalog.json"), None).await;
    assert_eq!(foreign.status(), 422);
    assert!(foreign.text().await.unwrap().contains("org_id"));
    assert_eq!(app.audit_seq().await, before);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM controls")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);

    // A different document under an identifier already imported is a conflict.
    assert_eq!(
        import(&ciso, body_a, file("basic-catalog.json"), None)
            .await
            .status(),
        201
    );
    let mut changed: Value = serde_json::from_slice(&file("basic-catalog.json")).unwrap();
    changed["catalog"]["metadata"]["title"] = json!("Titre modifié");
    let conflict = import(&ciso, body_a, serde_json::to_vec(&changed).unwrap(), None).await;
    assert_eq!(conflict.status(), 409);

    // The command line says the same in French and exits non-zero.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(["import", "oscal", "--org", BODY_A])
        .arg(format!("{OSCAL}ssp-example.json"))
        .args(["--database-url", app.url.expose()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ni un catalogue OSCAL"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(["import", "oscal", "--json", "--org", BODY_A])
        .arg(format!("{OSCAL}NIST_SP-800-53_rev5_catalog.json"))
        .args(["--database-url", app.url.expose()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["controls"], 1189);
}

// REQ CTRL-01
#[tokio::test]
async fn controls_protect_assets_and_name_what_treatment_actions_put_in_place() {
    let app = TestApp::spawn().await;
    let gov = app.login(GOV).await;
    let root = app.org_id("cgcd-demo").await;
    let r = import(&gov, root, file("NIST_SP-800-53_rev5_catalog.json"), None).await;
    let catalog = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let ciso = app.login(CSIO_A).await;
    let found: Value = ciso
        .get(&format!(
            "/api/v1/control-catalogs/{catalog}/controls?q=AC-2&limit=50"
        ))
        .await
        .json()
        .await
        .unwrap();
    let ac2 = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "ac-2")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let intranet: i64 = sqlx::query_scalar("SELECT id FROM assets WHERE name = 'Intranet'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let path = format!("/api/v1/assets/{intranet}/controls");
    let link = json!({"control_id": ac2});
    assert_eq!(
        ciso.send_json(Method::POST, &path, &link).await.status(),
        204
    );
    assert_eq!(
        ciso.send_json(Method::POST, &path, &link).await.status(),
        204,
        "once"
    );
    // The ministry records where it stands; the asset's unit inherits that status.
    let body_a = app.org_id(BODY_A).await;
    let set = ciso
        .send_json(
            Method::PUT,
            &format!("/api/v1/organizations/{body_a}/control-status"),
            &json!({"control_id": ac2, "status": "implemented"}),
        )
        .await;
    assert_eq!(set.status(), 204);
    let linked: Value = ciso.get(&path).await.json().await.unwrap();
    assert_eq!(linked.as_array().unwrap().len(), 1);
    assert_eq!(linked[0]["key"], "ac-2");
    assert_eq!(linked[0]["status"], "implemented");
    let unknown = ciso
        .send_json(Method::POST, &path, &json!({"control_id": i64::MAX}))
        .await;
    assert_eq!(unknown.status(), 422);
    // Another body's asset is not found.
    let foreign: i64 =
        sqlx::query_scalar("SELECT id FROM assets WHERE name = 'Dossier clinique informatisé'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        ciso.send_json(
            Method::POST,
            &format!("/api/v1/assets/{foreign}/controls"),
            &link
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        ciso.send_json(Method::DELETE, &path, &link).await.status(),
        204
    );
    assert!(ciso
        .get(&path)
        .await
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .is_empty());

    // With a catalogue serving the ministry, a treatment action names controls it knows.
    let owner = app.person_id(CSIO_A).await;
    let risk = |controls: Value| {
        json!({"org_id": body_a, "title": "Comptes orphelins", "threat": "Ancien employé",
            "vulnerability": "Comptes non désactivés", "owner_id": owner,
            "asset_ids": [intranet], "likelihood": 3, "impact_availability": 1,
            "impact_integrity": 3, "impact_confidentiality": 3, "treatment": "mitigate",
            "residual_likelihood": 1, "residual_impact_availability": 1,
            "residual_impact_integrity": 3, "residual_impact_confidentiality": 3,
            "actions": [{"title": "Revue trimestrielle des comptes", "owner_id": owner,
                "due_on": "2027-03-31", "controls": controls}]})
    };
    let refused = ciso
        .send_json(
            Method::POST,
            "/api/v1/risks",
            &risk(json!(["ac-2", "zz-99"])),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert!(body.to_string().contains("actions.0.controls"), "{body}");
    assert!(body.to_string().contains("error-control-unknown"), "{body}");
    let created = ciso
        .send_json(
            Method::POST,
            "/api/v1/risks",
            &risk(json!(["AC-2", "ac-2.3"])),
        )
        .await;
    assert_eq!(created.status(), 201);
}
