//! Plate-reading benchmark: accuracy and speed of `corridor-vision` on a labelled set.
//!
//! ```text
//! cargo build --release -p corridor-vision --bin plate-bench
//! target/release/plate-bench --data ../shared/datasets/plates-dev --split validation
//! ```
//!
//! The data directory holds one folder per group (`us/`, `br/`), each with `NAME.jpg` and
//! `NAME.txt` = `NAME.jpg<TAB>x<TAB>y<TAB>w<TAB>h<TAB>PLATE`. For each folder it prints:
//! images; detection rate (a plate box with IoU >= 0.5 against the label); top-1 exact
//! (the best text of the plate whose box overlaps the label most equals the label, both
//! upper-cased without non-alphanumerics); top-5 exact (the label is among that plate's
//! alternatives); median and p90 ms per image on one thread (decode + detect + read); and
//! images per second with every core busy. `--split` picks the images
//! (`corridor_vision::split`; default validation); `--verbose` prints every image.

use corridor_vision::PlateReader;
use corridor_vision::split::Split;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// A detection counts when its box overlaps the labelled box at least this much.
const DETECTION_IOU_MIN: f32 = 0.5;

struct Args {
    data: PathBuf,
    split: Split,
    verbose: bool,
}

/// One labelled image.
struct Labelled {
    path: PathBuf,
    file_name: String,
    /// Left, top, width, height in pixels.
    label_box: [f32; 4],
    plate: String,
}

/// What the reader made of one image.
struct Outcome {
    ms: f64,
    detected: bool,
    top1: bool,
    top5: bool,
    read: String,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("plate-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let reader = PlateReader::new().map_err(|error| error.to_string())?;
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&args.data)
        .map_err(|error| format!("{}: {error}", args.data.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    println!("split: {:?}, data: {}\n", args.split, args.data.display());
    println!(
        "| folder | images | detection rate | top-1 exact | top-5 exact | median ms | p90 ms | images/s ({} threads) |",
        n_threads()
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for folder in folders {
        let images = load_labels(&folder, args.split)?;
        if images.is_empty() {
            continue;
        }
        let outcomes = images
            .iter()
            .map(|image| evaluate(&reader, image))
            .collect::<Result<Vec<_>, _>>()?;
        if args.verbose {
            for (image, outcome) in images.iter().zip(&outcomes) {
                eprintln!(
                    "{}\tlabel {}\tread {}\t{}\t{:.1} ms",
                    image.file_name,
                    image.plate,
                    if outcome.read.is_empty() {
                        "-"
                    } else {
                        &outcome.read
                    },
                    if outcome.top1 { "hit" } else { "miss" },
                    outcome.ms
                );
            }
        }
        let images_per_sec = throughput(&reader, &images);
        print_row(&folder, &outcomes, images_per_sec);
    }
    Ok(())
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        data: PathBuf::from("../shared/datasets/plates-dev"),
        split: Split::Validation,
        verbose: false,
    };
    let mut raw = std::env::args().skip(1);
    while let Some(flag) = raw.next() {
        match flag.as_str() {
            "--data" => args.data = raw.next().ok_or("--data needs a directory")?.into(),
            "--split" => {
                let value = raw.next().ok_or("--split needs train, validation or all")?;
                args.split = Split::parse(&value)
                    .ok_or_else(|| format!("--split {value}: use train, validation or all"))?;
            }
            "--verbose" => args.verbose = true,
            "--help" | "-h" => {
                return Err(
                    "usage: plate-bench [--data DIR] [--split train|validation|all] [--verbose]"
                        .to_owned(),
                );
            }
            other => return Err(format!("unknown argument {other}; see --help")),
        }
    }
    Ok(args)
}

/// The labelled images of one folder in the split, by file name.
fn load_labels(folder: &Path, split: Split) -> Result<Vec<Labelled>, String> {
    let mut images = Vec::new();
    let entries =
        std::fs::read_dir(folder).map_err(|error| format!("{}: {error}", folder.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().and_then(|ext| ext.to_str()) != Some("txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        let fields: Vec<&str> = text.trim_end().split('\t').collect();
        let [file_name, x, y, w, h, plate] = fields[..] else {
            return Err(format!(
                "{}: expected 6 tab-separated fields",
                path.display()
            ));
        };
        if !split.contains(file_name) {
            continue;
        }
        let number = |raw: &str| {
            raw.trim()
                .parse::<f32>()
                .map_err(|error| format!("{}: {raw}: {error}", path.display()))
        };
        images.push(Labelled {
            path: folder.join(file_name),
            file_name: file_name.to_owned(),
            label_box: [number(x)?, number(y)?, number(w)?, number(h)?],
            plate: normalise(plate),
        });
    }
    images.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Ok(images)
}

/// Reads one image on this thread, timing decode + detect + read.
fn evaluate(reader: &PlateReader, image: &Labelled) -> Result<Outcome, String> {
    let bytes =
        std::fs::read(&image.path).map_err(|error| format!("{}: {error}", image.path.display()))?;
    let started = Instant::now();
    let findings = reader
        .read_image(&bytes)
        .map_err(|error| format!("{}: {error}", image.path.display()))?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let best = findings
        .iter()
        .map(|finding| (finding.iou_with_box(image.label_box), finding))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let Some((overlap, finding)) = best.filter(|(overlap, _)| *overlap > 0.0) else {
        return Ok(Outcome {
            ms,
            detected: false,
            top1: false,
            top5: false,
            read: String::new(),
        });
    };
    Ok(Outcome {
        ms,
        detected: overlap >= DETECTION_IOU_MIN,
        top1: normalise(&finding.text) == image.plate,
        top5: finding
            .alternatives
            .iter()
            .any(|alternative| normalise(&alternative.text) == image.plate),
        read: finding.text.clone(),
    })
}

/// Images per second with one worker per core, each reading its share of the images.
fn throughput(reader: &PlateReader, images: &[Labelled]) -> f64 {
    let bytes: Vec<Vec<u8>> = images
        .iter()
        .filter_map(|image| std::fs::read(&image.path).ok())
        .collect();
    let n_workers = n_threads();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for worker_idx in 0..n_workers {
            let bytes = &bytes;
            scope.spawn(move || {
                for image in bytes.iter().skip(worker_idx).step_by(n_workers) {
                    // Errors were reported by the single-thread pass.
                    let _ = reader.read_image(image);
                }
            });
        }
    });
    bytes.len() as f64 / started.elapsed().as_secs_f64()
}

fn n_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn print_row(folder: &Path, outcomes: &[Outcome], images_per_sec: f64) {
    let n_images = outcomes.len();
    let rate = |count: usize| format!("{:.1}%", 100.0 * count as f64 / n_images as f64);
    let mut ms: Vec<f64> = outcomes.iter().map(|outcome| outcome.ms).collect();
    ms.sort_by(f64::total_cmp);
    let quantile = |q: f64| ms[((n_images - 1) as f64 * q).round() as usize];
    println!(
        "| {} | {} | {} | {} | {} | {:.1} | {:.1} | {:.1} |",
        folder
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned()),
        n_images,
        rate(outcomes.iter().filter(|outcome| outcome.detected).count()),
        rate(outcomes.iter().filter(|outcome| outcome.top1).count()),
        rate(outcomes.iter().filter(|outcome| outcome.top5).count()),
        quantile(0.5),
        quantile(0.9),
        images_per_sec,
    );
}

/// Upper case, letters and digits only.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|ch| ch.to_ascii_uppercase())
        .collect()
}
