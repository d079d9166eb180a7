//! corridor-vision.
