//! A real webhook receiver (axum on 127.0.0.1:0) that verifies signatures, can fail its
//! first requests, and counts deliveries per alert id.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use corridor_alerts::{HEADER_ALERT_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, verify_signature};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::sync::watch;

pub(crate) const SECRET: &str = "test-secret-0123456789";

/// One accepted delivery.
#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    pub(crate) alert_id: String,
    pub(crate) body: serde_json::Value,
}

#[derive(Debug)]
struct Shared {
    fail_remaining: AtomicU32,
    n_failed: AtomicU32,
    n_bad_signature: AtomicU32,
    accepted: Mutex<Vec<Delivery>>,
    n_accepted: watch::Sender<usize>,
    n_requests: watch::Sender<usize>,
}

/// The receiver; the server task stops when the test's runtime ends.
#[derive(Debug)]
pub(crate) struct Receiver {
    pub(crate) url: String,
    shared: Arc<Shared>,
}

impl Receiver {
    /// Starts a receiver that answers 500 to its first `fail_first` requests.
    pub(crate) async fn start(fail_first: u32) -> Receiver {
        let (n_accepted, _) = watch::channel(0);
        let (n_requests, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            fail_remaining: AtomicU32::new(fail_first),
            n_failed: AtomicU32::new(0),
            n_bad_signature: AtomicU32::new(0),
            accepted: Mutex::new(Vec::new()),
            n_accepted,
            n_requests,
        });
        let app = Router::new()
            .route("/hook", post(handle))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("receiver serves");
        });
        Receiver {
            url: format!("http://{addr}/hook"),
            shared,
        }
    }

    /// Makes the next `n` requests fail with 500.
    pub(crate) fn fail_next(&self, n: u32) {
        self.shared.fail_remaining.store(n, Ordering::SeqCst);
    }

    /// Waits (up to 20 s) until at least `n` deliveries were accepted; returns them all.
    pub(crate) async fn wait_accepted(&self, n: usize) -> Vec<Delivery> {
        let mut rx = self.shared.n_accepted.subscribe();
        tokio::time::timeout(Duration::from_secs(20), rx.wait_for(|count| *count >= n))
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "timed out waiting for {n} accepted deliveries; got {:?}",
                    self.accepted()
                )
            })
            .expect("receiver alive");
        self.accepted()
    }

    /// Waits (up to 20 s) until at least `n` requests were answered, accepted or not.
    pub(crate) async fn wait_requests(&self, n: usize) {
        let mut rx = self.shared.n_requests.subscribe();
        tokio::time::timeout(Duration::from_secs(20), rx.wait_for(|count| *count >= n))
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {n} requests"))
            .expect("receiver alive");
    }

    pub(crate) fn accepted(&self) -> Vec<Delivery> {
        self.shared.accepted.lock().clone()
    }

    /// Accepted deliveries per alert id.
    pub(crate) fn counts_by_id(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for delivery in self.shared.accepted.lock().iter() {
            *counts.entry(delivery.alert_id.clone()).or_default() += 1;
        }
        counts
    }

    pub(crate) fn n_failed(&self) -> u32 {
        self.shared.n_failed.load(Ordering::SeqCst)
    }

    pub(crate) fn n_bad_signature(&self) -> u32 {
        self.shared.n_bad_signature.load(Ordering::SeqCst)
    }
}

async fn handle(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let status = answer(&shared, &headers, &body);
    // Counted once answered, so that a test woken by the count sees what it was told.
    shared.n_requests.send_modify(|count| *count += 1);
    status
}

/// Checks a delivery and records what became of it.
fn answer(shared: &Shared, headers: &HeaderMap, body: &Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    if !verify_signature(
        SECRET.as_bytes(),
        &header(HEADER_TIMESTAMP),
        body,
        &header(HEADER_SIGNATURE),
    ) {
        shared.n_bad_signature.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    }
    let failing = shared
        .fail_remaining
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    if failing {
        shared.n_failed.fetch_add(1, Ordering::SeqCst);
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return StatusCode::BAD_REQUEST;
    };
    let alert_id = header(HEADER_ALERT_ID);
    assert_eq!(
        json["alert_id"].as_str(),
        Some(alert_id.as_str()),
        "header and body name the same alert"
    );
    shared.accepted.lock().push(Delivery {
        alert_id,
        body: json,
    });
    shared.n_accepted.send_modify(|count| *count += 1);
    StatusCode::OK
}
