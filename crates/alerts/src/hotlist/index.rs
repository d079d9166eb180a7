//! The in-memory lookup structure the matcher reads: plates, patterns and network members
//! keyed so that one read costs a handful of hash lookups, whatever the list size.

use super::entry::{HotlistEntry, PlateSpec};
use super::network::NetworkWatch;
use super::prefilter::{Bits, Prefilter};
use corridor_domain::{Country, PlatePattern};
use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;
use xxhash_rust::xxh3::xxh3_64;

/// Bits per plate text of the filter in front of the exact and network maps (about 5%
/// false positives; 128 KB for 100,000 plates).
const PLATE_BITS_PER_KEY: usize = 8;

/// Fixed-length patterns are bucketed by length and their first two characters (`?` kept
/// as is), so a read probes four buckets: both characters known, either one a wildcard, or
/// neither. Patterns with a `*` share one bucket, [`RUN_BUCKET`], scanned for every read.
type PatternKey = (u8, u8, u8);

const RUN_BUCKET: PatternKey = (0, b'*', b'*');

/// A network watch member: the watch and the member's country (`None`: any country).
#[derive(Clone, Debug)]
pub(crate) struct NetworkMember {
    pub(crate) watch: Arc<NetworkWatch>,
    pub(crate) country: Option<Country>,
}

#[derive(Debug)]
pub(crate) struct MatchIndex {
    /// `None`: every read is passed to the confusion model.
    prefilter: Option<Prefilter>,
    exact: HashMap<Box<str>, Vec<Arc<HotlistEntry>>>,
    patterns: HashMap<PatternKey, Vec<Arc<HotlistEntry>>>,
    networks: HashMap<Box<str>, Vec<NetworkMember>>,
    /// Every plate text of `exact` and `networks` (hashed): most reads stop here.
    plate_bits: Bits,
}

impl Default for MatchIndex {
    fn default() -> MatchIndex {
        MatchIndex::with_prefilter(None, 0)
    }
}

impl MatchIndex {
    pub(crate) fn with_prefilter(prefilter: Option<Prefilter>, n_entries: usize) -> MatchIndex {
        MatchIndex {
            prefilter,
            exact: HashMap::with_capacity(n_entries),
            patterns: HashMap::new(),
            networks: HashMap::new(),
            plate_bits: Bits::new(n_entries, PLATE_BITS_PER_KEY),
        }
    }

    fn may_hold_plate(&self, plate: &str) -> bool {
        self.plate_bits.may_contain(xxh3_64(plate.as_bytes()))
    }

    fn note_plate(&mut self, plate: &str) {
        let n_keys = self.exact.len() + self.networks.len();
        let keys = self
            .exact
            .keys()
            .chain(self.networks.keys())
            .map(|text| xxh3_64(text.as_bytes()));
        self.plate_bits
            .insert(xxh3_64(plate.as_bytes()), n_keys, keys);
    }

    /// False only if `plate` cannot be a likely misread of any watched plate or member.
    pub(crate) fn may_be_misread(&self, plate: &str) -> bool {
        self.prefilter
            .as_ref()
            .is_none_or(|prefilter| prefilter.may_match(plate))
    }

    /// Entries whose plate is exactly `plate`.
    pub(crate) fn exact(&self, plate: &str) -> &[Arc<HotlistEntry>] {
        if !self.may_hold_plate(plate) {
            return &[];
        }
        self.exact.get(plate).map_or(&[], Vec::as_slice)
    }

    /// Calls `visit` with every pattern entry that could match `plate` (the caller checks).
    pub(crate) fn pattern_candidates(
        &self,
        plate: &str,
        mut visit: impl FnMut(&Arc<HotlistEntry>),
    ) {
        let bytes = plate.as_bytes();
        let Ok(len) = u8::try_from(bytes.len()) else {
            return;
        };
        let first = bytes.first().copied().unwrap_or(0);
        let second = bytes.get(1).copied().unwrap_or(0);
        let mut keys = [
            (len, first, second),
            (len, b'?', second),
            (len, first, b'?'),
            (len, b'?', b'?'),
            RUN_BUCKET,
        ];
        if bytes.len() < 2 {
            keys[2] = keys[0];
            keys[3] = keys[1];
        }
        for (key_idx, key) in keys.iter().enumerate() {
            if keys[..key_idx].contains(key) {
                continue;
            }
            for entry in self.patterns.get(key).map_or(&[][..], Vec::as_slice) {
                visit(entry);
            }
        }
    }

    /// Network members with plate text `plate`.
    pub(crate) fn network_members(&self, plate: &str) -> &[NetworkMember] {
        if !self.may_hold_plate(plate) {
            return &[];
        }
        self.networks.get(plate).map_or(&[], Vec::as_slice)
    }

    /// Number of entries indexed (exact plus patterns).
    pub(crate) fn n_entries(&self) -> usize {
        self.exact.values().map(Vec::len).sum::<usize>()
            + self.patterns.values().map(Vec::len).sum::<usize>()
    }

    /// Puts `entry` in place of any earlier version of it; deleted entries leave the index.
    /// Expired entries stay: expiry is checked at match time against the clock.
    pub(crate) fn upsert_entry(
        &mut self,
        previous: Option<&HotlistEntry>,
        entry: Option<Arc<HotlistEntry>>,
    ) {
        if let Some(previous) = previous {
            if let (Some(prefilter), PlateSpec::Exact(plate)) =
                (&mut self.prefilter, &previous.fields.plate)
            {
                prefilter.update(plate.as_str(), -1);
            }
            let entry_id = previous.entry_id;
            remove_from(self.bucket_of(&previous.fields.plate), |e| {
                e.entry_id == entry_id
            });
        }
        if let Some(entry) = entry {
            if let (Some(prefilter), PlateSpec::Exact(plate)) =
                (&mut self.prefilter, &entry.fields.plate)
            {
                prefilter.update(plate.as_str(), 1);
            }
            match &entry.fields.plate {
                PlateSpec::Exact(plate) => {
                    self.exact
                        .entry(plate.as_str().into())
                        .or_default()
                        .push(Arc::clone(&entry));
                    self.note_plate(plate.as_str());
                }
                PlateSpec::Pattern(pattern) => self
                    .patterns
                    .entry(pattern_key(pattern))
                    .or_default()
                    .push(entry),
            }
        }
    }

    /// Replaces the members of a network watch.
    pub(crate) fn upsert_network(
        &mut self,
        previous: Option<&NetworkWatch>,
        watch: Option<Arc<NetworkWatch>>,
    ) {
        if let Some(previous) = previous {
            for key in &previous.plates {
                if let Some(prefilter) = &mut self.prefilter {
                    prefilter.update(key.text.as_str(), -1);
                }
                if let Some(members) = self.networks.get_mut(key.text.as_str()) {
                    members.retain(|m| m.watch.watch_id != previous.watch_id);
                    if members.is_empty() {
                        self.networks.remove(key.text.as_str());
                    }
                }
            }
        }
        if let Some(watch) = watch {
            for key in &watch.plates {
                if let Some(prefilter) = &mut self.prefilter {
                    prefilter.update(key.text.as_str(), 1);
                }
                let member = NetworkMember {
                    watch: Arc::clone(&watch),
                    country: key.country,
                };
                self.networks
                    .entry(key.text.as_str().into())
                    .or_default()
                    .push(member);
                self.note_plate(key.text.as_str());
            }
        }
    }

    fn bucket_of(&mut self, plate: &PlateSpec) -> Option<&mut Vec<Arc<HotlistEntry>>> {
        match plate {
            PlateSpec::Exact(plate) => self.exact.get_mut(plate.as_str()),
            PlateSpec::Pattern(pattern) => self.patterns.get_mut(&pattern_key(pattern)),
        }
    }
}

fn remove_from(bucket: Option<&mut Vec<Arc<HotlistEntry>>>, is_it: impl Fn(&HotlistEntry) -> bool) {
    if let Some(bucket) = bucket {
        bucket.retain(|entry| !is_it(entry));
    }
}

fn pattern_key(pattern: &PlatePattern) -> PatternKey {
    if pattern.len_max().is_none() {
        return RUN_BUCKET;
    }
    let bytes = pattern.as_str().as_bytes();
    let len = u8::try_from(bytes.len()).expect("patterns have at most 12 characters");
    let first = bytes.first().copied().unwrap_or(0);
    let second = if bytes.len() < 2 { 0 } else { bytes[1] };
    (len, first, second)
}
