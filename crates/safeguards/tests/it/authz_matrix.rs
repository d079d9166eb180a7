//! Every cell of the permission matrix, generated from the table, plus the docs check.

use corridor_safeguards::authz::{
    Action, MATRIX, Role, authorize, is_allowed, render_matrix_markdown,
};
use corridor_safeguards::{Principal, SafeguardsError};

/// The matrix as the reviewers signed it off, written out cell by cell. If the
/// table in code changes, this test fails until this expectation is changed with it.
const EXPECTED: &[(Action, [bool; 6])] = &[
    //                          analyst operator supervisor partner auditor admin
    (Action::ReadHistory, [true, false, true, true, false, false]),
    (
        Action::RunAnalysis,
        [true, false, true, false, false, false],
    ),
    (
        Action::IngestReads,
        [false, true, false, false, false, false],
    ),
    (
        Action::ManageCameras,
        [false, true, false, false, false, true],
    ),
    (
        Action::ManageHotlists,
        [true, true, true, false, false, false],
    ),
    (Action::ViewAlerts, [true, true, true, false, false, false]),
    (
        Action::ApproveRequests,
        [false, false, true, false, false, false],
    ),
    (Action::ReadAudit, [false, false, true, false, true, false]),
    (
        Action::VerifyAudit,
        [false, false, false, false, true, true],
    ),
    (
        Action::ManageUsers,
        [false, false, false, false, false, true],
    ),
    (
        Action::ExportEvidence,
        [true, false, true, false, false, false],
    ),
    (
        Action::ViewTransparency,
        [false, false, true, false, true, true],
    ),
    (
        Action::PartnerMatch,
        [true, false, true, true, false, false],
    ),
];

#[test]
fn every_role_action_cell_is_allowed_or_denied_as_specified() {
    assert_eq!(
        EXPECTED.len(),
        Action::ALL.len(),
        "every action has an expectation"
    );
    let mut n_cells = 0;
    for (action, row) in EXPECTED {
        for (role, expected) in Role::ALL.into_iter().zip(row) {
            let principal = Principal::new("someone", role, "Kent Police");
            let decision = authorize(&principal, *action);
            assert_eq!(is_allowed(role, *action), *expected, "{role} × {action}");
            match (expected, decision) {
                (true, Ok(())) => {}
                (false, Err(SafeguardsError::Forbidden(message))) => {
                    assert!(
                        message.contains(role.as_str()) && message.contains(action.as_str()),
                        "{message}"
                    );
                }
                (expected, got) => {
                    panic!("{role} × {action}: expected allowed={expected}, got {got:?}")
                }
            }
            n_cells += 1;
        }
    }
    assert_eq!(n_cells, 13 * 6);
}

#[test]
fn matrix_lists_every_action_once() {
    for action in Action::ALL {
        assert_eq!(
            MATRIX.iter().filter(|row| row.action == action).count(),
            1,
            "{action}"
        );
    }
}

#[test]
fn admin_and_auditor_never_read_plate_data() {
    for role in [Role::Admin, Role::Auditor, Role::Operator] {
        assert!(!is_allowed(role, Action::ReadHistory), "{role}");
        assert!(!is_allowed(role, Action::RunAnalysis), "{role}");
        assert!(!is_allowed(role, Action::ExportEvidence), "{role}");
    }
}

const MATRIX_START: &str =
    "<!-- matrix:start (generated from corridor_safeguards::authz::MATRIX) -->\n";
const MATRIX_END: &str = "<!-- matrix:end -->";

/// `docs/safeguards.md` carries the matrix rendered from code. Run with
/// `UPDATE_DOCS=1 cargo test -p corridor-safeguards` to regenerate it.
#[test]
fn docs_matrix_matches_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/safeguards.md");
    let doc = std::fs::read_to_string(&path).expect("docs/safeguards.md exists");
    let start = doc
        .find(MATRIX_START)
        .expect("docs/safeguards.md has the matrix start marker")
        + MATRIX_START.len();
    let end = doc[start..]
        .find(MATRIX_END)
        .expect("docs/safeguards.md has the matrix end marker")
        + start;
    let rendered = render_matrix_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let updated = format!("{}{}{}", &doc[..start], rendered, &doc[end..]);
        std::fs::write(&path, updated).expect("docs/safeguards.md is writable");
        return;
    }
    assert_eq!(
        &doc[start..end],
        rendered,
        "docs/safeguards.md is out of date; run UPDATE_DOCS=1 cargo test -p corridor-safeguards"
    );
}
