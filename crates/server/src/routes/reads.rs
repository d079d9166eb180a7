//! `POST /api/v1/reads`: a JSON batch or an NDJSON stream, acknowledged once durable.
//!
//! ```text
//! body -> parse rows -> check each row -> drop repeats within the batch -> Store::append
//!          (row/field errors: 400, nothing stored)          (conflicting id: 409; queued in the WAL)
//!     -> Store::wait_durable (WAL group commit, on a scoped thread)   } at the same time
//!        AlertEngine::check_reads (hotlist match; alerts queued for  }
//!          the alert log's syncer, which fsyncs them, then sends them to SSE and webhooks)
//!     -> AlertEngine::wait (alerts durable) -> 200
//! ```
//!
//! [`ingest_rows`] is shared with the camera image route (`routes/images.rs`), so reads
//! read from images take exactly this path.
//!
//! Alerts are logged before the acknowledgement, so no alert of an acknowledged read is
//! lost in a crash; a batch sent again raises no second alert (alert ids are derived from
//! the read).

use crate::api::reads_in::{ParseError, RowIn, parse_json_batch, parse_ndjson};
use crate::api::reads_out::IngestReport;
use crate::api::validate::{ReadChecks, to_plate_read};
use crate::config::Limits;
use crate::error::{ApiError, RowError};
use crate::metrics::ReasonLabels;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use corridor_alerts::AlertEngine;
use corridor_domain::PlateRead;
use corridor_store::Store;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

/// How the body is encoded, from its `Content-Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BodyFormat {
    Json,
    Ndjson,
}

/// Why a batch was not stored.
pub(crate) enum Refusal {
    /// The client's fault; nothing of the batch was stored.
    Client(ApiError, &'static str),
    /// The store failed.
    Store(corridor_store::Error),
    /// The reads are durable but their alerts could not be logged; a retry raises them.
    Alerts(corridor_alerts::AlertError),
}

pub(crate) async fn post_reads(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<IngestReport>, ApiError> {
    let format = body_format(&headers)?;
    let body = body.map_err(|rejection| body_rejection(&rejection))?;
    let limits = state.config().limits.clone();
    let alerts = Arc::clone(state.alerts());
    let outcome = state
        .blocking(move |store| ingest(store, &alerts, &body, format, &limits))
        .await?;
    acknowledge(&state, outcome).map(Json)
}

/// Counts a batch's outcome in the metrics and turns a refusal into its error response.
pub(crate) fn acknowledge(
    state: &AppState,
    outcome: Result<IngestReport, (Refusal, u64)>,
) -> Result<IngestReport, ApiError> {
    let metrics = state.metrics();
    match outcome {
        Ok(report) => {
            metrics.reads_ingested.inc_by(report.n_new);
            metrics.reads_duplicate.inc_by(report.n_duplicate);
            Ok(report)
        }
        Err((Refusal::Client(error, reason), n_reads)) => {
            metrics.reads_rejected.inc_by(n_reads);
            let labels = ReasonLabels {
                reason: reason.to_owned(),
            };
            metrics.batches_rejected.get_or_create(&labels).inc();
            Err(error)
        }
        Err((Refusal::Store(error), _)) => Err(ApiError::internal(&error)),
        Err((Refusal::Alerts(error), _)) => Err(ApiError::internal(&error)),
    }
}

/// The request's `Content-Type` as sent, and its media type in lower case without
/// parameters.
pub(crate) fn content_type(headers: &HeaderMap) -> (&str, String) {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    (content_type, essence.to_ascii_lowercase())
}

fn body_format(headers: &HeaderMap) -> Result<BodyFormat, ApiError> {
    let (content_type, essence) = content_type(headers);
    match essence.as_str() {
        "application/json" => Ok(BodyFormat::Json),
        "application/x-ndjson" | "application/ndjson" | "application/jsonl" => {
            Ok(BodyFormat::Ndjson)
        }
        _ => Err(ApiError::unsupported_media_type(content_type)),
    }
}

pub(crate) fn body_rejection(rejection: &BytesRejection) -> ApiError {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::too_large("payload_too_large", rejection.body_text());
    }
    ApiError::bad_request("bad_body", rejection.body_text())
}

/// Parses, checks and stores one batch; runs on the blocking pool.
///
/// On refusal, also returns how many reads the refused batch held (0 if it did not parse).
fn ingest(
    store: &Store,
    alerts: &AlertEngine,
    body: &[u8],
    format: BodyFormat,
    limits: &Limits,
) -> Result<IngestReport, (Refusal, u64)> {
    let parsed = match format {
        BodyFormat::Json => parse_json_batch(body, limits.batch_rows_max),
        BodyFormat::Ndjson => parse_ndjson(body, limits.batch_rows_max),
    };
    let rows = parsed.map_err(|error| (parse_refusal(error, limits), 0))?;
    ingest_rows(store, alerts, rows, limits)
}

/// Checks and stores parsed rows, then raises their alerts: the one ingest path of every
/// route that stores reads (`POST /api/v1/reads`, `POST /api/v1/cameras/{id}/images`).
///
/// On refusal, also returns how many reads the refused batch held.
pub(crate) fn ingest_rows(
    store: &Store,
    alerts: &AlertEngine,
    rows: Vec<RowIn>,
    limits: &Limits,
) -> Result<IngestReport, (Refusal, u64)> {
    let n_received = rows.len() as u64;
    let refuse = |row_error: RowError| {
        let reason = row_error.reason;
        (
            Refusal::Client(ApiError::bad_row(row_error), reason),
            n_received,
        )
    };
    let (reads, read_rows) = check_rows(store, rows, limits).map_err(refuse)?;
    let (unique_reads, unique_rows) = drop_repeats(reads, read_rows).map_err(refuse)?;
    let n_repeats = n_received - unique_reads.len() as u64;
    match store.append(&unique_reads) {
        Ok(pending) => {
            // The reads' WAL sync (disk) runs on a scoped thread while this one matches
            // them against the hotlist (CPU); the alert log's syncer then makes the alerts
            // durable and sends them live. Both are durable before the acknowledgement.
            let now = chrono::Utc::now().timestamp_micros();
            let (report, staged) = std::thread::scope(|scope| {
                let syncing = scope.spawn(|| store.wait_durable(pending));
                let staged = alerts.check_reads(&unique_reads, now);
                let report = syncing.join().expect("the WAL sync thread does not panic");
                (report, staged)
            });
            let staged = staged.map_err(|error| (Refusal::Alerts(error), n_received))?;
            let report = report.map_err(|error| (Refusal::Store(error), n_received))?;
            let raised = alerts
                .wait(staged)
                .map_err(|error| (Refusal::Alerts(error), n_received))?;
            Ok(IngestReport {
                n_received,
                n_new: report.n_appended as u64,
                n_duplicate: report.n_duplicates as u64 + n_repeats,
                n_expired: report.n_expired as u64,
                n_alerts: raised.len() as u64,
            })
        }
        Err(corridor_store::Error::ConflictingReadId { read_id }) => {
            let row_idx = unique_reads
                .iter()
                .position(|read| read.read_id == read_id)
                .unwrap_or(0);
            Err(refuse(conflict(
                unique_rows.get(row_idx).copied().unwrap_or(0),
                &read_id,
            )))
        }
        Err(error) => Err((Refusal::Store(error), n_received)),
    }
}

fn parse_refusal(error: ParseError, limits: &Limits) -> Refusal {
    match error {
        ParseError::Row(row_error) => {
            let reason = row_error.reason;
            Refusal::Client(ApiError::bad_row(row_error), reason)
        }
        ParseError::Body(message) => Refusal::Client(
            ApiError::bad_request(
                "bad_json",
                format!("the body is not a batch of reads: {message}"),
            ),
            "unparsable",
        ),
        ParseError::TooManyRows { rows_max } => {
            debug_assert_eq!(rows_max, limits.batch_rows_max);
            Refusal::Client(
                ApiError::too_large(
                    "batch_too_large",
                    format!("more than {rows_max} reads in one request; split the batch"),
                ),
                "batch_too_large",
            )
        }
    }
}

/// Checks every row; the first bad row refuses the batch.
fn check_rows(
    store: &Store,
    rows: Vec<RowIn>,
    limits: &Limits,
) -> Result<(Vec<PlateRead>, Vec<u64>), RowError> {
    let mut known_cameras: HashMap<String, bool> = HashMap::new();
    let mut camera_known = |camera_id: &str| match known_cameras.get(camera_id) {
        Some(known) => *known,
        None => {
            let known = store.camera(camera_id).is_some();
            known_cameras.insert(camera_id.to_owned(), known);
            known
        }
    };
    let mut checks = ReadChecks {
        now_us: chrono::Utc::now().timestamp_micros(),
        skew_us: i64::try_from(limits.clock_skew().as_micros()).unwrap_or(i64::MAX),
        camera_known: &mut camera_known,
    };
    let mut reads = Vec::with_capacity(rows.len());
    let mut read_rows = Vec::with_capacity(rows.len());
    for RowIn { row, read } in rows {
        reads.push(to_plate_read(read, row, &mut checks)?);
        read_rows.push(row);
    }
    Ok((reads, read_rows))
}

/// Keeps the first of reads repeated within the batch; a repeat with other content is a
/// conflict.
fn drop_repeats(
    reads: Vec<PlateRead>,
    read_rows: Vec<u64>,
) -> Result<(Vec<PlateRead>, Vec<u64>), RowError> {
    let mut first_idx: HashMap<&str, usize> = HashMap::with_capacity(reads.len());
    let mut repeat_idxs = Vec::new();
    for (read_idx, read) in reads.iter().enumerate() {
        match first_idx.entry(read.read_id.as_str()) {
            Entry::Vacant(slot) => {
                slot.insert(read_idx);
            }
            Entry::Occupied(slot) => {
                if reads[*slot.get()] != *read {
                    return Err(conflict(read_rows[read_idx], &read.read_id));
                }
                repeat_idxs.push(read_idx);
            }
        }
    }
    drop(first_idx);
    if repeat_idxs.is_empty() {
        return Ok((reads, read_rows));
    }
    let keep = |read_idx: &usize| repeat_idxs.binary_search(read_idx).is_err();
    let rows = read_rows
        .into_iter()
        .enumerate()
        .filter(|(read_idx, _)| keep(read_idx))
        .map(|(_, row)| row)
        .collect();
    let reads = reads
        .into_iter()
        .enumerate()
        .filter(|(read_idx, _)| keep(read_idx))
        .map(|(_, read)| read)
        .collect();
    Ok((reads, rows))
}

fn conflict(row: u64, read_id: &str) -> RowError {
    RowError {
        row,
        field: Some("read_id".to_owned()),
        reason: "conflicting_read_id",
        message: format!("duplicated read id `{read_id}` with different content"),
    }
}
