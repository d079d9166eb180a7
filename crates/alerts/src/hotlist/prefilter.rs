//! A cheap test run on every read before the confusion model: could this read be a likely
//! misread of any watched plate at all?
//!
//! Characters are mapped to confusion classes (`0 O D Q`, `1 I L T 7`, `8 B 3`, ...); a
//! plate's skeleton is its text with each character replaced by its class. A substitution
//! misread keeps the skeleton and changes one or two characters; a spurious or dropped
//! character leaves the rest of the text as it was (the model does not combine them). So a
//! read passes only if a watched plate with its skeleton is one or two characters away, or
//! the read less one character is a watched plate, or the read is a watched plate less one
//! character. Only reads that pass call the full model, which gives the probabilities; for
//! the others the answer is the same, found with a few bit tests that stay in cache (small
//! bit filters in front of each map) and rarely a hash lookup.

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

/// A small bit filter in front of a large hash map: most reads are on no watch, and a clear
/// bit answers for them without a probe of the map (a cache miss). Two bits per key, both
/// in one 64-bit word, so a probe touches one cache line; sized at a few bits per key so
/// that the filters of a 100,000-entry list stay in the core's L2 cache. Bits are never
/// cleared when a key leaves; a stale bit only sends a read on to the map.
#[derive(Debug)]
pub(crate) struct Bits {
    words: Vec<u64>,
    word_mask: u64,
    bits_per_key: usize,
}

impl Bits {
    /// Room for `n_keys` at about `bits_per_key` bits each (at least 2^16 bits).
    pub(crate) fn new(n_keys: usize, bits_per_key: usize) -> Bits {
        let n_bits = n_keys
            .saturating_mul(bits_per_key)
            .max(1 << 16)
            .next_power_of_two();
        Bits {
            words: vec![0; n_bits / 64],
            word_mask: (n_bits / 64) as u64 - 1,
            bits_per_key,
        }
    }

    fn word_and_bits(&self, key: u64) -> (usize, u64) {
        let bits = (1u64 << (key & 63)) | (1u64 << ((key >> 6) & 63));
        (((key >> 12) & self.word_mask) as usize, bits)
    }

    fn set(&mut self, key: u64) {
        let (word, bits) = self.word_and_bits(key);
        self.words[word] |= bits;
    }

    /// False: `key` was never inserted. True: it may have been.
    pub(crate) fn may_contain(&self, key: u64) -> bool {
        let (word, bits) = self.word_and_bits(key);
        self.words[word] & bits == bits
    }

    /// Sets `key`, one of the `n_keys` keys of the map it guards; when that map has grown
    /// past twice the room, rebuilds the filter twice as large from `keys` (which also drops
    /// stale bits).
    pub(crate) fn insert(&mut self, key: u64, n_keys: usize, keys: impl Iterator<Item = u64>) {
        if n_keys.saturating_mul(self.bits_per_key) > 2 * self.words.len() * 64 {
            let mut larger = Bits::new(2 * n_keys, self.bits_per_key);
            for key in keys {
                larger.set(key);
            }
            *self = larger;
        }
        self.set(key);
    }
}

/// A watched plate's characters, inline.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Text {
    len: u8,
    bytes: [u8; TEXT_MAX],
}

impl Text {
    fn new(text: &[u8]) -> Text {
        let len = text.len().min(TEXT_MAX);
        let mut bytes = [0u8; TEXT_MAX];
        bytes[..len].copy_from_slice(&text[..len]);
        Text {
            len: len as u8,
            bytes,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// What the matcher's model can turn a watched plate into, indexed three ways (see
/// [`Prefilter::may_match`]). Counts, so that removing one plate keeps the others.
#[derive(Debug)]
pub(crate) struct Prefilter {
    classes: ConfusionClasses,
    /// Skeleton -> the watched texts with that skeleton.
    by_skeleton: HashMap<u64, Vec<Text>, BuildHasherDefault<PassThrough>>,
    skeleton_bits: Bits,
    /// Hash of a watched text -> count.
    texts: SkeletonCounts,
    texts_bits: Bits,
    /// Hash of a watched text less one character -> count.
    one_dropped: SkeletonCounts,
    one_dropped_bits: Bits,
}

/// Bits per key of the bit filters: about 3% false positives for skeletons (one probe)
/// and texts (a probe per character of the read), 10% for texts less one character (one
/// probe; eight times as many keys); under 1 MB for 100,000 watched plates.
const BITS_PER_KEY: usize = 8;
const DROPPED_BITS_PER_KEY: usize = 4;

/// The most substitutions the model combines in one misread (the confusion model tries
/// single substitutions and pairs).
const SUBSTITUTIONS_MAX: usize = 2;

impl Prefilter {
    /// A prefilter with room for `n_plates` watched plates.
    pub(crate) fn with_capacity(classes: ConfusionClasses, n_plates: usize) -> Prefilter {
        let n_dropped = if classes.indels { n_plates * 8 } else { 0 };
        Prefilter {
            classes,
            by_skeleton: HashMap::with_capacity_and_hasher(n_plates, Default::default()),
            skeleton_bits: Bits::new(n_plates, BITS_PER_KEY),
            texts: SkeletonCounts::with_capacity_and_hasher(n_plates, Default::default()),
            texts_bits: Bits::new(n_plates, BITS_PER_KEY),
            one_dropped: SkeletonCounts::with_capacity_and_hasher(n_dropped, Default::default()),
            one_dropped_bits: Bits::new(n_dropped, DROPPED_BITS_PER_KEY),
        }
    }

    /// Adds (`delta` 1) or removes (`delta` -1) a watched plate.
    pub(crate) fn update(&mut self, plate: &str, delta: i32) {
        let text = plate.as_bytes();
        let skeleton = self.classes.skeleton_hash(text, None);
        if delta > 0 {
            self.by_skeleton
                .entry(skeleton)
                .or_default()
                .push(Text::new(text));
            self.skeleton_bits.insert(
                skeleton,
                self.by_skeleton.len(),
                self.by_skeleton.keys().copied(),
            );
        } else if let Some(bucket) = self.by_skeleton.get_mut(&skeleton) {
            if let Some(pos) = bucket.iter().position(|t| t.as_bytes() == text) {
                bucket.swap_remove(pos);
            }
            if bucket.is_empty() {
                self.by_skeleton.remove(&skeleton);
            }
        }
        let whole = text_hash(text, None);
        bump(&mut self.texts, whole, delta);
        if delta > 0 {
            self.texts_bits
                .insert(whole, self.texts.len(), self.texts.keys().copied());
        }
        if self.classes.indels {
            for skip in 0..text.len() {
                let dropped = text_hash(text, Some(skip));
                bump(&mut self.one_dropped, dropped, delta);
                if delta > 0 {
                    self.one_dropped_bits.insert(
                        dropped,
                        self.one_dropped.len(),
                        self.one_dropped.keys().copied(),
                    );
                }
            }
        }
    }

    /// False only if the read cannot be a modelled misread of any watched plate: one or two
    /// substitutions within confusion classes (the same skeleton, one or two characters
    /// apart), the read less a spurious character (a watched text), or the read with a
    /// dropped character restored (a watched text less one character). The model does not
    /// combine an indel with substitutions.
    pub(crate) fn may_match(&self, observed: &str) -> bool {
        let text = observed.as_bytes();
        let skeleton = self.classes.skeleton_hash(text, None);
        if self.skeleton_bits.may_contain(skeleton)
            && let Some(bucket) = self.by_skeleton.get(&skeleton)
            && bucket.iter().any(|watched| {
                let watched = watched.as_bytes();
                let n_diff = watched.iter().zip(text).filter(|(a, b)| a != b).count();
                watched.len() == text.len() && (1..=SUBSTITUTIONS_MAX).contains(&n_diff)
            })
        {
            return true;
        }
        if !self.classes.indels {
            return false;
        }
        // A dropped character: the watched plate less one character is the read.
        let whole = text_hash(text, None);
        if self.one_dropped_bits.may_contain(whole) && self.one_dropped.contains_key(&whole) {
            return true;
        }
        // A spurious character: the read less one character is the watched plate.
        (0..text.len()).any(|skip| {
            let key = text_hash(text, Some(skip));
            self.texts_bits.may_contain(key) && self.texts.contains_key(&key)
        })
    }
}

/// The hash of `text`, less the character at `skip` if given.
fn text_hash(text: &[u8], skip: Option<usize>) -> u64 {
    let mut buf = [0u8; TEXT_MAX];
    let mut len = 0;
    for (idx, &ch) in text.iter().enumerate().take(TEXT_MAX) {
        if Some(idx) != skip {
            buf[len] = ch;
            len += 1;
        }
    }
    xxh3_64(&buf[..len])
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

    #[test]
    fn growing_list_keeps_every_plate_findable() {
        let classes = ConfusionClasses::from_model(&ConfusionModel::standard(), 0.003);
        let mut prefilter = Prefilter::with_capacity(classes, 1);
        let plate = |idx: u32| format!("K{:05}X", idx * 7);
        for idx in 0..20_000 {
            prefilter.update(&plate(idx), 1);
        }
        // The bit filters were rebuilt as the list grew: nothing watched is lost.
        let lookalike = |digit: u8| match digit {
            b'0' => Some(b'O'),
            b'1' => Some(b'I'),
            b'8' => Some(b'B'),
            b'5' => Some(b'S'),
            _ => None,
        };
        for idx in 0..20_000 {
            let watched = plate(idx);
            assert!(
                prefilter.may_match(&watched[1..]),
                "{watched} less its first character"
            );
            let doubled = format!("{}{watched}", &watched[..1]);
            assert!(prefilter.may_match(&doubled), "{doubled}");
            let mut misread = watched.clone().into_bytes();
            if let Some(pos) = misread.iter().position(|&ch| lookalike(ch).is_some()) {
                misread[pos] = lookalike(misread[pos]).expect("found above");
                let misread = String::from_utf8(misread).expect("ascii");
                assert!(prefilter.may_match(&misread), "{misread} for {watched}");
            }
        }
        let n_bits = prefilter.texts_bits.words.len() * 64;
        assert!(n_bits >= 20_000 * BITS_PER_KEY / 2, "{n_bits} bits");
        assert!(!prefilter.may_match("AAAAAAAA"));
    }
}
