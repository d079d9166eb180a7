//! The corridor's roads as GeoJSON, for the web UI's offline basemap (`web/src/roads.json`).
//!
//! Lanes are left out: every lane leads to a candidate hub or a launch beach, and the planted
//! networks use some of those, so drawing them would hand analysts a shortlist of the answers.
//! Ferry and tunnel crossings are kept, as straight lines port to port (the UI dashes them).

use crate::corridor::{EDGES, EdgeDef, NODES, NodeDef, NodeKind, RoadClass};
use serde_json::json;

/// The corridor's motorways, trunk roads, coastal roads and crossings as a GeoJSON
/// `FeatureCollection`: one `LineString` per road between two nodes, from node to node in
/// WGS 84 longitude and latitude, with the properties `road` (such as `"A16"`, `"ferry"`) and
/// `class` (`motorway`, `trunk`, `coastal` or `crossing`).
///
/// One feature per line and a final newline, so that the committed file diffs by road.
///
/// ```
/// let roads: serde_json::Value = serde_json::from_str(&corridor_sim::render_roads_geojson()).unwrap();
/// assert_eq!(roads["type"], "FeatureCollection");
/// assert!(roads["features"].as_array().unwrap().len() > 50);
/// ```
pub fn render_roads_geojson() -> String {
    let features: Vec<String> = EDGES
        .iter()
        .filter_map(|edge| {
            let class = class_name(edge.class)?;
            let (a, b) = (node(edge.a), node(edge.b));
            assert!(
                !is_scenario_site(a) && !is_scenario_site(b),
                "road {} from {} to {} is drawn but ends at a hub or launch point",
                edge.road,
                edge.a,
                edge.b
            );
            Some(feature(edge, class, a, b))
        })
        .collect();
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
        features.join(",\n")
    )
}

/// The class drawn for a road, or `None` for a lane, which is never drawn.
fn class_name(class: RoadClass) -> Option<&'static str> {
    match class {
        RoadClass::Motorway => Some("motorway"),
        RoadClass::Trunk => Some("trunk"),
        RoadClass::Coastal => Some("coastal"),
        RoadClass::Crossing { .. } => Some("crossing"),
        RoadClass::Lane => None,
    }
}

fn is_scenario_site(node: &NodeDef) -> bool {
    matches!(node.kind, NodeKind::Hub | NodeKind::Launch)
}

fn node(id: &str) -> &'static NodeDef {
    NODES
        .iter()
        .find(|node| node.id == id)
        .unwrap_or_else(|| panic!("road end {id} is a node of the corridor table"))
}

fn feature(edge: &EdgeDef, class: &str, a: &NodeDef, b: &NodeDef) -> String {
    json!({
        "type": "Feature",
        "properties": { "road": edge.road, "class": class },
        "geometry": {
            "type": "LineString",
            "coordinates": [[a.lon, a.lat], [b.lon, b.lat]],
        },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: &str = "../../web/src/roads.json";

    /// The web UI draws `web/src/roads.json`; it must be what the corridor tables say.
    /// Run `UPDATE_GOLDEN=1 cargo test -p corridor-sim roads` to regenerate it.
    #[test]
    fn web_roads_json_matches_the_corridor_tables() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
        let rendered = render_roads_geojson();
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &rendered).expect("web/src/roads.json is writable");
            return;
        }
        let committed = std::fs::read_to_string(&path).expect("web/src/roads.json exists");
        assert!(
            committed == rendered,
            "web/src/roads.json is out of date; run UPDATE_GOLDEN=1 cargo test -p corridor-sim roads"
        );
    }

    #[test]
    fn roads_are_valid_geojson_without_lanes() {
        let roads: serde_json::Value =
            serde_json::from_str(&render_roads_geojson()).expect("valid JSON");
        let features = roads["features"].as_array().expect("a feature array");
        let n_lanes = EDGES
            .iter()
            .filter(|edge| edge.class == RoadClass::Lane)
            .count();
        assert_eq!(features.len(), EDGES.len() - n_lanes);
        for class in ["motorway", "trunk", "coastal", "crossing"] {
            assert!(
                features.iter().any(|f| f["properties"]["class"] == class),
                "no {class} road"
            );
        }
        for feature in features {
            let coordinates = feature["geometry"]["coordinates"]
                .as_array()
                .expect("coordinates");
            assert_eq!(coordinates.len(), 2);
            for position in coordinates {
                let (lon, lat) = (position[0].as_f64().unwrap(), position[1].as_f64().unwrap());
                assert!((0.0..8.0).contains(&lon) && (50.0..52.5).contains(&lat));
            }
        }
    }
}
