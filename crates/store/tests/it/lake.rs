//! Publishing segments of two nodes to one lake on a local object store.

use crate::{DAY0, HOUR, open, read};
use corridor_store::Store;
use corridor_store::lake::{Lake, NodeId, PublishReport};
use std::path::Path;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime starts")
}

fn lake_at(dir: &Path) -> Lake {
    Lake::open(&format!("file://{}", dir.display())).expect("the lake opens")
}

/// A store holding `n` reads of `node` over two days, flushed into segments.
fn node_store(dir: &Path, node: &str, n: usize) -> Store {
    let store = open(dir);
    let reads: Vec<_> = (0..n)
        .map(|idx| {
            let ts = DAY0 + (idx as i64 % 2) * 24 * HOUR + idx as i64 * 1_000_000;
            read(
                &format!("{node}-{idx}"),
                &format!("AB{idx:02}CDE"),
                Some("GB"),
                ts,
            )
        })
        .collect();
    store.append_durable(&reads).expect("reads are stored");
    store.flush().expect("the store flushes");
    store
}

/// Publishes `store_a` as `node-a`, then `store_b` as `node-b`.
fn publish_both(
    runtime: &tokio::runtime::Runtime,
    lake: &Lake,
    store_a: &Store,
    store_b: &Store,
) -> (NodeId, PublishReport, PublishReport) {
    let node_a = NodeId::parse("node-a").expect("a valid id");
    let node_b = NodeId::parse("node-b").expect("a valid id");
    let report_a = runtime
        .block_on(lake.publish(&node_a, &store_a.segment_paths()))
        .expect("node a publishes");
    let report_b = runtime
        .block_on(lake.publish(&node_b, &store_b.segment_paths()))
        .expect("node b publishes");
    (node_a, report_a, report_b)
}

#[test]
fn issue_9_two_nodes_publish_into_one_date_partitioned_lake_without_clashing() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let lake = lake_at(&tmp.path().join("lake"));
    let store_a = node_store(&tmp.path().join("a"), "a", 40);
    let store_b = node_store(&tmp.path().join("b"), "b", 30);
    // Both stores number their segments from the same start: the names would clash
    // without the node id.
    let runtime = runtime();
    let (node_a, report_a, report_b) = publish_both(&runtime, &lake, &store_a, &store_b);
    assert_eq!(report_a.n_uploaded, store_a.segment_paths().len());
    assert_eq!(report_b.n_uploaded, store_b.segment_paths().len());

    let files = runtime.block_on(lake.files()).expect("the lake lists");
    let dates: std::collections::BTreeSet<&str> =
        files.iter().map(|file| file.date.as_str()).collect();
    assert_eq!(
        dates.into_iter().collect::<Vec<_>>(),
        ["2026-11-30", "2026-12-01"]
    );
    for file in &files {
        let name = file.location.rsplit('/').next().expect("a file name");
        assert!(
            name.starts_with("node-a_seg-") || name.starts_with("node-b_seg-"),
            "{file:?}"
        );
        assert!(
            file.location
                .contains(&format!("/reads/date={}/", file.date)),
            "{file:?}"
        );
    }
    assert_eq!(files.len(), report_a.n_uploaded + report_b.n_uploaded);
    assert_eq!(count_reads(&tmp.path().join("lake").join("reads")), 70);

    // Publishing again uploads nothing.
    let again = runtime
        .block_on(lake.publish(&node_a, &store_a.segment_paths()))
        .expect("node a publishes again");
    assert_eq!((again.n_uploaded, again.n_deleted), (0, 0));
    assert_eq!(again.n_unchanged, store_a.segment_paths().len());
}

#[test]
fn issue_9_publish_deletes_only_the_nodes_own_stale_segments() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let lake = lake_at(&tmp.path().join("lake"));
    let store_a = node_store(&tmp.path().join("a"), "a", 20);
    let store_b = node_store(&tmp.path().join("b"), "b", 10);
    let runtime = runtime();
    let (node_a, _, _) = publish_both(&runtime, &lake, &store_a, &store_b);
    // More reads on node a, then compaction merges each day into one new segment.
    let more: Vec<_> = (0..6)
        .map(|idx| read(&format!("a-more-{idx}"), "XY12ZZZ", None, DAY0 + idx * HOUR))
        .collect();
    store_a.append_durable(&more).expect("reads are stored");
    store_a.flush().expect("the store flushes");
    store_a.compact().expect("the store compacts");
    let report = runtime
        .block_on(lake.publish(&node_a, &store_a.segment_paths()))
        .expect("node a publishes again");
    assert!(report.n_deleted > 0, "{report:?}");
    assert_eq!(count_reads(&tmp.path().join("lake").join("reads")), 36);
    let files = runtime.block_on(lake.files()).expect("the lake lists");
    let n_b = files
        .iter()
        .filter(|file| file.location.contains("/node-b_"))
        .count();
    assert_eq!(n_b, store_b.segment_paths().len());
}

#[test]
fn issue_9_node_ids_cannot_be_prefixes_of_each_others_file_names() {
    for bad in ["", "node_a", "Node", "a/b", &"x".repeat(65)] {
        assert!(NodeId::parse(bad).is_err(), "{bad:?}");
    }
    assert!(NodeId::parse("de-bw-07").is_ok());
}

/// Reads in every Parquet file under `dir`.
fn count_reads(dir: &Path) -> usize {
    let mut n_reads = 0;
    for entry in std::fs::read_dir(dir).expect("the reads dir lists") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            n_reads += count_reads(&path);
            continue;
        }
        let file = std::fs::File::open(&path).expect("the file opens");
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("a Parquet file");
        n_reads += reader.metadata().file_metadata().num_rows() as usize;
    }
    n_reads
}
