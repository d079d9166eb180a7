//! WAL durability, recovery, idempotency, history across WAL, segments and compaction.

use crate::{DAY0, HOUR, config, ids, open, read};
use arrow::record_batch::RecordBatch;
use corridor_domain::{Country, PlateRead, PlateText};
use corridor_store::{AppendReport, Error, HistoryQuery, Store, StoreConfig};
use std::io::Write;

fn history(store: &Store, plate: &str) -> Vec<corridor_domain::PlateRead> {
    store
        .history(&HistoryQuery::plate(PlateText::parse(plate).unwrap()))
        .expect("history")
}

#[test]
fn reads_survive_reopen_from_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(dir.path());
        let report = store
            .append_durable(&[
                read("r1", "AB12CDE", Some("GB"), DAY0),
                read("r2", "AB12CDE", Some("GB"), DAY0 + HOUR),
            ])
            .unwrap();
        assert_eq!(report.n_appended, 2);
        assert!(store.stats().wal_bytes > 0);
    }
    let store = open(dir.path());
    assert_eq!(ids(&history(&store, "AB12CDE")), ["r1", "r2"]);
    assert_eq!(store.stats().n_reads, 2);
}

#[test]
fn a_torn_wal_tail_is_cut_and_earlier_records_survive() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(dir.path());
        store
            .append_durable(&[read("r1", "AB12CDE", None, DAY0)])
            .unwrap();
        store
            .append_durable(&[read("r2", "AB12CDE", None, DAY0 + 1)])
            .unwrap();
    }
    let wal_file = std::fs::read_dir(dir.path().join("wal"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| std::fs::metadata(path).unwrap().len() > 0)
        .expect("a WAL file with records");
    let len = std::fs::metadata(&wal_file).unwrap().len();
    // Tear the second record: cut its last 5 bytes, then add garbage as a torn write would.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&wal_file)
        .unwrap();
    file.set_len(len - 5).unwrap();
    drop(file);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&wal_file)
        .unwrap()
        .write_all(&[0xAB; 3])
        .unwrap();
    {
        let store = open(dir.path());
        assert_eq!(ids(&history(&store, "AB12CDE")), ["r1"]);
        store
            .append_durable(&[read("r3", "AB12CDE", None, DAY0 + 2)])
            .unwrap();
    }
    let store = open(dir.path());
    assert_eq!(ids(&history(&store, "AB12CDE")), ["r1", "r3"]);
}

#[test]
fn the_same_read_twice_is_a_duplicate_and_other_content_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let first = read("r1", "AB12CDE", Some("GB"), DAY0);
    store.append_durable(std::slice::from_ref(&first)).unwrap();
    let again = store
        .append_durable(&[first.clone(), read("r2", "XY99ZZZ", None, DAY0)])
        .unwrap();
    assert_eq!(
        again,
        AppendReport {
            n_appended: 1,
            n_duplicates: 1,
            n_expired: 0
        }
    );

    let mut changed = first.clone();
    changed.camera_id = "elsewhere".to_owned();
    let err = store
        .append_durable(&[read("r3", "NEW1", None, DAY0), changed.clone()])
        .unwrap_err();
    assert!(
        matches!(&err, Error::ConflictingReadId { read_id } if read_id == "r1"),
        "{err}"
    );
    assert!(
        history(&store, "NEW1").is_empty(),
        "nothing of a rejected batch is stored"
    );

    // The same holds once the read is in a segment, and after reopening.
    store.flush().unwrap();
    assert!(matches!(
        store.append_durable(std::slice::from_ref(&changed)),
        Err(Error::ConflictingReadId { .. })
    ));
    assert_eq!(
        store
            .append_durable(std::slice::from_ref(&first))
            .unwrap()
            .n_duplicates,
        1
    );
    drop(store);
    let store = open(dir.path());
    assert_eq!(
        store
            .append_durable(std::slice::from_ref(&first))
            .unwrap()
            .n_duplicates,
        1
    );
    assert!(matches!(
        store.append_durable(&[changed]),
        Err(Error::ConflictingReadId { .. })
    ));
    assert_eq!(store.stats().n_reads, 2);
}

#[test]
fn a_batch_repeating_an_id_with_other_content_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let err = store
        .append_durable(&[read("r1", "AB1", None, DAY0), read("r1", "AB2", None, DAY0)])
        .unwrap_err();
    assert!(matches!(err, Error::ConflictingReadId { .. }));
    assert_eq!(store.stats().n_reads, 0);
}

#[test]
fn history_spans_wal_segments_and_compaction_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let plate = "KD21ABC";
    for batch in 0..4 {
        let ts = DAY0 + (3 - batch) * HOUR;
        store
            .append_durable(&[
                read(&format!("seg{batch}"), plate, Some("GB"), ts),
                read(&format!("other{batch}"), "ZZ1", None, ts),
            ])
            .unwrap();
        store.flush().unwrap();
    }
    store
        .append_durable(&[read("wal", plate, Some("GB"), DAY0 + 10 * HOUR)])
        .unwrap();
    store
        .append_durable(&[read("fr", plate, Some("FR"), DAY0 + 11 * HOUR)])
        .unwrap();
    let expected = ["seg3", "seg2", "seg1", "seg0", "wal", "fr"];
    assert_eq!(ids(&history(&store, plate)), expected);
    assert_eq!(store.stats().n_segments, 4);

    let report = store.compact().unwrap();
    assert_eq!((report.n_segments_in, report.n_segments_out), (4, 1));
    assert_eq!(store.stats().n_segments, 1);
    assert_eq!(ids(&history(&store, plate)), expected);

    let query = HistoryQuery {
        plate: PlateText::parse(plate).unwrap(),
        country: Some(Country::parse("GB").unwrap()),
        from: Some(DAY0 + HOUR),
        to: Some(DAY0 + 10 * HOUR),
        limit: Some(3),
    };
    assert_eq!(
        ids(&store.history(&query).unwrap()),
        ["seg1", "seg0", "wal"]
    );
    drop(store);
    let store = open(dir.path());
    assert_eq!(ids(&history(&store, plate)), expected);
    let paths = store.segment_paths();
    assert_eq!(paths.len(), 1);
    assert!(
        paths[0]
            .to_string_lossy()
            .contains("/segments/date=2026-11-30/"),
        "{paths:?}"
    );
}

#[test]
fn scan_returns_every_visible_read_in_the_canonical_schema() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store
        .append_durable(&[
            read("a", "AA1", None, DAY0),
            read("b", "BB2", None, DAY0 + 2 * 24 * HOUR),
        ])
        .unwrap();
    store.flush().unwrap();
    store
        .append_durable(&[read("c", "CC3", None, DAY0 + HOUR)])
        .unwrap();
    let batches: Vec<_> = store
        .scan(None, None)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        batches
            .iter()
            .all(|batch| batch.schema() == corridor_store::schema::reads_schema())
    );
    let mut all: Vec<String> = batches
        .iter()
        .flat_map(|batch| corridor_store::schema::batch_to_reads(batch).unwrap())
        .map(|read| read.read_id)
        .collect();
    all.sort();
    assert_eq!(all, ["a", "b", "c"]);
    let first_day: usize = store
        .scan(Some(DAY0), Some(DAY0 + 23 * HOUR))
        .unwrap()
        .map(|batch| batch.unwrap().num_rows())
        .sum();
    assert_eq!(first_day, 2);
}

#[test]
fn a_scan_collected_on_several_threads_is_the_scan_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    // Five days in five segments, then reads still in the memtable.
    for day in 0..5 {
        let reads: Vec<PlateRead> = (0..20)
            .map(|n| {
                let id = format!("d{day}-{n}");
                read(
                    &id,
                    &format!("AB{n}{day}"),
                    None,
                    DAY0 + day * 24 * HOUR + n * 60,
                )
            })
            .collect();
        store.append_durable(&reads).unwrap();
        store.flush().unwrap();
    }
    store
        .append_durable(&[read("tail", "CC3", None, DAY0 + HOUR)])
        .unwrap();
    let ids = |batches: &[RecordBatch]| -> Vec<String> {
        batches
            .iter()
            .flat_map(|batch| corridor_store::schema::batch_to_reads(batch).unwrap())
            .map(|read| read.read_id)
            .collect()
    };
    for (from, to) in [
        (None, None),
        (Some(DAY0 + 24 * HOUR), Some(DAY0 + 3 * 24 * HOUR)),
    ] {
        let one: Vec<RecordBatch> = store
            .scan(from, to)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for threads in [1, 2, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let collected = pool.install(|| store.scan_collect(from, to)).unwrap();
            assert_eq!(
                ids(&collected),
                ids(&one),
                "{threads} threads, {from:?}..{to:?}"
            );
        }
    }
    assert_eq!(ids(&store.scan_collect(None, None).unwrap()).len(), 101);
}

#[test]
fn cameras_are_durable_and_upserted_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let camera = |id: &str, name: &str| corridor_domain::Camera {
        camera_id: id.to_owned(),
        name: name.to_owned(),
        lat: 50.95,
        lon: 1.85,
        heading_deg: None,
        country: Some(Country::parse("FR").unwrap()),
        operator: "police".to_owned(),
        kind: corridor_domain::CameraKind::Fixed,
        infrared: true,
    };
    {
        let store = open(dir.path());
        store
            .upsert_cameras(&[camera("c2", "Calais"), camera("c1", "Dunkirk")])
            .unwrap();
        store
            .upsert_cameras(&[camera("c2", "Calais port")])
            .unwrap();
    }
    let store = open(dir.path());
    let names: Vec<String> = store
        .cameras()
        .into_iter()
        .map(|camera| camera.name)
        .collect();
    assert_eq!(names, ["Dunkirk", "Calais port"]);
    assert_eq!(store.camera("c1"), Some(camera("c1", "Dunkirk")));
    assert_eq!(store.camera("c3"), None);
}

#[test]
fn a_second_open_of_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _store = open(dir.path());
    let err = Store::open(dir.path(), config()).unwrap_err();
    assert!(matches!(err, Error::Locked { .. }), "{err}");
}

#[test]
fn concurrent_writers_share_fsyncs_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        Store::open(
            dir.path(),
            StoreConfig {
                memtable_rows_max: 500,
                ..config()
            },
        )
        .unwrap(),
    );
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let store = store.clone();
            std::thread::spawn(move || {
                for batch in 0..50 {
                    let reads: Vec<_> = (0..10)
                        .map(|n| {
                            read(
                                &format!("t{thread}-{batch}-{n}"),
                                &format!("P{thread}X{n}"),
                                None,
                                DAY0 + batch,
                            )
                        })
                        .collect();
                    assert_eq!(store.append_durable(&reads).unwrap().n_appended, 10);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(store.stats().n_reads, 2000);
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.stats().n_reads, 2000);
    assert_eq!(history(&store, "P3X9").len(), 50);
}
