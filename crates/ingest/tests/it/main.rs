//! Integration tests of corridor-ingest against a real store in a temp dir.

mod bad_input;
mod fixtures;
mod readers;
mod roundtrip;
