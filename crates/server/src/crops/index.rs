//! The crop index, `images/index.jsonl`: one [`CropRef`] per plate crop of an upload, and
//! the retention side of the crops (listing them, deleting those no kept read needs).

use super::{CropStore, TEMP_INFIX, is_sha256_hex};
use corridor_domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The index file inside the crops' directory.
pub const CROP_INDEX_FILE: &str = "index.jsonl";

/// One use of a crop: the read it belongs to (none for a plate not stored as a read), when
/// and by which camera it was taken. A crop shared by several reads has one ref per read.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CropRef {
    /// The crop file's name: SHA-256 of its PNG bytes.
    pub sha256: String,
    /// The read taken from this crop, if it was stored as one.
    pub read_id: Option<String>,
    /// When the image was taken (for a crop found on disk without a ref: its file's time).
    pub ts: Timestamp,
    /// The camera that took it; unknown for a crop found without a ref.
    pub camera_id: Option<String>,
    /// The plate's country, when the reader was sure of it.
    pub country: Option<String>,
    /// The normalised plate text, when the reading is a plate.
    pub plate: Option<String>,
}

impl CropRef {
    /// Unique among the refs: `<sha256>:<read id>`, or `<sha256>` for a crop without a read.
    pub fn id(&self) -> String {
        match &self.read_id {
            Some(read_id) => format!("{}:{read_id}", self.sha256),
            None => self.sha256.clone(),
        }
    }
}

/// What [`CropStore::remove_refs`] deleted.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct CropPurge {
    /// Refs removed from the index.
    pub n_refs_removed: u64,
    /// Crop files deleted: no kept ref names them any more.
    pub n_files_removed: u64,
    /// Temporary files of interrupted writes deleted.
    pub n_temp_files_removed: u64,
}

impl CropStore {
    /// Appends refs to the index and waits for the disk; call it before storing the crops.
    pub(crate) fn index_durable(&self, refs: &[CropRef]) -> std::io::Result<()> {
        if refs.is_empty() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir)?;
        let lines = encode_lines(refs);
        let path = self.index_path();
        let created = !path.exists();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        file.write_all(&lines)?;
        file.sync_data()?;
        if created {
            std::fs::File::open(&self.dir)?.sync_all()?;
        }
        Ok(())
    }

    /// Every ref: the index (one per id, the latest time kept), then each crop file that no
    /// ref names, dated by its modification time. For retention; the server must not run.
    pub fn refs(&self) -> std::io::Result<Vec<CropRef>> {
        let mut by_id: BTreeMap<String, CropRef> = BTreeMap::new();
        for crop_ref in read_index(&self.index_path())? {
            match by_id.get_mut(&crop_ref.id()) {
                Some(known) => known.ts = known.ts.max(crop_ref.ts),
                None => {
                    by_id.insert(crop_ref.id(), crop_ref);
                }
            }
        }
        let indexed: BTreeSet<String> = by_id.values().map(|r| r.sha256.clone()).collect();
        let mut refs: Vec<CropRef> = by_id.into_values().collect();
        for (sha256, path) in self.crop_files()? {
            if !indexed.contains(&sha256) {
                refs.push(unindexed_ref(sha256, &path)?);
            }
        }
        Ok(refs)
    }

    /// The crop files of these reads, as `(read id, file)` sorted by read id (for evidence
    /// bundles): indexed refs whose file is on disk. Safe while the server runs: only
    /// complete index lines are read, and a crop indexed but not yet stored is left out.
    pub fn images_of_reads(
        &self,
        read_ids: &BTreeSet<&str>,
    ) -> std::io::Result<Vec<(String, PathBuf)>> {
        let mut images: BTreeMap<String, PathBuf> = BTreeMap::new();
        for crop_ref in read_index(&self.index_path())? {
            let Some(read_id) = crop_ref.read_id else {
                continue;
            };
            if !read_ids.contains(read_id.as_str()) || !is_sha256_hex(&crop_ref.sha256) {
                continue;
            }
            let path = self.path_of(&crop_ref.sha256);
            if path.exists() {
                images.insert(read_id, path);
            }
        }
        Ok(images.into_iter().collect())
    }

    /// Removes the refs with these ids ([`CropRef::id`]), deletes every crop file that no
    /// remaining ref names and every temporary file of an interrupted write, then rewrites
    /// the index (temporary file, fsync, rename, fsync dir). Files go first: a crash in
    /// between leaves refs to missing files, which the next run removes again.
    pub fn remove_refs(&self, ids: &BTreeSet<String>) -> std::io::Result<CropPurge> {
        let (doomed, kept): (Vec<CropRef>, Vec<CropRef>) = self
            .refs()?
            .into_iter()
            .partition(|crop_ref| ids.contains(&crop_ref.id()));
        let kept_files: BTreeSet<&str> = kept.iter().map(|r| r.sha256.as_str()).collect();
        let doomed_files: BTreeSet<&str> = doomed
            .iter()
            .map(|r| r.sha256.as_str())
            .filter(|sha256| !kept_files.contains(sha256))
            .collect();
        let mut purge = CropPurge {
            n_refs_removed: doomed.len() as u64,
            ..CropPurge::default()
        };
        let mut folders = BTreeSet::new();
        for sha256 in doomed_files {
            let path = self.path_of(sha256);
            purge.n_files_removed += u64::from(remove_if_present(&path)?);
            folders.insert(path.parent().expect("a crop path has a folder").to_owned());
        }
        for temp in self.temp_files()? {
            purge.n_temp_files_removed += u64::from(remove_if_present(&temp)?);
            folders.insert(temp.parent().expect("a temp file has a folder").to_owned());
        }
        for folder in folders {
            std::fs::File::open(&folder)?.sync_all()?;
        }
        if purge.n_refs_removed > 0 || self.index_path().exists() {
            self.rewrite_index(&kept)?;
        }
        Ok(purge)
    }

    fn index_path(&self) -> PathBuf {
        self.dir.join(CROP_INDEX_FILE)
    }

    fn rewrite_index(&self, refs: &[CropRef]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let lines = encode_lines(refs);
        let path = self.index_path();
        let temp = path.with_extension("jsonl.tmp");
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&lines)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, &path)?;
        std::fs::File::open(&self.dir)?.sync_all()
    }

    /// `(sha256, path)` of every stored crop file.
    fn crop_files(&self) -> std::io::Result<Vec<(String, PathBuf)>> {
        Ok(self
            .folder_files()?
            .into_iter()
            .filter_map(|path| {
                let sha256 = path.file_name()?.to_str()?.strip_suffix(".png")?;
                is_sha256_hex(sha256).then(|| (sha256.to_owned(), path.clone()))
            })
            .collect())
    }

    fn temp_files(&self) -> std::io::Result<Vec<PathBuf>> {
        Ok(self
            .folder_files()?
            .into_iter()
            .filter(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.contains(TEMP_INFIX))
            })
            .collect())
    }

    /// Every file in the two-character folders of the crops' directory.
    fn folder_files(&self) -> std::io::Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        let folders = match std::fs::read_dir(&self.dir) {
            Ok(folders) => folders,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(files),
            Err(error) => return Err(error),
        };
        for folder in folders {
            let folder = folder?.path();
            if folder.is_dir() {
                for file in std::fs::read_dir(&folder)? {
                    files.push(file?.path());
                }
            }
        }
        files.sort();
        Ok(files)
    }
}

/// One JSON line per ref.
fn encode_lines(refs: &[CropRef]) -> Vec<u8> {
    let mut lines = Vec::new();
    for crop_ref in refs {
        serde_json::to_writer(&mut lines, crop_ref).expect("crop refs serialise");
        lines.push(b'\n');
    }
    lines
}

/// The refs of the index file; a torn last line (a crash while appending, before its crop
/// was written) is skipped, a bad line before it is an error naming the line.
fn read_index(path: &Path) -> std::io::Result<Vec<CropRef>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let complete = text.rfind('\n').map_or("", |end| &text[..=end]);
    complete
        .lines()
        .enumerate()
        .map(|(line_idx, line)| {
            serde_json::from_str(line).map_err(|error| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}:{}: {error}", path.display(), line_idx + 1),
                )
            })
        })
        .collect()
}

fn unindexed_ref(sha256: String, path: &Path) -> std::io::Result<CropRef> {
    let modified = std::fs::metadata(path)?.modified()?;
    let ts = chrono::DateTime::<chrono::Utc>::from(modified).timestamp_micros();
    Ok(CropRef {
        sha256,
        read_id: None,
        ts,
        camera_id: None,
        country: None,
        plate: None,
    })
}

/// Deletes a file; `false` when it was already gone.
fn remove_if_present(path: &Path) -> std::io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}
