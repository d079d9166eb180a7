//! Validation of reads batches, column by column: every check is a loop over one Arrow
//! array, and a row's first fault (in column order) is the one reported.

use crate::columns::{self, READ_COLUMNS, SourceBatch, format_timestamp};
use crate::{RejectReason, Rejection};
use arrow::array::{
    Array, ArrayRef, BooleanArray, Float32Array, Float64Array, StringArray, StringBuilder,
    TimestampMicrosecondArray,
};
use arrow::compute::filter_record_batch;
use arrow::record_batch::RecordBatch;
use corridor_domain::{Country, PlateText, Timestamp};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// The longest read id accepted, in bytes.
pub const READ_ID_BYTES_MAX: usize = 128;

/// What validation needs to know besides the rows.
#[derive(Clone, Debug)]
pub struct ValidationConfig {
    /// "Now" in microseconds since the epoch (a parameter, so that tests are deterministic).
    pub now_us: Timestamp,
    /// How far in the future a timestamp may lie (camera clocks drift).
    pub clock_skew_tolerance: Duration,
}

impl ValidationConfig {
    /// The default tolerance (5 minutes) at the given moment.
    pub fn at(now_us: Timestamp) -> ValidationConfig {
        ValidationConfig {
            now_us,
            clock_skew_tolerance: Duration::from_secs(300),
        }
    }

    /// The default tolerance at the system clock's now.
    pub fn now() -> ValidationConfig {
        ValidationConfig::at(chrono::Utc::now().timestamp_micros())
    }

    fn ts_max_us(&self) -> Timestamp {
        let tolerance_us = i64::try_from(self.clock_skew_tolerance.as_micros()).unwrap_or(i64::MAX);
        self.now_us.saturating_add(tolerance_us)
    }
}

/// The camera ids reads may name.
#[derive(Debug, Default)]
pub struct KnownCameras {
    ids: HashSet<String>,
}

impl KnownCameras {
    /// A registry of these ids.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(camera_ids: I) -> KnownCameras {
        KnownCameras {
            ids: camera_ids.into_iter().map(Into::into).collect(),
        }
    }

    /// Adds one id.
    pub fn insert(&mut self, camera_id: &str) {
        self.ids.insert(camera_id.to_owned());
    }

    /// Whether `camera_id` is known.
    pub fn contains(&self, camera_id: &str) -> bool {
        self.ids.contains(camera_id)
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// The outcome of validating one batch.
#[derive(Debug)]
pub struct ValidatedBatch {
    /// The good rows, normalised, in `corridor_store::schema::reads_schema()`.
    pub good: RecordBatch,
    /// The bad rows: batch row index and why, ascending by index.
    pub rejected: Vec<(usize, Rejection)>,
    /// For each row of `good`, its index in the source batch.
    pub kept_rows: Vec<usize>,
}

/// Validates the batches of one import.
///
/// Read ids given twice are left to the store (`BulkImport` finds them, in the file and
/// against stored reads, without a second index here).
#[derive(Debug)]
pub struct Validator {
    config: ValidationConfig,
    cameras: KnownCameras,
}

impl Validator {
    /// A validator for one import.
    pub fn new(config: ValidationConfig, cameras: KnownCameras) -> Validator {
        Validator { config, cameras }
    }

    /// Checks every row of `source`; good rows are normalised (plates, countries).
    pub fn validate(&self, source: &SourceBatch) -> ValidatedBatch {
        let batch = &source.batch;
        let mut marks = Marks::new(source);
        check_read_ids(&mut marks, text(batch, columns::READ_ID));
        let plate = normalise_plates(&mut marks, text(batch, columns::PLATE));
        let country = normalise_countries(&mut marks, text(batch, columns::COUNTRY));
        self.check_cameras(&mut marks, text(batch, columns::CAMERA_ID));
        check_timestamps(&mut marks, timestamps(batch), self.config.ts_max_us());
        check_confidence(&mut marks, f32s(batch, columns::CONFIDENCE));
        check_position(
            &mut marks,
            f64s(batch, columns::LAT),
            f64s(batch, columns::LON),
        );
        check_heading(&mut marks, f32s(batch, columns::HEADING));
        let mut arrays: Vec<ArrayRef> = batch.columns().to_vec();
        if let Some(plate) = plate {
            arrays[columns::PLATE] = plate;
        }
        if let Some(country) = country {
            arrays[columns::COUNTRY] = country;
        }
        let normalised = RecordBatch::try_new(batch.schema(), arrays)
            .expect("normalised columns keep their types and lengths");
        marks.finish(&normalised)
    }

    fn check_cameras(&self, marks: &mut Marks, camera_id: &StringArray) {
        for row_idx in 0..camera_id.len() {
            if marks.bad[row_idx] {
                continue;
            }
            if camera_id.is_null(row_idx) {
                marks.missing(row_idx, columns::CAMERA_ID);
                continue;
            }
            let value = camera_id.value(row_idx);
            if !self.cameras.contains(value) {
                let message = format!("unknown camera `{value}`");
                marks.reject(
                    row_idx,
                    columns::CAMERA_ID,
                    RejectReason::UnknownCamera,
                    message,
                );
            }
        }
    }
}

/// The rows found bad so far, with the first reason for each.
struct Marks {
    bad: Vec<bool>,
    rejected: Vec<(usize, Rejection)>,
    rows: columns::RowNumbers,
}

impl Marks {
    fn new(source: &SourceBatch) -> Marks {
        let mut bad = vec![false; source.batch.num_rows()];
        for (row_idx, _) in &source.parse_errors {
            bad[*row_idx] = true;
        }
        Marks {
            bad,
            rejected: source.parse_errors.clone(),
            rows: source.rows.clone(),
        }
    }

    fn reject(&mut self, row_idx: usize, column_idx: usize, reason: RejectReason, message: String) {
        debug_assert!(!self.bad[row_idx], "a row is rejected once");
        self.bad[row_idx] = true;
        let rejection = Rejection {
            row: self.rows.get(row_idx),
            field: READ_COLUMNS[column_idx],
            reason,
            message,
        };
        self.rejected.push((row_idx, rejection));
    }

    fn missing(&mut self, row_idx: usize, column_idx: usize) {
        self.reject(
            row_idx,
            column_idx,
            RejectReason::Missing,
            "missing".to_owned(),
        );
    }

    /// Keeps the good rows, in the store's schema.
    fn finish(mut self, batch: &RecordBatch) -> ValidatedBatch {
        self.rejected.sort_by_key(|(row_idx, _)| *row_idx);
        let kept_rows: Vec<usize> = (0..batch.num_rows())
            .filter(|row_idx| !self.bad[*row_idx])
            .collect();
        let kept = if self.rejected.is_empty() {
            batch.clone()
        } else {
            let keep: BooleanArray = self.bad.iter().map(|bad| Some(!bad)).collect();
            filter_record_batch(batch, &keep).expect("a mask of the batch's length filters it")
        };
        let good = RecordBatch::try_new(
            corridor_store::schema::reads_schema(),
            kept.columns().to_vec(),
        )
        .expect("good rows have every required value");
        ValidatedBatch {
            good,
            rejected: self.rejected,
            kept_rows,
        }
    }
}

fn text(batch: &RecordBatch, column_idx: usize) -> &StringArray {
    downcast(batch.column(column_idx))
}

fn timestamps(batch: &RecordBatch) -> &TimestampMicrosecondArray {
    downcast(batch.column(columns::TS))
}

fn f32s(batch: &RecordBatch, column_idx: usize) -> &Float32Array {
    downcast(batch.column(column_idx))
}

fn f64s(batch: &RecordBatch, column_idx: usize) -> &Float64Array {
    downcast(batch.column(column_idx))
}

fn downcast<T: 'static>(array: &ArrayRef) -> &T {
    array
        .as_any()
        .downcast_ref::<T>()
        .expect("readers produce columns of the input schema")
}

fn check_read_ids(marks: &mut Marks, read_id: &StringArray) {
    for row_idx in 0..read_id.len() {
        if marks.bad[row_idx] {
            continue;
        }
        if read_id.is_null(row_idx) {
            marks.missing(row_idx, columns::READ_ID);
        } else if read_id.value(row_idx).len() > READ_ID_BYTES_MAX {
            let message = format!("longer than {READ_ID_BYTES_MAX} bytes");
            marks.reject(row_idx, columns::READ_ID, RejectReason::BadValue, message);
        }
    }
}

/// Normalises plates; returns a new column only if some plate changed.
fn normalise_plates(marks: &mut Marks, plate: &StringArray) -> Option<ArrayRef> {
    let mut changed: Vec<(usize, PlateText)> = Vec::new();
    for row_idx in 0..plate.len() {
        if marks.bad[row_idx] {
            continue;
        }
        if plate.is_null(row_idx) {
            let message = "empty plate".to_owned();
            marks.reject(row_idx, columns::PLATE, RejectReason::BadPlate, message);
            continue;
        }
        let raw = plate.value(row_idx);
        if is_normalised_plate(raw) {
            continue;
        }
        match PlateText::parse(raw) {
            Ok(normalised) => changed.push((row_idx, normalised)),
            Err(err) => marks.reject(
                row_idx,
                columns::PLATE,
                RejectReason::BadPlate,
                err.to_string(),
            ),
        }
    }
    if changed.is_empty() {
        return None;
    }
    Some(replace_values(plate, &changed, PlateText::as_str))
}

fn is_normalised_plate(raw: &str) -> bool {
    (1..=corridor_domain::PLATE_LEN_MAX).contains(&raw.len())
        && raw
            .bytes()
            .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
}

/// Normalises country codes (`gb` and `UK` become `GB`); returns a new column only if
/// some code changed.
fn normalise_countries(marks: &mut Marks, country: &StringArray) -> Option<ArrayRef> {
    let mut changed: Vec<(usize, Country)> = Vec::new();
    for row_idx in 0..country.len() {
        if marks.bad[row_idx] || country.is_null(row_idx) {
            continue;
        }
        let raw = country.value(row_idx);
        let bytes = raw.as_bytes();
        if bytes.len() == 2 && bytes.iter().all(u8::is_ascii_uppercase) && raw != "UK" {
            continue;
        }
        match Country::parse(raw) {
            Ok(parsed) => changed.push((row_idx, parsed)),
            Err(_) => {
                let message = format!("`{raw}` is not a two-letter ISO 3166-1 country code");
                marks.reject(row_idx, columns::COUNTRY, RejectReason::Unparsable, message);
            }
        }
    }
    if changed.is_empty() {
        return None;
    }
    Some(replace_values(country, &changed, |country| {
        country.as_str()
    }))
}

/// A copy of `array` with the values at the given (ascending) indexes replaced.
fn replace_values<T>(
    array: &StringArray,
    changes: &[(usize, T)],
    as_str: impl Fn(&T) -> &str,
) -> ArrayRef {
    let mut builder = StringBuilder::with_capacity(array.len(), array.value_data().len());
    let mut changes = changes.iter().peekable();
    for row_idx in 0..array.len() {
        if let Some((_, value)) = changes.next_if(|(idx, _)| *idx == row_idx) {
            builder.append_value(as_str(value));
        } else if array.is_null(row_idx) {
            builder.append_null();
        } else {
            builder.append_value(array.value(row_idx));
        }
    }
    Arc::new(builder.finish())
}

fn check_timestamps(marks: &mut Marks, ts: &TimestampMicrosecondArray, ts_max_us: Timestamp) {
    let values = ts.values();
    for row_idx in 0..ts.len() {
        if marks.bad[row_idx] {
            continue;
        }
        if ts.is_null(row_idx) {
            marks.missing(row_idx, columns::TS);
        } else if values[row_idx] > ts_max_us {
            let message = format!(
                "{} is in the future (later than {})",
                format_timestamp(values[row_idx]),
                format_timestamp(ts_max_us)
            );
            marks.reject(row_idx, columns::TS, RejectReason::FutureTimestamp, message);
        }
    }
}

fn check_confidence(marks: &mut Marks, confidence: &Float32Array) {
    let values = confidence.values();
    for row_idx in 0..confidence.len() {
        if marks.bad[row_idx] || confidence.is_null(row_idx) {
            continue;
        }
        let value = values[row_idx];
        if !(0.0..=1.0).contains(&value) {
            let message = format!("{value} is outside 0..1");
            marks.reject(
                row_idx,
                columns::CONFIDENCE,
                RejectReason::BadConfidence,
                message,
            );
        }
    }
}

fn check_position(marks: &mut Marks, lat: &Float64Array, lon: &Float64Array) {
    for row_idx in 0..lat.len() {
        if marks.bad[row_idx] {
            continue;
        }
        match (lat.is_null(row_idx), lon.is_null(row_idx)) {
            (true, true) => {}
            (false, true) | (true, false) => {
                let column_idx = if lat.is_null(row_idx) {
                    columns::LAT
                } else {
                    columns::LON
                };
                let message = "lat and lon must be given together".to_owned();
                marks.reject(row_idx, column_idx, RejectReason::BadValue, message);
            }
            (false, false) => {
                let (lat_value, lon_value) = (lat.value(row_idx), lon.value(row_idx));
                if !(-90.0..=90.0).contains(&lat_value) {
                    let message = format!("{lat_value} is off the globe (latitude is -90..=90)");
                    marks.reject(row_idx, columns::LAT, RejectReason::OffGlobe, message);
                } else if !(-180.0..=180.0).contains(&lon_value) {
                    let message = format!("{lon_value} is off the globe (longitude is -180..=180)");
                    marks.reject(row_idx, columns::LON, RejectReason::OffGlobe, message);
                }
            }
        }
    }
}

fn check_heading(marks: &mut Marks, heading: &Float32Array) {
    let values = heading.values();
    for row_idx in 0..heading.len() {
        if marks.bad[row_idx] || heading.is_null(row_idx) {
            continue;
        }
        let value = values[row_idx];
        if !(0.0..=360.0).contains(&value) {
            let message = format!("{value} is outside 0..=360 degrees");
            marks.reject(row_idx, columns::HEADING, RejectReason::BadValue, message);
        }
    }
}
