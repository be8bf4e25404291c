//! `GET /privacy`: the privacy policy, in English or French, from the very text the extension
//! ships (`extension/static/privacy.html`, included when the collector is built), so that what
//! a worker reads in the extension and on the collector cannot drift apart. The operator's
//! contact (`--operator-contact`) goes where the text leaves room for it.

use axum::extract::State;
use axum::response::Response;
use maud::{PreEscaped, html};

use super::SharedState;
use super::catalogue::Catalogue;
use super::html::{Here, page as html_page};
use super::language::{Language, PageQuery};
use crate::error::AppError;

/// The extension's page: an `<article lang="…">` per language.
const POLICY: &str = include_str!("../../../extension/static/privacy.html");
/// The element whose content the collector replaces with its operator's contact.
const CONTACT_OPEN: &str = "<span data-operator-contact>";

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
    let contact = html! { (contact.unwrap_or(Catalogue::of(language).privacy_no_contact)) };
    format!("{}{}{}", &article[..start], contact.into_string(), &article[end..])
}

/// `GET /privacy` and `GET /privacy?lang=fr`; without `lang`, the language of the browser's
/// `Accept-Language` header.
pub(super) async fn page(
    State(state): State<SharedState>,
    PageQuery { locale, .. }: PageQuery,
) -> Result<Response, AppError> {
    let language = locale.language;
    let body = html! {
        (PreEscaped(with_contact(article(language), state.config.operator_contact.as_deref(), language)))
    };
    let here = Here { path: "/privacy", parameters: &[] };
    Ok(html_page(locale, here, Catalogue::of(language).privacy_title, state.config.demo, body))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert!(without.contains(Catalogue::of(language).privacy_no_contact));
        }
    }
}
