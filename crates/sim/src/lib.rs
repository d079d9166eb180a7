//! corridor-sim.
