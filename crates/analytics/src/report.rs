//! The analysis report: every finding with its score and the read ids that support it.
//! This is the crate's output format and serialises to JSON as is.

use serde::Serialize;

/// What every score in the report means; copied into each report for its readers.
pub const SCORE_MEANINGS: &[(&str, &str)] = &[
    (
        "hubs",
        "-log10 of the chance that at least this many of the stops made within the hub's area are by vehicles of interest, given their share of all stops (binomial); 3 = one in a thousand",
    ),
    (
        "convoys",
        "-log10 of the chance of the pair's occasions by coincidence (Poisson), given each vehicle's own habits at those cameras and times of day and each camera's traffic at that hour; 4 = one in ten thousand",
    ),
    (
        "clones",
        "impossible_journey: impossible hops between the plate's tracks; inconsistent_vehicle: reads describing the second vehicle; swap: cosine similarity (0..1) of the plates' camera visits, or the share of their convoy partners in common where higher",
    ),
    (
        "routes",
        "-log10 of the share of all vehicles that drove the route's least-used leg",
    ),
    (
        "ranked_vehicles",
        "sum of the scores of the vehicle's links to the network (convoys, hubs, swaps, clones); seeds rank first",
    ),
];

/// The result of [`crate::analyse`].
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Reads analysed (inside the window).
    pub n_reads: usize,
    /// Distinct plates among them.
    pub n_plates: usize,
    /// The seeds given, as plate texts; empty in discovery.
    pub seeds: Vec<String>,
    /// Seeds with no reads in the window.
    pub seeds_unseen: Vec<String>,
    /// Places where vehicles of interest repeatedly stop.
    pub hubs: Vec<HubReport>,
    /// Pairs of vehicles that travel together.
    pub convoys: Vec<ConvoyReport>,
    /// Cloned plates (one plate, two vehicles) and swaps (one vehicle, two plates).
    pub clones: Vec<CloneReport>,
    /// Frequent routes of vehicles of interest.
    pub routes: Vec<RouteReport>,
    /// Vehicles of the network, best first.
    pub ranked_vehicles: Vec<RankedVehicle>,
    /// The network's links, as exported to GraphML and CSV.
    pub links: Vec<LinkReport>,
    /// Reads given to another plate as likely misreads.
    pub misread_links: Vec<MisreadLink>,
    /// Camera clocks found to be off, and corrected.
    pub camera_skews: Vec<CameraSkew>,
    /// What each kind of score means.
    pub score_meanings: Vec<(String, String)>,
    /// Time spent in each step, in milliseconds.
    pub timings_ms: Vec<(String, u64)>,
}

impl Report {
    /// The ids of the reads that the findings cite (hubs, routes, convoys, clones).
    pub fn cited_read_ids(&self) -> std::collections::BTreeSet<&str> {
        let hubs = self.hubs.iter().flat_map(|hub| &hub.read_ids);
        let routes = self.routes.iter().flat_map(|route| &route.read_ids);
        let convoys = self.convoys.iter().flat_map(|convoy| &convoy.read_ids);
        let clones = self.clones.iter().flat_map(|clone| &clone.read_ids);
        hubs.chain(routes)
            .chain(convoys)
            .chain(clones)
            .map(String::as_str)
            .collect()
    }
}

/// A hub.
#[derive(Clone, Debug, Serialize)]
pub struct HubReport {
    pub lat: f64,
    pub lon: f64,
    /// Root-mean-square distance of the stop estimates from the centre (at least 500 m).
    pub radius_m: f64,
    pub score: f64,
    /// Stops by any vehicle in the hub's area, the background the score is measured against.
    pub stops_nearby: usize,
    pub plates: Vec<String>,
    /// The reads before and after each stop.
    pub read_ids: Vec<String>,
    pub visits: Vec<Visit>,
}

/// One stop at a hub.
#[derive(Clone, Debug, Serialize)]
pub struct Visit {
    pub plate: String,
    /// Last read before the stop and first after it (microseconds since the epoch).
    pub arrived_before: i64,
    pub left_after: i64,
    pub dwell_secs: f64,
}

/// A convoy pair.
#[derive(Clone, Debug, Serialize)]
pub struct ConvoyReport {
    pub plates: Vec<String>,
    /// Days on which the pair travelled together.
    pub occasions: usize,
    /// Occasions expected by chance.
    pub expected: f64,
    pub cameras: Vec<String>,
    pub score: f64,
    pub read_ids: Vec<String>,
}

/// A cloned or swapped plate.
#[derive(Clone, Debug, Serialize)]
pub struct CloneReport {
    pub plate: String,
    /// `impossible_journey`, `inconsistent_vehicle` or `swap`.
    pub kind: String,
    /// For a swap, every plate of the vehicle; otherwise just `plate`.
    pub plates: Vec<String>,
    pub score: f64,
    pub read_ids: Vec<String>,
    /// Read ids split by vehicle (clones) or by plate (swaps).
    pub tracks: Vec<Vec<String>>,
}

/// A route.
#[derive(Clone, Debug, Serialize)]
pub struct RouteReport {
    pub cameras: Vec<String>,
    /// Distinct vehicles that drove it.
    pub vehicles: usize,
    pub plates: Vec<String>,
    pub trips: usize,
    pub score: f64,
    /// Trips by starting hour (UTC).
    pub by_hour: Vec<u32>,
    /// Trips by weekday, Monday first.
    pub by_weekday: Vec<u32>,
    pub read_ids: Vec<String>,
}

/// A vehicle of the network.
#[derive(Clone, Debug, Serialize)]
pub struct RankedVehicle {
    pub plate: String,
    pub country: Option<String>,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// A link between two network nodes (a plate, or a hub as `hub:N`).
#[derive(Clone, Debug, Serialize)]
pub struct LinkReport {
    pub source: String,
    pub target: String,
    /// `convoy`, `hub`, `swap` or `clone`.
    pub kind: String,
    pub score: f64,
    pub detail: String,
}

/// A read reattributed as a misread.
#[derive(Clone, Debug, Serialize)]
pub struct MisreadLink {
    pub read_id: String,
    pub read_as: String,
    pub linked_to: String,
}

/// A camera clock error that was corrected.
#[derive(Clone, Debug, Serialize)]
pub struct CameraSkew {
    pub camera_id: String,
    /// Positive: the camera's clock is ahead.
    pub skew_secs: f64,
}

/// The cameras whose estimated clock error is not zero (`skews_us`: one per camera of
/// `table`, microseconds).
pub(crate) fn camera_skews(table: &crate::table::ReadTable, skews_us: &[i64]) -> Vec<CameraSkew> {
    skews_us
        .iter()
        .enumerate()
        .filter(|(_, skew)| **skew != 0)
        .map(|(camera, skew)| CameraSkew {
            camera_id: table.cameras[camera].camera_id.clone(),
            skew_secs: *skew as f64 / 1e6,
        })
        .collect()
}
