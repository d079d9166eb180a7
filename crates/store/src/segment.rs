//! Immutable segments: a sorted Parquet file plus its index file (plates and read-id hashes).
//!
//! ```text
//! DATA/segments/date=2026-11-30/seg-0000000042.parquet   reads of one UTC day, sorted by (plate, country, ts)
//! DATA/index/seg-0000000042.idx                          plate runs and sorted read-id hashes of that file
//! DATA/index/seg-0000000042.cti                          its reads by camera and time (`camera_index`)
//! ```
//!
//! Index file: `b"CRDXIDX1"`, n_rows u64, ts_min i64, ts_max i64, n_plates u32, then per
//! distinct (plate, country) in row order: plate length u8, plate bytes, country (2 bytes,
//! zero for none), row count varint; then n_ids u64 and the sorted id hashes as varint
//! deltas; then a CRC-32 of everything before it. All integers little-endian.

use crate::Error;
use crate::camera_index::{CameraIndexBuilder, CameraTimeIndex, camera_index_path};
use crate::ids::id_hash;
use crate::schema::ReadColumns;
use arrow::array::{Array, ArrayRef, RecordBatch};
use bytes::Bytes;
use corridor_domain::{Country, PlateKey, PlateText, Timestamp, VehicleClass};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
    RowSelector,
};
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::file::metadata::PageIndexPolicy;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{ChunkReader, Length};
use std::fs::File;
use std::io::{BufWriter, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use xxhash_rust::xxh3::xxh3_64;

const INDEX_MAGIC: &[u8; 8] = b"CRDXIDX3";
/// Index files written before the plate runs recorded their vehicle classes.
const INDEX_MAGIC_V2: &[u8; 8] = b"CRDXIDX2";
/// zstd level of the plate section of index files.
const INDEX_ZSTD_LEVEL: i32 = 3;
/// Microseconds in a day.
pub(crate) const DAY_US: i64 = 86_400_000_000;

/// A segment as the store sees it: where it is, what it holds, its plate index.
#[derive(Debug)]
pub(crate) struct Segment {
    pub(crate) id: u64,
    /// Path of the Parquet file relative to the data directory.
    pub(crate) rel_path: String,
    pub(crate) path: PathBuf,
    pub(crate) n_rows: u64,
    pub(crate) ts_min: Timestamp,
    pub(crate) ts_max: Timestamp,
    pub(crate) parquet_bytes: u64,
    pub(crate) index_bytes: u64,
    /// `(hash of plate text, first row, n rows)` in row order: run `k` is the segment's
    /// `k`-th distinct plate text.
    plate_runs: Vec<(u64, u32, u32)>,
    /// Per plate run, the vehicle classes of its reads ([`ClassBits`]).
    run_classes: Vec<u8>,
    /// Positions in `plate_runs`, sorted by hash.
    runs_by_hash: Vec<u32>,
    cameras: CameraTimeIndex,
    reader: PreadFile,
    metadata: ArrowReaderMetadata,
}

/// What an index file lists besides the plate runs: the plate keys with counts and the ids.
#[derive(Debug, Default)]
pub(crate) struct IndexContents {
    pub(crate) plates: Vec<(PlateKey, u64)>,
    pub(crate) id_hashes: Vec<u64>,
}

impl Segment {
    /// Opens a committed segment and loads its index.
    pub(crate) fn open(
        root: &Path,
        id: u64,
        rel_path: &str,
    ) -> Result<(Segment, IndexContents), Error> {
        let path = root.join(rel_path);
        let index_path = index_path(root, id);
        let file = File::open(&path).map_err(|err| Error::io("opening segment", &path, err))?;
        let reader = PreadFile::new(file, &path)?;
        // The offset index lets a lookup fetch only the pages of its rows; the column index
        // (page min/max) would only cost memory.
        let options = ArrowReaderOptions::new()
            .with_offset_index_policy(PageIndexPolicy::Required)
            .with_column_index_policy(PageIndexPolicy::Skip);
        let metadata = ArrowReaderMetadata::load(&reader, options)
            .map_err(|err| Error::parquet(&path, err))?;
        let index_bytes_raw = std::fs::read(&index_path)
            .map_err(|err| Error::io("reading index", &index_path, err))?;
        let decoded =
            decode_index(&index_bytes_raw).map_err(|reason| Error::corrupt(&index_path, reason))?;
        if decoded.n_rows as i64 != metadata.metadata().file_metadata().num_rows() {
            return Err(Error::corrupt(
                &index_path,
                "row count differs from its parquet file",
            ));
        }
        let camera_index_path = camera_index_path(root, id);
        let cameras = match CameraTimeIndex::open(&camera_index_path, decoded.n_rows)? {
            Some(cameras) => cameras,
            None => {
                // Segments written before camera indexes existed, or a crash mid-write.
                let all = all_rows(&reader, &metadata, &path)?;
                crate::camera_index::rebuild(
                    &camera_index_path,
                    all.map(|batch| batch.map_err(Error::from)),
                )?;
                CameraTimeIndex::open(&camera_index_path, decoded.n_rows)?
                    .ok_or_else(|| Error::corrupt(&camera_index_path, "rebuilt, but unreadable"))?
            }
        };
        let (plate_runs, run_classes) = (decoded.plate_runs, decoded.run_classes);
        // Sorted with the hashes beside the positions: a sort through the positions would
        // miss the cache on every comparison.
        let mut by_hash: Vec<(u64, u32)> = plate_runs
            .iter()
            .enumerate()
            .map(|(run, &(hash, _, _))| (hash, run as u32))
            .collect();
        by_hash.sort_unstable();
        let runs_by_hash: Vec<u32> = by_hash.into_iter().map(|(_, run)| run).collect();
        let segment = Segment {
            id,
            rel_path: rel_path.to_owned(),
            path,
            n_rows: decoded.n_rows,
            ts_min: decoded.ts_min,
            ts_max: decoded.ts_max,
            parquet_bytes: reader.len,
            index_bytes: index_bytes_raw.len() as u64 + cameras.bytes(),
            plate_runs,
            run_classes,
            runs_by_hash,
            cameras,
            reader,
            metadata,
        };
        Ok((segment, decoded.contents))
    }

    /// The row range of `plate` (all countries), if the segment has it.
    pub(crate) fn plate_range(&self, plate: &PlateText) -> Option<(usize, usize)> {
        self.hash_range(plate_hash(plate.as_str()))
    }

    /// The row range of the plate whose text hashes to `hash` ([`plate_hash`]).
    pub(crate) fn hash_range(&self, hash: u64) -> Option<(usize, usize)> {
        let run = self.plate_runs[self.run_of_hash(hash)?];
        Some((run.1 as usize, run.2 as usize))
    }

    /// The vehicle classes of the reads of the plate whose text hashes to `hash`
    /// ([`ClassBits`]), if the segment has it.
    pub(crate) fn hash_classes(&self, hash: u64) -> Option<u8> {
        Some(self.run_classes[self.run_of_hash(hash)?])
    }

    /// The plate run of the plate whose text hashes to `hash`.
    fn run_of_hash(&self, hash: u64) -> Option<usize> {
        let idx = self
            .runs_by_hash
            .partition_point(|&run| self.plate_runs[run as usize].0 < hash);
        self.runs_by_hash
            .get(idx)
            .map(|&run| run as usize)
            .filter(|&run| self.plate_runs[run].0 == hash)
    }

    /// Calls `each(range, ts_ms, plate hash)` for the reads of `camera_id` in each
    /// `[from_ms, to_ms)` of `ranges_ms` (times in milliseconds; see
    /// `CameraTimeIndex::windows`).
    pub(crate) fn camera_windows(
        &self,
        camera_id: &str,
        ranges_ms: &[(i64, i64)],
        each: &mut dyn FnMut(usize, i64, u64),
    ) -> Result<(), Error> {
        let mut bad_run = None;
        self.cameras
            .windows(camera_id, ranges_ms, &mut |range, ts_ms, run| match self
                .plate_runs
                .get(run as usize)
            {
                Some(&(hash, _, _)) => each(range, ts_ms, hash),
                None => bad_run = Some(run),
            })?;
        match bad_run {
            Some(run) => Err(Error::corrupt(
                self.cameras.path(),
                format!(
                    "plate run {run} beyond the segment's {}",
                    self.plate_runs.len()
                ),
            )),
            None => Ok(()),
        }
    }

    /// Reads the rows `start..start + len`, all columns.
    pub(crate) fn read_range(&self, start: usize, len: usize) -> Result<Vec<RecordBatch>, Error> {
        self.read_range_of(start, len, None)
    }

    /// Reads the rows `start..start + len`, only the columns at `columns` (positions in
    /// [`crate::schema::reads_schema`], ascending), or all of them for `None`: a reader is
    /// set up per column read, which is most of the cost of a few rows.
    pub(crate) fn read_range_of(
        &self,
        start: usize,
        len: usize,
        columns: Option<&[usize]>,
    ) -> Result<Vec<RecordBatch>, Error> {
        // Only the row groups that hold the range are opened: skipping rows of a row group
        // still sets up a page reader (and a codec) per column.
        let mut row_groups = Vec::new();
        let mut first_row = None;
        let mut group_start = 0usize;
        for (idx, group) in self.metadata.metadata().row_groups().iter().enumerate() {
            let group_end = group_start + group.num_rows() as usize;
            if group_end > start && group_start < start + len {
                row_groups.push(idx);
                first_row.get_or_insert(group_start);
            }
            group_start = group_end;
        }
        let skip = start - first_row.unwrap_or(0);
        let mut selectors = Vec::with_capacity(2);
        if skip > 0 {
            selectors.push(RowSelector::skip(skip));
        }
        selectors.push(RowSelector::select(len));
        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(
            self.reader.clone(),
            self.metadata.clone(),
        )
        .with_row_groups(row_groups)
        .with_row_selection(RowSelection::from(selectors))
        .with_batch_size(len.clamp(1, 8192));
        let builder = match columns {
            Some(columns) => {
                let mask = ProjectionMask::roots(
                    self.metadata.metadata().file_metadata().schema_descr(),
                    columns.iter().copied(),
                );
                builder.with_projection(mask)
            }
            None => builder,
        };
        let reader = builder
            .build()
            .map_err(|err| Error::parquet(&self.path, err))?;
        reader.map(|batch| batch.map_err(Error::from)).collect()
    }

    /// Reads every row, in batches.
    pub(crate) fn read_all(
        &self,
    ) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, Error> {
        all_rows(&self.reader, &self.metadata, &self.path)
    }
}

/// A reader of every row of a segment's Parquet file, in batches.
fn all_rows(
    reader: &PreadFile,
    metadata: &ArrowReaderMetadata,
    path: &Path,
) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, Error> {
    ParquetRecordBatchReaderBuilder::new_with_metadata(reader.clone(), metadata.clone())
        .with_batch_size(8192)
        .build()
        .map_err(|err| Error::parquet(path, err))
}

/// The path of a segment's index file.
pub(crate) fn index_path(root: &Path, id: u64) -> PathBuf {
    root.join("index").join(format!("seg-{id:010}.idx"))
}

/// The data-relative path of the Parquet file of segment `id` holding reads of `day`.
pub(crate) fn segment_rel_path(id: u64, day: i64) -> String {
    let date = chrono::DateTime::from_timestamp(day * 86_400, 0)
        .map(|time| time.date_naive().format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| format!("day{day}"));
    format!("segments/date={date}/seg-{id:010}.parquet")
}

/// The day (since the epoch, UTC) of a timestamp.
pub(crate) fn day_of(ts: Timestamp) -> i64 {
    ts.div_euclid(DAY_US)
}

/// Writes a batch already sorted by (plate, country, ts) as segment `id` of `day`, with its
/// index file; both are fsynced. The catalog does not list it yet.
pub(crate) fn write_segment(
    root: &Path,
    id: u64,
    day: i64,
    rows: SortedRows<'_>,
    properties: &WriterProperties,
) -> Result<String, Error> {
    assert!(rows.len() > 0, "no empty segments");
    let rel_path = segment_rel_path(id, day);
    let path = root.join(&rel_path);
    let dir = path.parent().expect("segment paths have a directory");
    crate::fsutil::create_dir(dir)?;
    let file = File::create(&path).map_err(|err| Error::io("creating segment", &path, err))?;
    let mut writer = ArrowWriter::try_new(
        BufWriter::with_capacity(1 << 20, file),
        crate::schema::reads_schema(),
        Some(properties.clone()),
    )
    .map_err(|err| Error::parquet(&path, err))?;
    let mut index = IndexBuilder::default();
    let mut cameras = CameraIndexBuilder::default();
    // A chunk at a time: the sorted copy of a whole day is never in memory at once.
    rows.for_each_chunk(|chunk| {
        index.push(chunk)?;
        cameras.push(chunk)?;
        writer
            .write(chunk)
            .map_err(|err| Error::parquet(&path, err))
    })?;
    let buffered = writer
        .into_inner()
        .map_err(|err| Error::parquet(&path, err))?;
    let file = buffered
        .into_inner()
        .map_err(|err| Error::io("writing segment", &path, err.into_error()))?;
    file.sync_all()
        .map_err(|err| Error::io("syncing segment", &path, err))?;
    crate::fsutil::sync_dir(dir)?;
    let index_path = index_path(root, id);
    // Uncompressed segments get an uncompressed index too, so that every byte of a
    // plate can be looked for (the retention tests do).
    let compress_index = properties.compression(&parquet::schema::types::ColumnPath::from("plate"))
        != parquet::basic::Compression::UNCOMPRESSED;
    let index = index.finish(compress_index)?;
    std::fs::write(&index_path, index)
        .and_then(|()| File::open(&index_path)?.sync_all())
        .map_err(|err| Error::io("writing index", &index_path, err))?;
    crate::camera_index::write(&camera_index_path(root, id), cameras)?;
    Ok(rel_path)
}

/// Rows of several batches in some order, as `(batch, row)`.
pub(crate) type Picks = Vec<(u32, u32)>;

/// Rows gathered into a segment per chunk.
const WRITE_CHUNK_ROWS: usize = 1 << 18;

/// The rows of a segment, in segment order.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SortedRows<'a> {
    /// A batch already in segment order.
    Batch(&'a RecordBatch),
    /// `(batch, row)` picks from `batches`, in segment order (see [`day_orders`] and
    /// [`merge_sorted_parts`]).
    Picked(&'a [RecordBatch], &'a [(u32, u32)]),
}

impl SortedRows<'_> {
    pub(crate) fn len(&self) -> usize {
        match self {
            SortedRows::Batch(batch) => batch.num_rows(),
            SortedRows::Picked(_, picks) => picks.len(),
        }
    }

    /// Calls `f` with the rows in order, [`WRITE_CHUNK_ROWS`] at a time.
    fn for_each_chunk(
        &self,
        mut f: impl FnMut(&RecordBatch) -> Result<(), Error>,
    ) -> Result<(), Error> {
        match *self {
            SortedRows::Batch(batch) => f(batch),
            SortedRows::Picked(batches, picks) => {
                let mut indices = Vec::with_capacity(WRITE_CHUNK_ROWS);
                for chunk in picks.chunks(WRITE_CHUNK_ROWS) {
                    indices.clear();
                    indices.extend(
                        chunk
                            .iter()
                            .map(|&(batch, row)| (batch as usize, row as usize)),
                    );
                    f(&gather(batches, &indices)?)?;
                }
                Ok(())
            }
        }
    }
}

/// Removes a segment's files (used for uncommitted and replaced segments).
pub(crate) fn remove_files(root: &Path, id: u64, rel_path: &str) {
    for path in [
        root.join(rel_path),
        index_path(root, id),
        camera_index_path(root, id),
    ] {
        if let Err(err) = std::fs::remove_file(&path)
            && err.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %path.display(), error = %err, "Could not delete a segment file.");
        }
    }
}

/// The order of rows in segments: UTC day, then plate, country and time.
pub(crate) type SortKey = (i64, u64, u16, i64);

/// The sort key of every row of a reads batch.
fn sort_keys(batch: &RecordBatch) -> Result<Vec<SortKey>, Error> {
    let columns = ReadColumns::new(batch)?;
    Ok((0..batch.num_rows())
        .map(|row| {
            let country = if columns.country.is_null(row) {
                0
            } else {
                let bytes = columns.country.value(row).as_bytes();
                u16::from_be_bytes([
                    bytes.first().copied().unwrap_or(0),
                    bytes.get(1).copied().unwrap_or(0),
                ])
            };
            let ts = columns.ts.value(row);
            (
                day_of(ts),
                plate_code(columns.plate.value(row)),
                country,
                ts,
            )
        })
        .collect())
}

/// The permutation that sorts one batch into segment order (position -> row of `batch`),
/// leaving out the rows `keep` says to drop, or `None` when every row is kept and in order
/// already; and the [`DayKey`] of every kept row in that order, for [`merge_sorted_parts`].
/// Sorting each incoming batch while it is still in cache makes the later merge of many
/// batches read every batch front to back instead of jumping around memory.
pub(crate) fn sort_order(
    batch: &RecordBatch,
    keep: Option<&[bool]>,
) -> Result<(Option<Vec<u32>>, Vec<DayKey>), Error> {
    let keys = sort_keys(batch)?;
    let keep_all = keep.is_none_or(|keep| keep.iter().all(|&kept| kept));
    if keep_all && keys.is_sorted() {
        return Ok((None, keys.iter().map(DayKey::new).collect()));
    }
    let kept = |row: usize| keep.is_none_or(|keep| keep[row]);
    // The keys themselves are sorted (no indirection); a batch of one day, the usual case,
    // sorts 32-byte `(key, row)` pairs.
    let single_day = keys
        .first()
        .is_some_and(|first| keys.iter().all(|key| key.0 == first.0));
    let (order, sorted): (Vec<u32>, Vec<DayKey>) = if single_day {
        let mut rows: Vec<(DayKey, u32)> = (0..keys.len())
            .filter(|&row| kept(row))
            .map(|row| (DayKey::new(&keys[row]), row as u32))
            .collect();
        rows.sort_unstable();
        rows.into_iter().map(|(key, row)| (row, key)).unzip()
    } else {
        let mut rows: Vec<(i64, DayKey, u32)> = (0..keys.len())
            .filter(|&row| kept(row))
            .map(|row| (keys[row].0, DayKey::new(&keys[row]), row as u32))
            .collect();
        rows.sort_unstable();
        rows.into_iter().map(|(_, key, row)| (row, key)).unzip()
    };
    Ok((Some(order), sorted))
}

/// A row's place in its day's segment order in one number: plate code, then country, then
/// the time since the start of the day (the day itself is known from where the row is).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) struct DayKey(u128);

impl DayKey {
    fn new(&(day, plate, country, ts): &SortKey) -> DayKey {
        // Under 2^37 microseconds in a day: the time fits below the country's 16 bits.
        let in_day = (ts - day * DAY_US) as u128;
        DayKey(u128::from(plate) << 64 | u128::from(country) << 48 | in_day)
    }
}

/// Merges parts of one day, each in segment order with its keys (from [`sort_order`]),
/// into `(part, row)` picks in segment order; ties go to the earlier part.
pub(crate) fn merge_sorted_parts(keys: &[&[DayKey]]) -> Picks {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut picks = Vec::with_capacity(keys.iter().map(|keys| keys.len()).sum());
    let mut heap: BinaryHeap<Reverse<(DayKey, u32, u32)>> = keys
        .iter()
        .enumerate()
        .filter_map(|(part, keys)| Some(Reverse((*keys.first()?, part as u32, 0))))
        .collect();
    while let Some(mut top) = heap.peek_mut() {
        let Reverse((_, part, row)) = *top;
        picks.push((part, row));
        match keys[part as usize].get(row as usize + 1) {
            Some(&next) => *top = Reverse((next, part, row + 1)),
            None => {
                std::collections::binary_heap::PeekMut::pop(top);
            }
        }
    }
    picks
}

/// The UTC days of a batch in segment order: `(day, first row, number of rows)`, ascending.
pub(crate) fn day_runs(batch: &RecordBatch) -> Vec<(i64, usize, usize)> {
    let ts = batch
        .column(crate::schema::col::TS)
        .as_any()
        .downcast_ref::<arrow::array::TimestampMicrosecondArray>()
        .expect("reads batches have a microsecond ts column");
    let mut runs = Vec::new();
    let mut start = 0;
    while start < batch.num_rows() {
        let day = day_of(ts.value(start));
        let len = (start..batch.num_rows())
            .take_while(|&row| day_of(ts.value(row)) == day)
            .count();
        runs.push((day, start, len));
        start += len;
    }
    runs
}

/// The rows of reads batches split by UTC day, each day in segment order (plate, country,
/// ts) as `(batch, row)` picks; days ascending (flushes and compaction; a bulk import
/// merges its pre-sorted parts with [`merge_sorted_parts`]). Batches already in segment
/// order, such as the segments being compacted, are merged rather than re-sorted.
pub(crate) fn day_orders(batches: &[RecordBatch]) -> Result<Vec<(i64, Picks)>, Error> {
    let mut keys: Vec<(SortKey, u32, u32)> =
        Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    for (batch_idx, batch) in batches.iter().enumerate() {
        keys.extend(
            sort_keys(batch)?
                .into_iter()
                .enumerate()
                .map(|(row, key)| (key, batch_idx as u32, row as u32)),
        );
    }
    // The stable sort finds the sorted runs and merges them.
    keys.sort();
    let mut days = Vec::new();
    let mut start = 0;
    while start < keys.len() {
        let day = keys[start].0.0;
        let end = start + keys[start..].partition_point(|key| key.0.0 == day);
        let picks = keys[start..end].iter().map(|key| (key.1, key.2)).collect();
        days.push((day, picks));
        start = end;
    }
    Ok(days)
}

/// Builds a batch from `(batch, row)` positions in `batches`.
fn gather(batches: &[RecordBatch], indices: &[(usize, usize)]) -> Result<RecordBatch, Error> {
    // Plain or view strings, as the batches have them.
    let schema = batches
        .first()
        .map_or_else(crate::schema::reads_schema, RecordBatch::schema);
    let columns: Vec<ArrayRef> = (0..schema.fields().len())
        .map(|col_idx| {
            let arrays: Vec<&dyn Array> = batches
                .iter()
                .map(|batch| batch.column(col_idx).as_ref())
                .collect();
            arrow::compute::interleave(&arrays, indices)
        })
        .collect::<Result<_, _>>()?;
    Ok(RecordBatch::try_new(schema, columns)?)
}

/// An order-preserving number for a normalised plate (at most 12 of `0-9A-Z`): base 37 with
/// 0 as padding, so shorter prefixes sort first, exactly like byte order.
pub(crate) fn plate_code(plate: &str) -> u64 {
    let bytes = plate.as_bytes();
    let mut code = 0u64;
    for idx in 0..corridor_domain::PLATE_LEN_MAX {
        let digit = match bytes.get(idx) {
            None => 0,
            Some(byte @ b'0'..=b'9') => u64::from(byte - b'0') + 1,
            Some(byte @ b'A'..=b'Z') => u64::from(byte - b'A') + 11,
            Some(_) => 36,
        };
        code = code * 37 + digit;
    }
    code
}

/// The hash of plate text used by the plate runs.
pub(crate) fn plate_hash(plate: &str) -> u64 {
    xxh3_64(plate.as_bytes())
}

/// Builds a segment's index file from its rows, fed in order a chunk at a time.
#[derive(Debug, Default)]
struct IndexBuilder {
    n_rows: u64,
    ts_min: Option<Timestamp>,
    ts_max: Option<Timestamp>,
    /// Encoded plate runs so far (the open run excluded).
    plates: Vec<u8>,
    n_plates: u32,
    /// The run of the last rows pushed: plate, country (zeros for none), rows, and their
    /// vehicle classes ([`ClassBits`]).
    open: Option<(String, [u8; 2], u64, u8)>,
    hashes: Vec<u64>,
}

impl IndexBuilder {
    fn push(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        let columns = ReadColumns::new(batch)?;
        let ts = columns.ts.values();
        if let (Some(&min), Some(&max)) = (ts.iter().min(), ts.iter().max()) {
            self.ts_min = Some(self.ts_min.map_or(min, |known| known.min(min)));
            self.ts_max = Some(self.ts_max.map_or(max, |known| known.max(max)));
        }
        self.n_rows += batch.num_rows() as u64;
        for row in 0..batch.num_rows() {
            let plate = columns.plate.value(row);
            let country = if columns.country.is_null(row) {
                [0, 0]
            } else {
                let code = columns.country.value(row).as_bytes();
                [code[0], code[1]]
            };
            let class = ClassBits::of(VehicleClass::of(columns.vehicle_type.get(row)));
            match &mut self.open {
                Some((open_plate, open_country, count, classes))
                    if open_plate == plate && *open_country == country =>
                {
                    *count += 1;
                    *classes |= class;
                }
                open => {
                    if let Some(closed) = open.replace((plate.to_owned(), country, 1, class)) {
                        Self::put_run(&mut self.plates, &closed);
                        self.n_plates += 1;
                    }
                }
            }
        }
        self.hashes
            .extend((0..batch.num_rows()).map(|row| id_hash(columns.read_id.value(row))));
        Ok(())
    }

    fn put_run(out: &mut Vec<u8>, (plate, country, count, classes): &(String, [u8; 2], u64, u8)) {
        out.push(plate.len() as u8);
        out.extend_from_slice(plate.as_bytes());
        out.extend_from_slice(country);
        put_varint(out, *count);
        out.push(*classes);
    }

    fn finish(mut self, compress: bool) -> Result<Vec<u8>, Error> {
        if let Some(closed) = self.open.take() {
            Self::put_run(&mut self.plates, &closed);
            self.n_plates += 1;
        }
        let mut out = Vec::with_capacity(64 + self.plates.len() + self.hashes.len() * 5);
        out.extend_from_slice(INDEX_MAGIC);
        out.extend_from_slice(&self.n_rows.to_le_bytes());
        out.extend_from_slice(&self.ts_min.unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&self.ts_max.unwrap_or(0).to_le_bytes());
        let plates = if compress {
            zstd::bulk::compress(&self.plates, INDEX_ZSTD_LEVEL)
                .map_err(|err| Error::io("compressing", Path::new("index plate section"), err))?
        } else {
            std::mem::take(&mut self.plates)
        };
        out.extend_from_slice(&self.n_plates.to_le_bytes());
        out.push(u8::from(compress));
        out.extend_from_slice(&(plates.len() as u64).to_le_bytes());
        out.extend_from_slice(&plates);
        self.hashes.sort_unstable();
        out.extend_from_slice(&(self.hashes.len() as u64).to_le_bytes());
        let mut prev = 0u64;
        for hash in self.hashes {
            put_varint(&mut out, hash - prev);
            prev = hash;
        }
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        Ok(out)
    }
}

/// The index file of a batch in segment order.
#[cfg(test)]
fn encode_index(batch: &RecordBatch, compress: bool) -> Result<Vec<u8>, Error> {
    let mut builder = IndexBuilder::default();
    builder.push(batch)?;
    builder.finish(compress)
}

struct DecodedIndex {
    n_rows: u64,
    ts_min: Timestamp,
    ts_max: Timestamp,
    plate_runs: Vec<(u64, u32, u32)>,
    run_classes: Vec<u8>,
    contents: IndexContents,
}

fn decode_index(bytes: &[u8]) -> Result<DecodedIndex, String> {
    if bytes.len() < INDEX_MAGIC.len() + 4 {
        return Err("not a corridor index file".to_owned());
    }
    let with_classes = match &bytes[..8] {
        magic if magic == INDEX_MAGIC => true,
        magic if magic == INDEX_MAGIC_V2 => false,
        _ => return Err("not a corridor index file".to_owned()),
    };
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    if crc32fast::hash(body) != u32::from_le_bytes(crc.try_into().expect("4 bytes")) {
        return Err("checksum mismatch".to_owned());
    }
    let mut cursor = &body[8..];
    let truncated = || "truncated".to_owned();
    let n_rows = take_u64(&mut cursor).ok_or_else(truncated)?;
    let ts_min = take_u64(&mut cursor).ok_or_else(truncated)? as i64;
    let ts_max = take_u64(&mut cursor).ok_or_else(truncated)? as i64;
    let n_plates = take_bytes(&mut cursor, 4).ok_or_else(truncated)?;
    let n_plates = u32::from_le_bytes(n_plates.try_into().expect("4 bytes")) as usize;
    let compressed = *take_bytes(&mut cursor, 1)
        .ok_or_else(truncated)?
        .first()
        .ok_or_else(truncated)?
        == 1;
    let n_section = take_u64(&mut cursor).ok_or_else(truncated)? as usize;
    let section = take_bytes(&mut cursor, n_section).ok_or_else(truncated)?;
    let plate_section = if compressed {
        // Each plate entry takes at most 1 + PLATE_LEN_MAX + 2 + 10 + 1 bytes.
        let capacity = n_plates.saturating_mul(corridor_domain::PLATE_LEN_MAX + 14);
        zstd::bulk::decompress(section, capacity).map_err(|err| format!("plate section: {err}"))?
    } else {
        section.to_vec()
    };
    let mut plate_cursor = &plate_section[..];
    let mut plates = Vec::with_capacity(n_plates);
    let mut plate_runs: Vec<(u64, u32, u32)> = Vec::with_capacity(n_plates);
    let mut run_classes: Vec<u8> = Vec::with_capacity(n_plates);
    let mut row = 0u64;
    let mut prev_text: Option<PlateText> = None;
    for _ in 0..n_plates {
        let len = *take_bytes(&mut plate_cursor, 1)
            .ok_or_else(truncated)?
            .first()
            .ok_or_else(truncated)?;
        let text = take_bytes(&mut plate_cursor, len as usize).ok_or_else(truncated)?;
        let text = std::str::from_utf8(text).map_err(|_| "plate is not UTF-8".to_owned())?;
        let text = PlateText::parse(text).map_err(|err| err.to_string())?;
        let country_bytes = take_bytes(&mut plate_cursor, 2).ok_or_else(truncated)?;
        let country = if country_bytes == [0, 0] {
            None
        } else {
            let code = std::str::from_utf8(country_bytes).map_err(|_| "bad country".to_owned())?;
            Some(Country::parse(code).map_err(|err| err.to_string())?)
        };
        let count = take_varint(&mut plate_cursor).ok_or_else(truncated)?;
        // Older files do not say: every class may be there.
        let classes = if with_classes {
            *take_bytes(&mut plate_cursor, 1)
                .ok_or_else(truncated)?
                .first()
                .ok_or_else(truncated)?
        } else {
            ClassBits::ALL
        };
        if prev_text.as_ref() == Some(&text) {
            plate_runs.last_mut().expect("previous run").2 += count as u32;
            *run_classes.last_mut().expect("previous run") |= classes;
        } else {
            plate_runs.push((plate_hash(text.as_str()), row as u32, count as u32));
            run_classes.push(classes);
        }
        row += count;
        prev_text = Some(text.clone());
        plates.push((PlateKey { text, country }, count));
    }
    if row != n_rows || !plate_cursor.is_empty() {
        return Err("plate counts do not add up to the row count".to_owned());
    }
    let n_ids = take_u64(&mut cursor).ok_or_else(truncated)? as usize;
    let mut id_hashes = Vec::with_capacity(n_ids.min(body.len()));
    let mut prev = 0u64;
    for _ in 0..n_ids {
        prev = prev.wrapping_add(take_varint(&mut cursor).ok_or_else(truncated)?);
        id_hashes.push(prev);
    }
    Ok(DecodedIndex {
        n_rows,
        ts_min,
        ts_max,
        plate_runs,
        run_classes,
        contents: IndexContents { plates, id_hashes },
    })
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn take_bytes<'a>(cursor: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if cursor.len() < n {
        return None;
    }
    let (head, tail) = cursor.split_at(n);
    *cursor = tail;
    Some(head)
}

fn take_u64(cursor: &mut &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(take_bytes(cursor, 8)?.try_into().ok()?))
}

fn take_varint(cursor: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *take_bytes(cursor, 1)?.first()?;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// The vehicle classes of a plate run's reads as bits, one per [`VehicleClass`].
pub(crate) struct ClassBits;

impl ClassBits {
    pub(crate) const UNKNOWN: u8 = 1;
    pub(crate) const LIGHT: u8 = 2;
    pub(crate) const HEAVY: u8 = 4;
    pub(crate) const ALL: u8 = Self::UNKNOWN | Self::LIGHT | Self::HEAVY;

    pub(crate) fn of(class: VehicleClass) -> u8 {
        match class {
            VehicleClass::Unknown => Self::UNKNOWN,
            VehicleClass::Light => Self::LIGHT,
            VehicleClass::Heavy => Self::HEAVY,
        }
    }
}

/// A file read with `pread`, so concurrent lookups share one descriptor without seeking.
#[derive(Clone, Debug)]
struct PreadFile {
    file: Arc<File>,
    len: u64,
}

impl PreadFile {
    fn new(file: File, path: &Path) -> Result<PreadFile, Error> {
        let len = file
            .metadata()
            .map_err(|err| Error::io("reading size of", path, err))?
            .len();
        Ok(PreadFile {
            file: Arc::new(file),
            len,
        })
    }
}

impl Length for PreadFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for PreadFile {
    type T = PreadReader;

    fn get_read(&self, start: u64) -> parquet::errors::Result<PreadReader> {
        Ok(PreadReader {
            file: self.file.clone(),
            pos: start,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        let mut buffer = vec![0; length];
        self.file.read_exact_at(&mut buffer, start)?;
        Ok(Bytes::from(buffer))
    }
}

/// A sequential reader over a [`PreadFile`].
#[derive(Debug)]
struct PreadReader {
    file: Arc<File>,
    pos: u64,
}

impl Read for PreadReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plate_code_orders_like_bytes() {
        let mut plates = vec![
            "AB12CDE", "AB1", "A", "ZZ9", "0", "AB12CD", "B", "9Z", "AB12CDF",
        ];
        let mut by_code = plates.clone();
        plates.sort_unstable();
        by_code.sort_by_key(|plate| plate_code(plate));
        assert_eq!(plates, by_code);
    }

    fn read(
        read_id: &str,
        plate: &str,
        country: Option<&str>,
        ts: i64,
    ) -> corridor_domain::PlateRead {
        corridor_domain::PlateRead {
            read_id: read_id.to_owned(),
            plate: PlateText::parse(plate).unwrap(),
            country: country.map(|code| Country::parse(code).unwrap()),
            camera_id: "cam".to_owned(),
            ts,
            confidence: None,
            lat: None,
            lon: None,
            heading_deg: None,
            make: None,
            model: None,
            colour: None,
            vehicle_type: None,
        }
    }

    #[test]
    fn merging_sorted_parts_gives_the_order_of_one_sort() {
        // Parts of one day as a bulk import makes them: each sorted on its own.
        let plates = ["AB12CDE", "AB12CD", "Z1", "AB12CDE", "K9", "AB1"];
        let countries = [Some("GB"), None, Some("FR"), None, Some("GB"), Some("NL")];
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        let mut id = 0;
        let mut reads_of_all = Vec::new();
        let mut batches = Vec::new();
        let mut keys = Vec::new();
        for n_rows in [0, 1, 40, 17, 300] {
            let reads: Vec<_> = (0..n_rows)
                .map(|_| {
                    id += 1;
                    let pick = next() % plates.len();
                    // Same day; times collide now and then.
                    let ts = 3 * DAY_US + (next() % 50) as i64 * 1_000_000;
                    read(&format!("r{id}"), plates[pick], countries[pick], ts)
                })
                .collect();
            if reads.is_empty() {
                continue;
            }
            let batch = crate::schema::reads_to_batch(&reads);
            let (order, part_keys) = sort_order(&batch, None).unwrap();
            let batch = match order {
                Some(order) => arrow::compute::take_record_batch(
                    &batch,
                    &arrow::array::UInt32Array::from(order),
                )
                .unwrap(),
                None => batch,
            };
            reads_of_all.extend(reads);
            batches.push(batch);
            keys.push(part_keys);
        }
        let key_slices: Vec<&[DayKey]> = keys.iter().map(Vec::as_slice).collect();
        let picks: Vec<(usize, usize)> = merge_sorted_parts(&key_slices)
            .into_iter()
            .map(|(part, row)| (part as usize, row as usize))
            .collect();
        assert_eq!(picks.len(), reads_of_all.len());
        let merged = crate::schema::batch_to_reads(&gather(&batches, &picks).unwrap()).unwrap();
        let (_, expected) = day_orders(&[crate::schema::reads_to_batch(&reads_of_all)])
            .unwrap()
            .remove(0);
        let key = |read: &corridor_domain::PlateRead| {
            (
                read.plate.as_str().to_owned(),
                read.country.map(|c| c.to_string()),
                read.ts,
            )
        };
        let merged_keys: Vec<_> = merged.iter().map(key).collect();
        let expected_keys: Vec<_> = expected
            .iter()
            .map(|&(_, row)| key(&reads_of_all[row as usize]))
            .collect();
        assert_eq!(merged_keys, expected_keys);
        let mut ids: Vec<&str> = merged.iter().map(|read| read.read_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), reads_of_all.len(), "every row exactly once");
    }

    #[test]
    fn index_files_round_trip_and_find_plate_ranges() {
        let reads = vec![
            read("a", "ZZ1", None, 5),
            read("b", "AB1", Some("GB"), 3),
            read("c", "AB1", None, 9),
            read("d", "AB1", Some("FR"), 1),
            read("e", "AB1", Some("GB"), 2),
        ];
        let batches = [crate::schema::reads_to_batch(&reads)];
        let days = day_orders(&batches).unwrap();
        assert_eq!(days.len(), 1);
        let picks: Vec<(usize, usize)> = days[0]
            .1
            .iter()
            .map(|&(batch, row)| (batch as usize, row as usize))
            .collect();
        let day = gather(&batches, &picks).unwrap();
        let sorted = crate::schema::batch_to_reads(&day).unwrap();
        let order: Vec<&str> = sorted.iter().map(|read| read.read_id.as_str()).collect();
        assert_eq!(
            order,
            ["c", "d", "e", "b", "a"],
            "plate, then country (none first), then ts"
        );
        let bytes = encode_index(&day, true).unwrap();
        let decoded = decode_index(&bytes).unwrap();
        assert_eq!((decoded.n_rows, decoded.ts_min, decoded.ts_max), (5, 1, 9));
        let counts: Vec<(String, u64)> = decoded
            .contents
            .plates
            .iter()
            .map(|(key, count)| (format!("{}/{:?}", key.text, key.country), *count))
            .collect();
        assert_eq!(
            counts,
            [
                ("AB1/None".to_owned(), 1),
                ("AB1/Some(FR)".to_owned(), 1),
                ("AB1/Some(GB)".to_owned(), 2),
                ("ZZ1/None".to_owned(), 1)
            ]
        );
        let run_of = |plate: &str| {
            decoded
                .plate_runs
                .iter()
                .find(|run| run.0 == plate_hash(plate))
                .map(|run| (run.1, run.2))
        };
        assert_eq!(run_of("AB1"), Some((0, 4)));
        assert_eq!(run_of("ZZ1"), Some((4, 1)));
        let mut ids: Vec<u64> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|id| id_hash(id))
            .collect();
        ids.sort_unstable();
        assert_eq!(decoded.contents.id_hashes, ids);
        let mut damaged = bytes.clone();
        damaged[20] ^= 1;
        assert_eq!(
            decode_index(&damaged).err(),
            Some("checksum mismatch".to_owned())
        );
    }

    #[test]
    fn plate_runs_record_their_vehicle_classes_and_older_indexes_read_as_every_class() {
        let typed = |id: &str, plate: &str, country: Option<&str>, kind: Option<&str>| {
            corridor_domain::PlateRead {
                vehicle_type: kind.map(str::to_owned),
                ..read(id, plate, country, 3 * DAY_US + id.len() as i64)
            }
        };
        let reads = [
            typed("a", "AB1", Some("GB"), Some("lorry")),
            typed("b", "AB1", Some("FR"), Some("Coach")),
            typed("c", "CD2", None, Some("car")),
            typed("d", "CD2", None, Some("HGV")),
            typed("e", "EF3", None, None),
            typed("f", "GH4", Some("GB"), Some("bus")),
            typed("g", "GH4", Some("GB"), Some("van")),
        ];
        let day = in_segment_order(&reads);
        let decoded = decode_index(&encode_index(&day, true).unwrap()).unwrap();
        let classes_of = |plate: &str| {
            let run = decoded
                .plate_runs
                .iter()
                .position(|run| run.0 == plate_hash(plate))
                .unwrap();
            decoded.run_classes[run]
        };
        // A plate's runs of several countries make one run of its text, classes joined.
        assert_eq!(classes_of("AB1"), ClassBits::HEAVY);
        assert_eq!(classes_of("CD2"), ClassBits::LIGHT | ClassBits::HEAVY);
        assert_eq!(classes_of("EF3"), ClassBits::UNKNOWN);
        assert_eq!(classes_of("GH4"), ClassBits::LIGHT | ClassBits::HEAVY);

        // An index written before the classes were recorded: every class may be there.
        let mut section = vec![3u8];
        section.extend_from_slice(b"AB1");
        section.extend_from_slice(&[0, 0]);
        put_varint(&mut section, 1);
        let mut v2 = INDEX_MAGIC_V2.to_vec();
        for value in [1u64, 5, 5] {
            v2.extend_from_slice(&value.to_le_bytes());
        }
        v2.extend_from_slice(&1u32.to_le_bytes());
        v2.push(0);
        v2.extend_from_slice(&(section.len() as u64).to_le_bytes());
        v2.extend_from_slice(&section);
        v2.extend_from_slice(&0u64.to_le_bytes());
        let crc = crc32fast::hash(&v2);
        v2.extend_from_slice(&crc.to_le_bytes());
        let decoded = decode_index(&v2).unwrap();
        assert_eq!(decoded.plate_runs, [(plate_hash("AB1"), 0, 1)]);
        assert_eq!(decoded.run_classes, [ClassBits::ALL]);
    }

    #[test]
    fn segment_paths_name_the_day() {
        assert_eq!(
            segment_rel_path(42, day_of(1_764_460_800_000_000)),
            "segments/date=2025-11-30/seg-0000000042.parquet"
        );
        assert_eq!(day_of(-1), -1);
    }

    /// One day's reads as a segment holds them: by plate, country, then time.
    fn in_segment_order(reads: &[corridor_domain::PlateRead]) -> RecordBatch {
        let batches = [crate::schema::reads_to_batch(reads)];
        let (_, picks) = day_orders(&batches).unwrap().remove(0);
        let picks: Vec<(usize, usize)> = picks
            .iter()
            .map(|&(batch, row)| (batch as usize, row as usize))
            .collect();
        gather(&batches, &picks).unwrap()
    }

    /// Reads of a few plates over one day, in arrival (time) order.
    fn day_of_reads(n: usize) -> Vec<corridor_domain::PlateRead> {
        let plates = ["AB1", "CD22", "EF333", "GH4444", "JK5"];
        (0..n)
            .map(|idx| {
                let plate = plates[idx * 7 % plates.len()];
                let country = (idx % 3 == 0).then_some("GB");
                read(&format!("r{idx}"), plate, country, idx as i64 * 1_000_000)
            })
            .collect()
    }

    #[test]
    fn an_index_built_in_chunks_equals_one_built_at_once() {
        let day = in_segment_order(&day_of_reads(101));
        let whole = encode_index(&day, true).unwrap();
        // Chunk ends that fall inside plate runs, and a one-row chunk.
        let mut builder = IndexBuilder::default();
        let mut start = 0;
        for len in [7, 1, 30, 63] {
            builder.push(&day.slice(start, len)).unwrap();
            start += len;
        }
        assert_eq!(start, day.num_rows());
        assert_eq!(builder.finish(true).unwrap(), whole);
    }

    #[test]
    fn ranges_read_across_row_groups_from_picked_rows() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("index")).unwrap();
        let reads = day_of_reads(200);
        // Two unsorted input batches, written through picks as a segment of 16-row groups.
        let batches = [
            crate::schema::reads_to_batch(&reads[..120]),
            crate::schema::reads_to_batch(&reads[120..]),
        ];
        let (day, picks) = day_orders(&batches).unwrap().remove(0);
        let properties = WriterProperties::builder()
            .set_max_row_group_row_count(Some(16))
            .set_data_page_row_count_limit(4)
            .build();
        let rel_path = write_segment(
            dir.path(),
            7,
            day,
            SortedRows::Picked(&batches, &picks),
            &properties,
        )
        .unwrap();
        let (segment, contents) = Segment::open(dir.path(), 7, &rel_path).unwrap();
        assert!(segment.metadata.metadata().num_row_groups() > 5);
        assert_eq!(contents.id_hashes.len(), 200);
        let mut expected: Vec<corridor_domain::PlateRead> = reads.clone();
        expected.sort_by_key(|read| {
            (
                read.plate.as_str().to_owned(),
                read.country.map(|country| country.to_string()),
                read.ts,
            )
        });
        for plate in ["AB1", "CD22", "EF333", "GH4444", "JK5"] {
            let (start, len) = segment
                .plate_range(&PlateText::parse(plate).unwrap())
                .unwrap();
            let got: Vec<corridor_domain::PlateRead> = segment
                .read_range(start, len)
                .unwrap()
                .iter()
                .flat_map(|batch| crate::schema::batch_to_reads(batch).unwrap())
                .collect();
            let want: Vec<corridor_domain::PlateRead> = expected
                .iter()
                .filter(|read| read.plate.as_str() == plate)
                .cloned()
                .collect();
            assert_eq!(got, want, "reads of {plate}");
        }
    }
}
