//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`.
//!
//! Written by hand next to the API types it describes; a test checks that its paths and
//! methods are exactly those of [`crate::routes::table`]. Each operation's security and
//! action come from the route table's guards ([`guarded::annotate`]).

mod guarded;
mod images;
mod workstation;

use serde_json::{Value, json};

/// The whole document.
pub(crate) fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Corridor API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Plate reads in, vehicle histories out. Field names follow the \
                exchange schema (docs/schema.md). A 2xx to POST /api/v1/reads means every read \
                of the request is durable; a 4xx means none of it was stored. Every operation \
                but /health needs `Authorization: Bearer <token>` (an API token from \
                `corridor users add`, or an OIDC JWT); `x-corridor-action` names the \
                safeguards action the caller's role must be allowed (docs/safeguards.md). \
                Searches declare a purpose in the X-Corridor-Case, X-Corridor-Offence and \
                X-Corridor-Justification headers."
        },
        "security": [{ "bearer": [] }],
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "securitySchemes": { "bearer": {
                "type": "http", "scheme": "bearer",
                "description": "A Corridor API token (`crd_...`) or an OIDC JWT"
            }}
        }
    })
}

fn paths() -> Value {
    let mut paths = core_paths();
    paths.extend(guarded::paths());
    paths.extend(images::paths());
    paths.extend(workstation::paths());
    guarded::annotate(&mut paths);
    Value::Object(paths)
}

fn core_paths() -> serde_json::Map<String, Value> {
    let paths = json!({
        "/api/v1/reads": { "post": post_reads() },
        "/api/v1/history": { "get": get_history() },
        "/api/v1/cameras": {
            "get": {
                "summary": "List the camera registry",
                "operationId": "listCameras",
                "responses": { "200": ok_json("CameraList") }
            },
            "put": {
                "summary": "Upsert cameras (a camera id already present is replaced)",
                "operationId": "putCameras",
                "requestBody": {
                    "required": true,
                    "content": { "application/json": { "schema": {
                        "oneOf": [
                            { "type": "array", "items": schema_ref("Camera") },
                            { "type": "object", "required": ["cameras"], "properties": {
                                "cameras": { "type": "array", "items": schema_ref("Camera") }
                            }}
                        ]
                    }}}
                },
                "responses": {
                    "200": ok_json("CamerasUpserted"),
                    "400": error_response("A camera was rejected; nothing was stored"),
                    "413": error_response("Body or list larger than the limit")
                }
            }
        },
        "/api/v1/cameras/{id}": {
            "get": {
                "summary": "One camera of the registry",
                "operationId": "getCamera",
                "parameters": [{
                    "name": "id", "in": "path", "required": true, "schema": { "type": "string" }
                }],
                "responses": {
                    "200": ok_json("Camera"),
                    "404": error_response("No camera with this id")
                }
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": { "200": { "description": "OpenAPI 3.1 document",
                    "content": { "application/json": {} } } }
            }
        },
        "/health": {
            "get": {
                "summary": "Liveness: the process answers and its store is open",
                "operationId": "health",
                "responses": { "200": ok_json("Health") }
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics (OpenMetrics text)",
                "operationId": "metrics",
                "responses": { "200": { "description": "Metrics",
                    "content": { "application/openmetrics-text": {
                        "schema": { "type": "string" } } } } }
            }
        }
    });
    match paths {
        Value::Object(paths) => paths,
        _ => unreachable!("a JSON object literal"),
    }
}

fn post_reads() -> Value {
    json!({
        "summary": "Ingest a batch of reads; answered once every read is durable",
        "operationId": "postReads",
        "requestBody": {
            "required": true,
            "content": {
                "application/json": { "schema": { "oneOf": [
                    { "type": "array", "items": schema_ref("Read") },
                    { "type": "object", "required": ["reads"], "properties": {
                        "reads": { "type": "array", "items": schema_ref("Read") } } }
                ]}},
                "application/x-ndjson": {
                    "schema": { "type": "string", "description": "One Read object per line" }
                }
            }
        },
        "responses": {
            "200": ok_json("IngestReport"),
            "400": error_response("A read was rejected (row and field named); nothing was stored"),
            "409": error_response("A read id is already stored with other content; nothing was stored"),
            "413": error_response("Body or batch larger than the limit"),
            "415": error_response("Content-Type is neither JSON nor NDJSON"),
            "500": error_response("Internal error; the body carries a request id")
        }
    })
}

fn get_history() -> Value {
    let param = |name: &str, required: bool, description: &str, schema: Value| {
        json!({ "name": name, "in": "query", "required": required,
                "description": description, "schema": schema })
    };
    let header = |name: &str, description: &str| {
        json!({ "name": name, "in": "header", "required": true,
                "description": description, "schema": { "type": "string" } })
    };
    json!({
        "summary": "Where has this vehicle been? Exact, wildcard or fuzzy plate search, under a purpose; without `from`, the last 90 days",
        "operationId": "getHistory",
        "parameters": [
            param("plate", true, "Plate text, or a wildcard pattern (`?` one character, `*` any run) in wildcard mode",
                json!({ "type": "string" })),
            param("country", false, "ISO 3166-1 alpha-2 issuing country", json!({ "type": "string" })),
            param("from", false, "Earliest ts, RFC 3339", json!({ "type": "string", "format": "date-time" })),
            param("to", false, "Latest ts, RFC 3339", json!({ "type": "string", "format": "date-time" })),
            param("mode", false, "exact (default), wildcard or fuzzy",
                json!({ "type": "string", "enum": ["exact", "wildcard", "fuzzy"] })),
            param("limit", false, "Most reads returned (capped by the server's limit)",
                json!({ "type": "integer", "minimum": 1 })),
            header("X-Corridor-Case", "Case reference, e.g. OP-TIDE/2026/0042"),
            header("X-Corridor-Offence", "Offence category, e.g. people_smuggling"),
            header("X-Corridor-Justification", "Why the search is necessary and proportionate (20+ characters)")
        ],
        "responses": {
            "200": ok_json("History"),
            "202": ok_json("Approval"),
            "400": error_response("A parameter or purpose header was missing or malformed"),
            "403": error_response("Refused: no purpose, or a scope rule that no approval can lift (`purpose_refused`, with `reasons`)")
        }
    })
}

fn schemas() -> Value {
    let mut schemas = core_schemas();
    schemas.extend(guarded::schemas());
    schemas.extend(images::schemas());
    schemas.extend(workstation::schemas());
    Value::Object(schemas)
}

fn core_schemas() -> serde_json::Map<String, Value> {
    let text = json!({ "type": "string" });
    let opt_text = json!({ "type": ["string", "null"] });
    let opt_number = json!({ "type": ["number", "null"] });
    let schemas = json!({
        "Read": {
            "type": "object",
            "required": ["read_id", "plate", "camera_id", "ts"],
            "additionalProperties": false,
            "properties": {
                "read_id": { "type": "string", "minLength": 1, "maxLength": 128 },
                "plate": text, "country": opt_text, "camera_id": text,
                "ts": { "type": "string", "format": "date-time" },
                "confidence": { "type": ["number", "null"], "minimum": 0, "maximum": 1 },
                "lat": opt_number, "lon": opt_number, "heading": opt_number,
                "make": opt_text, "model": opt_text, "colour": opt_text, "vehicle_type": opt_text
            }
        },
        "HistoryRead": {
            "allOf": [schema_ref("Read"), { "type": "object", "properties": {
                "likelihood": { "type": ["number", "null"],
                    "description": "Fuzzy mode: likelihood of this plate under the OCR confusion model" }
            }}]
        },
        "History": {
            "type": "object",
            "required": ["mode", "plate", "n_reads", "truncated", "reads"],
            "properties": {
                "mode": text, "plate": text, "country": opt_text,
                "n_reads": { "type": "integer" },
                "truncated": { "type": "boolean", "description": "More reads matched than were returned" },
                "reads": { "type": "array", "items": schema_ref("HistoryRead") }
            }
        },
        "IngestReport": {
            "type": "object",
            "required": ["n_received", "n_new", "n_duplicate", "n_expired", "n_alerts"],
            "properties": {
                "n_received": { "type": "integer" },
                "n_new": { "type": "integer" },
                "n_duplicate": { "type": "integer", "description": "Already stored with the same content, or repeated in the request" },
                "n_expired": { "type": "integer", "description": "Older than the retention period: accepted, not stored" },
                "n_alerts": { "type": "integer", "description": "Alerts the batch raised (logged before this answer)" }
            }
        },
        "Camera": {
            "type": "object",
            "required": ["camera_id", "name", "lat", "lon", "operator", "kind", "infrared"],
            "additionalProperties": false,
            "properties": {
                "camera_id": { "type": "string", "minLength": 1, "maxLength": 64 },
                "name": text, "lat": { "type": "number" }, "lon": { "type": "number" },
                "heading": opt_number, "country": opt_text, "operator": text,
                "kind": { "type": "string", "enum": ["fixed", "mobile", "covert"] },
                "infrared": { "type": "boolean" }
            }
        },
        "CameraList": {
            "type": "object",
            "required": ["n_cameras", "cameras"],
            "properties": {
                "n_cameras": { "type": "integer" },
                "cameras": { "type": "array", "items": schema_ref("Camera") }
            }
        },
        "CamerasUpserted": {
            "type": "object", "required": ["n_cameras"],
            "properties": { "n_cameras": { "type": "integer" } }
        },
        "Health": {
            "type": "object",
            "required": ["status", "store", "data_dir", "version"],
            "properties": { "status": text, "store": text, "data_dir": text, "version": text }
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": { "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string", "description": "bad_field, unknown_field, bad_json, bad_param, bad_body, bad_purpose, bad_csv, too_many_reads, unauthenticated, forbidden, purpose_refused, conflict, not_found, payload_too_large, batch_too_large, unsupported_media_type, internal" },
                    "message": text,
                    "row": { "type": "integer", "description": "1-based row of the rejected read" },
                    "field": text,
                    "reason": { "type": "string", "description": "Rejection key of docs/schema.md" },
                    "request_id": { "type": "string", "description": "5xx only: quote it when reporting" },
                    "reasons": { "type": "array", "items": text,
                        "description": "purpose_refused only: every rule the search broke" }
                }
            }}
        }
    });
    match schemas {
        Value::Object(schemas) => schemas,
        _ => unreachable!("a JSON object literal"),
    }
}

pub(crate) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub(crate) fn ok_json(schema: &str) -> Value {
    json!({ "description": "OK", "content": { "application/json": { "schema": schema_ref(schema) } } })
}

pub(crate) fn error_response(description: &str) -> Value {
    json!({ "description": description,
            "content": { "application/json": { "schema": schema_ref("Error") } } })
}

#[cfg(test)]
mod tests {
    use super::document;
    use crate::routes::table;

    #[test]
    fn the_document_describes_exactly_the_routes_of_the_router() {
        let document = document();
        let paths = document["paths"].as_object().expect("paths");
        let routes = table();
        for route in &routes {
            let method = route.method.as_str().to_ascii_lowercase();
            assert!(
                paths
                    .get(route.path)
                    .and_then(|path| path.get(&method))
                    .is_some(),
                "{} {} is routed but not in the OpenAPI document",
                route.method,
                route.path
            );
        }
        let n_documented: usize = paths
            .values()
            .map(|path| path.as_object().expect("path item").len())
            .sum();
        assert_eq!(
            n_documented,
            routes.len(),
            "the document has operations the router lacks"
        );
    }
}
