//! `/brief` and `/brief.pdf`: the observatory's brief is the document `piecerate brief
//! --disclosure-control` makes of the same records (same renderer, same publication; the
//! provenance aside), printed to PDF by the browser the operator names, or a 503 that says how
//! to get it without one.

use analysis::ReportBuilder;
use analysis::report::{DisclosureRules, Publication, ReportOptions};
use analysis::simulate::{Simulation, SimulationOptions};
use piecerate_brief::pdf::Browser;
use piecerate_brief::{Figures, Language, Provenance, Source, render_html};

use crate::support::{databases, start};

const WORKERS: u64 = 300;

/// The document without its provenance section (which says when and from what it was made).
fn without_provenance(html: &str) -> String {
    let start = html.find("<section aria-labelledby=\"provenance-heading\"").expect("a provenance section");
    let end = start + html[start..].find("</section>").expect("its end") + "</section>".len();
    format!("{}{}", &html[..start], &html[end..])
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
