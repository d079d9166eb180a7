//! `POST /api/v1/reads`: good batches, NDJSON, and every way a batch is refused whole.

use crate::support::{Harness, read};
use axum::http::{Method, StatusCode};
use corridor_server::Limits;
use serde_json::json;

#[tokio::test]
async fn a_json_batch_is_stored_and_a_resend_counts_duplicates() {
    let harness = Harness::new().await;
    let batch = json!([
        read("r1", "AB12 CDE", "GB", "2026-11-01T10:00:00Z"),
        read("r2", "AB12CDE", "GB", "2026-11-01T11:00:00Z"),
        read("r3", "XY99ZZZ", "GB", "2026-11-01T12:00:00Z"),
    ]);
    let reply = harness.post_json("/api/v1/reads", &batch).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.json,
        json!({"n_received": 3, "n_new": 3, "n_duplicate": 0, "n_expired": 0, "n_alerts": 0})
    );
    assert_eq!(harness.read_ids_of("AB12CDE").await, ["r1", "r2"]);

    let wrapped = json!({ "reads": batch });
    let reply = harness.post_json("/api/v1/reads", &wrapped).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json["n_new"], 0);
    assert_eq!(reply.json["n_duplicate"], 3);
    assert_eq!(harness.read_ids_of("AB12CDE").await, ["r1", "r2"]);
}

#[tokio::test]
async fn an_ndjson_body_is_stored() {
    let harness = Harness::new().await;
    let body = format!(
        "{}\n\n{}\n",
        read("n1", "GH123JK", "FR", "2026-11-02T10:00:00Z"),
        json!({"read_id": "n2", "plate": "GH-123-JK", "country": "FR", "camera_id": "M1",
               "ts": "2026-11-02T10:05:00.250Z", "lat": 51.128, "lon": 1.3117, "heading": 270})
    );
    let reply = harness
        .request(
            Method::POST,
            "/api/v1/reads",
            Some("application/x-ndjson"),
            body.into_bytes(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json["n_new"], 2);
    let history = harness
        .get("/api/v1/history?plate=GH123JK&country=FR")
        .await;
    let reads = history.json["reads"].as_array().expect("reads");
    assert_eq!(reads.len(), 2);
    assert_eq!(reads[1]["ts"], "2026-11-02T10:05:00.250Z");
    assert_eq!(reads[1]["lat"], 51.128);
    assert_eq!(reads[1]["heading"], 270.0);
    assert_eq!(reads[1]["make"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_bad_field_names_row_and_field_and_nothing_is_stored() {
    let harness = Harness::new().await;
    let mut bad = read("b3", "AB12CDE", "GB", "2026-11-01T12:00:00Z");
    bad["confidence"] = json!(1.5);
    let batch = json!([
        read("b1", "AB12CDE", "GB", "2026-11-01T10:00:00Z"),
        read("b2", "AB12CDE", "GB", "2026-11-01T11:00:00Z"),
        bad,
    ]);
    let reply = harness.post_json("/api/v1/reads", &batch).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    let error = &reply.json["error"];
    assert_eq!(error["code"], "bad_field");
    assert_eq!(error["row"], 3);
    assert_eq!(error["field"], "confidence");
    assert_eq!(error["reason"], "bad_confidence");
    assert_eq!(
        error["message"],
        "row 3: field `confidence`: 1.5 is outside 0..1"
    );
    assert!(harness.read_ids_of("AB12CDE").await.is_empty());
}

#[tokio::test]
async fn each_rejection_reason_is_reported() {
    let harness = Harness::new().await;
    let cases = [
        ("camera_id", json!("NOPE"), "unknown_camera"),
        ("plate", json!("AB#12"), "bad_plate"),
        ("ts", json!("2099-01-01T00:00:00Z"), "future_ts"),
        ("ts", json!("yesterday"), "unparsable"),
        ("read_id", json!(null), "missing"),
        ("country", json!("GBR"), "unparsable"),
    ];
    for (field, value, reason) in cases {
        let mut bad = read("x2", "AB12CDE", "GB", "2026-11-01T11:00:00Z");
        bad[field] = value;
        let batch = json!([read("x1", "AB12CDE", "GB", "2026-11-01T10:00:00Z"), bad]);
        let reply = harness.post_json("/api/v1/reads", &batch).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{field}: {}",
            reply.text
        );
        assert_eq!(reply.json["error"]["row"], 2, "{field}");
        assert_eq!(reply.json["error"]["field"], field);
        assert_eq!(reply.json["error"]["reason"], reason, "{field}");
    }
    let mut off_globe = read("x2", "AB12CDE", "GB", "2026-11-01T11:00:00Z");
    off_globe["lat"] = json!(91.5);
    off_globe["lon"] = json!(1.0);
    let reply = harness
        .post_json("/api/v1/reads", &json!([off_globe]))
        .await;
    assert_eq!(reply.json["error"]["reason"], "off_globe", "{}", reply.text);
    assert!(harness.read_ids_of("AB12CDE").await.is_empty());
}

#[tokio::test]
async fn an_unknown_field_and_malformed_json_are_refused() {
    let harness = Harness::new().await;
    let mut typo = read("t1", "AB12CDE", "GB", "2026-11-01T10:00:00Z");
    typo["confidance"] = json!(0.5);
    let reply = harness.post_json("/api/v1/reads", &json!([typo])).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json["error"]["code"], "unknown_field");
    assert_eq!(reply.json["error"]["field"], "confidance");

    let reply = harness
        .request(
            Method::POST,
            "/api/v1/reads",
            Some("application/json"),
            b"[{\"read_id\":".to_vec(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json["error"]["code"], "bad_json", "{}", reply.text);
    assert_eq!(reply.json["error"]["row"], 1);

    let reply = harness
        .request(
            Method::POST,
            "/api/v1/reads",
            Some("application/json"),
            b"{\"rows\":[]}".to_vec(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json["error"]["code"], "bad_json", "{}", reply.text);
}

#[tokio::test]
async fn a_conflicting_read_id_refuses_the_whole_batch() {
    let harness = Harness::new().await;
    let first = json!([read("c1", "AB12CDE", "GB", "2026-11-01T10:00:00Z")]);
    assert_eq!(
        harness.post_json("/api/v1/reads", &first).await.status,
        StatusCode::OK
    );
    let batch = json!([
        read("c2", "AB12CDE", "GB", "2026-11-01T11:00:00Z"),
        read("c1", "ZZ99ZZZ", "GB", "2026-11-01T10:00:00Z"),
    ]);
    let reply = harness.post_json("/api/v1/reads", &batch).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text);
    assert_eq!(reply.json["error"]["reason"], "conflicting_read_id");
    assert_eq!(reply.json["error"]["row"], 2);
    assert_eq!(reply.json["error"]["field"], "read_id");
    assert_eq!(harness.read_ids_of("AB12CDE").await, ["c1"]);
    assert!(harness.read_ids_of("ZZ99ZZZ").await.is_empty());
}

#[tokio::test]
async fn repeats_within_a_batch_are_duplicates_or_conflicts() {
    let harness = Harness::new().await;
    let same = read("d1", "AB12CDE", "GB", "2026-11-01T10:00:00Z");
    let reply = harness
        .post_json("/api/v1/reads", &json!([same, same]))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        (
            reply.json["n_new"].as_u64(),
            reply.json["n_duplicate"].as_u64()
        ),
        (Some(1), Some(1))
    );

    let other = read("d2", "AB12CDE", "GB", "2026-11-01T10:00:00Z");
    let mut changed = other.clone();
    changed["plate"] = json!("AB12CDF");
    let reply = harness
        .post_json("/api/v1/reads", &json!([other, changed]))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text);
    assert_eq!(reply.json["error"]["row"], 2);
    assert_eq!(harness.read_ids_of("AB12CDE").await, ["d1"]);
}

#[tokio::test]
async fn limits_and_content_types_are_enforced() {
    let limits = Limits {
        batch_rows_max: 2,
        request_bytes_max: 2_000,
        ..Limits::default()
    };
    let harness = Harness::with_limits(limits).await;
    let three = json!([
        read("l1", "AB12CDE", "GB", "2026-11-01T10:00:00Z"),
        read("l2", "AB12CDE", "GB", "2026-11-01T11:00:00Z"),
        read("l3", "AB12CDE", "GB", "2026-11-01T12:00:00Z"),
    ]);
    let reply = harness.post_json("/api/v1/reads", &three).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.json["error"]["code"], "batch_too_large");

    let big = vec![b' '; 3_000];
    let reply = harness
        .request(Method::POST, "/api/v1/reads", Some("application/json"), big)
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.json["error"]["code"], "payload_too_large");

    let reply = harness
        .request(
            Method::POST,
            "/api/v1/reads",
            Some("text/csv"),
            b"a,b".to_vec(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.json["error"]["code"], "unsupported_media_type");
    assert!(harness.read_ids_of("AB12CDE").await.is_empty());
}
