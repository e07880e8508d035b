//! The pages of the control catalogues, the risk method and the risk indicators (CTRL-01,
//! CTRL-02, RISK-02, RISK-06), as a person uses them without JavaScript: the real SP 800-53
//! catalog uploaded through the form, browsed and searched, a status recorded control by
//! control; the method shown and changed with every fault named next to its field; the
//! indicators per public body with their total, a project recorded and a risk linked to it.

use reqwest::multipart::{Form, Part};

use crate::kit::*;

const OSCAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/oscal/");
const GOV: &str = "cgsi@demo.rempart.quebec";
const HOLDER_FIN: &str = "detentrice.finances@demo.rempart.quebec";
const ROOT: &str = "cgcd-demo";

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{OSCAL}{name}")).unwrap()
}

/// The upload form as a browser sends it.
async fn upload(
    who: &Session,
    org: &str,
    catalog: &str,
    bytes: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    let form = Form::new()
        .text("csrf", who.csrf.clone())
        .text("org_id", org.to_owned())
        .text("catalog_id", catalog.to_owned())
        .part(
            "file",
            Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str("application/json")
                .unwrap(),
        );
    who.client
        .post(who.url("/controls/import"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn page(session: &Session, path: &str) -> String {
    let response = session.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

async fn org_name(app: &TestApp, slug: &str) -> String {
    sqlx::query_scalar::<_, String>("SELECT name FROM organizations WHERE slug = $1")
        .bind(slug)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The address a redirect leads to, without its fragment (a browser keeps that to itself).
fn target(response: &reqwest::Response) -> String {
    location(response).split('#').next().unwrap().to_owned()
}

/// Askama escapes apostrophes in text.
fn html(text: &str) -> String {
    text.replace('\'', "&#39;")
}

/// The anchors of the error summary, in order.
fn summary_anchors(body: &str) -> Vec<String> {
    let summary = body
        .split("class=\"error-summary\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no error summary: {body}"))
        .split("</div>")
        .next()
        .unwrap();
    summary
        .split("<a href=\"#")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

/// The element that `marker` opens, up to `end`.
fn part<'a>(body: &'a str, marker: &str, end: &str) -> &'a str {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in page"));
    let stop = body[start..].find(end).map_or(body.len(), |e| start + e);
    &body[start..stop]
}

// REQ CTRL-01
// REQ CTRL-02
#[tokio::test]
async fn a_catalog_is_uploaded_through_the_form_then_browsed_and_its_statuses_recorded() {
    let app = TestApp::spawn().await;
    let gov = app.login(GOV).await;
    let root = app.org_id(ROOT).await.to_string();
    let empty = page(&gov, "/controls").await;
    assert!(empty.contains("<a href=\"/controls\" aria-current=\"page\">Mesures de sécurité</a>"));
    assert!(empty.contains("Aucun catalogue n&#39;est importé pour vos organisations."));
    assert!(empty.contains("enctype=\"multipart/form-data\""));

    // A broken file: its fault in French, with line and column, next to the file; nothing
    // written.
    let before = (
        app.audit_seq().await,
        count(&app, "SELECT COUNT(*) FROM control_catalogs").await,
    );
    let refused = upload(
        &gov,
        &root,
        "",
        b"{\"catalog\": {\"uuid\": ".to_vec(),
        "x.json",
    )
    .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(
        body.contains("<p class=\"field-error\" id=\"file-error\">ligne 1, colonne"),
        "{body}"
    );
    assert!(body.contains("JSON illisible ou non conforme à OSCAL"));
    assert_eq!(summary_anchors(&body), ["file"]);
    // Neither catalog nor profile, and a form sent without its organization or file.
    let neither = upload(&gov, &root, "", b"{\"ssp\": {}}".to_vec(), "ssp.json").await;
    assert_eq!(neither.status(), 422);
    assert!(neither
        .text()
        .await
        .unwrap()
        .contains("Le fichier n&#39;est ni un catalogue OSCAL"));
    let blank = upload(&gov, "", "", Vec::new(), "vide.json").await;
    assert_eq!(blank.status(), 422);
    let body = blank.text().await.unwrap();
    assert_eq!(summary_anchors(&body), ["org_id", "file"]);
    assert!(body.contains("id=\"org_id-error\">Ce champ est obligatoire."));
    assert_eq!(
        (
            app.audit_seq().await,
            count(&app, "SELECT COUNT(*) FROM control_catalogs").await
        ),
        before
    );

    // The real catalog, then the same file again.
    let imported = upload(
        &gov,
        &root,
        "",
        file("NIST_SP-800-53_rev5_catalog.json"),
        "NIST_SP-800-53_rev5_catalog.json",
    )
    .await;
    assert_eq!(imported.status(), 201);
    let body = imported.text().await.unwrap();
    assert!(
        body.contains("importé : 1189 mesures de sécurité en 20 groupes."),
        "{body}"
    );
    let catalog: i64 = sqlx::query_scalar("SELECT id FROM control_catalogs WHERE kind = 'catalog'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(body.contains(&format!("<a href=\"/controls/{catalog}\">")));
    let head = app.audit_seq().await;
    let again = upload(
        &gov,
        &root,
        "",
        file("NIST_SP-800-53_rev5_catalog.json"),
        "catalog.json",
    )
    .await;
    assert_eq!(again.status(), 200);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("est déjà importé tel quel : rien n&#39;a changé."));
    assert_eq!(app.audit_seq().await, head);
    // A profile, resolved against the catalog chosen.
    let profile = upload(
        &gov,
        &root,
        &catalog.to_string(),
        file("NIST_SP-800-53_rev5_LOW-baseline_profile.json"),
        "low.json",
    )
    .await;
    assert_eq!(profile.status(), 201);
    assert!(profile
        .text()
        .await
        .unwrap()
        .contains("importé : 149 mesures de sécurité sélectionnées."));

    // The ministry's CISO uses what the government centre imported, but imports nothing for
    // the agency: another body's organization is not found, before the file is looked at.
    let ciso = app.login(CSIO_A).await;
    let list = page(&ciso, "/controls").await;
    assert!(list.contains(&format!(
        "<a href=\"/controls/{catalog}\">NIST Special Publication 800-53 Revision 5"
    )));
    assert!(list.contains(&html(&org_name(&app, ROOT).await)));
    assert!(list.contains("<td class=\"num\">1189</td>"));
    assert!(list.contains("<td>Profil</td>"));
    let agency = app.org_id(BODY_B).await.to_string();
    let head = app.audit_seq().await;
    for bytes in [Vec::new(), b"{".to_vec()] {
        let foreign = upload(&ciso, &agency, "", bytes, "x.json").await;
        assert_eq!(foreign.status(), 404);
    }
    assert_eq!(app.audit_seq().await, head);

    // Found by search, with its statement as text and a form to record where the ministry
    // stands (the organization chosen in the switcher).
    let ministry = app.org_id(BODY_A).await;
    let found = page(&ciso, &format!("/controls/{catalog}?q=AC-2(1)")).await;
    assert!(found.contains("<h2 id=\"control-"), "{found}");
    assert!(
        found.contains(">AC-2(1) — Automated System Account Management</h2>"),
        "{found}"
    );
    assert!(found.contains("<p class=\"statement\">"));
    assert!(found.contains(&format!("action=\"/controls/{catalog}/status\"")));
    assert!(found.contains(&format!("<option value=\"{ministry}\" selected>")));
    let control: i64 = sqlx::query_scalar(
        "SELECT id FROM controls WHERE catalog_id = $1 AND control_key = 'ac-2.1'",
    )
    .bind(catalog)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let ministry = ministry.to_string();
    let control_text = control.to_string();
    let saved = ciso
        .post_form(
            &format!("/controls/{catalog}/status"),
            &[
                ("org_id", &ministry),
                ("control_id", &control_text),
                ("status", "implemented"),
                ("note", "Revue trimestrielle\ndes comptes"),
                ("q", "AC-2(1)"),
                ("group", "ac"),
                ("offset", ""),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        location(&saved),
        format!(
            "/controls/{catalog}?q=AC-2%281%29&group=ac&org_id={ministry}&done=status#control-{control}"
        )
    );
    let body = page(&ciso, &target(&saved)).await;
    assert!(body.contains("État de mise en œuvre enregistré."));
    let section = part(
        &body,
        &format!("<section class=\"control\" id=\"control-{control}\""),
        "</section>",
    );
    assert!(section.contains("<dd>Mise en œuvre</dd>"), "{section}");
    assert!(section.contains("<dd class=\"statement\">Revue trimestrielle\ndes comptes</dd>"));
    assert!(section.contains("<option value=\"implemented\" selected>"));
    // The API reads the same standing.
    let api: serde_json::Value = ciso
        .get(&format!(
            "/api/v1/control-catalogs/{catalog}/controls?q=AC-2(1)&org_id={ministry}"
        ))
        .await
        .json()
        .await
        .unwrap();
    let row = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "ac-2.1")
        .unwrap()
        .clone();
    assert_eq!(row["status"], "implemented");

    // A status that is not one is named next to its control's field; nothing written.
    let head = app.audit_seq().await;
    let wrong = ciso
        .post_form(
            &format!("/controls/{catalog}/status"),
            &[
                ("org_id", &ministry),
                ("control_id", &control_text),
                ("status", "fini"),
                ("note", "x"),
                ("q", "AC-2(1)"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let body = wrong.text().await.unwrap();
    assert_eq!(summary_anchors(&body), [format!("status-{control}")]);
    assert!(body.contains(&format!(
        "<p class=\"field-error\" id=\"status-{control}-error\">Cette valeur n&#39;est pas permise.</p>"
    )));
    assert!(body.contains("État de mise en œuvre (AC-2(1)) : Cette valeur"));
    // Another body's organization is not found, whatever the rest says.
    for status in ["implemented", "fini"] {
        let foreign = ciso
            .post_form(
                &format!("/controls/{catalog}/status"),
                &[
                    ("org_id", &agency),
                    ("control_id", &control_text),
                    ("status", status),
                ],
            )
            .await;
        assert_eq!(foreign.status(), 404, "{status}");
    }
    for query in ["", "&group=zz"] {
        assert_eq!(
            ciso.get(&format!("/controls/{catalog}?org_id={agency}{query}"))
                .await
                .status(),
            404
        );
    }
    assert_eq!(app.audit_seq().await, head);
    // Ids that name nothing are not found; a filter that means nothing is named.
    for path in ["/controls/abc", "/controls/987654"] {
        assert_eq!(ciso.get(path).await.status(), 404, "{path}");
    }
    for (path, control_id) in [
        ("/controls/987654/status".to_owned(), control_text.as_str()),
        (format!("/controls/{catalog}/status"), "ac-2.1"),
    ] {
        let refused = ciso
            .post_form(
                &path,
                &[
                    ("org_id", &ministry),
                    ("control_id", control_id),
                    ("status", "planned"),
                ],
            )
            .await;
        assert_eq!(refused.status(), 404, "{path} {control_id}");
    }
    for (query, field) in [
        ("group=zz", "group"),
        ("withdrawn=peut-etre", "withdrawn"),
        ("offset=-1", "offset"),
        ("org_id=x", "org_id"),
    ] {
        let refused = ciso.get(&format!("/controls/{catalog}?{query}")).await;
        assert_eq!(refused.status(), 422, "{query}");
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains(&format!("<code>{field}</code>")));
    }
    // The group filter and the withdrawn ones.
    let ac = page(&ciso, &format!("/controls/{catalog}?group=ac")).await;
    assert!(ac.contains("1–50 sur "), "{ac}");
    assert!(!ac.contains(">AU-2 — "));
    let withdrawn = page(
        &ciso,
        &format!("/controls/{catalog}?q=AC-2(10)&withdrawn=1"),
    )
    .await;
    assert!(
        withdrawn.contains("Mesure retirée du catalogue."),
        "{withdrawn}"
    );
    assert!(!page(&ciso, &format!("/controls/{catalog}?q=AC-2(10)"))
        .await
        .contains("Mesure retirée du catalogue."));

    // A user, who may not read controls, has no entry in the navigation.
    let user = app.login(USER_A).await;
    assert!(!page(&user, "/").await.contains("href=\"/controls\""));
    assert_eq!(user.get("/controls").await.status(), 403);
    // The holder reads their unit's statuses without a form to change them; the ministry's
    // standing is beyond their unit.
    let holder = app.login(HOLDER_FIN).await;
    let read_only = page(&holder, &format!("/controls/{catalog}?q=AC-2(1)")).await;
    assert!(!read_only.contains(&format!("action=\"/controls/{catalog}/status\"")));
    assert!(read_only.contains("<dd>Non renseigné</dd>"), "{read_only}");
    assert_eq!(
        holder
            .get(&format!("/controls/{catalog}?org_id={ministry}"))
            .await
            .status(),
        404
    );

    // In English, a fault in English.
    assert_eq!(
        ciso.post_form("/profile/language", &[("language", "en")])
            .await
            .status(),
        303
    );
    let english = upload(&ciso, &ministry, "", b"[1, 2".to_vec(), "x.json").await;
    assert_eq!(english.status(), 422);
    assert!(english
        .text()
        .await
        .unwrap()
        .contains("id=\"file-error\">line 1, column"));
}

/// The fields of the method form as the page shows them for the default method, changed by
/// `edit`.
fn method_form(org: &str, edit: &[(&str, &str)]) -> Vec<(String, String)> {
    let levels = [
        ("Rare", "Rare"),
        ("Peu probable", "Unlikely"),
        ("Possible", "Possible"),
        ("Probable", "Likely"),
        ("Quasi certain", "Almost certain"),
    ];
    let impacts = [
        ("Négligeable", "Negligible"),
        ("Mineur", "Minor"),
        ("Modéré", "Moderate"),
        ("Majeur", "Major"),
        ("Critique", "Critical"),
    ];
    let bands = [
        ("1", "Faible", "Low", "#2e7d32"),
        ("5", "Modéré", "Moderate", "#f9a825"),
        ("10", "Élevé", "High", "#ef6c00"),
        ("17", "Critique", "Critical", "#b71c1c"),
        // The blank row under the bands: the colour picker still sends a colour.
        ("", "", "", "#000000"),
    ];
    let mut pairs: Vec<(String, String)> = vec![("org_id".into(), org.into())];
    for (axis, rows) in [("likelihood", &levels), ("impact", &impacts)] {
        for (i, (fr, en)) in rows.iter().chain([("", "")].iter()).enumerate() {
            pairs.push((format!("{axis}.{i}.label_fr"), (*fr).into()));
            pairs.push((format!("{axis}.{i}.label_en"), (*en).into()));
        }
    }
    for (i, (min, fr, en, colour)) in bands.iter().enumerate() {
        pairs.push((format!("bands.{i}.min_score"), (*min).into()));
        pairs.push((format!("bands.{i}.label_fr"), (*fr).into()));
        pairs.push((format!("bands.{i}.label_en"), (*en).into()));
        pairs.push((format!("bands.{i}.colour"), (*colour).into()));
    }
    for (k, v) in [
        ("impact_rule", "highest"),
        ("threshold", "9"),
        ("higher_approver", "ChiefExecutive"),
        ("approval_months", "12"),
        ("review_months", "12"),
    ] {
        pairs.push((k.into(), v.into()));
    }
    for (k, v) in edit {
        match pairs.iter_mut().find(|(name, _)| name == k) {
            Some(pair) => pair.1 = (*v).to_owned(),
            None => pairs.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    pairs
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

// REQ RISK-02
#[tokio::test]
async fn the_method_is_shown_then_changed_through_the_form_and_the_risks_rescored() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let ministry = app.org_id(BODY_A).await;
    let org = ministry.to_string();
    // Reached from the register and the map.
    assert!(page(&ciso, "/risks")
        .await
        .contains("<a href=\"/risks/method\">Méthode d&#39;évaluation des risques</a>"));
    assert!(page(&ciso, "/risks")
        .await
        .contains("<a href=\"/risks/indicators\">"));
    assert!(page(&ciso, "/risks/map")
        .await
        .contains(&format!("<a href=\"/risks/method?org_id={ministry}\">")));

    // The default, for the organization chosen in the switcher.
    let body = page(&ciso, "/risks/method").await;
    assert!(body.contains("Méthode par défaut de Rempart"), "{body}");
    assert!(body.contains(&format!(
        "<link rel=\"stylesheet\" href=\"/risks/method.css?org_id={ministry}\">"
    )));
    assert!(body.contains(
        "<th scope=\"row\">5</th><td>Quasi certain</td><td lang=\"en-CA\">Almost certain</td>"
    ));
    assert!(
        body.contains("<td class=\"swatch band-0\">Faible</td><td>1–4</td>"),
        "{body}"
    );
    assert!(body.contains("<code>#2e7d32</code>"));
    assert!(body.contains("<dd id=\"method-threshold\">9</dd>"));
    assert!(body.contains("<dd id=\"method-impact-rule\">Le plus élevé des trois impacts</dd>"));
    assert!(body.contains("Dirigeant ou dirigeante d&#39;organisme"));
    // The form: the levels and one blank row, the colours as colour pickers.
    assert!(body.contains("method=\"post\" action=\"/risks/method\""));
    assert!(body.contains("name=\"likelihood.5.label_fr\" value=\"\""));
    assert!(!body.contains("name=\"likelihood.6.label_fr\""));
    assert!(body.contains("name=\"bands.1.colour\" type=\"color\" value=\"#f9a825\""));
    assert!(body.contains("name=\"bands.4.min_score\""));
    assert!(
        !body.contains("<option value=\"User\""),
        "a user may not approve"
    );

    // A faulty form: every fault named, in the summary and next to its field; nothing written.
    let head = app.audit_seq().await;
    let refused = post_pairs(
        &ciso,
        "/risks/method",
        &method_form(
            &org,
            &[
                ("threshold", "0"),
                ("bands.1.colour", "jaune"),
                ("likelihood.2.label_en", ""),
            ],
        ),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert_eq!(app.audit_seq().await, head);
    assert_eq!(
        summary_anchors(&body),
        ["likelihood.2.label_en", "bands.1.colour", "threshold"]
    );
    for (field, message) in [
        ("likelihood.2.label_en", "Ce champ est obligatoire."),
        ("bands.1.colour", "Couleur attendue au format #rrggbb."),
        (
            "threshold",
            "Le seuil d&#39;acceptation va de 1 à la cote maximale (25).",
        ),
    ] {
        assert!(
            body.contains(&format!(
                "<p class=\"field-error\" id=\"{field}-error\">{message}</p>"
            )),
            "{field}: {body}"
        );
        assert!(
            body.contains(&format!("id=\"{field}\"")),
            "no field {field}"
        );
    }
    assert!(
        body.contains("Seuil d&#39;acceptation : Le seuil"),
        "{body}"
    );
    assert!(body.contains("Tranches de cote — Tranche 2 — Couleur : Couleur attendue"));
    // What was typed is kept; a colour that is not one shows as black beside its fault.
    assert!(
        body.contains("id=\"threshold\" name=\"threshold\" type=\"number\" min=\"1\" value=\"0\"")
    );
    assert!(body.contains("name=\"bands.1.colour\" type=\"color\" value=\"#000000\""));
    assert!(body.contains("name=\"likelihood.4.label_fr\" value=\"Quasi certain\""));

    // The threshold and a colour changed: nothing to rescore.
    let saved = post_pairs(
        &ciso,
        "/risks/method",
        &method_form(&org, &[("threshold", "12"), ("bands.1.colour", "#FFD54F")]),
    )
    .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        location(&saved),
        format!("/risks/method?org_id={ministry}&done=saved&rescored=0")
    );
    let body = page(&ciso, &location(&saved)).await;
    assert!(
        body.contains("Méthode enregistrée : 0 risque recalculé."),
        "{body}"
    );
    assert!(body.contains("Cette organisation a défini sa propre méthode."));
    assert!(body.contains("<dd id=\"method-threshold\">12</dd>"));
    assert!(body.contains("<code>#ffd54f</code>"));
    let css = page(&ciso, &format!("/risks/method.css?org_id={ministry}")).await;
    assert!(
        css.contains(".band-1 { background-color: #ffd54f; color: #000000; }"),
        "{css}"
    );
    // A unit below inherits it, and says from where.
    let unit = app.org_id(UNIT_A).await;
    let inherited = page(&ciso, &format!("/risks/method?org_id={unit}")).await;
    assert!(inherited.contains(&html(&format!(
        "Méthode héritée de {}.",
        org_name(&app, BODY_A).await
    ))));

    // The mean of the impacts: the risks whose scores change are rescored, and counted.
    let before = count(
        &app,
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'risk.rescore'",
    )
    .await;
    let saved = post_pairs(
        &ciso,
        "/risks/method",
        &method_form(&org, &[("threshold", "12"), ("impact_rule", "mean")]),
    )
    .await;
    assert_eq!(saved.status(), 303);
    let rescored = count(
        &app,
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'risk.rescore'",
    )
    .await
        - before;
    assert!(rescored > 1, "{rescored}");
    let body = page(&ciso, &location(&saved)).await;
    assert!(
        body.contains(&format!(
            "Méthode enregistrée : {rescored} risques recalculés."
        )),
        "{body}"
    );
    assert!(body.contains(
        "<dd id=\"method-impact-rule\">La moyenne des trois impacts, arrondie vers le haut</dd>"
    ));

    // Another body's organization is not found, before the form is judged; a malformed one
    // is named.
    let agency = app.org_id(BODY_B).await.to_string();
    let head = app.audit_seq().await;
    for edit in [vec![], vec![("threshold", "0")]] {
        let foreign = post_pairs(&ciso, "/risks/method", &method_form(&agency, &edit)).await;
        assert_eq!(foreign.status(), 404);
    }
    assert_eq!(
        ciso.get(&format!("/risks/method?org_id={agency}"))
            .await
            .status(),
        404
    );
    let bad = ciso.get("/risks/method?org_id=ministere").await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("<code>org_id</code>"));
    assert_eq!(app.audit_seq().await, head);

    // A holder reads the method, without the form, and may not change it.
    let holder = app.login(HOLDER_FIN).await;
    let body = page(&holder, "/risks/method").await;
    assert!(body.contains("<dd id=\"method-threshold\">12</dd>"));
    assert!(!body.contains("method=\"post\" action=\"/risks/method\""));
    let head = app.audit_seq().await;
    let forbidden = post_pairs(&holder, "/risks/method", &method_form(&org, &[])).await;
    assert_eq!(forbidden.status(), 403);
    assert_eq!(app.audit_seq().await, head);
}

// REQ RISK-06
#[tokio::test]
async fn the_indicators_show_each_body_and_the_total_and_a_project_is_recorded_and_assessed() {
    let app = TestApp::spawn().await;
    let ministry_name = org_name(&app, BODY_A).await;
    let agency_name = org_name(&app, BODY_B).await;
    // The government CISO sees both bodies and the total.
    let gov = app.login(GOV).await;
    let body = page(&gov, "/risks/indicators").await;
    let table = part(&body, "<table id=\"indicators\">", "</table>");
    assert!(
        table.contains(&format!("<th scope=\"row\">{}</th>", html(&ministry_name))),
        "{table}"
    );
    assert!(table.contains(&format!("<th scope=\"row\">{}</th>", html(&agency_name))));
    let total = part(table, "<tr id=\"indicators-total\">", "</tr>");
    assert!(total.contains("<th scope=\"row\">Total</th>"));
    let risks = count(&app, "SELECT COUNT(*) FROM risks WHERE archived_at IS NULL").await;
    assert!(
        total.contains(&format!("<td class=\"num\">{risks}</td>")),
        "{total}"
    );
    // Assets as "n sur m (p %)"; the demo's one live project went live unassessed.
    assert!(total.contains("\u{a0}%)</td>"), "{total}");
    assert!(total.contains("<td>0 sur 1</td>"), "{total}");
    // The ministry's CISO sees only the ministry.
    let ciso = app.login(CSIO_A).await;
    let ministry = app.org_id(BODY_A).await;
    let body = page(&ciso, "/risks/indicators").await;
    assert!(body.contains(&html(&ministry_name)));
    assert!(!body.contains(&html(&agency_name)));
    let row = |body: &str, name: &str| -> String {
        let id: i64 = body
            .split("<tr id=\"project-")
            .skip(1)
            .find(|r| r.contains(&html(name)))
            .and_then(|r| r.split('"').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("{name} not listed"));
        part(body, &format!("<tr id=\"project-{id}\">"), "</tr>").to_owned()
    };
    let portal = row(&body, "Refonte du portail des citoyens");
    assert!(
        portal.contains("<td class=\"verdict\">pas encore en service</td>"),
        "{portal}"
    );
    let dashboard = row(&body, "Tableau de bord budgétaire");
    assert!(dashboard.contains("<td class=\"verdict\">non évalué avant la mise en service</td>"));

    // A project going live today, recorded through the form: live and not assessed.
    let today = rempart_web::time::today().to_string();
    let org = ministry.to_string();
    let created = ciso
        .post_form(
            "/projects",
            &[
                ("page_org_id", &org),
                ("org_id", &org),
                ("name", "Registre des contrats"),
                ("description", "Nouveau système de suivi des contrats"),
                ("go_live_on", &today),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM projects WHERE name = 'Registre des contrats'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        location(&created),
        format!("/risks/indicators?org_id={ministry}&done=project#project-{id}")
    );
    let body = page(&ciso, &target(&created)).await;
    assert!(body.contains("Projet enregistré."));
    let project = row(&body, "Registre des contrats");
    assert!(
        project.contains("<td class=\"verdict\">non évalué avant la mise en service</td>"),
        "{project}"
    );
    assert!(project.contains(&format!("action=\"/projects/{id}/risks\"")));
    assert!(
        !project.contains("Rançongiciel sur le dossier clinique"),
        "an agency risk is offered"
    );
    assert!(part(&body, "<tr id=\"indicators-total\">", "</tr>").contains("<td>0 sur 2</td>"));

    // A risk assessed today (by the go-live date) linked through the form: assessed before
    // go-live. The dashboard, live last week, stays unassessed though a risk is linked now.
    let risk = risk_id(&app, "Détournement des dépôts de paie")
        .await
        .to_string();
    let linked = ciso
        .post_form(
            &format!("/projects/{id}/risks"),
            &[("page_org_id", &org), ("risk_id", &risk)],
        )
        .await;
    assert_eq!(linked.status(), 303);
    assert_eq!(
        location(&linked),
        format!("/risks/indicators?org_id={ministry}&done=linked#project-{id}")
    );
    let dashboard_id: i64 =
        sqlx::query_scalar("SELECT id FROM projects WHERE name = 'Tableau de bord budgétaire'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let late = ciso
        .post_form(
            &format!("/projects/{dashboard_id}/risks"),
            &[("page_org_id", &org), ("risk_id", &risk)],
        )
        .await;
    assert_eq!(late.status(), 303);
    let body = page(&ciso, &target(&linked)).await;
    assert!(body.contains("Risque lié au projet."));
    let project = row(&body, "Registre des contrats");
    assert!(
        project.contains("<td class=\"verdict\">évalué avant la mise en service</td>"),
        "{project}"
    );
    assert!(project.contains(&format!("<td>{today}</td>")));
    let dashboard = row(&body, "Tableau de bord budgétaire");
    assert!(dashboard.contains("<td class=\"verdict\">non évalué avant la mise en service</td>"));
    assert!(part(&body, "<tr id=\"indicators-total\">", "</tr>").contains("<td>1 sur 2</td>"));

    // Faults named next to their fields, nothing written.
    let head = app.audit_seq().await;
    let refused = ciso
        .post_form(
            "/projects",
            &[
                ("page_org_id", &org),
                ("org_id", ""),
                ("name", " "),
                ("go_live_on", "31/12/2027"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert_eq!(summary_anchors(&body), ["org_id", "name", "go_live_on"]);
    assert!(body.contains(
        "<p class=\"field-error\" id=\"go_live_on-error\">Date attendue au format AAAA-MM-JJ.</p>"
    ));
    assert!(body.contains("value=\"31/12/2027\""));
    let taken = ciso
        .post_form(
            "/projects",
            &[
                ("org_id", &org),
                ("name", "Registre des contrats"),
                ("go_live_on", &today),
            ],
        )
        .await;
    assert_eq!(taken.status(), 409);
    assert!(taken
        .text()
        .await
        .unwrap()
        .contains("id=\"name-error\">Cette valeur est déjà utilisée."));
    let agency_risk = risk_id(&app, "Rançongiciel sur le dossier clinique informatisé")
        .await
        .to_string();
    for (value, message) in [
        ("", "Ce champ est obligatoire."),
        ("x", "Ce champ doit être un nombre entier."),
        (
            agency_risk.as_str(),
            "Élément introuvable ou hors de votre portée.",
        ),
    ] {
        let refused = ciso
            .post_form(
                &format!("/projects/{id}/risks"),
                &[("page_org_id", &org), ("risk_id", value)],
            )
            .await;
        assert_eq!(refused.status(), 422, "{value}");
        let body = refused.text().await.unwrap();
        assert!(
            body.contains(&format!(
                "<p class=\"field-error\" id=\"risk_id-{id}-error\">{}</p>",
                html(message)
            )),
            "{value}: {body}"
        );
        assert_eq!(summary_anchors(&body), [format!("risk_id-{id}")]);
    }
    // Another body's organization and project are not found, before the input is judged.
    let agency = app.org_id(BODY_B).await.to_string();
    let foreign = ciso
        .post_form(
            "/projects",
            &[("org_id", &agency), ("name", ""), ("go_live_on", "")],
        )
        .await;
    assert_eq!(foreign.status(), 404);
    for path in ["/projects/abc/risks", "/projects/987654/risks"] {
        assert_eq!(
            ciso.post_form(path, &[("risk_id", "")]).await.status(),
            404,
            "{path}"
        );
    }
    assert_eq!(
        ciso.get(&format!("/risks/indicators?org_id={agency}"))
            .await
            .status(),
        404
    );
    assert_eq!(app.audit_seq().await, head);

    // A holder reads the indicators, records no project.
    let holder = app.login(HOLDER_FIN).await;
    let body = page(
        &holder,
        &format!(
            "/risks/indicators?org_id={}",
            app.org_id("mfr-direction-des-finances").await
        ),
    )
    .await;
    assert!(!body.contains("action=\"/projects\""));
    assert!(!body.contains("action=\"/projects/"));
    assert_eq!(
        holder
            .post_form(
                "/projects",
                &[("org_id", &org), ("name", "P"), ("go_live_on", &today)]
            )
            .await
            .status(),
        403
    );

    // In English.
    assert_eq!(
        ciso.post_form("/profile/language", &[("language", "en")])
            .await
            .status(),
        303
    );
    let body = page(&ciso, "/risks/indicators").await;
    assert!(body.contains("Risk management indicators"));
    assert!(body.contains("<td class=\"verdict\">assessed before go-live</td>"));
    assert!(part(&body, "<tr id=\"indicators-total\">", "</tr>").contains("<td>1 of 2</td>"));
}

// REQ CTRL-01
// REQ RISK-02
// REQ RISK-06
#[tokio::test]
async fn the_page_forms_never_answer_500_to_hostile_input() {
    let app = TestApp::spawn().await;
    let ciso = app.login(CSIO_A).await;
    let catalog = rempart_web::controls::import(
        &app.store,
        rempart_storage::AuditContext::system("test"),
        rempart_storage::scope::Scope::LocalAdministrator,
        app.org_id(BODY_A).await,
        None,
        &file("basic-catalog.json"),
        None,
    )
    .await
    .unwrap()
    .imported
    .id;
    let project: i64 = sqlx::query_scalar("SELECT MIN(id) FROM projects")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let long = "é".repeat(20_000);
    let ministry = app.org_id(BODY_A).await.to_string();
    let control: i64 = sqlx::query_scalar("SELECT MIN(id) FROM controls WHERE catalog_id = $1")
        .bind(catalog)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let control = control.to_string();
    let hostile: Vec<Vec<(&str, &str)>> = vec![
        // Ids that are the caller's, the rest hostile: the handlers' own checks answer.
        vec![
            ("org_id", &ministry),
            ("page_org_id", "x"),
            ("control_id", &control),
            ("status", "implemented"),
            ("note", &long),
            ("risk_id", "99999999999999999999"),
            ("name", &long),
            ("description", "\u{0}"),
            ("go_live_on", "demain"),
            ("threshold", "-3"),
            ("likelihood.0.label_fr", "\u{7}"),
            ("bands.0.min_score", "0"),
            ("bands.0.colour", "rgb(0,0,0)"),
            ("approval_months", "1e3"),
        ],
        vec![
            ("org_id", "-99999999999999999999"),
            ("control_id", "1 OR 1=1"),
            ("status", "\u{0}"),
            ("note", &long),
            ("risk_id", "NaN"),
            ("name", "<img src=x onerror=alert(1)>"),
            ("go_live_on", "2027-02-30"),
            ("threshold", "99999999999999999999"),
            ("likelihood.0.label_fr", &long),
            ("bands.0.min_score", "-1"),
            ("bands.0.colour", "#zzzzzz"),
            ("bands.99999999999999999999.colour", "#000000"),
            ("likelihood.x.label_fr", "x"),
            ("higher_approver", "PlatformAdmin"),
            ("impact_rule", "{}"),
            ("q", "%'\";--"),
            ("offset", "-5"),
        ],
        vec![
            ("org_id", "1"),
            ("org_id", "2"),
            ("name", "a"),
            ("name", "b"),
        ],
        vec![],
    ];
    let paths = [
        "/controls/import".to_owned(),
        format!("/controls/{catalog}/status"),
        "/risks/method".to_owned(),
        "/projects".to_owned(),
        format!("/projects/{project}/risks"),
    ];
    let head = app.audit_seq().await;
    for path in &paths {
        for fields in &hostile {
            let status = ciso.post_form(path, fields).await.status().as_u16();
            assert!((400..500).contains(&status), "{path} {fields:?}: {status}");
        }
        for (content_type, bytes) in [
            (
                "application/x-www-form-urlencoded",
                b"csrf=%ZZ&org_id=%".to_vec(),
            ),
            ("multipart/form-data; boundary=x", b"--x\r\nbroken".to_vec()),
            ("application/json", b"{\"org_id\": 1}".to_vec()),
        ] {
            let status = ciso
                .client
                .post(ciso.url(path))
                .header("x-csrf-token", &ciso.csrf)
                .header("content-type", content_type)
                .body(bytes)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert!(
                (400..500).contains(&status),
                "{path} {content_type}: {status}"
            );
        }
    }
    assert_eq!(app.audit_seq().await, head, "nothing hostile got in");
}
