//! Hotlist CSV import: a header row naming the columns, then one entry per row.

use super::entry::{CountrySpec, EntryFields, PlateSpec, ReasonCategory, Sharing};
use crate::AlertError;
use corridor_domain::Timestamp;

/// The columns of a hotlist CSV, in any order; all must be present in the header.
/// `handling` and `expires_at` may be empty in a row; the others may not.
pub const CSV_COLUMNS: [&str; 7] = [
    "plate",
    "country",
    "reason",
    "handling",
    "agency",
    "expires_at",
    "sharing",
];

/// Parses every row; the first bad row or field stops the import with its line number.
pub(crate) fn parse(csv: impl std::io::Read) -> Result<Vec<EntryFields>, AlertError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(csv);
    let headers = reader
        .headers()
        .map_err(|err| AlertError::Csv {
            reason: format!("header: {err}"),
        })?
        .clone();
    let mut column_idx = [0usize; CSV_COLUMNS.len()];
    for (slot, column) in column_idx.iter_mut().zip(CSV_COLUMNS) {
        *slot = headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(column))
            .ok_or_else(|| AlertError::Csv {
                reason: format!(
                    "header lacks column `{column}` (expected {})",
                    CSV_COLUMNS.join(",")
                ),
            })?;
    }
    if let Some(extra) = headers
        .iter()
        .find(|h| !CSV_COLUMNS.iter().any(|c| h.eq_ignore_ascii_case(c)))
    {
        return Err(AlertError::Csv {
            reason: format!(
                "unknown column `{extra}` (expected {})",
                CSV_COLUMNS.join(",")
            ),
        });
    }
    let mut entries = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|err| AlertError::Csv {
            reason: err.to_string(),
        })?;
        let line = row.position().map_or(0, |p| p.line());
        let field = |column_pos: usize| row.get(column_idx[column_pos]).unwrap_or("");
        let fields = parse_row(field).map_err(|err| match err {
            AlertError::BadField { field, reason } => AlertError::CsvField {
                line,
                field: field.to_owned(),
                reason,
            },
            other => other,
        })?;
        entries.push(fields);
    }
    Ok(entries)
}

fn parse_row<'a>(field: impl Fn(usize) -> &'a str) -> Result<EntryFields, AlertError> {
    let agency = field(4);
    if agency.is_empty() {
        return Err(AlertError::bad_field("agency", "empty"));
    }
    Ok(EntryFields {
        plate: PlateSpec::parse(field(0))?,
        country: CountrySpec::parse(field(1))?,
        reason: ReasonCategory::parse(field(2))?,
        handling: field(3).to_owned(),
        agency: agency.to_owned(),
        expires_at: parse_expiry(field(5))?,
        sharing: Sharing::parse(field(6))?,
    })
}

/// Parses an RFC 3339 time (`2027-01-31T00:00:00Z`); empty means "never expires".
pub(crate) fn parse_expiry(raw: &str) -> Result<Option<Timestamp>, AlertError> {
    if raw.is_empty() {
        return Ok(None);
    }
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|at| Some(at.timestamp_micros()))
        .map_err(|_| {
            AlertError::bad_field(
                "expires_at",
                format!("`{raw}` is not an RFC 3339 time such as 2027-01-31T00:00:00Z"),
            )
        })
}
