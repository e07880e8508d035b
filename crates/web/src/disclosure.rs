//! Public vulnerability disclosure (GMVI-06): `/.well-known/security.txt` (RFC 9116), written
//! from the configuration's `[security_txt]` table, so that researchers know whom to tell.
//! Without that table the file is not served (404): no contact is invented.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::policy::{Policy, Routes};
use crate::AppState;

pub fn routes(routes: Routes) -> Routes {
    routes.get(
        "/.well-known/security.txt",
        Policy::Public,
        get(security_txt),
    )
}

pub async fn security_txt(State(app): State<AppState>) -> Response {
    match &app.config.security_txt {
        Some(file) => {
            if file.expired(chrono::Utc::now()) {
                // Served all the same (a stale contact beats none), and said in the log so
                // that the operator renews it.
                tracing::warn!(
                    "security.txt : la date d'expiration est passée ({})",
                    file.expires
                );
            }
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                    (header::CACHE_CONTROL, "max-age=3600"),
                ],
                file.render(),
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
