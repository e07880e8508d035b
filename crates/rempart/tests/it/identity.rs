//! The identity directive as an attacker and a careless user would test it (AUTH-02 to
//! AUTH-07): lockout, throttling, forced password change, history, second factor, sessions.

use axum::http::Method;
use serde_json::{json, Value};

use crate::kit::*;

async fn post_login(
    base: &str,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{base}/login"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

async fn actions(app: &TestApp, prefix: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_entries WHERE action LIKE $1 ORDER BY seq")
        .bind(format!("{prefix}%"))
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}

// REQ AUTH-05
#[tokio::test]
async fn five_failures_lock_the_account_with_the_same_answer() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    let mut bodies = Vec::new();
    for _ in 0..5 {
        let r = post_login(&app.base, &client, USER_A, "mauvais mot de passe").await;
        assert_eq!(r.status(), 401);
        bodies.push(r.text().await.unwrap());
    }
    // Locked: even the right password gets the very same answer.
    let locked = post_login(&app.base, &client, USER_A, rempart::demo::DEMO_PASSWORD).await;
    assert_eq!(locked.status(), 401);
    assert_eq!(locked.text().await.unwrap(), bodies[0]);
    let unknown = post_login(&app.base, &client, "nul@part.qc.ca", "x").await;
    assert_eq!(
        unknown
            .text()
            .await
            .unwrap()
            .replace("nul@part.qc.ca", USER_A),
        bodies[0]
    );
    let logged = actions(&app, "auth.").await;
    assert_eq!(
        logged.iter().filter(|a| *a == "auth.login_failed").count(),
        5
    );
    assert_eq!(logged.iter().filter(|a| *a == "auth.lockout").count(), 1);
    assert_eq!(
        logged.iter().filter(|a| *a == "auth.login_locked").count(),
        1
    );
    // Once the lock has run out, the right password works and the count starts again.
    sqlx::query("UPDATE persons SET locked_until = 1 WHERE email = $1")
        .bind(USER_A)
        .execute(app.store.pool())
        .await
        .unwrap();
    let ok = post_login(&app.base, &client, USER_A, rempart::demo::DEMO_PASSWORD).await;
    assert_eq!(ok.status(), 303);
    let failures: i64 = sqlx::query_scalar("SELECT failed_logins FROM persons WHERE email = $1")
        .bind(USER_A)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(failures, 0);
}

// REQ AUTH-05
#[tokio::test]
async fn a_source_spraying_accounts_is_throttled() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    for i in 0..50 {
        let r = post_login(
            &app.base,
            &client,
            &format!("essai{i}@nulle-part.qc.ca"),
            "x",
        )
        .await;
        assert_eq!(r.status(), 401);
    }
    let throttled = post_login(&app.base, &client, USER_A, rempart::demo::DEMO_PASSWORD).await;
    assert_eq!(throttled.status(), 429);
    assert!(throttled
        .text()
        .await
        .unwrap()
        .contains("Trop de tentatives"));
}

// REQ AUTH-03
// REQ AUTH-02
#[tokio::test]
async fn a_temporary_password_must_be_changed_before_anything_else() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let created = admin
        .send_json(Method::POST, "/api/v1/people", &json!({"email": "nouveau@mfr.gouv.qc.ca", "name": "Jean Nouveau", "org_id": app.org_id(BODY_A).await}))
        .await;
    let temporary = created.json::<Value>().await.unwrap()["temporary_password"]
        .as_str()
        .unwrap()
        .to_owned();

    let client = TestApp::client();
    let r = post_login(&app.base, &client, "nouveau@mfr.gouv.qc.ca", &temporary).await;
    assert_eq!(r.headers()["location"], "/password");
    // Nothing else answers until the password is changed.
    assert_eq!(
        client
            .get(format!("{}/", app.base))
            .send()
            .await
            .unwrap()
            .headers()["location"],
        "/password"
    );
    let api = client
        .get(format!("{}/api/v1/me", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 403);
    assert_eq!(
        api.json::<Value>().await.unwrap()["code"],
        "sign_in_step_pending"
    );

    let page = client
        .get(format!("{}/password", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = field_value(&page, "name=\"csrf\" value=\"");
    let attempt = |current: String, new: String| {
        let client = client.clone();
        let csrf = csrf.clone();
        let url = format!("{}/password", app.base);
        async move {
            client
                .post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("current", &current),
                    ("new_password", &new),
                    ("confirmation", &new),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    for (new, error) in [
        ("court", "au moins 12 caractères"),
        ("password1234", "parmi les plus courants"),
        ("Rempart-Quebec-2026", "trop courant"),
        ("jean-nouveau-2026!", "votre nom"),
    ] {
        let r = attempt(temporary.clone(), new.to_owned()).await;
        assert_eq!(r.status(), 422, "{new}");
        assert!(r.text().await.unwrap().contains(error), "{new}");
    }
    // The temporary password itself cannot be kept.
    let reused = attempt(temporary.clone(), temporary.clone()).await;
    assert_eq!(reused.status(), 422);
    let wrong_current = attempt("pas le bon".into(), NEW_PASSWORD.into()).await;
    assert!(wrong_current
        .text()
        .await
        .unwrap()
        .contains("Le mot de passe actuel est incorrect."));
    let done = attempt(temporary.clone(), NEW_PASSWORD.into()).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/");
    assert_eq!(
        client
            .get(format!("{}/api/v1/me", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(actions(&app, "person.password_change").await.len() == 1);

    // History: the last passwords cannot come back.
    let session = login_at(&app.base, "nouveau@mfr.gouv.qc.ca", NEW_PASSWORD).await;
    let second = "trois hiboux dans la grange bleue";
    assert_eq!(
        session
            .post_form(
                "/password",
                &[
                    ("current", NEW_PASSWORD),
                    ("new_password", second),
                    ("confirmation", second)
                ]
            )
            .await
            .status(),
        303
    );
    // The change renewed the session id and its token: sign in again.
    assert_eq!(session.get("/").await.status(), 200);
    let session = login_at(&app.base, "nouveau@mfr.gouv.qc.ca", second).await;
    let back = session
        .post_form(
            "/password",
            &[
                ("current", second),
                ("new_password", NEW_PASSWORD),
                ("confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(back.status(), 422);
    assert!(back.text().await.unwrap().contains("a déjà servi"));
}

// REQ AUTH-04
#[tokio::test]
async fn the_second_factor_is_required_checked_once_and_recoverable() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    let r = post_login(&app.base, &client, CSIO_A, rempart::demo::DEMO_PASSWORD).await;
    assert_eq!(r.headers()["location"], "/mfa/enrol");
    // Enrol by hand to keep the recovery codes.
    let page = client
        .get(format!("{}/mfa/enrol", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let secret = element_text(&page, "<code id=\"totp-secret\">").replace(' ', "");
    let csrf = field_value(&page, "name=\"csrf\" value=\"");
    let wrong = client
        .post(format!("{}/mfa/enrol", app.base))
        .form(&[("csrf", csrf.as_str()), ("code", "000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    let step = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 30;
    let code = totp_code(&secret, CSIO_A, step);
    let enrolled = client
        .post(format!("{}/mfa/enrol", app.base))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    let page = enrolled.text().await.unwrap();
    let codes: Vec<String> = page
        .split("<li><code>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(
        client
            .get(format!("{}/api/v1/me", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // A new sign-in asks for the code; the code just used is refused (replay), a wrong one
    // counts as a failure, a recovery code works once.
    let second = TestApp::client();
    let r = post_login(&app.base, &second, CSIO_A, rempart::demo::DEMO_PASSWORD).await;
    assert_eq!(r.headers()["location"], "/mfa");
    let page = second
        .get(format!("{}/mfa", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf2 = field_value(&page, "name=\"csrf\" value=\"");
    let try_code = |code: String| {
        let second = second.clone();
        let csrf2 = csrf2.clone();
        let url = format!("{}/mfa", app.base);
        async move {
            second
                .post(url)
                .form(&[("csrf", csrf2.as_str()), ("code", code.as_str())])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(try_code(code.clone()).await.status(), 422);
    assert_eq!(try_code("123456".into()).await.status(), 422);
    let ok = try_code(codes[0].to_uppercase()).await;
    assert_eq!(ok.status(), 303);
    assert_eq!(
        second
            .get(format!("{}/api/v1/me", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let third = TestApp::client();
    post_login(&app.base, &third, CSIO_A, rempart::demo::DEMO_PASSWORD).await;
    let page = third
        .get(format!("{}/mfa", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf3 = field_value(&page, "name=\"csrf\" value=\"");
    let again = third
        .post(format!("{}/mfa", app.base))
        .form(&[("csrf", csrf3.as_str()), ("code", codes[0].as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 422);
    let logged = actions(&app, "").await;
    for expected in ["mfa.enrol", "auth.mfa_failed", "auth.mfa_success"] {
        assert!(
            logged.iter().any(|a| a == expected),
            "{expected} not logged"
        );
    }
}

// REQ AUTH-06
#[tokio::test]
async fn sessions_are_listed_revoked_and_ended_by_role_removal() {
    let app = TestApp::spawn().await;
    let first = app.login(USER_A).await;
    let second = app.login(USER_A).await;
    let profile = first.get("/profile").await.text().await.unwrap();
    assert_eq!(
        profile.matches("/profile/sessions/").count(),
        1,
        "one other session to close"
    );
    let other = field_value(&profile, "action=\"/profile/sessions/");
    let other_id = other.split('/').next().unwrap();
    assert_eq!(
        first
            .post_form(&format!("/profile/sessions/{other_id}/revoke"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(second.get("/").await.status(), 303);
    assert_eq!(first.get("/").await.status(), 200);
    // Another person's session cannot be closed by id.
    let third = app.login(AUDITOR).await;
    let auditor_session: i64 = sqlx::query_scalar("SELECT MAX(id) FROM sessions")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        first
            .post_form(&format!("/profile/sessions/{auditor_session}/revoke"), &[])
            .await
            .status(),
        404
    );
    assert_eq!(third.get("/").await.status(), 200);

    // A role removed ends the sessions of its holder (AUTH-06).
    let ciso = app.login(CSIO_A).await;
    let grant = app.grant_id(USER_A).await;
    assert_eq!(
        ciso.post_form(&format!("/grants/{grant}/revoke"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(first.get("/").await.status(), 303);
    assert!(!actions(&app, "auth.sessions_revoked").await.is_empty());
}

// REQ AUTH-08
#[tokio::test]
async fn personal_tokens_are_scoped_expiring_revocable_and_shown_once() {
    let app = TestApp::spawn().await;
    let url = app.url.expose().to_owned();
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_rempart"))
            .args(args)
            .args(["--database-url", &url])
            .output()
            .unwrap()
    };
    let read = cli(&[
        "admin",
        "create-token",
        "--user",
        CSIO_A,
        "--scope",
        "read",
        "--expires-in",
        "7d",
    ]);
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let read = String::from_utf8(read.stdout).unwrap().trim().to_owned();
    assert!(read.starts_with("rmp_") && !read.contains(' '));
    let bad = cli(&["admin", "create-token", "--user", CSIO_A, "--scope", "root"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("portée « root » inconnue"));

    let api = |token: &str, method: reqwest::Method, path: &str| {
        TestApp::client()
            .request(method, format!("{}{path}", app.base))
            .bearer_auth(token)
            .json(&json!({"name": "Par jeton", "kind": "unit", "parent_id": 0}))
            .send()
    };
    // Read: lists within the owner's scope; no writes, and no CSRF token needed.
    let list = api(&read, Method::GET, "/api/v1/organizations")
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
    assert_eq!(list.json::<Value>().await.unwrap()["total"], 4);
    assert_eq!(
        api(&read, Method::POST, "/api/v1/organizations")
            .await
            .unwrap()
            .status(),
        403
    );
    // Pages are not for tokens.
    assert_eq!(
        api(&read, Method::GET, "/orgs").await.unwrap().status(),
        401
    );
    assert_eq!(
        api("rmp_faux", Method::GET, "/api/v1/organizations")
            .await
            .unwrap()
            .status(),
        401
    );

    // Write, created from the profile by a signed-in person, shown once.
    let ciso = app.login(CSIO_A).await;
    let page = ciso
        .post_form(
            "/profile/tokens",
            &[
                ("name", "pipeline"),
                ("scope", "write"),
                ("lifetime", "30d"),
            ],
        )
        .await;
    assert_eq!(page.status(), 201);
    let write = element_text(&page.text().await.unwrap(), "<code id=\"new-token\">");
    let created = TestApp::client()
        .post(format!("{}/api/v1/organizations", app.base))
        .bearer_auth(&write)
        .json(&json!({"name": "Créée par jeton", "kind": "unit", "parent_id": app.org_id(BODY_A).await}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    // Not even a write token over every module manages accounts or grants: a leaked token
    // must not reset its owner's password or second factor, nor hand out roles.
    let user_a = app.person_id(USER_A).await;
    for path in [
        format!("/api/v1/people/{user_a}/password/reset"),
        format!("/api/v1/people/{user_a}/mfa/reset"),
        "/api/v1/grants".to_owned(),
    ] {
        assert_eq!(
            api(&write, Method::POST, &path).await.unwrap().status(),
            403,
            "{path}"
        );
    }

    // Limited to modules: from the command line, and from the profile's checkboxes.
    let people_only = cli(&[
        "admin",
        "create-token",
        "--user",
        CSIO_A,
        "--scope",
        "read",
        "--module",
        "people",
    ]);
    assert!(people_only.status.success());
    let people_only = String::from_utf8(people_only.stdout)
        .unwrap()
        .trim()
        .to_owned();
    for (path, status) in [
        ("/api/v1/people", 200),
        ("/api/v1/me", 200),
        ("/api/v1/organizations", 403),
        ("/api/v1/grants", 403),
    ] {
        assert_eq!(
            api(&people_only, Method::GET, path).await.unwrap().status(),
            status,
            "{path}"
        );
    }
    let bad = cli(&[
        "admin",
        "create-token",
        "--user",
        CSIO_A,
        "--scope",
        "read",
        "--module",
        "risques-imaginaires",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("option --module"));
    let page = ciso
        .post_form(
            "/profile/tokens",
            &[
                ("name", "organigramme"),
                ("scope", "write"),
                ("lifetime", "7d"),
                ("module-organizations", "on"),
            ],
        )
        .await;
    assert_eq!(page.status(), 201);
    let orgs_only = element_text(&page.text().await.unwrap(), "<code id=\"new-token\">");
    assert_eq!(
        api(&orgs_only, Method::GET, "/api/v1/people")
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        api(&orgs_only, Method::GET, "/api/v1/organizations")
            .await
            .unwrap()
            .status(),
        200
    );
    let profile = ciso.get("/profile").await.text().await.unwrap();
    assert!(profile.contains("Lecture et écriture — Organisations"));
    assert!(profile.contains("Lecture seule — Personnes"));
    // The newest token comes first in the list: revoke the module-limited one, keep
    // checking the "pipeline" one below.
    let newest = field_value(&profile, "action=\"/profile/tokens/");
    let newest = newest.split('/').next().unwrap();
    assert_eq!(
        ciso.post_form(&format!("/profile/tokens/{newest}/revoke"), &[])
            .await
            .status(),
        303
    );
    let profile = ciso.get("/profile").await.text().await.unwrap();
    assert!(profile.contains("pipeline"));
    assert!(
        profile.contains("<title>Profil — Rempart</title>"),
        "nothing but the title in <title>"
    );
    assert!(!profile.contains(&write), "a token is never shown again");
    let invalid = ciso
        .post_form(
            "/profile/tokens",
            &[("name", "x"), ("scope", "write"), ("lifetime", "999d")],
        )
        .await;
    assert_eq!(invalid.status(), 422);

    // Revoked, it no longer works; expired likewise.
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = 'pipeline'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(profile.contains(&format!("action=\"/profile/tokens/{id}/revoke\"")));
    assert_eq!(
        ciso.post_form(&format!("/profile/tokens/{id}/revoke"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(
        api(&write, Method::GET, "/api/v1/organizations")
            .await
            .unwrap()
            .status(),
        401
    );
    sqlx::query("UPDATE api_tokens SET expires_at = 1")
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        api(&read, Method::GET, "/api/v1/organizations")
            .await
            .unwrap()
            .status(),
        401
    );
    let logged: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_entries WHERE action LIKE 'token.%' ORDER BY seq",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    for expected in ["token.create", "token.use", "token.revoke"] {
        assert!(
            logged.iter().any(|a| a == expected),
            "{expected} not logged: {logged:?}"
        );
    }
    let last_used: Option<i64> =
        sqlx::query_scalar("SELECT last_used_at FROM api_tokens ORDER BY id LIMIT 1")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert!(last_used.is_some());

    // A password change ends the person's tokens with their other sessions.
    let other = cli(&["admin", "create-token", "--user", CSIO_A, "--scope", "read"]);
    let other = String::from_utf8(other.stdout).unwrap().trim().to_owned();
    assert_eq!(
        api(&other, Method::GET, "/api/v1/me")
            .await
            .unwrap()
            .status(),
        200
    );
    let changed = ciso
        .post_form(
            "/password",
            &[
                ("current", rempart::demo::DEMO_PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status(), 303);
    assert_eq!(
        api(&other, Method::GET, "/api/v1/me")
            .await
            .unwrap()
            .status(),
        401
    );
}

// REQ AUTH-06
// REQ AUTH-03
#[tokio::test]
async fn an_administrator_ends_sessions_and_resets_a_password_or_second_factor() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let user = app.login(USER_A).await;
    let id = app.person_id(USER_A).await;
    let revoked = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{id}/sessions/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(revoked.status(), 200);
    assert_eq!(revoked.json::<Value>().await.unwrap()["sessions"], 1);
    assert_eq!(user.get("/").await.status(), 303);

    let reset = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{id}/password/reset"),
            &json!({}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    let temporary = reset.json::<Value>().await.unwrap()["temporary_password"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = TestApp::client();
    let old = client
        .post(format!("{}/login", app.base))
        .form(&[
            ("email", USER_A),
            ("password", rempart::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401);
    let fresh = client
        .post(format!("{}/login", app.base))
        .form(&[("email", USER_A), ("password", temporary.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.headers()["location"], "/password");

    // The CISO's second factor reset: they enrol again at next login.
    let ciso = app.login(CSIO_A).await;
    let ciso_id = app.person_id(CSIO_A).await;
    assert_eq!(
        admin
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{ciso_id}/mfa/reset"),
                &json!({})
            )
            .await
            .status(),
        204
    );
    assert_eq!(ciso.get("/").await.status(), 303);
    let again = TestApp::client()
        .post(format!("{}/login", app.base))
        .form(&[
            ("email", CSIO_A),
            ("password", rempart::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["location"], "/mfa/enrol");
    // Nobody resets their own way around the rules: the user cannot act on others.
    let other = app.login(AUDITOR).await;
    assert_eq!(
        other
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{id}/password/reset"),
                &json!({})
            )
            .await
            .status(),
        403
    );
}

// REQ AUTH-02
#[tokio::test]
async fn a_password_past_its_validity_must_be_changed() {
    let url = rempart_storage::testing::fresh_url().await.unwrap();
    let store = rempart_storage::Store::open(&url, 4).await.unwrap();
    let hashing = cheap_hashing();
    let hash =
        rempart_web::auth::hash_with(hashing.params(), rempart::demo::DEMO_PASSWORD).unwrap();
    rempart::demo::load(&store, &hash).await.unwrap();
    let config = rempart_web::WebConfig {
        password_policy: rempart_domain::password::PasswordPolicy {
            max_age_days: Some(90),
            ..Default::default()
        },
        ..Default::default()
    };
    let app = TestApp::serve_with_config(store.clone(), url, hashing, config).await;
    // Set 100 days ago.
    sqlx::query("UPDATE persons SET password_changed_at = $1 WHERE email = $2")
        .bind(rempart_storage::now_micros() - 100 * 86_400_000_000)
        .bind(USER_A)
        .execute(store.pool())
        .await
        .unwrap();
    let client = TestApp::client();
    let r = client
        .post(format!("{}/login", app.base))
        .form(&[
            ("email", USER_A),
            ("password", rempart::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/password");
    // Another account, never changed since the demo loaded (no date): not expired.
    let other = TestApp::client()
        .post(format!("{}/login", app.base))
        .form(&[
            ("email", AUDITOR),
            ("password", rempart::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(other.headers()["location"], "/");
}

// REQ AUTH-05
// REQ AUTH-04
#[tokio::test]
async fn guessing_the_second_factor_after_the_right_password_locks_the_account() {
    let app = TestApp::spawn().await;
    // Enrol, then sign out.
    let enrolled = app.login(CSIO_A).await;
    assert_eq!(enrolled.post_form("/logout", &[]).await.status(), 303);
    for attempt in 0..5 {
        let client = TestApp::client();
        let r = post_login(&app.base, &client, CSIO_A, rempart::demo::DEMO_PASSWORD).await;
        assert_eq!(r.headers()["location"], "/mfa", "attempt {attempt}");
        let page = client
            .get(format!("{}/mfa", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = field_value(&page, "name=\"csrf\" value=\"");
        client
            .post(format!("{}/mfa", app.base))
            .form(&[("csrf", csrf.as_str()), ("code", "000000")])
            .send()
            .await
            .unwrap();
    }
    // Locked now: the right password gets the failure answer.
    let client = TestApp::client();
    let r = post_login(&app.base, &client, CSIO_A, rempart::demo::DEMO_PASSWORD).await;
    assert_eq!(r.status(), 401);
    assert_eq!(actions(&app, "auth.lockout").await.len(), 1);
}

// REQ AUTH-01
#[tokio::test]
async fn a_disabled_account_cannot_sign_in_and_its_sessions_end() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let user = app.login(USER_A).await;
    let id = app.person_id(USER_A).await;
    let r = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{id}/disabled"),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["disabled"], true);
    assert_eq!(user.get("/").await.status(), 303);
    let client = TestApp::client();
    assert_eq!(
        post_login(&app.base, &client, USER_A, rempart::demo::DEMO_PASSWORD)
            .await
            .status(),
        401
    );
    let me = admin.person_id;
    let own = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{me}/disabled"),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(own.status(), 422);
    // Nor one's own password or second factor, and never a more privileged account's.
    let own = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{me}/password/reset"),
            &json!({}),
        )
        .await;
    assert_eq!(own.status(), 422);
    let ciso = app.login(CSIO_A).await;
    let ciso_reset = ciso
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{me}/password/reset"),
            &json!({}),
        )
        .await;
    assert!(
        ciso_reset.status() == 403 || ciso_reset.status() == 404,
        "{}",
        ciso_reset.status()
    );
    let r = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{id}/disabled"),
            &json!({"disabled": false}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        post_login(&app.base, &client, USER_A, rempart::demo::DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(actions(&app, "person.disable").await.len(), 1);
    assert_eq!(actions(&app, "person.enable").await.len(), 1);
}

// REQ AUTH-06
// REQ AUTH-04
#[tokio::test]
async fn a_role_granted_renews_the_session_and_may_demand_a_second_factor() {
    let app = TestApp::spawn().await;
    let user = app.login(USER_A).await;
    let admin = app.login(ADMIN).await;
    let person = app.person_id(USER_A).await.to_string();
    let body = app.org_id(BODY_A).await.to_string();
    let granted = admin
        .post_form(
            "/grants",
            &[("person_id", &person), ("org_id", &body), ("role", "Ciso")],
        )
        .await;
    assert_eq!(granted.status(), 303);
    // The old session is gone; the next sign-in asks for the factor the new role demands.
    assert_eq!(user.get("/").await.status(), 303);
    let client = TestApp::client();
    let r = post_login(&app.base, &client, USER_A, rempart::demo::DEMO_PASSWORD).await;
    assert_eq!(r.headers()["location"], "/mfa/enrol");
}

// REQ AUTH-06
#[tokio::test]
async fn sessions_end_when_idle_or_old_and_cookies_are_locked_down() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    let r = post_login(&app.base, &client, USER_A, rempart::demo::DEMO_PASSWORD).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("rempart_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on loopback: no Secure flag"
    );
    assert_eq!(
        client
            .get(format!("{}/", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Idle past 30 minutes: the session is over.
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60 * 1000000")
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        client
            .get(format!("{}/api/v1/me", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // Active but past its absolute lifetime: over too.
    let session = app.login(USER_A).await;
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE revoked_at IS NULL")
        .bind(rempart_storage::now_micros() - 1)
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(session.get("/api/v1/me").await.status(), 401);

    // Behind TLS: a __Host- cookie, Secure, and HSTS.
    let url = rempart_storage::testing::fresh_url().await.unwrap();
    let store = rempart_storage::Store::open(&url, 4).await.unwrap();
    let hash = rempart_web::auth::hash_with(cheap_hashing().params(), rempart::demo::DEMO_PASSWORD)
        .unwrap();
    rempart::demo::load(&store, &hash).await.unwrap();
    let config = rempart_web::WebConfig {
        secure_cookies: true,
        ..Default::default()
    };
    let secure = TestApp::serve_with_config(store, url, cheap_hashing(), config).await;
    let r = post_login(
        &secure.base,
        &TestApp::client(),
        USER_A,
        rempart::demo::DEMO_PASSWORD,
    )
    .await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("__Host-rempart_session=") && cookie.contains("; Secure"),
        "{cookie}"
    );
    assert!(r.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
}

// REQ AUTH-03
#[tokio::test]
async fn an_unused_temporary_password_expires_after_a_week() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let created = admin
        .send_json(Method::POST, "/api/v1/people", &json!({"email": "tard@mfr.gouv.qc.ca", "name": "Léo Tard", "org_id": app.org_id(BODY_A).await}))
        .await;
    let temporary = created.json::<Value>().await.unwrap()["temporary_password"]
        .as_str()
        .unwrap()
        .to_owned();
    sqlx::query("UPDATE persons SET created_at = created_at - 8 * 86400000000 WHERE email = 'tard@mfr.gouv.qc.ca'")
        .execute(app.store.pool())
        .await
        .unwrap();
    let client = TestApp::client();
    assert_eq!(
        post_login(&app.base, &client, "tard@mfr.gouv.qc.ca", &temporary)
            .await
            .status(),
        401
    );
    // A reset by an administrator issues a fresh one that works.
    let id = app.person_id("tard@mfr.gouv.qc.ca").await;
    let reset = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{id}/password/reset"),
            &json!({}),
        )
        .await;
    let fresh = reset.json::<Value>().await.unwrap()["temporary_password"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = post_login(&app.base, &client, "tard@mfr.gouv.qc.ca", &fresh).await;
    assert_eq!(r.headers()["location"], "/password");
}

/// Moves a person's sessions back in time, as if they had signed in `minutes` ago.
async fn age_sessions(app: &TestApp, email: &str, minutes: i64) {
    sqlx::query(
        "UPDATE sessions SET created_at = created_at - $1 WHERE person_id = \
         (SELECT id FROM persons WHERE email = $2)",
    )
    .bind(minutes * 60_000_000)
    .bind(email)
    .execute(app.store.pool())
    .await
    .unwrap();
}

// REQ AUTH-04
// REQ AUTH-08
#[tokio::test]
async fn sensitive_changes_long_after_sign_in_ask_for_every_factor_again() {
    let app = TestApp::spawn().await;
    let tokens = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM api_tokens")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
    };
    let user = app.login(USER_A).await;
    let token_form = [("name", "script"), ("scope", "read"), ("lifetime", "7d")];
    // Just signed in: no question asked.
    assert!(!user
        .get("/profile")
        .await
        .text()
        .await
        .unwrap()
        .contains("Confirmez votre identité"));
    assert_eq!(
        user.post_form("/profile/tokens", &token_form)
            .await
            .status(),
        201
    );

    // Eleven minutes later, the password is asked for, and a wrong one changes nothing.
    age_sessions(&app, USER_A, 11).await;
    let profile = user.get("/profile").await.text().await.unwrap();
    assert!(profile.contains("Confirmez votre identité"));
    assert!(profile.contains("name=\"current_password\""));
    let refused = user.post_form("/profile/tokens", &token_form).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("current_password"));
    let wrong = [&token_form[..], &[("current_password", "pas le bon")]].concat();
    assert_eq!(
        user.post_form("/profile/tokens", &wrong).await.status(),
        422
    );
    assert_eq!(tokens().await, 1);
    let right = [
        &token_form[..],
        &[("current_password", rempart::demo::DEMO_PASSWORD)],
    ]
    .concat();
    assert_eq!(
        user.post_form("/profile/tokens", &right).await.status(),
        201
    );
    assert_eq!(tokens().await, 2);

    // With a second factor enrolled, the password alone is not enough.
    let ciso = app.login(CSIO_A).await;
    age_sessions(&app, CSIO_A, 11).await;
    let profile = ciso.get("/profile").await.text().await.unwrap();
    assert!(profile.contains("name=\"current_code\""));
    let password_only = ciso
        .post_form(
            "/profile/recovery-codes",
            &[("current_password", rempart::demo::DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(password_only.status(), 422);
    assert!(password_only.text().await.unwrap().contains("current_code"));
    let key = format!("{}/{CSIO_A}", app.base);
    let secret = secret_of(&app.base, CSIO_A).unwrap();
    let code = totp_code(&secret, CSIO_A, fresh_step(&key).await);
    let both = ciso
        .post_form(
            "/profile/recovery-codes",
            &[
                ("current_password", rempart::demo::DEMO_PASSWORD),
                ("current_code", code.as_str()),
            ],
        )
        .await;
    assert_eq!(both.status(), 200);
    assert!(both.text().await.unwrap().contains("id=\"recovery-codes\""));

    // A voluntary enrolment of a second factor asks too.
    let enrol = user.get("/mfa/enrol").await.text().await.unwrap();
    assert!(enrol.contains("name=\"current_password\""));
    let r = user.post_form("/mfa/enrol", &[("code", "123456")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("current_password"));

    // Guessing here counts toward the lockout like guessing at the login: the fifth wrong
    // answer in a row (the enrolment above was the first) locks the account and ends its
    // sessions.
    for attempt in 2..=5 {
        let r = user.post_form("/profile/tokens", &wrong).await;
        if attempt < 5 {
            assert_eq!(r.status(), 422, "attempt {attempt}");
        } else {
            assert_eq!(r.status(), 303);
            assert_eq!(r.headers()["location"], "/login");
        }
    }
    assert_eq!(user.get("/profile").await.status(), 303);
    let logged: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_entries WHERE action LIKE 'auth.reauth%' ORDER BY seq",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        logged.iter().filter(|a| *a == "auth.reauth_failed").count(),
        8
    );
    assert_eq!(logged.iter().filter(|a| *a == "auth.reauth").count(), 2);
}

// REQ AUTH-02
// REQ AUTH-08
#[tokio::test]
async fn a_token_rests_while_its_owners_password_is_past_its_validity() {
    let app = TestApp::spawn_configured(|_| {
        let mut config = rempart_web::WebConfig::default();
        config.password_policy.max_age_days = Some(90);
        config
    })
    .await;
    let url = app.url.expose().to_owned();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rempart"))
        .args(["admin", "create-token", "--user", USER_A, "--scope", "read"])
        .args(["--database-url", &url])
        .output()
        .unwrap();
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let me = || async {
        TestApp::client()
            .get(format!("{}/api/v1/me", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
    };
    sqlx::query("UPDATE persons SET password_changed_at = $1 WHERE email = $2")
        .bind(rempart_storage::now_micros())
        .bind(USER_A)
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(me().await, 200);
    // 91 days later, the password is owed a change: the token rests until it is made.
    sqlx::query("UPDATE persons SET password_changed_at = $1 WHERE email = $2")
        .bind(rempart_storage::now_micros() - 91 * 86_400_000_000)
        .bind(USER_A)
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(me().await, 401);
}
