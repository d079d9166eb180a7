//! The durable embedded store of plate reads: a write-ahead log with group commit, sorted
//! Parquet segments, a catalog replaced by atomic rename, plate and read-id indexes,
//! compaction, retention, and plate search (exact, wildcard, fuzzy).
//!
//! ```text
//! append_durable(reads) --> WAL record (CRC, group-commit fsync) --> ack
//!                              |
//!                              v
//!                          memtable (queryable) --flush--> segments/date=D/seg-N.parquet
//!                                                           index/seg-N.idx (plates, id hashes)
//! bulk_import() ---- sorted segments written directly ----> CATALOG (atomic rename) makes them visible
//! history / search <-- plate index + memtable            compaction merges small segments of a day
//! ```
//!
//! ```no_run
//! use corridor_store::{HistoryQuery, Store, StoreConfig};
//! use corridor_domain::PlateText;
//! # fn main() -> Result<(), corridor_store::Error> {
//! let store = Store::open(std::path::Path::new("data"), StoreConfig::default())?;
//! let reads = store.history(&HistoryQuery::plate(PlateText::parse("AB12CDE").unwrap()))?;
//! println!("{} reads", reads.len());
//! # Ok(()) }
//! ```
//!
//! **Invariant:** a read is acknowledged only after its WAL record is synced to disk.
//! **Invariant:** a read id is stored at most once; the same id with other content is
//! rejected, never overwritten.
//! **Invariant:** segments are immutable; a file becomes visible only through an atomic
//! rename of the catalog.

mod camera_index;
mod catalog;
mod clock;
mod config;
mod error;
mod fsutil;
mod ids;
mod import;
pub mod lake;
mod maintenance;
mod memtable;
pub mod schema;
pub mod search;
mod segment;
mod store;
mod wal;
mod windows;

pub use clock::{CameraClock, ClockRegister};
pub use config::{AppendReport, CompactReport, ImportReport, PurgeReport, StoreConfig, StoreStats};
pub use error::Error;
pub use import::{BulkImport, ImportConflict};
pub use store::{PendingAppend, Store};
pub use windows::hash_of_plate;

use corridor_domain::{Country, PlateText, Timestamp};

/// A request for one plate's reads.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HistoryQuery {
    pub plate: PlateText,
    /// `None` returns the plate's reads from every country (and reads without one).
    pub country: Option<Country>,
    /// Inclusive lower bound on `ts`.
    pub from: Option<Timestamp>,
    /// Inclusive upper bound on `ts`.
    pub to: Option<Timestamp>,
    /// Keep only the most recent `limit` reads (still returned oldest first).
    pub limit: Option<usize>,
}

impl HistoryQuery {
    /// All reads of `plate`, any country, any time.
    pub fn plate(plate: PlateText) -> HistoryQuery {
        HistoryQuery {
            plate,
            country: None,
            from: None,
            to: None,
            limit: None,
        }
    }
}

/// A camera and a half-open time window `[from, to)`, for [`Store::camera_hits`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CameraWindow {
    pub camera_id: String,
    pub from: Timestamp,
    pub to: Timestamp,
}

/// A read that a camera saw, as [`Store::camera_hits`] gives it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CameraHit {
    /// When: to the millisecond for reads in segments, exact for reads not yet flushed.
    pub ts: Timestamp,
    /// The hash of the read's plate text ([`hash_of_plate`]), the same in every segment:
    /// [`Store::history_batches_of_hash`] gives the plate's reads.
    pub plate_hash: u64,
}

/// The vehicle classes ([`corridor_domain::VehicleClass`], from `vehicle_type`) among a
/// plate's reads, as [`Store::vehicle_classes_of_hashes`] gives them.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct VehicleClasses {
    /// Some read gives no vehicle type.
    pub unknown: bool,
    pub light: bool,
    pub heavy: bool,
}

impl VehicleClasses {
    /// Whether there are reads and every one of them is of a heavy vehicle.
    pub fn only_heavy(self) -> bool {
        self.heavy && !self.light && !self.unknown
    }
}
