//! The camera registry in CSV: `camera_id,name,lat,lon,heading,country,operator,kind,infrared`.

use crate::csv_reads::{column_positions, header_names};
use crate::{IngestError, RejectReason};
use corridor_domain::{Camera, CameraKind, Country};
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

/// The cameras columns, in schema order.
pub const CAMERA_COLUMNS: [&str; 9] = [
    "camera_id",
    "name",
    "lat",
    "lon",
    "heading",
    "country",
    "operator",
    "kind",
    "infrared",
];

const REQUIRED: [bool; 9] = [true, true, true, true, false, false, true, true, true];

/// The longest camera id accepted, in bytes.
pub const CAMERA_ID_BYTES_MAX: usize = 64;

/// Reads a cameras CSV file; the first bad row is an error naming row and field.
pub fn read_cameras(path: &Path) -> Result<Vec<Camera>, IngestError> {
    let file = std::fs::File::open(path).map_err(|err| IngestError::io(path, err))?;
    read_cameras_from(path, file)
}

/// As `read_cameras`, from any reader (`path` names it in errors).
pub fn read_cameras_from<R: Read>(path: &Path, input: R) -> Result<Vec<Camera>, IngestError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let header = reader
        .byte_headers()
        .map_err(|err| IngestError::bad_file(path, format!("header: {err}")))?
        .clone();
    let names = header_names(path, &header)?;
    let positions = column_positions(path, &names, &CAMERA_COLUMNS, &REQUIRED)?;
    let mut cameras = Vec::new();
    let mut ids = HashSet::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => return Err(IngestError::bad_file(path, err.to_string())),
        }
        let row = record.position().map_or(0, |position| position.line());
        let bad =
            |field: &'static str, reason: RejectReason, message: String| IngestError::BadField {
                path: path.to_owned(),
                row,
                field,
                reason,
                message,
            };
        if record.len() != names.len() {
            let message = format!(
                "row has {} fields, the header has {}",
                record.len(),
                names.len()
            );
            return Err(bad("row", RejectReason::Unparsable, message));
        }
        let cells = CameraCells {
            record: &record,
            positions: &positions,
        };
        let camera =
            parse_camera(&cells).map_err(|(field, reason, message)| bad(field, reason, message))?;
        if !ids.insert(camera.camera_id.clone()) {
            let message = format!("camera `{}` appears twice", camera.camera_id);
            return Err(bad("camera_id", RejectReason::BadValue, message));
        }
        cameras.push(camera);
    }
    Ok(cameras)
}

struct CameraCells<'a> {
    record: &'a csv::StringRecord,
    positions: &'a [Option<usize>; 9],
}

type CellError = (&'static str, RejectReason, String);

impl CameraCells<'_> {
    fn get(&self, column_idx: usize) -> &str {
        self.positions[column_idx]
            .and_then(|position| self.record.get(position))
            .unwrap_or("")
    }

    fn required(&self, column_idx: usize) -> Result<&str, CellError> {
        let value = self.get(column_idx);
        if value.is_empty() {
            return Err((
                CAMERA_COLUMNS[column_idx],
                RejectReason::Missing,
                "missing".to_owned(),
            ));
        }
        Ok(value)
    }

    fn number(&self, column_idx: usize) -> Result<Option<f64>, CellError> {
        let value = self.get(column_idx);
        if value.is_empty() {
            return Ok(None);
        }
        match value.parse::<f64>() {
            Ok(number) if number.is_finite() => Ok(Some(number)),
            _ => Err((
                CAMERA_COLUMNS[column_idx],
                RejectReason::Unparsable,
                format!("`{value}` is not a finite number"),
            )),
        }
    }
}

fn parse_camera(cells: &CameraCells<'_>) -> Result<Camera, CellError> {
    let camera_id = cells.required(0)?;
    if camera_id.len() > CAMERA_ID_BYTES_MAX {
        let message = format!("longer than {CAMERA_ID_BYTES_MAX} bytes");
        return Err(("camera_id", RejectReason::BadValue, message));
    }
    let lat = cells
        .number(2)?
        .ok_or(("lat", RejectReason::Missing, "missing".to_owned()))?;
    let lon = cells
        .number(3)?
        .ok_or(("lon", RejectReason::Missing, "missing".to_owned()))?;
    if !(-90.0..=90.0).contains(&lat) {
        return Err((
            "lat",
            RejectReason::OffGlobe,
            format!("{lat} is off the globe (latitude is -90..=90)"),
        ));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err((
            "lon",
            RejectReason::OffGlobe,
            format!("{lon} is off the globe (longitude is -180..=180)"),
        ));
    }
    let heading_deg = cells.number(4)?.map(|heading| heading as f32);
    if let Some(heading) = heading_deg.filter(|heading| !(0.0..=360.0).contains(heading)) {
        return Err((
            "heading",
            RejectReason::BadValue,
            format!("{heading} is outside 0..=360 degrees"),
        ));
    }
    let country = match cells.get(5) {
        "" => None,
        raw => Some(Country::parse(raw).map_err(|_| {
            let message = format!("`{raw}` is not a two-letter ISO 3166-1 country code");
            ("country", RejectReason::Unparsable, message)
        })?),
    };
    let kind = CameraKind::parse(cells.required(7)?).map_err(|_| {
        (
            "kind",
            RejectReason::Unparsable,
            format!("`{}` is not one of fixed, mobile, covert", cells.get(7)),
        )
    })?;
    let infrared = match cells.required(8)?.to_ascii_lowercase().as_str() {
        "true" => true,
        "false" => false,
        other => {
            return Err((
                "infrared",
                RejectReason::Unparsable,
                format!("`{other}` is not true or false"),
            ));
        }
    };
    Ok(Camera {
        camera_id: camera_id.to_owned(),
        name: cells.get(1).to_owned(),
        lat,
        lon,
        heading_deg,
        country,
        operator: cells.get(6).to_owned(),
        kind,
        infrared,
    })
}
