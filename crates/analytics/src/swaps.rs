//! Plate swaps: one vehicle carrying several plates in turn, found as plates with the same
//! movement pattern and description that are never read within hours of each other.

use crate::clones::conflicts;
use crate::table::{MICROS, ReadTable};

/// Plates read closer in time than this were seen together (two vehicles).
const TOGETHER_SECS: i64 = 2 * 3600;
/// Movement similarity (cosine of camera visit counts) needed for a swap.
const SIMILARITY_MIN: f64 = 0.6;
/// Reads each plate needs before its movement pattern means anything.
const READS_MIN: usize = 4;

/// Two plates on one vehicle.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SwapFinding {
    pub(crate) plate_a: u32,
    pub(crate) plate_b: u32,
    /// Cosine similarity of the two plates' camera visit counts, 0..1.
    pub(crate) similarity: f64,
}

/// Visit counts per camera, sorted by camera.
type Profile = Vec<(u32, f64)>;

/// Swaps of the `focus` plates (plates of interest and plates stopping at hubs) with any
/// plate read `READS_MIN` times or more: the other plates a network van carried are often
/// read only on the nights it carried them, with no convoy or hub of their own.
pub(crate) fn find_swaps(table: &ReadTable, focus: &[u32]) -> Vec<SwapFinding> {
    let profiled = |plate: u32| {
        (table.plate_rows(plate).len() >= READS_MIN)
            .then(|| (plate, camera_profile(table, plate), main_desc(table, plate)))
    };
    let focus_profiles: Vec<(u32, Profile, u32)> =
        focus.iter().filter_map(|&plate| profiled(plate)).collect();
    let all_profiles: Vec<(u32, Profile, u32)> =
        (0..table.n_plates() as u32).filter_map(profiled).collect();
    let mut swaps = Vec::new();
    let mut seen: std::collections::BTreeSet<(u32, u32)> = std::collections::BTreeSet::new();
    for (plate_a, profile_a, desc_a) in &focus_profiles {
        for (plate_b, profile_b, desc_b) in &all_profiles {
            let key = ((*plate_a).min(*plate_b), (*plate_a).max(*plate_b));
            if plate_a == plate_b || seen.contains(&key) {
                continue;
            }
            if *desc_a != 0
                && *desc_b != 0
                && conflicts(
                    &table.descs[*desc_a as usize],
                    &table.descs[*desc_b as usize],
                )
            {
                continue;
            }
            let similarity = cosine(profile_a, profile_b);
            if similarity < SIMILARITY_MIN || seen_together(table, *plate_a, *plate_b) {
                continue;
            }
            // A plate outside the focus moves like many others by chance; it is the focus
            // plate's other plate only when no plate moves more like it.
            let in_focus = focus_profiles.iter().any(|(plate, _, _)| plate == plate_b);
            if !in_focus
                && all_profiles.iter().any(|(plate, profile, _)| {
                    plate != plate_b && cosine(profile_b, profile) > similarity
                })
            {
                continue;
            }
            seen.insert(key);
            swaps.push(SwapFinding {
                plate_a: key.0,
                plate_b: key.1,
                similarity,
            });
        }
    }
    swaps.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    swaps
}

/// Visit counts per camera, sorted by camera.
fn camera_profile(table: &ReadTable, plate: u32) -> Vec<(u32, f64)> {
    let mut cameras: Vec<u32> = table
        .plate_rows(plate)
        .iter()
        .map(|&row| table.camera[row as usize])
        .collect();
    cameras.sort_unstable();
    let mut profile: Vec<(u32, f64)> = Vec::new();
    for camera in cameras {
        match profile.last_mut() {
            Some((last, n)) if *last == camera => *n += 1.0,
            _ => profile.push((camera, 1.0)),
        }
    }
    profile
}

fn cosine(a: &[(u32, f64)], b: &[(u32, f64)]) -> f64 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    let norm = |v: &[(u32, f64)]| v.iter().map(|(_, n)| n * n).sum::<f64>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator == 0.0 {
        0.0
    } else {
        dot / denominator
    }
}

/// The most frequent non-empty description of a plate's reads, 0 if none.
fn main_desc(table: &ReadTable, plate: u32) -> u32 {
    let mut descs: Vec<u32> = table
        .plate_rows(plate)
        .iter()
        .map(|&row| table.desc[row as usize])
        .filter(|&d| d != 0)
        .collect();
    descs.sort_unstable();
    descs
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| run.len())
        .map_or(0, |run| run[0])
}

/// Whether any read of `a` is within `TOGETHER_SECS` of a read of `b`.
fn seen_together(table: &ReadTable, a: u32, b: u32) -> bool {
    let rows_b = table.plate_rows(b);
    table.plate_rows(a).iter().any(|&row| {
        let ts = table.ts[row as usize];
        let idx =
            rows_b.partition_point(|&other| table.ts[other as usize] < ts - TOGETHER_SECS * MICROS);
        rows_b
            .get(idx)
            .is_some_and(|&other| table.ts[other as usize] <= ts + TOGETHER_SECS * MICROS)
    })
}
