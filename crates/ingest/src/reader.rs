//! One streaming reader over every reads format.

use crate::columns::SourceBatch;
use crate::csv_reads::CsvReads;
use crate::json_reads::{JsonLayout, JsonReads};
use crate::parquet_reads::ParquetReads;
use crate::{Format, IngestError};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Rows per batch unless configured otherwise.
pub const BATCH_ROWS_DEFAULT: usize = 1 << 16;

/// Streams the reads of one file as batches of at most `batch_rows` rows, in bounded memory.
///
/// ```no_run
/// # use corridor_ingest::ReadsReader;
/// # use std::path::Path;
/// let reader = ReadsReader::open(Path::new("reads.csv"), None, 65_536)?;
/// for batch in reader {
///     let batch = batch?;
///     println!("{} rows, {} unparsable", batch.batch.num_rows(), batch.parse_errors.len());
/// }
/// # Ok::<(), corridor_ingest::IngestError>(())
/// ```
#[derive(Debug)]
pub struct ReadsReader {
    path: PathBuf,
    format: Format,
    inner: Inner,
    total: u64,
}

#[derive(Debug)]
enum Inner {
    Csv(CsvReads<Box<dyn ReadDebug>>),
    Json(JsonReads<BufReader<Box<dyn ReadDebug>>>),
    Parquet(ParquetReads),
}

/// A `Read` that can be debug-printed (by name only).
pub trait ReadDebug: Read + Send {}
impl<R: Read + Send> ReadDebug for R {}

impl std::fmt::Debug for dyn ReadDebug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dyn Read")
    }
}

impl ReadsReader {
    /// Opens `path` as `format`, or as the format its extension names.
    pub fn open(
        path: &Path,
        format: Option<Format>,
        batch_rows: usize,
    ) -> Result<ReadsReader, IngestError> {
        let format = match format.or_else(|| Format::from_path(path)) {
            Some(format) => format,
            None => {
                let reason = "cannot tell the format from the file name; name it (csv, parquet, ndjson or json)";
                return Err(IngestError::bad_file(path, reason));
            }
        };
        if format == Format::Parquet {
            let reads = ParquetReads::open(path, batch_rows)?;
            let total = reads.n_rows_total();
            return Ok(ReadsReader {
                path: path.to_owned(),
                format,
                inner: Inner::Parquet(reads),
                total,
            });
        }
        let file = File::open(path).map_err(|err| IngestError::io(path, err))?;
        let total = file.metadata().map(|metadata| metadata.len()).unwrap_or(0);
        let mut reader = ReadsReader::from_reader(path, format, Box::new(file), batch_rows)?;
        reader.total = total;
        Ok(reader)
    }

    /// Reads a text format (CSV, NDJSON, JSON) from any reader; `path` names it in errors.
    pub fn from_reader(
        path: &Path,
        format: Format,
        input: Box<dyn ReadDebug>,
        batch_rows: usize,
    ) -> Result<ReadsReader, IngestError> {
        let inner = match format {
            Format::Csv => Inner::Csv(CsvReads::new(path, input, batch_rows)?),
            Format::Ndjson => Inner::Json(JsonReads::new(
                path,
                BufReader::with_capacity(1 << 16, input),
                JsonLayout::Lines,
                batch_rows,
            )),
            Format::Json => Inner::Json(JsonReads::new(
                path,
                BufReader::with_capacity(1 << 16, input),
                JsonLayout::Array,
                batch_rows,
            )),
            Format::Parquet => {
                return Err(IngestError::bad_file(
                    path,
                    "Parquet is read from a file, not a stream",
                ));
            }
        };
        Ok(ReadsReader {
            path: path.to_owned(),
            format,
            inner,
            total: 0,
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// How many rows the file probably holds: exact for Parquet, the size over a typical
    /// row's for text formats (0 when unknown).
    pub fn rows_expected(&self) -> u64 {
        match &self.inner {
            Inner::Parquet(_) => self.total,
            Inner::Csv(_) | Inner::Json(_) => self.total / TEXT_BYTES_PER_ROW,
        }
    }

    /// Progress as `(done, total)`: rows for Parquet, bytes for text formats; `total` is 0
    /// when unknown.
    pub fn progress(&self) -> (u64, u64) {
        let done = match &self.inner {
            Inner::Csv(reads) => reads.byte_offset(),
            Inner::Json(reads) => reads.byte_offset(),
            Inner::Parquet(reads) => reads.n_rows(),
        };
        (done, self.total)
    }
}

/// A typical read's size in CSV (about 110 bytes) and NDJSON (about 250): erring small
/// sizes an import's id filter for more rows than the file holds, which only costs memory.
const TEXT_BYTES_PER_ROW: u64 = 100;

impl Iterator for ReadsReader {
    type Item = Result<SourceBatch, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Csv(reads) => reads.next(),
            Inner::Json(reads) => reads.next(),
            Inner::Parquet(reads) => reads.next(),
        }
    }
}
