//! The canonical Arrow schemas of the exchange format (issue 2 item 3) and conversions.
//!
//! Every Parquet segment, every batch returned by [`crate::Store::scan`] and every batch
//! given to [`crate::BulkImport::add_batch`] uses [`reads_schema`]: the columns
//! `read_id,plate,country,camera_id,ts,confidence,lat,lon,heading,make,model,colour,vehicle_type`
//! in this order, `ts` as microseconds since the epoch in UTC.

use crate::Error;
use arrow::array::{
    Array, ArrayRef, BooleanArray, BooleanBuilder, DictionaryArray, Float32Array, Float32Builder,
    Float64Array, Float64Builder, Int32Array, RecordBatch, StringArray, StringBuilder,
    StringViewArray, TimestampMicrosecondArray, TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Int32Type, Schema, SchemaRef, TimeUnit};
use corridor_domain::{Camera, CameraKind, Country, PlateRead, PlateText};
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::schema::types::ColumnPath;
use std::sync::{Arc, OnceLock};

/// Names of the reads columns, in schema order.
pub const READS_COLUMNS: [&str; 13] = [
    "read_id",
    "plate",
    "country",
    "camera_id",
    "ts",
    "confidence",
    "lat",
    "lon",
    "heading",
    "make",
    "model",
    "colour",
    "vehicle_type",
];

/// Column positions in [`reads_schema`].
pub(crate) mod col {
    pub(crate) const READ_ID: usize = 0;
    pub(crate) const PLATE: usize = 1;
    pub(crate) const COUNTRY: usize = 2;
    pub(crate) const CAMERA_ID: usize = 3;
    pub(crate) const TS: usize = 4;
    pub(crate) const CONFIDENCE: usize = 5;
    pub(crate) const LAT: usize = 6;
    pub(crate) const LON: usize = 7;
    pub(crate) const HEADING: usize = 8;
    pub(crate) const MAKE: usize = 9;
    pub(crate) const MODEL: usize = 10;
    pub(crate) const COLOUR: usize = 11;
    pub(crate) const VEHICLE_TYPE: usize = 12;
}

/// Rows per Parquet row group in segments.
pub const ROW_GROUP_ROWS: usize = 1 << 20;
/// Rows per data page: small pages keep a plate lookup to a few kilobytes of decoding.
pub const DATA_PAGE_ROWS: usize = 2048;

/// The canonical reads schema (exchange schema and segment schema).
pub fn reads_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let utf8 = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
            Arc::new(Schema::new(vec![
                utf8("read_id", false),
                utf8("plate", false),
                utf8("country", true),
                utf8("camera_id", false),
                Field::new("ts", ts_type(), false),
                Field::new("confidence", DataType::Float32, true),
                Field::new("lat", DataType::Float64, true),
                Field::new("lon", DataType::Float64, true),
                Field::new("heading", DataType::Float32, true),
                utf8("make", true),
                utf8("model", true),
                utf8("colour", true),
                utf8("vehicle_type", true),
            ]))
        })
        .clone()
}

/// [`reads_schema`] as a bulk import keeps its rows: `read_id` and `plate` as `Utf8View`,
/// the few-valued strings (`country`, `camera_id`, `make`, `model`, `colour`,
/// `vehicle_type`) dictionary-encoded with `Int32` keys. Sorting and merging rows then
/// moves 16-byte views and 4-byte keys instead of copying strings (twice: once per batch,
/// once per day), and plates of at most 12 bytes sit in the view itself. Segments are
/// still written as plain strings: the Parquet writer encodes any of these. A Parquet
/// reader can decode straight into it (`ArrowReaderOptions::with_schema`, the input's
/// dictionary pages kept as they are).
pub fn reads_import_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            with_string_types(|name| match name {
                "read_id" | "plate" => DataType::Utf8View,
                _ => DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            })
        })
        .clone()
}

/// [`reads_schema`] with every string column as `Utf8View`: what a bulk import keeps the
/// rows of plain-string batches as (views cost less to build than dictionaries).
pub fn reads_view_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| with_string_types(|_| DataType::Utf8View))
        .clone()
}

/// [`reads_schema`] with each string column's type chosen by its name.
fn with_string_types(string_type: impl Fn(&str) -> DataType) -> SchemaRef {
    let fields: Vec<Field> = reads_schema()
        .fields()
        .iter()
        .map(|field| match field.data_type() {
            DataType::Utf8 => field
                .as_ref()
                .clone()
                .with_data_type(string_type(field.name())),
            _ => field.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// The types a bulk import keeps rows as when its first batch is `batch`: the batch's own
/// when it was decoded into [`reads_import_schema`], else [`reads_view_schema`].
pub(crate) fn import_types_for(batch: &RecordBatch) -> SchemaRef {
    let dictionaries = batch
        .schema()
        .fields()
        .iter()
        .any(|field| matches!(field.data_type(), DataType::Dictionary(..)));
    if dictionaries {
        reads_import_schema()
    } else {
        reads_view_schema()
    }
}

/// Converts a reads batch (plain, view or dictionary strings) to `target` (see
/// [`import_types_for`]), so that every part of an import has the same types. Plain
/// strings become views without copying a string.
pub(crate) fn to_import_columns(
    batch: &RecordBatch,
    target: &SchemaRef,
) -> Result<RecordBatch, Error> {
    check_schema(batch)?;
    let schema = batch.schema();
    let same = |want: &Field, got: &Field| {
        want.data_type() == got.data_type() || *want.data_type() == ts_type()
    };
    if target
        .fields()
        .iter()
        .zip(schema.fields())
        .all(|(want, got)| same(want, got))
    {
        return Ok(batch.clone());
    }
    let columns: Vec<ArrayRef> = target
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(want, column)| {
            Ok(match (want.data_type(), column.data_type()) {
                (want, got) if want == got || *want == ts_type() => Arc::clone(column),
                (DataType::Utf8View, DataType::Utf8) => {
                    let plain: &StringArray = downcast(column.as_ref());
                    Arc::new(StringViewArray::from(plain)) as ArrayRef
                }
                (want, _) => arrow::compute::cast(column, want)?,
            })
        })
        .collect::<Result<_, Error>>()?;
    // The batch's own `ts` field: its time zone may be spelt `+00:00`.
    let fields: Vec<Field> = target
        .fields()
        .iter()
        .zip(schema.fields())
        .map(|(want, got)| {
            if *want.data_type() == ts_type() {
                got.as_ref().clone()
            } else {
                want.as_ref().clone()
            }
        })
        .collect();
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// The canonical cameras schema: `camera_id,name,lat,lon,heading,country,operator,kind,infrared`.
pub fn cameras_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(vec![
                Field::new("camera_id", DataType::Utf8, false),
                Field::new("name", DataType::Utf8, false),
                Field::new("lat", DataType::Float64, false),
                Field::new("lon", DataType::Float64, false),
                Field::new("heading", DataType::Float32, true),
                Field::new("country", DataType::Utf8, true),
                Field::new("operator", DataType::Utf8, false),
                Field::new("kind", DataType::Utf8, false),
                Field::new("infrared", DataType::Boolean, false),
            ]))
        })
        .clone()
}

/// The Arrow type of `ts`: microseconds since the epoch, UTC.
pub fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// The project's Parquet settings for segments: zstd, dictionaries, page index,
/// [`ROW_GROUP_ROWS`] rows per row group, [`DATA_PAGE_ROWS`] rows per page, and the
/// sort order `(plate, country, ts)` recorded in the file.
pub fn parquet_writer_properties() -> WriterProperties {
    writer_properties_with(Compression::ZSTD(
        ZstdLevel::try_new(1).expect("1 is a valid zstd level"),
    ))
}

/// [`parquet_writer_properties`] with another compression. `UNCOMPRESSED` also stores
/// plates plainly (no prefix encoding), so that tests can check file bytes directly.
pub fn writer_properties_with(compression: Compression) -> WriterProperties {
    let no_dictionary = |builder: parquet::file::properties::WriterPropertiesBuilder,
                         name: &str| {
        builder.set_column_dictionary_enabled(ColumnPath::from(name), false)
    };
    let mut builder = WriterProperties::builder()
        .set_writer_version(WriterVersion::PARQUET_1_0)
        .set_compression(compression)
        .set_dictionary_enabled(true)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_data_page_row_count_limit(DATA_PAGE_ROWS)
        .set_write_batch_size(1024)
        .set_sorting_columns(Some(vec![
            sorting_column(col::PLATE, false),
            sorting_column(col::COUNTRY, true),
            sorting_column(col::TS, false),
        ]));
    // Unique or near-unique columns gain nothing from a dictionary, and a plate lookup
    // must not decode a row group's whole dictionary: `plate` is sorted, so prefix
    // (delta byte array) encoding stores it in a few bits per read instead.
    for name in ["read_id", "plate", "ts", "lat", "lon", "heading"] {
        builder = no_dictionary(builder, name);
    }
    if compression != Compression::UNCOMPRESSED {
        // Uncompressed segments exist to inspect files byte for byte: plates stay plain there.
        builder =
            builder.set_column_encoding(ColumnPath::from("plate"), Encoding::DELTA_BYTE_ARRAY);
    }
    builder = builder.set_column_encoding(ColumnPath::from("ts"), Encoding::DELTA_BINARY_PACKED);
    // Only ids, plates and headings shrink under zstd (5.6x, 1.7x and 4.6x on a day of
    // simulated reads); delta-packed times and dictionary indexes come out of it as large
    // as they went in (0-12% smaller). Compressing those costs a tenth of an import's CPU,
    // and a codec per column per lookup, for about 0.3 bytes per read.
    for name in UNCOMPRESSED_COLUMNS {
        builder =
            builder.set_column_compression(ColumnPath::from(*name), Compression::UNCOMPRESSED);
    }
    // Min/max statistics prune only on the sort columns (every day holds every camera,
    // make and colour); elsewhere they cost a comparison per value and nothing else. The
    // offset index, which lookups use, is written for every column regardless.
    for name in READS_COLUMNS
        .iter()
        .filter(|name| !["plate", "country", "ts"].contains(name))
    {
        builder =
            builder.set_column_statistics_enabled(ColumnPath::from(*name), EnabledStatistics::None);
    }
    builder.build()
}

/// Segment columns stored without compression (see [`writer_properties_with`]).
const UNCOMPRESSED_COLUMNS: &[&str] = &[
    "ts",
    "camera_id",
    "confidence",
    "make",
    "model",
    "colour",
    "vehicle_type",
    "country",
    "lat",
    "lon",
];

fn sorting_column(column: usize, nulls_first: bool) -> SortingColumn {
    SortingColumn {
        column_idx: column as i32,
        descending: false,
        nulls_first,
    }
}

/// Converts reads to a batch in [`reads_schema`].
pub fn reads_to_batch(reads: &[PlateRead]) -> RecordBatch {
    let n = reads.len();
    let mut read_id = StringBuilder::with_capacity(n, n * 16);
    let mut plate = StringBuilder::with_capacity(n, n * 8);
    let mut country = StringBuilder::with_capacity(n, n * 2);
    let mut camera_id = StringBuilder::with_capacity(n, n * 8);
    let mut ts = TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC");
    let mut confidence = Float32Builder::with_capacity(n);
    let mut lat = Float64Builder::with_capacity(n);
    let mut lon = Float64Builder::with_capacity(n);
    let mut heading = Float32Builder::with_capacity(n);
    let mut make = StringBuilder::new();
    let mut model = StringBuilder::new();
    let mut colour = StringBuilder::new();
    let mut vehicle_type = StringBuilder::new();
    for read in reads {
        read_id.append_value(&read.read_id);
        plate.append_value(read.plate.as_str());
        country.append_option(read.country.as_ref().map(Country::as_str));
        camera_id.append_value(&read.camera_id);
        ts.append_value(read.ts);
        confidence.append_option(read.confidence);
        lat.append_option(read.lat);
        lon.append_option(read.lon);
        heading.append_option(read.heading_deg);
        make.append_option(read.make.as_deref());
        model.append_option(read.model.as_deref());
        colour.append_option(read.colour.as_deref());
        vehicle_type.append_option(read.vehicle_type.as_deref());
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(read_id.finish()),
        Arc::new(plate.finish()),
        Arc::new(country.finish()),
        Arc::new(camera_id.finish()),
        Arc::new(ts.finish()),
        Arc::new(confidence.finish()),
        Arc::new(lat.finish()),
        Arc::new(lon.finish()),
        Arc::new(heading.finish()),
        Arc::new(make.finish()),
        Arc::new(model.finish()),
        Arc::new(colour.finish()),
        Arc::new(vehicle_type.finish()),
    ];
    RecordBatch::try_new(reads_schema(), columns).expect("columns follow reads_schema")
}

/// Converts a batch in [`reads_schema`] back to reads, checking every value.
pub fn batch_to_reads(batch: &RecordBatch) -> Result<Vec<PlateRead>, Error> {
    let columns = ReadColumns::new(batch)?;
    (0..batch.num_rows()).map(|row| columns.read(row)).collect()
}

/// A string column of a reads batch: `Utf8` (segments, scans, appends), or the views and
/// dictionaries a bulk import keeps rows as (see [`reads_import_schema`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Strings<'a> {
    Plain(&'a StringArray),
    View(&'a StringViewArray),
    /// Dictionary keys and values.
    Dict(&'a Int32Array, &'a StringArray),
}

impl<'a> Strings<'a> {
    pub(crate) fn new(array: &'a dyn Array) -> Strings<'a> {
        match array.data_type() {
            DataType::Utf8View => Strings::View(downcast(array)),
            DataType::Dictionary(..) => {
                let dictionary: &DictionaryArray<Int32Type> = downcast(array);
                Strings::Dict(dictionary.keys(), downcast(dictionary.values().as_ref()))
            }
            _ => Strings::Plain(downcast(array)),
        }
    }

    #[inline]
    pub(crate) fn value(&self, row: usize) -> &'a str {
        match self {
            Strings::Plain(array) => array.value(row),
            Strings::View(array) => array.value(row),
            Strings::Dict(keys, values) => values.value(keys.value(row) as usize),
        }
    }

    #[inline]
    pub(crate) fn is_null(&self, row: usize) -> bool {
        match self {
            Strings::Plain(array) => array.is_null(row),
            Strings::View(array) => array.is_null(row),
            Strings::Dict(keys, values) => {
                keys.is_null(row) || values.is_null(keys.value(row) as usize)
            }
        }
    }

    /// The value of `row`, `None` for null.
    #[inline]
    pub(crate) fn get(&self, row: usize) -> Option<&'a str> {
        (!self.is_null(row)).then(|| self.value(row))
    }
}

/// Typed views of the columns of a reads batch.
pub(crate) struct ReadColumns<'a> {
    pub(crate) read_id: Strings<'a>,
    pub(crate) plate: Strings<'a>,
    pub(crate) country: Strings<'a>,
    pub(crate) camera_id: Strings<'a>,
    pub(crate) ts: &'a TimestampMicrosecondArray,
    pub(crate) confidence: &'a Float32Array,
    pub(crate) lat: &'a Float64Array,
    pub(crate) lon: &'a Float64Array,
    pub(crate) heading: &'a Float32Array,
    pub(crate) make: Strings<'a>,
    pub(crate) model: Strings<'a>,
    pub(crate) colour: Strings<'a>,
    pub(crate) vehicle_type: Strings<'a>,
}

impl<'a> ReadColumns<'a> {
    /// Checks that `batch` has the canonical columns and types.
    pub(crate) fn new(batch: &'a RecordBatch) -> Result<ReadColumns<'a>, Error> {
        check_schema(batch)?;
        let get = |idx: usize| batch.column(idx).as_ref();
        Ok(ReadColumns {
            read_id: Strings::new(get(col::READ_ID)),
            plate: Strings::new(get(col::PLATE)),
            country: Strings::new(get(col::COUNTRY)),
            camera_id: Strings::new(get(col::CAMERA_ID)),
            ts: downcast(get(col::TS)),
            confidence: downcast(get(col::CONFIDENCE)),
            lat: downcast(get(col::LAT)),
            lon: downcast(get(col::LON)),
            heading: downcast(get(col::HEADING)),
            make: Strings::new(get(col::MAKE)),
            model: Strings::new(get(col::MODEL)),
            colour: Strings::new(get(col::COLOUR)),
            vehicle_type: Strings::new(get(col::VEHICLE_TYPE)),
        })
    }

    /// Builds the read of one row.
    pub(crate) fn read(&self, row: usize) -> Result<PlateRead, Error> {
        let bad = |column: &str, reason: String| Error::BadBatch {
            row,
            column: column.to_owned(),
            reason,
        };
        let required = |array: Strings<'_>, column: &str| -> Result<String, Error> {
            if array.is_null(row) {
                return Err(bad(column, "null in a required column".to_owned()));
            }
            Ok(array.value(row).to_owned())
        };
        let read_id = required(self.read_id, "read_id")?;
        let plate_raw = required(self.plate, "plate")?;
        let plate = PlateText::parse(&plate_raw).map_err(|err| bad("plate", err.to_string()))?;
        let country = match self.country.get(row) {
            None => None,
            Some(raw) => Some(Country::parse(raw).map_err(|err| bad("country", err.to_string()))?),
        };
        if self.ts.is_null(row) {
            return Err(bad("ts", "null in a required column".to_owned()));
        }
        Ok(PlateRead {
            read_id,
            plate,
            country,
            camera_id: required(self.camera_id, "camera_id")?,
            ts: self.ts.value(row),
            confidence: opt_prim(self.confidence, row),
            lat: opt_prim(self.lat, row),
            lon: opt_prim(self.lon, row),
            heading_deg: opt_prim(self.heading, row),
            make: self.make.get(row).map(str::to_owned),
            model: self.model.get(row).map(str::to_owned),
            colour: self.colour.get(row).map(str::to_owned),
            vehicle_type: self.vehicle_type.get(row).map(str::to_owned),
        })
    }
}

/// Checks column names and types against [`reads_schema`] (nullability is checked per value).
pub(crate) fn check_schema(batch: &RecordBatch) -> Result<(), Error> {
    let expected = reads_schema();
    let actual = batch.schema();
    if actual.fields().len() != expected.fields().len() {
        return Err(Error::BadBatch {
            row: 0,
            column: "*".to_owned(),
            reason: format!(
                "expected the {} columns {}, got {} columns",
                expected.fields().len(),
                READS_COLUMNS.join(","),
                actual.fields().len()
            ),
        });
    }
    for (want, got) in expected.fields().iter().zip(actual.fields()) {
        let same_type = match (want.data_type(), got.data_type()) {
            (DataType::Timestamp(TimeUnit::Microsecond, _), DataType::Timestamp(unit, tz)) => {
                *unit == TimeUnit::Microsecond
                    && tz
                        .as_deref()
                        .is_some_and(|tz| tz == "UTC" || tz == "+00:00")
            }
            // What a bulk import keeps strings as (see `reads_import_schema`).
            (DataType::Utf8, DataType::Utf8View) => true,
            (DataType::Utf8, DataType::Dictionary(key, value)) => {
                **key == DataType::Int32 && **value == DataType::Utf8
            }
            (want, got) => want == got,
        };
        if want.name() != got.name() || !same_type {
            return Err(Error::BadBatch {
                row: 0,
                column: got.name().clone(),
                reason: format!(
                    "expected column `{}` of type {}, got `{}` of type {}",
                    want.name(),
                    want.data_type(),
                    got.name(),
                    got.data_type()
                ),
            });
        }
    }
    Ok(())
}

fn downcast<T: 'static>(array: &dyn Array) -> &T {
    array
        .as_any()
        .downcast_ref::<T>()
        .expect("type checked by check_schema")
}

fn opt_str(array: &StringArray, row: usize) -> Option<&str> {
    (!array.is_null(row)).then(|| array.value(row))
}

fn opt_prim<T: arrow::datatypes::ArrowPrimitiveType>(
    array: &arrow::array::PrimitiveArray<T>,
    row: usize,
) -> Option<T::Native> {
    (!array.is_null(row)).then(|| array.value(row))
}

/// Converts cameras to a batch in [`cameras_schema`].
pub fn cameras_to_batch(cameras: &[Camera]) -> RecordBatch {
    let mut camera_id = StringBuilder::new();
    let mut name = StringBuilder::new();
    let mut lat = Float64Builder::new();
    let mut lon = Float64Builder::new();
    let mut heading = Float32Builder::new();
    let mut country = StringBuilder::new();
    let mut operator = StringBuilder::new();
    let mut kind = StringBuilder::new();
    let mut infrared = BooleanBuilder::new();
    for camera in cameras {
        camera_id.append_value(&camera.camera_id);
        name.append_value(&camera.name);
        lat.append_value(camera.lat);
        lon.append_value(camera.lon);
        heading.append_option(camera.heading_deg);
        country.append_option(camera.country.as_ref().map(Country::as_str));
        operator.append_value(&camera.operator);
        kind.append_value(camera.kind.as_str());
        infrared.append_value(camera.infrared);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(camera_id.finish()),
        Arc::new(name.finish()),
        Arc::new(lat.finish()),
        Arc::new(lon.finish()),
        Arc::new(heading.finish()),
        Arc::new(country.finish()),
        Arc::new(operator.finish()),
        Arc::new(kind.finish()),
        Arc::new(infrared.finish()),
    ];
    RecordBatch::try_new(cameras_schema(), columns).expect("columns follow cameras_schema")
}

/// Converts a batch in [`cameras_schema`] back to cameras, checking every value.
pub fn batch_to_cameras(batch: &RecordBatch) -> Result<Vec<Camera>, Error> {
    if batch.schema().fields() != cameras_schema().fields() {
        return Err(Error::BadBatch {
            row: 0,
            column: "*".to_owned(),
            reason: format!("expected the cameras schema, got {}", batch.schema()),
        });
    }
    let string = |idx: usize| downcast::<StringArray>(batch.column(idx).as_ref());
    let float64 = |idx: usize| downcast::<Float64Array>(batch.column(idx).as_ref());
    let (camera_id, name, country, operator, kind) =
        (string(0), string(1), string(5), string(6), string(7));
    let (lat, lon) = (float64(2), float64(3));
    let heading = downcast::<Float32Array>(batch.column(4).as_ref());
    let infrared = downcast::<BooleanArray>(batch.column(8).as_ref());
    let mut cameras = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let bad = |column: &str, reason: String| Error::BadBatch {
            row,
            column: column.to_owned(),
            reason,
        };
        let country = match opt_str(country, row) {
            None => None,
            Some(raw) => Some(Country::parse(raw).map_err(|err| bad("country", err.to_string()))?),
        };
        cameras.push(Camera {
            camera_id: camera_id.value(row).to_owned(),
            name: name.value(row).to_owned(),
            lat: lat.value(row),
            lon: lon.value(row),
            heading_deg: opt_prim(heading, row),
            country,
            operator: operator.value(row).to_owned(),
            kind: CameraKind::parse(kind.value(row)).map_err(|err| bad("kind", err.to_string()))?,
            infrared: infrared.value(row),
        });
    }
    Ok(cameras)
}
