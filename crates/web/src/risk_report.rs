//! The risk-management report for senior management (RISK-05, seed `001` §7): for a chosen
//! organization (and those below it) and period, a synthesis, the heat maps of gross and
//! residual risk, the register, the treatment plans, the overdue actions and the approvals
//! given in the period; as a tagged, archivable PDF and as CSV (the register, or the plans).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Datelike, Months, NaiveDate, Timelike, Utc};
use rempart_domain::authz::Permission;
use rempart_domain::export::neutralize;
use rempart_domain::language::Language;
use rempart_domain::risk::Method;
use rempart_domain::FieldError;
use rempart_report::{Block, Cell, Column, Orientation, Produced, Report, Rgb, Table};
use rempart_storage::list::PageRequest;
use rempart_storage::risk_report::{self, ApprovalRow, PlanRow};
use rempart_storage::risks::{self, HeatMap, RiskFilter, RiskRow, RiskSort};
use rempart_storage::scope::Scope;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, Query};
use crate::i18n::{t, t_args};
use crate::AppState;

/// At most this many risks and actions in one report.
pub const LIMIT: i64 = 10_000;

#[derive(Debug, Deserialize, Default)]
pub struct ReportParams {
    pub org_id: Option<i64>,
    /// `AAAA-MM-JJ`; a year before `to` by default.
    #[serde(default)]
    pub from: String,
    /// `AAAA-MM-JJ`; today by default.
    #[serde(default)]
    pub to: String,
    /// For the CSV: `register` (default) or `plans`.
    #[serde(default)]
    pub part: String,
}

/// The period asked for, every fault named: dates as `AAAA-MM-JJ`, the start not after the
/// end, at most five years.
fn period(p: &ReportParams, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), AppError> {
    let mut errors = Vec::new();
    let date = |field: &str, raw: &str, errors: &mut Vec<FieldError>| -> Option<NaiveDate> {
        if raw.trim().is_empty() {
            return None;
        }
        let parsed = raw.trim().parse::<NaiveDate>().ok();
        if parsed.is_none() {
            errors.push(FieldError::new(field, "error-date"));
        }
        parsed
    };
    let to = date("to", &p.to, &mut errors);
    let from = date("from", &p.from, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| to.checked_sub_months(Months::new(12)).unwrap_or(to));
    if from > to {
        return Err(AppError::Invalid(vec![FieldError::new(
            "to",
            "error-until-before-from",
        )]));
    }
    if from
        .checked_add_months(Months::new(60))
        .is_some_and(|max| to > max)
    {
        return Err(AppError::Invalid(vec![FieldError::with_limit(
            "from",
            "error-months",
            60,
        )]));
    }
    Ok((from, to))
}

/// Everything the report shows, read with the caller's scope.
struct Data {
    org_name: String,
    from: NaiveDate,
    to: NaiveDate,
    register: Vec<RiskRow>,
    total: i64,
    plan: Vec<PlanRow>,
    approvals: Vec<ApprovalRow>,
    map: HeatMap,
}

async fn load(app: &AppState, actor: &Actor, p: &ReportParams) -> Result<Data, AppError> {
    let today = crate::time::today();
    let (from, to) = period(p, today)?;
    let scope = Scope::new(actor.person.id, Permission::RiskRead);
    let org_id = p
        .org_id
        .or(actor.session.active_org_id)
        .or_else(|| actor.grants.first().map(|g| g.org.0))
        .ok_or(AppError::NotFound)?;
    // The map reads the organization within scope first: another body's is not found.
    let map = risks::heat_map(&app.store, scope, org_id).await?;
    let org = rempart_storage::orgs::get(
        &app.store,
        Scope::new(actor.person.id, Permission::OrgRead),
        org_id,
    )
    .await?;
    let page = risks::list(
        &app.store,
        scope,
        &RiskFilter {
            within: Some(org_id),
            ..RiskFilter::default()
        },
        today,
        &PageRequest {
            limit: LIMIT,
            offset: 0,
            sort: RiskSort::Score,
            descending: true,
        },
    )
    .await?;
    let plan = risk_report::plan(&app.store, scope, org_id, today, LIMIT).await?;
    let approvals = risk_report::approvals_between(&app.store, scope, org_id, from, to).await?;
    Ok(Data {
        org_name: org.name,
        from,
        to,
        total: page.total,
        register: page.items,
        plan,
        approvals,
        map,
    })
}

fn colour(hex: &str) -> Option<Rgb> {
    let n = u32::from_str_radix(hex.strip_prefix('#')?, 16).ok()?;
    let [_, r, g, b] = n.to_be_bytes();
    Some(Rgb(r, g, b))
}

/// A heat map as a table: likelihood levels as row headers, highest first; each cell its
/// count and its band's name, on the band's colour.
fn map_table(lang: Language, caption: String, method: &Method, counts: &[Vec<i64>]) -> Table {
    let fr = lang == Language::Fr;
    let label = |fr_text: &str, en_text: &str| {
        if fr {
            fr_text.to_owned()
        } else {
            en_text.to_owned()
        }
    };
    let mut columns = vec![Column::new(
        format!(
            "{} \\ {}",
            t(lang, "risk-likelihood"),
            t(lang, "risk-impact-combined")
        ),
        1.6,
    )];
    for level in &method.impact {
        columns.push(Column::new(
            format!(
                "{} {}",
                level.value,
                label(&level.label_fr, &level.label_en)
            ),
            1.0,
        ));
    }
    let mut rows = Vec::new();
    for l in method.likelihood.iter().rev() {
        let mut row = vec![Cell::from(format!(
            "{} {}",
            l.value,
            label(&l.label_fr, &l.label_en)
        ))];
        for i in &method.impact {
            let score = u16::from(l.value) * u16::from(i.value);
            let band = &method.bands[method
                .band_of(score)
                .min(method.bands.len().saturating_sub(1))];
            let n = counts
                .get(usize::from(l.value) - 1)
                .and_then(|r| r.get(usize::from(i.value) - 1))
                .copied()
                .unwrap_or(0);
            let text = format!("{n} — {}", label(&band.label_fr, &band.label_en));
            row.push(match colour(&band.colour) {
                Some(c) => Cell::filled(text, c),
                None => Cell::from(text),
            });
        }
        rows.push(row);
    }
    Table {
        caption,
        columns,
        rows,
        row_headers: true,
    }
}

fn score_text(lang: Language, score: Option<i64>, label_fr: &str, label_en: &str) -> String {
    match score {
        Some(s) if lang == Language::Fr => format!("{s} ({label_fr})"),
        Some(s) => format!("{s} ({label_en})"),
        None => t(lang, "risk-not-rated"),
    }
}

fn band_labels(method: &Method, band: Option<usize>) -> (String, String) {
    band.and_then(|b| method.bands.get(b))
        .map(|b| (b.label_fr.clone(), b.label_en.clone()))
        .unwrap_or_default()
}

fn register_rows(lang: Language, d: &Data) -> Vec<Vec<String>> {
    d.register
        .iter()
        .map(|r| {
            let residual = band_labels(&d.map.method, r.residual_band);
            vec![
                format!("R-{:05}", r.id),
                r.title.clone(),
                r.org_name.clone(),
                r.owner_name.clone(),
                score_text(
                    lang,
                    Some(r.gross_score),
                    &r.gross_band_label_fr,
                    &r.gross_band_label_en,
                ),
                r.treatment
                    .map(|x| t(lang, &x.label_key()))
                    .unwrap_or_else(|| t(lang, "risk-treatment-none")),
                score_text(lang, r.residual_score, &residual.0, &residual.1),
                if r.above_threshold {
                    t(lang, "yes")
                } else {
                    t(lang, "no")
                },
                t(lang, &format!("risk-status-{}", r.status)),
                r.review_due.clone(),
                if r.to_reassess {
                    t(lang, "yes")
                } else {
                    t(lang, "no")
                },
                r.overdue_actions.to_string(),
            ]
        })
        .collect()
}

fn register_columns(lang: Language) -> Vec<String> {
    [
        "risk-report-ref",
        "risk-title",
        "risk-org",
        "risk-owner",
        "risk-gross-score",
        "risk-treatment",
        "risk-residual-score",
        "risk-report-above-threshold",
        "risk-status",
        "risk-review-due",
        "risk-filter-to-reassess",
        "risk-filter-overdue-actions",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect()
}

fn plan_rows(lang: Language, plan: &[&PlanRow]) -> Vec<Vec<String>> {
    plan.iter()
        .map(|a| {
            vec![
                format!("R-{:05}", a.risk_id),
                a.risk_title.clone(),
                a.title.clone(),
                a.owner_name.clone(),
                a.due_on.clone(),
                t(
                    lang,
                    &format!("risk-action-status-{}", a.status.as_str().replace('_', "-")),
                ),
                a.controls.join(", "),
                if a.overdue {
                    t(lang, "yes")
                } else {
                    t(lang, "no")
                },
            ]
        })
        .collect()
}

fn plan_columns(lang: Language) -> Vec<String> {
    [
        "risk-report-ref",
        "risk-title",
        "risk-action-title",
        "risk-action-owner",
        "risk-action-due",
        "risk-action-status",
        "risk-report-controls",
        "risk-report-overdue-column",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect()
}

fn table(caption: String, columns: Vec<String>, weights: &[f32], rows: Vec<Vec<String>>) -> Table {
    Table {
        caption,
        columns: columns
            .into_iter()
            .zip(weights.iter().chain(std::iter::repeat(&1.0)))
            .map(|(c, w)| Column::new(c, *w))
            .collect(),
        rows: rows
            .into_iter()
            .map(|r| r.into_iter().map(Cell::from).collect())
            .collect(),
        row_headers: false,
    }
}

fn report(lang: Language, d: &Data, now: DateTime<Utc>) -> Report {
    let overdue: Vec<&PlanRow> = d.plan.iter().filter(|a| a.overdue).collect();
    let reassess = d.register.iter().filter(|r| r.to_reassess).count();
    let mut blocks = vec![
        Block::Heading(t(lang, "risk-report-summary")),
        Block::Paragraph(t_args(
            lang,
            "risk-report-summary-text",
            &[
                ("risks", d.total.into()),
                ("above", d.map.above_threshold.into()),
                ("reassess", reassess.into()),
                ("overdue", overdue.len().into()),
            ],
        )),
    ];
    if d.total > LIMIT {
        blocks.push(Block::Paragraph(t_args(
            lang,
            "risk-report-truncated",
            &[("limit", LIMIT.into())],
        )));
    }
    blocks.push(Block::Heading(t(lang, "risk-report-maps")));
    blocks.push(Block::Table(map_table(
        lang,
        t(lang, "risk-report-gross-map"),
        &d.map.method,
        &d.map.gross,
    )));
    blocks.push(Block::Table(map_table(
        lang,
        t(lang, "risk-report-residual-map"),
        &d.map.method,
        &d.map.residual,
    )));
    blocks.push(Block::Heading(t(lang, "risk-report-register")));
    if d.register.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "none")));
    } else {
        blocks.push(Block::Table(table(
            t(lang, "risk-report-register"),
            register_columns(lang),
            &[0.8, 2.4, 1.5, 1.3, 1.1, 1.1, 1.1, 0.9, 1.1, 1.0, 1.0, 1.0],
            register_rows(lang, d),
        )));
    }
    let plan: Vec<&PlanRow> = d.plan.iter().collect();
    for (heading, rows) in [
        ("risk-report-plans", plan),
        ("risk-report-overdue", overdue),
    ] {
        blocks.push(Block::Heading(t(lang, heading)));
        if rows.is_empty() {
            blocks.push(Block::Paragraph(t(lang, "none")));
        } else {
            blocks.push(Block::Table(table(
                t(lang, heading),
                plan_columns(lang),
                &[0.9, 2.2, 2.4, 1.4, 1.0, 1.0, 1.3, 0.8],
                plan_rows(lang, &rows),
            )));
        }
    }
    blocks.push(Block::Heading(t(lang, "risk-report-approvals")));
    if d.approvals.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "none")));
    } else {
        blocks.push(Block::Table(table(
            t(lang, "risk-report-approvals"),
            [
                "risk-report-ref",
                "risk-title",
                "risk-approved-by",
                "risk-report-approved-on",
                "risk-expires-on",
                "risk-residual-score",
                "risk-justification",
            ]
            .iter()
            .map(|k| t(lang, k))
            .collect(),
            &[0.9, 2.2, 1.4, 1.0, 1.0, 0.9, 2.8],
            d.approvals
                .iter()
                .map(|a| {
                    vec![
                        format!("R-{:05}", a.risk_id),
                        a.risk_title.clone(),
                        a.approver_name.clone(),
                        a.approved_on.clone(),
                        a.expires_on.clone(),
                        a.residual_score.to_string(),
                        a.justification.clone(),
                    ]
                })
                .collect(),
        )));
    }
    Report {
        title: format!("{} — {}", t(lang, "risk-report-title"), d.org_name),
        subtitle: vec![
            t_args(
                lang,
                "risk-report-period",
                &[
                    ("from", d.from.to_string().into()),
                    ("to", d.to.to_string().into()),
                ],
            ),
            t_args(
                lang,
                "report-produced",
                &[("at", crate::time::display(now.timestamp_micros()).into())],
            ),
        ],
        language: lang.tag().to_owned(),
        page_label: t_args(
            lang,
            "report-page",
            &[("page", "{page}".into()), ("pages", "{pages}".into())],
        ),
        creator: "Rempart".to_owned(),
        produced: produced(now),
        orientation: Orientation::Landscape,
        blocks,
    }
}

/// When a document was produced, for its properties.
pub(crate) fn produced(now: DateTime<Utc>) -> Produced {
    Produced {
        year: u16::try_from(now.year()).unwrap_or(0),
        month: u8::try_from(now.month()).unwrap_or(1),
        day: u8::try_from(now.day()).unwrap_or(1),
        hour: u8::try_from(now.hour()).unwrap_or(0),
        minute: u8::try_from(now.minute()).unwrap_or(0),
        second: u8::try_from(now.second()).unwrap_or(0),
    }
}

fn file_name(d: &Data, extension: &str) -> String {
    format!(
        "attachment; filename=\"rapport-risques-{}-{}.{extension}\"",
        d.from, d.to
    )
}

/// `GET /risks/report.pdf`.
pub async fn pdf(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<ReportParams>,
) -> Result<Response, AppError> {
    let data = load(&app, &actor, &p).await?;
    let disposition = file_name(&data, "pdf");
    let report = report(actor.language(), &data, Utc::now());
    pdf_response(report, disposition).await
}

/// A report laid out as PDF and sent as an attachment. Laying out a long register takes CPU
/// time: it is done off the request threads.
pub(crate) async fn pdf_response(
    report: rempart_report::Report,
    disposition: String,
) -> Result<Response, AppError> {
    let pdf = tokio::task::spawn_blocking(move || rempart_report::render_pdf(&report))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response())
}

/// `GET /risks/report.csv?part=register|plans`: UTF-8 with a byte-order mark, cells
/// neutralized against formula injection.
pub async fn csv(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<ReportParams>,
) -> Result<Response, AppError> {
    let plans = match p.part.as_str() {
        "" | "register" => false,
        "plans" => true,
        _ => {
            return Err(AppError::Invalid(vec![FieldError::new(
                "part",
                "error-choice",
            )]))
        }
    };
    let data = load(&app, &actor, &p).await?;
    let lang = actor.language();
    let (header_row, rows) = if plans {
        let all: Vec<&PlanRow> = data.plan.iter().collect();
        (plan_columns(lang), plan_rows(lang, &all))
    } else {
        (register_columns(lang), register_rows(lang, &data))
    };
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::internal(e);
    w.write_record(&header_row).map_err(fail)?;
    for row in rows {
        w.write_record(row.iter().map(|c| neutralize(c).into_owned()))
            .map_err(fail)?;
    }
    let mut body = vec![0xEF, 0xBB, 0xBF];
    body.extend(
        w.into_inner()
            .map_err(|e| AppError::internal(e.to_string()))?,
    );
    let disposition = file_name(&data, "csv");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(from: &str, to: &str) -> ReportParams {
        ReportParams {
            from: from.into(),
            to: to.into(),
            ..ReportParams::default()
        }
    }

    fn fields(e: AppError) -> Vec<(String, &'static str)> {
        match e {
            AppError::Invalid(v) => v.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("{other:?}"),
        }
    }

    // REQ RISK-05
    #[test]
    fn the_period_is_a_year_to_today_by_default_and_every_fault_is_named() {
        let today: NaiveDate = "2026-12-04".parse().unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            period(&params("", ""), today).unwrap(),
            (d("2025-12-04"), d("2026-12-04"))
        );
        assert_eq!(
            period(&params("2026-04-01", "2027-03-31"), today).unwrap(),
            (d("2026-04-01"), d("2027-03-31"))
        );
        assert_eq!(
            fields(period(&params("01/04/2026", "demain"), today).unwrap_err()),
            [
                ("to".to_owned(), "error-date"),
                ("from".to_owned(), "error-date")
            ]
        );
        assert_eq!(
            fields(period(&params("2026-05-01", "2026-04-01"), today).unwrap_err()),
            [("to".to_owned(), "error-until-before-from")]
        );
        assert_eq!(
            fields(period(&params("2010-01-01", "2026-01-01"), today).unwrap_err()),
            [("from".to_owned(), "error-months")]
        );
    }

    #[test]
    fn band_colours_are_read_from_the_method() {
        assert_eq!(colour("#b71c1c"), Some(Rgb(0xb7, 0x1c, 0x1c)));
        assert_eq!(colour("b71c1c"), None);
        assert_eq!(colour("#zzzzzz"), None);
    }
}
