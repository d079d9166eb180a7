//! Pattern alerts: a watched vehicle travelling in convoy with an unknown vehicle.
//!
//! Each camera keeps a bounded window of its recent reads. Each sighting of a watched
//! vehicle keeps the set of unknown vehicles (on no watch) read at that camera within
//! `gap_secs_max` of it, before or after. When one unknown vehicle is in the sets of
//! sightings at `cameras_min` distinct cameras within `window_secs`, the watched vehicle
//! and that companion raise one alert. Memory is bounded by the limits in [`ConvoyConfig`].

use crate::matcher::Hit;
use corridor_domain::{Country, PLATE_LEN_MAX, PlateRead, Timestamp};
use foldhash::{HashMap, HashMapExt, HashSet};
use std::collections::VecDeque;
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

/// An unknown vehicle's read as a camera window keeps it: small and copied, so that the
/// many reads that are on no watch cost no allocation.
#[derive(Clone, Copy, Debug)]
struct Passing {
    ts: Timestamp,
    key: u64,
    plate_len: u8,
    plate: [u8; PLATE_LEN_MAX],
    country: Option<Country>,
}

impl Passing {
    fn new(read: &PlateRead) -> Passing {
        let text = read.plate.as_str().as_bytes();
        let plate_len = text.len().min(PLATE_LEN_MAX);
        let mut plate = [0u8; PLATE_LEN_MAX];
        plate[..plate_len].copy_from_slice(&text[..plate_len]);
        Passing {
            ts: read.ts,
            key: vehicle_key(read),
            plate_len: plate_len as u8,
            plate,
            country: read.country,
        }
    }

    fn plate(&self) -> &str {
        // Plates are normalised ASCII (A-Z, 0-9), so any prefix is valid UTF-8.
        std::str::from_utf8(&self.plate[..usize::from(self.plate_len)]).unwrap_or("")
    }

    fn is_vehicle_of(&self, read: &PlateRead) -> bool {
        self.country == read.country && self.plate() == read.plate.as_str()
    }
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
    unknown: VecDeque<Passing>,
    watched: VecDeque<WatchedRef>,
}

#[derive(Debug)]
struct Sighting {
    sighting_id: u64,
    camera_id: String,
    /// Hash of `camera_id`, for [`Watched::seen_with`].
    camera_key: u64,
    read: Arc<PlateRead>,
    hit: Hit,
    /// Companion key -> the companion's read.
    companions: HashMap<u64, Passing>,
}

#[derive(Debug, Default)]
struct Watched {
    sightings: VecDeque<Sighting>,
    /// Companions already reported with this watched vehicle.
    alerted: HashSet<u64>,
    /// Companion key -> (camera key, number of sightings there that hold it): which
    /// companions may have reached `cameras_min` cameras, without scanning every sighting
    /// for every companion.
    seen_with: HashMap<u64, Vec<(u64, u32)>>,
}

impl Watched {
    fn note_companion(&mut self, key: u64, camera_key: u64) {
        let cameras = self.seen_with.entry(key).or_default();
        match cameras.iter_mut().find(|(camera, _)| *camera == camera_key) {
            Some((_, count)) => *count += 1,
            None => cameras.push((camera_key, 1)),
        }
    }

    fn pop_oldest(&mut self) {
        let Some(sighting) = self.sightings.pop_front() else {
            return;
        };
        for key in sighting.companions.keys() {
            if let Some(cameras) = self.seen_with.get_mut(key) {
                if let Some(pos) = cameras.iter().position(|(c, _)| *c == sighting.camera_key) {
                    cameras[pos].1 -= 1;
                    if cameras[pos].1 == 0 {
                        cameras.swap_remove(pos);
                    }
                }
                if cameras.is_empty() {
                    self.seen_with.remove(key);
                }
            }
        }
    }
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
        let gap_us = self.config.gap_secs_max * 1_000_000;
        let window = match self.cameras.get_mut(read.camera_id.as_str()) {
            Some(window) => window,
            None => self.cameras.entry(read.camera_id.clone()).or_default(),
        };
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
            self.observe_watched(Arc::new(read.clone()), hits)
        }
    }

    /// An unknown vehicle joins the companion sets of watched sightings near it.
    fn observe_unknown(&mut self, read: &PlateRead) -> Vec<ConvoyFind> {
        let gap_us = self.config.gap_secs_max * 1_000_000;
        let passing = Passing::new(read);
        let window = self
            .cameras
            .get_mut(read.camera_id.as_str())
            .expect("window created by observe");
        if window.unknown.len() >= self.config.camera_reads_max {
            window.unknown.pop_front();
        }
        window.unknown.push_back(passing);
        let near: Vec<(Arc<str>, u64)> = window
            .watched
            .iter()
            .filter(|w| (w.ts - read.ts).abs() <= gap_us)
            .map(|w| (Arc::clone(&w.subject), w.sighting_id))
            .collect();
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
                if passing.is_vehicle_of(&sighting.read)
                    || sighting.companions.len() >= self.config.companions_max
                {
                    continue;
                }
                let camera_key = sighting.camera_key;
                if sighting.companions.insert(passing.key, passing).is_none() {
                    watched.note_companion(passing.key, camera_key);
                }
            }
            finds.extend(check_pair(&self.config, watched, &passing));
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
        let companions: HashMap<u64, Passing> = window
            .unknown
            .iter()
            .filter(|other| (other.ts - read.ts).abs() <= gap_us && !other.is_vehicle_of(&read))
            .take(self.config.companions_max)
            .map(|other| (other.key, *other))
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
                watched.pop_oldest();
            }
            let camera_key = xxh3_64(read.camera_id.as_bytes());
            for key in companions.keys() {
                watched.note_companion(*key, camera_key);
            }
            watched.sightings.push_back(Sighting {
                sighting_id,
                camera_id: read.camera_id.clone(),
                camera_key,
                read: Arc::clone(&read),
                hit: hit.clone(),
                companions: companions.clone(),
            });
            for companion in companions.values() {
                finds.extend(check_pair(&self.config, watched, companion));
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
    companion: &Passing,
) -> Option<ConvoyFind> {
    let key = companion.key;
    if watched.alerted.contains(&key) {
        return None;
    }
    // Cheap test first: the companion is in sightings at enough distinct cameras.
    let n_cameras = watched.seen_with.get(&key).map_or(0, Vec::len);
    if n_cameras < config.cameras_min {
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
        companion_plate: companion.plate().to_owned(),
        companion_country: companion.country.map(|c| c.as_str().to_owned()),
        cameras,
    })
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
