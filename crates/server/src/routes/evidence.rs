//! `POST /api/v1/evidence`: a signed evidence bundle of a case, downloaded as one tar file.
//!
//! The body names the case plates and a window (and whether to include the case analysis);
//! the purpose headers name the case. Like a search, the export passes the safeguards' gate
//! ([`corridor_safeguards::Action::ExportEvidence`]): it runs, waits for a supervisor (202;
//! the requester runs it once approved through `POST /api/v1/approvals/{id}/run`) or is
//! refused (403). The reads it packs are written to the audit log (synced) before the
//! bundle is built, so the bundle's audit extract holds its own export.
//!
//! ```text
//! plates + window -> gate -> store.history per plate -> (case analysis) -> audit record
//!   -> crate::evidence::write_case_bundle into DATA/.evidence-*/ -> tar -> 200 application/x-tar
//! ```

use super::gate::{self, Asked, Cleared, PlatesWindow};
use crate::auth::{now_micros, purpose_from_headers};
use crate::error::ApiError;
use crate::evidence::{CaseBundle, bundle_tar, case_analysis, write_case_bundle};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use corridor_domain::{Camera, PlateRead, Timestamp};
use corridor_safeguards::audit::{Outcome, OutcomeStatus};
use corridor_safeguards::evidence::AnalysisInput;
use corridor_safeguards::{Action, Principal, Ticket};
use corridor_store::{HistoryQuery, Store};
use serde::Deserialize;
use serde_json::json;
use std::sync::{Arc, Mutex};

/// Most case plates one export may name.
const PLATES_MAX: usize = 50;

/// One export at a time: each holds its reads and tar file in memory, and the first one
/// creates the signing key.
static EXPORTS: Mutex<()> = Mutex::new(());

/// The body of `POST /api/v1/evidence`, also kept in the approval queue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidenceParams {
    plates: Vec<String>,
    from: Option<String>,
    to: Option<String>,
    /// Also run the case analysis (seeded by the plates) and record it in the bundle.
    #[serde(default)]
    analyse: bool,
}

/// A checked export request.
#[derive(Debug)]
struct ExportRequest {
    window: PlatesWindow,
    analyse: bool,
}

pub(crate) async fn post_evidence(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Result<Json<EvidenceParams>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(params) = body?;
    let purpose = purpose_from_headers(&headers)?;
    let now = now_micros();
    let request = check(&state, &params, now)?;
    let (from, to) = request.window.bounds_json();
    let asked = Asked {
        principal,
        action: Action::ExportEvidence,
        purpose,
        scope: request.window.scope(),
        query: json!({
            "plates": request.window.plate_names(),
            "from": from,
            "to": to,
            "analyse": request.analyse,
        }),
    };
    match gate::pass(&state, asked, now).await? {
        Cleared::Run(ticket) => export(&state, ticket, request).await,
        Cleared::Waiting(response) => Ok(response),
    }
}

/// Runs an approved export exactly as it was asked (`POST /api/v1/approvals/{id}/run`).
pub(crate) async fn run_approved(state: &AppState, ticket: Ticket) -> Result<Response, ApiError> {
    let params: EvidenceParams = gate::queued_params(&ticket)?;
    let request = check(state, &params, now_micros())?;
    export(state, ticket, request).await
}

fn check(
    state: &AppState,
    params: &EvidenceParams,
    now: Timestamp,
) -> Result<ExportRequest, ApiError> {
    let bounds = (params.from.as_deref(), params.to.as_deref());
    Ok(ExportRequest {
        window: PlatesWindow::check(state, "plates", &params.plates, bounds, PLATES_MAX, now)?,
        analyse: params.analyse,
    })
}

/// Gathers the case's reads (and analysis), records them, and answers the packed bundle.
async fn export(
    state: &AppState,
    ticket: Ticket,
    request: ExportRequest,
) -> Result<Response, ApiError> {
    let reads_max = state.config().limits.result_rows_max;
    let window = request.window.clone();
    let (reads, cameras) = state
        .blocking(move |store| case_reads(store, &window))
        .await?
        .map_err(|error| ApiError::internal(&error))?;
    if reads.len() > reads_max {
        gate::record_result(state, ticket, Outcome::status(OutcomeStatus::Failed)).await?;
        return Err(ApiError::bad_request(
            "too_many_reads",
            format!(
                "the case has {} reads in this window, more than the {reads_max} one export may hold; \
                 narrow the window or the plates, or export with `corridor evidence export`",
                reads.len()
            ),
        ));
    }
    let reads = Arc::new(reads);
    let analyses = if request.analyse {
        let (reads, plates) = (Arc::clone(&reads), request.window.plate_names());
        let analysis = state
            .off_runtime(move || case_analysis(&reads, &cameras, &plates))
            .await?;
        match analysis {
            Ok(analysis) => vec![analysis],
            Err(message) => {
                gate::record_result(state, ticket, Outcome::status(OutcomeStatus::Failed)).await?;
                return Err(ApiError::internal(&std::io::Error::other(message)));
            }
        }
    } else {
        Vec::new()
    };
    let read_ids: Vec<&str> = reads.iter().map(|read| read.read_id.as_str()).collect();
    let outcome = Outcome::with_reads(OutcomeStatus::Ok, &read_ids);
    gate::record_result(state, ticket.clone(), outcome).await?;
    let (file_name, tar) = pack(state, ticket, reads, analyses).await?;
    Ok((
        [
            (CONTENT_TYPE, "application/x-tar".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}.tar\""),
            ),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        tar,
    )
        .into_response())
}

/// The reads of every case plate over the window, oldest first, and the camera registry.
fn case_reads(
    store: &Store,
    window: &PlatesWindow,
) -> Result<(Vec<PlateRead>, Vec<Camera>), corridor_store::Error> {
    let mut reads = Vec::new();
    for plate in &window.plates {
        reads.extend(store.history(&HistoryQuery {
            from: Some(window.from),
            to: window.to,
            ..HistoryQuery::plate(plate.clone())
        })?);
    }
    reads.sort_by(|a, b| (a.ts, &a.read_id).cmp(&(b.ts, &b.read_id)));
    reads.dedup_by(|a, b| a.read_id == b.read_id);
    Ok((reads, store.cameras()))
}

/// Writes the bundle into a scratch directory under the data directory (removed when
/// done), signs it and packs it; answers the file name (without `.tar`) and the bytes.
async fn pack(
    state: &AppState,
    ticket: Ticket,
    reads: Arc<Vec<PlateRead>>,
    analyses: Vec<AnalysisInput>,
) -> Result<(String, Vec<u8>), ApiError> {
    let safeguards = Arc::clone(state.safeguards());
    let data_dir = state.config().data_dir.clone();
    let crops = state.crops().clone();
    state
        .off_runtime(move || -> Result<(String, Vec<u8>), ApiError> {
            let purpose = ticket
                .purpose
                .expect("the gate clears export_evidence only with a purpose");
            let name = format!("evidence-{}", file_safe(&purpose.case_ref));
            let _one_at_a_time = EXPORTS
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let scratch = tempfile::Builder::new()
                .prefix(".evidence-")
                .tempdir_in(&data_dir)
                .map_err(|error| ApiError::internal(&error))?;
            let out = scratch.path().join(&name);
            let read_ids = reads.iter().map(|read| read.read_id.as_str()).collect();
            let images = crops
                .images_of_reads(&read_ids)
                .map_err(|error| ApiError::internal(&error))?;
            let bundle = CaseBundle {
                exported_by: ticket.principal,
                purpose,
                reads: &reads,
                images,
                analyses,
            };
            write_case_bundle(&safeguards, &out, bundle, now_micros())?;
            let tar = bundle_tar(&out, &name).map_err(|error| ApiError::internal(&error))?;
            Ok((name, tar))
        })
        .await?
}

/// A case reference as a file name: letters, digits, `-`, `_` and `.`; anything else `-`.
fn file_safe(case_ref: &str) -> String {
    case_ref
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.') {
                ch
            } else {
                '-'
            }
        })
        .collect()
}
