//! Sharing agreements: what a partner agency may see, and the filter that enforces it.

use crate::auth::Principal;
use crate::authz::Role;
use crate::error::{Result, SafeguardsError};
use crate::purpose::BBox;
use crate::util::{self, DAY_MICROS};
use corridor_domain::{Camera, PlateRead, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// A field of a read that an agreement may share.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadField {
    /// `read_id`.
    ReadId,
    /// `plate`.
    Plate,
    /// `country`.
    Country,
    /// `camera_id`.
    CameraId,
    /// `ts`.
    Ts,
    /// `confidence`.
    Confidence,
    /// `lat` and `lon` (the read's, or else the camera's).
    Position,
    /// `heading`.
    Heading,
    /// `make`.
    Make,
    /// `model`.
    Model,
    /// `colour`.
    Colour,
    /// `vehicle_type`.
    VehicleType,
}

/// Whether a partner sees reads, or only reads that hit its hotlist.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareScope {
    /// Only reads that matched the partner's hotlist.
    HitsOnly,
    /// Any read inside the agreement's regions and time window.
    Reads,
}

/// The time a partner may look at.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct TimeWindow {
    /// Not before this time.
    pub from: Option<Timestamp>,
    /// Not after this time.
    pub to: Option<Timestamp>,
    /// Not older than this many days at the time of the request.
    pub max_age_days: Option<u32>,
}

/// A sharing agreement with one partner agency.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct SharingAgreement {
    /// Unique id, e.g. `nl-kmar-2026`.
    pub id: String,
    /// The partner agency it binds; a principal of another agency cannot use it.
    pub partner_agency: String,
    /// The fields shared; every other field is removed.
    pub fields: BTreeSet<ReadField>,
    /// Regions shared, as boxes; a read in any of them (or at a listed camera) is in scope.
    #[serde(default)]
    pub regions: Vec<BBox>,
    /// Cameras shared.
    #[serde(default)]
    pub camera_ids: BTreeSet<String>,
    /// Set to share every region; required when no region or camera is listed.
    #[serde(default)]
    pub all_regions: bool,
    /// The time window shared.
    #[serde(default)]
    pub window: TimeWindow,
    /// Reads or hotlist hits only.
    pub scope: ShareScope,
}

impl SharingAgreement {
    /// Checks that the agreement says what it shares: no silent "everything".
    pub fn validate(&self) -> Result<()> {
        if self.id.trim().is_empty() || self.partner_agency.trim().is_empty() {
            return Err(SafeguardsError::invalid(
                "agreement",
                "id and partner_agency are required",
            ));
        }
        if self.fields.is_empty() {
            return Err(SafeguardsError::invalid(
                "agreement.fields",
                format!("agreement `{}` shares no field", self.id),
            ));
        }
        if self.regions.is_empty() && self.camera_ids.is_empty() && !self.all_regions {
            return Err(SafeguardsError::invalid(
                "agreement.regions",
                format!(
                    "agreement `{}` names no region or camera; set all_regions to share everywhere",
                    self.id
                ),
            ));
        }
        self.regions.iter().try_for_each(BBox::validate)
    }
}

/// Loads and validates the agreements file (a JSON array); missing file: no agreements.
pub fn load_agreements(path: &Path) -> Result<Vec<SharingAgreement>> {
    let agreements: Vec<SharingAgreement> = util::read_json_opt(path)?.unwrap_or_default();
    let mut ids = HashSet::new();
    for agreement in &agreements {
        agreement
            .validate()
            .map_err(|err| SafeguardsError::corrupt(path, err.to_string()))?;
        if !ids.insert(agreement.id.as_str()) {
            return Err(SafeguardsError::corrupt(
                path,
                format!("agreement `{}` is listed twice", agreement.id),
            ));
        }
    }
    Ok(agreements)
}

/// A read as shown to a principal: fields outside the agreement are `None` and not serialised.
#[derive(Clone, PartialEq, Debug, Default, Serialize)]
pub struct SharedRead {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading_deg: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub make: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vehicle_type: Option<String>,
}

impl SharedRead {
    /// Every field of a read (for internal roles).
    pub fn full(read: &PlateRead) -> SharedRead {
        SharedRead {
            read_id: Some(read.read_id.clone()),
            plate: Some(read.plate.as_str().to_owned()),
            country: read.country.map(|country| country.as_str().to_owned()),
            camera_id: Some(read.camera_id.clone()),
            ts: Some(read.ts),
            confidence: read.confidence,
            lat: read.lat,
            lon: read.lon,
            heading_deg: read.heading_deg,
            make: read.make.clone(),
            model: read.model.clone(),
            colour: read.colour.clone(),
            vehicle_type: read.vehicle_type.clone(),
        }
    }

    fn redacted(read: &PlateRead, fields: &BTreeSet<ReadField>) -> SharedRead {
        let full = SharedRead::full(read);
        let keep = |field: ReadField| fields.contains(&field);
        SharedRead {
            read_id: full.read_id.filter(|_| keep(ReadField::ReadId)),
            plate: full.plate.filter(|_| keep(ReadField::Plate)),
            country: full.country.filter(|_| keep(ReadField::Country)),
            camera_id: full.camera_id.filter(|_| keep(ReadField::CameraId)),
            ts: full.ts.filter(|_| keep(ReadField::Ts)),
            confidence: full.confidence.filter(|_| keep(ReadField::Confidence)),
            lat: full.lat.filter(|_| keep(ReadField::Position)),
            lon: full.lon.filter(|_| keep(ReadField::Position)),
            heading_deg: full.heading_deg.filter(|_| keep(ReadField::Heading)),
            make: full.make.filter(|_| keep(ReadField::Make)),
            model: full.model.filter(|_| keep(ReadField::Model)),
            colour: full.colour.filter(|_| keep(ReadField::Colour)),
            vehicle_type: full.vehicle_type.filter(|_| keep(ReadField::VehicleType)),
        }
    }
}

/// What the filter needs besides the reads.
#[derive(Debug)]
pub struct ShareContext<'a> {
    /// Every agreement in force.
    pub agreements: &'a [SharingAgreement],
    /// The camera registry, to place reads of fixed cameras.
    pub cameras: &'a HashMap<String, Camera>,
    /// Ids of reads that hit the requesting partner's hotlist.
    pub hit_read_ids: &'a HashSet<String>,
    /// The time of the request.
    pub now: Timestamp,
}

/// Filters and redacts reads for a principal.
///
/// Internal roles get every field (authorisation has already decided they may search).
/// A partner gets only reads inside its agreement's regions, cameras and time window
/// (only hotlist hits if the agreement says so), with only the agreed fields. A read whose
/// position cannot be established is withheld: the filter fails closed.
pub fn filter_reads(
    principal: &Principal,
    reads: &[PlateRead],
    context: &ShareContext<'_>,
) -> Result<Vec<SharedRead>> {
    if principal.role != Role::Partner {
        return Ok(reads.iter().map(SharedRead::full).collect());
    }
    let agreement = agreement_for(principal, context.agreements)?;
    Ok(reads
        .iter()
        .filter(|read| in_agreement(read, agreement, context))
        .map(|read| SharedRead::redacted(read, &agreement.fields))
        .collect())
}

/// The agreement a partner principal is bound to; refused if it is not theirs.
pub fn agreement_for<'a>(
    principal: &Principal,
    agreements: &'a [SharingAgreement],
) -> Result<&'a SharingAgreement> {
    let id = principal.agreement.as_deref().ok_or_else(|| {
        SafeguardsError::Forbidden(format!(
            "partner `{}` has no sharing agreement",
            principal.user
        ))
    })?;
    let agreement = agreements
        .iter()
        .find(|agreement| agreement.id == id)
        .ok_or_else(|| {
            SafeguardsError::Forbidden(format!("sharing agreement `{id}` is not in force"))
        })?;
    if agreement.partner_agency != principal.agency {
        return Err(SafeguardsError::Forbidden(format!(
            "agreement `{id}` binds `{}`, not `{}`",
            agreement.partner_agency, principal.agency
        )));
    }
    Ok(agreement)
}

fn in_agreement(
    read: &PlateRead,
    agreement: &SharingAgreement,
    context: &ShareContext<'_>,
) -> bool {
    if agreement.scope == ShareScope::HitsOnly && !context.hit_read_ids.contains(&read.read_id) {
        return false;
    }
    in_window(read.ts, &agreement.window, context.now)
        && in_region(read, agreement, context.cameras)
}

fn in_window(ts: Timestamp, window: &TimeWindow, now: Timestamp) -> bool {
    window.from.is_none_or(|from| ts >= from)
        && window.to.is_none_or(|to| ts <= to)
        && window
            .max_age_days
            .is_none_or(|days| ts >= now - i64::from(days) * DAY_MICROS)
}

fn in_region(
    read: &PlateRead,
    agreement: &SharingAgreement,
    cameras: &HashMap<String, Camera>,
) -> bool {
    if agreement.all_regions || agreement.camera_ids.contains(&read.camera_id) {
        return true;
    }
    let position = match (read.lat, read.lon) {
        (Some(lat), Some(lon)) => Some((lat, lon)),
        _ => cameras
            .get(&read.camera_id)
            .map(|camera| (camera.lat, camera.lon)),
    };
    position.is_some_and(|(lat, lon)| {
        agreement
            .regions
            .iter()
            .any(|region| region.contains(lat, lon))
    })
}
