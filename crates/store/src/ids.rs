//! The read-id index: 64-bit hashes of every stored read id, in a few sorted runs.
//!
//! A hash hit means "probably stored": the caller confirms against the stored read, so a
//! hash collision can never drop or overwrite a read. Runs merge like an LSM tree (a run
//! is merged into the one before it once it reaches a quarter of its size), so a lookup
//! touches a handful of runs, each through a bucket directory on the top hash bits.

use std::sync::Arc;
use xxhash_rust::xxh3::xxh3_64;

/// The hash of a read id used by the index, the memtable and the index files: the top
/// 48 bits of XXH3, enough that at 10^9 stored ids a new id falsely "hits" once in
/// about 280,000 probes (and a hit is always confirmed against the stored read), while
/// the sorted hashes of a million-read segment take about 4 bytes each as varint deltas.
pub(crate) fn id_hash(read_id: &str) -> u64 {
    id_hash_full(read_id) >> 16
}

/// All 64 bits of a read id's hash, of which [`id_hash`] keeps the top 48: a bulk import
/// checks its own ids with all of them, so that a 100M-read import meets no false hit
/// (with 48 bits it would meet dozens, each a search of what it has written).
pub(crate) fn id_hash_full(read_id: &str) -> u64 {
    xxh3_64(read_id.as_bytes())
}

/// One sorted run of hashes with a directory of bucket starts.
#[derive(Debug)]
struct Run {
    hashes: Vec<u64>,
    /// `dir[b]` is the first position whose hash has top bits `>= b`; `dir.len() = 2^bits + 1`.
    dir: Vec<u32>,
    shift: u32,
}

impl Run {
    fn new(hashes: Vec<u64>) -> Run {
        debug_assert!(hashes.windows(2).all(|pair| pair[0] <= pair[1]));
        let bits = (hashes.len() / 8).max(1).ilog2().clamp(1, 26);
        let shift = 64 - bits;
        let n_buckets = 1usize << bits;
        let mut dir = Vec::with_capacity(n_buckets + 1);
        let mut pos = 0usize;
        for bucket in 0..n_buckets {
            while pos < hashes.len() && ((hashes[pos] >> shift) as usize) < bucket {
                pos += 1;
            }
            dir.push(pos as u32);
        }
        dir.push(hashes.len() as u32);
        Run { hashes, dir, shift }
    }

    fn contains(&self, hash: u64) -> bool {
        let bucket = (hash >> self.shift) as usize;
        let (start, end) = (self.dir[bucket] as usize, self.dir[bucket + 1] as usize);
        self.hashes[start..end].binary_search(&hash).is_ok()
    }
}

/// The set of id hashes of reads in segments.
#[derive(Clone, Debug, Default)]
pub(crate) struct IdIndex {
    runs: Vec<Arc<Run>>,
}

impl IdIndex {
    /// Builds an index from unsorted hashes.
    pub(crate) fn from_unsorted(mut hashes: Vec<u64>) -> IdIndex {
        hashes.sort_unstable();
        let mut index = IdIndex::default();
        index.add_sorted(hashes);
        index
    }

    /// Adds a sorted run (e.g. the ids of a new segment).
    pub(crate) fn add_sorted(&mut self, hashes: Vec<u64>) {
        if hashes.is_empty() {
            return;
        }
        self.runs.push(Arc::new(Run::new(hashes)));
        while self.runs.len() >= 2 {
            let n = self.runs.len();
            if self.runs[n - 1].hashes.len() * 4 < self.runs[n - 2].hashes.len() {
                break;
            }
            let last = self.runs.pop().expect("two runs");
            let prev = self.runs.pop().expect("two runs");
            self.runs
                .push(Arc::new(Run::new(merge(&prev.hashes, &last.hashes))));
        }
    }

    /// Whether `hash` may be stored.
    pub(crate) fn contains(&self, hash: u64) -> bool {
        self.runs.iter().any(|run| run.contains(hash))
    }

    /// All hashes in one sorted vector.
    pub(crate) fn into_sorted(self) -> Vec<u64> {
        self.runs
            .into_iter()
            .map(|run| {
                Arc::try_unwrap(run).map_or_else(|shared| shared.hashes.clone(), |run| run.hashes)
            })
            .reduce(|left, right| merge(&left, &right))
            .unwrap_or_default()
    }

    /// Number of hashes.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.runs.iter().map(|run| run.hashes.len()).sum()
    }

    /// For sorted `probes`, the positions of those that may be stored. Large probe sets
    /// walk each run once instead of looking up each probe.
    pub(crate) fn hits_sorted(&self, probes: &[u64]) -> Vec<usize> {
        let mut hits = Vec::new();
        for run in &self.runs {
            if probes.len() * 16 < run.hashes.len() {
                hits.extend((0..probes.len()).filter(|&idx| run.contains(probes[idx])));
            } else {
                merge_hits(&run.hashes, probes, &mut hits);
            }
        }
        hits.sort_unstable();
        hits.dedup();
        hits
    }
}

/// The id hashes of one bulk import: an [`IdIndex`] behind Bloom filters, so that the
/// common case (a new id) costs one cache line instead of a search of every run.
/// Filters are added as the import grows (each twice the size of the one before), so
/// nothing has to know the import's size in advance; about 1.3 bytes per id.
#[derive(Debug, Default)]
pub(crate) struct ImportIds {
    index: IdIndex,
    filters: Vec<BlockedBloom>,
}

/// Ids the first filter is sized for.
const FILTER_IDS_FIRST: usize = 1 << 22;

impl ImportIds {
    /// Sizes the first filter for `n_ids`, when none is there yet: one filter holding every
    /// id costs one cache miss per probe, where the doubling filters would cost one each.
    pub(crate) fn expect(&mut self, n_ids: usize) {
        if self.filters.is_empty() {
            self.filters
                .push(BlockedBloom::with_capacity(n_ids.max(FILTER_IDS_FIRST)));
        }
    }

    /// For sorted `probes`, the positions of those that may be in this import already;
    /// then marks every probe in the filters, so that a batch costs one memory access per
    /// id for both. Marking an id the caller then leaves out only adds a false positive,
    /// which the index check removes; the caller adds the ids it keeps with
    /// [`ImportIds::add_sorted`].
    pub(crate) fn hits_then_mark(&mut self, probes: &[u64]) -> Vec<usize> {
        let mut hits = Vec::new();
        for (idx, &hash) in probes.iter().enumerate() {
            if self.filters.last().is_none_or(BlockedBloom::is_full) {
                let capacity = self
                    .filters
                    .last()
                    .map_or(FILTER_IDS_FIRST, |filter| filter.capacity * 2);
                self.filters.push(BlockedBloom::with_capacity(capacity));
            }
            let (current, full) = self.filters.split_last_mut().expect("a filter");
            let seen =
                current.test_and_insert(hash) || full.iter().any(|filter| filter.may_contain(hash));
            if seen && self.index.contains(hash) {
                hits.push(idx);
            }
        }
        hits
    }

    /// Adds sorted hashes, marked in the filters by [`ImportIds::hits_then_mark`].
    pub(crate) fn add_sorted(&mut self, hashes: Vec<u64>) {
        self.index.add_sorted(hashes);
    }

    /// All hashes in one sorted vector.
    pub(crate) fn into_sorted(self) -> Vec<u64> {
        self.index.into_sorted()
    }
}

/// A Bloom filter of id hashes in 512-bit blocks (one cache line): the top bits of a hash
/// pick the block, so sorted hashes walk the filter front to back; 6 bits per hash set
/// within the block, about 12 bits per id: a false positive rate near 1%.
#[derive(Debug)]
struct BlockedBloom {
    blocks: Vec<[u64; 8]>,
    capacity: usize,
    len: usize,
}

impl BlockedBloom {
    const BITS_PER_ID: usize = 12;

    fn with_capacity(capacity: usize) -> BlockedBloom {
        let n_blocks = (capacity * Self::BITS_PER_ID).div_ceil(512).max(1);
        BlockedBloom {
            blocks: vec![[0; 8]; n_blocks],
            capacity,
            len: 0,
        }
    }

    fn is_full(&self) -> bool {
        self.len >= self.capacity
    }

    /// The block of `hash` (a full 64-bit id hash, [`id_hash_full`]: monotone in it) and
    /// the bits to set there.
    fn locate(&self, hash: u64) -> (usize, [u32; 6]) {
        let block = ((u128::from(hash) * self.blocks.len() as u128) >> 64) as usize;
        let mixed = hash.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let bits =
            std::array::from_fn(|probe| ((mixed >> (64 - 9 * (probe as u32 + 1))) & 511) as u32);
        (block.min(self.blocks.len() - 1), bits)
    }

    /// Whether `hash` may have been inserted before; inserts it.
    fn test_and_insert(&mut self, hash: u64) -> bool {
        let (block, bits) = self.locate(hash);
        let block = &mut self.blocks[block];
        let mut seen = true;
        for bit in bits {
            let (word, mask) = ((bit / 64) as usize, 1u64 << (bit % 64));
            seen &= block[word] & mask != 0;
            block[word] |= mask;
        }
        self.len += 1;
        seen
    }

    fn may_contain(&self, hash: u64) -> bool {
        let (block, bits) = self.locate(hash);
        let block = &self.blocks[block];
        bits.iter()
            .all(|&bit| block[(bit / 64) as usize] & (1 << (bit % 64)) != 0)
    }
}

fn merge(left: &[u64], right: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if left[i] <= right[j] {
            out.push(left[i]);
            i += 1;
        } else {
            out.push(right[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    out
}

fn merge_hits(run: &[u64], probes: &[u64], hits: &mut Vec<usize>) {
    let mut run_idx = 0;
    for (probe_idx, &probe) in probes.iter().enumerate() {
        while run_idx < run.len() && run[run_idx] < probe {
            run_idx += 1;
        }
        if run_idx < run.len() && run[run_idx] == probe {
            hits.push(probe_idx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids_find_every_added_hash_across_filters() {
        let mut ids = ImportIds::default();
        let n = FILTER_IDS_FIRST + 1000;
        let mut all: Vec<u64> = (0..n).map(|n| id_hash_full(&format!("r{n}"))).collect();
        for chunk in all.chunks(1 << 16) {
            let mut chunk = chunk.to_vec();
            chunk.sort_unstable();
            assert!(
                ids.hits_then_mark(&chunk).is_empty(),
                "new ids are not in the import"
            );
            ids.add_sorted(chunk);
        }
        assert_eq!(
            ids.filters.len(),
            2,
            "a second filter once the first is full"
        );
        let false_positives = (0..100_000)
            .filter(|n| ids.filters[0].may_contain(id_hash_full(&format!("y{n}"))))
            .count();
        assert!(
            false_positives < 2_000,
            "{false_positives} false positives in 100,000"
        );
        let mut probes: Vec<u64> = all.iter().step_by(997).copied().collect();
        let absent: Vec<u64> = (0..1000).map(|n| id_hash_full(&format!("x{n}"))).collect();
        probes.extend(&absent);
        probes.sort_unstable();
        let hits = ids.hits_then_mark(&probes);
        let expected: Vec<usize> = (0..probes.len())
            .filter(|&idx| !absent.contains(&probes[idx]))
            .collect();
        assert_eq!(hits, expected);
        // Marked but never added: still not in the import.
        assert_eq!(ids.hits_then_mark(&probes), expected);
        all.sort_unstable();
        assert_eq!(ids.into_sorted(), all);
    }

    #[test]
    fn finds_every_added_hash_and_rejects_others() {
        let mut index = IdIndex::default();
        let ids: Vec<String> = (0..5000).map(|n| format!("read-{n}")).collect();
        for chunk in ids.chunks(300) {
            let mut hashes: Vec<u64> = chunk.iter().map(|id| id_hash(id)).collect();
            hashes.sort_unstable();
            index.add_sorted(hashes);
        }
        assert!(index.runs.len() <= 4, "runs merge: {}", index.runs.len());
        assert_eq!(index.len(), 5000);
        assert!(ids.iter().all(|id| index.contains(id_hash(id))));
        assert!(!index.contains(id_hash("read-5000")));
        let mut probes: Vec<u64> = ["read-7", "nope", "read-4999"]
            .iter()
            .map(|id| id_hash(id))
            .collect();
        probes.sort_unstable();
        let hits = index.hits_sorted(&probes);
        let nope = probes
            .iter()
            .position(|&hash| hash == id_hash("nope"))
            .unwrap();
        assert_eq!(hits.len(), 2);
        assert!(!hits.contains(&nope));
    }
}
