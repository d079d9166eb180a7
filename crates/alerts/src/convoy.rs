//! Pattern alerts: a watched vehicle travelling in convoy with an unknown vehicle.
//!
//! Each camera keeps a bounded window of its recent reads. When a watched vehicle and an
//! unknown vehicle (one on no watch) pass the same camera within `gap_secs_max` of each
//! other, the pair scores that camera; at `cameras_min` distinct cameras within
//! `window_secs` the pair raises one alert.

use crate::matcher::Hit;
use corridor_domain::{PlateRead, Timestamp};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Limits and thresholds of the convoy search.
#[derive(Clone, Debug)]
pub struct ConvoyConfig {
    /// Two reads at one camera at most this far apart count as travelling together.
    pub gap_secs_max: i64,
    /// Cameras shared longer ago than this no longer count ("in the last hour").
    pub window_secs: i64,
    /// Distinct shared cameras needed for an alert.
    pub cameras_min: usize,
    /// Reads kept per camera (oldest dropped first).
    pub camera_reads_max: usize,
    /// Watched/unknown pairs tracked at once; new pairs are ignored while full of live pairs.
    pub pairs_max: usize,
}

impl Default for ConvoyConfig {
    fn default() -> Self {
        ConvoyConfig {
            gap_secs_max: 30,
            window_secs: 3600,
            cameras_min: 2,
            camera_reads_max: 4096,
            pairs_max: 100_000,
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

#[derive(Debug)]
struct RecentRead {
    read: Arc<PlateRead>,
    /// Empty for unknown vehicles.
    hits: Arc<[Hit]>,
}

#[derive(Debug)]
struct PairState {
    /// (camera, time of the watched vehicle's read there), newest last.
    cameras: Vec<(String, Timestamp)>,
    watched_read: Arc<PlateRead>,
    hit: Hit,
    alerted: bool,
}

#[derive(Debug)]
pub(crate) struct ConvoyTracker {
    config: ConvoyConfig,
    cameras: HashMap<String, VecDeque<RecentRead>>,
    pairs: HashMap<(String, String), PairState>,
}

impl ConvoyTracker {
    pub(crate) fn new(config: ConvoyConfig) -> ConvoyTracker {
        ConvoyTracker {
            config,
            cameras: HashMap::new(),
            pairs: HashMap::new(),
        }
    }

    /// Adds a read (with its hits, empty if unknown) and returns the convoys it completes.
    pub(crate) fn observe(&mut self, read: &PlateRead, hits: &[Hit]) -> Vec<ConvoyFind> {
        let read = Arc::new(read.clone());
        let hits: Arc<[Hit]> = hits.into();
        let gap_us = self.config.gap_secs_max * 1_000_000;
        let window = self.cameras.entry(read.camera_id.clone()).or_default();
        while window.front().is_some_and(|r| r.read.ts < read.ts - gap_us) {
            window.pop_front();
        }
        let mut touched = Vec::new();
        for other in window.iter() {
            if (other.read.ts - read.ts).abs() > gap_us || same_vehicle(&other.read, &read) {
                continue;
            }
            match (hits.is_empty(), other.hits.is_empty()) {
                (false, true) => touched.extend(
                    hits.iter()
                        .map(|hit| (hit.clone(), Arc::clone(&read), Arc::clone(&other.read))),
                ),
                (true, false) => touched.extend(
                    other
                        .hits
                        .iter()
                        .map(|hit| (hit.clone(), Arc::clone(&other.read), Arc::clone(&read))),
                ),
                _ => {}
            }
        }
        if window.len() >= self.config.camera_reads_max {
            window.pop_front();
        }
        window.push_back(RecentRead {
            read: Arc::clone(&read),
            hits,
        });
        touched
            .into_iter()
            .filter_map(|(hit, watched, companion)| self.score(hit, watched, &companion))
            .collect()
    }

    fn score(
        &mut self,
        hit: Hit,
        watched: Arc<PlateRead>,
        companion: &PlateRead,
    ) -> Option<ConvoyFind> {
        let window_us = self.config.window_secs * 1_000_000;
        let key = (hit.watch.subject(), vehicle_key(companion));
        if !self.pairs.contains_key(&key) && self.pairs.len() >= self.config.pairs_max {
            let now = watched.ts;
            self.pairs
                .retain(|_, pair| pair.cameras.iter().any(|(_, ts)| now - *ts < window_us));
            if self.pairs.len() >= self.config.pairs_max {
                return None;
            }
        }
        let pair = self.pairs.entry(key).or_insert_with(|| PairState {
            cameras: Vec::new(),
            watched_read: Arc::clone(&watched),
            hit: hit.clone(),
            alerted: false,
        });
        let newest = watched.ts;
        pair.cameras.retain(|(_, ts)| newest - *ts < window_us);
        pair.cameras
            .retain(|(camera, _)| *camera != watched.camera_id);
        pair.cameras.push((watched.camera_id.clone(), watched.ts));
        if watched.ts >= pair.watched_read.ts {
            pair.watched_read = watched;
            pair.hit = hit;
        }
        if pair.alerted || pair.cameras.len() < self.config.cameras_min {
            return None;
        }
        pair.alerted = true;
        Some(ConvoyFind {
            watched_read: Arc::clone(&pair.watched_read),
            hit: pair.hit.clone(),
            companion_plate: companion.plate.as_str().to_owned(),
            companion_country: companion.country.map(|c| c.as_str().to_owned()),
            cameras: pair
                .cameras
                .iter()
                .map(|(camera, _)| camera.clone())
                .collect(),
        })
    }
}

fn same_vehicle(a: &PlateRead, b: &PlateRead) -> bool {
    a.plate == b.plate && a.country == b.country
}

fn vehicle_key(read: &PlateRead) -> String {
    match read.country {
        Some(country) => format!("{}|{country}", read.plate),
        None => format!("{}|", read.plate),
    }
}
