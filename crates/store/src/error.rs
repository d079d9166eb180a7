//! The one error type of the store.

use std::path::PathBuf;

/// Why a store operation failed. Each variant says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file of the store could not be read or written (disk full, permissions, ...).
    #[error("{action} {path:?}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A Parquet segment could not be read or written.
    #[error("parquet file {path:?}: {source}")]
    Parquet {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// An Arrow kernel failed on a batch.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// The read id is already stored with other content; reads are never overwritten.
    #[error("read id `{read_id}` is already stored with different content")]
    ConflictingReadId { read_id: String },
    /// A read did not pass validation before it reached the store.
    #[error("read `{read_id}`: {reason}")]
    InvalidRead { read_id: String, reason: String },
    /// A record batch does not follow the canonical reads schema.
    #[error("batch row {row}: column `{column}`: {reason}")]
    BadBatch {
        row: usize,
        column: String,
        reason: String,
    },
    /// A file of the store is damaged in a way recovery cannot repair.
    #[error("{path:?} is corrupt: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    /// Another process holds the data directory.
    #[error("data directory {dir:?} is in use by another process (lock file {dir:?}/LOCK)")]
    Locked { dir: PathBuf },
    /// A WAL write or fsync failed earlier; acknowledged state is unknown, so the store
    /// refuses further writes until it is reopened.
    #[error("the store stopped accepting writes after a failed WAL write: {reason}; reopen it")]
    Poisoned { reason: String },
    /// A search query could not be understood.
    #[error("search `{text}`: {reason}")]
    BadQuery { text: String, reason: String },
    /// A lake (an `object_store` location the segments are published to) refused an
    /// operation or could not be opened.
    #[error("lake {location}: {action}: {source}")]
    Lake {
        action: &'static str,
        location: String,
        #[source]
        source: object_store::Error,
    },
    /// A lake setting (URL, node id) is not usable.
    #[error("lake: {reason}")]
    BadLake { reason: String },
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn parquet(
        path: impl Into<PathBuf>,
        source: parquet::errors::ParquetError,
    ) -> Error {
        Error::Parquet {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> Error {
        Error::Corrupt {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
