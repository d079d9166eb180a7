//! Ed25519 signing keys on disk: created once, kept private, public half exportable.

use crate::error::{Result, SafeguardsError};
use crate::util;
use ed25519_dalek::{SigningKey, VerifyingKey};
use std::path::Path;

/// Loads the signing key stored at `path` (64 hex digits of the secret seed), creating a
/// fresh random one (file mode 0600) if the file does not exist.
pub fn load_or_create_signing_key(path: &Path) -> Result<SigningKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_signing_key(path, &text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let key = SigningKey::from_bytes(&util::random_bytes::<32>());
            util::write_atomic(
                path,
                format!("{}\n", hex::encode(key.to_bytes())).as_bytes(),
            )?;
            restrict_permissions(path)?;
            Ok(key)
        }
        Err(err) => Err(SafeguardsError::io(path, err)),
    }
}

fn parse_signing_key(path: &Path, text: &str) -> Result<SigningKey> {
    let seed: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            SafeguardsError::corrupt(path, "expected 64 hex digits of an Ed25519 secret key")
        })?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|err| SafeguardsError::io(path, err))
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> Result<()> {
    Ok(())
}

/// The public key as 64 hex digits, the form exported to auditors and courts.
pub fn public_key_hex(key: &VerifyingKey) -> String {
    hex::encode(key.to_bytes())
}

/// Parses a public key from 64 hex digits.
pub fn parse_public_key(raw: &str) -> Result<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(raw.trim())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            SafeguardsError::invalid(
                "public_key",
                "expected 64 hex digits of an Ed25519 public key",
            )
        })?;
    VerifyingKey::from_bytes(&bytes).map_err(|err| {
        SafeguardsError::invalid("public_key", format!("not a valid Ed25519 point: {err}"))
    })
}

/// Reads a public key file (64 hex digits).
pub fn read_public_key(path: &Path) -> Result<VerifyingKey> {
    let text = std::fs::read_to_string(path).map_err(|err| SafeguardsError::io(path, err))?;
    parse_public_key(&text).map_err(|err| SafeguardsError::corrupt(path, err.to_string()))
}

/// A short fingerprint of a public key (first 16 hex digits of its SHA-256), for humans.
pub fn fingerprint(key: &VerifyingKey) -> String {
    util::sha256_hex(&key.to_bytes())[..16].to_owned()
}
