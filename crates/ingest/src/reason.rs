//! Why a row was rejected: the reasons counted in an `ImportReport`.

use std::fmt;

/// The kind of fault that got a row rejected.
///
/// The string form (`as_str`) is the key used in reports and reject files.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum RejectReason {
    /// A value could not be parsed as its column's type (or the row itself was malformed).
    Unparsable,
    /// A required value is null or absent.
    Missing,
    /// A value parsed but is out of its range (e.g. a heading of 400 degrees).
    BadValue,
    /// The camera id is neither in the store's registry nor in the imported cameras.
    UnknownCamera,
    /// A latitude or longitude that is not on the globe.
    OffGlobe,
    /// A timestamp later than now plus the clock-skew tolerance.
    FutureTimestamp,
    /// A plate that is empty or cannot be a plate.
    BadPlate,
    /// A confidence outside 0..=1.
    BadConfidence,
    /// A read id seen before (in the file or in the store) with other content.
    ConflictingReadId,
}

impl RejectReason {
    /// Every reason, in report order.
    pub const ALL: [RejectReason; 9] = [
        RejectReason::Unparsable,
        RejectReason::Missing,
        RejectReason::BadValue,
        RejectReason::UnknownCamera,
        RejectReason::OffGlobe,
        RejectReason::FutureTimestamp,
        RejectReason::BadPlate,
        RejectReason::BadConfidence,
        RejectReason::ConflictingReadId,
    ];

    /// The snake-case key, as in `docs/schema.md`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RejectReason::Unparsable => "unparsable",
            RejectReason::Missing => "missing",
            RejectReason::BadValue => "bad_value",
            RejectReason::UnknownCamera => "unknown_camera",
            RejectReason::OffGlobe => "off_globe",
            RejectReason::FutureTimestamp => "future_ts",
            RejectReason::BadPlate => "bad_plate",
            RejectReason::BadConfidence => "bad_confidence",
            RejectReason::ConflictingReadId => "conflicting_read_id",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rejected row: where, which field and why.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Rejection {
    /// The row's number in its file (see `IngestError::BadField`).
    pub row: u64,
    /// The first field found wrong, by its exchange-schema column name.
    pub field: &'static str,
    pub reason: RejectReason,
    /// A lower-case explanation naming the value, e.g. ``1.5 is outside 0..1``.
    pub message: String,
}
