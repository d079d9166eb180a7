//! Reads as CSV in the exchange schema, written into bundles and read back for reproduction.

use crate::error::{Result, SafeguardsError};
use crate::util;
use corridor_domain::{Country, PlateRead, PlateText};
use std::path::Path;

/// The exchange schema's read columns, in order.
pub const READ_COLUMNS: [&str; 13] = [
    "read_id",
    "plate",
    "country",
    "camera_id",
    "ts",
    "confidence",
    "lat",
    "lon",
    "heading",
    "make",
    "model",
    "colour",
    "vehicle_type",
];

/// Serialises reads as CSV (header, one row per read, in the given order).
pub fn reads_to_csv(reads: &[PlateRead]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(READ_COLUMNS)
        .expect("writing to memory cannot fail");
    for read in reads {
        let opt = |value: Option<String>| value.unwrap_or_default();
        writer
            .write_record([
                read.read_id.clone(),
                read.plate.as_str().to_owned(),
                opt(read.country.map(|country| country.as_str().to_owned())),
                read.camera_id.clone(),
                util::rfc3339(read.ts),
                opt(read.confidence.map(|value| value.to_string())),
                opt(read.lat.map(|value| value.to_string())),
                opt(read.lon.map(|value| value.to_string())),
                opt(read.heading_deg.map(|value| value.to_string())),
                opt(read.make.clone()),
                opt(read.model.clone()),
                opt(read.colour.clone()),
                opt(read.vehicle_type.clone()),
            ])
            .expect("writing to memory cannot fail");
    }
    writer.into_inner().expect("writing to memory cannot fail")
}

/// Parses reads CSV in the exchange schema (columns by name, in any order), naming the
/// row and field of a bad value.
pub fn reads_from_csv(path: &Path) -> Result<Vec<PlateRead>> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|err| SafeguardsError::corrupt(path, err.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|err| SafeguardsError::corrupt(path, err.to_string()))?
        .clone();
    let mut column_of = [usize::MAX; READ_COLUMNS.len()];
    for (header_idx, header) in headers.iter().enumerate() {
        let column = READ_COLUMNS
            .iter()
            .position(|name| *name == header)
            .ok_or_else(|| SafeguardsError::corrupt(path, format!("unknown column `{header}`")))?;
        column_of[column] = header_idx;
    }
    let mut reads = Vec::new();
    for (row_idx, record) in reader.records().enumerate() {
        let row = row_idx + 1;
        let record =
            record.map_err(|err| SafeguardsError::corrupt(path, format!("row {row}: {err}")))?;
        reads.push(parse_row(path, row, &record, &column_of)?);
    }
    Ok(reads)
}

fn parse_row(
    path: &Path,
    row: usize,
    record: &csv::StringRecord,
    column_of: &[usize; 13],
) -> Result<PlateRead> {
    let bad = |field: &str, reason: String| {
        SafeguardsError::corrupt(path, format!("row {row}: field `{field}`: {reason}"))
    };
    let text = |column: usize| {
        record
            .get(column_of[column])
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let required =
        |column: usize| text(column).ok_or_else(|| bad(READ_COLUMNS[column], "missing".to_owned()));
    let number = |column: usize| -> Result<Option<f64>> {
        text(column)
            .map(|value| {
                value
                    .parse::<f64>()
                    .map_err(|err| bad(READ_COLUMNS[column], err.to_string()))
            })
            .transpose()
    };
    let number32 = |column: usize| -> Result<Option<f32>> {
        text(column)
            .map(|value| {
                value
                    .parse::<f32>()
                    .map_err(|err| bad(READ_COLUMNS[column], err.to_string()))
            })
            .transpose()
    };
    let read = PlateRead {
        read_id: required(0)?,
        plate: PlateText::parse(&required(1)?).map_err(|err| bad("plate", err.to_string()))?,
        country: text(2)
            .map(|raw| Country::parse(&raw).map_err(|err| bad("country", err.to_string())))
            .transpose()?,
        camera_id: required(3)?,
        ts: util::parse_rfc3339(&required(4)?).map_err(|err| bad("ts", err.to_string()))?,
        confidence: number32(5)?,
        lat: number(6)?,
        lon: number(7)?,
        heading_deg: number32(8)?,
        make: text(9),
        model: text(10),
        colour: text(11),
        vehicle_type: text(12),
    };
    read.validate()
        .map_err(|err| bad("read", err.to_string()))?;
    Ok(read)
}
