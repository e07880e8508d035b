//! `rempart serve`: opens the store, optionally loads the demo, and serves until SIGTERM or
//! Ctrl-C, letting in-flight requests finish.

use rempart_storage::Store;
use rempart_web::auth::PasswordHashing;
use rempart_web::AppState;

use crate::config::Config;

pub fn state(
    store: Store,
    config: &Config,
    hashing: PasswordHashing,
) -> Result<AppState, rempart_web::sso::SsoError> {
    AppState::new(store, config.web.clone(), hashing)
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("arrêt demandé : fin des requêtes en cours");
}
