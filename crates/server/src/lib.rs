//! corridor-server.
