//! The two layers every request crosses.
//!
//! [`enforce`] runs after routing, for matched routes: it loads the session, applies the route's
//! policy (deny when the route has none), and checks the CSRF token of every state-changing
//! request made with a session. [`finish`] wraps everything, matched or not: it renders any
//! [`AppError`] in the caller's language (JSON under `/api/`, HTML elsewhere), sets the security
//! headers and records metrics.

use std::time::Instant;

use axum::body::{to_bytes, Body};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use rempart_domain::authn::Stage;
use rempart_domain::language::Language;
use rempart_storage::{grants, now_micros, persons, sessions};

use crate::auth::Actor;
use crate::error::AppError;
use crate::metrics::{RequestLabels, RouteLabels};
use crate::policy::Policy;
use crate::AppState;

/// The request header that carries the client's address from [`enforce`] to the handlers.
/// Whatever a client sends under this name is removed first.
pub const CLIENT_HEADER: &str = "x-rempart-client";

/// The address recorded in the audit trail. `X-Forwarded-For` is believed only when the
/// operator says a proxy in front rewrites it; otherwise anyone could forge their address.
fn client_address(request: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        if let Some(first) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
        {
            return first.to_owned();
        }
    }
    request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The largest form body the CSRF check will read; forms are small.
const FORM_LIMIT: usize = 256 * 1024;
/// The largest file a form may upload (an inventory to import); routes that take uploads
/// raise their own body limit to it.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// The request's language: the signed-in person's preference, else Accept-Language.
pub fn request_language(headers: &HeaderMap) -> Language {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Language::from_accept_language)
        .unwrap_or_default()
}

/// The person behind a personal API token (`Authorization: Bearer …`), API routes only.
async fn token_actor(app: &AppState, token: &str) -> Result<Actor, AppError> {
    let now = now_micros();
    let found = if token.len() <= 128 {
        rempart_storage::tokens::find_active(&app.store, token, now).await?
    } else {
        None
    };
    let Some(found) = found else {
        return Err(AppError::Unauthenticated);
    };
    let person = persons::get_self(&app.store, found.person_id).await?;
    // A token works only for an account in good standing: not disabled, not owing a new
    // password, not locked.
    let state = rempart_storage::credentials::login_state(&app.store, &person.email).await?;
    let locked = state
        .as_ref()
        .is_some_and(|s| app.config.lockout.is_locked(s.locked_until, now));
    // A password past the validity the organization set is owed a change, as a temporary
    // one is: until then the account's tokens rest too.
    let day = |micros: i64| micros / 86_400_000_000;
    let expired = state
        .as_ref()
        .and_then(|s| s.password_changed_at)
        .is_some_and(|at| app.config.password_policy.expired(day(at), day(now)));
    if person.disabled_at.is_some() || person.must_change_password || locked || expired {
        return Err(AppError::Unauthenticated);
    }
    let scope = rempart_domain::token::TokenScope::from_stored(&found.scope);
    let mut w = app
        .store
        .write(rempart_storage::AuditContext {
            actor_id: Some(person.id),
            actor_label: person.email.clone(),
            source: "token".to_owned(),
        })
        .await?;
    rempart_storage::tokens::record_use(&mut w, &found, person.org_id).await?;
    w.commit().await?;
    let grants = grants::scopes_of(&app.store, person.id).await?;
    Ok(Actor {
        session: rempart_storage::sessions::Session {
            id: 0,
            person_id: person.id,
            csrf_token: String::new(),
            active_org_id: None,
            created_at: now,
            last_seen_at: now,
            expires_at: now,
            stage: "full".to_owned(),
            pending_totp_secret: None,
        },
        person,
        grants,
        token: Some(scope),
    })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (kind, token) = value.split_once(' ')?;
    kind.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

async fn load_actor(app: &AppState, headers: &HeaderMap) -> Result<Option<Actor>, AppError> {
    let Some(token) = cookie_value(headers, app.config.cookie_name()) else {
        return Ok(None);
    };
    if token.len() > 128 {
        return Ok(None);
    }
    let now = now_micros();
    let idle = i64::try_from(app.config.session_idle.as_micros()).unwrap_or(i64::MAX);
    let Some(session) = sessions::find_active(&app.store, token, now, idle).await? else {
        return Ok(None);
    };
    let person = persons::get_self(&app.store, session.person_id).await?;
    if person.disabled_at.is_some() {
        return Ok(None);
    }
    let grants = grants::scopes_of(&app.store, person.id).await?;
    sessions::touch(&app.store, &session, now).await?;
    Ok(Some(Actor {
        person,
        session,
        grants,
        token: None,
    }))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Reads the `csrf` field of a urlencoded form, then puts the body back for the handler.
async fn form_csrf(request: Request) -> Result<(Option<String>, Request), AppError> {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge)?;
    let token = form_urlencoded_field(&bytes, "csrf");
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// Reads the `csrf` part of a multipart form (an upload, sent by a page without script), then
/// puts the body back for the handler.
async fn multipart_csrf(
    request: Request,
    boundary: String,
) -> Result<(Option<String>, Request), AppError> {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, UPLOAD_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge)?;
    let stream = futures_util::stream::once({
        let bytes = bytes.clone();
        async move { Ok::<_, std::convert::Infallible>(bytes) }
    });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut token = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("csrf") {
            token = field.text().await.ok();
            break;
        }
    }
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

fn form_urlencoded_field(bytes: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

pub async fn enforce(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let policy = path
        .as_deref()
        .and_then(|p| app.policies.lookup(request.method(), p));
    let is_api = request.uri().path().starts_with("/api/");
    // A bearer token is for the API only; a bad one is refused, never ignored.
    let loaded = match bearer(request.headers()) {
        Some(token) if is_api => token_actor(&app, token).await.map(Some),
        Some(_) => Err(AppError::Unauthenticated),
        None => load_actor(&app, request.headers()).await,
    };
    let actor = match loaded {
        Ok(actor) => actor,
        Err(e) => return e.into_response(),
    };
    let language = actor
        .as_ref()
        .map(Actor::language)
        .unwrap_or_else(|| request_language(request.headers()));

    let mut request = request;
    let client = client_address(&request, app.config.trust_forwarded_for);
    request.headers_mut().remove(CLIENT_HEADER);
    if let Ok(value) = HeaderValue::from_str(&client) {
        request.headers_mut().insert(CLIENT_HEADER, value);
    }
    let decision = match (policy, &actor) {
        // Deny by default: a route nobody declared a policy for does not run.
        (None, _) => Err(AppError::Forbidden),
        // Routes open to anyone are limited per address for anyone not signed in.
        (Some(Policy::Public), None)
            if !app
                .config
                .public_rate
                .allow(&client, now_micros() / 1_000_000) =>
        {
            Err(AppError::TooManyRequests)
        }
        (Some(Policy::Public), _) => Ok(()),
        (Some(_), None) => {
            if !is_api && is_safe(request.method()) {
                let target = request
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let next_param: String =
                    serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
                let mut response = Redirect::to(&format!("/login?{next_param}")).into_response();
                response.extensions_mut().insert(language);
                return response;
            }
            Err(AppError::Unauthenticated)
        }
        (Some(Policy::AnyStage), Some(_)) => Ok(()),
        // A session with a step still owed reaches nothing but the step's own pages.
        (Some(Policy::SignedIn | Policy::Needs(_)), Some(actor))
            if Stage::parse(&actor.session.stage) != Stage::Full =>
        {
            if !is_api && is_safe(request.method()) {
                let mut response =
                    Redirect::to(Stage::parse(&actor.session.stage).path()).into_response();
                response.extensions_mut().insert(language);
                return response;
            }
            Err(AppError::Stage)
        }
        (Some(Policy::SignedIn), Some(_)) => Ok(()),
        (Some(Policy::Needs(permission)), Some(actor)) => {
            if actor.can(permission) {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        }
    };
    // A token does what its scope says: reads only if a read token, in its modules only.
    let permission = match policy {
        Some(Policy::Needs(p)) => Some(p),
        _ => None,
    };
    let decision = decision.and_then(|()| match actor.as_ref().and_then(|a| a.token.as_ref()) {
        Some(scope) if !scope.allows(permission, is_safe(request.method())) => {
            Err(AppError::Forbidden)
        }
        _ => Ok(()),
    });
    if let Err(error) = decision {
        let mut response = error.into_response();
        response.extensions_mut().insert(language);
        return response;
    }

    // CSRF: every state-changing request made with a session carries the session's token,
    // in the X-CSRF-Token header (API, scripts) or the `csrf` form field (pages).
    // A token request carries no cookie, so no forged request can ride on it: no CSRF check.
    if let (Some(actor), false) = (&actor, is_safe(request.method())) {
        if policy != Some(Policy::Public) && actor.token.is_none() {
            let header_token = request
                .headers()
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let token = match header_token {
                Some(t) => Some(t),
                None => {
                    let content_type = request
                        .headers()
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
                    let boundary = content_type
                        .starts_with("multipart/form-data")
                        .then(|| multer::parse_boundary(&content_type).ok())
                        .flatten();
                    if let Some(boundary) = boundary {
                        match multipart_csrf(request, boundary).await {
                            Ok((token, rebuilt)) => {
                                request = rebuilt;
                                token
                            }
                            Err(e) => return e.into_response(),
                        }
                    } else if is_form {
                        match form_csrf(request).await {
                            Ok((token, rebuilt)) => {
                                request = rebuilt;
                                token
                            }
                            Err(e) => return e.into_response(),
                        }
                    } else {
                        None
                    }
                }
            };
            if !token.is_some_and(|t| constant_time_eq(&t, &actor.session.csrf_token)) {
                let mut response = AppError::Csrf.into_response();
                response.extensions_mut().insert(language);
                return response;
            }
        }
    }

    if let Some(actor) = actor {
        request.extensions_mut().insert(actor);
    }
    request.extensions_mut().insert(language);
    let mut response = next.run(request).await;
    if response.extensions().get::<Language>().is_none() {
        response.extensions_mut().insert(language);
    }
    response
}

pub async fn finish(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let is_api = request.uri().path().starts_with("/api/");
    let accept_language = request_language(request.headers());
    let mut response = next.run(request).await;
    let route = response
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let language = response
        .extensions()
        .get::<Language>()
        .copied()
        .unwrap_or(accept_language);

    if let Some(error) = response.extensions().get::<AppError>().cloned() {
        response = if is_api {
            let mut r = (error.status(), axum::Json(error.body(language))).into_response();
            r.extensions_mut().insert(error);
            r
        } else {
            crate::views::error_page(language, &error)
        };
    } else if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        let error = AppError::MethodNotAllowed;
        response = if is_api {
            (error.status(), axum::Json(error.body(language))).into_response()
        } else {
            crate::views::error_page(language, &error)
        };
    }

    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if app.config.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }

    let status = response.status().as_u16();
    app.metrics
        .requests
        .get_or_create(&RequestLabels {
            method: method.to_string(),
            route: route.clone(),
            status,
        })
        .inc();
    app.metrics
        .latency
        .get_or_create(&RouteLabels { route })
        .observe(started.elapsed().as_secs_f64());
    response
}

/// Keeps the matched route on the response, for [`finish`] to label metrics with.
pub async fn keep_route(request: Request, next: Next) -> Response {
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(m) = matched {
        response.extensions_mut().insert(m);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_form_fields_are_found() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; rempart_session=abc; b=2"),
        );
        assert_eq!(cookie_value(&headers, "rempart_session"), Some("abc"));
        assert_eq!(cookie_value(&headers, "missing"), None);
        assert_eq!(
            form_urlencoded_field(b"name=x&csrf=t%2B1", "csrf").as_deref(),
            Some("t+1")
        );
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
