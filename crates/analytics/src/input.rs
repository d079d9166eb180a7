//! What an analysis reads: plate reads as Arrow batches, cameras, seeds and a time window.

use corridor_domain::{Camera, PlateText, Timestamp};
use datafusion::arrow::record_batch::RecordBatch;

/// Everything [`crate::analyse`] looks at.
///
/// `reads` are Arrow batches in the store's canonical schema (as returned by
/// `corridor_store::Store::scan`); only the columns `read_id`, `plate`, `country`,
/// `camera_id`, `ts` and, when present, `make`, `model`, `colour` are used.
#[derive(Clone, Debug, Default)]
pub struct AnalysisInput {
    /// The plate reads, in any order.
    pub reads: Vec<RecordBatch>,
    /// Every camera that the reads name.
    pub cameras: Vec<Camera>,
    /// Plates an investigator already knows; empty for discovery over the whole window.
    pub seeds: Vec<PlateText>,
    /// Only reads inside this window are analysed; `None` analyses them all.
    pub window: Option<TimeWindow>,
}

/// A half-open time window `[from, to)` in microseconds since the Unix epoch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TimeWindow {
    /// First instant included.
    pub from: Timestamp,
    /// First instant excluded.
    pub to: Timestamp,
}

impl TimeWindow {
    /// Whether `ts` lies inside the window.
    pub fn contains(&self, ts: Timestamp) -> bool {
        self.from <= ts && ts < self.to
    }
}
