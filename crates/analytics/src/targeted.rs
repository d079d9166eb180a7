//! Who travels with one vehicle, straight from the store: the targeted convoy search of
//! `analyse` with a seed ([`convoys::partners`], first hop), run on only the reads it
//! needs, found through the store's camera-time indexes instead of a scan of every read.
//!
//! ```text
//! history(plate) ──> a window around each of its reads ──> camera_hits: the reads near it
//!      │                                                       │ trips together with it, on a
//!      │                                                       │ table of these reads alone
//!      │  traffic per camera-hour (camera_hits, every day)      │ history_batches_of_hash
//!      └──────────────> ReadTable of the plate and its candidates
//!                                       │
//!                                       └──> convoys::partners ──> ConvoyReport rows
//! ```
//!
//! Only the vehicles that make `convoy_occasions_min` trips together with it, counted on
//! the reads near its own (along either vehicle's reads, as the scoring counts them along
//! the lower-numbered plate's), have their histories loaded: those are every pair that
//! the search over every read tests, so the findings and the Bonferroni bound are the
//! same. Of those, the ones the store's plate index says were read in the window only as
//! lorries, coaches or buses are left out unloaded: the scoring never takes a heavy
//! vehicle as a partner, nor counts it among the pairs tested. The reads near the vehicle
//! carry times to the millisecond (the camera-time index's), so a trip together that a
//! sub-millisecond difference would split or join could be counted differently there
//! than in the scoring (not seen in the tests). The traffic's chance is counted over
//! every read of the window at the cameras and hours where the vehicle's partners may
//! have been read (the only cells the scoring looks at).
//!
//! The vehicle's own misreads are linked to it as `analyse` links them
//! ([`misread::link_misreads`]): the plates its text is likely misread as are looked up,
//! and their reads that fit its track become its reads, so a misread neither breaks its
//! chain nor hides a trip together. Its candidates' misreads are linked the same way,
//! once their histories are loaded: the plates their texts are likely misread as are
//! loaded beside them, the misreads are linked as `analyse` links them, and those plates
//! are not themselves scored as partners.
//!
//! Camera clock errors cannot be estimated from a few vehicles' reads: the search applies
//! the ones recorded in the store's clock register ([`Store::clock_register`], recorded by
//! `corridor store clocks` or by `corridor analyse` over the whole store), to every read it
//! loads and to the traffic's hours, as `analyse` corrects its own estimates. Two reads at
//! one camera are moved alike, so the reads near the vehicle's are found in recorded time.

use crate::convoys::{self, CameraIndex, Wanted, day_of};
use crate::plans::CameraHour;
use crate::report::{CameraSkew, ConvoyReport};
use crate::table::{DAY_MICROS, FastMap, FastSet, MICROS, ReadTable, string_column};
use crate::traffic::Traffic;
use crate::{AnalysisConfig, AnalysisInput, Error, TimeWindow};
use crate::{clock, misread};
use corridor_domain::confusion::ConfusionModel;
use corridor_domain::{Country, PlateRead, PlateText};
use corridor_store::{CameraWindow, HistoryQuery, Store, hash_of_plate};
use datafusion::arrow::record_batch::RecordBatch;
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;

/// The columns of the candidates' reads that the scoring and the report use (`plate` and
/// `ts` come with them): a lookup reads only these columns of each segment.
/// The descriptions are among them because misread linking compares them.
const HISTORY_COLUMNS: &[&str] = &[
    "read_id",
    "country",
    "camera_id",
    "lat",
    "lon",
    "vehicle_type",
    "make",
    "model",
    "colour",
];

/// Misreadings of the vehicle's plate looked for in the store (the likeliest first).
const MISREADINGS_MAX: usize = 64;

/// Microseconds per hour.
const HOUR_MICROS: i64 = 3600 * MICROS;

/// The convoy partners of one vehicle, and what the search looked at.
#[derive(Clone, Debug, Serialize)]
pub struct TargetedConvoys {
    pub plate: String,
    /// The vehicle's reads in the window, its misreads included.
    pub n_reads: usize,
    /// Reads under another text (a likely misread of its plate) that fit its track and
    /// were searched as its own.
    pub misread_read_ids: Vec<String>,
    /// Distinct plates read within `convoy_window_secs` of one of its reads.
    pub n_vehicles_near: usize,
    /// Those that make `convoy_occasions_min` trips together with it (along either
    /// vehicle's reads), whose histories were loaded and scored.
    pub n_candidates: usize,
    /// Those that make as many trips together with it but were read in the window only as
    /// lorries, coaches or buses, as the store's plate index says: never partners (see
    /// `ReadTable::heavy_plates`), so their histories were not loaded.
    pub n_heavy_left_out: usize,
    /// Reads under other texts linked to a candidate as its misreads.
    pub n_partner_misreads: usize,
    /// The clock register's corrections applied to the cameras the vehicle was read at
    /// (the whole register is applied to every read loaded).
    pub clock_corrections: Vec<CameraSkew>,
    /// When the clock register applied was estimated (microseconds since the epoch), or
    /// `None` when the store has none and recorded times were taken as true.
    pub clock_register_estimated_at: Option<i64>,
    /// Its convoy partners, best first.
    pub convoys: Vec<ConvoyReport>,
    /// Every read the convoys cite, in time order, as the camera read it.
    pub reads: Vec<CitedRead>,
    /// Wall time of each step, milliseconds.
    pub timings_ms: Vec<(String, u64)>,
}

/// A read cited by a finding, as the camera recorded it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CitedRead {
    pub read_id: String,
    /// The text read, which for a misread is not the plate it was counted as.
    pub plate: String,
    pub camera_id: String,
    /// The time the camera recorded (microseconds since the epoch), before any clock
    /// correction.
    pub ts: i64,
}

/// Searches the store for the vehicles that travel with `plate` within `window` (every
/// read when `None`), scored as `analyse` scores a seed's partners.
pub fn targeted_convoys(
    store: &Store,
    plate: &PlateText,
    window: Option<TimeWindow>,
    config: &AnalysisConfig,
) -> Result<TargetedConvoys, Error> {
    config.validate()?;
    let (from, to) = window.map_or((i64::MIN, i64::MAX), |w| (w.from, w.to));
    if from >= to {
        return Err(Error::BadWindow { from, to });
    }
    let inside = |ts: i64| from <= ts && ts < to;
    let mut timings = Vec::new();
    let mut lap = {
        let mut started = Instant::now();
        move |step: &str, timings: &mut Vec<(String, u64)>| {
            timings.push((step.to_owned(), started.elapsed().as_millis() as u64));
            started = Instant::now();
        }
    };
    let mut target = store
        .history(&HistoryQuery {
            from: Some(from),
            to: Some(to.saturating_sub(1)),
            ..HistoryQuery::plate(plate.clone())
        })
        .map_err(store_err("the vehicle's history"))?;
    let input_cameras = store.cameras();
    let register = store
        .clock_register()
        .map_err(store_err("the clock register"))?;
    let skew_of: FastMap<&str, i64> = register
        .iter()
        .flat_map(|register| &register.cameras)
        .map(|camera| (camera.camera_id.as_str(), camera.skew_us))
        .collect();
    let clocks = Clocks { skew_of: &skew_of };
    let (misreads, misread_hashes, read_as) = own_misreads(
        store,
        plate,
        &target,
        (from, to),
        (&input_cameras, clocks),
        config,
    )?;
    let misread_read_ids: Vec<String> = misreads.iter().map(|read| read.read_id.clone()).collect();
    target.extend(misreads);
    target.sort_by_key(|read| read.ts);
    lap("history", &mut timings);

    let window_micros = config.convoy_window_secs * MICROS;
    let near: Vec<CameraWindow> = target
        .iter()
        .map(|read| CameraWindow {
            camera_id: read.camera_id.clone(),
            from: read.ts - window_micros,
            to: read.ts + window_micros + 1,
        })
        .collect();
    let own = hash_of_plate(plate);
    let hits = store
        .camera_hits(&near)
        .map_err(store_err("the camera windows around its reads"))?;
    // `(plate hash, camera, ts)` of every read near the vehicle's, each once.
    let mut near_reads: Vec<(u64, &str, i64)> = hits
        .iter()
        .zip(&near)
        .flat_map(|(hits, window)| {
            hits.iter()
                .map(|hit| (hit.plate_hash, window.camera_id.as_str(), hit.ts))
        })
        .filter(|&(hash, _, ts)| hash != own && !misread_hashes.contains(&hash) && inside(ts))
        .collect();
    near_reads.sort_unstable();
    near_reads.dedup();
    let n_vehicles_near = near_reads.chunk_by(|a, b| a.0 == b.0).count();
    let read_near: FastSet<u64> = near_reads.iter().map(|&(hash, _, _)| hash).collect();
    let range = (Some(from), Some(to.saturating_sub(1)));
    // Heavy vehicles are never partners: those read only as heavy ones in the window (every
    // read, so every plate of their text in the table, is heavy) are not loaded.
    let travelled_with = could_travel_with(&target, &near_reads, (&input_cameras, clocks), config)?;
    let classes = store.vehicle_classes_of_hashes(&travelled_with, range);
    let mut candidates = Vec::with_capacity(travelled_with.len());
    let mut n_heavy_left_out = 0;
    for (hash, classes) in travelled_with.into_iter().zip(classes) {
        if classes.only_heavy() {
            n_heavy_left_out += 1;
        } else {
            candidates.push(hash);
        }
    }
    lap("vehicles_near", &mut timings);

    let histories: Vec<Vec<RecordBatch>> = candidates
        .par_iter()
        .map(|&hash| {
            store
                .history_batches_of_hash(hash, range, HISTORY_COLUMNS)
                .map_err(store_err("a candidate's history"))
        })
        .collect::<Result<_, Error>>()?;
    lap("candidate_histories", &mut timings);

    // The first and last reads in the window.
    let span = store
        .ts_span()
        .map(|(first, last)| (first.max(from), last.min(to.saturating_sub(1))));
    let cells = traffic_cells(store, &target, window_micros, span, clocks)?;
    lap("traffic", &mut timings);

    // Plates numbered in text order: a pair's scoring looks from its lower-numbered plate,
    // so the search gives the same scores however the store holds the reads.
    let mut by_text: Vec<(String, Vec<RecordBatch>)> = Vec::with_capacity(histories.len() + 1);
    for batches in histories {
        let Some(first) = batches.iter().find(|batch| batch.num_rows() > 0) else {
            continue;
        };
        let plates = string_column(first, "plate", true)?.expect("required column");
        by_text.push((plates.value(0).to_owned(), batches));
    }
    // The plates the candidates' texts are likely misread as, loaded beside them where
    // they were read near the vehicle: only there can a misread read add to a trip
    // together; elsewhere it would only add to the candidate's habits. (The reads near
    // leave out the vehicle's own plate and its misreads.)
    let loaded: FastSet<u64> = candidates.iter().copied().collect();
    let texts: Vec<String> = by_text.iter().map(|(text, _)| text.clone()).collect();
    let wanted = |hash: u64| read_near.contains(&hash) && !loaded.contains(&hash);
    let misread_texts = misread_texts_in_store(store, &texts, &wanted);
    let misread_histories: Vec<(String, Vec<RecordBatch>)> = misread_texts
        .par_iter()
        .map(|text| {
            let batches = store
                .history_batches_of_hash(hash_of_plate(text), range, HISTORY_COLUMNS)
                .map_err(store_err("the plates a candidate's text is misread as"))?;
            Ok((text.as_str().to_owned(), batches))
        })
        .collect::<Result<_, Error>>()?;
    by_text.extend(misread_histories);
    lap("partner_misreads", &mut timings);

    let mut own_reads = target.clone();
    own_reads.sort_by_key(|read| (read.country, read.ts));
    let own_batch = corridor_store::schema::reads_to_batch(&own_reads);
    by_text.push((plate.as_str().to_owned(), vec![own_batch]));
    by_text.sort_by(|a, b| a.0.cmp(&b.0));
    let n_reads = target.len();
    let input = AnalysisInput {
        reads: by_text
            .into_iter()
            .flat_map(|(_, batches)| batches)
            .collect(),
        cameras: input_cameras,
        seeds: vec![plate.clone()],
        window,
    };
    let mut table = ReadTable::build(&input, config.reads_max)?;
    clocks.correct(&mut table);
    let links = misread::link_misreads(&mut table, config);
    let linked_from: FastMap<u32, u32> = links
        .iter()
        .map(|link| (link.row, link.from_plate))
        .collect();
    // The plates loaded only for their misreads are no partners.
    let misread_only: FastSet<u32> = misread_texts
        .iter()
        .flat_map(|text| table.plates_with_text(text.as_str()).iter().copied())
        .collect();
    let n_partner_misreads = links
        .iter()
        .filter(|link| {
            !misread_only.contains(&link.to_plate)
                && table.plate_text(link.to_plate) != plate.as_str()
        })
        .count();
    let camera_of: FastMap<&str, u32> = table
        .cameras
        .iter()
        .enumerate()
        .map(|(idx, site)| (site.camera_id.as_str(), idx as u32))
        .collect();
    let rows: Vec<CameraHour> = cells
        .iter()
        .filter_map(|((camera_id, hour), &(n_reads, n_plates))| {
            Some(CameraHour {
                camera: *camera_of.get(camera_id.as_str())?,
                hour: *hour,
                n_reads,
                n_plates,
            })
        })
        .collect();
    let (first_day, last_day) = span.map_or((0, 0), |(first, last)| (day_of(first), day_of(last)));
    let n_days = (last_day - first_day + 1).max(1) as usize;
    let traffic = Traffic::new(table.cameras.len(), n_days, &rows).with_days((first_day, last_day));
    let index = CameraIndex::build(&table);
    let light: Vec<bool> = table
        .heavy_plates()
        .iter()
        .enumerate()
        .map(|(idx, heavy)| !heavy && !misread_only.contains(&(idx as u32)))
        .collect();
    let focus = table.plates_with_text(plate.as_str()).to_vec();
    let wanted = Wanted::recurring(config);
    let found = convoys::partners(&table, &index, &traffic, (&focus, &light), config, wanted);
    let convoys = found
        .iter()
        .take(config.findings_max)
        .map(|convoy| {
            let mut report = crate::pipeline::convoy_report(&table, convoy);
            if report.plates[1] == plate.as_str() {
                report.plates.swap(0, 1);
            }
            report
        })
        .collect();
    let reads = cited_reads(
        &table,
        &found[..found.len().min(config.findings_max)],
        |row| {
            let read_id = table.read_id(row);
            let text = match linked_from.get(&row) {
                Some(&from_plate) => table.plate_text(from_plate).to_owned(),
                None => read_as
                    .get(&read_id)
                    .cloned()
                    .unwrap_or_else(|| table.plate_text(table.plate[row as usize]).to_owned()),
            };
            (read_id, text)
        },
    );
    lap("scoring", &mut timings);
    let mut visited: Vec<&str> = target.iter().map(|read| read.camera_id.as_str()).collect();
    visited.sort_unstable();
    visited.dedup();
    let clock_corrections = visited
        .into_iter()
        .filter_map(|camera_id| {
            let skew_us = *skew_of.get(camera_id)?;
            Some(CameraSkew {
                camera_id: camera_id.to_owned(),
                skew_secs: skew_us as f64 / 1e6,
            })
        })
        .collect();
    Ok(TargetedConvoys {
        plate: plate.as_str().to_owned(),
        n_reads,
        misread_read_ids,
        n_vehicles_near,
        n_candidates: candidates.len(),
        n_heavy_left_out,
        n_partner_misreads,
        clock_corrections,
        clock_register_estimated_at: register.map(|register| register.estimated_at),
        convoys,
        reads,
        timings_ms: timings,
    })
}

/// The reads that `convoys` cite, once each, in time order: `id_and_text` gives a row's
/// read id and the text the camera read.
fn cited_reads(
    table: &ReadTable,
    convoys: &[convoys::ConvoyFinding],
    id_and_text: impl Fn(u32) -> (String, String),
) -> Vec<CitedRead> {
    let mut rows: Vec<u32> = convoys
        .iter()
        .flat_map(|convoy| &convoy.occasions)
        .flat_map(|occasion| &occasion.co_occurrences)
        .flat_map(|co| [co.row_a, co.row_b])
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let mut reads: Vec<CitedRead> = rows
        .into_iter()
        .map(|row| {
            let camera = table.camera[row as usize];
            let skew_us = table.clock_us.get(camera as usize).copied().unwrap_or(0);
            let (read_id, plate) = id_and_text(row);
            CitedRead {
                read_id,
                plate,
                camera_id: table.cameras[camera as usize].camera_id.clone(),
                ts: table.ts[row as usize] + skew_us,
            }
        })
        .collect();
    reads.sort_by(|a, b| (a.ts, &a.read_id).cmp(&(b.ts, &b.read_id)));
    // A read the input holds twice (a camera's double read) is cited once.
    reads.dedup_by(|a, b| a.read_id == b.read_id);
    reads
}

/// The clock register's corrections, by camera id (microseconds the camera is ahead).
#[derive(Clone, Copy)]
struct Clocks<'a> {
    skew_of: &'a FastMap<&'a str, i64>,
}

impl Clocks<'_> {
    /// A camera's clock error, zero where none is recorded.
    fn skew_us(&self, camera_id: &str) -> i64 {
        self.skew_of.get(camera_id).copied().unwrap_or(0)
    }

    /// Moves every read of `table` to its camera's true time.
    fn correct(&self, table: &mut ReadTable) {
        let skews: Vec<i64> = table
            .cameras
            .iter()
            .map(|site| self.skew_us(&site.camera_id))
            .collect();
        clock::correct(table, &skews);
    }
}

/// The texts, held by the store and `wanted` (by hash), that the `texts` are likely
/// misread as, in text order.
fn misread_texts_in_store(
    store: &Store,
    texts: &[String],
    wanted: &(dyn Fn(u64) -> bool + Sync),
) -> Vec<PlateText> {
    let model = ConfusionModel::standard();
    let mut found: Vec<PlateText> = texts
        .par_iter()
        .flat_map_iter(|text| {
            let misreadings = PlateText::parse(text)
                .map(|plate| model.misreadings(&plate, MISREADINGS_MAX))
                .unwrap_or_default();
            misreadings
                .into_iter()
                .map(|(text, _)| text)
                .filter(move |text| wanted(hash_of_plate(text)) && store.contains_plate(text))
        })
        .collect();
    found.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    found.dedup();
    found
}

/// Names what a failed store read was for.
fn store_err(what: &str) -> impl FnOnce(corridor_store::Error) -> Error {
    let what = what.to_owned();
    move |err| Error::Store {
        what,
        source: Box::new(err),
    }
}

/// What [`own_misreads`] finds: the misreads relabelled, the hashes of the texts they were
/// read under, and those texts by read id.
type OwnMisreads = (Vec<PlateRead>, FastSet<u64>, FastMap<String, String>);

/// The reads, under other texts, that are misreads of `plate`: the texts its own is likely
/// misread as ([`ConfusionModel::misreadings`]) that the store holds, linked as `analyse`
/// links misreads (each read judged on its own text's likely true readings, its plate's
/// other reads and `plate`'s track). Returns them relabelled as `plate`, the hashes of the
/// texts they were read under, and those texts by read id.
fn own_misreads(
    store: &Store,
    plate: &PlateText,
    target: &[PlateRead],
    (from, to): (i64, i64),
    (cameras, clocks): (&[corridor_domain::Camera], Clocks<'_>),
    config: &AnalysisConfig,
) -> Result<OwnMisreads, Error> {
    let texts: Vec<PlateText> = ConfusionModel::standard()
        .misreadings(plate, MISREADINGS_MAX)
        .into_iter()
        .map(|(text, _)| text)
        .filter(|text| store.contains_plate(text))
        .collect();
    let mut others: Vec<PlateRead> = Vec::new();
    for text in &texts {
        let reads = store
            .history(&HistoryQuery {
                from: Some(from),
                to: Some(to.saturating_sub(1)),
                ..HistoryQuery::plate(text.clone())
            })
            .map_err(store_err("the plates its text is misread as"))?;
        others.extend(reads);
    }
    if others.is_empty() {
        return Ok((Vec::new(), FastSet::default(), FastMap::default()));
    }
    let reads: Vec<PlateRead> = target.iter().chain(&others).cloned().collect();
    let input = AnalysisInput {
        reads: vec![corridor_store::schema::reads_to_batch(&reads)],
        cameras: cameras.to_vec(),
        seeds: Vec::new(),
        window: None,
    };
    let mut table = ReadTable::build(&input, config.reads_max)?;
    clocks.correct(&mut table);
    let own = table.plates_with_text(plate.as_str()).to_vec();
    // Each linked read's id, and the country of the plate (this text) it joins.
    let linked: FastMap<String, Option<Country>> = misread::link_misreads(&mut table, config)
        .into_iter()
        .filter(|link| own.contains(&link.to_plate))
        .map(|link| {
            let country = table.plates[link.to_plate as usize].country.as_deref();
            let country = country.and_then(|code| Country::parse(code).ok());
            (table.read_id(link.row), country)
        })
        .collect();
    // The texts these reads were under: the search leaves those plates out as partners,
    // since the vehicle's own reads are among theirs.
    let mut hashes = FastSet::default();
    let mut read_as = FastMap::default();
    let misreads = others
        .into_iter()
        .filter_map(|read| {
            let country = *linked.get(&read.read_id)?;
            hashes.insert(hash_of_plate(&read.plate));
            read_as.insert(read.read_id.clone(), read.plate.as_str().to_owned());
            Some(PlateRead {
                plate: plate.clone(),
                country,
                ..read
            })
        })
        .collect();
    Ok((misreads, hashes, read_as))
}

/// The plates (by hash) among `near_reads` (sorted by plate) that make
/// `convoy_occasions_min` trips together with the vehicle of `target` along either
/// vehicle's reads: their co-occurrences are worked out on a table of the vehicle's reads
/// and the reads near them, without loading any other read.
fn could_travel_with(
    target: &[PlateRead],
    near_reads: &[(u64, &str, i64)],
    (cameras, clocks): (&[corridor_domain::Camera], Clocks<'_>),
    config: &AnalysisConfig,
) -> Result<Vec<u64>, Error> {
    let co_occurrences_min = config.convoy_occasions_min * config.occasion_cameras_min;
    let groups: Vec<&[(u64, &str, i64)]> = near_reads
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|group| group.len() >= co_occurrences_min)
        .collect();
    // Labels stand for the plates: the vehicle is `T`, the others `P0`, `P1`, ...
    let label = |text: &str| PlateText::parse(text).expect("labels are plates");
    let mut reads: Vec<PlateRead> = target
        .iter()
        .map(|read| PlateRead {
            plate: label("T"),
            country: None,
            ..read.clone()
        })
        .collect();
    for (idx, group) in groups.iter().enumerate() {
        let plate = label(&format!("P{idx}"));
        reads.extend(group.iter().map(|&(_, camera_id, ts)| PlateRead {
            read_id: String::new(),
            plate: plate.clone(),
            country: None,
            camera_id: camera_id.to_owned(),
            ts,
            confidence: None,
            lat: None,
            lon: None,
            heading_deg: None,
            make: None,
            model: None,
            colour: None,
            vehicle_type: None,
        }));
    }
    let input = AnalysisInput {
        reads: vec![corridor_store::schema::reads_to_batch(&reads)],
        cameras: cameras.to_vec(),
        seeds: Vec::new(),
        window: None,
    };
    let mut table = ReadTable::build(&input, config.reads_max)?;
    clocks.correct(&mut table);
    let index = CameraIndex::build(&table);
    let everyone = vec![true; table.n_plates()];
    let focus = table.plates_with_text("T").to_vec();
    let co_occurrences = convoys::co_occurrences_with(&table, &index, (&focus, &everyone), config);
    let mut found = Vec::new();
    for pair in co_occurrences.chunk_by(|a, b| a.0 == b.0) {
        let pair_cos: Vec<convoys::CoOccurrence> = pair.iter().map(|(_, co)| *co).collect();
        if convoys::occasions_either_way(&table, &pair_cos, config) < config.convoy_occasions_min {
            continue;
        }
        let other = table.plate[pair_cos[0].row_b as usize];
        let other = if focus.contains(&other) {
            table.plate[pair_cos[0].row_a as usize]
        } else {
            other
        };
        let idx: usize = table.plate_text(other)[1..]
            .parse()
            .expect("partner labels");
        found.push(groups[idx][0].0);
    }
    Ok(found)
}

/// `(camera id, hour of day)` -> `(reads, distinct plates)`.
type TrafficCells = FastMap<(String, u8), (u64, u64)>;

/// `(reads, distinct plates)` over the reads from `span`'s first to its last (the window's)
/// at each camera and hour of day (UTC, true time: `clocks` corrected) where a vehicle
/// read within `window_micros` of a read of `target` may have been read, as the
/// `camera_hour_traffic` plan counts them.
fn traffic_cells(
    store: &Store,
    target: &[PlateRead],
    window_micros: i64,
    span: Option<(i64, i64)>,
    clocks: Clocks<'_>,
) -> Result<TrafficCells, Error> {
    let mut cells: Vec<(String, u8)> = target
        .iter()
        .flat_map(|read| {
            let ts = read.ts - clocks.skew_us(&read.camera_id);
            [ts - window_micros, ts + window_micros].map(|ts| {
                let hour = ts.div_euclid(HOUR_MICROS).rem_euclid(24) as u8;
                (read.camera_id.clone(), hour)
            })
        })
        .collect();
    cells.sort_unstable();
    cells.dedup();
    let Some((first, last)) = span else {
        return Ok(FastMap::default());
    };
    let (from, to) = (first, last.saturating_add(1));
    let days = first.div_euclid(DAY_MICROS)..=last.div_euclid(DAY_MICROS);
    let mut windows = Vec::new();
    let mut cell_of = Vec::new();
    for (idx, (camera_id, hour)) in cells.iter().enumerate() {
        // The hour in true time, in the camera's recorded time.
        let skew_us = clocks.skew_us(camera_id);
        for day in days.clone() {
            let start = day * DAY_MICROS + i64::from(*hour) * HOUR_MICROS + skew_us;
            let (start, end) = (start.max(from), (start + HOUR_MICROS).min(to));
            if start < end {
                windows.push(CameraWindow {
                    camera_id: camera_id.clone(),
                    from: start,
                    to: end,
                });
                cell_of.push(idx);
            }
        }
    }
    let hits = store.camera_hits(&windows).map_err(|err| Error::Store {
        what: "the traffic at its cameras".to_owned(),
        source: Box::new(err),
    })?;
    // The windows of a cell are consecutive: each cell is counted on its own, on every core.
    let mut per_cell: Vec<(usize, &[Vec<corridor_store::CameraHit>])> = Vec::new();
    let mut rest = hits.as_slice();
    for group in cell_of.chunk_by(|a, b| a == b) {
        let (these, after) = rest.split_at(group.len());
        per_cell.push((group[0], these));
        rest = after;
    }
    let counts: Vec<(usize, u64, u64)> = per_cell
        .par_iter()
        .map(|&(idx, hits)| {
            let n_reads = hits.iter().map(Vec::len).sum::<usize>() as u64;
            let mut plates: FastSet<u64> = FastSet::default();
            plates.reserve(n_reads as usize);
            plates.extend(hits.iter().flatten().map(|hit| hit.plate_hash));
            (idx, n_reads, plates.len() as u64)
        })
        .collect();
    Ok(counts
        .into_iter()
        .map(|(idx, n_reads, n_plates)| (cells[idx].clone(), (n_reads, n_plates)))
        .collect())
}
