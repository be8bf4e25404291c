//! Client errors for people: a browser that asks for a page (its `Accept` names `text/html`)
//! and gets a 400, 404 or 405 from a page's address sees an HTML page in its language, saying
//! what was wrong in the API's words, instead of raw JSON. The JSON API (`/v1/…`, `/healthz`,
//! `/metrics`) always answers JSON, whoever asks.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;

use super::SharedState;
use super::html::error_page;
use super::language::{Language, Locale};

/// The largest error body read back: an `AppError`'s JSON is a sentence.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

fn is_api(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/") || path == "/healthz" || path == "/metrics"
}

/// Whether the client takes HTML: browsers navigating to a page name `text/html` in `Accept`.
fn accepts_html(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT).iter().filter_map(|value| value.to_str().ok()).any(|accept| {
        accept.split(',').any(|range| {
            let mut parts = range.split(';').map(str::trim);
            parts.next() == Some("text/html") && !parts.any(|parameter| parameter.replace(' ', "") == "q=0")
        })
    })
}

/// The language of an error page: `?lang=` when it names one of ours (an error page cannot
/// refuse it), else the browser's.
fn language_of(request: &Request) -> Locale {
    let chosen = form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
        .find(|(name, _)| name == "lang")
        .and_then(|(_, value)| Language::parse(&value));
    match chosen {
        Some(language) => Locale { language, from_url: true },
        None => Locale { language: Locale::of_headers(request.headers()), from_url: false },
    }
}

/// Turns the JSON body of a client error into an error page when a browser asked for a page.
pub(super) async fn for_browsers(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let wants_page = !is_api(request.uri().path()) && accepts_html(request.headers());
    let locale = language_of(&request);
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"application/json"));
    if !wants_page || !response.status().is_client_error() || !is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let message = axum::body::to_bytes(body, MAX_ERROR_BODY_BYTES)
        .await
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|body| body["error"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut page = error_page(locale, state.config.demo, parts.status, &message);
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            page.headers_mut().insert(name, value.clone());
        }
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clients_that_take_html_get_a_page_and_never_from_the_api() {
        let with = |accept: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT, accept.parse().expect("a header"));
            accepts_html(&headers)
        };
        assert!(with("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
        assert!(with("text/html"));
        assert!(!with("application/json"));
        assert!(!with("*/*"));
        assert!(!with("text/html;q=0, application/json"));
        assert!(!with("text/htmlx"));
        assert!(!accepts_html(&HeaderMap::new()));
        for path in ["/v1/wages", "/v1", "/healthz", "/metrics", "/v1/nowhere"] {
            assert!(is_api(path), "{path}");
        }
        for path in ["/", "/methodology", "/v1x", "/nowhere", "/privacy"] {
            assert!(!is_api(path), "{path}");
        }
    }
}
