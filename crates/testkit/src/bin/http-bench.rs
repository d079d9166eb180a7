//! `http-bench`: HTTP ingest throughput of `corridor-server` over loopback.
//!
//! Starts the real server in this process (its own tokio runtime, a store in a temporary
//! directory unless `--data` is given), registers `--cameras` cameras, then runs
//! `--clients` concurrent clients that each post `--batch`-read JSON batches of realistic
//! reads (`--plates` distinct plates) for `--secs` seconds. Prints reads/s and request
//! latency percentiles; every counted read was acknowledged, so it is durable.
//!
//! With `--hotlist N` the server's alerts engine holds N hotlist entries before the run:
//! `--watched-share` of the fleet's plates (with their countries), the rest plates that
//! are never read. With `--rate R` the clients offer R reads/s in total (paced, one batch
//! per client every `clients * batch / R` seconds) instead of posting as fast as they
//! can, and a client on `GET /api/v1/alerts/stream` times every sighting alert from the
//! moment the batch holding its read was sent to the moment the event arrived: the
//! read-to-alert latency over loopback HTTP, WAL and alert-log syncs included.
//!
//! ```text
//! cargo build --release --workspace --bins
//! target/release/http-bench --secs 20                                   # ingest, alerts off
//! target/release/http-bench --secs 20 --hotlist 100000                  # ingest, alerts on
//! target/release/http-bench --secs 60 --hotlist 100000 --rate 20000 --batch 100 --clients 4
//! ```

/// The allocator of the `corridor` binary, so that the in-process server runs as it does there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Hotlist entries loaded before the run (0: no hotlist).
    #[arg(long, default_value_t = 0)]
    hotlist: usize,
    /// Share of the fleet's plates on the hotlist.
    #[arg(long, default_value_t = 0.01)]
    watched_share: f64,
    /// Reads per second offered by all clients together (0: as fast as acknowledged).
    #[arg(long, default_value_t = 0)]
    rate: u64,
}

/// What one client measured.
struct ClientReport {
    n_reads: u64,
    n_requests: u64,
    n_errors: u64,
    latency_us: Histogram<u64>,
    /// When each batch was sent, in order (batch k holds reads `k * batch ..`).
    sent: Vec<Instant>,
    /// Largest delay of a send behind its schedule (paced runs).
    lag_max: Duration,
}

/// Sighting alerts received on the event stream: `(read id, when)`.
type Received = Vec<(String, Instant)>;

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
    if args.hotlist > 0 {
        load_hotlist(server.state().alerts(), &args)?;
    }
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
    let (reports, received) = client_runtime.block_on(run_clients(&args, &url, &token))?;
    let _ = stop_server.send(());
    server_runtime.block_on(serving)??;
    print_report(&args, &reports, store.stats().n_reads);
    if args.rate > 0 {
        print_alert_latency(&args, &reports.0, &received)?;
    }
    Ok(())
}

/// Fills the hotlist: `--watched-share` of the fleet's plates, then plates never read.
fn load_hotlist(alerts: &corridor_alerts::AlertEngine, args: &Args) -> anyhow::Result<()> {
    use corridor_alerts::{CountrySpec, EntryFields, PlateSpec, ReasonCategory, Sharing};
    let fleet = ReadGen::new(args.seed, args.plates, args.cameras, "hotlist");
    let n_watched = ((args.plates as f64 * args.watched_share) as usize).min(args.hotlist);
    let unread = ReadGen::new(args.seed ^ 0x5eed, args.hotlist, args.cameras, "unread");
    let entry = |(plate, country): &(String, &str)| -> anyhow::Result<EntryFields> {
        Ok(EntryFields {
            plate: PlateSpec::parse(plate)?,
            country: CountrySpec::parse(country)?,
            reason: ReasonCategory::Smuggling,
            handling: "observe; report position".to_owned(),
            agency: "benchmark".to_owned(),
            expires_at: None,
            sharing: Sharing::International,
        })
    };
    let watched = fleet.plates().iter().take(n_watched);
    let fleet_plates: std::collections::HashSet<&(String, &str)> = fleet.plates().iter().collect();
    let never_read = unread
        .plates()
        .iter()
        .filter(|plate| !fleet_plates.contains(plate));
    let entries: Vec<EntryFields> = watched
        .chain(never_read)
        .take(args.hotlist)
        .map(entry)
        .collect::<anyhow::Result<_>>()?;
    let started = Instant::now();
    for chunk in entries.chunks(100_000) {
        alerts
            .hotlist()
            .create_many(chunk.to_vec(), "http-bench", 0)?;
    }
    eprintln!(
        "hotlist: {} entries ({n_watched} of them plates of the fleet) loaded in {:.2} s",
        alerts.hotlist().len(),
        started.elapsed().as_secs_f64()
    );
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
) -> anyhow::Result<((Vec<ClientReport>, Duration), Received)> {
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
    let (stop_listening, listening) = tokio::sync::watch::channel(false);
    // The listener has a thread of its own, so that the clients' work never delays the
    // moment an event is seen.
    let listener = (args.rate > 0).then(|| {
        let (http, url) = (http.clone(), format!("{url}/api/v1/alerts/stream"));
        std::thread::spawn(move || -> anyhow::Result<Received> {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(listen_for_alerts(http, url, listening))
        })
    });
    // Let the event stream connect before the first read.
    tokio::time::sleep(Duration::from_millis(300)).await;
    eprintln!(
        "posting {}-read batches from {} clients for {} s to {url} ({}) ...",
        args.batch,
        args.clients,
        args.secs,
        if args.rate > 0 {
            format!("{} reads/s offered", args.rate)
        } else {
            "as fast as acknowledged".to_owned()
        }
    );
    let period = (args.rate > 0)
        .then(|| Duration::from_secs_f64((args.clients * args.batch) as f64 / args.rate as f64));
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
        // Paced clients start spread over one period.
        let start = period.map_or(started, |period| {
            started + period.mul_f64(client_idx as f64 / args.clients as f64)
        });
        tasks.push(tokio::spawn(run_client(
            http.clone(),
            format!("{url}/api/v1/reads"),
            generator,
            args.batch,
            (start, period),
            deadline,
        )));
    }
    let mut reports = Vec::new();
    for task in tasks {
        reports.push(task.await??);
    }
    let elapsed = started.elapsed();
    let received = match listener {
        Some(listener) => {
            // Alerts of the last batches are still on their way.
            tokio::time::sleep(Duration::from_secs(1)).await;
            let _ = stop_listening.send(true);
            listener.join().expect("alert listener thread")?
        }
        None => Vec::new(),
    };
    Ok(((reports, elapsed), received))
}

/// Reads the server-sent events of the alert stream until told to stop; keeps the read
/// id and arrival time of each sighting alert.
async fn listen_for_alerts(
    http: reqwest::Client,
    url: String,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<Received> {
    let mut reply = http.get(&url).send().await?;
    if !reply.status().is_success() {
        bail!("opening the alert stream: {}", reply.status());
    }
    let mut received = Vec::new();
    let mut pending = String::new();
    loop {
        let chunk = tokio::select! {
            chunk = reply.chunk() => chunk?,
            _ = stop.changed() => return Ok(received),
        };
        let Some(chunk) = chunk else {
            return Ok(received);
        };
        let now = Instant::now();
        pending.push_str(std::str::from_utf8(&chunk)?);
        while let Some(end) = pending.find("\n\n") {
            let event: String = pending.drain(..end + 2).collect();
            let Some(data) = event.lines().find_map(|line| line.strip_prefix("data:")) else {
                continue;
            };
            let alert: serde_json::Value = serde_json::from_str(data.trim())?;
            if alert["trigger"]["type"] == "sighting"
                && let Some(read_id) = alert["read_id"].as_str()
            {
                received.push((read_id.to_owned(), now));
            }
        }
    }
}

async fn run_client(
    http: reqwest::Client,
    url: String,
    mut generator: ReadGen,
    batch_reads: usize,
    (start, period): (Instant, Option<Duration>),
    deadline: Instant,
) -> anyhow::Result<ClientReport> {
    let mut report = ClientReport {
        n_reads: 0,
        n_requests: 0,
        n_errors: 0,
        latency_us: Histogram::new(3)?,
        sent: Vec::new(),
        lag_max: Duration::ZERO,
    };
    let mut due = start;
    while Instant::now() < deadline {
        let batch = generator.json_batch(batch_reads);
        if let Some(period) = period {
            tokio::time::sleep_until(due.into()).await;
            report.lag_max = report.lag_max.max(due.elapsed());
            due += period;
        }
        let sent = Instant::now();
        report.sent.push(sent);
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

/// Read-to-alert latency: each sighting alert's arrival minus the send time of its batch.
fn print_alert_latency(
    args: &Args,
    reports: &[ClientReport],
    received: &Received,
) -> anyhow::Result<()> {
    let mut latency_us = Histogram::<u64>::new(3)?;
    for (read_id, arrived) in received {
        let Some((client, n)) = read_id
            .strip_prefix('b')
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(client, n)| {
                Some((client.parse::<usize>().ok()?, n.parse::<usize>().ok()?))
            })
        else {
            bail!("an alert for a read this bench did not send: {read_id}");
        };
        let sent = reports[client].sent[n / args.batch];
        latency_us.record((arrived.saturating_duration_since(sent).as_micros() as u64).max(1))?;
    }
    let lag_max = reports
        .iter()
        .map(|report| report.lag_max)
        .max()
        .unwrap_or_default();
    let ms = |quantile: f64| latency_us.value_at_quantile(quantile) as f64 / 1000.0;
    #[allow(clippy::print_stdout, reason = "a bench binary reports on stdout")]
    {
        println!();
        println!(
            "| hotlist | offered reads/s | sighting alerts | read-to-alert p50 ms | p99 ms | p99.9 ms | max ms | send lag max ms |"
        );
        println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
        println!(
            "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} |",
            args.hotlist,
            args.rate,
            latency_us.len(),
            ms(0.50),
            ms(0.99),
            ms(0.999),
            latency_us.max() as f64 / 1000.0,
            lag_max.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
