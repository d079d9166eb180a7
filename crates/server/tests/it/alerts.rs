//! Alerts through the HTTP API over loopback: a hotlisted plate ingested over HTTP raises
//! an alert that reaches a real webhook receiver, the SSE stream and the alerts list.

use crate::live::{LiveServer, recent_read};
use axum::body::Bytes;
use axum::http::HeaderMap;
use corridor_server::WebhookTarget;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::mpsc;

const SECRET: &str = "a webhook secret of the tests";
/// How long the test waits for a delivery before it fails (not a synchronisation sleep).
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// A webhook receiver on loopback that passes every verified delivery to the test.
async fn receiver() -> (String, mpsc::Receiver<serde_json::Value>) {
    let (deliveries, received) = mpsc::channel(16);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let deliveries = deliveries.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or("")
                        .to_owned()
                };
                let signed = corridor_alerts::verify_signature(
                    SECRET.as_bytes(),
                    &header(corridor_alerts::HEADER_TIMESTAMP),
                    &body,
                    &header(corridor_alerts::HEADER_SIGNATURE),
                );
                if !signed {
                    return axum::http::StatusCode::UNAUTHORIZED;
                }
                let alert = serde_json::from_slice(&body).expect("an alert is JSON");
                let _ = deliveries.send(alert).await;
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hotlisted_read_ingested_over_http_alerts_by_webhook_stream_and_list() {
    let (url, mut deliveries) = receiver().await;
    let server = LiveServer::start(vec![WebhookTarget {
        sink_id: "control-room".to_owned(),
        url,
        secret: SECRET.to_owned(),
    }])
    .await;
    let entry = server
        .post(
            "analyst",
            "/api/v1/hotlist",
            json!({"plate": "AB12 CDE", "country": "GB", "reason": "smuggling",
                   "handling": "observe; do not stop", "sharing": "national"}),
        )
        .await;
    assert_eq!(entry.status, 200, "{}", entry.text);
    assert_eq!(entry.json["plate"], "AB12CDE");
    assert_eq!(
        entry.json["agency"], "Kent Police",
        "the caller's agency by default"
    );

    let mut stream = server
        .request("operator", Method::GET, "/api/v1/alerts/stream")
        .send()
        .await
        .expect("the stream opens");
    assert_eq!(stream.status(), 200);

    let batch = json!([
        recent_read("r-hot", "AB12CDE", "C1", 0),
        recent_read("r-cold", "ZZ99ZZZ", "C1", 0),
    ]);
    let ingest = server.post("operator", "/api/v1/reads", batch).await;
    assert_eq!(ingest.status, 200, "{}", ingest.text);
    assert_eq!(ingest.json["n_alerts"], 1);

    let delivered = tokio::time::timeout(DELIVERY_TIMEOUT, deliveries.recv())
        .await
        .expect("the webhook is delivered in time")
        .expect("a delivery");
    assert_eq!(delivered["read_id"], "r-hot");
    assert_eq!(delivered["watch"]["handling"], "observe; do not stop");
    let alert_id = delivered["alert_id"].as_str().expect("alert_id").to_owned();

    let mut event = String::new();
    while !event.contains("\n\n") {
        let chunk = tokio::time::timeout(DELIVERY_TIMEOUT, stream.chunk())
            .await
            .expect("the SSE event arrives in time")
            .expect("reading the stream")
            .expect("the stream stays open");
        event.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(event.contains("event: alert"), "{event}");
    assert!(event.contains(&alert_id), "{event}");

    let listed = server.get("operator", "/api/v1/alerts").await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.json["n_alerts"], 1);
    assert_eq!(listed.json["alerts"][0]["alert_id"], alert_id.as_str());

    let ack = server
        .post(
            "operator",
            &format!("/api/v1/alerts/{alert_id}/ack"),
            json!({"outcome": "observed", "note": "seen at Dover"}),
        )
        .await;
    assert_eq!(ack.status, 200, "{}", ack.text);
    let listed = server.get("analyst", "/api/v1/alerts").await;
    assert_eq!(
        listed.json["alerts"][0]["acks"][0]["handled_by"],
        "operator"
    );
    let audited = server
        .safeguards
        .audit()
        .entries(&corridor_safeguards::audit::AuditFilter::default())
        .expect("reading the audit log");
    assert!(
        audited.iter().any(|entry| entry.action == "view_alerts"
            && entry.who.user == "analyst"
            && entry.outcome.read_ids == ["r-hot"]),
        "the listing is on record"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hotlist_entries_are_updated_expired_deleted_and_imported() {
    let server = LiveServer::start(Vec::new()).await;
    let csv = "plate,country,reason,handling,agency,expires_at,sharing\n\
               AB12 CDE,GB,stolen,stop and search,NCA,,national\n\
               AB12?C?,any,smuggling,,DGPN,,international\n";
    let imported = server
        .request("analyst", Method::POST, "/api/v1/hotlist/import")
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("the server answers");
    let imported = crate::live::reply(imported).await;
    assert_eq!(imported.status, 200, "{}", imported.text);
    assert_eq!(imported.json["n_entries"], 2);
    let bad = server
        .request("analyst", Method::POST, "/api/v1/hotlist/import")
        .body("plate,country\nAB12CDE,GB\n")
        .send()
        .await
        .expect("the server answers");
    assert_eq!(bad.status(), 400);

    let updated = server
        .send(
            "supervisor",
            Method::PUT,
            "/api/v1/hotlist/1",
            Some(
                json!({"plate": "AB12CDE", "country": "GB", "reason": "wanted",
                        "sharing": "agency"}),
            ),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.json["version"], 2);
    assert_eq!(updated.json["changed_by"], "supervisor");
    let expired = server
        .post("analyst", "/api/v1/hotlist/1/expire", json!({}))
        .await;
    assert_eq!(expired.json["change"], "expired", "{}", expired.text);
    let deleted = server
        .send("analyst", Method::DELETE, "/api/v1/hotlist/2", None)
        .await;
    assert_eq!(deleted.json["change"], "deleted", "{}", deleted.text);
    let listed = server.get("analyst", "/api/v1/hotlist").await;
    assert_eq!(listed.json["n_entries"], 1, "{}", listed.text);
    let missing = server
        .send("analyst", Method::DELETE, "/api/v1/hotlist/9", None)
        .await;
    assert_eq!(missing.status, 404);
    let versions = server.get("analyst", "/api/v1/hotlist/1/versions").await;
    assert_eq!(versions.status, 200, "{}", versions.text);
    let changes: Vec<(&Value, &Value, &Value)> = versions.json["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|version| (&version["version"], &version["change"], &version["reason"]))
        .collect();
    assert_eq!(
        changes,
        [
            (&json!(1), &json!("created"), &json!("stolen")),
            (&json!(2), &json!("updated"), &json!("wanted")),
            (&json!(3), &json!("expired"), &json!("wanted")),
        ]
    );
    let deleted_versions = server.get("analyst", "/api/v1/hotlist/2/versions").await;
    assert_eq!(
        deleted_versions.json["n_entries"], 2,
        "{}",
        deleted_versions.text
    );
    let no_versions = server.get("analyst", "/api/v1/hotlist/9/versions").await;
    assert_eq!(no_versions.status, 404, "{}", no_versions.text);

    let audited = server
        .safeguards
        .audit()
        .entries(&corridor_safeguards::audit::AuditFilter::default())
        .expect("reading the audit log");
    let changes: Vec<&str> = audited
        .iter()
        .filter(|entry| entry.action == "manage_hotlists")
        .map(|entry| entry.what["change"].as_str().unwrap_or("import"))
        .collect();
    assert_eq!(changes, ["import", "updated", "expired", "deleted"]);
}
