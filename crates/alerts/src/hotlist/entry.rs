//! Hotlist entries: what is watched, why, by whom, until when, and every earlier version.

use crate::AlertError;
use corridor_domain::{Country, PlatePattern, PlateText, Timestamp};
use std::fmt;

/// The id of a hotlist entry; stable across its versions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct EntryId(pub u64);

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The plate an entry watches: full characters, or a partial pattern (`?` is one unknown
/// character, `*` any run) with at least three fixed characters.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PlateSpec {
    /// Exactly these normalised characters.
    Exact(PlateText),
    /// A partial plate such as `AB12?C?`.
    Pattern(PlatePattern),
}

impl PlateSpec {
    /// Parses plate text; any `?` or `*` makes it a pattern. Patterns with fewer than
    /// three fixed characters are refused: they would alert on a large share of all traffic.
    pub fn parse(raw: &str) -> Result<PlateSpec, AlertError> {
        if raw.contains(['?', '*']) {
            let pattern = PlatePattern::parse(raw)
                .map_err(|err| AlertError::bad_field("plate", err.to_string()))?;
            if pattern.is_unbounded() {
                return Err(AlertError::bad_field(
                    "plate",
                    format!("pattern `{raw}` has fewer than three fixed characters"),
                ));
            }
            return Ok(PlateSpec::Pattern(pattern));
        }
        PlateText::parse(raw)
            .map(PlateSpec::Exact)
            .map_err(|err| AlertError::bad_field("plate", err.to_string()))
    }

    /// The text as written in CSV and in the log (`AB12?C?` for patterns).
    pub fn as_str(&self) -> &str {
        match self {
            PlateSpec::Exact(plate) => plate.as_str(),
            PlateSpec::Pattern(pattern) => pattern.as_str(),
        }
    }
}

/// Which issuing country an entry applies to. "Any" must be said explicitly: the same
/// characters from another country are another vehicle.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CountrySpec {
    /// Only plates issued by this country.
    Only(Country),
    /// Plates of these characters from any country.
    Any,
}

impl CountrySpec {
    /// Parses a two-letter code or `any`; an empty value is an error.
    pub fn parse(raw: &str) -> Result<CountrySpec, AlertError> {
        if raw.trim().eq_ignore_ascii_case("any") {
            return Ok(CountrySpec::Any);
        }
        Country::parse(raw)
            .map(CountrySpec::Only)
            .map_err(|err| AlertError::bad_field("country", format!("{err}, or `any`")))
    }

    /// `any` or the two-letter code.
    pub fn as_str(&self) -> &str {
        match self {
            CountrySpec::Only(country) => country.as_str(),
            CountrySpec::Any => "any",
        }
    }

    /// Whether a read from `read_country` is the watched vehicle's country.
    /// `None` (unknown country) is `Some(false)`-like: the caller decides; see
    /// [`crate::MatchKind::CountryUnknown`].
    pub fn admits(&self, read_country: Option<Country>) -> CountryFit {
        match (self, read_country) {
            (CountrySpec::Any, _) => CountryFit::Yes,
            (CountrySpec::Only(want), Some(got)) if *want == got => CountryFit::Yes,
            (CountrySpec::Only(_), Some(_)) => CountryFit::No,
            (CountrySpec::Only(_), None) => CountryFit::Unknown,
        }
    }
}

/// How a read's country fits an entry's [`CountrySpec`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CountryFit {
    /// Same country, or the entry says "any".
    Yes,
    /// Another country: never a hit.
    No,
    /// The read carries no country.
    Unknown,
}

/// Declares a closed set of lower-case names with `parse` and `as_str`.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Parses the lower-case name (any case accepted).
            pub fn parse(raw: &str) -> Result<$name, AlertError> {
                match raw.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(AlertError::bad_field(
                        $field,
                        format!("`{raw}` is not one of {}", [$($text),+].join(", ")),
                    )),
                }
            }

            /// The canonical lower-case name.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
    };
}

pub(crate) use string_enum;

string_enum!(
    /// Why a vehicle is of interest.
    ReasonCategory, "reason" {
        /// Reported stolen.
        Stolen => "stolen",
        /// Linked to a wanted person.
        Wanted => "wanted",
        /// Suspected of carrying people or goods for smugglers.
        Smuggling => "smuggling",
        /// Linked to a missing or vulnerable person.
        Missing => "missing",
        /// Intelligence interest; observe, do not stop.
        Intelligence => "intelligence",
        /// Anything else; the handling instructions say more.
        Other => "other",
    }
);

string_enum!(
    /// Who may see an entry and the alerts it raises.
    Sharing, "sharing" {
        /// Only the owning agency.
        Agency => "agency",
        /// Agencies of the owning country.
        National => "national",
        /// Partner agencies across borders.
        International => "international",
    }
);

/// What a hotlist entry says, without its identity and history.
#[derive(Clone, PartialEq, Debug)]
pub struct EntryFields {
    pub plate: PlateSpec,
    pub country: CountrySpec,
    pub reason: ReasonCategory,
    /// What an officer should do on an alert ("do not stop; report position").
    pub handling: String,
    pub agency: String,
    /// Microseconds since the epoch after which the entry no longer alerts; `None`: never.
    pub expires_at: Option<Timestamp>,
    pub sharing: Sharing,
}

/// What kind of change produced an entry version.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChangeKind {
    Created,
    Updated,
    Expired,
    Deleted,
}

impl ChangeKind {
    /// The lower-case name used in the log.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Updated => "updated",
            ChangeKind::Expired => "expired",
            ChangeKind::Deleted => "deleted",
        }
    }

    pub(crate) fn parse(raw: &str) -> Option<ChangeKind> {
        match raw {
            "created" => Some(ChangeKind::Created),
            "updated" => Some(ChangeKind::Updated),
            "expired" => Some(ChangeKind::Expired),
            "deleted" => Some(ChangeKind::Deleted),
            _ => None,
        }
    }
}

/// One version of a hotlist entry. Versions count from 1; an update never overwrites
/// an earlier version, it adds the next one.
#[derive(Clone, PartialEq, Debug)]
pub struct HotlistEntry {
    pub entry_id: EntryId,
    pub version: u32,
    pub fields: EntryFields,
    pub change: ChangeKind,
    /// When this version was made, microseconds since the epoch.
    pub changed_at: Timestamp,
    /// Who made this version (user or importer name).
    pub changed_by: String,
}

impl HotlistEntry {
    /// Whether the entry may raise an alert for a read taken at `read_ts`, checked at `now`.
    /// Deleted entries never alert; expired entries stop at once.
    pub fn is_live(&self, read_ts: Timestamp, now: Timestamp) -> bool {
        if self.change == ChangeKind::Deleted {
            return false;
        }
        match self.fields.expires_at {
            Some(expires_at) => read_ts < expires_at && now < expires_at,
            None => true,
        }
    }
}

/// Checks the free-text fields of an entry.
pub(crate) fn validate_fields(fields: &EntryFields) -> Result<(), AlertError> {
    if fields.agency.trim().is_empty() {
        return Err(AlertError::bad_field("agency", "empty"));
    }
    if fields.handling.len() > 4096 {
        return Err(AlertError::bad_field("handling", "longer than 4096 bytes"));
    }
    Ok(())
}
