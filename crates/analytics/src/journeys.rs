//! Journeys: a vehicle's reads split into trips, with the stops inferred between them.
//!
//! Two consecutive reads of one plate belong to one trip when the time between them is
//! explained by driving the road distance at `speed_kmh_travel`; otherwise the unexplained
//! time is a dwell, and a dwell of at least `dwell_secs_min` is a stop. A vehicle read twice
//! by the same camera more than a few minutes apart has turned round, which is also a stop.

use crate::AnalysisConfig;
use crate::geo::{Point, angle_between_deg};
use crate::table::{MICROS, ReadTable};

/// Reads by one camera closer than this are one passage (duplicate reads).
const SAME_PASSAGE_SECS: i64 = 90;
/// Cameras closer than this are one site (one camera per direction).
const SAME_SITE_M: f64 = 300.0;
/// How far beyond the camera it passed a vehicle that turned round is placed.
const TURN_ROUND_AHEAD_M: f64 = 1200.0;
/// Two sites farther apart than this are not taken for one road's: a vehicle read out at
/// one and back at the other may have come back another way.
const SAME_ROAD_M: f64 = 12_000.0;
/// Camera headings (and the bearing between two sites) within this of each other are one
/// road's directions.
const SAME_ROAD_ANGLE_DEG: f64 = 30.0;
/// How far from the place `TURN_ROUND_AHEAD_M` beyond a site a vehicle that turned round
/// there may have stopped.
const TURN_ROUND_UNCERTAINTY_M: f64 = 1000.0;
/// A vehicle seen again at the same camera after this long turned round somewhere beyond it.
const TURN_ROUND_SECS: f64 = 600.0;
/// A camera on an access road (a lane to a lock-up, an estate, a beach) sees most of the
/// vehicles it reads come back past it: at least this share of its reads are followed by a
/// turn round (0.17 to 0.52 on the simulator's hub approaches). On a through road few are (0 to 0.07), and a vehicle that came back past such a camera
/// may have left the road at any junction beyond it.
const ACCESS_ROAD_TURN_ROUND_SHARE_MIN: f64 = 0.12;
/// How far from the camera a vehicle that turned round beyond a through-road camera may
/// have stopped (the next junctions and the estates off them).
const THROUGH_ROAD_TURN_ROUND_UNCERTAINTY_M: f64 = 6000.0;

/// One trip: a run of a plate's reads (rows of the table, in time order).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Trip {
    pub(crate) plate: u32,
    pub(crate) rows: Vec<u32>,
}

impl Trip {
    pub(crate) fn start_ts(&self, table: &ReadTable) -> i64 {
        table.ts[self.rows[0] as usize]
    }

    /// The fixed cameras passed, in order, with repeated passages merged: a mobile
    /// (vehicle-mounted) camera stands on a road for a day, and a route is the places its
    /// trips pass on any day.
    pub(crate) fn cameras(&self, table: &ReadTable) -> Vec<u32> {
        let mut cameras: Vec<u32> = self
            .rows
            .iter()
            .map(|&row| table.camera[row as usize])
            .filter(|&camera| !table.cameras[camera as usize].mobile)
            .collect();
        cameras.dedup();
        cameras
    }
}

/// A stop inferred between two trips of one plate.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Stop {
    pub(crate) plate: u32,
    /// Last read before the stop and first read after it.
    pub(crate) row_before: u32,
    pub(crate) row_after: u32,
    /// The times of those reads, in microseconds since the epoch.
    pub(crate) span_us: (i64, i64),
    /// Where the vehicle probably was.
    pub(crate) point: Point,
    /// How far from `point` it may have been, in metres.
    pub(crate) uncertainty_m: f64,
    /// Time not explained by driving, in seconds.
    pub(crate) dwell_secs: f64,
    /// The vehicle left in convoy: the trip after the stop has convoy co-occurrences.
    pub(crate) departs_together: bool,
    /// The vehicle arrived in convoy: the trip before the stop has convoy co-occurrences.
    pub(crate) arrives_together: bool,
    /// The camera beyond whose site the vehicle turned round: it came back along the road
    /// it went out by (see `turn_round_place`).
    pub(crate) turned_round_at: Option<u32>,
}

/// The trips and stops of one plate.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Journeys {
    pub(crate) trips: Vec<Trip>,
    pub(crate) stops: Vec<Stop>,
}

/// Splits the time-ordered reads `rows` of plate `plate` into trips and stops.
pub(crate) fn split_journeys(
    table: &ReadTable,
    plate: u32,
    rows: &[u32],
    config: &AnalysisConfig,
) -> Journeys {
    let mut journeys = Journeys::default();
    let Some(&first) = rows.first() else {
        return journeys;
    };
    let mut current = vec![first];
    for pair in rows.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        match stop_between(table, before, after, config) {
            Some(stop) => {
                journeys.trips.push(Trip {
                    plate,
                    rows: std::mem::replace(&mut current, vec![after]),
                });
                journeys.stops.push(Stop { plate, ..stop });
            }
            None => current.push(after),
        }
    }
    journeys.trips.push(Trip {
        plate,
        rows: current,
    });
    journeys
}

/// Where a vehicle that came back along the road it went out by stopped, and the camera
/// beyond whose site it turned: beyond the farther of the two sites along the way out, ahead
/// in the direction it went (a lock-up at the end of an access road, a beach lane),
/// `TURN_ROUND_AHEAD_M` on, a typical access road. The two reads may be one site's cameras,
/// or two sites on one road read in opposite directions, the camera it passed between them
/// having missed it: out past the near site and back past the far one, or out past the far
/// site and back past the near one. `None` when the vehicle came back another way or a
/// camera's heading is unknown.
fn turn_round_place(
    table: &ReadTable,
    (before, after): (u32, u32),
    distance_m: f64,
) -> Option<(Point, u32)> {
    let (camera_out, camera_back) = (table.camera[before as usize], table.camera[after as usize]);
    let (out, back) = (
        &table.cameras[camera_out as usize],
        &table.cameras[camera_back as usize],
    );
    if distance_m > SAME_ROAD_M || out.mobile || back.mobile {
        return None;
    }
    let heading = out.heading_deg?;
    let same_road = |a: f64, b: f64| angle_between_deg(a, b) <= SAME_ROAD_ANGLE_DEG;
    let (site, camera) = if distance_m <= SAME_SITE_M {
        (out.point, camera_out)
    } else if !same_road(back.heading_deg?, heading + 180.0) {
        return None;
    } else if same_road(out.point.bearing_deg(back.point), heading) {
        (back.point, camera_back)
    } else if same_road(out.point.bearing_deg(back.point), heading + 180.0) {
        (out.point, camera_out)
    } else {
        return None;
    };
    let heading = heading.to_radians();
    let metres_per_deg = 111_320.0;
    let point = Point {
        lat: site.lat + TURN_ROUND_AHEAD_M * heading.cos() / metres_per_deg,
        lon: site.lon
            + TURN_ROUND_AHEAD_M * heading.sin() / (metres_per_deg * site.lat.to_radians().cos()),
    };
    Some((point, camera))
}

/// The stop between two consecutive reads of one plate, if the gap holds one.
pub(crate) fn stop_between(
    table: &ReadTable,
    before: u32,
    after: u32,
    config: &AnalysisConfig,
) -> Option<Stop> {
    let gap_secs = (table.ts[after as usize] - table.ts[before as usize]) as f64 / MICROS as f64;
    let (point_before, point_after) = (table.point(before), table.point(after));
    let same_camera = table.camera[before as usize] == table.camera[after as usize];
    if same_camera && gap_secs <= SAME_PASSAGE_SECS as f64 {
        return None;
    }
    let distance_m = table.distance_m(before, after);
    let travel_secs = config.road_m(distance_m) / (config.speed_kmh_travel / 3.6);
    let dwell_secs = gap_secs - travel_secs;
    // Back past the same camera, or the site's camera for the other direction; or back
    // along the road, past a site nearer or farther than the one it went out by.
    let same_site = same_camera || distance_m <= SAME_SITE_M;
    let turn_round = turn_round_place(table, (before, after), distance_m);
    let turned_round = if same_site {
        gap_secs >= TURN_ROUND_SECS
    } else {
        turn_round.is_some() && dwell_secs >= TURN_ROUND_SECS
    };
    if dwell_secs < config.dwell_secs_min && !turned_round {
        return None;
    }
    let (point, uncertainty_m) = match turn_round {
        Some((point, _)) => (point, TURN_ROUND_UNCERTAINTY_M),
        None => (
            Point {
                lat: (point_before.lat + point_after.lat) / 2.0,
                lon: (point_before.lon + point_after.lon) / 2.0,
            },
            distance_m / 2.0 + 1000.0,
        ),
    };
    Some(Stop {
        plate: table.plate[before as usize],
        row_before: before,
        row_after: after,
        span_us: (table.ts[before as usize], table.ts[after as usize]),
        point,
        uncertainty_m,
        dwell_secs: dwell_secs.max(0.0),
        departs_together: false,
        arrives_together: false,
        turned_round_at: turn_round.map(|(_, camera)| camera),
    })
}

/// Widens the uncertainty of the stops placed just beyond a through-road camera that the
/// vehicle came back past (see [`ACCESS_ROAD_TURN_ROUND_SHARE_MIN`]): such a stop says only
/// that the vehicle left the road somewhere beyond the camera, not that it stopped
/// `TURN_ROUND_AHEAD_M` on. `stops` are every vehicle's stops, so that each camera's share
/// of turn rounds is measured over all its traffic.
pub(crate) fn widen_through_road_turn_rounds(table: &ReadTable, stops: &mut [Stop]) {
    let mut reads = vec![0usize; table.cameras.len()];
    for &camera in &table.camera {
        reads[camera as usize] += 1;
    }
    // The camera for the way in at the site each vehicle turned beyond: the one it was
    // read by going out, or, where it was read coming back past the far site, that site's
    // camera for the other direction.
    let opposite = crate::clock::opposite_cameras(table);
    let way_in = |stop: &Stop| {
        let camera = stop.turned_round_at?;
        Some(if camera == table.camera[stop.row_before as usize] {
            camera
        } else {
            opposite[camera as usize].unwrap_or(camera)
        })
    };
    let mut turn_rounds = vec![0usize; table.cameras.len()];
    for camera in stops.iter().filter_map(way_in) {
        turn_rounds[camera as usize] += 1;
    }
    for stop in stops.iter_mut() {
        let Some(camera) = way_in(stop) else {
            continue;
        };
        let camera = camera as usize;
        let share = turn_rounds[camera] as f64 / reads[camera].max(1) as f64;
        if share < ACCESS_ROAD_TURN_ROUND_SHARE_MIN {
            stop.uncertainty_m = stop
                .uncertainty_m
                .max(THROUGH_ROAD_TURN_ROUND_UNCERTAINTY_M);
        }
    }
}
