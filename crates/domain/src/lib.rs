//! The nouns of ANPR intelligence: plates, countries, plate reads and cameras, with the
//! knowledge needed to reason about plate text: country grammars, OCR misreads and wildcards.
//!
//! Everything here is plain data and pure functions: no I/O, no async, no clocks.
//! Other crates validate outside input by going through these types once
//! (`PlateText::parse`, `Country::parse`, `PlateRead::validate`, `PlatePattern::parse`), so
//! that a value of one of these types is known to be well formed.
//!
//! ```text
//!  raw read "ab1z cde" (camera says GB)
//!        |  PlateText::parse: upper case, no separators
//!        v
//!  PlateText "AB1ZCDE" --grammar::validate(GB)--> false: not a GB format
//!        |
//!        |  ConfusionModel::alternatives_in(GB): misreads weighed by likelihood and format
//!        v
//!  [AB12CDE 0.6, AB1ZCDE 0.3, ...] --> fuzzy search ranks stored reads by likelihood
//!        |
//!        v  grammar::display(GB) / grammar::guess_country
//!  "AB12 CDE", [GB 0.97, ...]
//! ```
//!
//! - [`grammar`]: plate formats of 14 countries (GB, IE, FR, BE, NL, DE, PL, IT, ES, CZ, SK,
//!   RO, BG, LT): validation, the display form with the country's separators, and a guess of
//!   the issuing country with a confidence.
//! - [`confusion`]: the OCR misread model: the likelihood of a read given a true plate,
//!   likely true readings of a read, and seeded misreads for the simulator.
//! - [`PlatePattern`]: wildcard patterns (`AB12?CD`, `*CDE`) with what an index needs.
//!
//! ```
//! use corridor_domain::{confusion::ConfusionModel, grammar, Country, PlatePattern, PlateText};
//! let plate = PlateText::parse("ab-12 cde").unwrap();
//! assert_eq!(plate.as_str(), "AB12CDE");
//! let gb = Country::parse("uk").unwrap();
//! assert_eq!(gb.as_str(), "GB");
//! assert_eq!(grammar::display(gb, &plate).as_deref(), Some("AB12 CDE"));
//! assert_eq!(grammar::guess_country(&plate)[0].country, gb);
//!
//! let misread = PlateText::parse("AB1ZCDE").unwrap();
//! let alternatives = ConfusionModel::standard().alternatives_in(&misread, Some(gb), 10);
//! assert_eq!(alternatives[0].text, plate);
//!
//! let pattern = PlatePattern::parse("AB12?DE").unwrap();
//! assert!(pattern.matches(plate.as_str()));
//! ```
//!
//! **Invariant:** `domain` does no I/O; every function in it is deterministic.

mod camera;
pub mod confusion;
mod country;
mod error;
pub mod grammar;
mod pattern;
mod plate;
mod read;

pub use camera::{Camera, CameraKind};
pub use country::Country;
pub use error::DomainError;
pub use pattern::{FIXED_CHARS_MIN_BOUNDED, PlatePattern};
pub use plate::{PLATE_LEN_MAX, PlateKey, PlateText};
pub use read::{PlateRead, Timestamp, VehicleClass};
