//! The data of a data directory as retention targets: the store's reads, the plate crops
//! and the alert log. (The audit log's target is `corridor_safeguards::audit::AuditRetention`.)
//!
//! An item's country is its camera's, else the plate's, for every kind alike.

use corridor_alerts::{AlertLog, Trigger};
use corridor_domain::{PlateRead, Timestamp};
use corridor_safeguards::SafeguardsError;
use corridor_safeguards::retention::{DataKind, RetentionItem, RetentionTarget};
use corridor_server::{CropRef, CropStore};
use corridor_store::Store;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Camera id -> the country the camera stands in.
pub(super) struct CameraCountries(HashMap<String, String>);

impl CameraCountries {
    pub(super) fn of(store: &Store) -> CameraCountries {
        CameraCountries(
            store
                .cameras()
                .into_iter()
                .filter_map(|camera| {
                    let country = camera.country?;
                    Some((camera.camera_id, country.as_str().to_owned()))
                })
                .collect(),
        )
    }

    /// The camera's country, else `fallback` (the plate's).
    fn country(&self, camera_id: Option<&str>, fallback: Option<&str>) -> Option<String> {
        camera_id
            .and_then(|camera_id| self.0.get(camera_id))
            .map(String::as_str)
            .or(fallback)
            .map(str::to_owned)
    }
}

/// The store's reads: deleted from every file of the store by `Store::purge_reads`.
pub(super) struct StoreReads<'a> {
    store: &'a Store,
    countries: &'a CameraCountries,
}

impl<'a> StoreReads<'a> {
    pub(super) fn new(store: &'a Store, countries: &'a CameraCountries) -> StoreReads<'a> {
        StoreReads { store, countries }
    }
}

impl RetentionTarget for StoreReads<'_> {
    fn name(&self) -> String {
        "store reads".to_owned()
    }

    fn items(&self) -> corridor_safeguards::Result<Vec<RetentionItem>> {
        let mut items = Vec::new();
        for_each_read(self.store, &self.name(), &mut |read| {
            let mut item = RetentionItem::new(read.read_id.clone(), DataKind::Reads, read.ts);
            item.country = self.countries.country(
                Some(&read.camera_id),
                read.country.as_ref().map(|country| country.as_str()),
            );
            item.read_id = Some(read.read_id);
            item.plate = Some(read.plate.as_str().to_owned());
            items.push(item);
        })?;
        Ok(items)
    }

    fn purge(&mut self, ids: &BTreeSet<String>) -> corridor_safeguards::Result<u64> {
        let report = self
            .store
            .purge_reads(&|read| ids.contains(&read.read_id))
            .map_err(|err| SafeguardsError::target(self.name(), err))?;
        Ok(report.n_reads_removed)
    }
}

/// The plate crops of camera images, one item per crop and read (a crop file goes with its
/// last item). A crop whose read is no longer in the store is marked `read_gone`: it goes
/// whatever the images period, so that no crop outlives its read.
pub(super) struct CropRefs<'a> {
    crops: CropStore,
    store: &'a Store,
    countries: &'a CameraCountries,
}

impl<'a> CropRefs<'a> {
    pub(super) fn new(
        crops: CropStore,
        store: &'a Store,
        countries: &'a CameraCountries,
    ) -> CropRefs<'a> {
        CropRefs {
            crops,
            store,
            countries,
        }
    }

    fn item(&self, crop_ref: CropRef, stored: &HashSet<String>) -> RetentionItem {
        let mut item = RetentionItem::new(crop_ref.id(), DataKind::Images, crop_ref.ts);
        item.country = self
            .countries
            .country(crop_ref.camera_id.as_deref(), crop_ref.country.as_deref());
        item.read_gone = crop_ref
            .read_id
            .as_ref()
            .is_some_and(|read_id| !stored.contains(read_id));
        item.read_id = crop_ref.read_id;
        item.plate = crop_ref.plate;
        item
    }
}

impl RetentionTarget for CropRefs<'_> {
    fn name(&self) -> String {
        "images".to_owned()
    }

    fn items(&self) -> corridor_safeguards::Result<Vec<RetentionItem>> {
        let refs = self
            .crops
            .refs()
            .map_err(|err| SafeguardsError::target(self.name(), err))?;
        let wanted: HashSet<&str> = refs
            .iter()
            .filter_map(|crop_ref| crop_ref.read_id.as_deref())
            .collect();
        let mut stored = HashSet::new();
        for_each_read(self.store, &self.name(), &mut |read| {
            if wanted.contains(read.read_id.as_str()) {
                stored.insert(read.read_id);
            }
        })?;
        Ok(refs
            .into_iter()
            .map(|crop_ref| self.item(crop_ref, &stored))
            .collect())
    }

    fn purge(&mut self, ids: &BTreeSet<String>) -> corridor_safeguards::Result<u64> {
        let purge = self
            .crops
            .remove_refs(ids)
            .map_err(|err| SafeguardsError::target(self.name(), err))?;
        tracing::info!(
            n_refs_removed = purge.n_refs_removed,
            n_files_removed = purge.n_files_removed,
            n_temp_files_removed = purge.n_temp_files_removed,
            "Deleted expired plate crops."
        );
        Ok(purge.n_refs_removed)
    }
}

/// The alert log's alerts (hotlist hits), dated by their read; a convoy alert also names
/// its companion's plate, so a hold on either keeps it.
pub(super) struct AlertHits<'a> {
    log: &'a AlertLog,
    countries: &'a CameraCountries,
    now: Timestamp,
}

impl<'a> AlertHits<'a> {
    pub(super) fn new(
        log: &'a AlertLog,
        countries: &'a CameraCountries,
        now: Timestamp,
    ) -> AlertHits<'a> {
        AlertHits {
            log,
            countries,
            now,
        }
    }
}

impl RetentionTarget for AlertHits<'_> {
    fn name(&self) -> String {
        "alerts".to_owned()
    }

    fn items(&self) -> corridor_safeguards::Result<Vec<RetentionItem>> {
        Ok(self
            .log
            .alerts()
            .iter()
            .map(|alert| {
                let mut item = RetentionItem::new(&alert.alert_id, DataKind::Hits, alert.read_ts);
                item.country = self
                    .countries
                    .country(Some(&alert.camera_id), alert.country.as_deref());
                item.read_id = Some(alert.read_id.clone());
                item.plate = Some(alert.plate.clone());
                if let Trigger::Convoy {
                    companion_plate, ..
                } = &alert.trigger
                {
                    item.mentions.insert(companion_plate.clone());
                }
                item
            })
            .collect())
    }

    fn purge(&mut self, ids: &BTreeSet<String>) -> corridor_safeguards::Result<u64> {
        let purge = self
            .log
            .purge_durable(&|alert| ids.contains(&alert.alert_id), self.now)
            .map_err(|err| SafeguardsError::target(self.name(), err))?;
        if purge.n_undelivered_removed > 0 {
            tracing::warn!(
                n_undelivered_removed = purge.n_undelivered_removed,
                "Deleted expired alerts that a webhook had not received yet."
            );
        }
        Ok(purge.n_alerts_removed)
    }
}

/// Calls `visit` with every read of the store.
fn for_each_read(
    store: &Store,
    target: &str,
    visit: &mut dyn FnMut(PlateRead),
) -> corridor_safeguards::Result<()> {
    let batches = store
        .scan(None, None)
        .map_err(|err| SafeguardsError::target(target, err))?;
    for batch in batches {
        let reads = batch
            .and_then(|batch| corridor_store::schema::batch_to_reads(&batch))
            .map_err(|err| SafeguardsError::target(target, err))?;
        reads.into_iter().for_each(&mut *visit);
    }
    Ok(())
}
