//! End-to-end tests of the real `corridor` binary, one module per command.

mod crash;
mod demo;
mod history;
mod import;
mod retention;
mod serve;
mod support;
mod vision;
