//! The transparency report counts what happened, per period, and names nobody.

use crate::fixtures::{DAY, NOW, principal, purpose};
use corridor_safeguards::Role;
use corridor_safeguards::anomaly::{AlertKind, AuditorAlert};
use corridor_safeguards::audit::{AuditFilter, AuditLog, AuditRecord, Outcome, OutcomeStatus};
use corridor_safeguards::retention::{RetentionCounts, RetentionReport};
use corridor_safeguards::transparency::{Granularity, build_report, period_label};
use ed25519_dalek::SigningKey;
use std::collections::BTreeMap;

fn record(action: &str, with_purpose: bool, outcome: Outcome) -> AuditRecord {
    AuditRecord {
        who: principal("ana", Role::Analyst),
        action: action.to_owned(),
        why: with_purpose.then(|| purpose("OP-SECRET-CASE")),
        what: serde_json::json!({ "scope": { "plates": ["AB12CDE"] } }),
        outcome,
    }
}

#[test]
fn report_counts_per_day_and_in_total_without_naming_anyone() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path(), SigningKey::from_bytes(&[5u8; 32]), 16).unwrap();
    let day1 = NOW - 2 * DAY;
    let day2 = NOW - DAY;
    log.append_at(
        record(
            "ingest_reads",
            false,
            Outcome::with_count(OutcomeStatus::Ok, 1_000),
        ),
        day1,
    )
    .unwrap();
    log.append_at(
        record(
            "read_history",
            true,
            Outcome::with_reads(OutcomeStatus::Ok, &["r-1", "r-2", "r-3"]),
        ),
        day1,
    )
    .unwrap();
    log.append_at(
        record(
            "read_history",
            false,
            Outcome::status(OutcomeStatus::Refused),
        ),
        day1,
    )
    .unwrap();
    log.append_at(
        record(
            "run_analysis",
            true,
            Outcome::with_count(OutcomeStatus::Ok, 0),
        ),
        day2,
    )
    .unwrap();
    log.append_at(
        record(
            "read_history",
            true,
            Outcome::status(OutcomeStatus::Pending),
        ),
        day2,
    )
    .unwrap();
    log.append_at(
        record(
            "approve_request",
            true,
            Outcome::status(OutcomeStatus::Approved),
        ),
        day2,
    )
    .unwrap();
    log.append_at(
        record(
            "hotlist_hit",
            false,
            Outcome::with_count(OutcomeStatus::Ok, 2),
        ),
        day2,
    )
    .unwrap();
    log.append_at(
        record(
            "read_history",
            true,
            Outcome::with_reads(OutcomeStatus::Ok, &["r-1"]),
        ),
        NOW + DAY,
    )
    .unwrap();
    let retention = RetentionReport {
        ran_at: day2,
        deleted_by_kind: BTreeMap::from([("reads".to_owned(), 42)]),
        counts: BTreeMap::from([(
            "store".to_owned(),
            BTreeMap::from([
                (
                    "reads/NL".to_owned(),
                    RetentionCounts {
                        n_deleted: 40,
                        n_kept_under_hold: 1,
                        n_kept: 9,
                        ..RetentionCounts::default()
                    },
                ),
                (
                    "reads/GB".to_owned(),
                    RetentionCounts {
                        n_deleted: 2,
                        n_kept_under_hold: 0,
                        n_kept: 90,
                        ..RetentionCounts::default()
                    },
                ),
            ]),
        )]),
        held: BTreeMap::from([("r-held".to_owned(), vec!["OP-SECRET-CASE".to_owned()])]),
        n_without_rule: 0,
    };
    let alerts = vec![AuditorAlert {
        ts: day1,
        user: "eve-the-insider".into(),
        kind: AlertKind::OutsideWorkingHours,
        detail: "x".into(),
    }];
    let entries = log.entries(&AuditFilter::default()).unwrap();
    let report = build_report(
        &entries,
        &[retention],
        &alerts,
        NOW - 7 * DAY,
        NOW,
        Granularity::Day,
    );

    assert_eq!(
        report.periods.len(),
        2,
        "the entry after `to` is outside the window"
    );
    let first = &report.periods[0];
    assert_eq!(first.period, period_label(day1, Granularity::Day));
    assert_eq!(
        (
            first.n_reads_ingested,
            first.n_searches,
            first.n_reads_returned,
            first.n_refused
        ),
        (1_000, 1, 3, 1)
    );
    assert_eq!(first.n_auditor_alerts, 1);
    let second = &report.periods[1];
    assert_eq!(
        (
            second.n_analyses,
            second.n_approval_requests,
            second.n_approved,
            second.n_hits
        ),
        (1, 1, 1, 2)
    );
    assert_eq!(second.deleted_by_retention["reads"], 42);
    assert_eq!(second.n_kept_under_hold, 1);
    assert_eq!(report.total.by_offence_category["people_smuggling"], 2);
    assert_eq!(report.total.n_searches, 1);

    let markdown = report.to_markdown();
    assert!(
        markdown
            .contains("| total | 1000 | 1 | 1 | 3 | 1 | 1 | 1 | 0 | 2 | 0 | reads 42 | 1 | 1 |"),
        "{markdown}"
    );
    let json = serde_json::to_string(&report).unwrap();
    for secret in [
        "eve-the-insider",
        "Kent Police",
        "OP-SECRET-CASE",
        "AB12CDE",
        "r-held",
    ] {
        assert!(
            !json.contains(secret) && !markdown.contains(secret),
            "{secret} leaked into the report"
        );
    }
}

#[test]
fn weeks_and_months_are_labelled() {
    assert_eq!(period_label(NOW, Granularity::Month), "2026-11");
    assert_eq!(period_label(NOW, Granularity::Week), "2026-W49");
    assert_eq!(period_label(NOW, Granularity::Day), "2026-11-30");
}
