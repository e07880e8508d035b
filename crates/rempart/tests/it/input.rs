//! Bad input never panics and never answers 500 (PLAT-07, the house rule): malformed bodies,
//! wrong types, oversized and hostile values are sent to every route; each answer is a 4xx
//! (or a success that changed nothing it should not), and the API's is the one error body.

use axum::http::Method;
use rempart_web::policy::RouteSpec;
use serde_json::{json, Value};

use crate::kit::*;

fn table() -> Vec<RouteSpec> {
    let (_, table) = rempart_web::routes::routes().into_parts();
    table.routes().to_vec()
}

enum Body {
    Raw(&'static str, Vec<u8>),
    Json(Value),
    Form(Vec<(String, String)>),
}

fn hostile_bodies() -> Vec<(&'static str, Body)> {
    let long = "é".repeat(20_000);
    vec![
        (
            "truncated json",
            Body::Raw("application/json", b"{\"name\": ".to_vec()),
        ),
        (
            "not json",
            Body::Raw("application/json", b"<xml/>".to_vec()),
        ),
        ("json array", Body::Json(json!([1, 2, 3]))),
        (
            "wrong types",
            Body::Json(
                json!({"name": 5, "kind": [], "parent_id": "x", "org_id": {}, "person_id": -1, "role": null, "email": true}),
            ),
        ),
        (
            "unknown fields",
            Body::Json(json!({"name": "x", "kind": "unit", "parent_id": 1, "admin": true})),
        ),
        (
            "huge numbers",
            Body::Json(
                json!({"name": "x", "kind": "unit", "parent_id": 1e300, "org_id": 99999999999999999999u128 as f64}),
            ),
        ),
        (
            "hostile strings",
            Body::Json(
                json!({"name": "<script>alert(1)</script>\u{0}", "kind": "unit'; DROP TABLE organizations; --", "parent_id": 1, "email": "a@b.c\r\nBcc: x@y.z", "org_id": 1, "person_id": 1, "role": "PlatformAdmin"}),
            ),
        ),
        (
            "long strings",
            Body::Json(
                json!({"name": long, "slug": long, "kind": "unit", "parent_id": 1, "email": long, "org_id": 1}),
            ),
        ),
        (
            "oversized body",
            Body::Raw("application/json", vec![b'a'; 2 * 1024 * 1024]),
        ),
        (
            "binary",
            Body::Raw("application/octet-stream", vec![0, 159, 146, 150, 255]),
        ),
        (
            "form with hostile values",
            Body::Form(vec![
                ("name".into(), "<img src=x onerror=alert(1)>".into()),
                ("parent_id".into(), "1 OR 1=1".into()),
                ("org_id".into(), "-99999999999999999999".into()),
                ("person_id".into(), "NaN".into()),
                ("kind".into(), "\u{0}".into()),
                ("language".into(), "klingon".into()),
                ("version".into(), "abc".into()),
                ("email".into(), long.clone()),
            ]),
        ),
        (
            "form with duplicated fields",
            Body::Form(vec![
                ("name".into(), "a".into()),
                ("name".into(), "b".into()),
                ("parent_id".into(), "".into()),
            ]),
        ),
        (
            "broken urlencoding",
            Body::Raw(
                "application/x-www-form-urlencoded",
                b"name=%ZZ&parent_id=%".to_vec(),
            ),
        ),
    ]
}

const HOSTILE_IDS: [&str; 5] = ["abc", "99999999999999999999", "-1", "0", "%00"];
const HOSTILE_QUERIES: [&str; 6] = [
    "?limit=abc&offset=-5",
    "?limit=100000&sort=password_hash&order=sideways",
    "?q=%25%27%22%3B--&kind=ministry",
    "?from=31/12/2026&to=tomorrow&org_id=x",
    "?offset=999999999999&limit=-1",
    "?q=%ZZ",
];

async fn check(
    app: &TestApp,
    session: &Session,
    method: &Method,
    path: &str,
    body: Option<&Body>,
    what: &str,
) {
    let url = session.url(path);
    let mut request = session
        .client
        .request(method.clone(), &url)
        .header("x-csrf-token", &session.csrf);
    request = match body {
        Some(Body::Raw(content_type, bytes)) => request
            .header("content-type", *content_type)
            .body(bytes.clone()),
        Some(Body::Json(value)) => request.json(value),
        Some(Body::Form(fields)) => request.form(fields),
        None => request,
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    assert!(
        status < 500,
        "{method} {path} with {what} answered {status}"
    );
    let is_api = path.starts_with("/api/") && path != "/api/v1/openapi.json";
    if status >= 400 && is_api {
        let text = response.text().await.unwrap();
        let body: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{method} {path} with {what}: not the error body: {text}"));
        assert!(
            body["code"].is_string() && body["message"].is_string() && body["fields"].is_array(),
            "{method} {path} with {what}: {body}"
        );
        if status == 422 {
            let message = body["message"].as_str().unwrap();
            assert!(!message.is_empty());
        }
    }
    let _ = app;
}

// REQ PLAT-07
#[tokio::test]
async fn no_route_answers_500_to_malformed_input() {
    let app = TestApp::spawn().await;
    // The administrator reaches the management handlers, the auditor the audit ones.
    let sessions = [app.login(ADMIN).await, app.login(AUDITOR).await];
    let routes = table();
    for session in &sessions {
        for route in &routes {
            if route.path == "/logout" {
                continue;
            }
            let paths: Vec<String> = if route.path.contains("{id}") {
                HOSTILE_IDS
                    .iter()
                    .map(|id| route.path.replace("{id}", id))
                    .collect()
            } else {
                HOSTILE_QUERIES
                    .iter()
                    .map(|q| format!("{}{q}", route.path))
                    .collect()
            };
            for path in &paths {
                check(&app, session, &route.method, path, None, "no body").await;
            }
            if route.method != Method::GET {
                let path = route.path.replace("{id}", "1");
                for (what, body) in hostile_bodies() {
                    check(&app, session, &route.method, &path, Some(&body), what).await;
                }
            }
        }
    }
    // Nothing hostile got in, and the trail still verifies.
    let hostile: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE name LIKE '%<%'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(hostile, 0);
    assert!(rempart_storage::audit::verify(&app.store, &[])
        .await
        .unwrap()
        .is_intact());
}

// REQ PLAT-07
#[tokio::test]
async fn validation_errors_name_the_field_in_the_callers_language() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let body_a = app.org_id(BODY_A).await;
    let response = admin
        .send_json(
            Method::POST,
            "/api/v1/organizations",
            &json!({"name": "  ", "kind": "ministry", "parent_id": body_a, "slug": "Pas Bon"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid");
    let fields: Vec<(String, String)> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        fields.contains(&("name".into(), "Ce champ est obligatoire.".into())),
        "{fields:?}"
    );
    assert!(
        fields
            .iter()
            .any(|(f, m)| f == "kind" && m == "Cette valeur n'est pas permise."),
        "{fields:?}"
    );
    assert!(fields.iter().any(|(f, _)| f == "slug"), "{fields:?}");

    // The same in English for a caller who prefers it.
    let english = admin
        .client
        .post(admin.url("/api/v1/organizations"))
        .header("x-csrf-token", &admin.csrf)
        .json(&json!({"name": "", "kind": "unit", "parent_id": body_a}))
        .send()
        .await
        .unwrap();
    let body: Value = english.json().await.unwrap();
    // The admin's own preference is French; Accept-Language only decides for anonymous callers.
    assert_eq!(body["fields"][0]["message"], "Ce champ est obligatoire.");
    let anonymous = TestApp::client()
        .get(format!("{}/api/v1/organizations", app.base))
        .header("accept-language", "en-CA,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["message"], "You must sign in.");

    // Wrong JSON types are named too, in French.
    let response = admin
        .send_json(
            Method::POST,
            "/api/v1/organizations",
            &json!({"name": 5, "kind": "unit", "parent_id": body_a}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "bad_request");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("La requête est mal formée"),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("name"), "{body}");
}
