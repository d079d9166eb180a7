//! Fuzz target: arbitrary bytes as a reads CSV file and as a cameras CSV file, through
//! the readers, validation and the reject-file rendering; nothing may panic.

#![no_main]

use corridor_ingest::{Format, KnownCameras, ReadsReader, ValidationConfig, Validator, read_cameras_from, reject_record};
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.csv");
    let _ = read_cameras_from(path, data);
    let Ok(reader) = ReadsReader::from_reader(path, Format::Csv, Box::new(Cursor::new(data.to_vec())), 7) else {
        return;
    };
    let validator = Validator::new(ValidationConfig::at(1_800_000_000_000_000), KnownCameras::new(["C1", "FR-A16-0042"]));
    for batch in reader {
        let Ok(source) = batch else { break };
        let validated = validator.validate(&source);
        assert_eq!(validated.good.num_rows() + validated.rejected.len(), source.batch.num_rows());
        for (row_idx, rejection) in &validated.rejected {
            let _ = reject_record(&source, *row_idx, rejection);
        }
    }
});
