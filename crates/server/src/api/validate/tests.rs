//! One case per rejection key, each through `check`.

use super::*;

const NOW_US: i64 = 1_796_008_329_000_000; // 2026-11-30T03:12:09Z

fn good() -> ReadIn {
    ReadIn {
        read_id: Some("r1".into()),
        plate: Some("ab12 cde".into()),
        country: Some("uk".into()),
        camera_id: Some("C1".into()),
        ts: Some("2026-11-30T03:12:09.250+01:00".into()),
        confidence: Some(0.5),
        lat: Some(51.0),
        lon: Some(1.5),
        heading: Some(270.0),
        make: Some("Ford".into()),
        model: Some(String::new()),
        colour: None,
        vehicle_type: None,
    }
}

/// Checks `read` as row 7 and returns `(field, reason)` of its fault, or `None` if accepted.
#[track_caller]
fn check(edit: impl FnOnce(&mut ReadIn), expected: Option<(&str, &str)>) {
    let mut read = good();
    edit(&mut read);
    let mut camera_known = |camera_id: &str| camera_id == "C1";
    let mut checks = ReadChecks {
        now_us: NOW_US,
        skew_us: 300_000_000,
        camera_known: &mut camera_known,
    };
    let got = match to_plate_read(read, 7, &mut checks) {
        Ok(_) => None,
        Err(row_error) => {
            assert_eq!(row_error.row, 7);
            assert!(!row_error.message.is_empty());
            Some((row_error.field.unwrap_or_default(), row_error.reason))
        }
    };
    let got = got
        .as_ref()
        .map(|(field, reason)| (field.as_str(), *reason));
    assert_eq!(got, expected);
}

#[test]
fn a_good_read_converts_exactly() {
    let mut camera_known = |_: &str| true;
    let mut checks = ReadChecks {
        now_us: NOW_US,
        skew_us: 0,
        camera_known: &mut camera_known,
    };
    let plate_read = to_plate_read(good(), 1, &mut checks).unwrap();
    assert_eq!(plate_read.plate.as_str(), "AB12CDE");
    assert_eq!(
        plate_read
            .country
            .map(|country| country.to_string())
            .as_deref(),
        Some("GB")
    );
    // 03:12:09.250+01:00 is 02:12:09.250Z.
    assert_eq!(plate_read.ts, NOW_US - 3_600_000_000 + 250_000);
    assert_eq!(format_ts(plate_read.ts), "2026-11-30T02:12:09.250Z");
    assert_eq!(plate_read.model, None, "an empty string is null");
    assert_eq!(plate_read.heading_deg, Some(270.0));
}

#[test]
fn every_rejection_names_its_field_and_reason() {
    check(|_| {}, None);
    check(|read| read.read_id = None, Some(("read_id", "missing")));
    check(
        |read| read.read_id = Some("x".repeat(129)),
        Some(("read_id", "bad_value")),
    );
    check(
        |read| read.plate = Some(String::new()),
        Some(("plate", "missing")),
    );
    check(
        |read| read.plate = Some("AB!2".into()),
        Some(("plate", "bad_plate")),
    );
    check(
        |read| read.plate = Some("--".into()),
        Some(("plate", "bad_plate")),
    );
    check(
        |read| read.country = Some("GBR".into()),
        Some(("country", "unparsable")),
    );
    check(|read| read.country = None, None);
    check(|read| read.camera_id = None, Some(("camera_id", "missing")));
    check(
        |read| read.camera_id = Some("C2".into()),
        Some(("camera_id", "unknown_camera")),
    );
    check(
        |read| read.ts = Some("yesterday".into()),
        Some(("ts", "unparsable")),
    );
    check(|read| read.ts = Some("2026-11-30T03:17:09Z".into()), None);
    check(
        |read| read.ts = Some("2026-11-30T03:17:10Z".into()),
        Some(("ts", "future_ts")),
    );
    check(
        |read| read.confidence = Some(1.5),
        Some(("confidence", "bad_confidence")),
    );
    check(
        |read| read.confidence = Some(-0.1),
        Some(("confidence", "bad_confidence")),
    );
    check(|read| read.lat = Some(91.5), Some(("lat", "off_globe")));
    check(|read| read.lon = Some(-180.5), Some(("lon", "off_globe")));
    check(|read| read.lon = None, Some(("lon", "missing")));
    check(
        |read| read.heading = Some(360.0),
        Some(("heading", "bad_value")),
    );
}
