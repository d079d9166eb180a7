//! The answer to a camera image upload: the reads it stored and the plates it skipped.

use super::reads_out::IngestReport;
use corridor_vision::PlateFinding;
use serde::Serialize;

/// The body of a successful `POST /api/v1/cameras/{id}/images`.
#[derive(Debug, Serialize)]
pub(crate) struct ImageReport {
    pub(crate) camera_id: String,
    /// When the image was taken, as given (or when it arrived).
    pub(crate) ts: String,
    /// SHA-256 of the uploaded bytes, hex.
    pub(crate) image_sha256: String,
    /// One read per plate read, best detection first; every one is durable.
    pub(crate) reads: Vec<ImageRead>,
    /// Plates found whose text is not a plate (nothing legible, too long): not stored.
    pub(crate) skipped: Vec<SkippedPlate>,
    /// What the ingest of `reads` did (new, duplicate, alerts).
    pub(crate) ingest: IngestReport,
}

/// One read taken from the image.
#[derive(Debug, Serialize)]
pub(crate) struct ImageRead {
    pub(crate) read_id: String,
    pub(crate) plate: String,
    /// Stored only when the plate's format names it with confidence.
    pub(crate) country: Option<String>,
    #[serde(flatten)]
    pub(crate) plate_details: PlateDetails,
}

/// A plate found but not stored as a read.
#[derive(Debug, Serialize)]
pub(crate) struct SkippedPlate {
    /// `not_a_plate`: the text is empty or longer than a plate; `low_confidence`: read
    /// with a probability under 0.1.
    pub(crate) reason: &'static str,
    #[serde(flatten)]
    pub(crate) plate_details: PlateDetails,
}

/// What the reader saw of one plate.
#[derive(Debug, Serialize)]
pub(crate) struct PlateDetails {
    pub(crate) text: String,
    pub(crate) confidence: f32,
    pub(crate) layout: &'static str,
    pub(crate) detection_score: f32,
    /// Top-left, top-right, bottom-right, bottom-left, `[x, y]` in image pixels.
    pub(crate) corners: [[f32; 2]; 4],
    pub(crate) alternatives: Vec<AlternativeOut>,
    pub(crate) colour: Option<&'static str>,
    /// SHA-256 of the stored plate crop (`GET /api/v1/images/{sha256}`).
    pub(crate) crop_sha256: String,
}

/// One candidate reading with its probability.
#[derive(Debug, Serialize)]
pub(crate) struct AlternativeOut {
    pub(crate) text: String,
    pub(crate) probability: f32,
}

impl PlateDetails {
    fn new(finding: &PlateFinding, crop_sha256: &str) -> PlateDetails {
        PlateDetails {
            text: finding.text.clone(),
            confidence: finding.confidence,
            layout: finding.layout.as_str(),
            detection_score: finding.detection_score,
            corners: finding.corners.map(|point| [point.x, point.y]),
            alternatives: finding
                .alternatives
                .iter()
                .map(|alternative| AlternativeOut {
                    text: alternative.text.clone(),
                    probability: alternative.probability,
                })
                .collect(),
            colour: finding.colour.map(|estimate| estimate.colour.as_str()),
            crop_sha256: crop_sha256.to_owned(),
        }
    }
}

impl ImageRead {
    pub(crate) fn new(
        read_id: String,
        plate: &str,
        country: Option<String>,
        finding: &PlateFinding,
        crop_sha256: &str,
    ) -> ImageRead {
        ImageRead {
            read_id,
            plate: plate.to_owned(),
            country,
            plate_details: PlateDetails::new(finding, crop_sha256),
        }
    }
}

impl SkippedPlate {
    pub(crate) fn new(
        finding: &PlateFinding,
        crop_sha256: &str,
        reason: &'static str,
    ) -> SkippedPlate {
        SkippedPlate {
            reason,
            plate_details: PlateDetails::new(finding, crop_sha256),
        }
    }
}
