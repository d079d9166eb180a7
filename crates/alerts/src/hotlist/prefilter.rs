//! A cheap test run on every read before the confusion model: could this read be a likely
//! misread of any watched plate at all?
//!
//! Characters are mapped to confusion classes (`0 O D Q`, `1 I L T 7`, `8 B 3`, ...); a
//! plate's skeleton is its text with each character replaced by its class. Substitutions
//! inside a class keep the skeleton, so a read whose skeleton (or skeleton with one character
//! removed, or a watched skeleton with one character removed) is not indexed cannot be a
//! misread through those confusions. Only reads that pass call the full model, which gives
//! the probabilities; for the others the answer is the same, found in a few hash lookups.

use crate::matcher::MisreadModel;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use xxhash_rust::xxh3::xxh3_64;

const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// Longest plate (with one spurious character) the skeleton buffer holds.
const TEXT_MAX: usize = 16;

/// The confusion classes of a model: characters joined when one is read as the other with at
/// least a given per-character rate.
#[derive(Clone, Debug)]
pub struct ConfusionClasses {
    class_of: [u8; 256],
    /// Whether one dropped or inserted character is modelled.
    indels: bool,
}

impl ConfusionClasses {
    /// Joins characters `a`, `b` when `model` reads one as the other with probability above
    /// `rate_min` (and transitively). Rarer confusions are not looked up by the matcher.
    pub fn from_model(model: &dyn MisreadModel, rate_min: f64) -> ConfusionClasses {
        let mut parent: Vec<usize> = (0..ALPHABET.len()).collect();
        fn root(parent: &mut [usize], mut idx: usize) -> usize {
            while parent[idx] != idx {
                parent[idx] = parent[parent[idx]];
                idx = parent[idx];
            }
            idx
        }
        for (a_idx, &a) in ALPHABET.iter().enumerate() {
            for (b_idx, &b) in ALPHABET.iter().enumerate() {
                if a != b && model.substitution_rate(a, b) > rate_min {
                    let (ra, rb) = (root(&mut parent, a_idx), root(&mut parent, b_idx));
                    parent[ra] = rb;
                }
            }
        }
        let mut class_of = [0u8; 256];
        for (idx, &ch) in ALPHABET.iter().enumerate() {
            class_of[usize::from(ch)] = ALPHABET[root(&mut parent, idx)];
        }
        ConfusionClasses {
            class_of,
            indels: model.models_one_indel(),
        }
    }

    fn skeleton_hash(&self, text: &[u8], skip: Option<usize>) -> u64 {
        let mut buf = [0u8; TEXT_MAX];
        let mut len = 0;
        for (idx, &ch) in text.iter().enumerate().take(TEXT_MAX) {
            if Some(idx) != skip {
                buf[len] = self.class_of[usize::from(ch)];
                len += 1;
            }
        }
        xxh3_64(&buf[..len])
    }
}

/// Keys are already xxh3 hashes: hashing them again would only cost time.
#[derive(Clone, Copy, Default, Debug)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxh3_64(bytes);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type SkeletonCounts = HashMap<u64, u32, BuildHasherDefault<PassThrough>>;

/// Counts of indexed skeletons (counts, so that removing one plate keeps the others).
#[derive(Debug)]
pub(crate) struct Prefilter {
    classes: ConfusionClasses,
    whole: SkeletonCounts,
    one_dropped: SkeletonCounts,
}

impl Prefilter {
    /// A prefilter with room for `n_plates` watched plates.
    pub(crate) fn with_capacity(classes: ConfusionClasses, n_plates: usize) -> Prefilter {
        let n_dropped = if classes.indels { n_plates * 8 } else { 0 };
        Prefilter {
            classes,
            whole: SkeletonCounts::with_capacity_and_hasher(n_plates, Default::default()),
            one_dropped: SkeletonCounts::with_capacity_and_hasher(n_dropped, Default::default()),
        }
    }

    /// Adds (`delta` 1) or removes (`delta` -1) a watched plate.
    pub(crate) fn update(&mut self, plate: &str, delta: i32) {
        let text = plate.as_bytes();
        let whole = self.classes.skeleton_hash(text, None);
        bump(&mut self.whole, whole, delta);
        if self.classes.indels {
            for skip in 0..text.len() {
                let dropped = self.classes.skeleton_hash(text, Some(skip));
                bump(&mut self.one_dropped, dropped, delta);
            }
        }
    }

    /// False only if the read cannot be a modelled misread of any watched plate.
    pub(crate) fn may_match(&self, observed: &str) -> bool {
        let text = observed.as_bytes();
        let whole = self.classes.skeleton_hash(text, None);
        if self.whole.contains_key(&whole) {
            return true;
        }
        if !self.classes.indels {
            return false;
        }
        // A dropped character: the watched plate less one character is the read.
        if self.one_dropped.contains_key(&whole) {
            return true;
        }
        // An inserted character: the read less one character is the watched plate.
        (0..text.len()).any(|skip| {
            self.whole
                .contains_key(&self.classes.skeleton_hash(text, Some(skip)))
        })
    }
}

fn bump(counts: &mut SkeletonCounts, key: u64, delta: i32) {
    if delta > 0 {
        *counts.entry(key).or_default() += 1;
    } else if let Some(count) = counts.get_mut(&key) {
        *count -= 1;
        if *count == 0 {
            counts.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use corridor_domain::confusion::ConfusionModel;

    #[test]
    fn standard_model_classes_are_small_and_cover_common_confusions() {
        let classes = ConfusionClasses::from_model(&ConfusionModel::standard(), 0.003);
        let same =
            |a: u8, b: u8| classes.class_of[usize::from(a)] == classes.class_of[usize::from(b)];
        assert!(same(b'0', b'O') && same(b'8', b'B') && same(b'1', b'I') && same(b'5', b'S'));
        assert!(!same(b'A', b'B') && !same(b'0', b'1'));
        let mut prefilter = Prefilter::with_capacity(classes, 1);
        prefilter.update("AB12CDE", 1);
        assert!(prefilter.may_match("A812CDE"), "substitution");
        assert!(prefilter.may_match("AB2CDE"), "dropped character");
        assert!(prefilter.may_match("AB112CDE"), "inserted character");
        assert!(!prefilter.may_match("XY34FGH"));
        prefilter.update("AB12CDE", -1);
        assert!(!prefilter.may_match("A812CDE"));
    }
}
