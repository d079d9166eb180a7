//! Applying a policy: the [`RetentionTarget`] trait, purge plans, the run and its report.

use super::{LegalHold, RetentionItem, RetentionPolicy, holding_cases};
use crate::error::{Result, SafeguardsError};
use crate::util;
use corridor_domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Which of its expired items a target can delete.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PurgeShape {
    /// Any of them, each on its own.
    Any,
    /// Only a prefix of its items in the order [`RetentionTarget::items`] lists them (a
    /// hash chain can only be cut at its start): expired items after the first kept one
    /// stay, counted as [`RetentionCounts::n_kept_in_chain`].
    Prefix,
}

/// Something that holds data under retention: lists its items and deletes some of them.
///
/// Implementations delete from every file that holds the item (segments, indexes, image
/// directories) before `purge` returns.
pub trait RetentionTarget {
    /// A name for reports, e.g. `store reads` or `images`.
    fn name(&self) -> String;
    /// Which of its items can be deleted; any of them unless the target says otherwise.
    fn shape(&self) -> PurgeShape {
        PurgeShape::Any
    }
    /// Every item currently held (for [`PurgeShape::Prefix`], in the order of the chain).
    fn items(&self) -> Result<Vec<RetentionItem>>;
    /// Deletes these items; returns how many were deleted.
    fn purge(&mut self, ids: &BTreeSet<String>) -> Result<u64>;
}

/// Counts for one kind and country in a report.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct RetentionCounts {
    /// Deleted because their period ran out or their read was deleted.
    pub n_deleted: u64,
    /// Of `n_deleted`, those deleted before their own period ran out because their read
    /// was gone (plate crops follow their read).
    #[serde(default)]
    pub n_deleted_with_read: u64,
    /// Past their period but kept under a legal hold.
    pub n_kept_under_hold: u64,
    /// Past their period and not held, but kept because they follow a kept item in a chain
    /// that can only lose a prefix (the audit log).
    #[serde(default)]
    pub n_kept_in_chain: u64,
    /// Still within their period.
    pub n_kept: u64,
}

/// What one retention run did.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RetentionReport {
    /// When it ran.
    pub ran_at: Timestamp,
    /// Items deleted per kind (`reads`, `images`, `hits`, `audit`), over all targets.
    #[serde(default)]
    pub deleted_by_kind: BTreeMap<String, u64>,
    /// Per target, per kind, per country (`--` when unknown): the counts.
    pub counts: BTreeMap<String, BTreeMap<String, RetentionCounts>>,
    /// Items kept under hold: id -> cases.
    pub held: BTreeMap<String, Vec<String>>,
    /// Items without any applicable rule (kept; a policy gap to fix).
    pub n_without_rule: u64,
}

/// What a target should delete, before anything is deleted.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PurgePlan {
    /// Ids to delete.
    pub purge: BTreeSet<String>,
    /// Ids past their period but held: id -> cases.
    pub held: BTreeMap<String, Vec<String>>,
    /// Counts per `kind/country`.
    pub counts: BTreeMap<String, RetentionCounts>,
    /// Items without an applicable rule.
    pub n_without_rule: u64,
}

/// Works out what to delete among `items` at `now`, for a target of this `shape`.
///
/// An item goes when it is past its period, or when its read is gone, and no legal hold
/// names it; for [`PurgeShape::Prefix`] only while every item before it goes too.
pub fn plan_purge(
    policy: &RetentionPolicy,
    holds: &[LegalHold],
    items: &[RetentionItem],
    shape: PurgeShape,
    now: Timestamp,
) -> PurgePlan {
    let mut plan = PurgePlan::default();
    let mut prefix_open = true;
    for item in items {
        let key = format!(
            "{}/{}",
            item.kind.as_str(),
            item.country.as_deref().unwrap_or("--")
        );
        let counts = plan.counts.entry(key).or_default();
        let cutoff = policy.cutoff_for(item, now);
        if cutoff.is_none() {
            plan.n_without_rule += 1;
        }
        let expired = cutoff.is_some_and(|cutoff| item.ts < cutoff);
        if !expired && !item.read_gone {
            counts.n_kept += 1;
            prefix_open = false;
            continue;
        }
        let cases = holding_cases(holds, item);
        if !cases.is_empty() {
            counts.n_kept_under_hold += 1;
            plan.held.insert(item.id.clone(), cases);
            prefix_open = false;
        } else if shape == PurgeShape::Prefix && !prefix_open {
            counts.n_kept_in_chain += 1;
        } else {
            counts.n_deleted += 1;
            counts.n_deleted_with_read += u64::from(!expired);
            plan.purge.insert(item.id.clone());
        }
    }
    plan
}

/// Applies the policy to every target in order, deleting expired unheld items, and reports.
pub fn apply_retention(
    policy: &RetentionPolicy,
    holds: &[LegalHold],
    targets: &mut [&mut dyn RetentionTarget],
    now: Timestamp,
) -> Result<RetentionReport> {
    policy.validate()?;
    let mut report = RetentionReport {
        ran_at: now,
        deleted_by_kind: BTreeMap::new(),
        counts: BTreeMap::new(),
        held: BTreeMap::new(),
        n_without_rule: 0,
    };
    for target in targets.iter_mut() {
        let items = target.items()?;
        let plan = plan_purge(policy, holds, &items, target.shape(), now);
        let n_deleted = if plan.purge.is_empty() {
            0
        } else {
            target.purge(&plan.purge)?
        };
        let n_planned = plan.purge.len() as u64;
        if n_deleted != n_planned {
            return Err(SafeguardsError::Conflict(format!(
                "{}: {n_planned} items expired but {n_deleted} were deleted",
                target.name()
            )));
        }
        for (kind_country, counts) in &plan.counts {
            let kind = kind_country.split('/').next().unwrap_or(kind_country);
            *report.deleted_by_kind.entry(kind.to_owned()).or_default() += counts.n_deleted;
        }
        report.counts.insert(target.name(), plan.counts);
        report.held.extend(plan.held);
        report.n_without_rule += plan.n_without_rule;
    }
    Ok(report)
}

/// Appends a report to the reports file (JSON lines), for the transparency report.
pub fn record_report(path: &Path, report: &RetentionReport) -> Result<()> {
    let line = serde_json::to_string(report).expect("reports serialise to JSON");
    util::append_line_durable(path, &line)
}

/// Reads every recorded retention report.
pub fn read_reports(path: &Path) -> Result<Vec<RetentionReport>> {
    util::read_jsonl(path)
}
