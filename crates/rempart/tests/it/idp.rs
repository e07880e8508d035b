//! An OpenID Connect provider on loopback for the single sign-on tests: discovery, keys,
//! authorization (it vouches at once for the identity the test chose) and a token endpoint that
//! checks the client secret, the single use of codes and the PKCE verifier, as a real provider
//! does. It can be told to forge its answer in the ways an attacker or a broken provider would.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    Audience, AuthenticationMethodReference, EmptyAdditionalClaims, EndUserEmail, IssuerUrl,
    JsonWebKeyId, Nonce, PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "rempart-test";
pub const CLIENT_SECRET: &str = "secret-du-client-de-test";

/// Who the provider says is signing in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub amr: Vec<&'static str>,
}

impl Identity {
    pub fn verified(subject: &str, email: &str) -> Identity {
        Identity {
            subject: subject.to_owned(),
            email: Some(email.to_owned()),
            email_verified: true,
            amr: vec!["pwd"],
        }
    }
}

/// How the provider spoils its next ID token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgery {
    None,
    BadSignature,
    AlgNone,
    WrongNonce,
    WrongAudience,
    WrongIssuer,
    Expired,
}

struct Grant {
    nonce: String,
    challenge: String,
    redirect_uri: String,
}

struct Inner {
    issuer: String,
    identity: Identity,
    forgery: Forgery,
    codes: HashMap<String, Grant>,
    challenge_methods: Vec<String>,
    next_code: u64,
}

#[derive(Clone)]
pub struct Idp {
    pub issuer: String,
    inner: Arc<Mutex<Inner>>,
}

/// One RSA key for the whole test run: generating one takes a moment.
fn key_pem() -> &'static str {
    static PEM: OnceLock<String> = OnceLock::new();
    PEM.get_or_init(|| {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
        key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .unwrap()
            .to_string()
    })
}

fn signing_key() -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(key_pem(), Some(JsonWebKeyId::new("test-1".into()))).unwrap()
}

impl Idp {
    pub async fn start(identity: Identity) -> Idp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let idp = Idp {
            issuer: issuer.clone(),
            inner: Arc::new(Mutex::new(Inner {
                issuer,
                identity,
                forgery: Forgery::None,
                codes: HashMap::new(),
                challenge_methods: Vec::new(),
                next_code: 0,
            })),
        };
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(idp.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        idp
    }

    pub fn vouch_for(&self, identity: Identity) {
        self.inner.lock().unwrap().identity = identity;
    }

    pub fn forge(&self, forgery: Forgery) {
        self.inner.lock().unwrap().forgery = forgery;
    }

    /// The PKCE methods the client asked with, one per authorization.
    pub fn challenge_methods(&self) -> Vec<String> {
        self.inner.lock().unwrap().challenge_methods.clone()
    }

    /// Rempart's configuration for this provider.
    pub fn config(&self, app_base: &str, trust_provider_mfa: bool) -> rempart_web::sso::SsoConfig {
        rempart_web::sso::SsoConfig {
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.to_owned(),
            client_secret: CLIENT_SECRET.to_owned(),
            redirect_url: format!("{app_base}/login/sso/callback"),
            label: "ConnexionQC (essai)".to_owned(),
            trust_provider_mfa,
        }
    }
}

async fn discovery(State(idp): State<Idp>) -> Json<Value> {
    let i = &idp.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    }))
}

async fn jwks() -> Json<Value> {
    let set = CoreJsonWebKeySet::new(vec![signing_key().as_verification_key()]);
    Json(serde_json::to_value(set).unwrap())
}

#[derive(Deserialize)]
struct AuthorizeParams {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

async fn authorize(State(idp): State<Idp>, Query(p): Query<AuthorizeParams>) -> Response {
    if p.response_type != "code" || p.client_id != CLIENT_ID {
        return (StatusCode::BAD_REQUEST, "unknown client or flow").into_response();
    }
    let mut inner = idp.inner.lock().unwrap();
    inner
        .challenge_methods
        .push(p.code_challenge_method.clone().unwrap_or_default());
    inner.next_code += 1;
    let code = format!("code-{}", inner.next_code);
    inner.codes.insert(
        code.clone(),
        Grant {
            nonce: p.nonce,
            challenge: p.code_challenge.unwrap_or_default(),
            redirect_uri: p.redirect_uri.clone(),
        },
    );
    let sep = if p.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    Redirect::to(&format!(
        "{}{sep}code={code}&state={}",
        p.redirect_uri, p.state
    ))
    .into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: Option<String>,
}

fn token_error(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

async fn token(
    State(idp): State<Idp>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    let mut inner = idp.inner.lock().unwrap();
    // A code is used once, by the redirect it was issued for, with the verifier of its
    // challenge.
    let Some(grant) = inner.codes.remove(&form.code) else {
        return token_error("invalid_grant");
    };
    let verifier = form.code_verifier.unwrap_or_default();
    if form.grant_type != "authorization_code"
        || form.redirect_uri != grant.redirect_uri
        || URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge
    {
        return token_error("invalid_grant");
    }
    let now = chrono::Utc::now();
    let forgery = inner.forgery;
    let identity = inner.identity.clone();
    let issuer = if forgery == Forgery::WrongIssuer {
        "http://127.0.0.1:1".to_owned()
    } else {
        inner.issuer.clone()
    };
    let audience = if forgery == Forgery::WrongAudience {
        "another-client"
    } else {
        CLIENT_ID
    };
    let (issued, expires) = if forgery == Forgery::Expired {
        (
            now - chrono::Duration::hours(2),
            now - chrono::Duration::hours(1),
        )
    } else {
        (now, now + chrono::Duration::minutes(5))
    };
    let nonce = if forgery == Forgery::WrongNonce {
        "not-the-nonce".to_owned()
    } else {
        grant.nonce
    };
    let mut standard = StandardClaims::new(SubjectIdentifier::new(identity.subject));
    if let Some(email) = identity.email {
        standard = standard
            .set_email(Some(EndUserEmail::new(email)))
            .set_email_verified(Some(identity.email_verified));
    }
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(issuer).unwrap(),
        vec![Audience::new(audience.to_owned())],
        expires,
        issued,
        standard,
        EmptyAdditionalClaims {},
    )
    .set_nonce(Some(Nonce::new(nonce)))
    .set_auth_method_refs(Some(
        identity
            .amr
            .iter()
            .map(|m| AuthenticationMethodReference::new((*m).to_owned()))
            .collect(),
    ));
    let id_token = CoreIdToken::new(
        claims,
        &signing_key(),
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap()
    .to_string();
    let id_token = match forgery {
        Forgery::BadSignature => {
            // Another signature of the right length: one byte of it changed.
            let (signed, signature) = id_token.rsplit_once('.').unwrap();
            let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
            bytes[10] ^= 0x01;
            format!("{signed}.{}", URL_SAFE_NO_PAD.encode(bytes))
        }
        Forgery::AlgNone => {
            let payload = id_token.split('.').nth(1).unwrap();
            let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
            format!("{header}.{payload}.")
        }
        _ => id_token,
    };
    Json(json!({
        "access_token": "jeton-d-acces",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}
