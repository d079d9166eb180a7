//! Background work and rewrites: the maintenance thread, compaction, retention purge,
//! cleanup of uncommitted files, and the cameras file.

use crate::catalog::Catalog;
use crate::segment::{self, Segment, day_of};
use crate::store::{Shared, add_to_directory, filter_ts, open_segments};
use crate::{CompactReport, Error, PurgeReport};
use arrow::array::RecordBatch;
use corridor_domain::{Camera, PlateRead, Timestamp};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// Starts the thread that flushes full memtables and, when configured, compacts and
/// applies retention every `maintenance_interval`. It stops when the store is dropped.
pub(crate) fn spawn(shared: &Arc<Shared>) -> std::thread::JoinHandle<()> {
    let weak = Arc::downgrade(shared);
    std::thread::Builder::new()
        .name("corridor-store-maintenance".to_owned())
        .spawn(move || {
            lower_priority();
            run(&weak)
        })
        .expect("spawning the maintenance thread")
}

/// Flushes and compactions are CPU-heavy and never urgent: this thread yields the CPU to
/// the threads that acknowledge reads and raise alerts (Linux: nice 10 for this thread).
/// The workspace's one `unsafe`: two plain system calls, no memory involved.
#[allow(unsafe_code)]
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid and setpriority only read their arguments; on Linux, PRIO_PROCESS
        // with a thread id sets that thread's nice value.
        let result = unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, 10)
        };
        if result != 0 {
            tracing::debug!(error = %std::io::Error::last_os_error(), "Could not lower the maintenance thread's priority.");
        }
    }
}

fn run(weak: &Weak<Shared>) {
    let mut last_maintenance = Instant::now();
    loop {
        let Some(shared) = weak.upgrade() else { return };
        let interval = shared.config.maintenance_interval;
        let flush_wanted = {
            let mut wake = shared.wake_state.lock();
            if !wake.shutdown && !wake.flush_wanted {
                let timeout = interval.map_or(Duration::from_secs(3600), |interval| {
                    interval.saturating_sub(last_maintenance.elapsed())
                });
                shared.wake.wait_for(&mut wake, timeout);
            }
            if wake.shutdown {
                return;
            }
            std::mem::take(&mut wake.flush_wanted)
        };
        if flush_wanted {
            let mut catalog = shared.catalog.lock();
            if let Err(err) = shared.flush_locked(&mut catalog) {
                tracing::error!(error = %err, "Background flush failed.");
            }
        }
        if let Some(interval) = interval
            && last_maintenance.elapsed() >= interval
        {
            last_maintenance = Instant::now();
            maintain(&shared);
        }
    }
}

fn maintain(shared: &Shared) {
    if let Some(retention) = shared.config.retention {
        let now_us = chrono::Utc::now().timestamp_micros();
        let cutoff = now_us - i64::try_from(retention.as_micros()).unwrap_or(i64::MAX);
        if let Err(err) = purge_older_than(shared, cutoff) {
            tracing::error!(error = %err, "Retention purge failed.");
        }
    }
    if let Err(err) = compact(shared) {
        tracing::error!(error = %err, "Compaction failed.");
    }
}

/// Merges, per day, segments smaller than `compaction_segment_rows_min`, up to
/// `segment_rows_max` rows per output segment. Days before today (UTC) are closed: all
/// their segments are candidates, so that a closed day ends in as few segments as its
/// size allows (a history lookup opens each segment that holds the plate).
pub(crate) fn compact(shared: &Shared) -> Result<CompactReport, Error> {
    let mut catalog = shared.catalog.lock();
    let segments = shared.state.read().segments.clone();
    let today = day_of(chrono::Utc::now().timestamp_micros());
    let mut by_day: BTreeMap<i64, Vec<Arc<Segment>>> = BTreeMap::new();
    for segment in segments.iter() {
        let day = day_of(segment.ts_min);
        if day < today || (segment.n_rows as usize) < shared.config.compaction_segment_rows_min {
            by_day
                .entry(day_of(segment.ts_min))
                .or_default()
                .push(segment.clone());
        }
    }
    let mut report = CompactReport::default();
    for (day, mut candidates) in by_day {
        candidates.sort_by_key(|segment| segment.n_rows);
        for group in group_by_size(candidates, shared.config.segment_rows_max) {
            if group.len() < 2 {
                continue;
            }
            // Each segment is sorted already: the day's sort merges them.
            let batches = read_segment_batches(&group, None)?;
            let written = shared.write_day_segments(&batches)?;
            assert!(
                written.len() == 1,
                "segments of day {day} hold reads of that day only"
            );
            let removed: HashSet<u64> = group.iter().map(|segment| segment.id).collect();
            replace_segments(shared, &mut catalog, &removed, written, None, false)?;
            report.n_segments_in += group.len();
            report.n_segments_out += 1;
            report.n_reads += batches.iter().map(RecordBatch::num_rows).sum::<usize>() as u64;
            for segment in &group {
                segment::remove_files(&shared.root, segment.id, &segment.rel_path);
            }
        }
    }
    Ok(report)
}

fn group_by_size(segments: Vec<Arc<Segment>>, rows_max: usize) -> Vec<Vec<Arc<Segment>>> {
    let mut groups: Vec<Vec<Arc<Segment>>> = Vec::new();
    let mut rows = 0usize;
    for segment in segments {
        let n_rows = segment.n_rows as usize;
        match groups.last_mut() {
            Some(group) if rows + n_rows <= rows_max => {
                group.push(segment);
                rows += n_rows;
            }
            _ => {
                groups.push(vec![segment]);
                rows = n_rows;
            }
        }
    }
    groups
}

/// Reads whole segments into one batch, keeping rows with `ts >= from`.
fn read_segments(segments: &[Arc<Segment>], from: Option<Timestamp>) -> Result<RecordBatch, Error> {
    Ok(arrow::compute::concat_batches(
        &crate::schema::reads_schema(),
        &read_segment_batches(segments, from)?,
    )?)
}

/// The reads of `segments` (from `from` on), as the segments' batches.
fn read_segment_batches(
    segments: &[Arc<Segment>],
    from: Option<Timestamp>,
) -> Result<Vec<RecordBatch>, Error> {
    let mut batches = Vec::new();
    for segment in segments {
        for batch in segment.read_all()? {
            batches.push(filter_ts(&batch?, from, None)?);
        }
    }
    Ok(batches)
}

/// Commits a catalog without `removed` and with `added`, then installs it in memory.
/// With `rebuild_indexes_after`, the id index and directory are rebuilt from the segments.
fn replace_segments(
    shared: &Shared,
    catalog: &mut Catalog,
    removed: &HashSet<u64>,
    added: Vec<(u64, String)>,
    expired_before: Option<Timestamp>,
    rebuild_indexes_after: bool,
) -> Result<(), Error> {
    let mut next = catalog.clone();
    next.segments.retain(|(id, _)| !removed.contains(id));
    next.segments.extend(added.iter().cloned());
    next.next_segment_id = shared
        .next_segment_id
        .load(std::sync::atomic::Ordering::Relaxed);
    if expired_before.is_some() {
        next.expired_before = expired_before;
    }
    next.store(&shared.root)?;
    *catalog = next;
    let opened = open_segments(&shared.root, &added)?;
    let mut state = shared.state.write();
    let mut segments: Vec<Arc<Segment>> = state
        .segments
        .iter()
        .filter(|segment| !removed.contains(&segment.id))
        .cloned()
        .collect();
    // Compaction moves reads between files: counts and ids stay the same. A purge
    // removes reads, so it rebuilds both.
    segments.extend(opened.into_iter().map(|(segment, _)| Arc::new(segment)));
    state.segments = Arc::new(segments);
    if rebuild_indexes_after {
        let (ids, directory) = rebuild_indexes(&shared.root, &state.segments)?;
        state.ids = ids;
        state.directory = directory;
    }
    Ok(())
}

fn rebuild_indexes(
    root: &Path,
    segments: &[Arc<Segment>],
) -> Result<(crate::ids::IdIndex, crate::store::Directory), Error> {
    let mut hashes = Vec::new();
    let mut directory = crate::store::Directory::default();
    for segment in segments {
        let (_, contents) = Segment::open(root, segment.id, &segment.rel_path)?;
        hashes.extend_from_slice(&contents.id_hashes);
        add_to_directory(&mut directory, &contents.plates);
    }
    Ok((crate::ids::IdIndex::from_unsorted(hashes), directory))
}

/// Removes every read with `ts < cutoff`: flushes the WAL into segments, deletes segments
/// wholly older than the cutoff and rewrites those that straddle it.
pub(crate) fn purge_older_than(shared: &Shared, cutoff: Timestamp) -> Result<PurgeReport, Error> {
    let mut catalog = shared.catalog.lock();
    {
        let mut state = shared.state.write();
        state.expired_before = Some(
            state
                .expired_before
                .map_or(cutoff, |known| known.max(cutoff)),
        );
    }
    shared.flush_locked(&mut catalog)?;
    let segments = shared.state.read().segments.clone();
    let mut report = PurgeReport::default();
    let mut removed = HashSet::new();
    let mut added = Vec::new();
    for segment in segments.iter().filter(|segment| segment.ts_min < cutoff) {
        removed.insert(segment.id);
        if segment.ts_max < cutoff {
            report.n_segments_deleted += 1;
            report.n_reads_removed += segment.n_rows;
            continue;
        }
        let kept = read_segments(std::slice::from_ref(segment), Some(cutoff))?;
        report.n_reads_removed += segment.n_rows - kept.num_rows() as u64;
        if kept.num_rows() == 0 {
            report.n_segments_deleted += 1;
            continue;
        }
        added.push(write_replacement(shared, segment, &kept)?);
        report.n_segments_rewritten += 1;
    }
    let expired_before = shared.state.read().expired_before;
    commit_purge(
        shared,
        &mut catalog,
        &segments,
        &removed,
        added,
        expired_before,
    )?;
    Ok(report)
}

/// Writes `kept`, the remaining reads of `segment`, as a new segment of the same day.
fn write_replacement(
    shared: &Shared,
    segment: &Segment,
    kept: &RecordBatch,
) -> Result<(u64, String), Error> {
    let id = shared.allocate_segment_id();
    let rel_path = segment::write_segment(
        &shared.root,
        id,
        day_of(segment.ts_max),
        segment::SortedRows::Batch(kept),
        &shared.properties,
    )?;
    Ok((id, rel_path))
}

/// Commits a purge: the catalog without `removed` and with `added`, rebuilt indexes, then
/// the removed segments' files and any emptied day directories deleted.
fn commit_purge(
    shared: &Shared,
    catalog: &mut Catalog,
    segments: &[Arc<Segment>],
    removed: &HashSet<u64>,
    added: Vec<(u64, String)>,
    expired_before: Option<Timestamp>,
) -> Result<(), Error> {
    replace_segments(shared, catalog, removed, added, expired_before, true)?;
    for segment in segments
        .iter()
        .filter(|segment| removed.contains(&segment.id))
    {
        segment::remove_files(&shared.root, segment.id, &segment.rel_path);
    }
    remove_empty_day_dirs(&shared.root.join("segments"));
    Ok(())
}

/// Removes every read for which `doomed` is true from the WAL, segments and indexes
/// (retention by country or agreement, erasure on request). The WAL is flushed first, so
/// no log file keeps a copy; segments holding a doomed read are rewritten without it.
/// Unlike [`purge_older_than`] nothing stops a purged read id from being stored again.
pub(crate) fn purge_reads(
    shared: &Shared,
    doomed: &dyn Fn(&PlateRead) -> bool,
) -> Result<PurgeReport, Error> {
    let mut catalog = shared.catalog.lock();
    shared.flush_locked(&mut catalog)?;
    let segments = shared.state.read().segments.clone();
    let mut report = PurgeReport::default();
    let mut removed = HashSet::new();
    let mut added = Vec::new();
    for segment in segments.iter() {
        let all = read_segments(std::slice::from_ref(segment), None)?;
        let reads = crate::schema::batch_to_reads(&all)?;
        let keep: Vec<bool> = reads.iter().map(|read| !doomed(read)).collect();
        let n_kept = keep.iter().filter(|&&keep| keep).count();
        if n_kept == reads.len() {
            continue;
        }
        removed.insert(segment.id);
        report.n_reads_removed += (reads.len() - n_kept) as u64;
        if n_kept == 0 {
            report.n_segments_deleted += 1;
            continue;
        }
        let kept =
            arrow::compute::filter_record_batch(&all, &arrow::array::BooleanArray::from(keep))?;
        added.push(write_replacement(shared, segment, &kept)?);
        report.n_segments_rewritten += 1;
    }
    if removed.is_empty() {
        return Ok(report);
    }
    commit_purge(shared, &mut catalog, &segments, &removed, added, None)?;
    Ok(report)
}

fn remove_empty_day_dirs(segments_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(segments_dir) else {
        return;
    };
    for entry in entries.flatten() {
        // Fails (and is meant to) when the directory still holds files.
        let _ = std::fs::remove_dir(entry.path());
    }
}

/// Deletes segment and index files the catalog does not list (left by a crash during a
/// flush, compaction, purge or uncommitted import) and temporary files.
pub(crate) fn delete_orphans(root: &Path, catalog: &Catalog) -> Result<(), Error> {
    let listed: HashSet<u64> = catalog.segments.iter().map(|(id, _)| *id).collect();
    let listed_paths: HashSet<&str> = catalog
        .segments
        .iter()
        .map(|(_, rel_path)| rel_path.as_str())
        .collect();
    let index_dir = root.join("index");
    for entry in std::fs::read_dir(&index_dir)
        .map_err(|err| Error::io("listing", &index_dir, err))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let id = name
            .strip_prefix("seg-")
            .and_then(|rest| {
                rest.strip_suffix(".idx")
                    .or_else(|| rest.strip_suffix(".cti"))
            })
            .and_then(|id| id.parse::<u64>().ok());
        if id.is_none_or(|id| !listed.contains(&id)) {
            remove_orphan(&entry.path());
        }
    }
    let segments_dir = root.join("segments");
    for day_dir in std::fs::read_dir(&segments_dir)
        .map_err(|err| Error::io("listing", &segments_dir, err))?
        .flatten()
    {
        let Ok(files) = std::fs::read_dir(day_dir.path()) else {
            continue;
        };
        for file in files.flatten() {
            let rel_path = format!(
                "segments/{}/{}",
                day_dir.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            );
            if !listed_paths.contains(rel_path.as_str()) {
                remove_orphan(&file.path());
            }
        }
    }
    remove_empty_day_dirs(&segments_dir);
    for name in ["CATALOG.tmp", "cameras.tmp"] {
        let path = root.join(name);
        if path.exists() {
            remove_orphan(&path);
        }
    }
    Ok(())
}

fn remove_orphan(path: &Path) {
    tracing::info!(path = %path.display(), "Deleting a file no commit refers to.");
    if let Err(err) = std::fs::remove_file(path) {
        tracing::warn!(path = %path.display(), error = %err, "Could not delete an uncommitted file.");
    }
}

/// Writes `DATA/cameras.parquet` atomically.
pub(crate) fn write_cameras(root: &Path, cameras: &[Camera]) -> Result<(), Error> {
    let path = root.join("cameras.parquet");
    let batch = crate::schema::cameras_to_batch(cameras);
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, crate::schema::cameras_schema(), None)
        .map_err(|err| Error::parquet(&path, err))?;
    writer
        .write(&batch)
        .map_err(|err| Error::parquet(&path, err))?;
    writer.close().map_err(|err| Error::parquet(&path, err))?;
    crate::fsutil::write_atomic(&path, &bytes)
}

/// Reads `DATA/cameras.parquet`; no file means no cameras.
pub(crate) fn read_cameras(root: &Path) -> Result<Vec<Camera>, Error> {
    let path = root.join("cameras.parquet");
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(Error::io("reading cameras", &path, err)),
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))
        .and_then(|builder| builder.build())
        .map_err(|err| Error::parquet(&path, err))?;
    let mut cameras = Vec::new();
    for batch in reader {
        cameras.extend(crate::schema::batch_to_cameras(&batch?)?);
    }
    cameras.sort_by(|a, b| a.camera_id.cmp(&b.camera_id));
    Ok(cameras)
}
