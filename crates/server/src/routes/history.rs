//! `GET /api/v1/history`: where has this vehicle been?
//!
//! `plate` is searched exactly, as a wildcard pattern (`AB12?CD`, `*CDE`) or fuzzily under
//! the OCR confusion model; `mode` defaults to `wildcard` when the plate holds `?` or `*`
//! and to `exact` otherwise.
//!
//! Every search passes the safeguards' gate with the purpose of its headers
//! ([`crate::auth::purpose_from_headers`]): it runs, waits for a supervisor (202 with an
//! approval id) or is refused (403). What it returns is filtered for the caller (partners
//! see only what their agreement shares) and written to the audit log before the response.
//! Without `from`, a search covers the window that needs no approval
//! (`scope_rules.age_days_without_approval`, 90 days by default).

use super::gate::{self, Asked, Cleared};
use crate::api::reads_out::{History, HistoryRead};
use crate::api::validate::parse_ts;
use crate::auth::{now_micros, purpose_from_headers};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use corridor_domain::{Country, PlateText, Timestamp};
use corridor_safeguards::audit::{Outcome, OutcomeStatus};
use corridor_safeguards::{Action, Principal, Role, SearchScope, Ticket};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The query parameters, as sent; checked by [`HistoryParams::check`]. Kept as sent in the
/// approval queue, so that an approved search runs exactly what was asked.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HistoryParams {
    plate: Option<String>,
    country: Option<String>,
    from: Option<String>,
    to: Option<String>,
    mode: Option<String>,
    limit: Option<String>,
}

/// How the plate is matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Exact,
    Wildcard,
    Fuzzy,
}

impl Mode {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Mode::Exact => "exact",
            Mode::Wildcard => "wildcard",
            Mode::Fuzzy => "fuzzy",
        }
    }
}

/// A checked history request.
#[derive(Clone, Debug)]
pub(crate) struct HistoryRequest {
    pub(crate) plate: String,
    pub(crate) country: Option<Country>,
    pub(crate) from: Option<Timestamp>,
    pub(crate) to: Option<Timestamp>,
    pub(crate) mode: Mode,
    pub(crate) limit: usize,
}

pub(crate) async fn get_history(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    params: Result<Query<HistoryParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(mut params) = params?;
    let purpose = purpose_from_headers(&headers)?;
    let now = now_micros();
    if params.from.as_deref().is_none_or(str::is_empty) {
        let from = gate::window_start_without_approval(&state, now);
        params.from = Some(crate::api::validate::format_ts(from));
    }
    let request = check(&state, params.clone())?;
    let scope = SearchScope {
        plates: vec![request.plate.clone()],
        from: request.from,
        to: request.to,
        area: None,
    };
    let query = serde_json::to_value(&params).map_err(|error| ApiError::internal(&error))?;
    let asked = Asked {
        principal,
        action: Action::ReadHistory,
        purpose,
        scope,
        query,
    };
    match gate::pass(&state, asked, now).await? {
        Cleared::Run(ticket) => Ok(run_history(&state, ticket, request).await?.into_response()),
        Cleared::Waiting(response) => Ok(response),
    }
}

/// Runs a search the gate (or a supervisor) cleared: the lookup, the sharing filter, then
/// the audit record of exactly what is returned, before it is returned.
pub(crate) async fn run_history(
    state: &AppState,
    ticket: Ticket,
    request: HistoryRequest,
) -> Result<Json<History>, ApiError> {
    let search = request.clone();
    let found = state
        .blocking(move |store| crate::lookup::history(store, &search))
        .await?;
    let found = match found {
        Ok(found) => found,
        Err(error) => {
            gate::record_result(state, ticket, Outcome::status(OutcomeStatus::Failed)).await?;
            return Err(match error {
                corridor_store::Error::BadQuery { text, reason } => {
                    ApiError::bad_param("plate", format!("`{text}`: {reason}"))
                }
                error => ApiError::internal(&error),
            });
        }
    };
    let cameras = partner_cameras(state, &ticket.principal).await?;
    let hit_read_ids = partner_hits(state, &ticket.principal);
    let now = now_micros();
    let mut reads = Vec::with_capacity(found.reads.len());
    let mut read_ids = Vec::with_capacity(found.reads.len());
    for found_read in &found.reads {
        let shared = state.safeguards().filter_reads(
            &ticket.principal,
            std::slice::from_ref(&found_read.read),
            &cameras,
            &hit_read_ids,
            now,
        )?;
        for shared_read in shared {
            read_ids.push(found_read.read.read_id.clone());
            reads.push(HistoryRead::from_shared(
                &shared_read,
                found_read.likelihood,
            ));
        }
    }
    gate::record_result(
        state,
        ticket,
        Outcome::with_reads(OutcomeStatus::Ok, &read_ids),
    )
    .await?;
    Ok(Json(History {
        mode: request.mode.as_str(),
        plate: request.plate,
        country: request.country.map(|country| country.as_str().to_owned()),
        n_reads: reads.len(),
        truncated: found.truncated,
        reads,
    }))
}

/// Checks the parameters of a search (as sent, or as stored for approval).
pub(crate) fn check(state: &AppState, params: HistoryParams) -> Result<HistoryRequest, ApiError> {
    let limits = &state.config().limits;
    params.check(limits.result_rows_default, limits.result_rows_max)
}

/// The camera registry, which places partner reads in their agreed regions; internal
/// roles see every read and need none.
async fn partner_cameras(
    state: &AppState,
    principal: &Principal,
) -> Result<HashMap<String, corridor_domain::Camera>, ApiError> {
    if principal.role != Role::Partner {
        return Ok(HashMap::new());
    }
    let cameras = state.blocking(|store| store.cameras()).await?;
    Ok(cameras
        .into_iter()
        .map(|camera| (camera.camera_id.clone(), camera))
        .collect())
}

/// Reads that hit a hotlist entry of the partner's own agency, for `hits_only` agreements.
fn partner_hits(state: &AppState, principal: &Principal) -> HashSet<String> {
    if principal.role != Role::Partner {
        return HashSet::new();
    }
    let log = state.alerts().alert_log();
    log.alerts_from(0, usize::try_from(log.len()).unwrap_or(usize::MAX))
        .iter()
        .filter(|alert| alert.watch.agency == principal.agency)
        .map(|alert| alert.read_id.clone())
        .collect()
}

impl HistoryParams {
    /// Checks every parameter; the error names the first bad one.
    pub(crate) fn check(
        self,
        result_rows_default: usize,
        result_rows_max: usize,
    ) -> Result<HistoryRequest, ApiError> {
        let raw_plate = self
            .plate
            .filter(|plate| !plate.trim().is_empty())
            .ok_or_else(|| ApiError::bad_param("plate", "missing"))?;
        let has_wildcard = raw_plate.contains(['?', '*']);
        let mode = match self.mode.as_deref() {
            None | Some("") if has_wildcard => Mode::Wildcard,
            None | Some("") | Some("exact") => Mode::Exact,
            Some("wildcard") => Mode::Wildcard,
            Some("fuzzy") => Mode::Fuzzy,
            Some(other) => {
                let message = format!("`{other}` is not one of exact, wildcard, fuzzy");
                return Err(ApiError::bad_param("mode", message));
            }
        };
        let plate = match mode {
            Mode::Wildcard => raw_plate.trim().to_ascii_uppercase(),
            Mode::Exact | Mode::Fuzzy => {
                if has_wildcard {
                    let message = "`?` and `*` need mode=wildcard";
                    return Err(ApiError::bad_param("plate", message));
                }
                PlateText::parse(&raw_plate)
                    .map_err(|error| ApiError::bad_param("plate", error.to_string()))?
                    .as_str()
                    .to_owned()
            }
        };
        let country = match self.country.as_deref().filter(|raw| !raw.is_empty()) {
            None => None,
            Some(raw) => Some(
                Country::parse(raw)
                    .map_err(|error| ApiError::bad_param("country", error.to_string()))?,
            ),
        };
        let from = optional_ts(self.from.as_deref(), "from")?;
        let to = optional_ts(self.to.as_deref(), "to")?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(ApiError::bad_param("to", "earlier than `from`"));
        }
        let limit = match self.limit.as_deref().filter(|raw| !raw.is_empty()) {
            None => result_rows_default,
            Some(raw) => match raw.parse::<usize>() {
                Ok(limit) if (1..=result_rows_max).contains(&limit) => limit,
                _ => {
                    let message = format!("`{raw}` is not a whole number in 1..={result_rows_max}");
                    return Err(ApiError::bad_param("limit", message));
                }
            },
        };
        Ok(HistoryRequest {
            plate,
            country,
            from,
            to,
            mode,
            limit,
        })
    }
}

pub(crate) fn optional_ts(raw: Option<&str>, param: &str) -> Result<Option<Timestamp>, ApiError> {
    match raw.filter(|raw| !raw.is_empty()) {
        None => Ok(None),
        // A `+` of an offset arrives as a space when the client did not percent-encode it.
        Some(raw) => parse_ts(&raw.replace(' ', "+")).map(Some).ok_or_else(|| {
            ApiError::bad_param(param, format!("`{raw}` is not an RFC 3339 timestamp"))
        }),
    }
}
