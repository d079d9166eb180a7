//! `corridor demo`: simulate a corridor with planted networks, ingest it through the real
//! import path, analyse it, report what was found against the planted truth, and serve the
//! API on loopback.

use anyhow::Context;
use corridor_analytics::{AnalysisConfig, AnalysisInput, Report};
use corridor_domain::PlateText;
use corridor_ingest::{ImportOptions, ValidationConfig};
use corridor_server::{Server, ServerConfig};
use corridor_sim::{ScenarioConfig, Truth};
use corridor_store::{Store, StoreConfig};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeSet;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Arguments of `corridor demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Data directory: the store, with the generated scenario in `scenario/` beside it.
    #[arg(
        long = "data",
        env = "CORRIDOR_DATA",
        value_name = "DIR",
        default_value = "./demo-data"
    )]
    data: PathBuf,
    /// About how many reads to simulate.
    #[arg(long, env = "CORRIDOR_DEMO_READS", default_value_t = 2_000_000)]
    reads: u64,
    /// Days to simulate.
    #[arg(long, env = "CORRIDOR_DEMO_DAYS", default_value_t = 14)]
    days: u32,
    /// Scenario seed.
    #[arg(long, env = "CORRIDOR_DEMO_SEED", default_value_t = 1)]
    seed: u64,
    /// Address to serve the API on after the report.
    #[arg(
        long,
        env = "CORRIDOR_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    listen: SocketAddr,
    /// Exit after the report instead of serving the API.
    #[arg(long)]
    no_serve: bool,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let scenario_dir = args.data.join("scenario");
    // The scenario ends yesterday, so that its searches fall inside the window that needs
    // no supervisor's approval (safeguards: data older than 90 days does).
    let start = chrono::Utc::now().date_naive() - chrono::Days::new(u64::from(args.days) + 1);
    let config = ScenarioConfig {
        days: args.days,
        start,
        ..ScenarioConfig::new(args.seed, args.reads)
    };
    let (truth, fresh) = simulate(&config, &scenario_dir)?;
    if fresh {
        start_afresh(&args.data)?;
    }
    let store = Arc::new(
        Store::open(&args.data, StoreConfig::default())
            .with_context(|| format!("opening the store in {}", args.data.display()))?,
    );
    ingest(&store, &scenario_dir)?;
    let report = analyse(&store, &truth)?;
    let mut out = std::io::stdout().lock();
    write_report(
        &mut out,
        &truth,
        report.as_ref(),
        started.elapsed().as_secs_f64(),
    )?;
    if args.no_serve {
        store.flush().context("flushing the store")?;
        return Ok(());
    }
    drop(out);
    serve(args.listen, &args.data, store)
}

fn bar(len: u64, prefix: &'static str, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let template = format!(
        "{{prefix:>10}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit} {{msg}} ({{elapsed}})"
    );
    bar.set_style(
        ProgressStyle::with_template(&template)
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(prefix);
    bar
}

/// The demo's directory holds one scenario: a new one replaces the old store (the
/// scenario folder itself was just rewritten), so reads of two scenarios never mix.
fn start_afresh(data: &Path) -> anyhow::Result<()> {
    for sub in ["wal", "segments", "index", "alerts"] {
        let path = data.join(sub);
        if path.exists() {
            std::fs::remove_dir_all(&path)
                .with_context(|| format!("removing the old demo's {}", path.display()))?;
        }
    }
    for file in ["CATALOG", "cameras.parquet", "clock.json"] {
        let path = data.join(file);
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("removing the old demo's {}", path.display()))?;
        }
    }
    Ok(())
}

/// Generates the scenario (`true`), or reuses it when the same one is already there.
fn simulate(config: &ScenarioConfig, dir: &Path) -> anyhow::Result<(Truth, bool)> {
    let truth_path = dir.join("truth.json");
    if let Ok(truth) = Truth::load(&truth_path)
        && truth.params.seed == config.seed
        && truth.params.n_reads_requested == config.n_reads
        && truth.params.days == config.days
        && truth.params.start == config.start.format("%Y-%m-%d").to_string()
    {
        eprintln!("reusing the scenario in {}", dir.display());
        return Ok((truth, false));
    }
    let _ = std::fs::remove_file(dir.join("imported"));
    let progress = bar(config.n_reads, "simulate", "reads");
    corridor_sim::generate(config, dir, &|p| {
        progress.set_position(p.n_reads.min(config.n_reads));
        progress.set_message(format!("day {}/{}", p.day, p.days));
    })
    .with_context(|| format!("simulating into {}", dir.display()))?;
    progress.finish_and_clear();
    Ok((
        Truth::load(&truth_path).context("reading back truth.json")?,
        true,
    ))
}

/// Imports the scenario through the real import path (validation included), once.
fn ingest(store: &Store, scenario_dir: &Path) -> anyhow::Result<()> {
    let marker = scenario_dir.join("imported");
    if marker.exists() {
        eprintln!("the scenario is already in the store");
        return Ok(());
    }
    let reads = scenario_dir.join("reads.parquet");
    let options = ImportOptions::strict(ValidationConfig::now());
    let progress = bar(0, "import", "rows");
    let cameras = scenario_dir.join("cameras.csv");
    let report =
        corridor_ingest::import(store, Some(cameras.as_path()), &reads, &options, &mut |p| {
            if p.total > 0 {
                progress.set_length(p.total);
            }
            progress.set_position(p.done);
        })
        .with_context(|| format!("importing {}", reads.display()))?;
    progress.finish_and_clear();
    eprintln!(
        "imported {} reads ({} duplicates skipped) and {} cameras",
        report.n_imported, report.n_duplicates, report.n_cameras
    );
    store.flush().context("flushing the store")?;
    std::fs::write(&marker, b"").with_context(|| format!("writing {}", marker.display()))?;
    Ok(())
}

/// Runs every analysis with the truth's seeds as the investigator's starting points.
fn analyse(store: &Store, truth: &Truth) -> anyhow::Result<Option<Report>> {
    let spinner = ProgressBar::new_spinner();
    spinner.set_message("analysing journeys, hubs, convoys, clones and the network");
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let reads = store
        .scan(None, None)
        .context("scanning the store")?
        .collect::<Result<Vec<_>, _>>()
        .context("scanning the store")?;
    let input = AnalysisInput {
        reads,
        cameras: store.cameras(),
        seeds: truth
            .seeds
            .iter()
            .filter_map(|s| PlateText::parse(&s.plate).ok())
            .collect(),
        window: None,
    };
    let report =
        corridor_analytics::analyse(&input, &AnalysisConfig::default()).context("analysing")?;
    // Over every read, as `corridor analyse` over the whole store records them.
    super::analyse::record_clock_register(store, &input, &report.camera_skews)?;
    spinner.finish_and_clear();
    Ok(Some(report))
}

/// Share of `found` in `wanted`, as "a/b".
fn ratio(n: usize, total: usize) -> String {
    format!("{n}/{total}")
}

fn write_report(
    out: &mut dyn Write,
    truth: &Truth,
    report: Option<&Report>,
    secs: f64,
) -> anyhow::Result<()> {
    let params = &truth.params;
    writeln!(
        out,
        "Corridor demo: {} reads from {} cameras over {} days from {} (seed {}).",
        params.n_reads_written, params.n_cameras, params.days, params.start, params.seed
    )?;
    writeln!(
        out,
        "Planted: {} networks, {} hubs, {} convoys, {} cloned plates, {} swapped vans, {} network plates; background: {} commuters ({} pairs), {} lorry platoons.",
        truth.networks.len(),
        truth.hubs.len(),
        truth.convoys.len(),
        truth.clones.len(),
        truth.swaps.len(),
        truth.network_plate_keys().len(),
        truth.background.n_commuters,
        truth.background.commuter_pairs.len(),
        truth.background.n_platoons
    )?;
    let seeds: Vec<&str> = truth.seeds.iter().map(|s| s.plate.as_str()).collect();
    writeln!(
        out,
        "Seeds (known to the investigator): {}",
        seeds.join(", ")
    )?;
    let Some(report) = report else {
        writeln!(
            out,
            "No analyses in this build; the reads are in the store."
        )?;
        return Ok(());
    };
    let network: BTreeSet<&str> = truth
        .network_plates
        .iter()
        .map(|p| p.plate.as_str())
        .collect();
    let hubs_found = truth
        .hubs
        .iter()
        .filter(|hub| {
            report
                .hubs
                .iter()
                .any(|h| corridor_sim::haversine_m(h.lat, h.lon, hub.lat, hub.lon) < 2_000.0)
        })
        .count();
    writeln!(out, "Found:")?;
    writeln!(
        out,
        "  hubs:     {} reported, {} planted hubs within 2 km of one",
        report.hubs.len(),
        ratio(hubs_found, truth.hubs.len())
    )?;
    let convoy_hits = report
        .convoys
        .iter()
        .filter(|c| c.plates.iter().all(|p| network.contains(p.as_str())))
        .count();
    writeln!(
        out,
        "  convoys:  {} reported, {} of them between network plates",
        report.convoys.len(),
        convoy_hits
    )?;
    let planted_clones: BTreeSet<&str> = truth
        .clones
        .iter()
        .map(|c| c.plate.plate.as_str())
        .collect();
    let clones_found = report
        .clones
        .iter()
        .filter(|c| c.kind != "swap" && planted_clones.contains(c.plate.as_str()))
        .count();
    let n_clones = report.clones.iter().filter(|c| c.kind != "swap").count();
    writeln!(
        out,
        "  clones:   {n_clones} reported, {} planted cloned plates among them",
        ratio(clones_found, planted_clones.len())
    )?;
    let k = network.len().min(report.ranked_vehicles.len());
    let top_hits = report
        .ranked_vehicles
        .iter()
        .take(network.len())
        .filter(|v| network.contains(v.plate.as_str()))
        .count();
    writeln!(
        out,
        "  network:  {} of the top {} ranked vehicles are network plates ({} planted)",
        top_hits,
        k,
        network.len()
    )?;
    writeln!(out, "Ready in {secs:.0} s.")?;
    Ok(())
}

fn serve(listen: SocketAddr, data: &Path, store: Arc<Store>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("corridor-http")
        .build()
        .context("starting the tokio runtime")?;
    runtime.block_on(async move {
        let server = Server::bind(ServerConfig::new(listen, data), store).await?;
        let tokens = demo_tokens(server.state().safeguards())?;
        #[allow(
            clippy::print_stdout,
            reason = "the URL and tokens on stdout are this command's interface"
        )]
        {
            println!(
                "serving the API and UI on http://{}/ (Ctrl-C to stop)",
                server.local_addr()
            );
            for (name, token) in tokens {
                println!("  token of `{name}`: {token}");
            }
        }
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        server.run(shutdown).await?;
        anyhow::Ok(())
    })
}

/// The demo's users, one per role that works with plate data, each with a fresh token:
/// every API route needs one (`curl -H "Authorization: Bearer $TOKEN" ...`).
fn demo_tokens(
    safeguards: &corridor_safeguards::Safeguards,
) -> anyhow::Result<Vec<(String, String)>> {
    use corridor_safeguards::Role;
    let users = safeguards.users();
    let now = corridor_safeguards::util::now_micros();
    let mut tokens = Vec::new();
    for role in [
        Role::Analyst,
        Role::Operator,
        Role::Supervisor,
        Role::Auditor,
    ] {
        let name = format!("demo-{role}");
        if !users.users().iter().any(|user| user.name == name) {
            users.add_user(corridor_safeguards::auth::User {
                name: name.clone(),
                role,
                agency: "Demo Police".to_owned(),
                agreement: None,
                disabled: false,
            })?;
        }
        let issued = users.issue_token(&name, "demo", None, now)?;
        tokens.push((name, issued.secret));
    }
    Ok(tokens)
}
