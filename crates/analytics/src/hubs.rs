//! Hubs: places where vehicles of interest repeatedly stop, found by clustering their
//! inferred stops across vehicles and days, and scored against everyone else's stops there.
//!
//! A cluster is a hub only if most of the stays there of at least `hub_dwell_secs_min` end
//! with the vehicle leaving in convoy at night: a hub is where a network meets, loads and
//! sets off together for the coast, which tells it from its members' homes (each usually
//! leaves alone), from beaches (brief stops) and from the depots and workplaces that
//! vehicles leave together by day. A shorter stay counts too where the place is a run's
//! base: the vehicle left in convoy at night and the convoy came back there (see
//! [`sets_off_and_returns`]), or a van set off from it alone at night and came back for a
//! short stay before going home (see [`runs_out_alone_and_back`]); a base needs only
//! those two visits. The tests run on the cluster's core: its stops within the cluster
//! radius of where its vehicles left in convoy from, not the neighbours' homes that
//! single linkage chains to it.

use crate::AnalysisConfig;
use crate::disjoint::root;
use crate::geo::{Point, centroid};
use crate::journeys::Stop;
use crate::table::{MICROS, NIGHT_HOURS_UTC, in_hours, in_working_hours};

/// Share of the long stays at a hub that must end with leaving in convoy.
const GATHERING_SHARE_MIN: f64 = 0.5;
/// The longest a run to the coast and back takes.
const RUN_HOURS_MAX: i64 = 12;
/// The shortest: out to a beach, the boat launched, and back.
const RUN_AWAY_HOURS_MIN: i64 = 2;
/// The longest a van stays where it came back to from a run before going home.
const RETURN_STAY_SECS_MAX: f64 = 3600.0;
/// A stay this long or longer is a vehicle parked at home or in a yard for a day or more,
/// not a visit: it counts neither for nor against the gatherings at a place.
const PARKED_SECS_MIN: f64 = 86_400.0;
/// A crew that came to a place in convoy and stayed this long or longer before setting
/// off keeps its vans there (a yard): the place is not told from a home by its set-offs.
const CAME_TOGETHER_STAY_SECS_MAX: f64 = 6.0 * 3600.0;
const HOUR_MICROS: i64 = 3600 * MICROS;
/// The longest stay that fits between the night's end and its start (05:00 to 19:00 UTC).
const DAY_HOURS_MAX: i64 = NIGHT_HOURS_UTC.0 - NIGHT_HOURS_UTC.1;
/// Stops whose place is known worse than this are not clustered.
const STOP_UNCERTAINTY_M_MAX: f64 = 12_000.0;
/// A hub needs a stop placed at least this well (bracketed by cameras at most 2 km apart,
/// or just beyond an access-road camera the vehicle came back past): stops bracketed by
/// cameras far apart, or by a through-road camera, all fall on the roads leading to a
/// hub, and together they would make a second hub a few kilometres off the real one.
pub(crate) const STOP_UNCERTAINTY_M_PLACED: f64 = 2000.0;

/// A hub and the stops that make it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HubFinding {
    pub(crate) centre: Point,
    pub(crate) radius_m: f64,
    pub(crate) stops: Vec<Stop>,
    pub(crate) plates: Vec<u32>,
    /// Stops by any vehicle within `radius_m` of the centre.
    pub(crate) stops_all: usize,
    /// `-log10 P(Bin(stops_all, share) >= stops)`, `share` being the share of all stops
    /// made by vehicles of interest.
    pub(crate) score: f64,
}

/// Clusters `stops` (of vehicles of interest) into hubs; `background` are the stop points
/// of every vehicle, interest ones included, and `share` the share of those that are by
/// vehicles of interest.
pub(crate) fn find_hubs(
    stops: &[Stop],
    background: &[Point],
    share: f64,
    config: &AnalysisConfig,
) -> Vec<HubFinding> {
    let usable = usable(stops);
    let clusters = cluster(&usable, config.hub_cluster_radius_m);
    let mut hubs: Vec<HubFinding> = clusters
        .into_iter()
        .filter_map(|members| judge(&usable, members, (background, share), config).ok())
        .collect();
    hubs.sort_by(|a, b| b.score.total_cmp(&a.score));
    hubs
}

/// The stops placed well enough to cluster.
fn usable(stops: &[Stop]) -> Vec<&Stop> {
    stops
        .iter()
        .filter(|stop| stop.uncertainty_m <= STOP_UNCERTAINTY_M_MAX)
        .collect()
}

/// Why a cluster of stops is not a hub.
#[derive(Debug)]
pub(crate) enum NotAHub {
    /// Fewer vehicles or visits in its core than `hub_vehicles_min` or `hub_visits_min`.
    TooFew { vehicles: usize, visits: usize },
    /// No stop placed within `STOP_UNCERTAINTY_M_PLACED`.
    NonePlaced,
    /// Under half the long stays end in convoy.
    NoGathering {
        long_stays: usize,
        gatherings: usize,
    },
    /// The stops there are no more than the vehicles of interest's share of everyone's.
    Common { score: f64, stops_all: usize },
}

impl std::fmt::Display for NotAHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotAHub::TooFew { vehicles, visits } => {
                write!(f, "{vehicles} vehicles and {visits} visits in its core")
            }
            NotAHub::NonePlaced => {
                let km = STOP_UNCERTAINTY_M_PLACED / 1000.0;
                write!(f, "no stop placed within {km} km")
            }
            NotAHub::NoGathering {
                long_stays,
                gatherings,
            } => write!(f, "{gatherings} of {long_stays} long stays end in convoy"),
            NotAHub::Common { score, stops_all } => {
                write!(f, "score {score:.2} among {stops_all} stops by anyone")
            }
        }
    }
}

/// The hub that the cluster `members` (indexes into `stops`) makes, or why it makes none.
fn judge(
    stops: &[&Stop],
    members: Vec<usize>,
    (background, share): (&[Point], f64),
    config: &AnalysisConfig,
) -> Result<HubFinding, NotAHub> {
    let members = gathering_core(stops, members, config.hub_cluster_radius_m);
    let mut plates: Vec<u32> = members.iter().map(|&idx| stops[idx].plate).collect();
    plates.sort_unstable();
    plates.dedup();
    let core: Vec<&Stop> = members.iter().map(|&idx| stops[idx]).collect();
    let alone: Vec<bool> = core
        .iter()
        .map(|stop| runs_out_alone_and_back(&core, stop, config))
        .collect();
    let set_offs: Vec<bool> = core
        .iter()
        .zip(&alone)
        .map(|(stop, &alone)| alone || sets_off_and_returns(&core, stop))
        .collect();
    let base = set_offs.contains(&true);
    // A run seen setting off from a place and coming back to it makes the place a base,
    // however few the visits there (the set-off and the return are two).
    let few = plates.len() < config.hub_vehicles_min || members.len() < config.hub_visits_min;
    if few && !base {
        let (vehicles, visits) = (plates.len(), members.len());
        return Err(NotAHub::TooFew { vehicles, visits });
    }
    if !members
        .iter()
        .any(|&idx| stops[idx].uncertainty_m <= STOP_UNCERTAINTY_M_PLACED)
    {
        return Err(NotAHub::NonePlaced);
    }
    // The stays that tell a meeting place from a home: the long ones and, at a run's
    // base, the set-offs whatever their length; not a stay of a day or more (a vehicle
    // parked in a yard or at home), nor a visit made within one day's working hours (a
    // hire van's other customers at a depot or a shop in the same town), which say nothing
    // of where vehicles meet at night.
    let long_stays: Vec<(&Stop, bool)> = core
        .iter()
        .zip(set_offs.iter().zip(&alone))
        .filter(|&(stop, (&set_off, _))| {
            (stop.dwell_secs >= config.hub_dwell_secs_min || set_off)
                && stop.dwell_secs < PARKED_SECS_MIN
                && !within_the_day(stop)
        })
        .map(|(&stop, (_, &alone))| (stop, alone))
        .collect();
    // A vehicle there since the working day that leaves in convoy has been at home: the
    // network's members who live in one town set off from it for the lock-up at one hour
    // of the evening, and are read together on the way. A crew comes to its lock-up in the
    // evening to load.
    let gatherings = long_stays
        .iter()
        .filter(|&&(stop, alone)| {
            (stop.departs_together && leaves_at_night(stop) && !in_working_hours(stop.span_us.0))
                || alone
        })
        .count();
    if gatherings == 0 || (gatherings as f64) < GATHERING_SHARE_MIN * long_stays.len() as f64 {
        let long_stays = long_stays.len();
        return Err(NotAHub::NoGathering {
            long_stays,
            gatherings,
        });
    }
    let (centre, rms_m) = weighted_centre(&core);
    let radius_m = rms_m.max(500.0);
    let area_m = radius_m.max(config.hub_cluster_radius_m);
    let stops_all = background
        .iter()
        .filter(|point| point.distance_m(centre) <= area_m)
        .count()
        .max(members.len());
    let score = -binomial_tail_log10(stops_all, members.len(), share);
    // A run's base stands on its own, however many others stop around it (a port).
    if score < config.hub_score_min && !base {
        return Err(NotAHub::Common { score, stops_all });
    }
    Ok(HubFinding {
        centre,
        radius_m,
        stops: members.iter().map(|&idx| stops[idx].clone()).collect(),
        plates,
        stops_all,
        score,
    })
}

/// Whether `stop` is where a run set off from: the vehicle left in convoy at night, and
/// the convoy came back to the place within `RUN_HOURS_MAX`. A gang's vans come to the
/// lock-up one by one in the evening, leave together for the coast and come back together
/// before dawn; commuters who drive home together do so by day. A vehicle that came on
/// its own may have been met by any vehicle of the core coming back. One that came in
/// convoy (a crew that drove a long way to the lock-up from one town), after a stay short
/// of a night's parking, must itself come back and end its run there: leave alone, or
/// after the night. A beach is reached in convoy and left in convoy, each time a boat is
/// launched in the night.
fn sets_off_and_returns(core: &[&Stop], stop: &Stop) -> bool {
    if !stop.departs_together || !leaves_at_night(stop) {
        return false;
    }
    let came_together = stop.arrives_together;
    if came_together && stop.dwell_secs >= CAME_TOGETHER_STAY_SECS_MAX {
        return false;
    }
    let left = stop.span_us.1;
    core.iter().any(|other| {
        let run_over = !other.departs_together || !leaves_at_night(other);
        other.arrives_together
            && other.span_us.0 > left
            && other.span_us.0 - left <= RUN_HOURS_MAX * HOUR_MICROS
            && (!came_together || (other.plate == stop.plate && run_over))
    })
}

/// Whether `stop` is where a van set off from alone on a run: it came outside working
/// hours, stayed `hub_dwell_secs_min` or more (loading), left at night, and came back to
/// the place at night hours later for a short stay before leaving again (unloading,
/// before going home). A home is come back to for the day.
fn runs_out_alone_and_back(core: &[&Stop], stop: &Stop, config: &AnalysisConfig) -> bool {
    if !leaves_at_night(stop)
        || stop.dwell_secs < config.hub_dwell_secs_min
        || in_working_hours(stop.span_us.0)
        || stop.dwell_secs >= PARKED_SECS_MIN
    {
        return false;
    }
    let left = stop.span_us.1;
    let run = RUN_AWAY_HOURS_MIN * HOUR_MICROS..=RUN_HOURS_MAX * HOUR_MICROS;
    core.iter().any(|other| {
        other.plate == stop.plate
            && run.contains(&(other.span_us.0 - left))
            && in_hours(other.span_us.0, NIGHT_HOURS_UTC)
            && leaves_at_night(other)
            && other.dwell_secs <= RETURN_STAY_SECS_MAX
    })
}

/// Whether the vehicle left `stop` at night, when runs to the coast set off.
fn leaves_at_night(stop: &Stop) -> bool {
    in_hours(stop.span_us.1, NIGHT_HOURS_UTC)
}

/// Whether the vehicle came and left between one morning and that evening, not at night.
fn within_the_day(stop: &Stop) -> bool {
    let (came, left) = stop.span_us;
    !in_hours(came, NIGHT_HOURS_UTC)
        && !in_hours(left, NIGHT_HOURS_UTC)
        && left - came < DAY_HOURS_MAX * HOUR_MICROS
}

/// The clusters of `stops` with a stop within `within_m` of `place`: each stop (plate,
/// distance from the place, uncertainty, dwell, whether it ended in convoy) and the hub the
/// cluster makes or why it makes none, as [`find_hubs`] judges them.
#[cfg(feature = "eval")]
pub(crate) fn explain_place(
    table: &crate::table::ReadTable,
    stops: &[Stop],
    (background, share): (&[Point], f64),
    (place, within_m): (Point, f64),
    config: &AnalysisConfig,
) -> String {
    use std::fmt::Write;
    let usable = usable(stops);
    let mut out = String::new();
    for members in cluster(&usable, config.hub_cluster_radius_m) {
        if !members
            .iter()
            .any(|&idx| usable[idx].point.distance_m(place) <= within_m)
        {
            continue;
        }
        let _ = write!(out, "\n    cluster of {} stops:", members.len());
        for &idx in &members {
            let stop = usable[idx];
            let left = stop.span_us.1;
            let _ = write!(
                out,
                "\n      {} left day {} at {:02}:{:02} UTC, {:.0} m off, +-{:.0} m, {:.0} min{}",
                table.plate_text(stop.plate),
                crate::convoys::day_of(left),
                crate::table::hour_of_day(left),
                left.rem_euclid(HOUR_MICROS) / (60 * MICROS),
                stop.point.distance_m(place),
                stop.uncertainty_m,
                stop.dwell_secs / 60.0,
                match (stop.arrives_together, stop.departs_together) {
                    (true, true) => ", came and left in convoy",
                    (true, false) => ", came in convoy",
                    (false, true) => ", left in convoy",
                    (false, false) => "",
                },
            );
        }
        let verdict = match judge(&usable, members, (background, share), config) {
            Ok(hub) => format!(
                "a hub {:.0} m off, score {:.2}",
                hub.centre.distance_m(place),
                hub.score
            ),
            Err(why) => format!("not a hub: {why}"),
        };
        let _ = write!(out, "\n      -> {verdict}");
    }
    if out.is_empty() {
        out.push_str(" no stop of a vehicle of interest nearby");
    }
    out
}

/// The stops in `members` (indexes into `stops`) around where vehicles left in convoy from:
/// within `radius_m` of the centre of those departures. Single-linkage clusters chain:
/// the homes of neighbours a few kilometres off, linked to the network's vehicles by a
/// stop or two in between, would join a hub's cluster, pull its centre towards their
/// streets and hide its gatherings among stays that each end alone.
fn gathering_core(stops: &[&Stop], members: Vec<usize>, radius_m: f64) -> Vec<usize> {
    let departures: Vec<&Stop> = members
        .iter()
        .map(|&idx| stops[idx])
        .filter(|stop| stop.departs_together)
        .collect();
    if departures.is_empty() {
        return members;
    }
    let (centre, _) = weighted_centre(&departures);
    members
        .into_iter()
        .filter(|&idx| stops[idx].point.distance_m(centre) <= radius_m)
        .collect()
}

/// The mean of the stop estimates weighted by the inverse square of their uncertainty (a
/// stop bracketed by two close cameras says more about the place than one bracketed by
/// cameras far apart), and the root-mean-square distance of the estimates from it.
fn weighted_centre(stops: &[&Stop]) -> (Point, f64) {
    let weight = |stop: &Stop| 1.0 / (stop.uncertainty_m * stop.uncertainty_m);
    let total: f64 = stops.iter().map(|stop| weight(stop)).sum();
    let centre = Point {
        lat: stops
            .iter()
            .map(|stop| weight(stop) * stop.point.lat)
            .sum::<f64>()
            / total,
        lon: stops
            .iter()
            .map(|stop| weight(stop) * stop.point.lon)
            .sum::<f64>()
            / total,
    };
    let points: Vec<Point> = stops.iter().map(|stop| stop.point).collect();
    let (_, rms_m) = centroid(&points);
    (centre, rms_m)
}

/// Single-linkage clusters of stops closer than `radius_m`; indexes into `stops`.
fn cluster(stops: &[&Stop], radius_m: f64) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..stops.len()).collect();
    for a in 0..stops.len() {
        for b in a + 1..stops.len() {
            if stops[a].point.distance_m(stops[b].point) <= radius_m {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra] = rb;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> =
        std::collections::BTreeMap::new();
    for idx in 0..stops.len() {
        let r = root(&mut parent, idx);
        groups.entry(r).or_default().push(idx);
    }
    groups.into_values().collect()
}

/// `log10 P(X >= k)` for `X ~ Binomial(n, p)`, without underflow whatever `n`: a `k` far
/// below the mean gives (nearly) certainty, not a vanishing first term.
pub(crate) fn binomial_tail_log10(n: usize, k: usize, p: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    if k > n {
        return -300.0;
    }
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    let ln_choose = |n: usize, k: usize| -> f64 {
        (1..=k)
            .map(|i| ((n - k + i) as f64).ln() - (i as f64).ln())
            .sum()
    };
    let ln_term = |i: usize| ln_choose(n, i) + i as f64 * p.ln() + (n - i) as f64 * (1.0 - p).ln();
    let log10 = if k as f64 > n as f64 * p {
        // The terms fall from `k` on: the first one in logs, times the sum of the ratios
        // of the others to it.
        let (mut ratio, mut ratios) = (1.0f64, 1.0f64);
        for i in k..n {
            ratio *= (n - i) as f64 / (i + 1) as f64 * p / (1.0 - p);
            ratios += ratio;
            if ratio < ratios * 1e-17 {
                break;
            }
        }
        (ln_term(k) + ratios.ln()) / std::f64::consts::LN_10
    } else {
        // `k` at or below the mean: one less the head is exact enough.
        let head: f64 = (0..k).map(|i| ln_term(i).exp()).sum();
        (1.0 - head).max(f64::MIN_POSITIVE).log10()
    };
    log10.clamp(-300.0, 0.0)
}
