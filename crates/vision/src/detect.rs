//! Decoding the detector's outputs into plate quadrilaterals.
//!
//! ```text
//! heatmap [128x128] --(score >= SCORE_MIN, max of its 3x3 neighbourhood)--> candidates
//!   --sort by score--> greedy NMS (box IoU > IOU_MAX dropped) --> at most PLATES_MAX
//! corners [8x128x128]: corner k of cell (i, j) = cell centre + 64 * (dx_k, dy_k), / scale
//! ```

use crate::geometry::{Bounds, Point};

/// The lowest heatmap probability of a plate centre.
pub const SCORE_MIN: f32 = 0.25;
/// Candidates whose box overlaps a kept plate's box more than this are dropped.
pub const IOU_MAX: f32 = 0.3;
/// The most plates reported for one image.
pub const PLATES_MAX: usize = 8;
/// The heatmap's side, in cells.
pub(crate) const HEATMAP_SIDE: usize = 128;
/// One heatmap cell's side in detector pixels.
const CELL_PX: f32 = 4.0;
/// The detector pixels that a corner offset of 1.0 stands for.
const CORNER_SCALE_PX: f32 = 64.0;
/// The corner channels: x and y of top-left, top-right, bottom-right, bottom-left.
pub(crate) const CORNER_CHANNELS: usize = 8;

/// A plate found by the detector.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct Detection {
    /// Top-left, top-right, bottom-right, bottom-left, in original-image pixels.
    pub(crate) corners: [Point; 4],
    pub(crate) score: f32,
}

/// The plates in the detector's outputs; `scale` is the detector input's scale `s`.
///
/// `heatmap` is `[128 * 128]` and `corners` `[8 * 128 * 128]`, both row-major.
pub(crate) fn decode(heatmap: &[f32], corners: &[f32], scale: f32) -> Vec<Detection> {
    let cells = HEATMAP_SIDE * HEATMAP_SIDE;
    assert_eq!(heatmap.len(), cells, "heatmap shape is [1,1,128,128]");
    assert_eq!(
        corners.len(),
        CORNER_CHANNELS * cells,
        "corners shape is [1,8,128,128]"
    );
    let mut candidates = local_maxima(heatmap);
    candidates.sort_by(|a, b| heatmap[*b].total_cmp(&heatmap[*a]).then(a.cmp(b)));
    let mut kept: Vec<(Detection, Bounds)> = Vec::new();
    for cell_idx in candidates {
        let detection = Detection {
            corners: cell_corners(corners, cell_idx, scale),
            score: heatmap[cell_idx],
        };
        let bounds = Bounds::of_quad(&detection.corners);
        let finite = [bounds.left, bounds.top, bounds.right, bounds.bottom]
            .iter()
            .all(|value| value.is_finite());
        if !finite || kept.iter().any(|(_, other)| bounds.iou(other) > IOU_MAX) {
            continue;
        }
        kept.push((detection, bounds));
        if kept.len() == PLATES_MAX {
            break;
        }
    }
    kept.into_iter().map(|(detection, _)| detection).collect()
}

/// The cells scoring at least [`SCORE_MIN`] that no neighbour beats.
fn local_maxima(heatmap: &[f32]) -> Vec<usize> {
    let side = HEATMAP_SIDE;
    let mut maxima = Vec::new();
    for row in 0..side {
        for col in 0..side {
            let score = heatmap[row * side + col];
            if score.is_nan() || score < SCORE_MIN {
                continue;
            }
            let rows = row.saturating_sub(1)..=(row + 1).min(side - 1);
            let beaten = rows.into_iter().any(|other_row| {
                let cols = col.saturating_sub(1)..=(col + 1).min(side - 1);
                cols.into_iter()
                    .any(|other_col| heatmap[other_row * side + other_col] > score)
            });
            if !beaten {
                maxima.push(row * side + col);
            }
        }
    }
    maxima
}

fn cell_corners(corners: &[f32], cell_idx: usize, scale: f32) -> [Point; 4] {
    let cells = HEATMAP_SIDE * HEATMAP_SIDE;
    let centre_x = ((cell_idx % HEATMAP_SIDE) as f32 + 0.5) * CELL_PX;
    let centre_y = ((cell_idx / HEATMAP_SIDE) as f32 + 0.5) * CELL_PX;
    std::array::from_fn(|corner_idx| {
        let dx = corners[2 * corner_idx * cells + cell_idx];
        let dy = corners[(2 * corner_idx + 1) * cells + cell_idx];
        Point {
            x: (centre_x + CORNER_SCALE_PX * dx) / scale,
            y: (centre_y + CORNER_SCALE_PX * dy) / scale,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CELLS: usize = HEATMAP_SIDE * HEATMAP_SIDE;

    /// Outputs with plates at `(row, col, score, half_width_cells)`: a box of
    /// `2 * half_width` by `half_width` cells around each.
    fn outputs(plates: &[(usize, usize, f32, f32)]) -> (Vec<f32>, Vec<f32>) {
        let mut heatmap = vec![0.01; CELLS];
        let mut corners = vec![0.0; CORNER_CHANNELS * CELLS];
        for &(row, col, score, half) in plates {
            let cell_idx = row * HEATMAP_SIDE + col;
            heatmap[cell_idx] = score;
            let (dx, dy) = (
                half * CELL_PX / CORNER_SCALE_PX,
                half * CELL_PX / 2.0 / CORNER_SCALE_PX,
            );
            let offsets = [-dx, -dy, dx, -dy, dx, dy, -dx, dy];
            for (channel, offset) in offsets.iter().enumerate() {
                corners[channel * CELLS + cell_idx] = *offset;
            }
        }
        (heatmap, corners)
    }

    #[test]
    fn a_peak_becomes_a_plate_in_original_pixels() {
        let (heatmap, corners) = outputs(&[(10, 20, 0.9, 8.0)]);
        let found = decode(&heatmap, &corners, 0.5);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].score, 0.9);
        // Centre (82, 42) in detector pixels, a 64x32 box, scaled by 1 / 0.5.
        assert_eq!(found[0].corners[0], Point { x: 100.0, y: 52.0 });
        assert_eq!(found[0].corners[2], Point { x: 228.0, y: 116.0 });
    }

    #[test]
    fn low_scores_and_overlaps_are_dropped() {
        let (heatmap, corners) = outputs(&[
            (10, 20, 0.9, 8.0),
            (10, 23, 0.8, 8.0),
            (60, 60, 0.7, 4.0),
            (100, 100, 0.2, 4.0),
        ]);
        let found = decode(&heatmap, &corners, 1.0);
        let scores: Vec<f32> = found.iter().map(|detection| detection.score).collect();
        assert_eq!(scores, vec![0.9, 0.7]);
    }

    #[test]
    fn only_the_peak_of_a_blob_counts_and_at_most_eight() {
        let mut plates: Vec<(usize, usize, f32, f32)> = (0..12)
            .map(|idx| (5 + idx * 10, 5, 0.5 + idx as f32 / 100.0, 2.0))
            .collect();
        plates.push((5, 6, 0.3, 2.0));
        let (heatmap, corners) = outputs(&plates);
        let found = decode(&heatmap, &corners, 1.0);
        assert_eq!(found.len(), PLATES_MAX);
        assert_eq!(found[0].score, 0.61);
        assert!(found.iter().all(|detection| detection.score != 0.3));
    }
}
