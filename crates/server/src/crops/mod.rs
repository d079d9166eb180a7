//! Plate crops on disk, content-addressed: `DATA/images/ab/abcdef....png`, named by the
//! SHA-256 (hex) of their PNG bytes, with an index of which read each crop belongs to.
//!
//! ```text
//! upload -> CropStore::index_durable (images/index.jsonl += CropRef per plate, fsync)
//!        -> CropStore::put (temporary file, fsync, rename, fsync dir) -> the reads' ingest
//! retention -> CropStore::refs (index + unindexed files) -> CropStore::remove_refs
//!              (files no kept ref names, stray temporary files, then the index rewritten)
//! ```
//!
//! Writing the same crop twice is a no-op, so a camera that retries an upload stores
//! nothing new. A crop becomes visible only through an atomic rename of a synced file.
//! The index line is written before the crop, so no crop is ever on disk without one
//! (except those stored before the index existed: retention dates them by their file).

mod index;

pub use index::{CROP_INDEX_FILE, CropPurge, CropRef};

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The crops' directory under the data directory.
pub const IMAGES_DIR: &str = "images";

/// The content-addressed crop files under one directory, and their index.
#[derive(Clone, Debug)]
pub struct CropStore {
    dir: PathBuf,
}

impl CropStore {
    /// The crops of the data directory `data_dir` (nothing is created until a crop is stored).
    pub fn new(data_dir: &Path) -> CropStore {
        CropStore {
            dir: data_dir.join(IMAGES_DIR),
        }
    }

    /// Stores `png` (if not already there) and returns its SHA-256, hex.
    pub(crate) fn put(&self, png: &[u8]) -> std::io::Result<String> {
        let sha256 = crop_sha256(png);
        let path = self.path_of(&sha256);
        if path.exists() {
            return Ok(sha256);
        }
        let folder = path.parent().expect("a crop path has a folder");
        std::fs::create_dir_all(folder)?;
        let temp = folder.join(format!("{sha256}{TEMP_INFIX}{}", std::process::id()));
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

/// What a crop file is named by: the SHA-256 of its bytes, lower-case hex.
pub(crate) fn crop_sha256(png: &[u8]) -> String {
    hex::encode(Sha256::digest(png))
}

/// Temporary crop files are `<sha256>.tmp-<pid>` until renamed.
const TEMP_INFIX: &str = ".tmp-";

/// Whether `text` is a SHA-256 in lower-case hex, as crops are named.
pub(crate) fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests;
