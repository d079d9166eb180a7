//! Who may call a route: the guard of every route, the middleware that enforces it, and the
//! purpose headers of searches.
//!
//! ```text
//! request -> guard: Safeguards::authenticate (401) -> authorize(principal, action) (403,
//!            audited) -> handler (with the Principal in its extensions)
//! ```
//!
//! The decisions are the safeguards crate's: this module only carries HTTP to and from it.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::Request;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use corridor_domain::Timestamp;
use corridor_safeguards::audit::{Outcome, OutcomeStatus};
use corridor_safeguards::{Action, OffenceCategory, Principal, Purpose, authorize};

/// Header carrying a search's case reference.
pub const HEADER_CASE: &str = "x-corridor-case";
/// Header carrying a search's offence category (`people_smuggling`, `drug_trafficking`, ...).
pub const HEADER_OFFENCE: &str = "x-corridor-offence";
/// Header carrying why a search is necessary and proportionate.
pub const HEADER_JUSTIFICATION: &str = "x-corridor-justification";

/// What a route demands of its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Guard {
    /// Anyone, without a token (`/health` only).
    Public,
    /// Any authenticated user, whatever the role (the API description, metrics, cameras).
    Authenticated,
    /// A user whose role may perform the action according to the safeguards' `MATRIX`.
    Action(Action),
}

/// Enforces `guard` on a request; on success the handler finds the [`Principal`] in the
/// request's extensions.
pub(crate) async fn enforce(
    state: AppState,
    guard: Guard,
    mut request: Request,
    next: Next,
) -> Response {
    if guard == Guard::Public {
        return next.run(request).await;
    }
    let authorization = request
        .headers()
        .get(AUTHORIZATION)
        .map(|value| value.to_str().unwrap_or(""));
    let principal = match state.safeguards().authenticate(authorization, now_micros()) {
        Ok(principal) => principal,
        Err(error) => return ApiError::from(error).into_response(),
    };
    if let Guard::Action(action) = guard
        && let Err(error) = authorize(&principal, action)
    {
        let what = serde_json::json!({
            "method": request.method().as_str(),
            "path": request.uri().path(),
            "refused": [error.to_string()],
        });
        if let Err(response) = record_refusal(&state, &principal, action, what).await {
            return response;
        }
        return ApiError::from(error).into_response();
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// Writes a refused attempt to the audit log, so that oversight sees who tried what.
async fn record_refusal(
    state: &AppState,
    principal: &Principal,
    action: Action,
    what: serde_json::Value,
) -> Result<(), Response> {
    let safeguards = std::sync::Arc::clone(state.safeguards());
    let principal = principal.clone();
    state
        .off_runtime(move || {
            safeguards.record(
                &principal,
                action.as_str(),
                what,
                Outcome::status(OutcomeStatus::Refused),
                now_micros(),
            )
        })
        .await
        .map_err(IntoResponse::into_response)?
        .map_err(|error| ApiError::from(error).into_response())?;
    Ok(())
}

/// The purpose a search declares in its headers: none when all three are absent; a 400
/// naming the header when only some are given or one is malformed.
pub(crate) fn purpose_from_headers(headers: &HeaderMap) -> Result<Option<Purpose>, ApiError> {
    let header = |name: &'static str| -> Result<Option<String>, ApiError> {
        match headers.get(name) {
            None => Ok(None),
            Some(value) => value
                .to_str()
                .map(|text| Some(text.trim().to_owned()))
                .map_err(|_| ApiError::bad_param(name, "not visible ASCII")),
        }
    };
    let case_ref = header(HEADER_CASE)?;
    let offence = header(HEADER_OFFENCE)?;
    let justification = header(HEADER_JUSTIFICATION)?;
    match (case_ref, offence, justification) {
        (None, None, None) => Ok(None),
        (Some(case_ref), Some(offence), Some(justification)) => {
            let offence_category = OffenceCategory::parse(&offence)
                .map_err(|error| ApiError::bad_param(HEADER_OFFENCE, error.to_string()))?;
            Ok(Some(Purpose {
                case_ref,
                offence_category,
                justification,
            }))
        }
        _ => Err(ApiError::bad_request(
            "bad_purpose",
            format!(
                "a purpose needs all three headers: {HEADER_CASE}, {HEADER_OFFENCE}, {HEADER_JUSTIFICATION}"
            ),
        )),
    }
}

/// Now, in microseconds since the epoch (the safeguards' and the alerts' clock).
pub(crate) fn now_micros() -> Timestamp {
    corridor_safeguards::util::now_micros()
}
