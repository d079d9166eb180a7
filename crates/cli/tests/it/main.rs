//! End-to-end tests of the real `corridor` binary, one module per command.

mod crash;
mod demo;
mod history;
mod import;
mod serve;
mod support;
