//! The inventory's pages (ASSET-01, ASSET-02): the list with its filters, an asset's page with
//! its flags, dependencies, classification history and change history, the forms to create,
//! change, classify and archive, and the view of the bodies' inventories up the tree. Every
//! form works without JavaScript.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use rempart_domain::asset::{AssetDraft, AssetKind, HostingKind, Identifier};
use rempart_domain::authz::Permission;
use rempart_domain::classification::{flags, AssetFlag, Dic, Scale};
use rempart_domain::FieldError;
use rempart_storage::assets::{self, Asset, AssetFilter, AssetSort, BodyCounts, Related};
use rempart_storage::audit::StoredEntry;
use rempart_storage::list::{PageRequest, DEFAULT_LIMIT};
use rempart_storage::scope::Scope;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, Form, Path, Query};
use crate::ui::{audit_context, page_ctx, pager, DoneParams, Pager};
use crate::views::{render, Ctx, FormState};
use crate::AppState;

/// The message key of a flag.
fn flag_key(flag: &AssetFlag) -> String {
    format!("asset-flag-{}", flag.code().replace('_', "-"))
}

/// Levels as the person reads them: "Élevé / Moyen / Faible".
fn dic_label(scale: &Scale, dic: Option<Dic>, french: bool) -> Option<String> {
    dic.map(|d| {
        format!(
            "{} / {} / {}",
            scale.label(d.availability, french),
            scale.label(d.integrity, french),
            scale.label(d.confidentiality, french)
        )
    })
}

pub(crate) fn read_scope(actor: &Actor) -> Scope {
    Scope::new(actor.person.id, Permission::AssetRead)
}

pub(crate) fn manage_scope(actor: &Actor) -> Scope {
    Scope::new(actor.person.id, Permission::AssetManage)
}

// ---------------------------------------------------------------- list

#[derive(Debug, Deserialize, Default)]
pub struct AssetListParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: String,
    /// One of the flags: unclassified, review_overdue, past_end_of_support, outside_quebec,
    /// personal_info, without_holder.
    #[serde(default)]
    pub flag: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub desc: String,
    pub offset: Option<i64>,
}

impl AssetListParams {
    /// The filter these parameters ask for, within the person's active organization.
    pub fn filter(&self, within: Option<i64>) -> Result<AssetFilter, AppError> {
        let mut errors = Vec::new();
        let kind = if self.kind.trim().is_empty() {
            None
        } else {
            match AssetKind::parse("kind", &self.kind) {
                Ok(k) => Some(k),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        let filter = AssetFilter {
            text: Some(self.q.clone()).filter(|q| !q.trim().is_empty()),
            kind,
            within,
            ..AssetFilter::default()
        }
        .with_flag(&self.flag);
        if filter.is_none() {
            errors.push(FieldError::new("flag", "error-choice"));
        }
        match filter {
            Some(filter) if errors.is_empty() => Ok(filter),
            _ => Err(AppError::Invalid(errors)),
        }
    }

    pub fn page(&self) -> Result<PageRequest<AssetSort>, AppError> {
        let sort = if self.sort.is_empty() {
            AssetSort::Name
        } else {
            AssetSort::parse(&self.sort)
                .ok_or_else(|| AppError::Invalid(vec![FieldError::new("sort", "error-choice")]))?
        };
        Ok(PageRequest {
            limit: DEFAULT_LIMIT,
            offset: self.offset.unwrap_or(0).max(0),
            sort,
            descending: self.desc == "1" || self.desc == "true",
        })
    }

    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("kind", self.kind.as_str()),
            ("flag", self.flag.as_str()),
            ("sort", self.sort.as_str()),
            ("desc", self.desc.as_str()),
        ])
        .unwrap_or_default()
    }
}

pub struct AssetRow {
    pub asset: Asset,
    pub kind_key: String,
    pub dic: Option<String>,
    pub flag_keys: Vec<String>,
}

#[derive(Template)]
#[template(path = "assets.html")]
struct AssetsPage {
    ctx: Ctx,
    rows: Vec<AssetRow>,
    pager: Pager,
    q: String,
    kind: String,
    flag: String,
    kinds: Vec<(&'static str, String)>,
    flags: Vec<(&'static str, String)>,
    can_manage: bool,
    /// The list's filters, for the export links.
    query: String,
}

fn kind_choices(ctx: &Ctx) -> Vec<(&'static str, String)> {
    AssetKind::ALL
        .iter()
        .map(|k| (k.as_str(), ctx.t(&format!("asset-kind-{}", k.as_str()))))
        .collect()
}

/// The organization lists start from: the one chosen in the switcher, if any.
fn active_org(actor: &Actor) -> Option<i64> {
    actor.session.active_org_id
}

/// The list's rows for one page, with the flags a list can compute (the dependency flags
/// need each asset's graph and are shown on its own page).
pub(crate) async fn rows(
    app: &AppState,
    lang_french: bool,
    items: Vec<Asset>,
) -> Result<Vec<AssetRow>, AppError> {
    let today = crate::time::today();
    let mut out = Vec::with_capacity(items.len());
    let mut scales: Vec<(i64, Scale)> = Vec::new();
    for asset in items {
        let scale = match scales.iter().find(|(org, _)| *org == asset.org_id) {
            Some((_, s)) => s.clone(),
            None => {
                let s = assets::scale_for(&app.store, asset.org_id).await?;
                scales.push((asset.org_id, s.clone()));
                s
            }
        };
        let facts = rempart_domain::classification::AssetFacts {
            classification: asset.dic().zip(asset.review_due_date()),
            outside_quebec: asset.outside_quebec,
            end_of_support: asset.end_of_support_date(),
            holder_designated: asset.holder_designated,
            components: Vec::new(),
            dependents: Vec::new(),
        };
        out.push(AssetRow {
            kind_key: format!("asset-kind-{}", asset.kind),
            dic: dic_label(&scale, asset.dic(), lang_french),
            flag_keys: flags(&facts, today).iter().map(flag_key).collect(),
            asset,
        });
    }
    Ok(out)
}

pub async fn list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<AssetListParams>,
) -> Result<Response, AppError> {
    let filter = params.filter(active_org(&actor))?;
    let page_request = params.page()?;
    let page = assets::list(
        &app.store,
        read_scope(&actor),
        &filter,
        crate::time::today(),
        &page_request,
    )
    .await?;
    let ctx = page_ctx(&app, &actor, "/assets").await?;
    let french = ctx.lang_code() == "fr-CA";
    let query = params.query();
    let pager = pager(actor.language(), &page, "/assets", &query);
    let query = query.replace('&', "&amp;");
    let rows = rows(&app, french, page.items).await?;
    let flags = AssetFilter::FLAGS
        .iter()
        .map(|f| (*f, ctx.t(&format!("asset-filter-{}", f.replace('_', "-")))))
        .collect();
    Ok(render(
        StatusCode::OK,
        &AssetsPage {
            kinds: kind_choices(&ctx),
            flags,
            ctx,
            rows,
            pager,
            q: params.q.clone(),
            kind: params.kind.clone(),
            flag: params.flag.clone(),
            can_manage: actor.can(Permission::AssetManage),
            query,
        },
    ))
}

// ---------------------------------------------------------------- form

#[derive(Debug, Deserialize, Default)]
pub struct AssetForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub holder_id: String,
    #[serde(default)]
    pub hosting: String,
    #[serde(default)]
    pub hosting_provider: String,
    #[serde(default)]
    pub hosting_locations: String,
    pub outside_quebec: Option<String>,
    pub personal_info: Option<String>,
    pub sensitive_info: Option<String>,
    #[serde(default)]
    pub end_of_support: String,
    #[serde(default)]
    pub retention_rule: String,
    #[serde(default)]
    pub identifiers: String,
    /// The version the person edited, so that a concurrent change is not overwritten.
    pub version: Option<i64>,
}

impl AssetForm {
    fn draft(&self) -> Result<AssetDraft, AppError> {
        let id = |field: &str, raw: &str| -> Result<i64, FieldError> {
            crate::ui::optional_id(field, raw).map(|v| v.unwrap_or(0))
        };
        let mut errors = Vec::new();
        let org_id = id("org_id", &self.org_id).unwrap_or_else(|e| {
            errors.push(e);
            0
        });
        let holder_id = id("holder_id", &self.holder_id).unwrap_or_else(|e| {
            errors.push(e);
            0
        });
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(AssetDraft {
            org_id,
            kind: self.kind.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            holder_id,
            hosting: self.hosting.clone(),
            hosting_provider: self.hosting_provider.clone(),
            hosting_locations: self.hosting_locations.clone(),
            outside_quebec: self.outside_quebec.is_some(),
            personal_info: self.personal_info.is_some(),
            sensitive_info: self.sensitive_info.is_some(),
            end_of_support: self.end_of_support.clone(),
            retention_rule: self.retention_rule.clone(),
            identifiers: self.identifiers.clone(),
        })
    }

    fn state(&self) -> FormState {
        let check = |v: &Option<String>| if v.is_some() { "on" } else { "" };
        FormState::new(&[
            ("org_id", &self.org_id),
            ("kind", &self.kind),
            ("name", &self.name),
            ("description", &self.description),
            ("holder_id", &self.holder_id),
            ("hosting", &self.hosting),
            ("hosting_provider", &self.hosting_provider),
            ("hosting_locations", &self.hosting_locations),
            ("outside_quebec", check(&self.outside_quebec)),
            ("personal_info", check(&self.personal_info)),
            ("sensitive_info", check(&self.sensitive_info)),
            ("end_of_support", &self.end_of_support),
            ("retention_rule", &self.retention_rule),
            ("identifiers", &self.identifiers),
        ])
    }

    fn of(draft: &AssetDraft) -> AssetForm {
        let check = |b: bool| b.then(|| "on".to_owned());
        AssetForm {
            org_id: draft.org_id.to_string(),
            kind: draft.kind.clone(),
            name: draft.name.clone(),
            description: draft.description.clone(),
            holder_id: draft.holder_id.to_string(),
            hosting: draft.hosting.clone(),
            hosting_provider: draft.hosting_provider.clone(),
            hosting_locations: draft.hosting_locations.clone(),
            outside_quebec: check(draft.outside_quebec),
            personal_info: check(draft.personal_info),
            sensitive_info: check(draft.sensitive_info),
            end_of_support: draft.end_of_support.clone(),
            retention_rule: draft.retention_rule.clone(),
            identifiers: draft.identifiers.clone(),
            version: None,
        }
    }
}

#[derive(Template)]
#[template(path = "asset_form.html")]
struct AssetFormPage {
    ctx: Ctx,
    /// `None` for a new asset.
    asset_id: Option<i64>,
    version: i64,
    form: FormState,
    orgs: Vec<(i64, String)>,
    holders: Vec<(i64, String)>,
    kinds: Vec<(&'static str, String)>,
    hostings: Vec<(&'static str, String)>,
}

/// The holders the person may name: those designated in organizations where the person
/// manages assets.
async fn holder_choices(app: &AppState, actor: &Actor) -> Result<Vec<(i64, String)>, AppError> {
    let scope = Scope::new(actor.person.id, Permission::AssetManage);
    let sql = format!(
        "SELECT DISTINCT p.id, p.name, o.name AS org_name FROM role_grants g \
         JOIN persons p ON p.id = g.person_id JOIN organizations o ON o.id = g.org_id \
         WHERE g.role = 'Holder' AND p.disabled_at IS NULL AND {} ORDER BY p.name, o.name, p.id",
        scope.condition("g.org_id")
    );
    use sqlx::Row;
    let rows = sqlx::query(&sql)
        .fetch_all(app.store.pool())
        .await
        .map_err(rempart_storage::StoreError::from)?;
    let mut out: Vec<(i64, String)> = Vec::new();
    for row in rows {
        let id: i64 = row
            .try_get("id")
            .map_err(rempart_storage::StoreError::from)?;
        let name: String = row
            .try_get("name")
            .map_err(rempart_storage::StoreError::from)?;
        let org: String = row
            .try_get("org_name")
            .map_err(rempart_storage::StoreError::from)?;
        out.push((id, format!("{name} ({org})")));
    }
    Ok(out)
}

async fn form_page(
    app: &AppState,
    actor: &Actor,
    asset_id: Option<i64>,
    version: i64,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/assets").await?;
    let orgs =
        crate::ui::org_choices(app, Scope::new(actor.person.id, Permission::AssetManage)).await?;
    let holders = holder_choices(app, actor).await?;
    let hostings = HostingKind::ALL
        .iter()
        .map(|h| (h.as_str(), ctx.t(&format!("asset-hosting-{}", h.as_str()))))
        .collect();
    Ok(render(
        status,
        &AssetFormPage {
            kinds: kind_choices(&ctx),
            hostings,
            ctx,
            asset_id,
            version,
            form,
            orgs,
            holders,
        },
    ))
}

pub async fn new_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    let org = active_org(&actor)
        .map(|o| o.to_string())
        .unwrap_or_default();
    let form = FormState::new(&[
        ("org_id", &org),
        ("kind", "information_system"),
        ("hosting", "own_data_centre"),
    ]);
    form_page(&app, &actor, None, 0, form, StatusCode::OK).await
}

pub async fn create(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<AssetForm>,
) -> Result<Response, AppError> {
    let result = async {
        let input = form.draft()?.parse().map_err(|e| AppError::Invalid(e.0))?;
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        let id = assets::create(
            &mut w,
            Scope::new(actor.person.id, Permission::AssetManage),
            input,
        )
        .await?;
        w.commit().await?;
        Ok::<i64, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/assets/{id}?done=created")).into_response()),
        Err(e) => form_error(&app, &actor, None, 0, &form, e).await,
    }
}

async fn form_error(
    app: &AppState,
    actor: &Actor,
    asset_id: Option<i64>,
    version: i64,
    form: &AssetForm,
    error: AppError,
) -> Result<Response, AppError> {
    let (errors, status) = match error {
        AppError::Invalid(errors) => (errors, StatusCode::UNPROCESSABLE_ENTITY),
        AppError::Conflict(field) => (
            vec![FieldError::new(field, "error-taken")],
            StatusCode::CONFLICT,
        ),
        AppError::Stale => (
            vec![FieldError::new("version", "error-stale")],
            StatusCode::CONFLICT,
        ),
        other => return Err(other),
    };
    let state = form.state().with_errors(actor.language(), &errors);
    form_page(app, actor, asset_id, version, state, status).await
}

pub async fn edit_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let asset = assets::get(
        &app.store,
        Scope::new(actor.person.id, Permission::AssetManage),
        id,
    )
    .await?;
    let input = assets::input_of(&app.store, &asset).await?;
    let form = AssetForm::of(&AssetDraft::of(&input)).state();
    form_page(&app, &actor, Some(id), asset.version, form, StatusCode::OK).await
}

pub async fn update(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<AssetForm>,
) -> Result<Response, AppError> {
    // Out of scope reads as missing, before anything about the input is said.
    assets::get(&app.store, manage_scope(&actor), id).await?;
    let result = async {
        let input = form.draft()?.parse().map_err(|e| AppError::Invalid(e.0))?;
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        assets::update(
            &mut w,
            Scope::new(actor.person.id, Permission::AssetManage),
            id,
            form.version,
            input,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/assets/{id}?done=updated")).into_response()),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(e) => form_error(&app, &actor, Some(id), form.version.unwrap_or(0), &form, e).await,
    }
}

pub async fn archive(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    assets::archive(
        &mut w,
        Scope::new(actor.person.id, Permission::AssetManage),
        id,
    )
    .await?;
    w.commit().await?;
    Ok(Redirect::to(&format!("/assets/{id}?done=archived")).into_response())
}

// ---------------------------------------------------------------- one asset

pub struct RelatedView {
    pub related: Related,
    pub dic: Option<String>,
}

#[derive(Template)]
#[template(path = "asset.html")]
struct AssetPage {
    ctx: Ctx,
    asset: Asset,
    kind_key: String,
    hosting_key: String,
    dic: Option<String>,
    flags: Vec<(String, String)>,
    identifiers: Vec<Identifier>,
    components: Vec<RelatedView>,
    dependents: Vec<RelatedView>,
    history: Vec<(rempart_storage::assets::ClassificationEntry, String)>,
    changes: Vec<StoredEntry>,
    can_manage: bool,
    is_holder: bool,
    levels: Vec<(u8, String)>,
    dependency_choices: Vec<(i64, String)>,
    /// Holds personal information outside Québec without an assessment (PRP-02).
    pia_needed: bool,
    /// The privacy impact assessments of the asset: reference and where each stands.
    pia_refs: Vec<String>,
    can_start_pia: bool,
    form: FormState,
}

async fn asset_page(
    app: &AppState,
    actor: &Actor,
    id: i64,
    done: Option<&str>,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let scope = read_scope(actor);
    let asset = assets::get(&app.store, scope, id).await?;
    let mut ctx = page_ctx(app, actor, "/assets").await?;
    ctx.flash = match done {
        Some("created") => Some(ctx.t("asset-created")),
        Some("updated") => Some(ctx.t("asset-updated")),
        Some("archived") => Some(ctx.t("asset-archived")),
        Some("classified") => Some(ctx.t("asset-classified")),
        Some("dependency") => Some(ctx.t("asset-dependency-saved")),
        _ => None,
    };
    let french = ctx.lang_code() == "fr-CA";
    let scale = assets::scale_for(&app.store, asset.org_id).await?;
    let facts = assets::facts(&app.store, scope, &asset).await?;
    let components = assets::components(&app.store, scope, id).await?;
    let dependents = assets::dependents(&app.store, scope, id).await?;
    let names: Vec<(i64, String)> = components
        .iter()
        .chain(dependents.iter())
        .map(|r| (r.id, r.name.clone()))
        .collect();
    let flags = flags(&facts, crate::time::today())
        .into_iter()
        .map(|f| {
            let other = match &f {
                AssetFlag::ComponentLower { component, .. } => Some(*component),
                AssetFlag::LowerThanDependent { dependent, .. } => Some(*dependent),
                _ => None,
            };
            let name = other
                .and_then(|o| names.iter().find(|(i, _)| *i == o))
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            (ctx.t1(&flag_key(&f), "other", &name), f.code().to_owned())
        })
        .collect();
    let view = |r: Related| RelatedView {
        dic: dic_label(&scale, r.dic(), french),
        related: r,
    };
    let history = assets::classification_history(&app.store, scope, id)
        .await?
        .into_iter()
        .map(|h| {
            let label = dic_label(
                &scale,
                Some(Dic {
                    availability: u8::try_from(h.availability).unwrap_or(0),
                    integrity: u8::try_from(h.integrity).unwrap_or(0),
                    confidentiality: u8::try_from(h.confidentiality).unwrap_or(0),
                }),
                french,
            )
            .unwrap_or_default();
            (h, label)
        })
        .collect();
    let changes = rempart_storage::audit::history_of(&app.store, "asset", id, 50).await?;
    let pia = rempart_storage::privacy_assessments::asset_standing(&app.store, id).await?;
    let pia_refs = pia
        .assessments
        .iter()
        .map(|(reference, _, decision)| {
            let status = crate::privacy_assessments::decision_label(&ctx, decision.as_deref());
            format!("{reference} — {status}")
        })
        .collect();
    let can_start_pia =
        crate::risk_method_ui::allowed_in(app, actor, Permission::PrivacyManage, asset.org_id)
            .await?;
    let can_manage = actor.can(Permission::AssetManage)
        && assets::get(
            &app.store,
            Scope::new(actor.person.id, Permission::AssetManage),
            id,
        )
        .await
        .is_ok();
    let dependency_choices = if can_manage {
        let page = assets::list(
            &app.store,
            scope,
            &AssetFilter::default(),
            crate::time::today(),
            &PageRequest {
                limit: 1000,
                offset: 0,
                sort: AssetSort::Name,
                descending: false,
            },
        )
        .await?;
        page.items
            .into_iter()
            .filter(|a| a.id != id && !components.iter().any(|c| c.id == a.id))
            .map(|a| (a.id, format!("{} ({})", a.name, a.org_name)))
            .collect()
    } else {
        Vec::new()
    };
    let levels = scale
        .levels
        .iter()
        .map(|l| {
            (
                l.value,
                if french {
                    l.label_fr.clone()
                } else {
                    l.label_en.clone()
                },
            )
        })
        .collect();
    let identifiers = assets::identifiers(&app.store, id).await?;
    Ok(render(
        status,
        &AssetPage {
            kind_key: format!("asset-kind-{}", asset.kind),
            hosting_key: format!("asset-hosting-{}", asset.hosting),
            dic: dic_label(&scale, asset.dic(), french),
            is_holder: asset.holder_id == actor.person.id && asset.archived_at.is_none(),
            ctx,
            flags,
            identifiers,
            components: components.into_iter().map(view).collect(),
            dependents: dependents.into_iter().map(view).collect(),
            history,
            changes,
            can_manage: can_manage && asset.archived_at.is_none(),
            levels,
            dependency_choices,
            pia_needed: pia.needs_one,
            pia_refs,
            can_start_pia,
            form,
            asset,
        },
    ))
}

pub async fn show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    asset_page(
        &app,
        &actor,
        id,
        params.done.as_deref(),
        FormState::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
pub struct ClassifyForm {
    #[serde(default)]
    pub availability: String,
    #[serde(default)]
    pub integrity: String,
    #[serde(default)]
    pub confidentiality: String,
    #[serde(default)]
    pub justification: String,
}

pub async fn classify(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<ClassifyForm>,
) -> Result<Response, AppError> {
    let result = async {
        let asset = assets::get(&app.store, read_scope(&actor), id).await?;
        let scale = assets::scale_for(&app.store, asset.org_id).await?;
        let mut errors = Vec::new();
        let mut level = |field: &str, raw: &str| match scale.level(field, raw) {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                0
            }
        };
        let dic = Dic {
            availability: level("availability", &form.availability),
            integrity: level("integrity", &form.integrity),
            confidentiality: level("confidentiality", &form.confidentiality),
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        assets::classify(
            &mut w,
            actor.person.id,
            id,
            dic,
            &form.justification,
            crate::time::today(),
            &scale,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/assets/{id}?done=classified")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let state = FormState::new(&[
                ("availability", &form.availability),
                ("integrity", &form.integrity),
                ("confidentiality", &form.confidentiality),
                ("justification", &form.justification),
            ])
            .with_errors(actor.language(), &errors);
            asset_page(
                &app,
                &actor,
                id,
                None,
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct DependencyForm {
    #[serde(default)]
    pub depends_on_id: String,
}

pub async fn add_dependency(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DependencyForm>,
) -> Result<Response, AppError> {
    assets::get(&app.store, manage_scope(&actor), id).await?;
    let result = async {
        let on = crate::ui::optional_id("depends_on_id", &form.depends_on_id)
            .map_err(|e| AppError::Invalid(vec![e]))?
            .ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new("depends_on_id", "error-required")])
            })?;
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        assets::add_dependency(
            &mut w,
            Scope::new(actor.person.id, Permission::AssetManage),
            id,
            on,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/assets/{id}?done=dependency")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let state = FormState::new(&[("depends_on_id", &form.depends_on_id)])
                .with_errors(actor.language(), &errors);
            asset_page(
                &app,
                &actor,
                id,
                None,
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(_)) => {
            Ok(Redirect::to(&format!("/assets/{id}?done=dependency")).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn remove_dependency(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DependencyForm>,
) -> Result<Response, AppError> {
    assets::get(&app.store, manage_scope(&actor), id).await?;
    let on = crate::ui::optional_id("depends_on_id", &form.depends_on_id)
        .map_err(|e| AppError::Invalid(vec![e]))?
        .ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new("depends_on_id", "error-required")])
        })?;
    let mut w = app.store.write(audit_context(&actor, &headers)).await?;
    assets::remove_dependency(
        &mut w,
        Scope::new(actor.person.id, Permission::AssetManage),
        id,
        on,
    )
    .await?;
    w.commit().await?;
    Ok(Redirect::to(&format!("/assets/{id}?done=dependency")).into_response())
}

// ---------------------------------------------------------------- up the tree

#[derive(Template)]
#[template(path = "assets_overview.html")]
struct OverviewPage {
    ctx: Ctx,
    org_name: String,
    bodies: Vec<BodyCounts>,
    totals: BodyCounts,
}

/// Each public body's inventory within the active organization (an operational centre sees
/// its bodies, the government centre all of them).
pub async fn overview(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    let ctx = page_ctx(&app, &actor, "/assets").await?;
    let org_id = match active_org(&actor) {
        Some(id) => id,
        None => actor
            .grants
            .first()
            .map(|g| g.org.0)
            .ok_or(AppError::NotFound)?,
    };
    let org = rempart_storage::orgs::get(
        &app.store,
        Scope::new(actor.person.id, Permission::OrgRead),
        org_id,
    )
    .await?;
    let bodies =
        assets::consolidated(&app.store, read_scope(&actor), org_id, crate::time::today()).await?;
    let mut totals = BodyCounts {
        org_id,
        org_name: org.name.clone(),
        assets: 0,
        unclassified: 0,
        review_overdue: 0,
        without_holder: 0,
        past_end_of_support: 0,
    };
    for b in &bodies {
        totals.assets += b.assets;
        totals.unclassified += b.unclassified;
        totals.review_overdue += b.review_overdue;
        totals.without_holder += b.without_holder;
        totals.past_end_of_support += b.past_end_of_support;
    }
    Ok(render(
        StatusCode::OK,
        &OverviewPage {
            ctx,
            org_name: org.name,
            bodies,
            totals,
        },
    ))
}

// ---------------------------------------------------------------- spreadsheets

#[derive(Debug, Deserialize, Default)]
pub struct ExportParams {
    #[serde(flatten)]
    pub list: AssetListParams,
    #[serde(default)]
    pub format: String,
}

/// The filtered list as CSV or XLSX (ASSET-03).
pub async fn export(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<ExportParams>,
) -> Result<Response, AppError> {
    let format = rempart_interchange::table::Format::parse(&params.format)
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("format", "error-choice")]))?;
    let filter = params.list.filter(active_org(&actor))?;
    let (bytes, content_type, name) =
        crate::inventory::export(&app.store, read_scope(&actor), &filter, format).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "asset_import.html")]
struct ImportPage {
    ctx: Ctx,
    summary: Option<String>,
    faults: Vec<crate::inventory::Fault>,
    row_by_row: bool,
    columns: Vec<(&'static str, bool)>,
}

async fn import_page(
    app: &AppState,
    actor: &Actor,
    summary: Option<crate::inventory::ImportSummary>,
    row_by_row: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/assets").await?;
    let (text, faults) = match summary {
        Some(s) => (
            Some(crate::inventory::summary_text(actor.language(), &s)),
            s.faults,
        ),
        None => (None, Vec::new()),
    };
    Ok(render(
        status,
        &ImportPage {
            ctx,
            summary: text,
            faults,
            row_by_row,
            columns: rempart_interchange::inventory::COLUMNS
                .iter()
                .filter(|c| !c.export_only)
                .map(|c| (c.french, c.required))
                .collect(),
        },
    ))
}

pub async fn import_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    import_page(&app, &actor, None, false, StatusCode::OK).await
}

/// An uploaded inventory: all or nothing unless the person chose row by row; the report
/// names every faulty row and column.
pub async fn import(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let mut file: Option<Vec<u8>> = None;
    let mut row_by_row = false;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        match field.name() {
            Some("file") => {
                file = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|e| AppError::BadRequest(e.body_text()))?
                        .to_vec(),
                )
            }
            Some("mode") => {
                row_by_row = field.text().await.unwrap_or_default() == "row_by_row";
            }
            _ => {}
        }
    }
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "file",
            "error-required",
        )]));
    };
    // Rows that name no unit go to the organization chosen in the switcher, as the command
    // line's --org does.
    let default_unit = match active_org(&actor) {
        Some(id) => rempart_storage::orgs::get(&app.store, read_scope(&actor), id)
            .await
            .ok()
            .map(|o| o.slug),
        None => None,
    };
    let summary = crate::inventory::import(
        &app.store,
        audit_context(&actor, &headers),
        manage_scope(&actor),
        &file,
        None,
        if row_by_row {
            rempart_storage::inventory_import::ImportMode::RowByRow
        } else {
            rempart_storage::inventory_import::ImportMode::AllOrNothing
        },
        active_org(&actor),
        default_unit,
        actor.language(),
    )
    .await?;
    let status = if summary.file_error.is_some() || (!summary.faults.is_empty() && !summary.written)
    {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    import_page(&app, &actor, Some(summary), row_by_row, status).await
}

// ---------------------------------------------------------------- classification scale

/// Up to this many levels on the scale form.
const SCALE_ROWS: u8 = 10;

#[derive(Template)]
#[template(path = "scale.html")]
struct ScalePage {
    ctx: Ctx,
    org_id: i64,
    org_name: String,
    own: bool,
    review_months: u32,
    /// (value, French label, English label) for each row of the form, empty past the scale.
    rows: Vec<(u8, String, String)>,
    can_manage: bool,
    form: FormState,
}

async fn scale_page(
    app: &AppState,
    actor: &Actor,
    org_id: i64,
    submitted: Option<(Scale, FormState)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let org = rempart_storage::orgs::get(&app.store, read_scope(actor), org_id).await?;
    let mut ctx = page_ctx(app, actor, "/assets").await?;
    if status == StatusCode::SEE_OTHER {
        ctx.flash = Some(ctx.t("scale-saved"));
    }
    let (scale, form) = match submitted {
        Some((scale, form)) => (scale, form),
        None => (
            assets::scale_for(&app.store, org_id).await?,
            FormState::default(),
        ),
    };
    let rows = (1..=SCALE_ROWS)
        .map(|v| {
            let level = scale.levels.iter().find(|l| l.value == v);
            (
                v,
                level.map(|l| l.label_fr.clone()).unwrap_or_default(),
                level.map(|l| l.label_en.clone()).unwrap_or_default(),
            )
        })
        .collect();
    let can_manage = actor.can(Permission::ScaleManage)
        && rempart_storage::orgs::get(
            &app.store,
            Scope::new(actor.person.id, Permission::ScaleManage),
            org_id,
        )
        .await
        .is_ok();
    Ok(render(
        if status == StatusCode::SEE_OTHER {
            StatusCode::OK
        } else {
            status
        },
        &ScalePage {
            ctx,
            org_id,
            org_name: org.name,
            own: assets::has_own_scale(&app.store, org_id).await?,
            review_months: scale.review_months,
            rows,
            can_manage,
            form,
        },
    ))
}

pub async fn scale_show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(id): Path<i64>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let status = if params.done.as_deref() == Some("saved") {
        StatusCode::SEE_OTHER
    } else {
        StatusCode::OK
    };
    scale_page(&app, &actor, id, None, status).await
}

/// The scale form: `fr_1`, `en_1`, … for each level (a level ends the scale where its labels
/// are left empty) and `review_months`.
pub async fn scale_save(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    rempart_storage::orgs::get(
        &app.store,
        Scope::new(actor.person.id, Permission::ScaleManage),
        id,
    )
    .await?;
    let field = |k: &str| form.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let mut levels = Vec::new();
    for v in 1..=SCALE_ROWS {
        let (fr, en) = (field(&format!("fr_{v}")), field(&format!("en_{v}")));
        if fr.is_empty() && en.is_empty() {
            break;
        }
        levels.push(rempart_domain::classification::ScaleLevel {
            value: v,
            label_fr: fr,
            label_en: en,
        });
    }
    let review_months = field("review_months").parse::<u32>().unwrap_or(0);
    let scale = Scale {
        levels,
        review_months,
    };
    let result = async {
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        assets::set_scale(
            &mut w,
            Scope::new(actor.person.id, Permission::ScaleManage),
            id,
            &scale,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{id}/scale?done=saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let values: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let state = FormState::new(&values).with_errors(actor.language(), &errors);
            scale_page(
                &app,
                &actor,
                id,
                Some((scale, state)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
