//! Plate text normalisation and the identity of a plate (text plus country).

use crate::{Country, DomainError};
use std::fmt;

/// The longest plate text accepted, after normalisation.
pub const PLATE_LEN_MAX: usize = 12;

/// Normalised plate characters: upper-case ASCII letters and digits, nothing else.
///
/// Spaces, dashes, dots and the like are removed; anything else is an error.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlateText(String);

impl PlateText {
    /// Normalises raw text as read from a plate or typed by a user.
    ///
    /// ```
    /// # use corridor_domain::PlateText;
    /// assert_eq!(PlateText::parse(" ab.12-cd e").unwrap().as_str(), "AB12CDE");
    /// assert!(PlateText::parse("--").is_err());
    /// ```
    pub fn parse(raw: &str) -> Result<PlateText, DomainError> {
        let mut text = String::with_capacity(raw.len());
        for ch in raw.chars() {
            match ch {
                'a'..='z' | 'A'..='Z' | '0'..='9' => text.push(ch.to_ascii_uppercase()),
                ' ' | '-' | '.' | '_' | '\t' | '\u{b7}' => {}
                _ => {
                    return Err(DomainError::BadPlate {
                        raw: raw.to_owned(),
                        reason: "only letters, digits, spaces, dashes and dots are allowed",
                    });
                }
            }
        }
        if text.is_empty() {
            return Err(DomainError::BadPlate {
                raw: raw.to_owned(),
                reason: "empty plate",
            });
        }
        if text.len() > PLATE_LEN_MAX {
            return Err(DomainError::BadPlate {
                raw: raw.to_owned(),
                reason: "longer than 12 characters",
            });
        }
        Ok(PlateText(text))
    }

    /// The normalised characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps text that is already normalised (made inside this crate from normalised text).
    pub(crate) fn from_normalised(bytes: &[u8]) -> PlateText {
        debug_assert!(
            !bytes.is_empty()
                && bytes.len() <= PLATE_LEN_MAX
                && bytes
                    .iter()
                    .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit()),
            "not normalised plate text: {bytes:?}"
        );
        PlateText(bytes.iter().map(|byte| char::from(*byte)).collect())
    }
}

impl fmt::Debug for PlateText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for PlateText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The identity of a vehicle's plate: the same characters issued by two countries are two
/// vehicles. `country` is `None` when the read did not say and nobody has guessed.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct PlateKey {
    pub text: PlateText,
    pub country: Option<Country>,
}
