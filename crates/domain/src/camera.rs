//! Camera sites: where reads come from.

use crate::{Country, DomainError};

/// How a camera is deployed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CameraKind {
    /// A permanent site at a known position.
    Fixed,
    /// A vehicle-mounted camera; its reads carry their own GPS position.
    Mobile,
    /// A hidden, usually temporary, site.
    Covert,
}

impl CameraKind {
    /// Parses `fixed`, `mobile` or `covert` (any case).
    pub fn parse(raw: &str) -> Result<CameraKind, DomainError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "fixed" => Ok(CameraKind::Fixed),
            "mobile" => Ok(CameraKind::Mobile),
            "covert" => Ok(CameraKind::Covert),
            _ => Err(DomainError::BadField {
                field: "kind",
                reason: format!("`{raw}` is not one of fixed, mobile, covert"),
            }),
        }
    }

    /// The canonical lower-case name used in the exchange schema.
    pub fn as_str(&self) -> &'static str {
        match self {
            CameraKind::Fixed => "fixed",
            CameraKind::Mobile => "mobile",
            CameraKind::Covert => "covert",
        }
    }
}

/// A camera site (the `cameras` table of the exchange schema).
#[derive(Clone, PartialEq, Debug)]
pub struct Camera {
    pub camera_id: String,
    pub name: String,
    /// WGS 84 degrees.
    pub lat: f64,
    pub lon: f64,
    /// Degrees clockwise from north that the camera faces traffic in, if known.
    pub heading_deg: Option<f32>,
    pub country: Option<Country>,
    pub operator: String,
    pub kind: CameraKind,
    pub infrared: bool,
}
