//! The embedded web UI and the analyses it runs: `GET /` without a token, its assets, and
//! `POST /api/v1/analyses` behind the purpose gate (the whole report, or the seeds' convoy
//! partners alone).

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

#[tokio::test(flavor = "multi_thread")]
async fn a_convoy_search_answers_each_seeds_partners_from_the_store_and_audits_their_reads() {
    let server = LiveServer::start(Vec::new()).await;
    // Four cameras 5 km apart along a road near Calais.
    let line: Vec<serde_json::Value> = (0..4)
        .map(|idx| {
            json!({"camera_id": format!("L{idx}"), "name": format!("A16 {idx}"),
                   "lat": 50.80 + 0.045 * f64::from(idx), "lon": 1.65, "country": "FR",
                   "operator": "DIRNO", "kind": "fixed", "infrared": true})
        })
        .collect();
    let reply = server
        .send(
            "operator",
            reqwest::Method::PUT,
            "/api/v1/cameras",
            Some(json!(line)),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    // Over ten days: on two nights the van follows the car a minute behind along the line,
    // at 01:00 on one and 03:00 on the other; on the others the car drives it in the
    // morning and the van in the evening. (At one hour on both nights, the pair's habits
    // would explain it whenever both nights fell on days of one kind, weekdays or weekend:
    // each night, laid over the other, is a meeting at the same hour. Which they are
    // depends on the day the test runs.)
    let midnight = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let mut reads = Vec::new();
    for days_ago in 2..12i64 {
        let day = midnight - chrono::Duration::days(days_ago);
        let together = days_ago == 3 || days_ago == 8;
        for idx in 0..4i64 {
            let step = chrono::Duration::seconds(idx * 300);
            let (car, van) = if together {
                let secs = day + chrono::Duration::hours(if days_ago == 3 { 1 } else { 3 }) + step;
                (secs, secs + chrono::Duration::seconds(60))
            } else {
                (
                    day + chrono::Duration::hours(8) + step,
                    day + chrono::Duration::hours(17) + step,
                )
            };
            for (id, plate, ts) in [("c", "AB12CDE", car), ("v", "GH45JKL", van)] {
                reads.push(json!({
                    "read_id": format!("{id}-{days_ago}-{idx}"), "plate": plate, "country": "GB",
                    "camera_id": format!("L{idx}"),
                    "ts": ts.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "make": "Ford", "model": "Transit", "colour": "white", "vehicle_type": "van"
                }));
            }
        }
    }
    let reply = server.post("operator", "/api/v1/reads", json!(reads)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    let found = server
        .post(
            "analyst",
            "/api/v1/analyses",
            json!({"seeds": ["AB12CDE", "ZZ99ZZZ"], "search": "convoys"}),
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.json["search"], "convoys", "{}", found.text);
    let searches = found.json["convoys_of"].as_array().expect("one per seed");
    assert_eq!(searches.len(), 2, "{}", found.text);
    assert_eq!(searches[0]["plate"], "AB12CDE");
    let convoys = searches[0]["convoys"].as_array().expect("convoys");
    assert_eq!(convoys.len(), 1, "{}", found.text);
    assert_eq!(convoys[0]["plates"], json!(["AB12CDE", "GH45JKL"]));
    assert_eq!(convoys[0]["occasions"], 2);
    let mut cited: Vec<String> = convoys[0]["read_ids"]
        .as_array()
        .expect("read ids")
        .iter()
        .map(|id| id.as_str().expect("a string").to_owned())
        .collect();
    cited.sort();
    assert!(
        cited
            .iter()
            .all(|id| id.contains("-3-") || id.contains("-8-")),
        "only the two nights together are cited: {cited:?}"
    );
    assert_eq!(cited.len(), 16, "{cited:?}");
    // The cited reads come with the answer, as the cameras read them.
    let reads = searches[0]["reads"].as_array().expect("the cited reads");
    let mut listed: Vec<String> = reads
        .iter()
        .map(|read| read["read_id"].as_str().expect("a read id").to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, cited);
    assert!(reads.iter().all(|read| {
        let plate = read["plate"].as_str().expect("a plate");
        (plate == "AB12CDE" || plate == "GH45JKL") && read["camera_id"].is_string()
    }));
    // Control: a plate never read has no partners.
    assert_eq!(searches[1]["n_reads"], 0, "{}", found.text);
    assert_eq!(searches[1]["convoys"], json!([]), "{}", found.text);

    let entries = server
        .safeguards
        .audit()
        .entries(&corridor_safeguards::audit::AuditFilter::default())
        .expect("reading the audit log");
    let search = entries
        .iter()
        .rfind(|entry| entry.action == "run_analysis" && entry.who.user == "analyst")
        .expect("the search is on record");
    let mut audited = search.outcome.read_ids.clone();
    audited.sort();
    assert_eq!(audited, cited, "the cited reads are on record");

    let bad = server
        .post(
            "analyst",
            "/api/v1/analyses",
            json!({"seeds": ["AB12CDE"], "search": "everything"}),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
}
