//! The route table: every path, its handler and its policy, in one place.

use std::sync::Arc;

use axum::http::Method;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, put};
use axum::Router;
use rempart_domain::authz::Permission;
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::AppError;
use crate::policy::{Policy, PolicyTable, Routes};
use crate::{
    account, api, assets_api, assets_ui, controls_api, register_ui, risks_api, sso_login, ui,
    AppState,
};

/// Every route of the application with its policy.
pub fn routes() -> Routes {
    use Permission::*;
    use Policy::*;
    let routes = Routes::new()
        .get("/healthz", Public, get(healthz))
        .get("/readyz", Public, get(readyz))
        .get("/metrics", Public, get(metrics))
        .get("/static/rempart.css", Public, get(ui::stylesheet))
        .get("/login", Public, get(account::login_page))
        .post("/login", Public, post(account::login))
        .get("/login/sso", Public, get(sso_login::start))
        .get("/login/sso/callback", Public, get(sso_login::callback))
        .post("/logout", AnyStage, post(account::logout))
        .get("/password", AnyStage, get(account::password_page))
        .post("/password", AnyStage, post(account::password_change))
        .get("/mfa", AnyStage, get(account::mfa_page))
        .post("/mfa", AnyStage, post(account::mfa_verify))
        .get("/mfa/enrol", AnyStage, get(account::enrol_show))
        .post("/mfa/enrol", AnyStage, post(account::enrol_confirm))
        .post(
            "/profile/recovery-codes",
            SignedIn,
            post(account::recovery_regenerate),
        )
        .post(
            "/profile/sessions/{id}/revoke",
            SignedIn,
            post(account::session_revoke),
        )
        .post("/profile/tokens", SignedIn, post(account::token_create))
        .post(
            "/profile/tokens/{id}/revoke",
            SignedIn,
            post(account::token_revoke),
        )
        .post(
            "/profile/sso/{id}/unlink",
            SignedIn,
            post(account::sso_unlink),
        )
        .post("/switch-org", SignedIn, post(ui::switch_org))
        .get("/register", Needs(GrantRead), get(register_ui::page))
        .get("/register.csv", Needs(GrantRead), get(register_ui::csv))
        .get("/register.pdf", Needs(GrantRead), get(register_ui::pdf))
        .get(
            "/risks/report.pdf",
            Needs(RiskRead),
            get(crate::risk_report::pdf),
        )
        .get(
            "/risks/report.csv",
            Needs(RiskRead),
            get(crate::risk_report::csv),
        )
        .get(
            "/orgs/{id}/scale",
            Needs(AssetRead),
            get(assets_ui::scale_show),
        )
        .post(
            "/orgs/{id}/scale",
            Needs(ScaleManage),
            post(assets_ui::scale_save),
        )
        .get("/assets", Needs(AssetRead), get(assets_ui::list))
        .post("/assets", Needs(AssetManage), post(assets_ui::create))
        .get("/assets/new", Needs(AssetManage), get(assets_ui::new_form))
        .get("/assets/export", Needs(AssetRead), get(assets_ui::export))
        .get(
            "/assets/import",
            Needs(AssetManage),
            get(assets_ui::import_form),
        )
        .post(
            "/assets/import",
            Needs(AssetManage),
            post(assets_ui::import).layer(axum::extract::DefaultBodyLimit::max(
                crate::middleware::UPLOAD_LIMIT,
            )),
        )
        .get(
            "/assets/overview",
            Needs(AssetRead),
            get(assets_ui::overview),
        )
        .get("/assets/{id}", Needs(AssetRead), get(assets_ui::show))
        .post("/assets/{id}", Needs(AssetManage), post(assets_ui::update))
        .get(
            "/assets/{id}/edit",
            Needs(AssetManage),
            get(assets_ui::edit_form),
        )
        .post(
            "/assets/{id}/archive",
            Needs(AssetManage),
            post(assets_ui::archive),
        )
        .post(
            "/assets/{id}/classification",
            Needs(AssetClassify),
            post(assets_ui::classify),
        )
        .post(
            "/assets/{id}/dependencies",
            Needs(AssetManage),
            post(assets_ui::add_dependency),
        )
        .post(
            "/assets/{id}/dependencies/remove",
            Needs(AssetManage),
            post(assets_ui::remove_dependency),
        )
        .get("/risks", Needs(RiskRead), get(crate::risks_ui::list))
        .post("/risks", Needs(RiskManage), post(crate::risks_ui::create))
        .get(
            "/risks/new",
            Needs(RiskManage),
            get(crate::risks_ui::new_form),
        )
        .get("/risks/map", Needs(RiskRead), get(crate::risks_ui::map))
        .get(
            "/risks/method.css",
            Needs(RiskRead),
            get(crate::risks_ui::method_css),
        )
        .get("/risks/{id}", Needs(RiskRead), get(crate::risks_ui::show))
        .post(
            "/risks/{id}",
            Needs(RiskManage),
            post(crate::risks_ui::update),
        )
        .get(
            "/risks/{id}/edit",
            Needs(RiskManage),
            get(crate::risks_ui::edit_form),
        )
        .post(
            "/risks/{id}/propose",
            Needs(RiskManage),
            post(crate::risks_ui::propose),
        )
        .post(
            "/risks/{id}/approve",
            Needs(RiskApprove),
            post(crate::risks_ui::approve),
        )
        .post(
            "/risks/{id}/reassess",
            Needs(RiskManage),
            post(crate::risks_ui::reassess),
        )
        .get(
            "/risks/method",
            Needs(RiskRead),
            get(crate::risk_method_ui::show),
        )
        .post(
            "/risks/method",
            Needs(RiskMethodManage),
            post(crate::risk_method_ui::save),
        )
        .get(
            "/risks/indicators",
            Needs(RiskRead),
            get(crate::indicators_ui::show),
        )
        .post(
            "/projects",
            Needs(RiskManage),
            post(crate::indicators_ui::create_project),
        )
        .post(
            "/projects/{id}/risks",
            Needs(RiskManage),
            post(crate::indicators_ui::link_risk),
        )
        .get(
            "/controls",
            Needs(ControlRead),
            get(crate::controls_ui::list),
        )
        .post(
            "/controls/import",
            Needs(ControlManage),
            post(crate::controls_ui::import).layer(axum::extract::DefaultBodyLimit::max(
                controls_api::MAX_DOCUMENT,
            )),
        )
        .get(
            "/controls/{id}",
            Needs(ControlRead),
            get(crate::controls_ui::show),
        )
        .post(
            "/controls/{id}/status",
            Needs(ControlManage),
            post(crate::controls_ui::set_status),
        )
        .get("/", SignedIn, get(ui::home))
        .get("/orgs", Needs(OrgRead), get(ui::orgs_list))
        .post("/orgs", Needs(OrgManage), post(ui::orgs_create))
        .get("/orgs/{id}", Needs(OrgRead), get(ui::org_show))
        .post("/orgs/{id}/rename", Needs(OrgManage), post(ui::org_rename))
        .post("/orgs/{id}/move", Needs(OrgManage), post(ui::org_move))
        .post(
            "/orgs/{id}/archive",
            Needs(OrgManage),
            post(ui::org_archive),
        )
        .get("/people", Needs(PersonRead), get(ui::people_list))
        .post("/people", Needs(PersonManage), post(ui::people_create))
        .get("/grants", Needs(GrantRead), get(ui::grants_list))
        .post("/grants", Needs(GrantManage), post(ui::grants_create))
        .post(
            "/grants/{id}/revoke",
            Needs(GrantManage),
            post(ui::grants_revoke),
        )
        .get("/audit", Needs(AuditRead), get(ui::audit_list))
        .get("/profile", SignedIn, get(ui::profile))
        .post("/profile/language", SignedIn, post(ui::profile_language))
        .get("/api/v1/openapi.json", Public, get(api::openapi))
        .get("/api/v1/me", SignedIn, get(api::me))
        .get("/api/v1/organizations", Needs(OrgRead), get(api::list_orgs))
        .post(
            "/api/v1/organizations",
            Needs(OrgManage),
            post(api::create_org),
        )
        .get(
            "/api/v1/organizations/{id}",
            Needs(OrgRead),
            get(api::get_org),
        )
        .route(
            Method::PATCH,
            "/api/v1/organizations/{id}",
            Needs(OrgManage),
            patch(api::patch_org),
        )
        .get("/api/v1/people", Needs(PersonRead), get(api::list_people))
        .post(
            "/api/v1/people",
            Needs(PersonManage),
            post(api::create_person),
        )
        .get(
            "/api/v1/people/{id}",
            Needs(PersonRead),
            get(api::get_person),
        )
        .post(
            "/api/v1/people/{id}/sessions/revoke",
            Needs(PersonManage),
            post(api::revoke_person_sessions),
        )
        .post(
            "/api/v1/people/{id}/mfa/reset",
            Needs(PersonManage),
            post(api::reset_person_mfa),
        )
        .post(
            "/api/v1/people/{id}/password/reset",
            Needs(PersonManage),
            post(api::reset_person_password),
        )
        .post(
            "/api/v1/people/{id}/disabled",
            Needs(PersonManage),
            post(api::set_person_disabled),
        )
        .get("/api/v1/grants", Needs(GrantRead), get(api::list_grants))
        .post(
            "/api/v1/grants",
            Needs(GrantManage),
            post(api::create_grant),
        )
        .route(
            Method::DELETE,
            "/api/v1/grants/{id}",
            Needs(GrantManage),
            delete(api::delete_grant),
        )
        .get("/api/v1/audit", Needs(AuditRead), get(api::list_audit))
        .get(
            "/api/v1/assets",
            Needs(AssetRead),
            get(assets_api::list_assets),
        )
        .post(
            "/api/v1/assets",
            Needs(AssetManage),
            post(assets_api::create_asset),
        )
        .get(
            "/api/v1/assets/consolidated",
            Needs(AssetRead),
            get(assets_api::consolidated),
        )
        .get(
            "/api/v1/assets/{id}",
            Needs(AssetRead),
            get(assets_api::get_asset),
        )
        .route(
            Method::PUT,
            "/api/v1/assets/{id}",
            Needs(AssetManage),
            put(assets_api::replace_asset),
        )
        .post(
            "/api/v1/assets/{id}/archive",
            Needs(AssetManage),
            post(assets_api::archive_asset),
        )
        .post(
            "/api/v1/assets/{id}/dependencies",
            Needs(AssetManage),
            post(assets_api::add_dependency),
        )
        .route(
            Method::DELETE,
            "/api/v1/assets/{id}/dependencies",
            Needs(AssetManage),
            delete(assets_api::remove_dependency),
        )
        .post(
            "/api/v1/assets/{id}/classification",
            Needs(AssetClassify),
            post(assets_api::classify_asset),
        )
        .get(
            "/api/v1/assets/{id}/classifications",
            Needs(AssetRead),
            get(assets_api::list_classifications),
        )
        .get(
            "/api/v1/organizations/{id}/classification-scale",
            Needs(AssetRead),
            get(assets_api::get_scale),
        )
        .route(
            Method::PUT,
            "/api/v1/organizations/{id}/classification-scale",
            Needs(ScaleManage),
            put(assets_api::set_scale),
        )
        .get(
            "/api/v1/register",
            Needs(GrantRead),
            get(assets_api::get_register),
        )
        .get(
            "/api/v1/organizations/{id}/risk-method",
            Needs(RiskRead),
            get(risks_api::get_method),
        )
        .route(
            Method::PUT,
            "/api/v1/organizations/{id}/risk-method",
            Needs(RiskMethodManage),
            put(risks_api::set_method),
        )
        .post(
            "/api/v1/organizations/{id}/legal-changes",
            Needs(RiskManage),
            post(risks_api::record_legal_change),
        )
        .get(
            "/api/v1/control-catalogs",
            Needs(ControlRead),
            get(controls_api::list_catalogs),
        )
        .post(
            "/api/v1/control-catalogs",
            Needs(ControlManage),
            post(controls_api::import_catalog).layer(axum::extract::DefaultBodyLimit::max(
                controls_api::MAX_DOCUMENT,
            )),
        )
        .get(
            "/api/v1/control-catalogs/{id}/controls",
            Needs(ControlRead),
            get(controls_api::list_controls),
        )
        .route(
            Method::PUT,
            "/api/v1/organizations/{id}/control-status",
            Needs(ControlManage),
            put(controls_api::set_status),
        )
        .get(
            "/api/v1/risks/poam",
            Needs(RiskRead),
            get(crate::poam::export),
        )
        .get(
            "/api/v1/assets/{id}/controls",
            Needs(AssetRead),
            get(controls_api::asset_controls),
        )
        .post(
            "/api/v1/assets/{id}/controls",
            Needs(AssetManage),
            post(controls_api::link_asset_control),
        )
        .route(
            Method::DELETE,
            "/api/v1/assets/{id}/controls",
            Needs(AssetManage),
            delete(controls_api::unlink_asset_control),
        )
        .get(
            "/api/v1/risks/indicators",
            Needs(RiskRead),
            get(crate::indicators_api::get_indicators),
        )
        .get(
            "/api/v1/projects",
            Needs(RiskRead),
            get(crate::indicators_api::list_projects),
        )
        .post(
            "/api/v1/projects",
            Needs(RiskManage),
            post(crate::indicators_api::create_project),
        )
        .post(
            "/api/v1/projects/{id}/risks",
            Needs(RiskManage),
            post(crate::indicators_api::link_risk),
        )
        .get("/api/v1/risks", Needs(RiskRead), get(risks_api::list_risks))
        .post(
            "/api/v1/risks",
            Needs(RiskManage),
            post(risks_api::create_risk),
        )
        .get(
            "/api/v1/risks/map",
            Needs(RiskRead),
            get(risks_api::heat_map),
        )
        .get(
            "/api/v1/risks/{id}",
            Needs(RiskRead),
            get(risks_api::get_risk),
        )
        .route(
            Method::PUT,
            "/api/v1/risks/{id}",
            Needs(RiskManage),
            put(risks_api::replace_risk),
        )
        .post(
            "/api/v1/risks/{id}/propose",
            Needs(RiskManage),
            post(risks_api::propose_risk),
        )
        .post(
            "/api/v1/risks/{id}/approve",
            Needs(RiskApprove),
            post(risks_api::approve_risk),
        )
        .post(
            "/api/v1/risks/{id}/reassessments",
            Needs(RiskManage),
            post(risks_api::flag_risk),
        )
        .get(
            "/api/v1/audit/verify",
            Needs(AuditRead),
            get(api::verify_audit),
        );
    // Threats, vulnerabilities, incidents and the alert network: their own tables of routes.
    let routes = crate::gmvi_ui::routes(crate::gmvi_api::routes(routes));
    // Vulnerabilities: scanner reports, CVSS, the known-exploited catalogue.
    let routes = crate::vulns_ui::routes(crate::vulns_api::routes(routes));
    // Security advisories: CSAF documents and bulletins entered by hand.
    let routes = crate::advisories_ui::routes(crate::advisories_api::routes(routes));
    // The access law's deadlines, as a calculator.
    let routes = crate::deadlines_ui::routes(crate::days_off_api::routes(routes));
    // Access requests: the register, the letters, the provisions relied on.
    let routes = crate::access_requests_ui::routes(crate::access_requests_api::routes(routes));
    let routes = crate::access_request_documents::routes(routes);
    // The register of confidentiality incidents.
    let routes = crate::confidentiality_ui::routes(crate::confidentiality_api::routes(routes));
    let routes = crate::complaints::routes(routes);
    // Privacy governance: impact assessments, the inventory of files, the register of
    // communications.
    let routes = crate::privacy_assessments::routes(routes);
    let routes = crate::personal_info_files::routes(routes);
    crate::disclosure::routes(routes)
}

/// Assembles the application from a route table (tests pass one with an extra route).
pub fn assemble(routes: Routes, state: AppState) -> (Router, Arc<PolicyTable>) {
    let (router, table) = routes.into_parts();
    let table = Arc::new(table);
    let state = AppState {
        policies: table.clone(),
        ..state
    };
    let router = router
        .route_layer(from_fn(crate::middleware::keep_route))
        .route_layer(from_fn_with_state(
            state.clone(),
            crate::middleware::enforce,
        ))
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(256 * 1024))
        .layer(from_fn_with_state(state.clone(), crate::middleware::finish))
        .layer(CatchPanicLayer::custom(|_| {
            AppError::internal("panic in handler").into_response()
        }))
        .with_state(state);
    (router, table)
}

pub fn build_router(state: AppState) -> Router {
    assemble(routes(), state).0
}

async fn not_found() -> Response {
    AppError::NotFound.into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(axum::extract::State(app): axum::extract::State<AppState>) -> Response {
    let version = rempart_storage::migrate::current_version(&app.store).await;
    match (app.store.ping().await, version) {
        (Ok(()), Ok(v)) if v == rempart_storage::migrate::latest_version() => {
            "ready".into_response()
        }
        _ => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response(),
    }
}

async fn metrics(axum::extract::State(app): axum::extract::State<AppState>) -> Response {
    let (size, idle) = app.store.pool_stats();
    app.metrics.pool_size.set(i64::from(size));
    app.metrics
        .pool_idle
        .set(i64::try_from(idle).unwrap_or(i64::MAX));
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}
