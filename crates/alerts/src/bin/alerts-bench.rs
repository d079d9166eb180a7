//! Alerts benchmark: hotlist import and load time, matcher cost per read, and
//! read-to-alert latency (matcher + durable alert log + SSE broadcast) at a sustained rate.
//!
//! `cargo run --release -p corridor-alerts --bin alerts-bench -- --entries 100000 --rate 20000 --secs 60`

use anyhow::Context;
use clap::Parser;
use corridor_alerts::{
    AlertConfig, AlertEngine, CountrySpec, EntryFields, GeoPoint, PlateSpec, ReasonCategory,
    Sharing,
};
use corridor_domain::confusion::ConfusionModel;
use corridor_domain::{Country, PlateRead, PlateText};
use hdrhistogram::Histogram;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Measures the alerts pipeline in-process (no HTTP).
#[derive(Parser, Debug)]
struct Args {
    /// Hotlist entries to generate (1% partial patterns, 2% country "any").
    #[arg(long, default_value_t = 100_000)]
    entries: usize,
    /// Reads per second offered to the engine.
    #[arg(long, default_value_t = 20_000)]
    rate: u64,
    /// Seconds the rate is sustained.
    #[arg(long, default_value_t = 60)]
    secs: u64,
    /// Share of reads that are watched plates (exact); the same share again are misreads of them
    /// (sampled from the standard confusion model).
    #[arg(long, default_value_t = 0.01)]
    hit_ratio: f64,
    /// Data directory (a temporary one when absent).
    #[arg(long)]
    data_dir: Option<std::path::PathBuf>,
    /// Seed of the generated hotlist and reads.
    #[arg(long, default_value_t = 5)]
    seed: u64,
    /// Only open `--data-dir` and report the hotlist load time (wall and CPU), then exit.
    #[arg(long)]
    load_only: bool,
    /// Write the results as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

/// Cameras the reads are spread over: 20,000 reads/s is 4 reads/s per camera.
const CAMERAS: u32 = 5000;
const COUNTRIES: [&str; 6] = ["GB", "FR", "BE", "NL", "DE", "PL"];
const LETTERS: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let temp = tempfile::tempdir().context("temp dir")?;
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| temp.path().to_owned());
    if args.load_only {
        let (wall, cpu) = (Instant::now(), thread_cpu_ns());
        let engine = open(&data_dir)?;
        println!(
            "hotlist: {} entries loaded in {:.2} s wall, {:.2} s CPU",
            engine.hotlist().len(),
            wall.elapsed().as_secs_f64(),
            (thread_cpu_ns() - cpu) as f64 / 1e9
        );
        return Ok(());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let entries: Vec<EntryFields> = (0..args.entries).map(|_| random_entry(&mut rng)).collect();

    let engine = open(&data_dir)?;
    let started = Instant::now();
    for chunk in entries.chunks(100_000) {
        engine.hotlist().create_many(chunk.to_vec(), "bench", 0)?;
    }
    let import_secs = started.elapsed().as_secs_f64();
    drop(engine);
    let started = Instant::now();
    let engine = Arc::new(open(&data_dir)?);
    let load_secs = started.elapsed().as_secs_f64();
    println!(
        "hotlist: {} entries, import {import_secs:.2} s, load (replay) {load_secs:.2} s",
        engine.hotlist().len()
    );

    let reads = generate_reads(
        &ConfusionModel::standard(),
        &mut rng,
        &entries,
        args.hit_ratio,
        200_000,
    );
    let model = ConfusionModel::standard();
    let model_ns = per_read_ns(&reads, |plate_read| {
        model
            .alternatives_in(&plate_read.plate, plate_read.country, 32)
            .len()
    });
    let match_ns = per_read_ns(&reads, |plate_read| {
        engine.matcher().match_read(plate_read, 0).len()
    });
    println!(
        "CPU per read: confusion model alone {model_ns:.0} ns; matcher with prefilter {match_ns:.0} ns"
    );
    let (matcher_ns, n_hits) = matcher_cost(&engine, &reads);
    println!(
        "CPU per read: matcher + geofence + convoy {matcher_ns:.0} ns ({:.1}% of one core at {} reads/s), {n_hits} hits in {} reads",
        matcher_ns * args.rate as f64 / 1e7,
        args.rate,
        reads.len()
    );

    let latency = paced_run(&engine, &reads, args.rate, args.secs)?;
    println!(
        "read-to-alert at {} reads/s for {} s: {} alerts, p50 {:.3} ms, p99 {:.3} ms, p99.9 {:.3} ms, max {:.3} ms; achieved {:.0} reads/s, schedule lag max {:.3} ms; ingest-thread CPU {:.0} ns/read ({:.1}% of a core)",
        args.rate,
        args.secs,
        latency.n_alerts,
        latency.p50_ms,
        latency.p99_ms,
        latency.p999_ms,
        latency.max_ms,
        latency.achieved_rate,
        latency.lag_max_ms,
        latency.cpu_ns_per_read,
        latency.cpu_ns_per_read * args.rate as f64 / 1e7
    );
    if let Some(path) = &args.json {
        let json = serde_json::json!({
            "entries": args.entries, "rate": args.rate, "secs": args.secs,
            "import_secs": import_secs, "load_secs": load_secs, "matcher_ns_per_read": matcher_ns,
            "n_alerts": latency.n_alerts, "p50_ms": latency.p50_ms, "p99_ms": latency.p99_ms,
            "p999_ms": latency.p999_ms, "max_ms": latency.max_ms, "achieved_rate": latency.achieved_rate,
            "ingest_cpu_ns_per_read": latency.cpu_ns_per_read,
        });
        std::fs::write(path, serde_json::to_vec_pretty(&json)?)
            .with_context(|| format!("writing {path:?}"))?;
    }
    Ok(())
}

fn open(data_dir: &std::path::Path) -> anyhow::Result<AlertEngine> {
    let cameras: HashMap<String, GeoPoint> = HashMap::new();
    let mut config = AlertConfig::new(data_dir);
    config.broadcast_capacity = 65_536;
    Ok(AlertEngine::open(
        config,
        Arc::new(ConfusionModel::standard()),
        Arc::new(cameras),
    )?)
}

fn random_plate(rng: &mut ChaCha8Rng) -> String {
    let mut plate = String::with_capacity(7);
    for pos in 0..7 {
        let set = if (2..4).contains(&pos) {
            DIGITS
        } else {
            LETTERS
        };
        plate.push(set[rng.random_range(0..set.len())] as char);
    }
    plate
}

fn random_entry(rng: &mut ChaCha8Rng) -> EntryFields {
    let mut plate = random_plate(rng);
    let roll: f64 = rng.random();
    if roll < 0.01 {
        plate.replace_range(4..5, "?");
        plate.replace_range(6..7, "?");
    }
    let country = if roll > 0.98 {
        "any"
    } else {
        COUNTRIES[rng.random_range(0..COUNTRIES.len())]
    };
    EntryFields {
        plate: PlateSpec::parse(&plate).expect("generated plates are valid"),
        country: CountrySpec::parse(country).expect("generated countries are valid"),
        reason: ReasonCategory::Smuggling,
        handling: "observe; report position".to_owned(),
        agency: "NCA".to_owned(),
        expires_at: None,
        sharing: Sharing::International,
    }
}

/// Reads: `hit_ratio` watched plates, as many misreads of watched plates, the rest random.
fn generate_reads(
    model: &ConfusionModel,
    rng: &mut ChaCha8Rng,
    entries: &[EntryFields],
    hit_ratio: f64,
    n_reads: usize,
) -> Vec<PlateRead> {
    (0..n_reads)
        .map(|read_idx| {
            let roll: f64 = rng.random();
            let entry = &entries[rng.random_range(0..entries.len())];
            let (plate, country) = match (&entry.plate, entry.country) {
                (PlateSpec::Exact(plate), CountrySpec::Only(country)) if roll < 2.0 * hit_ratio => {
                    let mut text = plate.as_str().to_owned();
                    if roll >= hit_ratio {
                        text = misread_of(model, &text, rng).unwrap_or(text);
                    }
                    (text, country.as_str().to_owned())
                }
                _ => (
                    random_plate(rng),
                    COUNTRIES[rng.random_range(0..COUNTRIES.len())].to_owned(),
                ),
            };
            PlateRead {
                read_id: format!("bench-{read_idx}"),
                plate: PlateText::parse(&plate).expect("generated plates are valid"),
                country: Some(Country::parse(&country).expect("generated countries are valid")),
                camera_id: format!("cam-{}", rng.random_range(0..CAMERAS)),
                // 20,000 reads/s: one every 50 microseconds.
                ts: 1_900_000_000_000_000 + read_idx as i64 * 50,
                confidence: Some(0.9),
                lat: None,
                lon: None,
                heading_deg: None,
                make: None,
                model: None,
                colour: None,
                vehicle_type: None,
            }
        })
        .collect()
}

/// A misread of `plate` sampled from the confusion model (another text), if one comes up.
fn misread_of(model: &ConfusionModel, plate: &str, rng: &mut ChaCha8Rng) -> Option<String> {
    (0..50)
        .map(|_| model.sample_misread(plate, &mut || rng.random::<f64>()))
        .find(|misread| misread != plate && PlateText::parse(misread).is_ok())
}

/// Mean CPU time of `work` per read, in nanoseconds (this thread's CPU time, so that other
/// processes on a shared machine do not inflate it).
fn per_read_ns(reads: &[PlateRead], work: impl Fn(&PlateRead) -> usize) -> f64 {
    let started = thread_cpu_ns();
    let mut sink = 0usize;
    for plate_read in reads {
        sink = sink.wrapping_add(work(plate_read));
    }
    std::hint::black_box(sink);
    (thread_cpu_ns() - started) as f64 / reads.len() as f64
}

/// This thread's CPU time in nanoseconds, from `/proc/thread-self/schedstat` (Linux).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Mean matching cost (matcher, geofence and convoy tracking; no logging) per read.
fn matcher_cost(engine: &AlertEngine, reads: &[PlateRead]) -> (f64, usize) {
    let started = Instant::now();
    let mut n_hits = 0;
    for batch in reads.chunks(1000) {
        n_hits += engine.raise_alerts(batch, 0).len();
    }
    (
        started.elapsed().as_nanos() as f64 / reads.len() as f64,
        n_hits,
    )
}

struct Latency {
    n_alerts: u64,
    p50_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
    max_ms: f64,
    achieved_rate: f64,
    lag_max_ms: f64,
    /// CPU of the ingest thread per read: matching, alert log appends, broadcast.
    cpu_ns_per_read: f64,
}

/// Offers reads at `rate` for `secs`; each read is due at its scheduled instant and its
/// latency runs from that instant to the SSE subscriber receiving the alert.
fn paced_run(
    engine: &Arc<AlertEngine>,
    reads: &[PlateRead],
    rate: u64,
    secs: u64,
) -> anyhow::Result<Latency> {
    let base_ts: i64 = 1_900_000_000_000_000;
    let n_total = rate * secs;
    let n_before = engine.alert_log().len();
    let stop_at = Arc::new(AtomicU64::new(u64::MAX));
    let started = Instant::now();
    let collector = spawn_collector(
        engine.alert_log().subscribe(),
        started,
        base_ts,
        Arc::clone(&stop_at),
    );
    let interval_us = 1_000_000.0 / rate as f64;
    let cpu_started = thread_cpu_ns();
    let mut next = 0u64;
    let mut lag_max_us = 0u64;
    let mut batch = Vec::with_capacity(256);
    while next < n_total {
        let now_us = started.elapsed().as_micros() as u64;
        while next < n_total && (next as f64 * interval_us) as u64 <= now_us {
            let mut plate_read = reads[(next as usize) % reads.len()].clone();
            let due_us = (next as f64 * interval_us) as u64;
            plate_read.read_id = format!("bench-{next}");
            plate_read.ts = base_ts + due_us as i64;
            lag_max_us = lag_max_us.max(now_us - due_us);
            batch.push(plate_read);
            next += 1;
        }
        if batch.is_empty() {
            let due_us = (next as f64 * interval_us) as u64;
            std::thread::sleep(Duration::from_micros(
                due_us.saturating_sub(now_us).min(1000),
            ));
            continue;
        }
        engine.check_reads_durable(&batch, base_ts + now_us as i64)?;
        batch.clear();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_ns_per_read = (thread_cpu_ns() - cpu_started) as f64 / n_total as f64;
    let n_alerts = engine.alert_log().len() - n_before;
    stop_at.store(n_alerts, Ordering::SeqCst);
    let histogram = collector
        .join()
        .map_err(|_| anyhow::anyhow!("collector panicked"))?;
    let ms = |quantile: f64| histogram.value_at_quantile(quantile) as f64 / 1000.0;
    Ok(Latency {
        n_alerts,
        p50_ms: ms(0.5),
        p99_ms: ms(0.99),
        p999_ms: ms(0.999),
        max_ms: histogram.max() as f64 / 1000.0,
        achieved_rate: n_total as f64 / elapsed,
        lag_max_ms: lag_max_us as f64 / 1000.0,
        cpu_ns_per_read,
    })
}

/// Receives broadcast alerts until `stop_at` alerts were counted; records their latency.
fn spawn_collector(
    mut feed: tokio::sync::broadcast::Receiver<Arc<corridor_alerts::Alert>>,
    started: Instant,
    base_ts: i64,
    stop_at: Arc<AtomicU64>,
) -> std::thread::JoinHandle<Histogram<u64>> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("collector runtime");
        let mut histogram =
            Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds");
        let mut n_seen = 0u64;
        runtime.block_on(async {
            while n_seen < stop_at.load(Ordering::SeqCst) {
                match tokio::time::timeout(Duration::from_millis(100), feed.recv()).await {
                    Ok(Ok(alert)) => {
                        let due_us = (alert.read_ts - base_ts) as u64;
                        let latency_us = (started.elapsed().as_micros() as u64)
                            .saturating_sub(due_us)
                            .max(1);
                        histogram.saturating_record(latency_us);
                        n_seen += 1;
                    }
                    Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(n))) => {
                        eprintln!("collector lagged by {n} alerts; they are not in the histogram");
                        n_seen += n;
                    }
                    Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return,
                    Err(_) => {}
                }
            }
        });
        histogram
    })
}
