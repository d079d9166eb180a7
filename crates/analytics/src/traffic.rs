//! Background traffic per camera and hour of day, from the `camera_hour_traffic` plan.

use crate::plans::CameraHour;
use crate::reach::Reach;
use crate::table::hour_of_day;

/// Reads and distinct plates per camera and hour of day, averaged over the days observed.
#[derive(Debug)]
pub(crate) struct Traffic {
    /// `[camera * 24 + hour]`: (reads per day, distinct plates over all days).
    cells: Vec<(f64, f64)>,
    /// The days (as `convoys::day_of` numbers them) that the traffic was counted over,
    /// when they are more than the table's own reads span (a table holding a few
    /// vehicles' reads, with the traffic counted over every read).
    days: Option<(i64, i64)>,
    /// How far the traffic carries on between cameras, when measured on every read.
    reach: Option<Reach>,
}

impl Traffic {
    pub(crate) fn new(n_cameras: usize, n_days: usize, rows: &[CameraHour]) -> Traffic {
        let mut cells = vec![(0.0, 0.0); n_cameras * 24];
        let n_days = n_days.max(1) as f64;
        for row in rows {
            if let Some(cell) = cells.get_mut(row.camera as usize * 24 + row.hour as usize) {
                *cell = (row.n_reads as f64 / n_days, row.n_plates as f64);
            }
        }
        Traffic {
            cells,
            days: None,
            reach: None,
        }
    }

    /// The traffic counted over the days `first..=last`.
    pub(crate) fn with_days(self, (first, last): (i64, i64)) -> Traffic {
        Traffic {
            days: Some((first, last)),
            ..self
        }
    }

    /// The traffic with how far it carries on between cameras.
    pub(crate) fn with_reach(self, reach: Reach) -> Traffic {
        Traffic {
            reach: Some(reach),
            ..self
        }
    }

    /// The reach set by [`Traffic::with_reach`].
    pub(crate) fn reach(&self) -> Option<&Reach> {
        self.reach.as_ref()
    }

    /// The days set by [`Traffic::with_days`].
    pub(crate) fn days(&self) -> Option<(i64, i64)> {
        self.days
    }

    /// The chance that one given vehicle among those using `camera` at this hour passes
    /// within `window_secs` of `ts` on a day: the expected number of vehicles in the
    /// window shared among the distinct vehicles seen there at this hour.
    pub(crate) fn chance(&self, camera: u32, ts: i64, window_secs: i64) -> f64 {
        let (_, n_plates) = self.cell(camera, ts);
        if n_plates <= 0.0 {
            return 0.0;
        }
        (self.vehicles_in_window(camera, ts, window_secs) / n_plates).min(1.0)
    }

    /// The vehicles expected to pass `camera` within `window_secs` either side of `ts` on a
    /// day, from the traffic there at this hour.
    pub(crate) fn vehicles_in_window(&self, camera: u32, ts: i64, window_secs: i64) -> f64 {
        let (reads_per_day, _) = self.cell(camera, ts);
        reads_per_day * (2 * window_secs) as f64 / 3600.0
    }

    fn cell(&self, camera: u32, ts: i64) -> (f64, f64) {
        let hour = hour_of_day(ts) as usize;
        self.cells
            .get(camera as usize * 24 + hour)
            .copied()
            .unwrap_or((0.0, 0.0))
    }
}
