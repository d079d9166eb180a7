//! Crash-test child: ingests one watched read, logs its alert durably and delivers it to a
//! webhook, reporting progress on stdout until the parent test SIGKILLs it.
//!
//! Usage: `alerts-crash-child <data-dir> <webhook-url> <secret> <read-id>`.
//! Lines printed: `logged <n new alerts>`, `alert <id>` per new alert, `cursor <seq>`
//! whenever the webhook cursor moves.

use anyhow::Context;
use corridor_alerts::{
    AlertConfig, AlertEngine, CountrySpec, EntryFields, GeoPoint, NoMisreads, PlateSpec,
    ReasonCategory, Sharing, WebhookConfig,
};
use corridor_domain::{Country, PlateRead, PlateText};
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

/// The watched plate the child ingests.
const WATCHED: &str = "CR45ASH";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data_dir, url, secret, read_id] = args.as_slice() else {
        anyhow::bail!("usage: alerts-crash-child <data-dir> <webhook-url> <secret> <read-id>");
    };
    let cameras: HashMap<String, GeoPoint> = HashMap::new();
    let engine = AlertEngine::open(
        AlertConfig::new(data_dir),
        Arc::new(NoMisreads),
        Arc::new(cameras),
    )
    .with_context(|| format!("opening alert engine in {data_dir}"))?;
    if engine.hotlist().is_empty() {
        engine.hotlist().create(watched_entry()?, "crash-test", 0)?;
    }
    let mut webhook = WebhookConfig::new("crash-sink", url, secret);
    webhook.backoff_ms_initial = 5;
    webhook.backoff_ms_max = 50;
    let worker = engine.spawn_webhook(webhook)?;
    let mut cursor = worker.watch_cursor();

    let now = chrono::Utc::now().timestamp_micros();
    let plate_read = PlateRead {
        read_id: read_id.clone(),
        plate: PlateText::parse(WATCHED)?,
        country: Some(Country::from_static("GB")),
        camera_id: "cam-crash".to_owned(),
        ts: now,
        confidence: Some(0.97),
        lat: None,
        lon: None,
        heading_deg: None,
        make: None,
        model: None,
        colour: None,
        vehicle_type: None,
    };
    let logged = engine.check_reads_durable(&[plate_read], now)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "logged {}", logged.len())?;
    for alert in &logged {
        writeln!(stdout, "alert {}", alert.alert_id)?;
    }
    stdout.flush()?;
    drop(stdout);
    loop {
        let seq = *cursor.borrow_and_update();
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "cursor {seq}")?;
        stdout.flush()?;
        drop(stdout);
        cursor.changed().await.context("webhook worker stopped")?;
    }
}

fn watched_entry() -> anyhow::Result<EntryFields> {
    Ok(EntryFields {
        plate: PlateSpec::parse(WATCHED)?,
        country: CountrySpec::parse("GB")?,
        reason: ReasonCategory::Wanted,
        handling: "stop".to_owned(),
        agency: "NCA".to_owned(),
        expires_at: None,
        sharing: Sharing::National,
    })
}
