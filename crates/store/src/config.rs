//! Store configuration and the reports its operations return.

use parquet::basic::Compression;
use std::time::Duration;

/// Settings of a [`crate::Store`]; every limit has a default (see [`StoreConfig::default`]).
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// Reads older than this are purged by the background thread; `None` keeps reads forever.
    pub retention: Option<Duration>,
    /// How long the WAL leader waits for more writers before its fsync. Zero still groups
    /// every writer that arrives while the previous fsync runs.
    pub group_commit_delay_max: Duration,
    /// Rows in the memtable before it is sealed into a segment.
    pub memtable_rows_max: usize,
    /// Rows buffered by a bulk import before they are sorted and written as segments.
    pub import_buffer_rows_max: usize,
    /// Segments of a day smaller than this are merged by compaction.
    pub compaction_segment_rows_min: usize,
    /// Compaction never writes a segment larger than this.
    pub segment_rows_max: usize,
    /// How often the background thread compacts and applies retention; `None` disables it.
    pub maintenance_interval: Option<Duration>,
    /// Segment compression. Only tests use anything but zstd (to check file bytes).
    pub compression: Compression,
}

impl Default for StoreConfig {
    fn default() -> StoreConfig {
        StoreConfig {
            retention: None,
            group_commit_delay_max: Duration::ZERO,
            memtable_rows_max: 500_000,
            import_buffer_rows_max: 8_000_000,
            compaction_segment_rows_min: 2_000_000,
            segment_rows_max: 8_000_000,
            maintenance_interval: None,
            compression: crate::schema::parquet_writer_properties()
                .compression(&parquet::schema::types::ColumnPath::from("plate")),
        }
    }
}

/// What [`crate::Store::append_durable`] did with a batch.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct AppendReport {
    /// Reads newly stored.
    pub n_appended: usize,
    /// Reads whose id was already stored with identical content (not stored again).
    pub n_duplicates: usize,
    /// Reads older than the last retention cutoff (not stored).
    pub n_expired: usize,
}

/// What a committed [`crate::BulkImport`] stored.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct ImportReport {
    /// Reads newly stored.
    pub n_imported: u64,
    /// Reads whose id was already stored (or given earlier in the same import) with identical content.
    pub n_duplicates: u64,
    /// Reads older than the last retention cutoff (not stored).
    pub n_expired: u64,
    /// Segment files written.
    pub n_segments: usize,
}

/// What [`crate::Store::compact`] did.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct CompactReport {
    /// Segments merged away.
    pub n_segments_in: usize,
    /// Segments written.
    pub n_segments_out: usize,
    /// Reads rewritten.
    pub n_reads: u64,
}

/// What [`crate::Store::purge_older_than`] removed.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct PurgeReport {
    /// Reads removed.
    pub n_reads_removed: u64,
    /// Segments deleted whole.
    pub n_segments_deleted: usize,
    /// Segments rewritten without their expired reads.
    pub n_segments_rewritten: usize,
}

/// Size and shape of a store.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct StoreStats {
    /// Visible reads (segments plus durable memtable rows).
    pub n_reads: u64,
    /// Reads in the memtable (in the WAL, not yet in a segment).
    pub n_memtable_reads: u64,
    /// Parquet segments.
    pub n_segments: usize,
    /// Distinct plate keys.
    pub n_plates: u64,
    /// Bytes of every file under the data directory.
    pub bytes_on_disk: u64,
    /// Bytes of the segment files.
    pub segment_bytes: u64,
    /// Bytes of the index files (plates and read ids, cameras and times).
    pub index_bytes: u64,
    /// Bytes of the WAL files.
    pub wal_bytes: u64,
}
