//! Investigative analytics over plate reads: journeys, routes, hubs, convoys, cloned and
//! swapped plates, and network expansion from seed vehicles, every finding scored against
//! background traffic and carrying the read ids that support it.
//!
//! The entry point is [`analyse`]: give it the reads (Arrow batches in the store's
//! canonical schema, from `corridor_store::Store::scan`), the cameras, optional seed plates
//! and a time window, and it returns a [`Report`] that serialises to JSON.
//!
//! ```text
//!  Arrow batches ──> ReadTable (interned plates, camera indexes, µs timestamps)
//!                        │ clock skew per camera, corrected        (clock)
//!                        │ misreads linked to the track they fit   (misread)
//!                        ├─> DataFusion: traffic per camera-hour   (plans, traffic)
//!                        ├─> convoys: targeted from seeds, or discovery, then partners
//!                        │   on a single trip and joiners         (convoys)
//!                        ├─> clones: impossible journeys, inconsistent vehicles (clones)
//!                        ├─> journeys: trips and stops of every vehicle (journeys)
//!                        ├─> hubs from the stops of vehicles of interest (hubs)
//!                        ├─> swaps of vehicles of interest with any plate (swaps)
//!                        └─> routes of vehicles of interest (routes) ──> Report
//! ```
//!
//! Set-oriented steps (traffic per camera and hour, days per plate) are DataFusion SQL
//! plans behind the functions of [`plans`](crate::plans), so that a Ballista engine can run
//! the same plans; the sequence algorithms (trips, co-occurrence sweeps, track splitting)
//! are hand-written Rust, which is faster for them.
//!
//! ```
//! use corridor_analytics::{analyse, AnalysisConfig, AnalysisInput};
//! let report = analyse(&AnalysisInput::default(), &AnalysisConfig::default()).unwrap();
//! assert_eq!(report.n_reads, 0);
//! assert!(report.convoys.is_empty());
//! ```
//!
//! [`analyse`] runs its DataFusion plans on a runtime of its own, on a thread of its own:
//! it may be called from inside an async runtime, but it blocks, so a server should call
//! it through `spawn_blocking`.

mod clock;
mod clones;
#[cfg(feature = "ballista")]
pub mod cluster;
mod config;
mod convoys;
mod disjoint;
mod engine;
mod error;
#[cfg(any(test, feature = "eval"))]
pub mod eval;
mod export;
pub mod geo;
mod hubs;
mod input;
mod journeys;
mod lake_plans;
mod misread;
mod pipeline;
mod plans;
mod reach;
mod report;
mod routes;
mod swaps;
mod table;
mod targeted;
mod traffic;

#[cfg(test)]
mod tests;

pub use config::AnalysisConfig;
pub use engine::{BALLISTA_PARTITIONS_DEFAULT, Engine};
pub use error::Error;
pub use export::{write_graphml, write_links_csv};
pub use input::{AnalysisInput, TimeWindow};
pub use report::{
    CameraSkew, CloneReport, ConvoyReport, HubReport, LinkReport, MisreadLink, RankedVehicle,
    Report, RouteReport, SCORE_MEANINGS, Visit,
};
pub use targeted::{CitedRead, TargetedConvoys, targeted_convoys};

/// Runs every analysis over `input` and returns the report.
///
/// With seeds, convoys are searched around the seeds and followed `network_hops` hops;
/// without, convoy discovery runs over the whole window. Clones run over every plate.
pub fn analyse(input: &AnalysisInput, config: &AnalysisConfig) -> Result<Report, Error> {
    analyse_on(input, config, &Engine::Embedded)
}

/// Runs every analysis over `input` as [`analyse`] does, its set-oriented plans on
/// `engine`. The report is the same on every engine when the engine's Parquet files hold
/// exactly the reads of `input`.
pub fn analyse_on(
    input: &AnalysisInput,
    config: &AnalysisConfig,
    engine: &Engine,
) -> Result<Report, Error> {
    check_input(input, config)?;
    on_own_thread(|| pipeline::run(input, config, engine))
}

/// The camera clock errors [`analyse`] estimates over `input` and corrects before every
/// other step (the report's `camera_skews`), without the rest of the analysis: for
/// recording them in the store's clock register, where the targeted search that reads
/// only a few vehicles ([`targeted_convoys`]) finds them.
pub fn camera_clocks(
    input: &AnalysisInput,
    config: &AnalysisConfig,
) -> Result<Vec<CameraSkew>, Error> {
    check_input(input, config)?;
    let table = table::ReadTable::build(input, config.reads_max)?;
    let skews = clock::estimate_skews(&table, config);
    Ok(report::camera_skews(&table, &skews))
}

/// Runs only the set-oriented plans (traffic per camera and hour, days per plate) on
/// `engine`, after the same clock and misread corrections as [`analyse`]: for comparing
/// engines and measuring their throughput.
pub fn run_plans(
    input: &AnalysisInput,
    config: &AnalysisConfig,
    engine: &Engine,
) -> Result<PlanOutputs, Error> {
    check_input(input, config)?;
    on_own_thread(|| pipeline::run_plans(input, config, engine))
}

/// Runs `work` on a thread of its own (its query runtime may not nest in the caller's).
fn on_own_thread<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(work)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The results of the set-oriented plans, keyed by names and sorted.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PlanOutputs {
    /// Reads the analysis holds (inside the window).
    pub n_reads: usize,
    /// `(camera_id, hour of day UTC, reads, distinct plates)`.
    pub camera_hours: Vec<(String, u8, u64, u64)>,
    /// `(TEXT/COUNTRY, distinct days read)`, for plates read at least once.
    pub plate_days: Vec<(String, u32)>,
    /// Wall time of the plans (both of them), milliseconds.
    pub plans_ms: u64,
}

fn check_input(input: &AnalysisInput, config: &AnalysisConfig) -> Result<(), Error> {
    config.validate()?;
    if let Some(window) = input.window
        && window.from >= window.to
    {
        return Err(Error::BadWindow {
            from: window.from,
            to: window.to,
        });
    }
    Ok(())
}
