//! `corridor import`: cameras and reads files into a data directory.

use super::DataDir;
use anyhow::Context;
use corridor_ingest::{Format, ImportMode, ImportOptions, ImportProgress, ValidationConfig};
use corridor_store::{Store, StoreConfig};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `corridor import`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// Cameras CSV: camera_id,name,lat,lon,heading,country,operator,kind,infrared
    /// (see docs/schema.md). Reads may name these cameras and those already stored.
    #[arg(long, env = "CORRIDOR_IMPORT_CAMERAS", value_name = "FILE")]
    cameras: Option<PathBuf>,
    /// Reads file: CSV, Parquet, NDJSON or JSON array in the exchange schema.
    #[arg(
        long,
        env = "CORRIDOR_IMPORT_READS",
        value_name = "FILE",
        required_unless_present = "cameras"
    )]
    reads: Option<PathBuf>,
    /// Import the good rows and write the bad ones, with row, field and reason, to this
    /// CSV file. Without it the first bad row aborts the import and nothing is stored.
    #[arg(long, env = "CORRIDOR_IMPORT_REJECT_FILE", value_name = "PATH")]
    reject_file: Option<PathBuf>,
    /// Format of --reads; by default told from its extension (.csv, .parquet, .ndjson,
    /// .jsonl, .json).
    #[arg(long, env = "CORRIDOR_IMPORT_FORMAT", value_name = "FORMAT", value_parser = parse_format)]
    format: Option<Format>,
    /// How far in the future a read's timestamp may lie (camera clock skew), e.g. 5m.
    #[arg(long, env = "CORRIDOR_CLOCK_SKEW", value_name = "DURATION", default_value = "5m", value_parser = super::store::parse_duration)]
    clock_skew: Duration,
    /// Rows per batch; about two batches are in memory at once.
    #[arg(long, env = "CORRIDOR_IMPORT_BATCH_ROWS", value_name = "N", default_value_t = corridor_ingest::BATCH_ROWS_DEFAULT)]
    batch_rows: usize,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let store = Store::open(&args.data.path, StoreConfig::default())
        .with_context(|| format!("opening the store in {}", args.data.path.display()))?;
    let Some(reads) = &args.reads else {
        let path = args
            .cameras
            .as_deref()
            .expect("clap requires --cameras without --reads");
        let cameras = corridor_ingest::read_cameras(path)?;
        store.upsert_cameras(&cameras).context("storing cameras")?;
        println!("imported {} cameras from {}", cameras.len(), path.display());
        return Ok(());
    };
    let options = ImportOptions {
        format: args.format,
        mode: match &args.reject_file {
            Some(path) => ImportMode::RejectFile(path.clone()),
            None => ImportMode::Strict,
        },
        batch_rows: args.batch_rows.max(1),
        validation: ValidationConfig {
            clock_skew_tolerance: args.clock_skew,
            ..ValidationConfig::now()
        },
    };
    let bar = progress_bar();
    let mut on_progress = |progress: ImportProgress| {
        if progress.total > 0 {
            bar.set_length(progress.total);
        }
        bar.set_position(progress.done);
        bar.set_message(format!("{} rows", progress.n_rows));
    };
    let result = corridor_ingest::import(
        &store,
        args.cameras.as_deref(),
        reads,
        &options,
        &mut on_progress,
    );
    bar.finish_and_clear();
    let report = result?;
    println!("{report}");
    if report.n_rejected > 0 {
        eprintln!(
            "{} rows rejected; see {}",
            report.n_rejected,
            report
                .reject_file
                .as_deref()
                .map_or("the reject file".into(), |path| path.display().to_string())
        );
    }
    Ok(())
}

/// A progress bar on a terminal, nothing otherwise.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {percent}% {msg} (eta {eta})",
    )
    .expect("the template is valid");
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn parse_format(raw: &str) -> Result<Format, String> {
    Format::parse(raw).ok_or_else(|| format!("`{raw}` is not one of csv, parquet, ndjson, json"))
}
