//! The read-id index: 64-bit hashes of every stored read id, in a few sorted runs.
//!
//! A hash hit means "probably stored": the caller confirms against the stored read, so a
//! hash collision can never drop or overwrite a read. Runs merge like an LSM tree (a run
//! is merged into the one before it once it reaches a quarter of its size), so a lookup
//! touches a handful of runs, each through a bucket directory on the top hash bits.
//! A bulk import checks its own ids in a hash set of full hashes instead ([`ImportIds`]).

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

/// The full id hashes of every read a bulk import has been given: an open-addressing hash
/// set with linear probing, so that checking a new id and marking it costs one memory
/// access (the common case). The slot of a hash is monotone in it, so the sorted ids of a
/// batch walk the table front to back. The set is exact on the 64-bit hashes; an id it
/// holds may still have been left out of the import (a conflict), so a hit only means
/// "look for the earlier read". The ids a commit publishes come from the written segments.
#[derive(Debug, Default)]
pub(crate) struct ImportIds {
    /// Hashes, `EMPTY` for a free slot (a hash equal to `EMPTY` is stored as `EMPTY + 1`:
    /// two ids whose hashes are 0 and 1 are looked up for each other, harmlessly).
    slots: Vec<u64>,
    len: usize,
}

const EMPTY: u64 = 0;

/// Slots the set starts with when nobody said how many ids to expect.
const SLOTS_FIRST: usize = 1 << 22;

impl ImportIds {
    /// Sizes the set for `n_ids` when it is still empty: one table sized up front is never
    /// rehashed.
    pub(crate) fn expect(&mut self, n_ids: usize) {
        if self.len == 0 {
            self.slots = vec![EMPTY; Self::slots_for(n_ids).max(SLOTS_FIRST)];
        }
    }

    /// Slots that hold `n_ids` at a load of two thirds.
    fn slots_for(n_ids: usize) -> usize {
        n_ids.saturating_mul(3) / 2 + 1
    }

    /// For `probes` (sorted, for locality), the positions of those given to this import
    /// before; marks every probe.
    pub(crate) fn hits_then_mark(&mut self, probes: &[u64]) -> Vec<usize> {
        if Self::slots_for(self.len + probes.len()) > self.slots.len() {
            self.grow(self.len + probes.len());
        }
        let mut hits = Vec::new();
        for (idx, &hash) in probes.iter().enumerate() {
            if !self.insert(hash) {
                hits.push(idx);
            }
        }
        hits
    }

    /// Inserts `hash`; false when it was there already.
    #[inline]
    fn insert(&mut self, hash: u64) -> bool {
        let hash = if hash == EMPTY { EMPTY + 1 } else { hash };
        let n_slots = self.slots.len();
        let mut slot = ((u128::from(hash) * n_slots as u128) >> 64) as usize;
        loop {
            let held = self.slots[slot];
            if held == EMPTY {
                self.slots[slot] = hash;
                self.len += 1;
                return true;
            }
            if held == hash {
                return false;
            }
            slot += 1;
            if slot == n_slots {
                slot = 0;
            }
        }
    }

    /// Rehashes into a table for at least `n_ids` (and twice the slots).
    fn grow(&mut self, n_ids: usize) {
        let n_slots = Self::slots_for(n_ids)
            .max(self.slots.len() * 2)
            .max(SLOTS_FIRST);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; n_slots]);
        self.len = 0;
        for hash in old.into_iter().filter(|&hash| hash != EMPTY) {
            self.insert(hash);
        }
    }

    /// Number of ids marked.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// Merges sorted runs of hashes into one sorted vector. Hashes are uniform, so the lower
/// and upper halves of their range are merged on two threads, each into its own part of
/// the result.
pub(crate) fn merge_runs(runs: Vec<Vec<u64>>) -> Vec<u64> {
    let n_total: usize = runs.iter().map(Vec::len).sum();
    let split = runs
        .iter()
        .filter_map(|run| run.last())
        .max()
        .map_or(0, |max| max / 2);
    let (low, high): (Vec<&[u64]>, Vec<&[u64]>) = runs
        .iter()
        .map(|run| run.split_at(run.partition_point(|&hash| hash <= split)))
        .unzip();
    let n_low: usize = low.iter().map(|run| run.len()).sum();
    let mut out = vec![0u64; n_total];
    let (out_low, out_high) = out.split_at_mut(n_low);
    if n_total < 1 << 20 {
        merge_slices_into(&low, out_low);
        merge_slices_into(&high, out_high);
    } else {
        std::thread::scope(|scope| {
            scope.spawn(|| merge_slices_into(&high, out_high));
            merge_slices_into(&low, out_low);
        });
    }
    out
}

/// Merges sorted runs into `out` (exactly their length), pairwise and balanced.
fn merge_slices_into(runs: &[&[u64]], out: &mut [u64]) {
    match runs {
        [] => {}
        [run] => out.copy_from_slice(run),
        [left, right] => merge_into(left, right, out),
        _ => {
            let (left, right) = runs.split_at(runs.len() / 2);
            let n_left: usize = left.iter().map(|run| run.len()).sum();
            let mut merged_left = vec![0u64; n_left];
            let mut merged_right = vec![0u64; out.len() - n_left];
            merge_slices_into(left, &mut merged_left);
            merge_slices_into(right, &mut merged_right);
            merge_into(&merged_left, &merged_right, out);
        }
    }
}

fn merge_into(left: &[u64], right: &[u64], out: &mut [u64]) {
    debug_assert_eq!(left.len() + right.len(), out.len());
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut() {
        if j == right.len() || (i < left.len() && left[i] <= right[j]) {
            *slot = left[i];
            i += 1;
        } else {
            *slot = right[j];
            j += 1;
        }
    }
}

fn merge(left: &[u64], right: &[u64]) -> Vec<u64> {
    let mut out = vec![0u64; left.len() + right.len()];
    merge_into(left, right, &mut out);
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
    fn import_ids_find_every_marked_hash_across_growth() {
        let mut ids = ImportIds::default();
        let n = SLOTS_FIRST; // more than two thirds of the first table: it grows
        let all: Vec<u64> = (0..n).map(|n| id_hash_full(&format!("r{n}"))).collect();
        for chunk in all.chunks(1 << 16) {
            let mut chunk = chunk.to_vec();
            chunk.sort_unstable();
            assert!(
                ids.hits_then_mark(&chunk).is_empty(),
                "new ids are not in the import"
            );
        }
        assert!(ids.slots.len() > SLOTS_FIRST, "the table grew");
        assert_eq!(ids.len(), n);
        let mut probes: Vec<u64> = all.iter().step_by(997).copied().collect();
        let absent: Vec<u64> = (0..1000).map(|n| id_hash_full(&format!("x{n}"))).collect();
        probes.extend(&absent);
        // EMPTY itself is a hash like any other.
        probes.push(EMPTY);
        probes.sort_unstable();
        let hits = ids.hits_then_mark(&probes);
        let expected: Vec<usize> = (0..probes.len())
            .filter(|&idx| probes[idx] != EMPTY && !absent.contains(&probes[idx]))
            .collect();
        assert_eq!(hits, expected);
        // Marked now, so every probe hits.
        assert_eq!(ids.hits_then_mark(&probes).len(), probes.len());
    }

    #[test]
    fn merging_runs_gives_every_hash_in_order() {
        let runs: Vec<Vec<u64>> = (0..7u64)
            .map(|run| {
                let mut hashes: Vec<u64> = (0..100 + run * 37)
                    .map(|n| id_hash_full(&format!("{run}-{n}")))
                    .collect();
                hashes.sort_unstable();
                hashes
            })
            .chain([Vec::new()])
            .collect();
        let mut expected: Vec<u64> = runs.iter().flatten().copied().collect();
        expected.sort_unstable();
        assert_eq!(merge_runs(runs), expected);
        assert!(merge_runs(Vec::new()).is_empty());
        // Large enough for two threads, 48-bit like the store's hashes.
        let mut state = 1u64;
        let runs: Vec<Vec<u64>> = (0..3)
            .map(|_| {
                let mut run: Vec<u64> = (0..400_000)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state >> 16
                    })
                    .collect();
                run.sort_unstable();
                run
            })
            .collect();
        let mut expected: Vec<u64> = runs.iter().flatten().copied().collect();
        expected.sort_unstable();
        assert_eq!(merge_runs(runs), expected);
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
