//! corridor-analytics.
