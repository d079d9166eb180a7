//! Apache Ballista: a client session for the plans, and an in-process scheduler and
//! executors on loopback (tests, benchmarks, a one-machine cluster).
//!
//! ```text
//! corridor (client) --SQL plan (gRPC)--> scheduler --tasks--> executor 1 --> Parquet files
//!                                                   \------> executor 2 --> Parquet files
//! ```
//!
//! ```no_run
//! # async fn example() -> Result<(), corridor_analytics::Error> {
//! let scheduler = corridor_analytics::cluster::start_scheduler().await?;
//! corridor_analytics::cluster::start_executor(scheduler, 2).await?;
//! corridor_analytics::cluster::start_executor(scheduler, 2).await?;
//! let engine = corridor_analytics::Engine::Ballista {
//!     scheduler: scheduler.to_string(),
//!     reads_urls: vec!["file:///srv/lake/reads/".to_owned()],
//!     partitions: 4,
//! };
//! # Ok(()) }
//! ```
//!
//! Both run as tasks of the caller's Tokio runtime and stop with it.

use crate::Error;
use crate::plans::PLAN_BATCH_ROWS;
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::serde::BallistaCodec;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_core::utils::{default_config_producer, default_session_builder};
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::net::SocketAddr;
use std::sync::Arc;

/// Largest gRPC message between the client, the scheduler and the executors. A plan over
/// Parquet carries the analysis's relinked misreads as a `VALUES` list (about 50 bytes
/// each), which outgrows Ballista's 16 MiB default at a few hundred thousand.
pub const GRPC_MESSAGE_BYTES_MAX: usize = 256 << 20;

/// Starts a Ballista scheduler on an ephemeral loopback port; returns its address.
pub async fn start_scheduler() -> Result<SocketAddr, Error> {
    ballista_scheduler::standalone::new_standalone_scheduler_with_builder(
        Arc::new(default_session_builder),
        Arc::new(|| {
            default_config_producer()
                .with_ballista_grpc_client_max_message_size(GRPC_MESSAGE_BYTES_MAX)
        }),
        BallistaCodec::default(),
    )
    .await
    .map_err(|err| cluster_error("starting a scheduler", err))
}

/// Starts a Ballista executor with `vcores` task slots on an ephemeral loopback port and
/// registers it with the scheduler at `scheduler`.
pub async fn start_executor(scheduler: SocketAddr, vcores: usize) -> Result<(), Error> {
    let url = format!("http://localhost:{}", scheduler.port());
    let client = SchedulerGrpcClient::connect(url.clone())
        .await
        .map_err(|err| cluster_error(&format!("connecting to the scheduler at {url}"), err))?
        .max_decoding_message_size(GRPC_MESSAGE_BYTES_MAX)
        .max_encoding_message_size(GRPC_MESSAGE_BYTES_MAX);
    ballista_executor::new_standalone_executor(client, vcores.max(1), BallistaCodec::default())
        .await
        .map_err(|err| cluster_error("starting an executor", err))
}

/// A session whose plans run on the cluster whose scheduler listens at `scheduler`
/// (`HOST:PORT`), `partitions` partitions per plan.
pub(crate) async fn session(scheduler: &str, partitions: usize) -> Result<SessionContext, Error> {
    let config = SessionConfig::new_with_ballista()
        .with_target_partitions(partitions.max(1))
        .with_batch_size(PLAN_BATCH_ROWS)
        .with_ballista_grpc_client_max_message_size(GRPC_MESSAGE_BYTES_MAX);
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    SessionContext::remote_with_state(&format!("df://{scheduler}"), state)
        .await
        .map_err(|err| cluster_error(&format!("connecting to the scheduler at {scheduler}"), err))
}

fn cluster_error(what: &str, err: impl std::fmt::Display) -> Error {
    Error::Cluster {
        what: what.to_owned(),
        reason: err.to_string(),
    }
}
