//! The analyst's web UI: the files of `web/` as built by `build.rs`, embedded in the binary
//! and served at `/` without a token (they hold no data; every call they make carries one).

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The built UI: (URL path, contents), sorted by path.
static ASSETS: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/ui_assets.rs"));

/// Scripts, styles, images and workers only from this origin; MapLibre needs `blob:` workers,
/// `data:` images and inline style attributes.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; worker-src 'self' blob:; \
    child-src blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Whether a request is for the UI rather than the API: a `GET` or `HEAD` outside `/api/`.
pub(crate) fn is_ui_request(request: &Request) -> bool {
    let path = request.uri().path();
    matches!(*request.method(), Method::GET | Method::HEAD)
        && !path.starts_with("/api/")
        && path != "/health"
        && path != "/metrics"
}

/// Serves a built file, or `index.html` for any other path (the app routes in the page).
pub(crate) fn serve(path: &str) -> Response {
    let (url, bytes) = asset(path)
        .or_else(|| asset("/index.html"))
        .expect("build.rs checks that index.html was built");
    let cache = if url.starts_with("/assets/") {
        // Vite names these files by content hash.
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = (StatusCode::OK, *bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(url)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn asset(path: &str) -> Option<&'static (&'static str, &'static [u8])> {
    let path = if path == "/" { "/index.html" } else { path };
    ASSETS
        .binary_search_by(|(url, _)| (*url).cmp(path))
        .ok()
        .map(|index| &ASSETS[index])
}

fn content_type(url: &str) -> &'static str {
    let extension = url.rsplit_once('.').map_or("", |(_, extension)| extension);
    match extension {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "geojson" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}
