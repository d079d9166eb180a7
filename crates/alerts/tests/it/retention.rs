//! Retention of alerts: `AlertLog::purge_durable` removes expired alerts and their
//! acknowledgements from every file, while kept alerts keep their seq, acknowledgements and
//! webhook cursors, and delivery goes on exactly once by de-duplication id.

use crate::receiver::Receiver;
use crate::support::{SEC, T0, entry, open_engine, read, webhook};
use corridor_alerts::{Ack, AckOutcome, AlertEngine};
use std::path::Path;
use std::time::Duration;

const DAY: i64 = 86_400 * SEC;

/// Every file under `dir` with its bytes as (lossy) text.
fn all_files(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(all_files(&path));
        } else {
            let bytes = std::fs::read(&path).expect("readable file");
            files.push((path, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    files
}

fn raise(engine: &AlertEngine, read_id: &str, plate: &str, ts: i64) -> String {
    let logged = engine
        .check_reads_durable(&[read(read_id, plate, Some("GB"), "cam-a", ts)], ts)
        .expect("check");
    assert_eq!(logged.len(), 1, "{read_id} raises one alert");
    logged[0].alert_id.clone()
}

fn ack(engine: &AlertEngine, alert_id: &str, note: &str) {
    engine
        .acknowledge(Ack {
            alert_id: alert_id.to_owned(),
            handled_by: "officer 4411".to_owned(),
            outcome: AckOutcome::Observed,
            note: note.to_owned(),
            at: T0,
        })
        .expect("ack");
}

async fn wait_cursor(worker: &corridor_alerts::WebhookWorker, seq: u64) {
    let mut cursor = worker.watch_cursor();
    tokio::time::timeout(Duration::from_secs(20), cursor.wait_for(|at| *at == seq))
        .await
        .unwrap_or_else(|_| panic!("cursor reaches {seq}"))
        .expect("worker alive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purged_alerts_leave_every_file_and_delivery_goes_on_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let receiver = Receiver::start(0).await;
    let old = T0 - 400 * DAY;
    let (old_1, kept_1, old_2) = {
        let engine = open_engine(dir.path());
        // A pattern, so that the hotlist file names no read plate.
        engine
            .hotlist()
            .create(entry("WXY*", "any"), "alice", T0 - 500 * DAY)
            .expect("create");
        let old_1 = raise(&engine, "r-old-1", "WXY1OLD", old);
        let kept_1 = raise(&engine, "r-new-1", "WXY2NEW", T0);
        ack(&engine, &old_1, "stopped WXY1OLD at the port");
        ack(&engine, &kept_1, "observed WXY2NEW");
        let worker = webhook(&engine, &receiver);
        wait_cursor(&worker, 2).await;
        drop(worker);
        // Raised while no webhook runs: seq 2 is never delivered before it expires.
        let old_2 = raise(&engine, "r-old-2", "WXY3OLD", old + SEC);
        (old_1, kept_1, old_2)
    };

    let engine = open_engine(dir.path());
    let purge = engine
        .alert_log()
        .purge_durable(&|alert| alert.read_ts < T0 - 30 * DAY, T0)
        .expect("purge");
    assert_eq!(purge.n_alerts_removed, 2);
    assert_eq!(purge.n_acks_removed, 1);
    assert_eq!(purge.n_undelivered_removed, 1, "seq 2 was past the cursor");
    for (path, contents) in all_files(dir.path()) {
        for gone in ["WXY1OLD", "WXY3OLD", "r-old-1", "r-old-2", &old_1, &old_2] {
            assert!(
                !contents.contains(gone),
                "{gone} survived in {}",
                path.display()
            );
        }
    }
    assert!(
        all_files(dir.path())
            .iter()
            .any(|(_, contents)| contents.contains("observed WXY2NEW"))
    );

    // Reopened (as after a crash or restart), the kept alert keeps its seq, its
    // acknowledgement and the sink's cursor; the next seq is not reused.
    drop(engine);
    let engine = open_engine(dir.path());
    let log = engine.alert_log();
    let kept: Vec<(u64, String)> = log
        .alerts()
        .iter()
        .map(|alert| (alert.seq, alert.alert_id.clone()))
        .collect();
    assert_eq!(kept, vec![(1, kept_1.clone())]);
    assert_eq!(log.next_seq(), 3);
    assert_eq!(log.cursor("ops-room"), 2);
    assert_eq!(log.acks(&kept_1)[0].note, "observed WXY2NEW");
    assert!(log.alert(&old_1).is_none());
    assert_eq!(log.alerts_from(0, 10).len(), 1);

    // A replayed read of a kept alert is still recognised and logs nothing.
    let replay = engine
        .check_reads_durable(
            &[read("r-new-1", "WXY2NEW", Some("GB"), "cam-a", T0)],
            T0 + SEC,
        )
        .expect("check");
    assert!(replay.is_empty());

    // Delivery skips the removed seq 2 and goes on with a new alert at seq 3.
    let worker = webhook(&engine, &receiver);
    let fresh = raise(&engine, "r-new-2", "WXY4NEW", T0 + 2 * SEC);
    assert_eq!(engine.alert_log().alert(&fresh).expect("logged").seq, 3);
    wait_cursor(&worker, 4).await;
    let counts = receiver.counts_by_id();
    assert_eq!(counts.get(&fresh), Some(&1));
    assert_eq!(counts.get(&kept_1), Some(&1), "not sent again");
    assert_eq!(counts.get(&old_1), Some(&1), "sent once, before it expired");
    assert_eq!(counts.get(&old_2), None, "removed before it was sent");
    assert_eq!(counts.len(), 3);

    // A second purge of the compacted log keeps the numbering.
    drop(worker);
    let purge = engine
        .alert_log()
        .purge_durable(&|alert| alert.alert_id == kept_1, T0)
        .expect("purge again");
    assert_eq!(purge.n_alerts_removed, 1);
    drop(engine);
    let engine = open_engine(dir.path());
    assert_eq!(engine.alert_log().next_seq(), 4);
    assert_eq!(engine.alert_log().cursor("ops-room"), 4);
    assert_eq!(engine.alert_log().len(), 1);
    let next = raise(&engine, "r-new-3", "WXY5NEW", T0 + 3 * SEC);
    assert_eq!(engine.alert_log().alert(&next).expect("logged").seq, 4);
}

#[test]
fn nothing_to_purge_leaves_the_file_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open_engine(dir.path());
    engine
        .hotlist()
        .create(entry("WXY*", "any"), "alice", T0)
        .expect("create");
    raise(&engine, "r-1", "WXY1AAA", T0);
    let path = engine.alert_log().path().to_owned();
    let before = std::fs::read(&path).expect("log");
    let purge = engine
        .alert_log()
        .purge_durable(&|_| false, T0)
        .expect("purge");
    assert_eq!(purge.n_alerts_removed, 0);
    assert_eq!(std::fs::read(&path).expect("log"), before);
}

/// Alerts raised and acknowledged on other threads while purges rewrite the log: every
/// alert and acknowledgement that was acknowledged to its caller and not expired is in
/// the log after a reopen, and no expired alert is.
#[test]
fn purges_during_appends_lose_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = T0 - 400 * DAY;
    let n_per_thread = 40;
    let kept: Vec<String> = {
        let engine = open_engine(dir.path());
        engine
            .hotlist()
            .create(entry("WXY*", "any"), "alice", T0 - 500 * DAY)
            .expect("create");
        for i in 0..20 {
            raise(&engine, &format!("r-old-{i}"), &format!("WXY{i}OLD"), old);
        }
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            let writers: Vec<_> = (0..2)
                .map(|t| {
                    let engine = &engine;
                    scope.spawn(move || {
                        (0..n_per_thread)
                            .map(|i| {
                                let id = raise(
                                    engine,
                                    &format!("r-new-{t}-{i}"),
                                    &format!("WXY{t}N{i}"),
                                    T0,
                                );
                                ack(engine, &id, "observed");
                                id
                            })
                            .collect::<Vec<String>>()
                    })
                })
                .collect();
            let purger = scope.spawn(|| {
                let mut n_purges = 0;
                while !done.load(std::sync::atomic::Ordering::Acquire) || n_purges < 3 {
                    engine
                        .alert_log()
                        .purge_durable(&|alert| alert.read_ts < T0 - 30 * DAY, T0)
                        .expect("purge");
                    n_purges += 1;
                }
            });
            let kept = writers
                .into_iter()
                .flat_map(|writer| writer.join().expect("writer"))
                .collect();
            done.store(true, std::sync::atomic::Ordering::Release);
            purger.join().expect("purger");
            kept
        })
    };
    let engine = open_engine(dir.path());
    let log = engine.alert_log();
    assert_eq!(log.len(), kept.len() as u64, "only the new alerts remain");
    assert_eq!(log.next_seq(), 20 + kept.len() as u64, "no seq reused");
    for id in &kept {
        assert!(log.alert(id).is_some(), "alert {id} kept");
        assert_eq!(log.acks(id).len(), 1, "the ack of {id} kept");
    }
}
