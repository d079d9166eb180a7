//! The embedded web UI and the analyses it runs: `GET /` without a token, its assets, and
//! `POST /api/v1/analyses` behind the purpose gate.

use crate::live::{LiveServer, recent_read};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn the_ui_is_served_at_the_root_without_a_token_and_the_api_stays_guarded() {
    let server = LiveServer::start(Vec::new()).await;
    let http = reqwest::Client::new();
    let index = http
        .get(format!("{}/", server.url))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(index.status(), 200);
    let header = |name: &str| {
        index
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert!(header("content-type").starts_with("text/html"));
    assert!(header("content-security-policy").contains("default-src 'self'"));
    let html = index.text().await.expect("a body");
    assert!(html.contains(r#"<div id="app">"#), "{html}");
    let script = html
        .split('"')
        .find(|part| part.starts_with("/assets/") && part.ends_with(".js"))
        .unwrap_or_else(|| panic!("no script in {html}"));
    let asset = http
        .get(format!("{}{script}", server.url))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(asset.status(), 200);
    assert!(
        asset.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/javascript")
    );

    let unknown_api = http
        .get(format!("{}/api/v1/no-such-route", server.url))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(
        unknown_api.status(),
        404,
        "the UI never answers for the API"
    );
    let no_token = http
        .get(format!("{}/api/v1/cameras", server.url))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(no_token.status(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_analysis_needs_a_purpose_and_answers_the_report_with_its_cited_reads() {
    let server = LiveServer::start(Vec::new()).await;
    let batch = json!([
        recent_read("a-1", "AB12CDE", "C1", 3),
        recent_read("a-2", "AB12CDE", "M1", 2),
        recent_read("a-3", "AB12CDE", "C1", 1),
    ]);
    let reply = server.post("operator", "/api/v1/reads", batch).await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    let no_purpose = reqwest::Client::new()
        .post(format!("{}/api/v1/analyses", server.url))
        .bearer_auth(server.token("analyst"))
        .json(&json!({"seeds": ["AB12CDE"]}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(no_purpose.status(), 403);
    let body: serde_json::Value = no_purpose.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "purpose_refused", "{body}");

    let bad_seed = server
        .post("analyst", "/api/v1/analyses", json!({"seeds": ["!!"]}))
        .await;
    assert_eq!(bad_seed.status, 400, "{}", bad_seed.text);
    assert_eq!(
        bad_seed.json["error"]["field"], "seeds",
        "{}",
        bad_seed.text
    );

    let report = server
        .post(
            "analyst",
            "/api/v1/analyses",
            json!({"seeds": ["ab12 cde"]}),
        )
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(report.json["seeds"], json!(["AB12CDE"]), "{}", report.text);
    assert_eq!(report.json["n_reads"], 3, "{}", report.text);
    assert!(report.json["hubs"].is_array(), "{}", report.text);
    assert!(report.json["reads"].is_object(), "{}", report.text);

    let operator = server
        .post(
            "operator",
            "/api/v1/analyses",
            json!({"seeds": ["AB12CDE"]}),
        )
        .await;
    assert_eq!(operator.status, 403, "operators do not run analyses");
}
