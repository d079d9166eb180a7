//! The `Safeguards` facade as the server uses it: authenticate, gate, record, approve.

use crate::fixtures::{DAY, NOW, principal, purpose};
use corridor_safeguards::approvals::Decision;
use corridor_safeguards::audit::{AuditFilter, Outcome, OutcomeStatus, verify};
use corridor_safeguards::auth::User;
use corridor_safeguards::keys::read_public_key;
use corridor_safeguards::{
    Action, Gate, Role, Safeguards, SafeguardsConfig, SafeguardsError, SearchScope,
};

fn scope(plates: &[&str], days_back: i64) -> SearchScope {
    SearchScope {
        plates: plates.iter().map(|plate| (*plate).to_owned()).collect(),
        from: Some(NOW - days_back * DAY),
        to: None,
        area: None,
    }
}

#[test]
fn token_header_authenticates_and_missing_header_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let safeguards = Safeguards::open(dir.path(), SafeguardsConfig::default()).unwrap();
    safeguards
        .users()
        .add_user(User {
            name: "ana".into(),
            role: Role::Analyst,
            agency: "Kent Police".into(),
            agreement: None,
            disabled: false,
        })
        .unwrap();
    let issued = safeguards
        .users()
        .issue_token("ana", "test", None, NOW)
        .unwrap();
    let principal = safeguards
        .authenticate(Some(&format!("Bearer {}", issued.secret)), NOW)
        .unwrap();
    assert_eq!(principal.user, "ana");
    assert!(matches!(
        safeguards.authenticate(None, NOW),
        Err(SafeguardsError::Unauthenticated(_))
    ));
    let err = safeguards
        .authenticate(Some("Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"), NOW)
        .unwrap_err();
    assert!(err.to_string().contains("unknown token"), "{err}");
}

#[test]
fn search_without_purpose_is_refused_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let safeguards = Safeguards::open(dir.path(), SafeguardsConfig::default()).unwrap();
    let analyst = principal("ana", Role::Analyst);
    let gate = safeguards
        .gate(
            &analyst,
            Action::ReadHistory,
            None,
            &scope(&["AB12CDE"], 7),
            serde_json::json!({"plate": "AB12CDE"}),
            NOW,
        )
        .unwrap();
    assert!(
        matches!(&gate, Gate::Refused { reasons } if reasons[0].contains("purpose")),
        "{gate:?}"
    );
    let entries = safeguards.audit().entries(&AuditFilter::default()).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].outcome.status, OutcomeStatus::Refused);
    assert_eq!(entries[0].action, "read_history");
}

#[test]
fn wrong_role_is_forbidden_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let safeguards = Safeguards::open(dir.path(), SafeguardsConfig::default()).unwrap();
    let admin = principal("root", Role::Admin);
    let err = safeguards
        .gate(
            &admin,
            Action::ReadHistory,
            Some(&purpose("OP-1")),
            &scope(&["AB12CDE"], 7),
            serde_json::json!({}),
            NOW,
        )
        .unwrap_err();
    assert!(matches!(err, SafeguardsError::Forbidden(_)), "{err}");
    let entries = safeguards.audit().entries(&AuditFilter::default()).unwrap();
    assert_eq!(entries[0].who.user, "root");
    assert_eq!(entries[0].outcome.status, OutcomeStatus::Refused);
}

#[test]
fn allowed_search_proceeds_and_its_result_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let safeguards = Safeguards::open(dir.path(), SafeguardsConfig::default()).unwrap();
    let analyst = principal("ana", Role::Analyst);
    let Gate::Proceed(ticket) = safeguards
        .gate(
            &analyst,
            Action::ReadHistory,
            Some(&purpose("OP-1")),
            &scope(&["AB12CDE"], 7),
            serde_json::json!({"plate": "AB12CDE"}),
            NOW,
        )
        .unwrap()
    else {
        panic!("a recent exact search proceeds")
    };
    let entry = safeguards
        .record_result(
            &ticket,
            Outcome::with_reads(OutcomeStatus::Ok, &["r-1", "r-2"]),
            NOW,
        )
        .unwrap();
    assert_eq!(entry.why.as_ref().unwrap().case_ref, "OP-1");
    assert_eq!(entry.what["scope"]["plates"][0], "AB12CDE");
    assert_eq!(entry.outcome.n_results, 2);
}

#[test]
fn over_scope_search_waits_for_approval_then_runs_once() {
    let dir = tempfile::tempdir().unwrap();
    let safeguards = Safeguards::open(dir.path(), SafeguardsConfig::default()).unwrap();
    let analyst = principal("ana", Role::Analyst);
    let Gate::Pending(pending) = safeguards
        .gate(
            &analyst,
            Action::ReadHistory,
            Some(&purpose("OP-1")),
            &scope(&["AB12CDE"], 200),
            serde_json::json!({"plate": "AB12CDE"}),
            NOW,
        )
        .unwrap()
    else {
        panic!("a 200-day search needs approval")
    };
    assert!(
        pending.reasons[0].contains("older than 90 days"),
        "{:?}",
        pending.reasons
    );
    let err = safeguards
        .run_approved(&analyst, &pending.id, NOW)
        .unwrap_err();
    assert!(
        err.to_string().contains("waiting for a supervisor"),
        "{err}"
    );
    safeguards
        .decide(
            &principal("sue", Role::Supervisor),
            &pending.id,
            Decision::Approve,
            "serious and specific",
            NOW + 1,
        )
        .unwrap();
    let ticket = safeguards
        .run_approved(&analyst, &pending.id, NOW + 2)
        .unwrap();
    assert_eq!(ticket.request_id.as_deref(), Some(pending.id.as_str()));
    safeguards
        .record_result(
            &ticket,
            Outcome::with_reads(OutcomeStatus::Ok, &["r-9"]),
            NOW + 2,
        )
        .unwrap();
    assert!(
        safeguards
            .run_approved(&analyst, &pending.id, NOW + 3)
            .is_err(),
        "runs once"
    );
    let statuses: Vec<OutcomeStatus> = safeguards
        .audit()
        .entries(&AuditFilter::default())
        .unwrap()
        .iter()
        .map(|entry| entry.outcome.status)
        .collect();
    assert_eq!(
        statuses,
        vec![
            OutcomeStatus::Pending,
            OutcomeStatus::Approved,
            OutcomeStatus::Ok
        ]
    );
}

#[test]
fn reopening_verifies_the_log_and_exports_the_public_key() {
    let dir = tempfile::tempdir().unwrap();
    {
        let safeguards = Safeguards::open(dir.path(), SafeguardsConfig::default()).unwrap();
        safeguards
            .record(
                &principal("op", Role::Operator),
                "ingest_reads",
                serde_json::json!({"file": "reads.csv"}),
                Outcome::with_count(OutcomeStatus::Ok, 120),
                NOW,
            )
            .unwrap();
    }
    let safeguards = Safeguards::open(dir.path(), SafeguardsConfig::default()).unwrap();
    let public_key = read_public_key(&safeguards.paths().audit_public_key).unwrap();
    assert_eq!(public_key, safeguards.audit().public_key());
    assert_eq!(
        verify(&safeguards.paths().audit_dir, &public_key)
            .unwrap()
            .n_entries,
        1
    );
}

#[test]
fn query_pattern_alerts_reach_auditors_through_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let safeguards = Safeguards::open(dir.path(), SafeguardsConfig::default()).unwrap();
    let eve = principal("eve", Role::Analyst);
    for attempt in 0..3 {
        let gate = safeguards
            .gate(
                &eve,
                Action::ReadHistory,
                None,
                &scope(&["XY99ZZZ"], 7),
                serde_json::json!({}),
                NOW + attempt,
            )
            .unwrap();
        assert!(matches!(gate, Gate::Refused { .. }));
    }
    let alerts = safeguards.auditor_alerts().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].user, "eve");
}
