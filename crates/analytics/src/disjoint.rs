//! Disjoint sets over `0..n`: the stops of one cluster (`hubs`), the vehicles of one group
//! of convoys (`pipeline`, `swaps`).

use crate::table::FastMap;

/// The set's representative of element `idx` of `parent` (each element's parent, a root
/// its own), halving the path on the way.
pub(crate) fn root(parent: &mut [usize], mut idx: usize) -> usize {
    while parent[idx] != idx {
        parent[idx] = parent[parent[idx]];
        idx = parent[idx];
    }
    idx
}

/// Per plate of `pairs`, its group: one plate of those tied to it by pairs, directly or
/// through others, the same for all of them.
pub(crate) fn groups(pairs: impl Iterator<Item = (u32, u32)> + Clone) -> FastMap<u32, u32> {
    let mut plates: Vec<u32> = pairs.clone().flat_map(|(a, b)| [a, b]).collect();
    plates.sort_unstable();
    plates.dedup();
    let idx = |plate: u32| plates.binary_search(&plate).expect("a plate of the pairs");
    let mut parent: Vec<usize> = (0..plates.len()).collect();
    for (a, b) in pairs {
        let a = root(&mut parent, idx(a));
        let b = root(&mut parent, idx(b));
        parent[a] = b;
    }
    (0..plates.len())
        .map(|at| (plates[at], plates[root(&mut parent, at)]))
        .collect()
}
