//! The JSON API under `/api/v1` (PLAT-07). Same scope rules as the pages; one error body;
//! every list takes `limit`, `offset`, `sort`, `order` and its own filters. The OpenAPI 3.1
//! document is generated from these handlers' annotations.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use rempart_domain::authz::Permission;
use rempart_domain::org::OrgKind;
use rempart_domain::role::Role;
use rempart_domain::FieldError;
use rempart_storage::audit::{self, AuditFilter, AuditSort, StoredEntry};
use rempart_storage::grants::{self, Grant, GrantFilter, GrantSort};
use rempart_storage::list::{Page, PageRequest, MAX_LIMIT};
use rempart_storage::orgs::{self, NewOrganization, OrgFilter, OrgSort, Organization};
use rempart_storage::persons::{self, NewPerson, Person, PersonFilter, PersonSort};
use rempart_storage::scope::Scope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth::{temporary_password, Actor};
use crate::error::{AppError, ErrorBody, Json, Path, Query};
use crate::ui::audit_context;
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationOut {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// `government_centre`, `operational_centre`, `public_body` or `unit`.
    pub kind: String,
    pub parent_id: Option<i64>,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl From<Organization> for OrganizationOut {
    fn from(o: Organization) -> Self {
        Self {
            id: o.id,
            slug: o.slug,
            name: o.name,
            kind: o.kind.as_str().to_owned(),
            parent_id: o.parent_id,
            archived: o.archived_at.is_some(),
            created_at: crate::time::iso(o.created_at),
            updated_at: crate::time::iso(o.updated_at),
            version: o.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub name: String,
    pub language: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: String,
}

impl From<Person> for PersonOut {
    fn from(p: Person) -> Self {
        Self {
            id: p.id,
            org_id: p.org_id,
            email: p.email,
            name: p.name,
            language: p.language.code().to_owned(),
            must_change_password: p.must_change_password,
            disabled: p.disabled_at.is_some(),
            created_at: crate::time::iso(p.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonCreated {
    pub person: PersonOut,
    /// Shown once; the person must change it at first login.
    pub temporary_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantOut {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub role: String,
    pub created_at: String,
}

impl From<Grant> for GrantOut {
    fn from(g: Grant) -> Self {
        Self {
            id: g.id,
            person_id: g.person_id,
            person_name: g.person_name,
            org_id: g.org_id,
            org_name: g.org_name,
            role: g.role.as_str().to_owned(),
            created_at: crate::time::iso(g.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub source: String,
    pub org_id: Option<i64>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub hash: String,
}

impl From<StoredEntry> for AuditEntryOut {
    fn from(s: StoredEntry) -> Self {
        let parse = |t: Option<String>| {
            t.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)))
        };
        Self {
            seq: s.entry.seq,
            at: crate::time::iso(s.entry.at_micros),
            actor_id: s.entry.actor_id,
            actor_label: s.entry.actor_label,
            source: s.entry.source,
            org_id: s.entry.org_id,
            action: s.entry.action,
            entity_type: s.entry.entity_type,
            entity_id: s.entry.entity_id,
            before: parse(s.entry.before),
            after: parse(s.entry.after),
            hash: s.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageOut<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

pub(crate) fn page_out<T, U: From<T>>(page: Page<T>) -> PageOut<U> {
    PageOut {
        items: page.items.into_iter().map(U::from).collect(),
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    }
}

/// Validates paging parameters and the sort key, naming the field at fault.
/// A list's page and nothing else to filter by: `limit` and `offset`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitOffset {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub(crate) fn paging<S: Default>(
    limit: Option<i64>,
    offset: Option<i64>,
    sort: Option<&str>,
    order: Option<&str>,
    parse: fn(&str) -> Option<S>,
) -> Result<PageRequest<S>, AppError> {
    let mut errors = Vec::new();
    let limit = limit.unwrap_or(rempart_storage::list::DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.push(FieldError::with_limit(
            "limit",
            "error-choice",
            MAX_LIMIT as u64,
        ));
    }
    let offset = offset.unwrap_or(0);
    if !(0..=1_000_000_000).contains(&offset) {
        errors.push(FieldError::new("offset", "error-choice"));
    }
    let sort = match sort {
        None | Some("") => S::default(),
        Some(s) => parse(s).unwrap_or_else(|| {
            errors.push(FieldError::new("sort", "error-choice"));
            S::default()
        }),
    };
    let descending = match order {
        None | Some("") | Some("asc") => false,
        Some("desc") => true,
        Some(_) => {
            errors.push(FieldError::new("order", "error-choice"));
            false
        }
    };
    if errors.is_empty() {
        Ok(PageRequest {
            limit,
            offset,
            sort,
            descending,
        })
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// An optional filter chosen from a closed list: absent or empty means no filter; anything
/// else must parse, or the field is named.
pub(crate) fn optional_choice<T>(
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    match value {
        None | Some("") => Ok(None),
        Some(v) => parse(v)
            .map(Some)
            .ok_or_else(|| AppError::Invalid(vec![FieldError::new(field, "error-choice")])),
    }
}

// ------------------------------------------------------------ organizations

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgListParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `name`, `slug`, `kind` or `created_at`.
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub order: Option<String>,
    /// Text in the name or slug.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub parent_id: Option<i64>,
    /// Only this organization and its subtree.
    pub within: Option<i64>,
    pub include_archived: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/organizations", params(OrgListParams), tag = "organizations",
    responses((status = 200, body = PageOut<OrganizationOut>), (status = 422, body = ErrorBody)))]
pub async fn list_orgs(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<OrgListParams>,
) -> Result<Response, AppError> {
    let page = paging(
        p.limit,
        p.offset,
        p.sort.as_deref(),
        p.order.as_deref(),
        OrgSort::parse,
    )?;
    let kind = optional_choice("kind", p.kind.as_deref(), OrgKind::parse)?;
    let filter = OrgFilter {
        text: p.q,
        kind,
        parent_id: p.parent_id,
        within: p.within,
        include_archived: p.include_archived.unwrap_or(false),
    };
    let result = orgs::list(
        &app.store,
        Scope::new(actor.person.id, Permission::OrgRead),
        &filter,
        &page,
    )
    .await?;
    Ok(Json(page_out::<_, OrganizationOut>(result)).into_response())
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "organizations",
    responses((status = 200, body = OrganizationOut), (status = 404, body = ErrorBody)))]
pub async fn get_org(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<OrganizationOut>, AppError> {
    Ok(Json(
        orgs::get(
            &app.store,
            Scope::new(actor.person.id, Permission::OrgRead),
            id,
        )
        .await?
        .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationIn {
    pub name: String,
    pub slug: Option<String>,
    pub kind: String,
    pub parent_id: i64,
}

#[utoipa::path(post, path = "/api/v1/organizations", request_body = OrganizationIn, tag = "organizations",
    responses((status = 201, body = OrganizationOut), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_org(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<OrganizationIn>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let org = orgs::create(
        &mut w,
        Scope::new(actor.person.id, Permission::OrgManage),
        &NewOrganization {
            name: input.name,
            slug: input.slug,
            kind: input.kind,
            parent_id: Some(input.parent_id),
        },
    )
    .await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(OrganizationOut::from(org))).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    /// Moves the organization under this parent.
    pub parent_id: Option<i64>,
    /// `true` archives the organization.
    pub archived: Option<bool>,
    /// The version read; a change made since is refused with 409.
    pub version: Option<i64>,
}

#[utoipa::path(patch, path = "/api/v1/organizations/{id}", request_body = OrganizationPatch, tag = "organizations",
    responses((status = 200, body = OrganizationOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_org(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(patch): Json<OrganizationPatch>,
) -> Result<Json<OrganizationOut>, AppError> {
    let scope = Scope::new(actor.person.id, Permission::OrgManage);
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let mut version = patch.version;
    let mut org = orgs::get(&app.store, scope, id).await?;
    if let Some(name) = &patch.name {
        org = orgs::rename(&mut w, scope, id, name, version).await?;
        version = Some(org.version);
    }
    if let Some(parent) = patch.parent_id {
        org = orgs::move_to(&mut w, scope, id, Some(parent), version).await?;
        version = Some(org.version);
    }
    if patch.archived == Some(true) {
        org = orgs::archive(&mut w, scope, id, version).await?;
    }
    w.commit().await?;
    Ok(Json(org.into()))
}

// ------------------------------------------------------------ people

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonListParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `name`, `email` or `created_at`.
    pub sort: Option<String>,
    pub order: Option<String>,
    pub q: Option<String>,
    pub org_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/people", params(PersonListParams), tag = "people",
    responses((status = 200, body = PageOut<PersonOut>), (status = 422, body = ErrorBody)))]
pub async fn list_people(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<PersonListParams>,
) -> Result<Response, AppError> {
    let page = paging(
        p.limit,
        p.offset,
        p.sort.as_deref(),
        p.order.as_deref(),
        PersonSort::parse,
    )?;
    let result = persons::list(
        &app.store,
        Scope::new(actor.person.id, Permission::PersonRead),
        &PersonFilter {
            text: p.q,
            org_id: p.org_id,
        },
        &page,
    )
    .await?;
    Ok(Json(page_out::<_, PersonOut>(result)).into_response())
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people",
    responses((status = 200, body = PersonOut), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Json<PersonOut>, AppError> {
    Ok(Json(
        persons::get(
            &app.store,
            Scope::new(actor.person.id, Permission::PersonRead),
            id,
        )
        .await?
        .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonIn {
    pub email: String,
    pub name: String,
    pub org_id: i64,
    /// `fr` (default) or `en`.
    pub language: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/people", request_body = PersonIn, tag = "people",
    responses((status = 201, body = PersonCreated), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<PersonIn>,
) -> Result<Response, AppError> {
    let password = temporary_password();
    let hash = app.hashing.hash(password.clone()).await?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let person = persons::create(
        &mut w,
        Scope::new(actor.person.id, Permission::PersonManage),
        &NewPerson {
            email: input.email,
            name: input.name,
            org_id: Some(input.org_id),
            language: input.language,
        },
        &hash,
        true,
    )
    .await?;
    w.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(PersonCreated {
            person: person.into(),
            temporary_password: password,
        }),
    )
        .into_response())
}

/// Loads a person the caller manages, for an administrator's action on their account.
/// Never one's own account (a stolen session or token must not reset its owner's password
/// or second factor), never one more privileged than the caller's.
async fn managed_person(app: &AppState, actor: &Actor, id: i64) -> Result<Person, AppError> {
    let person = persons::get(
        &app.store,
        Scope::new(actor.person.id, Permission::PersonManage),
        id,
    )
    .await?;
    if person.id == actor.person.id {
        return Err(AppError::Invalid(vec![rempart_domain::FieldError::new(
            "id",
            "error-self-administer",
        )]));
    }
    let target_roles: Vec<_> = grants::scopes_of(&app.store, person.id)
        .await?
        .into_iter()
        .map(|g| g.role)
        .collect();
    let actor_roles: Vec<_> = actor.grants.iter().map(|g| g.role).collect();
    if !rempart_domain::authz::may_administer(&actor_roles, &target_roles) {
        return Err(AppError::Forbidden);
    }
    Ok(person)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionsRevoked {
    pub sessions: u64,
}

#[utoipa::path(post, path = "/api/v1/people/{id}/sessions/revoke", tag = "people",
    responses((status = 200, body = SessionsRevoked), (status = 404, body = ErrorBody)))]
pub async fn revoke_person_sessions(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<SessionsRevoked>, AppError> {
    let person = managed_person(&app, &actor, id).await?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let n = rempart_storage::sessions::revoke_all_for(
        &mut w,
        person.id,
        person.org_id,
        None,
        rempart_domain::authn::SessionEnd::Administrator,
    )
    .await?;
    w.commit().await?;
    Ok(Json(SessionsRevoked { sessions: n }))
}

#[utoipa::path(post, path = "/api/v1/people/{id}/mfa/reset", tag = "people",
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn reset_person_mfa(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let person = managed_person(&app, &actor, id).await?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    rempart_storage::credentials::set_totp(&mut w, person.id, None).await?;
    rempart_storage::sessions::revoke_all_for(
        &mut w,
        person.id,
        person.org_id,
        None,
        rempart_domain::authn::SessionEnd::MfaReset,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountState {
    /// `true` disables the account (its sessions end); `false` enables it again.
    pub disabled: bool,
}

#[utoipa::path(post, path = "/api/v1/people/{id}/disabled", request_body = AccountState, tag = "people",
    responses((status = 200, body = PersonOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_person_disabled(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(input): Json<AccountState>,
) -> Result<Json<PersonOut>, AppError> {
    let person = managed_person(&app, &actor, id).await?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    persons::set_disabled(&mut w, &person, input.disabled).await?;
    if input.disabled {
        rempart_storage::sessions::revoke_all_for(
            &mut w,
            person.id,
            person.org_id,
            None,
            rempart_domain::authn::SessionEnd::AccountDisabled,
        )
        .await?;
    }
    w.commit().await?;
    Ok(Json(
        persons::get(
            &app.store,
            Scope::new(actor.person.id, Permission::PersonRead),
            id,
        )
        .await?
        .into(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    /// Shown once; the person must change it at their next login.
    pub temporary_password: String,
}

#[utoipa::path(post, path = "/api/v1/people/{id}/password/reset", tag = "people",
    responses((status = 200, body = PasswordReset), (status = 404, body = ErrorBody)))]
pub async fn reset_person_password(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<PasswordReset>, AppError> {
    let person = managed_person(&app, &actor, id).await?;
    let password = temporary_password();
    let hash = app.hashing.hash(password.clone()).await?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    rempart_storage::credentials::set_password(&mut w, person.id, &hash, true).await?;
    rempart_storage::sessions::revoke_all_for(
        &mut w,
        person.id,
        person.org_id,
        None,
        rempart_domain::authn::SessionEnd::PasswordReset,
    )
    .await?;
    w.commit().await?;
    Ok(Json(PasswordReset {
        temporary_password: password,
    }))
}

// ------------------------------------------------------------ grants

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantListParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `person`, `organization`, `role` or `created_at`.
    pub sort: Option<String>,
    pub order: Option<String>,
    pub person_id: Option<i64>,
    pub org_id: Option<i64>,
    pub role: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/grants", params(GrantListParams), tag = "grants",
    responses((status = 200, body = PageOut<GrantOut>), (status = 422, body = ErrorBody)))]
pub async fn list_grants(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<GrantListParams>,
) -> Result<Response, AppError> {
    let page = paging(
        p.limit,
        p.offset,
        p.sort.as_deref(),
        p.order.as_deref(),
        GrantSort::parse,
    )?;
    let role = optional_choice("role", p.role.as_deref(), Role::parse)?;
    let result = grants::list(
        &app.store,
        Scope::new(actor.person.id, Permission::GrantRead),
        &GrantFilter {
            person_id: p.person_id,
            org_id: p.org_id,
            role,
        },
        &page,
    )
    .await?;
    Ok(Json(page_out::<_, GrantOut>(result)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantIn {
    pub person_id: i64,
    pub org_id: i64,
    pub role: String,
    /// The reference of the act of designation, for the authority register.
    #[serde(default)]
    pub act_reference: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub valid_until: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/grants", request_body = GrantIn, tag = "grants",
    responses((status = 201, body = GrantOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_grant(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Json(input): Json<GrantIn>,
) -> Result<Response, AppError> {
    let act = crate::ui::designation_act(
        &input.act_reference,
        input.valid_from.as_deref().unwrap_or(""),
        input.valid_until.as_deref().unwrap_or(""),
    )?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    let grant = grants::create_designated(
        &mut w,
        Scope::new(actor.person.id, Permission::GrantManage),
        Some(input.person_id),
        Some(input.org_id),
        &input.role,
        act,
    )
    .await?;
    w.commit().await?;
    Ok((StatusCode::CREATED, Json(GrantOut::from(grant))).into_response())
}

#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "grants",
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_grant(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    grants::revoke(
        &mut w,
        Scope::new(actor.person.id, Permission::GrantManage),
        id,
    )
    .await?;
    w.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------ audit

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditListParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `asc` (oldest first) or `desc`.
    pub order: Option<String>,
    /// Action prefix, such as `organization.`.
    pub action: Option<String>,
    /// Text in the actor's label.
    pub actor: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub org_id: Option<i64>,
    /// From this day (YYYY-MM-DD, Québec time).
    pub from: Option<String>,
    /// Up to and including this day.
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/audit", params(AuditListParams), tag = "audit",
    responses((status = 200, body = PageOut<AuditEntryOut>), (status = 422, body = ErrorBody)))]
pub async fn list_audit(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<AuditListParams>,
) -> Result<Response, AppError> {
    let page = paging::<AuditSort>(p.limit, p.offset, None, p.order.as_deref(), |_| None)?;
    let params = crate::ui::AuditParams {
        action: p.action.unwrap_or_default(),
        actor: p.actor.unwrap_or_default(),
        from: p.from.unwrap_or_default(),
        to: p.to.unwrap_or_default(),
        offset: None,
    };
    let mut filter: AuditFilter = crate::ui::audit_filter(&params).map_err(AppError::Invalid)?;
    filter.entity_type = p.entity_type;
    filter.entity_id = p.entity_id;
    filter.org_id = p.org_id;
    let result = audit::search(
        &app.store,
        Scope::new(actor.person.id, Permission::AuditRead),
        &filter,
        &page,
    )
    .await?;
    Ok(Json(page_out::<_, AuditEntryOut>(result)).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationOut {
    pub intact: bool,
    pub checked: u64,
    pub head_seq: i64,
    pub head_hash: String,
    /// The first bad entry's expected sequence number, when the chain is broken.
    pub first_bad_seq: Option<i64>,
    pub fault: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = VerificationOut)))]
pub async fn verify_audit(State(app): State<AppState>) -> Result<Json<VerificationOut>, AppError> {
    let v = audit::verify(&app.store, &[]).await?;
    Ok(Json(VerificationOut {
        intact: v.is_intact(),
        checked: v.checked,
        head_seq: v.head.seq,
        head_hash: v.head.hash.clone(),
        first_bad_seq: v.first_bad.map(|b| b.expected_seq),
        fault: v.first_bad.map(|b| b.fault.code().to_owned()),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    pub person: PersonOut,
    pub csrf_token: String,
    pub roles: Vec<RoleOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleOut {
    pub role: String,
    pub org_id: i64,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "people", responses((status = 200, body = MeOut)))]
pub async fn me(Extension(actor): Extension<Actor>) -> Json<MeOut> {
    Json(MeOut {
        roles: actor
            .grants
            .iter()
            .map(|g| RoleOut {
                role: g.role.as_str().to_owned(),
                org_id: g.org.0,
            })
            .collect(),
        csrf_token: actor.session.csrf_token.clone(),
        person: actor.person.clone().into(),
    })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rempart API",
        description = "Gouvernance de la sécurité de l'information — API JSON. State-changing calls carry the session's token in X-CSRF-Token."
    ),
    paths(
        list_orgs,
        get_org,
        create_org,
        patch_org,
        list_people,
        get_person,
        create_person,
        revoke_person_sessions,
        reset_person_mfa,
        reset_person_password,
        set_person_disabled,
        list_grants,
        create_grant,
        delete_grant,
        list_audit,
        verify_audit,
        me,
        crate::assets_api::list_assets,
        crate::assets_api::create_asset,
        crate::assets_api::consolidated,
        crate::assets_api::get_asset,
        crate::assets_api::replace_asset,
        crate::assets_api::archive_asset,
        crate::assets_api::add_dependency,
        crate::assets_api::remove_dependency,
        crate::assets_api::classify_asset,
        crate::assets_api::list_classifications,
        crate::assets_api::get_scale,
        crate::assets_api::set_scale,
        crate::assets_api::get_register,
        crate::risks_api::get_method,
        crate::risks_api::set_method,
        crate::risks_api::record_legal_change,
        crate::risks_api::list_risks,
        crate::risks_api::create_risk,
        crate::risks_api::heat_map,
        crate::risks_api::get_risk,
        crate::risks_api::replace_risk,
        crate::risks_api::propose_risk,
        crate::risks_api::approve_risk,
        crate::risks_api::flag_risk,
        crate::controls_api::list_catalogs,
        crate::controls_api::import_catalog,
        crate::controls_api::list_controls,
        crate::controls_api::set_status,
        crate::indicators_api::get_indicators,
        crate::indicators_api::list_projects,
        crate::indicators_api::create_project,
        crate::indicators_api::link_risk,
        crate::poam::export,
        crate::controls_api::asset_controls,
        crate::controls_api::link_asset_control,
        crate::controls_api::unlink_asset_control,
        crate::gmvi_api::report_event,
        crate::gmvi_api::list_events,
        crate::gmvi_api::my_events,
        crate::gmvi_api::get_event,
        crate::gmvi_api::triage_event,
        crate::gmvi_api::list_incidents,
        crate::gmvi_api::open_incident,
        crate::gmvi_api::get_incident,
        crate::gmvi_api::update_incident,
        crate::gmvi_api::incident_timeline,
        crate::gmvi_api::add_entry,
        crate::gmvi_api::set_asset,
        crate::gmvi_api::remove_asset,
        crate::gmvi_api::set_role,
        crate::gmvi_api::add_task,
        crate::gmvi_api::set_task_status,
        crate::gmvi_api::transition,
        crate::gmvi_api::incident_notices,
        crate::gmvi_api::list_evidence,
        crate::gmvi_api::upload_evidence,
        crate::gmvi_api::download_evidence,
        crate::gmvi_api::my_notices,
        crate::gmvi_api::acknowledge,
        crate::gmvi_api::my_inbox,
        crate::gmvi_api::read_notification,
        crate::gmvi_api::get_rules,
        crate::gmvi_api::set_rules,
        crate::gmvi_api::list_alerts,
        crate::gmvi_api::issue_alert,
        crate::gmvi_api::get_alert,
        crate::gmvi_api::alert_board,
        crate::gmvi_api::respond_alert,
        crate::gmvi_api::withdraw_alert,
        crate::gmvi_api::export_stix,
        crate::gmvi_api::import_stix,
        crate::vulns_api::list_vulnerabilities,
        crate::vulns_api::get_vulnerability,
        crate::vulns_api::list_imports,
        crate::vulns_api::import_scan,
        crate::vulns_api::unmatched_hosts,
        crate::vulns_api::attach_host,
        crate::days_off_api::list,
        crate::days_off_api::replace,
        crate::access_requests_api::list,
        crate::access_requests_api::indicators,
        crate::access_requests_api::show,
        crate::access_requests_api::create,
        crate::access_requests_api::step,
        crate::access_requests_api::assign,
        crate::access_requests_api::letter_pdf,
        crate::access_requests_api::provisions,
        crate::access_requests_api::replace_provisions,
        crate::confidentiality_api::list,
        crate::confidentiality_api::show,
        crate::confidentiality_api::create,
        crate::confidentiality_api::update,
        crate::confidentiality_api::notice,
        crate::confidentiality_api::remove,
        crate::confidentiality_api::commission_notice_pdf,
        crate::confidentiality_api::persons_notice_pdf,
        crate::access_request_documents::api_list,
        crate::access_request_documents::api_add,
        crate::access_request_documents::api_redacted,
        crate::access_request_documents::api_remove,
        crate::access_request_documents::api_download,
        crate::complaints::api_submit,
        crate::complaints::api_follow,
        crate::complaints::api_record,
        crate::complaints::api_list,
        crate::complaints::api_get,
        crate::complaints::api_step,
        crate::privacy_assessments::api_list,
        crate::privacy_assessments::api_create,
        crate::privacy_assessments::api_needed,
        crate::privacy_assessments::api_get,
        crate::privacy_assessments::api_sections,
        crate::privacy_assessments::api_opinion,
        crate::privacy_assessments::api_decision,
        crate::privacy_assessments::api_link_risk,
        crate::privacy_assessments::api_link_control,
        crate::privacy_assessments::api_unlink_risk,
        crate::privacy_assessments::api_unlink_control,
        crate::personal_info_files::api_list,
        crate::personal_info_files::api_create,
        crate::personal_info_files::api_get,
        crate::personal_info_files::api_update,
        crate::personal_info_files::api_dispose,
        crate::personal_info_files::api_communications,
        crate::personal_info_files::api_record_communication,
        crate::vulns_api::score_vectors,
        crate::vulns_api::change_status,
        crate::vulns_api::get_policy,
        crate::vulns_api::set_policy,
        crate::advisories_api::list_advisories,
        crate::advisories_api::get_advisory,
        crate::advisories_api::record_advisory,
        crate::advisories_api::import_csaf,
        crate::disclosure::api_submit,
        crate::disclosure::api_follow,
        crate::disclosure::api_staff_get
    ),
    components(schemas(ErrorBody, crate::error::FieldMessage))
)]
pub struct ApiDoc;

pub async fn openapi() -> Response {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(json) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            json,
        )
            .into_response(),
        Err(e) => AppError::internal(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The API contract is snapshotted, so that any change to it shows as a diff in review.
    /// Run with REMPART_UPDATE_SNAPSHOTS=1 to accept a deliberate change.
    // REQ PLAT-07
    #[test]
    fn the_openapi_document_matches_its_snapshot() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.snapshot.json");
        let current = ApiDoc::openapi().to_pretty_json().unwrap() + "\n";
        if std::env::var("REMPART_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
            std::fs::write(path, &current).unwrap();
        }
        let saved = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            saved == current,
            "the OpenAPI document changed; review it and run with REMPART_UPDATE_SNAPSHOTS=1"
        );
        let doc: serde_json::Value = serde_json::from_str(&current).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    }
}
