//! Retention: how long each kind of data is kept, per source country or sharing agreement,
//! legal holds that keep reads linked to a case, and the report of what was deleted.
//!
//! The policy side lives here; the data side is a [`RetentionTarget`] implemented by
//! whoever owns the files (the store for reads, the plate crops, the alert log, the audit
//! log: [`crate::audit::AuditRetention`]).
//!
//! ```text
//!  policy + legal holds ──▶ apply_retention ──▶ per target: items() ──▶ plan_purge
//!                                                   (expired, not held; a crop also goes
//!                                                    when its read is gone; an audit chain
//!                                                    loses only a prefix)
//!                                                          │
//!                                                          ▼
//!                              purge(ids): every file of the target  ──▶ RetentionReport
//! ```

mod apply;

pub use apply::{
    PurgePlan, PurgeShape, RetentionCounts, RetentionReport, RetentionTarget, apply_retention,
    plan_purge, read_reports, record_report,
};

use crate::error::{Result, SafeguardsError};
use crate::util;
use chrono::{DateTime, Months};
use corridor_domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
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
    /// Other reads (by id) and plates (normalised) the item names, e.g. the reads an audit
    /// entry cites or the companion of a convoy alert: a hold on any of them holds the item.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub mentions: BTreeSet<String>,
    /// The read it belongs to is no longer stored: the item goes whatever its own period,
    /// unless held (a plate crop never outlives its read).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_gone: bool,
}

impl RetentionItem {
    /// An item of `kind` recorded at `ts`, with nothing else known about it yet.
    pub fn new(id: impl Into<String>, kind: DataKind, ts: Timestamp) -> RetentionItem {
        RetentionItem {
            id: id.into(),
            kind,
            ts,
            country: None,
            agreement: None,
            read_id: None,
            plate: None,
            mentions: BTreeSet::new(),
            read_gone: false,
        }
    }
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
                || item
                    .mentions
                    .iter()
                    .any(|named| hold.read_ids.contains(named) || hold.plates.contains(named))
        })
        .map(|hold| hold.case_ref.clone())
        .collect()
}
