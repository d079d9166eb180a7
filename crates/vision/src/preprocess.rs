//! Pixels to model inputs: grey conversion, the detector's letterboxed canvas and the
//! reader's contrast-stretched crop (docs/vision.md, "Model contract").

use crate::geometry::PixelBox;
use image::imageops::{self, FilterType};
use image::{GrayImage, RgbImage};

/// The detector's input side, in pixels.
pub(crate) const DETECTOR_SIDE: usize = 512;
/// The detector canvas's fill outside the image.
const CANVAS_FILL: f32 = 0.5;
/// The reader's input height and width, in pixels.
pub(crate) const CROP_HEIGHT: usize = 32;
pub(crate) const CROP_WIDTH: usize = 128;
/// The percentiles of the contrast stretch, and the narrowest range it stretches.
const STRETCH_LOW_PERCENT: f32 = 2.0;
const STRETCH_HIGH_PERCENT: f32 = 98.0;
const STRETCH_RANGE_MIN: f32 = 1e-3;

/// Grey = 0.299 R + 0.587 G + 0.114 B, rounded to a byte (as Pillow's `convert("L")`).
pub(crate) fn grey(image: &RgbImage) -> GrayImage {
    let pixels: Vec<u8> = image
        .as_raw()
        .chunks_exact(3)
        .map(|rgb| {
            let luma =
                299 * u32::from(rgb[0]) + 587 * u32::from(rgb[1]) + 114 * u32::from(rgb[2]) + 500;
            // At most (255 * 1000 + 500) / 1000 = 255.
            (luma / 1000) as u8
        })
        .collect();
    GrayImage::from_raw(image.width(), image.height(), pixels).expect("one grey byte per RGB pixel")
}

/// The detector's input: the image scaled by `s = 512 / max(W, H)` at the top left of a
/// 512x512 canvas of 0.5, in row-major order; and `s`.
pub(crate) fn detector_input(grey: &GrayImage) -> (Vec<f32>, f32) {
    let side_max = grey.width().max(grey.height()) as f32;
    let scale = DETECTOR_SIDE as f32 / side_max;
    let width = scaled_side(grey.width(), scale);
    let height = scaled_side(grey.height(), scale);
    let resized = resize_for_detector(grey, width, height);
    let mut canvas = vec![CANVAS_FILL; DETECTOR_SIDE * DETECTOR_SIDE];
    let width = width as usize;
    for (row_idx, row) in resized.as_raw().chunks_exact(width).enumerate() {
        let start = row_idx * DETECTOR_SIDE;
        for (cell, &value) in canvas[start..start + width].iter_mut().zip(row) {
            *cell = f32::from(value) / 255.0;
        }
    }
    (canvas, scale)
}

/// Resizes the detector's input: area averaging when it shrinks both ways (as OpenCV's
/// `INTER_AREA`, and several times faster than a triangle filter on a camera frame),
/// bilinear (triangle) otherwise.
fn resize_for_detector(image: &GrayImage, width: u32, height: u32) -> GrayImage {
    if width <= image.width() && height <= image.height() {
        imageops::thumbnail(image, width, height)
    } else {
        imageops::resize(image, width, height, FilterType::Triangle)
    }
}

/// `round(side * scale)`, at least 1 and at most the detector's side.
fn scaled_side(side: u32, scale: f32) -> u32 {
    ((side as f32 * scale).round() as u32).clamp(1, DETECTOR_SIDE as u32)
}

/// The reader's input: `crop_box` of the grey image resized to 128x32, contrast-stretched.
pub(crate) fn reader_input(grey: &GrayImage, crop_box: PixelBox) -> Vec<f32> {
    let crop = imageops::crop_imm(
        grey,
        crop_box.x,
        crop_box.y,
        crop_box.width,
        crop_box.height,
    )
    .to_image();
    // Triangle here, whichever way: the reader was trained on bilinear crops, and area
    // averaging cost it accuracy (us top-1 78.4% -> 74.5% on the validation photos).
    let resized = imageops::resize(
        &crop,
        CROP_WIDTH as u32,
        CROP_HEIGHT as u32,
        FilterType::Triangle,
    );
    let mut values: Vec<f32> = resized
        .as_raw()
        .iter()
        .map(|&value| f32::from(value) / 255.0)
        .collect();
    stretch_contrast(&mut values);
    values
}

/// Maps the 2nd percentile to 0 and the 98th to 1, clamped; leaves flat crops alone.
pub(crate) fn stretch_contrast(values: &mut [f32]) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f32::total_cmp);
    let low = percentile(&sorted, STRETCH_LOW_PERCENT);
    let high = percentile(&sorted, STRETCH_HIGH_PERCENT);
    let range = high - low;
    if range.is_nan() || range < STRETCH_RANGE_MIN {
        return;
    }
    for value in values {
        *value = ((*value - low) / range).clamp(0.0, 1.0);
    }
}

/// The `percent` percentile of sorted values, interpolated linearly between ranks (as
/// `numpy.percentile`'s default).
pub(crate) fn percentile(sorted: &[f32], percent: f32) -> f32 {
    let Some(&last) = sorted.last() else {
        return 0.0;
    };
    let rank = percent / 100.0 * (sorted.len() - 1) as f32;
    let below = rank.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let fraction = rank - below as f32;
    let low = sorted.get(below).copied().unwrap_or(last);
    low + (sorted[above] - low) * fraction
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn grey_weights_follow_rec_601() {
        let image = RgbImage::from_fn(3, 1, |x, _| match x {
            0 => Rgb([255, 0, 0]),
            1 => Rgb([0, 255, 0]),
            _ => Rgb([255, 255, 255]),
        });
        assert_eq!(grey(&image).as_raw(), &vec![76, 150, 255]);
    }

    #[test]
    fn detector_input_places_the_image_top_left_on_grey() {
        let image = GrayImage::from_pixel(1024, 256, image::Luma([0]));
        let (canvas, scale) = detector_input(&image);
        assert_eq!(scale, 0.5);
        assert_eq!(canvas.len(), 512 * 512);
        assert_eq!(canvas[0], 0.0);
        assert_eq!(canvas[127 * 512 + 511], 0.0);
        assert_eq!(canvas[128 * 512], 0.5);
        assert_eq!(canvas[511 * 512 + 511], 0.5);
    }

    #[test]
    fn percentile_interpolates_like_numpy() {
        let sorted: Vec<f32> = (0..=100).map(|value| value as f32).collect();
        assert_eq!(percentile(&sorted, 2.0), 2.0);
        assert_eq!(percentile(&[0.0, 1.0], 50.0), 0.5);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    #[test]
    fn stretch_maps_the_percentiles_to_0_and_1() {
        let mut values: Vec<f32> = (0..4096)
            .map(|idx| 0.4 + 0.2 * idx as f32 / 4095.0)
            .collect();
        stretch_contrast(&mut values);
        assert_eq!(values[0], 0.0);
        assert_eq!(values[4095], 1.0);
        assert!((values[2048] - 0.5).abs() < 0.01);
        let mut flat = vec![0.3_f32; 4096];
        stretch_contrast(&mut flat);
        assert!(flat.iter().all(|&value| value == 0.3));
    }
}
