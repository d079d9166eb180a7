//! Webhook delivery: at-least-once, in log order, with retries, exponential backoff and an
//! HMAC-SHA256 signature; the sink's cursor is stored durably after each 2xx reply.
//!
//! ```text
//! AlertLog --(cursor for sink)--> POST url  --2xx--> record_delivered_durable --> next
//!                                   |
//!                                   +--error/5xx--> sleep backoff (x2, capped) --> retry
//! ```

use crate::AlertError;
use crate::log::AlertLog;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// Header carrying the alert's de-duplication id.
pub const HEADER_ALERT_ID: &str = "x-corridor-alert-id";
/// Header carrying the signing time, seconds since the epoch.
pub const HEADER_TIMESTAMP: &str = "x-corridor-timestamp";
/// Header carrying `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub const HEADER_SIGNATURE: &str = "x-corridor-signature";
/// Header carrying the attempt number, from 1.
pub const HEADER_ATTEMPT: &str = "x-corridor-attempt";

/// One webhook receiver.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// Names the receiver's delivery cursor in the alert log; keep it stable across restarts.
    pub sink_id: String,
    /// `http://` or `https://` URL the alerts are POSTed to.
    pub url: String,
    /// Shared secret for the signature.
    pub secret: String,
    /// First retry delay; doubled after each failure up to `backoff_ms_max`.
    pub backoff_ms_initial: u64,
    pub backoff_ms_max: u64,
    /// Per-request timeout.
    pub timeout_ms: u64,
}

impl WebhookConfig {
    /// A receiver with the default retry policy (0.2 s doubling to 30 s, 5 s timeout).
    pub fn new(sink_id: &str, url: &str, secret: &str) -> WebhookConfig {
        WebhookConfig {
            sink_id: sink_id.to_owned(),
            url: url.to_owned(),
            secret: secret.to_owned(),
            backoff_ms_initial: 200,
            backoff_ms_max: 30_000,
            timeout_ms: 5_000,
        }
    }

    fn validate(&self) -> Result<(), AlertError> {
        if self.sink_id.trim().is_empty() {
            return Err(AlertError::bad_field("sink_id", "empty"));
        }
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(AlertError::bad_field(
                "url",
                format!("`{}` is not an http(s) URL", self.url),
            ));
        }
        if self.secret.len() < 16 {
            return Err(AlertError::bad_field("secret", "shorter than 16 bytes"));
        }
        if self.backoff_ms_initial == 0 || self.backoff_ms_max < self.backoff_ms_initial {
            return Err(AlertError::bad_field(
                "backoff_ms_initial",
                "must be positive and at most backoff_ms_max",
            ));
        }
        Ok(())
    }
}

/// The signature header value for `body` signed at `timestamp` (decimal seconds).
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a signature header in constant time; what a receiver does before trusting a body.
pub fn verify_signature(secret: &[u8], timestamp: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.strip_prefix("v1=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// A running delivery task for one receiver; stops when dropped.
#[derive(Debug)]
pub struct WebhookWorker {
    task: tokio::task::JoinHandle<()>,
    cursor: watch::Receiver<u64>,
    stats: Arc<WebhookStats>,
}

/// Counters of one webhook worker.
#[derive(Debug, Default)]
pub struct WebhookStats {
    /// POSTs sent, including retries.
    pub attempts: AtomicU64,
    /// Alerts acknowledged with a 2xx.
    pub delivered: AtomicU64,
    /// Failed POSTs (error or non-2xx).
    pub failures: AtomicU64,
}

impl WebhookWorker {
    /// Starts delivering from the sink's stored cursor. Must be called inside a tokio runtime.
    pub fn spawn(log: Arc<AlertLog>, config: WebhookConfig) -> Result<WebhookWorker, AlertError> {
        config.validate()?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            .build()
            .map_err(|err| AlertError::bad_field("url", format!("http client: {err}")))?;
        let (cursor_tx, cursor) = watch::channel(log.cursor(&config.sink_id));
        let stats = Arc::new(WebhookStats::default());
        let task = tokio::spawn(run(log, config, client, cursor_tx, Arc::clone(&stats)));
        Ok(WebhookWorker {
            task,
            cursor,
            stats,
        })
    }

    /// Watches the sink's cursor: the seq of the next alert to deliver.
    pub fn watch_cursor(&self) -> watch::Receiver<u64> {
        self.cursor.clone()
    }

    /// The worker's counters.
    pub fn stats(&self) -> &WebhookStats {
        &self.stats
    }
}

impl Drop for WebhookWorker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(
    log: Arc<AlertLog>,
    config: WebhookConfig,
    client: reqwest::Client,
    cursor_tx: watch::Sender<u64>,
    stats: Arc<WebhookStats>,
) {
    let mut appended = log.watch_len();
    loop {
        let cursor = log.cursor(&config.sink_id);
        cursor_tx.send_replace(cursor);
        // The next alert at or after the cursor: retention may have removed some seqs.
        let Some(alert) = log.alerts_from(cursor, 1).pop() else {
            if appended.changed().await.is_err() {
                return;
            }
            continue;
        };
        let body = serde_json::to_vec(&*alert).expect("alerts serialise");
        deliver_until_accepted(&client, &config, &alert.alert_id, &body, &stats).await;
        stats.delivered.fetch_add(1, Ordering::Relaxed);
        record_delivered(&log, &config, alert.seq).await;
    }
}

/// POSTs until the receiver answers 2xx, backing off exponentially between attempts.
async fn deliver_until_accepted(
    client: &reqwest::Client,
    config: &WebhookConfig,
    alert_id: &str,
    body: &[u8],
    stats: &WebhookStats,
) {
    let mut backoff_ms = config.backoff_ms_initial;
    for attempt in 1u64.. {
        stats.attempts.fetch_add(1, Ordering::Relaxed);
        let timestamp = chrono::Utc::now().timestamp().to_string();
        let result = client
            .post(&config.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(HEADER_ALERT_ID, alert_id)
            .header(HEADER_TIMESTAMP, &timestamp)
            .header(
                HEADER_SIGNATURE,
                sign(config.secret.as_bytes(), &timestamp, body),
            )
            .header(HEADER_ATTEMPT, attempt.to_string())
            .body(body.to_vec())
            .send()
            .await;
        match result {
            Ok(response) if response.status().is_success() => return,
            Ok(response) => {
                tracing::warn!(sink_id = %config.sink_id, alert_id, attempt, status = %response.status(), "Webhook refused an alert; retrying.");
            }
            Err(err) => {
                tracing::warn!(sink_id = %config.sink_id, alert_id, attempt, error = %err, "Webhook delivery failed; retrying.");
            }
        }
        stats.failures.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(backoff_ms)).await;
        backoff_ms = (backoff_ms * 2).min(config.backoff_ms_max);
    }
}

/// Stores the cursor; a failing disk is retried with backoff rather than skipping ahead.
async fn record_delivered(log: &Arc<AlertLog>, config: &WebhookConfig, seq: u64) {
    let mut backoff_ms = config.backoff_ms_initial;
    loop {
        let log = Arc::clone(log);
        let sink_id = config.sink_id.clone();
        let now = chrono::Utc::now().timestamp_micros();
        let result =
            tokio::task::spawn_blocking(move || log.record_delivered_durable(&sink_id, seq, now))
                .await;
        match result {
            Ok(Ok(())) => return,
            Ok(Err(err)) => {
                tracing::error!(sink_id = %config.sink_id, seq, error = %err, "Could not store the delivery cursor; retrying.")
            }
            Err(err) => {
                tracing::error!(sink_id = %config.sink_id, seq, error = %err, "Cursor task failed; retrying.")
            }
        }
        tokio::time::sleep(Duration::from_millis(backoff_ms)).await;
        backoff_ms = (backoff_ms * 2).min(config.backoff_ms_max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_same_secret_time_and_body() {
        let header = sign(b"0123456789abcdef", "1800000000", b"{\"a\":1}");
        assert!(verify_signature(
            b"0123456789abcdef",
            "1800000000",
            b"{\"a\":1}",
            &header
        ));
        assert!(!verify_signature(
            b"0123456789abcdeX",
            "1800000000",
            b"{\"a\":1}",
            &header
        ));
        assert!(!verify_signature(
            b"0123456789abcdef",
            "1800000001",
            b"{\"a\":1}",
            &header
        ));
        assert!(!verify_signature(
            b"0123456789abcdef",
            "1800000000",
            b"{\"a\":2}",
            &header
        ));
        assert!(!verify_signature(
            b"0123456789abcdef",
            "1800000000",
            b"{\"a\":1}",
            "v1=zz"
        ));
    }
}
