//! The web layer's one error type, mapped to HTTP in one place.
//!
//! A handler returns `AppError`; its `IntoResponse` only records the error on an empty response.
//! The request middleware, which knows the caller's language and whether the route is the API
//! or a page, then renders it: a JSON body `{code, message, fields}` for the API, an HTML page
//! otherwise. A 500 says nothing but an incident id; the log says the rest.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rempart_domain::language::Language;
use rempart_domain::{FieldError, ValidationErrors};
use rempart_storage::StoreError;
use serde::Serialize;

use crate::i18n::{field_message, t, t_args};

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("unauthenticated")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("csrf")]
    Csrf,
    /// A sign-in step (password change, second factor) is still owed.
    #[error("sign-in step pending")]
    Stage,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("conflict")]
    Conflict(&'static str),
    #[error("stale")]
    Stale,
    /// The body or query could not be read at all.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// An uploaded file was read and refused: the reason names its place (line, element).
    #[error("file refused: {0}")]
    FileRefused(String),
    #[error("payload too large")]
    TooLarge,
    #[error("too many requests")]
    TooManyRequests,
    #[error("unsupported media type")]
    UnsupportedMedia,
    #[error("internal error {0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf | AppError::Stage => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Invalid(_) | AppError::BadRequest(_) | AppError::FileRefused(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Conflict(_) | AppError::Stale => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::UnsupportedMedia => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine code of the error body.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf",
            AppError::Stage => "sign_in_step_pending",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Invalid(_) => "invalid",
            AppError::Conflict(_) => "conflict",
            AppError::Stale => "stale",
            AppError::BadRequest(_) => "bad_request",
            AppError::FileRefused(_) => "file_refused",
            AppError::TooLarge => "too_large",
            AppError::TooManyRequests => "too_many_requests",
            AppError::UnsupportedMedia => "unsupported_media_type",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn message(&self, language: Language) -> String {
        match self {
            AppError::Unauthenticated => t(language, "error-unauthenticated"),
            AppError::Forbidden => t(language, "error-forbidden"),
            AppError::Csrf => t(language, "error-csrf"),
            AppError::Stage => t(language, "error-stage"),
            AppError::NotFound => t(language, "error-page-not-found"),
            AppError::MethodNotAllowed => t(language, "error-method"),
            AppError::Invalid(fields) => t_args(
                language,
                "errors-title",
                &[("count", (fields.len() as u64).into())],
            ),
            AppError::Conflict(_) => t(language, "error-taken"),
            AppError::Stale => t(language, "error-stale"),
            AppError::BadRequest(detail) => {
                t_args(language, "error-body", &[("detail", detail.clone().into())])
            }
            AppError::FileRefused(detail) => t_args(
                language,
                "error-file-refused",
                &[("detail", detail.clone().into())],
            ),
            AppError::TooLarge => t(language, "error-too-large"),
            AppError::TooManyRequests => t(language, "error-too-many-requests"),
            AppError::UnsupportedMedia => t(language, "error-unsupported-media"),
            AppError::Internal(incident) => t_args(
                language,
                "error-internal",
                &[("incident", incident.clone().into())],
            ),
        }
    }

    pub fn fields(&self) -> Vec<FieldError> {
        match self {
            AppError::Invalid(fields) => fields.clone(),
            AppError::Conflict(field) => vec![FieldError::new(*field, "error-taken")],
            _ => Vec::new(),
        }
    }

    pub fn body(&self, language: Language) -> ErrorBody {
        ErrorBody {
            code: self.code().to_owned(),
            message: self.message(language),
            fields: self
                .fields()
                .into_iter()
                .map(|f| FieldMessage {
                    message: field_message(language, f.code, f.limit),
                    field: f.field,
                    code: f.code.to_owned(),
                })
                .collect(),
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> AppError {
        let incident = format!("{:016x}", rand_u64());
        tracing::error!(incident = %incident, error = %error, "internal error");
        AppError::Internal(incident)
    }
}

fn rand_u64() -> u64 {
    let mut bytes = [0u8; 8];
    // The incident id only correlates a response with a log line; if the OS refuses
    // randomness the clock serves as well.
    if getrandom::fill(&mut bytes).is_err() {
        return rempart_storage::now_micros() as u64;
    }
    u64::from_le_bytes(bytes)
}

/// The one error body of the API.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine code: `invalid`, `not_found`, `forbidden`, …
    pub code: String,
    /// A sentence in the caller's language.
    pub message: String,
    /// One entry per field at fault.
    pub fields: Vec<FieldMessage>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FieldMessage {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict { field } => AppError::Conflict(field),
            StoreError::Invalid(ValidationErrors(fields)) => AppError::Invalid(fields),
            StoreError::Tree(tree) => {
                let field = match tree {
                    rempart_domain::org::TreeError::HasActiveChildren => "id",
                    _ => "parent_id",
                };
                AppError::Invalid(vec![FieldError::new(field, tree.code())])
            }
            StoreError::Stale => AppError::Stale,
            other => AppError::internal(other),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        AppError::Invalid(errors.0)
    }
}

macro_rules! rejection {
    ($($ty:ty),*) => {$(
        impl From<$ty> for AppError {
            fn from(rejection: $ty) -> Self {
                match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMedia,
                    _ => AppError::BadRequest(rejection.body_text().chars().take(300).collect()),
                }
            }
        }
    )*};
}

rejection!(
    axum::extract::rejection::JsonRejection,
    axum::extract::rejection::FormRejection,
    axum::extract::rejection::QueryRejection,
    axum::extract::rejection::PathRejection
);

/// Extractors whose failures become our error body, never axum's plain text.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct Form<T>(pub T);

#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes_are_stable() {
        let cases = [
            (AppError::Unauthenticated, 401, "unauthenticated"),
            (AppError::Forbidden, 403, "forbidden"),
            (AppError::Csrf, 403, "csrf"),
            (AppError::NotFound, 404, "not_found"),
            (AppError::Invalid(vec![]), 422, "invalid"),
            (AppError::Conflict("slug"), 409, "conflict"),
            (AppError::TooLarge, 413, "too_large"),
            (AppError::Internal("x".into()), 500, "internal"),
        ];
        for (error, status, code) in cases {
            assert_eq!(error.status().as_u16(), status);
            assert_eq!(error.code(), code);
        }
        let body =
            AppError::Invalid(vec![FieldError::new("name", "error-required")]).body(Language::Fr);
        assert_eq!(body.fields[0].field, "name");
        assert_eq!(body.fields[0].message, "Ce champ est obligatoire.");
    }
}
