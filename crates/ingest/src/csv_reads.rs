//! Reads in CSV: a header row naming the exchange columns, then one read per row.

use crate::columns::{
    COLUMN_TYPES, ColumnsBuilder, READ_COLUMNS, REQUIRED, SourceBatch, parse_text_cell,
};
use crate::{IngestError, RejectReason};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Streams a CSV file of reads as `SourceBatch`es of at most `batch_rows` rows.
pub(crate) struct CsvReads<R: Read> {
    path: PathBuf,
    reader: csv::Reader<R>,
    /// For each exchange column, its index in the file's records (if present).
    positions: [Option<usize>; 13],
    n_fields: usize,
    batch_rows: usize,
    record: csv::ByteRecord,
    done: bool,
}

impl<R: Read> std::fmt::Debug for CsvReads<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvReads")
            .field("path", &self.path)
            .finish()
    }
}

impl<R: Read> CsvReads<R> {
    /// Reads and checks the header.
    pub(crate) fn new(
        path: &Path,
        input: R,
        batch_rows: usize,
    ) -> Result<CsvReads<R>, IngestError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(input);
        let header = reader
            .byte_headers()
            .map_err(|err| IngestError::bad_file(path, format!("header: {err}")))?
            .clone();
        let names = header_names(path, &header)?;
        let positions = column_positions(path, &names, &READ_COLUMNS, &REQUIRED)?;
        Ok(CsvReads {
            path: path.to_owned(),
            reader,
            positions,
            n_fields: names.len(),
            batch_rows: batch_rows.max(1),
            record: csv::ByteRecord::new(),
            done: false,
        })
    }

    /// Bytes consumed so far, for progress.
    pub(crate) fn byte_offset(&self) -> u64 {
        self.reader.position().byte()
    }

    fn next_batch(&mut self) -> Result<Option<SourceBatch>, IngestError> {
        let mut builder = ColumnsBuilder::new(self.batch_rows.min(1 << 16));
        while builder.len() < self.batch_rows {
            let more = match self.reader.read_byte_record(&mut self.record) {
                Ok(more) => more,
                Err(err) => return Err(csv_error(&self.path, err)),
            };
            if !more {
                self.done = true;
                break;
            }
            let row = self.record.position().map_or(0, |position| position.line());
            push_record(
                &mut builder,
                row,
                &self.record,
                &self.positions,
                self.n_fields,
            );
        }
        Ok((builder.len() > 0).then(|| builder.finish()))
    }
}

impl<R: Read> Iterator for CsvReads<R> {
    type Item = Result<SourceBatch, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let batch = self.next_batch();
        if batch.is_err() {
            self.done = true;
        }
        batch.transpose()
    }
}

/// Splits a CSV record into the builder's columns, recording parse errors.
fn push_record(
    builder: &mut ColumnsBuilder,
    row: u64,
    record: &csv::ByteRecord,
    positions: &[Option<usize>; 13],
    n_fields: usize,
) {
    builder.start_row(row);
    if record.len() != n_fields {
        let message = format!("row has {} fields, the header has {n_fields}", record.len());
        builder.push_bad_row(0, "row", message);
        return;
    }
    for (column_idx, position) in positions.iter().enumerate() {
        let raw = position
            .and_then(|position| record.get(position))
            .unwrap_or(b"");
        let Ok(text) = std::str::from_utf8(raw) else {
            let lossy = String::from_utf8_lossy(raw).into_owned();
            let message = "not valid UTF-8".to_owned();
            builder.push_unparsable(column_idx, lossy, RejectReason::Unparsable, message);
            continue;
        };
        match parse_text_cell(COLUMN_TYPES[column_idx], text) {
            Ok(cell) => builder.push_cell(column_idx, cell),
            Err(message) => builder.push_unparsable(
                column_idx,
                text.to_owned(),
                RejectReason::Unparsable,
                message,
            ),
        }
    }
}

/// The header's column names, without a leading byte-order mark.
pub(crate) fn header_names(
    path: &Path,
    header: &csv::ByteRecord,
) -> Result<Vec<String>, IngestError> {
    header
        .iter()
        .enumerate()
        .map(|(idx, raw)| {
            let raw = if idx == 0 {
                raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw)
            } else {
                raw
            };
            std::str::from_utf8(raw)
                .map(|name| name.trim().to_owned())
                .map_err(|_| IngestError::bad_file(path, "header: not valid UTF-8"))
        })
        .collect()
}

/// Maps each expected column to its position among `names`; unknown, repeated and missing
/// required columns are errors.
pub(crate) fn column_positions<const N: usize>(
    path: &Path,
    names: &[String],
    expected: &[&str; N],
    required: &[bool; N],
) -> Result<[Option<usize>; N], IngestError> {
    let mut positions = [None; N];
    for (position, name) in names.iter().enumerate() {
        let Some(idx) = expected.iter().position(|column| column == name) else {
            let reason = format!(
                "unknown column `{name}`; expected columns: {}",
                expected.join(",")
            );
            return Err(IngestError::bad_file(path, reason));
        };
        if positions[idx].is_some() {
            return Err(IngestError::bad_file(
                path,
                format!("column `{name}` appears twice"),
            ));
        }
        positions[idx] = Some(position);
    }
    for (idx, name) in expected.iter().enumerate() {
        if required[idx] && positions[idx].is_none() {
            let reason = format!("missing required column `{name}`");
            return Err(IngestError::bad_file(path, reason));
        }
    }
    Ok(positions)
}

fn csv_error(path: &Path, err: csv::Error) -> IngestError {
    match err.kind() {
        csv::ErrorKind::Io(_) => {
            let message = err.to_string();
            match err.into_kind() {
                csv::ErrorKind::Io(source) => IngestError::io(path, source),
                _ => IngestError::bad_file(path, message),
            }
        }
        _ => IngestError::bad_file(path, err.to_string()),
    }
}
