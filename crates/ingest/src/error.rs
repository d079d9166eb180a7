//! The one error type of the ingest crate.

use crate::RejectReason;
use std::path::PathBuf;

/// Why an import (or a read of an input file) failed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// One value of one row was not accepted.
    #[error("{}:{row}: field `{field}`: {message}", .path.display())]
    BadField {
        path: PathBuf,
        /// The row's number: its line for CSV and NDJSON, its 1-based position for JSON
        /// arrays and Parquet.
        row: u64,
        field: &'static str,
        reason: RejectReason,
        message: String,
    },
    /// The file as a whole cannot be read as the exchange schema (header, columns, syntax).
    #[error("{}: {reason}", .path.display())]
    BadFile { path: PathBuf, reason: String },
    /// The operating system refused a read or a write.
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The store refused the import.
    #[error("store: {0}")]
    Store(#[from] corridor_store::Error),
}

impl IngestError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> IngestError {
        IngestError::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn bad_file(path: &std::path::Path, reason: impl Into<String>) -> IngestError {
        IngestError::BadFile {
            path: path.to_owned(),
            reason: reason.into(),
        }
    }
}
