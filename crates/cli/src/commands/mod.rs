//! One module per subcommand, plus the option groups they share.

pub(crate) mod analyse;
pub(crate) mod audit;
pub(crate) mod convoys;
pub(crate) mod demo;
pub(crate) mod evidence;
pub(crate) mod history;
pub(crate) mod import;
pub(crate) mod local_audit;
pub(crate) mod read;
pub(crate) mod retention;
pub(crate) mod serve;
pub(crate) mod simulate;
pub(crate) mod store;
pub(crate) mod users;

use std::path::PathBuf;

/// The data directory option shared by every command that opens a store.
#[derive(Debug, clap::Args)]
pub(crate) struct DataDir {
    /// Data directory of the embedded store (created if missing).
    #[arg(long = "data", env = "CORRIDOR_DATA", value_name = "DIR")]
    pub(crate) path: PathBuf,
}

/// Logs go to stderr, filtered by `RUST_LOG` (default: warnings and errors).
pub(crate) fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
