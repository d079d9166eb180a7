//! Vehicles of interest and real-time alerts: durable hotlists, a matcher run on every
//! ingested read, geofence and convoy alerts, a durable alert log, an in-process broadcast
//! for SSE streams, signed webhooks with at-least-once delivery, and acknowledgements.
//!
//! The crate knows no HTTP server: `corridor-server` exposes its routes. It sends webhooks
//! as an HTTP client. Everything durable lives in one data directory:
//!
//! ```text
//!  PlateRead batch (WAL-synced) --> AlertEngine::check_reads_durable
//!        |                               |
//!        |      Matcher (exact, probable misreads, patterns, network watches)
//!        |      GeofenceTracker (entering zones)   ConvoyTracker (unknown companions)
//!        |                               |
//!        v                               v
//!   ack to the camera  <------  alerts.log (fsync, dedup by alert id)
//!                                        |--> broadcast --> SSE subscribers
//!                                        '--> WebhookWorker (retry, backoff, HMAC) --> cursor (fsync)
//! ```
//!
//! ```
//! use corridor_alerts::{AlertConfig, AlertEngine, CountrySpec, EntryFields, GeoPoint, NoMisreads,
//!     PlateSpec, ReasonCategory, Sharing, MatchKind};
//! use corridor_domain::{Country, PlateRead, PlateText};
//! use std::{collections::HashMap, sync::Arc};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let cameras: HashMap<String, GeoPoint> = HashMap::new();
//! let engine = AlertEngine::open(AlertConfig::new(dir.path()), Arc::new(NoMisreads), Arc::new(cameras)).unwrap();
//! engine.hotlist().create(EntryFields {
//!     plate: PlateSpec::parse("AB12CDE").unwrap(),
//!     country: CountrySpec::parse("GB").unwrap(),
//!     reason: ReasonCategory::Stolen,
//!     handling: "stop".into(),
//!     agency: "NCA".into(),
//!     expires_at: None,
//!     sharing: Sharing::National,
//! }, "alice", 0).unwrap();
//! let read = PlateRead {
//!     read_id: "r1".into(), plate: PlateText::parse("AB12CDE").unwrap(),
//!     country: Some(Country::from_static("GB")), camera_id: "cam-1".into(), ts: 1,
//!     confidence: None, lat: None, lon: None, heading_deg: None,
//!     make: None, model: None, colour: None, vehicle_type: None,
//! };
//! let alerts = engine.check_reads_durable(&[read], 2).unwrap();
//! assert_eq!(alerts.len(), 1);
//! assert_eq!(alerts[0].match_kind, MatchKind::Exact);
//! ```

mod alert;
mod convoy;
mod engine;
mod error;
mod frame;
mod geofence;
mod hotlist;
mod log;
mod matcher;
mod webhook;

pub use alert::{Alert, Trigger, WatchInfo, alert_id};
pub use convoy::ConvoyConfig;
pub use engine::{AlertConfig, AlertEngine};
pub use error::AlertError;
pub use geofence::{CameraLookup, GeoPoint, TimeWindow, Zone, ZoneShape, distance_m};
pub use hotlist::entry::{
    ChangeKind, CountryFit, CountrySpec, EntryFields, EntryId, HotlistEntry, PlateSpec,
    ReasonCategory, Sharing,
};
pub use hotlist::network::NetworkWatch;
pub use hotlist::prefilter::ConfusionClasses;
pub use hotlist::{CSV_COLUMNS, HOTLIST_LOG_FILE, Hotlist, NetworkWatchSpec};
pub use log::{ALERT_LOG_FILE, Ack, AckOutcome, AlertLog, AlertPurge, Staged};
pub use matcher::{Hit, MatchConfig, MatchKind, Matcher, Misread, MisreadModel, NoMisreads, Watch};
pub use webhook::{
    HEADER_ALERT_ID, HEADER_ATTEMPT, HEADER_SIGNATURE, HEADER_TIMESTAMP, WebhookConfig,
    WebhookStats, WebhookWorker, sign, verify_signature,
};
