//! `GET /api/v1/history`: where has this vehicle been?
//!
//! `plate` is searched exactly, as a wildcard pattern (`AB12?CD`, `*CDE`) or fuzzily under
//! the OCR confusion model; `mode` defaults to `wildcard` when the plate holds `?` or `*`
//! and to `exact` otherwise.

use crate::api::reads_out::{History, HistoryRead};
use crate::api::validate::parse_ts;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use corridor_domain::{Country, PlateText, Timestamp};
use serde::Deserialize;

/// The query parameters, as sent; checked by [`HistoryParams::check`].
#[derive(Debug, Deserialize)]
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
    params: Result<Query<HistoryParams>, QueryRejection>,
) -> Result<Json<History>, ApiError> {
    let Query(params) =
        params.map_err(|rejection| ApiError::bad_request("bad_param", rejection.body_text()))?;
    let limits = &state.config().limits;
    let request = params.check(limits.result_rows_default, limits.result_rows_max)?;
    let search = request.clone();
    let found = state
        .blocking(move |store| crate::lookup::history(store, &search))
        .await?
        .map_err(|error| match error {
            corridor_store::Error::BadQuery { text, reason } => {
                ApiError::bad_param("plate", format!("`{text}`: {reason}"))
            }
            error => ApiError::internal(&error),
        })?;
    let reads: Vec<HistoryRead> = found.reads.iter().map(HistoryRead::from_found).collect();
    Ok(Json(History {
        mode: request.mode.as_str(),
        plate: request.plate,
        country: request.country.map(|country| country.as_str().to_owned()),
        n_reads: reads.len(),
        truncated: found.truncated,
        reads,
    }))
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

fn optional_ts(raw: Option<&str>, param: &str) -> Result<Option<Timestamp>, ApiError> {
    match raw.filter(|raw| !raw.is_empty()) {
        None => Ok(None),
        // A `+` of an offset arrives as a space when the client did not percent-encode it.
        Some(raw) => parse_ts(&raw.replace(' ', "+")).map(Some).ok_or_else(|| {
            ApiError::bad_param(param, format!("`{raw}` is not an RFC 3339 timestamp"))
        }),
    }
}
