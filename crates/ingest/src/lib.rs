//! corridor-ingest.
