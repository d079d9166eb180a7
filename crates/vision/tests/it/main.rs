//! Integration tests of corridor-vision: decoding hostile input, the whole pipeline on
//! generated scenes, golden readings (trained models only) and the development photos.

mod decode;
mod dev_photos;
mod golden;
mod pipeline;
mod render;

use corridor_vision::PlateReader;
use std::sync::{Arc, OnceLock};

/// One reader for every test of this binary: loading the models takes a while.
pub(crate) fn reader() -> Arc<PlateReader> {
    static READER: OnceLock<Arc<PlateReader>> = OnceLock::new();
    Arc::clone(
        READER.get_or_init(|| Arc::new(PlateReader::new().expect("the embedded models load"))),
    )
}
