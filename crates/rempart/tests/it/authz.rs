//! Deny by default and organization scope, proven route by route (AUTHZ-01).

use axum::http::Method;
use axum::routing::get;
use rempart::demo::ACCOUNTS;
use rempart_domain::authz::role_has;
use rempart_web::policy::{Policy, RouteSpec};
use serde_json::json;

use crate::kit::*;

fn table() -> Vec<RouteSpec> {
    let (_, table) = rempart_web::routes::routes().into_parts();
    table.routes().to_vec()
}

fn with_id(path: &str, id: i64) -> String {
    // Routes with a second parameter get the same number (the first record's scope refuses
    // before the second is read), and a role name where one is expected.
    path.replace("{id}", &id.to_string())
        .replace("{asset_id}", &id.to_string())
        .replace("{task_id}", &id.to_string())
        .replace("{file_id}", &id.to_string())
        .replace("{org_id}", &id.to_string())
        .replace("{document}", &id.to_string())
        .replace("{risk_id}", &id.to_string())
        .replace("{control_id}", &id.to_string())
        .replace("{version}", "original")
        .replace("{role}", "lead")
        .replace("{letter}", "acknowledgement")
}

fn words() -> rempart_storage::inbox::Notifier<'static> {
    rempart_storage::inbox::Notifier {
        wording: &rempart_web::gmvi::Words,
        email: false,
    }
}

/// Body B's GMVI records, made once: an event, a high-severity incident (with its notices), a
/// notification of its privacy officer, and an alert to body B alone.
async fn gmvi_records(app: &TestApp) -> (i64, i64, i64, i64, i64) {
    use rempart_storage::scope::Scope;
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM security_events WHERE summary = 'Événement de l''agence'",
    )
    .fetch_optional(app.store.pool())
    .await
    .unwrap();
    if existing.is_none() {
        let privacy_b = app.person_id(PRIVACY_B).await;
        let body_b = app.org_id(BODY_B).await;
        // Body B's privacy officer acts, as a person: incidents and alerts name who opened them.
        let mut w = app
            .store
            .write(rempart_storage::AuditContext {
                actor_id: Some(privacy_b),
                actor_label: PRIVACY_B.into(),
                source: "test".into(),
            })
            .await
            .unwrap();
        let report = rempart_domain::incident::EventDraft {
            summary: "Événement de l'agence".into(),
            ..Default::default()
        }
        .check(rempart_web::time::today())
        .unwrap();
        rempart_storage::events::report(&mut w, &words(), privacy_b, Some(body_b), None, &report)
            .await
            .unwrap();
        let input = rempart_domain::incident::IncidentDraft {
            title: "Incident de l'agence".into(),
            category: "malware".into(),
            severity: "high".into(),
            ..Default::default()
        }
        .check()
        .unwrap();
        let now = w.now();
        rempart_storage::incidents::open(
            &mut w,
            &words(),
            Scope::LocalAdministrator,
            body_b,
            &input,
            now,
        )
        .await
        .unwrap();
        rempart_storage::inbox::notify(
            &mut w,
            &words(),
            &[privacy_b],
            None,
            &rempart_storage::inbox::Message {
                kind: "alert-issued",
                args: vec![("reference", "X".into()), ("title", "Agence".into())],
                link: "/".into(),
            },
        )
        .await
        .unwrap();
        let alert = rempart_domain::alert::AlertInput {
            kind: rempart_domain::alert::AlertKind::Measure,
            title: "Mesure de l'agence".into(),
            description: String::new(),
            severity: rempart_domain::escalation::Severity::High,
            due_on: Some(rempart_web::time::today()),
            due_rule: String::new(),
        };
        rempart_storage::alerts::issue(
            &mut w,
            &words(),
            Scope::LocalAdministrator,
            app.org_id("cocd-capitale-demo").await,
            &alert,
            &rempart_storage::alerts::Targets::Chosen(vec![body_b]),
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
    }
    let one = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(app.store.pool())
            .await
            .unwrap()
    };
    (
        one("SELECT id FROM security_events WHERE summary = 'Événement de l''agence'").await,
        one("SELECT id FROM incidents WHERE title = 'Incident de l''agence'").await,
        one(
            "SELECT MIN(x.id) FROM notices x JOIN incidents i ON i.id = x.subject_id \
             WHERE x.subject_type = 'incident' AND i.title = 'Incident de l''agence'",
        )
        .await,
        one(
            "SELECT MAX(n.id) FROM notifications n JOIN persons p ON p.id = n.person_id \
             WHERE p.email = 'rprp@demo.rempart.quebec'",
        )
        .await,
        one("SELECT id FROM alerts WHERE title = 'Mesure de l''agence'").await,
    )
}

/// A centre's lead who serves no body: for the routes that only a centre may take, pointed at
/// another centre's records.
async fn lone_centre_lead(app: &TestApp) -> Session {
    const EMAIL: &str = "rocd.seul@demo.rempart.quebec";
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM persons WHERE email = $1")
        .bind(EMAIL)
        .fetch_optional(app.store.pool())
        .await
        .unwrap();
    if exists.is_none() {
        use rempart_storage::scope::Scope;
        let mut w = app
            .store
            .write(rempart_storage::AuditContext::system("test"))
            .await
            .unwrap();
        let centre = rempart_storage::orgs::create(
            &mut w,
            Scope::LocalAdministrator,
            &rempart_storage::orgs::NewOrganization {
                name: "Centre sans organisme".into(),
                slug: None,
                kind: "operational_centre".into(),
                parent_id: Some(app.org_id("cgcd-demo").await),
            },
        )
        .await
        .unwrap();
        let hash =
            rempart_web::auth::hash_with(cheap_hashing().params(), rempart::demo::DEMO_PASSWORD)
                .unwrap();
        let person = rempart_storage::persons::create(
            &mut w,
            Scope::LocalAdministrator,
            &rempart_storage::persons::NewPerson {
                email: EMAIL.into(),
                name: "Responsable seul".into(),
                org_id: Some(centre.id),
                language: None,
            },
            &hash,
            false,
        )
        .await
        .unwrap();
        rempart_storage::grants::create(
            &mut w,
            Scope::LocalAdministrator,
            Some(person.id),
            Some(centre.id),
            "CyberdefenceLead",
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
    }
    app.login(EMAIL).await
}

/// A privacy officer of body A, who handles body A's access requests and must reach none of
/// body B's.
async fn privacy_officer_a(app: &TestApp) -> Session {
    const EMAIL: &str = "rprp.ministere@demo.rempart.quebec";
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM persons WHERE email = $1")
        .bind(EMAIL)
        .fetch_optional(app.store.pool())
        .await
        .unwrap();
    if exists.is_none() {
        use rempart_storage::scope::Scope;
        let mut w = app
            .store
            .write(rempart_storage::AuditContext::system("test"))
            .await
            .unwrap();
        let hash =
            rempart_web::auth::hash_with(cheap_hashing().params(), rempart::demo::DEMO_PASSWORD)
                .unwrap();
        let body_a = app.org_id(BODY_A).await;
        let person = rempart_storage::persons::create(
            &mut w,
            Scope::LocalAdministrator,
            &rempart_storage::persons::NewPerson {
                email: EMAIL.into(),
                name: "Responsable de l'accès du ministère".into(),
                org_id: Some(body_a),
                language: None,
            },
            &hash,
            false,
        )
        .await
        .unwrap();
        rempart_storage::grants::create(
            &mut w,
            Scope::LocalAdministrator,
            Some(person.id),
            Some(body_a),
            "PrivacyOfficer",
        )
        .await
        .unwrap();
        // And sits on body A's committee: the committee's routes are tried too.
        rempart_storage::grants::create(
            &mut w,
            Scope::LocalAdministrator,
            Some(person.id),
            Some(body_a),
            "Committee",
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
    }
    app.login(EMAIL).await
}

/// An access request body B received, recorded once.
async fn access_request_b(app: &TestApp) -> i64 {
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(id) FROM access_requests WHERE requester_name = 'Demandeur de l''agence'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    if let Some(id) = existing {
        return id;
    }
    rempart_storage::access_requests::create(
        &app.store,
        rempart_storage::scope::Scope::LocalAdministrator,
        rempart_storage::AuditContext::system("test"),
        app.org_id(BODY_B).await,
        &rempart_domain::access_request::NewRequest {
            kind: "documents".into(),
            requester_name: "Demandeur de l'agence".into(),
            requester_contact: "demandeur@example.org".into(),
            subject: "Les politiques de sécurité".into(),
            received_on: "2026-06-04".into(),
            language: "fr".into(),
        },
        rempart_web::time::today(),
        &Default::default(),
    )
    .await
    .unwrap()
}

fn entry_json() -> serde_json::Value {
    json!({"information": "Noms", "circumstances": "Courriel mal adressé",
           "occurred_from": "2026-06-01", "aware_on": "2026-06-02", "persons": "3"})
}

/// A confidentiality incident body B recorded, once.
async fn confidentiality_b(app: &TestApp) -> i64 {
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(id) FROM confidentiality_incidents WHERE circumstances = 'Incident de l''agence'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    if let Some(id) = existing {
        return id;
    }
    rempart_storage::confidentiality::create(
        &app.store,
        rempart_storage::scope::Scope::LocalAdministrator,
        rempart_storage::AuditContext::system("test"),
        app.org_id(BODY_B).await,
        &rempart_domain::confidentiality::EntryInput {
            information: "Dossiers".into(),
            circumstances: "Incident de l'agence".into(),
            occurred_from: "2026-06-01".into(),
            aware_on: "2026-06-02".into(),
            persons: "10".into(),
            ..Default::default()
        },
        rempart_web::time::today(),
    )
    .await
    .unwrap()
}

/// A complaint about body B, sent by the public, once.
/// Body B's privacy impact assessment, started from a new collection.
async fn privacy_assessment_b(app: &TestApp) -> i64 {
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(id) FROM privacy_assessments WHERE title = 'Évaluation de l''agence'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    if let Some(id) = existing {
        return id;
    }
    rempart_storage::privacy_assessments::create(
        &app.store,
        rempart_storage::scope::Scope::LocalAdministrator,
        rempart_storage::AuditContext::system("test"),
        &rempart_domain::privacy_assessment::AssessmentInput {
            org_id: app.org_id(BODY_B).await.to_string(),
            title: "Évaluation de l'agence".into(),
            trigger: "collection".into(),
            collection: "Sondage des usagers".into(),
            ..Default::default()
        },
        rempart_web::time::today(),
    )
    .await
    .unwrap()
    .0
}

/// A personal-information file of body B.
async fn personal_info_file_b(app: &TestApp) -> i64 {
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(id) FROM personal_info_files WHERE name = 'Fichier de l''agence'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    if let Some(id) = existing {
        return id;
    }
    rempart_storage::personal_info_files::create(
        &app.store,
        rempart_storage::scope::Scope::LocalAdministrator,
        rempart_storage::AuditContext::system("test"),
        &rempart_domain::personal_info_file::FileInput {
            org_id: app.org_id(BODY_B).await.to_string(),
            name: "Fichier de l'agence".into(),
            purpose: "Servir les usagers".into(),
            categories: "Identité".into(),
            sensitivity: "high".into(),
            holders: "Direction clinique".into(),
            retention_rule: "Règle 1".into(),
            retention_years: "5".into(),
            end_action: "destroy".into(),
            purposes_achieved_on: "2019-01-01".into(),
            ..Default::default()
        },
        rempart_web::time::today(),
    )
    .await
    .unwrap()
}

async fn complaint_b(app: &TestApp) -> i64 {
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT MIN(id) FROM complaints WHERE name = 'Plaignant de l''agence'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    if let Some(id) = existing {
        return id;
    }
    rempart_storage::complaints::receive(
        &app.store,
        None,
        rempart_storage::AuditContext::system("test"),
        &words(),
        &rempart_domain::complaint::ComplaintInput {
            org_id: app.org_id(BODY_B).await.to_string(),
            name: "Plaignant de l'agence".into(),
            contact: "plaignant@example.org".into(),
            grounds: "Communication".into(),
            facts: "Mon dossier a été communiqué sans mon accord.".into(),
        },
        "fr",
        Some("b".repeat(64).as_str()),
    )
    .await
    .unwrap()
    .id
}

async fn send(
    session_client: &reqwest::Client,
    base: &str,
    csrf: &str,
    method: &Method,
    path: &str,
) -> reqwest::Response {
    let url = format!("{base}{path}");
    let request = match *method {
        Method::GET => session_client.get(url),
        Method::POST if path.starts_with("/api/") => session_client.post(url).json(&json!({})),
        Method::POST => session_client.post(url).form(&[("csrf", csrf)]),
        Method::PATCH => session_client.patch(url).json(&json!({})),
        Method::PUT => session_client.put(url).json(&json!({})),
        Method::DELETE => session_client.delete(url),
        _ => unreachable!("no route uses {method}"),
    };
    request.header("x-csrf-token", csrf).send().await.unwrap()
}

// REQ AUTHZ-01
#[tokio::test]
async fn a_route_without_a_policy_is_refused_even_to_an_administrator() {
    let routes =
        rempart_web::routes::routes().unregistered("/undeclared", get(|| async { "leaked" }));
    let app = TestApp::spawn_with(routes).await;
    let anonymous = TestApp::client()
        .get(format!("{}/undeclared", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 403);
    let admin = app.login(ADMIN).await;
    let response = admin.get("/undeclared").await;
    assert_eq!(response.status(), 403);
    assert!(!response.text().await.unwrap().contains("leaked"));
}

// REQ AUTHZ-01
#[tokio::test]
async fn every_non_public_route_refuses_anonymous_callers() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    let mut checked = 0;
    for route in table().iter().filter(|r| r.policy != Policy::Public) {
        let path = with_id(route.path, 1);
        let before = app.audit_seq().await;
        let response = send(&client, &app.base, "", &route.method, &path).await;
        let status = response.status().as_u16();
        if route.path.starts_with("/api/") || route.method != Method::GET {
            assert_eq!(status, 401, "{} {}", route.method, route.path);
        } else {
            assert_eq!(status, 303, "{} {}", route.method, route.path);
            let location = response.headers()["location"].to_str().unwrap().to_owned();
            assert!(location.starts_with("/login?next="), "{location}");
        }
        assert_eq!(
            app.audit_seq().await,
            before,
            "{} {} changed data",
            route.method,
            route.path
        );
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} routes checked");
}

// REQ AUTHZ-01
#[tokio::test]
async fn every_role_is_refused_what_its_permissions_do_not_give() {
    let app = TestApp::spawn().await;
    let routes = table();
    for account in ACCOUNTS {
        let session = app.login(account.email).await;
        for route in &routes {
            // Ids that exist nowhere: an allowed call then fails on the record, never mutates.
            let path = with_id(route.path, 987_654);
            if route.path == "/logout" {
                continue;
            }
            let response = send(
                &session.client,
                &app.base,
                &session.csrf,
                &route.method,
                &path,
            )
            .await;
            let status = response.status().as_u16();
            match route.policy {
                Policy::Needs(permission) if !role_has(account.role, permission) => {
                    assert_eq!(
                        status, 403,
                        "{:?} {} {}",
                        account.role, route.method, route.path
                    );
                }
                _ => assert_ne!(
                    status, 403,
                    "{:?} {} {}",
                    account.role, route.method, route.path
                ),
            }
            assert!(
                status < 500,
                "{:?} {} {} → {status}",
                account.role,
                route.method,
                route.path
            );
        }
    }
}

/// The record of body B that each `{id}` route is pointed at by body A's CISO.
async fn foreign_id(app: &TestApp, path: &str) -> i64 {
    if path.starts_with("/orgs/") || path.starts_with("/api/v1/organizations/") {
        app.org_id(UNIT_B).await
    } else if path.starts_with("/api/v1/people/") {
        app.person_id(PRIVACY_B).await
    } else if path.starts_with("/grants/") || path.starts_with("/api/v1/grants/") {
        app.grant_id(PRIVACY_B).await
    } else if path.starts_with("/profile/tokens/") {
        // Another person's token.
        let mut w = app
            .store
            .write(rempart_storage::AuditContext::system("test"))
            .await
            .unwrap();
        let person = app.person_id(PRIVACY_B).await;
        let id = rempart_storage::tokens::create(
            &mut w,
            rempart_storage::tokens::NewToken {
                token: "rmp_foreign",
                person_id: person,
                person_org_id: app.org_id(BODY_B).await,
                name: "b",
                scope: "read",
                expires_at: i64::MAX,
            },
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        id
    } else if path.starts_with("/assets/") || path.starts_with("/api/v1/assets/") {
        // An asset of the agency (body B).
        sqlx::query_scalar::<_, i64>("SELECT id FROM assets WHERE name = $1")
            .bind("Dossier clinique informatisé")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
    } else if path.starts_with("/projects/") || path.starts_with("/api/v1/projects/") {
        // A project of the agency (body B), recorded once for the routes that use one.
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM projects WHERE name = 'Projet de l''agence'")
                .fetch_optional(app.store.pool())
                .await
                .unwrap();
        if let Some(id) = existing {
            return id;
        }
        let mut w = app
            .store
            .write(rempart_storage::AuditContext::system("test"))
            .await
            .unwrap();
        let id = rempart_storage::indicators::create_project(
            &mut w,
            rempart_storage::scope::Scope::LocalAdministrator,
            rempart_domain::indicator::ProjectInput {
                org_id: app.org_id(BODY_B).await,
                name: "Projet de l'agence".into(),
                description: String::new(),
                go_live_on: "2027-01-01".into(),
            },
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        id
    } else if path.starts_with("/controls/") || path.starts_with("/api/v1/control-catalogs/") {
        // A catalog the agency (body B) imported for itself.
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/oscal/basic-catalog.json"
        ))
        .unwrap();
        rempart_web::controls::import(
            &app.store,
            rempart_storage::AuditContext::system("test"),
            rempart_storage::scope::Scope::LocalAdministrator,
            app.org_id(BODY_B).await,
            None,
            &bytes,
            None,
        )
        .await
        .unwrap()
        .imported
        .id
    } else if path.starts_with("/risks/") || path.starts_with("/api/v1/risks/") {
        // A risk of the agency (body B).
        sqlx::query_scalar::<_, i64>("SELECT id FROM risks WHERE title = $1")
            .bind("Rançongiciel sur le dossier clinique informatisé")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
    } else if path.starts_with("/events/") || path.starts_with("/api/v1/events/") {
        gmvi_records(app).await.0
    } else if path.starts_with("/incidents/") || path.starts_with("/api/v1/incidents/") {
        gmvi_records(app).await.1
    } else if path.starts_with("/notices/") || path.starts_with("/api/v1/notices/") {
        gmvi_records(app).await.2
    } else if path.starts_with("/inbox/") || path.starts_with("/api/v1/inbox/") {
        gmvi_records(app).await.3
    } else if path.starts_with("/alerts/") || path.starts_with("/api/v1/alerts/") {
        gmvi_records(app).await.4
    } else if path.starts_with("/api/v1/vulnerabilities/")
        || path.starts_with("/api/v1/scans/")
        || path.starts_with("/vulnerabilities/")
    {
        // A scan report the agency (body B) imported, once for the routes that use one.
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT MAX(id) FROM scan_imports WHERE file_name = 'agence.xml'")
                .fetch_one(app.store.pool())
                .await
                .unwrap();
        let import = match existing {
            Some(id) => id,
            None => {
                let bytes = std::fs::read(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../../shared/data/scans/openvas/one_vuln.xml"
                ))
                .unwrap();
                rempart_web::scan_import::import(
                    &app.store,
                    rempart_storage::scope::Scope::LocalAdministrator,
                    rempart_storage::AuditContext::system("test"),
                    rempart_web::scan_import::ScanFile {
                        reader: std::io::Cursor::new(bytes),
                        file_name: "agence.xml".into(),
                        format: None,
                        org_id: app.org_id(BODY_B).await,
                        min_severity: rempart_domain::cvss::Severity::Low,
                        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
                    },
                )
                .await
                .unwrap()
                .import_id
            }
        };
        if path.starts_with("/api/v1/scans/") || path.starts_with("/vulnerabilities/imports/") {
            return import;
        }
        sqlx::query_scalar::<_, i64>(
            "SELECT MIN(id) FROM vulnerabilities WHERE first_import_id = $1",
        )
        .bind(import)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
    } else if path.starts_with("/api/v1/disclosures/") || path.starts_with("/disclosures/") {
        // A public report on a host no asset names: it goes to the network's root.
        let input = rempart_domain::disclosure::DisclosureInput {
            service: "https://inconnu.example.org".into(),
            title: "Pirate".into(),
            description: "Une description assez longue pour passer.".into(),
            ..Default::default()
        };
        rempart_storage::disclosures::submit(
            &app.store,
            rempart_storage::AuditContext::system("test"),
            &words(),
            &input,
            "inconnu.example.org",
            "fr",
            &format!("{:064}", app.audit_seq().await),
        )
        .await
        .unwrap()
        .id
    } else if path.starts_with("/api/v1/advisories/") || path.starts_with("/advisories/") {
        // An advisory the agency (body B) recorded.
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/csaf/rhsa-2022_0011.json"
        ))
        .unwrap();
        let advisory = rempart_interchange::csaf::read(
            &bytes,
            rempart_interchange::csaf::CsafLimits::default(),
        )
        .unwrap();
        rempart_storage::advisories::record(
            &app.store,
            rempart_storage::scope::Scope::LocalAdministrator,
            rempart_storage::AuditContext::system("test"),
            &rempart_storage::inbox::Notifier {
                wording: &rempart_web::gmvi::Words,
                email: false,
            },
            rempart_storage::advisories::Recording {
                org_id: app.org_id(BODY_B).await,
                advisory: &advisory,
                source: rempart_storage::advisories::AdvisorySource::Csaf,
                sha256: Some("agence"),
            },
        )
        .await
        .unwrap()
        .advisory_id
    } else if path.starts_with("/access-requests/") || path.starts_with("/api/v1/access-requests/")
    {
        access_request_b(app).await
    } else if path.starts_with("/confidentiality-incidents/")
        || path.starts_with("/api/v1/confidentiality-incidents/")
    {
        confidentiality_b(app).await
    } else if path.starts_with("/complaints/") || path.starts_with("/api/v1/complaints/") {
        complaint_b(app).await
    } else if path.starts_with("/privacy-assessments/")
        || path.starts_with("/api/v1/privacy-assessments/")
    {
        privacy_assessment_b(app).await
    } else if path.starts_with("/personal-info-files/")
        || path.starts_with("/api/v1/personal-info-files/")
    {
        personal_info_file_b(app).await
    } else if path.starts_with("/profile/sso/") {
        // Another person's link to the single sign-on provider.
        let mut w = app
            .store
            .write(rempart_storage::AuditContext::system("test"))
            .await
            .unwrap();
        let id = app.person_id(PRIVACY_B).await;
        let person = rempart_storage::persons::get_self(&app.store, id)
            .await
            .unwrap();
        let link = rempart_storage::sso::link(&mut w, &person, "https://idp.example", "b")
            .await
            .unwrap();
        w.commit().await.unwrap();
        link
    } else if path.starts_with("/profile/sessions/") {
        // Another person's session: the privacy officer of body B signed in first.
        sqlx::query_scalar::<_, i64>(
            "SELECT s.id FROM sessions s JOIN persons p ON p.id = s.person_id \
             WHERE p.email = $1 ORDER BY s.id DESC LIMIT 1",
        )
        .bind(PRIVACY_B)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
    } else {
        panic!(
            "no foreign record chosen for {path}: add it here so that the route is proven scoped"
        )
    }
}

async fn snapshot(app: &TestApp) -> (i64, i64, i64, i64) {
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(app.store.pool())
            .await
            .unwrap()
    };
    (
        app.audit_seq().await,
        count("SELECT COUNT(*) FROM organizations").await,
        count("SELECT COUNT(*) FROM persons").await,
        count("SELECT COUNT(*) FROM role_grants").await,
    )
}

// REQ AUTHZ-01
#[tokio::test]
async fn another_bodys_records_cannot_be_read_or_changed_by_id() {
    let app = TestApp::spawn().await;
    let privacy_b = app.login(PRIVACY_B).await;
    let ciso_a = app.login(CSIO_A).await;
    // Classifying is the holder's: body A's holder tries it on body B's asset.
    let holder_a = app.login(HOLDER_A).await;
    let own_asset: i64 = sqlx::query_scalar("SELECT id FROM assets WHERE name = 'Intranet'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let unit_b = app.org_id(UNIT_B).await;
    let name_before: String = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
        .bind(unit_b)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    // Made before any snapshot: the people and records the loop points at.
    let lone_lead = lone_centre_lead(&app).await;
    let privacy_a = privacy_officer_a(&app).await;
    let mut covered = 0;
    for route in table().iter().filter(|r| r.path.contains("{id}")) {
        let id = foreign_id(&app, route.path).await;
        let path = with_id(route.path, id);
        let before = snapshot(&app).await;
        let ciso_a = match route.policy {
            // Only a centre issues alerts: a centre that serves no body tries another's.
            Policy::Needs(p @ rempart_domain::authz::Permission::AlertIssue) => {
                assert!(!role_has(rempart_domain::role::Role::Ciso, p));
                &lone_lead
            }
            // Personal information: body A's privacy officer tries body B's.
            Policy::Needs(
                rempart_domain::authz::Permission::PrivacyRead
                | rempart_domain::authz::Permission::PrivacyManage
                | rempart_domain::authz::Permission::PrivacyGovernanceRead
                | rempart_domain::authz::Permission::CommitteeOpinion,
            ) => &privacy_a,
            Policy::Needs(p) if !role_has(rempart_domain::role::Role::Ciso, p) => &holder_a,
            _ => &ciso_a,
        };
        let response = match (&route.method, route.path) {
            (&Method::POST, p) if p.ends_with("/rename") => {
                ciso_a.post_form(&path, &[("name", "Pirate")]).await
            }
            (&Method::POST, p) if p.ends_with("/move") => {
                let own = app.org_id(BODY_A).await.to_string();
                ciso_a.post_form(&path, &[("parent_id", &own)]).await
            }
            // A body each API route accepts, so that only the scope can refuse.
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/classification") => {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"availability": 1, "integrity": 1, "confidentiality": 1}),
                    )
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/dependencies") => {
                ciso_a
                    .send_json(Method::POST, &path, &json!({"depends_on_id": own_asset}))
                    .await
            }
            // The page forms with what they accept, so that only the scope can refuse.
            (&Method::POST, p) if p.starts_with("/projects/") => {
                let risk = risk_id(&app, "Vol d'identifiants de la messagerie").await;
                ciso_a
                    .post_form(&path, &[("risk_id", &risk.to_string())])
                    .await
            }
            (&Method::POST, p) if p.starts_with("/controls/") && p.ends_with("/status") => {
                let own = app.org_id(BODY_A).await.to_string();
                ciso_a
                    .post_form(
                        &path,
                        &[
                            ("org_id", own.as_str()),
                            ("control_id", "1"),
                            ("status", "implemented"),
                        ],
                    )
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/v1/projects/") => {
                let risk = sqlx::query_scalar::<_, i64>("SELECT MIN(id) FROM risks")
                    .fetch_one(app.store.pool())
                    .await
                    .unwrap();
                ciso_a
                    .send_json(Method::POST, &path, &json!({"risk_id": risk}))
                    .await
            }
            (&Method::PUT, p) if p.starts_with("/api/v1/personal-info-files/") => {
                ciso_a
                    .send_json(Method::PUT, &path, &json!({"name": "Pirate"}))
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/v1/privacy-assessments/") => {
                // Every body these routes accept, so that only the scope can refuse.
                let risk = risk_id(&app, "Vol d'identifiants de la messagerie").await;
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"risk_id": risk, "control_key": "ac-2", "stage": "outset",
                            "given_on": "2026-01-05", "opinion": "Pirate",
                            "decision": "refused", "decided_on": "2026-01-05",
                            "text": "Pirate"}),
                    )
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/controls") => {
                ciso_a
                    .send_json(Method::POST, &path, &json!({"control_id": 1}))
                    .await
            }
            (&Method::DELETE, p) if p.ends_with("/controls") => {
                ciso_a
                    .send_json(Method::DELETE, &path, &json!({"control_id": 1}))
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/approve") => {
                ciso_a
                    .send_json(Method::POST, &path, &json!({"justification": "Pirate"}))
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/reassessments") => {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"kind": "audit_finding", "detail": "Pirate"}),
                    )
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/legal-changes") => {
                ciso_a
                    .send_json(Method::POST, &path, &json!({"change": "Pirate"}))
                    .await
            }
            (&Method::PUT, p) if p.ends_with("/control-status") => {
                ciso_a
                    .send_json(
                        Method::PUT,
                        &path,
                        &json!({"control_id": 1, "status": "implemented"}),
                    )
                    .await
            }
            (&Method::PUT, p) if p.ends_with("/risk-method") => {
                let method = serde_json::to_value(rempart_domain::risk::Method::default()).unwrap();
                ciso_a.send_json(Method::PUT, &path, &method).await
            }
            (&Method::PUT, p) if p.starts_with("/api/v1/risks/") => {
                let owner = app.person_id(CSIO_A).await;
                let asset =
                    sqlx::query_scalar::<_, i64>("SELECT id FROM assets WHERE name = 'Intranet'")
                        .fetch_one(app.store.pool())
                        .await
                        .unwrap();
                ciso_a
                    .send_json(
                        Method::PUT,
                        &path,
                        &json!({"org_id": app.org_id(BODY_A).await, "title": "Pirate",
                                "threat": "t", "vulnerability": "v", "owner_id": owner,
                                "asset_ids": [asset], "likelihood": 1,
                                "impact_availability": 1, "impact_integrity": 1,
                                "impact_confidentiality": 1, "version": 1}),
                    )
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/v1/scans/") && p.ends_with("/attach") => {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"host_key": "10.0.0.1", "asset_id": own_asset}),
                    )
                    .await
            }
            (&Method::POST, p)
                if p.starts_with("/vulnerabilities/imports/") && p.ends_with("/attach") =>
            {
                let own = own_asset.to_string();
                ciso_a
                    .post_form(
                        &path,
                        &[("host_key", "10.0.0.1"), ("asset_id", own.as_str())],
                    )
                    .await
            }
            (&Method::POST, p)
                if p.starts_with("/api/v1/vulnerabilities/") && p.ends_with("/status") =>
            {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"status": "in_remediation", "version": 1}),
                    )
                    .await
            }
            // Access requests: bodies each route accepts, so that only the scope refuses.
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/access-requests") => {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"kind": "documents", "requester_name": "Pirate",
                                "requester_contact": "p@example.org", "subject": "Pirate",
                                "received_on": "2026-06-04"}),
                    )
                    .await
            }
            (&Method::POST, p)
                if p.starts_with("/api/") && p.ends_with("/confidentiality-incidents") =>
            {
                ciso_a.send_json(Method::POST, &path, &entry_json()).await
            }
            (&Method::PUT, p) if p.starts_with("/api/v1/confidentiality-incidents/") => {
                let mut body = entry_json();
                body["version"] = json!(1);
                ciso_a.send_json(Method::PUT, &path, &body).await
            }
            (&Method::POST, p)
                if p.starts_with("/api/v1/confidentiality-incidents/")
                    && p.ends_with("/notices") =>
            {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"kind": "commission", "sent_on": "2026-06-05"}),
                    )
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/v1/complaints/") && p.ends_with("/steps") => {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"step": "admissibility", "admissible": true, "text": ""}),
                    )
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/complaints") => {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"name": "Pirate", "contact": "p@example.org",
                                "grounds": "Pirate", "facts": "Des faits assez longs pour passer."}),
                    )
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/steps") => {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"step": "acknowledge", "on": "2026-06-05"}),
                    )
                    .await
            }
            (&Method::POST, "/access-requests/{id}/steps") => {
                ciso_a
                    .post_form(&path, &[("step", "acknowledge"), ("on", "2026-06-05")])
                    .await
            }
            (&Method::PUT, p) if p.ends_with("/assignee") => {
                ciso_a
                    .send_json(Method::PUT, &path, &json!({"person_id": null}))
                    .await
            }
            (&Method::PUT, p) if p.ends_with("/access-provisions") => {
                ciso_a
                    .send_json(
                        Method::PUT,
                        &path,
                        &json!([{"code": "37", "law": "A-2.1", "summary": "Pirate"}]),
                    )
                    .await
            }
            (&Method::PUT, p) if p.ends_with("/days-off") => {
                ciso_a
                    .send_json(
                        Method::PUT,
                        &path,
                        &json!([{"day": "2026-12-24", "reason": "Pirate"}]),
                    )
                    .await
            }
            (&Method::PUT, p) if p.ends_with("/remediation-policy") => {
                ciso_a
                    .send_json(
                        Method::PUT,
                        &path,
                        &json!({"critical_days": 7, "high_days": 14, "medium_days": 60,
                                "low_days": 120, "top_level_percent": 50}),
                    )
                    .await
            }
            // An advisory the import accepts, sent into another body.
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/advisories/csaf") => {
                ciso_a
                    .client
                    .post(ciso_a.url(&path))
                    .header("x-csrf-token", &ciso_a.csrf)
                    .body(
                        std::fs::read(concat!(
                            env!("CARGO_MANIFEST_DIR"),
                            "/../../../shared/data/csaf/cisco-sa-20180328-smi2.json"
                        ))
                        .unwrap(),
                    )
                    .send()
                    .await
                    .unwrap()
            }
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/advisories") => {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"publisher": "Pirate", "reference": "P-1", "title": "Pirate",
                                "products": ["pkg:npm/jquery@3.4.1"]}),
                    )
                    .await
            }
            // A report the import accepts, sent into another body.
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/scans") => ciso_a
                .client
                .post(ciso_a.url(&format!("{path}?file_name=rapport.xml")))
                .header("x-csrf-token", &ciso_a.csrf)
                .body(
                    std::fs::read(concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/../../../shared/data/scans/openvas/one_vuln.xml"
                    ))
                    .unwrap(),
                )
                .send()
                .await
                .unwrap(),
            // GMVI: bodies each route accepts.
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/evidence") => ciso_a
                .client
                .post(ciso_a.url(&format!("{path}?file_name=preuve.txt")))
                .header("x-csrf-token", &ciso_a.csrf)
                .body("journal")
                .send()
                .await
                .unwrap(),
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/triage") => {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"decision": "threat", "version": 1}),
                    )
                    .await
            }
            (&Method::PUT, p) if p.starts_with("/api/v1/incidents/") && p.contains("/assets/") => {
                ciso_a
                    .send_json(
                        Method::PUT,
                        &path,
                        &json!({"availability": "low", "integrity": "low",
                                "confidentiality": "low"}),
                    )
                    .await
            }
            (&Method::PUT, p) if p.starts_with("/api/v1/incidents/") && p.contains("/roles/") => {
                ciso_a
                    .send_json(Method::PUT, &path, &json!({"person_id": null}))
                    .await
            }
            (&Method::PUT, p) if p.starts_with("/api/v1/incidents/") => {
                ciso_a
                    .send_json(
                        Method::PUT,
                        &path,
                        &json!({"title": "Pirate", "category": "phishing", "severity": "low",
                                "version": 1}),
                    )
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/entries") => {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"kind": "observation", "body": "Pirate"}),
                    )
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/tasks") => {
                let owner = app.person_id(CSIO_A).await;
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"title": "Pirate", "owner_id": owner, "due_on": "2030-01-01"}),
                    )
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/v1/incidents/") && p.ends_with("/status") => {
                let body = if p.contains("/tasks/") {
                    json!({"status": "done"})
                } else {
                    json!({"status": "contained", "version": 1})
                };
                ciso_a.send_json(Method::POST, &path, &body).await
            }
            (&Method::PUT, p) if p.ends_with("/escalation-rules") => {
                ciso_a
                    .send_json(Method::PUT, &path, &json!({"rules": []}))
                    .await
            }
            (&Method::POST, p) if p.starts_with("/api/") && p.ends_with("/respond") => {
                ciso_a
                    .send_json(
                        Method::POST,
                        &path,
                        &json!({"org_id": app.org_id(BODY_A).await, "status": "acknowledged"}),
                    )
                    .await
            }
            // GMVI pages: the forms with what they accept, so that only the scope can refuse.
            (&Method::POST, "/events/{id}/triage") => {
                ciso_a
                    .post_form(&path, &[("decision", "threat"), ("version", "1")])
                    .await
            }
            (&Method::POST, "/incidents/{id}") => {
                ciso_a
                    .post_form(
                        &path,
                        &[
                            ("title", "Pirate"),
                            ("category", "phishing"),
                            ("severity", "low"),
                            ("version", "1"),
                        ],
                    )
                    .await
            }
            (&Method::POST, "/incidents/{id}/status") => {
                ciso_a
                    .post_form(&path, &[("status", "contained"), ("version", "1")])
                    .await
            }
            (&Method::POST, "/incidents/{id}/assets") => {
                let own = own_asset.to_string();
                ciso_a
                    .post_form(
                        &path,
                        &[
                            ("asset_id", own.as_str()),
                            ("availability", "low"),
                            ("integrity", "low"),
                            ("confidentiality", "low"),
                        ],
                    )
                    .await
            }
            (&Method::POST, "/incidents/{id}/roles") => {
                ciso_a
                    .post_form(&path, &[("role", "lead"), ("person_id", "")])
                    .await
            }
            (&Method::POST, "/incidents/{id}/tasks") => {
                let owner = app.person_id(CSIO_A).await.to_string();
                ciso_a
                    .post_form(
                        &path,
                        &[
                            ("title", "Pirate"),
                            ("owner_id", owner.as_str()),
                            ("due_on", "2030-01-01"),
                        ],
                    )
                    .await
            }
            (&Method::POST, "/incidents/{id}/tasks/{task_id}/status") => {
                ciso_a.post_form(&path, &[("status", "done")]).await
            }
            (&Method::POST, "/incidents/{id}/entries") => {
                ciso_a
                    .post_form(&path, &[("kind", "observation"), ("body", "Pirate")])
                    .await
            }
            (&Method::POST, "/alerts/{id}/respond") => {
                let own = app.org_id(BODY_A).await.to_string();
                ciso_a
                    .post_form(
                        &path,
                        &[("org_id", own.as_str()), ("status", "acknowledged")],
                    )
                    .await
            }
            (&Method::POST, "/incidents/{id}/evidence" | "/alerts/{id}/evidence") => {
                let own = app.org_id(BODY_A).await.to_string();
                let form = reqwest::multipart::Form::new()
                    .text("csrf", ciso_a.csrf.clone())
                    .text("org_id", own)
                    .part(
                        "file",
                        reqwest::multipart::Part::bytes(b"pirate".to_vec()).file_name("p.txt"),
                    );
                ciso_a
                    .client
                    .post(ciso_a.url(&path))
                    .multipart(form)
                    .send()
                    .await
                    .unwrap()
            }
            (&Method::POST, p) if p.starts_with("/api/") => {
                ciso_a
                    .send_json(Method::POST, &path, &json!({"disabled": true}))
                    .await
            }
            (&Method::PUT, p) if p.ends_with("/classification-scale") => {
                ciso_a
                    .send_json(
                        Method::PUT,
                        &path,
                        &json!({"levels": [
                            {"value": 1, "label_fr": "Bas", "label_en": "Low"},
                            {"value": 2, "label_fr": "Haut", "label_en": "High"}
                        ], "review_months": 12}),
                    )
                    .await
            }
            (&Method::PUT, _) => {
                ciso_a
                    .send_json(
                        Method::PUT,
                        &path,
                        &json!({"org_id": app.org_id(UNIT_A).await, "kind": "information_system",
                            "name": "Pirate", "holder_id": app.person_id(HOLDER_A).await,
                            "hosting": "own_data_centre"}),
                    )
                    .await
            }
            (&Method::POST, _) => ciso_a.post_form(&path, &[]).await,
            (&Method::PATCH, _) => {
                ciso_a
                    .send_json(
                        Method::PATCH,
                        &path,
                        &json!({"name": "Pirate", "archived": true}),
                    )
                    .await
            }
            (&Method::DELETE, _) => ciso_a.send_json(Method::DELETE, &path, &json!({})).await,
            _ => ciso_a.get(&path).await,
        };
        let status = response.status().as_u16();
        assert_eq!(
            status, 404,
            "{} {} answered {status}",
            route.method, route.path
        );
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("Direction des technologies de l'information (AFS)"),
            "{} {} leaked",
            route.method,
            route.path
        );
        assert_eq!(
            snapshot(&app).await,
            before,
            "{} {} changed data",
            route.method,
            route.path
        );
        covered += 1;
    }
    assert!(covered >= 9, "only {covered} routes with ids");
    let name_after: String = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
        .bind(unit_b)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(name_before, name_after);
    // Body B's privacy officer is still signed in.
    assert_eq!(privacy_b.get("/").await.status(), 200);
}

// REQ AUTHZ-01
#[tokio::test]
async fn records_cannot_be_created_in_or_for_another_body() {
    let app = TestApp::spawn().await;
    let ciso_a = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY_A).await.to_string();
    let body_b = app.org_id(BODY_B).await.to_string();
    let person_b = app.person_id(PRIVACY_B).await.to_string();
    let person_a = app.person_id(USER_A).await.to_string();
    let before = snapshot(&app).await;
    let attempts: Vec<(&str, reqwest::Response)> = vec![
        ("POST /orgs", ciso_a.post_form("/orgs", &[("name", "Intrus"), ("kind", "unit"), ("parent_id", &body_b)]).await),
        ("POST /people", ciso_a.post_form("/people", &[("name", "Intrus"), ("email", "intrus@b.qc.ca"), ("org_id", &body_b)]).await),
        ("POST /grants (foreign org)", ciso_a.post_form("/grants", &[("person_id", &person_a), ("org_id", &body_b), ("role", "Auditor")]).await),
        ("POST /grants (foreign person)", ciso_a.post_form("/grants", &[("person_id", &person_b), ("org_id", &body_a), ("role", "Auditor")]).await),
        ("POST /switch-org", ciso_a.post_form("/switch-org", &[("org_id", &body_b)]).await),
        (
            "POST /api/v1/organizations",
            ciso_a.send_json(Method::POST, "/api/v1/organizations", &json!({"name": "Intrus", "kind": "unit", "parent_id": body_b.parse::<i64>().unwrap()})).await,
        ),
        (
            "POST /api/v1/people",
            ciso_a.send_json(Method::POST, "/api/v1/people", &json!({"name": "Intrus", "email": "intrus@b.qc.ca", "org_id": body_b.parse::<i64>().unwrap()})).await,
        ),
        (
            "POST /api/v1/grants",
            ciso_a.send_json(Method::POST, "/api/v1/grants", &json!({"person_id": person_b.parse::<i64>().unwrap(), "org_id": body_a.parse::<i64>().unwrap(), "role": "User"})).await,
        ),
        (
            "PATCH move under another body",
            ciso_a
                .send_json(Method::PATCH, &format!("/api/v1/organizations/{}", app.org_id(UNIT_A).await), &json!({"parent_id": body_b.parse::<i64>().unwrap()}))
                .await,
        ),
    ];
    for (what, response) in attempts {
        let status = response.status().as_u16();
        assert!(status == 422 || status == 404, "{what} answered {status}");
    }
    assert_eq!(snapshot(&app).await, before);

    // Lists show nothing of body B.
    let orgs: serde_json::Value = ciso_a
        .get("/api/v1/organizations?limit=500")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert!(!ids.contains(&body_b.parse::<i64>().unwrap()));
    assert_eq!(orgs["total"], 4);
    let people: serde_json::Value = ciso_a
        .get("/api/v1/people?limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert!(people["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["email"] != PRIVACY_B));
    let grants: serde_json::Value = ciso_a
        .get("/api/v1/grants?limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert!(grants["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["person_name"] != "Nathalie Pelletier"));
}

// REQ AUTHZ-01
#[tokio::test]
async fn state_changes_without_the_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let ciso_a = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY_A).await.to_string();
    let before = snapshot(&app).await;
    let forged = ciso_a
        .client
        .post(ciso_a.url("/orgs"))
        .form(&[
            ("name", "Falsifiée"),
            ("kind", "unit"),
            ("parent_id", &body_a),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let wrong = ciso_a
        .client
        .post(ciso_a.url("/api/v1/organizations"))
        .header("x-csrf-token", "not-the-token")
        .json(&json!({"name": "Falsifiée", "kind": "unit", "parent_id": body_a.parse::<i64>().unwrap()}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(body["code"], "csrf");
    assert_eq!(snapshot(&app).await, before);
}

/// Ancestors of every organization, itself first, as the domain's rules take them.
async fn ancestors(app: &TestApp) -> Vec<(i64, Vec<rempart_domain::org::OrgId>)> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM organizations ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    let mut out = Vec::new();
    for id in ids {
        let mut conn = app.store.pool().acquire().await.unwrap();
        let path = rempart_storage::orgs::ancestors(&mut conn, id)
            .await
            .unwrap();
        out.push((id, path));
    }
    out
}

// REQ AUTHZ-01
#[tokio::test]
async fn every_role_reaches_exactly_the_organizations_the_rules_give_it() {
    use rempart_domain::authz::{allows, Permission};
    let app = TestApp::spawn().await;
    let orgs = ancestors(&app).await;
    let people: Vec<(i64, i64)> = sqlx::query_as("SELECT id, org_id FROM persons ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    let mut checked = 0;
    for account in ACCOUNTS {
        let session = app.login(account.email).await;
        let grants = rempart_storage::grants::scopes_of(&app.store, session.person_id)
            .await
            .unwrap();
        // Each organization of the network: own, parent, child, sibling, other branch.
        for (org, path) in &orgs {
            for (method, route, permission) in [
                (
                    Method::GET,
                    "/api/v1/organizations/{id}",
                    Permission::OrgRead,
                ),
                (Method::GET, "/orgs/{id}", Permission::OrgRead),
                (
                    Method::PATCH,
                    "/api/v1/organizations/{id}",
                    Permission::OrgManage,
                ),
            ] {
                let expected = allows(&grants, permission, path);
                let path_str = route.replace("{id}", &org.to_string());
                let response = send(
                    &session.client,
                    &app.base,
                    &session.csrf,
                    &method,
                    &path_str,
                )
                .await;
                let status = response.status().as_u16();
                let allowed = status == 200;
                assert_eq!(
                    allowed, expected,
                    "{:?} {method} {path_str}: {status}",
                    account.role
                );
                if !allowed {
                    assert!(
                        status == 403 || status == 404,
                        "{:?} {method} {path_str}: {status}",
                        account.role
                    );
                }
                checked += 1;
            }
        }
        // Each person, through the organization they belong to.
        for (person, org) in &people {
            let path = &orgs.iter().find(|(id, _)| id == org).unwrap().1;
            let expected = allows(&grants, Permission::PersonRead, path);
            let response = session.get(&format!("/api/v1/people/{person}")).await;
            assert_eq!(
                response.status() == 200,
                expected,
                "{:?} person {person}",
                account.role
            );
            checked += 1;
        }
    }
    assert!(checked > 400, "{checked}");
}
