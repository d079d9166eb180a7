//! The durable hotlist: entries and network watches, their full version history, and the
//! match index kept in step with every change.
//!
//! ```text
//! create / update / expire / delete / import_csv / set_network_watch
//!        |
//!        v
//!  hotlist.log  (framed JSON records, fsynced before the change is visible)
//!        |
//!        v
//!  histories (every version)  +  MatchIndex (current versions)  <-  Matcher
//! ```

mod csv_import;
pub(crate) mod entry;
pub(crate) mod index;
pub(crate) mod network;
pub(crate) mod prefilter;
mod record;

use crate::AlertError;
use crate::frame::{self, FrameLog};
use corridor_domain::{PlateKey, Timestamp};
use entry::{ChangeKind, EntryFields, EntryId, HotlistEntry};
use index::MatchIndex;
use network::NetworkWatch;
use parking_lot::{Mutex, RwLock, RwLockReadGuard};
use prefilter::{ConfusionClasses, Prefilter};
use record::{EntryRecord, NetworkRecord, Record};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use csv_import::CSV_COLUMNS;

/// The file name of the hotlist log inside the data directory.
pub const HOTLIST_LOG_FILE: &str = "hotlist.log";

/// What a network watch should hold; see [`Hotlist::set_network_watch`].
#[derive(Clone, PartialEq, Debug)]
pub struct NetworkWatchSpec {
    /// Caller-chosen id, e.g. the analysis run that produced the network.
    pub watch_id: String,
    pub name: String,
    pub agency: String,
    /// The network's plates; a member without a country matches any country.
    pub plates: Vec<PlateKey>,
    /// Microseconds since the epoch after which the watch stops alerting.
    pub expires_at: Option<Timestamp>,
}

/// A durable, versioned list of vehicles of interest.
///
/// Every change is written to `hotlist.log` and synced before it becomes visible to the
/// matcher, so a change that returned `Ok` survives a crash.
#[derive(Debug)]
pub struct Hotlist {
    path: PathBuf,
    state: Mutex<State>,
    index: RwLock<MatchIndex>,
}

#[derive(Debug)]
struct State {
    log: FrameLog,
    entries: HashMap<EntryId, Vec<Arc<HotlistEntry>>>,
    networks: HashMap<String, Vec<Arc<NetworkWatch>>>,
    next_id: u64,
}

/// One change to apply, before it is given an id and version.
#[derive(Debug)]
enum Change {
    Entry(HotlistEntry),
    Network(NetworkWatch),
}

impl Hotlist {
    /// Opens the hotlist in `data_dir` (created if missing) and replays its log. Without
    /// confusion classes the matcher asks the confusion model about every read.
    pub fn open(data_dir: &Path) -> Result<Hotlist, AlertError> {
        Hotlist::open_with_classes(data_dir, None)
    }

    /// Opens the hotlist with a misread prefilter built on `classes` (what the engine uses).
    pub fn open_with_classes(
        data_dir: &Path,
        classes: Option<ConfusionClasses>,
    ) -> Result<Hotlist, AlertError> {
        std::fs::create_dir_all(data_dir).map_err(AlertError::io(data_dir))?;
        let path = data_dir.join(HOTLIST_LOG_FILE);
        // Sized from the log (about 240 bytes a record) so that a large list loads without
        // rehashing its maps again and again.
        let n_records_guess = std::fs::metadata(&path).map_or(0, |m| m.len() / 240) as usize;
        let mut entries = HashMap::with_capacity(n_records_guess);
        let mut networks = HashMap::new();
        let mut next_id = 1;
        let prefilter = classes.map(|classes| Prefilter::with_capacity(classes, n_records_guess));
        let mut index = MatchIndex::with_prefilter(prefilter, n_records_guess);
        let mut record_idx = 0u64;
        let mut replay = |payload: &[u8]| -> Result<(), AlertError> {
            let corrupt = |reason: String| AlertError::Corrupt {
                path: path.clone(),
                reason: format!("record {record_idx}: {reason}"),
            };
            let change = decode(payload).map_err(|err| corrupt(err.to_string()))?;
            apply(
                &mut entries,
                &mut networks,
                &mut next_id,
                change,
                &mut index,
            )
            .map_err(corrupt)?;
            record_idx += 1;
            Ok(())
        };
        let log = FrameLog::open(&path, &mut replay)?;
        let state = State {
            log,
            entries,
            networks,
            next_id,
        };
        Ok(Hotlist {
            path,
            state: Mutex::new(state),
            index: RwLock::new(index),
        })
    }

    /// Adds a new entry (version 1) and returns it.
    pub fn create(
        &self,
        fields: EntryFields,
        by: &str,
        now: Timestamp,
    ) -> Result<HotlistEntry, AlertError> {
        let mut created = self.create_many(vec![fields], by, now)?;
        Ok(created.pop().expect("one entry was created"))
    }

    /// Adds many entries with a single disk sync (imports); all or nothing.
    pub fn create_many(
        &self,
        fields: Vec<EntryFields>,
        by: &str,
        now: Timestamp,
    ) -> Result<Vec<HotlistEntry>, AlertError> {
        for one in &fields {
            entry::validate_fields(one)?;
        }
        let mut state = self.state.lock();
        let first_id = state.next_id;
        let created: Vec<HotlistEntry> = fields
            .into_iter()
            .zip(first_id..)
            .map(|(fields, id)| HotlistEntry {
                entry_id: EntryId(id),
                version: 1,
                fields,
                change: ChangeKind::Created,
                changed_at: now,
                changed_by: by.to_owned(),
            })
            .collect();
        let changes = created.iter().cloned().map(Change::Entry).collect();
        self.commit(&mut state, changes)?;
        Ok(created)
    }

    /// Replaces an entry's fields with a new version; the previous version is kept.
    pub fn update(
        &self,
        entry_id: EntryId,
        fields: EntryFields,
        by: &str,
        now: Timestamp,
    ) -> Result<HotlistEntry, AlertError> {
        entry::validate_fields(&fields)?;
        self.change(entry_id, ChangeKind::Updated, by, now, |_| fields)
    }

    /// Ends an entry's alerting now (a new version whose expiry is `now`).
    pub fn expire(
        &self,
        entry_id: EntryId,
        by: &str,
        now: Timestamp,
    ) -> Result<HotlistEntry, AlertError> {
        self.change(entry_id, ChangeKind::Expired, by, now, |mut fields| {
            fields.expires_at = Some(fields.expires_at.map_or(now, |at| at.min(now)));
            fields
        })
    }

    /// Deletes an entry: it stops alerting and leaves listings; its history stays readable.
    pub fn delete(
        &self,
        entry_id: EntryId,
        by: &str,
        now: Timestamp,
    ) -> Result<HotlistEntry, AlertError> {
        self.change(entry_id, ChangeKind::Deleted, by, now, |fields| fields)
    }

    /// The current version of an entry, unless it is deleted.
    pub fn get(&self, entry_id: EntryId) -> Option<HotlistEntry> {
        let state = self.state.lock();
        let current = state.entries.get(&entry_id)?.last()?;
        (current.change != ChangeKind::Deleted).then(|| HotlistEntry::clone(current))
    }

    /// Every version of an entry, oldest first (deleted entries included).
    pub fn history(&self, entry_id: EntryId) -> Vec<HotlistEntry> {
        let state = self.state.lock();
        state
            .entries
            .get(&entry_id)
            .map(|versions| versions.iter().map(|v| HotlistEntry::clone(v)).collect())
            .unwrap_or_default()
    }

    /// Current versions of non-deleted entries ordered by id, from `after` (exclusive), at most `limit`.
    pub fn list(&self, after: Option<EntryId>, limit: usize) -> Vec<HotlistEntry> {
        let state = self.state.lock();
        let mut ids: Vec<EntryId> = state
            .entries
            .iter()
            .filter(|(id, versions)| {
                after.is_none_or(|after| **id > after)
                    && versions
                        .last()
                        .is_some_and(|v| v.change != ChangeKind::Deleted)
            })
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids.truncate(limit);
        ids.iter()
            .filter_map(|id| {
                state
                    .entries
                    .get(id)?
                    .last()
                    .map(|v| HotlistEntry::clone(v))
            })
            .collect()
    }

    /// Number of non-deleted entries.
    pub fn len(&self) -> usize {
        self.index.read().n_entries()
    }

    /// Whether there are no non-deleted entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Imports entries from CSV (columns in [`CSV_COLUMNS`], documented in docs/alerts.md).
    /// Every row is checked before anything is written; an error names the line and field.
    pub fn import_csv(
        &self,
        csv: impl std::io::Read,
        by: &str,
        now: Timestamp,
    ) -> Result<Vec<HotlistEntry>, AlertError> {
        let fields = csv_import::parse(csv)?;
        self.create_many(fields, by, now)
    }

    /// Sets (creates or replaces) the plate set of a network watch.
    pub fn set_network_watch(
        &self,
        spec: NetworkWatchSpec,
        by: &str,
        now: Timestamp,
    ) -> Result<NetworkWatch, AlertError> {
        if spec.watch_id.trim().is_empty() {
            return Err(AlertError::bad_field("watch_id", "empty"));
        }
        if spec.agency.trim().is_empty() {
            return Err(AlertError::bad_field("agency", "empty"));
        }
        if spec.plates.is_empty() {
            return Err(AlertError::bad_field(
                "plates",
                "empty; remove the watch instead",
            ));
        }
        let mut state = self.state.lock();
        let version = state.networks.get(&spec.watch_id).map_or(0, Vec::len) as u32 + 1;
        let watch = NetworkWatch {
            watch_id: spec.watch_id,
            version,
            removed: false,
            changed_at: now,
            changed_by: by.to_owned(),
            name: spec.name,
            agency: spec.agency,
            expires_at: spec.expires_at,
            plates: spec.plates,
        };
        self.commit(&mut state, vec![Change::Network(watch.clone())])?;
        Ok(watch)
    }

    /// Removes a network watch (a new version marked removed).
    pub fn remove_network_watch(
        &self,
        watch_id: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<NetworkWatch, AlertError> {
        let mut state = self.state.lock();
        let current = state
            .networks
            .get(watch_id)
            .and_then(|versions| versions.last())
            .filter(|watch| !watch.removed)
            .ok_or_else(|| {
                AlertError::bad_field("watch_id", format!("no network watch `{watch_id}`"))
            })?;
        let watch = NetworkWatch {
            version: current.version + 1,
            removed: true,
            changed_at: now,
            changed_by: by.to_owned(),
            ..NetworkWatch::clone(current)
        };
        self.commit(&mut state, vec![Change::Network(watch.clone())])?;
        Ok(watch)
    }

    /// The current versions of all network watches that are not removed.
    pub fn network_watches(&self) -> Vec<NetworkWatch> {
        let state = self.state.lock();
        let mut watches: Vec<NetworkWatch> = state
            .networks
            .values()
            .filter_map(|versions| versions.last())
            .filter(|watch| !watch.removed)
            .map(|watch| NetworkWatch::clone(watch))
            .collect();
        watches.sort_by(|a, b| a.watch_id.cmp(&b.watch_id));
        watches
    }

    /// The path of the log file.
    pub fn log_path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn index(&self) -> RwLockReadGuard<'_, MatchIndex> {
        self.index.read()
    }

    fn change(
        &self,
        entry_id: EntryId,
        change: ChangeKind,
        by: &str,
        now: Timestamp,
        edit: impl FnOnce(EntryFields) -> EntryFields,
    ) -> Result<HotlistEntry, AlertError> {
        let mut state = self.state.lock();
        let current = state
            .entries
            .get(&entry_id)
            .and_then(|versions| versions.last())
            .filter(|entry| entry.change != ChangeKind::Deleted)
            .ok_or(AlertError::UnknownEntry(entry_id.0))?;
        let next = HotlistEntry {
            entry_id,
            version: current.version + 1,
            fields: edit(current.fields.clone()),
            change,
            changed_at: now,
            changed_by: by.to_owned(),
        };
        self.commit(&mut state, vec![Change::Entry(next.clone())])?;
        Ok(next)
    }

    /// Writes and syncs the changes, then applies them to the histories and the index.
    fn commit(&self, state: &mut State, changes: Vec<Change>) -> Result<(), AlertError> {
        let mut framed = Vec::with_capacity(changes.len() * 256);
        for change in &changes {
            frame::encode_into(&mut framed, &encode(change));
        }
        state.log.append_durable(&framed)?;
        let mut index = self.index.write();
        let State {
            entries,
            networks,
            next_id,
            ..
        } = state;
        for change in changes {
            apply(entries, networks, next_id, change, &mut index)
                .expect("changes are versioned from the current state under the lock");
        }
        Ok(())
    }
}

/// Applies one change; its version must follow the current one.
fn apply(
    entries: &mut HashMap<EntryId, Vec<Arc<HotlistEntry>>>,
    networks: &mut HashMap<String, Vec<Arc<NetworkWatch>>>,
    next_id: &mut u64,
    change: Change,
    index: &mut MatchIndex,
) -> Result<(), String> {
    match change {
        Change::Entry(entry) => {
            let versions = entries.entry(entry.entry_id).or_default();
            if entry.version as usize != versions.len() + 1 {
                return Err(format!(
                    "entry {} version {} does not follow version {}",
                    entry.entry_id,
                    entry.version,
                    versions.len()
                ));
            }
            *next_id = (*next_id).max(entry.entry_id.0 + 1);
            let entry = Arc::new(entry);
            let live = (entry.change != ChangeKind::Deleted).then(|| Arc::clone(&entry));
            index.upsert_entry(versions.last().map(|v| &**v), live);
            versions.push(entry);
        }
        Change::Network(watch) => {
            let versions = networks.entry(watch.watch_id.clone()).or_default();
            if watch.version as usize != versions.len() + 1 {
                return Err(format!(
                    "network watch `{}` version {} is out of order",
                    watch.watch_id, watch.version
                ));
            }
            let watch = Arc::new(watch);
            let live = (!watch.removed).then(|| Arc::clone(&watch));
            index.upsert_network(versions.last().map(|v| &**v), live);
            versions.push(watch);
        }
    }
    Ok(())
}

fn encode(change: &Change) -> Vec<u8> {
    let record = match change {
        Change::Entry(entry) => Record::Entry(EntryRecord::from_entry(entry)),
        Change::Network(watch) => Record::Network(NetworkRecord::from_watch(watch)),
    };
    serde_json::to_vec(&record).expect("hotlist records always serialise")
}

fn decode(payload: &[u8]) -> Result<Change, AlertError> {
    let record: Record = serde_json::from_slice(payload)
        .map_err(|err| AlertError::bad_field("record", err.to_string()))?;
    match record {
        Record::Entry(entry) => entry.into_entry().map(Change::Entry),
        Record::Network(watch) => watch.into_watch().map(Change::Network),
    }
}

#[cfg(test)]
mod tests;
