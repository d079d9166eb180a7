//! Writes a realistic reads file in the canonical Parquet schema (and a cameras CSV) for
//! measuring `corridor import`:
//! `cargo run --release -p corridor-ingest --example gen_reads -- OUT_DIR N_READS`.

use arrow::array::{
    ArrayRef, Float32Builder, Float64Builder, RecordBatch, StringBuilder,
    TimestampMicrosecondBuilder,
};
use corridor_store::schema::reads_schema;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

const N_CAMERAS: usize = 500;
const BATCH_ROWS: usize = 1 << 16;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: gen_reads OUT_DIR N_READS")?);
    let n_reads: usize = args
        .next()
        .ok_or("usage: gen_reads OUT_DIR N_READS")?
        .parse()?;
    std::fs::create_dir_all(&out)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let mut cameras =
        String::from("camera_id,name,lat,lon,heading,country,operator,kind,infrared\n");
    for camera_idx in 0..N_CAMERAS {
        let (lat, lon) = (rng.random_range(48.0..52.0), rng.random_range(0.0..6.0));
        writeln!(
            cameras,
            "CAM-{camera_idx:04},Site {camera_idx},{lat:.5},{lon:.5},,FR,Bench,fixed,false"
        )?;
    }
    std::fs::write(out.join("cameras.csv"), cameras)?;

    let n_vehicles = (n_reads / 20).max(1);
    let start_us: i64 = 1_764_460_800_000_000; // 2025-11-30T00:00:00Z
    let day_us: i64 = 86_400_000_000;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
        .build();
    let file = std::fs::File::create(out.join("reads.parquet"))?;
    let mut writer = ArrowWriter::try_new(file, reads_schema(), Some(properties))?;
    let colours = ["white", "black", "silver", "blue", "red", "grey"];
    let makes = [
        ("Ford", "Transit"),
        ("Mercedes", "Sprinter"),
        ("Renault", "Master"),
        ("VW", "Golf"),
        ("Peugeot", "208"),
    ];
    let countries = ["GB", "FR", "BE", "NL", "DE", "PL"];
    let mut written = 0;
    while written < n_reads {
        let n = BATCH_ROWS.min(n_reads - written);
        let mut read_id = StringBuilder::with_capacity(n, n * 14);
        let mut plate = StringBuilder::with_capacity(n, n * 7);
        let mut country = StringBuilder::with_capacity(n, n * 2);
        let mut camera_id = StringBuilder::with_capacity(n, n * 8);
        let mut ts = TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC");
        let mut confidence = Float32Builder::with_capacity(n);
        let mut lat = Float64Builder::with_capacity(n);
        let mut lon = Float64Builder::with_capacity(n);
        let mut heading = Float32Builder::with_capacity(n);
        let (mut make, mut model, mut colour, mut vehicle_type) = (
            StringBuilder::new(),
            StringBuilder::new(),
            StringBuilder::new(),
            StringBuilder::new(),
        );
        for idx in written..written + n {
            let vehicle = rng.random_range(0..n_vehicles);
            read_id.append_value(format!("r{idx:012}"));
            plate.append_value(vehicle_plate(vehicle));
            country.append_value(countries[vehicle % countries.len()]);
            camera_id.append_value(format!("CAM-{:04}", rng.random_range(0..N_CAMERAS)));
            ts.append_value(start_us + (idx as i64 * day_us) / n_reads as i64);
            confidence.append_value(rng.random_range(0.6..1.0));
            lat.append_null();
            lon.append_null();
            heading.append_null();
            let (vehicle_make, vehicle_model) = makes[vehicle % makes.len()];
            make.append_value(vehicle_make);
            model.append_value(vehicle_model);
            colour.append_value(colours[vehicle % colours.len()]);
            vehicle_type.append_value(if vehicle % 3 == 0 { "van" } else { "car" });
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
        writer.write(&RecordBatch::try_new(reads_schema(), columns)?)?;
        written += n;
    }
    writer.close()?;
    eprintln!(
        "wrote {n_reads} reads of {n_vehicles} vehicles to {}",
        out.display()
    );
    Ok(())
}

/// A GB-style plate for vehicle number `vehicle`: two letters, two digits, three letters.
fn vehicle_plate(vehicle: usize) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";
    let letter = |n: usize| LETTERS[n % LETTERS.len()] as char;
    let mut n = vehicle;
    let mut plate = String::with_capacity(7);
    plate.push(letter(n));
    n /= LETTERS.len();
    plate.push(letter(n));
    n /= LETTERS.len();
    write!(plate, "{:02}", n % 100).expect("writing to a string");
    n /= 100;
    for _ in 0..3 {
        plate.push(letter(n));
        n /= LETTERS.len();
    }
    plate
}
