//! The treatment plans as an OSCAL plan of action and milestones (CTRL-02, issue 6): each risk
//! of an organization's subtree an OSCAL `risk` (statement, status, likelihood and impact as
//! facets, each treatment action a remediation with its due date as a milestone and its
//! controls as properties), each risk with a plan a `poam-item`. Identifiers are UUIDs derived
//! from Rempart's (version 5), so that the same risk keeps the same UUID from one export to
//! the next, as OSCAL asks of revisions.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use rempart_domain::authz::Permission;
use rempart_domain::risk::{ActionStatus, Treatment};
use rempart_storage::list::PageRequest;
use rempart_storage::risk_report::{self, PlanRow};
use rempart_storage::risks::{self, RiskFilter, RiskRow, RiskSort};
use rempart_storage::scope::Scope;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{AppError, Query};
use crate::AppState;

/// The OSCAL version the export is written against.
pub const OSCAL_VERSION: &str = "1.1.2";
/// Rempart's namespace for the properties and facets OSCAL does not define.
pub const NS: &str = "https://rempart.quebec/ns/oscal";
/// The namespace of Rempart's UUIDs (itself a version 5 UUID of the namespace URL).
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes())
}

fn id(kind: &str, n: i64) -> String {
    Uuid::new_v5(&namespace(), format!("{kind}:{n}").as_bytes()).to_string()
}

/// OSCAL text fields must not start or end with white space, nor be empty.
fn text(s: &str, fallback: &str) -> String {
    let t = s.trim();
    if t.is_empty() {
        fallback.to_owned()
    } else {
        t.to_owned()
    }
}

fn prop(name: &str, value: impl ToString) -> Value {
    json!({ "name": name, "ns": NS, "value": text(&value.to_string(), "-") })
}

/// OSCAL's status of a risk, from Rempart's state of it.
fn status(r: &RiskRow, actions: &[&PlanRow]) -> &'static str {
    let open_actions = actions
        .iter()
        .any(|a| matches!(a.status, ActionStatus::Planned | ActionStatus::InProgress));
    match (r.status.as_str(), r.treatment) {
        ("approved", Some(Treatment::Avoid)) => "closed",
        ("approved", Some(Treatment::Accept | Treatment::Transfer)) => "deviation-approved",
        ("proposed", Some(Treatment::Accept | Treatment::Transfer)) => "deviation-requested",
        (_, Some(Treatment::Mitigate)) if open_actions => "remediating",
        ("approved", Some(Treatment::Mitigate)) => "closed",
        _ => "open",
    }
}

/// The document for an organization's subtree, as of `now` (RFC 3339).
pub fn document(
    org_id: i64,
    org_name: &str,
    now: &str,
    version: &str,
    register: &[RiskRow],
    plan: &[PlanRow],
) -> Value {
    let party = id("organization", org_id);
    let mut risks_out = Vec::with_capacity(register.len());
    let mut items = Vec::new();
    for r in register {
        let actions: Vec<&PlanRow> = plan.iter().filter(|a| a.risk_id == r.id).collect();
        let risk_uuid = id("risk", r.id);
        let mut facets = vec![
            json!({"name": "likelihood", "system": NS, "value": r.gross.likelihood.to_string()}),
            json!({"name": "impact", "system": NS,
                "value": r.gross.impacts.availability.max(r.gross.impacts.integrity)
                    .max(r.gross.impacts.confidentiality).to_string()}),
            json!({"name": "gross-score", "system": NS, "value": r.gross_score.to_string()}),
        ];
        if let Some(s) = r.residual_score {
            facets.push(json!({"name": "residual-score", "system": NS, "value": s.to_string()}));
        }
        let remediations: Vec<Value> = actions
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let lifecycle = if a.status == ActionStatus::Done {
                    "completed"
                } else {
                    "planned"
                };
                let mut props = vec![
                    prop("action-owner", &a.owner_name),
                    prop("action-status", a.status.as_str()),
                ];
                props.extend(a.controls.iter().map(|c| prop("control-id", c)));
                let position = i64::try_from(i).unwrap_or(i64::MAX);
                json!({
                    "uuid": id(&format!("action:{}", r.id), position),
                    "lifecycle": lifecycle,
                    "title": text(&a.title, "Action"),
                    "description": text(&format!(
                        "Responsable : {}. Échéance : {}.", a.owner_name, a.due_on), "-"),
                    "props": props,
                    "tasks": [{
                        "uuid": id(&format!("milestone:{}", r.id), position),
                        "type": "milestone",
                        "title": text(&format!("Échéance : {}", a.title), "Échéance"),
                        // The start of the due day in Québec, as an instant.
                        "timing": {"on-date": {"date": crate::time::day_start(&a.due_on)
                            .map(crate::time::iso)
                            .unwrap_or_else(|| now.to_owned())}},
                    }],
                })
            })
            .collect();
        let mut risk = json!({
            "uuid": risk_uuid,
            "title": text(&r.title, "Risque"),
            "description": text(&format!("Risque R-{:05} de {}.", r.id, r.org_name), "-"),
            "statement": text(&format!(
                "Cote brute {}{}; traitement : {}.",
                r.gross_score,
                r.residual_score.map(|s| format!(", cote résiduelle {s}")).unwrap_or_default(),
                r.treatment.map(|t| t.as_str()).unwrap_or("aucun")
            ), "-"),
            "props": [
                prop("rempart-id", format!("R-{:05}", r.id)),
                prop("rempart-status", &r.status),
                prop("review-due", &r.review_due),
            ],
            "status": status(r, &actions),
            "characterizations": [{
                "origin": {"actors": [{"type": "party", "actor-uuid": party}]},
                "facets": facets,
            }],
        });
        if !remediations.is_empty() {
            risk["remediations"] = Value::Array(remediations);
            items.push(json!({
                "uuid": id("poam-item", r.id),
                "title": text(&r.title, "Risque"),
                "description": text(&format!(
                    "Plan de traitement du risque R-{:05} : {} action(s), dont {} en retard.",
                    r.id,
                    actions.len(),
                    actions.iter().filter(|a| a.overdue).count()
                ), "-"),
                "related-risks": [{"risk-uuid": risk_uuid}],
            }));
        }
        risks_out.push(risk);
    }
    let mut poam = json!({
        "uuid": id("poam", org_id),
        "metadata": {
            "title": text(&format!("Plan d'action et jalons — {org_name}"), "Plan d'action et jalons"),
            "last-modified": now,
            "version": text(version, "1"),
            "oscal-version": OSCAL_VERSION,
            "parties": [{"uuid": party, "type": "organization", "name": text(org_name, "-")}],
            "remarks": "Produit par Rempart à partir du registre des risques et des plans de traitement.",
        },
        "system-id": {"identifier-type": "https://ietf.org/rfc/rfc4122", "id": party},
        "poam-items": items,
    });
    if !risks_out.is_empty() {
        poam["risks"] = Value::Array(risks_out);
    }
    json!({ "plan-of-action-and-milestones": poam })
}

#[derive(Debug, Deserialize, Default)]
pub struct PoamParams {
    pub org_id: Option<i64>,
}

/// The treatment plans of an organization and those below it as an OSCAL plan of action and
/// milestones (JSON).
#[utoipa::path(get, path = "/api/v1/risks/poam", params(("org_id" = Option<i64>, Query,
    description = "The organization; the active one by default")), tag = "risks",
    responses((status = 200, description = "OSCAL plan-of-action-and-milestones document",
        content_type = "application/json"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn export(
    State(app): State<AppState>,
    Extension(actor): Extension<Actor>,
    Query(p): Query<PoamParams>,
) -> Result<Response, AppError> {
    let scope = Scope::new(actor.person.id, Permission::RiskRead);
    let org_id = p
        .org_id
        .or(actor.session.active_org_id)
        .or_else(|| actor.grants.first().map(|g| g.org.0))
        .ok_or(AppError::NotFound)?;
    // Within scope first: another body's organization is not found.
    risks::heat_map(&app.store, scope, org_id).await?;
    let org = rempart_storage::orgs::get(
        &app.store,
        Scope::new(actor.person.id, Permission::OrgRead),
        org_id,
    )
    .await?;
    let today = crate::time::today();
    let register = risks::list(
        &app.store,
        scope,
        &RiskFilter {
            within: Some(org_id),
            ..RiskFilter::default()
        },
        today,
        &PageRequest {
            limit: crate::risk_report::LIMIT,
            offset: 0,
            sort: RiskSort::Score,
            descending: true,
        },
    )
    .await?
    .items;
    let plan =
        risk_report::plan(&app.store, scope, org_id, today, crate::risk_report::LIMIT).await?;
    // OSCAL requires at least one item: without a treatment plan there is nothing to export.
    if plan.is_empty() {
        return Err(AppError::Invalid(vec![rempart_domain::FieldError::new(
            "org_id",
            "error-poam-empty",
        )]));
    }
    let now = crate::time::iso(rempart_storage::now_micros());
    let head = rempart_storage::audit::head(&app.store).await?.seq;
    let doc = document(
        org.id,
        &org.name,
        &now,
        &format!("rempart-{head}"),
        &register,
        &plan,
    );
    let body = serde_json::to_vec_pretty(&doc).map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"poam-{}.json\"", org.slug),
            ),
        ],
        body,
    )
        .into_response())
}
