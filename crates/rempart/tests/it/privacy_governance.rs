//! Privacy governance (issue 9), on the engine under test: privacy impact assessments with the
//! committee's opinions and their decision (PRP-02), the inventory of personal-information
//! files with their disposal, and the register of communications (PRP-01).

use reqwest::Method;
use serde_json::{json, Value};

use crate::kit::*;

const COMMITTEE_B: &str = "comite.aiprp@demo.rempart.quebec";

async fn refused(response: reqwest::Response) -> Vec<(String, String)> {
    assert_eq!(response.status(), 422);
    error_fields(&response.json().await.unwrap())
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect()
}

async fn audit_count(app: &TestApp, action: &str, entity: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_entries WHERE action = $1 AND entity_id = $2")
        .bind(action)
        .bind(entity.to_string())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

async fn needed(privacy: &Session) -> Vec<String> {
    let r = privacy.get("/api/v1/privacy-assessments/needed").await;
    assert_eq!(r.status(), 200);
    r.json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}

/// An art. 70.1 assessment of the agency's teleconsultation, decided as approved; its id.
async fn approved_abroad(app: &TestApp, privacy: &Session, committee: &Session) -> i64 {
    let body_b = app.org_id(BODY_B).await;
    let asset = asset_id(app, "Téléconsultation").await;
    let created = privacy
        .send_json(
            Method::POST,
            "/api/v1/privacy-assessments",
            &json!({"org_id": body_b.to_string(), "title": "Téléconsultation infonuagique",
                "trigger": "asset", "asset_id": asset.to_string()}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let today = rempart_web::time::today().to_string();
    let r = committee
        .send_json(
            Method::POST,
            &format!("/api/v1/privacy-assessments/{id}/opinions"),
            &json!({"stage": "outset", "given_on": today, "opinion": "Favorable"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let r = privacy
        .send_json(
            Method::PUT,
            &format!("/api/v1/privacy-assessments/{id}/sections"),
            &full_sections("yes"),
        )
        .await;
    assert_eq!(r.status(), 204);
    let r = privacy
        .send_json(
            Method::POST,
            &format!("/api/v1/privacy-assessments/{id}/decision"),
            &json!({"decision": "approved", "decided_on": today}),
        )
        .await;
    assert_eq!(r.status(), 204);
    id
}

async fn opinion(who: &Session, id: i64, stage: &str) -> reqwest::Response {
    let body = json!({"stage": stage, "given_on": rempart_web::time::today().to_string(),
        "opinion": "Avis favorable sous réserve du chiffrement",
        "measures": "Chiffrer les enregistrements"});
    who.send_json(
        Method::POST,
        &format!("/api/v1/privacy-assessments/{id}/opinions"),
        &body,
    )
    .await
}

async fn sections(who: &Session, id: i64, body: Value) -> reqwest::Response {
    who.send_json(
        Method::PUT,
        &format!("/api/v1/privacy-assessments/{id}/sections"),
        &body,
    )
    .await
}

fn full_sections(adequate: &str) -> Value {
    json!({
        "sensitivity": "high",
        "purposes": "Consultations médicales à distance",
        "quantity": "Environ 12 000 usagers par année",
        "distribution": "Direction clinique; fournisseur de la plateforme",
        "medium": "Électronique (vidéo, notes cliniques)",
        "protection_measures": "Chiffrement de bout en bout, MFA, journalisation",
        "contractual_measures": "Clauses de localisation et de notification des incidents",
        "jurisdiction": "Ontario",
        "jurisdiction_framework": "LPRPDE et loi ontarienne sur les renseignements de santé",
        "adequate": adequate,
        "written_agreement": "Entente AFS-2026-014",
    })
}

// REQ PRP-02: an assessment is required of an asset holding personal information outside
// Québec (flagged until one exists), started from it, written section by section along the
// law's factors; the committee gives its opinion from the outset and in order, and only the
// committee; the decision needs that opinion, every section and, outside Québec, adequate
// protection and a written agreement; it closes the assessment; risks and controls are linked;
// every change is in the trail; the security officers do not reach it.
#[tokio::test]
async fn an_assessment_runs_from_the_committee_s_first_opinion_to_its_decision() {
    let app = TestApp::spawn().await;
    let privacy = app.login(PRIVACY_B).await;
    let committee = app.login(COMMITTEE_B).await;
    let body_b = app.org_id(BODY_B).await;
    let today = rempart_web::time::today();

    // The demo assessed the agency's teleconsultation; its recruitment platform, also in an
    // outside cloud with personal information, has none: flagged.
    let flagged = needed(&privacy).await;
    assert!(
        flagged.contains(&"Plateforme de recrutement".to_owned()),
        "{flagged:?}"
    );
    assert!(!flagged.contains(&"Téléconsultation".to_owned()));
    assert_eq!(needed(&committee).await, flagged);
    let total = |who: &Session| {
        let url = who.url("/api/v1/privacy-assessments");
        let client = who.client.clone();
        async move {
            client
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["total"]
                .as_i64()
                .unwrap()
        }
    };
    let before = total(&committee).await;

    // An asset without personal information cannot start one; what is missing is named.
    let network = asset_id(&app, "Réseau clinique").await;
    let r = privacy
        .send_json(
            Method::POST,
            "/api/v1/privacy-assessments",
            &json!({"org_id": body_b.to_string(), "title": "Réseau", "trigger": "asset",
                "asset_id": network.to_string()}),
        )
        .await;
    assert_eq!(
        refused(r).await,
        pairs(&[("asset_id", "error-pia-asset-no-pi")])
    );
    let r = privacy
        .send_json(
            Method::POST,
            "/api/v1/privacy-assessments",
            &json!({"org_id": body_b.to_string(), "title": "", "trigger": "collection"}),
        )
        .await;
    assert_eq!(
        refused(r).await,
        pairs(&[
            ("title", "error-required"),
            ("collection", "error-required")
        ])
    );

    let asset = asset_id(&app, "Plateforme de recrutement").await;
    let created = privacy
        .send_json(
            Method::POST,
            "/api/v1/privacy-assessments",
            &json!({"org_id": body_b.to_string(), "title": "Recrutement infonuagique",
                "trigger": "asset", "asset_id": asset.to_string()}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert!(created["reference"]
        .as_str()
        .unwrap()
        .starts_with(&format!("EFVP-{}-", chrono::Datelike::year(&today))));
    // Under way: no longer flagged.
    assert!(needed(&privacy).await.is_empty());
    assert_eq!(total(&committee).await, before + 1);

    let detail: Value = privacy
        .get(&format!("/api/v1/privacy-assessments/{id}"))
        .await
        .json()
        .await
        .unwrap();
    // The asset is in an outside cloud: art. 70.1's sections are required too.
    assert_eq!(detail["row"]["outside_quebec"], true);
    assert_eq!(detail["asset"]["label"], "Plateforme de recrutement");
    assert_eq!(
        detail["missing"],
        json!([
            "sensitivity",
            "purposes",
            "quantity",
            "distribution",
            "medium",
            "protection_measures",
            "contractual_measures",
            "jurisdiction",
            "jurisdiction_framework",
            "adequate"
        ])
    );

    // No decision before the committee's opinion at the outset.
    let decide = |body: Value| {
        let privacy = &privacy;
        async move {
            privacy
                .send_json(
                    Method::POST,
                    &format!("/api/v1/privacy-assessments/{id}/decision"),
                    &body,
                )
                .await
        }
    };
    let r = decide(
        json!({"decision": "refused", "decided_on": today.to_string(),
        "text": "Trop tôt"}),
    )
    .await;
    assert_eq!(
        refused(r).await,
        pairs(&[("decision", "error-pia-no-opinion")])
    );

    // The committee, and only the committee, gives its opinion: from the outset, in order.
    assert_eq!(opinion(&privacy, id, "outset").await.status(), 403);
    assert_eq!(
        refused(opinion(&committee, id, "design").await).await,
        pairs(&[("stage", "error-pia-outset-first")])
    );
    assert_eq!(opinion(&committee, id, "outset").await.status(), 204);
    assert_eq!(opinion(&committee, id, "development").await.status(), 204);
    assert_eq!(
        refused(opinion(&committee, id, "design").await).await,
        pairs(&[("stage", "error-pia-stage-order")])
    );
    // The committee reads but does not write the sections.
    assert_eq!(
        sections(&committee, id, full_sections("yes"))
            .await
            .status(),
        403
    );

    // An approval names every section still empty.
    let mut partial = full_sections("");
    partial["medium"] = json!("");
    assert_eq!(sections(&privacy, id, partial).await.status(), 204);
    let r = decide(json!({"decision": "approved", "decided_on": today.to_string()})).await;
    assert_eq!(
        refused(r).await,
        pairs(&[
            ("medium", "error-pia-section-missing"),
            ("adequate", "error-pia-section-missing"),
        ])
    );
    // Outside Québec: inadequate protection is never approved (art. 70.1).
    assert_eq!(
        sections(&privacy, id, full_sections("no")).await.status(),
        204
    );
    let r = decide(json!({"decision": "approved", "decided_on": today.to_string()})).await;
    assert_eq!(
        refused(r).await,
        pairs(&[("adequate", "error-pia-inadequate")])
    );
    let bad = sections(&privacy, id, json!({"sensitivity": "extrême"})).await;
    assert_eq!(
        refused(bad).await,
        pairs(&[("sensitivity", "error-choice")])
    );
    assert_eq!(
        sections(&privacy, id, full_sections("yes")).await.status(),
        204
    );

    // Risks and controls it relies on.
    let risk = risk_id(&app, "Attaque sur la console d'IRM non supportée").await;
    let r = privacy
        .send_json(
            Method::POST,
            &format!("/api/v1/privacy-assessments/{id}/risks"),
            &json!({"risk_id": risk}),
        )
        .await;
    assert_eq!(r.status(), 204);
    // A link made in error is removed, and only an existing one.
    let unlink = |path: String| {
        let privacy = &privacy;
        async move {
            privacy
                .send_json(Method::DELETE, &path, &json!({}))
                .await
                .status()
        }
    };
    assert_eq!(
        unlink(format!("/api/v1/privacy-assessments/{id}/risks/{risk}")).await,
        204
    );
    assert_eq!(
        unlink(format!("/api/v1/privacy-assessments/{id}/risks/{risk}")).await,
        404
    );
    let r = privacy
        .send_json(
            Method::POST,
            &format!("/api/v1/privacy-assessments/{id}/risks"),
            &json!({"risk_id": risk}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let own_risk = risk_id(&app, "Vol d'identifiants de la messagerie").await;
    let r = privacy
        .send_json(
            Method::POST,
            &format!("/api/v1/privacy-assessments/{id}/risks"),
            &json!({"risk_id": own_risk}),
        )
        .await;
    assert_eq!(refused(r).await, pairs(&[("risk_id", "error-choice")]));
    let catalog: i64 = sqlx::query_scalar(
        "INSERT INTO control_catalogs (org_id, kind, uuid, title, version, oscal_version, \
         controls_count, sha256, document, imported_at) VALUES ($1, 'catalog', \
         'uuid-efvp-test', 'Mesures de test', '1', '1.1.2', 1, 'x', '{}', 0) RETURNING id",
    )
    .bind(body_b)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO controls (catalog_id, control_key, label, title, class, sort_id, \
         withdrawn, statement, guidance, params_json, depth, position) VALUES ($1, 'ac-2', \
         'AC-2', 'Gestion des comptes', 'SP800-53', 'ac-02', 0, '', '', '[]', 0, 1)",
    )
    .bind(catalog)
    .execute(app.store.pool())
    .await
    .unwrap();
    let link_control = |key: &str| {
        let body = json!({ "control_key": key });
        let privacy = &privacy;
        async move {
            privacy
                .send_json(
                    Method::POST,
                    &format!("/api/v1/privacy-assessments/{id}/controls"),
                    &body,
                )
                .await
        }
    };
    assert_eq!(link_control("AC-2").await.status(), 204);
    assert_eq!(
        refused(link_control("zz-99").await).await,
        pairs(&[("control_key", "error-pia-control-unknown")])
    );

    let r = decide(json!({"decision": "approved_with_conditions",
        "decided_on": today.to_string(), "text": "Journaliser les accès du fournisseur"}))
    .await;
    assert_eq!(r.status(), 204);
    let detail: Value = committee
        .get(&format!("/api/v1/privacy-assessments/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["row"]["decision"], "approved_with_conditions");
    assert_eq!(detail["row"]["opinions"], 2);
    assert_eq!(detail["opinions"][0]["stage"], "outset");
    assert_eq!(detail["risks"][0]["id"], risk);
    assert_eq!(detail["controls"][0]["label"], "AC-2 Gestion des comptes");
    assert_eq!(detail["decided_by"], "Nathalie Pelletier");
    // Decided: it no longer changes.
    let control = detail["controls"][0]["id"].as_i64().unwrap();
    assert_eq!(
        refused(
            privacy
                .send_json(
                    Method::DELETE,
                    &format!("/api/v1/privacy-assessments/{id}/controls/{control}"),
                    &json!({}),
                )
                .await
        )
        .await,
        pairs(&[("decision", "error-pia-decided")])
    );
    assert_eq!(
        refused(sections(&privacy, id, full_sections("yes")).await).await,
        pairs(&[("purposes", "error-pia-decided")])
    );
    assert_eq!(
        refused(opinion(&committee, id, "deployment").await).await,
        pairs(&[("stage", "error-pia-decided")])
    );

    // Every change is in the trail; the sections changed are named, not their words.
    for (action, n) in [
        ("privacy_assessment.create", 1),
        ("privacy_assessment.opinion", 2),
        ("privacy_assessment.sections", 3),
        ("privacy_assessment.link_risk", 2),
        ("privacy_assessment.unlink_risk", 1),
        ("privacy_assessment.link_control", 1),
        ("privacy_assessment.decide", 1),
    ] {
        assert_eq!(audit_count(&app, action, id).await, n, "{action}");
    }
    let words: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE after_json LIKE '%Consultations médicales%'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(words, 0);

    // The security officers and an end user do not reach it.
    let ciso = app.login(CSIO_A).await;
    assert_eq!(ciso.get("/api/v1/privacy-assessments").await.status(), 403);
    assert_eq!(
        ciso.get(&format!("/privacy-assessments/{id}"))
            .await
            .status(),
        403
    );
}

// REQ PRP-02: the pages, without script: the register flags the assets lacking an assessment
// and starts one from them; the page names a fault of each form at its field; the committee's
// form is shown to the committee alone.
#[tokio::test]
async fn the_assessment_pages_work_without_script() {
    let app = TestApp::spawn().await;
    let privacy = app.login(PRIVACY_B).await;
    let committee = app.login(COMMITTEE_B).await;
    let body_b = app.org_id(BODY_B).await.to_string();
    let asset = asset_id(&app, "Plateforme de recrutement").await;

    let html = privacy
        .get("/privacy-assessments")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Actifs qui exigent une EFVP"), "{html}");
    assert!(html.contains(&format!("/privacy-assessments?asset={asset}#h-new")));
    assert!(html.contains("href=\"/privacy-assessments\" aria-current=\"page\""));
    let prefilled = privacy
        .get(&format!("/privacy-assessments?asset={asset}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(prefilled.contains(&format!("<option value=\"{asset}\" selected>")));

    // The asset's own page says it needs one, and starts it.
    let page = privacy
        .get(&format!("/assets/{asset}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("EFVP requise"), "{page}");
    assert!(page.contains(&format!(
        "href=\"/privacy-assessments?asset={asset}#h-new\""
    )));
    // Its holder sees the flag too, without the privacy officer's link.
    let holder_page = app
        .login("detentrice.afs@demo.rempart.quebec")
        .await
        .get(&format!("/assets/{asset}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(holder_page.contains("EFVP requise"), "{holder_page}");
    assert!(!holder_page.contains("/privacy-assessments?asset="));
    let r = privacy
        .post_form(
            "/privacy-assessments",
            &[("org_id", &body_b), ("title", ""), ("trigger", "asset")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#title\""), "{html}");
    assert!(html.contains("href=\"#asset_id\""));

    let r = privacy
        .post_form(
            "/privacy-assessments",
            &[
                ("org_id", &body_b),
                ("title", "Recrutement en ligne"),
                ("trigger", "asset"),
                ("asset_id", &asset.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let url = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(url.starts_with("/privacy-assessments/"), "{url}");
    let html = privacy.get(&url).await.text().await.unwrap();
    assert!(html.contains("Communication à l’extérieur du Québec (art. 70.1)"));
    let page = privacy
        .get(&format!("/assets/{asset}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("EFVP requise"));
    assert!(page.contains("EFVP-"), "the asset names its assessment");
    assert!(
        !html.contains(&format!("action=\"{url}/opinions\"")),
        "the committee's alone"
    );

    // The privacy officer saves a section with a fault: named, and what was typed kept.
    let r = privacy
        .post_form(
            &format!("{url}/sections"),
            &[("sensitivity", "énorme"), ("purposes", "Recruter")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#sensitivity\""));
    assert!(html.contains(">Recruter</textarea>"));

    // The committee sees its form; a first opinion not at the outset is refused at its field.
    let html = committee.get(&url).await.text().await.unwrap();
    assert!(html.contains(&format!("action=\"{url}/opinions\"")));
    assert!(!html.contains(&format!("action=\"{url}/decision\"")));
    let today = rempart_web::time::today().to_string();
    let r = committee
        .post_form(
            &format!("{url}/opinions"),
            &[
                ("stage", "deployment"),
                ("given_on", &today),
                ("opinion", "Avis"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("href=\"#stage\""));
    let r = committee
        .post_form(
            &format!("{url}/opinions"),
            &[
                ("stage", "outset"),
                ("given_on", &today),
                ("opinion", "Avis favorable"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let html = committee.get(&url).await.text().await.unwrap();
    assert!(html.contains("Avis favorable"));
    // A risk linked on the page, then removed there.
    let risk = risk_id(&app, "Attaque sur la console d'IRM non supportée").await;
    let r = privacy
        .post_form(&format!("{url}/risks"), &[("risk_id", &risk.to_string())])
        .await;
    assert_eq!(r.status(), 303);
    let remove = format!("{url}/risks/{risk}/remove");
    let html = privacy.get(&url).await.text().await.unwrap();
    assert!(html.contains(&format!("action=\"{remove}\"")), "{html}");
    assert_eq!(privacy.post_form(&remove, &[]).await.status(), 303);
    let html = privacy.get(&url).await.text().await.unwrap();
    assert!(!html.contains(&format!("action=\"{remove}\"")));
    assert!(html.contains("Aucun risque lié."));

    // A project of the agency starts one too, from the risk indicators' list of projects.
    let project: i64 = sqlx::query_scalar(
        "INSERT INTO projects (org_id, name, description, go_live_on, created_at, updated_at) \
         VALUES ($1, 'Portail des usagers', '', '2027-03-01', 0, 0) RETURNING id",
    )
    .bind(app.org_id(BODY_B).await)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let html = privacy
        .get(&format!("/risks/indicators?org_id={body_b}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!(
            "href=\"/privacy-assessments?project={project}#h-new\""
        )),
        "{html}"
    );
    let r = privacy
        .post_form(
            "/privacy-assessments",
            &[
                ("org_id", &body_b),
                ("title", "Portail des usagers"),
                ("trigger", "project"),
                ("project_id", &project.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let started = r.headers()["location"].to_str().unwrap().to_owned();
    let html = privacy.get(&started).await.text().await.unwrap();
    assert!(html.contains("Projet de système ou de prestation électronique — Portail des usagers"));
    // English too.
    let html = app
        .login(PRIVACY_B)
        .await
        .get(&format!("{url}?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Recrutement en ligne"));
}

// REQ PRP-01: a file's retention gives the day its information is due for destruction; it is
// listed as overdue once past; nothing is destroyed before, by a method that does not fit the
// rule, or twice; a disposed file is closed. The register of communications: one outside
// Québec needs an approved art. 70.1 assessment; none from a file after its destruction.
#[tokio::test]
async fn files_are_destroyed_on_their_schedule_and_communications_registered() {
    let app = TestApp::spawn().await;
    let privacy = app.login(PRIVACY_B).await;
    let committee = app.login(COMMITTEE_B).await;
    let body_b = app.org_id(BODY_B).await.to_string();
    let clinical = asset_id(&app, "Dossier clinique informatisé").await;
    let file = json!({
        "org_id": body_b,
        "name": "Dossiers des usagers du programme de dépistage",
        "purpose": "Suivre les usagers dépistés",
        "categories": "Identité\nRésultats de dépistage",
        "sensitivity": "high",
        "holders": "Direction clinique",
        "asset_id": clinical.to_string(),
        "retention_rule": "Règle 3210 — dossiers de dépistage",
        "retention_years": "5",
        "end_action": "destroy",
        "purposes_achieved_on": "2020-03-31",
    });
    let r = privacy
        .send_json(Method::POST, "/api/v1/personal-info-files", &file)
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // The committee reads the inventory; it does not keep it.
    assert_eq!(
        committee
            .send_json(Method::POST, "/api/v1/personal-info-files", &file)
            .await
            .status(),
        403
    );
    let again = privacy
        .send_json(Method::POST, "/api/v1/personal-info-files", &file)
        .await;
    assert_eq!(again.status(), 409);
    let mut bad = file.clone();
    bad["retention_years"] = json!("cent");
    bad["end_action"] = json!("brûler");
    assert_eq!(
        refused(
            privacy
                .send_json(Method::POST, "/api/v1/personal-info-files", &bad)
                .await
        )
        .await,
        pairs(&[
            ("retention_years", "error-count"),
            ("end_action", "error-choice")
        ])
    );

    // Due 31 March 2025: overdue, listed among those due.
    let due: Value = committee
        .get("/api/v1/personal-info-files?due=true")
        .await
        .json()
        .await
        .unwrap();
    let ours = due["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .cloned()
        .unwrap();
    assert_eq!(ours["disposal_due"], "2025-03-31");
    assert_eq!(ours["overdue"], true);
    // The demo's lapsed applications are due too; files whose purposes run are not.
    let due_names: Vec<&str> = due["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        due_names,
        vec![
            "Candidatures non retenues",
            "Dossiers des usagers du programme de dépistage"
        ]
    );
    let html = privacy
        .get("/personal-info-files")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("2 fichiers doivent être détruits ou anonymisés."),
        "{html}"
    );

    // The daily job tells the agency's privacy officer once of each file due.
    let remind = || async {
        let mut w = app
            .store
            .write(rempart_storage::AuditContext::system("planificateur"))
            .await
            .unwrap();
        let n = rempart_storage::personal_info_files::disposal_reminders(
            &mut w,
            &rempart_storage::inbox::Notifier {
                wording: &rempart_web::gmvi::Words,
                email: false,
            },
            rempart_web::time::today(),
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        n
    };
    assert_eq!(remind().await, 2);
    assert_eq!(remind().await, 0, "once per due date");
    let subjects: Vec<String> = sqlx::query_scalar(
        "SELECT n.subject FROM notifications n JOIN persons p ON p.id = n.person_id \
         WHERE p.email = $1 AND n.kind = 'pif-disposal-due' ORDER BY n.id",
    )
    .bind(PRIVACY_B)
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(subjects.len(), 2);
    assert!(
        subjects[1].contains("Fichier à détruire") && subjects[1].contains("dépistage"),
        "{subjects:?}"
    );
    assert_eq!(
        audit_count(&app, "personal_info_file.disposal_due", id).await,
        1
    );

    let dispose = |body: Value| {
        let privacy = &privacy;
        async move {
            privacy
                .send_json(
                    Method::POST,
                    &format!("/api/v1/personal-info-files/{id}/disposal"),
                    &body,
                )
                .await
        }
    };
    assert_eq!(
        refused(dispose(json!({"done_on": "2025-03-30", "method": "shredding"})).await).await,
        pairs(&[("done_on", "error-pif-retention-running")])
    );
    assert_eq!(
        refused(dispose(json!({"done_on": "2025-04-02", "method": "anonymization"})).await).await,
        pairs(&[("method", "error-pif-method"), ("notes", "error-required")])
    );
    assert_eq!(
        dispose(json!({"done_on": "2025-04-02", "method": "secure_erasure",
            "notes": "Certificat 2025-117"}))
        .await
        .status(),
        204
    );
    assert_eq!(
        refused(dispose(json!({"done_on": "2025-04-03", "method": "shredding"})).await).await,
        pairs(&[("method", "error-pif-disposed")])
    );
    let mut edit = file.clone();
    edit["name"] = json!("Autre nom");
    assert_eq!(
        refused(
            privacy
                .send_json(
                    Method::PUT,
                    &format!("/api/v1/personal-info-files/{id}"),
                    &edit
                )
                .await
        )
        .await,
        pairs(&[("name", "error-pif-disposed")])
    );
    let detail: Value = committee
        .get(&format!("/api/v1/personal-info-files/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["row"]["status"], "destroyed");
    assert_eq!(detail["row"]["overdue"], false);
    assert_eq!(detail["disposal_method"], "secure_erasure");
    assert_eq!(detail["disposed_by"], "Nathalie Pelletier");
    assert_eq!(audit_count(&app, "personal_info_file.dispose", id).await, 1);

    // The register of communications.
    let record = |body: Value| {
        let privacy = &privacy;
        async move {
            privacy
                .send_json(Method::POST, "/api/v1/pi-communications", &body)
                .await
        }
    };
    let communication = json!({
        "org_id": body_b,
        "communicated_on": "2025-02-10",
        "nature": "Nom, numéro d'assurance maladie, résultats",
        "recipient": "Institut national de santé publique du Québec",
        "purpose": "Surveillance épidémiologique",
        "reason": "Art. 67 de la Loi sur l'accès",
        "file_id": id.to_string(),
    });
    assert_eq!(record(communication.clone()).await.status(), 201);
    let mut late = communication.clone();
    late["communicated_on"] = json!("2025-05-01");
    assert_eq!(
        refused(record(late).await).await,
        pairs(&[("communicated_on", "error-pif-after-disposal")])
    );
    let abroad = json!({
        "org_id": body_b,
        "communicated_on": rempart_web::time::today().to_string(),
        "nature": "Vidéo et notes de consultation",
        "recipient": "Fournisseur de téléconsultation (Ontario)",
        "purpose": "Hébergement de la plateforme",
        "reason": "Contrat de service, art. 70.1",
        "outside_quebec": true,
    });
    assert_eq!(
        refused(record(abroad.clone()).await).await,
        pairs(&[("assessment_id", "error-pif-assessment-needed")])
    );
    // An assessment still open is not enough.
    let open = privacy
        .send_json(
            Method::POST,
            "/api/v1/privacy-assessments",
            &json!({"org_id": body_b, "title": "Sondage", "trigger": "collection",
                "collection": "Sondage de satisfaction des usagers"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let mut with_open = abroad.clone();
    with_open["assessment_id"] = json!(open.to_string());
    assert_eq!(
        refused(record(with_open).await).await,
        pairs(&[("assessment_id", "error-pif-assessment-not-approved")])
    );
    let approved = approved_abroad(&app, &privacy, &committee).await;
    let mut with_approved = abroad.clone();
    with_approved["assessment_id"] = json!(approved.to_string());
    assert_eq!(record(with_approved).await.status(), 201);

    let register: Value = committee
        .get("/api/v1/pi-communications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(register["total"], 4, "the demo's two and these two");
    assert_eq!(register["items"][0]["outside_quebec"], true);
    assert_eq!(register["items"][0]["assessment_id"], approved);
    let html = committee.get("/communications").await.text().await.unwrap();
    assert!(html.contains("Institut national de santé publique du Québec"));
    assert!(
        !html.contains("action=\"/communications\""),
        "the committee only reads"
    );
    let html = privacy.get("/communications").await.text().await.unwrap();
    assert!(html.contains("action=\"/communications\""));
    // The page names a fault at its field.
    let r = privacy
        .post_form(
            "/communications",
            &[("org_id", &body_b), ("communicated_on", "demain")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#communicated_on\""));
    assert!(html.contains("href=\"#recipient\""));
    let html = privacy
        .get(&format!("/personal-info-files/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Effacement sécuritaire"), "{html}");
    assert!(
        !html.contains("action=\"/personal-info-files/"),
        "a destroyed file is closed"
    );
    let ciso = app.login(CSIO_A).await;
    assert_eq!(ciso.get("/api/v1/personal-info-files").await.status(), 403);
    assert_eq!(ciso.get("/communications").await.status(), 403);
}
