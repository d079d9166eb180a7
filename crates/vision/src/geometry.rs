//! Points, plate quadrilaterals and pixel boxes, in original-image pixels.

/// A point in original-image pixels (x to the right, y down).
#[derive(Clone, Copy, PartialEq, Debug, Default)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// An axis-aligned box of whole pixels inside an image.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PixelBox {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// An axis-aligned box in fractional pixels, possibly reaching outside the image.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) struct Bounds {
    pub(crate) left: f32,
    pub(crate) top: f32,
    pub(crate) right: f32,
    pub(crate) bottom: f32,
}

/// The share of the plate's width added on each side of the reader's crop.
const CROP_WIDEN_X: f32 = 0.08;
/// The share of the plate's height added above and below the reader's crop.
const CROP_WIDEN_Y: f32 = 0.15;
/// The share of the crop's height each half of a two-line plate reaches across the middle.
const HALF_OVERLAP: f32 = 0.05;

impl Bounds {
    /// The axis-aligned bounding box of a quadrilateral.
    pub(crate) fn of_quad(corners: &[Point; 4]) -> Bounds {
        let fold = |pick: fn(&Point) -> f32, min: bool| {
            corners.iter().map(pick).fold(
                if min {
                    f32::INFINITY
                } else {
                    f32::NEG_INFINITY
                },
                |acc, value| if min { acc.min(value) } else { acc.max(value) },
            )
        };
        Bounds {
            left: fold(|point| point.x, true),
            top: fold(|point| point.y, true),
            right: fold(|point| point.x, false),
            bottom: fold(|point| point.y, false),
        }
    }

    pub(crate) fn width(&self) -> f32 {
        self.right - self.left
    }

    pub(crate) fn height(&self) -> f32 {
        self.bottom - self.top
    }

    /// Intersection over union; 0 for empty boxes.
    pub(crate) fn iou(&self, other: &Bounds) -> f32 {
        let overlap_w = (self.right.min(other.right) - self.left.max(other.left)).max(0.0);
        let overlap_h = (self.bottom.min(other.bottom) - self.top.max(other.top)).max(0.0);
        let overlap = overlap_w * overlap_h;
        let union = self.width() * self.height() + other.width() * other.height() - overlap;
        if union > 0.0 { overlap / union } else { 0.0 }
    }

    /// The box stretched horizontally by `factor` about its centre.
    pub(crate) fn stretched_x(&self, factor: f32) -> Bounds {
        let centre = (self.left + self.right) / 2.0;
        let half = self.width() / 2.0 * factor;
        Bounds {
            left: centre - half,
            right: centre + half,
            ..*self
        }
    }

    /// The reader's crop: widened by 8% of the width on each side and 15% of the height
    /// above and below.
    pub(crate) fn widened_for_crop(&self) -> Bounds {
        let dx = self.width() * CROP_WIDEN_X;
        let dy = self.height() * CROP_WIDEN_Y;
        Bounds {
            left: self.left - dx,
            top: self.top - dy,
            right: self.right + dx,
            bottom: self.bottom + dy,
        }
    }

    /// The top and bottom halves of a two-line plate, each reaching 5% of the height
    /// across the middle.
    pub(crate) fn halves(&self) -> (Bounds, Bounds) {
        let middle = (self.top + self.bottom) / 2.0;
        let overlap = self.height() * HALF_OVERLAP;
        let top = Bounds {
            bottom: middle + overlap,
            ..*self
        };
        let bottom = Bounds {
            top: middle - overlap,
            ..*self
        };
        (top, bottom)
    }

    /// The whole pixels of this box inside a `width` x `height` image; `None` when fewer
    /// than one pixel remains on a side or the box is not finite.
    pub(crate) fn clamp_to(&self, width: u32, height: u32) -> Option<PixelBox> {
        let finite = [self.left, self.top, self.right, self.bottom]
            .iter()
            .all(|value| value.is_finite());
        if !finite {
            return None;
        }
        let left = self.left.floor().clamp(0.0, width as f32) as u32;
        let top = self.top.floor().clamp(0.0, height as f32) as u32;
        let right = self.right.ceil().clamp(0.0, width as f32) as u32;
        let bottom = self.bottom.ceil().clamp(0.0, height as f32) as u32;
        (right > left && bottom > top).then_some(PixelBox {
            x: left,
            y: top,
            width: right - left,
            height: bottom - top,
        })
    }
}

impl PixelBox {
    /// The box in fractional pixels.
    pub(crate) fn bounds(&self) -> Bounds {
        Bounds {
            left: self.x as f32,
            top: self.y as f32,
            right: (self.x + self.width) as f32,
            bottom: (self.y + self.height) as f32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(left: f32, top: f32, right: f32, bottom: f32) -> Bounds {
        Bounds {
            left,
            top,
            right,
            bottom,
        }
    }

    #[test]
    fn quad_bounds_and_iou() {
        let quad = [
            Point { x: 10.0, y: 12.0 },
            Point { x: 50.0, y: 10.0 },
            Point { x: 52.0, y: 30.0 },
            Point { x: 11.0, y: 31.0 },
        ];
        assert_eq!(Bounds::of_quad(&quad), bounds(10.0, 10.0, 52.0, 31.0));
        let a = bounds(0.0, 0.0, 10.0, 10.0);
        assert_eq!(a.iou(&a), 1.0);
        assert_eq!(a.iou(&bounds(5.0, 0.0, 15.0, 10.0)), 50.0 / 150.0);
        assert_eq!(a.iou(&bounds(20.0, 20.0, 30.0, 30.0)), 0.0);
    }

    #[test]
    fn crop_widening_halves_and_clamping() {
        let plate = bounds(100.0, 50.0, 200.0, 70.0);
        assert_eq!(plate.widened_for_crop(), bounds(92.0, 47.0, 208.0, 73.0));
        let (top, bottom) = bounds(0.0, 0.0, 10.0, 100.0).halves();
        assert_eq!(top, bounds(0.0, 0.0, 10.0, 55.0));
        assert_eq!(bottom, bounds(0.0, 45.0, 10.0, 100.0));
        let clamped = bounds(-5.5, 2.5, 30.2, 500.0).clamp_to(20, 40);
        assert_eq!(
            clamped,
            Some(PixelBox {
                x: 0,
                y: 2,
                width: 20,
                height: 38
            })
        );
        assert_eq!(bounds(30.0, 0.0, 40.0, 10.0).clamp_to(20, 20), None);
        assert_eq!(bounds(f32::NAN, 0.0, 4.0, 4.0).clamp_to(20, 20), None);
    }
}
