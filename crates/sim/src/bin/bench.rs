//! Measures scenario generation: `cargo run --release -p corridor-sim --bin bench -- --reads N --out DIR`.
//!
//! Prints reads written, wall time, reads per second and peak resident memory (Linux).
//! `--map PATH` instead draws the corridor map for `--seed` (given before it) and exits.

use corridor_sim::{ScenarioConfig, generate};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut n_reads = 10_000_000u64;
    let mut days = 14u32;
    let mut seed = 1u64;
    let mut out = PathBuf::from("/tmp/corridor-sim-bench");
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("flag {flag} needs a value"))?;
        match flag.as_str() {
            "--reads" => n_reads = value.parse()?,
            "--days" => days = value.parse()?,
            "--seed" => seed = value.parse()?,
            "--out" => out = PathBuf::from(value),
            "--map" => {
                std::fs::write(&value, corridor_sim::render_map_svg(seed))?;
                return Ok(());
            }
            other => {
                return Err(format!(
                    "unknown flag {other} (expected --reads, --days, --seed, --out, --map)"
                )
                .into());
            }
        }
    }
    let config = ScenarioConfig {
        days,
        ..ScenarioConfig::new(seed, n_reads)
    };
    let started = Instant::now();
    let summary = generate(&config, &out, &|progress| {
        eprint!(
            "\rday {}/{}: {} reads",
            progress.day, progress.days, progress.n_reads
        );
    })?;
    let secs = started.elapsed().as_secs_f64();
    let parquet_bytes = std::fs::metadata(&summary.reads_parquet_path)?.len();
    eprintln!();
    println!("| reads | days | seconds | reads/s | peak RSS (MiB) | reads.parquet (MiB) |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {} | {} | {:.1} | {:.0} | {} | {:.0} |",
        summary.n_reads,
        days,
        secs,
        summary.n_reads as f64 / secs,
        peak_rss_mib().map_or("n/a".to_owned(), |m| m.to_string()),
        parquet_bytes as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}

/// Peak resident set size from `/proc/self/status` (`VmHWM`), MiB.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
