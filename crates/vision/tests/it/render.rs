//! Generated test images: a number plate drawn with DejaVu Sans Condensed Bold (committed
//! with its licence in `tests/fonts/`), pasted on a car body in a larger scene.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{Rgb, RgbImage};

static FONT_TTF: &[u8] = include_bytes!("../fonts/DejaVuSansCondensed-Bold.ttf");

/// How a plate looks.
#[derive(Clone, Debug)]
pub(crate) struct PlateStyle {
    pub(crate) background: Rgb<u8>,
    pub(crate) ink: Rgb<u8>,
    /// Pixels.
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Lines of text, top first (one or two).
    pub(crate) lines: Vec<&'static str>,
}

impl PlateStyle {
    pub(crate) fn white(text: &'static str) -> PlateStyle {
        PlateStyle {
            background: Rgb([245, 245, 240]),
            ink: Rgb([15, 15, 15]),
            width: 260,
            height: 56,
            lines: vec![text],
        }
    }

    pub(crate) fn yellow(text: &'static str) -> PlateStyle {
        PlateStyle {
            background: Rgb([250, 205, 20]),
            ..PlateStyle::white(text)
        }
    }

    /// A squat plate with two lines (motorcycles, some imports).
    pub(crate) fn two_line(top: &'static str, bottom: &'static str) -> PlateStyle {
        PlateStyle {
            width: 150,
            height: 110,
            lines: vec![top, bottom],
            ..PlateStyle::white(top)
        }
    }
}

/// The plate alone: background, a dark border and the characters, centred line by line.
pub(crate) fn render_plate(style: &PlateStyle) -> RgbImage {
    let mut plate = RgbImage::from_pixel(style.width, style.height, style.background);
    let border = (style.height / 16).max(2);
    for y in 0..style.height {
        for x in 0..style.width {
            let edge =
                x < border || y < border || x >= style.width - border || y >= style.height - border;
            if edge {
                plate.put_pixel(x, y, style.ink);
            }
        }
    }
    let font = FontRef::try_from_slice(FONT_TTF).expect("the committed font parses");
    let n_lines = style.lines.len() as f32;
    let line_height = (style.height - 2 * border) as f32 / n_lines;
    let scale = PxScale::from(line_height * 0.95);
    let scaled = font.as_scaled(scale);
    for (line_idx, line) in style.lines.iter().enumerate() {
        let text_width: f32 = line
            .chars()
            .map(|ch| scaled.h_advance(font.glyph_id(ch)))
            .sum();
        let mut pen_x = (style.width as f32 - text_width) / 2.0;
        let top = border as f32 + line_idx as f32 * line_height;
        let baseline = top + (line_height + scaled.ascent() + scaled.descent()) / 2.0;
        for ch in line.chars() {
            let glyph_id = font.glyph_id(ch);
            let glyph = glyph_id.with_scale_and_position(scale, point(pen_x, baseline));
            pen_x += scaled.h_advance(glyph_id);
            if let Some(outline) = font.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    let x = bounds.min.x as i64 + i64::from(gx);
                    let y = bounds.min.y as i64 + i64::from(gy);
                    if (0..i64::from(style.width)).contains(&x)
                        && (0..i64::from(style.height)).contains(&y)
                    {
                        let (x, y) = (x as u32, y as u32);
                        let under = *plate.get_pixel(x, y);
                        plate.put_pixel(x, y, blend(under, style.ink, coverage));
                    }
                });
            }
        }
    }
    plate
}

/// A 1280x720 street scene with a car body of `body` colour and the plate on it; returns
/// the image and the plate's box `[x, y, w, h]`.
pub(crate) fn render_scene(
    style: &PlateStyle,
    body: Rgb<u8>,
    at: (u32, u32),
) -> (RgbImage, [f32; 4]) {
    let (width, height) = (1280, 720);
    let mut scene = RgbImage::from_fn(width, height, |x, y| {
        let shade = 90 + ((x + 2 * y) % 60) as u8;
        Rgb([shade, shade, shade.saturating_add(8)])
    });
    let plate = render_plate(style);
    let (plate_x, plate_y) = at;
    let body_left = plate_x.saturating_sub(style.width * 2);
    let body_top = plate_y.saturating_sub(style.height * 3);
    let body_right = (plate_x + style.width * 3).min(width);
    let body_bottom = (plate_y + style.height * 2).min(height);
    for y in body_top..body_bottom {
        for x in body_left..body_right {
            scene.put_pixel(x, y, body);
        }
    }
    image::imageops::overlay(&mut scene, &plate, i64::from(plate_x), i64::from(plate_y));
    let label = [
        plate_x as f32,
        plate_y as f32,
        style.width as f32,
        style.height as f32,
    ];
    (scene, label)
}

/// The scene as an infrared camera sees it: grey, low contrast.
pub(crate) fn infrared(scene: &RgbImage) -> RgbImage {
    RgbImage::from_fn(scene.width(), scene.height(), |x, y| {
        let [red, green, blue] = scene.get_pixel(x, y).0;
        let grey = (u32::from(red) + u32::from(green) + u32::from(blue)) / 3;
        let low = (60 + grey * 100 / 255) as u8;
        Rgb([low, low, low])
    })
}

pub(crate) fn encode_png(image: &RgbImage) -> Vec<u8> {
    encode(image, image::ImageFormat::Png)
}

pub(crate) fn encode_jpeg(image: &RgbImage) -> Vec<u8> {
    encode(image, image::ImageFormat::Jpeg)
}

fn encode(image: &RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut bytes), format)
        .expect("encoding in memory cannot fail");
    bytes
}

fn blend(under: Rgb<u8>, over: Rgb<u8>, coverage: f32) -> Rgb<u8> {
    let coverage = coverage.clamp(0.0, 1.0);
    Rgb(std::array::from_fn(|channel| {
        let mixed =
            f32::from(under.0[channel]) * (1.0 - coverage) + f32::from(over.0[channel]) * coverage;
        mixed.round() as u8
    }))
}
