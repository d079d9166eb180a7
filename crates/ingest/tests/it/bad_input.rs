//! Every rejection reason, in every format that can express it, in both import modes:
//! the error names file, row and field; nothing already stored changes; the reject file
//! holds exactly the bad row with its reason.

use crate::fixtures::{Fixture, Row, write_reads};
use corridor_ingest::{Format, ImportMode, IngestError, REJECT_COLUMNS, RejectReason};

const ALL: &[Format] = &[Format::Csv, Format::Ndjson, Format::Json, Format::Parquet];
const TEXT: &[Format] = &[Format::Csv, Format::Ndjson, Format::Json];

/// Imports `[good 1, bad, good 3]` in each format and mode and checks what happened.
#[track_caller]
fn check(formats: &[Format], bad: Row, field: &str, reason: RejectReason, message: &str) {
    for &format in formats {
        check_strict(format, &bad, field, reason, message);
        check_reject_file(format, &bad, field, reason, message);
    }
}

fn rows(bad: &Row) -> Vec<Row> {
    vec![Row::good(1), bad.clone(), Row::good(3)]
}

/// The bad row's number: CSV counts lines (the header is line 1), the others count rows.
fn bad_row_number(format: Format) -> u64 {
    if format == Format::Csv { 3 } else { 2 }
}

#[track_caller]
fn check_strict(format: Format, bad: &Row, field: &str, reason: RejectReason, message: &str) {
    let fixture = Fixture::new();
    let before = fixture.snapshot();
    let path = write_reads(fixture.dir.path(), "reads", format, &rows(bad));
    let err = fixture
        .import(Some(&fixture.cameras), &path, ImportMode::Strict)
        .expect_err(&format!("{format}: a bad row must abort a strict import"));
    let text = err.to_string();
    let prefix = format!(
        "{}:{}: field `{field}`: ",
        path.display(),
        bad_row_number(format)
    );
    assert!(
        text.starts_with(&prefix),
        "{format}: `{text}` should start with `{prefix}`"
    );
    assert!(
        text.contains(message),
        "{format}: `{text}` should contain `{message}`"
    );
    match err {
        IngestError::BadField { reason: got, .. } => assert_eq!(got, reason, "{format}: {text}"),
        other => panic!("{format}: expected BadField, got {other:?}"),
    }
    assert_eq!(
        fixture.snapshot(),
        before,
        "{format}: a failed strict import changed the store"
    );
}

#[track_caller]
fn check_reject_file(format: Format, bad: &Row, field: &str, reason: RejectReason, message: &str) {
    let fixture = Fixture::new();
    let (reads_before, cameras_before) = fixture.snapshot();
    let path = write_reads(fixture.dir.path(), "reads", format, &rows(bad));
    let reject_path = fixture.path("rejects.csv");
    let report = fixture
        .import(
            Some(&fixture.cameras),
            &path,
            ImportMode::RejectFile(reject_path.clone()),
        )
        .unwrap_or_else(|err| panic!("{format}: reject-file import failed: {err}"));
    assert_eq!(
        (report.n_rows, report.n_imported, report.n_rejected),
        (3, 2, 1),
        "{format}: {report:?}"
    );
    assert_eq!(
        report.rejected_by_reason.into_iter().collect::<Vec<_>>(),
        vec![(reason, 1)],
        "{format}"
    );

    let mut rejects = csv::Reader::from_path(&reject_path).expect("reject file");
    let header: Vec<String> = rejects
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(&header[..4], REJECT_COLUMNS);
    let records: Vec<csv::StringRecord> = rejects
        .records()
        .map(|record| record.expect("record"))
        .collect();
    assert_eq!(
        records.len(),
        1,
        "{format}: exactly the bad row is rejected: {records:?}"
    );
    let record = &records[0];
    assert_eq!(
        &record[0],
        bad_row_number(format).to_string(),
        "{format}: row"
    );
    assert_eq!(&record[1], field, "{format}: field");
    assert_eq!(&record[2], reason.as_str(), "{format}: reason");
    assert!(
        record[3].contains(message),
        "{format}: `{}` should contain `{message}`",
        &record[3]
    );
    assert_eq!(
        &record[4],
        bad.get("read_id"),
        "{format}: the rejected row's read id"
    );

    let (reads_after, cameras_after) = fixture.snapshot();
    assert_eq!(cameras_after, cameras_before, "{format}: cameras");
    let kept: Vec<_> = reads_after
        .iter()
        .filter(|read| read.read_id.starts_with("r-9"))
        .cloned()
        .collect();
    assert_eq!(kept, reads_before, "{format}: stored reads must not change");
    let new_ids: Vec<&str> = reads_after
        .iter()
        .filter(|read| !read.read_id.starts_with("r-9"))
        .map(|read| read.read_id.as_str())
        .collect();
    assert_eq!(
        new_ids,
        ["r-0001", "r-0003"],
        "{format}: the good rows are imported"
    );
}

#[test]
fn unknown_camera() {
    let bad = Row::good(2).with("camera_id", "XX-999");
    check(
        ALL,
        bad,
        "camera_id",
        RejectReason::UnknownCamera,
        "unknown camera `XX-999`",
    );
}

#[test]
fn latitude_off_the_globe() {
    let bad = Row::good(2).with("lat", "91.5").with("lon", "1.0");
    check(
        ALL,
        bad,
        "lat",
        RejectReason::OffGlobe,
        "91.5 is off the globe",
    );
}

#[test]
fn longitude_off_the_globe() {
    let bad = Row::good(2).with("lat", "50.0").with("lon", "-180.5");
    check(
        ALL,
        bad,
        "lon",
        RejectReason::OffGlobe,
        "-180.5 is off the globe",
    );
}

#[test]
fn timestamp_in_the_future_beyond_the_skew_tolerance() {
    let bad = Row::good(2).with("ts", "2026-11-30T12:05:01Z");
    check(
        ALL,
        bad,
        "ts",
        RejectReason::FutureTimestamp,
        "2026-11-30T12:05:01Z is in the future",
    );
}

#[test]
fn empty_plate() {
    check(
        ALL,
        Row::good(2).with("plate", ""),
        "plate",
        RejectReason::BadPlate,
        "empty plate",
    );
    check(
        ALL,
        Row::good(2).with("plate", " - . "),
        "plate",
        RejectReason::BadPlate,
        "empty plate",
    );
}

#[test]
fn impossible_plates() {
    let symbol = Row::good(2).with("plate", "AB!12");
    check(
        ALL,
        symbol,
        "plate",
        RejectReason::BadPlate,
        "only letters, digits",
    );
    let long = Row::good(2).with("plate", "ABCDEFGHJKLMN");
    check(
        ALL,
        long,
        "plate",
        RejectReason::BadPlate,
        "longer than 12 characters",
    );
}

#[test]
fn confidence_outside_zero_to_one() {
    check(
        ALL,
        Row::good(2).with("confidence", "1.5"),
        "confidence",
        RejectReason::BadConfidence,
        "1.5 is outside 0..1",
    );
    check(
        ALL,
        Row::good(2).with("confidence", "-0.1"),
        "confidence",
        RejectReason::BadConfidence,
        "-0.1 is outside 0..1",
    );
}

#[test]
fn read_id_repeated_in_the_file_with_other_content() {
    let bad = Row::good(1).with("plate", "ZZ11ZZZ");
    let message = "duplicated read id `r-0001` with different content";
    check(
        ALL,
        bad,
        "read_id",
        RejectReason::ConflictingReadId,
        message,
    );
}

#[test]
fn read_id_already_stored_with_other_content() {
    let bad = Row::good(9001)
        .with("plate", "XY99ZZZ")
        .with("colour", "red");
    let message = "duplicated read id `r-9001` with different content";
    check(
        ALL,
        bad,
        "read_id",
        RejectReason::ConflictingReadId,
        message,
    );
}

#[test]
fn missing_required_values() {
    check(
        ALL,
        Row::good(2).with("camera_id", ""),
        "camera_id",
        RejectReason::Missing,
        "missing",
    );
    check(
        ALL,
        Row::good(2).with("ts", ""),
        "ts",
        RejectReason::Missing,
        "missing",
    );
    check(
        ALL,
        Row::good(2).with("read_id", ""),
        "read_id",
        RejectReason::Missing,
        "missing",
    );
}

#[test]
fn unparsable_values() {
    let ts = Row::good(2).with("ts", "yesterday");
    check(
        TEXT,
        ts,
        "ts",
        RejectReason::Unparsable,
        "`yesterday` is not an RFC 3339 timestamp",
    );
    check(
        TEXT,
        Row::good(2).with("confidence", "high"),
        "confidence",
        RejectReason::Unparsable,
        "high",
    );
    let country = Row::good(2).with("country", "GBR");
    check(
        ALL,
        country,
        "country",
        RejectReason::Unparsable,
        "`GBR` is not a two-letter ISO 3166-1 country code",
    );
}

#[test]
fn values_out_of_range() {
    let half_position = Row::good(2).with("lat", "50.1");
    check(
        ALL,
        half_position,
        "lon",
        RejectReason::BadValue,
        "lat and lon must be given together",
    );
    check(
        ALL,
        Row::good(2).with("heading", "400"),
        "heading",
        RejectReason::BadValue,
        "400 is outside 0..=360",
    );
    let long_id = "x".repeat(129);
    check(
        ALL,
        Row::good(2).with("read_id", &long_id),
        "read_id",
        RejectReason::BadValue,
        "longer than 128 bytes",
    );
}
