//! Roles, actions and the one permission matrix that code, tests and docs all read.

use crate::auth::Principal;
use crate::error::{Result, SafeguardsError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user is allowed to be. One role per user; separation of duties is deliberate:
/// the admin who manages accounts cannot read plate data, the auditor who reads the
/// audit log cannot search.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Investigates cases: searches histories and runs analyses under a purpose.
    Analyst,
    /// Runs the camera estate and data feeds: ingest, cameras, alerts.
    Operator,
    /// Senior officer: everything an analyst does, plus approving over-scope requests.
    Supervisor,
    /// Another agency under a sharing agreement: sees only what the agreement allows.
    Partner,
    /// Oversight: reads and verifies the audit log and the transparency report.
    Auditor,
    /// Manages user accounts and tokens; sees no plate data.
    Admin,
}

impl Role {
    /// Every role, in matrix column order.
    pub const ALL: [Role; 6] = [
        Role::Analyst,
        Role::Operator,
        Role::Supervisor,
        Role::Partner,
        Role::Auditor,
        Role::Admin,
    ];

    /// The lower-case name used in configuration, tokens and the audit log.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
            Role::Partner => "partner",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// Parses a role name (any case).
    pub fn parse(raw: &str) -> Result<Role> {
        let wanted = raw.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == wanted)
            .ok_or_else(|| {
                SafeguardsError::invalid(
                    "role",
                    format!("`{raw}` is not one of analyst, operator, supervisor, partner, auditor, admin"),
                )
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something a principal asks to do. Every API endpoint maps to exactly one action.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Search a vehicle's history (exact, wildcard, fuzzy) or an area.
    ReadHistory,
    /// Run journeys, routes, hubs, convoys, clones, network analyses.
    RunAnalysis,
    /// Import or ingest plate reads.
    IngestReads,
    /// Add, change or remove cameras.
    ManageCameras,
    /// Add or remove hotlist entries.
    ManageHotlists,
    /// See and acknowledge hotlist alerts.
    ViewAlerts,
    /// Approve or deny an over-scope request.
    ApproveRequests,
    /// Read audit log entries.
    ReadAudit,
    /// Verify the audit log's hash chain and signatures.
    VerifyAudit,
    /// Create users, issue and revoke tokens.
    ManageUsers,
    /// Export a signed evidence bundle for a case.
    ExportEvidence,
    /// See the transparency report.
    ViewTransparency,
    /// Match a hotlist by pseudonyms or private set intersection.
    PartnerMatch,
}

impl Action {
    /// Every action, in matrix row order.
    pub const ALL: [Action; 13] = [
        Action::ReadHistory,
        Action::RunAnalysis,
        Action::IngestReads,
        Action::ManageCameras,
        Action::ManageHotlists,
        Action::ViewAlerts,
        Action::ApproveRequests,
        Action::ReadAudit,
        Action::VerifyAudit,
        Action::ManageUsers,
        Action::ExportEvidence,
        Action::ViewTransparency,
        Action::PartnerMatch,
    ];

    /// The snake-case name used in the audit log.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::ReadHistory => "read_history",
            Action::RunAnalysis => "run_analysis",
            Action::IngestReads => "ingest_reads",
            Action::ManageCameras => "manage_cameras",
            Action::ManageHotlists => "manage_hotlists",
            Action::ViewAlerts => "view_alerts",
            Action::ApproveRequests => "approve_requests",
            Action::ReadAudit => "read_audit",
            Action::VerifyAudit => "verify_audit",
            Action::ManageUsers => "manage_users",
            Action::ExportEvidence => "export_evidence",
            Action::ViewTransparency => "view_transparency",
            Action::PartnerMatch => "partner_match",
        }
    }

    /// Whether the action touches personal data and so needs a [`crate::Purpose`].
    pub fn needs_purpose(&self) -> bool {
        matches!(
            self,
            Action::ReadHistory | Action::RunAnalysis | Action::ExportEvidence
        )
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the permission matrix.
#[derive(Debug)]
pub struct MatrixRow {
    /// The action of this row.
    pub action: Action,
    /// The roles allowed to perform it; every other role is denied.
    pub allowed: &'static [Role],
    /// Why the row is as it is, rendered into the docs.
    pub note: &'static str,
}

use Role::{Admin, Analyst, Auditor, Operator, Partner, Supervisor};

/// The permission matrix: the single source of truth for who may do what.
///
/// `docs/safeguards.md` is rendered from this table by [`render_matrix_markdown`], and a
/// test fails when the two differ.
pub const MATRIX: &[MatrixRow] = &[
    MatrixRow {
        action: Action::ReadHistory,
        allowed: &[Analyst, Supervisor, Partner],
        note: "with a purpose; partners get reads filtered by their sharing agreement",
    },
    MatrixRow {
        action: Action::RunAnalysis,
        allowed: &[Analyst, Supervisor],
        note: "with a purpose; scope rules apply",
    },
    MatrixRow {
        action: Action::IngestReads,
        allowed: &[Operator],
        note: "camera feeds and imports",
    },
    MatrixRow {
        action: Action::ManageCameras,
        allowed: &[Operator, Admin],
        note: "camera registry",
    },
    MatrixRow {
        action: Action::ManageHotlists,
        allowed: &[Analyst, Operator, Supervisor],
        note: "ANPR bureau operators keep the lists; each entry carries a case reference",
    },
    MatrixRow {
        action: Action::ViewAlerts,
        allowed: &[Analyst, Operator, Supervisor],
        note: "view and acknowledge hotlist alerts",
    },
    MatrixRow {
        action: Action::ApproveRequests,
        allowed: &[Supervisor],
        note: "never one's own request",
    },
    MatrixRow {
        action: Action::ReadAudit,
        allowed: &[Supervisor, Auditor],
        note: "audit entries and auditor alerts",
    },
    MatrixRow {
        action: Action::VerifyAudit,
        allowed: &[Auditor, Admin],
        note: "hash chain and signed checkpoints",
    },
    MatrixRow {
        action: Action::ManageUsers,
        allowed: &[Admin],
        note: "users, roles, tokens; admins see no plate data",
    },
    MatrixRow {
        action: Action::ExportEvidence,
        allowed: &[Analyst, Supervisor],
        note: "with a purpose naming the case",
    },
    MatrixRow {
        action: Action::ViewTransparency,
        allowed: &[Supervisor, Auditor, Admin],
        note: "aggregate counts only",
    },
    MatrixRow {
        action: Action::PartnerMatch,
        allowed: &[Analyst, Supervisor, Partner],
        note: "pseudonyms or private set intersection under an agreement",
    },
];

/// Whether `role` may perform `action`, according to [`MATRIX`].
pub fn is_allowed(role: Role, action: Action) -> bool {
    MATRIX
        .iter()
        .find(|row| row.action == action)
        .is_some_and(|row| row.allowed.contains(&role))
}

/// Checks that a principal may perform an action; the error names both.
pub fn authorize(principal: &Principal, action: Action) -> Result<()> {
    if is_allowed(principal.role, action) {
        Ok(())
    } else {
        Err(SafeguardsError::Forbidden(format!(
            "user `{}` with role {} may not {}",
            principal.user, principal.role, action
        )))
    }
}

/// Renders [`MATRIX`] as a Markdown table (rows: actions, columns: roles).
pub fn render_matrix_markdown() -> String {
    let mut out = String::from("| action |");
    for role in Role::ALL {
        out.push_str(&format!(" {role} |"));
    }
    out.push_str(" note |\n| --- |");
    for _ in Role::ALL {
        out.push_str(" --- |");
    }
    out.push_str(" --- |\n");
    for row in MATRIX {
        out.push_str(&format!("| `{}` |", row.action));
        for role in Role::ALL {
            out.push_str(if row.allowed.contains(&role) {
                " yes |"
            } else {
                " no |"
            });
        }
        out.push_str(&format!(" {} |\n", row.note));
    }
    out
}
