//! The authority register's page and its CSV export (REG-01, REG-02): designations with their
//! acts, current or with their history; per public body, the vacant mandatory roles; the
//! holders and their assets; assets without a designated holder; incompatible roles held by
//! one person. The page prints as it reads (the layout hides navigation and forms on paper).

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use rempart_domain::authz::Permission;
use rempart_domain::export::neutralize;
use rempart_storage::assets::{self, Asset, AssetFilter, AssetSort};
use rempart_storage::list::PageRequest;
use rempart_storage::register::{self, Conflict, Designation, HolderRow, Vacancies};
use rempart_storage::scope::Scope;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, Query};
use crate::ui::page_ctx;
use crate::views::{render, Ctx};
use crate::AppState;

/// At most this many designations on the page and in the export.
const LIMIT: i64 = 5000;

#[derive(Debug, Deserialize, Default)]
pub struct RegisterParams {
    /// `1` to include ended designations.
    #[serde(default)]
    pub history: String,
    pub org_id: Option<i64>,
}

impl RegisterParams {
    fn history(&self) -> bool {
        self.history == "1" || self.history == "true"
    }
}

/// The organization the register is shown for: asked for, else the active one, else the
/// first where the person holds a role. Read with the person's scope: another branch's is
/// "not found".
async fn register_org(
    app: &AppState,
    actor: &Actor,
    asked: Option<i64>,
) -> Result<rempart_storage::orgs::Organization, AppError> {
    let id = asked
        .or(actor.session.active_org_id)
        .or_else(|| actor.grants.first().map(|g| g.org.0))
        .ok_or(AppError::NotFound)?;
    Ok(rempart_storage::orgs::get(
        &app.store,
        Scope::new(actor.person.id, Permission::GrantRead),
        id,
    )
    .await?)
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    ctx: Ctx,
    org_id: i64,
    org_name: String,
    history: bool,
    designations: Vec<Designation>,
    vacancies: Vec<Vacancies>,
    holders: Vec<HolderRow>,
    without_holder: Vec<Asset>,
    conflicts: Vec<Conflict>,
}

pub async fn page(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<RegisterParams>,
) -> Result<Response, AppError> {
    let org = register_org(&app, &actor, params.org_id).await?;
    let person = actor.person.id;
    let designations =
        register::designations(&app.store, person, org.id, params.history(), LIMIT).await?;
    let vacancies = register::vacancies(&app.store, person, org.id).await?;
    let holders = register::holders(&app.store, person, org.id).await?;
    let conflicts =
        register::conflicts(&app.store, person, org.id, &app.config.incompatible_roles).await?;
    let without_holder = assets::list(
        &app.store,
        Scope::new(person, Permission::AssetRead),
        &AssetFilter {
            within: Some(org.id),
            without_holder: true,
            ..AssetFilter::default()
        },
        crate::time::today(),
        &PageRequest {
            limit: 500,
            offset: 0,
            sort: AssetSort::Name,
            descending: false,
        },
    )
    .await?
    .items;
    let ctx = page_ctx(&app, &actor, "/register").await?;
    Ok(render(
        StatusCode::OK,
        &RegisterPage {
            ctx,
            org_id: org.id,
            org_name: org.name,
            history: params.history(),
            designations,
            vacancies,
            holders,
            without_holder,
            conflicts,
        },
    ))
}

/// The designations as CSV (UTF-8 with a byte-order mark, which spreadsheets in French
/// read correctly), cells neutralized against formula injection.
pub async fn csv(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<RegisterParams>,
) -> Result<Response, AppError> {
    let org = register_org(&app, &actor, params.org_id).await?;
    let designations =
        register::designations(&app.store, actor.person.id, org.id, params.history(), LIMIT)
            .await?;
    let lang = actor.language();
    let t = |key: &str| crate::i18n::t(lang, key);
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let header = [
        t("person-name"),
        t("person-email"),
        t("grant-role"),
        t("grant-org"),
        t("designation-from"),
        t("designation-until"),
        t("designation-act-reference"),
        t("designation-status"),
    ];
    let fail = |e: csv::Error| AppError::internal(e);
    w.write_record(&header).map_err(fail)?;
    for d in &designations {
        let status = if d.ended_at.is_some() {
            t("designation-ended")
        } else {
            t("designation-current")
        };
        let role = t(&d.role.label_key());
        let record = [
            d.person_name.as_str(),
            d.person_email.as_str(),
            role.as_str(),
            d.org_name.as_str(),
            d.valid_from.as_deref().unwrap_or(""),
            d.valid_until.as_deref().unwrap_or(""),
            d.act_reference.as_str(),
            status.as_str(),
        ];
        w.write_record(record.iter().map(|c| neutralize(c).into_owned()))
            .map_err(fail)?;
    }
    let mut body = vec![0xEF, 0xBB, 0xBF];
    body.extend(
        w.into_inner()
            .map_err(|e| AppError::internal(e.to_string()))?,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"registre-autorite.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}
