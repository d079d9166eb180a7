//! Pattern alerts: a watched vehicle travelling in convoy with an unknown vehicle.
//!
//! Each camera keeps a bounded window of its recent reads. Each sighting of a watched
//! vehicle keeps the set of unknown vehicles (on no watch) read at that camera within
//! `gap_secs_max` of it, before or after. When one unknown vehicle is in the sets of
//! sightings at `cameras_min` distinct cameras within `window_secs`, the watched vehicle
//! and that companion raise one alert. Memory is bounded by the limits in [`ConvoyConfig`].

use crate::matcher::Hit;
use corridor_domain::{PlateRead, Timestamp};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use xxhash_rust::xxh3::xxh3_64;

/// Limits and thresholds of the convoy search.
#[derive(Clone, Debug)]
pub struct ConvoyConfig {
    /// Two reads at one camera at most this far apart count as travelling together.
    pub gap_secs_max: i64,
    /// Sightings older than this no longer count ("in the last hour").
    pub window_secs: i64,
    /// Distinct shared cameras needed for an alert.
    pub cameras_min: usize,
    /// Reads kept per camera and kind (oldest dropped first).
    pub camera_reads_max: usize,
    /// Unknown companions remembered per sighting of a watched vehicle.
    pub companions_max: usize,
    /// Sightings remembered per watched vehicle.
    pub sightings_max: usize,
    /// Watched vehicles tracked at once; new ones are ignored while full of recent ones.
    pub watched_max: usize,
}

impl Default for ConvoyConfig {
    fn default() -> Self {
        ConvoyConfig {
            gap_secs_max: 15,
            window_secs: 3600,
            cameras_min: 2,
            camera_reads_max: 4096,
            companions_max: 512,
            sightings_max: 64,
            watched_max: 100_000,
        }
    }
}

/// A convoy found: the watched vehicle's latest read and hit, and its companion.
#[derive(Clone, Debug)]
pub(crate) struct ConvoyFind {
    pub(crate) watched_read: Arc<PlateRead>,
    pub(crate) hit: Hit,
    pub(crate) companion_plate: String,
    pub(crate) companion_country: Option<String>,
    pub(crate) cameras: Vec<String>,
}

/// A watched read in a camera window: which sighting it is.
#[derive(Debug)]
struct WatchedRef {
    ts: Timestamp,
    subject: Arc<str>,
    sighting_id: u64,
}

#[derive(Debug, Default)]
struct CameraWindow {
    unknown: VecDeque<Arc<PlateRead>>,
    watched: VecDeque<WatchedRef>,
}

#[derive(Debug)]
struct Sighting {
    sighting_id: u64,
    camera_id: String,
    read: Arc<PlateRead>,
    hit: Hit,
    /// Companion key -> the companion's read.
    companions: HashMap<u64, Arc<PlateRead>>,
}

#[derive(Debug, Default)]
struct Watched {
    sightings: VecDeque<Sighting>,
    /// Companions already reported with this watched vehicle.
    alerted: HashSet<u64>,
}

#[derive(Debug)]
pub(crate) struct ConvoyTracker {
    config: ConvoyConfig,
    cameras: HashMap<String, CameraWindow>,
    watched: HashMap<Arc<str>, Watched>,
    next_sighting_id: u64,
}

impl ConvoyTracker {
    pub(crate) fn new(config: ConvoyConfig) -> ConvoyTracker {
        ConvoyTracker {
            config,
            cameras: HashMap::new(),
            watched: HashMap::new(),
            next_sighting_id: 0,
        }
    }

    /// Adds a read (with its hits, empty if unknown) and returns the convoys it completes.
    pub(crate) fn observe(&mut self, read: &PlateRead, hits: &[Hit]) -> Vec<ConvoyFind> {
        let read = Arc::new(read.clone());
        let gap_us = self.config.gap_secs_max * 1_000_000;
        let window = self.cameras.entry(read.camera_id.clone()).or_default();
        while window
            .unknown
            .front()
            .is_some_and(|r| r.ts < read.ts - gap_us)
        {
            window.unknown.pop_front();
        }
        while window
            .watched
            .front()
            .is_some_and(|r| r.ts < read.ts - gap_us)
        {
            window.watched.pop_front();
        }
        if hits.is_empty() {
            self.observe_unknown(read)
        } else {
            self.observe_watched(read, hits)
        }
    }

    /// An unknown vehicle joins the companion sets of watched sightings near it.
    fn observe_unknown(&mut self, read: Arc<PlateRead>) -> Vec<ConvoyFind> {
        let gap_us = self.config.gap_secs_max * 1_000_000;
        let key = vehicle_key(&read);
        let window = self
            .cameras
            .get_mut(&read.camera_id)
            .expect("window created by observe");
        let near: Vec<(Arc<str>, u64)> = window
            .watched
            .iter()
            .filter(|w| (w.ts - read.ts).abs() <= gap_us)
            .map(|w| (Arc::clone(&w.subject), w.sighting_id))
            .collect();
        if window.unknown.len() >= self.config.camera_reads_max {
            window.unknown.pop_front();
        }
        window.unknown.push_back(Arc::clone(&read));
        let mut finds = Vec::new();
        for (subject, sighting_id) in near {
            let Some(watched) = self.watched.get_mut(&subject) else {
                continue;
            };
            if let Some(sighting) = watched
                .sightings
                .iter_mut()
                .find(|s| s.sighting_id == sighting_id)
            {
                if same_vehicle(&sighting.read, &read)
                    || sighting.companions.len() >= self.config.companions_max
                {
                    continue;
                }
                sighting.companions.insert(key, Arc::clone(&read));
            }
            finds.extend(check_pair(&self.config, watched, key, &read));
        }
        finds
    }

    /// A watched vehicle's sighting collects the unknown vehicles near it.
    fn observe_watched(&mut self, read: Arc<PlateRead>, hits: &[Hit]) -> Vec<ConvoyFind> {
        let gap_us = self.config.gap_secs_max * 1_000_000;
        let window_us = self.config.window_secs * 1_000_000;
        let window = self
            .cameras
            .get_mut(&read.camera_id)
            .expect("window created by observe");
        let companions: HashMap<u64, Arc<PlateRead>> = window
            .unknown
            .iter()
            .filter(|other| (other.ts - read.ts).abs() <= gap_us && !same_vehicle(other, &read))
            .take(self.config.companions_max)
            .map(|other| (vehicle_key(other), Arc::clone(other)))
            .collect();
        let mut finds = Vec::new();
        for hit in hits {
            let subject: Arc<str> = hit.watch.subject().into();
            if !self.watched.contains_key(&subject) && self.watched.len() >= self.config.watched_max
            {
                let now = read.ts;
                self.watched.retain(|_, w| {
                    w.sightings
                        .back()
                        .is_some_and(|s| now - s.read.ts < window_us)
                });
                if self.watched.len() >= self.config.watched_max {
                    tracing::warn!(
                        watched_max = self.config.watched_max,
                        "Convoy tracker full; a watched vehicle is not tracked."
                    );
                    continue;
                }
            }
            let sighting_id = self.next_sighting_id;
            self.next_sighting_id += 1;
            let watched = self.watched.entry(Arc::clone(&subject)).or_default();
            while watched
                .sightings
                .front()
                .is_some_and(|s| read.ts - s.read.ts >= window_us)
                || watched.sightings.len() >= self.config.sightings_max
            {
                watched.sightings.pop_front();
            }
            watched.sightings.push_back(Sighting {
                sighting_id,
                camera_id: read.camera_id.clone(),
                read: Arc::clone(&read),
                hit: hit.clone(),
                companions: companions.clone(),
            });
            for (key, companion) in &companions {
                finds.extend(check_pair(&self.config, watched, *key, companion));
            }
            let window = self
                .cameras
                .get_mut(&read.camera_id)
                .expect("window created by observe");
            if window.watched.len() >= self.config.camera_reads_max {
                window.watched.pop_front();
            }
            window.watched.push_back(WatchedRef {
                ts: read.ts,
                subject,
                sighting_id,
            });
        }
        finds
    }
}

/// Reports the pair if the companion is in sightings at enough distinct cameras.
fn check_pair(
    config: &ConvoyConfig,
    watched: &mut Watched,
    key: u64,
    companion: &PlateRead,
) -> Option<ConvoyFind> {
    if watched.alerted.contains(&key) {
        return None;
    }
    let window_us = config.window_secs * 1_000_000;
    let latest = watched.sightings.back()?;
    let mut cameras: Vec<String> = Vec::new();
    for sighting in &watched.sightings {
        let recent = latest.read.ts - sighting.read.ts < window_us;
        if recent
            && sighting.companions.contains_key(&key)
            && !cameras.contains(&sighting.camera_id)
        {
            cameras.push(sighting.camera_id.clone());
        }
    }
    if cameras.len() < config.cameras_min {
        return None;
    }
    watched.alerted.insert(key);
    let newest = watched
        .sightings
        .iter()
        .filter(|s| s.companions.contains_key(&key))
        .max_by_key(|s| s.read.ts)?;
    Some(ConvoyFind {
        watched_read: Arc::clone(&newest.read),
        hit: newest.hit.clone(),
        companion_plate: companion.plate.as_str().to_owned(),
        companion_country: companion.country.map(|c| c.as_str().to_owned()),
        cameras,
    })
}

fn same_vehicle(a: &PlateRead, b: &PlateRead) -> bool {
    a.plate == b.plate && a.country == b.country
}

/// A 64-bit key of a vehicle (plate text and country); collisions are negligible at the
/// sizes tracked and would at worst merge two companions' evidence.
fn vehicle_key(read: &PlateRead) -> u64 {
    let mut buf = [0u8; 16];
    let text = read.plate.as_str().as_bytes();
    let len = text.len().min(12);
    buf[..len].copy_from_slice(&text[..len]);
    if let Some(country) = read.country {
        buf[12..14].copy_from_slice(country.as_str().as_bytes());
    }
    xxh3_64(&buf)
}
