//! The approval workflow: pending, approve or deny, run once, all on the audit log.

use crate::fixtures::{NOW, principal, purpose};
use corridor_safeguards::approvals::{ApprovalQueue, Decision, RequestState, Submission};
use corridor_safeguards::audit::{AuditFilter, AuditLog};
use corridor_safeguards::{Action, Role, SafeguardsError, SearchScope};
use ed25519_dalek::SigningKey;

fn setup(dir: &std::path::Path) -> (ApprovalQueue, AuditLog) {
    let audit = AuditLog::open(&dir.join("audit"), SigningKey::from_bytes(&[1u8; 32]), 8).unwrap();
    (
        ApprovalQueue::open(&dir.join("approvals.json")).unwrap(),
        audit,
    )
}

fn submission() -> Submission {
    Submission {
        action: Action::ReadHistory,
        purpose: purpose("OP-TIDE/7"),
        scope: SearchScope {
            plates: vec!["AB*".into()],
            from: None,
            to: None,
            area: None,
        },
        query: serde_json::json!({ "pattern": "AB*" }),
        reasons: vec!["pattern `AB*` is an unbounded wildcard".into()],
    }
}

#[test]
fn approved_request_runs_once_and_every_step_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, audit) = setup(dir.path());
    let analyst = principal("ana", Role::Analyst);
    let supervisor = principal("sue", Role::Supervisor);
    let pending = queue.submit(&analyst, submission(), &audit, NOW).unwrap();
    assert_eq!(pending.state, RequestState::Pending);
    let err = queue.take_approved(&pending.id, &analyst, NOW).unwrap_err();
    assert!(
        err.to_string().contains("waiting for a supervisor"),
        "{err}"
    );
    let approved = queue
        .decide(
            &pending.id,
            &supervisor,
            Decision::Approve,
            "linked to crossings",
            &audit,
            NOW + 1,
        )
        .unwrap();
    assert!(matches!(approved.state, RequestState::Approved { ref by, .. } if by == "sue"));
    let taken = queue.take_approved(&pending.id, &analyst, NOW + 2).unwrap();
    assert_eq!(taken.query, serde_json::json!({ "pattern": "AB*" }));
    let again = queue
        .take_approved(&pending.id, &analyst, NOW + 3)
        .unwrap_err();
    assert!(matches!(again, SafeguardsError::Conflict(_)), "{again}");
    let actions: Vec<String> = audit
        .entries(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert_eq!(actions, vec!["read_history", "approve_request"]);
    // The queue survives a restart.
    let reopened = ApprovalQueue::open(&dir.path().join("approvals.json")).unwrap();
    assert!(matches!(
        reopened.get(&pending.id).unwrap().state,
        RequestState::Executed { .. }
    ));
}

#[test]
fn denied_request_never_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, audit) = setup(dir.path());
    let analyst = principal("ana", Role::Analyst);
    let pending = queue.submit(&analyst, submission(), &audit, NOW).unwrap();
    queue
        .decide(
            &pending.id,
            &principal("sue", Role::Supervisor),
            Decision::Deny,
            "not proportionate",
            &audit,
            NOW,
        )
        .unwrap();
    let err = queue.take_approved(&pending.id, &analyst, NOW).unwrap_err();
    assert!(
        err.to_string()
            .contains("denied by `sue`: not proportionate"),
        "{err}"
    );
}

#[test]
fn only_a_supervisor_other_than_the_requester_decides() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, audit) = setup(dir.path());
    let supervisor = principal("sue", Role::Supervisor);
    let own = queue
        .submit(&supervisor, submission(), &audit, NOW)
        .unwrap();
    let err = queue
        .decide(&own.id, &supervisor, Decision::Approve, "fine", &audit, NOW)
        .unwrap_err();
    assert!(
        err.to_string().contains("may not decide their own request"),
        "{err}"
    );
    let analyst = principal("ana", Role::Analyst);
    let theirs = queue.submit(&analyst, submission(), &audit, NOW).unwrap();
    let err = queue
        .decide(
            &theirs.id,
            &principal("bob", Role::Analyst),
            Decision::Approve,
            "fine",
            &audit,
            NOW,
        )
        .unwrap_err();
    assert!(matches!(err, SafeguardsError::Forbidden(_)), "{err}");
    let err = queue
        .take_approved(&theirs.id, &principal("bob", Role::Analyst), NOW)
        .unwrap_err();
    assert!(err.to_string().contains("belongs to `ana`"), "{err}");
}

#[test]
fn a_decided_request_cannot_be_decided_again() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, audit) = setup(dir.path());
    let pending = queue
        .submit(&principal("ana", Role::Analyst), submission(), &audit, NOW)
        .unwrap();
    let supervisor = principal("sue", Role::Supervisor);
    queue
        .decide(&pending.id, &supervisor, Decision::Deny, "no", &audit, NOW)
        .unwrap();
    let err = queue
        .decide(
            &pending.id,
            &supervisor,
            Decision::Approve,
            "yes after all",
            &audit,
            NOW,
        )
        .unwrap_err();
    assert!(matches!(err, SafeguardsError::Conflict(_)), "{err}");
}
