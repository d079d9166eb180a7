//! `ApiError`: the one error type every handler returns, and its JSON body.
//!
//! A 4xx says exactly what was wrong (a stable `code`, a message, and for a bad read the
//! 1-based `row` and the `field`). A 5xx says nothing about its cause: it carries a
//! request id, and the cause is logged with the same id.

use axum::http::StatusCode;
use axum::http::header::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Why a request failed; turned into a status code and a JSON body by [`IntoResponse`].
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Box<ErrorBody>,
}

/// The JSON body of every error response: `{"error": {...}}`.
#[derive(Debug, Serialize)]
struct ErrorEnvelope<'a> {
    error: &'a ErrorBody,
}

#[derive(Debug, Serialize)]
struct ErrorBody {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    /// Every rule a refused search broke (purpose and scope control).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reasons: Vec<String>,
}

/// A rejected read (or camera) of a batch: which row, which field, and why.
///
/// `reason` is one of the rejection keys of docs/schema.md (`unparsable`, `missing`,
/// `bad_value`, `unknown_camera`, `off_globe`, `future_ts`, `bad_plate`, `bad_confidence`,
/// `conflicting_read_id`) or `unknown_field`.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// 1-based row: the element of the JSON array, or the line of an NDJSON body.
    pub row: u64,
    /// The field at fault, if the fault lies in one field.
    pub field: Option<String>,
    /// The rejection key.
    pub reason: &'static str,
    /// What was wrong, for a person.
    pub message: String,
}

impl ApiError {
    /// 400 `bad_field`: a row of the batch was rejected, so nothing of the batch was stored.
    pub fn bad_row(row_error: RowError) -> ApiError {
        let code = match row_error.reason {
            "unparsable" if row_error.field.is_none() => "bad_json",
            "unknown_field" => "unknown_field",
            _ => "bad_field",
        };
        let status = match row_error.reason {
            "conflicting_read_id" => StatusCode::CONFLICT,
            _ => StatusCode::BAD_REQUEST,
        };
        let message = match &row_error.field {
            Some(field) => format!(
                "row {}: field `{field}`: {}",
                row_error.row, row_error.message
            ),
            None => format!("row {}: {}", row_error.row, row_error.message),
        };
        ApiError {
            status,
            body: Box::new(ErrorBody {
                code,
                message,
                row: Some(row_error.row),
                field: row_error.field,
                reason: Some(row_error.reason),
                request_id: None,
                reasons: Vec::new(),
            }),
        }
    }

    /// 400 with a code and message, for a bad query parameter or body.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::client(StatusCode::BAD_REQUEST, code, message.into())
    }

    /// 400 `bad_param`: a query parameter was missing or malformed.
    pub fn bad_param(param: &str, message: impl Into<String>) -> ApiError {
        let mut error = ApiError::client(
            StatusCode::BAD_REQUEST,
            "bad_param",
            format!("parameter `{param}`: {}", message.into()),
        );
        error.body.field = Some(param.to_owned());
        error
    }

    /// 401 `unauthenticated`: no usable `Authorization: Bearer <token>`.
    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError::client(StatusCode::UNAUTHORIZED, "unauthenticated", message.into())
    }

    /// 403 `forbidden`: the caller's role may not do this (see the safeguards' `MATRIX`).
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::client(StatusCode::FORBIDDEN, "forbidden", message.into())
    }

    /// 403 `purpose_refused`: purpose or scope control refused the search; `reasons`
    /// lists every rule it broke.
    pub fn purpose_refused(reasons: Vec<String>) -> ApiError {
        let mut error = ApiError::client(
            StatusCode::FORBIDDEN,
            "purpose_refused",
            format!("search refused: {}", reasons.join("; ")),
        );
        error.body.reasons = reasons;
        error
    }

    /// 409 `conflict`: the item is not in a state that allows the operation.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::client(StatusCode::CONFLICT, "conflict", message.into())
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::client(StatusCode::NOT_FOUND, "not_found", message.into())
    }

    /// 413: the body or the batch is larger than the configured limit.
    pub fn too_large(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::client(StatusCode::PAYLOAD_TOO_LARGE, code, message.into())
    }

    /// 415 `unsupported_media_type` for a body of reads.
    pub fn unsupported_media_type(content_type: &str) -> ApiError {
        ApiError::unsupported_media_type_of(
            content_type,
            "application/json or application/x-ndjson",
        )
    }

    /// 415 `unsupported_media_type`: the message names the `accepted` types.
    pub fn unsupported_media_type_of(content_type: &str, accepted: &str) -> ApiError {
        ApiError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("content type `{content_type}` is not accepted; send {accepted}"),
        )
    }

    /// 500 `internal`: logs `cause` with a fresh request id and returns only the id.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> ApiError {
        let request_id = next_request_id();
        tracing::error!(request_id = %request_id, error = %error_chain(cause), "Request failed.");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: Box::new(ErrorBody {
                code: "internal",
                message: format!("internal error; quote request id {request_id} when reporting it"),
                row: None,
                field: None,
                reason: None,
                request_id: Some(request_id),
                reasons: Vec::new(),
            }),
        }
    }

    /// The status code this error is answered with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable machine-readable code (`bad_field`, `not_found`, `internal`, ...).
    pub fn code(&self) -> &'static str {
        self.body.code
    }

    fn client(status: StatusCode, code: &'static str, message: String) -> ApiError {
        ApiError {
            status,
            body: Box::new(ErrorBody {
                code,
                message,
                row: None,
                field: None,
                reason: None,
                request_id: None,
                reasons: Vec::new(),
            }),
        }
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> ApiError {
        ApiError::bad_request("bad_param", rejection.body_text())
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> ApiError {
        ApiError::bad_request("bad_json", rejection.body_text())
    }
}

impl From<corridor_safeguards::SafeguardsError> for ApiError {
    fn from(error: corridor_safeguards::SafeguardsError) -> ApiError {
        use corridor_safeguards::SafeguardsError as E;
        match error {
            E::Unauthenticated(message) => ApiError::unauthenticated(message),
            E::Forbidden(message) => ApiError::forbidden(message),
            E::Invalid { field, reason } => ApiError::bad_param(field, reason),
            E::NotFound { .. } => ApiError::not_found(error.to_string()),
            E::Conflict(message) => ApiError::conflict(message),
            E::Io { .. } | E::Corrupt { .. } | E::Target { .. } => ApiError::internal(&error),
        }
    }
}

impl From<corridor_alerts::AlertError> for ApiError {
    fn from(error: corridor_alerts::AlertError) -> ApiError {
        use corridor_alerts::AlertError as E;
        match error {
            E::CsvField { .. } | E::Csv { .. } => {
                ApiError::bad_request("bad_csv", error.to_string())
            }
            E::BadField { field, reason } => ApiError::bad_param(field, reason),
            E::UnknownEntry(_) | E::UnknownAlert(_) => ApiError::not_found(error.to_string()),
            E::Io { .. } | E::Corrupt { .. } | E::Failed(_) => ApiError::internal(&error),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let envelope = ErrorEnvelope { error: &self.body };
        let mut response = (self.status, axum::Json(envelope)).into_response();
        if let Some(request_id) = &self.body.request_id
            && let Ok(value) = HeaderValue::from_str(request_id)
        {
            response.headers_mut().insert("x-request-id", value);
        }
        response
    }
}

/// The error and all its sources, joined by `: `.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A request id unique within this process and unlikely to repeat across restarts:
/// the process start time in milliseconds, then a counter.
fn next_request_id() -> String {
    static START_MS: OnceLock<u128> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let start_ms = START_MS.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_millis())
            .unwrap_or_default()
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{start_ms:x}-{n}")
}
