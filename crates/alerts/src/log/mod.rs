//! The durable alert log: alerts, webhook delivery cursors and acknowledgements, all in one
//! append-only, fsynced file; plus the in-process broadcast that feeds SSE streams.
//!
//! Retention rewrites the file without expired alerts ([`AlertLog::purge_durable`]): a
//! compacted log starts with a `compacted` record naming the next seq, so kept alerts keep
//! their seq (webhook cursors and SSE `Last-Event-ID` stay valid) and no seq is reused.

mod compact;

pub use compact::AlertPurge;

use crate::AlertError;
use crate::alert::Alert;
use crate::frame::{self, FrameLog};
use crate::hotlist::entry::string_enum;
use corridor_domain::Timestamp;
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{broadcast, watch};

/// The file name of the alert log inside the data directory.
pub const ALERT_LOG_FILE: &str = "alerts.log";

string_enum!(
    /// What came of an alert.
    AckOutcome, "outcome" {
        /// Officers stopped the vehicle.
        Stopped => "stopped",
        /// Officers observed the vehicle without stopping it.
        Observed => "observed",
        /// The plate was misread; not the watched vehicle.
        Misread => "misread",
        /// The watched vehicle was not found.
        NotFound => "not_found",
        /// No action was taken.
        NoAction => "no_action",
    }
);

/// Who handled an alert, with what outcome and when.
#[derive(Clone, PartialEq, Debug)]
pub struct Ack {
    pub alert_id: String,
    pub handled_by: String,
    pub outcome: AckOutcome,
    pub note: String,
    /// Microseconds since the epoch.
    pub at: Timestamp,
}

/// One record of `alerts.log`.
#[derive(Serialize, Deserialize, Debug)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Record {
    Alert(Box<Alert>),
    Delivered {
        sink_id: String,
        seq: u64,
        alert_id: String,
        at: Timestamp,
    },
    Ack {
        alert_id: String,
        handled_by: String,
        outcome: String,
        note: String,
        at: Timestamp,
    },
    /// First record of a log rewritten by retention: alerts below `next_seq` may be missing.
    Compacted {
        next_seq: u64,
        n_alerts_removed: u64,
        at: Timestamp,
    },
    /// A sink's delivery cursor as of a compaction.
    Cursor {
        sink_id: String,
        next_seq: u64,
    },
}

/// The append-only, fsynced alert log. Alerts are kept in memory in log order (`seq`).
#[derive(Debug)]
pub struct AlertLog {
    path: PathBuf,
    writer: Mutex<FrameLog>,
    state: RwLock<State>,
    appended: watch::Sender<u64>,
    broadcast: broadcast::Sender<Arc<Alert>>,
}

#[derive(Default, Debug)]
struct State {
    /// By seq; after a purge there are gaps.
    alerts: BTreeMap<u64, Arc<Alert>>,
    /// The seq the next alert gets.
    next_seq: u64,
    /// Alerts below this seq come from a compacted log and may have gaps before them.
    compacted_below: u64,
    seq_by_id: HashMap<String, u64>,
    /// Per webhook sink: the seq of the next alert to deliver.
    cursors: HashMap<String, u64>,
    acks: HashMap<String, Vec<Ack>>,
}

impl AlertLog {
    /// Opens (or creates) the log in `data_dir`; `broadcast_capacity` bounds how far an SSE
    /// subscriber may lag before it misses alerts (it can catch up with [`AlertLog::alerts_from`]).
    pub fn open(data_dir: &Path, broadcast_capacity: usize) -> Result<AlertLog, AlertError> {
        std::fs::create_dir_all(data_dir).map_err(AlertError::io(data_dir))?;
        let path = data_dir.join(ALERT_LOG_FILE);
        let (writer, state) = replay(&path)?;
        let (appended, _) = watch::channel(state.next_seq);
        let (broadcast, _) = broadcast::channel(broadcast_capacity.max(1));
        Ok(AlertLog {
            path,
            writer: Mutex::new(writer),
            state: RwLock::new(state),
            appended,
            broadcast,
        })
    }

    /// Logs the alerts whose ids are not logged yet, waits for the disk, then broadcasts
    /// them. Returns the newly logged alerts with their `seq`; a replayed alert (same id)
    /// is not logged twice.
    pub fn append_durable(&self, alerts: Vec<Alert>) -> Result<Vec<Arc<Alert>>, AlertError> {
        if alerts.is_empty() {
            return Ok(Vec::new());
        }
        let mut writer = self.writer.lock();
        let mut next_seq = self.state.read().next_seq;
        let mut fresh = Vec::with_capacity(alerts.len());
        {
            let state = self.state.read();
            for mut alert in alerts {
                let seen = state.seq_by_id.contains_key(&alert.alert_id)
                    || fresh.iter().any(|a: &Alert| a.alert_id == alert.alert_id);
                if !seen {
                    alert.seq = next_seq;
                    next_seq += 1;
                    fresh.push(alert);
                }
            }
        }
        if fresh.is_empty() {
            return Ok(Vec::new());
        }
        let mut framed = Vec::with_capacity(fresh.len() * 512);
        let records: Vec<Record> = fresh
            .into_iter()
            .map(|alert| Record::Alert(Box::new(alert)))
            .collect();
        for record in &records {
            frame::encode_into(
                &mut framed,
                &serde_json::to_vec(record).expect("alerts serialise"),
            );
        }
        writer.append_durable(&framed)?;
        let mut logged = Vec::with_capacity(records.len());
        {
            let mut state = self.state.write();
            for record in records {
                state.apply(record).expect("fresh alerts follow the log");
                let (_, alert) = state.alerts.last_key_value().expect("just inserted");
                logged.push(Arc::clone(alert));
            }
        }
        self.appended.send_replace(next_seq);
        for alert in &logged {
            // No subscriber is not an error: SSE clients come and go.
            let _ = self.broadcast.send(Arc::clone(alert));
        }
        drop(writer);
        Ok(logged)
    }

    /// Records durably that `sink_id` received the alert at `seq` (a 2xx reply); the
    /// sink's cursor moves past it and it is never sent to that sink again.
    pub fn record_delivered_durable(
        &self,
        sink_id: &str,
        seq: u64,
        now: Timestamp,
    ) -> Result<(), AlertError> {
        let alert_id = self
            .alert_at(seq)
            .map(|alert| alert.alert_id.clone())
            .ok_or_else(|| AlertError::UnknownAlert(format!("seq {seq}")))?;
        let record = Record::Delivered {
            sink_id: sink_id.to_owned(),
            seq,
            alert_id,
            at: now,
        };
        self.append_record(record)
    }

    /// Stores an acknowledgement durably; the alert must exist.
    pub fn acknowledge_durable(&self, ack: Ack) -> Result<(), AlertError> {
        if !self.state.read().seq_by_id.contains_key(&ack.alert_id) {
            return Err(AlertError::UnknownAlert(ack.alert_id));
        }
        if ack.handled_by.trim().is_empty() {
            return Err(AlertError::bad_field("handled_by", "empty"));
        }
        self.append_record(Record::Ack {
            alert_id: ack.alert_id,
            handled_by: ack.handled_by,
            outcome: ack.outcome.as_str().to_owned(),
            note: ack.note,
            at: ack.at,
        })
    }

    /// The acknowledgements of an alert, oldest first.
    pub fn acks(&self, alert_id: &str) -> Vec<Ack> {
        self.state
            .read()
            .acks
            .get(alert_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The alert with this id.
    pub fn alert(&self, alert_id: &str) -> Option<Arc<Alert>> {
        let state = self.state.read();
        let seq = *state.seq_by_id.get(alert_id)?;
        state.alerts.get(&seq).cloned()
    }

    /// The alert at `seq` (none when retention removed it or it is not logged yet).
    pub fn alert_at(&self, seq: u64) -> Option<Arc<Alert>> {
        self.state.read().alerts.get(&seq).cloned()
    }

    /// Up to `limit` alerts from `seq` on, in log order, skipping seqs that retention
    /// removed (SSE catch-up via `Last-Event-ID`, webhook delivery).
    pub fn alerts_from(&self, seq: u64, limit: usize) -> Vec<Arc<Alert>> {
        let state = self.state.read();
        state
            .alerts
            .range(seq..)
            .take(limit)
            .map(|(_, alert)| Arc::clone(alert))
            .collect()
    }

    /// Every alert in the log, in log order (for retention).
    pub fn alerts(&self) -> Vec<Arc<Alert>> {
        self.state.read().alerts.values().cloned().collect()
    }

    /// Number of alerts in the log.
    pub fn len(&self) -> u64 {
        self.state.read().alerts.len() as u64
    }

    /// Whether the log holds no alert.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The seq the next alert will get: one past the last alert ever logged, even when
    /// retention has removed it.
    pub fn next_seq(&self) -> u64 {
        self.state.read().next_seq
    }

    /// The seq of the next alert `sink_id` will be sent.
    pub fn cursor(&self, sink_id: &str) -> u64 {
        self.state.read().cursors.get(sink_id).copied().unwrap_or(0)
    }

    /// A live feed of alerts as they are logged (for SSE). Lagging receivers get
    /// `RecvError::Lagged` and should catch up with [`AlertLog::alerts_from`].
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Alert>> {
        self.broadcast.subscribe()
    }

    /// Watches [`AlertLog::next_seq`] (webhook workers and SSE streams wait on it).
    pub fn watch_len(&self) -> watch::Receiver<u64> {
        self.appended.subscribe()
    }

    /// The path of the log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn append_record(&self, record: Record) -> Result<(), AlertError> {
        let mut framed = Vec::with_capacity(256);
        frame::encode_into(
            &mut framed,
            &serde_json::to_vec(&record).expect("records serialise"),
        );
        let mut writer = self.writer.lock();
        writer.append_durable(&framed)?;
        self.state
            .write()
            .apply(record)
            .expect("checked before writing");
        drop(writer);
        Ok(())
    }
}

/// Reads the log at `path`: its writer, placed after the last intact record, and its state.
fn replay(path: &Path) -> Result<(FrameLog, State), AlertError> {
    let mut state = State::default();
    let writer = {
        let mut record_idx = 0u64;
        let mut visit = |payload: &[u8]| -> Result<(), AlertError> {
            let corrupt = |reason: String| AlertError::Corrupt {
                path: path.to_owned(),
                reason: format!("record {record_idx}: {reason}"),
            };
            let record: Record =
                serde_json::from_slice(payload).map_err(|err| corrupt(err.to_string()))?;
            state.apply(record).map_err(corrupt)?;
            record_idx += 1;
            Ok(())
        };
        FrameLog::open(path, &mut visit)?
    };
    Ok((writer, state))
}

impl State {
    fn apply(&mut self, record: Record) -> Result<(), String> {
        match record {
            Record::Alert(alert) => {
                let after_last = self
                    .alerts
                    .last_key_value()
                    .is_none_or(|(last_seq, _)| alert.seq > *last_seq);
                let in_order = alert.seq == self.next_seq || alert.seq < self.compacted_below;
                if !(after_last && in_order) {
                    return Err(format!(
                        "alert seq {} where {} was expected",
                        alert.seq, self.next_seq
                    ));
                }
                self.next_seq = self.next_seq.max(alert.seq + 1);
                self.seq_by_id.insert(alert.alert_id.clone(), alert.seq);
                self.alerts.insert(alert.seq, Arc::new(*alert));
            }
            Record::Compacted { next_seq, .. } => {
                if !self.alerts.is_empty() || self.next_seq != 0 {
                    return Err("a compaction record after the start of the log".to_owned());
                }
                self.next_seq = next_seq;
                self.compacted_below = next_seq;
            }
            Record::Cursor { sink_id, next_seq } => {
                let cursor = self.cursors.entry(sink_id).or_default();
                *cursor = (*cursor).max(next_seq);
            }
            Record::Delivered { sink_id, seq, .. } => {
                let cursor = self.cursors.entry(sink_id).or_default();
                *cursor = (*cursor).max(seq + 1);
            }
            Record::Ack {
                alert_id,
                handled_by,
                outcome,
                note,
                at,
            } => {
                let outcome = AckOutcome::parse(&outcome).map_err(|err| err.to_string())?;
                let ack = Ack {
                    alert_id: alert_id.clone(),
                    handled_by,
                    outcome,
                    note,
                    at,
                };
                self.acks.entry(alert_id).or_default().push(ack);
            }
        }
        Ok(())
    }
}
