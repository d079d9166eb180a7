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
use parking_lot::{Condvar, Mutex, RwLock};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
///
/// Appends are group-committed by a syncer thread of the log's own: a caller stages its
/// records (seqs are given at once) and waits; the syncer writes everything staged with
/// one `fdatasync`, then publishes the new alerts (broadcast, webhook watch) and wakes the
/// waiters. Readers see only durable alerts. So concurrent requests share syncs, and a
/// request can make its reads durable in the store's WAL while its alerts are synced here.
#[derive(Debug)]
pub struct AlertLog {
    path: PathBuf,
    /// Staging: seqs are given and records queued under this lock.
    staging: Mutex<()>,
    /// Held shared by a non-alert record from staging until it is applied to the state
    /// (after its sync), and exclusively by a retention rewrite, which so never misses one.
    rewrite: RwLock<()>,
    state: RwLock<State>,
    syncer: Arc<Syncer>,
    syncer_thread: Option<std::thread::JoinHandle<()>>,
}

/// What callers and the syncer thread share.
#[derive(Debug)]
struct Syncer {
    queue: Mutex<Queue>,
    /// Wakes the syncer thread when records are queued (or at shutdown).
    work: Condvar,
    /// Wakes waiters after each sync.
    synced: Condvar,
    /// The log file; the syncer thread writes it, a retention purge swaps it.
    file: Mutex<FrameLog>,
    /// Alerts durable (seq < this); readers never see further.
    durable_seq: AtomicU64,
    appended: watch::Sender<u64>,
    broadcast: broadcast::Sender<Arc<Alert>>,
}

#[derive(Default, Debug)]
struct Queue {
    /// Framed records not yet written.
    pending: Vec<u8>,
    /// The alerts among them, in seq order, to publish once durable.
    alerts: Vec<Arc<Alert>>,
    /// Tickets: the last one staged and the last one durable.
    staged: u64,
    durable: u64,
    /// Set when a write or sync failed: the log accepts nothing more.
    failed: Option<String>,
    shutdown: bool,
}

/// Records staged in the log, not yet known to be durable; see [`AlertLog::wait`].
#[must_use = "staged alerts are durable only after AlertLog::wait"]
#[derive(Debug)]
pub struct Staged {
    ticket: u64,
    alerts: Vec<Arc<Alert>>,
}

impl Staged {
    /// The alerts staged (with their seqs).
    pub fn alerts(&self) -> &[Arc<Alert>] {
        &self.alerts
    }
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
        let next_seq = state.next_seq;
        let (appended, _) = watch::channel(next_seq);
        let (broadcast, _) = broadcast::channel(broadcast_capacity.max(1));
        let syncer = Arc::new(Syncer {
            queue: Mutex::new(Queue::default()),
            work: Condvar::new(),
            synced: Condvar::new(),
            file: Mutex::new(writer),
            durable_seq: AtomicU64::new(next_seq),
            appended,
            broadcast,
        });
        let syncer_thread = {
            let syncer = Arc::clone(&syncer);
            std::thread::Builder::new()
                .name("corridor-alert-log".to_owned())
                .spawn(move || syncer.run())
                .map_err(AlertError::io(&path))?
        };
        Ok(AlertLog {
            path,
            staging: Mutex::new(()),
            rewrite: RwLock::new(()),
            state: RwLock::new(state),
            syncer,
            syncer_thread: Some(syncer_thread),
        })
    }

    /// Logs the alerts whose ids are not logged yet, waits for the disk, then returns them
    /// with their `seq` (they are broadcast as soon as they are durable); a replayed alert
    /// (same id) is not logged twice.
    pub fn append_durable(&self, alerts: Vec<Alert>) -> Result<Vec<Arc<Alert>>, AlertError> {
        let staged = self.stage(alerts)?;
        self.wait(staged)
    }

    /// Stages the alerts whose ids are not logged yet, giving them their seqs; they are
    /// durable, visible to readers and broadcast only after the syncer's next sync
    /// ([`AlertLog::wait`] returns then).
    pub fn stage(&self, alerts: Vec<Alert>) -> Result<Staged, AlertError> {
        if alerts.is_empty() {
            return Ok(Staged {
                ticket: 0,
                alerts: Vec::new(),
            });
        }
        let _staging = self.staging.lock();
        let mut fresh: Vec<Alert> = Vec::with_capacity(alerts.len());
        // An alert staged by another caller and not yet durable (a batch sent again while
        // the first try waits): this caller must wait for that sync too.
        let mut seen_pending = false;
        {
            let state = self.state.read();
            let durable_seq = self.durable_seq();
            let mut next_seq = state.next_seq;
            for mut alert in alerts {
                if let Some(&seq) = state.seq_by_id.get(&alert.alert_id) {
                    seen_pending |= seq >= durable_seq;
                } else if !fresh.iter().any(|a| a.alert_id == alert.alert_id) {
                    alert.seq = next_seq;
                    next_seq += 1;
                    fresh.push(alert);
                }
            }
        }
        if fresh.is_empty() {
            let ticket = if seen_pending {
                self.syncer.queue.lock().staged
            } else {
                0
            };
            return Ok(Staged {
                ticket,
                alerts: Vec::new(),
            });
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
        let mut logged = Vec::with_capacity(records.len());
        {
            let mut state = self.state.write();
            for record in records {
                state.apply(record).expect("fresh alerts follow the log");
                let (_, alert) = state.alerts.last_key_value().expect("just inserted");
                logged.push(Arc::clone(alert));
            }
        }
        let ticket = self.syncer.queue_records(&framed, &logged)?;
        Ok(Staged {
            ticket,
            alerts: logged,
        })
    }

    /// Waits until staged alerts are durable (and broadcast); returns them.
    pub fn wait(&self, staged: Staged) -> Result<Vec<Arc<Alert>>, AlertError> {
        if staged.ticket > 0 {
            self.syncer.wait_durable(staged.ticket, &self.path)?;
        }
        Ok(staged.alerts)
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
        if self.alert(&ack.alert_id).is_none() {
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
        self.durable_alert(&state, seq)
    }

    /// The alert at `seq` (none when retention removed it or it is not durable yet).
    pub fn alert_at(&self, seq: u64) -> Option<Arc<Alert>> {
        self.durable_alert(&self.state.read(), seq)
    }

    /// Up to `limit` alerts from `seq` on, in log order, skipping seqs that retention
    /// removed (SSE catch-up via `Last-Event-ID`, webhook delivery).
    pub fn alerts_from(&self, seq: u64, limit: usize) -> Vec<Arc<Alert>> {
        let durable_seq = self.durable_seq();
        if seq >= durable_seq {
            return Vec::new();
        }
        self.state
            .read()
            .alerts
            .range(seq..durable_seq)
            .take(limit)
            .map(|(_, alert)| Arc::clone(alert))
            .collect()
    }

    /// Every durable alert in the log, in log order (for retention).
    pub fn alerts(&self) -> Vec<Arc<Alert>> {
        self.state
            .read()
            .alerts
            .range(..self.durable_seq())
            .map(|(_, alert)| Arc::clone(alert))
            .collect()
    }

    /// Number of durable alerts in the log.
    pub fn len(&self) -> u64 {
        let state = self.state.read();
        let pending = state.alerts.range(self.durable_seq()..).count();
        (state.alerts.len() - pending) as u64
    }

    /// Whether the log holds no durable alert.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The seq the next durable alert will get: one past the last alert ever made durable,
    /// even when retention has removed it.
    pub fn next_seq(&self) -> u64 {
        self.durable_seq()
    }

    /// The seq of the next alert `sink_id` will be sent.
    pub fn cursor(&self, sink_id: &str) -> u64 {
        self.state.read().cursors.get(sink_id).copied().unwrap_or(0)
    }

    /// A live feed of alerts as they are logged (for SSE). Lagging receivers get
    /// `RecvError::Lagged` and should catch up with [`AlertLog::alerts_from`].
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Alert>> {
        self.syncer.broadcast.subscribe()
    }

    /// Watches the number of logged alerts (webhook workers wait on it).
    pub fn watch_len(&self) -> watch::Receiver<u64> {
        self.syncer.appended.subscribe()
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
        let _rewrite = self.rewrite.read();
        let ticket = {
            let _staging = self.staging.lock();
            self.syncer.queue_records(&framed, &[])?
        };
        self.syncer.wait_durable(ticket, &self.path)?;
        self.state
            .write()
            .apply(record)
            .expect("checked before writing");
        Ok(())
    }

    /// Alerts with a seq below this are durable (the readers' view).
    fn durable_seq(&self) -> u64 {
        self.syncer.durable_seq.load(Ordering::Acquire)
    }

    fn durable_alert(&self, state: &State, seq: u64) -> Option<Arc<Alert>> {
        if seq >= self.durable_seq() {
            return None;
        }
        state.alerts.get(&seq).cloned()
    }
}

impl Drop for AlertLog {
    fn drop(&mut self) {
        self.syncer.queue.lock().shutdown = true;
        self.syncer.work.notify_all();
        if let Some(thread) = self.syncer_thread.take() {
            // The thread writes what is queued before it stops.
            let _ = thread.join();
        }
    }
}

impl Syncer {
    /// Queues framed records (and the alerts among them); returns their ticket.
    fn queue_records(&self, framed: &[u8], alerts: &[Arc<Alert>]) -> Result<u64, AlertError> {
        let mut queue = self.queue.lock();
        if let Some(reason) = &queue.failed {
            return Err(AlertError::Failed(reason.clone()));
        }
        queue.pending.extend_from_slice(framed);
        queue.alerts.extend(alerts.iter().cloned());
        queue.staged += 1;
        let ticket = queue.staged;
        drop(queue);
        self.work.notify_one();
        Ok(ticket)
    }

    fn wait_durable(&self, ticket: u64, path: &Path) -> Result<(), AlertError> {
        let mut queue = self.queue.lock();
        loop {
            if queue.durable >= ticket {
                return Ok(());
            }
            if let Some(reason) = &queue.failed {
                return Err(AlertError::Failed(format!("{}: {reason}", path.display())));
            }
            self.synced.wait(&mut queue);
        }
    }

    /// Waits until everything staged is durable (the caller holds the staging lock, so
    /// nothing new comes).
    fn wait_idle(&self, path: &Path) -> Result<(), AlertError> {
        let staged = self.queue.lock().staged;
        self.wait_durable(staged, path)
    }

    /// The syncer thread: writes and syncs whatever is queued, publishes, repeats.
    fn run(&self) {
        loop {
            let (pending, alerts, ticket) = {
                let mut queue = self.queue.lock();
                while queue.pending.is_empty() && !queue.shutdown {
                    self.work.wait(&mut queue);
                }
                if queue.pending.is_empty() {
                    return;
                }
                (
                    std::mem::take(&mut queue.pending),
                    std::mem::take(&mut queue.alerts),
                    queue.staged,
                )
            };
            let result = self.file.lock().append_durable(&pending);
            let mut queue = self.queue.lock();
            match result {
                Ok(()) => {
                    queue.durable = ticket;
                    if let Some(last) = alerts.last() {
                        self.durable_seq.store(last.seq + 1, Ordering::Release);
                    }
                }
                Err(err) => {
                    tracing::error!(error = %err, "Alert log write failed; it accepts no more alerts.");
                    queue.failed = Some(err.to_string());
                }
            }
            let ok = queue.failed.is_none();
            drop(queue);
            if ok && let Some(last) = alerts.last() {
                for alert in &alerts {
                    // No subscriber is not an error: SSE clients come and go.
                    let _ = self.broadcast.send(Arc::clone(alert));
                }
                self.appended.send_replace(last.seq + 1);
            }
            self.synced.notify_all();
            if !ok {
                return;
            }
        }
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
