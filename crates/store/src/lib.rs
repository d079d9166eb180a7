//! corridor-store.
