//! The one error type of the alerts crate.

use std::path::PathBuf;

/// Why an alerts operation failed. Every variant names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// A file could not be read, written or synced.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A record in a durable log is damaged somewhere other than its torn tail.
    #[error("{path}: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    /// A row of a hotlist CSV import is wrong; nothing of the import was applied.
    #[error("csv line {line}: field `{field}`: {reason}")]
    CsvField {
        line: u64,
        field: String,
        reason: String,
    },
    /// A hotlist CSV import is wrong as a whole (missing header, unreadable file).
    #[error("csv: {reason}")]
    Csv { reason: String },
    /// A field of a hotlist entry, zone or watch is wrong.
    #[error("field `{field}`: {reason}")]
    BadField { field: &'static str, reason: String },
    /// The hotlist entry does not exist (or has been deleted).
    #[error("unknown hotlist entry {0}")]
    UnknownEntry(u64),
    /// The alert id is not in the alert log.
    #[error("unknown alert `{0}`")]
    UnknownAlert(String),
    /// A write or sync of the alert log failed earlier; it accepts nothing more until the
    /// process restarts (and replays it).
    #[error("the alert log stopped after a failed write: {0}")]
    Failed(String),
}

impl AlertError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> AlertError {
        let path = path.into();
        move |source| AlertError::Io { path, source }
    }

    pub(crate) fn bad_field(field: &'static str, reason: impl Into<String>) -> AlertError {
        AlertError::BadField {
            field,
            reason: reason.into(),
        }
    }
}
