//! Camera clock skew, estimated from the traffic itself and corrected before analysis.
//!
//! For a vehicle read at cameras `p`, `c`, `n` in a row (no stop between), its mean speed
//! over `p -> n` does not depend on `c`'s clock: `v = (d_pc + d_cn) / (t_n - t_p)`. The time
//! it should have reached `c` is then `t_p + d_pc / v`, and the difference from the time `c`
//! wrote is one sample of `c`'s clock error. The median over many vehicles is the skew.
//!
//! A sample holds only for a through passage driven without a stop: each leg at road speed
//! (granting `c`'s clock `clock_tolerance_secs` of error), neither leg longer than
//! `LEG_SECS_MAX`, and `n` further on from `p` than `c` is (not out and back). A stop hidden
//! in one leg (a turn round at a lock-up, a ferry) moves the sample by the stop's length,
//! and on busy data enough such passages go through one camera to move its median by many
//! minutes: a wrong correction of that size makes every plate read there look cloned.
//!
//! The straight-line distances stand in for the road's: where the road between `p` and `c`
//! winds more than between `c` and `n`, vehicles reach `c` later than the even pace says,
//! and the median is off by as much as two minutes with nothing wrong with `c`'s clock. A
//! camera reading the other carriageway at the same place sees the same two legs the other
//! way round, and the same error with the other sign; a clock error is one camera's. Where
//! both directions have an estimate, their sum is the clock error, and it is given to the
//! camera whose estimate is the further from zero (the other's is the road's).

use crate::AnalysisConfig;
use crate::geo::{Point, angle_between_deg};
use crate::table::{CameraSite, FastMap, MICROS, ReadTable};

/// Cameras this close together read one place (both carriageways of one road).
const SITE_M: f64 = 100.0;
/// Cameras whose headings differ by this many degrees or more read opposite directions.
const OPPOSITE_DEG_MIN: f64 = 135.0;

/// Samples needed before a camera's skew is trusted.
const SAMPLES_MIN: usize = 15;
/// Skews smaller than this are left alone (they are within ordinary noise).
const SKEW_SECS_MIN: f64 = 45.0;
/// Samples are taken only from passages with neighbours at least this far away.
const LEG_M_MIN: f64 = 1500.0;
/// At most this many samples per camera are kept.
const SAMPLES_MAX: usize = 400;
/// A leg longer than this may hide a stop however fast its average.
const LEG_SECS_MAX: f64 = 2700.0;
/// Road speeds a vehicle passing without a stop drives at, in km/h.
const SPEED_KMH_MIN: f64 = 40.0;
const SPEED_KMH_MAX: f64 = 170.0;

/// Estimated clock error of each camera in microseconds (positive: the camera's clock is
/// ahead), zero where there is too little evidence.
pub(crate) fn estimate_skews(table: &ReadTable, config: &AnalysisConfig) -> Vec<i64> {
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); table.cameras.len()];
    for plate in 0..table.n_plates() as u32 {
        let rows = table.plate_rows(plate);
        for triple in rows.windows(3) {
            if let Some((camera, skew_secs)) = skew_sample(table, triple, config) {
                let bucket = &mut samples[camera as usize];
                if bucket.len() < SAMPLES_MAX {
                    bucket.push(skew_secs);
                }
            }
        }
    }
    let medians: Vec<Option<f64>> = samples
        .into_iter()
        .map(|mut bucket| {
            if bucket.len() < SAMPLES_MIN {
                return None;
            }
            bucket.sort_unstable_by(f64::total_cmp);
            Some(bucket[bucket.len() / 2])
        })
        .collect();
    let opposite = opposite_cameras(table);
    medians
        .iter()
        .zip(&opposite)
        .map(|(&median, &other)| {
            let Some(own) = median else {
                return 0;
            };
            let skew_secs = match other.and_then(|other| medians[other as usize]) {
                Some(theirs) if own.abs() > theirs.abs() => own + theirs,
                Some(_) => 0.0,
                None => own,
            };
            if skew_secs.abs() < SKEW_SECS_MIN {
                0
            } else {
                (skew_secs * MICROS as f64) as i64
            }
        })
        .collect()
}

/// For each camera, the camera reading the other direction at the same place, if any
/// (the one whose heading is the most nearly opposite).
pub(crate) fn opposite_cameras(table: &ReadTable) -> Vec<Option<u32>> {
    // Cells of about a kilometre: a camera's partner is in its cell or a neighbouring one.
    let cell = |point: Point| {
        let key = |degrees: f64| (degrees * 100.0).floor() as i64;
        (key(point.lat), key(point.lon))
    };
    let fixed_heading = |site: &CameraSite| site.heading_deg.filter(|_| !site.mobile);
    let mut by_cell: FastMap<(i64, i64), Vec<u32>> = FastMap::default();
    for (camera, site) in table.cameras.iter().enumerate() {
        if fixed_heading(site).is_some() {
            by_cell
                .entry(cell(site.point))
                .or_default()
                .push(camera as u32);
        }
    }
    table
        .cameras
        .iter()
        .map(|site| {
            let heading = fixed_heading(site)?;
            let turn = |other: u32| {
                let other_heading = table.cameras[other as usize].heading_deg.unwrap_or(heading);
                angle_between_deg(heading, other_heading)
            };
            let (lat, lon) = cell(site.point);
            (lat - 1..=lat + 1)
                .flat_map(|lat| (lon - 1..=lon + 1).map(move |lon| (lat, lon)))
                .filter_map(|key| by_cell.get(&key))
                .flatten()
                .copied()
                .filter(|&other| {
                    let near = table.cameras[other as usize].point.distance_m(site.point);
                    near <= SITE_M && turn(other) >= OPPOSITE_DEG_MIN
                })
                .max_by(|&a, &b| turn(a).total_cmp(&turn(b)))
        })
        .collect()
}

/// Shifts every read's time by its camera's estimated skew.
pub(crate) fn correct(table: &mut ReadTable, skews_us: &[i64]) {
    if skews_us.iter().all(|&skew| skew == 0) {
        return;
    }
    for row in 0..table.len() {
        let skew = skews_us[table.camera[row] as usize];
        table.ts[row] -= skew;
    }
    table.clock_us = skews_us.to_vec();
    table.resort();
}

fn skew_sample(table: &ReadTable, triple: &[u32], config: &AnalysisConfig) -> Option<(u32, f64)> {
    let (prev, mid, next) = (triple[0], triple[1], triple[2]);
    let cameras = [prev, mid, next].map(|row| table.camera[row as usize]);
    if cameras[0] == cameras[1] || cameras[1] == cameras[2] || cameras[0] == cameras[2] {
        return None;
    }
    let d_in = config.road_m(table.distance_m(prev, mid));
    let d_out = config.road_m(table.distance_m(mid, next));
    if d_in < LEG_M_MIN || d_out < LEG_M_MIN {
        return None;
    }
    // Out and back (a turn round beyond `c`) is no through passage.
    let d_through = config.road_m(table.distance_m(prev, next));
    if d_through < d_in.max(d_out) {
        return None;
    }
    let t = [prev, mid, next].map(|row| table.ts[row as usize] as f64 / MICROS as f64);
    let leg_driven = |distance_m: f64, secs: f64| {
        let (fastest, slowest) = (
            distance_m / (SPEED_KMH_MAX / 3.6) - config.clock_tolerance_secs,
            distance_m / (SPEED_KMH_MIN / 3.6) + config.clock_tolerance_secs,
        );
        secs <= LEG_SECS_MAX && (fastest..=slowest).contains(&secs)
    };
    if !leg_driven(d_in, t[1] - t[0]) || !leg_driven(d_out, t[2] - t[1]) {
        return None;
    }
    let total_secs = t[2] - t[0];
    if total_secs <= 0.0 {
        return None;
    }
    let speed_mps = (d_in + d_out) / total_secs;
    // Only passages driven without a stop, at road speeds, say anything about the clock.
    if !(SPEED_KMH_MIN / 3.6..=SPEED_KMH_MAX / 3.6).contains(&speed_mps) {
        return None;
    }
    let expected = t[0] + d_in / speed_mps;
    Some((cameras[1], t[1] - expected))
}
