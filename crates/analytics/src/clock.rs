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

use crate::AnalysisConfig;
use crate::table::{MICROS, ReadTable};

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
    samples
        .into_iter()
        .map(|mut bucket| {
            if bucket.len() < SAMPLES_MIN {
                return 0;
            }
            bucket.sort_unstable_by(f64::total_cmp);
            let median = bucket[bucket.len() / 2];
            if median.abs() < SKEW_SECS_MIN {
                0
            } else {
                (median * MICROS as f64) as i64
            }
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
