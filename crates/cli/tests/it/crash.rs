//! The crash test of issue 2: ingest over HTTP from several clients, SIGKILL the server
//! at random moments, restart it on the same data directory each time; afterwards every
//! acknowledged read id is stored exactly once and the store opens cleanly.
//!
//! The randomness comes from a seed printed at the start; set `CORRIDOR_CRASH_SEED` to
//! replay a run.

use corridor_store::{Store, StoreConfig, schema::batch_to_reads};
use corridor_testkit::reads::{ReadGen, cameras_json};
use corridor_testkit::{Dice, HttpClient, TestServer};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

const N_CLIENTS: usize = 4;
const N_KILLS: usize = 24;
const N_CAMERAS: usize = 20;
const N_PLATES: usize = 400;
/// How long the test waits for clients to get batches acknowledged before it fails.
const ACK_TIMEOUT: Duration = Duration::from_secs(60);

/// What the clients and the killer share.
struct Shared {
    /// The server's URL and its generation (bumped on every restart).
    server: Mutex<(String, u64)>,
    /// The operator's API token the clients ingest with.
    token: String,
    restarted: Condvar,
    /// Acknowledged batches so far, and the read ids they held.
    acked: Mutex<(u64, Vec<String>)>,
    acked_more: Condvar,
    stop: AtomicBool,
    /// Responses that were neither a 2xx nor a dropped connection.
    failures: Mutex<Vec<String>>,
}

#[test]
fn every_acknowledged_read_survives_repeated_sigkill() {
    let seed = Dice::seed_from_env_or_clock("CORRIDOR_CRASH_SEED");
    eprintln!("crash test seed: {seed} (replay with CORRIDOR_CRASH_SEED={seed})");
    let mut dice = Dice::new(seed);
    let mut server = TestServer::start(env!("CARGO_BIN_EXE_corridor")).expect("server starts");
    let reply = server
        .client_as("operator")
        .put_json("/api/v1/cameras", &cameras_json(N_CAMERAS))
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text);

    let shared = Arc::new(Shared {
        server: Mutex::new((server.url().to_owned(), 0)),
        token: server.token("operator").to_owned(),
        restarted: Condvar::new(),
        acked: Mutex::new((0, Vec::new())),
        acked_more: Condvar::new(),
        stop: AtomicBool::new(false),
        failures: Mutex::new(Vec::new()),
    });
    let clients: Vec<_> = (0..N_CLIENTS)
        .map(|client_idx| {
            let shared = Arc::clone(&shared);
            let client_seed = dice.fork();
            std::thread::spawn(move || run_client(&shared, seed, client_seed, client_idx))
        })
        .collect();

    for generation in 1..=N_KILLS as u64 {
        let acked_before = shared.acked.lock().unwrap().0;
        let target = acked_before + dice.between(1, 6);
        wait_for_acks(&shared, target, seed);
        server.kill_hard().expect("SIGKILL");
        server
            .restart()
            .expect("the server restarts on the same data directory");
        *shared.server.lock().unwrap() = (server.url().to_owned(), generation);
        shared.restarted.notify_all();
    }
    let acked_before = shared.acked.lock().unwrap().0;
    wait_for_acks(&shared, acked_before + 2, seed);
    shared.stop.store(true, Ordering::SeqCst);
    shared.restarted.notify_all();
    for client in clients {
        client.join().expect("client thread");
    }
    server.kill_hard().expect("final SIGKILL");

    let failures = shared.failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "seed {seed}: unexpected responses: {failures:?}"
    );
    let acked_ids = &shared.acked.lock().unwrap().1;
    let stored = stored_read_ids(server.data_dir());
    assert_exactly_once(acked_ids, &stored, seed);
    eprintln!(
        "crash test: {N_KILLS} kills, {} acknowledged reads, {} stored",
        acked_ids.len(),
        stored.values().sum::<u32>()
    );
}

/// Posts batches until told to stop; a batch whose request failed is resent (to the
/// restarted server) until it is acknowledged, which also exercises idempotence.
fn run_client(shared: &Shared, seed: u64, client_seed: u64, client_idx: usize) {
    let mut dice = Dice::new(client_seed);
    let mut reads = ReadGen::new(seed, N_PLATES, N_CAMERAS, &format!("c{client_idx}"));
    while !shared.stop.load(Ordering::SeqCst) {
        let n_reads = dice.between(20, 200) as usize;
        let batch = if dice.between(0, 1) == 0 {
            reads.json_batch(n_reads)
        } else {
            reads.ndjson_batch(n_reads)
        };
        let content_type = if batch.body.first() == Some(&b'[') {
            "application/json"
        } else {
            "application/x-ndjson"
        };
        loop {
            let (url, generation) = shared.server.lock().unwrap().clone();
            let client = HttpClient::new(&url, Duration::from_secs(30))
                .expect("client")
                .with_bearer(&shared.token);
            match client.post("/api/v1/reads", content_type, batch.body.clone()) {
                Ok(reply) if reply.status == 200 => {
                    let mut acked = shared.acked.lock().unwrap();
                    acked.0 += 1;
                    acked.1.extend(batch.read_ids.iter().cloned());
                    shared.acked_more.notify_all();
                    break;
                }
                Ok(reply) => {
                    let failure = format!("{}: {}", reply.status, reply.text);
                    shared.failures.lock().unwrap().push(failure);
                    shared.acked_more.notify_all();
                    return;
                }
                // The server was killed under the request: wait for the next one.
                Err(_) => {
                    let mut server = shared.server.lock().unwrap();
                    while server.1 == generation && !shared.stop.load(Ordering::SeqCst) {
                        server = shared.restarted.wait(server).unwrap();
                    }
                    if shared.stop.load(Ordering::SeqCst) {
                        return;
                    }
                }
            }
        }
    }
}

fn wait_for_acks(shared: &Shared, target: u64, seed: u64) {
    let acked = shared.acked.lock().unwrap();
    let (acked, timeout) = shared
        .acked_more
        .wait_timeout_while(acked, ACK_TIMEOUT, |acked| {
            acked.0 < target && shared.failures.lock().unwrap().is_empty()
        })
        .unwrap();
    let failures = shared.failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "seed {seed}: unexpected responses: {failures:?}"
    );
    assert!(
        !timeout.timed_out(),
        "seed {seed}: stuck at {} acknowledged batches",
        acked.0
    );
}

/// Opens the store directly (it must open cleanly after the SIGKILL) and counts each id.
fn stored_read_ids(data_dir: &std::path::Path) -> HashMap<String, u32> {
    let store = Store::open(data_dir, StoreConfig::default()).expect("the store opens cleanly");
    let mut counts: HashMap<String, u32> = HashMap::new();
    for batch in store.scan(None, None).expect("scan") {
        let batch = batch.expect("a readable batch");
        for read in batch_to_reads(&batch).expect("reads in the canonical schema") {
            *counts.entry(read.read_id).or_default() += 1;
        }
    }
    counts
}

fn assert_exactly_once(acked_ids: &[String], stored: &HashMap<String, u32>, seed: u64) {
    let missing: Vec<&String> = acked_ids
        .iter()
        .filter(|id| !stored.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "seed {seed}: {} acknowledged reads lost, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let repeated: Vec<(&String, &u32)> = stored.iter().filter(|(_, count)| **count > 1).collect();
    assert!(
        repeated.is_empty(),
        "seed {seed}: reads stored more than once: {repeated:?}"
    );
    assert!(
        !acked_ids.is_empty(),
        "seed {seed}: no read was acknowledged"
    );
}
