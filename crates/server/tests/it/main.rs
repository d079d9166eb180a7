//! Handler tests: the real router over a real store in a temporary directory, driven with
//! `tower::ServiceExt::oneshot` (no socket); and the safeguards and alerts over real HTTP
//! on loopback (`live`).

mod alerts;
mod cameras;
mod history;
mod live;
mod ops;
mod reads;
mod safeguards;
mod support;
mod ui;
mod workstation;
