//! `AppState`: what every handler shares (the store, the configuration, the metrics), and
//! the one way handlers call the store: off the HTTP runtime, a bounded number at a time.

use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::metrics::Metrics;
use corridor_store::Store;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Shared state of the router; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<Store>,
    config: ServerConfig,
    metrics: Metrics,
    store_calls: Semaphore,
}

impl AppState {
    /// State for a router serving `store` under `config`'s limits.
    pub fn new(config: ServerConfig, store: Arc<Store>) -> AppState {
        let store_calls = Semaphore::new(config.limits.store_calls_max);
        AppState {
            inner: Arc::new(Inner {
                store,
                config,
                metrics: Metrics::new(),
                store_calls,
            }),
        }
    }

    /// The configuration the server runs with.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The store served.
    pub fn store(&self) -> &Arc<Store> {
        &self.inner.store
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Runs `work` on the blocking pool, after waiting for one of the `store_calls_max`
    /// permits: store calls block on disk and must never run on the HTTP worker threads.
    pub(crate) async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> T + Send + 'static,
    {
        let _permit = self
            .inner
            .store_calls
            .acquire()
            .await
            .expect("the store-call semaphore is never closed");
        let store = Arc::clone(&self.inner.store);
        tokio::task::spawn_blocking(move || work(&store))
            .await
            .map_err(|join_error| ApiError::internal(&join_error))
    }
}
