//! `plans-bench`: throughput of the set-oriented plans (traffic per camera and hour, days
//! per plate) on the embedded engine and on one Ballista executor, over the same store.
//!
//! ```text
//! cargo build --release -p corridor-analytics --features ballista,eval --bin plans-bench
//! target/release/plans-bench --data /tmp/plans-10m --reads 10000000 --seed 11 --runs 3
//! ```
//!
//! An empty or missing `--data` directory is first filled with a simulator scenario
//! (`--reads`, `--seed`; the generator of `corridor simulate`) through the store's bulk
//! import; a store that holds reads is used as it is (its cameras must be registered).
//!
//! Engines, each over the same reads after the same corrections:
//! `embedded` (the MemTable of interned ids that `corridor analyse` uses), `embedded-parquet`
//! (DataFusion in this process over the store's segment files, the SQL a cluster runs) and
//! `ballista-1` (a scheduler and one executor in this process, talking gRPC on loopback,
//! over the same files). The outputs of every engine are checked to be identical.

use anyhow::Context;
use clap::Parser;
use corridor_analytics::{AnalysisConfig, AnalysisInput, Engine, PlanOutputs, run_plans};
use corridor_sim::ScenarioConfig;
use corridor_store::{Store, StoreConfig};
use std::path::PathBuf;
use std::time::Instant;

/// Reads per `BulkImport::add_reads` call while filling a store.
const IMPORT_CHUNK_READS: usize = 100_000;

/// Times the analyses' DataFusion plans on each engine over one data directory.
#[derive(Debug, Parser)]
struct Args {
    /// Data directory of a store; filled with a scenario when it holds no reads, otherwise
    /// opened and not changed but for a flush of reads still in its WAL.
    #[arg(long)]
    data: PathBuf,
    /// Reads of the scenario that fills an empty store.
    #[arg(long, default_value_t = 10_000_000)]
    reads: u64,
    /// Seed of that scenario.
    #[arg(long, default_value_t = 11)]
    seed: u64,
    /// Timed runs per engine (the best and every run are printed).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Task slots of the one executor.
    #[arg(long, default_value_t = 2)]
    vcores: usize,
    /// Partitions of each plan on the cluster.
    #[arg(long, default_value_t = 2)]
    partitions: usize,
    /// Also write the figures as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = StoreConfig {
        maintenance_interval: None,
        ..StoreConfig::default()
    };
    let store = Store::open(&args.data, config)
        .with_context(|| format!("opening the store in {:?}", args.data))?;
    store.flush().context("flushing the store")?;
    if store.stats().n_reads == 0 {
        fill(&store, &args)?;
    }
    let reads = store
        .scan(None, None)
        .context("scanning the store")?
        .collect::<Result<Vec<_>, _>>()
        .context("reading segments")?;
    let input = AnalysisInput {
        reads,
        cameras: store.cameras(),
        seeds: Vec::new(),
        window: None,
    };
    let segment_files = corridor_store::lake::absolute_path_urls(&store.segment_paths())
        .context("segment paths")?;
    let cluster = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the cluster's runtime")?;
    let scheduler = cluster.block_on(async {
        let scheduler = corridor_analytics::cluster::start_scheduler().await?;
        corridor_analytics::cluster::start_executor(scheduler, args.vcores).await?;
        Ok::<_, corridor_analytics::Error>(scheduler)
    })?;
    let engines = [
        Engine::Embedded,
        Engine::EmbeddedParquet {
            reads_urls: segment_files.clone(),
        },
        Engine::Ballista {
            scheduler: format!("localhost:{}", scheduler.port()),
            reads_urls: segment_files,
            partitions: args.partitions,
        },
    ];
    let analysis = AnalysisConfig::default();
    println!(
        "| engine | reads | plans, best of {} (s) | every run (s) | reads/s (best) |",
        args.runs
    );
    println!("| --- | --- | --- | --- | --- |");
    let mut reference: Option<PlanOutputs> = None;
    let mut figures = Vec::new();
    for engine in &engines {
        let mut runs_ms = Vec::new();
        for _ in 0..args.runs.max(1) {
            let outputs = run_plans(&input, &analysis, engine)
                .with_context(|| format!("plans on {}", engine.name()))?;
            runs_ms.push(outputs.plans_ms);
            check_same(&mut reference, outputs, engine)?;
        }
        let n_reads = reference.as_ref().map_or(0, |outputs| outputs.n_reads);
        let best_ms = runs_ms.iter().copied().min().unwrap_or(0).max(1);
        let label = match engine {
            Engine::Ballista { .. } => "ballista-1".to_owned(),
            other => other.name().to_owned(),
        };
        let every: Vec<String> = runs_ms
            .iter()
            .map(|ms| format!("{:.2}", *ms as f64 / 1000.0))
            .collect();
        let reads_per_sec = n_reads as f64 / (best_ms as f64 / 1000.0);
        println!(
            "| {label} | {n_reads} | {:.2} | {} | {reads_per_sec:.0} |",
            best_ms as f64 / 1000.0,
            every.join(", "),
        );
        figures.push(serde_json::json!({
            "engine": label, "n_reads": n_reads, "runs_ms": runs_ms,
            "best_ms": best_ms, "reads_per_sec": reads_per_sec,
        }));
    }
    if let Some(path) = &args.json {
        let json = serde_json::to_vec_pretty(&figures).context("serialising figures")?;
        std::fs::write(path, json).with_context(|| format!("writing {path:?}"))?;
    }
    Ok(())
}

/// Imports a simulator scenario into the empty `store`.
fn fill(store: &Store, args: &Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let scenario = corridor_sim::generate_in_memory(&ScenarioConfig::new(args.seed, args.reads))
        .context("generating the scenario")?;
    store
        .upsert_cameras(&scenario.cameras)
        .context("registering cameras")?;
    let mut import = store.bulk_import();
    for chunk in scenario.reads.chunks(IMPORT_CHUNK_READS) {
        import.add_reads(chunk).context("importing reads")?;
    }
    let report = import.commit().context("committing the import")?;
    eprintln!(
        "filled {:?} with scenario seed {} ({} reads stored) in {:.1} s",
        args.data,
        args.seed,
        report.n_imported,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Fails unless `outputs` equal the first engine's.
fn check_same(
    reference: &mut Option<PlanOutputs>,
    outputs: PlanOutputs,
    engine: &Engine,
) -> anyhow::Result<()> {
    let Some(first) = reference else {
        *reference = Some(outputs);
        return Ok(());
    };
    let same = first.n_reads == outputs.n_reads
        && first.camera_hours == outputs.camera_hours
        && first.plate_days == outputs.plate_days;
    anyhow::ensure!(
        same,
        "the {} engine's plan outputs differ from the embedded engine's",
        engine.name()
    );
    Ok(())
}
