//! The one error type of the safeguards crate.

use std::path::PathBuf;

/// Why a safeguard refused or could not do its work.
///
/// Each variant carries what a user or operator needs to fix the problem.
#[derive(Debug, thiserror::Error)]
pub enum SafeguardsError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file on disk did not hold what it should.
    #[error("{path}: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    /// A value from outside (request, config, command line) was not acceptable.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// The caller could not be identified.
    #[error("authentication failed: {0}")]
    Unauthenticated(String),
    /// The caller is known but may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A named item does not exist.
    #[error("{kind} `{id}` not found")]
    NotFound { kind: &'static str, id: String },
    /// The item exists but is not in a state that allows the operation.
    #[error("{0}")]
    Conflict(String),
    /// A retention target (the store, the plate crops, the alert log) could not list or
    /// delete its data.
    #[error("retention target `{target}`: {source}")]
    Target {
        target: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl SafeguardsError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> SafeguardsError {
        SafeguardsError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>, reason: impl Into<String>) -> SafeguardsError {
        SafeguardsError::Corrupt {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// A retention target's failure, named by the target.
    pub fn target(
        target: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> SafeguardsError {
        SafeguardsError::Target {
            target: target.into(),
            source: source.into(),
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> SafeguardsError {
        SafeguardsError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = SafeguardsError> = std::result::Result<T, E>;
