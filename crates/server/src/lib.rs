//! The HTTP API of Corridor: plate reads in, vehicle histories and alerts out, behind the
//! safeguards.
//!
//! This is the only crate that knows HTTP and JSON. It serves an open
//! [`corridor_store::Store`] with axum on tokio, and opens next to it the safeguards
//! ([`corridor_safeguards::Safeguards`]: users, audit log, approvals, agreements) and the
//! alert engine ([`corridor_alerts::AlertEngine`]: hotlist, alert log, webhooks):
//!
//! ```text
//! client --HTTP--> axum router --(latency metrics)--> guard: authenticate (401), authorize (403)
//!                                                       | parse + check (API types)
//!                                                       v
//!   blocking pool (bounded) --> Store::append -> AlertEngine::check_reads -> Store::wait_durable
//!                               -> AlertEngine::wait (WAL and alert log synced in parallel)
//!                           --> Safeguards::gate -> lookup -> filter_reads -> record_result
//! ```
//!
//! Routes, versioned under `/api/v1`: reads, history, analyses, evidence bundles, approvals,
//! audit, cameras, images, hotlist, alerts (with an SSE stream), who the caller is (`me`)
//! and the OpenAPI document; and `GET /health` (the only route without
//! a token) and `GET /metrics`. Every route's guard is in the route table; docs/api.md
//! lists them. Bad input gets a 4xx whose JSON body says what was wrong ([`ApiError`]);
//! nothing of a refused batch is stored.
//!
//! Store calls block on the disk, so handlers run them on tokio's blocking pool, at most
//! `limits.store_calls_max` at a time, never on the HTTP worker threads.
//!
//! ```no_run
//! # async fn example(store: std::sync::Arc<corridor_store::Store>) -> Result<(), corridor_server::ServeError> {
//! use corridor_server::{Server, ServerConfig};
//! let config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), "data");
//! let server = Server::bind(config, store).await?;
//! println!("listening on http://{}", server.local_addr());
//! server.run(async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(())
//! # }
//! ```

mod api;
mod auth;
mod config;
mod crops;
mod error;
pub mod evidence;
mod lookup;
mod metrics;
mod openapi;
mod routes;
mod state;
mod ui;

pub use auth::{HEADER_CASE, HEADER_JUSTIFICATION, HEADER_OFFENCE};
pub use config::{AnalysisEngineConfig, Limits, ServerConfig, WebhookTarget};
pub use crops::{CROP_INDEX_FILE, CropPurge, CropRef, CropStore, IMAGES_DIR};
pub use error::{ApiError, RowError};
pub use state::{ALERTS_DIR, AppState};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::Next;
use corridor_alerts::WebhookConfig;
use corridor_store::Store;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration is not usable.
    #[error("server configuration: {0}")]
    Config(String),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// Accepting or serving connections failed.
    #[error("serving HTTP: {0}")]
    Io(#[source] std::io::Error),
    /// The store could not be flushed on shutdown.
    #[error("flushing the store on shutdown: {0}")]
    Store(#[source] corridor_store::Error),
    /// The safeguards (users, audit log, approvals, agreements) could not be opened.
    #[error("opening the safeguards: {0}")]
    Safeguards(#[source] corridor_safeguards::SafeguardsError),
    /// The alert engine (hotlist, alert log) could not be opened, or a webhook not started.
    #[error("alerts: {0}")]
    Alerts(#[source] corridor_alerts::AlertError),
}

/// The router for `state`, with every route of the API, metrics and limits.
///
/// Tests drive it with `tower::ServiceExt::oneshot`; [`Server`] serves it on a socket.
pub fn router(state: AppState) -> Router {
    let request_bytes_max = state.config().limits.request_bytes_max;
    let mut router = Router::new();
    for route in routes::table() {
        let (guard, guard_state) = (route.guard, state.clone());
        let enforce = move |request: Request, next: Next| {
            auth::enforce(guard_state.clone(), guard, request, next)
        };
        let handler = route
            .handler
            .route_layer(axum::middleware::from_fn(enforce));
        router = router.route(route.path, handler);
    }
    router
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            routes::track_latency,
        ))
        .layer(DefaultBodyLimit::max(request_bytes_max))
        .with_state(state)
}

/// A bound, not yet running, HTTP server.
#[derive(Debug)]
pub struct Server {
    listener: tokio::net::TcpListener,
    local_addr: SocketAddr,
    state: AppState,
}

impl Server {
    /// Checks the configuration, opens the safeguards and the alert engine under its data
    /// directory, and binds its listen address (port 0 picks a free port).
    pub async fn bind(config: ServerConfig, store: Arc<Store>) -> Result<Server, ServeError> {
        config.validate().map_err(ServeError::Config)?;
        let state = AppState::open(config, store)?;
        let addr = state.config().listen;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| ServeError::Bind { addr, source })?;
        Ok(Server {
            listener,
            local_addr,
            state,
        })
    }

    /// The state the server will serve (to add users or hotlist entries before it runs).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The address actually bound (with the real port when the configuration asked for 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` completes, lets requests in flight finish, then flushes the
    /// store.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let store = Arc::clone(self.state.store());
        // The workers deliver until they are dropped, when the server stops.
        let _webhooks = self
            .state
            .config()
            .webhooks
            .iter()
            .map(|target| {
                let config = WebhookConfig::new(&target.sink_id, &target.url, &target.secret);
                self.state.alerts().spawn_webhook(config)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(ServeError::Alerts)?;
        tracing::info!(addr = %self.local_addr, "Serving HTTP.");
        // No Nagle delay: an SSE event or a small reply goes out at once instead of waiting
        // for the peer's delayed ACK (up to 40 ms on Linux).
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "Could not set TCP_NODELAY on a connection.");
            }
        });
        axum::serve(listener, router(self.state))
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServeError::Io)?;
        tracing::info!("HTTP server stopped; flushing the store.");
        tokio::task::spawn_blocking(move || store.flush())
            .await
            .map_err(|join_error| ServeError::Io(std::io::Error::other(join_error)))?
            .map_err(ServeError::Store)
    }
}

/// Binds `config.listen` and serves `store` until `shutdown` completes.
pub async fn serve(
    config: ServerConfig,
    store: Arc<Store>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    Server::bind(config, store).await?.run(shutdown).await
}
