//! Golden readings of generated plates. They need the trained models: while the embedded
//! models are the placeholders (`models/placeholder.sha256`, random weights), each test
//! says so on stderr and checks nothing else. Replacing the ONNX files turns them on.

use crate::reader;
use crate::render::{PlateStyle, encode_jpeg, infrared, render_scene};
use corridor_vision::{Layout, PlateFinding, VehicleColour, models_are_placeholders};
use image::{Rgb, RgbImage};

fn trained_models() -> bool {
    if models_are_placeholders() {
        eprintln!(
            "skipped: the embedded plate models are placeholders (crates/vision/models/placeholder.sha256)"
        );
        return false;
    }
    true
}

/// Reads `scene` and returns the finding whose box overlaps `label` the most, asserting
/// that it overlaps it well.
#[track_caller]
fn find_plate(scene: &RgbImage, label: [f32; 4]) -> PlateFinding {
    let findings = reader().read_image(&encode_jpeg(scene)).expect("reads");
    let best = findings
        .into_iter()
        .max_by(|a, b| a.iou_with_box(label).total_cmp(&b.iou_with_box(label)))
        .expect("a plate is found");
    assert!(
        best.iou_with_box(label) >= 0.5,
        "box {:?} vs label {label:?}",
        best.corners
    );
    best
}

#[test]
fn reads_a_white_plate_on_a_red_car() {
    if !trained_models() {
        return;
    }
    let (scene, label) = render_scene(
        &PlateStyle::white("AB12CDE"),
        Rgb([190, 25, 30]),
        (520, 430),
    );
    let plate = find_plate(&scene, label);
    assert_eq!(plate.text, "AB12CDE");
    assert_eq!(plate.layout, Layout::OneLine);
    assert_eq!(
        plate
            .country
            .map(|guess| guess.country.as_str().to_owned())
            .as_deref(),
        Some("GB")
    );
    assert_eq!(
        plate.colour.map(|estimate| estimate.colour),
        Some(VehicleColour::Red)
    );
}

#[test]
fn reads_a_yellow_plate_on_a_silver_car() {
    if !trained_models() {
        return;
    }
    let (scene, label) = render_scene(
        &PlateStyle::yellow("KL63XYZ"),
        Rgb([185, 187, 190]),
        (300, 380),
    );
    let plate = find_plate(&scene, label);
    assert_eq!(plate.text, "KL63XYZ");
    assert!(
        plate
            .alternatives
            .iter()
            .any(|alternative| alternative.text == "KL63XYZ")
    );
}

#[test]
fn reads_a_low_contrast_infrared_plate() {
    if !trained_models() {
        return;
    }
    let (scene, label) = render_scene(&PlateStyle::white("GX15OGJ"), Rgb([40, 40, 40]), (700, 300));
    let plate = find_plate(&infrared(&scene), label);
    assert_eq!(plate.text, "GX15OGJ");
}

#[test]
fn reads_a_two_line_plate_top_then_bottom() {
    if !trained_models() {
        return;
    }
    let (scene, label) = render_scene(
        &PlateStyle::two_line("AB", "123CD"),
        Rgb([240, 240, 240]),
        (600, 450),
    );
    let plate = find_plate(&scene, label);
    assert_eq!(plate.layout, Layout::TwoLine);
    assert_eq!(plate.text, "AB123CD");
}
