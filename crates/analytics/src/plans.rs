//! The set-oriented steps, as Apache DataFusion plans.
//!
//! Each plan is SQL over a relation `reads(plate, camera, ts)`, `ts` in microseconds. The
//! embedded engine registers it as a MemTable of the interned read table (plate and camera
//! ids, see [`register_reads`]); on Parquet files, and so on a Ballista cluster, it is a
//! `WITH reads AS (...)` over the files (see [`crate::lake_plans`]) whose keys are names
//! (`TEXT/COUNTRY`, `camera_id`). [`PlanKeys`] turns either form back into table ids, so
//! the same SQL answers the same rows on every engine.

use crate::Error;
use crate::table::{FastMap, ReadTable};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, RecordBatch, UInt32Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema, UInt32Type};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::sync::Arc;

/// Rows per batch of the registered `reads` table (one partition per batch group).
const BATCH_ROWS: usize = 1 << 20;
/// Rows per batch the plans produce.
pub(crate) const PLAN_BATCH_ROWS: usize = 64 * 1024;

/// A session for the analyses' plans.
pub(crate) fn session(partitions: usize) -> SessionContext {
    let config = SessionConfig::new()
        .with_target_partitions(partitions.max(1))
        .with_batch_size(PLAN_BATCH_ROWS);
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

/// How the plans find `reads`, and how their keys map back to table ids.
#[derive(Debug)]
pub(crate) struct PlanKeys {
    /// `WITH reads AS (...) ` put before each plan, or empty when `reads` is registered.
    reads_cte: String,
    /// `camera_id` -> camera id of the table (Parquet form only).
    cameras: FastMap<String, u32>,
    /// `TEXT/COUNTRY` -> plate id of the table (Parquet form only).
    plates: FastMap<String, u32>,
}

impl PlanKeys {
    /// Keys of the MemTable registered by [`register_reads`]: already table ids.
    pub(crate) fn table_ids() -> PlanKeys {
        PlanKeys {
            reads_cte: String::new(),
            cameras: FastMap::default(),
            plates: FastMap::default(),
        }
    }

    /// Keys of `reads` defined by `reads_cte` over Parquet files: names.
    pub(crate) fn names(table: &ReadTable, reads_cte: String) -> PlanKeys {
        let cameras = table
            .cameras
            .iter()
            .enumerate()
            .map(|(idx, site)| (site.camera_id.clone(), idx as u32))
            .collect();
        let plates = (0..table.n_plates() as u32)
            .map(|plate| (plate_key(table, plate), plate))
            .collect();
        PlanKeys {
            reads_cte,
            cameras,
            plates,
        }
    }

    fn sql(&self, plan_sql: &str) -> String {
        format!("{}{plan_sql}", self.reads_cte)
    }
}

/// The name of plate `plate` in the Parquet form of `reads`: `TEXT/COUNTRY` (`TEXT/`
/// without a country).
pub(crate) fn plate_key(table: &ReadTable, plate: u32) -> String {
    let entry = &table.plates[plate as usize];
    format!("{}/{}", entry.text, entry.country.as_deref().unwrap_or(""))
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
/// Rows whose camera the table does not know (other nodes' cameras in a lake) are left out.
pub(crate) async fn camera_hour_traffic(
    ctx: &SessionContext,
    keys: &PlanKeys,
) -> Result<Vec<CameraHour>, Error> {
    const PLAN: &str = "camera_hour_traffic";
    let batches = run(ctx, PLAN, &keys.sql(CAMERA_HOUR_TRAFFIC_SQL)).await?;
    let mut rows = Vec::new();
    for batch in batches {
        let camera = ids(PLAN, batch.column(0), &keys.cameras)?;
        let hour = batch.column(1).as_primitive::<Int64Type>();
        let n_reads = batch.column(2).as_primitive::<Int64Type>();
        let n_plates = batch.column(3).as_primitive::<Int64Type>();
        for (idx, camera) in camera.into_iter().enumerate() {
            let Some(camera) = camera else { continue };
            rows.push(CameraHour {
                camera,
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

/// Runs [`PLATE_DAYS_SQL`]; the result is indexed by plate (plates the table does not
/// know are left out).
pub(crate) async fn plate_days(
    ctx: &SessionContext,
    keys: &PlanKeys,
    n_plates: usize,
) -> Result<Vec<u32>, Error> {
    const PLAN: &str = "plate_days";
    let batches = run(ctx, PLAN, &keys.sql(PLATE_DAYS_SQL)).await?;
    let mut days = vec![0u32; n_plates];
    for batch in batches {
        let plate = ids(PLAN, batch.column(0), &keys.plates)?;
        let n_days = batch.column(1).as_primitive::<Int64Type>();
        for (idx, plate) in plate.into_iter().enumerate() {
            if let Some(slot) = plate.and_then(|plate| days.get_mut(plate as usize)) {
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

/// Table ids from a key column: ids already (MemTable form) or names looked up in `names`.
fn ids(
    plan: &'static str,
    column: &ArrayRef,
    names: &FastMap<String, u32>,
) -> Result<Vec<Option<u32>>, Error> {
    if column.data_type() == &DataType::UInt32 {
        return Ok(column
            .as_primitive::<UInt32Type>()
            .iter()
            .collect::<Vec<_>>());
    }
    let strings = cast(column, &DataType::Utf8).map_err(|err| plan_error(plan, err.into()))?;
    Ok(strings
        .as_string::<i32>()
        .iter()
        .map(|name| name.and_then(|name| names.get(name).copied()))
        .collect())
}

pub(crate) fn plan_error(plan: &'static str, source: datafusion::error::DataFusionError) -> Error {
    Error::Plan { plan, source }
}
