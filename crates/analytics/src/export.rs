//! The network as GraphML and as a CSV link list, for link-analysis tools such as
//! i2 Analyst's Notebook (import the CSV with `source` and `target` as entity columns).

use crate::{Error, Report};
use std::collections::BTreeMap;
use std::io::Write;

/// Writes the report's network as GraphML: one node per plate or hub, one edge per link.
pub fn write_graphml(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    write_graphml_inner(report, out).map_err(|source| Error::Io {
        what: "GraphML".to_owned(),
        source,
    })
}

/// Writes the report's links as CSV: `source,target,kind,score,detail`.
pub fn write_links_csv(report: &Report, out: &mut dyn Write) -> Result<(), Error> {
    let mut write = || -> std::io::Result<()> {
        writeln!(out, "source,target,kind,score,detail")?;
        for link in &report.links {
            writeln!(
                out,
                "{},{},{},{:.3},{}",
                csv_field(&link.source),
                csv_field(&link.target),
                link.kind,
                link.score,
                csv_field(&link.detail)
            )?;
        }
        Ok(())
    };
    write().map_err(|source| Error::Io {
        what: "links CSV".to_owned(),
        source,
    })
}

fn write_graphml_inner(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut nodes: BTreeMap<&str, (&str, f64)> = BTreeMap::new();
    for vehicle in &report.ranked_vehicles {
        nodes.insert(&vehicle.plate, ("vehicle", vehicle.score));
    }
    for link in &report.links {
        for end in [&link.source, &link.target] {
            let kind = if end.starts_with("hub:") {
                "hub"
            } else {
                "vehicle"
            };
            nodes.entry(end).or_insert((kind, 0.0));
        }
    }
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns">"#
    )?;
    writeln!(
        out,
        r#"  <key id="kind" for="all" attr.name="kind" attr.type="string"/>"#
    )?;
    writeln!(
        out,
        r#"  <key id="score" for="all" attr.name="score" attr.type="double"/>"#
    )?;
    writeln!(
        out,
        r#"  <key id="detail" for="edge" attr.name="detail" attr.type="string"/>"#
    )?;
    writeln!(out, r#"  <graph id="network" edgedefault="undirected">"#)?;
    for (id, (kind, score)) in &nodes {
        writeln!(
            out,
            r#"    <node id="{}"><data key="kind">{kind}</data><data key="score">{score:.3}</data></node>"#,
            xml_escape(id)
        )?;
    }
    for (idx, link) in report.links.iter().enumerate() {
        writeln!(
            out,
            r#"    <edge id="e{idx}" source="{}" target="{}"><data key="kind">{}</data><data key="score">{:.3}</data><data key="detail">{}</data></edge>"#,
            xml_escape(&link.source),
            xml_escape(&link.target),
            link.kind,
            link.score,
            xml_escape(&link.detail)
        )?;
    }
    writeln!(out, "  </graph>")?;
    writeln!(out, "</graphml>")
}

fn xml_escape(raw: &str) -> String {
    raw.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn csv_field(raw: &str) -> String {
    if raw.contains([',', '"', '\n']) {
        format!("\"{}\"", raw.replace('"', "\"\""))
    } else {
        raw.to_owned()
    }
}
