//! The OpenAPI description of the safeguarded and alert routes: approvals, audit,
//! hotlist, alerts; the bearer scheme; and the action each operation needs.

use super::{error_response, ok_json, schema_ref};
use crate::auth::Guard;
use serde_json::{Map, Value, json};

/// Operations of the approval workflow, the hotlist and the alerts.
pub(super) fn paths() -> Map<String, Value> {
    let id = |description: &str| {
        json!([{ "name": "id", "in": "path", "required": true, "description": description,
                 "schema": { "type": "string" } }])
    };
    let entry_body = json!({ "required": true, "content": { "application/json": {
        "schema": schema_ref("HotlistEntryIn") } } });
    let entry_change = |summary: &str, operation_id: &str| {
        json!({ "summary": summary, "operationId": operation_id, "parameters": id("Entry id"),
                "responses": { "200": ok_json("HotlistEntry"),
                               "404": error_response("No such entry") } })
    };
    let documented = json!({
        "/api/v1/approvals": { "get": {
            "summary": "Over-scope requests (searches, analyses, evidence exports): a supervisor sees all, others their own",
            "operationId": "listApprovals",
            "responses": { "200": ok_json("ApprovalList") }
        }},
        "/api/v1/approvals/{id}/decision": { "post": {
            "summary": "A supervisor approves or denies a pending search (never their own)",
            "operationId": "decideApproval",
            "parameters": id("Approval id (`req-...`)"),
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["decision", "note"],
                "properties": { "decision": { "type": "string", "enum": ["approve", "deny"] },
                                "note": { "type": "string", "description": "Why; required" } }
            }}}},
            "responses": { "200": ok_json("Approval"),
                           "404": error_response("No such request"),
                           "409": error_response("Already decided") }
        }},
        "/api/v1/approvals/{id}/run": { "post": {
            "summary": "The requester runs an approved request, once",
            "description": "Answered as the route that asked would have answered: a History for                 `read_history`, the analysis report for `run_analysis`, the evidence bundle (tar)                 for `export_evidence`.",
            "operationId": "runApproval",
            "parameters": id("Approval id (`req-...`)"),
            "responses": { "200": { "description": "History, analysis report or evidence bundle, by the request's action",
                               "content": { "application/json": { "schema": { "oneOf": [
                                   schema_ref("History"), { "type": "object" } ] } },
                                   "application/x-tar": { "schema": { "type": "string", "format": "binary" } } } },
                           "403": error_response("Denied, or not the requester's"),
                           "409": error_response("Still pending, or already run") }
        }},
        "/api/v1/audit": { "get": {
            "summary": "Audit log entries, newest first (this reading is itself recorded)",
            "operationId": "listAudit",
            "parameters": [
                { "name": "user", "in": "query", "schema": { "type": "string" } },
                { "name": "case", "in": "query", "description": "Case reference of the purpose",
                  "schema": { "type": "string" } },
                { "name": "action", "in": "query", "description": "e.g. `read_history`",
                  "schema": { "type": "string" } },
                { "name": "from", "in": "query", "schema": { "type": "string", "format": "date-time" } },
                { "name": "to", "in": "query", "description": "Exclusive",
                  "schema": { "type": "string", "format": "date-time" } },
                { "name": "before", "in": "query", "description": "Entries with a smaller `seq` (the previous page's `next_before`)",
                  "schema": { "type": "integer" } },
                { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1 } }
            ],
            "responses": { "200": ok_json("AuditEntryList"),
                           "400": error_response("A parameter was rejected") }
        }},
        "/api/v1/audit/verify": { "get": {
            "summary": "Verify the audit log's hash chain and signed checkpoints",
            "operationId": "verifyAudit",
            "responses": { "200": ok_json("AuditVerification") }
        }},
        "/api/v1/hotlist": {
            "get": {
                "summary": "Current versions of the hotlist entries, by id",
                "operationId": "listHotlist",
                "parameters": [
                    { "name": "after", "in": "query", "schema": { "type": "integer" } },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1 } }
                ],
                "responses": { "200": ok_json("HotlistEntryList") }
            },
            "post": {
                "summary": "Create a hotlist entry",
                "operationId": "createHotlistEntry",
                "requestBody": entry_body.clone(),
                "responses": { "200": ok_json("HotlistEntry"),
                               "400": error_response("A field was rejected") }
            }
        },
        "/api/v1/hotlist/import": { "post": {
            "summary": "Import entries from CSV (docs/alerts.md); all or nothing",
            "operationId": "importHotlist",
            "requestBody": { "required": true, "content": { "text/csv": {
                "schema": { "type": "string" } } } },
            "responses": { "200": ok_json("HotlistEntryList"),
                           "400": error_response("A row was rejected (line and field named); nothing was stored") }
        }},
        "/api/v1/hotlist/{id}": {
            "put": {
                "summary": "Replace an entry's fields (a new version)",
                "operationId": "updateHotlistEntry",
                "parameters": id("Entry id"),
                "requestBody": entry_body,
                "responses": { "200": ok_json("HotlistEntry"),
                               "404": error_response("No such entry") }
            },
            "delete": entry_change("Delete an entry (its history stays)", "deleteHotlistEntry")
        },
        "/api/v1/hotlist/{id}/versions": { "get": {
            "summary": "Every version of an entry, oldest first (a deleted entry's too)",
            "operationId": "hotlistEntryVersions",
            "parameters": id("Entry id"),
            "responses": { "200": ok_json("HotlistEntryList"),
                           "404": error_response("No such entry") }
        }},
        "/api/v1/hotlist/{id}/expire": {
            "post": entry_change("Stop an entry alerting now", "expireHotlistEntry")
        },
        "/api/v1/analyses": { "post": {
            "summary": "Analyse hubs, routes, convoys and clones from seed plates, under a purpose (the X-Corridor-* headers, as for history)",
            "operationId": "postAnalysis",
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["seeds"],
                "properties": {
                    "seeds": { "type": "array", "items": { "type": "string" },
                               "minItems": 1, "maxItems": 50 },
                    "from": { "type": "string", "format": "date-time" },
                    "to": { "type": "string", "format": "date-time" },
                    "search": { "type": "string", "enum": ["report", "convoys"], "default": "report",
                                "description": "`convoys`: only each seed's convoy partners, searched from the store's indexes (`corridor convoys`)" } }
            }}}},
            "responses": {
                "200": { "description": "The report (hubs, routes, convoys, clones, ...) and `reads`: the cited reads by id; for `search: convoys`, `convoys_of`: one search per seed, as `corridor convoys --json` writes them, each with the `reads` its convoys cite",
                    "content": { "application/json": { "schema": { "type": "object" } } } },
                "202": { "description": "Over scope: waiting for a supervisor",
                    "content": { "application/json": { "schema": { "type": "object" } } } },
                "400": error_response("A seed, the window or the purpose is malformed")
            }
        }},
        "/api/v1/alerts": { "get": {
            "summary": "Alerts in log order, with their acknowledgements",
            "operationId": "listAlerts",
            "parameters": [
                { "name": "from_seq", "in": "query", "schema": { "type": "integer" } },
                { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1 } }
            ],
            "responses": { "200": ok_json("AlertList") }
        }},
        "/api/v1/alerts/stream": { "get": {
            "summary": "Live alerts as server-sent events (`id` is the alert's seq; send Last-Event-ID to resume)",
            "operationId": "streamAlerts",
            "responses": { "200": { "description": "text/event-stream of `alert` events",
                "content": { "text/event-stream": { "schema": { "type": "string" } } } } }
        }},
        "/api/v1/alerts/{id}/ack": { "post": {
            "summary": "Acknowledge an alert",
            "operationId": "acknowledgeAlert",
            "parameters": id("Alert id"),
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["outcome"],
                "properties": {
                    "outcome": { "type": "string",
                        "enum": ["stopped", "observed", "misread", "not_found", "no_action"] },
                    "note": { "type": "string" } }
            }}}},
            "responses": { "200": ok_json("Ack"), "404": error_response("No such alert") }
        }}
    });
    match documented {
        Value::Object(paths) => paths,
        _ => unreachable!("a JSON object literal"),
    }
}

/// Marks every operation with what its guard demands: `security` (none for public
/// routes), `x-corridor-action` (the safeguards action), and the 401 and 403 responses.
pub(super) fn annotate(paths: &mut Map<String, Value>) {
    for route in crate::routes::table() {
        let method = route.method.as_str().to_ascii_lowercase();
        let Some(operation) = paths
            .get_mut(route.path)
            .and_then(|path| path.get_mut(&method))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let responses = operation
            .entry("responses")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("responses is an object");
        match route.guard {
            Guard::Public => {
                operation.insert("security".to_owned(), json!([]));
            }
            Guard::Authenticated => {
                responses.insert("401".to_owned(), error_response("No valid bearer token"));
            }
            Guard::Action(action) => {
                responses.insert("401".to_owned(), error_response("No valid bearer token"));
                responses.insert(
                    "403".to_owned(),
                    error_response("The caller's role may not perform this action, or purpose control refused it"),
                );
                operation.insert("x-corridor-action".to_owned(), json!(action.as_str()));
            }
        }
    }
}

/// Schemas of the safeguarded and alert routes.
pub(super) fn schemas() -> Map<String, Value> {
    let text = json!({ "type": "string" });
    let opt_text = json!({ "type": ["string", "null"] });
    let schemas = json!({
        "Approval": {
            "type": "object",
            "required": ["status", "approval_id", "requester", "action", "case_ref", "reasons", "run"],
            "properties": {
                "status": { "type": "string", "enum": ["pending", "approved", "denied", "executed"] },
                "approval_id": text, "requester": text, "action": text, "case_ref": text,
                "offence": text, "justification": text,
                "scope": { "type": "object", "description": "`plates` (plates or patterns) and the window `from`/`to` asked for",
                    "properties": { "plates": { "type": "array", "items": text },
                                    "from": text, "to": text } },
                "created": { "type": "string", "format": "date-time" },
                "reasons": { "type": "array", "items": text,
                    "description": "The scope rules the search exceeds" },
                "decided_by": text,
                "run": { "type": "string", "description": "Path the requester POSTs to run it once approved" }
            }
        },
        "ApprovalList": {
            "type": "object", "required": ["n_approvals", "approvals"],
            "properties": { "n_approvals": { "type": "integer" },
                "approvals": { "type": "array", "items": schema_ref("Approval") } }
        },
        "AuditEntry": {
            "type": "object",
            "required": ["seq", "time", "user", "role", "agency", "action", "what", "outcome", "n_results", "entry_hash"],
            "properties": {
                "seq": { "type": "integer" }, "time": text, "user": text, "role": text,
                "agency": text, "action": text, "case_ref": text, "offence": text,
                "justification": text, "what": { "type": "object" },
                "outcome": { "type": "string",
                    "enum": ["ok", "refused", "pending", "approved", "denied", "failed"] },
                "n_results": { "type": "integer" }, "entry_hash": text
            }
        },
        "AuditEntryList": {
            "type": "object", "required": ["n_entries", "entries"],
            "properties": { "n_entries": { "type": "integer" },
                "next_before": { "type": "integer", "description": "Absent on the last page" },
                "entries": { "type": "array", "items": schema_ref("AuditEntry") } }
        },
        "AuditVerification": {
            "type": "object", "required": ["ok"],
            "properties": {
                "ok": { "type": "boolean" },
                "report": { "type": "object", "description": "When ok: n_entries, first_seq, head_seq, truncated_through, n_anchors, n_checkpoints, head_hash, last_checkpoint_seq, n_unsigned_tail, interval" },
                "violation": { "type": "object", "description": "When not ok: the first problem, `kind` with its `line` and `seq`" },
                "message": text
            }
        },
        "HotlistEntryIn": {
            "type": "object", "required": ["plate", "country", "reason", "sharing"],
            "additionalProperties": false,
            "properties": {
                "plate": { "type": "string", "description": "Plate, or a pattern with `?`" },
                "country": { "type": "string", "description": "ISO 3166-1 alpha-2, or `any`" },
                "reason": { "type": "string", "enum": ["stolen", "wanted", "smuggling", "missing", "intelligence", "other"] },
                "handling": text,
                "agency": { "type": "string", "description": "Default: the caller's agency" },
                "expires_at": { "type": "string", "format": "date-time" },
                "sharing": { "type": "string", "enum": ["agency", "national", "international"] }
            }
        },
        "HotlistEntry": {
            "type": "object",
            "properties": {
                "entry_id": { "type": "integer" }, "version": { "type": "integer" },
                "plate": text, "country": text, "reason": text, "handling": text, "agency": text,
                "expires_at": opt_text, "sharing": text,
                "change": { "type": "string", "enum": ["created", "updated", "expired", "deleted"] },
                "changed_at": text, "changed_by": text
            }
        },
        "HotlistEntryList": {
            "type": "object", "required": ["n_entries", "entries"],
            "properties": { "n_entries": { "type": "integer" },
                "entries": { "type": "array", "items": schema_ref("HotlistEntry") } }
        },
        "Ack": {
            "type": "object",
            "properties": { "handled_by": text, "outcome": text, "note": text, "at": text }
        },
        "Alert": {
            "type": "object",
            "description": "An alert as in docs/alerts.md (also the webhook body and SSE data), with its acknowledgements",
            "properties": {
                "alert_id": text, "seq": { "type": "integer" },
                "trigger": { "type": "object" }, "match": text, "watch": { "type": "object" },
                "read_id": text, "plate": text, "country": opt_text, "camera_id": text,
                "read_ts": { "type": "integer" }, "raised_at": { "type": "integer" },
                "acks": { "type": "array", "items": schema_ref("Ack") }
            }
        },
        "AlertList": {
            "type": "object", "required": ["n_alerts", "next_seq", "alerts"],
            "properties": { "n_alerts": { "type": "integer" }, "next_seq": { "type": "integer" },
                "alerts": { "type": "array", "items": schema_ref("Alert") } }
        }
    });
    match schemas {
        Value::Object(schemas) => schemas,
        _ => unreachable!("a JSON object literal"),
    }
}
