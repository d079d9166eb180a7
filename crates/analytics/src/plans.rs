//! The set-oriented steps, as Apache DataFusion plans.
//!
//! Each function takes a [`SessionContext`] with the compact `reads` table registered (see
//! [`register_reads`]) and returns plain Rust values, so that the same SQL can later be
//! planned on a Ballista cluster by registering the store's segments there instead.

use crate::Error;
use crate::table::ReadTable;
use datafusion::arrow::array::{AsArray, Int64Array, RecordBatch, UInt32Array};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, UInt32Type};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::sync::Arc;

/// Rows per batch of the registered `reads` table (one partition per batch group).
const BATCH_ROWS: usize = 1 << 20;

/// A session for the analyses' plans.
pub(crate) fn session(partitions: usize) -> SessionContext {
    let config = SessionConfig::new()
        .with_target_partitions(partitions.max(1))
        .with_batch_size(64 * 1024);
    SessionContext::new_with_config(config)
}

/// Registers the table `reads(plate UInt32, camera UInt32, ts Int64 microseconds)` built
/// from the interned read table.
pub(crate) fn register_reads(
    ctx: &SessionContext,
    table: &ReadTable,
    partitions: usize,
) -> Result<(), Error> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("plate", DataType::UInt32, false),
        Field::new("camera", DataType::UInt32, false),
        Field::new("ts", DataType::Int64, false),
    ]));
    let mut parts: Vec<Vec<RecordBatch>> = vec![Vec::new(); partitions.max(1)];
    for (chunk_idx, start) in (0..table.len()).step_by(BATCH_ROWS).enumerate() {
        let end = (start + BATCH_ROWS).min(table.len());
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(UInt32Array::from(table.plate[start..end].to_vec())),
                Arc::new(UInt32Array::from(table.camera[start..end].to_vec())),
                Arc::new(Int64Array::from(table.ts[start..end].to_vec())),
            ],
        )
        .map_err(|err| plan_error("register_reads", err.into()))?;
        let n_parts = parts.len();
        parts[chunk_idx % n_parts].push(batch);
    }
    let mem = MemTable::try_new(schema, parts).map_err(|err| plan_error("register_reads", err))?;
    ctx.register_table("reads", Arc::new(mem))
        .map_err(|err| plan_error("register_reads", err))?;
    Ok(())
}

/// Reads and distinct plates per camera and hour of day: the background traffic.
pub(crate) const CAMERA_HOUR_TRAFFIC_SQL: &str = "\
SELECT camera, CAST((ts / 3600000000) % 24 AS BIGINT) AS hour, \
       COUNT(*) AS n_reads, COUNT(DISTINCT plate) AS n_plates \
FROM reads GROUP BY camera, CAST((ts / 3600000000) % 24 AS BIGINT)";

/// One row of [`CAMERA_HOUR_TRAFFIC_SQL`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct CameraHour {
    pub(crate) camera: u32,
    pub(crate) hour: u8,
    pub(crate) n_reads: u64,
    pub(crate) n_plates: u64,
}

/// Runs [`CAMERA_HOUR_TRAFFIC_SQL`].
pub(crate) async fn camera_hour_traffic(ctx: &SessionContext) -> Result<Vec<CameraHour>, Error> {
    let batches = run(ctx, "camera_hour_traffic", CAMERA_HOUR_TRAFFIC_SQL).await?;
    let mut rows = Vec::new();
    for batch in batches {
        let camera = batch.column(0).as_primitive::<UInt32Type>();
        let hour = batch.column(1).as_primitive::<Int64Type>();
        let n_reads = batch.column(2).as_primitive::<Int64Type>();
        let n_plates = batch.column(3).as_primitive::<Int64Type>();
        for idx in 0..batch.num_rows() {
            rows.push(CameraHour {
                camera: camera.value(idx),
                hour: hour.value(idx).rem_euclid(24) as u8,
                n_reads: n_reads.value(idx).max(0) as u64,
                n_plates: n_plates.value(idx).max(0) as u64,
            });
        }
    }
    Ok(rows)
}

/// Distinct days (starting at noon UTC) on which each plate was read.
pub(crate) const PLATE_DAYS_SQL: &str = "\
SELECT plate, COUNT(DISTINCT (ts - 43200000000) / 86400000000) AS n_days \
FROM reads GROUP BY plate";

/// Runs [`PLATE_DAYS_SQL`]; the result is indexed by plate.
pub(crate) async fn plate_days(ctx: &SessionContext, n_plates: usize) -> Result<Vec<u32>, Error> {
    let batches = run(ctx, "plate_days", PLATE_DAYS_SQL).await?;
    let mut days = vec![0u32; n_plates];
    for batch in batches {
        let plate = batch.column(0).as_primitive::<UInt32Type>();
        let n_days = batch.column(1).as_primitive::<Int64Type>();
        for idx in 0..batch.num_rows() {
            if let Some(slot) = days.get_mut(plate.value(idx) as usize) {
                *slot = n_days.value(idx).clamp(0, i64::from(u32::MAX)) as u32;
            }
        }
    }
    Ok(days)
}

async fn run(
    ctx: &SessionContext,
    plan: &'static str,
    sql: &str,
) -> Result<Vec<RecordBatch>, Error> {
    let frame = ctx.sql(sql).await.map_err(|err| plan_error(plan, err))?;
    frame.collect().await.map_err(|err| plan_error(plan, err))
}

fn plan_error(plan: &'static str, source: datafusion::error::DataFusionError) -> Error {
    Error::Plan { plan, source }
}
