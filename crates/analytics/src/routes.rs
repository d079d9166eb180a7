//! Routes: the frequent ordered camera sequences of the trips of vehicles of interest,
//! with their times and how rare each is in background traffic.

use crate::AnalysisConfig;
use crate::journeys::Trip;
use crate::table::{DAY_MICROS, FastMap, ReadTable, hour_of_day};

/// A route and the trips that follow it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RouteFinding {
    pub(crate) cameras: Vec<u32>,
    pub(crate) trips: Vec<Trip>,
    pub(crate) plates: Vec<u32>,
    /// Trips by hour of day (UTC) of their start.
    pub(crate) by_hour: [u32; 24],
    /// Trips by day of week of their start, Monday first.
    pub(crate) by_weekday: [u32; 7],
    /// `-log10` of the share of all vehicles that drove the route's least-used leg.
    pub(crate) score: f64,
}

/// Distinct plates per camera-to-camera leg, over every vehicle's trips.
pub(crate) type LegCounts = FastMap<(u32, u32), u32>;

/// Groups trips of vehicles of interest into routes.
pub(crate) fn find_routes(
    table: &ReadTable,
    trips: &[Trip],
    legs: &LegCounts,
    n_plates: usize,
    config: &AnalysisConfig,
) -> Vec<RouteFinding> {
    let mut sequences: Vec<(Vec<u32>, &Trip)> = trips
        .iter()
        .map(|trip| (trip.cameras(table), trip))
        .filter(|(cameras, _)| cameras.len() >= config.route_cameras_min)
        .collect();
    sequences.sort_by_key(|(cameras, _)| std::cmp::Reverse(cameras.len()));
    let cameras: Vec<&[u32]> = sequences.iter().map(|(cameras, _)| &cameras[..]).collect();
    let mut routes: Vec<RouteFinding> = group_sequences(&cameras, config.route_match_ratio)
        .into_iter()
        .filter(|members| members.len() >= config.route_trips_min)
        .map(|members| {
            let trips: Vec<&Trip> = members.iter().map(|&idx| sequences[idx].1).collect();
            let route = sequences[members[0]].0.clone();
            summarise(table, route, &trips, legs, n_plates)
        })
        .collect();
    routes.sort_by(|a, b| {
        (b.trips.len() as f64 * b.score).total_cmp(&(a.trips.len() as f64 * a.score))
    });
    routes
}

fn summarise(
    table: &ReadTable,
    cameras: Vec<u32>,
    members: &[&Trip],
    legs: &LegCounts,
    n_plates: usize,
) -> RouteFinding {
    let mut by_hour = [0u32; 24];
    let mut by_weekday = [0u32; 7];
    for trip in members {
        let ts = trip.start_ts(table);
        by_hour[hour_of_day(ts) as usize] += 1;
        // 1970-01-01 was a Thursday (index 3 with Monday first).
        by_weekday[(ts.div_euclid(DAY_MICROS) + 3).rem_euclid(7) as usize] += 1;
    }
    let rarest = cameras
        .windows(2)
        .map(|leg| legs.get(&(leg[0], leg[1])).copied().unwrap_or(1))
        .min()
        .unwrap_or(1);
    let score = -((f64::from(rarest)) / n_plates.max(1) as f64).log10();
    let mut plates: Vec<u32> = members.iter().map(|trip| trip.plate).collect();
    plates.sort_unstable();
    plates.dedup();
    RouteFinding {
        cameras,
        trips: members.iter().map(|&trip| trip.clone()).collect(),
        plates,
        by_hour,
        by_weekday,
        score,
    }
}

/// Groups camera sequences, in the order given (longest first): each joins the group it
/// matches best, or starts one. A sequence matches a group when they hold in order
/// (longest common subsequence) `ratio` of the shorter of the two, and half that of the
/// group's first sequence, which is the group's route; the best match holds the largest
/// share of the longer of the two (the first group made, on a tie). A trip home from a
/// beach that also matches the first half of a longer route (another network's, on to
/// Germany) belongs with the trips that end where it does. Each group is the indexes of
/// its sequences, its first first.
///
/// Only the groups whose routes share cameras enough with a sequence to match it are
/// compared with it (each camera counted as often as both pass it, which bounds the
/// subsequence in common), so that a sequence starting a group of its own is not compared
/// with every route made before it.
pub(crate) fn group_sequences(sequences: &[&[u32]], ratio: f64) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    // Per camera, the groups whose routes pass it and how many times.
    let mut passing: FastMap<u32, Vec<(usize, usize)>> = FastMap::default();
    let mut shared: Vec<usize> = Vec::new();
    let mut touched: Vec<usize> = Vec::new();
    for (idx, &cameras) in sequences.iter().enumerate() {
        let counts = camera_counts(cameras);
        for &(camera, times) in &counts {
            for &(group, in_route) in passing.get(&camera).map(Vec::as_slice).unwrap_or(&[]) {
                if shared[group] == 0 {
                    touched.push(group);
                }
                shared[group] += times.min(in_route);
            }
        }
        touched.sort_unstable();
        let mut best: Option<(f64, usize)> = None;
        for &group in &touched {
            let route = sequences[groups[group][0]];
            // The cameras shared bound the subsequence in common.
            if (shared[group] as f64) < common_needed(route.len(), cameras.len(), ratio) {
                continue;
            }
            if let Some(share) = match_share(route, cameras, ratio)
                && best.is_none_or(|(top, _)| share > top)
            {
                best = Some((share, group));
            }
        }
        for &group in &touched {
            shared[group] = 0;
        }
        touched.clear();
        match best {
            Some((_, group)) => groups[group].push(idx),
            None => {
                let group = groups.len();
                groups.push(vec![idx]);
                shared.push(0);
                for (camera, times) in counts {
                    passing.entry(camera).or_default().push((group, times));
                }
            }
        }
    }
    groups
}

/// The subsequence in common that a sequence of `len` cameras needs to match a route of
/// `route_len`: `ratio` of the shorter of the two, and half that of the route.
fn common_needed(route_len: usize, len: usize, ratio: f64) -> f64 {
    (ratio * route_len.min(len) as f64).max(ratio * route_len as f64 * 0.5)
}

/// Whether `cameras` match `route` (see [`group_sequences`]) and, if they do, the share of
/// the longer of the two they hold in common.
fn match_share(route: &[u32], cameras: &[u32], ratio: f64) -> Option<f64> {
    let common = lcs_len(route, cameras) as f64;
    (common >= common_needed(route.len(), cameras.len(), ratio))
        .then(|| common / cameras.len().max(route.len()) as f64)
}

/// [`group_sequences`] without its index, every group compared with every sequence: what
/// the index is tested against, and measured against (`route-grouping` bench).
#[cfg(any(test, feature = "eval"))]
pub(crate) fn group_sequences_one_by_one(sequences: &[&[u32]], ratio: f64) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (idx, &cameras) in sequences.iter().enumerate() {
        let mut best: Option<(f64, usize)> = None;
        for (group, members) in groups.iter().enumerate() {
            if let Some(share) = match_share(sequences[members[0]], cameras, ratio)
                && best.is_none_or(|(top, _)| share > top)
            {
                best = Some((share, group));
            }
        }
        match best {
            Some((_, group)) => groups[group].push(idx),
            None => groups.push(vec![idx]),
        }
    }
    groups
}

/// Each camera of `cameras` and how many times it comes in them, in camera order.
fn camera_counts(cameras: &[u32]) -> Vec<(u32, usize)> {
    let mut sorted = cameras.to_vec();
    sorted.sort_unstable();
    sorted
        .chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len()))
        .collect()
}

/// Length of the longest common subsequence.
pub(crate) fn lcs_len(a: &[u32], b: &[u32]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for &x in a {
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}
