//! Safeguards for lawful ANPR use: who may do what, why, and proof of what was done.
//!
//! This crate is the accountability layer of Corridor. It owns:
//!
//! - [`auth`]: users, API tokens (stored as SHA-256 hashes) and OIDC bearer tokens checked
//!   against a JWKS file, turning a bearer token into a [`Principal`].
//! - [`authz`]: six roles, thirteen actions and one permission [`MATRIX`] that code, tests
//!   and `docs/safeguards.md` all read.
//! - [`sharing`]: partner agreements (fields, regions, time windows, hits only) and the
//!   filter that redacts reads for a partner.
//! - [`purpose`], [`approvals`], [`anomaly`]: every search carries a case, an offence
//!   category and a justification; over-scope searches wait for a supervisor; unusual
//!   query patterns raise alerts to auditors.
//! - [`audit`]: the append-only, hash-chained, checkpoint-signed audit log and its verifier.
//! - [`retention`]: periods per kind of data and per country or agreement, legal holds,
//!   purge planning and the retention report.
//! - [`matching`]: keyed pseudonyms and private set intersection for hotlist matching
//!   without disclosure.
//! - [`evidence`]: signed case bundles and their offline verification.
//! - [`transparency`]: the data-protection officer's report.
//!
//! ```text
//!  request ─▶ auth (token/OIDC) ─▶ Principal ─▶ authz (MATRIX) ─▶ purpose + scope check
//!                                                                   │        │
//!                                                     Allowed ◀─────┘        └─▶ NeedsApproval ─▶ ApprovalQueue
//!                                                        │                                          │ supervisor
//!                                                        ▼                                          ▼
//!                      audit log (hash chain, signed checkpoints) ◀── every step is recorded first
//!                                                        │
//!                                                        ▼
//!                         query runs ─▶ sharing filter (partners) ─▶ response
//! ```
//!
//! The [`Safeguards`] facade opens all of it under one data directory and is what the
//! server calls per request:
//!
//! ```
//! use corridor_safeguards::{Safeguards, SafeguardsConfig, Principal, Role, Action, Purpose, OffenceCategory, SearchScope, Gate};
//! let dir = tempfile::tempdir().unwrap();
//! let safeguards = Safeguards::open(dir.path(), SafeguardsConfig::default()).unwrap();
//! let analyst = Principal::new("ana", Role::Analyst, "Kent Police");
//! let purpose = Purpose {
//!     case_ref: "OP-TIDE/2026/0042".into(),
//!     offence_category: OffenceCategory::PeopleSmuggling,
//!     justification: "van seen at the Coquelles loading point twice".into(),
//! };
//! let now = corridor_safeguards::util::now_micros();
//! let scope = SearchScope { plates: vec!["AB12CDE".into()], from: Some(now - 86_400_000_000), to: None, area: None };
//! let gate = safeguards
//!     .gate(&analyst, Action::ReadHistory, Some(&purpose), &scope, serde_json::json!({"plate": "AB12CDE"}), now)
//!     .unwrap();
//! assert!(matches!(gate, Gate::Proceed(_)));
//! ```
//!
//! **Invariant:** every request that returns reads has its audit record written (and
//! synced) before the reads leave the process.

pub mod anomaly;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod authz;
mod error;
pub mod evidence;
mod facade;
pub mod keys;
pub mod matching;
pub mod purpose;
pub mod retention;
pub mod sharing;
pub mod transparency;
pub mod util;

pub use auth::Principal;
pub use authz::{Action, MATRIX, Role, authorize, is_allowed};
pub use error::{Result, SafeguardsError};
pub use facade::{Gate, Safeguards, SafeguardsConfig, SafeguardsPaths, Ticket};
pub use purpose::{OffenceCategory, Purpose, ScopeDecision, ScopeRules, SearchScope};
