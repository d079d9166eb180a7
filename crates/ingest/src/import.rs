//! An import: cameras, then reads streamed through validation into one `BulkImport`,
//! committed only at the end.
//!
//! ```text
//!  reader thread                              calling thread
//!  ReadsReader -> Validator --(2 batches)--> BulkImport::add_batch_skipping_conflicts
//!                                              |            \
//!                                              v             reject file / strict abort
//!                                        upsert cameras, commit
//! ```

use crate::columns::SourceBatch;
use crate::reject::RejectWriter;
use crate::validate::{KnownCameras, ValidatedBatch, ValidationConfig, Validator};
use crate::{
    Format, ImportReport, IngestError, ReadsReader, RejectReason, Rejection, read_cameras,
};
use corridor_domain::Camera;
use corridor_store::{BulkImport, Store};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

/// What to do with bad rows.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ImportMode {
    /// The first bad row aborts the import; nothing of it is committed.
    Strict,
    /// Good rows are imported; bad rows are written to this CSV file with their reasons.
    RejectFile(PathBuf),
}

/// Settings of one import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The reads file's format; `None` tells it from the extension.
    pub format: Option<Format>,
    pub mode: ImportMode,
    /// Rows per batch (bounds memory: about two batches are in flight).
    pub batch_rows: usize,
    pub validation: ValidationConfig,
}

impl ImportOptions {
    /// Strict, format from the extension, default batch size, validated against `now`.
    pub fn strict(validation: ValidationConfig) -> ImportOptions {
        ImportOptions {
            format: None,
            mode: ImportMode::Strict,
            batch_rows: crate::BATCH_ROWS_DEFAULT,
            validation,
        }
    }
}

/// How far an import has come, reported after each batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportProgress {
    /// Rows read so far.
    pub n_rows: u64,
    /// Units done (rows for Parquet, bytes for text formats).
    pub done: u64,
    /// Units in the file; 0 when unknown.
    pub total: u64,
}

/// Imports `cameras` (if given) and the reads of `reads` into `store`.
///
/// Cameras are checked first and stored just before the reads are committed; in strict
/// mode any bad row returns `IngestError::BadField` and nothing (cameras included) is
/// stored. Reads already stored are never changed: a read id stored with other content is
/// rejected like any other bad row.
pub fn import(
    store: &Store,
    cameras: Option<&Path>,
    reads: &Path,
    options: &ImportOptions,
    on_progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportReport, IngestError> {
    let started = Instant::now();
    let new_cameras = match cameras {
        Some(path) => read_cameras(path)?,
        None => Vec::new(),
    };
    let mut known = KnownCameras::new(store.cameras().into_iter().map(|camera| camera.camera_id));
    for camera in &new_cameras {
        known.insert(&camera.camera_id);
    }
    let reader = ReadsReader::open(reads, options.format, options.batch_rows)?;
    let mut report = ImportReport {
        path: reads.to_owned(),
        format: Some(reader.format()),
        n_cameras: new_cameras.len(),
        ..ImportReport::default()
    };
    let mut rejects = match &options.mode {
        ImportMode::Strict => None,
        ImportMode::RejectFile(path) => {
            report.reject_file = Some(path.clone());
            Some(RejectWriter::create(path)?)
        }
    };
    let validator = Validator::new(options.validation.clone(), known);
    let mut bulk = store.bulk_import();
    bulk.expect_rows(reader.rows_expected());
    stream_reads(
        reader,
        &validator,
        &mut bulk,
        &mut report,
        rejects.as_mut(),
        on_progress,
    )?;
    if let Some(rejects) = rejects {
        rejects.finish()?;
    }
    commit(store, bulk, &new_cameras, &mut report)?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Reads and validates on a second thread while this one feeds the store.
fn stream_reads(
    reader: ReadsReader,
    validator: &Validator,
    bulk: &mut BulkImport<'_>,
    report: &mut ImportReport,
    mut rejects: Option<&mut RejectWriter>,
    on_progress: &mut dyn FnMut(ImportProgress),
) -> Result<(), IngestError> {
    let path = reader.path().to_owned();
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<Result<Checked, IngestError>>(2);
        scope.spawn(move || produce(reader, validator, &sender));
        for checked in receiver {
            let checked = checked?;
            report.n_rows += checked.source.batch.num_rows() as u64;
            let rejected = store_batch(bulk, &checked)?;
            if !rejected.is_empty() {
                count_rejections(report, &rejected);
                match rejects.as_deref_mut() {
                    Some(writer) => writer.write(&checked.source, &rejected)?,
                    // Returning drops the receiver, which stops the reader thread.
                    None => return Err(bad_field(&path, &rejected[0].1)),
                }
            }
            on_progress(ImportProgress {
                n_rows: report.n_rows,
                done: checked.progress.0,
                total: checked.progress.1,
            });
        }
        Ok(())
    })
}

/// A validated batch with its source (for the reject file) and the reader's progress.
struct Checked {
    source: SourceBatch,
    validated: ValidatedBatch,
    progress: (u64, u64),
}

fn produce(
    reader: ReadsReader,
    validator: &Validator,
    sender: &mpsc::SyncSender<Result<Checked, IngestError>>,
) {
    let mut reader = reader;
    while let Some(source) = reader.next() {
        let checked = source.map(|source| Checked {
            validated: validator.validate(&source),
            source,
            progress: reader.progress(),
        });
        let failed = checked.is_err();
        if sender.send(checked).is_err() || failed {
            return;
        }
    }
}

/// Adds the good rows of a batch; returns every bad row of it (validation and read-id
/// conflicts), ascending by row.
fn store_batch(
    bulk: &mut BulkImport<'_>,
    checked: &Checked,
) -> Result<Vec<(usize, Rejection)>, IngestError> {
    let validated = &checked.validated;
    let mut rejected = validated.rejected.clone();
    if validated.good.num_rows() == 0 {
        return Ok(rejected);
    }
    let conflicts = bulk.add_batch_skipping_conflicts(validated.good.clone())?;
    if conflicts.is_empty() {
        return Ok(rejected);
    }
    for conflict in conflicts {
        let row_idx = validated.kept_rows[conflict.row];
        let message = format!(
            "duplicated read id `{}` with different content (already stored or earlier in this import)",
            conflict.read_id
        );
        let rejection = Rejection {
            row: checked.source.rows.get(row_idx),
            field: "read_id",
            reason: RejectReason::ConflictingReadId,
            message,
        };
        rejected.push((row_idx, rejection));
    }
    rejected.sort_by_key(|(row_idx, _)| *row_idx);
    Ok(rejected)
}

fn count_rejections(report: &mut ImportReport, rejected: &[(usize, Rejection)]) {
    report.n_rejected += rejected.len() as u64;
    for (_, rejection) in rejected {
        *report
            .rejected_by_reason
            .entry(rejection.reason)
            .or_default() += 1;
    }
}

fn bad_field(path: &Path, rejection: &Rejection) -> IngestError {
    IngestError::BadField {
        path: path.to_owned(),
        row: rejection.row,
        field: rejection.field,
        reason: rejection.reason,
        message: rejection.message.clone(),
    }
}

fn commit(
    store: &Store,
    bulk: BulkImport<'_>,
    cameras: &[Camera],
    report: &mut ImportReport,
) -> Result<(), IngestError> {
    if !cameras.is_empty() {
        store.upsert_cameras(cameras)?;
    }
    let committed = bulk.commit()?;
    report.n_imported = committed.n_imported;
    report.n_duplicates = committed.n_duplicates;
    report.n_expired = committed.n_expired;
    Ok(())
}
