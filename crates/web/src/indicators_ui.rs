//! The risk-management indicators' page (RISK-06): per public body and in total, the risks,
//! those above their organization's threshold, overdue treatment actions, assets classified
//! and reviewed in the last twelve months, projects assessed before they went live; then the
//! projects of the organization's subtree with the verdict in words, the form that records a
//! project and, on each, the form that links a risk that assesses it. The counts and rules are
//! storage's and the domain's (`rempart_storage::indicators`), shared with the JSON API.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use rempart_domain::authz::Permission;
use rempart_domain::indicator::ProjectInput;
use rempart_domain::language::Language;
use rempart_domain::FieldError;
use rempart_storage::indicators::{self, Indicators};
use rempart_storage::list::PageRequest;
use rempart_storage::risks::{self, RiskFilter, RiskSort};
use rempart_storage::scope::Scope;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, Form, Path, Query};
use crate::i18n::t_args;
use crate::risk_method_ui::{allowed_in, risk_org};
use crate::ui::{audit_context, page_ctx};
use crate::views::{render, Ctx, FormState};
use crate::AppState;

/// The risks offered for linking to one project, at most.
const LINKABLE: i64 = 500;

fn read_scope(actor: &Actor) -> Scope {
    Scope::new(actor.person.id, Permission::RiskRead)
}

fn manage_scope(actor: &Actor) -> Scope {
    Scope::new(actor.person.id, Permission::RiskManage)
}

/// "3 sur 4 (75 %)", or "0 sur 0" when there is nothing to count.
pub fn ratio(lang: Language, n: i64, m: i64, percent: bool) -> String {
    if percent && m > 0 {
        let p = (n.saturating_mul(100) + m / 2) / m;
        t_args(
            lang,
            "indicator-ratio-percent",
            &[("n", n.into()), ("m", m.into()), ("p", p.into())],
        )
    } else {
        t_args(lang, "indicator-ratio", &[("n", n.into()), ("m", m.into())])
    }
}

/// The verdict of a project in words.
pub fn verdict_key(assessed: Option<bool>) -> &'static str {
    match assessed {
        Some(true) => "project-verdict-assessed",
        Some(false) => "project-verdict-not-assessed",
        None => "project-verdict-not-live",
    }
}

pub struct IndicatorRow {
    pub name: String,
    pub risks: i64,
    pub above_threshold: i64,
    pub overdue_actions: i64,
    pub assets: String,
    pub projects: String,
}

fn indicator_row(lang: Language, name: String, i: &Indicators) -> IndicatorRow {
    IndicatorRow {
        name,
        risks: i.risks,
        above_threshold: i.above_threshold,
        overdue_actions: i.overdue_actions,
        assets: ratio(lang, i.assets_classified_recently, i.assets, true),
        projects: ratio(
            lang,
            i.projects_assessed_before_go_live,
            i.projects_live,
            false,
        ),
    }
}

pub struct ProjectView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub org_name: String,
    pub go_live_on: String,
    pub risks: i64,
    pub first_assessed_on: Option<String>,
    pub verdict_key: &'static str,
    /// The risks the person may link to it; `None` when they may link none.
    pub linkable: Option<Vec<(i64, String)>>,
    pub risk_value: String,
    pub risk_error: Option<String>,
}

#[derive(Template)]
#[template(path = "risk_indicators.html")]
struct IndicatorsPage {
    ctx: Ctx,
    org_id: i64,
    org_name: String,
    orgs: Vec<(i64, String)>,
    bodies: Vec<IndicatorRow>,
    total: IndicatorRow,
    projects: Vec<ProjectView>,
    /// Where the person may record a project; empty when nowhere.
    manage_orgs: Vec<(i64, String)>,
    form: FormState,
    summary: Vec<(String, String)>,
    /// The privacy officer may start an impact assessment from a project (PRP-02).
    can_start_pia: bool,
}

/// The risks of `org_id`'s subtree that the person manages, by title.
async fn linkable(
    app: &AppState,
    actor: &Actor,
    org_id: i64,
    manages: &mut HashMap<i64, bool>,
) -> Result<Vec<(i64, String)>, AppError> {
    let page = risks::list(
        &app.store,
        read_scope(actor),
        &RiskFilter {
            within: Some(org_id),
            ..RiskFilter::default()
        },
        crate::time::today(),
        &PageRequest {
            limit: LINKABLE,
            offset: 0,
            sort: RiskSort::Title,
            descending: false,
        },
    )
    .await?;
    let mut out = Vec::with_capacity(page.items.len());
    for r in page.items {
        let allowed = match manages.get(&r.org_id) {
            Some(a) => *a,
            None => {
                let a = allowed_in(app, actor, Permission::RiskManage, r.org_id).await?;
                manages.insert(r.org_id, a);
                a
            }
        };
        if allowed {
            out.push((r.id, format!("{} ({})", r.title, r.org_name)));
        }
    }
    Ok(out)
}

/// The label a field of the page's forms is shown with.
fn field_label(ctx: &Ctx, field: &str, projects: &[ProjectView]) -> String {
    if let Some(id) = field
        .strip_prefix("risk_id-")
        .and_then(|id| id.parse::<i64>().ok())
    {
        let name = projects
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| id.to_string());
        return format!("{} ({name})", ctx.t("project-link-risk"));
    }
    match field {
        "org_id" => ctx.t("risk-org"),
        "name" => ctx.t("project-name"),
        "description" => ctx.t("project-description"),
        _ => ctx.t("project-go-live"),
    }
}

async fn indicators_page(
    app: &AppState,
    actor: &Actor,
    org_id: i64,
    form: FormState,
    flash: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let lang = actor.language();
    let today = crate::time::today();
    let (bodies, total) =
        indicators::indicators(&app.store, read_scope(actor), org_id, today).await?;
    let org = rempart_storage::orgs::get(&app.store, read_scope(actor), org_id).await?;
    let mut ctx = page_ctx(app, actor, "/risks").await?;
    ctx.flash = flash;
    let rows = indicators::projects(&app.store, read_scope(actor), org_id, today).await?;
    let may_manage = actor.can(Permission::RiskManage);
    let mut manages: HashMap<i64, bool> = HashMap::new();
    let mut projects = Vec::with_capacity(rows.len());
    for p in rows {
        let allowed =
            may_manage && allowed_in(app, actor, Permission::RiskManage, p.org_id).await?;
        let field = format!("risk_id-{}", p.id);
        projects.push(ProjectView {
            linkable: if allowed {
                Some(linkable(app, actor, p.org_id, &mut manages).await?)
            } else {
                None
            },
            risk_value: form.value(&field),
            risk_error: form.error(&field),
            verdict_key: verdict_key(p.assessed_before_go_live),
            id: p.id,
            name: p.name,
            description: p.description,
            org_name: p.org_name,
            go_live_on: p.go_live_on,
            risks: p.risks,
            first_assessed_on: p.first_assessed_on,
        });
    }
    let summary = form
        .errors
        .iter()
        .map(|(field, message)| {
            (
                field.clone(),
                t_args(
                    lang,
                    "risk-form-fault",
                    &[
                        ("field", field_label(&ctx, field, &projects).into()),
                        ("message", message.clone().into()),
                    ],
                ),
            )
        })
        .collect();
    let manage_orgs = if may_manage {
        crate::ui::org_choices(app, manage_scope(actor)).await?
    } else {
        Vec::new()
    };
    let orgs = crate::ui::org_choices(app, read_scope(actor)).await?;
    Ok(render(
        status,
        &IndicatorsPage {
            bodies: bodies
                .iter()
                .map(|b| indicator_row(lang, b.org_name.clone(), b))
                .collect(),
            total: indicator_row(lang, ctx.t("total"), &total),
            ctx,
            org_id,
            org_name: org.name,
            orgs,
            projects,
            manage_orgs,
            form,
            summary,
            can_start_pia: actor.can(Permission::PrivacyManage),
        },
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct IndicatorParams {
    pub org_id: Option<String>,
    pub done: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<IndicatorParams>,
) -> Result<Response, AppError> {
    let org_id = risk_org(&app, &actor, params.org_id.as_deref()).await?;
    let flash = match params.done.as_deref() {
        Some(d @ ("project" | "linked")) => Some(crate::i18n::t(
            actor.language(),
            &format!("project-done-{d}"),
        )),
        _ => None,
    };
    indicators_page(
        &app,
        &actor,
        org_id,
        FormState::default(),
        flash,
        StatusCode::OK,
    )
    .await
}

/// The page the form was sent from: its organization, else `fallback`.
fn page_org(raw: &str, fallback: i64) -> i64 {
    raw.trim().parse::<i64>().unwrap_or(fallback)
}

/// The page again, at the organization it was sent from when the person may still read it.
async fn refused(
    app: &AppState,
    actor: &Actor,
    page_org_raw: &str,
    fallback: i64,
    state: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let asked = page_org(page_org_raw, fallback);
    let org_id = match rempart_storage::orgs::get(&app.store, read_scope(actor), asked).await {
        Ok(_) => asked,
        Err(rempart_storage::StoreError::NotFound) => risk_org(app, actor, None).await?,
        Err(e) => return Err(e.into()),
    };
    indicators_page(app, actor, org_id, state, None, status).await
}

#[derive(Debug, Deserialize, Default)]
pub struct ProjectForm {
    /// The organization of the page the form is on.
    #[serde(default)]
    pub page_org_id: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub go_live_on: String,
}

/// Records a project. An organization where the person does not manage risks is not found
/// before anything is said about the rest.
pub async fn create_project(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(form): Form<ProjectForm>,
) -> Result<Response, AppError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let org_id = match form.org_id.trim() {
        "" => {
            errors.push(FieldError::new("org_id", "error-required"));
            None
        }
        raw => match raw.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new("org_id", "error-number"));
                None
            }
        },
    };
    if let Some(org) = org_id {
        rempart_storage::orgs::get(&app.store, manage_scope(&actor), org).await?;
    }
    let input = ProjectInput {
        org_id: org_id.unwrap_or(0),
        name: form.name.clone(),
        description: form.description.clone(),
        go_live_on: form.go_live_on.clone(),
    };
    let result = match org_id {
        None => {
            // Every fault at once: the organization's and the rest of the form's.
            if let Err(more) = input.check() {
                errors.extend(more.0);
            }
            Err(AppError::Invalid(errors))
        }
        Some(_) => {
            async {
                let mut w = app.store.write(audit_context(&actor, &headers)).await?;
                let id = indicators::create_project(&mut w, manage_scope(&actor), input).await?;
                w.commit().await?;
                Ok::<i64, AppError>(id)
            }
            .await
        }
    };
    let fallback = org_id.or(actor.session.active_org_id).unwrap_or_default();
    match result {
        Ok(id) => {
            let page = page_org(&form.page_org_id, fallback);
            Ok(Redirect::to(&format!(
                "/risks/indicators?org_id={page}&done=project#project-{id}"
            ))
            .into_response())
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = e.status();
            let state = FormState::new(&[
                ("org_id", form.org_id.trim()),
                ("name", form.name.as_str()),
                ("description", form.description.as_str()),
                ("go_live_on", form.go_live_on.trim()),
            ])
            .with_errors(actor.language(), &e.fields());
            refused(&app, &actor, &form.page_org_id, fallback, state, status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct LinkForm {
    #[serde(default)]
    pub page_org_id: String,
    #[serde(default)]
    pub risk_id: String,
}

/// Records that a risk assesses the project. A project the person does not manage is not
/// found before anything is said about the risk chosen.
pub async fn link_risk(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<LinkForm>,
) -> Result<Response, AppError> {
    let id = raw.trim().parse::<i64>().map_err(|_| AppError::NotFound)?;
    let field = format!("risk_id-{id}");
    let typed = match form.risk_id.trim() {
        "" => Err("error-required"),
        raw => raw.parse::<i64>().map_err(|_| "error-number"),
    };
    let result = async {
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        // No risk has id 0: a risk not chosen still lets the project be judged first.
        indicators::link_risk(
            &mut w,
            manage_scope(&actor),
            id,
            *typed.as_ref().unwrap_or(&0),
        )
        .await?;
        if let Err(code) = typed {
            return Err(AppError::Invalid(vec![FieldError::new(
                field.clone(),
                code,
            )]));
        }
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    let fallback = actor.session.active_org_id.unwrap_or_default();
    match result {
        Ok(()) => {
            let page = page_org(&form.page_org_id, fallback);
            Ok(Redirect::to(&format!(
                "/risks/indicators?org_id={page}&done=linked#project-{id}"
            ))
            .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let errors: Vec<FieldError> = errors
                .into_iter()
                .map(|mut e| {
                    e.field = field.clone();
                    if let Err(code) = typed {
                        e.code = code;
                    }
                    e
                })
                .collect();
            let state = FormState::new(&[(field.as_str(), form.risk_id.trim())])
                .with_errors(actor.language(), &errors);
            refused(
                &app,
                &actor,
                &form.page_org_id,
                fallback,
                state,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::I18n;

    // REQ RISK-06
    #[test]
    fn ratios_and_verdicts_are_written_out() {
        assert_eq!(ratio(Language::Fr, 2, 3, true), "2 sur 3 (67\u{a0}%)");
        assert_eq!(ratio(Language::En, 2, 3, true), "2 of 3 (67%)");
        assert_eq!(ratio(Language::Fr, 0, 0, true), "0 sur 0");
        assert_eq!(ratio(Language::Fr, 1, 4, false), "1 sur 4");
        for language in Language::ALL {
            for assessed in [Some(true), Some(false), None] {
                assert!(I18n::has(language, verdict_key(assessed)));
            }
            for done in ["project", "linked"] {
                assert!(I18n::has(language, &format!("project-done-{done}")));
            }
        }
        assert_eq!(
            crate::i18n::t(Language::Fr, verdict_key(Some(false))),
            "non évalué avant la mise en service"
        );
    }
}
