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
