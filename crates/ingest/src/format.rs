//! Input file formats and their detection from a file name.

use std::fmt;
use std::path::Path;

/// An encoding of the exchange schema.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Newline-delimited JSON: one object per line.
    Ndjson,
    /// One JSON array of objects.
    Json,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [Format::Csv, Format::Parquet, Format::Ndjson, Format::Json];

    /// Guesses the format from the file extension (`.csv`, `.parquet`/`.pq`,
    /// `.ndjson`/`.jsonl`, `.json`), ignoring case; `None` when the extension says nothing.
    ///
    /// ```
    /// # use corridor_ingest::Format;
    /// # use std::path::Path;
    /// assert_eq!(Format::from_path(Path::new("reads.NDJSON")), Some(Format::Ndjson));
    /// assert_eq!(Format::from_path(Path::new("reads")), None);
    /// ```
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Format::Csv),
            "parquet" | "pq" => Some(Format::Parquet),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// Parses a format name as given on the command line.
    pub fn parse(raw: &str) -> Option<Format> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "parquet" => Some(Format::Parquet),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The lower-case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Ndjson => "ndjson",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
