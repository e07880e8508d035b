//! Signing in through the single sign-on provider (AUTH-09): which account a verified identity
//! opens, and which steps are still owed. Only an existing, active account is ever opened; the
//! first time, an identity is linked to the account whose e-mail the provider verified, and from
//! then on only the provider's issuer and subject find it (ASVS 6.8.1). The second factor is
//! still Rempart's unless the operator chose to trust the provider's (ASVS 6.8.4).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use rempart_domain::authn::{next_stage, SignInFacts};
use rempart_domain::language::Language;
use rempart_storage::persons::Person;
use rempart_storage::write::Change;
use rempart_storage::{credentials, now_micros, persons, sso as links, AuditContext};
use serde::Deserialize;

use crate::account::{mfa_required, open_session, safe_next, LoginPage};
use crate::error::{AppError, Query};
use crate::middleware::cookie_value;
use crate::sso::{Pending, Sso, SsoError, Verified, PENDING_SECONDS};
use crate::ui::source_of;
use crate::views::render;
use crate::AppState;

fn cookie_name(app: &AppState) -> &'static str {
    if app.config.secure_cookies {
        "__Host-rempart_sso"
    } else {
        "rempart_sso"
    }
}

fn pending_cookie(app: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if app.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    // SameSite=Lax: the provider sends the browser back with a top-level GET, which Lax lets
    // the cookie follow; no cross-site POST ever carries it.
    let cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        cookie_name(app)
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn provider(app: &AppState) -> Result<&Sso, AppError> {
    app.sso.as_deref().ok_or(AppError::NotFound)
}

#[derive(Debug, Deserialize, Default)]
pub struct StartParams {
    pub next: Option<String>,
}

/// Sends the browser to the provider, with a fresh state, nonce and PKCE challenge.
pub async fn start(
    State(app): State<AppState>,
    Extension(lang): Extension<Language>,
    Query(params): Query<StartParams>,
) -> Result<Response, AppError> {
    let sso = provider(&app)?;
    let next = safe_next(params.next.as_deref());
    match sso.start(next.clone(), now_micros() / 1_000_000).await {
        Ok((url, pending)) => {
            let mut response = Redirect::to(&url).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                pending_cookie(&app, &pending.encode(), PENDING_SECONDS),
            );
            Ok(response)
        }
        Err(e) => {
            tracing::warn!(error = %e, "authentification unique indisponible");
            Ok(render(
                StatusCode::BAD_GATEWAY,
                &LoginPage::new(&app, lang, next).failed(lang, "sso-unavailable"),
            ))
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// Why a callback opens no session; `key` is the message the person reads.
struct Refusal {
    reason: String,
    key: &'static str,
    person: Option<Person>,
}

impl From<SsoError> for Refusal {
    fn from(e: SsoError) -> Self {
        tracing::warn!(error = %e, "authentification unique refusée");
        Refusal {
            reason: e.reason().to_owned(),
            key: if matches!(e, SsoError::Discovery(_)) {
                "sso-unavailable"
            } else {
                "sso-failed"
            },
            person: None,
        }
    }
}

fn refuse(reason: &str, key: &'static str) -> Refusal {
    Refusal {
        reason: reason.to_owned(),
        key,
        person: None,
    }
}

/// The provider's answer: checks it, finds the account and opens a session at the step owed.
pub async fn callback(
    State(app): State<AppState>,
    Extension(lang): Extension<Language>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Result<Response, AppError> {
    let sso = provider(&app)?;
    let source = source_of(&headers);
    let policy = &app.config.lockout;
    let now = now_micros();
    let pending = cookie_value(&headers, cookie_name(&app)).and_then(Pending::decode);
    let next = pending
        .as_ref()
        .map(|p| safe_next(Some(&p.next)))
        .unwrap_or_else(|| "/".to_owned());

    let (failures, window_start) = credentials::throttle_state(&app.store, &source).await?;
    let outcome = if !policy.source_allowed(failures, window_start, now) {
        Err(refuse("throttled", "login-throttled"))
    } else {
        verify(sso, pending.as_ref(), &params, now).await
    };
    let outcome = match outcome {
        Ok(verified) => resolve(&app, &headers, &verified).await?,
        Err(refusal) => Err(refusal),
    };

    let mut response = match outcome {
        Ok((person, link_id, multi_factor)) => {
            let mut w = app
                .store
                .write(AuditContext {
                    actor_id: Some(person.id),
                    actor_label: person.email.clone(),
                    source: source.clone(),
                })
                .await?;
            links::touch(&mut w, link_id).await?;
            w.commit().await?;
            let enrolled = credentials::totp_secret(&app.store, person.id)
                .await?
                .is_some();
            let stage = next_stage(SignInFacts {
                // The password was not used: a temporary one waits for the next password login.
                must_change_password: false,
                mfa_enrolled: enrolled,
                mfa_required: mfa_required(&app, person.id).await?,
                mfa_done: multi_factor && sso.config.trust_provider_mfa,
            });
            open_session(&app, &person, stage, &headers, None, &next, "sso").await?
        }
        Err(refusal) => {
            let mut w = app
                .store
                .write(AuditContext {
                    actor_id: refusal.person.as_ref().map(|p| p.id),
                    actor_label: refusal
                        .person
                        .as_ref()
                        .map(|p| p.email.clone())
                        .unwrap_or_default(),
                    source: source.clone(),
                })
                .await?;
            w.audit(Change {
                org_id: refusal.person.as_ref().map(|p| p.org_id),
                action: "auth.sso_failed",
                entity_type: "session",
                entity_id: String::new(),
                before: None,
                after: Some(serde_json::json!({ "reason": refusal.reason })),
            })
            .await?;
            credentials::throttle_failure(&mut w, &source, policy.window_micros).await?;
            w.commit().await?;
            let status = if refusal.key == "login-throttled" {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            render(
                status,
                &LoginPage::new(&app, lang, next).failed(lang, refusal.key),
            )
        }
    };
    // The pending sign-in is spent, whatever the outcome: a second use of it fails.
    response
        .headers_mut()
        .append(header::SET_COOKIE, pending_cookie(&app, "", 0));
    Ok(response)
}

async fn verify(
    sso: &Sso,
    pending: Option<&Pending>,
    params: &CallbackParams,
    now: i64,
) -> Result<Verified, Refusal> {
    let pending = pending.ok_or(SsoError::NoPending)?;
    let age = now / 1_000_000 - pending.started;
    if !(0..=PENDING_SECONDS).contains(&age) {
        return Err(SsoError::Expired.into());
    }
    if !pending.state_matches(params.state.as_deref().unwrap_or("")) {
        return Err(SsoError::State.into());
    }
    if let Some(error) = &params.error {
        return Err(SsoError::Provider(error.chars().take(100).collect()).into());
    }
    let code = params.code.as_deref().unwrap_or("");
    if code.is_empty() || code.len() > 2048 {
        return Err(SsoError::Exchange("missing or oversized code".to_owned()).into());
    }
    Ok(sso.finish(pending, code).await?)
}

/// Why an account opens by no pathway now: disabled, or locked after failed proofs (the
/// lockout holds whatever the way in, so that guessing one factor cannot go on through
/// another).
async fn closed(app: &AppState, person: &Person) -> Result<Option<&'static str>, AppError> {
    if person.disabled_at.is_some() {
        return Ok(Some("disabled"));
    }
    let locked = credentials::login_state(&app.store, &person.email)
        .await?
        .is_some_and(|s| app.config.lockout.is_locked(s.locked_until, now_micros()));
    Ok(locked.then_some("locked"))
}

/// The account a verified identity opens, and the link used. `Err` when none may open.
async fn resolve(
    app: &AppState,
    headers: &HeaderMap,
    verified: &Verified,
) -> Result<Result<(Person, i64, bool), Refusal>, AppError> {
    if let Some((link_id, person_id)) =
        links::find(&app.store, &verified.issuer, &verified.subject).await?
    {
        let person = persons::get_self(&app.store, person_id).await?;
        if let Some(reason) = closed(app, &person).await? {
            return Ok(Err(Refusal {
                reason: reason.to_owned(),
                key: "sso-failed",
                person: Some(person),
            }));
        }
        return Ok(Ok((person, link_id, verified.multi_factor)));
    }
    // Never linked: only a verified e-mail of an existing account may make the link.
    let Some(email) = verified
        .email
        .as_deref()
        .filter(|_| verified.email_verified)
    else {
        return Ok(Err(refuse("email_unverified", "sso-no-account")));
    };
    let Some(state) = credentials::login_state(&app.store, email).await? else {
        return Ok(Err(refuse("no_account", "sso-no-account")));
    };
    let person = state.person;
    if let Some(reason) = closed(app, &person).await? {
        return Ok(Err(Refusal {
            reason: reason.to_owned(),
            key: "sso-failed",
            person: Some(person),
        }));
    }
    // The account already answers to another subject at this provider: a second identity
    // claiming the same e-mail is someone else until an operator says otherwise.
    if links::linked_at_issuer(&app.store, person.id, &verified.issuer).await? {
        return Ok(Err(Refusal {
            reason: "other_subject".to_owned(),
            key: "sso-failed",
            person: Some(person),
        }));
    }
    let mut w = app
        .store
        .write(AuditContext {
            actor_id: Some(person.id),
            actor_label: person.email.clone(),
            source: source_of(headers),
        })
        .await?;
    let link_id = links::link(&mut w, &person, &verified.issuer, &verified.subject).await?;
    w.commit().await?;
    Ok(Ok((person, link_id, verified.multi_factor)))
}
