//! The camera clock register (`DATA/clock.json`): each camera's clock error as the last
//! analysis over the traffic estimated it. An analysis that reads every vehicle can
//! estimate the errors; a search that reads only a few vehicles cannot, and applies the
//! recorded ones instead, so that both see the same corrected times.

use crate::{Error, Store};
use corridor_domain::Timestamp;
use serde::{Deserialize, Serialize};

/// The register's file in the data directory.
const FILE: &str = "clock.json";

/// The cameras' clock errors, and what they were estimated from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockRegister {
    /// When the estimate was made (microseconds since the epoch, UTC).
    pub estimated_at: Timestamp,
    /// The first and last read times of the reads it was estimated from.
    pub reads_from: Timestamp,
    pub reads_to: Timestamp,
    /// How many reads that was.
    pub n_reads: u64,
    /// The cameras whose clock was found wrong; every other camera is taken as right.
    pub cameras: Vec<CameraClock>,
}

/// One camera's clock error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraClock {
    pub camera_id: String,
    /// Microseconds the camera's clock is ahead of true time (negative: behind). A read's
    /// true time is its recorded time minus this.
    pub skew_us: i64,
}

impl Store {
    /// The recorded clock register, if an analysis has recorded one.
    pub fn clock_register(&self) -> Result<Option<ClockRegister>, Error> {
        let path = self.dir().join(FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(Error::io("reading", &path, err)),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|err| Error::Corrupt {
                path,
                reason: format!("not a clock register: {err}"),
            })
    }

    /// Replaces the clock register, atomically and durably.
    pub fn record_clock_register(&self, register: &ClockRegister) -> Result<(), Error> {
        let bytes = serde_json::to_vec_pretty(register).expect("a register serialises");
        crate::fsutil::write_atomic(&self.dir().join(FILE), &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreConfig;

    #[test]
    fn a_recorded_register_is_read_back_and_a_damaged_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreConfig::default()).unwrap();
        assert_eq!(store.clock_register().unwrap(), None);
        let register = ClockRegister {
            estimated_at: 1_700_000_000_000_000,
            reads_from: 1_690_000_000_000_000,
            reads_to: 1_699_000_000_000_000,
            n_reads: 12,
            cameras: vec![CameraClock {
                camera_id: "CAM-7".to_owned(),
                skew_us: -90_000_000,
            }],
        };
        store.record_clock_register(&register).unwrap();
        drop(store);
        let store = Store::open(dir.path(), StoreConfig::default()).unwrap();
        assert_eq!(store.clock_register().unwrap(), Some(register));
        std::fs::write(dir.path().join(FILE), b"{\"cameras\": 3").unwrap();
        let err = store.clock_register().unwrap_err().to_string();
        assert!(
            err.contains("clock.json") && err.contains("not a clock register"),
            "{err}"
        );
    }
}
