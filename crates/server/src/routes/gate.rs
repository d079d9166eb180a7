//! The safeguards' gate as the routes that touch plate data pass it (history, analyses,
//! evidence): a request runs, waits for a supervisor (202 with its approval) or is refused
//! (403 `purpose_refused`); what a cleared request returns is recorded before the answer.
//! Also the scope that analyses and evidence exports share: plates over a window.

use super::history::optional_ts;
use crate::api::reads_out::PendingOut;
use crate::api::validate::format_ts;
use crate::auth::now_micros;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use corridor_domain::{PlateText, Timestamp};
use corridor_safeguards::audit::Outcome;
use corridor_safeguards::{Action, Gate, Principal, Purpose, SearchScope, Ticket};
use std::sync::Arc;

/// A request as the gate sees it: who asks what, why, over which plates and window.
#[derive(Debug)]
pub(crate) struct Asked {
    pub(crate) principal: Principal,
    pub(crate) action: Action,
    pub(crate) purpose: Option<Purpose>,
    pub(crate) scope: SearchScope,
    /// The request as kept in the approval queue, so that an approved one runs as asked.
    pub(crate) query: serde_json::Value,
}

/// What the gate let through.
#[derive(Debug)]
pub(crate) enum Cleared {
    /// Run it, then [`record_result`] before answering.
    Run(Ticket),
    /// It waits for a supervisor: answer this 202.
    Waiting(Response),
}

const DAY_MICROS: i64 = 86_400_000_000;

/// The start of the window a request may cover without approval
/// (`scope_rules.age_days_without_approval` before `now`): the `from` of a request that
/// gives none.
pub(crate) fn window_start_without_approval(state: &AppState, now: Timestamp) -> Timestamp {
    let age_days = state
        .safeguards()
        .config()
        .scope_rules
        .age_days_without_approval;
    now - i64::from(age_days) * DAY_MICROS
}

/// Plates over a window, checked: the seeds of an analysis, the case plates of an export.
#[derive(Clone, Debug)]
pub(crate) struct PlatesWindow {
    pub(crate) plates: Vec<PlateText>,
    pub(crate) from: Timestamp,
    pub(crate) to: Option<Timestamp>,
}

impl PlatesWindow {
    /// Checks `plates` (1 to `plates_max`, named `field` in errors) and the RFC 3339 bounds;
    /// without `from`, the window starts where approval would be needed.
    pub(crate) fn check(
        state: &AppState,
        field: &'static str,
        plates: &[String],
        (from, to): (Option<&str>, Option<&str>),
        plates_max: usize,
        now: Timestamp,
    ) -> Result<PlatesWindow, ApiError> {
        if plates.is_empty() || plates.len() > plates_max {
            let message = format!("give 1 to {plates_max} plates");
            return Err(ApiError::bad_param(field, message));
        }
        let plates = plates
            .iter()
            .map(|raw| {
                PlateText::parse(raw)
                    .map_err(|error| ApiError::bad_param(field, format!("`{raw}`: {error}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let from = match optional_ts(from, "from")? {
            Some(from) => from,
            None => window_start_without_approval(state, now),
        };
        let to = optional_ts(to, "to")?;
        if to.is_some_and(|to| to < from) {
            return Err(ApiError::bad_param("to", "earlier than `from`"));
        }
        Ok(PlatesWindow { plates, from, to })
    }

    /// The plates as text.
    pub(crate) fn plate_names(&self) -> Vec<String> {
        self.plates
            .iter()
            .map(|plate| plate.as_str().to_owned())
            .collect()
    }

    /// The scope the gate checks: these plates over this window.
    pub(crate) fn scope(&self) -> SearchScope {
        SearchScope {
            plates: self.plate_names(),
            from: Some(self.from),
            to: self.to,
            area: None,
        }
    }

    /// The bounds as sent back and kept for approval (RFC 3339; `to` null when open).
    pub(crate) fn bounds_json(&self) -> (String, Option<String>) {
        (format_ts(self.from), self.to.map(format_ts))
    }
}

/// Passes `asked` through [`corridor_safeguards::Safeguards::gate`] off the HTTP runtime.
pub(crate) async fn pass(
    state: &AppState,
    asked: Asked,
    now: Timestamp,
) -> Result<Cleared, ApiError> {
    let safeguards = Arc::clone(state.safeguards());
    let gate = state
        .off_runtime(move || {
            safeguards.gate(
                &asked.principal,
                asked.action,
                asked.purpose.as_ref(),
                &asked.scope,
                asked.query,
                now,
            )
        })
        .await??;
    match gate {
        Gate::Proceed(ticket) => Ok(Cleared::Run(ticket)),
        Gate::Pending(pending) => Ok(Cleared::Waiting(
            (
                StatusCode::ACCEPTED,
                Json(PendingOut::from_request(&pending)),
            )
                .into_response(),
        )),
        Gate::Refused { reasons } => Err(ApiError::purpose_refused(reasons)),
    }
}

/// The parameters of an approved request as it was asked and queued, to run it exactly so.
pub(crate) fn queued_params<T: serde::de::DeserializeOwned>(
    ticket: &Ticket,
) -> Result<T, ApiError> {
    serde_json::from_value(ticket.query.clone()).map_err(|error| ApiError::internal(&error))
}

/// Writes the audit record of a cleared request (synced before the caller responds).
pub(crate) async fn record_result(
    state: &AppState,
    ticket: Ticket,
    outcome: Outcome,
) -> Result<(), ApiError> {
    let safeguards = Arc::clone(state.safeguards());
    state
        .off_runtime(move || safeguards.record_result(&ticket, outcome, now_micros()))
        .await??;
    Ok(())
}
