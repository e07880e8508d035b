//! The pages and operations endpoints, as a person and a monitoring system see them.

use axum::http::Method;
use serde_json::{json, Value};

use crate::kit::*;

// REQ PLAT-05
#[tokio::test]
async fn the_login_page_is_french_by_default_and_english_on_request() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    let french = client
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(french.contains("<html lang=\"fr-CA\">"));
    assert!(french.contains("Connexion"));
    assert!(french.contains("Passer au contenu principal"));
    let english = client
        .get(format!("{}/login", app.base))
        .header("accept-language", "en-CA,en;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("<html lang=\"en-CA\">"));
    assert!(english.contains("Sign in"));
    let explicit = client
        .get(format!("{}/login?lang=en", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(explicit.contains("Sign in"));
}

// REQ AUTH-05
#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_answer_and_are_logged() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    let mut bodies = Vec::new();
    for email in [CSIO_A, "personne@nulle-part.qc.ca"] {
        let response = client
            .post(format!("{}/login", app.base))
            .form(&[("email", email), ("password", "mauvais mot de passe")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        bodies.push(response.text().await.unwrap().replace(email, ""));
    }
    assert_eq!(bodies[0], bodies[1]);
    assert!(bodies[0].contains("Adresse courriel ou mot de passe incorrect."));
    let failures: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_entries WHERE action = 'auth.login_failed'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(failures, 2);
}

// REQ PLAT-03
#[tokio::test]
async fn home_shows_real_counts_and_a_unit_is_created_after_a_failed_attempt() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let home = ciso.get("/").await.text().await.unwrap();
    assert!(home.contains("Bonjour, Samuel Bouchard."));
    assert!(home.contains("Ministère fictif des Ressources"));
    // Body A and its three units; seven people in them (the demo puts five there).
    assert!(home.contains("<td class=\"num\">4</td>"), "{home}");

    let body_a = app.org_id(BODY_A).await.to_string();
    let failed = ciso
        .post_form(
            "/orgs",
            &[("name", ""), ("kind", "unit"), ("parent_id", &body_a)],
        )
        .await;
    assert_eq!(failed.status(), 422);
    let page = failed.text().await.unwrap();
    assert!(page.contains("Ce champ est obligatoire."));
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(page.contains("role=\"alert\""));

    let created = ciso
        .post_form(
            "/orgs",
            &[
                ("name", "Direction de la sécurité"),
                ("kind", "unit"),
                ("parent_id", &body_a),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let page = ciso.get(&location).await.text().await.unwrap();
    assert!(page.contains("Direction de la sécurité"));
    assert!(page.contains("direction-de-la-securite"));
    let entry: String = sqlx::query_scalar("SELECT actor_label FROM audit_entries WHERE action = 'organization.create' ORDER BY seq DESC LIMIT 1")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(entry, CSIO_A);

    // Rename, then move under another unit, then archive, each audited with before and after.
    let id = location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        ciso.post_form(
            &format!("/orgs/{id}/rename"),
            &[("name", "Direction de la cybersécurité")]
        )
        .await
        .status(),
        303
    );
    let unit_a = app.org_id(UNIT_A).await.to_string();
    assert_eq!(
        ciso.post_form(&format!("/orgs/{id}/move"), &[("parent_id", &unit_a)])
            .await
            .status(),
        303
    );
    assert_eq!(
        ciso.post_form(&format!("/orgs/{id}/archive"), &[])
            .await
            .status(),
        303
    );
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_entries WHERE entity_type = 'organization' AND entity_id = $1 ORDER BY seq")
        .bind(&id)
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        actions,
        [
            "organization.create",
            "organization.rename",
            "organization.move",
            "organization.archive"
        ]
    );
    // A move the tree forbids is refused with the field named.
    let body_b = app.org_id(BODY_B).await.to_string();
    let refused = ciso
        .post_form(
            &format!("/orgs/{}/move", app.org_id(UNIT_A).await),
            &[("parent_id", &body_b)],
        )
        .await;
    assert_eq!(refused.status(), 422);
}

// REQ PLAT-05
#[tokio::test]
async fn a_person_switches_to_english_and_back() {
    let app = TestApp::spawn().await;
    let user = app.login(USER_A).await;
    assert!(user
        .get("/profile")
        .await
        .text()
        .await
        .unwrap()
        .contains("Profil"));
    assert_eq!(
        user.post_form("/profile/language", &[("language", "en")])
            .await
            .status(),
        303
    );
    let page = user.get("/profile").await.text().await.unwrap();
    assert!(page.contains("<html lang=\"en-CA\">") && page.contains("Profile"));
    assert_eq!(
        user.post_form("/profile/language", &[("language", "fr")])
            .await
            .status(),
        303
    );
    assert!(user
        .get("/")
        .await
        .text()
        .await
        .unwrap()
        .contains("Bonjour"));
}

// REQ AUD-03
#[tokio::test]
async fn the_auditor_sees_and_searches_the_trail_and_others_do_not() {
    let app = TestApp::spawn().await;
    let auditor = app.login(AUDITOR).await;
    let page = auditor
        .get("/audit?action=person.")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("person.create"));
    assert!(!page.contains("organization.create</code>"));
    let api: Value = auditor
        .get("/api/v1/audit?action=organization.create&limit=3&order=asc")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["total"], 10);
    assert_eq!(api["items"].as_array().unwrap().len(), 3);
    assert_eq!(api["items"][0]["seq"], 1);
    let verify: Value = auditor
        .get("/api/v1/audit/verify")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verify["intact"], true);
    let bad_date = auditor.get("/audit?from=hier").await;
    assert_eq!(bad_date.status(), 422);
    let ciso = app.login(CSIO_A).await;
    assert_eq!(ciso.get("/audit").await.status(), 403);
    assert_eq!(ciso.get("/api/v1/audit").await.status(), 403);
}

// REQ PLAT-07
#[tokio::test]
async fn the_api_pages_sorts_filters_and_publishes_its_contract() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let page: Value = admin
        .get("/api/v1/organizations?limit=2&offset=1&sort=slug&order=desc")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 10);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let slugs: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["slug"].as_str().unwrap())
        .collect();
    assert!(slugs[0] > slugs[1]);
    let units: Value = admin
        .get("/api/v1/organizations?kind=unit&q=finances")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(units["total"], 1);
    let within: Value = admin
        .get(&format!(
            "/api/v1/organizations?within={}",
            app.org_id(BODY_B).await
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(within["total"], 4);

    let created = admin
        .send_json(Method::POST, "/api/v1/people", &json!({"email": "Nouvelle.Personne@MFR.gouv.qc.ca", "name": "Nouvelle Personne", "org_id": app.org_id(BODY_A).await}))
        .await;
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["person"]["email"], "nouvelle.personne@mfr.gouv.qc.ca");
    assert_eq!(body["person"]["must_change_password"], true);
    assert_eq!(body["temporary_password"].as_str().unwrap().len(), 20);
    let duplicate = admin
        .send_json(Method::POST, "/api/v1/people", &json!({"email": "nouvelle.personne@mfr.gouv.qc.ca", "name": "Doublon", "org_id": app.org_id(BODY_A).await}))
        .await;
    assert_eq!(duplicate.status(), 409);
    let body: Value = duplicate.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "email");

    // AUTH-10 from the API: the administrator account cannot take a business role.
    let me = admin.person_id;
    let refused = admin
        .send_json(
            Method::POST,
            "/api/v1/grants",
            &json!({"person_id": me, "org_id": app.org_id(BODY_A).await, "role": "Ciso"}),
        )
        .await;
    assert_eq!(refused.status(), 422);

    let openapi: Value = TestApp::client()
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"));
    let (_, table) = rempart_web::routes::routes().into_parts();
    for route in table
        .routes()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
    {
        let method = route.method.as_str().to_lowercase();
        assert!(
            openapi["paths"][route.path][&method].is_object(),
            "{} {} missing from the OpenAPI document",
            route.method,
            route.path
        );
    }
}

// REQ PLAT-08
#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    assert_eq!(
        client
            .get(format!("{}/healthz", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    assert_eq!(
        client
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    client
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap();
    client
        .get(format!("{}/nowhere", app.base))
        .send()
        .await
        .unwrap();
    let metrics = client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "rempart_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"}"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("route=\"unmatched\",status=\"404\""),
        "{metrics}"
    );
    assert!(metrics.contains("rempart_http_request_duration_seconds_bucket"));
    assert!(metrics.contains("rempart_db_pool_connections"));
    let missing = client
        .get(format!("{}/api/v1/nothing", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
    let headers = client
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap();
    let csp = headers.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(headers.headers()["x-content-type-options"], "nosniff");
}

// REQ AUTH-06
#[tokio::test]
async fn logout_ends_the_session_in_the_database() {
    let app = TestApp::spawn().await;
    let user = app.login(USER_A).await;
    assert_eq!(user.get("/").await.status(), 200);
    assert_eq!(user.post_form("/logout", &[]).await.status(), 303);
    assert_eq!(user.get("/").await.status(), 303);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_entries WHERE entity_type = 'session' ORDER BY seq",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(actions, ["auth.login", "auth.logout"]);
    // The address recorded is the peer's; a forged X-Forwarded-For is not believed.
    let forged = TestApp::client()
        .post(format!("{}/login", app.base))
        .header("x-forwarded-for", "203.0.113.66")
        .header("x-rempart-client", "203.0.113.67")
        .form(&[("email", USER_A), ("password", "faux")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let sources: Vec<String> = sqlx::query_scalar(
        "SELECT source FROM audit_entries WHERE action LIKE 'auth.%' ORDER BY seq",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(sources, ["127.0.0.1", "127.0.0.1", "127.0.0.1"]);
}

// REQ AUTHZ-02
#[tokio::test]
async fn incompatible_roles_held_by_one_person_are_flagged() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let auditor = app.person_id(AUDITOR).await.to_string();
    let root = app.org_id("cgcd-demo").await.to_string();
    let before = admin.get("/grants").await.text().await.unwrap();
    assert!(!before.contains("Incompatible avec le rôle"));
    let granted = admin
        .post_form(
            "/grants",
            &[("person_id", &auditor), ("org_id", &root), ("role", "Ciso")],
        )
        .await;
    assert_eq!(granted.status(), 303);
    let page = admin.get("/grants").await.text().await.unwrap();
    assert_eq!(
        page.matches("Incompatible avec le rôle").count(),
        2,
        "both grants are flagged"
    );
    assert!(page.contains("⚠ Incompatible avec le rôle : Responsable de l&#39;audit interne"));
}

// REQ AUTH-05
#[tokio::test]
async fn routes_open_to_anyone_are_rate_limited_per_address() {
    let url = rempart_storage::testing::fresh_url().await.unwrap();
    let store = rempart_storage::Store::open(&url, 4).await.unwrap();
    let config = rempart_web::WebConfig {
        public_rate: rempart_web::ratelimit::PublicRateLimit::new(10),
        ..Default::default()
    };
    let app = TestApp::serve_with_config(store, url, cheap_hashing(), config).await;
    let client = TestApp::client();
    for _ in 0..10 {
        assert_eq!(
            client
                .get(format!("{}/healthz", app.base))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let limited = client
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    // Unless the minute turned during the loop, the eleventh request is refused.
    if limited.status() != 200 {
        assert_eq!(limited.status(), 429);
        let body: Value = limited.json().await.unwrap();
        assert_eq!(body["code"], "too_many_requests");
        assert_eq!(
            client
                .get(format!("{}/login", app.base))
                .send()
                .await
                .unwrap()
                .status(),
            429
        );
    } else {
        for _ in 0..10 {
            client
                .get(format!("{}/healthz", app.base))
                .send()
                .await
                .unwrap();
        }
        assert_eq!(
            client
                .get(format!("{}/login", app.base))
                .send()
                .await
                .unwrap()
                .status(),
            429
        );
    }
}
