//! Single sign-on end to end (AUTH-09), against the OpenID Connect provider of `idp.rs` on
//! loopback: only existing accounts open, by issuer and subject once linked; forged, replayed,
//! injected or unbound answers open nothing; privileged roles still owe their second factor.

use serde_json::Value;

use crate::idp::{Forgery, Identity, Idp};
use crate::kit::*;

const HOLDER: &str = "detenteur@demo.rempart.quebec";
const MANAGER: &str = "gestionnaire@demo.rempart.quebec";

async fn spawn(identity: Identity, trust_provider_mfa: bool) -> (TestApp, Idp) {
    let idp = Idp::start(identity).await;
    let for_app = idp.clone();
    let app = TestApp::spawn_configured(move |base| rempart_web::WebConfig {
        sso: Some(for_app.config(base, trust_provider_mfa)),
        ..rempart_web::WebConfig::default()
    })
    .await;
    (app, idp)
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Starts a sign-in in this browser and lets the provider answer: the callback URL it sends
/// the browser back to.
async fn authorize(app: &TestApp, client: &reqwest::Client) -> String {
    let start = client
        .get(format!("{}/login/sso?next=/profile", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303, "start of a sign-in");
    let at_provider = client.get(location(&start)).send().await.unwrap();
    assert_eq!(at_provider.status(), 303);
    let back = location(&at_provider);
    assert!(
        back.starts_with(&format!("{}/login/sso/callback?", app.base)),
        "{back}"
    );
    back
}

/// The whole round trip: the callback's answer.
async fn sign_in(app: &TestApp, client: &reqwest::Client) -> reqwest::Response {
    let back = authorize(app, client).await;
    client.get(back).send().await.unwrap()
}

async fn me(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let r = client
        .get(format!("{}/api/v1/me", app.base))
        .send()
        .await
        .unwrap();
    if r.status() != 200 {
        return None;
    }
    let me: Value = r.json().await.unwrap();
    me["person"]["email"].as_str().map(str::to_owned)
}

async fn failure_reasons(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar::<_, String>(
        "SELECT after_json FROM audit_entries WHERE action = 'auth.sso_failed' ORDER BY seq",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|after| {
        serde_json::from_str::<Value>(after).unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_owned()
    })
    .collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

// REQ AUTH-09
#[tokio::test]
async fn single_sign_on_opens_only_existing_accounts_known_by_issuer_and_subject() {
    let (app, idp) = spawn(
        Identity::verified("sub-inconnu", "nouveau@ailleurs.qc.ca"),
        false,
    )
    .await;
    let people = count(&app, "SELECT COUNT(*) FROM persons").await;

    // The login page offers the provider, in French, as a plain link (no script needed).
    let page = TestApp::client()
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("href=\"/login/sso?next=/\""), "{page}");
    assert!(page.contains("Se connecter avec ConnexionQC (essai)"));

    // An identity that matches no account opens nothing and creates nothing.
    let client = TestApp::client();
    let r = sign_in(&app, &client).await;
    assert_eq!(r.status(), 401);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Aucun compte Rempart ne correspond"));
    assert_eq!(me(&app, &client).await, None);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, people);

    // An e-mail the provider has not verified does not link.
    idp.vouch_for(Identity {
        email_verified: false,
        ..Identity::verified("sub-holder", HOLDER)
    });
    assert_eq!(sign_in(&app, &client).await.status(), 401);

    // A verified e-mail of an existing account links the identity and opens the account, at
    // the page asked for.
    idp.vouch_for(Identity::verified("sub-holder", HOLDER));
    let r = sign_in(&app, &client).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/profile");
    assert_eq!(me(&app, &client).await.as_deref(), Some(HOLDER));
    let profile = client
        .get(format!("{}/profile", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(profile.contains("Identités liées"));
    assert!(profile.contains("sub-holder"));
    let login: String = sqlx::query_scalar(
        "SELECT after_json FROM audit_entries WHERE action = 'auth.login' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert!(login.contains("\"method\":\"sso\""), "{login}");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'sso.link'"
        )
        .await,
        1
    );

    // From then on the subject alone decides: the provider changing the e-mail to someone
    // else's does not make this identity that someone.
    idp.vouch_for(Identity::verified("sub-holder", MANAGER));
    let other = TestApp::client();
    assert_eq!(sign_in(&app, &other).await.status(), 303);
    assert_eq!(me(&app, &other).await.as_deref(), Some(HOLDER));

    // A second subject claiming the linked account's e-mail is someone else.
    idp.vouch_for(Identity::verified("sub-imposteur", HOLDER));
    let third = TestApp::client();
    assert_eq!(sign_in(&app, &third).await.status(), 401);
    assert_eq!(me(&app, &third).await, None);

    // A locked account stays closed by this way in too: guessing the password elsewhere
    // cannot go on through the provider.
    sqlx::query("UPDATE persons SET locked_until = $1 WHERE email = $2")
        .bind(i64::MAX)
        .bind(HOLDER)
        .execute(app.store.pool())
        .await
        .unwrap();
    idp.vouch_for(Identity::verified("sub-holder", HOLDER));
    let locked = TestApp::client();
    assert_eq!(sign_in(&app, &locked).await.status(), 401);
    assert_eq!(me(&app, &locked).await, None);
    sqlx::query("UPDATE persons SET locked_until = NULL WHERE email = $1")
        .bind(HOLDER)
        .execute(app.store.pool())
        .await
        .unwrap();

    // A disabled account stays closed, linked or not.
    sqlx::query("UPDATE persons SET disabled_at = 1 WHERE email = $1")
        .bind(HOLDER)
        .execute(app.store.pool())
        .await
        .unwrap();
    idp.vouch_for(Identity::verified("sub-holder", HOLDER));
    let fourth = TestApp::client();
    assert_eq!(sign_in(&app, &fourth).await.status(), 401);
    assert_eq!(me(&app, &fourth).await, None);

    assert_eq!(
        failure_reasons(&app).await,
        [
            "no_account",
            "email_unverified",
            "other_subject",
            "locked",
            "disabled"
        ]
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, people);
}

// REQ AUTH-09
#[tokio::test]
async fn a_person_removes_a_link_and_only_a_verified_e_mail_makes_it_again() {
    let (app, idp) = spawn(Identity::verified("sub-manager", MANAGER), false).await;
    let client = TestApp::client();
    assert_eq!(sign_in(&app, &client).await.status(), 303);
    let session = {
        let me: Value = client
            .get(format!("{}/api/v1/me", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        me["csrf_token"].as_str().unwrap().to_owned()
    };
    let link: i64 = sqlx::query_scalar("SELECT id FROM sso_identities")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let r = client
        .post(format!("{}/profile/sso/{link}/unlink", app.base))
        .form(&[("csrf", session.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sso_identities").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'sso.unlink'"
        )
        .await,
        1
    );
    // Unlinked, a new subject with the verified e-mail may link again.
    idp.vouch_for(Identity::verified("sub-manager-2", MANAGER));
    let again = TestApp::client();
    assert_eq!(sign_in(&app, &again).await.status(), 303);
    assert_eq!(me(&app, &again).await.as_deref(), Some(MANAGER));
}

// REQ AUTH-09
#[tokio::test]
async fn forged_replayed_injected_or_unbound_answers_open_nothing() {
    let (app, idp) = spawn(Identity::verified("sub-holder", HOLDER), false).await;
    // The client asked for PKCE with S256 every time.
    let client = TestApp::client();
    for forgery in [
        Forgery::BadSignature,
        Forgery::AlgNone,
        Forgery::WrongNonce,
        Forgery::WrongAudience,
        Forgery::WrongIssuer,
        Forgery::Expired,
    ] {
        idp.forge(forgery);
        let r = sign_in(&app, &client).await;
        assert_eq!(r.status(), 401, "{forgery:?}");
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("La connexion par le fournisseur d"));
        assert_eq!(me(&app, &client).await, None, "{forgery:?}");
    }
    idp.forge(Forgery::None);

    // A callback in a browser that started nothing (login CSRF): refused.
    let back = authorize(&app, &client).await;
    let stranger = TestApp::client();
    assert_eq!(stranger.get(&back).send().await.unwrap().status(), 401);
    assert_eq!(me(&app, &stranger).await, None);

    // A state that is not the browser's: refused.
    let victim = TestApp::client();
    let back = authorize(&app, &victim).await;
    let tampered = back.replace("state=", "state=x");
    assert_eq!(victim.get(&tampered).send().await.unwrap().status(), 401);
    // The pending sign-in was spent by the refusal: the genuine answer now fails too.
    assert_eq!(victim.get(&back).send().await.unwrap().status(), 401);

    // An attacker's own code injected into the victim's flow, with the victim's state: the
    // PKCE verifier of the victim's flow does not match the attacker's challenge.
    let attacker = TestApp::client();
    let attacker_back = authorize(&app, &attacker).await;
    let victim_back = authorize(&app, &victim).await;
    let code = |url: &str| {
        url.split(['?', '&'])
            .find_map(|p| p.strip_prefix("code="))
            .unwrap()
            .to_owned()
    };
    let injected = victim_back.replace(&code(&victim_back), &code(&attacker_back));
    assert_eq!(victim.get(&injected).send().await.unwrap().status(), 401);
    assert_eq!(me(&app, &victim).await, None);

    // The provider's own refusal is shown as a failure, not an error page.
    let back = authorize(&app, &victim).await;
    let state = back.split("state=").nth(1).unwrap().to_owned();
    let r = victim
        .get(format!(
            "{}/login/sso/callback?error=access_denied&state={state}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // A genuine answer works once; replayed, it opens nothing more.
    let fresh = TestApp::client();
    let back = authorize(&app, &fresh).await;
    assert_eq!(fresh.get(&back).send().await.unwrap().status(), 303);
    assert_eq!(me(&app, &fresh).await.as_deref(), Some(HOLDER));
    let replay = TestApp::client();
    assert_eq!(replay.get(&back).send().await.unwrap().status(), 401);

    assert!(idp.challenge_methods().iter().all(|m| m == "S256"));
    assert_eq!(
        failure_reasons(&app).await,
        [
            "id_token",
            "id_token",
            "id_token",
            "id_token",
            "id_token",
            "id_token",
            "no_pending",
            "state",
            "no_pending",
            "exchange",
            "provider_error",
            "no_pending",
        ]
    );
    // Every refusal counts toward the address's throttle, as a wrong password does.
    assert_eq!(
        count(
            &app,
            "SELECT COALESCE(MAX(failures), 0) FROM login_throttle"
        )
        .await,
        12
    );
}

// REQ AUTH-09
// REQ AUTH-04
#[tokio::test]
async fn privileged_roles_still_owe_the_local_second_factor_unless_the_provider_is_trusted() {
    let (app, idp) = spawn(Identity::verified("sub-csio", CSIO_A), false).await;
    // The provider says it used several factors, but it is not trusted to: enrol here.
    idp.vouch_for(Identity {
        amr: vec!["pwd", "mfa"],
        ..Identity::verified("sub-csio", CSIO_A)
    });
    let client = TestApp::client();
    let r = sign_in(&app, &client).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/mfa/enrol");
    assert_eq!(
        me(&app, &client).await,
        None,
        "no full session before the step"
    );

    let (trusting, idp) = spawn(Identity::verified("sub-csio", CSIO_A), true).await;
    // Trusted, but this sign-in used one factor only: the local step is still owed.
    let client = TestApp::client();
    assert_eq!(location(&sign_in(&trusting, &client).await), "/mfa/enrol");
    idp.vouch_for(Identity {
        amr: vec!["pwd", "mfa"],
        ..Identity::verified("sub-csio", CSIO_A)
    });
    let client = TestApp::client();
    let r = sign_in(&trusting, &client).await;
    assert_eq!(location(&r), "/profile");
    assert_eq!(me(&trusting, &client).await.as_deref(), Some(CSIO_A));
}

// REQ AUTH-09
#[tokio::test]
async fn without_a_provider_there_is_no_single_sign_on() {
    let app = TestApp::spawn().await;
    let client = TestApp::client();
    let page = client
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("/login/sso"));
    for path in ["/login/sso", "/login/sso/callback?code=x&state=y"] {
        let r = client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}
