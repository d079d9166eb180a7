//! `plans-bench`: throughput of the set-oriented plans (traffic per camera and hour, days
//! per plate) on the embedded engine and on one Ballista executor, over the same store.
//!
//! ```text
//! cargo build --release -p corridor-analytics --features ballista --example plans-bench
//! target/release/examples/plans-bench --data /tmp/plans-10m --reads 10000000 --seed 11 --runs 3
//! ```
//!
//! Options (all but `--data` optional): `--reads N` (10,000,000) and `--seed S` (11) of the
//! scenario that fills an empty store, `--runs R` (3) timed runs per engine, `--vcores V`
//! (2) task slots of the executor, `--partitions P` (2) partitions of each plan on the
//! cluster, `--json FILE` to write the figures.
//!
//! An example rather than a `[[bin]]`: it builds against the test build's dependencies
//! (the simulator is a dev-dependency), so CI's cached Ballista build serves it too.
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

use corridor_analytics::{AnalysisConfig, AnalysisInput, Engine, PlanOutputs, run_plans};
use corridor_sim::ScenarioConfig;
use corridor_store::{Store, StoreConfig};
use std::path::PathBuf;
use std::time::Instant;

/// Reads per `BulkImport::add_reads` call while filling a store.
const IMPORT_CHUNK_READS: usize = 100_000;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// What to measure.
#[derive(Debug)]
struct Args {
    data: PathBuf,
    reads: u64,
    seed: u64,
    runs: usize,
    vcores: usize,
    partitions: usize,
    json: Option<PathBuf>,
}

impl Args {
    fn parse() -> BenchResult<Args> {
        let mut args = Args {
            data: PathBuf::new(),
            reads: 10_000_000,
            seed: 11,
            runs: 3,
            vcores: 2,
            partitions: 2,
            json: None,
        };
        let mut raw = std::env::args().skip(1);
        while let Some(flag) = raw.next() {
            let value = raw.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--data" => args.data = PathBuf::from(value),
                "--reads" => args.reads = value.parse()?,
                "--seed" => args.seed = value.parse()?,
                "--runs" => args.runs = value.parse()?,
                "--vcores" => args.vcores = value.parse()?,
                "--partitions" => args.partitions = value.parse()?,
                "--json" => args.json = Some(PathBuf::from(value)),
                _ => return Err(format!("unknown option {flag}").into()),
            }
        }
        if args.data.as_os_str().is_empty() {
            return Err("--data DIR is required".into());
        }
        Ok(args)
    }
}

fn main() -> BenchResult<()> {
    let args = Args::parse()?;
    let config = StoreConfig {
        maintenance_interval: None,
        ..StoreConfig::default()
    };
    let store = Store::open(&args.data, config)?;
    store.flush()?;
    if store.stats().n_reads == 0 {
        fill(&store, &args)?;
    }
    let reads = store.scan(None, None)?.collect::<Result<Vec<_>, _>>()?;
    let input = AnalysisInput {
        reads,
        cameras: store.cameras(),
        seeds: Vec::new(),
        window: None,
    };
    let segment_files = corridor_store::lake::absolute_path_urls(&store.segment_paths())?;
    let cluster = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
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
            let outputs = run_plans(&input, &analysis, engine)?;
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
        let json = serde_json::to_vec_pretty(&figures)?;
        std::fs::write(path, json)?;
    }
    Ok(())
}

/// Imports a simulator scenario into the empty `store`.
fn fill(store: &Store, args: &Args) -> BenchResult<()> {
    let started = Instant::now();
    let scenario = corridor_sim::generate_in_memory(&ScenarioConfig::new(args.seed, args.reads))?;
    store.upsert_cameras(&scenario.cameras)?;
    let mut import = store.bulk_import();
    for chunk in scenario.reads.chunks(IMPORT_CHUNK_READS) {
        import.add_reads(chunk)?;
    }
    let report = import.commit()?;
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
) -> BenchResult<()> {
    let Some(first) = reference else {
        *reference = Some(outputs);
        return Ok(());
    };
    let same = first.n_reads == outputs.n_reads
        && first.camera_hours == outputs.camera_hours
        && first.plate_days == outputs.plate_days;
    if !same {
        return Err(format!(
            "the {} engine's plan outputs differ from the embedded engine's",
            engine.name()
        )
        .into());
    }
    Ok(())
}
