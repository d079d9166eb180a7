//! Misread linking: a read whose plate text is a likely OCR confusion of another plate, and
//! that fits that plate's track in time and place, is given to that plate.
//!
//! Three cases: a rare plate (read at most `RARE_READS_MAX` times) next to a busy plate's
//! track, which would otherwise break the busy plate's chain; a read that makes its own
//! plate's journey impossible but fits a confusable plate's track, which would otherwise
//! look like a clone; and a read describing another car than the plate's other reads that
//! fits the track of a confusable plate on that car, which would otherwise look like one
//! plate on two cars. A read that describes another car (make, model, colour)
//! than the plate it would join is never linked: a misread changes the text, not the car.

use crate::AnalysisConfig;
use crate::clones::{BUSIER_FACTOR, conflicts, impossible};
use crate::table::{FastSet, MICROS, ReadTable};
use corridor_domain::confusion::ConfusionModel;
use corridor_domain::{Country, PlateText};
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

/// Plates read at most this often are candidates for being misreads.
const RARE_READS_MAX: usize = 2;
/// A track must have this many reads to adopt a misread.
const TRACK_READS_MIN: usize = 3;
/// A neighbour read of the adopting track must be this close in time.
const NEAR_SECS: i64 = 3 * 3600;

/// Likeliest true readings considered for a suspect read.
const ALTERNATIVES_MAX: usize = 24;
/// The same for the reads of a plate read more often, suspect because they make an
/// impossible hop or describe another car than its other reads: restoring a dropped
/// character is about as likely for every character the format allows there, and such a
/// read's true plate can rank far down among them, where a rare plate's readings would
/// bring in too many tracks to join by chance.
const CONFLICT_ALTERNATIVES_MAX: usize = 400;

/// One reassignment: `row` now belongs to `plate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Link {
    pub(crate) row: u32,
    pub(crate) from_plate: u32,
    pub(crate) to_plate: u32,
}

/// Finds the links and applies them to the table (its by-plate order is rebuilt).
pub(crate) fn link_misreads(table: &mut ReadTable, config: &AnalysisConfig) -> Vec<Link> {
    let links = find_links(table, config);
    for link in &links {
        table.plate[link.row as usize] = link.to_plate;
    }
    if !links.is_empty() {
        table.resort();
    }
    links
}

/// Plates per unit of work shared among the threads of [`find_links`].
const PLATES_PER_CHUNK: u32 = 4096;

/// Looks for links on every core: plates are independent, taken a chunk at a time, and the
/// links come out in plate order whatever the number of threads.
fn find_links(table: &ReadTable, config: &AnalysisConfig) -> Vec<Link> {
    let n_plates = table.n_plates() as u32;
    let tracked = TrackedTexts::new(table);
    let chunks: Vec<Vec<Link>> = (0..n_plates.div_ceil(PLATES_PER_CHUNK))
        .into_par_iter()
        .map_init(ConfusionModel::standard, |model, chunk| {
            let first = chunk * PLATES_PER_CHUNK;
            let plates = first..(first + PLATES_PER_CHUNK).min(n_plates);
            find_links_in(table, config, model, &tracked, plates)
        })
        .collect();
    chunks.into_iter().flatten().collect()
}

/// Bits of the quick filter in front of [`TrackedTexts`]'s set: 2 MiB, which the cores'
/// caches hold, where the set itself (tens of megabytes at 10M reads) must mostly be read
/// from memory.
const FILTER_BITS_LOG2: u32 = 24;

/// The texts of plates with a track (at least [`TRACK_READS_MIN`] reads), by hash: most
/// confusable variants are no such plate, and this says so without looking the text up
/// among every plate. A rare plate's few hundred readings are each looked up here, so a
/// bit per hash, kept in cache, answers most of them before the set is read.
struct TrackedTexts {
    filter: Vec<u64>,
    hashes: FastSet<u64>,
}

impl TrackedTexts {
    fn new(table: &ReadTable) -> TrackedTexts {
        let hashes: FastSet<u64> = (0..table.n_plates() as u32)
            .filter(|&plate| table.plate_rows(plate).len() >= TRACK_READS_MIN)
            .map(|plate| xxh3_64(table.plates[plate as usize].text.as_bytes()))
            .collect();
        let mut filter = vec![0u64; 1 << (FILTER_BITS_LOG2 - 6)];
        for &hash in &hashes {
            let bit = Self::bit(hash);
            filter[bit / 64] |= 1 << (bit % 64);
        }
        TrackedTexts { filter, hashes }
    }

    /// The filter's bit for a hash: its top bits (the set's own table uses the low ones).
    fn bit(hash: u64) -> usize {
        (hash >> (64 - FILTER_BITS_LOG2)) as usize
    }

    fn passes_filter(&self, hash: u64) -> bool {
        let bit = Self::bit(hash);
        self.filter[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// Keeps the hashes (by `xxh3_64`) of tracked texts among `hashes`, each once. The
    /// filter's bits are read for all of them before the first test, so that the reads
    /// overlap rather than wait on one another.
    fn select(&self, hashes: &mut Vec<u64>) {
        let any_passes = hashes
            .iter()
            .fold(false, |any, &hash| any | self.passes_filter(hash));
        if !any_passes {
            hashes.clear();
            return;
        }
        hashes.retain(|&hash| self.passes_filter(hash) && self.hashes.contains(&hash));
        hashes.sort_unstable();
        hashes.dedup();
    }
}

fn find_links_in(
    table: &ReadTable,
    config: &AnalysisConfig,
    model: &ConfusionModel,
    tracked: &TrackedTexts,
    plates: std::ops::Range<u32>,
) -> Vec<Link> {
    let mut links = Vec::new();
    let mut readings: Vec<u64> = Vec::new();
    for plate in plates {
        let rows = table.plate_rows(plate);
        let suspects: Vec<u32> = if rows.len() <= RARE_READS_MAX {
            rows.to_vec()
        } else {
            let mut suspects = impossible_rows(table, rows, config);
            suspects.extend(rows_of_two_vehicles(table, rows));
            suspects.sort_unstable();
            suspects.dedup();
            suspects
        };
        if suspects.is_empty() {
            continue;
        }
        let Some((observed, country)) = reading_of(table, plate) else {
            continue;
        };
        // Most rare plates are no misread of a plate with a track: their possible readings
        // are looked up unranked first, and ranked only when some of them are tracked texts.
        let own = xxh3_64(table.plates[plate as usize].text.as_bytes());
        readings.clear();
        model.possible_readings_in(&observed, country, &mut |text| {
            readings.push(xxh3_64(text));
        });
        tracked.select(&mut readings);
        readings.retain(|&hash| hash != own);
        if readings.is_empty() {
            continue;
        }
        // The tracks a suspect could join, in the order of the variants' likelihood: the
        // tracked texts among the likeliest readings (ranked with the read itself). Only
        // these and the readings that could rank above them are weighed against the
        // country's grammar.
        let n_max = if rows.len() <= RARE_READS_MAX {
            ALTERNATIVES_MAX
        } else {
            CONFLICT_ALTERNATIVES_MAX
        };
        let tracks: Vec<u32> = model
            .likeliest_readings_among(&observed, country, n_max, &mut |text| {
                readings.contains(&xxh3_64(text))
            })
            .iter()
            .flat_map(|text| table.plates_with_text(text.as_str()))
            .copied()
            .filter(|&track| track != plate && table.plate_rows(track).len() >= TRACK_READS_MIN)
            .filter(|&track| !own_misreads(table, track, plate, config))
            .collect();
        if tracks.is_empty() {
            continue;
        }
        for row in suspects {
            if let Some(to_plate) = best_track(table, row, &tracks, config) {
                links.push(Link {
                    row,
                    from_plate: plate,
                    to_plate,
                });
            }
        }
    }
    links
}

/// Whether `track`, a plate confusable with `plate`, is `plate`'s own misreads: read many
/// times less (see `clones::BUSIER_FACTOR`), every read of it where `plate`'s track could
/// have been read. A read of a cloned van that makes an impossible hop is the other van's,
/// not a misread of the text its own misreads made (at 5% misreads a cloned van's reads
/// went to such a text, which then seemed to drive with the van's network); a rare plate
/// read elsewhere is a vehicle of its own, and a read of it misread as the busy plate's text
/// still goes back to it.
fn own_misreads(table: &ReadTable, track: u32, plate: u32, config: &AnalysisConfig) -> bool {
    let track_rows = table.plate_rows(track);
    track_rows.len() * BUSIER_FACTOR <= table.plate_rows(plate).len()
        && track_rows
            .iter()
            .all(|&row| fits_track(table, row, plate, config).is_some())
}

/// Rows of a plate that take part in an impossible hop with a neighbour.
fn impossible_rows(table: &ReadTable, rows: &[u32], config: &AnalysisConfig) -> Vec<u32> {
    let mut out = Vec::new();
    for (idx, &row) in rows.iter().enumerate() {
        let before = idx > 0 && impossible(table, rows[idx - 1], row, config);
        let after = idx + 1 < rows.len() && impossible(table, row, rows[idx + 1], config);
        if before || after {
            out.push(row);
        }
    }
    out
}

/// Rows of a plate whose description (make, model or colour) conflicts with that of
/// another of its reads: one text read on two cars, each read of which is either the
/// plate's own car, a clone, or a misread of a confusable plate whose track it fits.
fn rows_of_two_vehicles(table: &ReadTable, rows: &[u32]) -> Vec<u32> {
    let mut descs: Vec<u32> = rows
        .iter()
        .map(|&row| table.desc[row as usize])
        .filter(|&desc| desc != 0)
        .collect();
    descs.sort_unstable();
    descs.dedup();
    let conflicting: Vec<u32> = descs
        .iter()
        .copied()
        .filter(|&desc| {
            let this = &table.descs[desc as usize];
            descs
                .iter()
                .any(|&other| conflicts(this, &table.descs[other as usize]))
        })
        .collect();
    if conflicting.is_empty() {
        return Vec::new();
    }
    rows.iter()
        .copied()
        .filter(|&row| conflicting.contains(&table.desc[row as usize]))
        .collect()
}

/// The track among `tracks` (confusable plates, likeliest first) that `row` fits best
/// (nearest neighbour read in time; the likelier plate on a tie).
fn best_track(table: &ReadTable, row: u32, tracks: &[u32], config: &AnalysisConfig) -> Option<u32> {
    let mut best: Option<(i64, u32)> = None;
    for &candidate in tracks {
        if let Some(gap) = fits_track(table, row, candidate, config)
            && best.is_none_or(|(best_gap, _)| gap < best_gap)
            && !describes_another_vehicle(table, row, candidate)
        {
            best = Some((gap, candidate));
        }
    }
    best.map(|(_, plate)| plate)
}

/// Whether `row` describes a vehicle (make, model or colour) other than the one `plate`'s
/// reads most often describe: an OCR misread changes the plate's text, not the car, so a
/// rare plate on another car is a second vehicle, not a misread of this one.
fn describes_another_vehicle(table: &ReadTable, row: u32, plate: u32) -> bool {
    let desc = table.desc[row as usize];
    if desc == 0 {
        return false;
    }
    let mut counts: Vec<(u32, usize)> = Vec::new();
    for &other in table.plate_rows(plate) {
        let other_desc = table.desc[other as usize];
        if other_desc == 0 {
            continue;
        }
        match counts.iter_mut().find(|(id, _)| *id == other_desc) {
            Some((_, n)) => *n += 1,
            None => counts.push((other_desc, 1)),
        }
    }
    counts
        .iter()
        .max_by_key(|&&(_, n)| n)
        .is_some_and(|&(main, _)| {
            conflicts(&table.descs[main as usize], &table.descs[desc as usize])
        })
}

/// If `row` fits `plate`'s track (feasible from the read before and to the read after, one
/// of them within `NEAR_SECS`), the time to the nearer of them.
fn fits_track(table: &ReadTable, row: u32, plate: u32, config: &AnalysisConfig) -> Option<i64> {
    // `plate` has a track: `find_links_in` keeps only plates with `TRACK_READS_MIN` reads.
    let rows = table.plate_rows(plate);
    let ts = table.ts[row as usize];
    let idx = rows.partition_point(|&other| table.ts[other as usize] < ts);
    let before = idx.checked_sub(1).map(|i| rows[i]);
    let after = rows.get(idx).copied();
    let mut nearest = i64::MAX;
    for neighbour in [before, after].into_iter().flatten() {
        if impossible(table, neighbour, row, config) {
            return None;
        }
        nearest = nearest.min((table.ts[neighbour as usize] - ts).abs());
    }
    (nearest <= NEAR_SECS * MICROS).then_some(nearest)
}

/// The likeliest true readings of a plate's text under the OCR confusion model, itself
/// excluded.
pub(crate) fn confusable_variants(
    model: &ConfusionModel,
    table: &ReadTable,
    plate: u32,
) -> Vec<String> {
    let Some((observed, country)) = reading_of(table, plate) else {
        return Vec::new();
    };
    let own = table.plates[plate as usize].text.as_str();
    model
        .alternatives_in(&observed, country, ALTERNATIVES_MAX)
        .into_iter()
        .map(|alternative| alternative.text.as_str().to_owned())
        .filter(|variant| variant != own)
        .collect()
}

/// A plate's text as read, and its country where known; `None` for a text that is no
/// plate's.
fn reading_of(table: &ReadTable, plate: u32) -> Option<(PlateText, Option<Country>)> {
    let entry = &table.plates[plate as usize];
    let observed = PlateText::parse(&entry.text).ok()?;
    let country = entry
        .country
        .as_deref()
        .and_then(|code| Country::parse(code).ok());
    Some((observed, country))
}
