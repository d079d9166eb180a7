//! `corridor store`: maintenance of a data directory (statistics, flush, compaction, purge,
//! publication to a lake).

use super::DataDir;
use anyhow::Context;
use corridor_store::{Store, StoreConfig};
use std::time::Duration;

/// Arguments of `corridor store`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Print counts and sizes: reads, plates, segments, bytes on disk and per read.
    Stats,
    /// Write the reads still only in the write-ahead log into Parquet segments.
    Flush,
    /// Merge the small segments of each day into larger ones.
    Compact,
    /// Remove every read older than a period from the WAL, segments and indexes.
    Purge {
        /// Age beyond which reads are removed, e.g. `90d`, `12h`, `30m` (units s, m, h, d, w).
        #[arg(long, env = "CORRIDOR_PURGE_OLDER_THAN", value_name = "DURATION", value_parser = parse_duration)]
        older_than: Duration,
    },
    /// Estimate each camera's clock error from the traffic (as `corridor analyse` does)
    /// and record them in the store's clock register, which `corridor convoys` applies.
    Clocks {
        #[command(flatten)]
        window: super::analyse::WindowArgs,
        /// Analysis settings as JSON (any subset of the fields of `AnalysisConfig`).
        #[arg(long, env = "CORRIDOR_ANALYSIS_CONFIG", value_name = "FILE")]
        config: Option<std::path::PathBuf>,
    },
    /// Flush, then mirror the committed segments into a Parquet lake partitioned by UTC day
    /// (`LAKE/reads/date=D/NODE_seg-N.parquet`) on any object store, for a Ballista cluster
    /// (`corridor analyse --engine ballista://... --lake-reads LAKE/reads/`) or other tools.
    Publish {
        /// The lake: `file:///absolute/dir`, or `s3://bucket/prefix` in a build with the
        /// `s3` feature (credentials, region and endpoint from the `AWS_*` variables).
        #[arg(long, env = "CORRIDOR_LAKE", value_name = "URL")]
        lake: String,
        /// This ingest node's id in the file names (a-z, 0-9, `-`); unique per node.
        #[arg(long, env = "CORRIDOR_NODE_ID", value_name = "ID")]
        node: String,
    },
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let store = Store::open(&args.data.path, StoreConfig::default())
        .with_context(|| format!("opening the store in {}", args.data.path.display()))?;
    match args.action {
        Action::Stats => print_stats(&store),
        Action::Flush => {
            store.flush().context("flushing the WAL into segments")?;
            println!(
                "flushed; {} reads in {} segments",
                store.stats().n_reads,
                store.stats().n_segments
            );
        }
        Action::Compact => {
            let report = store.compact().context("compacting segments")?;
            println!(
                "compacted {} segments into {} ({} reads rewritten)",
                report.n_segments_in, report.n_segments_out, report.n_reads
            );
        }
        Action::Purge { older_than } => {
            let age_us =
                i64::try_from(older_than.as_micros()).context("--older-than is too long")?;
            let cutoff = chrono::Utc::now().timestamp_micros().saturating_sub(age_us);
            let report = store
                .purge_older_than(cutoff)
                .context("purging expired reads")?;
            println!(
                "purged {} reads older than {}: {} segments deleted, {} rewritten",
                report.n_reads_removed,
                corridor_ingest::format_timestamp(cutoff),
                report.n_segments_deleted,
                report.n_segments_rewritten
            );
        }
        Action::Publish { lake, node } => publish(&store, &lake, &node)?,
        Action::Clocks { window, config } => clocks(&store, &window, config.as_deref())?,
    }
    Ok(())
}

fn publish(store: &Store, lake_url: &str, node: &str) -> anyhow::Result<()> {
    let node = corridor_store::lake::NodeId::parse(node).context("--node")?;
    let lake = corridor_store::lake::Lake::open(lake_url).context("--lake")?;
    store.flush().context("flushing the WAL into segments")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the upload runtime")?;
    let report = runtime
        .block_on(lake.publish(&node, &store.segment_paths()))
        .with_context(|| format!("publishing to {lake_url}"))?;
    println!(
        "published to {}: {} segments uploaded ({} bytes), {} unchanged, {} stale deleted",
        lake.reads_url(),
        report.n_uploaded,
        report.bytes_uploaded,
        report.n_unchanged,
        report.n_deleted
    );
    Ok(())
}

fn clocks(
    store: &Store,
    window: &super::analyse::WindowArgs,
    config: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let config = super::analyse::load_config(config)?;
    let (from, to, window) = window.parse()?;
    let input = corridor_analytics::AnalysisInput {
        reads: store
            .scan_collect(from, to)
            .context("reading the store's segments")?,
        cameras: store.cameras(),
        seeds: Vec::new(),
        window,
    };
    let skews =
        corridor_analytics::camera_clocks(&input, &config).context("estimating camera clocks")?;
    let register = super::analyse::record_clock_register(store, &input, &skews)?;
    println!(
        "{} of {} cameras have a clock error, estimated over {} reads; recorded in {}:",
        register.cameras.len(),
        store.cameras().len(),
        register.n_reads,
        store.dir().join("clock.json").display()
    );
    for camera in &register.cameras {
        println!(
            "  {:<16} {:+.0} s",
            camera.camera_id,
            camera.skew_us as f64 / 1e6
        );
    }
    Ok(())
}

fn print_stats(store: &Store) {
    let stats = store.stats();
    let per_read = |bytes: u64| {
        if stats.n_reads == 0 {
            0.0
        } else {
            bytes as f64 / stats.n_reads as f64
        }
    };
    println!("data directory   {}", store.dir().display());
    println!("reads            {:>14}", stats.n_reads);
    println!("  in the WAL     {:>14}", stats.n_memtable_reads);
    println!("plates           {:>14}", stats.n_plates);
    println!("cameras          {:>14}", store.cameras().len());
    println!("segments         {:>14}", stats.n_segments);
    println!(
        "bytes on disk    {:>14}  ({:.1} per read)",
        stats.bytes_on_disk,
        per_read(stats.bytes_on_disk)
    );
    println!(
        "  segments       {:>14}  ({:.1} per read)",
        stats.segment_bytes,
        per_read(stats.segment_bytes)
    );
    println!(
        "  indexes        {:>14}  ({:.1} per read)",
        stats.index_bytes,
        per_read(stats.index_bytes)
    );
    println!("  WAL            {:>14}", stats.wal_bytes);
}

/// Parses a period such as `90d`, `12h`, `30m`, `45s` or `2w`.
pub(crate) fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let split = raw
        .find(|ch: char| !ch.is_ascii_digit())
        .unwrap_or(raw.len());
    let (digits, unit) = raw.split_at(split);
    let count: u64 = digits
        .parse()
        .map_err(|_| format!("`{raw}` is not a period like 90d, 12h, 30m or 45s"))?;
    let unit_secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("`{raw}`: the unit must be one of s, m, h, d, w")),
    };
    count
        .checked_mul(unit_secs)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("`{raw}` is too long"))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_parse_with_units_and_reject_the_rest() {
        assert_eq!(parse_duration("90d"), Ok(Duration::from_secs(90 * 86_400)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_secs(14 * 86_400)));
        assert!(parse_duration("90").is_err());
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("3y").is_err());
    }
}
