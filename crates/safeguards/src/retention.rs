//! Retention: how long each kind of data is kept, per source country or sharing agreement,
//! legal holds that keep reads linked to a case, and the report of what was deleted.
//!
//! The policy side lives here; the data side is a [`RetentionTarget`] implemented by
//! whoever owns the files (the store for reads, the image directory, the alert log).

use crate::error::{Result, SafeguardsError};
use crate::util;
use chrono::{DateTime, Months};
use corridor_domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A kind of data with its own retention period.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// Plate reads.
    Reads,
    /// Images of reads.
    Images,
    /// Hotlist hits (alerts).
    Hits,
    /// Audit log entries.
    Audit,
}

impl DataKind {
    /// The snake-case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            DataKind::Reads => "reads",
            DataKind::Images => "images",
            DataKind::Hits => "hits",
            DataKind::Audit => "audit",
        }
    }
}

/// A retention period: whole days or calendar months.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// This many days of 24 hours.
    Days(u32),
    /// This many calendar months (Belgium: one month).
    Months(u32),
}

impl Period {
    /// The oldest time still kept at `now`: data strictly older than this expires.
    pub fn cutoff(&self, now: Timestamp) -> Timestamp {
        match self {
            Period::Days(days) => now - i64::from(*days) * util::DAY_MICROS,
            Period::Months(months) => DateTime::from_timestamp_micros(now)
                .and_then(|time| time.checked_sub_months(Months::new(*months)))
                .map_or(i64::MIN, |time| time.timestamp_micros()),
        }
    }
}

/// One retention rule. A rule with neither country nor agreement is the default for its kind.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RetentionRule {
    /// The kind of data it governs.
    pub kind: DataKind,
    /// Only data from cameras in this country (ISO code, e.g. `NL`).
    #[serde(default)]
    pub country: Option<String>,
    /// Only data received under this sharing agreement.
    #[serde(default)]
    pub agreement: Option<String>,
    /// How long it is kept.
    pub period: Period,
}

/// All retention rules. For an item, every matching rule applies and the shortest period
/// wins: data from the Netherlands is not kept beyond 28 days because a default says a year.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RetentionPolicy {
    /// The rules.
    pub rules: Vec<RetentionRule>,
}

impl RetentionPolicy {
    /// Checks that every kind has a default rule, so that nothing is kept forever by omission.
    pub fn validate(&self) -> Result<()> {
        for kind in [
            DataKind::Reads,
            DataKind::Images,
            DataKind::Hits,
            DataKind::Audit,
        ] {
            let has_default = self.rules.iter().any(|rule| {
                rule.kind == kind && rule.country.is_none() && rule.agreement.is_none()
            });
            if !has_default {
                return Err(SafeguardsError::invalid(
                    "retention.rules",
                    format!("no default period for {kind:?}"),
                ));
            }
        }
        Ok(())
    }

    /// The oldest time an item may have at `now` (the shortest of all matching rules),
    /// or `None` when no rule applies.
    pub fn cutoff_for(&self, item: &RetentionItem, now: Timestamp) -> Option<Timestamp> {
        self.rules
            .iter()
            .filter(|rule| rule.kind == item.kind)
            .filter(|rule| {
                rule.country.as_ref().is_none_or(|country| {
                    item.country
                        .as_ref()
                        .is_some_and(|ic| ic.eq_ignore_ascii_case(country))
                })
            })
            .filter(|rule| {
                rule.agreement
                    .as_ref()
                    .is_none_or(|agreement| item.agreement.as_ref() == Some(agreement))
            })
            .map(|rule| rule.period.cutoff(now))
            .max()
    }
}

/// One unit of data that retention decides about.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RetentionItem {
    /// Unique id within its target (a read id, an image file name, ...).
    pub id: String,
    /// Its kind.
    pub kind: DataKind,
    /// When it was recorded.
    pub ts: Timestamp,
    /// The country of the camera it came from, if known.
    pub country: Option<String>,
    /// The sharing agreement it came under, if any.
    pub agreement: Option<String>,
    /// The read it belongs to (itself for a read).
    pub read_id: Option<String>,
    /// The normalised plate it is about, if any.
    pub plate: Option<String>,
}

/// A legal hold: reads linked to a case are kept past their period until released.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LegalHold {
    /// The case the hold serves.
    pub case_ref: String,
    /// Reads held by id.
    #[serde(default)]
    pub read_ids: BTreeSet<String>,
    /// Plates held (normalised text); every read of them is held.
    #[serde(default)]
    pub plates: BTreeSet<String>,
    /// Who placed it.
    pub placed_by: String,
    /// When.
    pub placed_at: Timestamp,
}

/// The legal holds in force, persisted in `legal_holds.json`.
#[derive(Debug)]
pub struct LegalHolds {
    path: PathBuf,
    holds: Mutex<Vec<LegalHold>>,
}

impl LegalHolds {
    /// Opens the holds stored at `path` (none if the file does not exist).
    pub fn open(path: &Path) -> Result<LegalHolds> {
        Ok(LegalHolds {
            path: path.to_owned(),
            holds: Mutex::new(util::read_json_opt(path)?.unwrap_or_default()),
        })
    }

    /// Places a hold (or widens the hold of the same case).
    pub fn place(&self, hold: LegalHold) -> Result<()> {
        if hold.read_ids.is_empty() && hold.plates.is_empty() {
            return Err(SafeguardsError::invalid(
                "hold",
                "names no read and no plate",
            ));
        }
        let mut holds = self.lock();
        match holds
            .iter_mut()
            .find(|existing| existing.case_ref == hold.case_ref)
        {
            Some(existing) => {
                existing.read_ids.extend(hold.read_ids);
                existing.plates.extend(hold.plates);
            }
            None => holds.push(hold),
        }
        util::write_json(&self.path, &*holds)
    }

    /// Releases the hold of a case.
    pub fn release(&self, case_ref: &str) -> Result<()> {
        let mut holds = self.lock();
        let n_before = holds.len();
        holds.retain(|hold| hold.case_ref != case_ref);
        if holds.len() == n_before {
            return Err(SafeguardsError::NotFound {
                kind: "legal hold",
                id: case_ref.to_owned(),
            });
        }
        util::write_json(&self.path, &*holds)
    }

    /// The holds in force.
    pub fn list(&self) -> Vec<LegalHold> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<LegalHold>> {
        self.holds
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The cases holding an item (empty: not held).
pub fn holding_cases(holds: &[LegalHold], item: &RetentionItem) -> Vec<String> {
    holds
        .iter()
        .filter(|hold| {
            item.read_id
                .as_ref()
                .is_some_and(|read_id| hold.read_ids.contains(read_id))
                || hold.read_ids.contains(&item.id)
                || item
                    .plate
                    .as_ref()
                    .is_some_and(|plate| hold.plates.contains(plate))
        })
        .map(|hold| hold.case_ref.clone())
        .collect()
}

/// Something that holds data under retention: lists its items and deletes some of them.
///
/// Implementations delete from every file that holds the item (segments, indexes, image
/// directories) before `purge` returns.
pub trait RetentionTarget {
    /// A name for reports, e.g. `store reads` or `images`.
    fn name(&self) -> String;
    /// Every item currently held.
    fn items(&self) -> Result<Vec<RetentionItem>>;
    /// Deletes these items; returns how many were deleted.
    fn purge(&mut self, ids: &BTreeSet<String>) -> Result<u64>;
}

/// Counts for one kind and country in a report.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct RetentionCounts {
    /// Deleted because their period ran out.
    pub n_deleted: u64,
    /// Past their period but kept under a legal hold.
    pub n_kept_under_hold: u64,
    /// Still within their period.
    pub n_kept: u64,
}

/// What one retention run did.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RetentionReport {
    /// When it ran.
    pub ran_at: Timestamp,
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

/// Works out what to delete among `items` at `now`.
pub fn plan_purge(
    policy: &RetentionPolicy,
    holds: &[LegalHold],
    items: &[RetentionItem],
    now: Timestamp,
) -> PurgePlan {
    let mut plan = PurgePlan::default();
    for item in items {
        let key = format!(
            "{}/{}",
            item.kind.as_str(),
            item.country.as_deref().unwrap_or("--")
        );
        let counts = plan.counts.entry(key).or_default();
        let Some(cutoff) = policy.cutoff_for(item, now) else {
            plan.n_without_rule += 1;
            counts.n_kept += 1;
            continue;
        };
        if item.ts >= cutoff {
            counts.n_kept += 1;
            continue;
        }
        let cases = holding_cases(holds, item);
        if cases.is_empty() {
            counts.n_deleted += 1;
            plan.purge.insert(item.id.clone());
        } else {
            counts.n_kept_under_hold += 1;
            plan.held.insert(item.id.clone(), cases);
        }
    }
    plan
}

/// Applies the policy to every target, deleting expired unheld items, and reports.
pub fn apply_retention(
    policy: &RetentionPolicy,
    holds: &[LegalHold],
    targets: &mut [&mut dyn RetentionTarget],
    now: Timestamp,
) -> Result<RetentionReport> {
    policy.validate()?;
    let mut report = RetentionReport {
        ran_at: now,
        counts: BTreeMap::new(),
        held: BTreeMap::new(),
        n_without_rule: 0,
    };
    for target in targets.iter_mut() {
        let items = target.items()?;
        let plan = plan_purge(policy, holds, &items, now);
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
