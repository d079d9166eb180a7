//! Integration tests of the analytics crate against real parts: a store's segments
//! published to a lake, and an Apache Ballista cluster on loopback (feature `ballista`).

#[cfg(feature = "ballista")]
mod ballista;
