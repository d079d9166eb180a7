//! `corridor serve`: the HTTP API over a data directory, behind the safeguards, with alerts.

use super::DataDir;
use anyhow::Context;
use corridor_safeguards::SafeguardsConfig;
use corridor_server::{AnalysisEngineConfig, Limits, Server, ServerConfig, WebhookTarget};
use corridor_store::{Store, StoreConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `corridor serve`.
///
/// The first line printed on stdout is `listening on http://ADDR`, with the real port
/// when `--listen` asks for port 0. SIGTERM or Ctrl-C stops the server gracefully:
/// requests in flight finish and the store is flushed.
///
/// Every route but `/health` needs `Authorization: Bearer <token>`; create users and
/// tokens with `corridor users add` (before starting the server: it reads the user
/// directory when it starts).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// Address to listen on; port 0 picks a free port.
    #[arg(
        long,
        env = "CORRIDOR_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    listen: SocketAddr,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "CORRIDOR_REQUEST_BYTES_MAX", default_value_t = Limits::default().request_bytes_max)]
    request_bytes_max: usize,
    /// Most reads in one POST /api/v1/reads request.
    #[arg(long, env = "CORRIDOR_BATCH_ROWS_MAX", default_value_t = Limits::default().batch_rows_max)]
    batch_rows_max: usize,
    /// Most reads one history query returns.
    #[arg(long, env = "CORRIDOR_RESULT_ROWS_MAX", default_value_t = Limits::default().result_rows_max)]
    result_rows_max: usize,
    /// How far in the future (seconds) a read's timestamp may lie, for camera clock skew.
    #[arg(long, env = "CORRIDOR_CLOCK_SKEW_SECS_MAX", default_value_t = Limits::default().clock_skew_secs_max)]
    clock_skew_secs_max: u64,
    /// Safeguards settings as JSON (`scope_rules`, `anomaly_rules`, `checkpoint_interval`,
    /// `oidc`, `audit_key_path`; see docs/safeguards.md). Defaults apply when absent.
    #[arg(long, env = "CORRIDOR_SAFEGUARDS_CONFIG", value_name = "FILE")]
    safeguards_config: Option<PathBuf>,
    /// URL every alert is POSTed to (signed; see docs/alerts.md, "Verifying a webhook").
    #[arg(
        long,
        env = "CORRIDOR_WEBHOOK_URL",
        value_name = "URL",
        requires = "webhook_secret"
    )]
    webhook_url: Option<String>,
    /// Shared secret of the webhook signature, at least 16 bytes.
    #[arg(
        long,
        env = "CORRIDOR_WEBHOOK_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    webhook_secret: Option<String>,
    /// Where analyses run their set-oriented plans: `embedded`, or `ballista://HOST:PORT`
    /// (a binary built with `--features ballista`; needs `--analysis-lake-reads`).
    #[arg(
        long,
        env = "CORRIDOR_ANALYSIS_ENGINE",
        default_value = "embedded",
        value_name = "ENGINE"
    )]
    analysis_engine: String,
    /// The lake's reads directory a cluster reads (`LAKE/reads/`, from `corridor store
    /// publish`); its background traffic then counts every node's published reads.
    #[arg(long, env = "CORRIDOR_ANALYSIS_LAKE_READS", value_name = "URL")]
    analysis_lake_reads: Option<String>,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let config = ServerConfig {
        listen: args.listen,
        data_dir: args.data.path.clone(),
        limits: Limits {
            request_bytes_max: args.request_bytes_max,
            batch_rows_max: args.batch_rows_max,
            result_rows_max: args.result_rows_max,
            result_rows_default: Limits::default()
                .result_rows_default
                .min(args.result_rows_max),
            clock_skew_secs_max: args.clock_skew_secs_max,
            ..Limits::default()
        },
        safeguards: safeguards_config(args.safeguards_config.as_deref())?,
        webhooks: args
            .webhook_url
            .map(|url| WebhookTarget {
                sink_id: "webhook".to_owned(),
                url,
                secret: args.webhook_secret.unwrap_or_default(),
            })
            .into_iter()
            .collect(),
        analysis: AnalysisEngineConfig {
            engine: args.analysis_engine,
            lake_reads: args.analysis_lake_reads,
            ..AnalysisEngineConfig::default()
        },
    };
    config.validate().map_err(anyhow::Error::msg)?;
    let store = Store::open(&args.data.path, StoreConfig::default())
        .with_context(|| format!("opening the store in {:?}", args.data.path))?;
    let store = Arc::new(store);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("corridor-http")
        .build()
        .context("starting the tokio runtime")?;
    runtime.block_on(serve(config, store))
}

async fn serve(config: ServerConfig, store: Arc<Store>) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    // Register both handlers before announcing the URL, so that a SIGTERM sent as soon as
    // the URL is read always stops the server gracefully.
    let mut terminate =
        signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    let server = Server::bind(config, store).await?;
    #[allow(
        clippy::print_stdout,
        reason = "the URL on stdout is this command's interface"
    )]
    {
        println!("listening on http://{}", server.local_addr());
    }
    let shutdown = async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!("SIGTERM: shutting down."),
            _ = interrupt.recv() => tracing::info!("SIGINT: shutting down."),
        }
    };
    server.run(shutdown).await?;
    Ok(())
}

fn safeguards_config(path: Option<&std::path::Path>) -> anyhow::Result<SafeguardsConfig> {
    let Some(path) = path else {
        return Ok(SafeguardsConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the safeguards configuration {path:?}"))?;
    serde_json::from_str(&text)
        .with_context(|| format!("parsing the safeguards configuration {path:?}"))
}
