//! `analytics-eval`: accuracy and speed of `corridor analyse` on simulator scenarios, side
//! by side with a naive DuckDB SQL baseline (`scripts/naive_duckdb.py`) on the same data.
//!
//! ```text
//! cargo run --release -p corridor-analytics --features eval --bin analytics-eval -- \
//!     --scenario-seeds 1001,1002,1003 --reads 1000000
//! ```
//!
//! Each scenario's reports are written beside it (`corridor-discovery.json`,
//! `corridor-seeded.json`) for comparing findings with `truth.json`.

use anyhow::Context;
use clap::Parser;
use corridor_analytics::eval::{
    Explainer, PrecisionRecall, Scores, convoy_pairs_by_outcome, false_hubs, missed_hubs,
    missed_routes, score, truth_read_ids,
};
use corridor_analytics::{AnalysisConfig, AnalysisInput, Report, analyse};
use corridor_domain::PlateText;
use corridor_sim::{ScenarioConfig, Truth};
use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionConfig, SessionContext};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

/// Scores Corridor's analyses and the naive DuckDB baseline on fresh simulator scenarios.
#[derive(Debug, Parser)]
struct Args {
    /// Simulator seeds of the scenarios (not the ones used while developing: 7 and 8).
    #[arg(long, value_delimiter = ',', default_value = "1001,1002,1003")]
    scenario_seeds: Vec<u64>,
    /// Reads per scenario.
    #[arg(long, default_value_t = 1_000_000)]
    reads: u64,
    /// Days per scenario.
    #[arg(long, default_value_t = 14)]
    days: u32,
    /// Planted networks per scenario (default: the simulator's, scaled with --reads).
    #[arg(long)]
    networks: Option<u32>,
    /// Share of reads whose plate text is misread (default: the simulator's, 0.02).
    #[arg(long)]
    misread_rate: Option<f64>,
    /// Where scenarios are generated (reused when already there).
    #[arg(long, default_value = "target/analytics-eval")]
    out: PathBuf,
    /// The naive baseline script.
    #[arg(long, default_value = "scripts/naive_duckdb.py")]
    script: PathBuf,
    /// Skip the DuckDB baseline.
    #[arg(long)]
    no_duckdb: bool,
    /// Also write every score as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Print why discovery, and the analysis with seeds, missed each hub it missed (the stops
    /// nearby), and how each convoy pair that discovery found, missed or wrongly reported
    /// scores, occasion by occasion.
    #[arg(long)]
    explain: bool,
}

struct Scenario {
    batches: Vec<RecordBatch>,
    cameras: Vec<corridor_domain::Camera>,
    truth: Truth,
    dir: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut all = Vec::new();
    for &seed in &args.scenario_seeds {
        let scenario = load_scenario(&args, seed)?;
        let n_reads: usize = scenario.batches.iter().map(RecordBatch::num_rows).sum();
        println!(
            "\n## Scenario seed {seed}: {n_reads} reads, {} days",
            args.days
        );
        let read_plates = read_plates(&scenario);
        let seeds: Vec<PlateText> = scenario
            .truth
            .seeds
            .iter()
            .filter_map(|s| PlateText::parse(&s.plate).ok())
            .collect();
        let (discovery, discovery_s) = run_corridor(&scenario, Vec::new())?;
        let (seeded, seeded_s) = run_corridor(&scenario, seeds.clone())?;
        // The reports beside the scenario, to compare findings with the truth by hand.
        for (name, report) in [("discovery", &discovery), ("seeded", &seeded)] {
            let path = scenario.dir.join(format!("corridor-{name}.json"));
            std::fs::write(&path, serde_json::to_vec_pretty(report)?)
                .with_context(|| format!("writing {path:?}"))?;
        }
        let mut columns = vec![
            (
                format!("Corridor discovery ({discovery_s:.1} s)"),
                scored(&discovery, &scenario, &read_plates)?,
            ),
            (
                format!("Corridor with seeds ({seeded_s:.1} s)"),
                scored(&seeded, &scenario, &read_plates)?,
            ),
        ];
        if !args.no_duckdb {
            match run_duckdb(&args, &scenario, &seeds)? {
                Some((value, total_s)) => {
                    columns.push((
                        format!("naive DuckDB ({total_s:.1} s)"),
                        score(&value, &scenario.truth, &read_plates),
                    ));
                    println!(
                        "DuckDB query times (s): {}",
                        value
                            .get("timings_s")
                            .map(|t| t.to_string())
                            .unwrap_or_default()
                    );
                }
                None => println!(
                    "DuckDB baseline skipped: the duckdb Python module is not installed (pip install duckdb)."
                ),
            }
        }
        println!("Corridor step times (ms), seeded: {:?}", seeded.timings_ms);
        println!(
            "Corridor step times (ms), discovery: {:?}",
            discovery.timings_ms
        );
        print_table(&columns);
        if args.explain {
            explain(&scenario, (&discovery, &seeded, &seeds), &read_plates)?;
        }
        all.push((seed, columns));
    }
    if let Some(path) = &args.json {
        let json: Vec<_> = all
            .iter()
            .map(|(seed, columns)| serde_json::json!({"seed": seed, "columns": columns.iter().map(|(name, s)| serde_json::json!({"name": name, "scores": s})).collect::<Vec<_>>()}))
            .collect();
        std::fs::write(path, serde_json::to_vec_pretty(&json)?)
            .with_context(|| format!("writing {path:?}"))?;
    }
    Ok(())
}

fn load_scenario(args: &Args, seed: u64) -> anyhow::Result<Scenario> {
    // Settings other than the simulator's defaults are part of the folder's name, so that a
    // scenario generated with other settings is never reused for these.
    let mut name = format!("seed-{seed}-{}-{}", args.reads, args.days);
    if let Some(networks) = args.networks {
        name.push_str(&format!("-networks{networks}"));
    }
    if let Some(rate) = args.misread_rate {
        name.push_str(&format!("-misreads{rate}"));
    }
    let dir = args.out.join(name);
    if !dir.join("truth.json").exists() {
        let mut config = ScenarioConfig::new(seed, args.reads);
        config.days = args.days;
        config.n_networks = args.networks;
        if let Some(rate) = args.misread_rate {
            config.misread_rate = rate;
        }
        let started = Instant::now();
        corridor_sim::generate(&config, &dir, &|_| {})
            .with_context(|| format!("generating scenario {seed}"))?;
        println!(
            "Generated scenario {seed} in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
    }
    let truth = Truth::load(&dir.join("truth.json"))?;
    let runtime = tokio::runtime::Runtime::new()?;
    let (batches, camera_batches) = runtime.block_on(async {
        // One partition: the reads come in the file's order on every run. With several,
        // the batches arrive in whichever order the partitions finish, which numbers the
        // plates differently from run to run, and the analysis (which orders its work by
        // plate number) is then not reproducible to the pair at 10M reads.
        let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1));
        let reads = ctx
            .read_parquet(
                dir.join("reads.parquet").to_string_lossy().into_owned(),
                ParquetReadOptions::default(),
            )
            .await?;
        let schema = corridor_store::schema::cameras_schema();
        let options = CsvReadOptions::new().has_header(true).schema(&schema);
        let cameras = ctx
            .read_csv(
                dir.join("cameras.csv").to_string_lossy().into_owned(),
                options,
            )
            .await?;
        Ok::<_, datafusion::error::DataFusionError>((
            reads.collect().await?,
            cameras.collect().await?,
        ))
    })?;
    let mut cameras = Vec::new();
    for batch in &camera_batches {
        cameras.extend(corridor_store::schema::batch_to_cameras(batch)?);
    }
    Ok(Scenario {
        batches,
        cameras,
        truth,
        dir,
    })
}

/// Plates of the read ids that planted convoy occasions name.
fn read_plates(scenario: &Scenario) -> HashMap<String, String> {
    let wanted = truth_read_ids(&scenario.truth);
    let mut map = HashMap::new();
    for batch in &scenario.batches {
        let (Some(ids), Some(plates)) = (
            batch.column_by_name("read_id"),
            batch.column_by_name("plate"),
        ) else {
            continue;
        };
        // DataFusion reads Parquet strings as string views; the scorer wants plain strings.
        let as_utf8 = |column: &datafusion::arrow::array::ArrayRef| {
            datafusion::arrow::compute::cast(column, &datafusion::arrow::datatypes::DataType::Utf8)
                .expect("read ids and plates are strings")
        };
        let (ids, plates) = (as_utf8(ids), as_utf8(plates));
        let (ids, plates) = (ids.as_string::<i32>(), plates.as_string::<i32>());
        for row in 0..batch.num_rows() {
            if wanted.contains(ids.value(row)) {
                map.insert(ids.value(row).to_owned(), plates.value(row).to_owned());
            }
        }
    }
    map
}

fn run_corridor(scenario: &Scenario, seeds: Vec<PlateText>) -> anyhow::Result<(Report, f64)> {
    let input = AnalysisInput {
        reads: scenario.batches.clone(),
        cameras: scenario.cameras.clone(),
        seeds,
        window: None,
    };
    let started = Instant::now();
    let report = analyse(&input, &AnalysisConfig::default())?;
    Ok((report, started.elapsed().as_secs_f64()))
}

/// Prints why discovery, and the analysis with seeds, reported no hub near each planted
/// hub it missed, how each planted pair that discovery found or missed scores, and each
/// pair it reported that no planted convoy made.
fn explain(
    scenario: &Scenario,
    (report, seeded, seeds): (&Report, &Report, &[PlateText]),
    read_plates: &HashMap<String, String>,
) -> anyhow::Result<()> {
    let report = serde_json::to_value(report)?;
    let outcomes = convoy_pairs_by_outcome(&report, &scenario.truth, read_plates);
    let role: HashMap<&str, &str> = scenario
        .truth
        .network_plates
        .iter()
        .map(|p| (p.plate.as_str(), p.role.as_str()))
        .collect();
    let input = AnalysisInput {
        reads: scenario.batches.clone(),
        cameras: scenario.cameras.clone(),
        seeds: Vec::new(),
        window: None,
    };
    let explainer = Explainer::new(&input, &AnalysisConfig::default())?;
    print_hubs_judged("", &report, (&scenario.truth, &explainer, &input));
    let input = AnalysisInput {
        seeds: seeds.to_vec(),
        ..input
    };
    let seeded = serde_json::to_value(seeded)?;
    print_hubs_judged(
        " with seeds",
        &seeded,
        (&scenario.truth, &explainer, &input),
    );
    for (label, missed) in [
        ("missed route", missed_routes(&report, &scenario.truth)),
        (
            "missed route with seeds",
            missed_routes(&seeded, &scenario.truth),
        ),
    ] {
        for line in missed {
            println!("{label} {line}");
        }
    }
    // The analysis with seeds: only what it missed or wrongly reported.
    let seeded_outcomes = convoy_pairs_by_outcome(&seeded, &scenario.truth, read_plates)
        .into_iter()
        .filter(|(label, _)| *label != "found")
        .map(|(label, pairs)| (format!("{label} with seeds"), pairs));
    let outcomes = outcomes
        .into_iter()
        .map(|(label, pairs)| (label.to_owned(), pairs))
        .chain(seeded_outcomes);
    for (label, pairs) in outcomes {
        let lines = explainer.pairs(&pairs);
        for ((a, b), line) in pairs.iter().zip(lines) {
            let role = |plate: &str| role.get(plate).copied().unwrap_or("-").to_owned();
            println!("{label} [{} {}] {line}", role(a), role(b));
        }
    }
    Ok(())
}

/// Prints, after `label`, each planted hub that `report` (of the analysis of `input`)
/// missed, and why.
fn print_hubs_judged(
    label: &str,
    report: &serde_json::Value,
    (truth, explainer, input): (&Truth, &Explainer, &AnalysisInput),
) {
    for (label, hubs) in [
        (format!("missed hub{label}"), missed_hubs(report, truth)),
        (format!("false hub{label}"), false_hubs(report, truth)),
    ] {
        let places: Vec<(f64, f64)> = hubs.iter().map(|(_, lat, lon)| (*lat, *lon)).collect();
        for ((hub, _, _), why) in hubs.iter().zip(explainer.hubs(input, &places)) {
            println!("{label} {hub}:{why}");
        }
    }
}

fn scored(
    report: &Report,
    scenario: &Scenario,
    read_plates: &HashMap<String, String>,
) -> anyhow::Result<Scores> {
    Ok(score(
        &serde_json::to_value(report)?,
        &scenario.truth,
        read_plates,
    ))
}

fn run_duckdb(
    args: &Args,
    scenario: &Scenario,
    seeds: &[PlateText],
) -> anyhow::Result<Option<(serde_json::Value, f64)>> {
    let out = scenario.dir.join("naive-report.json");
    let seeds: Vec<&str> = seeds.iter().map(PlateText::as_str).collect();
    let started = Instant::now();
    let status = std::process::Command::new("python3")
        .arg(&args.script)
        .arg(scenario.dir.join("reads.parquet"))
        .arg(scenario.dir.join("cameras.csv"))
        .arg(&out)
        .arg(seeds.join(","))
        .status()
        .with_context(|| format!("running {:?}", args.script))?;
    let elapsed = started.elapsed().as_secs_f64();
    if status.code() == Some(3) {
        return Ok(None);
    }
    anyhow::ensure!(status.success(), "{:?} failed: {status}", args.script);
    let value =
        serde_json::from_slice(&std::fs::read(&out).with_context(|| format!("reading {out:?}"))?)?;
    Ok(Some((value, elapsed)))
}

fn print_table(columns: &[(String, Scores)]) {
    let header: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    println!("\n| measure (target) | {} |", header.join(" | "));
    println!("|---|{}", "---|".repeat(columns.len()));
    let row = |measure: &str, cell: &dyn Fn(&Scores) -> String| {
        let cells: Vec<String> = columns.iter().map(|(_, scores)| cell(scores)).collect();
        println!("| {measure} | {} |", cells.join(" | "));
    };
    let pr = |f: fn(&Scores) -> PrecisionRecall, precision: bool| {
        move |scores: &Scores| pr_cell(&f(scores), precision)
    };
    row("hubs precision (>= 0.9)", &pr(|s| s.hubs, true));
    row("hubs recall (>= 0.9)", &pr(|s| s.hubs, false));
    row("convoy pairs precision (>= 0.9)", &pr(|s| s.convoys, true));
    row("convoy pairs recall (>= 0.9)", &pr(|s| s.convoys, false));
    row("clones precision (>= 0.95)", &pr(|s| s.clones, true));
    row("clones recall (>= 0.95)", &pr(|s| s.clones, false));
    row("swap pairs precision", &pr(|s| s.swaps, true));
    row("swap pairs recall", &pr(|s| s.swaps, false));
    row("routes recovered (>= 0.9)", &|s| {
        format!("{} (of {})", fmt(s.routes_recall), s.routes_planted)
    });
    row("ranked vehicles P@k (>= 0.8)", &|s| {
        format!("{} (k={})", fmt(s.ranked_precision_at_k), s.k)
    });
    let clocks = |precision: bool| {
        move |s: &Scores| {
            s.camera_clocks
                .map_or_else(|| "-".to_owned(), |value| pr_cell(&value, precision))
        }
    };
    row("camera clocks off >= 45 s, precision", &clocks(true));
    row("camera clocks off >= 45 s, recall", &clocks(false));
    row("camera clocks, median error (s)", &|s| {
        fmt(s.camera_clock_error_secs)
    });
    row("cloned plates' reads in their vehicle's track", &|s| {
        fmt(s.clone_tracks_right)
    });
}

/// A precision (hits over reported) or a recall (found over planted), with its counts.
fn pr_cell(value: &PrecisionRecall, precision: bool) -> String {
    let (figure, hits, of) = if precision {
        (value.precision, value.true_reported, value.reported)
    } else {
        (value.recall, value.found, value.planted)
    };
    format!("{} ({hits}/{of})", fmt(figure))
}

fn fmt(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"))
}
