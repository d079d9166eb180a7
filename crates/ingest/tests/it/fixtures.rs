//! Shared fixtures: cameras, rows of reads in text form, files in every format, store snapshots.

use arrow::array::RecordBatch;
use corridor_domain::{Camera, PlateRead};
use corridor_ingest::{
    Format, ImportMode, ImportOptions, ImportReport, IngestError, READ_COLUMNS, ReadsReader,
    ValidationConfig, import,
};
use corridor_store::{Store, StoreConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// "Now" in every test: 2026-11-30T12:00:00Z.
pub(crate) const NOW: &str = "2026-11-30T12:00:00Z";

pub(crate) fn now_us() -> i64 {
    chrono::DateTime::parse_from_rfc3339(NOW)
        .expect("NOW is RFC 3339")
        .timestamp_micros()
}

pub(crate) const CAMERAS_CSV: &str = "\
camera_id,name,lat,lon,heading,country,operator,kind,infrared
FR-A16-0042,A16 Boulogne north,50.7421,1.6113,180,FR,DIRNO,fixed,true
BE-E40-0007,E40 Jabbeke,51.1822,3.0901,,BE,Federale Politie,fixed,false
GB-MOB-0003,Kent van 3,51.0,1.0,,GB,Kent Police,mobile,true
";

/// One row of reads as text, by column name; a missing column is empty.
#[derive(Clone, Debug)]
pub(crate) struct Row(pub(crate) BTreeMap<&'static str, String>);

impl Row {
    /// A good read numbered `n`, seen `n` minutes before 06:00 on 2026-11-30.
    pub(crate) fn good(n: u32) -> Row {
        let mut values = BTreeMap::new();
        values.insert("read_id", format!("r-{n:04}"));
        values.insert("plate", "AB12 CDE".to_owned());
        values.insert("country", "GB".to_owned());
        values.insert("camera_id", "FR-A16-0042".to_owned());
        values.insert("ts", format!("2026-11-30T05:{:02}:09Z", 59 - (n % 60)));
        values.insert("confidence", "0.97".to_owned());
        values.insert("make", "Ford".to_owned());
        values.insert("model", "Transit".to_owned());
        values.insert("colour", "white".to_owned());
        values.insert("vehicle_type", "van".to_owned());
        Row(values)
    }

    pub(crate) fn with(mut self, column: &'static str, value: &str) -> Row {
        self.0.insert(column, value.to_owned());
        self
    }

    pub(crate) fn get(&self, column: &str) -> &str {
        self.0.get(column).map_or("", String::as_str)
    }
}

/// Writes `rows` as a reads file of `format` in `dir`.
pub(crate) fn write_reads(dir: &Path, name: &str, format: Format, rows: &[Row]) -> PathBuf {
    let path = dir.join(format!("{name}.{}", format.as_str()));
    match format {
        Format::Csv => std::fs::write(&path, csv_text(rows)).expect("write csv"),
        Format::Ndjson => {
            let lines: Vec<String> = rows
                .iter()
                .map(|row| json_object(row).to_string())
                .collect();
            std::fs::write(&path, lines.join("\n") + "\n").expect("write ndjson");
        }
        Format::Json => {
            let array: Vec<serde_json::Value> = rows.iter().map(json_object).collect();
            std::fs::write(&path, serde_json::to_string_pretty(&array).expect("json"))
                .expect("write json");
        }
        Format::Parquet => {
            let csv_path = dir.join(format!("{name}.for-parquet.csv"));
            std::fs::write(&csv_path, csv_text(rows)).expect("write csv");
            let batches: Vec<RecordBatch> = ReadsReader::open(&csv_path, None, 1024)
                .expect("open csv")
                .map(|batch| {
                    let batch = batch.expect("read csv");
                    assert!(
                        batch.parse_errors.is_empty(),
                        "Parquet fixtures hold typed values only"
                    );
                    batch.batch
                })
                .collect();
            write_parquet(&path, &batches);
        }
    }
    path
}

pub(crate) fn write_parquet(path: &Path, batches: &[RecordBatch]) {
    let file = std::fs::File::create(path).expect("create parquet");
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(file, batches[0].schema(), None).expect("writer");
    for batch in batches {
        writer.write(batch).expect("write batch");
    }
    writer.close().expect("close parquet");
}

pub(crate) fn csv_text(rows: &[Row]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(READ_COLUMNS).expect("header");
    for row in rows {
        writer
            .write_record(READ_COLUMNS.iter().map(|column| row.get(column)))
            .expect("row");
    }
    String::from_utf8(writer.into_inner().expect("flush")).expect("utf-8")
}

/// A row as a JSON object: numbers where the column is numeric and the text parses.
pub(crate) fn json_object(row: &Row) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for column in READ_COLUMNS {
        let value = row.get(column);
        if value.is_empty() {
            continue;
        }
        let numeric = matches!(column, "confidence" | "lat" | "lon" | "heading");
        let json = match value.parse::<f64>() {
            Ok(number) if numeric => serde_json::json!(number),
            _ => serde_json::Value::String(value.to_owned()),
        };
        object.insert(column.to_owned(), json);
    }
    serde_json::Value::Object(object)
}

/// A temp dir with a store that already holds the cameras and two reads.
pub(crate) struct Fixture {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) store: Store,
    pub(crate) cameras: PathBuf,
}

impl Fixture {
    pub(crate) fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let store =
            Store::open(&dir.path().join("data"), StoreConfig::default()).expect("open store");
        let cameras = dir.path().join("cameras.csv");
        std::fs::write(&cameras, CAMERAS_CSV).expect("write cameras");
        let fixture = Fixture {
            dir,
            store,
            cameras,
        };
        let stored = [
            Row::good(9001).with("plate", "XY99ZZZ"),
            Row::good(9002)
                .with("plate", "GH123JK")
                .with("country", "FR"),
        ];
        let path = write_reads(fixture.dir.path(), "stored", Format::Csv, &stored);
        let report = fixture
            .import(Some(&fixture.cameras), &path, ImportMode::Strict)
            .expect("seed import");
        assert_eq!(report.n_imported, 2);
        fixture
    }

    pub(crate) fn import(
        &self,
        cameras: Option<&Path>,
        reads: &Path,
        mode: ImportMode,
    ) -> Result<ImportReport, IngestError> {
        let options = ImportOptions {
            format: None,
            mode,
            // Tiny batches, so that every test also crosses batch boundaries.
            batch_rows: 2,
            validation: ValidationConfig::at(now_us()),
        };
        import(&self.store, cameras, reads, &options, &mut |_| {})
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Every stored read (sorted by id) and camera.
    pub(crate) fn snapshot(&self) -> (Vec<PlateRead>, Vec<Camera>) {
        let mut reads = Vec::new();
        for batch in self.store.scan(None, None).expect("scan") {
            let batch = batch.expect("scan batch");
            reads.extend(corridor_store::schema::batch_to_reads(&batch).expect("reads"));
        }
        reads.sort_by(|a, b| a.read_id.cmp(&b.read_id));
        (reads, self.store.cameras())
    }
}
