//! Reads and reports as the API sends them back.

use super::validate::format_ts;
use corridor_domain::PlateRead;
use serde::Serialize;

/// A stored read, with the exchange schema's field names (`ts` as RFC 3339 UTC).
#[derive(Debug, Serialize)]
pub(crate) struct ReadOut {
    read_id: String,
    plate: String,
    country: Option<String>,
    camera_id: String,
    ts: String,
    confidence: Option<f32>,
    lat: Option<f64>,
    lon: Option<f64>,
    heading: Option<f32>,
    make: Option<String>,
    model: Option<String>,
    colour: Option<String>,
    vehicle_type: Option<String>,
}

impl ReadOut {
    pub(crate) fn from_read(read: &PlateRead) -> ReadOut {
        ReadOut {
            read_id: read.read_id.clone(),
            plate: read.plate.as_str().to_owned(),
            country: read.country.map(|country| country.as_str().to_owned()),
            camera_id: read.camera_id.clone(),
            ts: format_ts(read.ts),
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
    pub(crate) fn from_found(found: &crate::lookup::FoundRead) -> HistoryRead {
        HistoryRead {
            read: ReadOut::from_read(&found.read),
            likelihood: found.likelihood,
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
