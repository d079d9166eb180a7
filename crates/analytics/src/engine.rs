//! Where the set-oriented plans run: embedded DataFusion, or an Apache Ballista cluster.

use crate::Error;

/// Partitions of a plan on a Ballista cluster unless told otherwise (file groups of the
/// scan and shuffle partitions of the aggregations).
pub const BALLISTA_PARTITIONS_DEFAULT: usize = 8;

/// The engine that runs the set-oriented plans (traffic per camera and hour, days per
/// plate). The sequence algorithms always run in this process.
///
/// ```
/// use corridor_analytics::Engine;
/// assert_eq!(Engine::parse("embedded").unwrap(), Engine::Embedded);
/// assert!(Engine::parse("spark://host:7077").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub enum Engine {
    /// DataFusion in this process, over the reads handed to the analysis (in memory).
    #[default]
    Embedded,
    /// DataFusion in this process, over Parquet files in the store's reads schema: the
    /// store's segments or a lake (`corridor_store::lake`). The same plans as on a cluster.
    EmbeddedParquet {
        /// Files or directories (`file:///...`, `s3://...`, or absolute paths).
        reads_urls: Vec<String>,
    },
    /// An Apache Ballista cluster: its scheduler plans, its executors read the Parquet
    /// files, so every executor must reach `reads_urls` under the same names.
    Ballista {
        /// The scheduler's `HOST:PORT`.
        scheduler: String,
        /// Files or directories, as for [`Engine::EmbeddedParquet`].
        reads_urls: Vec<String>,
        /// Partitions of each plan on the cluster.
        partitions: usize,
    },
}

impl Engine {
    /// Parses `embedded` or `ballista://HOST:PORT` (give a cluster its files with
    /// [`Engine::with_reads`]).
    ///
    /// Fails with [`Error::BallistaNotBuilt`] for `ballista://` when this crate was built
    /// without its `ballista` feature.
    pub fn parse(raw: &str) -> Result<Engine, Error> {
        if raw == "embedded" {
            return Ok(Engine::Embedded);
        }
        let bad = |reason: &str| Error::BadEngine {
            raw: raw.to_owned(),
            reason: reason.to_owned(),
        };
        let Some(scheduler) = raw.strip_prefix("ballista://") else {
            return Err(bad("use `embedded` or `ballista://HOST:PORT`"));
        };
        let scheduler = scheduler.trim_end_matches('/');
        let valid = scheduler
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !valid {
            return Err(bad("the scheduler must be given as HOST:PORT"));
        }
        if !cfg!(feature = "ballista") {
            return Err(Error::BallistaNotBuilt {
                scheduler: scheduler.to_owned(),
            });
        }
        Ok(Engine::Ballista {
            scheduler: scheduler.to_owned(),
            reads_urls: Vec::new(),
            partitions: BALLISTA_PARTITIONS_DEFAULT,
        })
    }

    /// Whether the plans read Parquet files (and so need [`Engine::with_reads`]).
    pub fn reads_parquet(&self) -> bool {
        !matches!(self, Engine::Embedded)
    }

    /// The engine reading the Parquet files or directories `reads_urls` (no change to
    /// [`Engine::Embedded`]).
    pub fn with_reads(mut self, urls: Vec<String>) -> Engine {
        match &mut self {
            Engine::Embedded => {}
            Engine::EmbeddedParquet { reads_urls } | Engine::Ballista { reads_urls, .. } => {
                *reads_urls = urls;
            }
        }
        self
    }

    /// The engine with `partitions` partitions per plan on a cluster (no change to the
    /// embedded engines).
    pub fn with_partitions(mut self, n_partitions: usize) -> Engine {
        if let Engine::Ballista { partitions, .. } = &mut self {
            *partitions = n_partitions.max(1);
        }
        self
    }

    /// A short name for logs and reports: `embedded`, `embedded-parquet`, `ballista`.
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Embedded => "embedded",
            Engine::EmbeddedParquet { .. } => "embedded-parquet",
            Engine::Ballista { .. } => "ballista",
        }
    }
}
