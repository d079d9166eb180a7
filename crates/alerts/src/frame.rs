//! Crash-safe record framing shared by the hotlist log and the alert log.
//!
//! Each record is `[len: u32 LE][crc32 of payload: u32 LE][payload: JSON]`.
//! On open, a torn or half-written last record (a crash during `write`) is cut off;
//! a bad record followed by good ones is corruption and an error, never skipped silently.

use crate::AlertError;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The largest record accepted when reading; larger lengths mean a damaged header.
const RECORD_BYTES_MAX: u32 = 16 * 1024 * 1024;
const HEADER_BYTES: usize = 8;

/// Appends `payload` as one framed record to `buf`.
pub(crate) fn encode_into(buf: &mut Vec<u8>, payload: &[u8]) {
    let len = u32::try_from(payload.len()).expect("records are far below 4 GiB");
    assert!(
        len <= RECORD_BYTES_MAX,
        "record of {len} bytes exceeds the frame limit"
    );
    buf.extend_from_slice(&len.to_le_bytes());
    buf.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    buf.extend_from_slice(payload);
}

/// An append-only framed log file opened for writing after its records were read.
#[derive(Debug)]
pub(crate) struct FrameLog {
    path: PathBuf,
    file: File,
}

impl FrameLog {
    /// Opens (creating if needed) the log at `path`, passes every intact record payload to
    /// `visit` in order, and truncates a torn tail so that new records follow the last good one.
    pub(crate) fn open(
        path: &Path,
        visit: &mut dyn FnMut(&[u8]) -> Result<(), AlertError>,
    ) -> Result<FrameLog, AlertError> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(AlertError::io(path))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(AlertError::io(path))?;
        let good_len = decode_all(path, &bytes, visit)?;
        let file_len = bytes.len();
        drop(bytes);
        if good_len < file_len {
            tracing::warn!(path = %path.display(), kept = good_len, dropped = file_len - good_len, "Cut a torn record off the end of a log.");
            file.set_len(good_len as u64)
                .map_err(AlertError::io(path))?;
            file.sync_all().map_err(AlertError::io(path))?;
        }
        if let Some(dir) = path.parent() {
            sync_dir(dir)?;
        }
        Ok(FrameLog {
            path: path.to_owned(),
            file,
        })
    }

    /// Writes already framed bytes and waits until they are on disk.
    pub(crate) fn append_durable(&mut self, framed: &[u8]) -> Result<(), AlertError> {
        self.file
            .write_all(framed)
            .map_err(AlertError::io(&self.path))?;
        self.file.sync_data().map_err(AlertError::io(&self.path))
    }
}

/// Makes a file's creation durable by syncing its directory.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), AlertError> {
    let dir_file = File::open(dir).map_err(AlertError::io(dir))?;
    dir_file.sync_all().map_err(AlertError::io(dir))
}

/// Passes each intact payload of `bytes` to `visit`; returns the length of the intact prefix.
fn decode_all(
    path: &Path,
    bytes: &[u8],
    visit: &mut dyn FnMut(&[u8]) -> Result<(), AlertError>,
) -> Result<usize, AlertError> {
    let mut offset = 0usize;
    while offset < bytes.len() {
        let rest = &bytes[offset..];
        if rest.len() < HEADER_BYTES {
            break;
        }
        let len = u32::from_le_bytes(rest[0..4].try_into().expect("4 bytes"));
        let crc = u32::from_le_bytes(rest[4..8].try_into().expect("4 bytes"));
        let end = HEADER_BYTES + len as usize;
        if len > RECORD_BYTES_MAX || rest.len() < end {
            // A header or payload cut short by a crash: only acceptable at the very end.
            if len > RECORD_BYTES_MAX && rest.len() >= HEADER_BYTES + RECORD_BYTES_MAX as usize {
                return Err(corrupt(
                    path,
                    offset,
                    format!("length {len} is over the limit"),
                ));
            }
            break;
        }
        let payload = &rest[HEADER_BYTES..end];
        if crc32fast::hash(payload) != crc {
            if offset + end == bytes.len() {
                break;
            }
            return Err(corrupt(path, offset, "checksum mismatch".to_owned()));
        }
        visit(payload)?;
        offset += end;
    }
    Ok(offset)
}

fn corrupt(path: &Path, offset: usize, reason: String) -> AlertError {
    AlertError::Corrupt {
        path: path.to_owned(),
        reason: format!("record at byte {offset}: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_collect(path: &Path) -> Result<(FrameLog, Vec<Vec<u8>>), AlertError> {
        let mut payloads = Vec::new();
        let log = FrameLog::open(path, &mut |payload| {
            payloads.push(payload.to_vec());
            Ok(())
        })?;
        Ok((log, payloads))
    }

    #[test]
    fn torn_tail_is_cut_and_later_appends_survive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("log");
        let (mut log, payloads) = open_collect(&path).expect("open");
        assert!(payloads.is_empty());
        let mut buf = Vec::new();
        encode_into(&mut buf, b"first");
        encode_into(&mut buf, b"second");
        log.append_durable(&buf).expect("append");
        // Simulate a crash in the middle of writing a third record.
        let mut torn = Vec::new();
        encode_into(&mut torn, b"third-record");
        log.append_durable(&torn[..torn.len() - 3]).expect("append");
        drop(log);

        let (mut log, payloads) = open_collect(&path).expect("reopen");
        assert_eq!(payloads, vec![b"first".to_vec(), b"second".to_vec()]);
        let mut buf = Vec::new();
        encode_into(&mut buf, b"fourth");
        log.append_durable(&buf).expect("append");
        drop(log);
        let (_log, payloads) = open_collect(&path).expect("reopen");
        assert_eq!(payloads.len(), 3);
        assert_eq!(payloads[2], b"fourth".to_vec());
    }

    #[test]
    fn damage_before_the_tail_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("log");
        let mut buf = Vec::new();
        encode_into(&mut buf, b"first");
        encode_into(&mut buf, b"second");
        buf[9] ^= 0xff;
        std::fs::write(&path, &buf).expect("write");
        let err = open_collect(&path).expect_err("corrupt");
        assert!(err.to_string().contains("checksum mismatch"), "{err}");
    }
}
