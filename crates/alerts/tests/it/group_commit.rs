//! The alert log's group commit: concurrent appends share syncs, keep one gap-free order,
//! publish each alert once, and survive a reopen.

use crate::support::{SEC, T0, entry, open_engine, read};
use std::collections::BTreeSet;
use std::sync::Arc;

const THREADS: usize = 8;
const PER_THREAD: usize = 40;

#[test]
fn concurrent_appends_are_durable_in_one_gap_free_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Arc::new(open_engine(dir.path()));
    engine
        .hotlist()
        .create(entry("AB12CDE", "GB"), "alice", T0)
        .expect("create");
    let mut live = engine.alert_log().subscribe();
    let threads: Vec<_> = (0..THREADS)
        .map(|thread| {
            let engine = Arc::clone(&engine);
            std::thread::spawn(move || {
                let mut seqs = Vec::new();
                for idx in 0..PER_THREAD {
                    let read_id = format!("t{thread}-r{idx}");
                    let ts = T0 + (idx as i64 + 1) * SEC;
                    let staged = engine
                        .check_reads(&[read(&read_id, "AB12CDE", Some("GB"), "cam-a", ts)], ts)
                        .expect("stage");
                    let logged = engine.wait(staged).expect("durable");
                    assert_eq!(logged.len(), 1, "{read_id}");
                    // Once `wait` returns, readers see the alert.
                    let seq = logged[0].seq;
                    let visible = engine.alert_log().alert_at(seq).expect("visible");
                    assert_eq!(visible.read_id, read_id);
                    seqs.push(seq);
                }
                seqs
            })
        })
        .collect();
    let mut seqs: Vec<u64> = threads
        .into_iter()
        .flat_map(|thread| thread.join().expect("appender"))
        .collect();
    seqs.sort_unstable();
    let n_alerts = (THREADS * PER_THREAD) as u64;
    assert_eq!(seqs, (0..n_alerts).collect::<Vec<_>>());
    let mut broadcast = Vec::new();
    while let Ok(alert) = live.try_recv() {
        broadcast.push(alert.seq);
    }
    assert_eq!(
        broadcast,
        (0..n_alerts).collect::<Vec<_>>(),
        "published once each, in order"
    );

    // A read sent again (a client retrying) raises nothing new.
    let again = engine
        .check_reads_durable(
            &[read("t0-r0", "AB12CDE", Some("GB"), "cam-a", T0 + SEC)],
            T0 + SEC,
        )
        .expect("replay");
    assert!(again.is_empty());

    let ids: BTreeSet<String> = engine
        .alert_log()
        .alerts_from(0, usize::MAX)
        .iter()
        .map(|alert| alert.alert_id.clone())
        .collect();
    drop(live);
    let engine = Arc::into_inner(engine).expect("only owner");
    drop(engine);
    let reopened = open_engine(dir.path());
    let log = reopened.alert_log();
    assert_eq!(log.len(), n_alerts);
    let reopened_ids: BTreeSet<String> = log
        .alerts_from(0, usize::MAX)
        .iter()
        .map(|alert| alert.alert_id.clone())
        .collect();
    assert_eq!(reopened_ids, ids);
    assert_eq!(ids.len() as u64, n_alerts);
}

#[test]
fn a_batch_sent_again_waits_for_the_first_tries_alerts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open_engine(dir.path());
    engine
        .hotlist()
        .create(entry("AB12CDE", "GB"), "alice", T0)
        .expect("create");
    let reads = [read("r1", "AB12CDE", Some("GB"), "cam-a", T0 + SEC)];
    let first = engine.check_reads(&reads, T0 + SEC).expect("stage");
    let again = engine.check_reads(&reads, T0 + SEC).expect("stage again");
    assert!(again.alerts().is_empty(), "one alert per id");
    // Once the second try may be acknowledged, the alert it relies on is durable.
    assert!(engine.wait(again).expect("wait").is_empty());
    assert_eq!(engine.alert_log().len(), 1);
    assert_eq!(engine.wait(first).expect("wait").len(), 1);
}
