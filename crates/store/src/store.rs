//! [`Store`]: opening and recovery, durable appends, history, flush, scans and stats.

use crate::catalog::Catalog;
use crate::ids::{IdIndex, id_hash};
use crate::memtable::Memtable;
use crate::schema::{ReadColumns, reads_to_batch};
use crate::segment::{self, Segment};
use crate::wal::{self, Wal};
use crate::{
    AppendReport, BulkImport, CompactReport, Error, HistoryQuery, PurgeReport, StoreConfig,
    StoreStats,
};
use arrow::array::{BooleanArray, RecordBatch};
use corridor_domain::{Camera, Country, PlateKey, PlateRead, PlateText, Timestamp};
use parking_lot::{Condvar, Mutex, RwLock};
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The embedded store of one data directory. `Send + Sync`; share it with `Arc<Store>`.
/// Reads queued in the WAL by [`Store::append`], not yet known to be durable.
#[must_use = "appended reads are durable (and may be acknowledged) only after Store::wait_durable"]
#[derive(Debug)]
pub struct PendingAppend {
    report: AppendReport,
    /// The WAL record to wait for (0: nothing new to wait for).
    wait_seq: u64,
    n_memtable_rows: usize,
}

#[derive(Debug)]
pub struct Store {
    pub(crate) shared: Arc<Shared>,
    maintenance: Option<std::thread::JoinHandle<()>>,
}

/// Distinct plate keys and their read counts in segments.
pub(crate) type Directory =
    HashMap<PlateText, Vec<(Option<Country>, u64)>, foldhash::fast::RandomState>;

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) root: PathBuf,
    pub(crate) config: StoreConfig,
    pub(crate) properties: WriterProperties,
    _lock_file: File,
    pub(crate) wal: Wal,
    pub(crate) state: RwLock<State>,
    /// Serialises catalog writers (flush, compaction, purge, import commit); holds the
    /// committed catalog.
    pub(crate) catalog: Mutex<Catalog>,
    pub(crate) next_segment_id: AtomicU64,
    cameras: RwLock<Vec<Camera>>,
    /// Wakes the maintenance thread (flush needed, shutdown).
    pub(crate) wake: Condvar,
    pub(crate) wake_state: Mutex<WakeState>,
}

#[derive(Debug, Default)]
pub(crate) struct WakeState {
    pub(crate) flush_wanted: bool,
    pub(crate) shutdown: bool,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) memtable: Memtable,
    /// A memtable being written to segments; all its rows are durable.
    pub(crate) frozen: Option<Arc<Memtable>>,
    pub(crate) segments: Arc<Vec<Arc<Segment>>>,
    pub(crate) ids: IdIndex,
    pub(crate) directory: Directory,
    pub(crate) expired_before: Option<Timestamp>,
}

/// A read's status against what is stored.
enum Stored {
    New,
    Duplicate { wait_seq: u64 },
    Conflict,
}

impl Store {
    /// Opens (or creates) the store in `dir`, replaying the WAL after a crash: a torn
    /// record at the tail is cut off, files of uncommitted segments are deleted.
    pub fn open(dir: &Path, config: StoreConfig) -> Result<Store, Error> {
        let shared = Arc::new(Shared::open(dir, config)?);
        let maintenance = crate::maintenance::spawn(&shared);
        Ok(Store {
            shared,
            maintenance: Some(maintenance),
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.shared.root
    }

    /// Adds or replaces cameras by `camera_id`, durably (`DATA/cameras.parquet`).
    pub fn upsert_cameras(&self, cameras: &[Camera]) -> Result<(), Error> {
        let mut current = self.shared.cameras.write();
        let mut merged = current.clone();
        for camera in cameras {
            match merged
                .iter_mut()
                .find(|known| known.camera_id == camera.camera_id)
            {
                Some(known) => *known = camera.clone(),
                None => merged.push(camera.clone()),
            }
        }
        merged.sort_by(|a, b| a.camera_id.cmp(&b.camera_id));
        crate::maintenance::write_cameras(&self.shared.root, &merged)?;
        *current = merged;
        Ok(())
    }

    /// Every camera, sorted by id.
    pub fn cameras(&self) -> Vec<Camera> {
        self.shared.cameras.read().clone()
    }

    /// One camera by id.
    pub fn camera(&self, camera_id: &str) -> Option<Camera> {
        let cameras = self.shared.cameras.read();
        cameras
            .binary_search_by(|camera| camera.camera_id.as_str().cmp(camera_id))
            .ok()
            .map(|idx| cameras[idx].clone())
    }

    /// Stores `reads` and returns once they are on disk (WAL fsync, shared with concurrent
    /// callers). Idempotent on `read_id`: an id already stored with identical content is a
    /// duplicate; with other content the call fails with [`Error::ConflictingReadId`] and
    /// nothing of `reads` is stored. Reads older than the last retention cutoff are skipped.
    pub fn append_durable(&self, reads: &[PlateRead]) -> Result<AppendReport, Error> {
        let pending = self.shared.append(reads)?;
        self.shared.wait_durable(pending)
    }

    /// The first half of [`Store::append_durable`]: checks the reads (a conflicting id
    /// fails here, and nothing of the batch is appended) and queues them in the WAL. They
    /// are neither visible nor durable until [`Store::wait_durable`] returns, and must not
    /// be acknowledged before. Lets a caller do other work while the WAL syncs.
    pub fn append(&self, reads: &[PlateRead]) -> Result<PendingAppend, Error> {
        self.shared.append(reads)
    }

    /// Waits until reads queued by [`Store::append`] are on disk (doing the group commit's
    /// fsync itself if no one else is).
    pub fn wait_durable(&self, pending: PendingAppend) -> Result<AppendReport, Error> {
        self.shared.wait_durable(pending)
    }

    /// Starts a bulk import: segments written directly, visible only after
    /// [`BulkImport::commit`].
    pub fn bulk_import(&self) -> BulkImport<'_> {
        BulkImport::new(self)
    }

    /// The reads of one plate, oldest first; includes reads not yet flushed.
    pub fn history(&self, query: &HistoryQuery) -> Result<Vec<PlateRead>, Error> {
        self.shared.history(query)
    }

    /// Distinct plate keys whose text passes `filter`, with their read counts, most read
    /// first; uses the plate directory, not the reads.
    pub fn plate_keys_matching(
        &self,
        filter: &dyn Fn(&str) -> bool,
        limit: usize,
    ) -> Vec<(PlateKey, u64)> {
        self.shared.plate_keys_matching(filter, limit)
    }

    /// Whether any read of `plate` (any country) is stored.
    pub fn contains_plate(&self, plate: &PlateText) -> bool {
        self.shared.contains_plate(plate)
    }

    /// Seals the memtable into segments and deletes the WAL files it came from.
    pub fn flush(&self) -> Result<(), Error> {
        let mut catalog = self.shared.catalog.lock();
        self.shared.flush_locked(&mut catalog)
    }

    /// Merges the small segments of each day (also run by the maintenance thread).
    pub fn compact(&self) -> Result<CompactReport, Error> {
        crate::maintenance::compact(&self.shared)
    }

    /// Removes every read with `ts < cutoff` from the WAL, segments and indexes; later
    /// appends and imports skip reads older than `cutoff`.
    pub fn purge_older_than(&self, cutoff: Timestamp) -> Result<PurgeReport, Error> {
        crate::maintenance::purge_older_than(&self.shared, cutoff)
    }

    /// Removes every read for which `doomed` is true from every file (WAL, segments,
    /// indexes): retention by country or agreement, legal erasure.
    pub fn purge_reads(&self, doomed: &dyn Fn(&PlateRead) -> bool) -> Result<PurgeReport, Error> {
        crate::maintenance::purge_reads(&self.shared, doomed)
    }

    /// The committed Parquet segment files (readable by DuckDB, DataFusion, Spark).
    pub fn segment_paths(&self) -> Vec<PathBuf> {
        let state = self.shared.state.read();
        state
            .segments
            .iter()
            .map(|segment| segment.path.clone())
            .collect()
    }

    /// Every visible read with `from <= ts <= to` (bounds optional), segments first, then
    /// the memtable, in [`crate::schema::reads_schema`].
    pub fn scan(
        &self,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> Result<impl Iterator<Item = Result<RecordBatch, Error>> + use<>, Error> {
        self.shared.scan(from, to)
    }

    /// The reads of [`Self::scan`], collected: the same batches in the same order, the
    /// segments decoded on every core (an analysis reads every segment).
    pub fn scan_collect(
        &self,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> Result<Vec<RecordBatch>, Error> {
        let ScanIter { segments, tail, .. } = self.shared.scan(from, to)?;
        let per_segment: Vec<Vec<RecordBatch>> = Vec::from(segments)
            .into_par_iter()
            .map(|segment| {
                ScanIter {
                    segments: VecDeque::from([segment]),
                    current: None,
                    tail: None,
                    from,
                    to,
                }
                .collect()
            })
            .collect::<Result<_, Error>>()?;
        Ok(per_segment.into_iter().flatten().chain(tail).collect())
    }

    /// Counts and sizes.
    pub fn stats(&self) -> StoreStats {
        self.shared.stats()
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        {
            let mut wake = self.shared.wake_state.lock();
            wake.shutdown = true;
            self.shared.wake.notify_all();
        }
        if let Some(handle) = self.maintenance.take()
            && handle.join().is_err()
        {
            tracing::error!("The store maintenance thread panicked.");
        }
    }
}

/// Takes the exclusive lock on the data directory. A lock can outlive its store by a
/// moment when a child process forked elsewhere in this process still holds a copy of
/// the descriptor until it execs, so a held lock is retried briefly before giving up.
fn acquire_lock(lock_file: &File, root: &Path) -> Result<(), Error> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        match lock_file.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Locked {
                    dir: root.to_path_buf(),
                });
            }
            Err(std::fs::TryLockError::Error(err)) => {
                return Err(Error::io("locking", root.join("LOCK"), err));
            }
        }
    }
}

impl Shared {
    fn open(root: &Path, config: StoreConfig) -> Result<Shared, Error> {
        for sub in ["", "wal", "segments", "index"] {
            crate::fsutil::create_dir(&root.join(sub))?;
        }
        let root = root
            .canonicalize()
            .map_err(|err| Error::io("resolving data directory", root, err))?;
        let lock_path = root.join("LOCK");
        let lock_file =
            File::create(&lock_path).map_err(|err| Error::io("creating", &lock_path, err))?;
        acquire_lock(&lock_file, &root)?;
        let catalog = Catalog::load(&root)?;
        crate::maintenance::delete_orphans(&root, &catalog)?;
        let mut state = State {
            expired_before: catalog.expired_before,
            ..State::default()
        };
        let mut segments = Vec::with_capacity(catalog.segments.len());
        let mut all_ids = Vec::new();
        for (id, rel_path) in &catalog.segments {
            let (segment, contents) = Segment::open(&root, *id, rel_path)?;
            add_to_directory(&mut state.directory, &contents.plates);
            all_ids.extend_from_slice(&contents.id_hashes);
            segments.push(Arc::new(segment));
        }
        state.ids = IdIndex::from_unsorted(all_ids);
        state.segments = Arc::new(segments);
        let wal_dir = root.join("wal");
        wal::delete_below(&wal_dir, catalog.wal_generation_min)?;
        let generations = wal::list_generations(&wal_dir)?;
        for &generation in &generations {
            let (reads, _) = wal::replay_file(&wal_dir, generation)?;
            let fresh: Vec<PlateRead> = reads
                .into_iter()
                .filter(|read| {
                    state
                        .memtable
                        .find_id(id_hash(&read.read_id), &read.read_id)
                        .is_none()
                })
                .collect();
            state.memtable.push_record(0, fresh);
        }
        let generation = generations
            .last()
            .copied()
            .unwrap_or(0)
            .max(catalog.wal_generation_min)
            + 1;
        let wal = Wal::create(&wal_dir, generation, config.group_commit_delay_max)?;
        let cameras = crate::maintenance::read_cameras(&root)?;
        tracing::info!(
            dir = %root.display(),
            n_segments = state.segments.len(),
            n_wal_reads = state.memtable.len(),
            "Opened the store."
        );
        Ok(Shared {
            properties: crate::schema::writer_properties_with(config.compression),
            config,
            _lock_file: lock_file,
            wal,
            state: RwLock::new(state),
            next_segment_id: AtomicU64::new(catalog.next_segment_id),
            catalog: Mutex::new(catalog),
            cameras: RwLock::new(cameras),
            wake: Condvar::new(),
            wake_state: Mutex::new(WakeState::default()),
            root,
        })
    }

    pub(crate) fn allocate_segment_id(&self) -> u64 {
        self.next_segment_id.fetch_add(1, Ordering::Relaxed)
    }

    fn append(&self, reads: &[PlateRead]) -> Result<PendingAppend, Error> {
        for read in reads {
            read.validate().map_err(|err| Error::InvalidRead {
                read_id: read.read_id.clone(),
                reason: err.to_string(),
            })?;
        }
        let mut report = AppendReport::default();
        let mut wait_seq = 0;
        let n_memtable_rows;
        {
            let mut state = self.state.write();
            let mut fresh: Vec<&PlateRead> = Vec::with_capacity(reads.len());
            let mut in_batch: HashMap<&str, &PlateRead> = HashMap::with_capacity(reads.len());
            for read in reads {
                if state.expired_before.is_some_and(|cutoff| read.ts < cutoff) {
                    report.n_expired += 1;
                    continue;
                }
                if let Some(earlier) = in_batch.get(read.read_id.as_str()) {
                    if *earlier != read {
                        return Err(conflict(read));
                    }
                    report.n_duplicates += 1;
                    continue;
                }
                match self.stored_status(&state, read)? {
                    Stored::New => {
                        in_batch.insert(read.read_id.as_str(), read);
                        fresh.push(read);
                    }
                    Stored::Duplicate { wait_seq: seq } => {
                        wait_seq = wait_seq.max(seq);
                        report.n_duplicates += 1;
                    }
                    Stored::Conflict => return Err(conflict(read)),
                }
            }
            if !fresh.is_empty() {
                let seq = self.wal.append(&fresh)?;
                state
                    .memtable
                    .push_record(seq, fresh.into_iter().cloned().collect());
                report.n_appended = in_batch.len();
                wait_seq = seq;
            }
            n_memtable_rows = state.memtable.len();
        }
        Ok(PendingAppend {
            report,
            wait_seq,
            n_memtable_rows,
        })
    }

    fn wait_durable(&self, pending: PendingAppend) -> Result<AppendReport, Error> {
        if pending.wait_seq > 0 {
            self.wal.wait_durable(pending.wait_seq)?;
        }
        if pending.n_memtable_rows >= self.config.memtable_rows_max {
            let mut wake = self.wake_state.lock();
            wake.flush_wanted = true;
            self.wake.notify_all();
        }
        Ok(pending.report)
    }

    /// Compares `read` with a stored read of the same id, if any.
    fn stored_status(&self, state: &State, read: &PlateRead) -> Result<Stored, Error> {
        let hash = id_hash(&read.read_id);
        if let Some(row) = state.memtable.find_id(hash, &read.read_id) {
            let stored = &state.memtable.reads[row];
            return Ok(if stored == read {
                Stored::Duplicate {
                    wait_seq: state.memtable.seq_of_row(row),
                }
            } else {
                Stored::Conflict
            });
        }
        if let Some(frozen) = &state.frozen
            && let Some(row) = frozen.find_id(hash, &read.read_id)
        {
            return Ok(if &frozen.reads[row] == read {
                Stored::Duplicate { wait_seq: 0 }
            } else {
                Stored::Conflict
            });
        }
        if !state.ids.contains(hash) {
            return Ok(Stored::New);
        }
        Ok(match find_in_segments(&state.segments, read)? {
            None => Stored::New,
            Some(stored) if &stored == read => Stored::Duplicate { wait_seq: 0 },
            Some(_) => Stored::Conflict,
        })
    }

    fn history(&self, query: &HistoryQuery) -> Result<Vec<PlateRead>, Error> {
        let in_range = |read: &PlateRead| {
            query
                .country
                .is_none_or(|country| read.country == Some(country))
                && query.from.is_none_or(|from| read.ts >= from)
                && query.to.is_none_or(|to| read.ts <= to)
        };
        let (segments, mut reads) = self.plate_snapshot(&query.plate, &in_range);
        for segment in segments.iter() {
            if query.from.is_some_and(|from| segment.ts_max < from)
                || query.to.is_some_and(|to| segment.ts_min > to)
            {
                continue;
            }
            segment_plate_reads(segment, &query.plate, &mut |read| {
                if in_range(&read) {
                    reads.push(read);
                }
            })?;
        }
        reads.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.read_id.cmp(&b.read_id)));
        if let Some(limit) = query.limit {
            let n_extra = reads.len().saturating_sub(limit);
            reads.drain(..n_extra);
        }
        Ok(reads)
    }

    /// The segments, and the unflushed reads of `plate` that `keep` keeps, at one moment:
    /// a flush in between would otherwise show a read twice or not at all.
    pub(crate) fn plate_snapshot(
        &self,
        plate: &PlateText,
        keep: &dyn Fn(&PlateRead) -> bool,
    ) -> (Arc<Vec<Arc<Segment>>>, Vec<PlateRead>) {
        let state = self.state.read();
        let n_visible = state.memtable.visible_rows(self.wal.durable_seq());
        let mut reads: Vec<PlateRead> = state
            .memtable
            .plate_rows(plate, n_visible)
            .filter(|read| keep(read))
            .cloned()
            .collect();
        if let Some(frozen) = &state.frozen {
            reads.extend(
                frozen
                    .plate_rows(plate, frozen.len())
                    .filter(|read| keep(read))
                    .cloned(),
            );
        }
        (state.segments.clone(), reads)
    }

    fn plate_keys_matching(
        &self,
        filter: &dyn Fn(&str) -> bool,
        limit: usize,
    ) -> Vec<(PlateKey, u64)> {
        let state = self.state.read();
        let mut counts: HashMap<PlateKey, u64> = HashMap::new();
        for (text, by_country) in &state.directory {
            if filter(text.as_str()) {
                for (country, count) in by_country {
                    let key = PlateKey {
                        text: text.clone(),
                        country: *country,
                    };
                    *counts.entry(key).or_default() += count;
                }
            }
        }
        let n_visible = state.memtable.visible_rows(self.wal.durable_seq());
        let memtables = [
            Some((&state.memtable, n_visible)),
            state.frozen.as_deref().map(|frozen| (frozen, frozen.len())),
        ];
        for (memtable, n_visible) in memtables.into_iter().flatten() {
            for read in &memtable.reads[..n_visible] {
                if filter(read.plate.as_str()) {
                    *counts.entry(read.plate_key()).or_default() += 1;
                }
            }
        }
        let mut keys: Vec<(PlateKey, u64)> = counts.into_iter().collect();
        keys.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        keys.truncate(limit);
        keys
    }

    fn contains_plate(&self, plate: &PlateText) -> bool {
        let state = self.state.read();
        if state.directory.contains_key(plate) {
            return true;
        }
        let n_visible = state.memtable.visible_rows(self.wal.durable_seq());
        state.memtable.contains_plate(plate, n_visible)
            || state
                .frozen
                .as_ref()
                .is_some_and(|frozen| frozen.contains_plate(plate, frozen.len()))
    }

    /// Flush with the catalog lock held by the caller.
    pub(crate) fn flush_locked(&self, catalog: &mut Catalog) -> Result<(), Error> {
        let (frozen, generation) = {
            let mut state = self.state.write();
            if state.memtable.is_empty() && state.frozen.is_none() {
                return Ok(());
            }
            let generation = self.wal.rotate()?;
            let mut frozen = std::mem::take(&mut state.memtable);
            if let Some(failed) = state.frozen.take() {
                // A previous flush failed: its rows are still only in the WAL.
                let mut combined = Memtable::default();
                combined.push_record(0, failed.reads.clone());
                combined.push_record(0, frozen.reads);
                frozen = combined;
            }
            let frozen = Arc::new(frozen);
            state.frozen = Some(frozen.clone());
            (frozen, generation)
        };
        let batch = reads_to_batch(&frozen.reads);
        let written = self.write_day_segments(std::slice::from_ref(&batch))?;
        let mut next = catalog.clone();
        next.segments
            .extend(written.iter().map(|(id, rel_path)| (*id, rel_path.clone())));
        next.wal_generation_min = generation;
        next.next_segment_id = self.next_segment_id.load(Ordering::Relaxed);
        next.store(&self.root)?;
        *catalog = next;
        let opened = open_segments(&self.root, &written)?;
        {
            let mut state = self.state.write();
            let mut segments = state.segments.as_ref().clone();
            for (segment, contents) in opened {
                add_to_directory(&mut state.directory, &contents.plates);
                segments.push(Arc::new(segment));
            }
            state.segments = Arc::new(segments);
            state.ids.add_sorted(frozen.sorted_id_hashes());
            state.frozen = None;
        }
        wal::delete_below(&self.root.join("wal"), generation)
    }

    /// Splits batches by UTC day, sorts each day and writes it as a new segment (two
    /// writer threads). Nothing is visible until the caller commits the catalog.
    pub(crate) fn write_day_segments(
        &self,
        batches: &[RecordBatch],
    ) -> Result<Vec<(u64, String)>, Error> {
        self.write_picked_days(batches, segment::day_orders(batches)?)
    }

    /// Writes each day's `(batch, row)` picks from `batches` as a new segment (two writer
    /// threads). Nothing is visible until the caller commits the catalog.
    pub(crate) fn write_picked_days(
        &self,
        batches: &[RecordBatch],
        days: Vec<(i64, segment::Picks)>,
    ) -> Result<Vec<(u64, String)>, Error> {
        let days: Vec<(u64, i64, segment::Picks)> = days
            .into_iter()
            .map(|(day, picks)| (self.allocate_segment_id(), day, picks))
            .collect();
        let write = |(id, day, picks): &(u64, i64, segment::Picks)| {
            let rows = segment::SortedRows::Picked(batches, picks);
            segment::write_segment(&self.root, *id, *day, rows, &self.properties)
                .map(|rel_path| (*id, rel_path))
        };
        if days.len() < 2 {
            return days.iter().map(write).collect();
        }
        let (odd, even): (Vec<_>, Vec<_>) =
            days.iter().enumerate().partition(|(idx, _)| idx % 2 == 1);
        let (first, second) = std::thread::scope(|scope| {
            let helper = scope.spawn(|| odd.iter().map(|(_, day)| write(day)).collect::<Vec<_>>());
            let mine: Vec<_> = even.iter().map(|(_, day)| write(day)).collect();
            (mine, helper.join().expect("segment writer thread panicked"))
        });
        first.into_iter().chain(second).collect()
    }

    fn scan(&self, from: Option<Timestamp>, to: Option<Timestamp>) -> Result<ScanIter, Error> {
        let (segments, tail) = {
            let state = self.state.read();
            let n_visible = state.memtable.visible_rows(self.wal.durable_seq());
            let mut rows: Vec<PlateRead> = state.memtable.reads[..n_visible].to_vec();
            if let Some(frozen) = &state.frozen {
                rows.extend_from_slice(&frozen.reads);
            }
            rows.retain(|read| {
                from.is_none_or(|from| read.ts >= from) && to.is_none_or(|to| read.ts <= to)
            });
            (state.segments.clone(), rows)
        };
        let segments: VecDeque<Arc<Segment>> = segments
            .iter()
            .filter(|segment| {
                from.is_none_or(|from| segment.ts_max >= from)
                    && to.is_none_or(|to| segment.ts_min <= to)
            })
            .cloned()
            .collect();
        Ok(ScanIter {
            segments,
            current: None,
            tail: (!tail.is_empty()).then(|| reads_to_batch(&tail)),
            from,
            to,
        })
    }

    fn stats(&self) -> StoreStats {
        let state = self.state.read();
        let n_visible = state.memtable.visible_rows(self.wal.durable_seq());
        let n_frozen = state.frozen.as_ref().map_or(0, |frozen| frozen.len());
        let n_segment_reads: u64 = state.segments.iter().map(|segment| segment.n_rows).sum();
        let mut plates: std::collections::HashSet<PlateKey> = state
            .memtable
            .reads
            .iter()
            .take(n_visible)
            .map(PlateRead::plate_key)
            .filter(|key| {
                !state
                    .directory
                    .get(&key.text)
                    .is_some_and(|known| known.iter().any(|entry| entry.0 == key.country))
            })
            .collect();
        if let Some(frozen) = &state.frozen {
            plates.extend(frozen.reads.iter().map(PlateRead::plate_key));
        }
        let n_directory: usize = state.directory.values().map(Vec::len).sum();
        StoreStats {
            n_reads: n_segment_reads + (n_visible + n_frozen) as u64,
            n_memtable_reads: (n_visible + n_frozen) as u64,
            n_segments: state.segments.len(),
            n_plates: (n_directory + plates.len()) as u64,
            bytes_on_disk: crate::fsutil::dir_bytes(&self.root),
            segment_bytes: state
                .segments
                .iter()
                .map(|segment| segment.parquet_bytes)
                .sum(),
            index_bytes: state
                .segments
                .iter()
                .map(|segment| segment.index_bytes)
                .sum(),
            wal_bytes: crate::fsutil::dir_bytes(&self.root.join("wal")),
        }
    }
}

fn conflict(read: &PlateRead) -> Error {
    Error::ConflictingReadId {
        read_id: read.read_id.clone(),
    }
}

/// Opens freshly written segments.
pub(crate) fn open_segments(
    root: &Path,
    written: &[(u64, String)],
) -> Result<Vec<(Segment, crate::segment::IndexContents)>, Error> {
    written
        .iter()
        .map(|(id, rel_path)| Segment::open(root, *id, rel_path))
        .collect()
}

/// Adds plate counts to the directory.
pub(crate) fn add_to_directory(directory: &mut Directory, plates: &[(PlateKey, u64)]) {
    for (key, count) in plates {
        // Most plates are known already (seen on an earlier day): no key to clone then.
        match directory.get_mut(&key.text) {
            Some(counts) => add_count(counts, key.country, *count),
            None => {
                directory.insert(key.text.clone(), vec![(key.country, *count)]);
            }
        }
    }
}

/// Adds `count` reads of `country` to one plate's per-country counts.
fn add_count(counts: &mut Vec<(Option<Country>, u64)>, country: Option<Country>, count: u64) {
    match counts.iter_mut().find(|known| known.0 == country) {
        Some(known) => known.1 += count,
        None => counts.push((country, count)),
    }
}

/// Adds the plate counts of `other` to `directory`.
pub(crate) fn merge_directory(directory: &mut Directory, other: Directory) {
    if directory.is_empty() {
        *directory = other;
        return;
    }
    for (text, counts) in other {
        let known = directory.entry(text).or_default();
        for (country, count) in counts {
            add_count(known, country, count);
        }
    }
}

/// Calls `each` with every read of `plate` in `segment`.
pub(crate) fn segment_plate_reads(
    segment: &Segment,
    plate: &PlateText,
    each: &mut dyn FnMut(PlateRead),
) -> Result<(), Error> {
    let Some((start, len)) = segment.plate_range(plate) else {
        return Ok(());
    };
    for batch in segment.read_range(start, len)? {
        let columns = ReadColumns::new(&batch)?;
        for row in 0..batch.num_rows() {
            // A plate-hash collision would bring another plate's rows: check the text.
            if columns.plate.value(row) == plate.as_str() {
                each(columns.read(row)?);
            }
        }
    }
    Ok(())
}

/// Finds the stored read with `read.read_id`: first among reads of the same plate, then,
/// if the id was stored with another plate, by scanning the read ids of every segment.
pub(crate) fn find_in_segments(
    segments: &[Arc<Segment>],
    read: &PlateRead,
) -> Result<Option<PlateRead>, Error> {
    let mut found = None;
    for segment in segments {
        segment_plate_reads(segment, &read.plate, &mut |stored| {
            if stored.read_id == read.read_id {
                found = Some(stored);
            }
        })?;
        if found.is_some() {
            return Ok(found);
        }
    }
    for segment in segments {
        for batch in segment.read_all()? {
            let batch = batch?;
            let columns = ReadColumns::new(&batch)?;
            if let Some(row) =
                (0..batch.num_rows()).find(|&row| columns.read_id.value(row) == read.read_id)
            {
                return columns.read(row).map(Some);
            }
        }
    }
    Ok(None)
}

/// Keeps the rows of a batch with `from <= ts <= to`.
pub(crate) fn filter_ts(
    batch: &RecordBatch,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
) -> Result<RecordBatch, Error> {
    if from.is_none() && to.is_none() {
        return Ok(batch.clone());
    }
    let columns = ReadColumns::new(batch)?;
    let mask =
        BooleanArray::from_iter(
            columns.ts.values().iter().map(|&ts| {
                Some(from.is_none_or(|from| ts >= from) && to.is_none_or(|to| ts <= to))
            }),
        );
    Ok(arrow::compute::filter_record_batch(batch, &mask)?)
}

/// Streams the batches of a scan.
struct ScanIter {
    segments: VecDeque<Arc<Segment>>,
    current: Option<parquet::arrow::arrow_reader::ParquetRecordBatchReader>,
    tail: Option<RecordBatch>,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
}

impl Iterator for ScanIter {
    type Item = Result<RecordBatch, Error>;

    fn next(&mut self) -> Option<Result<RecordBatch, Error>> {
        loop {
            if let Some(reader) = &mut self.current {
                match reader.next() {
                    Some(Ok(batch)) => match filter_ts(&batch, self.from, self.to) {
                        Ok(batch) if batch.num_rows() == 0 => continue,
                        result => return Some(result),
                    },
                    Some(Err(err)) => return Some(Err(err.into())),
                    None => self.current = None,
                }
            }
            match self.segments.pop_front() {
                Some(segment) => match segment.read_all() {
                    Ok(reader) => self.current = Some(reader),
                    Err(err) => return Some(Err(err)),
                },
                None => return self.tail.take().map(Ok),
            }
        }
    }
}

impl std::fmt::Debug for ScanIter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanIter")
            .field("n_segments_left", &self.segments.len())
            .finish()
    }
}
