//! Network watches: a whole set of plates (typically produced by the network analysis)
//! watched under one name.

use corridor_domain::{PlateKey, Timestamp};

/// One version of a network watch. Replacing the plate set adds a version.
#[derive(Clone, PartialEq, Debug)]
pub struct NetworkWatch {
    /// Caller-chosen id, e.g. the analysis run that produced the network.
    pub watch_id: String,
    pub version: u32,
    /// True in the version that removed the watch.
    pub removed: bool,
    pub changed_at: Timestamp,
    pub changed_by: String,
    pub name: String,
    pub agency: String,
    /// After this moment (microseconds since the epoch) the watch no longer alerts.
    pub expires_at: Option<Timestamp>,
    /// The watched plates. A member without a country matches that text from any country.
    pub plates: Vec<PlateKey>,
}

impl NetworkWatch {
    /// Whether the watch may raise an alert for a read at `read_ts`, checked at `now`.
    pub fn is_live(&self, read_ts: Timestamp, now: Timestamp) -> bool {
        if self.removed {
            return false;
        }
        match self.expires_at {
            Some(expires_at) => read_ts < expires_at && now < expires_at,
            None => true,
        }
    }
}
