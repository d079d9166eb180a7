//! Import of ANPR data in the canonical exchange schema (`docs/schema.md`): cameras from
//! CSV, reads from CSV, Parquet, NDJSON and JSON, validated with errors that name file,
//! row and field, and loaded into a [`corridor_store::Store`] in one atomic bulk import.
//!
//! ```text
//!  reads.{csv,parquet,ndjson,json}
//!        |  ReadsReader: batches of up to 64k rows, Arrow columns, bounded memory
//!        v
//!  Validator: column-by-column checks (camera ids, globe, future timestamps, plates,
//!        |    confidence, ...); plates and countries normalised
//!        v
//!  BulkImport::add_batch_skipping_conflicts  (read ids given twice with other content)
//!        |                       \
//!        v                        bad rows: strict -> abort, nothing committed;
//!  commit (atomic)                           reject file -> written with their reasons
//! ```
//!
//! The Parquet path stays columnar end to end: a batch is converted to the exchange types
//! with Arrow casts (no-ops for files in the canonical types), checked with loops over
//! Arrow arrays, and handed to the store as it is when nothing needs normalising.
//!
//! ```no_run
//! use corridor_ingest::{ImportMode, ImportOptions, ValidationConfig, import};
//! use corridor_store::{Store, StoreConfig};
//! use std::path::Path;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = Store::open(Path::new("data"), StoreConfig::default())?;
//! let mut options = ImportOptions::strict(ValidationConfig::now());
//! options.mode = ImportMode::RejectFile("rejects.csv".into());
//! let report = import(&store, Some(Path::new("cameras.csv")), Path::new("reads.parquet"), &options, &mut |_| {})?;
//! println!("{report}");
//! # Ok(()) }
//! ```

mod cameras;
mod columns;
mod csv_reads;
mod error;
mod format;
mod import;
mod json_reads;
mod parquet_reads;
mod reader;
mod reason;
mod reject;
mod report;
mod validate;

pub use cameras::{CAMERA_COLUMNS, CAMERA_ID_BYTES_MAX, read_cameras, read_cameras_from};
pub use columns::{READ_COLUMNS, RowNumbers, SourceBatch, format_timestamp, input_schema};
pub use error::IngestError;
pub use format::Format;
pub use import::{ImportMode, ImportOptions, ImportProgress, import};
pub use json_reads::RECORD_BYTES_MAX;
pub use reader::{BATCH_ROWS_DEFAULT, ReadDebug, ReadsReader};
pub use reason::{RejectReason, Rejection};
pub use reject::{REJECT_COLUMNS, RejectWriter, reject_record};
pub use report::ImportReport;
pub use validate::{KnownCameras, READ_ID_BYTES_MAX, ValidatedBatch, ValidationConfig, Validator};
