//! The control catalogues' pages (CTRL-01, CTRL-02): the catalogs and profiles a person may
//! use, the upload of an OSCAL file (a multipart form that works without JavaScript, the fault
//! named in the reader's language), a catalog's controls (searchable, by group, paged) with
//! where an organization stands on each, and the small form that records that standing. The
//! rules and queries are storage's (`rempart_storage::controls`) and the import is the one the
//! API and the command line use (`crate::controls::import`).

use askama::Template;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use rempart_domain::authz::{allows, role_has, Permission};
use rempart_domain::FieldError;
use rempart_storage::controls::{self, CatalogRow, ControlFilter, ImplementationStatus};
use rempart_storage::list::{Page, DEFAULT_LIMIT};
use rempart_storage::scope::Scope;
use rempart_storage::StoreError;
use serde::Deserialize;

use crate::auth::Actor;
use crate::controls::ImportFault;
use crate::error::{AppError, Form, Path, Query};
use crate::i18n::{field_message, t_args};
use crate::ui::{audit_context, page_ctx, pager, Pager};
use crate::views::{render, Ctx, FormState};
use crate::AppState;

fn read_scope(actor: &Actor) -> Scope {
    Scope::new(actor.person.id, Permission::ControlRead)
}

fn manage_scope(actor: &Actor) -> Scope {
    Scope::new(actor.person.id, Permission::ControlManage)
}

/// A record's id as typed: anything but a number names no record.
fn record_id(raw: &str) -> Result<i64, AppError> {
    raw.trim().parse::<i64>().map_err(|_| AppError::NotFound)
}

fn kind_key(kind: &str) -> &'static str {
    if kind == "profile" {
        "control-kind-profile"
    } else {
        "control-kind-catalog"
    }
}

pub fn status_key(status: ImplementationStatus) -> String {
    format!("control-status-{}", status.as_str().replace('_', "-"))
}

/// Each fault with the label of its field, for the summary at the top of a page.
fn summary(ctx: &Ctx, form: &FormState, label: impl Fn(&str) -> String) -> Vec<(String, String)> {
    form.errors
        .iter()
        .map(|(field, message)| {
            (
                field.clone(),
                t_args(
                    ctx.lang,
                    "risk-form-fault",
                    &[
                        ("field", label(field).into()),
                        ("message", message.clone().into()),
                    ],
                ),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- the catalogs and the upload

pub struct CatalogView {
    pub id: i64,
    pub title: String,
    pub version: String,
    pub kind_key: &'static str,
    pub org_name: String,
    pub controls: i64,
    pub imported_at: i64,
}

/// What an import did, in words, with the catalog to open.
pub struct OutcomeView {
    pub text: String,
    pub id: i64,
}

#[derive(Template)]
#[template(path = "controls.html")]
struct ControlsPage {
    ctx: Ctx,
    catalogs: Vec<CatalogView>,
    can_import: bool,
    /// Where the person may import.
    orgs: Vec<(i64, String)>,
    /// The catalogs a profile may be resolved against.
    sources: Vec<(i64, String)>,
    form: FormState,
    summary: Vec<(String, String)>,
    outcome: Option<OutcomeView>,
}

async fn controls_page(
    app: &AppState,
    actor: &Actor,
    form: FormState,
    outcome: Option<OutcomeView>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let ctx = page_ctx(app, actor, "/controls").await?;
    let rows: Vec<CatalogRow> = controls::catalogs(&app.store, read_scope(actor)).await?;
    let can_import = actor.can(Permission::ControlManage);
    let orgs = if can_import {
        crate::ui::org_choices(app, manage_scope(actor)).await?
    } else {
        Vec::new()
    };
    let sources = rows
        .iter()
        .filter(|c| c.kind == "catalog")
        .map(|c| (c.id, format!("{} {} ({})", c.title, c.version, c.org_name)))
        .collect();
    let summary = summary(&ctx, &form, |field| match field {
        "org_id" => ctx.t("control-import-org"),
        "catalog_id" => ctx.t("control-import-source"),
        _ => ctx.t("control-import-file"),
    });
    let catalogs = rows
        .into_iter()
        .map(|c| CatalogView {
            kind_key: kind_key(&c.kind),
            id: c.id,
            title: c.title,
            version: c.version,
            org_name: c.org_name,
            controls: c.controls_count,
            imported_at: c.imported_at,
        })
        .collect();
    Ok(render(
        status,
        &ControlsPage {
            ctx,
            catalogs,
            can_import: can_import && !orgs.is_empty(),
            orgs,
            sources,
            form,
            summary,
            outcome,
        },
    ))
}

pub async fn list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
) -> Result<Response, AppError> {
    controls_page(&app, &actor, FormState::default(), None, StatusCode::OK).await
}

fn multipart_error(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge
    } else {
        AppError::BadRequest(e.body_text())
    }
}

/// An id typed in a form: absent (`None`), or a number, or the fault named.
fn optional_id(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match raw.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(field, "error-number"));
                None
            }
        },
    }
}

/// An uploaded OSCAL catalog or profile (multipart: `org_id`, optional `catalog_id`, `file`).
/// An organization where the person does not manage controls, or a catalog they may not use,
/// is not found before anything is said about the rest.
pub async fn import(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let mut multipart = multipart.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let (mut org_raw, mut catalog_raw, mut file) = (String::new(), String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("org_id") => org_raw = field.text().await.map_err(multipart_error)?,
            Some("catalog_id") => catalog_raw = field.text().await.map_err(multipart_error)?,
            Some("file") => file = Some(field.bytes().await.map_err(multipart_error)?),
            _ => {}
        }
    }
    let lang = actor.language();
    let mut errors = Vec::new();
    let org_id = optional_id("org_id", &org_raw, &mut errors);
    if org_id.is_none() && org_raw.trim().is_empty() {
        errors.push(FieldError::new("org_id", "error-required"));
    }
    let catalog_id = optional_id("catalog_id", &catalog_raw, &mut errors);
    if let Some(org) = org_id {
        rempart_storage::orgs::get(&app.store, manage_scope(&actor), org).await?;
    }
    if let Some(id) = catalog_id {
        let source = controls::catalog(&app.store, read_scope(&actor), id).await?;
        if source.kind != "catalog" {
            errors.push(FieldError::new("catalog_id", "error-choice"));
        }
    }
    let file = file.filter(|f| !f.is_empty());
    if file.is_none() {
        errors.push(FieldError::new("file", "error-required"));
    }
    let values = [
        ("org_id", org_raw.trim()),
        ("catalog_id", catalog_raw.trim()),
    ];
    let refused = |errors: Vec<(String, String)>| {
        let mut state = FormState::new(&values);
        state.errors = errors;
        state
    };
    let named = |errors: &[FieldError]| -> Vec<(String, String)> {
        errors
            .iter()
            .map(|e| (e.field.clone(), field_message(lang, e.code, e.limit)))
            .collect()
    };
    let (Some(org), Some(file), true) = (org_id, file, errors.is_empty()) else {
        let state = refused(named(&errors));
        return controls_page(&app, &actor, state, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let result = crate::controls::import(
        &app.store,
        audit_context(&actor, &headers),
        manage_scope(&actor),
        org,
        Some(actor.person.id),
        &file,
        catalog_id,
    )
    .await;
    let (faults, status) = match result {
        Ok(outcome) => {
            let i = &outcome.imported;
            let text = if i.unchanged {
                t_args(
                    lang,
                    "control-import-unchanged",
                    &[("title", outcome.title.clone().into())],
                )
            } else {
                t_args(
                    lang,
                    if outcome.kind == "profile" {
                        "control-import-profile"
                    } else {
                        "control-import-catalog"
                    },
                    &[
                        ("title", outcome.title.clone().into()),
                        ("controls", (i.controls as u64).into()),
                        ("groups", (i.groups as u64).into()),
                    ],
                )
            };
            let view = OutcomeView { text, id: i.id };
            let status = if i.unchanged {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            return controls_page(&app, &actor, FormState::default(), Some(view), status).await;
        }
        Err(ImportFault::Store(StoreError::Invalid(v))) => {
            (named(&v.0), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(ImportFault::Store(StoreError::NotFound)) => return Err(AppError::NotFound),
        Err(fault @ ImportFault::Store(StoreError::Conflict { .. })) => (
            vec![("file".to_owned(), fault.message(lang))],
            StatusCode::CONFLICT,
        ),
        Err(ImportFault::Store(other)) => return Err(other.into()),
        Err(fault @ ImportFault::NoCatalog) => (
            vec![("catalog_id".to_owned(), fault.message(lang))],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(fault) => (
            vec![("file".to_owned(), fault.message(lang))],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    controls_page(&app, &actor, refused(faults), None, status).await
}

// ---------------------------------------------------------------- one catalog's controls

#[derive(Debug, Deserialize, Default, Clone)]
pub struct CatalogParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub group: String,
    /// `1` to show withdrawn controls too.
    #[serde(default)]
    pub withdrawn: String,
    /// Whose standing is shown; the active organization by default.
    pub org_id: Option<String>,
    #[serde(default)]
    pub offset: String,
    pub done: Option<String>,
}

impl CatalogParams {
    /// The address of the same page (without the offset when `with_offset` is false).
    fn query(&self, org_id: Option<i64>, with_offset: bool) -> String {
        let org = org_id.map(|o| o.to_string()).unwrap_or_default();
        let mut pairs = vec![
            ("q", self.q.as_str()),
            ("group", self.group.as_str()),
            ("withdrawn", self.withdrawn.as_str()),
            ("org_id", org.as_str()),
        ];
        if with_offset {
            pairs.push(("offset", self.offset.as_str()));
        }
        let pairs: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

pub struct ControlView {
    pub id: i64,
    pub label: String,
    pub title: String,
    pub statement: String,
    pub withdrawn: bool,
    /// The status recorded, in words.
    pub status: Option<String>,
    pub note: String,
    /// The values of the control's form: as sent when it was refused, else as recorded.
    pub selected: String,
    pub note_value: String,
    pub status_error: Option<String>,
    pub note_error: Option<String>,
    pub control_error: Option<String>,
}

#[derive(Template)]
#[template(path = "control_catalog.html")]
struct CatalogPage {
    ctx: Ctx,
    catalog: CatalogRow,
    kind_key: &'static str,
    q: String,
    group: String,
    withdrawn: bool,
    offset: String,
    groups: Vec<(String, String)>,
    orgs: Vec<(i64, String)>,
    org_id: Option<i64>,
    /// The organization shown, or -1.
    selected_org: i64,
    org_name: String,
    /// Whether the person records statuses for the organization shown (and the catalog
    /// serves it).
    can_set: bool,
    statuses: Vec<(&'static str, String)>,
    controls: Vec<ControlView>,
    pager: Pager,
    summary: Vec<(String, String)>,
}

/// The organization whose standing is shown: the one asked for, else the active one, else the
/// first where the person reads controls.
async fn status_org(
    app: &AppState,
    actor: &Actor,
    asked: Option<&str>,
) -> Result<Option<i64>, AppError> {
    if let Some(raw) = asked.map(str::trim).filter(|r| !r.is_empty()) {
        return raw
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::Invalid(vec![FieldError::new("org_id", "error-number")]));
    }
    let mut candidates: Vec<i64> = actor.session.active_org_id.into_iter().collect();
    candidates.extend(
        actor
            .grants
            .iter()
            .filter(|g| role_has(g.role, Permission::ControlRead))
            .map(|g| g.org.0),
    );
    for org in candidates {
        match rempart_storage::orgs::get(&app.store, read_scope(actor), org).await {
            Ok(_) => return Ok(Some(org)),
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(None)
}

/// Whether the person may record where `org_id` stands on this catalog's controls: they
/// manage controls there and the catalog was imported there or above.
async fn may_set(
    app: &AppState,
    actor: &Actor,
    catalog: &CatalogRow,
    org_id: i64,
) -> Result<bool, AppError> {
    if !actor.can(Permission::ControlManage) {
        return Ok(false);
    }
    let mut conn = app.store.pool().acquire().await.map_err(StoreError::from)?;
    let path = rempart_storage::orgs::ancestors(&mut conn, org_id).await?;
    Ok(path.iter().any(|o| o.0 == catalog.org_id)
        && allows(&actor.grants, Permission::ControlManage, &path))
}

async fn catalog_page(
    app: &AppState,
    actor: &Actor,
    id: i64,
    params: &CatalogParams,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let catalog = controls::catalog(&app.store, read_scope(actor), id).await?;
    let groups: Vec<(String, String)> = controls::groups(&app.store, read_scope(actor), id)
        .await?
        .into_iter()
        .map(|g| (g.key, g.title))
        .collect();
    let org_id = status_org(app, actor, params.org_id.as_deref()).await?;
    // An organization out of reach is not found before anything is said about the filters.
    let org_name = match org_id {
        Some(org) => {
            rempart_storage::orgs::get(&app.store, read_scope(actor), org)
                .await?
                .name
        }
        None => String::new(),
    };
    let mut errors = Vec::new();
    let group = params.group.trim();
    if !group.is_empty() && !groups.iter().any(|(k, _)| k == group) {
        errors.push(FieldError::new("group", "error-choice"));
    }
    let withdrawn = match params.withdrawn.trim() {
        "" | "0" | "false" => false,
        "1" | "on" | "true" => true,
        _ => {
            errors.push(FieldError::new("withdrawn", "error-choice"));
            false
        }
    };
    let offset = match params.offset.trim() {
        "" => 0,
        raw => match raw.parse::<i64>() {
            Ok(n) if n >= 0 => n.min(i64::MAX / 2),
            _ => {
                errors.push(FieldError::new("offset", "error-number"));
                0
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (items, total) = controls::controls(
        &app.store,
        read_scope(actor),
        id,
        &ControlFilter {
            text: Some(params.q.clone()).filter(|q| !q.trim().is_empty()),
            group_key: Some(group.to_owned()).filter(|g| !g.is_empty()),
            include_withdrawn: withdrawn,
            status_of: org_id,
        },
        DEFAULT_LIMIT,
        offset,
    )
    .await?;
    let can_set = match org_id {
        Some(org) => may_set(app, actor, &catalog, org).await?,
        None => false,
    };
    let mut ctx = page_ctx(app, actor, "/controls").await?;
    if params.done.as_deref() == Some("status") {
        ctx.flash = Some(ctx.t("control-status-saved"));
    }
    let page = Page {
        items: vec![(); items.len()],
        total,
        limit: DEFAULT_LIMIT,
        offset,
    };
    let base = format!("/controls/{id}");
    let pager = pager(actor.language(), &page, &base, &params.query(org_id, false));
    let status_label = |raw: &str| {
        ImplementationStatus::parse(raw)
            .map(|s| ctx.t(&status_key(s)))
            .unwrap_or_else(|| raw.to_owned())
    };
    let labels: Vec<(i64, String)> = items.iter().map(|c| (c.id, c.label.clone())).collect();
    let controls = items
        .into_iter()
        .map(|c| {
            let status_field = format!("status-{}", c.id);
            let note_field = format!("note-{}", c.id);
            let sent = form.values.contains_key(&status_field);
            ControlView {
                status: c.status.as_deref().map(&status_label),
                note: c.status_note.clone().unwrap_or_default(),
                selected: if sent {
                    form.value(&status_field)
                } else {
                    c.status.clone().unwrap_or_default()
                },
                note_value: if sent {
                    form.value(&note_field)
                } else {
                    c.status_note.clone().unwrap_or_default()
                },
                status_error: form.error(&status_field),
                note_error: form.error(&note_field),
                control_error: form.error(&format!("control-{}", c.id)),
                id: c.id,
                label: c.label,
                title: c.title,
                statement: c.statement,
                withdrawn: c.withdrawn,
            }
        })
        .collect();
    // "État (AC-2(1))": the field and the control it belongs to.
    let summary = summary(&ctx, &form, |field| {
        let (kind, control) = field.split_once('-').unwrap_or((field, ""));
        let key = match kind {
            "status" => "control-status",
            "note" => "control-note",
            _ => "control-control",
        };
        let label = control
            .parse::<i64>()
            .ok()
            .and_then(|id| labels.iter().find(|(i, _)| *i == id))
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| control.to_owned());
        format!("{} ({label})", ctx.t(key))
    });
    let orgs = crate::ui::org_choices(app, read_scope(actor)).await?;
    let statuses = ImplementationStatus::ALL
        .iter()
        .map(|s| (s.as_str(), ctx.t(&status_key(*s))))
        .collect();
    Ok(render(
        status,
        &CatalogPage {
            kind_key: kind_key(&catalog.kind),
            ctx,
            catalog,
            q: params.q.clone(),
            group: group.to_owned(),
            withdrawn,
            offset: params.offset.trim().to_owned(),
            groups,
            orgs,
            org_id,
            selected_org: org_id.unwrap_or(-1),
            org_name,
            can_set,
            statuses,
            controls,
            pager,
            summary,
        },
    ))
}

pub async fn show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(raw): Path<String>,
    Query(params): Query<CatalogParams>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    catalog_page(
        &app,
        &actor,
        id,
        &params,
        FormState::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub control_id: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub note: String,
    /// The page the form was on, to come back to it.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub withdrawn: String,
    #[serde(default)]
    pub offset: String,
}

/// Records where an organization stands on one control of the catalog, then goes back to the
/// same page, search and control. Out of reach (the catalog, the organization, the control's
/// id) reads as missing before anything is said about the input.
pub async fn set_status(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    let catalog = controls::catalog(&app.store, read_scope(&actor), id).await?;
    let org_raw = form.org_id.trim();
    let org_id = match org_raw {
        "" => None,
        raw => Some(record_id(raw)?),
    };
    if let Some(org) = org_id {
        rempart_storage::orgs::get(&app.store, manage_scope(&actor), org).await?;
    }
    let control_id = record_id(&form.control_id)?;
    let params = CatalogParams {
        q: form.q.clone(),
        group: form.group.clone(),
        withdrawn: form.withdrawn.clone(),
        org_id: org_id.map(|o| o.to_string()),
        offset: form.offset.clone(),
        done: None,
    };
    let status_field = format!("status-{control_id}");
    let note_field = format!("note-{control_id}");
    let mut errors = Vec::new();
    let status = match form.status.trim() {
        "" => {
            errors.push(FieldError::new(status_field.clone(), "error-required"));
            None
        }
        raw => {
            let parsed = ImplementationStatus::parse(raw);
            if parsed.is_none() {
                errors.push(FieldError::new(status_field.clone(), "error-choice"));
            }
            parsed
        }
    };
    let result = match (org_id, status) {
        (None, _) => Err(AppError::Invalid(vec![FieldError::new(
            format!("control-{control_id}"),
            "error-required",
        )])),
        (Some(_), None) => Err(AppError::Invalid(errors)),
        (Some(org), Some(status)) => async {
            let mut w = app.store.write(audit_context(&actor, &headers)).await?;
            controls::set_status(
                &mut w,
                manage_scope(&actor),
                org,
                control_id,
                status,
                &form.note,
                Some(actor.person.id),
            )
            .await?;
            w.commit().await?;
            Ok::<(), AppError>(())
        }
        .await
        .map_err(|e| match e {
            AppError::Invalid(errors) => AppError::Invalid(
                errors
                    .into_iter()
                    .map(|mut e| {
                        e.field = match e.field.as_str() {
                            "note" => note_field.clone(),
                            "status" => status_field.clone(),
                            _ => format!("control-{control_id}"),
                        };
                        e
                    })
                    .collect(),
            ),
            other => other,
        }),
    };
    match result {
        Ok(()) => {
            let query = params.query(org_id, true);
            let sep = if query.is_empty() { "" } else { "&" };
            Ok(Redirect::to(&format!(
                "/controls/{}?{query}{sep}done=status#control-{control_id}",
                catalog.id
            ))
            .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let state = FormState::new(&[
                (status_field.as_str(), form.status.as_str()),
                (note_field.as_str(), form.note.as_str()),
            ])
            .with_errors(actor.language(), &errors);
            catalog_page(
                &app,
                &actor,
                id,
                &params,
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The language-dependent keys this module builds at run time (checked by the tests).
pub fn runtime_keys() -> Vec<String> {
    let mut keys: Vec<String> = ImplementationStatus::ALL
        .iter()
        .map(|s| status_key(*s))
        .collect();
    keys.push(kind_key("catalog").to_owned());
    keys.push(kind_key("profile").to_owned());
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::I18n;
    use rempart_domain::language::Language;

    // REQ CTRL-02
    // REQ PLAT-05
    #[test]
    fn keys_built_at_run_time_exist_in_both_languages() {
        for key in runtime_keys() {
            for language in Language::ALL {
                assert!(I18n::has(language, &key), "{key} missing in {language:?}");
            }
        }
        assert_eq!(
            status_key(ImplementationStatus::NotApplicable),
            "control-status-not-applicable"
        );
    }

    #[test]
    fn the_page_address_keeps_the_search_and_leaves_out_what_is_empty() {
        let params = CatalogParams {
            q: "AC-2(1)".into(),
            offset: "50".into(),
            ..CatalogParams::default()
        };
        assert_eq!(params.query(Some(4), false), "q=AC-2%281%29&org_id=4");
        assert_eq!(params.query(None, true), "q=AC-2%281%29&offset=50");
    }
}
