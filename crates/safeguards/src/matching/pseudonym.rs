//! Keyed pseudonyms: HMAC-SHA256 of `COUNTRY|PLATE` under a per-agreement key.

use crate::error::{Result, SafeguardsError};
use crate::util;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeSet;
use std::path::Path;

/// A 256-bit key shared by the two parties of one sharing agreement.
#[derive(Clone, PartialEq, Eq)]
pub struct PseudonymKey([u8; 32]);

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PseudonymKey(<redacted>)")
    }
}

impl PseudonymKey {
    /// A fresh random key.
    pub fn generate() -> PseudonymKey {
        PseudonymKey(util::random_bytes::<32>())
    }

    /// A key from its bytes (as agreed with the partner out of band).
    pub fn from_bytes(bytes: [u8; 32]) -> PseudonymKey {
        PseudonymKey(bytes)
    }

    /// Loads the key in `path` (64 hex digits), creating a random one if the file is absent.
    pub fn load_or_create(path: &Path) -> Result<PseudonymKey> {
        match std::fs::read_to_string(path) {
            Ok(text) => hex::decode(text.trim())
                .ok()
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .map(PseudonymKey)
                .ok_or_else(|| {
                    SafeguardsError::corrupt(path, "expected 64 hex digits of a pseudonym key")
                }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let key = PseudonymKey::generate();
                util::write_atomic(path, format!("{}\n", hex::encode(key.0)).as_bytes())?;
                Ok(key)
            }
            Err(err) => Err(SafeguardsError::io(path, err)),
        }
    }

    /// The pseudonym of a normalised `COUNTRY|PLATE` (see [`super::normalise`]).
    pub fn pseudonym_of_normalised(&self, normalised: &str) -> Pseudonym {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC takes keys of any length");
        mac.update(b"corridor-pseudonym-v1|");
        mac.update(normalised.as_bytes());
        Pseudonym(hex::encode(mac.finalize().into_bytes()))
    }

    /// The pseudonym of a plate as read (normalised first).
    pub fn pseudonym(&self, country: Option<&str>, plate: &str) -> Result<Pseudonym> {
        Ok(self.pseudonym_of_normalised(&super::normalise(country, plate)?))
    }
}

/// A pseudonym as it crosses the wire: 64 hex digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pseudonym(pub String);

/// The pseudonyms of ours that the other side also has; the caller maps them back.
pub fn intersect(ours: &[Pseudonym], theirs: &BTreeSet<Pseudonym>) -> BTreeSet<Pseudonym> {
    ours.iter()
        .filter(|pseudonym| theirs.contains(*pseudonym))
        .cloned()
        .collect()
}
