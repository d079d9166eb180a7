//! The catalog: the list of committed segments, replaced as a whole by an atomic rename.
//!
//! ```text
//! DATA/CATALOG
//! corridor-catalog 1
//! next_segment_id 43
//! wal_generation_min 7          WAL files below this generation are already in segments
//! expired_before 1764460800000000   (or `none`) the last retention cutoff
//! segment 42 segments/date=2026-11-30/seg-0000000042.parquet
//! crc 1a2b3c4d                  CRC-32 of the lines above
//! ```

use crate::Error;
use corridor_domain::Timestamp;
use std::path::Path;

/// The committed state of the store's files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Catalog {
    pub(crate) next_segment_id: u64,
    pub(crate) wal_generation_min: u64,
    pub(crate) expired_before: Option<Timestamp>,
    /// `(segment id, data-relative Parquet path)`.
    pub(crate) segments: Vec<(u64, String)>,
}

const HEADER: &str = "corridor-catalog 1";

impl Catalog {
    /// Reads `DATA/CATALOG`, or an empty catalog when the store is new.
    pub(crate) fn load(root: &Path) -> Result<Catalog, Error> {
        let path = root.join("CATALOG");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Catalog {
                    next_segment_id: 1,
                    wal_generation_min: 1,
                    ..Catalog::default()
                });
            }
            Err(err) => return Err(Error::io("reading catalog", &path, err)),
        };
        Catalog::parse(&text).map_err(|reason| Error::corrupt(&path, reason))
    }

    /// Writes the catalog durably by atomic rename.
    pub(crate) fn store(&self, root: &Path) -> Result<(), Error> {
        crate::fsutil::write_atomic(&root.join("CATALOG"), self.render().as_bytes())
    }

    fn render(&self) -> String {
        let mut text = format!(
            "{HEADER}\nnext_segment_id {}\nwal_generation_min {}\nexpired_before {}\n",
            self.next_segment_id,
            self.wal_generation_min,
            self.expired_before
                .map_or_else(|| "none".to_owned(), |ts| ts.to_string())
        );
        for (id, rel_path) in &self.segments {
            text.push_str(&format!("segment {id} {rel_path}\n"));
        }
        let crc = crc32fast::hash(text.as_bytes());
        text.push_str(&format!("crc {crc:08x}\n"));
        text
    }

    fn parse(text: &str) -> Result<Catalog, String> {
        let body_len = text
            .rfind("crc ")
            .ok_or_else(|| "missing crc line".to_owned())?;
        let (body, crc_line) = text.split_at(body_len);
        let crc = u32::from_str_radix(crc_line.trim_start_matches("crc ").trim(), 16)
            .map_err(|_| "bad crc line".to_owned())?;
        if crc32fast::hash(body.as_bytes()) != crc {
            return Err("checksum mismatch".to_owned());
        }
        let mut lines = body.lines();
        if lines.next() != Some(HEADER) {
            return Err(format!("first line is not `{HEADER}`"));
        }
        let mut catalog = Catalog::default();
        for line in lines {
            let mut words = line.split(' ');
            let key = words.next().unwrap_or("");
            let value = words
                .next()
                .ok_or_else(|| format!("line `{line}` has no value"))?;
            let number = |value: &str| {
                value
                    .parse::<i64>()
                    .map_err(|_| format!("line `{line}`: `{value}` is not a number"))
            };
            match key {
                "next_segment_id" => catalog.next_segment_id = number(value)? as u64,
                "wal_generation_min" => catalog.wal_generation_min = number(value)? as u64,
                "expired_before" if value == "none" => catalog.expired_before = None,
                "expired_before" => catalog.expired_before = Some(number(value)?),
                "segment" => {
                    let rel_path = words
                        .next()
                        .ok_or_else(|| format!("line `{line}` has no path"))?;
                    catalog
                        .segments
                        .push((number(value)? as u64, rel_path.to_owned()));
                }
                _ => return Err(format!("unknown line `{line}`")),
            }
        }
        Ok(catalog)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_detects_damage() {
        let catalog = Catalog {
            next_segment_id: 9,
            wal_generation_min: 3,
            expired_before: Some(-5),
            segments: vec![(
                4,
                "segments/date=2026-01-01/seg-0000000004.parquet".to_owned(),
            )],
        };
        let text = catalog.render();
        assert_eq!(Catalog::parse(&text), Ok(catalog));
        let damaged = text.replace("seg-0000000004", "seg-0000000005");
        assert_eq!(
            Catalog::parse(&damaged),
            Err("checksum mismatch".to_owned())
        );
    }
}
