//! The train/validation split of labelled images, shared with the training scripts.
//!
//! An image file `NAME.jpg` is in the validation split iff the first four bytes of the
//! SHA-256 of its file name (`b"NAME.jpg"`, not the path), read big-endian, are 0 modulo 5.

use sha2::{Digest, Sha256};

/// A part of a labelled data set.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Split {
    Train,
    Validation,
    All,
}

impl Split {
    /// Parses `train`, `validation` or `all`.
    pub fn parse(raw: &str) -> Option<Split> {
        match raw {
            "train" => Some(Split::Train),
            "validation" => Some(Split::Validation),
            "all" => Some(Split::All),
            _ => None,
        }
    }

    /// Whether the image file called `file_name` (no folders) belongs to this split.
    pub fn contains(self, file_name: &str) -> bool {
        match self {
            Split::Train => !is_validation(file_name),
            Split::Validation => is_validation(file_name),
            Split::All => true,
        }
    }
}

/// Whether the image file called `file_name` (no folders) is in the validation split.
///
/// ```
/// use corridor_vision::split::is_validation;
/// // sha256("e.jpg") = 1afd8ad5...; 0x1afd8ad5 % 5 == 0.
/// assert!(is_validation("e.jpg"));
/// // sha256("a.jpg") = 509b0d46...; 0x509b0d46 % 5 == 3.
/// assert!(!is_validation("a.jpg"));
/// ```
pub fn is_validation(file_name: &str) -> bool {
    let digest = Sha256::digest(file_name.as_bytes());
    let head = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    head % 5 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values from Python:
    /// `int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % 5 == 0`.
    #[test]
    fn follows_the_documented_rule() {
        let cases = [
            ("a.jpg", false),
            ("d.jpg", false),
            ("e.jpg", true),
            ("3044.jpg", false),
        ];
        for (file_name, expected) in cases {
            assert_eq!(is_validation(file_name), expected, "{file_name}");
            assert_eq!(Split::Validation.contains(file_name), expected);
            assert_eq!(Split::Train.contains(file_name), !expected);
            assert!(Split::All.contains(file_name));
        }
        assert_eq!(Split::parse("validation"), Some(Split::Validation));
        assert_eq!(Split::parse("test"), None);
    }
}
