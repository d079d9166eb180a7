//! The ways `audit verify` finds the log altered, each with its position.

use super::{ANCHORS_FILE, CHECKPOINTS_FILE, ENTRIES_FILE};
use serde::Serialize;
use std::fmt;

/// Where and how the log was found to be altered. Lines are 1-based line numbers of
/// `audit.jsonl` (or of `checkpoints.jsonl` where said).
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditViolation {
    /// A file could not be read.
    Unreadable { file: String, reason: String },
    /// A line is not a valid entry (e.g. a flipped byte broke the JSON).
    Malformed { line: u64, reason: String },
    /// The last line is incomplete.
    TornTail { line: u64 },
    /// An entry's content does not match its own hash: it was changed.
    Modified { line: u64, seq: u64 },
    /// Entries are missing before this line.
    Deleted {
        line: u64,
        seq_first: u64,
        seq_last: u64,
    },
    /// This line was not part of the chain: it was inserted.
    Inserted { line: u64, seq: u64 },
    /// Entries are out of order at this line.
    Reordered {
        line: u64,
        seq: u64,
        seq_expected: u64,
    },
    /// This entry does not chain to the previous one (it was replaced).
    ChainBroken { line: u64, seq: u64 },
    /// A signed checkpoint names a head that the recomputed chain does not have.
    CheckpointMismatch { seq: u64 },
    /// A checkpoint's signature is not valid under the given public key.
    CheckpointBadSignature { checkpoint_line: u64, seq: u64 },
    /// A checkpoint line is not valid JSON.
    CheckpointMalformed {
        checkpoint_line: u64,
        reason: String,
    },
    /// A checkpoint that must exist (every `interval` entries, and the genesis) is absent.
    CheckpointMissing { seq: u64 },
    /// A checkpoint or anchor covers entries that are no longer in the log: its tail was cut.
    Truncated { n_entries: u64, checkpoint_seq: u64 },
    /// An anchor line is not valid JSON.
    AnchorMalformed { anchor_line: u64, reason: String },
    /// An anchor's signature is not valid under the given public key.
    AnchorBadSignature { anchor_line: u64, seq: u64 },
    /// A signed anchor names a hash that the chain does not have at its seq.
    AnchorMismatch { seq: u64 },
}

impl fmt::Display for AuditViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditViolation::Unreadable { file, reason } => {
                write!(f, "{file}: unreadable: {reason}")
            }
            AuditViolation::Malformed { line, reason } => {
                write!(
                    f,
                    "{ENTRIES_FILE} line {line}: malformed entry (changed): {reason}"
                )
            }
            AuditViolation::TornTail { line } => {
                write!(f, "{ENTRIES_FILE} line {line}: incomplete last line")
            }
            AuditViolation::Modified { line, seq } => write!(
                f,
                "{ENTRIES_FILE} line {line}: entry seq {seq} was modified (its hash does not match its content)"
            ),
            AuditViolation::Deleted {
                line,
                seq_first,
                seq_last,
            } => write!(
                f,
                "{ENTRIES_FILE} line {line}: entries seq {seq_first}..={seq_last} were deleted before this line"
            ),
            AuditViolation::Inserted { line, seq } => write!(
                f,
                "{ENTRIES_FILE} line {line}: entry claiming seq {seq} was inserted (not part of the chain)"
            ),
            AuditViolation::Reordered {
                line,
                seq,
                seq_expected,
            } => write!(
                f,
                "{ENTRIES_FILE} line {line}: entries were reordered (found seq {seq}, expected seq {seq_expected})"
            ),
            AuditViolation::ChainBroken { line, seq } => write!(
                f,
                "{ENTRIES_FILE} line {line}: entry seq {seq} does not chain to the previous entry (replaced)"
            ),
            AuditViolation::CheckpointMismatch { seq } => write!(
                f,
                "signed checkpoint at seq {seq} does not match the chain: entries up to seq {seq} were rewritten"
            ),
            AuditViolation::CheckpointBadSignature {
                checkpoint_line,
                seq,
            } => write!(
                f,
                "{CHECKPOINTS_FILE} line {checkpoint_line}: checkpoint seq {seq} has an invalid signature"
            ),
            AuditViolation::CheckpointMalformed {
                checkpoint_line,
                reason,
            } => write!(
                f,
                "{CHECKPOINTS_FILE} line {checkpoint_line}: malformed checkpoint: {reason}"
            ),
            AuditViolation::CheckpointMissing { seq } => {
                write!(f, "the signed checkpoint at seq {seq} is missing")
            }
            AuditViolation::Truncated {
                n_entries,
                checkpoint_seq,
            } => write!(
                f,
                "the log ends at seq {n_entries} but a signed checkpoint covers seq {checkpoint_seq}: entries after seq {n_entries} were deleted"
            ),
            AuditViolation::AnchorMalformed {
                anchor_line,
                reason,
            } => write!(
                f,
                "{ANCHORS_FILE} line {anchor_line}: malformed anchor: {reason}"
            ),
            AuditViolation::AnchorBadSignature { anchor_line, seq } => write!(
                f,
                "{ANCHORS_FILE} line {anchor_line}: anchor through seq {seq} has an invalid signature"
            ),
            AuditViolation::AnchorMismatch { seq } => write!(
                f,
                "signed anchor through seq {seq} does not match the chain: entries up to seq {seq} were rewritten"
            ),
        }
    }
}

impl std::error::Error for AuditViolation {}
