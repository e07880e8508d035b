//! The risk register end to end (RISK-01 to RISK-05), on the engine under test: scores
//! computed and never typed, the method inherited down the tree and rescoring when it
//! changes, who approves a residual risk, approvals that lapse, every reassessment trigger,
//! scope, the heat map, and the scheduler's claim shared by several processes.

use axum::http::Method;
use chrono::Days;
use rempart_domain::risk::Reassessment;
use rempart_storage::{risks, scheduler, AuditContext};
use serde_json::{json, Value};

use crate::kit::*;

const CHIEF_A: &str = "dirigeant@demo.rempart.quebec";
const HOLDER_FIN: &str = "detentrice.finances@demo.rempart.quebec";
const FINANCES: &str = "mfr-direction-des-finances";

/// A risk on the payroll system of the finance unit, held by its holder.
async fn payroll_risk(app: &TestApp, gross: [u8; 4], residual: [u8; 4]) -> Value {
    let owner = app.person_id(HOLDER_FIN).await;
    json!({
        "org_id": app.org_id(FINANCES).await,
        "title": "Accès frauduleux au système de paie",
        "threat": "Employé malveillant",
        "vulnerability": "Comptes partagés à la paie",
        "existing_controls": "Journalisation",
        "owner_id": owner,
        "asset_ids": [asset_id(app, "Système de paie").await],
        "likelihood": gross[0], "impact_availability": gross[1],
        "impact_integrity": gross[2], "impact_confidentiality": gross[3],
        "treatment": "mitigate",
        "residual_likelihood": residual[0], "residual_impact_availability": residual[1],
        "residual_impact_integrity": residual[2], "residual_impact_confidentiality": residual[3],
        "residual_description": "Comptes nominatifs",
        "actions": [{"title": "Comptes nominatifs à la paie", "owner_id": owner,
            "due_on": "2027-03-31", "controls": ["AC-2", "ac-2"]}],
    })
}

async fn create(ciso: &Session, body: &Value) -> i64 {
    let created = ciso.send_json(Method::POST, "/api/v1/risks", body).await;
    let status = created.status();
    let body: Value = created.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

async fn approve(who: &Session, id: i64) -> reqwest::Response {
    let path = format!("/api/v1/risks/{id}/approve");
    let body = json!({"justification": "Plan de traitement jugé suffisant"});
    who.send_json(Method::POST, &path, &body).await
}

async fn risk(session: &Session, id: i64) -> Value {
    let r = session.get(&format!("/api/v1/risks/{id}")).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

// REQ RISK-01
// REQ RISK-02
#[tokio::test]
async fn scores_are_computed_never_typed_and_every_fault_is_named() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let id = create(&ciso, &payroll_risk(&app, [3, 2, 4, 1], [2, 2, 3, 1]).await).await;
    let r = risk(&ciso, id).await;
    // Highest impact (4) × likelihood (3); residual 3 × 2.
    assert_eq!(r["gross_score"], 12);
    assert_eq!(r["gross_band_label_fr"], "Élevé");
    assert_eq!(r["residual_score"], 6);
    assert_eq!(
        r["above_threshold"], false,
        "the residual risk, 6, is under 9"
    );
    assert_eq!(r["status"], "draft");
    assert_eq!(r["actions"][0]["controls"], json!(["ac-2"]));
    assert_eq!(r["assets"][0]["name"], "Système de paie");

    // A score cannot be given: the field is unknown.
    let mut typed = payroll_risk(&app, [3, 2, 4, 1], [2, 2, 3, 1]).await;
    typed["gross_score"] = json!(1);
    let refused = ciso.send_json(Method::POST, "/api/v1/risks", &typed).await;
    assert_eq!(refused.status(), 422);

    // Every fault of an input at once, each field named.
    let mut bad = payroll_risk(&app, [6, 2, 4, 1], [2, 2, 3, 1]).await;
    bad["title"] = json!("  ");
    bad["treatment"] = json!("ignorer");
    bad["residual_impact_integrity"] = Value::Null;
    bad["actions"][0]["due_on"] = json!("31/03/2027");
    let refused = ciso.send_json(Method::POST, "/api/v1/risks", &bad).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        error_fields(&refused.json().await.unwrap()),
        [
            ("treatment".to_owned(), "error-choice".to_owned()),
            (
                "residual_impact_integrity".to_owned(),
                "error-required".to_owned()
            ),
            ("actions.0.due_on".to_owned(), "error-date".to_owned()),
        ]
    );
    let mut bad = payroll_risk(&app, [6, 2, 4, 1], [2, 2, 3, 1]).await;
    bad["title"] = json!("  ");
    bad["asset_ids"] = json!([asset_id(&app, "Dossier clinique informatisé").await]);
    bad["owner_id"] = json!(app.person_id(PRIVACY_B).await);
    let refused = ciso.send_json(Method::POST, "/api/v1/risks", &bad).await;
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        error_fields(&body),
        [
            ("title".to_owned(), "error-required".to_owned()),
            ("likelihood".to_owned(), "error-level".to_owned()),
        ],
        "form faults first"
    );
    let mut outside = payroll_risk(&app, [3, 2, 4, 1], [2, 2, 3, 1]).await;
    outside["asset_ids"] = json!([asset_id(&app, "Dossier clinique informatisé").await]);
    outside["owner_id"] = json!(app.person_id(PRIVACY_B).await);
    let refused = ciso
        .send_json(Method::POST, "/api/v1/risks", &outside)
        .await;
    assert_eq!(
        error_fields(&refused.json().await.unwrap()),
        [
            (
                "asset_ids".to_owned(),
                "error-risk-asset-outside".to_owned()
            ),
            (
                "owner_id".to_owned(),
                "error-person-not-in-organization".to_owned()
            ),
        ]
    );
    // Nothing was half-written.
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM risks WHERE title = $1")
        .bind("Accès frauduleux au système de paie")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);
}

// REQ RISK-03
// REQ AUTHZ-02
#[tokio::test]
async fn the_holder_approves_up_to_the_threshold_the_chief_above_never_the_proposer() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let holder = app.login(HOLDER_FIN).await;
    let chief = app.login(CHIEF_A).await;

    // Under the threshold: the holder approves, once proposed.
    let low = create(&ciso, &payroll_risk(&app, [3, 2, 4, 1], [2, 2, 3, 1]).await).await;
    let early = approve(&holder, low).await;
    assert_eq!(early.status(), 422);
    assert_eq!(
        error_fields(&early.json().await.unwrap()),
        [("status".to_owned(), "error-risk-not-proposed".to_owned())]
    );
    let path = format!("/api/v1/risks/{low}/propose");
    assert_eq!(
        ciso.send_json(Method::POST, &path, &json!({}))
            .await
            .status(),
        204
    );
    // The CISO who proposed it never approves it; the delegated CISO may approve in
    // general, but holds neither the asset nor the chief's role.
    let by_ciso = approve(&ciso, low).await;
    assert_eq!(
        error_fields(&by_ciso.json().await.unwrap()),
        [("approval".to_owned(), "error-self-approval".to_owned())]
    );
    let cdsi = app.login("cdsi@demo.rempart.quebec").await;
    let by_cdsi = approve(&cdsi, low).await;
    assert_eq!(
        error_fields(&by_cdsi.json().await.unwrap()),
        [("approval".to_owned(), "error-risk-not-holder".to_owned())]
    );
    assert_eq!(approve(&holder, low).await.status(), 204);
    let r = risk(&ciso, low).await;
    assert_eq!(r["status"], "approved");
    assert_eq!(r["approvals"][0]["approver_id"], holder.person_id);
    assert_eq!(r["approvals"][0]["proposed_by"], ciso.person_id);
    assert_eq!(r["approvals"][0]["above_threshold"], false);

    // Above the threshold: the chief executive, not the holder.
    let mut body = payroll_risk(&app, [4, 2, 4, 4], [3, 2, 4, 4]).await;
    body["title"] = json!("Divulgation des dossiers de paie");
    let high = create(&ciso, &body).await;
    let path = format!("/api/v1/risks/{high}/propose");
    assert_eq!(
        ciso.send_json(Method::POST, &path, &json!({}))
            .await
            .status(),
        204
    );
    let by_holder = approve(&holder, high).await;
    assert_eq!(
        error_fields(&by_holder.json().await.unwrap()),
        [(
            "approval".to_owned(),
            "error-risk-needs-higher-approver".to_owned()
        )]
    );
    assert_eq!(approve(&chief, high).await.status(), 204);
    let r = risk(&ciso, high).await;
    assert_eq!(r["approvals"][0]["above_threshold"], true);

    // A method that names the CISO as higher approver: the CISO may approve what others
    // put forward above the threshold, but not their own proposal.
    let body_a = app.org_id(BODY_A).await;
    let mut method: Value = ciso
        .get(&format!("/api/v1/organizations/{body_a}/risk-method"))
        .await
        .json()
        .await
        .unwrap();
    method["method"]["higher_approver"] = json!("Ciso");
    let set = ciso
        .send_json(
            Method::PUT,
            &format!("/api/v1/organizations/{body_a}/risk-method"),
            &method["method"],
        )
        .await;
    assert_eq!(set.status(), 200);
    let mut body = payroll_risk(&app, [4, 2, 4, 4], [3, 2, 4, 4]).await;
    body["title"] = json!("Sabotage de la paie");
    let own = create(&ciso, &body).await;
    let path = format!("/api/v1/risks/{own}/propose");
    assert_eq!(
        ciso.send_json(Method::POST, &path, &json!({}))
            .await
            .status(),
        204
    );
    let self_approval = approve(&ciso, own).await;
    assert_eq!(
        error_fields(&self_approval.json().await.unwrap()),
        [("approval".to_owned(), "error-self-approval".to_owned())]
    );
    // A person without the approving permission is refused at the gate.
    let user = app.login(USER_A).await;
    assert_eq!(approve(&user, own).await.status(), 403);
    let audit_entries: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_entries WHERE action = 'risk.approve'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert!(audit_entries >= 2 + 4, "demo approvals and these two");
}

// REQ RISK-03
// REQ RISK-04
#[tokio::test]
async fn approvals_lapse_and_every_trigger_flags_for_reassessment() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let holder = app.login(HOLDER_FIN).await;
    let id = create(&ciso, &payroll_risk(&app, [3, 2, 4, 1], [2, 2, 3, 1]).await).await;
    let path = format!("/api/v1/risks/{id}/propose");
    assert_eq!(
        ciso.send_json(Method::POST, &path, &json!({}))
            .await
            .status(),
        204
    );
    let path = format!("/api/v1/risks/{id}/approve");
    let body = json!({"justification": "Accepté"});
    assert_eq!(
        holder.send_json(Method::POST, &path, &body).await.status(),
        204
    );

    // The daily job, a year and a day later: the approval lapsed and the review came due.
    let today = rempart_web::time::today();
    let later = today.checked_add_days(Days::new(367)).unwrap();
    let mut w = app.store.write(AuditContext::system("test")).await.unwrap();
    let outcome = risks::flag_due(&mut w, later).await.unwrap();
    w.commit().await.unwrap();
    assert!(
        outcome.approvals_expired >= 1 && outcome.review_due >= 1,
        "{outcome:?}"
    );
    let r = risk(&ciso, id).await;
    assert_eq!(r["status"], "proposed", "back for approval");
    assert_eq!(r["to_reassess"], true);
    assert_eq!(r["approvals"][0]["ended_reason"], "expired");
    let kinds: Vec<&str> = r["reassessments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["reason"]["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"approval_expired") && kinds.contains(&"review_due"),
        "{kinds:?}"
    );
    // Running it again the same day changes nothing.
    let head = app.audit_seq().await;
    let mut w = app.store.write(AuditContext::system("test")).await.unwrap();
    let again = risks::flag_due(&mut w, later).await.unwrap();
    w.commit().await.unwrap();
    assert_eq!((again.review_due, again.approvals_expired), (0, 0));
    assert_eq!(app.audit_seq().await, head);

    // An incident that compromised an asset of the perimeter (the incident module's entry
    // point), an audit finding, a legal change for the body: each is a reason of its own.
    let payroll = asset_id(&app, "Système de paie").await;
    let mut w = app.store.write(AuditContext::system("test")).await.unwrap();
    let n = risks::flag_for_asset(
        &mut w,
        payroll,
        &Reassessment::Incident {
            incident: "INC-2026-0042".into(),
        },
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    assert!(n >= 1);
    let path = format!("/api/v1/risks/{id}/reassessments");
    let finding = json!({"kind": "audit_finding", "detail": "Audit interne A-2026-07"});
    let flagged: Value = ciso
        .send_json(Method::POST, &path, &finding)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(flagged["flagged"], 1);
    let flagged: Value = ciso
        .send_json(Method::POST, &path, &finding)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        flagged["flagged"], 0,
        "the same reason is not flagged twice"
    );
    let body_a = app.org_id(BODY_A).await;
    let change = json!({"change": "Loi 25 : nouvelles obligations de notification"});
    let flagged: Value = ciso
        .send_json(
            Method::POST,
            &format!("/api/v1/organizations/{body_a}/legal-changes"),
            &change,
        )
        .await
        .json()
        .await
        .unwrap();
    let in_body: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM risks WHERE org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)",
    )
    .bind(body_a)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(flagged["flagged"].as_i64(), Some(in_body));
    let r = risk(&ciso, id).await;
    let kinds: Vec<&str> = r["reassessments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["cleared_at"].is_null())
        .map(|x| x["reason"]["kind"].as_str().unwrap())
        .collect();
    for kind in ["incident", "audit_finding", "legal_change", "review_due"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let listed: Value = ciso
        .get("/api/v1/risks?flag=to_reassess&limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert!(listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == id));

    // Reassessed: flags cleared, back to draft, the approval of the old assessment ended.
    let mut body = payroll_risk(&app, [3, 2, 4, 1], [1, 2, 3, 1]).await;
    body["version"] = r["version"].clone();
    let done = ciso
        .send_json(Method::PUT, &format!("/api/v1/risks/{id}"), &body)
        .await;
    assert_eq!(done.status(), 204);
    let r2 = risk(&ciso, id).await;
    assert_eq!(r2["to_reassess"], false);
    assert_eq!(r2["status"], "draft");
    assert_eq!(r2["residual_score"], 3);
    assert!(r2["reassessments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| !x["cleared_at"].is_null()));
    // The version read is checked.
    let stale = ciso
        .send_json(Method::PUT, &format!("/api/v1/risks/{id}"), &body)
        .await;
    assert_eq!(stale.status(), 409);
}

// REQ RISK-02
#[tokio::test]
async fn the_method_is_inherited_and_a_change_rescores_and_is_audited() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let finances = app.org_id(FINANCES).await;
    let body_a = app.org_id(BODY_A).await;
    let method: Value = ciso
        .get(&format!("/api/v1/organizations/{finances}/risk-method"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(method["defined_at"], Value::Null, "the default");
    assert_eq!(method["method"]["threshold"], 9);
    let id = create(&ciso, &payroll_risk(&app, [3, 1, 1, 4], [2, 1, 1, 4]).await).await;
    assert_eq!(risk(&ciso, id).await["gross_score"], 12);

    // The body averages the three impacts: its units' risks are rescored.
    let mut m = method["method"].clone();
    m["impact_rule"] = json!("mean");
    m["threshold"] = json!(4);
    let set: Value = ciso
        .send_json(
            Method::PUT,
            &format!("/api/v1/organizations/{body_a}/risk-method"),
            &m,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(set["rescored"].as_u64().unwrap() >= 1, "{set}");
    let inherited: Value = ciso
        .get(&format!("/api/v1/organizations/{finances}/risk-method"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inherited["defined_at"], body_a);
    let r = risk(&ciso, id).await;
    assert_eq!(r["gross_score"], 6, "3 × ⌈6 / 3⌉");
    assert_eq!(r["residual_score"], 4);
    assert_eq!(r["above_threshold"], false);
    let rescored: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'risk.rescore' AND entity_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(rescored, 1);
    // The other body keeps the default.
    let agency = app.org_id(BODY_B).await;
    let (other, defined) = risks::method(
        &app.store,
        rempart_storage::scope::Scope::LocalAdministrator,
        agency,
    )
    .await
    .unwrap();
    assert_eq!((other.threshold, defined), (9, None));

    // A faulty method is refused whole, each fault named.
    m["threshold"] = json!(0);
    m["bands"][1]["colour"] = json!("jaune");
    let refused = ciso
        .send_json(
            Method::PUT,
            &format!("/api/v1/organizations/{body_a}/risk-method"),
            &m,
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        error_fields(&refused.json().await.unwrap()),
        [
            ("bands".to_owned(), "error-colour".to_owned()),
            ("threshold".to_owned(), "error-risk-threshold".to_owned()),
        ]
    );
    // Only those who set methods may; a holder may not.
    let holder = app.login(HOLDER_FIN).await;
    let refused = holder
        .send_json(
            Method::PUT,
            &format!("/api/v1/organizations/{finances}/risk-method"),
            &method["method"],
        )
        .await;
    assert_eq!(refused.status(), 403);
}

// REQ RISK-05
// REQ AUTHZ-01
#[tokio::test]
async fn the_map_and_lists_keep_to_the_callers_scope() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY_A).await;
    let body_b = app.org_id(BODY_B).await;
    let listed: Value = ciso
        .get("/api/v1/risks?limit=500")
        .await
        .json()
        .await
        .unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(listed["total"].as_i64(), Some(items.len() as i64));
    assert!(items.len() >= 6, "the ministry's demo risks");
    assert!(items
        .iter()
        .all(|r| r["org_name"] != "Agence fictive de la santé"
            && r["org_name"] != "Direction clinique"));
    // The worst remaining risk first.
    let scores: Vec<i64> = items
        .iter()
        .map(|r| {
            r["residual_score"]
                .as_i64()
                .unwrap_or_else(|| r["gross_score"].as_i64().unwrap())
        })
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    let overdue: Value = ciso
        .get("/api/v1/risks?flag=overdue_actions")
        .await
        .json()
        .await
        .unwrap();
    assert!(overdue["total"].as_i64().unwrap() >= 2);

    let map: Value = ciso
        .get(&format!("/api/v1/risks/map?org_id={body_a}"))
        .await
        .json()
        .await
        .unwrap();
    let cells: i64 = map["gross"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter().map(|c| c.as_i64().unwrap()))
        .sum();
    assert_eq!(cells, map["risks"].as_i64().unwrap());
    assert_eq!(cells, items.len() as i64);
    assert_eq!(map["gross"].as_array().unwrap().len(), 5);
    // Another body's map, list and risks are not found.
    assert_eq!(
        ciso.get(&format!("/api/v1/risks/map?org_id={body_b}"))
            .await
            .status(),
        404
    );
    let foreign = risk_id(&app, "Rançongiciel sur le dossier clinique informatisé").await;
    assert_eq!(
        ciso.get(&format!("/api/v1/risks/{foreign}")).await.status(),
        404
    );
    let path = format!("/api/v1/risks/{foreign}/reassessments");
    let finding = json!({"kind": "audit_finding", "detail": "A-1"});
    assert_eq!(
        ciso.send_json(Method::POST, &path, &finding).await.status(),
        404
    );
    // Nor can a risk be recorded there.
    let mut theirs = payroll_risk(&app, [3, 2, 4, 1], [2, 2, 3, 1]).await;
    theirs["org_id"] = json!(body_b);
    let refused = ciso.send_json(Method::POST, "/api/v1/risks", &theirs).await;
    assert_eq!(
        error_fields(&refused.json().await.unwrap()),
        [("org_id".to_owned(), "error-not-found".to_owned())]
    );
    // The government centre sees both bodies on its map; an end user sees no risk at all.
    let gov = app.login("cgsi@demo.rempart.quebec").await;
    let root = app.org_id("cgcd-demo").await;
    let all: Value = gov
        .get(&format!("/api/v1/risks/map?org_id={root}"))
        .await
        .json()
        .await
        .unwrap();
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM risks WHERE archived_at IS NULL")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(all["risks"].as_i64(), Some(total));
    let user = app.login(USER_A).await;
    assert_eq!(user.get("/api/v1/risks").await.status(), 403);
    // The demo's holder sees the risks of their own unit only.
    let holder = app.login(HOLDER_A).await;
    let own: Value = holder.get("/api/v1/risks").await.json().await.unwrap();
    assert!(own["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["org_name"] == "Direction des technologies de l'information"));
}

// REQ RISK-04
#[tokio::test]
async fn one_process_runs_each_scheduled_occurrence() {
    let app = TestApp::spawn().await;
    let second = rempart_storage::Store::open(&app.url, 2).await.unwrap();
    let now = 1_800_000_000_000_000_i64;
    let hour = 3_600_000_000_i64;
    let (a, b) = tokio::join!(
        scheduler::claim(&app.store, "risk.reassessment", now, hour, "a"),
        scheduler::claim(&second, "risk.reassessment", now, hour, "b"),
    );
    assert!(
        a.unwrap() ^ b.unwrap(),
        "exactly one of two processes claims it"
    );
    assert!(
        !scheduler::claim(&second, "risk.reassessment", now + hour - 1, hour, "b")
            .await
            .unwrap()
    );
    assert!(
        scheduler::claim(&second, "risk.reassessment", now + hour, hour, "b")
            .await
            .unwrap()
    );
    scheduler::finish(&second, "risk.reassessment", now + hour + 5, "0 flagged")
        .await
        .unwrap();
    let state = scheduler::state(&app.store, "risk.reassessment")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.next_run_at, now + 2 * hour);
    assert_eq!(state.last_outcome.as_deref(), Some("0 flagged"));
    second.close().await;
}

// REQ RISK-04
#[tokio::test]
async fn serve_runs_the_reassessment_job_once_an_hour_whichever_process_asks() {
    let app = TestApp::spawn().await;
    // What `serve` runs every minute: the first process to ask runs the job, the next one
    // within the hour finds it taken.
    let ran = rempart::server::run_due_jobs(&app.store, "serve-1", false, 3)
        .await
        .unwrap();
    let ran = ran.unwrap();
    assert!(ran.contains("approbation"));
    // The demo's lapsed applications file is due for destruction (PRP-01).
    assert!(
        ran.contains("1 fichier(s) de renseignements personnels à détruire signalé(s)"),
        "{ran}"
    );
    assert_eq!(
        rempart::server::run_due_jobs(&app.store, "serve-2", false, 3)
            .await
            .unwrap(),
        None
    );
    let state = scheduler::state(&app.store, rempart::server::REASSESSMENT_JOB)
        .await
        .unwrap()
        .unwrap();
    assert!(state.last_finished_at.is_some());
}

// REQ RISK-05
#[tokio::test]
async fn the_management_report_renders_as_pdf_and_csv_within_scope() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY_A).await;
    let pdf = ciso
        .get(&format!("/risks/report.pdf?org_id={body_a}"))
        .await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let text = pdf_text(&pdf.bytes().await.unwrap());
    for expected in [
        "Rapport de gestion des risques",
        "Ministère fictif des Ressources",
        "Synthèse",
        "Registre des risques",
        "Plans de traitement",
        "Actions de traitement en retard",
        "Isoler les serveurs hérités",
        "Fuite de renseignements personnels",
        "Approbations du risque résiduel",
    ] {
        assert!(text.contains(expected), "{expected} missing in\n{text}");
    }
    assert!(!text.contains("Agence fictive"), "another body's risks");
    assert!(!text.contains("risk-"), "an untranslated key:\n{text}");

    let csv = ciso
        .get(&format!(
            "/risks/report.csv?org_id={body_a}&from=2026-01-01&to=2026-12-31"
        ))
        .await;
    assert_eq!(csv.status(), 200);
    let body = csv.text().await.unwrap();
    assert!(body.starts_with('\u{feff}'));
    let lines: Vec<&str> = body.lines().collect();
    let in_body: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM risks WHERE org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)",
    )
    .bind(body_a)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        lines.len() as i64,
        in_body + 1,
        "a header and one line a risk"
    );
    assert!(lines[0].contains("Réf.") && lines[0].contains("Traitement"));
    let plans = ciso
        .get(&format!("/risks/report.csv?org_id={body_a}&part=plans"))
        .await
        .text()
        .await
        .unwrap();
    assert!(plans.contains("Isoler les serveurs hérités"));
    // A title that a spreadsheet would run is neutralized.
    sqlx::query("UPDATE risks SET title = '=HYPERLINK(\"http://x\")' WHERE title LIKE 'Vol d%'")
        .execute(app.store.pool())
        .await
        .unwrap();
    let csv = ciso
        .get(&format!("/risks/report.csv?org_id={body_a}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");

    // Faults named; another body not found; in English for an English reader.
    let bad = ciso
        .get(&format!(
            "/risks/report.pdf?org_id={body_a}&from=2026-05-01&to=2026-04-01"
        ))
        .await;
    assert_eq!(bad.status(), 422);
    let bad = ciso
        .get(&format!("/risks/report.csv?org_id={body_a}&part=tout"))
        .await;
    assert_eq!(bad.status(), 422);
    let body_b = app.org_id(BODY_B).await;
    assert_eq!(
        ciso.get(&format!("/risks/report.pdf?org_id={body_b}"))
            .await
            .status(),
        404
    );
    let user = app.login(USER_A).await;
    assert_eq!(user.get("/risks/report.csv").await.status(), 403);
}

// REQ RISK-06
#[tokio::test]
async fn indicators_count_per_body_and_in_total() {
    let app = TestApp::spawn().await;
    let gov = app.login("cgsi@demo.rempart.quebec").await;
    let ciso = app.login(CSIO_A).await;
    let root = app.org_id("cgcd-demo").await;
    let body_a = app.org_id(BODY_A).await;
    let today = rempart_web::time::today();

    // Projects: one live today whose risk is assessed today, one live last month whose risk
    // came after, one not yet live.
    let day = |offset: i64| {
        if offset >= 0 {
            today.checked_add_days(Days::new(offset.unsigned_abs()))
        } else {
            today.checked_sub_days(Days::new(offset.unsigned_abs()))
        }
        .unwrap()
        .to_string()
    };
    let mut ids = Vec::new();
    for (name, go_live) in [
        ("Refonte de la paie", day(0)),
        ("Nouveau portail fournisseurs", day(-30)),
        ("Gestion documentaire", day(90)),
    ] {
        let r = ciso
            .send_json(
                Method::POST,
                "/api/v1/projects",
                &json!({"org_id": app.org_id(FINANCES).await, "name": name, "go_live_on": go_live}),
            )
            .await;
        assert_eq!(r.status(), 201);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let risk = create(&ciso, &payroll_risk(&app, [3, 2, 4, 1], [2, 2, 3, 1]).await).await;
    for project in &ids[..2] {
        let r = ciso
            .send_json(
                Method::POST,
                &format!("/api/v1/projects/{project}/risks"),
                &json!({"risk_id": risk}),
            )
            .await;
        assert_eq!(r.status(), 204);
    }
    let bad = ciso
        .send_json(
            Method::POST,
            "/api/v1/projects",
            &json!({"org_id": app.org_id(BODY_B).await, "name": " ", "go_live_on": "bientôt"}),
        )
        .await;
    assert_eq!(
        error_fields(&bad.json().await.unwrap()),
        [
            ("org_id".to_owned(), "error-not-found".to_owned()),
            ("name".to_owned(), "error-required".to_owned()),
            ("go_live_on".to_owned(), "error-date".to_owned()),
        ]
    );
    let projects: Value = ciso
        .get(&format!("/api/v1/projects?org_id={body_a}"))
        .await
        .json()
        .await
        .unwrap();
    let verdicts: Vec<(String, Value)> = projects
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["assessed_before_go_live"].clone(),
            )
        })
        .collect();
    assert!(verdicts.contains(&("Refonte de la paie".to_owned(), json!(true))));
    assert!(verdicts.contains(&("Nouveau portail fournisseurs".to_owned(), json!(false))));
    assert!(verdicts.contains(&("Gestion documentaire".to_owned(), Value::Null)));

    let ind: Value = gov
        .get(&format!("/api/v1/risks/indicators?org_id={root}"))
        .await
        .json()
        .await
        .unwrap();
    let bodies = ind["bodies"].as_array().unwrap();
    assert_eq!(bodies.len(), 2);
    let ministry = bodies
        .iter()
        .find(|b| b["org_name"] == "Ministère fictif des Ressources")
        .unwrap();
    // These two and the demo's dashboard that went live last week without an assessment.
    assert_eq!(ministry["projects_live"], 3);
    assert_eq!(ministry["projects_assessed_before_go_live"], 1);
    // The counts agree with the register and the inventory.
    let in_body = |sql: &'static str| {
        let pool = app.store.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(body_a)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        ministry["risks"].as_i64().unwrap(),
        in_body(
            "SELECT COUNT(*) FROM risks WHERE archived_at IS NULL AND org_id IN \
             (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)"
        )
        .await
    );
    assert_eq!(
        ministry["assets"].as_i64().unwrap(),
        in_body(
            "SELECT COUNT(*) FROM assets WHERE archived_at IS NULL AND org_id IN \
             (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)"
        )
        .await
    );
    let recent = ministry["assets_classified_recently"].as_i64().unwrap();
    assert!(recent > 0 && recent < ministry["assets"].as_i64().unwrap());
    assert!(ministry["overdue_actions"].as_i64().unwrap() >= 2);
    assert!(
        ministry["above_threshold"].as_i64().unwrap() >= 1,
        "the portal's risk"
    );
    let total = &ind["total"];
    let sum = |k: &str| bodies.iter().map(|b| b[k].as_i64().unwrap()).sum::<i64>();
    for k in [
        "risks",
        "above_threshold",
        "overdue_actions",
        "assets",
        "projects_live",
    ] {
        assert_eq!(total[k].as_i64().unwrap(), sum(k), "{k}");
    }
    // The ministry's CISO sees its body only; another body is not found; a user is refused.
    let own: Value = ciso
        .get(&format!("/api/v1/risks/indicators?org_id={body_a}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["bodies"].as_array().unwrap().len(), 1);
    assert_eq!(
        ciso.get(&format!(
            "/api/v1/risks/indicators?org_id={}",
            app.org_id(BODY_B).await
        ))
        .await
        .status(),
        404
    );
    let user = app.login(USER_A).await;
    assert_eq!(user.get("/api/v1/risks/indicators").await.status(), 403);
}

/// Validates an OSCAL plan of action and milestones with compliance-trestle's models, which
/// are generated from NIST's OSCAL schema (installed by `scripts/test.sh`).
fn validate_poam(doc: &[u8]) -> Result<(), String> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("rempart-poam-{}-{n}.json", std::process::id()));
    std::fs::write(&path, doc).unwrap();
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import sys, pathlib, warnings\n\
             warnings.filterwarnings('ignore')\n\
             from trestle.oscal.poam import PlanOfActionAndMilestones\n\
             PlanOfActionAndMilestones.oscal_read(pathlib.Path(sys.argv[1]))\n",
        )
        .arg(&path)
        .output()
        .expect("python3 with compliance-trestle is needed by this test");
    let _ = std::fs::remove_file(&path);
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

// REQ CTRL-02
#[tokio::test]
async fn the_treatment_plans_export_as_a_valid_oscal_plan_of_action_and_milestones() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY_A).await;
    let r = ciso
        .get(&format!("/api/v1/risks/poam?org_id={body_a}"))
        .await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    validate_poam(&bytes).unwrap();
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    let poam = &doc["plan-of-action-and-milestones"];
    let risks = poam["risks"].as_array().unwrap();
    let in_body: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM risks WHERE org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)",
    )
    .bind(body_a)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(risks.len() as i64, in_body);
    let legacy = risks
        .iter()
        .find(|r| r["title"] == "Rançongiciel sur les serveurs Windows hérités")
        .unwrap();
    assert_eq!(legacy["status"], "remediating");
    let remediation = legacy["remediations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["title"] == "Isoler les serveurs hérités dans un segment dédié")
        .unwrap();
    assert!(remediation["props"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "control-id" && p["value"] == "sc-7"));
    let items = poam["poam-items"].as_array().unwrap();
    assert!(items
        .iter()
        .any(|i| i["related-risks"][0]["risk-uuid"] == legacy["uuid"]));
    // The same risk keeps its identifier from one export to the next.
    let again: Value = ciso
        .get(&format!("/api/v1/risks/poam?org_id={body_a}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["plan-of-action-and-milestones"]["uuid"], poam["uuid"]);
    assert!(again["plan-of-action-and-milestones"]["risks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["uuid"] == legacy["uuid"]));
    // A document that breaks the schema is caught by the same check.
    let mut broken = doc.clone();
    broken["plan-of-action-and-milestones"]["risks"][0]["status"] = json!("");
    assert!(validate_poam(&serde_json::to_vec(&broken).unwrap()).is_err());
    // Without any treatment action there is no plan to export (OSCAL wants an item).
    let gov = app.login("cgsi@demo.rempart.quebec").await;
    let empty = gov
        .get(&format!(
            "/api/v1/risks/poam?org_id={}",
            app.org_id("afs-direction-des-ti").await
        ))
        .await;
    assert_eq!(empty.status(), 422);
    assert_eq!(
        error_fields(&empty.json().await.unwrap()),
        [("org_id".to_owned(), "error-poam-empty".to_owned())]
    );
    // Another body's plans are not found.
    assert_eq!(
        ciso.get(&format!(
            "/api/v1/risks/poam?org_id={}",
            app.org_id(BODY_B).await
        ))
        .await
        .status(),
        404
    );
}
