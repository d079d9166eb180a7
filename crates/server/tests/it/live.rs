//! A real server on `127.0.0.1:0` (the real `Server`, a real store, safeguards and alert
//! engine in a temporary directory), a user and token per role, and an HTTP client.

use crate::support::add_user;
use corridor_safeguards::{Role, Safeguards};
use corridor_server::{
    HEADER_CASE, HEADER_JUSTIFICATION, HEADER_OFFENCE, Server, ServerConfig, WebhookTarget,
};
use corridor_store::{Store, StoreConfig};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The partner agencies of the tests, each bound to its own agreement: the Dutch partner
/// sees camera `C1` only (plate, time, camera), the French partner camera `M1` only (read
/// id, plate, time), the Belgian partner only reads that hit its own hotlist entries.
pub(crate) const AGREEMENTS: &str = r#"[
  {"id": "nl-kmar", "partner_agency": "KMar", "fields": ["plate", "ts", "camera_id"],
   "camera_ids": ["C1"], "scope": "reads"},
  {"id": "fr-dgddi", "partner_agency": "DGDDI", "fields": ["read_id", "plate", "ts"],
   "camera_ids": ["M1"], "scope": "reads"},
  {"id": "be-police", "partner_agency": "BelPol", "fields": ["read_id", "plate"],
   "all_regions": true, "scope": "hits_only"}
]"#;

/// A running server and a token for each user.
pub(crate) struct LiveServer {
    pub(crate) url: String,
    pub(crate) safeguards: Arc<Safeguards>,
    pub(crate) data_dir: std::path::PathBuf,
    tokens: HashMap<String, String>,
    http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

/// A response: status and JSON body (`Value::Null` when the body is not JSON).
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) json: Value,
    pub(crate) text: String,
}

impl LiveServer {
    /// A server with default safeguards, the [`AGREEMENTS`], and users `<role>` (one per
    /// role; the partner is `partner`, of the Dutch agreement), `partner-fr`, `partner-be`
    /// and `partner-mallory` (a Dutch partner naming the French agreement).
    pub(crate) async fn start(webhooks: Vec<WebhookTarget>) -> LiveServer {
        let dir = tempfile::tempdir().expect("temporary directory");
        let data_dir = dir.path().join("data");
        let agreements = corridor_safeguards::SafeguardsPaths::under(&data_dir).agreements;
        std::fs::create_dir_all(agreements.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&agreements, AGREEMENTS).expect("writing the agreements");
        let store = Store::open(&data_dir, StoreConfig::default()).expect("opening the store");
        let mut config = ServerConfig::new("127.0.0.1:0".parse().unwrap(), &data_dir);
        config.webhooks = webhooks;
        let server = Server::bind(config, Arc::new(store))
            .await
            .expect("binding");
        let safeguards = Arc::clone(server.state().safeguards());
        let mut tokens = HashMap::new();
        for role in Role::ALL {
            let (agency, agreement) = match role {
                Role::Partner => ("KMar", Some("nl-kmar")),
                _ => ("Kent Police", None),
            };
            let token = add_user(&safeguards, role.as_str(), role, agency, agreement);
            tokens.insert(role.as_str().to_owned(), token);
        }
        for (name, agency, agreement) in [
            ("partner-fr", "DGDDI", "fr-dgddi"),
            ("partner-be", "BelPol", "be-police"),
            ("partner-mallory", "KMar", "fr-dgddi"),
        ] {
            let token = add_user(&safeguards, name, Role::Partner, agency, Some(agreement));
            tokens.insert(name.to_owned(), token);
        }
        let url = format!("http://{}", server.local_addr());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        let live = LiveServer {
            url,
            safeguards,
            data_dir,
            tokens,
            http: reqwest::Client::new(),
            stop: Some(stop),
            _dir: dir,
        };
        let reply = live
            .send(
                "operator",
                reqwest::Method::PUT,
                "/api/v1/cameras",
                Some(cameras()),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        live
    }

    /// A request as `user` (no `Authorization` header when `user` is empty), declaring a
    /// valid purpose.
    pub(crate) fn request(
        &self,
        user: &str,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header(HEADER_CASE, "OP-TIDE/2026/0042")
            .header(HEADER_OFFENCE, "people_smuggling")
            .header(
                HEADER_JUSTIFICATION,
                "van seen at the Coquelles loading point twice",
            );
        if !user.is_empty() {
            request = request.bearer_auth(self.token(user));
        }
        request
    }

    /// Sends a request as `user` with an optional JSON body and reads the whole reply.
    pub(crate) async fn send(
        &self,
        user: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.request(user, method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        reply(request.send().await.expect("the server answers")).await
    }

    pub(crate) async fn get(&self, user: &str, path: &str) -> Reply {
        self.send(user, reqwest::Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, user: &str, path: &str, body: Value) -> Reply {
        self.send(user, reqwest::Method::POST, path, Some(body))
            .await
    }

    /// `GET path` with a raw bearer token and no purpose headers.
    pub(crate) async fn http_get_with_token(&self, token: &str, path: &str) -> Reply {
        let request = self
            .http
            .get(format!("{}{path}", self.url))
            .bearer_auth(token);
        reply(request.send().await.expect("the server answers")).await
    }

    pub(crate) fn token(&self, user: &str) -> &str {
        self.tokens
            .get(user)
            .unwrap_or_else(|| panic!("no user `{user}`"))
    }

    pub(crate) fn audit_dir(&self) -> &Path {
        self.safeguards.audit().dir()
    }
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub(crate) async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let text = response.text().await.expect("reading the body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, json, text }
}

/// Camera `C1` (Boulogne, the Dutch partner's) and `M1` (Kent, the French partner's).
fn cameras() -> Value {
    json!([
        {"camera_id": "C1", "name": "A16 Boulogne north", "lat": 50.7421, "lon": 1.6113,
         "country": "FR", "operator": "DIRNO", "kind": "fixed", "infrared": true},
        {"camera_id": "M1", "name": "Kent van 3", "lat": 51.0, "lon": 1.0,
         "country": "GB", "operator": "Kent Police", "kind": "mobile", "infrared": false}
    ])
}

/// A read of `plate` by `camera_id`, `days_ago` days before now.
pub(crate) fn recent_read(read_id: &str, plate: &str, camera_id: &str, days_ago: i64) -> Value {
    let ts = chrono::Utc::now() - chrono::Duration::days(days_ago);
    json!({
        "read_id": read_id, "plate": plate, "country": "GB", "camera_id": camera_id,
        "ts": ts.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "confidence": 0.9, "make": "Ford", "model": "Transit", "colour": "white",
        "vehicle_type": "van"
    })
}
