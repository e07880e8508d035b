//! Single sign-on with an OpenID Connect provider (AUTH-09): the authorization code flow with
//! PKCE (S256), a state bound to the browser by a `__Host-` cookie, a nonce checked in the ID
//! token, and the ID token's signature checked against the provider's published keys, with
//! public-key algorithms only ([`ALLOWED_ALGS`]: never `none`, never an HMAC keyed with the
//! client secret). The
//! protocol is the crate's; what is ours is which account a verified identity opens.

use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::reqwest;
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;

/// The signature algorithms an ID token may use: public-key ones only, whatever the
/// provider's discovery document lists.
pub const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// How long a started sign-in waits for the provider's answer.
pub const PENDING_SECONDS: i64 = 600;
/// How long the provider's metadata and keys are kept before being fetched again.
const METADATA_TTL: Duration = Duration::from_secs(600);

/// The provider, as the operator configures it.
#[derive(Clone)]
pub struct SsoConfig {
    /// The issuer identifier; its `/.well-known/openid-configuration` is fetched.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// This server's callback, registered at the provider: `https://…/login/sso/callback`.
    pub redirect_url: String,
    /// The provider's name on the sign-in button ("Microsoft Entra du ministère").
    pub label: String,
    /// Whether the provider's word that it used several factors (`amr` holding `mfa`) stands
    /// in for Rempart's own second factor. Off by default: privileged roles then prove their
    /// TOTP here too (ASVS 6.8.4).
    pub trust_provider_mfa: bool,
}

impl std::fmt::Debug for SsoConfig {
    // The client secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .field("label", &self.label)
            .field("trust_provider_mfa", &self.trust_provider_mfa)
            .finish_non_exhaustive()
    }
}

/// Why a sign-in by the provider failed; the code goes to the audit trail, the person sees one
/// message.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("provider metadata unavailable: {0}")]
    Discovery(String),
    #[error("no sign-in pending in this browser")]
    NoPending,
    #[error("the sign-in waited too long")]
    Expired,
    #[error("state does not match")]
    State,
    #[error("the provider refused: {0}")]
    Provider(String),
    #[error("code exchange failed: {0}")]
    Exchange(String),
    #[error("no ID token in the answer")]
    NoIdToken,
    #[error("ID token refused: {0}")]
    Claims(String),
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl SsoError {
    /// A short, stable reason for the audit trail.
    pub fn reason(&self) -> &'static str {
        match self {
            SsoError::Discovery(_) => "discovery",
            SsoError::NoPending => "no_pending",
            SsoError::Expired => "expired",
            SsoError::State => "state",
            SsoError::Provider(_) => "provider_error",
            SsoError::Exchange(_) => "exchange",
            SsoError::NoIdToken => "no_id_token",
            SsoError::Claims(_) => "id_token",
            SsoError::Config(_) => "config",
        }
    }
}

/// What a started sign-in keeps in the browser's cookie until the provider answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    /// Seconds since the epoch.
    pub started: i64,
    /// Where to go once signed in: a local path (checked by the caller).
    pub next: String,
}

impl Pending {
    pub fn encode(&self) -> String {
        use base64::Engine as _;
        let next = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&self.next);
        format!(
            "{}.{}.{}.{}.{}",
            self.state, self.nonce, self.verifier, self.started, next
        )
    }

    pub fn decode(value: &str) -> Option<Pending> {
        use base64::Engine as _;
        let mut parts = value.split('.');
        let state = parts.next()?.to_owned();
        let nonce = parts.next()?.to_owned();
        let verifier = parts.next()?.to_owned();
        let started = parts.next()?.parse().ok()?;
        let next = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts.next()?)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())?;
        if parts.next().is_some() || state.is_empty() || nonce.is_empty() || verifier.is_empty() {
            return None;
        }
        Some(Pending {
            state,
            nonce,
            verifier,
            started,
            next,
        })
    }

    /// Whether the state the provider sent back is the one this browser started with.
    /// Compared as digests: the time taken says nothing about the expected value.
    pub fn state_matches(&self, returned: &str) -> bool {
        Sha256::digest(self.state.as_bytes()) == Sha256::digest(returned.as_bytes())
    }
}

/// An identity the provider vouched for, in an ID token whose signature, issuer, audience,
/// expiry and nonce were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    /// The provider says it used several factors (`amr` holds `mfa`, RFC 8176).
    pub multi_factor: bool,
}

/// The configured provider, with its metadata cached.
pub struct Sso {
    pub config: SsoConfig,
    http: reqwest::Client,
    metadata: RwLock<Option<(Instant, CoreProviderMetadata)>>,
}

impl std::fmt::Debug for Sso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sso")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Sso {
    pub fn new(config: SsoConfig) -> Result<Sso, SsoError> {
        IssuerUrl::new(config.issuer.clone()).map_err(|e| SsoError::Config(e.to_string()))?;
        RedirectUrl::new(config.redirect_url.clone())
            .map_err(|e| SsoError::Config(e.to_string()))?;
        // No redirects followed: the provider's endpoints answer directly, and a redirect
        // could carry the client secret elsewhere.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| SsoError::Config(e.to_string()))?;
        Ok(Sso {
            config,
            http,
            metadata: RwLock::new(None),
        })
    }

    async fn metadata(&self, refresh: bool) -> Result<CoreProviderMetadata, SsoError> {
        if !refresh {
            if let Some((at, metadata)) = self.metadata.read().await.as_ref() {
                if at.elapsed() < METADATA_TTL {
                    return Ok(metadata.clone());
                }
            }
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| SsoError::Config(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| SsoError::Discovery(error_chain(&e)))?;
        *self.metadata.write().await = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        SsoError,
    > {
        let redirect = RedirectUrl::new(self.config.redirect_url.clone())
            .map_err(|e| SsoError::Config(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Starts a sign-in: the provider's URL to send the browser to, and what to keep in the
    /// browser's cookie until it comes back.
    pub async fn start(&self, next: String, now_secs: i64) -> Result<(String, Pending), SsoError> {
        let client = self.client(self.metadata(false).await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        Ok((
            url.to_string(),
            Pending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                started: now_secs,
                next,
            },
        ))
    }

    /// Finishes a sign-in: exchanges the code (with the PKCE verifier) and checks the ID token.
    pub async fn finish(&self, pending: &Pending, code: &str) -> Result<Verified, SsoError> {
        let client = self.client(self.metadata(false).await?)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| SsoError::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| SsoError::Exchange(error_chain(&e)))?;
        let id_token = response.id_token().ok_or(SsoError::NoIdToken)?;
        let nonce = Nonce::new(pending.nonce.clone());
        let verifier = client.id_token_verifier().set_allowed_algs(ALLOWED_ALGS);
        let claims = match id_token.claims(&verifier, &nonce) {
            Ok(claims) => claims.clone(),
            // The provider may have rotated its keys since they were cached: fetch them once
            // more, and only then refuse.
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                let client = self.client(self.metadata(true).await?)?;
                let verifier = client.id_token_verifier().set_allowed_algs(ALLOWED_ALGS);
                let claims = id_token
                    .claims(&verifier, &nonce)
                    .map_err(|e| SsoError::Claims(e.to_string()))?
                    .clone();
                claims
            }
            Err(e) => return Err(SsoError::Claims(e.to_string())),
        };
        let multi_factor = claims
            .auth_method_refs()
            .is_some_and(|amr| amr.iter().any(|m| m.as_str() == "mfa"));
        Ok(Verified {
            issuer: claims.issuer().as_str().to_owned(),
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|e| e.as_str().trim().to_lowercase()),
            email_verified: claims.email_verified().unwrap_or(false),
            multi_factor,
        })
    }
}

/// The whole chain of an error's causes, for the audit trail.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pending_cookie_round_trips_and_refuses_tampering() {
        let p = Pending {
            state: "s-tAte_1".into(),
            nonce: "n0nce".into(),
            verifier: "v3rifier-long".into(),
            started: 1_790_000_000,
            next: "/org?x=1;y=2 z".into(),
        };
        assert_eq!(Pending::decode(&p.encode()), Some(p.clone()));
        assert!(p.state_matches("s-tAte_1"));
        assert!(!p.state_matches("s-tAte_2"));
        for bad in [
            "",
            "a.b.c",
            "a.b.c.notanumber.Lw",
            "a.b.c.1.Lw.extra",
            "..c.1.Lw",
        ] {
            assert_eq!(Pending::decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_bad_configuration_is_refused_and_the_secret_is_never_printed() {
        let config = SsoConfig {
            issuer: "pas une url".into(),
            client_id: "rempart".into(),
            client_secret: "tres-secret".into(),
            redirect_url: "https://rempart.example/login/sso/callback".into(),
            label: "Fournisseur".into(),
            trust_provider_mfa: false,
        };
        assert!(matches!(Sso::new(config.clone()), Err(SsoError::Config(_))));
        assert!(!format!("{config:?}").contains("tres-secret"));
    }
}
