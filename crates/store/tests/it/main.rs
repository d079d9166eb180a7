//! Integration tests of the store against real files in temporary directories.

mod crash;
mod durability;
mod import;
mod lake;
mod retention;
mod search;
mod windows;

use corridor_domain::{Country, PlateRead, PlateText};
use corridor_store::{Store, StoreConfig};
use std::path::Path;

/// 2026-11-30T00:00:00Z in microseconds.
pub(crate) const DAY0: i64 = 1_795_996_800_000_000;
pub(crate) const HOUR: i64 = 3_600_000_000;

/// A read with the given identity; other fields filled deterministically.
pub(crate) fn read(read_id: &str, plate: &str, country: Option<&str>, ts: i64) -> PlateRead {
    PlateRead {
        read_id: read_id.to_owned(),
        plate: PlateText::parse(plate).expect("test plates are valid"),
        country: country.map(|code| Country::parse(code).expect("test countries are valid")),
        camera_id: format!("cam-{}", ts.rem_euclid(7)),
        ts,
        confidence: Some(0.9),
        lat: None,
        lon: None,
        heading_deg: Some(90.0),
        make: Some("Ford".to_owned()),
        model: None,
        colour: Some("white".to_owned()),
        vehicle_type: Some("van".to_owned()),
    }
}

/// A config with background maintenance off, so tests decide when things happen.
pub(crate) fn config() -> StoreConfig {
    StoreConfig {
        maintenance_interval: None,
        ..StoreConfig::default()
    }
}

pub(crate) fn open(dir: &Path) -> Store {
    Store::open(dir, config()).expect("store opens")
}

pub(crate) fn ids(reads: &[PlateRead]) -> Vec<&str> {
    reads.iter().map(|read| read.read_id.as_str()).collect()
}
