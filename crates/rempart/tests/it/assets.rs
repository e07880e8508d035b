//! The inventory and the authority register end to end (ASSET-01, ASSET-02, REG-01, REG-02),
//! on the demo's inventory: who may classify, the flags, dependencies and their cycles, the
//! register's vacancies, history and incompatible roles, the view up the tree.

use axum::http::Method;
use serde_json::{json, Value};

use crate::kit::*;

const HOLDER_FIN: &str = "detentrice.finances@demo.rempart.quebec";
const COCD: &str = "cocd-capitale-demo";

async fn flags_of(session: &Session, id: i64) -> Vec<String> {
    let detail: Value = session
        .get(&format!("/api/v1/assets/{id}"))
        .await
        .json()
        .await
        .unwrap();
    detail["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["flag"].as_str().unwrap().to_owned())
        .collect()
}

// REQ ASSET-02
#[tokio::test]
async fn only_the_holder_classifies_and_every_classification_is_kept() {
    let app = TestApp::spawn().await;
    let paie = asset_id(&app, "Système de paie").await;
    let dic = json!({"availability": 2, "integrity": 3, "confidentiality": 3,
        "justification": "Paie : intégrité critique"});
    let path = format!("/api/v1/assets/{paie}/classification");

    // The CISO keeps the inventory but does not classify.
    let ciso = app.login(CSIO_A).await;
    assert_eq!(
        ciso.send_json(Method::POST, &path, &dic).await.status(),
        403
    );
    // Another unit's holder does not even see it to classify.
    let holder_ti = app.login(HOLDER_A).await;
    assert_eq!(
        holder_ti
            .send_json(Method::POST, &path, &dic)
            .await
            .status(),
        404
    );
    // A second holder of the same unit reaches it, but it is not theirs.
    let grant = ciso
        .send_json(
            Method::POST,
            "/api/v1/grants",
            &json!({"person_id": app.person_id(HOLDER_A).await,
                "org_id": app.org_id("mfr-direction-des-finances").await, "role": "Holder",
                "act_reference": "Décision DG-2026-031"}),
        )
        .await;
    assert_eq!(grant.status(), 201);
    let holder_ti = app.login(HOLDER_A).await;
    let refused = holder_ti.send_json(Method::POST, &path, &dic).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        error_fields(&refused.json().await.unwrap()),
        [("holder_id".to_owned(), "error-not-holder".to_owned())]
    );
    // Levels outside the scale are refused, each named.
    let holder = app.login(HOLDER_FIN).await;
    let bad = holder
        .send_json(
            Method::POST,
            &path,
            &json!({"availability": 4, "integrity": 0, "confidentiality": 3}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let fields: Vec<String> = error_fields(&bad.json().await.unwrap())
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(fields, ["availability", "integrity"]);
    // The holder classifies; the history keeps both classifications, newest first.
    assert_eq!(
        holder.send_json(Method::POST, &path, &dic).await.status(),
        204
    );
    let history: Value = holder
        .get(&format!("/api/v1/assets/{paie}/classifications"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[0]["availability"], 2);
    assert_eq!(history[0]["justification"], "Paie : intégrité critique");
    assert_eq!(history[1]["availability"], 3);
    let detail: Value = holder
        .get(&format!("/api/v1/assets/{paie}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["availability"], 2);
    let classified_on = detail["classified_on"].as_str().unwrap();
    let due = detail["review_due"].as_str().unwrap();
    assert_eq!(
        &due[..4],
        &(classified_on[..4].parse::<i32>().unwrap() + 1).to_string()
    );
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'asset.classify' AND entity_id = $1",
    )
    .bind(paie.to_string())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(logged, 2);
    // The page offers the form to the holder only.
    let page = holder
        .get(&format!("/assets/{paie}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("action=\"/assets/{paie}/classification\"")));
    let page = ciso
        .get(&format!("/assets/{paie}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains(&format!("action=\"/assets/{paie}/classification\"")));
    assert!(page.contains("Seul le détenteur de l&#39;actif le classifie."));
}

// REQ ASSET-02
#[tokio::test]
async fn flags_show_what_needs_attention_on_both_sides_of_a_dependency() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    // The payroll (3/3/3) runs on the legacy servers (2/2/2): both are warned.
    let paie = asset_id(&app, "Système de paie").await;
    let legacy = asset_id(&app, "Serveurs Windows 2012 R2 hérités").await;
    let paie_flags = flags_of(&ciso, paie).await;
    assert!(
        paie_flags.contains(&"component_lower".to_owned()),
        "{paie_flags:?}"
    );
    let legacy_flags = flags_of(&ciso, legacy).await;
    for expected in [
        "lower_than_dependent",
        "review_overdue",
        "past_end_of_support",
    ] {
        assert!(
            legacy_flags.contains(&expected.to_owned()),
            "{legacy_flags:?}"
        );
    }
    let detail: Value = ciso
        .get(&format!("/api/v1/assets/{paie}"))
        .await
        .json()
        .await
        .unwrap();
    let lower = detail["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flag"] == "component_lower" && f["component"] == legacy)
        .unwrap();
    assert_eq!(
        lower["objectives"],
        json!(["availability", "integrity", "confidentiality"])
    );
    // Never classified; hosted outside Québec.
    let budget = asset_id(&app, "Outil d'analyse budgétaire infonuagique").await;
    let budget_flags = flags_of(&ciso, budget).await;
    assert_eq!(budget_flags, ["unclassified", "outside_quebec_needs_pia"]);
    // The page says it in words.
    let page = ciso
        .get(&format!("/assets/{paie}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Repose sur un actif classifié plus bas : Serveurs Windows 2012 R2 hérités.")
    );
    // The list filters by flag.
    let list: Value = ciso
        .get("/api/v1/assets?flag=unclassified&limit=100")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Formulaires papier reçus",
            "Outil d'analyse budgétaire infonuagique",
            "Système de gestion des billets de soutien"
        ]
    );
    // A holder whose designation ends leaves their assets without a holder.
    let grant: i64 = sqlx::query_scalar(
        "SELECT g.id FROM role_grants g JOIN persons p ON p.id = g.person_id WHERE p.email = $1",
    )
    .bind(HOLDER_FIN)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        ciso.send_json(
            Method::DELETE,
            &format!("/api/v1/grants/{grant}"),
            &json!({})
        )
        .await
        .status(),
        204
    );
    assert!(flags_of(&ciso, paie)
        .await
        .contains(&"no_holder".to_owned()));
    let without: Value = ciso
        .get("/api/v1/assets?flag=without_holder&limit=100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(without["total"], 6);
    // An unknown flag is named.
    let bad = ciso.get("/api/v1/assets?flag=rouge").await;
    assert_eq!(bad.status(), 422);
    assert_eq!(
        error_fields(&bad.json().await.unwrap()),
        [("flag".to_owned(), "error-choice".to_owned())]
    );
}

// REQ ASSET-01
#[tokio::test]
async fn assets_are_checked_and_their_dependencies_never_close_a_cycle() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let unit = app.org_id(UNIT_A).await;
    let holder = app.person_id(HOLDER_A).await;
    // Every fault at once, each named; nothing written.
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assets")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let bad = ciso
        .send_json(
            Method::POST,
            "/api/v1/assets",
            &json!({"org_id": unit, "kind": "serveur", "name": "", "holder_id": app.person_id(USER_A).await,
                "hosting": "external_cloud", "end_of_support": "2026-02-30",
                "identifiers": ["srv-ok", "pas valide!"]}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let fields: Vec<String> = error_fields(&bad.json().await.unwrap())
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(
        fields,
        [
            "kind",
            "end_of_support",
            "identifiers",
            "name",
            "hosting_provider"
        ]
    );
    // A holder not designated in the unit is refused.
    let not_holder = ciso
        .send_json(
            Method::POST,
            "/api/v1/assets",
            &json!({"org_id": unit, "kind": "information_system", "name": "Nouveau",
                "holder_id": app.person_id(USER_A).await, "hosting": "own_data_centre"}),
        )
        .await;
    assert_eq!(not_holder.status(), 422);
    assert_eq!(
        error_fields(&not_holder.json().await.unwrap()),
        [(
            "holder_id".to_owned(),
            "error-holder-not-designated".to_owned()
        )]
    );
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assets")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(before, after);

    // A new asset, identifiers normalized; a duplicate name in the unit is a conflict.
    let body = json!({"org_id": unit, "kind": "information_system", "name": "Registre des contrats",
        "holder_id": holder, "hosting": "own_data_centre",
        "identifiers": ["Contrats.MFR.demo.gouv.qc.ca", "10.10.40.7/24"]});
    let created = ciso.send_json(Method::POST, "/api/v1/assets", &body).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let contracts = created["id"].as_i64().unwrap();
    let detail: Value = ciso
        .get(&format!("/api/v1/assets/{contracts}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["identifiers"],
        json!([
            "fqdn:contrats.mfr.demo.gouv.qc.ca",
            "ip_range:10.10.40.0/24"
        ])
    );
    assert_eq!(
        ciso.send_json(Method::POST, "/api/v1/assets", &body)
            .await
            .status(),
        409
    );

    // Dependencies: contracts → intranet → legacy servers; legacy → contracts would close a
    // cycle through two others, and an asset never runs on itself.
    let intranet = asset_id(&app, "Intranet").await;
    let legacy = asset_id(&app, "Serveurs Windows 2012 R2 hérités").await;
    let add = |from: i64, to: i64| {
        let ciso = &ciso;
        async move {
            ciso.send_json(
                Method::POST,
                &format!("/api/v1/assets/{from}/dependencies"),
                &json!({"depends_on_id": to}),
            )
            .await
        }
    };
    assert_eq!(add(contracts, intranet).await.status(), 204);
    let cycle = add(legacy, contracts).await;
    assert_eq!(cycle.status(), 422);
    assert_eq!(
        error_fields(&cycle.json().await.unwrap()),
        [(
            "depends_on_id".to_owned(),
            "error-dependency-cycle".to_owned()
        )]
    );
    let own = add(contracts, contracts).await;
    assert_eq!(
        error_fields(&own.json().await.unwrap()),
        [(
            "depends_on_id".to_owned(),
            "error-dependency-self".to_owned()
        )]
    );
    // Another body's asset is not found, as if it did not exist.
    let foreign = asset_id(&app, "Dossier clinique informatisé").await;
    assert_eq!(
        error_fields(&add(contracts, foreign).await.json().await.unwrap()),
        [("depends_on_id".to_owned(), "error-not-found".to_owned())]
    );
    // The same from the page, without JavaScript: the error is shown on the asset's page.
    let page = ciso
        .post_form(
            &format!("/assets/{legacy}/dependencies"),
            &[("depends_on_id", &contracts.to_string())],
        )
        .await;
    assert_eq!(page.status(), 422);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("la dépendance formerait un cycle"));
    // Removing the link makes the other direction possible.
    let removed = ciso
        .send_json(
            Method::DELETE,
            &format!("/api/v1/assets/{contracts}/dependencies?depends_on_id={intranet}"),
            &json!({}),
        )
        .await;
    assert_eq!(removed.status(), 204);
    assert_eq!(add(legacy, contracts).await.status(), 204);

    // A stale version is refused; the right one replaces the asset.
    let mut replacement = body.clone();
    replacement["name"] = json!("Registre des contrats publics");
    replacement["version"] = json!(created["version"].as_i64().unwrap() - 1);
    let stale = ciso
        .send_json(
            Method::PUT,
            &format!("/api/v1/assets/{contracts}"),
            &replacement,
        )
        .await;
    assert_eq!(stale.status(), 409);
    replacement["version"] = created["version"].clone();
    let replaced = ciso
        .send_json(
            Method::PUT,
            &format!("/api/v1/assets/{contracts}"),
            &replacement,
        )
        .await;
    assert_eq!(replaced.status(), 200);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_entries WHERE entity_type = 'asset' AND entity_id = $1 ORDER BY seq",
    )
    .bind(contracts.to_string())
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "asset.create",
            "asset.dependency_add",
            "asset.dependency_remove",
            "asset.update"
        ]
    );
    let page = ciso
        .get(&format!("/assets/{contracts}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Registre des contrats publics"));
    assert!(page.contains("<code>asset.update</code>"));
}

// REQ REG-01
// REQ REG-02
// REQ AUTHZ-02
#[tokio::test]
async fn the_register_shows_vacancies_history_and_incompatible_roles() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY_A).await;
    let register = |history: bool| {
        let ciso = &ciso;
        async move {
            ciso.get(&format!(
                "/api/v1/register?org_id={body_a}&history={history}"
            ))
            .await
            .json::<Value>()
            .await
            .unwrap()
        }
    };
    let now = register(false).await;
    assert_eq!(
        now["vacancies"],
        json!([{"org_id": body_a, "org_name": "Ministère fictif des Ressources",
            "vacant": ["CyberdefenceLead", "PrivacyOfficer"]}])
    );
    assert!(now["conflicts"].as_array().unwrap().is_empty());
    let holders = now["holders"].as_array().unwrap();
    let morin = holders
        .iter()
        .find(|h| h["person_name"] == "Isabelle Morin")
        .unwrap();
    assert_eq!(morin["assets"], 13);

    // A privacy officer designated by an act fills a vacancy; the auditor's role given to
    // the CSIO is incompatible with it and flagged.
    let user = app.person_id(USER_A).await;
    let csio = app.person_id(CSIO_A).await;
    let admin = app.login(ADMIN).await;
    for (person, role, act) in [
        (user, "PrivacyOfficer", "=HYPERLINK(\"http://x\")"),
        (csio, "Auditor", "Décision DG-2026-040"),
    ] {
        let r = admin
            .send_json(
                Method::POST,
                "/api/v1/grants",
                &json!({"person_id": person, "org_id": body_a, "role": role,
                    "act_reference": act, "valid_from": "2026-01-01", "valid_until": "2027-12-31"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{role}");
    }
    let backwards = admin
        .send_json(
            Method::POST,
            "/api/v1/grants",
            &json!({"person_id": user, "org_id": body_a, "role": "Manager",
                "valid_from": "2027-01-01", "valid_until": "2026-01-01"}),
        )
        .await;
    assert_eq!(
        error_fields(&backwards.json().await.unwrap()),
        [(
            "valid_until".to_owned(),
            "error-until-before-from".to_owned()
        )]
    );
    let ciso = app.login(CSIO_A).await;
    let now: Value = ciso
        .get(&format!("/api/v1/register?org_id={body_a}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["vacancies"][0]["vacant"], json!(["CyberdefenceLead"]));
    assert_eq!(
        now["conflicts"],
        json!([{"person_id": csio, "person_name": "Samuel Bouchard", "org_id": body_a,
            "org_name": "Ministère fictif des Ressources", "roles": ["Auditor", "Ciso"]}])
    );
    let privacy = now["designations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["role"] == "PrivacyOfficer")
        .unwrap()
        .clone();
    assert_eq!(privacy["valid_from"], "2026-01-01");
    assert_eq!(privacy["valid_until"], "2027-12-31");

    // The CSV export neutralizes what a spreadsheet would run.
    let csv = ciso.get(&format!("/register.csv?org_id={body_a}")).await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
    assert!(text.contains("Responsable de la protection des renseignements personnels"));

    // The PDF carries the same register, readable by a real reader (poppler's pdftotext).
    let pdf = ciso.get(&format!("/register.pdf?org_id={body_a}")).await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7"));
    let text = pdf_text(&bytes);
    assert!(text.contains("Registre d'autorité"), "{text}");
    assert!(text.contains("Rôles obligatoires vacants"), "{text}");
    assert!(
        text.contains("Responsable opérationnel de cyberdéfense"),
        "{text}"
    );
    assert!(text.contains("Décision DG-2026-040"), "{text}");
    assert!(text.contains("2027-12-31"), "{text}");
    assert!(text.contains("Page 1 de 2"), "{text}");
    // Another body's register is not found, as on the page.
    let body_b = app.org_id(BODY_B).await;
    let other = ciso.get(&format!("/register.pdf?org_id={body_b}")).await;
    assert_eq!(other.status(), 404);

    // Revoked, the designation ends but stays in the history.
    let grant: i64 = sqlx::query_scalar(
        "SELECT id FROM role_grants WHERE person_id = $1 AND role = 'PrivacyOfficer'",
    )
    .bind(user)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let admin = app.login(ADMIN).await;
    assert_eq!(
        admin
            .send_json(
                Method::DELETE,
                &format!("/api/v1/grants/{grant}"),
                &json!({})
            )
            .await
            .status(),
        204
    );
    let ciso = app.login(CSIO_A).await;
    let current: Value = ciso
        .get(&format!("/api/v1/register?org_id={body_a}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(!current["designations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["role"] == "PrivacyOfficer"));
    let history: Value = ciso
        .get(&format!("/api/v1/register?org_id={body_a}&history=true"))
        .await
        .json()
        .await
        .unwrap();
    let ended = history["designations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["role"] == "PrivacyOfficer")
        .unwrap()
        .clone();
    assert!(ended["ended_at"].is_i64());
    assert_eq!(ended["act_reference"], "=HYPERLINK(\"http://x\")");

    // The page, printable, in French.
    let page = ciso
        .get(&format!("/register?org_id={body_a}&history=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Rôles obligatoires vacants"));
    assert!(page.contains("Terminée"));
    assert!(page.contains("Samuel Bouchard (Ministère fictif des Ressources) : "));
    // Another branch's register is not found.
    let body_b = app.org_id(BODY_B).await;
    assert_eq!(
        ciso.get(&format!("/api/v1/register?org_id={body_b}"))
            .await
            .status(),
        404
    );
}

// REQ ASSET-01
// REQ ASSET-02
#[tokio::test]
async fn an_operational_centre_sees_its_bodies_inventories() {
    let app = TestApp::spawn().await;
    let rocd = app.login("rocd@demo.rempart.quebec").await;
    let cocd = app.org_id(COCD).await;
    let counts: Value = rocd
        .get(&format!("/api/v1/assets/consolidated?org_id={cocd}"))
        .await
        .json()
        .await
        .unwrap();
    let counts: Vec<(String, i64, i64, i64, i64, i64)> = counts
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["org_name"].as_str().unwrap().to_owned(),
                b["assets"].as_i64().unwrap(),
                b["unclassified"].as_i64().unwrap(),
                b["review_overdue"].as_i64().unwrap(),
                b["without_holder"].as_i64().unwrap(),
                b["past_end_of_support"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("Agence fictive de la santé".to_owned(), 18, 2, 2, 0, 3),
            ("Ministère fictif des Ressources".to_owned(), 24, 3, 2, 0, 1),
        ]
    );
    // The view is kept while nothing changes, and follows every change: a classification
    // by a holder shows at once.
    let budget = asset_id(&app, "Outil d'analyse budgétaire infonuagique").await;
    let holder = app.login(HOLDER_FIN).await;
    assert_eq!(
        holder
            .send_json(
                Method::POST,
                &format!("/api/v1/assets/{budget}/classification"),
                &json!({"availability": 1, "integrity": 2, "confidentiality": 2}),
            )
            .await
            .status(),
        204
    );
    let after: Value = rocd
        .get(&format!("/api/v1/assets/consolidated?org_id={cocd}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after[1]["org_name"], "Ministère fictif des Ressources");
    assert_eq!(after[1]["unclassified"], 2);
    let page = rocd.get("/assets/overview").await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Inventaires des organismes"));
    assert!(page.contains("<td>42</td>"), "total of both bodies");
    assert!(page.contains("<td>4</td>"), "unclassified: 2 + 2");
    // Changes to a few bodies' assets have only those bodies' rows computed again; sign-ins
    // change nothing counted; a grant has the view computed whole. Each answer is the same as
    // the view computed afresh.
    async fn view(who: &Session, cocd: i64) -> Value {
        let url = format!("/api/v1/assets/consolidated?org_id={cocd}");
        who.get(&url).await.json::<Value>().await.unwrap()
    }
    let before = app.store.view_counts();
    let ciso = app.login(CSIO_A).await;

    assert_eq!(
        ciso.send_json(
            Method::POST,
            &format!("/api/v1/assets/{budget}/archive"),
            &json!({})
        )
        .await
        .status(),
        204
    );
    let patched = view(&rocd, cocd).await;
    assert_eq!(patched[1]["assets"], 23);
    assert_eq!(patched[1]["unclassified"], 2);
    assert_eq!(patched[0], after[0], "the other body's row is kept");
    let counts = app.store.view_counts();
    assert_eq!(counts.patched, before.patched + 1);
    assert_eq!(counts.computed, before.computed);
    app.store.clear_views();
    assert_eq!(patched, view(&rocd, cocd).await, "as computed afresh");
    view(&rocd, cocd).await;
    let _ = app.login(HOLDER_FIN).await;
    assert_eq!(view(&rocd, cocd).await, patched);
    let counts = app.store.view_counts();
    assert_eq!(counts.patched, before.patched + 2, "{counts:?}");
    assert_eq!(counts.computed, before.computed + 1, "only the one afresh");
    let grant = ciso
        .send_json(
            Method::POST,
            "/api/v1/grants",
            &json!({"person_id": app.person_id(HOLDER_A).await,
                "org_id": app.org_id("mfr-direction-des-finances").await, "role": "Holder"}),
        )
        .await;
    assert_eq!(grant.status(), 201);
    let whole = view(&rocd, cocd).await;
    assert_eq!(app.store.view_counts().computed, counts.computed + 1);
    app.store.clear_views();
    assert_eq!(whole, view(&rocd, cocd).await);
    // A body's CISO sees only its own.
    let ciso = app.login(CSIO_A).await;
    let own: Value = ciso
        .get(&format!(
            "/api/v1/assets/consolidated?org_id={}",
            app.org_id(BODY_A).await
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own.as_array().unwrap().len(), 1);
    // The centre above is not theirs to look from.
    assert_eq!(
        ciso.get(&format!("/api/v1/assets/consolidated?org_id={cocd}"))
            .await
            .status(),
        404
    );
    // The lists page filters without JavaScript.
    let list = ciso
        .get("/assets?flag=past_end_of_support")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("Serveurs Windows 2012 R2 hérités"));
    assert!(!list.contains("Intranet</a>"));
}

fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(args)
        .args(["--database-url", app.url.expose()])
        .output()
        .unwrap()
}

async fn asset_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM assets")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

// REQ ASSET-03
#[tokio::test]
async fn an_export_imports_back_unchanged_in_csv_and_xlsx() {
    let app = TestApp::spawn().await;
    let dir = std::env::temp_dir().join(format!("rempart-inventory-{}", app.audit_seq().await));
    std::fs::create_dir_all(&dir).unwrap();
    let trail = app.audit_seq().await;
    for format in ["csv", "xlsx"] {
        let file = dir.join(format!("mfr.{format}"));
        let file = file.to_str().unwrap();
        let out = cli(
            &app,
            &[
                "export", "assets", "--org", BODY_A, "--format", format, file,
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = cli(&app, &["import", "assets", "--org", BODY_A, "--json", file]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            (
                summary["created"].as_i64(),
                summary["updated"].as_i64(),
                summary["unchanged"].as_i64()
            ),
            (Some(0), Some(0), Some(24)),
            "{format}: {summary}"
        );
    }
    // Nothing changed, so nothing was written to the trail.
    assert_eq!(app.audit_seq().await, trail);
    // The CSV is for French spreadsheets: BOM, `;`, French headers and labels.
    let csv = std::fs::read_to_string(dir.join("mfr.csv")).unwrap();
    assert!(
        csv.starts_with("\u{feff}unité;nom;type;détenteur;"),
        "{}",
        &csv[..80]
    );
    assert!(csv.contains("mfr-direction-des-finances;Système de paie;système d'information;detentrice.finances@demo.rempart.quebec"));
}

// REQ ASSET-03
#[tokio::test]
async fn a_faulty_file_writes_nothing_and_names_every_faulty_row() {
    let app = TestApp::spawn().await;
    let dir = std::env::temp_dir().join(format!("rempart-import-{}", app.audit_seq().await));
    std::fs::create_dir_all(&dir).unwrap();
    let before = asset_count(&app).await;
    // Windows-1252, `;`, French labels, a formula typed as a name; line 3 names a holder not
    // designated in the unit, line 4 a unit outside the organization, line 5 repeats line 2.
    let text = "unité;nom;type;détenteur;hébergement;hors Québec;identifiants\r\n\
        mfr-direction-des-ti;=Serveur de fichiers;infrastructure technologique;detenteur@demo.rempart.quebec;centre de traitement de l'organisation;non;fichiers.mfr.demo.gouv.qc.ca\r\n\
        mfr-direction-des-ti;Téléphonie IP;réseau de télécommunication;utilisateur@demo.rempart.quebec;centre de traitement de l'organisation;non;\r\n\
        afs-direction-des-ti;Intrus;système d'information;detentrice.afs@demo.rempart.quebec;infonuagique gouvernementale;non;\r\n\
        mfr-direction-des-ti;=Serveur de fichiers;infrastructure technologique;detenteur@demo.rempart.quebec;centre de traitement de l'organisation;peut-être;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let file = dir.join("inventaire.csv");
    std::fs::write(&file, &bytes).unwrap();
    let file = file.to_str().unwrap();
    let out = cli(&app, &["import", "assets", "--org", BODY_A, file]);
    assert!(!out.status.success());
    let report = String::from_utf8(out.stderr).unwrap();
    for expected in [
        "ligne 3, colonne « détenteur » : Cette personne n'est pas désignée détentrice dans cette unité.",
        "ligne 4, colonne « unité » : Unité inconnue, ou hors de votre portée.",
        "ligne 5, colonne « hors Québec » : Valeur attendue : oui ou non.",
        "Rien n'a été importé.",
    ] {
        assert!(report.contains(expected), "{expected}\n{report}");
    }
    assert_eq!(asset_count(&app).await, before);
    // Row by row: the good line goes in, the others are reported again.
    let out = cli(
        &app,
        &[
            "import",
            "assets",
            "--org",
            BODY_A,
            "--row-by-row",
            "--json",
            file,
        ],
    );
    assert!(!out.status.success());
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["created"], 1);
    assert_eq!(summary["faults"].as_array().unwrap().len(), 3);
    assert_eq!(asset_count(&app).await, before + 1);
    // A bulk import writes many rows and their trail in batches: the chain still verifies,
    // with one entry per asset.
    let mut bulk = String::from("nom;type;détenteur;hébergement;identifiants\n");
    for i in 0..120 {
        bulk.push_str(&format!(
            "Borne {i:03};technological_infrastructure;detenteur@demo.rempart.quebec;premises;borne-{i:03}\n"
        ));
    }
    let bulk_file = dir.join("bornes.csv");
    std::fs::write(&bulk_file, bulk).unwrap();
    let creates_before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_entries WHERE action = 'asset.create'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let out = cli(
        &app,
        &[
            "import",
            "assets",
            "--org",
            UNIT_A,
            bulk_file.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let creates_after: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_entries WHERE action = 'asset.create'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(creates_after - creates_before, 120);
    let identifiers: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM asset_identifiers i JOIN assets a ON a.id = i.asset_id \
         WHERE a.name LIKE 'Borne %'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(identifiers, 120);
    let verify = cli(&app, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    // The formula is kept as text, and exported so that no spreadsheet runs it.
    let name: String = sqlx::query_scalar("SELECT name FROM assets WHERE name LIKE '=%'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(name, "=Serveur de fichiers");
    let ciso = app.login(CSIO_A).await;
    let export = ciso.get("/assets/export?format=csv&q=Serveur").await;
    assert_eq!(export.status(), 200);
    let text = export.text().await.unwrap();
    assert!(text.contains(";'=Serveur de fichiers;"), "{text}");
    // A file without the required columns names them; a huge cell is refused by its size.
    std::fs::write(dir.join("court.csv"), "nom;type\nx;y\n").unwrap();
    let out = cli(
        &app,
        &[
            "import",
            "assets",
            "--org",
            BODY_A,
            dir.join("court.csv").to_str().unwrap(),
        ],
    );
    let report = String::from_utf8(out.stderr).unwrap();
    assert!(
        report.contains("ligne 1, colonne « détenteur » : Colonne obligatoire absente."),
        "{report}"
    );
    assert!(report.contains("ligne 1, colonne « hébergement »"));
    std::fs::write(
        dir.join("enorme.csv"),
        format!("unité;nom\nx;{}\n", "a".repeat(20_000)),
    )
    .unwrap();
    let out = cli(
        &app,
        &[
            "import",
            "assets",
            "--org",
            BODY_A,
            dir.join("enorme.csv").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("Ligne 2, colonne 2 : la cellule dépasse 10000 caractères."));
}

// REQ ASSET-03
#[tokio::test]
async fn fifty_thousand_rows_with_one_fault_write_nothing() {
    let app = TestApp::spawn().await;
    let mut text = String::from("unité;nom;type;détenteur;hébergement\n");
    for i in 0..50_000 {
        let holder = if i == 41_999 {
            "inconnu@ailleurs.qc.ca"
        } else {
            "detenteur@demo.rempart.quebec"
        };
        text.push_str(&format!(
            "mfr-direction-des-ti;Poste {i:05};technological_infrastructure;{holder};premises\n"
        ));
    }
    let dir = std::env::temp_dir().join(format!("rempart-50k-{}", app.audit_seq().await));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("postes.csv");
    std::fs::write(&file, text).unwrap();
    let before = asset_count(&app).await;
    let out = cli(
        &app,
        &[
            "import",
            "assets",
            "--org",
            BODY_A,
            "--json",
            file.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let faults = summary["faults"].as_array().unwrap();
    assert_eq!(faults.len(), 1);
    assert_eq!(faults[0]["line"], 42_001);
    assert_eq!(faults[0]["column"], "détenteur");
    assert_eq!(asset_count(&app).await, before);
}

// REQ ASSET-03
#[tokio::test]
async fn the_import_page_works_without_javascript() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let page = ciso.get("/assets/import").await.text().await.unwrap();
    assert!(page.contains("enctype=\"multipart/form-data\""));
    let xlsx_export = ciso.get("/assets/export?format=xlsx").await;
    assert_eq!(
        xlsx_export.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let xlsx = xlsx_export.bytes().await.unwrap();
    let upload = |bytes: Vec<u8>, name: &'static str, csrf: &str| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf.to_owned())
            .text("mode", "all_or_nothing")
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            )
    };
    let r = ciso
        .client
        .post(ciso.url("/assets/import"))
        .multipart(upload(xlsx.to_vec(), "actifs.xlsx", &ciso.csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("0 créé(s), 0 modifié(s), 24 inchangé(s), 0 erreur(s)."));
    // A forged upload without the session's token is refused.
    let forged = ciso
        .client
        .post(ciso.url("/assets/import"))
        .multipart(upload(xlsx.to_vec(), "actifs.xlsx", "faux"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // A new line from the page.
    let csv = "unité;nom;type;détenteur;hébergement\nmfr-direction-des-ti;Numériseur;technological_infrastructure;detenteur@demo.rempart.quebec;premises\n";
    let r = ciso
        .client
        .post(ciso.url("/assets/import"))
        .multipart(upload(csv.as_bytes().to_vec(), "a.csv", &ciso.csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("1 créé(s)"));
    // Without a unit column, rows go to the organization chosen in the switcher (the
    // ministry, where the CISO works); its holder is designated there for the occasion.
    let granted = ciso
        .send_json(
            Method::POST,
            "/api/v1/grants",
            &json!({"person_id": app.person_id(HOLDER_A).await,
                "org_id": app.org_id(BODY_A).await, "role": "Holder"}),
        )
        .await;
    assert_eq!(granted.status(), 201);
    let csv = "nom;type;détenteur;hébergement\nImprimante réseau;technological_infrastructure;detenteur@demo.rempart.quebec;premises\n";
    let r = ciso
        .client
        .post(ciso.url("/assets/import"))
        .multipart(upload(csv.as_bytes().to_vec(), "b.csv", &ciso.csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("1 créé(s)"));
    let unit: String = sqlx::query_scalar(
        "SELECT o.slug FROM assets a JOIN organizations o ON o.id = a.org_id \
         WHERE a.name = 'Imprimante réseau'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(unit, BODY_A);
    // Garbage that claims to be XLSX is a clear error, not a crash.
    let r = ciso
        .client
        .post(ciso.url("/assets/import"))
        .multipart(upload(
            b"PK\x03\x04ceci n'est pas un classeur".to_vec(),
            "x.xlsx",
            &ciso.csrf,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Le fichier XLSX est illisible."));
}

// REQ ASSET-02
#[tokio::test]
async fn an_organization_sets_its_scale_and_the_units_below_inherit_it() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let body = app.org_id(BODY_A).await;
    let unit = app.org_id(UNIT_A).await;
    let page = ciso
        .get(&format!("/orgs/{body}/scale"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"fr_3\" value=\"Élevé\""));
    let four = [
        ("fr_1", "Faible"),
        ("en_1", "Low"),
        ("fr_2", "Moyen"),
        ("en_2", "Medium"),
        ("fr_3", "Élevé"),
        ("en_3", "High"),
        ("fr_4", "Très élevé"),
        ("en_4", "Very high"),
        ("review_months", "6"),
    ];
    let saved = ciso.post_form(&format!("/orgs/{body}/scale"), &four).await;
    assert_eq!(saved.status(), 303);
    let scale: Value = ciso
        .get(&format!(
            "/api/v1/organizations/{unit}/classification-scale"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(scale["own"], false);
    assert_eq!(scale["review_months"], 6);
    assert_eq!(scale["levels"].as_array().unwrap().len(), 4);
    // The holder may now classify at level 4; the review falls due in six months.
    let holder = app.login(HOLDER_A).await;
    let intranet = asset_id(&app, "Intranet").await;
    let r = holder
        .send_json(
            Method::POST,
            &format!("/api/v1/assets/{intranet}/classification"),
            &json!({"availability": 4, "integrity": 2, "confidentiality": 1}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let detail: Value = holder
        .get(&format!("/api/v1/assets/{intranet}"))
        .await
        .json()
        .await
        .unwrap();
    let on =
        chrono::NaiveDate::parse_from_str(detail["classified_on"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap();
    assert_eq!(
        detail["review_due"].as_str().unwrap(),
        on.checked_add_months(chrono::Months::new(6))
            .unwrap()
            .to_string()
    );
    // Back to two levels is refused while assets use level 4, with the reason.
    let two = [
        ("fr_1", "Bas"),
        ("en_1", "Low"),
        ("fr_2", "Haut"),
        ("en_2", "High"),
        ("review_months", "12"),
    ];
    let refused = ciso.post_form(&format!("/orgs/{body}/scale"), &two).await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Des actifs sont classifiés jusqu&#39;au niveau 4"));
    // The holder reads the scale but cannot change it.
    let read_only = holder
        .get(&format!("/orgs/{unit}/scale"))
        .await
        .text()
        .await
        .unwrap();
    assert!(read_only.contains("Très élevé"));
    assert!(!read_only.contains("name=\"fr_1\""));
    assert_eq!(
        holder
            .post_form(&format!("/orgs/{unit}/scale"), &four)
            .await
            .status(),
        403
    );
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'classification.scale_set'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(logged, 1);
}

// REQ ASSET-02
#[tokio::test]
async fn the_networks_view_is_ready_before_its_first_reader() {
    let app = TestApp::spawn().await;
    let today = rempart_web::time::today();
    rempart_storage::assets::prewarm(&app.store, today)
        .await
        .unwrap();
    let warmed = app.store.view_counts();
    assert_eq!(warmed.computed, 1, "the root's counts, once");
    // Signing in moves the audit head; the counts are carried over, not computed again.
    let gov = app.login("cgsi@demo.rempart.quebec").await;
    let root = app.org_id("cgcd-demo").await;
    let view: Value = gov
        .get(&format!("/api/v1/assets/consolidated?org_id={root}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view.as_array().unwrap().len(), 2);
    assert_eq!(app.store.view_counts().computed, warmed.computed);
    // The same as computed afresh.
    app.store.clear_views();
    let fresh: Value = gov
        .get(&format!("/api/v1/assets/consolidated?org_id={root}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view, fresh);
}

// REQ REG-01
#[tokio::test]
async fn a_designation_whose_act_has_lapsed_ends_with_its_role() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let user = app.person_id(USER_A).await;
    let body_a = app.org_id(BODY_A).await;
    let today = rempart_web::time::today();
    let yesterday = today.pred_opt().unwrap().to_string();
    let tomorrow = today.succ_opt().unwrap().to_string();
    for (role, until) in [("Manager", &yesterday), ("Auditor", &tomorrow)] {
        let granted = admin
            .send_json(
                Method::POST,
                "/api/v1/grants",
                &json!({"person_id": user, "org_id": body_a, "role": role,
                    "act_reference": "Décision D-1", "valid_from": "2026-01-01",
                    "valid_until": until}),
            )
            .await;
        assert_eq!(granted.status(), 201, "{role}");
    }
    let held = |role: &'static str| {
        let pool = app.store.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM role_grants WHERE person_id = $1 AND role = $2",
            )
            .bind(user)
            .bind(role)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!((held("Manager").await, held("Auditor").await), (1, 1));
    // What `serve` runs: the lapsed designation ends and its role goes; the other stays.
    let ran = rempart::server::run_due_jobs(&app.store, "serve-1", false, 3)
        .await
        .unwrap()
        .unwrap();
    assert!(ran.contains("1 désignation(s) échue(s)"), "{ran}");
    assert_eq!((held("Manager").await, held("Auditor").await), (0, 1));
    let ended: Option<i64> = sqlx::query_scalar(
        "SELECT ended_at FROM designations WHERE person_id = $1 AND role = 'Manager'",
    )
    .bind(user)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert!(ended.is_some(), "kept in the register's history");
    let revoked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'grant.revoke' AND actor_label = 'planificateur'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(revoked, 1);
    // Run again the same day: nothing more.
    let mut w = app
        .store
        .write(rempart_storage::AuditContext::system("test"))
        .await
        .unwrap();
    assert_eq!(
        rempart_storage::register::end_lapsed(&mut w, today)
            .await
            .unwrap(),
        0
    );
    w.commit().await.unwrap();
}
