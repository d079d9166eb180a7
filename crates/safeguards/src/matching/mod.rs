//! Matching without disclosure: keyed pseudonyms and private set intersection.
//!
//! Two ways for a partner to check its hotlist against our reads (and we against theirs)
//! without either side seeing plates that did not match:
//!
//! - [`pseudonym`]: HMAC-SHA256 under a per-agreement key shared by both sides. Cheap and
//!   simple; protects against anyone on the wire or holding the exchanged files without the
//!   key. Either key holder can brute-force the small plate space, so it protects only
//!   against outsiders.
//! - [`psi`]: Diffie-Hellman private set intersection on Ristretto255. Each side blinds with
//!   its own secret scalar; neither side can test a guessed plate against the other's set,
//!   so even the partner learns only the plates that match.
//!
//! See `docs/threat-model.md` for what each protects against.

pub mod pseudonym;
pub mod psi;

/// The normal form matched on: `COUNTRY|PLATE`, upper case, plate characters only.
///
/// An unknown country is written `--`, so that `AB12CDE` from an unknown country only
/// matches the same unknown-country form on the other side.
pub fn normalise(country: Option<&str>, plate: &str) -> crate::error::Result<String> {
    let plate = corridor_domain::PlateText::parse(plate)
        .map_err(|err| crate::error::SafeguardsError::invalid("plate", err.to_string()))?;
    let country = match country {
        Some(raw) => corridor_domain::Country::parse(raw)
            .map_err(|err| crate::error::SafeguardsError::invalid("country", err.to_string()))?
            .as_str()
            .to_owned(),
        None => "--".to_owned(),
    };
    Ok(format!("{country}|{}", plate.as_str()))
}
