//! Reads by camera and time window, and plates by their hash: what a targeted search
//! around one vehicle asks of the store, answered from the camera-time indexes of the
//! segments (`camera_index`) and from the memtable, without decoding segments.

use crate::segment::plate_hash;
use crate::store::{Shared, Store};
use crate::{CameraHit, CameraWindow, Error, HistoryQuery};
use corridor_domain::{PlateRead, PlateText, Timestamp};
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

    /// The reads of the plate whose text hashes to `plate_hash` (see [`CameraHit`]), as
    /// [`Store::history`] gives them with `from` and `to`.
    pub fn history_of_hash(
        &self,
        plate_hash: u64,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> Result<Vec<PlateRead>, Error> {
        let Some(plate) = self.shared.plate_of_hash(plate_hash)? else {
            return Ok(Vec::new());
        };
        self.history(&HistoryQuery {
            from,
            to,
            ..HistoryQuery::plate(plate)
        })
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
        let (segments, mut hits) = {
            let state = self.state.read();
            let n_visible = state.memtable.visible_rows(self.wal.durable_seq());
            let mut by_camera: HashMap<&str, Vec<usize>> = HashMap::new();
            for (idx, window) in windows.iter().enumerate() {
                by_camera.entry(&window.camera_id).or_default().push(idx);
            }
            let mut hits: Vec<Vec<CameraHit>> = vec![Vec::new(); windows.len()];
            let unflushed = state.memtable.reads[..n_visible]
                .iter()
                .chain(state.frozen.iter().flat_map(|frozen| frozen.reads.iter()));
            for read in unflushed {
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
        // A camera at a time, so that each segment's times for it are read once for all of
        // its windows.
        let mut cameras: Vec<(&str, Vec<usize>)> = Vec::new();
        for (idx, window) in windows.iter().enumerate() {
            match cameras.last_mut() {
                Some((camera, idxs)) if *camera == window.camera_id => idxs.push(idx),
                _ => cameras.push((&window.camera_id, vec![idx])),
            }
        }
        cameras.sort_by_key(|(camera, _)| *camera);
        let cameras: Vec<(&str, Vec<usize>)> = cameras
            .chunk_by(|a, b| a.0 == b.0)
            .map(|group| {
                (
                    group[0].0,
                    group.iter().flat_map(|(_, idxs)| idxs.clone()).collect(),
                )
            })
            .collect();
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

    /// The plate text whose hash is `hash`, from the first segment or memtable holding it.
    fn plate_of_hash(&self, hash: u64) -> Result<Option<PlateText>, Error> {
        let segments = {
            let state = self.state.read();
            let n_visible = state.memtable.visible_rows(self.wal.durable_seq());
            let unflushed = state.memtable.reads[..n_visible]
                .iter()
                .chain(state.frozen.iter().flat_map(|frozen| frozen.reads.iter()));
            if let Some(read) = unflushed
                .into_iter()
                .find(|read| plate_hash(read.plate.as_str()) == hash)
            {
                return Ok(Some(read.plate.clone()));
            }
            state.segments.clone()
        };
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
        Ok(None)
    }

    fn ts_span(&self) -> Option<(Timestamp, Timestamp)> {
        let state = self.state.read();
        let n_visible = state.memtable.visible_rows(self.wal.durable_seq());
        let unflushed = state.memtable.reads[..n_visible]
            .iter()
            .chain(state.frozen.iter().flat_map(|frozen| frozen.reads.iter()))
            .map(|read| (read.ts, read.ts));
        let in_segments = state
            .segments
            .iter()
            .map(|segment| (segment.ts_min, segment.ts_max));
        unflushed
            .chain(in_segments)
            .reduce(|(min_a, max_a), (min_b, max_b)| (min_a.min(min_b), max_a.max(max_b)))
    }
}
