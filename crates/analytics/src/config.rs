//! Tunable settings of every analysis, with defaults chosen on simulator scenarios.

use crate::Error;

/// All the settings of [`crate::analyse`]: plain data, validated by [`AnalysisConfig::validate`].
///
/// Durations are in seconds, distances in metres, speeds in km/h.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalysisConfig {
    /// Road distance is approximated as great-circle distance times this factor.
    pub detour_factor: f64,
    /// A journey faster than this between two reads (after clock tolerance) is impossible.
    pub speed_kmh_max: f64,
    /// Camera clocks may be off by this much; added to every time difference before a speed
    /// is judged impossible.
    pub clock_tolerance_secs: f64,
    /// Speed assumed for travel between cameras when inferring stops.
    pub speed_kmh_travel: f64,
    /// Time not explained by travel, above which a gap between two reads is a stop.
    pub dwell_secs_min: f64,
    /// Two reads at one camera at most this far apart are a co-occurrence.
    pub convoy_window_secs: i64,
    /// Consecutive co-occurrences of a pair belong to one occasion (a trip together) when
    /// the time between them, less the driving time between their cameras, is at most this.
    pub occasion_gap_secs: i64,
    /// Distinct cameras with co-occurrences needed for an occasion to count.
    pub occasion_cameras_min: usize,
    /// Occasions (trips together) needed to report a convoy found by discovery or targeted
    /// search.
    pub convoy_occasions_min: usize,
    /// Minimum convoy score (-log10 chance probability) in discovery, and for vehicles that
    /// joined a found convoy on one trip; discovery also asks at least `log10` of the
    /// number of pairs tested.
    pub convoy_score_min_discovery: f64,
    /// Minimum convoy score for partners of seed or network vehicles.
    pub convoy_score_min_targeted: f64,
    /// Vehicles read on fewer distinct days are not considered for discovery convoys.
    pub convoy_days_min: usize,
    /// Stop estimates closer than this join one hub cluster.
    pub hub_cluster_radius_m: f64,
    /// Distinct vehicles needed for a hub.
    pub hub_vehicles_min: usize,
    /// Visits needed for a hub.
    pub hub_visits_min: usize,
    /// A hub needs a stop at least this long after which the vehicle left in convoy (a
    /// gathering: vehicles meet, load and set off together; homes and beaches do not).
    pub hub_dwell_secs_min: f64,
    /// Minimum hub score (`-log10` of the chance that the vehicles of interest made that
    /// many of the place's stops): 1 is one chance in ten.
    pub hub_score_min: f64,
    /// A trip matches a route when this share of the route's cameras appear in order.
    pub route_match_ratio: f64,
    /// Trips needed to report a route.
    pub route_trips_min: usize,
    /// Cameras needed in a trip for it to count as a route.
    pub route_cameras_min: usize,
    /// Hops followed from the seeds in network expansion.
    pub network_hops: usize,
    /// Reads beyond this make the analysis fail rather than exhaust memory.
    pub reads_max: usize,
    /// At most this many findings of each kind are reported.
    pub findings_max: usize,
}

impl Default for AnalysisConfig {
    fn default() -> Self {
        AnalysisConfig {
            detour_factor: 1.25,
            speed_kmh_max: 180.0,
            clock_tolerance_secs: 300.0,
            speed_kmh_travel: 50.0,
            dwell_secs_min: 1800.0,
            convoy_window_secs: 600,
            occasion_gap_secs: 600,
            occasion_cameras_min: 2,
            convoy_occasions_min: 2,
            convoy_score_min_discovery: 3.0,
            convoy_score_min_targeted: 2.0,
            convoy_days_min: 2,
            hub_cluster_radius_m: 2500.0,
            hub_vehicles_min: 2,
            hub_visits_min: 3,
            hub_dwell_secs_min: 5400.0,
            hub_score_min: 1.0,
            route_match_ratio: 0.7,
            route_trips_min: 2,
            route_cameras_min: 3,
            network_hops: 2,
            reads_max: 200_000_000,
            findings_max: 1000,
        }
    }
}

impl AnalysisConfig {
    /// Checks every value is in its range; the error names the first bad field.
    pub fn validate(&self) -> Result<(), Error> {
        positive("detour_factor", self.detour_factor)?;
        if self.detour_factor < 1.0 {
            return Err(bad(
                "detour_factor",
                "must be at least 1 (roads are never shorter)",
            ));
        }
        positive("speed_kmh_max", self.speed_kmh_max)?;
        positive("speed_kmh_travel", self.speed_kmh_travel)?;
        if self.clock_tolerance_secs.is_nan() || self.clock_tolerance_secs < 0.0 {
            return Err(bad("clock_tolerance_secs", "must be zero or more"));
        }
        positive("dwell_secs_min", self.dwell_secs_min)?;
        positive("hub_cluster_radius_m", self.hub_cluster_radius_m)?;
        positive("hub_dwell_secs_min", self.hub_dwell_secs_min)?;
        if self.hub_score_min.is_nan() || self.hub_score_min < 0.0 {
            return Err(bad("hub_score_min", "must be zero or more"));
        }
        for (field, value) in [
            ("convoy_window_secs", self.convoy_window_secs),
            ("occasion_gap_secs", self.occasion_gap_secs),
        ] {
            if value <= 0 {
                return Err(bad(field, "must be positive"));
            }
        }
        for (field, value) in [
            ("occasion_cameras_min", self.occasion_cameras_min),
            ("convoy_occasions_min", self.convoy_occasions_min),
            ("hub_vehicles_min", self.hub_vehicles_min),
            ("hub_visits_min", self.hub_visits_min),
            ("route_trips_min", self.route_trips_min),
            ("route_cameras_min", self.route_cameras_min),
            ("reads_max", self.reads_max),
            ("findings_max", self.findings_max),
        ] {
            if value == 0 {
                return Err(bad(field, "must be at least 1"));
            }
        }
        if !(self.route_match_ratio > 0.0 && self.route_match_ratio <= 1.0) {
            return Err(bad("route_match_ratio", "must be in (0, 1]"));
        }
        Ok(())
    }

    /// Road distance in metres from great-circle distance.
    pub(crate) fn road_m(&self, great_circle_m: f64) -> f64 {
        great_circle_m * self.detour_factor
    }
}

fn positive(field: &'static str, value: f64) -> Result<(), Error> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(bad(field, "must be a positive finite number"))
    }
}

fn bad(field: &'static str, reason: &str) -> Error {
    Error::BadConfig {
        field,
        reason: reason.to_owned(),
    }
}
