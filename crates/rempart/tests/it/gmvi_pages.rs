//! The GMVI pages as people use them without JavaScript (GMVI-01, GMVI-02, GMVI-03, GMVI-08,
//! PLAT-10): a user reports an event and follows it, the coordinator triages it into an
//! incident, another body's coordinator sees none of it; the incident's timeline, workflow and
//! evidence with every fault named in French; notices acknowledged from their page; an alert
//! to a centre's subtree answered by a body and counted on the issuer's board; escalation rules
//! saved through their table with a faulty row named field by field.

use rempart_storage::scope::Scope;
use rempart_storage::{grants, persons, AuditContext};
use rempart_web::auth::hash_with;
use sha2::{Digest, Sha256};

use crate::kit::*;

const COMSI_A: &str = "comsi@demo.rempart.quebec";
const ROCD: &str = "rocd@demo.rempart.quebec";
const COMSI_B: &str = "comsi.afs@test.rempart.quebec";
const CENTRE: &str = "cocd-capitale-demo";

/// Askama escapes apostrophes in text.
fn html(text: &str) -> String {
    text.replace('\'', "&#39;")
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn page(session: &Session, path: &str) -> String {
    let response = session.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

/// The coordinator of body B: the demo has none; the test adds one (no second factor: the
/// role is not privileged).
async fn add_person(app: &TestApp, email: &str, org_slug: &str, role: &str) {
    let org = app.org_id(org_slug).await;
    let hash = hash_with(cheap_hashing().params(), rempart::demo::DEMO_PASSWORD).unwrap();
    let mut w = app.store.write(AuditContext::system("test")).await.unwrap();
    let person = persons::create(
        &mut w,
        Scope::LocalAdministrator,
        &persons::NewPerson {
            email: email.to_owned(),
            name: "Coordonnatrice de l'agence".to_owned(),
            org_id: Some(org),
            language: Some("fr".to_owned()),
        },
        &hash,
        false,
    )
    .await
    .unwrap();
    grants::create(
        &mut w,
        Scope::LocalAdministrator,
        Some(person.id),
        Some(org),
        role,
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
}

async fn scalar(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(bind.to_owned())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

async fn incident_version(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar::<_, i64>("SELECT version FROM incidents WHERE id = $1")
        .bind(id)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .to_string()
}

/// Opens an incident through the form; its id.
async fn open_incident(app: &TestApp, session: &Session, title: &str) -> i64 {
    let org = app.org_id(BODY_A).await.to_string();
    let response = session
        .post_form(
            "/incidents",
            &[
                ("org_id", &org),
                ("title", title),
                ("description", "Ouvert directement"),
                ("category", "malware"),
                ("severity", "medium"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let to = location(&response);
    assert!(to.ends_with("?done=opened"), "{to}");
    to.trim_start_matches("/incidents/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

// REQ GMVI-01, GMVI-02
#[tokio::test]
async fn a_user_reports_without_script_and_the_coordinator_triages_it_into_an_incident() {
    let app = TestApp::spawn().await;
    add_person(&app, COMSI_B, BODY_B, "SecurityCoordinator").await;
    let user = app.login(USER_A).await;

    // One click from every page: the header's link.
    for path in ["/", "/profile", "/assets"] {
        let html = page(&user, path).await;
        assert!(
            html.contains(
                "<p class=\"report-event\"><a href=\"/report\">Signaler un événement</a></p>"
            ),
            "{path}"
        );
    }
    let form = page(&user, "/report").await;
    assert!(form.contains("<form method=\"post\" action=\"/report\""));
    assert!(form.contains("<legend>Des renseignements personnels sont-ils en cause?</legend>"));

    // Nothing said: the summary is named.
    let refused = user.post_form("/report", &[("summary", " ")]).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("Résumé : Ce champ est obligatoire."),
        "{body}"
    );
    assert!(body.contains("id=\"summary-error\""));

    let today = rempart_storage::local_date(rempart_storage::now_micros())
        .unwrap()
        .to_string();
    let sent = user
        .post_form(
            "/report",
            &[
                ("summary", "Courriel demandant mon mot de passe"),
                (
                    "details",
                    "Le lien menait vers une fausse page de connexion.",
                ),
                ("observed", &today),
                ("observed_time", "08:15"),
                ("personal_info", "no"),
            ],
        )
        .await;
    assert_eq!(sent.status(), 303);
    assert_eq!(location(&sent), "/events/mine?done=reported");
    let mine = page(&user, "/events/mine?done=reported").await;
    assert!(mine.contains("Votre signalement a été transmis au coordonnateur"));
    assert!(mine.contains("Courriel demandant mon mot de passe"));
    assert!(mine.contains("En attente de triage"));
    let event = scalar(
        &app,
        "SELECT id FROM security_events WHERE summary = $1",
        "Courriel demandant mon mot de passe",
    )
    .await;

    // The coordinator sees it first in the queue, with its triage form.
    let comsi = app.login(COMSI_A).await;
    let queue = page(&comsi, "/events").await;
    assert!(queue.contains(&format!(
        "<a href=\"/events/{event}\">Courriel demandant mon mot de passe</a>"
    )));
    let shown = page(&comsi, &format!("/events/{event}")).await;
    assert!(shown.contains(&format!("action=\"/events/{event}/triage\"")));
    assert!(shown.contains("value=\"Courriel demandant mon mot de passe\""));

    // Another body's coordinator: not found, whatever is tried.
    let comsi_b = app.login(COMSI_B).await;
    assert_eq!(comsi_b.get(&format!("/events/{event}")).await.status(), 404);
    let foreign = comsi_b
        .post_form(
            &format!("/events/{event}/triage"),
            &[("decision", "close"), ("note", "Pirate"), ("version", "1")],
        )
        .await;
    assert_eq!(foreign.status(), 404);
    assert!(!page(&comsi_b, "/events")
        .await
        .contains("Courriel demandant"));

    // A triage without a decision names it; then into an incident.
    let missing = comsi
        .post_form(&format!("/events/{event}/triage"), &[("version", "1")])
        .await;
    assert_eq!(missing.status(), 422);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("Décision : Ce champ est obligatoire."));
    let triaged = comsi
        .post_form(
            &format!("/events/{event}/triage"),
            &[
                ("decision", "incident"),
                ("incident_choice", "new"),
                ("title", "Hameçonnage visant la direction"),
                ("category", "phishing"),
                ("severity", "medium"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(triaged.status(), 303);
    let to = location(&triaged);
    assert!(
        to.starts_with("/incidents/") && to.ends_with("?done=triaged"),
        "{to}"
    );
    let incident: i64 = to
        .trim_start_matches("/incidents/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let shown = page(&comsi, &to).await;
    assert!(shown.contains("Triage enregistré."));
    assert!(shown.contains("Hameçonnage visant la direction"));
    // The report opens the timeline as an observation; the platform's entries are sentences.
    assert!(shown.contains("<td>Observation</td>"));
    assert!(shown.contains("Le lien menait vers une fausse page de connexion."));
    assert!(shown.contains("Incident ouvert."));
    assert!(
        shown.contains("Avis envoyé à : Chef de la sécurité de l’information organisationnelle")
    );
    assert!(
        !shown.contains("{&quot;event") && !shown.contains("{\"event"),
        "raw JSON shown"
    );
    assert_eq!(
        comsi_b
            .get(&format!("/incidents/{incident}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        comsi_b
            .post_form(
                &format!("/incidents/{incident}/entries"),
                &[("kind", "observation"), ("body", "Pirate")],
            )
            .await
            .status(),
        404
    );

    // The reporter sees what became of it.
    let mine = page(&user, "/events/mine").await;
    assert!(mine.contains("Incident INC-"), "{mine}");
    // The list of incidents counts the notice waiting for the CSIO.
    let list = page(&comsi, "/incidents").await;
    assert!(list.contains("Hameçonnage visant la direction"));
    assert!(list.contains("1 en attente"));
}

// REQ GMVI-02
#[tokio::test]
async fn the_timeline_and_the_workflow_name_their_faults_in_french() {
    let app = TestApp::spawn().await;
    let comsi = app.login(COMSI_A).await;
    let id = open_incident(&app, &comsi, "Poste infecté").await;
    let base = format!("/incidents/{id}");

    // A decision without who decided: the field is named, next to it and in the summary.
    let refused = comsi
        .post_form(
            &format!("{base}/entries"),
            &[("kind", "decision"), ("body", "Isoler le poste du réseau")],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("Décision prise par : Ce champ est obligatoire."),
        "{body}"
    );
    assert!(body.contains("<a href=\"#entry-decided_by\">"));
    assert!(body.contains("id=\"entry-decided_by-error\""));
    assert!(
        body.contains("Isoler le poste du réseau"),
        "the text typed is kept"
    );
    let who = comsi.person_id.to_string();
    let added = comsi
        .post_form(
            &format!("{base}/entries"),
            &[
                ("kind", "decision"),
                ("body", "Isoler le poste du réseau"),
                ("decided_by", &who),
                ("occurred_at", "2020-01-01T09:30"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let shown = page(&comsi, &base).await;
    assert!(shown.contains("2020-01-01 09:30:00"));
    assert!(shown.contains("<td>Décision</td>"));
    let future = comsi
        .post_form(
            &format!("{base}/entries"),
            &[
                ("kind", "action"),
                ("body", "Plus tard"),
                ("occurred_at", "2999-01-01T00:00"),
            ],
        )
        .await;
    assert_eq!(future.status(), 422);
    assert!(future
        .text()
        .await
        .unwrap()
        .contains("Quand : Cette date ne peut pas être dans le futur."));

    // Open → closed is no move of the workflow.
    let version = incident_version(&app, id).await;
    let jump = comsi
        .post_form(
            &format!("{base}/status"),
            &[("status", "closed"), ("version", &version)],
        )
        .await;
    assert_eq!(jump.status(), 422);
    assert!(jump
        .text()
        .await
        .unwrap()
        .contains("État : Ce changement d’état n’est pas permis."));
    let recovered = comsi
        .post_form(
            &format!("{base}/status"),
            &[("status", "recovered"), ("version", &version)],
        )
        .await;
    assert_eq!(recovered.status(), 303);
    // The version read before is stale now.
    let stale = comsi
        .post_form(
            &format!("{base}/status"),
            &[("status", "contained"), ("version", &version)],
        )
        .await;
    assert_eq!(stale.status(), 409);

    // Closing needs lessons, a lead and every task settled: each named.
    let task = comsi
        .post_form(
            &format!("{base}/tasks"),
            &[
                ("title", "Réimager le poste"),
                ("owner_id", &who),
                ("due_on", "2999-12-31"),
            ],
        )
        .await;
    assert_eq!(task.status(), 303);
    let version = incident_version(&app, id).await;
    let closing = comsi
        .post_form(
            &format!("{base}/status"),
            &[("status", "closed"), ("version", &version)],
        )
        .await;
    assert_eq!(closing.status(), 422);
    let body = closing.text().await.unwrap();
    assert!(
        body.contains("Leçons apprises : Ce champ est obligatoire."),
        "{body}"
    );
    assert!(
        body.contains("Tâches : Une tâche est encore ouverte"),
        "{body}"
    );
    assert!(
        body.contains("Responsable de l’incident : Ce champ est obligatoire."),
        "{body}"
    );

    let lead = comsi
        .post_form(
            &format!("{base}/roles"),
            &[("role", "lead"), ("person_id", &who)],
        )
        .await;
    assert_eq!(lead.status(), 303);
    let task_id = scalar(
        &app,
        "SELECT id FROM incident_tasks WHERE title = $1",
        "Réimager le poste",
    )
    .await;
    let done = comsi
        .post_form(
            &format!("{base}/tasks/{task_id}/status"),
            &[("status", "done")],
        )
        .await;
    assert_eq!(done.status(), 303);
    let version = incident_version(&app, id).await;
    let closed = comsi
        .post_form(
            &format!("{base}/status"),
            &[
                ("status", "closed"),
                ("lessons", "Former le personnel à reconnaître l'hameçonnage"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(closed.status(), 303);
    let shown = page(&comsi, &base).await;
    assert!(shown.contains("<dd><strong>Fermé</strong></dd>"));
    assert!(shown.contains(&html("Former le personnel à reconnaître l'hameçonnage")));
    assert!(shown.contains("État changé pour « Fermé »."));
    // Reopening needs a reason.
    let version = incident_version(&app, id).await;
    let reopen = comsi
        .post_form(
            &format!("{base}/status"),
            &[("status", "open"), ("version", &version)],
        )
        .await;
    assert_eq!(reopen.status(), 422);
    assert!(reopen
        .text()
        .await
        .unwrap()
        .contains("Motif de la réouverture : Ce champ est obligatoire."));
}

fn upload_form(
    csrf: &str,
    name: &str,
    bytes: Vec<u8>,
    org: Option<i64>,
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_owned());
    if let Some(org) = org {
        form = form.text("org_id", org.to_string());
    }
    form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    )
}

// REQ GMVI-02
#[tokio::test]
async fn evidence_is_given_back_as_kept_and_a_tampered_file_is_refused() {
    let dir = std::env::temp_dir().join(format!(
        "rempart-evidence-test-{}-{}",
        std::process::id(),
        rempart_storage::now_micros()
    ));
    let evidence_dir = dir.clone();
    let app = TestApp::spawn_configured(move |_| rempart_web::WebConfig {
        evidence: rempart_storage::evidence::EvidenceStore {
            dir: evidence_dir,
            max_bytes: 4096,
        },
        ..rempart_web::WebConfig::default()
    })
    .await;
    let comsi = app.login(COMSI_A).await;
    let id = open_incident(&app, &comsi, "Fuite par clé USB").await;
    let shown = page(&comsi, &format!("/incidents/{id}")).await;
    assert!(shown.contains("enctype=\"multipart/form-data\""));

    let journal = "journal: connexion refusée à 03:12\n"
        .repeat(3)
        .into_bytes();
    let sent = comsi
        .client
        .post(comsi.url(&format!("/incidents/{id}/evidence")))
        .multipart(upload_form(
            &comsi.csrf,
            "journal d'accès é.txt",
            journal.clone(),
            None,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    let shown = page(&comsi, &format!("/incidents/{id}")).await;
    let sha = hex_sha(&journal);
    assert!(shown.contains(&sha), "the digest is listed");
    assert!(shown.contains(&format!("{} octets", journal.len())));
    let file: i64 = sqlx::query_scalar("SELECT id FROM evidence_files WHERE sha256 = $1")
        .bind(&sha)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let download = comsi.get(&format!("/incidents/{id}/evidence/{file}")).await;
    assert_eq!(download.status(), 200);
    let headers = download.headers().clone();
    assert_eq!(headers["content-type"], "text/plain");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let disposition = headers["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        // The name as kept (quotes dropped), every byte outside the safe set encoded.
        disposition.contains("filename*=UTF-8''journal%20dacc%C3%A8s%20%C3%A9.txt"),
        "{disposition}"
    );
    assert_eq!(download.bytes().await.unwrap().to_vec(), journal);

    // A page of script is bytes to the browser, never a page.
    let script = b"<html><script>alert(1)</script></html>".to_vec();
    let sent = comsi
        .client
        .post(comsi.url(&format!("/incidents/{id}/evidence")))
        .multipart(upload_form(&comsi.csrf, "page.html", script.clone(), None))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    let html_file: i64 = sqlx::query_scalar("SELECT id FROM evidence_files WHERE sha256 = $1")
        .bind(hex_sha(&script))
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let download = comsi
        .get(&format!("/incidents/{id}/evidence/{html_file}"))
        .await;
    assert_eq!(
        download.headers()["content-type"],
        "application/octet-stream"
    );
    assert!(download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));

    // Too large for the store: named on the field; far too large for the form: 413.
    let big = comsi
        .client
        .post(comsi.url(&format!("/incidents/{id}/evidence")))
        .multipart(upload_form(&comsi.csrf, "gros.bin", vec![7u8; 5000], None))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 422);
    assert!(big
        .text()
        .await
        .unwrap()
        .contains("Fichier : Le fichier dépasse la taille permise"));
    let huge = comsi
        .client
        .post(comsi.url(&format!("/incidents/{id}/evidence")))
        .multipart(upload_form(
            &comsi.csrf,
            "énorme.bin",
            vec![7u8; 200 * 1024],
            None,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    let empty = comsi
        .client
        .post(comsi.url(&format!("/incidents/{id}/evidence")))
        .multipart(reqwest::multipart::Form::new().text("csrf", comsi.csrf.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);

    // A file changed on disk is refused with a page that says so; a file gone likewise.
    let path = dir.join(&sha[..2]).join(&sha);
    std::fs::write(&path, b"falsifie").unwrap();
    let tampered = comsi.get(&format!("/incidents/{id}/evidence/{file}")).await;
    assert_eq!(tampered.status(), 409);
    assert!(tampered.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let body = tampered.text().await.unwrap();
    assert!(body.contains("a été modifié depuis son dépôt"), "{body}");
    assert!(!body.contains("falsifie"));
    std::fs::remove_file(&path).unwrap();
    let gone = comsi.get(&format!("/incidents/{id}/evidence/{file}")).await;
    assert_eq!(gone.status(), 410);
    assert!(gone
        .text()
        .await
        .unwrap()
        .contains("introuvable dans le dépôt des preuves"));
    // Another incident's path does not reach the file.
    let other = open_incident(&app, &comsi, "Autre incident").await;
    assert_eq!(
        comsi
            .get(&format!("/incidents/{other}/evidence/{html_file}"))
            .await
            .status(),
        404
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn hex_sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// REQ GMVI-03, PLAT-10
#[tokio::test]
async fn notices_are_acknowledged_from_their_page_and_the_inbox_counts_what_is_unread() {
    let app = TestApp::spawn().await;
    // The CSIO has read what the demo's own incident told them.
    sqlx::query(
        "UPDATE notifications SET read_at = 1 WHERE person_id = \
         (SELECT id FROM persons WHERE email = $1)",
    )
    .bind(CSIO_A)
    .execute(app.store.pool())
    .await
    .unwrap();
    let comsi = app.login(COMSI_A).await;
    let id = open_incident(&app, &comsi, "Serveur de fichiers chiffré").await;
    let reference: String = sqlx::query_scalar("SELECT reference FROM incidents WHERE id = $1")
        .bind(id)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let notice: i64 = sqlx::query_scalar(
        "SELECT id FROM notices WHERE subject_type = 'incident' AND subject_id = $1 \
         AND recipient = 'ciso'",
    )
    .bind(id)
    .fetch_one(app.store.pool())
    .await
    .unwrap();

    // The CSIO is told: the inbox badge, the notification, the notice to acknowledge.
    let csio = app.login(CSIO_A).await;
    let home = page(&csio, "/").await;
    assert!(
        home.contains("<span class=\"badge\">1 non lue</span>"),
        "{home}"
    );
    let inbox = page(&csio, "/inbox").await;
    assert!(inbox.contains(&format!("[{reference}] Incident à prendre en charge")));
    assert!(inbox.contains("Non lue"));
    assert!(inbox.contains("Accusé de réception attendu"));
    let notices = page(&csio, "/notices").await;
    assert!(notices.contains(&format!(
        "<a href=\"/incidents/{id}\">{reference} — Serveur de fichiers chiffré</a>"
    )));
    assert!(notices.contains(&format!("action=\"/notices/{notice}/acknowledge\"")));
    assert!(notices.contains("Tout événement"));

    // Someone not in the seat: not found.
    let user = app.login(USER_A).await;
    assert_eq!(
        user.post_form(&format!("/notices/{notice}/acknowledge"), &[])
            .await
            .status(),
        404
    );
    let acked = csio
        .post_form(&format!("/notices/{notice}/acknowledge"), &[])
        .await;
    assert_eq!(acked.status(), 303);
    assert_eq!(location(&acked), "/notices?done=acknowledged");
    let notices = page(&csio, "/notices?done=acknowledged").await;
    assert!(notices.contains("Accusé de réception enregistré."));
    assert!(!notices.contains(&format!("/notices/{notice}/acknowledge")));
    let all = page(&csio, "/notices?all=1").await;
    assert!(all.contains("Accusé par Samuel Bouchard"), "{all}");
    let timeline = page(&comsi, &format!("/incidents/{id}")).await;
    assert!(timeline.contains(
        "Accusé de réception de l’avis par : Chef de la sécurité de l’information organisationnelle."
    ));

    // Read, one and then all.
    let first: i64 = sqlx::query_scalar(
        "SELECT MIN(id) FROM notifications WHERE person_id = $1 AND read_at IS NULL",
    )
    .bind(csio.person_id)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        user.post_form(&format!("/inbox/{first}/read"), &[])
            .await
            .status(),
        404,
        "another person's notification"
    );
    assert_eq!(
        csio.post_form(&format!("/inbox/{first}/read"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(csio.post_form("/inbox/read-all", &[]).await.status(), 303);
    let inbox = page(&csio, "/inbox").await;
    assert!(inbox.contains("Aucune notification non lue."));
    assert!(!inbox.contains("class=\"badge\""));
}

// REQ GMVI-08, PLAT-11
#[tokio::test]
async fn an_alert_to_a_centres_subtree_is_answered_and_counted_on_the_board() {
    let app = TestApp::spawn().await;
    let centre = app.org_id(CENTRE).await.to_string();
    let rocd = app.login(ROCD).await;
    let form = page(&rocd, "/alerts/new").await;
    assert!(form.contains("Tous les organismes relevant du centre (2)"));
    assert!(form.contains("Ministère fictif des Ressources"));

    // A measure without a deadline: named.
    let refused = rocd
        .post_form(
            "/alerts",
            &[
                ("org_id", &centre),
                ("kind", "measure"),
                ("title", "Corriger la faille du RPV"),
                ("severity", "high"),
                ("due_mode", "none"),
                ("targets", "subtree"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Échéance : Ce champ est obligatoire."));
    let issued = rocd
        .post_form(
            "/alerts",
            &[
                ("org_id", &centre),
                ("kind", "measure"),
                ("title", "Corriger la faille du RPV"),
                ("description", "Appliquer le correctif du fournisseur."),
                ("severity", "high"),
                ("due_mode", "days"),
                ("due_days", "5"),
                ("due_count", "working"),
                ("targets", "subtree"),
            ],
        )
        .await;
    assert_eq!(issued.status(), 303, "{}", issued.text().await.unwrap());
    let to = location(&issued);
    let alert: i64 = to
        .trim_start_matches("/alerts/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let board = page(&rocd, &to).await;
    assert!(
        board.contains("0 sur 2 organismes ont donné suite (0 %)."),
        "{board}"
    );
    assert!(
        board.contains("jours ouvrables"),
        "the rule of the computed date is shown"
    );

    // Body A's coordinator answers: a report is required, then applied with its evidence.
    let comsi = app.login(COMSI_A).await;
    let body_a = app.org_id(BODY_A).await.to_string();
    let mine = page(&comsi, &format!("/alerts/{alert}")).await;
    assert!(mine.contains("Déclarer la mesure appliquée"));
    assert!(
        !mine.contains("Agence fictive de la santé"),
        "a body sees its own row"
    );
    let no_report = comsi
        .post_form(
            &format!("/alerts/{alert}/respond"),
            &[("org_id", &body_a), ("status", "applied"), ("report", " ")],
        )
        .await;
    assert_eq!(no_report.status(), 422);
    let body = no_report.text().await.unwrap();
    assert!(
        body.contains("Rapport : Ce champ est obligatoire."),
        "{body}"
    );
    assert!(body.contains(&format!("id=\"respond-{body_a}-applied-report-error\"")));
    let applied = comsi
        .post_form(
            &format!("/alerts/{alert}/respond"),
            &[
                ("org_id", &body_a),
                ("status", "applied"),
                ("report", "Correctif installé sur les deux passerelles."),
            ],
        )
        .await;
    assert_eq!(applied.status(), 303);
    let proof = b"%PDF-1.7\nrapport d'application\n".to_vec();
    let sent = comsi
        .client
        .post(comsi.url(&format!("/alerts/{alert}/evidence")))
        .multipart(upload_form(
            &comsi.csrf,
            "preuve.pdf",
            proof.clone(),
            Some(body_a.parse().unwrap()),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303);
    // Body B's records are not body A's to answer.
    let body_b = app.org_id(BODY_B).await.to_string();
    assert_eq!(
        comsi
            .post_form(
                &format!("/alerts/{alert}/respond"),
                &[("org_id", &body_b), ("status", "acknowledged")],
            )
            .await
            .status(),
        404
    );

    let board = page(&rocd, &format!("/alerts/{alert}")).await;
    assert!(
        board.contains("1 sur 2 organismes ont donné suite (50 %)."),
        "{board}"
    );
    assert!(board.contains("Correctif installé sur les deux passerelles."));
    assert!(board.contains("preuve.pdf"));
    let file: i64 =
        sqlx::query_scalar("SELECT id FROM evidence_files WHERE file_name = 'preuve.pdf'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let download = rocd
        .get(&format!("/alerts/{alert}/evidence/{body_a}/{file}"))
        .await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert!(download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(download.bytes().await.unwrap().to_vec(), proof);
    let list = page(&rocd, "/alerts").await;
    assert!(list.contains("Corriger la faille du RPV"));
    assert!(list.contains("<td>Émise</td>"));
}

// REQ GMVI-03
#[tokio::test]
async fn escalation_rules_are_saved_through_their_table_and_a_faulty_row_is_named() {
    let app = TestApp::spawn().await;
    let csio = app.login(CSIO_A).await;
    let body_a = app.org_id(BODY_A).await.to_string();
    let shown = page(&csio, &format!("/escalation-rules?org_id={body_a}")).await;
    assert!(shown.contains("celles par défaut de Rempart"));
    assert!(shown.contains("value=\"Tout événement\""));
    assert!(shown.contains("Nouvelle règle"), "a blank row to add one");

    let refused = csio
        .post_form(
            "/escalation-rules",
            &[
                ("org_id", &body_a),
                ("rules.0.name", "Tout événement"),
                ("rules.0.notify", "ciso"),
                ("rules.0.ack_hours", "24"),
                ("rules.1.name", ""),
                ("rules.1.min_severity", "high"),
                ("rules.1.ack_hours", "0"),
                ("rules.2.personal_info", "any"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("Règle 2 — Nom : Ce champ est obligatoire."),
        "{body}"
    );
    assert!(
        body.contains("Règle 2 — Destinataires : Ce champ est obligatoire."),
        "{body}"
    );
    assert!(
        body.contains("Règle 2 — Heures pour accuser réception"),
        "{body}"
    );
    assert!(body.contains("<a href=\"#rules.1.notify\">"));
    assert!(body.contains("id=\"rules.1.ack_hours-error\""));
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM escalation_rules")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing saved");

    let saved = csio
        .post_form(
            "/escalation-rules",
            &[
                ("org_id", &body_a),
                ("rules.0.name", "Tout événement"),
                ("rules.0.notify", "ciso"),
                ("rules.0.ack_hours", "24"),
                ("rules.1.name", "Rançongiciel"),
                ("rules.1.categories", "ransomware"),
                ("rules.1.notify", "delegated_ciso"),
                ("rules.1.notify", "operational_centre"),
                ("rules.1.ack_hours", "2"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let shown = page(&csio, &location(&saved)).await;
    assert!(shown.contains("Règles d’escalade enregistrées."));
    assert!(shown.contains("Ces règles sont celles de l’organisation."));
    assert!(shown.contains("value=\"Rançongiciel\""));
    assert!(!shown.contains("value=\"Gravité élevée\""));
    // A unit below inherits them.
    let unit = app.org_id(UNIT_A).await;
    let inherited = page(&csio, &format!("/escalation-rules?org_id={unit}")).await;
    assert!(inherited.contains("Ces règles viennent de : Ministère fictif des Ressources."));
    // Another body's rules are out of reach.
    let body_b = app.org_id(BODY_B).await;
    assert_eq!(
        csio.get(&format!("/escalation-rules?org_id={body_b}"))
            .await
            .status(),
        404
    );
}
