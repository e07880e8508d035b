//! Personal information and access to documents (issue 9), on the engine under test: the legal
//! deadline calculator page.

use crate::kit::*;

// REQ PRP-03: the page computes by the domain's rules, shows the rule, its article, how sure
// the product is of it, the calendar and the days skipped; a bad date or a late extension
// notice is refused naming the field; no script needed (a GET form).
#[tokio::test]
async fn the_deadline_page_shows_the_rule_and_article_of_each_date() {
    let app = TestApp::spawn().await;
    let holder = app.login(HOLDER_A).await;
    let page = holder.get("/deadlines").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form method=\"get\" action=\"/deadlines\""),
        "{html}"
    );
    assert!(html.contains("href=\"/deadlines\" aria-current=\"page\""));
    assert!(
        html.contains("<title>Délais légaux — Rempart</title>"),
        "{html}"
    );

    let html = holder
        .get("/deadlines?rule=access_request&kind=documents&date=2026-06-04")
        .await
        .text()
        .await
        .unwrap();
    for expected in [
        "jeudi 2026-06-25",
        "A-2.1, art. 47",
        "règle vérifiée dans le texte officiel",
        "mercredi 2026-06-24 (fête nationale du Québec)",
        "(RLRQ, c. I-16, art. 52 et 61)",
    ] {
        assert!(html.contains(expected), "{expected} missing");
    }
    let html = holder
        .get("/deadlines?rule=access_request&kind=rectification&date=2026-06-04&notice=2026-06-25")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("samedi 2026-07-04"), "{html}");
    assert!(html.contains("A-2.1, art. 98, al. 2"));
    let html = holder
        .get("/deadlines?rule=review_request&date=2026-11-25")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("lundi 2026-12-28"));
    assert!(html.contains("A-2.1, art. 135"));
    assert!(html.contains("Règles de procédure de la Commission"));
    let html = holder
        .get("/deadlines?rule=incident_retention&date=2028-02-29")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("lundi 2033-02-28"));
    assert!(
        html.contains("mardi 2033-03-01"),
        "deletion allowed from the next day"
    );

    let refused = holder
        .get("/deadlines?rule=access_request&date=2026-06-04&notice=2026-06-26")
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("href=\"#d-notice\""));
    assert!(html.contains("après l’échéance du 2026-06-25"), "{html}");
    let refused = holder.get("/deadlines?date=2026-02-30").await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("Date attendue au format AAAA-MM-JJ."));
    assert!(html.contains("aria-invalid=\"true\""));
}

// REQ PRP-03: an organization adds days off (issue 9, "organization-added days"): they hold for
// the units below it, move the deadlines the page computes, are refused line by line when
// wrong, audited; another body's organization is out of reach.
#[tokio::test]
async fn the_days_a_body_adds_move_its_deadlines_and_its_units() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let body = app.org_id(BODY_A).await;
    let unit = app.org_id(UNIT_A).await;
    let before = app.audit_seq().await;
    let set = ciso
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/organizations/{body}/days-off"),
            &serde_json::json!([
                {"day": "2026-06-25", "reason": "Fermeture des bureaux"},
                {"day": "2026-06-26", "reason": "Pont"}
            ]),
        )
        .await;
    assert_eq!(set.status(), 200);
    assert_eq!(app.audit_seq().await, before + 1);
    // The unit inherits the body's days.
    let days: serde_json::Value = ciso
        .get(&format!("/api/v1/organizations/{unit}/days-off"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(days.as_array().unwrap().len(), 2);
    assert_eq!(days[0]["day"], "2026-06-25");
    assert_eq!(days[0]["org_id"], body);

    // The page of a person of the body: 24 June, then the two added days, then a Saturday
    // (kept under I-16): the deadline is Saturday 27 June.
    let html = ciso
        .get("/deadlines?rule=access_request&date=2026-06-04")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("samedi 2026-06-27"), "{html}");
    assert!(html.contains("jeudi 2026-06-25 (jour ajouté par l’organisme)"));
    assert!(html.contains("Fermeture des bureaux"));

    // Refused line by line, nothing changed.
    let refused = ciso
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/organizations/{body}/days-off"),
            &serde_json::json!([{"day": "2026-13-01", "reason": ""}]),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let error: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(error["fields"][0]["field"], "days[0].day");
    assert_eq!(error["fields"][1]["field"], "days[0].reason");
    assert_eq!(app.audit_seq().await, before + 1);
    let form = ciso
        .post_form(
            "/deadlines/days-off",
            &[
                ("org_id", &body.to_string()),
                ("days", "2026-06-25 Fermeture\n\n24/06/2026 Fête"),
            ],
        )
        .await;
    assert_eq!(form.status(), 422);
    let html = form.text().await.unwrap();
    assert!(
        html.contains("Ligne 3 : Date attendue au format AAAA-MM-JJ."),
        "{html}"
    );
    let form = ciso
        .post_form(
            "/deadlines/days-off",
            &[
                ("org_id", &body.to_string()),
                ("days", "2026-12-24 Veille de Noël\n"),
            ],
        )
        .await;
    assert!(form.status().is_redirection() || form.status().is_success());
    let days: serde_json::Value = ciso
        .get(&format!("/api/v1/organizations/{body}/days-off"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(days.as_array().unwrap().len(), 1);
    assert_eq!(days[0]["reason"], "Veille de Noël");

    // Another body's organization: not found, for reading as for changing.
    let other = app.org_id(BODY_B).await;
    let put = ciso
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/organizations/{other}/days-off"),
            &serde_json::json!([]),
        )
        .await;
    assert_eq!(put.status(), 404);
    let get = ciso
        .get(&format!("/api/v1/organizations/{other}/days-off"))
        .await;
    assert_eq!(get.status(), 404);
    // A holder may read the calculator, not change the days.
    let holder = app.login(HOLDER_A).await;
    let html = holder.get("/deadlines").await.text().await.unwrap();
    assert!(!html.contains("action=\"/deadlines/days-off\""));
}
