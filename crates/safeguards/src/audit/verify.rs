//! Offline verification of the audit log: hash chain, sequence, signed checkpoints, and
//! the signed anchors that retention leaves where it cut a prefix.

use super::{
    ANCHORS_FILE, Anchor, AuditEntry, AuditViolation, CHECKPOINTS_FILE, Checkpoint, ENTRIES_FILE,
    GENESIS_HASH, hash_of_json,
};
use ed25519_dalek::{Signature, VerifyingKey};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// What a successful verification established.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct VerifyReport {
    /// Entries in the log.
    pub n_entries: u64,
    /// The seq of the first entry kept (1 unless retention cut a prefix).
    pub first_seq: u64,
    /// The seq of the last entry (`n_entries` unless retention cut a prefix).
    pub head_seq: u64,
    /// Entries up to this seq were deleted by retention behind a signed anchor (0: none).
    pub truncated_through: u64,
    /// Signed anchors, one per retention cut.
    pub n_anchors: u64,
    /// Signed checkpoints, the genesis one included.
    pub n_checkpoints: u64,
    /// The `entry_hash` of the last entry (for an empty log, the genesis or anchor hash).
    pub head_hash: String,
    /// The last entry covered by a signed checkpoint.
    pub last_checkpoint_seq: u64,
    /// Entries after the last checkpoint: chained, but not yet signed.
    pub n_unsigned_tail: u64,
    /// The checkpoint interval the log was written with.
    pub interval: u64,
}

/// Verifies the audit log in directory `dir` against the checkpoint public key.
pub fn verify(dir: &Path, public_key: &VerifyingKey) -> Result<VerifyReport, AuditViolation> {
    let entries_text = read_text(&dir.join(ENTRIES_FILE), true)?;
    let checkpoints_text = read_text(&dir.join(CHECKPOINTS_FILE), false)?;
    let anchors_text = read_text(&dir.join(ANCHORS_FILE), true)?;
    verify_files(&entries_text, &checkpoints_text, &anchors_text, public_key)
}

/// Verifies the contents of `audit.jsonl`, `checkpoints.jsonl` and `anchors.jsonl`.
pub fn verify_files(
    entries_text: &str,
    checkpoints_text: &str,
    anchors_text: &str,
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
    let anchors = parse_anchors(anchors_text, public_key)?;
    let root = chain_root(&entries, &anchors);
    check_chain(&entries, &root)?;
    let chain = Chain {
        entries: &entries,
        root,
    };
    check_anchors(&chain, &anchors)?;
    let checkpoints = parse_checkpoints(checkpoints_text, public_key)?;
    let mut report = check_checkpoints(&chain, &checkpoints, &anchors)?;
    report.n_anchors = anchors.len() as u64;
    Ok(report)
}

/// Where the chain starts: the genesis (seq 0) or an anchor, and the hash it chains to.
#[derive(Debug)]
struct Root {
    seq: u64,
    hash: String,
}

/// The entries kept and the point they chain from.
#[derive(Debug)]
struct Chain<'a> {
    entries: &'a [AuditEntry],
    root: Root,
}

impl Chain<'_> {
    fn first_seq(&self) -> u64 {
        self.root.seq + 1
    }

    fn head_seq(&self) -> u64 {
        self.entries.last().map_or(self.root.seq, |entry| entry.seq)
    }

    /// The hash the chain has at `seq`, if that point is still in the log.
    fn hash_at(&self, seq: u64) -> Option<&str> {
        if seq == 0 {
            return Some(GENESIS_HASH);
        }
        if seq == self.root.seq {
            return Some(self.root.hash.as_str());
        }
        let entry_idx = usize::try_from(seq.checked_sub(self.first_seq())?).ok()?;
        self.entries
            .get(entry_idx)
            .map(|entry| entry.entry_hash.as_str())
    }
}

/// The chain starts at the genesis when its first entry is seq 1, at the anchor it follows
/// when there is one, and otherwise at the latest anchor (so that a cut deeper than any
/// anchor shows as deleted entries).
fn chain_root(entries: &[AuditEntry], anchors: &[Anchor]) -> Root {
    let genesis = Root {
        seq: 0,
        hash: GENESIS_HASH.to_owned(),
    };
    let of_anchor = |anchor: &Anchor| Root {
        seq: anchor.through_seq,
        hash: anchor.through_hash.clone(),
    };
    let latest = anchors
        .iter()
        .max_by_key(|anchor| anchor.through_seq)
        .map_or(genesis, of_anchor);
    match entries.first() {
        Some(first) if first.seq == 1 => Root {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        },
        Some(first) => anchors
            .iter()
            .find(|anchor| anchor.through_seq + 1 == first.seq)
            .map_or(latest, of_anchor),
        None => latest,
    }
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

/// Walks the chain from its root; at the first break, works out what kind of tampering
/// explains it.
fn check_chain(entries: &[AuditEntry], root: &Root) -> Result<(), AuditViolation> {
    let mut first_line_of_seq: HashMap<u64, usize> = HashMap::new();
    for (entry_idx, entry) in entries.iter().enumerate() {
        let (seq_expected, prev_hash) = match entry_idx.checked_sub(1) {
            Some(prev_idx) => (
                entries[prev_idx].seq + 1,
                entries[prev_idx].entry_hash.as_str(),
            ),
            None => (root.seq + 1, root.hash.as_str()),
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
        let message =
            Checkpoint::signed_message(checkpoint.seq, &checkpoint.head_hash, checkpoint.interval);
        if !signature_holds(public_key, &message, &checkpoint.signature) {
            return Err(AuditViolation::CheckpointBadSignature {
                checkpoint_line,
                seq: checkpoint.seq,
            });
        }
        checkpoints.push(checkpoint);
    }
    Ok(checkpoints)
}

/// Whether `signature_hex` (64 bytes in lower-case hex) signs `message` under `public_key`.
fn signature_holds(public_key: &VerifyingKey, message: &[u8], signature_hex: &str) -> bool {
    let lower_hex = signature_hex
        .bytes()
        .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
    let signature_bytes: Option<[u8; 64]> = hex::decode(signature_hex)
        .ok()
        .filter(|_| lower_hex)
        .and_then(|bytes| bytes.try_into().ok());
    signature_bytes.is_some_and(|bytes| {
        public_key
            .verify_strict(message, &Signature::from_bytes(&bytes))
            .is_ok()
    })
}

fn parse_anchors(text: &str, public_key: &VerifyingKey) -> Result<Vec<Anchor>, AuditViolation> {
    let mut anchors = Vec::new();
    for (line_idx, line) in text.lines().enumerate() {
        let anchor_line = line_of(line_idx);
        let anchor: Anchor =
            serde_json::from_str(line).map_err(|err| AuditViolation::AnchorMalformed {
                anchor_line,
                reason: err.to_string(),
            })?;
        let message =
            Anchor::signed_message(anchor.through_seq, &anchor.through_hash, anchor.interval);
        if !signature_holds(public_key, &message, &anchor.signature) {
            return Err(AuditViolation::AnchorBadSignature {
                anchor_line,
                seq: anchor.through_seq,
            });
        }
        anchors.push(anchor);
    }
    Ok(anchors)
}

/// Every anchor still in reach must match the chain, and none may lie beyond its end: a
/// retention cut never deletes the entries after it.
fn check_anchors(chain: &Chain<'_>, anchors: &[Anchor]) -> Result<(), AuditViolation> {
    let head_seq = chain.head_seq();
    for anchor in anchors {
        if anchor.through_seq > head_seq {
            return Err(AuditViolation::Truncated {
                n_entries: head_seq,
                checkpoint_seq: anchor.through_seq,
            });
        }
        if chain
            .hash_at(anchor.through_seq)
            .is_some_and(|hash| hash != anchor.through_hash)
        {
            return Err(AuditViolation::AnchorMismatch {
                seq: anchor.through_seq,
            });
        }
    }
    Ok(())
}

fn check_checkpoints(
    chain: &Chain<'_>,
    checkpoints: &[Checkpoint],
    anchors: &[Anchor],
) -> Result<VerifyReport, AuditViolation> {
    let genesis = checkpoints
        .iter()
        .find(|checkpoint| checkpoint.seq == 0 && checkpoint.head_hash == GENESIS_HASH)
        .ok_or(AuditViolation::CheckpointMissing { seq: 0 })?;
    let interval = genesis.interval.max(1);
    if let Some(anchor) = anchors.iter().find(|anchor| anchor.interval != interval) {
        return Err(AuditViolation::AnchorMismatch {
            seq: anchor.through_seq,
        });
    }
    let head_seq = chain.head_seq();
    let mut by_seq: HashMap<u64, &Checkpoint> = HashMap::new();
    for checkpoint in checkpoints {
        if checkpoint.seq > head_seq {
            return Err(AuditViolation::Truncated {
                n_entries: head_seq,
                checkpoint_seq: checkpoint.seq,
            });
        }
        // Checkpoints of entries cut by retention stay, signed; their hashes can no
        // longer be compared, only those at or after the anchor can.
        let mismatch = chain
            .hash_at(checkpoint.seq)
            .is_some_and(|hash| hash != checkpoint.head_hash);
        if mismatch || checkpoint.interval != interval {
            return Err(AuditViolation::CheckpointMismatch {
                seq: checkpoint.seq,
            });
        }
        by_seq.insert(checkpoint.seq, checkpoint);
    }
    let mut seq = interval;
    while seq <= head_seq {
        if !by_seq.contains_key(&seq) {
            return Err(AuditViolation::CheckpointMissing { seq });
        }
        seq += interval;
    }
    let last_checkpoint_seq = head_seq / interval * interval;
    Ok(VerifyReport {
        n_entries: chain.entries.len() as u64,
        first_seq: chain.first_seq(),
        head_seq,
        truncated_through: anchors
            .iter()
            .map(|anchor| anchor.through_seq)
            .max()
            .unwrap_or(0),
        n_anchors: 0,
        n_checkpoints: checkpoints.len() as u64,
        head_hash: chain
            .hash_at(head_seq)
            .expect("the head is in the chain")
            .to_owned(),
        last_checkpoint_seq,
        n_unsigned_tail: head_seq - last_checkpoint_seq,
        interval,
    })
}
