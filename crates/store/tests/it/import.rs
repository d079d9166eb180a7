//! Bulk import: atomic commit, nothing visible without it, idempotency.

use crate::{DAY0, HOUR, config, ids, open, read};
use corridor_domain::PlateText;
use corridor_store::{Error, HistoryQuery, Store, StoreConfig};

fn history_ids(store: &Store, plate: &str) -> Vec<String> {
    let reads = store
        .history(&HistoryQuery::plate(PlateText::parse(plate).unwrap()))
        .unwrap();
    ids(&reads).into_iter().map(str::to_owned).collect()
}

fn files_under(dir: &std::path::Path, suffix: &str) -> usize {
    walk(dir)
        .into_iter()
        .filter(|path| path.to_string_lossy().ends_with(suffix))
        .count()
}

pub(crate) fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_committed_import_is_visible_sorted_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let small_buffer = StoreConfig {
        import_buffer_rows_max: 7,
        ..config()
    };
    {
        let store = Store::open(dir.path(), small_buffer.clone()).unwrap();
        let mut import = store.bulk_import();
        for day in 0..2 {
            let reads: Vec<_> = (0..10)
                .map(|n| {
                    read(
                        &format!("d{day}-{n}"),
                        if n % 2 == 0 { "AB12CDE" } else { "ZZ99ZZZ" },
                        Some("GB"),
                        DAY0 + day * 24 * HOUR + (10 - n) * HOUR / 10,
                    )
                })
                .collect();
            import.add_reads(&reads).unwrap();
        }
        assert!(
            history_ids(&store, "AB12CDE").is_empty(),
            "nothing visible before commit"
        );
        let report = import.commit().unwrap();
        assert_eq!(report.n_imported, 20);
        assert!(
            report.n_segments >= 2,
            "one segment per day at least: {report:?}"
        );
        assert_eq!(history_ids(&store, "AB12CDE").len(), 10);
    }
    let store = Store::open(dir.path(), small_buffer).unwrap();
    let history = history_ids(&store, "AB12CDE");
    assert_eq!(history.len(), 10);
    assert_eq!(
        history.first().map(String::as_str),
        Some("d0-8"),
        "oldest first: {history:?}"
    );
    assert!(dir.path().join("segments/date=2026-12-01").is_dir());
}

#[test]
fn reads_in_time_order_make_one_segment_per_day_without_compaction() {
    let dir = tempfile::tempdir().unwrap();
    // The buffer holds less than the import, more than a day and a batch.
    let store = Store::open(
        dir.path(),
        StoreConfig {
            import_buffer_rows_max: 150,
            ..config()
        },
    )
    .unwrap();
    let mut import = store.bulk_import();
    // Four days in time order, in batches that straddle midnight.
    let reads: Vec<_> = (0..400)
        .map(|n| {
            let plate = ["AB12CDE", "ZZ99ZZZ", "XY51ABC"][n % 3];
            read(
                &format!("r{n}"),
                plate,
                Some("GB"),
                DAY0 + n as i64 * 24 * HOUR / 100,
            )
        })
        .collect();
    for batch in reads.chunks(37) {
        import.add_reads(batch).unwrap();
    }
    let report = import.commit().unwrap();
    assert_eq!(report.n_imported, 400);
    assert_eq!(report.n_segments, 4, "one segment per day: {report:?}");
    assert_eq!(files_under(dir.path(), ".parquet"), 4);
    let compacted = store.compact().unwrap();
    assert_eq!(
        compacted.n_segments_in, 0,
        "nothing to compact: {compacted:?}"
    );
    assert_eq!(history_ids(&store, "AB12CDE").len(), 134);
}

#[test]
fn reads_out_of_time_order_are_all_imported_and_compacted_by_day() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path(),
        StoreConfig {
            import_buffer_rows_max: 50,
            ..config()
        },
    )
    .unwrap();
    let mut import = store.bulk_import();
    // Days 2, 0, 1, 0, 2, ...: a day often comes back after it was written.
    let reads: Vec<_> = (0..300)
        .map(|n| {
            let day = [2, 0, 1][(n / 20) % 3] as i64;
            read(
                &format!("r{n}"),
                if n % 2 == 0 { "AB12CDE" } else { "ZZ99ZZZ" },
                Some("GB"),
                DAY0 + day * 24 * HOUR + n as i64,
            )
        })
        .collect();
    for batch in reads.chunks(20) {
        import.add_reads(batch).unwrap();
    }
    let report = import.commit().unwrap();
    assert_eq!(report.n_imported, 300);
    assert!(
        report.n_segments > 3,
        "days written more than once: {report:?}"
    );
    let history = history_ids(&store, "AB12CDE");
    assert_eq!(history.len(), 150);
    store.compact().unwrap();
    assert_eq!(
        files_under(dir.path(), ".parquet"),
        3,
        "one segment per day"
    );
    assert_eq!(
        history_ids(&store, "AB12CDE"),
        history,
        "same reads, same order"
    );
}

/// Ids given again later in the same import, when their first copy is still buffered,
/// being written, or written: identical copies are duplicates, changed ones conflicts.
#[test]
fn ids_replayed_within_an_import_are_found_wherever_the_first_copy_is() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path(),
        StoreConfig {
            import_buffer_rows_max: 40,
            ..config()
        },
    )
    .unwrap();
    let plates = ["AB12CDE", "ZZ99ZZZ", "XY51ABC", "GH07KLM"];
    // Six days in time order, unsorted within each batch.
    let reads: Vec<_> = (0..300)
        .map(|n| {
            let ts = DAY0 + (n / 50) * 24 * HOUR + ((n * 37) % 50) * HOUR / 10;
            read(&format!("r{n}"), plates[n as usize % 4], Some("GB"), ts)
        })
        .collect();
    let mut import = store.bulk_import();
    let mut n_conflicts = 0;
    let mut n_replayed = 0;
    for (idx, batch) in reads.chunks(25).enumerate() {
        import.add_reads(batch).unwrap();
        // Replay reads from this batch, the one before and the first one (long written):
        // every other one as it was, the others with another plate.
        let mut replay: Vec<_> = [idx, idx.saturating_sub(1), 0]
            .iter()
            .flat_map(|&from| reads[from * 25..from * 25 + 25].iter().step_by(6))
            .cloned()
            .collect();
        replay.sort_by(|a, b| a.read_id.cmp(&b.read_id));
        replay.dedup_by(|a, b| a.read_id == b.read_id);
        for (n, replayed) in replay.iter_mut().enumerate() {
            if n % 2 == 1 {
                replayed.plate = corridor_domain::PlateText::parse("CH4NGED").unwrap();
            }
        }
        let conflicts = import
            .add_batch_skipping_conflicts(corridor_store::schema::reads_to_batch(&replay))
            .unwrap();
        let expected: Vec<&str> = replay
            .iter()
            .skip(1)
            .step_by(2)
            .map(|read| read.read_id.as_str())
            .collect();
        let found: Vec<&str> = conflicts.iter().map(|c| c.read_id.as_str()).collect();
        assert_eq!(found, expected, "batch {idx}");
        n_conflicts += conflicts.len();
        n_replayed += replay.len();
    }
    let report = import.commit().unwrap();
    assert_eq!(report.n_imported, 300);
    assert_eq!(report.n_duplicates as usize, n_replayed - n_conflicts);
    assert!(report.n_segments >= 6, "{report:?}");
    assert_eq!(history_ids(&store, "AB12CDE").len(), 75);
    assert!(history_ids(&store, "CH4NGED").is_empty());
}

#[test]
fn dropping_an_import_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path(),
        StoreConfig {
            import_buffer_rows_max: 3,
            ..config()
        },
    )
    .unwrap();
    {
        let mut import = store.bulk_import();
        let reads: Vec<_> = (0..10)
            .map(|n| read(&format!("r{n}"), "AB12CDE", None, DAY0 + n))
            .collect();
        import.add_reads(&reads).unwrap();
        assert!(import.wait_written().unwrap() > 0);
        assert!(
            files_under(dir.path(), ".parquet") > 0,
            "spilled segments exist while importing"
        );
    }
    assert_eq!(files_under(dir.path(), ".parquet"), 0);
    assert_eq!(files_under(dir.path(), ".idx"), 0);
    assert!(history_ids(&store, "AB12CDE").is_empty());
    assert_eq!(store.stats().n_reads, 0);
}

#[test]
fn files_of_an_import_cut_short_by_a_crash_are_deleted_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(
            dir.path(),
            StoreConfig {
                import_buffer_rows_max: 3,
                ..config()
            },
        )
        .unwrap();
        let mut import = store.bulk_import();
        import
            .add_reads(
                &(0..10)
                    .map(|n| read(&format!("r{n}"), "AB1", None, DAY0 + n))
                    .collect::<Vec<_>>(),
            )
            .unwrap();
        assert!(import.wait_written().unwrap() > 0);
        // A crash: the import's destructor never runs.
        std::mem::forget(import);
    }
    assert!(files_under(dir.path(), ".parquet") > 0);
    let store = open(dir.path());
    assert_eq!(files_under(dir.path(), ".parquet"), 0);
    assert_eq!(store.stats().n_reads, 0);
}

#[test]
fn imports_are_idempotent_on_read_id() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let reads: Vec<_> = (0..5)
        .map(|n| read(&format!("r{n}"), "AB12CDE", None, DAY0 + n))
        .collect();
    store.append_durable(&reads[..2]).unwrap();
    let mut import = store.bulk_import();
    import.add_reads(&reads).unwrap();
    import.add_reads(&reads[4..]).unwrap();
    let report = import.commit().unwrap();
    assert_eq!((report.n_imported, report.n_duplicates), (3, 3));
    assert_eq!(
        history_ids(&store, "AB12CDE"),
        ["r0", "r1", "r2", "r3", "r4"]
    );

    let mut changed = reads[3].clone();
    changed.confidence = Some(0.1);
    let mut import = store.bulk_import();
    let err = import
        .add_reads(&[read("new", "AB12CDE", None, DAY0), changed.clone()])
        .unwrap_err();
    assert!(
        matches!(&err, Error::ConflictingReadId { read_id } if read_id == "r3"),
        "{err}"
    );
    let conflicts = import
        .add_batch_skipping_conflicts(corridor_store::schema::reads_to_batch(&[
            read("new", "AB12CDE", None, DAY0 + 9),
            changed,
        ]))
        .unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!((conflicts[0].row, conflicts[0].read_id.as_str()), (1, "r3"));
    assert_eq!(import.commit().unwrap().n_imported, 1);
    assert_eq!(history_ids(&store, "AB12CDE").len(), 6);
}

#[test]
fn a_batch_outside_the_canonical_schema_is_rejected_by_column() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let batch = corridor_store::schema::reads_to_batch(&[read("r1", "AB1", None, DAY0)]);
    let renamed = arrow::record_batch::RecordBatch::try_new(
        std::sync::Arc::new(arrow::datatypes::Schema::new(
            batch
                .schema()
                .fields()
                .iter()
                .map(|field| {
                    let name = if field.name() == "plate" {
                        "plate_text"
                    } else {
                        field.name().as_str()
                    };
                    field.as_ref().clone().with_name(name)
                })
                .collect::<Vec<_>>(),
        )),
        batch.columns().to_vec(),
    )
    .unwrap();
    let err = store.bulk_import().add_batch(renamed).unwrap_err();
    assert!(
        matches!(&err, Error::BadBatch { column, .. } if column == "plate_text"),
        "{err}"
    );
}

#[test]
fn batches_decoded_into_the_import_schema_mix_with_plain_ones() {
    // The first batch decides the types rows are kept as; later ones are converted.
    import_decoded_and_plain_batches(true);
    import_decoded_and_plain_batches(false);
}

fn import_decoded_and_plain_batches(decoded_first: bool) {
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
    let dir = tempfile::tempdir().unwrap();
    let reads: Vec<_> = (0..200)
        .map(|n| {
            let plate = ["AB12CDE", "ZZ99ZZZ", "XY51ABC"][n as usize % 3];
            let country = [Some("GB"), None, Some("FR")][n as usize % 3];
            read(
                &format!("r{n}"),
                plate,
                country,
                DAY0 + (n * 37 % 200) * HOUR / 10,
            )
        })
        .collect();
    // The first half as a Parquet file decoded as views and dictionaries.
    let path = dir.path().join("reads.parquet");
    let mut writer = ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        corridor_store::schema::reads_schema(),
        None,
    )
    .unwrap();
    writer
        .write(&corridor_store::schema::reads_to_batch(&reads[..100]))
        .unwrap();
    writer.close().unwrap();
    let options =
        ArrowReaderOptions::new().with_schema(corridor_store::schema::reads_import_schema());
    let decoded = ParquetRecordBatchReaderBuilder::try_new_with_options(
        std::fs::File::open(&path).unwrap(),
        options,
    )
    .unwrap()
    .with_batch_size(30)
    .build()
    .unwrap();
    let store = Store::open(&dir.path().join("data"), config()).unwrap();
    let mut import = store.bulk_import();
    if !decoded_first {
        import.add_reads(&reads[100..]).unwrap();
    }
    for batch in decoded {
        let batch = batch.unwrap();
        assert!(matches!(
            batch.column(2).data_type(),
            arrow::datatypes::DataType::Dictionary(..)
        ));
        import.add_batch(batch).unwrap();
    }
    // The second half as plain batches, with a replay of the first half: same content is
    // a duplicate, other content a conflict, found across the two kinds of batch.
    if decoded_first {
        import.add_reads(&reads[100..]).unwrap();
    }
    let mut replay = reads[..4].to_vec();
    replay[1].colour = Some("red".to_owned());
    let conflicts = import
        .add_batch_skipping_conflicts(corridor_store::schema::reads_to_batch(&replay))
        .unwrap();
    assert_eq!(
        conflicts
            .iter()
            .map(|c| c.read_id.as_str())
            .collect::<Vec<_>>(),
        ["r1"]
    );
    let report = import.commit().unwrap();
    assert_eq!((report.n_imported, report.n_duplicates), (200, 3));
    let mut stored = Vec::new();
    for plate in ["AB12CDE", "ZZ99ZZZ", "XY51ABC"] {
        stored.extend(
            store
                .history(&HistoryQuery::plate(PlateText::parse(plate).unwrap()))
                .unwrap(),
        );
    }
    stored.sort_by(|a, b| a.read_id.cmp(&b.read_id));
    let mut expected = reads.clone();
    expected.sort_by(|a, b| a.read_id.cmp(&b.read_id));
    assert_eq!(stored, expected, "every read stored exactly as given");
}
