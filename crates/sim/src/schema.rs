//! The canonical reads schema and Parquet settings, as `corridor-store` defines them.
//!
//! TODO(#3): use `corridor_store::schema::{reads_schema, parquet_writer_properties}` once
//! the store crate builds again; these definitions mirror it column for column.

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::schema::types::ColumnPath;
use std::sync::{Arc, OnceLock};

/// `read_id,plate,country,camera_id,ts,confidence,lat,lon,heading,make,model,colour,vehicle_type`,
/// `ts` as microseconds since the epoch in UTC.
pub(crate) fn reads_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let utf8 = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
            Arc::new(Schema::new(vec![
                utf8("read_id", false),
                utf8("plate", false),
                utf8("country", true),
                utf8("camera_id", false),
                Field::new(
                    "ts",
                    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                    false,
                ),
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

/// Fixed Parquet settings (explicit, so that the same seed gives the same bytes): zstd 3,
/// dictionaries except on unique columns, delta-encoded timestamps, 1 Mi rows per row group.
pub(crate) fn parquet_writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_writer_version(WriterVersion::PARQUET_1_0)
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("3 is a valid zstd level"),
        ))
        .set_dictionary_enabled(true)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(1 << 20))
        .set_data_page_row_count_limit(4096)
        .set_write_batch_size(1024)
        .set_column_dictionary_enabled(ColumnPath::from("read_id"), false)
        .set_column_dictionary_enabled(ColumnPath::from("ts"), false)
        .set_column_encoding(ColumnPath::from("ts"), Encoding::DELTA_BINARY_PACKED)
        .set_created_by(format!("corridor-sim {}", env!("CARGO_PKG_VERSION")))
        .build()
}
