//! The camera registry: list, get one, upsert, and refused lists.

use crate::support::Harness;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn cameras_are_listed_fetched_and_upserted() {
    let harness = Harness::new().await;
    let list = harness.get("/api/v1/cameras").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert_eq!(list.json["n_cameras"], 2);
    let one = harness.get("/api/v1/cameras/C1").await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(
        one.json,
        json!({"camera_id": "C1", "name": "A16 Boulogne north", "lat": 50.7421, "lon": 1.6113,
               "heading": 180.0, "country": "FR", "operator": "DIRNO", "kind": "fixed",
               "infrared": true})
    );
    let moved = json!({"cameras": [
        {"camera_id": "C1", "name": "A16 Boulogne south", "lat": 50.70, "lon": 1.60,
         "operator": "DIRNO", "kind": "covert", "infrared": false}
    ]});
    let reply = harness.put_json("/api/v1/cameras", &moved).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.json["n_cameras"], 1);
    let one = harness.get("/api/v1/cameras/C1").await;
    assert_eq!(one.json["name"], "A16 Boulogne south");
    assert_eq!(one.json["kind"], "covert");
    assert_eq!(one.json["heading"], serde_json::Value::Null);
    assert_eq!(harness.get("/api/v1/cameras").await.json["n_cameras"], 2);
}

#[tokio::test]
async fn an_unknown_camera_is_404() {
    let harness = Harness::new().await;
    let reply = harness.get("/api/v1/cameras/NOPE").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json["error"]["code"], "not_found");
    assert_eq!(reply.json["error"]["message"], "no camera `NOPE`");
}

#[tokio::test]
async fn a_bad_camera_refuses_the_list() {
    let harness = Harness::new().await;
    let cases = [
        (json!({"lat": 91.0}), "lat", "off_globe"),
        (json!({"kind": "drone"}), "kind", "unparsable"),
        (json!({"name": null}), "name", "missing"),
        (json!({"infrared": "yes"}), "infrared", "unparsable"),
    ];
    for (edit, field, reason) in cases {
        let mut bad = json!({"camera_id": "C9", "name": "new", "lat": 50.0, "lon": 1.0,
                             "operator": "x", "kind": "fixed", "infrared": false});
        for (key, value) in edit.as_object().expect("object") {
            bad[key] = value.clone();
        }
        let good = json!({"camera_id": "C8", "name": "ok", "lat": 50.0, "lon": 1.0,
                          "operator": "x", "kind": "fixed", "infrared": false});
        let reply = harness
            .put_json("/api/v1/cameras", &json!([good, bad]))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{field}: {}",
            reply.text
        );
        assert_eq!(reply.json["error"]["row"], 2, "{field}");
        assert_eq!(
            reply.json["error"]["reason"], reason,
            "{field}: {}",
            reply.text
        );
        assert_eq!(reply.json["error"]["field"], field, "{}", reply.text);
    }
    let mut missing = json!({"camera_id": "C9", "lat": 50.0, "lon": 1.0,
                             "operator": "x", "kind": "fixed", "infrared": false});
    let reply = harness
        .put_json("/api/v1/cameras", &json!([missing.clone()]))
        .await;
    assert_eq!(reply.json["error"]["field"], "name", "{}", reply.text);
    assert_eq!(reply.json["error"]["reason"], "missing");
    missing["name"] = json!("n");
    missing["typo"] = json!(1);
    let reply = harness.put_json("/api/v1/cameras", &json!([missing])).await;
    assert_eq!(
        reply.json["error"]["code"], "unknown_field",
        "{}",
        reply.text
    );
    assert_eq!(reply.json["error"]["field"], "typo");
    assert_eq!(
        harness.get("/api/v1/cameras").await.json["n_cameras"],
        2,
        "nothing stored"
    );
}
