//! Format details: detection, headers, JSON layouts, Parquet types, whole-file errors.

use crate::fixtures::{Fixture, Row, csv_text, write_parquet};
use arrow::array::{
    ArrayRef, DictionaryArray, Float64Array, RecordBatch, StringArray, TimestampNanosecondArray,
};
use arrow::datatypes::Int32Type;
use corridor_domain::PlateText;
use corridor_ingest::{Format, ImportMode, IngestError, ReadsReader, RejectReason};
use corridor_store::HistoryQuery;
use std::path::Path;
use std::sync::Arc;

fn history_len(fixture: &Fixture, plate: &str) -> usize {
    let query = HistoryQuery::plate(PlateText::parse(plate).expect("plate"));
    fixture.store.history(&query).expect("history").len()
}

/// Imports `text` (written to `name`) in reject-file mode; returns the report and the
/// reject file's records.
fn import_text(
    fixture: &Fixture,
    name: &str,
    text: &str,
) -> Result<(corridor_ingest::ImportReport, Vec<csv::StringRecord>), IngestError> {
    let path = fixture.path(name);
    std::fs::write(&path, text).expect("write");
    let reject_path = fixture.path("rejects.csv");
    let report = fixture.import(None, &path, ImportMode::RejectFile(reject_path.clone()))?;
    let records = csv::Reader::from_path(&reject_path)
        .expect("reject file")
        .records()
        .map(|record| record.expect("record"))
        .collect();
    Ok((report, records))
}

#[track_caller]
fn assert_bad_file(result: Result<impl std::fmt::Debug, IngestError>, path: &Path, fragment: &str) {
    match result {
        Err(IngestError::BadFile { path: got, reason }) => {
            assert_eq!(got, path);
            assert!(
                reason.contains(fragment),
                "`{reason}` should contain `{fragment}`"
            );
        }
        other => panic!("expected a BadFile error containing `{fragment}`, got {other:?}"),
    }
}

#[test]
fn formats_are_told_by_extension_or_named() {
    assert_eq!(
        Format::from_path(Path::new("a/reads.PARQUET")),
        Some(Format::Parquet)
    );
    assert_eq!(
        Format::from_path(Path::new("reads.jsonl")),
        Some(Format::Ndjson)
    );
    assert_eq!(Format::from_path(Path::new("reads.txt")), None);
    let fixture = Fixture::new();
    let path = fixture.path("reads.txt");
    std::fs::write(&path, csv_text(&[Row::good(1)])).expect("write");
    assert_bad_file(
        fixture.import(None, &path, ImportMode::Strict),
        &path,
        "cannot tell the format",
    );
    let reader = ReadsReader::open(&path, Some(Format::Csv), 10).expect("named format");
    assert_eq!(
        reader
            .map(|batch| batch.expect("batch").batch.num_rows())
            .sum::<usize>(),
        1
    );
}

#[test]
fn csv_columns_may_come_in_any_order_and_optional_ones_may_be_absent() {
    let fixture = Fixture::new();
    let text =
        "\u{feff}ts,camera_id,plate,read_id\n2026-11-30T01:00:00Z,FR-A16-0042,\"AB 12, CDE\",q1\n";
    let (report, rejects) = import_text(&fixture, "reads.csv", text).expect("import");
    // The comma inside quotes is a plate character that is not allowed.
    assert_eq!((report.n_imported, report.n_rejected), (0, 1));
    assert_eq!(&rejects[0][1], "plate");
    let text = "ts,camera_id,plate,read_id\n2026-11-30T01:00:00Z,FR-A16-0042,\"AB 12 CDE\",q2\n";
    let (report, _) = import_text(&fixture, "reads2.csv", text).expect("import");
    assert_eq!(report.n_imported, 1);
    assert_eq!(history_len(&fixture, "AB12CDE"), 1);
}

#[test]
fn csv_header_errors_name_the_column() {
    let fixture = Fixture::new();
    let path = fixture.path("reads.csv");
    std::fs::write(&path, "read_id,plate,camera_id,ts,confidance\n").expect("write");
    assert_bad_file(
        fixture.import(None, &path, ImportMode::Strict),
        &path,
        "unknown column `confidance`",
    );
    std::fs::write(&path, "read_id,plate,ts\n").expect("write");
    assert_bad_file(
        fixture.import(None, &path, ImportMode::Strict),
        &path,
        "missing required column `camera_id`",
    );
    std::fs::write(&path, "read_id,plate,plate,camera_id,ts\n").expect("write");
    assert_bad_file(
        fixture.import(None, &path, ImportMode::Strict),
        &path,
        "column `plate` appears twice",
    );
}

#[test]
fn csv_rows_with_the_wrong_number_of_fields_are_rejected() {
    let fixture = Fixture::new();
    let mut text = csv_text(&[Row::good(1)]);
    text.push_str("r-0002,AB12CDE,GB\n");
    let (report, rejects) = import_text(&fixture, "reads.csv", &text).expect("import");
    assert_eq!((report.n_imported, report.n_rejected), (1, 1));
    assert_eq!(
        (&rejects[0][0], &rejects[0][1], &rejects[0][2]),
        ("3", "row", "unparsable")
    );
    assert!(
        rejects[0][3].contains("row has 3 fields, the header has 13"),
        "{:?}",
        rejects[0]
    );
}

#[test]
fn ndjson_skips_blank_lines_and_numbers_rows_by_line() {
    let fixture = Fixture::new();
    let good = crate::fixtures::json_object(&Row::good(1)).to_string();
    let text = format!(
        "\n{good}\n   \n{{\"read_id\": \"r-2\", oops}}\n[1]\n{{\"read_id\":\"r-3\",\"colour\":\"red\",\"extra\":1}}\n"
    );
    let (report, rejects) = import_text(&fixture, "reads.ndjson", &text).expect("import");
    assert_eq!(
        (report.n_rows, report.n_imported, report.n_rejected),
        (4, 1, 3)
    );
    let got: Vec<(&str, &str)> = rejects
        .iter()
        .map(|record| (&record[0], &record[1]))
        .collect();
    assert_eq!(got, [("4", "row"), ("5", "row"), ("6", "row")]);
    assert!(
        rejects[0][3].starts_with("invalid JSON"),
        "{:?}",
        rejects[0]
    );
    assert!(rejects[1][3].contains("expected a JSON object, found an array"));
    assert!(rejects[2][3].contains("unknown field `extra`"));
}

#[test]
fn json_arrays_stream_elements_and_respect_strings() {
    let fixture = Fixture::new();
    let mut first = crate::fixtures::json_object(&Row::good(1));
    first["make"] = serde_json::json!("Ford ], {\"quoted\"}");
    let second = crate::fixtures::json_object(&Row::good(2));
    let text = format!(" [ {first} ,\n {second} ] \n");
    let (report, _) = import_text(&fixture, "reads.json", &text).expect("import");
    assert_eq!((report.n_rows, report.n_imported), (2, 2));
    let (report, _) = import_text(&fixture, "empty.json", "[ ]").expect("empty array");
    assert_eq!(report.n_rows, 0);
    for (name, text, fragment) in [
        ("object.json", "{}", "expected a JSON array"),
        ("open.json", "[{\"read_id\":\"a\"}", "not closed"),
        (
            "trailing.json",
            "[{\"read_id\":\"a\"},]",
            "element 2 of the array is empty",
        ),
        ("after.json", "[] []", "text after the end"),
    ] {
        let path = fixture.path(name);
        assert_bad_file(
            import_text(&fixture, name, text).map(|(report, _)| report),
            &path,
            fragment,
        );
    }
}

#[test]
fn parquet_accepts_other_timestamp_units_zones_and_encodings() {
    let fixture = Fixture::new();
    let ts_ns = 1_764_470_000_123_456_789_i64; // 2025-11-30T02:33:20.123456789Z
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("read_id", Arc::new(StringArray::from(vec!["p1", "p2"]))),
        (
            "plate",
            Arc::new(DictionaryArray::<Int32Type>::from_iter([
                "AB12CDE", "ab12 cde",
            ])),
        ),
        (
            "camera_id",
            Arc::new(StringArray::from(vec!["FR-A16-0042", "BE-E40-0007"])),
        ),
        (
            "ts",
            Arc::new(
                TimestampNanosecondArray::from(vec![ts_ns, ts_ns + 1_000]).with_timezone("+01:00"),
            ),
        ),
        (
            "confidence",
            Arc::new(Float64Array::from(vec![Some(0.5), None])),
        ),
    ];
    let batch = RecordBatch::try_from_iter(columns).expect("batch");
    let path = fixture.path("odd.parquet");
    write_parquet(&path, &[batch]);
    let report = fixture
        .import(None, &path, ImportMode::Strict)
        .expect("import");
    assert_eq!(report.n_imported, 2);
    let query = HistoryQuery::plate(PlateText::parse("AB12CDE").expect("plate"));
    let reads = fixture.store.history(&query).expect("history");
    let got: Vec<(&str, i64, Option<f32>)> = reads
        .iter()
        .map(|read| (read.read_id.as_str(), read.ts, read.confidence))
        .collect();
    assert_eq!(
        got,
        [
            ("p1", ts_ns / 1_000, Some(0.5)),
            ("p2", ts_ns / 1_000 + 1, None)
        ]
    );
}

#[test]
fn parquet_schema_errors_name_the_column() {
    let fixture = Fixture::new();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("read_id", Arc::new(StringArray::from(vec!["p1"]))),
        ("plate", Arc::new(StringArray::from(vec!["AB12CDE"]))),
        (
            "camera_id",
            Arc::new(StringArray::from(vec!["FR-A16-0042"])),
        ),
        (
            "ts",
            Arc::new(StringArray::from(vec!["2026-11-30T01:00:00Z"])),
        ),
    ];
    let path = fixture.path("typed.parquet");
    write_parquet(
        &path,
        &[RecordBatch::try_from_iter(columns).expect("batch")],
    );
    assert_bad_file(
        fixture.import(None, &path, ImportMode::Strict),
        &path,
        "column `ts` has type Utf8",
    );
    let path = fixture.path("not.parquet");
    std::fs::write(&path, "read_id\n").expect("write");
    assert_bad_file(
        fixture.import(None, &path, ImportMode::Strict),
        &path,
        "not a readable Parquet file",
    );
}

#[test]
fn cameras_file_errors_name_row_and_field_and_abort_before_any_read() {
    let fixture = Fixture::new();
    let before = fixture.snapshot();
    let cameras = fixture.path("bad-cameras.csv");
    let text = format!(
        "{}NL-A4-0001,A4 Leiden,52.1,4.5,,NL,RWS,drone,false\n",
        crate::fixtures::CAMERAS_CSV
    );
    std::fs::write(&cameras, text).expect("write");
    let reads = fixture.path("reads.csv");
    std::fs::write(&reads, csv_text(&[Row::good(1)])).expect("write");
    let err = fixture
        .import(
            Some(&cameras),
            &reads,
            ImportMode::RejectFile(fixture.path("rejects.csv")),
        )
        .expect_err("a bad camera aborts");
    assert_eq!(
        err.to_string(),
        format!(
            "{}:5: field `kind`: `drone` is not one of fixed, mobile, covert",
            cameras.display()
        )
    );
    assert!(matches!(
        err,
        IngestError::BadField {
            reason: RejectReason::Unparsable,
            ..
        }
    ));
    assert_eq!(fixture.snapshot(), before);
}

#[test]
fn a_reject_file_keeps_the_original_text_of_unparsable_cells() {
    let fixture = Fixture::new();
    let text = csv_text(&[Row::good(1).with("lat", "north").with("lon", "1.5")]);
    let (_, rejects) = import_text(&fixture, "reads.csv", &text).expect("import");
    let lat_column = 4 + 6;
    assert_eq!(&rejects[0][lat_column], "north");
    assert_eq!(&rejects[0][lat_column + 1], "1.5");
}
