//! [`BulkImport`]: loads many reads by writing sorted segments directly (no WAL), then
//! makes them visible with one catalog commit.
//!
//! Each batch is sorted into segment order as it arrives (while it is in cache) and its rows
//! are buffered per UTC day. A day is written as a segment that nobody sees yet, on a
//! background thread while the import goes on, as soon as a batch arrives that holds only
//! later days: an export in time order (the usual case) so gets one segment per day,
//! written while the next day is read, and needs no compaction. Memory is bounded by
//! `StoreConfig::import_buffer_rows_max`: when the buffer is full every buffered day is
//! written. At most [`SPILLS_IN_FLIGHT_MAX`] such writes run at once.
//! Dropping an import without [`BulkImport::commit`] deletes those files; a crash leaves
//! them orphaned and the next open deletes them.

use crate::ids::{ImportIds, id_hash, id_hash_full, merge_runs};
use crate::schema::{ReadColumns, reads_to_batch};
use crate::segment::{self, Segment};
use crate::store::{
    Directory, Shared, add_to_directory, find_in_segments, merge_directory, open_segments,
};
use crate::{Error, ImportReport, Store};
use arrow::array::{Array, RecordBatch};
use corridor_domain::{PLATE_LEN_MAX, PlateRead, Timestamp};
use parking_lot::Mutex;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

/// Segments written by a spill: `(segment id, path)`.
type Written = Vec<(u64, String)>;

/// What a spill thread returns: the segments it wrote, opened (their plates are already in
/// the import's directory), and the sorted id hashes of each (as the store keeps them).
type Spilled = (Written, Vec<Segment>, Vec<Vec<u64>>);

/// Rows of one UTC day from one incoming batch, in segment order, with the full id hashes
/// of its rows (sorted, with their row) so that a replayed id is found without a scan.
#[derive(Debug)]
struct Part {
    day: i64,
    batch: RecordBatch,
    /// Each row's key in its day's segment order (the batch is in that order).
    keys: Vec<segment::DayKey>,
    ids: Vec<(u64, u32)>,
}

impl Part {
    /// The read with this id (and full id hash) in this part.
    fn find(&self, hash: u64, read_id: &str) -> Result<Option<PlateRead>, Error> {
        let start = self.ids.partition_point(|entry| entry.0 < hash);
        for &(_, row) in self.ids[start..].iter().take_while(|entry| entry.0 == hash) {
            let columns = ReadColumns::new(&self.batch)?;
            if columns.read_id.value(row as usize) == read_id {
                return columns.read(row as usize).map(Some);
            }
        }
        Ok(None)
    }
}

/// A segment write in flight: its number, its thread and the rows it is writing (searched
/// for replayed ids).
#[derive(Debug)]
struct Spill {
    seq: u64,
    handle: JoinHandle<Result<Spilled, Error>>,
    parts: Arc<Vec<Part>>,
}

/// Says, when a spill thread ends however it ends, which spill it was.
struct SignalOnDrop(mpsc::Sender<u64>, u64);

impl Drop for SignalOnDrop {
    fn drop(&mut self) {
        // The import may be gone (dropped while writes ran): nobody to tell then.
        let _ = self.0.send(self.1);
    }
}

/// Background segment writes an import may have running at once: one keeps a writer busy
/// while the importing thread sorts, the second covers a day that closes while the first
/// is still being written.
pub(crate) const SPILLS_IN_FLIGHT_MAX: usize = 2;

/// A bulk load in progress; see the module docs.
#[derive(Debug)]
pub struct BulkImport<'a> {
    store: &'a Store,
    shared: &'a Shared,
    /// Rows not yet written, per UTC day, in parts each in segment order.
    buffer: BTreeMap<i64, Vec<Part>>,
    n_buffered: usize,
    /// Segment writes in flight, oldest first.
    spilling: VecDeque<Spill>,
    /// Numbers the spills; their threads send their number here when they end.
    spill_seq: u64,
    spill_ended: (mpsc::Sender<u64>, mpsc::Receiver<u64>),
    /// The segments written so far, opened, and the distinct plates in them: built by the
    /// spill threads, so that the commit only has to publish them.
    opened: Vec<Arc<Segment>>,
    directory: Arc<Mutex<Directory>>,
    /// The column types rows are kept as, chosen by the first batch (see
    /// [`crate::schema::import_types_for`]).
    types: Option<arrow::datatypes::SchemaRef>,
    /// Full id hashes of every read given to this import.
    ids: ImportIds,
    written: Written,
    /// The id hashes (as the store keeps them) of each segment written, sorted.
    written_ids: Vec<Vec<u64>>,
    report: ImportReport,
    expired_before: Option<Timestamp>,
    committed: bool,
}

/// A read id given twice with different content, found by
/// [`BulkImport::add_batch_skipping_conflicts`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ImportConflict {
    /// Row in the batch given.
    pub row: usize,
    pub read_id: String,
}

impl<'a> BulkImport<'a> {
    pub(crate) fn new(store: &'a Store) -> BulkImport<'a> {
        let shared: &Shared = &store.shared;
        let expired_before = shared.state.read().expired_before;
        BulkImport {
            store,
            shared,
            buffer: BTreeMap::new(),
            n_buffered: 0,
            spilling: VecDeque::new(),
            spill_seq: 0,
            spill_ended: mpsc::channel(),
            opened: Vec::new(),
            directory: Arc::default(),
            types: None,
            ids: ImportIds::default(),
            written: Vec::new(),
            written_ids: Vec::new(),
            report: ImportReport::default(),
            expired_before,
            committed: false,
        }
    }

    /// Says how many reads the import will probably add (a Parquet file's row count, a
    /// text file's size over a typical row's): sized once, the import's id set is never
    /// rehashed. Call it before adding.
    pub fn expect_rows(&mut self, n_rows: u64) {
        self.ids
            .expect(usize::try_from(n_rows).unwrap_or(usize::MAX).min(1 << 32));
    }

    /// Adds a batch in [`crate::schema::reads_schema`], its strings plain, views or
    /// dictionaries (decoding Parquet straight into
    /// [`crate::schema::reads_import_schema`] saves a conversion). A read id already stored (or given
    /// earlier in this import) with other content fails with
    /// [`Error::ConflictingReadId`], and nothing of this batch is added.
    pub fn add_batch(&mut self, batch: RecordBatch) -> Result<(), Error> {
        let classified = self.classify(&batch)?;
        if let Some(conflict) = classified.conflicts.first() {
            return Err(Error::ConflictingReadId {
                read_id: conflict.read_id.clone(),
            });
        }
        self.push(batch, classified)
    }

    /// Like [`BulkImport::add_batch`], but conflicting reads are left out and returned
    /// (for imports that write rejected rows to a file).
    pub fn add_batch_skipping_conflicts(
        &mut self,
        batch: RecordBatch,
    ) -> Result<Vec<ImportConflict>, Error> {
        let mut classified = self.classify(&batch)?;
        let conflicts = std::mem::take(&mut classified.conflicts);
        self.push(batch, classified)?;
        Ok(conflicts)
    }

    /// Adds reads (converted to a batch).
    pub fn add_reads(&mut self, reads: &[PlateRead]) -> Result<(), Error> {
        self.add_batch(reads_to_batch(reads))
    }

    /// Waits for the segments being written in the background and returns how many
    /// segments this import has written so far (none of them visible before
    /// [`BulkImport::commit`]).
    pub fn wait_written(&mut self) -> Result<usize, Error> {
        self.finish_spill()?;
        Ok(self.written.len())
    }

    /// Makes every added read visible, atomically and durably.
    pub fn commit(mut self) -> Result<ImportReport, Error> {
        self.spill_days_before(i64::MAX)?;
        self.finish_spill()?;
        let shared = self.shared;
        let mut catalog = shared.catalog.lock();
        // Every read is written: the id set (12 bytes a read) is freed before the merge.
        self.ids = ImportIds::default();
        let hashes = merge_runs(std::mem::take(&mut self.written_ids));
        // Reads appended through the WAL while this import ran were not checked against it.
        {
            let state = shared.state.read();
            let memtables = [Some(&state.memtable), state.frozen.as_deref()];
            for memtable in memtables.into_iter().flatten() {
                for read in &memtable.reads {
                    if hashes.binary_search(&id_hash(&read.read_id)).is_ok() {
                        return Err(Error::ConflictingReadId {
                            read_id: read.read_id.clone(),
                        });
                    }
                }
            }
        }
        let mut next = catalog.clone();
        next.segments.extend(self.written.iter().cloned());
        next.next_segment_id = shared
            .next_segment_id
            .load(std::sync::atomic::Ordering::Relaxed);
        next.store(&shared.root)?;
        *catalog = next;
        self.committed = true;
        let directory = std::mem::take(&mut *self.directory.lock());
        let mut state = shared.state.write();
        let mut segments = state.segments.as_ref().clone();
        segments.extend(std::mem::take(&mut self.opened));
        state.segments = Arc::new(segments);
        merge_directory(&mut state.directory, directory);
        state.ids.add_sorted(hashes);
        self.report.n_segments = self.written.len();
        Ok(self.report)
    }

    /// Decides, per row, whether to keep it; reports conflicting ids.
    fn classify(&mut self, batch: &RecordBatch) -> Result<Classified, Error> {
        let columns = ReadColumns::new(batch)?;
        validate(&columns, batch.num_rows())?;
        let n_rows = batch.num_rows();
        let mut keep = vec![true; n_rows];
        if let Some(cutoff) = self.expired_before {
            for (row, keep_row) in keep.iter_mut().enumerate() {
                if columns.ts.value(row) < cutoff {
                    *keep_row = false;
                    self.report.n_expired += 1;
                }
            }
        }
        let mut hashed: Vec<(u64, u32)> = (0..n_rows)
            .filter(|&row| keep[row])
            .map(|row| (id_hash_full(columns.read_id.value(row)), row as u32))
            .collect();
        hashed.sort_unstable();
        // This import's ids are checked with the full hashes, the store's with the 48 bits
        // it keeps: each suspect is looked for only where it may be.
        let probes: Vec<u64> = hashed.iter().map(|entry| entry.0).collect();
        let mut suspects: Vec<(usize, Seen)> = (1..probes.len())
            .filter(|&idx| probes[idx] == probes[idx - 1])
            .map(|idx| (idx, Seen::Batch))
            .collect();
        suspects.extend(
            self.ids
                .hits_then_mark(&probes)
                .into_iter()
                .map(|idx| (idx, Seen::Import)),
        );
        {
            let stored_probes: Vec<u64> = probes.iter().map(|hash| hash >> 16).collect();
            let state = self.shared.state.read();
            let mut in_store = state.ids.hits_sorted(&stored_probes);
            let memtables = [Some(&state.memtable), state.frozen.as_deref()];
            for memtable in memtables
                .into_iter()
                .flatten()
                .filter(|memtable| !memtable.is_empty())
            {
                in_store.extend(
                    (0..stored_probes.len())
                        .filter(|&idx| memtable.contains_hash(stored_probes[idx])),
                );
            }
            suspects.extend(in_store.into_iter().map(|idx| (idx, Seen::Store)));
        }
        suspects.sort_unstable();
        let mut conflicts = Vec::new();
        let mut start = 0;
        while start < suspects.len() {
            let probe_idx = suspects[start].0;
            let end = start + suspects[start..].partition_point(|entry| entry.0 == probe_idx);
            let places: Vec<Seen> = suspects[start..end].iter().map(|entry| entry.1).collect();
            start = end;
            let (hash, row) = (hashed[probe_idx].0, hashed[probe_idx].1 as usize);
            let read = columns.read(row)?;
            // The first row of this batch with the same id (same hash, so just before).
            let first_in_batch = hashed[..probe_idx]
                .iter()
                .rev()
                .take_while(|entry| entry.0 == hash)
                .map(|entry| entry.1 as usize)
                .filter(|&earlier| columns.read_id.value(earlier) == read.read_id)
                .last();
            let mut earlier = match first_in_batch {
                Some(earlier) => Some(columns.read(earlier)?),
                None => None,
            };
            for &seen in &places {
                if earlier.is_some() {
                    break;
                }
                if seen != Seen::Batch {
                    earlier = self.find_stored(&read, hash, seen)?;
                }
            }
            match earlier {
                None => {}
                Some(stored) if stored == read => {
                    keep[row] = false;
                    self.report.n_duplicates += 1;
                }
                Some(_) => {
                    keep[row] = false;
                    conflicts.push(ImportConflict {
                        row,
                        read_id: read.read_id,
                    });
                }
            }
        }
        conflicts.sort_by_key(|conflict| conflict.row);
        hashed.retain(|entry| keep[entry.1 as usize]);
        Ok(Classified {
            keep,
            conflicts,
            kept: hashed,
        })
    }

    /// The read with `read.read_id` (full id hash `hash`) earlier in this import or in the
    /// store, as `seen` says where it may be.
    fn find_stored(
        &self,
        read: &PlateRead,
        hash: u64,
        seen: Seen,
    ) -> Result<Option<PlateRead>, Error> {
        if seen == Seen::Import {
            let in_flight = self.spilling.iter().flat_map(|spill| spill.parts.iter());
            for part in self.buffer.values().flatten().chain(in_flight) {
                if let Some(found) = part.find(hash, &read.read_id)? {
                    return Ok(Some(found));
                }
            }
            return find_in_segments(&self.opened, read);
        }
        let segments = {
            let state = self.shared.state.read();
            let memtables = [Some(&state.memtable), state.frozen.as_deref()];
            for memtable in memtables.into_iter().flatten() {
                if let Some(row) = memtable.find_id(hash >> 16, &read.read_id) {
                    return Ok(Some(memtable.reads[row].clone()));
                }
            }
            state.segments.clone()
        };
        find_in_segments(&segments, read)
    }

    fn push(&mut self, batch: RecordBatch, classified: Classified) -> Result<(), Error> {
        let Classified { keep, kept, .. } = classified;
        let n_kept = kept.len();
        if n_kept == 0 {
            return Ok(());
        }
        // Rows are kept as views and dictionaries from here on: sorting and merging them
        // then moves views and keys, not strings.
        let types = self
            .types
            .get_or_insert_with(|| crate::schema::import_types_for(&batch));
        let batch = crate::schema::to_import_columns(&batch, types)?;
        // One take both leaves out the rows not kept and sorts the rest into segment order.
        let (order, keys) = segment::sort_order(&batch, Some(&keep))?;
        let (batch, sorted_pos) = match order {
            None => (batch, None),
            Some(order) => {
                // Where each kept row of `batch` lands.
                let mut position = vec![u32::MAX; batch.num_rows()];
                for (pos, &row) in order.iter().enumerate() {
                    position[row as usize] = pos as u32;
                }
                let order = arrow::array::UInt32Array::from(order);
                (
                    arrow::compute::take_record_batch(&batch, &order)?,
                    Some(position),
                )
            }
        };
        let runs = segment::day_runs(&batch);
        let mut part_ids: Vec<Vec<(u64, u32)>> = runs.iter().map(|_| Vec::new()).collect();
        for &(hash, row) in &kept {
            let pos = sorted_pos.as_ref().map_or(row, |pos| pos[row as usize]) as usize;
            let run = runs.partition_point(|&(_, start, len)| start + len <= pos);
            part_ids[run].push((hash, (pos - runs[run].1) as u32));
        }
        self.report.n_imported += n_kept as u64;
        self.n_buffered += n_kept;
        // Each day's keys moved out of the batch's (one day, the usual case: no copy).
        let mut keys = keys;
        let mut run_keys: Vec<Vec<segment::DayKey>> = runs
            .iter()
            .rev()
            .map(|&(_, start, _)| keys.split_off(start))
            .collect();
        run_keys.reverse();
        let parts: Vec<(i64, Part)> = runs
            .into_iter()
            .zip(part_ids)
            .zip(run_keys)
            .map(|(((day, start, len), ids), keys)| {
                let part = Part {
                    day,
                    batch: batch.slice(start, len),
                    keys,
                    ids,
                };
                (day, part)
            })
            .collect();
        let first_day = parts.first().map_or(i64::MAX, |part| part.0);
        for (day, part) in parts {
            self.buffer.entry(day).or_default().push(part);
        }
        // Days before this batch's first are most likely complete.
        self.spill_days_before(first_day)?;
        if self.n_buffered >= self.shared.config.import_buffer_rows_max {
            self.spill_days_before(i64::MAX)?;
        }
        Ok(())
    }

    /// Starts writing the buffered days before `day` as sorted segments (not yet visible)
    /// on a background thread, once fewer than [`SPILLS_IN_FLIGHT_MAX`] writes run.
    fn spill_days_before(&mut self, day: i64) -> Result<(), Error> {
        let kept = self.buffer.split_off(&day);
        let days = std::mem::replace(&mut self.buffer, kept);
        if days.is_empty() {
            return Ok(());
        }
        let parts: Arc<Vec<Part>> = Arc::new(days.into_values().flatten().collect());
        let batches: Vec<RecordBatch> = parts.iter().map(|part| part.batch.clone()).collect();
        self.n_buffered -= batches.iter().map(RecordBatch::num_rows).sum::<usize>();
        self.free_spill_slot()?;
        // The writer holds the store only until it is joined (at the latest on drop).
        let shared = Arc::clone(&self.store.shared);
        let directory = Arc::clone(&self.directory);
        let spilled = Arc::clone(&parts);
        let seq = self.spill_seq;
        self.spill_seq += 1;
        let ended = SignalOnDrop(self.spill_ended.0.clone(), seq);
        let handle = std::thread::Builder::new()
            .name("corridor-import-spill".to_owned())
            .spawn(move || {
                let _ended = ended;
                write_spill(&shared, &directory, &spilled, &batches)
            })
            .map_err(|err| Error::io("starting a segment writer", &self.shared.root, err))?;
        self.spilling.push_back(Spill { seq, handle, parts });
        Ok(())
    }

    /// Waits until fewer than [`SPILLS_IN_FLIGHT_MAX`] writes run, taking in whichever
    /// ends first: a small write queued behind a large one (the rest of a day whose start
    /// filled the buffer) must not hold the import up until the large one is done.
    fn free_spill_slot(&mut self) -> Result<(), Error> {
        while self.spilling.len() >= SPILLS_IN_FLIGHT_MAX {
            let ended = self
                .spill_ended
                .1
                .recv()
                .expect("the import holds a sender itself");
            // A number already taken in (by `finish_spill`) is skipped.
            if let Some(idx) = self.spilling.iter().position(|spill| spill.seq == ended) {
                let spill = self.spilling.remove(idx).expect("position is in range");
                self.finish(spill)?;
            }
        }
        Ok(())
    }

    /// Waits for every segment write in flight.
    fn finish_spill(&mut self) -> Result<(), Error> {
        while !self.spilling.is_empty() {
            self.finish_oldest_spill()?;
        }
        Ok(())
    }

    fn finish_oldest_spill(&mut self) -> Result<(), Error> {
        match self.spilling.pop_front() {
            Some(spill) => self.finish(spill),
            None => Ok(()),
        }
    }

    fn finish(&mut self, spill: Spill) -> Result<(), Error> {
        let (written, opened, ids) = spill
            .handle
            .join()
            .expect("segment writer thread panicked")?;
        self.written.extend(written);
        self.written_ids.extend(ids);
        self.opened.extend(opened.into_iter().map(Arc::new));
        Ok(())
    }
}

/// Writes the parts of a spill (each in segment order, days ascending) as one segment per
/// day, opens them and adds their plates to the import's directory.
fn write_spill(
    shared: &Shared,
    directory: &Mutex<Directory>,
    parts: &[Part],
    batches: &[RecordBatch],
) -> Result<Spilled, Error> {
    // Parts are already in segment order: merging them per day is enough.
    let mut days: Vec<(i64, segment::Picks)> = Vec::new();
    let mut first = 0;
    while first < parts.len() {
        let day = parts[first].day;
        let end = first + parts[first..].partition_point(|part| part.day == day);
        let keys: Vec<&[segment::DayKey]> = parts[first..end]
            .iter()
            .map(|part| part.keys.as_slice())
            .collect();
        let picks = segment::merge_sorted_parts(&keys)
            .into_iter()
            .map(|(part, row)| (part + first as u32, row))
            .collect();
        days.push((day, picks));
        first = end;
    }
    let written = shared.write_picked_days(batches, days)?;
    let mut segments = Vec::with_capacity(written.len());
    let mut ids = Vec::with_capacity(written.len());
    for (segment, contents) in open_segments(&shared.root, &written)? {
        add_to_directory(&mut directory.lock(), &contents.plates);
        segments.push(segment);
        ids.push(contents.id_hashes);
    }
    Ok((written, segments, ids))
}

/// Where a row's id may have been seen before.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Seen {
    /// Earlier in the same batch.
    Batch,
    /// Given to this import before (its full hash is in the import's id set; that read may
    /// have been left out as a conflict, so it is looked for).
    Import,
    /// In the store (48-bit hashes: now and then by chance).
    Store,
}

/// The outcome of checking one batch.
struct Classified {
    keep: Vec<bool>,
    conflicts: Vec<ImportConflict>,
    /// Full id hashes of the kept rows with their row, sorted.
    kept: Vec<(u64, u32)>,
}

impl Drop for BulkImport<'_> {
    fn drop(&mut self) {
        for spill in std::mem::take(&mut self.spilling) {
            if let Ok(Ok((written, ..))) = spill.handle.join() {
                self.written.extend(written);
            }
        }
        if !self.committed {
            for (id, rel_path) in &self.written {
                segment::remove_files(&self.shared.root, *id, rel_path);
            }
        }
    }
}

/// Checks what the store relies on: ids and camera ids present, plates normalised,
/// countries two upper-case letters, confidence in 0..1, coordinates on the globe.
fn validate(columns: &ReadColumns<'_>, n_rows: usize) -> Result<(), Error> {
    let bad = |row: usize, column: &str, reason: &str| Error::BadBatch {
        row,
        column: column.to_owned(),
        reason: reason.to_owned(),
    };
    for row in 0..n_rows {
        if columns.read_id.is_null(row) || columns.read_id.value(row).is_empty() {
            return Err(bad(row, "read_id", "missing"));
        }
        if columns.camera_id.is_null(row) || columns.camera_id.value(row).is_empty() {
            return Err(bad(row, "camera_id", "missing"));
        }
        if columns.ts.is_null(row) {
            return Err(bad(row, "ts", "missing"));
        }
        let plate = if columns.plate.is_null(row) {
            ""
        } else {
            columns.plate.value(row)
        };
        let normalised = !plate.is_empty()
            && plate.len() <= PLATE_LEN_MAX
            && plate
                .bytes()
                .all(|byte| byte.is_ascii_digit() || byte.is_ascii_uppercase());
        if !normalised {
            return Err(bad(
                row,
                "plate",
                "not a normalised plate (1-12 of A-Z, 0-9)",
            ));
        }
        if !columns.country.is_null(row) {
            let country = columns.country.value(row).as_bytes();
            if country.len() != 2 || !country.iter().all(u8::is_ascii_uppercase) {
                return Err(bad(row, "country", "not a two-letter upper-case code"));
            }
        }
        if !columns.confidence.is_null(row) && !(0.0..=1.0).contains(&columns.confidence.value(row))
        {
            return Err(bad(row, "confidence", "outside 0..1"));
        }
        if !columns.lat.is_null(row) && !(-90.0..=90.0).contains(&columns.lat.value(row)) {
            return Err(bad(row, "lat", "off the globe"));
        }
        if !columns.lon.is_null(row) && !(-180.0..=180.0).contains(&columns.lon.value(row)) {
            return Err(bad(row, "lon", "off the globe"));
        }
    }
    Ok(())
}
