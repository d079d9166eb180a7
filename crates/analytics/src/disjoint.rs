//! Disjoint sets over `0..n`: the stops of one cluster (`hubs`), the vehicles of one group
//! of convoys (`pipeline`).

/// The set's representative of element `idx` of `parent` (each element's parent, a root
/// its own), halving the path on the way.
pub(crate) fn root(parent: &mut [usize], mut idx: usize) -> usize {
    while parent[idx] != idx {
        parent[idx] = parent[parent[idx]];
        idx = parent[idx];
    }
    idx
}
