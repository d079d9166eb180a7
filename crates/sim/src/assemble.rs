//! Builds [`Truth`] from what the generator planted and the reads it emitted.

use crate::cameras::SimCamera;
use crate::gangs::{GangVehicle, Role, TagKind};
use crate::generate::{State, TaggedRead, World};
use crate::geo::haversine_m;
use crate::trip::FIXED_SITE;
use crate::truth::*;
use crate::vehicle::{COLOURS, COUNTRIES, MODELS, PlateBuf};
use chrono::{DateTime, SecondsFormat};
use std::collections::BTreeMap;

/// Formats microseconds since the epoch as RFC 3339 UTC with milliseconds.
pub(crate) fn rfc3339(ts_us: i64) -> String {
    DateTime::from_timestamp_micros(ts_us)
        .expect("simulated times are in range")
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn plate_ref(plate: &PlateBuf, country: u8) -> PlateRef {
    PlateRef {
        plate: plate.as_str().to_owned(),
        country: COUNTRIES[country as usize].to_owned(),
    }
}

/// Tagged reads grouped by tag, in time order.
fn reads_by_tag(state: &State) -> BTreeMap<u32, Vec<&TaggedRead>> {
    let mut by_tag: BTreeMap<u32, Vec<&TaggedRead>> = BTreeMap::new();
    for read in &state.tagged {
        by_tag.entry(read.tag).or_default().push(read);
    }
    by_tag
}

/// Assembles the truth file.
pub(crate) fn truth(world: &World, state: &State) -> Truth {
    let by_tag = reads_by_tag(state);
    let cameras = &world.layout.cameras;
    let (convoys, n_occasions_unseen) = convoys(world, state, &by_tag);
    let (hub_visits, n_visits_unseen) = hub_visits(world, state, &by_tag);
    Truth {
        params: params(world, state),
        hubs: hubs(world, state),
        launch_points: launch_points(world, state),
        networks: networks(world, state),
        routes: routes(world, state),
        convoys,
        hub_visits,
        clones: clones(world, state, &by_tag),
        swaps: swaps(world, state, &by_tag),
        network_plates: network_plates(world, state, &by_tag),
        seeds: seeds(world, state, &by_tag),
        background: background(world, state, n_occasions_unseen, n_visits_unseen),
        camera_faults: CameraFaults {
            skews: cameras
                .iter()
                .filter(|c| c.skew_us != 0)
                .map(|c| CameraSkew {
                    camera_id: c.camera.camera_id.clone(),
                    skew_secs: c.skew_us as f64 / 1e6,
                })
                .collect(),
            outages: cameras
                .iter()
                .flat_map(|c| {
                    c.outages.iter().map(|(start, end)| CameraOutage {
                        camera_id: c.camera.camera_id.clone(),
                        start: rfc3339(*start),
                        end: rfc3339(*end),
                    })
                })
                .collect(),
        },
    }
}

fn params(world: &World, state: &State) -> Params {
    let config = &world.config;
    Params {
        generator: format!("corridor-sim {}", env!("CARGO_PKG_VERSION")),
        seed: config.seed,
        n_reads_requested: config.n_reads,
        n_reads_written: state.n_reads,
        days: config.days,
        start: config.start.format("%Y-%m-%d").to_string(),
        misread_rate: config.misread_rate,
        duplicate_rate: config.duplicate_rate,
        outage_rate: config.outage_rate,
        skewed_camera_share: config.skewed_camera_share,
        n_networks: world.n_gangs,
        n_cameras: world.layout.cameras.len(),
    }
}

fn node_id(world: &World, node: u16) -> String {
    world.network.nodes[node as usize].id.to_owned()
}

fn watching(cameras: &[SimCamera], node: u16) -> Vec<String> {
    cameras
        .iter()
        .filter(|c| c.watches == Some(node))
        .map(|c| c.camera.camera_id.clone())
        .collect()
}

fn hubs(world: &World, state: &State) -> Vec<Hub> {
    let mut nodes: Vec<u16> = state
        .gangs
        .iter()
        .flat_map(|g| g.hubs.iter().copied())
        .collect();
    nodes.sort_unstable();
    nodes.dedup();
    nodes
        .into_iter()
        .map(|node| {
            let def = &world.network.nodes[node as usize];
            Hub {
                id: def.id.to_owned(),
                name: def.name.to_owned(),
                lat: def.lat,
                lon: def.lon,
                network_ids: state
                    .gangs
                    .iter()
                    .filter(|g| g.hubs.contains(&node))
                    .map(|g| g.id.clone())
                    .collect(),
                camera_ids: watching(&world.layout.cameras, node),
            }
        })
        .collect()
}

fn launch_points(world: &World, state: &State) -> Vec<LaunchPoint> {
    let mut nodes: Vec<u16> = state
        .gangs
        .iter()
        .flat_map(|g| g.launches.iter().copied())
        .collect();
    nodes.sort_unstable();
    nodes.dedup();
    nodes
        .into_iter()
        .map(|node| {
            let def = &world.network.nodes[node as usize];
            LaunchPoint {
                id: def.id.to_owned(),
                name: def.name.to_owned(),
                lat: def.lat,
                lon: def.lon,
                network_ids: state
                    .gangs
                    .iter()
                    .filter(|g| g.launches.contains(&node))
                    .map(|g| g.id.clone())
                    .collect(),
                camera_ids: watching(&world.layout.cameras, node),
            }
        })
        .collect()
}

/// The vehicle id of a crew member: a network vehicle, or a hire van (encoded from the top).
fn vehicle_id(world: &World, state: &State, gang: u16, vehicle: u32) -> (String, Role) {
    let gang = &state.gangs[gang as usize];
    match gang.vehicles.get(vehicle as usize) {
        Some(v) => (v.vehicle_id.clone(), v.role),
        None => {
            let hire = (u32::MAX - vehicle) as usize;
            let _ = &world.population.hire_vans[hire];
            (format!("HIRE-{}", hire + 1), Role::HireVan)
        }
    }
}

fn innocent_id(victim: usize) -> String {
    format!("INNOCENT-{}", victim + 1)
}

fn networks(world: &World, state: &State) -> Vec<Network> {
    state
        .gangs
        .iter()
        .enumerate()
        .map(|(gang_idx, gang)| {
            let mut vehicles: Vec<NetworkVehicle> = gang
                .vehicles
                .iter()
                .map(|v| {
                    let (make, model, class) = MODELS[v.attrs.model as usize];
                    NetworkVehicle {
                        vehicle_id: v.vehicle_id.clone(),
                        role: v.role.as_str().to_owned(),
                        make: make.to_owned(),
                        model: model.to_owned(),
                        colour: COLOURS[v.attrs.colour as usize].to_owned(),
                        vehicle_type: class.as_str().to_owned(),
                        plates: v
                            .plates
                            .iter()
                            .map(|p| plate_ref(p, v.attrs.country))
                            .collect(),
                        cloned_from: v.clone_of.map(innocent_id),
                    }
                })
                .collect();
            let mut hired: Vec<usize> = state
                .rentals
                .iter()
                .filter(|(g, _, _)| *g as usize == gang_idx)
                .map(|(_, van, _)| *van)
                .collect();
            hired.sort_unstable();
            hired.dedup();
            for van in hired {
                let attrs = world.population.hire_vans[van].attrs;
                let (make, model, class) = MODELS[attrs.model as usize];
                vehicles.push(NetworkVehicle {
                    vehicle_id: format!("HIRE-{}", van + 1),
                    role: Role::HireVan.as_str().to_owned(),
                    make: make.to_owned(),
                    model: model.to_owned(),
                    colour: COLOURS[attrs.colour as usize].to_owned(),
                    vehicle_type: class.as_str().to_owned(),
                    plates: vec![plate_ref(&attrs.plate, attrs.country)],
                    cloned_from: None,
                });
            }
            Network {
                id: gang.id.clone(),
                hub_ids: gang.hubs.iter().map(|h| node_id(world, *h)).collect(),
                launch_ids: gang.launches.iter().map(|l| node_id(world, *l)).collect(),
                home: node_id(world, gang.home),
                supplier: node_id(world, gang.supply_from),
                vehicles,
            }
        })
        .collect()
}

/// Fixed cameras along the fastest path, in driving order.
pub(crate) fn path_cameras(world: &World, from: u16, to: u16) -> Vec<String> {
    world
        .network
        .path(from, to)
        .flat_map(|edge| world.network.edges[edge as usize].cameras.iter())
        .map(|(_, camera)| {
            world.layout.cameras[*camera as usize]
                .camera
                .camera_id
                .clone()
        })
        .collect()
}

fn routes(world: &World, state: &State) -> Vec<Route> {
    let mut counts: BTreeMap<(u16, &'static str, u16, u16), u32> = BTreeMap::new();
    for tag in &state.registry.tags {
        let kind = match tag.kind {
            TagKind::HubToLaunch => "run",
            TagKind::LaunchToHub => "return",
            TagKind::SupplierToHub => "supply",
            _ => continue,
        };
        *counts
            .entry((tag.gang, kind, tag.from, tag.to))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(index, ((gang, kind, from, to), n_trips))| Route {
            id: format!("R{}", index + 1),
            network_id: state.gangs[gang as usize].id.clone(),
            kind: kind.to_owned(),
            from: node_id(world, from),
            to: node_id(world, to),
            camera_ids: path_cameras(world, from, to),
            n_trips,
        })
        .collect()
}

fn convoys(
    world: &World,
    state: &State,
    by_tag: &BTreeMap<u32, Vec<&TaggedRead>>,
) -> (Vec<Convoy>, u64) {
    let cameras = &world.layout.cameras;
    let mut groups: BTreeMap<(u16, Vec<PlateRef>), Vec<ConvoyOccasion>> = BTreeMap::new();
    let mut unseen = 0;
    for occasion in &state.registry.occasions {
        let tags: Vec<&crate::gangs::TagInfo> = occasion
            .tags
            .iter()
            .map(|t| &state.registry.tags[*t as usize])
            .collect();
        // Cameras that read two or more members of the convoy.
        let mut members_by_camera: BTreeMap<u16, (i64, Vec<u32>)> = BTreeMap::new();
        let mut read_ids = Vec::new();
        for tag in &occasion.tags {
            for read in by_tag.get(tag).map(Vec::as_slice).unwrap_or(&[]) {
                read_ids.push(read.read_id.clone());
                let entry = members_by_camera
                    .entry(read.camera)
                    .or_insert((read.ts_us, Vec::new()));
                entry.0 = entry.0.min(read.ts_us);
                if !entry.1.contains(tag) {
                    entry.1.push(*tag);
                }
            }
        }
        let mut shared: Vec<(i64, u16)> = members_by_camera
            .iter()
            .filter(|(_, (_, members))| members.len() >= 2)
            .map(|(camera, (ts, _))| (*ts, *camera))
            .collect();
        shared.sort_unstable();
        if shared.len() < 2 {
            unseen += 1;
            continue;
        }
        let mut plates: Vec<PlateRef> = tags
            .iter()
            .map(|t| plate_ref(&t.plate, t.country))
            .collect();
        plates.sort();
        plates.dedup();
        let first = tags
            .iter()
            .map(|t| t.start_us)
            .min()
            .expect("an occasion has members");
        let last = tags
            .iter()
            .map(|t| t.arrive_us)
            .max()
            .expect("an occasion has members");
        let kind = if tags[0].kind == TagKind::LaunchToHub {
            "return"
        } else {
            "outbound"
        };
        groups
            .entry((occasion.gang, plates))
            .or_default()
            .push(ConvoyOccasion {
                date: local_date(first),
                kind: kind.to_owned(),
                start: rfc3339(first),
                end: rfc3339(last),
                from: node_id(world, tags[0].from),
                to: node_id(world, tags[0].to),
                camera_ids: shared
                    .iter()
                    .map(|(_, c)| cameras[*c as usize].camera.camera_id.clone())
                    .collect(),
                read_ids,
            });
    }
    let convoys = groups
        .into_iter()
        .enumerate()
        .map(|(index, ((gang, plates), occasions))| Convoy {
            id: format!("C{}", index + 1),
            network_id: state.gangs[gang as usize].id.clone(),
            plates,
            occasions,
        })
        .collect();
    (convoys, unseen)
}

/// The local date of the night a time belongs to (before noon counts as the previous night).
fn local_date(ts_us: i64) -> String {
    let local = ts_us + crate::generate::LOCAL_OFFSET_US - 12 * crate::traffic::HOUR_US;
    DateTime::from_timestamp_micros(local)
        .expect("in range")
        .format("%Y-%m-%d")
        .to_string()
}

fn hub_visits(
    world: &World,
    state: &State,
    by_tag: &BTreeMap<u32, Vec<&TaggedRead>>,
) -> (Vec<HubVisit>, u64) {
    let cameras = &world.layout.cameras;
    let mut arrivals: BTreeMap<u32, u32> = BTreeMap::new();
    let mut departures: BTreeMap<u32, u32> = BTreeMap::new();
    for (tag_idx, tag) in state.registry.tags.iter().enumerate() {
        if let Some(visit) = tag.visit_arrive {
            arrivals.insert(visit, tag_idx as u32);
        }
        if let Some(visit) = tag.visit_leave {
            departures.insert(visit, tag_idx as u32);
        }
    }
    let mut visits = Vec::new();
    let mut unseen = 0;
    for (visit_idx, visit) in state.registry.visits.iter().enumerate() {
        let visit_idx = visit_idx as u32;
        let mut reads: Vec<&TaggedRead> = [arrivals.get(&visit_idx), departures.get(&visit_idx)]
            .into_iter()
            .flatten()
            .flat_map(|tag| by_tag.get(tag).map(Vec::as_slice).unwrap_or(&[]))
            .filter(|read| cameras[read.camera as usize].watches == Some(visit.hub))
            .copied()
            .collect();
        if reads.is_empty() {
            unseen += 1;
            continue;
        }
        reads.sort_by_key(|r| r.ts_us);
        let mut camera_ids: Vec<String> = reads
            .iter()
            .map(|r| cameras[r.camera as usize].camera.camera_id.clone())
            .collect();
        camera_ids.sort();
        camera_ids.dedup();
        visits.push(HubVisit {
            hub_id: node_id(world, visit.hub),
            network_id: state.gangs[visit.gang as usize].id.clone(),
            vehicle_id: vehicle_id(world, state, visit.gang, visit.vehicle).0,
            plate: plate_ref(&visit.plate, visit.country),
            arrive: rfc3339(visit.arrive_us),
            leave: rfc3339(visit.leave_us),
            camera_ids,
            read_ids: reads.iter().map(|r| r.read_id.clone()).collect(),
        });
    }
    (visits, unseen)
}

/// Where a tagged read was taken.
fn read_position(world: &World, read: &TaggedRead) -> (f64, f64) {
    if read.deployment == FIXED_SITE {
        let camera = &world.layout.cameras[read.camera as usize].camera;
        (camera.lat, camera.lon)
    } else {
        let deployment = &world.layout.deployments[read.deployment as usize];
        (deployment.lat, deployment.lon)
    }
}

/// Reads of one network vehicle (all its tags), in time order.
fn vehicle_reads<'a>(
    state: &State,
    gang: u16,
    vehicle: u32,
    by_tag: &'a BTreeMap<u32, Vec<&'a TaggedRead>>,
) -> Vec<&'a TaggedRead> {
    let mut reads: Vec<&TaggedRead> = state
        .registry
        .tags
        .iter()
        .enumerate()
        .filter(|(_, t)| t.gang == gang && t.vehicle == vehicle && t.kind != TagKind::Innocent)
        .flat_map(|(tag_idx, _)| {
            by_tag
                .get(&(tag_idx as u32))
                .map(Vec::as_slice)
                .unwrap_or(&[])
        })
        .copied()
        .collect();
    reads.sort_by(|a, b| (a.ts_us, &a.read_id).cmp(&(b.ts_us, &b.read_id)));
    reads
}

/// Conflicts must hold even against the worst clock skews: the gap is widened by twice
/// the largest skew before the speed is judged.
const CLONE_SPEED_KMH_MIN: f64 = 250.0;
const CONFLICTS_LISTED_MAX: usize = 20;

fn clones(
    world: &World,
    state: &State,
    by_tag: &BTreeMap<u32, Vec<&TaggedRead>>,
) -> Vec<PlateClone> {
    let mut clones = Vec::new();
    for (gang_idx, gang) in state.gangs.iter().enumerate() {
        for (vehicle_idx, vehicle) in gang.vehicles.iter().enumerate() {
            let Some(victim) = vehicle.clone_of else {
                continue;
            };
            let innocent = &world.population.delivery_vans[victim];
            let Some((_, innocent_tag)) = state
                .registry
                .innocent_tags
                .iter()
                .find(|(v, _)| *v == victim)
            else {
                continue;
            };
            let innocent_reads: Vec<&TaggedRead> =
                by_tag.get(innocent_tag).cloned().unwrap_or_default();
            let cloner_reads = vehicle_reads(state, gang_idx as u16, vehicle_idx as u32, by_tag);
            if cloner_reads.is_empty() {
                continue;
            }
            let mut conflicts = Vec::new();
            for a in innocent_reads.iter().filter(|r| !r.misread) {
                for b in cloner_reads.iter().filter(|r| !r.misread) {
                    let gap_secs = (a.ts_us - b.ts_us).abs() as f64 / 1e6;
                    let (pa, pb) = (read_position(world, a), read_position(world, b));
                    let distance_km = haversine_m(pa.0, pa.1, pb.0, pb.1) / 1000.0;
                    let slack_secs = 2.0 * crate::cameras::SKEW_MAX_US as f64 / 1e6;
                    if distance_km / ((gap_secs + slack_secs) / 3600.0) > CLONE_SPEED_KMH_MIN {
                        conflicts.push(ClonePair {
                            innocent_read_id: a.read_id.clone(),
                            cloner_read_id: b.read_id.clone(),
                            distance_km: (distance_km * 10.0).round() / 10.0,
                            gap_secs,
                        });
                    }
                }
            }
            conflicts.sort_by(|x, y| {
                x.gap_secs
                    .total_cmp(&y.gap_secs)
                    .then_with(|| x.innocent_read_id.cmp(&y.innocent_read_id))
            });
            conflicts.truncate(CONFLICTS_LISTED_MAX);
            let (make, model, _) = MODELS[vehicle.attrs.model as usize];
            clones.push(PlateClone {
                plate: plate_ref(&innocent.attrs.plate, innocent.attrs.country),
                make: make.to_owned(),
                model: model.to_owned(),
                innocent: CloneSide {
                    vehicle_id: innocent_id(victim),
                    colour: COLOURS[innocent.attrs.colour as usize].to_owned(),
                    home: node_id(world, innocent.depot),
                    read_ids: innocent_reads.iter().map(|r| r.read_id.clone()).collect(),
                },
                cloner: CloneSide {
                    vehicle_id: vehicle.vehicle_id.clone(),
                    colour: COLOURS[vehicle.attrs.colour as usize].to_owned(),
                    home: node_id(world, gang.home),
                    read_ids: cloner_reads.iter().map(|r| r.read_id.clone()).collect(),
                },
                conflicts,
            });
        }
    }
    clones
}

/// The plates a network vehicle was actually read under, with those reads.
fn plates_used<'a>(
    state: &State,
    gang: u16,
    vehicle: u32,
    by_tag: &'a BTreeMap<u32, Vec<&'a TaggedRead>>,
) -> BTreeMap<(PlateBuf, u8), Vec<&'a TaggedRead>> {
    let mut used: BTreeMap<(PlateBuf, u8), Vec<&TaggedRead>> = BTreeMap::new();
    for (tag_idx, tag) in state.registry.tags.iter().enumerate() {
        if tag.gang != gang || tag.vehicle != vehicle || tag.kind == TagKind::Innocent {
            continue;
        }
        if let Some(reads) = by_tag.get(&(tag_idx as u32)) {
            used.entry((tag.plate, tag.country))
                .or_default()
                .extend(reads.iter().copied());
        }
    }
    used
}

fn swaps(_world: &World, state: &State, by_tag: &BTreeMap<u32, Vec<&TaggedRead>>) -> Vec<Swap> {
    let mut swaps = Vec::new();
    for (gang_idx, gang) in state.gangs.iter().enumerate() {
        for (vehicle_idx, vehicle) in gang.vehicles.iter().enumerate() {
            if vehicle.plates.len() < 2 {
                continue;
            }
            let used = plates_used(state, gang_idx as u16, vehicle_idx as u32, by_tag);
            if used.len() < 2 {
                continue;
            }
            swaps.push(Swap {
                vehicle_id: vehicle.vehicle_id.clone(),
                network_id: gang.id.clone(),
                plates: used.keys().map(|(p, c)| plate_ref(p, *c)).collect(),
                read_ids: used
                    .values()
                    .map(|reads| reads.iter().map(|r| r.read_id.clone()).collect())
                    .collect(),
            });
        }
    }
    swaps
}

fn network_plates(
    world: &World,
    state: &State,
    by_tag: &BTreeMap<u32, Vec<&TaggedRead>>,
) -> Vec<NetworkPlate> {
    let mut plates = Vec::new();
    for (gang_idx, gang) in state.gangs.iter().enumerate() {
        let mut vehicles: Vec<u32> = (0..gang.vehicles.len() as u32).collect();
        let mut hired: Vec<usize> = state
            .rentals
            .iter()
            .filter(|(g, _, _)| *g as usize == gang_idx)
            .map(|(_, v, _)| *v)
            .collect();
        hired.sort_unstable();
        hired.dedup();
        vehicles.extend(hired.iter().map(|v| u32::MAX - *v as u32));
        for vehicle in vehicles {
            let (vehicle_id, role) = vehicle_id(world, state, gang_idx as u16, vehicle);
            for (plate, country) in plates_used(state, gang_idx as u16, vehicle, by_tag).keys() {
                let note = match (role, gang.vehicles.get(vehicle as usize)) {
                    (_, Some(v)) if v.clone_of.is_some() => {
                        "cloned: also carried by an innocent van".to_owned()
                    }
                    (_, Some(v)) if v.plates.len() > 1 => {
                        format!("one of {} plates swapped on one van", v.plates.len())
                    }
                    (Role::HireVan, _) => {
                        rental_note(world, state, gang_idx as u16, (u32::MAX - vehicle) as usize)
                    }
                    _ => String::new(),
                };
                plates.push(NetworkPlate {
                    plate: plate.as_str().to_owned(),
                    country: COUNTRIES[*country as usize].to_owned(),
                    network_id: gang.id.clone(),
                    vehicle_id: vehicle_id.clone(),
                    role: role.as_str().to_owned(),
                    note,
                });
            }
        }
    }
    plates
}

fn rental_note(world: &World, state: &State, gang: u16, van: usize) -> String {
    let days: Vec<u32> = state
        .rentals
        .iter()
        .filter(|(g, v, _)| *g == gang && *v == van)
        .map(|(_, _, d)| *d)
        .collect();
    let date = |day: u32| {
        (world.config.start + chrono::Days::new(u64::from(day)))
            .format("%Y-%m-%d")
            .to_string()
    };
    match (days.first(), days.last()) {
        (Some(first), Some(last)) => format!(
            "hire van rented by the network {} to {}; other customers drive it on other days",
            date(*first),
            date(*last)
        ),
        _ => String::new(),
    }
}

fn seeds(world: &World, state: &State, by_tag: &BTreeMap<u32, Vec<&TaggedRead>>) -> Vec<Seed> {
    let mut seeds = Vec::new();
    for (gang_idx, gang) in state.gangs.iter().enumerate() {
        let g = gang_idx as u16;
        // The vehicle stopped or seen at the coast drove there: a van the network kept in
        // reserve all fortnight is nobody's lead. Failing one read on the way to a launch
        // (no camera on its road there), the first that was read at all.
        let read_on = |v: usize, kinds: &[TagKind]| {
            state
                .registry
                .tags
                .iter()
                .enumerate()
                .any(|(tag_idx, tag)| {
                    tag.gang == g
                        && tag.vehicle == v as u32
                        && (kinds.is_empty() || kinds.contains(&tag.kind))
                        && by_tag.contains_key(&(tag_idx as u32))
                })
        };
        let lead = |candidate: &dyn Fn(&GangVehicle) -> bool| {
            let candidates = || (0..gang.vehicles.len()).filter(|v| candidate(&gang.vehicles[*v]));
            candidates()
                .find(|v| read_on(*v, &[TagKind::HubToLaunch, TagKind::ScoutOut]))
                .or_else(|| candidates().find(|v| read_on(*v, &[])))
        };
        let mut picks: Vec<(u32, &str)> = Vec::new();
        if let Some(van) = lead(&|v| v.role == Role::Van && v.clone_of.is_none()) {
            picks.push((van as u32, "van stopped at the coast by the Gendarmerie"));
        }
        if gang_idx % 2 == 0
            && let Some(scout) = lead(&|v| v.role == Role::Scout)
        {
            picks.push((scout as u32, "car seen with the van at a launch point"));
        }
        for (vehicle, note) in picks {
            let used = plates_used(state, g, vehicle, by_tag);
            // The plate the investigator knows is the one the vehicle was stopped under:
            // the one it was read under most.
            if let Some(((plate, country), _)) = used
                .iter()
                .max_by_key(|(key, reads)| (reads.len(), std::cmp::Reverse(*key)))
            {
                seeds.push(Seed {
                    plate: plate.as_str().to_owned(),
                    country: COUNTRIES[*country as usize].to_owned(),
                    network_id: gang.id.clone(),
                    vehicle_id: vehicle_id(world, state, g, vehicle).0,
                    note: note.to_owned(),
                });
            }
        }
    }
    seeds
}

fn background(
    world: &World,
    state: &State,
    n_occasions_unseen: u64,
    n_visits_unseen: u64,
) -> Background {
    let population = &world.population;
    let commuter_pairs = population
        .commuters
        .iter()
        .enumerate()
        .filter_map(|(index, c)| match c.partner {
            Some(partner) if partner as usize == index + 1 => {
                let other = &population.commuters[partner as usize];
                Some([
                    plate_ref(&c.attrs.plate, c.attrs.country),
                    plate_ref(&other.attrs.plate, other.attrs.country),
                ])
            }
            _ => None,
        })
        .collect();
    Background {
        n_reads: state.n_reads,
        n_misreads: state.n_misreads,
        n_duplicates: state.n_duplicates,
        n_trips: state.n_trips,
        n_commuters: population.commuters.len(),
        commuter_pairs,
        n_platoons: state.n_platoons,
        platoons: state
            .platoons
            .iter()
            .map(|(start, from, to, plates)| Platoon {
                start: rfc3339(*start),
                from: node_id(world, *from),
                to: node_id(world, *to),
                plates: plates.iter().map(|(p, c)| plate_ref(p, *c)).collect(),
            })
            .collect(),
        n_lorry_fleet: population.lorry_fleet.len(),
        n_delivery_vans: population.delivery_vans.len(),
        n_hire_vans: population.hire_vans.len(),
        n_coach_lines: population.coach_lines.len(),
        n_convoy_occasions_unseen: n_occasions_unseen,
        n_hub_visits_unseen: n_visits_unseen,
    }
}
