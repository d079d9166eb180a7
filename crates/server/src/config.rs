//! `ServerConfig`: where the server listens, the limits it enforces, the safeguards it
//! applies and the webhooks it delivers alerts to.

use corridor_safeguards::SafeguardsConfig;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything the HTTP server needs to know besides the store it serves.
///
/// Plain data, checked once by [`ServerConfig::validate`] before the server starts.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port (see [`crate::Server::local_addr`]).
    pub listen: SocketAddr,
    /// Data directory of the store, reported by `/health`.
    pub data_dir: PathBuf,
    /// The limits on requests and results.
    #[serde(default)]
    pub limits: Limits,
    /// Authentication (OIDC), purpose and scope rules, audit checkpoints.
    #[serde(default)]
    pub safeguards: SafeguardsConfig,
    /// Receivers that every alert is POSTed to (signed, retried until acknowledged).
    #[serde(default)]
    pub webhooks: Vec<WebhookTarget>,
    /// Where `POST /api/v1/analyses` runs the analyses' set-oriented plans.
    #[serde(default)]
    pub analysis: AnalysisEngineConfig,
}

/// The engine of the analyses' set-oriented plans (docs/scaling.md).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalysisEngineConfig {
    /// `embedded`, or `ballista://HOST:PORT` for an Apache Ballista cluster (a binary built
    /// with the `ballista` feature).
    pub engine: String,
    /// The lake's reads directory the cluster reads (`LAKE/reads/`, published by
    /// `corridor store publish`); required with a cluster, whose executors cannot see the
    /// server's own segments while compaction replaces them.
    pub lake_reads: Option<String>,
    /// Partitions of each plan on a cluster.
    pub partitions: usize,
}

impl Default for AnalysisEngineConfig {
    fn default() -> AnalysisEngineConfig {
        AnalysisEngineConfig {
            engine: "embedded".to_owned(),
            lake_reads: None,
            partitions: corridor_analytics::BALLISTA_PARTITIONS_DEFAULT,
        }
    }
}

impl AnalysisEngineConfig {
    /// The engine, or what is wrong with the setting.
    pub fn engine(&self) -> Result<corridor_analytics::Engine, String> {
        let engine = corridor_analytics::Engine::parse(&self.engine)
            .map_err(|err| format!("analysis engine: {err}"))?;
        if !engine.reads_parquet() {
            return Ok(engine);
        }
        let Some(lake_reads) = &self.lake_reads else {
            return Err("analysis engine: a cluster needs `lake_reads`".to_owned());
        };
        Ok(engine
            .with_reads(vec![lake_reads.clone()])
            .with_partitions(self.partitions))
    }
}

/// One webhook receiver of alerts (see docs/alerts.md, "Delivery").
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookTarget {
    /// Names the receiver's delivery cursor; keep it stable across restarts.
    pub sink_id: String,
    /// `http://` or `https://` URL the alerts are POSTed to.
    pub url: String,
    /// Shared secret of the HMAC signature, at least 16 bytes.
    pub secret: String,
}

/// Limits on what one request may ask for; each has a default suited to a single node.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request body accepted, in bytes (JSON and NDJSON alike).
    pub request_bytes_max: usize,
    /// Most reads in one `POST /api/v1/reads` request.
    pub batch_rows_max: usize,
    /// Most reads returned by one history query (`limit` may ask for fewer).
    pub result_rows_max: usize,
    /// Result rows returned when a history query gives no `limit`.
    pub result_rows_default: usize,
    /// Most cameras in one `PUT /api/v1/cameras` request.
    pub cameras_per_request_max: usize,
    /// Store calls (appends, queries) running at once; further requests wait their turn.
    pub store_calls_max: usize,
    /// How far in the future a read's `ts` may lie (clock skew of cameras), in seconds.
    pub clock_skew_secs_max: u64,
    /// Most hotlist entries or alerts one listing returns.
    pub list_items_max: usize,
    /// Camera images being read (plate detection and reading) at once; further uploads wait.
    pub vision_calls_max: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            request_bytes_max: 16 * 1024 * 1024,
            batch_rows_max: 10_000,
            result_rows_max: 10_000,
            result_rows_default: 1_000,
            cameras_per_request_max: 10_000,
            store_calls_max: 16,
            clock_skew_secs_max: 300,
            list_items_max: 1_000,
            vision_calls_max: 4,
        }
    }
}

impl ServerConfig {
    /// A configuration with default limits.
    pub fn new(listen: SocketAddr, data_dir: impl Into<PathBuf>) -> ServerConfig {
        ServerConfig {
            listen,
            data_dir: data_dir.into(),
            limits: Limits::default(),
            safeguards: SafeguardsConfig::default(),
            webhooks: Vec::new(),
            analysis: AnalysisEngineConfig::default(),
        }
    }

    /// Checks that every limit is usable; the message names the offending setting.
    pub fn validate(&self) -> Result<(), String> {
        let limits = &self.limits;
        let checks: [(&str, bool); 8] = [
            ("request_bytes_max", limits.request_bytes_max > 0),
            ("batch_rows_max", limits.batch_rows_max > 0),
            ("result_rows_max", limits.result_rows_max > 0),
            (
                "result_rows_default",
                (1..=limits.result_rows_max).contains(&limits.result_rows_default),
            ),
            (
                "cameras_per_request_max",
                limits.cameras_per_request_max > 0,
            ),
            ("store_calls_max", limits.store_calls_max > 0),
            ("list_items_max", limits.list_items_max > 0),
            ("vision_calls_max", limits.vision_calls_max > 0),
        ];
        for (name, ok) in checks {
            if !ok {
                return Err(format!("limit `{name}` is out of range"));
            }
        }
        self.analysis.engine()?;
        Ok(())
    }
}

impl Limits {
    /// The clock-skew tolerance as a duration.
    pub fn clock_skew(&self) -> Duration {
        Duration::from_secs(self.clock_skew_secs_max)
    }
}
