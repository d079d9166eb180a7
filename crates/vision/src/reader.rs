//! [`PlateReader`]: detect plates, read each one, guess its country and the car's colour.

use crate::colour::{self, ColourEstimate};
use crate::ctc::{self, ALTERNATIVES_MAX, Alternative};
use crate::detect::{self, Detection};
use crate::geometry::{Bounds, PixelBox, Point};
use crate::model::Model;
use crate::{VisionError, decode_image, preprocess};
use corridor_domain::PlateText;
use corridor_domain::grammar::{self, CountryGuess};
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{GrayImage, ImageEncoder, RgbImage};

/// Plates whose box is narrower than this many heights are also read as two lines.
const TWO_LINE_ASPECT_MAX: f32 = 1.7;
/// The horizontal stretches of the detected box that are read; the most confident wins.
const CROP_STRETCHES: [f32; 2] = [1.0, 1.1];
/// A reading at least this probable is not read again from a stretched box.
const CONFIDENT: f32 = 0.9;

/// Reads number plates in images with the two embedded models.
///
/// Build it once (loading and optimising the models takes a while) and share it, for
/// instance in an `Arc`: every method takes `&self` and it is `Send + Sync`.
#[derive(Debug)]
pub struct PlateReader {
    detector: Model,
    reader: Model,
}

/// How the characters of a plate are laid out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Layout {
    OneLine,
    TwoLine,
}

impl Layout {
    /// `one_line` or `two_line`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::OneLine => "one_line",
            Layout::TwoLine => "two_line",
        }
    }
}

/// One plate found in an image.
#[derive(Clone, PartialEq, Debug)]
pub struct PlateFinding {
    /// Top-left, top-right, bottom-right, bottom-left, in original-image pixels.
    pub corners: [Point; 4],
    /// The detector's probability that a plate is centred here, 0..=1.
    pub detection_score: f32,
    /// The best reading: digits and upper-case letters, empty when nothing was legible.
    pub text: String,
    /// The probability of `text`, 0..=1.
    pub confidence: f32,
    /// The best distinct readings, best first (the first is `text`), at most 5.
    pub alternatives: Vec<Alternative>,
    /// Whether `text` was read as one line or as two lines joined top then bottom.
    pub layout: Layout,
    /// The most probable issuing country of `text` by the plate grammars, if any fits.
    pub country: Option<CountryGuess>,
    /// The dominant colour of the car body around the plate.
    pub colour: Option<ColourEstimate>,
    /// The widened box the reader read, in original-image pixels.
    pub crop_box: PixelBox,
    /// That box of the original image, PNG-encoded, for storage as evidence.
    pub crop_png: Vec<u8>,
}

impl PlateFinding {
    /// `text` as a plate, when it is one (not empty, at most 12 characters).
    pub fn plate_text(&self) -> Option<PlateText> {
        PlateText::parse(&self.text).ok()
    }

    /// The intersection over union of the quad's bounding box with the box
    /// `[left, top, width, height]` (original-image pixels), as detection benchmarks score.
    pub fn iou_with_box(&self, [left, top, width, height]: [f32; 4]) -> f32 {
        let other = Bounds {
            left,
            top,
            right: left + width,
            bottom: top + height,
        };
        Bounds::of_quad(&self.corners).iou(&other)
    }
}

/// The reading of one crop.
struct Reading {
    alternatives: Vec<Alternative>,
    layout: Layout,
}

impl Reading {
    fn confidence(&self) -> f32 {
        self.alternatives
            .first()
            .map_or(0.0, |best| best.probability)
    }
}

impl PlateReader {
    /// Loads and optimises the embedded models.
    ///
    /// Fails only when the models in the binary are broken or break the contract.
    pub fn new() -> Result<PlateReader, VisionError> {
        Ok(PlateReader {
            detector: Model::detector()?,
            reader: Model::reader()?,
        })
    }

    /// Decodes a JPEG or PNG and reads every plate in it, best detection first.
    pub fn read_image(&self, bytes: &[u8]) -> Result<Vec<PlateFinding>, VisionError> {
        let image = decode_image(bytes)?;
        self.read_rgb(&image)
    }

    /// Reads every plate in decoded pixels, best detection first.
    pub fn read_rgb(&self, image: &RgbImage) -> Result<Vec<PlateFinding>, VisionError> {
        if image.width() == 0 || image.height() == 0 {
            return Err(VisionError::NoPixels {
                width: image.width(),
                height: image.height(),
            });
        }
        let grey = preprocess::grey(image);
        let detections = self.detect(&grey)?;
        let mut findings = Vec::with_capacity(detections.len());
        for detection in detections {
            if let Some(finding) = self.read_detection(image, &grey, detection)? {
                findings.push(finding);
            }
        }
        Ok(findings)
    }

    fn detect(&self, grey: &GrayImage) -> Result<Vec<Detection>, VisionError> {
        let (input, scale) = preprocess::detector_input(grey);
        let outputs = self.detector.run(input)?;
        let heatmap = self.detector.values(&outputs[0])?;
        let corners = self.detector.values(&outputs[1])?;
        Ok(detect::decode(heatmap, corners, scale))
    }

    /// Reads one detected plate; `None` when its box lies outside the image.
    fn read_detection(
        &self,
        image: &RgbImage,
        grey: &GrayImage,
        detection: Detection,
    ) -> Result<Option<PlateFinding>, VisionError> {
        let plate = Bounds::of_quad(&detection.corners);
        // A box a little too tight cuts the first or last character: unless the first
        // reading is confident, also read the plate from a box 10% wider and keep the more
        // confident reading.
        let mut chosen: Option<(Reading, PixelBox)> = None;
        for stretch in CROP_STRETCHES {
            let Some((reading, crop_box)) = self.read_plate(grey, plate.stretched_x(stretch))?
            else {
                continue;
            };
            if chosen
                .as_ref()
                .is_none_or(|(best, _)| reading.confidence() > best.confidence())
            {
                chosen = Some((reading, crop_box));
            }
            if chosen
                .as_ref()
                .is_some_and(|(best, _)| best.confidence() >= CONFIDENT)
            {
                break;
            }
        }
        let Some((reading, crop_box)) = chosen else {
            return Ok(None);
        };
        let best = reading
            .alternatives
            .first()
            .cloned()
            .unwrap_or(Alternative {
                text: String::new(),
                probability: 0.0,
            });
        let country = PlateText::parse(&best.text)
            .ok()
            .and_then(|plate_text| grammar::guess_country(&plate_text).into_iter().next());
        Ok(Some(PlateFinding {
            corners: detection.corners,
            detection_score: detection.score,
            text: best.text,
            confidence: best.probability,
            alternatives: reading.alternatives,
            layout: reading.layout,
            country,
            colour: colour::estimate(image, &plate),
            crop_box,
            crop_png: encode_png(image, crop_box)?,
        }))
    }

    /// Reads a plate box as one line and, when it is squat, as two lines; `None` when the
    /// box lies outside the image.
    fn read_plate(
        &self,
        grey: &GrayImage,
        plate: Bounds,
    ) -> Result<Option<(Reading, PixelBox)>, VisionError> {
        let (width, height) = grey.dimensions();
        let Some(crop_box) = plate.widened_for_crop().clamp_to(width, height) else {
            return Ok(None);
        };
        let mut reading = Reading {
            alternatives: self.read_crop(grey, crop_box)?,
            layout: Layout::OneLine,
        };
        if plate.height() > 0.0 && plate.width() / plate.height() < TWO_LINE_ASPECT_MAX {
            let two_line = self.read_two_lines(grey, crop_box)?;
            if two_line.confidence() > reading.confidence() {
                reading = two_line;
            }
        }
        Ok(Some((reading, crop_box)))
    }

    fn read_crop(
        &self,
        grey: &GrayImage,
        crop_box: PixelBox,
    ) -> Result<Vec<Alternative>, VisionError> {
        let outputs = self.reader.run(preprocess::reader_input(grey, crop_box))?;
        Ok(ctc::beam_search(self.reader.values(&outputs[0])?))
    }

    /// Reads the top and bottom halves and joins them, top first.
    fn read_two_lines(&self, grey: &GrayImage, crop_box: PixelBox) -> Result<Reading, VisionError> {
        let (top, bottom) = crop_box.bounds().halves();
        let (width, height) = grey.dimensions();
        let (Some(top), Some(bottom)) =
            (top.clamp_to(width, height), bottom.clamp_to(width, height))
        else {
            return Ok(Reading {
                alternatives: Vec::new(),
                layout: Layout::TwoLine,
            });
        };
        let top = self.read_crop(grey, top)?;
        let bottom = self.read_crop(grey, bottom)?;
        Ok(Reading {
            alternatives: join_lines(&top, &bottom),
            layout: Layout::TwoLine,
        })
    }
}

/// The most probable joins of a top and a bottom reading (probabilities multiply).
fn join_lines(top: &[Alternative], bottom: &[Alternative]) -> Vec<Alternative> {
    let mut joined: Vec<Alternative> = Vec::with_capacity(top.len() * bottom.len());
    for upper in top {
        for lower in bottom {
            let text = format!("{}{}", upper.text, lower.text);
            let probability = upper.probability * lower.probability;
            match joined
                .iter_mut()
                .find(|alternative| alternative.text == text)
            {
                Some(same) => same.probability += probability,
                None => joined.push(Alternative { text, probability }),
            }
        }
    }
    joined.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then_with(|| a.text.cmp(&b.text))
    });
    joined.truncate(ALTERNATIVES_MAX);
    joined
}

/// The box of the image as a PNG, compressed for speed.
fn encode_png(image: &RgbImage, crop_box: PixelBox) -> Result<Vec<u8>, VisionError> {
    let crop = image::imageops::crop_imm(
        image,
        crop_box.x,
        crop_box.y,
        crop_box.width,
        crop_box.height,
    )
    .to_image();
    let mut png = Vec::new();
    PngEncoder::new_with_quality(&mut png, CompressionType::Fast, FilterType::Adaptive)
        .write_image(
            crop.as_raw(),
            crop.width(),
            crop.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|error| VisionError::EncodeCrop {
            reason: error.to_string(),
        })?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alternative(text: &str, probability: f32) -> Alternative {
        Alternative {
            text: text.to_owned(),
            probability,
        }
    }

    #[test]
    fn two_lines_join_top_then_bottom_by_product() {
        let top = [alternative("AB", 0.8), alternative("A8", 0.2)];
        let bottom = [alternative("123", 0.9), alternative("12", 0.1)];
        let joined = join_lines(&top, &bottom);
        assert_eq!(joined[0].text, "AB123");
        assert!((joined[0].probability - 0.72).abs() < 1e-6);
        assert_eq!(joined[1].text, "A8123");
        assert_eq!(joined.len(), 4);
    }

    #[test]
    fn joins_that_spell_the_same_string_add_up() {
        let top = [alternative("A", 0.5), alternative("AB", 0.5)];
        let bottom = [alternative("B1", 0.5), alternative("1", 0.5)];
        let joined = join_lines(&top, &bottom);
        assert_eq!(joined[0].text, "AB1");
        assert!((joined[0].probability - 0.5).abs() < 1e-6);
    }
}
