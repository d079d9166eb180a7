//! The audit record of a search or analysis run by the local CLI on a data directory.
//!
//! The HTTP API gates every search on a purpose and a scope before it runs (the
//! safeguards' `gate`). The local CLI is the host administrator's tool: whoever can run it
//! can read the segments' Parquet files directly, so it cannot be a control point; it
//! records instead. Every local `history` and `analyse` appends a synced entry to the same
//! hash-chained audit log (who: `local:<OS user>`, the query, the purpose when given, the
//! read ids returned) before it prints or writes anything, so local use shows up in
//! `corridor audit` and in the transparency report like any other search.

use anyhow::Context;
use corridor_safeguards::audit::{AuditRecord, Outcome, OutcomeStatus};
use corridor_safeguards::{
    Action, OffenceCategory, Principal, Purpose, Role, Safeguards, SafeguardsConfig,
};
use std::path::Path;

/// The purpose recorded with a local search (all three or none).
#[derive(Debug, clap::Args)]
pub(crate) struct PurposeArgs {
    /// Case reference recorded in the audit log with this search, e.g. `OP-TIDE/2026/0042`.
    #[arg(
        long = "case",
        env = "CORRIDOR_CASE",
        value_name = "REF",
        requires_all = ["offence", "justification"]
    )]
    case_ref: Option<String>,
    /// Offence category recorded with the case, e.g. `people_smuggling`.
    #[arg(
        long,
        env = "CORRIDOR_OFFENCE",
        value_name = "CATEGORY",
        requires = "case_ref"
    )]
    offence: Option<String>,
    /// Why this search is necessary and proportionate (recorded with the case).
    #[arg(
        long,
        env = "CORRIDOR_JUSTIFICATION",
        value_name = "TEXT",
        requires = "case_ref"
    )]
    justification: Option<String>,
}

impl PurposeArgs {
    /// The purpose, checked, or `None` when none was given.
    pub(crate) fn purpose(&self) -> anyhow::Result<Option<Purpose>> {
        let (Some(case_ref), Some(offence), Some(justification)) =
            (&self.case_ref, &self.offence, &self.justification)
        else {
            return Ok(None);
        };
        let purpose = Purpose {
            case_ref: case_ref.clone(),
            offence_category: OffenceCategory::parse(offence).context("--offence")?,
            justification: justification.clone(),
        };
        purpose.validate()?;
        Ok(Some(purpose))
    }
}

/// Appends (and syncs) the audit entry of a local search or analysis.
pub(crate) fn record(
    data_dir: &Path,
    action: Action,
    why: Option<Purpose>,
    query: serde_json::Value,
    read_ids: &[&str],
) -> anyhow::Result<()> {
    let safeguards = Safeguards::open(data_dir, SafeguardsConfig::default())
        .with_context(|| format!("opening the audit log of {}", data_dir.display()))?;
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
    let who = Principal::new(&format!("local:{user}"), Role::Admin, "local");
    safeguards
        .audit()
        .append_at(
            AuditRecord {
                who,
                action: action.as_str().to_owned(),
                why,
                what: serde_json::json!({ "query": query, "via": "local CLI" }),
                outcome: Outcome::with_reads(OutcomeStatus::Ok, read_ids),
            },
            corridor_safeguards::util::now_micros(),
        )
        .context("writing the audit entry")?;
    Ok(())
}
