//! The dashboard as an advocate uses it (issue 12): its month and platform filters change the
//! figures, it states the period of its data rather than a database counter, it speaks English
//! and French, the methodology is a page, and a browser gets its errors as pages.

use crate::support::{Answer, TestServer, answer, databases, start, task};

/// Twelve mturk workers in the United States, earning $2 an hour in May 2024 and $4 in June;
/// ten prolific workers in the United Kingdom in May only.
async fn two_months_of_work(server: &TestServer) {
    const JUNE: i64 = 31 * 24;
    for _ in 0..12 {
        let token = server.enroll().await;
        let records = [task(1, 0, "mturk", "US", "2.00"), task(2, JUNE, "mturk", "US", "4.00")];
        assert_eq!(server.upload(&token, &records).await.status, 200);
    }
    for _ in 0..10 {
        let token = server.enroll().await;
        assert_eq!(server.upload(&token, &[task(1, 5, "prolific", "GB", "9.00")]).await.status, 200);
    }
    // The pages show the latest snapshot's figures: every cell here changed for ten workers.
    server.publish_snapshot_now().await;
}

/// A page as a browser asks for it.
async fn browse(server: &TestServer, path: &str, language: &str) -> Answer {
    let request = server
        .client
        .get(server.url(path))
        .header("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        .header("accept-language", language);
    answer(request.send().await.expect("a page")).await
}

/// The text of the mturk/US row of the table, in either language.
fn mturk_us_row(html: &str) -> &str {
    let start = html.find("(US)</span>").expect("the mturk/US row");
    &html[start..start + html[start..].find("</tr>").expect("the row ends")]
}

#[tokio::test]
async fn the_month_and_platform_filters_change_the_figures() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        two_months_of_work(&server).await;
        let all = server.get("/").await;
        assert!(mturk_us_row(&all.text).contains("<td>$3.00</td>"), "{backend}: {}", mturk_us_row(&all.text));
        // The issue: `/?month=2025-01` was ignored.
        let may = server.get("/?month=2024-05").await;
        assert_eq!(may.status, 200, "{backend}: {}", may.text);
        assert!(mturk_us_row(&may.text).contains("<td>$2.00</td>"), "{backend}: {}", mturk_us_row(&may.text));
        let june = server.get("/?month=2024-06&method=paid").await;
        assert!(mturk_us_row(&june.text).contains("<td>$4.00</td>"), "{backend}");
        assert!(!june.text.contains("(GB)"), "{backend}: the prolific workers have no June");
        assert!(
            june.text
                .contains("href=\"/v1/wages.csv?by=platform,country&amp;method=paid&amp;month=2024-06\"")
        );
        // Links, no script: each filter is a link that keeps the other choices.
        for link in [
            "href=\"/?method=paid&amp;month=2024-05\"",
            "href=\"/?method=paid\"",
            "href=\"/?method=paid&amp;month=2024-06&amp;platform=prolific\"",
        ] {
            assert!(june.text.contains(link), "{backend}: no {link}");
        }
        assert!(
            june.text.contains("aria-current=\"page\">Jun<span class=\"visually-hidden\"> 2024</span></a>"),
            "{backend}"
        );
        let prolific = server.get("/?platform=prolific").await;
        assert!(prolific.text.contains("(GB)") && !prolific.text.contains("(US)"), "{backend}");
        assert!(!prolific.text.contains("data-platform=\"mturk\""), "{backend}: the chart is filtered too");
        // A month with no records shows no figure, and says so.
        let empty = server.get("/?month=2023-01").await;
        assert_eq!(empty.status, 200);
        assert!(empty.text.contains("No group has records for this choice."), "{backend}");
        for (path, field) in [
            ("/?month=2024-13", "month: "),
            ("/?month=May", "month: "),
            ("/?platform=upwork", "platform: "),
            ("/?lang=de", "lang: "),
            ("/?month=2024-05&month=2024-06", "month: "),
        ] {
            let refused = server.get(path).await;
            assert_eq!(refused.status, 400, "{backend}: {path}");
            let error = refused.body["error"].as_str().unwrap_or("");
            assert!(error.starts_with(field), "{backend}: {path}: {error}");
        }
        server.running.shut_down().await.expect("shutting down");
    }
}

#[tokio::test]
async fn the_dashboard_states_its_period_a_trend_and_each_countrys_threshold() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        two_months_of_work(&server).await;
        let page = server.get("/").await;
        // The issue: "Data version 1593", a database counter nobody can cite.
        assert!(!page.text.to_lowercase().contains("data version"), "{backend}");
        assert!(page.text.contains("Data from May 2024 to June 2024 · figures computed 20"), "{backend}");
        // A trend per platform with its figures as text, not only in the SVG.
        let trend = &page.text[page.text.find("data-platform=\"mturk\"><svg").expect("mturk's trend")..];
        let trend = &trend[..trend.find("</figure>").expect("its end")];
        assert!(trend.contains("<polyline class=\"median-line\""), "{backend}: {trend:.300}");
        assert!(trend.contains("<polygon class=\"band\""), "{backend}");
        for row in [
            "<th scope=\"row\">May 2024</th><td>12</td><td>$2.00</td>",
            "<th scope=\"row\">June 2024</th><td>12</td><td>$4.00</td>",
        ] {
            assert!(trend.contains(row), "{backend}: no '{row}' in the trend's figures");
        }
        // The spread's figures, as a table.
        assert!(page.text.contains("<table class=\"figures\" id=\"spread-figures\">"), "{backend}");
        // The threshold per country, in local currency and dated.
        let thresholds = &page.text[page.text.find("id=\"thresholds-table\"").expect("the thresholds")..];
        assert!(
            thresholds.contains("<td class=\"threshold\">$7.25/h</td><td>2009-07-24</td>"),
            "{backend}: {thresholds:.600}"
        );
        assert!(thresholds.contains("data-country=\"GB\""), "{backend}");
        server.running.shut_down().await.expect("shutting down");
    }
}

#[tokio::test]
async fn the_dashboard_speaks_the_browsers_language_and_the_url_can_change_it() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        two_months_of_work(&server).await;
        let french = browse(&server, "/?month=2024-05", "fr-FR,fr;q=0.9,en;q=0.5").await;
        assert_eq!(french.status, 200);
        assert!(french.text.contains("<html lang=\"fr\">"), "{backend}");
        assert!(french.text.contains("Salaires horaires effectifs"), "{backend}");
        assert!(french.text.contains("Données de mai 2024 à juin 2024"), "{backend}");
        // Numbers as French writes them: a decimal comma, the sign after a thin space.
        assert!(mturk_us_row(&french.text).contains("<td>2,00\u{202f}$</td>"), "{backend}");
        assert!(french.text.contains("7,25\u{202f}$/h"), "{backend}");
        // Countries by their French names, short enough for a phone, in the table and the
        // thresholds; none is marked as English any more.
        assert!(french.text.contains("<span class=\"country-name\">États-Unis (US)</span>"), "{backend}");
        assert!(french.text.contains("<th scope=\"row\">Royaume-Uni (GB)</th>"), "{backend}");
        assert!(!french.text.contains("<span lang=\"en\">United"), "{backend}");
        // The report's notes in French too, none left marked as English.
        assert!(
            french.text.contains("<li>Un travailleur est sous le salaire minimum local quand"),
            "{backend}"
        );
        assert!(!french.text.contains("<li lang=\"en\">"), "{backend}");
        // The switch keeps the page and carries its language in the URL only.
        assert!(french.text.contains("href=\"/?month=2024-05&amp;lang=en\""), "{backend}");
        assert!(
            french.text.contains("href=\"/?method=paid&amp;month=2024-05\""),
            "{backend}: links without lang"
        );
        let chosen = browse(&server, "/?lang=en", "fr").await;
        assert!(chosen.text.contains("<html lang=\"en\">"), "{backend}");
        assert!(
            chosen.text.contains("href=\"/?method=paid&amp;lang=en\""),
            "{backend}: a chosen language stays"
        );
        assert!(chosen.text.contains("href=\"/methodology?lang=en\""), "{backend}");
        let switched = browse(&server, "/?lang=fr", "en").await;
        assert!(switched.text.contains("Heures comptées"), "{backend}");
        assert!(!switched.text.contains("Hours counted"), "{backend}");
        let english = browse(&server, "/", "de-DE,de;q=0.9").await;
        assert!(english.text.contains("<html lang=\"en\">"), "{backend}");
        server.running.shut_down().await.expect("shutting down");
    }
}

#[tokio::test]
async fn the_methodology_is_a_page_and_errors_are_pages_for_browsers() {
    for database in databases().await {
        let server = start(&database, |_| {}).await;
        let backend = server.backend;
        // The issue: raw markdown (`# Methodology`, `**$2/h**`, table pipes) and Rust paths.
        let methodology = browse(&server, "/methodology", "en").await;
        assert_eq!(methodology.status, 200);
        let html = &methodology.text;
        assert_eq!(html.matches("<h1>").count(), 1, "{backend}");
        assert!(html.contains("<main id=\"main\">") && html.contains("<strong>$2/h</strong>"), "{backend}");
        for raw in ["# Methodology", "**", "|---", ".rs<", "analysis/src/"] {
            assert!(!html.contains(raw), "{backend}: the page shows '{raw}'");
        }
        let french = browse(&server, "/methodology", "fr").await;
        assert!(
            french.text.contains("Cette page n'existe qu'en anglais.") && french.text.contains("lang=\"en\"")
        );

        // The issue: 400 and 404 answered a browser with raw JSON.
        for (path, status, heading) in [
            ("/nowhere", 404, "Page not found"),
            ("/?month=2024-13", 400, "This address asks for something the observatory does not publish"),
            ("/methodology?lang=xx", 400, "This address asks for something the observatory does not publish"),
        ] {
            let page = browse(&server, path, "en").await;
            assert_eq!(page.status, status, "{backend}: {path}");
            assert!(
                page.headers["content-type"].to_str().unwrap_or("").starts_with("text/html"),
                "{backend}: {path}"
            );
            assert!(page.text.contains(&format!("<h1>{heading}</h1>")), "{backend}: {path}: {}", page.text);
            assert!(page.text.contains("<main id=\"main\">"), "{backend}");
        }
        let refused = browse(&server, "/?month=2024-13", "fr").await;
        assert!(refused.text.contains("month: ") && refused.text.contains("<html lang=\"fr\">"), "{backend}");
        let not_allowed = answer(
            server.client.post(server.url("/")).header("accept", "text/html").send().await.expect("a POST"),
        )
        .await;
        assert_eq!(not_allowed.status, 405, "{backend}");
        assert!(not_allowed.text.contains("<h1>"), "{backend}");
        assert_eq!(not_allowed.headers["allow"], "GET,HEAD", "{backend}");
        // The JSON API keeps JSON, whoever asks; other clients keep JSON everywhere.
        for path in ["/v1/nowhere", "/v1/wages?month=2024-13"] {
            let api = browse(&server, path, "en").await;
            assert!(
                api.headers["content-type"].to_str().unwrap_or("").starts_with("application/json"),
                "{path}"
            );
            assert!(api.body["error"].is_string(), "{backend}: {path}");
        }
        let script = server.get("/nowhere").await;
        assert_eq!((script.status, script.body["error"].is_string()), (404, true), "{backend}");
        server.running.shut_down().await.expect("shutting down");
    }
}
