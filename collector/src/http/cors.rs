//! Cross-origin rules: the write endpoints answer only the browser extension (origins
//! `chrome-extension://…` and `moz-extension://…`), so no web page can enroll, upload or erase
//! on a visitor's behalf; the read endpoints are public and readable from any origin.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

const WRITE_PATHS: [&str; 3] = ["/v1/installs", "/v1/installs/me", "/v1/records"];

/// Whether a request's `Origin` belongs to a browser extension.
pub fn is_extension_origin(origin: &str) -> bool {
    ["chrome-extension://", "moz-extension://"].iter().any(|scheme| {
        origin.strip_prefix(scheme).is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
    })
}

pub async fn cors(request: Request, next: Next) -> Response {
    let is_write_path = WRITE_PATHS.contains(&request.uri().path());
    let origin = request.headers().get(header::ORIGIN).cloned();
    let origin_text = origin.as_ref().and_then(|value| value.to_str().ok());
    let preflight = request.method() == Method::OPTIONS;
    if !is_write_path {
        if preflight {
            let mut response = StatusCode::NO_CONTENT.into_response();
            allow_public(response.headers_mut());
            return response;
        }
        let mut response = next.run(request).await;
        allow_public(response.headers_mut());
        return response;
    }
    // Requests without an Origin come from programs, not web pages, and carry their own token.
    if let Some(origin_text) = origin_text.filter(|o| !is_extension_origin(o)) {
        let origin_text: String = origin_text.chars().take(64).collect();
        return AppError::Forbidden(format!(
            "origin '{origin_text}' may not write here; only the piecerate browser extension may enroll, upload or erase"
        ))
        .into_response();
    }
    if origin.is_some() && origin_text.is_none() {
        return AppError::Forbidden("the Origin header is not readable text".into()).into_response();
    }
    let mut response =
        if preflight { StatusCode::NO_CONTENT.into_response() } else { next.run(request).await };
    let headers = response.headers_mut();
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        if preflight {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, DELETE"));
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("authorization, content-type, content-encoding"),
            );
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("retry-after"));
    }
    response
}

fn allow_public(headers: &mut HeaderMap) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_extension_origins_count() {
        assert!(is_extension_origin("chrome-extension://abcdefghijklmnopabcdefghijklmnop"));
        assert!(is_extension_origin("moz-extension://0b7e5a4c-8d2f-4b1e-9a51-3c6f0d2e7a18"));
        for origin in [
            "https://example.org",
            "chrome-extension://",
            "null",
            "chrome-extension://a/b",
            "moz-extension://x.evil",
        ] {
            assert!(!is_extension_origin(origin), "{origin}");
        }
    }
}
