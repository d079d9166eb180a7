//! Checks a read as sent ([`ReadIn`]) and builds the domain's [`PlateRead`] from it.
//!
//! The checks and rejection keys are those of docs/schema.md, in the order of the schema's
//! fields, so that the first fault of a row is the one reported.

use super::reads_in::ReadIn;
use crate::error::RowError;
use corridor_domain::{Country, PlateRead, PlateText, Timestamp};

/// The longest read id accepted, in bytes.
pub(crate) const READ_ID_BYTES_MAX: usize = 128;

/// What a read is checked against besides itself.
pub(crate) struct ReadChecks<'a> {
    /// Now, in microseconds since the epoch.
    pub(crate) now_us: Timestamp,
    /// How far in the future `ts` may lie, in microseconds.
    pub(crate) skew_us: i64,
    /// Whether a camera id is in the registry.
    pub(crate) camera_known: &'a mut dyn FnMut(&str) -> bool,
}

/// Checks one read of row `row` and converts it.
pub(crate) fn to_plate_read(
    read: ReadIn,
    row: u64,
    checks: &mut ReadChecks<'_>,
) -> Result<PlateRead, RowError> {
    let fault = |field: &str, reason: &'static str, message: String| RowError {
        row,
        field: Some(field.to_owned()),
        reason,
        message,
    };
    let read_id = required(read.read_id, "read_id", row)?;
    if read_id.len() > READ_ID_BYTES_MAX {
        let message = format!("longer than {READ_ID_BYTES_MAX} bytes");
        return Err(fault("read_id", "bad_value", message));
    }
    let plate_raw = required(read.plate, "plate", row)?;
    let plate = PlateText::parse(&plate_raw)
        .map_err(|error| fault("plate", "bad_plate", error.to_string()))?;
    let country = match read.country.as_deref().filter(|raw| !raw.is_empty()) {
        None => None,
        Some(raw) => Some(
            Country::parse(raw)
                .map_err(|error| fault("country", "unparsable", error.to_string()))?,
        ),
    };
    let camera_id = required(read.camera_id, "camera_id", row)?;
    if !(checks.camera_known)(&camera_id) {
        let message = format!("unknown camera `{camera_id}`");
        return Err(fault("camera_id", "unknown_camera", message));
    }
    let ts_raw = required(read.ts, "ts", row)?;
    let ts = parse_ts(&ts_raw).ok_or_else(|| {
        fault(
            "ts",
            "unparsable",
            format!("`{ts_raw}` is not an RFC 3339 timestamp"),
        )
    })?;
    if ts > checks.now_us.saturating_add(checks.skew_us) {
        return Err(fault(
            "ts",
            "future_ts",
            format!("{ts_raw} is in the future"),
        ));
    }
    if let Some(confidence) = read.confidence
        && !(0.0..=1.0).contains(&confidence)
    {
        let message = format!("{confidence} is outside 0..1");
        return Err(fault("confidence", "bad_confidence", message));
    }
    check_position(read.lat, read.lon, row)?;
    if let Some(heading) = read.heading
        && !(0.0..360.0).contains(&heading)
    {
        let message = format!("{heading} is outside 0..360");
        return Err(fault("heading", "bad_value", message));
    }
    let plate_read = PlateRead {
        read_id,
        plate,
        country,
        camera_id,
        ts,
        confidence: read.confidence.map(|value| value as f32),
        lat: read.lat,
        lon: read.lon,
        heading_deg: read.heading.map(|value| value as f32),
        make: non_empty(read.make),
        model: non_empty(read.model),
        colour: non_empty(read.colour),
        vehicle_type: non_empty(read.vehicle_type),
    };
    // The domain's own checks; the ones above already cover them, so this is a backstop.
    plate_read.validate().map_err(|error| RowError {
        row,
        field: None,
        reason: "unparsable",
        message: error.to_string(),
    })?;
    Ok(plate_read)
}

/// Parses RFC 3339 into microseconds since the epoch (UTC), truncating below a microsecond.
pub(crate) fn parse_ts(raw: &str) -> Option<Timestamp> {
    let parsed = chrono::DateTime::parse_from_rfc3339(raw.trim()).ok()?;
    Some(parsed.timestamp_micros())
}

/// Formats microseconds since the epoch as RFC 3339 UTC (`2026-11-30T03:12:09.250Z`).
pub(crate) fn format_ts(ts: Timestamp) -> String {
    match chrono::DateTime::<chrono::Utc>::from_timestamp_micros(ts) {
        Some(time) => time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        None => ts.to_string(),
    }
}

fn required(value: Option<String>, field: &'static str, row: u64) -> Result<String, RowError> {
    match value {
        Some(text) if !text.is_empty() => Ok(text),
        _ => Err(RowError {
            row,
            field: Some(field.to_owned()),
            reason: "missing",
            message: "missing".to_owned(),
        }),
    }
}

fn check_position(lat: Option<f64>, lon: Option<f64>, row: u64) -> Result<(), RowError> {
    let fault = |field: &str, reason: &'static str, message: String| RowError {
        row,
        field: Some(field.to_owned()),
        reason,
        message,
    };
    match (lat, lon) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(fault("lon", "missing", "lat is set but lon is not".into())),
        (None, Some(_)) => Err(fault("lat", "missing", "lon is set but lat is not".into())),
        (Some(lat), Some(lon)) => {
            if !(-90.0..=90.0).contains(&lat) {
                return Err(fault("lat", "off_globe", format!("{lat} is off the globe")));
            }
            if !(-180.0..=180.0).contains(&lon) {
                return Err(fault("lon", "off_globe", format!("{lon} is off the globe")));
            }
            Ok(())
        }
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests;
