//! Handler tests: the real router over a real store in a temporary directory, driven with
//! `tower::ServiceExt::oneshot` (no socket).

mod cameras;
mod history;
mod ops;
mod reads;
mod support;
