//! Parsing of JSON batches and NDJSON bodies: rows, fields and rejection keys.

use super::*;

#[track_caller]
fn check_json_error(body: &str, expected: (u64, Option<&str>, &str)) {
    match parse_json_batch(body.as_bytes(), 100) {
        Err(ParseError::Row(row_error)) => {
            let got = (row_error.row, row_error.field.as_deref(), row_error.reason);
            assert_eq!(got, expected, "message: {}", row_error.message);
        }
        other => panic!("expected a row error, got {other:?}"),
    }
}

const GOOD: &str = r#"{"read_id":"r1","plate":"AB12 CDE","country":"GB","camera_id":"C1","ts":"2026-11-30T03:12:09Z","confidence":0.97,"lat":null,"make":"Ford"}"#;

#[test]
fn array_and_wrapped_batches_parse_the_same() {
    let array = parse_json_batch(format!("[{GOOD},{GOOD}]").as_bytes(), 10).unwrap();
    let wrapped =
        parse_json_batch(format!(r#"{{"reads":[{GOOD},{GOOD}]}}"#).as_bytes(), 10).unwrap();
    assert_eq!(array, wrapped);
    assert_eq!(array.len(), 2);
    assert_eq!(array[1].row, 2);
    let read = &array[0].read;
    assert_eq!(read.plate.as_deref(), Some("AB12 CDE"));
    assert_eq!(read.confidence, Some(0.97));
    assert_eq!(read.lat, None);
    assert_eq!(read.make.as_deref(), Some("Ford"));
}

#[test]
fn a_wrong_type_names_row_and_field() {
    let bad = GOOD.replace("0.97", "\"high\"");
    check_json_error(
        &format!("[{GOOD},{GOOD},{bad}]"),
        (3, Some("confidence"), "unparsable"),
    );
}

#[test]
fn an_unknown_field_is_named() {
    let bad = GOOD.replace("\"make\"", "\"confidance\"");
    check_json_error(
        &format!("[{bad}]"),
        (1, Some("confidance"), "unknown_field"),
    );
}

#[test]
fn a_repeated_field_is_refused() {
    let bad = GOOD.replace("\"make\":\"Ford\"", "\"make\":\"Ford\",\"make\":null");
    check_json_error(&format!("[{GOOD},{bad}]"), (2, Some("make"), "unparsable"));
}

#[test]
fn a_row_that_is_not_an_object_is_named() {
    check_json_error(&format!("[{GOOD}, 42]"), (2, None, "unparsable"));
}

#[test]
fn truncated_json_names_the_row_being_read() {
    check_json_error(
        &format!("[{GOOD}, {{\"read_id\": \"r2\""),
        (2, None, "unparsable"),
    );
}

#[test]
fn body_level_faults_are_not_rows() {
    for body in ["{\"rows\": []}", "42", "", "[] []"] {
        match parse_json_batch(body.as_bytes(), 10) {
            Err(ParseError::Body(_)) => {}
            other => panic!("{body:?}: expected a body error, got {other:?}"),
        }
    }
}

#[test]
fn more_rows_than_the_limit_are_refused() {
    let body = format!("[{GOOD},{GOOD},{GOOD}]");
    assert_eq!(
        parse_json_batch(body.as_bytes(), 3).map(|rows| rows.len()),
        Ok(3)
    );
    assert_eq!(
        parse_json_batch(body.as_bytes(), 2),
        Err(ParseError::TooManyRows { rows_max: 2 })
    );
    let ndjson = format!("{GOOD}\n{GOOD}\n{GOOD}\n");
    assert_eq!(
        parse_ndjson(ndjson.as_bytes(), 2),
        Err(ParseError::TooManyRows { rows_max: 2 })
    );
}

#[test]
fn ndjson_rows_are_line_numbers_and_blank_lines_are_skipped() {
    let body = format!("{GOOD}\n\n  \n{GOOD}\r\n");
    let rows = parse_ndjson(body.as_bytes(), 10).unwrap();
    assert_eq!(
        rows.iter().map(|row| row.row).collect::<Vec<_>>(),
        vec![1, 4]
    );
    let bad = GOOD.replace("\"ts\":\"2026-11-30T03:12:09Z\"", "\"ts\":20261130");
    let body = format!("{GOOD}\n\n{bad}\n");
    match parse_ndjson(body.as_bytes(), 10) {
        Err(ParseError::Row(row_error)) => {
            assert_eq!((row_error.row, row_error.field.as_deref()), (3, Some("ts")));
            assert!(
                row_error.message.contains("invalid type"),
                "{}",
                row_error.message
            );
        }
        other => panic!("expected a row error, got {other:?}"),
    }
}
