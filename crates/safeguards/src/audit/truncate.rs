//! Cutting a prefix of the audit log for retention, behind a signed anchor.
//!
//! ```text
//! truncate_through(K):  anchors.jsonl += Anchor{K, hash of K, signed}  (appended, fsync)
//!                       audit.jsonl    := entries K+1..  (temporary file, fsync, rename, fsync dir)
//!                       audit.jsonl    += truncate_audit_log {through_seq K, ...}  (chained)
//! ```
//!
//! A crash between the anchor and the rewrite leaves a log that still verifies (the chain
//! passes through the anchor's hash); [`AuditLog::open`] then finishes the cut.

use super::{
    ANCHORS_FILE, Anchor, AuditEntry, AuditLog, AuditRecord, ENTRIES_FILE, Outcome, OutcomeStatus,
};
use crate::auth::Principal;
use crate::error::{Result, SafeguardsError};
use crate::util;
use corridor_domain::Timestamp;
use ed25519_dalek::Signer;
use std::path::Path;

/// The action of the entry that records a truncation.
pub(crate) const TRUNCATE_ACTION: &str = "truncate_audit_log";

/// What [`AuditLog::truncate_through`] did.
#[derive(Clone, PartialEq, Debug)]
pub struct Truncation {
    /// The signed anchor the remaining chain starts from.
    pub anchor: Anchor,
    /// Entries deleted from `audit.jsonl`.
    pub n_entries_removed: u64,
    /// The entry recording the truncation (the first after the cut, or later).
    pub entry: AuditEntry,
}

impl AuditLog {
    /// Deletes every entry up to and including `through_seq` from the log, leaving a signed
    /// [`Anchor`] in their place, and records the truncation as an entry by `who` at `ts`.
    ///
    /// Only one process may write the log: call it under the data directory's lock (the
    /// store's `LOCK`), as `corridor retention run` does.
    pub fn truncate_through(
        &self,
        through_seq: u64,
        who: &Principal,
        ts: Timestamp,
    ) -> Result<Truncation> {
        let mut head = self.lock_head();
        let entries = super::read_entries(&self.dir, &super::AuditFilter::default())?;
        let through = entries
            .iter()
            .find(|entry| entry.seq == through_seq)
            .ok_or_else(|| {
                SafeguardsError::invalid(
                    "audit.truncate",
                    format!(
                        "entry seq {through_seq} is not in the log (it holds seq {}..={})",
                        entries.first().map_or(0, |entry| entry.seq),
                        head.seq
                    ),
                )
            })?;
        let anchor = self.sign_anchor(through_seq, &through.entry_hash);
        let line = serde_json::to_string(&anchor).expect("anchors serialise to JSON");
        util::append_line_durable(&self.dir.join(ANCHORS_FILE), &line)?;
        let n_entries_removed = drop_through(&self.dir, through_seq)?;
        let record = AuditRecord {
            who: who.clone(),
            action: TRUNCATE_ACTION.to_owned(),
            why: None,
            what: serde_json::json!({
                "through_seq": through_seq,
                "through_hash": anchor.through_hash,
                "n_entries_removed": n_entries_removed,
            }),
            outcome: Outcome::with_count(OutcomeStatus::Ok, n_entries_removed),
        };
        let entry = self.append_locked(&mut head, record, ts)?;
        Ok(Truncation {
            anchor,
            n_entries_removed,
            entry,
        })
    }

    fn sign_anchor(&self, through_seq: u64, through_hash: &str) -> Anchor {
        let message = Anchor::signed_message(through_seq, through_hash, self.interval);
        Anchor {
            through_seq,
            through_hash: through_hash.to_owned(),
            interval: self.interval,
            time: util::rfc3339(util::now_micros()),
            signature: hex::encode(self.key.sign(&message).to_bytes()),
        }
    }
}

/// Rewrites `audit.jsonl` without the entries up to `through_seq`, keeping every other
/// line byte for byte (their hashes cover the lines as written); returns how many went.
pub(crate) fn drop_through(dir: &Path, through_seq: u64) -> Result<u64> {
    #[derive(serde::Deserialize)]
    struct Seq {
        seq: u64,
    }
    let path = dir.join(ENTRIES_FILE);
    let text = std::fs::read_to_string(&path).map_err(|err| SafeguardsError::io(&path, err))?;
    let mut kept = String::with_capacity(text.len());
    let mut n_removed = 0;
    for (line_idx, line) in text.lines().enumerate() {
        let Seq { seq } = serde_json::from_str(line).map_err(|err| {
            SafeguardsError::corrupt(&path, format!("line {}: {err}", line_idx + 1))
        })?;
        if seq <= through_seq {
            n_removed += 1;
        } else {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    util::write_atomic(&path, kept.as_bytes())?;
    Ok(n_removed)
}
