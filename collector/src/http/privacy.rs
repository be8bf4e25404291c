//! `GET /privacy`: the privacy policy, in English or French, from the very text the extension
//! ships (`extension/static/privacy.html`, included when the collector is built), so that what
//! a worker reads in the extension and on the collector cannot drift apart. The operator's
//! contact (`--operator-contact`) goes where the text leaves room for it.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::response::Response;
use fluent_langneg::{
    LanguageIdentifier, NegotiationStrategy, negotiate_languages, parse_accepted_languages,
};
use maud::{PreEscaped, html};
use serde::Deserialize;

use super::SharedState;
use super::html::page_in;
use crate::error::AppError;

/// The extension's page: an `<article lang="…">` per language.
const POLICY: &str = include_str!("../../../extension/static/privacy.html");
/// The element whose content the collector replaces with its operator's contact.
const CONTACT_OPEN: &str = "<span data-operator-contact>";

/// The languages the policy is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    English,
    French,
}

impl Language {
    const ALL: [Language; 2] = [Language::English, Language::French];

    fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }

    fn parse(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|language| language.code() == code)
    }

    /// The browser's preferred language among ours (fluent-langneg's lookup, which follows the
    /// header's order, as browsers send it by falling weight); English by default.
    fn negotiate(accept_language: &str) -> Language {
        let requested = parse_accepted_languages(accept_language);
        let available: Vec<LanguageIdentifier> =
            Language::ALL.iter().filter_map(|language| language.code().parse().ok()).collect();
        let default = available.first().cloned();
        let chosen =
            negotiate_languages(&requested, &available, default.as_ref(), NegotiationStrategy::Lookup);
        chosen
            .first()
            .and_then(|chosen| Language::parse(chosen.language.as_str()))
            .unwrap_or(Language::English)
    }

    /// What the page says when the operator gave no contact.
    fn no_contact(self) -> &'static str {
        match self {
            Language::English => "this collector's operator has not given one",
            Language::French => "l'exploitant de ce collecteur n'en a pas indiqué",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Language::English => "piecerate: privacy policy",
            Language::French => "piecerate : politique de confidentialité",
        }
    }
}

/// The policy's text in `language`: its `<article>` in the extension's page, as written there.
pub(crate) fn article(language: Language) -> &'static str {
    let open = format!("<article lang=\"{}\"", language.code());
    let start = POLICY.find(&open).expect("extension/static/privacy.html has an article per language");
    let length = POLICY[start..].find("</article>").expect("each article is closed") + "</article>".len();
    &POLICY[start..start + length]
}

/// The article with the operator's contact (escaped) in the place the text leaves for it.
fn with_contact(article: &str, contact: Option<&str>, language: Language) -> String {
    let start =
        article.find(CONTACT_OPEN).expect("the policy has a place for the contact") + CONTACT_OPEN.len();
    let end = start + article[start..].find("</span>").expect("the contact's span is closed");
    let contact = html! { (contact.unwrap_or(language.no_contact())) };
    format!("{}{}{}", &article[..start], contact.into_string(), &article[end..])
}

#[derive(Debug, Deserialize)]
pub(super) struct PrivacyParams {
    lang: Option<String>,
}

/// `GET /privacy` and `GET /privacy?lang=fr`; without `lang`, the language of the browser's
/// `Accept-Language` header.
pub(super) async fn page(
    State(state): State<SharedState>,
    Query(params): Query<PrivacyParams>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let language = match params.lang.as_deref() {
        Some(code) => Language::parse(code).ok_or_else(|| {
            AppError::BadRequest(format!(
                "lang must be en or fr (got '{}')",
                code.chars().take(20).collect::<String>()
            ))
        })?,
        None => headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .map_or(Language::English, Language::negotiate),
    };
    let other = if language == Language::English { Language::French } else { Language::English };
    let body = html! {
        p {
            a href="/" { "piecerate" } " · "
            a href={ "/privacy?lang=" (other.code()) } hreflang=(other.code()) lang=(other.code()) {
                @if other == Language::French { "Français" } @else { "English" }
            }
        }
        (PreEscaped(with_contact(article(language), state.config.operator_contact.as_deref(), language)))
    };
    Ok(page_in(language.code(), language.title(), state.config.demo, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browsers_language_is_chosen_among_english_and_french() {
        for (header, expected) in [
            ("fr-CA,fr;q=0.9,en;q=0.8", Language::French),
            ("fr", Language::French),
            ("en-GB,en;q=0.9,fr;q=0.5", Language::English),
            ("de-DE,de;q=0.9", Language::English),
            ("de-DE,fr;q=0.5", Language::French),
            ("", Language::English),
            ("*", Language::English),
            (";;;,,,=q", Language::English),
            (&"x".repeat(10_000), Language::English),
        ] {
            assert_eq!(Language::negotiate(header), expected, "{header:.40}");
        }
    }

    #[test]
    fn each_language_has_its_article_with_a_place_for_the_contact() {
        for language in Language::ALL {
            let text = article(language);
            assert!(text.starts_with(&format!("<article lang=\"{}\"", language.code())));
            assert_eq!(text.matches(CONTACT_OPEN).count(), 1);
            let filled = with_contact(text, Some("Union <x> & co"), language);
            assert!(
                filled.contains("<span data-operator-contact>Union &lt;x&gt; &amp; co</span>"),
                "{filled}"
            );
            let without = with_contact(text, None, language);
            assert!(without.contains(language.no_contact()));
        }
    }
}
