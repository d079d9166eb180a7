//! Small shared helpers: hashing, randomness, canonical JSON, durable file writes, time.

use crate::error::{Result, SafeguardsError};
use corridor_domain::Timestamp;
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// Lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `n` bytes from the operating system's secure random source.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system random source is available");
    bytes
}

/// Serialises a JSON value with object keys sorted at every level and no whitespace.
///
/// Hashes and signatures are computed over this form, so that they do not depend on how
/// a serialiser happens to order map keys.
pub(crate) fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (key_idx, key) in keys.iter().enumerate() {
                if key_idx > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String((*key).clone()).to_string());
                out.push(':');
                write_canonical(&map[*key], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (item_idx, item) in items.iter().enumerate() {
                if item_idx > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Creates a directory and its parents.
pub(crate) fn ensure_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|err| SafeguardsError::io(dir, err))
}

/// Writes a whole file durably: a temporary sibling, fsync, rename, fsync of the directory.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    ensure_dir(dir)?;
    let tmp = path.with_extension("tmp");
    let mut file = File::create(&tmp).map_err(|err| SafeguardsError::io(&tmp, err))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|err| SafeguardsError::io(&tmp, err))?;
    fs::rename(&tmp, path).map_err(|err| SafeguardsError::io(path, err))?;
    sync_dir(dir)
}

/// Appends one line and waits for the disk.
pub(crate) fn append_line_durable(path: &Path, line: &str) -> Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|err| SafeguardsError::io(path, err))?;
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    file.write_all(&bytes)
        .and_then(|()| file.sync_data())
        .map_err(|err| SafeguardsError::io(path, err))
}

/// Makes a rename or a file creation in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|handle| handle.sync_all())
        .map_err(|err| SafeguardsError::io(dir, err))
}

/// Reads a JSON file, or returns `None` when it does not exist.
pub(crate) fn read_json_opt<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|err| SafeguardsError::corrupt(path, err.to_string())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(SafeguardsError::io(path, err)),
    }
}

/// Writes a value as pretty JSON, atomically.
pub(crate) fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("safeguard records serialise to JSON");
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

/// Reads a JSON-lines file (missing file: empty), naming the line of a bad record.
pub(crate) fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(SafeguardsError::io(path, err)),
    };
    let mut records = Vec::new();
    for (line_idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(line).map_err(|err| {
            SafeguardsError::corrupt(path, format!("line {}: {err}", line_idx + 1))
        })?;
        records.push(record);
    }
    Ok(records)
}

/// The current time in microseconds since the Unix epoch.
pub fn now_micros() -> Timestamp {
    chrono::Utc::now().timestamp_micros()
}

/// RFC 3339 text of a timestamp in microseconds (UTC, `Z`).
pub(crate) fn rfc3339(ts: Timestamp) -> String {
    chrono::DateTime::from_timestamp_micros(ts)
        .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_else(|| ts.to_string())
}

/// Parses RFC 3339 text into microseconds since the epoch.
pub fn parse_rfc3339(raw: &str) -> Result<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(raw.trim())
        .map(|time| time.timestamp_micros())
        .map_err(|err| SafeguardsError::invalid("time", format!("`{raw}` is not RFC 3339: {err}")))
}

/// Microseconds in one day.
pub(crate) const DAY_MICROS: i64 = 86_400_000_000;
/// Microseconds in one hour.
pub(crate) const HOUR_MICROS: i64 = 3_600_000_000;
