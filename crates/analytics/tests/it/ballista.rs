//! The plans on a Ballista cluster (a scheduler and two executors in this process, on
//! loopback) over a lake two stores published to, against the embedded engine.
//!
//! `cargo test -p corridor-analytics --features ballista --test it`

use corridor_analytics::{
    AnalysisConfig, AnalysisInput, Engine, PlanOutputs, TimeWindow, analyse_on, run_plans,
};
use corridor_domain::{PlateRead, PlateText};
use corridor_sim::{Scenario, ScenarioConfig};
use corridor_store::lake::{Lake, NodeId};
use corridor_store::{Store, StoreConfig};
use datafusion::arrow::record_batch::RecordBatch;
use std::path::Path;

const SCENARIO_SEED: u64 = 9;
const SCENARIO_READS: u64 = 30_000;
const EXECUTOR_VCORES: usize = 2;
const CLUSTER_PARTITIONS: usize = 4;

/// A scheduler and two executors, alive as long as the runtime.
struct Cluster {
    _runtime: tokio::runtime::Runtime,
    scheduler: String,
}

fn start_cluster() -> Cluster {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime starts");
    let scheduler = runtime.block_on(async {
        let scheduler = corridor_analytics::cluster::start_scheduler()
            .await
            .expect("the scheduler starts");
        for _ in 0..2 {
            corridor_analytics::cluster::start_executor(scheduler, EXECUTOR_VCORES)
                .await
                .expect("an executor starts");
        }
        scheduler
    });
    assert!(scheduler.ip().is_loopback(), "{scheduler}");
    Cluster {
        _runtime: runtime,
        scheduler: format!("localhost:{}", scheduler.port()),
    }
}

/// Stores `reads` in a fresh store under `dir` (flushed into day segments), publishes
/// them to `lake` as `node`, and returns what the store holds (duplicates dropped).
fn publish_node(dir: &Path, lake: &Lake, node: &str, reads: &[PlateRead]) -> Vec<RecordBatch> {
    let config = StoreConfig {
        maintenance_interval: None,
        ..StoreConfig::default()
    };
    let store = Store::open(dir, config).expect("the store opens");
    store.append_durable(reads).expect("reads are stored");
    store.flush().expect("the store flushes");
    let node = NodeId::parse(node).expect("a valid node id");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime starts");
    runtime
        .block_on(lake.publish(&node, &store.segment_paths()))
        .expect("the segments publish");
    store
        .scan(None, None)
        .expect("the store scans")
        .collect::<Result<Vec<_>, _>>()
        .expect("the segments read")
}

struct Fixture {
    scenario: Scenario,
    /// Every read of both nodes, as the stores hold them.
    reads: Vec<RecordBatch>,
    lake_reads: String,
    node_a_reads: String,
    _tmp: tempfile::TempDir,
}

/// The scenario's reads split between two ingest nodes, both published to one lake.
fn fixture() -> Fixture {
    let scenario =
        corridor_sim::generate_in_memory(&ScenarioConfig::new(SCENARIO_SEED, SCENARIO_READS))
            .expect("the simulator runs");
    let tmp = tempfile::tempdir().expect("a temp dir");
    let lake_dir = tmp.path().join("lake");
    let lake = Lake::open(&format!("file://{}", lake_dir.display())).expect("the lake opens");
    let even: Vec<PlateRead> = scenario.reads.iter().step_by(2).cloned().collect();
    let odd: Vec<PlateRead> = scenario.reads.iter().skip(1).step_by(2).cloned().collect();
    let mut reads = publish_node(&tmp.path().join("node-a"), &lake, "node-a", &even);
    reads.extend(publish_node(
        &tmp.path().join("node-b"),
        &lake,
        "node-b",
        &odd,
    ));
    let node_a_files: Vec<String> = std::fs::read_dir(lake_dir.join("reads"))
        .expect("the lake has partitions")
        .flat_map(|day| std::fs::read_dir(day.expect("a partition").path()).expect("a dir"))
        .map(|file| file.expect("a file").path().display().to_string())
        .filter(|path| path.contains("/node-a_"))
        .collect();
    assert!(!node_a_files.is_empty());
    Fixture {
        lake_reads: lake.reads_url(),
        node_a_reads: node_a_files.join(","),
        scenario,
        reads,
        _tmp: tmp,
    }
}

fn input(fixture: &Fixture, seeds: Vec<PlateText>, window: Option<TimeWindow>) -> AnalysisInput {
    AnalysisInput {
        reads: fixture.reads.clone(),
        cameras: fixture.scenario.cameras.clone(),
        seeds,
        window,
    }
}

fn ballista(cluster: &Cluster, reads_urls: Vec<String>) -> Engine {
    Engine::parse(&format!("ballista://{}", cluster.scheduler))
        .expect("a ballista engine parses")
        .with_reads(reads_urls)
        .with_partitions(CLUSTER_PARTITIONS)
}

#[track_caller]
fn assert_same_plans(embedded: &PlanOutputs, other: &PlanOutputs) {
    assert_eq!(embedded.n_reads, other.n_reads);
    assert_same_rows("camera_hours", &embedded.camera_hours, &other.camera_hours);
    assert_same_rows("plate_days", &embedded.plate_days, &other.plate_days);
}

/// Equal row lists, or a failure naming the first rows that differ (not every row).
#[track_caller]
fn assert_same_rows<T: PartialEq + std::fmt::Debug>(what: &str, embedded: &[T], other: &[T]) {
    let differing: Vec<(usize, Option<&T>, Option<&T>)> = (0..embedded.len().max(other.len()))
        .map(|idx| (idx, embedded.get(idx), other.get(idx)))
        .filter(|(_, a, b)| a != b)
        .take(5)
        .collect();
    assert!(
        differing.is_empty(),
        "{what}: {} rows embedded, {} on the other engine; first differences (row, embedded, other): {differing:?}",
        embedded.len(),
        other.len()
    );
}

/// The report as JSON without its timings.
fn report_json(input: &AnalysisInput, engine: &Engine) -> serde_json::Value {
    let report = analyse_on(input, &AnalysisConfig::default(), engine).expect("analysis runs");
    let mut json = serde_json::to_value(&report).expect("reports serialise");
    json.as_object_mut()
        .expect("a report is an object")
        .remove("timings_ms");
    json
}

#[test]
fn issue_9_plans_on_a_ballista_cluster_over_a_two_node_lake_match_the_embedded_engine() {
    let fixture = fixture();
    let cluster = start_cluster();
    let config = AnalysisConfig::default();
    let lake = ballista(&cluster, vec![fixture.lake_reads.clone()]);

    let whole = input(&fixture, Vec::new(), None);
    let embedded = run_plans(&whole, &config, &Engine::Embedded).expect("embedded plans run");
    let whole_n_reads = embedded.n_reads;
    assert!(
        whole_n_reads > SCENARIO_READS as usize / 2,
        "{whole_n_reads}"
    );
    assert!(!embedded.camera_hours.is_empty() && !embedded.plate_days.is_empty());
    let on_cluster = run_plans(&whole, &config, &lake).expect("plans run on the cluster");
    assert_same_plans(&embedded, &on_cluster);
    let on_parquet = Engine::EmbeddedParquet {
        reads_urls: vec![fixture.lake_reads.clone()],
    };
    let embedded_parquet = run_plans(&whole, &config, &on_parquet).expect("plans run");
    assert_same_plans(&embedded, &embedded_parquet);

    // A window and seeds: the window is applied to the files on the cluster too.
    let from = whole_day(&fixture.scenario, 3);
    let window = Some(TimeWindow {
        from,
        to: from + 7 * 86_400_000_000,
    });
    let seeds: Vec<PlateText> = fixture
        .scenario
        .truth
        .seeds
        .iter()
        .map(|seed| PlateText::parse(&seed.plate).expect("seed plates are valid"))
        .collect();
    let windowed = input(&fixture, seeds, window);
    let embedded = run_plans(&windowed, &config, &Engine::Embedded).expect("embedded plans run");
    let on_cluster = run_plans(&windowed, &config, &lake).expect("plans run on the cluster");
    assert!(
        embedded.n_reads < whole_n_reads,
        "the window holds fewer reads"
    );
    assert_same_plans(&embedded, &on_cluster);
    assert_eq!(
        report_json(&windowed, &Engine::Embedded),
        report_json(&windowed, &lake)
    );

    // Half of the lake (one node's files) gives other traffic: the cluster reads the files.
    let half = ballista(
        &cluster,
        fixture.node_a_reads.split(',').map(str::to_owned).collect(),
    );
    let on_half = run_plans(&whole, &config, &half).expect("plans run on the cluster");
    assert_ne!(
        on_half.plate_days,
        run_plans(&whole, &config, &lake)
            .expect("plans run")
            .plate_days
    );
}

#[test]
fn issue_9_whole_report_on_the_cluster_matches_the_embedded_report() {
    let fixture = fixture();
    let cluster = start_cluster();
    let whole = input(&fixture, Vec::new(), None);
    let lake = ballista(&cluster, vec![fixture.lake_reads.clone()]);
    assert_eq!(
        report_json(&whole, &Engine::Embedded),
        report_json(&whole, &lake)
    );
}

/// Midnight UTC starting the scenario's `day`-th day.
fn whole_day(scenario: &Scenario, day: i64) -> i64 {
    let first = scenario
        .reads
        .iter()
        .map(|read| read.ts)
        .min()
        .expect("reads");
    (first.div_euclid(86_400_000_000) + day) * 86_400_000_000
}
