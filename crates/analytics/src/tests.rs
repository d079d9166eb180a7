//! Hand-made cases for every algorithm, built as real Arrow batches and run through the
//! same code paths as [`crate::analyse`].

use crate::table::ReadTable;
use crate::{AnalysisConfig, AnalysisInput};
use corridor_domain::{Camera, CameraKind, Country};
use datafusion::arrow::array::{Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use std::sync::Arc;

mod algorithms;
mod scenarios;
mod targeted;

/// Midnight UTC, Monday 2026-03-02, in seconds.
pub(crate) const MONDAY: i64 = 1_772_409_600;

/// One read of a fixture: plate, camera id, seconds since the epoch, optional make, model
/// and colour.
#[derive(Clone, Debug)]
pub(crate) struct R {
    pub(crate) plate: String,
    pub(crate) camera: String,
    pub(crate) secs: i64,
    pub(crate) make: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) colour: Option<String>,
    pub(crate) vehicle_type: Option<String>,
}

pub(crate) fn r(plate: &str, camera: &str, secs: i64) -> R {
    R {
        plate: plate.to_owned(),
        camera: camera.to_owned(),
        secs,
        make: None,
        model: None,
        colour: None,
        vehicle_type: None,
    }
}

pub(crate) fn camera(camera_id: &str, lat: f64, lon: f64) -> Camera {
    Camera {
        camera_id: camera_id.to_owned(),
        name: camera_id.to_owned(),
        lat,
        lon,
        heading_deg: None,
        country: None,
        operator: "test".to_owned(),
        kind: CameraKind::Fixed,
        infrared: false,
    }
}

/// Cameras `C0..Cn` along a line of latitude 50.9, `spacing_km` apart, from lon 2.0 east.
pub(crate) fn line_cameras(n: usize, spacing_km: f64) -> Vec<Camera> {
    let deg_per_km = 1.0 / (111.32 * 50.9f64.to_radians().cos());
    (0..n)
        .map(|idx| {
            camera(
                &format!("C{idx}"),
                50.9,
                2.0 + idx as f64 * spacing_km * deg_per_km,
            )
        })
        .collect()
}

pub(crate) fn batch(reads: &[R]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("read_id", DataType::Utf8, false),
        Field::new("plate", DataType::Utf8, false),
        Field::new("country", DataType::Utf8, true),
        Field::new("camera_id", DataType::Utf8, false),
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        Field::new("make", DataType::Utf8, true),
        Field::new("model", DataType::Utf8, true),
        Field::new("colour", DataType::Utf8, true),
        Field::new("vehicle_type", DataType::Utf8, true),
    ]));
    let ts = Int64Array::from(
        reads
            .iter()
            .map(|read| read.secs * 1_000_000)
            .collect::<Vec<_>>(),
    )
    .reinterpret_cast::<datafusion::arrow::datatypes::TimestampMicrosecondType>()
    .with_timezone("UTC");
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from_iter_values(
                (0..reads.len()).map(|idx| format!("r{idx}")),
            )),
            Arc::new(StringArray::from_iter_values(
                reads.iter().map(|read| read.plate.clone()),
            )),
            Arc::new(StringArray::from(vec![Some("FR"); reads.len()])),
            Arc::new(StringArray::from_iter_values(
                reads.iter().map(|read| read.camera.clone()),
            )),
            Arc::new(ts),
            Arc::new(StringArray::from(
                reads
                    .iter()
                    .map(|read| read.make.clone())
                    .collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from(
                reads
                    .iter()
                    .map(|read| read.model.clone())
                    .collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from(
                reads
                    .iter()
                    .map(|read| read.colour.clone())
                    .collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from(
                reads
                    .iter()
                    .map(|read| read.vehicle_type.clone())
                    .collect::<Vec<_>>(),
            )),
        ],
    )
    .expect("fixture batch")
}

pub(crate) fn input(cameras: Vec<Camera>, reads: &[R]) -> AnalysisInput {
    AnalysisInput {
        reads: vec![batch(reads)],
        cameras,
        seeds: Vec::new(),
        window: None,
    }
}

pub(crate) fn table(cameras: Vec<Camera>, reads: &[R]) -> ReadTable {
    ReadTable::build(&input(cameras, reads), AnalysisConfig::default().reads_max)
        .expect("fixture table")
}

/// A trip along `cameras` (ids of a line) starting at `start` secs, `step` secs apart.
pub(crate) fn drive(plate: &str, cameras: &[usize], start: i64, step: i64) -> Vec<R> {
    cameras
        .iter()
        .enumerate()
        .map(|(idx, &cam)| r(plate, &format!("C{cam}"), start + idx as i64 * step))
        .collect()
}
