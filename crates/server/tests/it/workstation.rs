//! The routes the analyst's workstation relies on, over real loopback HTTP: who the caller
//! is (`/api/v1/me`), approved analyses and evidence exports run by their requester, and an
//! evidence bundle downloaded as a tar file that verifies offline.

use crate::live::{LiveServer, recent_read};
use crate::safeguards::seed_both_cameras;
use corridor_safeguards::audit::{AuditFilter, OutcomeStatus};
use corridor_safeguards::evidence::verify_bundle;
use corridor_safeguards::{Action, MATRIX, Role, is_allowed};
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

/// Unpacks a downloaded bundle of the tests' case into a temporary directory; answers the
/// directory (removed when dropped) and the bundle's path in it.
fn unpack(tar_bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    tar::Archive::new(tar_bytes)
        .unpack(dir.path())
        .expect("unpacking the bundle");
    let bundle = dir.path().join("evidence-OP-TIDE-2026-0042");
    (dir, bundle)
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
    assert_eq!(
        ran.json["n_reads"], 4,
        "the old read is in the window: {}",
        ran.text
    );
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
    let (_dir, bundle) = unpack(&response.bytes().await.expect("the bundle"));
    let report = verify_bundle(&bundle, None, Some(&CaseAnalysis)).expect("the bundle verifies");
    assert_eq!(report.case_ref, "OP-TIDE/2026/0042");
    assert_eq!(report.analyses_reproduced, [CASE_ANALYSIS]);
    let reads_csv = std::fs::read_to_string(bundle.join("reads.csv")).expect("reads.csv");
    assert!(
        reads_csv.contains("c1-a") && reads_csv.contains("m1-a"),
        "{reads_csv}"
    );
    assert!(
        !reads_csv.contains("c1-old"),
        "outside the window: {reads_csv}"
    );
    let audit = std::fs::read_to_string(bundle.join("audit_extract.jsonl")).expect("audit");
    assert!(
        audit.contains("\"export_evidence\""),
        "the export itself is in the bundle's audit extract: {audit}"
    );
    assert!(
        !std::fs::read_dir(&server.data_dir)
            .expect("the data directory")
            .any(|entry| entry
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".evidence-")),
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
    let (_dir, bundle) = unpack(&ran.bytes().await.expect("the bundle"));
    let report = verify_bundle(&bundle, None, None).expect("the approved bundle verifies");
    assert!(
        report.analyses_reproduced.is_empty(),
        "no analysis was asked"
    );
    let reads_csv = std::fs::read_to_string(bundle.join("reads.csv")).expect("reads.csv");
    assert!(
        reads_csv.contains("c1-old") && reads_csv.contains("m1-a"),
        "the approved window reaches 300 days back: {reads_csv}"
    );
    let again = server
        .request("analyst", Method::POST, &run)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(again.status(), 409, "an approval runs once");
    let partner = server.post("partner", "/api/v1/evidence", body).await;
    assert_eq!(partner.status, 403, "{}", partner.text);
    let no_plates = server
        .post("analyst", "/api/v1/evidence", json!({"plates": []}))
        .await;
    assert_eq!(no_plates.status, 400, "{}", no_plates.text);
    assert_eq!(no_plates.json["error"]["field"], "plates");
}

/// Every role against the workstation's routes with well-formed requests: `me` for all,
/// the versions of an entry for `manage_hotlists`, an evidence export for
/// `export_evidence`; a refused export is on the audit log and no bundle is sent.
#[tokio::test(flavor = "multi_thread")]
async fn every_role_gets_versions_and_exports_as_the_matrix_says() {
    let server = LiveServer::start(Vec::new()).await;
    seed_reads(&server).await;
    let entry = json!({"plate": "AB12CDE", "country": "GB", "reason": "stolen",
        "handling": "observe", "sharing": "national"});
    let created = server.post("analyst", "/api/v1/hotlist", entry).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let versions_path = format!("/api/v1/hotlist/{}/versions", created.json["entry_id"]);
    for role in Role::ALL {
        let user = role.as_str();
        let me = server.get(user, "/api/v1/me").await;
        assert_eq!(me.status, 200, "{role}: {}", me.text);

        let versions = server.get(user, &versions_path).await;
        if is_allowed(role, Action::ManageHotlists) {
            assert_eq!(versions.status, 200, "{role}: {}", versions.text);
            assert_eq!(versions.json["n_entries"], 1, "{role}: {}", versions.text);
        } else {
            assert_eq!(versions.status, 403, "{role}: {}", versions.text);
            assert_eq!(versions.json["error"]["code"], "forbidden");
        }

        let export = server
            .request(user, Method::POST, "/api/v1/evidence")
            .json(&json!({"plates": ["AB12CDE"]}))
            .send()
            .await
            .expect("the server answers");
        let status = export.status().as_u16();
        let content_type = export.headers().get("content-type").cloned();
        if is_allowed(role, Action::ExportEvidence) {
            assert_eq!(status, 200, "{role}");
            assert_eq!(content_type.unwrap(), "application/x-tar", "{role}");
        } else {
            assert_eq!(status, 403, "{role}");
            assert_eq!(content_type.unwrap(), "application/json", "{role}");
        }
    }
    let exports = server
        .safeguards
        .audit()
        .entries(&AuditFilter {
            action: Some(Action::ExportEvidence.as_str().to_owned()),
            ..AuditFilter::default()
        })
        .expect("audit entries");
    let n_allowed = Role::ALL
        .into_iter()
        .filter(|role| is_allowed(*role, Action::ExportEvidence))
        .count();
    assert_eq!(
        exports.len(),
        Role::ALL.len(),
        "one entry per role: {exports:?}"
    );
    let n_ok = exports
        .iter()
        .filter(|entry| entry.outcome.status == OutcomeStatus::Ok)
        .count();
    assert_eq!(n_ok, n_allowed, "{exports:?}");
}
