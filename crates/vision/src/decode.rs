//! Image bytes (JPEG or PNG) to RGB pixels, with limits on size and memory.

use crate::VisionError;
use image::{ImageError, ImageFormat, ImageReader, RgbImage};
use std::io::Cursor;

/// The longest side, in pixels, of an image the reader accepts.
pub const IMAGE_SIDE_MAX: u32 = 8192;

/// The most memory the decoder may allocate for one image.
const DECODE_ALLOC_BYTES_MAX: u64 = 512 << 20;

/// Decodes a JPEG or PNG into RGB pixels; any other input is an error, never a panic.
///
/// ```
/// let error = corridor_vision::decode_image(b"not an image").unwrap_err();
/// assert!(error.to_string().contains("JPEG or a PNG"));
/// ```
pub fn decode_image(bytes: &[u8]) -> Result<RgbImage, VisionError> {
    if bytes.is_empty() {
        return Err(VisionError::EmptyImage);
    }
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => ("JPEG", ImageFormat::Jpeg),
        Ok(ImageFormat::Png) => ("PNG", ImageFormat::Png),
        Ok(other) => {
            return Err(VisionError::UnsupportedFormat {
                found: format!("{other:?}"),
            });
        }
        Err(_) => {
            return Err(VisionError::UnsupportedFormat {
                found: describe_magic(bytes),
            });
        }
    };
    let (format_name, format) = format;
    if format == ImageFormat::Jpeg && !has_end_of_image(bytes) {
        // The decoder would fill the missing rows with grey and read a plate off half a
        // picture; a cut-off upload is refused instead.
        return Err(VisionError::BadImage {
            format: format_name,
            reason: "truncated: no end-of-image marker after the last scan".to_owned(),
        });
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(IMAGE_SIDE_MAX);
    limits.max_image_height = Some(IMAGE_SIDE_MAX);
    limits.max_alloc = Some(DECODE_ALLOC_BYTES_MAX);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|error| match error {
        ImageError::Limits(limits) => VisionError::TooLarge {
            format: format_name,
            reason: limits.to_string(),
        },
        other => VisionError::BadImage {
            format: format_name,
            reason: other.to_string(),
        },
    })?;
    let rgb = decoded.into_rgb8();
    if rgb.width() == 0 || rgb.height() == 0 {
        return Err(VisionError::NoPixels {
            width: rgb.width(),
            height: rgb.height(),
        });
    }
    Ok(rgb)
}

/// Whether a JPEG ends its last scan with an end-of-image marker (FF D9). Inside
/// entropy-coded data an FF byte is always followed by 00 or a restart marker, so the
/// markers found here are real; an embedded thumbnail's EOI comes before the main image's
/// scans and does not count.
fn has_end_of_image(bytes: &[u8]) -> bool {
    let last_marker = |marker: u8| bytes.windows(2).rposition(|pair| pair == [0xff, marker]);
    match (last_marker(0xda), last_marker(0xd9)) {
        (Some(scan), Some(end)) => end > scan,
        (None, Some(_)) => true,
        _ => false,
    }
}

/// The first bytes of an unrecognised input, for the error message.
fn describe_magic(bytes: &[u8]) -> String {
    let head: Vec<String> = bytes
        .iter()
        .take(4)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("first bytes {}", head.join(" "))
}
