//! The public dashboard at `/`: server-rendered HTML that reads the cached wage reports, needs
//! no JavaScript, and loads nothing but its own stylesheet.

use std::collections::HashMap;
use std::fmt::Write;

use analysis::report::Cell;
use analysis::{CountryCode, Method, Report};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use super::SharedState;
use super::api::cached_report;
use super::chart::spread_per_platform;
use crate::error::AppError;
use crate::wages::DEMO_NOTICE;

const STYLESHEET: &str = include_str!("../../assets/dashboard.css");
/// Pages may load their own stylesheet and nothing else: no script, font, image or frame, from
/// anywhere. A browser enforces this even if a future change forgot the rule.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// An HTML page with the dashboard's security policy.
fn html_page(html: String) -> Response {
    let policy = HeaderValue::from_static(CONTENT_SECURITY_POLICY);
    ([(header::CONTENT_SECURITY_POLICY, policy)], Html(html)).into_response()
}
const METHODOLOGY: &str = include_str!("../../../docs/methodology.md");

/// Text made safe to place in HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One plain-language paragraph per method the dashboard offers.
fn explanation(method: Method) -> &'static str {
    match method {
        Method::All => {
            "Counts every minute workers recorded: tasks that paid, tasks that ended unpaid (returned, rejected, abandoned or screened out), and unpaid work between tasks such as searching for work and taking unpaid qualification tests. This is the headline figure: what workers actually earn for each hour they give to the platform."
        }
        Method::Task => {
            "Counts the time of every task, paid or not, but leaves out the unpaid work between tasks, such as searching for work. It shows what rejections and returned tasks cost workers, but not what searching costs them."
        }
        _ => {
            "Counts only the time spent on tasks that paid. This is closest to the rate platforms advertise and is always the highest of the three figures; the distance to \u{201c}all time\u{201d} is the unpaid work."
        }
    }
}

fn method_label(method: Method) -> &'static str {
    match method {
        Method::All => "all time",
        Method::Task => "task time",
        _ => "paid time only",
    }
}

fn page_start(title: &str, demo: bool) -> String {
    let mut html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><link rel=\"stylesheet\" href=\"/assets/dashboard.css\"></head><body>",
        escape(title)
    );
    if demo {
        let _ = write!(
            html,
            "<div class=\"demo-banner\" id=\"demo-banner\" role=\"note\">{DEMO_NOTICE}: this observatory is running in demonstration mode. Every figure below comes from <code>piecerate simulate</code>, not from real workers.</div>"
        );
    }
    html
}

fn money(value: f64) -> String {
    format!("${value:.2}")
}

fn share(value: Option<f64>) -> String {
    value.map(|v| format!("{:.0}%", v * 100.0)).unwrap_or_else(|| "–".into())
}

fn country_name(cell: &Cell) -> String {
    match cell.country.as_ref().and_then(|c| c.as_deref()) {
        Some(code) => match CountryCode::parse(code) {
            Ok(country) => format!("{} ({code})", country.name()),
            Err(_) => code.to_owned(),
        },
        None => "country not given".into(),
    }
}

/// Currency signs people read faster than codes; every other currency shows its ISO code.
const CURRENCY_SIGNS: [(&str, &str); 8] = [
    ("USD", "$"),
    ("GBP", "£"),
    ("EUR", "€"),
    ("BRL", "R$"),
    ("CAD", "CA$"),
    ("MXN", "MX$"),
    ("INR", "₹"),
    ("PHP", "₱"),
];

/// A cell's local minimum wage: "R$6.42/h since 2024-01-01", with its source on hover, or why
/// there is none to compare with.
fn threshold(minimum: &analysis::CellMinimumWage) -> String {
    match (minimum.hourly_local, &minimum.currency, &minimum.in_force_from) {
        (Some(hourly), Some(currency), Some(since)) => {
            let amount = match CURRENCY_SIGNS.iter().find(|(code, _)| code == currency) {
                Some((_, sign)) => format!("{sign}{hourly:.2}"),
                None => format!("{hourly:.2} {currency}"),
            };
            let lowest =
                if minimum.basis == Some("lowest_regional") { " (lowest regional rate)" } else { "" };
            format!(
                "<span title=\"source: {}\">{}/h since {}{lowest}</span>",
                escape(minimum.source.unwrap_or("")),
                escape(&amount),
                escape(since)
            )
        }
        _ => format!(
            "<span title=\"{}\">{}</span>",
            escape(minimum.reason.as_deref().unwrap_or("")),
            if minimum.status == "none" { "no statutory minimum" } else { "not known" }
        ),
    }
}

fn table(report: &Report) -> String {
    let mut html = String::from(
        "<div class=\"table-scroll\"><table id=\"wages-table\"><caption>Effective hourly wage per worker, US dollars. Each worker counts once per cell; the interval is a 95% confidence interval of the median.</caption><thead><tr><th scope=\"col\">Platform</th><th scope=\"col\">Country</th><th scope=\"col\">Workers</th><th scope=\"col\">Median</th><th scope=\"col\">95% interval</th><th scope=\"col\">Mean</th><th scope=\"col\">Below local minimum wage</th><th scope=\"col\">Local minimum used</th><th scope=\"col\">Below US $7.25</th></tr></thead><tbody>",
    );
    for cell in &report.cells {
        let platform = escape(cell.platform.unwrap_or("all"));
        let country = escape(&country_name(cell));
        match &cell.statistics {
            Some(s) => {
                let interval = s
                    .median_ci95_usd
                    .map(|[low, high]| format!("{}–{}", money(low), money(high)))
                    .unwrap_or_else(|| "–".into());
                let _ = write!(
                    html,
                    "<tr class=\"published\"><td>{platform}</td><td>{country}</td><td>{}</td><td>{}</td><td>{interval}</td><td>{}</td><td>{}</td><td class=\"threshold\">{}</td><td>{}</td></tr>",
                    s.n_workers,
                    money(s.median_hourly_usd),
                    money(s.mean_hourly_usd),
                    share(s.share_below_local_minimum),
                    cell.minimum_wage.as_ref().map_or_else(|| "–".to_owned(), threshold),
                    share(Some(s.share_below_usd_7_25)),
                );
            }
            None => {
                let _ = write!(
                    html,
                    "<tr class=\"suppressed\" data-suppressed=\"true\"><td>{platform}</td><td>{country}</td><td>fewer than {}</td><td class=\"suppressed-note\" colspan=\"6\">suppressed: too few workers to publish without pointing at individuals</td></tr>",
                    cell.n_workers_fewer_than.unwrap_or(report.min_workers)
                );
            }
        }
    }
    if report.cells.is_empty() {
        html.push_str("<tr><td colspan=\"9\">No records yet.</td></tr>");
    }
    html.push_str("</tbody></table></div>");
    html
}

/// `GET /?method=all|task|paid`.
pub async fn page(
    State(state): State<SharedState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let method_word = params.get("method").map(String::as_str).unwrap_or("all");
    let method = match method_word {
        "all" | "task" | "paid" => method_word,
        _ => return Err(AppError::BadRequest("method must be all, task or paid".into())),
    };
    let query = |by: &str| {
        HashMap::from([("by".to_owned(), by.to_owned()), ("method".to_owned(), method.to_owned())])
    };
    let by_platform = cached_report(&state, &query("platform")).await?;
    let by_country = cached_report(&state, &query("platform,country")).await?;
    let method: Method = method.parse().expect("one of the three");
    let mut html = page_start("piecerate: effective hourly wages of microtask workers", state.config.demo);
    let _ = write!(
        html,
        "<header><h1>Effective hourly wages on microtask platforms</h1><p class=\"lead\">What click workers earn per hour of work, including the unpaid time platforms do not count, pooled from workers who record their own work with the piecerate browser extension. No figure is shown for a group of fewer than {} workers.</p></header>",
        state.config.min_workers
    );
    html.push_str("<nav class=\"methods\" aria-label=\"Which hours count\"><span>Hours counted:</span>");
    for choice in Method::STANDARD {
        let current = if choice == method { " aria-current=\"page\"" } else { "" };
        let _ = write!(html, "<a href=\"/?method={choice}\"{current}>{}</a>", method_label(choice));
    }
    let _ = write!(
        html,
        "</nav><p class=\"method-explanation\" id=\"method-explanation\">{} <a href=\"/methodology\">How these figures are computed</a>.</p>",
        explanation(method)
    );
    let _ = write!(
        html,
        "<section><h2>Spread per platform</h2>{}</section>",
        spread_per_platform(&by_platform.report)
    );
    let _ = write!(html, "<section><h2>By platform and country</h2>{}", table(&by_country.report));
    let _ = write!(
        html,
        "<p class=\"downloads\"><a id=\"csv-download\" href=\"/v1/wages.csv?by=platform,country&amp;method={method}\" download>Download this table as CSV</a><a href=\"/v1/wages?by=platform,country&amp;method={method}\">the same as JSON</a><a href=\"/v1/openapi.json\">API description</a></p></section>"
    );
    if !by_country.report.notes.is_empty() {
        html.push_str("<section class=\"notes\"><h2>Notes</h2><ul>");
        for note in &by_country.report.notes {
            let _ = write!(html, "<li>{}</li>", escape(note));
        }
        html.push_str("</ul></section>");
    }
    let _ = write!(
        html,
        "<footer><p>Local minimum wages are the statutory ones in force in each month of the workers' counted time, in local currency, from the dated table shipped with the analysis library (sources on hover and in the methodology); exchange rates likewise. Workers with less than {} hours in a cell are left out of it. Data version {}.</p></footer></body></html>",
        state.config.min_hours, by_country.data_version
    );
    Ok(html_page(html))
}

/// `GET /methodology`: the methodology document, as written in `docs/methodology.md`.
pub async fn methodology(State(state): State<SharedState>) -> Response {
    let mut html = page_start("piecerate: methodology", state.config.demo);
    let _ = write!(
        html,
        "<p><a href=\"/\">Back to the wages</a></p><pre class=\"methodology\">{}</pre></body></html>",
        escape(METHODOLOGY)
    );
    html_page(html)
}

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"))], STYLESHEET)
        .into_response()
}
