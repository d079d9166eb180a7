//! Camera sites along the roads, mobile units and their daily deployments, and camera faults
//! (outages and clock skew).

use crate::corridor::{NodeKind, RoadClass};
use crate::geo::{bearing_deg, lerp, offset_m};
use crate::network::RoadNetwork;
use corridor_domain::{Camera, CameraKind, Country};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A camera as the simulator knows it: the public record plus what drives its reads.
#[derive(Clone, Debug)]
pub(crate) struct SimCamera {
    pub(crate) camera: Camera,
    /// Make/model/colour recognition: reads of cameras without it have no make, model or colour.
    pub(crate) mmr: bool,
    /// Constant clock error added to every timestamp, microseconds.
    pub(crate) skew_us: i64,
    /// Outage windows `[start, end)`, microseconds since the epoch, sorted.
    pub(crate) outages: Vec<(i64, i64)>,
    /// The hub or launch point this camera watches the approach of, if any.
    pub(crate) watches: Option<u16>,
}

/// A mobile unit parked by a road for one shift, reading one direction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deployment {
    pub(crate) camera: u16,
    pub(crate) edge: u16,
    pub(crate) offset_m: f64,
    pub(crate) start_us: i64,
    pub(crate) end_us: i64,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) heading_deg: f32,
}

/// Every camera and mobile deployment.
#[derive(Clone, Debug)]
pub(crate) struct CameraLayout {
    pub(crate) cameras: Vec<SimCamera>,
    /// Sorted by (edge, start).
    pub(crate) deployments: Vec<Deployment>,
    /// `deployment_ranges[edge]`: the slice of `deployments` on that directed edge.
    pub(crate) deployment_ranges: Vec<(u32, u32)>,
}

impl CameraLayout {
    /// The mobile deployments on a directed edge.
    pub(crate) fn deployments_on(&self, edge: u16) -> &[Deployment] {
        let (start, end) = self.deployment_ranges[edge as usize];
        &self.deployments[start as usize..end as usize]
    }
}

fn operator(country: &str, kind: CameraKind) -> &'static str {
    match (country, kind) {
        ("FR", CameraKind::Covert) => "Gendarmerie nationale (SR Calais)",
        ("FR", _) => "Gendarmerie nationale",
        ("BE", _) => "Federale Politie ANPR",
        ("NL", _) => "Politie Nederland",
        ("DE", _) => "Polizei Nordrhein-Westfalen",
        ("GB", _) => "Kent Police",
        _ => "unknown",
    }
}

/// The eight-point compass letter(s) of a heading.
fn compass(heading_deg: f64) -> &'static str {
    const POINTS: [&str; 8] = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"];
    POINTS[(((heading_deg + 22.5) % 360.0) / 45.0) as usize % 8]
}

struct SitePlan {
    fraction: f64,
    kind: CameraKind,
    directions: [bool; 2],
}

/// Places camera sites on every road and mobile units on the coastal patrol roads, and
/// registers the fixed ones on the network's directed edges.
pub(crate) fn place_cameras(network: &mut RoadNetwork, rng: &mut ChaCha8Rng) -> Vec<SimCamera> {
    let mut cameras = Vec::new();
    let mut site_counters: Vec<(String, u32)> = Vec::new();
    for undirected in 0..network.edges.len() / 2 {
        let forward = undirected * 2;
        let sites = plan_sites(network, forward, rng);
        for site in sites {
            let edge = network.edges[forward].clone();
            let (a, b) = (
                network.nodes[edge.from as usize],
                network.nodes[edge.to as usize],
            );
            let (lat, lon) = lerp(a.lat, a.lon, b.lat, b.lon, site.fraction);
            let country = if site.fraction < 0.5 {
                a.country
            } else {
                b.country
            };
            let road_label = if edge.road == "lane" {
                "LANE"
            } else {
                edge.road
            };
            let key = format!("{country}-{road_label}");
            let number = next_site_number(&mut site_counters, &key);
            let watches = [edge.from, edge.to].into_iter().find(|node| {
                matches!(
                    network.nodes[*node as usize].kind,
                    NodeKind::Hub | NodeKind::Launch
                )
            });
            for (direction, wanted) in site.directions.iter().enumerate() {
                if !*wanted {
                    continue;
                }
                let dir_edge = forward + direction;
                let (from, to) = if direction == 0 { (a, b) } else { (b, a) };
                let heading = bearing_deg(from.lat, from.lon, to.lat, to.lon);
                let covert = site.kind == CameraKind::Covert;
                let camera_id = format!(
                    "{key}-{}{number:03}-{}",
                    if covert { "C" } else { "" },
                    compass(heading)
                );
                let name = format!(
                    "{} {} - {}{}, towards {}",
                    edge.road,
                    a.name,
                    b.name,
                    if covert { " (covert)" } else { "" },
                    to.name
                );
                let offset = if direction == 0 {
                    site.fraction
                } else {
                    1.0 - site.fraction
                } * edge.length_m;
                let index = cameras.len() as u16;
                network.edges[dir_edge].cameras.push((offset, index));
                let infrared = match (site.kind, edge.class) {
                    (CameraKind::Fixed, RoadClass::Coastal) => rng.random_bool(0.7),
                    (CameraKind::Fixed, _) => rng.random_bool(0.9),
                    _ => true,
                };
                let mmr = rng.random_bool(if covert { 0.5 } else { 0.8 });
                cameras.push(SimCamera {
                    camera: Camera {
                        camera_id,
                        name,
                        lat,
                        lon,
                        heading_deg: Some(heading.round() as f32),
                        country: Some(Country::from_static(country_static(country))),
                        operator: operator(country, site.kind).to_owned(),
                        kind: site.kind,
                        infrared,
                    },
                    mmr,
                    skew_us: 0,
                    outages: Vec::new(),
                    watches,
                });
            }
        }
    }
    for edge in &mut network.edges {
        edge.cameras.sort_by(|x, y| x.0.total_cmp(&y.0));
    }
    cameras.extend(mobile_units(network));
    cameras
}

fn country_static(country: &str) -> &'static str {
    crate::vehicle::COUNTRIES[crate::vehicle::country_index(country) as usize]
}

fn next_site_number(counters: &mut Vec<(String, u32)>, key: &str) -> u32 {
    if let Some(entry) = counters.iter_mut().find(|(k, _)| k == key) {
        entry.1 += 1;
        return entry.1;
    }
    counters.push((key.to_owned(), 1));
    1
}

/// Where the sites of one road go (fractions of its length from its first node).
fn plan_sites(network: &RoadNetwork, forward: usize, rng: &mut ChaCha8Rng) -> Vec<SitePlan> {
    let edge = &network.edges[forward];
    let (a, b) = (
        &network.nodes[edge.from as usize],
        &network.nodes[edge.to as usize],
    );
    let length_km = edge.length_m / 1000.0;
    let both = [true, true];
    match edge.class {
        RoadClass::Crossing { .. } => Vec::new(),
        RoadClass::Lane if a.kind == NodeKind::Hub => {
            // One to three cameras on the approach: a hub is seen by one to three sites.
            let n_sites = rng.random_range(1..=3);
            (0..n_sites)
                .map(|i| SitePlan {
                    fraction: (0.15 + 0.25 * i as f64).min(0.9),
                    kind: if i == 0 || rng.random_bool(0.7) {
                        CameraKind::Fixed
                    } else {
                        CameraKind::Covert
                    },
                    directions: both,
                })
                .collect()
        }
        RoadClass::Lane => {
            // Beach lanes: a covert camera on most.
            if rng.random_bool(0.7) {
                vec![SitePlan {
                    fraction: 0.3,
                    kind: CameraKind::Covert,
                    directions: both,
                }]
            } else {
                Vec::new()
            }
        }
        class => {
            let near_port = |node: &crate::corridor::NodeDef| node.kind == NodeKind::Port;
            let (spacing_min, spacing_max): (f64, f64) = match class {
                RoadClass::Motorway => (8.0, 25.0),
                RoadClass::Trunk => (5.0, 12.0),
                _ => (3.0, 8.0),
            };
            let mut sites = Vec::new();
            let mut at_km = rng.random_range(0.5..spacing_min.min(length_km * 0.5).max(1.0));
            while at_km < length_km - 0.5 {
                let port_close =
                    (near_port(a) && at_km < 12.0) || (near_port(b) && length_km - at_km < 12.0);
                let kind = if class == RoadClass::Coastal && rng.random_bool(0.35) {
                    CameraKind::Covert
                } else {
                    CameraKind::Fixed
                };
                let directions = if rng.random_bool(0.8) {
                    both
                } else if rng.random_bool(0.5) {
                    [true, false]
                } else {
                    [false, true]
                };
                sites.push(SitePlan {
                    fraction: at_km / length_km,
                    kind,
                    directions,
                });
                at_km += if port_close {
                    rng.random_range(2.0..5.0)
                } else {
                    rng.random_range(spacing_min..spacing_max)
                };
            }
            // Every road has a camera in each direction, so every trip on it can be seen.
            for direction in 0..2 {
                if !sites.iter().any(|s| s.directions[direction]) {
                    let mut directions = [false, false];
                    directions[direction] = true;
                    sites.push(SitePlan {
                        fraction: 0.5,
                        kind: CameraKind::Fixed,
                        directions,
                    });
                }
            }
            sites
        }
    }
}

/// The mobile units: vehicle-mounted cameras based at police stations near the coast.
fn mobile_units(network: &RoadNetwork) -> Vec<SimCamera> {
    const UNITS: [(&str, &str, &str); 6] = [
        ("FR-MOB-01", "Mobile unit Calais", "calais"),
        ("FR-MOB-02", "Mobile unit Dunkerque", "dunkerque"),
        ("FR-MOB-03", "Mobile unit Boulogne-sur-Mer", "boulogne"),
        ("FR-MOB-04", "Mobile unit Marquise", "marquise"),
        ("BE-MOB-01", "Mobiele ANPR-eenheid Veurne", "veurne"),
        ("GB-MOB-01", "Mobile ANPR unit Folkestone", "folkestone"),
    ];
    UNITS
        .iter()
        .map(|(id, name, base)| {
            let node = network.nodes[network.node(base) as usize];
            let country = node.country;
            SimCamera {
                camera: Camera {
                    camera_id: (*id).to_owned(),
                    name: (*name).to_owned(),
                    lat: node.lat,
                    lon: node.lon,
                    heading_deg: None,
                    country: Some(Country::from_static(country_static(country))),
                    operator: operator(country, CameraKind::Mobile).to_owned(),
                    kind: CameraKind::Mobile,
                    infrared: true,
                },
                mmr: true,
                skew_us: 0,
                outages: Vec::new(),
                watches: None,
            }
        })
        .collect()
}

/// The roads a mobile unit based in `country` patrols: coastal roads and motorways near
/// the coast on its side of the border.
fn patrol_edges(network: &RoadNetwork, country: &str) -> Vec<u16> {
    (0..network.edges.len() as u16)
        .filter(|e| {
            let edge = &network.edges[*e as usize];
            let (a, b) = (
                &network.nodes[edge.from as usize],
                &network.nodes[edge.to as usize],
            );
            let coastal_zone =
                |lat: f64, lon: f64| lon < 3.3 && lat > 50.55 && !(lon > 2.7 && lat < 50.9);
            a.country == country
                && b.country == country
                && matches!(
                    edge.class,
                    RoadClass::Coastal | RoadClass::Motorway | RoadClass::Trunk
                )
                && coastal_zone(a.lat, a.lon)
                && coastal_zone(b.lat, b.lon)
        })
        .collect()
}

/// Two shifts a day per mobile unit, each parked at a random point of a patrol road.
pub(crate) fn deploy_mobile_units(
    network: &RoadNetwork,
    cameras: &[SimCamera],
    day0_us: i64,
    days: u32,
    rng: &mut ChaCha8Rng,
) -> CameraLayoutParts {
    let mut deployments = Vec::new();
    for (camera_idx, camera) in cameras.iter().enumerate() {
        if camera.camera.kind != CameraKind::Mobile {
            continue;
        }
        let country = camera
            .camera
            .country
            .map(|c| c.to_string())
            .unwrap_or_default();
        let patrol = patrol_edges(network, &country);
        if patrol.is_empty() {
            continue;
        }
        for day in 0..i64::from(days) {
            // Early shift 06:00-14:00 local, late 14:00-22:00, and on some days a night shift.
            let mut shifts = vec![(5i64, 13i64), (13, 21)];
            if rng.random_bool(0.3) {
                shifts.push((21, 29));
            }
            for (start_h, end_h) in shifts {
                let edge = patrol[rng.random_range(0..patrol.len())];
                let dir = &network.edges[edge as usize];
                let fraction = rng.random_range(0.1..0.9);
                let (a, b) = (
                    &network.nodes[dir.from as usize],
                    &network.nodes[dir.to as usize],
                );
                let (lat, lon) = lerp(a.lat, a.lon, b.lat, b.lon, fraction);
                let (lat, lon) = offset_m(
                    lat,
                    lon,
                    rng.random_range(-15.0..15.0),
                    rng.random_range(-15.0..15.0),
                );
                let hour_us = 3_600_000_000i64;
                let jitter_us = rng.random_range(0..45) * 60_000_000;
                deployments.push(Deployment {
                    camera: camera_idx as u16,
                    edge,
                    offset_m: fraction * dir.length_m,
                    start_us: day0_us + day * 24 * hour_us + start_h * hour_us + jitter_us,
                    end_us: day0_us + day * 24 * hour_us + end_h * hour_us - jitter_us,
                    lat,
                    lon,
                    heading_deg: bearing_deg(a.lat, a.lon, b.lat, b.lon).round() as f32,
                });
            }
        }
    }
    deployments.sort_by_key(|d| (d.edge, d.start_us));
    let mut ranges = vec![(0u32, 0u32); network.edges.len()];
    let mut start = 0usize;
    while start < deployments.len() {
        let edge = deployments[start].edge;
        let end = start
            + deployments[start..]
                .iter()
                .take_while(|d| d.edge == edge)
                .count();
        ranges[edge as usize] = (start as u32, end as u32);
        start = end;
    }
    CameraLayoutParts {
        deployments,
        ranges,
    }
}

/// The mobile deployments and their per-edge index.
#[derive(Debug)]
pub(crate) struct CameraLayoutParts {
    pub(crate) deployments: Vec<Deployment>,
    pub(crate) ranges: Vec<(u32, u32)>,
}

/// Gives a share of cameras a constant clock skew and every camera occasional outages.
pub(crate) fn inject_faults(
    cameras: &mut [SimCamera],
    day0_us: i64,
    days: u32,
    skewed_share: f64,
    outage_rate: f64,
    rng: &mut ChaCha8Rng,
) {
    for camera in cameras.iter_mut() {
        if rng.random_bool(skewed_share) {
            // Seconds to a couple of minutes, either way.
            let magnitude_us = rng.random_range(3_000_000..150_000_000i64);
            camera.skew_us = if rng.random_bool(0.5) {
                magnitude_us
            } else {
                -magnitude_us
            };
        }
        for day in 0..i64::from(days) {
            if rng.random_bool(outage_rate) {
                let start_us =
                    day0_us + day * 86_400_000_000 + rng.random_range(0..86_400i64) * 1_000_000;
                let duration_us = rng.random_range(3_600i64..12 * 3_600) * 1_000_000;
                camera.outages.push((start_us, start_us + duration_us));
            }
        }
    }
}

/// Largest clock skew a camera gets, microseconds.
pub(crate) const SKEW_MAX_US: i64 = 150_000_000;
