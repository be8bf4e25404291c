//! Cross-origin rules: the write endpoints answer only the browser extension (origins
//! `chrome-extension://…` and `moz-extension://…`), so no web page can enroll, upload or erase
//! on a visitor's behalf; the read endpoints are public and readable from any origin. Each rule
//! is a layer of the router it protects (`super::router`), so no list of paths is kept here.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderName, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use crate::error::AppError;

/// Whether a request's `Origin` belongs to a browser extension.
fn is_extension_origin(origin: &str) -> bool {
    ["chrome-extension://", "moz-extension://"].iter().any(|scheme| {
        origin.strip_prefix(scheme).is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
    })
}

/// Read endpoints: any origin may read them.
pub(super) fn public() -> CorsLayer {
    CorsLayer::new().allow_origin(Any).allow_methods([Method::GET]).vary([] as [HeaderName; 0])
}

/// Write endpoints: an extension origin is answered as itself, with the methods and headers
/// the extension sends; `Retry-After` is readable so it can wait when rate-limited.
pub(super) fn extension_origins() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin, _| origin.to_str().is_ok_and(is_extension_origin)))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::CONTENT_ENCODING])
        .max_age(Duration::from_secs(600))
        .expose_headers([header::RETRY_AFTER])
        .vary([header::ORIGIN])
}

/// Refuses, with 403 and before any handler runs, a write request whose `Origin` is not an
/// extension's, preflights included. Requests without an `Origin` come from programs, not web
/// pages, and carry their own token.
///
/// `CorsLayer` cannot express this rule: it only chooses response headers. Observed with
/// tower-http 0.6 and this middleware removed, `tests/integration/bad_input.rs` fails: an upload
/// sent with `Origin: https://example.org` was stored (200, one record accepted), because the
/// layer hands every request that is not a preflight to the handler whatever its origin and only
/// leaves out `Access-Control-Allow-Origin`; the browser hides the answer, not the effect.
pub(super) async fn refuse_other_origins(request: Request, next: Next) -> Response {
    match request.headers().get(header::ORIGIN).map(|origin| origin.to_str()) {
        None => next.run(request).await,
        Some(Ok(origin)) if is_extension_origin(origin) => next.run(request).await,
        Some(Ok(origin)) => {
            let origin: String = origin.chars().take(64).collect();
            AppError::Forbidden(format!(
                "origin '{origin}' may not write here; only the piecerate browser extension may enroll, upload or erase"
            ))
            .into_response()
        }
        Some(Err(_)) => AppError::Forbidden("the Origin header is not readable text".into()).into_response(),
    }
}

/// Answers preflights `204 No Content`, as the collector always has.
///
/// `CorsLayer` cannot express this either: observed with tower-http 0.6, it answers every
/// `OPTIONS` request `200 OK` with an empty body. Browsers accept any 2xx, so this keeps the
/// answer the API and its tests have always given rather than fixing a fault.
pub(super) async fn preflights_answer_no_content(request: Request, next: Next) -> Response {
    let preflight = request.method() == Method::OPTIONS;
    let mut response = next.run(request).await;
    if preflight && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::NO_CONTENT;
    }
    response
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
