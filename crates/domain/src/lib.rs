//! The nouns of ANPR intelligence: plates, countries, plate reads and cameras.
//!
//! Everything here is plain data and pure functions: no I/O, no async, no clocks.
//! Other crates validate outside input by going through these types once
//! (`PlateText::parse`, `Country::parse`, `PlateRead::validate`), so that a value of
//! one of these types is known to be well formed.
//!
//! ```
//! use corridor_domain::{Country, PlateText};
//! let plate = PlateText::parse("ab-12 cde").unwrap();
//! assert_eq!(plate.as_str(), "AB12CDE");
//! assert_eq!(Country::parse("gb").unwrap().as_str(), "GB");
//! ```
//!
//! **Invariant:** `domain` does no I/O; every function in it is deterministic.

mod camera;
mod country;
mod error;
mod plate;
mod read;

pub use camera::{Camera, CameraKind};
pub use country::Country;
pub use error::DomainError;
pub use plate::{PlateKey, PlateText};
pub use read::{PlateRead, Timestamp};
