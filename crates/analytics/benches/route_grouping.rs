//! Grouping trips into routes (`routes::group_sequences`) through its camera index, against
//! comparing every route with every trip, on synthetic trips:
//! `cargo bench -p corridor-analytics --features eval --bench route_grouping`.
//!
//! Trips are stretches of 3 to 27 cameras along 200 corridors of 30 cameras each (6,000
//! cameras), drawn by a fixed xorshift, longest first as `corridor analyse` orders them.
//! Prints, per number of trips, the routes made and the best of five runs of each way
//! (both ways give the same routes; the bench checks it).

use corridor_analytics::eval::group_route_sequences;
use std::time::{Duration, Instant};

const CORRIDORS: u64 = 200;
const CORRIDOR_CAMERAS: u32 = 30;
const RUNS: usize = 5;

fn trips(n: usize) -> Vec<Vec<u32>> {
    let mut state = 7u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut trips: Vec<Vec<u32>> = (0..n)
        .map(|_| {
            let corridor = (next() % CORRIDORS) as u32;
            let from = (next() % 20) as u32;
            let len = 3 + (next() % 25) as u32;
            (from..(from + len).min(CORRIDOR_CAMERAS))
                .map(|camera| corridor * CORRIDOR_CAMERAS + camera)
                .collect()
        })
        .collect();
    trips.sort_by_key(|cameras| std::cmp::Reverse(cameras.len()));
    trips
}

fn best_of(runs: usize, mut run: impl FnMut() -> Vec<Vec<usize>>) -> (Duration, Vec<Vec<usize>>) {
    let mut best = Duration::MAX;
    let mut groups = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        groups = std::hint::black_box(run());
        best = best.min(started.elapsed());
    }
    (best, groups)
}

fn main() {
    println!(
        "{:>6} {:>7} {:>12} {:>14}",
        "trips", "routes", "index ms", "one by one ms"
    );
    for n in [500, 2000, 5000] {
        let trips = trips(n);
        let sequences: Vec<&[u32]> = trips.iter().map(Vec::as_slice).collect();
        let (indexed, groups) = best_of(RUNS, || group_route_sequences(&sequences, 0.7, true));
        let (plain, same) = best_of(RUNS, || group_route_sequences(&sequences, 0.7, false));
        assert_eq!(groups, same, "both ways make the same routes");
        println!(
            "{n:>6} {:>7} {:>12.2} {:>14.2}",
            groups.len(),
            indexed.as_secs_f64() * 1e3,
            plain.as_secs_f64() * 1e3
        );
    }
}
