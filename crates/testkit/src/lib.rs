//! corridor-testkit.
