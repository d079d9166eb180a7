//! Retention: after a purge, no byte of an expired read's plate remains under the data dir.

use crate::import::walk;
use crate::{DAY0, HOUR, config, read};
use corridor_domain::PlateText;
use corridor_store::{HistoryQuery, Store, StoreConfig};
use parquet::basic::Compression;

fn files_containing(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    walk(dir)
        .into_iter()
        .filter(|path| {
            let bytes = std::fs::read(path).unwrap();
            bytes.windows(needle.len()).any(|window| window == needle)
        })
        .collect()
}

#[test]
fn purge_removes_every_byte_of_expired_plates() {
    let dir = tempfile::tempdir().unwrap();
    // Uncompressed segments, so that a plate in a file shows up as its bytes.
    let store = Store::open(
        dir.path(),
        StoreConfig {
            compression: Compression::UNCOMPRESSED,
            ..config()
        },
    )
    .unwrap();
    let (old, kept, both) = ("QX11OLD", "QX22NEW", "QX33MIX");
    // Day 0: in a segment of its own; day 1: a segment straddling the cutoff; day 2: WAL only.
    store
        .append_durable(&[
            read("o1", old, None, DAY0),
            read("m1", both, None, DAY0 + HOUR),
        ])
        .unwrap();
    store.flush().unwrap();
    let mut import = store.bulk_import();
    import
        .add_reads(&[
            read("o2", old, None, DAY0 + 24 * HOUR),
            read("k1", kept, None, DAY0 + 30 * HOUR),
        ])
        .unwrap();
    import.commit().unwrap();
    store
        .append_durable(&[
            read("o3", old, None, DAY0 + 25 * HOUR),
            read("k2", kept, None, DAY0 + 48 * HOUR),
            read("m2", both, None, DAY0 + 49 * HOUR),
        ])
        .unwrap();
    assert!(
        !files_containing(dir.path(), old.as_bytes()).is_empty(),
        "the check sees plates in files"
    );

    let cutoff = DAY0 + 26 * HOUR;
    let report = store.purge_older_than(cutoff).unwrap();
    assert_eq!(report.n_reads_removed, 4);
    assert_eq!(
        files_containing(dir.path(), old.as_bytes()),
        Vec::<std::path::PathBuf>::new()
    );
    assert!(!files_containing(dir.path(), kept.as_bytes()).is_empty());
    let history = |plate: &str| {
        store
            .history(&HistoryQuery::plate(PlateText::parse(plate).unwrap()))
            .unwrap()
    };
    assert!(history(old).is_empty());
    assert!(!store.contains_plate(&PlateText::parse(old).unwrap()));
    assert_eq!(history(kept).len(), 2);
    assert_eq!(history(both).len(), 1);

    // An expired read arriving later is skipped, not stored.
    let report = store
        .append_durable(&[read("late", old, None, DAY0 + 2 * HOUR)])
        .unwrap();
    assert_eq!((report.n_appended, report.n_expired), (0, 1));
    drop(store);
    let store = Store::open(dir.path(), config()).unwrap();
    assert_eq!(store.stats().n_reads, 3);
    assert_eq!(
        files_containing(dir.path(), old.as_bytes()),
        Vec::<std::path::PathBuf>::new()
    );
}

#[test]
fn purge_reads_removes_the_chosen_reads_from_every_file_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        dir.path(),
        StoreConfig {
            compression: Compression::UNCOMPRESSED,
            ..config()
        },
    )
    .unwrap();
    let (french, british) = ("QF11FRA", "QB22GBR");
    store
        .append_durable(&[
            read("f1", french, Some("FR"), DAY0),
            read("b1", british, Some("GB"), DAY0 + HOUR),
        ])
        .unwrap();
    store.flush().unwrap();
    // One read of each only in the WAL.
    store
        .append_durable(&[
            read("f2", french, Some("FR"), DAY0 + 2 * HOUR),
            read("b2", british, Some("GB"), DAY0 + 3 * HOUR),
        ])
        .unwrap();
    assert!(!files_containing(dir.path(), french.as_bytes()).is_empty());

    let is_french = |read: &corridor_domain::PlateRead| {
        read.country.is_some_and(|country| country.as_str() == "FR")
    };
    let report = store.purge_reads(&is_french).unwrap();
    assert_eq!(report.n_reads_removed, 2);
    assert_eq!(
        files_containing(dir.path(), french.as_bytes()),
        Vec::<std::path::PathBuf>::new()
    );
    let history = |store: &Store, plate: &str| {
        store
            .history(&HistoryQuery::plate(PlateText::parse(plate).unwrap()))
            .unwrap()
    };
    assert!(history(&store, french).is_empty());
    assert_eq!(history(&store, british).len(), 2);
    // Nothing left to remove: a second purge changes nothing.
    assert_eq!(store.purge_reads(&is_french).unwrap().n_reads_removed, 0);
    drop(store);
    let store = Store::open(dir.path(), config()).unwrap();
    assert_eq!(store.stats().n_reads, 2);
    assert!(history(&store, french).is_empty());
}
