//! The road network built from the corridor tables: nodes, directed edges, speed limits and
//! fastest paths between every pair of nodes.

use crate::corridor::{EDGES, NODES, NodeDef, NodeKind, RoadClass};
use crate::geo::haversine_m;
use crate::vehicle::VehicleClass;

/// Marks "no edge" in the next-hop table.
const NO_EDGE: u16 = u16::MAX;

/// One direction of a road.
#[derive(Clone, Debug)]
pub(crate) struct DirEdge {
    pub(crate) from: u16,
    pub(crate) to: u16,
    pub(crate) road: &'static str,
    pub(crate) class: RoadClass,
    pub(crate) length_m: f64,
    /// Speed limit for cars, km/h.
    pub(crate) limit_kmh: f64,
    /// Camera sites on this direction: (distance from `from` in metres, camera index),
    /// sorted by distance.
    pub(crate) cameras: Vec<(f64, u16)>,
}

impl DirEdge {
    /// The speed limit that applies to a vehicle class, km/h.
    pub(crate) fn limit_for(&self, class: VehicleClass) -> f64 {
        match class {
            VehicleClass::Lorry | VehicleClass::Coach => self.limit_kmh.min(90.0),
            VehicleClass::Car | VehicleClass::Van => self.limit_kmh,
        }
    }

    /// The crossing time of a ferry or the tunnel, seconds.
    pub(crate) fn crossing_secs(&self) -> Option<f64> {
        match self.class {
            RoadClass::Crossing { minutes } => Some(f64::from(minutes) * 60.0),
            _ => None,
        }
    }
}

/// The road graph with all-pairs fastest paths (by car).
#[derive(Clone, Debug)]
pub(crate) struct RoadNetwork {
    pub(crate) nodes: Vec<NodeDef>,
    pub(crate) edges: Vec<DirEdge>,
    /// `next[from * n + to]`: the first directed edge on the fastest path.
    next: Vec<u16>,
    /// `road_m[from * n + to]`: road distance of the fastest path, metres.
    road_m: Vec<f64>,
}

/// Car speed limit by road class and country, km/h.
fn limit_kmh(class: RoadClass, country_a: &str, country_b: &str) -> f64 {
    let one = |country: &str| match class {
        RoadClass::Motorway => match country {
            "FR" | "DE" => 130.0,
            "BE" | "NL" => 120.0,
            _ => 112.0, // GB: 70 mph.
        },
        RoadClass::Trunk => match country {
            "FR" => 110.0,
            "GB" => 96.0,
            _ => 90.0,
        },
        RoadClass::Coastal => 80.0,
        RoadClass::Lane => 50.0,
        // A ferry's "speed" is never used: crossings have a fixed time.
        RoadClass::Crossing { .. } => 30.0,
    };
    f64::min(one(country_a), one(country_b))
}

impl RoadNetwork {
    /// Builds the network from the static tables, without cameras.
    pub(crate) fn build() -> RoadNetwork {
        let nodes: Vec<NodeDef> = NODES.to_vec();
        let index = |id: &str| {
            nodes
                .iter()
                .position(|n| n.id == id)
                .unwrap_or_else(|| panic!("unknown node {id}"))
        };
        let mut edges = Vec::with_capacity(EDGES.len() * 2);
        for def in EDGES {
            let (a, b) = (index(def.a), index(def.b));
            let (na, nb) = (&nodes[a], &nodes[b]);
            let length_m = haversine_m(na.lat, na.lon, nb.lat, nb.lon) * def.detour;
            let limit = limit_kmh(def.class, na.country, nb.country);
            for (from, to) in [(a, b), (b, a)] {
                edges.push(DirEdge {
                    from: from as u16,
                    to: to as u16,
                    road: def.road,
                    class: def.class,
                    length_m,
                    limit_kmh: limit,
                    cameras: Vec::new(),
                });
            }
        }
        let mut network = RoadNetwork {
            nodes,
            edges,
            next: Vec::new(),
            road_m: Vec::new(),
        };
        network.compute_paths();
        network
    }

    /// The index of a node by id; panics on an id that is not in the tables (a bug).
    pub(crate) fn node(&self, id: &str) -> u16 {
        self.nodes
            .iter()
            .position(|n| n.id == id)
            .unwrap_or_else(|| panic!("unknown node {id}")) as u16
    }

    pub(crate) fn n_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// Nodes of a kind, in table order.
    pub(crate) fn nodes_where(&self, keep: impl Fn(&NodeDef) -> bool) -> Vec<u16> {
        (0..self.nodes.len())
            .filter(|i| keep(&self.nodes[*i]))
            .map(|i| i as u16)
            .collect()
    }

    /// Town nodes with their weights.
    pub(crate) fn towns(&self) -> Vec<(u16, u32)> {
        (0..self.nodes.len())
            .filter_map(|i| match self.nodes[i].kind {
                NodeKind::Town(weight) => Some((i as u16, u32::from(weight))),
                _ => None,
            })
            .collect()
    }

    /// Road distance of the fastest path, metres (`f64::INFINITY` when unreachable).
    pub(crate) fn road_m(&self, from: u16, to: u16) -> f64 {
        self.road_m[from as usize * self.nodes.len() + to as usize]
    }

    /// The directed edges of the fastest path from `from` to `to`, in order.
    pub(crate) fn path(&self, from: u16, to: u16) -> PathIter<'_> {
        PathIter {
            network: self,
            at: from,
            to,
        }
    }

    /// Dijkstra from every node on car travel time (crossings at their fixed time).
    fn compute_paths(&mut self) {
        let n = self.nodes.len();
        let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (edge_idx, edge) in self.edges.iter().enumerate() {
            incoming[edge.to as usize].push(edge_idx);
        }
        let secs = |edge: &DirEdge| {
            edge.crossing_secs()
                .unwrap_or(edge.length_m / (edge.limit_kmh / 3.6))
        };
        // Leaves (hubs, beaches) are never passed through.
        let is_leaf: Vec<bool> = self
            .nodes
            .iter()
            .map(|node| matches!(node.kind, NodeKind::Hub | NodeKind::Launch))
            .collect();
        self.next = vec![NO_EDGE; n * n];
        self.road_m = vec![f64::INFINITY; n * n];
        for target in 0..n {
            // Dijkstra towards `target` over reversed edges gives each node its first hop.
            let mut time = vec![f64::INFINITY; n];
            let mut done = vec![false; n];
            time[target] = 0.0;
            self.road_m[target * n + target] = 0.0;
            while let Some(u) = (0..n)
                .filter(|v| !done[*v] && time[*v].is_finite())
                .min_by(|a, b| time[*a].total_cmp(&time[*b]))
            {
                done[u] = true;
                if u != target && is_leaf[u] {
                    continue;
                }
                for &edge_idx in &incoming[u] {
                    let edge = &self.edges[edge_idx];
                    let v = edge.from as usize;
                    let candidate = time[u] + secs(edge);
                    if !done[v] && candidate < time[v] {
                        time[v] = candidate;
                        self.next[v * n + target] = edge_idx as u16;
                        self.road_m[v * n + target] = self.road_m[u * n + target] + edge.length_m;
                    }
                }
            }
        }
    }
}

/// Iterator over the directed edges of a fastest path.
#[derive(Debug)]
pub(crate) struct PathIter<'a> {
    network: &'a RoadNetwork,
    at: u16,
    to: u16,
}

impl Iterator for PathIter<'_> {
    type Item = u16;

    fn next(&mut self) -> Option<u16> {
        if self.at == self.to {
            return None;
        }
        let n = self.network.nodes.len();
        let edge_idx = self.network.next[self.at as usize * n + self.to as usize];
        if edge_idx == NO_EDGE {
            return None;
        }
        self.at = self.network.edges[edge_idx as usize].to;
        Some(edge_idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_reaches_every_other() {
        let network = RoadNetwork::build();
        for from in 0..network.n_nodes() as u16 {
            for to in 0..network.n_nodes() as u16 {
                assert!(
                    network.road_m(from, to).is_finite(),
                    "{} -> {}",
                    network.nodes[from as usize].id,
                    network.nodes[to as usize].id
                );
                let hops: Vec<u16> = network.path(from, to).collect();
                if from != to {
                    assert_eq!(network.edges[*hops.last().expect("a path") as usize].to, to);
                }
            }
        }
    }

    #[test]
    fn lille_to_calais_uses_the_a25_and_a16_and_is_about_110_km() {
        let network = RoadNetwork::build();
        let (lille, calais) = (network.node("lille"), network.node("calais"));
        let roads: Vec<&str> = network
            .path(lille, calais)
            .map(|e| network.edges[e as usize].road)
            .collect();
        assert_eq!(roads, ["A25", "A25", "A16", "A16", "A16"]);
        let km = network.road_m(lille, calais) / 1000.0;
        assert!((95.0..130.0).contains(&km), "{km}");
    }

    #[test]
    fn hubs_and_beaches_are_never_passed_through() {
        let network = RoadNetwork::build();
        let (gravelines, calais) = (network.node("gravelines"), network.node("calais"));
        for edge_idx in network.path(gravelines, calais) {
            let to = &network.nodes[network.edges[edge_idx as usize].to as usize];
            assert!(
                !matches!(to.kind, NodeKind::Hub | NodeKind::Launch),
                "{}",
                to.id
            );
        }
    }
}
