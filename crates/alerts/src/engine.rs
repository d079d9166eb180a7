//! The alert engine: what the ingest path calls for every batch of acknowledged reads.

use crate::AlertError;
use crate::alert::{self, Alert, Trigger};
use crate::convoy::{ConvoyConfig, ConvoyTracker};
use crate::geofence::{CameraLookup, GeoPoint, GeofenceTracker, Zone};
use crate::hotlist::Hotlist;
use crate::hotlist::prefilter::ConfusionClasses;
use crate::log::{Ack, AlertLog, Staged};
use crate::matcher::{Hit, MatchConfig, Matcher, MisreadModel};
use crate::webhook::{WebhookConfig, WebhookWorker};
use corridor_domain::{PlateRead, Timestamp};
use parking_lot::{Mutex, RwLock};
use std::path::PathBuf;
use std::sync::Arc;

/// Settings of the alert engine; plain data, validated by [`AlertEngine::open`].
#[derive(Clone, Debug)]
pub struct AlertConfig {
    /// Holds `hotlist.log` and `alerts.log`.
    pub data_dir: PathBuf,
    pub matching: MatchConfig,
    pub convoy: ConvoyConfig,
    /// Alerts an SSE subscriber may lag behind before it must catch up from the log.
    pub broadcast_capacity: usize,
    /// A watched vehicle read inside a zone again within this interval is not "entering".
    pub geofence_reentry_secs: i64,
    /// Vehicle-zone pairs remembered for the re-entry rule.
    pub geofence_tracked_max: usize,
    /// Alerts raised by one read at most (alert fan-out limit); extra hits are logged as dropped.
    pub alerts_per_read_max: usize,
}

impl AlertConfig {
    /// Defaults with the given data directory.
    pub fn new(data_dir: impl Into<PathBuf>) -> AlertConfig {
        AlertConfig {
            data_dir: data_dir.into(),
            matching: MatchConfig::default(),
            convoy: ConvoyConfig::default(),
            broadcast_capacity: 4096,
            geofence_reentry_secs: 3600,
            geofence_tracked_max: 100_000,
            alerts_per_read_max: 16,
        }
    }
}

/// Matches reads, raises sighting, geofence and convoy alerts, logs them durably and
/// broadcasts them. One per process; share it behind an `Arc`.
pub struct AlertEngine {
    config: AlertConfig,
    hotlist: Arc<Hotlist>,
    matcher: Matcher,
    log: Arc<AlertLog>,
    zones: RwLock<Arc<Vec<Zone>>>,
    cameras: Arc<dyn CameraLookup>,
    geofence: Mutex<GeofenceTracker>,
    convoy: Mutex<ConvoyTracker>,
}

impl std::fmt::Debug for AlertEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertEngine")
            .field("data_dir", &self.config.data_dir)
            .field("n_entries", &self.hotlist.len())
            .field("n_alerts", &self.log.len())
            .finish_non_exhaustive()
    }
}

impl AlertEngine {
    /// Opens the hotlist and alert log in `config.data_dir` (replaying both).
    pub fn open(
        config: AlertConfig,
        model: Arc<dyn MisreadModel>,
        cameras: Arc<dyn CameraLookup>,
    ) -> Result<AlertEngine, AlertError> {
        if config.alerts_per_read_max == 0 {
            return Err(AlertError::bad_field(
                "alerts_per_read_max",
                "must be positive",
            ));
        }
        let classes = ConfusionClasses::from_model(&*model, config.matching.prefilter_rate_min);
        let hotlist = Arc::new(Hotlist::open_with_classes(&config.data_dir, Some(classes))?);
        let log = Arc::new(AlertLog::open(&config.data_dir, config.broadcast_capacity)?);
        let matcher = Matcher::new(Arc::clone(&hotlist), model, config.matching.clone());
        Ok(AlertEngine {
            geofence: Mutex::new(GeofenceTracker::new(
                config.geofence_reentry_secs,
                config.geofence_tracked_max,
            )),
            convoy: Mutex::new(ConvoyTracker::new(config.convoy.clone())),
            config,
            hotlist,
            matcher,
            log,
            zones: RwLock::new(Arc::new(Vec::new())),
            cameras,
        })
    }

    /// The hotlist (create, update, expire, delete, import, network watches).
    pub fn hotlist(&self) -> &Arc<Hotlist> {
        &self.hotlist
    }

    /// The alert log (SSE subscription and catch-up, acknowledgements, cursors).
    pub fn alert_log(&self) -> &Arc<AlertLog> {
        &self.log
    }

    /// The matcher on its own (no logging), e.g. for a dry run.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Replaces the watched zones.
    pub fn set_zones(&self, zones: Vec<Zone>) -> Result<(), AlertError> {
        for zone in &zones {
            zone.validate()?;
        }
        *self.zones.write() = Arc::new(zones);
        Ok(())
    }

    /// Starts a delivery worker for a webhook receiver (inside a tokio runtime).
    pub fn spawn_webhook(&self, config: WebhookConfig) -> Result<WebhookWorker, AlertError> {
        WebhookWorker::spawn(Arc::clone(&self.log), config)
    }

    /// Checks reads and logs their alerts durably (fsync), then returns them; they are
    /// broadcast and webhook workers are woken as soon as they are durable. Call it before
    /// acknowledging the reads, so that no alert is lost in a crash. Blocking: from async
    /// code call it inside `spawn_blocking`. Returns the newly logged alerts.
    pub fn check_reads_durable(
        &self,
        reads: &[PlateRead],
        now: Timestamp,
    ) -> Result<Vec<Arc<Alert>>, AlertError> {
        let staged = self.check_reads(reads, now)?;
        self.log.wait(staged)
    }

    /// Checks reads and stages their alerts in the log without waiting for the disk:
    /// the log's syncer makes them durable and publishes them while the caller does other
    /// work (such as syncing the reads' WAL); [`AlertEngine::wait`] waits for that.
    pub fn check_reads(&self, reads: &[PlateRead], now: Timestamp) -> Result<Staged, AlertError> {
        let alerts = self.raise_alerts(reads, now);
        self.log.stage(alerts)
    }

    /// Waits until alerts staged by [`AlertEngine::check_reads`] are durable; returns them.
    pub fn wait(&self, staged: Staged) -> Result<Vec<Arc<Alert>>, AlertError> {
        self.log.wait(staged)
    }

    /// Matches reads and returns the alerts they raise, without logging them.
    pub fn raise_alerts(&self, reads: &[PlateRead], now: Timestamp) -> Vec<Alert> {
        let zones = Arc::clone(&self.zones.read());
        // Matching only reads the hotlist: concurrent batches match in parallel, and only
        // the convoy tracker (state across reads) is taken in turn.
        let all_hits: Vec<Vec<Hit>> = reads
            .iter()
            .map(|read| self.matcher.match_read(read, now))
            .collect();
        let mut alerts = Vec::new();
        let mut convoy = self.convoy.lock();
        for (read, hits) in reads.iter().zip(all_hits) {
            let first = alerts.len();
            for hit in &hits {
                alerts.push(alert::build(read, hit, Trigger::Sighting, now));
            }
            if !hits.is_empty() && !zones.is_empty() {
                self.geofence_alerts(read, &hits, &zones, now, &mut alerts);
            }
            for find in convoy.observe(read, &hits) {
                let trigger = Trigger::Convoy {
                    companion_plate: find.companion_plate,
                    companion_country: find.companion_country,
                    cameras: find.cameras,
                };
                alerts.push(alert::build(&find.watched_read, &find.hit, trigger, now));
            }
            if alerts.len() - first > self.config.alerts_per_read_max {
                tracing::warn!(read_id = %read.read_id, n_alerts = alerts.len() - first, kept = self.config.alerts_per_read_max, "Read raised too many alerts; dropped the rest.");
                alerts.truncate(first + self.config.alerts_per_read_max);
            }
        }
        alerts
    }

    /// Acknowledges an alert durably.
    pub fn acknowledge(&self, ack: Ack) -> Result<(), AlertError> {
        self.log.acknowledge_durable(ack)
    }

    fn geofence_alerts(
        &self,
        read: &PlateRead,
        hits: &[Hit],
        zones: &[Zone],
        now: Timestamp,
        alerts: &mut Vec<Alert>,
    ) {
        let position = match (read.lat, read.lon) {
            (Some(lat), Some(lon)) => Some(GeoPoint { lat, lon }),
            _ => self.cameras.camera_position(&read.camera_id),
        };
        let Some(position) = position else {
            tracing::debug!(camera_id = %read.camera_id, "No position for a watched read; geofences skipped.");
            return;
        };
        let mut tracker = self.geofence.lock();
        for zone in zones.iter().filter(|zone| zone.covers(position, read.ts)) {
            for hit in hits {
                if tracker.enters(&hit.watch.subject(), &zone.zone_id, read.ts) {
                    let trigger = Trigger::Geofence {
                        zone_id: zone.zone_id.clone(),
                        zone_name: zone.name.clone(),
                    };
                    alerts.push(alert::build(read, hit, trigger, now));
                }
            }
        }
    }
}
