//! Cloned plates: one plate on two vehicles, found from physically impossible journeys and
//! from reads that describe different vehicles; the plate's reads are split into tracks.

use crate::AnalysisConfig;
use crate::geo::Point;
use crate::misread::{Link, confusable_variants};
use crate::table::{FastSet, MICROS, ReadTable, VehicleDesc};
use corridor_domain::confusion::ConfusionModel;

/// Why a plate is believed to be on more than one vehicle.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum CloneKind {
    ImpossibleJourney,
    InconsistentVehicle,
}

/// A cloned plate and its reads split by vehicle.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CloneFinding {
    pub(crate) plate: u32,
    pub(crate) kind: CloneKind,
    /// Impossible hops between tracks, or reads in the minority description.
    pub(crate) evidence: usize,
    /// Rows of each vehicle, largest first.
    pub(crate) tracks: Vec<Vec<u32>>,
}

/// Reads in a track needed for it to count as a vehicle (one odd read is more likely a
/// misread or a clock fault than a second vehicle).
const TRACK_READS_MIN: usize = 2;
/// A plate read this many times more than a confusable plate is the true reading of it.
pub(crate) const BUSIER_FACTOR: usize = 5;
/// Share of a plate's described reads that a second description needs.
const MINORITY_SHARE_MIN: f64 = 0.1;
/// Reads of one vehicle this close in time are on one trip: a read goes on with a track
/// read within this time (if it can have driven from there).
const SAME_TRIP_SECS: i64 = 1800;
/// Reads this close together were taken at one place.
const SITE_M: f64 = 500.0;

/// Whether driving from read `a` to read `b` is impossible: the road distance cannot be
/// covered at `speed_kmh_max` even granting both clocks `clock_tolerance_secs` of error,
/// whether or not each camera's estimated clock correction (`ReadTable::clock_us`) is
/// right. A correction is an estimate from the traffic (road geometry can put it minutes
/// out, see `clock.rs`): it may explain an impossible hop away, never make one.
pub(crate) fn impossible(table: &ReadTable, a: u32, b: u32, config: &AnalysisConfig) -> bool {
    let distance_m = config.road_m(table.distance_m(a, b));
    let correction = |row: u32| {
        let camera = table.camera[row as usize] as usize;
        table.clock_us.get(camera).copied().unwrap_or(0)
    };
    let (ca, cb) = (correction(a), correction(b));
    let dt_us = table.ts[b as usize] - table.ts[a as usize];
    // Each read at its corrected time or at the time its camera wrote: the longest of the
    // four times between them.
    let dt_us = [dt_us, dt_us + cb, dt_us - ca, dt_us + cb - ca]
        .into_iter()
        .map(i64::abs)
        .max()
        .expect("four candidates");
    let time_secs = dt_us as f64 / MICROS as f64 + config.clock_tolerance_secs;
    distance_m > config.speed_kmh_max / 3.6 * time_secs
}

/// Every cloned plate in the table. Reads given to a plate by misread linking (`links`)
/// are guesses: each fitted the plate's track on its own, not always beside one another,
/// and an impossible hop between two guesses says the guesses are wrong, not the plate
/// cloned. Only the reads that came with a plate's text are weighed.
pub(crate) fn find_clones(
    table: &ReadTable,
    links: &[Link],
    config: &AnalysisConfig,
) -> Vec<CloneFinding> {
    let model = ConfusionModel::standard();
    let linked: FastSet<u32> = links.iter().map(|link| link.row).collect();
    let mut findings = Vec::new();
    let mut rows = Vec::new();
    for plate in 0..table.n_plates() as u32 {
        rows.clear();
        rows.extend(
            table
                .plate_rows(plate)
                .iter()
                .filter(|row| !linked.contains(row)),
        );
        let finding = impossible_journey(table, plate, &rows, config)
            .filter(|_| !misread_of_busier_plate(&model, table, plate))
            .or_else(|| inconsistent_vehicle(table, plate, &rows, config));
        findings.extend(finding);
    }
    findings
}

/// Reads of a plate that the OCR confusion model derives from a plate read many times
/// more are misreads of that plate's vehicle (or vehicles, when that plate is itself
/// cloned): their impossible hops say nothing about a clone of this plate.
fn misread_of_busier_plate(model: &ConfusionModel, table: &ReadTable, plate: u32) -> bool {
    let n_reads = table.plate_rows(plate).len();
    confusable_variants(model, table, plate).iter().any(|text| {
        table
            .plates_with_text(text)
            .iter()
            .any(|&other| table.plate_rows(other).len() >= BUSIER_FACTOR * n_reads)
    })
}

/// A clone shown by impossible hops between two tracks of at least two reads each, each
/// end of the hop borne out by its track (see [`borne_out`]): a lone read is likelier a
/// misread or a clock fault than a vehicle.
pub(crate) fn impossible_journey(
    table: &ReadTable,
    plate: u32,
    rows: &[u32],
    config: &AnalysisConfig,
) -> Option<CloneFinding> {
    if !rows
        .windows(2)
        .any(|pair| impossible(table, pair[0], pair[1], config))
    {
        return None;
    }
    let (tracks, track_of) = split_tracks(table, rows, config, Follow::AnyTime);
    let big = |track: usize| tracks[track].len() >= TRACK_READS_MIN;
    let borne_out = borne_out(table, &tracks);
    let hops = rows
        .windows(2)
        .enumerate()
        .filter(|&(idx, pair)| {
            let (ta, tb) = (track_of[idx], track_of[idx + 1]);
            ta != tb
                && big(ta)
                && big(tb)
                && borne_out.contains(&pair[0])
                && borne_out.contains(&pair[1])
                && impossible(table, pair[0], pair[1], config)
        })
        .count();
    if hops == 0 {
        return None;
    }
    let big_ones = |tracks: Vec<Vec<u32>>| {
        let mut tracks: Vec<Vec<u32>> = tracks
            .into_iter()
            .filter(|track| track.len() >= TRACK_READS_MIN)
            .collect();
        tracks.sort_by_key(|track| std::cmp::Reverse(track.len()));
        tracks
    };
    // The tracks followed read by read show the clone; the reads are told apart better a
    // trip at a time, over the whole fortnight.
    let vehicles = big_ones(vehicles_of(table, rows, config));
    let tracks = if vehicles.len() >= 2 {
        vehicles
    } else {
        big_ones(tracks)
    };
    Some(CloneFinding {
        plate,
        kind: CloneKind::ImpossibleJourney,
        evidence: hops,
        tracks,
    })
}

/// The reads their track bears out: read on a trip of the track (another of its reads,
/// elsewhere, within `SAME_TRIP_SECS`), or where the track comes back to (another of its
/// reads at that place, on another occasion). A duplicate of a read bears out nothing.
fn borne_out(table: &ReadTable, tracks: &[Vec<u32>]) -> FastSet<u32> {
    let window = SAME_TRIP_SECS * MICROS;
    let mut rows = FastSet::default();
    for track in tracks {
        for (idx, &row) in track.iter().enumerate() {
            let (ts, point) = (table.ts[row as usize], table.point(row));
            let borne = track.iter().enumerate().any(|(other_idx, &other)| {
                let near = table.point(other).distance_m(point) <= SITE_M;
                let apart = (table.ts[other as usize] - ts).abs() > window;
                other_idx != idx && near == apart
            });
            if borne {
                rows.insert(row);
            }
        }
    }
    rows
}

/// How far back in time a read may go on with a track.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Follow {
    /// A track read within `SAME_TRIP_SECS`: the tracks are trips.
    TheTrip,
    /// Also, failing one, the nearest track whenever it was read.
    AnyTime,
}

/// Assigns each read (in time order) to a track it can have driven from. Among the tracks
/// read within `SAME_TRIP_SECS`, a vehicle goes on with its trip, however near another
/// track's last read was: the track whose last read was itself on a trip (see
/// [`ends_on_a_trip`]; one odd read starts no trip), the latest read of those. Otherwise,
/// with `Follow::AnyTime`, the nearest. A read no track takes starts a new one. Returns the
/// tracks and each read's track.
fn split_tracks(
    table: &ReadTable,
    rows: &[u32],
    config: &AnalysisConfig,
    follow: Follow,
) -> (Vec<Vec<u32>>, Vec<usize>) {
    let mut tracks: Vec<Vec<u32>> = Vec::new();
    let mut track_of = Vec::with_capacity(rows.len());
    let mut reachable: Vec<(usize, u32)> = Vec::new();
    for &row in rows {
        let point = table.point(row);
        reachable.clear();
        reachable.extend(
            tracks
                .iter()
                .map(|track| *track.last().expect("tracks are never empty"))
                .enumerate()
                .filter(|&(_, last)| !impossible(table, last, row, config)),
        );
        let ts = |row: u32| table.ts[row as usize];
        let on_the_trip = reachable
            .iter()
            .filter(|&&(_, last)| ts(row) - ts(last) <= SAME_TRIP_SECS * MICROS)
            .max_by_key(|&&(idx, last)| (ends_on_a_trip(table, &tracks[idx]), ts(last)));
        let nearest = || {
            reachable.iter().min_by(|&&(_, a), &&(_, b)| {
                let da = table.point(a).distance_m(point);
                let db = table.point(b).distance_m(point);
                da.total_cmp(&db)
            })
        };
        let best = match follow {
            Follow::TheTrip => on_the_trip,
            Follow::AnyTime => on_the_trip.or_else(nearest),
        }
        .map(|&(idx, _)| idx);
        let idx = best.unwrap_or_else(|| {
            tracks.push(Vec::new());
            tracks.len() - 1
        });
        tracks[idx].push(row);
        track_of.push(idx);
    }
    (tracks, track_of)
}

/// The reads of a cloned plate parted between two vehicles. Its trips (see [`split_tracks`])
/// are the units: two trips with an impossible hop between them are two vehicles', and
/// each group of trips so tied is parted in two (the part nearer where the vehicles parted
/// so far drive going with that vehicle); a trip no impossible hop ties to another goes
/// with the vehicle whose reads are nearer on the whole. A cloned plate's two vehicles
/// keep to their own parts of the country, and most of their trips never meet.
fn vehicles_of(table: &ReadTable, rows: &[u32], config: &AnalysisConfig) -> Vec<Vec<u32>> {
    let (trips, trip_of) = split_tracks(table, rows, config, Follow::TheTrip);
    let mut apart: Vec<Vec<usize>> = vec![Vec::new(); trips.len()];
    for (idx, pair) in rows.windows(2).enumerate() {
        let (a, b) = (trip_of[idx], trip_of[idx + 1]);
        if a != b && impossible(table, pair[0], pair[1], config) {
            apart[a].push(b);
            apart[b].push(a);
        }
    }
    // Each group of trips tied by impossible hops, two-coloured.
    let mut side: Vec<Option<bool>> = vec![None; trips.len()];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for start in 0..trips.len() {
        if side[start].is_some() || apart[start].is_empty() {
            continue;
        }
        side[start] = Some(false);
        let (mut queue, mut group) = (vec![start], Vec::new());
        while let Some(trip) = queue.pop() {
            group.push(trip);
            let other_side = side[trip].map(|own| !own);
            for &other in &apart[trip] {
                if side[other].is_none() {
                    side[other] = other_side;
                    queue.push(other);
                }
            }
        }
        groups.push(group);
    }
    let reads_in = |group: &[usize]| group.iter().map(|&trip| trips[trip].len()).sum::<usize>();
    groups.sort_by_key(|group| std::cmp::Reverse(reads_in(group)));
    let mut vehicle_of: Vec<Option<usize>> = vec![None; trips.len()];
    let mut centres = [Centre::default(), Centre::default()];
    for group in &groups {
        let mut parts = [Centre::default(), Centre::default()];
        for &trip in group {
            let part = usize::from(side[trip] == Some(true));
            parts[part].add(table, &trips[trip]);
        }
        let keep = centres[0].distance_m(&parts[0]) + centres[1].distance_m(&parts[1]);
        let swap = centres[0].distance_m(&parts[1]) + centres[1].distance_m(&parts[0]);
        let swapped = swap < keep;
        for &trip in group {
            let part = usize::from(side[trip] == Some(true));
            let vehicle = if swapped { 1 - part } else { part };
            vehicle_of[trip] = Some(vehicle);
            centres[vehicle].add(table, &trips[trip]);
        }
    }
    let mut vehicles = vec![Vec::new(), Vec::new()];
    for (idx, &row) in rows.iter().enumerate() {
        let trip = trip_of[idx];
        let vehicle = vehicle_of[trip].unwrap_or_else(|| {
            let mut own = Centre::default();
            own.add(table, &trips[trip]);
            usize::from(centres[1].distance_m(&own) < centres[0].distance_m(&own))
        });
        vehicles[vehicle].push(row);
    }
    vehicles
}

/// The mean position of some reads (where a vehicle drives, or a trip went).
#[derive(Clone, Copy, Default)]
struct Centre {
    lat: f64,
    lon: f64,
    reads: usize,
}

impl Centre {
    fn add(&mut self, table: &ReadTable, rows: &[u32]) {
        for &row in rows {
            let point = table.point(row);
            self.lat += point.lat;
            self.lon += point.lon;
            self.reads += 1;
        }
    }

    /// Metres between two centres; nothing is far from a centre with no reads yet.
    fn distance_m(&self, other: &Centre) -> f64 {
        if self.reads == 0 || other.reads == 0 {
            return 0.0;
        }
        let at = |centre: &Centre| Point {
            lat: centre.lat / centre.reads as f64,
            lon: centre.lon / centre.reads as f64,
        };
        at(self).distance_m(at(other))
    }
}

/// Whether a track's last two reads were taken at two places within `SAME_TRIP_SECS`.
fn ends_on_a_trip(table: &ReadTable, track: &[u32]) -> bool {
    let [.., before, last] = track else {
        return false;
    };
    let (before, last) = (*before, *last);
    table.ts[last as usize] - table.ts[before as usize] <= SAME_TRIP_SECS * MICROS
        && table.point(before).distance_m(table.point(last)) > SITE_M
}

/// A clone shown by reads that describe two different vehicles, each at least twice, the
/// second vehicle read at two cameras on one trip at least: a description that comes only
/// in single reads, each on a trip of its own, is likelier a misread of another plate or a
/// colour misjudged (by infrared at night) than a second vehicle.
pub(crate) fn inconsistent_vehicle(
    table: &ReadTable,
    plate: u32,
    rows: &[u32],
    config: &AnalysisConfig,
) -> Option<CloneFinding> {
    let described: Vec<u32> = rows
        .iter()
        .copied()
        .filter(|&row| table.desc[row as usize] != 0)
        .collect();
    if described.len() < 2 * TRACK_READS_MIN {
        return None;
    }
    let mut counts: Vec<(u32, usize)> = Vec::new();
    for &row in &described {
        let desc = table.desc[row as usize];
        match counts.iter_mut().find(|(id, _)| *id == desc) {
            Some((_, n)) => *n += 1,
            None => counts.push((desc, 1)),
        }
    }
    if counts.len() < 2 {
        return None;
    }
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let main = &table.descs[counts[0].0 as usize];
    let conflicting: Vec<u32> = counts[1..]
        .iter()
        .filter(|(id, _)| conflicts(main, &table.descs[*id as usize]))
        .map(|&(id, _)| id)
        .collect();
    let minority: Vec<u32> = described
        .iter()
        .copied()
        .filter(|&row| conflicting.contains(&table.desc[row as usize]))
        .collect();
    let share = minority.len() as f64 / described.len() as f64;
    if minority.len() < TRACK_READS_MIN || share < MINORITY_SHARE_MIN {
        return None;
    }
    let gap = config.occasion_gap_secs * MICROS;
    let on_one_trip = minority.windows(2).any(|pair| {
        table.camera[pair[0] as usize] != table.camera[pair[1] as usize]
            && crate::convoys::together(table, pair[0], pair[1], gap, config)
    });
    if !on_one_trip {
        return None;
    }
    let majority: Vec<u32> = rows
        .iter()
        .copied()
        .filter(|row| !minority.contains(row))
        .collect();
    Some(CloneFinding {
        plate,
        kind: CloneKind::InconsistentVehicle,
        evidence: minority.len(),
        tracks: vec![majority, minority],
    })
}

/// Two descriptions conflict when a field both give differs (case-insensitively).
pub(crate) fn conflicts(a: &VehicleDesc, b: &VehicleDesc) -> bool {
    let differ = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => !x.eq_ignore_ascii_case(y),
        _ => false,
    };
    differ(&a.make, &b.make) || differ(&a.model, &b.model) || differ(&a.colour, &b.colour)
}
