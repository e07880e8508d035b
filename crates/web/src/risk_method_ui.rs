//! The risk method's page (RISK-02): the method in force for an organization (its own, an
//! ancestor's or the default), its scales, bands with their colours (the classes of
//! `/risks/method.css`, since the Content-Security-Policy forbids inline styles), impact rule,
//! threshold, higher approver and periods; and, for those who set it there, the form that
//! changes it without JavaScript. Every rule is the domain's (`Method::check`), asked field by
//! field so that each fault is named next to its field; storage rescores the risks.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use rempart_domain::authz::{allows, role_has, Permission};
use rempart_domain::language::Language;
use rempart_domain::risk::{AxisLevel, ImpactRule, Method, RiskBand};
use rempart_domain::role::Role;
use rempart_domain::FieldError;
use rempart_storage::risks;
use rempart_storage::scope::Scope;
use rempart_storage::StoreError;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, Form, Query};
use crate::i18n::t_args;
use crate::ui::{audit_context, page_ctx};
use crate::views::{render, Ctx, FormState};
use crate::AppState;

/// Rows past this index are not read: far more than a scale or the bands may hold.
const MAX_ROW_INDEX: usize = 30;

/// The rules of the impacts, in the order they are offered.
const RULES: [ImpactRule; 2] = [ImpactRule::Highest, ImpactRule::Mean];

fn text_of(fr: &str, en: &str, french: bool) -> String {
    if french { fr } else { en }.to_owned()
}

/// The organization a page about risks is for: the one asked for, else the active one, else
/// the first where the person reads risks, as long as they may read risks there.
pub(crate) async fn risk_org(
    app: &AppState,
    actor: &Actor,
    asked: Option<&str>,
) -> Result<i64, AppError> {
    if let Some(raw) = asked.map(str::trim).filter(|r| !r.is_empty()) {
        return raw
            .parse::<i64>()
            .map_err(|_| AppError::Invalid(vec![FieldError::new("org_id", "error-number")]));
    }
    let read = Scope::new(actor.person.id, Permission::RiskRead);
    let mut candidates: Vec<i64> = actor.session.active_org_id.into_iter().collect();
    candidates.extend(
        actor
            .grants
            .iter()
            .filter(|g| role_has(g.role, Permission::RiskRead))
            .map(|g| g.org.0),
    );
    for org in candidates {
        match rempart_storage::orgs::get(&app.store, read, org).await {
            Ok(_) => return Ok(org),
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::NotFound)
}

/// Whether the person's grants give `permission` in `org_id` (the domain's rule).
pub(crate) async fn allowed_in(
    app: &AppState,
    actor: &Actor,
    permission: Permission,
    org_id: i64,
) -> Result<bool, AppError> {
    if !actor.can(permission) {
        return Ok(false);
    }
    let mut conn = app.store.pool().acquire().await.map_err(StoreError::from)?;
    let path = rempart_storage::orgs::ancestors(&mut conn, org_id).await?;
    Ok(allows(&actor.grants, permission, &path))
}

fn rule_value(rule: ImpactRule) -> String {
    match serde_json::to_value(rule) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn rule_key(rule: ImpactRule) -> String {
    format!("risk-method-rule-{}", rule_value(rule))
}

/// The roles the domain accepts as higher approver.
fn approvers() -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|role| {
            let probe = Method {
                higher_approver: *role,
                ..Method::default()
            };
            probe.check().is_ok()
        })
        .collect()
}

/// The fault the domain finds with a label of a scale, if any, named `field`.
fn label_fault(field: &str, label: &str) -> Option<FieldError> {
    let mut probe = Method::default();
    if let Some(level) = probe.likelihood.first_mut() {
        level.label_fr = label.to_owned();
    }
    probe.check().err()?.0.into_iter().find_map(|mut e| {
        (e.field == "likelihood").then(|| {
            e.field = field.to_owned();
            e
        })
    })
}

/// The fault the domain finds with a band's label or colour, if any, named `field`.
fn band_fault(field: &str, label: Option<&str>, colour: Option<&str>) -> Option<FieldError> {
    let mut probe = Method::default();
    if let Some(band) = probe.bands.first_mut() {
        if let Some(label) = label {
            band.label_fr = label.to_owned();
        }
        if let Some(colour) = colour {
            band.colour = colour.to_owned();
        }
    }
    probe.check().err()?.0.into_iter().find_map(|mut e| {
        (e.field == "bands").then(|| {
            e.field = field.to_owned();
            e
        })
    })
}

/// One row of a scale as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct LevelRow {
    label_fr: String,
    label_en: String,
}

impl LevelRow {
    fn is_blank(&self) -> bool {
        self.label_fr.trim().is_empty() && self.label_en.trim().is_empty()
    }
}

/// One band as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct BandRow {
    min_score: String,
    label_fr: String,
    label_en: String,
    colour: String,
}

impl BandRow {
    /// A colour picker always sends a colour: a row is blank when the rest is.
    fn is_blank(&self) -> bool {
        self.min_score.trim().is_empty()
            && self.label_fr.trim().is_empty()
            && self.label_en.trim().is_empty()
    }
}

/// Rows by their index, gaps blank, the blank rows at the end dropped.
fn positional<T: Default + Clone>(rows: BTreeMap<usize, T>, blank: impl Fn(&T) -> bool) -> Vec<T> {
    let len = rows.keys().next_back().map_or(0, |k| k + 1);
    let mut out = vec![T::default(); len];
    for (i, row) in rows {
        if let Some(slot) = out.get_mut(i) {
            *slot = row;
        }
    }
    while out.last().is_some_and(&blank) {
        out.pop();
    }
    out
}

const FIELDS: [&str; 6] = [
    "org_id",
    "impact_rule",
    "threshold",
    "higher_approver",
    "approval_months",
    "review_months",
];

/// The method form as typed.
#[derive(Debug, Clone, Default)]
struct MethodForm {
    fields: HashMap<String, String>,
    likelihood: Vec<LevelRow>,
    impact: Vec<LevelRow>,
    bands: Vec<BandRow>,
}

impl MethodForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> MethodForm {
        let mut form = MethodForm::default();
        let mut likelihood: BTreeMap<usize, LevelRow> = BTreeMap::new();
        let mut impact: BTreeMap<usize, LevelRow> = BTreeMap::new();
        let mut bands: BTreeMap<usize, BandRow> = BTreeMap::new();
        for (name, value) in pairs {
            let mut parts = name.splitn(3, '.');
            let (Some(group), Some(index), Some(field)) =
                (parts.next(), parts.next(), parts.next())
            else {
                if FIELDS.contains(&name.as_str()) {
                    form.fields.entry(name).or_insert(value);
                }
                continue;
            };
            let Some(index) = index.parse::<usize>().ok().filter(|i| *i <= MAX_ROW_INDEX) else {
                continue;
            };
            match (group, field) {
                ("likelihood" | "impact", "label_fr" | "label_en") => {
                    let rows = if group == "likelihood" {
                        &mut likelihood
                    } else {
                        &mut impact
                    };
                    let row = rows.entry(index).or_default();
                    if field == "label_fr" {
                        row.label_fr = value;
                    } else {
                        row.label_en = value;
                    }
                }
                ("bands", _) => {
                    let row = bands.entry(index).or_default();
                    match field {
                        "min_score" => row.min_score = value,
                        "label_fr" => row.label_fr = value,
                        "label_en" => row.label_en = value,
                        "colour" => row.colour = value,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        form.likelihood = positional(likelihood, LevelRow::is_blank);
        form.impact = positional(impact, LevelRow::is_blank);
        form.bands = positional(bands, BandRow::is_blank);
        form
    }

    fn get(&self, field: &str) -> &str {
        self.fields.get(field).map(String::as_str).unwrap_or("")
    }

    /// The form of a method.
    fn of(method: &Method) -> MethodForm {
        let levels = |levels: &[AxisLevel]| {
            levels
                .iter()
                .map(|l| LevelRow {
                    label_fr: l.label_fr.clone(),
                    label_en: l.label_en.clone(),
                })
                .collect()
        };
        let mut fields = HashMap::new();
        fields.insert("impact_rule".to_owned(), rule_value(method.impact_rule));
        fields.insert("threshold".to_owned(), method.threshold.to_string());
        fields.insert(
            "higher_approver".to_owned(),
            method.higher_approver.as_str().to_owned(),
        );
        fields.insert(
            "approval_months".to_owned(),
            method.approval_months.to_string(),
        );
        fields.insert("review_months".to_owned(), method.review_months.to_string());
        MethodForm {
            fields,
            likelihood: levels(&method.likelihood),
            impact: levels(&method.impact),
            bands: method
                .bands
                .iter()
                .map(|b| BandRow {
                    min_score: b.min_score.to_string(),
                    label_fr: b.label_fr.clone(),
                    label_en: b.label_en.clone(),
                    colour: b.colour.clone(),
                })
                .collect(),
        }
    }

    /// The values to show the form again with.
    fn values(&self) -> HashMap<String, String> {
        let mut values = self.fields.clone();
        for (axis, rows) in [("likelihood", &self.likelihood), ("impact", &self.impact)] {
            for (i, row) in rows.iter().enumerate() {
                values.insert(format!("{axis}.{i}.label_fr"), row.label_fr.clone());
                values.insert(format!("{axis}.{i}.label_en"), row.label_en.clone());
            }
        }
        for (i, row) in self.bands.iter().enumerate() {
            values.insert(format!("bands.{i}.min_score"), row.min_score.clone());
            values.insert(format!("bands.{i}.label_fr"), row.label_fr.clone());
            values.insert(format!("bands.{i}.label_en"), row.label_en.clone());
            values.insert(format!("bands.{i}.colour"), row.colour.clone());
        }
        values
    }

    /// The method typed, or every fault at once: each label and colour judged by the domain
    /// where it was typed, numbers and choices read, then the domain's rules on the whole
    /// (number of levels, order of the bands, threshold within the scores, approver, periods)
    /// with the faults already named left out.
    fn method(&self) -> Result<Method, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut named: Vec<&'static str> = Vec::new();
        let label = |field: String, text: &str, errors: &mut Vec<FieldError>| -> String {
            match label_fault(&field, text) {
                Some(e) => {
                    errors.push(e);
                    // Stands in for it, so that the whole is judged on the rest.
                    "—".to_owned()
                }
                None => text.trim().to_owned(),
            }
        };
        let levels = |axis: &str, rows: &[LevelRow], errors: &mut Vec<FieldError>| {
            rows.iter()
                .enumerate()
                .map(|(i, row)| AxisLevel {
                    value: u8::try_from(i + 1).unwrap_or(u8::MAX),
                    label_fr: label(format!("{axis}.{i}.label_fr"), &row.label_fr, errors),
                    label_en: label(format!("{axis}.{i}.label_en"), &row.label_en, errors),
                })
                .collect::<Vec<_>>()
        };
        let likelihood = levels("likelihood", &self.likelihood, &mut errors);
        let impact = levels("impact", &self.impact, &mut errors);
        let mut bands = Vec::with_capacity(self.bands.len());
        let mut previous = 0u16;
        for (i, row) in self.bands.iter().enumerate() {
            let field = |name: &str| format!("bands.{i}.{name}");
            let min_score = match row.min_score.trim() {
                "" => {
                    errors.push(FieldError::new(field("min_score"), "error-required"));
                    None
                }
                raw => raw.parse::<u16>().ok().or_else(|| {
                    errors.push(FieldError::new(field("min_score"), "error-number"));
                    None
                }),
            };
            if min_score.is_none() && !named.contains(&"bands") {
                named.push("bands");
            }
            let min_score = min_score.unwrap_or(previous.saturating_add(1));
            previous = min_score;
            let mut band_label =
                |name: &str, text: &str| match band_fault(&field(name), Some(text), None) {
                    Some(e) => {
                        errors.push(e);
                        "—".to_owned()
                    }
                    None => text.trim().to_owned(),
                };
            let label_fr = band_label("label_fr", &row.label_fr);
            let label_en = band_label("label_en", &row.label_en);
            let colour = match band_fault(&field("colour"), None, Some(row.colour.trim())) {
                Some(e) => {
                    errors.push(e);
                    "#000000".to_owned()
                }
                None => row.colour.trim().to_lowercase(),
            };
            bands.push(RiskBand {
                min_score,
                label_fr,
                label_en,
                colour,
            });
        }
        let mut number = |field: &'static str| -> u32 {
            match self.get(field).trim() {
                "" => {
                    errors.push(FieldError::new(field, "error-required"));
                    named.push(field);
                    1
                }
                raw => raw.parse::<u32>().unwrap_or_else(|_| {
                    errors.push(FieldError::new(field, "error-number"));
                    named.push(field);
                    1
                }),
            }
        };
        let threshold = number("threshold");
        let approval_months = number("approval_months");
        let review_months = number("review_months");
        let threshold = u16::try_from(threshold).unwrap_or(u16::MAX);
        let impact_rule = match self.get("impact_rule").trim() {
            "" => {
                errors.push(FieldError::new("impact_rule", "error-required"));
                ImpactRule::default()
            }
            raw => serde_json::from_value(serde_json::Value::String(raw.to_owned()))
                .unwrap_or_else(|_| {
                    errors.push(FieldError::new("impact_rule", "error-choice"));
                    ImpactRule::default()
                }),
        };
        let higher_approver = match self.get("higher_approver").trim() {
            "" => {
                errors.push(FieldError::new("higher_approver", "error-required"));
                named.push("higher_approver");
                Role::ChiefExecutive
            }
            raw => Role::parse(raw).unwrap_or_else(|| {
                errors.push(FieldError::new("higher_approver", "error-choice"));
                named.push("higher_approver");
                Role::ChiefExecutive
            }),
        };
        let method = Method {
            likelihood,
            impact,
            bands,
            impact_rule,
            threshold,
            higher_approver,
            approval_months,
            review_months,
        };
        if let Err(domain) = method.check() {
            errors.extend(
                domain
                    .0
                    .into_iter()
                    .filter(|e| !named.iter().any(|n| *n == e.field)),
            );
        }
        if errors.is_empty() {
            Ok(method)
        } else {
            Err(tidy(errors))
        }
    }
}

/// The order fields are shown in: faults are listed in that order.
fn field_rank(field: &str) -> (usize, usize, usize) {
    const ORDER: [&str; 9] = [
        "likelihood",
        "impact",
        "bands",
        "impact_rule",
        "threshold",
        "higher_approver",
        "approval_months",
        "review_months",
        "org_id",
    ];
    const SUB: [&str; 4] = ["min_score", "label_fr", "label_en", "colour"];
    let mut parts = field.splitn(3, '.');
    let group = parts.next().unwrap_or("");
    let at = ORDER
        .iter()
        .position(|f| *f == group)
        .unwrap_or(ORDER.len());
    let row = parts
        .next()
        .and_then(|r| r.parse::<usize>().ok())
        .map_or(0, |r| r + 1);
    let sub = parts
        .next()
        .and_then(|s| SUB.iter().position(|f| *f == s))
        .map_or(0, |s| s + 1);
    (at, row, sub)
}

/// One fault per field, in the form's order.
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

/// A field of a row, named as the form sends it.
pub struct RowField {
    pub name: String,
    pub value: String,
    pub error: Option<String>,
}

pub struct LevelFields {
    pub number: usize,
    /// The French and English labels, each with the key of its column's name.
    pub labels: Vec<(RowField, &'static str)>,
}

/// A scale's rows in the form, with the fault of the scale as a whole.
pub struct AxisFields {
    pub id: &'static str,
    pub legend: String,
    pub rows: Vec<LevelFields>,
    pub error: Option<String>,
}

pub struct BandFields {
    pub number: usize,
    pub min_score: RowField,
    pub labels: Vec<(RowField, &'static str)>,
    pub colour: RowField,
}

pub struct LevelView {
    pub value: u8,
    pub label_fr: String,
    pub label_en: String,
}

pub struct BandView {
    pub index: usize,
    pub label: String,
    pub label_fr: String,
    pub label_en: String,
    pub colour: String,
    pub from: u16,
    pub to: u16,
}

#[derive(Template)]
#[template(path = "risk_method.html")]
struct MethodPage {
    ctx: Ctx,
    org_id: i64,
    org_name: String,
    orgs: Vec<(i64, String)>,
    /// Where the method comes from, in words.
    origin: String,
    /// Each scale with its caption.
    scales: Vec<(String, Vec<LevelView>)>,
    bands: Vec<BandView>,
    impact_rule: String,
    threshold: u16,
    max_score: u16,
    higher_approver: String,
    approval_months: u32,
    review_months: u32,
    can_manage: bool,
    form: FormState,
    axes: Vec<AxisFields>,
    band_rows: Vec<BandFields>,
    rules: Vec<(String, String)>,
    roles: Vec<(&'static str, String)>,
    summary: Vec<(String, String)>,
}

/// The label a field of the method form is shown with.
fn field_label(ctx: &Ctx, field: &str) -> String {
    let mut parts = field.splitn(3, '.');
    let group = parts.next().unwrap_or("");
    let row = parts
        .next()
        .and_then(|r| r.parse::<i64>().ok())
        .map(|r| r + 1);
    let sub = parts.next();
    let group_label = match group {
        "likelihood" => ctx.t("risk-method-likelihood"),
        "impact" => ctx.t("risk-method-impact"),
        "bands" => ctx.t("risk-map-bands"),
        "impact_rule" => ctx.t("risk-method-impact-rule"),
        "threshold" => ctx.t("risk-map-threshold"),
        "higher_approver" => ctx.t("risk-method-higher-approver"),
        "approval_months" => ctx.t("risk-method-approval-months"),
        "review_months" => ctx.t("risk-method-review-months"),
        _ => ctx.t("risk-org"),
    };
    let Some(row) = row else {
        return group_label;
    };
    let row_label = if group == "bands" {
        ctx.tn("risk-method-band-number", "number", row)
    } else {
        ctx.tn("risk-method-level-number", "number", row)
    };
    let sub_label = match sub {
        Some("min_score") => ctx.t("risk-method-min-score"),
        Some("label_en") => ctx.t("scale-label-en"),
        Some("colour") => ctx.t("risk-method-colour"),
        _ => ctx.t("scale-label-fr"),
    };
    format!("{group_label} — {row_label} — {sub_label}")
}

async fn method_page(
    app: &AppState,
    actor: &Actor,
    org_id: i64,
    submitted: Option<(MethodForm, Vec<FieldError>)>,
    flash: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let read = Scope::new(actor.person.id, Permission::RiskRead);
    let (method, defined_at) = risks::method(&app.store, read, org_id).await?;
    let org = rempart_storage::orgs::get(&app.store, read, org_id).await?;
    let fr = actor.language() == Language::Fr;
    let mut ctx = page_ctx(app, actor, "/risks").await?;
    ctx.flash = flash;
    let origin = match defined_at {
        Some(at) if at == org_id => ctx.t("risk-method-own"),
        Some(at) => match rempart_storage::orgs::get(&app.store, read, at).await {
            Ok(above) => ctx.t1("risk-method-inherited", "org", &above.name),
            Err(StoreError::NotFound) => ctx.t("risk-method-inherited-above"),
            Err(e) => return Err(e.into()),
        },
        None => ctx.t("risk-method-default"),
    };
    let max = method.max_score();
    let levels = |levels: &[AxisLevel]| -> Vec<LevelView> {
        levels
            .iter()
            .map(|l| LevelView {
                value: l.value,
                label_fr: l.label_fr.clone(),
                label_en: l.label_en.clone(),
            })
            .collect()
    };
    let bands = method
        .bands
        .iter()
        .enumerate()
        .map(|(index, b)| BandView {
            index,
            label: text_of(&b.label_fr, &b.label_en, fr),
            label_fr: b.label_fr.clone(),
            label_en: b.label_en.clone(),
            colour: b.colour.clone(),
            from: b.min_score,
            to: method
                .bands
                .get(index + 1)
                .map(|n| n.min_score.saturating_sub(1))
                .unwrap_or(max),
        })
        .collect();
    let can_manage = allowed_in(app, actor, Permission::RiskMethodManage, org_id).await?;
    let (form, errors) = submitted.unwrap_or_else(|| (MethodForm::of(&method), Vec::new()));
    let state = FormState {
        values: form.values(),
        ..FormState::default()
    }
    .with_errors(actor.language(), &errors);
    let row_field = |name: String| RowField {
        value: state.value(&name),
        error: state.error(&name),
        name,
    };
    let axis = |id: &'static str, key: &str, rows: usize| AxisFields {
        id,
        legend: ctx.t(key),
        rows: (0..=rows)
            .map(|i| LevelFields {
                number: i + 1,
                labels: vec![
                    (row_field(format!("{id}.{i}.label_fr")), "scale-label-fr"),
                    (row_field(format!("{id}.{i}.label_en")), "scale-label-en"),
                ],
            })
            .collect(),
        error: state.error(id),
    };
    let axes = vec![
        axis(
            "likelihood",
            "risk-method-likelihood",
            form.likelihood.len(),
        ),
        axis("impact", "risk-method-impact", form.impact.len()),
    ];
    let band_rows = (0..=form.bands.len())
        .map(|i| BandFields {
            number: i + 1,
            min_score: row_field(format!("bands.{i}.min_score")),
            labels: vec![
                (row_field(format!("bands.{i}.label_fr")), "scale-label-fr"),
                (row_field(format!("bands.{i}.label_en")), "scale-label-en"),
            ],
            colour: {
                let mut f = row_field(format!("bands.{i}.colour"));
                // A colour picker shows only `#rrggbb`: anything else shows black, the fault
                // named beside it.
                if band_fault("c", None, Some(&f.value)).is_some() {
                    f.value = "#000000".to_owned();
                }
                f
            },
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
    let orgs = crate::ui::org_choices(app, read).await?;
    Ok(render(
        status,
        &MethodPage {
            org_id,
            org_name: org.name,
            orgs,
            origin,
            scales: vec![
                (ctx.t("risk-method-likelihood"), levels(&method.likelihood)),
                (ctx.t("risk-method-impact"), levels(&method.impact)),
            ],
            bands,
            impact_rule: ctx.t(&rule_key(method.impact_rule)),
            threshold: method.threshold,
            max_score: max,
            higher_approver: ctx.t(&method.higher_approver.label_key()),
            approval_months: method.approval_months,
            review_months: method.review_months,
            can_manage,
            form: state,
            axes,
            band_rows,
            rules: RULES
                .iter()
                .map(|r| (rule_value(*r), ctx.t(&rule_key(*r))))
                .collect(),
            roles: approvers()
                .into_iter()
                .map(|r| (r.as_str(), ctx.t(&r.label_key())))
                .collect(),
            summary,
            ctx,
        },
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct MethodParams {
    pub org_id: Option<String>,
    pub done: Option<String>,
    /// How many risks the change rescored (after a save).
    pub rescored: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(params): Query<MethodParams>,
) -> Result<Response, AppError> {
    let org_id = risk_org(&app, &actor, params.org_id.as_deref()).await?;
    let flash = match (params.done.as_deref(), params.rescored.as_deref()) {
        (Some("saved"), Some(n)) => n.trim().parse::<u64>().ok().map(|n| {
            t_args(
                actor.language(),
                "risk-method-rescored",
                &[("count", n.into())],
            )
        }),
        _ => None,
    };
    method_page(&app, &actor, org_id, None, flash, StatusCode::OK).await
}

/// Changes the organization's method; the risks it now applies to are rescored. An
/// organization where the person may not set the method is not found before anything is said
/// about the form.
pub async fn save(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = MethodForm::from_pairs(pairs);
    let org_id = risk_org(&app, &actor, Some(form.get("org_id"))).await?;
    let manage = Scope::new(actor.person.id, Permission::RiskMethodManage);
    rempart_storage::orgs::get(&app.store, manage, org_id).await?;
    let method = match form.method() {
        Ok(m) => m,
        Err(errors) => {
            return method_page(
                &app,
                &actor,
                org_id,
                Some((form, errors)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let result = async {
        let mut w = app.store.write(audit_context(&actor, &headers)).await?;
        let n = risks::set_method(&mut w, manage, org_id, &method, Some(actor.person.id)).await?;
        w.commit().await?;
        Ok::<usize, AppError>(n)
    }
    .await;
    match result {
        Ok(n) => Ok(Redirect::to(&format!(
            "/risks/method?org_id={org_id}&done=saved&rescored={n}"
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            method_page(
                &app,
                &actor,
                org_id,
                Some((form, tidy(errors))),
                None,
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

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn default_pairs() -> Vec<(String, String)> {
        let mut form = MethodForm::of(&Method::default());
        form.fields.insert("org_id".into(), "4".into());
        let mut values: Vec<(String, String)> = form.values().into_iter().collect();
        values.sort();
        values
    }

    // REQ RISK-02
    #[test]
    fn the_form_of_the_default_method_reads_back_as_the_default() {
        let form = MethodForm::from_pairs(default_pairs());
        assert_eq!(form.method().unwrap(), Method::default());
    }

    // REQ RISK-02
    #[test]
    fn a_blank_row_at_the_end_is_dropped_one_in_the_middle_is_named() {
        let mut list = default_pairs();
        list.extend(pairs(&[
            ("likelihood.5.label_fr", " "),
            ("likelihood.5.label_en", ""),
            ("bands.4.min_score", ""),
            ("bands.4.label_fr", ""),
            ("bands.4.label_en", ""),
            ("bands.4.colour", "#000000"),
            ("impact.6.label_fr", "Extrême"),
            ("impact.6.label_en", "Extreme"),
            ("likelihood.99.label_fr", "ignored"),
        ]));
        let form = MethodForm::from_pairs(list);
        assert_eq!(form.likelihood.len(), 5);
        assert_eq!(form.bands.len(), 4);
        assert_eq!(form.impact.len(), 7);
        let fields: Vec<String> = form
            .method()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["impact.5.label_fr", "impact.5.label_en"]);
    }

    // REQ RISK-02
    #[test]
    fn every_fault_is_named_by_its_field_once() {
        let mut list: Vec<(String, String)> = default_pairs()
            .into_iter()
            .map(|(k, v)| match k.as_str() {
                "threshold" => (k, "0".to_owned()),
                "bands.1.colour" => (k, "jaune".to_owned()),
                "bands.2.min_score" => (k, "dix".to_owned()),
                "likelihood.1.label_en" => (k, "x".repeat(41)),
                "higher_approver" => (k, "User".to_owned()),
                "review_months" => (k, "douze".to_owned()),
                "impact_rule" => (k, "sum".to_owned()),
                _ => (k, v),
            })
            .collect();
        list.push(("bands.3.colour".into(), "#B71C1C".into()));
        let errors = MethodForm::from_pairs(list).method().unwrap_err();
        let named: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            named,
            [
                ("likelihood.1.label_en", "error-too-long"),
                ("bands.1.colour", "error-colour"),
                ("bands.2.min_score", "error-number"),
                ("impact_rule", "error-choice"),
                ("threshold", "error-risk-threshold"),
                ("higher_approver", "error-risk-approver"),
                ("review_months", "error-number"),
            ]
        );
    }

    // REQ RISK-02
    #[test]
    fn bands_out_of_order_are_named_on_the_bands() {
        let list: Vec<(String, String)> = default_pairs()
            .into_iter()
            .map(|(k, v)| {
                if k == "bands.2.min_score" {
                    (k, "3".to_owned())
                } else {
                    (k, v)
                }
            })
            .collect();
        let errors = MethodForm::from_pairs(list).method().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].field.as_str(), errors[0].code),
            ("bands", "error-risk-band-order")
        );
    }

    // REQ RISK-02
    // REQ PLAT-05
    #[test]
    fn approvers_and_rules_are_the_domains_and_their_labels_exist() {
        let roles = approvers();
        assert!(roles.contains(&Role::ChiefExecutive));
        assert!(!roles.contains(&Role::User));
        assert!(!roles.contains(&Role::PlatformAdmin));
        for language in Language::ALL {
            for rule in RULES {
                assert!(I18n::has(language, &rule_key(rule)), "{}", rule_key(rule));
            }
            for role in &roles {
                assert!(I18n::has(language, &role.label_key()));
            }
        }
        assert_eq!(rule_value(ImpactRule::Mean), "mean");
    }
}
