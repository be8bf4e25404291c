//! The printable evidence page (`evidence.html`): what was selected, what the log proves and
//! what it does not, the hashes to check the file against, then the timeline, one row per
//! entry shown, with its time in the worker's zone and in UTC and its hash.

use analysis::evidence::{Entry, format_time};

use super::{Excerpt, Selection};
use crate::dashboard::Translate;
use crate::view::{Element, Node, element};

fn date(day: i64) -> String {
    analysis::Timestamp::nearest_to_unix_seconds(day * 86_400).to_string()[..10].to_owned()
}

fn code(text: String) -> Element {
    element("code").text(text)
}

/// What `selection` is, in words.
fn subject(selection: &Selection, t: Translate<'_>) -> String {
    match selection {
        Selection::Task { platform, task } => t("evidenceOfTask", &[task, platform]),
        Selection::Requester { platform, requester, title } => {
            let requester = if requester.is_empty() { t("unknownRequester", &[]) } else { requester.clone() };
            match title {
                None => t("evidenceOfRequester", &[&requester, platform]),
                Some(title) => {
                    let title = if title.is_empty() { t("untitled", &[]) } else { title.clone() };
                    t("evidenceOfProject", &[&title, &requester, platform])
                }
            }
        }
        Selection::Period { from, to } => t("evidenceOfPeriod", &[&date(*from), &date(*to)]),
    }
}

/// One entry's row. A pay event has only its task's id: its requester and title are in the
/// task's earlier rows.
fn row(entry: &Entry, t: Translate<'_>) -> Element {
    let event = &entry.event;
    let (utc, local) = format_time(event.at, event.utc_offset_minutes);
    let mut names = event.requester.clone().unwrap_or_default();
    let mut details = String::new();
    if let Some(title) = &event.title {
        names.push_str(" — ");
        names.push_str(title);
    }
    if let Some(seconds) = event.active_seconds {
        details = t("evidenceActive", &[&(seconds / 60).to_string(), &(seconds % 60).to_string()]);
    }
    if let Some(reward) = &event.reward {
        if !details.is_empty() {
            details.push_str(" · ");
        }
        details.push_str(&t("evidenceReward", &[reward]));
    }
    element("tr")
        .attribute("data-index", entry.index.to_string())
        .child(element("td").text(entry.index.to_string()))
        .child(element("td").text(local.unwrap_or_else(|| "–".to_owned())))
        .child(element("td").text(utc))
        .child(
            element("td")
                .attribute("data-kind", event.kind.as_str())
                .text(t(&format!("evidenceKind_{}", event.kind.as_str()), &[])),
        )
        .child(element("td").text(format!("{} {}", event.platform, event.task)))
        .child(element("td").text(names))
        .child(element("td").text(details))
        .child(element("td").child(code(entry.hash.hex())))
}

/// The page's nodes for `excerpt`.
pub fn render(excerpt: &Excerpt<'_>, selection: &Selection, t: Translate<'_>) -> Vec<Node> {
    let shown = excerpt.shown().count();
    let mut body = element("tbody");
    for entry in excerpt.shown() {
        body.push(row(entry, t));
    }
    let mut head = element("tr");
    for label in [
        "evidenceColIndex",
        "evidenceColLocal",
        "evidenceColUtc",
        "evidenceColEvent",
        "evidenceColTask",
        "evidenceColRequester",
        "evidenceColDetails",
        "evidenceColHash",
    ] {
        head.push(element("th").attribute("scope", "col").text(t(label, &[])));
    }
    let counts = [shown, excerpt.run.len() - shown].map(|n| n.to_string());
    let hashes = element("p")
        .attribute("class", "hashes")
        .text(t("evidenceBefore", &[]))
        .child(code(excerpt.before.hex()).attribute("data-figure", "before"))
        .child(element("br"))
        .text(t("evidenceHead", &[]))
        .child(code(excerpt.head().hex()).attribute("data-figure", "head"));
    let statement = |heading: &str, text: &str| {
        element("section").child(element("h2").text(t(heading, &[]))).child(element("p").text(t(text, &[])))
    };
    vec![
        element("p").attribute("data-figure", "subject").text(subject(selection, t)).into(),
        element("p")
            .attribute("data-figure", "counts")
            .attribute("data-shown", counts[0].clone())
            .attribute("data-withheld", counts[1].clone())
            .text(t("evidenceCounts", &[&counts[0], &counts[1]]))
            .into(),
        statement("evidenceProvesTitle", "evidenceProves").into(),
        statement("evidenceNotProvesTitle", "evidenceNotProves").into(),
        statement("evidenceCheckTitle", "evidenceCheck").child(hashes).into(),
        // Eight columns are wider than a phone: the table scrolls in its own box (which the
        // keyboard can focus and a screen reader names) rather than the whole page shrinking.
        element("div")
            .attribute("class", "timeline-scroll")
            .attribute("role", "region")
            .attribute("tabindex", "0")
            .attribute("aria-label", t("evidenceTimeline", &[]))
            .child(
                element("table")
                    .attribute("class", "timeline")
                    .child(element("caption").text(t("evidenceCaption", &[])))
                    .child(element("thead").child(head))
                    .child(body),
            )
            .into(),
    ]
}
