//! Integration tests of corridor-safeguards, one binary (modules per safeguard).

mod anomaly;
mod approvals;
mod audit_log;
mod audit_retention;
mod auth_tokens;
mod authz_matrix;
mod evidence;
mod facade;
mod fixtures;
mod matching;
mod oidc;
mod purpose;
mod retention;
mod sharing;
mod transparency;
