//! Reads as clients send them: a JSON batch or an NDJSON stream, parsed row by row.
//!
//! Parsing keeps track of the row and the field being read, so that a malformed value is
//! reported as `row 3: field `confidence`: ...` rather than as a byte offset. Values are
//! only parsed here; [`super::validate`] checks them and builds domain reads.

use crate::error::RowError;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::cell::{Cell, RefCell};
use std::fmt;

/// One read as sent, with the exchange schema's field names; absent and `null` are `None`.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct ReadIn {
    pub(crate) read_id: Option<String>,
    pub(crate) plate: Option<String>,
    pub(crate) country: Option<String>,
    pub(crate) camera_id: Option<String>,
    pub(crate) ts: Option<String>,
    pub(crate) confidence: Option<f64>,
    pub(crate) lat: Option<f64>,
    pub(crate) lon: Option<f64>,
    pub(crate) heading: Option<f64>,
    pub(crate) make: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) colour: Option<String>,
    pub(crate) vehicle_type: Option<String>,
}

/// A read and its 1-based row: its position in a JSON array, its line in NDJSON.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowIn {
    pub(crate) row: u64,
    pub(crate) read: ReadIn,
}

/// The exchange schema's read fields, in schema order.
pub(crate) const READ_FIELDS: [&str; 13] = [
    "read_id",
    "plate",
    "country",
    "camera_id",
    "ts",
    "confidence",
    "lat",
    "lon",
    "heading",
    "make",
    "model",
    "colour",
    "vehicle_type",
];

/// Why a body could not be parsed into reads.
#[derive(Debug, PartialEq)]
pub(crate) enum ParseError {
    /// A row was malformed.
    Row(RowError),
    /// The body as a whole was malformed (not an array, not an object with `reads`).
    Body(String),
    /// More rows than the limit.
    TooManyRows { rows_max: usize },
}

/// Parses `[{...}, ...]` or `{"reads": [{...}, ...]}`.
pub(crate) fn parse_json_batch(body: &[u8], rows_max: usize) -> Result<Vec<RowIn>, ParseError> {
    let cursor = Cursor::new(rows_max);
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed = BatchSeed { cursor: &cursor }
        .deserialize(&mut deserializer)
        .and_then(|reads| deserializer.end().map(|()| reads));
    parsed.map_err(|error| cursor.into_error(&error))
}

/// Parses one JSON object per non-blank line; rows are numbered by line.
pub(crate) fn parse_ndjson(body: &[u8], rows_max: usize) -> Result<Vec<RowIn>, ParseError> {
    let mut reads = Vec::new();
    for (line_idx, line) in body.split(|byte| *byte == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if reads.len() == rows_max {
            return Err(ParseError::TooManyRows { rows_max });
        }
        let cursor = Cursor::new(rows_max);
        cursor.row.set(line_idx as u64 + 1);
        let mut deserializer = serde_json::Deserializer::from_slice(line);
        let parsed = ReadSeed { cursor: &cursor }
            .deserialize(&mut deserializer)
            .and_then(|read| deserializer.end().map(|()| read));
        let read = parsed.map_err(|error| cursor.into_error(&error))?;
        reads.push(RowIn {
            row: line_idx as u64 + 1,
            read,
        });
    }
    Ok(reads)
}

/// Where the parser is: the row, the field, and a rejection key set by our own checks.
struct Cursor {
    rows_max: usize,
    row: Cell<u64>,
    field: RefCell<Option<String>>,
    reason: Cell<Option<&'static str>>,
    too_many_rows: Cell<bool>,
}

impl Cursor {
    fn new(rows_max: usize) -> Cursor {
        Cursor {
            rows_max,
            row: Cell::new(0),
            field: RefCell::new(None),
            reason: Cell::new(None),
            too_many_rows: Cell::new(false),
        }
    }

    fn into_error(self, error: &serde_json::Error) -> ParseError {
        if self.too_many_rows.get() {
            return ParseError::TooManyRows {
                rows_max: self.rows_max,
            };
        }
        let row = self.row.get();
        if row == 0 {
            return ParseError::Body(error.to_string());
        }
        // serde_json appends " at line L column C"; for one row that only adds noise.
        let message = error.to_string();
        let message = match message.rfind(" at line ") {
            Some(idx) if !error.is_eof() => message[..idx].to_owned(),
            _ => message,
        };
        // Broken JSON is a fault of the body's syntax, not of a field's value.
        let field = match error.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => None,
            _ => self.field.into_inner(),
        };
        ParseError::Row(RowError {
            row,
            field,
            reason: self.reason.get().unwrap_or("unparsable"),
            message,
        })
    }
}

struct BatchSeed<'c> {
    cursor: &'c Cursor,
}

impl<'de> DeserializeSeed<'de> for BatchSeed<'_> {
    type Value = Vec<RowIn>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<RowIn>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BatchSeed<'_> {
    type Value = Vec<RowIn>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of reads or an object {\"reads\": [...]}")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<RowIn>, A::Error> {
        let rows_max = self.cursor.rows_max;
        let mut reads = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(rows_max));
        loop {
            if reads.len() == rows_max {
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    self.cursor.too_many_rows.set(true);
                    return Err(de::Error::custom("too many rows"));
                }
                break;
            }
            let row = reads.len() as u64 + 1;
            self.cursor.row.set(row);
            match seq.next_element_seed(ReadSeed {
                cursor: self.cursor,
            })? {
                Some(read) => reads.push(RowIn { row, read }),
                None => break,
            }
        }
        self.cursor.row.set(0);
        Ok(reads)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<RowIn>, A::Error> {
        let mut reads = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "reads" {
                return Err(de::Error::custom(format!(
                    "unknown key `{key}`; the batch object has only `reads`"
                )));
            }
            if reads.is_some() {
                return Err(de::Error::custom("duplicate key `reads`"));
            }
            reads = Some(map.next_value_seed(ArraySeed {
                cursor: self.cursor,
            })?);
        }
        reads.ok_or_else(|| de::Error::custom("missing key `reads`"))
    }
}

/// `{"reads": [...]}`: the value must be the array itself.
struct ArraySeed<'c> {
    cursor: &'c Cursor,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = Vec<RowIn>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<RowIn>, D::Error> {
        deserializer.deserialize_seq(BatchSeed {
            cursor: self.cursor,
        })
    }
}

struct ReadSeed<'c> {
    cursor: &'c Cursor,
}

impl<'de> DeserializeSeed<'de> for ReadSeed<'_> {
    type Value = ReadIn;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<ReadIn, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ReadSeed<'_> {
    type Value = ReadIn;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a read object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ReadIn, A::Error> {
        let mut read = ReadIn::default();
        let mut seen_mask = 0u16;
        while let Some(key) = map.next_key::<FieldKey>()? {
            let field_idx = match key {
                FieldKey::Known(field_idx) => field_idx,
                FieldKey::Unknown(name) => {
                    *self.cursor.field.borrow_mut() = Some(name);
                    self.cursor.reason.set(Some("unknown_field"));
                    return Err(de::Error::custom(format!(
                        "unknown field; a read has the fields {}",
                        READ_FIELDS.join(", ")
                    )));
                }
            };
            *self.cursor.field.borrow_mut() = Some(READ_FIELDS[field_idx].to_owned());
            if seen_mask & (1 << field_idx) != 0 {
                return Err(de::Error::custom("the field is given twice"));
            }
            seen_mask |= 1 << field_idx;
            match field_idx {
                0 => read.read_id = map.next_value()?,
                1 => read.plate = map.next_value()?,
                2 => read.country = map.next_value()?,
                3 => read.camera_id = map.next_value()?,
                4 => read.ts = map.next_value()?,
                5 => read.confidence = map.next_value()?,
                6 => read.lat = map.next_value()?,
                7 => read.lon = map.next_value()?,
                8 => read.heading = map.next_value()?,
                9 => read.make = map.next_value()?,
                10 => read.model = map.next_value()?,
                11 => read.colour = map.next_value()?,
                _ => read.vehicle_type = map.next_value()?,
            }
            *self.cursor.field.borrow_mut() = None;
        }
        Ok(read)
    }
}

/// A key of a read object: the index of a schema field, or an unknown name.
enum FieldKey {
    Known(usize),
    Unknown(String),
}

impl<'de> serde::Deserialize<'de> for FieldKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<FieldKey, D::Error> {
        deserializer.deserialize_str(FieldKeyVisitor)
    }
}

struct FieldKeyVisitor;

impl Visitor<'_> for FieldKeyVisitor {
    type Value = FieldKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<FieldKey, E> {
        Ok(match READ_FIELDS.iter().position(|name| *name == key) {
            Some(field_idx) => FieldKey::Known(field_idx),
            None => FieldKey::Unknown(key.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests;
