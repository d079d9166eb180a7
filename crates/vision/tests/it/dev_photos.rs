//! The development photographs in `../shared/datasets/plates-dev` (real cars, labelled):
//! the pipeline decodes and reads them within its contract. Skipped, saying so, where the
//! shared folder is absent (they are not part of the repository).

use crate::reader;
use corridor_vision::decode_image;
use std::path::PathBuf;

fn dev_photos() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets/plates-dev");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}

#[test]
fn real_photographs_decode_and_read() {
    let Some(dir) = dev_photos() else {
        return;
    };
    let mut n_read = 0;
    for folder in ["us", "br"] {
        let mut photos: Vec<PathBuf> = std::fs::read_dir(dir.join(folder))
            .expect("the folder lists")
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "jpg"))
            .collect();
        photos.sort();
        for path in photos.iter().take(3) {
            let bytes = std::fs::read(path).expect("readable");
            let image = decode_image(&bytes).expect("a real JPEG decodes");
            let findings = reader().read_rgb(&image).expect("reads");
            for finding in findings {
                let crop = finding.crop_box;
                assert!(crop.x + crop.width <= image.width(), "{}", path.display());
                assert!(crop.y + crop.height <= image.height(), "{}", path.display());
            }
            n_read += 1;
        }
    }
    assert_eq!(n_read, 6);
}
