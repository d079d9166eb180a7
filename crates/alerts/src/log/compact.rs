//! Retention's rewrite of the alert log: the same log without the expired alerts.

use super::{AlertLog, Record, State, replay};
use crate::AlertError;
use crate::alert::Alert;
use crate::frame;
use corridor_domain::Timestamp;
use std::path::Path;
use std::sync::Arc;

/// What [`AlertLog::purge_durable`] removed.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct AlertPurge {
    /// Alerts removed.
    pub n_alerts_removed: u64,
    /// Acknowledgements of those alerts removed with them.
    pub n_acks_removed: u64,
    /// Removed alerts that some webhook sink had not received yet (they never will).
    pub n_undelivered_removed: u64,
}

impl AlertLog {
    /// Rewrites the log without the alerts `doomed` picks and their acknowledgements,
    /// atomically (a temporary file, fsync, rename over the log, fsync of the directory).
    /// Kept alerts keep their seq, sinks keep their cursors, and the next seq is unchanged,
    /// so a replayed read of a kept alert is still recognised and no seq is reused.
    ///
    /// Appends of this process wait for it; no other process may write the log: run it
    /// under the data directory's lock (the store's `LOCK`), as `corridor retention run` does.
    pub fn purge_durable(
        &self,
        doomed: &dyn Fn(&Alert) -> bool,
        now: Timestamp,
    ) -> Result<AlertPurge, AlertError> {
        // No new records while the log is rewritten; what is already staged gets synced first.
        let _rewrite = self.rewrite.write();
        let _staging = self.staging.lock();
        self.syncer.wait_idle(&self.path)?;
        let mut file = self.syncer.file.lock();
        let (framed, purge, n_kept, next_seq) = {
            let state = self.state.read();
            let (framed, purge) = compact(&state, doomed, now);
            let n_kept = state.alerts.len() as u64 - purge.n_alerts_removed;
            (framed, purge, n_kept, state.next_seq)
        };
        if purge.n_alerts_removed == 0 {
            return Ok(purge);
        }
        let temp = self.path.with_extension("log.tmp");
        write_synced(&temp, &framed)?;
        std::fs::rename(&temp, &self.path).map_err(AlertError::io(&self.path))?;
        if let Some(dir) = self.path.parent() {
            frame::sync_dir(dir)?;
        }
        let (reopened, state) = replay(&self.path)?;
        assert_eq!(
            (state.alerts.len() as u64, state.next_seq),
            (n_kept, next_seq),
            "the compacted alert log reads back as written"
        );
        *file = reopened;
        *self.state.write() = state;
        Ok(purge)
    }
}

/// The framed records of a log holding `state` without the alerts `doomed` picks: the
/// compaction record, the kept alerts, the sinks' cursors, the kept alerts' acknowledgements.
fn compact(
    state: &State,
    doomed: &dyn Fn(&Alert) -> bool,
    now: Timestamp,
) -> (Vec<u8>, AlertPurge) {
    let (removed, kept): (Vec<&Arc<Alert>>, Vec<&Arc<Alert>>) =
        state.alerts.values().partition(|alert| doomed(alert));
    let acks_of = |alert: &Alert| {
        state
            .acks
            .get(&alert.alert_id)
            .map_or(&[][..], Vec::as_slice)
    };
    let purge = AlertPurge {
        n_alerts_removed: removed.len() as u64,
        n_acks_removed: removed
            .iter()
            .map(|alert| acks_of(alert).len() as u64)
            .sum(),
        n_undelivered_removed: removed
            .iter()
            .filter(|alert| state.cursors.values().any(|cursor| *cursor <= alert.seq))
            .count() as u64,
    };
    let mut records = vec![Record::Compacted {
        next_seq: state.next_seq,
        n_alerts_removed: purge.n_alerts_removed,
        at: now,
    }];
    records.extend(
        kept.iter()
            .map(|alert| Record::Alert(Box::new((***alert).clone()))),
    );
    let mut cursors: Vec<(&String, &u64)> = state.cursors.iter().collect();
    cursors.sort();
    records.extend(
        cursors
            .into_iter()
            .map(|(sink_id, next_seq)| Record::Cursor {
                sink_id: sink_id.clone(),
                next_seq: *next_seq,
            }),
    );
    for alert in &kept {
        records.extend(acks_of(alert).iter().map(|ack| Record::Ack {
            alert_id: ack.alert_id.clone(),
            handled_by: ack.handled_by.clone(),
            outcome: ack.outcome.as_str().to_owned(),
            note: ack.note.clone(),
            at: ack.at,
        }));
    }
    let mut framed = Vec::new();
    for record in &records {
        frame::encode_into(
            &mut framed,
            &serde_json::to_vec(record).expect("records serialise"),
        );
    }
    (framed, purge)
}

/// Writes a new file and waits until its bytes are on disk.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), AlertError> {
    use std::io::Write;
    let mut file = std::fs::File::create(path).map_err(AlertError::io(path))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(AlertError::io(path))
}
