//! Over-scope requests: `GET /api/v1/approvals` (supervisors see every request, others
//! their own), `POST /api/v1/approvals/{id}/decision` (a supervisor approves or denies) and
//! `POST /api/v1/approvals/{id}/run` (the requester runs an approved request, once: a
//! history search, an analysis or an evidence export, answered as the route that asked
//! would have answered).
//!
//! The workflow is the safeguards' approval queue; every step is in the audit log.

use super::history::{HistoryParams, check, run_history};
use super::{analyses, evidence, gate};
use crate::api::reads_out::PendingOut;
use crate::auth::now_micros;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, Path, State};
use axum::response::{IntoResponse, Response};
use corridor_safeguards::approvals::Decision;
use corridor_safeguards::{Action, Principal};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The body of `GET /api/v1/approvals`.
#[derive(Debug, Serialize)]
pub(crate) struct ApprovalList {
    n_approvals: usize,
    approvals: Vec<PendingOut>,
}

/// The body of `POST /api/v1/approvals/{id}/decision`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionIn {
    decision: Decision,
    /// Why; required.
    note: String,
}

pub(crate) async fn list_approvals(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Json<ApprovalList> {
    let approvals: Vec<PendingOut> = state
        .safeguards()
        .approvals()
        .list_for(&principal)
        .iter()
        .map(PendingOut::from_request)
        .collect();
    Json(ApprovalList {
        n_approvals: approvals.len(),
        approvals,
    })
}

pub(crate) async fn decide(
    State(state): State<AppState>,
    Extension(supervisor): Extension<Principal>,
    Path(approval_id): Path<String>,
    body: Result<Json<DecisionIn>, JsonRejection>,
) -> Result<Json<PendingOut>, ApiError> {
    let Json(body) = body?;
    let safeguards = Arc::clone(state.safeguards());
    let decided = state
        .off_runtime(move || {
            safeguards.decide(
                &supervisor,
                &approval_id,
                body.decision,
                &body.note,
                now_micros(),
            )
        })
        .await??;
    Ok(Json(PendingOut::from_request(&decided)))
}

pub(crate) async fn run_approved(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(approval_id): Path<String>,
) -> Result<Response, ApiError> {
    let safeguards = Arc::clone(state.safeguards());
    let ticket = state
        .off_runtime(move || safeguards.run_approved(&principal, &approval_id, now_micros()))
        .await??;
    match ticket.action {
        Action::ReadHistory => {
            let params: HistoryParams = gate::queued_params(&ticket)?;
            let request = check(&state, params)?;
            Ok(run_history(&state, ticket, request).await?.into_response())
        }
        Action::RunAnalysis => analyses::run_approved(&state, ticket).await,
        Action::ExportEvidence => evidence::run_approved(&state, ticket).await,
        other => Err(ApiError::conflict(format!(
            "request is a `{other}`, which this server does not run"
        ))),
    }
}
