//! Reads in Parquet: decoded batch by batch and converted, column by column, to the
//! exchange types (no per-row work here).

use crate::IngestError;
use crate::columns::{
    COLUMN_TYPES, ColumnType, READ_COLUMNS, REQUIRED, RowNumbers, SourceBatch, arrow_type,
    input_schema,
};
use arrow::array::{Array, ArrayRef, TimestampMicrosecondArray, new_null_array};
use arrow::compute::{CastOptions, cast_with_options};
use arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Streams a Parquet file of reads as `SourceBatch`es.
#[derive(Debug)]
pub(crate) struct ParquetReads {
    path: PathBuf,
    reader: ParquetRecordBatchReader,
    /// For each exchange column, its index in the file's schema (if present).
    positions: [Option<usize>; 13],
    n_rows_total: u64,
    n_rows: u64,
    done: bool,
}

impl ParquetReads {
    pub(crate) fn open(path: &Path, batch_rows: usize) -> Result<ParquetReads, IngestError> {
        let file = File::open(path).map_err(|err| IngestError::io(path, err))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|err| {
            IngestError::bad_file(path, format!("not a readable Parquet file: {err}"))
        })?;
        let n_rows_total =
            u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
        let positions = check_schema(path, builder.schema())?;
        let reader = builder
            .with_batch_size(batch_rows.max(1))
            .build()
            .map_err(|err| IngestError::bad_file(path, format!("reading Parquet: {err}")))?;
        Ok(ParquetReads {
            path: path.to_owned(),
            reader,
            positions,
            n_rows_total,
            n_rows: 0,
            done: false,
        })
    }

    /// Rows in the file, from its footer.
    pub(crate) fn n_rows_total(&self) -> u64 {
        self.n_rows_total
    }

    /// Rows decoded so far.
    pub(crate) fn n_rows(&self) -> u64 {
        self.n_rows
    }

    fn convert(&self, batch: &RecordBatch) -> Result<SourceBatch, IngestError> {
        let n_rows = batch.num_rows();
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(READ_COLUMNS.len());
        for (column_idx, position) in self.positions.iter().enumerate() {
            let array = match position {
                Some(position) => {
                    to_exchange_type(&self.path, column_idx, batch.column(*position))?
                }
                None => new_null_array(&arrow_type(COLUMN_TYPES[column_idx]), n_rows),
            };
            arrays.push(array);
        }
        let batch = RecordBatch::try_new(input_schema(), arrays)
            .expect("converted columns follow the input schema");
        Ok(SourceBatch {
            batch,
            rows: RowNumbers::From(self.n_rows + 1),
            parse_errors: Vec::new(),
            raw_cells: Vec::new(),
        })
    }
}

impl Iterator for ParquetReads {
    type Item = Result<SourceBatch, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let result = match self.reader.next()? {
            Ok(batch) => {
                let converted = self.convert(&batch);
                self.n_rows += batch.num_rows() as u64;
                converted
            }
            Err(err) => Err(IngestError::bad_file(
                &self.path,
                format!("reading Parquet: {err}"),
            )),
        };
        if result.is_err() {
            self.done = true;
        }
        Some(result)
    }
}

/// Maps the exchange columns to the file's columns and checks that each can be converted.
fn check_schema(path: &Path, schema: &SchemaRef) -> Result<[Option<usize>; 13], IngestError> {
    let names: Vec<String> = schema
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    let positions = crate::csv_reads::column_positions(path, &names, &READ_COLUMNS, &REQUIRED)?;
    for (column_idx, position) in positions.iter().enumerate() {
        let Some(position) = position else { continue };
        let data_type = schema.field(*position).data_type();
        if !is_convertible(COLUMN_TYPES[column_idx], data_type) {
            let reason = format!(
                "column `{}` has type {data_type}, expected {}",
                READ_COLUMNS[column_idx],
                arrow_type(COLUMN_TYPES[column_idx])
            );
            return Err(IngestError::bad_file(path, reason));
        }
    }
    Ok(positions)
}

fn is_convertible(column_type: ColumnType, data_type: &DataType) -> bool {
    match (column_type, data_type) {
        (ColumnType::Text, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => true,
        (ColumnType::Text, DataType::Dictionary(_, value)) => {
            matches!(
                **value,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            )
        }
        (ColumnType::Timestamp, DataType::Timestamp(_, _)) => true,
        (ColumnType::F32 | ColumnType::F64, DataType::Float32 | DataType::Float64) => true,
        (_, DataType::Null) => true,
        _ => false,
    }
}

/// Converts one column to its exchange type (a no-op when it already has it).
fn to_exchange_type(
    path: &Path,
    column_idx: usize,
    array: &ArrayRef,
) -> Result<ArrayRef, IngestError> {
    let target = arrow_type(COLUMN_TYPES[column_idx]);
    if array.data_type() == &target {
        return Ok(array.clone());
    }
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let converted = match array.data_type() {
        // The stored instant is UTC whatever the zone; only the unit needs converting.
        DataType::Timestamp(_, _) => {
            let micros = DataType::Timestamp(TimeUnit::Microsecond, None);
            let naive = cast_with_options(array, &micros, &options);
            naive.map(|naive| -> ArrayRef {
                let naive = naive
                    .as_any()
                    .downcast_ref::<TimestampMicrosecondArray>()
                    .expect("cast to microseconds gives a microsecond array")
                    .clone();
                Arc::new(naive.with_timezone("UTC"))
            })
        }
        _ => cast_with_options(array, &target, &options),
    };
    converted.map_err(|err| {
        let reason = format!(
            "column `{}` cannot be converted: {err}",
            READ_COLUMNS[column_idx]
        );
        IngestError::bad_file(path, reason)
    })
}
