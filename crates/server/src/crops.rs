//! Plate crops on disk, content-addressed: `DATA/images/ab/abcdef....png`, named by the
//! SHA-256 (hex) of their PNG bytes.
//!
//! Writing the same crop twice is a no-op, so a camera that retries an upload stores
//! nothing new. A crop becomes visible only through an atomic rename of a synced file.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The crops' directory under the data directory.
pub const IMAGES_DIR: &str = "images";

/// The content-addressed crop files under one directory.
#[derive(Debug)]
pub(crate) struct CropStore {
    dir: PathBuf,
}

impl CropStore {
    pub(crate) fn new(data_dir: &Path) -> CropStore {
        CropStore {
            dir: data_dir.join(IMAGES_DIR),
        }
    }

    /// Stores `png` (if not already there) and returns its SHA-256, hex.
    pub(crate) fn put(&self, png: &[u8]) -> std::io::Result<String> {
        let sha256 = hex::encode(Sha256::digest(png));
        let path = self.path_of(&sha256);
        if path.exists() {
            return Ok(sha256);
        }
        let folder = path.parent().expect("a crop path has a folder");
        std::fs::create_dir_all(folder)?;
        let temp = folder.join(format!("{sha256}.tmp-{}", std::process::id()));
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(png)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, &path)?;
        std::fs::File::open(folder)?.sync_all()?;
        Ok(sha256)
    }

    /// The PNG bytes of a stored crop; `None` when no crop has this hash.
    ///
    /// `sha256` must be 64 lower-case hex digits ([`is_sha256_hex`]).
    pub(crate) fn get(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        assert!(
            is_sha256_hex(sha256),
            "crop hashes are checked before lookup"
        );
        match std::fs::read(self.path_of(sha256)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn path_of(&self, sha256: &str) -> PathBuf {
        self.dir.join(&sha256[..2]).join(format!("{sha256}.png"))
    }
}

/// Whether `text` is a SHA-256 in lower-case hex, as crops are named.
pub(crate) fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crops_are_stored_once_by_hash() {
        let dir = tempfile::tempdir().expect("temp dir");
        let crops = CropStore::new(dir.path());
        let sha256 = crops.put(b"png bytes").expect("stored");
        assert!(is_sha256_hex(&sha256));
        assert_eq!(crops.put(b"png bytes").expect("stored again"), sha256);
        let path = dir
            .path()
            .join(IMAGES_DIR)
            .join(&sha256[..2])
            .join(format!("{sha256}.png"));
        assert_eq!(std::fs::read(path).expect("on disk"), b"png bytes");
        assert_eq!(
            crops.get(&sha256).expect("read"),
            Some(b"png bytes".to_vec())
        );
        assert_eq!(crops.get(&"0".repeat(64)).expect("read"), None);
        assert!(!is_sha256_hex("../etc/passwd"));
        assert!(!is_sha256_hex(&"A".repeat(64)));
    }
}
