//! Cameras as the API sends and receives them (the `cameras` table of the exchange schema).

use crate::error::RowError;
use corridor_domain::{Camera, CameraKind, Country};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The longest camera id accepted, in bytes.
const CAMERA_ID_BYTES_MAX: usize = 64;

/// The fields of a camera in the exchange schema, in schema order.
pub(crate) const CAMERA_FIELDS: [&str; 9] = [
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

/// A camera in a response.
#[derive(Debug, Serialize)]
pub(crate) struct CameraOut {
    camera_id: String,
    name: String,
    lat: f64,
    lon: f64,
    heading: Option<f32>,
    country: Option<String>,
    operator: String,
    kind: &'static str,
    infrared: bool,
}

/// The body of `GET /api/v1/cameras`.
#[derive(Debug, Serialize)]
pub(crate) struct CameraList {
    pub(crate) n_cameras: usize,
    pub(crate) cameras: Vec<CameraOut>,
}

/// The body of a successful `PUT /api/v1/cameras`.
#[derive(Debug, Serialize)]
pub(crate) struct CamerasUpserted {
    pub(crate) n_cameras: usize,
}

impl CameraOut {
    pub(crate) fn from_camera(camera: &Camera) -> CameraOut {
        CameraOut {
            camera_id: camera.camera_id.clone(),
            name: camera.name.clone(),
            lat: camera.lat,
            lon: camera.lon,
            heading: camera.heading_deg,
            country: camera.country.map(|country| country.as_str().to_owned()),
            operator: camera.operator.clone(),
            kind: camera.kind.as_str(),
            infrared: camera.infrared,
        }
    }
}

/// Checks the camera object of 1-based `row` and converts it; the error names the field.
pub(crate) fn camera_from_json(value: Value, row: u64) -> Result<Camera, RowError> {
    let fault = |field: &str, reason: &'static str, message: String| RowError {
        row,
        field: Some(field.to_owned()),
        reason,
        message,
    };
    let Value::Object(mut object) = value else {
        return Err(RowError {
            row,
            field: None,
            reason: "unparsable",
            message: "a camera is a JSON object".to_owned(),
        });
    };
    if let Some(unknown) = object
        .keys()
        .find(|key| !CAMERA_FIELDS.contains(&key.as_str()))
    {
        let message = format!(
            "unknown field; a camera has the fields {}",
            CAMERA_FIELDS.join(", ")
        );
        return Err(fault(unknown, "unknown_field", message));
    }
    let mut take = |field: &'static str| object.remove(field).filter(|value| !value.is_null());
    let camera_id: String = required(take("camera_id"), "camera_id", row)?;
    if camera_id.is_empty() {
        return Err(fault("camera_id", "missing", "missing".to_owned()));
    }
    if camera_id.len() > CAMERA_ID_BYTES_MAX {
        let message = format!("longer than {CAMERA_ID_BYTES_MAX} bytes");
        return Err(fault("camera_id", "bad_value", message));
    }
    let name: String = required(take("name"), "name", row)?;
    let lat: f64 = required(take("lat"), "lat", row)?;
    let lon: f64 = required(take("lon"), "lon", row)?;
    let heading: Option<f64> = optional(take("heading"), "heading", row)?;
    let country: Option<String> = optional(take("country"), "country", row)?;
    let operator: String = required(take("operator"), "operator", row)?;
    let kind: String = required(take("kind"), "kind", row)?;
    let infrared: bool = required(take("infrared"), "infrared", row)?;
    if !(-90.0..=90.0).contains(&lat) {
        return Err(fault("lat", "off_globe", format!("{lat} is off the globe")));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(fault("lon", "off_globe", format!("{lon} is off the globe")));
    }
    if let Some(heading) = heading
        && !(0.0..360.0).contains(&heading)
    {
        let message = format!("{heading} is outside 0..360");
        return Err(fault("heading", "bad_value", message));
    }
    let country = match country.as_deref().filter(|raw| !raw.is_empty()) {
        None => None,
        Some(raw) => Some(
            Country::parse(raw)
                .map_err(|error| fault("country", "unparsable", error.to_string()))?,
        ),
    };
    let kind =
        CameraKind::parse(&kind).map_err(|error| fault("kind", "unparsable", error.to_string()))?;
    Ok(Camera {
        camera_id,
        name,
        lat,
        lon,
        heading_deg: heading.map(|heading| heading as f32),
        country,
        operator,
        kind,
        infrared,
    })
}

fn optional<T: DeserializeOwned>(
    value: Option<Value>,
    field: &'static str,
    row: u64,
) -> Result<Option<T>, RowError> {
    value
        .map(|value| {
            serde_json::from_value(value).map_err(|error| RowError {
                row,
                field: Some(field.to_owned()),
                reason: "unparsable",
                message: error.to_string(),
            })
        })
        .transpose()
}

fn required<T: DeserializeOwned>(
    value: Option<Value>,
    field: &'static str,
    row: u64,
) -> Result<T, RowError> {
    optional(value, field, row)?.ok_or_else(|| RowError {
        row,
        field: Some(field.to_owned()),
        reason: "missing",
        message: "missing".to_owned(),
    })
}
