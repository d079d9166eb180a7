//! Offline verification of the audit log: hash chain, sequence, and signed checkpoints.

use super::{AuditEntry, CHECKPOINTS_FILE, Checkpoint, ENTRIES_FILE, GENESIS_HASH, hash_of_json};
use ed25519_dalek::{Signature, VerifyingKey};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// What a successful verification established.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct VerifyReport {
    /// Entries in the log.
    pub n_entries: u64,
    /// Signed checkpoints, the genesis one included.
    pub n_checkpoints: u64,
    /// The `entry_hash` of the last entry (the genesis hash for an empty log).
    pub head_hash: String,
    /// The last entry covered by a signed checkpoint.
    pub last_checkpoint_seq: u64,
    /// Entries after the last checkpoint: chained, but not yet signed.
    pub n_unsigned_tail: u64,
    /// The checkpoint interval the log was written with.
    pub interval: u64,
}

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
    /// A checkpoint covers entries that are no longer in the log: its tail was cut.
    Truncated { n_entries: u64, checkpoint_seq: u64 },
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
        }
    }
}

impl std::error::Error for AuditViolation {}

/// Verifies the audit log in directory `dir` against the checkpoint public key.
pub fn verify(dir: &Path, public_key: &VerifyingKey) -> Result<VerifyReport, AuditViolation> {
    let entries_text = read_text(&dir.join(ENTRIES_FILE), true)?;
    let checkpoints_text = read_text(&dir.join(CHECKPOINTS_FILE), false)?;
    verify_files(&entries_text, &checkpoints_text, public_key)
}

/// Verifies the contents of `audit.jsonl` and `checkpoints.jsonl`.
pub fn verify_files(
    entries_text: &str,
    checkpoints_text: &str,
    public_key: &VerifyingKey,
) -> Result<VerifyReport, AuditViolation> {
    let (entries, hashes) = parse_entries(entries_text)?;
    for (entry_idx, (entry, hash)) in entries.iter().zip(&hashes).enumerate() {
        if *hash != entry.entry_hash {
            return Err(AuditViolation::Modified {
                line: line_of(entry_idx),
                seq: entry.seq,
            });
        }
    }
    check_chain(&entries)?;
    let checkpoints = parse_checkpoints(checkpoints_text, public_key)?;
    check_checkpoints(&entries, &checkpoints)
}

fn read_text(path: &Path, missing_is_empty: bool) -> Result<String, AuditViolation> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).or_else(|err| {
            // A flipped byte can make the file invalid UTF-8; keep going so that the
            // line-level check names the line.
            Ok(String::from_utf8_lossy(err.as_bytes()).into_owned())
        }),
        Err(err) if missing_is_empty && err.kind() == std::io::ErrorKind::NotFound => {
            Ok(String::new())
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(err) => Err(AuditViolation::Unreadable {
            file: path.display().to_string(),
            reason: err.to_string(),
        }),
    }
}

fn line_of(entry_idx: usize) -> u64 {
    entry_idx as u64 + 1
}

/// Parses every line, returning each entry and the hash of the line as written.
fn parse_entries(text: &str) -> Result<(Vec<AuditEntry>, Vec<String>), AuditViolation> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(AuditViolation::TornTail {
            line: text.lines().count() as u64,
        });
    }
    let mut entries = Vec::new();
    let mut hashes = Vec::new();
    for (line_idx, line) in text.lines().enumerate() {
        let malformed = |err: serde_json::Error| AuditViolation::Malformed {
            line: line_of(line_idx),
            reason: err.to_string(),
        };
        let json: serde_json::Value = serde_json::from_str(line).map_err(malformed)?;
        hashes.push(hash_of_json(json.clone()));
        entries.push(serde_json::from_value::<AuditEntry>(json).map_err(malformed)?);
    }
    Ok((entries, hashes))
}

/// Walks the chain; at the first break, works out what kind of tampering explains it.
fn check_chain(entries: &[AuditEntry]) -> Result<(), AuditViolation> {
    let mut first_line_of_seq: HashMap<u64, usize> = HashMap::new();
    for (entry_idx, entry) in entries.iter().enumerate() {
        let (seq_expected, prev_hash) = match entry_idx.checked_sub(1) {
            Some(prev_idx) => (
                entries[prev_idx].seq + 1,
                entries[prev_idx].entry_hash.as_str(),
            ),
            None => (1, GENESIS_HASH),
        };
        if entry.seq != seq_expected || entry.prev_hash != prev_hash {
            return Err(classify_break(
                entries,
                entry_idx,
                seq_expected,
                prev_hash,
                &first_line_of_seq,
            ));
        }
        first_line_of_seq.entry(entry.seq).or_insert(entry_idx);
    }
    Ok(())
}

fn classify_break(
    entries: &[AuditEntry],
    entry_idx: usize,
    seq_expected: u64,
    prev_hash: &str,
    first_line_of_seq: &HashMap<u64, usize>,
) -> AuditViolation {
    let entry = &entries[entry_idx];
    let next = entries.get(entry_idx + 1);
    // A duplicate sequence number: of the two, the genuine one is the one its successor chains to.
    if let Some(&earlier_idx) = first_line_of_seq.get(&entry.seq) {
        let successor_chains_here = next.is_some_and(|next| next.prev_hash == entry.entry_hash);
        let intruder_idx = if successor_chains_here {
            earlier_idx
        } else {
            entry_idx
        };
        return AuditViolation::Inserted {
            line: line_of(intruder_idx),
            seq: entries[intruder_idx].seq,
        };
    }
    // Nothing chains to this entry and the next one chains straight past it: it was slipped in.
    let referenced = entries
        .iter()
        .any(|other| other.prev_hash == entry.entry_hash);
    if !referenced
        && next.is_some_and(|next| next.prev_hash == prev_hash && next.seq == seq_expected)
    {
        return AuditViolation::Inserted {
            line: line_of(entry_idx),
            seq: entry.seq,
        };
    }
    let expected_comes_later = entries[entry_idx + 1..]
        .iter()
        .any(|later| later.seq == seq_expected);
    if entry.seq != seq_expected && expected_comes_later {
        return AuditViolation::Reordered {
            line: line_of(entry_idx),
            seq: entry.seq,
            seq_expected,
        };
    }
    if entry.seq > seq_expected {
        return AuditViolation::Deleted {
            line: line_of(entry_idx),
            seq_first: seq_expected,
            seq_last: entry.seq - 1,
        };
    }
    if entry.seq < seq_expected {
        return AuditViolation::Reordered {
            line: line_of(entry_idx),
            seq: entry.seq,
            seq_expected,
        };
    }
    AuditViolation::ChainBroken {
        line: line_of(entry_idx),
        seq: entry.seq,
    }
}

fn parse_checkpoints(
    text: &str,
    public_key: &VerifyingKey,
) -> Result<Vec<Checkpoint>, AuditViolation> {
    let mut checkpoints = Vec::new();
    for (line_idx, line) in text.lines().enumerate() {
        let checkpoint_line = line_of(line_idx);
        let checkpoint: Checkpoint =
            serde_json::from_str(line).map_err(|err| AuditViolation::CheckpointMalformed {
                checkpoint_line,
                reason: err.to_string(),
            })?;
        let bad_signature = AuditViolation::CheckpointBadSignature {
            checkpoint_line,
            seq: checkpoint.seq,
        };
        let lower_hex = checkpoint
            .signature
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
        let signature_bytes: [u8; 64] = hex::decode(&checkpoint.signature)
            .ok()
            .filter(|_| lower_hex)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| bad_signature.clone())?;
        let message =
            Checkpoint::signed_message(checkpoint.seq, &checkpoint.head_hash, checkpoint.interval);
        public_key
            .verify_strict(&message, &Signature::from_bytes(&signature_bytes))
            .map_err(|_| bad_signature)?;
        checkpoints.push(checkpoint);
    }
    Ok(checkpoints)
}

fn check_checkpoints(
    entries: &[AuditEntry],
    checkpoints: &[Checkpoint],
) -> Result<VerifyReport, AuditViolation> {
    let genesis = checkpoints
        .iter()
        .find(|checkpoint| checkpoint.seq == 0 && checkpoint.head_hash == GENESIS_HASH)
        .ok_or(AuditViolation::CheckpointMissing { seq: 0 })?;
    let interval = genesis.interval.max(1);
    let n_entries = entries.len() as u64;
    let mut by_seq: HashMap<u64, &Checkpoint> = HashMap::new();
    for checkpoint in checkpoints {
        if checkpoint.seq > n_entries {
            return Err(AuditViolation::Truncated {
                n_entries,
                checkpoint_seq: checkpoint.seq,
            });
        }
        let chain_hash = match checkpoint.seq {
            0 => GENESIS_HASH,
            seq => entries[(seq - 1) as usize].entry_hash.as_str(),
        };
        if checkpoint.head_hash != chain_hash || checkpoint.interval != interval {
            return Err(AuditViolation::CheckpointMismatch {
                seq: checkpoint.seq,
            });
        }
        by_seq.insert(checkpoint.seq, checkpoint);
    }
    let mut seq = interval;
    while seq <= n_entries {
        if !by_seq.contains_key(&seq) {
            return Err(AuditViolation::CheckpointMissing { seq });
        }
        seq += interval;
    }
    let last_checkpoint_seq = n_entries / interval * interval;
    Ok(VerifyReport {
        n_entries,
        n_checkpoints: checkpoints.len() as u64,
        head_hash: entries
            .last()
            .map_or_else(|| GENESIS_HASH.to_owned(), |entry| entry.entry_hash.clone()),
        last_checkpoint_seq,
        n_unsigned_tail: n_entries - last_checkpoint_seq,
        interval,
    })
}
