//! Operations routes: `GET /health`, `GET /metrics` and `GET /api/v1/openapi.json`.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde::Serialize;

/// The body of `GET /health`.
#[derive(Debug, Serialize)]
pub(crate) struct Health {
    status: &'static str,
    store: &'static str,
    data_dir: String,
    version: &'static str,
}

/// Liveness: the process answers and its store is open (the state holds an open store).
pub(crate) async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        store: "open",
        data_dir: state.config().data_dir.display().to_string(),
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Prometheus metrics in the OpenMetrics text format, store gauges refreshed first.
pub(crate) async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let stats = state.blocking(|store| store.stats()).await?;
    let metrics = state.metrics();
    metrics.store_reads.set(saturating_i64(stats.n_reads));
    metrics.store_plates.set(saturating_i64(stats.n_plates));
    metrics.store_wal_bytes.set(saturating_i64(stats.wal_bytes));
    metrics.store_segments.set(saturating_i64(stats.n_segments));
    metrics.store_bytes.set(saturating_i64(stats.bytes_on_disk));
    Ok((
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.encode(),
    ))
}

/// The OpenAPI 3.1 description of every route.
pub(crate) async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

fn saturating_i64(value: impl TryInto<i64>) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}
