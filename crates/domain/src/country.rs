//! ISO 3166-1 alpha-2 country codes, as issued on plates.

use crate::DomainError;
use std::fmt;

/// A plate-issuing country, stored as two upper-case ASCII letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    /// Parses a two-letter code, in any case, with surrounding blanks ignored.
    /// `UK` is accepted as an alias of `GB` (it is what the international oval shows).
    pub fn parse(raw: &str) -> Result<Country, DomainError> {
        let trimmed = raw.trim();
        let bytes = trimmed.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(DomainError::BadCountry {
                raw: raw.to_owned(),
            });
        }
        let code = [bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()];
        if &code == b"UK" {
            return Ok(Country(*b"GB"));
        }
        Ok(Country(code))
    }

    /// Builds a country from a constant code; panics on a malformed literal.
    pub const fn from_static(code: &'static str) -> Country {
        let bytes = code.as_bytes();
        assert!(bytes.len() == 2, "country code must have two letters");
        assert!(bytes[0].is_ascii_uppercase() && bytes[1].is_ascii_uppercase());
        Country([bytes[0], bytes[1]])
    }

    /// The two-letter code.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("country codes are ASCII")
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
