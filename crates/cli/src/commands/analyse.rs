//! `corridor analyse`: runs the investigative analyses over a data directory and writes the
//! report (JSON), optionally the network as GraphML and as a CSV link list.

use super::DataDir;
use anyhow::Context;
use corridor_analytics::{AnalysisConfig, AnalysisInput, Engine, Report, TimeWindow, analyse_on};
use corridor_domain::PlateText;
use corridor_store::{Store, StoreConfig};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `corridor analyse`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// Plates an investigator already knows, comma-separated; without seeds, convoy
    /// discovery runs over the whole window.
    #[arg(
        long,
        env = "CORRIDOR_SEEDS",
        value_delimiter = ',',
        value_name = "PLATE,PLATE"
    )]
    seeds: Vec<String>,
    #[command(flatten)]
    window: WindowArgs,
    /// Where to write the report (JSON).
    #[arg(long, env = "CORRIDOR_REPORT", value_name = "FILE")]
    report: PathBuf,
    /// Also write the network as GraphML.
    #[arg(long, env = "CORRIDOR_GRAPHML", value_name = "FILE")]
    graphml: Option<PathBuf>,
    /// Also write the network's links as CSV (for i2 Analyst's Notebook and similar).
    #[arg(long = "links-csv", env = "CORRIDOR_LINKS_CSV", value_name = "FILE")]
    links_csv: Option<PathBuf>,
    #[command(flatten)]
    purpose: super::local_audit::PurposeArgs,
    /// Analysis settings as JSON (any subset of the fields of `AnalysisConfig`).
    #[arg(long, env = "CORRIDOR_ANALYSIS_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    engine: EngineArgs,
}

/// Where the set-oriented plans (traffic per camera and hour, days per plate) run.
#[derive(Debug, clap::Args)]
pub(crate) struct EngineArgs {
    /// `embedded`, or `ballista://HOST:PORT` for an Apache Ballista cluster (needs a binary
    /// built with `--features ballista`). A cluster reads the store's segment files after a
    /// flush, so its executors must see them under the same paths, or `--lake-reads`.
    #[arg(
        long,
        env = "CORRIDOR_ENGINE",
        default_value = "embedded",
        value_name = "ENGINE"
    )]
    engine: String,
    /// The reads table a cluster reads instead of the segment files: a lake's reads
    /// directory (`file:///srv/lake/reads/`, `s3://bucket/lake/reads/`) published with
    /// `corridor store publish`. Plans then count every node's reads in the lake.
    #[arg(long, env = "CORRIDOR_LAKE_READS", value_name = "URL")]
    lake_reads: Option<String>,
    /// Partitions of each plan on a cluster.
    #[arg(
        long,
        env = "CORRIDOR_ENGINE_PARTITIONS",
        default_value_t = corridor_analytics::BALLISTA_PARTITIONS_DEFAULT,
        value_name = "N"
    )]
    engine_partitions: usize,
}

impl EngineArgs {
    /// The engine, given the Parquet files it reads when it reads any; `segment_files`
    /// is called only then.
    fn engine(
        &self,
        segment_files: impl FnOnce() -> anyhow::Result<Vec<String>>,
    ) -> anyhow::Result<Engine> {
        let engine = Engine::parse(&self.engine).context("--engine")?;
        if !engine.reads_parquet() {
            return Ok(engine);
        }
        let reads_urls = match &self.lake_reads {
            Some(url) => vec![url.clone()],
            None => segment_files()?,
        };
        Ok(engine
            .with_reads(reads_urls)
            .with_partitions(self.engine_partitions))
    }
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let config = load_config(args.config.as_deref())?;
    let why = args.purpose.purpose()?;
    let seeds = parse_plates("--seeds", &args.seeds)?;
    let (from, to, window) = args.window.parse()?;
    // Checked before the store opens, so that a binary without Ballista says so at once.
    Engine::parse(&args.engine.engine).context("--engine")?;
    let store = Store::open(&args.data.path, StoreConfig::default())
        .with_context(|| format!("opening the store in {:?}", args.data.path))?;
    let engine = args.engine.engine(|| {
        // The plans read the segments: the reads still only in the WAL go there first.
        store
            .flush()
            .context("flushing the store before a cluster reads it")?;
        corridor_store::lake::absolute_path_urls(&store.segment_paths()).context("segment paths")
    })?;
    let reads = store
        .scan_collect(from, to)
        .context("reading the store's segments")?;
    let input = AnalysisInput {
        reads,
        cameras: store.cameras(),
        seeds,
        window,
    };
    let report = analyse_on(&input, &config, &engine)
        .with_context(|| format!("analysing (plans on the {} engine)", engine.name()))?;
    // Over every read, its clock estimates are the best the store has: searches that read
    // only a few vehicles (`corridor convoys`) apply them.
    if window.is_none() {
        record_clock_register(&store, &input, &report.camera_skews)?;
    }
    let cited: Vec<&str> = report.cited_read_ids().into_iter().collect();
    super::local_audit::record(
        &args.data.path,
        corridor_safeguards::Action::RunAnalysis,
        why,
        serde_json::json!({ "seeds": args.seeds, "from": args.window.from, "to": args.window.to }),
        &cited,
    )?;
    write_outputs(&args, &report)?;
    print_summary(&report, &args.report);
    Ok(())
}

/// Records `skews`, estimated over `input`'s reads, as the store's clock register.
pub(crate) fn record_clock_register(
    store: &Store,
    input: &AnalysisInput,
    skews: &[corridor_analytics::CameraSkew],
) -> anyhow::Result<corridor_store::ClockRegister> {
    let n_reads = input
        .reads
        .iter()
        .map(|batch| batch.num_rows() as u64)
        .sum();
    let (from, to) = input
        .window
        .map_or((i64::MIN, i64::MAX), |w| (w.from, w.to));
    let (first, last) = store.ts_span().unwrap_or((0, 0));
    let register = corridor_store::ClockRegister {
        estimated_at: chrono::Utc::now().timestamp_micros(),
        reads_from: first.max(from),
        reads_to: last.min(to.saturating_sub(1)),
        n_reads,
        cameras: skews
            .iter()
            .map(|skew| corridor_store::CameraClock {
                camera_id: skew.camera_id.clone(),
                skew_us: (skew.skew_secs * 1e6).round() as i64,
            })
            .collect(),
    };
    store
        .record_clock_register(&register)
        .context("recording the clock register")?;
    Ok(register)
}

pub(crate) fn load_config(path: Option<&Path>) -> anyhow::Result<AnalysisConfig> {
    let Some(path) = path else {
        return Ok(AnalysisConfig::default());
    };
    let bytes = std::fs::read(path).with_context(|| format!("reading {path:?}"))?;
    let config: AnalysisConfig =
        serde_json::from_slice(&bytes).with_context(|| format!("parsing {path:?}"))?;
    config
        .validate()
        .with_context(|| format!("checking {path:?}"))?;
    Ok(config)
}

/// The plates of a comma-separated flag, blanks skipped.
pub(crate) fn parse_plates(flag: &str, raw: &[String]) -> anyhow::Result<Vec<PlateText>> {
    raw.iter()
        .filter(|raw| !raw.trim().is_empty())
        .map(|raw| PlateText::parse(raw).with_context(|| format!("{flag}: `{raw}` is not a plate")))
        .collect()
}

/// `--from` and `--to` as microseconds, and the window they make (`None` for neither).
/// The time window of an analysis: `--from` and `--to`.
#[derive(Debug, clap::Args)]
pub(crate) struct WindowArgs {
    /// Start of the window: RFC 3339 (`2026-01-05T00:00:00Z`) or a UTC date (`2026-01-05`).
    #[arg(long, env = "CORRIDOR_FROM", value_name = "T")]
    pub(crate) from: Option<String>,
    /// End of the window (excluded), in the same forms as `--from`.
    #[arg(long, env = "CORRIDOR_TO", value_name = "T")]
    pub(crate) to: Option<String>,
}

impl WindowArgs {
    /// `--from` and `--to` in microseconds since the epoch, and the window they make.
    pub(crate) fn parse(&self) -> anyhow::Result<(Option<i64>, Option<i64>, Option<TimeWindow>)> {
        let from = self
            .from
            .as_deref()
            .map(|raw| parse_time("--from", raw))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|raw| parse_time("--to", raw))
            .transpose()?;
        let window = match (from, to) {
            (None, None) => None,
            (from, to) => Some(TimeWindow {
                from: from.unwrap_or(i64::MIN),
                to: to.unwrap_or(i64::MAX),
            }),
        };
        Ok((from, to, window))
    }
}

/// Microseconds since the epoch from RFC 3339 or a `YYYY-MM-DD` date (midnight UTC).
fn parse_time(flag: &str, raw: &str) -> anyhow::Result<i64> {
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(time.timestamp_micros());
    }
    let date = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .with_context(|| format!("{flag}: `{raw}` is neither RFC 3339 nor YYYY-MM-DD"))?;
    let midnight = date.and_hms_opt(0, 0, 0).context("midnight exists")?;
    Ok(midnight.and_utc().timestamp_micros())
}

fn write_outputs(args: &Args, report: &Report) -> anyhow::Result<()> {
    let json = serde_json::to_vec_pretty(report).context("serialising the report")?;
    std::fs::write(&args.report, json).with_context(|| format!("writing {:?}", args.report))?;
    if let Some(path) = &args.graphml {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {path:?}"))?,
        );
        corridor_analytics::write_graphml(report, &mut file)?;
        file.flush().with_context(|| format!("writing {path:?}"))?;
    }
    if let Some(path) = &args.links_csv {
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {path:?}"))?,
        );
        corridor_analytics::write_links_csv(report, &mut file)?;
        file.flush().with_context(|| format!("writing {path:?}"))?;
    }
    Ok(())
}

fn print_summary(report: &Report, path: &Path) {
    let total_ms: u64 = report.timings_ms.iter().map(|(_, ms)| ms).sum();
    println!(
        "Analysed {} reads of {} plates in {:.1} s.",
        report.n_reads,
        report.n_plates,
        total_ms as f64 / 1000.0
    );
    if !report.seeds_unseen.is_empty() {
        println!(
            "Seeds with no reads in the window: {}.",
            report.seeds_unseen.join(", ")
        );
    }
    println!(
        "Found {} hubs, {} convoys, {} clones or swaps, {} routes; {} vehicles ranked.",
        report.hubs.len(),
        report.convoys.len(),
        report.clones.len(),
        report.routes.len(),
        report.ranked_vehicles.len()
    );
    for convoy in report.convoys.iter().take(5) {
        println!(
            "  convoy {} on {} occasions (score {:.1}, {:.2} expected by chance)",
            convoy.plates.join(" + "),
            convoy.occasions,
            convoy.score,
            convoy.expected
        );
    }
    for hub in report.hubs.iter().take(5) {
        println!(
            "  hub at {:.4},{:.4} ±{:.0} m: {} vehicles, {} visits (score {:.1})",
            hub.lat,
            hub.lon,
            hub.radius_m,
            hub.plates.len(),
            hub.visits.len(),
            hub.score
        );
    }
    for clone in report.clones.iter().take(5) {
        println!(
            "  {} {} (score {:.1})",
            clone.kind,
            clone.plates.join(" / "),
            clone.score
        );
    }
    for vehicle in report.ranked_vehicles.iter().take(10) {
        println!(
            "  {:<12} {:>8.1}  {}",
            vehicle.plate,
            vehicle.score,
            vehicle.reasons.join("; ")
        );
    }
    println!("Report written to {}.", path.display());
}
