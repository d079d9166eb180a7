//! Integration tests of `corridor-alerts` against real files and a real webhook receiver
//! on loopback.

mod crash;
mod delivery;
mod group_commit;
mod prefilter;
mod receiver;
mod retention;
mod support;
mod watches;
