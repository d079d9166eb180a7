//! Health, metrics, the OpenAPI document and the fallback.

use crate::support::{Harness, read};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn health_says_the_store_is_open() {
    let harness = Harness::new().await;
    let reply = harness.get("/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json["status"], "ok");
    assert_eq!(reply.json["store"], "open");
}

#[tokio::test]
async fn metrics_count_ingest_and_time_requests() {
    let harness = Harness::new().await;
    let batch = json!([
        read("m1", "AB12CDE", "GB", "2026-11-01T10:00:00Z"),
        read("m2", "AB12CDE", "GB", "2026-11-01T11:00:00Z"),
    ]);
    harness.post_json("/api/v1/reads", &batch).await;
    harness.post_json("/api/v1/reads", &batch).await;
    let mut bad = read("m3", "AB12CDE", "GB", "2026-11-01T12:00:00Z");
    bad["plate"] = json!("");
    harness.post_json("/api/v1/reads", &json!([bad])).await;
    let reply = harness.get("/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .content_type
            .starts_with("application/openmetrics-text")
    );
    let text = &reply.text;
    for line in [
        "corridor_reads_ingested_total 2",
        "corridor_reads_duplicate_total 2",
        "corridor_reads_rejected_total 1",
        "corridor_batches_rejected_total{reason=\"missing\"} 1",
        "corridor_store_reads 2",
        "corridor_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/reads\",status=\"200\"} 2",
        "corridor_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/reads\",status=\"400\"} 1",
    ] {
        assert!(
            text.lines().any(|got| got == line),
            "missing `{line}` in:\n{text}"
        );
    }
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let harness = Harness::new().await;
    let reply = harness.get("/api/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json["openapi"], "3.1.0");
    let paths = reply.json["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/reads", "post"),
        ("/api/v1/history", "get"),
        ("/api/v1/cameras", "get"),
        ("/api/v1/cameras", "put"),
        ("/api/v1/cameras/{id}", "get"),
        ("/health", "get"),
        ("/metrics", "get"),
        ("/api/v1/openapi.json", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
    // Every reference points at a schema that exists.
    let text = reply.text.clone();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().expect("name");
        assert!(
            reply.json["components"]["schemas"][name].is_object(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn an_unknown_path_is_a_json_404() {
    let harness = Harness::new().await;
    let reply = harness.get("/api/v2/reads").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json["error"]["code"], "not_found");
}
