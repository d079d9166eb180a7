//! The seeded scenario simulator: a realistic corridor of ANPR cameras from the Ruhr,
//! Rotterdam and Brussels to the Channel coast, background traffic that fools naive
//! analysis, and planted smuggling networks with their ground truth.
//!
//! A scenario is a function of its [`ScenarioConfig`]: the same seed gives the same bytes.
//! [`generate`] streams it to a directory (`cameras.csv`, `reads.parquet`, optionally
//! `reads.csv`, and `truth.json`) in bounded memory; [`generate_in_memory`] returns it as
//! values for tests; [`render_map_svg`] draws the corridor and its cameras, and
//! [`render_roads_geojson`] gives its roads to the web UI's basemap.
//!
//! ```text
//! corridor tables (real coordinates) -> road network -> camera sites, mobile units, faults
//!        population (commuters, vans, lorries, coaches) + networks (hubs, runs, clones)
//!        -> day by day: trip plans -> driven past cameras -> reads (misreads, duplicates)
//!        -> sorted in hourly windows -> reads.parquet      tagged reads -> truth.json
//! ```
//!
//! ```
//! use corridor_sim::{ScenarioConfig, generate_in_memory};
//! let config = ScenarioConfig { days: 2, ..ScenarioConfig::new(7, 5_000) };
//! let scenario = generate_in_memory(&config).unwrap();
//! assert!(!scenario.reads.is_empty());
//! assert!(!scenario.truth.hubs.is_empty());
//! ```

mod assemble;
mod cameras;
mod corridor;
mod gangs;
mod generate;
mod geo;
mod map;
mod misread;
mod network;
mod output;
mod roads;
mod schema;
mod traffic;
mod trip;
pub mod truth;
mod vehicle;

#[cfg(test)]
mod tests;

pub use geo::{bearing_deg, haversine_m};
pub use map::render_map_svg;
pub use roads::render_roads_geojson;
pub use truth::Truth;

use chrono::NaiveDate;
use corridor_domain::{Camera, PlateRead};
use std::path::{Path, PathBuf};

/// The one error type of the simulator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("scenario setting `{field}`: {reason}")]
    BadConfig { field: &'static str, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: writing CSV: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{path}: writing Parquet: {source}")]
    Parquet {
        path: PathBuf,
        source: parquet::errors::ParquetError,
    },
    #[error("{path}: writing Arrow data: {source}")]
    Arrow {
        path: PathBuf,
        source: arrow::error::ArrowError,
    },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("converting generated reads: {reason}")]
    Convert { reason: String },
}

/// Everything that defines a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// About how many reads to generate (the result is within a few percent).
    pub n_reads: u64,
    /// Number of days.
    pub days: u32,
    /// The first day (local midnight, Central European Time, starts it).
    pub start: NaiveDate,
    /// Share of reads whose plate text is misread (0.01 to 0.04 is realistic).
    pub misread_rate: f64,
    /// Share of reads a camera sends twice.
    pub duplicate_rate: f64,
    /// Chance that a camera has an outage (one to twelve hours) on a given day.
    pub outage_rate: f64,
    /// Share of cameras whose clock is off by seconds to a couple of minutes.
    pub skewed_camera_share: f64,
    /// Number of planted networks; `None` scales it with `n_reads` (two, plus one per
    /// 1.5 million reads, at most ten).
    pub n_networks: Option<u32>,
    /// Also write `reads.csv`.
    pub csv: bool,
}

impl ScenarioConfig {
    /// Defaults: 14 days from Monday 2026-01-05, 2% misreads, 0.5% duplicates, outages on
    /// 2% of camera-days, 5% of cameras with a skewed clock.
    pub fn new(seed: u64, n_reads: u64) -> ScenarioConfig {
        ScenarioConfig {
            seed,
            n_reads,
            days: 14,
            start: NaiveDate::from_ymd_opt(2026, 1, 5).expect("a valid date"),
            misread_rate: 0.02,
            duplicate_rate: 0.005,
            outage_rate: 0.02,
            skewed_camera_share: 0.05,
            n_networks: None,
            csv: false,
        }
    }

    /// Checks every setting, naming the first that is out of range.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |field, reason: String| Err(Error::BadConfig { field, reason });
        if self.n_reads < 1_000 {
            return bad(
                "n_reads",
                format!("{} is too few for a scenario (at least 1000)", self.n_reads),
            );
        }
        if !(1..=3_660).contains(&self.days) {
            return bad("days", format!("{} is outside 1..=3660", self.days));
        }
        let rates = [
            ("misread_rate", self.misread_rate, 0.2),
            ("duplicate_rate", self.duplicate_rate, 0.2),
            ("outage_rate", self.outage_rate, 0.5),
            ("skewed_camera_share", self.skewed_camera_share, 1.0),
        ];
        for (field, value, max) in rates {
            if !(0.0..=max).contains(&value) {
                return bad(field, format!("{value} is outside 0..={max}"));
            }
        }
        if let Some(n) = self.n_networks
            && !(1..=10).contains(&n)
        {
            return bad(
                "n_networks",
                format!("{n} is outside 1..=10 (there are ten candidate hubs)"),
            );
        }
        Ok(())
    }
}

/// Where a running generation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Days done.
    pub day: u32,
    pub days: u32,
    /// Reads written so far.
    pub n_reads: u64,
    pub n_reads_target: u64,
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioSummary {
    pub n_reads: u64,
    pub n_cameras: usize,
    pub n_networks: usize,
    pub cameras_path: PathBuf,
    pub reads_parquet_path: PathBuf,
    pub reads_csv_path: Option<PathBuf>,
    pub truth_path: PathBuf,
}

/// A scenario held in memory.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub cameras: Vec<Camera>,
    /// In time order.
    pub reads: Vec<PlateRead>,
    pub truth: Truth,
}

/// Generates a scenario into `out_dir` (created if missing): `cameras.csv`,
/// `reads.parquet`, `reads.csv` when `config.csv`, and `truth.json`.
pub fn generate(
    config: &ScenarioConfig,
    out_dir: &Path,
    progress: &dyn Fn(Progress),
) -> Result<ScenarioSummary, Error> {
    config.validate()?;
    std::fs::create_dir_all(out_dir).map_err(|source| Error::Io {
        path: out_dir.to_owned(),
        source,
    })?;
    let (world, mut state) = generate::build(config);
    let cameras_path = out_dir.join("cameras.csv");
    output::write_cameras_csv(&world, &cameras_path)?;
    let reads_parquet_path = out_dir.join("reads.parquet");
    let reads_csv_path = config.csv.then(|| out_dir.join("reads.csv"));
    let mut sink = output::FileSink::create(reads_parquet_path.clone(), reads_csv_path.clone())?;
    generate::run(&world, &mut state, &mut sink, progress)?;
    sink.finish(&world)?;
    let truth = assemble::truth(&world, &state);
    let truth_path = out_dir.join("truth.json");
    truth.save(&truth_path)?;
    Ok(ScenarioSummary {
        n_reads: state.n_reads,
        n_cameras: world.layout.cameras.len(),
        n_networks: state.gangs.len(),
        cameras_path,
        reads_parquet_path,
        reads_csv_path,
        truth_path,
    })
}

/// Generates a scenario in memory: for tests and small scenarios (every read is held).
pub fn generate_in_memory(config: &ScenarioConfig) -> Result<Scenario, Error> {
    config.validate()?;
    let (world, mut state) = generate::build(config);
    let mut sink = output::MemorySink::default();
    generate::run(&world, &mut state, &mut sink, &|_| {})?;
    let truth = assemble::truth(&world, &state);
    Ok(Scenario {
        cameras: world
            .layout
            .cameras
            .iter()
            .map(|c| c.camera.clone())
            .collect(),
        reads: sink.reads,
        truth,
    })
}
