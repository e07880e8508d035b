//! The authority register's page and its CSV export (REG-01, REG-02): designations with their
//! acts, current or with their history; per public body, the vacant mandatory roles; the
//! holders and their assets; assets without a designated holder; incompatible roles held by
//! one person. The page prints as it reads (the layout hides navigation and forms on paper);
//! the PDF carries the same sections.

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Datelike, Timelike, Utc};
use rempart_domain::authz::Permission;
use rempart_domain::export::neutralize;
use rempart_domain::language::Language;
use rempart_report::{Block, Cell, Column, Orientation, Produced, Report, Table};
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

/// Everything the register shows for one organization, read once for the page and the PDF.
struct RegisterData {
    org_id: i64,
    org_name: String,
    designations: Vec<Designation>,
    vacancies: Vec<Vacancies>,
    holders: Vec<HolderRow>,
    without_holder: Vec<Asset>,
    conflicts: Vec<Conflict>,
}

async fn load(
    app: &AppState,
    actor: &Actor,
    params: &RegisterParams,
) -> Result<RegisterData, AppError> {
    let org = register_org(app, actor, params.org_id).await?;
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
    Ok(RegisterData {
        org_id: org.id,
        org_name: org.name,
        designations,
        vacancies,
        holders,
        without_holder,
        conflicts,
    })
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
    let data = load(&app, &actor, &params).await?;
    let ctx = page_ctx(&app, &actor, "/register").await?;
    Ok(render(
        StatusCode::OK,
        &RegisterPage {
            ctx,
            org_id: data.org_id,
            org_name: data.org_name,
            history: params.history(),
            designations: data.designations,
            vacancies: data.vacancies,
            holders: data.holders,
            without_holder: data.without_holder,
            conflicts: data.conflicts,
        },
    ))
}

/// The whole register as a PDF: the page's sections in the reader's language, tagged for
/// screen readers and archivable (see `rempart_report`).
pub async fn pdf(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<RegisterParams>,
) -> Result<Response, AppError> {
    let data = load(&app, &actor, &params).await?;
    let report = register_report(actor.language(), &data, params.history(), Utc::now());
    crate::risk_report::pdf_response(
        report,
        "attachment; filename=\"registre-autorite.pdf\"".to_owned(),
    )
    .await
}

fn register_report(
    lang: Language,
    data: &RegisterData,
    history: bool,
    now: DateTime<Utc>,
) -> Report {
    let t = |key: &str| crate::i18n::t(lang, key);
    let none = || Block::Paragraph(t("none"));
    let mut blocks = Vec::new();

    blocks.push(Block::Heading(t("register-vacancies")));
    if data.vacancies.is_empty() {
        blocks.push(none());
    } else {
        blocks.push(Block::Table(Table {
            caption: t("register-vacancies"),
            columns: vec![
                Column::new(t("kind-public_body"), 2.0),
                Column::new(t("register-vacant-roles"), 3.0),
            ],
            rows: data
                .vacancies
                .iter()
                .map(|v| {
                    let roles = if v.vacant.is_empty() {
                        t("register-all-filled")
                    } else {
                        v.vacant
                            .iter()
                            .map(|r| t(&r.label_key()))
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    vec![Cell::from(v.org_name.as_str()), Cell::from(roles)]
                })
                .collect(),
            row_headers: true,
        }));
    }

    blocks.push(Block::Heading(t("register-designations")));
    if data.designations.is_empty() {
        blocks.push(none());
    } else {
        blocks.push(Block::Table(Table {
            caption: if history {
                t("register-with-history")
            } else {
                t("register-current-only")
            },
            columns: vec![
                Column::new(t("person-name"), 2.0),
                Column::new(t("grant-role"), 2.2),
                Column::new(t("grant-org"), 2.0),
                Column::new(t("designation-from"), 1.1),
                Column::new(t("designation-until"), 1.1),
                Column::new(t("designation-act-reference"), 1.8),
                Column::new(t("designation-status"), 1.2),
            ],
            rows: data
                .designations
                .iter()
                .map(|d| {
                    let status = match d.ended_at {
                        Some(at) => {
                            format!("{} ({})", t("designation-ended"), crate::time::display(at))
                        }
                        None => t("designation-current"),
                    };
                    vec![
                        Cell::from(d.person_name.as_str()),
                        Cell::from(t(&d.role.label_key())),
                        Cell::from(d.org_name.as_str()),
                        Cell::from(d.valid_from.as_deref().unwrap_or("")),
                        Cell::from(d.valid_until.as_deref().unwrap_or("")),
                        Cell::from(d.act_reference.as_str()),
                        Cell::from(status),
                    ]
                })
                .collect(),
            row_headers: false,
        }));
    }

    blocks.push(Block::Heading(t("register-holders")));
    if data.holders.is_empty() {
        blocks.push(none());
    } else {
        blocks.push(Block::Table(Table {
            caption: t("register-holders"),
            columns: vec![
                Column::new(t("person-name"), 2.0),
                Column::new(t("asset-org"), 2.0),
                Column::new(t("assets-count"), 1.0),
            ],
            rows: data
                .holders
                .iter()
                .map(|h| {
                    vec![
                        Cell::from(h.person_name.as_str()),
                        Cell::from(h.org_name.as_str()),
                        Cell::from(h.assets.to_string()),
                    ]
                })
                .collect(),
            row_headers: false,
        }));
    }

    blocks.push(Block::Heading(t("asset-filter-without-holder")));
    if data.without_holder.is_empty() {
        blocks.push(none());
    } else {
        blocks.push(Block::Table(Table {
            caption: t("asset-filter-without-holder"),
            columns: vec![
                Column::new(t("asset-name"), 3.0),
                Column::new(t("asset-org"), 2.0),
                Column::new(t("asset-holder"), 2.0),
            ],
            rows: data
                .without_holder
                .iter()
                .map(|a| {
                    vec![
                        Cell::from(a.name.as_str()),
                        Cell::from(a.org_name.as_str()),
                        Cell::from(a.holder_name.as_str()),
                    ]
                })
                .collect(),
            row_headers: false,
        }));
    }

    blocks.push(Block::Heading(t("register-conflicts")));
    if data.conflicts.is_empty() {
        blocks.push(none());
    } else {
        blocks.push(Block::Table(Table {
            caption: t("register-conflicts"),
            columns: vec![
                Column::new(t("person-name"), 2.0),
                Column::new(t("grant-org"), 2.0),
                Column::new(t("register-conflicting-roles"), 3.0),
            ],
            rows: data
                .conflicts
                .iter()
                .map(|c| {
                    vec![
                        Cell::from(c.person_name.as_str()),
                        Cell::from(c.org_name.as_str()),
                        Cell::from(format!(
                            "{} + {}",
                            t(&c.roles.0.label_key()),
                            t(&c.roles.1.label_key())
                        )),
                    ]
                })
                .collect(),
            row_headers: false,
        }));
    }

    let title = format!("{} — {}", t("register-title"), data.org_name);
    let produced = crate::i18n::t_args(
        lang,
        "report-produced",
        &[("at", crate::time::display(now.timestamp_micros()).into())],
    );
    Report {
        title,
        subtitle: vec![
            crate::i18n::t_args(
                lang,
                "register-intro",
                &[("org", data.org_name.clone().into())],
            ),
            produced,
        ],
        language: lang.tag().to_owned(),
        page_label: crate::i18n::t_args(
            lang,
            "report-page",
            &[("page", "{page}".into()), ("pages", "{pages}".into())],
        ),
        creator: "Rempart".to_owned(),
        produced: Produced {
            year: u16::try_from(now.year()).unwrap_or(0),
            month: u8::try_from(now.month()).unwrap_or(1),
            day: u8::try_from(now.day()).unwrap_or(1),
            hour: u8::try_from(now.hour()).unwrap_or(0),
            minute: u8::try_from(now.minute()).unwrap_or(0),
            second: u8::try_from(now.second()).unwrap_or(0),
        },
        orientation: Orientation::Landscape,
        blocks,
    }
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
