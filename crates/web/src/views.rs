//! Typed, escaped page templates (askama) and the context every page shares.

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use rempart_domain::authz::Permission;
use rempart_domain::language::Language;
use rempart_domain::FieldError;

use crate::auth::Actor;
use crate::error::AppError;
use crate::i18n::{field_message, t, t_args};

/// One option of a picker.
pub struct Choice {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

pub struct NavItem {
    pub href: &'static str,
    pub key: &'static str,
    pub current: bool,
}

/// What the layout needs: language, the signed-in person, navigation, the organization
/// switcher and the CSRF token for forms.
pub struct Ctx {
    pub lang: Language,
    pub user_name: Option<String>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub orgs: Vec<Choice>,
    pub flash: Option<String>,
    /// Whether the person may report a security event: the link in the header (GMVI-01).
    pub can_report: bool,
    /// Unread notifications: the badge beside the inbox in the menu (PLAT-10).
    pub unread: i64,
}

impl Ctx {
    pub fn anonymous(lang: Language) -> Ctx {
        Ctx {
            lang,
            user_name: None,
            csrf: String::new(),
            nav: Vec::new(),
            orgs: Vec::new(),
            flash: None,
            can_report: false,
            unread: 0,
        }
    }

    pub fn for_actor(actor: &Actor, current: &str, orgs: Vec<(i64, String)>) -> Ctx {
        let items: [(&'static str, &'static str, Option<Permission>); 26] = [
            ("/", "nav-home", None),
            ("/assets", "nav-assets", Some(Permission::AssetRead)),
            ("/risks", "nav-risks", Some(Permission::RiskRead)),
            ("/controls", "nav-controls", Some(Permission::ControlRead)),
            ("/register", "nav-register", Some(Permission::GrantRead)),
            ("/orgs", "nav-orgs", Some(Permission::OrgRead)),
            ("/people", "nav-people", Some(Permission::PersonRead)),
            ("/grants", "nav-grants", Some(Permission::GrantRead)),
            ("/audit", "nav-audit", Some(Permission::AuditRead)),
            ("/events", "nav-events", Some(Permission::EventTriage)),
            (
                "/incidents",
                "nav-incidents",
                Some(Permission::IncidentRead),
            ),
            ("/notices", "nav-notices", Some(Permission::IncidentRead)),
            (
                "/vulnerabilities",
                "nav-vulnerabilities",
                Some(Permission::VulnerabilityRead),
            ),
            (
                "/advisories",
                "nav-advisories",
                Some(Permission::VulnerabilityRead),
            ),
            (
                "/disclosures",
                "nav-disclosures",
                Some(Permission::VulnerabilityImport),
            ),
            ("/alerts", "nav-alerts", Some(Permission::AlertRead)),
            (
                "/escalation-rules",
                "nav-escalation-rules",
                Some(Permission::EscalationManage),
            ),
            (
                "/access-requests",
                "nav-access-requests",
                Some(Permission::PrivacyRead),
            ),
            (
                "/confidentiality-incidents",
                "nav-confidentiality-incidents",
                Some(Permission::PrivacyRead),
            ),
            (
                "/complaints",
                "nav-complaints",
                Some(Permission::PrivacyRead),
            ),
            (
                "/privacy-assessments",
                "nav-privacy-assessments",
                Some(Permission::PrivacyGovernanceRead),
            ),
            (
                "/personal-info-files",
                "nav-personal-info-files",
                Some(Permission::PrivacyGovernanceRead),
            ),
            (
                "/communications",
                "nav-communications",
                Some(Permission::PrivacyGovernanceRead),
            ),
            ("/deadlines", "nav-deadlines", None),
            ("/inbox", "nav-inbox", None),
            ("/profile", "nav-profile", None),
        ];
        let nav = items
            .into_iter()
            .filter(|(_, _, p)| p.is_none_or(|p| actor.can(p)))
            .map(|(href, key, _)| NavItem {
                href,
                key,
                current: href == current,
            })
            .collect();
        Ctx {
            lang: actor.language(),
            user_name: Some(actor.person.name.clone()),
            csrf: actor.session.csrf_token.clone(),
            nav,
            orgs: orgs
                .into_iter()
                .map(|(id, label)| Choice {
                    id,
                    label,
                    selected: actor.session.active_org_id == Some(id),
                })
                .collect(),
            flash: None,
            can_report: actor.can(Permission::EventReport),
            unread: 0,
        }
    }

    pub fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }

    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        t_args(self.lang, key, &[(name, value.to_owned().into())])
    }

    // Templates pass numbers by value or by reference depending on the expression; Borrow
    // takes both.
    pub fn tn(&self, key: &str, name: &str, value: impl std::borrow::Borrow<i64>) -> String {
        t_args(self.lang, key, &[(name, (*value.borrow()).into())])
    }

    pub fn time(&self, micros: impl std::borrow::Borrow<i64>) -> String {
        crate::time::display(*micros.borrow())
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.tag()
    }
}

/// The values and errors of a submitted form, to show it again with its faults.
#[derive(Default)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub errors: Vec<(String, String)>,
}

impl FormState {
    pub fn new(values: &[(&str, &str)]) -> FormState {
        FormState {
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            errors: Vec::new(),
        }
    }

    pub fn with_errors(mut self, lang: Language, errors: &[FieldError]) -> FormState {
        self.errors = errors
            .iter()
            .map(|e| (e.field.clone(), field_message(lang, e.code, e.limit)))
            .collect();
        self
    }

    pub fn value(&self, field: &str) -> String {
        self.values.get(field).cloned().unwrap_or_default()
    }

    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn is(&self, field: &str, value: &str) -> bool {
        self.values.get(field).is_some_and(|v| v == value)
    }
}

/// Renders a template, answering with `status`.
pub fn render<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::internal(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub ctx: Ctx,
    pub message: &'a str,
    pub status: u16,
    /// Each field at fault, with what is wrong with it.
    pub fields: Vec<(String, String)>,
}

/// The HTML page for an error; a 401 on a page sends the person to the login form.
pub fn error_page(lang: Language, error: &AppError) -> Response {
    let message = error.message(lang);
    let page = ErrorPage {
        ctx: Ctx::anonymous(lang),
        message: &message,
        status: error.status().as_u16(),
        fields: error
            .fields()
            .iter()
            .map(|e| (e.field.clone(), field_message(lang, e.code, e.limit)))
            .collect(),
    };
    match page.render() {
        Ok(html) => (error.status(), Html(html)).into_response(),
        Err(_) => (error.status(), message).into_response(),
    }
}
