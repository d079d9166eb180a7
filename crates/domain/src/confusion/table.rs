//! The standard OCR error rates for plate fonts (FE-Schrift, Charles Wright, SIV and kin).
//!
//! Figures are per character read, and of the order reported for production ANPR engines:
//! a good camera misreads a few percent of plates, mostly through the pairs below.

/// `(truth, observed, probability)`: how often a true character is read as another.
pub(crate) static SUBSTITUTIONS: &[(u8, u8, f64)] = &[
    // Round shapes.
    (b'O', b'0', 0.030),
    (b'0', b'O', 0.030),
    (b'O', b'D', 0.008),
    (b'D', b'O', 0.010),
    (b'D', b'0', 0.010),
    (b'0', b'D', 0.008),
    (b'O', b'Q', 0.004),
    (b'Q', b'O', 0.015),
    (b'Q', b'0', 0.010),
    (b'0', b'Q', 0.002),
    (b'U', b'O', 0.003),
    (b'C', b'0', 0.002),
    (b'0', b'8', 0.002),
    // Thin strokes.
    (b'I', b'1', 0.030),
    (b'1', b'I', 0.030),
    (b'I', b'L', 0.005),
    (b'L', b'I', 0.005),
    (b'1', b'L', 0.003),
    (b'L', b'1', 0.004),
    (b'I', b'T', 0.003),
    (b'T', b'I', 0.003),
    (b'1', b'T', 0.004),
    (b'T', b'1', 0.004),
    (b'1', b'7', 0.004),
    (b'7', b'1', 0.004),
    (b'J', b'1', 0.002),
    (b'J', b'I', 0.002),
    // Closed loops.
    (b'B', b'8', 0.020),
    (b'8', b'B', 0.020),
    (b'B', b'3', 0.003),
    (b'3', b'8', 0.004),
    (b'8', b'3', 0.004),
    (b'6', b'8', 0.002),
    (b'8', b'6', 0.002),
    (b'9', b'8', 0.002),
    (b'8', b'9', 0.002),
    (b'R', b'B', 0.003),
    (b'B', b'R', 0.002),
    (b'E', b'B', 0.002),
    // S, Z, G and their digit twins.
    (b'S', b'5', 0.020),
    (b'5', b'S', 0.020),
    (b'S', b'8', 0.002),
    (b'Z', b'2', 0.015),
    (b'2', b'Z', 0.015),
    (b'Z', b'7', 0.003),
    (b'7', b'Z', 0.002),
    (b'G', b'6', 0.015),
    (b'6', b'G', 0.015),
    (b'G', b'C', 0.010),
    (b'C', b'G', 0.008),
    (b'G', b'0', 0.003),
    (b'6', b'5', 0.002),
    (b'5', b'6', 0.002),
    (b'9', b'0', 0.002),
    (b'0', b'9', 0.002),
    (b'3', b'9', 0.002),
    // Open letters and their digit twins.
    (b'A', b'4', 0.010),
    (b'4', b'A', 0.010),
    (b'E', b'F', 0.010),
    (b'F', b'E', 0.008),
    (b'P', b'F', 0.003),
    (b'F', b'P', 0.003),
    (b'U', b'V', 0.008),
    (b'V', b'U', 0.008),
    (b'V', b'Y', 0.003),
    (b'Y', b'V', 0.003),
    (b'W', b'V', 0.003),
    (b'V', b'W', 0.002),
    (b'M', b'N', 0.008),
    (b'N', b'M', 0.008),
    (b'N', b'H', 0.006),
    (b'H', b'N', 0.006),
    (b'M', b'H', 0.004),
    (b'H', b'M', 0.004),
    (b'W', b'M', 0.002),
    (b'M', b'W', 0.002),
    (b'K', b'X', 0.006),
    (b'X', b'K', 0.006),
    (b'X', b'Y', 0.002),
    (b'Y', b'X', 0.002),
    (b'P', b'R', 0.008),
    (b'R', b'P', 0.006),
    (b'K', b'R', 0.002),
    (b'R', b'K', 0.002),
];

/// Probability that a character is read as any one character not listed above.
pub(crate) const SUBSTITUTION_FLOOR: f64 = 2e-5;

/// Probability that a character is missed altogether.
pub(crate) const DROP: f64 = 0.004;
/// Thin characters vanish more easily at a distance or under a bolt.
pub(crate) const DROP_THIN: f64 = 0.008;
pub(crate) const THIN: &[u8] = b"1IJLT";

/// Probability that a character is read twice (the segmenter splits a wide glyph).
pub(crate) const DOUBLE: f64 = 0.002;
pub(crate) const DOUBLE_WIDE: f64 = 0.004;
pub(crate) const WIDE: &[u8] = b"MW0O";

/// Probability that a spurious character appears beside a true one, per side and per
/// character inserted: bolts and frame edges are read as `1` or `I`, other marks rarely.
pub(crate) const SPURIOUS_BOLT: f64 = 1.5e-4;
pub(crate) const BOLT: &[u8] = b"1I";
pub(crate) const SPURIOUS_OTHER: f64 = 5e-6;
