//! Scoring a report against a simulator's `truth.json`: the accuracy measures of issue 4,
//! shared by the `analytics-eval` harness and the scenario tests.
//!
//! Reports are read as JSON values, so that the naive DuckDB baseline's output (same field
//! names) is scored by the same code.

use crate::geo::great_circle_m;
use corridor_sim::Truth;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// A reported hub counts when it lies this close to a planted hub.
pub const HUB_MATCH_M: f64 = 2000.0;
/// A planted route counts when a reported route holds this share of its cameras in order.
pub const ROUTE_MATCH_SHARE: f64 = 0.7;

/// Precision and recall of one kind of finding (`None` when undefined: nothing to count).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct PrecisionRecall {
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub reported: usize,
    /// Reported findings that match a planted one.
    pub true_reported: usize,
    pub planted: usize,
    /// Planted findings that a reported one matches.
    pub found: usize,
}

impl PrecisionRecall {
    fn new(true_reported: usize, reported: usize, found: usize, planted: usize) -> Self {
        PrecisionRecall {
            precision: ratio(true_reported, reported),
            recall: ratio(found, planted),
            reported,
            true_reported,
            planted,
            found,
        }
    }
}

/// Every accuracy measure of one report.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Scores {
    pub hubs: PrecisionRecall,
    pub convoys: PrecisionRecall,
    pub clones: PrecisionRecall,
    pub swaps: PrecisionRecall,
    /// Share of planted routes (driven at least twice) recovered.
    pub routes_recall: Option<f64>,
    pub routes_planted: usize,
    /// Precision at k of the ranked vehicles, k = number of network plates.
    pub ranked_precision_at_k: Option<f64>,
    pub k: usize,
    /// Cameras reported with a clock off, against those planted off by
    /// `CLOCK_SCORED_SECS_MIN` or more (`None` for a report without `camera_skews`).
    pub camera_clocks: Option<PrecisionRecall>,
    /// Median error, in seconds, of the reported clock skews of cameras planted off.
    pub camera_clock_error_secs: Option<f64>,
    /// Of the reads in the reported tracks of planted cloned plates, the share in the track
    /// where most of their own vehicle's reads are.
    pub clone_tracks_right: Option<f64>,
}

/// Planted clock skews smaller than this are within the noise of the estimate and are
/// neither asked for nor counted against a report (the analysis corrects from 45 s).
pub const CLOCK_SCORED_SECS_MIN: f64 = 45.0;

/// Scores `report` against `truth`; `read_plates` maps read ids to plate texts (needed to
/// know which plates each planted convoy occasion showed together).
pub fn score(report: &Value, truth: &Truth, read_plates: &HashMap<String, String>) -> Scores {
    let (routes_recall, routes_planted) = score_routes(report, truth);
    let (ranked_precision_at_k, k) = score_ranked(report, truth);
    let clocks = score_clocks(report, truth);
    Scores {
        hubs: score_hubs(report, truth),
        convoys: score_pairs(
            &reported_pairs(report, "convoys", None),
            &truth_convoy_pairs(truth, read_plates),
        ),
        clones: score_clones(report, truth),
        swaps: score_pairs(
            &reported_pairs(report, "clones", Some("swap")),
            &truth_swap_pairs(truth),
        ),
        routes_recall,
        routes_planted,
        ranked_precision_at_k,
        k,
        camera_clocks: clocks.map(|(clocks, _)| clocks),
        camera_clock_error_secs: clocks.and_then(|(_, error)| error),
        clone_tracks_right: score_clone_tracks(report, truth),
    }
}

/// The reported camera clocks against the planted skews, and the median error of the
/// reported skews of cameras planted off.
fn score_clocks(report: &Value, truth: &Truth) -> Option<(PrecisionRecall, Option<f64>)> {
    let reported: HashMap<&str, f64> = report
        .get("camera_skews")?
        .as_array()?
        .iter()
        .filter_map(|skew| {
            let camera = skew.get("camera_id")?.as_str()?;
            Some((camera, skew.get("skew_secs")?.as_f64()?))
        })
        .collect();
    let planted: HashMap<&str, f64> = truth
        .camera_faults
        .skews
        .iter()
        .filter(|skew| skew.skew_secs.abs() >= CLOCK_SCORED_SECS_MIN)
        .map(|skew| (skew.camera_id.as_str(), skew.skew_secs))
        .collect();
    let mut errors: Vec<f64> = reported
        .iter()
        .filter_map(|(camera, secs)| planted.get(camera).map(|planted| (secs - planted).abs()))
        .collect();
    errors.sort_by(f64::total_cmp);
    let hits = errors.len();
    let median = errors.get(errors.len() / 2).copied();
    Some((
        PrecisionRecall::new(hits, reported.len(), hits, planted.len()),
        median,
    ))
}

/// Of the reads of the planted cloned plates' two vehicles in the reported tracks, the
/// share that are in a track most of whose reads are their own vehicle's.
fn score_clone_tracks(report: &Value, truth: &Truth) -> Option<f64> {
    let (mut right, mut all) = (0usize, 0usize);
    for clone in &truth.clones {
        let Some(finding) = array(report, "clones").iter().find(|entry| {
            entry.get("plate").and_then(Value::as_str) == Some(clone.plate.plate.as_str())
                && entry.get("kind").and_then(Value::as_str) != Some("swap")
        }) else {
            continue;
        };
        let sides: [BTreeSet<&str>; 2] = [&clone.innocent, &clone.cloner]
            .map(|side| side.read_ids.iter().map(String::as_str).collect());
        for track in array(finding, "tracks") {
            let ids: Vec<&str> = track
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let [innocent, cloner] = sides
                .each_ref()
                .map(|side| ids.iter().filter(|id| side.contains(*id)).count());
            right += innocent.max(cloner);
            all += innocent + cloner;
        }
    }
    ratio(right, all)
}

/// Read ids of every planted convoy occasion (to build `read_plates` cheaply).
pub fn truth_read_ids(truth: &Truth) -> BTreeSet<String> {
    truth
        .convoys
        .iter()
        .flat_map(|c| &c.occasions)
        .flat_map(|o| o.read_ids.iter().cloned())
        .collect()
}

fn array<'a>(report: &'a Value, field: &str) -> &'a [Value] {
    report
        .get(field)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The planted hubs that a network visited (the others the reads cannot show).
fn visited_hubs(truth: &Truth) -> impl Iterator<Item = &corridor_sim::truth::Hub> {
    let visited: BTreeSet<&str> = truth.hub_visits.iter().map(|v| v.hub_id.as_str()).collect();
    truth
        .hubs
        .iter()
        .filter(move |hub| visited.contains(hub.id.as_str()))
}

fn score_hubs(report: &Value, truth: &Truth) -> PrecisionRecall {
    let planted: Vec<(f64, f64)> = visited_hubs(truth).map(|hub| (hub.lat, hub.lon)).collect();
    let reported = reported_hubs(report);
    let near = |a: (f64, f64), b: (f64, f64)| great_circle_m(a.0, a.1, b.0, b.1) <= HUB_MATCH_M;
    let true_reported = reported
        .iter()
        .filter(|r| planted.iter().any(|p| near(**r, *p)))
        .count();
    let found = planted
        .iter()
        .filter(|p| reported.iter().any(|r| near(*r, **p)))
        .count();
    PrecisionRecall::new(true_reported, reported.len(), found, planted.len())
}

/// The latitude and longitude of each hub of a report.
fn reported_hubs(report: &Value) -> Vec<(f64, f64)> {
    array(report, "hubs")
        .iter()
        .filter_map(|hub| Some((hub.get("lat")?.as_f64()?, hub.get("lon")?.as_f64()?)))
        .collect()
}

type Pair = (String, String);

fn pair(a: &str, b: &str) -> Pair {
    if a < b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// Plate pairs of a report's `field` entries (every pair within each entry's `plates`),
/// keeping only entries of `kind` when given.
fn reported_pairs(report: &Value, field: &str, kind: Option<&str>) -> BTreeSet<Pair> {
    let mut pairs = BTreeSet::new();
    for entry in array(report, field) {
        if kind.is_some_and(|kind| entry.get("kind").and_then(Value::as_str) != Some(kind)) {
            continue;
        }
        let plates: Vec<&str> = array(entry, "plates")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for (idx, a) in plates.iter().enumerate() {
            for b in &plates[idx + 1..] {
                if a != b {
                    pairs.insert(pair(a, b));
                }
            }
        }
    }
    pairs
}

/// Pairs of plates of different vehicles read on one planted convoy occasion.
pub fn truth_convoy_pairs(truth: &Truth, read_plates: &HashMap<String, String>) -> BTreeSet<Pair> {
    let vehicle_of: HashMap<&str, &str> = truth
        .network_plates
        .iter()
        .map(|p| (p.plate.as_str(), p.vehicle_id.as_str()))
        .collect();
    let mut pairs = BTreeSet::new();
    for occasion in truth.convoys.iter().flat_map(|c| &c.occasions) {
        if occasion.camera_ids.is_empty() {
            continue;
        }
        let plates: BTreeSet<&str> = occasion
            .read_ids
            .iter()
            .filter_map(|id| read_plates.get(id))
            .map(String::as_str)
            .collect();
        let plates: Vec<&str> = plates
            .into_iter()
            .filter(|p| vehicle_of.contains_key(p))
            .collect();
        for (idx, a) in plates.iter().enumerate() {
            for b in &plates[idx + 1..] {
                if vehicle_of.get(a) != vehicle_of.get(b) {
                    pairs.insert(pair(a, b));
                }
            }
        }
    }
    pairs
}

fn truth_swap_pairs(truth: &Truth) -> BTreeSet<Pair> {
    let mut pairs = BTreeSet::new();
    for swap in &truth.swaps {
        let seen: Vec<&str> = swap
            .plates
            .iter()
            .zip(&swap.read_ids)
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(plate, _)| plate.plate.as_str())
            .collect();
        for (idx, a) in seen.iter().enumerate() {
            for b in &seen[idx + 1..] {
                pairs.insert(pair(a, b));
            }
        }
    }
    pairs
}

fn score_pairs(reported: &BTreeSet<Pair>, planted: &BTreeSet<Pair>) -> PrecisionRecall {
    let hits = reported.intersection(planted).count();
    PrecisionRecall::new(hits, reported.len(), hits, planted.len())
}

fn score_clones(report: &Value, truth: &Truth) -> PrecisionRecall {
    let planted: BTreeSet<&str> = truth
        .clones
        .iter()
        .filter(|clone| !clone.cloner.read_ids.is_empty() && !clone.innocent.read_ids.is_empty())
        .map(|clone| clone.plate.plate.as_str())
        .collect();
    let reported: BTreeSet<&str> = array(report, "clones")
        .iter()
        .filter(|entry| entry.get("kind").and_then(Value::as_str) != Some("swap"))
        .filter_map(|entry| entry.get("plate").and_then(Value::as_str))
        .collect();
    let hits = reported.intersection(&planted).count();
    PrecisionRecall::new(hits, reported.len(), hits, planted.len())
}

fn score_routes(report: &Value, truth: &Truth) -> (Option<f64>, usize) {
    let reported = reported_routes(report);
    let planted: Vec<&corridor_sim::truth::Route> = planted_routes(truth).collect();
    let found = planted
        .iter()
        .filter(|route| route_found(&reported, route))
        .count();
    (ratio(found, planted.len()), planted.len())
}

/// The camera ids of each route of a report, in order.
fn reported_routes(report: &Value) -> Vec<Vec<&str>> {
    array(report, "routes")
        .iter()
        .map(|route| {
            array(route, "cameras")
                .iter()
                .filter_map(Value::as_str)
                .collect()
        })
        .collect()
}

/// The planted routes scored: driven twice or more, through two cameras or more.
fn planted_routes(truth: &Truth) -> impl Iterator<Item = &corridor_sim::truth::Route> {
    truth
        .routes
        .iter()
        .filter(|r| r.n_trips >= 2 && r.camera_ids.len() >= 2)
}

/// Whether a reported route holds [`ROUTE_MATCH_SHARE`] of `route`'s cameras in order.
fn route_found(reported: &[Vec<&str>], route: &corridor_sim::truth::Route) -> bool {
    holds_enough(closest_route(reported, route), route)
}

/// Whether the closest reported route (see [`closest_route`]) holds enough of `route`.
fn holds_enough(closest: Option<(usize, usize)>, route: &corridor_sim::truth::Route) -> bool {
    let held = closest.map_or(0, |(common, _)| common);
    held as f64 >= ROUTE_MATCH_SHARE * route.camera_ids.len() as f64
}

/// The reported route that holds most of `route`'s cameras in order (the first, on a tie):
/// how many it holds, and its index.
fn closest_route(
    reported: &[Vec<&str>],
    route: &corridor_sim::truth::Route,
) -> Option<(usize, usize)> {
    let wanted: Vec<&str> = route.camera_ids.iter().map(String::as_str).collect();
    reported
        .iter()
        .enumerate()
        .map(|(idx, cameras)| (lcs(cameras, &wanted), idx))
        .max_by_key(|&(common, idx)| (common, std::cmp::Reverse(idx)))
}

/// Each planted route (as scored) that no reported route holds enough of: a line naming
/// it (network, kind, where from and to, trips, cameras) and how much of it the closest
/// reported route holds in order, with that route's cameras and trips.
pub fn missed_routes(report: &Value, truth: &Truth) -> Vec<String> {
    let reported = reported_routes(report);
    let trips = |idx: usize| {
        array(report, "routes")
            .get(idx)
            .and_then(|route| route.get("trips"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    planted_routes(truth)
        .filter_map(|route| {
            let closest = closest_route(&reported, route);
            (!holds_enough(closest, route)).then_some((route, closest))
        })
        .map(|(route, closest)| {
            let head = format!(
                "{} ({} {} {} -> {}, {} trips, {} cameras)",
                route.id,
                route.network_id,
                route.kind,
                route.from,
                route.to,
                route.n_trips,
                route.camera_ids.len()
            );
            match closest {
                Some((common, idx)) => format!(
                    "{head}: the closest reported route holds {common} of them in order \
                     ({} cameras, {} trips: {})",
                    reported[idx].len(),
                    trips(idx),
                    reported[idx].join(" ")
                ),
                None => format!("{head}: no route reported"),
            }
        })
        .collect()
}

fn lcs(a: &[&str], b: &[&str]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
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

fn score_ranked(report: &Value, truth: &Truth) -> (Option<f64>, usize) {
    let network: BTreeSet<&str> = truth
        .network_plates
        .iter()
        .map(|p| p.plate.as_str())
        .collect();
    let k = network.len();
    let top: Vec<&str> = array(report, "ranked_vehicles")
        .iter()
        .filter_map(|v| v.get("plate").and_then(Value::as_str))
        .take(k)
        .collect();
    let hits = top.iter().filter(|plate| network.contains(**plate)).count();
    (ratio(hits, k), k)
}

/// The planted convoy pairs a report found, those it missed, and the pairs it reported
/// that no planted convoy made, for reading why (see [`Explainer::pairs`]).
pub fn convoy_pairs_by_outcome(
    report: &Value,
    truth: &Truth,
    read_plates: &HashMap<String, String>,
) -> [(&'static str, Vec<(String, String)>); 3] {
    let reported = reported_pairs(report, "convoys", None);
    let planted = truth_convoy_pairs(truth, read_plates);
    [
        ("found", planted.intersection(&reported).cloned().collect()),
        ("missed", planted.difference(&reported).cloned().collect()),
        ("false", reported.difference(&planted).cloned().collect()),
    ]
}

/// The planted hubs (visited) that no reported hub lies within [`HUB_MATCH_M`] of: id,
/// latitude, longitude.
pub fn missed_hubs(report: &Value, truth: &Truth) -> Vec<(String, f64, f64)> {
    let reported = reported_hubs(report);
    visited_hubs(truth)
        .filter(|hub| {
            !reported
                .iter()
                .any(|r| great_circle_m(r.0, r.1, hub.lat, hub.lon) <= HUB_MATCH_M)
        })
        .map(|hub| (hub.id.clone(), hub.lat, hub.lon))
        .collect()
}

/// The reported hubs farther than `HUB_MATCH_M` from every visited planted hub: each one's
/// place as text, and its latitude and longitude.
pub fn false_hubs(report: &Value, truth: &Truth) -> Vec<(String, f64, f64)> {
    let visited: Vec<&corridor_sim::truth::Hub> = visited_hubs(truth).collect();
    reported_hubs(report)
        .into_iter()
        .filter(|r| {
            !visited
                .iter()
                .any(|hub| great_circle_m(r.0, r.1, hub.lat, hub.lon) <= HUB_MATCH_M)
        })
        .map(|(lat, lon)| (format!("at {lat:.4},{lon:.4}"), lat, lon))
        .collect()
}

/// Groups camera sequences (longest first) into routes as `corridor analyse` does, through
/// its camera index, or, with `indexed` false, comparing every group with every sequence:
/// for the `route-grouping` bench. Each group is the indexes of its sequences.
#[cfg(feature = "eval")]
pub fn group_route_sequences(sequences: &[&[u32]], ratio: f64, indexed: bool) -> Vec<Vec<usize>> {
    if indexed {
        crate::routes::group_sequences(sequences, ratio)
    } else {
        crate::routes::group_sequences_one_by_one(sequences, ratio)
    }
}

/// Why the analysis found what it found, for a developer reading a scenario's misses
/// (`analytics-eval --explain`): the analysis' corrections (clocks, misreads), plans and
/// indexes are worked out once and shared by every question.
#[cfg(feature = "eval")]
pub struct Explainer {
    ground: crate::pipeline::Groundwork,
    plates: crate::convoys::DiscoveryPlates,
    config: crate::AnalysisConfig,
}

#[cfg(feature = "eval")]
impl std::fmt::Debug for Explainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explainer")
            .field("plates", &self.ground.table.n_plates())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "eval")]
impl Explainer {
    /// Corrects and indexes `input` as the analysis does with `config`.
    pub fn new(
        input: &crate::AnalysisInput,
        config: &crate::AnalysisConfig,
    ) -> Result<Explainer, crate::Error> {
        let mut timings = crate::pipeline::Timings::new();
        let engine = crate::Engine::Embedded;
        let ground = crate::pipeline::prepare(input, config, &engine, &mut timings)?;
        let (table, light, days) = (&ground.table, &ground.light, &ground.plate_days);
        let plates = crate::convoys::DiscoveryPlates::new(table, light, days, config);
        Ok(Explainer {
            ground,
            plates,
            config: config.clone(),
        })
    }

    /// How each pair of plate texts scores in the convoy searches, occasion by occasion:
    /// one line of text per pair.
    pub fn pairs(&self, pairs: &[(String, String)]) -> Vec<String> {
        let ground = &self.ground;
        let table = &ground.table;
        let describe = |plate: u32| {
            format!(
                "{} days, {} reads, {}",
                ground.plate_days[plate as usize],
                table.plate_rows(plate).len(),
                self.plates.describe(plate)
            )
        };
        pairs
            .iter()
            .map(|(a, b)| {
                let (Some(&plate_a), Some(&plate_b)) = (
                    table.plates_with_text(a).first(),
                    table.plates_with_text(b).first(),
                ) else {
                    return format!("{a} {b}: a plate was never read");
                };
                let why = crate::convoys::explain_pair(
                    table,
                    &ground.index,
                    &ground.traffic,
                    (plate_a, plate_b),
                    &self.config,
                );
                format!(
                    "{a} ({}) {b} ({}): {why}",
                    describe(plate_a),
                    describe(plate_b)
                )
            })
            .collect()
    }

    /// How the stops of the vehicles of interest cluster near each of `places` (latitude,
    /// longitude), and why each cluster is or is not a hub, after the whole analysis of
    /// `input` (the one this was made from).
    pub fn hubs(&self, input: &crate::AnalysisInput, places: &[(f64, f64)]) -> Vec<String> {
        let points: Vec<crate::geo::Point> = places
            .iter()
            .map(|&(lat, lon)| crate::geo::Point { lat, lon })
            .collect();
        let near = HUB_MATCH_M * 2.0;
        crate::pipeline::explain_hubs(&self.ground, input, &self.config, &points, near)
    }
}
