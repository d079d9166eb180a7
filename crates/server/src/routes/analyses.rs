//! `POST /api/v1/analyses`: the investigative analyses (hubs, routes, convoys, clones) from
//! seed plates, for the web UI and scripts; with `"search": "convoys"`, only who travels
//! with each seed, searched straight from the store ([`corridor_analytics::targeted_convoys`],
//! as `corridor convoys` searches) instead of a scan of the window.
//!
//! Like a history search, an analysis declares its purpose in the headers and passes the
//! safeguards' gate ([`corridor_safeguards::Action::RunAnalysis`], scope: the seeds and the
//! window). It scans the window from the store, runs [`corridor_analytics::analyse`] on the
//! blocking pool (its plans on the engine of `ServerConfig::analysis`, embedded unless a
//! Ballista cluster is configured), and writes the audit record of every read it returns as evidence of a
//! finding before it answers. Without `from`, the window is the one that needs no approval;
//! an analysis over scope waits for a supervisor, and its requester runs it once approved
//! through `POST /api/v1/approvals/{id}/run` ([`run_approved`]).

use super::gate::{self, Asked, Cleared, PlatesWindow};
use crate::api::validate::format_ts;
use crate::auth::{now_micros, purpose_from_headers};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use corridor_analytics::{AnalysisConfig, AnalysisInput, Engine, Report, TimeWindow};
use corridor_domain::{PlateRead, PlateText, Timestamp};
use corridor_safeguards::audit::{Outcome, OutcomeStatus};
use corridor_safeguards::{Action, Principal, Ticket};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Most seeds one analysis may start from.
const SEEDS_MAX: usize = 50;

/// The body of `POST /api/v1/analyses`, also kept in the approval queue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnalysisParams {
    seeds: Vec<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(default)]
    search: Search,
}

/// What an analysis runs.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Search {
    /// The whole analysis of the window (`corridor analyse`).
    #[default]
    Report,
    /// Each seed's convoy partners, from the store's indexes (`corridor convoys`).
    Convoys,
}

pub(crate) async fn post_analysis(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Result<Json<AnalysisParams>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(params) = body?;
    let purpose = purpose_from_headers(&headers)?;
    let now = now_micros();
    let request = check(&state, &params, now)?;
    let (from, to) = request.bounds_json();
    let asked = Asked {
        principal,
        action: Action::RunAnalysis,
        purpose,
        scope: request.scope(),
        query: json!({
            "seeds": request.plate_names(), "from": from, "to": to, "search": params.search
        }),
    };
    match gate::pass(&state, asked, now).await? {
        Cleared::Run(ticket) => run(&state, ticket, request, params.search).await,
        Cleared::Waiting(response) => Ok(response),
    }
}

/// Runs an approved analysis exactly as it was asked (`POST /api/v1/approvals/{id}/run`).
pub(crate) async fn run_approved(state: &AppState, ticket: Ticket) -> Result<Response, ApiError> {
    let params: AnalysisParams = gate::queued_params(&ticket)?;
    let request = check(state, &params, now_micros())?;
    run(state, ticket, request, params.search).await
}

async fn run(
    state: &AppState,
    ticket: Ticket,
    request: PlatesWindow,
    search: Search,
) -> Result<Response, ApiError> {
    match search {
        Search::Report => run_analysis(state, ticket, request).await,
        Search::Convoys => run_convoys(state, ticket, request).await,
    }
}

/// Runs cleared targeted convoy searches, one per seed, and answers their results; the
/// read ids they cite are written to the audit log first.
async fn run_convoys(
    state: &AppState,
    ticket: Ticket,
    request: PlatesWindow,
) -> Result<Response, ApiError> {
    let (from_json, to_json) = request.bounds_json();
    let PlatesWindow { plates, from, to } = request;
    let window = TimeWindow {
        from,
        to: to.unwrap_or(i64::MAX),
    };
    let searched = state
        .blocking(move |store| {
            let config = AnalysisConfig::default();
            plates
                .iter()
                .map(|plate| {
                    corridor_analytics::targeted_convoys(store, plate, Some(window), &config)
                        .map_err(|error| format!("searching around {plate}: {error}"))
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .await?;
    let results = match searched {
        Ok(results) => results,
        Err(message) => {
            gate::record_result(state, ticket, Outcome::status(OutcomeStatus::Failed)).await?;
            return Err(ApiError::internal(&std::io::Error::other(message)));
        }
    };
    let mut read_ids: Vec<String> = results
        .iter()
        .flat_map(|result| &result.convoys)
        .flat_map(|convoy| convoy.read_ids.iter().cloned())
        .collect();
    read_ids.sort_unstable();
    read_ids.dedup();
    gate::record_result(
        state,
        ticket,
        Outcome::with_reads(OutcomeStatus::Ok, &read_ids),
    )
    .await?;
    Ok(Json(json!({
        "search": Search::Convoys,
        "from": from_json,
        "to": to_json,
        "convoys_of": results,
    }))
    .into_response())
}

fn check(
    state: &AppState,
    params: &AnalysisParams,
    now: Timestamp,
) -> Result<PlatesWindow, ApiError> {
    let bounds = (params.from.as_deref(), params.to.as_deref());
    PlatesWindow::check(state, "seeds", &params.seeds, bounds, SEEDS_MAX, now)
}

/// Runs a cleared analysis and answers the report with the reads its findings cite.
async fn run_analysis(
    state: &AppState,
    ticket: Ticket,
    request: PlatesWindow,
) -> Result<Response, ApiError> {
    let PlatesWindow { plates, from, to } = request;
    let engine = state
        .config()
        .analysis
        .engine()
        .map_err(|message| ApiError::internal(&std::io::Error::other(message)))?;
    let analysed = state
        .blocking(move |store| analyse_window(store, &engine, plates, from, to))
        .await?;
    let (report, cited_reads) = match analysed {
        Ok(analysed) => analysed,
        Err(message) => {
            gate::record_result(state, ticket, Outcome::status(OutcomeStatus::Failed)).await?;
            return Err(ApiError::internal(&std::io::Error::other(message)));
        }
    };
    let read_ids: Vec<String> = cited_reads.keys().cloned().collect();
    gate::record_result(
        state,
        ticket,
        Outcome::with_reads(OutcomeStatus::Ok, &read_ids),
    )
    .await?;
    let mut body = serde_json::to_value(&report).map_err(|error| ApiError::internal(&error))?;
    body["reads"] = Value::Object(cited_reads.into_iter().collect());
    Ok(Json(body).into_response())
}

/// The report over `[from, to)` and, by read id, the reads its findings cite.
fn analyse_window(
    store: &corridor_store::Store,
    engine: &Engine,
    seeds: Vec<PlateText>,
    from: Timestamp,
    to: Option<Timestamp>,
) -> Result<(Report, HashMap<String, Value>), String> {
    let reads = store
        .scan(Some(from), to)
        .and_then(|batches| batches.collect::<Result<Vec<_>, _>>())
        .map_err(|error| format!("scanning the store: {error}"))?;
    let input = AnalysisInput {
        reads,
        cameras: store.cameras(),
        seeds,
        window: Some(TimeWindow {
            from,
            to: to.unwrap_or(i64::MAX),
        }),
    };
    let report = corridor_analytics::analyse_on(&input, &AnalysisConfig::default(), engine)
        .map_err(|error| format!("analysing: {error}"))?;
    let cited = report.cited_read_ids();
    let mut cited_reads = HashMap::with_capacity(cited.len());
    for batch in &input.reads {
        let plate_reads = corridor_store::schema::batch_to_reads(batch)
            .map_err(|error| format!("reading a batch: {error}"))?;
        for plate_read in plate_reads {
            if cited.contains(plate_read.read_id.as_str()) {
                cited_reads.insert(plate_read.read_id.clone(), read_json(&plate_read));
            }
        }
    }
    Ok((report, cited_reads))
}

fn read_json(plate_read: &PlateRead) -> Value {
    json!({
        "read_id": plate_read.read_id,
        "plate": plate_read.plate.as_str(),
        "camera_id": plate_read.camera_id,
        "ts": format_ts(plate_read.ts),
    })
}
