//! The compact in-memory form of the reads that the algorithms walk: interned plates,
//! camera indexes and timestamps in parallel columns, with a by-plate ordering.

use crate::geo::Point;
use crate::{AnalysisInput, Error};
use corridor_domain::{Camera, CameraKind, Country, VehicleClass};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use rayon::prelude::*;
use std::collections::HashMap;
use xxhash_rust::xxh3::Xxh3DefaultBuilder;

/// Microseconds per second.
pub(crate) const MICROS: i64 = 1_000_000;
/// Cameras up to which the distances between every two are kept (8 MiB at most).
const CAMERA_DISTANCES_MAX: usize = 1024;
/// Microseconds per day.
pub(crate) const DAY_MICROS: i64 = 86_400 * MICROS;

/// The hour of the day (UTC, 0 to 23) of a timestamp in microseconds.
pub(crate) fn hour_of_day(ts: i64) -> i64 {
    (ts / (3600 * MICROS)).rem_euclid(24)
}

/// Night in UTC hours, from the first hour to the second the next morning: 19:00 to 05:00
/// (20:00 to 06:00 in Central European Time), when runs to the coast set off and boats are
/// launched in the dark, and commuters are at home.
pub(crate) const NIGHT_HOURS_UTC: (i64, i64) = (19, 5);
/// Working hours, UTC (07:00 to 18:00 Central European Time): deliveries, trades and the
/// journey to work, not a gang's runs to the coast.
pub(crate) const WORKING_HOURS_UTC: (i64, i64) = (6, 17);

/// Whether the timestamp `ts` (microseconds) falls in `WORKING_HOURS_UTC`.
pub(crate) fn in_working_hours(ts: i64) -> bool {
    let (opens, closes) = WORKING_HOURS_UTC;
    !in_hours(ts, (closes, opens))
}

/// Whether the timestamp `ts` (microseconds) falls between the hours `(from, to)` of
/// `hours`, UTC, `to` being the next morning's.
pub(crate) fn in_hours(ts: i64, (from, to): (i64, i64)) -> bool {
    !(to..from).contains(&hour_of_day(ts))
}

/// A map with a fast hash; keys here are plate texts and small ids, not attacker-chosen
/// keys of a long-running service.
pub(crate) type FastMap<K, V> = HashMap<K, V, Xxh3DefaultBuilder>;
/// A set with the same fast hash.
pub(crate) type FastSet<K> = std::collections::HashSet<K, Xxh3DefaultBuilder>;
/// A map from short texts (plates, camera ids, descriptions), looked up once or more per
/// read while the table is built: a hash made for short keys, where xxh3 through `Hasher`
/// costs several times as much. Fixed, so that any order it gives is the same every run.
type TextMap<V> = HashMap<String, V, foldhash::fast::FixedState>;

/// One distinct plate (text and country).
#[derive(Clone, Debug)]
pub(crate) struct PlateEntry {
    pub(crate) text: String,
    pub(crate) country: Option<String>,
}

/// What a camera said the vehicle looked like; all-`None` descriptions are id 0.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct VehicleDesc {
    pub(crate) make: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) colour: Option<String>,
}

/// The land a camera stands on, by its country: Great Britain, Ireland, or the continent.
/// Between two of them vehicles cross by sea (a ferry, or the Channel Tunnel's shuttle).
/// Northern Ireland's cameras (country `GB`) are taken for Great Britain's, so its land
/// border counts as a crossing: a stretch is cut there, the cautious side.
fn landmass(country: Country) -> u8 {
    match country.as_str() {
        "GB" => 1,
        "IE" => 2,
        _ => 0,
    }
}

/// A camera as the algorithms need it.
#[derive(Clone, Debug)]
pub(crate) struct CameraSite {
    pub(crate) camera_id: String,
    pub(crate) point: Point,
    /// A vehicle-mounted camera: its reads carry their own position.
    pub(crate) mobile: bool,
    /// Direction of the traffic the camera reads, degrees clockwise from north.
    pub(crate) heading_deg: Option<f64>,
    /// The land it stands on (see [`landmass`]), where the camera's country is known.
    pub(crate) landmass: Option<u8>,
}

/// The reads, columnar and interned. Row `i` is one read.
#[derive(Debug)]
pub(crate) struct ReadTable {
    pub(crate) plate: Vec<u32>,
    pub(crate) camera: Vec<u32>,
    pub(crate) ts: Vec<i64>,
    pub(crate) desc: Vec<u32>,
    /// Per row: what the camera said the vehicle type was (see [`VehicleClass`]).
    pub(crate) class: Vec<VehicleClass>,
    read_ref: Vec<(u32, u32)>,
    read_id_columns: Vec<StringArray>,
    pub(crate) plates: Vec<PlateEntry>,
    plate_by_text: TextMap<Vec<u32>>,
    pub(crate) descs: Vec<VehicleDesc>,
    pub(crate) cameras: Vec<CameraSite>,
    /// Positions of reads by mobile cameras that carry one.
    gps: FastMap<u32, Point>,
    /// `[a * cameras.len() + b]`: great-circle metres between the sites of cameras `a` and
    /// `b`, for up to [`CAMERA_DISTANCES_MAX`] cameras (empty beyond); NaN where either is
    /// mobile (its reads carry their own positions).
    camera_distances: Vec<f64>,
    /// Per camera: the clock correction taken off its reads' `ts` (microseconds, positive
    /// where its clock was found ahead; empty until [`crate::clock::correct`] applies one).
    pub(crate) clock_us: Vec<i64>,
    /// Row indexes sorted by (plate, ts).
    pub(crate) by_plate: Vec<u32>,
    /// `by_plate[plate_offsets[p]..plate_offsets[p + 1]]` are the rows of plate `p`.
    plate_offsets: Vec<u32>,
    /// The times and cameras of the rows of `by_plate`, side by side with it: a plate's
    /// track read without reaching into every column at random.
    by_plate_ts: Vec<i64>,
    by_plate_camera: Vec<u32>,
}

impl ReadTable {
    /// Builds the table from the input's batches, keeping reads inside its window.
    pub(crate) fn build(input: &AnalysisInput, reads_max: usize) -> Result<ReadTable, Error> {
        let n_rows: usize = input.reads.iter().map(RecordBatch::num_rows).sum();
        if n_rows > reads_max {
            return Err(Error::TooManyReads {
                n_reads: n_rows,
                limit: reads_max,
            });
        }
        let mut builder = Builder::new(&input.cameras, n_rows);
        for batch in &input.reads {
            builder.add_batch(batch, input)?;
        }
        Ok(builder.finish())
    }

    /// Number of reads.
    pub(crate) fn len(&self) -> usize {
        self.ts.len()
    }

    /// Number of distinct plates.
    pub(crate) fn n_plates(&self) -> usize {
        self.plates.len()
    }

    /// Rows of plate `plate`, in time order.
    pub(crate) fn plate_rows(&self, plate: u32) -> &[u32] {
        &self.by_plate[self.plate_range(plate)]
    }

    /// The times and cameras of plate `plate`'s rows, in time order.
    pub(crate) fn plate_track(&self, plate: u32) -> (&[i64], &[u32]) {
        let range = self.plate_range(plate);
        (
            &self.by_plate_ts[range.clone()],
            &self.by_plate_camera[range],
        )
    }

    /// Where plate `plate`'s rows lie in the by-plate order.
    fn plate_range(&self, plate: u32) -> std::ops::Range<usize> {
        self.plate_offsets[plate as usize] as usize..self.plate_offsets[plate as usize + 1] as usize
    }

    /// The plates (any country) with this text.
    pub(crate) fn plates_with_text(&self, text: &str) -> &[u32] {
        self.plate_by_text.get(text).map_or(&[], Vec::as_slice)
    }

    /// The read id of row `row`.
    pub(crate) fn read_id(&self, row: u32) -> String {
        let (batch, batch_row) = self.read_ref[row as usize];
        self.read_id_columns[batch as usize]
            .value(batch_row as usize)
            .to_owned()
    }

    /// The position of the camera of row `row`.
    pub(crate) fn point(&self, row: u32) -> Point {
        let site = &self.cameras[self.camera[row as usize] as usize];
        if site.mobile
            && let Some(point) = self.gps.get(&row)
        {
            return *point;
        }
        site.point
    }

    /// Whether the vehicle crossed the sea between rows `a` and `b`: their cameras stand
    /// on different land (Great Britain, Ireland, the continent).
    pub(crate) fn crosses_sea(&self, a: u32, b: u32) -> bool {
        self.cameras_cross_sea(self.camera[a as usize], self.camera[b as usize])
    }

    /// [`Self::crosses_sea`] between reads of cameras `a` and `b`.
    pub(crate) fn cameras_cross_sea(&self, a: u32, b: u32) -> bool {
        let land = |camera: u32| self.cameras[camera as usize].landmass;
        matches!((land(a), land(b)), (Some(x), Some(y)) if x != y)
    }

    /// Great-circle metres between the positions of rows `a` and `b` (as [`Self::point`]).
    pub(crate) fn distance_m(&self, a: u32, b: u32) -> f64 {
        self.distance_between((a, self.camera[a as usize]), (b, self.camera[b as usize]))
    }

    /// [`Self::distance_m`] between rows whose cameras the caller has at hand:
    /// `(row, camera)` each.
    pub(crate) fn distance_between(
        &self,
        (a, camera_a): (u32, u32),
        (b, camera_b): (u32, u32),
    ) -> f64 {
        let n_cameras = self.cameras.len();
        let at = camera_a as usize * n_cameras + camera_b as usize;
        match self.camera_distances.get(at) {
            Some(&metres) if !metres.is_nan() => metres,
            _ => self.point(a).distance_m(self.point(b)),
        }
    }

    /// Recomputes the by-plate ordering after timestamps or plates of rows changed.
    pub(crate) fn resort(&mut self) {
        let (by_plate, offsets) = group_in_time_order(&self.plate, &self.ts, self.plates.len());
        self.by_plate_ts = by_plate
            .par_iter()
            .map(|&row| self.ts[row as usize])
            .collect();
        self.by_plate_camera = by_plate
            .par_iter()
            .map(|&row| self.camera[row as usize])
            .collect();
        self.by_plate = by_plate;
        self.plate_offsets = offsets;
    }

    /// Per plate: whether most of its reads that give a vehicle type say it is heavy.
    pub(crate) fn heavy_plates(&self) -> Vec<bool> {
        let mut votes = vec![(0u32, 0u32); self.n_plates()];
        for (row, class) in self.class.iter().enumerate() {
            let entry = &mut votes[self.plate[row] as usize];
            match class {
                VehicleClass::Heavy => entry.0 += 1,
                VehicleClass::Light => entry.1 += 1,
                VehicleClass::Unknown => {}
            }
        }
        votes
            .into_iter()
            .map(|(heavy, light)| heavy > light)
            .collect()
    }

    /// The plate text of plate `plate`.
    pub(crate) fn plate_text(&self, plate: u32) -> &str {
        &self.plates[plate as usize].text
    }
}

struct Builder {
    table: ReadTable,
    camera_by_id: TextMap<u32>,
    desc_by_key: TextMap<u32>,
    scratch: String,
}

impl Builder {
    fn new(cameras: &[Camera], n_rows: usize) -> Builder {
        let sites: Vec<CameraSite> = cameras
            .iter()
            .map(|camera| CameraSite {
                camera_id: camera.camera_id.clone(),
                point: Point {
                    lat: camera.lat,
                    lon: camera.lon,
                },
                mobile: camera.kind == CameraKind::Mobile,
                heading_deg: camera.heading_deg.map(f64::from),
                landmass: camera.country.map(landmass),
            })
            .collect();
        let camera_by_id = sites
            .iter()
            .enumerate()
            .map(|(idx, site)| (site.camera_id.clone(), idx as u32))
            .collect();
        Builder {
            table: ReadTable {
                plate: Vec::with_capacity(n_rows),
                camera: Vec::with_capacity(n_rows),
                ts: Vec::with_capacity(n_rows),
                desc: Vec::with_capacity(n_rows),
                class: Vec::with_capacity(n_rows),
                read_ref: Vec::with_capacity(n_rows),
                read_id_columns: Vec::new(),
                plates: Vec::new(),
                plate_by_text: TextMap::default(),
                descs: vec![VehicleDesc::default()],
                cameras: sites,
                gps: FastMap::default(),
                camera_distances: Vec::new(),
                clock_us: Vec::new(),
                by_plate: Vec::new(),
                plate_offsets: Vec::new(),
                by_plate_ts: Vec::new(),
                by_plate_camera: Vec::new(),
            },
            camera_by_id,
            desc_by_key: TextMap::default(),
            scratch: String::new(),
        }
    }

    fn add_batch(&mut self, batch: &RecordBatch, input: &AnalysisInput) -> Result<(), Error> {
        let read_id = string_column(batch, "read_id", true)?.expect("required column");
        let plate = string_column(batch, "plate", true)?.expect("required column");
        let camera_id = string_column(batch, "camera_id", true)?.expect("required column");
        let country = string_column(batch, "country", false)?;
        let make = string_column(batch, "make", false)?;
        let model = string_column(batch, "model", false)?;
        let colour = string_column(batch, "colour", false)?;
        let vehicle_type = string_column(batch, "vehicle_type", false)?;
        let ts = micros_column(batch)?;
        let lat = float_column(batch, "lat")?;
        let lon = float_column(batch, "lon")?;
        let batch_idx = self.table.read_id_columns.len() as u32;
        let mut kept: Vec<usize> = Vec::with_capacity(batch.num_rows());
        for row in 0..batch.num_rows() {
            if read_id.is_null(row)
                || plate.is_null(row)
                || camera_id.is_null(row)
                || ts.is_null(row)
            {
                return Err(Error::BadColumn {
                    column: "read_id, plate, camera_id, ts",
                    reason: format!("row {row} has a null in a required column"),
                });
            }
            if input
                .window
                .is_none_or(|window| window.contains(ts.value(row)))
            {
                kept.push(row);
            }
        }
        // The plates are interned on one core while the rest of each read is taken on
        // another; each side gives out its ids in row order, as one core would.
        let ReadTable {
            plate: plate_ids,
            plates,
            plate_by_text,
            camera: camera_ids,
            ts: ts_column,
            desc: desc_ids,
            class,
            read_ref,
            gps,
            descs,
            cameras,
            ..
        } = &mut self.table;
        let (camera_by_id, desc_by_key, scratch) =
            (&self.camera_by_id, &mut self.desc_by_key, &mut self.scratch);
        let ((), rest) = rayon::join(
            || {
                plate_ids.extend(kept.iter().map(|&row| {
                    let country = opt(country.as_ref(), row);
                    intern_plate((plates, plate_by_text), plate.value(row), country)
                }));
            },
            || -> Result<(), Error> {
                for &row in &kept {
                    let Some(&camera) = camera_by_id.get(camera_id.value(row)) else {
                        return Err(Error::UnknownCamera {
                            read_id: read_id.value(row).to_owned(),
                            camera_id: camera_id.value(row).to_owned(),
                        });
                    };
                    if cameras[camera as usize].mobile
                        && let (Some(lat), Some(lon)) =
                            (float_at(lat.as_ref(), row), float_at(lon.as_ref(), row))
                    {
                        gps.insert(ts_column.len() as u32, Point { lat, lon });
                    }
                    let parts = [&make, &model, &colour].map(|column| opt(column.as_ref(), row));
                    desc_ids.push(intern_desc((descs, desc_by_key, scratch), parts));
                    camera_ids.push(camera);
                    ts_column.push(ts.value(row));
                    class.push(VehicleClass::of(opt(vehicle_type.as_ref(), row)));
                    read_ref.push((batch_idx, row as u32));
                }
                Ok(())
            },
        );
        rest?;
        self.table.read_id_columns.push(read_id);
        Ok(())
    }
    fn finish(mut self) -> ReadTable {
        let sites = &self.table.cameras;
        if sites.len() <= CAMERA_DISTANCES_MAX {
            self.table.camera_distances = sites
                .iter()
                .flat_map(|a| {
                    sites.iter().map(|b| {
                        if a.mobile || b.mobile {
                            f64::NAN
                        } else {
                            a.point.distance_m(b.point)
                        }
                    })
                })
                .collect();
        }
        self.table.order_by_plate();
        self.table
    }
}

impl ReadTable {
    /// Puts the rows in (plate, time) order, each plate's reads side by side: the searches
    /// walk one plate's reads after another (a pair's trips together, a vehicle's journeys),
    /// and reach into the columns by row, which in the input's order (by time, every camera
    /// mixed) missed the cache at almost every step. Rows keep their read ids.
    fn order_by_plate(&mut self) {
        let (order, offsets) = group_in_time_order(&self.plate, &self.ts, self.plates.len());
        fn gather<T: Copy + Send + Sync>(column: &[T], order: &[u32]) -> Vec<T> {
            order.par_iter().map(|&row| column[row as usize]).collect()
        }
        self.plate = gather(&self.plate, &order);
        self.camera = gather(&self.camera, &order);
        self.ts = gather(&self.ts, &order);
        self.desc = gather(&self.desc, &order);
        self.class = gather(&self.class, &order);
        self.read_ref = gather(&self.read_ref, &order);
        if !self.gps.is_empty() {
            let mut new_row = vec![0u32; order.len()];
            for (new, &old) in order.iter().enumerate() {
                new_row[old as usize] = new as u32;
            }
            self.gps = std::mem::take(&mut self.gps)
                .into_iter()
                .map(|(old, point)| (new_row[old as usize], point))
                .collect();
        }
        self.by_plate = (0..order.len() as u32).collect();
        self.plate_offsets = offsets;
        self.by_plate_ts = self.ts.clone();
        self.by_plate_camera = self.camera.clone();
    }
}

/// The id of a plate (text and country), given out in order of first sight.
fn intern_plate(
    (plates, by_text): (&mut Vec<PlateEntry>, &mut TextMap<Vec<u32>>),
    text: &str,
    country: Option<&str>,
) -> u32 {
    if let Some(ids) = by_text.get(text)
        && let Some(&idx) = ids
            .iter()
            .find(|&&idx| plates[idx as usize].country.as_deref() == country)
    {
        return idx;
    }
    let idx = plates.len() as u32;
    plates.push(PlateEntry {
        text: text.to_owned(),
        country: country.map(str::to_owned),
    });
    by_text.entry(text.to_owned()).or_default().push(idx);
    idx
}

/// The id of a description (make, model, colour), given out in order of first sight; 0
/// for none of the three.
fn intern_desc(
    (descs, by_key, scratch): (&mut Vec<VehicleDesc>, &mut TextMap<u32>, &mut String),
    [make, model, colour]: [Option<&str>; 3],
) -> u32 {
    if make.is_none() && model.is_none() && colour.is_none() {
        return 0;
    }
    scratch.clear();
    for part in [make, model, colour] {
        scratch.push_str(part.unwrap_or(""));
        scratch.push('\u{1f}');
    }
    if let Some(&idx) = by_key.get(scratch.as_str()) {
        return idx;
    }
    let idx = descs.len() as u32;
    descs.push(VehicleDesc {
        make: make.map(str::to_owned),
        model: model.map(str::to_owned),
        colour: colour.map(str::to_owned),
    });
    by_key.insert(scratch.clone(), idx);
    idx
}

/// Groups below this size are sorted in place; larger ones through a copy of their times.
const GROUP_SORTED_IN_PLACE_MAX: usize = 64;

/// Row indexes grouped by `key` (`0..n_keys`) and in time order within a group (rows with
/// equal times in row order), and the offsets of the groups: `rows[offsets[k]..offsets[k +
/// 1]]` are the rows of key `k`. A counting sort places the rows by key, then the groups
/// are sorted by time on every core.
pub(crate) fn group_in_time_order(key: &[u32], ts: &[i64], n_keys: usize) -> (Vec<u32>, Vec<u32>) {
    let mut offsets = vec![0u32; n_keys + 1];
    for &k in key {
        offsets[k as usize + 1] += 1;
    }
    for idx in 1..offsets.len() {
        offsets[idx] += offsets[idx - 1];
    }
    let mut next = offsets[..n_keys].to_vec();
    let mut rows = vec![0u32; key.len()];
    for (row, &k) in key.iter().enumerate() {
        rows[next[k as usize] as usize] = row as u32;
        next[k as usize] += 1;
    }
    let mut groups: Vec<&mut [u32]> = Vec::with_capacity(n_keys);
    let mut rest = rows.as_mut_slice();
    for bounds in offsets.windows(2) {
        let (group, tail) = rest.split_at_mut((bounds[1] - bounds[0]) as usize);
        if group.len() > 1 {
            groups.push(group);
        }
        rest = tail;
    }
    groups.into_par_iter().for_each(|group| {
        if group.len() <= GROUP_SORTED_IN_PLACE_MAX {
            group.sort_by_key(|&row| ts[row as usize]);
        } else {
            let mut timed: Vec<(i64, u32)> =
                group.iter().map(|&row| (ts[row as usize], row)).collect();
            timed.sort_unstable();
            for (slot, (_, row)) in group.iter_mut().zip(timed) {
                *slot = row;
            }
        }
    });
    (rows, offsets)
}

fn opt(column: Option<&StringArray>, row: usize) -> Option<&str> {
    column
        .and_then(|array| (!array.is_null(row)).then(|| array.value(row)))
        .filter(|s| !s.is_empty())
}

pub(crate) fn string_column(
    batch: &RecordBatch,
    name: &'static str,
    required: bool,
) -> Result<Option<StringArray>, Error> {
    let Some(column) = batch.column_by_name(name) else {
        if required {
            return Err(Error::BadColumn {
                column: name,
                reason: "missing".to_owned(),
            });
        }
        return Ok(None);
    };
    let utf8: ArrayRef = cast(column, &DataType::Utf8).map_err(|err| Error::BadColumn {
        column: name,
        reason: format!("cannot be read as text: {err}"),
    })?;
    Ok(Some(utf8.as_string::<i32>().clone()))
}

fn float_column(batch: &RecordBatch, name: &'static str) -> Result<Option<Float64Array>, Error> {
    let Some(column) = batch.column_by_name(name) else {
        return Ok(None);
    };
    let values = cast(column, &DataType::Float64).map_err(|err| Error::BadColumn {
        column: name,
        reason: format!("cannot be read as a number: {err}"),
    })?;
    Ok(Some(values.as_primitive::<Float64Type>().clone()))
}

fn float_at(column: Option<&Float64Array>, row: usize) -> Option<f64> {
    column
        .and_then(|array| (!array.is_null(row)).then(|| array.value(row)))
        .filter(|v| v.is_finite())
}

fn micros_column(batch: &RecordBatch) -> Result<datafusion::arrow::array::Int64Array, Error> {
    let column = batch.column_by_name("ts").ok_or_else(|| Error::BadColumn {
        column: "ts",
        reason: "missing".to_owned(),
    })?;
    let per_unit: i64 = match column.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => 1_000_000,
        DataType::Timestamp(TimeUnit::Millisecond, _) => 1_000,
        DataType::Timestamp(TimeUnit::Microsecond, _) | DataType::Int64 => 1,
        DataType::Timestamp(TimeUnit::Nanosecond, _) => -1_000,
        other => {
            return Err(Error::BadColumn {
                column: "ts",
                reason: format!("type {other} is not a timestamp"),
            });
        }
    };
    let raw = cast(column, &DataType::Int64).map_err(|err| Error::BadColumn {
        column: "ts",
        reason: err.to_string(),
    })?;
    let raw = raw.as_primitive::<Int64Type>();
    Ok(match per_unit {
        1 => raw.clone(),
        unit if unit < 0 => raw.unary::<_, Int64Type>(|v| v / -unit),
        unit => raw.unary::<_, Int64Type>(|v| v.saturating_mul(unit)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{MONDAY, batch, camera, r};
    use datafusion::arrow::datatypes::{Field, Schema};
    use std::sync::Arc;

    /// The fixture's reads with positions: `points[i]` for read `i` (on a mobile camera).
    fn with_positions(batch: RecordBatch, points: &[Option<(f64, f64)>]) -> RecordBatch {
        let mut fields: Vec<Field> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| (**f).clone())
            .collect();
        fields.push(Field::new("lat", DataType::Float64, true));
        fields.push(Field::new("lon", DataType::Float64, true));
        let mut columns = batch.columns().to_vec();
        columns.push(Arc::new(Float64Array::from(
            points.iter().map(|p| p.map(|p| p.0)).collect::<Vec<_>>(),
        )));
        columns.push(Arc::new(Float64Array::from(
            points.iter().map(|p| p.map(|p| p.1)).collect::<Vec<_>>(),
        )));
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("fixture batch")
    }

    #[test]
    fn rows_are_in_plate_and_time_order_and_keep_their_read_ids_and_positions() {
        let mut van = camera("VAN", 50.0, 2.0);
        van.kind = CameraKind::Mobile;
        let cameras = vec![camera("C0", 50.9, 2.0), van];
        // Input order: by time, the two plates mixed, one read late in the file.
        let reads = [
            r("BB", "C0", MONDAY + 10),
            r("AA", "VAN", MONDAY + 20),
            r("BB", "VAN", MONDAY + 30),
            r("AA", "C0", MONDAY + 40),
            r("AA", "VAN", MONDAY + 5),
        ];
        let points = [
            None,
            Some((51.1, 2.1)),
            Some((51.3, 2.3)),
            None,
            Some((51.5, 2.5)),
        ];
        let input = AnalysisInput {
            reads: vec![with_positions(batch(&reads), &points)],
            cameras,
            seeds: Vec::new(),
            window: None,
        };
        let table = ReadTable::build(&input, 100).expect("table");
        let ids = |plate: &str| -> Vec<String> {
            let plate = table.plate_by_text[plate][0];
            table
                .plate_rows(plate)
                .iter()
                .map(|&row| table.read_id(row))
                .collect()
        };
        assert_eq!(ids("AA"), ["r4", "r1", "r3"]);
        assert_eq!(ids("BB"), ["r0", "r2"]);
        // Each plate's reads lie side by side, in time order.
        assert_eq!(table.by_plate, (0..5).collect::<Vec<u32>>());
        assert!(table.plate.is_sorted());
        let by_plate_then_time = |a: usize| (table.plate[a], table.ts[a]);
        assert!((1..5).all(|row| by_plate_then_time(row - 1) <= by_plate_then_time(row)));
        let position = |read_id: &str| {
            let row = (0..5)
                .find(|&row| table.read_id(row) == read_id)
                .expect("read");
            let point = table.point(row);
            (point.lat, point.lon)
        };
        assert_eq!(position("r1"), (51.1, 2.1));
        assert_eq!(position("r2"), (51.3, 2.3));
        assert_eq!(position("r4"), (51.5, 2.5));
        assert_eq!(position("r0"), (50.9, 2.0));
    }
}
