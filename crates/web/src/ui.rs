//! The HTML pages. Each handler parses its input, calls storage with the caller's scope, and
//! renders a whole page; forms post back and work without JavaScript.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use rempart_domain::authz::Permission;
use rempart_domain::language::Language;
use rempart_domain::org::OrgKind;
use rempart_domain::role::Role;
use rempart_domain::FieldError;
use rempart_storage::audit::{AuditFilter, StoredEntry};
use rempart_storage::grants::{Grant, GrantFilter, GrantSort};
use rempart_storage::list::{Page, PageRequest};
use rempart_storage::orgs::{NewOrganization, OrgFilter, OrgSort, Organization};
use rempart_storage::persons::{NewPerson, Person, PersonFilter, PersonSort};
use rempart_storage::scope::Scope;
use rempart_storage::sessions;
use rempart_storage::{audit, grants, orgs, persons, AuditContext, StoreError};
use serde::Deserialize;
use sqlx::Row;

use crate::auth::{temporary_password, Actor};
use crate::error::{AppError, Form, Query};
use crate::views::{render, Ctx, FormState};
use crate::AppState;

/// The client's address as [`crate::middleware::enforce`] established it: the peer address, or
/// the first `X-Forwarded-For` hop when the operator declared a trusted proxy.
pub fn source_of(headers: &HeaderMap) -> String {
    headers
        .get(crate::middleware::CLIENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .to_owned()
}

pub fn audit_context(actor: &Actor, headers: &HeaderMap) -> AuditContext {
    AuditContext {
        actor_id: Some(actor.person.id),
        actor_label: actor.person.email.clone(),
        source: source_of(headers),
    }
}

/// Organizations where the person holds a role: the choices of the switcher.
async fn switcher(app: &AppState, actor: &Actor) -> Result<Vec<(i64, String)>, AppError> {
    let rows = sqlx::query(
        "SELECT o.id, o.name FROM organizations o WHERE o.id IN \
         (SELECT g.org_id FROM role_grants g WHERE g.person_id = $1) ORDER BY o.name",
    )
    .bind(actor.person.id)
    .fetch_all(app.store.pool())
    .await
    .map_err(StoreError::from)?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id").map_err(StoreError::from)?,
                r.try_get("name").map_err(StoreError::from)?,
            ))
        })
        .collect()
}

pub async fn page_ctx(app: &AppState, actor: &Actor, current: &str) -> Result<Ctx, AppError> {
    let mut ctx = Ctx::for_actor(actor, current, switcher(app, actor).await?);
    // The inbox's badge in the menu (PLAT-10).
    ctx.unread = rempart_storage::inbox::unread(&app.store, actor.person.id).await?;
    Ok(ctx)
}

/// Options for organization pickers: every organization the caller may act on, indented.
pub(crate) async fn org_choices(
    app: &AppState,
    scope: Scope,
) -> Result<Vec<(i64, String)>, AppError> {
    let page = orgs::list(
        &app.store,
        scope,
        &OrgFilter::default(),
        &PageRequest {
            limit: 5000,
            offset: 0,
            sort: OrgSort::Name,
            descending: false,
        },
    )
    .await?;
    Ok(page.items.into_iter().map(|o| (o.id, o.name)).collect())
}

pub struct Pager {
    pub summary: String,
    pub previous: Option<String>,
    pub next: Option<String>,
}

pub(crate) fn pager<T>(lang: Language, page: &Page<T>, base: &str, query: &str) -> Pager {
    let from = if page.total == 0 { 0 } else { page.offset + 1 };
    let to = (page.offset + page.items.len() as i64).min(page.total);
    let link = |offset: i64| {
        let sep = if query.is_empty() { "" } else { "&" };
        format!("{base}?{query}{sep}offset={offset}")
    };
    Pager {
        summary: crate::i18n::t_args(
            lang,
            "page-of",
            &[
                ("from", from.into()),
                ("to", to.into()),
                ("total", page.total.into()),
            ],
        ),
        previous: (page.offset > 0).then(|| link((page.offset - page.limit).max(0))),
        next: (to < page.total).then(|| link(page.offset + page.limit)),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    pub offset: Option<i64>,
}

fn page_req<S: Default>(offset: Option<i64>) -> PageRequest<S> {
    PageRequest {
        offset: offset.unwrap_or(0).clamp(0, i64::MAX / 2),
        ..PageRequest::default()
    }
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default()
}

#[derive(Debug, Deserialize)]
pub struct SwitchForm {
    pub org_id: Option<i64>,
}

pub async fn switch_org(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Form(form): Form<SwitchForm>,
) -> Result<Response, AppError> {
    let org_id = form
        .org_id
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("org_id", "error-required")]))?;
    // Only an organization where the person holds a role can be made active.
    if !actor.grants.iter().any(|g| g.org.0 == org_id) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "org_id",
            "error-not-found",
        )]));
    }
    sessions::set_active_org(&app.store, actor.session.id, org_id).await?;
    Ok(Redirect::to(&format!("/orgs/{org_id}")).into_response())
}

// ---------------------------------------------------------------- home

pub struct HomeRow {
    pub org_id: i64,
    pub org_name: String,
    pub role_key: String,
    pub subtree: i64,
    pub people: i64,
    pub audit_entries: i64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    name: String,
    rows: Vec<HomeRow>,
}

pub async fn home(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    let mut rows = Vec::new();
    for grant in &actor.grants {
        let org = match orgs::get(
            &app.store,
            Scope::new(actor.person.id, Permission::OrgRead),
            grant.org.0,
        )
        .await
        {
            Ok(o) => o,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        let counts = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM org_closure WHERE ancestor_id = $1) AS subtree, \
             (SELECT COUNT(*) FROM persons p JOIN org_closure c ON c.descendant_id = p.org_id WHERE c.ancestor_id = $1) AS people, \
             (SELECT COUNT(*) FROM audit_entries a JOIN org_closure c ON c.descendant_id = a.org_id WHERE c.ancestor_id = $1) AS audit_entries",
        )
        .bind(org.id)
        .fetch_one(app.store.pool())
        .await
        .map_err(StoreError::from)?;
        rows.push(HomeRow {
            org_id: org.id,
            org_name: org.name,
            role_key: grant.role.label_key(),
            subtree: counts.try_get("subtree").map_err(StoreError::from)?,
            people: counts.try_get("people").map_err(StoreError::from)?,
            audit_entries: counts.try_get("audit_entries").map_err(StoreError::from)?,
        });
    }
    Ok(render(
        StatusCode::OK,
        &HomePage {
            ctx: page_ctx(&app, &actor, "/").await?,
            name: actor.person.name.clone(),
            rows,
        },
    ))
}

// ---------------------------------------------------------------- organizations

pub struct OrgRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub kind_key: String,
    pub depth: usize,
}

impl OrgRow {
    /// The indentation class; deeper levels share the last one.
    pub fn depth_class(&self) -> usize {
        self.depth.min(6)
    }
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct OrgsPage {
    ctx: Ctx,
    q: String,
    orgs: Vec<OrgRow>,
    pager: Pager,
    can_manage: bool,
    kinds: Vec<(&'static str, &'static str)>,
    parents: Vec<(i64, String)>,
    form: FormState,
}

fn kind_key(kind: OrgKind) -> String {
    format!("kind-{}", kind.as_str())
}

const KINDS: [(&str, &str); 4] = [
    ("unit", "kind-unit"),
    ("public_body", "kind-public_body"),
    ("operational_centre", "kind-operational_centre"),
    ("government_centre", "kind-government_centre"),
];

/// Orders organizations as their tree reads, each with its depth below the topmost one shown.
/// Organizations whose parent is not in the list (out of scope) start a tree of their own.
pub fn tree_order(items: Vec<Organization>) -> Vec<(Organization, usize)> {
    use std::collections::{HashMap, HashSet};
    let ids: HashSet<i64> = items.iter().map(|o| o.id).collect();
    let mut children: HashMap<Option<i64>, Vec<Organization>> = HashMap::new();
    for org in items {
        let key = org.parent_id.filter(|p| ids.contains(p));
        children.entry(key).or_default().push(org);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut out = Vec::new();
    let mut stack: Vec<(Organization, usize)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|o| (o, 0))
        .collect();
    while let Some((org, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(org.id)) {
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        }
        out.push((org, depth));
    }
    out
}

async fn orgs_page(
    app: &AppState,
    actor: &Actor,
    params: &ListParams,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let scope = Scope::new(actor.person.id, Permission::OrgRead);
    let searching = !params.q.trim().is_empty();
    let filter = OrgFilter {
        text: Some(params.q.clone()),
        ..Default::default()
    };
    // Without a search the whole visible tree is shown as a tree; a search lists matches, paged.
    let request = if searching {
        page_req::<OrgSort>(params.offset)
    } else {
        PageRequest {
            limit: 20_000,
            ..PageRequest::default()
        }
    };
    let page = orgs::list(&app.store, scope, &filter, &request).await?;
    let ctx = page_ctx(app, actor, "/orgs").await?;
    let can_manage = actor.can(Permission::OrgManage);
    let parents = if can_manage {
        org_choices(app, Scope::new(actor.person.id, Permission::OrgManage)).await?
    } else {
        Vec::new()
    };
    let pager = pager(ctx.lang, &page, "/orgs", &query_string(&[("q", &params.q)]));
    let ordered = if searching {
        page.items.into_iter().map(|o| (o, 0)).collect()
    } else {
        tree_order(page.items)
    };
    let rows = ordered
        .into_iter()
        .map(|(o, depth)| OrgRow {
            id: o.id,
            kind_key: kind_key(o.kind),
            depth,
            name: o.name,
            slug: o.slug,
        })
        .collect();
    Ok(render(
        status,
        &OrgsPage {
            ctx,
            q: params.q.clone(),
            orgs: rows,
            pager,
            can_manage,
            kinds: KINDS.to_vec(),
            parents,
            form,
        },
    ))
}

pub async fn orgs_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    orgs_page(&app, &actor, &params, FormState::default(), StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub parent_id: String,
}

/// An optional id from a form field: empty means none; anything else must be a number.
pub(crate) fn optional_id(field: &str, raw: &str) -> Result<Option<i64>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>()
        .map(Some)
        .map_err(|_| FieldError::new(field, "error-number"))
}

pub async fn orgs_create(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<OrgForm>,
) -> Result<Response, AppError> {
    let state = FormState::new(&[
        ("name", &form.name),
        ("slug", &form.slug),
        ("kind", &form.kind),
        ("parent_id", &form.parent_id),
    ]);
    let result = async {
        let parent_id =
            optional_id("parent_id", &form.parent_id).map_err(|e| AppError::Invalid(vec![e]))?;
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        let org = orgs::create(
            &mut w,
            Scope::new(actor.person.id, Permission::OrgManage),
            &NewOrganization {
                name: form.name.clone(),
                slug: Some(form.slug.clone()),
                kind: form.kind.clone(),
                parent_id,
            },
        )
        .await?;
        w.commit().await?;
        Ok::<Organization, AppError>(org)
    }
    .await;
    match result {
        Ok(org) => Ok(Redirect::to(&format!("/orgs/{}?done=created", org.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let state = state.with_errors(actor.language(), &errors);
            orgs_page(
                &app,
                &actor,
                &ListParams::default(),
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(field)) => {
            let state =
                state.with_errors(actor.language(), &[FieldError::new(field, "error-taken")]);
            orgs_page(
                &app,
                &actor,
                &ListParams::default(),
                state,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    ctx: Ctx,
    org: Organization,
    kind_key: String,
    parent: Option<(i64, String)>,
    children: Vec<(i64, String, String)>,
    can_manage: bool,
    parents: Vec<crate::views::Choice>,
    form: FormState,
}

async fn org_page(
    app: &AppState,
    actor: &Actor,
    id: i64,
    form: FormState,
    status: StatusCode,
    flash: Option<String>,
) -> Result<Response, AppError> {
    let read = Scope::new(actor.person.id, Permission::OrgRead);
    let org = orgs::get(&app.store, read, id).await?;
    let parent = match org.parent_id {
        Some(pid) => orgs::get(&app.store, read, pid)
            .await
            .ok()
            .map(|p| (p.id, p.name)),
        None => None,
    };
    let children = orgs::list(
        &app.store,
        read,
        &OrgFilter {
            parent_id: Some(id),
            ..Default::default()
        },
        &PageRequest {
            limit: 500,
            ..PageRequest::default()
        },
    )
    .await?
    .items
    .into_iter()
    .map(|c| (c.id, c.name, kind_key(c.kind)))
    .collect();
    let manage = Scope::new(actor.person.id, Permission::OrgManage);
    let can_manage =
        actor.can(Permission::OrgManage) && orgs::get(&app.store, manage, id).await.is_ok();
    let parents = if can_manage {
        org_choices(app, manage)
            .await?
            .into_iter()
            .filter(|(pid, _)| *pid != id)
            .map(|(pid, label)| crate::views::Choice {
                id: pid,
                label,
                selected: org.parent_id == Some(pid),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut ctx = page_ctx(app, actor, "/orgs").await?;
    ctx.flash = flash;
    Ok(render(
        status,
        &OrgPage {
            ctx,
            kind_key: kind_key(org.kind),
            org,
            parent,
            children,
            can_manage,
            parents,
            form,
        },
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneParams {
    /// Set by the redirect after a change, to confirm it (`created`, `updated`, `saved`).
    pub done: Option<String>,
}

pub async fn org_show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    crate::error::Path(id): crate::error::Path<i64>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let flash = match params.done.as_deref() {
        Some("created") => Some(crate::i18n::t(actor.language(), "org-created")),
        Some("updated") => Some(crate::i18n::t(actor.language(), "org-updated")),
        _ => None,
    };
    org_page(
        &app,
        &actor,
        id,
        FormState::default(),
        StatusCode::OK,
        flash,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct OrgChangeForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub parent_id: String,
    pub version: Option<i64>,
}

/// The three changes the organization page offers.
#[derive(Debug, Clone, Copy)]
enum OrgChange {
    Rename,
    Move,
    Archive,
}

async fn org_change(
    app: AppState,
    actor: Actor,
    headers: HeaderMap,
    id: i64,
    form: OrgChangeForm,
    what: OrgChange,
) -> Result<Response, AppError> {
    let manage = Scope::new(actor.person.id, Permission::OrgManage);
    let result = async {
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        match what {
            OrgChange::Rename => orgs::rename(&mut w, manage, id, &form.name, form.version).await?,
            OrgChange::Move => {
                let parent = optional_id("parent_id", &form.parent_id)
                    .map_err(|e| AppError::Invalid(vec![e]))?;
                orgs::move_to(&mut w, manage, id, parent, form.version).await?
            }
            OrgChange::Archive => orgs::archive(&mut w, manage, id, form.version).await?,
        };
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{id}?done=updated")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let state =
                FormState::new(&[("name", &form.name)]).with_errors(actor.language(), &errors);
            org_page(
                &app,
                &actor,
                id,
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn org_rename(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    crate::error::Path(id): crate::error::Path<i64>,
    Form(form): Form<OrgChangeForm>,
) -> Result<Response, AppError> {
    org_change(app, actor, headers, id, form, OrgChange::Rename).await
}

pub async fn org_move(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    crate::error::Path(id): crate::error::Path<i64>,
    Form(form): Form<OrgChangeForm>,
) -> Result<Response, AppError> {
    org_change(app, actor, headers, id, form, OrgChange::Move).await
}

pub async fn org_archive(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    crate::error::Path(id): crate::error::Path<i64>,
    Form(form): Form<OrgChangeForm>,
) -> Result<Response, AppError> {
    org_change(app, actor, headers, id, form, OrgChange::Archive).await
}

// ---------------------------------------------------------------- people

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    ctx: Ctx,
    q: String,
    people: Vec<Person>,
    pager: Pager,
    can_manage: bool,
    orgs: Vec<(i64, String)>,
    form: FormState,
}

async fn people_page(
    app: &AppState,
    actor: &Actor,
    params: &ListParams,
    form: FormState,
    status: StatusCode,
    flash: Option<String>,
) -> Result<Response, AppError> {
    let scope = Scope::new(actor.person.id, Permission::PersonRead);
    let page = persons::list(
        &app.store,
        scope,
        &PersonFilter {
            text: Some(params.q.clone()),
            org_id: None,
        },
        &page_req::<PersonSort>(params.offset),
    )
    .await?;
    let mut ctx = page_ctx(app, actor, "/people").await?;
    ctx.flash = flash;
    let can_manage = actor.can(Permission::PersonManage);
    let orgs = if can_manage {
        org_choices(app, Scope::new(actor.person.id, Permission::PersonManage)).await?
    } else {
        Vec::new()
    };
    let pager = pager(
        ctx.lang,
        &page,
        "/people",
        &query_string(&[("q", &params.q)]),
    );
    Ok(render(
        status,
        &PeoplePage {
            ctx,
            q: params.q.clone(),
            people: page.items,
            pager,
            can_manage,
            orgs,
            form,
        },
    ))
}

pub async fn people_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    people_page(
        &app,
        &actor,
        &params,
        FormState::default(),
        StatusCode::OK,
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub language: String,
}

pub async fn people_create(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    let state = FormState::new(&[
        ("name", &form.name),
        ("email", &form.email),
        ("org_id", &form.org_id),
        ("language", &form.language),
    ]);
    let password = temporary_password();
    let result = async {
        let org_id = optional_id("org_id", &form.org_id).map_err(|e| AppError::Invalid(vec![e]))?;
        let hash = app.hashing.hash(password.clone()).await?;
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        let person = persons::create(
            &mut w,
            Scope::new(actor.person.id, Permission::PersonManage),
            &NewPerson {
                email: form.email.clone(),
                name: form.name.clone(),
                org_id,
                language: Some(form.language.clone()),
            },
            &hash,
            true,
        )
        .await?;
        w.commit().await?;
        Ok::<Person, AppError>(person)
    }
    .await;
    let lang = actor.language();
    match result {
        Ok(_) => {
            let flash =
                crate::i18n::t_args(lang, "person-created", &[("password", password.into())]);
            people_page(
                &app,
                &actor,
                &ListParams::default(),
                FormState::default(),
                StatusCode::CREATED,
                Some(flash),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            people_page(
                &app,
                &actor,
                &ListParams::default(),
                state.with_errors(lang, &errors),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            )
            .await
        }
        Err(AppError::Conflict(field)) => {
            people_page(
                &app,
                &actor,
                &ListParams::default(),
                state.with_errors(lang, &[FieldError::new(field, "error-taken")]),
                StatusCode::CONFLICT,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- grants

/// A grant and the roles it is incompatible with in its organization, as message keys.
pub struct GrantRow {
    pub grant: Grant,
    pub conflicts: Vec<String>,
}

#[derive(Template)]
#[template(path = "grants.html")]
struct GrantsPage {
    ctx: Ctx,
    grants: Vec<GrantRow>,
    pager: Pager,
    can_manage: bool,
    people: Vec<(i64, String)>,
    orgs: Vec<(i64, String)>,
    roles: Vec<(&'static str, String)>,
    form: FormState,
}

async fn grants_page(
    app: &AppState,
    actor: &Actor,
    offset: Option<i64>,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let scope = Scope::new(actor.person.id, Permission::GrantRead);
    let page = grants::list(
        &app.store,
        scope,
        &GrantFilter::default(),
        &page_req::<GrantSort>(offset),
    )
    .await?;
    let ctx = page_ctx(app, actor, "/grants").await?;
    let can_manage = actor.can(Permission::GrantManage);
    let (people, orgs) = if can_manage {
        let people = persons::list(
            &app.store,
            Scope::new(actor.person.id, Permission::PersonRead),
            &PersonFilter::default(),
            &PageRequest {
                limit: 500,
                ..PageRequest::default()
            },
        )
        .await?
        .items
        .into_iter()
        .map(|p| (p.id, format!("{} ({})", p.name, p.email)))
        .collect();
        (
            people,
            org_choices(app, Scope::new(actor.person.id, Permission::GrantManage)).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let roles = Role::ALL
        .iter()
        .map(|r| (r.as_str(), r.label_key()))
        .collect();
    let pager = pager(ctx.lang, &page, "/grants", "");
    let found = grants::conflicts(&app.store, &app.config.incompatible_roles, &page.items).await?;
    let rows = page
        .items
        .into_iter()
        .map(|g| {
            let conflicts = found
                .get(&(g.person_id, g.org_id))
                .map(|pairs| {
                    pairs
                        .iter()
                        .filter_map(|(a, b)| {
                            if *a == g.role {
                                Some(b.label_key())
                            } else if *b == g.role {
                                Some(a.label_key())
                            } else {
                                None
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            GrantRow {
                grant: g,
                conflicts,
            }
        })
        .collect();
    Ok(render(
        status,
        &GrantsPage {
            ctx,
            grants: rows,
            pager,
            can_manage,
            people,
            orgs,
            roles,
            form,
        },
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct OffsetParams {
    pub offset: Option<i64>,
}

pub async fn grants_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<OffsetParams>,
) -> Result<Response, AppError> {
    grants_page(
        &app,
        &actor,
        params.offset,
        FormState::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub act_reference: String,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: String,
}

/// The act of designation typed with a grant: optional dates and reference.
pub(crate) fn designation_act(
    act_reference: &str,
    valid_from: &str,
    valid_until: &str,
) -> Result<rempart_domain::register::DesignationAct, AppError> {
    let mut errors = Vec::new();
    let mut date = |field: &str, raw: &str| {
        if raw.trim().is_empty() {
            return None;
        }
        match rempart_domain::asset::parse_date(field, raw) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        }
    };
    let valid_from = date("valid_from", valid_from);
    let valid_until = date("valid_until", valid_until);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(rempart_domain::register::DesignationAct {
        valid_from,
        valid_until,
        act_reference: act_reference.to_owned(),
    })
}

pub async fn grants_create(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<GrantForm>,
) -> Result<Response, AppError> {
    let result = async {
        let person_id =
            optional_id("person_id", &form.person_id).map_err(|e| AppError::Invalid(vec![e]))?;
        let org_id = optional_id("org_id", &form.org_id).map_err(|e| AppError::Invalid(vec![e]))?;
        let act = designation_act(&form.act_reference, &form.valid_from, &form.valid_until)?;
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        grants::create_designated(
            &mut w,
            Scope::new(actor.person.id, Permission::GrantManage),
            person_id,
            org_id,
            &form.role,
            act,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/grants").into_response()),
        Err(AppError::Invalid(errors)) => {
            grants_page(
                &app,
                &actor,
                None,
                FormState::default().with_errors(actor.language(), &errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(field)) => {
            grants_page(
                &app,
                &actor,
                None,
                FormState::default()
                    .with_errors(actor.language(), &[FieldError::new(field, "error-taken")]),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn grants_revoke(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    crate::error::Path(id): crate::error::Path<i64>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    grants::revoke(
        &mut w,
        Scope::new(actor.person.id, Permission::GrantManage),
        id,
    )
    .await?;
    w.commit().await?;
    Ok(Redirect::to("/grants").into_response())
}

// ---------------------------------------------------------------- audit

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: Ctx,
    entries: Vec<StoredEntry>,
    pager: Pager,
    form: FormState,
}

#[derive(Debug, Deserialize, Default)]
pub struct AuditParams {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub offset: Option<i64>,
}

/// Turns the audit search form into a filter, naming any date that does not parse.
pub fn audit_filter(params: &AuditParams) -> Result<AuditFilter, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut date = |field: &str, raw: &str, next_day: bool| {
        if raw.trim().is_empty() {
            return None;
        }
        match crate::time::day_start(raw) {
            Some(start) => Some(if next_day {
                start + 86_400_000_000
            } else {
                start
            }),
            None => {
                errors.push(FieldError::new(field, "error-choice"));
                None
            }
        }
    };
    let from_micros = date("from", &params.from, false);
    let to_micros = date("to", &params.to, true);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(AuditFilter {
        action: Some(params.action.clone()),
        actor: Some(params.actor.clone()),
        from_micros,
        to_micros,
        ..Default::default()
    })
}

pub async fn audit_list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<AuditParams>,
) -> Result<Response, AppError> {
    let form = FormState::new(&[
        ("action", &params.action),
        ("actor", &params.actor),
        ("from", &params.from),
        ("to", &params.to),
    ]);
    let ctx = page_ctx(&app, &actor, "/audit").await?;
    let (filter, form, status) = match audit_filter(&params) {
        Ok(f) => (f, form, StatusCode::OK),
        Err(errors) => (
            AuditFilter::default(),
            form.with_errors(ctx.lang, &errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let mut request = page_req(params.offset);
    request.descending = true;
    let page = audit::search(
        &app.store,
        Scope::new(actor.person.id, Permission::AuditRead),
        &filter,
        &request,
    )
    .await?;
    let query = query_string(&[
        ("action", &params.action),
        ("actor", &params.actor),
        ("from", &params.from),
        ("to", &params.to),
    ]);
    let pager = pager(ctx.lang, &page, "/audit", &query);
    Ok(render(
        status,
        &AuditPage {
            ctx,
            entries: page.items,
            pager,
            form,
        },
    ))
}

// ---------------------------------------------------------------- profile

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    ctx: Ctx,
    name: String,
    email: String,
    mfa_enrolled: bool,
    /// The sign-in is no longer recent: sensitive changes ask for the factors again.
    reauth: bool,
    recovery_left: i64,
    sessions: Vec<crate::account::SessionRow>,
    tokens: Vec<TokenRow>,
    /// The modules a token may be limited to, with their names in the person's language.
    modules: Vec<(&'static str, String)>,
    /// Identities at the single sign-on provider that open this account.
    sso_links: Vec<rempart_storage::sso::SsoIdentity>,
}

pub struct TokenRow {
    pub info: rempart_storage::tokens::TokenInfo,
    /// The scope in words: "Lecture seule — Journal d'audit".
    pub scope_label: String,
}

fn scope_label(ctx: &Ctx, stored: &str) -> String {
    use rempart_domain::token::{Access, TokenScope};
    let scope = TokenScope::from_stored(stored);
    let level = ctx.t(match scope.access {
        Access::Read => "tokens-scope-read",
        Access::Write => "tokens-scope-write",
    });
    let modules = match &scope.modules {
        None => ctx.t("tokens-modules-all"),
        Some(modules) => modules
            .iter()
            .map(|m| ctx.t(&format!("module-{}", m.as_str())))
            .collect::<Vec<_>>()
            .join(", "),
    };
    format!("{level} — {modules}")
}

pub async fn profile(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let mut ctx = page_ctx(&app, &actor, "/profile").await?;
    let key = match params.done.as_deref() {
        Some("saved") => Some("profile-language-saved"),
        Some("password") => Some("password-changed"),
        Some("session") => Some("session-revoked"),
        Some("token") => Some("tokens-revoked"),
        Some("sso") => Some("sso-unlinked"),
        _ => None,
    };
    ctx.flash = key.map(|k| ctx.t(k));
    let mfa_enrolled = rempart_storage::credentials::totp_secret(&app.store, actor.person.id)
        .await?
        .is_some();
    let recovery_left =
        rempart_storage::credentials::unused_recovery_codes(&app.store, actor.person.id).await?;
    let sessions = crate::account::own_sessions(&app, &actor).await?;
    let tokens = rempart_storage::tokens::list_for(
        &app.store,
        actor.person.id,
        rempart_storage::now_micros(),
    )
    .await?
    .into_iter()
    .map(|info| TokenRow {
        scope_label: scope_label(&ctx, &info.scope),
        info,
    })
    .collect();
    let modules = rempart_domain::token::Module::ALL
        .iter()
        .map(|m| (m.as_str(), ctx.t(&format!("module-{}", m.as_str()))))
        .collect();
    let sso_links = rempart_storage::sso::list_for(&app.store, actor.person.id).await?;
    Ok(render(
        StatusCode::OK,
        &ProfilePage {
            ctx,
            name: actor.person.name.clone(),
            email: actor.person.email.clone(),
            mfa_enrolled,
            reauth: crate::account::reauth_needed(&actor),
            recovery_left,
            sessions,
            tokens,
            modules,
            sso_links,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    pub language: String,
}

pub async fn profile_language(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Result<Response, AppError> {
    let language = Language::parse(&form.language)
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("language", "error-choice")]))?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    persons::set_language(&mut w, actor.person.id, language).await?;
    w.commit().await?;
    Ok(Redirect::to("/profile?done=saved").into_response())
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/rempart.css"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::safe_next;

    fn org(id: i64, parent: Option<i64>, name: &str) -> Organization {
        Organization {
            id,
            slug: format!("o{id}"),
            name: name.to_owned(),
            kind: OrgKind::Unit,
            parent_id: parent,
            archived_at: None,
            created_at: 0,
            updated_at: 0,
            version: 1,
        }
    }

    #[test]
    fn tree_order_nests_children_under_parents_by_name() {
        let items = vec![
            org(4, Some(2), "Z unité"),
            org(2, Some(1), "B corps"),
            org(3, Some(1), "A corps"),
            org(1, None, "Racine"),
            org(9, Some(77), "Hors portée"),
        ];
        let order: Vec<(i64, usize)> = tree_order(items)
            .into_iter()
            .map(|(o, d)| (o.id, d))
            .collect();
        assert_eq!(order, vec![(9, 0), (1, 0), (3, 1), (2, 1), (4, 2)]);
        assert!(
            safe_next(Some("//evil.example")) == "/" && safe_next(Some("/orgs?x=1")) == "/orgs?x=1"
        );
        assert_eq!(safe_next(Some("https://evil.example")), "/");
    }
}
