//! `corridor convoys`: who travels with a vehicle, searched straight from the store's
//! camera-time indexes (no scan of every read), one search per plate on one open store.

use super::DataDir;
use super::analyse::{WindowArgs, load_config, parse_plates};
use anyhow::Context;
use corridor_analytics::{TargetedConvoys, targeted_convoys};
use corridor_store::{Store, StoreConfig};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `corridor convoys`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// The vehicles to search around, comma-separated: one search each.
    #[arg(
        long = "plate",
        required = true,
        value_delimiter = ',',
        value_name = "PLATE,PLATE"
    )]
    plates: Vec<String>,
    #[command(flatten)]
    window: WindowArgs,
    /// Also write the searches' results as JSON (an array, one entry per plate).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    #[command(flatten)]
    purpose: super::local_audit::PurposeArgs,
    /// Analysis settings as JSON (any subset of the fields of `AnalysisConfig`).
    #[arg(long, env = "CORRIDOR_ANALYSIS_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let config = load_config(args.config.as_deref())?;
    let why = args.purpose.purpose()?;
    let plates = parse_plates("--plate", &args.plates)?;
    let (_, _, window) = args.window.parse()?;
    let opening = Instant::now();
    let store = Store::open(&args.data.path, StoreConfig::default())
        .with_context(|| format!("opening the store in {:?}", args.data.path))?;
    println!(
        "Opened the store ({} reads) in {:.1} s.",
        store.stats().n_reads,
        opening.elapsed().as_secs_f64()
    );
    match store
        .clock_register()
        .context("reading the clock register")?
    {
        Some(register) => println!(
            "Camera clocks: {} corrections from the register estimated {} over {} reads.",
            register.cameras.len(),
            corridor_ingest::format_timestamp(register.estimated_at),
            register.n_reads
        ),
        None => println!(
            "Camera clocks: no register in this store, recorded times taken as true \
             (`corridor store clocks` or `corridor analyse` over the whole store records one)."
        ),
    }
    let mut results: Vec<TargetedConvoys> = Vec::with_capacity(plates.len());
    let mut elapsed_ms: Vec<f64> = Vec::with_capacity(plates.len());
    for plate in &plates {
        let started = Instant::now();
        let result = targeted_convoys(&store, plate, window, &config)
            .with_context(|| format!("searching around {plate}"))?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        print_result(&result, ms);
        elapsed_ms.push(ms);
        results.push(result);
    }
    if elapsed_ms.len() > 1 {
        let mut sorted = elapsed_ms.clone();
        sorted.sort_by(f64::total_cmp);
        println!(
            "{} searches: median {:.1} ms, slowest {:.1} ms.",
            sorted.len(),
            sorted[sorted.len() / 2],
            sorted[sorted.len() - 1]
        );
    }
    let cited: Vec<&str> = results
        .iter()
        .flat_map(|result| &result.convoys)
        .flat_map(|convoy| convoy.read_ids.iter().map(String::as_str))
        .collect();
    super::local_audit::record(
        &args.data.path,
        corridor_safeguards::Action::RunAnalysis,
        why,
        serde_json::json!({ "convoys_of": args.plates, "from": args.window.from, "to": args.window.to }),
        &cited,
    )?;
    if let Some(path) = &args.json {
        let json = serde_json::to_vec_pretty(&results).context("serialising the results")?;
        std::fs::write(path, json).with_context(|| format!("writing {path:?}"))?;
    }
    Ok(())
}

fn print_result(result: &TargetedConvoys, ms: f64) {
    println!(
        "{}: {} reads ({} of them under a misread text; {} of its cameras with a clock correction), {} vehicles read near it, {} scored ({} more read only as lorries, coaches or buses; {} of their reads under misread texts), {} convoy partners in {ms:.1} ms ({}).",
        result.plate,
        result.n_reads,
        result.misread_read_ids.len(),
        result.clock_corrections.len(),
        result.n_vehicles_near,
        result.n_candidates,
        result.n_heavy_left_out,
        result.n_partner_misreads,
        result.convoys.len(),
        result
            .timings_ms
            .iter()
            .map(|(step, ms)| format!("{step} {ms}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for convoy in &result.convoys {
        println!(
            "  with {} on {} occasions (score {:.1}, {:.2} expected by chance), {} cameras",
            convoy
                .plates
                .iter()
                .find(|plate| **plate != result.plate)
                .map_or("?", |p| p),
            convoy.occasions,
            convoy.score,
            convoy.expected,
            convoy.cameras.len()
        );
    }
}
