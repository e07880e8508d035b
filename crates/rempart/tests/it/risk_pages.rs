//! The risk register's pages (RISK-01 to RISK-05), as a person uses them without JavaScript:
//! the list within scope, a risk with its plan and approvals, the form that records and
//! reassesses a risk with every fault named next to its field, putting a risk forward and
//! approving it, flagging it after an audit finding, and the heat maps with their band colours
//! served as a stylesheet.

use crate::kit::*;

const HOLDER_FIN: &str = "detentrice.finances@demo.rempart.quebec";
const FINANCES: &str = "mfr-direction-des-finances";

/// The demo's risks of the ministry (body A) and of the agency (body B).
const MINISTRY_RISKS: [&str; 6] = [
    "Rançongiciel sur les serveurs Windows hérités",
    "Vol d'identifiants de la messagerie",
    "Détournement des dépôts de paie",
    "Fuite de renseignements personnels par le portail des citoyens",
    "Indisponibilité prolongée du centre d'appels",
    "Données budgétaires hébergées hors Québec",
];
const AGENCY_RISKS: [&str; 3] = [
    "Attaque sur la console d'IRM non supportée",
    "Rançongiciel sur le dossier clinique informatisé",
    "Accès non autorisé aux dossiers des employés",
];

/// Askama escapes apostrophes in text.
fn html(text: &str) -> String {
    text.replace('\'', "&#39;")
}

async fn risk_count(app: &TestApp) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM risks")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

async fn page(session: &Session, path: &str) -> String {
    let response = session.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

/// A valid risk on the payroll system of the finance unit, as the form sends it: a residual
/// score of 6, within the holder's reach (threshold 9), a blank row between two actions.
fn payroll_form(org: &str, owner: &str, asset: &str) -> Vec<(String, String)> {
    [
        ("org_id", org),
        ("title", "Accès frauduleux au système de paie"),
        (
            "description",
            "Un compte partagé permet de modifier la paie.",
        ),
        ("threat", "Employé malveillant"),
        ("vulnerability", "Comptes partagés à la paie"),
        ("existing_controls", "Journalisation"),
        ("owner_id", owner),
        ("asset_ids", asset),
        ("likelihood", "3"),
        ("impact_availability", "2"),
        ("impact_integrity", "4"),
        ("impact_confidentiality", "3"),
        ("treatment", "mitigate"),
        ("residual_likelihood", "2"),
        ("residual_impact_availability", "2"),
        ("residual_impact_integrity", "3"),
        ("residual_impact_confidentiality", "2"),
        ("residual_description", "Comptes nominatifs"),
        ("actions.0.title", "Comptes nominatifs à la paie"),
        ("actions.0.owner_id", owner),
        ("actions.0.due_on", "2027-03-31"),
        ("actions.0.status", "planned"),
        ("actions.0.controls", "AC-2, ac-2"),
        ("actions.1.title", ""),
        ("actions.1.owner_id", ""),
        ("actions.1.due_on", ""),
        ("actions.1.status", "planned"),
        ("actions.1.controls", ""),
        ("actions.2.title", "Revue trimestrielle des accès"),
        ("actions.2.owner_id", owner),
        ("actions.2.due_on", "2027-06-30"),
        ("actions.2.status", "in_progress"),
        ("actions.2.controls", "ac-6"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

async fn post_pairs(
    session: &Session,
    path: &str,
    pairs: &[(String, String)],
) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    session.post_form(path, &fields).await
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Creates the payroll risk through the form; its id.
async fn create_payroll_risk(app: &TestApp, ciso: &Session) -> i64 {
    let org = app.org_id(FINANCES).await.to_string();
    let owner = app.person_id(HOLDER_FIN).await.to_string();
    let asset = asset_id(app, "Système de paie").await.to_string();
    let created = post_pairs(ciso, "/risks", &payroll_form(&org, &owner, &asset)).await;
    let status = created.status();
    assert_eq!(status, 303, "{}", created.text().await.unwrap());
    let location = location(&created);
    assert!(location.ends_with("?done=created"), "{location}");
    location
        .trim_start_matches("/risks/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

// REQ RISK-01
// REQ AUTHZ-01
#[tokio::test]
async fn the_list_shows_the_ministrys_risks_to_its_csio_and_none_of_the_agencys() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let list = page(&ciso, "/risks?within=").await;
    for title in MINISTRY_RISKS {
        assert!(list.contains(&html(title)), "{title} missing from the list");
    }
    for title in AGENCY_RISKS {
        assert!(!list.contains(&html(title)), "{title} leaked");
    }
    assert!(list.contains("1–6 sur 6"), "{list}");
    // The navigation offers the register, and the person may record a risk.
    assert!(list.contains("<a href=\"/risks\" aria-current=\"page\">Risques</a>"));
    assert!(list.contains("<a href=\"/risks/new\">Nouveau risque</a>"));
    // Markers are words, not colours: the old assessment is due, an action is late.
    assert!(list.contains("<li>À réévaluer</li>"), "{list}");
    assert!(list.contains("<li>Une action en retard</li>"), "{list}");
    // Scores carry their band's name; statuses are translated.
    assert!(list.contains("12 — Élevé"), "{list}");
    assert!(list.contains("Soumis pour approbation"));

    // Filters narrow the list; a value that means nothing is named, never a 500.
    let late = page(&ciso, "/risks?within=&flag=overdue_actions").await;
    assert!(late.contains(&html(MINISTRY_RISKS[0])));
    assert!(!late.contains(&html(MINISTRY_RISKS[1])));
    let drafts = page(&ciso, "/risks?within=&status=draft&sort=title&order=asc").await;
    assert!(drafts.contains("1–2 sur 2"), "{drafts}");
    for (query, field) in [
        ("status=lost", "status"),
        ("flag=red", "flag"),
        ("within=abc", "within"),
        ("sort=colour", "sort"),
        ("offset=-4", "offset"),
    ] {
        let refused = ciso.get(&format!("/risks?{query}")).await;
        assert_eq!(refused.status(), 422, "{query}");
        let body = refused.text().await.unwrap();
        assert!(
            body.contains(&format!("<code>{field}</code>")),
            "{query}: {body}"
        );
    }
    // An agency's risk, a missing one and a malformed id are all not found.
    let foreign = risk_id(&app, AGENCY_RISKS[1]).await;
    for path in [
        format!("/risks/{foreign}"),
        "/risks/987654".to_owned(),
        "/risks/abc".to_owned(),
        format!("/risks/{foreign}/edit"),
    ] {
        assert_eq!(ciso.get(&path).await.status(), 404, "{path}");
    }
    // Someone who may not read risks has no entry in the navigation.
    let user = app.login(USER_A).await;
    assert!(!page(&user, "/").await.contains("href=\"/risks\""));
    assert_eq!(user.get("/risks").await.status(), 403);
}

// REQ RISK-01
// REQ RISK-03
// REQ RISK-04
#[tokio::test]
async fn a_risk_page_shows_its_ratings_plan_approvals_and_reasons() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let id = risk_id(&app, "Détournement des dépôts de paie").await;
    let body = page(&ciso, &format!("/risks/{id}")).await;
    // Scenario, perimeter with links, ratings on the method's levels, treatment.
    assert!(body.contains("Changement de compte accepté sur simple courriel"));
    let payroll = asset_id(&app, "Système de paie").await;
    assert!(body.contains(&format!(
        "<a href=\"/assets/{payroll}\">Système de paie</a>"
    )));
    assert!(body.contains("3 — Possible"), "{body}");
    assert!(body.contains("4 — Majeur"));
    assert!(body.contains("12 — Élevé"));
    assert!(body.contains("8 — Modéré"));
    assert!(body.contains("Atténuation"));
    assert!(body.contains("Approuvé"));
    // The plan, its owner and controls.
    assert!(body.contains("Double validation des changements de compte bancaire"));
    assert!(body.contains("<code>ac-5</code>"));
    assert!(body.contains("Prévue"));
    // The approval: who, the justification, in force.
    assert!(body.contains("Hélène Lefebvre"));
    assert!(body.contains("Risque résiduel accepté au vu du plan de traitement (démo)"));
    assert!(body.contains("En vigueur"));
    // An approved risk is neither put forward nor approved again from its page.
    assert!(!body.contains(&format!("action=\"/risks/{id}/propose\"")));
    assert!(!body.contains(&format!("action=\"/risks/{id}/approve\"")));
    assert!(body.contains(&format!("action=\"/risks/{id}/reassess\"")));

    // A late action is said to be late, in words.
    let late = risk_id(&app, MINISTRY_RISKS[0]).await;
    let body = page(&ciso, &format!("/risks/{late}")).await;
    assert!(body.contains("(en retard)"), "{body}");
    assert!(body.contains("Une action en retard"));
    // The assessment made long ago is due: the reason, translated, with its date.
    let old = risk_id(&app, "Indisponibilité prolongée du centre d'appels").await;
    let body = page(&ciso, &format!("/risks/{old}")).await;
    assert!(body.contains("La date de révision est arrivée ("), "{body}");
    assert!(body.contains("En attente de réévaluation"));
    assert!(body.contains("Soumettre pour approbation"));

    // In English too.
    assert_eq!(
        ciso.post_form("/profile/language", &[("language", "en")])
            .await
            .status(),
        303
    );
    let body = page(&ciso, &format!("/risks/{id}")).await;
    assert!(body.contains("<html lang=\"en-CA\">"));
    assert!(body.contains("12 — High"));
    assert!(body.contains("Mitigate"));
    assert!(body.contains("In force"));
}

// REQ RISK-01
// REQ RISK-02
#[tokio::test]
async fn a_risk_is_recorded_through_the_form_then_reassessed() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let finances = app.org_id(FINANCES).await;
    // The form offers the chosen organization's assets and the people it may name.
    let form = page(&ciso, &format!("/risks/new?org_id={finances}")).await;
    let payroll = asset_id(&app, "Système de paie").await;
    assert!(form.contains(&format!("id=\"asset-{payroll}\"")));
    assert!(
        !form.contains("Intranet"),
        "another unit's asset is offered"
    );
    assert!(form.contains("Hélène Lefebvre"));
    assert!(
        !form.contains("Nathalie Pelletier"),
        "the agency's people are offered"
    );
    assert!(form.contains("<option value=\"5\">5 — Quasi certain</option>"));
    assert!(form.contains("name=\"actions.2.due_on\" type=\"date\""));
    assert_eq!(
        ciso.get("/risks/new?org_id=abc").await.status(),
        422,
        "a malformed organization is named"
    );
    let agency = app.org_id(BODY_B).await;
    assert_eq!(
        ciso.get(&format!("/risks/new?org_id={agency}"))
            .await
            .status(),
        422
    );

    let before = risk_count(&app).await;
    let id = create_payroll_risk(&app, &ciso).await;
    assert_eq!(risk_count(&app).await, before + 1);
    let body = page(&ciso, &format!("/risks/{id}?done=created")).await;
    assert!(body.contains("Risque enregistré."));
    assert!(body.contains("Accès frauduleux au système de paie"));
    // Scores computed, never typed: 3 × 4 and 2 × 3.
    assert!(
        body.contains("12 — Élevé") && body.contains("6 — Modéré"),
        "{body}"
    );
    // The blank row was ignored, the others kept in order, controls cleaned.
    let titles: Vec<String> =
        sqlx::query_scalar("SELECT title FROM risk_actions WHERE risk_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        titles,
        [
            "Comptes nominatifs à la paie",
            "Revue trimestrielle des accès"
        ]
    );
    assert!(body.contains("<code>ac-2</code>"));
    assert!(page(&ciso, "/risks?within=")
        .await
        .contains("Accès frauduleux au système de paie"));

    // Reassessed from its edit form, with the version read.
    let edit = page(&ciso, &format!("/risks/{id}/edit")).await;
    assert!(edit.contains("value=\"Accès frauduleux au système de paie\""));
    assert!(edit.contains(
        "name=\"actions.1.title\" type=\"text\" value=\"Revue trimestrielle des accès\""
    ));
    assert!(
        edit.contains("name=\"actions.4.title\""),
        "three blank rows follow"
    );
    let version = field_value(&edit, "name=\"version\" value=\"");
    let mut changed = payroll_form(
        &finances.to_string(),
        &app.person_id(HOLDER_FIN).await.to_string(),
        &payroll.to_string(),
    );
    changed.push(("version".to_owned(), version.clone()));
    for (k, v) in changed.iter_mut() {
        if k == "likelihood" {
            *v = "4".to_owned();
        }
    }
    let saved = post_pairs(&ciso, &format!("/risks/{id}"), &changed).await;
    assert_eq!(saved.status(), 303);
    assert!(page(&ciso, &format!("/risks/{id}"))
        .await
        .contains("16 — Élevé"));
    // The same version again is stale: the form comes back with the reason.
    let stale = post_pairs(&ciso, &format!("/risks/{id}"), &changed).await;
    assert_eq!(stale.status(), 409);
    assert!(stale
        .text()
        .await
        .unwrap()
        .contains("a été modifié par quelqu&#39;un d&#39;autre"));
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_entries WHERE entity_type = 'risk' AND entity_id = $1 ORDER BY seq",
    )
    .bind(id.to_string())
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(actions, ["risk.create", "risk.update"]);
}

// REQ RISK-01
#[tokio::test]
async fn a_faulty_form_comes_back_with_every_fault_next_to_its_field() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let org = app.org_id(FINANCES).await.to_string();
    let owner = app.person_id(HOLDER_FIN).await.to_string();
    let asset = asset_id(&app, "Système de paie").await.to_string();
    let mut form = payroll_form(&org, &owner, &asset);
    for (k, v) in form.iter_mut() {
        match k.as_str() {
            "title"
            | "threat"
            | "likelihood"
            | "residual_impact_availability"
            | "residual_impact_integrity"
            | "residual_impact_confidentiality"
            | "actions.2.owner_id" => v.clear(),
            "actions.2.due_on" => *v = "30/06/2027".to_owned(),
            "actions.2.controls" => *v = "ac 2; DROP".to_owned(),
            _ => {}
        }
    }
    let before = (risk_count(&app).await, app.audit_seq().await);
    let refused = post_pairs(&ciso, "/risks", &form).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert_eq!((risk_count(&app).await, app.audit_seq().await), before);
    // Each fault in the summary, linked to its field, in the form's order, and next to it.
    // The blank row is dropped, so the third row is the domain's `actions.1`.
    let expected = [
        "title",
        "threat",
        "likelihood",
        "residual_impact_availability",
        "residual_impact_integrity",
        "residual_impact_confidentiality",
        "actions.1.owner_id",
        "actions.1.due_on",
        "actions.1.controls",
    ];
    assert!(body.contains("Le formulaire contient 9 erreurs."), "{body}");
    let summary = body
        .split("class=\"error-summary\"")
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap();
    let anchors: Vec<&str> = summary
        .split("<a href=\"#")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(anchors, expected);
    // The summary says which field each message is about.
    assert!(
        summary.contains("Titre : Ce champ est obligatoire."),
        "{summary}"
    );
    assert!(
        summary.contains("Action 2 — Échéance : Date attendue au format AAAA-MM-JJ."),
        "{summary}"
    );
    assert!(summary.contains("Impact sur l&#39;intégrité (résiduel) : Ce champ est obligatoire."));
    for field in expected {
        assert!(
            body.contains(&format!("id=\"{field}-error\"")),
            "no message next to {field}"
        );
        assert!(
            body.contains(&format!("id=\"{field}\"")),
            "no field {field} to link to"
        );
    }
    assert!(body.contains("Date attendue au format AAAA-MM-JJ."));
    assert!(body.contains("Identifiant de mesure de sécurité invalide"));
    // What was typed is kept.
    assert!(body.contains("value=\"Revue trimestrielle des accès\""));
    assert!(body.contains("value=\"ac 2; DROP\""));
    assert!(body.contains("Comptes partagés à la paie"));
    assert!(body.contains(&format!(
        "id=\"asset-{asset}\" name=\"asset_ids\" value=\"{asset}\" checked"
    )));

    // The placement the storage checks: an asset of another unit.
    let intranet = asset_id(&app, "Intranet").await.to_string();
    let outside: Vec<(String, String)> = payroll_form(&org, &owner, &asset)
        .into_iter()
        .map(|(k, v)| {
            if k == "asset_ids" {
                (k, intranet.clone())
            } else {
                (k, v)
            }
        })
        .collect();
    let refused = post_pairs(&ciso, "/risks", &outside).await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains("id=\"asset_ids-error\""));
    assert!(body.contains("Chaque actif doit appartenir à l&#39;organisation du risque"));
    // An organization out of reach is named, never used.
    let agency = app.org_id(BODY_B).await.to_string();
    let foreign: Vec<(String, String)> = payroll_form(&agency, &owner, &asset);
    let refused = post_pairs(&ciso, "/risks", &foreign).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("href=\"#org_id\""));
    assert_eq!(risk_count(&app).await, before.0);
}

// REQ RISK-03
#[tokio::test]
async fn a_risk_is_put_forward_then_approved_by_its_holder_never_by_its_proposer() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let id = create_payroll_risk(&app, &ciso).await;
    let proposed = ciso.post_form(&format!("/risks/{id}/propose"), &[]).await;
    assert_eq!(proposed.status(), 303);
    assert_eq!(location(&proposed), format!("/risks/{id}?done=proposed"));
    let body = page(&ciso, &format!("/risks/{id}?done=proposed")).await;
    assert!(body.contains("Risque soumis pour approbation."));
    assert!(body.contains("Soumis pour approbation"));
    // Put forward twice: refused, with the reason next to the form.
    let again = ciso.post_form(&format!("/risks/{id}/propose"), &[]).await;
    assert_eq!(again.status(), 422);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("Seul un risque en rédaction peut être soumis pour approbation."));

    // The CISO who put it forward may approve risks, but not this one.
    let own = ciso
        .post_form(
            &format!("/risks/{id}/approve"),
            &[("justification", "Je l'approuve moi-même")],
        )
        .await;
    assert_eq!(own.status(), 422);
    let body = own.text().await.unwrap();
    assert!(
        body.contains("<p class=\"field-error\" id=\"approval-error\">La personne qui fait la demande ne peut pas l&#39;approuver.</p>"),
        "{body}"
    );
    assert!(body.contains("href=\"#approval\""));
    assert!(
        body.contains("Je l&#39;approuve moi-même"),
        "the text typed is kept"
    );

    // The holder of the payroll system approves it, with a justification.
    let holder = app.login(HOLDER_FIN).await;
    let body = page(&holder, &format!("/risks/{id}")).await;
    assert!(body.contains(&format!("action=\"/risks/{id}/approve\"")));
    assert!(!body.contains(&format!("action=\"/risks/{id}/propose\"")));
    let empty = holder
        .post_form(&format!("/risks/{id}/approve"), &[("justification", " ")])
        .await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains(
        "<p class=\"field-error\" id=\"justification-error\">Ce champ est obligatoire.</p>"
    ));
    let approved = holder
        .post_form(
            &format!("/risks/{id}/approve"),
            &[("justification", "Comptes nominatifs d'ici mars")],
        )
        .await;
    assert_eq!(approved.status(), 303);
    let body = page(&holder, &location(&approved)).await;
    assert!(body.contains("Risque résiduel approuvé."));
    assert!(body.contains("Comptes nominatifs d&#39;ici mars"));
    assert!(body.contains("Hélène Lefebvre"));
    assert!(body.contains("En vigueur"));
    // A holder does not put risks forward.
    assert_eq!(
        holder
            .post_form(&format!("/risks/{id}/propose"), &[])
            .await
            .status(),
        403
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_entries WHERE entity_type = 'risk' AND entity_id = $1 ORDER BY seq",
    )
    .bind(id.to_string())
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(actions, ["risk.create", "risk.propose", "risk.approve"]);

    // A holder reads and approves a risk of the whole ministry on the assets they hold,
    // though their role reaches only their unit.
    let morin = app.login(HOLDER_A).await;
    let ministry_risk = risk_id(&app, MINISTRY_RISKS[0]).await;
    let body = page(&morin, &format!("/risks/{ministry_risk}")).await;
    assert!(body.contains("Migrer l&#39;intranet vers la grappe de virtualisation"));
    let approved = morin
        .post_form(
            &format!("/risks/{ministry_risk}/approve"),
            &[("justification", "Isolement en cours")],
        )
        .await;
    assert_eq!(approved.status(), 303);
    // But not a risk of another unit.
    let other = risk_id(&app, "Détournement des dépôts de paie").await;
    assert_eq!(morin.get(&format!("/risks/{other}")).await.status(), 404);
}

// REQ RISK-04
#[tokio::test]
async fn an_audit_finding_flags_the_risk_for_reassessment() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let id = risk_id(&app, "Vol d'identifiants de la messagerie").await;
    let empty = ciso
        .post_form(&format!("/risks/{id}/reassess"), &[("detail", "")])
        .await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("id=\"detail-error\""));
    let flagged = ciso
        .post_form(
            &format!("/risks/{id}/reassess"),
            &[("detail", "Audit 2026-03, constat 4")],
        )
        .await;
    assert_eq!(flagged.status(), 303);
    let body = page(&ciso, &location(&flagged)).await;
    assert!(body.contains("Risque marqué à réévaluer."));
    assert!(
        body.contains("Constatation d&#39;audit : Audit 2026-03, constat 4"),
        "{body}"
    );
    assert!(body.contains("<li>À réévaluer</li>"));
}

/// The counts in one heat map table of the page.
fn counts(body: &str, table: &str) -> Vec<i64> {
    let start = body
        .find(&format!("<table class=\"heat\" id=\"map-{table}\">"))
        .unwrap();
    let end = start + body[start..].find("</table>").unwrap();
    body[start..end]
        .split("<span class=\"count\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().parse().unwrap())
        .collect()
}

// REQ RISK-05
#[tokio::test]
async fn the_map_counts_add_up_to_the_list_and_its_colours_are_a_stylesheet() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let ministry = app.org_id(BODY_A).await;
    let body = page(&ciso, &format!("/risks/map?org_id={ministry}")).await;
    assert!(body.contains(&format!(
        "<link rel=\"stylesheet\" href=\"/risks/method.css?org_id={ministry}\">"
    )));
    // Likelihood levels head the rows, highest first; impact levels head the columns.
    assert_eq!(body.matches("<th scope=\"row\">").count(), 10, "{body}");
    let first_row = body
        .find("<th scope=\"row\">5 — Quasi certain</th>")
        .unwrap();
    let last_row = body.find("<th scope=\"row\">1 — Rare</th>").unwrap();
    assert!(first_row < last_row);
    assert!(body.contains("<th scope=\"col\">5 — Critique</th>"));
    // Each cell says its count and its band in words, and carries its band's class.
    assert!(body.contains("<td class=\"band-3\"><span class=\"count\">0</span> <span class=\"band-name\">Critique</span></td>"));
    let gross = counts(&body, "gross");
    let residual = counts(&body, "residual");
    assert_eq!((gross.len(), residual.len()), (25, 25));
    let list = page(&ciso, &format!("/risks?within={ministry}")).await;
    assert!(list.contains("1–6 sur 6"), "{list}");
    assert_eq!(gross.iter().sum::<i64>(), 6);
    assert_eq!(
        residual.iter().sum::<i64>(),
        6,
        "every demo risk has a residual rating"
    );
    assert!(body.contains("<dd id=\"map-risks\">6</dd>"));
    assert!(body.contains("<dd id=\"map-off-scale\">0</dd>"));
    assert!(body.contains(&format!("href=\"/risks?within={ministry}\"")));
    // The finance unit's map counts only its own two.
    let finances = app.org_id(FINANCES).await;
    let unit = page(&ciso, &format!("/risks/map?org_id={finances}")).await;
    assert_eq!(counts(&unit, "gross").iter().sum::<i64>(), 2);
    // Without a parameter, the active organization.
    assert!(page(&ciso, "/risks/map")
        .await
        .contains(&format!("href=\"/risks/method.css?org_id={ministry}\"")));
    // A malformed organization is named; another body's is not found.
    let bad = ciso.get("/risks/map?org_id=ministere").await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("<code>org_id</code>"));
    let agency = app.org_id(BODY_B).await;
    assert_eq!(
        ciso.get(&format!("/risks/map?org_id={agency}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        ciso.get(&format!("/risks/method.css?org_id={agency}"))
            .await
            .status(),
        404
    );

    // The band colours: one rule per band of the method, text colour chosen for contrast.
    let css = ciso
        .get(&format!("/risks/method.css?org_id={ministry}"))
        .await;
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    let css = css.text().await.unwrap();
    let rules: Vec<&str> = css.lines().filter(|l| l.starts_with(".band-")).collect();
    assert_eq!(rules.len(), 4, "{css}");
    assert!(css.contains(".band-0 { background-color: #2e7d32; color: #ffffff; }"));
    assert!(css.contains(".band-1 { background-color: #f9a825; color: #000000; }"));
}
