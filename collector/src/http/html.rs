//! What every HTML page of the collector shares: the layout (head, stylesheet, demo banner), the
//! security policy it is sent with, the stylesheet, and how figures are written. Pages are maud
//! templates, which escape every value they insert, so no page escapes by hand.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, PreEscaped, html};

use crate::wages::DEMO_NOTICE;

const STYLESHEET: &str = include_str!("../../assets/dashboard.css");
/// Pages may load their own stylesheet and nothing else: no script, font, image or frame, from
/// anywhere. A browser enforces this even if a future change forgot the rule.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A whole page: `body` inside the common head, after the demo banner when `demo`, sent with
/// the pages' security policy.
pub(super) fn page(title: &str, demo: bool, body: Markup) -> Response {
    page_in("en", title, demo, body)
}

/// [`page`] in the language `language` (a BCP 47 tag: the privacy policy is also in French).
pub(super) fn page_in(language: &str, title: &str, demo: bool, body: Markup) -> Response {
    let markup = html! {
        (PreEscaped("<!doctype html>\n"))
        html lang=(language) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/assets/dashboard.css";
            }
            body {
                @if demo {
                    div class="demo-banner" id="demo-banner" role="note" {
                        (DEMO_NOTICE) ": this observatory is running in demonstration mode. Every figure below \
                        comes from " code { "piecerate simulate" } ", not from real workers."
                    }
                }
                (body)
                footer class="site-footer" {
                    a href="/privacy" lang="en" { "Privacy policy" } " · "
                    a href="/privacy?lang=fr" lang="fr" { "Politique de confidentialité" }
                }
            }
        }
    };
    let policy = HeaderValue::from_static(CONTENT_SECURITY_POLICY);
    ([(header::CONTENT_SECURITY_POLICY, policy)], Html(markup.into_string())).into_response()
}

/// `GET /assets/dashboard.css`.
pub(super) async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"))], STYLESHEET)
        .into_response()
}

/// US dollars as the pages write them: `$12.34`.
pub(super) fn dollars(value: f64) -> String {
    format!("${value:.2}")
}
