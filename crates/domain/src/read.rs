//! A plate read: one sighting of a plate by one camera at one moment.

use crate::{Country, DomainError, PlateKey, PlateText};

/// Microseconds since the Unix epoch, UTC.
pub type Timestamp = i64;

/// One sighting (the `reads` table of the exchange schema).
#[derive(Clone, PartialEq, Debug)]
pub struct PlateRead {
    /// Unique id given by the camera or the importer; ingest is idempotent on it.
    pub read_id: String,
    pub plate: PlateText,
    pub country: Option<Country>,
    pub camera_id: String,
    pub ts: Timestamp,
    /// The camera's confidence in its reading, 0..=1.
    pub confidence: Option<f32>,
    /// Position of the read; set for mobile cameras, otherwise the camera's site applies.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub heading_deg: Option<f32>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub colour: Option<String>,
    pub vehicle_type: Option<String>,
}

/// The kind of vehicle a camera reported (`vehicle_type`), as far as the analyses care.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum VehicleClass {
    /// No `vehicle_type` given.
    #[default]
    Unknown,
    /// Cars, vans, motorbikes: every other type.
    Light,
    /// Lorries, coaches and buses: they travel in platoons and on timetables for reasons of
    /// their own (ferry queues, haulier fleets, coach lines).
    Heavy,
}

impl VehicleClass {
    /// Types that name a heavy vehicle, compared ignoring ASCII case.
    const HEAVY: [&'static str; 5] = ["lorry", "truck", "hgv", "coach", "bus"];

    /// The class of a read's `vehicle_type`.
    pub fn of(vehicle_type: Option<&str>) -> VehicleClass {
        match vehicle_type {
            None | Some("") => VehicleClass::Unknown,
            Some(kind)
                if Self::HEAVY
                    .iter()
                    .any(|heavy| kind.eq_ignore_ascii_case(heavy)) =>
            {
                VehicleClass::Heavy
            }
            Some(_) => VehicleClass::Light,
        }
    }
}

impl PlateRead {
    /// The plate's identity.
    pub fn plate_key(&self) -> PlateKey {
        PlateKey {
            text: self.plate.clone(),
            country: self.country,
        }
    }

    /// Checks the fields that do not need outside context (cameras, clocks).
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.read_id.is_empty() {
            return Err(bad("read_id", "empty"));
        }
        if self.camera_id.is_empty() {
            return Err(bad("camera_id", "empty"));
        }
        if let Some(confidence) = self.confidence
            && !(0.0..=1.0).contains(&confidence)
        {
            return Err(bad("confidence", &format!("{confidence} is outside 0..1")));
        }
        if let Some(lat) = self.lat
            && !(-90.0..=90.0).contains(&lat)
        {
            return Err(bad("lat", &format!("{lat} is off the globe")));
        }
        if let Some(lon) = self.lon
            && !(-180.0..=180.0).contains(&lon)
        {
            return Err(bad("lon", &format!("{lon} is off the globe")));
        }
        if self.lat.is_some() != self.lon.is_some() {
            return Err(bad("lat", "lat and lon must be given together"));
        }
        Ok(())
    }
}

fn bad(field: &'static str, reason: &str) -> DomainError {
    DomainError::BadField {
        field,
        reason: reason.to_owned(),
    }
}
