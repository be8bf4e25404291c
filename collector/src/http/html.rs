//! What every HTML page of the collector shares: the layout (the site's header with the demo
//! banner, its navigation and the language switch; the page's `<main>`; the footer), the
//! security policy it is sent with, and the stylesheet. Pages are maud templates, which escape
//! every value they insert, so no page escapes by hand.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, PreEscaped, html};

use super::catalogue::Catalogue;
use super::language::Locale;

const STYLESHEET: &str = include_str!("../../assets/dashboard.css");
/// Pages may load their own stylesheet and nothing else: no script, font, image or frame, from
/// anywhere. A browser enforces this even if a future change forgot the rule.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Where a page is: its path and the query parameters that make it (the language aside), so
/// the language switch can link to the same page in the other language.
#[derive(Debug, Clone, Copy)]
pub(super) struct Here<'a> {
    pub path: &'a str,
    pub parameters: &'a [(&'a str, &'a str)],
}

/// A whole page: `body` inside `<main>`, after the site's header (the demo banner when `demo`,
/// the navigation, the language switch), sent with the pages' security policy.
pub(super) fn page(locale: Locale, here: Here<'_>, title: &str, demo: bool, body: Markup) -> Response {
    layout(locale, Some(here), title, demo, body)
}

/// The layout; the language switch only where the page exists in both languages.
fn layout(locale: Locale, here: Option<Here<'_>>, title: &str, demo: bool, body: Markup) -> Response {
    let text = Catalogue::of(locale.language);
    let other = locale.language.other();
    let markup = html! {
        (PreEscaped("<!doctype html>\n"))
        html lang=(locale.language.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/assets/dashboard.css";
            }
            body {
                header class="site" {
                    @if demo {
                        p class="demo-banner" id="demo-banner" {
                            (text.demo_banner_before) " " code { "piecerate simulate" } (text.demo_banner_after)
                        }
                    }
                    nav class="site-navigation" aria-label=(text.site_navigation) {
                        @let path = here.map_or("", |here| here.path);
                        a href=(locale.link("/", &[])) aria-current=[(path == "/").then_some("page")] {
                            (text.nav_wages)
                        }
                        a href=(locale.link("/methodology", &[]))
                            aria-current=[(path == "/methodology").then_some("page")] {
                            (text.nav_methodology)
                        }
                        @if let Some(here) = here {
                        span class="language-switch" {
                            (text.language_switch) ": "
                            a id="language-switch" href=(locale.switch(here.path, here.parameters))
                                hreflang=(other.code()) lang=(other.code()) {
                                (other.own_name())
                            }
                        }
                        }
                    }
                }
                main id="main" {
                    (body)
                }
                footer class="site-footer" {
                    a href=(locale.link("/privacy", &[])) { (text.privacy_link) }
                }
            }
        }
    };
    let policy = HeaderValue::from_static(CONTENT_SECURITY_POLICY);
    ([(header::CONTENT_SECURITY_POLICY, policy)], Html(markup.into_string())).into_response()
}

/// The page a browser gets for a client error (a 400, a 404, a 405) instead of the API's JSON:
/// what went wrong, in the API's own words, and the way back.
pub(super) fn error_page(locale: Locale, demo: bool, status: StatusCode, message: &str) -> Response {
    let text = Catalogue::of(locale.language);
    let heading = text.error_heading(status.as_u16());
    let body = html! {
        h1 { (heading) }
        p { (text.error_what) " " span class="error-message" lang="en" { (message) } }
        p { a href=(locale.link("/", &[])) { (text.error_back) } }
    };
    let title = format!("piecerate: {heading} ({})", status.as_u16());
    let mut response = page(locale, Here { path: "/", parameters: &[] }, &title, demo, body);
    *response.status_mut() = status;
    response
}

/// `GET /assets/dashboard.css`.
pub(super) async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"))], STYLESHEET)
        .into_response()
}
