//! Alerts: what is logged, broadcast and delivered, with a de-duplication id that a replay
//! of the same read always reproduces.

use crate::matcher::{Hit, MatchKind, Watch};
use corridor_domain::{PlateRead, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// An alert as stored in the alert log and sent to webhooks and SSE subscribers.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Alert {
    /// De-duplication id: derived from the read id and the watch (and zone or companion),
    /// so the same read raises the same id after a crash and replay. Receivers
    /// de-duplicate on it.
    pub alert_id: String,
    /// Position in the alert log, from 0; assigned when the alert is logged.
    pub seq: u64,
    pub trigger: Trigger,
    /// How the read matched the watch.
    #[serde(flatten)]
    pub match_kind: MatchKind,
    pub watch: WatchInfo,
    pub read_id: String,
    pub plate: String,
    pub country: Option<String>,
    pub camera_id: String,
    /// When the read was taken, microseconds since the epoch.
    pub read_ts: Timestamp,
    /// When the alert was raised, microseconds since the epoch.
    pub raised_at: Timestamp,
}

/// What raised the alert.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Trigger {
    /// The watched vehicle was read.
    Sighting,
    /// The watched vehicle entered a zone.
    Geofence { zone_id: String, zone_name: String },
    /// The watched vehicle travels with an unknown vehicle: both read within a short gap
    /// at `cameras` within the convoy window.
    Convoy {
        companion_plate: String,
        companion_country: Option<String>,
        cameras: Vec<String>,
    },
}

impl Trigger {
    fn subject(&self) -> String {
        match self {
            Trigger::Sighting => "sighting".to_owned(),
            Trigger::Geofence { zone_id, .. } => format!("geofence:{zone_id}"),
            Trigger::Convoy {
                companion_plate,
                companion_country,
                ..
            } => format!(
                "convoy:{companion_plate}:{}",
                companion_country.as_deref().unwrap_or("")
            ),
        }
    }
}

/// The watch that raised an alert, copied so receivers need no second lookup.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct WatchInfo {
    /// `entry:<id>` or `network:<watch id>`.
    pub subject: String,
    pub entry_id: Option<u64>,
    pub entry_version: Option<u32>,
    pub watch_id: Option<String>,
    /// The watched plate or pattern the read matched.
    pub watched_plate: String,
    /// `any`, a country code, or null for network members without one.
    pub watched_country: Option<String>,
    pub reason: String,
    pub handling: String,
    pub agency: String,
    pub sharing: String,
}

impl WatchInfo {
    pub(crate) fn from_hit(hit: &Hit) -> WatchInfo {
        match &hit.watch {
            Watch::Entry(entry) => WatchInfo {
                subject: hit.watch.subject(),
                entry_id: Some(entry.entry_id.0),
                entry_version: Some(entry.version),
                watch_id: None,
                watched_plate: hit.watched_plate.clone(),
                watched_country: Some(entry.fields.country.as_str().to_owned()),
                reason: entry.fields.reason.as_str().to_owned(),
                handling: entry.fields.handling.clone(),
                agency: entry.fields.agency.clone(),
                sharing: entry.fields.sharing.as_str().to_owned(),
            },
            Watch::Network(watch) => WatchInfo {
                subject: hit.watch.subject(),
                entry_id: None,
                entry_version: Some(watch.version),
                watch_id: Some(watch.watch_id.clone()),
                watched_plate: hit.watched_plate.clone(),
                watched_country: None,
                reason: format!("network watch `{}`", watch.name),
                handling: String::new(),
                agency: watch.agency.clone(),
                sharing: "agency".to_owned(),
            },
        }
    }
}

/// The de-duplication id of the alert a read raises for a watch and trigger: the first
/// 128 bits of SHA-256 over read id, watch subject and trigger subject, in hex.
pub fn alert_id(read_id: &str, watch_subject: &str, trigger: &Trigger) -> String {
    let mut hasher = Sha256::new();
    for part in [read_id, watch_subject, &trigger.subject()] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    hex::encode(&digest[..16])
}

/// Builds the (not yet logged) alert a hit raises under `trigger`.
pub(crate) fn build(read: &PlateRead, hit: &Hit, trigger: Trigger, now: Timestamp) -> Alert {
    let watch = WatchInfo::from_hit(hit);
    Alert {
        alert_id: alert_id(&read.read_id, &watch.subject, &trigger),
        seq: 0,
        trigger,
        match_kind: hit.kind,
        watch,
        read_id: read.read_id.clone(),
        plate: read.plate.as_str().to_owned(),
        country: read.country.map(|c| c.as_str().to_owned()),
        camera_id: read.camera_id.clone(),
        read_ts: read.ts,
        raised_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_depend_on_read_watch_and_trigger_only() {
        let sighting = alert_id("r1", "entry:7", &Trigger::Sighting);
        assert_eq!(sighting, alert_id("r1", "entry:7", &Trigger::Sighting));
        assert_eq!(sighting.len(), 32);
        assert_ne!(sighting, alert_id("r2", "entry:7", &Trigger::Sighting));
        assert_ne!(sighting, alert_id("r1", "entry:8", &Trigger::Sighting));
        let zone = Trigger::Geofence {
            zone_id: "coast".to_owned(),
            zone_name: "Coast".to_owned(),
        };
        assert_ne!(sighting, alert_id("r1", "entry:7", &zone));
        // Length-prefixing keeps ("r1e", "ntry:7") apart from ("r1", "entry:7").
        assert_ne!(sighting, alert_id("r1e", "ntry:7", &Trigger::Sighting));
    }
}
