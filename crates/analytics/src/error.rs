//! The one error type of the analytics crate.

/// Why an analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A reads batch lacks a column the analyses need, or has it with an unusable type.
    #[error("reads batch: column `{column}`: {reason}")]
    BadColumn {
        column: &'static str,
        reason: String,
    },
    /// A read names a camera that is not in the camera list.
    #[error("read `{read_id}` names camera `{camera_id}`, which is not in the camera list")]
    UnknownCamera { read_id: String, camera_id: String },
    /// A configuration value is out of its allowed range.
    #[error("config `{field}`: {reason}")]
    BadConfig { field: &'static str, reason: String },
    /// The time window is empty or reversed.
    #[error("time window: `from` ({from}) must be before `to` ({to})")]
    BadWindow { from: i64, to: i64 },
    /// More reads than the configured limit.
    #[error("{n_reads} reads exceed the limit of {limit} (config `reads_max`)")]
    TooManyReads { n_reads: usize, limit: usize },
    /// A DataFusion plan failed.
    #[error("query plan `{plan}` failed")]
    Plan {
        plan: &'static str,
        #[source]
        source: datafusion::error::DataFusionError,
    },
    /// The engine given is not one this build can use.
    #[error("engine `{raw}`: {reason}")]
    BadEngine { raw: String, reason: String },
    /// A Ballista engine was asked for, but this binary was built without Ballista.
    #[error(
        "engine ballista://{scheduler}: this binary was built without Ballista; rebuild with `--features ballista`"
    )]
    BallistaNotBuilt { scheduler: String },
    /// The Ballista cluster could not be reached or started.
    #[error("ballista cluster: {what}: {reason}")]
    Cluster { what: String, reason: String },
    /// The store could not answer a query.
    #[error("reading {what} from the store")]
    Store {
        what: String,
        #[source]
        source: Box<corridor_store::Error>,
    },
    /// Writing an export failed.
    #[error("writing {what}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}
