//! `GET /api/v1/history`: exact, wildcard and fuzzy, filters, limits and bad parameters.

use crate::support::{Harness, read};
use axum::http::StatusCode;
use serde_json::{Value, json};

async fn seeded() -> Harness {
    let harness = Harness::new().await;
    let batch = json!([
        read("h1", "AB12CDE", "GB", "2026-11-01T10:00:00Z"),
        read("h2", "AB12CDE", "GB", "2026-11-02T10:00:00Z"),
        read("h3", "AB12CDE", "FR", "2026-11-03T10:00:00Z"),
        read("h4", "AB12XDE", "GB", "2026-11-04T10:00:00Z"),
        read("h5", "A812CDE", "GB", "2026-11-05T10:00:00Z"),
        read("h6", "ZZ34CDE", "GB", "2026-11-06T10:00:00Z"),
        read("h7", "QQ11QQQ", "GB", "2026-11-07T10:00:00Z"),
    ]);
    let reply = harness.post_json("/api/v1/reads", &batch).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    harness
}

fn ids(reply: &Value) -> Vec<&str> {
    let mut ids: Vec<&str> = reply["reads"]
        .as_array()
        .expect("reads")
        .iter()
        .map(|read| read["read_id"].as_str().expect("read_id"))
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn exact_history_filters_by_country_and_time() {
    let harness = seeded().await;
    let all = harness.get("/api/v1/history?plate=ab12%20cde").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert_eq!(all.json["mode"], "exact");
    assert_eq!(all.json["plate"], "AB12CDE");
    assert_eq!(ids(&all.json), ["h1", "h2", "h3"]);
    let reads = all.json["reads"].as_array().expect("reads");
    assert_eq!(reads[0]["ts"], "2026-11-01T10:00:00Z", "oldest first");
    assert_eq!(reads[0]["camera_id"], "C1");

    let gb = harness
        .get("/api/v1/history?plate=AB12CDE&country=gb")
        .await;
    assert_eq!(ids(&gb.json), ["h1", "h2"]);
    assert_eq!(gb.json["country"], "GB");

    let window = harness
        .get("/api/v1/history?plate=AB12CDE&from=2026-11-02T00:00:00Z&to=2026-11-03T12:00:00%2B01:00")
        .await;
    assert_eq!(ids(&window.json), ["h2", "h3"], "{}", window.text);
}

#[tokio::test]
async fn a_limit_keeps_the_most_recent_reads_and_says_so() {
    let harness = seeded().await;
    let limited = harness.get("/api/v1/history?plate=AB12CDE&limit=2").await;
    assert_eq!(limited.status, StatusCode::OK, "{}", limited.text);
    assert_eq!(ids(&limited.json), ["h2", "h3"]);
    assert_eq!(limited.json["n_reads"], 2);
    assert_eq!(limited.json["truncated"], true);
    let all = harness.get("/api/v1/history?plate=AB12CDE&limit=3").await;
    assert_eq!(all.json["truncated"], false);
}

#[tokio::test]
async fn wildcard_patterns_match_single_characters_and_runs() {
    let harness = seeded().await;
    let single = harness.get("/api/v1/history?plate=AB12%3FDE").await;
    assert_eq!(single.status, StatusCode::OK, "{}", single.text);
    assert_eq!(single.json["mode"], "wildcard");
    assert_eq!(ids(&single.json), ["h1", "h2", "h3", "h4"]);
    let suffix = harness
        .get("/api/v1/history?plate=*CDE&mode=wildcard&country=GB")
        .await;
    assert_eq!(
        ids(&suffix.json),
        ["h1", "h2", "h5", "h6"],
        "{}",
        suffix.text
    );
}

#[tokio::test]
async fn fuzzy_search_finds_misreads_ranked_by_likelihood() {
    let harness = seeded().await;
    let fuzzy = harness
        .get("/api/v1/history?plate=AB12CDE&country=GB&mode=fuzzy")
        .await;
    assert_eq!(fuzzy.status, StatusCode::OK, "{}", fuzzy.text);
    let found = ids(&fuzzy.json);
    assert!(found.contains(&"h1") && found.contains(&"h2"), "{found:?}");
    assert!(
        found.contains(&"h5"),
        "B/8 misread A812CDE is found: {found:?}"
    );
    assert!(!found.contains(&"h7"), "{found:?}");
    for read in fuzzy.json["reads"].as_array().expect("reads") {
        let likelihood = read["likelihood"]
            .as_f64()
            .expect("fuzzy reads carry a likelihood");
        assert!((0.0..=1.0).contains(&likelihood), "{likelihood}");
    }
}

#[tokio::test]
async fn bad_parameters_are_named() {
    let harness = seeded().await;
    let cases = [
        ("/api/v1/history", "plate"),
        ("/api/v1/history?plate=AB12CDE&mode=psychic", "mode"),
        ("/api/v1/history?plate=AB12CDE&limit=0", "limit"),
        ("/api/v1/history?plate=AB12CDE&from=monday", "from"),
        ("/api/v1/history?plate=AB12CDE&country=GBR", "country"),
        ("/api/v1/history?plate=AB%2312", "plate"),
        ("/api/v1/history?plate=AB*&mode=fuzzy", "plate"),
        (
            "/api/v1/history?plate=AB12CDE&from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z",
            "to",
        ),
    ];
    for (path, param) in cases {
        let reply = harness.get(path).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            reply.text
        );
        assert_eq!(reply.json["error"]["code"], "bad_param", "{path}");
        assert_eq!(
            reply.json["error"]["field"], param,
            "{path}: {}",
            reply.text
        );
    }
    let unknown = harness
        .get("/api/v1/history?plate=AB12CDE&colour=red")
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown.json["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("colour")
    );
}
