//! Hostile and broken input: every case is an error that names the problem, never a panic.

use crate::reader;
use crate::render::{PlateStyle, encode_jpeg, encode_png, render_scene};
use corridor_vision::{VisionError, decode_image};
use image::Rgb;
use proptest::prelude::*;

fn small_scene() -> image::RgbImage {
    let (scene, _) = render_scene(
        &PlateStyle::white("AB12CDE"),
        Rgb([200, 30, 30]),
        (500, 400),
    );
    image::imageops::resize(&scene, 320, 180, image::imageops::FilterType::Triangle)
}

#[track_caller]
fn check_error(bytes: &[u8], expected_words: &str) {
    let error = decode_image(bytes).expect_err("broken input must not decode");
    let message = error.to_string();
    assert!(
        message.contains(expected_words),
        "{message:?} lacks {expected_words:?}"
    );
    let from_reader = reader()
        .read_image(bytes)
        .expect_err("the reader refuses it too");
    assert_eq!(from_reader.to_string(), message);
}

#[test]
fn empty_and_unknown_input_is_refused_by_name() {
    check_error(b"", "empty image");
    check_error(b"GIF89a\x01\x00\x01\x00", "unsupported image format");
    check_error(b"hello, this is text", "first bytes 68 65 6c 6c");
}

#[test]
fn truncated_jpeg_is_an_error() {
    let jpeg = encode_jpeg(&small_scene());
    for keep in [3, 20, 200, jpeg.len() / 2] {
        let error = decode_image(&jpeg[..keep]).expect_err("truncated JPEG");
        assert!(
            matches!(error, VisionError::BadImage { format: "JPEG", .. }),
            "{keep} bytes: {error}"
        );
    }
}

#[test]
fn truncated_and_corrupt_png_is_an_error() {
    let png = encode_png(&small_scene());
    for keep in [8, 16, 40, png.len() / 2, png.len() - 13] {
        check_error(&png[..keep], "cannot decode the PNG image");
    }
    let mut corrupt = png.clone();
    // Break the first chunk's CRC.
    corrupt[29] ^= 0xff;
    check_error(&corrupt, "cannot decode the PNG image");
}

#[test]
fn oversized_dimensions_are_refused_before_allocating() {
    // A PNG header claiming 100000 x 100000 pixels.
    let mut png = encode_png(&image::RgbImage::new(1, 1));
    png[16..20].copy_from_slice(&100_000_u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000_u32.to_be_bytes());
    let error = decode_image(&png).expect_err("too large");
    assert!(
        matches!(
            error,
            VisionError::TooLarge { .. } | VisionError::BadImage { .. }
        ),
        "{error}"
    );
}

#[test]
fn valid_jpeg_and_png_decode_to_their_size() {
    let scene = small_scene();
    for bytes in [encode_png(&scene), encode_jpeg(&scene)] {
        let decoded = decode_image(&bytes).expect("valid image");
        assert_eq!(decoded.dimensions(), (320, 180));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = decode_image(&bytes);
    }

    #[test]
    fn bytes_behind_an_image_signature_never_panic(
        png in any::<bool>(),
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes: Vec<u8> = if png {
            b"\x89PNG\r\n\x1a\n".to_vec()
        } else {
            vec![0xff, 0xd8, 0xff, 0xe0]
        };
        bytes.extend(tail);
        let _ = decode_image(&bytes);
    }
}

proptest! {
    // Each decodable case runs both models: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn mutated_images_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        jpeg in any::<bool>(),
    ) {
        let image = image::RgbImage::from_fn(48, 32, |x, y| Rgb([(x * 5) as u8, (y * 7) as u8, 90]));
        let mut bytes = if jpeg { encode_jpeg(&image) } else { encode_png(&image) };
        for (at, value) in flips {
            let at = at.index(bytes.len());
            bytes[at] ^= value;
        }
        let keep = cut.index(bytes.len()) + 1;
        let _ = reader().read_image(&bytes[..keep]);
    }
}
