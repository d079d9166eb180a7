//! The crop store and its index on real files.

use super::*;
use std::collections::BTreeSet;

fn crop_ref(sha256: &str, read_id: Option<&str>, plate: &str, ts: i64) -> CropRef {
    CropRef {
        sha256: sha256.to_owned(),
        read_id: read_id.map(str::to_owned),
        ts,
        camera_id: Some("cam-1".to_owned()),
        country: Some("GB".to_owned()),
        plate: Some(plate.to_owned()),
    }
}

/// Every file under `dir` with its bytes as (lossy) text.
fn all_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(all_files(&path));
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned();
            files.push((path, text));
        }
    }
    files
}

#[test]
fn crops_are_stored_once_by_hash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let crops = CropStore::new(dir.path());
    let sha256 = crops.put(b"png bytes").expect("stored");
    assert!(is_sha256_hex(&sha256));
    assert_eq!(sha256, crop_sha256(b"png bytes"));
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

#[test]
fn a_shared_crop_goes_with_its_last_ref_and_its_plate_leaves_the_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let crops = CropStore::new(dir.path());
    let shared = crop_sha256(b"shared crop");
    let alone = crop_sha256(b"crop of one read");
    let refs = [
        crop_ref(&shared, Some("r-1"), "AB12CDE", 10),
        crop_ref(&shared, Some("r-2"), "AB12CDE", 20),
        crop_ref(&alone, Some("r-3"), "XY99ZZZ", 30),
        // A retried upload indexes the same ref again.
        crop_ref(&alone, Some("r-3"), "XY99ZZZ", 30),
    ];
    crops.index_durable(&refs).expect("indexed");
    crops.put(b"shared crop").expect("stored");
    crops.put(b"crop of one read").expect("stored");
    let listed = crops.refs().expect("refs");
    assert_eq!(listed.len(), 3, "{listed:?}");

    let purge = crops
        .remove_refs(&BTreeSet::from([
            format!("{shared}:r-1"),
            format!("{alone}:r-3"),
        ]))
        .expect("removed");
    assert_eq!((purge.n_refs_removed, purge.n_files_removed), (2, 1));
    assert!(
        crops.get(&shared).expect("read").is_some(),
        "r-2 still needs it"
    );
    assert!(crops.get(&alone).expect("read").is_none());
    let files = all_files(dir.path());
    assert!(
        files.iter().all(|(_, text)| !text.contains("XY99ZZZ")),
        "{files:?}"
    );
    assert!(files.iter().all(|(_, text)| !text.contains("r-3")));
    assert!(files.iter().any(|(_, text)| text.contains("AB12CDE")));

    let purge = crops
        .remove_refs(&BTreeSet::from([format!("{shared}:r-2")]))
        .expect("removed");
    assert_eq!((purge.n_refs_removed, purge.n_files_removed), (1, 1));
    assert!(crops.get(&shared).expect("read").is_none());
    assert!(crops.refs().expect("refs").is_empty());
    assert!(
        all_files(dir.path())
            .iter()
            .all(|(_, text)| !text.contains("AB12CDE"))
    );
}

#[test]
fn unindexed_crops_torn_lines_and_temporary_files_are_retention_items_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let crops = CropStore::new(dir.path());
    let legacy = crops.put(b"stored before the index").expect("stored");
    let indexed = crop_sha256(b"indexed crop");
    crops
        .index_durable(&[crop_ref(&indexed, None, "AB12CDE", 5)])
        .expect("indexed");
    crops.put(b"indexed crop").expect("stored");
    // A crash while appending a ref, and another in the middle of writing a crop.
    let index = dir.path().join(IMAGES_DIR).join(CROP_INDEX_FILE);
    let mut text = std::fs::read(&index).expect("index");
    text.extend_from_slice(b"{\"sha256\":\"ab");
    std::fs::write(&index, text).expect("torn");
    let temp = dir
        .path()
        .join(IMAGES_DIR)
        .join(&indexed[..2])
        .join(format!("{indexed}{TEMP_INFIX}4242"));
    std::fs::write(&temp, b"half a crop").expect("temp");

    let refs = crops.refs().expect("refs");
    let ids: Vec<String> = refs.iter().map(CropRef::id).collect();
    assert_eq!(ids, vec![indexed.clone(), legacy.clone()]);
    let legacy_ref = &refs[1];
    assert!(legacy_ref.ts > 1_700_000_000_000_000, "dated by its file");

    let purge = crops
        .remove_refs(&BTreeSet::from([legacy.clone()]))
        .expect("removed");
    assert_eq!(purge.n_temp_files_removed, 1);
    assert!(!temp.exists());
    assert!(crops.get(&legacy).expect("read").is_none());
    let ids: Vec<String> = crops
        .refs()
        .expect("refs")
        .iter()
        .map(CropRef::id)
        .collect();
    assert_eq!(ids, vec![indexed]);
}

#[test]
fn evidence_takes_the_stored_crops_of_the_exported_reads_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let crops = CropStore::new(dir.path());
    let shared = crops.put(b"crop read by two cameras").expect("stored");
    let other = crops.put(b"crop of another case").expect("stored");
    // Indexed before it is stored (the upload order), and never stored: left out.
    let pending = crop_sha256(b"crop still being written");
    crops
        .index_durable(&[
            crop_ref(&shared, Some("r-1"), "AB12CDE", 1),
            crop_ref(&shared, Some("r-2"), "AB12CDE", 2),
            crop_ref(&other, Some("r-9"), "ZZ99ZZZ", 3),
            crop_ref(&pending, Some("r-3"), "AB12CDE", 4),
            crop_ref(&other, None, "NOTAREAD", 5),
        ])
        .expect("indexed");
    let wanted: BTreeSet<&str> = ["r-1", "r-2", "r-3", "r-4"].into_iter().collect();
    let images = crops.images_of_reads(&wanted).expect("listed");
    let path = crops.path_of(&shared);
    assert_eq!(
        images,
        vec![("r-1".to_owned(), path.clone()), ("r-2".to_owned(), path)]
    );
}
