//! `POST /api/v1/analyses`: the investigative analyses (hubs, routes, convoys, clones) from
//! seed plates, for the web UI and scripts.
//!
//! Like a history search, an analysis declares its purpose in the headers and passes the
//! safeguards' gate ([`corridor_safeguards::Action::RunAnalysis`], scope: the seeds and the
//! window). It scans the window from the store, runs [`corridor_analytics::analyse`] on the
//! blocking pool, and writes the audit record of every read it returns as evidence of a
//! finding before it answers. Without `from`, the window is the one that needs no approval.

use crate::api::reads_out::PendingOut;
use crate::api::validate::{format_ts, parse_ts};
use crate::auth::{now_micros, purpose_from_headers};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use corridor_analytics::{AnalysisConfig, AnalysisInput, Report, TimeWindow};
use corridor_domain::{PlateRead, PlateText, Timestamp};
use corridor_safeguards::audit::{Outcome, OutcomeStatus};
use corridor_safeguards::{Action, Gate, Principal, SearchScope, Ticket};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

const DAY_MICROS: i64 = 86_400_000_000;
/// Most seeds one analysis may start from.
const SEEDS_MAX: usize = 50;

/// The body of `POST /api/v1/analyses`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnalysisParams {
    seeds: Vec<String>,
    from: Option<String>,
    to: Option<String>,
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
    let seeds = check_seeds(&params.seeds)?;
    let from = match params.from.as_deref().filter(|raw| !raw.is_empty()) {
        Some(raw) => parse_ts(raw).ok_or_else(|| ApiError::bad_param("from", "not RFC 3339"))?,
        None => {
            let age_days = state
                .safeguards()
                .config()
                .scope_rules
                .age_days_without_approval;
            now - i64::from(age_days) * DAY_MICROS
        }
    };
    let to = match params.to.as_deref().filter(|raw| !raw.is_empty()) {
        Some(raw) => Some(parse_ts(raw).ok_or_else(|| ApiError::bad_param("to", "not RFC 3339"))?),
        None => None,
    };
    let scope = SearchScope {
        plates: seeds.iter().map(|seed| seed.as_str().to_owned()).collect(),
        from: Some(from),
        to,
        area: None,
    };
    let query = json!({
        "seeds": scope.plates,
        "from": format_ts(from),
        "to": to.map(format_ts),
    });
    let safeguards = Arc::clone(state.safeguards());
    let gate = state
        .off_runtime(move || {
            safeguards.gate(
                &principal,
                Action::RunAnalysis,
                purpose.as_ref(),
                &scope,
                query,
                now,
            )
        })
        .await??;
    match gate {
        Gate::Proceed(ticket) => run_analysis(&state, ticket, seeds, from, to).await,
        Gate::Pending(pending) => Ok((
            StatusCode::ACCEPTED,
            Json(PendingOut::from_request(&pending)),
        )
            .into_response()),
        Gate::Refused { reasons } => Err(ApiError::purpose_refused(reasons)),
    }
}

fn check_seeds(raw_seeds: &[String]) -> Result<Vec<PlateText>, ApiError> {
    if raw_seeds.is_empty() || raw_seeds.len() > SEEDS_MAX {
        return Err(ApiError::bad_param(
            "seeds",
            format!("give 1 to {SEEDS_MAX} seed plates"),
        ));
    }
    raw_seeds
        .iter()
        .map(|raw| {
            PlateText::parse(raw)
                .map_err(|error| ApiError::bad_param("seeds", format!("`{raw}`: {error}")))
        })
        .collect()
}

/// Runs a cleared analysis and answers the report with the reads its findings cite.
async fn run_analysis(
    state: &AppState,
    ticket: Ticket,
    seeds: Vec<PlateText>,
    from: Timestamp,
    to: Option<Timestamp>,
) -> Result<Response, ApiError> {
    let analysed = state
        .blocking(move |store| analyse_window(store, seeds, from, to))
        .await?;
    let (report, cited_reads) = match analysed {
        Ok(analysed) => analysed,
        Err(message) => {
            record(state, ticket, Outcome::status(OutcomeStatus::Failed)).await?;
            return Err(ApiError::internal(&std::io::Error::other(message)));
        }
    };
    let read_ids: Vec<String> = cited_reads.keys().cloned().collect();
    record(
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
    let report = corridor_analytics::analyse(&input, &AnalysisConfig::default())
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

/// Writes the audit record of a cleared analysis (synced before the caller responds).
async fn record(state: &AppState, ticket: Ticket, outcome: Outcome) -> Result<(), ApiError> {
    let safeguards = Arc::clone(state.safeguards());
    state
        .off_runtime(move || safeguards.record_result(&ticket, outcome, now_micros()))
        .await??;
    Ok(())
}
