//! Purpose control: every search carries a case, an offence category and a justification,
//! and its scope is checked before it runs.

use crate::error::{Result, SafeguardsError};
use crate::util::DAY_MICROS;
use corridor_domain::{PlatePattern, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The categories of offence that justify a search. Deliberately closed: there is no
/// "other", so a purpose always says which serious crime it serves.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffenceCategory {
    /// Facilitating illegal entry (people smuggling).
    PeopleSmuggling,
    /// Trafficking in human beings.
    HumanTrafficking,
    /// Drug trafficking.
    DrugTrafficking,
    /// Firearms trafficking.
    FirearmsTrafficking,
    /// Terrorism.
    Terrorism,
    /// Organised crime not covered above.
    OrganisedCrime,
    /// Theft of vehicles, cloned plates.
    VehicleCrime,
    /// Homicide, kidnapping and other serious violence.
    SeriousViolence,
    /// A missing or vulnerable person at risk.
    MissingPerson,
}

impl OffenceCategory {
    /// Every category.
    pub const ALL: [OffenceCategory; 9] = [
        OffenceCategory::PeopleSmuggling,
        OffenceCategory::HumanTrafficking,
        OffenceCategory::DrugTrafficking,
        OffenceCategory::FirearmsTrafficking,
        OffenceCategory::Terrorism,
        OffenceCategory::OrganisedCrime,
        OffenceCategory::VehicleCrime,
        OffenceCategory::SeriousViolence,
        OffenceCategory::MissingPerson,
    ];

    /// The snake-case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            OffenceCategory::PeopleSmuggling => "people_smuggling",
            OffenceCategory::HumanTrafficking => "human_trafficking",
            OffenceCategory::DrugTrafficking => "drug_trafficking",
            OffenceCategory::FirearmsTrafficking => "firearms_trafficking",
            OffenceCategory::Terrorism => "terrorism",
            OffenceCategory::OrganisedCrime => "organised_crime",
            OffenceCategory::VehicleCrime => "vehicle_crime",
            OffenceCategory::SeriousViolence => "serious_violence",
            OffenceCategory::MissingPerson => "missing_person",
        }
    }

    /// Parses a snake-case name (any case, `-` accepted for `_`).
    pub fn parse(raw: &str) -> Result<OffenceCategory> {
        let wanted = raw.trim().to_ascii_lowercase().replace('-', "_");
        OffenceCategory::ALL
            .into_iter()
            .find(|category| category.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = OffenceCategory::ALL.iter().map(|c| c.as_str()).collect();
                SafeguardsError::invalid(
                    "offence_category",
                    format!("`{raw}` is not one of {}", names.join(", ")),
                )
            })
    }
}

impl fmt::Display for OffenceCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The shortest justification accepted, in characters.
pub const JUSTIFICATION_LEN_MIN: usize = 20;
/// The longest justification accepted, in characters.
pub const JUSTIFICATION_LEN_MAX: usize = 2000;

/// Why a search or analysis is done. Required for every request that touches plate data.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Purpose {
    /// The case reference, e.g. `OP-TIDE/2026/0042`.
    pub case_ref: String,
    /// The offence the case is about.
    pub offence_category: OffenceCategory,
    /// Why this search is necessary and proportionate, in the user's words.
    pub justification: String,
}

impl Purpose {
    /// Checks the case reference and the justification, naming the field at fault.
    pub fn validate(&self) -> Result<()> {
        let case_ok = (3..=64).contains(&self.case_ref.len())
            && self
                .case_ref
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '/' | '-' | '_' | '.' | ':'));
        if !case_ok {
            return Err(SafeguardsError::invalid(
                "purpose.case_ref",
                format!(
                    "`{}` must be 3-64 letters, digits or / - _ . :",
                    self.case_ref
                ),
            ));
        }
        let n_chars = self.justification.trim().chars().count();
        if !(JUSTIFICATION_LEN_MIN..=JUSTIFICATION_LEN_MAX).contains(&n_chars) {
            return Err(SafeguardsError::invalid(
                "purpose.justification",
                format!(
                    "{n_chars} characters; between {JUSTIFICATION_LEN_MIN} and {JUSTIFICATION_LEN_MAX} are required"
                ),
            ));
        }
        Ok(())
    }
}

/// A geographic box in WGS 84 degrees.
#[derive(Clone, Copy, PartialEq, Debug, Serialize, Deserialize)]
pub struct BBox {
    /// Southern edge.
    pub lat_min: f64,
    /// Western edge.
    pub lon_min: f64,
    /// Northern edge.
    pub lat_max: f64,
    /// Eastern edge.
    pub lon_max: f64,
}

impl BBox {
    /// Checks that the box is on the globe and not inverted.
    pub fn validate(&self) -> Result<()> {
        let on_globe = (-90.0..=90.0).contains(&self.lat_min)
            && (-90.0..=90.0).contains(&self.lat_max)
            && (-180.0..=180.0).contains(&self.lon_min)
            && (-180.0..=180.0).contains(&self.lon_max);
        if !on_globe || self.lat_min > self.lat_max || self.lon_min > self.lon_max {
            return Err(SafeguardsError::invalid(
                "area",
                format!("{self:?} is not a box on the globe with min <= max"),
            ));
        }
        Ok(())
    }

    /// Whether a point lies inside (edges included).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.lat_min..=self.lat_max).contains(&lat) && (self.lon_min..=self.lon_max).contains(&lon)
    }

    /// The area on a spherical Earth, in km².
    pub fn area_km2(&self) -> f64 {
        const EARTH_RADIUS_KM: f64 = 6371.0;
        let d_lon = (self.lon_max - self.lon_min).to_radians();
        let d_sin_lat = self.lat_max.to_radians().sin() - self.lat_min.to_radians().sin();
        EARTH_RADIUS_KM * EARTH_RADIUS_KM * d_lon * d_sin_lat.abs()
    }
}

/// What a search or analysis will touch: the input to the scope check.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct SearchScope {
    /// Plates or wildcard patterns (`?` one character, `*` any run).
    pub plates: Vec<String>,
    /// Earliest read time asked for; `None` means from the beginning of the data.
    pub from: Option<Timestamp>,
    /// Latest read time asked for; `None` means up to now.
    pub to: Option<Timestamp>,
    /// A geographic restriction (an area search), if any.
    pub area: Option<BBox>,
}

/// The limits beyond which a search needs a supervisor, or is refused outright.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct ScopeRules {
    /// Data older than this needs approval (UK NASPLE: 90 days).
    pub age_days_without_approval: u32,
    /// More plates than this in one request need approval.
    pub plates_max_without_approval: usize,
    /// An area wider than this needs approval.
    pub area_km2_max_without_approval: f64,
    /// A `*` pattern with fewer literal characters than this is unbounded and needs approval.
    pub wildcard_literals_min: usize,
    /// A pattern with fewer literal characters than this is refused outright.
    pub wildcard_literals_refused_below: usize,
    /// More plates than this in one request are refused outright.
    pub plates_max: usize,
}

impl Default for ScopeRules {
    fn default() -> ScopeRules {
        ScopeRules {
            age_days_without_approval: 90,
            plates_max_without_approval: 10,
            area_km2_max_without_approval: 2_500.0,
            wildcard_literals_min: 4,
            wildcard_literals_refused_below: 2,
            plates_max: 1_000,
        }
    }
}

/// The outcome of a scope check.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ScopeDecision {
    /// Run it now.
    Allowed,
    /// Store it pending; a supervisor must approve it first.
    NeedsApproval {
        /// Every rule that was exceeded.
        reasons: Vec<String>,
    },
    /// Never run it.
    Refused {
        /// Why.
        reasons: Vec<String>,
    },
}

/// Checks a request's purpose and scope against the rules.
///
/// A request without a valid purpose is refused: purpose control prevents, it does not
/// merely record.
pub fn check_request(
    purpose: Option<&Purpose>,
    scope: &SearchScope,
    rules: &ScopeRules,
    now: Timestamp,
) -> ScopeDecision {
    let mut refusals = Vec::new();
    match purpose {
        None => refusals
            .push("a purpose (case_ref, offence_category, justification) is required".to_owned()),
        Some(purpose) => {
            if let Err(err) = purpose.validate() {
                refusals.push(err.to_string());
            }
        }
    }
    let mut approvals = Vec::new();
    check_plates(scope, rules, &mut approvals, &mut refusals);
    check_time(scope, rules, now, &mut approvals, &mut refusals);
    check_area(scope, rules, &mut approvals, &mut refusals);
    if !refusals.is_empty() {
        ScopeDecision::Refused { reasons: refusals }
    } else if !approvals.is_empty() {
        ScopeDecision::NeedsApproval { reasons: approvals }
    } else {
        ScopeDecision::Allowed
    }
}

fn check_plates(
    scope: &SearchScope,
    rules: &ScopeRules,
    approvals: &mut Vec<String>,
    refusals: &mut Vec<String>,
) {
    if scope.plates.is_empty() && scope.area.is_none() {
        refusals
            .push("neither plates nor an area: the search would cover every vehicle".to_owned());
    }
    if scope.plates.len() > rules.plates_max {
        refusals.push(format!(
            "{} plates; at most {} per request",
            scope.plates.len(),
            rules.plates_max
        ));
    } else if scope.plates.len() > rules.plates_max_without_approval {
        approvals.push(format!(
            "{} plates; more than {} need approval",
            scope.plates.len(),
            rules.plates_max_without_approval
        ));
    }
    for raw in &scope.plates {
        let pattern = match PlatePattern::parse(raw) {
            Ok(pattern) => pattern,
            Err(err) => {
                refusals.push(err.to_string());
                continue;
            }
        };
        let n_literals = pattern.n_fixed_chars();
        if pattern.is_exact() {
            continue;
        }
        if n_literals < rules.wildcard_literals_refused_below {
            refusals.push(format!(
                "pattern `{raw}` has {n_literals} literal characters; at least {} are required",
                rules.wildcard_literals_refused_below
            ));
        } else if is_unbounded(&pattern, rules.wildcard_literals_min) {
            approvals.push(format!(
                "pattern `{raw}` is an unbounded wildcard ({n_literals} literal characters)"
            ));
        }
    }
}

fn check_time(
    scope: &SearchScope,
    rules: &ScopeRules,
    now: Timestamp,
    approvals: &mut Vec<String>,
    refusals: &mut Vec<String>,
) {
    if let (Some(from), Some(to)) = (scope.from, scope.to)
        && from > to
    {
        refusals.push("`from` is after `to`".to_owned());
    }
    let limit = now - i64::from(rules.age_days_without_approval) * DAY_MICROS;
    match scope.from {
        None => approvals.push(format!(
            "no start time: data older than {} days needs approval",
            rules.age_days_without_approval
        )),
        Some(from) if from < limit => approvals.push(format!(
            "data older than {} days needs approval",
            rules.age_days_without_approval
        )),
        Some(_) => {}
    }
}

fn check_area(
    scope: &SearchScope,
    rules: &ScopeRules,
    approvals: &mut Vec<String>,
    refusals: &mut Vec<String>,
) {
    let Some(area) = scope.area else { return };
    if let Err(err) = area.validate() {
        refusals.push(err.to_string());
        return;
    }
    let area_km2 = area.area_km2();
    if area_km2 > rules.area_km2_max_without_approval {
        approvals.push(format!(
            "area of {area_km2:.0} km²; wider than {:.0} km² needs approval",
            rules.area_km2_max_without_approval
        ));
    }
}

/// Whether a wildcard pattern is too loose to run without approval: unbounded by the
/// domain's definition ([`PlatePattern::is_unbounded`]), or a `*` run with fewer than
/// `literals_min` literal characters.
pub fn is_unbounded(pattern: &PlatePattern, literals_min: usize) -> bool {
    !pattern.is_exact()
        && (pattern.is_unbounded()
            || (pattern.as_str().contains('*') && pattern.n_fixed_chars() < literals_min))
}
