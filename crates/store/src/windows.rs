//! Reads by camera and time window, and plates by their hash: what a targeted search
//! around one vehicle asks of the store, answered from the camera-time indexes of the
//! segments (`camera_index`) and from the memtable, without decoding segments.

use crate::segment::{ClassBits, plate_hash};
use crate::store::{Shared, State, Store};
use crate::{CameraHit, CameraWindow, Error, VehicleClasses};
use arrow::array::{AsArray, BooleanArray, RecordBatch};
use arrow::datatypes::TimestampMicrosecondType;
use corridor_domain::{PlateRead, PlateText, Timestamp, VehicleClass};
use rayon::prelude::*;
use std::collections::HashMap;

/// Microseconds per millisecond: the camera-time indexes keep times to the millisecond.
const MICROS_PER_MS: i64 = 1000;

impl Store {
    /// The reads each camera window saw, one list per window in the order given, each in
    /// no particular order. A window holds the reads of its camera with `from <= ts < to`
    /// compared to the millisecond: a read less than a millisecond outside the bounds
    /// may be included, and reads in segments carry their time to the millisecond.
    pub fn camera_hits(&self, windows: &[CameraWindow]) -> Result<Vec<Vec<CameraHit>>, Error> {
        self.shared.camera_hits(windows)
    }

    /// The reads of the plate whose text hashes to `plate_hash` (see [`CameraHit`]) with
    /// `from <= ts <= to` (bounds optional), as [`Store::history`] selects them, as Arrow
    /// batches holding only `columns` (names of [`crate::schema::reads_schema`]'s columns;
    /// `plate` and `ts` are always added) in that schema's order, the batches in no
    /// particular order: a lookup reads only those columns of each segment.
    pub fn history_batches_of_hash(
        &self,
        plate_hash: u64,
        (from, to): (Option<Timestamp>, Option<Timestamp>),
        columns: &[&str],
    ) -> Result<Vec<RecordBatch>, Error> {
        let schema = crate::schema::reads_schema();
        let mut indices = Vec::with_capacity(columns.len() + 2);
        for name in columns.iter().chain(&["plate", "ts"]) {
            let idx = schema.index_of(name).map_err(|_| Error::BadBatch {
                row: 0,
                column: (*name).to_owned(),
                reason: "not a column of the reads schema".to_owned(),
            })?;
            indices.push(idx);
        }
        indices.sort_unstable();
        indices.dedup();
        let Some(plate) = self.shared.plate_of_hash(plate_hash)? else {
            return Ok(Vec::new());
        };
        let in_range =
            |ts: Timestamp| from.is_none_or(|from| ts >= from) && to.is_none_or(|to| ts <= to);
        let (segments, unflushed) = self
            .shared
            .plate_snapshot(&plate, &|read| in_range(read.ts));
        let mut batches = Vec::new();
        if !unflushed.is_empty() {
            batches.push(crate::schema::reads_to_batch(&unflushed).project(&indices)?);
        }
        for segment in segments.iter() {
            if from.is_some_and(|from| segment.ts_max < from)
                || to.is_some_and(|to| segment.ts_min > to)
            {
                continue;
            }
            let Some((start, len)) = segment.plate_range(&plate) else {
                continue;
            };
            for batch in segment.read_range_of(start, len, Some(&indices))? {
                // A plate-hash collision would bring another plate's rows: the plate's only.
                let plates = crate::schema::Strings::new(
                    batch.column_by_name("plate").expect("projected").as_ref(),
                );
                let ts = batch
                    .column_by_name("ts")
                    .expect("projected")
                    .as_primitive::<TimestampMicrosecondType>();
                let keep = BooleanArray::from_iter((0..batch.num_rows()).map(|row| {
                    Some(plates.value(row) == plate.as_str() && in_range(ts.value(row)))
                }));
                let kept = arrow::compute::filter_record_batch(&batch, &keep)?;
                if kept.num_rows() > 0 {
                    batches.push(kept);
                }
            }
        }
        Ok(batches)
    }

    /// The vehicle classes among the reads of each plate whose text hashes to one of
    /// `plate_hashes` (one entry each, in that order) with `from <= ts <= to` (bounds
    /// optional), from the segments' indexes and the reads not yet flushed (walked once for
    /// all of them), without reading a segment. A segment's index gives the classes of all
    /// the plate's reads in it, in the range or not; a segment indexed before the classes
    /// were recorded counts as holding every class. So where this says
    /// [`VehicleClasses::only_heavy`], every read of the plate in the range is of a heavy
    /// vehicle.
    pub fn vehicle_classes_of_hashes(
        &self,
        plate_hashes: &[u64],
        (from, to): (Option<Timestamp>, Option<Timestamp>),
    ) -> Vec<VehicleClasses> {
        let in_range =
            |ts: Timestamp| from.is_none_or(|from| ts >= from) && to.is_none_or(|to| ts <= to);
        let state = self.shared.state.read();
        let segments: Vec<_> = state
            .segments
            .iter()
            .filter(|segment| {
                !(from.is_some_and(|from| segment.ts_max < from)
                    || to.is_some_and(|to| segment.ts_min > to))
            })
            .collect();
        let mut bits: HashMap<u64, u8> = plate_hashes
            .iter()
            .map(|&hash| {
                let of_segments = segments.iter().fold(0, |bits, segment| {
                    bits | segment.hash_classes(hash).unwrap_or(0)
                });
                (hash, of_segments)
            })
            .collect();
        for read in unflushed(&state, self.shared.wal.durable_seq()) {
            if !in_range(read.ts) {
                continue;
            }
            if let Some(bits) = bits.get_mut(&plate_hash(read.plate.as_str())) {
                *bits |= ClassBits::of(VehicleClass::of(read.vehicle_type.as_deref()));
            }
        }
        plate_hashes
            .iter()
            .map(|hash| {
                let bits = bits[hash];
                VehicleClasses {
                    unknown: bits & ClassBits::UNKNOWN != 0,
                    light: bits & ClassBits::LIGHT != 0,
                    heavy: bits & ClassBits::HEAVY != 0,
                }
            })
            .collect()
    }

    /// The times of the first and last visible reads.
    pub fn ts_span(&self) -> Option<(Timestamp, Timestamp)> {
        self.shared.ts_span()
    }
}

/// The hash of a plate's text that [`CameraHit::plate_hash`] carries.
pub fn hash_of_plate(plate: &PlateText) -> u64 {
    plate_hash(plate.as_str())
}

impl Shared {
    fn camera_hits(&self, windows: &[CameraWindow]) -> Result<Vec<Vec<CameraHit>>, Error> {
        let bounds = |window: &CameraWindow| {
            (
                window.from.div_euclid(MICROS_PER_MS),
                (window.to + MICROS_PER_MS - 1).div_euclid(MICROS_PER_MS),
            )
        };
        // A camera at a time: each unflushed read is matched to its camera's windows, and
        // each segment's times for a camera are read once for all of its windows.
        let mut by_camera: HashMap<&str, Vec<usize>> = HashMap::new();
        for (idx, window) in windows.iter().enumerate() {
            by_camera.entry(&window.camera_id).or_default().push(idx);
        }
        let (segments, mut hits) = {
            let state = self.state.read();
            let mut hits: Vec<Vec<CameraHit>> = vec![Vec::new(); windows.len()];
            for read in unflushed(&state, self.wal.durable_seq()) {
                let Some(idxs) = by_camera.get(read.camera_id.as_str()) else {
                    continue;
                };
                let ts_ms = read.ts.div_euclid(MICROS_PER_MS);
                for &idx in idxs {
                    let (from_ms, to_ms) = bounds(&windows[idx]);
                    if from_ms <= ts_ms && ts_ms < to_ms {
                        hits[idx].push(CameraHit {
                            ts: read.ts,
                            plate_hash: plate_hash(read.plate.as_str()),
                        });
                    }
                }
            }
            (state.segments.clone(), hits)
        };
        let cameras: Vec<(&str, Vec<usize>)> = by_camera.into_iter().collect();
        let from_segments: Vec<Vec<(usize, CameraHit)>> = cameras
            .par_iter()
            .map(|(camera_id, idxs)| {
                let mut found = Vec::new();
                for segment in segments.iter() {
                    let (seg_min, seg_max) = (
                        segment.ts_min.div_euclid(MICROS_PER_MS),
                        segment.ts_max.div_euclid(MICROS_PER_MS),
                    );
                    let (overlapping, ranges): (Vec<usize>, Vec<(i64, i64)>) = idxs
                        .iter()
                        .map(|&idx| (idx, bounds(&windows[idx])))
                        .filter(|&(_, (from_ms, to_ms))| from_ms <= seg_max && seg_min < to_ms)
                        .unzip();
                    if ranges.is_empty() {
                        continue;
                    }
                    segment.camera_windows(
                        camera_id,
                        &ranges,
                        &mut |range, ts_ms, plate_hash| {
                            found.push((
                                overlapping[range],
                                CameraHit {
                                    ts: ts_ms * MICROS_PER_MS,
                                    plate_hash,
                                },
                            ))
                        },
                    )?;
                }
                Ok(found)
            })
            .collect::<Result<_, Error>>()?;
        for (idx, hit) in from_segments.into_iter().flatten() {
            hits[idx].push(hit);
        }
        Ok(hits)
    }

    /// The plate text whose hash is `hash`, from the first segment holding it, else from
    /// the reads not yet flushed (a walk through them all, so they come last).
    fn plate_of_hash(&self, hash: u64) -> Result<Option<PlateText>, Error> {
        let segments = self.state.read().segments.clone();
        for segment in segments.iter() {
            let Some((start, _)) = segment.hash_range(hash) else {
                continue;
            };
            for batch in segment.read_range(start, 1)? {
                let columns = crate::schema::ReadColumns::new(&batch)?;
                if batch.num_rows() > 0 {
                    return Ok(Some(columns.read(0)?.plate));
                }
            }
        }
        let state = self.state.read();
        Ok(unflushed(&state, self.wal.durable_seq())
            .find(|read| plate_hash(read.plate.as_str()) == hash)
            .map(|read| read.plate.clone()))
    }

    fn ts_span(&self) -> Option<(Timestamp, Timestamp)> {
        let state = self.state.read();
        let unflushed = unflushed(&state, self.wal.durable_seq()).map(|read| (read.ts, read.ts));
        let in_segments = state
            .segments
            .iter()
            .map(|segment| (segment.ts_min, segment.ts_max));
        unflushed
            .chain(in_segments)
            .reduce(|(min_a, max_a), (min_b, max_b)| (min_a.min(min_b), max_a.max(max_b)))
    }
}

/// The visible reads not yet in a segment: the memtable's durable rows, then those of the
/// memtable being flushed.
fn unflushed(state: &State, durable_seq: u64) -> impl Iterator<Item = &PlateRead> {
    let n_visible = state.memtable.visible_rows(durable_seq);
    state.memtable.reads[..n_visible]
        .iter()
        .chain(state.frozen.iter().flat_map(|frozen| frozen.reads.iter()))
}
