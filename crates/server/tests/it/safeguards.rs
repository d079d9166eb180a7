//! The safeguards through the HTTP API, over real loopback HTTP: every role against every
//! endpoint, partners' agreements, purpose control with approval, and the audit log.

use crate::live::{LiveServer, recent_read};
use corridor_safeguards::audit::{AuditFilter, verify};
use corridor_safeguards::{Action, Role, is_allowed};
use reqwest::Method;
use serde_json::{Value, json};

/// What a route of the OpenAPI document demands, read from the document itself.
#[derive(Debug)]
enum Demand {
    Nothing,
    Token,
    Action(Action),
}

/// Every operation of the served OpenAPI document: (method, path, demand).
async fn operations(server: &LiveServer) -> Vec<(Method, String, Demand)> {
    let document = server.get("auditor", "/api/v1/openapi.json").await;
    assert_eq!(document.status, 200, "{}", document.text);
    let mut operations = Vec::new();
    for (path, item) in document.json["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let demand = if operation["security"] == json!([]) {
                Demand::Nothing
            } else if let Some(action) = operation["x-corridor-action"].as_str() {
                let action = Action::ALL
                    .into_iter()
                    .find(|known| known.as_str() == action)
                    .unwrap_or_else(|| panic!("unknown action {action}"));
                Demand::Action(action)
            } else {
                Demand::Token
            };
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            operations.push((method, path.replace("{id}", "1"), demand));
        }
    }
    operations
}

/// Sends an empty-bodied request and returns only the status (an SSE stream is not read).
async fn status_of(server: &LiveServer, user: &str, method: &Method, path: &str) -> u16 {
    let mut request = server.request(user, method.clone(), path);
    if matches!(*method, Method::POST | Method::PUT) {
        request = request.json(&json!({}));
    }
    request
        .send()
        .await
        .expect("the server answers")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_role_against_every_endpoint_gets_what_the_matrix_says() {
    let server = LiveServer::start(Vec::new()).await;
    let operations = operations(&server).await;
    assert!(operations.len() >= 20, "{operations:?}");
    let mut n_checked = 0;
    for (method, path, demand) in &operations {
        let anonymous = status_of(&server, "", method, path).await;
        match demand {
            Demand::Nothing => assert_ne!(anonymous, 401, "{method} {path}"),
            _ => assert_eq!(anonymous, 401, "{method} {path} without a token"),
        }
        for role in Role::ALL {
            let status = status_of(&server, role.as_str(), method, path).await;
            let allowed = match demand {
                Demand::Nothing | Demand::Token => true,
                Demand::Action(action) => is_allowed(role, *action),
            };
            if allowed {
                assert!(
                    status != 401 && status != 403,
                    "{role} may {method} {path} ({demand:?}) but got {status}"
                );
            } else {
                assert_eq!(status, 403, "{role} may not {method} {path} ({demand:?})");
            }
            n_checked += 1;
        }
    }
    assert_eq!(n_checked, operations.len() * Role::ALL.len());
    let refusal = server.post("partner", "/api/v1/reads", json!([])).await;
    assert_eq!(
        refusal.json["error"]["code"], "forbidden",
        "{}",
        refusal.text
    );
    let unknown = server
        .http_get_with_token("crd_not-a-token", "/api/v1/cameras")
        .await;
    assert_eq!(unknown.status, 401);
    assert_eq!(unknown.json["error"]["code"], "unauthenticated");
}

/// Ingests reads `c1-a`, `c1-b` (camera `C1`) and `m1-a` (camera `M1`) of `AB12CDE`.
pub(crate) async fn seed_both_cameras(server: &LiveServer) {
    let batch = json!([
        recent_read("c1-a", "AB12CDE", "C1", 2),
        recent_read("c1-b", "AB12CDE", "C1", 1),
        recent_read("m1-a", "AB12CDE", "M1", 1),
    ]);
    let reply = server.post("operator", "/api/v1/reads", batch).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

fn field_names(read: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = read
        .as_object()
        .expect("a read")
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names
}

fn reads(reply: &Value) -> &Vec<Value> {
    reply["reads"].as_array().expect("reads")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partner_sees_only_its_agreement_through_the_api() {
    let server = LiveServer::start(Vec::new()).await;
    seed_both_cameras(&server).await;
    let path = "/api/v1/history?plate=AB12CDE";

    let analyst = server.get("analyst", path).await;
    assert_eq!(analyst.status, 200, "{}", analyst.text);
    assert_eq!(reads(&analyst.json).len(), 3);
    assert_eq!(reads(&analyst.json)[0]["make"], "Ford");

    let dutch = server.get("partner", path).await;
    assert_eq!(dutch.status, 200, "{}", dutch.text);
    assert_eq!(
        reads(&dutch.json).len(),
        2,
        "only camera C1: {}",
        dutch.text
    );
    for read in reads(&dutch.json) {
        let mut fields: Vec<&str> = read
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        assert_eq!(fields, ["camera_id", "plate", "ts"], "{read}");
        assert_eq!(read["camera_id"], "C1");
    }

    let french = server.get("partner-fr", path).await;
    assert_eq!(french.status, 200, "{}", french.text);
    assert_eq!(
        reads(&french.json).len(),
        1,
        "only camera M1: {}",
        french.text
    );
    assert_eq!(
        field_names(&reads(&french.json)[0]),
        ["plate", "read_id", "ts"]
    );
    assert_eq!(reads(&french.json)[0]["read_id"], "m1-a");

    let mallory = server.get("partner-mallory", path).await;
    assert_eq!(
        mallory.status, 403,
        "another agency's agreement: {}",
        mallory.text
    );
    assert!(!mallory.text.contains("m1-a"), "{}", mallory.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hits_only_partner_sees_only_reads_that_hit_its_own_hotlist() {
    let server = LiveServer::start(Vec::new()).await;
    let entry = json!({"plate": "AB12CDE", "country": "GB", "reason": "smuggling",
                       "agency": "BelPol", "sharing": "international"});
    let reply = server.post("analyst", "/api/v1/hotlist", entry).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    seed_both_cameras(&server).await;
    let other = json!([recent_read("other", "XY99ZZZ", "C1", 1)]);
    let reply = server.post("operator", "/api/v1/reads", other).await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    let hits = server
        .get("partner-be", "/api/v1/history?plate=AB12CDE")
        .await;
    assert_eq!(hits.status, 200, "{}", hits.text);
    assert_eq!(reads(&hits.json).len(), 3, "{}", hits.text);
    assert_eq!(field_names(&reads(&hits.json)[0]), ["plate", "read_id"]);
    let misses = server
        .get("partner-be", "/api/v1/history?plate=XY99ZZZ")
        .await;
    assert_eq!(
        reads(&misses.json).len(),
        0,
        "not on its hotlist: {}",
        misses.text
    );
    let analyst = server.get("analyst", "/api/v1/history?plate=XY99ZZZ").await;
    assert_eq!(reads(&analyst.json).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_search_without_purpose_is_refused_and_an_over_scope_one_waits_for_a_supervisor() {
    let server = LiveServer::start(Vec::new()).await;
    seed_both_cameras(&server).await;

    let no_purpose = server
        .http_get_with_token(server.token("analyst"), "/api/v1/history?plate=AB12CDE")
        .await;
    assert_eq!(no_purpose.status, 403, "{}", no_purpose.text);
    assert_eq!(no_purpose.json["error"]["code"], "purpose_refused");
    assert!(no_purpose.text.contains("purpose"), "{}", no_purpose.text);

    let from = (chrono::Utc::now() - chrono::Duration::days(200)).format("%Y-%m-%dT00:00:00Z");
    let path = format!("/api/v1/history?plate=AB12CDE&from={from}");
    let pending = server.get("analyst", &path).await;
    assert_eq!(pending.status, 202, "{}", pending.text);
    assert_eq!(pending.json["status"], "pending");
    let approval_id = pending.json["approval_id"].as_str().expect("approval_id");
    let run = format!("/api/v1/approvals/{approval_id}/run");
    let decision = format!("/api/v1/approvals/{approval_id}/decision");

    let early = server.post("analyst", &run, json!({})).await;
    assert_eq!(early.status, 409, "not approved yet: {}", early.text);
    let by_analyst = server
        .post(
            "analyst",
            &decision,
            json!({"decision": "approve", "note": "mine"}),
        )
        .await;
    assert_eq!(by_analyst.status, 403, "{}", by_analyst.text);
    let listed = server.get("supervisor", "/api/v1/approvals").await;
    assert_eq!(listed.json["approvals"][0]["approval_id"], approval_id);

    let approved = server
        .post(
            "supervisor",
            &decision,
            json!({"decision": "approve", "note": "linked to the Coquelles network"}),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.json["status"], "approved");
    assert_eq!(approved.json["decided_by"], "supervisor");

    let ran = server.post("analyst", &run, json!({})).await;
    assert_eq!(ran.status, 200, "{}", ran.text);
    assert_eq!(reads(&ran.json).len(), 3);
    let again = server.post("analyst", &run, json!({})).await;
    assert_eq!(again.status, 409, "an approval runs once: {}", again.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_history_request_is_in_the_audit_log_which_verifies() {
    let server = LiveServer::start(Vec::new()).await;
    seed_both_cameras(&server).await;
    let reply = server.get("analyst", "/api/v1/history?plate=AB12CDE").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let refused = server
        .get("operator", "/api/v1/history?plate=AB12CDE")
        .await;
    assert_eq!(refused.status, 403);

    let report = verify(server.audit_dir(), &server.safeguards.audit().public_key())
        .expect("the audit log verifies");
    assert!(report.n_entries >= 2, "{report:?}");
    let entries = server
        .safeguards
        .audit()
        .entries(&AuditFilter::default())
        .expect("reading the audit log");
    let search = entries
        .iter()
        .find(|entry| entry.action == "read_history" && entry.who.user == "analyst")
        .expect("the search is on record");
    assert_eq!(
        search.why.as_ref().expect("a purpose").case_ref,
        "OP-TIDE/2026/0042"
    );
    let mut read_ids = search.outcome.read_ids.clone();
    read_ids.sort();
    assert_eq!(read_ids, ["c1-a", "c1-b", "m1-a"]);
    assert!(
        entries
            .iter()
            .any(|entry| entry.who.user == "operator" && entry.action == "read_history"),
        "the refused attempt is on record too"
    );
    assert!(server.data_dir.join("audit").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_auditor_lists_the_audit_log_newest_first_and_verifies_it() {
    let server = LiveServer::start(Vec::new()).await;
    seed_both_cameras(&server).await;
    let search = server.get("analyst", "/api/v1/history?plate=AB12CDE").await;
    assert_eq!(search.status, 200, "{}", search.text);

    let refused = server.get("analyst", "/api/v1/audit").await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.json["error"]["code"], "forbidden");
    let refused = server.get("analyst", "/api/v1/audit/verify").await;
    assert_eq!(refused.status, 403, "{}", refused.text);

    let listed = server
        .get("auditor", "/api/v1/audit?user=analyst&action=read_history")
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let entries = listed.json["entries"].as_array().expect("entries");
    let first = &entries[0];
    assert_eq!(first["user"], "analyst");
    assert_eq!(first["role"], "analyst");
    assert_eq!(first["case_ref"], "OP-TIDE/2026/0042");
    assert_eq!(first["outcome"], "ok");
    assert_eq!(first["n_results"], 3);
    let by_case = server
        .get("auditor", "/api/v1/audit?case=OP-TIDE/2026/0042")
        .await;
    assert_eq!(by_case.status, 200, "{}", by_case.text);
    assert!(by_case.json["n_entries"].as_u64() >= Some(1));

    // Paging: newest first, one at a time, without gaps or repeats.
    let mut seqs = Vec::new();
    let mut path = "/api/v1/audit?limit=1".to_owned();
    loop {
        let page = server.get("auditor", &path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        seqs.extend(
            page.json["entries"]
                .as_array()
                .expect("entries")
                .iter()
                .map(|entry| entry["seq"].as_u64().expect("seq")),
        );
        match page.json["next_before"].as_u64() {
            Some(before) => path = format!("/api/v1/audit?limit=1&before={before}"),
            None => break,
        }
    }
    assert!(seqs.len() >= 3, "{seqs:?}");
    assert!(
        seqs.windows(2).all(|pair| pair[0] == pair[1] + 1),
        "{seqs:?}"
    );

    let bad = server.get("auditor", "/api/v1/audit?from=yesterday").await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert!(bad.text.contains("from"), "{}", bad.text);

    let verified = server.get("auditor", "/api/v1/audit/verify").await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.json["ok"], true, "{}", verified.text);
    assert!(verified.json["report"]["n_entries"].as_u64() >= Some(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pending_request_shows_its_purpose_and_scope_to_the_supervisor() {
    let server = LiveServer::start(Vec::new()).await;
    seed_both_cameras(&server).await;
    let from = (chrono::Utc::now() - chrono::Duration::days(200)).format("%Y-%m-%dT00:00:00Z");
    let pending = server
        .get(
            "analyst",
            &format!("/api/v1/history?plate=AB12CDE&from={from}"),
        )
        .await;
    assert_eq!(pending.status, 202, "{}", pending.text);
    let listed = server.get("supervisor", "/api/v1/approvals").await;
    let approval = &listed.json["approvals"][0];
    assert_eq!(approval["requester"], "analyst");
    assert_eq!(approval["offence"], "people_smuggling");
    assert!(
        approval["justification"]
            .as_str()
            .is_some_and(|text| !text.is_empty())
    );
    assert_eq!(approval["scope"]["plates"], json!(["AB12CDE"]));
    assert_eq!(approval["scope"]["from"], from.to_string());
}
