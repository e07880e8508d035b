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

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn request_json(received_on: &str, language: &str) -> serde_json::Value {
    serde_json::json!({
        "kind": "documents",
        "requester_name": "Alex Tremblay",
        "requester_contact": "alex.tremblay@example.org",
        "subject": "Les politiques encadrant la protection des données du portail",
        "received_on": received_on,
        "language": language,
    })
}

async fn create_request(privacy: &Session, org: i64, body: &serde_json::Value) -> i64 {
    let created = privacy
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/organizations/{org}/access-requests"),
            body,
        )
        .await;
    assert_eq!(created.status(), 201);
    created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn step(privacy: &Session, id: i64, body: serde_json::Value) -> reqwest::Response {
    privacy
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/access-requests/{id}/steps"),
            &body,
        )
        .await
}

async fn refused_fields(response: reqwest::Response) -> Vec<(String, String)> {
    assert_eq!(response.status(), 422);
    error_fields(&response.json().await.unwrap())
}

// REQ PRP-03: a request's whole course on the engine under test: the 20-day deadline with its
// rule, article and days skipped; silence past it shown as a deemed refusal; the extension
// only by a notice sent in time; a decision that withholds cites provisions of the body's list
// and carries the notice of recourse with its 30-day delay; nothing after the decision; the
// letters as PDF with the right dates, provisions and recourse text; the indicators.
#[tokio::test]
async fn an_access_request_runs_its_course_with_its_letters_and_indicators() {
    let app = TestApp::spawn().await;
    let privacy = app.login(PRIVACY_B).await;
    let body_b = app.org_id(BODY_B).await;
    let id = create_request(&privacy, body_b, &request_json("2026-06-04", "")).await;

    let got: serde_json::Value = privacy
        .get(&format!("/api/v1/access-requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["row"]["due_on"], "2026-06-25");
    assert_eq!(got["row"]["status"], "received");
    assert!(got["row"]["reference"]
        .as_str()
        .unwrap()
        .starts_with("DA-2026-"));
    assert_eq!(got["deadline"]["article"], "A-2.1, art. 47");
    // 24 June, the Fête nationale, moved the deadline to the 25th.
    assert_eq!(got["deadline"]["skipped"][0]["date"], "2026-06-24");
    // No answer and the deadline long past: a deemed refusal, open to review by the CAI.
    assert_eq!(got["state"]["state"], "deemed_refusal", "{got}");
    assert!(got["review_deadline"]["due"].is_string());

    // Steps in order; each refusal names its field.
    assert_eq!(
        step(
            &privacy,
            id,
            serde_json::json!({"step": "acknowledge", "on": "2026-06-03"})
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        step(
            &privacy,
            id,
            serde_json::json!({"step": "acknowledge", "on": "2026-06-05"})
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        refused_fields(
            step(
                &privacy,
                id,
                serde_json::json!({"step": "acknowledge", "on": "2026-06-06"})
            )
            .await
        )
        .await,
        vec![(
            "step".to_owned(),
            "error-access-request-acknowledged".to_owned()
        )]
    );
    assert_eq!(
        refused_fields(
            step(
                &privacy,
                id,
                serde_json::json!({"step": "extend", "notice_on": "2026-06-26"})
            )
            .await
        )
        .await,
        vec![(
            "notice_on".to_owned(),
            "error-access-request-extension-late".to_owned()
        )]
    );
    assert_eq!(
        step(
            &privacy,
            id,
            serde_json::json!({"step": "extend", "notice_on": "2026-06-20", "note": "Volume"})
        )
        .await
        .status(),
        204
    );
    let got: serde_json::Value = privacy
        .get(&format!("/api/v1/access-requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["row"]["due_on"], "2026-07-04");
    assert_eq!(got["row"]["extended"], true);
    let decide = |kind: &str, articles: serde_json::Value, recourse: bool| {
        serde_json::json!({"step": "decide", "on": "2026-07-03", "kind": kind,
            "articles": articles, "recourse_notice": recourse})
    };
    assert_eq!(
        refused_fields(step(&privacy, id, decide("refused", serde_json::json!([]), true)).await)
            .await,
        vec![(
            "articles".to_owned(),
            "error-access-request-articles".to_owned()
        )]
    );
    assert_eq!(
        refused_fields(
            step(
                &privacy,
                id,
                decide("refused", serde_json::json!(["99"]), true)
            )
            .await
        )
        .await,
        vec![(
            "articles".to_owned(),
            "error-access-request-article-unknown".to_owned()
        )]
    );
    assert_eq!(
        refused_fields(
            step(
                &privacy,
                id,
                decide("partly_granted", serde_json::json!(["53"]), false)
            )
            .await
        )
        .await,
        vec![(
            "recourse_notice".to_owned(),
            "error-access-request-recourse".to_owned()
        )]
    );
    // The decision letter is not there before the decision.
    assert_eq!(
        privacy
            .get(&format!("/api/v1/access-requests/{id}/letters/decision"))
            .await
            .status(),
        422
    );
    assert_eq!(
        step(
            &privacy,
            id,
            decide("partly_granted", serde_json::json!(["53", "54"]), true)
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        refused_fields(
            step(
                &privacy,
                id,
                serde_json::json!({"step": "withdraw", "on": "2026-07-04"})
            )
            .await
        )
        .await,
        vec![("step".to_owned(), "error-access-request-closed".to_owned())]
    );
    let got: serde_json::Value = privacy
        .get(&format!("/api/v1/access-requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["row"]["status"], "decided");
    assert_eq!(got["answer_days"], 29);
    assert_eq!(got["state"]["state"], "answered_on_time");
    assert_eq!(got["steps"].as_array().unwrap().len(), 4);
    assert_eq!(got["steps"][2]["detail"]["note"], "Volume");
    // Thirty days after 3 July is Sunday 2 August: before the CAI, Monday 3 August.
    assert_eq!(got["review_deadline"]["due"], "2026-08-03");
    assert_eq!(got["review_deadline"]["article"], "A-2.1, art. 135");

    // The letters, read back by a PDF reader.
    let pdf = |letter: &'static str| {
        let privacy = &privacy;
        async move {
            let response = privacy
                .get(&format!("/api/v1/access-requests/{id}/letters/{letter}"))
                .await;
            assert_eq!(response.status(), 200, "{letter}");
            assert_eq!(response.headers()["content-type"], "application/pdf");
            // Lines wrap where the layout decides: words are compared, not lines.
            words(&pdf_text(&response.bytes().await.unwrap()))
        }
    };
    let text = pdf("acknowledgement").await;
    for expected in [
        "Accusé de réception",
        "4 juin 2026",
        "25 juin 2026",
        "article 135",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    let text = pdf("extension").await;
    for expected in ["20 juin 2026", "4 juillet 2026", "25 juin 2026"] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    let text = pdf("decision").await;
    for expected in [
        "Alex Tremblay",
        "3 juillet 2026",
        "53 et 54 (A-2.1)",
        "Dispositions invoquées",
        "Dans un document, sont personnels",
        "Avis de recours",
        "3 août 2026",
        "l’article 135 de la Loi",
        "relever le requérant",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }

    // A requester who asked for English gets English letters.
    let en = create_request(&privacy, body_b, &request_json("2026-06-04", "en")).await;
    let response = privacy
        .get(&format!(
            "/api/v1/access-requests/{en}/letters/acknowledgement"
        ))
        .await;
    let text = words(&pdf_text(&response.bytes().await.unwrap()));
    for expected in [
        "Acknowledgement of receipt",
        "June 4, 2026",
        "June 25, 2026",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }

    // Indicators of June (the demo's requests are recent): two received, one decided on time in
    // 29 days, one deemed refused.
    let ind: serde_json::Value = privacy
        .get("/api/v1/access-requests/indicators?from=2026-06-01&to=2026-06-30")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ind["received"], 2);
    assert_eq!(ind["decided"], 1);
    assert_eq!(ind["decided_on_time"], 1);
    assert_eq!(ind["open_overdue"], 1);
    assert_eq!(ind["mean_answer_days"], 29.0);
    assert_eq!(ind["provisions"], serde_json::json!([["53", 1], ["54", 1]]));
    let bad = privacy
        .get("/api/v1/access-requests/indicators?from=2026-12-31&to=2026-01-01")
        .await;
    assert_eq!(bad.status(), 422);

    // The list: filters, and no personal information in it.
    let list = privacy
        .get("/api/v1/access-requests?status=open&overdue=true")
        .await
        .text()
        .await
        .unwrap();
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&en) && !ids.contains(&id), "{list}");
    let all = privacy
        .get("/api/v1/access-requests")
        .await
        .text()
        .await
        .unwrap();
    assert!(!all.contains("Alex Tremblay"), "{all}");
    assert_eq!(
        privacy
            .get("/api/v1/access-requests?status=lost")
            .await
            .status(),
        422
    );
}

// REQ PRP-03: personal information is shown only to the privacy officer of the body and the
// person assigned (issue 9, access control): the security officers, the auditor and another
// body's privacy officer do not reach it; every reading is in the audit trail, which the
// auditor sees, and the trail holds neither the requester's name nor the notes.
#[tokio::test]
async fn access_requests_are_read_only_by_the_privacy_officer_and_the_assignee_and_logged() {
    let app = TestApp::spawn().await;
    let privacy = app.login(PRIVACY_B).await;
    let body_b = app.org_id(BODY_B).await;
    let id = create_request(&privacy, body_b, &request_json("2026-06-04", "fr")).await;
    let path = format!("/api/v1/access-requests/{id}");

    let ciso = app.login(CSIO_A).await;
    let auditor = app.login(AUDITOR).await;
    for (who, session) in [("ciso", &ciso), ("auditor", &auditor)] {
        assert_eq!(session.get(&path).await.status(), 404, "{who}");
        let list: serde_json::Value = session
            .get("/api/v1/access-requests")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 0, "{who}");
        assert_eq!(
            session
                .get(&format!("/access-requests/{id}"))
                .await
                .status(),
            404
        );
    }
    // A person of the body is assigned: then they read this request, and may not move it.
    const ASSIGNEE: &str = "detentrice.afs@demo.rempart.quebec";
    let assignee = app.login(ASSIGNEE).await;
    assert_eq!(assignee.get(&path).await.status(), 404);
    let person = app.person_id(ASSIGNEE).await;
    let foreign = app.person_id(HOLDER_A).await;
    let refused = privacy
        .send_json(
            reqwest::Method::PUT,
            &format!("{path}/assignee"),
            &serde_json::json!({"person_id": foreign}),
        )
        .await;
    assert_eq!(
        refused_fields(refused).await,
        vec![(
            "person_id".to_owned(),
            "error-access-request-assignee".to_owned()
        )]
    );
    let assigned = privacy
        .send_json(
            reqwest::Method::PUT,
            &format!("{path}/assignee"),
            &serde_json::json!({"person_id": person}),
        )
        .await;
    assert_eq!(assigned.status(), 204);
    let read = assignee.get(&path).await;
    assert_eq!(read.status(), 200);
    let list: serde_json::Value = assignee
        .get("/api/v1/access-requests")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(
        step(
            &assignee,
            id,
            serde_json::json!({"step": "acknowledge", "on": "2026-06-05"})
        )
        .await
        .status(),
        403
    );
    // Every reading is logged, with who read; the auditor sees them.
    let reads: Vec<String> = sqlx::query_scalar(
        "SELECT actor_label FROM audit_entries WHERE action = 'access_request.read' \
         AND entity_id = $1 ORDER BY seq",
    )
    .bind(id.to_string())
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(reads, vec![ASSIGNEE.to_owned()]);
    let trail: serde_json::Value = auditor
        .get(&format!(
            "/api/v1/audit?action=access_request.&entity_id={id}"
        ))
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"access_request.read"), "{trail}");
    assert!(actions.contains(&"access_request.created"));
    let leaked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE after_json LIKE '%Alex Tremblay%' \
         OR before_json LIKE '%Alex Tremblay%' OR after_json LIKE '%example.org%'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(leaked, 0);
    // Recording needs the privacy officer's permission: the security officer is refused.
    let denied = ciso
        .send_json(
            reqwest::Method::POST,
            &format!(
                "/api/v1/organizations/{}/access-requests",
                app.org_id(BODY_A).await
            ),
            &request_json("2026-06-04", "fr"),
        )
        .await;
    assert_eq!(denied.status(), 403);
}

// REQ PRP-03: the pages work without a script: a new request refused with its fields named,
// then recorded; its page with the deadline's rule and article, the steps' forms (a refused
// decision names its field), the provisions the body adds, its own letter text (an unknown
// field refused by line) used in the letter.
#[tokio::test]
async fn the_access_request_pages_work_without_script() {
    let app = TestApp::spawn().await;
    let privacy = app.login(PRIVACY_B).await;
    let body_b = app.org_id(BODY_B).await.to_string();
    let html = privacy
        .get("/access-requests/new")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<form method=\"post\" action=\"/access-requests/new\""));
    let refused = privacy
        .post_form(
            "/access-requests/new",
            &[
                ("org_id", &body_b),
                ("kind", "documents"),
                ("received_on", "2026-06-04"),
                ("requester_name", ""),
                ("requester_contact", "x@example.org"),
                ("subject", "Les contrats"),
                ("language", "fr"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("href=\"#requester_name\""), "{html}");
    assert!(html.contains("value=\"x@example.org\"") || html.contains(">x@example.org<"));
    let created = privacy
        .post_form(
            "/access-requests/new",
            &[
                ("org_id", &body_b),
                ("kind", "personal_access"),
                ("received_on", "2026-06-04"),
                ("requester_name", "Camille Roy"),
                ("requester_contact", "camille@example.org"),
                ("subject", "Mon dossier"),
                ("language", "fr"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let html = privacy.get(&location).await.text().await.unwrap();
    for expected in [
        "Camille Roy",
        "A-2.1, art. 98",
        "jeudi 2026-06-25",
        "refus présumé",
        "action=\"/access-requests/",
        "chaque consultation est inscrite au journal",
    ] {
        assert!(html.contains(expected), "{expected} missing");
    }
    let steps = format!("{location}/steps");
    let ok = privacy
        .post_form(&steps, &[("step", "acknowledge"), ("on", "2026-06-05")])
        .await;
    assert_eq!(ok.status(), 303);
    let refused = privacy
        .post_form(
            &steps,
            &[
                ("step", "decide"),
                ("on", "2026-06-10"),
                ("decision", "refused"),
                ("recourse_notice", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("href=\"#decide-articles\""), "{html}");
    assert!(html.contains("doit citer les dispositions invoquées"));
    // The list shows the reference, not the requester.
    let list = privacy.get("/access-requests").await.text().await.unwrap();
    assert!(list.contains("DA-2026-"));
    assert!(!list.contains("Camille Roy"));

    // The body adds a provision; a bad line is named.
    let bad = privacy
        .post_form(
            "/access-requests/provisions",
            &[("provisions", "53 | A-2.1 | Déjà là")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("Ligne 1"));
    let saved = privacy
        .post_form(
            "/access-requests/provisions",
            &[("provisions", "37 | A-2.1 | Avis ou recommandation")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let html = privacy
        .get("/access-requests/provisions")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Avis ou recommandation"));
    let decided = privacy
        .post_form(
            &steps,
            &[
                ("step", "decide"),
                ("on", "2026-06-10"),
                ("decision", "refused"),
                ("articles", "37"),
                ("articles", "53"),
                ("recourse_notice", "1"),
            ],
        )
        .await;
    assert_eq!(decided.status(), 303);

    // The body's own decision letter, checked for unknown fields.
    let refused = privacy
        .post_form(
            "/access-requests/letters",
            &[
                ("letter", "decision"),
                ("language", "fr"),
                ("body", "Bonjour {requester},\n\nVotre dossier {numero}"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("ligne 3"));
    let saved = privacy
        .post_form(
            "/access-requests/letters",
            &[
                ("letter", "decision"),
                ("language", "fr"),
                (
                    "body",
                    "Bonjour {requester},\r\n\r\nNotre décision du {decision_on} sur {reference}.\r\n\r\n{provisions_sentence}",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let pdf = privacy.get(&format!("{location}/letters/decision")).await;
    assert_eq!(pdf.status(), 200);
    let text = words(&pdf_text(&pdf.bytes().await.unwrap()));
    for expected in [
        "Bonjour Camille Roy",
        "Notre décision du 10 juin 2026",
        "37 et 53 (A-2.1)",
        "Avis ou recommandation",
        "Avis de recours",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
}

/// Incidents name who opened them: body B's privacy officer, as a person.
async fn as_privacy_officer(app: &TestApp) -> rempart_storage::AuditContext {
    rempart_storage::AuditContext {
        actor_id: Some(app.person_id(PRIVACY_B).await),
        actor_label: PRIVACY_B.into(),
        source: "test".into(),
    }
}

fn words_notifier() -> rempart_storage::inbox::Notifier<'static> {
    rempart_storage::inbox::Notifier {
        wording: &rempart_web::gmvi::Words,
        email: false,
    }
}

/// Opens a security incident in body B as the console would, with or without personal
/// information; gives its id.
async fn security_incident_b(app: &TestApp, title: &str, personal_info: bool) -> i64 {
    let mut w = app
        .store
        .write(as_privacy_officer(app).await)
        .await
        .unwrap();
    let input = rempart_domain::incident::IncidentDraft {
        title: title.into(),
        category: "data_leak".into(),
        severity: "high".into(),
        personal_info,
        ..Default::default()
    }
    .check()
    .unwrap();
    let now = w.now();
    let id = rempart_storage::incidents::open(
        &mut w,
        &words_notifier(),
        rempart_storage::scope::Scope::LocalAdministrator,
        app.org_id(BODY_B).await,
        &input,
        now,
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    id
}

// REQ PRIV-03: a security incident involving personal information opens its entry in the
// register of confidentiality incidents, once, whether it is opened so or found so later; the
// two are linked both ways on their pages.
#[tokio::test]
async fn a_security_incident_with_personal_information_opens_its_register_entry() {
    let app = TestApp::spawn().await;
    let privacy = app.login(PRIVACY_B).await;
    let incident = security_incident_b(&app, "Fuite du fichier des usagers", true).await;
    let list: serde_json::Value = privacy
        .get("/api/v1/confidentiality-incidents")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "{list}");
    let entry = &list["items"][0];
    assert_eq!(entry["status"], "draft");
    assert_eq!(entry["incident_id"], incident);
    let ci = entry["id"].as_i64().unwrap();
    let got: serde_json::Value = privacy
        .get(&format!("/api/v1/confidentiality-incidents/{ci}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["circumstances"], "Fuite du fichier des usagers");
    assert_eq!(
        got["row"]["aware_on"],
        rempart_web::time::today().to_string()
    );

    // Found to involve personal information later: the entry opens then, and only once.
    let later = security_incident_b(&app, "Poste volé", false).await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM confidentiality_incidents")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
    };
    assert_eq!(count().await, 1);
    for _ in 0..2 {
        let mut w = app
            .store
            .write(as_privacy_officer(&app).await)
            .await
            .unwrap();
        let version: i64 = sqlx::query_scalar("SELECT version FROM incidents WHERE id = $1")
            .bind(later)
            .fetch_one(w.conn())
            .await
            .unwrap();
        let input = rempart_domain::incident::IncidentDraft {
            title: "Poste volé".into(),
            category: "data_leak".into(),
            severity: "high".into(),
            personal_info: true,
            ..Default::default()
        }
        .check()
        .unwrap();
        rempart_storage::incidents::update(
            &mut w,
            &words_notifier(),
            rempart_storage::scope::Scope::LocalAdministrator,
            later,
            version,
            &input,
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
    }
    assert_eq!(count().await, 2);

    // Linked both ways.
    let html = privacy
        .get(&format!("/incidents/{incident}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("href=\"/confidentiality-incidents/{ci}\"")),
        "{html}"
    );
    let html = privacy
        .get(&format!("/confidentiality-incidents/{ci}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("href=\"/incidents/{incident}\"")));
    assert!(html.contains("à compléter"));
}

fn entry_json(aware_on: &str, serious: &str, consulted: &str) -> serde_json::Value {
    serde_json::json!({
        "information": "Noms, dates de naissance et numéros de dossier",
        "circumstances": "Une liste envoyée par courriel au mauvais destinataire",
        "occurred_from": "2020-01-01",
        "aware_on": aware_on,
        "persons": "240",
        "persons_in_quebec": "238",
        "sensitivity": "high",
        "consequences": "Vol d’identité",
        "malicious_uses": "Hameçonnage ciblé",
        "likelihood": "medium",
        "serious_injury": serious,
        "privacy_officer_consulted_on": consulted,
        "measures": "Rappel du courriel, confirmation de destruction",
        "advice": "Surveillez vos relevés et méfiez-vous des courriels qui vous nomment",
    })
}

// REQ PRIV-01, PRIV-02: an entry holds the regulation's fields; concluding needs the privacy
// officer's consultation; notices follow a serious conclusion in order and the notice to the
// CAI is produced with its content; an entry is kept five years after awareness (deletion
// refused before, allowed after); every reading is audited without the texts; another role
// does not reach the register.
#[tokio::test]
async fn the_register_assesses_notifies_and_keeps_its_entries_five_years() {
    let app = TestApp::spawn().await;
    let privacy = app.login(PRIVACY_B).await;
    let body_b = app.org_id(BODY_B).await;
    let path = format!("/api/v1/organizations/{body_b}/confidentiality-incidents");
    let refused = privacy
        .send_json(
            reqwest::Method::POST,
            &path,
            &entry_json("2026-06-02", "yes", ""),
        )
        .await;
    assert_eq!(
        refused_fields(refused).await,
        vec![(
            "privacy_officer_consulted_on".to_owned(),
            "error-confidentiality-consulted".to_owned()
        )]
    );
    let created = privacy
        .send_json(
            reqwest::Method::POST,
            &path,
            &entry_json("2026-06-02", "yes", "2026-06-03"),
        )
        .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let notice = |kind: &str, on: &str, detail: &str| {
        let privacy = &privacy;
        let body = serde_json::json!({"kind": kind, "sent_on": on, "detail": detail});
        async move {
            privacy
                .send_json(
                    reqwest::Method::POST,
                    &format!("/api/v1/confidentiality-incidents/{id}/notices"),
                    &body,
                )
                .await
        }
    };
    assert_eq!(
        refused_fields(notice("commission_addition", "2026-06-04", "Cause").await).await,
        vec![(
            "kind".to_owned(),
            "error-confidentiality-addition".to_owned()
        )]
    );
    assert_eq!(
        refused_fields(notice("commission", "2026-06-01", "").await).await,
        vec![(
            "sent_on".to_owned(),
            "error-confidentiality-notice-before".to_owned()
        )]
    );
    assert_eq!(notice("commission", "2026-06-05", "").await.status(), 204);
    assert_eq!(
        notice(
            "commission_addition",
            "2026-06-09",
            "Cause : une liste de distribution erronée"
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        refused_fields(notice("public", "2026-06-10", "").await).await,
        vec![("detail".to_owned(), "error-required".to_owned())]
    );
    assert_eq!(notice("persons", "2026-06-06", "").await.status(), 204);
    let got: serde_json::Value = privacy
        .get(&format!("/api/v1/confidentiality-incidents/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["row"]["commission_notified_on"], "2026-06-05");
    assert_eq!(got["row"]["persons_notified_on"], "2026-06-06");
    assert_eq!(got["notices"].as_array().unwrap().len(), 3);
    assert_eq!(got["retention"]["due"], "2031-06-02");
    assert_eq!(got["deletable"], false);

    // The notice to the CAI, read back by a PDF reader.
    let pdf = privacy
        .get(&format!(
            "/api/v1/confidentiality-incidents/{id}/commission-notice"
        ))
        .await;
    assert_eq!(pdf.status(), 200);
    let text = words(&pdf_text(&pdf.bytes().await.unwrap()));
    for expected in [
        "Avis à la Commission d’accès à l’information",
        "Agence fictive de la santé",
        "Nathalie Pelletier",
        "Noms, dates de naissance",
        "2026-06-02",
        "240",
        "238",
        "élevée",
        "avis envoyés le 2026-06-06",
        "une liste de distribution erronée",
        "r. 3.1, art. 3",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }

    // The notice to the persons (r. 3.1 art. 5), read back too.
    let pdf = privacy
        .get(&format!(
            "/api/v1/confidentiality-incidents/{id}/persons-notice"
        ))
        .await;
    assert_eq!(pdf.status(), 200);
    let text = words(&pdf_text(&pdf.bytes().await.unwrap()));
    for expected in [
        "Avis aux personnes concernées",
        "Agence fictive de la santé vous avise",
        "Noms, dates de naissance",
        "Une liste envoyée par courriel au mauvais destinataire",
        "Rappel du courriel",
        "Surveillez vos relevés",
        "Nathalie Pelletier",
        "r. 3.1, art. 5",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }

    // Kept five years after awareness: refused now, allowed for an entry of 2020.
    let delete = |id: i64| {
        let privacy = &privacy;
        async move {
            privacy
                .send_json(
                    reqwest::Method::DELETE,
                    &format!("/api/v1/confidentiality-incidents/{id}"),
                    &serde_json::json!({}),
                )
                .await
        }
    };
    assert_eq!(
        refused_fields(delete(id).await).await,
        vec![(
            "aware_on".to_owned(),
            "error-confidentiality-retention".to_owned()
        )]
    );
    let old = privacy
        .send_json(
            reqwest::Method::POST,
            &path,
            &entry_json("2020-01-02", "no", "2020-01-03"),
        )
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(delete(old).await.status(), 204);
    assert_eq!(
        privacy
            .get(&format!("/api/v1/confidentiality-incidents/{old}"))
            .await
            .status(),
        404
    );

    // Readings are audited, without the texts; other roles do not reach the register.
    let reads: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'confidentiality_incident.read' \
         AND entity_id = $1 AND actor_label = $2",
    )
    .bind(id.to_string())
    .bind(PRIVACY_B)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(reads, 1);
    let leaked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE after_json LIKE '%dates de naissance%' \
         OR after_json LIKE '%liste de distribution%'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(leaked, 0);
    let ciso = app.login(CSIO_A).await;
    assert_eq!(
        ciso.get(&format!("/api/v1/confidentiality-incidents/{id}"))
            .await
            .status(),
        403
    );
}

// REQ PRIV-01: the register's pages work without a script: an entry refused with its fields
// named, recorded, then its page with the assessment's guidance, the retention and the
// notice form; a refused notice names its field.
#[tokio::test]
async fn the_confidentiality_pages_work_without_script() {
    let app = TestApp::spawn().await;
    let privacy = app.login(PRIVACY_B).await;
    let body_b = app.org_id(BODY_B).await.to_string();
    let html = privacy
        .get("/confidentiality-incidents/new")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("action=\"/confidentiality-incidents/new\""));
    let refused = privacy
        .post_form(
            "/confidentiality-incidents/new",
            &[
                ("org_id", &body_b),
                ("circumstances", "Clé USB perdue"),
                ("occurred_from", "2026-06-01"),
                ("aware_on", "2026-05-30"),
                ("persons", "douze"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    for expected in [
        "href=\"#information\"",
        "href=\"#aware_on\"",
        "href=\"#persons\"",
        "Clé USB perdue",
    ] {
        assert!(html.contains(expected), "{expected} missing");
    }
    let created = privacy
        .post_form(
            "/confidentiality-incidents/new",
            &[
                ("org_id", &body_b),
                ("information_not_described", "Contenu de la clé inconnu"),
                ("circumstances", "Clé USB perdue"),
                ("occurred_from", "2026-06-01"),
                ("aware_on", "2026-06-02"),
                ("persons", "12"),
                ("persons_approximate", "1"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let html = privacy.get(&location).await.text().await.unwrap();
    for expected in [
        "Trois facteurs",
        "lundi 2031-06-02",
        "A-2.1, art. 63.11",
        "action=\"/confidentiality-incidents/",
    ] {
        assert!(html.contains(expected), "{expected} missing from {html}");
    }
    // Not concluded serious: no notice yet.
    let refused = privacy
        .post_form(
            &format!("{location}/notices"),
            &[("kind", "commission"), ("sent_on", "2026-06-03")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("suivent la conclusion d’un risque de préjudice sérieux"));
    let list = privacy
        .get("/confidentiality-incidents?pending=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("IC-"));
    assert!(!list.contains("Clé USB perdue"));
}

// REQ PRIV-02: "avec diligence" is tracked by reminders on a configurable cadence, not by an
// invented delay: the privacy officer is told while a serious incident waits for its notices,
// again only after the cadence, and no more once they are sent.
#[tokio::test]
async fn a_serious_incident_waiting_for_its_notices_is_recalled_on_its_cadence() {
    let app = TestApp::spawn().await;
    let privacy = app.login(PRIVACY_B).await;
    let body_b = app.org_id(BODY_B).await;
    let created = privacy
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/organizations/{body_b}/confidentiality-incidents"),
            &entry_json("2026-06-02", "yes", "2026-06-03"),
        )
        .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let remind = |today: &'static str| {
        let app = &app;
        async move {
            let mut w = app
                .store
                .write(rempart_storage::AuditContext::system("planificateur"))
                .await
                .unwrap();
            let n = rempart_storage::confidentiality::remind(
                &mut w,
                &words_notifier(),
                today.parse().unwrap(),
                3,
            )
            .await
            .unwrap();
            w.commit().await.unwrap();
            n
        }
    };
    let told = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM notifications n JOIN persons p ON p.id = n.person_id \
             WHERE p.email = $1 AND n.kind = 'confidentiality-reminder'",
        )
        .bind(PRIVACY_B)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
    };
    assert_eq!(remind("2026-06-04").await, 0, "two days: not yet");
    assert_eq!(remind("2026-06-05").await, 1);
    assert_eq!(told().await, 1);
    let subject: String = sqlx::query_scalar(
        "SELECT subject FROM notifications WHERE kind = 'confidentiality-reminder' LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert!(subject.contains("avis à envoyer"), "{subject}");
    assert_eq!(remind("2026-06-06").await, 0, "again only after three days");
    assert_eq!(remind("2026-06-08").await, 1);
    // Once the notices are recorded, no more reminders.
    for (kind, on) in [("commission", "2026-06-08"), ("persons", "2026-06-09")] {
        let sent = privacy
            .send_json(
                reqwest::Method::POST,
                &format!("/api/v1/confidentiality-incidents/{id}/notices"),
                &serde_json::json!({"kind": kind, "sent_on": on}),
            )
            .await;
        assert_eq!(sent.status(), 204);
    }
    assert_eq!(remind("2026-06-20").await, 0);
    assert_eq!(told().await, 2);
}

// REQ PRP-04: anyone complains by a page that needs no script (faults named, nothing lost), is
// given a token shown once, and follows the complaint with it; a flood from one address is
// refused; the privacy officer is told, decides admissibility, analyses, recommends and
// answers in order; the complainant reads the answer; the time to answer is measured; the
// complaint is read by the privacy officer only, readings audited without the words.
#[tokio::test]
async fn the_public_complains_and_the_privacy_officer_answers() {
    let app = TestApp::spawn_configured(|_| rempart_web::WebConfig {
        complaint_rate: rempart_web::ratelimit::PublicRateLimit::per_hour(3),
        ..rempart_web::WebConfig::default()
    })
    .await;
    let body_b = app.org_id(BODY_B).await.to_string();
    let public = TestApp::client();
    let page = public
        .get(format!("{}/complaint", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\" action=\"/complaint\""));
    assert!(html.contains("Agence fictive de la santé"));
    // Refused, the fields named and what was typed kept; a refused form does not count.
    let refused = public
        .post(format!("{}/complaint", app.base))
        .form(&[
            ("org_id", body_b.as_str()),
            ("name", ""),
            ("contact", "camille@example.org"),
            ("grounds", "Communication"),
            ("facts", "Trop court"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("href=\"#name\"") && html.contains("href=\"#facts\""));
    assert!(html.contains("value=\"camille@example.org\""));
    let facts = "Mon dossier d’usager a été transmis à mon employeur sans mon consentement.";
    let sent = public
        .post(format!("{}/complaint", app.base))
        .form(&[
            ("org_id", body_b.as_str()),
            ("name", "Camille Roy"),
            ("contact", "camille@example.org"),
            ("grounds", "Communication sans consentement"),
            ("facts", facts),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let html = sent.text().await.unwrap();
    let token = element_text(&html, "<code id=\"token\">");
    assert_eq!(token.len(), 43, "{html}");
    // Two more by the API, then the address is refused.
    for _ in 0..2 {
        let r = public
            .post(format!("{}/api/v1/complaints", app.base))
            .json(
                &serde_json::json!({"org_id": body_b, "name": "X", "contact": "x@example.org",
                "grounds": "Motif", "facts": "Des faits suffisamment longs."}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let flood = public
        .post(format!("{}/api/v1/complaints", app.base))
        .json(
            &serde_json::json!({"org_id": body_b, "name": "X", "contact": "x@example.org",
            "grounds": "Motif", "facts": "Des faits suffisamment longs."}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(flood.status(), 429);

    // The privacy officer was told and handles it in order.
    let told: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications n JOIN persons p ON p.id = n.person_id \
         WHERE p.email = $1 AND n.kind = 'complaint-received'",
    )
    .bind(PRIVACY_B)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(told, 3);
    let privacy = app.login(PRIVACY_B).await;
    let list: serde_json::Value = privacy
        .get("/api/v1/complaints")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 3);
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .min()
        .unwrap();
    assert!(!list.to_string().contains("Camille Roy"));
    let steps = format!("/complaints/{id}/steps");
    let out_of_order = privacy
        .post_form(&steps, &[("step", "answer"), ("text", "Réponse")])
        .await;
    assert_eq!(out_of_order.status(), 422);
    assert!(out_of_order
        .text()
        .await
        .unwrap()
        .contains("ne suit pas l’état de la plainte"));
    for form in [
        vec![
            ("step", "admissibility"),
            ("admissible", "yes"),
            ("text", ""),
        ],
        vec![
            ("step", "analysis"),
            ("text", "La communication n’était pas autorisée."),
        ],
        vec![
            ("step", "recommendations"),
            ("text", "Former le personnel."),
        ],
        vec![
            ("step", "answer"),
            (
                "text",
                "Votre plainte est fondée ; des mesures sont prises.",
            ),
        ],
    ] {
        let r = privacy.post_form(&steps, &form).await;
        assert_eq!(r.status(), 303, "{form:?}");
    }
    let html = privacy
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(facts));
    assert!(html.contains("Former le personnel."));
    let got: serde_json::Value = privacy
        .get(&format!("/api/v1/complaints/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["row"]["status"], "answered");
    assert_eq!(got["row"]["days_to_answer"], 0);
    assert_eq!(got["steps"].as_array().unwrap().len(), 4);
    let closed = privacy
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/complaints/{id}/steps"),
            &serde_json::json!({"step": "answer", "text": "Encore"}),
        )
        .await;
    assert_eq!(
        refused_fields(closed).await,
        vec![("step".to_owned(), "error-complaint-answered".to_owned())]
    );
    let page = privacy.get("/complaints").await.text().await.unwrap();
    assert!(page.contains("PL-"));

    // A complaint received by telephone, recorded on the page by the privacy officer; a fault
    // is named at its field and nothing is written.
    let agency = app.org_id(BODY_B).await.to_string();
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM complaints")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let r = privacy
        .post_form(
            "/complaints",
            &[
                ("org_id", &agency),
                ("name", "Luc Gagné"),
                ("facts", "Trop court"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#contact\""), "{html}");
    assert!(html.contains("href=\"#facts\""));
    assert!(html.contains("value=\"Luc Gagné\""));
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM complaints")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(after, before);
    let r = privacy
        .post_form(
            "/complaints",
            &[
                ("org_id", &agency),
                ("name", "Luc Gagné"),
                ("contact", "418 555-0199"),
                ("grounds", "Accès au dossier par un collègue"),
                (
                    "facts",
                    "Un employé a consulté mon dossier sans raison, dit-il.",
                ),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"].to_str().unwrap().to_owned();
    let recorded = privacy.get(&at).await.text().await.unwrap();
    assert!(recorded.contains("418 555-0199"), "{recorded}");
    let channel: String =
        sqlx::query_scalar("SELECT channel FROM complaints WHERE contact = '418 555-0199'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(channel, "staff");

    // The complainant reads the answer with the token; another token opens nothing.
    let followed = public
        .post(format!("{}/complaint/follow", app.base))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(followed.status(), 200);
    let html = followed.text().await.unwrap();
    assert!(html.contains("des mesures sont prises"), "{html}");
    let unknown = public
        .post(format!("{}/api/v1/complaints/follow", app.base))
        .json(&serde_json::json!({"token": "inconnu"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    // Readings audited, no words in the trail; the security officer does not reach it.
    let reads: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'complaint.read' AND entity_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert!(reads >= 2);
    let leaked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE after_json LIKE '%Camille%' \
         OR after_json LIKE '%employeur%'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(leaked, 0);
    let ciso = app.login(CSIO_A).await;
    assert_eq!(
        ciso.get(&format!("/api/v1/complaints/{id}")).await.status(),
        403
    );
}

async fn upload(
    who: &Session,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().text("csrf", who.csrf.clone());
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    }
    who.client
        .post(who.url(path))
        .header("x-csrf-token", &who.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

// REQ PRP-03: the documents found are kept as found and in their redacted version, which
// names the provisions of the body's list it relies on; the privacy officer and the person
// assigned read them, each reading logged without the file's name; others reach nothing; the
// page names a fault at its field.
#[tokio::test]
async fn an_access_request_keeps_its_documents_and_their_redacted_versions() {
    let app = TestApp::spawn().await;
    let privacy = app.login(PRIVACY_B).await;
    let body_b = app.org_id(BODY_B).await;
    let id = create_request(&privacy, body_b, &request_json("2026-06-04", "fr")).await;
    let base = format!("/api/v1/access-requests/{id}/documents");
    let original: &[u8] = b"%PDF-1.4\n% Politique de protection - Alex Tremblay\n";
    let masked: &[u8] = b"%PDF-1.4\n% Politique de protection - [caviarde art. 53]\n";

    let r = upload(
        &privacy,
        &base,
        &[("title", "")],
        Some(("dossier-alex-tremblay.pdf", original)),
    )
    .await;
    assert_eq!(
        refused_fields(r).await,
        vec![("title".to_owned(), "error-required".to_owned())]
    );
    let r = upload(&privacy, &base, &[("title", "Politique")], None).await;
    assert_eq!(
        refused_fields(r).await,
        vec![("file".to_owned(), "error-required".to_owned())]
    );
    let r = upload(
        &privacy,
        &base,
        &[("title", "Politique de protection du portail")],
        Some(("dossier-alex-tremblay.pdf", original)),
    )
    .await;
    assert_eq!(r.status(), 201);
    let doc = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let redacted_path = format!("{base}/{doc}/redacted");
    let r = upload(
        &privacy,
        &redacted_path,
        &[],
        Some(("caviarde.pdf", masked)),
    )
    .await;
    assert_eq!(
        refused_fields(r).await,
        vec![(
            "articles".to_owned(),
            "error-access-request-redaction-articles".to_owned()
        )]
    );
    let r = upload(
        &privacy,
        &redacted_path,
        &[("articles", "99")],
        Some(("caviarde.pdf", masked)),
    )
    .await;
    assert_eq!(
        refused_fields(r).await,
        vec![(
            "articles".to_owned(),
            "error-access-request-article-unknown".to_owned()
        )]
    );
    let r = upload(
        &privacy,
        &redacted_path,
        &[("articles", "53"), ("articles", "54")],
        Some(("caviarde.pdf", masked)),
    )
    .await;
    assert_eq!(r.status(), 204);

    let docs: serde_json::Value = privacy.get(&base).await.json().await.unwrap();
    assert_eq!(docs[0]["title"], "Politique de protection du portail");
    assert_eq!(docs[0]["articles"], serde_json::json!(["53", "54"]));
    assert_eq!(docs[0]["original"]["content_type"], "application/pdf");
    let read = privacy.get(&format!("{base}/{doc}/files/redacted")).await;
    assert_eq!(read.status(), 200);
    assert!(read.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(read.bytes().await.unwrap().as_ref(), masked);
    assert_eq!(
        privacy
            .get(&format!("{base}/{doc}/files/brouillon"))
            .await
            .status(),
        404
    );

    // The person assigned reads them, and adds nothing; others reach nothing.
    const ASSIGNEE: &str = "detentrice.afs@demo.rempart.quebec";
    let assignee = app.login(ASSIGNEE).await;
    assert_eq!(
        assignee
            .get(&format!("{base}/{doc}/files/original"))
            .await
            .status(),
        404
    );
    let person = app.person_id(ASSIGNEE).await;
    let assigned = privacy
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/access-requests/{id}/assignee"),
            &serde_json::json!({ "person_id": person }),
        )
        .await;
    assert_eq!(assigned.status(), 204);
    let read = assignee.get(&format!("{base}/{doc}/files/original")).await;
    assert_eq!(read.status(), 200);
    assert_eq!(read.bytes().await.unwrap().as_ref(), original);
    assert_eq!(
        upload(
            &assignee,
            &base,
            &[("title", "Autre")],
            Some(("a.txt", b"texte"))
        )
        .await
        .status(),
        403
    );
    let ciso = app.login(CSIO_A).await;
    assert_eq!(ciso.get(&base).await.status(), 404);
    assert_eq!(
        ciso.get(&format!("{base}/{doc}/files/original"))
            .await
            .status(),
        404
    );

    // Each reading logged; the trail keeps no file name.
    let reads: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'access_request.document_read' \
         AND entity_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(reads, 2);
    for action in [
        "access_request.document_add",
        "access_request.document_redacted",
    ] {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_entries WHERE action = $1 AND entity_id = $2",
        )
        .bind(action)
        .bind(id.to_string())
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert_eq!(n, 1, "{action}");
    }
    let leaked: Vec<String> = sqlx::query_scalar(
        "SELECT action || ' ' || after_json FROM audit_entries \
         WHERE after_json LIKE '%dossier-alex%' OR after_json LIKE '%caviarde.pdf%'",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert!(leaked.is_empty(), "{leaked:?}");

    // The page: the documents listed, the redacted version linked; a fault named at its field.
    let page = format!("/access-requests/{id}");
    let html = privacy.get(&page).await.text().await.unwrap();
    assert!(
        html.contains("Politique de protection du portail"),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"{page}/documents/{doc}/files/redacted\"")));
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let r = upload(
        &privacy,
        &format!("{page}/documents"),
        &[("title", "Annexe")],
        None,
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#document-file\""), "{html}");
    let r = upload(
        &privacy,
        &format!("{page}/documents"),
        &[("title", "Annexe")],
        Some(("annexe.txt", b"Annexe au contrat")),
    )
    .await;
    assert_eq!(r.status(), 303);
    let html = privacy.get(&page).await.text().await.unwrap();
    assert!(html.contains("non caviardé"));
    assert!(html.contains(&format!("action=\"{page}/documents/{doc}/remove\"")));

    // A document added in error is removed while the request is open; once it is closed,
    // its documents stay with it.
    let docs: serde_json::Value = privacy.get(&base).await.json().await.unwrap();
    let annex = docs[1]["id"].as_i64().unwrap();
    let removed = privacy
        .send_json(
            reqwest::Method::DELETE,
            &format!("{base}/{annex}"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(removed.status(), 204);
    let docs: serde_json::Value = privacy.get(&base).await.json().await.unwrap();
    assert_eq!(docs.as_array().unwrap().len(), 1);
    let withdrawn = step(
        &privacy,
        id,
        serde_json::json!({"step": "withdraw", "on": "2026-06-10"}),
    )
    .await;
    assert_eq!(withdrawn.status(), 204);
    let kept = privacy
        .send_json(
            reqwest::Method::DELETE,
            &format!("{base}/{doc}"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(
        refused_fields(kept).await,
        vec![(
            "document".to_owned(),
            "error-access-request-document-kept".to_owned()
        )]
    );
}
