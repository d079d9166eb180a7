//! The reject file: one CSV row per rejected read, with its row number, field and reason,
//! then the read's values as they were read.

use crate::columns::{COLUMN_TYPES, ColumnType, READ_COLUMNS, SourceBatch, format_timestamp};
use crate::{IngestError, Rejection};
use arrow::array::{Array, Float32Array, Float64Array, StringArray, TimestampMicrosecondArray};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// The columns before the reads columns.
pub const REJECT_COLUMNS: [&str; 4] = ["row", "field", "reason", "message"];

/// Writes rejected rows to a CSV file.
#[derive(Debug)]
pub struct RejectWriter {
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
    n_rows: u64,
}

impl RejectWriter {
    /// Creates (or truncates) `path` and writes the header.
    pub fn create(path: &Path) -> Result<RejectWriter, IngestError> {
        let file = File::create(path).map_err(|err| IngestError::io(path, err))?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        let header = REJECT_COLUMNS.iter().chain(READ_COLUMNS.iter());
        writer
            .write_record(header)
            .map_err(|err| csv_error(path, err))?;
        Ok(RejectWriter {
            path: path.to_owned(),
            writer,
            n_rows: 0,
        })
    }

    /// Writes the rejected rows of `source`.
    pub fn write(
        &mut self,
        source: &SourceBatch,
        rejected: &[(usize, Rejection)],
    ) -> Result<(), IngestError> {
        for (row_idx, rejection) in rejected {
            let record = reject_record(source, *row_idx, rejection);
            self.writer
                .write_record(&record)
                .map_err(|err| csv_error(&self.path, err))?;
            self.n_rows += 1;
        }
        Ok(())
    }

    /// Flushes the file to disk and returns the number of rows written.
    pub fn finish(mut self) -> Result<u64, IngestError> {
        self.writer
            .flush()
            .map_err(|err| IngestError::io(&self.path, err))?;
        let buffered = self
            .writer
            .into_inner()
            .map_err(|err| IngestError::io(&self.path, err.into_error()))?;
        let file = buffered
            .into_inner()
            .map_err(|err| IngestError::io(&self.path, err.into_error()))?;
        file.sync_all()
            .map_err(|err| IngestError::io(&self.path, err))?;
        Ok(self.n_rows)
    }
}

/// The reject-file record of one rejected row: `REJECT_COLUMNS`, then the row's values
/// as text (the original text of cells that did not parse).
pub fn reject_record(source: &SourceBatch, row_idx: usize, rejection: &Rejection) -> Vec<String> {
    let mut record = Vec::with_capacity(REJECT_COLUMNS.len() + READ_COLUMNS.len());
    record.push(rejection.row.to_string());
    record.push(rejection.field.to_owned());
    record.push(rejection.reason.as_str().to_owned());
    record.push(rejection.message.clone());
    for column_idx in 0..READ_COLUMNS.len() {
        record.push(render_cell(source, row_idx, column_idx));
    }
    record
}

/// The text of one cell of a source row: the original text if it failed to parse,
/// otherwise the parsed value.
fn render_cell(source: &SourceBatch, row_idx: usize, column_idx: usize) -> String {
    // Raw cells are recorded in row order.
    let first = source
        .raw_cells
        .partition_point(|(raw_row_idx, _, _)| *raw_row_idx < row_idx);
    let raw = source.raw_cells[first..]
        .iter()
        .take_while(|(raw_row_idx, _, _)| *raw_row_idx == row_idx)
        .find(|(_, raw_column_idx, _)| *raw_column_idx == column_idx);
    if let Some((_, _, raw)) = raw {
        return raw.clone();
    }
    let array = source.batch.column(column_idx);
    if array.is_null(row_idx) {
        return String::new();
    }
    match COLUMN_TYPES[column_idx] {
        ColumnType::Text => downcast::<StringArray>(array).value(row_idx).to_owned(),
        ColumnType::Timestamp => {
            format_timestamp(downcast::<TimestampMicrosecondArray>(array).value(row_idx))
        }
        ColumnType::F32 => downcast::<Float32Array>(array).value(row_idx).to_string(),
        ColumnType::F64 => downcast::<Float64Array>(array).value(row_idx).to_string(),
    }
}

fn downcast<T: 'static>(array: &dyn Array) -> &T {
    array
        .as_any()
        .downcast_ref::<T>()
        .expect("source batches follow the input schema")
}

fn csv_error(path: &Path, err: csv::Error) -> IngestError {
    let message = err.to_string();
    match err.into_kind() {
        csv::ErrorKind::Io(source) => IngestError::io(path, source),
        _ => IngestError::bad_file(path, message),
    }
}
