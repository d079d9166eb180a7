//! Shared fixtures: reads, entries, cameras, an engine (with the standard confusion model)
//! and its webhook worker.

use crate::receiver::{Receiver, SECRET};
use corridor_alerts::{
    AlertConfig, AlertEngine, CountrySpec, EntryFields, GeoPoint, PlateSpec, ReasonCategory,
    Sharing, WebhookConfig, WebhookWorker,
};
use corridor_domain::confusion::ConfusionModel;
use corridor_domain::{Country, PlateRead, PlateText};
use std::collections::HashMap;
use std::sync::Arc;

/// A midnight UTC (2027-01-16 00:00:00), in microseconds.
pub(crate) const T0: i64 = 1_800_057_600_000_000;
pub(crate) const SEC: i64 = 1_000_000;

pub(crate) fn read(
    read_id: &str,
    plate: &str,
    country: Option<&str>,
    camera_id: &str,
    ts: i64,
) -> PlateRead {
    PlateRead {
        read_id: read_id.to_owned(),
        plate: PlateText::parse(plate).expect("test plate"),
        country: country.map(|c| Country::parse(c).expect("test country")),
        camera_id: camera_id.to_owned(),
        ts,
        confidence: None,
        lat: None,
        lon: None,
        heading_deg: None,
        make: None,
        model: None,
        colour: None,
        vehicle_type: None,
    }
}

pub(crate) fn entry(plate: &str, country: &str) -> EntryFields {
    EntryFields {
        plate: PlateSpec::parse(plate).expect("test plate"),
        country: CountrySpec::parse(country).expect("test country"),
        reason: ReasonCategory::Smuggling,
        handling: "observe; do not stop".to_owned(),
        agency: "NCA".to_owned(),
        expires_at: None,
        sharing: Sharing::International,
    }
}

pub(crate) fn cameras() -> HashMap<String, GeoPoint> {
    HashMap::from([
        (
            "cam-inland".to_owned(),
            GeoPoint {
                lat: 50.5,
                lon: 2.5,
            },
        ),
        (
            "cam-coast".to_owned(),
            GeoPoint {
                lat: 50.95,
                lon: 1.85,
            },
        ),
        (
            "cam-a".to_owned(),
            GeoPoint {
                lat: 50.6,
                lon: 2.3,
            },
        ),
        (
            "cam-b".to_owned(),
            GeoPoint {
                lat: 50.7,
                lon: 2.2,
            },
        ),
    ])
}

pub(crate) fn open_engine(dir: &std::path::Path) -> AlertEngine {
    AlertEngine::open(
        AlertConfig::new(dir),
        Arc::new(ConfusionModel::standard()),
        Arc::new(cameras()),
    )
    .expect("open engine")
}

pub(crate) fn webhook(engine: &AlertEngine, receiver: &Receiver) -> WebhookWorker {
    let mut config = WebhookConfig::new("ops-room", &receiver.url, SECRET);
    config.backoff_ms_initial = 5;
    config.backoff_ms_max = 40;
    engine.spawn_webhook(config).expect("spawn webhook")
}
