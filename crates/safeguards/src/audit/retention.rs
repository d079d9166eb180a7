//! The audit log as a retention target: each entry is an item, and only a prefix can go.
//!
//! An entry is held when it names a read or plate under a legal hold (in its request, its
//! purpose or its listed read ids). A hash chain can only be cut at its start, so the cut
//! stops at the first entry that is kept, held or not yet expired; everything after it
//! stays until a later run (counted as kept in the chain). Read ids beyond the
//! [`READ_IDS_LISTED_MAX`](super::READ_IDS_LISTED_MAX) listed in an entry are only hashed
//! and cannot be matched against a hold.

use super::{AuditEntry, AuditFilter, AuditLog, Truncation};
use crate::auth::Principal;
use crate::error::{Result, SafeguardsError};
use crate::retention::{
    DataKind, LegalHold, PurgeShape, RetentionItem, RetentionTarget, holding_cases,
};
use corridor_domain::Timestamp;
use std::collections::BTreeSet;

/// The audit log under retention; the truncation is recorded as an entry by `by` at `now`.
#[derive(Debug)]
pub struct AuditRetention<'a> {
    log: &'a AuditLog,
    holds: Vec<LegalHold>,
    by: Principal,
    now: Timestamp,
    truncation: Option<Truncation>,
}

impl<'a> AuditRetention<'a> {
    /// The log's entries as retention items; `holds` are the legal holds the run applies
    /// (an entry names what they hold in [`RetentionItem::mentions`]).
    pub fn new(
        log: &'a AuditLog,
        holds: &[LegalHold],
        by: Principal,
        now: Timestamp,
    ) -> AuditRetention<'a> {
        AuditRetention {
            log,
            holds: holds.to_vec(),
            by,
            now,
            truncation: None,
        }
    }

    /// What the run cut, if anything.
    pub fn truncation(&self) -> Option<&Truncation> {
        self.truncation.as_ref()
    }
}

impl RetentionTarget for AuditRetention<'_> {
    fn name(&self) -> String {
        "audit log".to_owned()
    }

    fn shape(&self) -> PurgeShape {
        PurgeShape::Prefix
    }

    fn items(&self) -> Result<Vec<RetentionItem>> {
        let entries = self.log.entries(&AuditFilter::default())?;
        Ok(entries
            .iter()
            .map(|entry| {
                let mut item = RetentionItem::new(
                    entry.seq.to_string(),
                    DataKind::Audit,
                    // An entry whose time does not parse is never old enough to go.
                    entry.ts().unwrap_or(Timestamp::MAX),
                );
                item.mentions = held_names_in(entry, &self.holds);
                debug_assert!(
                    item.mentions.is_empty() || !holding_cases(&self.holds, &item).is_empty()
                );
                item
            })
            .collect())
    }

    fn purge(&mut self, ids: &BTreeSet<String>) -> Result<u64> {
        let seqs = ids
            .iter()
            .map(|id| id.parse::<u64>())
            .collect::<std::result::Result<BTreeSet<u64>, _>>()
            .map_err(|err| SafeguardsError::target(self.name(), err))?;
        let (Some(&seq_first), Some(&through_seq)) = (seqs.first(), seqs.last()) else {
            return Ok(0);
        };
        assert_eq!(
            through_seq - seq_first + 1,
            seqs.len() as u64,
            "retention plans cut the audit chain at a prefix"
        );
        let truncation = self.log.truncate_through(through_seq, &self.by, self.now)?;
        let n_removed = truncation.n_entries_removed;
        self.truncation = Some(truncation);
        Ok(n_removed)
    }
}

/// The held read ids and plates an entry names: a read id as any string of its request,
/// purpose or listed reads; a plate as part of any such string once normalised (so that
/// `ab12 cde` in a justification holds `AB12CDE`).
fn held_names_in(entry: &AuditEntry, holds: &[LegalHold]) -> BTreeSet<String> {
    let purpose = serde_json::to_value(&entry.why).expect("purposes serialise to JSON");
    let mut strings = Vec::new();
    collect_strings(&entry.what, &mut strings);
    collect_strings(&purpose, &mut strings);
    strings.extend(entry.outcome.read_ids.iter().map(String::as_str));
    let normalised: Vec<String> = strings.iter().map(|text| normalise(text)).collect();
    let mut names = BTreeSet::new();
    for hold in holds {
        for read_id in &hold.read_ids {
            if strings.contains(&read_id.as_str()) {
                names.insert(read_id.clone());
            }
        }
        for plate in &hold.plates {
            if normalised.iter().any(|text| text.contains(plate.as_str())) {
                names.insert(plate.clone());
            }
        }
    }
    names
}

fn collect_strings<'v>(value: &'v serde_json::Value, out: &mut Vec<&'v str>) {
    match value {
        serde_json::Value::String(text) => out.push(text),
        serde_json::Value::Array(items) => items.iter().for_each(|item| collect_strings(item, out)),
        serde_json::Value::Object(map) => map.values().for_each(|item| collect_strings(item, out)),
        _ => {}
    }
}

/// Upper-case letters and digits only, as plates are normalised.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|ch| ch.to_ascii_uppercase())
        .collect()
}
