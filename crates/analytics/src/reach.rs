//! How far the traffic carries on from one camera to another, measured on every vehicle's
//! trips: the chance that two strangers who met at one camera are still together at a
//! later one.
//!
//! Two vehicles that meet by coincidence part where their routes part: rarely along a
//! motorway between two exits, often at a town's junctions, almost always before a lane
//! that leads to a beach. The share of the trips read at camera `a` that go on to be read
//! at camera `b` says how far strangers carry on together there, where a fixed chance per
//! camera passed would treat a motorway's cameras as so many junctions. Strangers on one
//! road also drift apart at their own speeds: the spread of the travel times between two
//! cameras says how fast.

use crate::AnalysisConfig;
use crate::convoys::together;
use crate::table::{FastMap, MICROS, ReadTable};
use rayon::prelude::*;

/// Reads of a trip looked at after each read (a trip passes a few dozen cameras at most).
const LOOKAHEAD: usize = 64;

/// Cameras up to which onward counts are kept in a dense table (4 MiB at most).
const DENSE_CAMERAS_MAX: usize = 1024;

/// Hops shorter than this say little about speed (the time is mostly the read's jitter).
const SPEED_HOP_M_MIN: f64 = 2_000.0;

/// Hops between two cameras needed for their travel times' spread to count.
const SPEED_HOPS_MIN: u32 = 10;

/// Travel times' logarithms are summed in units of `1 / LN_SCALE` (a fraction of a
/// millisecond in a minute's travel), as integers: the threads' sums then add up to the
/// same whatever order they are merged in, and so does every score that the speeds'
/// spread enters, run after run.
const LN_SCALE: f64 = (1u64 << 24) as f64;

/// The relative spread of speeds assumed when too few hops were measured.
const SPEED_SPREAD_DEFAULT: f64 = 0.08;

/// Plates per unit of work shared among the threads.
const PLATES_PER_CHUNK: usize = 4096;

/// Onward counts, dense for few cameras.
#[derive(Debug)]
enum Onward {
    /// `[from * n_cameras + to]`.
    Dense(Vec<u32>),
    Sparse(FastMap<u64, u32>),
}

/// How far the traffic carries on between cameras, and how much its speeds differ.
#[derive(Debug)]
pub(crate) struct Reach {
    n_cameras: usize,
    /// Per camera: the trips read there (each trip counted once per read).
    passes: Vec<u32>,
    onward: Onward,
    /// The typical spread (standard deviation) of `ln(travel time)` between two cameras
    /// across vehicles: how much faster or slower than one another strangers drive.
    speed_spread: f64,
}

/// What one thread counts.
struct Counts {
    passes: Vec<u32>,
    onward: Onward,
    /// Per hop (from, to): (hops, sum of ln time, sum of its square), in fixed point (see
    /// [`LN_SCALE`]).
    hops: FastMap<u64, (u32, i64, i128)>,
}

impl Counts {
    fn new(n_cameras: usize) -> Counts {
        Counts {
            passes: vec![0; n_cameras],
            onward: if n_cameras <= DENSE_CAMERAS_MAX {
                Onward::Dense(vec![0; n_cameras * n_cameras])
            } else {
                Onward::Sparse(FastMap::default())
            },
            hops: FastMap::default(),
        }
    }

    fn add_onward(&mut self, n_cameras: usize, from: u32, to: u32) {
        match &mut self.onward {
            Onward::Dense(cells) => cells[from as usize * n_cameras + to as usize] += 1,
            Onward::Sparse(map) => *map.entry(pair_key(from, to)).or_default() += 1,
        }
    }

    fn merge(mut self, other: Counts) -> Counts {
        for (mine, theirs) in self.passes.iter_mut().zip(&other.passes) {
            *mine += theirs;
        }
        match (&mut self.onward, other.onward) {
            (Onward::Dense(mine), Onward::Dense(theirs)) => {
                for (cell, add) in mine.iter_mut().zip(theirs) {
                    *cell += add;
                }
            }
            (Onward::Sparse(mine), Onward::Sparse(theirs)) => {
                for (key, add) in theirs {
                    *mine.entry(key).or_default() += add;
                }
            }
            _ => unreachable!("every thread counts in the same layout"),
        }
        for (key, (n, sum, sum_sq)) in other.hops {
            let hop = self.hops.entry(key).or_insert((0, 0, 0));
            hop.0 += n;
            hop.1 += sum;
            hop.2 += sum_sq;
        }
        self
    }
}

fn pair_key(from: u32, to: u32) -> u64 {
    (u64::from(from) << 32) | u64::from(to)
}

impl Reach {
    /// Counts the trips of the `counted` plates (light vehicles: the ones that can be
    /// convoy partners), split where a plate stops (as trips together are).
    pub(crate) fn build(table: &ReadTable, counted: &[bool], config: &AnalysisConfig) -> Reach {
        let n_cameras = table.cameras.len();
        let gap = config.occasion_gap_secs * MICROS;
        let counts = counted
            .par_chunks(PLATES_PER_CHUNK)
            .enumerate()
            .fold(
                || Counts::new(n_cameras),
                |mut counts, (chunk, counted)| {
                    let first = chunk * PLATES_PER_CHUNK;
                    let mut seen: Vec<u32> = Vec::with_capacity(LOOKAHEAD);
                    let plates = counted.iter().enumerate().filter(|(_, counted)| **counted);
                    for (offset, _) in plates {
                        let plate = first + offset;
                        let rows = table.plate_rows(plate as u32);
                        let mut start = 0;
                        for end in 1..=rows.len() {
                            if end < rows.len()
                                && together(table, rows[end - 1], rows[end], gap, config)
                            {
                                continue;
                            }
                            count_trip(table, &rows[start..end], &mut seen, &mut counts);
                            start = end;
                        }
                    }
                    counts
                },
            )
            .reduce(|| Counts::new(n_cameras), Counts::merge);
        let mut spreads: Vec<f64> = counts
            .hops
            .values()
            .filter(|(n, _, _)| *n >= SPEED_HOPS_MIN)
            .map(|&(n, sum, sum_sq)| {
                let (sum, sum_sq) = (sum as f64 / LN_SCALE, sum_sq as f64 / (LN_SCALE * LN_SCALE));
                let n = f64::from(n);
                let mean = sum / n;
                ((sum_sq / n - mean * mean) * n / (n - 1.0)).max(0.0).sqrt()
            })
            .collect();
        spreads.sort_by(f64::total_cmp);
        let speed_spread = spreads
            .get(spreads.len() / 2)
            .copied()
            .filter(|spread| *spread > 0.0)
            .unwrap_or(SPEED_SPREAD_DEFAULT);
        Reach {
            n_cameras,
            passes: counts.passes,
            onward: counts.onward,
            speed_spread,
        }
    }

    /// The share of the trips read at camera `from` that are read at camera `to` later on,
    /// with two trips added that carry on at the `prior` share, so that a camera seen on
    /// few trips says little.
    pub(crate) fn share(&self, from: u32, to: u32, prior: f64) -> f64 {
        if from == to {
            return 1.0;
        }
        let onward = match &self.onward {
            Onward::Dense(cells) => cells
                .get(from as usize * self.n_cameras + to as usize)
                .copied()
                .unwrap_or(0),
            Onward::Sparse(map) => map.get(&pair_key(from, to)).copied().unwrap_or(0),
        };
        let passes = self.passes.get(from as usize).copied().unwrap_or(0);
        (f64::from(onward) + 2.0 * prior) / (f64::from(passes) + 2.0)
    }

    /// The chance that two strangers on one road, driving `secs` apart from the first
    /// camera to the last, keep the time between them within `spread_secs`: each drives
    /// at its own speed, so the time between them drifts by about the spread of the
    /// speeds times the time driven.
    pub(crate) fn steady_chance(&self, secs: f64, spread_secs: f64) -> f64 {
        // Each of the two vehicles' times varies by `speed_spread * secs`; the difference
        // of two by `sqrt(2)` times that.
        let drift = std::f64::consts::SQRT_2 * self.speed_spread * secs;
        if drift <= spread_secs {
            return 1.0;
        }
        // The chance that a normal drift lands within `spread_secs` either side.
        libm::erf(spread_secs / (drift * std::f64::consts::SQRT_2))
    }
}

/// Counts one trip's passes, the cameras each read is followed by, and its hops' times.
fn count_trip(table: &ReadTable, rows: &[u32], seen: &mut Vec<u32>, counts: &mut Counts) {
    let n_cameras = counts.passes.len();
    for (idx, &row) in rows.iter().enumerate() {
        let camera = table.camera[row as usize];
        counts.passes[camera as usize] += 1;
        seen.clear();
        for &next in rows[idx + 1..].iter().take(LOOKAHEAD) {
            let onward = table.camera[next as usize];
            if onward != camera && !seen.contains(&onward) {
                seen.push(onward);
                counts.add_onward(n_cameras, camera, onward);
            }
        }
        if let Some(&next) = rows.get(idx + 1) {
            let onward = table.camera[next as usize];
            let secs = (table.ts[next as usize] - table.ts[row as usize]) as f64 / MICROS as f64;
            if onward != camera && secs > 0.0 && table.distance_m(row, next) >= SPEED_HOP_M_MIN {
                let hop = counts
                    .hops
                    .entry(pair_key(camera, onward))
                    .or_insert((0, 0, 0));
                let ln = (secs.ln() * LN_SCALE).round() as i64;
                hop.0 += 1;
                hop.1 += ln;
                hop.2 += i128::from(ln) * i128::from(ln);
            }
        }
    }
}
