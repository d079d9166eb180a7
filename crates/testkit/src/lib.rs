//! Dev-only helpers for end-to-end tests of the real `corridor` binary.
//!
//! [`TestServer`] runs `corridor serve` on `127.0.0.1:0` over a data directory (a fresh
//! temporary one unless given), finds its URL from the first line it prints, and can kill
//! it with SIGKILL ([`TestServer::kill_hard`]), stop it with SIGTERM ([`TestServer::stop`])
//! and start it again on the same data directory ([`TestServer::restart`]).
//! [`HttpClient`] is a small blocking JSON client for its API. Before the first start,
//! the server gets a user and an API token per role ([`ROLES`], `corridor users add`);
//! [`TestServer::client_as`] sends one of them, with a purpose for searches.
//!
//! ```no_run
//! use corridor_testkit::TestServer;
//! // In an integration test of the `corridor-cli` package: env!("CARGO_BIN_EXE_corridor").
//! let corridor = std::path::Path::new("target/release/corridor");
//! let mut server = TestServer::start(corridor)?;
//! let health = server.client().get_json("/health")?;
//! assert_eq!(health.status, 200);
//! let cameras = server.client_as("operator").get_json("/api/v1/cameras")?;
//! assert_eq!(cameras.status, 200);
//! server.kill_hard()?;
//! server.restart()?;
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! The crate also holds the `http-bench` binary (HTTP ingest throughput) and the
//! realistic read generator it shares with tests ([`reads`]).

mod client;
mod dice;
pub mod reads;
mod server;

pub use client::{HttpClient, Reply};
pub use dice::Dice;
pub use server::{ROLES, TEST_PURPOSE, TestServer};
