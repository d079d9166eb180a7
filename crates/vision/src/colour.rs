//! The vehicle's main colour, from the body around the plate.
//!
//! The region is a box above and beside the plate, about three plate widths wide and two
//! plate heights tall, plus the band level with the plate, less the plate itself. Each
//! sampled pixel is named in HSV; the most common name wins.

use crate::geometry::{Bounds, PixelBox};
use image::RgbImage;

/// Colours as the reads' `colour` field names them (the simulator's vocabulary).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum VehicleColour {
    White,
    Black,
    Grey,
    Silver,
    Blue,
    Red,
    Green,
    Brown,
    Yellow,
    Orange,
}

impl VehicleColour {
    /// Every colour, in the order of [`VehicleColour::index`].
    pub const ALL: [VehicleColour; 10] = [
        VehicleColour::White,
        VehicleColour::Black,
        VehicleColour::Grey,
        VehicleColour::Silver,
        VehicleColour::Blue,
        VehicleColour::Red,
        VehicleColour::Green,
        VehicleColour::Brown,
        VehicleColour::Yellow,
        VehicleColour::Orange,
    ];

    /// The lower-case name stored in a read's `colour` field.
    pub fn as_str(self) -> &'static str {
        match self {
            VehicleColour::White => "white",
            VehicleColour::Black => "black",
            VehicleColour::Grey => "grey",
            VehicleColour::Silver => "silver",
            VehicleColour::Blue => "blue",
            VehicleColour::Red => "red",
            VehicleColour::Green => "green",
            VehicleColour::Brown => "brown",
            VehicleColour::Yellow => "yellow",
            VehicleColour::Orange => "orange",
        }
    }

    fn index(self) -> usize {
        Self::ALL
            .iter()
            .position(|colour| *colour == self)
            .expect("ALL lists every colour")
    }
}

/// The dominant colour and the share of sampled pixels that had it.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct ColourEstimate {
    pub colour: VehicleColour,
    /// Share of the sampled body pixels named `colour`, 0..=1.
    pub share: f32,
}

/// Plate widths across the body region.
const REGION_PLATE_WIDTHS: f32 = 3.0;
/// Plate heights of body above the plate.
const REGION_PLATE_HEIGHTS_ABOVE: f32 = 2.0;
/// Pixels sampled at most, on a regular grid.
const SAMPLES_MAX: u32 = 4096;
/// Fewer sampled pixels than this give no estimate.
const SAMPLES_MIN: u32 = 16;

/// The dominant body colour around `plate`; `None` when too little of the body is in the
/// image.
pub(crate) fn estimate(image: &RgbImage, plate: &Bounds) -> Option<ColourEstimate> {
    let centre_x = (plate.left + plate.right) / 2.0;
    let half_width = plate.width() * REGION_PLATE_WIDTHS / 2.0;
    let region = Bounds {
        left: centre_x - half_width,
        right: centre_x + half_width,
        top: plate.top - plate.height() * REGION_PLATE_HEIGHTS_ABOVE,
        bottom: plate.bottom,
    }
    .clamp_to(image.width(), image.height())?;
    let plate_box = plate.clamp_to(image.width(), image.height());
    let mut counts = [0_u32; VehicleColour::ALL.len()];
    let n_sampled = sample_region(image, region, plate_box, &mut counts);
    if n_sampled < SAMPLES_MIN {
        return None;
    }
    let (best_idx, &best_count) = counts
        .iter()
        .enumerate()
        .max_by_key(|(colour_idx, count)| (**count, usize::MAX - colour_idx))?;
    Some(ColourEstimate {
        colour: VehicleColour::ALL[best_idx],
        share: best_count as f32 / n_sampled as f32,
    })
}

/// Counts the colour names of pixels on a grid over `region`, skipping the plate.
fn sample_region(
    image: &RgbImage,
    region: PixelBox,
    plate_box: Option<PixelBox>,
    counts: &mut [u32; VehicleColour::ALL.len()],
) -> u32 {
    let area = u64::from(region.width) * u64::from(region.height);
    let stride = ((area as f64 / f64::from(SAMPLES_MAX)).sqrt().ceil() as u32).max(1);
    let inside_plate = |x: u32, y: u32| {
        plate_box.is_some_and(|plate| {
            (plate.x..plate.x + plate.width).contains(&x)
                && (plate.y..plate.y + plate.height).contains(&y)
        })
    };
    let mut n_sampled = 0;
    for y in (region.y..region.y + region.height).step_by(stride as usize) {
        for x in (region.x..region.x + region.width).step_by(stride as usize) {
            if inside_plate(x, y) {
                continue;
            }
            let [red, green, blue] = image.get_pixel(x, y).0;
            counts[name_pixel(red, green, blue).index()] += 1;
            n_sampled += 1;
        }
    }
    n_sampled
}

/// Names one pixel's colour from its hue, saturation and value.
pub(crate) fn name_pixel(red: u8, green: u8, blue: u8) -> VehicleColour {
    let (hue_deg, saturation, value) = hsv(red, green, blue);
    if value < 0.2 {
        return VehicleColour::Black;
    }
    if saturation < 0.18 || (saturation < 0.3 && value < 0.35) {
        return match value {
            v if v >= 0.8 => VehicleColour::White,
            v if v >= 0.55 => VehicleColour::Silver,
            v if v >= 0.3 => VehicleColour::Grey,
            _ => VehicleColour::Black,
        };
    }
    match hue_deg {
        h if !(15.0..300.0).contains(&h) => VehicleColour::Red,
        h if h < 45.0 && value < 0.6 => VehicleColour::Brown,
        h if h < 40.0 => VehicleColour::Orange,
        h if h < 70.0 => VehicleColour::Yellow,
        h if h < 165.0 => VehicleColour::Green,
        _ => VehicleColour::Blue,
    }
}

/// Hue in degrees (0..360), saturation and value (0..=1).
fn hsv(red: u8, green: u8, blue: u8) -> (f32, f32, f32) {
    let (r, g, b) = (
        f32::from(red) / 255.0,
        f32::from(green) / 255.0,
        f32::from(blue) / 255.0,
    );
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let delta = max - min;
    let saturation = if max > 0.0 { delta / max } else { 0.0 };
    let hue = if delta == 0.0 {
        0.0
    } else if max == r {
        60.0 * ((g - b) / delta).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / delta + 2.0)
    } else {
        60.0 * ((r - g) / delta + 4.0)
    };
    (hue, saturation, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn names_typical_car_paints() {
        let cases = [
            ((250, 250, 250), VehicleColour::White),
            ((10, 10, 12), VehicleColour::Black),
            ((100, 100, 105), VehicleColour::Grey),
            ((180, 182, 185), VehicleColour::Silver),
            ((200, 20, 30), VehicleColour::Red),
            ((20, 40, 180), VehicleColour::Blue),
            ((30, 150, 50), VehicleColour::Green),
            ((240, 210, 20), VehicleColour::Yellow),
            ((250, 130, 20), VehicleColour::Orange),
            ((110, 70, 40), VehicleColour::Brown),
        ];
        for ((red, green, blue), expected) in cases {
            assert_eq!(
                name_pixel(red, green, blue),
                expected,
                "rgb({red}, {green}, {blue})"
            );
        }
    }

    #[test]
    fn the_body_colour_wins_over_the_plate() {
        // A red car with a large white plate in the middle.
        let mut image = RgbImage::from_pixel(400, 300, Rgb([190, 25, 30]));
        for y in 200..240 {
            for x in 150..250 {
                image.put_pixel(x, y, Rgb([255, 255, 255]));
            }
        }
        let plate = Bounds {
            left: 150.0,
            top: 200.0,
            right: 250.0,
            bottom: 240.0,
        };
        let estimate = estimate(&image, &plate).expect("the body is in the image");
        assert_eq!(estimate.colour, VehicleColour::Red);
        assert_eq!(estimate.share, 1.0);
        assert_eq!(VehicleColour::Red.as_str(), "red");
    }
}
