//! Reads by camera and time window (the camera-time indexes of the segments, and the
//! memtable) and plates by hash, against a brute-force filter of every read.

use crate::{DAY0, HOUR, ids, open, read};
use arrow::array::AsArray;
use arrow::datatypes::TimestampMicrosecondType;
use corridor_domain::{PlateRead, PlateText, VehicleClass};
use corridor_store::{CameraHit, CameraWindow, HistoryQuery, Store, VehicleClasses, hash_of_plate};
use proptest::prelude::*;
use std::path::Path;

const MINUTE: i64 = 60_000_000;

/// What `camera_hits` must give for `window` over `reads`: times compared to the
/// millisecond, in segments to the millisecond, sorted.
fn expected(reads: &[PlateRead], window: &CameraWindow, flushed: &[bool]) -> Vec<CameraHit> {
    let (from_ms, to_ms) = (
        window.from.div_euclid(1000),
        (window.to + 999).div_euclid(1000),
    );
    let mut hits: Vec<CameraHit> = reads
        .iter()
        .zip(flushed)
        .filter(|(read, _)| read.camera_id == window.camera_id)
        .filter(|(read, _)| (from_ms..to_ms).contains(&read.ts.div_euclid(1000)))
        .map(|(read, &flushed)| CameraHit {
            ts: if flushed {
                read.ts.div_euclid(1000) * 1000
            } else {
                read.ts
            },
            plate_hash: hash_of_plate(&read.plate),
        })
        .collect();
    hits.sort_by_key(|hit| (hit.ts, hit.plate_hash));
    hits
}

fn hits(store: &Store, windows: &[CameraWindow]) -> Vec<Vec<CameraHit>> {
    let mut found = store.camera_hits(windows).unwrap();
    for hits in &mut found {
        hits.sort_by_key(|hit| (hit.ts, hit.plate_hash));
    }
    found
}

fn window(camera: usize, from: i64, to: i64) -> CameraWindow {
    CameraWindow {
        camera_id: format!("cam-{camera}"),
        from,
        to,
    }
}

/// Reads over three days on four cameras: plate, camera, offset from DAY0.
fn reads_of(spec: &[(usize, usize, i64)]) -> Vec<PlateRead> {
    spec.iter()
        .enumerate()
        .map(|(n, &(plate, camera, offset))| PlateRead {
            camera_id: format!("cam-{camera}"),
            ..read(&format!("r{n}"), &format!("PL{plate}"), None, DAY0 + offset)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever is flushed, compacted or still in the memtable, each window gives the
    /// reads of its camera inside it, and a hit's plate hash gives the plate's history.
    #[test]
    fn camera_windows_give_the_reads_a_filter_of_every_read_gives(
        spec in prop::collection::vec((0usize..12, 0usize..4, 0i64..3 * 24 * HOUR), 1..120),
        n_flushed_parts in 0usize..3,
        compact in any::<bool>(),
        windows in prop::collection::vec((0usize..5, 0i64..3 * 24 * HOUR, 1i64..6 * HOUR), 1..12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        let reads = reads_of(&spec);
        let flushed = store_in_parts(&store, &reads, n_flushed_parts, compact);
        let windows: Vec<CameraWindow> = windows
            .iter()
            .map(|&(camera, from, len)| window(camera, DAY0 + from + 777, DAY0 + from + len))
            .collect();
        let found = hits(&store, &windows);
        for (window, found) in windows.iter().zip(&found) {
            prop_assert_eq!(found, &expected(&reads, window, &flushed), "{:?}", window);
        }
        for hit in found.iter().flatten().take(5) {
            let by_hash = history_of_hash(&store, hit.plate_hash, (None, None));
            let plate = by_hash[0].plate.clone();
            prop_assert_eq!(hash_of_plate(&plate), hit.plate_hash);
            let by_text = store.history(&HistoryQuery::plate(plate.clone())).unwrap();
            prop_assert_eq!(ids(&by_hash), ids(&by_text));
            let (from, to) = (DAY0 + 24 * HOUR, DAY0 + 2 * 24 * HOUR);
            let by_hash = history_of_hash(&store, hit.plate_hash, (Some(from), Some(to)));
            let query = HistoryQuery { from: Some(from), to: Some(to), ..HistoryQuery::plate(plate) };
            let by_text = store.history(&query).unwrap();
            prop_assert_eq!(ids(&by_hash), ids(&by_text));
        }
    }
}

/// The vehicle types the class tests draw from: none, light, heavy, in various cases.
const KINDS: [Option<&str>; 5] = [None, Some("car"), Some("van"), Some("Lorry"), Some("COACH")];

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Over every read the classes are exactly those of the plate's reads; over a range,
    /// those of its reads in the range at least, and of all its reads at most: a plate
    /// said to be only heavy has only heavy reads in the range.
    #[test]
    fn vehicle_classes_of_a_plate_cover_its_reads_in_the_range(
        spec in prop::collection::vec((0usize..8, 0usize..5, 0i64..3 * 24 * HOUR), 1..80),
        n_flushed_parts in 0usize..3,
        compact in any::<bool>(),
        (from, len) in (0i64..3 * 24 * HOUR, 0i64..2 * 24 * HOUR),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path());
        let reads: Vec<PlateRead> = spec
            .iter()
            .enumerate()
            .map(|(n, &(plate, kind, offset))| PlateRead {
                vehicle_type: KINDS[kind].map(str::to_owned),
                ..read(&format!("r{n}"), &format!("PL{plate}"), None, DAY0 + offset)
            })
            .collect();
        store_in_parts(&store, &reads, n_flushed_parts, compact);
        let (from, to) = (DAY0 + from, DAY0 + from + len);
        let classes_of = |reads: &mut dyn Iterator<Item = &PlateRead>| {
            reads.fold(VehicleClasses::default(), |mut classes, read| {
                match VehicleClass::of(read.vehicle_type.as_deref()) {
                    VehicleClass::Unknown => classes.unknown = true,
                    VehicleClass::Light => classes.light = true,
                    VehicleClass::Heavy => classes.heavy = true,
                }
                classes
            })
        };
        let within = |wider: VehicleClasses, narrower: VehicleClasses| {
            (narrower.unknown <= wider.unknown)
                && (narrower.light <= wider.light)
                && (narrower.heavy <= wider.heavy)
        };
        let texts: Vec<PlateText> =
            (0..8).map(|plate| PlateText::parse(&format!("PL{plate}")).unwrap()).collect();
        let hashes: Vec<u64> = texts.iter().map(hash_of_plate).collect();
        let over_all = store.vehicle_classes_of_hashes(&hashes, (None, None));
        let over_range = store.vehicle_classes_of_hashes(&hashes, (Some(from), Some(to)));
        for (text, (&found_all, &found)) in texts.iter().zip(over_all.iter().zip(&over_range)) {
            let all = classes_of(&mut reads.iter().filter(|read| read.plate == *text));
            prop_assert_eq!(found_all, all);
            let in_range = classes_of(
                &mut reads
                    .iter()
                    .filter(|read| read.plate == *text && (from..=to).contains(&read.ts)),
            );
            prop_assert!(within(found, in_range), "{:?} lacks {:?}", found, in_range);
            prop_assert!(within(all, found), "{:?} beyond {:?}", found, all);
            if found.only_heavy() {
                prop_assert!(in_range.only_heavy() || in_range == VehicleClasses::default());
            }
        }
    }
}

/// Stores `reads` in three parts: the first `n_flushed_parts` flushed one by one (several
/// segments a day), then compacted if `compact`; the rest stays in the memtable. Says for
/// each read whether it was flushed.
fn store_in_parts(
    store: &Store,
    reads: &[PlateRead],
    n_flushed_parts: usize,
    compact: bool,
) -> Vec<bool> {
    let part = reads.len().div_ceil(3);
    let mut flushed = vec![false; reads.len()];
    for (idx, chunk) in reads.chunks(part).enumerate() {
        store.append_durable(chunk).unwrap();
        if idx < n_flushed_parts {
            store.flush().unwrap();
            let start = idx * part;
            flushed[start..start + chunk.len()].fill(true);
        }
    }
    if compact {
        store.compact().unwrap();
    }
    flushed
}

/// The reads of a plate by hash, through the batches of a few columns, as `history`
/// orders them.
fn history_of_hash(store: &Store, hash: u64, range: (Option<i64>, Option<i64>)) -> Vec<PlateRead> {
    let batches = store
        .history_batches_of_hash(hash, range, &["read_id", "camera_id"])
        .unwrap();
    let mut reads: Vec<PlateRead> = batches
        .iter()
        .flat_map(|batch| {
            assert_eq!(batch.num_columns(), 4, "read_id, plate, camera_id, ts only");
            let ids = batch.column_by_name("read_id").unwrap().as_string::<i32>();
            let plates = batch.column_by_name("plate").unwrap().as_string::<i32>();
            let ts = batch
                .column_by_name("ts")
                .unwrap()
                .as_primitive::<TimestampMicrosecondType>();
            (0..batch.num_rows())
                .map(|row| read(ids.value(row), plates.value(row), None, ts.value(row)))
                .collect::<Vec<_>>()
        })
        .collect();
    reads.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.read_id.cmp(&b.read_id)));
    reads
}

fn camera_index_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("index"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "cti"))
        .collect();
    files.sort();
    files
}

#[test]
fn a_missing_or_damaged_camera_index_is_rebuilt_when_the_store_opens() {
    let dir = tempfile::tempdir().unwrap();
    let spec: Vec<(usize, usize, i64)> = (0..60)
        .map(|n| (n % 7, n % 3, (n as i64 % 3) * 24 * HOUR + n as i64 * MINUTE))
        .collect();
    let reads = reads_of(&spec);
    let windows = [
        window(0, DAY0, DAY0 + 3 * 24 * HOUR),
        window(2, DAY0, DAY0 + 2 * HOUR),
    ];
    let before = {
        let store = open(dir.path());
        store.append_durable(&reads).unwrap();
        store.flush().unwrap();
        hits(&store, &windows)
    };
    assert_eq!(before[0].len(), 20);
    let files = camera_index_files(dir.path());
    assert_eq!(files.len(), 3, "one camera index per day's segment");
    std::fs::remove_file(&files[0]).unwrap();
    let mut damaged = std::fs::read(&files[1]).unwrap();
    damaged[20] ^= 0xff;
    std::fs::write(&files[1], damaged).unwrap();
    let store = open(dir.path());
    assert_eq!(hits(&store, &windows), before);
    assert_eq!(camera_index_files(dir.path()), files);
}

#[test]
fn purged_reads_leave_the_camera_windows() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let reads = reads_of(&[
        (1, 0, 0),
        (2, 0, MINUTE),
        (1, 0, 2 * MINUTE),
        (3, 1, MINUTE),
    ]);
    store.append_durable(&reads).unwrap();
    store.flush().unwrap();
    let plate_2 = PlateText::parse("PL2").unwrap();
    store.purge_reads(&|read| read.plate == plate_2).unwrap();
    let found = hits(&store, &[window(0, DAY0, DAY0 + HOUR)]);
    let plates: Vec<u64> = found[0].iter().map(|hit| hit.plate_hash).collect();
    let pl1 = hash_of_plate(&PlateText::parse("PL1").unwrap());
    assert_eq!(plates, [pl1, pl1]);
    assert!(history_of_hash(&store, hash_of_plate(&plate_2), (None, None)).is_empty());
}
