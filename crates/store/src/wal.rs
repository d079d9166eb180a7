//! The write-ahead log: CRC-framed records of reads, group commit, replay and torn-tail repair.
//!
//! ```text
//! DATA/wal/00000000000000000007.wal   one file per generation; a flush starts a new one
//! record = len: u32 LE | crc32(len bytes ++ payload): u32 LE | payload (len bytes)
//! payload = n_reads: u32 LE, then each read (see `encode_read`)
//! ```
//!
//! Writers append their record to a shared buffer under a mutex; the first writer to find
//! no fsync running becomes the leader, writes the whole buffer and calls `fdatasync`
//! once for everyone in it (group commit). A record is durable once its sequence number
//! is at most [`Wal::durable_seq`].

use crate::Error;
use corridor_domain::{Country, PlateRead, PlateText};
use parking_lot::{Condvar, Mutex};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const HEADER_LEN: usize = 8;
/// Records larger than this are treated as garbage on replay (no writer produces them).
const RECORD_LEN_MAX: usize = 1 << 30;

/// The open WAL of a store.
#[derive(Debug)]
pub(crate) struct Wal {
    dir: PathBuf,
    delay_max: Duration,
    state: Mutex<WalState>,
    synced: Condvar,
    durable_seq: AtomicU64,
}

#[derive(Debug)]
struct WalState {
    file: File,
    path: PathBuf,
    generation: u64,
    pending: Vec<u8>,
    /// Sequence number of the last record appended (0 = none yet).
    last_seq: u64,
    syncing: bool,
    poisoned: Option<String>,
}

impl Wal {
    /// Starts a new generation file `generation` in `dir`.
    pub(crate) fn create(dir: &Path, generation: u64, delay_max: Duration) -> Result<Wal, Error> {
        let (file, path) = create_generation(dir, generation)?;
        Ok(Wal {
            dir: dir.to_owned(),
            delay_max,
            state: Mutex::new(WalState {
                file,
                path,
                generation,
                pending: Vec::with_capacity(1 << 20),
                last_seq: 0,
                syncing: false,
                poisoned: None,
            }),
            synced: Condvar::new(),
            durable_seq: AtomicU64::new(0),
        })
    }

    /// Queues a record of `reads`; returns its sequence number. Not durable yet.
    pub(crate) fn append(&self, reads: &[&PlateRead]) -> Result<u64, Error> {
        let mut state = self.state.lock();
        if let Some(reason) = &state.poisoned {
            return Err(Error::Poisoned {
                reason: reason.clone(),
            });
        }
        encode_record(reads, &mut state.pending);
        state.last_seq += 1;
        Ok(state.last_seq)
    }

    /// The highest sequence number known to be on disk.
    pub(crate) fn durable_seq(&self) -> u64 {
        self.durable_seq.load(Ordering::Acquire)
    }

    /// Returns once record `seq` is on disk, doing the fsync itself if no one else is.
    pub(crate) fn wait_durable(&self, seq: u64) -> Result<(), Error> {
        let mut state = self.state.lock();
        loop {
            if self.durable_seq() >= seq {
                return Ok(());
            }
            if let Some(reason) = &state.poisoned {
                return Err(Error::Poisoned {
                    reason: reason.clone(),
                });
            }
            if state.syncing {
                self.synced.wait(&mut state);
                continue;
            }
            if !self.delay_max.is_zero() {
                // Let writers arriving right now join this fsync.
                state.syncing = true;
                self.synced.wait_for(&mut state, self.delay_max);
                state.syncing = false;
            }
            self.sync_pending(&mut state);
        }
    }

    /// Makes everything queued durable, then switches to a new generation file.
    /// Returns the new generation; older generation files may be deleted once their
    /// reads are in committed segments.
    pub(crate) fn rotate(&self) -> Result<u64, Error> {
        let mut state = self.state.lock();
        loop {
            if let Some(reason) = &state.poisoned {
                return Err(Error::Poisoned {
                    reason: reason.clone(),
                });
            }
            if state.syncing {
                self.synced.wait(&mut state);
            } else if self.durable_seq() < state.last_seq {
                self.sync_pending(&mut state);
            } else {
                break;
            }
        }
        let generation = state.generation + 1;
        let (file, path) = create_generation(&self.dir, generation)?;
        state.file = file;
        state.path = path;
        state.generation = generation;
        Ok(generation)
    }

    /// Writes and fsyncs the pending buffer; the lock is released during the I/O.
    fn sync_pending(&self, state: &mut parking_lot::MutexGuard<'_, WalState>) {
        let buffer = std::mem::take(&mut state.pending);
        let target_seq = state.last_seq;
        let mut file = state.file.try_clone();
        let path = state.path.clone();
        state.syncing = true;
        let result = parking_lot::MutexGuard::unlocked(state, || {
            let file = file
                .as_mut()
                .map_err(|err| std::io::Error::new(err.kind(), err.to_string()))?;
            file.write_all(&buffer)?;
            file.sync_data()
        });
        state.syncing = false;
        let mut buffer = buffer;
        buffer.clear();
        if state.pending.is_empty() {
            state.pending = buffer;
        }
        match result {
            Ok(()) => self.durable_seq.store(target_seq, Ordering::Release),
            Err(err) => {
                tracing::error!(path = %path.display(), error = %err, "WAL write failed; the store stops accepting writes.");
                state.poisoned = Some(format!("{}: {err}", path.display()));
            }
        }
        self.synced.notify_all();
    }
}

fn generation_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("{generation:020}.wal"))
}

fn create_generation(dir: &Path, generation: u64) -> Result<(File, PathBuf), Error> {
    let path = generation_path(dir, generation);
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|err| Error::io("creating WAL file", &path, err))?;
    crate::fsutil::sync_dir(dir)?;
    Ok((file, path))
}

/// The generation numbers of the WAL files in `dir`, ascending.
pub(crate) fn list_generations(dir: &Path) -> Result<Vec<u64>, Error> {
    let mut generations = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|err| Error::io("listing WAL dir", dir, err))?;
    for entry in entries {
        let entry = entry.map_err(|err| Error::io("listing WAL dir", dir, err))?;
        let name = entry.file_name();
        let Some(stem) = name.to_str().and_then(|name| name.strip_suffix(".wal")) else {
            continue;
        };
        if let Ok(generation) = stem.parse::<u64>() {
            generations.push(generation);
        }
    }
    generations.sort_unstable();
    Ok(generations)
}

/// Deletes the WAL files of generations below `generation_min`.
pub(crate) fn delete_below(dir: &Path, generation_min: u64) -> Result<(), Error> {
    for generation in list_generations(dir)? {
        if generation < generation_min {
            let path = generation_path(dir, generation);
            std::fs::remove_file(&path)
                .map_err(|err| Error::io("deleting WAL file", &path, err))?;
        }
    }
    crate::fsutil::sync_dir(dir)
}

/// Reads every record of one WAL file; a torn or corrupt tail is cut off the file.
/// Returns the reads and the number of bytes cut.
pub(crate) fn replay_file(dir: &Path, generation: u64) -> Result<(Vec<PlateRead>, u64), Error> {
    let path = generation_path(dir, generation);
    let bytes = std::fs::read(&path).map_err(|err| Error::io("reading WAL file", &path, err))?;
    let (reads, good_len) = decode_records(&bytes);
    let n_cut = (bytes.len() - good_len) as u64;
    if n_cut > 0 {
        tracing::warn!(path = %path.display(), n_bytes_cut = n_cut, "Cut a torn WAL tail.");
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|err| Error::io("opening WAL file", &path, err))?;
        file.set_len(good_len as u64)
            .and_then(|()| file.sync_all())
            .map_err(|err| Error::io("truncating WAL file", &path, err))?;
    }
    Ok((reads, n_cut))
}

/// Decodes records from the start of `bytes` until the end or the first bad record.
/// Returns the reads and the length of the good prefix.
pub(crate) fn decode_records(bytes: &[u8]) -> (Vec<PlateRead>, usize) {
    let mut reads = Vec::new();
    let mut offset = 0;
    while bytes.len() - offset >= HEADER_LEN {
        let len =
            u32::from_le_bytes(bytes[offset..offset + 4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(bytes[offset + 4..offset + 8].try_into().expect("4 bytes"));
        let start = offset + HEADER_LEN;
        if len > RECORD_LEN_MAX || bytes.len() - start < len {
            break;
        }
        let payload = &bytes[start..start + len];
        if record_crc(len as u32, payload) != crc {
            break;
        }
        let Some(record_reads) = decode_payload(payload) else {
            break;
        };
        reads.extend(record_reads);
        offset = start + len;
    }
    (reads, offset)
}

/// Appends one framed record of `reads` to `out`.
pub(crate) fn encode_record(reads: &[&PlateRead], out: &mut Vec<u8>) {
    let header_at = out.len();
    out.extend_from_slice(&[0; HEADER_LEN]);
    let payload_at = out.len();
    out.extend_from_slice(&(reads.len() as u32).to_le_bytes());
    for read in reads {
        encode_read(read, out);
    }
    let len = (out.len() - payload_at) as u32;
    let crc = record_crc(len, &out[payload_at..]);
    out[header_at..header_at + 4].copy_from_slice(&len.to_le_bytes());
    out[header_at + 4..header_at + 8].copy_from_slice(&crc.to_le_bytes());
}

fn record_crc(len: u32, payload: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&len.to_le_bytes());
    hasher.update(payload);
    hasher.finalize()
}

fn encode_read(read: &PlateRead, out: &mut Vec<u8>) {
    put_str(out, &read.read_id);
    put_str(out, read.plate.as_str());
    out.extend_from_slice(match &read.country {
        Some(country) => country.as_str().as_bytes(),
        None => &[0, 0],
    });
    put_str(out, &read.camera_id);
    out.extend_from_slice(&read.ts.to_le_bytes());
    let optional_strs = [&read.make, &read.model, &read.colour, &read.vehicle_type];
    let mut flags = 0u8;
    let present = [
        read.confidence.is_some(),
        read.lat.is_some(),
        read.lon.is_some(),
        read.heading_deg.is_some(),
    ]
    .into_iter()
    .chain(optional_strs.iter().map(|value| value.is_some()));
    for (bit, is_present) in present.enumerate() {
        flags |= u8::from(is_present) << bit;
    }
    out.push(flags);
    if let Some(value) = read.confidence {
        out.extend_from_slice(&value.to_le_bytes());
    }
    for value in [read.lat, read.lon].into_iter().flatten() {
        out.extend_from_slice(&value.to_le_bytes());
    }
    if let Some(value) = read.heading_deg {
        out.extend_from_slice(&value.to_le_bytes());
    }
    for value in optional_strs.into_iter().flatten() {
        put_str(out, value);
    }
}

fn put_str(out: &mut Vec<u8>, value: &str) {
    let mut len = value.len() as u64;
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(value.as_bytes());
}

fn decode_payload(payload: &[u8]) -> Option<Vec<PlateRead>> {
    let mut cursor = Cursor { bytes: payload };
    let n_reads = u32::from_le_bytes(cursor.take(4)?.try_into().ok()?) as usize;
    let mut reads = Vec::with_capacity(n_reads.min(payload.len() / 16));
    for _ in 0..n_reads {
        reads.push(cursor.read()?);
    }
    cursor.bytes.is_empty().then_some(reads)
}

struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Some(head)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.take(1)?.first()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn str(&mut self) -> Option<&'a str> {
        let len = usize::try_from(self.varint()?).ok()?;
        std::str::from_utf8(self.take(len)?).ok()
    }

    fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn read(&mut self) -> Option<PlateRead> {
        let read_id = self.str()?.to_owned();
        let plate = PlateText::parse(self.str()?).ok()?;
        let country_bytes = self.take(2)?;
        let country = if country_bytes == [0, 0] {
            None
        } else {
            Some(Country::parse(std::str::from_utf8(country_bytes).ok()?).ok()?)
        };
        let camera_id = self.str()?.to_owned();
        let ts = i64::from_le_bytes(self.take(8)?.try_into().ok()?);
        let flags = *self.take(1)?.first()?;
        let has = |bit: u8| flags & (1 << bit) != 0;
        let confidence = if has(0) { Some(self.f32()?) } else { None };
        let lat = if has(1) { Some(self.f64()?) } else { None };
        let lon = if has(2) { Some(self.f64()?) } else { None };
        let heading_deg = if has(3) { Some(self.f32()?) } else { None };
        let mut text = |bit: u8| -> Option<Option<String>> {
            Some(if has(bit) {
                Some(self.str()?.to_owned())
            } else {
                None
            })
        };
        let make = text(4)?;
        let model = text(5)?;
        let colour = text(6)?;
        let vehicle_type = text(7)?;
        Some(PlateRead {
            read_id,
            plate,
            country,
            camera_id,
            ts,
            confidence,
            lat,
            lon,
            heading_deg,
            make,
            model,
            colour,
            vehicle_type,
        })
    }
}

#[cfg(test)]
mod tests;
