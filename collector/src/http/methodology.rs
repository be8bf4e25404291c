//! `GET /methodology`: `docs/methodology.md`, compiled in and rendered as HTML by pulldown-cmark
//! in the dashboard's layout, so the page and the repository's document cannot drift apart.
//! What a reader of the page cannot follow is left out of it: parenthetical pointers to the
//! Rust source (`analysis/src/wage.rs`) and links to other documents of the repository (their
//! text stays).

use std::sync::LazyLock;

use axum::extract::State;
use axum::response::Response;
use maud::{PreEscaped, html};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

use super::SharedState;
use super::catalogue::Catalogue;
use super::html::{Here, page};
use super::language::{Language, PageQuery};
use crate::error::AppError;

const METHODOLOGY: &str = include_str!("../../../docs/methodology.md");

/// The document as HTML, rendered once.
static RENDERED: LazyLock<String> = LazyLock::new(|| render(METHODOLOGY));

/// Removes every parenthetical made only of code spans, one of which names a Rust file, with
/// the space before it: "(`analysis/src/wage.rs`, `report.rs`)" points developers at code; a reader of
/// the page has no use for it.
fn without_source_pointers(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(start) = rest.find("(`") {
        let Some(length) = rest[start..].find(')') else { break };
        let inside = &rest[start + 1..start + length];
        // Code spans joined by commas, "and" or "in" ("`SEED` in `report.rs`"), one of them a
        // Rust file.
        let words = inside.split([',', ' ', '\n']).filter(|word| !word.is_empty());
        let is_code = |word: &str| word.len() > 2 && word.starts_with('`') && word.ends_with('`');
        let only_rust_files = words.clone().all(|word| is_code(word) || ["and", "in"].contains(&word))
            && words.clone().any(|word| is_code(word) && word.ends_with(".rs`"));
        if only_rust_files {
            out.push_str(rest[..start].trim_end_matches([' ', '\n']));
        } else {
            out.push_str(&rest[..start + length + 1]);
        }
        rest = &rest[start + length + 1..];
    }
    out.push_str(rest);
    out
}

/// The markdown as HTML: tables in named, focusable scroll regions (they are wider than a
/// phone), links to the repository's other documents kept as their text.
fn render(markdown: &str) -> String {
    let source = without_source_pointers(markdown);
    let mut tables = 0;
    let mut in_local_link = Vec::new();
    let events = Parser::new_ext(&source, Options::ENABLE_TABLES).filter_map(|event| match event {
        Event::Start(Tag::Table(alignments)) => {
            tables += 1;
            Some(vec![
                Event::Html(CowStr::from(format!(
                    "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table {tables}\">"
                ))),
                Event::Start(Tag::Table(alignments)),
            ])
        }
        Event::End(TagEnd::Table) => {
            Some(vec![Event::End(TagEnd::Table), Event::Html(CowStr::from("</div>"))])
        }
        Event::Start(Tag::Link { dest_url, .. }) if !is_web_link(&dest_url) => {
            in_local_link.push(true);
            None
        }
        Event::Start(link @ Tag::Link { .. }) => {
            in_local_link.push(false);
            Some(vec![Event::Start(link)])
        }
        Event::End(TagEnd::Link) => match in_local_link.pop() {
            Some(true) => None,
            _ => Some(vec![Event::End(TagEnd::Link)]),
        },
        other => Some(vec![other]),
    });
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.flatten());
    html
}

fn is_web_link(destination: &str) -> bool {
    destination.starts_with("https://") || destination.starts_with("http://") || destination.starts_with('#')
}

/// `GET /methodology`, `?lang=en|fr` for the page around the document (which is in English).
pub(super) async fn page_handler(
    State(state): State<SharedState>,
    PageQuery { locale, .. }: PageQuery,
) -> Result<Response, AppError> {
    let text = Catalogue::of(locale.language);
    let body = html! {
        @if locale.language != Language::English {
            p class="language-note" { (text.methodology_in_english) }
        }
        article class="methodology" lang="en" {
            (PreEscaped(RENDERED.as_str()))
        }
    };
    let here = Here { path: "/methodology", parameters: &[] };
    Ok(page(locale, here, text.methodology_title, state.config.demo, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_html_with_one_level_one_heading_and_no_source_paths() {
        let html = render(METHODOLOGY);
        assert_eq!(html.matches("<h1>").count(), 1, "one level-one heading");
        assert!(html.starts_with("<h1>Methodology"), "{:.80}", html);
        assert!(html.contains("<table>") && html.contains("<strong>"), "tables and emphasis are HTML");
        for raw in
            ["**", "# Methodology", "|---", "| method |", ".rs<", ".rs)", "analysis/src", "collector/tests"]
        {
            assert!(!html.contains(raw), "the page shows '{raw}'");
        }
        assert!(!html.contains("href=\"minimum-wage-coverage.md\""), "a link to a repository document");
        assert!(html.contains("minimum-wage-coverage.md"), "its text stays");
        assert_eq!(html.matches("<div class=\"table-scroll\"").count(), html.matches("<table>").count());
    }

    #[test]
    fn only_parentheticals_of_rust_files_are_left_out() {
        for (markdown, expected) in [
            ("one library (`a/src/wage.rs`, `report.rs`,\n`stats.rs`). This", "one library. This"),
            ("tests (`a/tests/x.rs`):", "tests:"),
            ("at once (`a/b.rs` and `c.rs`): x", "at once: x"),
            ("rates (`analysis/data/rates.csv`)", "rates (`analysis/data/rates.csv`)"),
            ("a (`wage.rs` is one)", "a (`wage.rs` is one)"),
            ("seeded (`SEED` in\n`a/src/report.rs`) and", "seeded and"),
            ("as (`SEED`) says", "as (`SEED`) says"),
            ("plain (words) and (`x.rs`", "plain (words) and (`x.rs`"),
            ("(`", "(`"),
        ] {
            assert_eq!(without_source_pointers(markdown), expected, "{markdown}");
        }
    }
}
