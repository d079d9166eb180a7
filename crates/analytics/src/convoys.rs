//! Convoys: vehicles that travel together, scored against chance.
//!
//! A co-occurrence is two plates read by one camera at most `convoy_window_secs` apart.
//! A pair's co-occurrences make one trip together while the time between them is
//! explained by driving; a trip that carries on onwards after a pause (a ferry) is one
//! journey with the one before, one that heads back is a second trip together. Each trip
//! together with `occasion_cameras_min` distinct cameras or more is an occasion.
//!
//! The expected number of chance occasions is what the pair's habits give (plate b's days
//! shifted onto plate a's other days of the same kind, so that neighbours who commute at
//! the same minute explain themselves; only trips together at least as long and as steady
//! as the pair's count) plus, per occasion, the chance from the cameras' traffic at that hour, smaller
//! the more cameras the pair passed together at a steady lead (strangers at different
//! speeds drift through the window, one overtaking the other). The score is
//! `-log10 P(N >= k)` for `N ~ Poisson(expected)` and `k` occasions: 2 means one chance in
//! a hundred, 4 one in ten thousand. More occasions give a higher score.

use crate::AnalysisConfig;
use crate::table::{DAY_MICROS, FastMap, FastSet, MICROS, ReadTable};
use crate::traffic::Traffic;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::Ordering;

/// Chance that two vehicles that met by coincidence at one camera are still together at
/// the next one (a junction lies between most cameras).
const STAY_TOGETHER_CHANCE: f64 = 0.7;

/// A pause after which a pair carries on onwards together is one journey with what came
/// before (ferry crossings take up to two hours, plus boarding).
const JOURNEY_PAUSE_SECS_MAX: i64 = 4 * 3600;

/// Distinct cameras at which a vehicle must be read with each member of a convoy, on one
/// of its occasions, to have joined it.
const JOINER_CAMERAS_MIN: usize = 3;

/// How much the time between two vehicles may vary along a trip for them to be driving
/// together: vehicles that keep company keep their order and distance, give or take the
/// traffic; strangers at different speeds drift through the co-occurrence window, the
/// faster one overtaking the slower, and stay in it along a long road without parting.
const LEAD_SPREAD_SECS_MAX: i64 = 120;

/// Plate b passing plate a's cameras within this long of plate a's times, on a mismatched
/// day, is a chance for the two to have met there (see [`habitual_occasions`]).
const HABIT_NEAR_SECS: i64 = 1800;

/// A pair with this many trips together or fewer must also be unlikely for any vehicle
/// (see [`unlikely_for_any_vehicle`]).
const FEW_OCCASIONS_MAX: usize = 3;
/// The least score a pair's few occasions must reach measured as [`Chance::OfAnyVehicle`]:
/// one chance in ten that some vehicle was alongside on them.
const ANY_VEHICLE_SCORE_MIN: f64 = 1.0;

/// Whose coincidence an occasion's chance measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Chance {
    /// That this partner passes by chance: the likeliest, over the occasion's cameras, of
    /// one given vehicle among those using the camera at that hour being in the window.
    /// For pairs that recur, or that joined a convoy on one of its trips.
    OfThePartner,
    /// That any vehicle does: the vehicles expected in the window at the quietest of the
    /// occasion's cameras at that hour. For partners on a single trip, where any of the
    /// focus vehicle's fellow travellers could have been the one: a van's scout on empty
    /// lanes at night scores high, two cars on a busy motorway by day do not.
    OfAnyVehicle,
}

/// Where a pair's habits add the Jeffreys prior's half meeting (see
/// [`habitual_occasions`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum HabitsPrior {
    /// Half a meeting for each day of plate a's: the caution of discovery, which tests
    /// millions of pairs of strangers, most with few chances to have met on mismatched
    /// days.
    PerDay,
    /// Half a meeting for the pair, spread over plate a's days: one rate of meeting by
    /// habit is estimated from all its chances. For the searches around a few known
    /// vehicles, where two vans of one gang that take turns on one run, and never met on
    /// the nights they did not drive together, would otherwise be explained by half a
    /// meeting for every night each drove.
    PerPair,
    /// None: the meetings on mismatched days alone. For two of the network's own vehicles
    /// (seeds, convoy members) on a trip together: the half meeting is the caution owed to
    /// a stranger, who may have met the vehicle on days it had few chances to; two vehicles
    /// already tied to the network are not strangers, and a night out together that their
    /// habits (their own nights on that road, at their own hours) do not explain is theirs.
    /// Two vans of one gang out together on one night, each on that road on other nights
    /// of its own, otherwise scored 0.4 to 2.4 at 10M reads, the half meeting's 0.03 to 0.2
    /// expected occasions against the traffic's 0.002 to 0.04.
    Observed,
}

/// What a search reports: pairs with `occasions_min` occasions or more that score at
/// least `score_min` (and the Bonferroni bound), their chance measured as `chance` says
/// and their habits with `habits_prior`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wanted {
    occasions_min: usize,
    score_min: f64,
    chance: Chance,
    habits_prior: HabitsPrior,
}

impl Wanted {
    /// Partners of seeds: `convoy_occasions_min` occasions scoring
    /// `convoy_score_min_targeted`.
    pub(crate) fn recurring(config: &AnalysisConfig) -> Wanted {
        Wanted {
            occasions_min: config.convoy_occasions_min,
            score_min: config.convoy_score_min_targeted,
            chance: Chance::OfThePartner,
            habits_prior: HabitsPrior::PerPair,
        }
    }

    /// Convoys found without a seed: recurring, scoring `convoy_score_min_discovery`.
    /// Also the partners of discovery's members (see `pipeline::grow_from_members`), which
    /// may be strangers themselves, and of vehicles that stop where a seed stopped (see
    /// `pipeline::place_mates`), as most such vehicles are neighbours with commutes of
    /// their own.
    pub(crate) fn in_discovery(config: &AnalysisConfig) -> Wanted {
        Wanted {
            occasions_min: config.convoy_occasions_min,
            score_min: config.convoy_score_min_discovery,
            chance: Chance::OfThePartner,
            habits_prior: HabitsPrior::PerDay,
        }
    }

    /// Partners of the network's vehicles on a single trip together (a scout ahead of the
    /// vans on one night, a second van along once), unlikely for any vehicle at all and
    /// scoring `convoy_score_min_discovery`.
    pub(crate) fn on_one_trip(config: &AnalysisConfig) -> Wanted {
        Wanted {
            occasions_min: 1,
            score_min: config.convoy_score_min_discovery,
            chance: Chance::OfAnyVehicle,
            habits_prior: HabitsPrior::PerDay,
        }
    }

    /// Two of the network's vehicles (seeds, convoy members) on a single trip together,
    /// scoring `convoy_score_min_targeted`: both are known, so the pair is as likely a
    /// hypothesis as a seed's partner, and their habits are those seen (see
    /// [`HabitsPrior::Observed`]).
    pub(crate) fn between_members(config: &AnalysisConfig) -> Wanted {
        Wanted {
            occasions_min: 1,
            score_min: config.convoy_score_min_targeted,
            chance: Chance::OfAnyVehicle,
            habits_prior: HabitsPrior::Observed,
        }
    }

    /// Vehicles that joined a found convoy on one of its trips (see [`joiners`]): as two
    /// of the network's vehicles are, but a joiner may be a stranger that fell in behind
    /// the convoy, and its habits keep the pair's half meeting.
    pub(crate) fn joining(config: &AnalysisConfig) -> Wanted {
        Wanted {
            habits_prior: HabitsPrior::PerPair,
            ..Wanted::between_members(config)
        }
    }
}

/// One co-occurrence: rows `row_a` (plate a) and `row_b` (plate b) at one camera.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CoOccurrence {
    pub(crate) row_a: u32,
    pub(crate) row_b: u32,
}

impl CoOccurrence {
    /// The same co-occurrence seen from plate b's side.
    pub(crate) fn swapped(self) -> CoOccurrence {
        CoOccurrence {
            row_a: self.row_b,
            row_b: self.row_a,
        }
    }
}

/// A pair's co-occurrences on one day.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Occasion {
    pub(crate) day: i64,
    pub(crate) co_occurrences: Vec<CoOccurrence>,
    /// Chance probability of this occasion (see the module docs).
    pub(crate) chance: f64,
}

/// A pair of plates travelling together.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ConvoyFinding {
    pub(crate) plate_a: u32,
    pub(crate) plate_b: u32,
    pub(crate) occasions: Vec<Occasion>,
    /// Expected number of chance occasions.
    pub(crate) expected: f64,
    /// `-log10` of the chance probability.
    pub(crate) score: f64,
}

/// Reads ordered by camera and time, for window look-ups: each read's row, plate and time
/// side by side in that order, so that a window is one contiguous stretch of memory.
#[derive(Debug)]
pub(crate) struct CameraIndex {
    rows: Vec<u32>,
    plates: Vec<u32>,
    ts: Vec<i64>,
    offsets: Vec<u32>,
    /// Per camera, its reads' times cut into buckets of equal width (about one read per
    /// bucket): `(first bucket number, width in µs, first entry in bucket_starts, buckets)`.
    /// A window starts from its bucket instead of a binary search over the camera's reads,
    /// which missed the cache at most of its steps.
    buckets: Vec<(i64, i64, u32, u32)>,
    /// Per camera and bucket: the position (in `ts`) of its first read at or after the
    /// bucket's start.
    bucket_starts: Vec<u32>,
}

/// The narrowest time bucket of [`CameraIndex`], in microseconds.
const BUCKET_MICROS_MIN: i64 = 60 * MICROS;

impl CameraIndex {
    pub(crate) fn build(table: &ReadTable) -> CameraIndex {
        let (rows, offsets) =
            crate::table::group_in_time_order(&table.camera, &table.ts, table.cameras.len());
        let plates = rows
            .par_iter()
            .map(|&row| table.plate[row as usize])
            .collect();
        let ts = rows.par_iter().map(|&row| table.ts[row as usize]).collect();
        CameraIndex::with_buckets(rows, plates, ts, offsets)
    }

    fn with_buckets(rows: Vec<u32>, plates: Vec<u32>, ts: Vec<i64>, offsets: Vec<u32>) -> Self {
        let mut buckets = Vec::with_capacity(offsets.len().saturating_sub(1));
        let mut bucket_starts = Vec::with_capacity(ts.len() + buckets.capacity());
        for camera in offsets.windows(2) {
            let (first, end) = (camera[0] as usize, camera[1] as usize);
            let at = bucket_starts.len() as u32;
            if first == end {
                buckets.push((0, 1, at, 0));
                continue;
            }
            let (ts_first, ts_last) = (ts[first], ts[end - 1]);
            let width = ((ts_last - ts_first) / (end - first) as i64 + 1).max(BUCKET_MICROS_MIN);
            let first_bucket = ts_first.div_euclid(width);
            let n_buckets = ts_last.div_euclid(width) - first_bucket + 1;
            let mut idx = first;
            for bucket in 0..n_buckets {
                let bucket_start = (first_bucket + bucket) * width;
                while idx < end && ts[idx] < bucket_start {
                    idx += 1;
                }
                bucket_starts.push(idx as u32);
            }
            buckets.push((first_bucket, width, at, n_buckets as u32));
        }
        CameraIndex {
            rows,
            plates,
            ts,
            offsets,
            buckets,
            bucket_starts,
        }
    }

    /// The index of the reads of the plates that `keep` keeps.
    pub(crate) fn retain_plates(&self, keep: &[bool]) -> CameraIndex {
        let (mut rows, mut plates, mut ts) = (Vec::new(), Vec::new(), Vec::new());
        let mut offsets = Vec::with_capacity(self.offsets.len());
        offsets.push(0);
        for camera in self.offsets.windows(2) {
            for idx in camera[0] as usize..camera[1] as usize {
                if keep[self.plates[idx] as usize] {
                    rows.push(self.rows[idx]);
                    plates.push(self.plates[idx]);
                    ts.push(self.ts[idx]);
                }
            }
            offsets.push(rows.len() as u32);
        }
        CameraIndex::with_buckets(rows, plates, ts, offsets)
    }

    /// `(row, plate)` of the reads of camera `camera` with `from <= ts < to`, in time order.
    pub(crate) fn window(
        &self,
        camera: u32,
        from: i64,
        to: i64,
    ) -> impl Iterator<Item = (u32, u32)> + '_ {
        let end = self.offsets[camera as usize + 1] as usize;
        let start = self.first_at_or_after(camera, from);
        self.ts[start..end]
            .iter()
            .take_while(move |&&t| t < to)
            .zip(self.rows[start..end].iter().zip(&self.plates[start..end]))
            .map(|(_, (&row, &plate))| (row, plate))
    }

    /// The position of camera `camera`'s first read at or after `from`.
    fn first_at_or_after(&self, camera: u32, from: i64) -> usize {
        let (first, end) = (
            self.offsets[camera as usize] as usize,
            self.offsets[camera as usize + 1] as usize,
        );
        let (first_bucket, width, at, n_buckets) = self.buckets[camera as usize];
        let bucket = from.div_euclid(width) - first_bucket;
        if bucket < 0 {
            return first;
        }
        if bucket >= i64::from(n_buckets) {
            return end;
        }
        // The bucket's first read is at or after its start, at or before `from`'s: the
        // reads before `from` in the bucket are skipped one by one.
        let mut idx = self.bucket_starts[at as usize + bucket as usize] as usize;
        while idx < end && self.ts[idx] < from {
            idx += 1;
        }
        idx
    }
}

/// The day (starting at noon UTC) of a timestamp.
pub(crate) fn day_of(ts: i64) -> i64 {
    (ts - DAY_MICROS / 2).div_euclid(DAY_MICROS)
}

/// Whether a day (as from [`day_of`]) is mostly a Saturday or Sunday.
fn weekend(day: i64) -> bool {
    // Day 0 runs from Thursday 1970-01-01 12:00 to Friday 12:00.
    matches!((day + 3).rem_euclid(7), 5 | 6)
}

/// Partners among `eligible` plates of the `focus` plates, as `wanted`: convoy partners
/// (targeted search, [`Wanted::recurring`]) or partners on a single trip
/// ([`Wanted::on_one_trip`]).
pub(crate) fn partners(
    table: &ReadTable,
    index: &CameraIndex,
    traffic: &Traffic,
    (focus, eligible): (&[u32], &[bool]),
    config: &AnalysisConfig,
    wanted: Wanted,
) -> Vec<ConvoyFinding> {
    let co_occurrences = co_occurrences_with(table, index, (focus, eligible), config);
    score_pairs(table, traffic, &co_occurrences, config, wanted)
}

/// The pairs of `pairs` (each its lower plate number first, sorted) that are partners as
/// `wanted`: the hypotheses made are those pairs alone,
/// and so is the family of the Bonferroni bound, not every pair of their plates that
/// travelled together (vehicles that set off at night are many of one town's night
/// workers, and the pairs of them are hundreds of times more).
pub(crate) fn partners_among(
    table: &ReadTable,
    index: &CameraIndex,
    traffic: &Traffic,
    pairs: &[(u32, u32)],
    config: &AnalysisConfig,
    wanted: Wanted,
) -> Vec<ConvoyFinding> {
    let mut focus: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    focus.sort_unstable();
    focus.dedup();
    let mut eligible = vec![false; table.n_plates()];
    for &plate in &focus {
        eligible[plate as usize] = true;
    }
    let mut co_occurrences = co_occurrences_with(table, index, (&focus, &eligible), config);
    co_occurrences.retain(|&(key, _)| {
        pairs
            .binary_search(&((key >> 32) as u32, key as u32))
            .is_ok()
    });
    score_pairs(table, traffic, &co_occurrences, config, wanted)
}

/// Sorts co-occurrences by pair, then time, and drops the ones found twice (from each
/// plate's side): the rows break ties in time, so that duplicates lie side by side.
fn sort_by_pair_and_time(table: &ReadTable, entries: &mut Vec<(u64, CoOccurrence)>) {
    entries
        .sort_unstable_by_key(|(key, co)| (*key, table.ts[co.row_a as usize], co.row_a, co.row_b));
    entries.dedup();
}

/// Partners of the `focus` plates (sorted) on a single trip together: with any `eligible`
/// plate, as [`Wanted::on_one_trip`], and with another focus plate, as
/// [`Wanted::between_members`]: a family of its own, tested on the same co-occurrences.
pub(crate) fn partners_on_one_trip(
    table: &ReadTable,
    index: &CameraIndex,
    traffic: &Traffic,
    (focus, eligible): (&[u32], &[bool]),
    config: &AnalysisConfig,
) -> Vec<ConvoyFinding> {
    let co_occurrences = co_occurrences_with(table, index, (focus, eligible), config);
    let mut found = score_pairs(
        table,
        traffic,
        &co_occurrences,
        config,
        Wanted::on_one_trip(config),
    );
    let in_focus = |plate: u32| focus.binary_search(&plate).is_ok();
    let among: Vec<(u64, CoOccurrence)> = co_occurrences
        .into_iter()
        .filter(|(key, _)| in_focus((key >> 32) as u32) && in_focus(*key as u32))
        .collect();
    found.extend(score_pairs(
        table,
        traffic,
        &among,
        config,
        Wanted::between_members(config),
    ));
    found
}

/// The co-occurrences of the `focus` plates with the `eligible` plates, sorted by pair
/// (the pair's key: its lower plate number, then the higher) and time.
pub(crate) fn co_occurrences_with(
    table: &ReadTable,
    index: &CameraIndex,
    (focus, eligible): (&[u32], &[bool]),
    config: &AnalysisConfig,
) -> Vec<(u64, CoOccurrence)> {
    let window = config.convoy_window_secs * MICROS;
    let mut co_occurrences: Vec<(u64, CoOccurrence)> = Vec::new();
    for &plate in focus {
        for &row in table.plate_rows(plate) {
            let (camera, ts) = (table.camera[row as usize], table.ts[row as usize]);
            for (other, other_plate) in index.window(camera, ts - window, ts + window + 1) {
                if other_plate != plate && eligible[other_plate as usize] {
                    co_occurrences.push(pair_entry(table, row, other));
                }
            }
        }
    }
    sort_by_pair_and_time(table, &mut co_occurrences);
    co_occurrences
}

/// The most trips together (occasions) that a pair with these co-occurrences makes,
/// counted along either plate's reads: the pair's scoring counts them along the reads of
/// its lower-numbered plate, which a search that does not know both plates cannot tell.
pub(crate) fn occasions_either_way(
    table: &ReadTable,
    co_occurrences: &[CoOccurrence],
    config: &AnalysisConfig,
) -> usize {
    let swapped = co_occurrences.iter().map(|co| co.swapped()).collect();
    occasions_of(table, co_occurrences.to_vec(), config)
        .len()
        .max(occasions_of(table, swapped, config).len())
}

/// The plates [`discovery`] pairs: those read on `convoy_days_min` days or more with each
/// other, and those read on fewer with them alone, when their own reads make trips enough
/// to recur.
pub(crate) struct DiscoveryPlates {
    recurring: Vec<bool>,
    once: Vec<bool>,
}

impl DiscoveryPlates {
    /// Light vehicles (`light`) by the distinct days each was read on (`plate_days`).
    ///
    /// A van hired for one night, out to the coast and back with the gang's own vehicles,
    /// is read on one day only; most plates read on one day make one trip (through traffic
    /// to and from the ferries), and pairing them all would cost as much as the rest of
    /// discovery.
    pub(crate) fn new(
        table: &ReadTable,
        light: &[bool],
        plate_days: &[u32],
        config: &AnalysisConfig,
    ) -> DiscoveryPlates {
        let recurring: Vec<bool> = plate_days
            .iter()
            .zip(light)
            .map(|(&days, &light)| light && days as usize >= config.convoy_days_min)
            .collect();
        let reads_min = config.convoy_occasions_min * config.occasion_cameras_min;
        let once = (0..table.n_plates() as u32)
            .into_par_iter()
            .map(|plate| {
                light[plate as usize]
                    && !recurring[plate as usize]
                    && table.plate_rows(plate).len() >= reads_min
                    && own_trips(table, plate, config) >= config.convoy_occasions_min
            })
            .collect();
        DiscoveryPlates { recurring, once }
    }

    /// How discovery takes `plate`: paired with the plates read on enough days, with those
    /// only, or not at all.
    #[cfg(feature = "eval")]
    pub(crate) fn describe(&self, plate: u32) -> &'static str {
        match (self.recurring[plate as usize], self.once[plate as usize]) {
            (true, _) => "recurring",
            (false, true) => "one day, two trips",
            (false, false) => "not paired",
        }
    }

    /// The plates of `recurring` paired with each other, and no other.
    #[cfg(test)]
    pub(crate) fn recurring(recurring: Vec<bool>) -> DiscoveryPlates {
        let once = vec![false; recurring.len()];
        DiscoveryPlates { recurring, once }
    }
}

/// Plates per unit of work shared among the threads of [`discovery`].
const PLATES_PER_CHUNK: u32 = 1024;

/// Every convoy among the `eligible` plates (discovery); `eligible[plate]` says whether a
/// plate was read on enough days to recur.
///
/// Each plate is paired with the eligible plates above it read by the same cameras within
/// the window, its own co-occurrences sorted by partner, and a pair becomes a candidate
/// when its co-occurrences make `convoy_occasions_min` trips together: no list of every
/// co-occurrence in the data is ever held or sorted, and plates are shared among the
/// cores in chunks.
pub(crate) fn discovery(
    table: &ReadTable,
    index: &CameraIndex,
    traffic: &Traffic,
    plates: &DiscoveryPlates,
    config: &AnalysisConfig,
) -> Vec<ConvoyFinding> {
    let (eligible, once) = (&plates.recurring, &plates.once);
    let wanted = Wanted::in_discovery(config);
    let n_plates = table.n_plates() as u32;
    let days = DayCounts::new(table, traffic).with_every_plate(table);
    // The windows walked hold only eligible plates' reads (about half of them).
    let eligible_index = index.retain_plates(eligible);
    // Each pair is scored as soon as its trips together are known, against the Bonferroni
    // bound over the pairs counted so far (by every thread, at the end of their chunks),
    // and once more against the bound over all of them at the end. The count only grows,
    // so a pair dropped early would have been dropped at the end: the findings are the
    // same as scoring every pair after counting them all, without holding them.
    let tested_so_far = std::sync::atomic::AtomicUsize::new(0);
    // Each chunk takes every `n_chunks`-th plate, so that the pairs counted so far grow at
    // the same pace whatever order the plates were numbered in (by first read, busy
    // commuters come first in some inputs, and would be scored against a bound still low).
    let n_chunks = n_plates.div_ceil(PLATES_PER_CHUNK);
    let (n_tested, mut findings) = (0..n_chunks)
        .into_par_iter()
        .map(|chunk| {
            let plates = (chunk..n_plates).step_by(n_chunks as usize);
            let (mut n_tested, mut found) = (0usize, Vec::new());
            let mut partners: Vec<(u32, u32, CoOccurrence)> = Vec::new();
            let mut scratch = PartnerScratch::default();
            let (mut pair, mut rows, mut trips) = (Vec::new(), Vec::new(), Vec::new());
            let mut floors = Vec::new();
            let heads = plates.filter(|&plate| eligible[plate as usize] || once[plate as usize]);
            for plate in heads {
                // A plate read on one day only is paired with every plate read on more (the
                // index holds only those), in either numbering.
                let above_only = eligible[plate as usize];
                let buffers = (&mut scratch, &mut partners);
                partners_above(table, &eligible_index, (plate, above_only), config, buffers);
                for group in partners.chunk_by(|a, b| a.0 == b.0) {
                    if group.len() < wanted.occasions_min * config.occasion_cameras_min {
                        continue;
                    }
                    // Plate a is the lower-numbered plate, as in every other search.
                    let partner = group[0].0;
                    pair.clear();
                    pair.extend(
                        group
                            .iter()
                            .map(|&(_, _, co)| if partner > plate { co } else { co.swapped() }),
                    );
                    trips_in(table, (&mut pair, &mut rows), config, &mut trips);
                    if trips.len() < wanted.occasions_min {
                        continue;
                    }
                    n_tested += 1;
                    let counted = tested_so_far.load(Ordering::Relaxed) + n_tested;
                    let threshold = bonferroni_threshold(wanted.score_min, counted);
                    let wanted = (wanted, config);
                    // Most pairs (commuters, neighbours) cannot reach the threshold on the
                    // traffic's chance alone: their occasions are never made.
                    let trips = (&pair[..], &rows[..], &trips[..]);
                    if !could_reach(table, traffic, trips, wanted, threshold, &mut floors) {
                        continue;
                    }
                    let candidate = Candidate {
                        plates: (plate.min(partner), plate.max(partner)),
                        occasions: occasions_from(table, trips.0, trips.2),
                    };
                    found.extend(score_candidate(
                        table, traffic, &days, candidate, wanted, threshold,
                    ));
                }
            }
            tested_so_far.fetch_add(n_tested, Ordering::Relaxed);
            (n_tested, found)
        })
        .reduce(
            || (0, Vec::new()),
            |(n_a, mut found_a), (n_b, found_b)| {
                found_a.extend(found_b);
                (n_a + n_b, found_a)
            },
        );
    let threshold = bonferroni_threshold(wanted.score_min, n_tested);
    findings.retain(|finding| finding.score >= threshold);
    findings.sort_by(|a, b| b.score.total_cmp(&a.score));
    findings
}

/// Many pairs tested make some high scores by chance: a pair must also beat the number of
/// pairs tested (Bonferroni), so discovery over busy data asks more of each pair.
fn bonferroni_threshold(score_min: f64, n_tested: usize) -> f64 {
    score_min.max((n_tested.max(1) as f64).log10())
}

/// Buffers of [`partners_above`] kept from one plate to the next: the co-occurrences in the
/// order found, their sort keys, and room to sort them.
type PartnerScratch = (Vec<CoOccurrence>, Vec<u64>, Vec<u64>);

/// Keys fewer than this are sorted by comparison; more, a byte at a time.
const RADIX_SORTED_MIN: usize = 256;

/// Sorts `keys` (a partner's number in the high 32 bits, below `partner_bits`, and the
/// order found in the low 32, pushed in that order) by partner, keeping the order found
/// within each: one stable pass a byte of the partner's number, from the lowest, through
/// `spare`. The keys of one plate number thousands, and a plate's are sorted for each of
/// the million plates paired.
pub(crate) fn sort_by_partner(keys: &mut Vec<u64>, spare: &mut Vec<u64>, partner_bits: u32) {
    if keys.len() < RADIX_SORTED_MIN {
        keys.sort_unstable();
        return;
    }
    spare.clear();
    spare.resize(keys.len(), 0);
    for shift in (32..32 + partner_bits).step_by(8) {
        let mut starts = [0u32; 256];
        for &key in keys.iter() {
            starts[((key >> shift) & 0xff) as usize] += 1;
        }
        if starts.iter().any(|&count| count as usize == keys.len()) {
            continue;
        }
        let mut at = 0;
        for start in starts.iter_mut() {
            (*start, at) = (at, at + *start);
        }
        for &key in keys.iter() {
            let slot = &mut starts[((key >> shift) & 0xff) as usize];
            spare[*slot as usize] = key;
            *slot += 1;
        }
        std::mem::swap(keys, spare);
    }
}

/// Fills `out` with the co-occurrences of `plate` with the plates of `index` numbered above
/// it (with every other plate of `index` unless `above_only`), sorted by partner, then by
/// time: `(partner, order found, co-occurrence)`.
fn partners_above(
    table: &ReadTable,
    index: &CameraIndex,
    (plate, above_only): (u32, bool),
    config: &AnalysisConfig,
    (scratch, out): (&mut PartnerScratch, &mut Vec<(u32, u32, CoOccurrence)>),
) {
    let window = config.convoy_window_secs * MICROS;
    let (found, keys, spare) = scratch;
    found.clear();
    keys.clear();
    let (times, cameras) = table.plate_track(plate);
    for ((&row, &ts), &camera) in table.plate_rows(plate).iter().zip(times).zip(cameras) {
        for (other, other_plate) in index.window(camera, ts - window, ts + window + 1) {
            if other_plate > plate || (!above_only && other_plate != plate) {
                keys.push((u64::from(other_plate) << 32) | found.len() as u64);
                found.push(CoOccurrence {
                    row_a: row,
                    row_b: other,
                });
            }
        }
    }
    // The plate's rows come in time order, so the order of finding keeps it; the keys
    // (partner, then order found) sort as plain integers.
    let partner_bits = u32::BITS - (table.n_plates() as u32).leading_zeros();
    sort_by_partner(keys, spare, partner_bits);
    out.clear();
    out.extend(keys.iter().map(|&key| {
        let order = key as u32;
        ((key >> 32) as u32, order, found[order as usize])
    }));
}

fn pair_entry(table: &ReadTable, row: u32, other: u32) -> (u64, CoOccurrence) {
    let (plate, other_plate) = (table.plate[row as usize], table.plate[other as usize]);
    if plate < other_plate {
        (
            (u64::from(plate) << 32) | u64::from(other_plate),
            CoOccurrence {
                row_a: row,
                row_b: other,
            },
        )
    } else {
        (
            (u64::from(other_plate) << 32) | u64::from(plate),
            CoOccurrence {
                row_a: other,
                row_b: row,
            },
        )
    }
}

pub(crate) fn day_span(table: &ReadTable) -> Option<(i64, i64)> {
    let first = table.ts.iter().min()?;
    let last = table.ts.iter().max()?;
    Some((day_of(*first), day_of(*last)))
}

/// A pair's trips together, before they are scored.
struct Candidate {
    plates: (u32, u32),
    occasions: Vec<Occasion>,
}

/// Groups co-occurrences sorted by pair into trips together, scores each pair on every
/// core, keeps those `wanted` (at least `wanted.score_min` and the Bonferroni bound), best
/// first (ties in pair order).
fn score_pairs(
    table: &ReadTable,
    traffic: &Traffic,
    sorted: &[(u64, CoOccurrence)],
    config: &AnalysisConfig,
    wanted: Wanted,
) -> Vec<ConvoyFinding> {
    let candidates = sorted
        .chunk_by(|a, b| a.0 == b.0)
        .filter_map(|group| {
            let co_occurrences = group.iter().map(|(_, co)| *co).collect();
            let occasions = occasions_of(table, co_occurrences, config);
            let key = group[0].0;
            (occasions.len() >= wanted.occasions_min).then_some(Candidate {
                plates: ((key >> 32) as u32, key as u32),
                occasions,
            })
        })
        .collect::<Vec<Candidate>>();
    // On a single trip, every partner read near a focus vehicle was a hypothesis, whether
    // or not it made a trip together: the family of the Bonferroni bound is every pair
    // that co-occurred.
    let family = if wanted.occasions_min <= 1 {
        sorted.chunk_by(|a, b| a.0 == b.0).count()
    } else {
        candidates.len()
    };
    let threshold = bonferroni_threshold(wanted.score_min, family);
    let days = DayCounts::new(table, traffic);
    let mut findings: Vec<ConvoyFinding> = candidates
        .into_par_iter()
        .filter_map(|candidate| {
            score_candidate(
                table,
                traffic,
                &days,
                candidate,
                (wanted, config),
                threshold,
            )
        })
        .collect();
    findings.sort_by(|a, b| b.score.total_cmp(&a.score));
    findings
}

/// Scores a pair with more occasions than `wanted` twice, on all of them and on its most
/// striking ones alone (see [`most_striking`]): the second test pays for itself
/// (Bonferroni over the two, `log10 2`). Keeps the better score that reaches `threshold`.
fn score_candidate(
    table: &ReadTable,
    traffic: &Traffic,
    days: &DayCounts,
    candidate: Candidate,
    (wanted, config): (Wanted, &AnalysisConfig),
    threshold: f64,
) -> Option<ConvoyFinding> {
    let second_test = std::f64::consts::LOG10_2;
    let scored = (wanted.chance, config);
    let whole = Prepared::new(table, traffic, candidate, scored);
    // The striking occasions are worked out only for pairs they could make reach the
    // threshold: most pairs tested (commuters, neighbours) cannot.
    let striking_threshold = threshold + second_test;
    let striking = (whole.striking_score_at_most((wanted, config), striking_threshold)
        >= striking_threshold)
        .then(|| most_striking(table, traffic, &whole.candidate, (wanted, config)))
        .flatten()
        .map(|striking| Prepared::new(table, traffic, striking, scored));
    let prior = (wanted.habits_prior, config);
    let whole = score_pair(table, traffic, days, whole, prior, threshold);
    let alone = striking
        .and_then(|striking| score_pair(table, traffic, days, striking, prior, striking_threshold))
        .map(|finding| ConvoyFinding {
            score: finding.score - second_test,
            ..finding
        });
    let found = match (whole, alone) {
        (Some(whole), Some(alone)) if alone.score > whole.score => Some(alone),
        (whole, alone) => whole.or(alone),
    };
    found.filter(|found| unlikely_for_any_vehicle(table, traffic, days, found, (wanted, config)))
}

/// Whether a pair with these trips together could reach `threshold` in
/// [`score_candidate`], on all of them or on its most striking ones: the same bounds as
/// [`score_pair`]'s and [`Prepared::striking_score_at_most`]'s (each trip's chance from
/// the traffic, discounted as if it passed all its distinct cameras at a steady lead),
/// worked out before the trips are copied into occasions.
fn could_reach(
    table: &ReadTable,
    traffic: &Traffic,
    (co_occurrences, rows, trips): (&[CoOccurrence], &[u32], &[std::ops::Range<usize>]),
    (wanted, config): (Wanted, &AnalysisConfig),
    threshold: f64,
    floors: &mut Vec<f64>,
) -> bool {
    let scored = (wanted.chance, config);
    floors.clear();
    floors.extend(trips.iter().map(|trip| {
        let chance = chance_along(table, traffic, &co_occurrences[trip.clone()], scored);
        chance * stay_together(distinct_cameras(table, &rows[trip.clone()]), config)
    }));
    let k = floors.len();
    if -poisson_tail_log10(k, floors.iter().sum()) >= threshold {
        return true;
    }
    let striking = wanted.occasions_min;
    if k <= striking {
        return false;
    }
    floors.sort_by(f64::total_cmp);
    let at_most = -poisson_tail_log10(striking, floors[..striking].iter().sum());
    at_most >= threshold + std::f64::consts::LOG10_2
}

/// Whether a pair found on few occasions, measured as [`Chance::OfThePartner`], was also
/// unlikely to have had *any* vehicle alongside on them (`ANY_VEHICLE_SCORE_MIN`).
///
/// On a busy road by day every vehicle has fellow travellers on every trip, and a vehicle
/// near thousands of others (a hire van on its customers' days, a delivery van on its
/// rounds) shares two trips with some of them: the chance that one given partner does is
/// small, but the vehicles that could have been that partner are many more than the pairs
/// counted as tested (those with two trips together). Over the 20 scenarios of 1M reads
/// this dropped 15 of discovery's 29 false pairs and 11 of the 16 found with seeds, and no
/// true pair. Pairs seen together more often stand on their recurrence, so a convoy that
/// keeps to busy roads by day is found only from its fourth trip together.
fn unlikely_for_any_vehicle(
    table: &ReadTable,
    traffic: &Traffic,
    days: &DayCounts,
    found: &ConvoyFinding,
    (wanted, config): (Wanted, &AnalysisConfig),
) -> bool {
    if wanted.chance != Chance::OfThePartner || found.occasions.len() > FEW_OCCASIONS_MAX {
        return true;
    }
    let candidate = Candidate {
        plates: (found.plate_a, found.plate_b),
        occasions: found.occasions.clone(),
    };
    let any_vehicle = Wanted {
        habits_prior: wanted.habits_prior,
        ..Wanted::on_one_trip(config)
    };
    let any_vehicle = (any_vehicle, config);
    score_candidate(
        table,
        traffic,
        days,
        candidate,
        any_vehicle,
        ANY_VEHICLE_SCORE_MIN,
    )
    .is_some()
}

/// A candidate with the traffic's chance of each occasion (before the discount for the
/// cameras passed together at a steady lead) and the distinct cameras of each, all of them
/// and those that stand in one place.
struct Prepared {
    candidate: Candidate,
    distinct: Vec<usize>,
    fixed: Vec<usize>,
}

impl Prepared {
    fn new(
        table: &ReadTable,
        traffic: &Traffic,
        mut candidate: Candidate,
        scored: (Chance, &AnalysisConfig),
    ) -> Prepared {
        for occasion in &mut candidate.occasions {
            occasion.chance = traffic_chance(table, traffic, occasion, scored);
        }
        let (distinct, fixed) = candidate
            .occasions
            .iter()
            .map(|occasion| occasion_cameras(table, occasion))
            .unzip();
        Prepared {
            candidate,
            distinct,
            fixed,
        }
    }

    /// The most that [`most_striking`]'s occasions can score: each occasion's chance is at
    /// least the traffic's discounted as if it passed all its distinct cameras at a steady
    /// lead, so the `wanted.occasions_min` smallest such chances bound the striking ones'
    /// from below (and habits only add to them). `-inf` when the pair has no more
    /// occasions than wanted; a looser bound when that is below `threshold` already.
    fn striking_score_at_most(
        &self,
        (wanted, config): (Wanted, &AnalysisConfig),
        threshold: f64,
    ) -> f64 {
        let occasions = &self.candidate.occasions;
        let k = wanted.occasions_min;
        if occasions.len() <= k {
            return f64::NEG_INFINITY;
        }
        let chances = occasions
            .iter()
            .zip(&self.distinct)
            .map(|(occasion, &cameras)| occasion.chance * stay_together(cameras, config));
        // The smallest chance times `k` bounds the sum of the `k` smallest from below: the
        // pairs it rules out (most of them) are not sorted.
        let least = chances.clone().fold(f64::INFINITY, f64::min);
        let at_most = -poisson_tail_log10(k, least * k as f64);
        if at_most < threshold {
            return at_most;
        }
        let mut chances: Vec<f64> = chances.collect();
        chances.sort_by(f64::total_cmp);
        -poisson_tail_log10(k, chances[..k].iter().sum())
    }
}

/// A pair's trips together (see [`trips_together`]) from its co-occurrences.
fn occasions_of(
    table: &ReadTable,
    mut co_occurrences: Vec<CoOccurrence>,
    config: &AnalysisConfig,
) -> Vec<Occasion> {
    occasions_in(table, (&mut co_occurrences, &mut Vec::new()), config)
}

/// [`occasions_of`] with its buffers lent: `co_occurrences` (sorted and deduplicated in
/// place) and `rows`, kept from one pair to the next where millions are tested.
fn occasions_in(
    table: &ReadTable,
    (co_occurrences, rows): (&mut Vec<CoOccurrence>, &mut Vec<u32>),
    config: &AnalysisConfig,
) -> Vec<Occasion> {
    let mut trips = Vec::new();
    trips_in(table, (co_occurrences, rows), config, &mut trips);
    occasions_from(table, co_occurrences, &trips)
}

/// The trips together of a pair's co-occurrences, as ranges of them (sorted and
/// deduplicated in place), into `trips`; `rows` gets plate a's row of each.
fn trips_in(
    table: &ReadTable,
    (co_occurrences, rows): (&mut Vec<CoOccurrence>, &mut Vec<u32>),
    config: &AnalysisConfig,
    trips: &mut Vec<std::ops::Range<usize>>,
) {
    // By time, then by rows, so that the same co-occurrence found twice lies side by side.
    co_occurrences.sort_unstable_by_key(|co| (table.ts[co.row_a as usize], co.row_a, co.row_b));
    co_occurrences.dedup();
    rows.clear();
    rows.extend(co_occurrences.iter().map(|co| co.row_a));
    let gap = config.occasion_gap_secs * MICROS;
    let cameras_min = config.occasion_cameras_min;
    trips_together_in(table, (rows, gap, cameras_min), config, trips);
}

/// The occasions of `trips`, ranges of the time-ordered `co_occurrences`.
fn occasions_from(
    table: &ReadTable,
    co_occurrences: &[CoOccurrence],
    trips: &[std::ops::Range<usize>],
) -> Vec<Occasion> {
    trips
        .iter()
        .map(|range| Occasion {
            day: day_of(table.ts[co_occurrences[range.start].row_a as usize]),
            co_occurrences: co_occurrences[range.clone()].to_vec(),
            chance: 0.0,
        })
        .collect()
}

/// The trips together among a pair's time-ordered co-occurrences (plate a's rows), as
/// ranges of `rows`: runs without a stop between them, with `cameras_min` distinct
/// cameras or more. A run that carries on from where the previous one ended
/// (a ferry crossing, a break on a long drive) is one journey with it, not a second
/// occasion; a run that heads back towards where the previous one started (out to a
/// beach and back) is a second trip together.
fn trips_together(
    table: &ReadTable,
    rows: &[u32],
    gap: i64,
    cameras_min: usize,
    config: &AnalysisConfig,
) -> Vec<std::ops::Range<usize>> {
    let mut merged = Vec::new();
    trips_together_in(table, (rows, gap, cameras_min), config, &mut merged);
    merged
}

/// [`trips_together`] into `merged`, a buffer kept from one call to the next where
/// millions are made.
fn trips_together_in(
    table: &ReadTable,
    (rows, gap, cameras_min): (&[u32], i64, usize),
    config: &AnalysisConfig,
    merged: &mut Vec<std::ops::Range<usize>>,
) {
    let read = |idx: usize| {
        let row = rows[idx];
        (row, table.ts[row as usize], table.camera[row as usize])
    };
    trips_together_of(
        table,
        (rows.len(), read),
        (gap, cameras_min),
        config,
        merged,
    );
}

/// [`trips_together`] of `n` time-ordered reads of plate a, `read(i)` giving the `i`-th's
/// `(row, time, camera)`: where the caller has its times and cameras at hand, the table's
/// columns are not reached into.
fn trips_together_of(
    table: &ReadTable,
    (n, read): (usize, impl Fn(usize) -> (u32, i64, u32)),
    (gap, cameras_min): (i64, usize),
    config: &AnalysisConfig,
    merged: &mut Vec<std::ops::Range<usize>>,
) {
    let at = |idx: usize| {
        let (row, _, camera) = read(idx);
        (row, camera)
    };
    merged.clear();
    let mut start = 0;
    for idx in 1..=n {
        if idx < n {
            let ((row, ts, camera), (next, next_ts, next_camera)) = (read(idx - 1), read(idx));
            let road_m = config.road_m(table.distance_between((row, camera), (next, next_camera)));
            if together_after(next_ts - ts, road_m, gap, config) {
                continue;
            }
        }
        let run = start..idx;
        start = idx;
        if let Some(last) = merged.last_mut() {
            let (first, last_end) = (at(last.start), at(last.end - 1));
            let pause = read(run.start).1 - read(last.end - 1).1;
            let heads_back = table.distance_between(at(run.end - 1), first)
                < table.distance_between(last_end, first);
            if pause <= JOURNEY_PAUSE_SECS_MAX * MICROS && !heads_back {
                last.end = run.end;
                continue;
            }
        }
        merged.push(run);
    }
    merged.retain(|range| distinct_of(range.len(), |idx| read(range.start + idx).2) >= cameras_min);
}

/// The trips a plate's own reads make, counted as a pair's trips together are: a partner
/// shares some of its reads, so the plate makes as many trips together with it at most
/// (unless it drove a loop without stopping, and met its partner at both ends).
fn own_trips(table: &ReadTable, plate: u32, config: &AnalysisConfig) -> usize {
    let gap = config.occasion_gap_secs * MICROS;
    let rows = table.plate_rows(plate);
    trips_together(table, rows, gap, config.occasion_cameras_min, config).len()
}

/// The number of distinct cameras that read `rows`.
fn distinct_cameras(table: &ReadTable, rows: &[u32]) -> usize {
    distinct_of(rows.len(), |idx| table.camera[rows[idx] as usize])
}

/// The number of distinct values among `value(0..n)`.
fn distinct_of(n: usize, value: impl Fn(usize) -> u32) -> usize {
    // Most trips together are short: their cameras are counted without an allocation.
    const FEW: usize = 32;
    if n <= FEW {
        let mut seen = [0u32; FEW];
        let mut distinct = 0;
        for value in (0..n).map(value) {
            if !seen[..distinct].contains(&value) {
                seen[distinct] = value;
                distinct += 1;
            }
        }
        return distinct;
    }
    let mut values: Vec<u32> = (0..n).map(value).collect();
    values.sort_unstable();
    values.dedup();
    values.len()
}

/// The longest stretch of an occasion passed at a steady lead.
#[derive(Clone, Copy, Debug)]
struct Stretch {
    /// Distinct cameras whose leads (plate b's time less plate a's) lie within
    /// `LEAD_SPREAD_SECS_MAX` of each other: the most of any such band.
    cameras: usize,
    /// Those of them that stand in one place (not vehicle-mounted): the ones the pair can
    /// pass on any other day.
    fixed: usize,
    /// Plate a's first and last rows in that band, by time.
    first: u32,
    last: u32,
}

/// The stretch of an occasion passed at a steady lead (see [`Stretch`]), on one side of the
/// sea: a ferry or the tunnel's shuttle sets off everyone aboard together again, so a lead
/// kept across the crossing says nothing of travelling together.
fn steady_stretch(table: &ReadTable, co: &[CoOccurrence]) -> Stretch {
    let mut best: Option<Stretch> = None;
    let mut start = 0;
    for idx in 1..=co.len() {
        if idx < co.len() && !table.crosses_sea(co[idx - 1].row_a, co[idx].row_a) {
            continue;
        }
        let stretch = steady_band(table, &co[start..idx]);
        start = idx;
        if best.is_none_or(|best| stretch.cameras > best.cameras) {
            best = Some(stretch);
        }
    }
    best.unwrap_or(Stretch {
        cameras: 0,
        fixed: 0,
        first: 0,
        last: 0,
    })
}

/// Whether a trip together keeps one lead throughout (neighbours on one shift, as most
/// do: its leads within `LEAD_SPREAD_SECS_MAX` of each other) and never crosses the sea
/// between two of its cameras, taken in order: then its distinct cameras, at least
/// `cameras_min`, are all steady, and no steady stretch needs working out.
fn plainly_steady(
    table: &ReadTable,
    leads: impl Iterator<Item = i64>,
    mut cameras: impl Iterator<Item = u32>,
) -> bool {
    let (lo, hi) = leads.fold((i64::MAX, i64::MIN), |(lo, hi), lead| {
        (lo.min(lead), hi.max(lead))
    });
    if hi - lo > LEAD_SPREAD_SECS_MAX * MICROS {
        return false;
    }
    let Some(mut previous) = cameras.next() else {
        return true;
    };
    cameras.all(|camera| !table.cameras_cross_sea(std::mem::replace(&mut previous, camera), camera))
}

/// A read of plate a that met one of plate b's, in [`habitual_occasions`]: its row, time
/// and camera, and where plate b's read lies in plate b's track.
#[derive(Clone, Copy, Debug)]
struct Met {
    row: u32,
    ts: i64,
    camera: u32,
    b: u32,
}

/// Whether a trip together on a mismatched day (see [`habitual_occasions`]) is as steady as
/// a pair's occasions, `cameras_min` cameras at a steady lead, one camera's read out of
/// step forgiven (a stray read, a hold-up at one camera that day). Plate b's track (times
/// and rows) at hand, the leads and cameras are read from the [`Met`] reads, not from the
/// table's columns.
fn as_steady(
    table: &ReadTable,
    (trip, b_ts, rows_b): (&[Met], &[i64], &[u32]),
    cameras_min: usize,
) -> bool {
    if cameras_min <= 2 {
        return true;
    }
    let leads = trip.iter().map(|met| b_ts[met.b as usize] - met.ts);
    if plainly_steady(table, leads, trip.iter().map(|met| met.camera)) {
        return true;
    }
    let trip: Vec<CoOccurrence> = trip
        .iter()
        .map(|met| CoOccurrence {
            row_a: met.row,
            row_b: rows_b[met.b as usize],
        })
        .collect();
    steady_stretch(table, &trip).cameras + 1 >= cameras_min
}

/// The most distinct cameras of `co_occurrences` whose leads lie within
/// `LEAD_SPREAD_SECS_MAX` of each other.
fn steady_band(table: &ReadTable, co_occurrences: &[CoOccurrence]) -> Stretch {
    let mut by_lead: Vec<(i64, u32, u32)> = co_occurrences
        .iter()
        .map(|co| {
            let lead = table.ts[co.row_b as usize] - table.ts[co.row_a as usize];
            (lead, table.camera[co.row_a as usize], co.row_a)
        })
        .collect();
    by_lead.sort_unstable();
    // A sliding window over the leads, with the reads it holds per camera (an occasion
    // passes a few dozen cameras at most).
    let mut in_window: Vec<(u32, usize)> = Vec::new();
    let (mut best, mut best_fixed, mut best_band, mut start) = (0, 0, (0, 0), 0);
    for end in 0..by_lead.len() {
        let camera = by_lead[end].1;
        match in_window.iter_mut().find(|(c, _)| *c == camera) {
            Some((_, count)) => *count += 1,
            None => in_window.push((camera, 1)),
        }
        while by_lead[end].0 - by_lead[start].0 > LEAD_SPREAD_SECS_MAX * MICROS {
            let leaving = by_lead[start].1;
            let slot = in_window
                .iter()
                .position(|(c, _)| *c == leaving)
                .expect("a camera in the window is counted");
            in_window[slot].1 -= 1;
            if in_window[slot].1 == 0 {
                in_window.swap_remove(slot);
            }
            start += 1;
        }
        if in_window.len() > best {
            best = in_window.len();
            best_fixed = in_window
                .iter()
                .filter(|(camera, _)| !table.cameras[*camera as usize].mobile)
                .count();
            best_band = (start, end);
        }
    }
    let band = by_lead.get(best_band.0..=best_band.1).unwrap_or(&[]);
    let by_time = |entry: &&(i64, u32, u32)| table.ts[entry.2 as usize];
    let first = band.iter().min_by_key(by_time).map_or(0, |entry| entry.2);
    let last = band.iter().max_by_key(by_time).map_or(0, |entry| entry.2);
    Stretch {
        cameras: best,
        fixed: best_fixed,
        first,
        last,
    }
}

/// The chance that vehicles met by coincidence are still together along `stretch`: a
/// fixed chance of parting at each camera after the first `occasion_cameras_min`, or,
/// where that is higher, the share of the traffic that carries on from the stretch's first
/// camera to its last times the chance that strangers keep a steady lead for that long
/// (see [`crate::reach`]): along a motorway without exits strangers part far less than
/// at a junction per camera, and the measured reach then says so.
fn stay_together_along(
    table: &ReadTable,
    traffic: &Traffic,
    stretch: Stretch,
    config: &AnalysisConfig,
) -> f64 {
    let fixed = stay_together(stretch.cameras, config);
    let Some(reach) = traffic.reach().filter(|_| stretch.cameras > 0) else {
        return fixed;
    };
    let (first, last) = (stretch.first as usize, stretch.last as usize);
    let share = reach.share(table.camera[first], table.camera[last], fixed);
    let secs = (table.ts[last] - table.ts[first]) as f64 / MICROS as f64;
    fixed.max(share * reach.steady_chance(secs, LEAD_SPREAD_SECS_MAX as f64))
}

/// Whether two time-ordered reads of one plate belong to one trip: the time between them,
/// less the time to drive from one camera to the other, is at most `gap` (a long stretch
/// of motorway without cameras is not a stop; a beach or a hub is).
pub(crate) fn together(
    table: &ReadTable,
    row: u32,
    next: u32,
    gap: i64,
    config: &AnalysisConfig,
) -> bool {
    let elapsed = table.ts[next as usize] - table.ts[row as usize];
    let road_m = config.road_m(table.distance_m(row, next));
    together_after(elapsed, road_m, gap, config)
}

/// [`together`] of two reads `elapsed` µs and `road_m` metres of road apart.
fn together_after(elapsed: i64, road_m: f64, gap: i64, config: &AnalysisConfig) -> bool {
    let driving = (road_m / (config.speed_kmh_travel / 3.6) * MICROS as f64) as i64;
    elapsed - driving <= gap
}

/// The days the data spans, by kind (weekday, weekend).
struct DayCounts {
    first: i64,
    last: i64,
    weekdays: usize,
    weekends: usize,
    /// Per plate, whether it was read on one day only, where worked out for every plate
    /// at once (discovery asks it of millions of pairs).
    one_day: Option<Vec<bool>>,
}

impl DayCounts {
    fn new(table: &ReadTable, traffic: &Traffic) -> DayCounts {
        let (first, last) = traffic
            .days()
            .or_else(|| day_span(table))
            .unwrap_or((0, -1));
        let weekends = (first..=last).filter(|&day| weekend(day)).count();
        DayCounts {
            first,
            last,
            weekdays: (first..=last).count() - weekends,
            weekends,
            one_day: None,
        }
    }

    /// With every plate's [`read_on_one_day`] worked out.
    fn with_every_plate(self, table: &ReadTable) -> DayCounts {
        let one_day = (0..table.n_plates() as u32)
            .into_par_iter()
            .map(|plate| read_on_one_day(table, plate))
            .collect();
        DayCounts {
            one_day: Some(one_day),
            ..self
        }
    }

    /// Whether either plate of the pair was read on one day only.
    fn either_on_one_day(&self, table: &ReadTable, (a, b): (u32, u32)) -> bool {
        [a, b].into_iter().any(|plate| match &self.one_day {
            Some(one_day) => one_day[plate as usize],
            None => read_on_one_day(table, plate),
        })
    }

    /// Other days of the same kind as `day`.
    fn same_kind_others(&self, day: i64) -> usize {
        if weekend(day) {
            self.weekends
        } else {
            self.weekdays
        }
        .saturating_sub(1)
    }
}

/// Scores one pair, or `None` when it cannot reach `threshold`: the traffic's chance alone
/// is a floor under the chance expected, so a pair that does not reach the threshold on it
/// never will, and its habits (the costly part) are not looked at.
fn score_pair(
    table: &ReadTable,
    traffic: &Traffic,
    days: &DayCounts,
    Prepared {
        candidate:
            Candidate {
                plates: (plate_a, plate_b),
                mut occasions,
            },
        distinct,
        fixed,
    }: Prepared,
    (prior, config): (HabitsPrior, &AnalysisConfig),
    threshold: f64,
) -> Option<ConvoyFinding> {
    // A quick bound first: an occasion passes at most all its distinct cameras at a steady
    // lead, so the chance discounted for all of them, and habits counted only along trips
    // as long as the shortest occasion's distinct fixed cameras, can only make the pair
    // look less explained than it is. Most pairs tested in discovery (commuters, neighbours) are
    // explained even so, and the steady leads are never worked out for them.
    let k = occasions.len();
    let floor_at_most_steady: f64 = occasions
        .iter()
        .zip(&distinct)
        .map(|(occasion, &cameras)| occasion.chance * stay_together(cameras, config))
        .sum();
    let cameras_at_least = habit_cameras(&fixed, config);
    let plates = (plate_a, plate_b);
    let bound = (k, floor_at_most_steady, cameras_at_least);
    let habits_at_least = habits_within(table, days, plates, bound, (prior, config, threshold))?;
    // Vehicles that meet by chance part at the next junction, or drift apart: every further
    // camera passed together at a steady lead makes the coincidence less likely.
    let stretches: Vec<Stretch> = occasions
        .iter()
        .map(|occasion| steady_stretch(table, &occasion.co_occurrences))
        .collect();
    for (occasion, &stretch) in occasions.iter_mut().zip(&stretches) {
        occasion.chance *= stay_together_along(table, traffic, stretch, config);
    }
    let steady: Vec<usize> = stretches.iter().map(|stretch| stretch.fixed).collect();
    let floor: f64 = occasions.iter().map(|occasion| occasion.chance).sum();
    // Habits explain an occasion only with trips together at least as long: two vans that
    // both drive from one lock-up to the coast most nights meet on mismatched nights at a
    // few cameras, not along the whole way.
    let cameras_min = habit_cameras(&steady, config);
    let habits = if cameras_min == cameras_at_least {
        // Counted along trips as long as before, so the same habits: the bound's walk ran
        // to the end (it did not explain the pair) and is not walked again.
        (-poisson_tail_log10(k, floor + habits_at_least) >= threshold).then_some(habits_at_least)?
    } else {
        let exact = (k, floor, cameras_min);
        habits_within(table, days, plates, exact, (prior, config, threshold))?
    };
    let expected = floor + habits;
    Some(ConvoyFinding {
        plate_a,
        plate_b,
        occasions,
        expected,
        score: -poisson_tail_log10(k, expected),
    })
}

/// The traffic's chance of an occasion, before the discount for the cameras passed together
/// at a steady lead: however regular the pair, a trip together can always happen by
/// coincidence in the traffic at those cameras.
fn traffic_chance(
    table: &ReadTable,
    traffic: &Traffic,
    occasion: &Occasion,
    scored: (Chance, &AnalysisConfig),
) -> f64 {
    chance_along(table, traffic, &occasion.co_occurrences, scored)
}

/// [`traffic_chance`] of a trip together's co-occurrences.
fn chance_along(
    table: &ReadTable,
    traffic: &Traffic,
    co_occurrences: &[CoOccurrence],
    (chance, config): (Chance, &AnalysisConfig),
) -> f64 {
    let at_cameras = co_occurrences.iter().map(|co| {
        let (camera, ts) = (table.camera[co.row_a as usize], table.ts[co.row_a as usize]);
        match chance {
            Chance::OfThePartner => traffic.chance(camera, ts, config.convoy_window_secs),
            Chance::OfAnyVehicle => {
                traffic.vehicles_in_window(camera, ts, config.convoy_window_secs)
            }
        }
    });
    match chance {
        Chance::OfThePartner => at_cameras.fold(0.0, f64::max).min(1.0),
        Chance::OfAnyVehicle => at_cameras.fold(f64::INFINITY, f64::min),
    }
}

/// The candidate's `wanted.occasions_min` least likely occasions alone, when it has more:
/// the occasions that make the pair stand out, without the ordinary ones (a daytime
/// meeting) that dilute them in the Poisson tail of every occasion together.
fn most_striking(
    table: &ReadTable,
    traffic: &Traffic,
    candidate: &Candidate,
    (wanted, config): (Wanted, &AnalysisConfig),
) -> Option<Candidate> {
    if candidate.occasions.len() <= wanted.occasions_min {
        return None;
    }
    let mut by_chance: Vec<(f64, &Occasion)> = candidate
        .occasions
        .iter()
        .map(|occasion| {
            let stretch = steady_stretch(table, &occasion.co_occurrences);
            let chance = traffic_chance(table, traffic, occasion, (wanted.chance, config))
                * stay_together_along(table, traffic, stretch, config);
            (chance, occasion)
        })
        .collect();
    by_chance.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut occasions: Vec<Occasion> = by_chance
        .into_iter()
        .take(wanted.occasions_min)
        .map(|(_, occasion)| occasion.clone())
        .collect();
    occasions.sort_by_key(|occasion| table.ts[occasion.co_occurrences[0].row_a as usize]);
    Some(Candidate {
        plates: candidate.plates,
        occasions,
    })
}

/// How the pair of plates `a` and `b` scores in each search, occasion by occasion: for
/// reading why a planted pair was missed or a stranger reported (`analytics-eval
/// --explain`).
#[cfg(feature = "eval")]
pub(crate) fn explain_pair(
    table: &ReadTable,
    index: &CameraIndex,
    traffic: &Traffic,
    (a, b): (u32, u32),
    config: &AnalysisConfig,
) -> String {
    use std::fmt::Write;
    let mut eligible = vec![false; table.n_plates()];
    eligible[b as usize] = true;
    let co_occurrences = co_occurrences_with(table, index, (&[a], &eligible), config);
    let mut out = format!("{} co-occurrences", co_occurrences.len());
    let days = DayCounts::new(table, traffic);
    let co: Vec<CoOccurrence> = co_occurrences.iter().map(|(_, co)| *co).collect();
    let occasions = occasions_of(table, co, config);
    // As every search orders the pair: the lower-numbered plate first.
    let plates = (a.min(b), a.max(b));
    for (name, wanted) in [
        ("recurring", Wanted::in_discovery(config)),
        ("one trip", Wanted::on_one_trip(config)),
    ] {
        let occasions = occasions.clone();
        let candidate = Candidate { plates, occasions };
        let prepared = Prepared::new(table, traffic, candidate, (wanted.chance, config));
        let _ = write!(out, "\n    {name}: {} occasions", prepared.distinct.len());
        for (occasion, cameras) in prepared.candidate.occasions.iter().zip(&prepared.distinct) {
            let stretch = steady_stretch(table, &occasion.co_occurrences);
            let along = stay_together_along(table, traffic, stretch, config);
            let first = occasion.co_occurrences[0].row_a as usize;
            let _ = write!(
                out,
                "\n      day {} at {:02}:{:02} UTC: {} cameras, {} steady, chance {:.3e} x {:.3e}",
                occasion.day,
                table.ts[first].rem_euclid(DAY_MICROS) / 3_600_000_000,
                table.ts[first].rem_euclid(3_600_000_000) / 60_000_000,
                cameras,
                stretch.cameras,
                occasion.chance,
                along,
            );
        }
        let wanted = Wanted {
            score_min: f64::NEG_INFINITY,
            ..wanted
        };
        let scored = score_candidate(
            table,
            traffic,
            &days,
            prepared.candidate,
            (wanted, config),
            f64::NEG_INFINITY,
        );
        if let Some(found) = scored {
            let floor: f64 = found.occasions.iter().map(|o| o.chance).sum();
            let _ = write!(
                out,
                "\n      score {:.2} on {} occasions: expected {:.3e} (traffic {:.3e}, habits {:.3e})",
                found.score,
                found.occasions.len(),
                found.expected,
                floor,
                found.expected - floor,
            );
        }
    }
    out
}

/// The chance that vehicles met by coincidence are still together after passing `cameras`
/// together at a steady lead (the first `occasion_cameras_min` make the occasion).
fn stay_together(cameras: usize, config: &AnalysisConfig) -> f64 {
    let extra = cameras.saturating_sub(config.occasion_cameras_min);
    STAY_TOGETHER_CHANCE.powi(extra as i32)
}

/// The fewest cameras of an occasion.
fn fewest(cameras: &[usize], config: &AnalysisConfig) -> usize {
    cameras
        .iter()
        .copied()
        .min()
        .unwrap_or(config.occasion_cameras_min)
}

/// The pair's habitual occasions along trips of `cameras_min` cameras or more, when a pair
/// with `k` occasions and a chance `floor` from the traffic still reaches `threshold` with
/// them; `None` when it does not.
fn habits_within(
    table: &ReadTable,
    days: &DayCounts,
    plates: (u32, u32),
    (k, floor, cameras_min): (usize, f64, usize),
    (prior, config, threshold): (HabitsPrior, &AnalysisConfig, f64),
) -> Option<f64> {
    let score_with = |habits: f64| -poisson_tail_log10(k, floor + habits);
    if score_with(0.0) < threshold {
        return None;
    }
    // A plate read on one day has no habits to compare: its one day is the day tested,
    // and shifted onto the other's days it says only that the other keeps its hours.
    if days.either_on_one_day(table, plates) {
        return Some(0.0);
    }
    let explained = |habits: f64| score_with(habits) < threshold;
    // The meetings alone first: they explain most pairs tested (commuters, neighbours),
    // and the chances to meet are counted only for the others. Without the chances the
    // walk sums the least the habits can be with them (see [`at_least`]), so a pair that
    // sum explains is explained.
    let explained = (prior, config, &explained as &dyn Fn(f64) -> bool);
    let met = habitual_occasions(table, days, plates, cameras_min, explained, false);
    if (explained.2)(met) {
        return None;
    }
    let habits = habitual_occasions(table, days, plates, cameras_min, explained, true);
    (score_with(habits) >= threshold).then_some(habits)
}

/// Whether `plate` was read on one day only (or never).
fn read_on_one_day(table: &ReadTable, plate: u32) -> bool {
    let (ts, _) = table.plate_track(plate);
    match (ts.first(), ts.last()) {
        (Some(&first), Some(&last)) => day_of(first) == day_of(last),
        _ => true,
    }
}

/// The number of distinct cameras of an occasion, and of those that stand in one place.
fn occasion_cameras(table: &ReadTable, occasion: &Occasion) -> (usize, usize) {
    let mut rows: Vec<u32> = occasion.co_occurrences.iter().map(|co| co.row_a).collect();
    let distinct = distinct_cameras(table, &rows);
    rows.retain(|&row| !table.cameras[table.camera[row as usize] as usize].mobile);
    (distinct, distinct_cameras(table, &rows))
}

/// The length of the trips together, in fixed cameras, that the pair's habits are counted
/// along, given each occasion's fixed cameras (steady or distinct): the fewest, and one at
/// least. A vehicle-mounted camera stands on a road for a day, so a pair is read by it on
/// that day only: two commuters who share one fixed camera every morning also pass a
/// mobile camera together on the days one stands on their road, and on no other. Counted
/// along trips as long as those occasions with the mobile camera, their mismatched days
/// would never make one (twenty-eight days of them at 1M reads were reported as convoys).
fn habit_cameras(fixed: &[usize], config: &AnalysisConfig) -> usize {
    fewest(fixed, config).max(1)
}

/// Trips together with `cameras_min` distinct cameras or more, as steady as the pair's
/// (see [`as_steady`]), that the pair's habits alone would give: plate b's days are
/// shifted against plate a's (to other days of the same kind, weekday or weekend), and the
/// trips together found on those mismatched days are averaged per day. Neighbours who
/// leave for work at the same minute every morning meet as often on mismatched days as on
/// the same day, so their habits explain them; vehicles that arrange to meet do not, nor do
/// a gang's vans that drive one road on most nights, each at its own speed.
///
/// The sum stops early, partial, once `explained` says it explains the pair (its score can
/// only fall further): most pairs tested in discovery are such neighbours and commuters.
/// Without the chances it sums, instead of each day's rate, the least that rate can be
/// given the trips together found (see [`at_least`]), and stops as soon as the sum so far
/// explains the pair, often on plate a's first day.
fn habitual_occasions(
    table: &ReadTable,
    days: &DayCounts,
    (plate_a, plate_b): (u32, u32),
    cameras_min: usize,
    (prior, config, explained): (HabitsPrior, &AnalysisConfig, &dyn Fn(f64) -> bool),
    with_chances: bool,
) -> f64 {
    // Plate a's reads are walked in its own track, where its times and cameras lie side
    // by side, not in the table's columns (a cache miss a read).
    let rows_a = table.plate_rows(plate_a);
    let (a_ts, a_camera) = table.plate_track(plate_a);
    let same_day = |x: &i64, y: &i64| day_of(*x) == day_of(*y);
    // The Jeffreys prior's half meeting, added to each of plate a's days or spread over
    // those that can make a trip together.
    let half_meeting = match prior {
        HabitsPrior::PerDay => 0.5,
        HabitsPrior::Observed => 0.0,
        HabitsPrior::PerPair => {
            let days_a = a_ts
                .chunk_by(same_day)
                .filter(|day| day.len() >= cameras_min)
                .count();
            0.5 / days_a.max(1) as f64
        }
    };
    let (b_ts, b_camera) = table.plate_track(plate_b);
    let window = config.convoy_window_secs * MICROS;
    let near = if with_chances {
        HABIT_NEAR_SECS * MICROS
    } else {
        window
    };
    let gap = config.occasion_gap_secs * MICROS;
    let mut expected = 0.0;
    // The largest sum known not to explain the pair.
    let mut not_yet = 0.0;
    // Plate a's reads that met one of plate b's on the other day, as the trips together
    // are split by.
    let mut met: Vec<Met> = Vec::new();
    let mut trips = Vec::new();
    let rows_b = table.plate_rows(plate_b);
    let b_days = DayStarts::new(b_ts, (days.first, days.last));
    // Plate a's reads come in time order: one slice per day.
    let mut day_start = 0;
    for ts_on_day in a_ts.chunk_by(same_day) {
        let on_day = day_start..day_start + ts_on_day.len();
        day_start = on_day.end;
        let day = day_of(ts_on_day[0]);
        let others = days.same_kind_others(day);
        if others == 0 {
            continue;
        }
        // A mobile camera stood elsewhere on the other day (see [`habit_cameras`]).
        let reads_on_day = rows_a[on_day.clone()]
            .iter()
            .zip(ts_on_day)
            .zip(&a_camera[on_day])
            .filter(|(_, camera)| !table.cameras[**camera as usize].mobile);
        let (mut found, mut chances) = (0usize, 0usize);
        // The other days on which the pair made a trip together: each was a chance.
        let mut met_days = 0usize;
        let (first_ts, last_ts) = (ts_on_day[0], ts_on_day[ts_on_day.len() - 1]);
        let other_days = (days.first..=days.last)
            .filter(|&other| other != day && weekend(other) == weekend(day))
            // Fewer reads than `cameras_min` make no trip together on any day.
            .filter(|_| ts_on_day.len() >= cameras_min);
        for other_day in other_days {
            let shift = (other_day - day) * DAY_MICROS;
            // Plate b's reads that the day's reads, shifted, can pass near, and those they
            // can meet; either needs `cameras_min` of them at least.
            let around = b_days.around(other_day);
            if around.len() < cameras_min {
                continue;
            }
            let (start, around) = (around.start, &b_ts[around]);
            let lo = start + around.partition_point(|&t| t < first_ts + shift - near);
            let hi = start + around.partition_point(|&t| t <= last_ts + shift + near);
            if hi - lo < cameras_min {
                continue;
            }
            // Without the chances `near` is the window itself: the reads near are those
            // that can meet, `cameras_min` of them or more (above).
            let can_meet = !with_chances || {
                let in_window = &b_ts[lo..hi];
                let lo_met = in_window.partition_point(|&t| t < first_ts + shift - window);
                let hi_met = in_window.partition_point(|&t| t <= last_ts + shift + window);
                hi_met - lo_met >= cameras_min
            };
            met.clear();
            let mut passed_near = 0usize;
            // The shifted times only grow: the first of b's reads in a row's window only
            // moves forwards.
            let (mut from, mut from_near) = (lo, lo);
            for ((&row, &ts_a), &camera) in reads_on_day.clone() {
                // Only counting the chances is left (`can_meet` holds without them).
                if !can_meet && passed_near >= cameras_min {
                    break;
                }
                let ts = ts_a + shift;
                while with_chances && from_near < hi && b_ts[from_near] < ts - near {
                    from_near += 1;
                }
                while from < hi && b_ts[from] < ts - window {
                    from += 1;
                }
                // Every read of plate b's there, each a lead between them: which of them
                // were driving alongside is the steady stretch's to say.
                let before = met.len();
                if can_meet {
                    for b in (from..hi).take_while(|&b| b_ts[b] <= ts + window) {
                        if b_camera[b] == camera {
                            met.push(Met {
                                row,
                                ts: ts_a,
                                camera,
                                b: b as u32,
                            });
                        }
                    }
                }
                // Only whether plate b passed near at `cameras_min` cameras matters.
                let passed = met.len() > before
                    || (with_chances
                        && passed_near < cameras_min
                        && (from_near..hi)
                            .take_while(|&b| b_ts[b] <= ts + near)
                            .any(|b| b_camera[b] == camera));
                passed_near += usize::from(passed);
            }
            if passed_near >= cameras_min {
                chances += 1;
            }
            if met.len() >= cameras_min {
                let read = |idx: usize| (met[idx].row, met[idx].ts, met[idx].camera);
                let bounds = (gap, cameras_min);
                trips_together_of(table, (met.len(), read), bounds, config, &mut trips);
                // Only trips together as steady as the pair's count: vehicles that keep to
                // one schedule meet on mismatched days, but at their own speeds, drifting
                // through the window; vehicles driving together keep their distance.
                let steady = trips
                    .iter()
                    .filter(|trip| {
                        let trip = &met[trip.start..trip.end];
                        as_steady(table, (trip, b_ts, rows_b), cameras_min)
                    })
                    .count();
                found += steady;
                met_days += usize::from(steady > 0);
                // Without the chances the day's share only grows with each day compared:
                // the sum so far can explain the pair before the day is done. It is asked
                // again only once the sum has grown by half since it last did not (each
                // answer costs a Poisson tail); the day's end asks anyway.
                let so_far = expected + at_least(found, met_days, half_meeting) / others as f64;
                if !with_chances && !trips.is_empty() && so_far >= 1.5 * not_yet {
                    if explained(so_far) {
                        return so_far;
                    }
                    not_yet = so_far;
                }
            }
        }
        // With the chances counted: the rate of meeting on the days plate b drove that road
        // at about that time, with the prior's share of half a meeting added to them (the
        // Jeffreys prior, see `HabitsPrior`): two vans that both drive one corridor most
        // days and did not happen to meet on the mismatched ones still might.
        expected += if with_chances && chances > 0 {
            (found as f64 + half_meeting) / (chances as f64 + 1.0) * chances as f64 / others as f64
        } else {
            at_least(found, met_days, half_meeting) / others as f64
        };
        if explained(expected) {
            break;
        }
        not_yet = expected;
    }
    expected
}

/// The least a day's share of the habits can be, counted with the chances, when its reads
/// made `found` trips together on `met_days` of the other days: `(found + half_meeting) *
/// chances / (chances + 1)` grows with the chances, and each of those days was one.
fn at_least(found: usize, met_days: usize, half_meeting: f64) -> f64 {
    if met_days == 0 {
        return 0.0;
    }
    (found as f64 + half_meeting) * met_days as f64 / (met_days as f64 + 1.0)
}

/// Where each day's reads of one plate start in its time-ordered track, from the day before
/// the data's first to two days after its last: the reads a day's reads can meet, shifted
/// to another day by whole days, lie within that day and the ones either side of it.
pub(crate) struct DayStarts {
    first_day: i64,
    starts: Vec<usize>,
}

impl DayStarts {
    /// The day starts of the time-ordered `ts` around the days `first..=last`.
    pub(crate) fn new(ts: &[i64], (first, last): (i64, i64)) -> DayStarts {
        let first_day = first - 1;
        let mut idx = 0;
        let starts = (first_day..=last + 2)
            .map(|day| {
                while idx < ts.len() && day_of(ts[idx]) < day {
                    idx += 1;
                }
                idx
            })
            .collect();
        DayStarts { first_day, starts }
    }

    /// The track's reads on the days either side of `day` and on it: every read within
    /// less than a day of that day's reads.
    pub(crate) fn around(&self, day: i64) -> std::ops::Range<usize> {
        let at = |day: i64| {
            let idx = (day - self.first_day).clamp(0, self.starts.len() as i64 - 1);
            self.starts[idx as usize]
        };
        at(day - 1)..at(day + 2)
    }
}

/// Vehicles that joined a found convoy on one of its trips: read with both members at
/// `JOINER_CAMERAS_MIN` distinct cameras or more each, within the co-occurrence window (a
/// scout that went along one night, a hire van kept for two days). The search is around
/// the convoy's own trips, so one trip together is enough when its score reaches
/// `convoy_score_min_targeted`, its chance that any vehicle was alongside
/// ([`Chance::OfAnyVehicle`]): strangers on a motorway at night fall in behind a gang's
/// vans for dozens of cameras, and any of them could have been the one.
pub(crate) fn joiners(
    table: &ReadTable,
    index: &CameraIndex,
    traffic: &Traffic,
    convoys: &[ConvoyFinding],
    eligible: &[bool],
    config: &AnalysisConfig,
) -> Vec<ConvoyFinding> {
    let window = config.convoy_window_secs * MICROS;
    let mut entries: Vec<(u64, CoOccurrence)> = Vec::new();
    for convoy in convoys {
        for occasion in &convoy.occasions {
            // Per joining plate: (camera, member is a, member row, joiner row).
            let mut seen: Vec<(u32, u32, bool, u32, u32)> = Vec::new();
            for co in &occasion.co_occurrences {
                for (member_row, is_a) in [(co.row_a, true), (co.row_b, false)] {
                    let (camera, ts) = (
                        table.camera[member_row as usize],
                        table.ts[member_row as usize],
                    );
                    for (other, plate) in index.window(camera, ts - window, ts + window + 1) {
                        if plate != convoy.plate_a
                            && plate != convoy.plate_b
                            && eligible[plate as usize]
                        {
                            seen.push((plate, camera, is_a, member_row, other));
                        }
                    }
                }
            }
            seen.sort_unstable();
            for by_plate in seen.chunk_by(|a, b| a.0 == b.0) {
                let cameras_with = |is_a: bool| {
                    let mut cameras: Vec<u32> = by_plate
                        .iter()
                        .filter(|entry| entry.2 == is_a)
                        .map(|entry| entry.1)
                        .collect();
                    cameras.dedup();
                    cameras.len()
                };
                if cameras_with(true) >= JOINER_CAMERAS_MIN
                    && cameras_with(false) >= JOINER_CAMERAS_MIN
                {
                    entries.extend(
                        by_plate.iter().map(|&(_, _, _, member_row, other)| {
                            pair_entry(table, member_row, other)
                        }),
                    );
                }
            }
        }
    }
    let known: std::collections::HashSet<(u32, u32)> =
        convoys.iter().map(|c| (c.plate_a, c.plate_b)).collect();
    sort_by_pair_and_time(table, &mut entries);
    score_pairs(
        table,
        traffic,
        &entries,
        config,
        // As two of the network's vehicles on one trip together are.
        Wanted::joining(config),
    )
    .into_iter()
    .filter(|finding| !known.contains(&(finding.plate_a, finding.plate_b)))
    .collect()
}

/// Pairs of one vehicle's partners that drove on one of its trips with both of them: three
/// vans out to the coast together are three pairs, but the weakest (a scout eight minutes
/// behind the vans, read with them at five quiet cameras one night) cannot stand alone
/// against the traffic. If both ties to the shared vehicle are real, the two partners
/// travelled together; so the chance that their pair is a coincidence is at most the sum
/// of the chances that either tie is (`10^-score` each), and the pair scores `-log10` of
/// that sum. They must have been read together (within `convoy_window_secs`) at
/// `JOINER_CAMERAS_MIN` distinct cameras or more while both ties' occasions ran, so that
/// a partner on the outward leg and another on the way back are not taken for a group.
/// The pairs already in `convoys` are not searched; of a pair found through several
/// vehicles, the best score is kept.
pub(crate) fn group_mates(
    table: &ReadTable,
    convoys: &[ConvoyFinding],
    config: &AnalysisConfig,
) -> Vec<ConvoyFinding> {
    let known: FastSet<(u32, u32)> = convoys.iter().map(|c| (c.plate_a, c.plate_b)).collect();
    let mut ties: FastMap<u32, Vec<(u32, &ConvoyFinding)>> = FastMap::default();
    for convoy in convoys {
        ties.entry(convoy.plate_a)
            .or_default()
            .push((convoy.plate_b, convoy));
        ties.entry(convoy.plate_b)
            .or_default()
            .push((convoy.plate_a, convoy));
    }
    let mut shared: Vec<&u32> = ties.keys().collect();
    shared.sort_unstable();
    let mut found: BTreeMap<(u32, u32), ConvoyFinding> = BTreeMap::new();
    for vehicle in shared {
        let partners = &ties[vehicle];
        for (idx, &(first, with_first)) in partners.iter().enumerate() {
            for &(second, with_second) in &partners[idx + 1..] {
                let pair = (first.min(second), first.max(second));
                if known.contains(&pair) {
                    continue;
                }
                let chance = 10f64.powf(-with_first.score) + 10f64.powf(-with_second.score);
                let score = -chance.min(1.0).log10();
                if found.get(&pair).is_some_and(|f| f.score >= score) {
                    continue;
                }
                let occasions = shared_trips(table, pair, (with_first, with_second), config);
                if occasions.is_empty() {
                    continue;
                }
                let occasions = occasions
                    .into_iter()
                    .map(|occasion| Occasion { chance, ..occasion })
                    .collect();
                found.insert(
                    pair,
                    ConvoyFinding {
                        plate_a: pair.0,
                        plate_b: pair.1,
                        occasions,
                        expected: chance,
                        score,
                    },
                );
            }
        }
    }
    found.into_values().collect()
}

/// The trips `pair` made together while both `ties` (convoys with one shared vehicle) had
/// an occasion under way: read together at `JOINER_CAMERAS_MIN` distinct cameras or more.
fn shared_trips(
    table: &ReadTable,
    (plate_a, plate_b): (u32, u32),
    ties: (&ConvoyFinding, &ConvoyFinding),
    config: &AnalysisConfig,
) -> Vec<Occasion> {
    let window = config.convoy_window_secs * MICROS;
    let span = |occasion: &Occasion| {
        let times = occasion
            .co_occurrences
            .iter()
            .flat_map(|co| [table.ts[co.row_a as usize], table.ts[co.row_b as usize]]);
        let first = times.clone().min().unwrap_or(i64::MAX);
        let last = times.max().unwrap_or(i64::MIN);
        (first, last)
    };
    let second_spans: Vec<(i64, i64)> = ties.1.occasions.iter().map(span).collect();
    let (ts_a, cameras_a) = table.plate_track(plate_a);
    let (ts_b, cameras_b) = table.plate_track(plate_b);
    let (rows_a, rows_b) = (table.plate_rows(plate_a), table.plate_rows(plate_b));
    let mut co_occurrences = Vec::new();
    for first in ties.0.occasions.iter().map(span) {
        for second in &second_spans {
            let (from, to) = (first.0.max(second.0), first.1.min(second.1));
            if from > to + window {
                continue;
            }
            let (from, to) = (from - window, to + window);
            let start_b = ts_b.partition_point(|&ts| ts < from - window);
            for idx_a in ts_a.partition_point(|&ts| ts < from)..ts_a.len() {
                if ts_a[idx_a] > to {
                    break;
                }
                for idx_b in start_b..ts_b.len() {
                    if ts_b[idx_b] > ts_a[idx_a] + window {
                        break;
                    }
                    if cameras_b[idx_b] == cameras_a[idx_a]
                        && (ts_b[idx_b] - ts_a[idx_a]).abs() <= window
                    {
                        co_occurrences.push(CoOccurrence {
                            row_a: rows_a[idx_a],
                            row_b: rows_b[idx_b],
                        });
                    }
                }
            }
        }
    }
    let mut occasions = occasions_of(table, co_occurrences, config);
    occasions.retain(|occasion| occasion_cameras(table, occasion).0 >= JOINER_CAMERAS_MIN);
    occasions
}

/// Scores are capped here: `-log10` of a chance below `1e-300`.
const LOG10_CHANCE_MIN: f64 = -300.0;

/// `log10 P(N >= k)` for `N ~ Poisson(mean)`, without underflow whatever the mean: a mean
/// far above `k` gives (nearly) certainty, not a vanishing first term.
pub(crate) fn poisson_tail_log10(k: usize, mean: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    let mean = mean.max(1e-12);
    let ln_mean = mean.ln();
    let ln_term = |i: usize| -mean + i as f64 * ln_mean - ln_factorial(i);
    let log10 = if (k as f64) > mean {
        // The terms fall from `k` on: the first one in logs, times the sum of the ratios
        // of the others to it.
        let (mut ratio, mut ratios) = (1.0f64, 1.0f64);
        let mut i = k;
        while ratio > ratios * 1e-17 && i < k + 10_000 {
            i += 1;
            ratio *= mean / i as f64;
            ratios += ratio;
        }
        (ln_term(k) + ratios.ln()) / std::f64::consts::LN_10
    } else {
        // `k` at or below the mean: the tail holds at least about half the mass, and one
        // less the head (a few terms, each below one) is exact enough.
        let head: f64 = (0..k).map(|i| ln_term(i).exp()).sum();
        (1.0 - head).max(f64::MIN_POSITIVE).log10()
    };
    log10.clamp(LOG10_CHANCE_MIN, 0.0)
}

/// `ln n!` is read from a table below this `n`: every pair scored sums the head of a tail
/// term by term, each term with its factorial.
const LN_FACTORIALS_TABLED: usize = 1024;

/// `ln n!`, the sum of `ln i` for `i` in `2..=n` in that order (the table's entries are
/// the same sums, bit for bit).
pub(crate) fn ln_factorial(n: usize) -> f64 {
    static TABLE: OnceLock<Vec<f64>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut sum = std::iter::empty::<f64>().sum::<f64>();
        let mut table = Vec::with_capacity(LN_FACTORIALS_TABLED);
        for i in 0..LN_FACTORIALS_TABLED {
            if i >= 2 {
                sum += (i as f64).ln();
            }
            table.push(sum);
        }
        table
    });
    match table.get(n) {
        Some(&ln) => ln,
        None => (2..=n).map(|i| (i as f64).ln()).sum(),
    }
}
