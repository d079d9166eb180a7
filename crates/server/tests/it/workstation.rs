//! The routes the analyst's workstation relies on, over real loopback HTTP: who the caller
//! is (`/api/v1/me`), approved analyses and evidence exports run by their requester, and an
//! evidence bundle downloaded as a tar file that verifies offline.

use crate::live::{LiveServer, recent_read};
use crate::safeguards::seed_both_cameras;
use corridor_safeguards::evidence::verify_bundle;
use corridor_safeguards::{MATRIX, Role};
use corridor_server::evidence::{CASE_ANALYSIS, CaseAnalysis};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn me_names_the_caller_and_exactly_the_actions_the_matrix_gives_its_role() {
    let server = LiveServer::start(Vec::new()).await;
    for role in Role::ALL {
        let me = server.get(role.as_str(), "/api/v1/me").await;
        assert_eq!(me.status, 200, "{role}: {}", me.text);
        assert_eq!(me.json["user"], role.as_str());
        assert_eq!(me.json["role"], role.as_str());
        let expected: Vec<&str> = MATRIX
            .iter()
            .filter(|row| row.allowed.contains(&role))
            .map(|row| row.action.as_str())
            .collect();
        assert_eq!(me.json["actions"], json!(expected), "{role}");
    }
    let partner = server.get("partner", "/api/v1/me").await;
    assert_eq!(partner.json["agency"], "KMar");
    assert_eq!(partner.json["agreement"], "nl-kmar");
    let anonymous = server.get("", "/api/v1/me").await;
    assert_eq!(anonymous.status, 401);
}

/// Reads of `AB12CDE` at both cameras, and `c1-old` 200 days ago (over scope without approval).
async fn seed_reads(server: &LiveServer) {
    seed_both_cameras(server).await;
    let old = json!([recent_read("c1-old", "AB12CDE", "C1", 200)]);
    let reply = server.post("operator", "/api/v1/reads", old).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

/// Asks as the analyst, expects a 202, has the supervisor approve it and returns the run path.
async fn approved(server: &LiveServer, path: &str, body: Value) -> String {
    let pending = server.post("analyst", path, body).await;
    assert_eq!(pending.status, 202, "{}", pending.text);
    let approval_id = pending.json["approval_id"].as_str().expect("approval_id");
    let decision = format!("/api/v1/approvals/{approval_id}/decision");
    let note = json!({"decision": "approve", "note": "linked to the Coquelles network"});
    let approved = server.post("supervisor", &decision, note).await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    format!("/api/v1/approvals/{approval_id}/run")
}

fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%Y-%m-%dT00:00:00Z")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_over_scope_analysis_waits_and_its_requester_runs_it_once_approved() {
    let server = LiveServer::start(Vec::new()).await;
    seed_reads(&server).await;
    let body = json!({"seeds": ["AB12CDE"], "from": days_ago(300)});
    let run = approved(&server, "/api/v1/analyses", body).await;
    let ran = server.post("analyst", &run, json!({})).await;
    assert_eq!(ran.status, 200, "{}", ran.text);
    assert_eq!(ran.json["seeds"], json!(["AB12CDE"]), "{}", ran.text);
    assert_eq!(ran.json["n_reads"], 4, "the old read is in the window: {}", ran.text);
    let again = server.post("analyst", &run, json!({})).await;
    assert_eq!(again.status, 409, "an approval runs once: {}", again.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_evidence_bundle_downloads_as_a_tar_file_that_verifies_offline() {
    let server = LiveServer::start(Vec::new()).await;
    seed_reads(&server).await;
    let response = server
        .request("analyst", Method::POST, "/api/v1/evidence")
        .json(&json!({"plates": ["AB12CDE"], "analyse": true}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-tar");
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert_eq!(
        disposition,
        "attachment; filename=\"evidence-OP-TIDE-2026-0042.tar\""
    );
    let tar_bytes = response.bytes().await.expect("the bundle");
    let dir = tempfile::tempdir().expect("temporary directory");
    tar::Archive::new(&tar_bytes[..])
        .unpack(dir.path())
        .expect("unpacking the bundle");
    let bundle = dir.path().join("evidence-OP-TIDE-2026-0042");
    let report = verify_bundle(&bundle, None, Some(&CaseAnalysis)).expect("the bundle verifies");
    assert_eq!(report.case_ref, "OP-TIDE/2026/0042");
    assert_eq!(report.analyses_reproduced, [CASE_ANALYSIS]);
    let reads_csv = std::fs::read_to_string(bundle.join("reads.csv")).expect("reads.csv");
    assert!(reads_csv.contains("c1-a") && reads_csv.contains("m1-a"), "{reads_csv}");
    assert!(!reads_csv.contains("c1-old"), "outside the window: {reads_csv}");
    let audit = std::fs::read_to_string(bundle.join("audit_extract.jsonl")).expect("audit");
    assert!(
        audit.contains("\"export_evidence\""),
        "the export itself is in the bundle's audit extract: {audit}"
    );
    assert!(
        !std::fs::read_dir(&server.data_dir)
            .expect("the data directory")
            .any(|entry| entry.unwrap().file_name().to_string_lossy().starts_with(".evidence-")),
        "the scratch directory is gone"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_over_scope_export_waits_and_runs_once_approved_and_a_partner_may_not_export() {
    let server = LiveServer::start(Vec::new()).await;
    seed_reads(&server).await;
    let body = json!({"plates": ["AB12CDE"], "from": days_ago(300)});
    let run = approved(&server, "/api/v1/evidence", body.clone()).await;
    let ran = server
        .request("analyst", Method::POST, &run)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(ran.status(), 200);
    assert_eq!(ran.headers()["content-type"], "application/x-tar");
    let tar_bytes = ran.bytes().await.expect("the bundle");
    let mut archive = tar::Archive::new(&tar_bytes[..]);
    let names: Vec<String> = archive
        .entries()
        .expect("tar entries")
        .map(|entry| entry.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(
        names.contains(&"evidence-OP-TIDE-2026-0042/reads.csv".to_owned()),
        "{names:?}"
    );
    let partner = server.post("partner", "/api/v1/evidence", body).await;
    assert_eq!(partner.status, 403, "{}", partner.text);
    let no_plates = server
        .post("analyst", "/api/v1/evidence", json!({"plates": []}))
        .await;
    assert_eq!(no_plates.status, 400, "{}", no_plates.text);
    assert_eq!(no_plates.json["error"]["field"], "plates");
}
