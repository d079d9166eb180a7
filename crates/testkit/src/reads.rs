//! Realistic plate reads for end-to-end tests and the HTTP bench: a fixed fleet of plates
//! from several countries seen by a fixed set of cameras, as JSON ready to post.
//!
//! Everything is derived from a seed, so a failing run can be replayed exactly.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;

/// A batch of reads encoded for `POST /api/v1/reads`, with the read ids it holds.
#[derive(Clone, Debug)]
pub struct Batch {
    pub body: Vec<u8>,
    pub read_ids: Vec<String>,
}

/// Makes reads of `n_plates` vehicles passing `n_cameras` cameras.
#[derive(Debug)]
pub struct ReadGen {
    rng: ChaCha8Rng,
    plates: Vec<(String, &'static str)>,
    n_cameras: usize,
    id_prefix: String,
    n_reads: u64,
    ts_us: i64,
}

/// The camera ids [`cameras_json`] registers: `CAM-00000` upwards.
pub fn camera_id(camera_idx: usize) -> String {
    format!("CAM-{camera_idx:05}")
}

/// `n_cameras` fixed cameras along the Channel corridor, as a `PUT /api/v1/cameras` body.
pub fn cameras_json(n_cameras: usize) -> serde_json::Value {
    let cameras: Vec<serde_json::Value> = (0..n_cameras)
        .map(|camera_idx| {
            let step = camera_idx as f64 / n_cameras.max(1) as f64;
            serde_json::json!({
                "camera_id": camera_id(camera_idx),
                "name": format!("corridor site {camera_idx}"),
                "lat": 48.5 + 2.5 * step,
                "lon": 1.5 + 3.0 * step,
                "heading": (camera_idx * 37 % 360) as f64,
                "country": if step < 0.6 { "FR" } else { "BE" },
                "operator": "testkit",
                "kind": "fixed",
                "infrared": camera_idx % 3 == 0,
            })
        })
        .collect();
    serde_json::Value::Array(cameras)
}

impl ReadGen {
    /// A generator over `n_plates` plates and `n_cameras` cameras; read ids start with
    /// `id_prefix` (give each concurrent client its own).
    pub fn new(seed: u64, n_plates: usize, n_cameras: usize, id_prefix: &str) -> ReadGen {
        let mut fleet_rng = ChaCha8Rng::seed_from_u64(seed);
        let plates = (0..n_plates)
            .map(|_| random_plate(&mut fleet_rng))
            .collect();
        // One clock for every generator of the same seed; reads lie in the last 30 days.
        let now_us = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_micros() as i64)
            .unwrap_or_default();
        ReadGen {
            rng: ChaCha8Rng::seed_from_u64(seed ^ xx_mix(id_prefix)),
            plates,
            n_cameras: n_cameras.max(1),
            id_prefix: id_prefix.to_owned(),
            n_reads: 0,
            ts_us: now_us - 30 * 24 * 3600 * 1_000_000,
        }
    }

    /// The plates of the fleet, with their countries.
    pub fn plates(&self) -> &[(String, &'static str)] {
        &self.plates
    }

    /// `n_reads` reads as a JSON array.
    pub fn json_batch(&mut self, n_reads: usize) -> Batch {
        self.batch(n_reads, "[", ",", "]")
    }

    /// `n_reads` reads as NDJSON.
    pub fn ndjson_batch(&mut self, n_reads: usize) -> Batch {
        self.batch(n_reads, "", "\n", "\n")
    }

    fn batch(&mut self, n_reads: usize, open: &str, separator: &str, close: &str) -> Batch {
        let mut body = String::with_capacity(n_reads * 260 + 2);
        let mut read_ids = Vec::with_capacity(n_reads);
        body.push_str(open);
        for read_idx in 0..n_reads {
            if read_idx > 0 {
                body.push_str(separator);
            }
            read_ids.push(self.push_read(&mut body));
        }
        body.push_str(close);
        Batch {
            body: body.into_bytes(),
            read_ids,
        }
    }

    /// Appends one read object to `body` and returns its id.
    fn push_read(&mut self, body: &mut String) -> String {
        const MAKES: [(&str, &str); 6] = [
            ("Ford", "Transit"),
            ("Volkswagen", "Golf"),
            ("Renault", "Clio"),
            ("Mercedes-Benz", "Sprinter"),
            ("Peugeot", "208"),
            ("Scania", "R450"),
        ];
        const COLOURS: [&str; 5] = ["white", "black", "silver", "blue", "red"];
        let read_id = format!("{}-{}", self.id_prefix, self.n_reads);
        self.n_reads += 1;
        self.ts_us += self.rng.random_range(1_000..400_000);
        let (plate, country) = &self.plates[self.rng.random_range(0..self.plates.len())];
        let camera_idx = self.rng.random_range(0..self.n_cameras);
        let confidence = self.rng.random_range(0.55..1.0f64);
        let (make, model) = MAKES[self.rng.random_range(0..MAKES.len())];
        let colour = COLOURS[self.rng.random_range(0..COLOURS.len())];
        let vehicle_type = if model == "Transit" || model == "Sprinter" {
            "van"
        } else {
            "car"
        };
        let ts = format_rfc3339(self.ts_us);
        let _ = write!(
            body,
            r#"{{"read_id":"{read_id}","plate":"{plate}","country":"{country}","camera_id":"{}","ts":"{ts}","confidence":{confidence:.3},"make":"{make}","model":"{model}","colour":"{colour}","vehicle_type":"{vehicle_type}"}}"#,
            camera_id(camera_idx),
        );
        read_id
    }
}

/// A plate in the grammar of a country, weighted towards the corridor's traffic.
fn random_plate(rng: &mut ChaCha8Rng) -> (String, &'static str) {
    let letter = |rng: &mut ChaCha8Rng| (b'A' + rng.random_range(0..26u8)) as char;
    let digit = |rng: &mut ChaCha8Rng| (b'0' + rng.random_range(0..10u8)) as char;
    let (shape, country) = match rng.random_range(0..100) {
        0..35 => ("LLDDLLL", "GB"),
        35..60 => ("LLDDDLL", "FR"),
        60..75 => ("DLLLDDD", "BE"),
        75..85 => ("DDLLLD", "NL"),
        85..93 => ("LLLDDDD", "DE"),
        _ => ("LLDDDDD", "PL"),
    };
    let plate = shape
        .chars()
        .map(|slot| if slot == 'L' { letter(rng) } else { digit(rng) })
        .collect();
    (plate, country)
}

/// RFC 3339 UTC with milliseconds, without a date library: days from the civil calendar.
fn format_rfc3339(ts_us: i64) -> String {
    let secs = ts_us.div_euclid(1_000_000);
    let millis = ts_us.rem_euclid(1_000_000) / 1_000;
    let days = secs.div_euclid(86_400);
    let secs_of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        secs_of_day / 3600,
        secs_of_day % 3600 / 60,
        secs_of_day % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A stable 64-bit mix of a string, to give each client prefix its own stream.
fn xx_mix(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_known_instants() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00.000Z");
        // 2026-11-30T03:12:09.250Z
        assert_eq!(
            format_rfc3339(1_796_008_329_250_000),
            "2026-11-30T03:12:09.250Z"
        );
        assert_eq!(
            format_rfc3339(951_782_400_000_000),
            "2000-02-29T00:00:00.000Z"
        );
    }

    #[test]
    fn batches_are_valid_json_with_unique_ids() {
        let mut generator = ReadGen::new(7, 100, 10, "t");
        let batch = generator.json_batch(50);
        let parsed: serde_json::Value = serde_json::from_slice(&batch.body).unwrap();
        assert_eq!(parsed.as_array().map(Vec::len), Some(50));
        let mut ids = batch.read_ids.clone();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 50);
        let ndjson = generator.ndjson_batch(3);
        let lines: Vec<&[u8]> = ndjson
            .body
            .split(|byte| *byte == b'\n')
            .filter(|line| !line.is_empty())
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(ndjson.read_ids[0], "t-50");
    }
}
