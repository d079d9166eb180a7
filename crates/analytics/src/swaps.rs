//! Plate swaps: one vehicle carrying several plates in turn, found as plates with the same
//! movement pattern and description that are never read within hours of each other.

use crate::clones::conflicts;
use crate::table::{MICROS, ReadTable};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Plates read closer in time than this were seen together (two vehicles).
const TOGETHER_SECS: i64 = 2 * 3600;
/// Movement similarity (cosine of camera visit counts) needed for a swap.
const SIMILARITY_MIN: f64 = 0.6;
/// Reads each plate needs before its movement pattern means anything.
const READS_MIN: usize = 4;
/// Two plates never read closer in time than this were never out on the same day: a van
/// carries one plate a day, two vehicles on one road usually share days.
const APART_SECS: i64 = 12 * 3600;
/// The largest chance that another vehicle of a network has a van's make, model and
/// colour for two plates of that description to be taken for the van's (see
/// [`in_one_network`]).
const SHARED_BY_CHANCE_MAX: f64 = 0.1;

/// Two plates on one vehicle.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SwapFinding {
    pub(crate) plate_a: u32,
    pub(crate) plate_b: u32,
    /// How alike the two plates are, 0..1: the cosine similarity of their camera visit
    /// counts, or, where higher, the share of their convoy partners they have in common.
    pub(crate) similarity: f64,
}

/// Visit counts per camera, sorted by camera.
type Profile = Vec<(u32, f64)>;

/// How every plate read `READS_MIN` times or more moves (its camera visits) and what its
/// reads most often describe, in plate order: worked out once per analysis and asked by
/// each search for swaps.
pub(crate) struct Movements {
    profiles: Vec<(u32, Profile, u32)>,
    /// Plates per full description (make, model and colour, lower case), and their sum.
    kinds: (BTreeMap<[String; 3], usize>, usize),
}

impl Movements {
    pub(crate) fn new(table: &ReadTable) -> Movements {
        let profiles: Vec<(u32, Profile, u32)> = (0..table.n_plates() as u32)
            .into_par_iter()
            .filter_map(|plate| profiled(table, plate))
            .collect();
        let mut per_desc = vec![0usize; table.descs.len()];
        for (_, _, desc) in &profiles {
            per_desc[*desc as usize] += 1;
        }
        let mut kinds = (BTreeMap::new(), 0);
        for (desc, &plates) in per_desc.iter().enumerate().filter(|(_, n)| **n > 0) {
            if let Some(kind) = full(table, desc as u32) {
                *kinds.0.entry(kind).or_insert(0) += plates;
                kinds.1 += plates;
            }
        }
        Movements { profiles, kinds }
    }

    /// The share of the fully described plates that `kind` describes.
    fn share_of(&self, kind: &[String; 3]) -> f64 {
        let (per_kind, total) = &self.kinds;
        per_kind
            .get(kind)
            .map_or(0.0, |&n| n as f64 / (*total).max(1) as f64)
    }

    /// `plate`, its camera visits and its main description, when it was read often enough.
    fn of(&self, plate: u32) -> Option<&(u32, Profile, u32)> {
        self.profiles
            .binary_search_by_key(&plate, |(plate, _, _)| *plate)
            .ok()
            .map(|idx| &self.profiles[idx])
    }

    /// Whether `plate`'s reads describe a vehicle (make, model or colour).
    pub(crate) fn described(&self, plate: u32) -> bool {
        self.of(plate).is_some_and(|&(_, _, desc)| desc != 0)
    }
}

/// A plate's movement and main description, when it was read often enough to have one.
fn profiled(table: &ReadTable, plate: u32) -> Option<(u32, Profile, u32)> {
    (table.plate_rows(plate).len() >= READS_MIN)
        .then(|| (plate, camera_profile(table, plate), main_desc(table, plate)))
}

/// Swaps of the `focus` plates (plates of interest and plates stopping at hubs) with any
/// plate read `READS_MIN` times or more: the other plates a network van carried are often
/// read only on the nights it carried them, with no convoy or hub of their own. Two
/// plates that kept company with one vehicle, each in `convoys` (pairs of plates), are
/// swapped too when they could be one vehicle (see [`in_the_same_company`]).
pub(crate) fn find_swaps(
    table: &ReadTable,
    movements: &Movements,
    focus: &[u32],
    convoys: &[(u32, u32)],
) -> Vec<SwapFinding> {
    let focus_profiles: Vec<(u32, Profile, u32)> = focus
        .iter()
        .filter_map(|&plate| movements.of(plate).cloned())
        .collect();
    let all_profiles = &movements.profiles;
    // Each focus plate's other plates, on every core; then each pair once, in focus order.
    let found: Vec<Vec<(u32, f64)>> = focus_profiles
        .par_iter()
        .map(|focus_plate| other_plates(table, focus_plate, &focus_profiles, all_profiles))
        .collect();
    let mut swaps = Vec::new();
    let mut seen: BTreeSet<(u32, u32)> = BTreeSet::new();
    for ((plate_a, _, _), others) in focus_profiles.iter().zip(found) {
        for (plate_b, similarity) in others {
            let key = ((*plate_a).min(plate_b), (*plate_a).max(plate_b));
            if seen.insert(key) {
                swaps.push(SwapFinding {
                    plate_a: key.0,
                    plate_b: key.1,
                    similarity,
                });
            }
        }
    }
    in_the_same_company(table, movements, convoys, (&mut seen, &mut swaps));
    in_one_network(table, movements, convoys, (&mut seen, &mut swaps));
    close_triangles(table, movements, &mut seen, &mut swaps);
    swaps.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    swaps
}

/// The plates that could be `focus_plate`'s other plates, in `profiles` order, with their
/// similarity.
fn other_plates(
    table: &ReadTable,
    (plate_a, profile_a, desc_a): &(u32, Profile, u32),
    focus_profiles: &[(u32, Profile, u32)],
    all_profiles: &[(u32, Profile, u32)],
) -> Vec<(u32, f64)> {
    let mut out = Vec::new();
    for (plate_b, profile_b, desc_b) in all_profiles {
        if plate_a == plate_b || !compatible(table, *desc_a, *desc_b) {
            continue;
        }
        let similarity = cosine(profile_a, profile_b);
        if similarity < SIMILARITY_MIN || within(table, *plate_a, *plate_b, TOGETHER_SECS) {
            continue;
        }
        // A plate outside the focus moves like many others by chance; it is the focus
        // plate's other plate only when no plate moves more like it, other than a third
        // plate of the same van: one that could be the focus plate's too, and was never
        // out on a day this one was.
        let in_focus = focus_profiles.iter().any(|(plate, _, _)| plate == plate_b);
        let same_van = |plate_c: u32, profile_c: &Profile, desc_c: u32| {
            compatible(table, *desc_a, desc_c)
                && cosine(profile_a, profile_c) >= SIMILARITY_MIN
                && !within(table, *plate_a, plate_c, TOGETHER_SECS)
                && !within(table, *plate_b, plate_c, APART_SECS)
        };
        if !in_focus
            && all_profiles.iter().any(|(plate, profile, desc)| {
                plate != plate_b
                    && plate != plate_a
                    && cosine(profile_b, profile) > similarity
                    && !same_van(*plate, profile, *desc)
            })
        {
            continue;
        }
        out.push((*plate_b, similarity));
    }
    out
}

/// Two plates that each travelled in convoy with one vehicle, never with each other, that
/// were never out on the same day (`APART_SECS`) and whose descriptions (both known) agree:
/// a van that carries one plate a night and goes out with the same scout under each. The
/// van's roads may differ from night to night (a supply run, a launch), so their camera
/// visits need not be alike. Their similarity is the share of their partners in common, or
/// their visits' cosine where higher.
fn in_the_same_company(
    table: &ReadTable,
    movements: &Movements,
    convoys: &[(u32, u32)],
    (known, swaps): (&mut BTreeSet<(u32, u32)>, &mut Vec<SwapFinding>),
) {
    let mut partners: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for &(a, b) in convoys {
        partners.entry(a).or_default().insert(b);
        partners.entry(b).or_default().insert(a);
    }
    // Plates read fewer than `READS_MIN` times, or never described, are not taken.
    let profile_of = |plate: u32| {
        movements
            .of(plate)
            .map(|(_, profile, desc)| (profile, *desc))
            .filter(|&(_, desc)| desc != 0)
    };
    for (&a, partners_a) in &partners {
        for (&b, partners_b) in partners.range(a + 1..) {
            let in_common = partners_a.intersection(partners_b).count();
            if in_common == 0 || partners_a.contains(&b) || known.contains(&(a, b)) {
                continue;
            }
            let (Some((profile_a, desc_a)), Some((profile_b, desc_b))) =
                (profile_of(a), profile_of(b))
            else {
                continue;
            };
            if !compatible(table, desc_a, desc_b) || within(table, a, b, APART_SECS) {
                continue;
            }
            known.insert((a, b));
            let together = partners_a.len() + partners_b.len() - in_common;
            let share = in_common as f64 / together as f64;
            swaps.push(SwapFinding {
                plate_a: a,
                plate_b: b,
                similarity: share.max(cosine(profile_a, profile_b)),
            });
        }
    }
}

/// Plates of one network (tied to each other through `convoys`) whose reads fully describe
/// one make, model and colour, and none of which was out on a day another was
/// (`APART_SECS`): a van that carried one plate on some nights and another on others, out
/// with another crew each time, along roads that need not be alike. Taken only when the
/// description would seldom fall on two of the network's vehicles by chance (each plate
/// of the data's that is fully described has it with the share its plates have, and the
/// chance of another in the network having it is at most `SHARED_BY_CHANCE_MAX`), or when
/// three plates or more are all apart (a van under three plates). Two vans of one kind in
/// a network are told apart the first night both go out; a plate that was out on a day
/// with one of the others but not another leaves which van it is unknown, and none of them
/// is taken. Their similarity is their visits' cosine.
fn in_one_network(
    table: &ReadTable,
    movements: &Movements,
    convoys: &[(u32, u32)],
    (known, swaps): (&mut BTreeSet<(u32, u32)>, &mut Vec<SwapFinding>),
) {
    // Per network, its fully described plates by description.
    let mut networks: BTreeMap<(u32, [String; 3]), Vec<u32>> = BTreeMap::new();
    let mut described = BTreeMap::new();
    for (plate, network) in crate::disjoint::groups(convoys.iter().copied()) {
        let Some(kind) = movements
            .of(plate)
            .and_then(|(_, _, desc)| full(table, *desc))
        else {
            continue;
        };
        *described.entry(network).or_insert(0usize) += 1;
        networks.entry((network, kind)).or_default().push(plate);
    }
    for ((network, kind), mut plates) in networks {
        if plates.len() < 2 {
            continue;
        }
        plates.sort_unstable();
        let others = described[&network] - 1;
        let by_chance = movements.share_of(&kind) * others as f64;
        // Each plate with the plates it was never out on a day with.
        let apart: Vec<Vec<u32>> = plates
            .iter()
            .map(|&a| {
                let apart_from = |&&b: &&u32| b != a && !within(table, a, b, APART_SECS);
                plates.iter().filter(apart_from).copied().collect()
            })
            .collect();
        for (idx, &a) in plates.iter().enumerate() {
            // One van's plates are apart from each other and from no other plate of its
            // kind: `a` and the plates apart from it are that van's when each of them is
            // apart from just the others.
            let van: Vec<u32> = std::iter::once(a)
                .chain(apart[idx].iter().copied())
                .collect();
            let consistent = van.iter().all(|&b| {
                let at = plates.binary_search(&b).expect("a plate of the network");
                apart[at].len() + 1 == van.len()
                    && van.iter().all(|&c| c == b || apart[at].contains(&c))
            });
            if van.len() < 2 || !consistent || (van.len() == 2 && by_chance > SHARED_BY_CHANCE_MAX)
            {
                continue;
            }
            for &b in &apart[idx] {
                let key = (a.min(b), a.max(b));
                let (Some((_, profile_a, _)), Some((_, profile_b, _))) =
                    (movements.of(a), movements.of(b))
                else {
                    continue;
                };
                if known.insert(key) {
                    swaps.push(SwapFinding {
                        plate_a: key.0,
                        plate_b: key.1,
                        similarity: cosine(profile_a, profile_b),
                    });
                }
            }
        }
    }
}

/// A description's make, model and colour (lower case), when it gives all three.
fn full(table: &ReadTable, desc: u32) -> Option<[String; 3]> {
    let desc = &table.descs[desc as usize];
    let field = |field: &Option<String>| field.as_ref().map(|text| text.to_lowercase());
    Some([
        field(&desc.make)?,
        field(&desc.model)?,
        field(&desc.colour)?,
    ])
}

/// Two plates found swapped with one plate are that van's too, and swapped with each other,
/// when they move alike and were never read on the same day; `known` holds the pairs found.
fn close_triangles(
    table: &ReadTable,
    movements: &Movements,
    known: &mut BTreeSet<(u32, u32)>,
    swaps: &mut Vec<SwapFinding>,
) {
    let profile_of = |plate: u32| movements.of(plate);
    let mut partners: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for swap in swaps.iter() {
        partners.entry(swap.plate_a).or_default().push(swap.plate_b);
        partners.entry(swap.plate_b).or_default().push(swap.plate_a);
    }
    for others in partners.values() {
        for (idx, &b) in others.iter().enumerate() {
            for &c in &others[idx + 1..] {
                let key = (b.min(c), b.max(c));
                let (Some((_, profile_b, desc_b)), Some((_, profile_c, desc_c))) =
                    (profile_of(b), profile_of(c))
                else {
                    continue;
                };
                if known.contains(&key)
                    || !compatible(table, *desc_b, *desc_c)
                    || within(table, b, c, APART_SECS)
                {
                    continue;
                }
                let similarity = cosine(profile_b, profile_c);
                if similarity >= SIMILARITY_MIN {
                    known.insert(key);
                    swaps.push(SwapFinding {
                        plate_a: key.0,
                        plate_b: key.1,
                        similarity,
                    });
                }
            }
        }
    }
}

/// Whether two descriptions (0: none) can be of one vehicle.
fn compatible(table: &ReadTable, desc_a: u32, desc_b: u32) -> bool {
    desc_a == 0
        || desc_b == 0
        || !conflicts(&table.descs[desc_a as usize], &table.descs[desc_b as usize])
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

/// Whether any read of `a` is within `secs` of a read of `b`.
fn within(table: &ReadTable, a: u32, b: u32, secs: i64) -> bool {
    let rows_b = table.plate_rows(b);
    table.plate_rows(a).iter().any(|&row| {
        let ts = table.ts[row as usize];
        let idx = rows_b.partition_point(|&other| table.ts[other as usize] < ts - secs * MICROS);
        rows_b
            .get(idx)
            .is_some_and(|&other| table.ts[other as usize] <= ts + secs * MICROS)
    })
}
