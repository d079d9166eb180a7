//! The route table, the request-latency middleware and the fallback.
//!
//! [`table`] is the one list of routes, each with the [`Guard`] its caller must pass:
//! [`crate::router`] is built from it, a test checks that the OpenAPI document describes
//! exactly these routes, and the role tests call each of them as every role.

mod alerts;
mod analyses;
mod approvals;
mod audit;
mod cameras;
mod evidence;
mod gate;
pub(crate) mod history;
mod hotlist;
mod images;
mod me;
mod ops;
mod reads;

use crate::auth::Guard;
use crate::error::ApiError;
use crate::metrics::RequestLabels;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};
use corridor_safeguards::Action;
use std::time::Instant;

/// One route: its method, its path (axum syntax, which is also OpenAPI's), who may call it
/// and its handler.
pub(crate) struct Route {
    /// Read by the OpenAPI and role tests; the handler carries the method for routing.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) guard: Guard,
    pub(crate) handler: MethodRouter<AppState>,
}

/// Every route the server answers.
pub(crate) fn table() -> Vec<Route> {
    use Action::{IngestReads, ManageCameras, ManageHotlists, ReadHistory, ViewAlerts};
    use Guard::{Authenticated, Public};
    let route =
        |method: Method, path: &'static str, guard: Guard, handler: MethodRouter<AppState>| Route {
            method,
            path,
            guard,
            handler,
        };
    let action = Guard::Action;
    vec![
        route(
            Method::POST,
            "/api/v1/reads",
            action(IngestReads),
            post(reads::post_reads),
        ),
        route(
            Method::GET,
            "/api/v1/history",
            action(ReadHistory),
            get(history::get_history),
        ),
        route(
            Method::POST,
            "/api/v1/analyses",
            action(Action::RunAnalysis),
            post(analyses::post_analysis),
        ),
        route(
            Method::POST,
            "/api/v1/evidence",
            action(Action::ExportEvidence),
            post(evidence::post_evidence),
        ),
        route(
            Method::GET,
            "/api/v1/approvals",
            Authenticated,
            get(approvals::list_approvals),
        ),
        route(
            Method::POST,
            "/api/v1/approvals/{id}/decision",
            action(Action::ApproveRequests),
            post(approvals::decide),
        ),
        route(
            Method::POST,
            "/api/v1/approvals/{id}/run",
            action(ReadHistory),
            post(approvals::run_approved),
        ),
        route(
            Method::GET,
            "/api/v1/audit",
            action(Action::ReadAudit),
            get(audit::list_entries),
        ),
        route(
            Method::GET,
            "/api/v1/audit/verify",
            action(Action::VerifyAudit),
            get(audit::verify_chain),
        ),
        route(
            Method::GET,
            "/api/v1/cameras",
            Authenticated,
            get(cameras::list_cameras),
        ),
        route(
            Method::PUT,
            "/api/v1/cameras",
            action(ManageCameras),
            put(cameras::put_cameras),
        ),
        route(
            Method::GET,
            "/api/v1/cameras/{id}",
            Authenticated,
            get(cameras::get_camera),
        ),
        route(
            Method::POST,
            "/api/v1/cameras/{id}/images",
            action(IngestReads),
            post(images::post_image),
        ),
        route(
            Method::GET,
            "/api/v1/images/{sha256}",
            action(ReadHistory),
            get(images::get_crop),
        ),
        route(
            Method::GET,
            "/api/v1/hotlist",
            action(ManageHotlists),
            get(hotlist::list_entries),
        ),
        route(
            Method::POST,
            "/api/v1/hotlist",
            action(ManageHotlists),
            post(hotlist::create_entry),
        ),
        route(
            Method::POST,
            "/api/v1/hotlist/import",
            action(ManageHotlists),
            post(hotlist::import_csv),
        ),
        route(
            Method::PUT,
            "/api/v1/hotlist/{id}",
            action(ManageHotlists),
            put(hotlist::update_entry),
        ),
        route(
            Method::GET,
            "/api/v1/hotlist/{id}/versions",
            action(ManageHotlists),
            get(hotlist::entry_versions),
        ),
        route(
            Method::DELETE,
            "/api/v1/hotlist/{id}",
            action(ManageHotlists),
            delete(hotlist::delete_entry),
        ),
        route(
            Method::POST,
            "/api/v1/hotlist/{id}/expire",
            action(ManageHotlists),
            post(hotlist::expire_entry),
        ),
        route(
            Method::GET,
            "/api/v1/alerts",
            action(ViewAlerts),
            get(alerts::list_alerts),
        ),
        route(
            Method::GET,
            "/api/v1/alerts/stream",
            action(ViewAlerts),
            get(alerts::stream_alerts),
        ),
        route(
            Method::POST,
            "/api/v1/alerts/{id}/ack",
            action(ViewAlerts),
            post(alerts::acknowledge),
        ),
        route(Method::GET, "/api/v1/me", Authenticated, get(me::get_me)),
        route(
            Method::GET,
            "/api/v1/openapi.json",
            Authenticated,
            get(ops::openapi),
        ),
        route(Method::GET, "/health", Public, get(ops::health)),
        route(Method::GET, "/metrics", Authenticated, get(ops::metrics)),
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

/// Answers every path that no route matches: the web UI for a `GET` outside the API, a
/// 404 otherwise.
pub(crate) async fn not_found(request: Request) -> Response {
    if crate::ui::is_ui_request(&request) {
        return crate::ui::serve(request.uri().path());
    }
    ApiError::not_found(format!(
        "no route {} {}; see /api/v1/openapi.json",
        request.method(),
        request.uri().path()
    ))
    .into_response()
}
