//! The requester history as a view tree (`crate::view`): the pay summary (approved, pending and
//! rejected apart, the wage on approved and on approved plus pending pay, overdue items
//! flagged), then the table, one requester row followed by its projects' or studies' rows.
//! Every figure carries `data-figure` and, for money and rates, its exact value in `data-usd`.

use analysis::US_FEDERAL_MINIMUM_HOURLY_USD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rust_decimal::Decimal;

use super::{History, Query, Row, SortKey};
use crate::dashboard::{FigureFormat, Translate, fixed};
use crate::view::{Element, Node, element};

/// Requesters shown at most; the search narrows the rest down.
pub const MAX_GROUPS_SHOWN: usize = 200;
/// TurkerView's upper wage band starts here (US dollars per hour).
const HIGH_BAND_USD: f64 = 10.0;

/// A wage's band, as a class for its colour and as words (never colour alone): TurkerView's
/// bands (below $7.25, $7.25 to $10, $10 or more) and the worker's own minimum.
fn band(wage: f64, minimum_usd: Option<f64>, t: Translate<'_>) -> (String, String) {
    let federal = US_FEDERAL_MINIMUM_HOURLY_USD;
    let (class, key) = if wage < federal {
        ("band-low", "bandLow")
    } else if wage < HIGH_BAND_USD {
        ("band-mid", "bandMid")
    } else {
        ("band-high", "bandHigh")
    };
    let mut words = t(key, &[]);
    let mut class = class.to_owned();
    if let Some(minimum) = minimum_usd {
        let below = wage < minimum;
        words = format!("{words} · {}", t(if below { "bandBelowMinimum" } else { "bandAtMinimum" }, &[]));
        if below {
            class.push_str(" below-minimum");
        }
    }
    (class, words)
}

fn usd_attribute(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| fixed(v, 6))
}

fn rate_cell(figure: &'static str, rate: Option<f64>, display: FigureFormat<'_>) -> Element {
    element("td")
        .attribute("data-figure", figure)
        .attribute("data-usd", usd_attribute(rate))
        .text(rate.map_or("–".to_owned(), |r| display.hourly(r)))
}

fn hours(seconds: u64, display: FigureFormat<'_>) -> String {
    display.number(seconds as f64 / 3600.0, 2)
}

fn duration(seconds: i64, display: FigureFormat<'_>, t: Translate<'_>) -> String {
    if seconds < 48 * 3600 {
        t("hoursShort", &[&display.number(seconds as f64 / 3600.0, 1)])
    } else {
        t("daysShort", &[&display.number(seconds as f64 / 86_400.0, 1)])
    }
}

/// `text` as a URL query value: unreserved ASCII kept, every other byte as `%XX`.
fn encode(text: &str) -> String {
    const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    utf8_percent_encode(text, QUERY_VALUE).to_string()
}

fn money(usd: Decimal) -> String {
    usd.normalize().to_string()
}

fn row(
    row: &Row,
    requester_row: bool,
    minimum_usd: Option<f64>,
    display: FigureFormat<'_>,
    t: Translate<'_>,
) -> Element {
    let name = if requester_row {
        if row.requester.is_empty() { t("unknownRequester", &[]) } else { row.requester.clone() }
    } else if row.project.is_empty() {
        t("untitled", &[])
    } else {
        row.project.clone()
    };
    let platform = row.platform.map_or(String::new(), |p| p.to_string());
    let mut first = if requester_row {
        element("th")
            .attribute("scope", "row")
            .text(name.clone())
            .child(element("small").text(format!(" {platform}")))
    } else {
        element("td").attribute("class", "project-name").text(name.clone())
    };
    // A link to the printable evidence of these tasks (`web/evidence.rs`) in a new tab, named
    // for screen readers.
    let mut address =
        format!("evidence.html?platform={}&requester={}", encode(&platform), encode(&row.requester));
    if !requester_row {
        address.push_str("&title=");
        address.push_str(&encode(&row.project));
    }
    first.push(
        element("a")
            .attribute("href", address)
            .attribute("target", "_blank")
            .attribute("class", "evidence")
            .attribute("aria-label", t("evidenceFor", &[&name]))
            .text(t("evidenceRow", &[])),
    );
    if row.overdue > 0 {
        first.push(
            element("small")
                .attribute("class", "overdue")
                .attribute("data-figure", "overdue")
                .text(format!(" {}", t("overdueShort", &[&row.overdue.to_string()]))),
        );
    }
    let wage = row.wage_usd();
    let (band_class, band_words) = match wage {
        Some(wage) => band(wage, minimum_usd, t),
        None => (String::new(), "–".to_owned()),
    };
    element("tr")
        .attribute("class", if requester_row { "requester" } else { "project" })
        .attribute("data-platform", platform)
        .attribute("data-requester", row.requester.clone())
        .attribute("data-project", row.project.clone())
        .child(first)
        .child(element("td").attribute("data-figure", "tasks").text(row.tasks.to_string()))
        .child(
            element("td")
                .attribute("data-figure", "time")
                .attribute("data-seconds", row.seconds().to_string())
                .attribute("data-submitted-seconds", row.submitted_seconds.to_string())
                .attribute("data-returned-seconds", row.returned_seconds.to_string())
                .attribute("data-screened-out-seconds", row.screened_out_seconds.to_string())
                .text(hours(row.seconds(), display))
                .child(element("small").text(t(
                    "timeParts",
                    &[
                        &hours(row.submitted_seconds, display),
                        &hours(row.returned_seconds, display),
                        &hours(row.screened_out_seconds, display),
                    ],
                ))),
        )
        .child(
            element("td")
                .attribute("data-figure", "earnings")
                .attribute("data-approved-usd", money(row.approved_usd))
                .attribute("data-pending-usd", money(row.pending_usd))
                .attribute("data-rejected-usd", money(row.rejected_usd))
                .text(display.amount(row.earnings_usd()))
                .child(element("small").text(t(
                    "earningsParts",
                    &[
                        &display.amount(row.approved_usd),
                        &display.amount(row.pending_usd),
                        &display.amount(row.rejected_usd),
                    ],
                ))),
        )
        .child(
            rate_cell("wage", wage, display).child(
                element("small")
                    .attribute("data-figure", "approved-wage")
                    .attribute("data-usd", usd_attribute(row.approved_wage_usd()))
                    .text(t(
                        "wageApprovedOnly",
                        &[&row.approved_wage_usd().map_or("–".to_owned(), |w| display.hourly(w))],
                    )),
            ),
        )
        .child(element("td").attribute("class", band_class).attribute("data-figure", "band").text(band_words))
        .child(rate_cell("advertised", row.advertised_usd(), display))
        .child(
            element("td")
                .attribute("data-figure", "approval-time")
                .attribute(
                    "data-seconds",
                    row.mean_approval_seconds().map_or(String::new(), |s| s.to_string()),
                )
                .text(row.mean_approval_seconds().map_or("–".to_owned(), |s| duration(s, display, t))),
        )
}

/// The summary over the whole history: earnings by pay state and both wages.
fn summary(all: &Row, display: FigureFormat<'_>, t: Translate<'_>) -> Vec<Node> {
    let part = |figure: &'static str, key: &str, usd: Decimal| {
        element("span")
            .attribute("data-figure", figure)
            .attribute("data-usd", money(usd))
            .text(t(key, &[&display.amount(usd)]))
    };
    let mut nodes: Vec<Node> = vec![
        element("p")
            .attribute("class", "pay-summary")
            .child(part("pay-approved", "payApproved", all.approved_usd))
            .text(" · ")
            .child(part("pay-pending", "payPending", all.pending_usd))
            .text(" · ")
            .child(part("pay-rejected", "payRejected", all.rejected_usd))
            .into(),
        element("p")
            .attribute("class", "pay-summary")
            .child(
                element("span")
                    .attribute("data-figure", "wage-approved")
                    .attribute("data-usd", usd_attribute(all.approved_wage_usd()))
                    .text(t(
                        "wageApproved",
                        &[&all.approved_wage_usd().map_or("–".to_owned(), |w| display.hourly(w))],
                    )),
            )
            .text(" · ")
            .child(
                element("span")
                    .attribute("data-figure", "wage-approved-pending")
                    .attribute("data-usd", usd_attribute(all.wage_usd()))
                    .text(t(
                        "wageApprovedPending",
                        &[&all.wage_usd().map_or("–".to_owned(), |w| display.hourly(w))],
                    )),
            )
            .into(),
    ];
    if all.overdue > 0 {
        nodes.push(
            element("p")
                .attribute("class", "overdue")
                .attribute("role", "status")
                .attribute("data-figure", "overdue-note")
                .text(t("overdueNote", &[&all.overdue.to_string(), &display.amount(all.overdue_usd)]))
                .into(),
        );
    }
    nodes
}

/// The history view: summary, then the table of what `query` selects (or why it is empty).
/// `minimum_usd` is the worker's own minimum per hour in US dollars, when known.
pub fn render(
    history: &History,
    query: &Query,
    minimum_usd: Option<f64>,
    display: FigureFormat<'_>,
    t: Translate<'_>,
) -> Vec<Node> {
    if history.groups.is_empty() {
        return vec![
            element("p").attribute("data-figure", "history-empty").text(t("historyEmpty", &[])).into(),
        ];
    }
    let mut nodes = summary(&history.all, display, t);
    let groups = history.select(query);
    if groups.is_empty() {
        nodes.push(
            element("p").attribute("data-figure", "history-no-match").text(t("historyNoMatch", &[])).into(),
        );
        return nodes;
    }
    let mut head = element("tr");
    for (key, label) in [
        (Some(SortKey::Requester), "colRequester"),
        (Some(SortKey::Tasks), "colTasks"),
        (Some(SortKey::Time), "colTime"),
        (Some(SortKey::Earnings), "colEarnings"),
        (Some(SortKey::Wage), "colWage"),
        (None, "colBand"),
        (Some(SortKey::Advertised), "colAdvertised"),
        (None, "colApproval"),
    ] {
        let mut cell = element("th").attribute("scope", "col");
        match key {
            Some(key) => {
                if key == query.sort {
                    cell = cell
                        .attribute("aria-sort", if query.descending { "descending" } else { "ascending" });
                }
                cell.push(
                    element("button")
                        .attribute("type", "button")
                        .attribute("data-sort", key.as_str())
                        .text(t(label, &[])),
                );
            }
            None => cell.push(Node::Text(t(label, &[]))),
        }
        head.push(cell);
    }
    let mut body = element("tbody");
    for group in groups.iter().take(MAX_GROUPS_SHOWN) {
        body.push(row(&group.total, true, minimum_usd, display, t));
        for project in &group.projects {
            body.push(row(project, false, minimum_usd, display, t));
        }
    }
    nodes.push(
        element("table")
            .attribute("class", "history")
            .child(element("caption").text(t("historyCaption", &[])))
            .child(element("thead").child(head))
            .child(body)
            .into(),
    );
    if groups.len() > MAX_GROUPS_SHOWN {
        let hidden = (groups.len() - MAX_GROUPS_SHOWN).to_string();
        nodes.push(
            element("p")
                .attribute("class", "muted")
                .attribute("data-figure", "history-more")
                .text(t("historyMore", &[&hidden]))
                .into(),
        );
    }
    nodes
}
