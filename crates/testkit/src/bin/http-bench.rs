//! `http-bench`: HTTP ingest throughput of `corridor-server` over loopback.
//!
//! Starts the real server in this process (its own tokio runtime, a store in a temporary
//! directory unless `--data` is given), registers `--cameras` cameras, then runs
//! `--clients` concurrent clients that each post `--batch`-read JSON batches of realistic
//! reads (`--plates` distinct plates) for `--secs` seconds. Prints reads/s and request
//! latency percentiles; every counted read was acknowledged, so it is durable.
//!
//! ```text
//! cargo run --release -p corridor-testkit --bin http-bench -- --secs 20
//! ```

use anyhow::{Context, bail};
use clap::Parser;
use corridor_server::{Server, ServerConfig};
use corridor_store::{Store, StoreConfig};
use corridor_testkit::reads::{ReadGen, cameras_json};
use hdrhistogram::Histogram;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// HTTP ingest benchmark: N clients posting batches of reads to a real server on loopback.
#[derive(Debug, Parser)]
struct Args {
    /// Seconds to post for.
    #[arg(long, default_value_t = 20)]
    secs: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Reads per request.
    #[arg(long, default_value_t = 1000)]
    batch: usize,
    /// Distinct plates in the fleet.
    #[arg(long, default_value_t = 300_000)]
    plates: usize,
    /// Cameras in the registry.
    #[arg(long, default_value_t = 500)]
    cameras: usize,
    /// Worker threads of the server's runtime.
    #[arg(long, default_value_t = 2)]
    server_threads: usize,
    /// Data directory (default: a fresh temporary one).
    #[arg(long)]
    data: Option<std::path::PathBuf>,
    /// Seed of the generated reads.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// What one client measured.
struct ClientReport {
    n_reads: u64,
    n_requests: u64,
    n_errors: u64,
    latency_us: Histogram<u64>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scratch = tempfile::tempdir().context("creating a temporary directory")?;
    let data_dir = args
        .data
        .clone()
        .unwrap_or_else(|| scratch.path().join("data"));
    let store =
        Arc::new(Store::open(&data_dir, StoreConfig::default()).context("opening the store")?);
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.server_threads)
        .thread_name("bench-server")
        .enable_all()
        .build()?;
    let config = ServerConfig::new("127.0.0.1:0".parse()?, &data_dir);
    let server = server_runtime.block_on(Server::bind(config, Arc::clone(&store)))?;
    let token = operator_token(server.state().safeguards())?;
    let url = format!("http://{}", server.local_addr());
    let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = server_runtime.spawn(server.run(async move {
        let _ = stopped.await;
    }));

    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("bench-client")
        .enable_all()
        .build()?;
    let reports = client_runtime.block_on(run_clients(&args, &url, &token))?;
    let _ = stop_server.send(());
    server_runtime.block_on(serving)??;
    print_report(&args, &reports, store.stats().n_reads);
    Ok(())
}

/// A user allowed to ingest, and a token of theirs.
fn operator_token(safeguards: &corridor_safeguards::Safeguards) -> anyhow::Result<String> {
    let name = "http-bench";
    if !safeguards
        .users()
        .users()
        .iter()
        .any(|user| user.name == name)
    {
        safeguards
            .users()
            .add_user(corridor_safeguards::auth::User {
                name: name.to_owned(),
                role: corridor_safeguards::Role::Operator,
                agency: "benchmark".to_owned(),
                agreement: None,
                disabled: false,
            })?;
    }
    let now = corridor_safeguards::util::now_micros();
    Ok(safeguards
        .users()
        .issue_token(name, "http-bench", None, now)?
        .secret)
}

async fn run_clients(
    args: &Args,
    url: &str,
    token: &str,
) -> anyhow::Result<(Vec<ClientReport>, Duration)> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))?,
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()?;
    let reply = http
        .put(format!("{url}/api/v1/cameras"))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&cameras_json(args.cameras))?)
        .send()
        .await?;
    if !reply.status().is_success() {
        bail!("registering cameras: {}", reply.text().await?);
    }
    eprintln!(
        "posting {}-read batches from {} clients for {} s to {url} ...",
        args.batch, args.clients, args.secs
    );
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.secs);
    let mut tasks = Vec::new();
    for client_idx in 0..args.clients {
        let generator = ReadGen::new(
            args.seed,
            args.plates,
            args.cameras,
            &format!("b{client_idx}"),
        );
        tasks.push(tokio::spawn(run_client(
            http.clone(),
            format!("{url}/api/v1/reads"),
            generator,
            args.batch,
            deadline,
        )));
    }
    let mut reports = Vec::new();
    for task in tasks {
        reports.push(task.await??);
    }
    Ok((reports, started.elapsed()))
}

async fn run_client(
    http: reqwest::Client,
    url: String,
    mut generator: ReadGen,
    batch_reads: usize,
    deadline: Instant,
) -> anyhow::Result<ClientReport> {
    let mut report = ClientReport {
        n_reads: 0,
        n_requests: 0,
        n_errors: 0,
        latency_us: Histogram::new(3)?,
    };
    while Instant::now() < deadline {
        let batch = generator.json_batch(batch_reads);
        let sent = Instant::now();
        let reply = http
            .post(&url)
            .header("content-type", "application/json")
            .body(batch.body)
            .send()
            .await;
        let ok = match reply {
            Ok(reply) => {
                let status = reply.status();
                let _ = reply.bytes().await;
                status.is_success()
            }
            Err(_) => false,
        };
        let elapsed_us = sent.elapsed().as_micros() as u64;
        report.n_requests += 1;
        if ok {
            report.latency_us.record(elapsed_us.max(1))?;
            report.n_reads += batch.read_ids.len() as u64;
        } else {
            report.n_errors += 1;
        }
    }
    Ok(report)
}

fn print_report(args: &Args, (reports, elapsed): &(Vec<ClientReport>, Duration), n_stored: u64) {
    let mut latency_us = Histogram::<u64>::new(3).expect("3 significant figures is valid");
    let (mut n_reads, mut n_requests, mut n_errors) = (0, 0, 0);
    for report in reports {
        latency_us.add(&report.latency_us).expect("same bounds");
        n_reads += report.n_reads;
        n_requests += report.n_requests;
        n_errors += report.n_errors;
    }
    let secs = elapsed.as_secs_f64();
    let ms = |quantile: f64| latency_us.value_at_quantile(quantile) as f64 / 1000.0;
    #[allow(clippy::print_stdout, reason = "a bench binary reports on stdout")]
    {
        println!(
            "| clients | batch | seconds | requests | errors | reads acknowledged | reads/s | p50 ms | p99 ms | max ms | reads stored |"
        );
        println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        println!(
            "| {} | {} | {secs:.1} | {n_requests} | {n_errors} | {n_reads} | {:.0} | {:.1} | {:.1} | {:.1} | {n_stored} |",
            args.clients,
            args.batch,
            n_reads as f64 / secs,
            ms(0.50),
            ms(0.99),
            latency_us.max() as f64 / 1000.0,
        );
    }
}
