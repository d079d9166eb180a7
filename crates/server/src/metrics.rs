//! Prometheus metrics: ingest counters, request latency histograms and store gauges.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The labels of a request: method, matched route (not the raw path) and status code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    pub(crate) method: String,
    pub(crate) route: String,
    pub(crate) status: u16,
}

/// The rejection key of a refused batch.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ReasonLabels {
    pub(crate) reason: String,
}

type HistogramFamily = Family<RequestLabels, Histogram, fn() -> Histogram>;

/// Every metric the server exports, registered once at startup.
#[derive(Debug)]
pub(crate) struct Metrics {
    registry: Registry,
    /// Reads newly stored.
    pub(crate) reads_ingested: Counter,
    /// Reads already stored with the same content (idempotent retries).
    pub(crate) reads_duplicate: Counter,
    /// Reads of refused batches (none of them stored).
    pub(crate) reads_rejected: Counter,
    /// Refused batches, by the rejection key of their first bad row.
    pub(crate) batches_rejected: Family<ReasonLabels, Counter>,
    /// Request latency, by method, route and status.
    pub(crate) request_seconds: HistogramFamily,
    /// Store gauges, refreshed on each scrape.
    pub(crate) store_reads: Gauge,
    pub(crate) store_plates: Gauge,
    pub(crate) store_segments: Gauge,
    pub(crate) store_bytes: Gauge,
    pub(crate) store_wal_bytes: Gauge,
}

fn latency_histogram() -> Histogram {
    // 100 microseconds to about 6.5 seconds.
    Histogram::new(exponential_buckets(0.0001, 2.0, 17))
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::with_prefix("corridor");
        let reads_ingested = Counter::default();
        let reads_duplicate = Counter::default();
        let reads_rejected = Counter::default();
        let batches_rejected = Family::<ReasonLabels, Counter>::default();
        let request_seconds: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let store_reads = Gauge::default();
        let store_plates = Gauge::default();
        let store_segments = Gauge::default();
        let store_bytes = Gauge::default();
        let store_wal_bytes = Gauge::default();
        registry.register(
            "reads_ingested",
            "Reads newly stored (acknowledged after fsync)",
            reads_ingested.clone(),
        );
        registry.register(
            "reads_duplicate",
            "Reads whose id was already stored with the same content",
            reads_duplicate.clone(),
        );
        registry.register(
            "reads_rejected",
            "Reads of refused batches; none of them was stored",
            reads_rejected.clone(),
        );
        registry.register(
            "batches_rejected",
            "Refused read batches, by the rejection key of the first bad row",
            batches_rejected.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by method, route and status",
            request_seconds.clone(),
        );
        registry.register("store_reads", "Reads in the store", store_reads.clone());
        registry.register(
            "store_plates",
            "Distinct plate keys in the store",
            store_plates.clone(),
        );
        registry.register(
            "store_segments",
            "Parquet segments in the store",
            store_segments.clone(),
        );
        registry.register(
            "store_bytes",
            "Bytes on disk under the data directory",
            store_bytes.clone(),
        );
        registry.register(
            "store_wal_bytes",
            "Bytes of the write-ahead log",
            store_wal_bytes.clone(),
        );
        Metrics {
            registry,
            reads_ingested,
            reads_duplicate,
            reads_rejected,
            batches_rejected,
            request_seconds,
            store_reads,
            store_plates,
            store_segments,
            store_bytes,
            store_wal_bytes,
        }
    }

    /// The registry in the Prometheus text format.
    pub(crate) fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}
