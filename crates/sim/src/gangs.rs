//! Planted smuggling networks: hubs, night runs to the coast with scouts, plate swaps, cloned
//! plates, hire vans and seeds.

use crate::corridor::NodeKind;
use crate::network::RoadNetwork;
use crate::traffic::{DeliveryVan, HOUR_US, pick_near};
use crate::trip::{TripPlan, UNTAGGED, arrival_us};
use crate::vehicle::{PlateBuf, PlateIssuer, VehicleAttrs, VehicleClass, draw_vehicle};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const MINUTE_US: i64 = 60_000_000;
/// The shortest stay at the hub before a run leaves: loading boats and engines.
const LOADING_US_MIN: i64 = 20 * MINUTE_US;
/// The least time a gang's vehicle stands between the end of one trip plan and the next.
const REST_US: i64 = 30 * MINUTE_US;

/// What a network vehicle does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Role {
    /// Carries boats and engines from the hub to the beach.
    Van,
    /// Drives minutes ahead of or behind the vans to watch for police.
    Scout,
    /// A hire van the network rents for a few days at a time.
    HireVan,
}

impl Role {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Van => "van",
            Role::Scout => "scout",
            Role::HireVan => "hire_van",
        }
    }
}

/// A vehicle of a network.
#[derive(Clone, Debug)]
pub(crate) struct GangVehicle {
    pub(crate) vehicle_id: String,
    pub(crate) role: Role,
    pub(crate) attrs: VehicleAttrs,
    /// Every plate it carries (more than one for a swapping van).
    pub(crate) plates: Vec<PlateBuf>,
    /// For a cloned plate: the index of the innocent delivery van whose plate it carries.
    pub(crate) clone_of: Option<usize>,
}

/// One smuggling network.
#[derive(Clone, Debug)]
pub(crate) struct Gang {
    pub(crate) id: String,
    pub(crate) hubs: Vec<u16>,
    pub(crate) launches: Vec<u16>,
    pub(crate) home: u16,
    pub(crate) supply_from: u16,
    pub(crate) vehicles: Vec<GangVehicle>,
    /// Whether the network also rents hire vans.
    pub(crate) uses_hire: bool,
    /// The current rental: (hire van index, last day).
    pub(crate) rental: Option<(usize, u32)>,
    /// Per vehicle of `vehicles`: when its last trip planned so far ends (µs), so that a
    /// day's trips never start before the last night's are over (a far hub brings a van
    /// home in the afternoon).
    pub(crate) free_at_us: Vec<i64>,
}

/// What a tagged trip was, for the truth file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TagKind {
    ToHub,
    HubToLaunch,
    LaunchToHub,
    HubToHome,
    ToSupplier,
    SupplierToHub,
    ScoutOut,
    ScoutHome,
    /// A trip of an innocent vehicle whose plate a network has cloned.
    Innocent,
}

/// A tagged trip: every read it makes is recorded in the truth file.
#[derive(Clone, Debug)]
pub(crate) struct TagInfo {
    pub(crate) kind: TagKind,
    /// Network index, or `u16::MAX` for an innocent vehicle.
    pub(crate) gang: u16,
    /// Vehicle index within the network, or the innocent's delivery van index.
    pub(crate) vehicle: u32,
    pub(crate) plate: PlateBuf,
    pub(crate) country: u8,
    pub(crate) from: u16,
    pub(crate) to: u16,
    pub(crate) start_us: i64,
    pub(crate) arrive_us: i64,
    pub(crate) occasion: Option<u32>,
    /// The hub visit this trip ends (arrival) or starts (departure).
    pub(crate) visit_arrive: Option<u32>,
    pub(crate) visit_leave: Option<u32>,
}

/// A stay of a network vehicle at a hub.
#[derive(Clone, Debug)]
pub(crate) struct Visit {
    pub(crate) gang: u16,
    pub(crate) hub: u16,
    pub(crate) vehicle: u32,
    pub(crate) plate: PlateBuf,
    pub(crate) country: u8,
    pub(crate) arrive_us: i64,
    pub(crate) leave_us: i64,
}

/// Vehicles of one network travelling together on one trip.
#[derive(Clone, Debug)]
pub(crate) struct Occasion {
    pub(crate) gang: u16,
    pub(crate) tags: Vec<u32>,
}

/// Every tagged trip, hub visit and convoy occasion planned so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct Registry {
    pub(crate) tags: Vec<TagInfo>,
    pub(crate) visits: Vec<Visit>,
    pub(crate) occasions: Vec<Occasion>,
    /// Tag of each innocent delivery van, by its index.
    pub(crate) innocent_tags: Vec<(usize, u32)>,
}

impl Registry {
    fn tag(&mut self, info: TagInfo) -> u32 {
        self.tags.push(info);
        (self.tags.len() - 1) as u32
    }
}

/// The number of networks for a scenario of `n_reads` reads: at least two, one more per
/// 1.5 million reads, at most ten (one per candidate hub).
pub(crate) fn default_n_gangs(n_reads: u64) -> u32 {
    (2 + n_reads / 1_500_000).min(10) as u32
}

/// Creates the networks and picks the innocent vans whose plates they clone.
pub(crate) fn build_gangs(
    network: &RoadNetwork,
    n_gangs: u32,
    delivery_vans: &mut [DeliveryVan],
    registry: &mut Registry,
    rng: &mut ChaCha8Rng,
    plates: &mut PlateIssuer,
) -> Vec<Gang> {
    let mut hubs = network.nodes_where(|n| n.kind == NodeKind::Hub);
    hubs.shuffle(rng);
    let launches = network.nodes_where(|n| n.kind == NodeKind::Launch);
    let n = n_gangs as usize;
    // Innocent vans far from the coast, east of Brussels: their plates are cloned.
    let mut far_vans: Vec<usize> = (0..delivery_vans.len())
        .filter(|i| network.nodes[delivery_vans[*i].depot as usize].lon > 4.3)
        .collect();
    far_vans.shuffle(rng);
    let mut gangs = Vec::with_capacity(n);
    for g in 0..n {
        let mut gang_hubs = vec![hubs[g % hubs.len()]];
        if n * 2 <= hubs.len() {
            gang_hubs.push(hubs[g + n]);
        }
        let mut gang_launches = launches.clone();
        gang_launches.shuffle(rng);
        gang_launches.truncate(rng.random_range(2..=3));
        let home = nearest_town(network, gang_hubs[0]);
        let supply_from = far_town(network, gang_hubs[0], rng);
        let country = network.nodes[home as usize].country;
        let mut vehicles = Vec::new();
        let n_vans = rng.random_range(2..=3);
        for v in 0..n_vans {
            let van_country = if rng.random_bool(0.7) { country } else { "GB" };
            let mut attrs = draw_vehicle(rng, plates, VehicleClass::Van, van_country);
            let mut plate_list = vec![attrs.plate];
            let mut clone_of = None;
            let swaps = v == 0 && (g % 2 == 0 || rng.random_bool(0.4));
            let clones = v == 1 && (g % 2 == 1 || rng.random_bool(0.3));
            if swaps {
                for _ in 0..rng.random_range(1..=3) {
                    plate_list
                        .push(plates.issue(crate::vehicle::COUNTRIES[attrs.country as usize]));
                }
            } else if clones && let Some(victim) = far_vans.pop() {
                // The same make and model as the innocent van, usually the same colour too.
                let innocent = &mut delivery_vans[victim];
                innocent.night_rounds = false;
                let colour = if rng.random_bool(0.8) {
                    innocent.attrs.colour
                } else {
                    attrs.colour
                };
                attrs = VehicleAttrs {
                    colour,
                    ..innocent.attrs
                };
                plate_list = vec![innocent.attrs.plate];
                clone_of = Some(victim);
                let tag = registry.tag(TagInfo {
                    kind: TagKind::Innocent,
                    gang: u16::MAX,
                    vehicle: victim as u32,
                    plate: innocent.attrs.plate,
                    country: innocent.attrs.country,
                    from: innocent.depot,
                    to: innocent.depot,
                    start_us: 0,
                    arrive_us: 0,
                    occasion: None,
                    visit_arrive: None,
                    visit_leave: None,
                });
                innocent.tag = tag;
                registry.innocent_tags.push((victim, tag));
            }
            vehicles.push(GangVehicle {
                vehicle_id: format!("N{}-V{}", g + 1, v + 1),
                role: Role::Van,
                attrs,
                plates: plate_list,
                clone_of,
            });
        }
        for s in 0..rng.random_range(1..=2) {
            let attrs = draw_vehicle(rng, plates, VehicleClass::Car, country);
            vehicles.push(GangVehicle {
                vehicle_id: format!("N{}-S{}", g + 1, s + 1),
                role: Role::Scout,
                attrs,
                plates: vec![attrs.plate],
                clone_of: None,
            });
        }
        gangs.push(Gang {
            id: format!("N{}", g + 1),
            hubs: gang_hubs,
            launches: gang_launches,
            home,
            supply_from,
            free_at_us: vec![i64::MIN; vehicles.len()],
            vehicles,
            uses_hire: rng.random_bool(0.5),
            rental: None,
        });
    }
    gangs
}

fn nearest_town(network: &RoadNetwork, node: u16) -> u16 {
    network
        .towns()
        .into_iter()
        .map(|t| t.0)
        .min_by(|a, b| {
            network
                .road_m(node, *a)
                .total_cmp(&network.road_m(node, *b))
        })
        .expect("the network has towns")
}

fn far_town(network: &RoadNetwork, node: u16, rng: &mut ChaCha8Rng) -> u16 {
    let far: Vec<u16> = network
        .towns()
        .into_iter()
        .map(|t| t.0)
        .filter(|t| network.road_m(node, *t) > 120_000.0)
        .collect();
    far[rng.random_range(0..far.len())]
}

/// Context for planning one day of one network.
pub(crate) struct GangDay<'a> {
    pub(crate) network: &'a RoadNetwork,
    pub(crate) midnight_us: i64,
    pub(crate) hire_vans: &'a [crate::traffic::HireVan],
    pub(crate) delivery_vans: &'a [DeliveryVan],
}

/// Rents hire vans for the day (before the background is planned, so that customers do not
/// drive a van a network has).
pub(crate) fn update_rentals(
    gangs: &mut [Gang],
    day: u32,
    n_hire: usize,
    busy: &mut [bool],
    rng: &mut ChaCha8Rng,
) {
    for gang in gangs.iter_mut().filter(|g| g.uses_hire) {
        let expired = gang.rental.is_none_or(|(_, until)| until < day);
        if expired && n_hire > 0 {
            // The van returned this morning may still be on its way back: keep it off hire today.
            if let Some((returned, _)) = gang.rental {
                busy[returned] = true;
            }
            // Hire vans change often: a new van every two to four days.
            let mut van = rng.random_range(0..n_hire);
            for _ in 0..n_hire {
                if !busy[van] {
                    break;
                }
                van = (van + 1) % n_hire;
            }
            gang.rental = Some((van, day + rng.random_range(1..=3)));
        }
        if let Some((van, _)) = gang.rental {
            busy[van] = true;
        }
    }
}

/// Plans one network's trips for one day: maybe a night run, maybe a supply run.
pub(crate) fn plan_gang_day(
    ctx: &GangDay<'_>,
    gang_idx: u16,
    gang: &mut Gang,
    registry: &mut Registry,
    rng: &mut ChaCha8Rng,
    plans: &mut Vec<TripPlan>,
) {
    let planned = plans.len();
    // A supply day and a run night never share a day: the van cannot do both.
    if rng.random_bool(0.12) {
        plan_supply(ctx, gang_idx, gang, registry, rng, plans);
    } else if rng.random_bool(0.5) {
        plan_run(ctx, gang_idx, gang, registry, rng, plans);
    }
    for plan in &plans[planned..] {
        let Some(tag) = registry.tags.get(plan.tag as usize) else {
            continue;
        };
        if tag.kind == TagKind::Innocent {
            continue;
        }
        if let Some(free_at) = gang.free_at_us.get_mut(tag.vehicle as usize) {
            *free_at = (*free_at).max(tag.arrive_us);
        }
    }
}

/// The time `member` may set off at, drawn as `start_us`: never before it is back from
/// its last trip and has rested, one vehicle being in one place at a time.
fn free_start(gang: &Gang, member: &Crew, start_us: i64) -> i64 {
    let free_at = gang.free_at_us.get(member.vehicle as usize).copied();
    free_at.map_or(start_us, |free_at| {
        start_us.max(free_at.saturating_add(REST_US))
    })
}

/// A crew member of tonight's run: which vehicle, with which plate.
#[derive(Clone, Copy)]
struct Crew {
    vehicle: u32,
    attrs: VehicleAttrs,
    role: Role,
}

fn crew_member(gang: &Gang, vehicle: usize, rng: &mut ChaCha8Rng) -> Crew {
    let gang_vehicle = &gang.vehicles[vehicle];
    let plate = gang_vehicle.plates[rng.random_range(0..gang_vehicle.plates.len())];
    Crew {
        vehicle: vehicle as u32,
        attrs: VehicleAttrs {
            plate,
            ..gang_vehicle.attrs
        },
        role: gang_vehicle.role,
    }
}

#[allow(clippy::too_many_arguments)]
fn push_trip(
    ctx: &GangDay<'_>,
    registry: &mut Registry,
    rng: &mut ChaCha8Rng,
    plans: &mut Vec<TripPlan>,
    (gang_idx, crew): (u16, Crew),
    kind: TagKind,
    (from, to, start_us): (u16, u16, i64),
    (cruise_kmh, pace): (f32, f32),
) -> (u32, i64) {
    let plan = TripPlan {
        start_us,
        from,
        to,
        attrs: crew.attrs,
        cruise_kmh,
        pace,
        tag: UNTAGGED,
        seed: rng.random(),
    };
    let arrive_us = arrival_us(ctx.network, &plan);
    let tag = registry.tag(TagInfo {
        kind,
        gang: gang_idx,
        vehicle: crew.vehicle,
        plate: crew.attrs.plate,
        country: crew.attrs.country,
        from,
        to,
        start_us,
        arrive_us,
        occasion: None,
        visit_arrive: None,
        visit_leave: None,
    });
    plans.push(TripPlan { tag, ..plan });
    (tag, arrive_us)
}

fn plan_run(
    ctx: &GangDay<'_>,
    gang_idx: u16,
    gang: &Gang,
    registry: &mut Registry,
    rng: &mut ChaCha8Rng,
    plans: &mut Vec<TripPlan>,
) {
    let hub = gang.hubs[rng.random_range(0..gang.hubs.len())];
    let launch = gang.launches[rng.random_range(0..gang.launches.len())];
    let vans: Vec<usize> = (0..gang.vehicles.len())
        .filter(|v| gang.vehicles[*v].role == Role::Van)
        .collect();
    let scouts: Vec<usize> = (0..gang.vehicles.len())
        .filter(|v| gang.vehicles[*v].role == Role::Scout)
        .collect();
    let mut crew = vec![crew_member(
        gang,
        vans[rng.random_range(0..vans.len())],
        rng,
    )];
    if let Some((hire, _)) = gang.rental {
        crew.push(Crew {
            vehicle: u32::MAX - hire as u32,
            attrs: ctx.hire_vans[hire].attrs,
            role: Role::HireVan,
        });
    } else if rng.random_bool(0.5) {
        let second = vans[rng.random_range(0..vans.len())];
        if second as u32 != crew[0].vehicle {
            crew.push(crew_member(gang, second, rng));
        }
    }
    let n_vans = crew.len();
    if rng.random_bool(0.85) {
        crew.push(crew_member(
            gang,
            scouts[rng.random_range(0..scouts.len())],
            rng,
        ));
    }
    // Everyone drives to the hub in the evening, on their own.
    let mut hub_arrivals = Vec::new();
    for member in &crew {
        let drawn = ctx.midnight_us + 18 * HOUR_US + rng.random_range(30..150) * MINUTE_US;
        let start = free_start(gang, member, drawn);
        let (cruise, pace) = (
            rng.random_range(100.0..120.0f32),
            rng.random_range(0.9..1.0f32),
        );
        let (tag, arrive) = push_trip(
            ctx,
            registry,
            rng,
            plans,
            (gang_idx, *member),
            TagKind::ToHub,
            (gang.home, hub, start),
            (cruise, pace),
        );
        hub_arrivals.push((tag, arrive));
    }
    // Loading done, they leave together between 22:00 and 01:30, the scout minutes ahead or behind;
    // never before everyone has arrived and loaded: a far hub makes the night later.
    let depart_drawn = ctx.midnight_us + 22 * HOUR_US + rng.random_range(0..210) * MINUTE_US;
    let (cruise, pace) = (
        rng.random_range(95.0..115.0f32),
        rng.random_range(0.9..0.98f32),
    );
    let scout_ahead = rng.random_bool(0.6);
    let mut van_gap = 0;
    let start_offsets: Vec<i64> = crew
        .iter()
        .map(|member| {
            if member.role == Role::Scout {
                let lead = rng.random_range(2..9) * MINUTE_US;
                if scout_ahead { -lead } else { lead }
            } else {
                let start = van_gap;
                van_gap += rng.random_range(30..180) * 1_000_000;
                start
            }
        })
        .collect();
    let depart = hub_arrivals
        .iter()
        .zip(&start_offsets)
        .map(|((_, arrive), offset)| arrive + LOADING_US_MIN - offset)
        .fold(depart_drawn, i64::max);
    let mut outbound = Vec::new();
    let mut launch_arrival = depart;
    for (index, member) in crew.iter().enumerate() {
        let start = depart + start_offsets[index];
        let kind = if member.role == Role::Scout {
            TagKind::ScoutOut
        } else {
            TagKind::HubToLaunch
        };
        let (tag, arrive) = push_trip(
            ctx,
            registry,
            rng,
            plans,
            (gang_idx, *member),
            kind,
            (hub, launch, start),
            (cruise, pace),
        );
        launch_arrival = launch_arrival.max(arrive);
        let visit = new_visit(
            registry,
            gang_idx,
            hub,
            member,
            hub_arrivals[index].1,
            start,
        );
        registry.tags[hub_arrivals[index].0 as usize].visit_arrive = Some(visit);
        registry.tags[tag as usize].visit_leave = Some(visit);
        outbound.push(tag);
    }
    new_occasion(registry, gang_idx, &outbound);
    // Boats in the water: the vans go back to the hub together, the scout goes home.
    let back = launch_arrival + rng.random_range(20..50) * MINUTE_US;
    let mut inbound = Vec::new();
    let mut van_gap = 0;
    for member in &crew {
        if member.role == Role::Scout {
            let start = back + rng.random_range(0..10) * MINUTE_US;
            let (c, p) = (
                rng.random_range(105.0..125.0f32),
                rng.random_range(0.9..1.0f32),
            );
            push_trip(
                ctx,
                registry,
                rng,
                plans,
                (gang_idx, *member),
                TagKind::ScoutHome,
                (launch, gang.home, start),
                (c, p),
            );
            continue;
        }
        let start = back + van_gap;
        van_gap += rng.random_range(30..180) * 1_000_000;
        let (tag, arrive) = push_trip(
            ctx,
            registry,
            rng,
            plans,
            (gang_idx, *member),
            TagKind::LaunchToHub,
            (launch, hub, start),
            (cruise, pace),
        );
        inbound.push(tag);
        let leave = arrive + rng.random_range(10..40) * MINUTE_US;
        let (c, p) = (
            rng.random_range(100.0..120.0f32),
            rng.random_range(0.9..1.0f32),
        );
        let (home_tag, _) = push_trip(
            ctx,
            registry,
            rng,
            plans,
            (gang_idx, *member),
            TagKind::HubToHome,
            (hub, gang.home, leave),
            (c, p),
        );
        let visit = new_visit(registry, gang_idx, hub, member, arrive, leave);
        registry.tags[tag as usize].visit_arrive = Some(visit);
        registry.tags[home_tag as usize].visit_leave = Some(visit);
    }
    if n_vans > 1 {
        new_occasion(registry, gang_idx, &inbound);
    }
    for member in crew.iter().filter(|m| m.role == Role::Van) {
        innocent_on_the_road(ctx, gang, member, depart, rng, plans);
    }
}

/// The innocent owner of a cloned plate happens to be on the road at the hour `at_us` that
/// the cloner set off (nothing where `member` drives a plate of its own).
fn innocent_on_the_road(
    ctx: &GangDay<'_>,
    gang: &Gang,
    member: &Crew,
    at_us: i64,
    rng: &mut ChaCha8Rng,
    plans: &mut Vec<TripPlan>,
) {
    let Some(victim) = gang.vehicles[member.vehicle as usize].clone_of else {
        return;
    };
    let innocent = &ctx.delivery_vans[victim];
    let to = pick_near(ctx.network, rng, innocent.depot, 60_000.0);
    let start = at_us + rng.random_range(-20..20) * MINUTE_US;
    let plan = TripPlan {
        start_us: start,
        from: innocent.depot,
        to,
        attrs: innocent.attrs,
        cruise_kmh: 110.0,
        pace: 0.95,
        tag: innocent.tag,
        seed: rng.random(),
    };
    let back_start = arrival_us(ctx.network, &plan) + rng.random_range(15..40) * MINUTE_US;
    plans.push(plan);
    plans.push(TripPlan {
        start_us: back_start,
        from: to,
        to: innocent.depot,
        seed: rng.random(),
        ..plan
    });
}

fn new_visit(
    registry: &mut Registry,
    gang: u16,
    hub: u16,
    member: &Crew,
    arrive_us: i64,
    leave_us: i64,
) -> u32 {
    registry.visits.push(Visit {
        gang,
        hub,
        vehicle: member.vehicle,
        plate: member.attrs.plate,
        country: member.attrs.country,
        arrive_us,
        leave_us,
    });
    (registry.visits.len() - 1) as u32
}

fn new_occasion(registry: &mut Registry, gang: u16, tags: &[u32]) {
    if tags.len() < 2 {
        return;
    }
    let occasion = registry.occasions.len() as u32;
    for tag in tags {
        registry.tags[*tag as usize].occasion = Some(occasion);
    }
    registry.occasions.push(Occasion {
        gang,
        tags: tags.to_vec(),
    });
}

/// A daytime run to a supplier of boats and engines far inland, then to the hub and home.
fn plan_supply(
    ctx: &GangDay<'_>,
    gang_idx: u16,
    gang: &Gang,
    registry: &mut Registry,
    rng: &mut ChaCha8Rng,
    plans: &mut Vec<TripPlan>,
) {
    let vans: Vec<usize> = (0..gang.vehicles.len())
        .filter(|v| gang.vehicles[*v].role == Role::Van)
        .collect();
    let member = crew_member(gang, vans[rng.random_range(0..vans.len())], rng);
    let hub = gang.hubs[0];
    let (cruise, pace) = (
        rng.random_range(100.0..120.0f32),
        rng.random_range(0.9..1.0f32),
    );
    // Late enough that last night's run (from the farthest hub) is over.
    let drawn = ctx.midnight_us + 11 * HOUR_US + rng.random_range(0..60) * MINUTE_US;
    let start = free_start(gang, &member, drawn);
    let first = plans.len();
    let (_, at_supplier) = push_trip(
        ctx,
        registry,
        rng,
        plans,
        (gang_idx, member),
        TagKind::ToSupplier,
        (gang.home, gang.supply_from, start),
        (cruise, pace),
    );
    let first_seed = plans[first].seed;
    let loaded = at_supplier + rng.random_range(30..90) * MINUTE_US;
    let (to_hub, at_hub) = push_trip(
        ctx,
        registry,
        rng,
        plans,
        (gang_idx, member),
        TagKind::SupplierToHub,
        (gang.supply_from, hub, loaded),
        (cruise, pace),
    );
    let leave = at_hub + rng.random_range(30..90) * MINUTE_US;
    // Home before the evening, so a supply day never overlaps a night run.
    let (home_tag, _) = push_trip(
        ctx,
        registry,
        rng,
        plans,
        (gang_idx, member),
        TagKind::HubToHome,
        (hub, gang.home, leave),
        (cruise, pace),
    );
    let visit = new_visit(registry, gang_idx, hub, &member, at_hub, leave);
    registry.tags[to_hub as usize].visit_arrive = Some(visit);
    registry.tags[home_tag as usize].visit_leave = Some(visit);
    // As on a run night. Drawn from a stream of its own (seeded by the first trip's draw),
    // so that the days' other plans are drawn as they were before supply days had one.
    let mut own = ChaCha8Rng::seed_from_u64(first_seed);
    innocent_on_the_road(ctx, gang, &member, start, &mut own, plans);
}
