//! `/brief` and `/brief.pdf`: the observatory's brief is the document `piecerate brief
//! --disclosure-control` makes of the same records (same renderer, same publication; the
//! provenance aside), printed to PDF by the browser the operator names, or a 503 that says how
//! to get it without one.

use analysis::ReportBuilder;
use analysis::report::{DisclosureRules, Publication, ReportOptions};
use analysis::simulate::{Simulation, SimulationOptions};
use piecerate_brief::pdf::Browser;
use piecerate_brief::{Figures, Language, Provenance, Source, render_html};

use crate::support::{BACKGROUND_WAIT, databases, start};

const WORKERS: u64 = 300;

/// The document without its provenance section (which says when and from what it was made)
/// and without the snapshot it cites (an observatory's, which a brief of files has not).
fn without_provenance(html: &str) -> String {
    let start = html.find("<section aria-labelledby=\"provenance-heading\"").expect("a provenance section");
    let end = start + html[start..].find("</section>").expect("its end") + "</section>".len();
    let html = format!("{}{}", &html[..start], &html[end..]);
    match html.find("<p class=\"as-of\"") {
        Some(start) => {
            let end = start + html[start..].find("</p>").expect("its end") + "</p>".len();
            format!("{}{}", &html[..start], &html[end..])
        }
        None => html,
    }
}

/// What `piecerate brief --disclosure-control` makes of the demo's records: the records of
/// `piecerate simulate --workers 300 --seed 2024` (the demo's seed) read into per-worker totals,
/// published together, rendered.
fn clis_brief(language: Language) -> String {
    let options =
        ReportOptions { grouping: "platform,country,month".parse().unwrap(), ..ReportOptions::default() };
    let mut builder = ReportBuilder::new(options.clone());
    for record in Simulation::new(SimulationOptions { workers: WORKERS, seed: 2024 }) {
        builder.add(&record);
    }
    let totals = builder.into_totals().unwrap();
    let publication =
        Publication::new(options, DisclosureRules::default(), &Figures::METHODS, totals).unwrap();
    let figures = Figures::build(|method, grouping| publication.report(method, grouping, None)).unwrap();
    let provenance = Provenance {
        generated_at: String::new(),
        tool: String::new(),
        commit: None,
        period: None,
        parameters: String::new(),
        source: Source::Files { inputs: Vec::new(), repeated_records: 0 },
    };
    render_html(&figures, &provenance, language)
}

#[tokio::test]
async fn the_observatorys_brief_is_the_clis_document_of_the_same_records() {
    let browser = Browser::find(None).expect("Chromium, which scripts/install-deps installs");
    for database in databases().await {
        let server = start(&database, |config| {
            config.demo = true;
            config.demo_workers = WORKERS;
            config.browser = Some(browser.path().to_owned());
            // A print takes a few seconds, more on a loaded test machine.
            config.request_timeout = std::time::Duration::from_secs(180);
        })
        .await;
        for (language, query) in [(Language::En, ""), (Language::Fr, "?lang=fr")] {
            let response = server.client.get(server.url(&format!("/brief{query}"))).send().await.unwrap();
            assert_eq!(response.status(), 200);
            let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
            assert!(policy.contains("style-src 'sha256-") && !policy.contains("unsafe"), "{policy}");
            let html = response.text().await.unwrap();
            assert_eq!(
                without_provenance(&html),
                without_provenance(&clis_brief(language)),
                "{}",
                database.backend
            );
            assert!(html.contains("synthetic demonstration data"));
            let response = server.client.get(server.url(&format!("/brief.pdf{query}"))).send().await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["content-type"], "application/pdf");
            assert!(response.bytes().await.unwrap().starts_with(b"%PDF-"));
        }
        let bad = server.get("/brief?lang=de").await;
        assert_eq!(bad.status, 400, "{}", bad.text);
        assert!(bad.text.contains("lang"), "{}", bad.text);
        let bad = server.get("/brief.pdf?lang=en&x=<b>").await;
        assert_eq!(bad.status, 400, "{}", bad.text);
    }
}

#[tokio::test]
async fn without_a_browser_the_pdf_is_a_503_that_names_the_fix() {
    for database in databases().await {
        let server = start(&database, |config| {
            config.demo = true;
            config.demo_workers = 30;
        })
        .await;
        let answer = server.get("/brief.pdf").await;
        assert_eq!(answer.status, 503);
        assert!(answer.text.contains("--browser") && answer.text.contains("/brief"), "{}", answer.text);
        // The HTML brief still works, and says when nothing can be published.
        let answer = server.get("/brief").await;
        assert_eq!(answer.status, 200);
        assert!(answer.text.contains("<svg") && !answer.text.contains("<script"));
    }
}

/// Issue 12 point 4: the brief an advocate hands over names the snapshot to cite, the latest in
/// the database, by its date and the first digits of its SHA-256, in either language.
#[tokio::test]
async fn the_brief_cites_the_latest_snapshot_in_both_languages() {
    for database in databases().await {
        let server = start(&database, |config| {
            config.demo = true;
            config.demo_workers = 30;
            config.snapshot_check_period = std::time::Duration::from_millis(20);
        })
        .await;
        let mut listing = server.get("/snapshots.json").await;
        let deadline = tokio::time::Instant::now() + BACKGROUND_WAIT;
        while tokio::time::Instant::now() < deadline {
            if listing.body["snapshots"][0]["date"].is_string() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            listing = server.get("/snapshots.json").await;
        }
        let latest = &listing.body["snapshots"][0];
        let date = latest["date"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no snapshot: {}", server.backend, listing.text));
        let hash = latest["sha256"].as_str().expect("its hash");
        assert_eq!(hash.len(), 64);
        let cited = format!("<a href=\"/snapshots/{date}\">{date}</a>, SHA-256 <code>{}</code>", &hash[..12]);
        for (query, as_of) in [("", "To cite: as of "), ("?lang=fr", "Pour citer\u{a0}: au ")] {
            let answer = server.get(&format!("/brief{query}")).await;
            assert_eq!(answer.status, 200, "{}", answer.text);
            let line = format!("{as_of}{cited}");
            assert!(
                answer.text.contains(&line),
                "{}: the brief{query} does not say {line}: {}",
                server.backend,
                answer.text
            );
        }
    }
}
