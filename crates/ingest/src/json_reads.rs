//! Reads in NDJSON (one object per line) and JSON (one array of objects).

use crate::columns::{
    COLUMN_TYPES, Cell, ColumnType, ColumnsBuilder, READ_COLUMNS, SourceBatch, column_index,
    parse_timestamp,
};
use crate::{IngestError, RejectReason};
use serde_json::Value;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// The longest line (NDJSON) or array element (JSON) accepted, so that one bad record
/// cannot exhaust memory.
pub const RECORD_BYTES_MAX: usize = 1 << 20;

/// How the objects are laid out in the file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum JsonLayout {
    /// One object per line; rows are line numbers.
    Lines,
    /// One array of objects; rows are 1-based element positions.
    Array,
}

/// Streams NDJSON or JSON reads as `SourceBatch`es.
#[derive(Debug)]
pub(crate) struct JsonReads<R: BufRead> {
    path: PathBuf,
    input: R,
    layout: JsonLayout,
    batch_rows: usize,
    /// Lines (NDJSON) or elements (JSON) consumed.
    n_records: u64,
    n_bytes: u64,
    state: ArrayState,
    buffer: Vec<u8>,
    done: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ArrayState {
    BeforeOpen,
    BeforeElement,
    Closed,
}

impl<R: BufRead> JsonReads<R> {
    pub(crate) fn new(
        path: &Path,
        input: R,
        layout: JsonLayout,
        batch_rows: usize,
    ) -> JsonReads<R> {
        JsonReads {
            path: path.to_owned(),
            input,
            layout,
            batch_rows: batch_rows.max(1),
            n_records: 0,
            n_bytes: 0,
            state: ArrayState::BeforeOpen,
            buffer: Vec::new(),
            done: false,
        }
    }

    /// Bytes consumed so far, for progress.
    pub(crate) fn byte_offset(&self) -> u64 {
        self.n_bytes
    }

    fn next_batch(&mut self) -> Result<Option<SourceBatch>, IngestError> {
        let mut builder = ColumnsBuilder::new(self.batch_rows.min(1 << 16));
        while builder.len() < self.batch_rows {
            let found = match self.layout {
                JsonLayout::Lines => self.next_line()?,
                JsonLayout::Array => self.next_element()?,
            };
            if !found {
                self.done = true;
                break;
            }
            push_object(&mut builder, self.n_records, &self.buffer);
        }
        Ok((builder.len() > 0).then(|| builder.finish()))
    }

    /// Reads the next non-blank line into `buffer`; false at the end of the file.
    fn next_line(&mut self) -> Result<bool, IngestError> {
        loop {
            self.buffer.clear();
            let n_read = read_bounded(&mut self.input, &mut self.buffer, &self.path)?;
            if n_read == 0 {
                return Ok(false);
            }
            self.n_bytes += n_read as u64;
            self.n_records += 1;
            if self.buffer.len() > RECORD_BYTES_MAX {
                let reason = format!(
                    "line {} is longer than {RECORD_BYTES_MAX} bytes",
                    self.n_records
                );
                return Err(IngestError::bad_file(&self.path, reason));
            }
            if !self.buffer.iter().all(u8::is_ascii_whitespace) {
                return Ok(true);
            }
        }
    }

    /// Reads the next element of the top-level array into `buffer`; false after `]`.
    fn next_element(&mut self) -> Result<bool, IngestError> {
        if self.state == ArrayState::BeforeOpen {
            match self.next_significant_byte()? {
                Some(b'[') => self.state = ArrayState::BeforeElement,
                _ => {
                    return Err(IngestError::bad_file(
                        &self.path,
                        "expected a JSON array of reads",
                    ));
                }
            }
        }
        if self.state == ArrayState::Closed {
            return self.expect_end().map(|()| false);
        }
        self.buffer.clear();
        let terminator = self.scan_element()?;
        let is_blank = self.buffer.iter().all(u8::is_ascii_whitespace);
        if terminator == b']' {
            self.state = ArrayState::Closed;
            if is_blank && self.n_records == 0 {
                return self.expect_end().map(|()| false);
            }
        }
        if is_blank {
            let reason = format!("element {} of the array is empty", self.n_records + 1);
            return Err(IngestError::bad_file(&self.path, reason));
        }
        self.n_records += 1;
        Ok(true)
    }

    /// Copies bytes into `buffer` up to the `,` or `]` that ends the current element
    /// (outside strings and nested values); returns that byte.
    fn scan_element(&mut self) -> Result<u8, IngestError> {
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let Some(byte) = self.next_byte()? else {
                return Err(IngestError::bad_file(
                    &self.path,
                    "the JSON array is not closed",
                ));
            };
            if in_string {
                match (escaped, byte) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else {
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    b',' | b']' if depth == 0 => return Ok(byte),
                    _ => {}
                }
            }
            self.buffer.push(byte);
            if self.buffer.len() > RECORD_BYTES_MAX {
                let reason = format!(
                    "element {} of the array is longer than {RECORD_BYTES_MAX} bytes",
                    self.n_records + 1
                );
                return Err(IngestError::bad_file(&self.path, reason));
            }
        }
    }

    fn expect_end(&mut self) -> Result<(), IngestError> {
        match self.next_significant_byte()? {
            None => Ok(()),
            Some(_) => Err(IngestError::bad_file(
                &self.path,
                "text after the end of the JSON array",
            )),
        }
    }

    fn next_significant_byte(&mut self) -> Result<Option<u8>, IngestError> {
        loop {
            match self.next_byte()? {
                Some(byte) if byte.is_ascii_whitespace() => continue,
                other => return Ok(other),
            }
        }
    }

    fn next_byte(&mut self) -> Result<Option<u8>, IngestError> {
        let available = self
            .input
            .fill_buf()
            .map_err(|err| IngestError::io(&self.path, err))?;
        let Some(&byte) = available.first() else {
            return Ok(None);
        };
        self.input.consume(1);
        self.n_bytes += 1;
        Ok(Some(byte))
    }
}

impl<R: BufRead> Iterator for JsonReads<R> {
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

/// Reads up to and including the next `\n`, but stops storing past the record limit.
fn read_bounded<R: BufRead>(
    input: &mut R,
    buffer: &mut Vec<u8>,
    path: &Path,
) -> Result<usize, IngestError> {
    let mut n_read = 0;
    loop {
        let available = input.fill_buf().map_err(|err| IngestError::io(path, err))?;
        if available.is_empty() {
            return Ok(n_read);
        }
        let (chunk, found) = match available.iter().position(|byte| *byte == b'\n') {
            Some(end) => (&available[..=end], true),
            None => (available, false),
        };
        let n_chunk = chunk.len();
        if buffer.len() <= RECORD_BYTES_MAX {
            buffer.extend_from_slice(chunk);
        }
        input.consume(n_chunk);
        n_read += n_chunk;
        if found {
            return Ok(n_read);
        }
    }
}

/// Parses one JSON object into the builder's columns, recording parse errors.
fn push_object(builder: &mut ColumnsBuilder, row: u64, bytes: &[u8]) {
    builder.start_row(row);
    let object = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(object)) => object,
        Ok(other) => {
            let message = format!("expected a JSON object, found {}", json_kind(&other));
            builder.push_bad_row(0, "row", message);
            return;
        }
        Err(err) => {
            builder.push_bad_row(0, "row", format!("invalid JSON: {err}"));
            return;
        }
    };
    if let Some(unknown) = object.keys().find(|key| column_index(key).is_none()) {
        let message = format!(
            "unknown field `{unknown}`; expected: {}",
            READ_COLUMNS.join(",")
        );
        builder.push_bad_row(0, "row", message);
        return;
    }
    for (column_idx, name) in READ_COLUMNS.iter().enumerate() {
        let value = object.get(*name).unwrap_or(&Value::Null);
        match json_cell(COLUMN_TYPES[column_idx], value) {
            Ok(cell) => builder.push_cell(column_idx, cell),
            Err(message) => {
                let raw = value.to_string();
                builder.push_unparsable(column_idx, raw, RejectReason::Unparsable, message);
            }
        }
    }
}

fn json_cell(column_type: ColumnType, value: &Value) -> Result<Cell<'_>, String> {
    match (column_type, value) {
        (_, Value::Null) => Ok(Cell::Null),
        (ColumnType::Text, Value::String(text)) if text.is_empty() => Ok(Cell::Null),
        (ColumnType::Text, Value::String(text)) => Ok(Cell::Text(text)),
        (ColumnType::Timestamp, Value::String(text)) => parse_timestamp(text).map(Cell::Timestamp),
        (ColumnType::F32 | ColumnType::F64, Value::Number(number)) => match number.as_f64() {
            Some(number) if number.is_finite() => Ok(Cell::Number(number)),
            _ => Err(format!("{number} is not a finite number")),
        },
        (ColumnType::Text | ColumnType::Timestamp, other) => Err(format!(
            "expected a string, found {} {other}",
            json_kind(other)
        )),
        (ColumnType::F32 | ColumnType::F64, other) => Err(format!(
            "expected a number, found {} {other}",
            json_kind(other)
        )),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
