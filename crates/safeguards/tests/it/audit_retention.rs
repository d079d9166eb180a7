//! Retention of the audit log: a prefix of expired entries is cut behind a signed anchor,
//! gone from every file; held entries stop the cut; what remains verifies, and every kind
//! of tampering (including cutting more than retention did) is still detected.

use crate::audit_log::{
    INTERVAL, assert_every_flipped_byte_is_found_at_its_line, check, key, lines, write_lines,
};
use crate::fixtures::{DAY, NOW, files_under, principal, purpose};
use corridor_safeguards::Role;
use corridor_safeguards::audit::{
    ANCHORS_FILE, AuditEntry, AuditLog, AuditRecord, AuditRetention, AuditViolation, ENTRIES_FILE,
    Outcome, OutcomeStatus, verify,
};
use corridor_safeguards::retention::{
    DataKind, LegalHold, Period, RetentionPolicy, RetentionRule, apply_retention,
};
use ed25519_dalek::SigningKey;
use std::collections::BTreeSet;
use std::path::Path;

const N_OLD: u64 = 8;
const N_NEW: u64 = 4;

fn policy() -> RetentionPolicy {
    let rule = |kind, days| RetentionRule {
        kind,
        country: None,
        agreement: None,
        period: Period::Days(days),
    };
    RetentionPolicy {
        rules: vec![
            rule(DataKind::Reads, 30),
            rule(DataKind::Images, 30),
            rule(DataKind::Hits, 90),
            rule(DataKind::Audit, 365),
        ],
    }
}

/// The plate entry `n` searched for: `OLD00n` for the expired ones, `NEW0nn` after.
fn plate_of(n: u64) -> String {
    if n <= N_OLD {
        format!("OLD{n:03}")
    } else {
        format!("NEW{n:03}")
    }
}

fn record(n: u64) -> AuditRecord {
    AuditRecord {
        who: principal("ana", Role::Analyst),
        action: "read_history".to_owned(),
        why: Some(purpose("OP-TIDE/2026/0042")),
        what: serde_json::json!({ "scope": { "plates": [plate_of(n)] } }),
        outcome: Outcome::with_reads(OutcomeStatus::Ok, &[format!("read-of-{}", plate_of(n))]),
    }
}

/// Entries 1..=8 are 400 days old, 9..=12 ten days old; checkpoints every 4.
fn write_log(dir: &Path) -> AuditLog {
    let log = AuditLog::open(dir, key(), INTERVAL).expect("a fresh log opens");
    for n in 1..=N_OLD + N_NEW {
        let ts = if n <= N_OLD {
            NOW - 400 * DAY + n as i64
        } else {
            NOW - 10 * DAY + n as i64
        };
        log.append_at(record(n), ts).expect("append");
    }
    log
}

fn run_retention(
    log: &AuditLog,
    holds: &[LegalHold],
) -> corridor_safeguards::retention::RetentionReport {
    let mut target = AuditRetention::new(log, holds, principal("retention-job", Role::Admin), NOW);
    apply_retention(&policy(), holds, &mut [&mut target], NOW).expect("retention runs")
}

#[track_caller]
fn assert_nowhere(dir: &Path, text: &str) {
    for (path, contents) in files_under(dir) {
        assert!(
            !contents.contains(text),
            "{text} survived retention in {}",
            path.display()
        );
    }
}

#[track_caller]
fn assert_somewhere(dir: &Path, text: &str) {
    assert!(
        files_under(dir)
            .iter()
            .any(|(_, contents)| contents.contains(text)),
        "{text} was deleted"
    );
}

#[test]
fn expired_prefix_is_gone_from_every_file_and_the_rest_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path());
    let report = run_retention(&log, &[]);
    let counts = &report.counts["audit log"]["audit/--"];
    assert_eq!(
        (counts.n_deleted, counts.n_kept),
        (N_OLD, N_NEW),
        "{report:?}"
    );
    assert_eq!(report.deleted_by_kind["audit"], N_OLD);

    for n in 1..=N_OLD {
        assert_nowhere(dir.path(), &plate_of(n));
    }
    for n in N_OLD + 1..=N_OLD + N_NEW {
        assert_somewhere(dir.path(), &plate_of(n));
    }
    let verified = check(dir.path()).expect("the cut log verifies");
    assert_eq!(verified.first_seq, N_OLD + 1);
    assert_eq!(verified.truncated_through, N_OLD);
    assert_eq!(verified.n_anchors, 1);
    assert_eq!(
        verified.n_entries,
        N_NEW + 1,
        "the kept entries and the truncation"
    );
    assert_eq!(verified.head_seq, N_OLD + N_NEW + 1);

    let truncation: AuditEntry = serde_json::from_str(lines(dir.path()).last().unwrap()).unwrap();
    assert_eq!(truncation.action, "truncate_audit_log");
    assert_eq!(truncation.who.user, "retention-job");
    assert_eq!(truncation.what["through_seq"], N_OLD);
    assert_eq!(truncation.what["n_entries_removed"], N_OLD);

    // The log reopens from the anchor and continues the chain.
    drop(log);
    let log = AuditLog::open(dir.path(), key(), INTERVAL).expect("reopens after the cut");
    assert_eq!(log.head().0, N_OLD + N_NEW + 1);
    log.append_at(record(99), NOW).unwrap();
    assert_eq!(check(dir.path()).unwrap().head_seq, N_OLD + N_NEW + 2);

    // A second run finds nothing expired at the start of the chain.
    let again = run_retention(&log, &[]);
    assert_eq!(again.counts["audit log"]["audit/--"].n_deleted, 0);
    assert_eq!(check(dir.path()).unwrap().n_anchors, 1);
}

#[test]
fn an_entry_naming_a_held_plate_stops_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path(), key(), INTERVAL).unwrap();
    for n in 1..=N_OLD {
        let mut record = record(n);
        if n == 4 {
            // Named loosely in free text: normalised, it is the held plate.
            record.why.as_mut().unwrap().justification = "van old-004 seen twice".to_owned();
            record.what = serde_json::json!({ "scope": { "plates": [] } });
        }
        log.append_at(record, NOW - 400 * DAY + n as i64).unwrap();
    }
    let hold = LegalHold {
        case_ref: "OP-HOLD/1".to_owned(),
        read_ids: BTreeSet::new(),
        plates: BTreeSet::from(["OLD004".to_owned()]),
        placed_by: "sue".to_owned(),
        placed_at: NOW - DAY,
    };
    let report = run_retention(&log, std::slice::from_ref(&hold));
    let counts = &report.counts["audit log"]["audit/--"];
    assert_eq!(counts.n_deleted, 3, "{report:?}");
    assert_eq!(counts.n_kept_under_hold, 1);
    assert_eq!(counts.n_kept_in_chain, 4);
    assert_eq!(report.held["4"], vec!["OP-HOLD/1"]);
    for n in 1..=3 {
        assert_nowhere(dir.path(), &plate_of(n));
    }
    assert_somewhere(dir.path(), "old-004");
    for n in 5..=N_OLD {
        assert_somewhere(dir.path(), &plate_of(n));
    }
    assert_eq!(check(dir.path()).unwrap().first_seq, 4);

    // A hold on a read id listed in an entry holds it too.
    let by_read = LegalHold {
        read_ids: BTreeSet::from(["read-of-OLD005".to_owned()]),
        plates: BTreeSet::new(),
        ..hold
    };
    let report = run_retention(&log, &[by_read]);
    assert_eq!(report.counts["audit log"]["audit/--"].n_deleted, 1);
    assert_eq!(report.held["5"], vec!["OP-HOLD/1"]);
    assert_nowhere(dir.path(), "old-004");
    assert_eq!(check(dir.path()).unwrap().first_seq, 5);
}

/// A log cut through seq 8, holding seq 9..=13.
fn cut_log(dir: &Path) {
    let log = write_log(dir);
    run_retention(&log, &[]);
    check(dir).expect("the cut log verifies");
}

#[test]
fn flipping_any_byte_after_the_cut_is_detected_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    cut_log(dir.path());
    assert_every_flipped_byte_is_found_at_its_line(dir.path());
    check(dir.path()).expect("restored, it verifies again");
}

#[test]
fn deleting_inserting_and_reordering_after_the_cut_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    cut_log(dir.path());
    let original = lines(dir.path());

    // One entry more than retention cut: the first after the anchor.
    let mut tampered = original.clone();
    tampered.remove(0);
    write_lines(dir.path(), &tampered);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Deleted {
            line: 1,
            seq_first: 9,
            seq_last: 9
        }
    );

    let mut tampered = original.clone();
    tampered.remove(2);
    write_lines(dir.path(), &tampered);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Deleted {
            line: 3,
            seq_first: 11,
            seq_last: 11
        }
    );

    let mut tampered = original.clone();
    let previous: AuditEntry = serde_json::from_str(&tampered[1]).unwrap();
    let mut forged = previous.clone();
    forged.seq += 1;
    forged.who.user = "mallory".to_owned();
    forged.prev_hash = previous.entry_hash.clone();
    forged.entry_hash = forged.compute_hash();
    tampered.insert(2, serde_json::to_string(&forged).unwrap());
    write_lines(dir.path(), &tampered);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Inserted { line: 3, seq: 11 }
    );

    let mut tampered = original.clone();
    tampered.swap(0, 1);
    write_lines(dir.path(), &tampered);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Reordered {
            line: 1,
            seq: 10,
            seq_expected: 9
        }
    );

    // Cutting the tail under the last checkpoint (seq 12).
    write_lines(dir.path(), &original[..2]);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Truncated {
            n_entries: 10,
            checkpoint_seq: 12
        }
    );

    write_lines(dir.path(), &original);
    check(dir.path()).expect("restored, it verifies again");
}

#[test]
fn the_anchor_cannot_be_removed_forged_or_moved() {
    let dir = tempfile::tempdir().unwrap();
    cut_log(dir.path());
    let anchors_path = dir.path().join(ANCHORS_FILE);
    let anchors = std::fs::read_to_string(&anchors_path).unwrap();

    std::fs::remove_file(&anchors_path).unwrap();
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Deleted {
            line: 1,
            seq_first: 1,
            seq_last: 8
        }
    );

    // Moved one entry further, to hide the deletion of seq 9: the signature breaks.
    let mut anchor: serde_json::Value = serde_json::from_str(anchors.trim()).unwrap();
    let entries = lines(dir.path());
    let ninth: AuditEntry = serde_json::from_str(&entries[0]).unwrap();
    anchor["through_seq"] = 9.into();
    anchor["through_hash"] = ninth.entry_hash.clone().into();
    std::fs::write(&anchors_path, format!("{anchor}\n")).unwrap();
    write_lines(dir.path(), &entries[1..]);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::AnchorBadSignature {
            anchor_line: 1,
            seq: 9
        }
    );

    // Signed by another key.
    write_lines(dir.path(), &entries);
    std::fs::write(&anchors_path, &anchors).unwrap();
    check(dir.path()).expect("restored, it verifies again");
    let other = SigningKey::from_bytes(&[9u8; 32]);
    let err = verify(dir.path(), &other.verifying_key()).unwrap_err();
    assert!(
        matches!(
            err,
            AuditViolation::AnchorBadSignature { .. }
                | AuditViolation::CheckpointBadSignature { .. }
        ),
        "{err}"
    );

    std::fs::write(&anchors_path, "{\"through_seq\":").unwrap();
    assert!(matches!(
        check(dir.path()).unwrap_err(),
        AuditViolation::AnchorMalformed { anchor_line: 1, .. }
    ));
}

#[test]
fn a_cut_interrupted_after_its_anchor_verifies_and_is_finished_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path());
    let before = std::fs::read(dir.path().join(ENTRIES_FILE)).unwrap();
    log.truncate_through(N_OLD, &principal("retention-job", Role::Admin), NOW)
        .unwrap();
    drop(log);
    // The crash: the anchor is on disk, the entries file was not yet replaced.
    std::fs::write(dir.path().join(ENTRIES_FILE), &before).unwrap();
    let verified = check(dir.path()).expect("the chain passes through the anchor");
    assert_eq!((verified.first_seq, verified.truncated_through), (1, N_OLD));

    let log = AuditLog::open(dir.path(), key(), INTERVAL).expect("open finishes the cut");
    assert_eq!(log.head().0, N_OLD + N_NEW);
    assert_eq!(check(dir.path()).unwrap().first_seq, N_OLD + 1);
    for n in 1..=N_OLD {
        assert_nowhere(dir.path(), &plate_of(n));
    }
}

#[test]
fn a_second_cut_starts_from_the_first_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path());
    let by = principal("retention-job", Role::Admin);
    log.truncate_through(4, &by, NOW).unwrap();
    let anchors_after_first = std::fs::read_to_string(dir.path().join(ANCHORS_FILE)).unwrap();
    log.truncate_through(10, &by, NOW).unwrap();
    let verified = check(dir.path()).unwrap();
    assert_eq!(
        (
            verified.first_seq,
            verified.truncated_through,
            verified.n_anchors
        ),
        (11, 10, 2)
    );
    // Dropping the second anchor cannot pass for the first cut.
    std::fs::write(dir.path().join(ANCHORS_FILE), anchors_after_first).unwrap();
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Deleted {
            line: 1,
            seq_first: 5,
            seq_last: 10
        }
    );
    let err = log.truncate_through(3, &by, NOW).unwrap_err();
    assert!(err.to_string().contains("not in the log"), "{err}");
}
