//! The one error type of the domain crate.

/// Why a value from outside was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("plate `{raw}`: {reason}")]
    BadPlate { raw: String, reason: &'static str },
    #[error("country `{raw}`: expected a two-letter ISO 3166-1 code")]
    BadCountry { raw: String },
    #[error("field `{field}`: {reason}")]
    BadField { field: &'static str, reason: String },
}
