//! Geofences: zones (circles or polygons, optionally only at certain hours) and the
//! tracker that raises an alert when a watched vehicle enters one.

use crate::AlertError;
use corridor_domain::Timestamp;
use std::collections::HashMap;

/// A WGS 84 position in degrees.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// Where camera sites are; the engine asks it for reads without their own position.
pub trait CameraLookup: Send + Sync {
    /// The camera's position, or `None` if the camera is unknown.
    fn camera_position(&self, camera_id: &str) -> Option<GeoPoint>;
}

impl CameraLookup for HashMap<String, GeoPoint> {
    fn camera_position(&self, camera_id: &str) -> Option<GeoPoint> {
        self.get(camera_id).copied()
    }
}

impl<F: Fn(&str) -> Option<GeoPoint> + Send + Sync> CameraLookup for F {
    fn camera_position(&self, camera_id: &str) -> Option<GeoPoint> {
        self(camera_id)
    }
}

/// The outline of a zone.
#[derive(Clone, PartialEq, Debug)]
pub enum ZoneShape {
    /// Everything within `radius_m` metres (great-circle) of `center`.
    Circle { center: GeoPoint, radius_m: f64 },
    /// A simple polygon; the last point connects back to the first.
    Polygon(Vec<GeoPoint>),
}

/// The hours of the day a zone is watched, in local time given as a UTC offset.
/// `start_minute > end_minute` wraps past midnight (22:00 to 05:00 is `1320..300`).
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct TimeWindow {
    /// Minutes after local midnight, 0..1440, inclusive.
    pub start_minute: u16,
    /// Minutes after local midnight, 0..1440, exclusive.
    pub end_minute: u16,
    /// Local time minus UTC, in minutes (60 for CET in winter).
    pub utc_offset_minutes: i16,
}

impl TimeWindow {
    /// Whether the moment `ts` (microseconds since the epoch) falls in the window.
    pub fn contains(&self, ts: Timestamp) -> bool {
        let local_minutes = ts.div_euclid(60_000_000) + i64::from(self.utc_offset_minutes);
        let minute = local_minutes.rem_euclid(1440) as u16;
        if self.start_minute <= self.end_minute {
            (self.start_minute..self.end_minute).contains(&minute)
        } else {
            minute >= self.start_minute || minute < self.end_minute
        }
    }
}

/// A watched zone.
#[derive(Clone, PartialEq, Debug)]
pub struct Zone {
    pub zone_id: String,
    pub name: String,
    pub shape: ZoneShape,
    /// `None`: watched at all hours.
    pub window: Option<TimeWindow>,
}

impl Zone {
    /// Checks the shape: a positive radius, a polygon of at least three points, a window
    /// within the day.
    pub fn validate(&self) -> Result<(), AlertError> {
        if self.zone_id.trim().is_empty() {
            return Err(AlertError::bad_field("zone_id", "empty"));
        }
        match &self.shape {
            ZoneShape::Circle { radius_m, .. } if !radius_m.is_finite() || *radius_m <= 0.0 => {
                return Err(AlertError::bad_field(
                    "radius_m",
                    format!("{radius_m} is not positive"),
                ));
            }
            ZoneShape::Polygon(points) if points.len() < 3 => {
                return Err(AlertError::bad_field(
                    "polygon",
                    format!("{} points; at least 3 needed", points.len()),
                ));
            }
            _ => {}
        }
        if let Some(window) = self.window
            && (window.start_minute >= 1440 || window.end_minute > 1440)
        {
            return Err(AlertError::bad_field(
                "window",
                "minutes must be within 0..1440",
            ));
        }
        Ok(())
    }

    /// Whether `point` at `ts` is inside the zone while it is watched.
    pub fn covers(&self, point: GeoPoint, ts: Timestamp) -> bool {
        if self.window.is_some_and(|window| !window.contains(ts)) {
            return false;
        }
        match &self.shape {
            ZoneShape::Circle { center, radius_m } => distance_m(*center, point) <= *radius_m,
            ZoneShape::Polygon(points) => polygon_contains(points, point),
        }
    }
}

/// Remembers which watched vehicles are inside which zone, so that only entering (not
/// every read inside) raises an alert. Bounded: at most `tracked_max` vehicle-zone pairs.
#[derive(Debug)]
pub(crate) struct GeofenceTracker {
    /// (watch subject, zone id) -> last read inside the zone.
    last_inside: HashMap<(String, String), Timestamp>,
    reentry_secs: i64,
    tracked_max: usize,
}

impl GeofenceTracker {
    pub(crate) fn new(reentry_secs: i64, tracked_max: usize) -> GeofenceTracker {
        GeofenceTracker {
            last_inside: HashMap::new(),
            reentry_secs,
            tracked_max,
        }
    }

    /// Records a watched vehicle inside `zone_id` at `ts`; true if this is an entry (no read
    /// inside the zone within the re-entry interval before).
    pub(crate) fn enters(&mut self, subject: &str, zone_id: &str, ts: Timestamp) -> bool {
        let reentry_us = self.reentry_secs * 1_000_000;
        if self.last_inside.len() >= self.tracked_max {
            self.last_inside.retain(|_, last| ts - *last < reentry_us);
        }
        let key = (subject.to_owned(), zone_id.to_owned());
        match self.last_inside.get_mut(&key) {
            Some(last) => {
                let entering = (ts - *last).abs() >= reentry_us;
                *last = (*last).max(ts);
                entering
            }
            None => {
                if self.last_inside.len() < self.tracked_max {
                    self.last_inside.insert(key, ts);
                }
                true
            }
        }
    }
}

/// Great-circle distance (haversine, mean Earth radius).
pub fn distance_m(a: GeoPoint, b: GeoPoint) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_008.8;
    let (lat_a, lat_b) = (a.lat.to_radians(), b.lat.to_radians());
    let d_lat = lat_b - lat_a;
    let d_lon = (b.lon - a.lon).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + lat_a.cos() * lat_b.cos() * (d_lon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// Even-odd ray casting on lon/lat, good for zones far smaller than a hemisphere.
fn polygon_contains(points: &[GeoPoint], point: GeoPoint) -> bool {
    let mut inside = false;
    let mut prev = points[points.len() - 1];
    for &cur in points {
        if (cur.lat > point.lat) != (prev.lat > point.lat) {
            let lon_at =
                prev.lon + (point.lat - prev.lat) / (cur.lat - prev.lat) * (cur.lon - prev.lon);
            if point.lon < lon_at {
                inside = !inside;
            }
        }
        prev = cur;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_US: i64 = 3_600_000_000;

    #[test]
    fn night_window_wraps_midnight() {
        let night = TimeWindow {
            start_minute: 22 * 60,
            end_minute: 5 * 60,
            utc_offset_minutes: 60,
        };
        // 21:30 UTC is 22:30 local: inside. 04:30 UTC is 05:30 local: outside.
        assert!(night.contains(21 * HOUR_US + HOUR_US / 2));
        assert!(!night.contains(4 * HOUR_US + HOUR_US / 2));
        assert!(night.contains(3 * HOUR_US));
        assert!(!night.contains(12 * HOUR_US));
    }

    #[test]
    fn shapes_contain_their_inside_only() {
        let calais = GeoPoint {
            lat: 50.95,
            lon: 1.85,
        };
        let circle = ZoneShape::Circle {
            center: calais,
            radius_m: 5_000.0,
        };
        let square = ZoneShape::Polygon(vec![
            GeoPoint {
                lat: 50.9,
                lon: 1.8,
            },
            GeoPoint {
                lat: 50.9,
                lon: 1.9,
            },
            GeoPoint {
                lat: 51.0,
                lon: 1.9,
            },
            GeoPoint {
                lat: 51.0,
                lon: 1.8,
            },
        ]);
        for shape in [circle, square] {
            let zone = Zone {
                zone_id: "z".into(),
                name: "z".into(),
                shape,
                window: None,
            };
            zone.validate().expect("valid");
            assert!(zone.covers(calais, 0));
            assert!(!zone.covers(
                GeoPoint {
                    lat: 50.7,
                    lon: 1.6
                },
                0
            ));
        }
    }

    #[test]
    fn only_entering_counts() {
        let mut tracker = GeofenceTracker::new(3600, 10);
        assert!(tracker.enters("entry:1", "coast", 0));
        assert!(!tracker.enters("entry:1", "coast", HOUR_US / 2));
        assert!(tracker.enters("entry:1", "coast", 2 * HOUR_US));
        assert!(tracker.enters("entry:2", "coast", 2 * HOUR_US));
    }
}
