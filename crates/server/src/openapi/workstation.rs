//! The OpenAPI description of the routes the analyst's workstation adds: who the caller is
//! (`/api/v1/me`) and the evidence bundle of a case (`/api/v1/evidence`).

use super::{error_response, ok_json};
use serde_json::{Map, Value, json};

/// `GET /api/v1/me` and `POST /api/v1/evidence`.
pub(super) fn paths() -> Map<String, Value> {
    let documented = json!({
        "/api/v1/me": { "get": {
            "summary": "Who the caller is, and every action their role may perform",
            "description": "The actions are those the safeguards' permission matrix allows the \
                caller's role (docs/safeguards.md); the web UI hides what is not among them. \
                The server still checks every request.",
            "operationId": "getMe",
            "responses": { "200": ok_json("Me") }
        }},
        "/api/v1/evidence": { "post": {
            "summary": "A signed evidence bundle of a case (tar), under a purpose naming the case (the X-Corridor-* headers, as for history)",
            "description": "The reads of the case plates over the window (default: the window that \
                needs no approval), optionally the case analysis, the case's audit entries (this \
                export's included) and a clock statement per camera, with a SHA-256 manifest \
                signed with Ed25519: `tar xf` it and check it offline with \
                `corridor evidence verify DIR`. Over scope, it waits for a supervisor (202) and \
                the requester runs it through /api/v1/approvals/{id}/run.",
            "operationId": "postEvidence",
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["plates"], "additionalProperties": false,
                "properties": {
                    "plates": { "type": "array", "items": { "type": "string" },
                                "minItems": 1, "maxItems": 50 },
                    "from": { "type": "string", "format": "date-time" },
                    "to": { "type": "string", "format": "date-time" },
                    "analyse": { "type": "boolean", "default": false,
                        "description": "Also run the case analysis seeded by the plates and record it, with its parameters, in the bundle" } }
            }}}},
            "responses": {
                "200": { "description": "The bundle: one directory `evidence-<case>/` with manifest.json, manifest.sig, reads.csv, analyses/, audit_extract.jsonl, camera_clocks.json",
                    "content": { "application/x-tar": { "schema": { "type": "string", "format": "binary" } } } },
                "202": ok_json("Approval"),
                "400": error_response("A plate, the window or the purpose is malformed, or the case has more reads than one export may hold (`too_many_reads`)")
            }
        }}
    });
    match documented {
        Value::Object(paths) => paths,
        _ => unreachable!("a JSON object literal"),
    }
}

/// The `Me` schema.
pub(super) fn schemas() -> Map<String, Value> {
    let text = json!({ "type": "string" });
    let schemas = json!({
        "Me": {
            "type": "object", "required": ["user", "role", "agency", "actions"],
            "properties": {
                "user": text, "role": { "type": "string",
                    "enum": ["analyst", "operator", "supervisor", "partner", "auditor", "admin"] },
                "agency": text,
                "agreement": { "type": ["string", "null"], "description": "Partners: their sharing agreement" },
                "actions": { "type": "array", "items": text,
                    "description": "Every action the role may perform (`read_history`, `run_analysis`, ...), in the matrix's order" }
            }
        }
    });
    match schemas {
        Value::Object(schemas) => schemas,
        _ => unreachable!("a JSON object literal"),
    }
}
