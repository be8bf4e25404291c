//! The privacy policy at `/privacy`: the extension's own text (`extension/static/privacy.html`)
//! in English or French, chosen by `?lang=` or the browser's `Accept-Language`, with the
//! operator's contact; a bad `lang` is refused with the field named.

use crate::support::{answer, databases, start};

/// The extension's page, as the extension ships it.
fn extension_page() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../extension/static/privacy.html");
    std::fs::read_to_string(path).expect("reading the extension's privacy page")
}

/// The `<article>` of `language` in `html`.
fn article<'a>(html: &'a str, language: &str) -> &'a str {
    let start = html
        .find(&format!("<article lang=\"{language}\""))
        .unwrap_or_else(|| panic!("no {language} article"));
    let end = start + html[start..].find("</article>").expect("closed");
    &html[start..end]
}

/// `text` with the contact's span emptied, to compare a served article with the extension's.
fn without_contact(text: &str) -> String {
    let open = "<span data-operator-contact>";
    let start = text.find(open).expect("a place for the contact") + open.len();
    let end = start + text[start..].find("</span>").expect("closed");
    format!("{}{}", &text[..start], &text[end..])
}

#[tokio::test]
async fn the_policy_is_served_in_english_and_french_from_the_extensions_text() {
    let shipped = extension_page();
    for database in databases().await {
        let server = start(&database, |config| {
            config.operator_contact = Some("Research group <privacy@lab.example> & friends".to_owned());
        })
        .await;
        let backend = server.backend;
        for (request, language) in [
            (server.client.get(server.url("/privacy")), "en"),
            (server.client.get(server.url("/privacy?lang=fr")), "fr"),
            (server.client.get(server.url("/privacy?lang=en")).header("accept-language", "fr"), "en"),
            (
                server
                    .client
                    .get(server.url("/privacy"))
                    .header("accept-language", "fr-CA,fr;q=0.9,en;q=0.8"),
                "fr",
            ),
            (server.client.get(server.url("/privacy")).header("accept-language", "de-DE,de;q=0.9"), "en"),
            (server.client.get(server.url("/privacy")).header("accept-language", ";;,=q=,"), "en"),
        ] {
            let page = answer(request.send().await.expect("GET /privacy")).await;
            assert_eq!(page.status, 200, "{backend}: {}", page.text);
            assert!(page.text.contains(&format!("<html lang=\"{language}\">")), "{backend}: {language}");
            let served = article(&page.text, language);
            assert_eq!(
                without_contact(served),
                without_contact(article(&shipped, language)),
                "{backend}: {language}"
            );
            assert!(
                served.contains("<span data-operator-contact>Research group &lt;privacy@lab.example&gt; &amp; friends</span>"),
                "{backend}: the contact, escaped: {served}"
            );
            let other = if language == "en" { "fr" } else { "en" };
            assert!(
                !page.text.contains(&format!("<article lang=\"{other}\"")),
                "{backend}: one language per page"
            );
            assert!(!page.text.contains("<script"), "{backend}");
        }
        // The facts of the consent text, in each language.
        // The text is wrapped at any space.
        let words = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
        let english = words(server.get("/privacy").await.text);
        for fact in
            ["cut to the hour", "at least ten", "No IP address", "Delete my shared data", "Never sent"]
        {
            assert!(english.to_lowercase().contains(&fact.to_lowercase()), "{backend}: {fact}");
        }
        let french = words(server.get("/privacy?lang=fr").await.text);
        for fact in ["arrondies à l'heure", "au moins dix", "ni adresse IP", "Effacer mes", "Jamais envoyés"]
        {
            assert!(french.contains(fact), "{backend}: {fact}");
        }
        // Every page links to it.
        assert!(server.get("/").await.text.contains("href=\"/privacy\""), "{backend}");
        server.running.shut_down().await.expect("shutting down");
    }
}

#[tokio::test]
async fn without_a_contact_the_page_says_so_and_a_bad_language_is_refused() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        let english = server.get("/privacy").await;
        assert!(english.text.contains("this collector's operator has not given one"), "{backend}");
        let french = server.get("/privacy?lang=fr").await;
        assert!(french.text.contains("l'exploitant de ce collecteur n'en a pas indiqué"), "{backend}");
        for bad in ["de", "EN", "", "<script>", &"x".repeat(5000)] {
            let refused = server.get(&format!("/privacy?lang={bad}")).await;
            assert_eq!(refused.status, 400, "{backend}: {bad:.20}");
            assert!(refused.text.contains("lang: must be en or fr"), "{backend}: {}", refused.text);
            let kind = refused.headers["content-type"].to_str().unwrap_or("");
            assert!(kind.starts_with("application/json"), "{backend}: an API error, not a page: {kind}");
        }
        server.running.shut_down().await.expect("shutting down");
    }
}
