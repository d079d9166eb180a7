//! Store benchmark: bulk import from Parquet, bytes per read, history and fuzzy latency, peak RSS.
//!
//! ```text
//! cargo build --release --workspace --bins
//! corridor simulate --out /tmp/sim-10m --reads 10000000 --seed 11
//! store-bench --input /tmp/sim-10m/reads.parquet --dir /tmp/corridor-bench --duckdb
//! ```
//!
//! It measures a fresh store in `DIR/data` loading a Parquet file in the exchange schema
//! (`--input`, typically a simulator scenario; without it, realistic reads are generated
//! into `DIR/input.parquet`): the bulk import (reading the Parquet file included), the
//! bytes of every file under the data directory, exact history and fuzzy search latency
//! for plates sampled from the reads (so a plate is looked up as often as it is seen), and
//! the process's peak RSS (VmHWM). With `--duckdb` it then runs
//! `scripts/duckdb_store_baseline.py` on the same file and the same plates (DuckDB's
//! Python package: load into a database file, the same exact lookups) and prints both
//! side by side with the ratios.

/// mimalloc reuses freed memory: bulk imports allocate and free large Arrow buffers at a
/// high rate, which the system allocator hands back to the kernel and faults in again.
/// Built without transparent huge pages (`no_thp`): zeroing 2 MiB pages on each fault
/// cost more than it saved (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::Int32Type;
use corridor_domain::{Country, PlateText, Timestamp};
use corridor_store::schema;
use corridor_store::search::{SearchMode, SearchQuery, search};
use corridor_store::{HistoryQuery, Store, StoreConfig};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Args {
    n_reads: u64,
    n_plates: u64,
    n_days: i64,
    n_lookups: usize,
    dir: PathBuf,
    keep_input: bool,
    input: Option<PathBuf>,
    duckdb: bool,
    /// Measure lookups on the store an earlier run left in `--dir` (no import).
    lookups_only: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        n_reads: 10_000_000,
        n_plates: 400_000,
        n_days: 7,
        n_lookups: 2_000,
        dir: std::env::temp_dir().join("corridor-store-bench"),
        keep_input: false,
        input: None,
        duckdb: false,
        lookups_only: false,
    };
    let mut raw = std::env::args().skip(1);
    while let Some(flag) = raw.next() {
        let mut value = || {
            raw.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        let number = |text: String| {
            text.replace('_', "")
                .parse::<u64>()
                .unwrap_or_else(|_| usage(&format!("`{text}` is not a number")))
        };
        match flag.as_str() {
            "--reads" => args.n_reads = number(value()),
            "--plates" => args.n_plates = number(value()),
            "--days" => args.n_days = number(value()) as i64,
            "--lookups" => args.n_lookups = number(value()) as usize,
            "--dir" => args.dir = PathBuf::from(value()),
            "--keep-input" => args.keep_input = true,
            "--input" => args.input = Some(PathBuf::from(value())),
            "--duckdb" => args.duckdb = true,
            "--lookups-only" => args.lookups_only = true,
            _ => usage(&format!("unknown flag {flag}")),
        }
    }
    args
}

fn usage(reason: &str) -> ! {
    eprintln!(
        "store-bench: {reason}\nusage: store-bench [--reads N] [--plates N] [--days N] [--lookups N] [--dir DIR] [--keep-input] [--input FILE.parquet] [--duckdb] [--lookups-only]"
    );
    std::process::exit(2)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args();
    let data = args.dir.join("data");
    if args.lookups_only {
        return lookups_only(&args, &data);
    }
    std::fs::create_dir_all(&args.dir)?;
    if data.exists() {
        std::fs::remove_dir_all(&data)?;
    }
    let input = match &args.input {
        Some(input) => input.clone(),
        None => {
            let input = args.dir.join("input.parquet");
            if !input.exists() || !args.keep_input {
                let started = Instant::now();
                Generator::new(args.n_plates, args.n_days).write_parquet(&input, args.n_reads)?;
                eprintln!(
                    "generated {} reads in {:.1?} -> {}",
                    args.n_reads,
                    started.elapsed(),
                    input.display()
                );
            }
            input
        }
    };
    let input_bytes = std::fs::metadata(&input)?.len();

    let store = Store::open(
        &data,
        StoreConfig {
            maintenance_interval: None,
            ..StoreConfig::default()
        },
    )?;
    let started = Instant::now();
    let file = std::fs::File::open(&input)?;
    // Decoded straight into what the import keeps rows as (see `reads_import_schema`).
    let options = ArrowReaderOptions::new().with_schema(schema::reads_import_schema());
    let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options)?
        .with_batch_size(131_072);
    let n_input_rows = u64::try_from(builder.metadata().file_metadata().num_rows())?;
    let stride = (n_input_rows / args.n_lookups.max(1) as u64).max(1);
    let mut plates: Vec<(PlateText, Option<Country>)> = Vec::with_capacity(args.n_lookups);
    let mut row0 = 0u64;
    let mut import = store.bulk_import();
    import.expect_rows(n_input_rows);
    // Decoding runs on its own thread, as in `corridor import`.
    let reader = builder.build()?;
    let (sender, receiver) = std::sync::mpsc::sync_channel(2);
    let decoder = std::thread::spawn(move || {
        for batch in reader {
            if sender.send(batch).is_err() {
                return;
            }
        }
    });
    for batch in receiver {
        let batch = batch?;
        sample_plates(&batch, row0, stride, args.n_lookups, &mut plates)?;
        row0 += batch.num_rows() as u64;
        import.add_batch(batch)?;
    }
    decoder.join().expect("decoder thread");
    let report = import.commit()?;
    let import_time = started.elapsed();
    // A server compacts in the background; lookups are measured on the compacted store.
    let started = Instant::now();
    let compacted = store.compact()?;
    let compact_time = started.elapsed();
    let stats = store.stats();
    let bytes_on_disk = stats.bytes_on_disk;

    let Lookups {
        mut exact,
        mut fuzzy,
        n_found,
    } = measure_lookups(&store, &plates)?;
    let peak_rss = peak_rss_bytes();
    let n = report.n_imported as f64;
    println!("| measure | value |");
    println!("| --- | --- |");
    println!("| reads imported | {} |", report.n_imported);
    println!(
        "| input Parquet | {:.1} MB ({:.1} bytes/read) |",
        input_bytes as f64 / 1e6,
        input_bytes as f64 / n
    );
    println!(
        "| bulk import (read Parquet, sort, write segments, commit) | {:.2?} = {:.0} reads/s |",
        import_time,
        n / import_time.as_secs_f64()
    );
    println!(
        "| compaction after import (background in a server): {} segments into {} | {:.2?} |",
        compacted.n_segments_in, compacted.n_segments_out, compact_time
    );
    println!("| segments | {} |", stats.n_segments);
    println!(
        "| bytes on disk (everything under the data dir) | {:.1} MB = {:.2} bytes/read |",
        bytes_on_disk as f64 / 1e6,
        bytes_on_disk as f64 / n
    );
    println!(
        "| of which segments / indexes | {:.2} / {:.2} bytes/read |",
        stats.segment_bytes as f64 / n,
        stats.index_bytes as f64 / n
    );
    print_lookups(&mut exact, &mut fuzzy, n_found);
    println!("| peak RSS (VmHWM) | {:.0} MB |", peak_rss as f64 / 1e6);
    if args.duckdb {
        let corridor = Measured {
            import_reads_per_s: n / import_time.as_secs_f64(),
            bytes_per_read: bytes_on_disk as f64 / n,
            history_p50_ms: ms(percentile(&mut exact, 0.5)),
            history_p99_ms: ms(percentile(&mut exact, 0.99)),
        };
        compare_with_duckdb(&args.dir, &input, &plates, &corridor)?;
    }
    Ok(())
}

/// Latencies of exact history lookups and fuzzy searches.
struct Lookups {
    exact: Vec<Duration>,
    fuzzy: Vec<Duration>,
    /// Reads returned by the exact lookups.
    n_found: usize,
}

/// Looks up every sampled plate's history, then runs a fuzzy search for a quarter of them.
fn measure_lookups(
    store: &Store,
    plates: &[(PlateText, Option<Country>)],
) -> Result<Lookups, Box<dyn std::error::Error>> {
    let mut exact = Vec::with_capacity(plates.len());
    let mut n_found = 0usize;
    for (plate, country) in plates {
        let started = Instant::now();
        let mut query = HistoryQuery::plate(plate.clone());
        query.country = *country;
        let reads = store.history(&query)?;
        exact.push(started.elapsed());
        assert!(!reads.is_empty(), "a sampled plate has reads");
        n_found += reads.len();
    }
    let mut fuzzy = Vec::with_capacity(plates.len() / 4);
    for (plate, _) in plates.iter().take(plates.len() / 4) {
        let started = Instant::now();
        let hits = search(store, &SearchQuery::new(plate.as_str(), SearchMode::Fuzzy))?;
        fuzzy.push(started.elapsed());
        assert!(!hits.is_empty(), "a stored plate is found by fuzzy search");
    }
    Ok(Lookups {
        exact,
        fuzzy,
        n_found,
    })
}

/// Prints the rows of the lookup latencies.
fn print_lookups(exact: &mut [Duration], fuzzy: &mut [Duration], n_found: usize) {
    println!(
        "| exact history p50 / p99 ({} lookups, {:.1} reads each) | {:.3} ms / {:.3} ms |",
        exact.len(),
        n_found as f64 / exact.len() as f64,
        ms(percentile(exact, 0.5)),
        ms(percentile(exact, 0.99))
    );
    println!(
        "| fuzzy search p50 / p99 ({} searches) | {:.3} ms / {:.3} ms |",
        fuzzy.len(),
        ms(percentile(fuzzy, 0.5)),
        ms(percentile(fuzzy, 0.99))
    );
}

/// `--lookups-only`: lookups on the store an earlier run left, for the plates the full run
/// would sample from the same input.
fn lookups_only(args: &Args, data: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let input = args
        .input
        .clone()
        .ok_or("--lookups-only needs --input (the file the store was loaded from)")?;
    if !data.join("CATALOG").exists() {
        return Err(format!(
            "no store in {}: run without --lookups-only first",
            data.display()
        )
        .into());
    }
    let builder = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&input)?)?
        .with_batch_size(65_536);
    let n_input_rows = u64::try_from(builder.metadata().file_metadata().num_rows())?;
    let stride = (n_input_rows / args.n_lookups.max(1) as u64).max(1);
    let mut plates = Vec::with_capacity(args.n_lookups);
    let mut row0 = 0u64;
    for batch in builder.build()? {
        let batch = batch?;
        sample_plates(&batch, row0, stride, args.n_lookups, &mut plates)?;
        row0 += batch.num_rows() as u64;
    }
    let started = Instant::now();
    let store = Store::open(
        data,
        StoreConfig {
            maintenance_interval: None,
            ..StoreConfig::default()
        },
    )?;
    let open_time = started.elapsed();
    let Lookups {
        mut exact,
        mut fuzzy,
        n_found,
    } = measure_lookups(&store, &plates)?;
    println!("| measure | value |");
    println!("| --- | --- |");
    println!(
        "| store opened | {open_time:.2?}, {} segments |",
        store.stats().n_segments
    );
    print_lookups(&mut exact, &mut fuzzy, n_found);
    println!(
        "| peak RSS (VmHWM) | {:.0} MB |",
        peak_rss_bytes() as f64 / 1e6
    );
    Ok(())
}

struct Measured {
    import_reads_per_s: f64,
    bytes_per_read: f64,
    history_p50_ms: f64,
    history_p99_ms: f64,
}

/// Every `stride`-th row's plate key, up to `n_max`.
fn sample_plates(
    batch: &RecordBatch,
    row0: u64,
    stride: u64,
    n_max: usize,
    out: &mut Vec<(PlateText, Option<Country>)>,
) -> Result<(), Box<dyn std::error::Error>> {
    let text = |name: &str| {
        batch
            .column_by_name(name)
            .filter(|column| {
                column.as_string_view_opt().is_some()
                    || column.as_string_opt::<i32>().is_some()
                    || column.as_dictionary_opt::<Int32Type>().is_some()
            })
            .ok_or_else(|| format!("the input has no string column `{name}`"))
    };
    let (plate, country) = (Text(text("plate")?), Text(text("country")?));
    let first = (stride - row0 % stride) % stride;
    for row in (first..batch.num_rows() as u64).step_by(stride as usize) {
        if out.len() >= n_max {
            break;
        }
        let row = row as usize;
        let country = if country.is_null(row) {
            None
        } else {
            Some(Country::parse(country.value(row))?)
        };
        out.push((PlateText::parse(plate.value(row))?, country));
    }
    Ok(())
}

/// A plain or view string column.
struct Text<'a>(&'a arrow::array::ArrayRef);

impl Text<'_> {
    fn is_null(&self, row: usize) -> bool {
        self.0.is_null(row)
    }

    fn value(&self, row: usize) -> &str {
        if let Some(views) = self.0.as_string_view_opt() {
            return views.value(row);
        }
        match self.0.as_dictionary_opt::<Int32Type>() {
            Some(dictionary) => {
                let key = dictionary.keys().value(row) as usize;
                dictionary.values().as_string::<i32>().value(key)
            }
            None => self.0.as_string::<i32>().value(row),
        }
    }
}

/// Runs the DuckDB baseline on the same file and plates and prints both side by side.
fn compare_with_duckdb(
    dir: &Path,
    input: &Path,
    plates: &[(PlateText, Option<Country>)],
    corridor: &Measured,
) -> Result<(), Box<dyn std::error::Error>> {
    let plates_path = dir.join("plates.txt");
    let lines: String = plates
        .iter()
        .map(|(plate, country)| {
            format!(
                "{},{}\n",
                plate.as_str(),
                country.map(|c| c.to_string()).unwrap_or_default()
            )
        })
        .collect();
    std::fs::write(&plates_path, lines)?;
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/duckdb_store_baseline.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(input)
        .arg(&plates_path)
        .arg(dir.join("duckdb"))
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "the DuckDB baseline failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let duck: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let number = |key: &str| duck[key].as_f64().unwrap_or(f64::NAN);
    println!();
    println!(
        "| same file, same plates | Corridor | DuckDB {} | Corridor / DuckDB |",
        duck["duckdb_version"].as_str().unwrap_or("?")
    );
    println!("| --- | --- | --- | --- |");
    println!(
        "| bulk import (reads/s) | {:.0} | {:.0} | {:.2}x |",
        corridor.import_reads_per_s,
        number("load_reads_per_s"),
        corridor.import_reads_per_s / number("load_reads_per_s")
    );
    println!(
        "| bytes per read on disk | {:.2} | {:.2} | {:.2}x |",
        corridor.bytes_per_read,
        number("bytes_per_read"),
        corridor.bytes_per_read / number("bytes_per_read")
    );
    println!(
        "| exact history p50 (ms) | {:.3} | {:.3} | {:.1}x faster |",
        corridor.history_p50_ms,
        number("history_p50_ms"),
        number("history_p50_ms") / corridor.history_p50_ms
    );
    println!(
        "| exact history p99 (ms) | {:.3} | {:.3} | {:.1}x faster |",
        corridor.history_p99_ms,
        number("history_p99_ms"),
        number("history_p99_ms") / corridor.history_p99_ms
    );
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn percentile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort_unstable();
    samples
        .get(((samples.len() as f64 - 1.0) * q).round() as usize)
        .copied()
        .unwrap_or_default()
}

fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// A small deterministic PRNG (SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const N_CAMERAS: u64 = 500;
const DAY0: Timestamp = 1_795_996_800_000_000;
const MAKES: [(&str, &str); 8] = [
    ("Ford", "Transit"),
    ("Volkswagen", "Golf"),
    ("Renault", "Clio"),
    ("Peugeot", "208"),
    ("Mercedes-Benz", "Sprinter"),
    ("BMW", "3 Series"),
    ("Toyota", "Corolla"),
    ("Iveco", "Daily"),
];
const COLOURS: [&str; 6] = ["white", "black", "silver", "blue", "red", "grey"];
const TYPES: [&str; 4] = ["car", "van", "lorry", "car"];

/// Generates reads of a fixed population of vehicles.
struct Generator {
    n_plates: u64,
    n_days: i64,
}

impl Generator {
    fn new(n_plates: u64, n_days: i64) -> Generator {
        Generator { n_plates, n_days }
    }

    /// A vehicle index with a skewed frequency: a few vehicles pass very often.
    fn pick_plate(&self, rng: &mut SplitMix) -> u64 {
        let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u) * self.n_plates as f64) as u64 % self.n_plates
    }

    fn country(&self, vehicle: u64) -> &'static str {
        ["GB", "GB", "GB", "FR", "FR", "NL", "BE", "DE"][(mix(vehicle) % 8) as usize]
    }

    fn plate(&self, vehicle: u64) -> PlateText {
        let h = mix(vehicle ^ 0xABCD);
        let letter = |shift: u32| (b'A' + ((h >> shift) % 26) as u8) as char;
        let digit = |shift: u32| (b'0' + ((h >> shift) % 10) as u8) as char;
        let text: String = match self.country(vehicle) {
            "GB" => [
                letter(0),
                letter(5),
                digit(10),
                digit(14),
                letter(18),
                letter(23),
                letter(28),
            ]
            .iter()
            .collect(),
            "FR" => [
                letter(0),
                letter(5),
                digit(10),
                digit(14),
                digit(18),
                letter(23),
                letter(28),
            ]
            .iter()
            .collect(),
            "NL" => [
                digit(0),
                letter(5),
                letter(10),
                letter(15),
                digit(20),
                digit(24),
            ]
            .iter()
            .collect(),
            "BE" => [
                '1',
                letter(5),
                letter(10),
                letter(15),
                digit(20),
                digit(24),
                digit(28),
            ]
            .iter()
            .collect(),
            _ => [
                letter(0),
                letter(5),
                letter(10),
                letter(15),
                digit(20),
                digit(24),
                digit(28),
                digit(32),
            ]
            .iter()
            .collect(),
        };
        PlateText::parse(&text).expect("generated plates are valid")
    }

    fn write_parquet(&self, path: &Path, n_reads: u64) -> Result<(), Box<dyn std::error::Error>> {
        let file = std::fs::File::create(path)?;
        let mut writer = ArrowWriter::try_new(
            file,
            corridor_store::schema::reads_schema(),
            Some(corridor_store::schema::parquet_writer_properties()),
        )?;
        let mut rng = SplitMix(7);
        let mut per_camera = vec![0u64; N_CAMERAS as usize];
        let span_us = self.n_days * 86_400_000_000;
        let chunk = 100_000u64;
        let mut done = 0u64;
        while done < n_reads {
            let n = chunk.min(n_reads - done);
            let mut reads = Vec::with_capacity(n as usize);
            for idx in 0..n {
                // Reads arrive roughly in time order, as a feed export would be.
                let ts = DAY0
                    + (((done + idx) as i128 * span_us as i128) / n_reads as i128) as i64
                    + rng.below(60_000_000) as i64;
                reads.push(self.read(&mut rng, &mut per_camera, ts));
            }
            let batch: RecordBatch = corridor_store::schema::reads_to_batch(&reads);
            writer.write(&batch)?;
            done += n;
        }
        writer.close()?;
        Ok(())
    }

    fn read(
        &self,
        rng: &mut SplitMix,
        per_camera: &mut [u64],
        ts: Timestamp,
    ) -> corridor_domain::PlateRead {
        let vehicle = self.pick_plate(rng);
        let camera = (mix(vehicle) ^ rng.below(16)) % N_CAMERAS;
        per_camera[camera as usize] += 1;
        let h = mix(vehicle ^ 0x5555);
        let (make, model) = MAKES[(h % MAKES.len() as u64) as usize];
        let mobile = camera.is_multiple_of(50);
        corridor_domain::PlateRead {
            read_id: format!("C{camera:03}-{:08}", per_camera[camera as usize]),
            plate: self.plate(vehicle),
            country: corridor_domain::Country::parse(self.country(vehicle)).ok(),
            camera_id: format!("CAM{camera:03}"),
            ts,
            confidence: Some((70 + rng.below(30)) as f32 / 100.0),
            lat: mobile.then(|| 50.0 + rng.below(100_000) as f64 / 100_000.0),
            lon: mobile.then(|| 1.5 + rng.below(100_000) as f64 / 100_000.0),
            heading_deg: None,
            make: Some(make.to_owned()),
            model: Some(model.to_owned()),
            colour: Some(COLOURS[((h >> 8) % COLOURS.len() as u64) as usize].to_owned()),
            vehicle_type: Some(TYPES[((h >> 16) % TYPES.len() as u64) as usize].to_owned()),
        }
    }
}

fn mix(value: u64) -> u64 {
    SplitMix(value).next()
}
