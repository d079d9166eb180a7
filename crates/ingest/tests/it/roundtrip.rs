//! Round trips: a file in each format -> import -> the store's history gives back exactly
//! the reads written, normalised.

use crate::fixtures::{Fixture, Row, now_us, write_reads};
use corridor_domain::{Country, PlateRead, PlateText};
use corridor_ingest::{Format, ImportMode};
use corridor_store::HistoryQuery;

fn ts(raw: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(raw)
        .expect("fixture time")
        .timestamp_micros()
}

fn rows() -> Vec<Row> {
    vec![
        Row::good(1),
        Row::good(2)
            .with("ts", "2026-11-29T23:10:00.250Z")
            .with("camera_id", "BE-E40-0007"),
        // A mobile camera's read carries its own position, and a lower-case, spaced plate.
        Row::good(3)
            .with("plate", "ab-12 cde")
            .with("camera_id", "GB-MOB-0003")
            .with("lat", "51.128")
            .with("lon", "1.3117")
            .with("heading", "270")
            .with("country", "uk"),
        // Optional values empty; a timestamp with an offset; just inside the skew tolerance.
        Row::good(4)
            .with("plate", "GH123JK")
            .with("country", "")
            .with("confidence", "")
            .with("make", "")
            .with("model", "")
            .with("colour", "")
            .with("vehicle_type", "")
            .with("ts", "2026-11-30T13:04:59+01:00"),
    ]
}

fn expected_ab12cde() -> Vec<PlateRead> {
    let read = |read_id: &str, camera_id: &str, at: &str| PlateRead {
        read_id: read_id.to_owned(),
        plate: PlateText::parse("AB12CDE").expect("plate"),
        country: Some(Country::from_static("GB")),
        camera_id: camera_id.to_owned(),
        ts: ts(at),
        confidence: Some(0.97),
        lat: None,
        lon: None,
        heading_deg: None,
        make: Some("Ford".to_owned()),
        model: Some("Transit".to_owned()),
        colour: Some("white".to_owned()),
        vehicle_type: Some("van".to_owned()),
    };
    let mut mobile = read("r-0003", "GB-MOB-0003", "2026-11-30T05:56:09Z");
    mobile.lat = Some(51.128);
    mobile.lon = Some(1.3117);
    mobile.heading_deg = Some(270.0);
    vec![
        read("r-0002", "BE-E40-0007", "2026-11-29T23:10:00.250Z"),
        mobile,
        read("r-0001", "FR-A16-0042", "2026-11-30T05:58:09Z"),
    ]
}

#[track_caller]
fn check_round_trip(format: Format) {
    let fixture = Fixture::new();
    let path = write_reads(fixture.dir.path(), "reads", format, &rows());
    let report = fixture
        .import(Some(&fixture.cameras), &path, ImportMode::Strict)
        .expect("import");
    assert_eq!(
        (report.n_rows, report.n_imported, report.n_rejected),
        (4, 4, 0),
        "{format}"
    );
    assert_eq!(report.format, Some(format));

    let history = |plate: &str| {
        let query = HistoryQuery::plate(PlateText::parse(plate).expect("plate"));
        fixture.store.history(&query).expect("history")
    };
    assert_eq!(history("AB12CDE"), expected_ab12cde(), "{format}");
    let gh = history("GH123JK");
    let unknown_country: Vec<&PlateRead> =
        gh.iter().filter(|read| read.country.is_none()).collect();
    assert_eq!(unknown_country.len(), 1, "{format}: {gh:?}");
    let read = unknown_country[0];
    assert_eq!(read.ts, ts("2026-11-30T12:04:59Z"));
    assert!(read.ts <= now_us() + 300_000_000);
    assert_eq!(
        (
            read.confidence,
            read.make.as_deref(),
            read.vehicle_type.as_deref()
        ),
        (None, None, None)
    );
}

#[test]
fn csv_round_trips() {
    check_round_trip(Format::Csv);
}

#[test]
fn ndjson_round_trips() {
    check_round_trip(Format::Ndjson);
}

#[test]
fn json_array_round_trips() {
    check_round_trip(Format::Json);
}

#[test]
fn parquet_round_trips() {
    check_round_trip(Format::Parquet);
}

#[test]
fn importing_the_same_file_twice_is_idempotent() {
    let fixture = Fixture::new();
    let repeated = vec![Row::good(1), Row::good(1), Row::good(3)];
    let path = write_reads(fixture.dir.path(), "reads", Format::Csv, &repeated);
    let first = fixture
        .import(None, &path, ImportMode::Strict)
        .expect("first import");
    assert_eq!(
        (first.n_imported, first.n_duplicates, first.n_rejected),
        (2, 1, 0)
    );
    let before = fixture.snapshot();
    let second = fixture
        .import(None, &path, ImportMode::Strict)
        .expect("second import");
    assert_eq!(
        (second.n_imported, second.n_duplicates, second.n_rejected),
        (0, 3, 0)
    );
    assert_eq!(fixture.snapshot(), before);
}
