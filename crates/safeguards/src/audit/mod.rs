//! The tamper-evident audit log: an append-only, hash-chained JSON-lines file with signed
//! checkpoints.
//!
//! ```text
//!  audit.jsonl        {seq:1, ..., prev_hash: 000..0, entry_hash: H1}
//!                     {seq:2, ..., prev_hash: H1,     entry_hash: H2}
//!                     ...
//!  checkpoints.jsonl  {seq:0,   head_hash: 000..0, signature: Ed25519(seq|head)}
//!                     {seq:100, head_hash: H100,   signature: ...}
//!  anchors.jsonl      {through_seq:K, through_hash: HK, signature: Ed25519(K|HK)}
//! ```
//!
//! `entry_hash` is SHA-256 over the canonical JSON of the entry without `entry_hash`
//! (which includes `prev_hash`), so changing, removing, adding or swapping an entry breaks
//! the chain at that point. Rewriting the whole chain after a change is caught by the
//! signed checkpoints, which only the holder of the signing key can make.
//!
//! Retention deletes old entries by cutting a prefix ([`AuditLog::truncate_through`]):
//! entries `1..=K` leave `audit.jsonl`, and a signed [`Anchor`] says that the chain now
//! starts after entry `K`, whose hash was `HK`. The verifier starts the chain from the
//! anchor instead of the genesis hash, so what remains is checked as strictly as before,
//! and cutting more than the anchor allows is reported as deleted entries.

mod retention;
mod truncate;
mod verify;
mod violation;

pub use retention::AuditRetention;
pub use truncate::Truncation;
pub use verify::{VerifyReport, verify, verify_files};
pub use violation::AuditViolation;

use crate::auth::Principal;
use crate::error::{Result, SafeguardsError};
use crate::purpose::Purpose;
use crate::util;
use corridor_domain::Timestamp;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file of entries inside the audit directory.
pub const ENTRIES_FILE: &str = "audit.jsonl";
/// The file of signed checkpoints inside the audit directory.
pub const CHECKPOINTS_FILE: &str = "checkpoints.jsonl";
/// The file of signed truncation anchors inside the audit directory.
pub const ANCHORS_FILE: &str = "anchors.jsonl";
/// The `prev_hash` of the first entry and the head hash of the genesis checkpoint.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The default number of entries between two signed checkpoints.
pub const CHECKPOINT_INTERVAL_DEFAULT: u64 = 64;
/// At most this many read ids are listed in an entry; all of them are hashed.
pub const READ_IDS_LISTED_MAX: usize = 1_000;

/// How a request ended.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeStatus {
    /// Done; results were returned.
    Ok,
    /// Refused by authorisation or purpose control.
    Refused,
    /// Stored pending a supervisor's approval.
    Pending,
    /// A supervisor approved a pending request.
    Approved,
    /// A supervisor denied a pending request.
    Denied,
    /// Failed for an operating reason.
    Failed,
}

/// What came back from a request.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Outcome {
    /// How it ended.
    pub status: OutcomeStatus,
    /// How many results (reads, rows, items) were returned.
    pub n_results: u64,
    /// SHA-256 of the sorted returned read ids, one per line; `None` when no reads came back.
    pub results_sha256: Option<String>,
    /// The returned read ids, sorted, up to [`READ_IDS_LISTED_MAX`].
    pub read_ids: Vec<String>,
}

impl Outcome {
    /// An outcome without results.
    pub fn status(status: OutcomeStatus) -> Outcome {
        Outcome {
            status,
            n_results: 0,
            results_sha256: None,
            read_ids: Vec::new(),
        }
    }

    /// An outcome that returned these reads.
    pub fn with_reads<S: AsRef<str>>(status: OutcomeStatus, read_ids: &[S]) -> Outcome {
        let mut sorted: Vec<String> = read_ids.iter().map(|id| id.as_ref().to_owned()).collect();
        sorted.sort();
        let results_sha256 =
            (!sorted.is_empty()).then(|| util::sha256_hex(sorted.join("\n").as_bytes()));
        let n_results = sorted.len() as u64;
        sorted.truncate(READ_IDS_LISTED_MAX);
        Outcome {
            status,
            n_results,
            results_sha256,
            read_ids: sorted,
        }
    }

    /// An outcome that returned `n_results` items that are not reads (counts, analyses).
    pub fn with_count(status: OutcomeStatus, n_results: u64) -> Outcome {
        Outcome {
            n_results,
            ..Outcome::status(status)
        }
    }
}

/// What the caller asks to be recorded.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Who did it.
    pub who: Principal,
    /// What kind of thing was done, e.g. `read_history`, `approve_request`.
    pub action: String,
    /// The purpose the request gave, if any.
    pub why: Option<Purpose>,
    /// The request itself (query parameters, scope, request id).
    pub what: serde_json::Value,
    /// What came back.
    pub outcome: Outcome,
}

/// One line of the audit log.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1-based position in the chain.
    pub seq: u64,
    /// When, RFC 3339 UTC with microseconds.
    pub time: String,
    /// Who did it.
    pub who: Principal,
    /// What kind of thing was done.
    pub action: String,
    /// The purpose given.
    pub why: Option<Purpose>,
    /// The request.
    pub what: serde_json::Value,
    /// What came back.
    pub outcome: Outcome,
    /// `entry_hash` of the previous entry ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// SHA-256 over the canonical JSON of every other field.
    pub entry_hash: String,
}

impl AuditEntry {
    /// Recomputes the hash this entry should carry.
    pub fn compute_hash(&self) -> String {
        hash_of_json(serde_json::to_value(self).expect("audit entries serialise to JSON"))
    }

    /// The entry's time in microseconds since the epoch, if its text parses.
    pub fn ts(&self) -> Option<Timestamp> {
        util::parse_rfc3339(&self.time).ok()
    }
}

/// SHA-256 of the canonical JSON of an entry without its `entry_hash`.
///
/// The verifier hashes each line as written (not as re-serialised from [`AuditEntry`]), so
/// that even a change to a key that deserialisation would ignore is caught.
pub fn hash_of_json(mut json: serde_json::Value) -> String {
    if let serde_json::Value::Object(map) = &mut json {
        map.remove("entry_hash");
    }
    util::sha256_hex(util::canonical_json(&json).as_bytes())
}

/// A signed statement "the chain had head `head_hash` at `seq`".
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The sequence number of the entry the checkpoint covers (0: genesis).
    pub seq: u64,
    /// That entry's `entry_hash`.
    pub head_hash: String,
    /// The checkpoint interval the log was written with.
    pub interval: u64,
    /// When it was signed.
    pub time: String,
    /// Ed25519 signature over [`Checkpoint::signed_message`], hex.
    pub signature: String,
}

impl Checkpoint {
    /// The bytes that are signed.
    pub fn signed_message(seq: u64, head_hash: &str, interval: u64) -> Vec<u8> {
        format!("corridor-audit-checkpoint-v1\n{seq}\n{head_hash}\n{interval}").into_bytes()
    }
}

/// A signed statement "entries `1..=through_seq` were deleted by retention; the last of
/// them had hash `through_hash`": the point the remaining chain starts from.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Anchor {
    /// The last deleted entry.
    pub through_seq: u64,
    /// Its `entry_hash`: the `prev_hash` of the first entry kept.
    pub through_hash: String,
    /// The checkpoint interval the log was written with.
    pub interval: u64,
    /// When it was signed.
    pub time: String,
    /// Ed25519 signature over [`Anchor::signed_message`], hex.
    pub signature: String,
}

impl Anchor {
    /// The bytes that are signed; unlike a checkpoint's, so that neither can pass for the other.
    pub fn signed_message(through_seq: u64, through_hash: &str, interval: u64) -> Vec<u8> {
        format!("corridor-audit-anchor-v1\n{through_seq}\n{through_hash}\n{interval}").into_bytes()
    }
}

/// Which entries to show.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct AuditFilter {
    /// Only this user's entries.
    pub user: Option<String>,
    /// Only entries at or after this time.
    pub since: Option<Timestamp>,
    /// Only entries before this time.
    pub until: Option<Timestamp>,
    /// Only entries of this action.
    pub action: Option<String>,
    /// Only entries whose purpose names this case.
    pub case_ref: Option<String>,
}

impl AuditFilter {
    /// Whether an entry passes the filter.
    pub fn matches(&self, entry: &AuditEntry) -> bool {
        let ts = entry.ts();
        self.user
            .as_ref()
            .is_none_or(|user| &entry.who.user == user)
            && self
                .action
                .as_ref()
                .is_none_or(|action| &entry.action == action)
            && self
                .since
                .is_none_or(|since| ts.is_some_and(|ts| ts >= since))
            && self
                .until
                .is_none_or(|until| ts.is_some_and(|ts| ts < until))
            && self.case_ref.as_ref().is_none_or(|case_ref| {
                entry
                    .why
                    .as_ref()
                    .is_some_and(|why| &why.case_ref == case_ref)
            })
    }
}

/// The writer of the audit log. Appends are serialised and durable (fsync) before they return.
#[derive(Debug)]
pub struct AuditLog {
    dir: PathBuf,
    key: SigningKey,
    interval: u64,
    head: Mutex<Head>,
}

#[derive(Debug)]
struct Head {
    seq: u64,
    hash: String,
}

impl AuditLog {
    /// Opens the log in `dir`, creating it (with a signed genesis checkpoint) if empty.
    ///
    /// An existing log is verified in full first: a log that was tampered with is not
    /// silently continued. A torn last line (a crash mid-append, never acknowledged) is cut
    /// off, and a checkpoint missing only because of a crash after the last append is written.
    /// A truncation interrupted after its anchor was signed is finished.
    pub fn open(dir: &Path, key: SigningKey, interval: u64) -> Result<AuditLog> {
        if interval == 0 {
            return Err(SafeguardsError::invalid(
                "audit.checkpoint_interval",
                "must be at least 1",
            ));
        }
        util::ensure_dir(dir)?;
        let entries_path = dir.join(ENTRIES_FILE);
        let checkpoints_path = dir.join(CHECKPOINTS_FILE);
        let log = AuditLog {
            dir: dir.to_owned(),
            key,
            interval,
            head: Mutex::new(Head {
                seq: 0,
                hash: GENESIS_HASH.to_owned(),
            }),
        };
        if !entries_path.exists() && !checkpoints_path.exists() {
            log.write_checkpoint(0, GENESIS_HASH)?;
            return Ok(log);
        }
        cut_torn_tail(&entries_path)?;
        cut_torn_tail(&dir.join(ANCHORS_FILE))?;
        let public_key = log.public_key();
        let report = match verify(dir, &public_key) {
            Ok(report) => report,
            Err(AuditViolation::CheckpointMissing { seq }) if seq == last_multiple(&log, dir)? => {
                let hash = entry_hash_at(dir, seq)?;
                log.write_checkpoint(seq, &hash)?;
                verify(dir, &public_key).map_err(|err| violation_error(dir, err))?
            }
            Err(err) => return Err(violation_error(dir, err)),
        };
        if report.interval != interval {
            return Err(SafeguardsError::invalid(
                "audit.checkpoint_interval",
                format!(
                    "the log was written with {} but {interval} is configured",
                    report.interval
                ),
            ));
        }
        if report.truncated_through >= report.first_seq {
            truncate::drop_through(dir, report.truncated_through)?;
        }
        *log.lock_head() = Head {
            seq: report.head_seq,
            hash: report.head_hash,
        };
        Ok(log)
    }

    /// Appends a record stamped with the current time.
    pub fn append(&self, record: AuditRecord) -> Result<AuditEntry> {
        self.append_at(record, util::now_micros())
    }

    /// Appends a record stamped with `ts`; returns the entry as written.
    pub fn append_at(&self, record: AuditRecord, ts: Timestamp) -> Result<AuditEntry> {
        self.append_locked(&mut self.lock_head(), record, ts)
    }

    fn append_locked(
        &self,
        head: &mut Head,
        record: AuditRecord,
        ts: Timestamp,
    ) -> Result<AuditEntry> {
        let mut entry = AuditEntry {
            seq: head.seq + 1,
            time: util::rfc3339(ts),
            who: record.who,
            action: record.action,
            why: record.why,
            what: record.what,
            outcome: record.outcome,
            prev_hash: head.hash.clone(),
            entry_hash: String::new(),
        };
        entry.entry_hash = entry.compute_hash();
        let line = serde_json::to_string(&entry).expect("audit entries serialise to JSON");
        util::append_line_durable(&self.dir.join(ENTRIES_FILE), &line)?;
        head.seq = entry.seq;
        head.hash = entry.entry_hash.clone();
        if entry.seq.is_multiple_of(self.interval) {
            self.write_checkpoint(entry.seq, &entry.entry_hash)?;
        }
        Ok(entry)
    }

    /// The public half of the checkpoint signing key, for auditors.
    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The directory holding the log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The sequence number and hash of the last entry.
    pub fn head(&self) -> (u64, String) {
        let head = self.lock_head();
        (head.seq, head.hash.clone())
    }

    /// The entries that pass `filter`, in log order.
    pub fn entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let _head = self.lock_head();
        read_entries(&self.dir, filter)
    }

    fn write_checkpoint(&self, seq: u64, head_hash: &str) -> Result<()> {
        let signature = self
            .key
            .sign(&Checkpoint::signed_message(seq, head_hash, self.interval));
        let checkpoint = Checkpoint {
            seq,
            head_hash: head_hash.to_owned(),
            interval: self.interval,
            time: util::rfc3339(util::now_micros()),
            signature: hex::encode(signature.to_bytes()),
        };
        let line = serde_json::to_string(&checkpoint).expect("checkpoints serialise to JSON");
        util::append_line_durable(&self.dir.join(CHECKPOINTS_FILE), &line)
    }

    fn lock_head(&self) -> std::sync::MutexGuard<'_, Head> {
        self.head
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Reads the entries of the log in `dir` that pass `filter`, without verifying the chain.
pub fn read_entries(dir: &Path, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let entries: Vec<AuditEntry> = util::read_jsonl(&dir.join(ENTRIES_FILE))?;
    Ok(entries
        .into_iter()
        .filter(|entry| filter.matches(entry))
        .collect())
}

fn violation_error(dir: &Path, violation: AuditViolation) -> SafeguardsError {
    SafeguardsError::corrupt(
        dir,
        format!("audit log failed verification, refusing to continue it: {violation}"),
    )
}

/// The last multiple of the interval at or below the last entry's seq.
fn last_multiple(log: &AuditLog, dir: &Path) -> Result<u64> {
    let head_seq = read_entries(dir, &AuditFilter::default())?
        .last()
        .map_or(0, |entry| entry.seq);
    Ok(head_seq / log.interval * log.interval)
}

fn entry_hash_at(dir: &Path, seq: u64) -> Result<String> {
    read_entries(dir, &AuditFilter::default())?
        .into_iter()
        .find(|entry| entry.seq == seq)
        .map(|entry| entry.entry_hash)
        .ok_or_else(|| SafeguardsError::corrupt(dir, format!("no entry with seq {seq}")))
}

/// Cuts an incomplete last line left by a crash during an append.
fn cut_torn_tail(path: &Path) -> Result<()> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(SafeguardsError::io(path, err)),
    };
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(());
    }
    let keep = bytes
        .iter()
        .rposition(|byte| *byte == b'\n')
        .map_or(0, |idx| idx + 1);
    tracing::warn!(path = %path.display(), n_bytes = bytes.len() - keep, "Cut a torn audit log tail left by a crash.");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|err| SafeguardsError::io(path, err))?;
    file.set_len(keep as u64)
        .and_then(|()| file.sync_all())
        .map_err(|err| SafeguardsError::io(path, err))
}
