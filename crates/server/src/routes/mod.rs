//! The route table, the request-latency middleware and the fallback.
//!
//! [`table`] is the one list of routes: [`crate::router`] is built from it, and a test
//! checks that the OpenAPI document describes exactly these routes.

mod cameras;
pub(crate) mod history;
mod ops;
mod reads;

use crate::error::ApiError;
use crate::metrics::RequestLabels;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use std::time::Instant;

/// One route: its method, its path (axum syntax, which is also OpenAPI's) and its handler.
pub(crate) struct Route {
    /// Only the OpenAPI test reads it; the handler carries the method for routing.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) handler: MethodRouter<AppState>,
}

/// Every route the server answers.
pub(crate) fn table() -> Vec<Route> {
    let route = |method: Method, path: &'static str, handler: MethodRouter<AppState>| Route {
        method,
        path,
        handler,
    };
    vec![
        route(Method::POST, "/api/v1/reads", post(reads::post_reads)),
        route(Method::GET, "/api/v1/history", get(history::get_history)),
        route(Method::GET, "/api/v1/cameras", get(cameras::list_cameras)),
        route(
            Method::PUT,
            "/api/v1/cameras",
            axum::routing::put(cameras::put_cameras),
        ),
        route(
            Method::GET,
            "/api/v1/cameras/{id}",
            get(cameras::get_camera),
        ),
        route(Method::GET, "/api/v1/openapi.json", get(ops::openapi)),
        route(Method::GET, "/health", get(ops::health)),
        route(Method::GET, "/metrics", get(ops::metrics)),
    ]
}

/// Records the latency of every request by method, matched route and status.
pub(crate) async fn track_latency(
    State(state): State<AppState>,
    matched_path: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route =
        matched_path.map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let labels = RequestLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    state
        .metrics()
        .request_seconds
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    response
}

/// Answers every path that no route matches.
pub(crate) async fn not_found(request: Request) -> ApiError {
    ApiError::not_found(format!(
        "no route {} {}; see /api/v1/openapi.json",
        request.method(),
        request.uri().path()
    ))
}
