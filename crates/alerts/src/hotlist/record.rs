//! The on-disk form of hotlist changes (one JSON record per entry version or watch version).

use super::entry::{
    ChangeKind, CountrySpec, EntryFields, EntryId, HotlistEntry, PlateSpec, ReasonCategory, Sharing,
};
use super::network::NetworkWatch;
use crate::AlertError;
use corridor_domain::{Country, PlateKey, PlateText};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// One record of `hotlist.log`.
#[derive(Serialize, Deserialize, Debug)]
/// Externally tagged (`{"entry": {...}}`): serde decodes it without buffering each record,
/// which matters when a million entries are replayed.
#[serde(rename_all = "snake_case")]
pub(crate) enum Record<'a> {
    #[serde(borrow)]
    Entry(EntryRecord<'a>),
    Network(NetworkRecord),
}

#[derive(Serialize, Deserialize, Debug)]
/// Text fields borrow from the log buffer when they hold no escapes.
pub(crate) struct EntryRecord<'a> {
    id: u64,
    version: u32,
    #[serde(borrow)]
    change: Cow<'a, str>,
    at: i64,
    #[serde(borrow)]
    by: Cow<'a, str>,
    #[serde(borrow)]
    plate: Cow<'a, str>,
    #[serde(borrow)]
    country: Cow<'a, str>,
    #[serde(borrow)]
    reason: Cow<'a, str>,
    #[serde(borrow)]
    handling: Cow<'a, str>,
    #[serde(borrow)]
    agency: Cow<'a, str>,
    expires_at: Option<i64>,
    #[serde(borrow)]
    sharing: Cow<'a, str>,
}

#[derive(Serialize, Deserialize, Debug)]
pub(crate) struct NetworkRecord {
    watch_id: String,
    version: u32,
    removed: bool,
    at: i64,
    by: String,
    name: String,
    agency: String,
    expires_at: Option<i64>,
    /// `[plate, country or null]` pairs.
    plates: Vec<(String, Option<String>)>,
}

impl<'a> EntryRecord<'a> {
    pub(crate) fn from_entry(entry: &'a HotlistEntry) -> EntryRecord<'a> {
        EntryRecord {
            id: entry.entry_id.0,
            version: entry.version,
            change: Cow::Borrowed(entry.change.as_str()),
            at: entry.changed_at,
            by: Cow::Borrowed(&entry.changed_by),
            plate: Cow::Borrowed(entry.fields.plate.as_str()),
            country: Cow::Borrowed(entry.fields.country.as_str()),
            reason: Cow::Borrowed(entry.fields.reason.as_str()),
            handling: Cow::Borrowed(&entry.fields.handling),
            agency: Cow::Borrowed(&entry.fields.agency),
            expires_at: entry.fields.expires_at,
            sharing: Cow::Borrowed(entry.fields.sharing.as_str()),
        }
    }

    pub(crate) fn into_entry(self) -> Result<HotlistEntry, AlertError> {
        let change = ChangeKind::parse(&self.change).ok_or_else(|| {
            AlertError::bad_field("change", format!("`{}` is unknown", self.change))
        })?;
        Ok(HotlistEntry {
            entry_id: EntryId(self.id),
            version: self.version,
            change,
            changed_at: self.at,
            changed_by: self.by.into_owned(),
            fields: EntryFields {
                plate: PlateSpec::parse(&self.plate)?,
                country: CountrySpec::parse(&self.country)?,
                reason: ReasonCategory::parse(&self.reason)?,
                handling: self.handling.into_owned(),
                agency: self.agency.into_owned(),
                expires_at: self.expires_at,
                sharing: Sharing::parse(&self.sharing)?,
            },
        })
    }
}

impl NetworkRecord {
    pub(crate) fn from_watch(watch: &NetworkWatch) -> NetworkRecord {
        NetworkRecord {
            watch_id: watch.watch_id.clone(),
            version: watch.version,
            removed: watch.removed,
            at: watch.changed_at,
            by: watch.changed_by.clone(),
            name: watch.name.clone(),
            agency: watch.agency.clone(),
            expires_at: watch.expires_at,
            plates: watch
                .plates
                .iter()
                .map(|key| {
                    (
                        key.text.as_str().to_owned(),
                        key.country.map(|c| c.as_str().to_owned()),
                    )
                })
                .collect(),
        }
    }

    pub(crate) fn into_watch(self) -> Result<NetworkWatch, AlertError> {
        let mut plates = Vec::with_capacity(self.plates.len());
        for (text, country) in self.plates {
            let text = PlateText::parse(&text)
                .map_err(|err| AlertError::bad_field("plates", err.to_string()))?;
            let country = match country {
                Some(code) => Some(
                    Country::parse(&code)
                        .map_err(|err| AlertError::bad_field("plates", err.to_string()))?,
                ),
                None => None,
            };
            plates.push(PlateKey { text, country });
        }
        Ok(NetworkWatch {
            watch_id: self.watch_id,
            version: self.version,
            removed: self.removed,
            changed_at: self.at,
            changed_by: self.by,
            name: self.name,
            agency: self.agency,
            expires_at: self.expires_at,
            plates,
        })
    }
}
