//! The transparency report for the data-protection officer: what the system was used for,
//! per period, computed from the audit log, the retention reports and the auditor alerts.

use crate::anomaly::AuditorAlert;
use crate::audit::{AuditEntry, OutcomeStatus};
use crate::retention::RetentionReport;
use chrono::{DateTime, Datelike};
use corridor_domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How the report is bucketed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// `2026-11-30`.
    Day,
    /// ISO weeks, `2026-W48`.
    Week,
    /// `2026-11`.
    Month,
}

/// The counts of one period. Only counts: no plate, no user, no case appears.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct PeriodCounts {
    /// The period label (see [`Granularity`]), or `total`.
    pub period: String,
    /// Reads ingested (sum over `ingest_reads` entries).
    pub n_reads_ingested: u64,
    /// History searches that ran.
    pub n_searches: u64,
    /// Analyses that ran.
    pub n_analyses: u64,
    /// Searches and analyses that ran, per offence category.
    pub by_offence_category: BTreeMap<String, u64>,
    /// Reads returned by searches and analyses.
    pub n_reads_returned: u64,
    /// Requests refused (no purpose, out of role, over the hard limits).
    pub n_refused: u64,
    /// Over-scope requests submitted for approval.
    pub n_approval_requests: u64,
    /// Requests approved.
    pub n_approved: u64,
    /// Requests denied.
    pub n_denied: u64,
    /// Hotlist hits (sum over `hotlist_hit` entries).
    pub n_hits: u64,
    /// Evidence bundles exported.
    pub n_evidence_exports: u64,
    /// Items deleted by retention, per kind.
    pub deleted_by_retention: BTreeMap<String, u64>,
    /// Items past retention but kept under legal hold, at the period's last run.
    pub n_kept_under_hold: u64,
    /// Alerts raised to auditors.
    pub n_auditor_alerts: u64,
}

/// The whole report.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TransparencyReport {
    /// Start of the reporting window (inclusive).
    pub from: String,
    /// End of the reporting window (exclusive).
    pub to: String,
    /// The bucketing.
    pub granularity: Granularity,
    /// One entry per period with any activity, in order.
    pub periods: Vec<PeriodCounts>,
    /// Sums over the window.
    pub total: PeriodCounts,
}

/// Builds the report for `[from, to)`.
pub fn build_report(
    entries: &[AuditEntry],
    retention_reports: &[RetentionReport],
    alerts: &[AuditorAlert],
    from: Timestamp,
    to: Timestamp,
    granularity: Granularity,
) -> TransparencyReport {
    let mut periods: BTreeMap<String, PeriodCounts> = BTreeMap::new();
    let in_window = |ts: Timestamp| ts >= from && ts < to;
    for entry in entries {
        let Some(ts) = entry.ts().filter(|ts| in_window(*ts)) else {
            continue;
        };
        count_entry(bucket(&mut periods, ts, granularity), entry);
    }
    for report in retention_reports
        .iter()
        .filter(|report| in_window(report.ran_at))
    {
        let counts = bucket(&mut periods, report.ran_at, granularity);
        for per_kind in report.counts.values() {
            for (kind_country, retention_counts) in per_kind {
                let kind = kind_country
                    .split('/')
                    .next()
                    .unwrap_or(kind_country)
                    .to_owned();
                *counts.deleted_by_retention.entry(kind).or_default() += retention_counts.n_deleted;
            }
        }
        counts.n_kept_under_hold = report.held.len() as u64;
    }
    for alert in alerts.iter().filter(|alert| in_window(alert.ts)) {
        bucket(&mut periods, alert.ts, granularity).n_auditor_alerts += 1;
    }
    let periods: Vec<PeriodCounts> = periods.into_values().collect();
    let total = sum(&periods);
    TransparencyReport {
        from: crate::util::rfc3339(from),
        to: crate::util::rfc3339(to),
        granularity,
        periods,
        total,
    }
}

impl TransparencyReport {
    /// The report as Markdown, one table row per period.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# Transparency report\n\nWindow: {} to {} (by {:?}).\nCounts only: no plate, person or case is named.\n\n",
            self.from, self.to, self.granularity
        );
        out.push_str("| period | reads ingested | searches | analyses | reads returned | refused | approval requests | approved | denied | hits | evidence exports | deleted by retention | kept under hold | auditor alerts |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for counts in self.periods.iter().chain(std::iter::once(&self.total)) {
            let deleted: Vec<String> = counts
                .deleted_by_retention
                .iter()
                .map(|(kind, n)| format!("{kind} {n}"))
                .collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                counts.period,
                counts.n_reads_ingested,
                counts.n_searches,
                counts.n_analyses,
                counts.n_reads_returned,
                counts.n_refused,
                counts.n_approval_requests,
                counts.n_approved,
                counts.n_denied,
                counts.n_hits,
                counts.n_evidence_exports,
                if deleted.is_empty() {
                    "0".to_owned()
                } else {
                    deleted.join(", ")
                },
                counts.n_kept_under_hold,
                counts.n_auditor_alerts,
            ));
        }
        out.push_str("\n## Searches and analyses by offence category\n\n| category | count |\n| --- | --- |\n");
        for (category, n) in &self.total.by_offence_category {
            out.push_str(&format!("| {category} | {n} |\n"));
        }
        out
    }
}

fn count_entry(counts: &mut PeriodCounts, entry: &AuditEntry) {
    let status = entry.outcome.status;
    match (entry.action.as_str(), status) {
        ("ingest_reads", OutcomeStatus::Ok) => counts.n_reads_ingested += entry.outcome.n_results,
        ("hotlist_hit", OutcomeStatus::Ok) => counts.n_hits += entry.outcome.n_results.max(1),
        ("export_evidence", OutcomeStatus::Ok) => counts.n_evidence_exports += 1,
        ("approve_request", _) => counts.n_approved += 1,
        ("deny_request", _) => counts.n_denied += 1,
        (_, OutcomeStatus::Refused) => counts.n_refused += 1,
        (_, OutcomeStatus::Pending) => counts.n_approval_requests += 1,
        ("read_history" | "run_analysis", OutcomeStatus::Ok) => {
            if entry.action == "read_history" {
                counts.n_searches += 1;
            } else {
                counts.n_analyses += 1;
            }
            counts.n_reads_returned += entry.outcome.n_results;
            if let Some(why) = &entry.why {
                *counts
                    .by_offence_category
                    .entry(why.offence_category.as_str().to_owned())
                    .or_default() += 1;
            }
        }
        _ => {}
    }
}

fn bucket(
    periods: &mut BTreeMap<String, PeriodCounts>,
    ts: Timestamp,
    granularity: Granularity,
) -> &mut PeriodCounts {
    let label = period_label(ts, granularity);
    periods
        .entry(label.clone())
        .or_insert_with(|| PeriodCounts {
            period: label,
            ..PeriodCounts::default()
        })
}

/// The label of the period containing `ts`.
pub fn period_label(ts: Timestamp, granularity: Granularity) -> String {
    let Some(time) = DateTime::from_timestamp_micros(ts) else {
        return "invalid".to_owned();
    };
    match granularity {
        Granularity::Day => time.format("%Y-%m-%d").to_string(),
        Granularity::Week => {
            let week = time.iso_week();
            format!("{}-W{:02}", week.year(), week.week())
        }
        Granularity::Month => time.format("%Y-%m").to_string(),
    }
}

fn sum(periods: &[PeriodCounts]) -> PeriodCounts {
    let mut total = PeriodCounts {
        period: "total".to_owned(),
        ..PeriodCounts::default()
    };
    for counts in periods {
        total.n_reads_ingested += counts.n_reads_ingested;
        total.n_searches += counts.n_searches;
        total.n_analyses += counts.n_analyses;
        for (category, n) in &counts.by_offence_category {
            *total
                .by_offence_category
                .entry(category.clone())
                .or_default() += n;
        }
        total.n_reads_returned += counts.n_reads_returned;
        total.n_refused += counts.n_refused;
        total.n_approval_requests += counts.n_approval_requests;
        total.n_approved += counts.n_approved;
        total.n_denied += counts.n_denied;
        total.n_hits += counts.n_hits;
        total.n_evidence_exports += counts.n_evidence_exports;
        for (kind, n) in &counts.deleted_by_retention {
            *total.deleted_by_retention.entry(kind.clone()).or_default() += n;
        }
        total.n_kept_under_hold = total.n_kept_under_hold.max(counts.n_kept_under_hold);
        total.n_auditor_alerts += counts.n_auditor_alerts;
    }
    total
}
