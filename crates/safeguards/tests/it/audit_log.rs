//! The audit log: appends, reopening, and every kind of tampering detected with its position.

use crate::fixtures::{NOW, principal, purpose};
use corridor_safeguards::Role;
use corridor_safeguards::audit::{
    AuditEntry, AuditFilter, AuditLog, AuditRecord, AuditViolation, CHECKPOINTS_FILE, ENTRIES_FILE,
    Outcome, OutcomeStatus, verify,
};
use ed25519_dalek::SigningKey;
use std::path::Path;

pub(crate) const INTERVAL: u64 = 4;

pub(crate) fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

fn record(user: &str, n: u64) -> AuditRecord {
    AuditRecord {
        who: principal(user, Role::Analyst),
        action: "read_history".to_owned(),
        why: Some(purpose("OP-TIDE/2026/0042")),
        what: serde_json::json!({ "scope": { "plates": [format!("AB{n:02}CDE")] } }),
        outcome: Outcome::with_reads(
            OutcomeStatus::Ok,
            &[format!("r-{n}"), format!("r-{}", n + 100)],
        ),
    }
}

/// A log of `n` entries with checkpoints every [`INTERVAL`].
fn write_log(dir: &Path, n: u64) -> AuditLog {
    let log = AuditLog::open(dir, key(), INTERVAL).expect("a fresh log opens");
    for entry_idx in 1..=n {
        log.append_at(record("ana", entry_idx), NOW + entry_idx as i64)
            .expect("append");
    }
    log
}

pub(crate) fn lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(ENTRIES_FILE))
        .expect("entries file")
        .lines()
        .map(str::to_owned)
        .collect()
}

pub(crate) fn write_lines(dir: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(dir.join(ENTRIES_FILE), text).expect("rewrite entries");
}

pub(crate) fn check(
    dir: &Path,
) -> Result<corridor_safeguards::audit::VerifyReport, AuditViolation> {
    verify(dir, &key().verifying_key())
}

#[test]
fn fresh_log_verifies_with_checkpoints_and_unsigned_tail() {
    let dir = tempfile::tempdir().unwrap();
    let log = write_log(dir.path(), 10);
    let report = check(dir.path()).expect("untouched log verifies");
    assert_eq!(report.n_entries, 10);
    assert_eq!(report.n_checkpoints, 3, "genesis, 4 and 8");
    assert_eq!(report.last_checkpoint_seq, 8);
    assert_eq!(report.n_unsigned_tail, 2);
    assert_eq!(report.head_hash, log.head().1);
    let entries = log.entries(&AuditFilter::default()).unwrap();
    assert_eq!(entries[0].outcome.n_results, 2);
    assert_eq!(entries[0].outcome.read_ids, vec!["r-1", "r-101"]);
    assert!(entries[0].outcome.results_sha256.is_some());
}

#[test]
fn reopened_log_continues_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 5));
    let log = AuditLog::open(dir.path(), key(), INTERVAL).expect("reopen");
    assert_eq!(log.head().0, 5);
    let entry = log.append_at(record("bob", 6), NOW + 6).unwrap();
    assert_eq!(entry.seq, 6);
    assert_eq!(check(dir.path()).unwrap().n_entries, 6);
}

#[test]
fn reopening_with_another_interval_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 2));
    let err = AuditLog::open(dir.path(), key(), 10).unwrap_err();
    assert!(err.to_string().contains("checkpoint_interval"), "{err}");
}

#[test]
fn flipping_any_byte_of_the_entries_is_detected_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 3));
    assert_every_flipped_byte_is_found_at_its_line(dir.path());
}

/// Flips each byte of `audit.jsonl` in turn: verification must fail at that byte's line.
pub(crate) fn assert_every_flipped_byte_is_found_at_its_line(dir: &Path) {
    let original = std::fs::read(dir.join(ENTRIES_FILE)).unwrap();
    for byte_idx in 0..original.len() {
        let mut tampered = original.clone();
        tampered[byte_idx] ^= 0x01;
        std::fs::write(dir.join(ENTRIES_FILE), &tampered).unwrap();
        let line = original[..byte_idx]
            .iter()
            .filter(|byte| **byte == b'\n')
            .count() as u64
            + 1;
        let violation = check(dir).expect_err("a flipped byte is detected");
        let reported = match &violation {
            AuditViolation::Modified { line, .. }
            | AuditViolation::Malformed { line, .. }
            | AuditViolation::TornTail { line }
            | AuditViolation::ChainBroken { line, .. }
            | AuditViolation::Inserted { line, .. }
            | AuditViolation::Reordered { line, .. }
            | AuditViolation::Deleted { line, .. } => *line,
            other => panic!("byte {byte_idx}: unexpected {other}"),
        };
        assert_eq!(reported, line, "byte {byte_idx}: {violation}");
    }
    std::fs::write(dir.join(ENTRIES_FILE), &original).unwrap();
}

#[test]
fn flipping_one_byte_inside_a_value_names_the_modified_entry() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 6));
    let mut entries = lines(dir.path());
    entries[2] = entries[2].replacen("\"user\":\"ana\"", "\"user\":\"anb\"", 1);
    write_lines(dir.path(), &entries);
    let violation = check(dir.path()).unwrap_err();
    assert_eq!(violation, AuditViolation::Modified { line: 3, seq: 3 });
    assert!(violation.to_string().contains("line 3"), "{violation}");
}

#[test]
fn deleting_an_entry_is_detected_with_the_missing_seq() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 10));
    let mut entries = lines(dir.path());
    entries.remove(4);
    write_lines(dir.path(), &entries);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Deleted {
            line: 5,
            seq_first: 5,
            seq_last: 5
        }
    );
}

#[test]
fn deleting_the_first_entry_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 3));
    let mut entries = lines(dir.path());
    entries.remove(0);
    write_lines(dir.path(), &entries);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Deleted {
            line: 1,
            seq_first: 1,
            seq_last: 1
        }
    );
}

/// A careful forger: a well-formed entry with a valid hash, chained to its predecessor.
fn forged_after(previous: &AuditEntry) -> AuditEntry {
    let mut forged = previous.clone();
    forged.seq = previous.seq + 1;
    forged.who.user = "mallory".to_owned();
    forged.prev_hash = previous.entry_hash.clone();
    forged.entry_hash = forged.compute_hash();
    forged
}

#[test]
fn inserting_a_well_formed_entry_is_detected_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 10));
    let mut entries = lines(dir.path());
    let previous: AuditEntry = serde_json::from_str(&entries[4]).unwrap();
    entries.insert(5, serde_json::to_string(&forged_after(&previous)).unwrap());
    write_lines(dir.path(), &entries);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Inserted { line: 6, seq: 6 }
    );
}

#[test]
fn inserting_a_copy_of_an_entry_is_detected_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 10));
    let mut entries = lines(dir.path());
    let copy = entries[2].clone();
    entries.insert(6, copy);
    write_lines(dir.path(), &entries);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Inserted { line: 7, seq: 3 }
    );
}

#[test]
fn reordering_two_entries_is_detected_at_the_first_of_them() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 10));
    let mut entries = lines(dir.path());
    entries.swap(4, 5);
    write_lines(dir.path(), &entries);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Reordered {
            line: 5,
            seq: 6,
            seq_expected: 5
        }
    );
}

#[test]
fn reordering_distant_entries_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 10));
    let mut entries = lines(dir.path());
    entries.swap(1, 7);
    write_lines(dir.path(), &entries);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Reordered {
            line: 2,
            seq: 8,
            seq_expected: 2
        }
    );
}

#[test]
fn rewriting_the_chain_after_a_change_is_caught_by_the_signed_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 10));
    let mut entries: Vec<AuditEntry> = lines(dir.path())
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    entries[5].who.user = "nobody".to_owned();
    for entry_idx in 5..entries.len() {
        entries[entry_idx].prev_hash = entries[entry_idx - 1].entry_hash.clone();
        entries[entry_idx].entry_hash = entries[entry_idx].compute_hash();
    }
    let rewritten: Vec<String> = entries
        .iter()
        .map(|entry| serde_json::to_string(entry).unwrap())
        .collect();
    write_lines(dir.path(), &rewritten);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::CheckpointMismatch { seq: 8 }
    );
}

#[test]
fn cutting_entries_covered_by_a_checkpoint_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 10));
    let entries = lines(dir.path());
    write_lines(dir.path(), &entries[..7]);
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::Truncated {
            n_entries: 7,
            checkpoint_seq: 8
        }
    );
}

#[test]
fn removing_the_checkpoints_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 10));
    std::fs::remove_file(dir.path().join(CHECKPOINTS_FILE)).unwrap();
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::CheckpointMissing { seq: 0 }
    );
    let reopened = AuditLog::open(dir.path(), key(), INTERVAL).unwrap_err();
    assert!(
        reopened
            .to_string()
            .contains("checkpoint at seq 0 is missing"),
        "{reopened}"
    );
}

#[test]
fn removing_one_checkpoint_line_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 10));
    let path = dir.path().join(CHECKPOINTS_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !line.contains("\"seq\":4,"))
        .collect();
    assert_eq!(kept.len(), 2);
    std::fs::write(&path, format!("{}\n", kept.join("\n"))).unwrap();
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::CheckpointMissing { seq: 4 }
    );
}

#[test]
fn a_checkpoint_signed_by_another_key_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 4));
    let other = SigningKey::from_bytes(&[9u8; 32]);
    assert_eq!(
        verify(dir.path(), &other.verifying_key()).unwrap_err(),
        AuditViolation::CheckpointBadSignature {
            checkpoint_line: 1,
            seq: 0
        }
    );
}

#[test]
fn a_torn_last_line_is_reported_and_cut_on_reopen() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 5));
    let path = dir.path().join(ENTRIES_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"{\"seq\":6,\"time\":");
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(
        check(dir.path()).unwrap_err(),
        AuditViolation::TornTail { line: 6 }
    );
    let log = AuditLog::open(dir.path(), key(), INTERVAL).expect("reopen cuts the torn tail");
    assert_eq!(log.head().0, 5);
    log.append_at(record("ana", 6), NOW).unwrap();
    assert_eq!(check(dir.path()).unwrap().n_entries, 6);
}

#[test]
fn a_tampered_log_is_not_continued() {
    let dir = tempfile::tempdir().unwrap();
    drop(write_log(dir.path(), 6));
    let mut entries = lines(dir.path());
    entries.swap(1, 2);
    write_lines(dir.path(), &entries);
    let err = AuditLog::open(dir.path(), key(), INTERVAL).unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn filters_select_by_user_time_and_case() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path(), key(), INTERVAL).unwrap();
    log.append_at(record("ana", 1), NOW).unwrap();
    log.append_at(record("bob", 2), NOW + 10).unwrap();
    log.append_at(record("ana", 3), NOW + 20).unwrap();
    let by_user = log
        .entries(&AuditFilter {
            user: Some("ana".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(
        by_user.iter().map(|entry| entry.seq).collect::<Vec<_>>(),
        vec![1, 3]
    );
    let since = log
        .entries(&AuditFilter {
            since: Some(NOW + 10),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(
        since.iter().map(|entry| entry.seq).collect::<Vec<_>>(),
        vec![2, 3]
    );
    let other_case = log
        .entries(&AuditFilter {
            case_ref: Some("OP-OTHER".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert!(other_case.is_empty());
}
