//! Writing a scenario: `cameras.csv`, reads as Arrow batches to Parquet (and CSV), and
//! reads as domain values for the in-memory variant.

use crate::Error;
use crate::generate::{ReadSink, World, format_read_id};
use crate::trip::{FIXED_SITE, SimRead};
use crate::vehicle::{COLOURS, COUNTRIES, MODELS};
use arrow::array::{
    ArrayRef, Float32Builder, Float64Builder, RecordBatch, StringBuilder,
    TimestampMicrosecondBuilder,
};
use corridor_domain::{Country, PlateRead, PlateText};
use parquet::arrow::ArrowWriter;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Rows per Arrow batch handed to the writer thread.
const BATCH_ROWS: usize = 65_536;
/// Batches in flight between the generator and the writer thread.
const BATCHES_IN_FLIGHT: usize = 4;

/// The header and rows of `cameras.csv`, in the canonical camera schema.
pub(crate) fn write_cameras_csv(world: &World, path: &Path) -> Result<(), Error> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::create(path).map_err(io)?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(file));
    let csv_err = |source: csv::Error| Error::Csv {
        path: path.to_owned(),
        source,
    };
    writer
        .write_record([
            "camera_id",
            "name",
            "lat",
            "lon",
            "heading",
            "country",
            "operator",
            "kind",
            "infrared",
        ])
        .map_err(csv_err)?;
    for sim_camera in &world.layout.cameras {
        let camera = &sim_camera.camera;
        writer
            .write_record([
                camera.camera_id.as_str(),
                camera.name.as_str(),
                &format!("{:.6}", camera.lat),
                &format!("{:.6}", camera.lon),
                &camera
                    .heading_deg
                    .map(|h| format!("{h:.0}"))
                    .unwrap_or_default(),
                camera.country.as_ref().map(Country::as_str).unwrap_or(""),
                camera.operator.as_str(),
                camera.kind.as_str(),
                if camera.infrared { "true" } else { "false" },
            ])
            .map_err(csv_err)?;
    }
    writer.flush().map_err(io)
}

/// Position of a mobile read: the unit's parking spot plus a few metres of GPS noise.
fn mobile_fix(world: &World, read: &SimRead) -> (f64, f64, f32) {
    let deployment = &world.layout.deployments[read.deployment as usize];
    let noise = splitmix(u64::from(read.day) << 40 ^ u64::from(read.trip) << 8 ^ u64::from(read.k));
    let east_m = ((noise & 0xffff) as f64 / 65_535.0 - 0.5) * 12.0;
    let north_m = (((noise >> 16) & 0xffff) as f64 / 65_535.0 - 0.5) * 12.0;
    let (lat, lon) = crate::geo::offset_m(deployment.lat, deployment.lon, east_m, north_m);
    (
        (lat * 1e6).round() / 1e6,
        (lon * 1e6).round() / 1e6,
        deployment.heading_deg,
    )
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Builds one Arrow batch in the canonical reads schema.
fn build_batch(world: &World, reads: &[SimRead], read_id: &mut String) -> RecordBatch {
    let n = reads.len();
    let mut read_ids = StringBuilder::with_capacity(n, n * 14);
    let mut plates = StringBuilder::with_capacity(n, n * 8);
    let mut countries = StringBuilder::with_capacity(n, n * 2);
    let mut camera_ids = StringBuilder::with_capacity(n, n * 16);
    let mut ts = TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC");
    let mut confidence = Float32Builder::with_capacity(n);
    let mut lat = Float64Builder::with_capacity(n);
    let mut lon = Float64Builder::with_capacity(n);
    let mut heading = Float32Builder::with_capacity(n);
    let mut makes = StringBuilder::with_capacity(n, n * 8);
    let mut models = StringBuilder::with_capacity(n, n * 8);
    let mut colours = StringBuilder::with_capacity(n, n * 5);
    let mut types = StringBuilder::with_capacity(n, n * 4);
    for read in reads {
        let sim_camera = &world.layout.cameras[read.camera as usize];
        format_read_id(read, read_id);
        read_ids.append_value(read_id.as_str());
        plates.append_value(read.plate.as_str());
        countries.append_value(COUNTRIES[read.country as usize]);
        camera_ids.append_value(&sim_camera.camera.camera_id);
        ts.append_value(read.ts_us);
        confidence.append_value(f32::from(read.confidence) / 100.0);
        if read.deployment == FIXED_SITE {
            lat.append_null();
            lon.append_null();
            heading.append_option(sim_camera.camera.heading_deg);
        } else {
            let (fix_lat, fix_lon, fix_heading) = mobile_fix(world, read);
            lat.append_value(fix_lat);
            lon.append_value(fix_lon);
            heading.append_value(fix_heading);
        }
        if sim_camera.mmr {
            let (make, model, _) = MODELS[read.model as usize];
            makes.append_value(make);
            models.append_value(model);
            colours.append_value(COLOURS[read.colour as usize]);
        } else {
            makes.append_null();
            models.append_null();
            colours.append_null();
        }
        types.append_value(read.class.as_str());
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(read_ids.finish()),
        Arc::new(plates.finish()),
        Arc::new(countries.finish()),
        Arc::new(camera_ids.finish()),
        Arc::new(ts.finish()),
        Arc::new(confidence.finish()),
        Arc::new(lat.finish()),
        Arc::new(lon.finish()),
        Arc::new(heading.finish()),
        Arc::new(makes.finish()),
        Arc::new(models.finish()),
        Arc::new(colours.finish()),
        Arc::new(types.finish()),
    ];
    RecordBatch::try_new(crate::schema::reads_schema(), columns)
        .expect("columns follow reads_schema")
}

/// Writes reads to `reads.parquet` (and `reads.csv`) on a writer thread, so that encoding
/// and compression overlap generation.
pub(crate) struct FileSink {
    sender: Option<SyncSender<RecordBatch>>,
    writer: Option<JoinHandle<Result<(), Error>>>,
    pending: Vec<SimRead>,
    read_id: String,
}

impl FileSink {
    pub(crate) fn create(
        parquet_path: PathBuf,
        csv_path: Option<PathBuf>,
    ) -> Result<FileSink, Error> {
        let file = File::create(&parquet_path).map_err(|source| Error::Io {
            path: parquet_path.clone(),
            source,
        })?;
        let properties = crate::schema::parquet_writer_properties();
        let parquet = ArrowWriter::try_new(file, crate::schema::reads_schema(), Some(properties))
            .map_err(|source| Error::Parquet {
            path: parquet_path.clone(),
            source,
        })?;
        let csv = match &csv_path {
            Some(path) => {
                let file = File::create(path).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                Some(
                    arrow::csv::WriterBuilder::new()
                        .with_header(true)
                        .build(BufWriter::new(file)),
                )
            }
            None => None,
        };
        let (sender, receiver) = sync_channel(BATCHES_IN_FLIGHT);
        let writer = std::thread::Builder::new()
            .name("sim-writer".into())
            .spawn(move || write_batches(receiver, parquet, parquet_path, csv, csv_path))
            .map_err(|source| Error::Io {
                path: PathBuf::from("<writer thread>"),
                source,
            })?;
        Ok(FileSink {
            sender: Some(sender),
            writer: Some(writer),
            pending: Vec::with_capacity(BATCH_ROWS),
            read_id: String::new(),
        })
    }

    fn send(&mut self, world: &World) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = build_batch(world, &self.pending, &mut self.read_id);
        self.pending.clear();
        let sender = self.sender.as_ref().expect("the sink is open until finish");
        if sender.send(batch).is_err() {
            // The writer stopped early: its error says why.
            return self.join();
        }
        Ok(())
    }

    /// Flushes the last batch and waits for the files to be complete.
    pub(crate) fn finish(mut self, world: &World) -> Result<(), Error> {
        self.send(world)?;
        self.join()
    }

    fn join(&mut self) -> Result<(), Error> {
        self.sender = None;
        match self.writer.take() {
            Some(handle) => handle.join().expect("the writer thread does not panic"),
            None => Ok(()),
        }
    }
}

impl ReadSink for FileSink {
    fn write(&mut self, world: &World, reads: &[SimRead]) -> Result<(), Error> {
        for chunk in reads.chunks(BATCH_ROWS) {
            let room = BATCH_ROWS - self.pending.len();
            let (now, later) = chunk.split_at(room.min(chunk.len()));
            self.pending.extend_from_slice(now);
            if self.pending.len() == BATCH_ROWS {
                self.send(world)?;
            }
            self.pending.extend_from_slice(later);
        }
        Ok(())
    }
}

fn write_batches(
    receiver: Receiver<RecordBatch>,
    mut parquet: ArrowWriter<File>,
    parquet_path: PathBuf,
    mut csv: Option<arrow::csv::Writer<BufWriter<File>>>,
    csv_path: Option<PathBuf>,
) -> Result<(), Error> {
    let parquet_err = |source| Error::Parquet {
        path: parquet_path.clone(),
        source,
    };
    for batch in receiver {
        parquet.write(&batch).map_err(parquet_err)?;
        if let Some(writer) = csv.as_mut() {
            let path = csv_path.clone().unwrap_or_default();
            writer
                .write(&with_offset_timezone(&batch))
                .map_err(|source| Error::Arrow { path, source })?;
        }
    }
    parquet.close().map_err(parquet_err)?;
    Ok(())
}

/// Collects reads as domain values (for tests and small scenarios).
#[derive(Debug, Default)]
pub(crate) struct MemorySink {
    pub(crate) reads: Vec<PlateRead>,
}

impl ReadSink for MemorySink {
    fn write(&mut self, world: &World, reads: &[SimRead]) -> Result<(), Error> {
        let mut read_id = String::new();
        for read in reads {
            let sim_camera = &world.layout.cameras[read.camera as usize];
            format_read_id(read, &mut read_id);
            let (lat, lon, heading_deg) = if read.deployment == FIXED_SITE {
                (None, None, sim_camera.camera.heading_deg)
            } else {
                let (lat, lon, heading) = mobile_fix(world, read);
                (Some(lat), Some(lon), Some(heading))
            };
            let (make, model, colour) = if sim_camera.mmr {
                let (make, model, _) = MODELS[read.model as usize];
                (
                    Some(make.to_owned()),
                    Some(model.to_owned()),
                    Some(COLOURS[read.colour as usize].to_owned()),
                )
            } else {
                (None, None, None)
            };
            self.reads.push(PlateRead {
                read_id: read_id.clone(),
                plate: PlateText::parse(read.plate.as_str()).map_err(|source| Error::Convert {
                    reason: source.to_string(),
                })?,
                country: Some(Country::from_static(COUNTRIES[read.country as usize])),
                camera_id: sim_camera.camera.camera_id.clone(),
                ts: read.ts_us,
                confidence: Some(f32::from(read.confidence) / 100.0),
                lat,
                lon,
                heading_deg,
                make,
                model,
                colour,
                vehicle_type: Some(read.class.as_str().to_owned()),
            });
        }
        Ok(())
    }
}

/// The batch with `ts` in the fixed offset `+00:00` (the same instants): the CSV writer
/// formats only offset time zones without the tz database, as RFC 3339.
fn with_offset_timezone(batch: &RecordBatch) -> RecordBatch {
    use arrow::array::{Array, TimestampMicrosecondArray};
    use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    let ts_idx = batch
        .schema()
        .index_of("ts")
        .expect("the reads schema has ts");
    let ts = batch
        .column(ts_idx)
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .expect("ts is a microsecond timestamp");
    let mut columns = batch.columns().to_vec();
    columns[ts_idx] = Arc::new(ts.clone().with_timezone("+00:00"));
    let fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| {
            if f.name() == "ts" {
                Field::new(
                    "ts",
                    DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into())),
                    f.is_nullable(),
                )
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .expect("same columns, same lengths")
}
