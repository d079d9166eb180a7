//! The crate's error type.

/// Why an image could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VisionError {
    /// The input held no bytes at all.
    #[error("empty image: no bytes were given")]
    EmptyImage,
    /// The bytes are neither a JPEG nor a PNG.
    #[error("unsupported image format ({found}); send a JPEG or a PNG")]
    UnsupportedFormat {
        /// What the first bytes look like.
        found: String,
    },
    /// The bytes claim a supported format but do not decode (corrupt or truncated).
    #[error("cannot decode the {format} image: {reason}")]
    BadImage {
        /// `JPEG` or `PNG`.
        format: &'static str,
        /// The decoder's explanation.
        reason: String,
    },
    /// The image is larger than [`crate::IMAGE_SIDE_MAX`] on a side or needs too much memory.
    #[error("the {format} image is too large to decode: {reason}")]
    TooLarge {
        /// `JPEG` or `PNG`.
        format: &'static str,
        /// The limit that was hit.
        reason: String,
    },
    /// The image has no pixels.
    #[error("the image has no pixels ({width}x{height})")]
    NoPixels {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// An embedded model failed to load or to run: a broken build, not bad input.
    #[error("the {model} model failed: {reason}")]
    Model {
        /// `plate-detector` or `plate-reader`.
        model: &'static str,
        /// tract's explanation, with its causes.
        reason: String,
    },
    /// The plate crop could not be encoded as PNG.
    #[error("cannot encode the plate crop as PNG: {reason}")]
    EncodeCrop {
        /// The encoder's explanation.
        reason: String,
    },
}
