//! Fuzz target: arbitrary bytes as NDJSON and as a JSON array of reads, through the
//! readers, validation and the reject-file rendering; nothing may panic.

#![no_main]

use corridor_ingest::{Format, KnownCameras, ReadsReader, ValidationConfig, Validator, reject_record};
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let validator = Validator::new(ValidationConfig::at(1_800_000_000_000_000), KnownCameras::new(["C1", "FR-A16-0042"]));
    for format in [Format::Ndjson, Format::Json] {
        let path = Path::new("fuzz.json");
        let Ok(reader) = ReadsReader::from_reader(path, format, Box::new(Cursor::new(data.to_vec())), 5) else {
            continue;
        };
        for batch in reader {
            let Ok(source) = batch else { break };
            let validated = validator.validate(&source);
            assert_eq!(validated.good.num_rows() + validated.rejected.len(), source.batch.num_rows());
            for (row_idx, rejection) in &validated.rejected {
                let _ = reject_record(&source, *row_idx, rejection);
            }
        }
    }
});
