//! `corridor simulate`: writes a seeded scenario (cameras, reads, truth) to a directory.

use anyhow::Context;
use chrono::NaiveDate;
use corridor_sim::{Progress, ScenarioConfig};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;

/// Arguments of `corridor simulate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Directory to write `cameras.csv`, `reads.parquet`, `reads.csv` (with `--csv`) and
    /// `truth.json` into (created if missing).
    #[arg(
        long,
        env = "CORRIDOR_SIM_OUT",
        value_name = "DIR",
        required_unless_present = "map"
    )]
    out: Option<PathBuf>,
    /// About how many reads to generate.
    #[arg(long, env = "CORRIDOR_SIM_READS", default_value_t = 1_000_000)]
    reads: u64,
    /// Seed of every random choice: the same seed gives the same files.
    #[arg(long, env = "CORRIDOR_SIM_SEED", default_value_t = 1)]
    seed: u64,
    /// Number of days to simulate.
    #[arg(long, env = "CORRIDOR_SIM_DAYS", default_value_t = 14)]
    days: u32,
    /// First day (YYYY-MM-DD).
    #[arg(long, env = "CORRIDOR_SIM_START", default_value = "2026-01-05")]
    start: NaiveDate,
    /// Share of reads whose plate is misread.
    #[arg(long, env = "CORRIDOR_SIM_MISREAD_RATE", default_value_t = 0.02)]
    misread_rate: f64,
    /// Share of reads a camera sends twice.
    #[arg(long, env = "CORRIDOR_SIM_DUPLICATE_RATE", default_value_t = 0.005)]
    duplicate_rate: f64,
    /// Chance that a camera is down for a few hours on a given day.
    #[arg(long, env = "CORRIDOR_SIM_OUTAGE_RATE", default_value_t = 0.02)]
    outage_rate: f64,
    /// Share of cameras whose clock is off by seconds to minutes.
    #[arg(long, env = "CORRIDOR_SIM_SKEWED_SHARE", default_value_t = 0.05)]
    skewed_share: f64,
    /// Number of planted networks (default: scaled with --reads, 2 to 10).
    #[arg(long, env = "CORRIDOR_SIM_NETWORKS")]
    networks: Option<u32>,
    /// Also write the reads as `reads.csv`.
    #[arg(long)]
    csv: bool,
    /// Also draw the corridor and its cameras as an SVG map to this path.
    #[arg(long, value_name = "PATH")]
    map: Option<PathBuf>,
}

impl Args {
    fn config(&self) -> ScenarioConfig {
        ScenarioConfig {
            days: self.days,
            start: self.start,
            misread_rate: self.misread_rate,
            duplicate_rate: self.duplicate_rate,
            outage_rate: self.outage_rate,
            skewed_camera_share: self.skewed_share,
            n_networks: self.networks,
            csv: self.csv,
            ..ScenarioConfig::new(self.seed, self.reads)
        }
    }
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    if let Some(map) = &args.map {
        std::fs::write(map, corridor_sim::render_map_svg(args.seed))
            .with_context(|| format!("writing the map to {}", map.display()))?;
        eprintln!("map written to {}", map.display());
    }
    let Some(out) = &args.out else { return Ok(()) };
    let config = args.config();
    let bar = reads_bar(config.n_reads);
    let summary = corridor_sim::generate(&config, out, &|progress: Progress| {
        bar.set_position(progress.n_reads.min(bar.length().unwrap_or(u64::MAX)));
        bar.set_message(format!("day {}/{}", progress.day, progress.days));
    })
    .with_context(|| format!("simulating into {}", out.display()))?;
    bar.finish_and_clear();
    eprintln!(
        "wrote {} reads from {} cameras with {} planted networks to {}",
        summary.n_reads,
        summary.n_cameras,
        summary.n_networks,
        out.display()
    );
    Ok(())
}

/// A progress bar over reads written.
pub(crate) fn reads_bar(n_reads: u64) -> ProgressBar {
    let bar = ProgressBar::new(n_reads);
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>10} [{bar:40}] {human_pos}/{human_len} reads {msg} ({elapsed})",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix("simulate");
    bar
}
