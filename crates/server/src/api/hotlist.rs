//! Hotlist entries and alerts as the API receives and sends them, converted by hand from
//! and to the alerts crate's types. An alert itself is sent in the alerts crate's own JSON
//! form (docs/alerts.md), which webhooks and the SSE stream also carry.

use super::validate::{format_ts, parse_ts};
use crate::error::ApiError;
use corridor_alerts::{
    Ack, Alert, CountrySpec, EntryFields, HotlistEntry, PlateSpec, ReasonCategory, Sharing,
};
use serde::{Deserialize, Serialize};

/// A hotlist entry as sent by a client (`POST` creates, `PUT` replaces the fields).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntryIn {
    plate: String,
    /// ISO 3166-1 alpha-2, or `any`.
    country: String,
    reason: String,
    #[serde(default)]
    handling: String,
    /// The owning agency; the caller's agency when absent.
    agency: Option<String>,
    /// RFC 3339; absent: never expires.
    expires_at: Option<String>,
    sharing: String,
}

impl EntryIn {
    /// Checks every field; the error names the first bad one.
    pub(crate) fn into_fields(self, caller_agency: &str) -> Result<EntryFields, ApiError> {
        let expires_at = match self.expires_at.as_deref().filter(|raw| !raw.is_empty()) {
            None => None,
            Some(raw) => Some(parse_ts(raw).ok_or_else(|| {
                ApiError::bad_param(
                    "expires_at",
                    format!("`{raw}` is not an RFC 3339 timestamp"),
                )
            })?),
        };
        Ok(EntryFields {
            plate: PlateSpec::parse(&self.plate)?,
            country: CountrySpec::parse(&self.country)?,
            reason: ReasonCategory::parse(&self.reason)?,
            handling: self.handling,
            agency: self.agency.unwrap_or_else(|| caller_agency.to_owned()),
            expires_at,
            sharing: Sharing::parse(&self.sharing)?,
        })
    }
}

/// A version of a hotlist entry.
#[derive(Debug, Serialize)]
pub(crate) struct EntryOut {
    entry_id: u64,
    version: u32,
    plate: String,
    country: String,
    reason: &'static str,
    handling: String,
    agency: String,
    expires_at: Option<String>,
    sharing: &'static str,
    /// `created`, `updated`, `expired` or `deleted`.
    change: &'static str,
    changed_at: String,
    changed_by: String,
}

impl EntryOut {
    pub(crate) fn from_entry(entry: &HotlistEntry) -> EntryOut {
        EntryOut {
            entry_id: entry.entry_id.0,
            version: entry.version,
            plate: entry.fields.plate.as_str().to_owned(),
            country: entry.fields.country.as_str().to_owned(),
            reason: entry.fields.reason.as_str(),
            handling: entry.fields.handling.clone(),
            agency: entry.fields.agency.clone(),
            expires_at: entry.fields.expires_at.map(format_ts),
            sharing: entry.fields.sharing.as_str(),
            change: entry.change.as_str(),
            changed_at: format_ts(entry.changed_at),
            changed_by: entry.changed_by.clone(),
        }
    }
}

/// The body of `GET /api/v1/hotlist` and of a CSV import.
#[derive(Debug, Serialize)]
pub(crate) struct EntryList {
    pub(crate) n_entries: usize,
    pub(crate) entries: Vec<EntryOut>,
}

impl EntryList {
    pub(crate) fn from_entries(entries: &[HotlistEntry]) -> EntryList {
        EntryList {
            n_entries: entries.len(),
            entries: entries.iter().map(EntryOut::from_entry).collect(),
        }
    }
}

/// An acknowledgement as sent by a client; who and when come from the request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AckIn {
    /// `stopped`, `observed`, `misread`, `not_found` or `no_action`.
    pub(crate) outcome: String,
    #[serde(default)]
    pub(crate) note: String,
}

/// An acknowledgement of an alert.
#[derive(Debug, Serialize)]
pub(crate) struct AckOut {
    handled_by: String,
    outcome: &'static str,
    note: String,
    at: String,
}

impl AckOut {
    pub(crate) fn from_ack(ack: &Ack) -> AckOut {
        AckOut {
            handled_by: ack.handled_by.clone(),
            outcome: ack.outcome.as_str(),
            note: ack.note.clone(),
            at: format_ts(ack.at),
        }
    }
}

/// An alert with its acknowledgements.
#[derive(Debug, Serialize)]
pub(crate) struct AlertOut {
    #[serde(flatten)]
    alert: serde_json::Value,
    acks: Vec<AckOut>,
}

impl AlertOut {
    pub(crate) fn new(alert: &Alert, acks: &[Ack]) -> AlertOut {
        AlertOut {
            alert: serde_json::to_value(alert).unwrap_or_default(),
            acks: acks.iter().map(AckOut::from_ack).collect(),
        }
    }
}

/// The body of `GET /api/v1/alerts`.
#[derive(Debug, Serialize)]
pub(crate) struct AlertList {
    pub(crate) n_alerts: usize,
    /// The `seq` to ask from for the next page.
    pub(crate) next_seq: u64,
    pub(crate) alerts: Vec<AlertOut>,
}
