//! The order in which the analyses run and feed each other, and the report's assembly.

use crate::clones::{CloneFinding, CloneKind, find_clones};
use crate::convoys::{CameraIndex, ConvoyFinding, Wanted, day_span};
use crate::geo::Point;
use crate::hubs::{HubFinding, STOP_UNCERTAINTY_M_PLACED, find_hubs};
use crate::journeys::{Stop, Trip, split_journeys, widen_through_road_turn_rounds};
use crate::misread::Link;
use crate::reach::Reach;
use crate::report::*;
use crate::routes::{LegCounts, RouteFinding, find_routes};
use crate::swaps::{Movements, SwapFinding, find_swaps};
use crate::table::{
    FastMap, FastSet, MICROS, NIGHT_HOURS_UTC, ReadTable, in_hours, in_working_hours,
};
use crate::traffic::Traffic;
use crate::{
    AnalysisConfig, AnalysisInput, Engine, Error, PlanOutputs, Report, TimeWindow, clock, convoys,
    lake_plans, misread, plans,
};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// Rounds of looking for vehicles that joined found convoys (a joiner's own partners on
/// that trip are found in the next round).
const JOINER_ROUNDS: usize = 2;
/// Threads for the DataFusion plans.
const PLAN_PARTITIONS: usize = 2;
/// Read ids listed per route (a route may hold hundreds of trips).
const ROUTE_READ_IDS_MAX: usize = 500;
/// Stops at a hub needed for a vehicle outside the network to count as a hub visitor.
const HUB_VISITS_MIN: usize = 2;
/// Stops at a network's hub at night that make a vehicle outside it a hub mate (see
/// [`hub_mates`]).
const HUB_MATE_VISITS_MIN: usize = 1;
/// Vehicles stopping at night near a seed's stop beyond which the place is taken for a
/// town (see [`place_mates`]).
const PLACE_MATES_MAX: usize = 12;

/// Rounds of the search around the network's hubs: the vehicles a round finds may make a
/// hub of their own, or bring others to one.
const HUB_ROUNDS: usize = 2;

/// Leaving a place between these hours (UTC: 21:00 to 04:00 Central European Time) is
/// leaving in the middle of the night.
const DEPARTS_AT_NIGHT_HOURS_UTC: (i64, i64) = (20, 3);
/// Cameras closer than this stand at one site (one for each direction of a road).
const CAMERA_SITE_M: f64 = 300.0;
/// A stay this long or longer, left by day, is a night spent at the place: at home, or at
/// a hotel, not a visit to a lock-up (gangs load for a few hours and leave at night; back
/// from the coast, they leave within the hour).
const NIGHT_SPENT_SECS: f64 = 6.0 * 3600.0;

/// Everything found, before it is turned into report rows.
pub(crate) struct Findings {
    pub(crate) convoys: Vec<ConvoyFinding>,
    pub(crate) clones: Vec<CloneFinding>,
    pub(crate) hubs: Vec<HubFinding>,
    pub(crate) swaps: Vec<SwapFinding>,
    pub(crate) routes: Vec<RouteFinding>,
    /// Per plate outside a hub's vehicles: (hub index, stops near it).
    pub(crate) hub_visitors: BTreeMap<u32, Vec<(usize, usize)>>,
    pub(crate) seeds: Vec<u32>,
}

/// Every vehicle's journeys, reduced to what the later steps need.
#[derive(Default)]
struct AllJourneys {
    stops: Vec<Stop>,
    trips: FastMap<u32, Vec<Trip>>,
    legs: LegCounts,
}

/// The read table, corrected, with what every search reads beside it: the steps before
/// any finding.
pub(crate) struct Groundwork {
    pub(crate) table: ReadTable,
    /// Each camera's clock skew, corrected (µs).
    pub(crate) skews: Vec<i64>,
    pub(crate) links: Vec<Link>,
    pub(crate) traffic: Traffic,
    pub(crate) index: CameraIndex,
    /// Whether each plate is a light vehicle (not a lorry or coach).
    pub(crate) light: Vec<bool>,
    /// Distinct days each plate was read on.
    pub(crate) plate_days: Vec<u32>,
}

/// Loads the reads, corrects clocks and misreads, runs the plans and builds the indexes.
pub(crate) fn prepare(
    input: &AnalysisInput,
    config: &AnalysisConfig,
    engine: &Engine,
    timings: &mut Timings,
) -> Result<Groundwork, Error> {
    let mut table = ReadTable::build(input, config.reads_max)?;
    timings.lap("load");
    let skews = clock::estimate_skews(&table, config);
    clock::correct(&mut table, &skews);
    timings.lap("clock_skew");
    let links = misread::link_misreads(&mut table, config);
    timings.lap("misreads");
    let corrections = Corrections {
        skews_us: &skews,
        links: &links,
        window: input.window,
    };
    let (rows, plate_days) = plan_rows(&table, engine, &corrections)?;
    let span = day_span(&table);
    let n_days = span.map_or(1, |(first, last)| (last - first + 1) as usize);
    let traffic = Traffic::new(table.cameras.len(), n_days, &rows);
    // The days counted, known once: every convoy search would scan the reads for them.
    let traffic = match span {
        Some(span) => traffic.with_days(span),
        None => traffic,
    };
    timings.lap("traffic_plan");
    // Lorries and coaches platoon and keep timetables for reasons of their own.
    let light: Vec<bool> = table.heavy_plates().iter().map(|heavy| !heavy).collect();
    let traffic = traffic.with_reach(Reach::build(&table, &light, config));
    timings.lap("reach");
    let index = CameraIndex::build(&table);
    timings.lap("camera_index");
    Ok(Groundwork {
        table,
        skews,
        links,
        traffic,
        index,
        light,
        plate_days,
    })
}

pub(crate) fn run(
    input: &AnalysisInput,
    config: &AnalysisConfig,
    engine: &Engine,
) -> Result<Report, Error> {
    let mut timings = Timings::new();
    let ground = prepare(input, config, engine, &mut timings)?;
    let (findings, _, _) = find(&ground, input, config, &mut timings);
    let (table, skews, links) = (&ground.table, &ground.skews, &ground.links);
    let mut report = assemble(table, input, &findings, links, skews, config);
    timings.lap("report");
    report.timings_ms = timings.laps;
    Ok(report)
}

/// Every finding, with every vehicle's journeys and the vehicles of interest they were
/// searched among.
fn find(
    ground: &Groundwork,
    input: &AnalysisInput,
    config: &AnalysisConfig,
    timings: &mut Timings,
) -> (Findings, AllJourneys, BTreeSet<u32>) {
    let (table, traffic, index, light) =
        (&ground.table, &ground.traffic, &ground.index, &ground.light);
    let plate_days = &ground.plate_days;
    let asked = seed_plates(table, input);
    let movements = Movements::new(table);
    timings.lap("movements");
    // A seed's other plates are the seed's vehicle: its convoys under them are searched,
    // and its ties kept, as the seed's.
    let seeds = with_other_plates(table, &movements, &asked);
    let mut convoys = if input.seeds.is_empty() {
        let plates = convoys::DiscoveryPlates::new(table, light, plate_days, config);
        convoys::discovery(table, index, traffic, &plates, config)
    } else {
        let wanted = Wanted::recurring(config);
        expand_convoys(
            table,
            index,
            traffic,
            (&seeds, &BTreeSet::new(), light),
            config,
            wanted,
        )
    };
    timings.lap("convoys");
    let searches = (table, index, traffic);
    if input.seeds.is_empty() {
        convoys = grow_from_members(searches, (convoys, &BTreeSet::new()), light, config);
    }
    // With seeds, the plates searched so far: those found next are newcomers.
    let expanded: Option<BTreeSet<u32>> = (!input.seeds.is_empty()).then(|| {
        seeds
            .iter()
            .copied()
            .chain(convoys.iter().flat_map(|c| [c.plate_a, c.plate_b]))
            .collect()
    });
    add_trip_partners_and_joiners(searches, (&seeds, light), &mut convoys, config);
    if let Some(expanded) = &expanded
        && grow_from_newcomers(searches, &mut convoys, expanded, light, config)
    {
        add_trip_partners_and_joiners(searches, (&seeds, light), &mut convoys, config);
    }
    // A member's other plates are its vehicle too: their partners are searched as its own.
    let wanted = if input.seeds.is_empty() {
        Wanted::in_discovery(config)
    } else {
        Wanted::recurring(config)
    };
    let focus = (&movements, &seeds[..], &light[..]);
    if add_other_plates_partners(searches, focus, &mut convoys, (config, wanted)) {
        add_trip_partners_and_joiners(searches, (&seeds, light), &mut convoys, config);
    }
    timings.lap("convoy_partners");
    let clones = find_clones(table, &ground.links, config);
    timings.lap("clones");
    let (mut interest, convoy_rows) = interest_of(&convoys, &seeds);
    let mut all = all_journeys(table, &interest, &convoy_rows, config);
    timings.lap("journeys");
    // A seed may never have travelled with the rest of its gang where cameras saw them,
    // and still have stopped where they keep their boats: the vehicles that stop there at
    // night, and their own convoys, are the network's next hop.
    let mut more = convoys_around_places(searches, &all.stops, (&convoys, &seeds), light, config);
    // Without seeds, a gang whose pairs beat no bound over every pair in the data is still
    // seen setting off together from its lock-up at night.
    if input.seeds.is_empty() {
        more.extend(convoys_setting_off_together(
            searches, &all.stops, &convoys, light, config,
        ));
    }
    // Nor with any vehicle found so far, and still kept its boats at the network's hubs.
    more.extend(convoys_at_hubs(
        searches,
        &all,
        (&interest, &convoys),
        light,
        config,
    ));
    for round in 1..=HUB_ROUNDS {
        if more.is_empty() {
            break;
        }
        // Found without travelling with a seed, as discovery finds its members: their other
        // partners are searched as discovery's members' are.
        add_new(
            &mut convoys,
            grow_from_members(searches, (more, &interest), light, config),
        );
        add_trip_partners_and_joiners(searches, (&seeds, light), &mut convoys, config);
        let (grown, convoy_rows) = interest_of(&convoys, &seeds);
        refresh_interest(table, &mut all, &grown, &convoy_rows, config);
        interest = grown;
        // The vehicles found may make a hub of their own, or bring others to one.
        more = if round < HUB_ROUNDS {
            convoys_at_hubs(searches, &all, (&interest, &convoys), light, config)
        } else {
            Vec::new()
        };
    }
    let mut dropped = drop_lone_weak_partners(&mut convoys, &seeds, config);
    dropped |= drop_the_other_vehicles_company(table, &mut convoys, &clones, &seeds);
    // Pairs of one vehicle's partners on a trip with both, once every partner that stays
    // is known (see `convoys::group_mates`).
    let mates = convoys::group_mates(table, &convoys, config);
    let grouped = !mates.is_empty();
    convoys.extend(mates);
    if dropped || grouped {
        convoys.sort_by(|a, b| b.score.total_cmp(&a.score));
        let (kept, convoy_rows) = interest_of(&convoys, &seeds);
        refresh_interest(table, &mut all, &kept, &convoy_rows, config);
        interest = kept;
    }
    timings.lap("place_mates");
    let mut findings = Findings {
        convoys,
        clones,
        hubs: Vec::new(),
        swaps: Vec::new(),
        routes: Vec::new(),
        hub_visitors: BTreeMap::new(),
        seeds: asked,
    };
    find_places(
        (table, &movements),
        &all,
        &mut interest,
        &mut findings,
        config,
    );
    timings.lap("hubs_swaps_routes");
    (findings, all, interest)
}

/// Why no hub was reported near each of `places`: the clusters of the stops of vehicles of
/// interest that have a stop within `within_m` of the place, their stops, and the test
/// each cluster failed (or the hub it made), as [`run`] finds them.
#[cfg(feature = "eval")]
pub(crate) fn explain_hubs(
    ground: &Groundwork,
    input: &AnalysisInput,
    config: &AnalysisConfig,
    places: &[Point],
    within_m: f64,
) -> Vec<String> {
    let (_, all, interest) = find(ground, input, config, &mut Timings::new());
    let background = stop_points(&all);
    let (stops, share) = stops_of_interest(&all, &interest, &background);
    places
        .iter()
        .map(|&place| {
            let focus = (place, within_m);
            crate::hubs::explain_place(&ground.table, &stops, (&background, share), focus, config)
        })
        .collect()
}

/// Where every vehicle stopped: the background hubs are scored against.
fn stop_points(all: &AllJourneys) -> Vec<Point> {
    all.stops.iter().map(|stop| stop.point).collect()
}

/// The stops of the vehicles of `interest`, and their share of all the stops made
/// (`background`): what hubs are found from.
fn stops_of_interest(
    all: &AllJourneys,
    interest: &BTreeSet<u32>,
    background: &[Point],
) -> (Vec<Stop>, f64) {
    let stops: Vec<Stop> = all
        .stops
        .iter()
        .filter(|stop| interest.contains(&stop.plate))
        .cloned()
        .collect();
    let share = stops.len() as f64 / background.len().max(1) as f64;
    (stops, share)
}

/// The hubs the stops of the vehicles of `interest` make, against everyone's stops
/// (`background`).
fn hubs_of(
    all: &AllJourneys,
    interest: &BTreeSet<u32>,
    background: &[Point],
    config: &AnalysisConfig,
) -> Vec<HubFinding> {
    let (stops, share) = stops_of_interest(all, interest, background);
    find_hubs(&stops, background, share, config)
}

/// The set-oriented plans alone, after the same corrections as [`run`]: for comparing
/// engines and measuring them.
pub(crate) fn run_plans(
    input: &AnalysisInput,
    config: &AnalysisConfig,
    engine: &Engine,
) -> Result<PlanOutputs, Error> {
    let mut table = ReadTable::build(input, config.reads_max)?;
    let skews = clock::estimate_skews(&table, config);
    clock::correct(&mut table, &skews);
    let links = misread::link_misreads(&mut table, config);
    let corrections = Corrections {
        skews_us: &skews,
        links: &links,
        window: input.window,
    };
    let started = Instant::now();
    let (rows, plate_days) = plan_rows(&table, engine, &corrections)?;
    let plans_ms = started.elapsed().as_millis() as u64;
    let mut camera_hours: Vec<(String, u8, u64, u64)> = rows
        .iter()
        .map(|row| {
            let camera_id = table.cameras[row.camera as usize].camera_id.clone();
            (camera_id, row.hour, row.n_reads, row.n_plates)
        })
        .collect();
    camera_hours.sort();
    let mut plate_days: Vec<(String, u32)> = plate_days
        .iter()
        .enumerate()
        .filter(|&(_, &n_days)| n_days > 0)
        .map(|(plate, &n_days)| (plans::plate_key(&table, plate as u32), n_days))
        .collect();
    plate_days.sort();
    Ok(PlanOutputs {
        n_reads: table.len(),
        camera_hours,
        plate_days,
        plans_ms,
    })
}

/// What the analysis corrected in the table before the plans run; a plan over Parquet
/// applies the same.
struct Corrections<'a> {
    skews_us: &'a [i64],
    links: &'a [Link],
    window: Option<TimeWindow>,
}

/// Traffic rows per camera and hour, and days on which each plate was read (DataFusion
/// plans on `engine`).
fn plan_rows(
    table: &ReadTable,
    engine: &Engine,
    corrections: &Corrections<'_>,
) -> Result<(Vec<plans::CameraHour>, Vec<u32>), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(PLAN_PARTITIONS)
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            what: "starting the query runtime".to_owned(),
            source,
        })?;
    runtime.block_on(async {
        let (ctx, keys) = match engine {
            Engine::Embedded => {
                let ctx = plans::session(PLAN_PARTITIONS);
                plans::register_reads(&ctx, table, PLAN_PARTITIONS)?;
                (ctx, plans::PlanKeys::table_ids())
            }
            Engine::EmbeddedParquet { reads_urls } => {
                let ctx = plans::session(PLAN_PARTITIONS);
                lake_plans::register_lake(&ctx, reads_urls)?;
                (ctx, lake_keys(table, corrections))
            }
            Engine::Ballista {
                scheduler,
                reads_urls,
                partitions,
            } => {
                let ctx = ballista_session(scheduler, *partitions).await?;
                lake_plans::register_lake(&ctx, reads_urls)?;
                (ctx, lake_keys(table, corrections))
            }
        };
        let rows = plans::camera_hour_traffic(&ctx, &keys).await?;
        let plate_days = plans::plate_days(&ctx, &keys, table.n_plates()).await?;
        Ok::<_, Error>((rows, plate_days))
    })
}

fn lake_keys(table: &ReadTable, corrections: &Corrections<'_>) -> plans::PlanKeys {
    lake_plans::lake_keys(
        table,
        corrections.skews_us,
        corrections.links,
        corrections.window,
    )
}

#[cfg(feature = "ballista")]
async fn ballista_session(
    scheduler: &str,
    partitions: usize,
) -> Result<datafusion::prelude::SessionContext, Error> {
    crate::cluster::session(scheduler, partitions).await
}

#[cfg(not(feature = "ballista"))]
async fn ballista_session(
    scheduler: &str,
    _partitions: usize,
) -> Result<datafusion::prelude::SessionContext, Error> {
    Err(Error::BallistaNotBuilt {
        scheduler: scheduler.to_owned(),
    })
}

fn seed_plates(table: &ReadTable, input: &AnalysisInput) -> Vec<u32> {
    input
        .seeds
        .iter()
        .flat_map(|seed| table.plates_with_text(seed.as_str()).iter().copied())
        .collect()
}

/// The `seeds` and the other plates their vehicles were read under (see [`other_plates`]),
/// in plate order: a van that carries a plate a night goes out with the gang under plates
/// the analyst never heard of.
fn with_other_plates(table: &ReadTable, movements: &Movements, seeds: &[u32]) -> Vec<u32> {
    let mut plates: BTreeSet<u32> = seeds.iter().copied().collect();
    if !seeds.is_empty() {
        plates.extend(other_plates(table, movements, seeds, &[]));
    }
    plates.into_iter().collect()
}

/// The plates swapped with the `focus` plates (see `swaps::find_swaps`; `convoys` are the
/// pairs found so far) that are searched as the focus vehicle: only where both plates'
/// reads describe a vehicle, as one road's plates move alike whatever they are, and only a
/// description that fits says that two plates may be one vehicle.
fn other_plates(
    table: &ReadTable,
    movements: &Movements,
    focus: &[u32],
    convoys: &[(u32, u32)],
) -> BTreeSet<u32> {
    find_swaps(table, movements, focus, convoys)
        .iter()
        .filter(|swap| movements.described(swap.plate_a) && movements.described(swap.plate_b))
        .flat_map(|swap| [swap.plate_a, swap.plate_b])
        .collect()
}

/// Adds the convoys of the other plates of the network's vehicles (seeds and convoy
/// members; see [`other_plates`]) that no convoy holds yet, searched as
/// `wanted` asks, `network_hops` deep; says whether it added any.
fn add_other_plates_partners(
    (table, index, traffic): (&ReadTable, &CameraIndex, &Traffic),
    (movements, seeds, light): (&Movements, &[u32], &[bool]),
    convoys: &mut Vec<ConvoyFinding>,
    (config, wanted): (&AnalysisConfig, Wanted),
) -> bool {
    let (interest, _) = interest_of(convoys, seeds);
    let members: Vec<u32> = interest.iter().copied().collect();
    let pairs: Vec<(u32, u32)> = convoys.iter().map(|c| (c.plate_a, c.plate_b)).collect();
    let mut others = other_plates(table, movements, &members, &pairs);
    others.retain(|plate| !interest.contains(plate));
    if others.is_empty() {
        return false;
    }
    let others: Vec<u32> = others.into_iter().collect();
    let nothing = BTreeSet::new();
    let found = expand_convoys(
        table,
        index,
        traffic,
        (&others, &nothing, light),
        config,
        wanted,
    );
    add_new(convoys, found)
}

/// Adds the `found` convoys whose pair `convoys` lacks, best score first; says whether it
/// added any.
fn add_new(convoys: &mut Vec<ConvoyFinding>, found: Vec<ConvoyFinding>) -> bool {
    let known: BTreeSet<(u32, u32)> = convoys.iter().map(|c| (c.plate_a, c.plate_b)).collect();
    let before = convoys.len();
    convoys.extend(
        found
            .into_iter()
            .filter(|convoy| !known.contains(&(convoy.plate_a, convoy.plate_b))),
    );
    convoys.sort_by(|a, b| b.score.total_cmp(&a.score));
    convoys.len() > before
}

/// Targeted convoys from the seeds, then from their partners, `network_hops` deep.
fn expand_convoys(
    table: &ReadTable,
    index: &CameraIndex,
    traffic: &Traffic,
    (seeds, searched, eligible): (&[u32], &BTreeSet<u32>, &[bool]),
    config: &AnalysisConfig,
    wanted: Wanted,
) -> Vec<ConvoyFinding> {
    // The plates `searched` before are not searched again, at any hop.
    let mut known: BTreeSet<u32> = seeds.iter().chain(searched).copied().collect();
    let mut frontier: Vec<u32> = seeds.to_vec();
    let mut found: BTreeMap<(u32, u32), ConvoyFinding> = BTreeMap::new();
    for _ in 0..config.network_hops {
        if frontier.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for convoy in
            convoys::partners(table, index, traffic, (&frontier, eligible), config, wanted)
        {
            for plate in [convoy.plate_a, convoy.plate_b] {
                if known.insert(plate) {
                    next.push(plate);
                }
            }
            found
                .entry((convoy.plate_a, convoy.plate_b))
                .or_insert(convoy);
        }
        frontier = next;
    }
    let mut convoys: Vec<ConvoyFinding> = found.into_values().collect();
    convoys.sort_by(|a, b| b.score.total_cmp(&a.score));
    convoys
}

/// Discovery's convoys and, around their members, the convoys a targeted search finds.
///
/// A vehicle found travelling with another is far likelier to belong to a network than any
/// plate at all, so its other partners are searched as a seed's are, `network_hops` deep,
/// against a Bonferroni bound over the pairs that search tests (thousands) rather than over
/// every pair in the data (millions); they must still score `convoy_score_min_discovery`,
/// as a member found without a seed may itself be a stranger.
///
/// The plates of `known` (the network's vehicles already searched) are not searched again,
/// at any hop: their partners were searched when they were found, and a cloned plate's
/// partners are two vehicles' company (see [`drop_the_other_vehicles_company`]).
pub(crate) fn grow_from_members(
    (table, index, traffic): (&ReadTable, &CameraIndex, &Traffic),
    (found, known): (Vec<ConvoyFinding>, &BTreeSet<u32>),
    eligible: &[bool],
    config: &AnalysisConfig,
) -> Vec<ConvoyFinding> {
    let members: BTreeSet<u32> = found
        .iter()
        .flat_map(|c| [c.plate_a, c.plate_b])
        .filter(|plate| !known.contains(plate))
        .collect();
    let members: Vec<u32> = members.into_iter().collect();
    let mut by_pair: BTreeMap<(u32, u32), ConvoyFinding> = found
        .into_iter()
        .map(|convoy| ((convoy.plate_a, convoy.plate_b), convoy))
        .collect();
    let wanted = Wanted::in_discovery(config);
    let searched = (&members[..], known, eligible);
    for convoy in expand_convoys(table, index, traffic, searched, config, wanted) {
        by_pair
            .entry((convoy.plate_a, convoy.plate_b))
            .or_insert(convoy);
    }
    let mut convoys: Vec<ConvoyFinding> = by_pair.into_values().collect();
    convoys.sort_by(|a, b| b.score.total_cmp(&a.score));
    convoys
}

/// Adds the partners of the vehicles in `convoys` outside `searched` (the seeds and the
/// partners found around them, whose partners were searched or are the last hop's), as
/// discovery's members' are found (see [`grow_from_members`]); says whether it added any.
///
/// A vehicle found on a single trip with the network (a scout that went along once, a
/// hire van out on one night) is one of it as much as a partner found recurring, and may
/// be the one tie to a crew of the network that never drove with the seeds' (at 5%
/// misreads, the scout `6HJB24` of scenario 9501 was the network's only tie to its other
/// van, its hire vans and their seven pairs).
pub(crate) fn grow_from_newcomers(
    searches: (&ReadTable, &CameraIndex, &Traffic),
    convoys: &mut Vec<ConvoyFinding>,
    searched: &BTreeSet<u32>,
    eligible: &[bool],
    config: &AnalysisConfig,
) -> bool {
    let newcomers: Vec<ConvoyFinding> = convoys
        .iter()
        .filter(|c| !searched.contains(&c.plate_a) || !searched.contains(&c.plate_b))
        .cloned()
        .collect();
    if newcomers.is_empty() {
        return false;
    }
    let grown = grow_from_members(searches, (newcomers, searched), eligible, config);
    add_new(convoys, grown)
}

/// Adds the partners of the network's vehicles (seeds and convoy members) on a single trip
/// together: a scout ahead of the vans on one night, a second van along once.
fn add_trip_partners(
    table: &ReadTable,
    index: &CameraIndex,
    traffic: &Traffic,
    (seeds, eligible): (&[u32], &[bool]),
    convoys: &mut Vec<ConvoyFinding>,
    config: &AnalysisConfig,
) {
    let focus: BTreeSet<u32> = seeds
        .iter()
        .copied()
        .chain(convoys.iter().flat_map(|c| [c.plate_a, c.plate_b]))
        .collect();
    let focus: Vec<u32> = focus.into_iter().collect();
    let mut known: BTreeSet<(u32, u32)> = convoys.iter().map(|c| (c.plate_a, c.plate_b)).collect();
    // Two of the network's vehicles on one trip together are also tested among themselves,
    // against the pairs of them that were ever near each other (tens) rather than every
    // vehicle near one of them (thousands), at the floor of a seed's partners.
    let on_one_trip =
        convoys::partners_on_one_trip(table, index, traffic, (&focus, eligible), config);
    let groups = convoy_groups(convoys);
    for finding in on_one_trip {
        // Two crews that met on the road near one beach are no more one network than two
        // that never met: a pair that would tie two groups together, and met on each of its
        // trips, must score what discovery asks.
        let ties_two_groups = match (groups.get(&finding.plate_a), groups.get(&finding.plate_b)) {
            (Some(a), Some(b)) => a != b,
            _ => true,
        };
        if ties_two_groups
            && finding.score < config.convoy_score_min_discovery
            && met_on_the_road(table, &finding, config)
        {
            continue;
        }
        if known.insert((finding.plate_a, finding.plate_b)) {
            convoys.push(finding);
        }
    }
}

/// Per vehicle of `convoys`, its group: one vehicle of those tied to it by convoys,
/// directly or through others, the same for all of them.
fn convoy_groups(convoys: &[ConvoyFinding]) -> FastMap<u32, u32> {
    crate::disjoint::groups(
        convoys
            .iter()
            .map(|convoy| (convoy.plate_a, convoy.plate_b)),
    )
}

/// How long before a trip together a read of each vehicle says where it came from.
const CAME_FROM_SECS: i64 = 30 * 60;

/// Whether the two vehicles of `convoy` met on the road on each of its trips together:
/// each was read within `CAME_FROM_SECS` before the trip together began, and not with the
/// other (at another camera, or at the same one outside the convoy window). A crew that
/// sets off together from its lock-up is first read together; two crews bound for one
/// beach from two lock-ups come down two roads.
pub(crate) fn met_on_the_road(
    table: &ReadTable,
    convoy: &ConvoyFinding,
    config: &AnalysisConfig,
) -> bool {
    let read_before = |plate: u32, row: u32| {
        let rows = table.plate_rows(plate);
        let at = rows.iter().position(|&other| other == row)?;
        let before = rows[at.checked_sub(1)?];
        let gap = table.ts[row as usize] - table.ts[before as usize];
        (gap <= CAME_FROM_SECS * MICROS).then_some(before)
    };
    let window = config.convoy_window_secs * MICROS;
    !convoy.occasions.is_empty()
        && convoy.occasions.iter().all(|occasion| {
            let first = occasion
                .co_occurrences
                .iter()
                .min_by_key(|co| table.ts[co.row_a as usize]);
            let Some(first) = first else {
                return false;
            };
            let came_from = (
                read_before(convoy.plate_a, first.row_a),
                read_before(convoy.plate_b, first.row_b),
            );
            let (Some(a), Some(b)) = came_from else {
                return false;
            };
            let (a, b) = (a as usize, b as usize);
            table.camera[a] != table.camera[b] || (table.ts[a] - table.ts[b]).abs() > window
        })
}

/// Plates per unit of work shared among the threads of [`all_journeys`].
const JOURNEY_PLATES_PER_CHUNK: u32 = 4096;

/// Trips of vehicles of interest, every vehicle's stops and leg counts, worked out on every
/// core: the stops come out in plate order whatever the number of threads.
fn all_journeys(
    table: &ReadTable,
    interest: &BTreeSet<u32>,
    convoy_rows: &FastSet<u32>,
    config: &AnalysisConfig,
) -> AllJourneys {
    let n_plates = table.n_plates() as u32;
    let parts: Vec<AllJourneys> = (0..n_plates.div_ceil(JOURNEY_PLATES_PER_CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let first = chunk * JOURNEY_PLATES_PER_CHUNK;
            let plates = first..(first + JOURNEY_PLATES_PER_CHUNK).min(n_plates);
            journeys_of(table, plates, (interest, convoy_rows), config)
        })
        .collect();
    let mut all = AllJourneys::default();
    for part in parts {
        all.stops.extend(part.stops);
        all.trips.extend(part.trips);
        for (leg, n) in part.legs {
            *all.legs.entry(leg).or_default() += n;
        }
    }
    widen_through_road_turn_rounds(table, &mut all.stops);
    all
}

/// [`all_journeys`] of a range of plates.
fn journeys_of(
    table: &ReadTable,
    plates: std::ops::Range<u32>,
    (interest, convoy_rows): (&BTreeSet<u32>, &FastSet<u32>),
    config: &AnalysisConfig,
) -> AllJourneys {
    let mut all = AllJourneys::default();
    let mut legs_seen: Vec<(u32, u32)> = Vec::new();
    for plate in plates {
        let rows = table.plate_rows(plate);
        if rows.len() < 2 {
            continue;
        }
        let mut journeys = split_journeys(table, plate, rows, config);
        if interest.contains(&plate) {
            for (stop, trips) in journeys.stops.iter_mut().zip(journeys.trips.windows(2)) {
                stop.arrives_together = in_convoy(&trips[0], convoy_rows);
                stop.departs_together = in_convoy(&trips[1], convoy_rows);
            }
        }
        legs_seen.clear();
        for trip in &journeys.trips {
            let cameras = trip.cameras(table);
            legs_seen.extend(cameras.windows(2).map(|leg| (leg[0], leg[1])));
        }
        legs_seen.sort_unstable();
        legs_seen.dedup();
        for leg in &legs_seen {
            *all.legs.entry(*leg).or_default() += 1;
        }
        all.stops.extend(journeys.stops);
        if interest.contains(&plate) {
            all.trips.insert(plate, journeys.trips);
        }
    }
    all
}

/// Hubs, hub visitors, swaps and routes, growing the set of vehicles of interest.
fn find_places(
    (table, movements): (&ReadTable, &Movements),
    all: &AllJourneys,
    interest: &mut BTreeSet<u32>,
    findings: &mut Findings,
    config: &AnalysisConfig,
) {
    let background = stop_points(all);
    let hubs_of = |interest: &BTreeSet<u32>| hubs_of(all, interest, &background, config);
    let hubs = hubs_of(interest);
    let visitors = hub_visitors(&hubs, &all.stops, (HUB_VISITS_MIN, config));
    let mut candidates: BTreeSet<u32> = interest.clone();
    candidates.extend(visitors.keys().copied());
    let candidates: Vec<u32> = candidates.into_iter().collect();
    let convoys: Vec<(u32, u32)> = findings
        .convoys
        .iter()
        .map(|convoy| (convoy.plate_a, convoy.plate_b))
        .collect();
    findings.swaps = find_swaps(table, movements, &candidates, &convoys);
    let before = interest.len();
    interest.extend(
        findings
            .swaps
            .iter()
            .flat_map(|swap| [swap.plate_a, swap.plate_b]),
    );
    findings.hubs = if interest.len() > before {
        hubs_of(interest)
    } else {
        hubs
    };
    findings.hub_visitors = hub_visitors(&findings.hubs, &all.stops, (HUB_VISITS_MIN, config));
    let trips: Vec<Trip> = interest
        .iter()
        .filter_map(|plate| all.trips.get(plate))
        .flatten()
        .cloned()
        .collect();
    findings.routes = find_routes(table, &trips, &all.legs, table.n_plates(), config);
}

/// Partners of the network's vehicles on a single trip, then, with seeds, rounds of
/// vehicles that joined found convoys on one of their trips.
fn add_trip_partners_and_joiners(
    (table, index, traffic): (&ReadTable, &CameraIndex, &Traffic),
    (seeds, light): (&[u32], &[bool]),
    convoys: &mut Vec<ConvoyFinding>,
    config: &AnalysisConfig,
) {
    add_trip_partners(table, index, traffic, (seeds, light), convoys, config);
    // Without seeds, joiners are strangers behind a network on a motorway at night: none
    // was a network vehicle over 29 scenarios (docs/analytics-history.md, twenty-fifth session).
    let rounds = if seeds.is_empty() { 0 } else { JOINER_ROUNDS };
    for _ in 0..rounds {
        let joined = convoys::joiners(table, index, traffic, convoys, light, config);
        if joined.is_empty() {
            break;
        }
        convoys.extend(joined);
    }
}

/// Drops the convoys that alone tie a vehicle to the network and score below
/// `convoy_score_min_discovery`, unless they are with a seed; says whether it dropped any.
///
/// The network's searches ask less of their partners (`convoy_score_min_targeted`) than
/// discovery asks of strangers, because a network's vehicle is likelier than any to travel
/// with others of it. A partner that travels with one of them only, on a trip or two,
/// scoring below what a pair found without the network needs, has nothing else for it: it
/// is most often a stranger that drove the same road (a hire van's customers on other days,
/// a commuter behind a van). A second tie to the network, or a tie to a seed (a vehicle an
/// analyst asked about), is evidence enough. Many such lone partners around one vehicle
/// are the mark of one that drives busy roads at busy hours, each a test more among its
/// partners: each must then score `log10` of their number higher (Bonferroni over them).
pub(crate) fn drop_lone_weak_partners(
    convoys: &mut Vec<ConvoyFinding>,
    seeds: &[u32],
    config: &AnalysisConfig,
) -> bool {
    let mut ties: FastMap<u32, usize> = FastMap::default();
    for convoy in convoys.iter() {
        *ties.entry(convoy.plate_a).or_default() += 1;
        *ties.entry(convoy.plate_b).or_default() += 1;
    }
    // Per vehicle, its partners tied to the network by it alone.
    let mut lone_partners: FastMap<u32, usize> = FastMap::default();
    for convoy in convoys.iter() {
        let (a, b) = (convoy.plate_a, convoy.plate_b);
        if ties[&a] == 1 {
            *lone_partners.entry(b).or_default() += 1;
        }
        if ties[&b] == 1 {
            *lone_partners.entry(a).or_default() += 1;
        }
    }
    let before = convoys.len();
    convoys.retain(|convoy| {
        let (a, b) = (convoy.plate_a, convoy.plate_b);
        if seeds.contains(&a) || seeds.contains(&b) {
            return true;
        }
        [(a, b), (b, a)]
            .iter()
            .filter(|(partner, _)| ties[partner] == 1)
            .all(|(_, anchor)| {
                let bar =
                    config.convoy_score_min_discovery + (lone_partners[anchor] as f64).log10();
                convoy.score >= bar
            })
    });
    convoys.len() < before
}

/// Drops the convoys of a cloned plate's other vehicle. A cloned plate is two vehicles,
/// and the convoy search sees one: a network van under a commuter's plate brings the
/// commuter's travelling companions in as the van's partners. Each convoy of the plate is
/// put with the vehicle (track, see `clones::vehicles_of`) most of its reads there are
/// in; the partners of a vehicle that have no convoy outside that vehicle's company, while
/// the other vehicle's partners have some, or went out with the plate at night, are that
/// vehicle's own company, not the network's. A seed's company is kept whatever, and so is
/// a partner that went out with the plate at night (see [`mostly_at_night`]): a gang's
/// crew, whichever track its trips were put with (the tracks part a cloned plate's trips
/// by where they lie, and a run to the coast can pass nearer the innocent's roads than the
/// lock-up's), not a commuter's companions.
pub(crate) fn drop_the_other_vehicles_company(
    table: &ReadTable,
    convoys: &mut Vec<ConvoyFinding>,
    clones: &[CloneFinding],
    seeds: &[u32],
) -> bool {
    let before = convoys.len();
    for clone in clones {
        if clone.kind != CloneKind::ImpossibleJourney || clone.tracks.len() < 2 {
            continue;
        }
        let plate = clone.plate;
        let track_of: FastMap<u32, usize> = clone
            .tracks
            .iter()
            .enumerate()
            .flat_map(|(track, rows)| rows.iter().map(move |&row| (row, track)))
            .collect();
        // Each partner of the plate, and the track its convoy with the plate is on.
        let mut company: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); clone.tracks.len()];
        // The partners out with the plate at night: a crew's, whatever the tracks say.
        let mut out_at_night: BTreeSet<u32> = BTreeSet::new();
        for convoy in convoys.iter() {
            let (own, partner) = if convoy.plate_a == plate {
                (true, convoy.plate_b)
            } else if convoy.plate_b == plate {
                (false, convoy.plate_a)
            } else {
                continue;
            };
            if mostly_at_night(table, convoy) {
                out_at_night.insert(partner);
            }
            let mut counts = vec![0usize; clone.tracks.len()];
            for co in convoy.occasions.iter().flat_map(|o| &o.co_occurrences) {
                let row = if own { co.row_a } else { co.row_b };
                if let Some(&track) = track_of.get(&row) {
                    counts[track] += 1;
                }
            }
            let best = counts.iter().copied().max().unwrap_or(0);
            if best > 0 {
                let track = counts.iter().position(|&n| n == best).expect("a maximum");
                company[track].insert(partner);
            }
        }
        // A vehicle's company reaches the rest of the network when one of its partners
        // has a convoy with a vehicle outside the company and other than the plate.
        let reaches_out = |partners: &BTreeSet<u32>| {
            partners.iter().any(|&partner| seeds.contains(&partner))
                || convoys.iter().any(|convoy| {
                    let (a, b) = (convoy.plate_a, convoy.plate_b);
                    (partners.contains(&a) && b != plate && !partners.contains(&b))
                        || (partners.contains(&b) && a != plate && !partners.contains(&a))
                })
        };
        // A company is the network's when it reaches out, or when one of its partners went
        // out with the plate at night: a crew tied to the rest of the network through the
        // van alone, whose commuting other vehicle's companions are tied to it as little.
        let reaching: Vec<bool> = company
            .iter()
            .map(|partners| {
                reaches_out(partners) || partners.iter().any(|p| out_at_night.contains(p))
            })
            .collect();
        if seeds.contains(&plate) || !reaching.contains(&true) {
            continue;
        }
        let apart: BTreeSet<u32> = company
            .iter()
            .zip(&reaching)
            .filter(|&(_, &reaches)| !reaches)
            .flat_map(|(partners, _)| partners.iter().copied())
            .collect();
        convoys.retain(|convoy| {
            let (a, b) = (convoy.plate_a, convoy.plate_b);
            !((a == plate && apart.contains(&b))
                || (b == plate && apart.contains(&a))
                || (apart.contains(&a) && apart.contains(&b)))
        });
    }
    convoys.len() < before
}

/// The vehicles of interest (seeds and convoy members) and the rows of their convoys.
fn interest_of(convoys: &[ConvoyFinding], seeds: &[u32]) -> (BTreeSet<u32>, FastSet<u32>) {
    let mut interest: BTreeSet<u32> = seeds.iter().copied().collect();
    interest.extend(
        convoys
            .iter()
            .flat_map(|convoy| [convoy.plate_a, convoy.plate_b]),
    );
    let convoy_rows: FastSet<u32> = convoys
        .iter()
        .flat_map(|convoy| &convoy.occasions)
        .flat_map(|occasion| &occasion.co_occurrences)
        .flat_map(|co| [co.row_a, co.row_b])
        .collect();
    (interest, convoy_rows)
}

/// Whether a trip holds reads of a convoy's occasions: the stop before it ended with the
/// vehicle leaving in convoy.
fn in_convoy(trip: &Trip, convoy_rows: &FastSet<u32>) -> bool {
    trip.rows.iter().any(|row| convoy_rows.contains(row))
}

/// What [`all_journeys`] works out per vehicle of interest, for `interest` and
/// `convoy_rows` grown since: the stops after which each left in convoy, and its trips.
fn refresh_interest(
    table: &ReadTable,
    all: &mut AllJourneys,
    interest: &BTreeSet<u32>,
    convoy_rows: &FastSet<u32>,
    config: &AnalysisConfig,
) {
    // Whether each stop began and ended with the vehicle in convoy.
    let mut together: FastMap<(u32, u32), (bool, bool)> = FastMap::default();
    for &plate in interest {
        let rows = table.plate_rows(plate);
        if rows.len() < 2 {
            continue;
        }
        let journeys = split_journeys(table, plate, rows, config);
        for (stop, trips) in journeys.stops.iter().zip(journeys.trips.windows(2)) {
            let ends = (
                in_convoy(&trips[0], convoy_rows),
                in_convoy(&trips[1], convoy_rows),
            );
            together.insert((plate, stop.row_before), ends);
        }
        all.trips.insert(plate, journeys.trips);
    }
    for stop in &mut all.stops {
        if let Some(&(arrives, departs)) = together.get(&(stop.plate, stop.row_before)) {
            (stop.arrives_together, stop.departs_together) = (arrives, departs);
        }
    }
}

/// The convoys between two of the vehicles that leave a lone seed's stop places at night
/// (see [`place_mates`]) that are not among `convoys` yet.
fn convoys_around_places(
    (table, index, traffic): (&ReadTable, &CameraIndex, &Traffic),
    stops: &[Stop],
    (convoys, seeds): (&[ConvoyFinding], &[u32]),
    light: &[bool],
    config: &AnalysisConfig,
) -> Vec<ConvoyFinding> {
    let mates = place_mates(table, stops, (convoys, seeds), light, config);
    convoys_among((table, index, traffic), &mates, convoys, light, config)
}

/// The convoys between two of the vehicles outside the network that stop at night at one
/// of the hubs its vehicles of `interest` make now (see [`hub_mates`]), and those of one of
/// them with one of the network's vehicles on a single trip (tested as two of the network's
/// own, `Wanted::between_members`), not among `convoys` yet, half their trips together or
/// more at night: a
/// gang's vehicles that never travelled with a seed, nor with its partners, still keep
/// their boats where the rest of the gang does, and set off from there at night.
fn convoys_at_hubs(
    searches: (&ReadTable, &CameraIndex, &Traffic),
    all: &AllJourneys,
    (interest, convoys): (&BTreeSet<u32>, &[ConvoyFinding]),
    light: &[bool],
    config: &AnalysisConfig,
) -> Vec<ConvoyFinding> {
    let mates = hub_mates(all, interest, light, config);
    // Neighbours who live by a hub stop there at night too, and drive together by day.
    let mut found = convoys_among(searches, &mates, convoys, light, config);
    // One that keeps its boats where the gang does and went out with one of its vehicles
    // is as likely a hypothesis as a pair of the gang's own.
    let (table, index, traffic) = searches;
    let is_member = plates_mask(table, interest.iter().copied());
    let wanted = Wanted::between_members(config);
    let known: BTreeSet<(u32, u32)> = convoys.iter().map(|c| (c.plate_a, c.plate_b)).collect();
    found.extend(
        convoys::partners(table, index, traffic, (&mates, &is_member), config, wanted)
            .into_iter()
            .filter(|convoy| !known.contains(&(convoy.plate_a, convoy.plate_b))),
    );
    found.retain(|convoy| mostly_at_night(table, convoy));
    found
}

/// Per plate of `table`: whether it is one of `plates`.
fn plates_mask(table: &ReadTable, plates: impl IntoIterator<Item = u32>) -> Vec<bool> {
    let mut mask = vec![false; table.n_plates()];
    for plate in plates {
        mask[plate as usize] = true;
    }
    mask
}

/// The vehicles outside `interest` that stop at night at a hub the vehicles of `interest`
/// make (see [`hub_visitors`]), on one night or more: a crew that loaded at the gang's
/// lock-up on one night and at its other lock-up on the others is still the gang's.
/// Where more than `PLACE_MATES_MAX` such vehicles do (an estate where people work nights,
/// a town), only those that left it at night within the convoy window of one of the
/// network's vehicles leaving it (see [`setting_off_with`]); their convoys must still be
/// found.
fn hub_mates(
    all: &AllJourneys,
    interest: &BTreeSet<u32>,
    light: &[bool],
    config: &AnalysisConfig,
) -> Vec<u32> {
    let hubs = hubs_of(all, interest, &stop_points(all), config);
    let mut by_hub: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    for (plate, visits) in hub_visitors(&hubs, &all.stops, (HUB_MATE_VISITS_MIN, config)) {
        if interest.contains(&plate) || !light[plate as usize] {
            continue;
        }
        for (hub_idx, _) in visits {
            by_hub.entry(hub_idx).or_default().push(plate);
        }
    }
    let mut mates: BTreeSet<u32> = BTreeSet::new();
    for (hub_idx, plates) in by_hub {
        if plates.len() <= PLACE_MATES_MAX {
            mates.extend(plates);
        } else {
            let hub = &hubs[hub_idx];
            let within = hub.radius_m.max(config.hub_cluster_radius_m);
            let leaving = setting_off_with(&all.stops, (hub.centre, within), interest, config);
            mates.extend(leaving.into_iter().filter(|&plate| light[plate as usize]));
        }
    }
    mates.into_iter().collect()
}

/// The vehicles outside `interest` that left a stop within `within` metres of `place`
/// at night within the convoy window of one of the vehicles of `interest` leaving a stop
/// there: the gang's vehicles set off from their lock-up together, the people who live or
/// work near it each at their own time.
pub(crate) fn setting_off_with(
    stops: &[Stop],
    (place, within): (Point, f64),
    interest: &BTreeSet<u32>,
    config: &AnalysisConfig,
) -> Vec<u32> {
    let leaving: Vec<&Stop> = stops
        .iter()
        .filter(|stop| leaves_in_the_night(stop) && stop.point.distance_m(place) <= within)
        .collect();
    let mut departures: Vec<i64> = leaving
        .iter()
        .filter(|stop| interest.contains(&stop.plate))
        .map(|stop| stop.span_us.1)
        .collect();
    departures.sort_unstable();
    let window = config.convoy_window_secs * MICROS;
    let mut plates: Vec<u32> = leaving
        .iter()
        .filter(|stop| !interest.contains(&stop.plate))
        .filter(|stop| {
            let left = stop.span_us.1;
            let from = departures.partition_point(|&t| t < left - window);
            departures.get(from).is_some_and(|&t| t <= left + window)
        })
        .map(|stop| stop.plate)
        .collect();
    plates.sort_unstable();
    plates.dedup();
    plates
}

/// The convoys between two of `mates` (sorted) that are not among `convoys`, scored as
/// discovery's members' partners are.
fn convoys_among(
    (table, index, traffic): (&ReadTable, &CameraIndex, &Traffic),
    mates: &[u32],
    convoys: &[ConvoyFinding],
    light: &[bool],
    config: &AnalysisConfig,
) -> Vec<ConvoyFinding> {
    if mates.is_empty() {
        return Vec::new();
    }
    let known: BTreeSet<(u32, u32)> = convoys.iter().map(|c| (c.plate_a, c.plate_b)).collect();
    let wanted = Wanted::in_discovery(config);
    convoys::partners(table, index, traffic, (mates, light), config, wanted)
        .into_iter()
        .filter(|finding| {
            // Two of them stop at the place at night and travel together.
            mates.binary_search(&finding.plate_a).is_ok()
                && mates.binary_search(&finding.plate_b).is_ok()
                && !known.contains(&(finding.plate_a, finding.plate_b))
        })
        .collect()
}

/// The convoys between two vehicles that set off together at night from a long stay (see
/// [`setting_off_together`]), scored as discovery scores pairs, against those pairs tested
/// instead of every pair in the data.
pub(crate) fn convoys_setting_off_together(
    (table, index, traffic): (&ReadTable, &CameraIndex, &Traffic),
    stops: &[Stop],
    convoys: &[ConvoyFinding],
    light: &[bool],
    config: &AnalysisConfig,
) -> Vec<ConvoyFinding> {
    let pairs = setting_off_together(stops, convoys, light, config);
    if pairs.is_empty() {
        return Vec::new();
    }
    let wanted = Wanted::in_discovery(config);
    convoys::partners_among(table, index, traffic, &pairs, config, wanted)
        .into_iter()
        .filter(|finding| mostly_at_night(table, finding))
        .collect()
}

/// Whether half of a pair's trips together or more began at night, and at most a quarter
/// in working hours (`WORKING_HOURS_UTC`): neighbours who drive to work together every
/// morning and once went out together in the evening are explained by their mornings, not
/// by the night they set off together, and so are the vans of one depot, out on their
/// rounds together by day and now and then on a night round.
fn mostly_at_night(table: &ReadTable, convoy: &ConvoyFinding) -> bool {
    let starts = || {
        convoy
            .occasions
            .iter()
            .map(|occasion| table.ts[occasion.co_occurrences[0].row_a as usize])
    };
    let at_night = starts().filter(|&ts| in_hours(ts, NIGHT_HOURS_UTC)).count();
    let by_day = starts().filter(|&ts| in_working_hours(ts)).count();
    let occasions = convoy.occasions.len();
    2 * at_night >= occasions && 4 * by_day <= occasions
}

/// Pairs of vehicles in no convoy found so far that left one place together in the night
/// after a long stay (`hub_dwell_secs_min`): each stop placed to within
/// `STOP_UNCERTAINTY_M_PLACED`, the two within `hub_cluster_radius_m` of each other, left
/// within the convoy window of each other. A gang loads at its lock-up in the evening and
/// sets off for the coast together; most of its vans are read on one or two nights, and a
/// pair of them that beats no bound over every pair in the data beats one over the few
/// vehicles that set off together like this.
pub(crate) fn setting_off_together(
    stops: &[Stop],
    convoys: &[ConvoyFinding],
    light: &[bool],
    config: &AnalysisConfig,
) -> Vec<(u32, u32)> {
    let in_convoy: BTreeSet<u32> = convoys
        .iter()
        .flat_map(|convoy| [convoy.plate_a, convoy.plate_b])
        .collect();
    let mut leaving: Vec<&Stop> = stops
        .iter()
        .filter(|stop| {
            light[stop.plate as usize]
                && !in_convoy.contains(&stop.plate)
                && stop.dwell_secs >= config.hub_dwell_secs_min
                && stop.uncertainty_m <= STOP_UNCERTAINTY_M_PLACED
                && leaves_in_the_night(stop)
        })
        .collect();
    leaving.sort_by_key(|stop| stop.span_us.1);
    let window = config.convoy_window_secs * MICROS;
    let mut pairs: BTreeSet<(u32, u32)> = BTreeSet::new();
    for (idx, a) in leaving.iter().enumerate() {
        for b in leaving[idx + 1..]
            .iter()
            .take_while(|b| b.span_us.1 - a.span_us.1 <= window)
        {
            if a.plate != b.plate && a.point.distance_m(b.point) <= config.hub_cluster_radius_m {
                pairs.insert((a.plate.min(b.plate), a.plate.max(b.plate)));
            }
        }
    }
    pairs.into_iter().collect()
}

/// Whether the vehicle left `stop` in the middle of the night, as a gang sets off for the
/// coast; people who live or work there arrive in the evening and leave in the morning.
fn leaves_in_the_night(stop: &Stop) -> bool {
    in_hours(stop.span_us.1, DEPARTS_AT_NIGHT_HOURS_UTC)
}

/// Vehicles outside the network found so far that stop, at night, within a hub's radius of
/// a place where a seed with no convoy stopped, on `HUB_VISITS_MIN` nights or more, or
/// that left, at night, a stop between the same two cameras as a stop a seed with no
/// convoy left at night (see [`same_bracket_mates`]). A place where more than
/// `PLACE_MATES_MAX` vehicles do so is a town or an estate where people live and work, not
/// a lock-up, and tells nothing.
fn place_mates(
    table: &ReadTable,
    stops: &[Stop],
    (convoys, seeds): (&[ConvoyFinding], &[u32]),
    light: &[bool],
    config: &AnalysisConfig,
) -> Vec<u32> {
    let in_convoy: BTreeSet<u32> = convoys
        .iter()
        .flat_map(|convoy| [convoy.plate_a, convoy.plate_b])
        .collect();
    let lone_seeds: BTreeSet<u32> = seeds
        .iter()
        .copied()
        .filter(|seed| !in_convoy.contains(seed))
        .collect();
    if lone_seeds.is_empty() {
        return Vec::new();
    }
    let places: Vec<Point> = stops
        .iter()
        .filter(|stop| {
            lone_seeds.contains(&stop.plate) && stop.uncertainty_m <= STOP_UNCERTAINTY_M_PLACED
        })
        .map(|stop| stop.point)
        .collect();
    let mut mates: BTreeSet<u32> = BTreeSet::new();
    for place in places {
        let mut visits: BTreeMap<u32, usize> = BTreeMap::new();
        for stop in stops.iter().filter(|stop| {
            light[stop.plate as usize]
                && !seeds.contains(&stop.plate)
                && !in_convoy.contains(&stop.plate)
                && leaves_in_the_night(stop)
                && stop.point.distance_m(place) <= config.hub_cluster_radius_m
        }) {
            *visits.entry(stop.plate).or_default() += 1;
        }
        let regulars: Vec<u32> = visits
            .into_iter()
            .filter(|&(_, n)| n >= HUB_VISITS_MIN)
            .map(|(plate, _)| plate)
            .collect();
        if regulars.len() <= PLACE_MATES_MAX {
            mates.extend(regulars);
        }
    }
    let seeds_in = (&lone_seeds, &in_convoy, seeds);
    mates.extend(same_bracket_mates(table, stops, seeds_in, light));
    mates.into_iter().collect()
}

/// Vehicles that left, at night, a stop between the same two cameras as a lone seed's stop
/// that the seed left at night. The cameras a vehicle was last read at before a stop and
/// first read at after it bracket the place; where cameras are few and far between (a
/// lock-up down country lanes) the bracket is all that can be said of it, kilometres wide,
/// and the seed and its gang's other vehicles, each stopping there once on its own night,
/// share nothing closer. One such stop each is taken, where no more than `PLACE_MATES_MAX`
/// vehicles made one.
fn same_bracket_mates(
    table: &ReadTable,
    stops: &[Stop],
    (lone_seeds, in_convoy, seeds): (&BTreeSet<u32>, &BTreeSet<u32>, &[u32]),
    light: &[bool],
) -> Vec<u32> {
    let ends = |stop: &Stop| (table.point(stop.row_before), table.point(stop.row_after));
    // Either way round (out past one camera and back past the other, or the reverse), and
    // a site's cameras for each direction stand a few metres apart.
    let same = |(a, b): (Point, Point), (c, d): (Point, Point)| {
        let near = |x: Point, y: Point| x.distance_m(y) <= CAMERA_SITE_M;
        (near(a, c) && near(b, d)) || (near(a, d) && near(b, c))
    };
    let brackets: Vec<(Point, Point)> = stops
        .iter()
        .filter(|stop| lone_seeds.contains(&stop.plate) && leaves_in_the_night(stop))
        .map(ends)
        .collect();
    if brackets.is_empty() {
        return Vec::new();
    }
    let mut by_bracket: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); brackets.len()];
    for stop in stops.iter().filter(|stop| {
        leaves_in_the_night(stop)
            && light[stop.plate as usize]
            && !seeds.contains(&stop.plate)
            && !in_convoy.contains(&stop.plate)
    }) {
        let stop_ends = ends(stop);
        for (idx, &seed_ends) in brackets.iter().enumerate() {
            if same(seed_ends, stop_ends) {
                by_bracket[idx].insert(stop.plate);
            }
        }
    }
    by_bracket
        .into_iter()
        .filter(|plates| plates.len() <= PLACE_MATES_MAX)
        .flatten()
        .collect()
}

/// For every plate with `visits_min` stops or more at a hub, arriving or leaving at night,
/// not a night spent there: (hub index, visits).
pub(crate) fn hub_visitors(
    hubs: &[HubFinding],
    stops: &[Stop],
    (visits_min, config): (usize, &AnalysisConfig),
) -> BTreeMap<u32, Vec<(usize, usize)>> {
    let mut visits: BTreeMap<(u32, usize), usize> = BTreeMap::new();
    // People work on the estates hubs hide in; arriving or leaving at night is what a
    // commuter does not do. People also live in the towns hubs hide in: coming home in the
    // evening and leaving in the morning is not a visit to a lock-up.
    let at_night = |ts: i64| in_hours(ts, NIGHT_HOURS_UTC);
    let night_spent =
        |stop: &Stop| !at_night(stop.span_us.1) && stop.dwell_secs >= NIGHT_SPENT_SECS;
    for stop in stops
        .iter()
        .filter(|stop| (at_night(stop.span_us.0) || at_night(stop.span_us.1)) && !night_spent(stop))
    {
        for (hub_idx, hub) in hubs.iter().enumerate() {
            if stop.point.distance_m(hub.centre) <= hub.radius_m.max(config.hub_cluster_radius_m) {
                *visits.entry((stop.plate, hub_idx)).or_default() += 1;
            }
        }
    }
    let mut visitors: BTreeMap<u32, Vec<(usize, usize)>> = BTreeMap::new();
    for ((plate, hub_idx), n) in visits {
        if n >= visits_min {
            visitors.entry(plate).or_default().push((hub_idx, n));
        }
    }
    visitors
}

fn assemble(
    table: &ReadTable,
    input: &AnalysisInput,
    findings: &Findings,
    links: &[Link],
    skews: &[i64],
    config: &AnalysisConfig,
) -> Report {
    let label = |plate: u32| table.plate_text(plate).to_owned();
    let max = config.findings_max;
    let hubs: Vec<HubReport> = findings
        .hubs
        .iter()
        .take(max)
        .map(|hub| hub_report(table, hub))
        .collect();
    let convoys = findings
        .convoys
        .iter()
        .take(max)
        .map(|convoy| convoy_report(table, convoy))
        .collect();
    let mut clones: Vec<CloneReport> = findings
        .clones
        .iter()
        .map(|clone| clone_report(table, clone))
        .collect();
    clones.extend(findings.swaps.iter().map(|swap| swap_report(table, swap)));
    clones.truncate(max);
    let routes = findings
        .routes
        .iter()
        .take(max)
        .map(|route| route_report(table, route))
        .collect();
    let (ranked_vehicles, link_rows) = rank(table, findings);
    Report {
        n_reads: table.len(),
        n_plates: table.n_plates(),
        seeds: input
            .seeds
            .iter()
            .map(|seed| seed.as_str().to_owned())
            .collect(),
        seeds_unseen: input
            .seeds
            .iter()
            .filter(|seed| table.plates_with_text(seed.as_str()).is_empty())
            .map(|seed| seed.as_str().to_owned())
            .collect(),
        hubs,
        convoys,
        clones,
        routes,
        ranked_vehicles: ranked_vehicles.into_iter().take(max).collect(),
        links: link_rows,
        misread_links: links
            .iter()
            .map(|link| MisreadLink {
                read_id: table.read_id(link.row),
                read_as: label(link.from_plate),
                linked_to: label(link.to_plate),
            })
            .collect(),
        camera_skews: crate::report::camera_skews(table, skews),
        score_meanings: SCORE_MEANINGS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        timings_ms: Vec::new(),
    }
}

/// A convoy's report row: its plates, the cameras of its occasions and the reads of both
/// vehicles there.
pub(crate) fn convoy_report(table: &ReadTable, convoy: &ConvoyFinding) -> ConvoyReport {
    let co_occurrences = || {
        convoy
            .occasions
            .iter()
            .flat_map(|occasion| &occasion.co_occurrences)
    };
    let mut cameras: Vec<String> = co_occurrences()
        .map(|co| {
            table.cameras[table.camera[co.row_a as usize] as usize]
                .camera_id
                .clone()
        })
        .collect();
    cameras.sort();
    cameras.dedup();
    // A read that co-occurs with two reads of the partner (read twice at one camera), or
    // that the input holds twice (a camera's double read, a second later), is listed once,
    // in time order.
    let mut reads: Vec<(i64, String)> = co_occurrences()
        .flat_map(|co| [co.row_a, co.row_b])
        .map(|row| (table.ts[row as usize], table.read_id(row)))
        .collect();
    reads.sort_unstable();
    let mut listed: FastSet<String> = FastSet::default();
    reads.retain(|(_, read_id)| listed.insert(read_id.clone()));
    ConvoyReport {
        plates: vec![
            table.plate_text(convoy.plate_a).to_owned(),
            table.plate_text(convoy.plate_b).to_owned(),
        ],
        occasions: convoy.occasions.len(),
        expected: convoy.expected,
        cameras,
        score: convoy.score,
        read_ids: reads.into_iter().map(|(_, read_id)| read_id).collect(),
    }
}

fn hub_report(table: &ReadTable, hub: &HubFinding) -> HubReport {
    HubReport {
        lat: hub.centre.lat,
        lon: hub.centre.lon,
        radius_m: hub.radius_m,
        score: hub.score,
        stops_nearby: hub.stops_all,
        plates: hub
            .plates
            .iter()
            .map(|&plate| table.plate_text(plate).to_owned())
            .collect(),
        read_ids: hub
            .stops
            .iter()
            .flat_map(|stop| [stop.row_before, stop.row_after])
            .map(|row| table.read_id(row))
            .collect(),
        visits: hub
            .stops
            .iter()
            .map(|stop| Visit {
                plate: table.plate_text(stop.plate).to_owned(),
                arrived_before: table.ts[stop.row_before as usize],
                left_after: table.ts[stop.row_after as usize],
                dwell_secs: stop.dwell_secs,
            })
            .collect(),
    }
}

fn clone_report(table: &ReadTable, clone: &CloneFinding) -> CloneReport {
    let tracks: Vec<Vec<String>> = clone
        .tracks
        .iter()
        .map(|track| track.iter().map(|&row| table.read_id(row)).collect())
        .collect();
    CloneReport {
        plate: table.plate_text(clone.plate).to_owned(),
        kind: match clone.kind {
            CloneKind::ImpossibleJourney => "impossible_journey",
            CloneKind::InconsistentVehicle => "inconsistent_vehicle",
        }
        .to_owned(),
        plates: vec![table.plate_text(clone.plate).to_owned()],
        score: clone.evidence as f64,
        read_ids: tracks.iter().flatten().cloned().collect(),
        tracks,
    }
}

fn swap_report(table: &ReadTable, swap: &SwapFinding) -> CloneReport {
    let tracks: Vec<Vec<String>> = [swap.plate_a, swap.plate_b]
        .iter()
        .map(|&plate| {
            table
                .plate_rows(plate)
                .iter()
                .map(|&row| table.read_id(row))
                .collect()
        })
        .collect();
    CloneReport {
        plate: table.plate_text(swap.plate_a).to_owned(),
        kind: "swap".to_owned(),
        plates: vec![
            table.plate_text(swap.plate_a).to_owned(),
            table.plate_text(swap.plate_b).to_owned(),
        ],
        score: swap.similarity,
        read_ids: tracks.iter().flatten().cloned().collect(),
        tracks,
    }
}

fn route_report(table: &ReadTable, route: &RouteFinding) -> RouteReport {
    RouteReport {
        cameras: route
            .cameras
            .iter()
            .map(|&camera| table.cameras[camera as usize].camera_id.clone())
            .collect(),
        vehicles: route.plates.len(),
        plates: route
            .plates
            .iter()
            .map(|&plate| table.plate_text(plate).to_owned())
            .collect(),
        trips: route.trips.len(),
        score: route.score,
        by_hour: route.by_hour.to_vec(),
        by_weekday: route.by_weekday.to_vec(),
        read_ids: route
            .trips
            .iter()
            .flat_map(|trip| &trip.rows)
            .take(ROUTE_READ_IDS_MAX)
            .map(|&row| table.read_id(row))
            .collect(),
    }
}

/// What a vehicle of the hub gets in the ranking: half the hub's score, at most 5.
fn hub_credit(hub: &HubFinding) -> f64 {
    hub.score.min(10.0) * 0.5
}

/// Ranks the network's vehicles and lists its links.
pub(crate) fn rank(
    table: &ReadTable,
    findings: &Findings,
) -> (Vec<RankedVehicle>, Vec<LinkReport>) {
    let mut scores: BTreeMap<u32, (f64, Vec<String>)> = BTreeMap::new();
    let mut links = Vec::new();
    let label = |plate: u32| table.plate_text(plate).to_owned();
    for &seed in &findings.seeds {
        let entry = scores.entry(seed).or_default();
        entry.0 += 1000.0;
        entry.1.push("seed".to_owned());
    }
    for convoy in &findings.convoys {
        for (plate, other) in [
            (convoy.plate_a, convoy.plate_b),
            (convoy.plate_b, convoy.plate_a),
        ] {
            let entry = scores.entry(plate).or_default();
            entry.0 += convoy.score;
            entry.1.push(format!(
                "convoy with {} on {} occasions (score {:.1})",
                label(other),
                convoy.occasions.len(),
                convoy.score
            ));
        }
        links.push(LinkReport {
            source: label(convoy.plate_a),
            target: label(convoy.plate_b),
            kind: "convoy".to_owned(),
            score: convoy.score,
            detail: format!(
                "{} occasions, {:.2} expected by chance",
                convoy.occasions.len(),
                convoy.expected
            ),
        });
    }
    for (hub_idx, hub) in findings.hubs.iter().enumerate() {
        for &plate in &hub.plates {
            let visits = hub.stops.iter().filter(|stop| stop.plate == plate).count();
            let entry = scores.entry(plate).or_default();
            entry.0 += hub_credit(hub);
            entry
                .1
                .push(format!("stops at hub:{hub_idx} ({visits} visits)"));
            links.push(hub_link(table, plate, hub_idx, hub.score, visits));
        }
    }
    for (&plate, hub_visits) in &findings.hub_visitors {
        for &(hub_idx, visits) in hub_visits {
            if findings.hubs[hub_idx].plates.contains(&plate) {
                continue;
            }
            // A visitor is linked to the network no more strongly than the hub's own
            // vehicles are: many visits to a weak hub (a town two vehicles stopped in) are
            // a resident's.
            let score = (0.5 * visits as f64).min(hub_credit(&findings.hubs[hub_idx]));
            let entry = scores.entry(plate).or_default();
            entry.0 += score;
            entry
                .1
                .push(format!("stops near hub:{hub_idx} ({visits} visits)"));
            links.push(hub_link(table, plate, hub_idx, score, visits));
        }
    }
    for swap in &findings.swaps {
        for (plate, other) in [(swap.plate_a, swap.plate_b), (swap.plate_b, swap.plate_a)] {
            let entry = scores.entry(plate).or_default();
            entry.0 += 5.0 * swap.similarity;
            entry.1.push(format!(
                "same vehicle as {} (swap, similarity {:.2})",
                label(other),
                swap.similarity
            ));
        }
        links.push(LinkReport {
            source: label(swap.plate_a),
            target: label(swap.plate_b),
            kind: "swap".to_owned(),
            score: swap.similarity,
            detail: "same movements, never seen together".to_owned(),
        });
    }
    for clone in &findings.clones {
        if let Some(entry) = scores.get_mut(&clone.plate) {
            entry.0 += 2.0;
            entry.1.push("plate is cloned".to_owned());
        }
    }
    let mut ranked: Vec<RankedVehicle> = scores
        .into_iter()
        .map(|(plate, (score, reasons))| RankedVehicle {
            plate: label(plate),
            country: table.plates[plate as usize].country.clone(),
            score,
            reasons,
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.plate.cmp(&b.plate))
    });
    (ranked, links)
}

fn hub_link(
    table: &ReadTable,
    plate: u32,
    hub_idx: usize,
    score: f64,
    visits: usize,
) -> LinkReport {
    LinkReport {
        source: table.plate_text(plate).to_owned(),
        target: format!("hub:{hub_idx}"),
        kind: "hub".to_owned(),
        score,
        detail: format!("{visits} stops"),
    }
}

/// Wall-clock time of each step, measured from the previous one.
pub(crate) struct Timings {
    laps: Vec<(String, u64)>,
    last: Instant,
}

impl Timings {
    pub(crate) fn new() -> Timings {
        Timings {
            laps: Vec::new(),
            last: Instant::now(),
        }
    }

    pub(crate) fn lap(&mut self, step: &str) {
        let now = Instant::now();
        self.laps.push((
            step.to_owned(),
            now.duration_since(self.last).as_millis() as u64,
        ));
        self.last = now;
    }
}
