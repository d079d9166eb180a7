//! What an import did: the `ImportReport`.

use crate::{Format, RejectReason};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Counts and timing of one import.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportReport {
    /// The reads file.
    pub path: PathBuf,
    /// Its format.
    pub format: Option<Format>,
    /// Cameras imported (added or updated) from the cameras file.
    pub n_cameras: usize,
    /// Rows read from the reads file.
    pub n_rows: u64,
    /// Reads newly stored.
    pub n_imported: u64,
    /// Rows skipped because the same read (same id and content) was stored or came earlier.
    pub n_duplicates: u64,
    /// Rows older than the store's retention period (not stored).
    pub n_expired: u64,
    /// Rows rejected (written to the reject file).
    pub n_rejected: u64,
    /// Rejected rows by reason.
    pub rejected_by_reason: BTreeMap<RejectReason, u64>,
    /// Where rejected rows went, in reject-file mode.
    pub reject_file: Option<PathBuf>,
    /// Wall time of the whole import, including the commit.
    pub elapsed: Duration,
}

impl ImportReport {
    /// Rows read per second of wall time.
    pub fn rows_per_sec(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.n_rows as f64 / secs
        } else {
            0.0
        }
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = self.format.map_or("?", |format| format.as_str());
        writeln!(f, "imported {} ({format})", self.path.display())?;
        writeln!(f, "  cameras     {:>12}", self.n_cameras)?;
        writeln!(f, "  rows read   {:>12}", self.n_rows)?;
        writeln!(f, "  imported    {:>12}", self.n_imported)?;
        writeln!(f, "  duplicates  {:>12}", self.n_duplicates)?;
        if self.n_expired > 0 {
            writeln!(f, "  expired     {:>12}", self.n_expired)?;
        }
        writeln!(f, "  rejected    {:>12}", self.n_rejected)?;
        for (reason, n_rows) in &self.rejected_by_reason {
            writeln!(f, "    {:<22}{:>10}", reason.as_str(), n_rows)?;
        }
        if let Some(reject_file) = &self.reject_file {
            writeln!(f, "  reject file {}", reject_file.display())?;
        }
        write!(
            f,
            "  elapsed     {:>12.3} s ({:.0} reads/s)",
            self.elapsed.as_secs_f64(),
            self.rows_per_sec()
        )
    }
}
