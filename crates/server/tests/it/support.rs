//! The test harness: a store in a temporary directory, its router, and request helpers.
//!
//! Every request is authenticated with a real API token of a role that may make it: an
//! operator ingests and registers cameras, an analyst searches (with a purpose) and does
//! the rest.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use corridor_safeguards::auth::User;
use corridor_safeguards::{Role, Safeguards};
use corridor_server::{
    AppState, HEADER_CASE, HEADER_JUSTIFICATION, HEADER_OFFENCE, Limits, ServerConfig, router,
};
use corridor_store::{Store, StoreConfig};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

/// A router over a fresh store with cameras `C1` (fixed) and `M1` (mobile) registered.
pub(crate) struct Harness {
    _dir: tempfile::TempDir,
    pub(crate) router: Router,
    operator_token: String,
    analyst_token: String,
}

/// A response: status and JSON body (`Value::Null` when the body is not JSON).
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) json: Value,
    pub(crate) text: String,
    pub(crate) content_type: String,
}

impl Harness {
    pub(crate) async fn new() -> Harness {
        Harness::with_limits(Limits::default()).await
    }

    pub(crate) async fn with_limits(limits: Limits) -> Harness {
        let dir = tempfile::tempdir().expect("temporary directory");
        let data_dir = dir.path().join("data");
        let store = Store::open(&data_dir, StoreConfig::default()).expect("opening the store");
        let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), data_dir);
        config.limits = limits;
        // These tests are about searching, not scope control (tests/it/safeguards.rs is):
        // short wildcard patterns run without a supervisor.
        config.safeguards.scope_rules.wildcard_literals_min = 1;
        config
            .safeguards
            .scope_rules
            .wildcard_literals_refused_below = 1;
        let state = AppState::open(config, Arc::new(store)).expect("opening the server state");
        let safeguards = state.safeguards();
        let operator_token = add_user(safeguards, "olly", Role::Operator, "Kent Police", None);
        let analyst_token = add_user(safeguards, "ana", Role::Analyst, "Kent Police", None);
        let harness = Harness {
            _dir: dir,
            router: router(state),
            operator_token,
            analyst_token,
        };
        let reply = harness.put_json("/api/v1/cameras", &cameras()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        harness
    }

    pub(crate) async fn request(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let token = match (&method, path) {
            (&Method::POST, "/api/v1/reads") | (&Method::PUT, "/api/v1/cameras") => {
                &self.operator_token
            }
            _ => &self.analyst_token,
        };
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header(HEADER_CASE, "OP-TEST/2026/0001")
            .header(HEADER_OFFENCE, "vehicle_crime")
            .header(HEADER_JUSTIFICATION, "handler tests of the history search");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let request = request.body(Body::from(body)).expect("a valid request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("reading the body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            json,
            text,
            content_type,
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, Vec::new()).await
    }

    pub(crate) async fn post_json(&self, path: &str, body: &Value) -> Reply {
        let bytes = serde_json::to_vec(body).expect("serialisable");
        self.request(Method::POST, path, Some("application/json"), bytes)
            .await
    }

    pub(crate) async fn put_json(&self, path: &str, body: &Value) -> Reply {
        let bytes = serde_json::to_vec(body).expect("serialisable");
        self.request(Method::PUT, path, Some("application/json"), bytes)
            .await
    }

    /// The read ids that an exact history query for `plate` returns.
    pub(crate) async fn read_ids_of(&self, plate: &str) -> Vec<String> {
        let reply = self.get(&format!("/api/v1/history?plate={plate}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.json["reads"]
            .as_array()
            .expect("reads")
            .iter()
            .map(|read| read["read_id"].as_str().expect("read_id").to_owned())
            .collect()
    }
}

/// Adds a user and returns a fresh API token of theirs.
pub(crate) fn add_user(
    safeguards: &Safeguards,
    name: &str,
    role: Role,
    agency: &str,
    agreement: Option<&str>,
) -> String {
    safeguards
        .users()
        .add_user(User {
            name: name.to_owned(),
            role,
            agency: agency.to_owned(),
            agreement: agreement.map(str::to_owned),
            disabled: false,
        })
        .expect("adding a user");
    let now = corridor_safeguards::util::now_micros();
    safeguards
        .users()
        .issue_token(name, "tests", None, now)
        .expect("issuing a token")
        .secret
}

/// The cameras every harness starts with.
pub(crate) fn cameras() -> Value {
    json!([
        {"camera_id": "C1", "name": "A16 Boulogne north", "lat": 50.7421, "lon": 1.6113,
         "heading": 180.0, "country": "FR", "operator": "DIRNO", "kind": "fixed", "infrared": true},
        {"camera_id": "M1", "name": "Kent van 3", "lat": 51.0, "lon": 1.0,
         "country": "GB", "operator": "Kent Police", "kind": "mobile", "infrared": false}
    ])
}

/// A valid read of `plate` by camera `C1` at `ts`.
pub(crate) fn read(read_id: &str, plate: &str, country: &str, ts: &str) -> Value {
    json!({
        "read_id": read_id, "plate": plate, "country": country, "camera_id": "C1", "ts": ts,
        "confidence": 0.9, "make": "Ford", "model": "Transit", "colour": "white",
        "vehicle_type": "van"
    })
}
