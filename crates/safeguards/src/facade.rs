//! [`Safeguards`]: every safeguard opened under one data directory, with the per-request
//! gate the server calls.

use crate::anomaly::{AnomalyRules, AuditorAlert, QueryEvent, QueryPatternMonitor};
use crate::approvals::{ApprovalQueue, Decision, PendingRequest, Submission};
use crate::audit::{
    AuditEntry, AuditFilter, AuditLog, AuditRecord, CHECKPOINT_INTERVAL_DEFAULT, Outcome,
    OutcomeStatus,
};
use crate::auth::{OidcConfig, OidcVerifier, Principal, UserDirectory, bearer_from_header};
use crate::authz::{Action, authorize};
use crate::error::{Result, SafeguardsError};
use crate::keys;
use crate::purpose::{Purpose, ScopeDecision, ScopeRules, SearchScope, check_request};
use crate::retention::LegalHolds;
use crate::sharing::{ShareContext, SharedRead, SharingAgreement, filter_reads, load_agreements};
use corridor_domain::{PlateRead, Timestamp};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Settings of the safeguards, usually a section of the server's configuration.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct SafeguardsConfig {
    /// When a search needs approval or is refused.
    pub scope_rules: ScopeRules,
    /// When a user's query pattern raises an auditor alert.
    pub anomaly_rules: AnomalyRules,
    /// Entries between two signed audit checkpoints.
    pub checkpoint_interval: u64,
    /// OIDC bearer tokens, if accepted.
    pub oidc: Option<OidcConfig>,
    /// Where the audit signing key lives; default `<data>/safeguards/keys/audit_signing.key`.
    /// Keep it on another volume or owner than the log where possible.
    pub audit_key_path: Option<PathBuf>,
}

impl Default for SafeguardsConfig {
    fn default() -> SafeguardsConfig {
        SafeguardsConfig {
            scope_rules: ScopeRules::default(),
            anomaly_rules: AnomalyRules::default(),
            checkpoint_interval: CHECKPOINT_INTERVAL_DEFAULT,
            oidc: None,
            audit_key_path: None,
        }
    }
}

/// Where each safeguard keeps its files under a data directory.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SafeguardsPaths {
    /// `<data>/safeguards`.
    pub root: PathBuf,
    /// The audit log directory, `<data>/audit`.
    pub audit_dir: PathBuf,
    /// Users and hashed tokens.
    pub users: PathBuf,
    /// The approval queue.
    pub approvals: PathBuf,
    /// Sharing agreements (written by an administrator).
    pub agreements: PathBuf,
    /// Legal holds.
    pub legal_holds: PathBuf,
    /// Auditor alerts (JSON lines).
    pub auditor_alerts: PathBuf,
    /// Retention reports (JSON lines).
    pub retention_reports: PathBuf,
    /// The audit checkpoint signing key.
    pub audit_key: PathBuf,
    /// The exported audit public key.
    pub audit_public_key: PathBuf,
    /// The evidence bundle signing key.
    pub evidence_key: PathBuf,
    /// Per-agreement pseudonym keys, `<id>.key`.
    pub pseudonym_keys: PathBuf,
}

impl SafeguardsPaths {
    /// The layout under `data_dir`.
    pub fn under(data_dir: &Path) -> SafeguardsPaths {
        let root = data_dir.join("safeguards");
        let keys = root.join("keys");
        SafeguardsPaths {
            audit_dir: data_dir.join("audit"),
            users: root.join("users.json"),
            approvals: root.join("approvals.json"),
            agreements: root.join("agreements.json"),
            legal_holds: root.join("legal_holds.json"),
            auditor_alerts: root.join("auditor_alerts.jsonl"),
            retention_reports: root.join("retention_reports.jsonl"),
            audit_key: keys.join("audit_signing.key"),
            audit_public_key: keys.join("audit_signing.pub"),
            evidence_key: keys.join("evidence_signing.key"),
            pseudonym_keys: keys.join("pseudonym"),
            root,
        }
    }
}

/// A request cleared to run. Pass it back to [`Safeguards::record_result`] with what came back.
#[derive(Clone, PartialEq, Debug)]
pub struct Ticket {
    /// Who runs it.
    pub principal: Principal,
    /// What.
    pub action: Action,
    /// Why (present for every action that needs a purpose).
    pub purpose: Option<Purpose>,
    /// Its scope.
    pub scope: SearchScope,
    /// The request as received.
    pub query: serde_json::Value,
    /// The approved request it executes, if any.
    pub request_id: Option<String>,
}

/// What the gate decided.
#[derive(Clone, PartialEq, Debug)]
pub enum Gate {
    /// Run the query, then call [`Safeguards::record_result`] before responding.
    Proceed(Ticket),
    /// Stored pending a supervisor; respond 202 with the request id.
    Pending(PendingRequest),
    /// Never run; respond 403/422 with the reasons. Already recorded in the audit log.
    Refused {
        /// Why.
        reasons: Vec<String>,
    },
}

/// Every safeguard under one data directory.
#[derive(Debug)]
pub struct Safeguards {
    paths: SafeguardsPaths,
    config: SafeguardsConfig,
    users: UserDirectory,
    oidc: Option<OidcVerifier>,
    audit: AuditLog,
    approvals: ApprovalQueue,
    monitor: QueryPatternMonitor,
    legal_holds: LegalHolds,
    agreements: Vec<SharingAgreement>,
}

impl Safeguards {
    /// Opens (creating where missing) every safeguard under `data_dir`.
    ///
    /// The audit log is verified in full; a tampered log stops the start-up.
    pub fn open(data_dir: &Path, config: SafeguardsConfig) -> Result<Safeguards> {
        let paths = SafeguardsPaths::under(data_dir);
        crate::util::ensure_dir(&paths.root)?;
        let audit_key_path = config
            .audit_key_path
            .clone()
            .unwrap_or_else(|| paths.audit_key.clone());
        let audit_key = keys::load_or_create_signing_key(&audit_key_path)?;
        crate::util::write_atomic(
            &paths.audit_public_key,
            format!("{}\n", keys::public_key_hex(&audit_key.verifying_key())).as_bytes(),
        )?;
        let audit = AuditLog::open(&paths.audit_dir, audit_key, config.checkpoint_interval)?;
        let monitor = QueryPatternMonitor::new(config.anomaly_rules.clone(), &paths.auditor_alerts);
        monitor.replay(&audit.entries(&AuditFilter::default())?);
        let oidc = config
            .oidc
            .clone()
            .map(OidcVerifier::from_config)
            .transpose()?;
        Ok(Safeguards {
            users: UserDirectory::open(&paths.users)?,
            approvals: ApprovalQueue::open(&paths.approvals)?,
            legal_holds: LegalHolds::open(&paths.legal_holds)?,
            agreements: load_agreements(&paths.agreements)?,
            oidc,
            audit,
            monitor,
            config,
            paths,
        })
    }

    /// Authenticates an `Authorization` header: a Corridor API token, or (if configured)
    /// an OIDC JWT. A missing header is refused.
    pub fn authenticate(&self, authorization: Option<&str>, now: Timestamp) -> Result<Principal> {
        let header = authorization.ok_or_else(|| {
            SafeguardsError::Unauthenticated("missing Authorization header".to_owned())
        })?;
        let token = bearer_from_header(header).ok_or_else(|| {
            SafeguardsError::Unauthenticated("expected `Authorization: Bearer <token>`".to_owned())
        })?;
        if token.starts_with(crate::auth::TOKEN_PREFIX) {
            return self.users.authenticate(token, now);
        }
        match &self.oidc {
            Some(oidc) => oidc.verify(token),
            None => Err(SafeguardsError::Unauthenticated("unknown token".to_owned())),
        }
    }

    /// Decides whether a request may run: role, then (for actions on plate data) purpose
    /// and scope. Refusals and pending requests are recorded in the audit log here; a
    /// request that proceeds is recorded by [`Safeguards::record_result`].
    pub fn gate(
        &self,
        principal: &Principal,
        action: Action,
        purpose: Option<&Purpose>,
        scope: &SearchScope,
        query: serde_json::Value,
        now: Timestamp,
    ) -> Result<Gate> {
        if let Err(err) = authorize(principal, action) {
            self.record_refusal(
                principal,
                action,
                purpose,
                scope,
                &query,
                &[err.to_string()],
                now,
            )?;
            return Err(err);
        }
        if !action.needs_purpose() {
            return Ok(Gate::Proceed(ticket(
                principal, action, purpose, scope, query, None,
            )));
        }
        let decision = check_request(purpose, scope, &self.config.scope_rules, now);
        self.observe(principal, action, purpose, scope, now)?;
        match (decision, purpose) {
            (ScopeDecision::Allowed, _) => Ok(Gate::Proceed(ticket(
                principal, action, purpose, scope, query, None,
            ))),
            (ScopeDecision::NeedsApproval { reasons }, Some(purpose)) => {
                let submission = Submission {
                    action,
                    purpose: purpose.clone(),
                    scope: scope.clone(),
                    query,
                    reasons,
                };
                Ok(Gate::Pending(self.approvals.submit(
                    principal,
                    submission,
                    &self.audit,
                    now,
                )?))
            }
            (ScopeDecision::Refused { reasons }, _)
            | (ScopeDecision::NeedsApproval { reasons }, None) => {
                self.record_refusal(principal, action, purpose, scope, &query, &reasons, now)?;
                Ok(Gate::Refused { reasons })
            }
        }
    }

    /// Records what a cleared request returned. Call it before sending the response.
    pub fn record_result(
        &self,
        ticket: &Ticket,
        outcome: Outcome,
        now: Timestamp,
    ) -> Result<AuditEntry> {
        self.audit.append_at(
            AuditRecord {
                who: ticket.principal.clone(),
                action: ticket.action.as_str().to_owned(),
                why: ticket.purpose.clone(),
                what: serde_json::json!({
                    "scope": ticket.scope,
                    "query": ticket.query,
                    "request_id": ticket.request_id,
                }),
                outcome,
            },
            now,
        )
    }

    /// A supervisor approves or denies a pending request.
    pub fn decide(
        &self,
        supervisor: &Principal,
        request_id: &str,
        decision: Decision,
        note: &str,
        now: Timestamp,
    ) -> Result<PendingRequest> {
        self.approvals
            .decide(request_id, supervisor, decision, note, &self.audit, now)
    }

    /// The requester runs an approved request (once); returns its ticket.
    pub fn run_approved(
        &self,
        principal: &Principal,
        request_id: &str,
        now: Timestamp,
    ) -> Result<Ticket> {
        authorize(principal, self.approvals.get(request_id)?.action)?;
        let request = self.approvals.take_approved(request_id, principal, now)?;
        Ok(ticket(
            principal,
            request.action,
            Some(&request.purpose),
            &request.scope,
            request.query,
            Some(request.id),
        ))
    }

    /// Records an action that needs no purpose (ingest, camera changes, user management).
    pub fn record(
        &self,
        principal: &Principal,
        action: &str,
        what: serde_json::Value,
        outcome: Outcome,
        now: Timestamp,
    ) -> Result<AuditEntry> {
        self.audit.append_at(
            AuditRecord {
                who: principal.clone(),
                action: action.to_owned(),
                why: None,
                what,
                outcome,
            },
            now,
        )
    }

    /// Reads as a principal may see them (partners: filtered and redacted by agreement).
    pub fn filter_reads(
        &self,
        principal: &Principal,
        reads: &[PlateRead],
        cameras: &std::collections::HashMap<String, corridor_domain::Camera>,
        hit_read_ids: &std::collections::HashSet<String>,
        now: Timestamp,
    ) -> Result<Vec<SharedRead>> {
        let context = ShareContext {
            agreements: &self.agreements,
            cameras,
            hit_read_ids,
            now,
        };
        filter_reads(principal, reads, &context)
    }

    /// Alerts raised for auditors so far.
    pub fn auditor_alerts(&self) -> Result<Vec<AuditorAlert>> {
        self.monitor.alerts()
    }

    /// The audit log.
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// The user directory.
    pub fn users(&self) -> &UserDirectory {
        &self.users
    }

    /// The approval queue.
    pub fn approvals(&self) -> &ApprovalQueue {
        &self.approvals
    }

    /// Legal holds.
    pub fn legal_holds(&self) -> &LegalHolds {
        &self.legal_holds
    }

    /// Sharing agreements in force.
    pub fn agreements(&self) -> &[SharingAgreement] {
        &self.agreements
    }

    /// Where everything lives.
    pub fn paths(&self) -> &SafeguardsPaths {
        &self.paths
    }

    /// The configuration in force.
    pub fn config(&self) -> &SafeguardsConfig {
        &self.config
    }

    fn observe(
        &self,
        principal: &Principal,
        action: Action,
        purpose: Option<&Purpose>,
        scope: &SearchScope,
        now: Timestamp,
    ) -> Result<()> {
        if matches!(action, Action::ReadHistory | Action::RunAnalysis) {
            let alerts = self.monitor.observe(QueryEvent {
                user: principal.user.clone(),
                ts: now,
                plates: scope.plates.clone(),
                case_ref: purpose.map(|purpose| purpose.case_ref.clone()),
            })?;
            for alert in alerts {
                tracing::warn!(user = %alert.user, kind = ?alert.kind, detail = %alert.detail, "Raised an auditor alert.");
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn record_refusal(
        &self,
        principal: &Principal,
        action: Action,
        purpose: Option<&Purpose>,
        scope: &SearchScope,
        query: &serde_json::Value,
        reasons: &[String],
        now: Timestamp,
    ) -> Result<()> {
        self.audit.append_at(
            AuditRecord {
                who: principal.clone(),
                action: action.as_str().to_owned(),
                why: purpose.cloned(),
                what: serde_json::json!({ "scope": scope, "query": query, "refused": reasons }),
                outcome: Outcome::status(OutcomeStatus::Refused),
            },
            now,
        )?;
        Ok(())
    }
}

fn ticket(
    principal: &Principal,
    action: Action,
    purpose: Option<&Purpose>,
    scope: &SearchScope,
    query: serde_json::Value,
    request_id: Option<String>,
) -> Ticket {
    Ticket {
        principal: principal.clone(),
        action,
        purpose: purpose.cloned(),
        scope: scope.clone(),
        query,
        request_id,
    }
}
