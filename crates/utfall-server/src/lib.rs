//! Utfall's web app: every page rendered on the server from what `utfall-app` computes (HTML
//! that works without JavaScript, charts as SVG), the same results as JSON under `/api`, and
//! accounts, roles, sessions and CSRF protection over the metadata store.
//!
//! Every route is declared once in [`routes::ROUTES`] with the least role it needs; the guard
//! refuses a route that is not declared, so no route can miss its check.
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod auth;
mod cache;
pub mod i18n;
mod openapi;
mod pages;
pub mod routes;
mod schemas;
mod state;
mod view;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use state::AppState;

/// How to serve a workspace.
#[derive(Debug, Clone)]
pub struct Config {
    /// The workspace folder.
    pub dir: PathBuf,
    /// Where to listen (`127.0.0.1:8080`; port 0 picks a free one).
    pub bind: SocketAddr,
    /// Where "today" comes from.
    pub clock: utfall_app::Clock,
    /// Whether cookies are `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// The largest file an upload may bring, in bytes.
    pub upload_limit: u64,
}

/// The default upload limit: 200 MiB.
pub const UPLOAD_LIMIT: u64 = 200 << 20;

impl Config {
    /// A configuration from the environment's settings: `UTFALL_SECURE_COOKIES=1` (behind
    /// TLS) and `UTFALL_UPLOAD_LIMIT_MB` (default 200).
    pub fn from_env(dir: PathBuf, bind: SocketAddr, clock: utfall_app::Clock) -> Config {
        let upload_limit = std::env::var("UTFALL_UPLOAD_LIMIT_MB")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(UPLOAD_LIMIT, |mb| mb << 20);
        Config {
            dir,
            bind,
            clock,
            secure_cookies: std::env::var("UTFALL_SECURE_COOKIES").is_ok_and(|v| v == "1"),
            upload_limit,
        }
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The workspace or its store could not be opened.
    #[error(transparent)]
    App(#[from] utfall_app::AppError),
    /// The address could not be bound.
    #[error("cannot listen on {address}")]
    Bind {
        /// Where.
        address: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("the server stopped")]
    Serve(#[source] std::io::Error),
}

/// A server listening, not yet serving.
#[derive(Debug)]
pub struct Bound {
    /// The address it listens on.
    pub address: SocketAddr,
    listener: tokio::net::TcpListener,
    state: std::sync::Arc<AppState>,
}

/// Opens the workspace and its store and binds the address.
pub async fn bind(config: &Config) -> Result<Bound, ServerError> {
    let state = AppState::open(config).await?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|source| ServerError::Bind {
            address: config.bind,
            source,
        })?;
    let address = listener.local_addr().map_err(ServerError::Serve)?;
    Ok(Bound {
        address,
        listener,
        state: std::sync::Arc::new(state),
    })
}

impl Bound {
    /// The application state (for first-run set-up and tests).
    pub fn state(&self) -> &std::sync::Arc<AppState> {
        &self.state
    }

    /// Serves until the process is interrupted (Ctrl-C).
    pub async fn serve(self) -> Result<(), ServerError> {
        self.serve_until(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    }

    /// Serves until `stop` completes.
    pub async fn serve_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let app = routes::router(self.state.clone());
        let digests = tokio::spawn(state::digests(self.state.clone()));
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stop)
        .await
        .map_err(ServerError::Serve);
        digests.abort();
        served
    }
}

/// The first run: when nobody can log in as an admin, the admin `admin` gets a one-time
/// password (created when missing). Returns it, to be shown once; `None` when an admin with a
/// password exists.
pub async fn first_admin(
    store: &utfall_store::Store,
) -> Result<Option<(String, String)>, utfall_app::AppError> {
    let people = store.users().await?;
    if people
        .iter()
        .any(|p| p.role == utfall_store::Role::Admin && p.has_password)
    {
        return Ok(None);
    }
    let password = pages::account::one_time_password();
    if people.iter().any(|p| p.id == "admin") {
        utfall_app::memory::reset_password(store, "admin", &password).await?;
        store.set_role("admin", utfall_store::Role::Admin).await?;
    } else {
        utfall_app::memory::add_user(store, "admin", "Admin", None, "admin", Some(&password))
            .await?;
    }
    Ok(Some(("admin".to_string(), password)))
}
