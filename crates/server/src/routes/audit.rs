//! The audit log for oversight: `GET /api/v1/audit` (entries, newest first, filtered and
//! paged) and `GET /api/v1/audit/verify` (the hash chain and signed checkpoints).
//!
//! Both read the safeguards' audit log off the HTTP runtime, and each reading is itself an
//! entry of the log (written after the listing, so a page never shows its own reading).

use super::history::optional_ts;
use super::hotlist::list_limit;
use crate::auth::now_micros;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, State};
use corridor_safeguards::audit::{AuditEntry, AuditFilter, Outcome, OutcomeStatus, verify};
use corridor_safeguards::{Action, Principal};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Filters and paging of `GET /api/v1/audit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditParams {
    user: Option<String>,
    #[serde(rename = "case")]
    case_ref: Option<String>,
    action: Option<String>,
    /// Entries at or after this time (RFC 3339).
    from: Option<String>,
    /// Entries before this time (RFC 3339).
    to: Option<String>,
    /// Entries with a smaller `seq` than this (the previous page's `next_before`).
    before: Option<u64>,
    limit: Option<usize>,
}

/// The body of `GET /api/v1/audit`.
#[derive(Debug, Serialize)]
pub(crate) struct AuditList {
    n_entries: usize,
    /// Pass as `before` for the next (older) page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_before: Option<u64>,
    entries: Vec<AuditEntryOut>,
}

/// One audit entry as the API shows it.
#[derive(Debug, Serialize)]
pub(crate) struct AuditEntryOut {
    seq: u64,
    time: String,
    user: String,
    role: &'static str,
    agency: String,
    action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    case_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offence: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
    what: serde_json::Value,
    outcome: OutcomeStatus,
    n_results: u64,
    entry_hash: String,
}

impl AuditEntryOut {
    fn from_entry(entry: AuditEntry) -> AuditEntryOut {
        let (case_ref, offence, justification) = match entry.why {
            Some(purpose) => (
                Some(purpose.case_ref),
                Some(purpose.offence_category.as_str()),
                Some(purpose.justification),
            ),
            None => (None, None, None),
        };
        AuditEntryOut {
            seq: entry.seq,
            time: entry.time,
            user: entry.who.user,
            role: entry.who.role.as_str(),
            agency: entry.who.agency,
            action: entry.action,
            case_ref,
            offence,
            justification,
            what: entry.what,
            outcome: entry.outcome.status,
            n_results: entry.outcome.n_results,
            entry_hash: entry.entry_hash,
        }
    }
}

/// The body of `GET /api/v1/audit/verify`: `ok` with the report, or the first problem.
#[derive(Debug, Serialize)]
pub(crate) struct VerifyOut {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<corridor_safeguards::audit::VerifyReport>,
    /// What is wrong and where (`kind`, `line`, `seq`), as `corridor audit verify --json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    violation: Option<corridor_safeguards::audit::AuditViolation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

pub(crate) async fn list_entries(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    params: Result<Query<AuditParams>, QueryRejection>,
) -> Result<Json<AuditList>, ApiError> {
    let Query(params) = params?;
    let limit = list_limit(&state, params.limit)?;
    let filter = AuditFilter {
        user: non_empty(params.user),
        since: optional_ts(params.from.as_deref(), "from")?,
        until: optional_ts(params.to.as_deref(), "to")?,
        action: non_empty(params.action),
        case_ref: non_empty(params.case_ref),
    };
    let before = params.before;
    let safeguards = Arc::clone(state.safeguards());
    state
        .off_runtime(move || -> Result<Json<AuditList>, ApiError> {
            let entries = safeguards.audit().entries(&filter)?;
            let mut newest_first = entries
                .into_iter()
                .rev()
                .filter(|entry| before.is_none_or(|before| entry.seq < before));
            let page: Vec<AuditEntry> = newest_first.by_ref().take(limit).collect();
            let next_before = match newest_first.next() {
                Some(_) => page.last().map(|entry| entry.seq),
                None => None,
            };
            let what = serde_json::json!({
                "user": filter.user, "case": filter.case_ref, "action": filter.action,
                "before": before, "n_entries": page.len(),
            });
            let outcome = Outcome::with_count(OutcomeStatus::Ok, page.len() as u64);
            safeguards.record(
                &principal,
                Action::ReadAudit.as_str(),
                what,
                outcome,
                now_micros(),
            )?;
            let entries: Vec<AuditEntryOut> =
                page.into_iter().map(AuditEntryOut::from_entry).collect();
            Ok(Json(AuditList {
                n_entries: entries.len(),
                next_before,
                entries,
            }))
        })
        .await?
}

pub(crate) async fn verify_chain(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Json<VerifyOut>, ApiError> {
    let safeguards = Arc::clone(state.safeguards());
    state
        .off_runtime(move || -> Result<Json<VerifyOut>, ApiError> {
            let audit = safeguards.audit();
            let answer = match verify(audit.dir(), &audit.public_key()) {
                Ok(report) => VerifyOut {
                    ok: true,
                    report: Some(report),
                    violation: None,
                    message: None,
                },
                Err(violation) => VerifyOut {
                    ok: false,
                    message: Some(violation.to_string()),
                    report: None,
                    violation: Some(violation),
                },
            };
            let status = if answer.ok {
                OutcomeStatus::Ok
            } else {
                OutcomeStatus::Failed
            };
            safeguards.record(
                &principal,
                Action::VerifyAudit.as_str(),
                serde_json::json!({ "ok": answer.ok }),
                Outcome::status(status),
                now_micros(),
            )?;
            Ok(Json(answer))
        })
        .await?
}

fn non_empty(raw: Option<String>) -> Option<String> {
    raw.filter(|raw| !raw.trim().is_empty())
}
