//! The approval workflow: over-scope requests wait, pending, until a supervisor approves
//! or denies them; every step is written to the audit log.

use crate::audit::{AuditLog, AuditRecord, Outcome, OutcomeStatus};
use crate::auth::Principal;
use crate::authz::{Action, Role, authorize};
use crate::error::{Result, SafeguardsError};
use crate::purpose::{Purpose, SearchScope};
use crate::util;
use corridor_domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where a request stands.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RequestState {
    /// Waiting for a supervisor.
    Pending,
    /// Approved; the requester may now run it once.
    Approved {
        by: String,
        at: Timestamp,
        note: String,
    },
    /// Denied; it will never run.
    Denied {
        by: String,
        at: Timestamp,
        note: String,
    },
    /// Approved and run.
    Executed { approved_by: String, at: Timestamp },
}

/// A request stored for approval, with everything needed to run it later.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct PendingRequest {
    /// `req-` followed by 16 hex digits.
    pub id: String,
    /// Who asked.
    pub requester: Principal,
    /// What they asked to do.
    pub action: Action,
    /// Why.
    pub purpose: Purpose,
    /// What it would touch.
    pub scope: SearchScope,
    /// The request as the API received it, to run once approved.
    pub query: serde_json::Value,
    /// The scope rules it exceeded.
    pub reasons: Vec<String>,
    /// When it was submitted.
    pub created: Timestamp,
    /// Where it stands.
    pub state: RequestState,
}

/// The queue of over-scope requests, persisted in one JSON file (rewritten atomically).
#[derive(Debug)]
pub struct ApprovalQueue {
    path: PathBuf,
    requests: Mutex<Vec<PendingRequest>>,
}

/// What a supervisor decides.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Let it run.
    Approve,
    /// Never run it.
    Deny,
}

/// A submission to the queue.
#[derive(Clone, PartialEq, Debug)]
pub struct Submission {
    /// What is asked.
    pub action: Action,
    /// Why.
    pub purpose: Purpose,
    /// What it would touch.
    pub scope: SearchScope,
    /// The request as received.
    pub query: serde_json::Value,
    /// The scope rules it exceeded.
    pub reasons: Vec<String>,
}

impl ApprovalQueue {
    /// Opens the queue stored at `path` (empty if the file does not exist).
    pub fn open(path: &Path) -> Result<ApprovalQueue> {
        let requests = util::read_json_opt(path)?.unwrap_or_default();
        Ok(ApprovalQueue {
            path: path.to_owned(),
            requests: Mutex::new(requests),
        })
    }

    /// Stores a request pending approval and records it in the audit log.
    pub fn submit(
        &self,
        requester: &Principal,
        submission: Submission,
        audit: &AuditLog,
        now: Timestamp,
    ) -> Result<PendingRequest> {
        authorize(requester, submission.action)?;
        submission.purpose.validate()?;
        let request = PendingRequest {
            id: format!("req-{}", hex::encode(util::random_bytes::<8>())),
            requester: requester.clone(),
            action: submission.action,
            purpose: submission.purpose,
            scope: submission.scope,
            query: submission.query,
            reasons: submission.reasons,
            created: now,
            state: RequestState::Pending,
        };
        // The audit record is written first: a request that is not on record never waits.
        let mut requests = self.lock();
        audit.append_at(
            AuditRecord {
                who: requester.clone(),
                action: request.action.as_str().to_owned(),
                why: Some(request.purpose.clone()),
                what: serde_json::json!({
                    "request_id": request.id,
                    "scope": request.scope,
                    "query": request.query,
                    "needs_approval": request.reasons,
                }),
                outcome: Outcome::status(OutcomeStatus::Pending),
            },
            now,
        )?;
        requests.push(request.clone());
        util::write_json(&self.path, &*requests)?;
        Ok(request)
    }

    /// A supervisor approves or denies a pending request; recorded in the audit log.
    ///
    /// Nobody approves their own request, and a decided request cannot be decided again.
    pub fn decide(
        &self,
        id: &str,
        supervisor: &Principal,
        decision: Decision,
        note: &str,
        audit: &AuditLog,
        now: Timestamp,
    ) -> Result<PendingRequest> {
        authorize(supervisor, Action::ApproveRequests)?;
        if note.trim().is_empty() {
            return Err(SafeguardsError::invalid(
                "note",
                "a decision needs a reason",
            ));
        }
        let mut requests = self.lock();
        let request = find_mut(&mut requests, id)?;
        if request.requester.user == supervisor.user {
            return Err(SafeguardsError::Forbidden(format!(
                "`{}` may not decide their own request {id}",
                supervisor.user
            )));
        }
        if request.state != RequestState::Pending {
            return Err(SafeguardsError::Conflict(format!(
                "request {id} is no longer pending: {:?}",
                request.state
            )));
        }
        let (state, status, action) = match decision {
            Decision::Approve => (
                RequestState::Approved {
                    by: supervisor.user.clone(),
                    at: now,
                    note: note.to_owned(),
                },
                OutcomeStatus::Approved,
                "approve_request",
            ),
            Decision::Deny => (
                RequestState::Denied {
                    by: supervisor.user.clone(),
                    at: now,
                    note: note.to_owned(),
                },
                OutcomeStatus::Denied,
                "deny_request",
            ),
        };
        let mut decided = request.clone();
        decided.state = state;
        audit.append_at(
            AuditRecord {
                who: supervisor.clone(),
                action: action.to_owned(),
                why: Some(decided.purpose.clone()),
                what: serde_json::json!({
                    "request_id": decided.id,
                    "requester": decided.requester.user,
                    "note": note,
                }),
                outcome: Outcome::status(status),
            },
            now,
        )?;
        request.state = decided.state.clone();
        util::write_json(&self.path, &*requests)?;
        Ok(decided)
    }

    /// Hands an approved request to its requester to run, once; it becomes `Executed`.
    ///
    /// The caller runs the query and records its result in the audit log, naming the
    /// request id.
    pub fn take_approved(
        &self,
        id: &str,
        requester: &Principal,
        now: Timestamp,
    ) -> Result<PendingRequest> {
        let mut requests = self.lock();
        let request = find_mut(&mut requests, id)?;
        if request.requester.user != requester.user {
            return Err(SafeguardsError::Forbidden(format!(
                "request {id} belongs to `{}`",
                request.requester.user
            )));
        }
        match request.state.clone() {
            RequestState::Approved { by, .. } => {
                request.state = RequestState::Executed {
                    approved_by: by,
                    at: now,
                };
            }
            RequestState::Pending => {
                return Err(SafeguardsError::Conflict(format!(
                    "request {id} is waiting for a supervisor's approval"
                )));
            }
            RequestState::Denied { by, note, .. } => {
                return Err(SafeguardsError::Forbidden(format!(
                    "request {id} was denied by `{by}`: {note}"
                )));
            }
            RequestState::Executed { .. } => {
                return Err(SafeguardsError::Conflict(format!(
                    "request {id} has already run"
                )));
            }
        }
        let taken = request.clone();
        util::write_json(&self.path, &*requests)?;
        Ok(taken)
    }

    /// One request by id.
    pub fn get(&self, id: &str) -> Result<PendingRequest> {
        let mut requests = self.lock();
        find_mut(&mut requests, id).map(|request| request.clone())
    }

    /// Requests a principal may see: supervisors see all, others their own.
    pub fn list_for(&self, principal: &Principal) -> Vec<PendingRequest> {
        self.lock()
            .iter()
            .filter(|request| {
                principal.role == Role::Supervisor || request.requester.user == principal.user
            })
            .cloned()
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<PendingRequest>> {
        self.requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn find_mut<'a>(requests: &'a mut [PendingRequest], id: &str) -> Result<&'a mut PendingRequest> {
    requests
        .iter_mut()
        .find(|request| request.id == id)
        .ok_or_else(|| SafeguardsError::NotFound {
            kind: "request",
            id: id.to_owned(),
        })
}
