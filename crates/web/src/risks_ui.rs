//! The risk register's pages (RISK-01 to RISK-05): the list with its filters, a risk with its
//! scenario, ratings, plan, approvals and reassessment reasons, the forms to record and
//! reassess a risk, to put it forward, approve it and flag it after an audit finding, and the
//! heat maps of an organization with the method's band colours served as a stylesheet (the
//! Content-Security-Policy forbids inline styles). Every form works without JavaScript; the
//! rules are the domain's and the storage's, shared with the JSON API.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use rempart_domain::authz::{allows, role_has, Permission};
use rempart_domain::language::Language;
use rempart_domain::risk::{
    ActionStatus, AxisLevel, Impacts, Method, Rating, Reassessment, RiskInput, Treatment,
};
use rempart_domain::{FieldError, ValidationErrors};
use rempart_storage::assets::{self, AssetFilter, AssetSort};
use rempart_storage::list::{PageRequest, DEFAULT_LIMIT};
use rempart_storage::risks::{self, HeatMap, Risk, RiskFilter, RiskRow, RiskSort};
use rempart_storage::scope::Scope;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, Form, Path, Query};
use crate::i18n::t_args;
use crate::risks_api::{ActionParts, RiskParts, RESIDUAL_FIELDS};
use crate::ui::{audit_context, page_ctx, pager, DoneParams, Pager};
use crate::views::{render, Ctx, FormState};
use crate::AppState;

/// Blank rows offered under the plan's actions, to add as many at once.
const BLANK_ACTIONS: usize = 3;

fn scope(actor: &Actor, permission: Permission) -> Scope {
    Scope::new(actor.person.id, permission)
}

/// A record's id from the path: anything but a number names no record.
fn record_id(raw: &str) -> Result<i64, AppError> {
    raw.trim().parse::<i64>().map_err(|_| AppError::NotFound)
}

fn french(actor: &Actor) -> bool {
    actor.language() == Language::Fr
}

fn text_of(fr: &str, en: &str, french: bool) -> String {
    if french { fr } else { en }.to_owned()
}

/// "3 — Possible": a level with its label on the method's scale, or the bare value off it.
fn level_label(levels: &[AxisLevel], value: u8, french: bool) -> String {
    match levels.iter().find(|l| l.value == value) {
        Some(l) => format!("{value} — {}", text_of(&l.label_fr, &l.label_en, french)),
        None => value.to_string(),
    }
}

fn band_label(method: &Method, band: usize, french: bool) -> String {
    method
        .bands
        .get(band)
        .map(|b| text_of(&b.label_fr, &b.label_en, french))
        .unwrap_or_default()
}

/// "12 — Élevé".
fn scored(method: &Method, score: i64, french: bool) -> String {
    let band = method.band_of(u16::try_from(score).unwrap_or(u16::MAX));
    format!("{score} — {}", band_label(method, band, french))
}

fn status_key(status: &str) -> String {
    format!("risk-status-{status}")
}

fn action_status_key(status: ActionStatus) -> String {
    format!("risk-action-status-{}", status.as_str().replace('_', "-"))
}

async fn method_of(app: &AppState, org_id: i64) -> Result<Method, AppError> {
    let mut conn = app
        .store
        .pool()
        .acquire()
        .await
        .map_err(rempart_storage::StoreError::from)?;
    Ok(risks::method_for(&mut conn, org_id).await?.0)
}

/// Whether the person manages risks in the organization (the domain's rule on their grants).
async fn manages(app: &AppState, actor: &Actor, org_id: i64) -> Result<bool, AppError> {
    if !actor.can(Permission::RiskManage) {
        return Ok(false);
    }
    let mut conn = app
        .store
        .pool()
        .acquire()
        .await
        .map_err(rempart_storage::StoreError::from)?;
    let path = rempart_storage::orgs::ancestors(&mut conn, org_id).await?;
    Ok(allows(&actor.grants, Permission::RiskManage, &path))
}

/// The risk as the person may see it: within their reading scope, or as the holder of an
/// asset of its perimeter (who is asked to approve it).
async fn visible_risk(app: &AppState, actor: &Actor, id: i64) -> Result<Risk, AppError> {
    Ok(risks::get_for_approver(&app.store, actor.person.id, id, crate::time::today()).await?)
}

/// A risk the person manages, else not found (before anything about the input is said).
async fn managed_risk(app: &AppState, actor: &Actor, id: i64) -> Result<Risk, AppError> {
    let risk = risks::get(
        &app.store,
        scope(actor, Permission::RiskRead),
        id,
        crate::time::today(),
    )
    .await?;
    if risk.row.archived || !manages(app, actor, risk.row.org_id).await? {
        return Err(AppError::NotFound);
    }
    Ok(risk)
}

/// The organization a page about a subtree starts from when none is asked for: the one
/// chosen in the switcher, else the first where the person reads risks, as long as the
/// person may read risks there.
async fn map_org(app: &AppState, actor: &Actor, asked: Option<&str>) -> Result<i64, AppError> {
    if let Some(raw) = asked.map(str::trim).filter(|r| !r.is_empty()) {
        return raw
            .parse::<i64>()
            .map_err(|_| AppError::Invalid(vec![FieldError::new("org_id", "error-number")]));
    }
    let mut candidates: Vec<i64> = actor.session.active_org_id.into_iter().collect();
    candidates.extend(
        actor
            .grants
            .iter()
            .filter(|g| role_has(g.role, Permission::RiskRead))
            .map(|g| g.org.0),
    );
    for org in candidates {
        match risks::method(&app.store, scope(actor, Permission::RiskRead), org).await {
            Ok(_) => return Ok(org),
            Err(rempart_storage::StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::NotFound)
}

// ---------------------------------------------------------------- list

#[derive(Debug, Deserialize, Default)]
pub struct RiskListParams {
    #[serde(default)]
    pub q: String,
    /// `draft`, `proposed` or `approved`.
    #[serde(default)]
    pub status: String,
    /// `to_reassess` or `overdue_actions`.
    #[serde(default)]
    pub flag: String,
    /// An organization and its subtree; absent: the active organization; empty: all.
    pub within: Option<String>,
    /// `score`, `title`, `review_due` or `updated`.
    #[serde(default)]
    pub sort: String,
    /// `asc` or `desc`; the worst first by default.
    #[serde(default)]
    pub order: String,
    #[serde(default)]
    pub offset: String,
}

pub const STATUSES: [&str; 3] = ["draft", "proposed", "approved"];
pub const FLAGS: [&str; 2] = ["to_reassess", "overdue_actions"];
const SORTS: [&str; 4] = ["score", "title", "review_due", "updated"];

impl RiskListParams {
    /// The filter and the page asked for, every faulty parameter named.
    fn read(
        &self,
        active_org: Option<i64>,
    ) -> Result<(RiskFilter, PageRequest<RiskSort>, String), AppError> {
        let mut errors = Vec::new();
        let mut choice = |field: &str, value: &str, allowed: &[&str]| {
            let v = value.trim();
            if v.is_empty() {
                None
            } else if allowed.contains(&v) {
                Some(v.to_owned())
            } else {
                errors.push(FieldError::new(field, "error-choice"));
                None
            }
        };
        let status = choice("status", &self.status, &STATUSES);
        let flag = choice("flag", &self.flag, &FLAGS);
        let sort = choice("sort", &self.sort, &SORTS);
        let order = choice("order", &self.order, &["asc", "desc"]);
        let within = match self.within.as_deref().map(str::trim) {
            None => active_org,
            Some("") => None,
            Some(raw) => match raw.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(FieldError::new("within", "error-number"));
                    None
                }
            },
        };
        let offset = match self.offset.trim() {
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
        let sort = sort
            .as_deref()
            .and_then(RiskSort::parse)
            .unwrap_or(RiskSort::Score);
        let descending = match order.as_deref() {
            Some(o) => o == "desc",
            None => sort == RiskSort::Score,
        };
        let filter = RiskFilter {
            text: Some(self.q.clone()).filter(|q| !q.trim().is_empty()),
            within,
            status,
            to_reassess: flag.as_deref() == Some("to_reassess"),
            with_overdue_actions: flag.as_deref() == Some("overdue_actions"),
            ..RiskFilter::default()
        };
        let within_text = within.map(|w| w.to_string()).unwrap_or_default();
        let query = serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("status", self.status.as_str()),
            ("flag", self.flag.as_str()),
            ("within", within_text.as_str()),
            ("sort", self.sort.as_str()),
            ("order", self.order.as_str()),
        ])
        .unwrap_or_default();
        Ok((
            filter,
            PageRequest {
                limit: DEFAULT_LIMIT,
                offset,
                sort,
                descending,
            },
            query,
        ))
    }
}

pub struct ListRow {
    pub id: i64,
    pub title: String,
    pub org_name: String,
    pub owner_name: String,
    pub gross: String,
    pub residual: Option<String>,
    pub status_key: String,
    pub review_due: String,
    pub to_reassess: bool,
    pub overdue_actions: i64,
}

#[derive(Template)]
#[template(path = "risks.html")]
struct RisksPage {
    ctx: Ctx,
    rows: Vec<ListRow>,
    pager: Pager,
    q: String,
    status: String,
    flag: String,
    within: String,
    sort: String,
    order: String,
    statuses: Vec<(&'static str, String)>,
    flags: Vec<(&'static str, String)>,
    sorts: Vec<(&'static str, String)>,
    orgs: Vec<(i64, String)>,
    can_manage: bool,
}

fn list_rows(rows: Vec<RiskRow>, methods: &HashMap<i64, Method>, french: bool) -> Vec<ListRow> {
    let default = Method::default();
    rows.into_iter()
        .map(|r| {
            let method = methods.get(&r.org_id).unwrap_or(&default);
            ListRow {
                gross: format!(
                    "{} — {}",
                    r.gross_score,
                    text_of(&r.gross_band_label_fr, &r.gross_band_label_en, french)
                ),
                residual: r.residual_score.map(|s| scored(method, s, french)),
                status_key: status_key(&r.status),
                id: r.id,
                title: r.title,
                org_name: r.org_name,
                owner_name: r.owner_name,
                review_due: r.review_due,
                to_reassess: r.to_reassess,
                overdue_actions: r.overdue_actions,
            }
        })
        .collect()
}

pub async fn list(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<RiskListParams>,
) -> Result<Response, AppError> {
    let (filter, page_request, query) = params.read(actor.session.active_org_id)?;
    let page = risks::list(
        &app.store,
        scope(&actor, Permission::RiskRead),
        &filter,
        crate::time::today(),
        &page_request,
    )
    .await?;
    let ctx = page_ctx(&app, &actor, "/risks").await?;
    let pager = pager(actor.language(), &page, "/risks", &query);
    let mut methods: HashMap<i64, Method> = HashMap::new();
    for row in &page.items {
        if let std::collections::hash_map::Entry::Vacant(e) = methods.entry(row.org_id) {
            e.insert(method_of(&app, row.org_id).await?);
        }
    }
    let rows = list_rows(page.items, &methods, french(&actor));
    let orgs = crate::ui::org_choices(&app, scope(&actor, Permission::RiskRead)).await?;
    let keyed = |prefix: &str, values: &[&'static str]| -> Vec<(&'static str, String)> {
        values
            .iter()
            .map(|v| (*v, ctx.t(&format!("{prefix}{}", v.replace('_', "-")))))
            .collect()
    };
    let statuses = keyed("risk-status-", &STATUSES);
    let flags = keyed("risk-filter-", &FLAGS);
    let sorts = keyed("risk-sort-", &SORTS);
    Ok(render(
        StatusCode::OK,
        &RisksPage {
            rows,
            pager,
            q: params.q.clone(),
            status: params.status.clone(),
            flag: params.flag.clone(),
            within: filter.within.map(|w| w.to_string()).unwrap_or_default(),
            sort: params.sort.clone(),
            order: params.order.clone(),
            statuses,
            flags,
            sorts,
            orgs,
            can_manage: actor.can(Permission::RiskManage),
            ctx,
        },
    ))
}

// ---------------------------------------------------------------- one risk

pub struct RatingView {
    pub likelihood: String,
    pub availability: String,
    pub integrity: String,
    pub confidentiality: String,
    /// The three impacts combined by the method's rule.
    pub impact: String,
    pub score: String,
}

fn rating_view(method: &Method, rating: &Rating, score: i64, french: bool) -> RatingView {
    let impact = |v: u8| level_label(&method.impact, v, french);
    RatingView {
        likelihood: level_label(&method.likelihood, rating.likelihood, french),
        availability: impact(rating.impacts.availability),
        integrity: impact(rating.impacts.integrity),
        confidentiality: impact(rating.impacts.confidentiality),
        impact: method
            .score(rating)
            .map(|s| impact(s.impact))
            .unwrap_or_else(|_| "—".to_owned()),
        score: scored(method, score, french),
    }
}

pub struct ActionView {
    pub title: String,
    pub owner_name: String,
    pub due_on: String,
    pub status_key: String,
    pub controls: String,
    pub overdue: bool,
}

pub struct ApprovalView {
    pub approver_name: String,
    pub approved_at: i64,
    pub approved_on: String,
    pub justification: String,
    pub expires_on: String,
    pub score: i64,
    pub above_threshold: bool,
    pub ended_at: Option<i64>,
    pub ended_reason: String,
}

pub struct ReassessmentView {
    pub reason: String,
    pub flagged_at: i64,
    pub cleared_at: Option<i64>,
}

/// A reassessment reason in the reader's language, with its detail.
fn reason_text(lang: Language, reason: &Reassessment) -> String {
    let detail = match reason {
        Reassessment::Incident { incident } => incident.clone(),
        Reassessment::AuditFinding { finding } => finding.clone(),
        Reassessment::LegalChange { change } => change.clone(),
        Reassessment::ReviewDue { due } => due.to_string(),
        Reassessment::ApprovalExpired { expired } => expired.to_string(),
        Reassessment::MethodChanged => String::new(),
    };
    t_args(lang, &reason.label_key(), &[("detail", detail.into())])
}

const ENDED_REASONS: [&str; 4] = ["replaced", "reassessed", "expired", "method_changed"];

#[derive(Template)]
#[template(path = "risk.html")]
struct RiskPage {
    ctx: Ctx,
    risk: Risk,
    status_key: String,
    treatment_key: Option<String>,
    gross: RatingView,
    residual: Option<RatingView>,
    threshold: u16,
    actions: Vec<ActionView>,
    approvals: Vec<ApprovalView>,
    reassessments: Vec<ReassessmentView>,
    can_manage: bool,
    can_propose: bool,
    can_approve: bool,
    form: FormState,
}

async fn risk_page(
    app: &AppState,
    actor: &Actor,
    id: i64,
    done: Option<&str>,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let risk = visible_risk(app, actor, id).await?;
    let method = method_of(app, risk.row.org_id).await?;
    let lang = actor.language();
    let fr = french(actor);
    let mut ctx = page_ctx(app, actor, "/risks").await?;
    ctx.flash = match done {
        Some(d @ ("created" | "updated" | "proposed" | "approved" | "flagged")) => {
            Some(ctx.t(&format!("risk-done-{d}")))
        }
        _ => None,
    };
    let can_manage = !risk.row.archived && manages(app, actor, risk.row.org_id).await?;
    let gross = rating_view(&method, &risk.row.gross, risk.row.gross_score, fr);
    let residual = risk
        .row
        .residual
        .zip(risk.row.residual_score)
        .map(|(r, s)| rating_view(&method, &r, s, fr));
    let actions = risk
        .actions
        .iter()
        .map(|a| ActionView {
            title: a.title.clone(),
            owner_name: a.owner_name.clone(),
            due_on: a.due_on.clone(),
            status_key: action_status_key(a.status),
            controls: a.controls.join(", "),
            overdue: a.overdue,
        })
        .collect();
    let approvals = risk
        .approvals
        .iter()
        .map(|a| ApprovalView {
            approver_name: a.approver_name.clone(),
            approved_at: a.approved_at,
            approved_on: a.approved_on.clone(),
            justification: a.justification.clone(),
            expires_on: a.expires_on.clone(),
            score: a.residual_score,
            above_threshold: a.above_threshold,
            ended_at: a.ended_at,
            ended_reason: match a.ended_reason.as_deref() {
                Some(r) if ENDED_REASONS.contains(&r) => {
                    ctx.t(&format!("risk-approval-ended-{}", r.replace('_', "-")))
                }
                Some(r) => r.to_owned(),
                None => String::new(),
            },
        })
        .collect();
    let reassessments = risk
        .reassessments
        .iter()
        .map(|r| ReassessmentView {
            reason: reason_text(lang, &r.reason),
            flagged_at: r.flagged_at,
            cleared_at: r.cleared_at,
        })
        .collect();
    Ok(render(
        status,
        &RiskPage {
            status_key: status_key(&risk.row.status),
            treatment_key: risk.row.treatment.map(Treatment::label_key),
            gross,
            residual,
            threshold: method.threshold,
            actions,
            approvals,
            reassessments,
            can_propose: can_manage && risk.row.status == "draft",
            can_approve: !risk.row.archived
                && actor.can(Permission::RiskApprove)
                && risk.row.status == "proposed",
            can_manage,
            form,
            ctx,
            risk,
        },
    ))
}

pub async fn show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(raw): Path<String>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    risk_page(
        &app,
        &actor,
        id,
        params.done.as_deref(),
        FormState::default(),
        StatusCode::OK,
    )
    .await
}

/// The risk's page again with a refused form's faults, each under the field of the form that
/// was sent (`keep`), any other fault under that form's own anchor (`anchor`).
async fn refused(
    app: &AppState,
    actor: &Actor,
    id: i64,
    errors: Vec<FieldError>,
    values: &[(&str, &str)],
    keep: &str,
    anchor: &'static str,
) -> Result<Response, AppError> {
    let errors: Vec<FieldError> = errors
        .into_iter()
        .map(|mut e| {
            if e.field != keep {
                e.field = anchor.to_owned();
            }
            e
        })
        .collect();
    let state = FormState::new(values).with_errors(actor.language(), &errors);
    risk_page(
        app,
        actor,
        id,
        None,
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// Puts the risk forward for approval.
pub async fn propose(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_risk(&app, &actor, id).await?;
    let result = async {
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        risks::propose(
            &mut w,
            scope(&actor, Permission::RiskManage),
            id,
            actor.person.id,
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/risks/{id}?done=proposed")).into_response()),
        Err(AppError::Invalid(errors)) => {
            refused(&app, &actor, id, errors, &[], "propose", "propose").await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ApprovalForm {
    #[serde(default)]
    pub justification: String,
}

/// Approves the residual risk put forward; the storage applies the domain's rule (holder up
/// to the threshold, the higher approver above, never the proposer).
pub async fn approve(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<ApprovalForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    // Out of reach reads as missing, before anything about the input is said.
    visible_risk(&app, &actor, id).await?;
    let result = async {
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        risks::approve(
            &mut w,
            actor.person.id,
            id,
            &form.justification,
            crate::time::today(),
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/risks/{id}?done=approved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            refused(
                &app,
                &actor,
                id,
                errors,
                &[("justification", &form.justification)],
                "justification",
                "approval",
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ReassessForm {
    #[serde(default)]
    pub detail: String,
}

/// Flags the risk for reassessment after an audit finding.
pub async fn reassess(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<ReassessForm>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_risk(&app, &actor, id).await?;
    let result = async {
        let finding = rempart_domain::validation::required_text("detail", &form.detail, 500)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        risks::flag(
            &mut w,
            scope(&actor, Permission::RiskManage),
            id,
            &Reassessment::AuditFinding { finding },
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/risks/{id}?done=flagged")).into_response()),
        Err(AppError::Invalid(errors)) => {
            refused(
                &app,
                &actor,
                id,
                errors,
                &[("detail", &form.detail)],
                "detail",
                "detail",
            )
            .await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- form

/// The form's fields in the order they are shown: faults are listed in that order.
const FIELD_ORDER: [&str; 20] = [
    "org_id",
    "title",
    "description",
    "threat",
    "vulnerability",
    "existing_controls",
    "owner_id",
    "asset_ids",
    "likelihood",
    "impact_availability",
    "impact_integrity",
    "impact_confidentiality",
    "treatment",
    "residual_likelihood",
    "residual_impact_availability",
    "residual_impact_integrity",
    "residual_impact_confidentiality",
    "residual_description",
    "actions",
    "version",
];

const ACTION_FIELDS: [&str; 5] = ["title", "owner_id", "due_on", "status", "controls"];

const GROSS_FIELDS: [&str; 4] = [
    "likelihood",
    "impact_availability",
    "impact_integrity",
    "impact_confidentiality",
];

fn field_rank(field: &str) -> (usize, usize, usize) {
    if let Some(rest) = field.strip_prefix("actions.") {
        let mut parts = rest.splitn(2, '.');
        let row = parts
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(usize::MAX);
        let sub = parts
            .next()
            .and_then(|f| ACTION_FIELDS.iter().position(|a| *a == f))
            .unwrap_or(ACTION_FIELDS.len());
        let at = FIELD_ORDER
            .iter()
            .position(|f| *f == "actions")
            .unwrap_or(0);
        return (at, row.saturating_add(1), sub);
    }
    let at = FIELD_ORDER
        .iter()
        .position(|f| *f == field)
        .unwrap_or(FIELD_ORDER.len());
    (at, 0, 0)
}

/// One field per name, the first fault found, in the form's order.
fn tidy(errors: Vec<FieldError>) -> Vec<FieldError> {
    let mut out: Vec<FieldError> = Vec::with_capacity(errors.len());
    for e in errors {
        if !out.iter().any(|o| o.field == e.field) {
            out.push(e);
        }
    }
    out.sort_by_key(|e| field_rank(&e.field));
    out
}

/// One row of the plan as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ActionRow {
    title: String,
    owner_id: String,
    due_on: String,
    status: String,
    controls: String,
}

impl ActionRow {
    fn is_blank(&self) -> bool {
        self.title.trim().is_empty()
            && self.owner_id.trim().is_empty()
            && self.due_on.trim().is_empty()
            && self.controls.trim().is_empty()
    }
}

/// The risk form as typed: every field a text, the assets checked, the plan's rows that are
/// not blank, in order (so that `actions.N` names the N-th action the domain checks).
#[derive(Debug, Clone, Default)]
struct RiskForm {
    fields: HashMap<String, String>,
    asset_ids: Vec<String>,
    actions: Vec<ActionRow>,
}

/// Rows past this index are not read: far more than a plan may hold.
const MAX_ROW_INDEX: usize = rempart_domain::risk::MAX_ACTIONS * 4;

impl RiskForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> RiskForm {
        let mut form = RiskForm::default();
        let mut rows: BTreeMap<usize, ActionRow> = BTreeMap::new();
        for (name, value) in pairs {
            if name == "asset_ids" {
                form.asset_ids.push(value);
            } else if let Some(rest) = name.strip_prefix("actions.") {
                let Some((index, field)) = rest.split_once('.') else {
                    continue;
                };
                let Some(index) = index.parse::<usize>().ok().filter(|i| *i <= MAX_ROW_INDEX)
                else {
                    continue;
                };
                let row = rows.entry(index).or_default();
                match field {
                    "title" => row.title = value,
                    "owner_id" => row.owner_id = value,
                    "due_on" => row.due_on = value,
                    "status" => row.status = value,
                    "controls" => row.controls = value,
                    _ => {}
                }
            } else if FIELD_ORDER.contains(&name.as_str()) {
                form.fields.entry(name).or_insert(value);
            }
        }
        form.actions = rows.into_values().filter(|r| !r.is_blank()).collect();
        form
    }

    fn get(&self, field: &str) -> &str {
        self.fields.get(field).map(String::as_str).unwrap_or("")
    }

    /// The form of a stored risk.
    fn of(risk: &Risk) -> RiskForm {
        let row = &risk.row;
        let mut fields: HashMap<String, String> = HashMap::new();
        let mut set = |k: &str, v: String| {
            fields.insert(k.to_owned(), v);
        };
        set("org_id", row.org_id.to_string());
        set("title", row.title.clone());
        set("description", risk.description.clone());
        set("threat", risk.threat.clone());
        set("vulnerability", risk.vulnerability.clone());
        set("existing_controls", risk.existing_controls.clone());
        set("owner_id", row.owner_id.to_string());
        let levels = |r: &Rating| {
            [
                r.likelihood,
                r.impacts.availability,
                r.impacts.integrity,
                r.impacts.confidentiality,
            ]
        };
        for (field, v) in GROSS_FIELDS.iter().zip(levels(&row.gross)) {
            set(field, v.to_string());
        }
        if let Some(r) = &row.residual {
            for (field, v) in RESIDUAL_FIELDS.iter().zip(levels(r)) {
                set(field, v.to_string());
            }
        }
        set(
            "treatment",
            row.treatment
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
        );
        set("residual_description", risk.residual_description.clone());
        set("version", row.version.to_string());
        RiskForm {
            fields,
            asset_ids: risk.assets.iter().map(|a| a.id.to_string()).collect(),
            actions: risk
                .actions
                .iter()
                .map(|a| ActionRow {
                    title: a.title.clone(),
                    owner_id: a.owner_id.to_string(),
                    due_on: a.due_on.clone(),
                    status: a.status.as_str().to_owned(),
                    controls: a.controls.join(", "),
                })
                .collect(),
        }
    }

    /// The values to show the form again with.
    fn state(&self) -> FormState {
        let mut state = FormState {
            values: self.fields.clone(),
            ..FormState::default()
        };
        for (i, a) in self.actions.iter().enumerate() {
            for (field, value) in [
                ("title", &a.title),
                ("owner_id", &a.owner_id),
                ("due_on", &a.due_on),
                ("status", &a.status),
                ("controls", &a.controls),
            ] {
                state
                    .values
                    .insert(format!("actions.{i}.{field}"), value.clone());
            }
        }
        for id in &self.asset_ids {
            state
                .values
                .insert(format!("asset-{}", id.trim()), "on".to_owned());
        }
        state
    }

    /// The parts the API's body also comes to, with the faults of the form's own text (a
    /// number that is not one, a choice left empty) named.
    fn parts(&self, errors: &mut ValidationErrors) -> RiskParts {
        let mut id = |field: &str, raw: &str| -> i64 {
            match raw.trim() {
                "" => {
                    errors.push(FieldError::new(field, "error-required"));
                    0
                }
                v => v.parse::<i64>().unwrap_or_else(|_| {
                    errors.push(FieldError::new(field, "error-number"));
                    0
                }),
            }
        };
        let org_id = id("org_id", self.get("org_id"));
        let owner_id = id("owner_id", self.get("owner_id"));
        let actions_owners: Vec<i64> = self
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| id(&format!("actions.{i}.owner_id"), &a.owner_id))
            .collect();
        let mut asset_ids = Vec::with_capacity(self.asset_ids.len());
        for raw in &self.asset_ids {
            match raw.trim().parse::<i64>() {
                Ok(v) => asset_ids.push(v),
                Err(_) => {
                    errors.push(FieldError::new("asset_ids", "error-number"));
                    break;
                }
            }
        }
        let mut level = |field: &str, required: bool| -> Option<u8> {
            match self.get(field).trim() {
                "" => {
                    if required {
                        errors.push(FieldError::new(field, "error-required"));
                    }
                    None
                }
                v => match v.parse::<u8>() {
                    Ok(l) => Some(l),
                    Err(_) => {
                        errors.push(FieldError::new(field, "error-choice"));
                        None
                    }
                },
            }
        };
        // A gross level that is missing or unreadable is named; 1 stands in for it so that
        // the domain's checks name only the other faults.
        let gross: Vec<u8> = GROSS_FIELDS
            .iter()
            .map(|f| level(f, true).unwrap_or(1))
            .collect();
        let residual: Vec<Option<u8>> = RESIDUAL_FIELDS.iter().map(|f| level(f, false)).collect();
        let at = |v: &[u8], i: usize| v.get(i).copied().unwrap_or(1);
        let treatment = Some(self.get("treatment").to_owned()).filter(|t| !t.trim().is_empty());
        RiskParts {
            org_id,
            title: self.get("title").to_owned(),
            description: self.get("description").to_owned(),
            threat: self.get("threat").to_owned(),
            vulnerability: self.get("vulnerability").to_owned(),
            existing_controls: self.get("existing_controls").to_owned(),
            owner_id,
            asset_ids,
            gross: Rating {
                likelihood: at(&gross, 0),
                impacts: Impacts {
                    availability: at(&gross, 1),
                    integrity: at(&gross, 2),
                    confidentiality: at(&gross, 3),
                },
            },
            treatment,
            residual: [
                residual.first().copied().flatten(),
                residual.get(1).copied().flatten(),
                residual.get(2).copied().flatten(),
                residual.get(3).copied().flatten(),
            ],
            residual_description: self.get("residual_description").to_owned(),
            actions: self
                .actions
                .iter()
                .zip(actions_owners)
                .map(|(a, owner_id)| ActionParts {
                    title: a.title.clone(),
                    owner_id,
                    due_on: a.due_on.clone(),
                    status: Some(a.status.clone()).filter(|s| !s.trim().is_empty()),
                    controls: a
                        .controls
                        .split(',')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect(),
                })
                .collect(),
        }
    }

    /// The domain's input, or every fault at once: the form's own, then the domain's rules
    /// under the organization's method (the placement of assets and people is checked by the
    /// storage when nothing else is wrong).
    async fn input(&self, app: &AppState, actor: &Actor) -> Result<RiskInput, AppError> {
        let mut errors = ValidationErrors::default();
        let parts = self.parts(&mut errors);
        let method = if parts.org_id > 0 {
            match risks::method(
                &app.store,
                scope(actor, Permission::RiskManage),
                parts.org_id,
            )
            .await
            {
                Ok((m, _)) => m,
                Err(rempart_storage::StoreError::NotFound) => {
                    errors.push(FieldError::new("org_id", "error-not-found"));
                    Method::default()
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            Method::default()
        };
        let (input, more) = parts.into_input();
        errors.0.extend(more.0);
        // A residual rating given in part is already named field by field; the domain, which
        // sees none, would add that it is missing.
        let residual_named = errors
            .0
            .iter()
            .any(|e| RESIDUAL_FIELDS.contains(&e.field.as_str()));
        if let Err(domain) = input.clone().check(&method) {
            errors.0.extend(domain.0.into_iter().filter(|e| {
                !(residual_named && e.field == "residual_likelihood" && e.code == "error-required")
            }));
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(AppError::Invalid(tidy(errors.0)))
        }
    }
}

/// A field of an action row, named as the domain names it.
pub struct RowField {
    pub name: String,
    pub value: String,
    pub error: Option<String>,
}

pub struct ActionFields {
    pub number: usize,
    pub title: RowField,
    pub owner_id: RowField,
    pub due_on: RowField,
    pub status: RowField,
    pub controls: RowField,
}

pub struct AssetChoice {
    pub id: i64,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "risk_form.html")]
struct RiskFormPage {
    ctx: Ctx,
    /// `None` for a new risk.
    risk_id: Option<i64>,
    org_id: i64,
    orgs: Vec<(i64, String)>,
    form: FormState,
    people: Vec<(i64, String)>,
    assets: Vec<AssetChoice>,
    likelihood: Vec<(String, String)>,
    impact: Vec<(String, String)>,
    treatments: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    actions: Vec<ActionFields>,
    /// Each fault with the label of its field, for the summary at the top.
    summary: Vec<(String, String)>,
}

/// The label a field of the risk form is shown with.
fn field_label(ctx: &Ctx, field: &str) -> String {
    if let Some((row, sub)) = field
        .strip_prefix("actions.")
        .and_then(|rest| rest.split_once('.'))
    {
        let number = row.parse::<i64>().map(|n| n + 1).unwrap_or(0);
        let key = match sub {
            "title" => "risk-action-title",
            "owner_id" => "risk-action-owner",
            "due_on" => "risk-action-due",
            "status" => "risk-action-status",
            _ => "risk-action-controls-short",
        };
        return format!(
            "{} — {}",
            ctx.tn("risk-action-number", "number", number),
            ctx.t(key)
        );
    }
    let residual = |key: &str| ctx.t1("risk-residual-of", "criterion", &ctx.t(key));
    match field {
        "org_id" => ctx.t("risk-org"),
        "title" => ctx.t("risk-title"),
        "description" => ctx.t("risk-description"),
        "threat" => ctx.t("risk-threat"),
        "vulnerability" => ctx.t("risk-vulnerability"),
        "existing_controls" => ctx.t("risk-existing-controls"),
        "owner_id" => ctx.t("risk-owner"),
        "asset_ids" => ctx.t("risk-perimeter"),
        "likelihood" => ctx.t("risk-likelihood"),
        "impact_availability" => ctx.t("risk-impact-availability"),
        "impact_integrity" => ctx.t("risk-impact-integrity"),
        "impact_confidentiality" => ctx.t("risk-impact-confidentiality"),
        "treatment" => ctx.t("risk-treatment"),
        "residual_likelihood" => residual("risk-likelihood"),
        "residual_impact_availability" => residual("risk-impact-availability"),
        "residual_impact_integrity" => residual("risk-impact-integrity"),
        "residual_impact_confidentiality" => residual("risk-impact-confidentiality"),
        "residual_description" => ctx.t("risk-residual-description"),
        "actions" => ctx.t("risk-plan"),
        _ => ctx.t("risk-version"),
    }
}

impl RiskFormPage {
    /// The level choices of one of the rating fields.
    fn levels_for(&self, field: &str) -> &[(String, String)] {
        if field.ends_with("likelihood") {
            &self.likelihood
        } else {
            &self.impact
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct FormParams {
    pub org_id: Option<String>,
}

/// The organization a form is for: asked in the address (the choice made without script),
/// else the risk's or the active one, as long as the person manages risks there.
fn form_org(
    orgs: &[(i64, String)],
    asked: Option<&str>,
    fallback: Option<i64>,
) -> Result<i64, AppError> {
    if let Some(raw) = asked.map(str::trim).filter(|r| !r.is_empty()) {
        let id = raw
            .parse::<i64>()
            .map_err(|_| AppError::Invalid(vec![FieldError::new("org_id", "error-number")]))?;
        if !orgs.iter().any(|(o, _)| *o == id) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "org_id",
                "error-not-found",
            )]));
        }
        return Ok(id);
    }
    fallback
        .filter(|f| orgs.iter().any(|(o, _)| o == f))
        .or_else(|| orgs.first().map(|(o, _)| *o))
        .ok_or(AppError::NotFound)
}

async fn form_page(
    app: &AppState,
    actor: &Actor,
    risk_id: Option<i64>,
    org_id: i64,
    mut form: RiskForm,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let lang = actor.language();
    let fr = french(actor);
    let ctx = page_ctx(app, actor, "/risks").await?;
    let orgs = crate::ui::org_choices(app, scope(actor, Permission::RiskManage)).await?;
    form.fields.insert("org_id".to_owned(), org_id.to_string());
    let method = risks::method(&app.store, scope(actor, Permission::RiskManage), org_id)
        .await?
        .0;
    let people = risks::eligible_people(&app.store, scope(actor, Permission::RiskManage), org_id)
        .await?
        .into_iter()
        .map(|p| (p.id, format!("{} ({})", p.name, p.org_name)))
        .collect();
    let in_subtree = assets::list(
        &app.store,
        scope(actor, Permission::AssetRead),
        &AssetFilter {
            within: Some(org_id),
            ..AssetFilter::default()
        },
        crate::time::today(),
        &PageRequest {
            limit: 2000,
            offset: 0,
            sort: AssetSort::Name,
            descending: false,
        },
    )
    .await?;
    let state = form.state().with_errors(lang, &errors);
    let assets = in_subtree
        .items
        .into_iter()
        .map(|a| AssetChoice {
            checked: state.is(&format!("asset-{}", a.id), "on"),
            label: format!("{} ({})", a.name, a.org_name),
            id: a.id,
        })
        .collect();
    let choices = |levels: &[AxisLevel]| {
        levels
            .iter()
            .map(|l| (l.value.to_string(), level_label(levels, l.value, fr)))
            .collect::<Vec<_>>()
    };
    let row_field = |i: usize, field: &str| {
        let name = format!("actions.{i}.{field}");
        RowField {
            value: state.value(&name),
            error: state.error(&name),
            name,
        }
    };
    let actions = (0..form.actions.len() + BLANK_ACTIONS)
        .map(|i| ActionFields {
            number: i + 1,
            title: row_field(i, "title"),
            owner_id: row_field(i, "owner_id"),
            due_on: row_field(i, "due_on"),
            status: row_field(i, "status"),
            controls: row_field(i, "controls"),
        })
        .collect();
    let summary = state
        .errors
        .iter()
        .map(|(field, message)| {
            (
                field.clone(),
                t_args(
                    ctx.lang,
                    "risk-form-fault",
                    &[
                        ("field", field_label(&ctx, field).into()),
                        ("message", message.clone().into()),
                    ],
                ),
            )
        })
        .collect();
    Ok(render(
        status,
        &RiskFormPage {
            summary,
            likelihood: choices(&method.likelihood),
            impact: choices(&method.impact),
            treatments: Treatment::ALL
                .iter()
                .map(|t| (t.as_str(), ctx.t(&t.label_key())))
                .collect(),
            statuses: ActionStatus::ALL
                .iter()
                .map(|s| (s.as_str(), ctx.t(&action_status_key(*s))))
                .collect(),
            ctx,
            risk_id,
            org_id,
            orgs,
            form: state,
            people,
            assets,
            actions,
        },
    ))
}

pub async fn new_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<FormParams>,
) -> Result<Response, AppError> {
    let orgs = crate::ui::org_choices(&app, scope(&actor, Permission::RiskManage)).await?;
    let org_id = form_org(&orgs, params.org_id.as_deref(), actor.session.active_org_id)?;
    form_page(
        &app,
        &actor,
        None,
        org_id,
        RiskForm::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn edit_form(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Path(raw): Path<String>,
    Query(params): Query<FormParams>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    let risk = managed_risk(&app, &actor, id).await?;
    let orgs = crate::ui::org_choices(&app, scope(&actor, Permission::RiskManage)).await?;
    let org_id = form_org(&orgs, params.org_id.as_deref(), Some(risk.row.org_id))?;
    form_page(
        &app,
        &actor,
        Some(id),
        org_id,
        RiskForm::of(&risk),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// The form again with its faults; an organization the person may not use is shown as the
/// first they may, with the fault named.
async fn form_error(
    app: &AppState,
    actor: &Actor,
    risk_id: Option<i64>,
    form: RiskForm,
    error: AppError,
) -> Result<Response, AppError> {
    let (errors, status) = match error {
        AppError::Invalid(errors) => (tidy(errors), StatusCode::UNPROCESSABLE_ENTITY),
        AppError::Stale => (
            vec![FieldError::new("version", "error-stale")],
            StatusCode::CONFLICT,
        ),
        other => return Err(other),
    };
    let orgs = crate::ui::org_choices(app, scope(actor, Permission::RiskManage)).await?;
    let asked = form.get("org_id").trim().parse::<i64>().ok();
    let org_id = form_org(&orgs, None, asked.or(actor.session.active_org_id))?;
    form_page(app, actor, risk_id, org_id, form, errors, status).await
}

pub async fn create(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = RiskForm::from_pairs(pairs);
    let result = async {
        let input = form.input(&app, &actor).await?;
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        let id = risks::create(
            &mut w,
            scope(&actor, Permission::RiskManage),
            input,
            crate::time::today(),
        )
        .await?;
        w.commit().await?;
        Ok::<i64, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/risks/{id}?done=created")).into_response()),
        Err(e) => form_error(&app, &actor, None, form, e).await,
    }
}

/// Reassesses the risk: its whole input again, with the version read.
pub async fn update(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = record_id(&raw)?;
    managed_risk(&app, &actor, id).await?;
    let form = RiskForm::from_pairs(pairs);
    let result = async {
        let input = form.input(&app, &actor).await;
        let version = form.get("version").trim().parse::<i64>().ok();
        let (input, version) = match (input, version) {
            (Ok(i), Some(v)) => (i, v),
            (Ok(_), None) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "version",
                    "error-required",
                )]))
            }
            (Err(e), _) => return Err(e),
        };
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        risks::update(
            &mut w,
            scope(&actor, Permission::RiskManage),
            id,
            version,
            input,
            crate::time::today(),
        )
        .await?;
        w.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/risks/{id}?done=updated")).into_response()),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(e) => form_error(&app, &actor, Some(id), form, e).await,
    }
}

// ---------------------------------------------------------------- heat map

#[derive(Debug, Deserialize, Default)]
pub struct MapParams {
    pub org_id: Option<String>,
}

pub struct MapCell {
    pub count: i64,
    pub band: usize,
    pub label: String,
}

pub struct MapRow {
    pub header: String,
    pub cells: Vec<MapCell>,
}

pub struct MapTable {
    pub id: &'static str,
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<MapRow>,
    pub total: i64,
}

pub struct BandView {
    pub index: usize,
    pub label: String,
    pub from: u16,
    pub to: u16,
}

#[derive(Template)]
#[template(path = "risks_map.html")]
struct MapPage {
    ctx: Ctx,
    org_id: i64,
    org_name: String,
    orgs: Vec<(i64, String)>,
    tables: Vec<MapTable>,
    bands: Vec<BandView>,
    threshold: u16,
    risks: i64,
    above_threshold: i64,
    off_scale: i64,
}

fn map_table(
    map: &HeatMap,
    counts: &[Vec<i64>],
    id: &'static str,
    caption: String,
    french: bool,
) -> MapTable {
    let method = &map.method;
    let rows = method
        .likelihood
        .iter()
        .rev()
        .map(|l| MapRow {
            header: level_label(&method.likelihood, l.value, french),
            cells: method
                .impact
                .iter()
                .map(|i| {
                    let band = method.band_of(u16::from(l.value) * u16::from(i.value));
                    MapCell {
                        count: counts
                            .get(usize::from(l.value) - 1)
                            .and_then(|r| r.get(usize::from(i.value) - 1))
                            .copied()
                            .unwrap_or(0),
                        label: band_label(method, band, french),
                        band,
                    }
                })
                .collect(),
        })
        .collect();
    MapTable {
        id,
        caption,
        columns: method
            .impact
            .iter()
            .map(|i| level_label(&method.impact, i.value, french))
            .collect(),
        rows,
        total: counts.iter().flatten().sum(),
    }
}

pub async fn map(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<MapParams>,
) -> Result<Response, AppError> {
    let org_id = map_org(&app, &actor, params.org_id.as_deref()).await?;
    let map = risks::heat_map(&app.store, scope(&actor, Permission::RiskRead), org_id).await?;
    let org =
        rempart_storage::orgs::get(&app.store, scope(&actor, Permission::RiskRead), org_id).await?;
    let ctx = page_ctx(&app, &actor, "/risks").await?;
    let fr = french(&actor);
    let gross_caption = ctx.t1("risk-map-gross-caption", "org", &org.name);
    let residual_caption = ctx.t1("risk-map-residual-caption", "org", &org.name);
    let tables = vec![
        map_table(&map, &map.gross, "gross", gross_caption, fr),
        map_table(&map, &map.residual, "residual", residual_caption, fr),
    ];
    let max = map.method.max_score();
    let bands = map
        .method
        .bands
        .iter()
        .enumerate()
        .map(|(index, b)| BandView {
            index,
            label: text_of(&b.label_fr, &b.label_en, fr),
            from: b.min_score,
            to: map
                .method
                .bands
                .get(index + 1)
                .map(|n| n.min_score.saturating_sub(1))
                .unwrap_or(max),
        })
        .collect();
    let orgs = crate::ui::org_choices(&app, scope(&actor, Permission::RiskRead)).await?;
    Ok(render(
        StatusCode::OK,
        &MapPage {
            ctx,
            org_id,
            org_name: org.name,
            orgs,
            tables,
            bands,
            threshold: map.method.threshold,
            risks: map.risks,
            above_threshold: map.above_threshold,
            off_scale: map.off_scale,
        },
    ))
}

/// `#rrggbb` as a colour.
fn rgb(colour: &str) -> Option<rempart_report::Rgb> {
    let hex = colour.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some(rempart_report::Rgb(channel(0)?, channel(2)?, channel(4)?))
}

/// The method's band colours as a stylesheet: `.band-N` for each band, its text black or
/// white, whichever contrasts more (WCAG relative luminance).
pub fn band_css(method: &Method) -> String {
    let mut css = String::from("/* Bands of the risk method: the text always names the band. */\n");
    for (i, band) in method.bands.iter().enumerate() {
        let background = rgb(&band.colour).unwrap_or(rempart_report::Rgb(255, 255, 255));
        let text = background.text_over();
        css.push_str(&format!(
            ".band-{i} {{ background-color: #{:02x}{:02x}{:02x}; color: #{:02x}{:02x}{:02x}; }}\n",
            background.0, background.1, background.2, text.0, text.1, text.2
        ));
    }
    css
}

pub async fn method_css(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<MapParams>,
) -> Result<Response, AppError> {
    let org_id = map_org(&app, &actor, params.org_id.as_deref()).await?;
    let (method, _) =
        risks::method(&app.store, scope(&actor, Permission::RiskRead), org_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-cache"),
        ],
        band_css(&method),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ RISK-05
    #[test]
    fn band_colours_get_the_text_colour_that_contrasts_more() {
        let css = band_css(&Method::default());
        let rules: Vec<&str> = css.lines().filter(|l| l.starts_with(".band-")).collect();
        assert_eq!(rules.len(), 4);
        assert_eq!(
            rules[0],
            ".band-0 { background-color: #2e7d32; color: #ffffff; }"
        );
        assert_eq!(
            rules[1],
            ".band-1 { background-color: #f9a825; color: #000000; }"
        );
        assert!(rules[3].ends_with("color: #ffffff; }"));
        assert_eq!(rgb("#12345g"), None);
        assert_eq!(rgb("#0a0B0c"), Some(rempart_report::Rgb(10, 11, 12)));
    }

    // REQ RISK-01
    #[test]
    fn blank_rows_are_dropped_and_the_rest_renumbered_as_the_domain_names_them() {
        let pairs = vec![
            ("title".to_owned(), "T".to_owned()),
            ("asset_ids".to_owned(), "4".to_owned()),
            ("asset_ids".to_owned(), "9".to_owned()),
            ("actions.0.title".to_owned(), "A".to_owned()),
            ("actions.0.status".to_owned(), "planned".to_owned()),
            ("actions.1.status".to_owned(), "planned".to_owned()),
            ("actions.2.title".to_owned(), String::new()),
            ("actions.2.controls".to_owned(), "ac-2, sc-7".to_owned()),
            ("actions.99999999.title".to_owned(), "ignored".to_owned()),
            ("actions.x.title".to_owned(), "ignored".to_owned()),
        ];
        let form = RiskForm::from_pairs(pairs);
        assert_eq!(form.asset_ids, ["4", "9"]);
        assert_eq!(form.actions.len(), 2);
        assert_eq!(form.actions[1].controls, "ac-2, sc-7");
        let mut errors = ValidationErrors::default();
        let parts = form.parts(&mut errors);
        assert_eq!(parts.actions[1].controls, ["ac-2", "sc-7"]);
        let fields: Vec<String> = tidy(errors.0).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "org_id",
                "owner_id",
                "likelihood",
                "impact_availability",
                "impact_integrity",
                "impact_confidentiality",
                "actions.0.owner_id",
                "actions.1.owner_id",
            ]
        );
        let (_, more) = parts.into_input();
        let more: Vec<String> = more.0.into_iter().map(|e| e.field).collect();
        assert_eq!(more, ["actions.0.due_on", "actions.1.due_on"]);
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;
    use crate::i18n::I18n;

    // REQ PLAT-05
    #[test]
    fn keys_built_at_run_time_exist_in_both_languages() {
        let mut keys: Vec<String> = Vec::new();
        keys.extend(STATUSES.iter().map(|s| status_key(s)));
        keys.extend(
            FLAGS
                .iter()
                .map(|f| format!("risk-filter-{}", f.replace('_', "-"))),
        );
        keys.extend(
            SORTS
                .iter()
                .map(|s| format!("risk-sort-{}", s.replace('_', "-"))),
        );
        keys.extend(Treatment::ALL.iter().map(|t| t.label_key()));
        keys.extend(ActionStatus::ALL.iter().map(|s| action_status_key(*s)));
        keys.extend(
            ENDED_REASONS
                .iter()
                .map(|r| format!("risk-approval-ended-{}", r.replace('_', "-"))),
        );
        keys.extend(
            ["created", "updated", "proposed", "approved", "flagged"]
                .iter()
                .map(|d| format!("risk-done-{d}")),
        );
        let d = chrono::NaiveDate::default();
        for reason in [
            Reassessment::Incident {
                incident: String::new(),
            },
            Reassessment::AuditFinding {
                finding: String::new(),
            },
            Reassessment::LegalChange {
                change: String::new(),
            },
            Reassessment::ReviewDue { due: d },
            Reassessment::ApprovalExpired { expired: d },
            Reassessment::MethodChanged,
        ] {
            keys.push(reason.label_key());
        }
        for key in &keys {
            for language in Language::ALL {
                assert!(I18n::has(language, key), "{key} missing in {language:?}");
            }
        }
        assert_eq!(
            reason_text(
                Language::Fr,
                &Reassessment::AuditFinding {
                    finding: "A-12".into()
                }
            ),
            "Constatation d'audit : A-12"
        );
    }
}
