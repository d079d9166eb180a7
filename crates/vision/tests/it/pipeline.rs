//! The whole pipeline on generated scenes: what holds whatever the models' weights are.

use crate::reader;
use crate::render::{PlateStyle, encode_jpeg, encode_png, render_scene};
use corridor_vision::{
    ALTERNATIVES_MAX, Layout, PLATES_MAX, PlateFinding, PlateReader, decode_image,
};
use image::Rgb;
use std::sync::Arc;

#[track_caller]
fn check_finding(finding: &PlateFinding, width: u32, height: u32) {
    assert!(
        finding
            .corners
            .iter()
            .all(|point| point.x.is_finite() && point.y.is_finite())
    );
    assert!(
        (0.25..=1.0).contains(&finding.detection_score),
        "{}",
        finding.detection_score
    );
    assert!((0.0..=1.0).contains(&finding.confidence));
    assert!(finding.alternatives.len() <= ALTERNATIVES_MAX);
    if let Some(best) = finding.alternatives.first() {
        assert_eq!(best.text, finding.text);
        assert_eq!(best.probability, finding.confidence);
    }
    for pair in finding.alternatives.windows(2) {
        assert!(pair[0].probability >= pair[1].probability);
        assert_ne!(pair[0].text, pair[1].text);
    }
    assert!(
        finding
            .text
            .chars()
            .all(|ch| ch.is_ascii_digit() || ch.is_ascii_uppercase())
    );
    let crop = finding.crop_box;
    assert!(crop.width > 0 && crop.height > 0);
    assert!(crop.x + crop.width <= width && crop.y + crop.height <= height);
    let png = decode_image(&finding.crop_png).expect("the crop is a PNG");
    assert_eq!(png.dimensions(), (crop.width, crop.height));
    if let Some(country) = finding.country {
        assert!((0.0..=1.0).contains(&country.confidence));
    }
    if finding.layout == Layout::TwoLine {
        assert_eq!(finding.layout.as_str(), "two_line");
    }
}

#[test]
fn a_generated_scene_reads_within_the_contract() {
    let (scene, _) = render_scene(
        &PlateStyle::white("AB12CDE"),
        Rgb([30, 60, 170]),
        (520, 420),
    );
    for bytes in [encode_jpeg(&scene), encode_png(&scene)] {
        let findings = reader().read_image(&bytes).expect("a valid image reads");
        assert!(findings.len() <= PLATES_MAX);
        for finding in &findings {
            check_finding(finding, scene.width(), scene.height());
        }
        let scores: Vec<f32> = findings
            .iter()
            .map(|finding| finding.detection_score)
            .collect();
        assert!(
            scores.windows(2).all(|pair| pair[0] >= pair[1]),
            "{scores:?}"
        );
    }
}

#[test]
fn tiny_tall_and_wide_images_read_without_error() {
    for (width, height) in [(1, 1), (3, 700), (2000, 5), (64, 48)] {
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 251) as u8, (y % 241) as u8, 128])
        });
        let findings = reader().read_rgb(&image).expect("any size reads");
        for finding in &findings {
            check_finding(finding, width, height);
        }
    }
    let empty = image::RgbImage::new(0, 0);
    assert!(reader().read_rgb(&empty).is_err());
}

#[test]
fn one_reader_serves_many_threads_with_the_same_answers() {
    let (scene, _) = render_scene(
        &PlateStyle::yellow("KL63XYZ"),
        Rgb([200, 200, 205]),
        (300, 380),
    );
    let bytes = Arc::new(encode_jpeg(&scene));
    let expected = reader().read_image(&bytes).expect("reads");
    let shared: Arc<PlateReader> = reader();
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let (shared, bytes) = (Arc::clone(&shared), Arc::clone(&bytes));
            std::thread::spawn(move || shared.read_image(&bytes).expect("reads"))
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().expect("no panic"), expected);
    }
}
