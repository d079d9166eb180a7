//! Integration tests of `corridor-domain` through its public API (one test binary).

mod properties;
