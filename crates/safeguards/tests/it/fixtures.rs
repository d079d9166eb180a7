//! Shared fixtures: principals, purposes, reads.

use corridor_domain::{Country, PlateRead, PlateText, Timestamp};
use corridor_safeguards::{OffenceCategory, Principal, Purpose, Role};
use std::path::{Path, PathBuf};

pub(crate) const DAY: i64 = 86_400_000_000;
pub(crate) const HOUR: i64 = 3_600_000_000;
/// 2026-11-30T12:00:00Z, a Monday at noon.
pub(crate) const NOW: Timestamp = 1_796_040_000_000_000;

pub(crate) fn principal(user: &str, role: Role) -> Principal {
    Principal::new(user, role, "Kent Police")
}

pub(crate) fn purpose(case_ref: &str) -> Purpose {
    Purpose {
        case_ref: case_ref.to_owned(),
        offence_category: OffenceCategory::PeopleSmuggling,
        justification: "white van linked to crossings at Coquelles on 28 November".to_owned(),
    }
}

pub(crate) fn read(
    read_id: &str,
    plate: &str,
    country: &str,
    camera_id: &str,
    ts: Timestamp,
) -> PlateRead {
    PlateRead {
        read_id: read_id.to_owned(),
        plate: PlateText::parse(plate).expect("fixture plates are valid"),
        country: Some(Country::parse(country).expect("fixture countries are valid")),
        camera_id: camera_id.to_owned(),
        ts,
        confidence: Some(0.93),
        lat: None,
        lon: None,
        heading_deg: Some(270.0),
        make: Some("Ford".to_owned()),
        model: Some("Transit".to_owned()),
        colour: Some("white".to_owned()),
        vehicle_type: Some("van".to_owned()),
    }
}

/// Every file under `dir`: its path and its bytes as (lossy) text.
pub(crate) fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            let bytes = std::fs::read(&path).expect("readable file");
            files.push((path, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    files
}
