//! The columns of the `reads` exchange schema and a row-by-row builder of Arrow batches
//! for the text formats (CSV, NDJSON, JSON).

use crate::{RejectReason, Rejection};
use arrow::array::{
    ArrayRef, Float32Builder, Float64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use std::sync::{Arc, LazyLock};

/// The `reads` columns, in schema order.
pub const READ_COLUMNS: [&str; 13] = [
    "read_id",
    "plate",
    "country",
    "camera_id",
    "ts",
    "confidence",
    "lat",
    "lon",
    "heading",
    "make",
    "model",
    "colour",
    "vehicle_type",
];

pub(crate) const READ_ID: usize = 0;
pub(crate) const PLATE: usize = 1;
pub(crate) const COUNTRY: usize = 2;
pub(crate) const CAMERA_ID: usize = 3;
pub(crate) const TS: usize = 4;
pub(crate) const CONFIDENCE: usize = 5;
pub(crate) const LAT: usize = 6;
pub(crate) const LON: usize = 7;
pub(crate) const HEADING: usize = 8;

/// The value type of a column.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ColumnType {
    Text,
    Timestamp,
    F32,
    F64,
}

/// Types of `READ_COLUMNS`, by index.
pub(crate) const COLUMN_TYPES: [ColumnType; 13] = [
    ColumnType::Text,
    ColumnType::Text,
    ColumnType::Text,
    ColumnType::Text,
    ColumnType::Timestamp,
    ColumnType::F32,
    ColumnType::F64,
    ColumnType::F64,
    ColumnType::F32,
    ColumnType::Text,
    ColumnType::Text,
    ColumnType::Text,
    ColumnType::Text,
];

/// Whether a column of `READ_COLUMNS` may be null.
pub(crate) const REQUIRED: [bool; 13] = [
    true, true, false, true, true, false, false, false, false, false, false, false, false,
];

/// Index of a column name in `READ_COLUMNS`.
pub(crate) fn column_index(name: &str) -> Option<usize> {
    READ_COLUMNS.iter().position(|column| *column == name)
}

/// The Arrow schema readers produce before validation: the exchange types, every
/// column nullable (a null in a required column is rejected by validation, per row).
pub fn input_schema() -> SchemaRef {
    static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
        let fields: Vec<Field> = READ_COLUMNS
            .iter()
            .zip(COLUMN_TYPES)
            .map(|(name, column_type)| Field::new(*name, arrow_type(column_type), true))
            .collect();
        Arc::new(Schema::new(fields))
    });
    SCHEMA.clone()
}

pub(crate) fn arrow_type(column_type: ColumnType) -> DataType {
    match column_type {
        ColumnType::Text => DataType::Utf8,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        ColumnType::F32 => DataType::Float32,
        ColumnType::F64 => DataType::Float64,
    }
}

/// A parsed cell of a text format.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    Text(&'a str),
    Timestamp(i64),
    Number(f64),
}

/// Parses one CSV field (already trimmed) as a value of `column_type`; empty is null.
pub(crate) fn parse_text_cell(column_type: ColumnType, raw: &str) -> Result<Cell<'_>, String> {
    if raw.is_empty() {
        return Ok(Cell::Null);
    }
    match column_type {
        ColumnType::Text => Ok(Cell::Text(raw)),
        ColumnType::Timestamp => parse_timestamp(raw).map(Cell::Timestamp),
        ColumnType::F32 | ColumnType::F64 => match raw.parse::<f64>() {
            Ok(number) if number.is_finite() => Ok(Cell::Number(number)),
            _ => Err(format!("`{raw}` is not a finite number")),
        },
    }
}

/// Parses an RFC 3339 timestamp into microseconds since the epoch, UTC.
pub(crate) fn parse_timestamp(raw: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|ts| ts.timestamp_micros())
        .map_err(|_| format!("`{raw}` is not an RFC 3339 timestamp"))
}

/// Formats microseconds since the epoch as RFC 3339 UTC (`2026-11-30T03:12:09.250Z`).
pub fn format_timestamp(ts_us: i64) -> String {
    match chrono::DateTime::from_timestamp_micros(ts_us) {
        Some(ts) => ts.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        None => format!("{ts_us}us"),
    }
}

/// A batch from a reader, before validation.
#[derive(Debug)]
pub struct SourceBatch {
    /// The values, in `input_schema()`.
    pub batch: RecordBatch,
    /// The file's row number of each batch row.
    pub rows: RowNumbers,
    /// Rows already found bad while parsing, by batch row index, ascending, at most one per
    /// row; their cells in `batch` are meaningless.
    pub parse_errors: Vec<(usize, Rejection)>,
    /// The original text of cells that failed to parse, for the reject file.
    pub raw_cells: Vec<(usize, usize, String)>,
}

/// Row numbers of a batch's rows.
#[derive(Clone, Debug)]
pub enum RowNumbers {
    /// Consecutive rows from this number.
    From(u64),
    /// One number per batch row.
    List(Vec<u64>),
}

impl RowNumbers {
    /// The row number of batch row `index`.
    pub fn get(&self, index: usize) -> u64 {
        match self {
            RowNumbers::From(first) => first + index as u64,
            RowNumbers::List(rows) => rows[index],
        }
    }
}

/// Builds a `SourceBatch` row by row.
#[derive(Debug)]
pub(crate) struct ColumnsBuilder {
    columns: Vec<CellBuilder>,
    rows: Vec<u64>,
    parse_errors: Vec<(usize, Rejection)>,
    raw_cells: Vec<(usize, usize, String)>,
}

#[derive(Debug)]
enum CellBuilder {
    Text(StringBuilder),
    Timestamp(TimestampMicrosecondBuilder),
    F32(Float32Builder),
    F64(Float64Builder),
}

impl ColumnsBuilder {
    pub(crate) fn new(capacity: usize) -> ColumnsBuilder {
        let columns = COLUMN_TYPES
            .iter()
            .map(|column_type| match column_type {
                ColumnType::Text => CellBuilder::Text(StringBuilder::with_capacity(capacity, 16)),
                ColumnType::Timestamp => CellBuilder::Timestamp(
                    TimestampMicrosecondBuilder::with_capacity(capacity).with_timezone("UTC"),
                ),
                ColumnType::F32 => CellBuilder::F32(Float32Builder::with_capacity(capacity)),
                ColumnType::F64 => CellBuilder::F64(Float64Builder::with_capacity(capacity)),
            })
            .collect();
        ColumnsBuilder {
            columns,
            rows: Vec::with_capacity(capacity),
            parse_errors: Vec::new(),
            raw_cells: Vec::new(),
        }
    }

    /// Rows so far.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Starts a row; then call `push_cell` once per column in order, or `push_bad_row`.
    pub(crate) fn start_row(&mut self, row: u64) {
        self.rows.push(row);
    }

    /// Appends the next cell of the current row. A cell of the wrong kind (text in a
    /// number column) is a caller bug.
    pub(crate) fn push_cell(&mut self, column_idx: usize, cell: Cell<'_>) {
        match (&mut self.columns[column_idx], cell) {
            (CellBuilder::Text(builder), Cell::Null) => builder.append_null(),
            (CellBuilder::Timestamp(builder), Cell::Null) => builder.append_null(),
            (CellBuilder::F32(builder), Cell::Null) => builder.append_null(),
            (CellBuilder::F64(builder), Cell::Null) => builder.append_null(),
            (CellBuilder::Text(builder), Cell::Text(text)) => builder.append_value(text),
            (CellBuilder::Timestamp(builder), Cell::Timestamp(ts)) => builder.append_value(ts),
            (CellBuilder::F32(builder), Cell::Number(number)) => {
                builder.append_value(number as f32)
            }
            (CellBuilder::F64(builder), Cell::Number(number)) => builder.append_value(number),
            (_, cell) => panic!("cell {cell:?} does not fit column {column_idx}"),
        }
    }

    /// Records that the current row's cell `column_idx` did not parse; the cell is null.
    pub(crate) fn push_unparsable(
        &mut self,
        column_idx: usize,
        raw: String,
        reason: RejectReason,
        message: String,
    ) {
        self.push_cell(column_idx, Cell::Null);
        let row_idx = self.rows.len() - 1;
        let row = self.rows[row_idx];
        self.raw_cells.push((row_idx, column_idx, raw));
        if self
            .parse_errors
            .last()
            .is_some_and(|(idx, _)| *idx == row_idx)
        {
            return;
        }
        self.parse_errors.push((
            row_idx,
            Rejection {
                row,
                field: READ_COLUMNS[column_idx],
                reason,
                message,
            },
        ));
    }

    /// Completes a row that is wrong as a whole (e.g. a CSV row with too many fields):
    /// all its remaining cells from `column_idx` on are null.
    pub(crate) fn push_bad_row(&mut self, column_idx: usize, field: &'static str, message: String) {
        for idx in column_idx..READ_COLUMNS.len() {
            self.push_cell(idx, Cell::Null);
        }
        let row_idx = self.rows.len() - 1;
        let row = self.rows[row_idx];
        if self
            .parse_errors
            .last()
            .is_some_and(|(idx, _)| *idx == row_idx)
        {
            return;
        }
        self.parse_errors.push((
            row_idx,
            Rejection {
                row,
                field,
                reason: RejectReason::Unparsable,
                message,
            },
        ));
    }

    /// Finishes the batch and resets the builder.
    pub(crate) fn finish(&mut self) -> SourceBatch {
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|column| -> ArrayRef {
                match column {
                    CellBuilder::Text(builder) => Arc::new(builder.finish()),
                    CellBuilder::Timestamp(builder) => Arc::new(builder.finish()),
                    CellBuilder::F32(builder) => Arc::new(builder.finish()),
                    CellBuilder::F64(builder) => Arc::new(builder.finish()),
                }
            })
            .collect();
        let batch =
            RecordBatch::try_new(input_schema(), arrays).expect("builders follow the input schema");
        SourceBatch {
            batch,
            rows: RowNumbers::List(std::mem::take(&mut self.rows)),
            parse_errors: std::mem::take(&mut self.parse_errors),
            raw_cells: std::mem::take(&mut self.raw_cells),
        }
    }
}
