//! Fuzz target: arbitrary bytes as a camera upload, through `corridor_vision`: decoding
//! (JPEG, PNG, anything else) and, for whatever decodes, both models and the decoding of
//! their outputs. It must return `Ok` or `Err`, never panic, and keep the contract.

#![no_main]

use corridor_vision::{ALTERNATIVES_MAX, PLATES_MAX, PlateReader};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn reader() -> &'static PlateReader {
    static READER: OnceLock<PlateReader> = OnceLock::new();
    READER.get_or_init(|| PlateReader::new().expect("the embedded models load"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(findings) = reader().read_image(data) else {
        return;
    };
    assert!(findings.len() <= PLATES_MAX);
    for finding in findings {
        assert!(finding.alternatives.len() <= ALTERNATIVES_MAX);
        assert!((0.0..=1.0).contains(&finding.confidence));
        assert!(finding.crop_box.width > 0 && finding.crop_box.height > 0);
    }
});
