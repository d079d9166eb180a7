//! The camera-time index of a segment: its reads ordered by camera and time, so that the
//! reads one camera saw in a time window are found without decoding the segment (a
//! targeted convoy search looks at a window around every read of one vehicle).
//!
//! ```text
//! DATA/index/seg-0000000042.cti   per camera: its reads' times, ascending, and their plate runs
//! ```
//!
//! File: `b"CRDXCTI1"`, n_rows u64, base_ms i64, n_cameras u32, then per camera in id
//! order: id length u16, id bytes, reads u32; a CRC-32 of everything before it. Then the
//! times of every read, per camera in that order and ascending within a camera (u32
//! milliseconds since base_ms), then in the same order the ordinal of each read's plate
//! run (the segment's distinct plate texts, in row order). All integers little-endian.
//!
//! The header is checked by its CRC and the file by its length; the two arrays are read a
//! camera at a time, and a plate run beyond the segment's is reported as corruption. The
//! index is derived from the segment: a missing or damaged one is rebuilt when the
//! segment is opened.

use crate::Error;
use crate::schema::ReadColumns;
use arrow::array::RecordBatch;
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"CRDXCTI1";
/// Bytes read first when opening an index: the whole header of any index with fewer than
/// a few thousand cameras.
const HEADER_READ_FIRST: u64 = 64 * 1024;

/// The path of a segment's camera-time index.
pub(crate) fn camera_index_path(root: &Path, id: u64) -> PathBuf {
    root.join("index").join(format!("seg-{id:010}.cti"))
}

/// Builds a camera-time index from a segment's rows, fed in segment order.
#[derive(Debug, Default)]
pub(crate) struct CameraIndexBuilder {
    camera_ids: HashMap<String, u32>,
    /// `(camera, ts in ms, plate run)` per row.
    entries: Vec<(u32, i64, u32)>,
    /// The plate text of the last row pushed, and the number of runs so far.
    last_plate: Option<String>,
    n_runs: u32,
}

impl CameraIndexBuilder {
    pub(crate) fn push(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        let columns = ReadColumns::new(batch)?;
        let ts = columns.ts.values();
        self.entries.reserve(batch.num_rows());
        for row in 0..batch.num_rows() {
            let plate = columns.plate.value(row);
            if self.last_plate.as_deref() != Some(plate) {
                self.n_runs += 1;
                self.last_plate = Some(plate.to_owned());
            }
            let camera_id = columns.camera_id.value(row);
            let next_id = self.camera_ids.len() as u32;
            let camera = match self.camera_ids.get(camera_id) {
                Some(&camera) => camera,
                None => *self
                    .camera_ids
                    .entry(camera_id.to_owned())
                    .or_insert(next_id),
            };
            self.entries
                .push((camera, ts[row].div_euclid(1000), self.n_runs - 1));
        }
        Ok(())
    }

    /// The file's bytes.
    pub(crate) fn finish(self) -> Result<Vec<u8>, Error> {
        let mut cameras: Vec<(String, u32)> = self.camera_ids.into_iter().collect();
        cameras.sort_unstable();
        // Camera numbers in id order.
        let mut rank = vec![0u32; cameras.len()];
        for (position, (_, camera)) in cameras.iter().enumerate() {
            rank[*camera as usize] = position as u32;
        }
        let mut entries = self.entries;
        for entry in &mut entries {
            entry.0 = rank[entry.0 as usize];
        }
        entries.sort_unstable();
        let base_ms = entries.iter().map(|entry| entry.1).min().unwrap_or(0);
        let mut counts = vec![0u32; cameras.len()];
        for entry in &entries {
            counts[entry.0 as usize] += 1;
        }
        let mut out = Vec::with_capacity(64 + cameras.len() * 24 + entries.len() * 8);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        out.extend_from_slice(&base_ms.to_le_bytes());
        out.extend_from_slice(&(cameras.len() as u32).to_le_bytes());
        for ((camera_id, _), count) in cameras.iter().zip(&counts) {
            let len = u16::try_from(camera_id.len()).map_err(|_| Error::BadBatch {
                row: 0,
                column: "camera_id".to_owned(),
                reason: format!("camera id of {} bytes (at most 65535)", camera_id.len()),
            })?;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(camera_id.as_bytes());
            out.extend_from_slice(&count.to_le_bytes());
        }
        out.extend_from_slice(&crc32fast::hash(&out).to_le_bytes());
        for entry in &entries {
            let offset = u32::try_from(entry.1 - base_ms).map_err(|_| Error::BadBatch {
                row: 0,
                column: "ts".to_owned(),
                reason: "a segment's reads span more than 49 days".to_owned(),
            })?;
            out.extend_from_slice(&offset.to_le_bytes());
        }
        for entry in &entries {
            out.extend_from_slice(&entry.2.to_le_bytes());
        }
        Ok(out)
    }
}

/// Writes the camera-time index of `batches` (a segment's rows in order) to `path`, synced.
pub(crate) fn write(path: &Path, builder: CameraIndexBuilder) -> Result<(), Error> {
    let bytes = builder.finish()?;
    std::fs::write(path, bytes)
        .and_then(|()| File::open(path)?.sync_all())
        .map_err(|err| Error::io("writing camera index", path, err))
}

/// `(camera id, first entry, entries)` of one camera; a file's are sorted by id.
type CameraEntries = (String, u64, u32);

/// An opened camera-time index: its camera directory in memory, its arrays on disk.
#[derive(Debug)]
pub(crate) struct CameraTimeIndex {
    file: File,
    path: PathBuf,
    n_rows: u64,
    base_ms: i64,
    cameras: Vec<CameraEntries>,
    /// Byte offset of the times array.
    data_start: u64,
}

impl CameraTimeIndex {
    /// Opens the index at `path` for a segment of `n_rows` rows; `Ok(None)` when it is
    /// missing, or damaged in a way that rebuilding mends (wrong length, bad header).
    pub(crate) fn open(path: &Path, n_rows: u64) -> Result<Option<CameraTimeIndex>, Error> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(Error::io("opening camera index", path, err)),
        };
        let len = file
            .metadata()
            .map_err(|err| Error::io("reading camera index", path, err))?
            .len();
        // Only the header is read: the arrays are read a camera at a time by searches.
        let mut header = Vec::new();
        let mut parsed = None;
        for prefix in [HEADER_READ_FIRST, len] {
            header.resize(prefix.min(len) as usize, 0);
            file.read_exact_at(&mut header, 0)
                .map_err(|err| Error::io("reading camera index", path, err))?;
            parsed = parse_header(&header, n_rows);
            if parsed.is_some() || prefix >= len {
                break;
            }
        }
        let Some((header_len, base_ms, cameras)) = parsed else {
            tracing::warn!(path = %path.display(), "A camera index is damaged; rebuilding it.");
            return Ok(None);
        };
        let data_start = header_len as u64;
        if len != data_start + n_rows * 8 {
            tracing::warn!(path = %path.display(), "A camera index has the wrong length; rebuilding it.");
            return Ok(None);
        }
        Ok(Some(CameraTimeIndex {
            file,
            path: path.to_owned(),
            n_rows,
            base_ms,
            cameras,
            data_start,
        }))
    }

    /// The file's size.
    pub(crate) fn bytes(&self) -> u64 {
        self.data_start + self.n_rows * 8
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Calls `each(range, ts_ms, plate_run)` for the reads of `camera_id` with
    /// `from_ms <= ts_ms < to_ms` for each `(from_ms, to_ms)` of `ranges_ms` (`range` is
    /// its position), in time order within a range; the camera's times are read once.
    pub(crate) fn windows(
        &self,
        camera_id: &str,
        ranges_ms: &[(i64, i64)],
        each: &mut dyn FnMut(usize, i64, u32),
    ) -> Result<(), Error> {
        let Ok(idx) = self
            .cameras
            .binary_search_by(|(id, _, _)| id.as_str().cmp(camera_id))
        else {
            return Ok(());
        };
        let (_, first, count) = self.cameras[idx];
        let relative = |ms: i64| (ms - self.base_ms).clamp(0, i64::from(u32::MAX) + 1);
        let mut times = None;
        for (range, &(from_ms, to_ms)) in ranges_ms.iter().enumerate() {
            let (from, to) = (relative(from_ms), relative(to_ms));
            if from >= to {
                continue;
            }
            let times: &Vec<u32> = match &mut times {
                Some(times) => times,
                None => times.insert(self.read_u32s(self.data_start + first * 4, count as usize)?),
            };
            let lo = times.partition_point(|&t| i64::from(t) < from);
            let hi = times.partition_point(|&t| i64::from(t) < to);
            if lo == hi {
                continue;
            }
            let runs_start = self.data_start + self.n_rows * 4 + (first + lo as u64) * 4;
            let runs = self.read_u32s(runs_start, hi - lo)?;
            for (&time, &run) in times[lo..hi].iter().zip(&runs) {
                each(range, self.base_ms + i64::from(time), run);
            }
        }
        Ok(())
    }

    fn read_u32s(&self, offset: u64, n: usize) -> Result<Vec<u32>, Error> {
        let mut bytes = vec![0u8; n * 4];
        self.file
            .read_exact_at(&mut bytes, offset)
            .map_err(|err| Error::io("reading camera index", &self.path, err))?;
        Ok(bytes
            .chunks_exact(4)
            .map(|chunk| u32::from_le_bytes(chunk.try_into().expect("4 bytes")))
            .collect())
    }
}

/// `(header length, base_ms, cameras)` of a well-formed header for `n_rows` rows.
fn parse_header(bytes: &[u8], n_rows: u64) -> Option<(usize, i64, Vec<CameraEntries>)> {
    if !bytes.starts_with(MAGIC) {
        return None;
    }
    let mut pos = MAGIC.len();
    let mut take = |n: usize| -> Option<&[u8]> {
        let head = bytes.get(pos..pos.checked_add(n)?)?;
        pos += n;
        Some(head)
    };
    let stored_rows = u64::from_le_bytes(take(8)?.try_into().ok()?);
    let base_ms = i64::from_le_bytes(take(8)?.try_into().ok()?);
    let n_cameras = u32::from_le_bytes(take(4)?.try_into().ok()?);
    let mut cameras = Vec::new();
    let mut first = 0u64;
    for _ in 0..n_cameras {
        let len = u16::from_le_bytes(take(2)?.try_into().ok()?);
        let id = std::str::from_utf8(take(len as usize)?).ok()?.to_owned();
        let count = u32::from_le_bytes(take(4)?.try_into().ok()?);
        cameras.push((id, first, count));
        first += u64::from(count);
    }
    let crc = u32::from_le_bytes(take(4)?.try_into().ok()?);
    let header_len = pos - 4;
    let sorted = cameras.windows(2).all(|pair| pair[0].0 < pair[1].0);
    (stored_rows == n_rows
        && first == n_rows
        && sorted
        && crc32fast::hash(&bytes[..header_len]) == crc)
        .then_some((header_len + 4, base_ms, cameras))
}

/// Builds and writes the camera-time index of a segment from its rows.
pub(crate) fn rebuild(
    path: &Path,
    batches: impl Iterator<Item = Result<RecordBatch, Error>>,
) -> Result<(), Error> {
    let mut builder = CameraIndexBuilder::default();
    for batch in batches {
        builder.push(&batch?)?;
    }
    // Written aside and renamed, so that a crash never leaves a half-written index that
    // passes for a whole one.
    let aside = path.with_extension("cti.tmp");
    write(&aside, builder)?;
    std::fs::rename(&aside, path).map_err(|err| Error::io("renaming camera index", path, err))
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_domain::{PlateRead, PlateText};

    fn read(id: &str, plate: &str, camera: &str, ts: i64) -> PlateRead {
        PlateRead {
            read_id: id.to_owned(),
            plate: PlateText::parse(plate).unwrap(),
            country: None,
            camera_id: camera.to_owned(),
            ts,
            confidence: None,
            make: None,
            model: None,
            colour: None,
            vehicle_type: None,
            lat: None,
            lon: None,
            heading_deg: None,
        }
    }

    fn index_of(reads: &[PlateRead], dir: &Path) -> CameraTimeIndex {
        let batch = crate::schema::reads_to_batch(reads);
        let path = dir.join("seg.cti");
        let mut builder = CameraIndexBuilder::default();
        builder.push(&batch).unwrap();
        write(&path, builder).unwrap();
        CameraTimeIndex::open(&path, reads.len() as u64)
            .unwrap()
            .expect("a whole index")
    }

    fn window(index: &CameraTimeIndex, camera: &str, range: (i64, i64)) -> Vec<(i64, u32)> {
        let mut hits = Vec::new();
        index
            .windows(camera, &[range], &mut |_, ts, run| hits.push((ts, run)))
            .unwrap();
        hits
    }

    #[test]
    fn a_window_gives_the_cameras_reads_in_time_order_with_their_plate_runs() {
        let dir = tempfile::tempdir().unwrap();
        // Segment order: by plate, then time.
        let reads = [
            read("a1", "AA11", "CAM-2", 5_000_000),
            read("a2", "AA11", "CAM-1", 9_000_000),
            read("b1", "BB22", "CAM-1", 1_000_000),
            read("b2", "BB22", "CAM-1", 9_500_000),
            read("c1", "CC33", "CAM-1", 4_000_999),
        ];
        let index = index_of(&reads, dir.path());
        assert_eq!(
            window(&index, "CAM-1", (0, 100_000)),
            vec![(1_000, 1), (4_000, 2), (9_000, 0), (9_500, 1)]
        );
        assert_eq!(window(&index, "CAM-1", (4_001, 9_500)), vec![(9_000, 0)]);
        assert_eq!(window(&index, "CAM-2", (0, 5_000)), vec![]);
        assert_eq!(window(&index, "CAM-2", (5_000, 5_001)), vec![(5_000, 0)]);
        assert_eq!(window(&index, "CAM-9", (0, 100_000)), vec![]);
        // Bounds far outside the segment's span are clamped, not wrapped.
        assert_eq!(
            window(&index, "CAM-2", (i64::MIN / 2, i64::MAX / 2)).len(),
            1
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 32, ..Default::default() })]

        /// Cameras with hundreds of reads, some at the same millisecond: each window gives
        /// exactly the reads a filter of every read gives, in time order, on every search.
        #[test]
        fn windows_over_many_reads_give_what_a_filter_gives(
            times in proptest::collection::vec((0usize..3, 0i64..2_000), 1..700),
            ranges in proptest::collection::vec((-10i64..2_100, 0i64..400), 1..6),
        ) {
            let dir = tempfile::tempdir().unwrap();
            // One read per plate, so the plate runs are the reads in plate order.
            let mut reads: Vec<PlateRead> = times
                .iter()
                .enumerate()
                .map(|(n, &(camera, ms))| {
                    read(&format!("r{n}"), &format!("P{n:05}"), &format!("CAM-{camera}"), ms * 1000)
                })
                .collect();
            reads.sort_by(|a, b| a.plate.cmp(&b.plate));
            let index = index_of(&reads, dir.path());
            for _ in 0..2 {
                for camera in 0..3 {
                    let camera_id = format!("CAM-{camera}");
                    for &(from, len) in &ranges {
                        let (from, to) = (from, from + len);
                        let mut expected: Vec<(i64, u32)> = reads
                            .iter()
                            .enumerate()
                            .filter(|(_, read)| read.camera_id == camera_id)
                            .filter(|(_, read)| (from..to).contains(&(read.ts / 1000)))
                            .map(|(run, read)| (read.ts / 1000, run as u32))
                            .collect();
                        expected.sort_unstable();
                        let mut found = window(&index, &camera_id, (from, to));
                        proptest::prop_assert!(found.is_sorted_by_key(|hit| hit.0), "time order");
                        found.sort_unstable();
                        proptest::prop_assert_eq!(found, expected);
                    }
                }
            }
        }
    }

    #[test]
    fn a_damaged_or_truncated_index_is_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let reads = [
            read("a1", "AA11", "CAM-1", 5_000_000),
            read("b1", "BB22", "CAM-1", 6_000_000),
        ];
        let path = index_of(&reads, dir.path()).path;
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(CameraTimeIndex::open(&path, 2).unwrap().is_none());
        let mut flipped = bytes.clone();
        flipped[12] ^= 1;
        std::fs::write(&path, &flipped).unwrap();
        assert!(CameraTimeIndex::open(&path, 2).unwrap().is_none());
        std::fs::write(&path, &bytes).unwrap();
        assert!(CameraTimeIndex::open(&path, 3).unwrap().is_none());
        assert!(CameraTimeIndex::open(&path, 2).unwrap().is_some());
        std::fs::remove_file(&path).unwrap();
        assert!(CameraTimeIndex::open(&path, 2).unwrap().is_none());
    }
}
