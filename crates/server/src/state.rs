//! `AppState`: what every handler shares (the store, the safeguards, the alert engine, the
//! configuration, the metrics), and the one way handlers call blocking code: off the HTTP
//! runtime, a bounded number at a time.

use crate::ServeError;
use crate::config::ServerConfig;
use crate::crops::CropStore;
use crate::error::ApiError;
use crate::metrics::Metrics;
use corridor_alerts::{AlertConfig, AlertEngine, GeoPoint};
use corridor_domain::confusion::ConfusionModel;
use corridor_safeguards::Safeguards;
use corridor_store::Store;
use corridor_vision::PlateReader;
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// The alert engine's directory under the data directory.
pub const ALERTS_DIR: &str = "alerts";

/// Shared state of the router; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<Store>,
    safeguards: Arc<Safeguards>,
    alerts: Arc<AlertEngine>,
    config: ServerConfig,
    metrics: Metrics,
    store_calls: Semaphore,
    crops: CropStore,
    /// Loaded on the first camera image, so that servers without cameras never pay for it.
    plate_reader: OnceLock<Arc<PlateReader>>,
    vision_calls: Semaphore,
}

impl AppState {
    /// State for a router serving `store` under `config`: opens the safeguards (users,
    /// audit log, approvals, agreements) and the alert engine (hotlist, alert log) under
    /// `config.data_dir`.
    pub fn open(config: ServerConfig, store: Arc<Store>) -> Result<AppState, ServeError> {
        let safeguards = Safeguards::open(&config.data_dir, config.safeguards.clone())
            .map_err(ServeError::Safeguards)?;
        let camera_store = Arc::clone(&store);
        let camera_position = move |camera_id: &str| {
            camera_store.camera(camera_id).map(|camera| GeoPoint {
                lat: camera.lat,
                lon: camera.lon,
            })
        };
        let alerts = AlertEngine::open(
            AlertConfig::new(config.data_dir.join(ALERTS_DIR)),
            Arc::new(ConfusionModel::standard()),
            Arc::new(camera_position),
        )
        .map_err(ServeError::Alerts)?;
        let store_calls = Semaphore::new(config.limits.store_calls_max);
        let vision_calls = Semaphore::new(config.limits.vision_calls_max);
        let crops = CropStore::new(&config.data_dir);
        Ok(AppState {
            inner: Arc::new(Inner {
                store,
                safeguards: Arc::new(safeguards),
                alerts: Arc::new(alerts),
                config,
                metrics: Metrics::new(),
                store_calls,
                crops,
                plate_reader: OnceLock::new(),
                vision_calls,
            }),
        })
    }

    /// The configuration the server runs with.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The store served.
    pub fn store(&self) -> &Arc<Store> {
        &self.inner.store
    }

    /// The safeguards every request passes (users and tokens are managed through it).
    pub fn safeguards(&self) -> &Arc<Safeguards> {
        &self.inner.safeguards
    }

    /// The alert engine fed by every ingested batch.
    pub fn alerts(&self) -> &Arc<AlertEngine> {
        &self.inner.alerts
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The plate crops of camera images.
    pub(crate) fn crops(&self) -> &CropStore {
        &self.inner.crops
    }

    /// Runs `work` with the plate reader on the blocking pool, at most `vision_calls_max`
    /// at a time (inference is CPU-bound: it never runs on the HTTP workers); the first
    /// call loads the models.
    pub(crate) async fn with_plate_reader<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&PlateReader) -> T + Send + 'static,
    {
        let _permit = self
            .inner
            .vision_calls
            .acquire()
            .await
            .expect("the vision-call semaphore is never closed");
        let state = self.clone();
        let reader = tokio::task::spawn_blocking(move || state.plate_reader())
            .await
            .map_err(|join_error| ApiError::internal(&join_error))??;
        tokio::task::spawn_blocking(move || work(&reader))
            .await
            .map_err(|join_error| ApiError::internal(&join_error))
    }

    /// The plate reader, loaded on first use (blocks while the models load).
    fn plate_reader(&self) -> Result<Arc<PlateReader>, ApiError> {
        if let Some(reader) = self.inner.plate_reader.get() {
            return Ok(Arc::clone(reader));
        }
        let reader = PlateReader::new().map_err(|error| ApiError::internal(&error))?;
        if corridor_vision::models_are_placeholders() {
            tracing::warn!(
                "The embedded plate models are placeholders (random weights): image reads are meaningless."
            );
        }
        Ok(Arc::clone(
            self.inner.plate_reader.get_or_init(|| Arc::new(reader)),
        ))
    }

    /// Runs `work` on the blocking pool, after waiting for one of the `store_calls_max`
    /// permits: store calls block on disk and must never run on the HTTP worker threads.
    pub(crate) async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> T + Send + 'static,
    {
        let store = Arc::clone(&self.inner.store);
        self.off_runtime(move || work(&store)).await
    }

    /// Runs blocking `work` (store calls, audit appends, alert log syncs) on the blocking
    /// pool, at most `store_calls_max` at a time.
    pub(crate) async fn off_runtime<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let _permit = self
            .inner
            .store_calls
            .acquire()
            .await
            .expect("the store-call semaphore is never closed");
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|join_error| ApiError::internal(&join_error))
    }
}
