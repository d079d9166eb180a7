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
//! the same minute explain themselves; only trips together at least as long as the pair's
//! count) plus, per occasion, the chance from the cameras' traffic at that hour, smaller
//! the more cameras the pair passed together at a steady lead (strangers at different
//! speeds drift through the window, one overtaking the other). The score is
//! `-log10 P(N >= k)` for `N ~ Poisson(expected)` and `k` occasions: 2 means one chance in
//! a hundred, 4 one in ten thousand. More occasions give a higher score.

use crate::AnalysisConfig;
use crate::table::{DAY_MICROS, MICROS, ReadTable};
use crate::traffic::Traffic;

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

/// What a search reports: pairs with `occasions_min` occasions or more that score at
/// least `score_min` (and the Bonferroni bound), their chance measured as `chance` says.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wanted {
    occasions_min: usize,
    score_min: f64,
    chance: Chance,
}

impl Wanted {
    /// Partners of seeds: `convoy_occasions_min` occasions scoring
    /// `convoy_score_min_targeted`.
    pub(crate) fn recurring(config: &AnalysisConfig) -> Wanted {
        Wanted {
            occasions_min: config.convoy_occasions_min,
            score_min: config.convoy_score_min_targeted,
            chance: Chance::OfThePartner,
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
        }
    }
}

/// One co-occurrence: rows `row_a` (plate a) and `row_b` (plate b) at one camera.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CoOccurrence {
    pub(crate) row_a: u32,
    pub(crate) row_b: u32,
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

/// Reads ordered by camera and time, for window look-ups.
#[derive(Debug)]
pub(crate) struct CameraIndex {
    by_camera: Vec<u32>,
    offsets: Vec<u32>,
}

impl CameraIndex {
    pub(crate) fn build(table: &ReadTable) -> CameraIndex {
        let mut by_camera: Vec<u32> = (0..table.len() as u32).collect();
        by_camera.sort_unstable_by_key(|&row| (table.camera[row as usize], table.ts[row as usize]));
        let mut offsets = vec![0u32; table.cameras.len() + 1];
        for &row in &by_camera {
            offsets[table.camera[row as usize] as usize + 1] += 1;
        }
        for idx in 1..offsets.len() {
            offsets[idx] += offsets[idx - 1];
        }
        CameraIndex { by_camera, offsets }
    }

    /// Rows of camera `camera` with `from <= ts < to`, in time order.
    pub(crate) fn window(&self, table: &ReadTable, camera: u32, from: i64, to: i64) -> &[u32] {
        let rows = &self.by_camera
            [self.offsets[camera as usize] as usize..self.offsets[camera as usize + 1] as usize];
        let start = rows.partition_point(|&row| table.ts[row as usize] < from);
        let end = rows.partition_point(|&row| table.ts[row as usize] < to);
        &rows[start..end]
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
    let window = config.convoy_window_secs * MICROS;
    let mut co_occurrences: Vec<(u64, CoOccurrence)> = Vec::new();
    for &plate in focus {
        for &row in table.plate_rows(plate) {
            let (camera, ts) = (table.camera[row as usize], table.ts[row as usize]);
            for &other in index.window(table, camera, ts - window, ts + window + 1) {
                let other_plate = table.plate[other as usize];
                if other_plate != plate && eligible[other_plate as usize] {
                    co_occurrences.push(pair_entry(table, row, other));
                }
            }
        }
    }
    co_occurrences.sort_unstable_by_key(|(key, co)| (*key, table.ts[co.row_a as usize]));
    co_occurrences.dedup();
    score_pairs(table, traffic, &co_occurrences, config, wanted)
}

/// Every convoy among the `eligible` plates (discovery); `eligible[plate]` says whether a
/// plate was read on enough days to recur.
pub(crate) fn discovery(
    table: &ReadTable,
    index: &CameraIndex,
    traffic: &Traffic,
    eligible: &[bool],
    config: &AnalysisConfig,
) -> Vec<ConvoyFinding> {
    let window = config.convoy_window_secs * MICROS;
    let Some((first_day, last_day)) = day_span(table) else {
        return Vec::new();
    };
    let mut candidates: Vec<(u64, CoOccurrence)> = Vec::new();
    let mut day_pairs: Vec<(u64, CoOccurrence)> = Vec::new();
    for day in first_day..=last_day {
        day_pairs.clear();
        let (from, to) = (
            day * DAY_MICROS + DAY_MICROS / 2,
            (day + 1) * DAY_MICROS + DAY_MICROS / 2,
        );
        for camera in 0..table.cameras.len() as u32 {
            let rows = index.window(table, camera, from, to);
            sweep_camera(table, rows, eligible, window, &mut day_pairs);
        }
        day_pairs.sort_unstable_by_key(|(key, co)| (*key, table.ts[co.row_a as usize]));
        keep_multi_camera(
            table,
            &day_pairs,
            config.occasion_cameras_min,
            &mut candidates,
        );
    }
    candidates.sort_by_key(|(key, co)| (*key, table.ts[co.row_a as usize]));
    score_pairs(
        table,
        traffic,
        &candidates,
        config,
        Wanted {
            occasions_min: config.convoy_occasions_min,
            score_min: config.convoy_score_min_discovery,
            chance: Chance::OfThePartner,
        },
    )
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

fn sweep_camera(
    table: &ReadTable,
    rows: &[u32],
    eligible: &[bool],
    window: i64,
    out: &mut Vec<(u64, CoOccurrence)>,
) {
    let mut start = 0;
    for (idx, &row) in rows.iter().enumerate() {
        let ts = table.ts[row as usize];
        while table.ts[rows[start] as usize] < ts - window {
            start += 1;
        }
        if !eligible[table.plate[row as usize] as usize] {
            continue;
        }
        for &other in &rows[start..idx] {
            let other_plate = table.plate[other as usize];
            if other_plate != table.plate[row as usize] && eligible[other_plate as usize] {
                out.push(pair_entry(table, other, row));
            }
        }
    }
}

/// Keeps the co-occurrences of pairs seen at several distinct cameras on this day.
fn keep_multi_camera(
    table: &ReadTable,
    day_pairs: &[(u64, CoOccurrence)],
    cameras_min: usize,
    out: &mut Vec<(u64, CoOccurrence)>,
) {
    for group in day_pairs.chunk_by(|a, b| a.0 == b.0) {
        if group.len() < cameras_min {
            continue;
        }
        let mut cameras: Vec<u32> = group
            .iter()
            .map(|(_, co)| table.camera[co.row_a as usize])
            .collect();
        cameras.sort_unstable();
        cameras.dedup();
        if cameras.len() >= cameras_min {
            out.extend_from_slice(group);
        }
    }
}

pub(crate) fn day_span(table: &ReadTable) -> Option<(i64, i64)> {
    let first = table.ts.iter().min()?;
    let last = table.ts.iter().max()?;
    Some((day_of(*first), day_of(*last)))
}

/// Groups sorted co-occurrences by pair and day, scores each pair, keeps those `wanted`,
/// best first.
fn score_pairs(
    table: &ReadTable,
    traffic: &Traffic,
    sorted: &[(u64, CoOccurrence)],
    config: &AnalysisConfig,
    wanted: Wanted,
) -> Vec<ConvoyFinding> {
    let days = DayCounts::new(table);
    let mut findings = Vec::new();
    let mut n_tested = 0usize;
    for group in sorted.chunk_by(|a, b| a.0 == b.0) {
        let occasions = occasions_of(table, group, config.occasion_gap_secs * MICROS, config);
        if occasions.len() < wanted.occasions_min {
            continue;
        }
        let (key, _) = group[0];
        let (plate_a, plate_b) = ((key >> 32) as u32, key as u32);
        n_tested += 1;
        findings.push(score_pair(
            table,
            traffic,
            &days,
            (plate_a, plate_b),
            occasions,
            (wanted.chance, config),
        ));
    }
    // Many pairs tested make some high scores by chance: a pair must also beat the number
    // of pairs tested (Bonferroni), so discovery over busy data asks more of each pair.
    let threshold = wanted.score_min.max((n_tested.max(1) as f64).log10());
    findings.retain(|finding| finding.score >= threshold);
    findings.sort_by(|a, b| b.score.total_cmp(&a.score));
    findings
}

fn occasions_of(
    table: &ReadTable,
    group: &[(u64, CoOccurrence)],
    gap: i64,
    config: &AnalysisConfig,
) -> Vec<Occasion> {
    let mut co_occurrences: Vec<CoOccurrence> = group.iter().map(|(_, co)| *co).collect();
    co_occurrences.sort_by_key(|co| table.ts[co.row_a as usize]);
    co_occurrences.dedup();
    let rows: Vec<u32> = co_occurrences.iter().map(|co| co.row_a).collect();
    trips_together(table, &rows, gap, config.occasion_cameras_min, config)
        .into_iter()
        .map(|range| Occasion {
            day: day_of(table.ts[rows[range.start] as usize]),
            co_occurrences: co_occurrences[range].to_vec(),
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
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    for idx in 1..=rows.len() {
        if idx == rows.len() || !together(table, rows[idx - 1], rows[idx], gap, config) {
            runs.push(start..idx);
            start = idx;
        }
    }
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for run in runs {
        if let Some(last) = merged.last_mut() {
            let (first_row, last_end) = (rows[last.start], rows[last.end - 1]);
            let pause = table.ts[rows[run.start] as usize] - table.ts[last_end as usize];
            let origin = table.point(first_row);
            let heads_back = table.point(rows[run.end - 1]).distance_m(origin)
                < table.point(last_end).distance_m(origin);
            if pause <= JOURNEY_PAUSE_SECS_MAX * MICROS && !heads_back {
                last.end = run.end;
                continue;
            }
        }
        merged.push(run);
    }
    merged.retain(|range| distinct_cameras(table, &rows[range.clone()]) >= cameras_min);
    merged
}

/// The number of distinct cameras that read `rows`.
fn distinct_cameras(table: &ReadTable, rows: &[u32]) -> usize {
    let mut cameras: Vec<u32> = rows.iter().map(|&row| table.camera[row as usize]).collect();
    cameras.sort_unstable();
    cameras.dedup();
    cameras.len()
}

/// The number of distinct cameras of an occasion passed at a steady lead: the most cameras
/// whose leads (plate b's time less plate a's) lie within `LEAD_SPREAD_SECS_MAX` of each
/// other.
fn steady_cameras(table: &ReadTable, occasion: &Occasion) -> usize {
    let mut by_lead: Vec<(i64, u32)> = occasion
        .co_occurrences
        .iter()
        .map(|co| {
            let lead = table.ts[co.row_b as usize] - table.ts[co.row_a as usize];
            (lead, co.row_a)
        })
        .collect();
    by_lead.sort_unstable();
    let mut best = 0;
    let mut start = 0;
    for end in 0..by_lead.len() {
        while by_lead[end].0 - by_lead[start].0 > LEAD_SPREAD_SECS_MAX * MICROS {
            start += 1;
        }
        let rows: Vec<u32> = by_lead[start..=end].iter().map(|(_, row)| *row).collect();
        best = best.max(distinct_cameras(table, &rows));
    }
    best
}

/// Whether two time-ordered reads of one plate belong to one trip: the time between them,
/// less the time to drive from one camera to the other, is at most `gap` (a long stretch
/// of motorway without cameras is not a stop; a beach or a hub is).
fn together(table: &ReadTable, row: u32, next: u32, gap: i64, config: &AnalysisConfig) -> bool {
    let elapsed = table.ts[next as usize] - table.ts[row as usize];
    let road_m = config.road_m(table.point(row).distance_m(table.point(next)));
    let driving = (road_m / (config.speed_kmh_travel / 3.6) * MICROS as f64) as i64;
    elapsed - driving <= gap
}

/// The days the data spans, by kind (weekday, weekend).
struct DayCounts {
    first: i64,
    last: i64,
    weekdays: usize,
    weekends: usize,
}

impl DayCounts {
    fn new(table: &ReadTable) -> DayCounts {
        let (first, last) = day_span(table).unwrap_or((0, -1));
        let weekends = (first..=last).filter(|&day| weekend(day)).count();
        DayCounts {
            first,
            last,
            weekdays: (first..=last).count() - weekends,
            weekends,
        }
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

fn score_pair(
    table: &ReadTable,
    traffic: &Traffic,
    days: &DayCounts,
    (plate_a, plate_b): (u32, u32),
    mut occasions: Vec<Occasion>,
    (chance, config): (Chance, &AnalysisConfig),
) -> ConvoyFinding {
    for occasion in &mut occasions {
        // However regular the pair, a trip together can always happen by coincidence in
        // the traffic at those cameras.
        let at_cameras = occasion.co_occurrences.iter().map(|co| {
            let (camera, ts) = (table.camera[co.row_a as usize], table.ts[co.row_a as usize]);
            match chance {
                Chance::OfThePartner => traffic.chance(camera, ts, config.convoy_window_secs),
                Chance::OfAnyVehicle => {
                    traffic.vehicles_in_window(camera, ts, config.convoy_window_secs)
                }
            }
        });
        occasion.chance = match chance {
            Chance::OfThePartner => at_cameras.fold(0.0, f64::max).min(1.0),
            Chance::OfAnyVehicle => at_cameras.fold(f64::INFINITY, f64::min),
        };
        // Vehicles that meet by chance part at the next junction, or drift apart: every
        // further camera passed together at a steady lead makes the coincidence less likely.
        let extra = steady_cameras(table, occasion).saturating_sub(config.occasion_cameras_min);
        occasion.chance *= STAY_TOGETHER_CHANCE.powi(extra as i32);
    }
    let floor: f64 = occasions.iter().map(|occasion| occasion.chance).sum();
    // Habits explain an occasion only with trips together at least as long: two vans that
    // both drive from one lock-up to the coast most nights meet on mismatched nights at a
    // few cameras, not along the whole way.
    let cameras_min = occasions
        .iter()
        .map(|occasion| steady_cameras(table, occasion))
        .min()
        .unwrap_or(config.occasion_cameras_min);
    let habits = habitual_occasions(table, days, (plate_a, plate_b), cameras_min, config);
    let expected = floor + habits;
    let score = -poisson_tail_log10(occasions.len(), expected);
    ConvoyFinding {
        plate_a,
        plate_b,
        occasions,
        expected,
        score,
    }
}

/// Trips together with `cameras_min` distinct cameras or more that the pair's habits alone
/// would give: plate b's days are shifted against plate a's (to other days of the same
/// kind, weekday or weekend), and the trips together found on those mismatched days are
/// averaged per day. Neighbours who leave for
/// work at the same minute every morning meet as often on mismatched days as on the same
/// day, so their habits explain them; vehicles that arrange to meet do not.
fn habitual_occasions(
    table: &ReadTable,
    days: &DayCounts,
    (plate_a, plate_b): (u32, u32),
    cameras_min: usize,
    config: &AnalysisConfig,
) -> f64 {
    let (rows_a, rows_b) = (table.plate_rows(plate_a), table.plate_rows(plate_b));
    let window = config.convoy_window_secs * MICROS;
    let gap = config.occasion_gap_secs * MICROS;
    let mut days_a: Vec<i64> = rows_a
        .iter()
        .map(|&row| day_of(table.ts[row as usize]))
        .collect();
    days_a.dedup();
    let mut expected = 0.0;
    let mut co_occurrences: Vec<u32> = Vec::new();
    for &day in &days_a {
        let others = days.same_kind_others(day);
        if others == 0 {
            continue;
        }
        let mut found = 0usize;
        for other_day in days.first..=days.last {
            if other_day == day || weekend(other_day) != weekend(day) {
                continue;
            }
            let shift = (other_day - day) * DAY_MICROS;
            co_occurrences.clear();
            for &row in rows_a {
                let ts = table.ts[row as usize];
                if day_of(ts) != day {
                    continue;
                }
                let camera = table.camera[row as usize];
                let from = rows_b.partition_point(|&b| table.ts[b as usize] < ts + shift - window);
                for &b in &rows_b[from..] {
                    if table.ts[b as usize] > ts + shift + window {
                        break;
                    }
                    if table.camera[b as usize] == camera {
                        co_occurrences.push(row);
                        break;
                    }
                }
            }
            found += trips_together(table, &co_occurrences, gap, cameras_min, config).len();
        }
        expected += found as f64 / others as f64;
    }
    expected
}

/// Vehicles that joined a found convoy on one of its trips: read with both members at
/// `JOINER_CAMERAS_MIN` distinct cameras or more each, within the co-occurrence window (a
/// scout that went along one night, a hire van kept for two days). The search is around
/// the convoy's own trips, so one trip together is enough when its score reaches
/// `convoy_score_min_discovery`.
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
                    for &other in index.window(table, camera, ts - window, ts + window + 1) {
                        let plate = table.plate[other as usize];
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
    entries.sort_unstable_by_key(|(key, co)| (*key, table.ts[co.row_a as usize]));
    entries.dedup();
    score_pairs(
        table,
        traffic,
        &entries,
        config,
        Wanted {
            occasions_min: 1,
            score_min: config.convoy_score_min_discovery,
            chance: Chance::OfThePartner,
        },
    )
    .into_iter()
    .filter(|finding| !known.contains(&(finding.plate_a, finding.plate_b)))
    .collect()
}

/// `log10 P(N >= k)` for `N ~ Poisson(mean)`.
pub(crate) fn poisson_tail_log10(k: usize, mean: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    let mean = mean.max(1e-12);
    // P(N >= k) = 1 - sum_{i<k} e^-m m^i / i!; sum the tail terms directly for accuracy.
    let mut term = (-mean + k as f64 * mean.ln() - ln_factorial(k)).exp();
    let mut tail = 0.0;
    let mut i = k;
    while term > tail * 1e-12 && i < k + 1000 {
        tail += term;
        i += 1;
        term *= mean / i as f64;
    }
    tail.clamp(1e-300, 1.0).log10()
}

fn ln_factorial(n: usize) -> f64 {
    (2..=n).map(|i| (i as f64).ln()).sum()
}
