//! Background traffic: the regular vehicles (commuters, delivery vans, hire vans, lorry fleet,
//! coaches) and each day's trips, with daily and weekly profiles.

use crate::corridor::NodeKind;
use crate::network::RoadNetwork;
use crate::trip::{TripPlan, UNTAGGED};
use crate::vehicle::{
    PlateIssuer, VehicleAttrs, VehicleClass, draw_lorry, draw_vehicle, weighted_index,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Microseconds in an hour and a day.
pub(crate) const HOUR_US: i64 = 3_600_000_000;
pub(crate) const DAY_US: i64 = 24 * HOUR_US;

/// Trip starts per local hour for cars: morning and evening peaks, a trough at 03:00.
pub(crate) const CAR_PROFILE: [u32; 24] = [
    15, 8, 6, 5, 8, 30, 80, 150, 160, 100, 80, 85, 90, 90, 90, 100, 130, 160, 140, 90, 60, 45, 35,
    25,
];
/// Long-distance cars: a broad daytime hump.
const LONG_PROFILE: [u32; 24] = [
    10, 5, 5, 5, 10, 40, 80, 100, 110, 120, 120, 110, 100, 100, 100, 100, 100, 100, 90, 70, 50, 35,
    25, 15,
];
/// Lorries run around the clock, with an early-morning rise.
const LORRY_PROFILE: [u32; 24] = [
    40, 35, 35, 40, 60, 90, 110, 120, 120, 120, 120, 110, 100, 100, 110, 110, 100, 90, 80, 70, 60,
    50, 45, 40,
];

/// Day-of-week factors (Monday first) for each kind of traffic.
const LOCAL_WEEK: [f64; 7] = [1.0, 1.0, 1.0, 1.0, 1.05, 0.85, 0.6];
const LONG_WEEK: [f64; 7] = [0.9, 0.85, 0.85, 0.9, 1.2, 1.0, 1.1];
/// Lorries: the French and German Sunday driving bans empty the roads.
const LORRY_WEEK: [f64; 7] = [1.0, 1.05, 1.05, 1.05, 1.0, 0.6, 0.15];

/// Shares of background reads by kind of traffic.
const SHARE_COMMUTE: f64 = 0.22;
const SHARE_LOCAL: f64 = 0.22;
const SHARE_LONG: f64 = 0.14;
const SHARE_LORRY: f64 = 0.26;
const SHARE_DELIVERY: f64 = 0.09;
const SHARE_HIRE: f64 = 0.03;
const SHARE_COACH: f64 = 0.04;

/// A commuter: the same trip at about the same time every working day.
#[derive(Clone, Debug)]
pub(crate) struct Commuter {
    pub(crate) attrs: VehicleAttrs,
    pub(crate) home: u16,
    pub(crate) work: u16,
    /// Local minutes after midnight.
    pub(crate) out_min: u16,
    pub(crate) back_min: u16,
    pub(crate) cruise_kmh: f32,
    pub(crate) pace: f32,
    /// The neighbour who leaves at the same time for the same place, if any.
    pub(crate) partner: Option<u32>,
}

/// A van on delivery rounds from a depot, Monday to Saturday.
#[derive(Clone, Debug)]
pub(crate) struct DeliveryVan {
    pub(crate) attrs: VehicleAttrs,
    pub(crate) depot: u16,
    pub(crate) tag: u32,
    /// Night rounds (bakery, parcels): also drives between 22:00 and 04:00.
    pub(crate) night_rounds: bool,
}

/// A van of a hire fleet.
#[derive(Clone, Debug)]
pub(crate) struct HireVan {
    pub(crate) attrs: VehicleAttrs,
    pub(crate) depot: u16,
}

/// A coach line: fixed departures with the line's coaches.
#[derive(Clone, Debug)]
pub(crate) struct CoachLine {
    pub(crate) from: u16,
    pub(crate) to: u16,
    pub(crate) departures_min: Vec<u16>,
    pub(crate) coaches: Vec<VehicleAttrs>,
}

/// The regular vehicles and the daily volumes of the transient ones.
#[derive(Clone, Debug)]
pub(crate) struct Population {
    pub(crate) commuters: Vec<Commuter>,
    pub(crate) delivery_vans: Vec<DeliveryVan>,
    pub(crate) hire_vans: Vec<HireVan>,
    pub(crate) lorry_fleet: Vec<VehicleAttrs>,
    pub(crate) coach_lines: Vec<CoachLine>,
    /// Trips per average day.
    pub(crate) local_trips: f64,
    pub(crate) long_trips: f64,
    pub(crate) lorry_trips: f64,
    /// Chance that a hire van is out on a given day.
    pub(crate) hire_rate: f64,
}

/// Expected reads of a trip between every pair of nodes (cameras on the path, times the
/// average detection rate).
#[derive(Clone, Debug)]
pub(crate) struct ReadEstimate {
    n: usize,
    reads: Vec<f64>,
}

impl ReadEstimate {
    pub(crate) fn new(network: &RoadNetwork) -> ReadEstimate {
        let n = network.n_nodes();
        let mut reads = vec![0.0; n * n];
        for from in 0..n as u16 {
            for to in 0..n as u16 {
                let cameras: usize = network
                    .path(from, to)
                    .map(|e| network.edges[e as usize].cameras.len())
                    .sum();
                reads[from as usize * n + to as usize] = cameras as f64 * 0.92;
            }
        }
        ReadEstimate { n, reads }
    }

    pub(crate) fn get(&self, from: u16, to: u16) -> f64 {
        self.reads[from as usize * self.n + to as usize]
    }
}

/// The calendar of a scenario: day-of-week of each day and the mean weekly factors.
#[derive(Clone, Debug)]
pub(crate) struct Calendar {
    /// 0 = Monday.
    pub(crate) weekdays: Vec<usize>,
}

impl Calendar {
    fn mean(&self, factors: &[f64; 7]) -> f64 {
        self.weekdays.iter().map(|d| factors[*d]).sum::<f64>() / self.weekdays.len() as f64
    }

    fn n_workdays(&self) -> usize {
        self.weekdays.iter().filter(|d| **d < 5).count()
    }
}

/// Builds the regular vehicles, sized so that the background makes about `n_reads` reads.
pub(crate) fn build_population(
    network: &RoadNetwork,
    estimate: &ReadEstimate,
    calendar: &Calendar,
    n_reads: f64,
    rng: &mut ChaCha8Rng,
    plates: &mut PlateIssuer,
) -> Population {
    let days = calendar.weekdays.len() as f64;
    let per_day = n_reads / days;
    let towns = network.towns();
    let commuters = build_commuters(
        network,
        estimate,
        calendar,
        n_reads * SHARE_COMMUTE,
        rng,
        plates,
    );
    // Delivery rounds: about three legs a day, Monday to Saturday.
    let delivery_days = calendar.weekdays.iter().filter(|d| **d < 6).count().max(1) as f64;
    let mean_leg = sample_mean(rng, 400, |rng| {
        let depot = pick_town(rng, &towns);
        let stop = pick_near(network, rng, depot, 50_000.0);
        estimate.get(depot, stop)
    });
    let n_delivery = ((n_reads * SHARE_DELIVERY) / (delivery_days * 4.0 * mean_leg.max(0.5)))
        .ceil()
        .max(4.0) as usize;
    let delivery_vans = (0..n_delivery)
        .map(|_| {
            let depot = pick_town(rng, &towns);
            let country = network.nodes[depot as usize].country;
            DeliveryVan {
                attrs: draw_vehicle(rng, plates, VehicleClass::Van, country),
                depot,
                tag: UNTAGGED,
                night_rounds: rng.random_bool(0.1),
            }
        })
        .collect();
    let hire_rate = 0.45;
    let mean_hire = sample_mean(rng, 400, |rng| {
        let depot = pick_town(rng, &towns);
        2.0 * estimate.get(depot, pick_town(rng, &towns))
    });
    let n_hire = ((n_reads * SHARE_HIRE) / (days * hire_rate * mean_hire.max(0.5)))
        .ceil()
        .max(6.0) as usize;
    let hire_vans = (0..n_hire)
        .map(|_| {
            let depot = pick_town(rng, &towns);
            let country = network.nodes[depot as usize].country;
            HireVan {
                attrs: draw_vehicle(rng, plates, VehicleClass::Van, country),
                depot,
            }
        })
        .collect();
    let mean_local = sample_mean(rng, 1000, |rng| {
        let from = pick_town(rng, &towns);
        estimate.get(from, pick_near(network, rng, from, 70_000.0))
    });
    let mean_long = sample_mean(rng, 1000, |rng| {
        let (from, to) = pick_long(network, rng, &towns);
        estimate.get(from, to)
    });
    let mean_lorry = sample_mean(rng, 1000, |rng| {
        let (from, to) = pick_lorry_od(network, rng, &towns);
        estimate.get(from, to)
    });
    let lorry_trips = per_day * SHARE_LORRY / mean_lorry.max(0.5);
    let lorry_fleet = (0..((lorry_trips * 0.4) as usize).max(10))
        .map(|_| draw_lorry(rng, plates))
        .collect();
    Population {
        commuters,
        delivery_vans,
        hire_vans,
        lorry_fleet,
        coach_lines: build_coach_lines(network, estimate, per_day * SHARE_COACH, rng, plates),
        local_trips: per_day * SHARE_LOCAL / mean_local.max(0.5) / calendar.mean(&LOCAL_WEEK),
        long_trips: per_day * SHARE_LONG / mean_long.max(0.5) / calendar.mean(&LONG_WEEK),
        lorry_trips: lorry_trips / calendar.mean(&LORRY_WEEK),
        hire_rate,
    }
}

fn sample_mean(
    rng: &mut ChaCha8Rng,
    n: usize,
    mut draw: impl FnMut(&mut ChaCha8Rng) -> f64,
) -> f64 {
    (0..n).map(|_| draw(rng)).sum::<f64>() / n as f64
}

fn pick_town(rng: &mut ChaCha8Rng, towns: &[(u16, u32)]) -> u16 {
    let total: u32 = towns.iter().map(|t| t.1).sum();
    let mut pick = rng.random_range(0..total);
    for (town, weight) in towns {
        if pick < *weight {
            return *town;
        }
        pick -= weight;
    }
    unreachable!("pick is below the total weight")
}

/// A destination within `radius_m` of road distance: a town, village, port or estate.
pub(crate) fn pick_near(
    network: &RoadNetwork,
    rng: &mut ChaCha8Rng,
    from: u16,
    radius_m: f64,
) -> u16 {
    let candidates: Vec<(u16, u32)> = (0..network.n_nodes() as u16)
        .filter(|to| *to != from && network.road_m(from, *to) <= radius_m)
        .filter_map(|to| {
            let weight = match network.nodes[to as usize].kind {
                NodeKind::Town(w) => u32::from(w) * 3,
                NodeKind::Village | NodeKind::Port | NodeKind::Hub => 2,
                NodeKind::Junction | NodeKind::Launch => return None,
            };
            Some((to, weight))
        })
        .collect();
    if candidates.is_empty() {
        // Every node has a neighbour within a few tens of kilometres; this is the fallback
        // for a radius smaller than that.
        return (0..network.n_nodes() as u16)
            .filter(|to| {
                *to != from && matches!(network.nodes[*to as usize].kind, NodeKind::Town(_))
            })
            .min_by(|a, b| {
                network
                    .road_m(from, *a)
                    .total_cmp(&network.road_m(from, *b))
            })
            .expect("the network has towns");
    }
    let weights: Vec<u32> = candidates.iter().map(|c| c.1).collect();
    candidates[weighted_index(rng, &weights)].0
}

fn pick_long(network: &RoadNetwork, rng: &mut ChaCha8Rng, towns: &[(u16, u32)]) -> (u16, u16) {
    loop {
        let from = pick_town(rng, towns);
        let to = pick_town(rng, towns);
        if network.road_m(from, to) >= 100_000.0 {
            return (from, to);
        }
    }
}

fn ports(network: &RoadNetwork) -> Vec<u16> {
    network.nodes_where(|n| n.kind == NodeKind::Port)
}

fn pick_lorry_od(network: &RoadNetwork, rng: &mut ChaCha8Rng, towns: &[(u16, u32)]) -> (u16, u16) {
    let ports = ports(network);
    if rng.random_bool(0.7) {
        let port = ports[rng.random_range(0..ports.len())];
        let town = loop {
            let town = pick_town(rng, towns);
            if network.road_m(port, town) > 40_000.0 {
                break town;
            }
        };
        if rng.random_bool(0.5) {
            (port, town)
        } else {
            (town, port)
        }
    } else {
        pick_long(network, rng, towns)
    }
}

fn build_commuters(
    network: &RoadNetwork,
    estimate: &ReadEstimate,
    calendar: &Calendar,
    target_reads: f64,
    rng: &mut ChaCha8Rng,
    plates: &mut PlateIssuer,
) -> Vec<Commuter> {
    let towns = network.towns();
    let attendance = 0.92;
    let workdays = calendar.n_workdays() as f64;
    let mut commuters: Vec<Commuter> = Vec::new();
    let mut expected = 0.0;
    while expected < target_reads && workdays > 0.0 {
        let home = pick_town(rng, &towns);
        let work = pick_near(network, rng, home, 80_000.0);
        let per_trip = estimate.get(home, work);
        if per_trip < 0.5 {
            continue;
        }
        let country = network.nodes[home as usize].country;
        let class = if rng.random_bool(0.9) {
            VehicleClass::Car
        } else {
            VehicleClass::Van
        };
        let out_min = rng.random_range(6 * 60 + 15..9 * 60) as u16;
        let back_min = out_min + rng.random_range(8 * 60 + 30..9 * 60 + 45) as u16;
        let cruise = rng.random_range(105.0..130.0f32);
        let pace = rng.random_range(0.9..1.0f32);
        let index = commuters.len() as u32;
        let paired = rng.random_bool(0.15);
        commuters.push(Commuter {
            attrs: draw_vehicle(rng, plates, class, country),
            home,
            work,
            out_min,
            back_min,
            cruise_kmh: cruise,
            pace,
            partner: paired.then_some(index + 1),
        });
        expected += 2.0 * per_trip * workdays * attendance;
        if paired {
            // A neighbour on the same shift: same estate, same road, same minute.
            commuters.push(Commuter {
                attrs: draw_vehicle(rng, plates, VehicleClass::Car, country),
                home,
                work,
                out_min: out_min + rng.random_range(0..2),
                back_min: back_min + rng.random_range(0..2),
                cruise_kmh: cruise,
                pace,
                partner: Some(index),
            });
            expected += 2.0 * per_trip * workdays * attendance;
        }
    }
    commuters
}

fn build_coach_lines(
    network: &RoadNetwork,
    estimate: &ReadEstimate,
    reads_per_day: f64,
    rng: &mut ChaCha8Rng,
    plates: &mut PlateIssuer,
) -> Vec<CoachLine> {
    const LINES: [(&str, &str, &str); 10] = [
        ("brussel", "swanley", "BE"),
        ("swanley", "brussel", "GB"),
        ("rotterdam", "swanley", "NL"),
        ("swanley", "rotterdam", "GB"),
        ("koeln", "swanley", "DE"),
        ("swanley", "koeln", "GB"),
        ("lille", "swanley", "FR"),
        ("swanley", "lille", "GB"),
        ("antwerpen", "lille", "BE"),
        ("dortmund", "brussel", "DE"),
    ];
    let mean_reads = LINES
        .iter()
        .map(|(a, b, _)| estimate.get(network.node(a), network.node(b)))
        .sum::<f64>()
        / LINES.len() as f64;
    let departures_per_line = ((reads_per_day / mean_reads.max(0.5)) / LINES.len() as f64)
        .ceil()
        .max(1.0) as usize;
    LINES
        .iter()
        .map(|(from, to, country)| {
            let departures_min = (0..departures_per_line)
                .map(|_| rng.random_range(5 * 60..23 * 60) as u16)
                .collect();
            let coaches = (0..departures_per_line)
                .map(|_| draw_vehicle(rng, plates, VehicleClass::Coach, country))
                .collect();
            CoachLine {
                from: network.node(from),
                to: network.node(to),
                departures_min,
                coaches,
            }
        })
        .collect()
}

/// Everything a day's background planning needs to know.
pub(crate) struct DayCtx<'a> {
    pub(crate) network: &'a RoadNetwork,
    pub(crate) population: &'a Population,
    /// UTC microseconds of local midnight that starts the day.
    pub(crate) midnight_us: i64,
    pub(crate) weekday: usize,
    /// Hire vans a network has rented today (not available to customers).
    pub(crate) hire_busy: &'a [bool],
}

/// Records of the day's background patterns, for the truth file.
#[derive(Clone, Debug, Default)]
pub(crate) struct DayPatterns {
    /// Platoons: the lorries' indexes into the day's plans.
    pub(crate) platoons: Vec<Vec<usize>>,
}

fn start_in_hour(rng: &mut ChaCha8Rng, midnight_us: i64, profile: &[u32; 24]) -> i64 {
    let hour = weighted_index(rng, profile) as i64;
    midnight_us + hour * HOUR_US + rng.random_range(0..HOUR_US)
}

fn at_minute(midnight_us: i64, minute: u16, jitter_secs: i64, rng: &mut ChaCha8Rng) -> i64 {
    midnight_us
        + i64::from(minute) * 60_000_000
        + rng.random_range(-jitter_secs..=jitter_secs) * 1_000_000
}

fn trip(start_us: i64, from: u16, to: u16, attrs: VehicleAttrs, rng: &mut ChaCha8Rng) -> TripPlan {
    let (low, high) = attrs.class.cruise_kmh();
    TripPlan {
        start_us,
        from,
        to,
        attrs,
        cruise_kmh: rng.random_range(low..high) as f32,
        pace: rng.random_range(0.9..1.0f32),
        tag: UNTAGGED,
        seed: rng.random(),
    }
}

/// A lorry driver's daily rest (EU rules: 11 hours), after which a fleet lorry may set off
/// again. It is longer than any drive across the corridor, so a lorry that ended its last
/// trip anywhere can be at its next trip's start by then.
const LORRY_REST_US: i64 = 11 * HOUR_US;

/// When each fleet lorry and hire van is next free to set off (UTC microseconds): a vehicle
/// that drives on many days is never in two places at once, even when a long trip runs on
/// past midnight into the next day.
#[derive(Clone, Debug)]
pub(crate) struct Availability {
    lorries: Vec<i64>,
    hire_vans: Vec<i64>,
}

impl Availability {
    pub(crate) fn new(population: &Population) -> Availability {
        Availability {
            lorries: vec![i64::MIN; population.lorry_fleet.len()],
            hire_vans: vec![i64::MIN; population.hire_vans.len()],
        }
    }
}

/// Plans the background trips of one day.
pub(crate) fn plan_background_day(
    ctx: &DayCtx<'_>,
    rng: &mut ChaCha8Rng,
    (plates, free): (&mut PlateIssuer, &mut Availability),
    plans: &mut Vec<TripPlan>,
) -> DayPatterns {
    let mut patterns = DayPatterns::default();
    plan_commutes(ctx, rng, plans);
    plan_deliveries(ctx, rng, plans);
    plan_hires(ctx, rng, &mut free.hire_vans, plans);
    plan_coaches(ctx, rng, plans);
    let towns = ctx.network.towns();
    let n_local = poisson_like(rng, ctx.population.local_trips * LOCAL_WEEK[ctx.weekday]);
    for _ in 0..n_local {
        let from = pick_town(rng, &towns);
        let to = pick_near(ctx.network, rng, from, 70_000.0);
        let country = if rng.random_bool(0.92) {
            ctx.network.nodes[from as usize].country
        } else {
            "NL"
        };
        let class = if rng.random_bool(0.85) {
            VehicleClass::Car
        } else {
            VehicleClass::Van
        };
        let attrs = draw_vehicle(rng, plates, class, country);
        let start = start_in_hour(rng, ctx.midnight_us, &CAR_PROFILE);
        plans.push(trip(start, from, to, attrs, rng));
    }
    let n_long = poisson_like(rng, ctx.population.long_trips * LONG_WEEK[ctx.weekday]);
    for _ in 0..n_long {
        let (from, to) = pick_long(ctx.network, rng, &towns);
        let country =
            ctx.network.nodes[if rng.random_bool(0.5) { from } else { to } as usize].country;
        let attrs = draw_vehicle(rng, plates, VehicleClass::Car, country);
        let start = start_in_hour(rng, ctx.midnight_us, &LONG_PROFILE);
        plans.push(trip(start, from, to, attrs, rng));
    }
    let fleet = (plates, free.lorries.as_mut_slice());
    plan_lorries(ctx, rng, fleet, plans, &mut patterns, &towns);
    patterns
}

/// A count near `mean` (the integer part plus a Bernoulli draw for the fraction).
fn poisson_like(rng: &mut ChaCha8Rng, mean: f64) -> usize {
    let whole = mean.floor();
    whole as usize + usize::from(rng.random_bool((mean - whole).clamp(0.0, 1.0)))
}

fn plan_commutes(ctx: &DayCtx<'_>, rng: &mut ChaCha8Rng, plans: &mut Vec<TripPlan>) {
    if ctx.weekday >= 5 {
        return;
    }
    let commuters = &ctx.population.commuters;
    let mut index = 0;
    while index < commuters.len() {
        // A pair shares the day's decisions: they drive in together when both go.
        let pair_len = match commuters[index].partner {
            Some(partner) if partner as usize == index + 1 => 2,
            _ => 1,
        };
        let goes = rng.random_bool(0.92);
        let jitter_out = rng.random_range(-240..=240i64) * 1_000_000;
        let jitter_back = rng.random_range(-360..=360i64) * 1_000_000;
        for member in &commuters[index..index + pair_len] {
            if !goes {
                continue;
            }
            let out = at_minute(ctx.midnight_us, member.out_min, 20, rng) + jitter_out;
            let back = at_minute(ctx.midnight_us, member.back_min, 20, rng) + jitter_back;
            for (start, from, to) in [
                (out, member.home, member.work),
                (back, member.work, member.home),
            ] {
                plans.push(TripPlan {
                    start_us: start,
                    from,
                    to,
                    attrs: member.attrs,
                    cruise_kmh: member.cruise_kmh,
                    pace: member.pace,
                    tag: UNTAGGED,
                    seed: rng.random(),
                });
            }
        }
        index += pair_len;
    }
}

fn plan_deliveries(ctx: &DayCtx<'_>, rng: &mut ChaCha8Rng, plans: &mut Vec<TripPlan>) {
    if ctx.weekday == 6 {
        return;
    }
    for van in &ctx.population.delivery_vans {
        let mut at = van.depot;
        let mut t = ctx.midnight_us + rng.random_range(6 * 60 + 30..9 * 60) * 60_000_000;
        let n_legs = rng.random_range(2..=4);
        for leg in 0..=n_legs {
            let to = if leg == n_legs {
                van.depot
            } else {
                pick_near(ctx.network, rng, van.depot, 50_000.0)
            };
            if to == at {
                continue;
            }
            let mut plan = trip(t, at, to, van.attrs, rng);
            plan.tag = van.tag;
            t = crate::trip::arrival_us(ctx.network, &plan) + rng.random_range(20..90) * 60_000_000;
            plans.push(plan);
            at = to;
        }
        if van.night_rounds && rng.random_bool(0.6) {
            let to = pick_near(ctx.network, rng, van.depot, 60_000.0);
            let start = ctx.midnight_us + rng.random_range(22 * 60..25 * 60) * 60_000_000;
            let mut plan = trip(start, van.depot, to, van.attrs, rng);
            plan.tag = van.tag;
            let back =
                crate::trip::arrival_us(ctx.network, &plan) + rng.random_range(15..40) * 60_000_000;
            plans.push(plan);
            let mut plan = trip(back, to, van.depot, van.attrs, rng);
            plan.tag = van.tag;
            plans.push(plan);
        }
    }
}

/// Hire vans out with customers; `free_us` is when each van is back at its depot from its
/// last customer (a van still out on a long hire from the day before is not hired again).
fn plan_hires(
    ctx: &DayCtx<'_>,
    rng: &mut ChaCha8Rng,
    free_us: &mut [i64],
    plans: &mut Vec<TripPlan>,
) {
    let towns = ctx.network.towns();
    for (index, van) in ctx.population.hire_vans.iter().enumerate() {
        let hired = rng.random_bool(ctx.population.hire_rate);
        if !hired || ctx.hire_busy[index] {
            continue;
        }
        let to = pick_town(rng, &towns);
        if to == van.depot {
            continue;
        }
        let start = ctx.midnight_us + rng.random_range(8 * 60..13 * 60) * 60_000_000;
        let plan = trip(start, van.depot, to, van.attrs, rng);
        let back =
            crate::trip::arrival_us(ctx.network, &plan) + rng.random_range(60..300) * 60_000_000;
        // Drawn before the van is found busy, so that the draws of the day's other trips
        // are the same either way.
        let back_plan = trip(back, to, van.depot, van.attrs, rng);
        if start < free_us[index] {
            continue;
        }
        free_us[index] = crate::trip::arrival_us(ctx.network, &back_plan);
        plans.push(plan);
        plans.push(back_plan);
    }
}

fn plan_coaches(ctx: &DayCtx<'_>, rng: &mut ChaCha8Rng, plans: &mut Vec<TripPlan>) {
    for line in &ctx.population.coach_lines {
        for (index, minute) in line.departures_min.iter().enumerate() {
            let coach = line.coaches[index % line.coaches.len()];
            let start = at_minute(ctx.midnight_us, *minute, 300, rng);
            plans.push(trip(start, line.from, line.to, coach, rng));
        }
    }
}

fn plan_lorries(
    ctx: &DayCtx<'_>,
    rng: &mut ChaCha8Rng,
    (plates, free_us): (&mut PlateIssuer, &mut [i64]),
    plans: &mut Vec<TripPlan>,
    patterns: &mut DayPatterns,
    towns: &[(u16, u32)],
) {
    let fleet = &ctx.population.lorry_fleet;
    let n_lorries = poisson_like(rng, ctx.population.lorry_trips * LORRY_WEEK[ctx.weekday]);
    let mut planned = 0;
    let fleet_offset = rng.random_range(0..fleet.len());
    let mut fleet_cursor = 0;
    while planned < n_lorries {
        let (from, to) = pick_lorry_od(ctx.network, rng, towns);
        let start = start_in_hour(rng, ctx.midnight_us, &LORRY_PROFILE);
        let leaves_port = ctx.network.nodes[from as usize].kind == NodeKind::Port;
        // Lorries off the same ferry leave in a queue and stay together on the motorway.
        let size = if leaves_port && rng.random_bool(0.5) {
            [2, 2, 2, 2, 2, 3, 3, 3, 4, 5][rng.random_range(0..10)]
        } else {
            1
        };
        let cruise = rng.random_range(82.0..90.0f32);
        let pace = 1.0;
        let mut members = Vec::new();
        let mut t = start;
        for _ in 0..size {
            // A fleet lorry drives at most once a day, in daytime, and only after its
            // driver's rest since its last trip ended (a long trip can end after midnight),
            // so that it is never in two places at once; the rest are one-off foreign lorries.
            let local_hour = (t - ctx.midnight_us) / HOUR_US;
            let from_fleet = ((4..20).contains(&local_hour)
                && fleet_cursor < fleet.len()
                && rng.random_bool(0.5))
            .then(|| (fleet_offset + fleet_cursor + 1) % fleet.len())
            .filter(|&idx| free_us[idx] <= t);
            let attrs = match from_fleet {
                Some(idx) => {
                    fleet_cursor += 1;
                    fleet[idx]
                }
                None => draw_lorry(rng, plates),
            };
            members.push(plans.len());
            plans.push(TripPlan {
                start_us: t,
                from,
                to,
                attrs,
                cruise_kmh: cruise,
                pace,
                tag: UNTAGGED,
                seed: rng.random(),
            });
            if let Some(idx) = from_fleet {
                let plan = plans.last().expect("just pushed");
                free_us[idx] = crate::trip::arrival_us(ctx.network, plan) + LORRY_REST_US;
            }
            t += rng.random_range(4..40) * 1_000_000;
        }
        if size > 1 {
            patterns.platoons.push(members);
        }
        planned += size;
    }
}
