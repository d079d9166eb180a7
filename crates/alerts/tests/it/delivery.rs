//! Webhook delivery: retries with backoff after failures, signatures, SSE broadcast,
//! acknowledgements, and the log surviving a reopen.

use crate::receiver::Receiver;
use crate::support::{SEC, T0, entry, open_engine, read, webhook};
use corridor_alerts::{Ack, AckOutcome, AlertError};
use std::time::Duration;

#[tokio::test]
async fn failed_deliveries_are_retried_until_accepted_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open_engine(dir.path());
    let receiver = Receiver::start(3).await;
    let worker = webhook(&engine, &receiver);
    engine
        .hotlist()
        .create(entry("RT11AAA", "GB"), "alice", T0)
        .expect("create");
    for (idx, read_id) in ["r1", "r2"].iter().enumerate() {
        let ts = T0 + (idx as i64 + 1) * SEC;
        engine
            .check_reads_durable(&[read(read_id, "RT11AAA", Some("GB"), "cam-a", ts)], ts)
            .expect("check");
    }
    let delivered = receiver.wait_accepted(2).await;
    assert_eq!(receiver.n_failed(), 3);
    assert_eq!(
        receiver.n_bad_signature(),
        0,
        "every request carried a valid signature"
    );
    let read_ids: Vec<_> = delivered
        .iter()
        .map(|d| d.body["read_id"].clone())
        .collect();
    assert_eq!(read_ids, vec!["r1", "r2"]);
    let mut cursor = worker.watch_cursor();
    tokio::time::timeout(Duration::from_secs(20), cursor.wait_for(|seq| *seq == 2))
        .await
        .expect("cursor reaches 2")
        .expect("worker alive");
    assert_eq!(engine.alert_log().cursor("ops-room"), 2);
    assert!(
        worker
            .stats()
            .attempts
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 5
    );
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_receiver() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open_engine(dir.path());
    let receiver = Receiver::start(0).await;
    let mut config =
        corridor_alerts::WebhookConfig::new("wrong", &receiver.url, "not-the-shared-secret");
    config.backoff_ms_initial = 5;
    config.backoff_ms_max = 20;
    let _worker = engine.spawn_webhook(config).expect("spawn");
    engine
        .hotlist()
        .create(entry("SG11AAA", "GB"), "alice", T0)
        .expect("create");
    engine
        .check_reads_durable(&[read("r1", "SG11AAA", Some("GB"), "cam-a", T0)], T0)
        .expect("check");
    receiver.wait_requests(2).await;
    assert!(receiver.n_bad_signature() >= 2);
    assert!(receiver.accepted().is_empty());
    assert_eq!(
        engine.alert_log().cursor("wrong"),
        0,
        "refused alerts stay pending"
    );
}

#[tokio::test]
async fn sse_subscribers_see_alerts_and_acks_are_durable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let alert_id = {
        let engine = open_engine(dir.path());
        let mut feed = engine.alert_log().subscribe();
        engine
            .hotlist()
            .create(entry("SS11AAA", "GB"), "alice", T0)
            .expect("create");
        let logged = engine
            .check_reads_durable(&[read("r1", "SS11AAA", Some("GB"), "cam-a", T0)], T0)
            .expect("check");
        let seen = tokio::time::timeout(Duration::from_secs(5), feed.recv())
            .await
            .expect("broadcast")
            .expect("alert");
        assert_eq!(seen.alert_id, logged[0].alert_id);
        engine
            .acknowledge(Ack {
                alert_id: seen.alert_id.clone(),
                handled_by: "officer 4411".to_owned(),
                outcome: AckOutcome::Stopped,
                note: "driver arrested".to_owned(),
                at: T0 + 60 * SEC,
            })
            .expect("ack");
        let unknown = engine.acknowledge(Ack {
            alert_id: "nope".to_owned(),
            handled_by: "officer 4411".to_owned(),
            outcome: AckOutcome::NoAction,
            note: String::new(),
            at: T0,
        });
        assert!(matches!(unknown, Err(AlertError::UnknownAlert(id)) if id == "nope"));
        seen.alert_id.clone()
    };
    let engine = open_engine(dir.path());
    let acks = engine.alert_log().acks(&alert_id);
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].handled_by, "officer 4411");
    assert_eq!(acks[0].outcome, AckOutcome::Stopped);
    assert_eq!(engine.alert_log().alerts_from(0, 10).len(), 1);
    // Replaying the same read after a restart raises the same id and logs nothing new.
    let replay = engine
        .check_reads_durable(&[read("r1", "SS11AAA", Some("GB"), "cam-a", T0)], T0 + SEC)
        .expect("check");
    assert!(replay.is_empty());
    assert_eq!(engine.alert_log().len(), 1);
}
