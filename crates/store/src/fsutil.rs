//! Small file-system helpers: directory fsync, atomic file replacement, sizes.

use crate::Error;
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// Makes the entries of `dir` (creations, renames, deletions) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), Error> {
    File::open(dir)
        .and_then(|file| file.sync_all())
        .map_err(|err| Error::io("syncing directory", dir, err))
}

/// Replaces `path` with `bytes` atomically and durably: write a temporary file, fsync it,
/// rename it over `path`, fsync the directory.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let tmp = path.with_extension("tmp");
    let mut file = File::create(&tmp).map_err(|err| Error::io("creating", &tmp, err))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|err| Error::io("writing", &tmp, err))?;
    std::fs::rename(&tmp, path).map_err(|err| Error::io("renaming into place", path, err))?;
    sync_dir(path.parent().expect("store files live in a directory"))
}

/// Total size of the regular files under `dir`, recursively.
pub(crate) fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => dir_bytes(&entry.path()),
            Ok(kind) if kind.is_file() => entry.metadata().map(|meta| meta.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

/// Creates `dir` and its parents.
pub(crate) fn create_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|err| Error::io("creating directory", dir, err))
}
