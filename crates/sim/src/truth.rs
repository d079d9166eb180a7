//! `truth.json`: everything the simulator planted, with the read ids that show it.
//!
//! The file is the simulator's own output format, so its types derive serde directly.
//! Timestamps are RFC 3339 strings in UTC with millisecond precision, like the reads' `ts`.

use crate::Error;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The ground truth of one scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// How the scenario was generated.
    pub params: Params,
    /// Lock-ups and warehouses the networks use.
    pub hubs: Vec<Hub>,
    /// Beaches the networks launch boats from.
    pub launch_points: Vec<LaunchPoint>,
    /// The networks, their vehicles and plates.
    pub networks: Vec<Network>,
    /// Routes the networks drive, as the ordered fixed cameras along them.
    pub routes: Vec<Route>,
    /// Groups of network plates that travelled together, with every occasion.
    pub convoys: Vec<Convoy>,
    /// Every seen stay of a network vehicle at a hub.
    pub hub_visits: Vec<HubVisit>,
    /// Plates carried by a network van and by the innocent vehicle they belong to.
    pub clones: Vec<PlateClone>,
    /// Network vans seen under more than one plate.
    pub swaps: Vec<Swap>,
    /// Every plate a network vehicle was read under.
    pub network_plates: Vec<NetworkPlate>,
    /// The few network vehicles an investigator already knows.
    pub seeds: Vec<Seed>,
    /// Background patterns that look suspicious to naive analysis, and read statistics.
    pub background: Background,
    /// Camera clock skews and outages.
    pub camera_faults: CameraFaults,
}

impl Truth {
    /// Reads a `truth.json` written by [`crate::generate`].
    pub fn load(path: &Path) -> Result<Truth, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|source| Error::Json {
            path: path.to_owned(),
            source,
        })
    }

    /// Writes the truth as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let json = serde_json::to_vec_pretty(self).map_err(|source| Error::Json {
            path: path.to_owned(),
            source,
        })?;
        std::fs::write(path, json).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })
    }

    /// Every network plate as (plate, country) pairs, sorted and without repeats.
    pub fn network_plate_keys(&self) -> Vec<(String, String)> {
        let mut keys: Vec<(String, String)> = self
            .network_plates
            .iter()
            .map(|p| (p.plate.clone(), p.country.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

/// Generator parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub generator: String,
    pub seed: u64,
    pub n_reads_requested: u64,
    pub n_reads_written: u64,
    pub days: u32,
    /// First day, `YYYY-MM-DD` (local midnight, Central European Time, starts it).
    pub start: String,
    pub misread_rate: f64,
    pub duplicate_rate: f64,
    pub outage_rate: f64,
    pub skewed_camera_share: f64,
    pub n_networks: u32,
    pub n_cameras: usize,
}

/// A plate and its issuing country.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PlateRef {
    pub plate: String,
    pub country: String,
}

/// A hub: where network vehicles dwell, load boats and engines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hub {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub network_ids: Vec<String>,
    /// Cameras on the approach road that see vehicles arrive and leave.
    pub camera_ids: Vec<String>,
}

/// A launch point on the coast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchPoint {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub network_ids: Vec<String>,
    /// Covert cameras on the lane to the beach (often none).
    pub camera_ids: Vec<String>,
}

/// A smuggling network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub id: String,
    pub hub_ids: Vec<String>,
    pub launch_ids: Vec<String>,
    /// The town the members live in (a node id of the corridor).
    pub home: String,
    /// The town boats and engines are bought in.
    pub supplier: String,
    pub vehicles: Vec<NetworkVehicle>,
}

/// A vehicle of a network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkVehicle {
    pub vehicle_id: String,
    /// `van`, `scout` or `hire_van`.
    pub role: String,
    pub make: String,
    pub model: String,
    pub colour: String,
    pub vehicle_type: String,
    /// Every plate it carried in the scenario.
    pub plates: Vec<PlateRef>,
    /// For a van with a cloned plate: the innocent vehicle's id.
    pub cloned_from: Option<String>,
}

/// A route of a network: the fixed cameras along it, in driving order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub id: String,
    pub network_id: String,
    /// `run` (hub to beach), `return` (beach to hub) or `supply` (supplier to hub).
    pub kind: String,
    pub from: String,
    pub to: String,
    pub camera_ids: Vec<String>,
    pub n_trips: u32,
}

/// Plates that travelled together, with each occasion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Convoy {
    pub id: String,
    pub network_id: String,
    pub plates: Vec<PlateRef>,
    pub occasions: Vec<ConvoyOccasion>,
}

/// One trip made together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConvoyOccasion {
    /// Local date of the night, `YYYY-MM-DD`.
    pub date: String,
    /// `outbound` (hub to beach) or `return` (beach to hub).
    pub kind: String,
    pub start: String,
    pub end: String,
    pub from: String,
    pub to: String,
    /// Cameras that read at least two of the plates on this occasion, in order.
    pub camera_ids: Vec<String>,
    /// Every read of the convoy's vehicles on this trip.
    pub read_ids: Vec<String>,
}

/// A network vehicle's stay at a hub.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HubVisit {
    pub hub_id: String,
    pub network_id: String,
    pub vehicle_id: String,
    pub plate: PlateRef,
    pub arrive: String,
    pub leave: String,
    pub camera_ids: Vec<String>,
    /// Reads by the hub's cameras of the arrival and the departure.
    pub read_ids: Vec<String>,
}

/// A cloned plate: one plate, two vehicles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlateClone {
    pub plate: PlateRef,
    pub make: String,
    pub model: String,
    pub innocent: CloneSide,
    pub cloner: CloneSide,
    /// Pairs of reads, one of each vehicle, too far apart for the time between them.
    pub conflicts: Vec<ClonePair>,
}

/// One of the two vehicles behind a cloned plate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CloneSide {
    pub vehicle_id: String,
    pub colour: String,
    /// Where it is based (a node id of the corridor).
    pub home: String,
    pub read_ids: Vec<String>,
}

/// An impossible pair of reads of a cloned plate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClonePair {
    pub innocent_read_id: String,
    pub cloner_read_id: String,
    pub distance_km: f64,
    pub gap_secs: f64,
}

/// A van seen under several plates (never two at once).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Swap {
    pub vehicle_id: String,
    pub network_id: String,
    pub plates: Vec<PlateRef>,
    /// `read_ids[i]`: the van's reads under `plates[i]`.
    pub read_ids: Vec<Vec<String>>,
}

/// A plate a network vehicle was read under.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkPlate {
    pub plate: String,
    pub country: String,
    pub network_id: String,
    pub vehicle_id: String,
    pub role: String,
    /// What else is true of the plate (cloned, swapped, hired and when).
    pub note: String,
}

/// A vehicle the investigator starts from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Seed {
    pub plate: String,
    pub country: String,
    pub network_id: String,
    pub vehicle_id: String,
    pub note: String,
}

/// Background patterns and statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Background {
    pub n_reads: u64,
    pub n_misreads: u64,
    pub n_duplicates: u64,
    pub n_trips: u64,
    pub n_commuters: usize,
    /// Neighbours who drive the same commute at the same minute every working day.
    pub commuter_pairs: Vec<[PlateRef; 2]>,
    pub n_platoons: u64,
    /// Lorry platoons off the ferries (the first [`PLATOONS_LISTED_MAX`] of them).
    pub platoons: Vec<Platoon>,
    pub n_lorry_fleet: usize,
    pub n_delivery_vans: usize,
    pub n_hire_vans: usize,
    pub n_coach_lines: usize,
    /// Network convoy occasions and hub visits that no camera saw (not listed above).
    pub n_convoy_occasions_unseen: u64,
    pub n_hub_visits_unseen: u64,
}

/// How many platoons `truth.json` lists (all are counted).
pub const PLATOONS_LISTED_MAX: usize = 10_000;

/// Lorries that left a port together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Platoon {
    pub start: String,
    pub from: String,
    pub to: String,
    pub plates: Vec<PlateRef>,
}

/// Camera faults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CameraFaults {
    pub skews: Vec<CameraSkew>,
    pub outages: Vec<CameraOutage>,
}

/// A camera whose clock is off by a constant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CameraSkew {
    pub camera_id: String,
    /// Added to the true time: positive means the camera's clock is fast.
    pub skew_secs: f64,
}

/// A camera that was down.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CameraOutage {
    pub camera_id: String,
    pub start: String,
    pub end: String,
}
