//! `corridor history`: where has this vehicle been? Exact, wildcard or fuzzy plate search.

use super::DataDir;
use anyhow::Context;
use corridor_domain::{Camera, Country, PlateRead, Timestamp};
use corridor_ingest::format_timestamp;
use corridor_store::search::{SearchHit, SearchMode, SearchQuery, search};
use corridor_store::{Store, StoreConfig};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Arguments of `corridor history`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    data: DataDir,
    /// The plate, e.g. `AB12CDE` (spaces and dashes are ignored). With `?` (one character)
    /// or `*` (any characters) it is a wildcard: `AB12?CD`, `*CDE`.
    #[arg(value_name = "PLATE")]
    plate: String,
    /// Only reads of plates issued by this country (ISO 3166-1 alpha-2, e.g. GB).
    #[arg(long, env = "CORRIDOR_HISTORY_COUNTRY", value_name = "CC", value_parser = parse_country)]
    country: Option<Country>,
    /// Only reads at or after this time: RFC 3339 (`2026-11-30T06:00:00Z`) or a date (`2026-11-30`).
    #[arg(long, env = "CORRIDOR_HISTORY_FROM", value_name = "TIME", value_parser = parse_from)]
    from: Option<Timestamp>,
    /// Only reads at or before this time: RFC 3339 or a date (up to the end of that day).
    #[arg(long, env = "CORRIDOR_HISTORY_TO", value_name = "TIME", value_parser = parse_to)]
    to: Option<Timestamp>,
    /// Also find likely misreadings of the plate (O/0, I/1, B/8, dropped characters...),
    /// ranked by likelihood.
    #[arg(long, env = "CORRIDOR_HISTORY_FUZZY")]
    fuzzy: bool,
    /// Print JSON instead of a table.
    #[arg(long, env = "CORRIDOR_HISTORY_JSON")]
    json: bool,
    /// Show at most this many reads per plate (the most recent).
    #[arg(
        long,
        env = "CORRIDOR_HISTORY_LIMIT",
        value_name = "N",
        default_value_t = 1000
    )]
    limit: usize,
    #[command(flatten)]
    purpose: super::local_audit::PurposeArgs,
    /// Show at most this many plates.
    #[arg(
        long,
        env = "CORRIDOR_HISTORY_PLATES",
        value_name = "N",
        default_value_t = 50
    )]
    plates: usize,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let store = Store::open(&args.data.path, StoreConfig::default())
        .with_context(|| format!("opening the store in {}", args.data.path.display()))?;
    let mode = search_mode(&args.plate, args.fuzzy)?;
    let why = args.purpose.purpose()?;
    let query = SearchQuery {
        text: args.plate.clone(),
        country: args.country,
        from: args.from,
        to: args.to,
        mode,
        limit: args.plates.max(1),
    };
    let mut hits = search(&store, &query).context("searching")?;
    for hit in &mut hits {
        let n_extra = hit.reads.len().saturating_sub(args.limit);
        hit.reads.drain(..n_extra);
    }
    let read_ids: Vec<&str> = hits
        .iter()
        .flat_map(|hit| hit.reads.iter().map(|read| read.read_id.as_str()))
        .collect();
    super::local_audit::record(
        &args.data.path,
        corridor_safeguards::Action::ReadHistory,
        why,
        json!({
            "plate": args.plate,
            "country": args.country.map(|country| country.to_string()),
            "mode": mode_name(mode),
            "from": args.from.map(format_timestamp),
            "to": args.to.map(format_timestamp),
        }),
        &read_ids,
    )?;
    let cameras: HashMap<String, Camera> = store
        .cameras()
        .into_iter()
        .map(|camera| (camera.camera_id.clone(), camera))
        .collect();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&hits_json(&query, &hits, &cameras))?
        );
    } else {
        print!("{}", hits_table(&query, &hits, &cameras));
    }
    Ok(())
}

fn search_mode(plate: &str, fuzzy: bool) -> anyhow::Result<SearchMode> {
    let wildcard = plate.contains(['?', '*']);
    match (wildcard, fuzzy) {
        (true, true) => anyhow::bail!("--fuzzy cannot be combined with a wildcard plate `{plate}`"),
        (true, false) => Ok(SearchMode::Wildcard),
        (false, true) => Ok(SearchMode::Fuzzy),
        (false, false) => Ok(SearchMode::Exact),
    }
}

fn mode_name(mode: SearchMode) -> &'static str {
    match mode {
        SearchMode::Exact => "exact",
        SearchMode::Wildcard => "wildcard",
        SearchMode::Fuzzy => "fuzzy",
    }
}

/// The human table: one block per plate, one line per read.
fn hits_table(
    query: &SearchQuery,
    hits: &[SearchHit],
    cameras: &HashMap<String, Camera>,
) -> String {
    let mut out = String::new();
    if hits.is_empty() {
        let _ = writeln!(
            out,
            "no reads found for `{}` ({} search)",
            query.text,
            mode_name(query.mode)
        );
        return out;
    }
    for hit in hits {
        let country = hit
            .plate
            .country
            .map_or("??".to_owned(), |country| country.to_string());
        let _ = writeln!(
            out,
            "{} {}  likelihood {:.3}  {} reads",
            hit.plate.text,
            country,
            hit.likelihood,
            hit.reads.len()
        );
        let header = [
            "time", "camera", "name", "place", "plate", "cc", "conf", "vehicle", "read id",
        ];
        let rows: Vec<[String; 9]> = hit
            .reads
            .iter()
            .map(|read| read_cells(read, cameras))
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        write_row(&mut out, &header.map(str::to_owned), &widths);
        for row in &rows {
            write_row(&mut out, row, &widths);
        }
        out.push('\n');
    }
    out
}

fn write_row(out: &mut String, cells: &[String; 9], widths: &[usize; 9]) {
    let mut line = String::from("  ");
    for (cell, &width) in cells.iter().zip(widths) {
        let _ = write!(line, "{cell:<width$}  ");
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

fn read_cells(read: &PlateRead, cameras: &HashMap<String, Camera>) -> [String; 9] {
    let camera = cameras.get(&read.camera_id);
    let place = match (read.lat, read.lon, camera) {
        (Some(lat), Some(lon), _) => format!("{lat:.4},{lon:.4}"),
        (_, _, Some(camera)) => format!("{:.4},{:.4}", camera.lat, camera.lon),
        _ => String::new(),
    };
    let vehicle = [&read.make, &read.model, &read.colour]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    [
        format_timestamp(read.ts),
        read.camera_id.clone(),
        camera.map_or(String::new(), |camera| camera.name.clone()),
        place,
        read.plate.to_string(),
        read.country
            .map_or(String::new(), |country| country.to_string()),
        read.confidence
            .map_or(String::new(), |confidence| format!("{confidence:.2}")),
        vehicle,
        read.read_id.clone(),
    ]
}

/// The JSON output: the query and, per plate, its likelihood and reads (exchange field
/// names, plus the camera's name and position).
fn hits_json(query: &SearchQuery, hits: &[SearchHit], cameras: &HashMap<String, Camera>) -> Value {
    let hits: Vec<Value> = hits
        .iter()
        .map(|hit| {
            json!({
                "plate": hit.plate.text.as_str(),
                "country": hit.plate.country.map(|country| country.to_string()),
                "likelihood": hit.likelihood,
                "reads": hit.reads.iter().map(|read| read_json(read, cameras)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "query": query.text,
        "mode": mode_name(query.mode),
        "country": query.country.map(|country| country.to_string()),
        "from": query.from.map(format_timestamp),
        "to": query.to.map(format_timestamp),
        "hits": hits,
    })
}

fn read_json(read: &PlateRead, cameras: &HashMap<String, Camera>) -> Value {
    let camera = cameras.get(&read.camera_id);
    json!({
        "read_id": read.read_id,
        "plate": read.plate.as_str(),
        "country": read.country.map(|country| country.to_string()),
        "camera_id": read.camera_id,
        "camera_name": camera.map(|camera| camera.name.clone()),
        "camera_lat": camera.map(|camera| camera.lat),
        "camera_lon": camera.map(|camera| camera.lon),
        "ts": format_timestamp(read.ts),
        "confidence": read.confidence,
        "lat": read.lat,
        "lon": read.lon,
        "heading": read.heading_deg,
        "make": read.make,
        "model": read.model,
        "colour": read.colour,
        "vehicle_type": read.vehicle_type,
    })
}

fn parse_country(raw: &str) -> Result<Country, String> {
    Country::parse(raw).map_err(|err| err.to_string())
}

fn parse_from(raw: &str) -> Result<Timestamp, String> {
    parse_time(raw, false)
}

fn parse_to(raw: &str) -> Result<Timestamp, String> {
    parse_time(raw, true)
}

/// RFC 3339, or a date meaning the start (or, for an upper bound, the end) of that UTC day.
fn parse_time(raw: &str, end_of_day: bool) -> Result<Timestamp, String> {
    if let Ok(ts) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(ts.timestamp_micros());
    }
    let date = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| format!("`{raw}` is neither an RFC 3339 time nor a date like 2026-11-30"))?;
    let start = date
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp_micros();
    Ok(if end_of_day {
        start + 86_400_000_000 - 1
    } else {
        start
    })
}
