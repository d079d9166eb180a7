//! Unusual query patterns per user, raised as alerts to auditors.
//!
//! Three rules, each compared with the user's own behaviour or the unit's working pattern:
//! a burst of distinct plates in an hour far above the user's baseline, searches outside
//! working hours, and one plate searched again and again without a case.

use crate::audit::AuditEntry;
use crate::error::Result;
use crate::util::{self, DAY_MICROS, HOUR_MICROS};
use corridor_domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Thresholds of the three rules.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct AnomalyRules {
    /// A burst needs at least this many distinct plates in one hour, whatever the baseline.
    pub burst_plates_min: usize,
    /// A burst is this many times the user's baseline of distinct plates per active hour.
    pub burst_baseline_factor: f64,
    /// How far back the baseline and the repeat window look, in days.
    pub history_days: u32,
    /// Working hours, start (inclusive) and end (exclusive), local hours.
    pub working_hours: (u8, u8),
    /// Offset of local time from UTC, in minutes.
    pub utc_offset_minutes: i32,
    /// One plate searched this many times without a case (or under this many case refs).
    pub repeat_plate_count: usize,
    /// Events kept per user, so that memory stays bounded.
    pub events_per_user_max: usize,
}

impl Default for AnomalyRules {
    fn default() -> AnomalyRules {
        AnomalyRules {
            burst_plates_min: 25,
            burst_baseline_factor: 4.0,
            history_days: 14,
            working_hours: (6, 20),
            utc_offset_minutes: 0,
            repeat_plate_count: 3,
            events_per_user_max: 50_000,
        }
    }
}

/// One search or analysis as the monitor sees it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct QueryEvent {
    /// Who searched.
    pub user: String,
    /// When.
    pub ts: Timestamp,
    /// The plates or patterns searched.
    pub plates: Vec<String>,
    /// The case given; `None` for a request refused for having no purpose.
    pub case_ref: Option<String>,
}

/// Which rule fired.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Many more distinct plates in an hour than the user's baseline.
    PlateBurst,
    /// A search outside working hours.
    OutsideWorkingHours,
    /// One plate searched repeatedly without a case or under shifting cases.
    RepeatedPlateWithoutCase,
}

/// An alert for auditors, persisted in `auditor_alerts.jsonl`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AuditorAlert {
    /// When the triggering query happened.
    pub ts: Timestamp,
    /// Whose behaviour it is about.
    pub user: String,
    /// Which rule fired.
    pub kind: AlertKind,
    /// What exactly was seen.
    pub detail: String,
}

/// Watches every query and raises [`AuditorAlert`]s.
#[derive(Debug)]
pub struct QueryPatternMonitor {
    rules: AnomalyRules,
    alerts_path: PathBuf,
    state: Mutex<MonitorState>,
}

#[derive(Debug, Default)]
struct MonitorState {
    events: HashMap<String, VecDeque<QueryEvent>>,
    /// (user, kind, key) already raised, so that one episode raises one alert.
    raised: HashSet<(String, AlertKind, String)>,
}

impl QueryPatternMonitor {
    /// A monitor persisting its alerts at `alerts_path`.
    pub fn new(rules: AnomalyRules, alerts_path: &Path) -> QueryPatternMonitor {
        QueryPatternMonitor {
            rules,
            alerts_path: alerts_path.to_owned(),
            state: Mutex::new(MonitorState::default()),
        }
    }

    /// Rebuilds each user's history from audit entries (searches and analyses), raising nothing.
    pub fn replay(&self, entries: &[AuditEntry]) {
        let mut state = self.lock();
        for entry in entries {
            if let Some(event) = event_from_entry(entry) {
                push_event(&mut state, event, self.rules.events_per_user_max);
            }
        }
    }

    /// Records a query and returns (and persists) the alerts it raises.
    pub fn observe(&self, event: QueryEvent) -> Result<Vec<AuditorAlert>> {
        let mut state = self.lock();
        let horizon = event.ts - i64::from(self.rules.history_days) * DAY_MICROS;
        if let Some(history) = state.events.get_mut(&event.user) {
            while history.front().is_some_and(|old| old.ts < horizon) {
                history.pop_front();
            }
        }
        push_event(&mut state, event.clone(), self.rules.events_per_user_max);
        let history: Vec<QueryEvent> = state.events[&event.user].iter().cloned().collect();
        let mut candidates = Vec::new();
        candidates.extend(self.check_burst(&event, &history));
        candidates.extend(self.check_hours(&event));
        candidates.extend(self.check_repeats(&event, &history));
        let mut alerts = Vec::new();
        for (key, alert) in candidates {
            if state.raised.insert((alert.user.clone(), alert.kind, key)) {
                let line = serde_json::to_string(&alert).expect("alerts serialise to JSON");
                util::append_line_durable(&self.alerts_path, &line)?;
                alerts.push(alert);
            }
        }
        Ok(alerts)
    }

    /// Every alert raised so far.
    pub fn alerts(&self) -> Result<Vec<AuditorAlert>> {
        util::read_jsonl(&self.alerts_path)
    }

    fn check_burst(
        &self,
        event: &QueryEvent,
        history: &[QueryEvent],
    ) -> Option<(String, AuditorAlert)> {
        let hour_start = event.ts - HOUR_MICROS;
        let recent: BTreeSet<&str> = history
            .iter()
            .filter(|past| past.ts > hour_start && past.ts <= event.ts)
            .flat_map(|past| past.plates.iter().map(String::as_str))
            .collect();
        let baseline = baseline_plates_per_hour(history, hour_start);
        let threshold =
            (baseline * self.rules.burst_baseline_factor).max(self.rules.burst_plates_min as f64);
        (recent.len() as f64 > threshold).then(|| {
            let key = (event.ts / HOUR_MICROS).to_string();
            let alert = AuditorAlert {
                ts: event.ts,
                user: event.user.clone(),
                kind: AlertKind::PlateBurst,
                detail: format!(
                    "{} distinct plates in the last hour; baseline {baseline:.1} per active hour, threshold {threshold:.1}",
                    recent.len()
                ),
            };
            (key, alert)
        })
    }

    fn check_hours(&self, event: &QueryEvent) -> Option<(String, AuditorAlert)> {
        let local = event.ts + i64::from(self.rules.utc_offset_minutes) * 60_000_000;
        let hour = local.rem_euclid(DAY_MICROS) / HOUR_MICROS;
        let (start, end) = self.rules.working_hours;
        let inside = (i64::from(start)..i64::from(end)).contains(&hour);
        (!inside).then(|| {
            let key = local.div_euclid(DAY_MICROS).to_string();
            let alert = AuditorAlert {
                ts: event.ts,
                user: event.user.clone(),
                kind: AlertKind::OutsideWorkingHours,
                detail: format!(
                    "search at {hour:02}h local, outside working hours {start:02}-{end:02}h"
                ),
            };
            (key, alert)
        })
    }

    fn check_repeats(
        &self,
        event: &QueryEvent,
        history: &[QueryEvent],
    ) -> Vec<(String, AuditorAlert)> {
        let mut alerts = Vec::new();
        for plate in &event.plates {
            let searches: Vec<&QueryEvent> = history
                .iter()
                .filter(|past| past.plates.contains(plate))
                .collect();
            let n_without_case = searches
                .iter()
                .filter(|past| past.case_ref.is_none())
                .count();
            let case_refs: BTreeSet<&str> = searches
                .iter()
                .filter_map(|past| past.case_ref.as_deref())
                .collect();
            if n_without_case >= self.rules.repeat_plate_count
                || case_refs.len() >= self.rules.repeat_plate_count
            {
                let alert = AuditorAlert {
                    ts: event.ts,
                    user: event.user.clone(),
                    kind: AlertKind::RepeatedPlateWithoutCase,
                    detail: format!(
                        "plate {plate} searched {} times in {} days: {n_without_case} without a purpose, under {} different cases",
                        searches.len(),
                        self.rules.history_days,
                        case_refs.len()
                    ),
                };
                alerts.push((plate.clone(), alert));
            }
        }
        alerts
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MonitorState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn push_event(state: &mut MonitorState, event: QueryEvent, per_user_max: usize) {
    let history = state.events.entry(event.user.clone()).or_default();
    history.push_back(event);
    while history.len() > per_user_max {
        history.pop_front();
    }
}

/// Average distinct plates per active hour before `before` (0 with no history).
fn baseline_plates_per_hour(history: &[QueryEvent], before: Timestamp) -> f64 {
    let mut per_hour: HashMap<i64, BTreeSet<&str>> = HashMap::new();
    for past in history.iter().filter(|past| past.ts <= before) {
        per_hour
            .entry(past.ts.div_euclid(HOUR_MICROS))
            .or_default()
            .extend(past.plates.iter().map(String::as_str));
    }
    if per_hour.is_empty() {
        return 0.0;
    }
    let n_plate_hours: usize = per_hour.values().map(BTreeSet::len).sum();
    n_plate_hours as f64 / per_hour.len() as f64
}

/// Searches and analyses in the audit log become events; everything else is ignored.
fn event_from_entry(entry: &AuditEntry) -> Option<QueryEvent> {
    if !matches!(entry.action.as_str(), "read_history" | "run_analysis") {
        return None;
    }
    let plates = entry
        .what
        .pointer("/scope/plates")
        .and_then(|plates| plates.as_array())
        .map(|plates| {
            plates
                .iter()
                .filter_map(|plate| plate.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Some(QueryEvent {
        user: entry.who.user.clone(),
        ts: entry.ts()?,
        plates,
        case_ref: entry.why.as_ref().map(|why| why.case_ref.clone()),
    })
}
