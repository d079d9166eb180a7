//! `HttpClient`: a small blocking JSON client for the API of a running server.

use anyhow::Context;
use std::time::Duration;

/// A blocking client bound to one server's base URL (`http://127.0.0.1:PORT`).
#[derive(Clone, Debug)]
pub struct HttpClient {
    base_url: String,
    http: reqwest::blocking::Client,
    /// Sent with every request (credentials, purpose).
    headers: reqwest::header::HeaderMap,
}

/// A response: its status and its body parsed as JSON (`Value::Null` for a non-JSON body,
/// whose text is kept in `text`).
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub json: serde_json::Value,
    pub text: String,
}

impl HttpClient {
    /// A client for `base_url`; each request gives up after `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> anyhow::Result<HttpClient> {
        let http = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .build()
            .context("building the HTTP client")?;
        Ok(HttpClient {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http,
            headers: reqwest::header::HeaderMap::new(),
        })
    }

    /// The same client, sending `name: value` with every request.
    pub fn with_header(mut self, name: &'static str, value: &str) -> HttpClient {
        let value = reqwest::header::HeaderValue::from_str(value)
            .unwrap_or_else(|_| panic!("header {name} must be visible ASCII: {value:?}"));
        self.headers.insert(name, value);
        self
    }

    /// The same client, sending `Authorization: Bearer <token>` with every request.
    pub fn with_bearer(self, token: &str) -> HttpClient {
        self.with_header("authorization", &format!("Bearer {token}"))
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `GET path` (a path with its query, e.g. `/api/v1/history?plate=AB12CDE`).
    pub fn get_json(&self, path: &str) -> anyhow::Result<Reply> {
        let url = format!("{}{path}", self.base_url);
        let response = self
            .http
            .get(&url)
            .headers(self.headers.clone())
            .send()
            .with_context(|| format!("GET {url}"))?;
        into_reply(response, &url)
    }

    /// `POST path` with a body of the given content type.
    pub fn post(&self, path: &str, content_type: &str, body: Vec<u8>) -> anyhow::Result<Reply> {
        let url = format!("{}{path}", self.base_url);
        let response = self
            .http
            .post(&url)
            .headers(self.headers.clone())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .with_context(|| format!("POST {url}"))?;
        into_reply(response, &url)
    }

    /// `POST path` with a JSON body.
    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> anyhow::Result<Reply> {
        self.post(path, "application/json", serde_json::to_vec(body)?)
    }

    /// `PUT path` with a JSON body.
    pub fn put_json(&self, path: &str, body: &serde_json::Value) -> anyhow::Result<Reply> {
        let url = format!("{}{path}", self.base_url);
        let response = self
            .http
            .put(&url)
            .headers(self.headers.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(body)?)
            .send()
            .with_context(|| format!("PUT {url}"))?;
        into_reply(response, &url)
    }
}

fn into_reply(response: reqwest::blocking::Response, url: &str) -> anyhow::Result<Reply> {
    let status = response.status().as_u16();
    let text = response
        .text()
        .with_context(|| format!("reading the body of {url}"))?;
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    Ok(Reply { status, json, text })
}
