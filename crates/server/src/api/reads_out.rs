//! Reads and reports as the API sends them back.

use super::validate::format_ts;
use corridor_safeguards::approvals::{PendingRequest, RequestState};
use corridor_safeguards::sharing::SharedRead;
use serde::Serialize;

/// A read as the caller may see it, with the exchange schema's field names (`ts` as
/// RFC 3339 UTC). A field the caller's sharing agreement withholds, or that the read does
/// not have, is left out.
#[derive(Debug, Serialize)]
pub(crate) struct ReadOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    read_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    camera_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lon: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    heading: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    make: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    colour: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vehicle_type: Option<String>,
}

impl ReadOut {
    pub(crate) fn from_shared(read: &SharedRead) -> ReadOut {
        ReadOut {
            read_id: read.read_id.clone(),
            plate: read.plate.clone(),
            country: read.country.clone(),
            camera_id: read.camera_id.clone(),
            ts: read.ts.map(format_ts),
            confidence: read.confidence,
            lat: read.lat,
            lon: read.lon,
            heading: read.heading_deg,
            make: read.make.clone(),
            model: read.model.clone(),
            colour: read.colour.clone(),
            vehicle_type: read.vehicle_type.clone(),
        }
    }
}

/// The body of a successful `POST /api/v1/reads`: every read of it is durable.
#[derive(Debug, Serialize)]
pub(crate) struct IngestReport {
    /// Reads in the request.
    pub(crate) n_received: u64,
    /// Reads newly stored.
    pub(crate) n_new: u64,
    /// Reads already stored with the same content (or repeated within the request).
    pub(crate) n_duplicate: u64,
    /// Reads older than the store's retention period, accepted but not stored.
    pub(crate) n_expired: u64,
    /// Alerts newly raised by the batch (hotlist, geofence and convoy).
    pub(crate) n_alerts: u64,
}

/// A read found by a history query.
#[derive(Debug, Serialize)]
pub(crate) struct HistoryRead {
    #[serde(flatten)]
    read: ReadOut,
    /// Fuzzy mode: the likelihood of this read's plate under the OCR confusion model.
    #[serde(skip_serializing_if = "Option::is_none")]
    likelihood: Option<f64>,
}

impl HistoryRead {
    pub(crate) fn from_shared(read: &SharedRead, likelihood: Option<f64>) -> HistoryRead {
        HistoryRead {
            read: ReadOut::from_shared(read),
            likelihood,
        }
    }
}

/// The body of `GET /api/v1/history`.
#[derive(Debug, Serialize)]
pub(crate) struct History {
    pub(crate) mode: &'static str,
    pub(crate) plate: String,
    pub(crate) country: Option<String>,
    pub(crate) n_reads: usize,
    /// More reads matched than the limit let through.
    pub(crate) truncated: bool,
    pub(crate) reads: Vec<HistoryRead>,
}

/// The body of a search that waits for a supervisor (202), and of an approval listing.
#[derive(Debug, Serialize)]
pub(crate) struct PendingOut {
    /// `pending`, `approved`, `denied` or `executed`.
    pub(crate) status: &'static str,
    pub(crate) approval_id: String,
    pub(crate) requester: String,
    pub(crate) action: &'static str,
    pub(crate) case_ref: String,
    /// The offence category of the purpose.
    pub(crate) offence: &'static str,
    /// The requester's justification.
    pub(crate) justification: String,
    /// What it would touch: the plates or patterns and the window asked for.
    pub(crate) scope: ScopeOut,
    /// When it was submitted.
    pub(crate) created: String,
    /// The scope rules the search exceeds.
    pub(crate) reasons: Vec<String>,
    /// The supervisor who approved or denied it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) decided_by: Option<String>,
    /// Where the requester runs it once approved.
    pub(crate) run: String,
}

/// The scope of a request waiting for a supervisor.
#[derive(Debug, Serialize)]
pub(crate) struct ScopeOut {
    pub(crate) plates: Vec<String>,
    /// Earliest read time asked for; absent: from the beginning of the data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) from: Option<String>,
    /// Latest read time asked for; absent: up to now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) to: Option<String>,
}

impl PendingOut {
    pub(crate) fn from_request(request: &PendingRequest) -> PendingOut {
        let (status, decided_by) = match &request.state {
            RequestState::Pending => ("pending", None),
            RequestState::Approved { by, .. } => ("approved", Some(by.clone())),
            RequestState::Denied { by, .. } => ("denied", Some(by.clone())),
            RequestState::Executed { approved_by, .. } => ("executed", Some(approved_by.clone())),
        };
        PendingOut {
            status,
            approval_id: request.id.clone(),
            requester: request.requester.user.clone(),
            action: request.action.as_str(),
            case_ref: request.purpose.case_ref.clone(),
            offence: request.purpose.offence_category.as_str(),
            justification: request.purpose.justification.clone(),
            scope: ScopeOut {
                plates: request.scope.plates.clone(),
                from: request.scope.from.map(crate::api::validate::format_ts),
                to: request.scope.to.map(crate::api::validate::format_ts),
            },
            created: crate::api::validate::format_ts(request.created),
            reasons: request.reasons.clone(),
            decided_by,
            run: format!("/api/v1/approvals/{}/run", request.id),
        }
    }
}
