//! The OpenAPI description of the camera image routes: upload an image, fetch a crop.

use super::{error_response, ok_json, schema_ref};
use serde_json::{Map, Value, json};

/// `POST /api/v1/cameras/{id}/images` and `GET /api/v1/images/{sha256}`.
pub(super) fn paths() -> Map<String, Value> {
    let documented = json!({
        "/api/v1/cameras/{id}/images": { "post": {
            "summary": "A camera sends an image; each plate read in it is ingested as a read",
            "description": "The plates are detected and read on the server (docs/vision.md), \
                each plate crop is stored by its SHA-256, and each plate becomes a read through \
                the same path as POST /api/v1/reads (checks, durable append, hotlist alerts). \
                Read ids derive from camera, ts and the image's hash: a retried upload stores \
                nothing new.",
            "operationId": "postCameraImage",
            "parameters": [
                { "name": "id", "in": "path", "required": true, "description": "Camera id",
                  "schema": { "type": "string" } },
                { "name": "ts", "in": "query", "description": "When the image was taken (default: now)",
                  "schema": { "type": "string", "format": "date-time" } }
            ],
            "requestBody": { "required": true, "content": {
                "image/jpeg": { "schema": { "type": "string", "format": "binary" } },
                "image/png": { "schema": { "type": "string", "format": "binary" } }
            }},
            "responses": {
                "200": ok_json("ImageReport"),
                "400": error_response("The image does not decode (`bad_image`), or `ts` is bad"),
                "404": error_response("No camera with this id"),
                "413": error_response("Body larger than the limit"),
                "415": error_response("Not image/jpeg or image/png")
            }
        }},
        "/api/v1/images/{sha256}": { "get": {
            "summary": "A stored plate crop (PNG), by the hash an upload returned; audited",
            "operationId": "getPlateCrop",
            "parameters": [{ "name": "sha256", "in": "path", "required": true,
                "description": "SHA-256 of the crop, 64 lower-case hex digits",
                "schema": { "type": "string", "pattern": "^[0-9a-f]{64}$" } }],
            "responses": {
                "200": { "description": "The crop", "content": { "image/png": {
                    "schema": { "type": "string", "format": "binary" } } } },
                "400": error_response("Not a SHA-256 in hex"),
                "404": error_response("No such crop (partners see none)")
            }
        }}
    });
    match documented {
        Value::Object(paths) => paths,
        _ => unreachable!("a JSON object literal"),
    }
}

/// `ImageReport` and its parts.
pub(super) fn schemas() -> Map<String, Value> {
    let plate = json!({
        "text": { "type": "string" },
        "confidence": { "type": "number", "minimum": 0, "maximum": 1 },
        "layout": { "type": "string", "enum": ["one_line", "two_line"] },
        "detection_score": { "type": "number" },
        "corners": { "type": "array", "description": "Top-left, top-right, bottom-right, bottom-left: [x, y] pixels",
                     "items": { "type": "array", "items": { "type": "number" } } },
        "alternatives": { "type": "array", "items": { "type": "object", "properties": {
            "text": { "type": "string" }, "probability": { "type": "number" } } } },
        "colour": { "type": ["string", "null"] },
        "crop_sha256": { "type": "string" }
    });
    let mut read = plate.clone();
    if let Value::Object(read) = &mut read {
        read.insert("read_id".to_owned(), json!({ "type": "string" }));
        read.insert("plate".to_owned(), json!({ "type": "string" }));
        read.insert("country".to_owned(), json!({ "type": ["string", "null"] }));
    }
    let mut skipped = plate;
    if let Value::Object(skipped) = &mut skipped {
        skipped.insert(
            "reason".to_owned(),
            json!({ "type": "string", "enum": ["not_a_plate", "low_confidence"] }),
        );
    }
    let schemas = json!({
        "ImageReport": {
            "type": "object",
            "required": ["camera_id", "ts", "image_sha256", "reads", "skipped", "ingest"],
            "properties": {
                "camera_id": { "type": "string" },
                "ts": { "type": "string", "format": "date-time" },
                "image_sha256": { "type": "string" },
                "reads": { "type": "array", "items": { "type": "object", "properties": read } },
                "skipped": { "type": "array", "items": { "type": "object", "properties": skipped } },
                "ingest": schema_ref("IngestReport")
            }
        }
    });
    match schemas {
        Value::Object(schemas) => schemas,
        _ => unreachable!("a JSON object literal"),
    }
}
