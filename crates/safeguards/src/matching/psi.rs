//! Diffie-Hellman private set intersection over Ristretto255.
//!
//! ```text
//!   A (items X, secret a)                      B (items Y, secret b)
//!   H(x)^a for x in X          ------->
//!                              <-------        (H(x)^a)^b in A's order
//!                              <-------        H(y)^b for y in Y, shuffled
//!   (H(y)^b)^a, compare with H(x)^ab: the matches are X ∩ Y
//! ```
//!
//! H hashes `COUNTRY|PLATE` to a group element (SHA-512, then Ristretto's uniform map).
//! Without `b`, A cannot test a guess against H(y)^b; without `a`, B cannot test a guess
//! against H(x)^a. Both see only the size of the other's set, and A sees which of its own
//! items matched.

use crate::error::{Result, SafeguardsError};
use crate::util;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};
use std::collections::HashSet;

/// One side's secret blinding exponent, fresh for each exchange.
pub struct PsiSecret(Scalar);

impl std::fmt::Debug for PsiSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PsiSecret(<redacted>)")
    }
}

/// A blinded element as it crosses the wire: a compressed Ristretto point.
pub type Blinded = [u8; 32];

impl PsiSecret {
    /// A fresh random secret.
    pub fn generate() -> PsiSecret {
        let scalar = Scalar::from_bytes_mod_order_wide(&util::random_bytes::<64>());
        assert!(
            scalar != Scalar::ZERO,
            "a random 512-bit scalar is never zero in practice"
        );
        PsiSecret(scalar)
    }

    /// Blinds our own normalised items: H(x)^secret, in input order.
    pub fn blind(&self, normalised_items: &[String]) -> Vec<Blinded> {
        normalised_items
            .iter()
            .map(|item| (hash_to_group(item) * self.0).compress().to_bytes())
            .collect()
    }

    /// Blinds the other side's blinded items again with our secret, in their order.
    ///
    /// At most `items_max` items are served: a party that sends the whole plate space as
    /// "its set" would learn which plates we hold, so the agreement caps the set size.
    pub fn reblind(&self, theirs: &[Blinded], items_max: usize) -> Result<Vec<Blinded>> {
        if theirs.len() > items_max {
            return Err(SafeguardsError::invalid(
                "psi",
                format!(
                    "{} items sent; the agreement allows at most {items_max}",
                    theirs.len()
                ),
            ));
        }
        theirs
            .iter()
            .enumerate()
            .map(|(item_idx, bytes)| {
                let point = decompress(bytes, item_idx)?;
                Ok((point * self.0).compress().to_bytes())
            })
            .collect()
    }

    /// Blinds our items and shuffles them, for sending to the party that learns the result.
    pub fn blind_shuffled(&self, normalised_items: &[String]) -> Vec<Blinded> {
        let mut blinded = self.blind(normalised_items);
        shuffle(&mut blinded);
        blinded
    }
}

/// The final step for the side that learns the intersection.
///
/// `ours` are our normalised items, `ours_double` the other side's re-blinding of our
/// blinded items (same order), `theirs_single` the other side's blinded items. Returns the
/// indexes of our items that the other side also has.
pub fn intersect(
    secret: &PsiSecret,
    ours: &[String],
    ours_double: &[Blinded],
    theirs_single: &[Blinded],
) -> Result<Vec<usize>> {
    if ours.len() != ours_double.len() {
        return Err(SafeguardsError::invalid(
            "psi",
            format!(
                "{} items sent but {} came back re-blinded",
                ours.len(),
                ours_double.len()
            ),
        ));
    }
    let theirs_double: HashSet<Blinded> = secret
        .reblind(theirs_single, usize::MAX)?
        .into_iter()
        .collect();
    Ok(ours_double
        .iter()
        .enumerate()
        .filter(|(_, double)| theirs_double.contains(*double))
        .map(|(item_idx, _)| item_idx)
        .collect())
}

/// Hashes a normalised item to a Ristretto point.
pub fn hash_to_group(normalised: &str) -> RistrettoPoint {
    let mut hasher = Sha512::new();
    hasher.update(b"corridor-psi-v1|");
    hasher.update(normalised.as_bytes());
    let digest: [u8; 64] = hasher.finalize().into();
    RistrettoPoint::from_uniform_bytes(&digest)
}

fn decompress(bytes: &Blinded, item_idx: usize) -> Result<RistrettoPoint> {
    CompressedRistretto(*bytes).decompress().ok_or_else(|| {
        SafeguardsError::invalid(
            "psi",
            format!("item {item_idx} is not a valid group element"),
        )
    })
}

/// Fisher-Yates with the operating system's randomness, so that order leaks nothing.
fn shuffle(items: &mut [Blinded]) {
    for upper in (1..items.len()).rev() {
        let draw = u64::from_le_bytes(util::random_bytes::<8>());
        let pick = (draw % (upper as u64 + 1)) as usize;
        items.swap(upper, pick);
    }
}
