//! Signing in and keeping an account safe (AUTH-02 to AUTH-07): the login with its lockout and
//! throttle, the steps owed after the password (a temporary password to change, a second factor
//! to prove or enrol), the password change, TOTP enrolment and recovery codes, and a person's
//! own sessions. Every step is audited; every step completed renews the session id.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use rempart_domain::authn::{next_stage, SignInFacts, Stage};
use rempart_domain::language::Language;
use rempart_domain::FieldError;
use rempart_storage::credentials;
use rempart_storage::persons::Person;
use rempart_storage::sessions::{self, NewSession, SessionInfo};
use rempart_storage::write::Change;
use rempart_storage::{grants, now_micros, AuditContext, StoreError};
use serde::Deserialize;
use sqlx::Row;

use crate::auth::{random_token, Actor};
use crate::error::{AppError, Form, Path, Query};
use crate::ui::{audit_context, source_of};
use crate::views::{render, Ctx, FormState};
use crate::{mfa, AppState};

// ---------------------------------------------------------------- sessions and cookies

fn session_cookie(app: &AppState, token: &str, max_age: u64) -> axum::http::HeaderValue {
    let secure = if app.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        app.config.cookie_name()
    );
    axum::http::HeaderValue::from_str(&value)
        .unwrap_or_else(|_| axum::http::HeaderValue::from_static(""))
}

/// Whether the person holds a role that demands a second factor.
pub(crate) async fn mfa_required(app: &AppState, person_id: i64) -> Result<bool, AppError> {
    let held = grants::scopes_of(&app.store, person_id).await?;
    Ok(held.iter().any(|g| app.config.mfa_roles.contains(&g.role)))
}

/// Opens a new session at `stage` (closing `replacing`, when a step completes) and answers
/// with its cookie and a redirect to where the person goes next. A new id at every step:
/// a session fixed before login, or stolen before a step, is worth nothing after it.
pub(crate) async fn open_session(
    app: &AppState,
    person: &Person,
    stage: Stage,
    headers: &HeaderMap,
    replacing: Option<i64>,
    then: &str,
    method: &str,
) -> Result<Response, AppError> {
    let token = random_token(32);
    let csrf = random_token(32);
    let absolute = i64::try_from(app.config.session_absolute.as_micros()).unwrap_or(i64::MAX);
    let source = source_of(headers);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut w = app
        .store
        .write(AuditContext {
            actor_id: Some(person.id),
            actor_label: person.email.clone(),
            source: source.clone(),
        })
        .await?;
    if let Some(old) = replacing {
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2")
            .bind(w.now())
            .bind(old)
            .execute(w.conn())
            .await
            .map_err(StoreError::from)?;
    }
    let session_id = sessions::create(
        &mut w,
        NewSession {
            token: &token,
            person_id: person.id,
            person_org_id: person.org_id,
            csrf_token: &csrf,
            source: &source,
            user_agent,
            expires_at: now_micros().saturating_add(absolute),
            stage: stage.as_str(),
            method,
        },
    )
    .await?;
    w.commit().await?;
    if let Some(first) = grants::scopes_of(&app.store, person.id).await?.first() {
        sessions::set_active_org(&app.store, session_id, first.org.0).await?;
    }
    let target = if stage == Stage::Full {
        then
    } else {
        stage.path()
    };
    let mut response = Redirect::to(target).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(app, &token, app.config.session_absolute.as_secs()),
    );
    Ok(response)
}

/// Moves a signed-in person past the step they just completed.
async fn advance(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    mfa_done: bool,
) -> Result<Response, AppError> {
    let person = rempart_storage::persons::get_self(&app.store, actor.person.id).await?;
    let enrolled = credentials::totp_secret(&app.store, person.id)
        .await?
        .is_some();
    let stage = next_stage(SignInFacts {
        must_change_password: person.must_change_password,
        mfa_enrolled: enrolled,
        mfa_required: mfa_required(app, person.id).await?,
        mfa_done: mfa_done || Stage::parse(&actor.session.stage) == Stage::Full,
    });
    open_session(
        app,
        &person,
        stage,
        headers,
        Some(actor.session.id),
        "/",
        "step",
    )
    .await
}

// ---------------------------------------------------------------- login

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    ctx: Ctx,
    failed: Option<String>,
    email: String,
    next: String,
    /// The single sign-on provider's name, when one is configured.
    sso_label: Option<String>,
}

impl LoginPage {
    pub(crate) fn new(app: &AppState, lang: Language, next: String) -> LoginPage {
        LoginPage {
            ctx: Ctx::anonymous(lang),
            failed: None,
            email: String::new(),
            next,
            sso_label: app.config.sso.as_ref().map(|s| s.label.clone()),
        }
    }

    pub(crate) fn failed(mut self, lang: Language, key: &str) -> LoginPage {
        self.failed = Some(crate::i18n::t(lang, key));
        self
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct LoginParams {
    pub next: Option<String>,
    pub lang: Option<String>,
}

/// Only a local path is a valid place to return to after login: no open redirect.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 512 =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

pub async fn login_page(
    State(app): State<AppState>,
    Extension(lang): Extension<Language>,
    Query(params): Query<LoginParams>,
) -> Response {
    let lang = params
        .lang
        .as_deref()
        .and_then(Language::parse)
        .unwrap_or(lang);
    render(
        StatusCode::OK,
        &LoginPage::new(&app, lang, safe_next(params.next.as_deref())),
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    pub next: Option<String>,
}

pub async fn login(
    State(app): State<AppState>,
    Extension(lang): Extension<Language>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let policy = &app.config.lockout;
    let now = now_micros();
    let source = source_of(&headers);
    let email: String = form.email.trim().to_lowercase().chars().take(254).collect();
    let failed_page = |status: StatusCode, key: &str| {
        let mut page =
            LoginPage::new(&app, lang, safe_next(form.next.as_deref())).failed(lang, key);
        page.email = form.email.chars().take(254).collect();
        render(status, &page)
    };

    // A source that failed too often waits for its window to end, whatever the account.
    let (source_failures, window_start) = credentials::throttle_state(&app.store, &source).await?;
    if !policy.source_allowed(source_failures, window_start, now) {
        return Ok(failed_page(
            StatusCode::TOO_MANY_REQUESTS,
            "login-throttled",
        ));
    }

    let state = credentials::login_state(&app.store, &email).await?;
    let state = state.filter(|s| s.person.disabled_at.is_none());
    // The password is checked even for an unknown or locked account, against a dummy hash
    // when there is none, so that the answer takes the same time in every case.
    let password: String = form.password.chars().take(1024).collect();
    let hash = state.as_ref().and_then(|s| s.password_hash.clone());
    let password_ok = app.hashing.verify(password, hash).await?;
    let locked = state
        .as_ref()
        .is_some_and(|s| policy.is_locked(s.locked_until, now));
    // A temporary password left unused past its days no longer opens the account: an
    // administrator issues a new one. Answered as any failed login.
    let stale_temporary = state.as_ref().is_some_and(|s| {
        s.person.must_change_password
            && app
                .config
                .password_policy
                .temporary_expired(s.password_changed_at.unwrap_or(s.person.created_at), now)
    });
    let password_ok = password_ok && !stale_temporary;

    let mut w = app
        .store
        .write(AuditContext {
            actor_id: state.as_ref().map(|s| s.person.id),
            actor_label: email.clone(),
            source: source.clone(),
        })
        .await?;
    match (&state, password_ok && !locked) {
        (Some(state), true) => {
            // The failure count is reset only once every step is done: a second factor
            // guessed after the right password counts toward the same lockout.
            let mfa_owed = state.totp_secret.is_some();
            if !mfa_owed {
                credentials::reset_failures(&mut w, state.person.id).await?;
            }
            w.commit().await?;
            // A password past the validity the organization set must be changed, as a
            // temporary one is (AUTH-02).
            let day = |micros: i64| micros / 86_400_000_000;
            let expired = state
                .password_changed_at
                .is_some_and(|at| app.config.password_policy.expired(day(at), day(now)));
            let stage = next_stage(SignInFacts {
                must_change_password: state.person.must_change_password || expired,
                mfa_enrolled: state.totp_secret.is_some(),
                mfa_required: mfa_required(&app, state.person.id).await?,
                mfa_done: false,
            });
            open_session(
                &app,
                &state.person,
                stage,
                &headers,
                None,
                &safe_next(form.next.as_deref()),
                "password",
            )
            .await
        }
        (Some(state), false) => {
            // Read again with the row locked: concurrent guesses count one by one.
            let (failures, locked_until) =
                credentials::failure_state(&mut w, state.person.id).await?;
            let locked = policy.is_locked(locked_until, now);
            let after = if locked {
                rempart_domain::lockout::AfterFailure {
                    failures,
                    locked_until,
                }
            } else {
                policy.after_failure(failures, locked_until, now)
            };
            credentials::record_failure(
                &mut w,
                &state.person,
                after.failures,
                after.locked_until,
                locked,
            )
            .await?;
            credentials::throttle_failure(&mut w, &source, policy.window_micros).await?;
            w.commit().await?;
            // The same answer for a wrong password and a locked account (AUTH-05).
            Ok(failed_page(StatusCode::UNAUTHORIZED, "login-failed"))
        }
        (None, _) => {
            w.audit(Change {
                org_id: None,
                action: "auth.login_failed",
                entity_type: "session",
                entity_id: String::new(),
                before: None,
                after: None,
            })
            .await?;
            credentials::throttle_failure(&mut w, &source, policy.window_micros).await?;
            w.commit().await?;
            Ok(failed_page(StatusCode::UNAUTHORIZED, "login-failed"))
        }
    }
}

pub async fn logout(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    sessions::revoke(&mut w, actor.session.id, actor.person.org_id).await?;
    w.commit().await?;
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&app, "", 0));
    Ok(response)
}

// ---------------------------------------------------------------- password

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    ctx: Ctx,
    forced: bool,
    min_length: usize,
    form: FormState,
}

async fn step_ctx(app: &AppState, actor: &Actor, current: &str) -> Result<Ctx, AppError> {
    if Stage::parse(&actor.session.stage) == Stage::Full {
        crate::ui::page_ctx(app, actor, current).await
    } else {
        // Before the steps are done, no navigation: there is nowhere else to go yet.
        let mut ctx = Ctx::anonymous(actor.language());
        ctx.user_name = Some(actor.person.name.clone());
        ctx.csrf = actor.session.csrf_token.clone();
        Ok(ctx)
    }
}

pub async fn password_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    let ctx = step_ctx(&app, &actor, "/profile").await?;
    Ok(render(
        StatusCode::OK,
        &PasswordPage {
            ctx,
            forced: Stage::parse(&actor.session.stage) == Stage::PasswordChange,
            min_length: app.config.password_policy.min_length,
            form: FormState::default(),
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirmation: String,
}

pub async fn password_change(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let stage = Stage::parse(&actor.session.stage);
    if !matches!(stage, Stage::Full | Stage::PasswordChange) {
        return Ok(Redirect::to(stage.path()).into_response());
    }
    let lang = actor.language();
    let mut errors = Vec::new();
    let current_hash = credentials::recent_password_hashes(&app.store, actor.person.id, 0)
        .await?
        .into_iter()
        .next();
    let current: String = form.current.chars().take(1024).collect();
    if !app.hashing.verify(current, current_hash).await? {
        errors.push(FieldError::new("current", "error-password-current"));
    }
    let policy = &app.config.password_policy;
    if let Err(e) = policy.check(
        "new_password",
        &form.new_password,
        &[&actor.person.email, &actor.person.name],
    ) {
        errors.push(e);
    } else if form.new_password != form.confirmation {
        errors.push(FieldError::new("confirmation", "error-password-mismatch"));
    } else {
        for old in
            credentials::recent_password_hashes(&app.store, actor.person.id, policy.history).await?
        {
            if app
                .hashing
                .verify(form.new_password.clone(), Some(old))
                .await?
            {
                errors.push(FieldError::with_limit(
                    "new_password",
                    "error-password-reused",
                    policy.history as u64,
                ));
                break;
            }
        }
    }
    if !errors.is_empty() {
        let ctx = step_ctx(&app, &actor, "/profile").await?;
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                ctx,
                forced: stage == Stage::PasswordChange,
                min_length: policy.min_length,
                form: FormState::default().with_errors(lang, &errors),
            },
        ));
    }
    let hash = app.hashing.hash(form.new_password.clone()).await?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    credentials::set_password(&mut w, actor.person.id, &hash, false).await?;
    // AUTH-06: a password change ends every other session of the person.
    sessions::revoke_all_for(
        &mut w,
        actor.person.id,
        actor.person.org_id,
        Some(actor.session.id),
        rempart_domain::authn::SessionEnd::PasswordChanged,
    )
    .await?;
    w.commit().await?;
    let mut response = advance(&app, &actor, &headers, false).await?;
    if stage == Stage::Full {
        response.headers_mut().insert(
            header::LOCATION,
            axum::http::HeaderValue::from_static("/profile?done=password"),
        );
    }
    Ok(response)
}

// ---------------------------------------------------------------- second factor

#[derive(Template)]
#[template(path = "mfa.html")]
struct MfaPage {
    ctx: Ctx,
    form: FormState,
}

pub async fn mfa_page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    if Stage::parse(&actor.session.stage) != Stage::Mfa {
        return Ok(Redirect::to("/").into_response());
    }
    let ctx = step_ctx(&app, &actor, "/").await?;
    Ok(render(
        StatusCode::OK,
        &MfaPage {
            ctx,
            form: FormState::default(),
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub current_password: String,
}

pub async fn mfa_verify(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    if Stage::parse(&actor.session.stage) != Stage::Mfa {
        return Ok(Redirect::to("/").into_response());
    }
    let person = &actor.person;
    let secret = credentials::totp_secret(&app.store, person.id).await?;
    let last_step: Option<i64> = sqlx::query("SELECT totp_last_step FROM persons WHERE id = $1")
        .bind(person.id)
        .fetch_one(app.store.pool())
        .await
        .map_err(StoreError::from)?
        .try_get("totp_last_step")
        .map_err(StoreError::from)?;
    let code: String = form.code.chars().take(64).collect();
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let mut accepted = false;
    let mut how = "totp";
    if let Some(secret) = &secret {
        let last = last_step.and_then(|s| u64::try_from(s).ok());
        if let Some(step) =
            mfa::check_code(secret, &person.email, mfa::unix_seconds(), last, &code)?
        {
            accepted = credentials::accept_totp_step(
                &mut w,
                person.id,
                i64::try_from(step).unwrap_or(i64::MAX),
            )
            .await?;
        }
    }
    if !accepted && code.chars().filter(char::is_ascii_alphanumeric).count() == 24 {
        accepted =
            credentials::use_recovery_code(&mut w, person.id, &mfa::recovery_hash(&code)).await?;
        how = "recovery_code";
    }
    if accepted {
        credentials::reset_failures(&mut w, person.id).await?;
        w.audit(Change {
            org_id: Some(person.org_id),
            action: "auth.mfa_success",
            entity_type: "person",
            entity_id: person.id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "method": how })),
        })
        .await?;
        w.commit().await?;
        return advance(&app, &actor, &headers, true).await;
    }
    // A wrong code counts toward the account's lockout, as a wrong password does.
    if count_failure(&app, &mut w, person, &headers, "auth.mfa_failed").await? {
        w.commit().await?;
        return Ok(signed_out(&app));
    }
    w.commit().await?;
    let ctx = step_ctx(&app, &actor, "/").await?;
    let form = FormState::default().with_errors(
        actor.language(),
        &[FieldError::new("code", "error-mfa-code")],
    );
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &MfaPage { ctx, form },
    ))
}

/// Counts a failed proof of identity by a signed-in person toward their lockout and their
/// address's throttle, audited as `action`. True when it locked the account, whose sessions
/// are then ended.
async fn count_failure(
    app: &AppState,
    w: &mut rempart_storage::WriteTx,
    person: &Person,
    headers: &HeaderMap,
    action: &'static str,
) -> Result<bool, AppError> {
    let (failures, locked_until) = credentials::failure_state(w, person.id).await?;
    let after = app
        .config
        .lockout
        .after_failure(failures, locked_until, w.now());
    credentials::record_failure(w, person, after.failures, after.locked_until, false).await?;
    credentials::throttle_failure(w, &source_of(headers), app.config.lockout.window_micros).await?;
    w.audit(Change {
        org_id: Some(person.org_id),
        action,
        entity_type: "person",
        entity_id: person.id.to_string(),
        before: None,
        after: None,
    })
    .await?;
    let locked = after.locked_until.is_some();
    if locked {
        sessions::revoke_all_for(
            w,
            person.id,
            person.org_id,
            None,
            rempart_domain::authn::SessionEnd::Locked,
        )
        .await?;
    }
    Ok(locked)
}

/// Back to the login page, the session cookie cleared.
fn signed_out(app: &AppState) -> Response {
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(app, "", 0));
    response
}

// ---------------------------------------------------------------- re-authentication

/// How long after proving every factor a person may make a sensitive change (a second factor,
/// recovery codes, an API token) without proving them again (ASVS 7.5.1). Every completed
/// step opens a new session, so the session's creation is the time of the last proof.
pub const REAUTH_WINDOW_MICROS: i64 = 10 * 60 * 1_000_000;

/// Whether a sensitive change now needs the factors proven again.
pub fn reauth_needed(actor: &Actor) -> bool {
    now_micros().saturating_sub(actor.session.created_at) > REAUTH_WINDOW_MICROS
}

/// What a form for a sensitive change carries when the sign-in is no longer recent.
#[derive(Debug, Deserialize, Default)]
pub struct Reauth {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub current_code: String,
}

/// Whether it is still the person: a recent sign-in, or their password and, when enrolled,
/// a code from their second factor. A wrong answer counts toward the lockout; `Err` carries
/// the response to give (the field at fault, or the login page once locked).
async fn confirm_identity(
    app: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    reauth: &Reauth,
) -> Result<Result<(), Response>, AppError> {
    if !reauth_needed(actor) {
        return Ok(Ok(()));
    }
    let person = &actor.person;
    let hash = credentials::recent_password_hashes(&app.store, person.id, 0)
        .await?
        .into_iter()
        .next();
    let password: String = reauth.current_password.chars().take(1024).collect();
    let password_ok = app.hashing.verify(password, hash).await?;
    let secret = credentials::totp_secret(&app.store, person.id).await?;
    let mut w = app.store.write(audit_context(actor, headers)).await?;
    let code_ok = match &secret {
        None => true,
        Some(secret) => {
            let last: Option<i64> = sqlx::query("SELECT totp_last_step FROM persons WHERE id = $1")
                .bind(person.id)
                .fetch_one(w.conn())
                .await
                .map_err(StoreError::from)?
                .try_get("totp_last_step")
                .map_err(StoreError::from)?;
            let code: String = reauth.current_code.chars().take(64).collect();
            match mfa::check_code(
                secret,
                &person.email,
                mfa::unix_seconds(),
                last.and_then(|s| u64::try_from(s).ok()),
                &code,
            )? {
                // Only a correct password spends the code: a guess at the code alone
                // must not burn the person's next valid one.
                Some(step) if password_ok => {
                    credentials::accept_totp_step(
                        &mut w,
                        person.id,
                        i64::try_from(step).unwrap_or(i64::MAX),
                    )
                    .await?
                }
                _ => false,
            }
        }
    };
    if password_ok && code_ok {
        credentials::reset_failures(&mut w, person.id).await?;
        w.audit(Change {
            org_id: Some(person.org_id),
            action: "auth.reauth",
            entity_type: "person",
            entity_id: person.id.to_string(),
            before: None,
            after: None,
        })
        .await?;
        w.commit().await?;
        return Ok(Ok(()));
    }
    if count_failure(app, &mut w, person, headers, "auth.reauth_failed").await? {
        w.commit().await?;
        return Ok(Err(signed_out(app)));
    }
    w.commit().await?;
    let field = if password_ok {
        "current_code"
    } else {
        "current_password"
    };
    Ok(Err(AppError::Invalid(vec![FieldError::new(
        field,
        "error-reauth",
    )])
    .into_response()))
}

#[derive(Template)]
#[template(path = "mfa_enrol.html")]
struct EnrolPage {
    ctx: Ctx,
    qr: String,
    secret: String,
    forced: bool,
    /// A voluntary enrolment long after signing in asks for the password again.
    reauth: bool,
    form: FormState,
}

/// The secret grouped by four for reading aloud or typing.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn enrol_page(
    app: &AppState,
    actor: &Actor,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let secret = match &actor.session.pending_totp_secret {
        Some(s) => s.clone(),
        None => {
            let s = mfa::new_secret();
            sessions::set_pending_totp(&app.store, actor.session.id, Some(&s)).await?;
            s
        }
    };
    let url = mfa::provisioning_url(&secret, &actor.person.email)?;
    let ctx = step_ctx(app, actor, "/profile").await?;
    Ok(render(
        status,
        &EnrolPage {
            ctx,
            qr: mfa::qr_svg(&url)?,
            secret: grouped(&secret),
            forced: Stage::parse(&actor.session.stage) == Stage::MfaEnrol,
            reauth: Stage::parse(&actor.session.stage) == Stage::Full && reauth_needed(actor),
            form,
        },
    ))
}

pub async fn enrol_show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    match Stage::parse(&actor.session.stage) {
        Stage::MfaEnrol | Stage::Full => {}
        other => return Ok(Redirect::to(other.path()).into_response()),
    }
    if credentials::totp_secret(&app.store, actor.person.id)
        .await?
        .is_some()
    {
        return Ok(Redirect::to("/profile").into_response());
    }
    enrol_page(&app, &actor, FormState::default(), StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryPage {
    ctx: Ctx,
    codes: Vec<String>,
    continue_to: String,
}

pub async fn enrol_confirm(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    match Stage::parse(&actor.session.stage) {
        Stage::MfaEnrol | Stage::Full => {}
        other => return Ok(Redirect::to(other.path()).into_response()),
    }
    if credentials::totp_secret(&app.store, actor.person.id)
        .await?
        .is_some()
    {
        return Ok(Redirect::to("/profile").into_response());
    }
    let Some(secret) = actor.session.pending_totp_secret.clone() else {
        return Ok(Redirect::to("/mfa/enrol").into_response());
    };
    if Stage::parse(&actor.session.stage) == Stage::Full {
        let reauth = Reauth {
            current_password: form.current_password.clone(),
            current_code: String::new(),
        };
        if let Err(response) = confirm_identity(&app, &actor, &headers, &reauth).await? {
            return Ok(response);
        }
    }
    let step = mfa::check_code(
        &secret,
        &actor.person.email,
        mfa::unix_seconds(),
        None,
        &form.code.chars().take(64).collect::<String>(),
    )?;
    let Some(step) = step else {
        let form = FormState::default().with_errors(
            actor.language(),
            &[FieldError::new("code", "error-mfa-code")],
        );
        return enrol_page(&app, &actor, form, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let codes = mfa::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|(_, h)| h.clone()).collect();
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    credentials::set_totp(&mut w, actor.person.id, Some(&secret)).await?;
    credentials::accept_totp_step(
        &mut w,
        actor.person.id,
        i64::try_from(step).unwrap_or(i64::MAX),
    )
    .await?;
    credentials::replace_recovery_codes(&mut w, actor.person.id, &hashes).await?;
    w.commit().await?;
    let next = advance(&app, &actor, &headers, true).await?;
    // The codes are shown once, on the page the new session opens with.
    let continue_to = next
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("/")
        .to_owned();
    // The page belongs to the new session, whose token this request does not hold: no banner
    // form (logout) that would post a stale token.
    let ctx = Ctx::anonymous(actor.language());
    let mut page = render(
        StatusCode::OK,
        &RecoveryPage {
            ctx,
            codes: codes.into_iter().map(|(c, _)| c).collect(),
            continue_to,
        },
    );
    if let Some(cookie) = next.headers().get(header::SET_COOKIE) {
        page.headers_mut()
            .insert(header::SET_COOKIE, cookie.clone());
    }
    Ok(page)
}

pub async fn recovery_regenerate(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(reauth): Form<Reauth>,
) -> Result<Response, AppError> {
    if credentials::totp_secret(&app.store, actor.person.id)
        .await?
        .is_none()
    {
        return Ok(Redirect::to("/mfa/enrol").into_response());
    }
    if let Err(response) = confirm_identity(&app, &actor, &headers, &reauth).await? {
        return Ok(response);
    }
    let codes = mfa::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|(_, h)| h.clone()).collect();
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    credentials::replace_recovery_codes(&mut w, actor.person.id, &hashes).await?;
    w.audit(Change {
        org_id: Some(actor.person.org_id),
        action: "mfa.recovery_codes",
        entity_type: "person",
        entity_id: actor.person.id.to_string(),
        before: None,
        after: None,
    })
    .await?;
    w.commit().await?;
    let ctx = crate::ui::page_ctx(&app, &actor, "/profile").await?;
    Ok(render(
        StatusCode::OK,
        &RecoveryPage {
            ctx,
            codes: codes.into_iter().map(|(c, _)| c).collect(),
            continue_to: "/profile".to_owned(),
        },
    ))
}

// ---------------------------------------------------------------- own sessions

pub struct SessionRow {
    pub info: SessionInfo,
    pub current: bool,
}

pub async fn own_sessions(app: &AppState, actor: &Actor) -> Result<Vec<SessionRow>, AppError> {
    Ok(
        sessions::list_for(&app.store, actor.person.id, now_micros())
            .await?
            .into_iter()
            .map(|info| SessionRow {
                current: info.id == actor.session.id,
                info,
            })
            .collect(),
    )
}

pub async fn session_revoke(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    sessions::revoke_own(&mut w, actor.person.id, actor.person.org_id, id).await?;
    w.commit().await?;
    Ok(Redirect::to("/profile?done=session").into_response())
}

// ---------------------------------------------------------------- personal API tokens

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub lifetime: String,
    /// One checkbox per module, named `module-<name>`: none ticked means every module;
    /// and `current_password`, `current_code` when the sign-in is no longer recent.
    #[serde(flatten)]
    pub rest: std::collections::HashMap<String, String>,
}

#[derive(Template)]
#[template(path = "token_created.html")]
struct TokenCreatedPage {
    ctx: Ctx,
    token: String,
}

/// A new personal API token, shown once. Only from a browser session: a token cannot mint
/// tokens.
pub async fn token_create(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let mut errors = rempart_domain::ValidationErrors::default();
    let name = errors.take(rempart_domain::validation::required_text(
        "name", &form.name, 100,
    ));
    let modules: Vec<String> = form
        .rest
        .keys()
        .filter_map(|k| k.strip_prefix("module-"))
        .map(str::to_owned)
        .collect();
    let scope = errors.take(rempart_domain::token::TokenScope::parse(
        "scope",
        &form.scope,
        "modules",
        &modules,
    ));
    let lifetime = errors.take(rempart_domain::token::parse_lifetime(
        "lifetime",
        &form.lifetime,
    ));
    let (Some(name), Some(scope), Some(lifetime)) = (name, scope, lifetime) else {
        return Err(AppError::Invalid(errors.0));
    };
    let field = |name: &str| form.rest.get(name).cloned().unwrap_or_default();
    let reauth = Reauth {
        current_password: field("current_password"),
        current_code: field("current_code"),
    };
    if let Err(response) = confirm_identity(&app, &actor, &headers, &reauth).await? {
        return Ok(response);
    }
    let token = format!("rmp_{}", random_token(32));
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let expires_at = w.now().saturating_add(lifetime);
    rempart_storage::tokens::create(
        &mut w,
        rempart_storage::tokens::NewToken {
            token: &token,
            person_id: actor.person.id,
            person_org_id: actor.person.org_id,
            name: &name,
            scope: &scope.to_stored(),
            expires_at,
        },
    )
    .await?;
    w.commit().await?;
    let ctx = crate::ui::page_ctx(&app, &actor, "/profile").await?;
    Ok(render(
        StatusCode::CREATED,
        &TokenCreatedPage { ctx, token },
    ))
}

pub async fn token_revoke(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    rempart_storage::tokens::revoke(&mut w, actor.person.id, actor.person.org_id, id).await?;
    w.commit().await?;
    Ok(Redirect::to("/profile?done=token").into_response())
}

// ---------------------------------------------------------------- single sign-on links

/// Removes one of the person's own links to the single sign-on provider: the next sign-in
/// by the provider links again only from a verified e-mail of this account.
pub async fn sso_unlink(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    rempart_storage::sso::unlink_own(&mut w, &actor.person, id).await?;
    w.commit().await?;
    Ok(Redirect::to("/profile?done=sso").into_response())
}
