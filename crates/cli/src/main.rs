//! The `corridor` binary: parses arguments and calls the libraries.
//!
//! Each subcommand lives in its own module under `commands/`, with a clap `Args` struct
//! and a `run` function; this file only dispatches.

/// mimalloc reuses freed memory: bulk imports allocate and free large Arrow buffers at a
/// high rate, which the system allocator hands back to the kernel and faults in again.
/// Built without transparent huge pages (`no_thp`): zeroing 2 MiB pages on each fault
/// cost more than it saved (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

mod commands;

/// Corridor: ANPR intelligence for investigators, analysts and ANPR bureaux.
///
/// Import plate reads from cameras, keep them in a durable embedded store, search a
/// vehicle's history (even through misreads), analyse journeys, routes, hubs, convoys
/// and cloned plates, and serve it all over an HTTP API.
///
/// Start with `corridor demo`: it simulates a corridor to the Channel coast with planted
/// smuggling networks, ingests it, analyses it and serves the result on loopback.
#[derive(Debug, Parser)]
#[command(name = "corridor", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario, ingest it, analyse it and serve the API on loopback.
    Demo(commands::demo::Args),
    /// Generate a scenario: cameras.csv, reads (Parquet, optionally CSV) and truth.json.
    Simulate(commands::simulate::Args),
    /// Import cameras and reads (CSV, Parquet or NDJSON) into a data directory.
    Import(commands::import::Args),
    /// Show where a vehicle has been: exact, wildcard (`AB12?CD`, `*CDE`) or fuzzy search.
    History(commands::history::Args),
    /// Read the number plates in image files (JPEG or PNG): text, confidence, country, colour.
    Read(commands::read::Args),
    /// Run the investigative analyses and write a report.
    Analyse(commands::analyse::Args),
    /// Who travels with a vehicle: its convoy partners, searched straight from the store.
    Convoys(commands::convoys::Args),
    /// Serve the HTTP API (and the UI) over a data directory.
    Serve(commands::serve::Args),
    /// Store maintenance: flush, compact, purge expired reads, statistics.
    Store(commands::store::Args),
    /// Verify or show the tamper-evident audit log.
    Audit(commands::audit::Args),
    /// Export a signed case evidence bundle, or verify one offline.
    Evidence(commands::evidence::Args),
    /// Add users and issue API tokens for the HTTP API.
    Users(commands::users::Args),
    /// Apply the retention policy to the store; place and release legal holds.
    Retention(commands::retention::Args),
}

fn main() -> anyhow::Result<()> {
    commands::init_tracing();
    let cli = Cli::parse();
    match cli.command {
        Command::Demo(args) => commands::demo::run(args),
        Command::Simulate(args) => commands::simulate::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::History(args) => commands::history::run(args),
        Command::Read(args) => commands::read::run(args),
        Command::Analyse(args) => commands::analyse::run(args),
        Command::Convoys(args) => commands::convoys::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Store(args) => commands::store::run(args),
        Command::Audit(args) => commands::audit::run(args),
        Command::Evidence(args) => commands::evidence::run(args),
        Command::Users(args) => commands::users::run(args),
        Command::Retention(args) => commands::retention::run(args),
    }
}
