//! `corridor read`: read the number plates in image files (JPEG or PNG) and print them.

use anyhow::Context;
use corridor_vision::{PlateFinding, PlateReader};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Arguments of `corridor read`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Print one JSON object per image (file name and plates), one per line.
    #[arg(long, env = "CORRIDOR_READ_JSON")]
    json: bool,
    /// Image files to read (JPEG or PNG).
    #[arg(value_name = "IMAGE", required = true)]
    images: Vec<PathBuf>,
}

pub(crate) fn run(args: Args) -> anyhow::Result<()> {
    let reader = PlateReader::new().context("loading the embedded plate models")?;
    if corridor_vision::models_are_placeholders() {
        eprintln!(
            "warning: this build embeds placeholder plate models (random weights): readings are meaningless"
        );
    }
    let mut n_failed = 0;
    for path in &args.images {
        let findings = std::fs::read(path)
            .with_context(|| format!("reading {}", path.display()))
            .and_then(|bytes| {
                reader
                    .read_image(&bytes)
                    .with_context(|| format!("reading plates in {}", path.display()))
            });
        match (findings, args.json) {
            (Ok(findings), true) => println!("{}", image_json(path, &findings)),
            (Ok(findings), false) => print!("{}", image_text(path, &findings)),
            (Err(error), json) => {
                n_failed += 1;
                if json {
                    println!(
                        "{}",
                        json!({ "file": path.display().to_string(), "error": format!("{error:#}") })
                    );
                }
                eprintln!("error: {error:#}");
            }
        }
    }
    if n_failed > 0 {
        anyhow::bail!(
            "{n_failed} of {} images could not be read",
            args.images.len()
        );
    }
    Ok(())
}

/// One block per image: a header line, then one paragraph per plate.
fn image_text(path: &Path, findings: &[PlateFinding]) -> String {
    let mut text = format!("{}: {} plate(s)\n", path.display(), findings.len());
    for (plate_idx, finding) in findings.iter().enumerate() {
        let corners: Vec<String> = finding
            .corners
            .iter()
            .map(|point| format!("({:.0},{:.0})", point.x, point.y))
            .collect();
        let alternatives: Vec<String> = finding
            .alternatives
            .iter()
            .map(|alternative| format!("{} {:.3}", alternative.text, alternative.probability))
            .collect();
        let country = finding.country.map_or_else(
            || "-".to_owned(),
            |guess| format!("{} {:.2}", guess.country.as_str(), guess.confidence),
        );
        let colour = finding.colour.map_or_else(
            || "-".to_owned(),
            |estimate| format!("{} {:.2}", estimate.colour.as_str(), estimate.share),
        );
        text.push_str(&format!(
            "  plate {}: {} confidence {:.3} ({}, detection {:.2})\n    corners {}\n    alternatives {}\n    country {}  colour {}\n",
            plate_idx + 1,
            if finding.text.is_empty() { "?" } else { &finding.text },
            finding.confidence,
            finding.layout.as_str(),
            finding.detection_score,
            corners.join(" "),
            alternatives.join(", "),
            country,
            colour,
        ));
    }
    text
}

fn image_json(path: &Path, findings: &[PlateFinding]) -> Value {
    let plates: Vec<Value> = findings.iter().map(plate_json).collect();
    json!({ "file": path.display().to_string(), "plates": plates })
}

fn plate_json(finding: &PlateFinding) -> Value {
    json!({
        "text": finding.text,
        "confidence": finding.confidence,
        "layout": finding.layout.as_str(),
        "detection_score": finding.detection_score,
        "corners": finding.corners.iter().map(|point| [point.x, point.y]).collect::<Vec<_>>(),
        "alternatives": finding.alternatives.iter().map(|alternative| json!({
            "text": alternative.text,
            "probability": alternative.probability,
        })).collect::<Vec<_>>(),
        "country": finding.country.map(|guess| json!({
            "country": guess.country.as_str(),
            "confidence": guess.confidence,
        })),
        "colour": finding.colour.map(|estimate| json!({
            "colour": estimate.colour.as_str(),
            "share": estimate.share,
        })),
        "crop_box": [finding.crop_box.x, finding.crop_box.y, finding.crop_box.width, finding.crop_box.height],
    })
}
